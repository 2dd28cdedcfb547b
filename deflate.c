/*
 * deflate.c - permessage-deflate (RFC 7692); deflate.h is the contract.
 *
 * Negotiation reads Sec-WebSocket-Extensions with a small lexer over the
 * grammar of RFC 6455 9.1 (tokens, ';'-separated parameters whose values
 * are tokens or quoted strings, ','-separated extensions, optional white
 * space between all of them). Nothing is allocated and nothing is kept:
 * each parameter is judged as it is read, so the first problem in reading
 * order is the one reported. Names are compared as written (byte for
 * byte), as browsers do: "Permessage-Deflate" is some other extension.
 *
 * The streams are zlib's, raw (no zlib header), with two twists on the
 * receiving side. zlib checks a back-reference only against its window
 * plus what the current inflate() call has written, so each call is given
 * at most one window of output space: a reference more than twice the
 * negotiated window back then fails. And a final block (BFINAL) ends a
 * zlib stream, while RFC 7692 7.2.3.4 lets the message or the connection
 * go on after it: the stream is restarted with its window as dictionary.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate.h"

#define SHOW 40 /* most bytes of peer text quoted in a why */

static const uint8_t TAIL[4] = { 0x00, 0x00, 0xff, 0xff };

static void
say(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ lexer */

struct lex {
	const char *s;
	size_t len;
	size_t pos;
};

/* One extension parameter as read; name and raw point into the input. */
struct param {
	const char *name;
	size_t name_len;
	int has_value;
	const char *raw;  /* the value as written, quotes included */
	size_t raw_len;
	char value[4];    /* the value unquoted, NUL-terminated if it fits */
	size_t value_len; /* its whole unquoted length */
};

/* RFC 7230 3.2.6 tchar */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
at_end(const struct lex *l)
{
	return l->pos >= l->len;
}

static void
skip_ows(struct lex *l)
{
	while (!at_end(l) && (l->s[l->pos] == ' ' || l->s[l->pos] == '\t'))
		l->pos++;
}

/* What stands at the read position, for a message: "',' at byte 7". */
static const char *
found(const struct lex *l, char *buf, size_t cap)
{
	unsigned char c;

	if (at_end(l)) {
		snprintf(buf, cap, "the end at byte %zu", l->pos);
		return buf;
	}
	c = (unsigned char)l->s[l->pos];
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, cap, "'%c' at byte %zu", c, l->pos);
	else
		snprintf(buf, cap, "byte 0x%02x at byte %zu", c, l->pos);
	return buf;
}

static int
syntax(const struct lex *l, const char *expected, char *why, size_t cap)
{
	char f[40];

	say(why, cap, "expected %s, found %s", expected, found(l, f, sizeof f));
	return -1;
}

static size_t
read_token(struct lex *l)
{
	size_t start = l->pos;

	while (!at_end(l) && is_tchar((unsigned char)l->s[l->pos]))
		l->pos++;
	return l->pos - start;
}

static void
value_put(struct param *pa, char c)
{
	if (pa->value_len < sizeof(pa->value) - 1) {
		pa->value[pa->value_len] = c;
		pa->value[pa->value_len + 1] = '\0';
	}
	pa->value_len++;
}

/* RFC 7230 quoted-string; RFC 6455 9.1: once unquoted it must be a token. */
static int
read_quoted(struct lex *l, struct param *pa, char *why, size_t cap)
{
	unsigned char c;

	l->pos++; /* the opening quote */
	for (;;) {
		if (at_end(l))
			return syntax(l, "the closing '\"'", why, cap);
		c = (unsigned char)l->s[l->pos];
		if (c == '"')
			break;
		if (c == '\\') {
			l->pos++;
			if (at_end(l))
				return syntax(l, "a character after '\\'", why,
				    cap);
			c = (unsigned char)l->s[l->pos];
		}
		if (!is_tchar(c))
			return syntax(l, "a token character in the quoted "
			    "value", why, cap);
		value_put(pa, (char)c);
		l->pos++;
	}
	l->pos++;
	if (pa->value_len == 0) {
		l->pos--;
		return syntax(l, "a token in the quoted value", why, cap);
	}
	return 0;
}

