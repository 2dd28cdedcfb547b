/*
 * transport.c - byte streams over libcurl and plain sockets; see
 * transport.h.
 */
#include <errno.h>
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
