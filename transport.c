/*
 * transport.c - byte streams over libcurl and plain sockets; see
 * transport.h.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "loop.h"
#include "transport.h"

static struct transport *
tr_alloc(const struct transport_ops *ops, int fd)
{
	struct transport *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->ops = ops;
	t->fd = fd;
	return t;
}

ssize_t
tr_send(struct transport *t, const void *p, size_t n)
{
	long long w0 = tr_wire_out(t);
	ssize_t r = t->ops->send(t, p, n);

	if (r > 0) {
		loop_note_send();
		t->send_plain[0] = t->bytes_out;
		t->bytes_out += (unsigned long long)r;
		t->send_plain[1] = t->bytes_out;
		t->send_wire[0] = w0 > 0 ? (unsigned long long)w0 : 0;
		w0 = tr_wire_out(t);
		t->send_wire[1] = w0 > 0 ? (unsigned long long)w0 : 0;
	}
	return r;
}

ssize_t
tr_recv(struct transport *t, void *p, size_t n)
{
	ssize_t r = t->ops->recv(t, p, n);

	if (r > 0)
		t->bytes_in += (unsigned long long)r;
	else if (r == 0)
		t->eof = 1;
	return r;
}

int
tr_pending(struct transport *t)
{
	return t->ops->pending ? t->ops->pending(t) : 0;
}

short
tr_want(struct transport *t, short events)
{
	return t->ops->want ? t->ops->want(t, events) : events;
}

long long
tr_wire_out(const struct transport *t)
{
	if (t->wire_unknown)
		return -1;
	/* OpenSSL counts what went through the socket BIO */
	if (t->ssl)
		return (long long)BIO_number_written(SSL_get_wbio(t->ssl));
	return (long long)t->bytes_out;
}

long long
tr_wire_pos(const struct transport *t, unsigned long long pos)
{
	unsigned long long plain, wire, x, k, recs, over;

	if (t->wire_unknown)
		return -1;
	if (t->ssl == NULL)
		return (long long)pos;
	if (pos <= t->send_plain[0] || pos > t->send_plain[1])
		return -1;
	/* OpenSSL cut the send into records of at most 16 KiB, each with
	 * the same overhead (header, tag): find the one holding byte pos */
	plain = t->send_plain[1] - t->send_plain[0];
	wire = t->send_wire[1] - t->send_wire[0];
	x = pos - t->send_plain[0];
	recs = (plain + 16383) / 16384;
	k = (x + 16383) / 16384;
	if (k >= recs || wire < plain)
		return (long long)t->send_wire[1];
	over = (wire - plain) / recs;
	return (long long)(t->send_wire[0] + k * 16384 + k * over);
}

long
tr_unacked(const struct transport *t)
{
	int n = 0;

	if (t->fd < 0 || ioctl(t->fd, SIOCOUTQ, &n) != 0 || n < 0)
		return -1;
	return n;
}

const char *
tr_error(const struct transport *t)
{
	return t->error[0] ? t->error : "unknown error";
}

void
tr_free(struct transport *t)
{
	if (t == NULL)
		return;
	t->ops->free(t);
}

/* ------------------------------------------------------------- libcurl */

/* libcurl says "Failure when receiving data from the peer" for every TLS
 * failure; OpenSSL's queue has the reason (an alert from the server). */
static void
curl_error(struct transport *t, CURLcode rc)
{
	unsigned long e = t->ssl ? ERR_peek_last_error() : 0;
	const char *reason = e ? ERR_reason_error_string(e) : NULL;
	const char *r2 = strstr(t->curl_err, "routines::");
	int n = -1;

	if (reason == NULL && r2 && t->ssl) { /* libcurl took the queue */
		reason = r2 + 10;
		n = (int)strcspn(reason, ",");
	}
	if (reason) {
		snprintf(t->error, sizeof t->error, "TLS: %.*s", n, reason);
		t->tls_failed = 1;
	} else {
		/* a reset peer is a generic receive error too */
		snprintf(t->error, sizeof t->error, "%s",
		    errno == ECONNRESET ? "connection reset by peer" :
		    errno == EPIPE ? "connection closed by peer" :
		    errno ? strerror(errno) : curl_easy_strerror(rc));
	}
	ERR_clear_error();
}

/* The SSL of a TLS connection. libcurl gives it out only once the
 * connection is attached to the handle again, which the first send does. */
