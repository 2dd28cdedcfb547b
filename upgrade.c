/*
 * upgrade.c - the HTTP/1.1 upgrade of RFC 6455 section 4, for both roles;
 * the contract is in upgrade.h.
 *
 * The parser is one left-to-right scan over the caller's buffer, in the
 * manner of picohttpparser, written as a state machine (one state per kind
 * of byte expected next) whose state the caller keeps in a struct
 * up_parser: a call goes on from the byte where the previous one stopped,
 * so each byte is looked at once however the head arrives (picohttpparser's
 * last_len only spares the search for the end). Positions are kept as
 * offsets, and the head's slices made once it is complete, so the buffer
 * may move between calls. Every decision is made from bytes already looked
 * at, and the scan stops at the first error, so parsing a prefix can only
 * give UP_INCOMPLETE or the error the whole buffer gives: how the bytes
 * arrived cannot change the outcome. Nothing past the head's final LF is
 * looked at, and nothing past UP_MAX_HEAD bytes: a head that would need
 * more is UP_ERR_TOO_LONG however many bytes are there.
 *
 * Folded values are tracked as slices that span the fold; the CR and LF of
 * the fold are turned into spaces in a second pass, only once the head is
 * complete, so that a partial head is never modified and parsing the
 * modified buffer again gives the same head.
 *
 * SHA-1 and base64 come from OpenSSL's libcrypto. The checks write why they
 * fail as text quoting the offending value, with control bytes replaced so
 * that a hostile peer cannot put escape sequences into a log or terminal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "upgrade.h"

/* RFC 6455 1.3 */
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

#define NOPOS ((size_t)-1)
#define QUOTE_MAX 64  /* bytes of a value quoted in an error text */

/* ---------------------------------------------------------- characters */

/* RFC 7230 3.2.6 tchar: what header names and methods are made of. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Control characters other than tab: never part of a line's text. */
static int
is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* ASCII case-insensitive comparison; strncasecmp would follow the locale. */
static int
ieq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* ------------------------------------------------------------ scanning */

/* Where the scan is: one state per kind of byte expected next. */
enum {
	P_METHOD,      /* request line: the method */
	P_TARGET,      /* ... the target */
	P_VERSION,     /* "HTTP/d.d", p->k bytes of it seen */
	P_REQ_EOL,     /* request line: its end */
	P_STATUS_SP,   /* status line: the space after the version */
	P_STATUS,      /* ... the code, p->k digits seen */
	P_STATUS_END,  /* ... a space before the reason, or the end */
	P_REASON,      /* ... the reason phrase */
	P_CR,          /* a CR: its LF, then state p->after */
	P_LINE,        /* the start of a header line or of the blank line */
	P_NAME,        /* a header name */
	P_VALUE,       /* a header value, folds included */
	P_DONE,        /* the head is complete or wrong: p->result */
};

/* What was wrong, for up_parse_why(). */
enum {
	E_NONE,
	E_METHOD,      /* the method: not a token, or no space after it */
	E_TARGET,      /* the target: empty, or a control byte in it */
	E_VERSION,     /* not "HTTP/" DIGIT "." DIGIT */
	E_AFTER_VERSION, /* request line: more after the version */
	E_STATUS,      /* not a status code 100..999 */
	E_REASON,      /* a control byte in the reason phrase */
	E_CR,          /* a CR not followed by LF */
	E_FOLD_FIRST,  /* white space before the first header line */
	E_NAME_EMPTY,  /* a header line starting with ':' */
	E_NAME_WS,     /* white space in a header name or before its colon */
	E_NAME_BYTE,   /* a byte in a header name that is not a tchar */
	E_NO_COLON,    /* a header line without a colon */
	E_VALUE_CTL,   /* a control byte in a header value */
};

void
up_parser_init(struct up_parser *p, int request)
{
	memset(p, 0, sizeof(*p));
	p->request = request;
	p->state = request ? P_METHOD : P_VERSION;
}

static long
bad(struct up_parser *p, int err, long result)
{
	p->err = err;
	p->result = result;
	p->state = P_DONE;
	return result;
}

/* At a CR or LF that ends a line: then go on in state next. */
static void
eol(struct up_parser *p, unsigned char c, int next)
{
	p->line++;
	p->line_start = p->pos + 1;
	if (c == '\n') {
		p->bare_lf = 1;
		p->state = next;
	} else {
		p->state = P_CR;
		p->after = next;
	}
}

/* The value of the last header, now that no fold can follow. */
static void
end_value(struct up_parser *p)
{
	struct up_field *f = &p->f[p->nheaders - 1];

	if (p->vs == NOPOS) {
		f->value = (uint32_t)p->after_colon;
		f->value_len = 0;
	} else {
		f->value = (uint32_t)p->vs;
		f->value_len = (uint32_t)(p->ve - p->vs);
	}
}

/*
 * Look at buf[p->pos..lim) once each, in order, carrying the state from
 * the previous call. Returns 0 when the bytes ran out (p->state is not
 * P_DONE), else p->result.
 */
