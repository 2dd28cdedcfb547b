/*
 * upgrade.h - the HTTP/1.1 upgrade of RFC 6455 section 4, for both roles:
 * the contract.
 *
 * Pure, in the manner of picohttpparser: no I/O, no allocation, no global
 * state. The caller keeps the bytes received so far in its own buffer and
 * calls the parser again on the whole buffer when more arrive; the parser
 * says how long the head is once it is complete. With a struct up_parser
 * kept by the caller between those calls, the parser resumes where it
 * stopped and looks at each byte once, however the bytes arrive; without
 * one it starts again from the first byte. Parsed strings are slices of
 * that buffer (pointer and length, not NUL-terminated), valid for as long
 * as the buffer is unchanged.
 *
 * The parser writes into the buffer in one case only: a header value folded
 * over several lines (obsolete line folding, RFC 7230 3.2.4) has each CR and
 * LF of the fold replaced by a space, so that the value is one slice. It does
 * so only once the head is complete, so a partial head is never modified.
 *
 * Builders write into caller buffers, NUL-terminated (cap counts the NUL),
 * and return the length written without the NUL, or -1 when cap is too
 * small or a line would not be valid HTTP: a control character other than
 * tab in a value (CR or LF would let a value inject header lines), a space
 * in the target, an extra line that is not "token: value". Nothing useful
 * is left in out after -1.
 */
#ifndef WSCLI_UPGRADE_H
#define WSCLI_UPGRADE_H

#include <stddef.h>
#include <stdint.h>

#define UP_MAX_HEAD (64 * 1024) /* bytes of a request or response head */
#define UP_MAX_HEADERS 100      /* header lines in one head */
#define UP_KEY_LEN 24           /* base64 of 16 bytes */
#define UP_ACCEPT_LEN 28        /* base64 of a SHA-1 digest */

/* -------------------------------------------------------------- parsing */

/* What the parsers return besides a complete head's length. */
enum up_parse_result {
	UP_INCOMPLETE = 0,        /* valid so far: call again with more */
	UP_ERR_SYNTAX = -1,       /* not HTTP/1.x: bad start line or header */
	UP_ERR_TOO_LONG = -2,     /* no end of head within UP_MAX_HEAD bytes */
	UP_ERR_TOO_MANY = -3,     /* more than UP_MAX_HEADERS header lines */
	UP_ERR_VERSION = -4,      /* HTTP version other than 1.0 or 1.1 */
};

struct up_header {
	const char *name;  /* as received: compare case-insensitively */
	size_t name_len;
	const char *value; /* leading and trailing white space removed */
	size_t value_len;
};

/* A request or response head. For a response, method and target are NULL;
 * for a request, status is 0 and reason NULL. */
struct up_head {
	int minor_version;       /* the x of HTTP/1.x */
	int status;              /* response: 100..999 */
	const char *reason;      /* response: reason phrase (may be empty) */
	size_t reason_len;
	const char *method;      /* request: "GET", ... */
	size_t method_len;
	const char *target;      /* request: "/path?query" as sent */
	size_t target_len;
	struct up_header headers[UP_MAX_HEADERS]; /* in the order received */
	size_t nheaders;
	size_t head_len;         /* bytes up to and including the blank line */
	int bare_lf;             /* a line ended in LF alone, not CRLF */
};

/* Where the parse of a head stopped, for the next call: the caller's, set
 * up with up_parser_init(), then given unchanged to each up_parse() of the
 * same head. Offsets, not pointers: the buffer may move between calls. */
struct up_parser {
	int request;             /* a request head, else a response head */
	int state, after, k;     /* where the scan is */
	int major, minor, status;
	long result;             /* once the scan is done: up_parse()'s */
	size_t pos;              /* bytes looked at */
	size_t line;             /* lines ended so far (0: in the start line) */
	size_t line_start;       /* where the current line starts */
	size_t headers;          /* where the header lines start */
	size_t method_len, target, target_len, reason, reason_len;
	size_t vs, ve, after_colon; /* the value being read */
	int folded, bare_lf;
	int err;                 /* what was wrong, for up_parse_why() */
	size_t nheaders;
	struct up_field {        /* offsets: a head is at most 64 KiB */
		uint32_t name, name_len, value, value_len;
	} f[UP_MAX_HEADERS];
};

