/*
 * stomp.h - STOMP 1.0, 1.1 and 1.2 frames: the contract.
 *
 * Pure: no I/O, no allocation, no global state. The parser works in the
 * caller's buffer and rewrites it in place (header escapes decoded, line
 * ends turned into NULs), so a parsed frame's strings are C strings that
 * point into that buffer.
 *
 *     COMMAND EOL
 *     name:value EOL          (0 or more; the first of a repeated name
 *     ...                      counts; 1.1+: \\ \n \c escaped, 1.2: \r)
 *     EOL
 *     body NUL                (content-length bytes if that header is
 *                              there, else up to the first NUL)
 *     EOL*                    (heart-beats, or padding between frames)
 *
 * EOL is LF or CR LF. Over WebSocket a message normally holds one frame,
 * and a message of EOLs alone is a heart-beat.
 *
 * Versions are 10, 11 and 12. CONNECT, STOMP and CONNECTED headers are
 * never escaped (1.2: "except for CONNECT and CONNECTED frames").
 */
#ifndef WSCLI_STOMP_H
#define WSCLI_STOMP_H

#include <stddef.h>
#include <stdint.h>

#define STOMP_MAX_HEADERS 64

struct stomp_header {
	char *name;
	char *value;
};

struct stomp_frame {
	char *command;                  /* "MESSAGE", ... */
	struct stomp_header hdr[STOMP_MAX_HEADERS]; /* in order */
	int nhdr;
	uint8_t *body;                  /* not terminated; may hold NULs */
	size_t body_len;
};

/* Parser errors, each one rule a peer can break. All negative. */
enum stomp_error {
	STOMP_ERR_NO_NUL = -1,       /* the body is not ended by a NUL */
	STOMP_ERR_HEADERS_CUT = -2,  /* the frame ends inside its command or
					headers (no blank line) */
	STOMP_ERR_NO_COLON = -3,     /* a header line without ':' */
	STOMP_ERR_ESCAPE = -4,       /* an undefined escape in a header */
	STOMP_ERR_LENGTH = -5,       /* content-length not a number */
	STOMP_ERR_LENGTH_NUL = -6,   /* content-length bytes not followed by
					a NUL (short or long) */
	STOMP_ERR_TOO_MANY = -7,     /* more headers than STOMP_MAX_HEADERS */
	STOMP_ERR_COMMAND = -8,      /* unknown command (stomp_check) */
	STOMP_ERR_MISSING = -9,      /* a header the command requires is
					missing (stomp_check) */
	STOMP_ERR_HEART_BEAT = -10,  /* heart-beat header not "x,y" */
};

/* A short English description of a stomp_error. Never NULL. */
const char *stomp_strerror(int err);

/* stomp_parse() results that are not errors. */
enum {
	STOMP_HEARTBEAT = 0, /* only EOLs: a heart-beat */
	STOMP_FRAME = 1,     /* one frame in *f */
};

/*
 * Parse the frame at the start of buf[0..len) (rewriting it in place,
 * see above). Returns STOMP_FRAME with *f filled, STOMP_HEARTBEAT when
 * buf holds nothing but EOLs, or a stomp_error. *used is the number of
 * bytes taken (the frame, its NUL and the EOLs after it; everything for
 * a heart-beat); call again on the rest if any is left. A rewritten
 * buffer must not be parsed again.
 */
int stomp_parse(uint8_t *buf, size_t len, int version, struct stomp_frame *f,
    size_t *used);

/* The value of the first header called name, or NULL. */
const char *stomp_header(const struct stomp_frame *f, const char *name);

/*
 * Check a parsed frame against its command: known for the direction
 * (from_server: CONNECTED, MESSAGE, RECEIPT, ERROR), and the headers the
 * command requires present (1.2: MESSAGE destination, message-id and
 * subscription; RECEIPT receipt-id; CONNECTED version from 1.1). Returns 0,
 * STOMP_ERR_COMMAND or STOMP_ERR_MISSING with *what naming the header.
 */
int stomp_check(const struct stomp_frame *f, int version, int from_server,
    const char **what);

/*
 * Write a frame into buf (cap bytes): command, the headers given as
 * name/value pairs in hdrs (npairs of them, escaped as version and
 * command require), a content-length header if with_length, the blank
 * line, body[0..body_len) and the NUL. Returns the frame's length; if
 * that is more than cap nothing useful was written, as with snprintf().
 */
size_t stomp_encode(uint8_t *buf, size_t cap, int version, const char *command,
    const char *const *hdrs, size_t npairs, const uint8_t *body,
    size_t body_len, int with_length);

/*
 * The heart-beat header "cx,cy" into *x and *y (milliseconds). Returns
 * 0, or STOMP_ERR_HEART_BEAT.
 */
int stomp_heartbeat_parse(const char *s, unsigned long *x, unsigned long *y);

/*
 * STOMP 1.1's negotiation: the client offered (cx, cy), the server
 * answered (sx, sy). The client sends a heart-beat at least every
 * *send_ms (0: never) and expects something from the server at least
 * every *recv_ms (0: expects nothing).
 */
void stomp_heartbeat_negotiate(unsigned long cx, unsigned long cy,
    unsigned long sx, unsigned long sy, unsigned long *send_ms,
    unsigned long *recv_ms);

/* "v12.stomp" -> 12, "v11.stomp" -> 11, "v10.stomp" -> 10, else 0. And
 * the value of a version header ("1.2") the same way. */
int stomp_version_of(const char *subprotocol_or_version);

#endif /* WSCLI_STOMP_H */
