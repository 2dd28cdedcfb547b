/*
 * tcpdial.h - the light dialer: plain ws:// straight over a TCP socket,
 * without libcurl, for --load's thousands of connections.
 *
 * dial.c keeps a libcurl easy and multi handle for every connection
 * (about 38 KiB each, and libcurl's own work on every turn while it
 * connects); --load to a plain ws:// URL needs none of what libcurl
 * brings (TLS, proxies, redirects). Here the name is resolved once for
 * all connections (td_resolve(), blocking, before the run), and each
 * connection is a non-blocking connect(), wscli's own upgrade request
 * (upgrade.c) and its checked answer, on a socket transport. The result
 * is dial.c's struct dial_result, so the caller treats both alike.
 *
 * Not for: wss://, a proxy (-x or the environment), --unix-socket, -L,
 * --deflate, or -H naming a header wscli writes: td_usable() says.
 */
#ifndef WSCLI_TCPDIAL_H
#define WSCLI_TCPDIAL_H

#include <sys/socket.h>

#include "dial.h"

struct tdial;

/* Where every connection goes, found once. */
struct td_target {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char host[512];               /* the Host header's value */
	char target[8192];            /* path and query */
	char shown[1024];             /* the URL as shown (no password) */
};

/* Nonzero if p can be dialed here rather than by dial.c. */
int td_usable(const struct dial_params *p);

/* Resolve p->url (p->net->ipresolve) into t; the first address is used.
 * Returns 0, or -1 with why in err (cap bytes). Blocks. */
int td_resolve(const struct dial_params *p, struct td_target *t, char *err,
    size_t cap);

/* Start a connection to t with p's request (protocols, origin, headers,
 * credentials) and timeout; the loop does the rest and calls done once,
 * as dial_start() does. t and p must stay valid until then. NULL if out
 * of resources (descriptors). */
struct tdial *td_start(const struct td_target *t, const struct dial_params *p,
    dial_done_fn done, void *ud);

/* Stop a dial in progress; done is not called. */
void td_cancel(struct tdial *d);

#endif /* WSCLI_TCPDIAL_H */
