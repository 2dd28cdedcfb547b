/*
 * display.c - terminal-safe rendering of peer data.
 *
 * A peer controls every byte of its messages. Anything a terminal would act
 * on is rewritten as a visible escape, so a hostile server can neither move
 * the cursor, retitle the window, write the clipboard (OSC 52) nor reorder
 * text with bidi overrides. Everything else is shown as it was sent.
 */
#include <stdio.h>
#include <string.h>

#include "display.h"

/*
 * Length of the UTF-8 sequence at s[0..n): >0 valid (code point in *cp),
 * 0 valid so far but cut short, -1 invalid lead or continuation byte.
 */
static int
utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xbf;
	int need, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* > U+10FFFF */
	} else
		return -1;
	for (i = 1; i <= need; i++) {
		if ((size_t)i >= n)
			return 0;
		if (s[i] < lo || s[i] > hi)
			return -1;
		lo = 0x80;
		hi = 0xbf;
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return need + 1;
}

static int
is_bidi_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Escapes. A control byte becomes its Unicode control picture (U+2400 + c,
 * DEL U+2421, newline U+2424): one column, readable, and never acted on.
 * What has no picture (an invalid byte, a C1 or bidi control) becomes
 * \xNN or \u{NNNN}. Everything else, the backslash included, is copied as
 * it is, so text reads and copies back as the peer sent it. Under
 * DISP_COLOR each escape is shown in reverse video, which no text from the
 * peer can produce: its own ESC bytes are pictures by then.
 */
#define SGR_REV "\033[7m"
#define SGR_REV_OFF "\033[27m"

/* Append one code point (or one raw byte when len < 0) escaped. Returns
 * the bytes written, 0 when cap is too small (nothing is written then). */
static size_t
put_one(char *out, size_t cap, const uint8_t *s, int len, uint32_t cp,
    unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	char esc[16], tmp[32];
	size_t n = 0, e = 0;

	if (len < 0) {
		esc[e++] = '\\';
		esc[e++] = 'x';
		esc[e++] = hex[s[0] >> 4];
		esc[e++] = hex[s[0] & 15];
	} else if (cp == '\n' && (flags & DISP_KEEP_NEWLINES)) {
		tmp[n++] = '\n';
	} else if (cp < 0x20 || cp == 0x7f) {
		/* U+2400 + c, U+2421 for DEL, U+2424 for newline */
		uint32_t pic = cp == 0x7f ? 0x2421 : cp == '\n' ? 0x2424 :
		    0x2400 + cp;

		esc[e++] = (char)0xe2;
		esc[e++] = (char)(0x80 | (pic >> 6 & 0x3f));
		esc[e++] = (char)(0x80 | (pic & 0x3f));
	} else if ((cp >= 0x80 && cp < 0xa0) || is_bidi_control(cp)) {
		e = (size_t)snprintf(esc, sizeof esc, "\\u{%04x}",
		    (unsigned)cp);
	} else if ((cp == '"' || cp == '\\') && (flags & DISP_QUOTE)) {
		/* quoting, not a terminal escape: never in reverse video */
		tmp[n++] = '\\';
		tmp[n++] = (char)cp;
	} else {
		memcpy(tmp, s, (size_t)len);
		n = (size_t)len;
	}
	if (e > 0) {
		if (flags & DISP_COLOR) {
			memcpy(tmp, SGR_REV, sizeof SGR_REV - 1);
			n = sizeof SGR_REV - 1;
		}
		memcpy(tmp + n, esc, e);
		n += e;
		if (flags & DISP_COLOR) {
			memcpy(tmp + n, SGR_REV_OFF, sizeof SGR_REV_OFF - 1);
			n += sizeof SGR_REV_OFF - 1;
		}
	}
	if (n > cap)
		return 0;
	memcpy(out, tmp, n);
	return n;
}

