/*
 * frame.c - RFC 6455 WebSocket frame codec.
 *
 * Pure functions over caller-owned buffers: an incremental frame decoder,
 * a frame encoder with word-at-a-time masking, an incremental UTF-8
 * validator and close-frame payload handling. frame.h is the contract.
 *
 * The decoder is a two-state machine. In the header state it copies bytes
 * into d->hdr until the header is complete (2..14 bytes; the second byte
 * says how many), validating each RFC rule as soon as the bytes it needs
 * are present. In the payload state it hands back slices of the caller's
 * buffer, unmasked in place. Because validation only ever looks at the
 * gathered header bytes, the outcome does not depend on how the input was
 * split.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "frame.h"

/* ---------------------------------------------------------------- opcodes */

const char *
ws_opcode_name(unsigned opcode)
{
	switch (opcode) {
	case WS_OP_CONT:
		return "continuation";
	case WS_OP_TEXT:
		return "text";
	case WS_OP_BINARY:
		return "binary";
	case WS_OP_CLOSE:
		return "close";
	case WS_OP_PING:
		return "ping";
	case WS_OP_PONG:
		return "pong";
	default:
		return "reserved";
	}
}

int
ws_opcode_is_control(unsigned opcode)
{
	return opcode >= 0x8 && opcode <= 0xf;
}

static int
opcode_is_reserved(unsigned opcode)
{
	return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xb;
}

/* ---------------------------------------------------------------- decoder */

enum {
	ST_HEADER = 0, /* gathering header bytes into d->hdr */
	ST_PAYLOAD,    /* delivering d->remaining payload bytes */
};

const char *
ws_decode_strerror(int err)
{
	switch (err) {
	case WS_ERR_RSV:
		return "RSV bits set but no extension was negotiated";
	case WS_ERR_OPCODE:
		return "reserved opcode";
	case WS_ERR_CONTROL_TOO_LONG:
		return "control frame longer than 125 bytes";
	case WS_ERR_CONTROL_FRAGMENTED:
		return "fragmented control frame (FIN not set)";
	case WS_ERR_NON_MINIMAL_LENGTH:
		return "payload length not in its shortest encoding";
	case WS_ERR_LENGTH_TOP_BIT:
		return "64-bit payload length with the most significant bit set";
	case WS_ERR_MASKED:
		return "masked frame from the server (servers must not mask)";
	case WS_ERR_UNMASKED:
		return "unmasked frame from the client (clients must mask)";
	case WS_ERR_CONT_WITHOUT_START:
		return "continuation frame without a message to continue";
	case WS_ERR_NEW_IN_FRAGMENTED:
		return "new data frame inside a fragmented message";
	case WS_ERR_RSV1_CONTROL:
		return "RSV1 (compressed) set on a control frame";
	case WS_ERR_RSV1_CONTINUATION:
		return "RSV1 (compressed) set on a continuation frame";
	default:
		return "unknown error";
	}
}

void
ws_decoder_init(struct ws_decoder *d, enum ws_role role)
{
	memset(d, 0, sizeof(*d));
	d->role = role;
	d->state = ST_HEADER;
}

static long
decode_fail(struct ws_decoder *d, int err)
{
	d->error = err;
	return err;
}

/* Checks that need only the first two bytes: everything but the length. */
static int
check_base(const struct ws_decoder *d)
{
	unsigned fin = d->hdr[0] >> 7;
	unsigned rsv = (d->hdr[0] >> 4) & 7;
	unsigned op = d->hdr[0] & 0xf;
	unsigned masked = d->hdr[1] >> 7;
	unsigned len7 = d->hdr[1] & 0x7f;

	if (d->rsv1_per_message && (rsv & 4) && (d->rsv_allowed & 4)) {
		if (ws_opcode_is_control(op) && !opcode_is_reserved(op))
			return WS_ERR_RSV1_CONTROL;
		if (op == WS_OP_CONT)
			return WS_ERR_RSV1_CONTINUATION;
	}
	if (rsv & ~d->rsv_allowed)
		return WS_ERR_RSV;
	if (opcode_is_reserved(op))
		return WS_ERR_OPCODE;
	if (ws_opcode_is_control(op)) {
		if (!fin)
			return WS_ERR_CONTROL_FRAGMENTED;
		/* 126 and 127 announce an extended length, i.e. >= 126 */
		if (len7 > WS_MAX_CONTROL_PAYLOAD)
			return WS_ERR_CONTROL_TOO_LONG;
	}
	if (masked && d->role == WS_ROLE_CLIENT)
		return WS_ERR_MASKED;
	if (!masked && d->role == WS_ROLE_SERVER)
		return WS_ERR_UNMASKED;
	if (op == WS_OP_CONT && !d->in_message)
		return WS_ERR_CONT_WITHOUT_START;
	if ((op == WS_OP_TEXT || op == WS_OP_BINARY) && d->in_message)
		return WS_ERR_NEW_IN_FRAGMENTED;
	return 0;
}

