/*
 * connect.c - reaching the server and the HTTP upgrade; see connect.h.
 *
 * A refused upgrade is the question users most often bring to a WebSocket
 * tool ("why did my upgrade fail?"), so its whole answer is shown: the status
 * line, the headers and the start of the body. libcurl stops reading at the
 * end of the headers of a refused upgrade, so the body comes from repeating
 * the request as plain HTTP; the output says so.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "connect.h"
#include "display.h"
#include "repl.h"
#include "session.h"
#include "wscli.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define BODY_SHOWN 512

/*
 * libcurl 8.14 refills its receive buffer for as long as each read fills a
 * whole 64 KiB chunk, with no limit, so a fast sender makes it hold most of
 * a large message (measured: 270 MB for a 256 MiB echo). On a plain TCP
 * connection the kernel doubles SO_RCVBUF, so 30 KiB keeps the window below
 * 64 KiB: no read fills a chunk, every refill ends after one read and
 * libcurl's buffer stays at one chunk.
 *
 * A window that small is below the 64 KiB segments of loopback. A sender
 * never sends a segment the window cannot take whole, so when the window
 * shrinks under load it waits for its 200 ms probe timer instead: measured,
 * 1 in 10 echoes of 20 MB through a slow reader on a busy machine took over
 * 25 s. Announcing 16 KiB segments (TCP_MAXSEG) keeps several segments
 * within the window: 0 stalls in 96 runs of the same test. The smaller
 * segments cost a 256 MiB loopback echo 6% in time and 15% in CPU (medians
 * of 10); real networks have smaller segments anyway.
 *
 * Over TLS each read returns at most one 16 KiB record, so the refill ends
 * by itself (measured: 12.9 MB peak for the same 256 MiB echo over wss) and
 * the window is left to the kernel: a long round trip needs a large one.
 */
#define SOCKET_RCVBUF (30 * 1024)
#define SOCKET_MAXSEG (16 * 1024)

/* What one attempt learns; reset for every response (redirects). */
static struct attempt {
	char key[32];               /* our Sec-WebSocket-Key */
	char status_line[256];
	struct curl_slist *headers; /* "Name: value" */
	char *accept, *protocol, *extensions, *upgrade, *connection;
	char errbuf[CURL_ERROR_SIZE];
	struct conn *c;             /* for the debug callback */
} A;

static void
attempt_reset_headers(void)
{
	curl_slist_free_all(A.headers);
	A.headers = NULL;
	free(A.accept);
	free(A.protocol);
	free(A.extensions);
	free(A.upgrade);
	free(A.connection);
	A.accept = A.protocol = A.extensions = A.upgrade = A.connection = NULL;
}

static char *
trim_dup(const char *p, size_t n)
{
	char *s;

	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	s = malloc(n + 1);
	if (s == NULL) {
		fputs("wscli: out of memory\n", stderr);
		exit(EXIT_ERROR);
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static size_t
on_header(char *b, size_t size, size_t nitems, void *ud)
{
	size_t len = size * nitems;
	const char *colon;
	char *line;
	static const struct {
		const char *name;
		char **dst;
	} want[] = {
		{ "sec-websocket-accept", &A.accept },
		{ "sec-websocket-protocol", &A.protocol },
		{ "sec-websocket-extensions", &A.extensions },
		{ "upgrade", &A.upgrade },
		{ "connection", &A.connection },
	};

	if (len >= 5 && strncmp(b, "HTTP/", 5) == 0) {
		char *s = trim_dup(b, len);

		snprintf(A.status_line, sizeof A.status_line, "%s", s);
		free(s);
		attempt_reset_headers();
		return len;
	}
	colon = memchr(b, ':', len);
	if (colon == NULL)
		return len;
	line = trim_dup(b, len);
	A.headers = curl_slist_append(A.headers, line);
	free(line);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		size_t nl = strlen(want[i].name);

		if ((size_t)(colon - b) == nl && !strncasecmp(b, want[i].name,
		    nl)) {
			free(*want[i].dst);
			*want[i].dst = trim_dup(colon + 1,
			    len - (size_t)(colon + 1 - b));
		}
	}
	return len;
}

/* -v: one line of libcurl's trace, escaped, prefixed like curl -v does. */
static void
verbose_lines(const char *prefix, const char *data, size_t size)
{
	while (size > 0) {
		const char *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) : size;
		char buf[1024];

		if (n > 0 && data[n - 1] == '\r')
			n--;
		if (n > 0 || nl == NULL) {
			disp_escape_str(buf, sizeof buf, (const uint8_t *)data, n, 0);
			term_print_stderr(prefix, buf);
		}
		if (nl == NULL)
			break;
		size -= (size_t)(nl + 1 - data);
		data = nl + 1;
	}
}

