/*
 * clientmode.c - client mode: a connection to the URL, fed by stdin
 * (scripted lines, or the REPL) and shown through show.c; with
 * --reconnect, a connection again each time one is lost.
 *
 * The session is loop sources: the dialer (dial.c) until an upgrade is
 * done, then the connection (conn.c), and the session's own: the signal
 * pipe, stdin, and the session's timers (--timeout, -w, the next
 * reconnection). In scripted mode each stdin line is one message; stdin
 * is read only while less than QUEUE_LOW bytes wait to be sent, so a slow
 * server slows wscli down instead of growing its memory.
 *
 * Reconnecting. A connection that ends is a value to be thrown away: its
 * queue goes with it. So with --reconnect every stdin message is kept (the
 * "kept" FIFO below) until the server has taken it: the connection has
 * sent it (ops->sent) and the server's TCP has acknowledged its last byte
 * (tr_wire_out() - tr_unacked()). A new connection starts with the --send
 * and --on-connect messages, then the kept ones, in order, before stdin is
 * read again; so a message is sent again only if the server never took
 * it. While there is no connection stdin is not read at all: lines wait
 * where they are. The session's own decision to close (--until, -n, a
 * signal, /quit; the end of input once every line was taken) ends it for
 * good.
 *
 * Under --proto a stdin line is kept as it was read, not as the message
 * the protocol made of it, and the messages made of it carry its number
 * as their tag. A new connection gives the protocol, once it is ready
 * (the server's CONNECT answer, connection_ack, CONNECTED, CONNACK), the
 * --send and --on-connect messages, then the kept lines, each as a line
 * of stdin: so a GraphQL subscription has a fresh id and goes after the
 * acknowledgement. Only --frame frames go as soon as the connection is
 * up. A line whose effect lasts and was still going when the connection
 * was lost (a GraphQL subscription not completed) is given again too,
 * though the server took it: the new connection has none of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/rand.h>

#include "dial.h"
#include "conn.h"
#include "craft.h"
#include "deflate.h"
#include "display.h"
#include "frame.h"
#include "linesplit.h"
#include "loop.h"
#include "opening.h"
#include "output.h"
#include "proto.h"
#include "repl.h"
#include "run.h"
#include "clientmode.h"
#include "show.h"
#include "term.h"
#include "view.h"
#include "transport.h"
#include "exit.h"
#include "opts.h"

#define STDIN_BUF (256 * 1024)  /* one read() of stdin or of a file */
#define QUEUE_LOW (256 * 1024)  /* read stdin only below this */
#define UNREAD_MAX (64 << 20)   /* bytes of stdin read at the end to count
				   the lines never sent */
#define GONE_CLOSE_TIMEOUT 1.0  /* seconds for the close once stdout's
				   reader is gone */
#define KEEP_MAX (16 << 20)     /* --reconnect: longest message kept to be
				   sent again */
#define RECONNECT_CAP 30.0      /* seconds: the longest wait between
				   attempts (unless --reconnect-delay is
				   longer) */
#define RECONNECT_RESET 60.0    /* a connection this long resets the count
				   of attempts */
#define REPLY_WAIT 1.0          /* seconds: at the end of input, how long
				   answers still due are waited for (without
				   -w) since the last message either way */

#define TYPED_MAX 100           /* messages typed between connections kept
				   for the next one */
#define SLOW_CONNECT 0.5        /* seconds: a first connect at a terminal
				   that takes longer is announced */

/* A message typed at the REPL between connections. */
struct typed {
	unsigned opcode;
	size_t len;
	uint8_t p[];
};

/* A stdin message kept until a connection has sent it (--reconnect). */
struct kept_msg {
	uint64_t tag;              /* its stdin line */
	size_t len;                /* bytes kept (in K.buf, in order) */
	unsigned opcode;
	int complete;              /* its end was read */
	int dropped;               /* longer than KEEP_MAX: not kept */
	long long end_at;          /* where its last byte is in the stream
				      (tr_wire_out()) once sent; 0 before */
};

static struct {
	struct dial *dial;         /* while connecting */
	struct conn *c;            /* the connection, or NULL between them */
	struct proto_conn *pc;     /* its application protocol; NULL: raw */
	int was_up;                /* a connection was made (and the REPL
				      started) */
	struct show_msg m;
	const uint8_t *close_reason; /* session_close()'s, for close_all() */
	size_t close_reason_len;
	int input_closed;          /* input ended and the connection was
				      closed for it: the end, unless lines
				      were not taken */
	int input_ending;          /* ... or the protocol was asked whether
				      anything is due, and may close */

	/* stdin (scripted mode) */
	uint8_t *ibuf;
	size_t ilen;
	uint64_t lineno;           /* lines started so far */
	struct linesplit split;
	int line_open;             /* fragments of the current line queued */
	int line_skip;             /* current line is invalid: drop it */
	uint64_t line_size;        /* --jsonl: bytes of the line so far */
	unsigned line_frags;       /* --jsonl: fragments of it */
	struct ws_utf8 line_utf8;
	int stdin_eof, stdin_error;
	uint64_t skipped;          /* lines refused (invalid UTF-8) */
	uint64_t lost;             /* lines that could not be sent again */
	uint64_t unsent_opening;   /* --send/--on-connect messages after a
				      crafted close (or refused by --proto
				      auto's protocol): never sent */
	uint64_t proto_line_len;   /* --proto: bytes of the line so far */
	int feeding;               /* --proto: the opening and the kept
				      lines are still to be given to the
				      protocol, stdin waits */
	size_t feed_next;          /* ... the next opening message */
	uint64_t feed_tag;         /* ... the last kept line given */

	/* /file */
	int file_fd;               /* -1 when none */
	uint64_t file_size, file_sent;
	int file_text;
	double file_progress_at;
	unsigned file_progress_pct;

	uint64_t received;         /* messages, over every connection (-n) */
	struct timer wait;         /* -w, or answers due, after end of input */
	int wait_started, wait_over;
	double last_in_at;         /* the last message received */
	int got_message;           /* ... one came in this turn */
	int dialing_quiet;         /* --jsonl: the dial's errors go in one
				      event */
	struct craft_walk crafted; /* the server's view of crafted bytes */

	/* connecting and reconnecting */
	struct dial_params dp;
	const char *hdrs[256];
	const char *offers[MAX_PROTOCOLS + 8]; /* -s, then --proto's */
	char url[2048];            /* --proto's default path */
	long attempts;             /* reconnection attempts since the last
				      long-lived connection */
	long failed;               /* ... since the last connection made:
				      the wait before the next */
	struct timer retry;        /* the next attempt */
	struct timer slow;         /* a first connect at a terminal that
				      takes long says so */
	struct typed **typed;      /* typed meanwhile, for the next one */
	size_t ntyped;
	int last_exit;             /* of the last connection or attempt */
	unsigned failures;         /* operations the server failed, over
				      the connections ended */
	int bye;                   /* the run ends by /quit or Ctrl-D */
	char last_why[512];
} S;

/* The stdin messages the server has not taken: a ring of entries, and
 * with --reconnect their bytes in one FIFO. */
static struct {
	struct kept_msg *m;
	size_t head, n, cap;
	size_t nsent;              /* entries from head that were sent */
	uint8_t *buf;
	size_t bhead, btail, bcap;
} K;

