/*
 * loop.c - the loop; see loop.h.
 *
 * On-demand sources are kept in two arrays rather than a list walked each
 * turn: ready (to dispatch in this turn: epoll reported a descriptor, the
 * source said busy, or it was woken too late for the last dispatch) and
 * work (to flush at the end of this turn and prepare at the start of the
 * next: dispatched or woken). A flag on each keeps it in an array once.
 * Nothing is done for a source nothing happened to. Polled sources are a
 * list, every one prepared, dispatched and flushed each turn; their
 * descriptors and the epoll instance are waited on with one poll(), and
 * epoll_wait() is asked only when the instance is readable (or alone,
 * without waiting, when no polled source has a descriptor).
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
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "term.h"

#define EVENTS_MAX 1024 /* epoll events taken in one wait */

enum { F_WORK = 1, F_READY = 2 };
enum { PH_OTHER, PH_PREPARE, PH_WAIT, PH_DISPATCH, PH_TIMERS, PH_FLUSH };

struct vec {
	struct source **a;
	size_t n, cap;
};

struct slot {
	struct source *s;          /* watching it, or NULL */
	int idx;                   /* ... as its fds[idx] */
	unsigned ev;               /* registered for these events */
	int reg;                   /* registered with epoll */
};

static struct source *polled, *polled_tail; /* in the order added */
static struct source *dead;                 /* removed this turn */
static struct vec work, ready;              /* on demand: see above */
static int nlive;                           /* added, not removed */
static int phase;
static int stopping;
static void (*before_block)(void);
static struct pollfd *pfds;                 /* polled sources' entries */
static int pfd_cap;
static int epfd = -1;
static struct slot *slots;                  /* by descriptor */
static size_t nslots;
static long nwatched;                       /* slots with a source */
static int sig_pipe[2] = { -1, -1 };
static int quick;                           /* blocking waits in a row
					       ended by input soon */
static int holds;                           /* loop_hold_batching() */

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

/* ------------------------------------------------------------ sources */

static void
push(struct vec *v, struct source *s)
{
	if (v->n == v->cap) {
		/* a source left out would hang: out of memory ends wscli */
		v->cap = v->cap ? v->cap * 2 : 64;
		v->a = xrealloc(v->a, v->cap * sizeof *v->a);
	}
	v->a[v->n++] = s;
}

static void
to_work(struct source *s)
{
	if (!(s->flags & F_WORK)) {
		s->flags |= F_WORK;
		push(&work, s);
	}
}

static void
to_ready(struct source *s)
{
	if (!(s->flags & F_READY)) {
		s->flags |= F_READY;
		push(&ready, s);
	}
}

void
loop_add(struct source *s)
{
	s->removed = 0;
	s->flags = 0;
	s->dead = NULL;
	s->first = s->count = 0; /* dispatched with no descriptors until the
				    next prepare */
	s->nfds = 0;
	nlive++;
	if (s->on_demand) {
		loop_wake(s);
		return;
	}
	s->flags = LOOP_DUE; /* waking a polled source does nothing */
	s->next = NULL;
	s->prev = polled_tail;
	if (polled_tail)
		polled_tail->next = s;
	else
		polled = s;
	polled_tail = s;
}

void
loop_wake_due(struct source *s)
{
	if (!s->on_demand || s->removed)
		return;
	to_work(s);
	/* too late for this turn's dispatch: the next one looks at it */
	if (phase != PH_DISPATCH && phase != PH_TIMERS)
		to_ready(s);
	/* until its flush (or the next prepare) nothing more is needed */
	s->flags |= LOOP_DUE;
}

void
loop_remove(struct source *s)
{
	if (s->removed)
		return;
	s->removed = 1;
	nlive--;
	s->dead = dead;
	dead = s;
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

/* ------------------------------------------------- descriptors (epoll) */

/*
 * slots[fd] says which on-demand source watches fd (entry idx of its
 * fds[]) and what is registered for it. A slot with no source may still
 * be registered: the source that watched it is gone, and the descriptor
 * was most likely closed with it (which took it out of epoll) or handed
 * on (a connection after its upgrade), so the next source to watch it
 * modifies the registration rather than deleting and adding it again.
 * An event for such a slot takes it out.
 */
static int
slots_grow(int fd)
{
	size_t cap = nslots ? nslots : 256;
	struct slot *p;

	while (cap <= (size_t)fd)
		cap *= 2;
	if ((p = realloc(slots, cap * sizeof *p)) == NULL)
		return -1;
	memset(p + nslots, 0, (cap - nslots) * sizeof *p);
	slots = p;
	nslots = cap;
	return 0;
}

static int
ctl(int op, int fd, unsigned events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof ev);
	/* poll()'s and epoll's event bits are the same on Linux */
	ev.events = events;
	ev.data.fd = fd;
	return epoll_ctl(epfd, op, fd, &ev);
}

