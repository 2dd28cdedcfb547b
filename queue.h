/*
 * queue.h - an outgoing byte queue of whole encoded frames.
 *
 * Bytes wait in one contiguous buffer, [head, tail), so that a send can
 * offer all of them at once (many small frames leave in one send); a ring
 * of segments beside it remembers where each frame ends, its message's tag
 * and whether it ends a data message. Sends may take any number of bytes:
 * queue_advance() moves on and reports each frame whose last byte went.
 *
 * A frame may be declared longer than the bytes given so far (a relayed
 * frame arrives in pieces): queue_begin() with avail < len, then
 * queue_extend() as the rest comes. Bytes queued without a frame are not
 * possible: every byte belongs to the segment that covers it.
 *
 * Memory: the buffer grows to hold what is queued (from 4 KiB, or 512
 * bytes when keep is smaller, doubling);
 * once the queue is empty, a buffer larger than keep bytes is given back,
 * so a large message passing does not stay resident. No I/O, no globals;
 * allocation failures are reported, never fatal.
 */
#ifndef WSCLI_QUEUE_H
#define WSCLI_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct queue_seg {
	size_t len;          /* bytes of the frame */
	uint64_t tag;        /* the caller's, reported when it is sent */
	int msg_end;         /* the last frame of a data message */
};

struct queue {
	uint8_t *buf;
	size_t cap, head, tail;  /* [head, tail) waits to be sent */
	struct queue_seg *segs;  /* ring of frame boundaries */
	size_t scap, shead, sn;
	size_t left;             /* bytes of the frame at shead already
				    sent; 0 at a frame boundary */
	size_t keep;             /* an empty queue keeps at most this much
				    buffer */
};

/* An empty queue that keeps at most keep bytes when empty. Allocates
 * nothing. */
void queue_init(struct queue *q, size_t keep);

/* Free the memory; q is empty and reusable afterwards (same keep). */
void queue_free(struct queue *q);

/* Bytes waiting to be sent. */
size_t queue_len(const struct queue *q);

/* Frames waiting (the one partly sent included). */
size_t queue_frames(const struct queue *q);

/* Nonzero while the frame at the head is partly sent: nothing may
 * overtake it. */
int queue_in_frame(const struct queue *q);

/* Bytes of the frame at the head not yet sent and already queued: a
 * send that stops at the next frame boundary offers this many. 0 when
 * the queue is empty. */
size_t queue_frame_rest(const struct queue *q);

/* The bytes waiting: *n of them at the returned address (NULL, 0 when
 * empty). Valid until the next call that adds to q. */
const uint8_t *queue_data(const struct queue *q, size_t *n);

/*
 * Room for n more bytes at the tail and for one more frame. Returns where
 * to write them (the caller then calls queue_begin() or queue_extend()),
 * or NULL when memory is short: q is unchanged.
 */
uint8_t *queue_reserve(struct queue *q, size_t n);

/* A new frame of len bytes, the first avail of which the caller wrote at
 * the tail (after queue_reserve(q, >= avail)). */
void queue_begin(struct queue *q, size_t len, size_t avail, uint64_t tag,
    int msg_end);

/* n more bytes of the last frame were written at the tail (after
 * queue_reserve(q, >= n)). */
void queue_extend(struct queue *q, size_t n);

/*
 * n bytes from the head were sent. For every frame whose last byte is
 * among them, in order, done(ud, seg, after) is called, after being the
 * bytes of those n that follow that frame (may be NULL). When the queue
 * becomes empty, memory over keep is freed.
 */
void queue_advance(struct queue *q, size_t n,
    void (*done)(void *ud, const struct queue_seg *sg, size_t after),
    void *ud);

/* Drop every frame not begun: the one partly sent stays, whole. */
void queue_drop_unstarted(struct queue *q);

/* Frames waiting that end a data message. */
size_t queue_messages(const struct queue *q);

/* The tag of the first waiting frame that ends a message: 1 and *tag
 * set, or 0 when none does. */
int queue_first_tag(const struct queue *q, uint64_t *tag);

#endif /* WSCLI_QUEUE_H */