/* --proto --reconnect: the stdin lines whose effect lasts on the
 * connection (a GraphQL subscription not completed), given again to the
 * protocol on the next one, before the lines it did not take. */
static struct {
	struct lasting {
		uint64_t tag;              /* its stdin line */
		size_t len;
		uint8_t *p;
	} *v;
	size_t n, cap;
	size_t pruned;             /* how many were left the last time */
	size_t next;               /* feeding: the next to give */
} L;

static void connect_now(void);

/* Connected, and not yet closing. */
static int
connected(void)
{
	return S.c != NULL && !conn_done(S.c);
}

/* Between connections, a new one planned or being dialed. */
static int
reconnecting(void)
{
	return S.c == NULL && S.was_up && (loop_timer_armed(&S.retry) ||
	    S.dial != NULL);
}

/* --------------------------------------------------------------- ending */

/* The run's: connections not over. */
static int
count(void)
{
	return S.c != NULL && !conn_done(S.c);
}

/* The run's: end now. */
static void
abort_all(int exit, const char *why)
{
	loop_timer_stop(&S.retry);
	loop_timer_stop(&S.wait);
	loop_timer_stop(&S.slow);
	if (S.dial) {
		dial_cancel(S.dial);
		S.dial = NULL;
	}
	if (S.c && !conn_done(S.c))
		conn_abort(S.c, exit, why);
}

/* The run's: close the way every ordinary end does; between connections,
 * or with our close already on its way, stop now. */
static void
close_all(unsigned code, int exit)
{
	const char *who = run_ended_by();

	if (connected() && !conn_close_sent(S.c)) {
		/* the user's end (/quit, Ctrl-D, a signal): the
		 * protocol's goodbye (STOMP's DISCONNECT, MQTT's) as at the
		 * end of input; it closes once that is answered */
		int bye = S.bye || (who && !strncmp(who, "SIG", 3));

		switch (bye ? proto_bye(S.pc) : 0) {
		case PROTO_BYE_CLOSES:
			return;
		case PROTO_BYE_SAID:
			conn_close_after_data(S.c, code, S.close_reason,
			    S.close_reason_len);
			return;
		}
		conn_close(S.c, code, S.close_reason, S.close_reason_len);
		return;
	}
	if (who && !strncmp(who, "SIG", 3))
		diag("interrupted");
	run_end_now(S.c == NULL && S.last_exit >= 0 ? S.last_exit :
	    EXIT_ERROR, who ? who : "interrupted");
}

/* The session closes the connection (code, reason) for who: the end,
 * whatever --reconnect says. */
static int
session_close(unsigned code, const uint8_t *reason, size_t n, int exit,
    const char *who)
{
	if (!connected() || conn_close_sent(S.c))
		return -1;
	S.close_reason = reason;
	S.close_reason_len = n;
	run_end_all(code, exit, who);
	S.close_reason = NULL;
	S.close_reason_len = 0;
	return 0;
}

/* The run's: SIGINT at the REPL clears the line while there is a
 * connection to go on with. */
static int
interruptible(void)
{
	return S.was_up && (reconnecting() || (connected() &&
	    !conn_close_sent(S.c)));
}

static void
input_end(void)
{
	S.stdin_eof = 1;
}

/* ------------------------------------------------------ kept messages */

/* A piece of stdin message tag, as queued; fin ends it. */
static void
keep_piece(uint64_t tag, unsigned opcode, const uint8_t *p, size_t len,
    int fin)
{
	struct kept_msg *k = K.n ? &K.m[(K.head + K.n - 1) % K.cap] : NULL;

	if (k == NULL || k->complete || k->tag != tag) {
		if (K.n == K.cap) {
			size_t cap = K.cap ? K.cap * 2 : 256;
			struct kept_msg *v = xrealloc(NULL, cap * sizeof *v);

			for (size_t i = 0; i < K.n; i++)
				v[i] = K.m[(K.head + i) % K.cap];
			free(K.m);
			K.m = v;
			K.cap = cap;
			K.head = 0;
		}
		k = &K.m[(K.head + K.n++) % K.cap];
		memset(k, 0, sizeof *k);
		k->tag = tag;
		k->opcode = opcode;
	}
	k->complete = fin;
	if (k->dropped || !opt.reconnect) /* without it, only counted */
		return;
	if (k->len + len > KEEP_MAX) {
		/* it is the newest: its bytes are the last ones */
		K.btail -= k->len;
		k->len = 0;
		k->dropped = 1;
		return;
	}
	if (K.bcap - K.btail < len) {
		if (K.bhead > 0) {
			memmove(K.buf, K.buf + K.bhead, K.btail - K.bhead);
			K.btail -= K.bhead;
			K.bhead = 0;
		}
		if (K.bcap - K.btail < len) {
			size_t cap = K.bcap ? K.bcap : 64 * 1024;

			while (cap - K.btail < len)
				cap *= 2;
			K.buf = xrealloc(K.buf, cap);
			K.bcap = cap;
		}
	}
	if (len > 0)
		memcpy(K.buf + K.btail, p, len);
	K.btail += len;
	k->len += len;
}

/* The newest entry, line tag, sent nothing after all (refused, or an
 * empty line under --proto): forget it. */
static void
keep_forget(uint64_t tag)
{
	struct kept_msg *k;

	if (K.n == 0 || K.nsent == K.n)
		return;
	k = &K.m[(K.head + K.n - 1) % K.cap];
	if (k->tag != tag)
		return;
	K.btail -= k->len;
	if (--K.n == 0)
		K.bhead = K.btail = 0;
}

static void
keep_pop(void)
{
	K.bhead += K.m[K.head].len;
	K.head = (K.head + 1) % K.cap;
	if (K.nsent > 0)
		K.nsent--;
	if (--K.n == 0)
		K.bhead = K.btail = 0;
}

/* The connection has sent every message up to tag: note where it ends on
 * the socket, or forget it if the socket cannot say. */
static void
keep_sent(struct conn *c, uint64_t tag)
{
	long long at = tr_wire_pos(conn_transport(c), conn_sent_at(c));

	while (K.nsent < K.n) {
		struct kept_msg *k = &K.m[(K.head + K.nsent) % K.cap];

		if (!k->complete || k->tag > tag)
			break;
		k->end_at = at > 0 ? at : -1;
		K.nsent++;
	}
	while (K.n > 0 && K.m[K.head].end_at < 0)
		keep_pop();
}

/* Forget the messages the server's TCP has acknowledged whole. */
static void
keep_taken(struct conn *c)
{
	long long w = tr_wire_out(conn_transport(c));
	long u = tr_unacked(conn_transport(c));

	/* cannot tell: count what was sent as taken */
	while (K.n > 0 && K.m[K.head].end_at > 0 &&
	    (w < 0 || u < 0 || K.m[K.head].end_at <= w - u))
		keep_pop();
}

/* A new connection: say which kept messages cannot be sent again (too
 * long to have been kept), forget them, and mark the others unsent.
 * Returns how many are left, the first in *first. */
