/*
 * conn.c - one WebSocket connection over a byte transport; see conn.h.
 *
 * Incoming bytes go straight from the transport into frame.c's decoder,
 * which checks every RFC 6455 rule and hands back headers and payload
 * slices. Data payloads are inflated when the message is compressed,
 * checked (UTF-8, --max-message) and passed to the owner as they come, so
 * memory does not grow with message size. Control frames are gathered (at
 * most 125 bytes) and answered here: PING with an identical PONG, CLOSE
 * with the same code.
 *
 * Reading: after poll() reports the descriptor readable, read until the
 * transport would block, in bursts of at most RECV_TURN bytes so the other
 * sources get their turn. A read shorter than the buffer means a plain
 * socket is empty, so no second read is made to learn that; TLS may still
 * hold decrypted bytes, which tr_pending() tells.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/rand.h>

#include "conn.h"
#include "deflate.h"
#include "display.h"
#include "frame.h"
#include "loop.h"
#include "queue.h"
#include "term.h"
#include "transport.h"
#include "exit.h"

#define RECV_BUF (256 * 1024)       /* one tr_recv() */
#define RECV_TURN (8 * 1024 * 1024) /* bytes read, or inflated, before
					   others' turn */
#define ZSLICE 4096 /* compressed payload decoded at once (DEFLATE's
		       1032:1 makes that at most about 4 MiB inflated) */
#define CLOSE_PATIENCE 12 /* close timeouts a still-sending peer gets */
#define QUEUE_KEEP (1024 * 1024) /* an empty queue keeps this much */
#define LINGER 1.0 /* seconds a server reads after failing a connection */

#define CONN_MAX_PINGS 16
#define RND_BUF 1024

struct conn_ping {
	uint8_t p[WS_MAX_CONTROL_PAYLOAD];
	size_t len;
	double at;
};

struct conn {
	/* from the config; the owner may change read_paused, compress,
	 * show_frames and close_timeout later */
	enum ws_role role;        /* WS_ROLE_CLIENT: we are the client */
	const struct conn_ops *ops;
	void *ud;                 /* the owner's */
	const char *label;        /* "" or "client 3: ", prefixed to every
				     diagnostic */
	int id;                   /* the owner's number for it */
	uint64_t max_message;     /* refuse longer messages with 1009; 0 = no
				     limit */
	const char *max_message_what; /* the limit in words, for messages;
				     NULL: "--max-message N bytes" */
	double close_timeout;     /* seconds to wait for the close reply */
	int show_frames;          /* call ops->frame */
	int compress;             /* deflate what we send (when negotiated) */
	double ping_interval;     /* send a PING this often; 0 = never */
	double ping_timeout;      /* end (exit 7) when a PONG takes longer */
	int read_paused;          /* the owner holds reading back; set
				     from inside an event, it takes effect
				     there: what was read and not yet
				     decoded waits, and a compressed
				     message is inflated no further */
	size_t queue_keep;        /* memory an empty outgoing queue keeps
				     (0: 1 MiB); many connections keep
				     less */
	int relay;                /* pass-through: nothing is answered or
				     refused here, frames go to ops->relay
				     for the owner to forward */
	const char *(*close_name)(unsigned code); /* the protocol's */
	int tolerant;             /* with relay: a violation is reported
				     and the frame passes (the decoder
				     goes on as sent) */
	void (*released)(void *ud);
	int freed;                /* conn_free() was called */
	int let_go;               /* the loop released its source */

	/* state */
	struct transport *tr;
	struct ws_decoder dec;
	struct pmd *pmd;          /* permessage-deflate, when negotiated */
	struct conn_in in;
	int in_msg;               /* a data message is being received */
	int close_sent;           /* our CLOSE is queued */
	int close_received;
	int closed_by_peer;       /* the peer's CLOSE came first */
	unsigned sent_code;       /* 1005 when we sent no code,
				     CONN_CLOSE_MALFORMED for 1 byte */
	unsigned peer_code;       /* 1005 when the peer sent no code */
	int done;                 /* ended: ops->ended was called */
	unsigned long long sent_at; /* in ops->sent: the stream position
				     (tr->bytes_out) after the message */
	int exit;                 /* wscli exit status it ended with; -1
				     until decided */
	char why[256];            /* how it ended, for people */
	struct conn_stats st;

	/* internals */
	struct source src;
	struct timer timer;       /* the nearest of the times below */
	struct queue data, ctrl;
	uint8_t *rnd;             /* mask keys from the CSPRNG (RND_BUF;
				     a client's: a server never masks) */
	size_t rnd_left;
	uint8_t *rbuf;            /* receive buffer (shared by all) */
	uint8_t cbuf[WS_MAX_CONTROL_PAYLOAD]; /* control frame so far */
	size_t clen;
	uint8_t peek[CONN_PEEK];  /* start of the incoming frame */
	size_t npeek;
	int peek_shown;           /* ops->frame called for this frame */
	struct ws_frame_header cur; /* the incoming frame */
	struct ws_utf8 utf8;      /* of the incoming text message */
	int skip_msg;             /* refused message: drop its data */
	int more;                 /* reading stopped early: do not block */
	int recv_dead;            /* no more reading (error or violation) */
	int abandon;              /* end as soon as our CLOSE is out */
	int too_big_header;       /* ... because a frame header announced a
				     message over the limit */
	int said_end;             /* ... and that was said */
	int lingering;            /* server: CLOSE out after a violation;
				     reading and dropping until the end */
	double linger_until;
	unsigned violations;      /* rules the peer broke (relay: tolerated
				     ones included) */
	int utf8_bad;             /* the incoming text was reported invalid */
	char end_after[96];       /* conn_expect_end: the protocol's goodbye
				     a dropped TCP connection follows */
	int end_came;             /* ... and it did */
	int stray;                /* the incoming frame belongs to no message */
	int cur_whole;            /* relay: it goes to the owner whole */
	int pong_ours;            /* it answers our own PING */
	uint8_t cur_raw[WS_MAX_HEADER]; /* its header as received */
	struct ws_frame_header rf; /* relay: the frame being forwarded out */
	uint64_t rf_off;          /* ... payload bytes of it queued */
	int rf_open;              /* ... its header is queued, not all of it */
	int rf_msg;               /* a forwarded message has frames out, not
				     its last */
	uint8_t rf_ctl[WS_MAX_CONTROL_PAYLOAD]; /* ... a CLOSE's payload */
	int drop_flushed;         /* end once the queues are empty */
	int drop_now;             /* ... or at once: a frame cannot end */
	double drop_deadline;
	int stop_data;            /* a CLOSE is queued: drop unsent data */
	int close_in_data;        /* our CLOSE answers the peer's and waits
				     behind the data queued before it */
	int want_out;             /* the transport took less than offered */
	int out_started;          /* an outgoing message's first piece is
				     queued, its last not yet */
	unsigned out_opcode;      /* ... its opcode */
	int out_compressed;       /* ... it is being deflated */
	unsigned out_frames;      /* ... frames queued of it */
	uint64_t out_wire;        /* ... its payload bytes on the wire so
				     far (compressed); after its end, the
				     last message's */
	uint64_t out_tag;         /* ... its tag */
	short last_revents;       /* of the last poll() */
	double next_ping;         /* --ping-interval: when */
	unsigned ping_seq;
	double close_deadline;    /* give up waiting for the reply (once the
				     peer has taken our CLOSE) */
	double close_limit;       /* give up then whatever happens; 0 = none
				     (the owner may set it after conn_close) */
	double close_taken;       /* when everything we sent, our CLOSE last,
				     had been taken by the peer; 0 = not yet */
	long close_left;          /* bytes of ours it had not taken at the
				     last look; -1 before the first */
	double close_moved;       /* when that number last fell */
	int close_fell;           /* ... it fell at least once */
	struct conn_ping *pings;  /* ours, unanswered (CONN_MAX_PINGS,
				     from the first one: most connections
				     never ping) */
	int npings;
	uint8_t *zbuf;            /* deflate output being framed */
	size_t zlen, zcap;
	uint8_t *held;            /* bytes read, not yet decoded: reading was
				     paused in the middle of a read */
	size_t nheld, hoff;       /* ... how many, how far decoded */
	size_t turn_in;           /* inflated this turn (bounds a turn) */
	uint8_t *zin;             /* inflated, not yet given to the owner
				     (PMD_CHUNK) */
	size_t nzin;
};