/*
 * Parse an HTTP/1.x response head (status line, headers, blank line) at the
 * start of buf[0..len). Lines may end in CRLF or a bare LF. Returns the
 * length of the head (> 0; the bytes after it are not the parser's) with *h
 * filled, UP_INCOMPLETE if more bytes are needed, or a negative
 * enum up_parse_result (*h then holds nothing useful). Parsing a prefix and
 * then the whole buffer gives the same result as parsing the whole buffer at
 * once: a prefix gives UP_INCOMPLETE, or the error the whole gives when the
 * bytes that show it are already there. No byte at or after buf[len] is
 * read, nor any after the head.
 */
long up_parse_response(char *buf, size_t len, struct up_head *h);

/* The same for a request head ("GET /path HTTP/1.1"). */
long up_parse_request(char *buf, size_t len, struct up_head *h);

/* Before the first byte of a head: request nonzero for a request head. */
void up_parser_init(struct up_parser *p, int request);

/*
 * Parse the head at the start of buf[0..len) as up_parse_request() or
 * up_parse_response() do, resuming where the previous call with p
 * stopped: only bytes not looked at before are looked at. buf holds the
 * same bytes as before at the same offsets, and more (it may have moved).
 * Once the head is complete or wrong every later call returns the same
 * (a complete head fills *h again, as slices of this buf).
 */
long up_parse(struct up_parser *p, char *buf, size_t len, struct up_head *h);

/*
 * After UP_ERR_SYNTAX from up_parse(p, buf, len, ...): what is wrong, for
 * people, naming the line and the header ("header \"X-Id\" has a control
 * character in its value (0x1b ESC)"), with bytes of the line quoted
 * safely. Into out (cap bytes, NUL-terminated).
 */
void up_parse_why(const struct up_parser *p, const char *buf, size_t len,
    char *out, size_t cap);

/* "head larger than 65536 bytes", ... Static string. */
const char *up_strerror(long err);

/* The first header named name (case-insensitive) after `after` (NULL: from
 * the start), or NULL. Walks repeated headers in order. */
const struct up_header *up_find(const struct up_head *h, const char *name,
    const struct up_header *after);

/* How many headers are named name. */
size_t up_count(const struct up_head *h, const char *name);

/*
 * The values of every header named name joined with ", " (RFC 7230 3.2.2),
 * NUL-terminated in out (cap bytes, truncated if needed). Returns the number
 * of such headers (0: out is "").
 */
size_t up_get(const struct up_head *h, const char *name, char *out,
    size_t cap);

/* Nonzero if the comma-separated list v[0..len) holds token
 * (case-insensitive), as in "Connection: keep-alive, Upgrade". */
int up_has_token(const char *v, size_t len, const char *token);

/* ----------------------------------------------------------------- keys */

/* The Sec-WebSocket-Key for 16 random bytes: base64, NUL-terminated. */
void up_key(const uint8_t nonce[16], char out[UP_KEY_LEN + 1]);

/* The Sec-WebSocket-Accept for key[0..len) (RFC 6455 4.2.2: base64 of the
 * SHA-1 of the key and the GUID), NUL-terminated. out is "" if OpenSSL
 * cannot compute the digest (out of memory, SHA-1 disabled); no received
 * value is taken to match that. */
void up_accept(const char *key, size_t len, char out[UP_ACCEPT_LEN + 1]);

/* ------------------------------------------------------------ client role */

/* What goes into the client's request. NULL or 0 leaves a line out. */
struct up_request {
	const char *host;        /* Host header value: host[:port], an IPv6
				    literal in brackets (see up_host_value) */
	const char *target;      /* path and query, e.g. "/chat?room=1" ("/"
				    if NULL or empty) */
	const char *key;         /* Sec-WebSocket-Key */
	const char *version;     /* Sec-WebSocket-Version; NULL means "13" */
	const char *const *protocols; /* Sec-WebSocket-Protocol, in order */
	size_t nprotocols;
	const char *extensions;  /* Sec-WebSocket-Extensions value */
	const char *origin;      /* Origin */
	const char *authorization; /* whole value: "Basic ...", "Bearer ..." */
	const char *user_agent;  /* User-Agent */
	const char *const *extra; /* further "Name: value" lines, in order */
	size_t nextra;
};

/*
 * The Host header value for host and port: "host" when port is the
 * default of the scheme (80 for ws, 443 for wss; pass default_port), else
 * "host:port"; an IPv6 literal (a host containing ':') is put in brackets
 * unless it already is. NUL-terminated, ready for up_request.host.
 * Returns the length, or -1 if cap is too small.
 */
long up_host_value(char *out, size_t cap, const char *host, long port,
    long default_port);

