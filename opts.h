/*
 * opts.h - the command line: one table of options, each with a type and
 * the set of modes it applies to; the mode, decided once after parsing;
 * and the values the modes read.
 *
 * opts_parse() fills the structs below and returns a status with the
 * message of a usage error; it neither prints nor exits, so the whole
 * decision can be unit-tested. The generic checks come from an option's
 * type (seconds, size, count, file, URL, ...): the typed parsers are
 * exported for the same reason and return their error in *errstr, as
 * OpenBSD's strtonum() does.
 *
 * Only opts.c writes these structs while parsing; the modes only read
 * them (the REPL flips the display toggles at run time). What reaches a
 * server is handed to the dialer as one struct dial_net, built here.
 */
#ifndef WSCLI_OPTS_H
#define WSCLI_OPTS_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "deflate.h"

struct curl_slist;
struct dial_net;

#define MAX_PROTOCOLS 32
#define MAX_SEND 256
#define MAX_SUBSCRIBE 64

/* What wscli is run as. */
enum mode {
	MODE_CLIENT = 0, /* connect to a URL (clientmode.c) */
	MODE_PROBE,      /* --probe: test a server (probe.c) */
	MODE_LISTEN,     /* -l: a server for testing clients (listen.c) */
	MODE_RELAY,      /* -l --forward: between clients and a server
			    (relay.c) */
	MODE_TEST,       /* --test: conversation files run against a
			    server (convtest.c) */
	MODE_LOAD,       /* --load: many connections to a server (load.c) */
	MODE_MERGE,      /* --load-merge: add up --load-report files */
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
	/* reaching the server: given to the dialer as a struct dial_net */
	int insecure;                      /* -k */
	const char *cacert, *capath;       /* --cacert, --capath */
	const char *cert, *key, *pass;     /* --cert, --key, --pass */
	const char *user;                  /* -u USER:PASS */
	const char *bearer;                /* --bearer */
	const char *proxy;                 /* -x */
	const char *noproxy;               /* --noproxy */
	const char *unix_socket;           /* --unix-socket */
	long ipresolve;                    /* -4 / -6: 4, 6, or 0 for both */
	int location;                      /* -L */
	long max_redirs;                   /* --max-redirs */
	int verbose;                       /* -v */
	/* keeping the connection honest, scripting */
	double ping_interval;              /* --ping-interval, 0 = off */
	double ping_timeout;               /* --ping-timeout, 0 = off */
	double timeout;                    /* --timeout, 0 = none */
	const char *until;                 /* --until REGEX */
	int jsonl;                         /* --jsonl */
	int null_sep;                      /* -0: NUL ends each message, on
					      stdout and stdin */
	int escape;                        /* --escape: each message one
					      line, newlines escaped */
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
	const char *record;                /* --record FILE (or directory) */
	const char *replay;                /* --replay FILE: client mode sends
					      a recorded conversation
					      (replay.c); url may be NULL */
	double replay_speed;               /* --replay-speed, 0: as fast as
					      the server answers */
};

/* The options of -l, shared by listen and relay modes. */
struct srv_opts {
	const char *listen;        /* -l [ADDR:]PORT */
	const char *tls_cert;      /* --tls-cert: serve wss:// */
	const char *tls_key;       /* --tls-key */
	const char *tls_client_ca; /* --tls-client-ca: require client
				      certificates signed by these */
	const char *origin_allow;  /* --origin-allow LIST */
	int require_protocol;      /* --require-protocol */
	int echo;                  /* --echo */
	int broadcast;             /* --broadcast */
	int once;                  /* --once */
};

/* Relay mode's own. */
struct relay_opts {
	const char *forward;       /* --forward URL */
	int exact;                 /* --forward-exact */
	int rewrite_origin;        /* --rewrite-origin */
	int strict;                /* --strict */
};

/* Probe mode's own. */
struct probe_opts {
	uint64_t max;              /* --probe-max */
	double timeout;            /* --probe-timeout */
	double idle;               /* --probe-idle, 0: not tested */
	const char *cases;         /* --probe-cases */
	const char *report_junit;  /* --probe-report junit:FILE */
	const char *report_json;   /* --probe-report json:FILE */
	int clients;               /* -l --probe-clients */
};

/* Test mode's own. */
#define MAX_VARS 256
struct test_opts {
	char **files;              /* the conversation files (operands) */
	int nfiles;
	const char *vars[MAX_VARS]; /* --var NAME=VALUE, in order */
	int nvars;
	long jobs;                 /* --jobs: files run at once */
	const char *report_junit;  /* --report junit:FILE */
};

