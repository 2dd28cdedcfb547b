/*
 * repl.h - the interactive side: GNU readline in callback mode inside the
 * session's poll() loop, slash commands, and the display of events above
 * the prompt without disturbing what is being typed.
 */
#ifndef WSCLI_REPL_H
#define WSCLI_REPL_H

#include <stddef.h>
#include <stdint.h>

/* Install the readline callback handler and load history. */
void repl_start(void);

/* stdin is readable: let readline take one character. */
void repl_read_char(void);

/* SIGINT arrived (the self-pipe delivered it): clear the line, or close
 * the connection when the line was already empty. */
void repl_interrupt(void);

/* SIGWINCH arrived. */
void repl_resize(void);

/* Remove the handler, restore the terminal, save history. */
void repl_stop(void);

/* A whole received data message (the first shown bytes of total). */
void repl_show_message(int binary, const uint8_t *p, size_t shown,
    uint64_t total, unsigned frags);

/* A received or sent control frame. dir is '<' or '>'; note is appended
 * in parentheses when not NULL (e.g. "answered", "rtt 0.31 ms"). */
void repl_show_control(char dir, unsigned opcode, const uint8_t *p,
    size_t len, const char *note);

/* A line of session information (connected, closed, progress). */
void repl_show_info(const char *msg);

#endif /* WSCLI_REPL_H */