/* One receive buffer for every connection: bytes read are decoded before
 * the next read, whichever connection it is for. */
static uint8_t *rbuf_shared;
#define CLOSE_LOOK 0.05   /* seconds between looks at what the peer has
			     taken of our CLOSE */

static void conn_end(struct conn *c);
static void handle_close(struct conn *c, const uint8_t *p, size_t n);

static const char *
peer_name(const struct conn *c)
{
	return c->role == WS_ROLE_CLIENT ? "server" : "client";
}

/* The first thing that decides the outcome wins. */
static void
set_exit(struct conn *c, int code)
{
	if (c->exit < 0)
		c->exit = code;
}

static void
set_why(struct conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_why(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	if (c->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------- queues */

/* Room for n bytes and a frame in q; NULL ends the connection. */
static uint8_t *
reserve(struct conn *c, struct queue *q, size_t n)
{
	uint8_t *w = queue_reserve(q, n);

	/* queued from anywhere (another connection's relay, a stdin line):
	 * the loop flushes it this turn */
	loop_wake(&c->src);
	if (w == NULL) {
		diag("%sout of memory queueing %zu bytes", c->label, n);
		conn_abort(c, EXIT_ERROR, "out of memory queueing a frame");
	}
	return w;
}

/* A frame of the data queue is sent. */
static void
data_sent(void *ud, const struct queue_seg *sg, size_t after)
{
	struct conn *c = ud;

	if (!sg->msg_end)
		return;
	c->st.msgs_out++;
	/* after: bytes of this send that come after the message */
	c->sent_at = c->tr->bytes_out - after;
	if (c->ops->sent)
		c->ops->sent(c, sg->tag);
}

size_t
conn_queued(const struct conn *c)
{
	return c ? queue_len(&c->data) : 0;
}

size_t
conn_unsent_messages(const struct conn *c)
{
	return queue_messages(&c->data) + (c->out_started ? 1 : 0);
}

uint64_t
conn_first_unsent_tag(const struct conn *c)
{
	uint64_t tag;

	if (queue_first_tag(&c->data, &tag))
		return tag;
	return c->out_started ? c->out_tag : 0;
}

/* ----------------------------------------------------------- frames out */

static int
mask_key(struct conn *c, uint8_t key[4])
{
	if (c->rnd_left < 4) {
		if (c->rnd == NULL)
			c->rnd = xrealloc(NULL, RND_BUF);
		if (RAND_bytes(c->rnd, RND_BUF) != 1)
			return -1;
		c->rnd_left = RND_BUF;
	}
	memcpy(key, c->rnd + RND_BUF - c->rnd_left, 4);
	c->rnd_left -= 4;
	return 0;
}

/* Encode one frame at the tail of q; a client masks the payload as it is
 * copied. */
static int
queue_frame(struct conn *c, struct queue *q, unsigned fin, unsigned rsv,
    unsigned opcode, const uint8_t *p, size_t n, uint64_t tag, int msg_end)
{
	uint8_t key[4], *w;
	size_t h;
	int masked = c->role == WS_ROLE_CLIENT;

	if (masked && mask_key(c, key) != 0) {
		diag("%scannot get random bytes for the frame mask", c->label);
		return -1;
	}
	if ((w = reserve(c, q, WS_MAX_HEADER + n)) == NULL)
		return -1;
	h = ws_encode_header(w, fin, rsv, opcode, n, masked ? key : NULL);
	if (masked)
		ws_mask(w + h, p, n, key, 0);
	else if (n > 0)
		memcpy(w + h, p, n);
	queue_begin(q, h + n, h + n, tag, msg_end);
	c->st.frames_out++;
	if (c->show_frames && c->ops->frame) {
		struct ws_frame_header fh = {
			.fin = fin, .rsv = rsv, .opcode = opcode,
			.masked = (unsigned)masked, .length = n,
			.header_size = h,
		};

		if (masked)
			memcpy(fh.mask, key, 4);
		c->ops->frame(c, '>', &fh, p, n < CONN_PEEK ? n : CONN_PEEK);
	}
	return 0;
}

static int
zsink(void *ctx, const uint8_t *p, size_t n)
{
	struct conn *c = ctx;

	if (c->zcap - c->zlen < n) {
		size_t cap = c->zcap ? c->zcap : 64 * 1024;

		while (cap - c->zlen < n)
			cap *= 2;
		c->zbuf = xrealloc(c->zbuf, cap);
		c->zcap = cap;
	}
	memcpy(c->zbuf + c->zlen, p, n);
	c->zlen += n;
	return 0;
}

/* One frame of the outgoing message: its payload as it goes on the wire. */
static int
emit_data(struct conn *c, const uint8_t *p, size_t n, int fin, uint64_t tag)
{
	unsigned op = c->out_frames ? WS_OP_CONT : c->out_opcode;
	unsigned rsv = c->out_frames == 0 && c->out_compressed ? 4 : 0;

	if (queue_frame(c, &c->data, fin, rsv, op, p, n, tag, fin) != 0)
		return -1;
	c->out_frames++;
	c->out_wire += n;
	c->st.wire_out += n;
	if (c->out_compressed)
		c->st.zbytes_out += n;
	return 0;
}

int
conn_send_data(struct conn *c, unsigned opcode, const uint8_t *p, size_t n,
    int fin, uint64_t tag)
{
	if (c->close_sent || c->done)
		return -1;
	if (!c->out_started) {
		c->out_started = 1;
		c->out_opcode = opcode;
		c->out_compressed = c->pmd != NULL && c->compress;
		c->out_frames = 0;
		c->out_wire = 0;
	}
	c->out_tag = tag;
	c->st.bytes_out += n;
	if (c->out_compressed) {
		int rc;

		c->st.zplain_out += n;
		c->zlen = 0;
		rc = pmd_deflate(c->pmd, p, n, fin, zsink, c);
		if (rc != PMD_OK) {
			diag("%scannot compress: %s", c->label, rc ==
			    PMD_ERR_MEMORY ? "out of memory" : pmd_error(c->pmd));
			return -1;
		}
		/* zlib may hold everything back until it has more */
		if ((c->zlen > 0 || fin) &&
		    emit_data(c, c->zbuf, c->zlen, fin, tag) != 0)
			return -1;
		if (c->zcap > 1024 * 1024) { /* a large message passed */
			free(c->zbuf);
			c->zbuf = NULL;
			c->zcap = 0;
		}
	} else if (emit_data(c, p, n, fin, tag) != 0) {
		return -1;
	}
	if (fin) {
		c->out_started = 0;
		if (c->out_compressed)
			c->st.zmsgs_out++;
	}
	return 0;
}

int
conn_send_control(struct conn *c, unsigned opcode, const uint8_t *p,
    size_t n)
{
	if (c->close_sent || c->done || n > WS_MAX_CONTROL_PAYLOAD)
		return -1;
	if (opcode == WS_OP_PING)
		conn_ping_sent(c, p, n);
	return queue_frame(c, &c->ctrl, 1, 0, opcode, p, n, 0, 0);
}

void
conn_ping_sent(struct conn *c, const uint8_t *p, size_t n)
{
	if (n > WS_MAX_CONTROL_PAYLOAD)
		return;
	if (c->pings == NULL)
		c->pings = xrealloc(NULL, CONN_MAX_PINGS * sizeof *c->pings);
	if (c->npings == CONN_MAX_PINGS) { /* forget the oldest */
		memmove(c->pings, c->pings + 1,
		    (CONN_MAX_PINGS - 1) * sizeof c->pings[0]);
		c->npings--;
	}
	memcpy(c->pings[c->npings].p, p, n);
	c->pings[c->npings].len = n;
	c->pings[c->npings].at = now_sec();
	if (c->npings++ == 0)
		loop_hold_batching(1); /* its pong's time is measured */
	c->st.pings_out++;
	loop_wake(&c->src); /* its timeout is armed in prepare */
}

int
conn_send_raw(struct conn *c, const uint8_t *p, size_t n)
{
	uint8_t *w;

	if (c->done || (w = reserve(c, &c->data, n)) == NULL)
		return -1;
	memcpy(w, p, n);
	queue_begin(&c->data, n, n, 0, 0);
	return 0;
}

/* ------------------------------------------------------------- relay */

/* The frame being forwarded is all queued. */
static void
relay_frame_done(struct conn *c)
{
	unsigned op = c->rf.opcode;
	double t = now_sec();

	c->rf_open = 0;
	c->st.frames_out++;
	if (!ws_opcode_is_control(op)) {
		c->st.wire_out += c->rf.length;
		c->st.bytes_out += c->rf.length;
		c->rf_msg = !c->rf.fin;
	} else if (op == WS_OP_CLOSE && !c->close_sent) {
		size_t n = c->rf.length;

		c->close_sent = 1;
		c->sent_code = n >= 2 ? (unsigned)c->rf_ctl[0] << 8 |
		    c->rf_ctl[1] : WS_CLOSE_NO_STATUS;
		/* the wait for the reply starts once the peer has taken it,
		 * as after conn_close() */
		c->close_deadline = 0;
		c->close_limit = 0;
		c->close_taken = 0;
		c->close_left = -1;
		c->close_moved = t;
	} else if (op == WS_OP_PING) {
		c->st.pings_out++;
	}
}

int
conn_relay_begin(struct conn *c, const uint8_t *raw,
    const struct ws_frame_header *h)
{
	unsigned op = h->opcode;
	int msg_end = h->fin && !ws_opcode_is_control(op);
	uint8_t *w;

	if (c->done || c->rf_open ||
	    (w = reserve(c, &c->data, h->header_size)) == NULL)
		return -1;
	memcpy(w, raw, h->header_size);
	queue_begin(&c->data, h->header_size + h->length, h->header_size, 0,
	    msg_end);
	c->rf = *h;
	c->rf_off = 0;
	c->rf_open = 1;
	if (h->length == 0)
		relay_frame_done(c);
	return 0;
}

void
conn_relay_data(struct conn *c, const uint8_t *p, size_t n)
{
	uint8_t *w;

	if (!c->rf_open || n == 0)
		return;
	if (n > c->rf.length - c->rf_off) /* never: the caller's frame */
		n = (size_t)(c->rf.length - c->rf_off);
	if ((w = reserve(c, &c->data, n)) == NULL)
		return;
	if (c->rf.masked)
		ws_mask(w, p, n, c->rf.mask, c->rf_off);
	else
		memcpy(w, p, n);
	queue_extend(&c->data, n);
	if (c->rf.opcode == WS_OP_CLOSE && c->rf_off < sizeof c->rf_ctl) {
		size_t k = sizeof c->rf_ctl - c->rf_off < n ?
		    sizeof c->rf_ctl - (size_t)c->rf_off : n;

		memcpy(c->rf_ctl + c->rf_off, p, k);
	}
	c->rf_off += n;
	if (c->rf_off == c->rf.length)
		relay_frame_done(c);
}

void
conn_drop_when_flushed(struct conn *c, int exit, const char *why)
{
	if (c->done || c->drop_flushed)
		return;
	set_exit(c, exit);
	set_why(c, "%s", why);
	c->drop_flushed = 1;
	c->drop_now = c->rf_open;
	c->drop_deadline = now_sec() + c->close_timeout;
	loop_wake(&c->src);
}

void
conn_close_crafted(struct conn *c, unsigned code)
{
	double t = now_sec();

	if (c->close_sent || c->done)
		return;
	/* what was crafted after it still goes: that is the point */
	c->close_sent = 1;
	c->sent_code = code;
	/* the wait for the reply starts once the peer has taken it, as in
	 * conn_close() */
	c->close_deadline = 0;
	c->close_limit = 0;
	c->close_taken = 0;
	c->close_left = -1;
	c->close_moved = t;
	c->close_fell = 0;
	loop_wake(&c->src);
}

/*
 * Queue our CLOSE. When we begin the handshake it overtakes data not yet
 * begun, which is dropped. When it answers the peer's, it goes after what
 * is already queued: RFC 6455 5.5.1 lets an endpoint finish sending first,
 * and a server that echoes must not lose the echo of the message that came
 * just before the CLOSE.
 */
static int
close_frame(struct conn *c, unsigned code, const uint8_t *reason, size_t n,
    int after_data)
{
	uint8_t payload[2 + WS_MAX_CLOSE_REASON];
	long len;
	double t = now_sec();

	if (c->close_sent || c->done)
		return -1;
	len = ws_close_build(payload, code, reason, n);
	if (len < 0)
		len = ws_close_build(payload, code, NULL, 0);
	if (len < 0)
		len = 0;
	if (queue_frame(c, after_data ? &c->data : &c->ctrl, 1, 0, WS_OP_CLOSE,
	    payload, (size_t)len, 0, 0) != 0)
		return -1;
	c->close_sent = 1;
	c->close_in_data = after_data;
	c->sent_code = code ? code : WS_CLOSE_NO_STATUS;
	/* a relay may be in the middle of a frame it forwards */
	c->stop_data = !c->relay && !after_data;
	/* the wait for the reply starts once the peer has taken it */
	c->close_deadline = 0;
	c->close_limit = 0;
	c->close_taken = 0;
	c->close_left = -1;
	c->close_moved = t;
	c->close_fell = 0;
	if (c->ops->close)
		c->ops->close(c, '>', c->sent_code, payload + (len >= 2 ? 2 : 0),
		    len >= 2 ? (size_t)len - 2 : 0);
	return 0;
}

int
conn_close(struct conn *c, unsigned code, const uint8_t *reason, size_t n)
{
	return close_frame(c, code, reason, n, 0);
}

int
conn_close_after_data(struct conn *c, unsigned code, const uint8_t *reason,
    size_t n)
{
	return close_frame(c, code, reason, n, 1);
}

void
conn_fail(struct conn *c, unsigned code, int exit, const char *why)
{
	if (c->done)
		return;
	set_exit(c, exit);
	set_why(c, "%s", why);
	if (!c->close_sent) {
		/* the peer learns why, cut to fit at a character boundary */
		size_t n = strlen(why);

		if (n > WS_MAX_CLOSE_REASON) {
			n = WS_MAX_CLOSE_REASON;
			while (n > 0 && ((uint8_t)why[n] & 0xc0) == 0x80)
				n--;
		}
		conn_close(c, code, (const uint8_t *)why, n);
	}
}

void
conn_finish(struct conn *c, unsigned code, int exit, const char *why)
{
	if (c->done)
		return;
	set_exit(c, exit);
	set_why(c, "%s", why);
	if (!c->close_sent)
		close_frame(c, code, NULL, 0, 1);
}

void
conn_expect_end(struct conn *c, const char *after)
{
	if (c && !c->done)
		snprintf(c->end_after, sizeof c->end_after, "%s", after);
}

int
conn_ended_as_expected(const struct conn *c)
{
	return c->end_came;
}

void
conn_abort(struct conn *c, int exit, const char *why)
{
	if (c->done)
		return;
	set_exit(c, exit);
	set_why(c, "%s", why);
	conn_end(c);
}

/*
 * The peer broke a rule: tell it with CLOSE code, name the rule, stop
 * reading (the byte stream is out of sync) and end once the CLOSE is out.
 * A relay that tolerates violations only reports it, unless fatal says
 * nothing more can be decoded. Returns 1 when the connection is failed, 0
 * when the frame goes on.
 */
static int
vviolation(struct conn *c, unsigned code, int fatal, const char *fmt,
    va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof msg, fmt, ap);
	fatal |= !(c->relay && c->tolerant);
	c->violations++;
	if (c->ops->violation)
		c->ops->violation(c, code, msg, fatal);
	if (!fatal)
		return 0;
	if (c->ops->violation == NULL)
		diag("%sprotocol error: %s; closing with %u %s", c->label, msg,
		    code, ws_close_code_name(code));
	set_exit(c, EXIT_PROTOCOL);
	set_why(c, "protocol error: %s", msg);
	c->recv_dead = 1;
	c->abandon = 1;
	if (!c->close_sent) {
		/* the peer learns which rule: the reason, cut to fit at a
		 * character boundary */
		size_t n = strlen(msg);

		if (n > WS_MAX_CLOSE_REASON) {
			n = WS_MAX_CLOSE_REASON;
			while (n > 0 && ((uint8_t)msg[n] & 0xc0) == 0x80)
				n--;
		}
		conn_close(c, code, (const uint8_t *)msg, n);
	}
	return 1;
}

static int
violation(struct conn *c, unsigned code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
violation(struct conn *c, unsigned code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vviolation(c, code, 0, fmt, ap);
	va_end(ap);
	return r;
}

/* One after which nothing can be decoded, tolerated or not. */
static void
violation_fatal(struct conn *c, unsigned code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
violation_fatal(struct conn *c, unsigned code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vviolation(c, code, 1, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ sending */

void
conn_flush(struct conn *c)
{
	if (c->done)
		return;
	if (c->drop_now) {
		conn_end(c);
		return;
	}
	if (c->stop_data)
		queue_drop_unstarted(&c->data);
	for (;;) {
		struct queue *q;
		const uint8_t *p;
		size_t n;
		ssize_t r;

		if (queue_in_frame(&c->ctrl))
			q = &c->ctrl;
		else if (queue_in_frame(&c->data))
			q = &c->data;
		else if (queue_len(&c->ctrl) > 0)
			q = &c->ctrl;
		else if (queue_len(&c->data) > 0)
			q = &c->data;
		else
			break;
		p = queue_data(q, &n);
		if (q == &c->data && queue_len(&c->ctrl) > 0)
			n = queue_frame_rest(q); /* let it overtake */
		if (n == 0)
			break; /* a relayed frame waits for more of itself */
		r = tr_send(c->tr, p, n);
		if (r == TR_AGAIN) {
			c->want_out = 1;
			return;
		}
		if (r < 0) {
			if (!c->close_received)
				diag("%sconnection lost while sending: %s",
				    c->label, tr_error(c->tr));
			if (!c->close_received || !c->close_sent) {
				set_exit(c, EXIT_LOST);
				set_why(c, "connection lost while sending: %s",
				    tr_error(c->tr));
			}
			conn_end(c);
			return;
		}
		queue_advance(q, (size_t)r, q == &c->data ? data_sent : NULL, c);
		if ((size_t)r < n) {
			c->want_out = 1;
			return;
		}
	}
	/* all sent, or the rest waits for more of a relayed frame */
	c->want_out = 0;
	if (c->drop_flushed && queue_len(&c->data) == 0 &&
	    queue_len(&c->ctrl) == 0 && !c->rf_open) {
		conn_end(c);
		return;
	}
	/* a CLOSE out after a violation, or both CLOSEs exchanged (a relay
	 * also sends on what it has of the other side) */
	if ((c->abandon || (c->close_sent && c->close_received)) &&
	    queue_len(&c->ctrl) == 0 && !queue_in_frame(&c->data) &&
	    (!c->close_in_data || queue_len(&c->data) == 0) &&
	    (!c->relay || (queue_len(&c->data) == 0 && !c->rf_open))) {
		if (c->abandon && c->exit == EXIT_PROTOCOL)
			set_why(c, "closed after a protocol error");
		else if (c->abandon && c->too_big_header && !c->said_end) {
			/* the reply could only come after the rest of the
			 * message, which is not read: say how it ended */
			c->said_end = 1;
			info("%sclosed by wscli with %u; the %s's answer is "
			    "not awaited (it would come after the rest of the "
			    "message, which is not read)", c->label,
			    c->sent_code, peer_name(c));
		}
		/* a server closes first (RFC 6455 7.1.1), but what the
		 * client still sends is read and dropped for a moment, so
		 * that closing does not reset the connection before the
		 * client has read our CLOSE */
		if (c->abandon && c->role == WS_ROLE_SERVER && !c->lingering) {
			c->lingering = 1;
			c->linger_until = now_sec() + (c->close_timeout < LINGER ?
			    c->close_timeout : LINGER);
			shutdown(c->tr->fd, SHUT_WR);
			return;
		}
		if (!c->lingering)
			conn_end(c);
	}
}

/* ------------------------------------------------------------ incoming */

static inline void
report_frame(struct conn *c)
{
	if (c->peek_shown)
		return;
	c->peek_shown = 1;
	if (c->show_frames && c->ops->frame)
		c->ops->frame(c, '<', &c->cur, c->peek, c->npeek);
}

/*
 * The message being received is over the limit: close with 1009 and drop
 * the rest of it. announced: an uncompressed frame's header says so, before
 * its payload. The peer's CLOSE could only come after the rest of that
 * frame, up to 2^63 bytes, so the connection ends once ours is out instead
 * of waiting for a reply.
 */
static void
too_big(struct conn *c, uint64_t total, int announced)
{
	char what[128];

	if (c->max_message_what)
		snprintf(what, sizeof what, "%s", c->max_message_what);
	else
		snprintf(what, sizeof what, "--max-message %" PRIu64 " bytes",
		    c->max_message);
	diag("%smessage larger than %s (%" PRIu64 " bytes %s); %s", c->label,
	    what, total, announced ? "announced by its frame header" :
	    c->in.compressed ? "so far, inflated" : "so far", c->close_sent ?
	    "the rest of it is dropped (wscli's close is already sent)" :
	    "closing with 1009 Message Too Big");
	set_exit(c, EXIT_ERROR);
	set_why(c, "message larger than %s", what);
	conn_close(c, WS_CLOSE_TOO_BIG, NULL, 0);
	c->skip_msg = 1;
	if (announced) {
		c->recv_dead = 1;
		c->abandon = 1;
		c->too_big_header = 1;
	}
}

/* Inflated bytes go to the owner in chunks of PMD_CHUNK, however small
 * the slices of payload they came from (see feed()); what is left goes at
 * the end of each frame and of each read. */
static void
zin_flush(struct conn *c)
{
	size_t n = c->nzin;

	c->nzin = 0;
	if (n > 0 && !c->done && c->ops->message_data)
		c->ops->message_data(c, c->zin, n);
}

static void
zin_add(struct conn *c, const uint8_t *p, size_t n)
{
	if (c->nzin == 0 && n == PMD_CHUNK) {
		if (c->ops->message_data)
			c->ops->message_data(c, p, n);
		return;
	}
	if (c->zin == NULL)
		c->zin = xrealloc(NULL, PMD_CHUNK);
	while (n > 0) {
		size_t k = PMD_CHUNK - c->nzin < n ? PMD_CHUNK - c->nzin : n;

		memcpy(c->zin + c->nzin, p, k);
		c->nzin += k;
		p += k;
		n -= k;
		if (c->nzin == PMD_CHUNK)
			zin_flush(c);
	}
}

/* Inflated (or plain) payload of the data message being received. */
static int
deliver(void *ctx, const uint8_t *p, size_t n)
{
	struct conn *c = ctx;

	if (c->skip_msg || c->recv_dead)
		return 1;
	if (c->max_message && c->in.len + n > c->max_message) {
		zin_flush(c);
		too_big(c, c->in.len + n, 0);
		return 1;
	}
	if (c->in.opcode == WS_OP_TEXT && n > 0 && !c->utf8_bad &&
	    ws_utf8_feed(&c->utf8, p, n) == WS_UTF8_INVALID) {
		zin_flush(c);
		c->utf8_bad = 1;
		if (violation(c, WS_CLOSE_INVALID_DATA, "text message is not "
		    "valid UTF-8 (byte %" PRIu64 ")", c->utf8.bad_at))
			return 1;
	}
	c->in.len += n;
	c->st.bytes_in += n;
	/* a peer still sending what it owes before its CLOSE is not
	 * silent: the close timeout counts from its last frame */
	if (c->close_sent && !c->close_received && c->close_taken > 0) {
		double t = now_sec() + c->close_timeout;

		c->close_deadline = c->close_limit > 0 && t > c->close_limit ?
		    c->close_limit : t;
	}
	if (c->in.compressed) {
		c->turn_in += n;
		zin_add(c, p, n);
	} else if (n > 0 && c->ops->message_data) {
		c->ops->message_data(c, p, n);
	}
	return 0;
}

static void
inflate_piece(struct conn *c, const uint8_t *p, size_t n, int fin)
{
	int rc = pmd_inflate(c->pmd, p, n, fin, deliver, c);

	if (rc == PMD_ERR_DATA)
		violation_fatal(c, WS_CLOSE_INVALID_DATA, "compressed message is "
		    "not valid DEFLATE data for the negotiated parameters: %s",
		    pmd_error(c->pmd));
	else if (rc == PMD_ERR_MEMORY)
		conn_abort(c, EXIT_ERROR, "out of memory inflating a message");
}

static void
on_header(struct conn *c, const struct ws_event *ev)
{
	unsigned op = ev->header.opcode;

	c->cur = ev->header;
	c->npeek = 0;
	c->peek_shown = 0;
	c->st.frames_in++;
	if (ws_opcode_is_control(op)) {
		c->clen = 0;
		return;
	}
	/* RFC 6455 5.5.1: nothing may follow a CLOSE; what does is read (the
	 * stream stays in sync) but not delivered */
	if (c->close_received)
		c->skip_msg = 1;
	/* a tolerant decoder lets a continuation without a message pass */
	c->stray = op == WS_OP_CONT && !c->in_msg;
	if (c->stray)
		return;
	if (op != WS_OP_CONT) {
		c->in_msg = 1;
		c->utf8_bad = 0;
		memset(&c->in, 0, sizeof c->in);
		c->in.opcode = op;
		/* a tolerant decoder lets RSV1 through without an
		 * agreement: it means nothing then */
		c->in.compressed = c->pmd && (ev->header.rsv & 4) != 0;
		memset(&c->utf8, 0, sizeof c->utf8);
	}
	c->in.frags++;
	/* an uncompressed frame's length is the message's growth: refused
	 * at its header, not after the limit's worth of bytes arrived */
	if (!c->skip_msg && !c->in.compressed && c->max_message &&
	    ev->header.length > c->max_message - c->in.len) {
		report_frame(c); /* its payload will never be read */
		too_big(c, c->in.len + ev->header.length, 1);
		return;
	}
	if (op != WS_OP_CONT && !c->skip_msg && c->ops->message_begin)
		c->ops->message_begin(c);
}

static void
on_payload(struct conn *c, const uint8_t *p, size_t n)
{
	if (!c->peek_shown && c->npeek < CONN_PEEK) {
		size_t k = CONN_PEEK - c->npeek < n ? CONN_PEEK - c->npeek : n;

		memcpy(c->peek + c->npeek, p, k);
		c->npeek += k;
		if (c->npeek == CONN_PEEK)
			report_frame(c);
	}
	if (ws_opcode_is_control(c->cur.opcode)) {
		/* at most 125 bytes, unless a tolerant decoder let a longer
		 * one through: its start is kept */
		size_t k = sizeof c->cbuf - c->clen < n ?
		    sizeof c->cbuf - c->clen : n;

		memcpy(c->cbuf + c->clen, p, k);
		c->clen += k;
		return;
	}
	if (c->stray)
		return;
	c->in.wire += n;
	c->st.wire_in += n;
	if (c->skip_msg)
		return;
	if (c->in.compressed)
		inflate_piece(c, p, n, 0);
	else
		deliver(c, p, n);
}

/* A pong answers the oldest outstanding ping with the same payload. */
static void
handle_pong(struct conn *c, const uint8_t *p, size_t n)
{
	char note[64] = "unsolicited";
	double rtt = -1;

	for (int i = 0; i < c->npings; i++) {
		if (c->pings[i].len != n || memcmp(c->pings[i].p, p, n) != 0)
			continue;
		rtt = now_sec() - c->pings[i].at;
		c->st.rtt_last = rtt;
		c->st.rtt_sum += rtt;
		c->st.pongs_in++;
		c->pong_ours = 1;
		snprintf(note, sizeof note, "rtt %.3f ms", rtt * 1000);
		memmove(&c->pings[i], &c->pings[i + 1],
		    (size_t)(c->npings - i - 1) * sizeof c->pings[0]);
		if (--c->npings == 0)
			loop_hold_batching(-1);
		break;
	}
	if (c->ops->control)
		c->ops->control(c, '<', WS_OP_PONG, p, n, note,
		    rtt >= 0 ? rtt * 1000 : -1);
}

static void
handle_control(struct conn *c, unsigned op, const uint8_t *p, size_t n)
{
	if (op == WS_OP_CLOSE) {
		handle_close(c, p, n);
	} else if (op == WS_OP_PING && c->relay) {
		c->st.pings_in++; /* the owner forwards it; its peer answers */
	} else if (op == WS_OP_PING) {
		int answer = !c->close_sent;

		c->st.pings_in++;
		if (c->ops->control)
			c->ops->control(c, '<', WS_OP_PING, p, n, answer ?
			    "answered" : "not answered: closing", -1);
		if (answer) {
			queue_frame(c, &c->ctrl, 1, 0, WS_OP_PONG, p, n, 0, 0);
			if (c->ops->control)
				c->ops->control(c, '>', WS_OP_PONG, p, n, NULL,
				    -1);
		}
	} else if (op == WS_OP_PONG) {
		handle_pong(c, p, n);
	}
}

static void
describe_close(const struct conn *c, char *buf, size_t cap, unsigned code,
    const uint8_t *reason, size_t rlen)
{
	char r[WS_MAX_CLOSE_REASON * 12 + 8];

	if (code == WS_CLOSE_NO_STATUS) {
		snprintf(buf, cap, "no status code");
		return;
	}
	disp_escape_str(r, sizeof r, reason, rlen, DISP_QUOTE);
	snprintf(buf, cap, rlen ? "%u %s \"%s\"" : "%u %s", code,
	    conn_close_name(c, code), r);
}

static void
handle_close(struct conn *c, const uint8_t *p, size_t n)
{
	struct ws_close cl;
	char what[1024];
	int rc = ws_close_parse(p, n, &cl);

	if (rc == WS_CLOSE_ERR_BAD_CODE && violation(c,
	    WS_CLOSE_PROTOCOL_ERROR, "invalid close frame: close code %u must "
	    "not be sent", cl.code))
		return;
	if (rc != WS_CLOSE_OK && rc != WS_CLOSE_ERR_BAD_CODE && violation(c,
	    rc == WS_CLOSE_ERR_BAD_UTF8 ? WS_CLOSE_INVALID_DATA :
	    WS_CLOSE_PROTOCOL_ERROR, "invalid close frame: %s",
	    ws_close_strerror(rc)))
		return;
	if (rc != WS_CLOSE_OK && rc != WS_CLOSE_ERR_BAD_CODE) {
		/* tolerated: what could be parsed, at most */
		cl.has_code = n >= 2;
		cl.code = n >= 2 ? (unsigned)p[0] << 8 | p[1] : 0;
		cl.reason = NULL;
		cl.reason_len = 0;
	}
	if (c->close_received)
		return;
	c->close_received = 1;
	c->peer_code = cl.has_code ? cl.code : WS_CLOSE_NO_STATUS;
	describe_close(c, what, sizeof what, c->peer_code, cl.reason,
	    cl.reason_len);
	if (c->ops->close)
		c->ops->close(c, '<', c->peer_code, cl.reason, cl.reason_len);
	if (c->relay) {
		/* not answered here: the owner relays it, and the answer */
		if (!c->close_sent)
			c->closed_by_peer = 1;
		set_why(c, "closed by the %s: %s", peer_name(c), what);
	} else if (!c->close_sent) {
		c->closed_by_peer = 1;
		info("%sclosed by %s: %s; answered, close handshake complete",
		    c->label, peer_name(c), what);
		set_why(c, "closed by the %s: %s", peer_name(c), what);
		close_frame(c, cl.has_code ? cl.code : 0, NULL, 0, 1);
	} else {
		char ours[48];

		if (c->sent_code == CONN_CLOSE_MALFORMED)
			snprintf(ours, sizeof ours, "a 1-byte close payload");
		else
			snprintf(ours, sizeof ours, "%u", c->sent_code);
		info("%sclosed by wscli with %s; the %s answered %s, close "
		    "handshake complete", c->label, ours, peer_name(c), what);
		set_why(c, "closed by wscli with %s; the %s answered %s", ours,
		    peer_name(c), what);
	}
	/* a reply that echoes our own code is a clean end too */
	if (c->peer_code == WS_CLOSE_NORMAL ||
	    c->peer_code == WS_CLOSE_GOING_AWAY ||
	    c->peer_code == WS_CLOSE_NO_STATUS ||
	    (!c->closed_by_peer && c->peer_code == c->sent_code))
		set_exit(c, EXIT_OK);
	else
		set_exit(c, EXIT_CLOSED);
}

/* relay: a piece of the incoming frame for the owner. */
static void
relay_piece(struct conn *c, const uint8_t *p, size_t n, int first, int last)
{
	struct conn_piece fp = {
		.h = &c->cur, .raw = c->cur_raw, .p = p, .n = n, .first = first,
		.last = last, .ours = c->pong_ours,
	};

	if (c->ops->relay)
		c->ops->relay(c, &fp);
}

static void
on_frame_done(struct conn *c, const struct ws_event *ev)
{
	report_frame(c);
	if (ws_opcode_is_control(c->cur.opcode)) {
		c->pong_ours = 0;
		handle_control(c, c->cur.opcode, c->cbuf, c->clen);
		/* a short control frame goes to the owner whole, once its
		 * meaning is known */
		if (c->relay && c->cur_whole && !c->recv_dead && !c->done)
			relay_piece(c, c->cbuf, c->clen, 1, 1);
		c->pong_ours = 0;
		return;
	}
	if (!ev->message_done || c->stray) {
		zin_flush(c);
		return;
	}
	if (!c->skip_msg && c->in.compressed)
		inflate_piece(c, NULL, 0, 1);
	zin_flush(c);
	if (c->skip_msg || c->recv_dead) {
		c->in_msg = 0;
		return;
	}
	if (c->in.opcode == WS_OP_TEXT && c->utf8.state != 0 && !c->utf8_bad &&
	    violation(c, WS_CLOSE_INVALID_DATA, "text message ends inside a "
	    "UTF-8 sequence (byte %" PRIu64 ")", c->utf8.offset))
		return;
	c->in_msg = 0;
	c->st.msgs_in++;
	if (c->in.compressed) {
		c->st.zmsgs_in++;
		c->st.zbytes_in += c->in.wire;
		c->st.zplain_in += c->in.len;
	}
	if (c->ops->message_end)
		c->ops->message_end(c);
}

/*
 * Decode received bytes (unmasked in place) until all are, or the owner
 * paused reading from inside an event, or this turn has inflated its
 * share. Returns how many were decoded: the caller keeps the rest (hold()).
 * Compressed payload is decoded a slice at a time, so that the owner's
 * pause takes effect after a few MiB inflated at most, not after what a
 * whole read inflates to.
 */
static size_t
feed(struct conn *c, uint8_t *buf, size_t n)
{
	size_t used = 0;

	while (used < n && !c->recv_dead && !c->done) {
		struct ws_event ev;
		size_t len = n - used;
		long r;

		if (c->read_paused || c->turn_in >= RECV_TURN)
			break;
		if (c->in_msg && c->in.compressed && len > ZSLICE)
			len = ZSLICE;
		r = ws_decode(&c->dec, buf + used, len, &ev);
		if (r < 0) {
			violation(c, WS_CLOSE_PROTOCOL_ERROR, "%s",
			    ws_decode_strerror((int)r));
			used = n;
			break;
		}
		used += (size_t)r;
		if (ev.type == WS_EV_NONE) {
			if (r == 0)
				break;
			continue; /* a header cut by the slice */
		}
		if (ev.type == WS_EV_HEADER) {
			/* only a tolerant decoder gets here with one */
			if (ev.violation && violation(c, WS_CLOSE_PROTOCOL_ERROR,
			    "%s", ws_decode_strerror(ev.violation))) {
				used = n;
				break;
			}
			on_header(c, &ev);
			if (c->relay) {
				memcpy(c->cur_raw, c->dec.hdr,
				    ev.header.header_size);
				c->cur_whole = ws_opcode_is_control(
				    ev.header.opcode) && ev.header.length <=
				    WS_MAX_CONTROL_PAYLOAD;
				if (!c->cur_whole && !ev.frame_done)
					relay_piece(c, NULL, 0, 1, 0);
			}
		} else {
			on_payload(c, ev.data, ev.len);
		}
		if (ev.frame_done && !c->recv_dead && !c->done)
			on_frame_done(c, &ev);
		/* relay: each piece goes to the owner once checked, the last
		 * once the whole frame is (a text message must not end inside
		 * a character) */
		if (c->relay && !c->cur_whole && !c->recv_dead && !c->done) {
			if (ev.type == WS_EV_HEADER && ev.frame_done)
				relay_piece(c, NULL, 0, 1, 1);
			else if (ev.type == WS_EV_DATA)
				relay_piece(c, ev.data, ev.len, 0,
				    ev.frame_done);
		}
	}
	zin_flush(c);
	return used;
}

/* Keep bytes that were read but not decoded, after those already kept. */
static void
hold(struct conn *c, const uint8_t *p, size_t n)
{
	if (c->hoff > 0) {
		memmove(c->held, c->held + c->hoff, c->nheld - c->hoff);
		c->nheld -= c->hoff;
		c->hoff = 0;
	}
	c->held = xrealloc(c->held, c->nheld + n);
	memcpy(c->held + c->nheld, p, n);
	c->nheld += n;
	c->more = 1;
}

/* Decode what was kept, first. Returns 1 when nothing is left of it. */
static int
feed_held(struct conn *c)
{
	if (c->nheld == 0)
		return 1;
	c->hoff += feed(c, c->held + c->hoff, c->nheld - c->hoff);
	if (c->hoff < c->nheld && !c->done && !c->recv_dead) {
		c->more = 1;
		return 0;
	}
	free(c->held);
	c->held = NULL;
	c->nheld = c->hoff = 0;
	return 1;
}

/* The transport ended (why NULL: a clean end of stream). */
static void
transport_ended(struct conn *c, const char *why)
{
	const char *how = why ? why : c->role == WS_ROLE_CLIENT ?
	    "server closed the connection" : "client closed the connection";

	c->recv_dead = 1;
	/* the normal end after the close handshake; a relay's peer may
	 * close TCP before its CLOSE was answered (a server does, after
	 * failing the connection) */
	if (c->close_received && (c->close_sent || c->relay)) {
		conn_end(c);
		return;
	}
	if (c->end_after[0] && !c->in_msg) {
		info("%s%s after %s, the protocol's normal end (no close "
		    "frame)", c->label, how, c->end_after);
		set_exit(c, EXIT_OK);
		set_why(c, "%s after %s (no close frame)", how, c->end_after);
		c->end_came = 1;
		conn_end(c);
		return;
	}
	if (c->in_msg)
		diag("%sconnection lost in the middle of a message (1006 "
		    "Abnormal Closure): %s", c->label, how);
	else
		diag("%sconnection lost without a close frame (1006 Abnormal "
		    "Closure): %s", c->label, how);
	set_exit(c, EXIT_LOST);
	set_why(c, "connection lost without a close frame: %s", how);
	conn_end(c);
}

static void
conn_read(struct conn *c)
{
	size_t total = 0;

	c->more = 0;
	c->turn_in = 0;
	while (c->lingering && !c->done) {
		ssize_t r = tr_recv(c->tr, c->rbuf, RECV_BUF);

		if (r == TR_AGAIN)
			return;
		if (r <= 0) {
			conn_end(c);
			return;
		}
	}
	if (!feed_held(c))
		return;
	/* the owner may pause reading from inside an event */
	while (!c->done && !c->recv_dead && !c->read_paused) {
		ssize_t r;
		size_t used;

		if (total >= RECV_TURN || c->turn_in >= RECV_TURN) {
			c->more = 1;
			return;
		}
		r = tr_recv(c->tr, c->rbuf, RECV_BUF);
		if (r == TR_AGAIN)
			return;
		if (r == TR_ERROR || r == 0) {
			transport_ended(c, r == 0 ? NULL : tr_error(c->tr));
			return;
		}
		total += (size_t)r;
		used = feed(c, c->rbuf, (size_t)r);
		if (used < (size_t)r && !c->done && !c->recv_dead) {
			hold(c, c->rbuf + used, (size_t)r - used);
			return;
		}
		/* a short read emptied a plain socket */
		if ((size_t)r < RECV_BUF && !tr_pending(c->tr))
			return;
	}
}

/* ------------------------------------------------------------- timers */

/*
 * Waiting for the close reply. A peer cannot answer a CLOSE it has not
 * read, and a slow one may still be reading what was queued before it:
 * the wait counts from when the peer has taken everything we sent (the
 * kernel's unacknowledged bytes, tr_unacked(), down to 0), and until then
 * goes on as long as that number keeps falling. What was never taken is
 * reported when wscli gives up.
 */
static void
close_give_up(struct conn *c, double t)
{
	long k = tr_unacked(c->tr);
	size_t left = queue_len(&c->ctrl) + queue_len(&c->data) +
	    (k > 0 ? (size_t)k : 0);

	if (c->close_taken == 0 && left > 0 && c->close_fell &&
	    t - c->close_moved < c->close_timeout / 2) {
		/* the limit came while the peer was still reading: it is
		 * slow, not stopped */
		diag("%sno close reply from the %s within %g s: it was still "
		    "taking what wscli sent before its close; %zu bytes (the "
		    "close frame included) were not taken by then", c->label,
		    peer_name(c), c->close_timeout, left);
		set_why(c, "no close reply within %g s: %zu bytes sent were "
		    "not taken by the %s yet", c->close_timeout, left,
		    peer_name(c));
	} else if (c->close_taken == 0 && left > 0) {
		diag("%sno close reply from the %s: it stopped taking what "
		    "wscli sent; %zu bytes (the close frame included) were "
		    "never taken", c->label, peer_name(c), left);
		set_why(c, "no close reply: %zu bytes sent were never taken "
		    "by the %s", left, peer_name(c));
	} else {
		diag("%sno close reply from the %s within %g s", c->label,
		    peer_name(c), c->close_timeout);
		set_why(c, "no close reply within %g s", c->close_timeout);
	}
	set_exit(c, EXIT_TIMEOUT);
	conn_end(c);
}

static void
close_wait(struct conn *c, double t)
{
	long k;
	size_t mine;

	if (c->close_limit > 0 && t >= c->close_limit) {
		close_give_up(c, t);
		return;
	}
	if (c->close_taken > 0) {
		if (t >= c->close_deadline)
			close_give_up(c, t);
		return;
	}
	k = tr_unacked(c->tr);
	mine = queue_len(&c->ctrl) + queue_len(&c->data);
	if (mine == 0 && k <= 0) { /* taken (or no way to tell) */
		double limit = t + CLOSE_PATIENCE * c->close_timeout;

		c->close_taken = t;
		c->close_deadline = t + c->close_timeout;
		if (c->close_limit == 0 || limit < c->close_limit)
			c->close_limit = limit;
		if (c->close_deadline > c->close_limit)
			c->close_deadline = c->close_limit;
		return;
	}
	if (k < 0)
		k = 0;
	if (c->close_left >= 0 && (long)mine + k < c->close_left)
		c->close_fell = 1;
	if (c->close_left < 0 || (long)mine + k < c->close_left)
		c->close_moved = t;
	c->close_left = (long)mine + k;
	if (t - c->close_moved >= c->close_timeout)
		close_give_up(c, t);
}

static void
timers(struct conn *c, double t)
{
	if (c->done)
		return;
	if (c->lingering) {
		if (t >= c->linger_until)
			conn_end(c);
		return;
	}
	if (c->drop_flushed && t >= c->drop_deadline) {
		conn_end(c);
		return;
	}
	if (c->close_sent && !c->close_received) {
		close_wait(c, t);
		if (c->done)
			return;
	}
	if (c->ping_interval <= 0 || c->close_sent)
		return;
	if (c->ping_timeout > 0 && c->npings > 0 &&
	    t - c->pings[0].at >= c->ping_timeout) {
		static const char why[] = "no pong within --ping-timeout";

		diag("%stimed out: no pong within --ping-timeout %g s",
		    c->label, c->ping_timeout);
		/* the peer is told why before TCP goes; it is not waited for */
		set_exit(c, EXIT_TIMEOUT);
		conn_close(c, WS_CLOSE_GOING_AWAY, (const uint8_t *)why,
		    sizeof why - 1);
		conn_drop_when_flushed(c, EXIT_TIMEOUT, why);
		return;
	}
	if (c->next_ping == 0)
		c->next_ping = t + c->ping_interval;
	if (t >= c->next_ping) {
		char payload[32];
		int n = snprintf(payload, sizeof payload, "wscli %u",
		    ++c->ping_seq);

		conn_send_control(c, WS_OP_PING, (const uint8_t *)payload,
		    (size_t)n);
		if (c->ops->control)
			c->ops->control(c, '>', WS_OP_PING,
			    (const uint8_t *)payload, (size_t)n, NULL, -1);
		c->next_ping = t + c->ping_interval;
	}
}

static void
lower(double *deadline, double t)
{
	if (t > 0 && (*deadline == 0 || t < *deadline))
		*deadline = t;
}

static void
on_timer(struct timer *tm, double now)
{
	struct conn *c = tm->ud;

	timers(c, now);
	loop_wake(&c->src);
}

/*
 * Arm the timer for the nearest time timers() has something to do at.
 * A timer armed earlier stays: firing early costs one look, while moving
 * it later each turn (the close look is relative to now) could keep it
 * from ever firing on a busy connection.
 */
static void
arm(struct conn *c, double now)
{
	double t = 0;

	if (c->lingering) {
		t = c->linger_until;
	} else {
		if (c->drop_flushed)
			lower(&t, c->drop_deadline);
		if (c->close_sent && !c->close_received) {
			lower(&t, c->close_taken > 0 ? c->close_deadline :
			    now + CLOSE_LOOK);
			lower(&t, c->close_limit);
		}
		if (c->ping_interval > 0 && !c->close_sent) {
			if (c->next_ping == 0)
				c->next_ping = now + c->ping_interval;
			lower(&t, c->next_ping);
			if (c->ping_timeout > 0 && c->npings > 0)
				lower(&t, c->pings[0].at + c->ping_timeout);
		}
	}
	if (t > 0 && (!loop_timer_armed(&c->timer) || t < c->timer.at))
		loop_timer_set(&c->timer, t);
}

/* ------------------------------------------------------- loop source */

static int
src_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    int *busy)
{
	struct conn *c = s->ud;
	short ev = 0;
	int reading = (!c->recv_dead || c->lingering) && !c->read_paused;

	if (c->done || max < 1)
		return 0;
	arm(c, now);
	if (c->drop_now)
		*busy = 1;
	if (reading)
		ev |= POLLIN;
	if (c->want_out)
		ev |= POLLOUT;
	pfd[0].fd = c->tr->fd;
	pfd[0].events = tr_want(c->tr, ev);
	if (reading && (c->more || tr_pending(c->tr)))
		*busy = 1;
	return 1;
}

static void
src_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	struct conn *c = s->ud;
	short re = n > 0 ? pfd[0].revents : 0;

	if (c->done)
		return;
	c->last_revents = re;
	/* a TLS read may have waited for POLLOUT (tr_want) */
	if ((!c->recv_dead || c->lingering) && !c->read_paused &&
	    ((re & (POLLIN | POLLHUP | POLLERR)) || c->more ||
	    (re && c->tr->tls_want) || tr_pending(c->tr)))
		conn_read(c);
}

static void
src_flush(struct source *s)
{
	struct conn *c = s->ud;

	/* the socket was full: wait until poll() says it takes more */
	if (c->want_out && !(c->last_revents & (POLLOUT | POLLERR | POLLHUP)) &&
	    queue_len(&c->ctrl) == 0)
		return;
	c->last_revents = 0;
	conn_flush(c);
}

/* ------------------------------------------------------------ lifecycle */

static void
conn_end(struct conn *c)
{
	if (c->done)
		return;
	c->done = 1;
	set_exit(c, EXIT_OK);
	loop_remove(&c->src);
	loop_timer_stop(&c->timer);
	if (c->ops->ended)
		c->ops->ended(c);
}

static void
conn_gone(struct conn *c)
{
	if (c->released)
		c->released(c->ud);
	free(c);
}

static void
src_release(struct source *s)
{
	struct conn *c = s->ud;

	c->let_go = 1;
	if (c->freed)
		conn_gone(c);
}

struct conn *
conn_new(const struct conn_config *cfg, struct transport *tr,
    struct pmd *pmd)
{
	struct conn *c = xrealloc(NULL, sizeof *c);

	memset(c, 0, sizeof *c);
	c->role = cfg->role;
	c->ops = cfg->ops;
	c->ud = cfg->ud;
	c->label = cfg->label ? cfg->label : "";
	c->id = cfg->id;
	c->max_message = cfg->max_message;
	c->max_message_what = cfg->max_message_what;
	c->close_timeout = cfg->close_timeout;
	c->show_frames = cfg->show_frames;
	c->compress = cfg->compress;
	c->ping_interval = cfg->ping_interval;
	c->ping_timeout = cfg->ping_timeout;
	c->read_paused = cfg->read_paused;
	c->queue_keep = cfg->queue_keep;
	c->relay = cfg->relay;
	c->tolerant = cfg->tolerant;
	c->close_name = cfg->close_name;
	c->released = cfg->released;
	c->tr = tr;
	c->pmd = pmd;
	c->exit = -1;
	ws_decoder_init(&c->dec, c->role == WS_ROLE_CLIENT ? WS_ROLE_CLIENT :
	    WS_ROLE_SERVER);
	if (pmd) {
		c->dec.rsv_allowed = 4;
		c->dec.rsv1_per_message = 1;
	}
	c->dec.tolerant = c->relay && c->tolerant;
	queue_init(&c->data, c->queue_keep ? c->queue_keep : QUEUE_KEEP);
	queue_init(&c->ctrl, c->queue_keep ? c->queue_keep : QUEUE_KEEP);
	if (rbuf_shared == NULL)
		rbuf_shared = xrealloc(NULL, RECV_BUF);
	c->rbuf = rbuf_shared;
	c->st.opened_at = now_sec();
	c->src.prepare = src_prepare;
	c->src.dispatch = src_dispatch;
	c->src.flush = src_flush;
	c->src.release = src_release;
	c->src.ud = c;
	c->src.on_demand = 1; /* many in listen and relay modes */
	c->timer.fire = on_timer;
	c->timer.ud = c;
	loop_add(&c->src);
	return c;
}

void
conn_feed(struct conn *c, const uint8_t *p, size_t n)
{
	c->turn_in = 0;
	loop_wake(&c->src);
	while (n > 0 && !c->done && !c->recv_dead) {
		size_t k = n < RECV_BUF ? n : RECV_BUF, used;

		if (c->nheld > 0) { /* after what a pause kept */
			hold(c, p, n);
			return;
		}
		memcpy(c->rbuf, p, k);
		used = feed(c, c->rbuf, k);
		if (used < k && !c->done && !c->recv_dead)
			hold(c, c->rbuf + used, k - used);
		p += k;
		n -= k;
	}
}

void
conn_free(struct conn *c)
{
	if (c == NULL || c->freed)
		return;
	loop_timer_stop(&c->timer);
	if (!c->done)
		loop_remove(&c->src);
	c->done = 1;
	c->freed = 1;
	tr_free(c->tr);
	c->tr = NULL;
	if (c->pmd)
		pmd_free(c->pmd);
	c->pmd = NULL;
	c->rbuf = NULL; /* shared */
	free(c->zbuf);
	c->zbuf = NULL;
	free(c->held);
	c->held = NULL;
	c->nheld = c->hoff = 0;
	free(c->zin);
	c->zin = NULL;
	c->nzin = 0;
	free(c->rnd);
	c->rnd = NULL;
	c->rnd_left = 0;
	free(c->pings);
	c->pings = NULL;
	if (c->npings > 0)
		loop_hold_batching(-1);
	c->npings = 0;
	queue_free(&c->data);
	queue_free(&c->ctrl);
	/* the loop let go of it in an earlier turn */
	if (c->let_go)
		conn_gone(c);
}

struct transport *
conn_take_transport(struct conn *c)
{
	struct transport *tr = c->tr;

	c->tr = NULL;
	return tr;
}

/* ------------------------------------------------------------ accessors */

/* A connection not made yet (NULL) reads as all zero, as an owner's
 * zeroed struct did before it was opened. */
static const struct conn zero;
#define Z(c) ((c) ? (c) : &zero)

void *conn_ud(const struct conn *c) { return Z(c)->ud; }
int conn_id(const struct conn *c) { return Z(c)->id; }
const char *conn_label(const struct conn *c) { return c ? c->label : ""; }
enum ws_role conn_role(const struct conn *c) { return Z(c)->role; }
struct transport *conn_transport(const struct conn *c) { return Z(c)->tr; }
const struct pmd *conn_pmd(const struct conn *c) { return Z(c)->pmd; }
const struct conn_stats *conn_stats(const struct conn *c) { return &Z(c)->st; }
const struct conn_in *conn_in(const struct conn *c) { return &Z(c)->in; }
int conn_done(const struct conn *c) { return Z(c)->done; }
int conn_exit(const struct conn *c) { return Z(c)->exit; }
const char *conn_why(const struct conn *c) { return Z(c)->why; }
int conn_close_sent(const struct conn *c) { return Z(c)->close_sent; }
int conn_close_received(const struct conn *c) { return Z(c)->close_received; }
int conn_closed_by_peer(const struct conn *c) { return Z(c)->closed_by_peer; }
int conn_dropping(const struct conn *c) { return Z(c)->drop_flushed; }
unsigned long long conn_sent_at(const struct conn *c) { return Z(c)->sent_at; }
int conn_pinging(const struct conn *c) { return Z(c)->ping_interval > 0; }
int conn_paused(const struct conn *c) { return Z(c)->read_paused; }
uint64_t conn_out_wire(const struct conn *c) { return Z(c)->out_wire; }

const char *
conn_close_name(const struct conn *c, unsigned code)
{
	const char *name = NULL;

	if (c && c->close_name && code >= 4000 && code <= 4999)
		name = c->close_name(code);
	return name ? name : ws_close_code_name(code);
}

int
conn_sending(const struct conn *c, unsigned *opcode, int *compressed)
{
	c = Z(c);
	if (opcode)
		*opcode = c->out_opcode;
	if (compressed)
		*compressed = c->out_compressed;
	return c->out_started;
}

int
conn_compressing(const struct conn *c)
{
	c = Z(c);
	return c->out_started ? c->out_compressed : c->pmd && c->compress;
}

int
conn_relaying_frame(const struct conn *c)
{
	return Z(c)->rf_open;
}

int
conn_mid_message(const struct conn *c)
{
	c = Z(c);
	return c->rf_open || c->rf_msg || c->out_started;
}

void
conn_pause(struct conn *c, int paused)
{
	if (c == NULL)
		return;
	if (c->read_paused != paused)
		loop_wake(&c->src);
	c->read_paused = paused;
}

void
conn_set_compress(struct conn *c, int on)
{
	if (c == NULL)
		return;
	c->compress = on;
}

void
conn_set_show_frames(struct conn *c, int on)
{
	if (c == NULL)
		return;
	c->show_frames = on;
}

void
conn_set_close_timeout(struct conn *c, double secs, int hard)
{
	double limit = now_sec() + secs;

	if (c == NULL)
		return;
	c->close_timeout = secs;
	if (hard && c->close_sent && (c->close_limit == 0 ||
	    limit < c->close_limit))
		c->close_limit = limit;
	loop_wake(&c->src); /* the timer is armed in prepare */
}
