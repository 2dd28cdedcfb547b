/*
 * serve.h - the run of a mode that listens (listen.c, relay.c): what both
 * do around their connections, whatever a connection is to them (a
 * client; a client and its server).
 *
 * serve_run() starts server.c's listening socket and runs the loop with a
 * source of its own: the signal pipe, stdin (the REPL's, or the mode's in
 * scripted mode) and the --timeout deadline. How the run ends is decided
 * here, the same way in both modes:
 *
 *   - serve_end_all(): stop accepting, start the close handshake of every
 *     connection (the mode's close_all), end once the last is over;
 *   - serve_end_now(): stop accepting, drop every connection (the mode's
 *     abort_all), end after this turn;
 *   - SIGINT, SIGTERM and SIGHUP end all with 1001 (SIGHUP stops the REPL
 *     first); one more while ending ends now, "interrupted"; in the REPL
 *     SIGINT only clears the line until then;
 *   - --timeout ends now with EXIT_TIMEOUT; with --once the first
 *     connection over ends all with its status (serve_over());
 *   - the status is the first one decided, else an error if stdout
 *     failed, else 0; then EXIT_NO_MATCH if --until never matched.
 *
 * The mode tells about its connections through serve_ops and
 * serve_over(), and asks serve_ending() before taking new work.
 */
#ifndef WSCLI_SERVE_H
#define WSCLI_SERVE_H

#include <stddef.h>
#include <stdint.h>

struct repl_ops;
struct srv_hooks;

struct serve_ops {
	const struct srv_hooks *hooks;  /* its clients, for srv_start() */
	const struct repl_ops *repl;    /* its REPL, when interactive */
	/* Connections not over yet: the run ends when none is left after
	 * serve_end_all(). */
	int (*count)(void);
	/* Start the close handshake with code on every connection not
	 * closing yet; exit is the status the run is to end with. */
	void (*close_all)(unsigned code, int exit);
	/* Drop every connection now, each with exit and why. */
	void (*abort_all)(int exit, const char *why);
	/* The loop has ended: end what is still open (exit: the status
	 * decided so far, or -1). */
	void (*finish)(int exit);

	/* The rest may be NULL. */
	/* The listening socket is up (a line to say so is out). */
	void (*started)(void);
	/* Scripted mode: whether stdin is to be read now; it is readable. */
	int (*stdin_wanted)(void);
	void (*stdin_readable)(void);
	/* A signal ends the run: take no more input. */
	void (*input_end)(void);
	/* The mode's part of every turn of the loop, after the run's own
	 * (as struct source's prepare and dispatch; dispatch is not called
	 * once the loop is stopping). */
	void (*prepare)(double now, double *deadline, int *busy);
	void (*dispatch)(double now);
	/* Last: what the mode has to say, and the status to end with. */
	int (*status)(int exit);
};

/* Run the mode: returns its exit status. */
int serve_run(const struct serve_ops *ops);

/* Close every connection with code, then end; exit is the status unless
 * one was decided before. */
void serve_end_all(unsigned code, int exit);

/* End now, without close handshakes. */
void serve_end_now(int exit, const char *why);

/* Nonzero once the run is ending: take no new connection or work. */
int serve_ending(void);

/* A connection is over with status: --once ends the run with it, and the
 * run ends with the last connection once it is ending. Call it once the
 * connection no longer counts. */
void serve_over(int status);

/* --until: nonzero while text messages are to be matched (the option is
 * given, nothing matched yet, not ending). */
int serve_until_wanted(void);

/* text matches --until: say so (label first) and remember it; the mode
 * decides when to end. Returns 1 on a match, else 0. */
int serve_until_match(const char *label, const char *text);

/* The REPL's commands both modes have. */

/* "3" -> 3, *end after the digits; 0 if s does not start with one. */
int serve_parse_id(const char *s, const char **end);

/* "/kick ID [CODE [REASON]]": the arguments checked (the close code may
 * be sent, the reason is UTF-8 of at most 123 bytes), or -1 after saying
 * what is wrong. *reason points into arg. */
int serve_kick_args(const char *arg, int *id, unsigned *code,
    const char **reason);

/* /file: the open file of size bytes read whole (it is sent as one
 * message), at most 64 MiB, and closed. Returns the bytes (the caller
 * frees them) and *len, or NULL with why. */
uint8_t *serve_read_file(int fd, uint64_t size, size_t *len,
    const char **why);

#endif /* WSCLI_SERVE_H */
