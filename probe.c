/*
 * probe.c - wscli --probe URL; see probe.h.
 *
 * The cases are a table. Most are data: the frames to send, written as
 * craft.c SPECs, and what RFC 6455 requires of the answer. Four kinds
 * cover nearly all of them:
 *
 *   handshake  an upgrade request the server must refuse (or may accept):
 *              judged on the HTTP answer
 *   fail       frames breaking a rule, then a PING of the probe's own:
 *              the server must fail the connection (close with the
 *              expected code) before it answers that PING; a PONG first
 *              means it went past the broken rule
 *   accept     frames that are valid however odd (pings between
 *              fragments, code points split across frames), then the
 *              probe's PING: every PING must get its PONG in order, and
 *              an echoing server must echo every message unchanged
 *   close      a CLOSE from the probe: the server must answer it with the
 *              expected code (the same one, or 1002 for an invalid close)
 *
 * and a few cases are code of their own (echo detection, the limits, the
 * idle timeout, compression). Each case runs on its own connection from
 * one event to the next in the loop; the run moves on when a case has its
 * verdict or its time (--probe-timeout) is up.
 *
 * Frames go out with conn_send_raw(), in one queue, so the probe's PING
 * always follows what it probes. Everything the server sends comes
 * through conn.c, which checks it: a server that answers with a broken
 * frame FAILS the case, whatever the case was about.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "client.h"
#include "conn.h"
#include "craft.h"
#include "deflate.h"
#include "frame.h"
#include "jsonl.h"
#include "loop.h"
#include "output.h"
#include "probe.h"
#include "show.h"
#include "term.h"
#include "transport.h"
#include "upgrade.h"
#include "exit.h"
#include "opts.h"

#define MARK "wscli probe"       /* payload of the probe's own PING */
#define MAX_PONGS 16             /* PINGs a case expects answered */
#define MAX_MSGS 8               /* messages a case expects echoed */
#define HEAD_KEEP 64             /* bytes of a received message kept */
#define LIMIT_FIRST 4096         /* 9.1 starts here, doubling */
#define LIMIT_RATE (16.0 * 1048576) /* 9.1: bytes/s granted on top of
				       --probe-timeout for a big message */
#define RATE_SECONDS 1.0         /* 9.2 sends this long */
#define RATE_WINDOW 256          /* 9.2: messages in flight */
#define RATE_SIZE 32             /* 9.2: bytes of each */

/* ------------------------------------------------------------ verdicts */

enum verdict {
	V_OK, V_NON_STRICT, V_FAILED, V_WRONG_CODE, V_UNCLEAN, V_INFO,
	V_UNTESTED, NVERDICTS
};

static const char *const vname[NVERDICTS] = {
	"OK", "NON-STRICT", "FAILED", "WRONG CODE", "UNCLEAN",
	"INFORMATIONAL", "UNTESTED",
};

/* ------------------------------------------------------------- cases */

enum kind { K_HANDSHAKE, K_FAIL, K_ACCEPT, K_CLOSE, K_CUSTOM };

enum {
	F_ECHO = 1,        /* needs an echoing server */
	F_DEFLATE = 2,     /* offers permessage-deflate; needs it agreed */
	F_LENIENT = 4,     /* fail: accepting it is allowed too */
	F_REFUSE = 8,      /* close: our CLOSE is invalid; 1002 expected */
	F_AFTER = 16,      /* close: nothing after it may be answered */
	F_TCP = 32,        /* close: who closes TCP afterwards */
	F_SAME = 64,       /* close: the code we send is the one expected */
	F_TEXT_ECHO = 128, /* 2.1 */
	F_BIN_ECHO = 256,  /* 2.2 */
	F_HTTP10 = 512,    /* handshake: HTTP/1.0 */
	F_POST = 1024,     /* handshake: POST */
	F_PROTO = 2048,    /* handshake: offer an unknown subprotocol only */
	F_BASE = 4096,     /* 1.1: without it nothing runs */
	F_MAY = 8192,      /* handshake: accepting it is allowed */
};

struct run;

struct pcase {
	const char *id, *name;
	enum kind kind;
	const char *send;       /* SPECs, one a line */
	const char *then;       /* fail: sent when the probe's PING comes back
				   (fail-fast cases) */
	unsigned codes[3];      /* close codes expected, 0-terminated */
	unsigned flags;
	const char *header;     /* handshake: a request header to set or, as
				   "Name:", leave out */
	void (*custom)(struct run *R, int ev); /* K_CUSTOM, and handshake
						  cases with their own
						  judge */
};

/* Events a case sees. */
enum {
	EV_OPEN, EV_MESSAGE, EV_PONG, EV_CLOSE, EV_END, EV_TCP, EV_TIMEOUT,
	EV_DIALED,
};

struct msg_seen {
	unsigned op;
	uint64_t len, hash;
	uint8_t head[HEAD_KEEP];
	size_t nhead;
	int compressed;
};

struct watch {                 /* TCP after the close handshake */
	struct source src;
	struct transport *tr;
	struct run *R;
};

struct run {
	const struct pcase *k;
	int decided, again;
	enum verdict v;
	char detail[512];
	double t0, sent_at, deadline;
	struct dial *dial;
	struct conn *c;
	struct watch *w;
	int cleaning;
	/* the answer to the upgrade */
	long status;
	int dial_exit;
	char dial_error[512];
	char hdr_version[128], hdr_protocol[256], hdr_ext[512];
	char reason[128];
	int agreed;                /* permessage-deflate */
	/* what the server did */
	int opened;
	int got_close;
	unsigned close_code;
	double close_ms;
	int ended;
	int end_exit;
	char end_why[256];
	double end_ms;
	int tcp_done;              /* the watch saw the end of TCP */
	double tcp_ms;
	uint64_t after_bytes;      /* bytes after the close handshake */
	int npongs;
	uint8_t pong[WS_MAX_CONTROL_PAYLOAD];
	size_t pong_len;
	struct msg_seen cur;       /* the message being received */
	struct msg_seen last;      /* the last one complete */
	uint64_t nmsgs;
	/* what it should do */
	struct { uint8_t p[WS_MAX_CONTROL_PAYLOAD]; size_t n; }
	    exp_pong[MAX_PONGS];
	int nexp_pong, next_pong, skipped_pongs;
	int mark_seen;             /* the probe's PING came back */
	int mark_before_close;
	struct msg_seen exp_msg[MAX_MSGS];
	int nexp_msg, next_msg;
	int then_sent;
	unsigned sent_code;        /* close cases */
	/* cases of many attempts */
	int attempt;
	uint64_t lo, hi, size;     /* 9.1 */
	char first_refusal[160];
	uint64_t rate_sent, rate_echoed; /* 9.2 */
	double rate_until;
	int rate_bad;
	unsigned server_pings;     /* 9.3 */
};

static struct {
	struct source src;
	int next;                  /* index of the next case */
	struct run *R;             /* the case running */
	int started;
	int echo_text, echo_binary;
	int deflate_agreed, deflate_tried;
	char deflate_desc[256];
	unsigned counts[NVERDICTS];
	unsigned ncases;
	double t0;
	int exit;                  /* -1 until the run decides */
	void **grave;              /* what the loop may still point to */
	size_t ngrave;
	uint8_t *big;              /* 9.1's payload */
	const char *const *hdrs;
	size_t nhdrs;
} P;

static void bury(void *p)
{
	P.grave = xrealloc(P.grave, (P.ngrave + 1) * sizeof *P.grave);
	P.grave[P.ngrave++] = p;
}

