/*
 * relayhead.h - the HTTP side of relay mode: the contract.
 *
 * A relay answers each client's upgrade request with what the server it
 * forwards to answers. This module translates in both directions and
 * nothing else: from the client's parsed request (upgrade.c) to what the
 * dialer (dial.c) sends upstream, and from the server's answer to the
 * client's: a 101 with the server's choice of subprotocol, the server's
 * refusal passed back, or wscli's own 502 or 504 when there was no usable
 * answer. It does no I/O and keeps no state between calls; relay.c owns
 * the pairs, the dialing and the sockets.
 *
 * Memory: what rh_upstream_init allocates is freed by rh_upstream_free;
 * strings returned by the others are the caller's to free.
 */
#ifndef WSCLI_RELAYHEAD_H
#define WSCLI_RELAYHEAD_H

#include <stddef.h>

#include <curl/curl.h>

#include "dial.h"
#include "upgrade.h"

/* What decides the upstream request besides the client's: the options of
 * relay mode, read by relay.c and handed over. */
struct rh_config {
	const char *forward;       /* --forward URL */
	const char *forward_path;  /* its path, or NULL */
	const char *forward_query; /* its query, or NULL */
	int exact;                 /* --forward-exact: the URL as given */
	int rewrite_origin;        /* --rewrite-origin */
	const char *origin;        /* -o, or NULL */
	const struct curl_slist *headers; /* -H lines: they win */
	int credentials;           /* -u or --bearer: Authorization is ours */
	int deflate;               /* --deflate: negotiated on each side */
};

/* The upstream request for one client. */
struct rh_upstream {
	char *url;                 /* the server's URL as asked, for people */
	char *target;              /* the request target to send as is, or
				      NULL: --forward's (--forward-exact) */
	char **protocols;          /* the client's subprotocol offers */
	size_t nprotocols;
	char **headers;            /* the client's headers passed on */
	size_t nheaders;
	const char **hdrs;         /* -H lines, then those: for the dialer */
	size_t nhdrs;
	char *origin;              /* Origin to send, or NULL */
	char removed[1024];        /* names of headers not passed on, "" */
	const char *notes[4];      /* lines for the log of the request */
	size_t nnotes;
	char origin_note[600];     /* (notes point here) */
	char ext_note[600];
};

/*
 * Build the upstream request from the client's request req (a valid
 * upgrade request, its offer o). Returns 0, or -1 when memory ran out
 * (*u is then empty). Free with rh_upstream_free.
 */
int rh_upstream_init(struct rh_upstream *u, const struct rh_config *cfg,
    const struct up_head *req, const struct up_offer *o);
void rh_upstream_free(struct rh_upstream *u);

/*
 * The server's refusal r (a status other than 101) as the answer to the
 * client: its status, reason and end-to-end headers, its body (what was
 * read of it) with a Content-Length to match, Connection: close. Returns
 * the answer (the caller's to free) and its length in *n.
 */
char *rh_refusal(const struct dial_result *r, size_t *n);

/*
 * The client's 101 for offer o: the subprotocol the server chose (r), the
 * extensions agreed with the client (ext, or NULL), the server's
 * end-to-end headers. Into out (cap bytes). Returns the length, or -1 as
 * up_build_101 does.
 */
long rh_answer_101(char *out, size_t cap, const struct up_offer *o,
    const struct dial_result *r, const char *ext);

/*
 * When the dial gave no answer to pass back (r->exit >= 0 and no status
 * other than 101): the status to answer the client with, 502 or 504, and
 * why (cap bytes) for the client and the log.
 */
int rh_failure(const struct dial_result *r, char *why, size_t cap);

#endif /* WSCLI_RELAYHEAD_H */
