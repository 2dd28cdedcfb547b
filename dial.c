/*
 * dial.c - the dialer: libcurl connects, wscli upgrades; see dial.h.
 *
 * One dial is a small state machine driven by the loop:
 *
 *   CONNECT  libcurl's multi interface resolves, connects, tunnels through
 *            a proxy and does TLS (CURLOPT_CONNECT_ONLY = 1)
 *   SEND     our upgrade request goes out through curl_easy_send()
 *   HEAD     the answer is read until its head is complete; the bytes
 *            after it are the first frames (or the body of a refusal)
 *   BODY     a refusal's body, up to BODY_KEEP bytes, until its length,
 *            the end of the connection or BODY_WAIT seconds
 *
 * A redirect starts again at CONNECT with the new URL.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "dial.h"
#include "deflate.h"
#include "display.h"
#include "loop.h"
#include "term.h"
#include "transport.h"
#include "upgrade.h"
#include "exit.h"

#define HEAD_BUF (UP_MAX_HEAD + 16 * 1024)
#define BODY_KEEP 4096  /* bytes of a refusal's body kept */
#define BODY_WAIT 1.0   /* seconds to wait for the rest of the body */
#define REQ_MAX (64 * 1024)

enum dial_state { D_CONNECT, D_SEND, D_HEAD, D_BODY };

struct dial {
	struct dial_params p;
	struct dial_net net;      /* *p.net, or none */
	dial_done_fn done;
	void *ud;
	struct source src;
	struct timer timer;       /* at deadline, then at body_until */
	struct timer curl_timer;  /* libcurl's own, while connecting */
	enum dial_state state;
	double t0, deadline, attempt_t0, sent_at, body_until;
	long hops;
	int send_auth;            /* credentials still go (same origin) */
	int cert_requested;       /* the TLS server asked for a client
				     certificate (this attempt) */
	char *url;                /* this attempt's */
	char *first_origin;       /* scheme://host:port of the first URL */
	CURL *curl;
	CURLM *multi;
	struct transport *tr;
	char errbuf[CURL_ERROR_SIZE];
	char key[UP_KEY_LEN + 1];
	char *req;                /* the request */
	size_t req_len, req_off;
	char *hbuf;               /* the answer so far */
	size_t hlen;
	long head_len;            /* > 0 once the head is complete */
	struct up_parser hp;      /* its parse, resumed on each read */
	struct up_head head;
	long content_length;      /* of a refusal; -1 unknown */
	struct dial_result r;
	int cancelled;
};

static void dial_attempt(struct dial *d);

/* ------------------------------------------------------------- helpers */

char *
url_redacted(const char *url, char *out, size_t cap)
{
	const char *s = strstr(url, "://"), *at, *colon, *end;

	snprintf(out, cap, "%s", url);
	if (s == NULL)
		return out;
	s += 3;
	end = s + strcspn(s, "/?#");
	at = memchr(s, '@', (size_t)(end - s));
	if (at == NULL)
		return out;
	colon = memchr(s, ':', (size_t)(at - s));
	if (colon == NULL)
		return out;
	snprintf(out, cap, "%.*s:***%s", (int)(colon - url), url, at);
	return out;
}

/* scheme://host:port of a URL, lower case, default ports filled in. */
static char *
origin_of(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		size_t n;

		if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
		    CURLUE_OK)
			port = NULL;
		/* ws and http reach the same port; so do wss and https */
		n = strlen(scheme) + strlen(host) + 32;
		out = xrealloc(NULL, n);
		snprintf(out, n, "%s://%s:%s", !strcasecmp(scheme, "wss") ||
		    !strcasecmp(scheme, "https") ? "wss" : "ws", host,
		    port ? port : "");
		for (char *c = out; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

/* -v: one line of a trace, escaped. */
static void
trace_lines(const char *label, const char *prefix, const char *data,
    size_t size)
{
	while (size > 0) {
		const char *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) : size;
		char buf[2048], line[2100];

		if (n > 0 && data[n - 1] == '\r')
			n--;
		if (n > 0 || nl == NULL) {
			disp_escape_str(buf, sizeof buf, (const uint8_t *)data,
			    n, 0);
			snprintf(line, sizeof line, "%s%s", label, buf);
			term_print_stderr(prefix, line);
		}
		if (nl == NULL)
			break;
		size -= (size_t)(nl + 1 - data);
		data = nl + 1;
	}
}

static int
on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
	struct dial *d = ud;

	if (!d->p.verbose)
		return 0;
	/* libcurl's own HTTP here is a proxy's CONNECT */
	if (type == CURLINFO_TEXT)
		trace_lines(d->p.label, "* ", data, size);
	else if (type == CURLINFO_HEADER_OUT)
		trace_lines(d->p.label, "> ", data, size);
	else if (type == CURLINFO_HEADER_IN)
		trace_lines(d->p.label, "< ", data, size);
	return 0;
}

/* The proxy for url: -x, else ws(s)_proxy, http(s)_proxy, all_proxy
 * (lower case first, as curl reads them), or NULL. */
static const char *
proxy_for(const struct dial *d, const char *url)
{
	int tls = !strncasecmp(url, "wss:", 4);
	const char *names[] = {
		tls ? "wss_proxy" : "ws_proxy", tls ? "WSS_PROXY" : "WS_PROXY",
		tls ? "https_proxy" : "http_proxy", tls ? "HTTPS_PROXY" : NULL,
		"all_proxy", "ALL_PROXY",
	};

	if (d->net.proxy)
		return d->net.proxy;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = names[i] ? getenv(names[i]) : NULL;

		if (v && *v)
			return v;
	}
	return NULL;
}