/* name [ "=" ( token / quoted-string ) ], white space allowed around "=" */
static int
read_param(struct lex *l, struct param *pa, char *why, size_t cap)
{
	size_t n, i, save;

	memset(pa, 0, sizeof(*pa));
	skip_ows(l);
	pa->name = l->s + l->pos;
	if ((pa->name_len = read_token(l)) == 0)
		return syntax(l, "a parameter name", why, cap);
	save = l->pos;
	skip_ows(l);
	if (at_end(l) || l->s[l->pos] != '=') {
		l->pos = save;
		return 0;
	}
	l->pos++;
	skip_ows(l);
	pa->has_value = 1;
	pa->raw = l->s + l->pos;
	if (!at_end(l) && l->s[l->pos] == '"') {
		if (read_quoted(l, pa, why, cap) < 0)
			return -1;
	} else {
		if ((n = read_token(l)) == 0)
			return syntax(l, "a value after '='", why, cap);
		for (i = 0; i < n; i++)
			value_put(pa, pa->raw[i]);
	}
	pa->raw_len = (size_t)(l->s + l->pos - pa->raw);
	return 0;
}

/*
 * The next extension of a list: 1 with its name, 0 at the end of the list,
 * -1 on a syntax error. Empty list elements are skipped (RFC 7230 7).
 */
static int
ext_begin(struct lex *l, const char **name, size_t *len, char *why,
    size_t cap)
{
	for (;;) {
		skip_ows(l);
		if (at_end(l))
			return 0;
		if (l->s[l->pos] != ',')
			break;
		l->pos++;
	}
	*name = l->s + l->pos;
	if ((*len = read_token(l)) == 0)
		return syntax(l, "an extension name", why, cap);
	return 1;
}

/* The next parameter of the current extension: 1 with it, 0 at the end of
 * the extension (its ',' consumed), -1 on a syntax error. */
static int
ext_param(struct lex *l, struct param *pa, char *why, size_t cap)
{
	skip_ows(l);
	if (at_end(l))
		return 0;
	if (l->s[l->pos] == ',') {
		l->pos++;
		return 0;
	}
	if (l->s[l->pos] != ';')
		return syntax(l, "';', ',' or the end", why, cap);
	l->pos++;
	if (read_param(l, pa, why, cap) < 0)
		return -1;
	return 1;
}

static int
is_name(const char *s, size_t n, const char *name)
{
	return n == strlen(name) && memcmp(s, name, n) == 0;
}

/* ------------------------------------------------------------- parameters */

