/*
 * conn.h - one WebSocket connection over a byte transport, for either role.
 *
 * A struct conn starts where the HTTP upgrade ended: the client or server
 * code that did the upgrade hands over the transport and whatever bytes
 * came after the head. From there conn.c owns the protocol: decoding and
 * checking every incoming byte (frame.c), inflating and deflating
 * (deflate.c), reassembling messages, answering pings, the close
 * handshake and its timeouts, and the outgoing queues. What to show and
 * what to do with messages is the owner's: conn.c reports events through
 * the callbacks in struct conn_ops.
 *
 * Outgoing frames sit in two byte queues as whole encoded frames: data and
 * control. A control frame overtakes data at the next frame boundary, so a
 * PONG never waits behind a large message. Many small frames leave in one
 * send.
 *
 * A conn is a value: listen and relay modes have many. Each registers one
 * loop source (loop.h) for its transport.
 */
#ifndef WSCLI_CONN_H
#define WSCLI_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "loop.h"
#include "queue.h"

struct transport;
struct pmd;
struct pmd_agreed;
struct conn;

#define CONN_PEEK 48 /* payload bytes of a frame shown by --frames */

/* relay mode: a piece of a frame as it was received (see ops->relay). */
struct conn_piece {
	const struct ws_frame_header *h; /* its header */
	const uint8_t *raw;       /* first: the header's bytes as they were on
				     the wire (h->header_size) */
	const uint8_t *p;         /* payload bytes, unmasked */
	size_t n;
	int first, last;          /* the frame's first piece (no payload
				     unless it is whole) and its last */
	int ours;                 /* a PONG answering wscli's own PING: not
				     the other side's business */
};

/* Events for the owner. Any may be NULL. dir is '<' for what the peer
 * sent, '>' for what we sent. */
struct conn_ops {
	/* Every frame as it is on the wire, when c->show_frames is set:
	 * header, and the first n (<= CONN_PEEK) payload bytes, unmasked
	 * (compressed payloads stay compressed). For incoming frames it comes
	 * once those bytes are in, always before the frame's message or
	 * control event. */
	void (*frame)(struct conn *c, char dir, const struct ws_frame_header *h,
	    const uint8_t *p, size_t n);
	/* A data message starts (c->in says its opcode, if compressed). */
	void (*message_begin)(struct conn *c);
	/* Payload bytes of it, inflated, in order. */
	void (*message_data)(struct conn *c, const uint8_t *p, size_t n);
	/* The message is complete and valid (c->in has its sizes). */
	void (*message_end)(struct conn *c);
	/* A PING or PONG, received ('<') or sent by conn.c itself ('>': the
	 * automatic PONG). note: "answered", "rtt 0.31 ms", "unsolicited",
	 * or NULL; rtt_ms >= 0 for a pong that answers our ping. */
	void (*control)(struct conn *c, char dir, unsigned opcode,
	    const uint8_t *p, size_t n, const char *note, double rtt_ms);
	/* A CLOSE received ('<', already checked) or sent ('>'). */
	void (*close)(struct conn *c, char dir, unsigned code,
	    const uint8_t *reason, size_t n);
	/* The last frame of a message queued with this tag has been sent;
	 * c->sent_at is where it ends in the stream (tr->bytes_out). */
	void (*sent)(struct conn *c, uint64_t tag);
	/* The connection is over: c->exit and c->why say how. Called once;
	 * the owner may conn_free() from here. */
	void (*ended)(struct conn *c);
	/* relay mode: every incoming frame, in pieces, to be forwarded as it
	 * came (conn_relay_begin/_data). Data frames and control frames
	 * longer than 125 bytes (which only a tolerant decoder lets pass)
	 * come as they arrive, their message events alongside; other control
	 * frames come in one piece when complete. */
	void (*relay)(struct conn *c, const struct conn_piece *fp);
	/* A rule the peer broke (relay mode), before the frame that breaks
	 * it is passed on: code is the close code it calls for; fatal: the
	 * connection is failed with it (not tolerant, or nothing more can
	 * be decoded), else the frame goes on as it came. */
	void (*violation)(struct conn *c, unsigned code, const char *what,
	    int fatal);
};

struct conn_stats {
	uint64_t msgs_out, bytes_out; /* data messages and payload bytes sent
					 (before compression) */
	uint64_t msgs_in, bytes_in;   /* received (after inflating) */
	uint64_t wire_out, wire_in;   /* data payload bytes on the wire */
	uint64_t zmsgs_out, zmsgs_in; /* of those messages, compressed */
	uint64_t zbytes_out, zbytes_in; /* payload of compressed messages: on
					   the wire */
	uint64_t zplain_out, zplain_in; /* ... and uncompressed */
	uint64_t frames_out, frames_in;
	uint64_t pings_out, pongs_in, pings_in;
	double rtt_last, rtt_sum;     /* seconds */
	double opened_at;             /* now_sec() */
};

/* The data message being received. */
struct conn_in {
	unsigned opcode;     /* WS_OP_TEXT or WS_OP_BINARY */
	int compressed;      /* RSV1 on its first frame */
	uint64_t len;        /* payload bytes so far (inflated) */
	uint64_t wire;       /* payload bytes on the wire so far */
	unsigned frags;      /* frames */
};

#define CONN_MAX_PINGS 16

/* What a connection is to be, given once to conn_init(). Each mode builds
 * it from its options in one place; zero is the default of every field. */