static void
curl_find_ssl(struct transport *t)
{
	const struct curl_tlssessioninfo *ti = NULL;

	t->ssl_checked = 1;
	if (curl_easy_getinfo(t->curl, CURLINFO_TLS_SSL_PTR, &ti) == CURLE_OK &&
	    ti && ti->backend == CURLSSLBACKEND_OPENSSL && ti->internals)
		t->ssl = ti->internals;
}

static ssize_t
curl_send_(struct transport *t, const void *p, size_t n)
{
	size_t sent = 0;
	CURLcode rc;

	errno = 0;
	t->curl_err[0] = '\0';
	rc = curl_easy_send(t->curl, p, n, &sent);
	if (!t->ssl_checked)
		curl_find_ssl(t);
	if (rc == CURLE_AGAIN)
		return TR_AGAIN;
	if (rc != CURLE_OK) {
		curl_error(t, rc);
		return TR_ERROR;
	}
	return (ssize_t)sent;
}

static ssize_t
curl_recv_(struct transport *t, void *p, size_t n)
{
	size_t got = 0;
	CURLcode rc;

	errno = 0;
	t->curl_err[0] = '\0';
	rc = curl_easy_recv(t->curl, p, n, &got);
	if (rc == CURLE_AGAIN)
		return TR_AGAIN;
	if (rc != CURLE_OK) {
		curl_error(t, rc);
		return TR_ERROR;
	}
	return (ssize_t)got;
}

/* libcurl reads TLS records one at a time (no read-ahead), so decrypted
 * bytes it has not handed out are in OpenSSL: SSL_has_pending() sees them
 * and any record read but not yet processed. Plain connections keep no
 * buffer in libcurl 8.14. */
static int
curl_pending_(struct transport *t)
{
	return t->ssl ? SSL_has_pending(t->ssl) : 0;
}

static void
curl_free_(struct transport *t)
{
	if (t->multi) {
		curl_multi_remove_handle(t->multi, t->curl);
		curl_multi_cleanup(t->multi);
	}
	curl_easy_cleanup(t->curl);
	free(t);
}

static const struct transport_ops curl_ops = {
	.name = "curl",
	.send = curl_send_,
	.recv = curl_recv_,
	.pending = curl_pending_,
	.free = curl_free_,
};

struct transport *
tr_curl_new(CURL *curl, CURLM *multi)
{
	curl_socket_t fd = CURL_SOCKET_BAD;
	struct transport *t;

	if (curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK ||
	    fd == CURL_SOCKET_BAD)
		return NULL;
	t = tr_alloc(&curl_ops, (int)fd);
	if (t == NULL)
		return NULL;
	t->curl = curl;
	t->multi = multi;
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, t->curl_err);
	return t;
}

/* -------------------------------------------------------------- socket */

static ssize_t
sock_send_(struct transport *t, const void *p, size_t n)
{
	for (;;) {
		ssize_t r = send(t->fd, p, n, MSG_NOSIGNAL);

		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return TR_AGAIN;
		snprintf(t->error, sizeof t->error, "%s", strerror(errno));
		return TR_ERROR;
	}
}

static ssize_t
sock_recv_(struct transport *t, void *p, size_t n)
{
	for (;;) {
		ssize_t r = recv(t->fd, p, n, 0);

		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return TR_AGAIN;
		snprintf(t->error, sizeof t->error, "%s", strerror(errno));
		return TR_ERROR;
	}
}

static void
sock_free_(struct transport *t)
{
	if (t->owns_fd && t->fd >= 0)
		close(t->fd);
	free(t);
}

static const struct transport_ops socket_ops = {
	.name = "socket",
	.send = sock_send_,
	.recv = sock_recv_,
	.free = sock_free_,
};

struct transport *
tr_socket_new(int fd)
{
	struct transport *t = tr_alloc(&socket_ops, fd);

	if (t)
		t->owns_fd = 1;
	return t;
}

/* ----------------------------------------------------------------- tls */

enum { TLS_HANDSHAKE = 0, TLS_UP = 1 };

/* What an unsuccessful SSL_* call means: TR_AGAIN (with the event OpenSSL
 * waits for in tls_want), 0 at the peer's close_notify or end of stream,
 * or TR_ERROR with the reason. */