static void
decide(struct run *R, enum verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
decide(struct run *R, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	if (R->decided)
		return;
	R->decided = 1;
	R->v = v;
	va_start(ap, fmt);
	vsnprintf(R->detail, sizeof R->detail, fmt, ap);
	va_end(ap);
}

static double
ms_since(double t)
{
	return (now_sec() - t) * 1000;
}

/* "1.2 ms", "340 ms", "2.1 s" */
static const char *
dur(double ms, char *buf, size_t cap)
{
	if (ms < 10)
		snprintf(buf, cap, "%.1f ms", ms);
	else if (ms < 1000)
		snprintf(buf, cap, "%.0f ms", ms);
	else
		snprintf(buf, cap, "%.1f s", ms / 1000);
	return buf;
}

/* "1 MiB", "64 KiB", "1049600 B" */
static const char *
size_str(uint64_t n, char *buf, size_t cap)
{
	if (n >= 1048576 && n % 1048576 == 0)
		snprintf(buf, cap, "%" PRIu64 " MiB", n / 1048576);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, cap, "%" PRIu64 " KiB", n / 1024);
	else
		snprintf(buf, cap, "%" PRIu64 " B", n);
	return buf;
}

static const char *
code_str(unsigned code, char *buf, size_t cap)
{
	if (code == WS_CLOSE_NO_STATUS)
		snprintf(buf, cap, "an empty close");
	else
		snprintf(buf, cap, "%u", code);
	return buf;
}

static uint64_t
fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

#define FNV0 0xcbf29ce484222325ULL

/* ---------------------------------------------------------- sending */

/* Send SPECs (one a line) as crafted frames; with expect, note the PONGs
 * and echoes a correct server owes for them. */
static void
send_specs(struct run *R, const char *specs, int expect)
{
	const char *s = specs;
	struct msg_seen m = { 0 };
	int in_msg = 0;

	while (s && *s && !R->c->done) {
		size_t n = strcspn(s, "\n"), cap;
		char *spec = xstrndup(s, n);
		uint8_t *buf = xrealloc(NULL, n + 1), *out;
		struct craft_frame f;
		char why[512];

		if (craft_parse(spec, WS_ROLE_CLIENT, buf, n + 1, &f, why,
		    sizeof why) != 0) {
			/* the table is ours: a bad line is wscli's bug */
			diag("probe case %s: bad frame '%s': %s", R->k->id, spec,
			    why);
			abort();
		}
		if (!f.key_given && RAND_bytes(f.key, 4) != 1)
			memcpy(f.key, "\x5a\x5a\x5a\x5a", 4);
		cap = craft_size(&f);
		out = xrealloc(NULL, cap);
		craft_encode(out, cap, &f);
		conn_send_raw(R->c, out, cap);
		free(out);
		if (expect && f.opcode == WS_OP_PING &&
		    R->nexp_pong < MAX_PONGS) {
			memcpy(R->exp_pong[R->nexp_pong].p, f.payload, f.n);
			R->exp_pong[R->nexp_pong++].n = f.n;
		}
		if (expect && (f.opcode == WS_OP_TEXT ||
		    f.opcode == WS_OP_BINARY)) {
			memset(&m, 0, sizeof m);
			m.op = f.opcode;
			m.hash = FNV0;
			in_msg = 1;
		}
		if (expect && in_msg && (f.opcode == WS_OP_TEXT ||
		    f.opcode == WS_OP_BINARY || f.opcode == WS_OP_CONT)) {
			m.hash = fnv(m.hash, f.payload, f.n);
			m.len += f.n;
			if (f.fin) {
				in_msg = 0;
				if (R->nexp_msg < MAX_MSGS &&
				    ((m.op == WS_OP_TEXT && P.echo_text) ||
				    (m.op == WS_OP_BINARY && P.echo_binary)))
					R->exp_msg[R->nexp_msg++] = m;
			}
		}
		free(spec);
		free(buf);
		s += n;
		if (*s == '\n')
			s++;
	}
}

/* The probe's own PING, after what it probes. */
static void
send_mark(struct run *R)
{
	send_specs(R, "op=ping " MARK, 0);
}

/* ------------------------------------------------------ what was seen */

static int
expected_code(const struct run *R, unsigned code)
{
	if (R->k->flags & F_SAME)
		return code == R->sent_code;
	for (int i = 0; i < 3 && R->k->codes[i]; i++)
		if (R->k->codes[i] == code)
			return 1;
	return 0;
}

static const char *
codes_str(const struct run *R, char *buf, size_t cap)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < 3 && R->k->codes[i]; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%u", i ? " or " : "",
		    R->k->codes[i]);
	return buf;
}

/* The connection ended without the server's CLOSE: how. */
static const char *
ending(const struct run *R)
{
	switch (R->end_exit) {
	case EXIT_PROTOCOL:
		return "broke the protocol";
	case EXIT_LOST:
		return "dropped the connection without a close frame";
	default:
		return "ended the connection";
	}
}

/* Did the server break a rule in what it sent back? conn.c closed with
 * 1002 or 1007 then, and said why. */
