/*
 * queue.c - an outgoing byte queue of whole encoded frames; see queue.h.
 *
 * The bytes are one flat buffer rather than a ring so that a send always
 * sees everything waiting as one run: the space before head is reclaimed
 * by moving the waiting bytes down when the tail needs room, which costs
 * a copy of what is waiting only when that is smaller than what was sent.
 * The frame boundaries are a ring that doubles when full.
 */
#include <stdlib.h>
#include <string.h>

#include "queue.h"

#define BUF_MIN 4096 /* at first */
#define BUF_SMALL 512 /* ... when the queue keeps less: listen mode has
			 many queues, most of them idle or with small
			 messages */
#define SEGS_MIN 16

void
queue_init(struct queue *q, size_t keep)
{
	memset(q, 0, sizeof *q);
	q->keep = keep;
}

void
queue_free(struct queue *q)
{
	size_t keep = q->keep;

	free(q->buf);
	free(q->segs);
	queue_init(q, keep);
}

size_t
queue_len(const struct queue *q)
{
	return q->tail - q->head;
}

size_t
queue_frames(const struct queue *q)
{
	return q->sn;
}

int
queue_in_frame(const struct queue *q)
{
	return q->left > 0;
}

size_t
queue_frame_rest(const struct queue *q)
{
	size_t rest;

	if (q->sn == 0)
		return 0;
	rest = q->segs[q->shead].len - q->left;
	return rest < queue_len(q) ? rest : queue_len(q);
}

const uint8_t *
queue_data(const struct queue *q, size_t *n)
{
	*n = queue_len(q);
	return *n ? q->buf + q->head : NULL;
}

static int
segs_room(struct queue *q)
{
	struct queue_seg *v;
	size_t cap;

	if (q->sn < q->scap)
		return 0;
	cap = q->scap ? q->scap * 2 : SEGS_MIN;
	if (cap > SIZE_MAX / sizeof *v)
		return -1;
	if ((v = malloc(cap * sizeof *v)) == NULL)
		return -1;
	/* unrolled, so that the ring starts at 0 again */
	for (size_t i = 0; i < q->sn; i++)
		v[i] = q->segs[(q->shead + i) % q->scap];
	free(q->segs);
	q->segs = v;
	q->scap = cap;
	q->shead = 0;
	return 0;
}

uint8_t *
queue_reserve(struct queue *q, size_t n)
{
	if (segs_room(q) != 0)
		return NULL;
	if (q->cap - q->tail >= n)
		return q->buf + q->tail;
	if (q->head > 0) {
		memmove(q->buf, q->buf + q->head, q->tail - q->head);
		q->tail -= q->head;
		q->head = 0;
	}
	if (q->cap - q->tail < n) {
		size_t cap = q->cap ? q->cap : q->keep < BUF_MIN ? BUF_SMALL :
		    BUF_MIN;
		uint8_t *b;

		if (n > SIZE_MAX / 2 - q->tail)
			return NULL;
		while (cap - q->tail < n)
			cap *= 2;
		if ((b = realloc(q->buf, cap)) == NULL)
			return NULL;
		q->buf = b;
		q->cap = cap;
	}
	return q->buf + q->tail;
}

void
queue_begin(struct queue *q, size_t len, size_t avail, uint64_t tag,
    int msg_end)
{
	struct queue_seg *sg = &q->segs[(q->shead + q->sn) % q->scap];

	sg->len = len;
	sg->tag = tag;
	sg->msg_end = msg_end;
	q->sn++;
	q->tail += avail;
}

void
queue_extend(struct queue *q, size_t n)
{
	q->tail += n;
}

/* Empty: give back what a large message made grow. */
static void
shrink(struct queue *q)
{
	q->head = q->tail = 0;
	if (q->cap > q->keep) {
		free(q->buf);
		q->buf = NULL;
		q->cap = 0;
	}
	if (q->sn == 0 && q->scap * sizeof *q->segs > q->keep / 4) {
		free(q->segs);
		q->segs = NULL;
		q->scap = q->shead = 0;
	}
}

void
queue_advance(struct queue *q, size_t n,
    void (*done)(void *ud, const struct queue_seg *sg, size_t after),
    void *ud)
{
	q->head += n;
	while (n > 0 && q->sn > 0) {
		struct queue_seg sg = q->segs[q->shead];
		size_t rest = sg.len - q->left, k = n < rest ? n : rest;

		q->left += k;
		n -= k;
		if (q->left < sg.len)
			break;
		q->left = 0;
		q->shead = (q->shead + 1) % q->scap;
		q->sn--;
		/* a copy: done may add to q */
		if (done)
			done(ud, &sg, n);
	}
	if (q->head == q->tail)
		shrink(q);
}

void
queue_drop_unstarted(struct queue *q)
{
	size_t keep = 0, bytes = 0;

	if (q->sn == 0)
		return;
	if (q->left > 0) { /* the frame on its way goes out whole */
		keep = 1;
		bytes = q->segs[q->shead].len - q->left;
		if (bytes > queue_len(q))
			bytes = queue_len(q);
	}
	q->sn = keep;
	q->tail = q->head + bytes;
	if (q->head == q->tail)
		shrink(q);
}

size_t
queue_messages(const struct queue *q)
{
	size_t n = 0;

	for (size_t i = 0; i < q->sn; i++)
		n += q->segs[(q->shead + i) % q->scap].msg_end != 0;
	return n;
}

int
queue_first_tag(const struct queue *q, uint64_t *tag)
{
	for (size_t i = 0; i < q->sn; i++) {
		const struct queue_seg *sg = &q->segs[(q->shead + i) % q->scap];

		if (sg->msg_end) {
			*tag = sg->tag;
			return 1;
		}
	}
	return 0;
}
