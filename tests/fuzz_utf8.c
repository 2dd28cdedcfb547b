/*
 * fuzz_utf8.c - libFuzzer target for ws_utf8_valid() and ws_utf8_feed().
 *
 * Both are compared with a reference validator written here in a different
 * way: it decodes each sequence by its bit pattern and, after every byte,
 * asks whether the code points the sequence can still become intersect the
 * valid range for its length (RFC 3629: U+0080-07FF, U+0800-FFFF without
 * the surrogates U+D800-DFFF, U+10000-10FFFF). A prefix that can no longer
 * become a valid code point is invalid at once; bad_at is the first byte of
 * that sequence. The first two input bytes choose where the rest is split
 * for ws_utf8_feed(); it is also fed one byte at a time. Checked: the result
 * of every feed (OK, INCOMPLETE, INVALID), bad_at, that INVALID is sticky,
 * and that ws_utf8_valid() gives the same verdict and offset.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

/* Can a sequence of n bytes whose value so far is v, with r continuation
 * bytes still to come, still decode to a valid code point? */
static int
feasible(int n, uint32_t v, int r)
{
	static const uint32_t lo_of[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	static const uint32_t hi_of[5] = { 0, 0x7f, 0x7ff, 0xffff, 0x10ffff };
	uint32_t lo = v << (6 * r), hi = lo | ((1u << (6 * r)) - 1);

	if (lo < lo_of[n])
		lo = lo_of[n];
	if (hi > hi_of[n])
		hi = hi_of[n];
	if (lo > hi)
		return 0;
	return !(lo >= 0xd800 && hi <= 0xdfff);
}

/*
 * Fill res[k] with the validator result after the first k bytes (k = 0..len)
 * and return the offset of the first bad sequence (len if none).
 */
static size_t
reference(const uint8_t *p, size_t len, int *res)
{
	size_t i, start = 0, bad = len;
	int n = 0, m = 0;	/* sequence length, bytes of it seen */
	uint32_t v = 0;
	uint8_t c;

	res[0] = WS_UTF8_OK;
	for (i = 0; i < len; i++) {
		c = p[i];
		if (bad < len) {
			res[i + 1] = WS_UTF8_INVALID;
			continue;
		}
		if (m == n) {	/* expecting a lead byte */
			start = i;
			m = 1;
			if (c < 0x80) {
				n = 1;
				v = c;
			} else if ((c & 0xe0) == 0xc0) {
				n = 2;
				v = c & 0x1f;
			} else if ((c & 0xf0) == 0xe0) {
				n = 3;
				v = c & 0x0f;
			} else if ((c & 0xf8) == 0xf0) {
				n = 4;
				v = c & 0x07;
			} else {
				n = 0;	/* stray continuation or F8..FF */
			}
		} else {
			if ((c & 0xc0) != 0x80)
				n = 0;
			v = v << 6 | (c & 0x3f);
			m++;
		}
		if (n == 0 || !feasible(n, v, n - m)) {
			bad = start;
			res[i + 1] = WS_UTF8_INVALID;
			continue;
		}
		res[i + 1] = m == n ? WS_UTF8_OK : WS_UTF8_INCOMPLETE;
	}
	return bad;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_utf8 u;
	size_t len, split, bad, vbad, i;
	uint64_t bad_at;
	uint8_t *p;
	int *res, r;

	if (size < 2)
		return 0;
	len = size - 2;
	split = (size_t)(data[0] | data[1] << 8) % (len + 1);
	/* exact size: a read past the end is caught */
	p = malloc(len ? len : 1);
	res = malloc((len + 1) * sizeof(*res));
	CHECK(p != NULL && res != NULL);
	memcpy(p, data + 2, len);
	bad = reference(p, len, res);

	/* one shot */
	vbad = (size_t)-1;
	r = ws_utf8_valid(p, len, &vbad);
	CHECK(r == (res[len] == WS_UTF8_OK));
	if (!r)
		CHECK(vbad == bad);
	else
		CHECK(vbad == (size_t)-1);
	CHECK(ws_utf8_valid(p, len, NULL) == r);

	/* two pieces */
	memset(&u, 0, sizeof(u));
	r = ws_utf8_feed(&u, p, split);
	CHECK(r == res[split]);
	if (r == WS_UTF8_INVALID)
		CHECK(u.bad_at == bad);
	bad_at = u.bad_at;
	r = ws_utf8_feed(&u, p + split, len - split);
	CHECK(r == res[len]);
	if (r == WS_UTF8_INVALID) {
		CHECK(u.bad_at == bad);
		if (res[split] == WS_UTF8_INVALID)
			CHECK(u.bad_at == bad_at);
	}
	if (r == WS_UTF8_OK)
		CHECK(u.offset == len);

	/* one byte at a time; then sticky */
	memset(&u, 0, sizeof(u));
	for (i = 0; i < len; i++) {
		r = ws_utf8_feed(&u, p + i, 1);
		CHECK(r == res[i + 1]);
		if (r == WS_UTF8_INVALID)
			CHECK(u.bad_at == bad);
	}
	r = ws_utf8_feed(&u, (const uint8_t *)"a", 1);
	if (res[len] == WS_UTF8_INVALID)
		CHECK(r == WS_UTF8_INVALID && u.bad_at == bad);
	CHECK(ws_utf8_feed(&u, p, 0) == r);

	free(res);
	free(p);
	return 0;
}