/* The header in d->hdr is complete: parse it into d->cur. */
static int
parse_header(struct ws_decoder *d)
{
	struct ws_frame_header *h = &d->cur;
	const uint8_t *p = d->hdr + 2;
	unsigned len7 = d->hdr[1] & 0x7f;
	uint64_t len;
	int i, err = 0;

	memset(h, 0, sizeof(*h));
	h->fin = d->hdr[0] >> 7;
	h->rsv = (d->hdr[0] >> 4) & 7;
	h->opcode = d->hdr[0] & 0xf;
	h->masked = d->hdr[1] >> 7;
	h->header_size = d->hdr_need;

	if (len7 == 126) {
		len = (uint64_t)p[0] << 8 | p[1];
		p += 2;
		if (len < 126)
			err = WS_ERR_NON_MINIMAL_LENGTH;
	} else if (len7 == 127) {
		len = 0;
		for (i = 0; i < 8; i++)
			len = len << 8 | p[i];
		p += 8;
		if (len >> 63)
			err = WS_ERR_LENGTH_TOP_BIT;
		else if (len <= 0xffff)
			err = WS_ERR_NON_MINIMAL_LENGTH;
	} else {
		len = len7;
	}
	h->length = len;
	if (h->masked)
		memcpy(h->mask, p, 4);
	/* the frame is filled in even when it breaks a rule: a tolerant
	 * decoder goes on with it */
	return err;
}

/* Fragmentation bookkeeping once a valid header has been accepted. */
static void
track_message(struct ws_decoder *d)
{
	unsigned op = d->cur.opcode;

	if (op == WS_OP_TEXT || op == WS_OP_BINARY) {
		d->message_opcode = op;
		d->in_message = !d->cur.fin;
	} else if (op == WS_OP_CONT) {
		d->in_message = !d->cur.fin;
	}
}

static int
header_complete(const struct ws_decoder *d)
{
	return d->hdr_have >= 2 && d->hdr_have == d->hdr_need;
}

static int
message_done(const struct ws_frame_header *h)
{
	return h->fin || ws_opcode_is_control(h->opcode);
}

/* The first two bytes are in: check them and learn the header's size.
 * Returns 0, or the decoder's failure (a tolerant decoder keeps the rule
 * broken for the header event instead). */
static int
got_base(struct ws_decoder *d)
{
	int err;

	if ((err = check_base(d)) != 0) {
		if (!d->tolerant)
			return decode_fail(d, err);
		d->violation_pending = err;
	}
	d->hdr_need = 2 + ((d->hdr[1] >> 7) ? 4 : 0);
	if ((d->hdr[1] & 0x7f) == 126)
		d->hdr_need += 2;
	else if ((d->hdr[1] & 0x7f) == 127)
		d->hdr_need += 8;
	return 0;
}

