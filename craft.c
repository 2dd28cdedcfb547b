/*
 * craft.c - frames exactly as described, rules or not; see craft.h.
 *
 * The parser reads fields left to right until a word that is not one;
 * from there on everything is payload. Every error names the field and
 * the value that was wrong, since the person typing it wants to fix that
 * one word.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "craft.h"
#include "display.h"
#include "frame.h"

static int
fail(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (cap > 0) {
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const struct {
	const char *name;
	unsigned op;
} opnames[] = {
	{ "cont", WS_OP_CONT }, { "continuation", WS_OP_CONT },
	{ "text", WS_OP_TEXT }, { "binary", WS_OP_BINARY },
	{ "close", WS_OP_CLOSE }, { "ping", WS_OP_PING },
	{ "pong", WS_OP_PONG },
};

/* A whole number in v[0..n): decimal, or hex after 0x. */
static int
number(const char *v, size_t n, uint64_t max, uint64_t *out)
{
	char buf[32], *end;
	unsigned long long x;

	if (n == 0 || n >= sizeof buf || !isdigit((unsigned char)v[0]))
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	errno = 0;
	/* never octal: len=010 is ten */
	x = n > 2 && buf[0] == '0' && (buf[1] | 0x20) == 'x' ?
	    strtoull(buf + 2, &end, 16) : strtoull(buf, &end, 10);
	if (n > 2 && buf[0] == '0' && (buf[1] | 0x20) == 'x' &&
	    !isxdigit((unsigned char)buf[2]))
		return -1;
	if (errno || *end || x > max)
		return -1;
	*out = x;
	return 0;
}

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

/* One field name=value; 1 if it was one, 0 if the word is payload, -1 on
 * error. */
static int
field(const char *w, size_t wn, struct craft_frame *f, unsigned *seen,
    char *err, size_t ecap)
{
	static const char *const names[] = {
		"fin", "rsv", "op", "mask", "len", "width",
	};
	const char *eq = memchr(w, '=', wn), *v;
	size_t kn, vn, i;
	uint64_t x;

	if (eq == NULL || eq == w)
		return 0;
	kn = (size_t)(eq - w);
	for (i = 0; i < kn; i++)
		if (!islower((unsigned char)w[i]))
			return 0;
	v = eq + 1;
	vn = wn - kn - 1;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == kn && !strncmp(w, names[i], kn))
			break;
	if (i == sizeof names / sizeof names[0])
		return fail(err, ecap, "unknown field '%.*s' (fields: fin, rsv, "
		    "op, mask, len, width; to send '%.*s' as payload write "
		    "text:%.*s)", (int)kn, w, (int)wn, w, (int)wn, w);
	if (*seen & (1u << i))
		return fail(err, ecap, "%s= given twice", names[i]);
	*seen |= 1u << i;
	switch (i) {
	case 0:
		if (number(v, vn, 1, &x) != 0)
			return fail(err, ecap, "fin=%.*s: FIN is 0 or 1",
			    (int)vn, v);
		f->fin = (unsigned)x;
		break;
	case 1:
		if (number(v, vn, 7, &x) != 0)
			return fail(err, ecap, "rsv=%.*s: RSV is 0-7 (RSV1 = 4, "
			    "RSV2 = 2, RSV3 = 1)", (int)vn, v);
		f->rsv = (unsigned)x;
		break;
	case 2:
		for (i = 0; i < sizeof opnames / sizeof opnames[0]; i++)
			if (strlen(opnames[i].name) == vn &&
			    !strncasecmp(v, opnames[i].name, vn)) {
				f->opcode = opnames[i].op;
				return 1;
			}
		if (number(v, vn, 15, &x) != 0)
			return fail(err, ecap, "op=%.*s: not an opcode (text, "
			    "binary, cont, close, ping, pong, or 0-15)",
			    (int)vn, v);
		f->opcode = (unsigned)x;
		break;
	case 3:
		if (vn == 4 && !strncasecmp(v, "none", 4)) {
			f->masked = 0;
			break;
		}
		if (vn != 8)
			return fail(err, ecap, "mask=%.*s: the key is 8 hex "
			    "digits (e.g. mask=37fa213d), or none", (int)vn, v);
		for (i = 0; i < 4; i++) {
			int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return fail(err, ecap, "mask=%.*s: the key is 8 "
				    "hex digits (e.g. mask=37fa213d), or none",
				    (int)vn, v);
			f->key[i] = (uint8_t)(hi << 4 | lo);
		}
		f->masked = 1;
		f->key_given = 1;
		break;
	case 4:
		if (number(v, vn, UINT64_MAX, &x) != 0)
			return fail(err, ecap, "len=%.*s: not a length (a whole "
			    "number, decimal or 0x hex, below 2^64)", (int)vn, v);
		f->len = x;
		f->len_given = 1;
		break;
	case 5:
		if (number(v, vn, 64, &x) != 0 || (x != 7 && x != 16 &&
		    x != 64))
			return fail(err, ecap, "width=%.*s: the length field is "
			    "7, 16 or 64 bits", (int)vn, v);
		f->width = (unsigned)x;
		break;
	}
	return 1;
}