/* OpenSSL shows every handshake message: note a CertificateRequest, so
 * that a server ending the connection afterwards can be explained. */
static void
on_tls_msg(int write_p, int version, int content_type, const void *buf,
    size_t len, SSL *ssl, void *arg)
{
	struct dial *d = arg;

	if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
	    ((const unsigned char *)buf)[0] == SSL3_MT_CERTIFICATE_REQUEST)
		d->cert_requested = 1;
}

static CURLcode
on_ssl_ctx(CURL *c, void *ctx, void *ud)
{
	SSL_CTX_set_msg_callback(ctx, on_tls_msg);
	SSL_CTX_set_msg_callback_arg(ctx, ud);
	return CURLE_OK;
}

static CURL *
new_handle(struct dial *d, const char *url)
{
	CURL *c = curl_easy_init();
	const char *proxy = proxy_for(d, url);

	if (c == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, d);
	curl_easy_setopt(c, CURLOPT_VERBOSE, d->p.verbose ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, d->errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "wscli/" WSCLI_VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(d->p.timeout * 1000));
	curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
	curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, d);
	if (d->net.insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (d->net.cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, d->net.cacert);
	if (d->net.capath)
		curl_easy_setopt(c, CURLOPT_CAPATH, d->net.capath);
	if (d->net.cert)
		curl_easy_setopt(c, CURLOPT_SSLCERT, d->net.cert);
	if (d->net.key)
		curl_easy_setopt(c, CURLOPT_SSLKEY, d->net.key);
	if (d->net.pass)
		curl_easy_setopt(c, CURLOPT_KEYPASSWD, d->net.pass);
	if (proxy) {
		curl_easy_setopt(c, CURLOPT_PROXY, proxy);
		/* without a tunnel, ws:// would go to an HTTP proxy as a
		 * plain request */
		curl_easy_setopt(c, CURLOPT_HTTPPROXYTUNNEL, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_PROXY, "");
	}
	if (d->net.noproxy)
		curl_easy_setopt(c, CURLOPT_NOPROXY, d->net.noproxy);
	if (d->net.unix_socket)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, d->net.unix_socket);
	if (d->net.ipresolve)
		curl_easy_setopt(c, CURLOPT_IPRESOLVE, d->net.ipresolve);
	return c;
}

/* ------------------------------------------------------------ finishing */

static void
fail(struct dial *d, int exit, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
finish(struct dial *d)
{
	d->r.ms = (now_sec() - d->t0) * 1000;
	if (d->r.url == NULL)
		d->r.url = xstrdup(d->url);
	loop_remove(&d->src);
	if (!d->cancelled)
		d->done(d->ud, &d->r);
}

static void
fail(struct dial *d, int exit, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->r.error, sizeof d->r.error, fmt, ap);
	va_end(ap);
	d->r.exit = exit;
	if (!d->p.quiet && (!d->p.quiet_refusal || exit != EXIT_UPGRADE))
		diag("%s%s", d->p.label, d->r.error);
	finish(d);
}

/* What to do about a refused certificate, by OpenSSL's reason. */
static const char *
cert_hint(const char *why)
{
	if (strstr(why, "issuer") || strstr(why, "self-signed") ||
	    strstr(why, "self signed"))
		return " (use --cacert to trust its CA, or -k to skip the check)";
	if (strstr(why, "subject name") || strstr(why, "does not match"))
		return " (the certificate is for another host name; -k skips "
		    "the check)";
	if (strstr(why, "expired"))
		return " (the certificate has expired; -k skips the check)";
	return " (-k skips the check)";
}

/* Did the server (not a proxy) drop the connection in the middle of the
 * TLS handshake? libcurl words it as a failed send or receive. */
static int
tls_cut(const struct dial *d, CURLcode rc, const char *why)
{
	if (strncasecmp(d->url, "wss:", 4) || proxy_for(d, d->url) ||
	    (rc != CURLE_SEND_ERROR && rc != CURLE_RECV_ERROR &&
	    rc != CURLE_SSL_CONNECT_ERROR))
		return 0;
	return strstr(why, "Broken pipe") || strstr(why, "reset by peer") ||
	    strstr(why, "unexpected eof") || strstr(why, "SSL_ERROR_SYSCALL");
}

static void
connect_failed(struct dial *d, CURLcode rc)
{
	const char *why = d->errbuf[0] ? d->errbuf : curl_easy_strerror(rc);
	char u[1024];

	url_redacted(d->url, u, sizeof u);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		fail(d, EXIT_TIMEOUT, "timed out after %g s connecting to %s: "
		    "%s", d->p.timeout, u, why);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		fail(d, EXIT_CONNECT, "cannot connect to %s: the server's "
		    "certificate was refused: %s%s", u, why, cert_hint(why));
		break;
	default:
		if (d->cert_requested && d->net.cert)
			fail(d, EXIT_CONNECT, "cannot connect to %s: the server "
			    "asked for a client certificate and ended the TLS "
			    "handshake: %s (it did not accept %s)", u, why,
			    d->net.cert);
		else if (d->cert_requested)
			fail(d, EXIT_CONNECT, "cannot connect to %s: the server "
			    "asked for a client certificate and ended the TLS "
			    "handshake: %s (it requires one: --cert)", u, why);
		else if (tls_cut(d, rc, why))
			fail(d, EXIT_CONNECT, "cannot connect to %s: the server "
			    "closed the connection during the TLS handshake "
			    "(%s)", u, why);
		else
			fail(d, EXIT_CONNECT, "cannot connect to %s: %s%s", u,
			    why, strstr(why, "wrong version number") ? " (the "
			    "server does not speak TLS there: a ws:// server?)" :
			    "");
		break;
	}
}