static uint64_t
keep_restart(uint64_t *first)
{
	size_t n = K.n;

	for (size_t i = 0; i < n; i++) {
		struct kept_msg *k = &K.m[(K.head + i) % K.cap];

		if (!k->dropped)
			continue;
		diag("stdin line %" PRIu64 " was on its way when the "
		    "connection ended and is too long (over %d MiB) to be "
		    "sent again; skipped", k->tag, KEEP_MAX >> 20);
		S.lost++;
		if (!k->complete) { /* the rest of it is dropped too */
			S.line_skip = 1;
			S.line_open = 0;
		}
	}
	/* the skipped ones are gone for good (they hold no bytes) */
	K.n = 0;
	K.nsent = 0;
	for (size_t i = 0; i < n; i++) {
		struct kept_msg k = K.m[(K.head + i) % K.cap];

		if (!k.dropped) {
			k.end_at = 0;
			K.m[(K.head + K.n++) % K.cap] = k;
		}
	}
	*first = K.n ? K.m[K.head].tag : 0;
	return K.n;
}

static void
keep_say_again(uint64_t count, uint64_t first)
{
	if (count > 0)
		info("sending again %" PRIu64 " message%s the server did not "
		    "take (from stdin line %" PRIu64 " on)", count, count == 1 ?
		    "" : "s", first);
}

/* A new connection: queue what the last one did not send, in order. */
static void
keep_resend(void)
{
	uint64_t first, count = keep_restart(&first);
	size_t off = K.bhead;

	for (size_t i = 0; i < K.n; i++) {
		struct kept_msg *k = &K.m[(K.head + i) % K.cap];

		conn_send_data(S.c, k->opcode, K.buf + off, k->len,
		    k->complete, k->tag);
		off += k->len;
	}
	keep_say_again(count, first);
}

/* Forget the lasting lines that no longer go on; with also_kept, those
 * kept as not taken too (they go again as such). */
static void
lasting_prune(int also_kept)
{
	size_t k = 0;

	for (size_t i = 0; i < L.n; i++) {
		int keep = proto_running(S.pc, L.v[i].tag);

		for (size_t j = 0; keep && also_kept && j < K.n; j++)
			if (K.m[(K.head + j) % K.cap].tag == L.v[i].tag)
				keep = 0;
		if (keep)
			L.v[k++] = L.v[i];
		else
			free(L.v[i].p);
	}
	L.n = L.pruned = k;
}

/* Line tag (p[0..n)) was just given to the protocol: keep it if what it
 * started lasts, and is not kept already. */
static void
lasting_note(uint64_t tag, const uint8_t *p, size_t n)
{
	if (!opt.reconnect || !proto_running(S.pc, tag))
		return;
	for (size_t i = 0; i < L.n; i++)
		if (L.v[i].tag == tag)
			return;
	if (L.n >= 2 * L.pruned + 16)
		lasting_prune(0);
	if (L.n == L.cap) {
		L.cap = L.cap ? 2 * L.cap : 16;
		L.v = xrealloc(L.v, L.cap * sizeof *L.v);
	}
	L.v[L.n].tag = tag;
	L.v[L.n].len = n;
	L.v[L.n].p = xrealloc(NULL, n ? n : 1);
	memcpy(L.v[L.n].p, p, n);
	L.n++;
}

/* --proto: give the protocol the next kept line after S.feed_tag, as a
 * line of stdin. Returns 1 if there was a whole one, 0 when none is left
 * (the one whose end was not read yet is begun: stdin goes on with it). */
static int
keep_feed_one(void)
{
	size_t off = K.bhead;
	char what[48];

	for (size_t i = 0; i < K.n; i++) {
		struct kept_msg *k = &K.m[(K.head + i) % K.cap];

		if (k->tag <= S.feed_tag) {
			off += k->len;
			continue;
		}
		S.feed_tag = k->tag;
		if (!k->complete) {
			proto_line_piece(S.pc, k->tag, K.buf + off, k->len, 0);
			return 0;
		}
		snprintf(what, sizeof what, "line %" PRIu64, k->tag);
		if (proto_line(S.pc, what, k->tag, K.buf + off, k->len) != 0)
			S.skipped++;
		else
			lasting_note(k->tag, K.buf + off, k->len);
		return 1;
	}
	return 0;
}

/* -------------------------------------------------------------- stdin */

/* Queue a piece of the current stdin message; fin ends the message. */
static void
queue_piece(const uint8_t *p, size_t len, int fin)
{
	unsigned op = opt.binary ? WS_OP_BINARY : WS_OP_TEXT;

	if (conn_send_data(S.c, op, p, len, fin, S.lineno) != 0) {
		S.stdin_eof = 1;
		return;
	}
	keep_piece(S.lineno, op, p, len, fin);
	S.line_size = S.line_open ? S.line_size + len : len;
	/* a line in several pieces reaches --record whole at its end */
	if (S.line_open || !fin)
		show_message_piece_out(S.c, op, p, len, fin);
	if (fin)
		show_message_out(S.c, op, S.line_open ? NULL : p, len,
		    S.line_size, S.line_frags + 1);
	S.line_frags = fin ? 0 : S.line_frags + 1;
	S.line_open = !fin;
}

/* A piece of stdin line S.lineno; fin if the line ended. Text is checked
 * before anything of it leaves, so a bad line is refused, not half-sent. */
static void
stdin_piece(const uint8_t *p, size_t len, int fin)
{
	if (!S.line_open && !S.line_skip)
		memset(&S.line_utf8, 0, sizeof S.line_utf8);
	if (!S.line_skip && !opt.binary) {
		int r = ws_utf8_feed(&S.line_utf8, p, len);

		if (r == WS_UTF8_INVALID || (fin && r != WS_UTF8_OK)) {
			uint64_t at = r == WS_UTF8_INVALID ?
			    S.line_utf8.bad_at : S.line_utf8.offset;

			char where[48];

			/* with --no-split stdin is one message, not lines */
			if (opt.no_split)
				snprintf(where, sizeof where, "standard input");
			else
				snprintf(where, sizeof where, "line %" PRIu64,
				    S.lineno);
			if (S.line_open) {
				diag("%s: not valid UTF-8 at byte %" PRIu64 ", "
				    "after part of it was sent; closing", where,
				    at + 1);
				S.stdin_eof = 1;
				session_close(WS_CLOSE_NORMAL, NULL, 0,
				    EXIT_ERROR, "invalid UTF-8 on stdin");
				return;
			}
			diag("%s: not valid UTF-8 at byte %" PRIu64 "; not "
			    "sent", where, at + 1);
			S.skipped++;
			S.line_skip = 1;
		}
	}
	if (!S.line_skip)
		queue_piece(p, len, fin);
	if (fin)
		S.line_skip = 0;
}

static void
on_line_piece(void *ctx, uint64_t lineno, const uint8_t *p, size_t len,
    int fin)
{
	(void)ctx;
	S.lineno = lineno;
	stdin_piece(p, len, fin);
}

/* --proto: a line means what the protocol says (an event, an operation);
 * it is kept as it was read until the server took what it became. */
