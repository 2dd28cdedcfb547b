/*
 * fuzz_deflate.c - libFuzzer target for deflate.c: the extension header
 * parsers and the permessage-deflate streams.
 *
 * The first byte picks what is fuzzed (value % 5), the rest is its input,
 * always copied to an exactly sized heap buffer so that a read past the
 * end is caught:
 *  0 pmd_parse_params; byte 1 bit 0 is_offer. A success gives values in
 *    range which pmd_format writes and pmd_parse_params reads back the
 *    same; a failure leaves a why, cut cleanly at any cap.
 *  1 pmd_client_check against an offer built from bytes 1-2. An accepted
 *    response keeps every promise of the offer (windows not above what
 *    was offered, server_no_context_takeover when asked for).
 *  2 pmd_server_accept. An accepted offer's response is one that
 *    pmd_client_check takes, and accepting the response as an offer
 *    gives the same response back.
 *  3 pmd_inflate. Byte 1: window 8 + (b & 7), bit 3 no context takeover,
 *    bit 4 which end we are. The rest are records: a control byte (low 7
 *    bits: piece length, bit 7: the message ends after it) and the piece.
 *    Inflated in those pieces and again a message at a time: both must
 *    give the same bytes (one run may stop at an error where the other
 *    goes on: zlib's window check depends on how much each call writes,
 *    so its output must then be a prefix of the other's). Chunks are
 *    never empty nor over PMD_CHUNK; output is capped so a bomb stops.
 *  4 pmd_deflate then pmd_inflate, the records above as plain messages:
 *    what comes out is what went in, and zlib writing one byte per call
 *    (which enforces the window exactly) inflates the compressed bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)
#define CAP (1024 * 1024) /* most inflated bytes kept per run */

static char *
copy(const uint8_t *p, size_t n)
{
	char *s = malloc(n ? n : 1);

	CHECK(s != NULL);
	if (n)
		memcpy(s, p, n);
	return s;
}

static void
check_why(const char *why, size_t cap)
{
	CHECK(memchr(why, '\0', cap) != NULL);
}

/* ------------------------------------------------------------- parameters */

static int
bits_ok(int v)
{
	return v >= 8 && v <= 15;
}

static void
params_in_range(const struct pmd_params *p, int is_offer)
{
	CHECK(p->server_no_context_takeover == 0 ||
	    p->server_no_context_takeover == 1);
	CHECK(p->client_no_context_takeover == 0 ||
	    p->client_no_context_takeover == 1);
	CHECK(p->server_max_window_bits == 0 ||
	    bits_ok(p->server_max_window_bits));
	CHECK(p->client_max_window_bits == 0 ||
	    (is_offer && p->client_max_window_bits == PMD_BITS_NO_VALUE) ||
	    bits_ok(p->client_max_window_bits));
}

static void
fuzz_params(const uint8_t *data, size_t size)
{
	struct pmd_params p, q;
	char why[200], small[9], out[200];
	int is_offer, r;
	char *s;
	long n;

	if (size < 1)
		return;
	is_offer = data[0] & 1;
	s = copy(data + 1, size - 1);
	r = pmd_parse_params(s, size - 1, is_offer, &p, why, sizeof why);
	CHECK(r == 0 || r == -1);
	check_why(why, sizeof why);
	/* the cap only cuts the why */
	CHECK(pmd_parse_params(s, size - 1, is_offer, &q, small, sizeof small)
	    == r);
	check_why(small, sizeof small);
	CHECK(strncmp(why, small, sizeof small - 1) == 0);
	CHECK(pmd_parse_params(s, size - 1, is_offer, &q, NULL, 0) == r);
	if (r == 0) {
		CHECK(why[0] == '\0');
		params_in_range(&p, is_offer);
		n = pmd_format(out, sizeof out, &p);
		CHECK(n >= 18 && (size_t)n == strlen(out));
		CHECK(pmd_format(out, (size_t)n, &p) == -1);
		n = pmd_format(out, sizeof out, &p);
		if (n > 18) {
			CHECK(pmd_parse_params(out + 20, (size_t)n - 20,
			    is_offer, &q, why, sizeof why) == 0);
			CHECK(memcmp(&p, &q, sizeof(p)) == 0);
		}
	} else {
		CHECK(why[0] != '\0');
	}
	free(s);
}

