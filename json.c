/*
 * json.c - a JSON scanner (see json.h): RFC 8259 values found, checked
 * and read in place, without building anything. No I/O, no allocation,
 * no state but a table filled on first use.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "json.h"

#define JSON_DEPTH 64

static size_t
blanks(const uint8_t *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
	    p[i] == '\r'))
		i++;
	return i;
}

/* Bytes that stand for themselves inside a JSON string: all but the
 * quote, the backslash and controls (filled on first use). */
static uint8_t plain[256];

static void
plain_init(void)
{
	for (unsigned c = 0x20; c < 256; c++)
		plain[c] = c != '"' && c != '\\';
}

/* The end of the JSON string starting at p[i] == '"', or 0. */
static size_t
scan_string(const uint8_t *p, size_t n, size_t i)
{
	if (!plain['a'])
		plain_init();
	for (i++; i < n; i++) {
		while (i < n && plain[p[i]])
			i++;
		if (i >= n)
			return 0;
		if (p[i] == '"')
			return i + 1;
		if (p[i] < 0x20)
			return 0;
		if (p[i] == '\\') {
			if (++i >= n)
				return 0;
			if (p[i] == 'u') {
				for (int k = 0; k < 4; k++)
					if (++i >= n || !((p[i] >= '0' &&
					    p[i] <= '9') || ((p[i] | 0x20) >=
					    'a' && (p[i] | 0x20) <= 'f')))
						return 0;
			} else if (!strchr("\"\\/bfnrt", p[i])) {
				return 0;
			}
		}
	}
	return 0;
}

static size_t
scan_number(const uint8_t *p, size_t n, size_t i)
{
	size_t s;

	if (i < n && p[i] == '-')
		i++;
	if (i < n && p[i] == '0')
		i++;
	else if (i < n && p[i] >= '1' && p[i] <= '9')
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && p[i] == '.') {
		s = ++i;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == s)
			return 0;
	}
	if (i < n && (p[i] | 0x20) == 'e') {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		s = i;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == s)
			return 0;
	}
	return i;
}

/* The end of the value at p[i] (blanks first), or 0. */
static size_t
scan_value(const uint8_t *p, size_t n, size_t i, int depth)
{
	i = blanks(p, n, i);
	if (i >= n || depth > JSON_DEPTH)
		return 0;
	switch (p[i]) {
	case '"':
		return scan_string(p, n, i);
	case '{':
	case '[': {
		uint8_t close = p[i] == '{' ? '}' : ']';
		int obj = p[i] == '{';

		i = blanks(p, n, i + 1);
		if (i < n && p[i] == close)
			return i + 1;
		for (;;) {
			if (obj) {
				i = blanks(p, n, i);
				if (i >= n || p[i] != '"' ||
				    (i = scan_string(p, n, i)) == 0)
					return 0;
				i = blanks(p, n, i);
				if (i >= n || p[i] != ':')
					return 0;
				i++;
			}
			if ((i = scan_value(p, n, i, depth + 1)) == 0)
				return 0;
			i = blanks(p, n, i);
			if (i < n && p[i] == ',') {
				i++;
				continue;
			}
			return i < n && p[i] == close ? i + 1 : 0;
		}
	}
	case 't':
		return n - i >= 4 && !memcmp(p + i, "true", 4) ? i + 4 : 0;
	case 'f':
		return n - i >= 5 && !memcmp(p + i, "false", 5) ? i + 5 : 0;
	case 'n':
		return n - i >= 4 && !memcmp(p + i, "null", 4) ? i + 4 : 0;
	default:
		return scan_number(p, n, i);
	}
}

size_t
json_value(const uint8_t *p, size_t n)
{
	return scan_value(p, n, 0, 0);
}

int
json_valid(const uint8_t *p, size_t n)
{
	size_t e = scan_value(p, n, 0, 0);

	return e > 0 && blanks(p, n, e) == n;
}

/* The value of one hex digit, or -1. */
static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static unsigned
hex4(const uint8_t *p)
{
	return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 |
	    hexval(p[2]) << 4 | hexval(p[3]));
}

long
json_string(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t i, e, o = 0;

	i = blanks(p, n, 0);
	if (i >= n || p[i] != '"' || (e = scan_string(p, n, i)) == 0 ||
	    cap == 0)
		return -1;
	for (i++; i < e - 1; i++) {
		uint8_t b[4];
		size_t k = 1;
		unsigned u;

		if (p[i] != '\\') {
			b[0] = p[i];
		} else if (p[++i] != 'u') {
			b[0] = (uint8_t)(p[i] == 'b' ? '\b' : p[i] == 'f' ? '\f' :
			    p[i] == 'n' ? '\n' : p[i] == 'r' ? '\r' : p[i] ==
			    't' ? '\t' : p[i]);
		} else {
			u = hex4(p + i + 1);
			i += 4;
			/* a surrogate pair is one character; a lone half is
			 * U+FFFD */
			if (u >= 0xd800 && u < 0xdc00 && i + 6 < e &&
			    p[i + 1] == '\\' && p[i + 2] == 'u' &&
			    hex4(p + i + 3) >= 0xdc00 && hex4(p + i + 3) < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (hex4(p + i + 3) - 0xdc00);
				i += 6;
			} else if (u >= 0xd800 && u < 0xe000) {
				u = 0xfffd;
			}
			if (u < 0x80) {
				b[0] = (uint8_t)u;
			} else if (u < 0x800) {
				b[0] = (uint8_t)(0xc0 | u >> 6);
				b[1] = (uint8_t)(0x80 | (u & 0x3f));
				k = 2;
			} else if (u < 0x10000) {
				b[0] = (uint8_t)(0xe0 | u >> 12);
				b[1] = (uint8_t)(0x80 | ((u >> 6) & 0x3f));
				b[2] = (uint8_t)(0x80 | (u & 0x3f));
				k = 3;
			} else {
				b[0] = (uint8_t)(0xf0 | u >> 18);
				b[1] = (uint8_t)(0x80 | ((u >> 12) & 0x3f));
				b[2] = (uint8_t)(0x80 | ((u >> 6) & 0x3f));
				b[3] = (uint8_t)(0x80 | (u & 0x3f));
				k = 4;
			}
		}
		if (o + k >= cap)
			break; /* cut: what fits */
		memcpy(out + o, b, k);
		o += k;
	}
	out[o] = '\0';
	return (long)o;
}

int
json_member(const uint8_t *p, size_t n, const char *key,
    const uint8_t **v, size_t *vn)
{
	size_t i = blanks(p, n, 0), klen = strlen(key);

	if (i >= n || p[i] != '{')
		return -1;
	i = blanks(p, n, i + 1);
	while (i < n && p[i] == '"') {
		size_t ke = scan_string(p, n, i), ve;
		int hit;

		if (ke == 0)
			return -1;
		/* keys are compared as written: escaped keys do not match */
		hit = ke - i - 2 == klen && !memcmp(p + i + 1, key, klen);

		i = blanks(p, n, ke);
		if (i >= n || p[i] != ':')
			return -1;
		i = blanks(p, n, i + 1);
		if ((ve = scan_value(p, n, i, 1)) == 0)
			return -1;
		if (hit) {
			*v = p + i;
			*vn = ve - i;
			return 0;
		}
		i = blanks(p, n, ve);
		if (i < n && p[i] == ',')
			i = blanks(p, n, i + 1);
	}
	return -1;
}
