/*
 * session.c - one WebSocket connection: handshake, frame queues, message
 * reassembly, the close handshake and the poll() loop.
 *
 * Incoming: curl_ws_recv() hands back one piece of one frame at a time.
 * Data pieces are streamed straight to stdout (scripted) or to the REPL
 * display, so memory does not grow with message size. Control frames are
 * gathered (at most 125 bytes) and answered here: PING with an identical
 * PONG, CLOSE with the same code.
 *
 * Outgoing: frames are encoded by frame.c into one of two byte queues and
 * written with curl_ws_send() in raw mode. Each queue holds whole frames, so
 * the frame boundaries can be recovered from the headers as bytes leave; a
 * control frame goes out at the first boundary of the data queue.
 *
 * libcurl keeps data it has already read from the socket (frames that came
 * with the 101, or several frames in one TLS record) where poll() cannot see
 * them, so curl_ws_recv() is called until CURLE_AGAIN after every wake-up.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "connect.h"
#include "display.h"
#include "frame.h"
#include "jsonl.h"
#include "linesplit.h"
#include "repl.h"
#include "session.h"
#include "wscli.h"

#define RECV_BUF (256 * 1024)   /* one curl_ws_recv() */
#define STDIN_BUF (256 * 1024)  /* one read() of stdin */
#define QUEUE_LOW (256 * 1024)  /* read stdin only below this */
#define OUT_BUF (256 * 1024)    /* stdout buffer */
#define RECV_TURN (8 * 1024 * 1024) /* bytes drained before polling again */
#define DISPLAY_MAX (64 * 1024) /* bytes of a message kept for the REPL */
#define UNTIL_MAX (1024 * 1024) /* bytes of a message matched by --until */
#define JSONL_MAX (16 * 1024 * 1024) /* bytes of a message in a --jsonl event */
#define MAX_PINGS 16
#define CLOSE_PATIENCE 12 /* close timeouts a still-sending server gets */

/* A byte queue of whole encoded frames. */
struct queue {
	uint8_t *buf;
	size_t cap;
	size_t head, tail;  /* [head, tail) waits to be sent */
	size_t frame_left;  /* unsent bytes of the frame at head; 0 = boundary */
	int frame_is_msg_end; /* that frame is the last of a data message */
};

/* a ping of ours waiting for its pong */
struct ping {
	uint8_t payload[WS_MAX_CONTROL_PAYLOAD];
	size_t len;
	double sent_at;
};

/* stdin line numbers of messages queued but not yet written, oldest first */
struct lineq {
	uint64_t *v;
	size_t cap, head, n;
};

struct session {
	struct conn c;             /* the connection */

	/* outgoing */
	struct queue data, ctrl;
	struct lineq lines;
	uint8_t rnd[4096];         /* mask keys, refilled from the CSPRNG */
	size_t rnd_left;
	int want_pollout;

	/* incoming */
	uint8_t *rbuf;
	int in_msg;                /* a data message is being received */
	int msg_binary;
	uint64_t msg_len;
	unsigned msg_frags;
	struct ws_utf8 utf8;
	struct disp_escape_state esc;
	uint8_t cbuf[WS_MAX_CONTROL_PAYLOAD]; /* control frame being gathered */
	size_t clen;
	int more_pending;          /* recv stopped early: do not block */
	int recv_dead;             /* reading failed: only flush and end */
	int skip_data;             /* a message was refused: ignore data */
	uint8_t *dbuf;             /* head of the message: REPL display,
				      --until, --jsonl */
	size_t dlen, dcap;         /* bytes in dbuf; how many to keep */
	regex_t until;             /* --until, compiled */
	double next_ping;          /* --ping-interval: when the next ping */
	unsigned ping_seq;
	double deadline;           /* --timeout: end of the session */
	struct ping pings[MAX_PINGS]; /* outstanding pings, oldest first */
	int npings;

	/* /file */
	int file_fd;               /* -1 when no file is being sent */
	uint64_t file_size, file_sent;
	int file_text, file_open;  /* text message; fragments were queued */
	double file_progress_at;
	unsigned file_progress_pct;

	/* stdin (scripted mode) */
	uint8_t *ibuf;
	size_t ilen;
	uint64_t lineno;           /* lines started so far */
	struct linesplit split;    /* stdin line splitting state */
	int line_open;             /* fragments of the current line were queued */
	int line_skip;             /* current line is invalid: drop until \n */
	uint64_t line_size;        /* --jsonl: bytes of the line so far */
	unsigned line_frags;       /* --jsonl: fragments queued of the line */
	struct ws_utf8 line_utf8;
	int stdin_eof;
	int stdin_error;
	uint64_t skipped;          /* lines refused (invalid UTF-8) */

	/* stdout */
	char *obuf;
	size_t olen;
	int stdout_gone;           /* EPIPE: the reader went away */
	int stdout_error;

	/* close handshake */
	int close_sent;            /* our CLOSE is queued */
	int close_received;
	unsigned sent_code;
	unsigned peer_code;        /* 1005 if the peer sent no code */
	int closed_by_peer;        /* the peer's CLOSE came first */
	double close_deadline;     /* give up waiting for the reply */
	double close_limit;        /* ... however long the server still sends */
	double wait_deadline;      /* -w: end of lingering */
	int stop_data;             /* a CLOSE is queued: drop unsent data */