static void
fuzz_client_check(const uint8_t *data, size_t size)
{
	static const int bits[] = { 0, PMD_BITS_NO_VALUE, 8, 9, 10, 11, 12,
		13, 14, 15 };
	struct pmd_params o;
	struct pmd_agreed a;
	char why[200];
	char *s;
	int r;

	if (size < 2)
		return;
	memset(&o, 0, sizeof(o));
	o.server_no_context_takeover = data[0] & 1;
	o.client_no_context_takeover = (data[0] >> 1) & 1;
	o.server_max_window_bits = bits[(data[0] >> 2) % 10];
	if (o.server_max_window_bits < 0)
		o.server_max_window_bits = 0;
	o.client_max_window_bits = bits[data[1] % 10];
	s = copy(data + 2, size - 2);
	r = pmd_client_check(s, size - 2, &o, &a, why, sizeof why);
	CHECK(r >= -1 && r <= 1);
	check_why(why, sizeof why);
	CHECK((r == -1) == (why[0] != '\0'));
	if (r == 1) {
		CHECK(bits_ok(a.server_bits) && bits_ok(a.client_bits));
		if (o.server_max_window_bits)
			CHECK(a.server_bits <= o.server_max_window_bits);
		if (o.client_max_window_bits > 0)
			CHECK(a.client_bits <= o.client_max_window_bits);
		if (o.client_max_window_bits == 0)
			CHECK(a.client_bits == 15);
		if (o.server_no_context_takeover)
			CHECK(a.server_no_takeover == 1);
		if (o.client_no_context_takeover)
			CHECK(a.client_no_takeover == 1);
	}
	free(s);
}

static void
fuzz_server_accept(const uint8_t *data, size_t size)
{
	struct pmd_params any;
	struct pmd_agreed a, b, c;
	char resp[200], resp2[200], why[200];
	char *s;
	int r;

	s = copy(data, size);
	r = pmd_server_accept(s, size, &a, resp, sizeof resp, why, sizeof why);
	CHECK(r >= -1 && r <= 1);
	check_why(why, sizeof why);
	if (r != 1) {
		CHECK(why[0] != '\0' && resp[0] == '\0');
		free(s);
		return;
	}
	CHECK(bits_ok(a.server_bits) && bits_ok(a.client_bits));
	/* an offer that allows everything the response may hold */
	memset(&any, 0, sizeof(any));
	any.client_max_window_bits = PMD_BITS_NO_VALUE;
	any.server_no_context_takeover = a.server_no_takeover;
	CHECK(pmd_client_check(resp, strlen(resp), &any, &b, why,
	    sizeof why) == 1);
	CHECK(a.server_bits == b.server_bits && a.client_bits == b.client_bits);
	CHECK(a.server_no_takeover == b.server_no_takeover);
	/* the response is an offer that is answered with itself */
	CHECK(pmd_server_accept(resp, strlen(resp), &c, resp2, sizeof resp2,
	    why, sizeof why) == 1);
	CHECK(strcmp(resp, resp2) == 0);
	CHECK(a.server_bits == c.server_bits && a.client_bits == c.client_bits);
	free(s);
}

/* ---------------------------------------------------------------- streams */

struct out {
	uint8_t *p;
	size_t len;
};

static int
keep(void *ctx, const uint8_t *p, size_t n)
{
	struct out *o = ctx;

	CHECK(n > 0 && n <= PMD_CHUNK);
	if (o->len + n > CAP)
		return 1;
	memcpy(o->p + o->len, p, n);
	o->len += n;
	return 0;
}

/* Next record: [*at, *at + *n) of data, fin when the message ends. */
static int
record(const uint8_t *data, size_t size, size_t *pos, size_t *at, size_t *n,
    int *fin)
{
	uint8_t c;

	if (*pos >= size)
		return 0;
	c = data[(*pos)++];
	*fin = c >> 7;
	*n = c & 0x7f;
	if (*n > size - *pos)
		*n = size - *pos;
	*at = *pos;
	*pos += *n;
	return 1;
}

static struct pmd *
new_pmd(uint8_t cfg, int which)
{
	struct pmd_agreed a;
	struct pmd *z;

	a.server_bits = a.client_bits = 8 + (cfg & 7);
	a.server_no_takeover = a.client_no_takeover = (cfg >> 3) & 1;
	z = pmd_new(&a, which);
	CHECK(z != NULL);
	return z;
}

/* Result of a run: PMD_OK, or the error or stop it ended with. */
static int
inflate_pieces(const uint8_t *data, size_t size, uint8_t cfg, struct out *o)
{
	struct pmd *z = new_pmd(cfg, (cfg >> 4) & 1);
	size_t pos = 0, at, n;
	int fin = 1, r = PMD_OK;
	char *piece;

	while (r == PMD_OK && record(data, size, &pos, &at, &n, &fin)) {
		piece = copy(data + at, n);
		r = pmd_inflate(z, (uint8_t *)piece, n, fin, keep, o);
		free(piece);
	}
	if (r == PMD_OK && !fin)
		r = pmd_inflate(z, NULL, 0, 1, keep, o);
	if (r != PMD_OK) {
		CHECK(r == PMD_ERR_DATA || r == PMD_STOPPED);
		CHECK((r == PMD_ERR_DATA) == (pmd_error(z)[0] != '\0'));
		/* sticky */
		CHECK(pmd_inflate(z, NULL, 0, 1, keep, o) == r);
	}
	pmd_free(z);
	return r;
}

static int
inflate_messages(const uint8_t *data, size_t size, uint8_t cfg,
    struct out *o)
{
	struct pmd *z = new_pmd(cfg, (cfg >> 4) & 1);
	uint8_t *msg = malloc(size + 1);
	size_t pos = 0, at, n, len = 0;
	int fin = 1, r = PMD_OK;
	char *whole;

