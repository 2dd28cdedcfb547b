/*
 * run.h - the run of every mode (client: clientmode.c; listen.c; relay.c;
 * probe.c): what each does around its connections, whatever a connection
 * is to it (a server; a client; a client and its server; a probe case).
 *
 * run_main() starts listener.c's listening socket when the mode listens,
 * then runs the loop with a source of its own: the signal pipe and stdin
 * (the REPL's when it is active, else the mode's in scripted mode), and
 * the --timeout timer. How the run ends is decided here, the same way in
 * every mode:
 *
 *   - run_end_all(): stop accepting, start the close handshake of every
 *     connection (the mode's close_all), end once the last is over;
 *   - run_end_now(): stop accepting, drop every connection (the mode's
 *     abort_all), end after this turn;
 *   - run_done(): the mode has nothing left to do (a client connection
 *     over for good, the last probe case): end after this turn;
 *   - SIGINT and SIGTERM end all with 1000 Normal Closure, as the REPL's
 *     Ctrl-D and /quit do: the user ended wscli; SIGHUP (the terminal is
 *     gone: the REPL stops first) with 1001 Going Away. One more while
 *     ending ends now, "interrupted", exit 1. At the REPL SIGINT only
 *     clears the line while the mode is not ending (and says it may);
 *   - --timeout ends now with EXIT_TIMEOUT; with --once the first
 *     connection over ends all with its status (run_over());
 *   - whoever ends the run is named (run_ended_by(); -v says it);
 *   - the status is the first one decided, else the mode's (finish),
 *     else an error if stdout failed, else 0; then EXIT_NO_MATCH if
 *     --until never matched; the mode's status hook has the last word.
 *
 * The mode tells about its connections through run_ops, run_over() and
 * run_done(), and asks run_ending() before taking new work.
 */
#ifndef WSCLI_RUN_H
#define WSCLI_RUN_H

#include <stddef.h>
#include <stdint.h>

struct repl_ops;
struct srv_hooks;

struct run_ops {
	const struct srv_hooks *hooks;  /* a listening mode's clients, for
					   srv_start(); NULL: no socket */
	const struct repl_ops *repl;    /* the REPL the run starts when
					   interactive; NULL: the mode
					   starts its own when it is ready */
	/* Connections not over yet (dials included): the run ends when
	 * none is left after run_end_all(). */
	int (*count)(void);
	/* Start the close handshake with code on every connection not
	 * closing yet; exit is the status the run is to end with. */
	void (*close_all)(unsigned code, int exit);
	/* Drop every connection now, each with exit and why. */
	void (*abort_all)(int exit, const char *why);
	/* The loop has ended: end what is still open (exit: the status
	 * decided so far, or -1; run_set_exit() still decides). */
	void (*finish)(int exit);

	/* The rest may be NULL. */
	/* The listening socket is up (a line to say so is out). */
	void (*started)(void);
	/* Whether stdin is to be read now (the REPL's too); it is
	 * readable (scripted mode: the mode reads it). */
	int (*stdin_wanted)(void);
	void (*stdin_readable)(void);
	/* A signal ends the run: take no more input. */
	void (*input_end)(void);
	/* SIGINT at the REPL: nonzero if it only clears the line now
	 * (NULL: always, until the run is ending). */
	int (*interruptible)(void);
	/* --jsonl: nonzero while error lines are the mode's to report
	 * (then not an "error" event each). */
	int (*quiet_errors)(void);
	/* The mode's part of every turn of the loop, after the run's own
	 * (as struct source's prepare and dispatch; dispatch is not called
	 * once the loop is stopping). */
	void (*prepare)(double now, int *busy);
	void (*dispatch)(double now);
	/* Last: what the mode has to say, and the status to end with. */
	int (*status)(int exit);
};

/* Run the mode: returns its exit status. */
int run_main(const struct run_ops *ops);

/* Close every connection with code, then end; exit is the status unless
 * one was decided before (-1: none); who ends it (for -v). */
void run_end_all(unsigned code, int exit, const char *who);

/* End now, without close handshakes. */
void run_end_now(int exit, const char *why);

/* The mode is over with exit (unless one was decided before): end after
 * this turn. */
void run_done(int exit);

/* Decide the status if it is not decided yet. */
void run_set_exit(int exit);

/* Nonzero once the run is ending: take no new connection or work. */
int run_ending(void);

/* Who ended the run, or NULL while it is not ending. */
const char *run_ended_by(void);

/* A connection is over with status: --once ends the run with it, and the
 * run ends with the last connection once it is ending. Call it once the
 * connection no longer counts. */
void run_over(int status);

/* --until: nonzero while text messages are to be matched (the option is
 * given, nothing matched yet, not ending). */
int run_until_wanted(void);

/* text matches --until: say so (label first) and remember it; the mode
 * ends the run. Returns 1 on a match, else 0. */
int run_until_match(const char *label, const char *text);

/* Nonzero once --until matched: nothing received after the matching
 * message is shown. */
int run_until_matched(void);

#endif /* WSCLI_RUN_H */
