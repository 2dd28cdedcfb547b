/*
 * loop.c - the poll() loop; see loop.h.
 *
 * Timers are a binary min-heap of pointers on their time, each timer
 * knowing its place (slot) so that moving or stopping one is O(log n)
 * without a search. The due ones are first taken out all together, then
 * fired: a callback may arm, move or stop any timer, its own or one
 * still waiting to fire in this round (PENDING slots say where in due[]
 * it waits, so stopping it there takes it out of the round).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "term.h"

static struct source *sources;
static int stopping;
static void (*before_block)(void);
static struct pollfd *pfds;
static int pfd_cap;
static int sig_pipe[2] = { -1, -1 };

#define PENDING ((size_t)1 << (sizeof(size_t) * 8 - 2)) /* slot of a due
							    timer: PENDING +
							    its index in due */

static struct {
	struct timer **heap;
	size_t n, cap;
	struct timer **due;        /* taken out, to fire in this round */
	size_t ndue, duecap;
} T;

/* -------------------------------------------------------------- timers */

static void
heap_put(size_t i, struct timer *t)
{
	T.heap[i] = t;
	t->slot = i + 1;
}

static void
sift_up(size_t i)
{
	struct timer *t = T.heap[i];

	while (i > 0 && T.heap[(i - 1) / 2]->at > t->at) {
		heap_put(i, T.heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_put(i, t);
}

static void
sift_down(size_t i)
{
	struct timer *t = T.heap[i];

	for (;;) {
		size_t k = 2 * i + 1;

		if (k >= T.n)
			break;
		if (k + 1 < T.n && T.heap[k + 1]->at < T.heap[k]->at)
			k++;
		if (T.heap[k]->at >= t->at)
			break;
		heap_put(i, T.heap[k]);
		i = k;
	}
	heap_put(i, t);
}

/* Take t out of the heap or out of the round it waits in. */
static void
unlink_timer(struct timer *t)
{
	size_t i;

	if (t->slot == 0)
		return;
	if (t->slot >= PENDING) {
		T.due[t->slot - PENDING] = NULL;
		t->slot = 0;
		return;
	}
	i = t->slot - 1;
	t->slot = 0;
	if (--T.n == i)
		return;
	heap_put(i, T.heap[T.n]);
	sift_down(i);
	sift_up(T.heap[i]->slot - 1);
}

int
loop_timer_set(struct timer *t, double at)
{
	if (at <= 0) {
		unlink_timer(t);
		return 0;
	}
	if (t->slot > 0 && t->slot < PENDING) {
		t->at = at;
		sift_down(t->slot - 1);
		sift_up(t->slot - 1);
		return 0;
	}
	unlink_timer(t);
	if (T.n == T.cap) {
		size_t cap = T.cap ? T.cap * 2 : 16;
		struct timer **h = realloc(T.heap, cap * sizeof *h);

		if (h == NULL)
			return -1;
		T.heap = h;
		T.cap = cap;
	}
	t->at = at;
	T.heap[T.n] = t;
	sift_up(T.n++);
	return 0;
}

void
loop_timer_stop(struct timer *t)
{
	unlink_timer(t);
}

int
loop_timer_armed(const struct timer *t)
{
	return t->slot != 0;
}

double
loop_timer_next(void)
{
	return T.n > 0 ? T.heap[0]->at : 0;
}

int
loop_timers_run(double now)
{
	size_t fired = 0;

	if (T.ndue > 0) /* called from a callback: the round goes on */
		return 0;
	while (T.n > 0 && T.heap[0]->at <= now) {
		struct timer *t = T.heap[0];

		if (T.ndue == T.duecap) {
			size_t cap = T.duecap ? T.duecap * 2 : 16;
			struct timer **d = realloc(T.due, cap * sizeof *d);

			if (d == NULL)
				break; /* the rest fire in the next round */
			T.due = d;
			T.duecap = cap;
		}
		unlink_timer(t);
		T.due[T.ndue] = t;
		t->slot = PENDING + T.ndue++;
	}
	for (size_t i = 0; i < T.ndue; i++) {
		struct timer *t = T.due[i];

		if (t == NULL) /* stopped or moved by an earlier one */
			continue;
		T.due[i] = NULL;
		t->slot = 0;
		fired++;
		t->fire(t, now);
	}
	T.ndue = 0;
	return (int)fired;
}

void
loop_add(struct source *s)
{
	struct source **p = &sources;

	s->removed = 0;
	s->next = NULL;
	s->first = s->count = 0; /* dispatched with no descriptors until the
				    next prepare */
	while (*p)
		p = &(*p)->next;
	*p = s;
}

void
loop_remove(struct source *s)
{
	s->removed = 1;
}

void
loop_set_before_block(void (*fn)(void))
{
	before_block = fn;
}

void
loop_stop(void)
{
	stopping = 1;
}

int
loop_stopping(void)
{
	return stopping;
}

/* Unlink removed sources, then release them (release may free them). */
static void
reap(void)
{
	struct source **p = &sources, *dead = NULL;

	while (*p) {
		struct source *s = *p;

		if (s->removed) {
			*p = s->next;
			s->next = dead;
			dead = s;
		} else {
			p = &s->next;
		}
	}
	while (dead) {
		struct source *s = dead;

		dead = s->next;
		if (s->release)
			s->release(s);
	}
}

void
loop_release(void)
{
	reap();
}

/* A source not removed is left. */
static int
live(void)
{
	for (struct source *s = sources; s; s = s->next)
		if (!s->removed)
			return 1;
	return 0;
}

static int
grow(int need)
{
	struct pollfd *p;
	int cap = pfd_cap ? pfd_cap : 16;

	if (need <= pfd_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(pfds, (size_t)cap * sizeof *p);
	if (p == NULL)
		return -1;
	pfds = p;
	pfd_cap = cap;
	return 0;
}

int
loop_run(void)
{
	stopping = 0;
	while (!stopping && live()) {
		double now = now_sec(), deadline;
		int busy = 0, n = 0, ms;
		struct source *s;

		for (s = sources; s; s = s->next) {
			/* every source may ask for a few descriptors */
			if (grow(n + 64) != 0) {
				errno = ENOMEM;
				return -1;
			}
			s->first = n;
			s->count = s->removed ? 0 : s->prepare(s, pfds + n, 64,
			    now, &busy);
			n += s->count;
		}
		if (stopping)
			break;
		deadline = loop_timer_next();
		if (busy) {
			ms = 0;
		} else if (deadline > 0) {
			double left = deadline - now_sec();

			ms = left <= 0 ? 0 : (int)(left * 1000 + 0.999);
		} else {
			ms = -1;
		}
		if (ms != 0 && before_block)
			before_block();
		for (int i = 0; i < n; i++)
			pfds[i].revents = 0;
		if (poll(pfds, (nfds_t)n, ms) < 0) {
			if (errno != EINTR)
				return -1;
			for (int i = 0; i < n; i++)
				pfds[i].revents = 0;
		}
		now = now_sec();
		for (s = sources; s; s = s->next)
			if (!s->removed)
				s->dispatch(s, pfds + s->first, s->count, now);
		if (!stopping)
			loop_timers_run(now_sec());
		for (s = sources; s; s = s->next)
			if (!s->removed && s->flush)
				s->flush(s);
		reap();
	}
	reap();
	if (before_block)
		before_block();
	return 0;
}

/* ------------------------------------------------------------- signals */

static void
on_signal(int sig)
{
	int saved = errno;
	char ch = (char)sig;

	if (write(sig_pipe[1], &ch, 1) < 0) {
		/* the pipe is full: a wake-up is pending anyway */
	}
	errno = saved;
}

int
loop_signals(void)
{
	struct sigaction sa;

	if (pipe(sig_pipe) != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return sig_pipe[0];
}

int
loop_signal_next(void)
{
	static char sigs[16];
	static ssize_t n, next;

	if (next >= n) {
		next = 0;
		n = read(sig_pipe[0], sigs, sizeof sigs);
		if (n <= 0) {
			n = 0;
			return 0;
		}
	}
	return sigs[next++];
}