	int done;
	int exit;                  /* -1 until something decides */
	struct session_stats st;
};

static struct session S;
static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t sig_count;

/* ------------------------------------------------------------ utilities */

double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL) {
		fputs("wscli: out of memory\n", stderr);
		exit(EXIT_ERROR);
	}
	return q;
}

/* The first thing that decides the outcome wins. */
static void
set_exit(int code)
{
	if (S.exit < 0)
		S.exit = code;
}

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	sig_count++;
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* the pipe is full: a wake-up is already pending */
	}
	errno = saved;
}

static int
mask_key(void *ctx, uint8_t key[4])
{
	struct session *s = ctx;

	if (s->rnd_left < 4) {
		if (RAND_bytes(s->rnd, sizeof s->rnd) != 1)
			return -1;
		s->rnd_left = sizeof s->rnd;
	}
	memcpy(key, s->rnd + sizeof s->rnd - s->rnd_left, 4);
	s->rnd_left -= 4;
	return 0;
}

/* ------------------------------------------------------------- queues */

static uint8_t *
queue_reserve(struct queue *q, size_t n)
{
	if (q->cap - q->tail < n) {
		if (q->head > 0) {
			memmove(q->buf, q->buf + q->head, q->tail - q->head);
			q->tail -= q->head;
			q->head = 0;
		}
		if (q->cap - q->tail < n) {
			size_t cap = q->cap ? q->cap : 64 * 1024;

			while (cap - q->tail < n)
				cap *= 2;
			q->buf = xrealloc(q->buf, cap);
			q->cap = cap;
		}
	}
	return q->buf + q->tail;
}

static size_t
queue_len(const struct queue *q)
{
	return q->tail - q->head;
}

/* Encode one frame at the tail of q, payload masked as it is copied. */
static int
queue_frame(struct queue *q, unsigned fin, unsigned opcode, const uint8_t *p,
    size_t len)
{
	uint8_t key[4], *w;
	size_t h;

	if (mask_key(&S, key) != 0) {
		diag("cannot get random bytes for the frame mask");
		return -1;
	}
	w = queue_reserve(q, WS_MAX_HEADER + len);
	h = ws_encode_header(w, fin, 0, opcode, len, key);
	ws_mask(w + h, p, len, key, 0);
	q->tail += h + len;
	return 0;
}

/* Size of the whole frame whose header starts at h (our own frames). */
static size_t
frame_wire_size(const uint8_t *h)
{
	uint64_t len = h[1] & 0x7f;
	size_t hl = 2;

	if (len == 126) {
		len = (uint64_t)h[2] << 8 | h[3];
		hl = 4;
	} else if (len == 127) {
		len = 0;
		for (int i = 2; i < 10; i++)
			len = len << 8 | h[i];
		hl = 10;
	}
	if (h[1] & 0x80)
		hl += 4;
	return hl + (size_t)len;
}

static void
lineq_push(struct lineq *l, uint64_t lineno)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		uint64_t *v = xrealloc(NULL, cap * sizeof *v);

		for (size_t i = 0; i < l->n; i++)
			v[i] = l->v[(l->head + i) % l->cap];
		free(l->v);
		l->v = v;
		l->cap = cap;
		l->head = 0;
	}
	l->v[(l->head + l->n) % l->cap] = lineno;
	l->n++;
}

static void
lineq_pop(struct lineq *l)
{
	if (l->n == 0)
		return;
	l->head = (l->head + 1) % l->cap;
	l->n--;
}

/* n bytes of q went out: move head, noting frames and messages completed. */
static void
queue_advance(struct queue *q, size_t n)
{
	while (n > 0) {
		size_t k;

		if (q->frame_left == 0) {
			const uint8_t *h = q->buf + q->head;

			q->frame_left = frame_wire_size(h);
			q->frame_is_msg_end = (h[0] & 0x80) && (h[0] & 0x0f) < 8;
		}
		k = n < q->frame_left ? n : q->frame_left;
		q->head += k;
		q->frame_left -= k;
		n -= k;
		if (q->frame_left == 0 && q->frame_is_msg_end && q == &S.data) {
			S.st.msgs_out++;
			lineq_pop(&S.lines);
		}
	}
	if (q->head == q->tail)
		q->head = q->tail = 0;
}

/* Write as much as the socket takes. Returns -1 if the connection broke. */
static int
send_pump(void)
{
	for (;;) {
		struct queue *q;
		size_t n, sent = 0;
		CURLcode rc;

		if (S.ctrl.frame_left > 0)
			q = &S.ctrl;
		else if (S.data.frame_left > 0)
			q = &S.data;
		else if (queue_len(&S.ctrl) > 0)
			q = &S.ctrl;
		else if (queue_len(&S.data) > 0 && !S.stop_data)
			q = &S.data;
		else
			break;
		n = queue_len(q);
		if (q == &S.data && queue_len(&S.ctrl) > 0)
			n = q->frame_left; /* let the control frame overtake */
		rc = curl_ws_send(S.c.curl, q->buf + q->head, n, &sent, 0, 0);
		if (rc == CURLE_AGAIN) {
			S.want_pollout = 1;
			return 0;
		}
		if (rc != CURLE_OK) {
			if (!S.close_received)
				diag("connection lost while sending: %s",
				    curl_easy_strerror(rc));
			return -1;
		}
		queue_advance(q, sent);
		if (sent < n) {
			S.want_pollout = 1;
			return 0;
		}
	}
	S.want_pollout = 0;
	return 0;
}