/* ------------------------------------------------------------- request */

static const char *const own_headers[] = {
	"Host", "Upgrade", "Connection", "Sec-WebSocket-Key",
	"Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
	"Sec-WebSocket-Extensions", "Origin", "Authorization", "User-Agent",
};

/* The -H line naming header name, or NULL. */
static const char *
user_header(const struct dial *d, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < d->p.nheaders; i++)
		if (!strncasecmp(d->p.headers[i], name, n) &&
		    d->p.headers[i][n] == ':')
			return d->p.headers[i];
	return NULL;
}

/* Value of a -H line: after the colon and white space. */
static const char *
header_value(const char *line)
{
	const char *v = strchr(line, ':') + 1;

	while (*v == ' ' || *v == '\t')
		v++;
	return v;
}

/* Ours unless -H names it (then theirs; empty: left out). */
static const char *
pick(const struct dial *d, const char *name, const char *ours)
{
	const char *u = user_header(d, name);

	if (u == NULL)
		return ours;
	return *header_value(u) ? header_value(u) : NULL;
}

static int
build_request(struct dial *d)
{
	CURLU *u = curl_url();
	char *host = NULL, *path = NULL, *query = NULL, *port = NULL;
	char *user = NULL, *password = NULL;
	char hostv[512], target[8192], auth[1024], ext[512];
	const char *extra[256], *v;
	size_t nextra = 0;
	struct up_request r = { 0 };
	uint8_t nonce[16];
	long n, defport = strncasecmp(d->url, "wss:", 4) ? 80 : 443;
	int ok = 0;

	if (curl_url_set(u, CURLUPART_URL, d->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		port = NULL;
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE);
	curl_url_get(u, CURLUPART_PASSWORD, &password, CURLU_URLDECODE);
	if (up_host_value(hostv, sizeof hostv, host, port ? atol(port) :
	    defport, defport) < 0)
		goto out;
	if (d->p.target && d->hops == 0)
		snprintf(target, sizeof target, "%s", d->p.target);
	else
		snprintf(target, sizeof target, "%s%s%s", path && *path ? path :
		    "/", query ? "?" : "", query ? query : "");

	if (RAND_bytes(nonce, sizeof nonce) != 1)
		goto out;
	up_key(nonce, d->key);
	/* a -H key is the one the answer is checked against */
	v = pick(d, "Sec-WebSocket-Key", d->key);
	if (v != d->key)
		snprintf(d->key, sizeof d->key, "%s", v ? v : "");

	auth[0] = '\0';
	if (d->send_auth && d->net.bearer) {
		snprintf(auth, sizeof auth, "Bearer %s", d->net.bearer);
	} else if (d->send_auth && (d->net.user || (user && password))) {
		char cred[600];
		unsigned char b64[820];

		snprintf(cred, sizeof cred, "%s", d->net.user ? d->net.user : "");
		if (!d->net.user)
			snprintf(cred, sizeof cred, "%s:%s", user, password);
		EVP_EncodeBlock(b64, (const unsigned char *)cred,
		    (int)strlen(cred));
		snprintf(auth, sizeof auth, "Basic %s", b64);
	}
	ext[0] = '\0';
	if (d->p.deflate && pmd_format(ext, sizeof ext, d->p.deflate) < 0)
		goto out;

	r.host = pick(d, "Host", hostv);
	r.target = target;
	r.key = d->key[0] ? d->key : NULL;
	r.version = pick(d, "Sec-WebSocket-Version", "13");
	r.protocols = d->p.protocols;
	r.nprotocols = d->p.nprotocols;
	r.extensions = pick(d, "Sec-WebSocket-Extensions", ext[0] ? ext :
	    NULL);
	r.origin = pick(d, "Origin", d->p.origin);
	r.authorization = d->send_auth ? pick(d, "Authorization",
	    auth[0] ? auth : NULL) : NULL;
	r.user_agent = pick(d, "User-Agent", "wscli/" WSCLI_VERSION);
	for (size_t i = 0; i < d->p.nheaders && nextra < 256; i++) {
		int own = 0;

		for (size_t j = 0; j < sizeof own_headers /
		    sizeof own_headers[0]; j++) {
			size_t k = strlen(own_headers[j]);

			own |= !strncasecmp(d->p.headers[i], own_headers[j], k) &&
			    d->p.headers[i][k] == ':';
		}
		if (!d->send_auth && !strncasecmp(d->p.headers[i], "Cookie:", 7))
			own = 1; /* a credential too */
		if (!own)
			extra[nextra++] = d->p.headers[i];
	}
	r.extra = extra;
	r.nextra = nextra;
	free(d->req);
	d->req = xrealloc(NULL, REQ_MAX);
	n = up_build_request(d->req, REQ_MAX, &r);
	if (n < 0)
		goto out;
	if (user_header(d, "Upgrade") || user_header(d, "Connection")) {
		/* up_build_request always writes these two; a server's
		 * reaction to other values is worth seeing, so the user's
		 * lines take their place */
		char *tmp = xrealloc(NULL, REQ_MAX);
		size_t o = 0;
		char *line = d->req, *end = d->req + n;

		while (line < end) {
			char *nl = memchr(line, '\n', (size_t)(end - line));
			size_t len = nl ? (size_t)(nl + 1 - line) :
			    (size_t)(end - line);
			const char *mine = NULL;

			if (!strncasecmp(line, "Upgrade:", 8))
				mine = user_header(d, "Upgrade");
			else if (!strncasecmp(line, "Connection:", 11))
				mine = user_header(d, "Connection");
			if (mine == NULL) {
				memcpy(tmp + o, line, len);
				o += len;
			} else if (*header_value(mine)) {
				o += (size_t)snprintf(tmp + o, REQ_MAX - o,
				    "%s\r\n", mine);
			}
			line += len;
		}
		free(d->req);
		d->req = tmp;
		n = (long)o;
	}
	if (d->p.method || d->p.http10) {
		/* another method or version, for seeing a server refuse it:
		 * the request line is rebuilt around the same target */
		char *tmp = xrealloc(NULL, REQ_MAX), *eol = strstr(d->req,
		    "\r\n");
		int k = snprintf(tmp, REQ_MAX, "%s %s HTTP/1.%d%s",
		    d->p.method ? d->p.method : "GET", target,
		    d->p.http10 ? 0 : 1, eol ? eol : "\r\n");

		if (k < 0 || k >= REQ_MAX) {
			free(tmp);
			goto out;
		}
		free(d->req);
		d->req = tmp;
		n = k;
	}
	d->req_len = (size_t)n;
	d->req_off = 0;
	ok = 1;
out:
	curl_free(host);
	curl_free(path);
	curl_free(query);
	curl_free(port);
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(u);
	return ok ? 0 : -1;
}

/* ------------------------------------------------------------ the answer */

/* A Content-Length we can trust, or -1. */
static long
content_length(const struct up_head *h)
{
	const struct up_header *cl = up_find(h, "Content-Length", NULL);
	long v = 0;

	if (cl == NULL || cl->value_len == 0 || cl->value_len > 12)
		return -1;
	for (size_t i = 0; i < cl->value_len; i++) {
		if (cl->value[i] < '0' || cl->value[i] > '9')
			return -1;
		v = v * 10 + (cl->value[i] - '0');
	}
	return v;
}

static void
print_head(struct dial *d)
{
	for (size_t i = 0; i < d->head.nheaders; i++) {
		const struct up_header *h = &d->head.headers[i];
		char line[4096], esc[4200];

		snprintf(line, sizeof line, "%.*s: %.*s", (int)h->name_len,
		    h->name, (int)h->value_len, h->value);
		disp_escape_str(esc, sizeof esc, (const uint8_t *)line,
		    strlen(line), 0);
		term_print_stderr("  ", esc);
	}
}

static void
status_line(const struct dial *d, char *out, size_t cap)
{
	snprintf(out, cap, "HTTP/1.%d %d %.*s", d->head.minor_version,
	    d->head.status, (int)d->head.reason_len, d->head.reason);
}

/* Keep the head and its parse in the result (the parse points into it). */
static void
keep_head(struct dial *d)
{
	d->r.head = xrealloc(NULL, (size_t)d->head_len + 1);
	memcpy(d->r.head, d->hbuf, (size_t)d->head_len);
	d->r.head[d->head_len] = '\0';
	/* re-parse in the copy so the slices point there */
	up_parse_response(d->r.head, (size_t)d->head_len, &d->r.resp);
	d->r.status = d->head.status;
}

static void
refused(struct dial *d)
{
	char sl[256];

	status_line(d, sl, sizeof sl);
	keep_head(d);
	d->r.exit = EXIT_UPGRADE;
	snprintf(d->r.error, sizeof d->r.error, "upgrade refused: %s", sl);
	if (!d->p.quiet_refusal && !d->p.quiet) {
		diag("%supgrade refused: %s", d->p.label, sl);
		if (!d->p.verbose) /* -v has shown them already */
			print_head(d);
		if (d->r.body_len > 0) {
			size_t n = d->r.body_len;

			diag("%sresponse body (%s%zu bytes):", d->p.label,
			    d->r.body_more ? "first " : "", n);
			while (n > 0 && d->r.body[n - 1] == '\n')
				n--;
			trace_lines("", "  ", d->r.body, n);
		}
		if (d->head.status >= 300 && d->head.status < 400 &&
		    !d->net.follow)
			diag("%sthe server redirects; use -L to follow",
			    d->p.label);
	}
	finish(d);
}

/* The Location of a redirect resolved against the request URL, as a ws://
 * or wss:// URL; NULL with *loc the raw value when it is none of those. */
static char *
redirect_target(struct dial *d, char **loc)
{
	const struct up_header *h = up_find(&d->head, "Location", NULL);
	CURLU *u;
	char *abs = NULL, *out = NULL;

	*loc = NULL;
	if (h == NULL)
		return NULL;
	*loc = xstrndup(h->value, h->value_len);
	u = curl_url();
	if (curl_url_set(u, CURLUPART_URL, d->url, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK && curl_url_set(u, CURLUPART_URL, *loc,
	    CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK) {
		free(*loc);
		*loc = xstrdup(abs);
		curl_free(abs);
	}
	curl_url_cleanup(u);
	if (!strncasecmp(*loc, "http://", 7) || !strncasecmp(*loc, "https://",
	    8)) {
		out = xstrdup(*loc + 2); /* "tp://" or "tps://" */
		memcpy(out, "ws", 2);
	} else if (!strncasecmp(*loc, "ws://", 5) ||
	    !strncasecmp(*loc, "wss://", 6)) {
		out = xstrdup(*loc);
	}
	return out;
}

static void
close_attempt(struct dial *d)
{
	if (d->tr) {
		tr_free(d->tr); /* frees curl and multi */
	} else {
		if (d->multi && d->curl)
			curl_multi_remove_handle(d->multi, d->curl);
		if (d->curl)
			curl_easy_cleanup(d->curl);
		if (d->multi)
			curl_multi_cleanup(d->multi);
	}
	d->tr = NULL;
	d->curl = NULL;
	d->multi = NULL;
}

/* Credentials of any kind go with this request: -u, --bearer, a user
 * and password in the URL, an Authorization or Cookie header given with
 * -H (curl drops those two on redirects to another origin as well). */
static int
has_credentials(const struct dial *d)
{
	char u[1024];

	return d->net.user || d->net.bearer || user_header(d, "Authorization") ||
	    user_header(d, "Cookie") ||
	    strcmp(url_redacted(d->url, u, sizeof u), d->url) != 0;
}

static void
redirect(struct dial *d)
{
	char *loc, *next = redirect_target(d, &loc), *origin, sl[256];
	char u[1024];

	status_line(d, sl, sizeof sl);
	if (next == NULL) {
		keep_head(d);
		fail(d, EXIT_UPGRADE, "upgrade refused: %s, and the redirect "
		    "target '%s' is not a ws, wss, http or https URL", sl,
		    loc ? loc : "(no Location header)");
		free(loc);
		return;
	}
	free(loc);
	if (++d->hops > d->net.max_redirs) {
		keep_head(d);
		fail(d, EXIT_UPGRADE, "too many redirects (more than %ld); "
		    "last to %s", d->net.max_redirs, url_redacted(next, u,
		    sizeof u));
		free(next);
		return;
	}
	info("%sredirected (%d) to %s", d->p.label, d->head.status,
	    url_redacted(next, u, sizeof u));
	/* credentials go to the origin they were given for only: scheme,
	 * host and port (as curl does since 7.83) */
	origin = origin_of(next);
	if (d->send_auth && has_credentials(d) && (origin == NULL ||
	    d->first_origin == NULL || strcmp(origin, d->first_origin))) {
		info("%snot sending credentials to %s: not the origin they "
		    "were given for (%s)", d->p.label, origin ? origin : u,
		    d->first_origin ? d->first_origin : "?");
		d->send_auth = 0;
	}
	free(origin);
	close_attempt(d);
	free(d->url);
	d->url = next;
	dial_attempt(d);
}

/* Is this the start of something that is not HTTP? Say what it looks
 * like: the most common mistake is ws:// to a TLS port. */
static void
not_http(struct dial *d, const char *what)
{
	char hex[64] = "";
	size_t n = d->hlen < 8 ? d->hlen : 8, o = 0;
	const uint8_t *b = (const uint8_t *)d->hbuf;

	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(hex + o, sizeof hex - o, "%s%02x",
		    i ? " " : "", b[i]);
	fail(d, EXIT_UPGRADE, "upgrade failed: the server's answer is not "
	    "HTTP (%s; it starts with %s)%s", what, hex,
	    d->hlen > 0 && (b[0] == 0x15 || b[0] == 0x16) &&
	    !strncasecmp(d->url, "ws:", 3) ? ": that is TLS; is it a wss:// "
	    "server?" : "");
}

static void
check_head(struct dial *d)
{
	char why[512];
	struct pmd_params none = { 0 };
	const char *const *protos = d->p.protocols;
	size_t nprotos = d->p.nprotocols;
	char extv[4096];

	if (d->p.verbose)
		trace_lines(d->p.label, "< ", d->hbuf, (size_t)d->head_len);
	if (d->head.status == 101) {
		if (up_check_response(&d->head, d->key, protos, nprotos, why,
		    sizeof why) != 0) {
			keep_head(d);
			fail(d, EXIT_UPGRADE, "invalid upgrade: %s", why);
			return;
		}
		up_get(&d->head, "Sec-WebSocket-Extensions", extv, sizeof extv);
		if (extv[0] && d->p.deflate == NULL) {
			keep_head(d);
			fail(d, EXIT_UPGRADE, "invalid upgrade: server selected "
			    "extension '%s' that was not offered", extv);
			return;
		}
		if (d->p.deflate) {
			int rc = pmd_client_check(extv, strlen(extv),
			    d->p.deflate ? d->p.deflate : &none, &d->r.agreed,
			    why, sizeof why);

			if (rc < 0) {
				keep_head(d);
				fail(d, EXIT_UPGRADE, "invalid upgrade: %s",
				    why);
				return;
			}
			if (rc == 1) {
				d->r.pmd = pmd_new(&d->r.agreed, 1);
				if (d->r.pmd == NULL) {
					fail(d, EXIT_ERROR, "out of memory");
					return;
				}
			}
		}
		if (extv[0])
			d->r.extensions = xstrdup(extv);
		{
			const struct up_header *p = up_find(&d->head,
			    "Sec-WebSocket-Protocol", NULL);

			if (p && p->value_len)
				d->r.protocol = xstrndup(p->value,
				    p->value_len);
		}
		keep_head(d);
		d->r.exit = -1;
		/* the handle outlives the dial: its callbacks must not */
		if (d->tr->ssl)
			SSL_set_msg_callback(d->tr->ssl, NULL);
		curl_easy_setopt(d->tr->curl, CURLOPT_VERBOSE, 0L);
		curl_easy_setopt(d->tr->curl, CURLOPT_DEBUGFUNCTION, NULL);
		curl_easy_setopt(d->tr->curl, CURLOPT_DEBUGDATA, NULL);
		d->r.tr = d->tr;
		d->tr = NULL;
		d->r.nearly = d->hlen - (size_t)d->head_len;
		if (d->r.nearly) {
			d->r.early = xrealloc(NULL, d->r.nearly);
			memcpy(d->r.early, d->hbuf + d->head_len, d->r.nearly);
		}
		d->r.url = xstrdup(d->url);
		finish(d);
		return;
	}
	if (d->head.status >= 300 && d->head.status < 400 && d->net.follow) {
		redirect(d);
		return;
	}
	/* a refusal: read its body before telling */
	d->content_length = content_length(&d->head);
	d->state = D_BODY;
	d->body_until = now_sec() + BODY_WAIT;
	loop_timer_set(&d->timer, d->body_until);
	d->r.body = xrealloc(NULL, BODY_KEEP);
	d->r.body_len = 0;
	{
		size_t have = d->hlen - (size_t)d->head_len;

		if (have > BODY_KEEP) {
			have = BODY_KEEP;
			d->r.body_more = 1;
		}
		memcpy(d->r.body, d->hbuf + d->head_len, have);
		d->r.body_len = have;
	}
	if (d->content_length >= 0 &&
	    (long)d->r.body_len >= d->content_length) {
		d->r.body_len = (size_t)d->content_length;
		refused(d);
	}
}

/* ------------------------------------------------------------- phases */

static void
start_send(struct dial *d)
{
	double now = now_sec();

	d->r.connect_ms += (now - d->attempt_t0) * 1000;
	d->tr = tr_curl_new(d->curl, d->multi);
	if (d->tr == NULL) {
		fail(d, EXIT_ERROR, "cannot get the connection's socket from "
		    "libcurl");
		return;
	}
	d->curl = NULL;
	d->multi = NULL;
	/* through a TLS proxy the socket's bytes are not the stream's */
	{
		const char *px = proxy_for(d, d->url);

		d->tr->wire_unknown = px && !strncasecmp(px, "https:", 6);
	}
	if (build_request(d) != 0) {
		char u[1024];

		fail(d, EXIT_USAGE, "cannot build the upgrade request for %s "
		    "(a header too long?)", url_redacted(d->url, u, sizeof u));
		return;
	}
	if (d->p.verbose)
		trace_lines(d->p.label, "> ", d->req, d->req_len);
	free(d->r.request);
	d->r.request = xstrndup(d->req, d->req_len);
	d->state = D_SEND;
	d->hlen = 0;
	d->head_len = 0;
	up_parser_init(&d->hp, 0);
}

/*
 * The server ended the connection before a byte of an answer (how: the
 * transport's error, or "end of stream"). Over TLS, after it asked for a
 * client certificate, that is its verdict on the certificate: a TLS 1.3
 * server checks it only after the client's side of the handshake is done,
 * so libcurl saw a working connection. Otherwise the server is not
 * speaking HTTP to us: a TLS server closes just like this when a plain
 * request reaches it, and so does a server (socket.io's engine, for one)
 * that drops an upgrade for a path it does not serve.
 */
static void
ended_unanswered(struct dial *d, const char *how)
{
	char u[1024], h[300] = "";

	url_redacted(d->url, u, sizeof u);
	if (how)
		snprintf(h, sizeof h, " (%s)", how);
	if (d->tr->ssl && d->cert_requested && !d->net.cert)
		fail(d, EXIT_CONNECT, "cannot connect to %s: the server asked "
		    "for a client certificate, then ended the TLS connection "
		    "without answering%s: it requires one (--cert)", u, h);
	else if (d->tr->ssl && d->cert_requested)
		fail(d, EXIT_CONNECT, "cannot connect to %s: the server asked "
		    "for a client certificate, then ended the TLS connection "
		    "without answering%s: it did not accept %s", u, h,
		    d->net.cert);
	else if (d->tr->ssl && d->tr->tls_failed)
		fail(d, EXIT_CONNECT, "cannot connect to %s: the server ended "
		    "the TLS connection without answering%s", u, h);
	else {
		/* wscli cannot tell which it was: both are said */
		const char *host = strstr(d->url, "://"), *path;

		path = host ? host + 3 + strcspn(host + 3, "/?") : "";
		fail(d, EXIT_UPGRADE, "upgrade failed: the server closed the "
		    "connection without an HTTP answer%s; a server does that "
		    "to an upgrade for a path it does not serve (%.*s)%s", h,
		    (int)(strcspn(path, "?") < 200 ? strcspn(path, "?") : 200),
		    *path == '/' ? path : "/",
		    d->tr->ssl || strncasecmp(d->url, "ws:", 3) ? "" :
		    ", and a TLS server to a plain request: if this port "
		    "serves TLS, use wss://");
	}
}

static void
do_send(struct dial *d)
{
	while (d->req_off < d->req_len) {
		ssize_t r = tr_send(d->tr, d->req + d->req_off,
		    d->req_len - d->req_off);

		if (r == TR_AGAIN)
			return;
		if (r < 0) {
			ended_unanswered(d, tr_error(d->tr));
			return;
		}
		d->req_off += (size_t)r;
	}
	d->sent_at = now_sec();
	d->state = D_HEAD;
}

static void
do_head(struct dial *d)
{
	for (;;) {
		ssize_t r;
		long rc;

		if (d->hlen == HEAD_BUF) {
			fail(d, EXIT_UPGRADE, "upgrade failed: %s",
			    up_strerror(UP_ERR_TOO_LONG));
			return;
		}
		r = tr_recv(d->tr, d->hbuf + d->hlen, HEAD_BUF - d->hlen);
		if (r == TR_AGAIN)
			return;
		if (r <= 0 && d->hlen == 0) {
			ended_unanswered(d, r < 0 ? tr_error(d->tr) : NULL);
			return;
		}
		if (r <= 0) {
			not_http(d, "the connection ended in the middle of the "
			    "head");
			return;
		}
		d->hlen += (size_t)r;
		rc = up_parse(&d->hp, d->hbuf, d->hlen, &d->head);
		if (rc == UP_INCOMPLETE)
			continue;
		if (rc < 0) {
			char why[400];

			if (rc == UP_ERR_SYNTAX && d->hp.line > 0) {
				/* the status line was fine: name the line */
				up_parse_why(&d->hp, d->hbuf, d->hlen, why,
				    sizeof why);
				fail(d, EXIT_UPGRADE, "upgrade failed: invalid "
				    "response head: %s", why);
			} else if (rc == UP_ERR_SYNTAX || rc == UP_ERR_VERSION)
				not_http(d, up_strerror(rc));
			else
				fail(d, EXIT_UPGRADE, "upgrade failed: %s",
				    up_strerror(rc));
			return;
		}
		d->head_len = rc;
		check_head(d);
		return;
	}
}

static void
do_body(struct dial *d)
{
	char buf[16384];

	for (;;) {
		ssize_t r = tr_recv(d->tr, buf, sizeof buf);

		if (r == TR_AGAIN) {
			if (now_sec() >= d->body_until)
				refused(d);
			return;
		}
		if (r <= 0) {
			refused(d);
			return;
		}
		if (d->r.body_len < BODY_KEEP) {
			size_t k = BODY_KEEP - d->r.body_len;

			if ((size_t)r < k)
				k = (size_t)r;
			else if ((size_t)r > k)
				d->r.body_more = 1;
			memcpy(d->r.body + d->r.body_len, buf, k);
			d->r.body_len += k;
		} else {
			d->r.body_more = 1;
		}
		if (d->content_length >= 0 &&
		    (long)d->r.body_len >= d->content_length) {
			d->r.body_len = (size_t)d->content_length;
			d->r.body_more = 0;
			refused(d);
			return;
		}
		if (d->r.body_len >= BODY_KEEP) {
			refused(d);
			return;
		}
	}
}

/* ---------------------------------------------------------- the source */

static int
src_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    int *busy)
{
	struct dial *d = s->ud;
	int n = 0;

	if (d->state == D_CONNECT) {
		struct curl_waitfd w[16];
		unsigned cnt = 0;
		long ms = -1;

		curl_multi_timeout(d->multi, &ms);
		/* libcurl's wish changes as it goes: asked each turn */
		loop_timer_set(&d->curl_timer, ms > 0 ? now + ms / 1000.0 : 0);
		if (ms == 0)
			*busy = 1;
		if (curl_multi_waitfds(d->multi, w, 16, &cnt) != CURLM_OK)
			cnt = 0;
		for (unsigned i = 0; i < cnt && n < max; i++, n++) {
			pfd[n].fd = w[i].fd;
			pfd[n].events = (short)((w[i].events & CURL_WAIT_POLLIN ?
			    POLLIN : 0) | (w[i].events & CURL_WAIT_POLLOUT ?
			    POLLOUT : 0) | (w[i].events & CURL_WAIT_POLLPRI ?
			    POLLPRI : 0));
		}
		if (cnt == 0)
			*busy = 1; /* nothing to wait on: let curl run */
		return n;
	}
	pfd[0].fd = d->tr->fd;
	pfd[0].events = tr_want(d->tr, d->state == D_SEND ? POLLOUT : POLLIN);
	if (d->state != D_SEND && tr_pending(d->tr))
		*busy = 1;
	return 1;
}

static void
src_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	struct dial *d = s->ud;

	if (d->state == D_CONNECT) {
		int running = 0, left = 0;
		CURLMsg *m;

		curl_multi_perform(d->multi, &running);
		while ((m = curl_multi_info_read(d->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			if (m->data.result != CURLE_OK) {
				connect_failed(d, m->data.result);
				return;
			}
			start_send(d);
			if (d->state != D_SEND)
				return;
			break;
		}
	}
	if (d->state == D_SEND)
		do_send(d);
	if (d->state == D_HEAD && !s->removed)
		do_head(d);
	if (d->state == D_BODY && !s->removed)
		do_body(d);
}

/* The dial's time is up (--connect-timeout), or a refusal's body has
 * been waited for long enough. */
static void
on_time(struct timer *t, double now)
{
	struct dial *d = t->ud;
	char u[1024];

	if (d->src.removed)
		return;
	if (d->state == D_BODY) {
		do_body(d);
		return;
	}
	if (d->state == D_CONNECT) {
		connect_failed(d, CURLE_OPERATION_TIMEDOUT);
		return;
	}
	fail(d, EXIT_TIMEOUT, "timed out after %g s connecting to %s%s",
	    d->p.timeout, url_redacted(d->url, u, sizeof u),
	    d->state == D_HEAD ? ": no answer to the upgrade request" : "");
}

/* libcurl wanted to run by now: the turn's dispatch runs it. */
static void
on_curl_time(struct timer *t, double now)
{
}

static void
src_release(struct source *s)
{
	struct dial *d = s->ud;

	loop_timer_stop(&d->timer);
	loop_timer_stop(&d->curl_timer);
	close_attempt(d);
	free(d->url);
	free(d->first_origin);
	free(d->req);
	free(d->hbuf);
	dial_result_free(&d->r);
	free(d);
}

/* ------------------------------------------------------------- attempts */

static void
dial_attempt(struct dial *d)
{
	d->state = D_CONNECT;
	d->cert_requested = 0;
	d->errbuf[0] = '\0';
	d->attempt_t0 = now_sec();
	d->curl = new_handle(d, d->url);
	d->multi = curl_multi_init();
	if (d->curl == NULL || d->multi == NULL ||
	    curl_multi_add_handle(d->multi, d->curl) != CURLM_OK) {
		fail(d, EXIT_ERROR, "cannot initialise libcurl");
		return;
	}
}

struct dial *
dial_start(const struct dial_params *p, dial_done_fn done, void *ud)
{
	struct dial *d = calloc(1, sizeof *d);

	if (d == NULL)
		return NULL;
	d->p = *p;
	if (p->net)
		d->net = *p->net;
	d->p.net = &d->net;
	d->r.offered_protocols = p->nprotocols > 0;
	d->r.offered_deflate = p->deflate != NULL;
	if (d->p.label == NULL)
		d->p.label = "";
	d->done = done;
	d->ud = ud;
	d->t0 = now_sec();
	d->deadline = d->t0 + p->timeout;
	d->timer.fire = on_time;
	d->timer.ud = d;
	d->curl_timer.fire = on_curl_time;
	loop_timer_set(&d->timer, d->deadline);
	d->send_auth = 1;
	d->url = xstrdup(p->url);
	d->first_origin = origin_of(p->url);
	d->hbuf = xrealloc(NULL, HEAD_BUF);
	d->r.exit = -1;
	d->src.prepare = src_prepare;
	d->src.dispatch = src_dispatch;
	d->src.release = src_release;
	d->src.ud = d;
	loop_add(&d->src);
	dial_attempt(d);
	return d;
}

void
dial_cancel(struct dial *d)
{
	d->cancelled = 1;
	loop_timer_stop(&d->timer);
	loop_timer_stop(&d->curl_timer);
	loop_remove(&d->src);
}

void
dial_result_free(struct dial_result *r)
{
	tr_free(r->tr);
	if (r->pmd)
		pmd_free(r->pmd);
	free(r->url);
	free(r->protocol);
	free(r->extensions);
	free(r->head);
	free(r->early);
	free(r->body);
	free(r->request);
	memset(r, 0, sizeof *r);
	r->exit = -1;
}

/* ------------------------------------------------------------- summary */

void
dial_summary(const struct dial_result *r, char *buf, size_t cap)
{
	char u[1024];
	size_t o;
	SSL *ssl = r->tr ? r->tr->ssl : NULL;

	o = (size_t)snprintf(buf, cap, "connected to %s (%ld",
	    url_redacted(r->url, u, sizeof u), r->status);
	if (r->protocol && o < cap)
		o += (size_t)snprintf(buf + o, cap - o, ", subprotocol %s",
		    r->protocol);
	else if (r->offered_protocols && o < cap)
		o += (size_t)snprintf(buf + o, cap - o,
		    ", no subprotocol selected");
	if (r->pmd && o < cap) {
		char desc[256];

		o += (size_t)snprintf(buf + o, cap - o, ", permessage-deflate: "
		    "%s", pmd_describe(&r->agreed, desc, sizeof desc));
	} else if (r->offered_deflate && o < cap) {
		o += (size_t)snprintf(buf + o, cap - o,
		    ", permessage-deflate declined");
	}
	if (ssl && o < cap)
		o += (size_t)snprintf(buf + o, cap - o, ", %s %s",
		    SSL_get_version(ssl), SSL_get_cipher_name(ssl));
	if (o < cap)
		snprintf(buf + o, cap - o, ", %.1f ms)", r->ms);
}

void
dial_verbose_details(const struct dial_result *r)
{
	struct curl_certinfo *ci = NULL;
	curl_off_t dns = 0, tcp = 0, tls = 0;
	char buf[512];
	CURL *c = r->tr ? r->tr->curl : NULL;

	if (c == NULL)
		return;
	if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) == CURLE_OK &&
	    ci && ci->num_of_certs > 0) {
		for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next) {
			if (!strncmp(l->data, "Subject:", 8) ||
			    !strncmp(l->data, "Issuer:", 7) ||
			    !strncmp(l->data, "Expire date:", 12) ||
			    !strncmp(l->data, "Start date:", 11)) {
				disp_escape_str(buf, sizeof buf,
				    (const uint8_t *)l->data, strlen(l->data), 0);
				term_print_stderr("* certificate ", buf);
			}
		}
	}
	curl_easy_getinfo(c, CURLINFO_NAMELOOKUP_TIME_T, &dns);
	curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &tcp);
	curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &tls);
	snprintf(buf, sizeof buf, "timings: DNS %.3f ms, TCP %.3f ms, TLS "
	    "%.3f ms, upgrade %.3f ms (the last attempt; %.1f ms in all)",
	    dns / 1000.0, (tcp - dns) / 1000.0, tls ? (tls - tcp) / 1000.0 : 0,
	    r->ms - r->connect_ms > 0 ? r->ms - r->connect_ms : 0, r->ms);
	term_print_stderr("* ", buf);
}
