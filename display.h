/*
 * display.h - turning received bytes into what a person reads.
 *
 * Pure functions: no I/O, no allocation. Output goes into caller buffers and
 * is always safe to write to a terminal: no byte from the peer that could be
 * interpreted by the terminal (C0/C1 controls, ESC, DEL, bidi overrides,
 * invalid UTF-8) is ever copied through; such bytes are written as escapes.
 * Everything else is copied as it was sent, backslashes included, so a
 * message reads, and can be copied back, exactly as the peer wrote it.
 */
#ifndef WSCLI_DISPLAY_H
#define WSCLI_DISPLAY_H

#include <stddef.h>
#include <stdint.h>

/* Flags for disp_escape(). */
#define DISP_KEEP_NEWLINES 0x1 /* copy \n through (for indented display) */
#define DISP_QUOTE 0x2         /* also escape '"' and '\\' (quoted text) */
#define DISP_COLOR 0x4         /* show every escape in reverse video */

/* Incremental escaper state: a code point cut between two calls is carried
 * over. Caller-owned; zero it before each message. */
struct disp_escape_state {
	uint8_t pend[4];  /* bytes of an unfinished UTF-8 sequence */
	size_t npend;     /* how many */
	uint64_t offset;  /* message bytes consumed so far */
	uint64_t bad_at;  /* offset of the first invalid byte, if bad */
	int bad;          /* an invalid sequence was seen */
};

/*
 * Escape p[0..len) into out (cap bytes). Valid printable UTF-8 is copied as
 * it is, backslashes included. C0 controls and DEL become their Unicode
 * control pictures, U+2400 + c ("\x1b" -> U+241B, shown as a small "ESC"),
 * DEL U+2421, and \n (unless DISP_KEEP_NEWLINES) U+2424; tab and CR too, so
 * nothing is invisible. What has no picture becomes a backslash escape:
 * an invalid byte \xNN, a C1 control or a bidi control (U+061C,
 * U+200E-200F, U+202A-202E, U+2066-2069) \u{NNNN}.
 *
 * Without DISP_COLOR a picture or \x / \u{} sequence in the output is an
 * escape only where the text itself holds no such literal. With DISP_COLOR
 * every escape is wrapped in reverse video, ESC [ 7 m ... ESC [ 2 7 m, and
 * those are the only ESC bytes in the output: no text from the peer can
 * look like an escape. With DISP_QUOTE, '"' and '\\' are escaped as \" and
 * \\ (quoting, never in reverse video).
 *
 * Each input byte expands to at most DISP_ESCAPE_MAX output bytes (an
 * invalid byte in reverse video: 4 + 4 + 5). Up to 3 bytes held from the
 * previous call (see st) may come out too, so cap >= len * DISP_ESCAPE_MAX
 * + 64 always suffices.
 *
 * If st is not NULL, a UTF-8 sequence cut at the end of p is held in st and
 * completed by the next call; pass final = 1 on the last call of a message
 * to flush whatever is held. With st NULL the input is one whole message.
 * Returns the number of bytes written (no NUL terminator is added).
 */
#define DISP_ESCAPE_MAX 13
size_t disp_escape(char *out, size_t cap, const uint8_t *p, size_t len,
    unsigned flags, struct disp_escape_state *st, int final);

/*
 * Escape into a NUL-terminated string, truncating with "..." if it does not
 * fit. For short things such as close reasons (flags DISP_QUOTE) and header
 * lines (flags 0).
 * Returns out.
 */
char *disp_escape_str(char *out, size_t cap, const uint8_t *p, size_t len,
    unsigned flags);

/*
 * Hexdump of p[0..len) in lines of 16 bytes: "  00000000  48 65 6c 6c ...
 * |Hell...|\n", offsets counted from base (8 hex digits, up to 16 for
 * offsets past 4 GiB). indent is prepended to every line.
 * Needs DISP_HEXDUMP_LINE + strlen(indent) bytes per 16 input bytes.
 * Returns the bytes written; stops at a line boundary when cap runs out.
 */
#define DISP_HEXDUMP_LINE 88
size_t disp_hexdump(char *out, size_t cap, const uint8_t *p, size_t len,
    uint64_t base, const char *indent);

/*
 * Re-indent a JSON text for display: every token (string, number, literal,
 * punctuation) is copied exactly as received, only the white space between
 * tokens is replaced by newlines and two-space indentation, prefixed by
 * indent on each new line. Strings still go through the terminal escaping
 * of disp_escape() for bytes a terminal would act on (a JSON escape such as
 * \u00e9 is text and is copied as it is). With color, tokens are wrapped in
 * ANSI SGR sequences (keys, strings, numbers, literals) and escapes in
 * reverse video, as with DISP_COLOR.
 *
 * Returns the bytes written, DISP_JSON_INVALID if p is not one valid JSON
 * value (RFC 8259; nesting deeper than DISP_JSON_MAX_DEPTH counts as
 * invalid), or DISP_JSON_NOSPACE if cap is too small (callers then show the
 * text as it is). Indentation repeats for every element, so the worst case
 * is about len * (2 * depth + 12) bytes; len * 16 + 1024 covers messages
 * nested a few levels deep.
 */
#define DISP_JSON_INVALID (-1)
#define DISP_JSON_NOSPACE (-2)
#define DISP_JSON_MAX_DEPTH 128
long disp_json(char *out, size_t cap, const uint8_t *p, size_t len,
    const char *indent, int color);

/* A size for people: "812 B" below 10000 bytes, then "9.8 KiB", then
 * "12.0 MiB", so that a column stays narrow. Returns out. */
char *disp_size(char *out, size_t cap, uint64_t n);

/* Decode hex digits (white space between bytes allowed) into out (cap
 * bytes). Returns the byte count, or -1 with *bad_at set to the offset of
 * the first character that is not a hex digit or that leaves an odd digit. */
long disp_parse_hex(uint8_t *out, size_t cap, const char *s, size_t *bad_at);

/* Decode standard base64 (padding optional, white space ignored). Returns
 * the byte count, or -1 with *bad_at set to the first bad character. */
long disp_parse_base64(uint8_t *out, size_t cap, const char *s,
    size_t *bad_at);

#endif /* WSCLI_DISPLAY_H */
