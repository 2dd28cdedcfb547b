/*
 * output.c - buffered standard output; see output.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "term.h"

#define OUT_BUF (256 * 1024)

static char *obuf;
static size_t olen;
static int gone, failed;
static double deadline;
static unsigned long long stalled;

void
out_set_deadline(double at)
{
	struct stat st;

	deadline = at;
	if (at > 0 && fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode))
		deadline = 0;
}

unsigned long long
out_stalled(void)
{
	return stalled;
}

/* With a deadline: wait for room before each write, and write no more
 * than a pipe takes without blocking once it has room. Returns the most
 * to write now, or 0 when the reader took nothing until the deadline.
 * What is written after it (the end of the session) may still wait a
 * second for a reader that is reading. */
static size_t
room(size_t n)
{
	struct pollfd pf = { STDOUT_FILENO, POLLOUT, 0 };
	double until = deadline, left;
	int r;

	if (until < now_sec() + 1)
		until = now_sec() + 1;
	do {
		left = until - now_sec();
		r = poll(&pf, 1, left <= 0 ? 0 : (int)(left * 1000) + 1);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	return n < 4096 ? n : 4096; /* PIPE_BUF: one page of a pipe */
}

static void
write_all(const char *p, size_t n)
{
	if (stalled) {
		stalled += n;
		return;
	}
	while (n > 0 && !gone && !failed) {
		size_t k = n;
		ssize_t w;

		if (deadline > 0 && (k = room(n)) == 0) {
			stalled = n;
			return;
		}
		w = write(STDOUT_FILENO, p, k);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pf = { STDOUT_FILENO, POLLOUT, 0 };

				poll(&pf, 1, -1);
				continue;
			}
			if (errno == EPIPE) {
				gone = 1;
			} else {
				failed = 1;
				diag("cannot write to stdout: %s",
				    strerror(errno));
			}
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

void
out_flush(void)
{
	write_all(obuf, olen);
	olen = 0;
}

void
out_write(const void *p, size_t n)
{
	if (n == 0)
		return;
	if (obuf == NULL)
		obuf = xrealloc(NULL, OUT_BUF);
	if (olen + n > OUT_BUF) {
		out_flush();
		if (n >= OUT_BUF) {
			write_all(p, n);
			return;
		}
	}
	memcpy(obuf + olen, p, n);
	olen += n;
}

void
out_before_stderr(void)
{
	static int shared = -1;

	if (olen == 0)
		return;
	if (shared < 0) {
		struct stat a, b;

		shared = fstat(STDOUT_FILENO, &a) == 0 &&
		    fstat(STDERR_FILENO, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino;
	}
	if (shared)
		out_flush();
}

int
out_gone(void)
{
	return gone;
}

int
out_failed(void)
{
	return failed;
}

void
out_free(void)
{
	free(obuf);
	obuf = NULL;
}