struct conn_config {
	enum ws_role role;        /* WS_ROLE_CLIENT: we are the client */
	const struct conn_ops *ops; /* required */
	void *ud;                 /* the owner's */
	const char *label;        /* "" (NULL) or "client 3: ", prefixed to
				     every diagnostic; must outlive c */
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
	int read_paused;          /* start with reading held back */
	size_t queue_keep;        /* memory an empty outgoing queue keeps
				     (0: 1 MiB); many connections keep
				     less */
	int relay;                /* pass-through: nothing is answered or
				     refused here, frames go to ops->relay
				     for the owner to forward */
	int tolerant;             /* with relay: a violation is reported
				     and the frame passes (the decoder
				     goes on as sent) */
	/* The loop no longer holds c (after conn_free(), at the end of the
	 * turn): the owner may free the memory holding it. May be NULL. */
	void (*released)(struct conn *c);
};

struct conn {
	/* from the config (conn_init); the owner may change read_paused,
	 * compress, show_frames and close_timeout later */
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
	int tolerant;             /* with relay: a violation is reported
				     and the frame passes (the decoder
				     goes on as sent) */
	void (*released)(struct conn *c);

	/* state, read-only for the owner */
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
	uint8_t rnd[1024];        /* mask keys from the CSPRNG */
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
	int lingering;            /* server: CLOSE out after a violation;
				     reading and dropping until the end */
	double linger_until;
	unsigned violations;      /* rules the peer broke (relay: tolerated
				     ones included) */
	int utf8_bad;             /* the incoming text was reported invalid */
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
	struct { uint8_t p[WS_MAX_CONTROL_PAYLOAD]; size_t len;
	    double at; } pings[CONN_MAX_PINGS]; /* ours, unanswered */
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

/*
 * Start a connection as cfg says in the caller's memory c (every field is
 * set here), on transport tr (now owned by c); pmd is the negotiated
 * permessage-deflate (owned by c from now on) or NULL. Registers c's loop
 * source. Returns 0.
 */
int conn_init(struct conn *c, const struct conn_config *cfg,
    struct transport *tr, struct pmd *pmd);

/* Decode bytes that arrived outside the transport's reads: those that came
 * in the same read as the upgrade head. Call after conn_init(), once the
 * owner is ready for events. */
void conn_feed(struct conn *c, const uint8_t *p, size_t n);

/* Free everything, the transport included; unregisters the source. The
 * memory holding c may be reused once cfg->released was called. */
void conn_free(struct conn *c);

/*
 * Queue n bytes of an outgoing data message. The first call of a message
 * gives opcode WS_OP_TEXT or WS_OP_BINARY; fin ends the message, which
 * then carries tag (see ops->sent). Text must be valid UTF-8 (the caller
 * checks). Compressed when negotiated and c->compress is set.
 * Returns 0, or -1 if a CLOSE was already queued.
 */
int conn_send_data(struct conn *c, unsigned opcode, const uint8_t *p,
    size_t n, int fin, uint64_t tag);

/* Queue a PING (tracked for its round trip) or PONG of at most 125
 * bytes. Returns 0, or -1 if closing. */
int conn_send_control(struct conn *c, unsigned opcode, const uint8_t *p,
    size_t n);

/*
 * Start the close handshake: CLOSE with code (0: no code) and reason
 * (checked by the caller with ws_close_build's rules; an invalid one is
 * dropped). Data not yet begun is dropped. Returns 0, or -1 if a CLOSE
 * was already sent.
 */
int conn_close(struct conn *c, unsigned code, const uint8_t *reason,
    size_t n);

/* Queue bytes exactly as given, outside any frame accounting: crafted
 * frames. Returns 0 or -1. */
int conn_send_raw(struct conn *c, const uint8_t *p, size_t n);

/*
 * relay mode: forward a frame exactly as another connection received it:
 * first its header (raw, h->header_size bytes as they were on the wire),
 * then all h->length bytes of its payload, unmasked, in pieces; a masked
 * frame is masked again with its own key, so the bytes on the wire are
 * the ones received. A CLOSE forwarded counts as ours (close_sent, the
 * close timeout). Returns 0, or -1 if the connection is over or a frame
 * is already being forwarded.
 */
int conn_relay_begin(struct conn *c, const uint8_t *raw,
    const struct ws_frame_header *h);
void conn_relay_data(struct conn *c, const uint8_t *p, size_t n);

/* The other end of a relay is gone: end without a close handshake once
 * what is queued has been sent (at once if a forwarded frame cannot be
 * completed any more; after close_timeout at most). */
void conn_drop_when_flushed(struct conn *c, int exit, const char *why);

/* A PING with payload p went out in crafted bytes: the PONG that answers
 * it is matched (round trip, not "unsolicited") as for conn_send_control(). */
void conn_ping_sent(struct conn *c, const uint8_t *p, size_t n);

/* sent_code of a crafted CLOSE whose payload is 1 byte: no code at all */
#define CONN_CLOSE_MALFORMED 0x10000u

/* A CLOSE with code (1005: none; CONN_CLOSE_MALFORMED) went out in
 * crafted bytes: wait for the
 * reply as after conn_close(), and do not answer the peer's CLOSE again.
 * Crafted bytes queued later still go. */
void conn_close_crafted(struct conn *c, unsigned code);

/* End now without a close handshake (timeouts, interrupts): exit and a
 * reason for c->why. */
void conn_abort(struct conn *c, int exit, const char *why);

/* Bytes waiting in the data queue (for backpressure). */
size_t conn_queued(const struct conn *c);

/* Number of outgoing messages queued but not completely sent. */
size_t conn_unsent_messages(const struct conn *c);

/* Tag of the oldest message not completely sent (0 if none). */
uint64_t conn_first_unsent_tag(const struct conn *c);

/* Send what the queues hold, as far as the transport takes it. */
void conn_flush(struct conn *c);

#endif /* WSCLI_CONN_H */
