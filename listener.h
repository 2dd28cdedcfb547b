/*
 * listener.h - the server side of a WebSocket connection up to the 101:
 * the listening socket, TLS for it, and each accepted client's upgrade
 * request, for listen mode (listen.c) and relay mode (relay.c).
 *
 * The listening socket is a loop source; accept4() takes every waiting
 * client. Each gets an id (1, 2, ...) and a struct srv_client of its own,
 * another loop source, which does the TLS handshake (with --tls-cert),
 * reads the request head, parses and checks it (upgrade.c), and tells the
 * owner through srv_hooks.request. The owner decides what to answer, now
 * or later (a relay first asks the upstream server), with srv_answer() or
 * srv_refuse(). After a 101 the transport and the bytes that came after
 * the head are the owner's (srv_hooks.upgraded); after a refusal the
 * answer is sent, the connection is half-closed and drained for a moment
 * so the client reads the answer rather than a reset, then closed.
 *
 * Nothing here is specific to a mode: choosing a subprotocol, an
 * extension or what to do with the connection is the owner's.
 */
#ifndef WSCLI_LISTENER_H
#define WSCLI_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "upgrade.h"
#include "opts.h"

struct transport;

#define SRV_LISTS 8192 /* bytes for the joined protocol and extension
			  offers of one request */

/* A client from accept() until its 101 is out (or it was refused). */
struct srv_client {
	int id;                    /* 1, 2, ... in the order accepted */
	char addr[80];             /* "127.0.0.1:51234", "[::1]:51234" */
	struct transport *tr;      /* its connection */
	char *buf;                 /* what it sent: the head, and any bytes
				      after it */
	size_t len, cap;
	size_t head_len;           /* > 0 once the head was parsed */
	struct up_parser parser;   /* the head's parse so far */
	struct up_head req;        /* the parsed head: slices of buf */
	struct up_offer offer;     /* what it asks for (when status is 0) */
	char *lists;               /* offer's joined lists (SRV_LISTS
				      bytes, once the head is in) */
	int status;                /* 0: a valid upgrade request; else the
				      HTTP status to refuse it with */
	char why[512];             /* ... and why, for people */
	char tls[128];             /* "TLSv1.3 TLS_AES_256_GCM_SHA384", or "" */
	char cert[512];            /* subject of its certificate, or "" */
	double accepted_at;        /* now_sec() */
	void *ud;                  /* the owner's */

	/* internals */
	int state;
	char *out;                 /* the answer being sent */
	size_t out_len, out_off;
	int upgrade;               /* the answer is a 101 */
	int peeked;                /* TLS port: the first byte was seen */
	int plain;                 /* ... and it was plain HTTP */
	int rd_eof;                /* half-closed after its request */
	char *gone_why;            /* said once lingering is over */
	double deadline;
	struct timer timer;        /* at deadline */
	struct source src;
	struct srv_client *next, *prev;
};

struct srv_hooks {
	/* The request is in (sc->status says whether it is a valid upgrade
	 * request; sc->head_len is 0 if it was not even HTTP). Answer with
	 * srv_answer() or srv_refuse(), now or later. */
	void (*request)(struct srv_client *sc);
	/* The 101 is out: take sc->tr (set it to NULL) and the bytes that
	 * followed the head (srv_early()). sc is freed after this returns. */
	void (*upgraded)(struct srv_client *sc);
	/* sc is over without a 101: why says what happened (a refusal was
	 * sent: NULL). sc is freed after this returns; an owner waiting on
	 * something for it stops waiting. */
	void (*gone)(struct srv_client *sc, const char *why);
};

/*
 * Listen on srv_opt.listen (TLS with srv_opt.tls_cert) and report every
 * client through hooks. Says where it listens on stderr ("listening on
 * 127.0.0.1:8080"), and in a --jsonl event. Returns 0, or -1 after saying
 * why (address in use, certificate unreadable, ...).
 */
int srv_start(const struct srv_hooks *hooks);

/* Stop accepting (the clients already accepted go on). */
void srv_stop_accepting(void);

/* Close and forget every client still in its handshake (at the end). */
void srv_drop_all(void);

/* Send n bytes of answer (copied). upgrade: it is a 101, after which the
 * connection is the owner's; otherwise the connection is closed once it
 * is sent. */
void srv_answer(struct srv_client *sc, const char *resp, size_t n,
    int upgrade);

/* Answer an error status with why as its body (up_build_error). */
void srv_refuse(struct srv_client *sc, int status, const char *why);

/* The bytes that came after the request head. */
const uint8_t *srv_early(const struct srv_client *sc, size_t *n);

/* The origin check of --origin-allow: nonzero if origin[0..n) may
 * connect (always, without the option; an absent Origin, NULL, too). */
int srv_origin_allowed(const char *origin, size_t n);

/* The address of the listening socket, "127.0.0.1:8080". */
const char *srv_bound(void);

#endif /* WSCLI_LISTENER_H */