static void
on_proto_line_piece(void *ctx, uint64_t lineno, const uint8_t *p, size_t len,
    int fin)
{
	int rc;

	(void)ctx;
	if (lineno != S.lineno)
		S.proto_line_len = 0;
	S.lineno = lineno;
	if (S.line_skip) { /* the rest of a line that was lost */
		S.line_skip = !fin;
		return;
	}
	S.proto_line_len += len;
	keep_piece(lineno, WS_OP_TEXT, p, len, fin);
	rc = proto_line_piece(S.pc, lineno, p, len, fin);
	if (rc != 0)
		S.skipped++;
	if (fin && (rc != 0 || S.proto_line_len == 0))
		keep_forget(lineno);
	else if (fin && opt.reconnect && K.n > 0 &&
	    K.m[(K.head + K.n - 1) % K.cap].tag == lineno) {
		struct kept_msg *k = &K.m[(K.head + K.n - 1) % K.cap];

		lasting_note(lineno, K.buf + K.btail - k->len, k->len);
	}
}

/*
 * Pass the lines read to the splitter. A protocol takes them one at a
 * time while it is ready for the next: one read may bring many lines, and
 * with --ack each must wait for the ack of the one before, so the rest
 * waits here and client_dispatch() hands it on.
 */
static void
stdin_split(void)
{
	size_t off = 0, used;

	S.split.nul = opt.null_sep; /* -0: NUL ends a message */
	if (S.pc == NULL) {
		off = linesplit_feed(&S.split, S.ibuf, S.ilen, STDIN_BUF,
		    S.stdin_eof, on_line_piece, NULL);
	}
	while (S.pc != NULL && !S.feeding && proto_ready(S.pc) &&
	    !conn_close_sent(S.c)) {
		const uint8_t *nl = memchr(S.ibuf + off, opt.null_sep ? '\0' :
		    '\n', S.ilen - off);
		size_t len = nl ? (size_t)(nl - S.ibuf) + 1 - off :
		    S.ilen - off;

		/* a line not ended yet is completed by the next read,
		 * unless it fills the buffer: then it goes in pieces */
		if (nl == NULL && !S.stdin_eof && !(off == 0 &&
		    S.ilen == STDIN_BUF))
			break;
		used = linesplit_feed(&S.split, S.ibuf + off, len,
		    STDIN_BUF - off, nl ? 0 : S.stdin_eof,
		    on_proto_line_piece, NULL);
		off += used;
		if (nl == NULL || used == 0)
			break;
	}
	S.ilen -= off;
	memmove(S.ibuf, S.ibuf + off, S.ilen);
}

static void
stdin_read(void)
{
	ssize_t r = read(STDIN_FILENO, S.ibuf + S.ilen, STDIN_BUF - S.ilen);

	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		diag("cannot read stdin: %s", strerror(errno));
		S.stdin_error = 1;
		r = 0;
	}
	if (r == 0)
		S.stdin_eof = 1;
	S.ilen += (size_t)r;
	if (opt.no_split) {
		if (!S.line_open && !S.line_skip && S.lineno == 0)
			S.lineno = 1;
		if (S.ilen > 0 || S.stdin_eof)
			stdin_piece(S.ibuf, S.ilen, S.stdin_eof);
		S.ilen = 0;
	} else {
		stdin_split();
	}
}

/* --------------------------------------------------------------- /file */

static void
file_done(const char *why)
{
	if (why)
		diag("/file: %s; the message was not completed", why);
	close(S.file_fd);
	S.file_fd = -1;
}

/* Queue the next piece of the file being sent, as the queue allows. */
static void
file_pump(void)
{
	while (S.file_fd >= 0 && !conn_close_sent(S.c) &&
	    conn_queued(S.c) < QUEUE_LOW) {
		ssize_t r = read(S.file_fd, S.ibuf, STDIN_BUF);
		int fin;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			file_done(strerror(errno));
			session_close(WS_CLOSE_NORMAL, NULL, 0, -1, "/file");
			return;
		}
		S.file_sent += (uint64_t)r;
		fin = r == 0 || S.file_sent >= S.file_size;
		if (conn_send_data(S.c, S.file_text ? WS_OP_TEXT : WS_OP_BINARY,
		    S.ibuf, (size_t)r, fin, 0) != 0) {
			file_done("the connection is closing");
			return;
		}
		show_message_piece_out(S.c, S.file_text ? WS_OP_TEXT :
		    WS_OP_BINARY, S.ibuf, (size_t)r, fin);
		if (S.file_size >= 1024 * 1024) {
			unsigned pct = (unsigned)(S.file_sent * 100 /
			    S.file_size);
			double t = now_sec();

			if (fin || (pct >= S.file_progress_pct + 10 &&
			    t - S.file_progress_at >= 0.25)) {
				char msg[128];

				snprintf(msg, sizeof msg, "/file: %u%% (%.1f of "
				    "%.1f MiB)", pct, S.file_sent / 1048576.0,
				    S.file_size / 1048576.0);
				view_info(msg);
				S.file_progress_pct = pct;
				S.file_progress_at = t;
			}
		}
		if (fin) {
			file_done(NULL);
			return;
		}
	}
}

/* ------------------------------------------------------- REPL actions */

static int
can_send(const char **why)
{
	if (!connected()) {
		*why = reconnecting() ? "not connected (reconnecting)" :
		    "not connected";
		return 0;
	}
	if (conn_close_sent(S.c)) {
		*why = "the connection is closing";
		return 0;
	}
	return 1;
}

/* Typed between connections: kept for the next one, as scripted mode
 * keeps its lines, within TYPED_MAX messages. */
static int
typed_keep(unsigned opcode, const uint8_t *p, size_t n, const char **why)
{
	struct typed *t;
	char msg[96];

	if (S.ntyped >= TYPED_MAX) {
		*why = "not connected (reconnecting), and 100 typed messages "
		    "already wait for the connection";
		return -1;
	}
	t = xrealloc(NULL, sizeof *t + n);
	t->opcode = opcode;
	t->len = n;
	memcpy(t->p, p, n);
	S.typed = xrealloc(S.typed, (S.ntyped + 1) * sizeof *S.typed);
	S.typed[S.ntyped++] = t;
	snprintf(msg, sizeof msg, "not connected: kept, to be sent once "
	    "reconnected (%zu waiting)", S.ntyped);
	view_info(msg);
	return 0;
}

/* A new connection: what was typed meanwhile, in order. */
static void
typed_send(void)
{
	for (size_t i = 0; i < S.ntyped; i++) {
		if (conn_send_data(S.c, S.typed[i]->opcode, S.typed[i]->p,
		    S.typed[i]->len, 1, 0) == 0)
			show_message_out(S.c, S.typed[i]->opcode, S.typed[i]->p,
			    S.typed[i]->len, S.typed[i]->len, 1);
		free(S.typed[i]);
	}
	if (S.ntyped > 0)
		view_infof("sent %zu message%s typed while reconnecting",
		    S.ntyped, S.ntyped == 1 ? "" : "s");
	S.ntyped = 0;
}

static int
repl_send_message(unsigned opcode, const uint8_t *p, size_t n,
    const char **why)
{
	if (reconnecting())
		return typed_keep(opcode, p, n, why);
	if (!can_send(why))
		return -1;
	if (S.file_fd >= 0) {
		*why = "a file is being sent";
		return -1;
	}
	if (conn_send_data(S.c, opcode, p, n, 1, 0) != 0) {
		*why = "the connection is closing";
		return -1;
	}
	proto_typed(S.pc, opcode, p, n);
	show_message_out(S.c, opcode, p, n, n, 1);
	return 0;
}

