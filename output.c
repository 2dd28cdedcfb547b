/*
 * output.c - buffered standard output; see output.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "term.h"

#define OUT_BUF (256 * 1024)

static char *obuf;
static size_t olen;
static int gone, failed;

static void
write_all(const char *p, size_t n)
{
	while (n > 0 && !gone && !failed) {
		ssize_t w = write(STDOUT_FILENO, p, n);

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
