/*
 * test_loop.c - unit tests for loop.c's timers: the heap keeps the nearest
 * first whatever the order of arming, moving and stopping; a round fires
 * every due timer once, nearest first; callbacks may arm, move and stop
 * timers (their own, and ones still waiting in the same round); and
 * loop_run() wakes for a timer with no descriptor to wait on.
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

#include "loop.h"
#include "term.h"

#define N 200

static int order[4 * N]; /* ids in the order they fired */
static int nfired;

static void
record(struct timer *t, double now)
{
	(void)now;
	order[nfired++] = (int)(intptr_t)t->ud;
}

static void
init(struct timer *t, int id)
{
	memset(t, 0, sizeof *t);
	t->fire = record;
	t->ud = (void *)(intptr_t)id;
}

/* Stop every timer of v so the next test starts with an empty heap. */
static void
stop_all(struct timer *v, int n)
{
	for (int i = 0; i < n; i++)
		loop_timer_stop(&v[i]);
	assert_true(loop_timer_next() == 0);
}

/* Deterministic pseudo-random numbers (xorshift). */
static unsigned
rnd(void)
{
	static unsigned x = 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static void
empty_has_no_next(void **state)
{
	(void)state;
	assert_true(loop_timer_next() == 0);
	assert_int_equal(loop_timers_run(1e9), 0);
}

static void
fires_nearest_first(void **state)
{
	static struct timer t[N];

	(void)state;
	nfired = 0;
	for (int i = 0; i < N; i++) {
		init(&t[i], i);
		/* times N-1 .. 0 shuffled: id i fires at 1000 + perm(i) */
		assert_int_equal(loop_timer_set(&t[i], 1000 + (i * 37) % N), 0);
		assert_true(loop_timer_armed(&t[i]));
	}
	assert_true(loop_timer_next() == 1000);
	/* only what is due fires */
	assert_int_equal(loop_timers_run(999.5), 0);
	assert_int_equal(loop_timers_run(1000 + N / 2 - 1), N / 2);
	assert_true(loop_timer_next() == 1000 + N / 2);
	assert_int_equal(loop_timers_run(1e9), N - N / 2);
	for (int i = 0; i < N; i++) {
		assert_int_equal((order[i] * 37) % N, i);
		assert_false(loop_timer_armed(&t[i]));
	}
	assert_true(loop_timer_next() == 0);
}

static void
move_and_stop_keep_order(void **state)
{
	static struct timer t[N];
	double at[N];
	int live = 0;

	(void)state;
	for (int i = 0; i < N; i++) {
		init(&t[i], i);
		at[i] = 1 + rnd() % 5000;
		loop_timer_set(&t[i], at[i]);
	}
	/* move some earlier, some later, stop some, re-arm stopped ones */
	for (int k = 0; k < 4 * N; k++) {
		int i = (int)(rnd() % N);

		switch (rnd() % 3) {
		case 0:
			at[i] = 1 + rnd() % 5000;
			loop_timer_set(&t[i], at[i]);
			break;
		case 1:
			loop_timer_stop(&t[i]);
			at[i] = 0;
			break;
		default:
			loop_timer_set(&t[i], 0); /* 0 stops too */
			at[i] = 0;
			break;
		}
	}
	for (int i = 0; i < N; i++) {
		assert_int_equal(loop_timer_armed(&t[i]), at[i] > 0);
		live += at[i] > 0;
	}
	nfired = 0;
	assert_int_equal(loop_timers_run(1e9), live);
	for (int i = 1; i < live; i++)
		assert_true(at[order[i - 1]] <= at[order[i]]);
	stop_all(t, N);
}

/* Callbacks that change timers during a round. */
static struct timer a, b, c, self;

static void
stop_b(struct timer *t, double now)
{
	record(t, now);
	loop_timer_stop(&b);
}

static void
rearm_self(struct timer *t, double now)
{
	record(t, now);
	/* due already: fires in the next round, not this one */
	loop_timer_set(t, now - 1);
}

static void
move_c_later(struct timer *t, double now)
{
	record(t, now);
	loop_timer_set(&c, now + 10);
}

static void
callbacks_change_timers(void **state)
{
	(void)state;
	init(&a, 1);
	init(&b, 2);
	init(&c, 3);
	init(&self, 4);
	a.fire = stop_b;
	loop_timer_set(&a, 10);
	loop_timer_set(&b, 11);
	loop_timer_set(&c, 12);
	nfired = 0;
	/* b was due in the same round; a stopped it before its turn */
	assert_int_equal(loop_timers_run(20), 2);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 3);
	assert_false(loop_timer_armed(&b));

	self.fire = rearm_self;
	loop_timer_set(&self, 5);
	nfired = 0;
	assert_int_equal(loop_timers_run(20), 1);
	assert_true(loop_timer_armed(&self));
	assert_int_equal(loop_timers_run(20), 1);
	loop_timer_stop(&self);

	a.fire = move_c_later;
	loop_timer_set(&a, 10);
	loop_timer_set(&c, 11);
	nfired = 0;
	/* c, due in this round, moved out of it */
	assert_int_equal(loop_timers_run(20), 1);
	assert_true(loop_timer_armed(&c));
	assert_true(loop_timer_next() == 30);
	assert_int_equal(loop_timers_run(30), 1);
	assert_int_equal(order[1], 3);
	assert_true(loop_timer_next() == 0);
}

/* loop_run() with one source that polls nothing: only the timer can wake
 * it, and it must, at its time. */
static struct source src;
static struct timer stopper;
static double woke_at;

static int
idle_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    int *busy)
{
	return 0;
}

static void
idle_dispatch(struct source *s, const struct pollfd *pfd, int n,
    double now)
{
}

static void
stop_loop(struct timer *t, double now)
{
	woke_at = now;
	loop_stop();
}

static void
run_wakes_for_timer(void **state)
{
	double t0 = now_sec();

	(void)state;
	src.prepare = idle_prepare;
	src.dispatch = idle_dispatch;
	loop_add(&src);
	memset(&stopper, 0, sizeof stopper);
	stopper.fire = stop_loop;
	loop_timer_set(&stopper, t0 + 0.05);
	assert_int_equal(loop_run(), 0);
	assert_true(woke_at >= t0 + 0.05);
	assert_true(woke_at < t0 + 2);
	assert_false(loop_timer_armed(&stopper));
	loop_remove(&src);
	loop_release();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_has_no_next),
		cmocka_unit_test(fires_nearest_first),
		cmocka_unit_test(move_and_stop_keep_order),
		cmocka_unit_test(callbacks_change_timers),
		cmocka_unit_test(run_wakes_for_timer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