static int
repl_send_control(unsigned opcode, const uint8_t *p, size_t n,
    const char **why)
{
	if (!can_send(why))
		return -1;
	if (conn_send_control(S.c, opcode, p, n) != 0)
		return -1;
	show_control_out(S.c, opcode, p, n);
	return 0;
}

/* Crafted bytes: wscli's own checks are off for them, and a CLOSE among
 * them counts as ours. */
static int
send_crafted(const uint8_t *p, size_t n, const char **why)
{
	long code;

	if (!connected()) {
		*why = reconnecting() ? "not connected (reconnecting)" :
		    "not connected";
		return -1;
	}
	conn_send_raw(S.c, p, n);
	if (show_crafted(S.c, &S.crafted, p, n, &code))
		conn_close_crafted(S.c, (unsigned)code);
	return 0;
}

static int
repl_close(unsigned code, const char *reason, const char **why)
{
	if (!connected()) {
		*why = reconnecting() ? "not connected (reconnecting; /quit "
		    "stops trying)" : "not connected";
		return -1;
	}
	if (session_close(code, (const uint8_t *)reason,
	    reason ? strlen(reason) : 0, -1, "/close") != 0) {
		*why = "a close frame was already sent";
		return -1;
	}
	return 0;
}

static int
repl_send_file(int fd, uint64_t size, int text, const char **why)
{
	if (!can_send(why)) {
		close(fd);
		return -1;
	}
	if (S.file_fd >= 0) {
		*why = "a file is already being sent";
		close(fd);
		return -1;
	}
	S.file_fd = fd;
	S.file_size = size;
	S.file_sent = 0;
	S.file_text = text;
	S.file_progress_at = now_sec();
	S.file_progress_pct = 0;
	return 0;
}

static struct conn *
repl_target(void)
{
	return S.c;
}

static void
repl_settings(void)
{
	if (S.c) {
		conn_set_show_frames(S.c, view.frames);
		conn_set_compress(S.c, opt.compress);
	}
}

/* /quit, Ctrl-D: close; between connections, stop trying. */
static void
repl_quit(void)
{
	const char *why;

	if (reconnecting()) {
		run_end_now(S.last_exit, "stopped reconnecting");
	} else if (connected() && !conn_close_sent(S.c)) {
		S.bye = 1;
		session_close(WS_CLOSE_NORMAL, NULL, 0, -1, "/quit");
		S.bye = 0;
	} else {
		repl_close(WS_CLOSE_NORMAL, NULL, &why);
	}
}

static int
repl_command(const char *name, const char *arg)
{
	const char *why;

	if (S.pc == NULL && proto_has_command(name) && !can_send(&why)) {
		proto_reply(1, "/%s: %s", name, why);
		return 0;
	}
	return proto_command(S.pc, name, arg);
}

static struct repl_ops client_repl = {
	.command = repl_command,
	.quit = repl_quit,
	.send_message = repl_send_message,
	.send_control = repl_send_control,
	.send_raw = send_crafted,
	.close = repl_close,
	.send_file = repl_send_file,
	.target = repl_target,
	.settings = repl_settings,
};

/* --proto: a new connection gives the protocol, once it is ready, the
 * opening's messages, then the stdin lines the last connection did not
 * get to the server, then what was typed meanwhile; stdin waits. */
static void
proto_feed(void)
{
	char what[1100];
	const uint8_t *m;
	size_t n;

	while (S.feeding && connected() && !conn_close_sent(S.c) &&
	    proto_ready(S.pc)) {
		if (S.feed_next < opening_messages()) {
			m = opening_message(S.feed_next++, &n, what,
			    sizeof what);
			if (proto_line(S.pc, what, 0, m, n) != 0)
				S.unsent_opening++;
			continue;
		}
		if (L.next < L.n) {
			struct lasting *l = &L.v[L.next++];

			snprintf(what, sizeof what, "line %" PRIu64, l->tag);
			if (proto_line(S.pc, what, l->tag, l->p, l->len) != 0)
				S.skipped++;
			continue;
		}
		if (keep_feed_one())
			continue;
		S.feeding = 0;
		typed_send();
	}
}

/* ------------------------------------------------ connection events */

/* Nothing is shown after the -n-th message, nor after the one that
 * matched --until. */
static int
shown(void)
{
	return !(opt.count && (long)S.received >= opt.count) &&
	    !run_until_matched();
}

static void
ev_message_begin(struct conn *c)
{
	show_message_begin(c, &S.m, shown());
}

static void
ev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	show_message_data(c, &S.m, p, n);
}

static void
ev_message_end(struct conn *c)
{
	int was_shown = shown();

	S.received++;
	S.got_message = 1; /* the time is taken once a turn, in dispatch */
	show_message_end(c, &S.m, was_shown);
	if (run_until_wanted() && conn_in(c)->opcode == WS_OP_TEXT &&
	    !conn_close_sent(c)) {
		S.m.buf[S.m.len] = '\0'; /* the buffer has a spare byte */
		if (run_until_match("", (char *)S.m.buf))
			session_close(WS_CLOSE_NORMAL, NULL, 0, EXIT_OK,
			    "--until");
	}
	if (opt.count && (long)S.received >= opt.count && !conn_close_sent(c))
		session_close(WS_CLOSE_NORMAL, NULL, 0, EXIT_OK, "-n");
	/* an answer came: the wait for answers due starts again */
	if (S.wait_started && opt.wait <= 0)
		S.wait_started = 0;
}

static void
ev_sent(struct conn *c, uint64_t tag)
{
	if (tag > 0)
		keep_sent(c, tag);
}

static void plan_reconnect(const char *why, int exit);

/* Is this ending one to reconnect after? NULL if not, else why. */
static const char *
reconnect_why(const struct conn *c)
{
	if (!opt.reconnect || run_ending())
		return NULL;
	/* the end of input closed it: done, unless lines were not taken */
	if (S.input_closed && K.n == 0)
		return NULL;
	/* ... the protocol's own goodbye for it, answered */
	if (S.input_ending && conn_close_sent(c) && !conn_closed_by_peer(c) &&
	    conn_exit(c) == EXIT_OK && K.n == 0 && L.n == 0)
		return NULL;
	if (conn_exit(c) == EXIT_LOST || conn_exit(c) == EXIT_CLOSED ||
	    conn_exit(c) == EXIT_TIMEOUT || /* --ping-timeout */
	    opt.reconnect_any)
		return conn_why(c)[0] ? conn_why(c) : "the connection ended";
	return NULL;
}

static void
ev_ended(struct conn *c)
{
	const char *why;

	/* the server read up to our CLOSE, so everything before it; the
	 * same for the protocol's goodbye it ended the connection after */
	if ((conn_close_received(c) && !conn_closed_by_peer(c)) ||
	    conn_ended_as_expected(c))
		while (K.n > 0)
			keep_pop();
	keep_taken(c);
	why = reconnect_why(c);
	if (why != NULL && L.n > 0)
		lasting_prune(1);

	show_deflate_summary(c);
	S.failures += proto_failures(S.pc);
	proto_conn_free(S.pc);
	S.pc = NULL;
	S.last_exit = conn_exit(c);
	snprintf(S.last_why, sizeof S.last_why, "%s", conn_why(c));
	if (S.file_fd >= 0)
		file_done("the connection ended");
	if (why == NULL) {
		run_done(conn_exit(c));
		return;
	}
	/* a connection that lasted counts as a success */
	if (now_sec() - conn_stats(c)->opened_at >= RECONNECT_RESET)
		S.attempts = 0;
	S.c = NULL;
	conn_free(c);
	plan_reconnect(why, conn_exit(c));
}

