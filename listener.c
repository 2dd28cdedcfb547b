/*
 * listener.c - the listening socket, TLS for it, and the server side of the
 * upgrade up to the 101; see listener.h.
 *
 * Each accepted client is a small state machine, a loop source of its own:
 *
 *   HEAD    the TLS handshake (inside the transport's first reads), then
 *           the request head, read until complete, parsed and checked
 *   WAIT    the owner decides (a relay asks the upstream server first);
 *           bytes that follow the head are kept, an end of stream noticed
 *   ANSWER  the answer goes out
 *   LINGER  after a refusal: write side shut, what the client still sends
 *           is read and dropped for a moment, so that closing does not
 *           reset the connection before the client has read the answer
 *
 * One deadline covers each phase (--connect-timeout for the request and
 * for the answer, LINGER_SECS for lingering).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "display.h"
#include "loop.h"
#include "listener.h"
#include "show.h"
#include "term.h"
#include "transport.h"
#include "upgrade.h"
#include "exit.h"
#include "opts.h"

#define BUF_FIRST 4096                      /* a request's first buffer */
#define BUF_MAX (UP_MAX_HEAD + 16 * 1024)   /* head and early frames */
#define LINGER_SECS 1.0
#define ACCEPT_TURN 256                     /* accepts before others' turn */
#define EMFILE_PAUSE 0.1                    /* out of descriptors: wait */

enum { SC_HEAD, SC_WAIT, SC_ANSWER, SC_LINGER };

static struct {
	int fd;                       /* listening socket, -1 when closed */
	struct source src;
	int added;                    /* src is in the loop */
	SSL_CTX *tls;
	const struct srv_hooks *hooks;
	int next_id;
	struct srv_client *clients;   /* in their handshake */
	char bound[96];
	double paused_until;          /* EMFILE */
	struct timer resume;          /* ... at paused_until */
	int emfile_said;              /* the first time is said, */
	int emfile_waiting;           /* ... and when it is over */
} L = { .fd = -1 };

/* ------------------------------------------------------------- origins */

int
srv_origin_allowed(const char *origin, size_t n)
{
	const char *p = srv_opt.origin_allow;

	if (p == NULL || origin == NULL)
		return 1;
	while (*p) {
		size_t k;

		/* "a, b" as well as "a,b": blanks around an item are not
		 * part of it (an origin has none) */
		p += strspn(p, " \t");
		k = strcspn(p, ",");
		while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
			k--;
		/* scheme and host are case-insensitive (RFC 6454) */
		if (k == n && !strncasecmp(p, origin, n))
			return 1;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return 0;
}

/* ---------------------------------------------------------------- TLS */

static int pass_asked;

/* OpenSSL asks for the key's passphrase: --pass, never the terminal. */
static int
pass_cb(char *buf, int size, int rwflag, void *ud)
{
	size_t n;

	pass_asked = 1;
	if (opt.pass == NULL)
		return -1;
	n = strlen(opt.pass);
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, opt.pass, n);
	return (int)n;
}

static const char *
ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	return r ? r : "unknown error";
}

