/*
 * display.h - turning received bytes into what a person reads.
 *
 * Pure functions: no I/O, no allocation. Output goes into caller buffers and
 * is always safe to write to a terminal: no byte from the peer that could be
 * interpreted by the terminal (C0/C1 controls, ESC, DEL, bidi overrides,
 * invalid UTF-8) is ever copied through; such bytes are written as escapes.
 */
#ifndef WSCLI_DISPLAY_H
#define WSCLI_DISPLAY_H

#include <stddef.h>
#include <stdint.h>

/* Flags for disp_escape(). */
#define DISP_KEEP_NEWLINES 0x1 /* copy \n through (for indented display) */
#define DISP_QUOTE 0x2         /* also escape '"' and '\\' (quoted text) */

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
 * Escape p[0..len) into out (cap bytes). Valid printable UTF-8 is copied;
 * \t \r \n (unless kept) \\ become two-character escapes; other controls,
 * DEL, C1 controls, bidi controls (U+061C, U+200E-200F, U+202A-202E,
 * U+2066-2069) and invalid bytes become \xNN or \u{NNNN}. Each input byte
 * expands to at most DISP_ESCAPE_MAX output bytes (a 4-byte code point to
 * at most 10), so cap >= len * DISP_ESCAPE_MAX + 16 always suffices.
 *
 * If st is not NULL, a UTF-8 sequence cut at the end of p is held in st and
 * completed by the next call; pass final = 1 on the last call of a message
 * to flush whatever is held. With st NULL the input is one whole message.
 * Returns the number of bytes written (no NUL terminator is added).
 */
#define DISP_ESCAPE_MAX 6
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
 * of disp_escape() for bytes a terminal would act on. With color, tokens
 * are wrapped in ANSI SGR sequences (keys, strings, numbers, literals).
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

/* Decode hex digits (white space between bytes allowed) into out (cap
 * bytes). Returns the byte count, or -1 with *bad_at set to the offset of
 * the first character that is not a hex digit or that leaves an odd digit. */
long disp_parse_hex(uint8_t *out, size_t cap, const char *s, size_t *bad_at);

/* Decode standard base64 (padding optional, white space ignored). Returns
 * the byte count, or -1 with *bad_at set to the first bad character. */
long disp_parse_base64(uint8_t *out, size_t cap, const char *s,
    size_t *bad_at);

#endif /* WSCLI_DISPLAY_H */