static void
pev_message_begin(struct conn *c)
{
	proto_message_begin(S.pc);
}

static void
pev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	proto_message_data(S.pc, p, n);
}

/* -n counts the protocol's events, --until matches their lines */
static void
pev_message_end(struct conn *c)
{
	int events = proto_message_end(S.pc, shown());
	const char *line = proto_last_line(S.pc);

	S.got_message = 1;
	proto_feed(); /* the protocol may be ready now */
	if (events == 0 || conn_close_sent(c))
		return;
	S.received += (uint64_t)events;
	if (run_until_wanted() && line && run_until_match("", line))
		session_close(WS_CLOSE_NORMAL, NULL, 0, EXIT_OK, "--until");
	if (opt.count && (long)S.received >= opt.count && !conn_close_sent(c))
		session_close(WS_CLOSE_NORMAL, NULL, 0, EXIT_OK, "-n");
	if (S.wait_started && opt.wait <= 0)
		S.wait_started = 0;
}

static const struct conn_ops proto_conn_ops = {
	.frame = show_frame,
	.message_begin = pev_message_begin,
	.message_data = pev_message_data,
	.message_end = pev_message_end,
	.control = show_control,
	.close = show_close,
	.sent = ev_sent,
	.ended = ev_ended,
};

static const struct conn_ops client_conn_ops = {
	.frame = show_frame,
	.message_begin = ev_message_begin,
	.message_data = ev_message_data,
	.message_end = ev_message_end,
	.control = show_control,
	.close = show_close,
	.sent = ev_sent,
	.ended = ev_ended,
};

/* ---------------------------------------------------------- connecting */

static void
on_dialed(void *ud, struct dial_result *r)
{
	struct conn *c;
	const struct proto *proto;

	S.dial = NULL;
	S.dialing_quiet = 0;
	loop_timer_stop(&S.slow);
	if (r->exit >= 0) {
		show_dial_error(r);
		S.last_exit = r->exit;
		snprintf(S.last_why, sizeof S.last_why, "%s", r->error);
		if (opt.reconnect && S.was_up) /* a reconnection attempt */
			plan_reconnect(r->error, r->exit);
		else
			run_end_now(r->exit, r->error);
		return;
	}
	proto = proto_chosen(r->protocol);
	c = conn_new(&(struct conn_config){
		.role = WS_ROLE_CLIENT,
		.ops = proto ? &proto_conn_ops : &client_conn_ops,
		.close_name = proto ? proto->close_name : NULL,
		.max_message = opt.max_message,
		.max_message_what = opt.max_message_default ? "16 MiB, the "
		    "interactive limit (--max-message sets another)" : NULL,
		.close_timeout = opt.close_timeout,
		.show_frames = view.frames,
		.compress = opt.compress,
		.ping_interval = opt.ping_interval,
		.ping_timeout = opt.ping_timeout,
	}, r->tr, r->pmd);
	S.c = c;
	craft_walk_init(&S.crafted, WS_ROLE_CLIENT);
	S.pc = proto_conn_new(proto, c, 0);
	proto_set_subprotocol(S.pc, r->protocol);
	if (opt.interactive) {
		client_repl.help = proto_help(S.pc);
		if (!S.was_up)
			repl_start(&client_repl);
		repl_set_prompt("> ");
	}
	/* the wait for answers at the end of input is a connection's: one
	 * started on the last would never be woken again */
	loop_timer_stop(&S.wait);
	S.wait_started = S.wait_over = 0;
	S.input_ending = 0;
	S.was_up = 1; /* from now on, a failed attempt is retried */
	S.failed = 0; /* a connection was made: the wait starts again */
	show_open(c, r);
	r->tr = NULL;
	r->pmd = NULL;
	proto_open(S.pc);
	if (S.pc) {
		uint64_t first = 0, count = 0;

		opening_send_frames(c, &S.crafted);
		if (opt.reconnect)
			count = keep_restart(&first);
		S.feeding = 1;
		S.feed_next = 0;
		S.feed_tag = 0;
		L.next = 0;
		if (L.n > 0)
			info("sending again %zu line%s whose operation was "
			    "still running (from stdin line %" PRIu64 " on)",
			    L.n, L.n == 1 ? "" : "s", L.v[0].tag);
		/* auto: the protocol is known only now */
		if (proto_opt.is_auto && opening_check(proto) != 0) {
			S.feeding = 0;
			session_close(WS_CLOSE_NORMAL, NULL, 0, EXIT_USAGE,
			    "--send");
		}
		keep_say_again(count, first);
	} else {
		S.unsent_opening += opening_send(c, &S.crafted);
		if (opt.reconnect)
			keep_resend();
		typed_send();
	}
	/* frames that came with the 101, now that everything is set */
	conn_feed(c, r->early, r->nearly);
}

static void
connect_now(void)
{
	loop_timer_stop(&S.retry);
	S.dial = dial_start(&S.dp, on_dialed, NULL);
	if (S.dial == NULL)
		run_end_now(EXIT_ERROR, "cannot start connecting: out of "
		    "memory");
}

/* ------------------------------------------------------- reconnecting */

/* The wait before attempt n (1, 2, ...): --reconnect-delay doubled each
 * time up to the cap, then a random part of it taken off (between none and
 * half), so that many clients of one server do not come back at once. */
static double
backoff(long n)
{
	double cap = opt.reconnect_delay > RECONNECT_CAP ?
	    opt.reconnect_delay : RECONNECT_CAP;
	double d = opt.reconnect_delay;

	while (--n > 0 && d < cap)
		d *= 2;
	if (d > cap)
		d = cap;
	return d - d / 2 * ((double)arc4random() / 4294967296.0);
}

static void
prompt_state(void)
{
	char p[64];

	if (!opt.interactive || !S.was_up)
		return;
	if (opt.reconnect > 0)
		snprintf(p, sizeof p, "(reconnecting %ld/%ld) > ", S.attempts,
		    opt.reconnect);
	else
		snprintf(p, sizeof p, "(reconnecting %ld) > ", S.attempts);
	repl_set_prompt(p);
}

/* The connection (or an attempt) ended for a reason worth another try:
 * plan it, or give up when the attempts are used up. */
static void
plan_reconnect(const char *why, int exit)
{
	double delay;

	if (opt.reconnect > 0 && S.attempts >= opt.reconnect) {
		diag("%s; giving up after %ld attempt%s to reconnect", why,
		    S.attempts, S.attempts == 1 ? "" : "s");
		run_end_now(exit, why);
		return;
	}
	S.attempts++;
	delay = backoff(++S.failed);
	loop_timer_set(&S.retry, now_sec() + delay);
	show_reconnect(delay, S.attempts, opt.reconnect, why, exit, K.n);
	prompt_state();
}

/* ------------------------------------------------------ the run's turns */

/* Scripted mode, end of input, everything handed over: time to close
 * (after -w). A session waiting for --until or --count goes on. */