long
ws_decode(struct ws_decoder *d, uint8_t *buf, size_t len, struct ws_event *ev)
{
	size_t used = 0, n;
	int err, violation = 0;

	/* every field, without a memset: this runs twice per frame */
	ev->type = WS_EV_NONE;
	ev->data = NULL;
	ev->len = 0;
	ev->offset = 0;
	ev->frame_done = 0;
	ev->message_done = 0;
	ev->violation = 0;
	if (d->error) {
		ev->header = d->cur;
		return d->error;
	}
	/* the return value must stay representable */
	if (len > LONG_MAX)
		len = LONG_MAX;

	if (d->state == ST_HEADER) {
		/* the common case, a header starting in this buffer: its
		 * first two bytes at once */
		if (d->hdr_have == 0 && len >= 2) {
			d->hdr[0] = buf[0];
			d->hdr[1] = buf[1];
			d->hdr_have = 2;
			used = 2;
			if ((err = got_base(d)) != 0) {
				ev->header = d->cur;
				return err;
			}
		}
		while (used < len && !header_complete(d)) {
			if (d->hdr_have < 2) {
				d->hdr[d->hdr_have++] = buf[used++];
				if (d->hdr_have < 2)
					continue;
				if ((err = got_base(d)) != 0) {
					ev->header = d->cur;
					return err;
				}
			} else {
				n = d->hdr_need - d->hdr_have;
				if (n > len - used)
					n = len - used;
				memcpy(d->hdr + d->hdr_have, buf + used, n);
				d->hdr_have += n;
				used += n;
			}
		}
		if (!header_complete(d)) {
			ev->header = d->cur;
			return (long)used;
		}

		if ((err = parse_header(d)) != 0 && !d->tolerant) {
			ev->header = d->cur;
			return decode_fail(d, err);
		}
		violation = d->violation_pending ? d->violation_pending : err;
		d->violation_pending = 0;
		track_message(d);
		d->hdr_have = 0;
		d->hdr_need = 0;
		d->offset = 0;
		d->remaining = d->cur.length;
		d->state = d->remaining ? ST_PAYLOAD : ST_HEADER;

		ev->type = WS_EV_HEADER;
		ev->header = d->cur;
		ev->violation = violation;
		ev->frame_done = d->remaining == 0;
		ev->message_done = ev->frame_done && message_done(&d->cur);
		return (long)used;
	}

	ev->header = d->cur;
	if (len == 0)
		return 0;
	n = len;
	if ((uint64_t)n > d->remaining)
		n = (size_t)d->remaining;
	if (d->cur.masked)
		ws_mask(buf, buf, n, d->cur.mask, d->offset);

	ev->type = WS_EV_DATA;
	ev->data = buf;
	ev->len = n;
	ev->offset = d->offset;
	d->offset += n;
	d->remaining -= n;
	if (d->remaining == 0) {
		d->state = ST_HEADER;
		ev->frame_done = 1;
		ev->message_done = message_done(&d->cur);
	}
	return (long)n;
}

/* ---------------------------------------------------------------- encoder */

size_t
ws_encode_header(uint8_t *out, unsigned fin, unsigned rsv, unsigned opcode,
    uint64_t length, const uint8_t *key)
{
	size_t n;
	int i;

	out[0] = (uint8_t)((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0xf));
	out[1] = key ? 0x80 : 0;
	if (length < 126) {
		out[1] |= (uint8_t)length;
		n = 2;
	} else if (length <= 0xffff) {
		out[1] |= 126;
		out[2] = (uint8_t)(length >> 8);
		out[3] = (uint8_t)length;
		n = 4;
	} else {
		out[1] |= 127;
		for (i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)(length >> (56 - 8 * i));
		n = 10;
	}
	if (key) {
		memcpy(out + n, key, 4);
		n += 4;
	}
	return n;
}

void
ws_mask(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4],
    uint64_t offset)
{
	uint8_t k8[8];
	uint64_t k, w;
	uint32_t k4, w4;
	size_t i = 0;
	unsigned j;

	/* The key rotated to offset, twice: XOR a word at a time. memcpy
	 * keeps unaligned loads and stores defined; it compiles to plain
	 * moves, and unaligned moves cost nothing extra on current CPUs, so
	 * there is no alignment prologue (short frames are the common case). */
	for (j = 0; j < 4; j++)
		k8[j] = key[(offset + j) & 3];
	memcpy(k8 + 4, k8, 4);
	memcpy(&k, k8, sizeof(k));
	for (; len - i >= 8; i += 8) {
		memcpy(&w, src + i, sizeof(w));
		w ^= k;
		memcpy(dst + i, &w, sizeof(w));
	}
	/* i is a multiple of 4 here, so the key phase is unchanged */
	if (len - i >= 4) {
		memcpy(&k4, k8, sizeof(k4));
		memcpy(&w4, src + i, sizeof(w4));
		w4 ^= k4;
		memcpy(dst + i, &w4, sizeof(w4));
		i += 4;
	}
	for (; i < len; i++)
		dst[i] = src[i] ^ k8[i & 3];
}

size_t
ws_frame_size(uint64_t len, int masked)
{
	size_t hdr = 2 + (masked ? 4 : 0);

	if (len >= 126)
		hdr += len <= 0xffff ? 2 : 8;
	if (len > (uint64_t)(SIZE_MAX - hdr))
		return SIZE_MAX;
	return hdr + (size_t)len;
}

size_t
ws_encode_frame(uint8_t *out, size_t cap, unsigned fin, unsigned opcode,
    const uint8_t *payload, size_t len, ws_mask_source mask, void *mask_ctx)
{
	uint8_t key[4];
	size_t need = ws_frame_size(len, mask != NULL), n;

	if (need == SIZE_MAX || cap < need)
		return 0;
	if (mask) {
		if (mask(mask_ctx, key) != 0)
			return 0;
		n = ws_encode_header(out, fin, 0, opcode, len, key);
		ws_mask(out + n, payload, len, key, 0);
	} else {
		n = ws_encode_header(out, fin, 0, opcode, len, NULL);
		if (len)
			memcpy(out + n, payload, len);
	}
	return n + len;
}

