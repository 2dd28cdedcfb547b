/*
 * fuzz_upgrade.c - libFuzzer target for the HTTP/1.1 upgrade (upgrade.c).
 *
 * The first two input bytes pick a split offset (little-endian, modulo the
 * length of the rest); the rest is a head as received, fed to both the
 * response and the request parser. Each parser sees the input whole, the
 * prefix before the split alone, and the whole again in a buffer where the
 * prefix was parsed first, each in an exactly sized heap buffer so that a
 * read past the end is caught. Checked:
 *  - resumed (struct up_parser), the prefix then the whole in another
 *    buffer, and a byte at a time, agree with the whole parse, and each
 *    call looks at the bytes it had not seen only; up_parse_why says
 *    something printable about every syntax error;
 *  - the three agree: the prefix gives UP_INCOMPLETE or the whole input's
 *    error, or the same head if the split is past its end; a partial head
 *    and the bytes after a complete one are never modified, and the only
 *    change within a head is a fold's CR or LF turned into a space;
 *  - a complete head keeps the contract: slices inside the head, header
 *    names of tchar, values without CR, LF or other control bytes but tab
 *    and without white space at either end; parsing it again gives the
 *    same head; up_count, up_find, up_get and up_has_token agree with
 *    references written here;
 *  - the checks on what parsed: every why is NUL-terminated within its cap
 *    and holds no control bytes; a response passes only with status 101
 *    and the right accept value; a request passes only with a well-formed
 *    key, and then what up_build_101 answers parses and passes
 *    up_check_response, and a request rebuilt from what was offered passes
 *    up_check_request with the same offer; an error status from
 *    up_check_request builds a response that parses with that status.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upgrade.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

#define SAMPLE_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define SAMPLE_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

typedef long (*parse_fn)(char *, size_t, struct up_head *);

static struct up_head whole, prefix, grown, again, built, resumed;
static struct up_parser parser;

static char *
dup_bytes(const uint8_t *p, size_t n)
{
	char *s = malloc(n ? n : 1);

	CHECK(s != NULL);
	if (n > 0)
		memcpy(s, p, n);
	return s;
}

static int
tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static unsigned char
lc(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
same_name(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++)
		if (lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
			return 0;
	return 1;
}

static long
off(const char *buf, const char *p)
{
	return p == NULL ? -1 : (long)(p - buf);
}

static void
same_head(const char *ba, const struct up_head *a, const char *bb,
    const struct up_head *b)
{
	size_t i;

	CHECK(a->head_len == b->head_len);
	CHECK(a->minor_version == b->minor_version);
	CHECK(a->status == b->status);
	CHECK(off(ba, a->reason) == off(bb, b->reason));
	CHECK(a->reason_len == b->reason_len);
	CHECK(off(ba, a->method) == off(bb, b->method));
	CHECK(a->method_len == b->method_len);
	CHECK(off(ba, a->target) == off(bb, b->target));
	CHECK(a->target_len == b->target_len);
	CHECK(a->nheaders == b->nheaders);
	for (i = 0; i < a->nheaders; i++) {
		CHECK(off(ba, a->headers[i].name) ==
		    off(bb, b->headers[i].name));
		CHECK(a->headers[i].name_len == b->headers[i].name_len);
		CHECK(off(ba, a->headers[i].value) ==
		    off(bb, b->headers[i].value));
		CHECK(a->headers[i].value_len == b->headers[i].value_len);
	}
	CHECK(memcmp(ba, bb, a->head_len) == 0);
}

/* A reference for up_has_token: split at commas, trim, compare. */
static int
ref_has_token(const char *v, size_t len, const char *token)
{
	size_t tlen = strlen(token), s = 0, e, a, b;

	for (;;) {
		for (e = s; e < len && v[e] != ','; e++)
			;
		a = s;
		b = e;
		while (a < b && (v[a] == ' ' || v[a] == '\t'))
			a++;
		while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
			b--;
		if (tlen > 0 && same_name(v + a, b - a, token, tlen))
			return 1;
		if (e >= len)
			return 0;
		s = e + 1;
	}
}

static void
check_why(const char *why, size_t cap)
{
	size_t i;

	CHECK(memchr(why, '\0', cap) != NULL);
	for (i = 0; why[i] != '\0'; i++)
		CHECK((unsigned char)why[i] >= 0x20 &&
		    (unsigned char)why[i] != 0x7f);
}

