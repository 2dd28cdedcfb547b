/*
 * dial.h - opening a client connection: the dialer.
 *
 * libcurl reaches the server with CURLOPT_CONNECT_ONLY = 1 on the ws:// or
 * wss:// URL: DNS, TCP, proxies (HTTP CONNECT with
 * CURLOPT_HTTPPROXYTUNNEL, SOCKS), TLS with every certificate option. It
 * stops there, through its multi interface so that the loop keeps turning.
 * Then wscli sends its own HTTP/1.1 upgrade request (upgrade.c), reads the
 * answer byte for byte, checks it (accept key, subprotocol, extensions,
 * permessage-deflate parameters) and follows redirects when asked. The
 * whole of it is timed against one deadline.
 *
 * A refused upgrade is the question users most often bring to a WebSocket
 * tool, so its whole answer is kept: status line, headers and the start of
 * the body, read on the same connection.
 */
#ifndef WSCLI_DIAL_H
#define WSCLI_DIAL_H

#include <stddef.h>
#include <stdint.h>

#include "deflate.h"
#include "upgrade.h"

struct transport;
struct pmd;
struct dial;

/* Sent as User-Agent, shown by -V. */
#define WSCLI_VERSION "0.1.0"

/* How to reach a server: TLS, proxies, credentials, -4/-6, unix socket,
 * redirects. Built once from the command line (opts_dial_net()). */
struct dial_net {
	int insecure;                 /* do not verify the certificate */
	const char *cacert, *capath;  /* CA file and directory, or NULL */
	const char *cert, *key, *pass; /* client certificate, its key and
					 passphrase, or NULL */
	const char *user;             /* "USER:PASS" for Basic, or NULL */
	const char *bearer;           /* a Bearer token, or NULL */
	const char *proxy;            /* NULL: from the environment */
	const char *noproxy;          /* hosts not to proxy, or NULL */
	const char *unix_socket;      /* connect through it, or NULL */
	long ipresolve;               /* CURL_IPRESOLVE_* */
	int follow;                   /* follow 3xx (-L) */
	long max_redirs;              /* ... at most this many */
};

/* What to ask for. */
struct dial_params {
	const struct dial_net *net;   /* how to reach it; NULL: directly,
					 with the system's defaults */
	const char *url;              /* ws:// or wss:// */
	const char *const *protocols; /* Sec-WebSocket-Protocol offers */
	size_t nprotocols;
	const struct pmd_params *deflate; /* permessage-deflate offer, or
					     NULL */
	const char *origin;           /* Origin, or NULL */
	const char *const *headers;   /* further "Name: value" lines; one
					 naming a header wscli sets replaces
					 it, "Name:" removes it */
	size_t nheaders;
	double timeout;               /* for everything up to the 101 */
	int verbose;                  /* show the request and the answer */
	int quiet_refusal;            /* do not print a refused upgrade */
	int quiet;                    /* print no error at all: the caller
					 reports r->error */
	const char *label;            /* prefixed to diagnostics */
	const char *method;           /* request method; NULL: GET (--probe) */
	const char *target;           /* request target as is, for the first
					 request (not after a redirect);
					 NULL: from url's path and query */
	int http10;                   /* send HTTP/1.0 instead of 1.1 */
};

/* How it went. */
struct dial_result {
	int exit;                 /* -1 connected; else the exit status */
	char error[512];          /* why not, for people */
	struct transport *tr;     /* connected: the connection (the caller's
				     from now on) */
	struct pmd *pmd;          /* negotiated permessage-deflate, or NULL
				     (the caller's) */
	struct pmd_agreed agreed; /* its parameters */
	char *url;                /* the URL finally reached */
	char *protocol;           /* the chosen subprotocol, or NULL */
	char *extensions;         /* Sec-WebSocket-Extensions, or NULL */
	char *head;               /* the response head as received */
	struct up_head resp;      /* ... parsed (slices of head) */
	long status;              /* its status; 0 if no answer */
	uint8_t *early;           /* bytes that came after the head */
	size_t nearly;
	char *body;               /* a refused upgrade's body (start) */
	size_t body_len;
	int body_more;            /* the body was longer */
	int offered_protocols;    /* subprotocols were offered */
	int offered_deflate;      /* permessage-deflate was offered */
	double ms;                /* set-up time, redirects included */
	double connect_ms;        /* ... of which libcurl's part */
	char request_key[UP_KEY_LEN + 1];
	char *request;            /* the last upgrade request, as sent */
};

/* Called once with the result; the dialer is freed after it returns. */
typedef void (*dial_done_fn)(void *ud, struct dial_result *r);

/* Start dialing; the loop does the rest. NULL if out of resources (then
 * done is not called). */
struct dial *dial_start(const struct dial_params *p, dial_done_fn done,
    void *ud);

/* Stop a dial in progress; done is not called. */
void dial_cancel(struct dial *d);

/* Free what a result holds (not the transport or pmd if taken: set them
 * to NULL after taking them). */
void dial_result_free(struct dial_result *r);

/* Print the one-line summary of a connection: URL (password hidden),
 * status, subprotocol, extensions, TLS, time; with -v also the server
 * certificate and the timings. Into buf (cap bytes). */
void dial_summary(const struct dial_result *r, char *buf, size_t cap);
void dial_verbose_details(const struct dial_result *r);

/* The URL with any password replaced by "***". Into out. */
char *url_redacted(const char *url, char *out, size_t cap);

#endif /* WSCLI_DIAL_H */
