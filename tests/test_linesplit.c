/*
 * test_linesplit.c - standard input as lines (linesplit.h): LF ends a
 * line and a CR before it goes; with nul set (-0) NUL ends it and a CR is
 * data; input split at every byte gives the same lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "linesplit.h"

struct got {
	char out[256];       /* lines, each followed by '|' */
	size_t len;
};

static void
collect(void *ctx, uint64_t lineno, const uint8_t *p, size_t len, int fin)
{
	struct got *g = ctx;

	(void)lineno;
	memcpy(g->out + g->len, p, len);
	g->len += len;
	if (fin)
		g->out[g->len++] = '|';
	g->out[g->len] = '\0';
}

/* Feed in[0..n) in pieces of step bytes through a buffer of cap. */
static void
feed(int nul, const char *in, size_t n, size_t step, size_t cap,
    struct got *g)
{
	struct linesplit ls;
	uint8_t buf[64];
	size_t have = 0, i = 0;

	memset(&ls, 0, sizeof ls);
	ls.nul = nul;
	memset(g, 0, sizeof *g);
	while (i < n) {
		size_t k = n - i < step ? n - i : step, used;

		if (k > cap - have)
			k = cap - have;
		memcpy(buf + have, in + i, k);
		have += k;
		i += k;
		used = linesplit_feed(&ls, buf, have, cap, 0, collect, g);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	linesplit_feed(&ls, buf, have, cap, 1, collect, g);
}

static void
lf_lines(void **state)
{
	struct got g;
	static const char in[] = "a\r\nb\n\nc";

	(void)state;
	for (size_t step = 1; step <= sizeof in; step++) {
		feed(0, in, sizeof in - 1, step, 32, &g);
		assert_string_equal(g.out, "a|b||c|");
	}
}

static void
nul_lines(void **state)
{
	struct got g;
	static const char in[] = "a\nb\r\0c\0\0d";

	(void)state;
	for (size_t step = 1; step <= sizeof in; step++) {
		feed(1, in, sizeof in - 1, step, 32, &g);
		assert_int_equal(g.len, 10);
		assert_memory_equal(g.out, "a\nb\r|c||d|", 10);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lf_lines),
		cmocka_unit_test(nul_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
