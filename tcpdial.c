/*
 * tcpdial.c - plain ws:// over a TCP socket of wscli's own; see tcpdial.h.
 *
 * A connection goes CONNECT (non-blocking connect(), POLLOUT, SO_ERROR),
 * SEND (the upgrade request, built by upgrade.c), HEAD (the answer, read
 * and parsed as it comes with a resumable struct up_parser), then the
 * result is handed over; one timer bounds the whole of it. What is only
 * needed while setting up (the parser, the head) is freed with the
 * dialer: an open connection keeps nothing of it.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "exit.h"
#include "loop.h"
#include "tcpdial.h"
#include "term.h"
#include "transport.h"
#include "upgrade.h"

enum { T_CONNECT, T_SEND, T_HEAD };

#define HEAD_FIRST 1024  /* the head buffer grows from here to
			    UP_MAX_HEAD */

struct tdial {
	struct source src;
	struct timer timer;
	const struct td_target *t;
	const struct dial_params *p;
	dial_done_fn done;
	void *ud;
	int fd;
	int state;
	int refused;              /* connect() failed at once: its errno */
	double t0;
	char key[UP_KEY_LEN + 1];
	char *req;
	size_t req_len, req_off;
	char *buf;
	size_t len, cap;
	struct up_parser hp;
	struct up_head head;
	struct dial_result r;
};

static const char *const own[] = {
	"Host", "Upgrade", "Connection", "Sec-WebSocket-Key",
	"Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
	"Sec-WebSocket-Extensions", "Origin", "Authorization", "User-Agent",
};

static int
proxy_in_env(void)
{
	static const char *const names[] = { "ws_proxy", "WS_PROXY",
		"all_proxy", "ALL_PROXY" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = getenv(names[i]);

		if (v && *v)
			return 1;
	}
	return 0;
}

int
td_usable(const struct dial_params *p)
{
	const struct dial_net *n = p->net;

	if (strncasecmp(p->url, "ws://", 5) || p->deflate || proxy_in_env())
		return 0;
	if (n && (n->proxy || n->unix_socket || n->follow))
		return 0;
	for (size_t i = 0; i < p->nheaders; i++)
		for (size_t j = 0; j < sizeof own / sizeof own[0]; j++) {
			size_t k = strlen(own[j]);

			if (!strncasecmp(p->headers[i], own[j], k) &&
			    p->headers[i][k] == ':')
				return 0;
		}
	return 1;
}

int
td_resolve(const struct dial_params *p, struct td_target *t, char *err,
    size_t cap)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	struct addrinfo hints, *ai = NULL;
	int rc = -1, e;

	memset(t, 0, sizeof *t);
	url_redacted(p->url, t->shown, sizeof t->shown);
	if (u == NULL || curl_url_set(u, CURLUPART_URL, p->url, 0) !=
	    CURLUE_OK || curl_url_get(u, CURLUPART_HOST, &host, 0) !=
	    CURLUE_OK || curl_url_get(u, CURLUPART_PORT, &port,
	    CURLU_DEFAULT_PORT) != CURLUE_OK) {
		snprintf(err, cap, "invalid URL '%s'", t->shown);
		goto out;
	}
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	if (up_host_value(t->host, sizeof t->host, host, atol(port), 80) < 0) {
		snprintf(err, cap, "host name too long in '%s'", t->shown);
		goto out;
	}
	snprintf(t->target, sizeof t->target, "%s%s%s", path && *path ? path :
	    "/", query ? "?" : "", query ? query : "");
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = p->net && p->net->ipresolve == CURL_IPRESOLVE_V4 ?
	    AF_INET : p->net && p->net->ipresolve == CURL_IPRESOLVE_V6 ?
	    AF_INET6 : AF_UNSPEC;
	/* a bracketed IPv6 literal comes without its brackets from curl */
	if ((e = getaddrinfo(host, port, &hints, &ai)) != 0) {
		snprintf(err, cap, "cannot resolve %s: %s", host,
		    gai_strerror(e));
		goto out;
	}
	memcpy(&t->addr, ai->ai_addr, ai->ai_addrlen);
	t->addrlen = ai->ai_addrlen;
	rc = 0;
out:
	if (ai)
		freeaddrinfo(ai);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}

/* ------------------------------------------------------------- ending */

