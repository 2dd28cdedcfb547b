/*
 * loop.h - the one poll() loop of every mode.
 *
 * Whatever wscli waits for is a source: a WebSocket connection, a
 * connection being set up, stdin, a listening socket, the signal pipe. The
 * loop knows nothing of roles. Each turn:
 *
 *   1. prepare: every source names the descriptors it wants polled and for
 *      which events, and whether it has work already (then poll() does
 *      not block);
 *   2. the before-block hook runs (stdout is flushed there), then poll(),
 *      waiting at most until the nearest armed timer;
 *   3. dispatch: every source gets the revents of its descriptors (0 when
 *      none fired) and the time: it reads, decodes, queues;
 *   4. timers: every timer due fires;
 *   5. flush: every source pushes what the turn queued (sends), so a frame
 *      queued in step 3 or 4 leaves without waiting for another poll().
 */
#ifndef WSCLI_LOOP_H
#define WSCLI_LOOP_H

#include <poll.h>
#include <stddef.h>

struct source {
	/* Fill at most max entries of pfd; return how many. Set *busy to
	 * poll without waiting. (What is to happen at a time is a timer.) */
	int (*prepare)(struct source *s, struct pollfd *pfd, int max,
	    double now, int *busy);
	/* pfd: this source's entries as prepared, revents filled. */
	void (*dispatch)(struct source *s, const struct pollfd *pfd, int n,
	    double now);
	void (*flush)(struct source *s);   /* may be NULL */
	void (*release)(struct source *s); /* after removal; may be NULL */
	void *ud;                          /* the owner's */
	/* the loop's */
	struct source *next;
	int first, count;
	int removed;
};

/*
 * Timers: what is to happen at a time, not on a descriptor (--timeout,
 * the -w wait, the next reconnection, a close handshake's limit). A
 * struct timer lives in its owner's memory; the loop keeps the armed
 * ones in a min-heap on their time, polls no longer than until the
 * nearest, and after each turn's dispatch fires those that are due
 * (each once, disarmed first, so fire may arm it again). Timers belong
 * to no source: one may be armed or stopped from anywhere, inside a
 * callback too.
 */
struct timer {
	void (*fire)(struct timer *t, double now);
	void *ud;                          /* the owner's */
	/* the loop's */
	double at;                         /* absolute, now_sec() time */
	size_t slot;                       /* 1 + index in the heap; 0 =
					      not armed */
};

/* Arm t to fire at at (absolute, now_sec() time), or move it if armed.
 * at <= 0 stops it. Returns 0, or -1 if memory ran out (t not armed). */
int loop_timer_set(struct timer *t, double at);

/* Disarm t; nothing if it is not armed. */
void loop_timer_stop(struct timer *t);

/* Nonzero while t is armed. */
int loop_timer_armed(const struct timer *t);

/* The time of the nearest armed timer, or 0 when none is armed. */
double loop_timer_next(void);

/* Fire every timer due at now, nearest first (one armed again for a time
 * already due fires in the next call, not this one). Returns how many
 * fired. loop_run() calls it each turn. */
int loop_timers_run(double now);

/* Add s, which must stay valid until its release callback. */
void loop_add(struct source *s);

/* Remove s at the end of this turn; then release(s) is called. Safe from
 * inside any callback. */
void loop_remove(struct source *s);

/* Run before poll() may block (e.g. flush stdout). */
void loop_set_before_block(void (*fn)(void));

/* Run until loop_stop() or until no source is left. Returns 0, or -1 if
 * poll() failed (errno set). */
int loop_run(void);

/* Release the sources removed since the last turn (at the end, after
 * loop_run() returned). */
void loop_release(void);

/* End loop_run() after the current turn. */
void loop_stop(void);

/* Nonzero once loop_stop() was called. */
int loop_stopping(void);

/*
 * Signals only set flags: from loop_signals() on, SIGINT, SIGTERM, SIGHUP
 * and SIGWINCH each write their number, one byte, into a self-pipe whose
 * read end the mode polls for POLLIN with its other descriptors; a
 * signal thus wakes poll() and is handled in the turn, outside the
 * handler. SIGPIPE is ignored: a write to a closed connection fails with
 * EPIPE where it is made. Returns the descriptor to poll, or -1 (errno
 * set) if the pipe cannot be made.
 */
int loop_signals(void);

/* The next signal that came, or 0 when none is waiting (never blocks). */
int loop_signal_next(void);

#endif /* WSCLI_LOOP_H */