static int
input_all_sent(void)
{
	if (!(!opt.interactive && S.stdin_eof && S.ilen == 0 && connected() &&
	    !S.feeding && !conn_close_sent(S.c) && !opt.count && !opt.until &&
	    conn_queued(S.c) == 0 && !conn_sending(S.c, NULL, NULL)))
		return 0;
	/* the protocol may say its goodbye from here (STOMP's DISCONNECT,
	 * MQTT's) and close: the end of input, as our close would be */
	S.input_ending = 1;
	return proto_due(S.pc) < 2;
}

static void maybe_finish_input(double t);

static void
on_wait(struct timer *t, double now)
{
	S.wait_over = 1;
	maybe_finish_input(now);
}

/*
 * The end of input closes the connection, but not before the answers
 * due: a server that reads our CLOSE first may drop the echo of the
 * last line (Python's websockets does). Without -w, while fewer messages
 * came than went, wait until REPLY_WAIT passed without one; with -w, wait
 * that long whatever comes.
 */
static void
maybe_finish_input(double t)
{
	uint64_t due;

	if (!input_all_sent())
		return;
	due = conn_stats(S.c)->msgs_out > conn_stats(S.c)->msgs_in ?
	    conn_stats(S.c)->msgs_out - conn_stats(S.c)->msgs_in : 0;
	if (S.pc) /* keep-alives are messages too: the protocol knows */
		due = (uint64_t)proto_due(S.pc);
	if (opt.wait > 0 || due > 0) {
		if (!S.wait_started) {
			double from = S.last_in_at > t - REPLY_WAIT ?
			    S.last_in_at : t;

			S.wait_started = 1;
			S.wait_over = 0;
			loop_timer_set(&S.wait, opt.wait > 0 ? t + opt.wait :
			    from + REPLY_WAIT);
		}
		if (!S.wait_over)
			return;
		if (opt.wait <= 0 && due > 0)
			info("closing with %" PRIu64 " message%s unanswered "
			    "after %g s; -w SECONDS waits longer", due,
			    due == 1 ? "" : "s", REPLY_WAIT);
	}
	loop_timer_stop(&S.wait);
	/* not the end yet if the server does not take every line */
	S.input_closed = 1;
	/* a protocol's goodbye not said yet (Socket.IO's leave) goes
	 * before the close */
	switch (proto_bye(S.pc)) {
	case PROTO_BYE_CLOSES:
		return;
	case PROTO_BYE_SAID:
		conn_close_after_data(S.c, WS_CLOSE_NORMAL, NULL, 0);
		return;
	}
	conn_close(S.c, WS_CLOSE_NORMAL, NULL, 0);
}

static int
reading_stdin(void)
{
	if (!connected() || conn_close_sent(S.c))
		return 0;
	if (opt.interactive)
		return 1;
	return !S.stdin_eof && conn_queued(S.c) < QUEUE_LOW &&
	    S.file_fd < 0 && !S.feeding && proto_ready(S.pc) &&
	    S.ilen < STDIN_BUF;
}

/* The run's: the REPL goes on between connections. */
static int
stdin_wanted(void)
{
	return reading_stdin() || (opt.interactive && reconnecting());
}

static void
on_retry(struct timer *t, double now)
{
	if (opt.interactive)
		repl_set_prompt("(connecting) > ");
	connect_now();
}

/* Lines read that a protocol was not ready for, and it is now. */
static int
stdin_waiting(void)
{
	return S.pc != NULL && S.ilen > 0 && !S.feeding && connected() &&
	    !conn_close_sent(S.c) && proto_ready(S.pc) &&
	    conn_queued(S.c) < QUEUE_LOW;
}

static void
client_prepare(double now, int *busy)
{
	if (!opt.interactive && stdin_waiting())
		*busy = 1;
	/* the queue emptied in the last flush: nothing else may wake us */
	if (input_all_sent() && !S.wait_started)
		*busy = 1;
	/* the protocol became ready in this turn: its lines are due */
	if (S.feeding && connected() && !conn_close_sent(S.c) &&
	    proto_ready(S.pc))
		*busy = 1;
	/* a file is always readable: poll() cannot say when to read it */
	if (S.file_fd >= 0 && connected() && !conn_close_sent(S.c) &&
	    conn_queued(S.c) < QUEUE_LOW)
		*busy = 1;
}

static void
client_dispatch(double now)
{
	if (S.got_message) {
		S.last_in_at = now;
		S.got_message = 0;
	}
	if (!connected())
		return;
	proto_feed();
	/* the reader of stdout went away: say goodbye, quickly */
	if ((out_gone() || out_failed()) && !conn_close_sent(S.c)) {
		conn_set_close_timeout(S.c, GONE_CLOSE_TIMEOUT, 0);
		session_close(WS_CLOSE_GOING_AWAY, NULL, 0, out_gone() ?
		    EXIT_OK : EXIT_ERROR, out_gone() ? "the reader of stdout" :
		    "an error writing stdout");
		conn_set_close_timeout(S.c, GONE_CLOSE_TIMEOUT, 1);
	}
	if (S.file_fd >= 0)
		file_pump();
	if (!opt.interactive && stdin_waiting())
		stdin_split();
	if (K.n > 0)
		keep_taken(S.c);
	maybe_finish_input(now);
}

/* ------------------------------------------------------------- the end */

/* Lines in buf (pieces of lines: *mid says the last one goes on). */
static uint64_t
count_lines(const uint8_t *p, size_t n, int *mid)
{
	uint64_t lines = 0;
	const uint8_t *end = p + n, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		p = nl + 1;
	}
	if (p < end)
		*mid = 1;
	else if (n > 0)
		*mid = 0;
	return lines;
}

/*
 * The lines of stdin that were never read, for the report: what the line
 * splitter holds and the rest of stdin, as far as it can be read now
 * without waiting (a pipe whose writer is still there) and within
 * UNREAD_MAX bytes. *exact is cleared when the count is a lower bound.
 */
static uint64_t
count_unread_lines(int *exact)
{
	struct stat sb;
	int regular = fstat(STDIN_FILENO, &sb) == 0 && S_ISREG(sb.st_mode);
	int mid = 0;
	uint64_t lines = count_lines(S.ibuf, S.ilen, &mid), total = 0;

	*exact = 1;
	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		ssize_t r;

		if (total >= UNREAD_MAX || (!regular && poll(&pfd, 1, 0) != 1)) {
			*exact = 0;
			break;
		}
		r = read(STDIN_FILENO, S.ibuf, STDIN_BUF);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*exact = r == 0;
			break;
		}
		total += (uint64_t)r;
		lines += count_lines(S.ibuf, (size_t)r, &mid);
	}
	lines += (uint64_t)mid;
	/* the first of them ends the line being sent, counted already */
	if (S.split.in_line && lines > 0)
		lines--;
	S.ilen = 0;
	return lines;
}

/* Messages not sent (or only in part) and the first stdin line of them
 * (0: the oldest is not a stdin line). */
static uint64_t
unsent_messages(uint64_t *first)
{
	uint64_t unsent;

	if (!opt.interactive) {
		/* every stdin message the server did not take */
		*first = K.n ? K.m[K.head].tag : 0;
		return K.n;
	}
	if (S.c == NULL) {
		*first = 0;
		return 0;
	}
	unsent = conn_unsent_messages(S.c);
	*first = conn_first_unsent_tag(S.c);
	/* a stdin message whose end was never read cannot have gone whole */
	if (S.line_open && !conn_sending(S.c, NULL, NULL)) {
		if (unsent == 0)
			*first = S.lineno;
		unsent++;
	}
	return unsent;
}

