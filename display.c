/*
 * display.c - terminal-safe rendering of peer data.
 *
 * A peer controls every byte of its messages. Anything a terminal would act
 * on is rewritten as a visible escape, so a hostile server can neither move
 * the cursor, retitle the window, write the clipboard (OSC 52) nor reorder
 * text with bidi overrides.
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

/* Append one code point (or one raw byte when cp is invalid) escaped. */
static size_t
put_one(char *out, size_t cap, const uint8_t *s, int len, uint32_t cp,
    unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0;

	if (len < 0) {
		tmp[n++] = '\\';
		tmp[n++] = 'x';
		tmp[n++] = hex[s[0] >> 4];
		tmp[n++] = hex[s[0] & 15];
	} else if (cp == '\n' && (flags & DISP_KEEP_NEWLINES)) {
		tmp[n++] = '\n';
	} else if (cp == '\n' || cp == '\t' || cp == '\r' || cp == '\\' ||
	    cp == 0x1b || (cp == '"' && (flags & DISP_QUOTE))) {
		tmp[n++] = '\\';
		tmp[n++] = cp == '\n' ? 'n' : cp == '\t' ? 't' : cp == '\r' ? 'r'
		    : cp == 0x1b ? 'e' : (char)cp;
	} else if (cp < 0x20 || cp == 0x7f) {
		tmp[n++] = '\\';
		tmp[n++] = 'x';
		tmp[n++] = hex[cp >> 4];
		tmp[n++] = hex[cp & 15];
	} else if ((cp >= 0x80 && cp < 0xa0) || is_bidi_control(cp)) {
		n = (size_t)snprintf(tmp, sizeof tmp, "\\u{%04x}", (unsigned)cp);
	} else {
		memcpy(tmp, s, (size_t)len);
		n = (size_t)len;
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
disp_escape_str(char *out, size_t cap, const uint8_t *p, size_t len)
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
		    DISP_QUOTE);
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