/* ------------------------------------------------------------ stdout */

static void
write_all(const char *p, size_t n)
{
	while (n > 0 && !S.stdout_gone && !S.stdout_error) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pf = { STDOUT_FILENO, POLLOUT, 0 };

				poll(&pf, 1, -1);
				continue;
			}
			if (errno == EPIPE) {
				S.stdout_gone = 1;
			} else {
				diag("cannot write to stdout: %s",
				    strerror(errno));
				S.stdout_error = 1;
			}
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
out_flush(void)
{
	write_all(S.obuf, S.olen);
	S.olen = 0;
}

static void
out_write(const void *p, size_t n)
{
	if (S.olen + n > OUT_BUF) {
		out_flush();
		if (n >= OUT_BUF) {
			write_all(p, n);
			return;
		}
	}
	memcpy(S.obuf + S.olen, p, n);
	S.olen += n;
}

/* A piece of a received data message, as it should reach stdout. */
static void
out_message_piece(const uint8_t *p, size_t n, int last)
{
	if (!opt.stdout_tty) {
		out_write(p, n);
	} else {
		/* Never pass the peer's control bytes to a terminal. */
		char tmp[4096 * DISP_ESCAPE_MAX + 64];

		while (n > 0 || last) {
			size_t k = n < 4096 ? n : 4096, w;

			w = disp_escape(tmp, sizeof tmp, p, k, 0, &S.esc,
			    last && k == n);
			out_write(tmp, w);
			p += k;
			n -= k;
			if (n == 0)
				break;
		}
	}
	if (last && !S.msg_binary)
		out_write("\n", 1);
}

/* --------------------------------------------------------- closing */

static void
describe_close(char *buf, size_t cap, unsigned code, const uint8_t *reason,
    size_t rlen)
{
	char r[WS_MAX_CLOSE_REASON * 10 + 8];

	if (code == WS_CLOSE_NO_STATUS) {
		snprintf(buf, cap, "no status code");
		return;
	}
	disp_escape_str(r, sizeof r, reason, rlen, DISP_QUOTE);
	snprintf(buf, cap, rlen ? "%u %s \"%s\"" : "%u %s", code,
	    ws_close_code_name(code), r);
}

/* Queue our CLOSE. Data not yet started is dropped (and reported). */
static int
queue_close(unsigned code, const uint8_t *reason, size_t rlen)
{
	uint8_t payload[2 + WS_MAX_CLOSE_REASON];
	long n;

	if (S.close_sent)
		return -1;
	n = ws_close_build(payload, code, reason, rlen);
	if (n < 0)
		n = ws_close_build(payload, code, NULL, 0);
	if (n < 0)
		n = 0;
	if (queue_frame(&S.ctrl, 1, WS_OP_CLOSE, payload, (size_t)n) != 0)
		return -1;
	S.close_sent = 1;
	S.sent_code = code ? code : WS_CLOSE_NO_STATUS;
	if (opt.jsonl)
		jsonl_close(out_write, '>', S.sent_code,
		    ws_close_code_name(S.sent_code), payload + (n >= 2 ? 2 : 0),
		    n >= 2 ? (size_t)n - 2 : 0,
		    S.close_received ? "server" : "client");
	S.stop_data = 1;
	S.close_deadline = now_sec() + opt.close_timeout;
	S.close_limit = now_sec() + CLOSE_PATIENCE * opt.close_timeout;
	return 0;
}

int
session_close(unsigned code, const char *reason)
{
	return queue_close(code, (const uint8_t *)reason,
	    reason ? strlen(reason) : 0);
}