/* A complete head keeps the contract; in is what was received. */
static void
check_head(const char *buf, const uint8_t *in, size_t len,
    const struct up_head *h, long r, int request)
{
	static char joined[UP_MAX_HEAD * 2], name[UP_MAX_HEAD];
	const struct up_header *f, *g;
	size_t i, j, n, at;

	CHECK(r > 0 && (size_t)r <= len && r <= UP_MAX_HEAD);
	CHECK(h->head_len == (size_t)r && buf[r - 1] == '\n');
	CHECK(h->minor_version == 0 || h->minor_version == 1);
	if (request) {
		CHECK(h->method != NULL && h->method_len > 0);
		CHECK(h->target != NULL && h->target_len > 0);
		CHECK(h->status == 0 && h->reason == NULL);
	} else {
		CHECK(h->status >= 100 && h->status <= 999);
		CHECK(h->reason != NULL && h->method == NULL &&
		    h->target == NULL);
	}
	/* only folds are rewritten, nothing after the head */
	for (i = 0; i < (size_t)r; i++)
		CHECK(buf[i] == (char)in[i] ||
		    (buf[i] == ' ' && (in[i] == '\r' || in[i] == '\n')));
	CHECK(memcmp(buf + r, in + r, len - (size_t)r) == 0);

	CHECK(h->nheaders <= UP_MAX_HEADERS);
	for (i = 0; i < h->nheaders; i++) {
		f = &h->headers[i];
		CHECK(f->name >= buf && f->name + f->name_len <= buf + r);
		CHECK(f->value >= buf && f->value + f->value_len <= buf + r);
		CHECK(f->name_len > 0);
		for (j = 0; j < f->name_len; j++)
			CHECK(tchar((unsigned char)f->name[j]));
		for (j = 0; j < f->value_len; j++)
			CHECK(((unsigned char)f->value[j] >= 0x20 ||
			    f->value[j] == '\t') && f->value[j] != 0x7f);
		if (f->value_len > 0) {
			CHECK(f->value[0] != ' ' && f->value[0] != '\t');
			CHECK(f->value[f->value_len - 1] != ' ' &&
			    f->value[f->value_len - 1] != '\t');
		}
		CHECK(!up_has_token(f->value, f->value_len, "upgrade") ==
		    !ref_has_token(f->value, f->value_len, "upgrade"));
		CHECK(!up_has_token(f->value, f->value_len, "websocket") ==
		    !ref_has_token(f->value, f->value_len, "websocket"));

		/* up_find, up_count and up_get against a walk here */
		memcpy(name, f->name, f->name_len);
		name[f->name_len] = '\0';
		g = NULL;
		n = 0;
		at = 0;
		for (j = 0; j < h->nheaders; j++) {
			if (!same_name(h->headers[j].name,
			    h->headers[j].name_len, name, f->name_len))
				continue;
			g = up_find(h, name, g);
			CHECK(g == &h->headers[j]);
			if (n++ > 0) {
				memcpy(joined + at, ", ", 2);
				at += 2;
			}
			memcpy(joined + at, g->value, g->value_len);
			at += g->value_len;
		}
		CHECK(up_find(h, name, g) == NULL);
		CHECK(up_count(h, name) == n && n >= 1);
		joined[at] = '\0';
		{
			static char got[UP_MAX_HEAD * 2 + 1];
			size_t cap = 1 + at % 7;

			CHECK(up_get(h, name, got, sizeof(got)) == n);
			CHECK(strcmp(got, joined) == 0);
			CHECK(up_get(h, name, got, cap) == n);
			CHECK(strlen(got) == (at < cap - 1 ? at : cap - 1));
			CHECK(memcmp(got, joined, strlen(got)) == 0);
		}
	}
}

/* A NUL-terminated copy of a slice without trailing white space (a list
 * joined from headers ends in ", " when the last one is empty, and the
 * parser trims that); NULL stays NULL. */
