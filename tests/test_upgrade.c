/*
 * test_upgrade.c - unit tests for upgrade.c, the HTTP/1.1 upgrade of
 * RFC 6455 section 4.
 *
 * Parser inputs go through parse_all(), which parses the input placed
 * against the end of a readable page (the next page is PROT_NONE, so a read
 * past the last byte crashes), then every prefix of it placed the same way,
 * then the whole again in a buffer where a prefix was parsed first, as a
 * caller growing its buffer does. It fails unless every prefix gives
 * UP_INCOMPLETE or the whole input's error, a partial head is left
 * unmodified, and every complete parse gives the same head. Then the same
 * through a resumed parse (struct up_parser): a byte at a time with the
 * buffer moving on every call, and in two pieces split at every offset;
 * each call may look only at the bytes it had not seen.
 *
 * Run with CMOCKA_MESSAGE_OUTPUT=TAP for output that prove(1) understands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "upgrade.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 6455 1.3 and 4.2.2 */
#define SAMPLE_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define SAMPLE_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

typedef long (*parse_fn)(char *, size_t, struct up_head *);

static const char RESP_101[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"
    "Sec-WebSocket-Protocol: chat\r\n"
    "\r\n";

/* What Chrome 120 sends, key replaced by the RFC's sample. */
static const char REQ_CHROME[] =
    "GET /chat?room=1 HTTP/1.1\r\n"
    "Host: example.com:8080\r\n"
    "Connection: Upgrade\r\n"
    "Pragma: no-cache\r\n"
    "Cache-Control: no-cache\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n"
    "Upgrade: websocket\r\n"
    "Origin: http://example.com:8080\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "Sec-WebSocket-Key: " SAMPLE_KEY "\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    "\r\n";

/* What Firefox 121 sends. */
static const char REQ_FIREFOX[] =
    "GET /chat HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 "
    "Firefox/121.0\r\n"
    "Accept: */*\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Protocol: chat, superchat\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate\r\n"
    "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Sec-Fetch-Dest: websocket\r\n"
    "Sec-Fetch-Mode: websocket\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Pragma: no-cache\r\n"
    "Cache-Control: no-cache\r\n"
    "Upgrade: websocket\r\n"
    "\r\n";

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	assert_non_null(p);
	return p;
}

/* ------------------------------------------------- guarded buffers */

/* len bytes that end where a PROT_NONE page starts. */
struct guard {
	char *p;
	void *map;
	size_t maplen;
};

static char *
guard_alloc(struct guard *g, const char *in, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t n = (len + pg - 1) / pg;
	char *base;

	if (n == 0)
		n = 1;
	g->maplen = (n + 1) * pg;
	g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->map != MAP_FAILED);
	base = g->map;
	assert_int_equal(mprotect(base + n * pg, pg, PROT_NONE), 0);
	g->p = base + n * pg - len;
	if (len > 0)
		memcpy(g->p, in, len);
	return g->p;
}

static void
guard_free(struct guard *g)
{
	munmap(g->map, g->maplen);
}

/* -------------------------------------------------- parsing harness */

struct parsed {
	long r;
	struct guard g;   /* the input, as the parser left it */
	size_t len;
	struct up_head h;
};

static ptrdiff_t
off(const char *buf, const char *p)
{
	return p == NULL ? -1 : p - buf;
}

/* Two parses of the same input agree, slices compared as offsets. */
static void
assert_same_head(const char *ba, const struct up_head *a, const char *bb,
    const struct up_head *b)
{
	size_t i;

	assert_int_equal(a->head_len, b->head_len);
	assert_int_equal(a->minor_version, b->minor_version);
	assert_int_equal(a->status, b->status);
	assert_int_equal(off(ba, a->reason), off(bb, b->reason));
	assert_int_equal(a->reason_len, b->reason_len);
	assert_int_equal(off(ba, a->method), off(bb, b->method));
	assert_int_equal(a->method_len, b->method_len);
	assert_int_equal(off(ba, a->target), off(bb, b->target));
	assert_int_equal(a->target_len, b->target_len);
	assert_int_equal(a->nheaders, b->nheaders);
	for (i = 0; i < a->nheaders; i++) {
		assert_int_equal(off(ba, a->headers[i].name),
		    off(bb, b->headers[i].name));
		assert_int_equal(a->headers[i].name_len,
		    b->headers[i].name_len);
		assert_int_equal(off(ba, a->headers[i].value),
		    off(bb, b->headers[i].value));
		assert_int_equal(a->headers[i].value_len,
		    b->headers[i].value_len);
	}
	assert_memory_equal(ba, bb, a->head_len);
}

/* The contract of a complete head, whatever the input. */
static void
assert_head_sane(const char *buf, const struct up_head *h, long r)
{
	size_t i, j;

	assert_true(r > 0 && r <= UP_MAX_HEAD);
	assert_int_equal(h->head_len, (size_t)r);
	assert_true(buf[r - 1] == '\n');
	assert_true(h->nheaders <= UP_MAX_HEADERS);
	for (i = 0; i < h->nheaders; i++) {
		const struct up_header *f = &h->headers[i];

		assert_true(f->name_len > 0);
		assert_true(f->name >= buf && f->name + f->name_len <= buf + r);
		assert_true(f->value >= buf &&
		    f->value + f->value_len <= buf + r);
		for (j = 0; j < f->value_len; j++)
			assert_true(f->value[j] != '\r' && f->value[j] != '\n');
		if (f->value_len > 0) {
			assert_true(f->value[0] != ' ' && f->value[0] != '\t');
			assert_true(f->value[f->value_len - 1] != ' ' &&
			    f->value[f->value_len - 1] != '\t');
		}
	}
}

/* The resumed parses of in[0..len) agree with the whole one. */
static void
parse_resumed(int request, const char *in, size_t len,
    const struct parsed *whole)
{
	struct up_parser *ps = xmalloc(sizeof(*ps));
	struct up_head *t = xmalloc(sizeof(*t));
	struct guard g;
	size_t k, looked = 0;
	long r = UP_INCOMPLETE;

	/* a byte at a time, each call in a new buffer ending at a page */
	up_parser_init(ps, request);
	for (k = 0; k <= len; k++) {
		guard_alloc(&g, in, k);
		r = up_parse(ps, g.p, k, t);
		assert_true(ps->pos >= looked && ps->pos <= k);
		looked = ps->pos;
		if (r == UP_INCOMPLETE) {
			assert_true(whole->r == UP_INCOMPLETE ||
			    (long)k < whole->r || whole->r < 0);
			/* every new byte was looked at, and only those */
			assert_int_equal(ps->pos, k);
			if (k > 0)
				assert_memory_equal(g.p, in, k);
			guard_free(&g);
			continue;
		}
		assert_int_equal(r, whole->r);
		if (r > 0) {
			assert_int_equal(k, (size_t)r);
			assert_same_head(whole->g.p, &whole->h, g.p, t);
			/* done is done: again with this buffer */
			assert_int_equal(up_parse(ps, g.p, k, t), r);
			assert_same_head(whole->g.p, &whole->h, g.p, t);
		} else {
			guard_free(&g);
			guard_alloc(&g, in, len);
			assert_int_equal(up_parse(ps, g.p, len, t), r);
		}
		guard_free(&g);
		break;
	}
	assert_int_equal(r, whole->r);

	/* two pieces: k bytes, then all, in the same buffer */
	for (k = 0; k < len; k++) {
		guard_alloc(&g, in, len);
		up_parser_init(ps, request);
		r = up_parse(ps, g.p, k, t);
		assert_true(r == UP_INCOMPLETE || r == whole->r);
		assert_int_equal(up_parse(ps, g.p, len, t), whole->r);
		if (whole->r > 0)
			assert_same_head(whole->g.p, &whole->h, g.p, t);
		guard_free(&g);
	}
	free(t);
	free(ps);
}

/*
 * Parse in[0..len) whole, every prefix on its own, and whole after each
 * prefix in the same buffer, then resumed; everything must agree (see the
 * top of the file). Returns the whole parse; the caller frees it with
 * parsed_free().
 */
static struct parsed *
parse_all(parse_fn fn, const char *in, size_t len)
{
	struct parsed *p = xmalloc(sizeof(*p));
	struct up_head *t = xmalloc(sizeof(*t));
	struct guard g;
	size_t k;
	long rk;
	int failed = 0;

	p->len = len;
	guard_alloc(&p->g, in, len);
	p->r = fn(p->g.p, len, &p->h);
	assert_true(p->r <= (long)len);
	if (p->r > 0) {
		assert_head_sane(p->g.p, &p->h, p->r);
		/* parsing the (unfolded) result again changes nothing */
		assert_int_equal(fn(p->g.p, len, t), p->r);
		assert_same_head(p->g.p, &p->h, p->g.p, t);
	}

	for (k = 0; k < len; k++) {
		guard_alloc(&g, in, k);
		rk = fn(g.p, k, t);
		if (p->r > 0 && (long)k >= p->r) {
			assert_int_equal(rk, p->r);
			assert_same_head(p->g.p, &p->h, g.p, t);
		} else {
			if (failed)
				assert_int_equal(rk, p->r);
			else if (rk != UP_INCOMPLETE)
				assert_int_equal(rk, p->r);
			failed = rk < 0;
			/* a partial head is not touched */
			if (k > 0)
				assert_memory_equal(g.p, in, k);
		}
		guard_free(&g);

		guard_alloc(&g, in, len);
		fn(g.p, k, t);
		assert_int_equal(fn(g.p, len, t), p->r);
		if (p->r > 0)
			assert_same_head(p->g.p, &p->h, g.p, t);
		guard_free(&g);
	}
	free(t);
	parse_resumed(fn == up_parse_request, in, len, p);
	return p;
}

static void
parsed_free(struct parsed *p)
{
	guard_free(&p->g);
	free(p);
}

/* A head that must parse completely, parsed once (no splitting). */
static struct parsed *
parse1(parse_fn fn, const char *in)
{
	struct parsed *p = xmalloc(sizeof(*p));

	p->len = strlen(in);
	guard_alloc(&p->g, in, p->len);
	p->r = fn(p->g.p, p->len, &p->h);
	assert_int_equal(p->r, (long)p->len);
	return p;
}

static void
assert_slice(const char *p, size_t len, const char *want)
{
	assert_non_null(p);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(p, want, len);
}

static void
assert_header(const struct up_head *h, size_t i, const char *name,
    const char *value)
{
	assert_true(i < h->nheaders);
	assert_slice(h->headers[i].name, h->headers[i].name_len, name);
	assert_slice(h->headers[i].value, h->headers[i].value_len, value);
}