static long
scan(struct up_parser *p, const char *buf, size_t lim)
{
	static const char version[] = "HTTP/1.1"; /* digits at 5 and 7 */
	unsigned char c;

	for (; p->pos < lim && p->state != P_DONE; p->pos++) {
		c = (unsigned char)buf[p->pos];
		switch (p->state) {
		case P_METHOD:
			if (is_tchar(c))
				break;
			if (c != ' ' || p->pos == 0)
				return bad(p, E_METHOD, UP_ERR_SYNTAX);
			p->method_len = p->pos;
			p->target = p->pos + 1;
			p->state = P_TARGET;
			break;
		case P_TARGET:
			/* any visible byte, obs-text included: the target
			 * is not the parser's to interpret, only to
			 * delimit */
			if (c > ' ' && c != 0x7f)
				break;
			if (c != ' ' || p->pos == p->target)
				return bad(p, E_TARGET, UP_ERR_SYNTAX);
			p->target_len = p->pos - p->target;
			p->state = P_VERSION;
			break;
		case P_VERSION:
			if (p->k == 5 || p->k == 7) {
				if (c < '0' || c > '9')
					return bad(p, E_VERSION, UP_ERR_SYNTAX);
				if (p->k == 5)
					p->major = c - '0';
				else
					p->minor = c - '0';
			} else if (c != (unsigned char)version[p->k]) {
				return bad(p, E_VERSION, UP_ERR_SYNTAX);
			}
			if (++p->k < 8)
				break;
			if (p->major != 1 || p->minor > 1)
				return bad(p, E_VERSION, UP_ERR_VERSION);
			p->state = p->request ? P_REQ_EOL : P_STATUS_SP;
			p->k = 0;
			break;
		case P_REQ_EOL:
			if (c != '\r' && c != '\n')
				return bad(p, E_AFTER_VERSION, UP_ERR_SYNTAX);
			eol(p, c, P_LINE);
			break;
		case P_STATUS_SP:
			if (c != ' ')
				return bad(p, E_STATUS, UP_ERR_SYNTAX);
			p->state = P_STATUS;
			break;
		case P_STATUS:
			/* status is 100..999 */
			if (c < '0' || c > '9' || (p->k == 0 && c == '0'))
				return bad(p, E_STATUS, UP_ERR_SYNTAX);
			p->status = p->status * 10 + (c - '0');
			if (++p->k == 3)
				p->state = P_STATUS_END;
			break;
		case P_STATUS_END:
			/* the space before an empty reason is often left
			 * out; that is taken too */
			if (c == ' ') {
				p->reason = p->pos + 1;
				p->state = P_REASON;
			} else if (c == '\r' || c == '\n') {
				p->reason = p->pos;
				eol(p, c, P_LINE);
			} else {
				return bad(p, E_STATUS, UP_ERR_SYNTAX);
			}
			break;
		case P_REASON:
			if (c == '\r' || c == '\n') {
				p->reason_len = p->pos - p->reason;
				eol(p, c, P_LINE);
			} else if (is_ctl(c)) {
				return bad(p, E_REASON, UP_ERR_SYNTAX);
			}
			break;
		case P_CR:
			if (c != '\n')
				return bad(p, E_CR, UP_ERR_SYNTAX);
			p->line_start = p->pos + 1;
			if (p->after == P_DONE)
				p->result = (long)p->pos + 1;
			p->state = p->after;
			break;
		case P_LINE:
			if (p->headers == 0)
				p->headers = p->pos;
			if (is_ws(c)) {
				/* RFC 7230 3: white space before the first
				 * field could smuggle a line past a lenient
				 * reader; after one, it is a fold */
				if (p->nheaders == 0)
					return bad(p, E_FOLD_FIRST,
					    UP_ERR_SYNTAX);
				p->folded = 1;
				p->state = P_VALUE;
				break;
			}
			if (p->nheaders > 0)
				end_value(p);
			if (c == '\r' || c == '\n') {
				eol(p, c, P_DONE);
				if (c == '\n')
					p->result = (long)p->pos + 1;
				break;
			}
			if (p->nheaders == UP_MAX_HEADERS)
				return bad(p, E_NONE, UP_ERR_TOO_MANY);
			p->f[p->nheaders++].name = (uint32_t)p->pos;
			p->state = P_NAME;
			if (!is_tchar(c))
				return bad(p, c == ':' ? E_NAME_EMPTY :
				    E_NAME_BYTE, UP_ERR_SYNTAX);
			break;
		case P_NAME:
			if (is_tchar(c))
				break;
			/* no colon, or white space before it (RFC 7230
			 * 3.2.4: must be rejected) */
			if (c != ':')
				return bad(p, is_ws(c) ? E_NAME_WS : c == '\r' ||
				    c == '\n' ? E_NO_COLON : E_NAME_BYTE,
				    UP_ERR_SYNTAX);
			p->f[p->nheaders - 1].name_len =
			    (uint32_t)(p->pos - p->f[p->nheaders - 1].name);
			p->after_colon = p->pos + 1;
			p->vs = NOPOS;
			p->state = P_VALUE;
			break;
		case P_VALUE:
		{
			/* most bytes are here: the rest of the value in one
			 * go, as far as there are bytes, in locals that the
			 * buffer's bytes cannot alias */
			size_t i = p->pos, vs = p->vs, ve = p->ve;

			for (;;) {
				if (c == '\r' || c == '\n' || is_ctl(c))
					break;
				if (!is_ws(c)) {
					if (vs == NOPOS)
						vs = i;
					ve = i + 1;
				}
				if (i + 1 >= lim)
					break;
				c = (unsigned char)buf[++i];
			}
			p->pos = i;
			p->vs = vs;
			p->ve = ve;
			if (c == '\r' || c == '\n')
				eol(p, c, P_LINE);
			else if (is_ctl(c))
				return bad(p, E_VALUE_CTL, UP_ERR_SYNTAX);
			break;
		}
		}
	}
	return p->state == P_DONE ? p->result : 0;
}

