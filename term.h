/*
 * term.h - diagnostics and the clock: the bottom layer every part of wscli
 * uses and that uses none of them.
 *
 * Messages go to stderr as "wscli: message". While the REPL shows a prompt,
 * the REPL registers hooks that hide the prompt before a line is written and
 * draw it again afterwards, so a diagnostic never tears what is being typed.
 * --jsonl registers a hook that also reports every error as an event.
 */
#ifndef WSCLI_TERM_H
#define WSCLI_TERM_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic clock, in seconds. */
double now_sec(void);

/* Print "wscli: message" on stderr; always (errors). */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same, but silent under -q (progress, summaries). */
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write prefix and msg as one line on stderr, around the prompt hooks. */
void term_print_stderr(const char *prefix, const char *msg);

/* -t: every line written to stderr (and the lines of the modes' own
 * logs, see term_stamp) starts with the wall-clock time (mode 1,
 * "12:30:01.250 ") or the seconds since the start (mode 2,
 * "+      3.141 "); 0: none. */
void term_set_timestamps(int mode);
int term_timestamps(void);

/* That prefix into out (cap bytes), NUL-terminated; "" when off.
 * Returns its length. */
size_t term_stamp(char *out, size_t cap);

/* The same for a mode of one's own (the REPL's /timestamps). */
size_t term_stamp_as(char *out, size_t cap, int mode);

/* -q: info() prints nothing. */
void term_set_quiet(int quiet);

/* diag() prints nothing either (hooks.error is still told): --probe,
 * whose report says what went wrong in each case. */
void term_set_mute(int mute);

/*
 * Hooks. begin/end bracket every line written to the terminal (hide and
 * redraw the prompt); info, when set, replaces the stderr line of info()
 * (the REPL shows such lines as part of its display); diag does the same
 * for diag(), so that every line of the display reads alike, without
 * the "wscli: " a shared stderr needs; error is told the text of every
 * diag(). Any may be NULL.
 */
struct term_hooks {
	void (*begin)(void);
	void (*end)(void);
	void (*info)(const char *msg);
	void (*diag)(const char *msg);
	void (*error)(const char *msg);
};
void term_set_hooks(const struct term_hooks *h);

/* Allocation that cannot fail: out of memory ends wscli (exit 1). */
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Bracket output of one's own (stdout lines in the REPL). */
void term_begin(void);
void term_end(void);

#endif /* WSCLI_TERM_H */