size_t
disp_escape(char *out, size_t cap, const uint8_t *p, size_t len,
    unsigned flags, struct disp_escape_state *st, int final)
{
	size_t o = 0, i = 0, w;
	uint32_t cp = 0;
	int r;

	/* Finish a sequence cut at the end of the previous call first. */
	while (st && st->npend > 0) {
		uint8_t seq[4];
		size_t have = st->npend, take = len < 4 - have ? len : 4 - have;

		memcpy(seq, st->pend, have);
		memcpy(seq + have, p, take);
		r = utf8_decode(seq, have + take, &cp);
		if (r == 0 && !final) { /* still cut: p was shorter than that */
			memcpy(st->pend + have, p, len);
			st->npend += len;
			return o;
		}
		if (r > 0) {
			w = put_one(out + o, cap - o, seq, r, cp, flags);
			if (w == 0)
				return o;
			o += w;
			i = (size_t)r - have;
			st->offset += (uint64_t)r;
			st->npend = 0;
		} else {
			/* The first held byte is bad; retry with the rest. */
			w = put_one(out + o, cap - o, seq, -1, 0, flags);
			if (w == 0)
				return o;
			o += w;
			if (!st->bad) {
				st->bad = 1;
				st->bad_at = st->offset;
			}
			st->offset++;
			memmove(st->pend, st->pend + 1, --st->npend);
		}
	}
	while (i < len) {
		r = utf8_decode(p + i, len - i, &cp);
		if (r == 0 && st && !final) {
			memcpy(st->pend, p + i, len - i);
			st->npend = len - i;
			return o;
		}
		if (r <= 0) {
			if (st && !st->bad) {
				st->bad = 1;
				st->bad_at = st->offset;
			}
			r = -1;
		}
		w = put_one(out + o, cap - o, p + i, r, cp, flags);
		if (w == 0)
			break;
		o += w;
		i += r < 0 ? 1 : (size_t)r;
		if (st)
			st->offset += r < 0 ? 1 : (uint64_t)r;
	}
	return o;
}

char *
disp_escape_str(char *out, size_t cap, const uint8_t *p, size_t len,
    unsigned flags)
{
	size_t o = 0, i = 0, w;
	uint32_t cp = 0;
	int r;

	if (cap < 4) {
		if (cap)
			out[0] = '\0';
		return out;
	}
	while (i < len) {
		r = utf8_decode(p + i, len - i, &cp);
		w = put_one(out + o, cap - 4 - o, p + i, r > 0 ? r : -1, cp,
		    flags);
		if (w == 0) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		o += w;
		i += r > 0 ? (size_t)r : 1;
	}
	out[o] = '\0';
	return out;
}

/* ------------------------------------------------------------ hexdump */

size_t
disp_hexdump(char *out, size_t cap, const uint8_t *p, size_t len,
    uint64_t base, const char *indent)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, il = strlen(indent);

	for (size_t i = 0; i < len; i += 16) {
		size_t n = len - i < 16 ? len - i : 16;
		char *w;

		if (cap - o < il + DISP_HEXDUMP_LINE)
			break;
		w = out + o;
		memcpy(w, indent, il);
		w += il;
		/* 8 hex digits, more for offsets past 4 GiB (at most 16) */
		w += snprintf(w, 20, "%08llx  ", (unsigned long long)(base + i));
		for (size_t j = 0; j < 16; j++) {
			if (j < n) {
				*w++ = hex[p[i + j] >> 4];
				*w++ = hex[p[i + j] & 15];
			} else {
				*w++ = ' ';
				*w++ = ' ';
			}
			*w++ = ' ';
			if (j == 7)
				*w++ = ' ';
		}
		*w++ = ' ';
		*w++ = '|';
		for (size_t j = 0; j < n; j++)
			*w++ = p[i + j] >= 0x20 && p[i + j] < 0x7f ?
			    (char)p[i + j] : '.';
		*w++ = '|';
		*w++ = '\n';
		o = (size_t)(w - out);
	}
	return o;
}

/* --------------------------------------------------------------- JSON */

#define C_KEY "\033[34m"
#define C_STR "\033[32m"
#define C_NUM "\033[36m"
#define C_LIT "\033[35m"
#define C_OFF "\033[0m"

struct jw {
	char *out;
	size_t cap, o;
	const uint8_t *p;
	size_t len, i;
	const char *indent;
	int color;
	int nospace;
};