/*
 * Turn each fold's line end into spaces. In [from, end), where from is the
 * first byte after the start line, an LF followed by white space can only
 * be a fold (the blank line's LF is the last byte), and a CR right before
 * an LF is its line end (a lone CR is a syntax error).
 */
static void
unfold(char *buf, size_t from, size_t end)
{
	size_t i;

	for (i = from; i + 1 < end; i++) {
		if (buf[i] != '\n' || !is_ws((unsigned char)buf[i + 1]))
			continue;
		buf[i] = ' ';
		if (i > from && buf[i - 1] == '\r')
			buf[i - 1] = ' ';
	}
}

/* The complete head as slices of buf. */
static void
fill(const struct up_parser *p, char *buf, struct up_head *h)
{
	size_t i;

	memset(h, 0, offsetof(struct up_head, headers));
	h->minor_version = p->minor;
	if (p->request) {
		h->method = buf;
		h->method_len = p->method_len;
		h->target = buf + p->target;
		h->target_len = p->target_len;
	} else {
		h->status = p->status;
		h->reason = buf + p->reason;
		h->reason_len = p->reason_len;
	}
	for (i = 0; i < p->nheaders; i++) {
		h->headers[i].name = buf + p->f[i].name;
		h->headers[i].name_len = p->f[i].name_len;
		h->headers[i].value = buf + p->f[i].value;
		h->headers[i].value_len = p->f[i].value_len;
	}
	h->nheaders = p->nheaders;
	h->head_len = (size_t)p->result;
	h->bare_lf = p->bare_lf;
}

long
up_parse(struct up_parser *p, char *buf, size_t len, struct up_head *h)
{
	long r;

	if (p->state == P_DONE && p->result <= 0)
		return p->result;
	if (p->state != P_DONE) {
		r = scan(p, buf, len < UP_MAX_HEAD ? len : UP_MAX_HEAD);
		if (r == 0) {
			if (len < UP_MAX_HEAD)
				return UP_INCOMPLETE;
			return bad(p, E_NONE, UP_ERR_TOO_LONG);
		}
		if (r < 0)
			return r;
		/* once, now that no byte of the head can change */
		if (p->folded)
			unfold(buf, p->headers, (size_t)r);
	}
	fill(p, buf, h);
	return p->result;
}

long
up_parse_response(char *buf, size_t len, struct up_head *h)
{
	struct up_parser p;

	up_parser_init(&p, 0);
	return up_parse(&p, buf, len, h);
}

long
up_parse_request(char *buf, size_t len, struct up_head *h)
{
	struct up_parser p;

	up_parser_init(&p, 1);
	return up_parse(&p, buf, len, h);
}

const char *
up_strerror(long err)
{
	switch (err) {
	case UP_INCOMPLETE:
		return "incomplete head";
	case UP_ERR_SYNTAX:
		return "not HTTP/1.x: bad start line or header line";
	case UP_ERR_TOO_LONG:
		return "head larger than 65536 bytes";
	case UP_ERR_TOO_MANY:
		return "more than 100 header lines";
	case UP_ERR_VERSION:
		return "HTTP version other than 1.0 or 1.1";
	default:
		return "unknown error";
	}
}

/* ------------------------------------------------------------ headers */

const struct up_header *
up_find(const struct up_head *h, const char *name,
    const struct up_header *after)
{
	size_t i = 0, n = strlen(name);

	if (after != NULL) {
		/* compared as integers: after may belong to another head */
		if ((uintptr_t)after < (uintptr_t)h->headers ||
		    (uintptr_t)after >= (uintptr_t)(h->headers + h->nheaders))
			return NULL;
		i = (size_t)(after - h->headers) + 1;
	}
	for (; i < h->nheaders; i++)
		if (ieq(h->headers[i].name, h->headers[i].name_len, name, n))
			return &h->headers[i];
	return NULL;
}