/* "8".."15" exactly, else -1. */
static int
bits_value(const struct param *pa)
{
	const char *v = pa->value;

	if (pa->value_len == 1 && (v[0] == '8' || v[0] == '9'))
		return v[0] - '0';
	if (pa->value_len == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5')
		return 10 + (v[1] - '0');
	return -1;
}

static int
set_flag(int *flag, const struct param *pa, char *why, size_t cap)
{
	if (*flag) {
		say(why, cap, "%.*s given twice", (int)pa->name_len, pa->name);
		return -1;
	}
	if (pa->has_value) {
		say(why, cap, "%.*s=%.*s: %.*s takes no value",
		    (int)pa->name_len, pa->name, (int)(pa->raw_len > SHOW ?
		    SHOW : pa->raw_len), pa->raw, (int)pa->name_len, pa->name);
		return -1;
	}
	*flag = 1;
	return 0;
}

/* lack: 1 the value may be missing (an offer's client_max_window_bits),
 * -1 it may not but could have in an offer (a response's), 0 never. */
static int
set_bits(int *bits, const struct param *pa, int lack, char *why, size_t cap)
{
	int v;

	if (*bits) {
		say(why, cap, "%.*s given twice", (int)pa->name_len, pa->name);
		return -1;
	}
	if (!pa->has_value) {
		if (lack > 0) {
			*bits = PMD_BITS_NO_VALUE;
			return 0;
		}
		say(why, cap, "%.*s needs a value, 8 to 15%s",
		    (int)pa->name_len, pa->name, lack < 0 ?
		    " (it may go without one only in an offer)" : "");
		return -1;
	}
	if ((v = bits_value(pa)) < 0) {
		say(why, cap, "%.*s=%.*s: the value must be 8 to 15%s",
		    (int)pa->name_len, pa->name, (int)(pa->raw_len > SHOW ?
		    SHOW : pa->raw_len), pa->raw, pa->value[0] == '0' &&
		    pa->value_len > 1 ? ", without leading zeros" : "");
		return -1;
	}
	*bits = v;
	return 0;
}

/* Take one parameter into p, RFC 7692 7.1. */
static int
apply_param(struct pmd_params *p, const struct param *pa, int is_offer,
    char *why, size_t cap)
{
	if (is_name(pa->name, pa->name_len, "server_no_context_takeover"))
		return set_flag(&p->server_no_context_takeover, pa, why, cap);
	if (is_name(pa->name, pa->name_len, "client_no_context_takeover"))
		return set_flag(&p->client_no_context_takeover, pa, why, cap);
	if (is_name(pa->name, pa->name_len, "server_max_window_bits"))
		return set_bits(&p->server_max_window_bits, pa, 0, why, cap);
	if (is_name(pa->name, pa->name_len, "client_max_window_bits"))
		return set_bits(&p->client_max_window_bits, pa,
		    is_offer ? 1 : -1, why, cap);
	say(why, cap, "unknown parameter '%.*s'", (int)(pa->name_len > SHOW ?
	    SHOW : pa->name_len), pa->name);
	return -1;
}

int
pmd_parse_params(const char *s, size_t len, int is_offer,
    struct pmd_params *p, char *why, size_t cap)
{
	struct lex l = { s, len, 0 };
	struct param pa;

	memset(p, 0, sizeof(*p));
	say(why, cap, "%s", "");
	skip_ows(&l);
	if (at_end(&l))
		return 0;
	for (;;) {
		if (read_param(&l, &pa, why, cap) < 0 ||
		    apply_param(p, &pa, is_offer, why, cap) < 0)
			return -1;
		skip_ows(&l);
		if (at_end(&l))
			return 0;
		if (l.s[l.pos] != ';')
			return syntax(&l, "';' or the end", why, cap);
		l.pos++;
	}
}

/* Appends to a buffer of cap bytes, counting what would not fit. */
struct text {
	char *p;
	size_t cap;
	size_t len;
};

static void
add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->len < t->cap ? t->p + t->len : NULL,
	    t->len < t->cap ? t->cap - t->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
}

long
pmd_format(char *out, size_t cap, const struct pmd_params *p)
{
	struct text t = { out, cap, 0 };

	add(&t, "%s", PMD_NAME);
	if (p->server_no_context_takeover)
		add(&t, "; server_no_context_takeover");
	if (p->client_no_context_takeover)
		add(&t, "; client_no_context_takeover");
	if (p->server_max_window_bits)
		add(&t, "; server_max_window_bits=%d",
		    p->server_max_window_bits);
	if (p->client_max_window_bits > 0)
		add(&t, "; client_max_window_bits=%d",
		    p->client_max_window_bits);
	else if (p->client_max_window_bits == PMD_BITS_NO_VALUE)
		add(&t, "; client_max_window_bits");
	if (t.len >= cap) {
		if (cap > 0)
			out[0] = '\0';
		return -1;
	}
	return (long)t.len;
}

/* ------------------------------------------------------------ client role */