	CHECK(msg != NULL);
	while (r == PMD_OK && record(data, size, &pos, &at, &n, &fin)) {
		memcpy(msg + len, data + at, n);
		len += n;
		if (!fin)
			continue;
		whole = copy(msg, len);
		r = pmd_inflate(z, (uint8_t *)whole, len, 1, keep, o);
		free(whole);
		len = 0;
	}
	if (r == PMD_OK && !fin) {
		whole = copy(msg, len);
		r = pmd_inflate(z, (uint8_t *)whole, len, 1, keep, o);
		free(whole);
	}
	free(msg);
	pmd_free(z);
	return r;
}

static void
fuzz_inflate(const uint8_t *data, size_t size)
{
	static uint8_t abuf[CAP], bbuf[CAP];
	struct out a = { abuf, 0 }, b = { bbuf, 0 };
	int ra, rb;

	if (size < 1)
		return;
	ra = inflate_pieces(data + 1, size - 1, data[0], &a);
	rb = inflate_messages(data + 1, size - 1, data[0], &b);
	if (ra == PMD_OK && rb == PMD_OK) {
		CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
	} else {
		size_t n = a.len < b.len ? a.len : b.len;

		CHECK(memcmp(a.p, b.p, n) == 0);
		if (ra == PMD_OK)
			CHECK(a.len >= b.len);
		if (rb == PMD_OK)
			CHECK(b.len >= a.len);
	}
}

/* zlib one output byte per call: a back-reference further than the
 * window fails. */
static void
strict(z_stream *s, const uint8_t *in, size_t n, const uint8_t *want,
    size_t wlen)
{
	static const uint8_t tail[4] = { 0, 0, 0xff, 0xff };
	uint8_t *buf = malloc(n + 4), b;
	size_t got = 0;
	int r;

	CHECK(buf != NULL);
	memcpy(buf, in, n);
	memcpy(buf + n, tail, 4);
	s->next_in = buf;
	s->avail_in = (uInt)(n + 4);
	for (;;) {
		s->next_out = &b;
		s->avail_out = 1;
		r = inflate(s, Z_SYNC_FLUSH);
		CHECK(r == Z_OK || r == Z_BUF_ERROR);
		if (s->avail_out == 0) {
			CHECK(got < wlen && b == want[got]);
			got++;
		} else if (s->avail_in == 0) {
			break;
		}
	}
	CHECK(got == wlen);
	free(buf);
}

struct trip {
	struct pmd *c;   /* deflates, as the client */
	struct pmd *s;   /* inflates, as the server */
	z_stream st;     /* the strict inflater */
	int reset;       /* no context takeover */
	struct out z;    /* the compressed message */
	struct out back; /* it inflated again */
	uint8_t *plain;  /* the message */
	size_t len;
};

static void
trip_piece(struct trip *t, const uint8_t *p, size_t n, int fin)
{
	char *piece = copy(p, n);

	memcpy(t->plain + t->len, piece, n);
	t->len += n;
	CHECK(pmd_deflate(t->c, (uint8_t *)piece, n, fin, keep, &t->z) ==
	    PMD_OK);
	free(piece);
	if (!fin)
		return;
	CHECK(t->z.len > 0);
	CHECK(pmd_inflate(t->s, t->z.p, t->z.len, 1, keep, &t->back) ==
	    PMD_OK);
	CHECK(t->back.len == t->len);
	CHECK(memcmp(t->back.p, t->plain, t->len) == 0);
	strict(&t->st, t->z.p, t->z.len, t->plain, t->len);
	if (t->reset)
		CHECK(inflateReset(&t->st) == Z_OK);
	t->z.len = t->back.len = t->len = 0;
}

static void
fuzz_roundtrip(const uint8_t *data, size_t size)
{
	static uint8_t zbuf[CAP], backbuf[CAP];
	struct trip t;
	size_t pos = 0, at, n;
	int fin = 1;

	if (size < 1)
		return;
	memset(&t, 0, sizeof(t));
	t.c = new_pmd(data[0], 1);
	t.s = new_pmd(data[0], 0);
	t.reset = (data[0] >> 3) & 1;
	CHECK(inflateInit2(&t.st, -(8 + (data[0] & 7))) == Z_OK);
	t.z.p = zbuf;
	t.back.p = backbuf;
	t.plain = malloc(size);
	CHECK(t.plain != NULL);
	data++;
	size--;
	while (record(data, size, &pos, &at, &n, &fin))
		trip_piece(&t, data + at, n, fin);
	if (!fin)
		trip_piece(&t, NULL, 0, 1);
	inflateEnd(&t.st);
	pmd_free(t.c);
	pmd_free(t.s);
	free(t.plain);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		fuzz_params(data + 1, size - 1);
		break;
	case 1:
		fuzz_client_check(data + 1, size - 1);
		break;
	case 2:
		fuzz_server_accept(data + 1, size - 1);
		break;
	case 3:
		fuzz_inflate(data + 1, size - 1);
		break;
	default:
		fuzz_roundtrip(data + 1, size - 1);
		break;
	}
	return 0;
}