static int
payload(const char *s, uint8_t *buf, size_t cap, struct craft_frame *f,
    char *err, size_t ecap)
{
	size_t n = strlen(s), bad = 0;
	long r;

	if (!strncmp(s, "hex:", 4)) {
		r = disp_parse_hex(buf, cap, s + 4, &bad);
		if (r < 0)
			return fail(err, ecap, "hex:%s: not a hex byte at "
			    "character %zu of the payload", s + 4, bad + 1);
	} else if (!strncmp(s, "b64:", 4)) {
		r = disp_parse_base64(buf, cap, s + 4, &bad);
		if (r < 0)
			return fail(err, ecap, "b64:%s: not base64 at "
			    "character %zu of the payload", s + 4, bad + 1);
	} else {
		if (!strncmp(s, "text:", 5)) {
			s += 5;
			n -= 5;
		}
		if (n > cap)
			return fail(err, ecap, "payload too long");
		memcpy(buf, s, n);
		r = (long)n;
	}
	f->payload = buf;
	f->n = (size_t)r;
	return 0;
}

int
craft_parse(const char *spec, enum ws_role role, uint8_t *buf, size_t cap,
    struct craft_frame *f, char *err, size_t errcap)
{
	const char *s = spec;
	unsigned seen = 0;

	memset(f, 0, sizeof *f);
	f->fin = 1;
	f->opcode = WS_OP_TEXT;
	f->masked = role == WS_ROLE_CLIENT;
	f->payload = buf;
	if (errcap > 0)
		err[0] = '\0';
	for (;;) {
		size_t wn;
		int r;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		wn = strcspn(s, " \t");
		r = field(s, wn, f, &seen, err, errcap);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (payload(s, buf, cap, f, err, errcap) != 0)
				return -1;
			break;
		}
		s += wn;
	}
	if (!f->len_given)
		f->len = f->n;
	if (f->width == 0)
		f->width = f->len <= 125 ? 7 : f->len <= 0xffff ? 16 : 64;
	else if (f->width == 7 && f->len > 125)
		return fail(err, errcap, "width=7: a 7-bit length holds at most "
		    "125, not %llu", (unsigned long long)f->len);
	else if (f->width == 16 && f->len > 0xffff)
		return fail(err, errcap, "width=16: a 16-bit length holds at "
		    "most 65535, not %llu", (unsigned long long)f->len);
	return 0;
}

size_t
craft_size(const struct craft_frame *f)
{
	size_t h = 2 + (f->width == 16 ? 2 : f->width == 64 ? 8 : 0);

	return h + (f->masked ? 4 : 0) + f->n;
}

size_t
craft_encode(uint8_t *out, size_t cap, const struct craft_frame *f)
{
	size_t o = 2;

	if (cap < craft_size(f))
		return 0;
	out[0] = (uint8_t)((f->fin ? 0x80 : 0) | (f->rsv & 7) << 4 |
	    (f->opcode & 0xf));
	out[1] = f->masked ? 0x80 : 0;
	if (f->width == 7) {
		out[1] |= (uint8_t)f->len;
	} else if (f->width == 16) {
		out[1] |= 126;
		out[o++] = (uint8_t)(f->len >> 8);
		out[o++] = (uint8_t)f->len;
	} else {
		out[1] |= 127;
		for (int i = 7; i >= 0; i--)
			out[o++] = (uint8_t)(f->len >> (8 * i));
	}
	if (f->masked) {
		memcpy(out + o, f->key, 4);
		o += 4;
		ws_mask(out + o, f->payload, f->n, f->key, 0);
	} else if (f->n > 0) {
		memcpy(out + o, f->payload, f->n);
	}
	return o + f->n;
}

long
craft_close_payload(uint8_t *out, size_t cap, long code,
    const uint8_t *reason, size_t n)
{
	size_t h = code >= 0 ? 2 : 0;

	if (code > 65535 || cap < h + n)
		return -1;
	if (code >= 0) {
		out[0] = (uint8_t)(code >> 8);
		out[1] = (uint8_t)code;
	}
	if (n > 0)
		memcpy(out + h, reason, n);
	return (long)(h + n);
}

#define WALK_PEEK 128

void
craft_walk_init(struct craft_walk *w, enum ws_role sender)
{
	memset(w, 0, sizeof *w);
	ws_decoder_init(&w->d, sender == WS_ROLE_CLIENT ? WS_ROLE_SERVER :
	    WS_ROLE_CLIENT);
	w->d.tolerant = 1;
}