/* libcurl says why it refused a frame only in its debug text; -v shows
 * the handshake. */
static int
on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
	static const char *const bad[] = {
		"invalid reserved bits", "invalid opcode", "masked input frame",
		"frame is too big", "no ongoing fragmented message",
		"fragmented message interrupted", "invalid fragmented",
		"frame length longer than",
	};

	if (opt.verbose) {
		if (type == CURLINFO_TEXT)
			verbose_lines("* ", data, size);
		else if (type == CURLINFO_HEADER_OUT)
			verbose_lines("> ", data, size);
		else if (type == CURLINFO_HEADER_IN)
			verbose_lines("< ", data, size);
	}
	if (type != CURLINFO_TEXT || size < 6 || strncmp(data, "[WS] ", 5) ||
	    A.c == NULL)
		return 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (memmem(data, size, bad[i], strlen(bad[i]))) {
			size_t n = size;

			while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
				n--;
			n -= 5;
			if (n >= sizeof A.c->ws_error)
				n = sizeof A.c->ws_error - 1;
			memcpy(A.c->ws_error, data + 5, n);
			A.c->ws_error[n] = '\0';
			break;
		}
	}
	return 0;
}

/* Plain connections only (ud is non-NULL for ws://); see SOCKET_RCVBUF.
 * TCP_MAXSEG fails harmlessly on a Unix socket. */
static int
on_sockopt(void *ud, curl_socket_t fd, curlsocktype purpose)
{
	int n = SOCKET_RCVBUF, mss = SOCKET_MAXSEG;

	if (purpose == CURLSOCKTYPE_IPCXN && ud != NULL) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &n, sizeof n);
		setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss);
	}
	return CURL_SOCKOPT_OK;
}

static void
make_key(void)
{
	unsigned char raw[16];

	if (RAND_bytes(raw, sizeof raw) != 1) {
		fputs("wscli: cannot get random bytes\n", stderr);
		exit(EXIT_ERROR);
	}
	EVP_EncodeBlock((unsigned char *)A.key, raw, sizeof raw);
}

static void
expected_accept(char out[32])
{
	char buf[96];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	snprintf(buf, sizeof buf, "%s%s", A.key, WS_GUID);
	EVP_Digest(buf, strlen(buf), md, &mdlen, EVP_sha1(), NULL);
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
}

/* A comma-separated header value contains token (case-insensitive). */
static int
has_token(const char *v, const char *token)
{
	size_t n = strlen(token);

	while (v && *v) {
		while (*v == ' ' || *v == ',' || *v == '\t')
			v++;
		if (!strncasecmp(v, token, n) &&
		    (v[n] == '\0' || v[n] == ',' || v[n] == ' ' || v[n] == '\t'))
			return 1;
		v = strchr(v, ',');
	}
	return 0;
}

/* The proxy for url: -x, else ws(s)_proxy, http(s)_proxy, all_proxy
 * (lower case first, as curl reads them), or NULL. */
static const char *
proxy_for(const char *url)
{
	int tls = !strncasecmp(url, "wss:", 4);
	const char *names[] = {
		tls ? "wss_proxy" : "ws_proxy", tls ? "WSS_PROXY" : "WS_PROXY",
		tls ? "https_proxy" : "http_proxy", tls ? "HTTPS_PROXY" : NULL,
		"all_proxy", "ALL_PROXY",
	};

	if (opt.proxy)
		return opt.proxy;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = names[i] ? getenv(names[i]) : NULL;

		if (v && *v)
			return v;
	}
	return NULL;
}