static void
jw_put(struct jw *j, const char *s, size_t n)
{
	if (j->cap - j->o < n) {
		j->nospace = 1;
		return;
	}
	memcpy(j->out + j->o, s, n);
	j->o += n;
}

static void
jw_str(struct jw *j, const char *s)
{
	jw_put(j, s, strlen(s));
}

static void
jw_newline(struct jw *j, int depth)
{
	jw_put(j, "\n", 1);
	jw_str(j, j->indent);
	for (int d = 0; d < depth; d++)
		jw_put(j, "  ", 2);
}

static void
jw_ws(struct jw *j)
{
	while (j->i < j->len && (j->p[j->i] == ' ' || j->p[j->i] == '\t' ||
	    j->p[j->i] == '\n' || j->p[j->i] == '\r'))
		j->i++;
}

/* A string token, copied with terminal escaping of what is unsafe. */
static int
jw_string(struct jw *j, int key)
{
	size_t start = j->i, w;
	uint32_t cp;
	int r;

	j->i++; /* opening quote */
	while (j->i < j->len) {
		uint8_t c = j->p[j->i];

		if (c == '"')
			break;
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (++j->i >= j->len)
				return -1;
			c = j->p[j->i];
			if (c == 'u') {
				for (int k = 1; k <= 4; k++)
					if (j->i + (size_t)k >= j->len ||
					    !strchr("0123456789abcdefABCDEF",
					    j->p[j->i + (size_t)k]) ||
					    j->p[j->i + (size_t)k] == 0)
						return -1;
				j->i += 5;
			} else if (strchr("\"\\/bfnrt", c) && c) {
				j->i++;
			} else
				return -1;
			continue;
		}
		r = utf8_decode(j->p + j->i, j->len - j->i, &cp);
		if (r <= 0)
			return -1;
		j->i += (size_t)r;
	}
	if (j->i >= j->len)
		return -1;
	j->i++; /* closing quote */
	if (j->color)
		jw_str(j, key ? C_KEY : C_STR);
	for (size_t k = start; k < j->i; k += (size_t)r) {
		char tmp[32];

		r = utf8_decode(j->p + k, j->i - k, &cp);
		if (r <= 0)
			r = 1;
		w = put_one(tmp, sizeof tmp, j->p + k, r, cp,
		    j->color ? DISP_COLOR : 0);
		jw_put(j, tmp, w);
	}
	if (j->color)
		jw_str(j, C_OFF);
	return 0;
}

static int
jw_number(struct jw *j)
{
	size_t s = j->i;
	const uint8_t *p = j->p;

#define DIGIT(k) ((k) < j->len && p[k] >= '0' && p[k] <= '9')
	if (j->i < j->len && p[j->i] == '-')
		j->i++;
	if (!DIGIT(j->i))
		return -1;
	if (p[j->i] == '0')
		j->i++;
	else
		while (DIGIT(j->i))
			j->i++;
	if (j->i < j->len && p[j->i] == '.') {
		j->i++;
		if (!DIGIT(j->i))
			return -1;
		while (DIGIT(j->i))
			j->i++;
	}
	if (j->i < j->len && (p[j->i] == 'e' || p[j->i] == 'E')) {
		j->i++;
		if (j->i < j->len && (p[j->i] == '+' || p[j->i] == '-'))
			j->i++;
		if (!DIGIT(j->i))
			return -1;
		while (DIGIT(j->i))
			j->i++;
	}
#undef DIGIT
	if (j->color)
		jw_str(j, C_NUM);
	jw_put(j, (const char *)p + s, j->i - s);
	if (j->color)
		jw_str(j, C_OFF);
	return 0;
}

