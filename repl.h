/*
 * repl.h - the interactive side: GNU readline in callback mode inside the
 * poll() loop and slash commands. What is shown above the prompt is laid
 * out by view.c; the REPL hides and redraws the prompt around each line
 * (term.h's hooks), so nothing shown tears what is being typed.
 *
 * The REPL does not know which mode it serves: typed lines and commands
 * act through struct repl_ops, which the mode provides (client: its one
 * connection; listen: the chosen clients).
 */
#ifndef WSCLI_REPL_H
#define WSCLI_REPL_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct conn;

struct repl_ops {
	/* Queue a whole message (WS_OP_TEXT, valid UTF-8, or
	 * WS_OP_BINARY). Return 0, or -1 with why set ("the connection is
	 * closing"). */
	int (*send_message)(unsigned opcode, const uint8_t *p, size_t n,
	    const char **why);
	/* PING or PONG, at most 125 bytes. */
	int (*send_control)(unsigned opcode, const uint8_t *p, size_t n,
	    const char **why);
	/* Send crafted bytes exactly as given (/frame, /raw, /frag, /close
	 * --any) to the chosen connections and show them frame by frame as
	 * each peer reads them. */
	int (*send_raw)(const uint8_t *p, size_t n, const char **why);
	/* Start the close handshake (code 0: none). */
	int (*close)(unsigned code, const char *reason, const char **why);
	/* Send the open file as one message; fd is the mode's to close,
	 * whether it is sent or not. */
	int (*send_file)(int fd, uint64_t size, int text, const char **why);
	/* The connection /stats describes, or NULL. */
	struct conn *(*target)(void);
	/* Without a target: the i-th connection (from 0), NULL after the
	 * last; /stats describes each under its label. May be NULL. */
	struct conn *(*nth)(int i);
	/* Settings changed (/frames, /deflate): apply them. */
	void (*settings)(void);
	/* The mode's own commands: return 0 when name was one of them. */
	int (*command)(const char *name, const char *arg);
	/* Lines for /help about the mode's own commands, NULL-terminated
	 * pairs of "/name ARGS" and what it does. */
	const char *const *help;
	/* /quit and Ctrl-D; NULL: close(1000). */
	void (*quit)(void);
	/* Who answers a /close: "server" when NULL. */
	const char *peer;
	/* What /quit, Ctrl-D and a second Ctrl-C end, for the hint: "close
	 * the connection" when NULL. */
	const char *quits;
	/* The role crafted frames are sent as when target() gives no
	 * connection (e.g. to every client): a client masks. */
	enum ws_role role;
};

/* Install the readline callback handler, load history, take over the
 * terminal hooks (term.h) so diagnostics never tear the prompt. */
void repl_start(const struct repl_ops *ops);

/* The prompt ("> " by default), e.g. "3> " when typed lines go to
 * client 3, or "(reconnecting 2) > " while there is no connection. Safe
 * before repl_start() and inside a command. */
void repl_set_prompt(const char *prompt);

/* stdin is readable: let readline take one character. */
void repl_read_char(void);

/* Nonzero between repl_start() and repl_stop(). */
int repl_active(void);

/* SIGINT: clear the line, or close when the line was already empty. */
void repl_interrupt(void);

/* SIGWINCH. */
void repl_resize(void);

/* Remove the handler, restore the terminal, save history. Safe to call
 * twice (SIGHUP, then the normal end). */
void repl_stop(void);

#endif /* WSCLI_REPL_H */