int
pmd_client_check(const char *value, size_t len,
    const struct pmd_params *offer, struct pmd_agreed *a, char *why,
    size_t cap)
{
	struct lex l = { value, len, 0 };
	struct pmd_params r;
	struct param pa;
	const char *name;
	size_t nlen;
	int rc, seen = 0;

	say(why, cap, "%s", "");
	while ((rc = ext_begin(&l, &name, &nlen, why, cap)) == 1) {
		if (!is_name(name, nlen, PMD_NAME)) {
			say(why, cap, "unknown extension '%.*s'", (int)(nlen >
			    SHOW ? SHOW : nlen), name);
			return -1;
		}
		if (offer == NULL) {
			say(why, cap, "server accepted %s, which was not "
			    "offered", PMD_NAME);
			return -1;
		}
		if (seen) {
			say(why, cap, "server accepted %s twice", PMD_NAME);
			return -1;
		}
		seen = 1;
		memset(&r, 0, sizeof(r));
		while ((rc = ext_param(&l, &pa, why, cap)) == 1)
			if (apply_param(&r, &pa, 0, why, cap) < 0)
				return -1;
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (!seen)
		return 0;

	/* RFC 7692 7.1.2.2: the server may limit the client only if asked */
	if (r.client_max_window_bits && !offer->client_max_window_bits) {
		say(why, cap, "client_max_window_bits=%d in the response, but "
		    "the offer did not include client_max_window_bits",
		    r.client_max_window_bits);
		return -1;
	}
	if (r.client_max_window_bits && offer->client_max_window_bits > 0 &&
	    r.client_max_window_bits > offer->client_max_window_bits) {
		say(why, cap, "client_max_window_bits=%d in the response is "
		    "above the offered %d", r.client_max_window_bits,
		    offer->client_max_window_bits);
		return -1;
	}
	/* 7.1.2.1: accepting a limit on the server means repeating it */
	if (offer->server_max_window_bits && !r.server_max_window_bits) {
		say(why, cap, "the offer asked for server_max_window_bits=%d, "
		    "but the response leaves it out",
		    offer->server_max_window_bits);
		return -1;
	}
	if (offer->server_max_window_bits &&
	    r.server_max_window_bits > offer->server_max_window_bits) {
		say(why, cap, "server_max_window_bits=%d in the response is "
		    "above the offered %d", r.server_max_window_bits,
		    offer->server_max_window_bits);
		return -1;
	}
	/* 7.1.1.1: and so is accepting server_no_context_takeover */
	if (offer->server_no_context_takeover &&
	    !r.server_no_context_takeover) {
		say(why, cap, "the offer asked for server_no_context_takeover, "
		    "but the response leaves it out");
		return -1;
	}

	a->server_bits = r.server_max_window_bits ? r.server_max_window_bits :
	    PMD_MAX_BITS;
	/* an offered value is what we said we would use (7.1.2.2) */
	if (r.client_max_window_bits)
		a->client_bits = r.client_max_window_bits;
	else if (offer->client_max_window_bits > 0)
		a->client_bits = offer->client_max_window_bits;
	else
		a->client_bits = PMD_MAX_BITS;
	a->server_no_takeover = r.server_no_context_takeover;
	/* offered, it is a promise even if not echoed (7.1.1.2) */
	a->client_no_takeover = r.client_no_context_takeover ||
	    offer->client_no_context_takeover;
	return 1;
}

/* ------------------------------------------------------------ server role */

int
pmd_server_accept(const char *value, size_t len, struct pmd_agreed *a,
    char *resp, size_t resp_cap, char *why, size_t cap)
{
	struct lex l = { value, len, 0 };
	struct pmd_params o, r, got;
	struct param pa;
	const char *name;
	size_t nlen;
	char reason[160], first[200] = "";
	int rc, offers = 0, bad, accepted = 0;

	say(why, cap, "%s", "");
	if (resp_cap > 0)
		resp[0] = '\0';
	while ((rc = ext_begin(&l, &name, &nlen, why, cap)) == 1) {
		int mine = !accepted && is_name(name, nlen, PMD_NAME);

		if (mine)
			offers++;
		memset(&o, 0, sizeof(o));
		bad = 0;
		/* read to the end of the extension even when not ours: the
		 * whole list must be well-formed */
		while ((rc = ext_param(&l, &pa, why, cap)) == 1)
			if (mine && !bad && apply_param(&o, &pa, 1, reason,
			    sizeof reason) < 0)
				bad = 1;
		if (rc < 0)
			return -1;
		if (!mine)
			continue;
		if (bad) {
			if (first[0] == '\0')
				snprintf(first, sizeof first, "offer %d: %s",
				    offers, reason);
			continue;
		}
		accepted = 1;
		got = o;
	}
	if (rc < 0)
		return -1;
	if (!accepted) {
		if (offers == 0)
			say(why, cap, "no %s offer", PMD_NAME);
		else
			say(why, cap, "no valid %s offer (%d offered); %s",
			    PMD_NAME, offers, first);
		return 0;
	}

	memset(&r, 0, sizeof(r));
	r.server_no_context_takeover = got.server_no_context_takeover;
	r.server_max_window_bits = got.server_max_window_bits;
	/* echo a limit the client set itself; the bare form is only an
	 * invitation to set one (7.1.2.2), which we do not take */
	if (got.client_max_window_bits > 0)
		r.client_max_window_bits = got.client_max_window_bits;
	if (pmd_format(resp, resp_cap, &r) < 0) {
		say(why, cap, "response buffer too small (%zu bytes)",
		    resp_cap);
		return -1;
	}
	a->server_bits = r.server_max_window_bits ? r.server_max_window_bits :
	    PMD_MAX_BITS;
	a->client_bits = r.client_max_window_bits ? r.client_max_window_bits :
	    PMD_MAX_BITS;
	a->server_no_takeover = r.server_no_context_takeover;
	a->client_no_takeover = got.client_no_context_takeover;
	if (first[0] != '\0')
		say(why, cap, "skipped %s", first);
	return 1;
}

char *
pmd_describe(const struct pmd_agreed *a, char *out, size_t cap)
{
	if (cap > 0)
		snprintf(out, cap, "server %d-bit window, %scontext takeover; "
		    "client %d-bit window, %scontext takeover", a->server_bits,
		    a->server_no_takeover ? "no " : "", a->client_bits,
		    a->client_no_takeover ? "no " : "");
	return out;
}

/* -------------------------------------------------------- (de)compression */

struct pmd {
	z_stream in;          /* inflates what the peer sends */
	z_stream out;         /* deflates what we send */
	int in_ready;         /* inflateInit2 succeeded */
	int out_ready;        /* deflateInit2 succeeded */
	int in_bits;          /* window the peer compresses with */
	int in_reset;         /* the peer resets its context per message */
	int out_reset;        /* we reset ours per message */
	int in_result;        /* sticky: the error or stop inflate ended in */
	int out_result;       /* the same for deflate */
	int in_fresh;         /* stream restarted after a final block, and
				 nothing read since */
	uint64_t in_msg;      /* payload bytes of the message being inflated */
	uint64_t out_msg;     /* bytes zlib produced for the message being
				 deflated */
	size_t held;          /* of them, the last ones not yet passed on */
	uint8_t hold[4];
	char msg[80];         /* why the last PMD_ERR_DATA */
	uint8_t ibuf[PMD_CHUNK];
	uint8_t obuf[PMD_CHUNK + 4]; /* a sink may deflate while we inflate */
	uint8_t dict[1 << PMD_MAX_BITS];
};

static int
valid_bits(int bits)
{
	return bits >= PMD_MIN_BITS && bits <= PMD_MAX_BITS;
}

struct pmd *
pmd_new(const struct pmd_agreed *a, int we_are_client)
{
	struct pmd *z;
	int out_bits, in_bits, out_raw, strategy;

	in_bits = we_are_client ? a->server_bits : a->client_bits;
	out_bits = we_are_client ? a->client_bits : a->server_bits;
	if (!valid_bits(in_bits) || !valid_bits(out_bits))
		return NULL;
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return NULL;
	z->in_bits = in_bits;
	z->in_reset = we_are_client ? a->server_no_takeover :
	    a->client_no_takeover;
	z->out_reset = we_are_client ? a->client_no_takeover :
	    a->server_no_takeover;

	if (inflateInit2(&z->in, -in_bits) != Z_OK) {
		pmd_free(z);
		return NULL;
	}
	z->in_ready = 1;
	/* zlib refuses a raw 8-bit window; 9 without back-references at
	 * all fits in any window */
	out_raw = out_bits == 8 ? 9 : out_bits;
	strategy = out_bits == 8 ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY;
	if (deflateInit2(&z->out, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -out_raw,
	    8, strategy) != Z_OK) {
		pmd_free(z);
		return NULL;
	}
	z->out_ready = 1;
	return z;
}

void
pmd_free(struct pmd *z)
{
	if (z == NULL)
		return;
	if (z->in_ready)
		inflateEnd(&z->in);
	if (z->out_ready)
		deflateEnd(&z->out);
	free(z);
}

const char *
pmd_error(const struct pmd *z)
{
	return z->msg;
}

static int
data_error(struct pmd *z, const char *msg)
{
	snprintf(z->msg, sizeof z->msg, "%s", msg ? msg : "invalid data");
	return PMD_ERR_DATA;
}

static int
zlib_error(struct pmd *z, z_stream *s, int r)
{
	if (r == Z_MEM_ERROR)
		return PMD_ERR_MEMORY;
	return data_error(z, s->msg);
}

/* After a final block zlib takes no more input: start a new stream that
 * knows the window, for what follows in this or later messages. */
static int
restart(struct pmd *z)
{
	uInt n = 0;
	int r;

	if ((r = inflateGetDictionary(&z->in, z->dict, &n)) != Z_OK ||
	    (r = inflateReset(&z->in)) != Z_OK ||
	    (n > 0 && (r = inflateSetDictionary(&z->in, z->dict, n)) != Z_OK))
		return zlib_error(z, &z->in, r);
	z->in_fresh = 1;
	return PMD_OK;
}

/* Inflate in[0..n) (n fits a uInt), passing output on in chunks. */
static int
inflate_some(struct pmd *z, const uint8_t *in, size_t n, pmd_sink sink,
    void *ctx)
{
	z_stream *s = &z->in;
	size_t have = 0, step, window = (size_t)1 << z->in_bits;
	uInt avail_in, avail_out;
	int r;

	s->next_in = (Bytef *)(uintptr_t)in;
	s->avail_in = (uInt)n;
	for (;;) {
		/* one window per call at most: see the top of the file */
		step = PMD_CHUNK - have < window ? PMD_CHUNK - have : window;
		s->next_out = z->ibuf + have;
		s->avail_out = avail_out = (uInt)step;
		avail_in = s->avail_in;
		r = inflate(s, Z_SYNC_FLUSH);
		have += step - s->avail_out;
		if (s->avail_in != avail_in)
			z->in_fresh = 0;
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return zlib_error(z, s, r);
		if (r == Z_STREAM_END) {
			if ((r = restart(z)) != PMD_OK)
				return r;
		} else if (avail_in > 0 && s->avail_in == avail_in &&
		    s->avail_out == avail_out) {
			return data_error(z, "inflate made no progress");
		}
		if (have > 0 && (have == PMD_CHUNK ||
		    (s->avail_in == 0 && s->avail_out != 0))) {
			if (sink(ctx, z->ibuf, have) != 0)
				return PMD_STOPPED;
			have = 0;
		}
		/* all read, and zlib had output space left over: done */
		if (s->avail_in == 0 && s->avail_out != 0)
			return PMD_OK;
	}
}

int
pmd_inflate(struct pmd *z, const uint8_t *in, size_t n, int fin,
    pmd_sink out, void *ctx)
{
	size_t step;
	int r = PMD_OK;

	if (z->in_result)
		return z->in_result;
	z->in_msg += n;
	for (; n > 0; in += step, n -= step) {
		step = n > (1u << 30) ? (1u << 30) : n;
		if ((r = inflate_some(z, in, step, out, ctx)) != PMD_OK)
			return z->in_result = r;
	}
	if (!fin)
		return PMD_OK;
	/* An empty payload cannot hold a block: take it as an empty message
	 * rather than leave half a stored block in the stream. Right after
	 * a final block the stream needs no tail either (7.2.3.4). */
	if (z->in_msg > 0 && !z->in_fresh) {
		if ((r = inflate_some(z, TAIL, sizeof TAIL, out, ctx)) !=
		    PMD_OK)
			return z->in_result = r;
		/* a valid message ends with an empty stored block: zlib must
		 * be waiting for the next block header */
		if (!z->in_fresh && !(z->in.data_type & 128))
			return z->in_result = data_error(z, "message ends "
			    "inside a DEFLATE block");
	}
	z->in_msg = 0;
	z->in_fresh = 0;
	if (z->in_reset && inflateReset(&z->in) != Z_OK)
		return z->in_result = data_error(z, "inflateReset failed");
	return PMD_OK;
}

/* Deflate in[0..n) (n fits a uInt) with flush, always holding back the
 * last 4 bytes produced. */
static int
deflate_some(struct pmd *z, const uint8_t *in, size_t n, int flush,
    pmd_sink sink, void *ctx)
{
	z_stream *s = &z->out;
	size_t total, keep, emit;
	int r;

	s->next_in = (Bytef *)(uintptr_t)in;
	s->avail_in = (uInt)n;
	do {
		memcpy(z->obuf, z->hold, z->held);
		s->next_out = z->obuf + z->held;
		s->avail_out = (uInt)(sizeof(z->obuf) - z->held);
		r = deflate(s, flush);
		if (r != Z_OK && r != Z_BUF_ERROR)
			return zlib_error(z, s, r);
		total = sizeof(z->obuf) - s->avail_out;
		z->out_msg += total - z->held;
		keep = total < sizeof(z->hold) ? total : sizeof(z->hold);
		emit = total - keep;
		memcpy(z->hold, z->obuf + emit, keep);
		z->held = keep;
		if (emit > 0 && sink(ctx, z->obuf, emit) != 0)
			return PMD_STOPPED;
	} while (s->avail_out == 0 || s->avail_in != 0);
	return PMD_OK;
}

int
pmd_deflate(struct pmd *z, const uint8_t *in, size_t n, int fin,
    pmd_sink out, void *ctx)
{
	static const uint8_t empty[1] = { 0x00 };
	size_t step;
	int r, last;

	if (z->out_result)
		return z->out_result;
	do {
		step = n > (1u << 30) ? (1u << 30) : n;
		last = step == n;
		if ((step > 0 || (fin && last)) &&
		    (r = deflate_some(z, in, step, fin && last ? Z_SYNC_FLUSH :
		    Z_NO_FLUSH, out, ctx)) != PMD_OK)
			return z->out_result = r;
		in += step;
		n -= step;
	} while (n > 0);
	if (!fin)
		return PMD_OK;

	if (z->out_msg == 0) {
		/* zlib does not repeat a flush with nothing new to flush; the
		 * empty message is one empty stored block less its tail
		 * (7.2.3.6) */
		if (out(ctx, empty, sizeof empty) != 0)
			return z->out_result = PMD_STOPPED;
	} else if (z->held != sizeof(TAIL) ||
	    memcmp(z->hold, TAIL, sizeof(TAIL)) != 0) {
		return z->out_result = data_error(z, "sync flush did not end "
		    "in 00 00 ff ff");
	}
	z->held = 0;
	z->out_msg = 0;
	if (z->out_reset && deflateReset(&z->out) != Z_OK)
		return z->out_result = data_error(z, "deflateReset failed");
	return PMD_OK;
}
