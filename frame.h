/*
 * frame.h - RFC 6455 WebSocket frame codec: the contract.
 *
 * Everything declared here is pure: no I/O, no allocation, no global state.
 * Buffers always belong to the caller. Functions that can be fed partial input
 * keep their progress in a caller-owned state struct that starts zeroed.
 *
 *      0                   1                   2                   3
 *      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-------+-+-------------+-------------------------------+
 *     |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *     |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *     |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *     | |1|2|3|       |K|             |                               |
 *     +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *     |     Extended payload length continued, if payload len == 127  |
 *     + - - - - - - - - - - - - - - - +-------------------------------+
 *     |                               |Masking-key, if MASK set to 1  |
 *     +-------------------------------+-------------------------------+
 *     | Masking-key (continued)       |          Payload Data         |
 *     +-------------------------------- - - - - - - - - - - - - - - - +
 */
#ifndef WSCLI_FRAME_H
#define WSCLI_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- opcodes */

enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xa,
};

/* "text", "binary", "continuation", "close", "ping", "pong", or "reserved"
 * for any other value. Static strings; never NULL. */
const char *ws_opcode_name(unsigned opcode);

/* Nonzero for CLOSE, PING, PONG and the reserved control opcodes 0xb-0xf. */
int ws_opcode_is_control(unsigned opcode);

#define WS_MAX_CONTROL_PAYLOAD 125 /* RFC 6455 5.5 */
#define WS_MAX_HEADER 14           /* 2 + 8 length + 4 mask */

/* ---------------------------------------------------------------- decoder */

/* Which end of the connection the decoder sits on. A client decodes server
 * frames, which must not be masked; a server decodes client frames, which
 * must be masked (RFC 6455 5.1). */
enum ws_role {
	WS_ROLE_CLIENT = 0,
	WS_ROLE_SERVER = 1,
};

/* Decoder errors: one per RFC 6455 rule. All negative. Once the decoder has
 * returned an error it stays in that error (every later call returns it
 * again) until ws_decoder_init(): the byte stream is out of sync. */
enum ws_decode_error {
	WS_ERR_RSV = -1,              /* RSV1-3 set, no extension negotiated */
	WS_ERR_OPCODE = -2,           /* reserved opcode 0x3-0x7 or 0xb-0xf */
	WS_ERR_CONTROL_TOO_LONG = -3, /* control frame payload > 125 bytes */
	WS_ERR_CONTROL_FRAGMENTED = -4, /* control frame without FIN */
	WS_ERR_NON_MINIMAL_LENGTH = -5, /* 16/64-bit length that fit in fewer */
	WS_ERR_LENGTH_TOP_BIT = -6,   /* 64-bit length with the top bit set */
	WS_ERR_MASKED = -7,           /* masked frame, but role is client */
	WS_ERR_UNMASKED = -8,         /* unmasked frame, but role is server */
	WS_ERR_CONT_WITHOUT_START = -9, /* continuation, no message started */
	WS_ERR_NEW_IN_FRAGMENTED = -10, /* text/binary inside a fragmented msg */
	WS_ERR_RSV1_CONTROL = -11,    /* RFC 7692 6.1: compressed bit on a
					 control frame */
	WS_ERR_RSV1_CONTINUATION = -12, /* RFC 7692 6.1: compressed bit on a
					   continuation frame */
};

/* A short English description of a decoder error, e.g. "control frame
 * longer than 125 bytes". Static string; "unknown error" for other values. */
const char *ws_decode_strerror(int err);

/* What one call to ws_decode() produced. */
enum ws_event_type {
	WS_EV_NONE = 0,   /* all input consumed, nothing to report yet */
	WS_EV_HEADER = 1, /* a complete frame header: see ws_event.header */
	WS_EV_DATA = 2,   /* a slice of payload: see ws_event.data, .len */
};

struct ws_frame_header {
	unsigned fin;       /* 1 if FIN set */
	unsigned rsv;       /* RSV1..3 as bits 0x4, 0x2, 0x1 (always 0 if valid) */
	unsigned opcode;    /* enum ws_opcode */
	unsigned masked;    /* 1 if MASK set */
	uint8_t mask[4];    /* masking key, when masked */
	uint64_t length;    /* payload length */
	size_t header_size; /* bytes of header on the wire: 2..14 */
};