static int
server_broke(struct run *R)
{
	if (R->ended && R->end_exit == EXIT_PROTOCOL) {
		decide(R, V_FAILED, "the server sent something invalid: %s",
		    R->end_why);
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------- fail cases */

static void
judge_fail(struct run *R, int ev)
{
	char t[32], b[32];

	if (ev == EV_OPEN) {
		send_specs(R, R->k->send, 0);
		send_mark(R);
		return;
	}
	if (server_broke(R))
		return;
	if (R->got_close) {
		if (!expected_code(R, R->close_code))
			decide(R, V_WRONG_CODE, "closed %u in %s (expected %s)",
			    R->close_code, dur(R->close_ms, t, sizeof t),
			    codes_str(R, b, sizeof b));
		else if (R->then_sent)
			decide(R, V_NON_STRICT, "closed %u in %s, but only once "
			    "the message was complete", R->close_code,
			    dur(R->close_ms, t, sizeof t));
		else if (R->mark_before_close)
			decide(R, V_NON_STRICT, "answered a later ping first, "
			    "then closed %u in %s", R->close_code,
			    dur(R->close_ms, t, sizeof t));
		else
			decide(R, V_OK, "closed %u in %s", R->close_code,
			    dur(R->close_ms, t, sizeof t));
		return;
	}
	if (R->ended) {
		if (R->mark_seen)
			decide(R, V_FAILED, "went on past it (answered a later "
			    "ping), then %s", ending(R));
		else
			decide(R, V_NON_STRICT, "%s in %s (it SHOULD close with "
			    "%s first)", ending(R), dur(R->end_ms, t, sizeof t),
			    codes_str(R, b, sizeof b));
		return;
	}
	if (ev == EV_PONG && R->mark_seen && !R->then_sent) {
		if (R->k->then) {
			R->then_sent = 1;
			send_specs(R, R->k->then, 0);
			send_mark(R);
			R->mark_seen = 0;
			return;
		}
		if (R->k->flags & F_LENIENT)
			decide(R, V_INFO, "accepted it (RFC 6455 puts this rule "
			    "on the sender; failing with %s is allowed too)",
			    codes_str(R, b, sizeof b));
		else
			decide(R, V_FAILED, "accepted it: answered the ping "
			    "sent after it, no close");
		return;
	}
	if (ev == EV_PONG && R->mark_seen && R->then_sent) {
		decide(R, V_FAILED, "accepted it, whole message included: no "
		    "close");
		return;
	}
	if (ev == EV_TIMEOUT)
		decide(R, V_FAILED, "no close and no answer to a later ping "
		    "within %g s", probe_opt.timeout);
}

/* -------------------------------------------------------- accept cases */

static void
judge_accept(struct run *R, int ev)
{
	char t[32];

	if (ev == EV_OPEN) {
		send_specs(R, R->k->send, 1);
		send_mark(R);
		if (R->nexp_pong == MAX_PONGS)
			R->nexp_pong--;
		memcpy(R->exp_pong[R->nexp_pong].p, MARK, sizeof MARK - 1);
		R->exp_pong[R->nexp_pong++].n = sizeof MARK - 1;
		return;
	}
	if (server_broke(R))
		return;
	if (R->got_close) {
		decide(R, V_FAILED, "closed %u in %s", R->close_code,
		    dur(R->close_ms, t, sizeof t));
		return;
	}
	if (R->ended) {
		decide(R, V_FAILED, "%s in %s", ending(R),
		    dur(R->end_ms, t, sizeof t));
		return;
	}
	if (ev == EV_PONG) {
		int i;

		for (i = R->next_pong; i < R->nexp_pong; i++)
			if (R->exp_pong[i].n == R->pong_len &&
			    !memcmp(R->exp_pong[i].p, R->pong, R->pong_len))
				break;
		if (i == R->nexp_pong) {
			char esc[WS_MAX_CONTROL_PAYLOAD * 4 + 8];
			size_t o = 0;

			for (size_t j = 0; j < R->pong_len && j < 16; j++)
				o += (size_t)snprintf(esc + o, sizeof esc - o,
				    "%02x", R->pong[j]);
			decide(R, V_FAILED, "a pong of %zu bytes (%s%s) answers "
			    "no ping sent, or came out of order", R->pong_len,
			    esc, R->pong_len > 16 ? "..." : "");
			return;
		}
		R->skipped_pongs += i - R->next_pong;
		R->next_pong = i + 1;
	}
	if (ev == EV_MESSAGE && R->next_msg < R->nexp_msg) {
		const struct msg_seen *e = &R->exp_msg[R->next_msg];

		if (e->op == R->last.op && e->len == R->last.len &&
		    e->hash == R->last.hash)
			R->next_msg++;
	}
	if (R->next_pong == R->nexp_pong && R->next_msg == R->nexp_msg) {
		char extra[96] = "";

		if (R->skipped_pongs)
			snprintf(extra, sizeof extra, "; answered %d of %d "
			    "pings (only the latest is required)",
			    R->nexp_pong - R->skipped_pongs, R->nexp_pong);
		if (R->nexp_msg)
			decide(R, V_OK, "accepted, echoed unchanged in %s%s",
			    dur(ms_since(R->sent_at), t, sizeof t), extra);
		else if (R->nexp_pong > 1)
			decide(R, V_OK, "pongs match, in %s%s",
			    dur(ms_since(R->sent_at), t, sizeof t), extra);
		else
			decide(R, V_OK, "accepted (answered a later ping in "
			    "%s)", dur(ms_since(R->sent_at), t, sizeof t));
		return;
	}
	if (ev == EV_TIMEOUT) {
		if (R->next_pong < R->nexp_pong)
			decide(R, V_FAILED, "no pong for ping %d of %d within "
			    "%g s", R->next_pong + 1, R->nexp_pong, probe_opt.timeout);
		else
			decide(R, V_FAILED, "answered the pings but did not echo "
			    "the message (or changed it) within %g s",
			    probe_opt.timeout);
	}
}

/* --------------------------------------------------------- close cases */

static void
watch_start(struct run *R);

static void
judge_close(struct run *R, int ev)
{
	char t[32], b[32], c2[32];
	unsigned f = R->k->flags;

	if (ev == EV_OPEN) {
		struct craft_frame cf;
		uint8_t buf[256];
		char why[256];
		const char *sp = R->k->send;

		/* the first line is the CLOSE */
		{
			size_t n = strcspn(sp, "\n");
			char *one = xstrndup(sp, n);

			if (craft_parse(one, WS_ROLE_CLIENT, buf, sizeof buf,
			    &cf, why, sizeof why) == 0)
				R->sent_code = cf.n >= 2 ? (unsigned)(cf.payload[0]
				    << 8 | cf.payload[1]) : WS_CLOSE_NO_STATUS;
			free(one);
		}
		send_specs(R, R->k->send, 0);
		conn_close_crafted(R->c, R->sent_code);
		return;
	}
	if (server_broke(R))
		return;
	if ((f & F_AFTER) && ((ev == EV_PONG && R->pong_len == 11 &&
	    !memcmp(R->pong, "after close", 11)) || (ev == EV_MESSAGE &&
	    R->last.len == 11 && !memcmp(R->last.head, "after close", 11)))) {
		decide(R, V_FAILED, "answered what came after its close "
		    "(%s)", ev == EV_PONG ? "a pong" : "an echo");
		return;
	}
	if (R->got_close && (f & (F_TCP | F_AFTER)) && !R->tcp_done &&
	    ev != EV_TIMEOUT) {
		if (R->ended && R->w == NULL)
			watch_start(R);
		return;
	}
	if (R->got_close) {
		char extra[160] = "";

		if (f & F_TCP) {
			if (R->tcp_done)
				snprintf(extra, sizeof extra, "; the server "
				    "closed TCP %s later", dur(R->tcp_ms -
				    R->close_ms, t, sizeof t));
			else {
				decide(R, V_NON_STRICT, "answered %s, then left "
				    "TCP open for %g s (the server SHOULD close "
				    "it first)", code_str(R->close_code, b,
				    sizeof b), probe_opt.timeout);
				return;
			}
		}
		if ((f & F_AFTER) && R->after_bytes) {
			decide(R, V_FAILED, "answered the close, then sent %"
			    PRIu64 " more bytes", R->after_bytes);
			return;
		}
		if (expected_code(R, R->close_code))
			decide(R, V_OK, "answered %s in %s%s",
			    code_str(R->close_code, b, sizeof b),
			    dur(R->close_ms, t, sizeof t), extra);
		else if ((f & F_REFUSE) && R->close_code == R->sent_code &&
		    R->sent_code != WS_CLOSE_NO_STATUS)
			decide(R, V_FAILED, "echoed it: answered %s in %s "
			    "(expected %s)", code_str(R->close_code, b,
			    sizeof b), dur(R->close_ms, t, sizeof t),
			    codes_str(R, c2, sizeof c2));
		else if (f & F_REFUSE)
			decide(R, V_WRONG_CODE, "answered %s in %s (expected "
			    "%s)", code_str(R->close_code, b, sizeof b),
			    dur(R->close_ms, t, sizeof t),
			    codes_str(R, c2, sizeof c2));
		else
			decide(R, V_NON_STRICT, "answered %s in %s (an endpoint "
			    "typically echoes the code, RFC 6455 5.5.1)",
			    code_str(R->close_code, b, sizeof b),
			    dur(R->close_ms, t, sizeof t));
		return;
	}
	if (R->ended) {
		if (f & F_REFUSE)
			decide(R, V_NON_STRICT, "%s in %s (it SHOULD close with "
			    "%s first)", ending(R), dur(R->end_ms, t, sizeof t),
			    codes_str(R, b, sizeof b));
		else
			decide(R, V_UNCLEAN, "%s in %s: no close handshake",
			    ending(R), dur(R->end_ms, t, sizeof t));
		return;
	}
	if (ev == EV_TIMEOUT)
		decide(R, V_FAILED, "no answer to the close within %g s",
		    probe_opt.timeout);
}

/* ----------------------------------------------------- handshake cases */

/* Cases 1.2-1.8: a request the server must refuse. */
static void
judge_refuse(struct run *R, int ev)
{
	char t[32];

	if (ev != EV_DIALED)
		return;
	dur(ms_since(R->t0), t, sizeof t);
	if (R->status == 101 && (R->k->flags & F_MAY)) {
		decide(R, V_INFO, "accepted it (a server may understand more "
		    "versions than 13, RFC 6455 4.4)");
		return;
	}
	if (R->status == 101) {
		decide(R, V_FAILED, "accepted it: 101 Switching Protocols");
		return;
	}
	if (R->status >= 400 && R->status < 600) {
		if (R->k->header && !strncasecmp(R->k->header,
		    "Sec-WebSocket-Version", 21) &&
		    !up_has_token(R->hdr_version, strlen(R->hdr_version),
		    "13"))
			decide(R, V_NON_STRICT, "refused: %ld %s, but without "
			    "Sec-WebSocket-Version: 13 (RFC 6455 4.4)",
			    R->status, R->reason);
		else
			decide(R, V_OK, "refused: %ld %s in %s", R->status,
			    R->reason, t);
		return;
	}
	if (R->status > 0) {
		decide(R, V_NON_STRICT, "answered %ld %s (a 4xx error is "
		    "expected)", R->status, R->reason);
		return;
	}
	if (R->dial_exit == EXIT_TIMEOUT)
		decide(R, V_FAILED, "no answer within %g s", probe_opt.timeout);
	else
		decide(R, V_NON_STRICT, "closed the connection without an "
		    "HTTP answer (400 is expected)");
}

static void
judge_subprotocol(struct run *R, int ev)
{
	if (ev != EV_DIALED)
		return;
	if (R->status == 101 && R->hdr_protocol[0])
		decide(R, V_FAILED, "chose '%s': it cannot speak a name made "
		    "up for the probe", R->hdr_protocol);
	else if (R->status == 101)
		decide(R, V_OK, "accepted without choosing one");
	else if (R->status > 0)
		decide(R, V_OK, "refused: %ld %s", R->status, R->reason);
	else
		decide(R, V_NON_STRICT, "no HTTP answer: %s", R->dial_error);
}

static void
judge_extension(struct run *R, int ev)
{
	if (ev != EV_DIALED)
		return;
	if (R->status == 101 && R->hdr_ext[0])
		decide(R, V_FAILED, "agreed to '%s', which it cannot know",
		    R->hdr_ext);
	else if (R->status == 101)
		decide(R, V_OK, "accepted without the extension");
	else if (R->status > 0)
		decide(R, V_NON_STRICT, "refused: %ld %s (an unknown extension "
		    "is to be ignored)", R->status, R->reason);
	else
		decide(R, V_NON_STRICT, "no HTTP answer: %s", R->dial_error);
}

static void
judge_origin(struct run *R, int ev)
{
	if (ev != EV_DIALED)
		return;
	if (R->status == 101 && R->k->header && strlen(R->k->header) > 8)
		decide(R, V_INFO, "accepted Origin %s: a page of any site may "
		    "connect with its visitors' cookies (cross-site WebSocket "
		    "hijacking) unless it checks otherwise",
		    R->k->header + 8);
	else if (R->status == 101)
		decide(R, V_INFO, "accepted a request without Origin (as from "
		    "a non-browser client)");
	else if (R->status > 0)
		decide(R, V_INFO, "refused: %ld %s", R->status, R->reason);
	else
		decide(R, V_INFO, "no HTTP answer: %s", R->dial_error);
}

/* ------------------------------------------------------ custom cases */

/* 1.1: the plain connection everything else builds on. */
static void
c_baseline(struct run *R, int ev)
{
	char t[32];

	if (ev != EV_DIALED)
		return;
	if (R->dial_exit >= 0) {
		decide(R, V_FAILED, "%s", R->dial_error);
		P.exit = R->dial_exit;
		return;
	}
	decide(R, V_OK, "101 in %s", dur(ms_since(R->t0), t, sizeof t));
}

/* 2.1, 2.2: does it echo? */
static void
c_echo(struct run *R, int ev)
{
	int text = (R->k->flags & F_TEXT_ECHO) != 0;
	static const char *const spec[2] = {
		"op=binary hex:00 01 02 fe ff 77 73 63 6c 69",
		"wscli probe: is this echoed?",
	};
	char t[32];

	if (ev == EV_OPEN) {
		int save = text ? P.echo_text : P.echo_binary;

		if (text)
			P.echo_text = 1;
		else
			P.echo_binary = 1;
		send_specs(R, spec[text], 1);
		if (text)
			P.echo_text = save;
		else
			P.echo_binary = save;
		return;
	}
	if (ev == EV_MESSAGE && R->nexp_msg && R->last.op ==
	    R->exp_msg[0].op && R->last.len == R->exp_msg[0].len &&
	    R->last.hash == R->exp_msg[0].hash) {
		if (text)
			P.echo_text = 1;
		else
			P.echo_binary = 1;
		decide(R, V_INFO, "echoed in %s", dur(ms_since(R->sent_at), t,
		    sizeof t));
		return;
	}
	if (server_broke(R))
		return;
	if (R->got_close || R->ended || ev == EV_TIMEOUT) {
		char what[128];

		if (R->got_close)
			snprintf(what, sizeof what, "closed %u", R->close_code);
		else if (R->ended)
			snprintf(what, sizeof what, "%s", ending(R));
		else
			snprintf(what, sizeof what, "no echo within %g s",
			    probe_opt.timeout);
		decide(R, V_INFO, "%s%s: cases that need a %s echo are "
		    "UNTESTED", what, R->nmsgs ? " (other messages came)" :
		    "", text ? "text" : "binary");
	}
}

/* 9.1: the largest message accepted, by doubling, then bisecting. */
static void
c_limit(struct run *R, int ev)
{
	char a[32], b[32], t[32];
	int accepted = -1;

	if (ev == EV_OPEN) {
		if (P.big == NULL) {
			P.big = xrealloc(NULL, probe_opt.max);
			memset(P.big, 'a', probe_opt.max);
		}
		if (R->attempt == 1) {
			R->size = LIMIT_FIRST;
			R->lo = 0;
			R->hi = 0;
		}
		R->deadline = now_sec() + probe_opt.timeout + R->size / LIMIT_RATE;
		conn_send_data(R->c, WS_OP_TEXT, P.big, R->size, 1, 0);
		send_mark(R);
		return;
	}
	if (server_broke(R))
		return;
	/* the PING after it was answered: the whole message went through
	 * (what an echo does with it is other cases' business) */
	if (R->mark_seen)
		accepted = 1;
	else if (R->got_close || R->ended)
		accepted = 0;
	else if (ev == EV_TIMEOUT) {
		decide(R, V_FAILED, "neither accepted nor refused a %s message "
		    "within %s",
		    size_str(R->size, a, sizeof a), dur((probe_opt.timeout +
		    R->size / LIMIT_RATE) * 1000, t, sizeof t));
		return;
	}
	if (accepted < 0)
		return;
	if (accepted) {
		R->lo = R->size;
	} else {
		R->hi = R->size;
		if (R->got_close)
			snprintf(R->first_refusal, sizeof R->first_refusal,
			    "closed %u", R->close_code);
		else
			snprintf(R->first_refusal, sizeof R->first_refusal,
			    "%s", ending(R));
	}
	if (R->hi == 0 && R->lo >= probe_opt.max) {
		decide(R, V_INFO, "accepted %s, the most tried (--probe-max)",
		    size_str(R->lo, a, sizeof a));
		return;
	}
	if (R->hi && R->hi - R->lo <= (R->lo / 64 > 1024 ? R->lo / 64 : 1024)) {
		if (R->lo == 0)
			decide(R, V_INFO, "refused every size down to %s: %s",
			    size_str(R->hi, b, sizeof b), R->first_refusal);
		else
			decide(R, V_INFO, "largest accepted %s; %s %s",
			    size_str(R->lo, a, sizeof a),
			    size_str(R->hi, b, sizeof b), R->first_refusal);
		return;
	}
	if (R->hi == 0)
		R->size = R->size * 2 > probe_opt.max ? probe_opt.max : R->size * 2;
	else
		R->size = (R->lo + R->hi) / 2;
	R->again = 1;
}

/* 9.2: messages echoed per second, a window of them in flight. */
static void
rate_fill(struct run *R)
{
	while (!R->c->done && now_sec() < R->rate_until &&
	    R->rate_sent - R->rate_echoed < RATE_WINDOW) {
		char m[RATE_SIZE + 1];

		snprintf(m, sizeof m, "wscli probe rate %015" PRIu64,
		    R->rate_sent);
		conn_send_data(R->c, WS_OP_TEXT, (const uint8_t *)m, RATE_SIZE,
		    1, 0);
		R->rate_sent++;
	}
}

static void
c_rate(struct run *R, int ev)
{
	char t[32];

	if (ev == EV_OPEN) {
		R->rate_until = now_sec() + RATE_SECONDS;
		R->deadline = R->rate_until + probe_opt.timeout;
		rate_fill(R);
		return;
	}
	if (server_broke(R))
		return;
	if (ev == EV_MESSAGE && R->last.len == RATE_SIZE &&
	    !memcmp(R->last.head, "wscli probe rate ", 17)) {
		char want[RATE_SIZE + 1];

		snprintf(want, sizeof want, "wscli probe rate %015" PRIu64,
		    R->rate_echoed);
		if (memcmp(R->last.head, want, RATE_SIZE) != 0)
			R->rate_bad++;
		R->rate_echoed++;
	}
	if (R->rate_bad) {
		decide(R, V_FAILED, "echoes came back out of order or changed "
		    "(message %" PRIu64 ")", R->rate_echoed);
		return;
	}
	if (R->got_close || R->ended) {
		decide(R, V_FAILED, "%s after %" PRIu64 " of %" PRIu64
		    " messages echoed", R->got_close ? "closed" : ending(R),
		    R->rate_echoed, R->rate_sent);
		return;
	}
	if (now_sec() >= R->rate_until && R->rate_echoed == R->rate_sent) {
		double s = ms_since(R->sent_at) / 1000;

		decide(R, V_INFO, "%.0f messages/s echoed (%" PRIu64 " of %d "
		    "bytes in %s, %d in flight)", R->rate_echoed / s,
		    R->rate_echoed, RATE_SIZE, dur(s * 1000, t, sizeof t),
		    RATE_WINDOW);
		return;
	}
	if (ev == EV_TIMEOUT) {
		decide(R, V_FAILED, "%" PRIu64 " of %" PRIu64 " messages echoed; "
		    "no more within %g s", R->rate_echoed, R->rate_sent,
		    probe_opt.timeout);
		return;
	}
	rate_fill(R);
}

/* 9.3: does it close an idle connection? */
static void
c_idle(struct run *R, int ev)
{
	char t[32], pings[64] = "";

	if (ev == EV_OPEN) {
		R->deadline = now_sec() + probe_opt.idle;
		return;
	}
	if (server_broke(R))
		return;
	if (R->server_pings)
		snprintf(pings, sizeof pings, "; it sent %u ping%s",
		    R->server_pings, R->server_pings == 1 ? "" : "s");
	if (R->got_close)
		decide(R, V_INFO, "closed %u after %s idle%s", R->close_code,
		    dur(R->close_ms, t, sizeof t), pings);
	else if (R->ended)
		decide(R, V_INFO, "%s after %s idle%s", ending(R),
		    dur(R->end_ms, t, sizeof t), pings);
	else if (ev == EV_TIMEOUT)
		decide(R, V_INFO, "still open after %g s idle%s", probe_opt.idle,
		    pings);
}

/* 11.1: what was agreed. */
static void
c_deflate(struct run *R, int ev)
{
	if (ev != EV_DIALED)
		return;
	P.deflate_tried = 1;
	if (R->dial_exit >= 0) {
		decide(R, V_FAILED, "%s", R->dial_error);
		return;
	}
	P.deflate_agreed = R->agreed;
	if (R->agreed)
		decide(R, V_INFO, "agreed: %s", R->hdr_ext);
	else
		decide(R, V_INFO, "declined: no extension in the 101; the "
		    "other compression cases are UNTESTED");
}

/* 11.2: a compressed message comes back the same. */
static void
c_zecho(struct run *R, int ev)
{
	static const char msg[] = "wscli probe: compressed, compressed, "
	    "compressed, compressed";
	char t[32];

	if (ev == EV_OPEN) {
		R->c->compress = 1;
		conn_send_data(R->c, WS_OP_TEXT, (const uint8_t *)msg,
		    sizeof msg - 1, 1, 0);
		send_mark(R);
		return;
	}
	if (server_broke(R))
		return;
	if (ev == EV_MESSAGE && R->last.len == sizeof msg - 1 &&
	    R->last.hash == fnv(FNV0, (const uint8_t *)msg, sizeof msg - 1)) {
		decide(R, V_OK, "echoed in %s, the echo %scompressed",
		    dur(ms_since(R->sent_at), t, sizeof t), R->last.compressed ?
		    "" : "not ");
		return;
	}
	if (R->got_close || R->ended) {
		decide(R, V_FAILED, "%s instead of echoing", R->got_close ?
		    "closed" : ending(R));
		return;
	}
	if (ev == EV_TIMEOUT)
		decide(R, V_FAILED, "no echo within %g s", probe_opt.timeout);
}

/* ---------------------------------------------------------- the table */

#define A10 "aaaaaaaaaa"
#define A125 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 "aaaaa"
#define H10 "61616161616161616161"
#define H120 H10 H10 H10 H10 H10 H10 H10 H10 H10 H10 H10 H10

#define FAIL(id, name, send, code) \
	{ id, name, K_FAIL, send, NULL, { code }, 0, NULL, NULL }
#define FAIL2(id, name, send, c1, c2, fl) \
	{ id, name, K_FAIL, send, NULL, { c1, c2 }, fl, NULL, NULL }
#define ACCEPT(id, name, send) \
	{ id, name, K_ACCEPT, send, NULL, { 0 }, 0, NULL, NULL }
#define HS(id, name, header, fn) \
	{ id, name, K_HANDSHAKE, NULL, NULL, { 0 }, 0, header, fn }
#define HSF(id, name, header, fn, flags) \
	{ id, name, K_HANDSHAKE, NULL, NULL, { 0 }, flags, header, fn }
#define CUSTOM(id, name, flags, fn) \
	{ id, name, K_CUSTOM, NULL, NULL, { 0 }, flags, NULL, fn }
#define VALID_CLOSE(id, code, hex) \
	{ id, "close " #code " is echoed", K_CLOSE, "op=close hex:" hex, \
	    NULL, { 0 }, F_SAME, NULL, NULL }
#define BAD_CLOSE(id, code, hex) \
	{ id, "close " #code " is refused", K_CLOSE, "op=close hex:" hex, \
	    NULL, { 1002 }, F_REFUSE, NULL, NULL }

static const struct pcase cases[] = {
	HSF("1.1", "plain opening handshake", NULL, c_baseline, F_BASE),
	HSF("1.2", "draft version 8", "Sec-WebSocket-Version: 8",
	    judge_refuse, F_MAY),
	HS("1.3", "unknown version 99",
	    "Sec-WebSocket-Version: 99", judge_refuse),
	HS("1.4", "no Sec-WebSocket-Key", "Sec-WebSocket-Key:", judge_refuse),
	HS("1.5", "Sec-WebSocket-Key not 16 bytes",
	    "Sec-WebSocket-Key: d3NjbGkgcHJvYmU=", judge_refuse),
	HS("1.6", "no Upgrade header", "Upgrade:", judge_refuse),
	HS("1.7", "no Connection header", "Connection:", judge_refuse),
	HSF("1.8", "HTTP/1.0 request", NULL, judge_refuse, F_HTTP10),
	HSF("1.9", "POST instead of GET", NULL, judge_refuse, F_POST),
	HSF("1.10", "unknown subprotocol offered", NULL, judge_subprotocol,
	    F_PROTO),
	HS("1.11", "unknown extension offered",
	    "Sec-WebSocket-Extensions: x-wscli-probe; x=1", judge_extension),

	CUSTOM("2.1", "text message echoed", F_TEXT_ECHO, c_echo),
	CUSTOM("2.2", "binary message echoed", F_BIN_ECHO, c_echo),

	FAIL("3.1", "RSV1 on a text frame", "rsv=4 Hello", 1002),
	FAIL("3.2", "RSV2 on a text frame", "rsv=2 Hello", 1002),
	FAIL("3.3", "RSV3 on a text frame", "rsv=1 Hello", 1002),
	FAIL("3.4", "RSV1+RSV2 on a binary frame", "op=binary rsv=6 hex:00ff",
	    1002),
	FAIL("3.5", "RSV1+RSV3 on a binary frame", "op=binary rsv=5 hex:00ff",
	    1002),
	FAIL("3.6", "RSV2+RSV3 on a ping", "op=ping rsv=3 ping", 1002),
	FAIL("3.7", "RSV1-3 on a close", "op=close rsv=7 hex:03e8", 1002),

	FAIL("4.1", "reserved opcode 3", "op=3 reserved", 1002),
	FAIL("4.2", "reserved opcode 4", "op=4 reserved", 1002),
	FAIL("4.3", "reserved opcode 5", "op=5 reserved", 1002),
	FAIL("4.4", "reserved opcode 6", "op=6 reserved", 1002),
	FAIL("4.5", "reserved opcode 7", "op=7 reserved", 1002),
	FAIL("4.6", "reserved control opcode 0xB", "op=11 reserved", 1002),
	FAIL("4.7", "reserved control opcode 0xC", "op=12 reserved", 1002),
	FAIL("4.8", "reserved control opcode 0xD", "op=13 reserved", 1002),
	FAIL("4.9", "reserved control opcode 0xE", "op=14 reserved", 1002),
	FAIL("4.10", "reserved control opcode 0xF", "op=15 reserved", 1002),

	FAIL("5.1", "ping of 126 bytes", "op=ping text:a" A125, 1002),
	FAIL("5.2", "close of 126 bytes", "op=close hex:03e8 " H120
	    "61616161", 1002),
	FAIL("5.3", "fragmented ping", "fin=0 op=ping frag", 1002),
	FAIL("5.4", "fragmented pong", "fin=0 op=pong frag", 1002),
	FAIL("5.5", "continuation without a start", "op=cont orphan", 1002),
	FAIL("5.6", "new message inside a fragmented one",
	    "fin=0 Hel\nHello\nop=cont lo", 1002),
	FAIL("5.7", "unmasked client frame", "mask=none Hello", 1002),
	FAIL2("5.8", "non-minimal 16-bit length", "width=16 Hello", 1002, 0,
	    F_LENIENT),
	FAIL2("5.9", "non-minimal 64-bit length", "width=64 Hello", 1002, 0,
	    F_LENIENT),
	FAIL("5.10", "64-bit length with the top bit set",
	    "op=binary width=64 len=0x8000000000000005 hello", 1002),

	ACCEPT("6.1", "empty ping", "op=ping"),
	ACCEPT("6.2", "ping of 125 bytes", "op=ping " A125),
	ACCEPT("6.3", "ping with a binary payload",
	    "op=ping hex:00 ff fe 80 01 7f c0 c1 ed a0 80"),
	ACCEPT("6.4", "ping between fragments",
	    "fin=0 Hel\nop=ping between\nop=cont lo"),
	ACCEPT("6.5", "ten pings in a row",
	    "op=ping 1\nop=ping 2\nop=ping 3\nop=ping 4\nop=ping 5\n"
	    "op=ping 6\nop=ping 7\nop=ping 8\nop=ping 9\nop=ping 10"),
	ACCEPT("6.6", "unsolicited pong ignored", "op=pong unsolicited"),

	FAIL("7.1", "invalid UTF-8 in one frame",
	    "hex:ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74", 1007),
	FAIL("7.2", "invalid UTF-8 split across fragments",
	    "fin=0 hex:ce ba e1 bd b9 cf 83 ed\nop=cont hex:a0 80 65 64",
	    1007),
	ACCEPT("7.3", "code points split across fragments",
	    "fin=0 hex:ce ba e1\nfin=0 op=cont hex:bd b9 cf 83 ce\n"
	    "op=cont hex:bc ce b5"),
	ACCEPT("7.4", "a code point one byte per frame",
	    "fin=0 hex:f0\nfin=0 op=cont hex:9f\nfin=0 op=cont hex:98\n"
	    "op=cont hex:80"),
	{ "7.5", "fail fast on invalid UTF-8", K_FAIL,
	    "fin=0 hex:ce ba ed a0 80", "op=cont hex:65 64", { 1007 }, 0,
	    NULL, NULL },
	FAIL("7.6", "message ends inside a code point",
	    "hex:ce ba e1 bd", 1007),
	FAIL("7.7", "overlong encoding", "hex:c0 af", 1007),
	FAIL("7.8", "code point above U+10FFFF", "hex:f4 90 80 80", 1007),
	ACCEPT("7.9", "U+10FFFF and U+FFFF accepted",
	    "hex:f4 8f bf bf ef bf bf"),

	{ "8.1", "close without a code is answered", K_CLOSE, "op=close",
	    NULL, { 1000, 1005 }, 0, NULL, NULL },
	{ "8.2", "close with a 1-byte payload is refused", K_CLOSE,
	    "op=close hex:03", NULL, { 1002 }, F_REFUSE, NULL, NULL },
	VALID_CLOSE("8.3.1", 1000, "03e8"),
	VALID_CLOSE("8.3.2", 1001, "03e9"),
	VALID_CLOSE("8.3.3", 1002, "03ea"),
	VALID_CLOSE("8.3.4", 1003, "03eb"),
	VALID_CLOSE("8.3.5", 1007, "03ef"),
	VALID_CLOSE("8.3.6", 1008, "03f0"),
	VALID_CLOSE("8.3.7", 1009, "03f1"),
	VALID_CLOSE("8.3.8", 1010, "03f2"),
	VALID_CLOSE("8.3.9", 1011, "03f3"),
	VALID_CLOSE("8.3.10", 1012, "03f4"),
	VALID_CLOSE("8.3.11", 1013, "03f5"),
	VALID_CLOSE("8.3.12", 1014, "03f6"),
	VALID_CLOSE("8.3.13", 3000, "0bb8"),
	VALID_CLOSE("8.3.14", 3999, "0f9f"),
	VALID_CLOSE("8.3.15", 4000, "0fa0"),
	VALID_CLOSE("8.3.16", 4999, "1387"),
	BAD_CLOSE("8.4.1", 0, "0000"),
	BAD_CLOSE("8.4.2", 999, "03e7"),
	BAD_CLOSE("8.4.3", 1004, "03ec"),
	BAD_CLOSE("8.4.4", 1005, "03ed"),
	BAD_CLOSE("8.4.5", 1006, "03ee"),
	BAD_CLOSE("8.4.6", 1015, "03f7"),
	BAD_CLOSE("8.4.7", 1016, "03f8"),
	BAD_CLOSE("8.4.8", 1100, "044c"),
	BAD_CLOSE("8.4.9", 2000, "07d0"),
	BAD_CLOSE("8.4.10", 2999, "0bb7"),
	BAD_CLOSE("8.4.11", 5000, "1388"),
	BAD_CLOSE("8.4.12", 65535, "ffff"),
	{ "8.5", "close with a 123-byte reason", K_CLOSE,
	    "op=close hex:03e8 " H120 "616161", NULL, { 0 }, F_SAME,
	    NULL, NULL },
	{ "8.6", "close reason not UTF-8", K_CLOSE,
	    "op=close hex:03e8 ce ba ed a0 80", NULL, { 1007, 1002 }, F_REFUSE,
	    NULL, NULL },
	{ "8.7", "data after close is ignored", K_CLOSE,
	    "op=close hex:03e8\nafter close\nop=ping after close", NULL,
	    { 0 }, F_SAME | F_AFTER, NULL, NULL },
	{ "8.8", "the server closes TCP first", K_CLOSE, "op=close hex:03e8",
	    NULL, { 0 }, F_SAME | F_TCP, NULL, NULL },

	CUSTOM("9.1", "largest message", 0, c_limit),
	CUSTOM("9.2", "messages per second echoed", F_ECHO, c_rate),
	CUSTOM("9.3", "idle timeout", 0, c_idle),

	HS("10.1", "foreign Origin", "Origin: http://wscli-probe.invalid",
	    judge_origin),
	HS("10.2", "no Origin", "Origin:", judge_origin),

	{ "11.1", "permessage-deflate negotiation", K_HANDSHAKE, NULL, NULL,
	    { 0 }, F_DEFLATE, NULL, c_deflate },
	CUSTOM("11.2", "compressed message echoed", F_DEFLATE | F_ECHO,
	    c_zecho),
	{ "11.3", "RSV1 on a continuation frame", K_FAIL,
	    "fin=0 Hel\nrsv=4 op=cont lo", NULL, { 1002 }, F_DEFLATE, NULL,
	    NULL },
	{ "11.4", "RSV1 on a ping", K_FAIL, "rsv=4 op=ping x", NULL,
	    { 1002 }, F_DEFLATE, NULL, NULL },
	{ "11.5", "invalid DEFLATE data", K_FAIL, "rsv=4 hex:ff ff ff ff ff",
	    NULL, { 1007, 1002 }, F_DEFLATE, NULL, NULL },
};

#define NCASES (sizeof cases / sizeof cases[0])

/* Is case k selected by --probe-cases? A section selects its cases. */
static int
selected(const struct pcase *k)
{
	const char *s = probe_opt.cases;

	if (s == NULL)
		return 1;
	while (*s) {
		size_t n = strcspn(s, ",");

		if (n > 0 && !strncmp(k->id, s, n) &&
		    (k->id[n] == '\0' || k->id[n] == '.'))
			return 1;
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

/* 1.1 always runs; 2.x when a case needs an echo, 11.1 when one needs
 * compression. */
static int
wanted(size_t i)
{
	const struct pcase *k = &cases[i];

	if (selected(k) || (k->flags & F_BASE))
		return 1;
	for (size_t j = 0; j < NCASES; j++) {
		if (!selected(&cases[j]))
			continue;
		if ((k->flags & (F_TEXT_ECHO | F_BIN_ECHO)) &&
		    (cases[j].kind == K_ACCEPT || (cases[j].flags & F_ECHO) ||
		    !strcmp(cases[j].id, "9.1")))
			return 1;
		if (!strcmp(k->id, "11.1") && (cases[j].flags & F_DEFLATE))
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------ connection ops */

static void step(struct run *R, int ev);

static void
ev_message_begin(struct conn *c)
{
	struct run *R = c->ud;

	memset(&R->cur, 0, sizeof R->cur);
	R->cur.op = c->in.opcode;
	R->cur.hash = FNV0;
	R->cur.compressed = c->in.compressed;
}

static void
ev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	struct run *R = c->ud;

	if (R->cur.nhead < HEAD_KEEP) {
		size_t k = HEAD_KEEP - R->cur.nhead < n ? HEAD_KEEP -
		    R->cur.nhead : n;

		memcpy(R->cur.head + R->cur.nhead, p, k);
		R->cur.nhead += k;
	}
	R->cur.hash = fnv(R->cur.hash, p, n);
	R->cur.len += n;
}

static void
ev_message_end(struct conn *c)
{
	struct run *R = c->ud;

	R->last = R->cur;
	R->nmsgs++;
	step(R, EV_MESSAGE);
}

static void
ev_control(struct conn *c, char dir, unsigned op, const uint8_t *p,
    size_t n, const char *note, double rtt)
{
	struct run *R = c->ud;

	if (dir != '<')
		return;
	if (op == WS_OP_PING) {
		R->server_pings++;
		return;
	}
	if (op != WS_OP_PONG)
		return;
	R->npongs++;
	memcpy(R->pong, p, n);
	R->pong_len = n;
	if (n == sizeof MARK - 1 && !memcmp(p, MARK, n)) {
		R->mark_seen = 1;
		if (!R->got_close)
			R->mark_before_close = 1;
	}
	step(R, EV_PONG);
}

static void
ev_close(struct conn *c, char dir, unsigned code, const uint8_t *reason,
    size_t n)
{
	struct run *R = c->ud;

	if (dir != '<' || R->got_close)
		return;
	R->got_close = 1;
	R->close_code = code;
	R->close_ms = ms_since(R->sent_at);
	step(R, EV_CLOSE);
}

static void
ev_ended(struct conn *c)
{
	struct run *R = c->ud;

	R->ended = 1;
	R->end_exit = c->exit;
	snprintf(R->end_why, sizeof R->end_why, "%s", c->why);
	R->end_ms = ms_since(R->sent_at);
	if (!R->cleaning)
		step(R, EV_END);
}

static const struct conn_ops probe_conn_ops = {
	.message_begin = ev_message_begin,
	.message_data = ev_message_data,
	.message_end = ev_message_end,
	.control = ev_control,
	.close = ev_close,
	.ended = ev_ended,
};

/* -------------------------------------------- TCP after the handshake */

static int
watch_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    double *deadline, int *busy)
{
	struct watch *w = s->ud;

	if (w->tr == NULL || max < 1)
		return 0;
	pfd[0].fd = w->tr->fd;
	pfd[0].events = tr_want(w->tr, POLLIN);
	if (tr_pending(w->tr))
		*busy = 1;
	return 1;
}

static void
watch_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	struct watch *w = s->ud;
	uint8_t buf[4096];

	if (w->tr == NULL || w->R == NULL)
		return;
	if ((n < 1 || !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) &&
	    !tr_pending(w->tr))
		return;
	for (;;) {
		ssize_t r = tr_recv(w->tr, buf, sizeof buf);

		if (r == TR_AGAIN)
			return;
		if (r <= 0) {
			w->R->tcp_done = 1;
			w->R->tcp_ms = ms_since(w->R->sent_at);
			tr_free(w->tr);
			w->tr = NULL;
			loop_remove(&w->src);
			step(w->R, EV_TCP);
			return;
		}
		w->R->after_bytes += (uint64_t)r;
	}
}

static void
watch_start(struct run *R)
{
	struct watch *w = xrealloc(NULL, sizeof *w);

	memset(w, 0, sizeof *w);
	w->R = R;
	w->tr = R->c->tr;       /* the conn is done with it */
	R->c->tr = NULL;
	w->src.prepare = watch_prepare;
	w->src.dispatch = watch_dispatch;
	w->src.ud = w;
	R->w = w;
	bury(w);
	loop_add(&w->src);
}

static void
watch_stop(struct run *R)
{
	if (R->w == NULL)
		return;
	if (R->w->tr) {
		tr_free(R->w->tr);
		R->w->tr = NULL;
		loop_remove(&R->w->src);
	}
	R->w->R = NULL;
	R->w = NULL;
}

/* ------------------------------------------------------------- running */

static void
step(struct run *R, int ev)
{
	if (R->decided || R->again || R->cleaning)
		return;
	switch (R->k->kind) {
	case K_FAIL:
		judge_fail(R, ev);
		break;
	case K_ACCEPT:
		judge_accept(R, ev);
		break;
	case K_CLOSE:
		judge_close(R, ev);
		break;
	default:
		if (R->k->custom)
			R->k->custom(R, ev);
		break;
	}
}

static void
on_dialed(void *ud, struct dial_result *r)
{
	struct run *R = ud;
	const struct up_header *h;

	R->dial = NULL;
	R->status = r->status;
	R->dial_exit = r->exit;
	snprintf(R->dial_error, sizeof R->dial_error, "%s", r->error);
	if (r->status) {
		snprintf(R->reason, sizeof R->reason, "%.*s",
		    (int)r->resp.reason_len, r->resp.reason);
		up_get(&r->resp, "Sec-WebSocket-Version", R->hdr_version,
		    sizeof R->hdr_version);
		up_get(&r->resp, "Sec-WebSocket-Protocol", R->hdr_protocol,
		    sizeof R->hdr_protocol);
		up_get(&r->resp, "Sec-WebSocket-Extensions", R->hdr_ext,
		    sizeof R->hdr_ext);
		(void)h;
	}
	R->agreed = r->pmd != NULL;
	if (R->k->kind == K_HANDSHAKE) {
		step(R, EV_DIALED);
		return;  /* the dialer frees a connection left in r */
	}
	if (r->exit >= 0) {
		decide(R, V_FAILED, "could not connect: %s", r->error);
		return;
	}
	if ((R->k->flags & F_DEFLATE) && r->pmd == NULL) {
		decide(R, V_UNTESTED, "permessage-deflate not agreed");
		return;
	}
	R->c = xrealloc(NULL, sizeof *R->c);
	bury(R->c);
	conn_init(R->c, &(struct conn_config){ .role = WS_ROLE_CLIENT,
	    .ops = &probe_conn_ops, .ud = R, .close_timeout = probe_opt.timeout },
	    r->tr, r->pmd);
	r->tr = NULL;
	r->pmd = NULL;
	R->opened = 1;
	R->sent_at = now_sec();
	step(R, EV_OPEN);
	if (!R->decided && !R->c->done)
		conn_feed(R->c, r->early, r->nearly);
}

static void
start_attempt(struct run *R)
{
	const struct pcase *k = R->k;
	struct dial_params p = { 0 };
	const char *hdrs[260];
	const char *unknown[] = { "x-wscli-probe-unknown" };
	size_t nh = 0;

	p.net = opts_dial_net();
	R->attempt++;
	R->again = 0;
	R->t0 = now_sec();
	R->sent_at = R->t0;
	R->deadline = R->t0 + probe_opt.timeout;
	/* what the last attempt saw is forgotten */
	R->opened = R->got_close = R->ended = R->tcp_done = 0;
	R->npongs = R->mark_seen = R->mark_before_close = 0;
	R->nmsgs = 0;
	R->status = 0;
	R->dial_exit = -1;

	if (k->header)
		hdrs[nh++] = k->header;
	for (size_t i = 0; i < P.nhdrs && nh < 256; i++)
		hdrs[nh++] = P.hdrs[i];
	p.url = opt.url;
	p.protocols = opt.protocols;
	p.nprotocols = (size_t)opt.nprotocols;
	if (k->flags & F_PROTO) {
		p.protocols = unknown;
		p.nprotocols = 1;
	}
	p.deflate = (k->flags & F_DEFLATE) && opt.deflate ?
	    &opt.deflate_offer : NULL;
	p.origin = opt.origin;
	p.headers = hdrs;
	p.nheaders = nh;
	p.follow = opt.location;
	p.max_redirs = opt.max_redirs;
	p.timeout = k->flags & F_BASE ? opt.connect_timeout : probe_opt.timeout;
	p.verbose = opt.verbose && (k->flags & F_BASE);
	p.quiet_refusal = !(k->flags & F_BASE);
	p.label = "";
	p.http10 = (k->flags & F_HTTP10) != 0;
	p.method = k->flags & F_POST ? "POST" : NULL;
	R->dial = dial_start(&p, on_dialed, R);
	if (R->dial == NULL)
		decide(R, V_FAILED, "cannot start connecting: out of memory");
}

/* The attempt is over: let go of its connection. */
static void
end_attempt(struct run *R)
{
	R->cleaning = 1;
	if (R->dial) {
		dial_cancel(R->dial);
		R->dial = NULL;
	}
	watch_stop(R);
	if (R->c) {
		if (!R->c->done)
			conn_abort(R->c, EXIT_OK, "the probe case is over");
		conn_free(R->c);
		R->c = NULL;
	}
	R->cleaning = 0;
}

static void
report(const struct run *R)
{
	char line[1024];
	int n;

	P.counts[R->v]++;
	P.ncases++;
	if (opt.jsonl) {
		jsonl_begin(show_jsonl_writer, "case");
		jsonl_str("id", R->k->id);
		jsonl_str("name", R->k->name);
		jsonl_str("verdict", vname[R->v]);
		jsonl_str("detail", R->detail);
		if (R->got_close)
			jsonl_int("close_code", R->close_code);
		jsonl_num("ms", ms_since(R->t0));
		jsonl_end();
	} else {
		n = snprintf(line, sizeof line, "%-7s %-44s %-13s %s\n",
		    R->k->id, R->k->name, vname[R->v], R->detail);
		out_write(line, n > 0 && (size_t)n < sizeof line ?
		    (size_t)n : strlen(line));
	}
	out_flush();
}

static void
start_case(size_t i)
{
	struct run *R = xrealloc(NULL, sizeof *R);
	const struct pcase *k = &cases[i];

	memset(R, 0, sizeof *R);
	bury(R);
	R->k = k;
	P.R = R;
	if ((k->flags & F_DEFLATE) && !opt.deflate) {
		decide(R, V_UNTESTED, "needs --deflate");
		return;
	}
	if ((k->flags & F_DEFLATE) && strcmp(k->id, "11.1") &&
	    P.deflate_tried && !P.deflate_agreed) {
		decide(R, V_UNTESTED, "permessage-deflate not agreed");
		return;
	}
	if ((k->flags & F_ECHO) && !P.echo_text) {
		decide(R, V_UNTESTED, "the server does not echo");
		return;
	}
	if (!strcmp(k->id, "9.3") && probe_opt.idle <= 0) {
		decide(R, V_UNTESTED, "needs --probe-idle SECONDS");
		return;
	}
	start_attempt(R);
}

static int
src_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    double *deadline, int *busy)
{
	struct run *R = P.R;

	if (R == NULL || R->decided || R->again)
		*busy = 1;
	else if (*deadline == 0 || R->deadline < *deadline)
		*deadline = R->deadline;
	return 0;
}

static void
src_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	struct run *R = P.R;

	if (R && !R->decided && !R->again && now >= R->deadline) {
		step(R, EV_TIMEOUT);
		if (!R->decided && !R->again)
			decide(R, V_FAILED, "no verdict within %g s",
			    probe_opt.timeout);
	}
	if (R && R->again) {
		end_attempt(R);
		start_attempt(R);
		return;
	}
	if (R && R->decided) {
		end_attempt(R);
		report(R);
		P.R = NULL;
		/* without the plain connection nothing else can run */
		if (P.exit >= 0) {
			loop_stop();
			return;
		}
	}
	if (P.R == NULL) {
		while ((size_t)P.next < NCASES && !wanted((size_t)P.next))
			P.next++;
		if ((size_t)P.next == NCASES) {
			loop_stop();
			return;
		}
		start_case((size_t)P.next++);
	}
}

int
probe_run(void)
{
	const char *hdrs[256];
	size_t nh = 0;
	double secs;
	char u[1024];
	int rc;

	signal(SIGPIPE, SIG_IGN);
	for (struct curl_slist *l = opt.headers; l && nh < 256; l = l->next)
		hdrs[nh++] = l->data;
	P.hdrs = hdrs;
	P.nhdrs = nh;
	P.exit = -1;
	P.t0 = now_sec();
	/* the report says what happened in each case */
	if (!opt.verbose) {
		term_set_mute(1);
		term_set_quiet(1);
	}
	loop_set_before_block(out_flush);
	P.src.prepare = src_prepare;
	P.src.dispatch = src_dispatch;
	loop_add(&P.src);
	if (loop_run() != 0) {
		term_set_mute(0);
		diag("poll: %s", strerror(errno));
		P.exit = EXIT_ERROR;
	}
	if (P.R) {
		end_attempt(P.R);
		P.R = NULL;
	}
	loop_remove(&P.src);
	loop_release();
	term_set_mute(0);
	term_set_quiet(opt.quiet);
	secs = now_sec() - P.t0;
	url_redacted(opt.url, u, sizeof u);
	if (opt.jsonl) {
		jsonl_begin(show_jsonl_writer, "summary");
		jsonl_str("url", u);
		jsonl_int("cases", P.ncases);
		for (int v = 0; v < NVERDICTS; v++) {
			char key[32];

			snprintf(key, sizeof key, "%s", vname[v]);
			for (char *c = key; *c; c++)
				*c = *c == ' ' || *c == '-' ? '_' :
				    (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
			jsonl_int(key, P.counts[v]);
		}
		jsonl_num("seconds", secs);
		jsonl_end();
	} else {
		char line[512];
		size_t o;

		char t[32];

		o = (size_t)snprintf(line, sizeof line, "\n%u cases in %s "
		    "against %s:", P.ncases, dur(secs * 1000, t, sizeof t), u);
		for (int v = 0; v < NVERDICTS; v++)
			if (P.counts[v])
				o += (size_t)snprintf(line + o, sizeof line - o,
				    " %u %s,", P.counts[v], vname[v]);
		if (line[o - 1] == ',')
			o--;
		o += (size_t)snprintf(line + o, sizeof line - o, "\n");
		out_write(line, o);
	}
	out_flush();
	if (P.exit >= 0)
		rc = P.exit;
	else if (out_failed())
		rc = EXIT_ERROR;
	else
		rc = P.counts[V_FAILED] ? EXIT_ERROR : EXIT_OK;
	for (size_t i = 0; i < P.ngrave; i++)
		free(P.grave[i]);
	free(P.grave);
	free(P.big);
	out_free();
	return rc;
}
