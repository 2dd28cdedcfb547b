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
 * A conn is a value made by conn_new() from one struct conn_config, its
 * insides private: the owner reads what it needs through the accessors
 * below. Listen and relay modes have many. Each registers one loop source
 * (loop.h) for its transport.
 */
#ifndef WSCLI_CONN_H
#define WSCLI_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

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
	/* Every frame as it is on the wire, when cfg->show_frames is set:
	 * header, and the first n (<= CONN_PEEK) payload bytes, unmasked
	 * (compressed payloads stay compressed). For incoming frames it comes
	 * once those bytes are in, always before the frame's message or
	 * control event. */
	void (*frame)(struct conn *c, char dir, const struct ws_frame_header *h,
	    const uint8_t *p, size_t n);
	/* A data message starts (conn_in() says its opcode, if
	 * compressed). */
	void (*message_begin)(struct conn *c);
	/* Payload bytes of it, inflated, in order. */
	void (*message_data)(struct conn *c, const uint8_t *p, size_t n);
	/* The message is complete and valid (conn_in() has its sizes). */
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
	 * conn_sent_at() is where it ends in the stream (tr->bytes_out). */
	void (*sent)(struct conn *c, uint64_t tag);
	/* The connection is over: conn_exit() and conn_why() say how.
	 * Called once; the owner may conn_free() from here. */
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

/* What a connection is to be, given once to conn_new(). Each mode builds
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
	/* The names of the close codes 4000-4999 an application protocol
	 * over c defines (NULL for one it does not), or NULL. */
	const char *(*close_name)(unsigned code);
	/* c is gone: conn_free() was called and the loop has let go of it
	 * (at the end of the turn). The owner may free what ud points to.
	 * May be NULL. */
	void (*released)(void *ud);
};


/*
 * A connection as cfg says, on transport tr (now owned by c); pmd is the
 * negotiated permessage-deflate (owned by c from now on) or NULL.
 * Registers c's loop source. Never NULL (out of memory ends wscli).
 */
struct conn *conn_new(const struct conn_config *cfg, struct transport *tr,
    struct pmd *pmd);

/* Decode bytes that arrived outside the transport's reads: those that came
 * in the same read as the upgrade head. Call after conn_new(), once the
 * owner is ready for events. */
void conn_feed(struct conn *c, const uint8_t *p, size_t n);

/* End c without events if it has not ended, and free it, the transport
 * included. The owner must not use c afterwards; its memory goes once the
 * loop has let go of it, then cfg->released is called. */
void conn_free(struct conn *c);

/* The transport, taken from a connection that has ended: its owner may
 * still watch it (the probe waits for the TCP close). NULL if none. */
struct transport *conn_take_transport(struct conn *c);

/*
 * Queue n bytes of an outgoing data message. The first call of a message
 * gives opcode WS_OP_TEXT or WS_OP_BINARY; fin ends the message, which
 * then carries tag (see ops->sent). Text must be valid UTF-8 (the caller
 * checks). Compressed when negotiated and compression is on
 * (cfg->compress, conn_set_compress()).
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

/* The same, but the CLOSE goes after the data already queued: what was
 * handed to conn_send_data() still reaches the peer. */
int conn_close_after_data(struct conn *c, unsigned code,
    const uint8_t *reason, size_t n);

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

/* The application protocol over c (proto.h) ends it: the close
 * handshake with code and why as its reason (cut to fit), and exit and
 * why decided now, whatever the handshake brings. */
void conn_fail(struct conn *c, unsigned code, int exit, const char *why);

/* The same, but the CLOSE goes after what is queued (a protocol's
 * goodbye, e.g. MQTT's DISCONNECT, must reach the peer first). */
void conn_finish(struct conn *c, unsigned code, int exit, const char *why);

/* End now without a close handshake (timeouts, interrupts): exit and a
 * reason for conn_why(). */
void conn_abort(struct conn *c, int exit, const char *why);

/* The application protocol over c ended its session (after, e.g. "the
 * client's MQTT DISCONNECT", copied): the peer may now close TCP without
 * a close frame, and if it does that is said as the protocol's normal
 * end, not as a lost connection (1006), and is no error. */