static void
finish(struct tdial *d)
{
	d->r.ms = (now_sec() - d->t0) * 1000;
	loop_timer_stop(&d->timer);
	loop_remove(&d->src);
	d->done(d->ud, &d->r);
}

static void fail(struct tdial *d, int exit, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct tdial *d, int exit, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->r.error, sizeof d->r.error, fmt, ap);
	va_end(ap);
	d->r.exit = exit;
	finish(d);
}

/* ------------------------------------------------------------ request */

static int
build_request(struct tdial *d)
{
	const struct dial_params *p = d->p;
	const struct dial_net *n = p->net;
	struct up_request r;
	uint8_t nonce[16];
	char auth[1024] = "";
	size_t cap = 1024 + strlen(d->t->target);
	long len;

	if (RAND_bytes(nonce, sizeof nonce) != 1)
		return -1;
	up_key(nonce, d->key);
	if (n && n->bearer) {
		snprintf(auth, sizeof auth, "Bearer %s", n->bearer);
	} else if (n && n->user) {
		unsigned char b64[820];

		EVP_EncodeBlock(b64, (const unsigned char *)n->user,
		    (int)strnlen(n->user, 600));
		snprintf(auth, sizeof auth, "Basic %s", b64);
	}
	memset(&r, 0, sizeof r);
	r.host = d->t->host;
	r.target = d->t->target;
	r.key = d->key;
	r.protocols = p->protocols;
	r.nprotocols = p->nprotocols;
	r.origin = p->origin;
	r.authorization = auth[0] ? auth : NULL;
	r.user_agent = "wscli/" WSCLI_VERSION;
	r.extra = p->headers;
	r.nextra = p->nheaders;
	for (size_t i = 0; i < p->nheaders; i++)
		cap += strlen(p->headers[i]) + 2;
	for (size_t i = 0; i < p->nprotocols; i++)
		cap += strlen(p->protocols[i]) + 2;
	cap += p->origin ? strlen(p->origin) : 0;
	d->req = xrealloc(NULL, cap);
	if ((len = up_build_request(d->req, cap, &r)) < 0)
		return -1;
	d->req_len = (size_t)len;
	return 0;
}

/* ---------------------------------------------------------- the steps */

static void
do_connect(struct tdial *d)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err == EINPROGRESS || err == EALREADY)
		return;
	if (err != 0) {
		fail(d, EXIT_CONNECT, "cannot connect to %s: %s", d->t->shown,
		    strerror(err));
		return;
	}
	d->r.connect_ms = (now_sec() - d->t0) * 1000;
	if (build_request(d) != 0) {
		fail(d, EXIT_ERROR, "cannot build the upgrade request");
		return;
	}
	d->state = T_SEND;
}

static void
do_send(struct tdial *d)
{
	while (d->req_off < d->req_len) {
		ssize_t r = send(d->fd, d->req + d->req_off, d->req_len -
		    d->req_off, MSG_NOSIGNAL);

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r < 0) {
			fail(d, EXIT_UPGRADE, "upgrade failed: the server closed "
			    "the connection without an HTTP answer (%s)",
			    strerror(errno));
			return;
		}
		d->req_off += (size_t)r;
	}
	d->state = T_HEAD;
}

static void
answered(struct tdial *d, long head_len)
{
	char why[512];

	d->r.status = d->head.status;
	if (d->head.status != 101) {
		fail(d, EXIT_UPGRADE, "upgrade refused: %d %.*s",
		    d->head.status, (int)d->head.reason_len, d->head.reason);
		return;
	}
	if (up_check_response(&d->head, d->key, d->p->protocols,
	    d->p->nprotocols, why, sizeof why) != 0) {
		fail(d, EXIT_UPGRADE, "upgrade failed: %s", why);
		return;
	}
	if (up_find(&d->head, "Sec-WebSocket-Extensions", NULL)) {
		fail(d, EXIT_UPGRADE, "upgrade failed: the server agreed to "
		    "an extension that was not offered");
		return;
	}
	if (d->len > (size_t)head_len) {
		d->r.nearly = d->len - (size_t)head_len;
		d->r.early = xrealloc(NULL, d->r.nearly);
		memcpy(d->r.early, d->buf + head_len, d->r.nearly);
	}
	if ((d->r.tr = tr_socket_new(d->fd)) == NULL) {
		fail(d, EXIT_ERROR, "out of memory");
		return;
	}
	d->fd = -1;       /* the transport's now */
	d->r.exit = -1;
	finish(d);
}