size_t
up_count(const struct up_head *h, const char *name)
{
	const struct up_header *f = NULL;
	size_t n = 0;

	while ((f = up_find(h, name, f)) != NULL)
		n++;
	return n;
}

/* Append s[0..n) at *at, as much as fits before the NUL's byte; *at counts
 * what would have been written. */
static void
append(char *out, size_t cap, size_t *at, const char *s, size_t n)
{
	size_t room = cap > 0 && *at < cap - 1 ? cap - 1 - *at : 0;

	if (room > 0 && n > 0)
		memcpy(out + *at, s, n < room ? n : room);
	*at += n;
}

/* As up_get, but returns the length the whole join needs. */
static size_t
join(const struct up_head *h, const char *name, char *out, size_t cap,
    size_t *count)
{
	const struct up_header *f = NULL;
	size_t at = 0, n = 0;

	while ((f = up_find(h, name, f)) != NULL) {
		if (n++ > 0)
			append(out, cap, &at, ", ", 2);
		append(out, cap, &at, f->value, f->value_len);
	}
	if (cap > 0)
		out[at < cap - 1 ? at : cap - 1] = '\0';
	if (count != NULL)
		*count = n;
	return at;
}

size_t
up_get(const struct up_head *h, const char *name, char *out, size_t cap)
{
	size_t n;

	join(h, name, out, cap, &n);
	return n;
}