static void
rule(struct craft_walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One more rule the frame breaks, after those already named. */
static void
rule(struct craft_walk *w, const char *fmt, ...)
{
	size_t o = strlen(w->rule);
	va_list ap;

	if (o > 0 && o + 2 < sizeof w->rule) {
		memcpy(w->rule + o, "; ", 3);
		o += 2;
	}
	va_start(ap, fmt);
	vsnprintf(w->rule + o, sizeof w->rule - o, fmt, ap);
	va_end(ap);
}

static int
is_data(unsigned op)
{
	return op == WS_OP_TEXT || op == WS_OP_BINARY || op == WS_OP_CONT;
}

/* A new frame header: what the message it belongs to is. */
static void
walk_header(struct craft_walk *w, const struct ws_frame_header *h,
    int violation)
{
	w->rule[0] = '\0';
	if (violation)
		rule(w, "%s", ws_decode_strerror(violation));
	if (is_data(h->opcode) && w->closed)
		rule(w, "data frame after a close frame");
	if (h->opcode == WS_OP_TEXT || h->opcode == WS_OP_BINARY) {
		/* a compressed message is checked once inflated: not here */
		w->text = h->opcode == WS_OP_TEXT && !(h->rsv & 4);
		w->utf8_named = 0;
		memset(&w->utf8, 0, sizeof w->utf8);
	}
}

static void
walk_data(struct craft_walk *w, const struct ws_frame_header *h,
    const uint8_t *p, size_t n)
{
	if (!is_data(h->opcode) || !w->text || w->utf8_named)
		return;
	if (ws_utf8_feed(&w->utf8, p, n) == WS_UTF8_INVALID) {
		w->utf8_named = 1;
		rule(w, "text message is not valid UTF-8 at byte %llu",
		    (unsigned long long)w->utf8.bad_at + 1);
	}
}

/* The frame is whole: the rules of its payload (p: its first have bytes,
 * NULL when its start went in an earlier call). */
static void
walk_done(struct craft_walk *w, const struct ws_frame_header *h,
    const uint8_t *p, size_t have)
{
	if (is_data(h->opcode) && h->fin && w->text) {
		if (!w->utf8_named && w->utf8.state != 0)
			rule(w, "text message ends inside a UTF-8 sequence");
		w->text = 0;
	}
	if (h->opcode != WS_OP_CLOSE)
		return;
	if (h->length == 1) {
		rule(w, "1-byte close payload (a code takes 2 bytes)");
	} else if (p != NULL && h->length >= 2 && have >= 2) {
		unsigned code = (unsigned)p[0] << 8 | p[1];
		char why[256];
		size_t bad;

		if (ws_close_code_why_not(code, why, sizeof why) == NULL)
			;
		else if ((unsigned)atoi(why) == code) /* it names the code */
			rule(w, "%s", why);
		else
			rule(w, "close code %u must not be sent: %s", code, why);
		if (have == h->length && !ws_utf8_valid(p + 2, have - 2, &bad))
			rule(w, "close reason is not valid UTF-8 at byte %zu",
			    bad + 1);
	}
	if (h->fin)
		w->closed = 1;
}

size_t
craft_walk(struct craft_walk *w, uint8_t *p, size_t n, size_t peek,
    craft_frame_fn fn, void *ud)
{
	struct ws_decoder *d = &w->d;
	struct ws_frame_header h = d->cur;
	uint8_t head[WALK_PEEK];
	size_t have = 0, used = 0, whole = 0;
	int open = d->remaining > 0, violation = 0;
	int from_start = 0; /* head holds the start of the payload */

	if (peek > WALK_PEEK)
		peek = WALK_PEEK;
	while (used < n) {
		struct ws_event ev;
		long r = ws_decode(d, p + used, n - used, &ev);

		if (r < 0)
			break;
		used += (size_t)r;
		if (ev.type == WS_EV_NONE)
			break;
		if (ev.type == WS_EV_HEADER) {
			h = ev.header;
			have = 0;
			open = 1;
			violation = ev.violation;
			from_start = 1;
			walk_header(w, &h, violation);
		} else {
			/* all of a control payload, for its rules */
			if (have < WALK_PEEK) {
				size_t k = WALK_PEEK - have < ev.len ?
				    WALK_PEEK - have : ev.len;

				memcpy(head + have, ev.data, k);
				have += k;
			}
			walk_data(w, &h, ev.data, ev.len);
		}
		if (ev.frame_done) {
			walk_done(w, &h, from_start ? head : NULL, have);
			fn(ud, &h, head, have < peek ? have : peek, violation,
			    w->rule[0] ? w->rule : NULL);
			open = 0;
			whole = used;
		}
	}
	if (open)
		fn(ud, &h, head, have < peek ? have : peek, violation,
		    w->rule[0] ? w->rule : NULL);
	return whole;
}