/* The request headers we add, for the upgrade and for its repeat. */
static struct curl_slist *
request_headers(int plain_http, int send_auth)
{
	struct curl_slist *h = NULL;
	char line[4096];

	if (plain_http) {
		h = curl_slist_append(h, "Upgrade: websocket");
		h = curl_slist_append(h, "Connection: Upgrade");
		h = curl_slist_append(h, "Sec-WebSocket-Version: 13");
	}
	snprintf(line, sizeof line, "Sec-WebSocket-Key: %s", A.key);
	h = curl_slist_append(h, line);
	if (opt.origin) {
		snprintf(line, sizeof line, "Origin: %s", opt.origin);
		h = curl_slist_append(h, line);
	}
	if (opt.nprotocols > 0) {
		size_t o = (size_t)snprintf(line, sizeof line,
		    "Sec-WebSocket-Protocol: ");

		for (int i = 0; i < opt.nprotocols && o < sizeof line; i++)
			o += (size_t)snprintf(line + o, sizeof line - o, "%s%s",
			    i ? ", " : "", opt.protocols[i]);
		h = curl_slist_append(h, line);
	}
	if (opt.bearer && send_auth) {
		snprintf(line, sizeof line, "Authorization: Bearer %s",
		    opt.bearer);
		h = curl_slist_append(h, line);
	}
	for (struct curl_slist *u = opt.headers; u; u = u->next)
		h = curl_slist_append(h, u->data);
	return h;
}

static CURL *
new_handle(const char *url, struct curl_slist *h, int send_auth)
{
	CURL *c = curl_easy_init();
	const char *proxy = proxy_for(url);

	if (c == NULL) {
		diag("cannot initialise libcurl");
		exit(EXIT_ERROR);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, A.errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, on_sockopt);
	if (strncasecmp(url, "wss:", 4) != 0)
		curl_easy_setopt(c, CURLOPT_SOCKOPTDATA, (void *)url);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "wscli/" WSCLI_VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(opt.connect_timeout * 1000));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    (long)(opt.connect_timeout * 1000));
	curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
	if (opt.insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (opt.cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, opt.cacert);
	if (opt.capath)
		curl_easy_setopt(c, CURLOPT_CAPATH, opt.capath);
	if (opt.cert)
		curl_easy_setopt(c, CURLOPT_SSLCERT, opt.cert);
	if (opt.key)
		curl_easy_setopt(c, CURLOPT_SSLKEY, opt.key);
	if (opt.pass)
		curl_easy_setopt(c, CURLOPT_KEYPASSWD, opt.pass);
	if (opt.user && send_auth) {
		curl_easy_setopt(c, CURLOPT_USERPWD, opt.user);
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	}
	if (proxy) {
		curl_easy_setopt(c, CURLOPT_PROXY, proxy);
		/* ws:// through an HTTP proxy needs CONNECT too */
		curl_easy_setopt(c, CURLOPT_HTTPPROXYTUNNEL, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_PROXY, "");
	}
	if (opt.noproxy)
		curl_easy_setopt(c, CURLOPT_NOPROXY, opt.noproxy);
	if (opt.unix_socket)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, opt.unix_socket);
	if (opt.ipresolve)
		curl_easy_setopt(c, CURLOPT_IPRESOLVE, opt.ipresolve);
	return c;
}

/* ------------------------------------------------ refused upgrades */

struct body {
	char buf[BODY_SHOWN];
	size_t len;
	int more;
};

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct body *b = ud;
	size_t len = size * n, k = sizeof b->buf - b->len;

	if (k > len)
		k = len;
	memcpy(b->buf + b->len, p, k);
	b->len += k;
	if (k < len) {
		b->more = 1;
		return 0; /* enough: stop the transfer */
	}
	return len;
}

