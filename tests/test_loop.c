/*
 * test_loop.c - unit tests for loop.c's timers: the heap keeps the nearest
 * first whatever the order of arming, moving and stopping; a round fires
 * every due timer once, nearest first; callbacks may arm, move and stop
 * timers (their own, and ones still waiting in the same round); and
 * loop_run() wakes for a timer with no descriptor to wait on. Then the
 * on-demand sources: a turn looks only at those something happened to
 * (a descriptor ready, loop_wake()), a descriptor handed from one source
 * to another or closed and its number reused is watched for the new
 * one. Input that streams in byte by byte is read in batches, and
 * something sent ends the batching at once.
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
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

/* ------------------------------------------------------ on-demand sources */

struct od {
	struct source src;
	int fd;                    /* watched for POLLIN; -1: none */
	int prepared, dispatched, flushed;
	int bytes;                 /* read in dispatch */
	int last_turn_flushed;
};

static int turn;                   /* counted by the polled driver */

static int
od_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    int *busy)
{
	struct od *o = s->ud;

	o->prepared++;
	if (o->fd < 0)
		return 0;
	pfd[0].fd = o->fd;
	pfd[0].events = POLLIN;
	return 1;
}

static void
od_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	struct od *o = s->ud;
	char buf[64];

	o->dispatched++;
	if (n > 0 && (pfd[0].revents & POLLIN)) {
		ssize_t r = read(o->fd, buf, sizeof buf);

		if (r > 0)
			o->bytes += (int)r;
	}
}

static void
od_flush(struct source *s)
{
	struct od *o = s->ud;

	o->flushed++;
	o->last_turn_flushed = turn;
}

static void
od_init(struct od *o, int fd)
{
	memset(o, 0, sizeof *o);
	o->fd = fd;
	o->src.prepare = od_prepare;
	o->src.dispatch = od_dispatch;
	o->src.flush = od_flush;
	o->src.ud = o;
	o->src.on_demand = 1;
}

/* The polled driver: each turn it runs a step, until the step stops the
 * loop; it never blocks the loop for long (a timer per turn). */
static void (*step)(void);
static struct source driver;
static struct timer tick;

static void
on_tick(struct timer *t, double now)
{
}

static int
drv_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    int *busy)
{
	loop_timer_set(&tick, now + 0.001);
	return 0;
}

static void
drv_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	turn++;
	step();
}

static void
drive(void (*fn)(void))
{
	turn = 0;
	step = fn;
	memset(&driver, 0, sizeof driver);
	memset(&tick, 0, sizeof tick);
	tick.fire = on_tick;
	driver.prepare = drv_prepare;
	driver.dispatch = drv_dispatch;
	loop_add(&driver);
	assert_int_equal(loop_run(), 0);
	loop_timer_stop(&tick);
	loop_remove(&driver);
	loop_release();
}

#define NOD 200
#define NSTEP 50
static struct od ods[NOD];
static int peer[NOD];

/* From turn 3 on, one byte a turn to one source. */
static void
one_byte_a_turn(void)
{
	if (turn > 2 + NSTEP) {
		loop_stop();
		return;
	}
	if (turn > 2)
		assert_int_equal(write(peer[(turn * 7) % NOD], "x", 1), 1);
}

static void
only_what_happened_is_looked_at(void **state)
{
	int prepared = 0, dispatched = 0, bytes = 0;

	(void)state;
	for (int i = 0; i < NOD; i++) {
		int sv[2];

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		od_init(&ods[i], sv[0]);
		peer[i] = sv[1];
		loop_add(&ods[i].src);
	}
	drive(one_byte_a_turn);
	for (int i = 0; i < NOD; i++) {
		prepared += ods[i].prepared;
		dispatched += ods[i].dispatched;
		bytes += ods[i].bytes;
		loop_remove(&ods[i].src);
	}
	loop_release();
	assert_int_equal(bytes, NSTEP);
	/* all of them at first (added, then dispatched once), then only the
	 * one with a byte: no turn walks all of them */
	assert_true(dispatched <= NOD + NSTEP + 2);
	assert_true(prepared <= 2 * NOD + NSTEP + 2);
	for (int i = 0; i < NOD; i++) {
		close(ods[i].fd);
		close(peer[i]);
	}
}

/* loop_wake() from a timer: flushed in that turn, prepared in the next,
 * not dispatched when nothing is ready. */
static struct od w;
static struct timer waker;
static int woken_turn, prepared_before;

static void
wake_it(struct timer *t, double now)
{
	woken_turn = turn;
	prepared_before = w.prepared;
	loop_wake(&w.src);
}

static void
wake_at_turn_5(void)
{
	if (turn == 5)
		loop_timer_set(&waker, now_sec() - 1);
	if (turn == 8)
		loop_stop();
}