/*
 * Build the client's upgrade request: "GET target HTTP/1.1", Host, Upgrade:
 * websocket, Connection: Upgrade, Sec-WebSocket-Key, Sec-WebSocket-Version,
 * then Protocol, Extensions, Origin, Authorization, User-Agent as given,
 * then the extra lines, then the blank line. Line ends are CRLF.
 * Returns the length, or -1 if cap is too small.
 */
long up_build_request(char *out, size_t cap, const struct up_request *r);

/*
 * RFC 6455 4.1: check the server's answer to a request made with key and
 * protocols[0..nprotocols). Checks, in this order: status 101, Upgrade is
 * "websocket" (case-insensitive; several Upgrade headers are joined as by
 * up_get, so two fail), a Connection header has the token "upgrade",
 * Sec-WebSocket-Accept matches key, at most one Sec-WebSocket-Protocol and
 * it is one of those offered (none offered: none allowed). Extensions are
 * the caller's to check (they depend on what was offered).
 * Returns 0, or -1 with why (cap bytes, NUL-terminated) saying what is
 * wrong, e.g. "Sec-WebSocket-Accept is 'x', expected 'y'".
 */
int up_check_response(const struct up_head *h, const char *key,
    const char *const *protocols, size_t nprotocols, char *why, size_t cap);

/* ------------------------------------------------------------ server role */

/* What a client's upgrade request asked for, as slices of the parse buffer
 * (NULL when absent). */
struct up_offer {
	const char *key;          /* Sec-WebSocket-Key */
	size_t key_len;
	const char *origin;       /* Origin */
	size_t origin_len;
	const char *protocols;    /* every Sec-WebSocket-Protocol value, joined
				     with ", " into a caller buffer (see
				     up_check_request) */
	const char *extensions;   /* every Sec-WebSocket-Extensions value,
				     joined likewise */
};

/*
 * RFC 6455 4.2.1: check a client's opening handshake. Fills *o and returns
 * 0 when it is a valid upgrade request; otherwise returns the HTTP status to
 * answer with and writes why (cap bytes, NUL-terminated) for the log.
 * Checks, in this order:
 *   405  method other than GET (case-sensitive)
 *   400  a target that is not a path starting with '/' or an absolute
 *        URI ('*', "noslash"), or has a fragment ('#'); HTTP/1.0; a line
 *        ending in a bare LF; Host missing, repeated or empty; no
 *        Upgrade header with the token "websocket"; no Connection header
 *        with the token "upgrade"; Sec-WebSocket-Key missing, repeated,
 *        or not base64 of 16 bytes (exactly 24 characters, the last two
 *        "==")
 *   426  Sec-WebSocket-Version missing, repeated or not 13 (answer with
 *        Sec-WebSocket-Version: 13; see up_build_error)
 *   431  the joined lists below do not fit in lists_cap
 * The joined protocol and extension lists are written into lists (cap
 * lists_cap bytes, both NUL-terminated one after the other) and pointed to
 * by o->protocols and o->extensions (NULL when the header is absent).
 */
int up_check_request(const struct up_head *h, struct up_offer *o, char *lists,
    size_t lists_cap, char *why, size_t cap);

/*
 * The server's 101: status line, Upgrade, Connection, Sec-WebSocket-Accept
 * for key[0..key_len), Sec-WebSocket-Protocol and -Extensions when not
 * NULL, the extra "Name: value" lines, and the blank line. An extra line
 * that names one of those five headers replaces it where it stands (the
 * first such line; with an empty value the header is left out), as -H
 * does in client mode.
 * Returns the length, or -1 if cap is too small, a line would not be valid
 * or the accept value cannot be computed.
 */
long up_build_101(char *out, size_t cap, const char *key, size_t key_len,
    const char *protocol, const char *extensions, const char *const *extra,
    size_t nextra);

/*
 * An error response for status (400, 403, 404, 405, 426, 431, 500, 502,
 * ...; 100..999) with the standard reason phrase, Content-Type: text/plain,
 * Content-Length, Connection: close, "Sec-WebSocket-Version: 13" for 426,
 * "Allow: GET" for 405, and body (NULL: empty) followed by a newline as the
 * body. Returns the length, or -1 if cap is too small or status is not
 * three digits.
 */
long up_build_error(char *out, size_t cap, int status, const char *body);

/* "Bad Request", "Upgrade Required", ...; "Unknown" for others. */
const char *up_reason_phrase(int status);

#endif /* WSCLI_UPGRADE_H */
