/*
 * fuzz_escape.c - libFuzzer target for the terminal escaper (disp_escape,
 * disp_escape_str).
 *
 * Input: one byte of flags (DISP_KEEP_NEWLINES, DISP_QUOTE, DISP_COLOR), two
 * bytes that choose a split point, then the message. The message is escaped
 * whole without state, whole with state, in two pieces split at the chosen
 * point and one byte at a time; every output buffer has the documented size
 * (len * DISP_ESCAPE_MAX + 64) and ends where its heap block ends. Checked:
 *  - all four outputs are identical, no longer than len * DISP_ESCAPE_MAX,
 *    and so are bad and bad_at;
 *  - bad is set exactly when the message is not valid UTF-8, at the offset
 *    ws_utf8_valid() reports (or before it, for a sequence cut by the end);
 *  - the output is valid UTF-8 and holds no raw control byte (below 0x20 or
 *    DEL; '\n' only with DISP_KEEP_NEWLINES; ESC only in the exact
 *    sequences ESC [ 7 m and ESC [ 2 7 m, with DISP_COLOR, opening and
 *    closing in turn), no C1 control (C2 80..C2 9F) and no bidi control
 *    code point; with DISP_QUOTE no '"' or '\' is left bare;
 *  - the same message escaped with DISP_COLOR flipped gives the same output
 *    once the reverse-video sequences are taken out;
 *  - the DISP_COLOR output decodes back to the message byte for byte: each
 *    reverse-video span holds exactly one escape (a control picture, \xNN
 *    or \u{NNNN}) and everything outside the spans is the text as sent, so
 *    text is never altered and an escape never mistaken for text;
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

#define REV "\033[7m"
#define REV_OFF "\033[27m"

static int
is_unsafe_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	    cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* Decode one code point of valid UTF-8 at u[0..]; returns its length. */
static size_t
decode(const uint8_t *u, uint32_t *cp)
{
	size_t len, k;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	len = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : 2;
	*cp = u[0] & (0x7f >> len);
	for (k = 1; k < len; k++)
		*cp = *cp << 6 | (u[k] & 0x3f);
	return len;
}

static void
check_safe(const char *s, size_t n, unsigned flags)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i, len;
	uint32_t cp;
	int in_rev = 0;

	CHECK(ws_utf8_valid(u, n, NULL));
	for (i = 0; i < n; i += len) {
		len = decode(u + i, &cp);
		if (cp == 0x1b) {
			/* only the reverse-video pair, in turn */
			CHECK(flags & DISP_COLOR);
			if (!in_rev) {
				CHECK(n - i >= 4 && !memcmp(s + i, REV, 4));
				len = 4;
			} else {
				CHECK(n - i >= 5 && !memcmp(s + i, REV_OFF, 5));
				len = 5;
			}
			in_rev = !in_rev;
			continue;
		}
		if (cp == '\n')
			CHECK(flags & DISP_KEEP_NEWLINES);
		else
			CHECK(cp >= 0x20 && cp != 0x7f);
		CHECK(!is_unsafe_cp(cp));
		if ((flags & DISP_QUOTE) && !in_rev) {
			CHECK(cp != '"');
			if (cp == '\\') {
				CHECK(i + 1 < n && (s[i + 1] == '\\' ||
				    s[i + 1] == '"' || s[i + 1] == 'x' ||
				    s[i + 1] == 'u'));
				if (s[i + 1] == '\\' || s[i + 1] == '"')
					len = 2;
			}
		}
	}
	CHECK(!in_rev);
}

/* s[0..n) without the reverse-video sequences, into out; returns length. */
static size_t
strip_rev(char *out, const char *s, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		if (n - i >= 4 && !memcmp(s + i, REV, 4))
			i += 4;
		else if (n - i >= 5 && !memcmp(s + i, REV_OFF, 5))
			i += 5;
		else
			out[o++] = s[i++];
	}
	return o;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static size_t
encode(uint8_t *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (uint8_t)(0xe0 | cp >> 12);
	out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
	out[2] = (uint8_t)(0x80 | (cp & 0x3f));
	return 3;
}

/*
 * Decode the output of a DISP_COLOR escape back into the message: inside
 * each reverse-video span exactly one escape, outside it the text as sent
 * (with DISP_QUOTE, \" and \\ stand for " and \). Returns the length, into
 * out (at least n bytes).
 */
