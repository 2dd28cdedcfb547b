/*
 * test_queue.c - unit tests for queue.c: frames pushed and taken back in
 * sends of every size, the frames completed by each send reported with
 * their tags and the bytes after them, the boundary ring wrapping and
 * growing, a frame given in pieces, dropping what was not begun, and the
 * memory an empty queue keeps.
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

#include "queue.h"

#define MAXDONE 4096

/* What queue_advance() reported. */
struct log {
	size_t n;
	uint64_t tag[MAXDONE];
	size_t len[MAXDONE];
	int msg_end[MAXDONE];
	size_t after[MAXDONE];
};

static void
on_done(void *ud, const struct queue_seg *sg, size_t after)
{
	struct log *l = ud;

	assert_true(l->n < MAXDONE);
	l->tag[l->n] = sg->tag;
	l->len[l->n] = sg->len;
	l->msg_end[l->n] = sg->msg_end;
	l->after[l->n] = after;
	l->n++;
}

/* A frame of len bytes, each byte (seed + i) & 0xff. */
static void
push(struct queue *q, size_t len, uint64_t tag, int msg_end, unsigned seed)
{
	uint8_t *w = queue_reserve(q, len);

	assert_non_null(w);
	for (size_t i = 0; i < len; i++)
		w[i] = (uint8_t)(seed + i);
	queue_begin(q, len, len, tag, msg_end);
}

/* Take up to n bytes from the head, checking they are want's next
 * bytes; returns how many were taken. */
static size_t
take(struct queue *q, size_t n, const uint8_t *want, size_t *off,
    struct log *l)
{
	size_t have;
	const uint8_t *p = queue_data(q, &have);

	if (n > have)
		n = have;
	if (n == 0)
		return 0;
	assert_non_null(p);
	assert_memory_equal(p, want + *off, n);
	*off += n;
	queue_advance(q, n, on_done, l);
	return n;
}

static void
empty_queue(void **state)
{
	struct queue q;
	size_t n = 99;
	uint64_t tag = 7;
	struct log l = { 0 };

	queue_init(&q, 1024);
	assert_int_equal(queue_len(&q), 0);
	assert_int_equal(queue_frames(&q), 0);
	assert_false(queue_in_frame(&q));
	assert_int_equal(queue_frame_rest(&q), 0);
	assert_null(queue_data(&q, &n));
	assert_int_equal(n, 0);
	assert_int_equal(queue_messages(&q), 0);
	assert_false(queue_first_tag(&q, &tag));
	assert_int_equal(tag, 7);
	queue_advance(&q, 0, on_done, &l);
	assert_int_equal(l.n, 0);
	queue_drop_unstarted(&q);
	queue_free(&q);
	assert_null(q.buf);
	assert_int_equal(q.keep, 1024);
}

static void
push_and_take_whole(void **state)
{
	struct queue q;
	struct log l = { 0 };
	uint8_t want[10 + 20 + 30];
	size_t off = 0;
	uint64_t tag = 0;

	queue_init(&q, 1 << 20);
	push(&q, 10, 1, 0, 0);
	push(&q, 20, 1, 1, 10);
	push(&q, 30, 2, 1, 30);
	for (size_t i = 0; i < sizeof want; i++)
		want[i] = (uint8_t)i;
	assert_int_equal(queue_len(&q), 60);
	assert_int_equal(queue_frames(&q), 3);
	assert_int_equal(queue_messages(&q), 2);
	assert_true(queue_first_tag(&q, &tag));
	assert_int_equal(tag, 1);
	assert_int_equal(queue_frame_rest(&q), 10);

	/* one send takes everything: three frames, in order */
	assert_int_equal(take(&q, 60, want, &off, &l), 60);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.len[0], 10);
	assert_int_equal(l.after[0], 50);
	assert_int_equal(l.msg_end[0], 0);
	assert_int_equal(l.len[1], 20);
	assert_int_equal(l.after[1], 30);
	assert_int_equal(l.tag[1], 1);
	assert_int_equal(l.msg_end[1], 1);
	assert_int_equal(l.len[2], 30);
	assert_int_equal(l.after[2], 0);
	assert_int_equal(l.tag[2], 2);
	assert_int_equal(queue_len(&q), 0);
	assert_int_equal(queue_frames(&q), 0);
	queue_free(&q);
}