struct ws_event {
	enum ws_event_type type;
	struct ws_frame_header header; /* valid from WS_EV_HEADER until the next
					  WS_EV_HEADER (kept for DATA too) */
	uint8_t *data;        /* WS_EV_DATA: points into the caller's input
				 buffer, already unmasked in place */
	size_t len;           /* WS_EV_DATA: bytes at data (never 0) */
	uint64_t offset;      /* WS_EV_DATA: offset of data in the payload */
	int frame_done;       /* the frame's payload is complete with this event
				 (also set on WS_EV_HEADER when length is 0) */
	int message_done;     /* frame_done on a FIN data frame, or any complete
				 control frame */
	int violation;        /* WS_EV_HEADER of a tolerant decoder: the first
				 rule the frame breaks (enum ws_decode_error),
				 or 0 */
};

/* Decoder state. Caller-owned; zero it or call ws_decoder_init(). */
struct ws_decoder {
	enum ws_role role;     /* set by ws_decoder_init */
	int state;             /* internal */
	int error;             /* sticky error, 0 if none */
	uint8_t hdr[WS_MAX_HEADER]; /* header bytes gathered so far */
	size_t hdr_have;       /* bytes in hdr */
	size_t hdr_need;       /* bytes the header needs, once known */
	struct ws_frame_header cur; /* the frame being decoded */
	uint64_t remaining;    /* payload bytes of cur not yet delivered */
	uint64_t offset;       /* payload bytes of cur already delivered */
	int in_message;        /* a fragmented data message is in progress */
	unsigned message_opcode; /* WS_OP_TEXT or WS_OP_BINARY of that message */
	/* set by the caller after ws_decoder_init(): */
	unsigned rsv_allowed;  /* RSV bits an extension gave a meaning (bits
				  as in ws_frame_header.rsv); 0 by default */
	int rsv1_per_message;  /* RSV1 is permessage-deflate's "compressed"
				  bit: allowed on the first frame of a data
				  message only */
	int tolerant;          /* report violations in ws_event.violation and
				  go on decoding (a relay watches, it does not
				  judge); a frame is always parsed as sent */
	int violation_pending; /* internal: found in the first two bytes */
};

void ws_decoder_init(struct ws_decoder *d, enum ws_role role);

/*
 * Decode from buf[0..len). Unmasks payload bytes in place in buf (which is
 * why it is not const).
 *
 * Returns the number of bytes consumed (0..len) and fills *ev, or a negative
 * enum ws_decode_error. At most one event is reported per call: call again
 * with buf + consumed, len - consumed until the return is 0 with
 * ev->type == WS_EV_NONE (all input consumed; feed more bytes when they
 * arrive). A header split across calls is gathered internally; payload slices
 * always point into the buf of the current call. Input may be split anywhere,
 * one byte at a time included, with the same sequence of headers and payload
 * bytes as a single call.
 *
 * For continuation frames ev->header.opcode is WS_OP_CONT; the opcode of the
 * message they belong to is in d->message_opcode.
 */
long ws_decode(struct ws_decoder *d, uint8_t *buf, size_t len,
    struct ws_event *ev);

/* ---------------------------------------------------------------- encoder */

/* Fills key with 4 masking-key bytes. Production code uses a CSPRNG; tests
 * pass a fixed key to reproduce RFC 6455 5.7. Returns 0 on success. */
typedef int (*ws_mask_source)(void *ctx, uint8_t key[4]);

/*
 * Write a frame header into out (at least WS_MAX_HEADER bytes). flags are
 * fin (0/1), rsv (0..7, placed as RSV1..3), opcode (0..15, not checked so that
 * test frames can be crafted). If key is not NULL the MASK bit is set and the
 * key written. The minimal length encoding is always used.
 * Returns the header size, 2..14.
 */
size_t ws_encode_header(uint8_t *out, unsigned fin, unsigned rsv,
    unsigned opcode, uint64_t length, const uint8_t *key);

/*
 * XOR len bytes of src with key into dst (dst may equal src), as if the first
 * byte were at payload offset `offset` (so a payload can be masked in pieces).
 * Works a machine word at a time. Returns nothing; cannot fail.
 */
void ws_mask(uint8_t *dst, const uint8_t *src, size_t len,
    const uint8_t key[4], uint64_t offset);

/*
 * Write a whole frame: header plus payload masked with a key from mask (if
 * mask is NULL the frame is sent unmasked, as a server would). out must hold
 * ws_frame_size(len, mask != NULL) bytes. Returns the bytes written, or 0 if
 * cap is too small or the mask source failed.
 */
size_t ws_encode_frame(uint8_t *out, size_t cap, unsigned fin,
    unsigned opcode, const uint8_t *payload, size_t len, ws_mask_source mask,
    void *mask_ctx);

/* Bytes needed on the wire for a frame of len payload bytes. */
size_t ws_frame_size(uint64_t len, int masked);

