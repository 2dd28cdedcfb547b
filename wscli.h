/*
 * wscli.h - what the parts of wscli share: the options, the exit statuses,
 * the session entry point and the diagnostics that respect the prompt.
 */
#ifndef WSCLI_H
#define WSCLI_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

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
};

#define WSCLI_VERSION "0.1.0"

#define MAX_PROTOCOLS 32
#define MAX_SEND 256

struct options {
	const char *url;                   /* ws:// or wss:// */
	struct curl_slist *headers;        /* -H, in order */
	const char *origin;                /* -o */
	const char *protocols[MAX_PROTOCOLS]; /* -s, in order of preference */
	int nprotocols;
	const char *send[MAX_SEND];        /* --send, in order */
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
	uint64_t max_message;              /* --max-message, 0 = no limit */
	int stdout_tty;                    /* stdout is a terminal */
};

extern struct options opt;

/* Print "wscli: message" on stderr without tearing the REPL prompt. info()
 * is silent under -q; diag() always prints (errors). */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write prefix and msg as one line on stderr, hiding and redrawing the
 * readline prompt around it when one is shown. */
void term_print_stderr(const char *prefix, const char *msg);

/* Connect, run the session until it ends, return the exit status. */
int session_run(void);

#endif /* WSCLI_H */