/*
 * Three frames taken in two sends, split at every offset, then in sends
 * of every size: every frame is reported exactly once, by the send that
 * holds its last byte, with the bytes after it in that send.
 */
static void
partial_take_every_offset(void **state)
{
	static const size_t lens[] = { 7, 1, 13 };
	size_t total = 21;
	uint8_t want[21];

	for (size_t i = 0; i < total; i++)
		want[i] = (uint8_t)(100 + i);
	for (size_t cut = 0; cut <= total; cut++) {
		struct queue q;
		struct log l = { 0 };
		size_t off = 0, end = 0, seen = 0;

		queue_init(&q, 1 << 20);
		push(&q, lens[0], 10, 1, 100);
		push(&q, lens[1], 11, 1, 107);
		push(&q, lens[2], 12, 1, 108);
		take(&q, cut, want, &off, &l);
		/* frames ending at or before cut are reported, others not */
		for (size_t i = 0; i < 3; i++) {
			end += lens[i];
			if (end <= cut) {
				assert_true(seen < l.n);
				assert_int_equal(l.tag[seen], 10 + i);
				assert_int_equal(l.after[seen], cut - end);
				seen++;
			}
		}
		assert_int_equal(l.n, seen);
		assert_int_equal(queue_in_frame(&q),
		    cut != 0 && cut != 7 && cut != 8 && cut != 21);
		assert_int_equal(queue_len(&q), total - cut);
		take(&q, total, want, &off, &l);
		assert_int_equal(l.n, 3);
		for (size_t i = 0; i < 3; i++)
			assert_int_equal(l.tag[i], 10 + i);
		assert_int_equal(off, total);
		queue_free(&q);
	}
	for (size_t step = 1; step <= total; step++) {
		struct queue q;
		struct log l = { 0 };
		size_t off = 0;

		queue_init(&q, 1 << 20);
		push(&q, lens[0], 10, 1, 100);
		push(&q, lens[1], 11, 1, 107);
		push(&q, lens[2], 12, 1, 108);
		while (queue_len(&q) > 0)
			take(&q, step, want, &off, &l);
		assert_int_equal(off, total);
		assert_int_equal(l.n, 3);
		for (size_t i = 0; i < 3; i++)
			assert_int_equal(l.tag[i], 10 + i);
		queue_free(&q);
	}
}

/* The frame at the head, partly sent, says how much of it is left: what
 * a send offers so that another queue's frame can go next. */
static void
frame_rest(void **state)
{
	struct queue q;
	struct log l = { 0 };
	uint8_t want[300];
	size_t off = 0;

	for (size_t i = 0; i < sizeof want; i++)
		want[i] = (uint8_t)i;
	queue_init(&q, 1 << 20);
	push(&q, 100, 1, 1, 0);
	push(&q, 200, 2, 1, 100);
	assert_int_equal(queue_frame_rest(&q), 100);
	take(&q, 40, want, &off, &l);
	assert_true(queue_in_frame(&q));
	assert_int_equal(queue_frame_rest(&q), 60);
	take(&q, 60, want, &off, &l);
	assert_false(queue_in_frame(&q));
	assert_int_equal(queue_frame_rest(&q), 200);
	assert_int_equal(l.n, 1);
	queue_free(&q);
}

/* Boundaries survive the ring wrapping round many times, and its
 * doubling while it has wrapped. */