static int
jw_value(struct jw *j, int depth)
{
	static const char *const lits[] = { "true", "false", "null" };
	uint8_t c;

	if (depth > DISP_JSON_MAX_DEPTH)
		return -1;
	jw_ws(j);
	if (j->i >= j->len)
		return -1;
	c = j->p[j->i];
	if (c == '{' || c == '[') {
		uint8_t close = c == '{' ? '}' : ']';
		int n = 0;

		j->i++;
		jw_put(j, (const char *)&c, 1);
		jw_ws(j);
		if (j->i < j->len && j->p[j->i] == close) {
			j->i++;
			jw_put(j, (const char *)&close, 1);
			return 0;
		}
		for (;;) {
			jw_ws(j);
			if (n++)
				jw_put(j, ",", 1);
			jw_newline(j, depth + 1);
			if (c == '{') {
				if (j->i >= j->len || j->p[j->i] != '"' ||
				    jw_string(j, 1) != 0)
					return -1;
				jw_ws(j);
				if (j->i >= j->len || j->p[j->i] != ':')
					return -1;
				j->i++;
				jw_put(j, ": ", 2);
			}
			if (jw_value(j, depth + 1) != 0)
				return -1;
			jw_ws(j);
			if (j->i >= j->len)
				return -1;
			if (j->p[j->i] == ',') {
				j->i++;
				continue;
			}
			if (j->p[j->i] != close)
				return -1;
			j->i++;
			jw_newline(j, depth);
			jw_put(j, (const char *)&close, 1);
			return 0;
		}
	}
	if (c == '"')
		return jw_string(j, 0);
	if (c == '-' || (c >= '0' && c <= '9'))
		return jw_number(j);
	for (size_t k = 0; k < 3; k++) {
		size_t n = strlen(lits[k]);

		if (j->len - j->i >= n && !memcmp(j->p + j->i, lits[k], n)) {
			j->i += n;
			if (j->color)
				jw_str(j, C_LIT);
			jw_put(j, lits[k], n);
			if (j->color)
				jw_str(j, C_OFF);
			return 0;
		}
	}
	return -1;
}

long
disp_json(char *out, size_t cap, const uint8_t *p, size_t len,
    const char *indent, int color)
{
	struct jw j = { out, cap, 0, p, len, 0, indent, color, 0 };

	if (jw_value(&j, 0) != 0)
		return DISP_JSON_INVALID;
	jw_ws(&j);
	if (j.i != len)
		return DISP_JSON_INVALID;
	if (j.nospace)
		return DISP_JSON_NOSPACE;
	return (long)j.o;
}

/* ------------------------------------------------------ hex and base64 */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
disp_parse_hex(uint8_t *out, size_t cap, const char *s, size_t *bad_at)
{
	size_t n = 0, i = 0;

	for (;;) {
		int hi, lo;

		while (s[i] == ' ' || s[i] == '\t' || s[i] == ':')
			i++;
		if (s[i] == '\0')
			return (long)n;
		if ((hi = hexval((unsigned char)s[i])) < 0) {
			*bad_at = i;
			return -1;
		}
		if ((lo = hexval((unsigned char)s[i + 1])) < 0) {
			*bad_at = i + 1;
			return -1;
		}
		if (n == cap) {
			*bad_at = i;
			return -1;
		}
		out[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
}

long
disp_parse_base64(uint8_t *out, size_t cap, const char *s, size_t *bad_at)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	int bits = 0, pad = 0;
	size_t n = 0;

	for (size_t i = 0; s[i]; i++) {
		const char *c;

		if (s[i] == ' ' || s[i] == '\t')
			continue;
		if (s[i] == '=') {
			pad++;
			if (pad > 2) {
				*bad_at = i;
				return -1;
			}
			continue;
		}
		c = memchr(alphabet, s[i], 64);
		if (c == NULL || pad) {
			*bad_at = i;
			return -1;
		}
		acc = acc << 6 | (uint32_t)(c - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap) {
				*bad_at = i;
				return -1;
			}
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* leftover bits must be padding zeros of a whole group */
	if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) {
		*bad_at = strlen(s);
		return -1;
	}
	return (long)n;
}

char *
disp_size(char *out, size_t cap, uint64_t n)
{
	if (n < 10000)
		snprintf(out, cap, "%llu B", (unsigned long long)n);
	else if (n < 10000 * 1024)
		snprintf(out, cap, "%.1f KiB", (double)n / 1024.0);
	else
		snprintf(out, cap, "%.1f MiB", (double)n / 1048576.0);
	return out;
}