static char *
cstr(const char *p, size_t n)
{
	char *s;

	if (p == NULL)
		return NULL;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	s = malloc(n + 1);
	CHECK(s != NULL);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static void
check_response(const struct up_head *h, size_t cap_sel)
{
	static const char *const offered[] = { "chat", "superchat" };
	char why[256];
	size_t cap = 1 + cap_sel % sizeof(why);
	const struct up_header *f;
	int r;

	r = up_check_response(h, SAMPLE_KEY, offered, 2, why, sizeof(why));
	CHECK(r == 0 || r == -1);
	if (r == -1)
		check_why(why, sizeof(why));
	else {
		CHECK(h->status == 101);
		f = up_find(h, "Sec-WebSocket-Accept", NULL);
		CHECK(f != NULL && f->value_len == UP_ACCEPT_LEN &&
		    memcmp(f->value, SAMPLE_ACCEPT, UP_ACCEPT_LEN) == 0);
	}
	CHECK(up_check_response(h, SAMPLE_KEY, offered, 2, why, cap) == r);
	if (r == -1)
		check_why(why, cap);
	/* another key passes only with its own accept value */
	if (up_check_response(h, "x3JJHMbDL1EzLkh9GBhXDw==", NULL, 0, why,
	    sizeof(why)) == 0) {
		f = up_find(h, "Sec-WebSocket-Accept", NULL);
		CHECK(f->value_len == UP_ACCEPT_LEN && memcmp(f->value,
		    "HSmrc0sMlYUkAGmm5OPpG2HaGWk=", UP_ACCEPT_LEN) == 0);
	} else
		check_why(why, sizeof(why));
}

/* The valid request h offered o: answer it and ask it again. */
static void
roundtrip_request(const struct up_head *h, const struct up_offer *o)
{
	static char out[UP_MAX_HEAD * 2], lists[UP_MAX_HEAD];
	struct up_request rq;
	struct up_offer o2;
	char why[256], *key, *target, *host, *origin, *ext, *proto;
	const struct up_header *f;
	long n, r;

	key = cstr(o->key, o->key_len);
	n = up_build_101(out, sizeof(out), o->key, o->key_len, NULL, NULL,
	    NULL, 0);
	CHECK(n > 0);
	r = up_parse_response(out, (size_t)n, &built);
	CHECK(r == n);
	CHECK(up_check_response(&built, key, NULL, 0, why, sizeof(why)) == 0);

	f = up_find(h, "Host", NULL);
	target = cstr(h->target, h->target_len);
	host = cstr(f->value, f->value_len);
	origin = cstr(o->origin, o->origin_len);
	ext = o->extensions != NULL ? cstr(o->extensions,
	    strlen(o->extensions)) : NULL;
	proto = o->protocols != NULL ? cstr(o->protocols,
	    strlen(o->protocols)) : NULL;
	memset(&rq, 0, sizeof(rq));
	rq.host = host;
	rq.target = target;
	rq.key = key;
	rq.protocols = (const char *const *)&proto;
	rq.nprotocols = proto != NULL;
	rq.extensions = ext;
	rq.origin = origin;
	n = up_build_request(out, sizeof(out), &rq);
	CHECK(n > 0);
	r = up_parse_request(out, (size_t)n, &built);
	/* CRLF and "Name: " where the original had LF and "Name:" can make
	 * the rebuilt head a little longer */
	if (n > UP_MAX_HEAD) {
		CHECK(r == UP_ERR_TOO_LONG);
		goto done;
	}
	CHECK(r == n);
	CHECK(up_check_request(&built, &o2, lists, sizeof(lists), why,
	    sizeof(why)) == 0);
	CHECK(o2.key_len == o->key_len &&
	    memcmp(o2.key, o->key, o->key_len) == 0);
	CHECK((o2.origin == NULL) == (o->origin == NULL));
	CHECK(o2.origin_len == o->origin_len &&
	    (o->origin == NULL ||
	    memcmp(o2.origin, o->origin, o->origin_len) == 0));
	CHECK((o2.protocols == NULL) == (proto == NULL));
	CHECK(proto == NULL || strcmp(o2.protocols, proto) == 0);
	CHECK((o2.extensions == NULL) == (ext == NULL));
	CHECK(ext == NULL || strcmp(o2.extensions, ext) == 0);
done:
	free(key);
	free(target);
	free(host);
	free(origin);
	free(ext);
	free(proto);
}

static void
check_request(const struct up_head *h, size_t cap_sel)
{
	static char lists[UP_MAX_HEAD * 2], out[512];
	struct up_offer o;
	char why[256];
	size_t cap = 1 + cap_sel % sizeof(why), i;
	int r;
	long n;

	r = up_check_request(h, &o, lists, sizeof(lists), why, sizeof(why));
	CHECK(r == 0 || r == 400 || r == 405 || r == 426 || r == 431);
	if (r != 0) {
		check_why(why, sizeof(why));
		CHECK(up_check_request(h, &o, lists, sizeof(lists), why,
		    cap) == r);
		check_why(why, cap);
		n = up_build_error(out, sizeof(out), r, why);
		CHECK(n > 0);
		CHECK(up_parse_response(out, (size_t)n, &built) > 0);
		CHECK(built.status == r);
		return;
	}
	CHECK(h->method_len == 3 && memcmp(h->method, "GET", 3) == 0);
	CHECK(o.key != NULL && o.key_len == UP_KEY_LEN);
	for (i = 0; i < UP_KEY_LEN; i++)
		CHECK(o.key[i] != '\0');
	roundtrip_request(h, &o);
}

/* Resumed parses of in[0..len) give what the whole parse gave (ra). */
static void
run_resumed(int request, const uint8_t *in, size_t len, size_t split,
    const char *a, long ra)
{
	char *b = dup_bytes(in, split), *c = dup_bytes(in, len), why[300];
	long r;
	size_t k, i;

	/* the prefix in one buffer, the whole in another: the buffer moved */
	up_parser_init(&parser, request);
	r = up_parse(&parser, b, split, &resumed);
	CHECK(r == UP_INCOMPLETE || r == ra);
	CHECK(parser.pos <= split);
	if (r > 0) {
		/* complete (and unfolded) in the prefix's buffer */
		same_head(a, &whole, b, &resumed);
	} else {
		r = up_parse(&parser, c, len, &resumed);
		CHECK(r == ra);
		if (ra > 0)
			same_head(a, &whole, c, &resumed);
	}
	free(c);

	/* a byte at a time: each call looks at its new byte only */
	c = dup_bytes(in, len);
	up_parser_init(&parser, request);
	r = UP_INCOMPLETE;
	for (k = 0; k <= len && r == UP_INCOMPLETE; k++) {
		r = up_parse(&parser, c, k, &resumed);
		if (r == UP_INCOMPLETE)
			CHECK(parser.pos == (k < UP_MAX_HEAD ? k : UP_MAX_HEAD));
	}
	CHECK(r == ra);
	if (ra > 0)
		same_head(a, &whole, c, &resumed);
	if (ra == UP_ERR_SYNTAX) {
		memset(why, 'x', sizeof why);
		up_parse_why(&parser, c, len, why, sizeof why);
		CHECK(memchr(why, '\0', sizeof why) != NULL);
		for (i = 0; why[i] != '\0'; i++)
			CHECK((unsigned char)why[i] >= 0x20 &&
			    (unsigned char)why[i] != 0x7f);
	}
	free(b);
	free(c);
}

/* Parse in[0..len) whole, split and grown; check and return the result. */
static void
run(parse_fn fn, int request, const uint8_t *in, size_t len, size_t split,
    size_t cap_sel)
{
	char *a, *b, *c;
	long ra, rb, rc;

	a = dup_bytes(in, len);
	ra = fn(a, len, &whole);
	CHECK(ra <= (long)len && ra >= UP_ERR_VERSION);
	CHECK(up_strerror(ra) != NULL);
	if (len >= UP_MAX_HEAD)
		CHECK(ra != UP_INCOMPLETE);

	b = dup_bytes(in, split);
	rb = fn(b, split, &prefix);
	if (ra > 0 && (long)split >= ra) {
		CHECK(rb == ra);
		same_head(a, &whole, b, &prefix);
	} else {
		CHECK(rb == UP_INCOMPLETE || rb == ra);
		if (rb == UP_INCOMPLETE)
			CHECK(split == 0 || memcmp(b, in, split) == 0);
	}

	c = dup_bytes(in, len);
	fn(c, split, &grown);
	rc = fn(c, len, &grown);
	CHECK(rc == ra);

	run_resumed(request, in, len, split, a, ra);

	if (ra > 0) {
		same_head(a, &whole, c, &grown);
		check_head(a, in, len, &whole, ra, request);
		/* parsing the unfolded head again changes nothing */
		CHECK(fn(a, len, &again) == ra);
		same_head(a, &whole, a, &again);
		if (request)
			check_request(&whole, cap_sel);
		else
			check_response(&whole, cap_sel);
	} else {
		CHECK(len == 0 || memcmp(a, in, len) == 0);
	}
	free(a);
	free(b);
	free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sel, split;

	if (size < 2)
		return 0;
	sel = (size_t)data[0] | (size_t)data[1] << 8;
	data += 2;
	size -= 2;
	split = sel % (size + 1);
	run(up_parse_response, 0, data, size, split, sel);
	run(up_parse_request, 1, data, size, split, sel);
	return 0;
}