/* The same request as plain HTTP(S), for the body libcurl did not read. */
static void
show_body(const char *url, int send_auth)
{
	struct body b = { .len = 0 };
	struct curl_slist *h;
	char *http;
	CURL *c;
	long status = 0;

	http = malloc(strlen(url) + 3); /* "ws" -> "http", and the NUL */
	if (http == NULL)
		return;
	sprintf(http, "http%s", url + 2); /* ws... -> http..., wss -> https */
	h = request_headers(1, send_auth);
	c = new_handle(http, h, send_auth);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, NULL);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, NULL);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (b.len > 0) {
		diag("response body (%s%zu bytes, from the same request "
		    "repeated as plain HTTP, which got %ld):", b.more ?
		    "first " : "", b.len, status);
		while (b.len > 0 && b.buf[b.len - 1] == '\n')
			b.len--;
		verbose_lines("  ", b.buf, b.len);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	free(http);
}

static void
show_refused(const char *url, int send_auth)
{
	diag("upgrade refused: %s", A.status_line[0] ? A.status_line :
	    "(no status line)");
	if (!opt.verbose) { /* -v has shown them already */
		for (struct curl_slist *l = A.headers; l; l = l->next) {
			char buf[1024];

			disp_escape_str(buf, sizeof buf, (const uint8_t *)l->data,
			    strlen(l->data), 0);
			term_print_stderr("  ", buf);
		}
	}
	show_body(url, send_auth);
}

/* ------------------------------------------------------------ the upgrade */

/* RFC 6455 4.1: what the client must check in the server's handshake. */
static int
check_upgrade(void)
{
	char want[32];

	if (A.upgrade == NULL || strcasecmp(A.upgrade, "websocket") != 0) {
		diag("invalid upgrade: Upgrade header is '%s', not 'websocket'",
		    A.upgrade ? A.upgrade : "(missing)");
		return -1;
	}
	if (!has_token(A.connection, "upgrade")) {
		diag("invalid upgrade: Connection header is '%s', not "
		    "'Upgrade'", A.connection ? A.connection : "(missing)");
		return -1;
	}
	expected_accept(want);
	if (A.accept == NULL || strcmp(A.accept, want) != 0) {
		diag("invalid upgrade: Sec-WebSocket-Accept is '%s', expected "
		    "'%s'", A.accept ? A.accept : "(missing)", want);
		return -1;
	}
	if (A.extensions && *A.extensions) {
		diag("invalid upgrade: server selected extension '%s' that "
		    "was not offered", A.extensions);
		return -1;
	}
	if (A.protocol && *A.protocol) {
		int ok = 0;

		for (int i = 0; i < opt.nprotocols; i++)
			ok |= strcmp(opt.protocols[i], A.protocol) == 0;
		if (!ok) {
			diag("invalid upgrade: server selected subprotocol "
			    "'%s' that was not offered", A.protocol);
			return -1;
		}
	}
	return 0;
}

/* What to do about a refused certificate, by curl's (OpenSSL's) reason. */
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

static int
connect_error(CURLcode rc, const char *url)
{
	const char *why = A.errbuf[0] ? A.errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_GOT_NOTHING:
		diag("upgrade failed: the server closed the connection without "
		    "answering");
		return EXIT_UPGRADE;
	case CURLE_WEIRD_SERVER_REPLY:
		diag("upgrade failed: %s", why);
		return EXIT_UPGRADE;
	case CURLE_OPERATION_TIMEDOUT:
		diag("timed out after %g s connecting to %s: %s",
		    opt.connect_timeout, url, why);
		return EXIT_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
		diag("cannot connect to %s: the server's certificate was "
		    "refused: %s%s", url, why, cert_hint(why));
		return EXIT_CONNECT;
	default:
		/* a server that wants a client certificate often just drops
		 * the connection when it gets none */
		diag("cannot connect to %s: %s%s", url, why, !strncasecmp(url,
		    "wss:", 4) && !opt.cert && (rc == CURLE_SEND_ERROR ||
		    rc == CURLE_RECV_ERROR || rc == CURLE_SSL_CONNECT_ERROR) ?
		    " (if the server requires a client certificate: --cert)" :
		    "");
		return EXIT_CONNECT;
	}
}

