/*
 * connect.h - reaching the server and the HTTP upgrade.
 *
 * libcurl does the DNS, TCP, TLS, proxy and HTTP work (CONNECT_ONLY = 2);
 * connect.c adds what libcurl 8.14 leaves out: its own Sec-WebSocket-Key and
 * the check of the 101 reply (accept key, subprotocol, extensions), redirects
 * (libcurl refuses a 3xx before it would follow it), and the report of a
 * refused upgrade.
 */
#ifndef WSCLI_CONNECT_H
#define WSCLI_CONNECT_H

#include <curl/curl.h>

struct conn {
	CURL *curl;                 /* the upgraded connection */
	curl_socket_t fd;           /* its socket, for poll() */
	char *url;                  /* the URL finally connected (malloc'd) */
	long status;                /* 101 */
	char *protocol;             /* subprotocol the server chose, or NULL */
	struct curl_slist *headers; /* response headers, "Name: value" */
	double ms;                  /* set-up time, all redirects included */
	char ws_error[256];         /* libcurl's reason for refusing a frame,
				       "" if none: written by the debug
				       callback for as long as curl lives */
};

/*
 * Connect to opt.url and upgrade, following redirects when opt.location.
 * Prints the reason on failure (and, for a refused upgrade, the status
 * line, the headers and the start of the body).
 * Returns -1 on success with *c filled, or the exit status to end with.
 */
int conn_open(struct conn *c);

/* Print the one-line summary: URL, status, subprotocol, TLS, time; with
 * opt.verbose also the certificate and the timings. */
void conn_summary(struct conn *c);

/* Free everything conn_open() set up. */
void conn_close(struct conn *c);

#endif /* WSCLI_CONNECT_H */
