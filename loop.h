/*
 * loop.h - the one loop of every mode: epoll for the many, poll() for the
 * few, timers in a min-heap.
 *
 * Whatever wscli waits for is a source: a WebSocket connection, a
 * connection being set up, stdin, a listening socket, the signal pipe. The
 * loop knows nothing of roles. Each turn:
 *
 *   1. prepare: a source names the descriptors it wants watched and for
 *      which events, and whether it has work already (then the loop does
 *      not block);
 *   2. the before-block hook runs (stdout is flushed there), then the
 *      wait, at most until the nearest armed timer;
 *   3. dispatch: a source gets the revents of its descriptors and the
 *      time: it reads, decodes, queues;
 *   4. timers: every timer due fires;
 *   5. flush: a source pushes what the turn queued (sends), so a frame
 *      queued in step 3 or 4 leaves without waiting for another wait.
 *
 * Two kinds of source share the turn:
 *
 *   polled (the default): prepared, dispatched (revents 0 when nothing
 *      fired) and flushed in every turn, its descriptors waited on with
 *      poll(). For the few that are always there (signals, stdin, the
 *      listening socket) or whose descriptors change under them (libcurl
 *      while it connects). Two may watch the same descriptor.
 *
 *   on demand (on_demand set before loop_add()): one per connection in
 *      listen and relay modes, so a turn costs what happened in it, not
 *      how many there are. Its descriptors, as last prepared, stay
 *      registered with epoll; it is dispatched only when one of them is
 *      ready or its prepare said busy, and prepared again and flushed
 *      only in a turn it was dispatched or woken in. Whatever changes it
 *      from outside its own callbacks (a message queued by another
 *      source, a timer, reading resumed) calls loop_wake(). At most
 *      LOOP_DEMAND_FDS descriptors, each a socket, pipe or terminal
 *      watched by no other source, open as long as it names it (to close
 *      one, stop naming it first, or be removed).
 */
#ifndef WSCLI_LOOP_H
#define WSCLI_LOOP_H

#include <poll.h>
#include <stddef.h>

#define LOOP_DEMAND_FDS 4 /* descriptors of an on-demand source */

struct source {
	/* Fill at most max entries of pfd; return how many. Set *busy to
	 * wait without blocking. (What is to happen at a time is a
	 * timer.) */
	int (*prepare)(struct source *s, struct pollfd *pfd, int max,
	    double now, int *busy);
	/* pfd: this source's entries as prepared, revents filled. */
	void (*dispatch)(struct source *s, const struct pollfd *pfd, int n,
	    double now);
	void (*flush)(struct source *s);   /* may be NULL */
	void (*release)(struct source *s); /* after removal; may be NULL */
	void *ud;                          /* the owner's */
	int on_demand;                     /* see above; set before
					      loop_add() */
	/* the loop's */
	int removed;                       /* loop_remove() was called */
	unsigned flags;
	struct source *next, *prev;        /* polled ones, in order */
	struct source *dead;               /* removed, to release */
	int first, count;                  /* polled: this turn's entries */
	struct pollfd fds[LOOP_DEMAND_FDS]; /* on demand: as prepared last */
	int nfds;
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

/* Add s, which must stay valid until its release callback. An on-demand
 * source is prepared in the next turn. */
void loop_add(struct source *s);

/* s changed from outside its own callbacks: flush it at the end of this
 * turn and prepare it again in the next (dispatch it there too when woken
 * outside a turn's dispatch and timers). Nothing for a polled source, nor
 * after loop_remove(). O(1); safe from anywhere. Inline, as it is called
 * for every frame queued: most calls find it done already. */
#define LOOP_DUE 0x100u /* in flags: s will be flushed later in this
			   turn; waking it has nothing to do */
void loop_wake_due(struct source *s);
static inline void
loop_wake(struct source *s)
{
	if (!(s->flags & LOOP_DUE))
		loop_wake_due(s);
}

/* Remove s at the end of this turn; then release(s) is called. Safe from
 * inside any callback. */
void loop_remove(struct source *s);

/* Run before the wait may block (e.g. flush stdout). */
void loop_set_before_block(void (*fn)(void));

/*
 * Reading in batches. A wait that blocked and was ended by input within
 * LOOP_BATCH_US, LOOP_BATCH_QUICK times in a row while nothing was sent,
 * means messages are streaming in one by one (a subscription, a feed): a
 * wake-up for each costs several times what reading it does. Then, before
 * each wait that would block, the loop first sleeps LOOP_BATCH_US, so
 * that the messages that came meanwhile are read together, until such a
 * wait finds nothing, something is sent, or a hold is taken. Input is
 * then read at most LOOP_BATCH_US late: below the millisecond that
 * timestamps show.
 */
#define LOOP_BATCH_US 500
#define LOOP_BATCH_QUICK 4

/* Something was sent: the input that follows may be its answer, so it is
 * not waited for. O(1). */
void loop_note_send(void);

/* Nonzero when the next wait that would block first sleeps
 * LOOP_BATCH_US. */
int loop_batching(void);

/* While a hold is taken (+1, released with -1) input is never read late:
 * e.g. a ping's pong, whose time is measured to the microsecond. */
void loop_hold_batching(int delta);

/* Run until loop_stop() or until no source is left. The first call raises
 * the soft limit of descriptors to the hard one (a connection is one).
 * Returns 0, or -1 if the wait failed (errno set). */
int loop_run(void);

/* The limit of open descriptors after loop_run() raised it (or now, if
 * it has not run yet). */
long loop_fd_limit(void);

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
 * signal thus wakes the wait and is handled in the turn, outside the
 * handler. SIGPIPE is ignored: a write to a closed connection fails with
 * EPIPE where it is made. Returns the descriptor to poll, or -1 (errno
 * set) if the pipe cannot be made.
 */
int loop_signals(void);

/* The next signal that came, or 0 when none is waiting (never blocks). */
int loop_signal_next(void);

#endif /* WSCLI_LOOP_H */