static void
do_head(struct tdial *d)
{
	for (;;) {
		ssize_t r;
		long rc;

		if (d->len == d->cap) {
			if (d->cap >= UP_MAX_HEAD) {
				fail(d, EXIT_UPGRADE, "upgrade failed: %s",
				    up_strerror(UP_ERR_TOO_LONG));
				return;
			}
			d->cap = d->cap ? d->cap * 4 : HEAD_FIRST;
			if (d->cap > UP_MAX_HEAD)
				d->cap = UP_MAX_HEAD;
			d->buf = xrealloc(d->buf, d->cap);
		}
		r = recv(d->fd, d->buf + d->len, d->cap - d->len, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			fail(d, EXIT_UPGRADE, "upgrade failed: the server closed "
			    "the connection %s%s", d->len ? "in the middle of "
			    "the head" : "without an HTTP answer", r < 0 ?
			    (errno == ECONNRESET ? " (reset by peer)" :
			    " (error)") : "");
			return;
		}
		d->len += (size_t)r;
		rc = up_parse(&d->hp, d->buf, d->len, &d->head);
		if (rc == UP_INCOMPLETE)
			continue;
		if (rc < 0) {
			fail(d, EXIT_UPGRADE, "upgrade failed: %s",
			    up_strerror(rc));
			return;
		}
		answered(d, rc);
		return;
	}
}

/* --------------------------------------------------------- the source */

static int
src_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    int *busy)
{
	struct tdial *d = s->ud;

	if (d->refused)
		*busy = 1;
	pfd[0].fd = d->fd;
	pfd[0].events = d->state == T_HEAD ? POLLIN : POLLOUT;
	return 1;
}

static void
src_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	struct tdial *d = s->ud;

	if (d->refused) {
		fail(d, EXIT_CONNECT, "cannot connect to %s: %s", d->t->shown,
		    strerror(d->refused));
		return;
	}
	if (n < 1 || pfd[0].revents == 0)
		return;
	if (d->state == T_CONNECT)
		do_connect(d);
	if (d->state == T_SEND && !s->removed)
		do_send(d);
	if (d->state == T_HEAD && !s->removed)
		do_head(d);
}

static void
on_time(struct timer *t, double now)
{
	struct tdial *d = t->ud;

	if (d->src.removed)
		return;
	fail(d, EXIT_TIMEOUT, "timed out after %g s connecting to %s%s",
	    d->p->timeout, d->t->shown, d->state == T_CONNECT ? "" :
	    ": no answer to the upgrade request");
}

static void
src_release(struct source *s)
{
	struct tdial *d = s->ud;

	loop_timer_stop(&d->timer);
	if (d->fd >= 0)
		close(d->fd);
	free(d->req);
	free(d->buf);
	dial_result_free(&d->r);
	free(d);
}

struct tdial *
td_start(const struct td_target *t, const struct dial_params *p,
    dial_done_fn done, void *ud)
{
	struct tdial *d;
	int fd, one = 1;

	fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	d = calloc(1, sizeof *d);
	if (d == NULL) {
		close(fd);
		return NULL;
	}
	d->fd = fd;
	d->t = t;
	d->p = p;
	d->done = done;
	d->ud = ud;
	d->t0 = now_sec();
	d->r.exit = -1;
	up_parser_init(&d->hp, 0);
	d->timer.fire = on_time;
	d->timer.ud = d;
	loop_timer_set(&d->timer, d->t0 + p->timeout);
	d->src.prepare = src_prepare;
	d->src.dispatch = src_dispatch;
	d->src.release = src_release;
	d->src.ud = d;
	loop_add(&d->src);
	if (connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) == 0) {
		d->r.connect_ms = (now_sec() - d->t0) * 1000;
		if (build_request(d) != 0) {
			/* done is not called from here: the caller is not
			 * ready for it */
			td_cancel(d);
			return NULL;
		}
		d->state = T_SEND;
	} else if (errno != EINPROGRESS) {
		/* refused at once (loopback): said in the first turn */
		d->refused = errno;
	}
	return d;
}

void
td_cancel(struct tdial *d)
{
	loop_timer_stop(&d->timer);
	loop_remove(&d->src);
}