int
up_has_token(const char *v, size_t len, const char *token)
{
	size_t tlen = strlen(token), s, e, i = 0;

	if (tlen == 0)
		return 0;
	while (i <= len) {
		for (e = i; e < len && v[e] != ','; e++)
			;
		for (s = i; s < e && is_ws((unsigned char)v[s]); s++)
			;
		i = e + 1;
		while (e > s && is_ws((unsigned char)v[e - 1]))
			e--;
		if (ieq(v + s, e - s, token, tlen))
			return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- keys */

void
up_key(const uint8_t nonce[16], char out[UP_KEY_LEN + 1])
{
	EVP_EncodeBlock((unsigned char *)out, nonce, 16);
}

void
up_accept(const char *key, size_t len, char out[UP_ACCEPT_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	int ok;

	/* EVP_Digest() wants the input in one piece; hashing the key and the
	 * GUID in two updates spares a copy into a buffer of bounded size */
	out[0] = '\0';
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return;
	ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
	    EVP_DigestUpdate(ctx, key, len) &&
	    EVP_DigestUpdate(ctx, WS_GUID, sizeof(WS_GUID) - 1) &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (ok && mdlen == 20)
		EVP_EncodeBlock((unsigned char *)out, md, 20);
}

/* ----------------------------------------------------------- building */

struct out {
	char *p;     /* the caller's buffer */
	size_t cap;  /* its size, the NUL included */
	size_t len;  /* bytes written so far */
	int bad;     /* out of room or invalid input: the result is -1 */
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->bad)
		return;
	/* one byte is kept for the NUL */
	if (o->cap == 0 || n > o->cap - 1 - o->len) {
		o->bad = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* A header value: anything but control characters, which could end the
 * line early and inject lines of the sender's choosing. */
static void
put_value(struct out *o, const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if (is_ctl((unsigned char)*p))
			o->bad = 1;
	put_str(o, s);
}

static void
put_line(struct out *o, const char *name, const char *value)
{
	if (value == NULL)
		return;
	put_str(o, name);
	put_str(o, ": ");
	put_value(o, value);
	put_str(o, "\r\n");
}

/* Caller-supplied "Name: value" lines: the name must be a token right
 * before the colon, or the peer would reject the whole head. */
static void
put_extra(struct out *o, const char *const *extra, size_t nextra)
{
	const char *p;
	size_t i;

	for (i = 0; i < nextra; i++) {
		for (p = extra[i]; is_tchar((unsigned char)*p); p++)
			;
		if (p == extra[i] || *p != ':')
			o->bad = 1;
		put_value(o, extra[i]);
		put_str(o, "\r\n");
	}
}

static long
finish(struct out *o)
{
	if (o->bad)
		return -1;
	o->p[o->len] = '\0';
	return (long)o->len;
}

long
up_host_value(char *out, size_t cap, const char *host, long port,
    long default_port)
{
	struct out o = { out, cap, 0, 0 };
	char num[24];
	int bracket;

	if (host == NULL)
		return -1;
	bracket = strchr(host, ':') != NULL && host[0] != '[';
	if (bracket)
		put_str(&o, "[");
	put_value(&o, host);
	if (bracket)
		put_str(&o, "]");
	if (port != default_port) {
		snprintf(num, sizeof(num), ":%ld", port);
		put_str(&o, num);
	}
	return finish(&o);
}

long
up_build_request(char *out, size_t cap, const struct up_request *r)
{
	struct out o = { out, cap, 0, 0 };
	const char *p;
	size_t i;

	p = r->target != NULL && r->target[0] != '\0' ? r->target : "/";
	for (i = 0; p[i] != '\0'; i++)
		if (is_ctl((unsigned char)p[i]) || p[i] == ' ' || p[i] == '\t')
			o.bad = 1;
	put_str(&o, "GET ");
	put_str(&o, p);
	put_str(&o, " HTTP/1.1\r\n");
	put_line(&o, "Host", r->host);
	put_str(&o, "Upgrade: websocket\r\nConnection: Upgrade\r\n");
	put_line(&o, "Sec-WebSocket-Key", r->key);
	put_line(&o, "Sec-WebSocket-Version",
	    r->version != NULL ? r->version : "13");
	if (r->protocols != NULL && r->nprotocols > 0) {
		put_str(&o, "Sec-WebSocket-Protocol: ");
		for (i = 0; i < r->nprotocols; i++) {
			if (i > 0)
				put_str(&o, ", ");
			put_value(&o, r->protocols[i]);
		}
		put_str(&o, "\r\n");
	}
	put_line(&o, "Sec-WebSocket-Extensions", r->extensions);
	put_line(&o, "Origin", r->origin);
	put_line(&o, "Authorization", r->authorization);
	put_line(&o, "User-Agent", r->user_agent);
	if (r->extra != NULL)
		put_extra(&o, r->extra, r->nextra);
	put_str(&o, "\r\n");
	return finish(&o);
}

/* The extra line that names name ("Name: value", name case-insensitive),
 * or NULL. */
static const char *
named_extra(const char *const *extra, size_t nextra, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; extra != NULL && i < nextra; i++)
		if (ieq(extra[i], strcspn(extra[i], ":"), name, n))
			return extra[i];
	return NULL;
}

/* A line the builder writes, unless an extra line names the header: then
 * that line in its place, or none if its value is empty. */
static void
put_own(struct out *o, const char *name, const char *value,
    const char *const *extra, size_t nextra)
{
	const char *x = named_extra(extra, nextra, name), *v;

	if (x == NULL) {
		put_line(o, name, value);
		return;
	}
	v = x + strcspn(x, ":") + 1;
	v += strspn(v, " \t");
	if (*v == '\0')
		return;
	put_line(o, name, v);
}

long
up_build_101(char *out, size_t cap, const char *key, size_t key_len,
    const char *protocol, const char *extensions, const char *const *extra,
    size_t nextra)
{
	static const char *const own[] = {
		"Upgrade", "Connection", "Sec-WebSocket-Accept",
		"Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions",
	};
	struct out o = { out, cap, 0, 0 };
	char accept[UP_ACCEPT_LEN + 1];
	size_t i, j;

	up_accept(key, key_len, accept);
	if (accept[0] == '\0')
		return -1;
	put_str(&o, "HTTP/1.1 101 Switching Protocols\r\n");
	put_own(&o, "Upgrade", "websocket", extra, nextra);
	put_own(&o, "Connection", "Upgrade", extra, nextra);
	put_own(&o, "Sec-WebSocket-Accept", accept, extra, nextra);
	put_own(&o, "Sec-WebSocket-Protocol", protocol, extra, nextra);
	put_own(&o, "Sec-WebSocket-Extensions", extensions, extra, nextra);
	for (i = 0; extra != NULL && i < nextra; i++) {
		size_t n = strcspn(extra[i], ":");

		for (j = 0; j < sizeof(own) / sizeof(own[0]); j++)
			if (ieq(extra[i], n, own[j], strlen(own[j])))
				break;
		/* the first naming one of them took its place above; a
		 * second one is a line of its own */
		if (j < sizeof(own) / sizeof(own[0]) &&
		    named_extra(extra, nextra, own[j]) == extra[i])
			continue;
		put_extra(&o, extra + i, 1);
	}
	put_str(&o, "\r\n");
	return finish(&o);
}

long
up_build_error(char *out, size_t cap, int status, const char *body)
{
	struct out o = { out, cap, 0, 0 };
	char line[64];

	if (status < 100 || status > 999)
		return -1;
	if (body == NULL)
		body = "";
	snprintf(line, sizeof(line), "HTTP/1.1 %d ", status);
	put_str(&o, line);
	put_str(&o, up_reason_phrase(status));
	put_str(&o, "\r\nContent-Type: text/plain\r\n");
	snprintf(line, sizeof(line), "Content-Length: %zu\r\n",
	    strlen(body) + 1);
	put_str(&o, line);
	put_str(&o, "Connection: close\r\n");
	if (status == 426)
		put_str(&o, "Sec-WebSocket-Version: 13\r\n");
	if (status == 405)
		put_str(&o, "Allow: GET\r\n");
	put_str(&o, "\r\n");
	put_str(&o, body);
	put_str(&o, "\n");
	return finish(&o);
}

/* RFC 9110 section 15 */
static const struct {
	int status;
	const char *phrase;
} reasons[] = {
	{ 100, "Continue" },
	{ 101, "Switching Protocols" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 204, "No Content" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 407, "Proxy Authentication Required" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 426, "Upgrade Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
};

const char *
up_reason_phrase(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].phrase;
	return "Unknown";
}

/* ------------------------------------------------------------- checks */

/* A value quoted in an error text: control bytes replaced, cut short. */
struct quote {
	char s[QUOTE_MAX + sizeof("...")];
	size_t n;
	int cut;
};

static void
q_add(struct quote *q, const char *p, size_t len)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		if (q->n == QUOTE_MAX) {
			q->cut = 1;
			break;
		}
		c = (unsigned char)p[i];
		q->s[q->n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
}

static const char *
q_str(struct quote *q)
{
	q->s[q->n] = '\0';
	if (q->cut)
		strcpy(q->s + q->n, "...");
	return q->s;
}

static const char *
quote(struct quote *q, const char *p, size_t len)
{
	q->n = 0;
	q->cut = 0;
	q_add(q, p, len);
	return q_str(q);
}

/* Every value of name, joined as up_get does, quoted. */
static const char *
quote_all(struct quote *q, const struct up_head *h, const char *name)
{
	const struct up_header *f = NULL;
	size_t n = 0;

	q->n = 0;
	q->cut = 0;
	while ((f = up_find(h, name, f)) != NULL) {
		if (n++ > 0)
			q_add(q, ", ", 2);
		q_add(q, f->value, f->value_len);
	}
	return q_str(q);
}

/* Write why a check failed and return ret: -1, or the status to answer. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int
fail(int ret, char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && cap > 0) {
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Nonzero if any header named name has token in its list. */
static int
any_has_token(const struct up_head *h, const char *name, const char *token)
{
	const struct up_header *f = NULL;

	while ((f = up_find(h, name, f)) != NULL)
		if (up_has_token(f->value, f->value_len, token))
			return 1;
	return 0;
}

int
up_check_response(const struct up_head *h, const char *key,
    const char *const *protocols, size_t nprotocols, char *why, size_t cap)
{
	const struct up_header *f;
	struct quote q, q2;
	char want[UP_ACCEPT_LEN + 1];
	size_t n, i;

	if (h->status != 101)
		return fail(-1, why, cap, "status is %d '%s', expected 101 "
		    "Switching Protocols", h->status,
		    h->reason != NULL ? quote(&q, h->reason, h->reason_len) :
		    "");

	if ((f = up_find(h, "Upgrade", NULL)) == NULL)
		return fail(-1, why, cap, "no Upgrade header");
	if (up_count(h, "Upgrade") > 1 ||
	    !ieq(f->value, f->value_len, "websocket", 9))
		return fail(-1, why, cap, "Upgrade is '%s', expected 'websocket'",
		    quote_all(&q, h, "Upgrade"));

	if (up_find(h, "Connection", NULL) == NULL)
		return fail(-1, why, cap, "no Connection header");
	if (!any_has_token(h, "Connection", "upgrade"))
		return fail(-1, why, cap, "Connection is '%s', without the token "
		    "'upgrade'", quote_all(&q, h, "Connection"));

	if (key == NULL)
		key = "";
	if ((f = up_find(h, "Sec-WebSocket-Accept", NULL)) == NULL)
		return fail(-1, why, cap, "no Sec-WebSocket-Accept header");
	if ((n = up_count(h, "Sec-WebSocket-Accept")) > 1)
		return fail(-1, why, cap, "%zu Sec-WebSocket-Accept headers, "
		    "expected one", n);
	up_accept(key, strlen(key), want);
	if (want[0] == '\0')
		return fail(-1, why, cap, "cannot compute Sec-WebSocket-Accept: "
		    "SHA-1 failed in OpenSSL");
	if (f->value_len != UP_ACCEPT_LEN ||
	    memcmp(f->value, want, UP_ACCEPT_LEN) != 0)
		return fail(-1, why, cap, "Sec-WebSocket-Accept is '%s', "
		    "expected '%s'", quote(&q, f->value, f->value_len), want);

	if ((n = up_count(h, "Sec-WebSocket-Protocol")) > 1)
		return fail(-1, why, cap, "%zu Sec-WebSocket-Protocol headers, "
		    "expected at most one", n);
	if ((f = up_find(h, "Sec-WebSocket-Protocol", NULL)) == NULL)
		return 0;
	if (protocols == NULL || nprotocols == 0)
		return fail(-1, why, cap, "Sec-WebSocket-Protocol is '%s' but no "
		    "subprotocol was offered",
		    quote(&q, f->value, f->value_len));
	for (i = 0; i < nprotocols; i++)
		if (strlen(protocols[i]) == f->value_len &&
		    memcmp(protocols[i], f->value, f->value_len) == 0)
			return 0;
	q2.n = 0;
	q2.cut = 0;
	for (i = 0; i < nprotocols; i++) {
		if (i > 0)
			q_add(&q2, ", ", 2);
		q_add(&q2, protocols[i], strlen(protocols[i]));
	}
	return fail(-1, why, cap, "Sec-WebSocket-Protocol is '%s', not one of "
	    "those offered ('%s')", quote(&q, f->value, f->value_len),
	    q_str(&q2));
}

/* RFC 6455 4.1: a base64-encoded 16-byte value is 22 characters of the
 * alphabet and "==". The low bits of the last character are not checked,
 * as common decoders do not either. */
static int
valid_key(const char *k, size_t len)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	if (len != UP_KEY_LEN || k[22] != '=' || k[23] != '=')
		return 0;
	for (i = 0; i < 22; i++)
		if (k[i] == '\0' || strchr(alphabet, k[i]) == NULL)
			return 0;
	return 1;
}

/* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then
 * ':'. */
static int
absolute_form(const char *t, size_t len)
{
	size_t i;

	if (len == 0 || !((t[0] >= 'a' && t[0] <= 'z') ||
	    (t[0] >= 'A' && t[0] <= 'Z')))
		return 0;
	for (i = 1; i < len && t[i] != ':'; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') ||
		    (t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= '0' && t[i] <= '9') || t[i] == '+' ||
		    t[i] == '-' || t[i] == '.'))
			return 0;
	return i < len;
}

/* RFC 9112 3.2: a GET's target is a path starting with '/' (origin form)
 * or an absolute URI, never '*' (OPTIONS only) or a fragment. Nonzero
 * with why written if it is not. */
static int
target_wrong(const struct up_head *h, char *why, size_t cap)
{
	struct quote q;
	const char *t = h->target;
	size_t len = h->target_len;

	if (t == NULL || len == 0)
		return fail(1, why, cap, "no request target");
	if (len == 1 && t[0] == '*')
		return fail(1, why, cap, "request target '*' is for OPTIONS "
		    "only (RFC 9112 3.2.4)");
	if (t[0] != '/' && !absolute_form(t, len))
		return fail(1, why, cap, "request target '%s' is neither a path "
		    "starting with '/' nor an absolute URI (RFC 9112 3.2)",
		    quote(&q, t, len));
	if (memchr(t, '#', len) != NULL)
		return fail(1, why, cap, "request target '%s' has a fragment "
		    "('#'), which is never sent (RFC 9112 3.2)",
		    quote(&q, t, len));
	return 0;
}

int
up_check_request(const struct up_head *h, struct up_offer *o, char *lists,
    size_t lists_cap, char *why, size_t cap)
{
	const struct up_header *f;
	struct quote q;
	size_t n, pn = 0, en = 0, np, ne;

	memset(o, 0, sizeof(*o));
	if (h->method == NULL || h->method_len != 3 ||
	    memcmp(h->method, "GET", 3) != 0)
		return fail(405, why, cap, "method is '%s', expected GET",
		    h->method != NULL ? quote(&q, h->method, h->method_len) :
		    "");
	if (target_wrong(h, why, cap))
		return 400;
	if (h->minor_version < 1)
		return fail(400, why, cap, "HTTP/1.%d request, WebSocket needs "
		    "HTTP/1.1", h->minor_version);
	if (h->bare_lf)
		return fail(400, why, cap, "a line of the request ends in LF "
		    "alone: HTTP/1.1 lines end in CRLF (RFC 9112 2.2)");

	if ((f = up_find(h, "Host", NULL)) == NULL)
		return fail(400, why, cap, "no Host header");
	if ((n = up_count(h, "Host")) > 1)
		return fail(400, why, cap, "%zu Host headers, expected one", n);
	if (f->value_len == 0)
		return fail(400, why, cap, "Host header is empty");

	if (up_find(h, "Upgrade", NULL) == NULL)
		return fail(400, why, cap, "no Upgrade header");
	if (!any_has_token(h, "Upgrade", "websocket"))
		return fail(400, why, cap, "Upgrade is '%s', without the token "
		    "'websocket'", quote_all(&q, h, "Upgrade"));

	if (up_find(h, "Connection", NULL) == NULL)
		return fail(400, why, cap, "no Connection header");
	if (!any_has_token(h, "Connection", "upgrade"))
		return fail(400, why, cap, "Connection is '%s', without the "
		    "token 'upgrade'", quote_all(&q, h, "Connection"));

	if ((f = up_find(h, "Sec-WebSocket-Key", NULL)) == NULL)
		return fail(400, why, cap, "no Sec-WebSocket-Key header");
	if ((n = up_count(h, "Sec-WebSocket-Key")) > 1)
		return fail(400, why, cap, "%zu Sec-WebSocket-Key headers, "
		    "expected one", n);
	if (!valid_key(f->value, f->value_len))
		return fail(400, why, cap, "Sec-WebSocket-Key '%s' is not "
		    "base64 of 16 bytes", quote(&q, f->value, f->value_len));

	if ((f = up_find(h, "Sec-WebSocket-Version", NULL)) == NULL)
		return fail(426, why, cap, "no Sec-WebSocket-Version header");
	if ((n = up_count(h, "Sec-WebSocket-Version")) > 1)
		return fail(426, why, cap, "%zu Sec-WebSocket-Version headers, "
		    "expected one", n);
	if (f->value_len != 2 || memcmp(f->value, "13", 2) != 0)
		return fail(426, why, cap, "Sec-WebSocket-Version is '%s', "
		    "expected 13", quote(&q, f->value, f->value_len));

	pn = join(h, "Sec-WebSocket-Protocol", NULL, 0, &np);
	en = join(h, "Sec-WebSocket-Extensions", NULL, 0, &ne);
	if ((np > 0 ? pn + 1 : 0) + (ne > 0 ? en + 1 : 0) > lists_cap)
		return fail(431, why, cap, "Sec-WebSocket-Protocol and "
		    "-Extensions take %zu bytes, more than %zu",
		    (np > 0 ? pn + 1 : 0) + (ne > 0 ? en + 1 : 0), lists_cap);
	n = 0;
	if (np > 0) {
		join(h, "Sec-WebSocket-Protocol", lists, pn + 1, NULL);
		o->protocols = lists;
		n = pn + 1;
	}
	if (ne > 0) {
		join(h, "Sec-WebSocket-Extensions", lists + n, en + 1, NULL);
		o->extensions = lists + n;
	}
	f = up_find(h, "Sec-WebSocket-Key", NULL);
	o->key = f->value;
	o->key_len = f->value_len;
	if ((f = up_find(h, "Origin", NULL)) != NULL) {
		o->origin = f->value;
		o->origin_len = f->value_len;
	}
	return 0;
}

/* ------------------------------------------------- a head that is wrong */

/* "0x1b ESC" */
static void
byte_name(char *out, size_t cap, unsigned char c)
{
	static const char *const ctl[] = {
		"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS",
		"HT", "LF", "VT", "FF", "CR", "SO", "SI", "DLE", "DC1", "DC2",
		"DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
		"FS", "GS", "RS", "US",
	};

	if (c < 0x20)
		snprintf(out, cap, "0x%02x %s", c, ctl[c]);
	else if (c == 0x7f)
		snprintf(out, cap, "0x7f DEL");
	else if (c == ' ')
		snprintf(out, cap, "a space");
	else if (c < 0x7f)
		snprintf(out, cap, "'%c'", c);
	else
		snprintf(out, cap, "0x%02x", c);
}

void
up_parse_why(const struct up_parser *p, const char *buf, size_t len,
    char *out, size_t cap)
{
	struct quote q, qn;
	char b[16];
	size_t e, n = p->line + 1;
	unsigned char c = p->pos < len ? (unsigned char)buf[p->pos] : 0;
	const struct up_field *f = p->nheaders > 0 ? &p->f[p->nheaders - 1] :
	    NULL;
	const char *line;

	/* the line as far as it goes, for the quote */
	for (e = p->line_start; e < len && buf[e] != '\r' && buf[e] != '\n';
	    e++)
		;
	if (p->err == E_CR && n > 1)
		n--;
	quote(&q, buf + p->line_start, e - p->line_start);
	line = q.s;
	byte_name(b, sizeof b, c);
	switch (p->err) {
	case E_METHOD:
		snprintf(out, cap, "the request line does not start with a "
		    "method and a space (\"%s\")", line);
		break;
	case E_TARGET:
		if (p->pos == p->target)
			snprintf(out, cap, "the request line has no target after "
			    "the method (\"%s\")", line);
		else
			snprintf(out, cap, "the request target has %s in it "
			    "(\"%s\")", b, line);
		break;
	case E_VERSION:
		snprintf(out, cap, "the %s line has no HTTP version where one "
		    "is due (\"%s\")", p->request ? "request" : "status", line);
		break;
	case E_AFTER_VERSION:
		snprintf(out, cap, "the request line goes on after its HTTP "
		    "version (\"%s\")", line);
		break;
	case E_STATUS:
		snprintf(out, cap, "the status line has no status code 100..999 "
		    "(\"%s\")", line);
		break;
	case E_REASON:
		snprintf(out, cap, "the reason phrase has a control character "
		    "(%s)", b);
		break;
	case E_CR:
		snprintf(out, cap, "line %zu ends in a CR not followed by LF",
		    n);
		break;
	case E_FOLD_FIRST:
		snprintf(out, cap, "the first header line starts with white "
		    "space (\"%s\")", line);
		break;
	case E_NAME_EMPTY:
		snprintf(out, cap, "header line %zu has no name before its colon "
		    "(\"%s\")", n - 1, line);
		break;
	case E_NAME_WS:
		snprintf(out, cap, "header line %zu has white space in its name "
		    "or before its colon (\"%s\")", n - 1, line);
		break;
	case E_NAME_BYTE:
		snprintf(out, cap, "header line %zu has %s in its name (\"%s\")",
		    n - 1, b, line);
		break;
	case E_NO_COLON:
		snprintf(out, cap, "header line %zu has no colon (\"%s\")", n - 1,
		    line);
		break;
	case E_VALUE_CTL:
		snprintf(out, cap, "header \"%s\" has a control character in "
		    "its value (%s)", quote(&qn, buf + f->name, f->name_len), b);
		break;
	default:
		snprintf(out, cap, "%s", up_strerror(p->result));
		break;
	}
}