static SSL_CTX *
tls_context(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	const char *key = srv_opt.tls_key ? srv_opt.tls_key : srv_opt.tls_cert;

	if (ctx == NULL) {
		diag("cannot create a TLS context: %s", ssl_reason());
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* a client that drops TCP without close_notify ends its stream, it
	 * does not fail it; renegotiation is not offered */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF |
	    SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_default_passwd_cb(ctx, pass_cb);
	if (SSL_CTX_use_certificate_chain_file(ctx, srv_opt.tls_cert) != 1) {
		diag("cannot use --tls-cert %s: %s (a PEM certificate is "
		    "expected)", srv_opt.tls_cert, ssl_reason());
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		if (strstr(ssl_reason(), "key values mismatch"))
			diag("the private key in %s does not match the "
			    "certificate in %s", key, srv_opt.tls_cert);
		else if (pass_asked && opt.pass == NULL)
			diag("the private key in %s is encrypted: give its "
			    "passphrase with --pass", key);
		else if (pass_asked)
			diag("cannot read the private key in %s with the --pass "
			    "given: %s", key, ssl_reason());
		else
			diag("cannot read a private key from %s: %s%s", key,
			    ssl_reason(), srv_opt.tls_key ? "" : " (give it "
			    "with --tls-key if it is in a file of its own)");
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		diag("the private key in %s does not match the certificate in "
		    "%s", key, srv_opt.tls_cert);
		goto fail;
	}
	if (srv_opt.tls_client_ca) {
		STACK_OF(X509_NAME) *names =
		    SSL_load_client_CA_file(srv_opt.tls_client_ca);

		if (names == NULL || SSL_CTX_load_verify_locations(ctx,
		    srv_opt.tls_client_ca, NULL) != 1) {
			diag("cannot use --tls-client-ca %s: %s (PEM CA "
			    "certificates are expected)", srv_opt.tls_client_ca,
			    ssl_reason());
			sk_X509_NAME_pop_free(names, X509_NAME_free);
			goto fail;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	ERR_clear_error();
	return ctx;
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

/* The TLS version, cipher and client certificate, once known. */
static void
tls_facts(struct srv_client *sc)
{
	SSL *ssl = sc->tr->ssl;
	X509 *cert;

	snprintf(sc->tls, sizeof sc->tls, "%s %s", SSL_get_version(ssl),
	    SSL_get_cipher_name(ssl));
	cert = SSL_get1_peer_certificate(ssl);
	if (cert) {
		BIO *b = BIO_new(BIO_s_mem());
		char *p;
		long n;

		if (b && X509_NAME_print_ex(b, X509_get_subject_name(cert), 0,
		    XN_FLAG_RFC2253) >= 0) {
			n = BIO_get_mem_data(b, &p);
			snprintf(sc->cert, sizeof sc->cert, "%.*s",
			    (int)(n < (long)sizeof sc->cert ? n :
			    (long)sizeof sc->cert - 1), p);
		}
		BIO_free(b);
		X509_free(cert);
	}
}

/* ------------------------------------------------------- one client */

/* The phase ends at t (0: no limit). */
static void
set_deadline(struct srv_client *sc, double t)
{
	sc->deadline = t;
	loop_timer_set(&sc->timer, t);
}

static void
sc_remove(struct srv_client *sc)
{
	loop_timer_stop(&sc->timer);
	if (sc->src.removed)
		return;
	if (sc->prev)
		sc->prev->next = sc->next;
	else
		L.clients = sc->next;
	if (sc->next)
		sc->next->prev = sc->prev;
	loop_remove(&sc->src);
}

/* The end without a 101 (why NULL: after a refusal). */
static void
sc_gone(struct srv_client *sc, const char *why)
{
	sc_remove(sc);
	if (L.hooks->gone)
		L.hooks->gone(sc, why);
}

static void
sc_release(struct source *s)
{
	struct srv_client *sc = s->ud;

	tr_free(sc->tr);
	free(sc->buf);
	free(sc->lists);
	free(sc->out);
	free(sc->gone_why);
	free(sc);
}

/* What a TLS failure usually means, from the client's side. */
static const char *
tls_hint(const char *why)
{
	if (strstr(why, "unknown ca") || strstr(why, "bad certificate") ||
	    strstr(why, "certificate unknown"))
		return " (the client does not trust wscli's certificate: give "
		    "it the CA, or -k to a wscli client)";
	if (strstr(why, "peer did not return a certificate"))
		return " (--tls-client-ca requires a client certificate)";
	if (strstr(why, "certificate verify failed"))
		return " (the client's certificate is not signed by "
		    "--tls-client-ca)";
	if (strstr(why, "wrong version number") ||
	    strstr(why, "unsupported protocol"))
		return " (the client does not speak a TLS version wscli "
		    "accepts: 1.2 or 1.3)";
	return "";
}

/* What a request that does not parse is. */
static void
not_http(struct srv_client *sc, long rc)
{
	const uint8_t *b = (const uint8_t *)sc->buf;

	if (rc == UP_ERR_TOO_LONG || rc == UP_ERR_TOO_MANY) {
		sc->status = 431;
		snprintf(sc->why, sizeof sc->why, rc == UP_ERR_TOO_LONG ?
		    "the request head is larger than %d bytes" : "the request "
		    "has more than %d header lines", rc == UP_ERR_TOO_LONG ?
		    UP_MAX_HEAD : UP_MAX_HEADERS);
	} else if (rc == UP_ERR_VERSION) {
		sc->status = 505;
		snprintf(sc->why, sizeof sc->why, "%s", up_strerror(rc));
	} else if (sc->len > 0 && b[0] == 0x16 && sc->tr->ssl == NULL) {
		sc->status = 400;
		snprintf(sc->why, sizeof sc->why, "the client speaks TLS, but "
		    "this is a ws:// server (wss:// needs --tls-cert and "
		    "--tls-key)");
	} else if (sc->parser.line == 0 && sc->parser.method_len == 0) {
		char esc[128];

		disp_escape_str(esc, sizeof esc, b, sc->len < 16 ? sc->len : 16,
		    DISP_QUOTE);
		sc->status = 400;
		snprintf(sc->why, sizeof sc->why, "not an HTTP request (it "
		    "starts \"%s\")", esc);
	} else {
		/* it starts like HTTP: say which line is wrong, and how */
		char why[400];

		up_parse_why(&sc->parser, sc->buf, sc->len, why, sizeof why);
		sc->status = 400;
		snprintf(sc->why, sizeof sc->why, "invalid request head: %s",
		    why);
	}
}

/* The head is complete (rc > 0) or cannot be (rc < 0). */
static void
got_head(struct srv_client *sc, long rc)
{
	sc->state = SC_WAIT;
	set_deadline(sc, 0);
	if (rc < 0) {
		not_http(sc, rc);
	} else if (sc->plain) {
		sc->head_len = (size_t)rc;
		sc->status = 400;
		snprintf(sc->why, sizeof sc->why, "a plain HTTP request on a TLS "
		    "port (the client should use wss://)");
	} else {
		sc->head_len = (size_t)rc;
		sc->lists = xrealloc(NULL, SRV_LISTS);
		sc->status = up_check_request(&sc->req, &sc->offer, sc->lists,
		    SRV_LISTS, sc->why, sizeof sc->why);
		if (sc->status == 0 && !srv_origin_allowed(sc->offer.origin,
		    sc->offer.origin_len)) {
			char esc[256];

			disp_escape_str(esc, sizeof esc,
			    (const uint8_t *)sc->offer.origin,
			    sc->offer.origin_len, DISP_QUOTE);
			sc->status = 403;
			snprintf(sc->why, sizeof sc->why, "origin \"%s\" is not "
			    "in --origin-allow", esc);
		}
	}
	L.hooks->request(sc);
}

/* A client that speaks plain HTTP to the TLS port gets a plain answer
 * saying so, not a TLS alert it cannot read: TLS starts with a handshake
 * record (22), HTTP with a letter. Returns 0, or -1 with nothing to read
 * yet. */
static int
plain_on_tls(struct srv_client *sc)
{
	uint8_t b;
	ssize_t r;
	int fd = sc->tr->fd;

	sc->peeked = 1;
	r = recv(fd, &b, 1, MSG_PEEK);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		sc->peeked = 0;
		return -1;
	}
	if (r != 1 || b == 22)
		return 0;
	sc->tr->owns_fd = 0;
	tr_free(sc->tr);
	sc->tr = tr_socket_new(fd);
	if (sc->tr == NULL) {
		close(fd);
		diag("out of memory");
		exit(EXIT_ERROR);
	}
	sc->plain = 1;
	return 0;
}

/* Read what there is. Returns 0, or -1 when sc is gone. */
static int
sc_read(struct srv_client *sc)
{
	if (L.tls && !sc->peeked && plain_on_tls(sc) != 0)
		return 0;
	for (;;) {
		ssize_t r;
		long rc;

		if (sc->len == sc->cap) {
			if (sc->cap >= BUF_MAX)
				return 0; /* early frames fill it: enough */
			/* the first when it sends: many clients connected
			 * at once wait with nothing */
			sc->cap = sc->cap == 0 ? BUF_FIRST : sc->cap * 2 >
			    BUF_MAX ? BUF_MAX : sc->cap * 2;
			sc->buf = xrealloc(sc->buf, sc->cap + 1);
		}
		r = tr_recv(sc->tr, sc->buf + sc->len, sc->cap - sc->len);
		if (r == TR_AGAIN)
			return 0;
		if (sc->tls[0] == '\0' && tr_tls_done(sc->tr))
			tls_facts(sc);
		if (r == 0 && sc->state == SC_WAIT) {
			/* half-closed after its request: it may still read
			 * the answer the owner is preparing (a relay asks the
			 * server first), as it would get one at once */
			sc->rd_eof = 1;
			return 0;
		}
		if (r == TR_ERROR || r == 0) {
			char why[384];

			if (r == 0 && sc->state == SC_HEAD && sc->len == 0)
				snprintf(why, sizeof why, "closed the connection "
				    "without sending a request");
			else if (r == 0 && sc->state == SC_HEAD)
				snprintf(why, sizeof why, "closed the connection "
				    "in the middle of its request (%zu bytes)",
				    sc->len);
			else if (r == 0)
				snprintf(why, sizeof why, "closed the connection "
				    "before the answer");
			else
				snprintf(why, sizeof why, "%s%s%s",
				    sc->tr->tls_failed ? "TLS handshake "
				    "failed: " : "connection lost: ",
				    tr_error(sc->tr) + (sc->tr->tls_failed &&
				    !strncmp(tr_error(sc->tr), "TLS: ", 5) ? 5 :
				    0), tls_hint(tr_error(sc->tr)));
			if (sc->tr->tls_failed && r == TR_ERROR) {
				/* let the client read the alert: linger,
				 * then say why */
				sc->gone_why = xstrdup(why);
				shutdown(sc->tr->fd, SHUT_WR);
				sc->state = SC_LINGER;
				set_deadline(sc, now_sec() + LINGER_SECS);
				return -1;
			}
			sc_gone(sc, why);
			return -1;
		}
		sc->len += (size_t)r;
		if (sc->state != SC_HEAD)
			continue;
		/* resumed: a head that arrives a byte at a time costs no more
		 * than one that arrives whole */
		rc = up_parse(&sc->parser, sc->buf, sc->len, &sc->req);
		if (rc != UP_INCOMPLETE) {
			got_head(sc, rc);
			return -1; /* the owner may have answered: look again */
		}
	}
}

static void
sc_send(struct srv_client *sc)
{
	while (sc->out_off < sc->out_len) {
		ssize_t r = tr_send(sc->tr, sc->out + sc->out_off,
		    sc->out_len - sc->out_off);

		if (r == TR_AGAIN)
			return;
		if (r < 0) {
			char why[320];

			snprintf(why, sizeof why, "connection lost while "
			    "sending the answer: %s", tr_error(sc->tr));
			sc_gone(sc, why);
			return;
		}
		sc->out_off += (size_t)r;
	}
	if (sc->upgrade) {
		sc_remove(sc);
		L.hooks->upgraded(sc);
		return;
	}
	/* half-close, then drain: see LINGER above */
	if (sc->tr->ssl)
		SSL_shutdown(sc->tr->ssl);
	shutdown(sc->tr->fd, SHUT_WR);
	sc->state = SC_LINGER;
	set_deadline(sc, now_sec() + LINGER_SECS);
}

static void
sc_linger(struct srv_client *sc)
{
	char junk[16384];

	for (;;) {
		ssize_t r = recv(sc->tr->fd, junk, sizeof junk, 0);

		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r < 0 && errno == EINTR)
			continue;
		sc_gone(sc, sc->gone_why);
		return;
	}
}

static int
sc_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    int *busy)
{
	struct srv_client *sc = s->ud;
	short ev = POLLIN;

	if (sc->state == SC_WAIT && ((sc->len == sc->cap &&
	    sc->cap >= BUF_MAX) || sc->rd_eof))
		return 0; /* full, or nothing more to read: hold it back */
	if (sc->state == SC_ANSWER)
		ev = POLLOUT;
	pfd[0].fd = sc->tr->fd;
	pfd[0].events = sc->state == SC_LINGER ? POLLIN : tr_want(sc->tr, ev);
	if (sc->state != SC_LINGER && sc->state != SC_ANSWER &&
	    tr_pending(sc->tr))
		*busy = 1;
	return 1;
}

static void
sc_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	struct srv_client *sc = s->ud;

	if (sc->state == SC_HEAD || sc->state == SC_WAIT) {
		if ((n > 0 && pfd[0].revents) || tr_pending(sc->tr))
			if (sc_read(sc) != 0)
				return;
	}
	if (s->removed)
		return;
	if (sc->state == SC_ANSWER)
		sc_send(sc);
	else if (sc->state == SC_LINGER && n > 0 && pfd[0].revents)
		sc_linger(sc);
}