static void
wake_flushes_then_prepares(void **state)
{
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	od_init(&w, sv[0]);
	memset(&waker, 0, sizeof waker);
	waker.fire = wake_it;
	loop_add(&w.src);
	drive(wake_at_turn_5);
	assert_int_equal(woken_turn, 5);
	assert_int_equal(w.last_turn_flushed, 5);
	assert_int_equal(w.prepared, prepared_before + 1);
	assert_int_equal(w.dispatched, 1); /* the first turn only */
	loop_remove(&w.src);
	loop_release();
	close(sv[0]);
	close(sv[1]);
}

/* A descriptor handed from one source to the next in the same turn, and
 * one closed whose number a new descriptor takes: each new watcher gets
 * what comes. */
static struct od oa, ob;
static int ab_peer, c_peer;

static void
hand_over(void)
{
	if (turn == 3) {
		loop_remove(&oa.src);
		od_init(&ob, oa.fd);
		loop_add(&ob.src);
	} else if (turn == 5) {
		assert_int_equal(write(ab_peer, "yy", 2), 2);
	} else if (turn == 8) {
		int sv[2], old = ob.fd;

		loop_remove(&ob.src);
		close(ob.fd);
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		/* the lowest free number: the one just closed */
		assert_int_equal(sv[0] == old || sv[1] == old, 1);
		if (sv[1] == old) {
			int t = sv[0];

			sv[0] = sv[1];
			sv[1] = t;
		}
		od_init(&oa, sv[0]);
		loop_add(&oa.src);
		c_peer = sv[1];
	} else if (turn == 10) {
		assert_int_equal(write(c_peer, "zzz", 3), 3);
	} else if (turn == 13) {
		loop_stop();
	}
}

static void
descriptor_changes_hands(void **state)
{
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	od_init(&oa, sv[0]);
	ab_peer = sv[1];
	loop_add(&oa.src);
	drive(hand_over);
	assert_int_equal(ob.bytes, 2);
	assert_int_equal(oa.bytes, 3);
	loop_remove(&oa.src);
	loop_release();
	close(oa.fd);
	close(ab_peer);
	close(c_peer);
}

/* A writer sends one byte every 100 us for 0.2 s while the loop reads.
 * Woken for each, the loop would dispatch about once a byte; reading in
 * batches (loop.h), a dispatch finds the bytes of about 0.5 ms. A loaded
 * machine batches more, never less. Whether the loop batches is also
 * asked: something sent, or a hold, ends it at once. */
static struct od fl;
static int fl_peer, fl_writes;
static int fl_sending;          /* every dispatch "sends" something */
static int fl_batching;         /* dispatches with loop_batching() */
static int fl_after_send;       /* ... still batching after a send */
static int fl_under_hold;       /* 1 + batching under a hold, tried once */

static void *
flood_writer(void *arg)
{
	double end = now_sec() + 0.2;
	struct timespec ts = { 0, 100 * 1000L };

	(void)arg;
	while (now_sec() < end) {
		if (write(fl_peer, "x", 1) == 1)
			fl_writes++;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void
fl_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	od_dispatch(s, pfd, n, now);
	if (loop_batching() && ++fl_batching == 10) {
		/* once: a hold ends the batching */
		loop_hold_batching(1);
		fl_under_hold += loop_batching() + 1;
		loop_hold_batching(-1);
	}
	if (fl_sending) {
		loop_note_send();
		fl_after_send += loop_batching();
	}
}

static void
flood(int sending)
{
	int sv[2];
	pthread_t th;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	od_init(&fl, sv[0]);
	fl.src.dispatch = fl_dispatch;
	fl_peer = sv[1];
	fl_writes = fl_batching = fl_after_send = fl_under_hold = 0;
	fl_sending = sending;
	loop_add(&fl.src);
	memset(&stopper, 0, sizeof stopper);
	stopper.fire = stop_loop;
	loop_timer_set(&stopper, now_sec() + 0.25);
	assert_int_equal(pthread_create(&th, NULL, flood_writer, NULL), 0);
	assert_int_equal(loop_run(), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	loop_remove(&fl.src);
	loop_release();
	close(sv[0]);
	close(sv[1]);
	assert_int_equal(fl.bytes, fl_writes);
}

static void
streaming_input_is_read_in_batches(void **state)
{
	(void)state;
	flood(0);
	print_message("# %d bytes in %d dispatches, %d of them batching\n",
	    fl_writes, fl.dispatched, fl_batching);
	assert_true(fl_writes > 20);
	assert_true(fl.dispatched * 2 < fl_writes);
	assert_true(fl_batching > 0);
	assert_int_equal(fl_under_hold, 1);
	/* the answer to what was just sent is read as soon as it comes */
	flood(1);
	print_message("# sending: %d bytes in %d dispatches, %d batching\n",
	    fl_writes, fl.dispatched, fl_batching);
	assert_int_equal(fl_after_send, 0);
	assert_true(fl_batching <= 1); /* only before the first send */
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
		cmocka_unit_test(only_what_happened_is_looked_at),
		cmocka_unit_test(wake_flushes_then_prepares),
		cmocka_unit_test(descriptor_changes_hands),
		cmocka_unit_test(streaming_input_is_read_in_batches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