/* ----------------------------------------------------------------- UTF-8 */

/* Incremental UTF-8 validator (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). Caller-owned; zero it before each message. */
struct ws_utf8 {
	uint32_t state;    /* internal: 0 between code points */
	uint64_t offset;   /* bytes accepted so far */
	uint64_t bad_at;   /* on error: offset of the first byte of the bad
			      sequence */
};

enum ws_utf8_result {
	WS_UTF8_OK = 0,         /* valid so far, at a code point boundary */
	WS_UTF8_INCOMPLETE = 1, /* valid so far, inside a multi-byte sequence */
	WS_UTF8_INVALID = -1,   /* invalid; u->bad_at says where. Sticky. */
};

/* Feed len more bytes. Returns the state after them. A message is valid
 * iff the last call returns WS_UTF8_OK (INCOMPLETE at the end means the
 * message was cut inside a code point). */
int ws_utf8_feed(struct ws_utf8 *u, const uint8_t *p, size_t len);

/* One-shot: returns 1 if p[0..len) is complete valid UTF-8, else 0 and, if
 * bad_at is not NULL, sets it to the offset of the first bad sequence (len if
 * the input is cut short inside a code point). */
int ws_utf8_valid(const uint8_t *p, size_t len, size_t *bad_at);

/* ----------------------------------------------------------------- close */

enum ws_close_code {
	WS_CLOSE_NORMAL = 1000,
	WS_CLOSE_GOING_AWAY = 1001,
	WS_CLOSE_PROTOCOL_ERROR = 1002,
	WS_CLOSE_UNSUPPORTED = 1003,
	WS_CLOSE_NO_STATUS = 1005,  /* never on the wire */
	WS_CLOSE_ABNORMAL = 1006,   /* never on the wire */
	WS_CLOSE_INVALID_DATA = 1007,
	WS_CLOSE_POLICY = 1008,
	WS_CLOSE_TOO_BIG = 1009,
	WS_CLOSE_EXTENSION = 1010,
	WS_CLOSE_INTERNAL = 1011,
};

#define WS_MAX_CLOSE_REASON 123

/* IANA name of a close code ("Normal Closure", "Going Away", ...,
 * "Bad Gateway"); "Private Use" for 4000-4999, "Registered" for other
 * 3000-3999, "Reserved" for the others. Static string; never NULL. */
const char *ws_close_code_name(unsigned code);

/* Nonzero if code may appear in a CLOSE frame on the wire (RFC 6455 7.4,
 * IANA registry): 1000-1003, 1007-1014, 3000-4999. */
int ws_close_code_sendable(unsigned code);

/* Why code may not be sent, for an error message ("1005 is reserved for
 * 'no status received' and must not be sent"), or NULL if it may. Writes into
 * buf (cap bytes, NUL-terminated) and returns buf. */
const char *ws_close_code_why_not(unsigned code, char *buf, size_t cap);

enum ws_close_error {
	WS_CLOSE_OK = 0,
	WS_CLOSE_ERR_ONE_BYTE = -1,   /* payload of exactly 1 byte */
	WS_CLOSE_ERR_TOO_LONG = -2,   /* payload > 125 bytes */
	WS_CLOSE_ERR_BAD_CODE = -3,   /* code not sendable (see above) */
	WS_CLOSE_ERR_BAD_UTF8 = -4,   /* reason not UTF-8 */
};

struct ws_close {
	int has_code;        /* 0 for an empty payload (code is then 1005) */
	unsigned code;       /* the code, or 1005 if none */
	const uint8_t *reason; /* points into the payload passed in */
	size_t reason_len;
};

/* Parse and validate a CLOSE payload. Fills *c as far as it could parse
 * (even on error, code and reason are set when present). Returns WS_CLOSE_OK
 * or a negative enum ws_close_error. */
int ws_close_parse(const uint8_t *p, size_t len, struct ws_close *c);

/* "1-byte close payload", "close payload longer than 125 bytes", ...
 * Static string. */
const char *ws_close_strerror(int err);

/* Build a CLOSE payload (code in network order, then reason) into out, which
 * must hold 2 + WS_MAX_CLOSE_REASON bytes. Returns the payload length, or a
 * negative enum ws_close_error if the code may not be sent, the reason is
 * longer than 123 bytes or not UTF-8. code 0 means "no code": empty payload
 * (reason must then be empty). */
long ws_close_build(uint8_t *out, unsigned code, const uint8_t *reason,
    size_t reason_len);

#endif /* WSCLI_FRAME_H */