static void
ring_wraps_and_grows(void **state)
{
	struct queue q;
	struct log l = { 0 };
	uint64_t next_tag = 1, want_tag = 1;

	queue_init(&q, 1 << 20);
	for (int round = 0; round < 200; round++) {
		/* keep 5..40 frames waiting, so the ring wraps and grows */
		int add = 3 + round % 7, drop = 2 + round % 5;

		for (int i = 0; i < add; i++, next_tag++)
			push(&q, 1 + next_tag % 9, next_tag, 1,
			    (unsigned)next_tag);
		for (int i = 0; i < drop && queue_len(&q) > 0; i++) {
			size_t rest = queue_frame_rest(&q), n;
			const uint8_t *p = queue_data(&q, &n);
			uint64_t tag = 0;

			assert_true(queue_first_tag(&q, &tag));
			assert_int_equal(tag, want_tag);
			assert_int_equal(rest, 1 + want_tag % 9);
			assert_int_equal(p[0], (uint8_t)want_tag);
			l.n = 0;
			queue_advance(&q, rest, on_done, &l);
			assert_int_equal(l.n, 1);
			assert_int_equal(l.tag[0], want_tag);
			want_tag++;
		}
		assert_int_equal(queue_frames(&q), next_tag - want_tag);
		assert_int_equal(queue_messages(&q), next_tag - want_tag);
	}
	assert_true(q.scap >= 16);
	queue_free(&q);
}

/* The buffer grows to hold what waits, and its content stays whole when
 * space before the head is reclaimed. */
static void
buffer_grows(void **state)
{
	struct queue q;
	struct log l = { 0 };
	size_t off = 0, total = 0;
	uint8_t *want = malloc(1 << 20);

	assert_non_null(want);
	for (size_t i = 0; i < 1 << 20; i++)
		want[i] = (uint8_t)(i * 7 + (i >> 8));
	queue_init(&q, 1 << 30);
	/* frames of growing sizes, half taken between pushes */
	for (size_t len = 1; total + len <= 1 << 20; len = len * 3 + 1) {
		uint8_t *w = queue_reserve(&q, len);

		assert_non_null(w);
		memcpy(w, want + total, len);
		queue_begin(&q, len, len, len, 1);
		total += len;
		take(&q, queue_len(&q) / 2, want, &off, &l);
	}
	assert_true(q.cap >= queue_len(&q));
	while (queue_len(&q) > 0)
		take(&q, 4097, want, &off, &l);
	assert_int_equal(off, total);
	queue_free(&q);
	free(want);
}

/* An empty queue gives back a buffer larger than keep, keeps a smaller
 * one for the next frames. */
static void
memory_kept_when_empty(void **state)
{
	struct queue q;
	struct log l = { 0 };
	size_t n;

	queue_init(&q, 64 * 1024);
	push(&q, 1000, 1, 1, 0);
	assert_non_null(q.buf);
	queue_data(&q, &n);
	queue_advance(&q, n, on_done, &l);
	assert_non_null(q.buf); /* 4 KiB: kept */
	assert_int_equal(q.head, 0);
	assert_int_equal(q.tail, 0);

	push(&q, 1 << 20, 2, 1, 0); /* a large message */
	assert_true(q.cap >= 1 << 20);
	queue_data(&q, &n);
	queue_advance(&q, n - 1, on_done, &l);
	assert_non_null(q.buf); /* not empty yet */
	queue_advance(&q, 1, on_done, &l);
	assert_null(q.buf);     /* given back */
	assert_int_equal(q.cap, 0);
	assert_int_equal(l.n, 2);

	/* a queue that keeps nothing frees its boundaries too */
	queue_free(&q);
	queue_init(&q, 0);
	push(&q, 10, 1, 1, 0);
	queue_advance(&q, 10, NULL, NULL);
	assert_null(q.buf);
	assert_null(q.segs);
	push(&q, 10, 1, 1, 0); /* and works again */
	assert_int_equal(queue_len(&q), 10);
	queue_free(&q);
}

/* A relayed frame: its header first, its payload in pieces; a send may
 * take what is there and the frame ends only with its last byte. */