/* in must parse as a whole with every split to err. */
static void
expect_error(parse_fn fn, const char *in, long err)
{
	struct parsed *p = parse_all(fn, in, strlen(in));

	if (p->r != err)
		print_error("input \"%s\": got %ld, want %ld\n", in, p->r, err);
	assert_int_equal(p->r, err);
	parsed_free(p);
}

/* ------------------------------------------------------------- keys */

static void
accept_rfc6455_sample_key(void **state)
{
	char out[UP_ACCEPT_LEN + 1];

	up_accept(SAMPLE_KEY, strlen(SAMPLE_KEY), out);
	assert_string_equal(out, SAMPLE_ACCEPT);
	up_accept("x3JJHMbDL1EzLkh9GBhXDw==", UP_KEY_LEN, out);
	assert_string_equal(out, "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
	/* only key[0..len) counts */
	up_accept(SAMPLE_KEY "trailing", UP_KEY_LEN, out);
	assert_string_equal(out, SAMPLE_ACCEPT);
}

static void
key_from_rfc6455_sample_nonce(void **state)
{
	char out[UP_KEY_LEN + 1];
	uint8_t zero[16] = { 0 };

	/* RFC 6455 4.1: the sample key is the base64 of this nonce */
	up_key((const uint8_t *)"the sample nonce", out);
	assert_string_equal(out, SAMPLE_KEY);
	up_key(zero, out);
	assert_string_equal(out, "AAAAAAAAAAAAAAAAAAAAAA==");
}

/* -------------------------------------------------------- responses */

static void
response_101_fields(void **state)
{
	struct parsed *p = parse_all(up_parse_response, RESP_101,
	    strlen(RESP_101));

	assert_int_equal(p->r, (long)strlen(RESP_101));
	assert_int_equal(p->h.minor_version, 1);
	assert_int_equal(p->h.status, 101);
	assert_slice(p->h.reason, p->h.reason_len, "Switching Protocols");
	assert_null(p->h.method);
	assert_null(p->h.target);
	assert_int_equal(p->h.nheaders, 4);
	assert_header(&p->h, 0, "Upgrade", "websocket");
	assert_header(&p->h, 1, "Connection", "Upgrade");
	assert_header(&p->h, 2, "Sec-WebSocket-Accept", SAMPLE_ACCEPT);
	assert_header(&p->h, 3, "Sec-WebSocket-Protocol", "chat");
	parsed_free(p);
}

/* The head ends at the blank line; a body or first frame after it is
 * the caller's, and splitting anywhere in it changes nothing. */
static void
response_split_at_every_offset(void **state)
{
	static const char in[] =
	    "HTTP/1.1 404 Not Found\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 10\r\n"
	    "\r\n"
	    "not found\n";
	struct parsed *p = parse_all(up_parse_response, in, strlen(in));

	assert_int_equal(p->r, (long)strlen(in) - 10);
	assert_int_equal(p->h.status, 404);
	assert_slice(p->h.reason, p->h.reason_len, "Not Found");
	assert_int_equal(p->h.nheaders, 2);
	assert_header(&p->h, 1, "Content-Length", "10");
	parsed_free(p);

	p = parse_all(up_parse_response, RESP_101, strlen(RESP_101));
	assert_int_equal(p->r, (long)strlen(RESP_101));
	parsed_free(p);
}

static void
response_http10_and_empty_reason(void **state)
{
	static const char reason[] =
	    "HTTP/1.1 999 Very\tcustom \xc3\xa9 \r\n\r\n";
	struct parsed *p;

	p = parse_all(up_parse_response, "HTTP/1.0 200 \r\n\r\n", 17);
	assert_int_equal(p->r, 17);
	assert_int_equal(p->h.minor_version, 0);
	assert_int_equal(p->h.status, 200);
	assert_int_equal(p->h.reason_len, 0);
	assert_non_null(p->h.reason);
	assert_int_equal(p->h.nheaders, 0);
	parsed_free(p);

	/* the SP before an empty reason left out, as some servers do */
	p = parse_all(up_parse_response, "HTTP/1.1 101\r\n\r\n", 16);
	assert_int_equal(p->r, 16);
	assert_int_equal(p->h.status, 101);
	assert_int_equal(p->h.reason_len, 0);
	parsed_free(p);

	/* a reason may hold spaces, tabs and obs-text */
	p = parse_all(up_parse_response, reason, strlen(reason));
	assert_int_equal(p->r, (long)strlen(reason));
	assert_int_equal(p->h.status, 999);
	assert_slice(p->h.reason, p->h.reason_len, "Very\tcustom \xc3\xa9 ");
	parsed_free(p);
}

static void
bare_lf_line_ends(void **state)
{
	static const char in[] =
	    "HTTP/1.1 101 Switching Protocols\n"
	    "Upgrade: websocket\n"
	    "Connection: Upgrade\n"
	    "\n";
	static const char mixed[] =
	    "GET / HTTP/1.1\n"
	    "Host: a\r\n"
	    "Upgrade: websocket\n"
	    "\r\n";
	struct parsed *p = parse_all(up_parse_response, in, strlen(in));

	assert_int_equal(p->r, (long)strlen(in));
	assert_int_equal(p->h.nheaders, 2);
	assert_slice(p->h.reason, p->h.reason_len, "Switching Protocols");
	assert_header(&p->h, 0, "Upgrade", "websocket");
	assert_header(&p->h, 1, "Connection", "Upgrade");
	parsed_free(p);

	p = parse_all(up_parse_request, mixed, strlen(mixed));
	assert_int_equal(p->r, (long)strlen(mixed));
	assert_int_equal(p->h.nheaders, 2);
	assert_header(&p->h, 0, "Host", "a");
	assert_header(&p->h, 1, "Upgrade", "websocket");
	parsed_free(p);
}

static void
header_value_white_space_trimmed(void **state)
{
	static const char in[] =
	    "HTTP/1.1 200 OK\r\n"
	    "A:x\r\n"
	    "B: \t  spaced  out \t \r\n"
	    "C:\r\n"
	    "D:   \r\n"
	    "E: \xff obs-text \x80\r\n"
	    "\r\n";
	struct parsed *p = parse_all(up_parse_response, in, strlen(in));

	assert_int_equal(p->r, (long)strlen(in));
	assert_int_equal(p->h.nheaders, 5);
	assert_header(&p->h, 0, "A", "x");
	assert_header(&p->h, 1, "B", "spaced  out");
	assert_header(&p->h, 2, "C", "");
	assert_header(&p->h, 3, "D", "");
	assert_header(&p->h, 4, "E", "\xff obs-text \x80");
	parsed_free(p);
}

/* Each CR and LF of a fold becomes a space, once the head is complete;
 * parse_all checks that a partial head is left alone. */
static void
folded_header_value(void **state)
{
	static const char in[] =
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "X-Long: first\r\n"
	    " second\r\n"
	    "\tthird\r\n"
	    "Upgrade: websocket\r\n"
	    "\r\n";
	static const char want[] =
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "X-Long: first   second  \tthird\r\n"
	    "Upgrade: websocket\r\n"
	    "\r\n";
	struct parsed *p = parse_all(up_parse_response, in, strlen(in));

	assert_int_equal(p->r, (long)strlen(in));
	assert_int_equal(p->h.nheaders, 2);
	assert_header(&p->h, 0, "X-Long", "first   second  \tthird");
	assert_header(&p->h, 1, "Upgrade", "websocket");
	assert_memory_equal(p->g.p, want, strlen(want));
	parsed_free(p);
}

static void
folded_header_bare_lf_and_edges(void **state)
{
	static const char in[] =
	    "GET / HTTP/1.1\n"
	    "A: a\n"
	    " b\n"
	    "B:\r\n"
	    "   lead\r\n"
	    "C: c\r\n"
	    "  \r\n"
	    "\r\n";
	static const char want[] =
	    "GET / HTTP/1.1\n"
	    "A: a  b\n"
	    "B:     lead\r\n"
	    "C: c    \r\n"
	    "\r\n";
	struct parsed *p = parse_all(up_parse_request, in, strlen(in));

	assert_int_equal(p->r, (long)strlen(in));
	assert_int_equal(p->h.nheaders, 3);
	assert_header(&p->h, 0, "A", "a  b");
	assert_header(&p->h, 1, "B", "lead");
	assert_header(&p->h, 2, "C", "c");
	assert_memory_equal(p->g.p, want, strlen(want));
	parsed_free(p);
}

/* The bytes after the head are not the parser's: a fold-like line after
 * the blank line is left as it is. */
static void
fold_after_head_not_touched(void **state)
{
	static const char in[] = "HTTP/1.1 101 OK\r\nA: b\r\n\r\n x\r\n y";
	struct parsed *p = parse_all(up_parse_response, in, strlen(in));

	assert_int_equal(p->r, 25);
	assert_memory_equal(p->g.p, in, strlen(in));
	parsed_free(p);
}

static void
repeated_headers_find_count_get(void **state)
{
	static const char in[] =
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Sec-WebSocket-Protocol: chat\r\n"
	    "X-Other: 1\r\n"
	    "sec-websocket-PROTOCOL: superchat\r\n"
	    "SEC-WEBSOCKET-PROTOCOL:\r\n"
	    "\r\n";
	struct parsed *p = parse_all(up_parse_response, in, strlen(in));
	const struct up_header *f;
	char out[64];

	assert_int_equal(p->r, (long)strlen(in));
	assert_int_equal(up_count(&p->h, "Sec-WebSocket-Protocol"), 3);
	assert_int_equal(up_count(&p->h, "x-other"), 1);
	assert_int_equal(up_count(&p->h, "X-Other2"), 0);
	assert_int_equal(up_count(&p->h, "X-Othe"), 0);

	f = up_find(&p->h, "sec-websocket-protocol", NULL);
	assert_ptr_equal(f, &p->h.headers[0]);
	f = up_find(&p->h, "sec-websocket-protocol", f);
	assert_ptr_equal(f, &p->h.headers[2]);
	f = up_find(&p->h, "sec-websocket-protocol", f);
	assert_ptr_equal(f, &p->h.headers[3]);
	assert_null(up_find(&p->h, "sec-websocket-protocol", f));
	assert_null(up_find(&p->h, "Upgrade", NULL));

	assert_int_equal(up_get(&p->h, "Sec-WebSocket-Protocol", out,
	    sizeof(out)), 3);
	assert_string_equal(out, "chat, superchat, ");
	assert_int_equal(up_get(&p->h, "X-Other", out, sizeof(out)), 1);
	assert_string_equal(out, "1");
	assert_int_equal(up_get(&p->h, "Missing", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	parsed_free(p);
}

static void
up_get_truncates_at_every_cap(void **state)
{
	static const char in[] =
	    "HTTP/1.1 200 OK\r\nA: chat\r\nA: superchat\r\n\r\n";
	static const char full[] = "chat, superchat";
	struct parsed *p = parse1(up_parse_response, in);
	char out[32];
	size_t cap;

	for (cap = 0; cap <= sizeof(full) + 2; cap++) {
		memset(out, '#', sizeof(out));
		assert_int_equal(up_get(&p->h, "a", out, cap), 2);
		if (cap == 0) {
			assert_int_equal(out[0], '#');
			continue;
		}
		/* the longest prefix that fits, NUL-terminated, no more */
		assert_int_equal(strlen(out), cap - 1 < strlen(full) ?
		    cap - 1 : strlen(full));
		assert_memory_equal(out, full, strlen(out));
		assert_int_equal(out[strlen(out) + 1], '#');
	}
	parsed_free(p);
}

static void
has_token_cases(void **state)
{
	static const struct {
		const char *v;
		const char *token;
		int want;
	} t[] = {
		{ "Upgrade", "upgrade", 1 },
		{ "upgrade", "Upgrade", 1 },
		{ "UPGRADE", "upgrade", 1 },
		{ "keep-alive, Upgrade", "upgrade", 1 },
		{ "keep-alive,Upgrade", "upgrade", 1 },
		{ "Upgrade, keep-alive", "upgrade", 1 },
		{ " \tupgrade \t", "upgrade", 1 },
		{ ",, upgrade ,,", "upgrade", 1 },
		{ "upgrade2", "upgrade", 0 },
		{ "xupgrade", "upgrade", 0 },
		{ "upgrade-x, keep-alive", "upgrade", 0 },
		{ "up grade", "upgrade", 0 },
		{ "upgrade;q=1", "upgrade", 0 },
		{ "upgrad", "upgrade", 0 },
		{ "keep-alive", "upgrade", 0 },
		{ "", "upgrade", 0 },
		{ ",", "upgrade", 0 },
		{ "a,,b", "", 0 },
		{ "", "", 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		if ((up_has_token(t[i].v, strlen(t[i].v), t[i].token) != 0) !=
		    t[i].want)
			print_error("'%s' has '%s': want %d\n", t[i].v,
			    t[i].token, t[i].want);
		assert_int_equal(up_has_token(t[i].v, strlen(t[i].v),
		    t[i].token) != 0, t[i].want);
	}
	/* only v[0..len) is looked at */
	assert_true(up_has_token("upgrade2", 7, "upgrade"));
	assert_false(up_has_token("upgrade", 6, "upgrade"));
}

/* ---------------------------------------------------------- requests */

static void
request_chrome_fields(void **state)
{
	struct parsed *p = parse_all(up_parse_request, REQ_CHROME,
	    strlen(REQ_CHROME));

	assert_int_equal(p->r, (long)strlen(REQ_CHROME));
	assert_slice(p->h.method, p->h.method_len, "GET");
	assert_slice(p->h.target, p->h.target_len, "/chat?room=1");
	assert_int_equal(p->h.minor_version, 1);
	assert_int_equal(p->h.status, 0);
	assert_null(p->h.reason);
	assert_int_equal(p->h.nheaders, 12);
	assert_header(&p->h, 0, "Host", "example.com:8080");
	assert_header(&p->h, 11, "Sec-WebSocket-Extensions",
	    "permessage-deflate; client_max_window_bits");
	parsed_free(p);
}

static void
request_split_at_every_offset(void **state)
{
	struct parsed *p = parse_all(up_parse_request, REQ_FIREFOX,
	    strlen(REQ_FIREFOX));

	assert_int_equal(p->r, (long)strlen(REQ_FIREFOX));
	assert_int_equal(p->h.nheaders, 17);
	assert_header(&p->h, 10, "Connection", "keep-alive, Upgrade");
	parsed_free(p);

	/* any method token and target; HTTP/1.0 parses (the check refuses) */
	p = parse_all(up_parse_request, "M-SEARCH * HTTP/1.0\r\n\r\n", 23);
	assert_int_equal(p->r, 23);
	assert_slice(p->h.method, p->h.method_len, "M-SEARCH");
	assert_slice(p->h.target, p->h.target_len, "*");
	assert_int_equal(p->h.minor_version, 0);
	parsed_free(p);
}

/* ------------------------------------------------------------ errors */

static void
syntax_errors_response(void **state)
{
	static const char *const in[] = {
		"SSH-2.0-OpenSSH_9.2\r\n",
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
		"\r\nHTTP/1.1 101 OK\r\n\r\n",
		"http/1.1 101 OK\r\n\r\n",
		"HTTP/1.1\r\n\r\n",
		"HTTP/1.1  101 OK\r\n\r\n",
		"HTTP/1.11 101 OK\r\n\r\n",
		"HTTP/1 101 OK\r\n\r\n",
		"HTTP/x.1 101 OK\r\n\r\n",
		"HTTP/1.1 10 OK\r\n\r\n",
		"HTTP/1.1 10\r\n\r\n",
		"HTTP/1.1 1011 OK\r\n\r\n",
		"HTTP/1.1 099 OK\r\n\r\n",
		"HTTP/1.1 1a1 OK\r\n\r\n",
		"HTTP/1.1 101\tOK\r\n\r\n",
		"HTTP/1.1 101 O\x01K\r\n\r\n",
		"HTTP/1.1 101 OK\rX\n\r\n",
		"HTTP/1.1 101 OK\r\nUpgrade websocket\r\n\r\n",
		"HTTP/1.1 101 OK\r\nUpgrade\r\n\r\n",
		"HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n",
		"HTTP/1.1 101 OK\r\nUpgrade\t: websocket\r\n\r\n",
		"HTTP/1.1 101 OK\r\nUp grade: websocket\r\n\r\n",
		"HTTP/1.1 101 OK\r\n: websocket\r\n\r\n",
		"HTTP/1.1 101 OK\r\nUp(grade): websocket\r\n\r\n",
		"HTTP/1.1 101 OK\r\nUp\x80grade: websocket\r\n\r\n",
		"HTTP/1.1 101 OK\r\n folded: first\r\n\r\n",
		"HTTP/1.1 101 OK\r\n\tfolded: first\r\n\r\n",
		"HTTP/1.1 101 OK\r\nA: b\rc\r\n\r\n",
		"HTTP/1.1 101 OK\r\nA: b\r\r\n\r\n",
		"HTTP/1.1 101 OK\r\nA: b\x01\r\n\r\n",
		"HTTP/1.1 101 OK\r\nA: b\x1b[31m\r\n\r\n",
		"HTTP/1.1 101 OK\r\nA: b\x7f\r\n\r\n",
		"HTTP/1.1 101 OK\r\nA: b\r\n\rX",
		"HTTP/1.1 101 OK\r\nA: b\r\n folded\x01\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < NELEM(in); i++)
		expect_error(up_parse_response, in[i], UP_ERR_SYNTAX);
}

/* A NUL is a control byte like any other; strlen() cannot carry it. */
static void
nul_byte_is_syntax(void **state)
{
	static const char in[] = "HTTP/1.1 101 OK\r\nA: b\0c\r\n\r\n";
	static const char req[] = "GET /a\0b HTTP/1.1\r\n\r\n";
	struct parsed *p;

	p = parse_all(up_parse_response, in, sizeof(in) - 1);
	assert_int_equal(p->r, UP_ERR_SYNTAX);
	parsed_free(p);
	p = parse_all(up_parse_request, req, sizeof(req) - 1);
	assert_int_equal(p->r, UP_ERR_SYNTAX);
	parsed_free(p);
}

static void
syntax_errors_request(void **state)
{
	static const char *const in[] = {
		"GET /\r\n\r\n",
		"GET / \r\n\r\n",
		"GET\r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1 \r\n\r\n",
		"GET /  HTTP/1.1\r\n\r\n",
		" GET / HTTP/1.1\r\n\r\n",
		"\r\nGET / HTTP/1.1\r\n\r\n",
		"G(T / HTTP/1.1\r\n\r\n",
		"GET\t/ HTTP/1.1\r\n\r\n",
		"GET /a\001b HTTP/1.1\r\n\r\n",
		"GET /a\x7f HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1x\r\n\r\n",
		"GET / HTTP/1.1\rx\r\n",
		"GET / http/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost example.com\r\n\r\n",
		"GET / HTTP/1.1\r\nHost : example.com\r\n\r\n",
		"GET / HTTP/1.1\r\n Host: example.com\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < NELEM(in); i++)
		expect_error(up_parse_request, in[i], UP_ERR_SYNTAX);
}

static void
version_errors(void **state)
{
	expect_error(up_parse_response, "HTTP/2.0 101 OK\r\n\r\n",
	    UP_ERR_VERSION);
	expect_error(up_parse_response, "HTTP/1.2 101 OK\r\n\r\n",
	    UP_ERR_VERSION);
	expect_error(up_parse_response, "HTTP/0.9 200 OK\r\n\r\n",
	    UP_ERR_VERSION);
	expect_error(up_parse_request, "GET / HTTP/2.0\r\n\r\n",
	    UP_ERR_VERSION);
	expect_error(up_parse_request, "GET / HTTP/3.1\r\n\r\n",
	    UP_ERR_VERSION);
	/* the grammar is checked first: "HTTP/2" alone is not a version */
	expect_error(up_parse_response, "HTTP/2 200 OK\r\n\r\n",
	    UP_ERR_SYNTAX);
}

/* A head of UP_MAX_HEAD bytes, padded in one header's value. */
static char *
head_of(size_t size, const char *end)
{
	static const char start[] = "HTTP/1.1 101 OK\r\nX-Pad: ";
	char *s = xmalloc(size + 1);
	size_t n = strlen(start), e = strlen(end);

	assert_true(size >= n + e);
	memcpy(s, start, n);
	memset(s + n, 'a', size - n - e);
	memcpy(s + size - e, end, e);
	s[size] = '\0';
	return s;
}

static long
parse_guarded(parse_fn fn, const char *in, size_t len, struct up_head *h)
{
	struct guard g;
	long r;

	guard_alloc(&g, in, len);
	r = fn(g.p, len, h);
	guard_free(&g);
	return r;
}

static void
head_too_long(void **state)
{
	struct up_head *h = xmalloc(sizeof(*h));
	char *s, *big;

	/* exactly UP_MAX_HEAD bytes is allowed, whatever follows */
	s = head_of(UP_MAX_HEAD, "\r\n\r\n");
	assert_int_equal(parse_guarded(up_parse_response, s, UP_MAX_HEAD, h),
	    UP_MAX_HEAD);
	assert_int_equal(h->headers[0].value_len, UP_MAX_HEAD - 24 - 4);
	big = xmalloc(UP_MAX_HEAD + 100);
	memcpy(big, s, UP_MAX_HEAD);
	memset(big + UP_MAX_HEAD, 'z', 100);
	assert_int_equal(parse_guarded(up_parse_response, big,
	    UP_MAX_HEAD + 100, h), UP_MAX_HEAD);
	assert_int_equal(parse_guarded(up_parse_response, s, UP_MAX_HEAD - 1,
	    h), UP_INCOMPLETE);
	free(s);

	/* one byte more: too long once UP_MAX_HEAD bytes are there, the
	 * last of them the CR of the final CRLF */
	s = head_of(UP_MAX_HEAD + 1, "\r\n\r\n");
	assert_int_equal(s[UP_MAX_HEAD - 1], '\r');
	assert_int_equal(parse_guarded(up_parse_response, s, UP_MAX_HEAD + 1,
	    h), UP_ERR_TOO_LONG);
	assert_int_equal(parse_guarded(up_parse_response, s, UP_MAX_HEAD, h),
	    UP_ERR_TOO_LONG);
	assert_int_equal(parse_guarded(up_parse_response, s, UP_MAX_HEAD - 1,
	    h), UP_INCOMPLETE);
	free(s);

	/* with bare LF the same head is one byte shorter, so it fits */
	s = head_of(UP_MAX_HEAD, "\n\n");
	assert_int_equal(parse_guarded(up_parse_response, s, UP_MAX_HEAD, h),
	    UP_MAX_HEAD);
	free(s);

	/* an error past the limit is never reached */
	s = head_of(UP_MAX_HEAD + 5, "\x01\r\n\r\n");
	assert_int_equal(s[UP_MAX_HEAD], '\x01');
	assert_int_equal(parse_guarded(up_parse_response, s, UP_MAX_HEAD + 5,
	    h), UP_ERR_TOO_LONG);
	free(s);

	/* nor is the end of a head past it */
	memset(big, 'a', UP_MAX_HEAD + 100);
	memcpy(big, "GET /", 5);
	memcpy(big + UP_MAX_HEAD + 80, " HTTP/1.1\r\n\r\n", 13);
	assert_int_equal(parse_guarded(up_parse_request, big,
	    UP_MAX_HEAD + 100, h), UP_ERR_TOO_LONG);
	free(big);
	free(h);
}

/* n header lines "H<i>: v", then end. */
static char *
headers_of(size_t n, const char *end)
{
	char *s = xmalloc(64 + n * 16 + strlen(end)), *p = s;
	size_t i;

	p += sprintf(p, "HTTP/1.1 101 Switching Protocols\r\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "H%zu: v\r\n", i);
	strcpy(p, end);
	return s;
}

static void
too_many_headers(void **state)
{
	struct up_head *h = xmalloc(sizeof(*h));
	struct parsed *p;
	char *s;
	size_t at;

	s = headers_of(UP_MAX_HEADERS, "\r\n");
	p = parse1(up_parse_response, s);
	assert_int_equal(p->h.nheaders, UP_MAX_HEADERS);
	assert_header(&p->h, UP_MAX_HEADERS - 1, "H99", "v");
	parsed_free(p);
	free(s);

	/* folds continue the 100th header; they are not header lines */
	s = headers_of(UP_MAX_HEADERS, " more\r\n\tand more\r\n\r\n");
	p = parse1(up_parse_response, s);
	assert_header(&p->h, UP_MAX_HEADERS - 1, "H99", "v   more  \tand more");
	parsed_free(p);
	free(s);

	/* the first byte of a 101st header is enough to know */
	s = headers_of(UP_MAX_HEADERS, "X: y\r\n\r\n");
	assert_int_equal(parse_guarded(up_parse_response, s, strlen(s), h),
	    UP_ERR_TOO_MANY);
	at = strlen(s) - 8;
	assert_int_equal(s[at], 'X');
	assert_int_equal(parse_guarded(up_parse_response, s, at + 1, h),
	    UP_ERR_TOO_MANY);
	assert_int_equal(parse_guarded(up_parse_response, s, at, h),
	    UP_INCOMPLETE);
	free(s);

	s = headers_of(UP_MAX_HEADERS + 50, "\r\n");
	assert_int_equal(parse_guarded(up_parse_response, s, strlen(s), h),
	    UP_ERR_TOO_MANY);
	free(s);
	free(h);
}

/* Every prefix of each input, ending at a page boundary, for both
 * parsers: any read past the end is a crash. The prefixes stop in every
 * state: after a CR, after an LF (fold or not?), in a name, in a value. */
static void
input_at_page_boundary(void **state)
{
	static const char *const resp[] = {
		"HTTP/1.1 101 Switching Protocols\r\nA: b\r\n c\r\n\r\n",
		"HTTP/1.1 101\nA:\n\n",
		"HTTP/1.1 101 OK\r\nA: b\r\n\rX",
		"HTTP/1.1 101 OK\r\nA : b\r\n\r\n",
	};
	static const char *const req[] = {
		"GET /x HTTP/1.1\r\nHost: a\r\n\tb\r\n\r\n",
		"GET / HTTP/1.0\n\n",
		"GET / HTTP/1.1\r\r\n",
	};
	struct up_head *h = xmalloc(sizeof(*h));
	size_t i, k, len;
	long r;

	for (i = 0; i < NELEM(resp); i++) {
		len = strlen(resp[i]);
		for (k = 0; k <= len; k++) {
			r = parse_guarded(up_parse_response, resp[i], k, h);
			assert_true(r == UP_INCOMPLETE || r == UP_ERR_SYNTAX ||
			    r == (long)k);
		}
	}
	for (i = 0; i < NELEM(req); i++) {
		len = strlen(req[i]);
		for (k = 0; k <= len; k++) {
			r = parse_guarded(up_parse_request, req[i], k, h);
			assert_true(r == UP_INCOMPLETE || r == UP_ERR_SYNTAX ||
			    r == (long)k);
		}
	}
	/* the whole of each, complete exactly at the boundary */
	assert_int_equal(parse_guarded(up_parse_response, resp[0],
	    strlen(resp[0]), h), (long)strlen(resp[0]));
	assert_int_equal(parse_guarded(up_parse_request, req[0],
	    strlen(req[0]), h), (long)strlen(req[0]));
	assert_int_equal(parse_guarded(up_parse_request, REQ_CHROME,
	    strlen(REQ_CHROME), h), (long)strlen(REQ_CHROME));
	free(h);
}

/* A head of UP_MAX_HEAD bytes arriving a byte at a time: every call looks
 * at the one new byte only, so the whole costs one pass, not one pass per
 * byte (which was about 2 * 10^9 bytes looked at for 64 KiB). */
static void
resumed_parse_looks_at_each_byte_once(void **state)
{
	struct up_parser *ps = xmalloc(sizeof(*ps));
	struct up_head *h = xmalloc(sizeof(*h));
	char *s = head_of(UP_MAX_HEAD, "\r\n\r\n"), *one;
	size_t k, n;
	long r = UP_INCOMPLETE;

	up_parser_init(ps, 0);
	for (k = 1; k <= UP_MAX_HEAD; k++) {
		r = up_parse(ps, s, k, h);
		if (r != UP_INCOMPLETE)
			break;
		assert_int_equal(ps->pos, k);
	}
	assert_int_equal(r, UP_MAX_HEAD);
	assert_int_equal(k, UP_MAX_HEAD);
	assert_int_equal(ps->pos, UP_MAX_HEAD);
	assert_int_equal(h->headers[0].value_len, UP_MAX_HEAD - 24 - 4);
	free(s);

	/* one byte more than allowed: too long once UP_MAX_HEAD are in */
	s = head_of(UP_MAX_HEAD + 1, "\r\n\r\n");
	up_parser_init(ps, 0);
	for (k = 1; k <= UP_MAX_HEAD + 1; k++)
		if ((r = up_parse(ps, s, k, h)) != UP_INCOMPLETE)
			break;
	assert_int_equal(r, UP_ERR_TOO_LONG);
	assert_int_equal(k, UP_MAX_HEAD);
	free(s);

	/* a request whose 100 header lines come a byte at a time */
	one = xmalloc(UP_MAX_HEAD);
	n = (size_t)sprintf(one, "GET / HTTP/1.1\r\n");
	for (k = 0; k < UP_MAX_HEADERS; k++)
		n += (size_t)sprintf(one + n, "X-%zu: %0400zu\r\n", k, k);
	n += (size_t)sprintf(one + n, "\r\n");
	up_parser_init(ps, 1);
	for (k = 1; k <= n; k++) {
		if ((r = up_parse(ps, one, k, h)) != UP_INCOMPLETE)
			break;
		assert_int_equal(ps->pos, k);
	}
	assert_int_equal(r, (long)n);
	assert_int_equal(h->nheaders, UP_MAX_HEADERS);
	assert_slice(h->headers[99].name, h->headers[99].name_len, "X-99");
	assert_int_equal(h->headers[99].value_len, 400);
	free(one);
	free(h);
	free(ps);
}

/* What up_parse_why() says about in, which must be UP_ERR_SYNTAX. */
static void
assert_why(int request, const char *in, const char *want)
{
	struct up_parser *ps = xmalloc(sizeof(*ps));
	struct up_head *h = xmalloc(sizeof(*h));
	size_t len = strlen(in);
	char *buf = xmalloc(len + 1), why[512];

	memcpy(buf, in, len + 1);
	up_parser_init(ps, request);
	assert_int_equal(up_parse(ps, buf, len, h), UP_ERR_SYNTAX);
	up_parse_why(ps, buf, len, why, sizeof(why));
	if (strcmp(why, want) != 0)
		print_error("input \"%s\": got \"%s\"\n", in, why);
	assert_string_equal(why, want);
	free(buf);
	free(h);
	free(ps);
}

/* A wrong head is named by its line and header, not by its first bytes. */
static void
parse_why_names_the_line_and_header(void **state)
{
	assert_why(1, "GET /ok HTTP/1.1\r\nHost: a\r\nX-Esc: a\x1b[31mb\r\n\r\n",
	    "header \"X-Esc\" has a control character in its value (0x1b ESC)");
	assert_why(1, "GET /ok HTTP/1.1\r\nX-Del: \x7f\r\n\r\n",
	    "header \"X-Del\" has a control character in its value (0x7f DEL)");
	assert_why(1, "GET /ok HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n",
	    "header line 2 has white space in its name or before its colon "
	    "(\"Bad Name: x\")");
	assert_why(1, "GET /ok HTTP/1.1\r\nHost : a\r\n\r\n",
	    "header line 1 has white space in its name or before its colon "
	    "(\"Host : a\")");
	assert_why(1, "GET /ok HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n",
	    "header line 2 has no colon (\"nocolon\")");
	assert_why(1, "GET /ok HTTP/1.1\r\n: a\r\n\r\n",
	    "header line 1 has no name before its colon (\": a\")");
	assert_why(1, "GET /ok HTTP/1.1\r\nX(y): a\r\n\r\n",
	    "header line 1 has '(' in its name (\"X(y): a\")");
	assert_why(1, "GET /ok HTTP/1.1\r\n folded: a\r\n\r\n",
	    "the first header line starts with white space (\" folded: a\")");
	assert_why(1, "GET /ok HTTP/1.1\r\nHost: a\rX\r\n\r\n",
	    "line 2 ends in a CR not followed by LF");
	assert_why(1, "GET /ok HTTP/1.1 x\r\n\r\n",
	    "the request line goes on after its HTTP version "
	    "(\"GET /ok HTTP/1.1 x\")");
	assert_why(1, "GET /ok HTTQ/1.1\r\n\r\n",
	    "the request line has no HTTP version where one is due "
	    "(\"GET /ok HTTQ/1.1\")");
	assert_why(1, "GET  / HTTP/1.1\r\n\r\n",
	    "the request line has no target after the method "
	    "(\"GET  / HTTP/1.1\")");
	assert_why(1, "\x16\x03\x01", "the request line does not start with "
	    "a method and a space (\"???\")");
	assert_why(0, "HTTP/1.1 99 Low\r\n\r\n",
	    "the status line has no status code 100..999 "
	    "(\"HTTP/1.1 99 Low\")");
	assert_why(0, "HTTP/1.1 101 A\x01\r\n\r\n",
	    "the reason phrase has a control character (0x01 SOH)");
}

/* Bare LF line ends are taken, and said. */
static void
bare_lf_flagged(void **state)
{
	struct parsed *p;

	p = parse_all(up_parse_request, "GET / HTTP/1.1\nHost: a\n\n", 24);
	assert_int_equal(p->r, 24);
	assert_true(p->h.bare_lf);
	parsed_free(p);
	p = parse_all(up_parse_request, "GET / HTTP/1.1\r\nHost: a\r\n\n", 26);
	assert_int_equal(p->r, 26);
	assert_true(p->h.bare_lf);
	parsed_free(p);
	p = parse_all(up_parse_request, REQ_CHROME, strlen(REQ_CHROME));
	assert_false(p->h.bare_lf);
	parsed_free(p);
}

static void
empty_input_is_incomplete(void **state)
{
	struct up_head *h = xmalloc(sizeof(*h));

	assert_int_equal(up_parse_response(NULL, 0, h), UP_INCOMPLETE);
	assert_int_equal(up_parse_request(NULL, 0, h), UP_INCOMPLETE);
	free(h);
}

static void
strerror_distinct(void **state)
{
	static const long err[] = { UP_INCOMPLETE, UP_ERR_SYNTAX,
	    UP_ERR_TOO_LONG, UP_ERR_TOO_MANY, UP_ERR_VERSION };
	size_t i, j;

	for (i = 0; i < NELEM(err); i++) {
		assert_non_null(up_strerror(err[i]));
		assert_string_not_equal(up_strerror(err[i]), "unknown error");
		for (j = 0; j < i; j++)
			assert_string_not_equal(up_strerror(err[i]),
			    up_strerror(err[j]));
	}
	assert_string_equal(up_strerror(UP_ERR_TOO_LONG),
	    "head larger than 65536 bytes");
	assert_string_equal(up_strerror(UP_ERR_TOO_MANY),
	    "more than 100 header lines");
	assert_string_equal(up_strerror(-99), "unknown error");
	assert_string_equal(up_strerror(42), "unknown error");
}

/* ------------------------------------------------------- client role */

/* Every cap below the length and its NUL fails; the exact cap works. */
static void
assert_cap_exact(long (*build)(char *, size_t, const void *),
    const void *arg, const char *want)
{
	size_t len = strlen(want), cap;
	char *out = xmalloc(len + 2);

	for (cap = 0; cap <= len; cap++)
		assert_int_equal(build(out, cap, arg), -1);
	memset(out, '#', len + 2);
	assert_int_equal(build(out, len + 1, arg), (long)len);
	assert_string_equal(out, want);
	assert_int_equal(out[len + 1], '#');
	free(out);
}

struct host_case {
	const char *host;
	long port, def;
};

static long
build_host(char *out, size_t cap, const void *arg)
{
	const struct host_case *c = arg;

	return up_host_value(out, cap, c->host, c->port, c->def);
}

static void
host_value_ports_and_ipv6(void **state)
{
	static const struct {
		struct host_case c;
		const char *want;
	} t[] = {
		{ { "example.com", 80, 80 }, "example.com" },
		{ { "example.com", 8080, 80 }, "example.com:8080" },
		{ { "example.com", 443, 443 }, "example.com" },
		{ { "example.com", 80, 443 }, "example.com:80" },
		{ { "127.0.0.1", 65535, 80 }, "127.0.0.1:65535" },
		{ { "::1", 80, 80 }, "[::1]" },
		{ { "::1", 9000, 80 }, "[::1]:9000" },
		{ { "[::1]", 9000, 80 }, "[::1]:9000" },
		{ { "[::1]", 443, 443 }, "[::1]" },
		{ { "2001:db8::42", 443, 443 }, "[2001:db8::42]" },
		{ { "2001:db8::42", 8443, 443 }, "[2001:db8::42]:8443" },
	};
	char out[8];
	size_t i;

	for (i = 0; i < NELEM(t); i++)
		assert_cap_exact(build_host, &t[i].c, t[i].want);
	assert_int_equal(up_host_value(out, sizeof(out), "a\r\nb", 80, 80),
	    -1);
}

static long
build_req(char *out, size_t cap, const void *arg)
{
	return up_build_request(out, cap, arg);
}

static void
build_request_full_exact(void **state)
{
	static const char *const protocols[] = { "chat", "superchat" };
	static const char *const extra[] = { "X-Trace: 1", "Cookie: a=b" };
	struct up_request r = {
		.host = "example.com:8080",
		.target = "/chat?room=1",
		.key = SAMPLE_KEY,
		.protocols = protocols,
		.nprotocols = 2,
		.extensions = "permessage-deflate; client_max_window_bits",
		.origin = "http://example.com",
		.authorization = "Bearer abc",
		.user_agent = "wscli/1.0",
		.extra = extra,
		.nextra = 2,
	};

	assert_cap_exact(build_req, &r,
	    "GET /chat?room=1 HTTP/1.1\r\n"
	    "Host: example.com:8080\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " SAMPLE_KEY "\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Protocol: chat, superchat\r\n"
	    "Sec-WebSocket-Extensions: permessage-deflate; "
	    "client_max_window_bits\r\n"
	    "Origin: http://example.com\r\n"
	    "Authorization: Bearer abc\r\n"
	    "User-Agent: wscli/1.0\r\n"
	    "X-Trace: 1\r\n"
	    "Cookie: a=b\r\n"
	    "\r\n");
}

static void
build_request_minimal_exact(void **state)
{
	struct up_request r;

	memset(&r, 0, sizeof(r));
	assert_cap_exact(build_req, &r,
	    "GET / HTTP/1.1\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "\r\n");
	r.host = "h";
	r.target = "";
	r.key = SAMPLE_KEY;
	r.version = "8";
	assert_cap_exact(build_req, &r,
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " SAMPLE_KEY "\r\n"
	    "Sec-WebSocket-Version: 8\r\n"
	    "\r\n");
}

/* A value with CR or LF would inject lines; a target with a space would
 * break the request line. */
static void
build_request_refuses_invalid_lines(void **state)
{
	static const char *const bad_extra[] = { "X-Ok: 1", "no colon" };
	static const char *const bad_name[] = { "X Bad: 1" };
	static const char *const space_colon[] = { "X : 1" };
	static const char *const empty_name[] = { ": 1" };
	static const char *const injected[] = { "X: 1\r\nY: 2" };
	static const char *const bad_proto[] = { "chat", "a\nb" };
	struct up_request r;
	char out[1024];

	memset(&r, 0, sizeof(r));
	r.host = "example.com";
	assert_true(up_build_request(out, sizeof(out), &r) > 0);
	r.origin = "http://a\r\nX-Injected: 1";
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
	r.origin = NULL;
	r.user_agent = "a\x01";
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
	r.user_agent = "tab\tis fine";
	assert_true(up_build_request(out, sizeof(out), &r) > 0);
	r.target = "/a b";
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
	r.target = "/a\r\n";
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
	r.target = NULL;
	r.host = "a\nb";
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
	r.host = "example.com";
	r.protocols = bad_proto;
	r.nprotocols = 2;
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
	r.nprotocols = 1;
	assert_true(up_build_request(out, sizeof(out), &r) > 0);
	r.extra = bad_extra;
	r.nextra = 2;
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
	r.nextra = 1;
	assert_true(up_build_request(out, sizeof(out), &r) > 0);
	r.extra = bad_name;
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
	r.extra = space_colon;
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
	r.extra = empty_name;
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
	r.extra = injected;
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
}

/* A response head, parsed, with why's buffer; for the check tests. */
static int
check_resp(const char *in, const char *key, const char *const *protocols,
    size_t nprotocols, char *why, size_t cap)
{
	struct parsed *p = parse1(up_parse_response, in);
	int r = up_check_response(&p->h, key, protocols, nprotocols, why, cap);

	parsed_free(p);
	return r;
}

#define GOOD_101_START "HTTP/1.1 101 Switching Protocols\r\n"

static void
expect_resp_fail(const char *in, const char *const *protocols, size_t n,
    const char *want)
{
	char why[256];

	memset(why, 0, sizeof(why));
	assert_int_equal(check_resp(in, SAMPLE_KEY, protocols, n, why,
	    sizeof(why)), -1);
	assert_string_equal(why, want);
}

/* Start from a response that breaks every rule and mend one at a time:
 * the message names the first rule still broken, in the documented
 * order. */
static void
check_response_failures_in_order(void **state)
{
	static const char *const offered[] = { "chat", "superchat" };

	expect_resp_fail("HTTP/1.1 200 OK\r\n"
	    "Upgrade: h2c\r\nConnection: close\r\n"
	    "Sec-WebSocket-Accept: wrong\r\n"
	    "Sec-WebSocket-Protocol: mqtt\r\n\r\n", offered, 2,
	    "status is 200 'OK', expected 101 Switching Protocols");
	expect_resp_fail(GOOD_101_START
	    "Connection: close\r\n"
	    "Sec-WebSocket-Accept: wrong\r\n"
	    "Sec-WebSocket-Protocol: mqtt\r\n\r\n", offered, 2,
	    "no Upgrade header");
	expect_resp_fail(GOOD_101_START
	    "Upgrade: h2c\r\nConnection: close\r\n"
	    "Sec-WebSocket-Accept: wrong\r\n"
	    "Sec-WebSocket-Protocol: mqtt\r\n\r\n", offered, 2,
	    "Upgrade is 'h2c', expected 'websocket'");
	expect_resp_fail(GOOD_101_START
	    "Upgrade: websocket\r\nUpgrade: websocket\r\n\r\n", offered, 2,
	    "Upgrade is 'websocket, websocket', expected 'websocket'");
	expect_resp_fail(GOOD_101_START
	    "Upgrade: WebSocket\r\n"
	    "Sec-WebSocket-Accept: wrong\r\n"
	    "Sec-WebSocket-Protocol: mqtt\r\n\r\n", offered, 2,
	    "no Connection header");
	expect_resp_fail(GOOD_101_START
	    "Upgrade: WebSocket\r\nConnection: close\r\n"
	    "Connection: keep-alive, upgrades\r\n"
	    "Sec-WebSocket-Accept: wrong\r\n"
	    "Sec-WebSocket-Protocol: mqtt\r\n\r\n", offered, 2,
	    "Connection is 'close, keep-alive, upgrades', without the token "
	    "'upgrade'");
	expect_resp_fail(GOOD_101_START
	    "Upgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\n"
	    "Sec-WebSocket-Protocol: mqtt\r\n\r\n", offered, 2,
	    "no Sec-WebSocket-Accept header");
	expect_resp_fail(GOOD_101_START
	    "Upgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\n"
	    "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"
	    "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"
	    "Sec-WebSocket-Protocol: mqtt\r\n\r\n", offered, 2,
	    "2 Sec-WebSocket-Accept headers, expected one");
	expect_resp_fail(GOOD_101_START
	    "Upgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\n"
	    "Sec-WebSocket-Accept: wrong\r\n"
	    "Sec-WebSocket-Protocol: mqtt\r\n\r\n", offered, 2,
	    "Sec-WebSocket-Accept is 'wrong', expected '" SAMPLE_ACCEPT "'");
	/* base64 is case-sensitive */
	expect_resp_fail(GOOD_101_START
	    "Upgrade: websocket\r\nConnection: upgrade\r\n"
	    "Sec-WebSocket-Accept: S3PPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
	    offered, 2,
	    "Sec-WebSocket-Accept is 'S3PPLMBiTxaQ9kYGzzhZRbK+xOo=', "
	    "expected '" SAMPLE_ACCEPT "'");
	expect_resp_fail(GOOD_101_START
	    "Upgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\n"
	    "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"
	    "Sec-WebSocket-Protocol: chat\r\n"
	    "Sec-WebSocket-Protocol: chat\r\n\r\n", offered, 2,
	    "2 Sec-WebSocket-Protocol headers, expected at most one");
	expect_resp_fail(GOOD_101_START
	    "Upgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\n"
	    "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"
	    "Sec-WebSocket-Protocol: mqtt\r\n\r\n", offered, 2,
	    "Sec-WebSocket-Protocol is 'mqtt', not one of those offered "
	    "('chat, superchat')");
	expect_resp_fail(GOOD_101_START
	    "Upgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\n"
	    "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"
	    "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n", offered, 2,
	    "Sec-WebSocket-Protocol is 'chat, superchat', not one of those "
	    "offered ('chat, superchat')");
	expect_resp_fail(GOOD_101_START
	    "Upgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\n"
	    "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"
	    "Sec-WebSocket-Protocol: chat\r\n\r\n", NULL, 0,
	    "Sec-WebSocket-Protocol is 'chat' but no subprotocol was "
	    "offered");
	/* subprotocol names are compared exactly */
	expect_resp_fail(GOOD_101_START
	    "Upgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\n"
	    "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"
	    "Sec-WebSocket-Protocol: Chat\r\n\r\n", offered, 2,
	    "Sec-WebSocket-Protocol is 'Chat', not one of those offered "
	    "('chat, superchat')");
}

static void
check_response_accepts(void **state)
{
	static const char *const offered[] = { "chat", "superchat" };
	char why[128];

	assert_int_equal(check_resp(RESP_101, SAMPLE_KEY, offered, 2, why,
	    sizeof(why)), 0);
	assert_int_equal(check_resp(RESP_101, SAMPLE_KEY, offered + 1, 1, why,
	    sizeof(why)), -1);
	/* offered, none chosen: fine */
	assert_int_equal(check_resp(GOOD_101_START
	    "upgrade: WEBSOCKET\r\nconnection: keep-alive\r\n"
	    "CONNECTION: Upgrade\r\n"
	    "sec-websocket-accept: " SAMPLE_ACCEPT "\r\n\r\n", SAMPLE_KEY,
	    offered, 2, why, sizeof(why)), 0);
	assert_int_equal(check_resp(GOOD_101_START
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"
	    "Sec-WebSocket-Protocol: superchat\r\n"
	    "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
	    SAMPLE_KEY, offered, 2, why, sizeof(why)), 0);
	/* the key decides */
	assert_int_equal(check_resp(RESP_101, "x3JJHMbDL1EzLkh9GBhXDw==",
	    offered, 2, why, sizeof(why)), -1);
	assert_string_equal(why, "Sec-WebSocket-Accept is '" SAMPLE_ACCEPT
	    "', expected 'HSmrc0sMlYUkAGmm5OPpG2HaGWk='");
}

/* Quoted values never carry control bytes, and long ones are cut. */
static void
check_messages_escaped_and_truncated(void **state)
{
	struct up_head *h = xmalloc(sizeof(*h));
	char why[512], longv[300];
	size_t i;

	memset(h, 0, sizeof(*h));
	h->status = 400;
	h->reason = "Bad\x1b[2J\r\nX-Evil: 1\x7f";
	h->reason_len = strlen(h->reason);
	assert_int_equal(up_check_response(h, SAMPLE_KEY, NULL, 0, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "status is 400 'Bad?[2J??X-Evil: 1?', "
	    "expected 101 Switching Protocols");

	memset(longv, 'v', sizeof(longv));
	h->status = 101;
	h->nheaders = 1;
	h->headers[0].name = "Upgrade";
	h->headers[0].name_len = 7;
	h->headers[0].value = longv;
	h->headers[0].value_len = sizeof(longv);
	assert_int_equal(up_check_response(h, SAMPLE_KEY, NULL, 0, why,
	    sizeof(why)), -1);
	assert_int_equal(strlen(why), strlen("Upgrade is '") + 64 + 3 +
	    strlen("', expected 'websocket'"));
	assert_memory_equal(why + strlen("Upgrade is '") + 64, "...'", 4);
	/* exactly 64 bytes are not cut */
	h->headers[0].value_len = 64;
	up_check_response(h, SAMPLE_KEY, NULL, 0, why, sizeof(why));
	assert_int_equal(strlen(why), strlen("Upgrade is '") + 64 +
	    strlen("', expected 'websocket'"));

	/* a tab is the one control byte a parsed value can hold */
	assert_int_equal(check_resp(GOOD_101_START "Upgrade: web\tsocket\r\n"
	    "\r\n", SAMPLE_KEY, NULL, 0, why, sizeof(why)), -1);
	assert_string_equal(why, "Upgrade is 'web?socket', expected "
	    "'websocket'");

	/* why is cut to cap and stays NUL-terminated; cap 0 writes nothing */
	for (i = 1; i < 20; i++) {
		memset(why, '#', sizeof(why));
		up_check_response(h, SAMPLE_KEY, NULL, 0, why, i);
		assert_int_equal(strlen(why), i - 1);
	}
	memset(why, '#', sizeof(why));
	assert_int_equal(up_check_response(h, SAMPLE_KEY, NULL, 0, why, 0),
	    -1);
	assert_int_equal(why[0], '#');
	assert_int_equal(up_check_response(h, SAMPLE_KEY, NULL, 0, NULL, 0),
	    -1);
	free(h);
}

/* ------------------------------------------------------- server role */

/* A request that must be refused with status and exactly this why. */
static void
expect_req_status(const char *in, int status, const char *want)
{
	struct parsed *p = parse1(up_parse_request, in);
	struct up_offer o;
	char lists[256], why[256];

	memset(why, 0, sizeof(why));
	assert_int_equal(up_check_request(&p->h, &o, lists, sizeof(lists),
	    why, sizeof(why)), status);
	assert_string_equal(why, want);
	parsed_free(p);
}

#define REQ_LINE "GET /chat HTTP/1.1\r\n"
#define REQ_HOST "Host: server.example.com\r\n"
#define REQ_UPGRADE "Upgrade: websocket\r\nConnection: Upgrade\r\n"
#define REQ_KEY "Sec-WebSocket-Key: " SAMPLE_KEY "\r\n"
#define REQ_VERSION "Sec-WebSocket-Version: 13\r\n"

static void
check_request_405(void **state)
{
	expect_req_status("POST /chat HTTP/1.1\r\n" REQ_HOST REQ_UPGRADE
	    REQ_KEY REQ_VERSION "\r\n", 405, "method is 'POST', expected GET");
	/* methods are case-sensitive */
	expect_req_status("get /chat HTTP/1.1\r\n" REQ_HOST REQ_UPGRADE
	    REQ_KEY REQ_VERSION "\r\n", 405, "method is 'get', expected GET");
	/* before anything else is looked at */
	expect_req_status("GETX / HTTP/1.0\r\n\r\n", 405,
	    "method is 'GETX', expected GET");
}

static void
check_request_400(void **state)
{
	expect_req_status("GET /chat HTTP/1.0\r\n" REQ_HOST REQ_UPGRADE
	    REQ_KEY REQ_VERSION "\r\n", 400,
	    "HTTP/1.0 request, WebSocket needs HTTP/1.1");
	expect_req_status(REQ_LINE REQ_UPGRADE REQ_KEY REQ_VERSION "\r\n",
	    400, "no Host header");
	expect_req_status(REQ_LINE REQ_HOST "host: other\r\n" REQ_UPGRADE
	    REQ_KEY REQ_VERSION "\r\n", 400, "2 Host headers, expected one");
	expect_req_status(REQ_LINE "Host: \r\n" REQ_UPGRADE REQ_KEY
	    REQ_VERSION "\r\n", 400, "Host header is empty");
	expect_req_status(REQ_LINE REQ_HOST "Connection: Upgrade\r\n" REQ_KEY
	    REQ_VERSION "\r\n", 400, "no Upgrade header");
	expect_req_status(REQ_LINE REQ_HOST "Upgrade: h2c, websockets\r\n"
	    "Connection: Upgrade\r\n" REQ_KEY REQ_VERSION "\r\n", 400,
	    "Upgrade is 'h2c, websockets', without the token 'websocket'");
	expect_req_status(REQ_LINE REQ_HOST "Upgrade: websocket\r\n" REQ_KEY
	    REQ_VERSION "\r\n", 400, "no Connection header");
	expect_req_status(REQ_LINE REQ_HOST "Upgrade: websocket\r\n"
	    "Connection: keep-alive\r\n" REQ_KEY REQ_VERSION "\r\n", 400,
	    "Connection is 'keep-alive', without the token 'upgrade'");
	expect_req_status(REQ_LINE REQ_HOST REQ_UPGRADE REQ_VERSION "\r\n",
	    400, "no Sec-WebSocket-Key header");
	expect_req_status(REQ_LINE REQ_HOST REQ_UPGRADE REQ_KEY REQ_KEY
	    REQ_VERSION "\r\n", 400,
	    "2 Sec-WebSocket-Key headers, expected one");
}

/* RFC 9112 3.2 and 2.2: what a GET's target and lines may not be. */
static void
check_request_400_targets_and_bare_lf(void **state)
{
	expect_req_status("GET * HTTP/1.1\r\n" REQ_HOST REQ_UPGRADE REQ_KEY
	    REQ_VERSION "\r\n", 400,
	    "request target '*' is for OPTIONS only (RFC 9112 3.2.4)");
	expect_req_status("GET noslash HTTP/1.1\r\n" REQ_HOST REQ_UPGRADE
	    REQ_KEY REQ_VERSION "\r\n", 400, "request target 'noslash' is "
	    "neither a path starting with '/' nor an absolute URI (RFC 9112 "
	    "3.2)");
	expect_req_status("GET ?x=1 HTTP/1.1\r\n" REQ_HOST REQ_UPGRADE
	    REQ_KEY REQ_VERSION "\r\n", 400, "request target '?x=1' is "
	    "neither a path starting with '/' nor an absolute URI (RFC 9112 "
	    "3.2)");
	expect_req_status("GET /x#frag HTTP/1.1\r\n" REQ_HOST REQ_UPGRADE
	    REQ_KEY REQ_VERSION "\r\n", 400, "request target '/x#frag' has "
	    "a fragment ('#'), which is never sent (RFC 9112 3.2)");
	expect_req_status("GET http://a.example/x#f HTTP/1.1\r\n" REQ_HOST
	    REQ_UPGRADE REQ_KEY REQ_VERSION "\r\n", 400, "request target "
	    "'http://a.example/x#f' has a fragment ('#'), which is never sent "
	    "(RFC 9112 3.2)");
	expect_req_status("GET /chat HTTP/1.1\n" REQ_HOST REQ_UPGRADE REQ_KEY
	    REQ_VERSION "\r\n", 400, "a line of the request ends in LF "
	    "alone: HTTP/1.1 lines end in CRLF (RFC 9112 2.2)");
	expect_req_status(REQ_LINE REQ_HOST REQ_UPGRADE REQ_KEY REQ_VERSION
	    "\n", 400, "a line of the request ends in LF alone: HTTP/1.1 "
	    "lines end in CRLF (RFC 9112 2.2)");
	/* the absolute form is a valid target (RFC 9112 3.2.2) */
	expect_req_status("GET http://a.example/abs?x=1 HTTP/1.1\r\n"
	    REQ_HOST REQ_UPGRADE REQ_KEY REQ_VERSION "\r\n", 0, "");
	expect_req_status("GET ws+x.1:o HTTP/1.1\r\n" REQ_HOST REQ_UPGRADE
	    REQ_KEY REQ_VERSION "\r\n", 0, "");
}

static void
check_request_400_bad_keys(void **state)
{
	static const char *const keys[] = {
		"dGhlIHNhbXBsZSBub25jZQ=",      /* 23 */
		"dGhlIHNhbXBsZSBub25jZQ===",    /* 25 */
		"dGhlIHNhbXBsZSBub25jZQ",       /* no padding */
		"dGhlIHNhbXBsZSBub25jZQA=",     /* 17 bytes */
		"dGhlIHNhbXBsZSBub25jZQAA",     /* 18 bytes */
		"dGhlIHNhbXBsZSBub25jZ-==",     /* base64url */
		"dGhlIHNhbXBsZSBub25j_Q==",
		"dGhlIHNhbXBs ZSBub25jZQ=",
		"dGhlIHNhbXBsZSBub=5jZQ==",
		"========================",
		"",
		"c2hvcnQ=",
	};
	char in[512], want[256];
	size_t i;

	for (i = 0; i < NELEM(keys); i++) {
		snprintf(in, sizeof(in), REQ_LINE REQ_HOST REQ_UPGRADE
		    "Sec-WebSocket-Key: %s\r\n" REQ_VERSION "\r\n", keys[i]);
		snprintf(want, sizeof(want), "Sec-WebSocket-Key '%s' is not "
		    "base64 of 16 bytes", keys[i]);
		expect_req_status(in, 400, want);
	}
}

static void
check_request_426(void **state)
{
	expect_req_status(REQ_LINE REQ_HOST REQ_UPGRADE REQ_KEY "\r\n", 426,
	    "no Sec-WebSocket-Version header");
	expect_req_status(REQ_LINE REQ_HOST REQ_UPGRADE REQ_KEY
	    "Sec-WebSocket-Version: 8\r\n\r\n", 426,
	    "Sec-WebSocket-Version is '8', expected 13");
	expect_req_status(REQ_LINE REQ_HOST REQ_UPGRADE REQ_KEY
	    "Sec-WebSocket-Version: 13, 8\r\n\r\n", 426,
	    "Sec-WebSocket-Version is '13, 8', expected 13");
	expect_req_status(REQ_LINE REQ_HOST REQ_UPGRADE REQ_KEY
	    "Sec-WebSocket-Version: 013\r\n\r\n", 426,
	    "Sec-WebSocket-Version is '013', expected 13");
	expect_req_status(REQ_LINE REQ_HOST REQ_UPGRADE REQ_KEY REQ_VERSION
	    REQ_VERSION "\r\n", 426,
	    "2 Sec-WebSocket-Version headers, expected one");
}

static void
check_request_431_lists_do_not_fit(void **state)
{
	struct parsed *p = parse1(up_parse_request, REQ_FIREFOX);
	struct up_offer o;
	char lists[64], why[128];
	/* "chat, superchat" and "permessage-deflate", each with its NUL */
	size_t need = 16 + 19, cap;

	for (cap = 0; cap < need; cap++) {
		assert_int_equal(up_check_request(&p->h, &o, lists, cap, why,
		    sizeof(why)), 431);
	}
	assert_string_equal(why, "Sec-WebSocket-Protocol and -Extensions "
	    "take 35 bytes, more than 34");
	memset(lists, '#', sizeof(lists));
	assert_int_equal(up_check_request(&p->h, &o, lists, need, why,
	    sizeof(why)), 0);
	assert_memory_equal(lists, "chat, superchat\0permessage-deflate\0",
	    need);
	assert_int_equal(lists[need], '#');
	parsed_free(p);
}

static void
check_request_chrome(void **state)
{
	struct parsed *p = parse1(up_parse_request, REQ_CHROME);
	struct up_offer o;
	char lists[256], why[128] = "";

	assert_int_equal(up_check_request(&p->h, &o, lists, sizeof(lists),
	    why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_slice(o.key, o.key_len, SAMPLE_KEY);
	assert_slice(o.origin, o.origin_len, "http://example.com:8080");
	assert_null(o.protocols);
	assert_string_equal(o.extensions,
	    "permessage-deflate; client_max_window_bits");
	/* nothing to join: no room needed */
	assert_int_equal(up_check_request(&p->h, &o, lists, 43, why,
	    sizeof(why)), 0);
	assert_int_equal(up_check_request(&p->h, &o, lists, 42, why,
	    sizeof(why)), 431);
	parsed_free(p);
}

static void
check_request_firefox(void **state)
{
	struct parsed *p = parse1(up_parse_request, REQ_FIREFOX);
	struct up_offer o;
	char lists[256], why[128];

	assert_int_equal(up_check_request(&p->h, &o, lists, sizeof(lists),
	    why, sizeof(why)), 0);
	assert_slice(o.key, o.key_len, "x3JJHMbDL1EzLkh9GBhXDw==");
	assert_slice(o.origin, o.origin_len, "http://example.com");
	assert_string_equal(o.protocols, "chat, superchat");
	assert_string_equal(o.extensions, "permessage-deflate");
	parsed_free(p);
}

static void
check_request_joins_repeated_lists(void **state)
{
	struct parsed *p = parse1(up_parse_request, REQ_LINE REQ_HOST
	    "Upgrade: websocket\r\nConnection: keep-alive\r\n"
	    "Connection: upgrade\r\n" REQ_KEY REQ_VERSION
	    "Sec-WebSocket-Protocol: chat\r\n"
	    "Sec-WebSocket-Protocol: superchat, v2\r\n"
	    "Sec-WebSocket-Protocol:\r\n"
	    "\r\n");
	struct up_offer o;
	char lists[64], why[128];

	memset(lists, '#', sizeof(lists));
	assert_int_equal(up_check_request(&p->h, &o, lists, sizeof(lists),
	    why, sizeof(why)), 0);
	assert_string_equal(o.protocols, "chat, superchat, v2, ");
	assert_null(o.extensions);
	assert_null(o.origin);
	assert_int_equal(o.origin_len, 0);
	parsed_free(p);
}

/* An extra line naming a header the 101 has replaces it in place; an empty
 * value leaves it out; a second one is a line of its own. */
static void
build_101_extra_replaces(void **state)
{
	static const char *const extra[] = {
		"X-A: 1", "sec-websocket-accept: bogus", "Upgrade: WebSocket",
		"Connection:", "Sec-WebSocket-Protocol: other", "X-B: 2",
		"Upgrade: again",
	};
	char out[512];
	const char *want =
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: WebSocket\r\n"
	    "Sec-WebSocket-Accept: bogus\r\n"
	    "Sec-WebSocket-Protocol: other\r\n"
	    "X-A: 1\r\n"
	    "X-B: 2\r\n"
	    "Upgrade: again\r\n"
	    "\r\n";

	assert_int_equal(up_build_101(out, sizeof(out), SAMPLE_KEY,
	    UP_KEY_LEN, "chat", NULL, extra, NELEM(extra)), (long)strlen(want));
	assert_string_equal(out, want);
}

static void
build_101_exact(void **state)
{
	static const char *const extra[] = { "Server: wscli" };
	char out[512];
	size_t len, cap;
	const char *want =
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"
	    "Sec-WebSocket-Protocol: chat\r\n"
	    "Sec-WebSocket-Extensions: permessage-deflate\r\n"
	    "Server: wscli\r\n"
	    "\r\n";

	len = strlen(want);
	for (cap = 0; cap <= len; cap++)
		assert_int_equal(up_build_101(out, cap, SAMPLE_KEY, UP_KEY_LEN,
		    "chat", "permessage-deflate", extra, 1), -1);
	assert_int_equal(up_build_101(out, len + 1, SAMPLE_KEY, UP_KEY_LEN,
	    "chat", "permessage-deflate", extra, 1), (long)len);
	assert_string_equal(out, want);

	want = "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"
	    "\r\n";
	assert_int_equal(up_build_101(out, sizeof(out), SAMPLE_KEY,
	    UP_KEY_LEN, NULL, NULL, NULL, 0), (long)strlen(want));
	assert_string_equal(out, want);

	assert_int_equal(up_build_101(out, sizeof(out), SAMPLE_KEY,
	    UP_KEY_LEN, "a\r\nb", NULL, NULL, 0), -1);
}

static void
build_error_exact(void **state)
{
	char out[512];
	size_t len, cap;
	const char *want;
	const char *want426 =
	    "HTTP/1.1 426 Upgrade Required\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 42\r\n"
	    "Connection: close\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "\r\n"
	    "Sec-WebSocket-Version is '8', expected 13\n";

	len = strlen(want426);
	for (cap = 0; cap <= len; cap++)
		assert_int_equal(up_build_error(out, cap, 426,
		    "Sec-WebSocket-Version is '8', expected 13"), -1);
	assert_int_equal(up_build_error(out, len + 1, 426,
	    "Sec-WebSocket-Version is '8', expected 13"), (long)len);
	assert_string_equal(out, want426);

	want = "HTTP/1.1 405 Method Not Allowed\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 8\r\n"
	    "Connection: close\r\n"
	    "Allow: GET\r\n"
	    "\r\n"
	    "use GET\n";
	assert_int_equal(up_build_error(out, sizeof(out), 405, "use GET"),
	    (long)strlen(want));
	assert_string_equal(out, want);
	assert_true(up_build_error(out, sizeof(out), 400, NULL) > 0);
	assert_string_equal(out,
	    "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 1\r\n"
	    "Connection: close\r\n"
	    "\r\n"
	    "\n");
	assert_true(up_build_error(out, sizeof(out), 599, "x") > 0);
	assert_memory_equal(out, "HTTP/1.1 599 Unknown\r\n", 22);
	assert_int_equal(up_build_error(out, sizeof(out), 42, "x"), -1);
	assert_int_equal(up_build_error(out, sizeof(out), 1000, "x"), -1);
}

/* What the builders write, the parsers read back and the checks pass. */
static void
roundtrip_request_101_error(void **state)
{
	static const char *const protocols[] = { "chat", "superchat" };
	struct up_request r = {
		.host = "[::1]:9000",
		.target = "/ws",
		.key = "x3JJHMbDL1EzLkh9GBhXDw==",
		.protocols = protocols,
		.nprotocols = 2,
		.origin = "http://localhost",
	};
	struct parsed *p;
	struct up_offer o;
	char buf[1024], lists[128], why[128], cl[16];
	long n;

	n = up_build_request(buf, sizeof(buf), &r);
	assert_true(n > 0);
	p = parse_all(up_parse_request, buf, (size_t)n);
	assert_int_equal(p->r, n);
	assert_int_equal(up_check_request(&p->h, &o, lists, sizeof(lists),
	    why, sizeof(why)), 0);
	assert_string_equal(o.protocols, "chat, superchat");
	n = up_build_101(buf, sizeof(buf), o.key, o.key_len, "superchat",
	    NULL, NULL, 0);
	parsed_free(p);
	assert_true(n > 0);
	p = parse_all(up_parse_response, buf, (size_t)n);
	assert_int_equal(p->r, n);
	assert_int_equal(up_check_response(&p->h, r.key, protocols, 2, why,
	    sizeof(why)), 0);
	parsed_free(p);

	n = up_build_error(buf, sizeof(buf), 431, "too big");
	assert_true(n > 0);
	p = parse_all(up_parse_response, buf, (size_t)n);
	assert_int_equal(p->r, n - 8);
	assert_int_equal(p->h.status, 431);
	assert_slice(p->h.reason, p->h.reason_len,
	    "Request Header Fields Too Large");
	assert_int_equal(up_get(&p->h, "Content-Length", cl, sizeof(cl)), 1);
	assert_string_equal(cl, "8");
	assert_string_equal(buf + p->r, "too big\n");
	parsed_free(p);
}

/* A head of the other role, or missing arguments, fail cleanly. */
static void
wrong_role_and_missing_arguments(void **state)
{
	static const char *const offered[] = { "chat" };
	struct parsed *req = parse1(up_parse_request, REQ_CHROME);
	struct parsed *resp = parse1(up_parse_response, RESP_101);
	struct up_request r;
	struct up_offer o;
	char lists[128], why[128], out[256];

	assert_int_equal(up_check_request(&resp->h, &o, lists, sizeof(lists),
	    why, sizeof(why)), 405);
	assert_string_equal(why, "method is '', expected GET");
	assert_null(o.key);
	assert_int_equal(up_check_response(&req->h, SAMPLE_KEY, NULL, 0, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "status is 0 '', expected 101 Switching "
	    "Protocols");

	/* no key: no accept value can match */
	assert_int_equal(up_check_response(&resp->h, NULL, offered, 1, why,
	    sizeof(why)), -1);
	assert_memory_equal(why, "Sec-WebSocket-Accept is '", 25);
	/* protocols given but none counted: none offered */
	assert_int_equal(up_check_response(&resp->h, SAMPLE_KEY, offered, 0,
	    why, sizeof(why)), -1);
	assert_string_equal(why, "Sec-WebSocket-Protocol is 'chat' but no "
	    "subprotocol was offered");

	/* after must be one of h's own headers */
	assert_null(up_find(&resp->h, "Upgrade", &req->h.headers[0]));
	assert_null(up_find(&resp->h, "Upgrade",
	    &resp->h.headers[resp->h.nheaders]));

	memset(&r, 0, sizeof(r));
	r.protocols = offered;
	assert_true(up_build_request(out, sizeof(out), &r) > 0);
	assert_null(strstr(out, "Protocol"));
	r.target = "/a\tb";
	assert_int_equal(up_build_request(out, sizeof(out), &r), -1);
	parsed_free(req);
	parsed_free(resp);
}

static void
reason_phrases(void **state)
{
	assert_string_equal(up_reason_phrase(101), "Switching Protocols");
	assert_string_equal(up_reason_phrase(400), "Bad Request");
	assert_string_equal(up_reason_phrase(403), "Forbidden");
	assert_string_equal(up_reason_phrase(404), "Not Found");
	assert_string_equal(up_reason_phrase(405), "Method Not Allowed");
	assert_string_equal(up_reason_phrase(426), "Upgrade Required");
	assert_string_equal(up_reason_phrase(431),
	    "Request Header Fields Too Large");
	assert_string_equal(up_reason_phrase(500), "Internal Server Error");
	assert_string_equal(up_reason_phrase(502), "Bad Gateway");
	assert_string_equal(up_reason_phrase(0), "Unknown");
	assert_string_equal(up_reason_phrase(299), "Unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accept_rfc6455_sample_key),
		cmocka_unit_test(key_from_rfc6455_sample_nonce),
		cmocka_unit_test(response_101_fields),
		cmocka_unit_test(response_split_at_every_offset),
		cmocka_unit_test(response_http10_and_empty_reason),
		cmocka_unit_test(bare_lf_line_ends),
		cmocka_unit_test(header_value_white_space_trimmed),
		cmocka_unit_test(folded_header_value),
		cmocka_unit_test(folded_header_bare_lf_and_edges),
		cmocka_unit_test(fold_after_head_not_touched),
		cmocka_unit_test(repeated_headers_find_count_get),
		cmocka_unit_test(up_get_truncates_at_every_cap),
		cmocka_unit_test(has_token_cases),
		cmocka_unit_test(request_chrome_fields),
		cmocka_unit_test(request_split_at_every_offset),
		cmocka_unit_test(syntax_errors_response),
		cmocka_unit_test(nul_byte_is_syntax),
		cmocka_unit_test(syntax_errors_request),
		cmocka_unit_test(version_errors),
		cmocka_unit_test(head_too_long),
		cmocka_unit_test(too_many_headers),
		cmocka_unit_test(input_at_page_boundary),
		cmocka_unit_test(empty_input_is_incomplete),
		cmocka_unit_test(resumed_parse_looks_at_each_byte_once),
		cmocka_unit_test(parse_why_names_the_line_and_header),
		cmocka_unit_test(bare_lf_flagged),
		cmocka_unit_test(strerror_distinct),
		cmocka_unit_test(host_value_ports_and_ipv6),
		cmocka_unit_test(build_request_full_exact),
		cmocka_unit_test(build_request_minimal_exact),
		cmocka_unit_test(build_request_refuses_invalid_lines),
		cmocka_unit_test(check_response_failures_in_order),
		cmocka_unit_test(check_response_accepts),
		cmocka_unit_test(check_messages_escaped_and_truncated),
		cmocka_unit_test(check_request_405),
		cmocka_unit_test(check_request_400),
		cmocka_unit_test(check_request_400_targets_and_bare_lf),
		cmocka_unit_test(check_request_400_bad_keys),
		cmocka_unit_test(check_request_426),
		cmocka_unit_test(check_request_431_lists_do_not_fit),
		cmocka_unit_test(check_request_chrome),
		cmocka_unit_test(check_request_firefox),
		cmocka_unit_test(check_request_joins_repeated_lists),
		cmocka_unit_test(build_101_exact),
		cmocka_unit_test(build_101_extra_replaces),
		cmocka_unit_test(build_error_exact),
		cmocka_unit_test(roundtrip_request_101_error),
		cmocka_unit_test(wrong_role_and_missing_arguments),
		cmocka_unit_test(reason_phrases),
	};

	return cmocka_run_group_tests_name("upgrade", tests, NULL, NULL);
}