/* The phase is over: the lingering ends, or the client took too long. */
static void
sc_timeout(struct timer *t, double now)
{
	struct srv_client *sc = t->ud;

	if (sc->src.removed)
		return;
	if (sc->state == SC_LINGER) {
		sc_gone(sc, sc->gone_why);
	} else {
		char why[128];

		snprintf(why, sizeof why, "%s within %g s (--connect-timeout)",
		    sc->state == SC_HEAD ? (sc->tr->ssl &&
		    !tr_tls_done(sc->tr) ? "no TLS handshake" : sc->len ?
		    "no complete upgrade request" : "no upgrade request") :
		    "the answer could not be sent", opt.connect_timeout);
		sc_gone(sc, why);
	}
}

void
srv_answer(struct srv_client *sc, const char *resp, size_t n, int upgrade)
{
	free(sc->out);
	sc->out = xrealloc(NULL, n ? n : 1);
	memcpy(sc->out, resp, n);
	sc->out_len = n;
	sc->out_off = 0;
	sc->upgrade = upgrade;
	sc->state = SC_ANSWER;
	set_deadline(sc, now_sec() + opt.connect_timeout);
	loop_wake(&sc->src); /* perhaps answered later, from outside */
	/* most answers fit the socket at once: no need to wait a turn */
	sc_send(sc);
}