/* s watches fd for events, as its entry idx. Returns 0 or -1. */
static int
watch(struct source *s, int idx, int fd, unsigned events)
{
	struct slot *e;
	int rc, had;

	if (fd < 0 || ((size_t)fd >= nslots && slots_grow(fd) != 0))
		return -1;
	e = &slots[fd];
	if (e->s == s && e->reg && e->ev == events) {
		e->idx = idx;
		return 0;
	}
	if (e->reg) {
		rc = ctl(EPOLL_CTL_MOD, fd, events);
		if (rc != 0 && errno == ENOENT) /* closed, the number reused */
			rc = ctl(EPOLL_CTL_ADD, fd, events);
	} else {
		rc = ctl(EPOLL_CTL_ADD, fd, events);
		if (rc != 0 && errno == EEXIST)
			rc = ctl(EPOLL_CTL_MOD, fd, events);
	}
	had = e->s != NULL;
	if (rc != 0) {
		nwatched -= had;
		e->s = NULL;
		e->reg = 0;
		return -1;
	}
	nwatched += !had;
	e->s = s;
	e->idx = idx;
	e->ev = events;
	e->reg = 1;
	return 0;
}

/* s no longer watches fd; closed says it may be closed already. */
static void
unwatch(struct source *s, int fd, int closed)
{
	struct slot *e;

	if (fd < 0 || (size_t)fd >= nslots || slots[fd].s != s)
		return;
	e = &slots[fd];
	e->s = NULL;
	nwatched--;
	if (!closed && e->reg) {
		/* still open, and no one reads it: epoll must not report
		 * it again */
		epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
		e->reg = 0;
	}
}

/* Prepare an on-demand source: its descriptors as it wants them now. */
static void
prepare_demand(struct source *s, double now)
{
	struct pollfd p[LOOP_DEMAND_FDS];
	int busy = 0, n;

	n = s->prepare(s, p, LOOP_DEMAND_FDS, now, &busy);
	if (s->removed)
		return;
	for (int i = 0; i < s->nfds; i++) {
		int j;

		for (j = 0; j < n && p[j].fd != s->fds[i].fd; j++)
			;
		if (j == n)
			unwatch(s, s->fds[i].fd, 0);
	}
	s->nfds = 0;
	for (int i = 0; i < n; i++) {
		if (watch(s, s->nfds, p[i].fd, (unsigned short)p[i].events) != 0) {
			/* not a descriptor epoll takes (a regular file): it
			 * would always be ready, and so it is */
			p[i].revents = p[i].events;
			busy = 1;
		} else {
			p[i].revents = 0;
		}
		s->fds[s->nfds++] = p[i];
	}
	if (busy)
		to_ready(s);
}

/* What epoll says: the revents of on-demand sources, which become
 * ready. */
static void
take_events(const struct epoll_event *ev, int n)
{
	for (int i = 0; i < n; i++) {
		int fd = ev[i].data.fd;
		struct slot *e = (size_t)fd < nslots ? &slots[fd] : NULL;

		if (e == NULL)
			continue;
		if (e->s == NULL) {
			if (e->reg)
				epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
			e->reg = 0;
			continue;
		}
		if (e->s->removed || e->idx >= e->s->nfds)
			continue;
		e->s->fds[e->idx].revents = (short)ev[i].events;
		to_ready(e->s);
	}
}

/* ------------------------------------------------------------ the turn */

/* Unlink removed sources, then release them (release may free them). */
static void
reap(void)
{
	struct source *s, *list = dead;

	if (list == NULL)
		return;
	dead = NULL;
	/* forget them in the lists of the next turn */
	for (struct vec *v = &work; v != NULL; v = v == &work ? &ready : NULL) {
		size_t k = 0;

		for (size_t i = 0; i < v->n; i++)
			if (!v->a[i]->removed)
				v->a[k++] = v->a[i];
		v->n = k;
	}
	for (s = list; s; s = s->dead) {
		if (s->on_demand) {
			for (int i = 0; i < s->nfds; i++)
				unwatch(s, s->fds[i].fd, 1);
			s->nfds = 0;
			continue;
		}
		if (s->prev)
			s->prev->next = s->next;
		else
			polled = s->next;
		if (s->next)
			s->next->prev = s->prev;
		else
			polled_tail = s->prev;
	}
	while (list) {
		s = list;
		list = s->dead;
		s->flags = 0;
		if (s->release)
			s->release(s);
	}
}

void
loop_release(void)
{
	reap();
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

long
loop_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	return rl.rlim_cur == RLIM_INFINITY ? LONG_MAX : (long)rl.rlim_cur;
}

/* Once: as many descriptors as allowed, and the epoll instance. */
static int
start(void)
{
	struct rlimit rl;

	if (epfd >= 0)
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? -1 : 0;
}

void
loop_note_send(void)
{
	quick = 0;
}

int
loop_batching(void)
{
	return quick >= LOOP_BATCH_QUICK && holds == 0;
}