/*
 * Say what of stdin was not sent; returns nonzero if something was not.
 * When the reader of stdout went away that is the normal end of a pipe
 * (| head -1): then only -v says it.
 */
static int
report_unsent(void)
{
	uint64_t first, unsent, unread = 0;
	int exact = 1;
	const char *open_end = "";

	if (out_gone() && !opt.verbose)
		return 0;
	unsent = unsent_messages(&first);

	if (!opt.interactive && !opt.no_split && !S.stdin_eof &&
	    !S.stdin_error)
		unread = count_unread_lines(&exact);
	if (!exact && unread == 0)
		open_end = "; stdin was not read to its end";
	if (unsent == 0 && unread == 0) {
		if (*open_end)
			diag("the connection ended before the end of stdin");
		return 0;
	}
	if (unread > 0 && (first > 0 || unsent == 0))
		diag("%s%" PRIu64 " line%s of stdin %s not sent (from line %"
		    PRIu64 " on): %" PRIu64 " queued, or sent and not taken by "
		    "the server, %s%" PRIu64 " never read", exact ? "" :
		    "at least ",
		    unsent + unread, unsent + unread == 1 ? "" : "s",
		    unsent + unread == 1 ? "was" : "were", unsent ? first :
		    S.lineno + 1, unsent, exact ? "" : "at least ", unread);
	else if (unread > 0)
		diag("%" PRIu64 " message%s not sent, or only in part; %s%"
		    PRIu64 " line%s of stdin never read", unsent, unsent == 1 ?
		    " was" : "s were", exact ? "" : "at least ", unread,
		    unread == 1 ? "" : "s");
	else if (first > 0)
		diag("%" PRIu64 " message%s not sent, or not taken by the "
		    "server (from stdin line %" PRIu64 " on)%s", unsent,
		    unsent == 1 ? " was" : "s were", first, open_end);
	else
		diag("%" PRIu64 " message%s not sent, or only in part%s",
		    unsent, unsent == 1 ? " was" : "s were", open_end);
	return !out_gone();
}

/* A first connect that takes long at a terminal: say what is going on,
 * rather than show nothing at all. */
static void
on_slow(struct timer *t, double now)
{
	char u[1024];

	if (S.dial != NULL && !S.was_up)
		info("connecting to %s ...", url_redacted(opt.url, u,
		    sizeof u));
}

/* The run's: the first connection. */
static void
start(void)
{
	connect_now();
	if (opt.interactive && !opt.quiet)
		loop_timer_set(&S.slow, now_sec() + SLOW_CONNECT);
	/* attempts after the first report in one line each, themselves */
	S.dp.quiet = opt.reconnect != 0;
}

/* The run's: the dial's errors go in one --jsonl event. */
static int
quiet_errors(void)
{
	return S.dialing_quiet;
}

/* The run's: the loop has ended; the status is the connection's unless
 * the run decided one. */
static void
finish(int exit)
{
	if (!S.was_up)
		return;
	run_set_exit(S.c ? conn_exit(S.c) : S.last_exit);
	if (S.file_fd >= 0)
		file_done("the connection ended");
}

/* The run's: what was not sent, what was refused. */
static int
status(int exit)
{
	if (S.was_up && report_unsent() && exit <= 0)
		exit = EXIT_ERROR;
	/* an operation the server ended with an error (said when it came)
	 * is a failure of the script that asked for it */
	if (!opt.interactive && S.failures + proto_failures(S.pc) > 0 &&
	    exit <= 0)
		exit = EXIT_ERROR;
	if (S.skipped > 0 || S.lost > 0 || S.stdin_error ||
	    S.unsent_opening > 0) {
		if (S.skipped && opt.no_split)
			diag("standard input was refused (not valid UTF-8)");
		else if (S.skipped && (proto_opt.proto || proto_opt.is_auto))
			diag("%" PRIu64 " line%s refused", S.skipped,
			    S.skipped == 1 ? " was" : "s were");
		else if (S.skipped)
			diag("%" PRIu64 " line%s refused (not valid UTF-8)",
			    S.skipped, S.skipped == 1 ? " was" : "s were");
		if (exit <= 0)
			exit = EXIT_ERROR;
	}
	return exit;
}

static const struct run_ops client_run = {
	.count = count,
	.close_all = close_all,
	.abort_all = abort_all,
	.finish = finish,
	.started = start,
	.stdin_wanted = stdin_wanted,
	.stdin_readable = stdin_read,
	.input_end = input_end,
	.interruptible = interruptible,
	.quiet_errors = quiet_errors,
	.prepare = client_prepare,
	.dispatch = client_dispatch,
	.status = status,
};

static void
setup_dial(void)
{
	const char *const *offered = proto_offered();
	size_t nh = 0, np = 0;

	for (struct curl_slist *l = opt.headers; l && nh < 256; l = l->next)
		S.hdrs[nh++] = l->data;

	S.dp.url = proto_url(opt.url, S.url, sizeof S.url);
	S.dp.net = opts_dial_net();
	for (int i = 0; i < opt.nprotocols; i++)
		S.offers[np++] = opt.protocols[i];
	for (size_t i = 0; offered && offered[i] && np < MAX_PROTOCOLS + 8;
	    i++) {
		size_t k = 0;

		while (k < np && strcmp(S.offers[k], offered[i]))
			k++;
		if (k == np)
			S.offers[np++] = offered[i];
	}
	S.dp.protocols = S.offers;
	S.dp.nprotocols = np;
	S.dp.deflate = opt.deflate ? &opt.deflate_offer : NULL;
	S.dp.origin = opt.origin;
	S.dp.headers = S.hdrs;
	S.dp.nheaders = nh;
	S.dp.timeout = opt.connect_timeout;
	S.dp.verbose = opt.verbose;
}

int
clientmode_run(void)
{
	int rc;

	S.last_exit = -1;
	S.file_fd = -1;
	S.retry.fire = on_retry;
	S.slow.fire = on_slow;
	S.wait.fire = on_wait;
	S.ibuf = xrealloc(NULL, STDIN_BUF);
	show_msg_init(&S.m);
	if (opt.on_connect && opening_load(opt.on_connect) != 0)
		return EXIT_USAGE;
	if (proto_opt.proto && opening_check(proto_opt.proto) != 0)
		return EXIT_USAGE;
	setup_dial();
	S.dialing_quiet = opt.jsonl;
	rc = run_main(&client_run);
	proto_conn_free(S.pc);
	S.pc = NULL;
	conn_free(S.c);
	loop_release();
	if (S.dial)
		dial_cancel(S.dial);
	loop_timer_stop(&S.retry);
	loop_timer_stop(&S.wait);
	loop_release(); /* what was removed */
	show_msg_free(&S.m);
	free(S.ibuf);
	free(K.m);
	free(K.buf);
	for (size_t i = 0; i < L.n; i++)
		free(L.v[i].p);
	free(L.v);
	opening_free();
	for (size_t i = 0; i < S.ntyped; i++)
		free(S.typed[i]);
	free(S.typed);
	return rc;
}