static void
frame_in_pieces(void **state)
{
	struct queue q;
	struct log l = { 0 };
	uint8_t want[110];
	size_t off = 0;
	uint8_t *w;

	for (size_t i = 0; i < sizeof want; i++)
		want[i] = (uint8_t)(i ^ 0x55);
	queue_init(&q, 1 << 20);
	w = queue_reserve(&q, 10);
	memcpy(w, want, 10);
	queue_begin(&q, 110, 10, 9, 1);
	assert_int_equal(queue_len(&q), 10);
	assert_int_equal(queue_frame_rest(&q), 10);
	take(&q, 10, want, &off, &l);
	assert_int_equal(l.n, 0);
	assert_true(queue_in_frame(&q));
	assert_int_equal(queue_len(&q), 0);
	assert_int_equal(queue_frame_rest(&q), 0);
	for (int piece = 0; piece < 4; piece++) {
		w = queue_reserve(&q, 25);
		assert_non_null(w);
		memcpy(w, want + 10 + piece * 25, 25);
		queue_extend(&q, 25);
		take(&q, 25, want, &off, &l);
		assert_int_equal(l.n, piece == 3);
	}
	assert_int_equal(l.tag[0], 9);
	assert_int_equal(l.len[0], 110);
	assert_false(queue_in_frame(&q));
	queue_free(&q);
}

/* After a CLOSE, data not begun is dropped; the frame on its way is
 * finished, whole. */
static void
drop_unstarted(void **state)
{
	struct queue q;
	struct log l = { 0 };
	uint8_t want[60];
	size_t off = 0;

	for (size_t i = 0; i < sizeof want; i++)
		want[i] = (uint8_t)i;
	queue_init(&q, 1 << 20);
	push(&q, 20, 1, 1, 0);
	push(&q, 40, 2, 1, 20);
	queue_drop_unstarted(&q);
	assert_int_equal(queue_len(&q), 0);
	assert_int_equal(queue_frames(&q), 0);

	push(&q, 20, 1, 1, 0);
	push(&q, 40, 2, 1, 20);
	take(&q, 5, want, &off, &l);
	queue_drop_unstarted(&q);
	assert_int_equal(queue_len(&q), 15);
	assert_int_equal(queue_frames(&q), 1);
	assert_int_equal(queue_messages(&q), 1);
	take(&q, 100, want, &off, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.tag[0], 1);
	assert_int_equal(queue_len(&q), 0);
	/* usable afterwards */
	push(&q, 3, 3, 1, 0);
	assert_int_equal(queue_len(&q), 3);
	queue_free(&q);
}

/* done() may queue more while the queue reports: what it adds is kept,
 * and the frames after it in the same send are still reported. */
struct requeue {
	struct queue *q;
	struct log l;
};

static void
on_done_requeue(void *ud, const struct queue_seg *sg, size_t after)
{
	struct requeue *r = ud;

	on_done(&r->l, sg, after);
	if (sg->tag < 3)
		push(r->q, 5000, 100 + sg->tag, 1, 0); /* forces a move */
}

static void
done_may_push(void **state)
{
	struct queue q;
	struct requeue r = { .q = &q };
	size_t n;

	queue_init(&q, 1 << 20);
	push(&q, 3000, 1, 1, 0);
	push(&q, 100, 2, 1, 0);
	push(&q, 100, 3, 1, 0);
	queue_data(&q, &n);
	queue_advance(&q, 3100, on_done_requeue, &r);
	assert_int_equal(r.l.n, 2);
	assert_int_equal(queue_len(&q), 100 + 2 * 5000);
	assert_int_equal(queue_frames(&q), 3);
	queue_advance(&q, 100, on_done_requeue, &r);
	assert_int_equal(r.l.n, 3);
	assert_int_equal(r.l.tag[2], 3);
	queue_advance(&q, 10000, on_done_requeue, &r);
	assert_int_equal(r.l.n, 5);
	assert_int_equal(r.l.tag[3], 101);
	assert_int_equal(r.l.tag[4], 102);
	assert_int_equal(queue_len(&q), 0);
	queue_free(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_queue),
		cmocka_unit_test(push_and_take_whole),
		cmocka_unit_test(partial_take_every_offset),
		cmocka_unit_test(frame_rest),
		cmocka_unit_test(ring_wraps_and_grows),
		cmocka_unit_test(buffer_grows),
		cmocka_unit_test(memory_kept_when_empty),
		cmocka_unit_test(frame_in_pieces),
		cmocka_unit_test(drop_unstarted),
		cmocka_unit_test(done_may_push),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
