/*
 * transport.h - a byte stream to one peer, whatever carries it.
 *
 * Everything above this layer (the upgrade, frames, the close handshake)
 * sees only send, receive and a descriptor to poll. Three carriers:
 *
 *   curl    a connection libcurl opened with CURLOPT_CONNECT_ONLY = 1: it
 *           did DNS, TCP, proxies and TLS; bytes go through
 *           curl_easy_send() and curl_easy_recv() (client role)
 *   socket  a plain TCP or Unix socket (an accepted client)
 *   tls     OpenSSL, server side, on an accepted socket (listening with
 *           --tls-cert)
 *
 * All are non-blocking. Rules every caller follows:
 *   - tr_send() may take fewer bytes than offered, or none (TR_AGAIN).
 *     After TR_AGAIN offer the same bytes again, or more of them (OpenSSL
 *     requires it; the buffer may have moved).
 *   - tr_recv() returns 0 at a clean end of stream. After a short read,
 *     call again only if tr_pending() says so or poll() reports the
 *     descriptor readable: TLS may hold decrypted bytes poll() cannot see,
 *     a plain socket holds nothing after a short read.
 *   - tr_want() says which poll() events the carrier itself needs (a TLS
 *     handshake or renegotiation may need POLLOUT to read).
 */
#ifndef WSCLI_TRANSPORT_H
#define WSCLI_TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>

#include <curl/curl.h>

enum {
	TR_AGAIN = -1, /* nothing now: poll and try again */
	TR_ERROR = -2, /* the stream is broken: tr_error() says why */
};

struct transport;

struct transport_ops {
	const char *name; /* "curl", "socket", "tls" */
	ssize_t (*send)(struct transport *t, const void *p, size_t n);
	ssize_t (*recv)(struct transport *t, void *p, size_t n);
	int (*pending)(struct transport *t);
	short (*want)(struct transport *t, short events);
	void (*free)(struct transport *t);
};

struct transport {
	const struct transport_ops *ops;
	int fd;               /* for poll() */
	char error[256];      /* why the last TR_ERROR */
	int eof;              /* tr_recv() returned 0 */
	int tls_failed;       /* the last TR_ERROR came from TLS (an alert) */
	unsigned long long bytes_in, bytes_out; /* counted here */
	/* carrier state */
	CURL *curl;           /* curl: the easy handle (owned) */
	CURLM *multi;         /* curl: the multi handle that connected it */
	void *ssl;            /* tls and curl over TLS: the OpenSSL SSL * */
	int ssl_checked;      /* curl: ssl was looked up */
	char curl_err[CURL_ERROR_SIZE]; /* curl: libcurl's words */
	int owns_fd;          /* socket, tls: close fd when freed */
	int wire_unknown;     /* the socket carries more than this stream
				 (TLS to a proxy): tr_wire_out() cannot say */
	int tls_state;        /* tls: handshake progress */
	short tls_want;       /* tls: events OpenSSL asked for */
};

/* A transport over a libcurl connection that is up (CONNECT_ONLY = 1).
 * Takes ownership of curl and multi (which may be NULL). NULL if libcurl
 * cannot say which socket it uses. */
struct transport *tr_curl_new(CURL *curl, CURLM *multi);

/* A transport over a connected socket; owns fd from now on. */
struct transport *tr_socket_new(int fd);

/*
 * The server side of TLS on an accepted socket (owned from now on), with
 * ctx's certificate and client-certificate policy. The handshake is done
 * inside the first tr_recv() and tr_send() calls, which return TR_AGAIN
 * until it is complete (tr_want() then says which event it waits for); a
 * failed handshake is TR_ERROR with OpenSSL's reason and tls_failed set.
 * NULL if out of memory.
 */
struct transport *tr_tls_new(int fd, void *ssl_ctx);

/* Nonzero once a tls transport's handshake is complete. */
int tr_tls_done(const struct transport *t);

/* Bytes out, bytes in. */
ssize_t tr_send(struct transport *t, const void *p, size_t n);
ssize_t tr_recv(struct transport *t, void *p, size_t n);

/* Nonzero if tr_recv() may return bytes without poll() saying so. */
int tr_pending(struct transport *t);

/* The poll() events to ask for, given those the caller wants. */
short tr_want(struct transport *t, short events);

/* Bytes handed to the kernel that the peer has not taken yet: unsent or
 * not acknowledged (SIOCOUTQ; for TLS, records); -1 if it cannot say. */
long tr_unacked(const struct transport *t);

/* Bytes this stream has written to its socket, TLS records included (the
 * unit of tr_unacked()); -1 if it cannot say. */
long long tr_wire_out(const struct transport *t);

/* Why the last TR_ERROR. */
const char *tr_error(const struct transport *t);

/* Close and free; NULL is fine. */
void tr_free(struct transport *t);

#endif /* WSCLI_TRANSPORT_H */