/* The peer broke a rule: tell it with CLOSE code, name the rule, end. */
static void
protocol_violation(unsigned code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
protocol_violation(unsigned code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	diag("protocol error: %s; closing with %u %s", msg, code,
	    ws_close_code_name(code));
	set_exit(EXIT_PROTOCOL);
	queue_close(code, NULL, 0);
	S.close_received = 1; /* do not wait for a reply: the stream is bad */
}

/* ------------------------------------------------------- incoming */

static void
on_close_frame(const uint8_t *p, size_t len)
{
	struct ws_close c;
	char what[1024];
	int rc = ws_close_parse(p, len, &c);

	if (rc != WS_CLOSE_OK) {
		protocol_violation(rc == WS_CLOSE_ERR_BAD_UTF8 ?
		    WS_CLOSE_INVALID_DATA : WS_CLOSE_PROTOCOL_ERROR,
		    "invalid close frame: %s", ws_close_strerror(rc));
		return;
	}
	if (S.close_received)
		return;
	S.close_received = 1;
	S.peer_code = c.has_code ? c.code : WS_CLOSE_NO_STATUS;
	describe_close(what, sizeof what, S.peer_code, c.reason, c.reason_len);
	if (opt.jsonl)
		jsonl_close(out_write, '<', S.peer_code,
		    ws_close_code_name(S.peer_code), c.reason, c.reason_len,
		    S.close_sent ? "client" : "server");
	if (!S.close_sent) {
		S.closed_by_peer = 1;
		info("closed by server: %s; answered, close handshake complete",
		    what);
		queue_close(c.has_code ? c.code : 0, NULL, 0);
	} else {
		info("closed by wscli with %u; the server answered %s, close "
		    "handshake complete", S.sent_code, what);
	}
	/* a reply that echoes our own code is a clean end too */
	if (S.peer_code == WS_CLOSE_NORMAL || S.peer_code == WS_CLOSE_GOING_AWAY ||
	    S.peer_code == WS_CLOSE_NO_STATUS ||
	    (!S.closed_by_peer && S.peer_code == S.sent_code))
		set_exit(EXIT_OK);
	else
		set_exit(EXIT_CLOSED);
}

/* A pong answers the oldest outstanding ping with the same payload. */
static void
on_pong(const uint8_t *p, size_t len)
{
	char note[64] = "unsolicited";

	for (int i = 0; i < S.npings; i++) {
		struct ping *pg = &S.pings[i];

		if (pg->len != len || memcmp(pg->payload, p, len) != 0)
			continue;
		S.st.rtt_last = now_sec() - pg->sent_at;
		S.st.rtt_sum += S.st.rtt_last;
		S.st.pongs_in++;
		snprintf(note, sizeof note, "rtt %.3f ms", S.st.rtt_last * 1000);
		memmove(pg, pg + 1, (size_t)(S.npings - i - 1) * sizeof *pg);
		S.npings--;
		break;
	}
	if (opt.interactive)
		repl_show_control('<', WS_OP_PONG, p, len, note);
	else if (opt.jsonl)
		jsonl_control(out_write, "pong", '<', p, len,
		    strcmp(note, "unsolicited") ? S.st.rtt_last * 1000 : -1);
	else if (strcmp(note, "unsolicited") && opt.ping_interval > 0)
		info("pong: %s", note);
}

static void
on_control(int flags, const uint8_t *p, size_t len)
{
	if (flags & CURLWS_CLOSE) {
		on_close_frame(p, len);
	} else if (flags & CURLWS_PING) {
		S.st.pings_in++;
		if (!S.close_sent) {
			queue_frame(&S.ctrl, 1, WS_OP_PONG, p, len);
			if (opt.jsonl)
				jsonl_control(out_write, "pong", '>', p, len,
				    -1);
		}
		if (opt.interactive)
			repl_show_control('<', WS_OP_PING, p, len,
			    S.close_sent ? "not answered: closing" : "answered");
		else if (opt.jsonl)
			jsonl_control(out_write, "ping", '<', p, len, -1);
	} else if (flags & CURLWS_PONG) {
		on_pong(p, len);
	}
}

static void
message_end(void)
{
	int shown = !(opt.count && (long)S.st.msgs_in >= opt.count);

	if (shown && opt.interactive)
		repl_show_message(S.msg_binary, S.dbuf, S.dlen, S.msg_len,
		    S.msg_frags);
	else if (shown && opt.jsonl)
		jsonl_message(out_write, '<', S.msg_binary, S.dbuf, S.dlen,
		    S.msg_len, S.msg_frags);
	S.in_msg = 0;
	S.st.msgs_in++;
	if (opt.until && !S.msg_binary && !S.close_sent) {
		char *text = (char *)S.dbuf;

		text[S.dlen] = '\0'; /* dbuf has a spare byte */
		if (regexec(&S.until, text, 0, NULL, 0) == 0) {
			info("--until matched; closing");
			set_exit(EXIT_OK);
			queue_close(WS_CLOSE_NORMAL, NULL, 0);
		}
	}
	if (opt.count && (long)S.st.msgs_in >= opt.count && !S.close_sent) {
		queue_close(WS_CLOSE_NORMAL, NULL, 0);
		set_exit(EXIT_OK);
	}
}

static void
on_data(int flags, const struct curl_ws_frame *m, const uint8_t *p, size_t n)
{
	int last = m->bytesleft == 0 && !(flags & CURLWS_CONT);
	int show;

	if (S.skip_data)
		return; /* after refusing a message: wait for the close */
	if (!S.in_msg) {
		S.in_msg = 1;
		S.msg_binary = (flags & CURLWS_BINARY) != 0;
		S.msg_len = 0;
		S.msg_frags = 0;
		S.dlen = 0;
		memset(&S.utf8, 0, sizeof S.utf8);
		memset(&S.esc, 0, sizeof S.esc);
	}
	if (m->offset == 0)
		S.msg_frags++;
	if (!S.msg_binary && n > 0 &&
	    ws_utf8_feed(&S.utf8, p, n) == WS_UTF8_INVALID) {
		protocol_violation(WS_CLOSE_INVALID_DATA, "text message is not "
		    "valid UTF-8 (byte %" PRIu64 ")", S.utf8.bad_at);
		return;
	}
	if (last && !S.msg_binary && S.utf8.state != 0) {
		protocol_violation(WS_CLOSE_INVALID_DATA, "text message ends "
		    "inside a UTF-8 sequence (byte %" PRIu64 ")", S.utf8.offset);
		return;
	}
	if (opt.max_message && S.msg_len + n > opt.max_message) {
		diag("message larger than --max-message %" PRIu64 " bytes "
		    "(%" PRIu64 " bytes so far); %s", opt.max_message,
		    S.msg_len + n, S.close_sent ? "the rest of it is dropped "
		    "(wscli's close is already sent)" : "closing with 1009 "
		    "Message Too Big");
		set_exit(EXIT_ERROR);
		queue_close(WS_CLOSE_TOO_BIG, NULL, 0);
		S.in_msg = 0;
		S.skip_data = 1;
		return;
	}
	S.msg_len += n;
	S.st.bytes_in += n;
	/* A server still sending what it owes us before its close is not
	 * silent: the close timeout counts from its last frame. */
	if (S.close_sent && !S.close_received) {
		double t = now_sec() + opt.close_timeout;

		S.close_deadline = t < S.close_limit ? t : S.close_limit;
	}
	/* after --count messages, or once we closed, only the close matters */
	show = !(opt.count && (long)S.st.msgs_in >= opt.count);
	if (S.dcap > 0) {
		size_t k = S.dcap - S.dlen < n ? S.dcap - S.dlen : n;

		memcpy(S.dbuf + S.dlen, p, k);
		S.dlen += k;
	}
	if (show && !opt.interactive && !opt.jsonl)
		out_message_piece(p, n, last);
	if (last)
		message_end();
}

/* Turn libcurl's wording into the RFC rule that was broken. */
static const char *
explain_ws_error(const char *e)
{
	static char buf[512];

	if (strstr(e, "reserved bits"))
		snprintf(buf, sizeof buf, "frame has RSV bits set but no "
		    "extension was negotiated (%s)", e);
	else if (strstr(e, "invalid opcode"))
		snprintf(buf, sizeof buf, "frame uses a reserved opcode (%s)", e);
	else if (strstr(e, "masked input"))
		snprintf(buf, sizeof buf, "server sent a masked frame "
		    "(RFC 6455 5.1: server frames must not be masked)");
	else if (strstr(e, "too big"))
		snprintf(buf, sizeof buf, "control frame longer than 125 bytes "
		    "(%s)", e);
	else if (strstr(e, "no ongoing"))
		snprintf(buf, sizeof buf, "continuation frame without a "
		    "message to continue");
	else if (strstr(e, "interrupted"))
		snprintf(buf, sizeof buf, "new message started inside a "
		    "fragmented message (%s)", e);
	else if (strstr(e, "invalid fragmented"))
		snprintf(buf, sizeof buf, "fragmented control frame (%s)", e);
	else if (strstr(e, "longer than"))
		snprintf(buf, sizeof buf, "64-bit payload length with the top "
		    "bit set");
	else
		snprintf(buf, sizeof buf, "%s", e);
	return buf;
}

static void
on_recv_error(CURLcode rc)
{
	S.recv_dead = 1;
	if (rc == CURLE_RECV_ERROR && S.c.ws_error[0]) {
		/* the decoder is out of sync, but CLOSE 1002 can still go out */
		protocol_violation(WS_CLOSE_PROTOCOL_ERROR, "%s",
		    explain_ws_error(S.c.ws_error));
		return;
	}
	S.done = 1;
	if (S.close_received && S.close_sent)
		return; /* the normal end after the close handshake */
	if (S.in_msg)
		diag("connection lost in the middle of a message "
		    "(1006 Abnormal Closure): %s", rc == CURLE_GOT_NOTHING ?
		    "server closed the connection" : curl_easy_strerror(rc));
	else
		diag("connection lost without a close frame (1006 Abnormal "
		    "Closure): %s", rc == CURLE_GOT_NOTHING ?
		    "server closed the connection" : curl_easy_strerror(rc));
	set_exit(EXIT_LOST);
}

/* Read until libcurl has nothing buffered. Stops early on a flood so the
 * queues still get their turn; more_pending then keeps poll() from blocking. */
static void
recv_drain(void)
{
	size_t total = 0;

	S.more_pending = 0;
	while (!S.done && !S.recv_dead) {
		const struct curl_ws_frame *m = NULL;
		size_t n = 0;
		CURLcode rc;
		int flags;

		if (total >= RECV_TURN) {
			S.more_pending = 1;
			return;
		}
		rc = curl_ws_recv(S.c.curl, S.rbuf, RECV_BUF, &n, &m);
		if (rc == CURLE_AGAIN)
			return;
		if (rc != CURLE_OK) {
			on_recv_error(rc);
			return;
		}
		total += n + 16;
		flags = m->flags;
		if (flags & (CURLWS_CLOSE | CURLWS_PING | CURLWS_PONG)) {
			if ((size_t)m->offset + n > sizeof S.cbuf) {
				protocol_violation(WS_CLOSE_PROTOCOL_ERROR,
				    "control frame longer than 125 bytes");
				return;
			}
			if (m->offset == 0)
				S.clen = 0;
			memcpy(S.cbuf + S.clen, S.rbuf, n);
			S.clen += n;
			if (m->bytesleft == 0)
				on_control(flags, S.cbuf, S.clen);
		} else if (!S.close_received) {
			on_data(flags, m, S.rbuf, n);
		}
	}
}

/* ------------------------------------------------------------ stdin */

/* Queue a piece of the current stdin message; fin ends the message. */
static void
queue_piece(const uint8_t *p, size_t len, int fin)
{
	unsigned op = S.line_open ? WS_OP_CONT :
	    opt.binary ? WS_OP_BINARY : WS_OP_TEXT;

	if (queue_frame(&S.data, fin, op, p, len) != 0) {
		set_exit(EXIT_ERROR);
		S.done = 1;
		return;
	}
	S.st.bytes_out += len;
	if (opt.jsonl) {
		S.line_size = S.line_open ? S.line_size + len : len;
		if (fin)
			jsonl_message(out_write, '>', opt.binary, S.line_open ?
			    NULL : p, len, S.line_size, S.line_frags + 1);
		S.line_frags = fin ? 0 : S.line_frags + 1;
	}
	S.line_open = !fin;
	if (fin)
		lineq_push(&S.lines, S.lineno);
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

			if (S.line_open) {
				diag("line %" PRIu64 ": not valid UTF-8 at byte "
				    "%" PRIu64 ", after part of it was sent; "
				    "closing", S.lineno, at + 1);
				set_exit(EXIT_ERROR);
				S.stdin_eof = 1;
				S.line_open = 0; /* reported here */
				queue_close(WS_CLOSE_NORMAL, NULL, 0);
				return;
			}
			diag("line %" PRIu64 ": not valid UTF-8 at byte %"
			    PRIu64 "; not sent", S.lineno, at + 1);
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

/* Send the lines in S.ibuf; keep the start of an unfinished one. */
static void
stdin_lines(void)
{
	size_t used = linesplit_feed(&S.split, S.ibuf, S.ilen, STDIN_BUF,
	    S.stdin_eof, on_line_piece, NULL);

	S.ilen -= used;
	memmove(S.ibuf, S.ibuf + used, S.ilen);
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
		stdin_lines();
	}
}

/* ------------------------------------------------------------ messages */

int
session_send_message(unsigned opcode, const uint8_t *p, size_t len)
{
	if (S.close_sent || S.file_fd >= 0)
		return -1;
	if (queue_frame(&S.data, 1, opcode, p, len) != 0)
		return -1;
	lineq_push(&S.lines, 0);
	S.st.bytes_out += len;
	if (opt.jsonl)
		jsonl_message(out_write, '>', opcode == WS_OP_BINARY, p, len, len,
		    1);
	return 0;
}

int
session_send_control(unsigned opcode, const uint8_t *p, size_t len)
{
	if (S.close_sent || len > WS_MAX_CONTROL_PAYLOAD)
		return -1;
	if (opcode == WS_OP_PING) {
		struct ping *pg;

		if (S.npings == MAX_PINGS) { /* forget the oldest */
			memmove(S.pings, S.pings + 1,
			    (MAX_PINGS - 1) * sizeof S.pings[0]);
			S.npings--;
		}
		pg = &S.pings[S.npings++];
		memcpy(pg->payload, p, len);
		pg->len = len;
		pg->sent_at = now_sec();
		S.st.pings_out++;
		if (opt.jsonl)
			jsonl_control(out_write, "ping", '>', p, len, -1);
	}
	return queue_frame(&S.ctrl, 1, opcode, p, len);
}

int
session_send_file(int fd, uint64_t size, int text)
{
	if (S.close_sent || S.file_fd >= 0)
		return -1;
	S.file_fd = fd;
	S.file_size = size;
	S.file_sent = 0;
	S.file_text = text;
	S.file_open = 0;
	S.file_progress_at = now_sec();
	S.file_progress_pct = 0;
	return 0;
}

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
	while (S.file_fd >= 0 && !S.close_sent &&
	    queue_len(&S.data) < QUEUE_LOW) {
		ssize_t r = read(S.file_fd, S.ibuf, STDIN_BUF);
		unsigned op;
		int fin;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			file_done(strerror(errno));
			queue_close(WS_CLOSE_NORMAL, NULL, 0);
			return;
		}
		S.file_sent += (uint64_t)r;
		fin = r == 0 || S.file_sent >= S.file_size;
		op = S.file_open ? WS_OP_CONT : S.file_text ? WS_OP_TEXT :
		    WS_OP_BINARY;
		if (queue_frame(&S.data, fin, op, S.ibuf, (size_t)r) != 0)
			return;
		if (fin)
			lineq_push(&S.lines, 0);
		S.st.bytes_out += (uint64_t)r;
		S.file_open = !fin;
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
				repl_show_info(msg);
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

void
session_error_event(const char *msg)
{
	if (opt.jsonl && S.obuf)
		jsonl_error(out_write, msg);
}

const struct session_stats *
session_stats(void)
{
	return &S.st;
}

/* ------------------------------------------------------------ the loop */

static void
setup_signals(void)
{
	struct sigaction sa;

	if (pipe(sig_pipe) != 0) {
		diag("pipe: %s", strerror(errno));
		exit(EXIT_ERROR);
	}
	fcntl(sig_pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK);
	fcntl(sig_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(sig_pipe[1], F_SETFD, FD_CLOEXEC);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* The earlier of a timeout (seconds from now, < 0 none) and deadline. */
static double
sooner(double timeout, double deadline, double t)
{
	if (deadline <= 0)
		return timeout;
	if (deadline - t < 0)
		return 0;
	if (timeout < 0 || deadline - t < timeout)
		return deadline - t;
	return timeout;
}

/* --timeout, --ping-interval, --ping-timeout. Returns -1 to end at once. */
static int
timers(double t)
{
	if (S.deadline > 0 && t >= S.deadline) {
		diag("timed out: the session lasted --timeout %g s", opt.timeout);
		set_exit(EXIT_TIMEOUT);
		return -1;
	}
	if (opt.ping_interval <= 0 || S.close_sent)
		return 0;
	if (opt.ping_timeout > 0 && S.npings > 0 &&
	    t - S.pings[0].sent_at >= opt.ping_timeout) {
		diag("timed out: no pong within --ping-timeout %g s",
		    opt.ping_timeout);
		set_exit(EXIT_TIMEOUT);
		return -1;
	}
	if (S.next_ping == 0)
		S.next_ping = t + opt.ping_interval;
	if (t >= S.next_ping) {
		char payload[32];
		int n = snprintf(payload, sizeof payload, "wscli %u",
		    ++S.ping_seq);

		session_send_control(WS_OP_PING, (const uint8_t *)payload,
		    (size_t)n);
		if (opt.interactive)
			repl_show_control('>', WS_OP_PING,
			    (const uint8_t *)payload, (size_t)n, NULL);
		S.next_ping = t + opt.ping_interval;
	}
	return 0;
}

/* Signals arrive through the self-pipe. Returns -1 to end at once. */
static int
on_signals(void)
{
	char c[16];
	ssize_t n;

	while ((n = read(sig_pipe[0], c, sizeof c)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (c[i] == SIGWINCH) {
				repl_resize();
			} else if (c[i] == SIGINT && opt.interactive &&
			    !S.close_sent) {
				repl_interrupt();
			} else if (S.close_sent) {
				diag("interrupted");
				set_exit(EXIT_ERROR);
				return -1;
			} else {
				S.stdin_eof = 1;
				queue_close(WS_CLOSE_NORMAL, NULL, 0);
			}
		}
	}
	return 0;
}

/* End of input in scripted mode: close once all is sent and -w elapsed. */
static void
maybe_finish_input(double t)
{
	if (opt.interactive || !S.stdin_eof || S.close_sent || opt.count)
		return;
	if (queue_len(&S.data) > 0)
		return;
	if (opt.wait > 0) {
		if (S.wait_deadline == 0)
			S.wait_deadline = t + opt.wait;
		if (t < S.wait_deadline)
			return;
	}
	queue_close(WS_CLOSE_NORMAL, NULL, 0);
}

static void
report_unsent(void)
{
	uint64_t unsent = S.lines.n;
	uint64_t first = unsent > 0 ? S.lines.v[S.lines.head] : 0;

	/* a stdin message whose end was never read cannot have gone out whole */
	if (S.line_open) {
		if (unsent == 0)
			first = S.lineno;
		unsent++;
	}
	if (unsent == 0)
		return;
	if (first > 0)
		diag("%" PRIu64 " message%s not sent, or only in part (from "
		    "stdin line %" PRIu64 " on)", unsent, unsent == 1 ? " was" :
		    "s were", first);
	else
		diag("%" PRIu64 " message%s not sent, or only in part", unsent,
		    unsent == 1 ? " was" : "s were");
	if (S.exit <= 0)
		S.exit = EXIT_ERROR;
}

static void
session_loop(void)
{
	enum { P_SOCK, P_SIG, P_STDIN, P_N };
	struct pollfd pfd[P_N];

	for (int i = 0; i < opt.nsend; i++) {
		const uint8_t *m = (const uint8_t *)opt.send[i];

		session_send_message(opt.binary ? WS_OP_BINARY : WS_OP_TEXT, m,
		    strlen(opt.send[i]));
	}

	while (!S.done) {
		double t, timeout = -1;
		int ms, stdin_ok;

		recv_drain();
		if (S.done)
			break;
		/* everything that queues frames, before the queues are pushed */
		t = now_sec();
		if (timers(t) != 0)
			break;
		if ((S.stdout_gone || S.stdout_error) && !S.close_sent) {
			set_exit(S.stdout_gone ? EXIT_OK : EXIT_ERROR);
			queue_close(WS_CLOSE_GOING_AWAY, NULL, 0);
		}
		file_pump();
		maybe_finish_input(t);
		if (send_pump() != 0) {
			S.done = 1;
			if (!S.close_received)
				set_exit(EXIT_LOST);
			break;
		}
		/* after our CLOSE, data not yet started is dropped */
		if (S.stop_data && S.data.frame_left == 0)
			S.data.head = S.data.tail = 0;
		if (S.close_sent && S.close_received &&
		    queue_len(&S.ctrl) == 0 && S.data.frame_left == 0)
			break; /* both closes exchanged and ours is out */
		if (S.close_sent && t >= S.close_deadline) {
			diag("no close reply from the server within %g s",
			    opt.close_timeout);
			set_exit(EXIT_TIMEOUT);
			break;
		}

		if (S.close_sent)
			timeout = S.close_deadline - t;
		timeout = sooner(timeout, S.deadline, t);
		if (opt.ping_interval > 0 && !S.close_sent) {
			timeout = sooner(timeout, S.next_ping, t);
			if (opt.ping_timeout > 0 && S.npings > 0)
				timeout = sooner(timeout, S.pings[0].sent_at +
				    opt.ping_timeout, t);
		}
		if (!S.close_sent)
			timeout = sooner(timeout, S.wait_deadline, t);
		if (S.more_pending)
			timeout = 0;
		/* a file is always readable: poll() cannot say when to read it */
		if (S.file_fd >= 0 && !S.close_sent &&
		    queue_len(&S.data) < QUEUE_LOW)
			timeout = 0;

		out_flush();
		stdin_ok = opt.interactive ? !S.close_sent :
		    !S.stdin_eof && !S.close_sent &&
		    queue_len(&S.data) < QUEUE_LOW;
		pfd[P_SOCK].fd = S.c.fd;
		pfd[P_SOCK].events = (S.recv_dead ? 0 : POLLIN) |
		    (S.want_pollout ? POLLOUT : 0);
		pfd[P_SIG].fd = sig_pipe[0];
		pfd[P_SIG].events = POLLIN;
		pfd[P_STDIN].fd = stdin_ok ? STDIN_FILENO : -1;
		pfd[P_STDIN].events = POLLIN;
		ms = timeout < 0 ? -1 : (int)(timeout * 1000 + 0.999);
		if (poll(pfd, P_N, ms) < 0) {
			if (errno == EINTR)
				continue;
			diag("poll: %s", strerror(errno));
			set_exit(EXIT_ERROR);
			break;
		}
		if (pfd[P_SIG].revents && on_signals() != 0)
			break;
		if (pfd[P_STDIN].revents) {
			if (opt.interactive)
				repl_read_char();
			else
				stdin_read();
		}
	}
}

static void
jsonl_open_event(void)
{
	const char *h[256];
	size_t n = 0;

	for (struct curl_slist *l = S.c.headers; l && n < 255; l = l->next)
		h[n++] = l->data;
	h[n] = NULL;
	jsonl_open(out_write, S.c.url, S.c.status, S.c.protocol, h, S.c.ms);
}

int
session_run(void)
{
	int rc;

	S.exit = -1;
	S.rbuf = xrealloc(NULL, RECV_BUF);
	S.ibuf = xrealloc(NULL, STDIN_BUF);
	S.obuf = xrealloc(NULL, OUT_BUF);
	S.dcap = opt.jsonl ? JSONL_MAX : opt.until ? UNTIL_MAX :
	    opt.interactive ? DISPLAY_MAX : 0;
	S.dbuf = xrealloc(NULL, S.dcap + 1);
	if (opt.until && regcomp(&S.until, opt.until, REG_EXTENDED |
	    REG_NOSUB) != 0) {
		diag("invalid --until expression");
		return EXIT_USAGE;
	}
	if (opt.timeout > 0)
		S.deadline = now_sec() + opt.timeout;
	S.file_fd = -1;
	setup_signals();

	rc = conn_open(&S.c);
	if (rc < 0) {
		S.st.connected_at = now_sec();
		conn_summary(&S.c);
		if (opt.jsonl)
			jsonl_open_event();
		if (opt.interactive)
			repl_start();
		session_loop();
		if (opt.interactive)
			repl_stop();
		if (S.file_fd >= 0)
			file_done("the connection ended");
		out_flush();
		/* output was lost: that outweighs a clean close */
		if (S.stdout_error && S.exit <= 0)
			S.exit = EXIT_ERROR;
		report_unsent();
		if (S.skipped > 0 || S.stdin_error) {
			if (S.skipped)
				diag("%" PRIu64 " line%s refused (not valid "
				    "UTF-8)", S.skipped, S.skipped == 1 ? " was" :
				    "s were");
			if (S.exit <= 0)
				S.exit = EXIT_ERROR;
		}
		rc = S.exit < 0 ? EXIT_OK : S.exit;
	}
	conn_close(&S.c);
	free(S.rbuf);
	free(S.ibuf);
	free(S.obuf);
	free(S.dbuf);
	if (opt.until)
		regfree(&S.until);
	free(S.data.buf);
	free(S.ctrl.buf);
	free(S.lines.v);
	return rc;
}