void conn_expect_end(struct conn *c, const char *after);

/* c ended so: the peer closed TCP after conn_expect_end(). */
int conn_ended_as_expected(const struct conn *c);

/* Bytes waiting in the data queue (for backpressure); 0 for NULL. */
size_t conn_queued(const struct conn *c);

/* Number of outgoing messages queued but not completely sent. */
size_t conn_unsent_messages(const struct conn *c);

/* Tag of the oldest message not completely sent (0 if none). */
uint64_t conn_first_unsent_tag(const struct conn *c);

/* Send what the queues hold, as far as the transport takes it. */
void conn_flush(struct conn *c);

/* ------------------------------------------------------------ accessors */

/* Each reads c == NULL (a connection not made yet) as all zero. */

void *conn_ud(const struct conn *c);          /* cfg->ud */
int conn_id(const struct conn *c);            /* cfg->id */
/* code's name: the application protocol's, else RFC 6455's */
const char *conn_close_name(const struct conn *c, unsigned code);
const char *conn_label(const struct conn *c); /* cfg->label, or "" */
enum ws_role conn_role(const struct conn *c);
struct transport *conn_transport(const struct conn *c);
/* The negotiated permessage-deflate, or NULL. */
const struct pmd *conn_pmd(const struct conn *c);
const struct conn_stats *conn_stats(const struct conn *c);

/* The data message being received (valid from ops->message_begin to
 * ops->message_end). */
const struct conn_in *conn_in(const struct conn *c);

/* An outgoing message has its first piece queued, not its last: 1, with
 * its opcode and whether it is being deflated (either may be NULL). */
int conn_sending(const struct conn *c, unsigned *opcode, int *compressed);

/* Payload bytes on the wire of the message being sent so far (after
 * compression), or of the last one once it has ended. */
uint64_t conn_out_wire(const struct conn *c);

/* The next message sent would be compressed, or the one being sent is. */
int conn_compressing(const struct conn *c);

/* Nonzero while a relayed frame or message is only partly forwarded
 * (conn_relay_begin/_data), or a message of ours only partly queued:
 * nothing else may be put in between. */
int conn_mid_message(const struct conn *c);

/* A relayed frame is only partly forwarded: nothing may go in between. */
int conn_relaying_frame(const struct conn *c);

/* Ended: ops->ended was called. */
int conn_done(const struct conn *c);
/* The wscli exit status it ended with; -1 until decided. */
int conn_exit(const struct conn *c);
/* How it ended, for people ("" until then). */
const char *conn_why(const struct conn *c);
/* Our CLOSE is queued (or forwarded, or crafted); the peer's came; the
 * peer's came first. */
int conn_close_sent(const struct conn *c);
int conn_close_received(const struct conn *c);
int conn_closed_by_peer(const struct conn *c);
/* Ending once the queues are flushed (conn_drop_when_flushed). */
int conn_dropping(const struct conn *c);
/* In ops->sent: where the message ends in the stream (tr->bytes_out). */
unsigned long long conn_sent_at(const struct conn *c);
/* --ping-interval is on for it. */
int conn_pinging(const struct conn *c);

/* -------------------------------------------------- what the owner sets */

/* Each does nothing with c == NULL. */

/* Hold reading back (backpressure) or let it go on. Set from inside an
 * event, it takes effect there: what was read and not yet decoded waits,
 * and a compressed message is inflated no further. */
void conn_pause(struct conn *c, int paused);
int conn_paused(const struct conn *c);
/* Deflate what is sent from the next message on (when negotiated). */
void conn_set_compress(struct conn *c, int on);
/* Call ops->frame for every frame (or stop). */
void conn_set_show_frames(struct conn *c, int on);
/* Wait secs for the close reply from now on; hard: and give up secs from
 * now whatever happens (after conn_close(), which sets no such limit). */
void conn_set_close_timeout(struct conn *c, double secs, int hard);

#endif /* WSCLI_CONN_H */
