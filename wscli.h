/*
 * wscli.h - what the parts of wscli share: the options and the exit
 * statuses.
 */
#ifndef WSCLI_H
#define WSCLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "deflate.h"

/* Exit statuses, as documented in wscli(1) EXIT STATUS. */
enum {
	EXIT_OK = 0,        /* clean close (1000/1001) or normal end */
	EXIT_ERROR = 1,     /* any other error */
	EXIT_USAGE = 2,     /* bad command line */
	EXIT_CONNECT = 3,   /* DNS, TCP, TLS or proxy failure */
	EXIT_UPGRADE = 4,   /* non-101, bad accept key, unrequested protocol */
	EXIT_PROTOCOL = 5,  /* the peer violated RFC 6455 */
	EXIT_LOST = 6,      /* connection lost without a close (1006) */
	EXIT_TIMEOUT = 7,   /* a timeout expired */
	EXIT_CLOSED = 8,    /* peer closed with a code other than 1000/1001 */
	EXIT_NO_MATCH = 9,  /* ended before --until matched */
};

#define WSCLI_VERSION "0.1.0"

#define MAX_PROTOCOLS 32
#define MAX_SEND 256

/* What wscli is run as. */
enum mode {
	MODE_CLIENT = 0, /* connect to a URL (session.c) */
	MODE_PROBE,      /* --probe: test a server (probe.c) */
	MODE_LISTEN,     /* -l: a server for testing clients (listen.c) */
	MODE_RELAY,      /* -l --forward: between clients and a server
			    (relay.c) */
};

struct options {
	enum mode mode;
	const char *url;                   /* ws:// or wss:// */
	struct curl_slist *headers;        /* -H, in order */
	const char *origin;                /* -o */
	const char *protocols[MAX_PROTOCOLS]; /* -s, in order of preference */
	int nprotocols;
	const char *send[MAX_SEND];        /* --send and --frame, in order */
	unsigned char send_frame[MAX_SEND]; /* send[i] is a --frame SPEC */
	int nsend;
	double connect_timeout;            /* seconds, > 0 */
	double close_timeout;              /* seconds */
	double wait;                       /* -w: linger after end of input */
	long count;                        /* -n: 0 = unlimited */
	int binary;                        /* -b */
	int no_split;                      /* --no-split */
	int quiet;                         /* -q */
	int interactive;                   /* stdin and stdout are terminals */
	int color;                         /* SGR colours on the terminal */
	int timestamps;                    /* 0 off, 1 wall clock, 2 elapsed */
	int json;                          /* -j: pretty-print JSON messages */
	int hex;                           /* hexdump text messages too */
	int no_history;                    /* --no-history */
	/* reaching the server */
	int insecure;                      /* -k */
	const char *cacert, *capath;       /* --cacert, --capath */
	const char *cert, *key, *pass;     /* --cert, --key, --pass */
	const char *user;                  /* -u USER:PASS */
	const char *bearer;                /* --bearer */
	const char *proxy;                 /* -x, or from the environment */
	const char *noproxy;               /* --noproxy */
	const char *unix_socket;           /* --unix-socket */
	long ipresolve;                    /* -4 / -6 */
	int location;                      /* -L */
	long max_redirs;                   /* --max-redirs */
	int verbose;                       /* -v */
	/* keeping the connection honest, scripting */
	double ping_interval;              /* --ping-interval, 0 = off */
	double ping_timeout;               /* --ping-timeout, 0 = off */
	double timeout;                    /* --timeout, 0 = none */
	const char *until;                 /* --until REGEX */
	int jsonl;                         /* --jsonl */
	long reconnect;                    /* --reconnect: 0 off, -1 without
					      end, else at most this many
					      attempts in a row */
	int reconnect_any;                 /* --reconnect-on any */
	double reconnect_delay;            /* --reconnect-delay: the first
					      wait, seconds */
	const char *on_connect;            /* --on-connect FILE */
	uint64_t max_message;              /* --max-message, 0 = no limit */
	int max_message_default;           /* ... not given: the REPL's own */
	int stdout_tty;                    /* stdout is a terminal */
	int frames;                        /* --frames: show every frame */
	int deflate;                       /* --deflate: offer it */
	struct pmd_params deflate_offer;   /* ... with these parameters */
	int compress;                      /* compress what we send when
					      negotiated (/deflate toggles) */
};

extern struct options opt;

/*
 * A mode's own options (listen, relay, probe) live with the mode: it lists
 * them here and wscli.c joins them to the common ones. Long options give
 * values of 0x1000 and up, distinct per mode.
 */
struct mode_opts {
	const char *shortopts;          /* its short options, getopt style */
	const struct option *longopts;  /* ending with a zero entry */
	int (*option)(int ch, const char *arg); /* 1 if it took ch */
	void (*check)(int argc, char **argv);   /* after parsing: operands
						   and conflicts */
	const char *help;               /* its lines of --help */
};

/* For the modes' option code: report a usage error (exit 2); parse a
 * value, naming the option in the error. */
void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
double parse_seconds(const char *name, const char *s);
double parse_positive(const char *name, const char *s);
uint64_t parse_size(const char *name, const char *s);
long parse_count(const char *name, const char *s, long min);
const char *readable_file(const char *name, const char *path);
void check_url(const char *url);


#endif /* WSCLI_H */