/* ----------------------------------------------------------------- UTF-8 */

/*
 * The state packs what the rest of the current sequence must look like:
 * bits 0-1 bytes still needed, bits 2-3 bytes of it already accepted (to
 * find where the sequence started), bits 8-15 and 16-23 the allowed range
 * of the next byte. Only the byte after the lead has a range narrower than
 * 80..BF; that is where overlongs, surrogates and > U+10FFFF are caught.
 */
#define U8_NEED(s) ((s) & 3)
#define U8_SEEN(s) (((s) >> 2) & 3)
#define U8_LO(s) (((s) >> 8) & 0xff)
#define U8_HI(s) (((s) >> 16) & 0xff)
#define U8_STATE(need, seen, lo, hi) \
	((uint32_t)(need) | (uint32_t)(seen) << 2 | (uint32_t)(lo) << 8 | \
	    (uint32_t)(hi) << 16)
#define U8_REJECT 0xffffffffu

static uint32_t
utf8_lead(uint8_t c)
{
	if (c < 0xc2) /* continuation byte, or C0/C1: always overlong */
		return U8_REJECT;
	if (c < 0xe0)
		return U8_STATE(1, 1, 0x80, 0xbf);
	if (c == 0xe0) /* below E0 A0 is overlong */
		return U8_STATE(2, 1, 0xa0, 0xbf);
	if (c == 0xed) /* ED A0..BF are the surrogates D800-DFFF */
		return U8_STATE(2, 1, 0x80, 0x9f);
	if (c < 0xf0)
		return U8_STATE(2, 1, 0x80, 0xbf);
	if (c == 0xf0) /* below F0 90 is overlong */
		return U8_STATE(3, 1, 0x90, 0xbf);
	if (c < 0xf4)
		return U8_STATE(3, 1, 0x80, 0xbf);
	if (c == 0xf4) /* F4 90 and up is above U+10FFFF */
		return U8_STATE(3, 1, 0x80, 0x8f);
	return U8_REJECT;
}

int
ws_utf8_feed(struct ws_utf8 *u, const uint8_t *p, size_t len)
{
	uint32_t s = u->state;
	uint64_t w;
	size_t i = 0;
	uint8_t c;

	if (s == U8_REJECT)
		return WS_UTF8_INVALID;
	while (i < len) {
		if (s == 0) {
			/* text is mostly ASCII: skip it two words at a time,
			 * then one */
			while (len - i >= 16) {
				uint64_t w2;

				memcpy(&w, p + i, sizeof(w));
				memcpy(&w2, p + i + 8, sizeof(w2));
				if ((w | w2) & UINT64_C(0x8080808080808080))
					break;
				i += 16;
			}
			while (len - i >= 8) {
				memcpy(&w, p + i, sizeof(w));
				if (w & UINT64_C(0x8080808080808080))
					break;
				i += 8;
			}
			if (i == len)
				break;
			c = p[i];
			if (c < 0x80) {
				i++;
				continue;
			}
			if ((s = utf8_lead(c)) == U8_REJECT) {
				u->bad_at = u->offset + i;
				break;
			}
			i++;
			continue;
		}
		c = p[i];
		if (c < U8_LO(s) || c > U8_HI(s)) {
			/* the sequence started SEEN bytes before this one,
			 * possibly in an earlier feed */
			u->bad_at = u->offset + i - U8_SEEN(s);
			s = U8_REJECT;
			break;
		}
		i++;
		if (U8_NEED(s) == 1)
			s = 0;
		else
			s = U8_STATE(U8_NEED(s) - 1, U8_SEEN(s) + 1, 0x80, 0xbf);
	}
	u->offset += i;
	u->state = s;
	if (s == U8_REJECT)
		return WS_UTF8_INVALID;
	return s == 0 ? WS_UTF8_OK : WS_UTF8_INCOMPLETE;
}

int
ws_utf8_valid(const uint8_t *p, size_t len, size_t *bad_at)
{
	struct ws_utf8 u;
	int r;

	memset(&u, 0, sizeof(u));
	r = ws_utf8_feed(&u, p, len);
	if (r == WS_UTF8_OK)
		return 1;
	if (bad_at)
		*bad_at = r == WS_UTF8_INVALID ? (size_t)u.bad_at : len;
	return 0;
}

