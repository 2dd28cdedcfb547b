/*
 * fuzz_escape.c - libFuzzer target for the terminal escaper (disp_escape,
 * disp_escape_str).
 *
 * Input: one byte of flags (DISP_KEEP_NEWLINES, DISP_QUOTE), two bytes that
 * choose a split point, then the message. The message is escaped whole
 * without state, whole with state, in two pieces split at the chosen point
 * and one byte at a time; every output buffer has the documented size
 * (len * DISP_ESCAPE_MAX + 16) and ends where its heap block ends. Checked:
 *  - all four outputs are identical, and so are bad and bad_at;
 *  - bad is set exactly when the message is not valid UTF-8, at the offset
 *    ws_utf8_valid() reports (or before it, for a sequence cut by the end);
 *  - the output is valid UTF-8 and holds no raw control byte (below 0x20 or
 *    DEL; '\n' only with DISP_KEEP_NEWLINES), no C1 control (C2 80..C2 9F)
 *    and no bidi control code point; every backslash starts an escape, and
 *    with DISP_QUOTE no '"' is left bare;
 *  - disp_escape_str() with a cap chosen from the input stays in bounds,
 *    terminates the string, and gives the disp_escape() output, or a prefix
 *    of it followed by "..." when that does not fit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "frame.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static int
is_unsafe_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	    cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

static void
check_safe(const char *s, size_t n, unsigned flags)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i, k, len;
	uint32_t cp;

	CHECK(ws_utf8_valid(u, n, NULL));
	for (i = 0; i < n; i += len) {
		/* valid UTF-8: decode without checks */
		if (u[i] < 0x80) {
			cp = u[i];
			len = 1;
		} else {
			len = u[i] >= 0xf0 ? 4 : u[i] >= 0xe0 ? 3 : 2;
			cp = u[i] & (0x7f >> len);
			for (k = 1; k < len; k++)
				cp = cp << 6 | (u[i + k] & 0x3f);
		}
		if (cp == '\n')
			CHECK(flags & DISP_KEEP_NEWLINES);
		else
			CHECK(cp >= 0x20 && cp != 0x7f);
		CHECK(!is_unsafe_cp(cp));
		if (cp == '\\') {
			CHECK(i + 1 < n);
			len = 2;
		}
		if (cp == '"')
			CHECK(!(flags & DISP_QUOTE));
	}
}

/* A buffer of cap bytes that ends where its heap block ends. */
static char *
buf(size_t cap)
{
	char *b = malloc(cap ? cap : 1);

	CHECK(b != NULL);
	return b;
}

/* disp_escape() into a buffer of the documented size, then out (room). */
static size_t
escape(char *out, size_t room, const uint8_t *p, size_t len, unsigned flags,
    struct disp_escape_state *st, int final)
{
	size_t cap = len * DISP_ESCAPE_MAX + 16, n;
	char *b = buf(cap);

	n = disp_escape(b, cap, p, len, flags, st, final);
	CHECK(n <= cap && n <= room);
	memcpy(out, b, n);
	free(b);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct disp_escape_state sw, ss, sb;
	unsigned flags;
	size_t len, split, cap, nn, nw, ns, nb, i, vbad, scap, sl;
	char *o_null, *o_whole, *o_split, *o_byte, *s;
	uint8_t *p;
	int valid;

	if (size < 3)
		return 0;
	flags = data[0] & (DISP_KEEP_NEWLINES | DISP_QUOTE);
	len = size - 3;
	split = (size_t)(data[1] | data[2] << 8) % (len + 1);
	p = malloc(len ? len : 1);
	CHECK(p != NULL);
	memcpy(p, data + 3, len);

	cap = len * DISP_ESCAPE_MAX + 64;
	o_null = buf(cap);
	o_whole = buf(cap);
	o_split = buf(cap);
	o_byte = buf(cap);
	memset(&sw, 0, sizeof(sw));
	memset(&ss, 0, sizeof(ss));
	memset(&sb, 0, sizeof(sb));

	nn = escape(o_null, cap, p, len, flags, NULL, 1);
	nw = escape(o_whole, cap, p, len, flags, &sw, 1);
	ns = escape(o_split, cap, p, split, flags, &ss, 0);
	ns += escape(o_split + ns, cap - ns, p + split, len - split, flags,
	    &ss, 1);
	nb = 0;
	for (i = 0; i < len; i++)
		nb += escape(o_byte + nb, cap - nb, p + i, 1, flags, &sb,
		    i + 1 == len);
	if (len == 0)
		nb = escape(o_byte, cap, p, 0, flags, &sb, 1);

	CHECK(nn <= cap - 48);
	CHECK(nw == nn && memcmp(o_whole, o_null, nn) == 0);
	CHECK(ns == nn && memcmp(o_split, o_null, nn) == 0);
	CHECK(nb == nn && memcmp(o_byte, o_null, nn) == 0);
	check_safe(o_null, nn, flags);

	CHECK(sw.npend == 0 && ss.npend == 0 && sb.npend == 0);
	CHECK(sw.offset == len && ss.offset == len && sb.offset == len);
	CHECK(ss.bad == sw.bad && sb.bad == sw.bad);
	if (sw.bad)
		CHECK(ss.bad_at == sw.bad_at && sb.bad_at == sw.bad_at);
	valid = ws_utf8_valid(p, len, &vbad);
	CHECK(sw.bad == !valid);
	if (!valid) {
		if (vbad < len)
			CHECK(sw.bad_at == vbad);
		else
			CHECK(sw.bad_at < len);
	}

	/* disp_escape_str: the same output, whole or cut with "..." */
	scap = (size_t)(data[1] ^ data[2]) % (nn + 8);
	s = buf(scap);
	CHECK(disp_escape_str(s, scap, p, len, flags) == s);
	if (scap > 0) {
		CHECK(memchr(s, '\0', scap) != NULL);
		sl = strlen(s);
		check_safe(s, sl, flags);
		if (scap < 4) {
			CHECK(sl == 0);
		} else if (nn <= scap - 4) {
			CHECK(sl == nn && memcmp(s, o_null, nn) == 0);
		} else {
			CHECK(sl >= 3 && memcmp(s + sl - 3, "...", 3) == 0);
			CHECK(sl - 3 <= scap - 4);
			CHECK(memcmp(s, o_null, sl - 3) == 0);
		}
	}
	free(s);

	free(o_null);
	free(o_whole);
	free(o_split);
	free(o_byte);
	free(p);
	return 0;
}