void
srv_refuse(struct srv_client *sc, int status, const char *why)
{
	char buf[2048];
	long n = up_build_error(buf, sizeof buf, status, why);

	if (n < 0)
		n = up_build_error(buf, sizeof buf, status, NULL);
	srv_answer(sc, buf, n < 0 ? 0 : (size_t)n, 0);
}

const uint8_t *
srv_early(const struct srv_client *sc, size_t *n)
{
	*n = sc->len - sc->head_len;
	return (const uint8_t *)sc->buf + sc->head_len;
}

/* ----------------------------------------------------------- accepting */

static void
format_addr(const struct sockaddr_storage *ss, socklen_t len, char *out,
    size_t cap)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof host,
	    serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, cap, "?");
		return;
	}
	snprintf(out, cap, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	    host, serv);
}

static void
new_client(int fd, const struct sockaddr_storage *ss, socklen_t len)
{
	struct srv_client *sc = calloc(1, sizeof *sc);
	int one = 1;

	if (sc == NULL) {
		close(fd);
		diag("out of memory: a client was turned away");
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	sc->tr = L.tls ? tr_tls_new(fd, L.tls) : tr_socket_new(fd);
	if (sc->tr == NULL) {
		close(fd);
		free(sc);
		diag("out of memory: a client was turned away");
		return;
	}
	sc->id = ++L.next_id;
	format_addr(ss, len, sc->addr, sizeof sc->addr);
	sc->state = SC_HEAD;
	up_parser_init(&sc->parser, 1);
	sc->accepted_at = now_sec();
	set_deadline(sc, sc->accepted_at + opt.connect_timeout);
	sc->src.prepare = sc_prepare;
	sc->src.dispatch = sc_dispatch;
	sc->src.release = sc_release;
	sc->src.ud = sc;
	sc->src.on_demand = 1; /* a burst of clients is many at once */
	sc->timer.fire = sc_timeout;
	sc->timer.ud = sc;
	sc->next = L.clients;
	if (L.clients)
		L.clients->prev = sc;
	L.clients = sc;
	loop_add(&sc->src);
}

/* EMFILE is over (or may be): the next turn polls the socket again. */
static void
resume(struct timer *t, double now)
{
}

static int
ls_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    int *busy)
{
	if (L.fd < 0)
		return 0;
	if (L.paused_until > now)
		return 0; /* L.resume wakes the loop */
	pfd[0].fd = L.fd;
	pfd[0].events = POLLIN;
	return 1;
}

