/*
 * term.c - diagnostics and the clock; see term.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "term.h"

static struct term_hooks hooks;
static int quiet;
static int mute;
static int stamps;              /* -t: 0 off, 1 wall clock, 2 elapsed */
static double started;          /* elapsed time counts from here */

double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
term_set_hooks(const struct term_hooks *h)
{
	if (h)
		hooks = *h;
	else
		hooks = (struct term_hooks){ 0 };
}

void
term_set_timestamps(int mode)
{
	stamps = mode;
	if (started == 0)
		started = now_sec();
}

int
term_timestamps(void)
{
	return stamps;
}

size_t
term_stamp(char *out, size_t cap)
{
	return term_stamp_as(out, cap, stamps);
}

size_t
term_stamp_as(char *out, size_t cap, int mode)
{
	int n = 0;

	if (cap == 0)
		return 0;
	out[0] = '\0';
	if (started == 0)
		started = now_sec();
	if (mode == 1) {
		struct timespec ts;
		struct tm tm;
		char buf[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(buf, sizeof buf, "%H:%M:%S", &tm);
		n = snprintf(out, cap, "%s.%03ld ", buf, ts.tv_nsec / 1000000);
	} else if (mode == 2) {
		n = snprintf(out, cap, "+%11.3f ", now_sec() - started);
	}
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

void
term_set_quiet(int q)
{
	quiet = q;
}

void
term_set_mute(int m)
{
	mute = m;
}

void
term_begin(void)
{
	if (hooks.begin)
		hooks.begin();
}

void
term_end(void)
{
	if (hooks.end)
		hooks.end();
}

void
term_print_stderr(const char *prefix, const char *msg)
{
	char t[32];

	term_stamp(t, sizeof t);
	term_begin();
	fflush(stdout);
	fprintf(stderr, "%s%s%s\n", t, prefix, msg);
	term_end();
}

void
diag(const char *fmt, ...)
{
	va_list ap;
	char buf[2048];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (mute)
		;
	else if (hooks.diag)
		hooks.diag(buf);
	else
		term_print_stderr("wscli: ", buf);
	if (hooks.error)
		hooks.error(buf);
}

void
info(const char *fmt, ...)
{
	va_list ap;
	char buf[2048];

	if (quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (hooks.info)
		hooks.info(buf);
	else
		term_print_stderr("wscli: ", buf);
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL) {
		fputs("wscli: out of memory\n", stderr);
		exit(1);
	}
	return q;
}

char *
xstrndup(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}
