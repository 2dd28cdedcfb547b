/*
 * test_hist.c - unit tests for hist.c: every value lands in a counter
 * whose range holds it and is at most 1/1024 of it wide; percentiles of
 * random recordings against the exact ones (never below, within 1/1024
 * above); a merge of parts equals the whole; the text form round-trips
 * and a damaged line is refused.
 *
 * Run with CMOCKA_MESSAGE_OUTPUT=TAP for output that prove(1) understands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hist.h"

static struct hist a, b, c;

/* A deterministic generator: the test is the same every run. */
static uint64_t rng = 88172645463325252ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Spread over every power of two up to 2^30, as latencies are. */
static uint64_t
loguniform(void)
{
	int bits = (int)(next() % 31);

	return next() & ((UINT64_C(1) << bits) - 1);
}

static int
cmp(const void *x, const void *y)
{
	uint64_t p = *(const uint64_t *)x, q = *(const uint64_t *)y;

	return p < q ? -1 : p > q;
}

static void
check_value(uint64_t v)
{
	size_t i = hist_index(v);
	uint64_t lo = hist_lowest(i), hi = hist_highest(i);
	uint64_t width = hi - lo + 1, allowed = v / 1024;

	assert_true(i < HIST_LEN);
	assert_true(lo <= v);
	assert_true(v <= hi);
	assert_true(width <= (allowed > 1 ? allowed : 1));
}

static void
counters_hold_their_values(void **state)
{
	for (uint64_t v = 0; v < 70000; v++)
		check_value(v);
	for (int k = 0; k < 100000; k++)
		check_value(next() & HIST_MAX);
	for (int s = 0; s < HIST_MAX_BITS; s++) {
		check_value(UINT64_C(1) << s);
		check_value((UINT64_C(1) << s) - 1);
	}
	check_value(HIST_MAX);
	assert_int_equal(hist_index(HIST_MAX), HIST_LEN - 1);
	assert_int_equal(hist_highest(HIST_LEN - 1), HIST_MAX);
	/* counters tile the range: each starts where the last ended */
	for (size_t i = 1; i < HIST_LEN; i++)
		assert_true(hist_lowest(i) == hist_highest(i - 1) + 1);
}

static void
percentiles_within_precision(void **state)
{
	enum { N = 200001 };
	static uint64_t v[N];
	static const double pcts[] = { 0, 1, 10, 25, 50, 75, 90, 99, 99.9,
		99.99, 100 };

	hist_reset(&a);
	for (size_t i = 0; i < N; i++) {
		v[i] = loguniform();
		hist_record(&a, v[i]);
	}
	qsort(v, N, sizeof v[0], cmp);
	assert_int_equal(a.total, N);
	assert_true(a.min == v[0]);
	assert_true(a.max == v[N - 1]);
	for (size_t k = 0; k < sizeof pcts / sizeof pcts[0]; k++) {
		/* nearest rank */
		size_t rank = (size_t)(pcts[k] / 100 * N + 0.999999);
		uint64_t exact = v[rank ? rank - 1 : 0];
		uint64_t got = hist_percentile(&a, pcts[k]);

		assert_true(got >= exact);
		assert_true(got <= exact + exact / 1024);
	}
	assert_true(hist_percentile(&a, 100) == v[N - 1]);
	assert_true(hist_percentile(&a, 0) == v[0]);
}

static void
small_counts_exact(void **state)
{
	hist_reset(&a);
	assert_true(hist_percentile(&a, 50) == 0);
	assert_true(hist_mean(&a) == 0);
	for (uint64_t v = 1; v <= 4; v++)
		hist_record(&a, v * 100);
	assert_true(hist_percentile(&a, 50) == 200);
	assert_true(hist_percentile(&a, 75) == 300);
	assert_true(hist_percentile(&a, 76) == 400);
	assert_true(hist_mean(&a) == 250);
	/* beyond the range: kept as the largest value */
	hist_record(&a, UINT64_MAX);
	assert_true(a.max == HIST_MAX);
	assert_true(hist_percentile(&a, 100) == HIST_MAX);
}

static void
merge_equals_whole(void **state)
{
	hist_reset(&a);
	hist_reset(&b);
	hist_reset(&c);
	for (int i = 0; i < 100000; i++) {
		uint64_t v = loguniform();

		hist_record(&c, v);
		hist_record(i % 3 ? &a : &b, v);
	}
	hist_merge(&a, &b);
	assert_memory_equal(&a, &c, sizeof a);
	for (double p = 0; p <= 100; p += 0.5)
		assert_true(hist_percentile(&a, p) == hist_percentile(&c, p));
	/* merging an empty one changes nothing, min included */
	hist_reset(&b);
	hist_merge(&a, &b);
	assert_memory_equal(&a, &c, sizeof a);
	hist_merge(&b, &c);
	assert_memory_equal(&b, &c, sizeof b);
}

static void
text_round_trip(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	hist_reset(&a);
	for (int i = 0; i < 5000; i++)
		hist_record(&a, loguniform());
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(hist_write(f, &a), 0);
	fclose(f);
	hist_reset(&b);
	assert_int_equal(hist_read(&b, buf), 0);
	assert_memory_equal(&a, &b, sizeof a);
	/* read adds: twice is the merge of two */
	assert_int_equal(hist_read(&b, buf), 0);
	assert_true(b.total == 2 * a.total);
	free(buf);

	hist_reset(&b);
	assert_int_equal(hist_read(&b, "0 0 0 0"), 0);
	assert_true(b.total == 0);
	assert_int_equal(hist_read(&b, "2 5 7 12 5:1 7:1"), 0);
	assert_true(b.total == 2 && b.min == 5 && b.max == 7);
}

static void
damaged_lines_refused(void **state)
{
	static const char *bad[] = {
		"",
		"x",
		"1 5 5",              /* no sum */
		"2 5 5 10 5:1",       /* counts add up to 1, not 2 */
		"1 5 5 5 5:1 5:1",    /* index twice */
		"2 5 7 12 7:1 5:1",   /* out of order */
		"1 5 5 5 5;1",
		"1 5 5 5 99999999:1", /* past the end */
		"1 5 5 5 9:1",        /* outside [min, max] */
		"1 7 5 5 5:1",        /* min above max */
		"1 5 5 5 5:0",
	};

	hist_reset(&b);
	hist_record(&b, 3);
	memcpy(&c, &b, sizeof c);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (hist_read(&b, bad[i]) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_memory_equal(&b, &c, sizeof b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_hold_their_values),
		cmocka_unit_test(percentiles_within_precision),
		cmocka_unit_test(small_counts_exact),
		cmocka_unit_test(merge_equals_whole),
		cmocka_unit_test(text_round_trip),
		cmocka_unit_test(damaged_lines_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