static void
ls_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	if (n < 1 || !(pfd[0].revents & POLLIN))
		return;
	for (int i = 0; i < ACCEPT_TURN && L.fd >= 0; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int fd = accept4(L.fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			if (L.emfile_waiting) {
				L.emfile_waiting = 0;
				info("descriptors are free again: accepting "
				    "clients");
			}
			new_client(fd, &ss, len);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE) {
			/* clients wait in the backlog until a descriptor is
			 * free; say so once, the others go on */
			if (!L.emfile_said && errno == EMFILE)
				diag("cannot accept more clients: all %ld "
				    "descriptors wscli may open are in use "
				    "(ulimit -Hn); the next wait until one is "
				    "free", loop_fd_limit());
			else if (!L.emfile_said)
				diag("cannot accept more clients: the system "
				    "has no descriptor left (fs.file-max); the "
				    "next wait until one is free");
			if (!L.emfile_said)
				L.emfile_waiting = 1;
			L.emfile_said = 1;
			L.paused_until = now + EMFILE_PAUSE;
			loop_timer_set(&L.resume, L.paused_until);
		} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
			diag("accept: %s", strerror(errno));
		}
		return;
	}
}

int
srv_start(const struct srv_hooks *hooks)
{
	char host[256], portstr[16];
	long port;
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int rc, one = 1, err = 0;

	L.hooks = hooks;
	L.resume.fire = resume;
	if (srv_opt.tls_cert && (L.tls = tls_context()) == NULL)
		return -1;
	opts_split_listen(srv_opt.listen, host, sizeof host, &port);
	snprintf(portstr, sizeof portstr, "%ld", port);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : "127.0.0.1", portstr, &hints, &res);
	if (rc != 0) {
		diag("cannot listen on %s: %s", srv_opt.listen,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		L.fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (L.fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(L.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(L.fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(L.fd, SOMAXCONN) == 0)
			break;
		err = errno;
		close(L.fd);
		L.fd = -1;
	}
	freeaddrinfo(res);
	if (L.fd < 0) {
		diag("cannot listen on %s: %s", srv_opt.listen, strerror(err));
		return -1;
	}
	if (getsockname(L.fd, (struct sockaddr *)&ss, &len) == 0)
		format_addr(&ss, len, L.bound, sizeof L.bound);
	L.src.prepare = ls_prepare;
	L.src.dispatch = ls_dispatch;
	loop_add(&L.src);
	L.added = 1;
	/* -l 0: the port is news even under -q */
	show_listening(L.bound, L.tls != NULL, port == 0);
	return 0;
}

const char *
srv_bound(void)
{
	return L.bound;
}

void
srv_stop_accepting(void)
{
	loop_timer_stop(&L.resume);
	if (L.fd >= 0)
		close(L.fd);
	L.fd = -1;
	if (L.added)
		loop_remove(&L.src);
	L.added = 0;
}

void
srv_drop_all(void)
{
	while (L.clients) {
		struct srv_client *sc = L.clients;

		sc_remove(sc);
		if (L.hooks->gone)
			L.hooks->gone(sc, "wscli is ending");
	}
	srv_stop_accepting();
	if (L.tls)
		SSL_CTX_free(L.tls);
	L.tls = NULL;
}
