/*
 * fuzz_json.c - libFuzzer target for the JSON re-indenter (disp_json).
 *
 * The input is the message. Checked:
 *  - disp_json() accepts exactly the texts a small RFC 8259 validator
 *    written here accepts (except near the nesting limit, where the two
 *    may count one level differently);
 *  - with color 0 and indent "", removing white space outside strings from
 *    input and output gives the same bytes, once the input strings are
 *    rewritten the way terminal escaping must rewrite them: DEL as its
 *    control picture U+2421, C1 controls and bidi controls (U+061C,
 *    U+200E-200F, U+202A-202E, U+2066-2069) as \u{XXXX}; everything else,
 *    backslash escapes included, is copied as received;
 *  - the output never holds a raw byte below 0x20 other than '\n', nor DEL,
 *    nor a C1 or bidi control, and is valid UTF-8;
 *  - with a smaller cap (the buffer ends where the heap block ends) the
 *    result is DISP_JSON_NOSPACE when the text does not fit, and the same
 *    output when it does;
 *  - with color, every ESC starts one of the SGR sequences disp_json uses
 *    (token colours, and reverse video around escapes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "frame.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

/* ------------------------------------------------- reference validator */

struct ref {
	const uint8_t *p;
	size_t len, i;
	int depth, max_depth;
};

static void
ref_ws(struct ref *r)
{
	while (r->i < r->len && (r->p[r->i] == ' ' || r->p[r->i] == '\t' ||
	    r->p[r->i] == '\n' || r->p[r->i] == '\r'))
		r->i++;
}

static int
ref_peek(struct ref *r)
{
	return r->i < r->len ? r->p[r->i] : -1;
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
ref_string(struct ref *r)
{
	int c, k;

	r->i++;
	for (;;) {
		if ((c = ref_peek(r)) < 0 || c < 0x20)
			return 0;
		r->i++;
		if (c == '"')
			return 1;
		if (c != '\\')
			continue;	/* UTF-8 is checked on the whole text */
		c = ref_peek(r);
		r->i++;
		if (c == 'u') {
			for (k = 0; k < 4; k++, r->i++)
				if (!is_hex(ref_peek(r)))
					return 0;
		} else if (c < 0 || !memchr("\"\\/bfnrt", c, 8)) {
			return 0;
		}
	}
}

static int
ref_digits(struct ref *r)
{
	size_t s = r->i;

	while (ref_peek(r) >= '0' && ref_peek(r) <= '9')
		r->i++;
	return r->i > s;
}

static int
ref_value(struct ref *r)
{
	static const char *const lits[] = { "true", "false", "null" };
	int c, close;
	size_t k, n;

	ref_ws(r);
	c = ref_peek(r);
	if (c == '{' || c == '[') {
		close = c == '{' ? '}' : ']';
		r->i++;
		if (++r->depth > r->max_depth)
			r->max_depth = r->depth;
		ref_ws(r);
		if (ref_peek(r) == close) {
			r->i++;
			r->depth--;
			return 1;
		}
		for (;;) {
			if (c == '{') {
				ref_ws(r);
				if (ref_peek(r) != '"' || !ref_string(r))
					return 0;
				ref_ws(r);
				if (ref_peek(r) != ':')
					return 0;
				r->i++;
			}
			if (!ref_value(r))
				return 0;
			ref_ws(r);
			if (ref_peek(r) == ',') {
				r->i++;
				continue;
			}
			if (ref_peek(r) != close)
				return 0;
			r->i++;
			r->depth--;
			return 1;
		}
	}
	if (c == '"')
		return ref_string(r);
	if (c == '-' || (c >= '0' && c <= '9')) {
		if (c == '-')
			r->i++;
		if (ref_peek(r) == '0')
			r->i++;
		else if (!ref_digits(r))
			return 0;
		if (ref_peek(r) == '.') {
			r->i++;
			if (!ref_digits(r))
				return 0;
		}
		if (ref_peek(r) == 'e' || ref_peek(r) == 'E') {
			r->i++;
			if (ref_peek(r) == '+' || ref_peek(r) == '-')
				r->i++;
			if (!ref_digits(r))
				return 0;
		}
		return 1;
	}
	for (k = 0; k < 3; k++) {
		n = strlen(lits[k]);
		if (r->len - r->i >= n &&
		    memcmp(r->p + r->i, lits[k], n) == 0) {
			r->i += n;
			return 1;
		}
	}
	return 0;
}

/* 1 if p is one valid JSON text; *depth gets the deepest nesting seen. */
static int
ref_valid(const uint8_t *p, size_t len, int *depth)
{
	struct ref r = { p, len, 0, 0, 0 };
	int ok;

	ok = ref_value(&r);
	ref_ws(&r);
	*depth = r.max_depth;
	return ok && r.i == len && ws_utf8_valid(p, len, NULL);
}

/* ------------------------------------------------------ normalising */

/* Code point of the UTF-8 sequence at p[0..n) if it is one of the C1 or bidi
 * controls, else 0; *used gets its length. */
static uint32_t
unsafe_cp(const uint8_t *p, size_t n, size_t *used)
{
	uint32_t cp;

	if (n >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
		*used = 2;
		return p[1];
	}
	if (n >= 2 && p[0] == 0xd8 && p[1] == 0x9c) {
		*used = 2;
		return 0x061c;
	}
	if (n >= 3 && p[0] == 0xe2 && (p[1] == 0x80 || p[1] == 0x81)) {
		cp = 0x2000 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		if (cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069)) {
			*used = 3;
			return cp;
		}
	}
	return 0;
}

