/*
 * view.h - the terminal rendering of events: what a person at a REPL
 * reads. Fixed columns, colours, escaping of whatever the peer sent,
 * hexdumps, JSON pretty-printing, the /timestamps column.
 *
 * show.c decides what an event is and renders it for a pipe and for
 * --jsonl; for a terminal it calls these. The REPL's own replies (command
 * output, the echo of what a command sent) are laid out here too, so no
 * other file writes display lines. Every line is bracketed by
 * term_begin()/term_end(): the REPL hides its prompt and draws it again
 * around it (term.h's hooks), so this file knows nothing of readline.
 *
 *   [time] < text       14 B  Hello, server!
 *          > ping        4 B  abcd
 *          < pong        4 B  abcd (rtt 0.21 ms)
 */
#ifndef WSCLI_VIEW_H
#define WSCLI_VIEW_H

#include <stddef.h>
#include <stdint.h>

/*
 * What the display shows: taken from the options once (view_init) and
 * changed live by the REPL's switches (/timestamps, /json, /hex,
 * /frames); the modes read frames from here too. Nothing reads these
 * from the options after the start.
 */
struct view {
	int timestamps;               /* 0 off, 1 wall clock, 2 elapsed */
	int json;                     /* pretty-print JSON text (-j) */
	int hex;                      /* hexdump text messages too */
	int frames;                   /* every frame (--frames) */
};
extern struct view view;

/* From the options, once they are settled. */
void view_init(void);

/* A whole data message, received (dir '<') or sent ('>'): the first
 * shown bytes of total; id > 0 marks the connection; wire > 0: it came
 * compressed in wire bytes. */
void view_message(int id, char dir, int binary, const uint8_t *p,
    size_t shown, uint64_t total, unsigned frags, uint64_t wire);

/* A control frame received or sent. dir is '<' or '>'; for a CLOSE, note
 * is the whole text after the head; otherwise it is appended in
 * parentheses when not NULL (e.g. "answered", "rtt 0.31 ms"). */
void view_control(int id, char dir, unsigned opcode, const uint8_t *p,
    size_t len, const char *note);

/* What a command sent, shown by its head only ("> binary 7 B"), with
 * what (dimmed, e.g. "file /tmp/x") after it, or NULL. */
void view_sent(unsigned opcode, uint64_t size, const char *what);

/* What a protocol's message meant: "< event chat [...]"; text is the
 * peer's, escaped here. */
void view_proto(int id, char dir, const char *kind, const uint8_t *text,
    size_t n);

/* A line of session information (connected, closed, progress), dimmed,
 * with the timestamp column. */
void view_info(const char *msg);

/* The same, formatted as printf() does (at most 1023 bytes). */
void view_infof(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A preformatted line (--frames), with the timestamp column. */
void view_line(const char *line);

/* A diagnostic: in red, with the timestamp column. */
void view_diag(const char *msg);

/* A line of command output, without the timestamp column: plain, in red
 * when error, dimmed when hint. */
void view_reply(int error, const char *msg);
void view_hint(const char *msg);

#endif /* WSCLI_VIEW_H */
