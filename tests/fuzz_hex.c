/*
 * fuzz_hex.c - libFuzzer target for disp_parse_hex() and disp_parse_base64().
 *
 * The input, up to its first NUL, is the string to parse, in an exactly
 * sized heap block. Each parser writes into buffers that end where their
 * heap block ends: one of exactly the size the text needs (which must
 * succeed), one a byte short (which must fail) and one of strlen bytes.
 * Checked:
 *  - hex: accepted exactly when the text is pairs of hex digits with
 *    blanks and colons only between pairs; re-encoding the bytes as
 *    lowercase hex gives the text's digits lowercased, separators removed;
 *    on error bad_at is the first offending character;
 *  - base64: accepted exactly when the text is alphabet characters, blanks,
 *    and at most two '=' after the last alphabet character, with the unused
 *    low bits zero; re-encoding the bytes (unpadded) gives the text's
 *    alphabet characters; on error bad_at is within the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
hexdigit(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Lowercased digits of s into digits; -1 with *bad if s is not valid hex. */
static long
ref_hex(const char *s, char *digits, size_t *bad)
{
	size_t i, n = 0;
	int half = 0;

	for (i = 0; ; i++) {
		int c = (unsigned char)s[i];

		if (half) {
			if (!hexdigit(c)) {
				*bad = i;
				return -1;
			}
			digits[n++] = (char)(c | 0x20);
			half = 0;
		} else if (c == '\0') {
			return (long)n;
		} else if (c == ' ' || c == '\t' || c == ':') {
			continue;
		} else if (hexdigit(c)) {
			digits[n++] = (char)(c | 0x20);
			half = 1;
		} else {
			*bad = i;
			return -1;
		}
	}
}

/* Alphabet characters of s into chars; -1 if s is not valid base64. */
static long
ref_base64(const char *s, char *chars)
{
	size_t i, n = 0;
	int pad = 0, v;

	for (i = 0; s[i]; i++) {
		if (s[i] == ' ' || s[i] == '\t')
			continue;
		if (s[i] == '=') {
			if (++pad > 2)
				return -1;
			continue;
		}
		if (pad || memchr(b64, s[i], 64) == NULL)
			return -1;
		chars[n++] = s[i];
	}
	if (n % 4 == 1)
		return -1;
	if (n % 4 != 0) {
		/* the unused low bits of the last character must be zero */
		v = (int)((const char *)memchr(b64, chars[n - 1], 64) - b64);
		if (v & (n % 4 == 2 ? 0xf : 0x3))
			return -1;
	}
	return (long)n;
}

static void
to_hex(char *out, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
}

static void
to_base64(char *out, const uint8_t *p, size_t n)
{
	size_t i, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		acc = acc << 8 | p[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = b64[(acc >> bits) & 63];
		}
	}
	if (bits)
		out[o++] = b64[(acc << (6 - bits)) & 63];
}

typedef long (*parser)(uint8_t *, size_t, const char *, size_t *);

/* Parse s with a cap-byte output at the end of its block; copy into out. */
static long
parse(parser f, const char *s, size_t cap, uint8_t *out, size_t *bad)
{
	uint8_t *b = malloc(cap ? cap : 1);
	long r;

	CHECK(b != NULL);
	*bad = (size_t)-1;
	r = f(b, cap, s, bad);
	CHECK(r >= -1 && (r < 0 || (size_t)r <= cap));
	if (r > 0)
		memcpy(out, b, (size_t)r);
	if (r < 0)
		CHECK(*bad <= strlen(s));
	free(b);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = strnlen((const char *)data, size), bad, rbad;
	char *s, *ref, *enc;
	uint8_t *out;
	long r, want, need;

	s = malloc(len + 1);
	ref = malloc(len + 1);
	enc = malloc(2 * len + 4);
	out = malloc(len + 1);
	CHECK(s != NULL && ref != NULL && enc != NULL && out != NULL);
	memcpy(s, data, len);
	s[len] = '\0';

	/* hex */
	want = ref_hex(s, ref, &rbad);
	r = parse(disp_parse_hex, s, len, out, &bad);
	if (want < 0) {
		CHECK(r == -1 && bad == rbad);
	} else {
		need = want / 2;
		CHECK(r == need);
		to_hex(enc, out, (size_t)r);
		CHECK(memcmp(enc, ref, (size_t)want) == 0);
		CHECK(parse(disp_parse_hex, s, (size_t)need, out, &bad) ==
		    need);
		if (need > 0)
			CHECK(parse(disp_parse_hex, s, (size_t)need - 1, out,
			    &bad) == -1);
	}

	/* base64 */
	want = ref_base64(s, ref);
	r = parse(disp_parse_base64, s, len, out, &bad);
	if (want < 0) {
		CHECK(r == -1);
	} else {
		need = want * 6 / 8;
		CHECK(r == need);
		to_base64(enc, out, (size_t)r);
		CHECK(memcmp(enc, ref, (size_t)want) == 0);
		CHECK(parse(disp_parse_base64, s, (size_t)need, out, &bad) ==
		    need);
		if (need > 0)
			CHECK(parse(disp_parse_base64, s, (size_t)need - 1,
			    out, &bad) == -1);
	}

	free(s);
	free(ref);
	free(enc);
	free(out);
	return 0;
}