/*
 * Copy p without white space outside strings into out. With rewrite, string
 * bytes a terminal would act on are replaced as disp_escape() does. Returns
 * the length.
 */
static size_t
strip(uint8_t *out, const uint8_t *p, size_t len, int rewrite)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, o = 0, used;
	int in_str = 0;
	uint32_t cp;
	uint8_t c;

	while (i < len) {
		c = p[i];
		if (!in_str) {
			if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
				out[o++] = c;
			in_str = c == '"';
			i++;
		} else if (c == '\\') {
			out[o++] = c;
			if (++i < len)
				out[o++] = p[i++];
		} else if (rewrite && c == 0x7f) {
			memcpy(out + o, "\xe2\x90\xa1", 3); /* U+2421 */
			o += 3;
			i++;
		} else if (rewrite && (cp = unsafe_cp(p + i, len - i, &used))) {
			memcpy(out + o, "\\u{", 3);
			out[o + 3] = (uint8_t)hex[cp >> 12 & 15];
			out[o + 4] = (uint8_t)hex[cp >> 8 & 15];
			out[o + 5] = (uint8_t)hex[cp >> 4 & 15];
			out[o + 6] = (uint8_t)hex[cp & 15];
			out[o + 7] = '}';
			o += 8;
			i += used;
		} else {
			in_str = c != '"';
			out[o++] = c;
			i++;
		}
	}
	return o;
}

/* ---------------------------------------------------------- checks */

static void
check_safe(const char *s, size_t n, int color)
{
	static const char *const sgr[] = {
		"\033[34m", "\033[32m", "\033[36m", "\033[35m", "\033[0m",
		"\033[7m", "\033[27m",
	};
	const size_t nsgr = sizeof sgr / sizeof sgr[0];
	const uint8_t *u = (const uint8_t *)s;
	size_t i, k, used;

	CHECK(ws_utf8_valid(u, n, NULL));
	for (i = 0; i < n; i++) {
		if (u[i] == 0x1b && color) {
			for (k = 0; k < nsgr; k++)
				if (n - i >= strlen(sgr[k]) &&
				    memcmp(s + i, sgr[k], strlen(sgr[k])) == 0)
					break;
			CHECK(k < nsgr);
			continue;
		}
		CHECK(u[i] >= 0x20 || u[i] == '\n');
		CHECK(u[i] != 0x7f);
		CHECK(unsafe_cp(u + i, n - i, &used) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p, *a, *b;
	char *out, *small;
	size_t cap, scap, na, nb;
	uint32_t h = 2166136261u;
	long r, rc;
	int valid, depth;

	p = malloc(size ? size : 1);
	CHECK(p != NULL);
	memcpy(p, data, size);
	valid = ref_valid(p, size, &depth);

	/* room for every byte to become an indented line */
	cap = (size + 1) * (2 * (size_t)depth + 24) + 1024;
	out = malloc(cap);
	CHECK(out != NULL);
	r = disp_json(out, cap, p, size, "", 0);
	CHECK(r != DISP_JSON_NOSPACE);
	/* nesting deeper than the limit is refused by design, whatever the
	 * reference validator (which has no limit) says; near the limit the
	 * two count depth differently */
	if (depth < DISP_JSON_MAX_DEPTH - 1)
		CHECK((r >= 0) == valid);
	else if (depth > DISP_JSON_MAX_DEPTH + 3)
		CHECK(r < 0);

	if (r >= 0) {
		check_safe(out, (size_t)r, 0);
		a = malloc(8 * size + 1);
		b = malloc((size_t)r + 1);
		CHECK(a != NULL && b != NULL);
		na = strip(a, p, size, 1);
		nb = strip(b, (const uint8_t *)out, (size_t)r, 0);
		CHECK(na == nb && memcmp(a, b, na) == 0);
		free(a);
		free(b);

		/* a cap chosen from the input, the buffer ending the block */
		for (size_t i = 0; i < size; i++)
			h = (h ^ data[i]) * 16777619u;
		scap = h % ((size_t)r + 2);
		small = malloc(scap ? scap : 1);
		CHECK(small != NULL);
		rc = disp_json(small, scap, p, size, "", 0);
		if (scap < (size_t)r) {
			CHECK(rc == DISP_JSON_NOSPACE);
		} else {
			CHECK(rc == r);
			CHECK(memcmp(small, out, (size_t)r) == 0);
		}
		free(small);

		/* color and an indent: more output, same verdict */
		free(out);
		cap = cap * 3 + 4096;
		out = malloc(cap);
		CHECK(out != NULL);
		rc = disp_json(out, cap, p, size, "> ", 1);
		CHECK(rc >= r);
		check_safe(out, (size_t)rc, 1);
	}
	free(out);
	free(p);
	return 0;
}