static ssize_t
tls_result(struct transport *t, int r)
{
	int err = SSL_get_error(t->ssl, r);
	unsigned long e;
	const char *reason;

	switch (err) {
	case SSL_ERROR_WANT_READ:
		t->tls_want = POLLIN;
		return TR_AGAIN;
	case SSL_ERROR_WANT_WRITE:
		t->tls_want = POLLOUT;
		return TR_AGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0) {
			if (errno == 0)
				return 0;
			snprintf(t->error, sizeof t->error, "%s",
			    errno == ECONNRESET ? "connection reset by peer" :
			    strerror(errno));
			return TR_ERROR;
		}
		break;
	default:
		break;
	}
	e = ERR_peek_last_error();
	reason = e ? ERR_reason_error_string(e) : NULL;
	snprintf(t->error, sizeof t->error, "TLS: %s", reason ? reason :
	    "unknown error");
	t->tls_failed = 1;
	ERR_clear_error();
	return TR_ERROR;
}

/* 1 once the handshake is complete, else TR_AGAIN or TR_ERROR. */
static ssize_t
tls_handshake(struct transport *t)
{
	ssize_t r;

	if (t->tls_state == TLS_UP)
		return 1;
	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(t->ssl);
	if (r == 1) {
		t->tls_state = TLS_UP;
		t->tls_want = 0;
		return 1;
	}
	r = tls_result(t, (int)r);
	if (r == 0) {
		snprintf(t->error, sizeof t->error, "the peer closed the "
		    "connection during the TLS handshake");
		r = TR_ERROR;
	}
	return r;
}

static ssize_t
tls_send_(struct transport *t, const void *p, size_t n)
{
	ssize_t r = tls_handshake(t);

	if (r != 1)
		return r;
	if (n == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	r = SSL_write(t->ssl, p, n > INT_MAX ? INT_MAX : (int)n);
	if (r > 0) {
		t->tls_want = 0;
		return r;
	}
	r = tls_result(t, (int)r);
	if (r == 0) {
		snprintf(t->error, sizeof t->error, "connection closed by peer");
		r = TR_ERROR;
	}
	return r;
}

static ssize_t
tls_recv_(struct transport *t, void *p, size_t n)
{
	ssize_t r = tls_handshake(t);

	if (r != 1)
		return r;
	ERR_clear_error();
	errno = 0;
	r = SSL_read(t->ssl, p, n > INT_MAX ? INT_MAX : (int)n);
	if (r > 0) {
		t->tls_want = 0;
		return r;
	}
	return tls_result(t, (int)r);
}

static int
tls_pending_(struct transport *t)
{
	return t->tls_state == TLS_UP && SSL_has_pending(t->ssl);
}

/* During the handshake only OpenSSL knows what to wait for; after it, a
 * read may still need to write (a key update) or the reverse. */
static short
tls_want_(struct transport *t, short events)
{
	if (t->tls_state != TLS_UP)
		return t->tls_want ? t->tls_want : POLLIN;
	return (short)(events | t->tls_want);
}

static void
tls_free_(struct transport *t)
{
	if (t->ssl) {
		if (t->tls_state == TLS_UP)
			SSL_shutdown(t->ssl); /* close_notify, if it fits */
		SSL_free(t->ssl);
		ERR_clear_error();
	}
	if (t->owns_fd && t->fd >= 0)
		close(t->fd);
	free(t);
}

static const struct transport_ops tls_ops = {
	.name = "tls",
	.send = tls_send_,
	.recv = tls_recv_,
	.pending = tls_pending_,
	.want = tls_want_,
	.free = tls_free_,
};

struct transport *
tr_tls_new(int fd, void *ssl_ctx)
{
	struct transport *t = tr_alloc(&tls_ops, fd);
	SSL *ssl;

	if (t == NULL)
		return NULL;
	t->owns_fd = 1;
	ssl = SSL_new(ssl_ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		tr_free(t);
		return NULL;
	}
	/* conn.c offers a longer prefix after TR_AGAIN, from a queue that
	 * may have moved */
	SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	    SSL_MODE_ENABLE_PARTIAL_WRITE);
	SSL_set_accept_state(ssl);
	t->ssl = ssl;
	t->tls_state = TLS_HANDSHAKE;
	t->tls_want = POLLIN;
	return t;
}

int
tr_tls_done(const struct transport *t)
{
	return t->ops == &tls_ops && t->tls_state == TLS_UP;
}