/* ----------------------------------------------------------------- close */

const char *
ws_close_code_name(unsigned code)
{
	switch (code) {
	case 1000:
		return "Normal Closure";
	case 1001:
		return "Going Away";
	case 1002:
		return "Protocol Error";
	case 1003:
		return "Unsupported Data";
	case 1004:
		return "Reserved";
	case 1005:
		return "No Status Received";
	case 1006:
		return "Abnormal Closure";
	case 1007:
		return "Invalid Frame Payload Data";
	case 1008:
		return "Policy Violation";
	case 1009:
		return "Message Too Big";
	case 1010:
		return "Mandatory Extension";
	case 1011:
		return "Internal Error";
	case 1012:
		return "Service Restart";
	case 1013:
		return "Try Again Later";
	case 1014:
		return "Bad Gateway";
	case 1015:
		return "TLS Handshake";
	}
	if (code >= 4000 && code <= 4999)
		return "Private Use";
	if (code >= 3000 && code <= 3999)
		return "Registered";
	return "Reserved";
}

int
ws_close_code_sendable(unsigned code)
{
	return (code >= 1000 && code <= 1003) ||
	    (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

const char *
ws_close_code_why_not(unsigned code, char *buf, size_t cap)
{
	const char *why;

	if (ws_close_code_sendable(code))
		return NULL;
	if (code < 1000)
		why = "codes below 1000 are not used";
	else if (code == 1004)
		why = "1004 (Reserved) is reserved for a meaning that may be "
		    "defined in the future and must not be sent";
	else if (code == 1005)
		why = "1005 (No Status Received) is reserved to mean no code "
		    "was received and must never be sent";
	else if (code == 1006)
		why = "1006 (Abnormal Closure) is reserved to mean the "
		    "connection closed without a close frame and must never "
		    "be sent";
	else if (code == 1015)
		why = "1015 (TLS Handshake) is reserved to mean the TLS "
		    "handshake failed and must never be sent";
	else if (code <= 2999)
		why = "1016-2999 are reserved for future versions of the "
		    "protocol";
	else
		why = "codes above 4999 are not valid";
	if (cap > 0)
		snprintf(buf, cap, "%s", why);
	return buf;
}

const char *
ws_close_strerror(int err)
{
	switch (err) {
	case WS_CLOSE_OK:
		return "valid close payload";
	case WS_CLOSE_ERR_ONE_BYTE:
		return "1-byte close payload";
	case WS_CLOSE_ERR_TOO_LONG:
		return "close payload longer than 125 bytes";
	case WS_CLOSE_ERR_BAD_CODE:
		return "close code that must not be sent";
	case WS_CLOSE_ERR_BAD_UTF8:
		return "close reason is not valid UTF-8";
	default:
		return "unknown error";
	}
}

int
ws_close_parse(const uint8_t *p, size_t len, struct ws_close *c)
{
	memset(c, 0, sizeof(*c));
	c->code = WS_CLOSE_NO_STATUS;
	if (len == 0)
		return WS_CLOSE_OK;
	if (len == 1)
		return WS_CLOSE_ERR_ONE_BYTE;
	c->has_code = 1;
	c->code = (unsigned)p[0] << 8 | p[1];
	c->reason = p + 2;
	c->reason_len = len - 2;
	if (len > WS_MAX_CONTROL_PAYLOAD)
		return WS_CLOSE_ERR_TOO_LONG;
	if (!ws_close_code_sendable(c->code))
		return WS_CLOSE_ERR_BAD_CODE;
	if (!ws_utf8_valid(c->reason, c->reason_len, NULL))
		return WS_CLOSE_ERR_BAD_UTF8;
	return WS_CLOSE_OK;
}

long
ws_close_build(uint8_t *out, unsigned code, const uint8_t *reason,
    size_t reason_len)
{
	if (code == 0)
		return reason_len ? WS_CLOSE_ERR_BAD_CODE : 0;
	if (!ws_close_code_sendable(code))
		return WS_CLOSE_ERR_BAD_CODE;
	if (reason_len > WS_MAX_CLOSE_REASON)
		return WS_CLOSE_ERR_TOO_LONG;
	if (!ws_utf8_valid(reason, reason_len, NULL))
		return WS_CLOSE_ERR_BAD_UTF8;
	out[0] = (uint8_t)(code >> 8);
	out[1] = (uint8_t)code;
	if (reason_len)
		memcpy(out + 2, reason, reason_len);
	return (long)(2 + reason_len);
}
