/*
 * loop.c - the poll() loop; see loop.h.
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
		double now = now_sec(), deadline = 0;
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
			    now, &deadline, &busy);
			n += s->count;
		}
		if (stopping)
			break;
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
