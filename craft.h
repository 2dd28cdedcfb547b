/*
 * craft.h - frames exactly as a person describes them, rules or not: the
 * contract of /frame, --frame and the probe's test frames.
 *
 * Pure: no I/O, no allocation, no global state; buffers are the caller's.
 *
 * A SPEC is fields, then the payload:
 *
 *   [fin=0|1] [rsv=0-7] [op=text|binary|cont|close|ping|pong|0-15]
 *   [mask=KEY|none] [len=N] [width=7|16|64] [PAYLOAD]
 *
 *   fin    FIN bit (default 1)
 *   rsv    RSV1-3 as a number, RSV1 = 4, RSV2 = 2, RSV3 = 1 (default 0)
 *   op     opcode by name or number, reserved ones included (default text)
 *   mask   the masking key as 8 hex digits, or none; by default a client
 *          masks with a key the caller supplies, a server does not
 *   len    the payload length the header announces (default: the real
 *          one); it may lie, the payload is sent as given all the same
 *   width  the length field: 7 bits, 16 or 64 (default: the smallest that
 *          holds len, as RFC 6455 5.2 requires; a wider one is a
 *          non-minimal encoding)
 *
 * PAYLOAD is the rest of the line, starting at the first word that is not
 * a field: "hex:" and hex digits (blanks allowed between bytes), "b64:"
 * and base64, "text:" and text taken as it is, or any other text. A word
 * of the form name=value whose name is not a field is an error, so a typo
 * is not sent as payload; write text:name=value to send that.
 */
#ifndef WSCLI_CRAFT_H
#define WSCLI_CRAFT_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct craft_frame {
	unsigned fin;          /* 0 or 1 */
	unsigned rsv;          /* 0..7, RSV1 = 4 */
	unsigned opcode;       /* 0..15 */
	int masked;            /* MASK bit and masked payload */
	int key_given;         /* mask=KEY was given; else the caller fills
				  key before craft_encode() */
	uint8_t key[4];
	uint64_t len;          /* announced payload length */
	int len_given;         /* len= was given (len may differ from n) */
	unsigned width;        /* 7, 16 or 64: the length field */
	const uint8_t *payload; /* in the caller's buffer given to
				   craft_parse() */
	size_t n;              /* payload bytes actually sent */
};

/*
 * Parse spec. role is the sender's: a client masks by default. The payload
 * is decoded into buf (cap bytes; strlen(spec) always suffices) and
 * f->payload points there. Returns 0, or -1 with err (cap errcap,
 * NUL-terminated) naming the field and value, e.g.
 * "rsv=9: RSV is 0-7 (RSV1 = 4, RSV2 = 2, RSV3 = 1)".
 */
int craft_parse(const char *spec, enum ws_role role, uint8_t *buf,
    size_t cap, struct craft_frame *f, char *err, size_t errcap);

/* Bytes craft_encode() writes for f: header plus f->n payload bytes. */
size_t craft_size(const struct craft_frame *f);

/* Write the frame into out (cap bytes): header as f says, then the payload
 * (masked with f->key when f->masked). Returns the bytes written, or 0 if
 * cap is too small. */
size_t craft_encode(uint8_t *out, size_t cap, const struct craft_frame *f);

/* A CLOSE payload with any code (0..65535, none when code < 0) and reason
 * bytes as given: what /close --any sends. Returns its length, or -1 if
 * cap is too small or code > 65535. */
long craft_close_payload(uint8_t *out, size_t cap, long code,
    const uint8_t *reason, size_t n);

/*
 * What a peer would read in crafted bytes: calls fn for each frame whose
 * header is complete in p[0..n), with the header, the start of its payload
 * (unmasked, at most peek bytes, fewer if the bytes end first; peek up to
 * 125 gives a whole control payload), the header rule it breaks (enum
 * ws_decode_error, or 0) and, in words, every rule it breaks (NULL when
 * none): header rules, and for a whole frame also what its payload breaks
 * (a close code that must not be sent, a 1-byte close payload, a close
 * reason or a text message that is not UTF-8) and a data frame after a
 * close. w is the peer's view of the stream so far, kept by the caller
 * across calls: start it with craft_walk_init() for the role of who sends.
 * Never stops at a broken rule. p is unmasked in place. Returns the number
 * of bytes up to the end of the last frame completed here; the rest
 * belongs to an unfinished one.
 */
struct craft_walk {
	struct ws_decoder d;   /* the peer's decoder */
	struct ws_utf8 utf8;   /* the text message being sent */
	int text;              /* a message is open and it is text that the
				  peer checks (not compressed) */
	int utf8_named;        /* ... and its bad UTF-8 was already named */
	int closed;            /* a whole CLOSE went before */
	char rule[512];        /* what the frame given to fn breaks */
};

typedef void (*craft_frame_fn)(void *ud, const struct ws_frame_header *h,
    const uint8_t *p, size_t n, int violation, const char *rule);
void craft_walk_init(struct craft_walk *w, enum ws_role sender);
size_t craft_walk(struct craft_walk *w, uint8_t *p, size_t n, size_t peek,
    craft_frame_fn fn, void *ud);

#endif /* WSCLI_CRAFT_H */