/* The application protocol over the connections (proto.h) and the
 * options of each. */
struct proto_opts {
	const struct proto *proto;         /* --proto, NULL: raw */
	int is_auto;                       /* --proto auto: from the
					      negotiated subprotocol */
	const char *auth;                  /* --auth JSON: Socket.IO */
	const char *nsp;                   /* --namespace: Socket.IO */
	int ack;                           /* --ack: Socket.IO */
	const char *init;                  /* --init JSON: GraphQL's
					      connection_init payload */
	const char *subscribe[MAX_SUBSCRIBE]; /* --subscribe: STOMP
					      destinations, MQTT topic
					      filters, in order */
	int nsubscribe;
	const char *destination;           /* --destination: STOMP SEND */
	const char *topic;                 /* --topic: MQTT PUBLISH */
	const char *login;                 /* --login USER[:PASS]: STOMP,
					      MQTT */
	const char *client_id;             /* --client-id: MQTT */
	long qos;                          /* --qos 0|1: MQTT */
	double keepalive;                  /* --keepalive seconds: STOMP
					      heart-beats, MQTT keep-alive;
					      -1: the protocol's default */
	int mqtt_version;                  /* --mqtt-version: 4 (3.1.1), 5 */
};

/* --load's own, and --load-merge's. */
struct load_opts {
	long connections;          /* --connections */
	double rate;               /* --rate: new connections a second; 0:
				      as fast as they are set up */
	double duration;           /* --duration, 0: none */
	double msg_rate;           /* --msg-rate: messages a second and
				      connection; 0: none */
	int lockstep;              /* --msg-rate lockstep */
	const char *report;        /* --load-report FILE */
	char **files;              /* --load-merge FILE... */
	int nfiles;
};

extern struct options opt;
extern struct srv_opts srv_opt;
extern struct relay_opts relay_opt;
extern struct probe_opts probe_opt;
extern struct proto_opts proto_opt;
extern struct test_opts test_opt;
extern struct load_opts load_opt;

/* opts_parse() results. */
enum {
	OPTS_RUN = 0,      /* run opt.mode */
	OPTS_USAGE = -1,   /* a usage error: err says what (exit 2) */
	OPTS_HELP = 1,     /* -h: print opts_print_help() */
	OPTS_VERSION = 2,  /* -V */
};

/*
 * Parse argv (getopt_long; may be called again: everything is reset
 * first), decide the mode, check every option against it. Returns an
 * OPTS_ status; on OPTS_USAGE, err (cap bytes) holds one line without
 * "wscli: " and without a newline.
 */
int opts_parse(int argc, char **argv, char *err, size_t cap);

/* After a successful parse, what depends on the terminals: whether the
 * session is interactive, colour (--color, NO_COLOR, TERM), the REPL's
 * default message limit. */
void opts_settle(int stdin_tty, int stdout_tty);

/* Free what parsing allocated. */
void opts_free(void);

/* --help, to f. */
void opts_print_help(FILE *f);

/* The option table, for checks of the documentation: the i-th option's
 * long name, its letter (0: none) and the modes it applies in (bit
 * 1 << MODE_x for each). Returns 0, or -1 past the end. */
int opts_entry(size_t i, const char **name, int *letter, unsigned *modes);

/* How a usage error names a mode: "-l (listen mode)". */
const char *opts_mode_name(enum mode m);

/* -l's ADDR:PORT, [V6]:PORT or PORT: host ("" for the default) into
 * host (cap bytes) and the port. Returns 0, or -1 if it is none of those. */
int opts_split_listen(const char *spec, char *host, size_t cap, long *port);

/* What reaches a server (TLS, proxy, credentials, -4/-6, unix socket,
 * redirects), from the options: the one place a dialer's network settings are made. */
const struct dial_net *opts_dial_net(void);

/*
 * The typed parsers. Each returns the value, or 0 with *errstr set to
 * why the text is not one (NULL when it is).
 *
 * opts_seconds: a decimal number of seconds, 0 to one year; positive:
 * more than 0.
 * opts_size: bytes with an optional K, M or G (powers of 1024), at most
 * 2^62; then within [min, max].
 * opts_count: a whole number within [min, max].
 */
double opts_seconds(const char *s, int positive, const char **errstr);
uint64_t opts_size(const char *s, uint64_t min, uint64_t max,
    const char **errstr);
long opts_count(const char *s, long min, long max, const char **errstr);

#endif /* WSCLI_OPTS_H */