static char *
host_of(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *copy = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		copy = strdup(host);
		curl_free(host);
	}
	curl_url_cleanup(u);
	return copy;
}

/* The Location header of the last response resolved against base (it may
 * be relative), or NULL. libcurl leaves CURLINFO_REDIRECT_URL empty when it
 * refuses an upgrade, so this is ours to do. */
static char *
location(const char *base)
{
	CURLU *u;
	char *out = NULL, *abs = NULL;
	const char *loc = NULL;

	for (struct curl_slist *l = A.headers; l; l = l->next)
		if (!strncasecmp(l->data, "Location:", 9))
			loc = l->data + 9;
	if (loc == NULL)
		return NULL;
	while (*loc == ' ' || *loc == '\t')
		loc++;
	u = curl_url();
	if (curl_url_set(u, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK && curl_url_set(u, CURLUPART_URL, loc,
	    CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK) {
		out = strdup(abs);
		curl_free(abs);
	} else {
		out = strdup(loc); /* shown as it is in the error */
	}
	curl_url_cleanup(u);
	return out;
}

/* A redirect target as a ws:// or wss:// URL, or NULL. */
static char *
ws_target(const char *loc)
{
	char *s;

	if (!strncasecmp(loc, "http://", 7) || !strncasecmp(loc, "https://", 8)) {
		s = strdup(loc + 2); /* "tp://" or "tps://" */
		if (s)
			memcpy(s, "ws", 2);
		return s;
	}
	if (!strncasecmp(loc, "ws://", 5) || !strncasecmp(loc, "wss://", 6))
		return strdup(loc);
	return NULL;
}

int
conn_open(struct conn *c)
{
	char *url = strdup(opt.url), *first_host = host_of(opt.url);
	double t0 = now_sec();
	long hops = 0;
	int send_auth = 1;

	memset(c, 0, sizeof *c);
	c->fd = CURL_SOCKET_BAD;
	A.c = c;
	for (;;) {
		struct curl_slist *h;
		CURLcode rc;
		long status = 0;
		char *next, *loc, *host;

		make_key();
		A.status_line[0] = '\0';
		A.errbuf[0] = '\0';
		attempt_reset_headers();
		h = request_headers(0, send_auth);
		c->curl = new_handle(url, h, send_auth);
		curl_easy_setopt(c->curl, CURLOPT_CONNECT_ONLY, 2L);
		curl_easy_setopt(c->curl, CURLOPT_WS_OPTIONS,
		    (long)(CURLWS_RAW_MODE | CURLWS_NOAUTOPONG));
		rc = curl_easy_perform(c->curl);
		curl_slist_free_all(h);
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
		if (rc == CURLE_OK && status == 101)
			break;
		if ((rc != CURLE_OK && rc != CURLE_HTTP_RETURNED_ERROR) ||
		    status == 0) {
			int ex = connect_error(rc, url);

			free(url);
			free(first_host);
			return ex;
		}
		if (status < 300 || status >= 400 || !opt.location) {
			show_refused(url, send_auth);
			if (status >= 300 && status < 400 && !opt.location)
				diag("the server redirects; use -L to follow");
			free(url);
			free(first_host);
			return EXIT_UPGRADE;
		}
		loc = location(url);
		next = loc ? ws_target(loc) : NULL;
		if (next == NULL) {
			diag("upgrade refused: %s, and the redirect target '%s' "
			    "is not a ws, wss, http or https URL", A.status_line,
			    loc ? loc : "(no Location header)");
			free(loc);
			free(url);
			free(first_host);
			return EXIT_UPGRADE;
		}
		free(loc);
		if (++hops > opt.max_redirs) {
			diag("too many redirects (more than %ld); last to %s",
			    opt.max_redirs, next);
			free(next);
			free(url);
			free(first_host);
			return EXIT_UPGRADE;
		}
		info("redirected (%ld) to %s", status, next);
		host = host_of(next);
		if (send_auth && (opt.user || opt.bearer) && (host == NULL ||
		    first_host == NULL || strcasecmp(host, first_host) != 0)) {
			info("not sending credentials to %s: a different host",
			    host ? host : next);
			send_auth = 0;
		}
		free(host);
		curl_easy_cleanup(c->curl);
		c->curl = NULL;
		free(url);
		url = next;
	}
	free(first_host);
	c->url = url;
	c->status = 101;
	if (check_upgrade() != 0)
		return EXIT_UPGRADE;
	if (curl_easy_getinfo(c->curl, CURLINFO_ACTIVESOCKET, &c->fd) !=
	    CURLE_OK || c->fd == CURL_SOCKET_BAD) {
		diag("cannot get the connection's socket from libcurl");
		return EXIT_ERROR;
	}
	c->ms = (now_sec() - t0) * 1000;
	if (A.protocol && *A.protocol)
		c->protocol = strdup(A.protocol);
	c->headers = A.headers;
	A.headers = NULL;
	return -1;
}

static void
verbose_details(struct conn *c)
{
	struct curl_certinfo *ci = NULL;
	curl_off_t dns = 0, tcp = 0, tls = 0, first = 0;
	char buf[512];

	if (curl_easy_getinfo(c->curl, CURLINFO_CERTINFO, &ci) == CURLE_OK &&
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
	curl_easy_getinfo(c->curl, CURLINFO_NAMELOOKUP_TIME_T, &dns);
	curl_easy_getinfo(c->curl, CURLINFO_CONNECT_TIME_T, &tcp);
	curl_easy_getinfo(c->curl, CURLINFO_APPCONNECT_TIME_T, &tls);
	curl_easy_getinfo(c->curl, CURLINFO_STARTTRANSFER_TIME_T, &first);
	snprintf(buf, sizeof buf, "timings: DNS %.3f ms, TCP %.3f ms, TLS "
	    "%.3f ms, upgrade %.3f ms (from the start of the last request)",
	    dns / 1000.0, (tcp - dns) / 1000.0, tls ? (tls - tcp) / 1000.0 : 0,
	    (first - (tls ? tls : tcp)) / 1000.0);
	term_print_stderr("* ", buf);
}

void
conn_summary(struct conn *c)
{
	char buf[768];
	size_t o, dummy;
	const struct curl_tlssessioninfo *ti = NULL;

	o = (size_t)snprintf(buf, sizeof buf, "connected to %s (%ld", c->url,
	    c->status);
	if (c->protocol)
		o += (size_t)snprintf(buf + o, sizeof buf - o,
		    ", subprotocol %s", c->protocol);
	else if (opt.nprotocols > 0)
		o += (size_t)snprintf(buf + o, sizeof buf - o,
		    ", no subprotocol selected");
	/* the TLS session is reachable once the connection is attached to
	 * the handle, which a zero-length send does */
	curl_ws_send(c->curl, "", 0, &dummy, 0, 0);
	if (curl_easy_getinfo(c->curl, CURLINFO_TLS_SSL_PTR, &ti) == CURLE_OK &&
	    ti && ti->backend == CURLSSLBACKEND_OPENSSL && ti->internals) {
		SSL *ssl = ti->internals;

		o += (size_t)snprintf(buf + o, sizeof buf - o, ", %s %s",
		    SSL_get_version(ssl), SSL_get_cipher_name(ssl));
	}
	if (o < sizeof buf)
		snprintf(buf + o, sizeof buf - o, ", %.1f ms)", c->ms);
	if (opt.verbose)
		verbose_details(c);
	if (opt.interactive)
		repl_show_info(buf);
	else
		info("%s", buf);
}

void
conn_close(struct conn *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
	free(c->url);
	free(c->protocol);
	curl_slist_free_all(c->headers);
	attempt_reset_headers();
	memset(c, 0, sizeof *c);
}