void
loop_hold_batching(int delta)
{
	holds += delta;
	if (holds > 0)
		quick = 0;
}

/* Wait at most ms (-1: no limit) for the polled sources' n entries of
 * pfds and the on-demand sources' descriptors. Returns how many reported
 * input (at least), or -1. */
static int
wait_now(int n, int ms)
{
	static struct epoll_event ev[EVENTS_MAX];
	int k, got = 0;

	for (int i = 0; i < n; i++)
		pfds[i].revents = 0;
	if (nwatched == 0) {
		k = poll(pfds, (nfds_t)n, ms);
		if (k < 0 && errno != EINTR)
			return -1;
		return k > 0 ? k : 0;
	}
	if (n > 0) {
		/* the epoll instance is one descriptor among the few */
		pfds[n].fd = epfd;
		pfds[n].events = POLLIN;
		pfds[n].revents = 0;
		got = poll(pfds, (nfds_t)n + 1, ms);
		if (got < 0) {
			if (errno != EINTR)
				return -1;
			for (int i = 0; i < n; i++)
				pfds[i].revents = 0;
			return 0;
		}
		if (pfds[n].revents == 0)
			return got;
		ms = 0;
	}
	k = epoll_wait(epfd, ev, EVENTS_MAX, ms);
	if (k < 0)
		return errno == EINTR ? got : -1;
	take_events(ev, k);
	return got + k;
}

/* wait_now(), in batches while input streams in (see loop.h). */
static int
wait_events(int n, int ms)
{
	double t0;
	int got;

	if (ms == 0)
		return wait_now(n, 0) < 0 ? -1 : 0;
	if (loop_batching()) {
		struct timespec ts = { 0, LOOP_BATCH_US * 1000L };

		nanosleep(&ts, NULL);
		got = wait_now(n, 0);
		if (got == 0)
			quick = 0;
		return got < 0 ? -1 : 0;
	}
	t0 = now_sec();
	got = wait_now(n, ms);
	if (got < 0)
		return -1;
	if (got > 0 && holds == 0 && now_sec() - t0 < LOOP_BATCH_US * 1e-6)
		quick++;
	else
		quick = 0;
	return 0;
}

int
loop_run(void)
{
	if (start() != 0)
		return -1;
	stopping = 0;
	while (!stopping && nlive > 0) {
		double now = now_sec(), deadline;
		int busy = 0, n = 0, ms;
		size_t nw;
		struct source *s;

		phase = PH_PREPARE;
		for (s = polled; s; s = s->next) {
			/* every source may ask for a few descriptors (and the
			 * epoll instance is one more) */
			if (grow(n + 65) != 0) {
				errno = ENOMEM;
				return -1;
			}
			s->first = n;
			s->count = s->removed ? 0 : s->prepare(s, pfds + n, 64,
			    now, &busy);
			n += s->count;
		}
		/* those woken while this runs are prepared in the next turn
		 * (and dispatched in this one) */
		nw = work.n;
		for (size_t i = 0; i < nw; i++) {
			s = work.a[i];
			s->flags &= ~(F_WORK | LOOP_DUE);
			if (!s->removed)
				prepare_demand(s, now);
		}
		if (nw > 0) {
			memmove(work.a, work.a + nw, (work.n - nw) *
			    sizeof *work.a);
			work.n -= nw;
		}
		if (stopping)
			break;
		deadline = loop_timer_next();
		if (busy || ready.n > 0) {
			ms = 0;
		} else if (deadline > 0) {
			double left = deadline - now_sec();

			ms = left <= 0 ? 0 : (int)(left * 1000 + 0.999);
		} else {
			ms = -1;
		}
		if (ms != 0 && before_block)
			before_block();
		phase = PH_WAIT;
		if (wait_events(n, ms) != 0)
			return -1;
		now = now_sec();
		phase = PH_DISPATCH;
		for (s = polled; s; s = s->next)
			if (!s->removed)
				s->dispatch(s, pfds + s->first, s->count, now);
		for (size_t i = 0; i < ready.n; i++) {
			s = ready.a[i];
			s->flags &= ~F_READY;
			if (s->removed)
				continue;
			s->dispatch(s, s->fds, s->nfds, now);
			for (int j = 0; j < s->nfds; j++)
				s->fds[j].revents = 0;
			to_work(s);
			s->flags |= LOOP_DUE;
		}
		ready.n = 0;
		phase = PH_TIMERS;
		if (!stopping)
			loop_timers_run(now_sec());
		phase = PH_FLUSH;
		for (s = polled; s; s = s->next)
			if (!s->removed && s->flush)
				s->flush(s);
		for (size_t i = 0; i < work.n; i++) {
			s = work.a[i];
			/* changed by what comes after: the next turn sees to it */
			s->flags &= ~LOOP_DUE;
			if (!s->removed && s->flush)
				s->flush(s);
		}
		phase = PH_OTHER;
		reap();
	}
	phase = PH_OTHER;
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