static size_t
unescape(uint8_t *out, const char *s, size_t n, unsigned flags)
{
	size_t i = 0, o = 0, e, len;
	uint32_t cp;

	while (i < n) {
		if (n - i >= 4 && !memcmp(s + i, REV, 4)) {
			i += 4;
			for (e = 0; i + e + 5 <= n &&
			    memcmp(s + i + e, REV_OFF, 5) != 0; e++)
				;
			CHECK(i + e + 5 <= n);
			if (e == 4 && s[i] == '\\' && s[i + 1] == 'x') {
				CHECK(hexval(s[i + 2]) >= 0 &&
				    hexval(s[i + 3]) >= 0);
				out[o++] = (uint8_t)(hexval(s[i + 2]) << 4 |
				    hexval(s[i + 3]));
			} else if (e == 8 && !memcmp(s + i, "\\u{", 3) &&
			    s[i + 7] == '}') {
				cp = 0;
				for (size_t k = 3; k < 7; k++) {
					CHECK(hexval(s[i + k]) >= 0);
					cp = cp << 4 | (uint32_t)hexval(s[i + k]);
				}
				CHECK(is_unsafe_cp(cp));
				o += encode(out + o, cp);
			} else {
				CHECK(e == 3);
				decode((const uint8_t *)s + i, &cp);
				CHECK((cp >= 0x2400 && cp < 0x2420) ||
				    cp == 0x2421 || cp == 0x2424);
				out[o++] = cp == 0x2421 ? 0x7f : cp == 0x2424 ?
				    '\n' : (uint8_t)(cp - 0x2400);
				/* '\n' has U+2424, never U+240A */
				CHECK(cp != 0x240a);
				CHECK(cp != 0x2424 ||
				    !(flags & DISP_KEEP_NEWLINES));
			}
			i += e + 5;
			continue;
		}
		len = decode((const uint8_t *)s + i, &cp);
		if ((flags & DISP_QUOTE) && cp == '\\') {
			CHECK(i + 1 < n);
			out[o++] = (uint8_t)s[i + 1];
			i += 2;
			continue;
		}
		memcpy(out + o, s + i, len);
		o += len;
		i += len;
	}
	return o;
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
	size_t cap = len * DISP_ESCAPE_MAX + 64, n;
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
	char *o_null, *o_whole, *o_split, *o_byte, *o_alt, *s, *strip1, *strip2;
	uint8_t *back;
	size_t na, n1, n2, nback;
	uint8_t *p;
	int valid;

	if (size < 3)
		return 0;
	flags = data[0] & (DISP_KEEP_NEWLINES | DISP_QUOTE | DISP_COLOR);
	len = size - 3;
	split = (size_t)(data[1] | data[2] << 8) % (len + 1);
	p = malloc(len ? len : 1);
	CHECK(p != NULL);
	memcpy(p, data + 3, len);

	cap = len * DISP_ESCAPE_MAX + 64;
	o_null = buf(cap);
	o_alt = buf(cap);
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

	CHECK(nn <= len * DISP_ESCAPE_MAX);
	CHECK(nw == nn && memcmp(o_whole, o_null, nn) == 0);
	CHECK(ns == nn && memcmp(o_split, o_null, nn) == 0);
	CHECK(nb == nn && memcmp(o_byte, o_null, nn) == 0);
	check_safe(o_null, nn, flags);

	/* colour adds reverse video around escapes and nothing else */
	na = escape(o_alt, cap, p, len, flags ^ DISP_COLOR, NULL, 1);
	check_safe(o_alt, na, flags ^ DISP_COLOR);
	strip1 = buf(cap);
	strip2 = buf(cap);
	n1 = strip_rev(strip1, o_null, nn);
	n2 = strip_rev(strip2, o_alt, na);
	CHECK(n1 == n2 && memcmp(strip1, strip2, n1) == 0);
	free(strip1);
	free(strip2);

	/* the coloured output is the message, losslessly */
	back = malloc(cap);
	CHECK(back != NULL);
	if (flags & DISP_COLOR)
		nback = unescape(back, o_null, nn, flags);
	else
		nback = unescape(back, o_alt, na, flags ^ DISP_COLOR);
	CHECK(nback == len && memcmp(back, p, len) == 0);
	free(back);

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
	free(o_alt);
	free(o_whole);
	free(o_split);
	free(o_byte);
	free(p);
	return 0;
}
