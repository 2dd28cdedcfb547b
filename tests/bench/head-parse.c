/*
 * head-parse.c - what parsing an upgrade request head costs when it
 * arrives in small pieces, as from a slow or hostile client of wscli -l.
 * Not a test: it prints numbers (sh tests/bench/head.sh builds and runs it).
 *
 * A request head of about SIZE bytes (default 65000: just under the 64 KiB
 * limit) is fed to upgrade.c STEP bytes at a time (default 1), two ways:
 *
 *   restart   up_parse_request() on the whole buffer after every piece:
 *             each call starts again from the first byte
 *   resume    up_parse() with a struct up_parser kept between the calls,
 *             as listener.c reads heads
 *
 * For each: the CPU time, the calls, and the bytes the parser looked at
 * (resume only: struct up_parser counts them).
 *
 *   head-parse [SIZE [STEP [SHAPE]]]    SHAPE: lines (default) or one
 *   (one: one header line of nearly SIZE bytes; lines: 90 lines of 60
 *   bytes, then one long line)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "upgrade.h"

static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A valid upgrade request of about size bytes. */
static size_t
build(char *buf, size_t size, int one)
{
	static const char start[] =
	    "GET /chat HTTP/1.1\r\nHost: example.com\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n";
	size_t n = strlen(start), i = 0;

	memcpy(buf, start, n);
	if (one) {
		n += (size_t)sprintf(buf + n, "X-Long: ");
		for (; n < size - 4; n++)
			buf[n] = (char)('a' + n % 26);
		memcpy(buf + n, "\r\n", 2);
		n += 2;
	} else {
		/* 60-byte lines, within the 100 header lines allowed */
		for (; n + 64 < size && i < 90; i++)
			n += (size_t)sprintf(buf + n, "X-Pad-%02zu: %048zu\r\n",
			    i, i);
		if (n < size - 64) {
			/* the rest in one last line */
			n += (size_t)sprintf(buf + n, "X-Rest: ");
			memset(buf + n, 'b', size - 4 - n);
			n = size - 4;
			memcpy(buf + n, "\r\n", 2);
			n += 2;
		}
	}
	memcpy(buf + n, "\r\n", 2);
	return n + 2;
}

int
main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoul(argv[1], NULL, 10) : 65000;
	size_t step = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
	int one = argc > 3 && !strcmp(argv[3], "one");
	char *buf = malloc(UP_MAX_HEAD + 64);
	static struct up_head h;
	static struct up_parser p;
	size_t len, k, calls;
	double t0, t;
	long r = 0;

	if (buf == NULL || size < 256 || size > UP_MAX_HEAD || step == 0) {
		fprintf(stderr, "usage: head-parse [SIZE (256..%d) [STEP "
		    "[lines|one]]]\n", UP_MAX_HEAD);
		return 2;
	}
	len = build(buf, size, one);
	printf("head of %zu bytes (%s), %zu byte%s per read\n", len,
	    one ? "one long header line" : "90 short header lines, one long", step,
	    step == 1 ? "" : "s");

	t0 = cpu();
	for (k = step, calls = 0;; k += step) {
		calls++;
		r = up_parse_request(buf, k < len ? k : len, &h);
		if (r != UP_INCOMPLETE || k >= len)
			break;
	}
	t = cpu() - t0;
	printf("  restart  %9.4f s CPU  %7zu calls  result %ld\n", t, calls,
	    r);

	t0 = cpu();
	up_parser_init(&p, 1);
	for (k = step, calls = 0;; k += step) {
		calls++;
		r = up_parse(&p, buf, k < len ? k : len, &h);
		if (r != UP_INCOMPLETE || k >= len)
			break;
	}
	t = cpu() - t0;
	printf("  resume   %9.4f s CPU  %7zu calls  result %ld  bytes looked "
	    "at %zu\n", t, calls, r, p.pos);
	free(buf);
	return r == (long)len ? 0 : 1;
}
