/*
 * probecases.c - the case catalogue of wscli --probe; see probecases.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "conn.h"
#include "craft.h"
#include "exit.h"
#include "frame.h"
#include "loop.h"
#include "opts.h"
#include "probecases.h"
#include "show.h"
#include "term.h"
#include "upgrade.h"

#define LIMIT_FIRST 4096         /* 9.1 starts here, doubling */
#define LIMIT_RATE (16.0 * 1048576) /* 9.1: bytes/s granted on top of
				       --probe-timeout for a big message */
#define RATE_SECONDS 1.0         /* 9.2 sends this long */
#define RATE_WINDOW 256          /* 9.2: messages in flight */
#define RATE_SIZE 32             /* 9.2: bytes of each */
#define ECHO_GRACE 0.25          /* s an echo may come after the last pong */


struct pc_found pc_found = { .exit = -1 };

const char *const pc_verdict_name[NVERDICTS] = {
	"OK", "NON-STRICT", "FAILED", "WRONG CODE", "UNCLEAN",
	"INFORMATIONAL", "UNTESTED",
};


void
pc_decide(struct run *R, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	if (R->decided)
		return;
	R->decided = 1;
	R->v = v;
	va_start(ap, fmt);
	vsnprintf(R->detail, sizeof R->detail, fmt, ap);
	va_end(ap);
	/* a line that is not OK says what is required and what to change,
	 * unless it says so already */
	if ((v == V_NON_STRICT || v == V_FAILED || v == V_WRONG_CODE ||
	    v == V_UNCLEAN) && strstr(R->detail, "RFC ") == NULL &&
	    pc_rule(R->k->id)) {
		size_t n = strlen(R->detail);

		snprintf(R->detail + n, sizeof R->detail - n, " -- %s",
		    pc_rule(R->k->id));
	}
}

double
pc_ms_since(double t)
{
	return (now_sec() - t) * 1000;
}

/* "1.2 ms", "340 ms", "2.1 s" */
const char *
pc_dur(double ms, char *buf, size_t cap)
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

uint64_t
pc_fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* ------------------------------------------------------------ trace */

#define TRACE_MAX 65536          /* bytes of trace a case keeps */

void
pc_trace(struct run *R, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (!R->trace)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	if (R->trace_len + (size_t)n + 2 > TRACE_MAX) {
		R->trace_dropped++;
		return;
	}
	if (R->trace_len + (size_t)n + 2 > R->trace_cap) {
		R->trace_cap = R->trace_cap ? R->trace_cap * 2 : 4096;
		while (R->trace_cap < R->trace_len + (size_t)n + 2)
			R->trace_cap *= 2;
		R->trace_buf = xrealloc(R->trace_buf, R->trace_cap);
	}
	memcpy(R->trace_buf + R->trace_len, line, (size_t)n);
	R->trace_len += (size_t)n;
	R->trace_buf[R->trace_len++] = '\n';
	R->trace_buf[R->trace_len] = '\0';
}

void
pc_trace_frame(struct run *R, char dir, const struct ws_frame_header *h,
    const uint8_t *p, size_t n)
{
	char line[1024];

	if (!R->trace)
		return;
	if (h->opcode == WS_OP_TEXT || h->opcode == WS_OP_BINARY)
		R->trace_op = h->opcode;
	show_format_frame(line, sizeof line, 0, dir, h, R->trace_op,
	    (h->rsv & 4) && !ws_opcode_is_control(h->opcode), p, n);
	line[strcspn(line, "\n")] = '\0';
	pc_trace(R, "%s", line);
}

/* ---------------------------------------------------------- sending */

/* The SPEC of n bytes at s, its payload "@N" (a table's shorthand for
 * N bytes of 'a') written out. */
static char *
expand(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t k, o;
	char *r;

	if (at == NULL || (at != s && at[-1] != ' '))
		return xstrndup(s, n);
	k = (size_t)strtoul(at + 1, NULL, 10);
	o = (size_t)(at - s);
	r = xrealloc(NULL, o + 5 + k + 1);
	memcpy(r, s, o);
	memcpy(r + o, "text:", 5);
	memset(r + o + 5, 'a', k);
	r[o + 5 + k] = '\0';
	return r;
}

/* Send SPECs (one a line) as crafted frames; with expect, note the PONGs
 * and echoes a correct server owes for them. */
static void
send_specs(struct run *R, const char *specs, int expect)
{
	const char *s = specs;
	struct msg_seen m = { 0 };
	int in_msg = 0;

	while (s && *s && !conn_done(R->c)) {
		size_t n = strcspn(s, "\n"), cap;
		char *spec = expand(s, n);
		uint8_t *buf = xrealloc(NULL, strlen(spec) + 1), *out;
		struct craft_frame f;
		char why[512];

		if (craft_parse(spec, WS_ROLE_CLIENT, buf, strlen(spec) + 1, &f,
		    why, sizeof why) != 0) {
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
		if (R->trace) {
			struct ws_frame_header h = {
				.fin = f.fin, .rsv = f.rsv, .opcode = f.opcode,
				.masked = (unsigned)f.masked, .length = f.len,
				.header_size = cap - f.n,
			};

			memcpy(h.mask, f.key, 4);
			pc_trace_frame(R, '>', &h, f.payload, f.n < CONN_PEEK ?
			    f.n : CONN_PEEK);
		}
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
			m.hash = PC_FNV0;
			in_msg = 1;
		}
		if (expect && in_msg && (f.opcode == WS_OP_TEXT ||
		    f.opcode == WS_OP_BINARY || f.opcode == WS_OP_CONT)) {
			m.hash = pc_fnv(m.hash, f.payload, f.n);
			m.len += f.n;
			if (f.fin) {
				in_msg = 0;
				if (R->nexp_msg < MAX_MSGS &&
				    ((m.op == WS_OP_TEXT && pc_found.echo_text) ||
				    (m.op == WS_OP_BINARY && pc_found.echo_binary)))
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
		pc_decide(R, V_FAILED, "the server sent something invalid: %s "
		    "(RFC 6455 5.2-5.6, 8.1: every frame the server sends MUST "
		    "follow the framing rules, a text message MUST be valid "
		    "UTF-8; fix what it sends)", R->end_why);
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
		if (!expected_code(R, R->close_code) && R->k->near_why &&
		    (R->close_code == R->k->near[0] ||
		    R->close_code == R->k->near[1]))
			pc_decide(R, V_NON_STRICT, "closed %u in %s (%s expected: "
			    "%s)", R->close_code, pc_dur(R->close_ms, t,
			    sizeof t), codes_str(R, b, sizeof b), R->k->near_why);
		else if (!expected_code(R, R->close_code))
			pc_decide(R, V_WRONG_CODE, "closed %u in %s (expected %s)",
			    R->close_code, pc_dur(R->close_ms, t, sizeof t),
			    codes_str(R, b, sizeof b));
		else if (R->then_sent)
			pc_decide(R, V_NON_STRICT, "closed %u in %s, but only once "
			    "the message was complete", R->close_code,
			    pc_dur(R->close_ms, t, sizeof t));
		else if (R->mark_before_close)
			pc_decide(R, V_NON_STRICT, "answered a later ping first, "
			    "then closed %u in %s", R->close_code,
			    pc_dur(R->close_ms, t, sizeof t));
		else
			pc_decide(R, V_OK, "closed %u in %s", R->close_code,
			    pc_dur(R->close_ms, t, sizeof t));
		return;
	}
	if (R->ended) {
		if (R->mark_seen)
			pc_decide(R, V_FAILED, "went on past it (answered a later "
			    "ping), then %s", ending(R));
		else
			pc_decide(R, V_NON_STRICT, "%s in %s (it SHOULD close with "
			    "%s first)", ending(R), pc_dur(R->end_ms, t, sizeof t),
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
			pc_decide(R, V_INFO, "accepted it (RFC 6455 puts this rule "
			    "on the sender; failing with %s is allowed too)",
			    codes_str(R, b, sizeof b));
		else
			pc_decide(R, V_FAILED, "accepted it: answered the ping "
			    "sent after it, no close");
		return;
	}
	if (ev == EV_PONG && R->mark_seen && R->then_sent) {
		pc_decide(R, V_FAILED, "accepted it, whole message included: no "
		    "close");
		return;
	}
	if (ev == EV_TIMEOUT)
		pc_decide(R, V_FAILED, "no close and no answer to a later ping "
		    "within %g s", probe_opt.timeout);
}

/* -------------------------------------------------------- accept cases */

/* Ping i of an accept case, for people: "the empty ping", "'between'",
 * "the probe's own ping, sent last". */
static const char *
ping_str(const struct run *R, int i, char *buf, size_t cap)
{
	const uint8_t *p = R->exp_pong[i].p;
	size_t n = R->exp_pong[i].n, k;

	for (k = 0; k < n && p[k] >= 0x20 && p[k] < 0x7f && p[k] != '\''; k++)
		;
	if (n == sizeof MARK - 1 && !memcmp(p, MARK, n))
		snprintf(buf, cap, "the probe's own ping, sent last");
	else if (n == 0)
		snprintf(buf, cap, "the empty ping");
	else if (k == n && n <= 24)
		snprintf(buf, cap, "'%.*s'", (int)n, (const char *)p);
	else
		snprintf(buf, cap, "%zu bytes", n);
	return buf;
}

/* Time is up and pings next_pong... got no pong: say which were
 * answered and which not. */
static void
no_pong(struct run *R)
{
	char ans[160] = "", miss[160], d[64];
	int a = R->next_pong, m = R->nexp_pong;

	if (a == 1)
		snprintf(ans, sizeof ans, "answered ping 1 of %d (%s), ", m,
		    ping_str(R, 0, d, sizeof d));
	else if (a > 1)
		snprintf(ans, sizeof ans, "answered pings 1-%d of %d, ", a, m);
	if (m - a == 1)
		snprintf(miss, sizeof miss, "ping %d of %d (%s)", m, m,
		    ping_str(R, m - 1, d, sizeof d));
	else
		snprintf(miss, sizeof miss, "pings %d-%d of %d", a + 1, m, m);
	pc_decide(R, V_FAILED, "%sno pong for %s within %g s (RFC 6455 5.5.2: "
	    "every ping MUST get a pong; 5.5.3 lets one pong answer the "
	    "latest of several, not the first: answer each ping, or the "
	    "latest)", ans, miss, probe_opt.timeout);
}

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
	if (R->got_close && R->close_code == 1009) {
		pc_decide(R, V_INFO, "closed 1009 Message Too Big in %s: its "
		    "limit is below this (a limit is the server's to choose, "
		    "RFC 6455 7.4.1)", pc_dur(R->close_ms, t, sizeof t));
		return;
	}
	if (R->got_close) {
		pc_decide(R, V_FAILED, "closed %u in %s", R->close_code,
		    pc_dur(R->close_ms, t, sizeof t));
		return;
	}
	if (R->ended) {
		pc_decide(R, V_FAILED, "%s in %s", ending(R),
		    pc_dur(R->end_ms, t, sizeof t));
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
			pc_decide(R, V_FAILED, "a pong of %zu bytes (%s%s) answers "
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
			pc_decide(R, V_OK, "accepted, echoed unchanged in %s%s",
			    pc_dur(pc_ms_since(R->sent_at), t, sizeof t), extra);
		else if (R->nexp_pong > 1)
			pc_decide(R, V_OK, "pongs match, in %s%s",
			    pc_dur(pc_ms_since(R->sent_at), t, sizeof t), extra);
		else
			pc_decide(R, V_OK, "accepted (answered a later ping in "
			    "%s)", pc_dur(pc_ms_since(R->sent_at), t, sizeof t));
		return;
	}
	/* every ping answered, the echo missing: an echo comes before the
	 * pong of a ping sent after the message, so do not wait long */
	if (ev == EV_PONG && R->next_pong == R->nexp_pong &&
	    R->deadline > now_sec() + ECHO_GRACE)
		R->deadline = now_sec() + ECHO_GRACE;
	if (ev == EV_TIMEOUT) {
		if (R->next_pong < R->nexp_pong)
			no_pong(R);
		else
			pc_decide(R, V_INFO, "accepted (every ping answered), but "
			    "not echoed unchanged: RFC 6455 asks nothing of what "
			    "comes back (a mirror or a relay is no echo), but an "
			    "echo server that drops or changes messages has a "
			    "bug");
	}
}

/* --------------------------------------------------------- close cases */

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
		pc_decide(R, V_FAILED, "answered what came after its close "
		    "(%s)", ev == EV_PONG ? "a pong" : "an echo");
		return;
	}
	if (R->got_close && (f & (F_TCP | F_AFTER)) && !R->tcp_done &&
	    ev != EV_TIMEOUT) {
		if (R->ended && R->w == NULL)
			R->want_watch = 1;
		return;
	}
	if (R->got_close) {
		char extra[160] = "";

		if (f & F_TCP) {
			if (R->tcp_done)
				snprintf(extra, sizeof extra, "; the server "
				    "closed TCP %s later", pc_dur(R->tcp_ms -
				    R->close_ms, t, sizeof t));
			else {
				pc_decide(R, V_NON_STRICT, "answered %s, then left "
				    "TCP open for %g s (the server SHOULD close "
				    "it first)", code_str(R->close_code, b,
				    sizeof b), probe_opt.timeout);
				return;
			}
		}
		if ((f & F_AFTER) && R->after_bytes) {
			pc_decide(R, V_FAILED, "answered the close, then sent %"
			    PRIu64 " more bytes", R->after_bytes);
			return;
		}
		if (expected_code(R, R->close_code))
			pc_decide(R, V_OK, "answered %s in %s%s",
			    code_str(R->close_code, b, sizeof b),
			    pc_dur(R->close_ms, t, sizeof t), extra);
		else if ((f & F_REFUSE) && R->close_code == R->sent_code &&
		    R->sent_code != WS_CLOSE_NO_STATUS)
			pc_decide(R, V_FAILED, "echoed it: answered %s in %s "
			    "(expected %s)", code_str(R->close_code, b,
			    sizeof b), pc_dur(R->close_ms, t, sizeof t),
			    codes_str(R, c2, sizeof c2));
		else if (f & F_REFUSE)
			pc_decide(R, V_WRONG_CODE, "answered %s in %s (expected "
			    "%s)", code_str(R->close_code, b, sizeof b),
			    pc_dur(R->close_ms, t, sizeof t),
			    codes_str(R, c2, sizeof c2));
		else
			pc_decide(R, V_NON_STRICT, "answered %s in %s (an endpoint "
			    "typically echoes the code, RFC 6455 5.5.1)",
			    code_str(R->close_code, b, sizeof b),
			    pc_dur(R->close_ms, t, sizeof t));
		return;
	}
	if (R->ended) {
		if (f & F_REFUSE)
			pc_decide(R, V_NON_STRICT, "%s in %s (it SHOULD close with "
			    "%s first)", ending(R), pc_dur(R->end_ms, t, sizeof t),
			    codes_str(R, b, sizeof b));
		else
			pc_decide(R, V_UNCLEAN, "%s in %s: no close handshake",
			    ending(R), pc_dur(R->end_ms, t, sizeof t));
		return;
	}
	if (ev == EV_TIMEOUT)
		pc_decide(R, V_FAILED, "no answer to the close within %g s",
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
	pc_dur(pc_ms_since(R->t0), t, sizeof t);
	if (R->status == 101 && (R->k->flags & F_MAY)) {
		pc_decide(R, V_INFO, "accepted it (a server may understand more "
		    "versions than 13, RFC 6455 4.4)");
		return;
	}
	if (R->status == 101) {
		pc_decide(R, V_FAILED, "accepted it: 101 Switching Protocols");
		return;
	}
	if (R->status >= 400 && R->status < 600) {
		if (R->k->header && !strncasecmp(R->k->header,
		    "Sec-WebSocket-Version", 21) &&
		    !up_has_token(R->hdr_version, strlen(R->hdr_version),
		    "13"))
			pc_decide(R, V_NON_STRICT, "refused: %ld %s, but without "
			    "Sec-WebSocket-Version: 13 (RFC 6455 4.4)",
			    R->status, R->reason);
		else
			pc_decide(R, V_OK, "refused: %ld %s in %s", R->status,
			    R->reason, t);
		return;
	}
	if (R->status > 0) {
		pc_decide(R, V_NON_STRICT, "answered %ld %s (a 4xx error is "
		    "expected)", R->status, R->reason);
		return;
	}
	if (R->dial_exit == EXIT_TIMEOUT)
		pc_decide(R, V_FAILED, "no answer within %g s", probe_opt.timeout);
	else
		pc_decide(R, V_NON_STRICT, "closed the connection without an "
		    "HTTP answer (400 is expected)");
}

static void
judge_subprotocol(struct run *R, int ev)
{
	if (ev != EV_DIALED)
		return;
	if (R->status == 101 && !strcmp(R->hdr_protocol,
	    "x-wscli-probe-unknown"))
		pc_decide(R, V_INFO, "chose '%s', the name made up for the "
		    "probe: RFC 6455 4.2.2 only requires one of the values "
		    "offered, but a server that takes whatever it is offered "
		    "tells the client nothing (select only subprotocols the "
		    "server speaks)", R->hdr_protocol);
	else if (R->status == 101 && R->hdr_protocol[0])
		pc_decide(R, V_FAILED, "chose '%s', which was not offered (RFC "
		    "6455 4.2.2: the server MUST select one of the values the "
		    "client offered, or none)", R->hdr_protocol);
	else if (R->status == 101)
		pc_decide(R, V_OK, "accepted without choosing one");
	else if (R->status > 0)
		pc_decide(R, V_OK, "refused: %ld %s", R->status, R->reason);
	else
		pc_decide(R, V_NON_STRICT, "closed the connection without an "
		    "HTTP answer (RFC 6455 4.2.2: a server that does not accept "
		    "SHOULD answer with an HTTP error; accept without a "
		    "subprotocol, or refuse with 400)");
}

static void
judge_extension(struct run *R, int ev)
{
	if (ev != EV_DIALED)
		return;
	if (R->status == 101 && R->hdr_ext[0])
		pc_decide(R, V_FAILED, "agreed to '%s', which it cannot know",
		    R->hdr_ext);
	else if (R->status == 101)
		pc_decide(R, V_OK, "accepted without the extension");
	else if (R->status > 0)
		pc_decide(R, V_NON_STRICT, "refused: %ld %s", R->status,
		    R->reason);
	else
		pc_decide(R, V_NON_STRICT, "closed the connection without an "
		    "HTTP answer");
}

static void
judge_origin(struct run *R, int ev)
{
	if (ev != EV_DIALED)
		return;
	if (R->status == 101 && R->k->header && strlen(R->k->header) > 8)
		pc_decide(R, V_INFO, "accepted Origin %s: a page of any site may "
		    "connect with its visitors' cookies (cross-site WebSocket "
		    "hijacking) unless it checks otherwise",
		    R->k->header + 8);
	else if (R->status == 101)
		pc_decide(R, V_INFO, "accepted a request without Origin (as from "
		    "a non-browser client)");
	else if (R->status > 0)
		pc_decide(R, V_INFO, "refused: %ld %s", R->status, R->reason);
	else
		pc_decide(R, V_INFO, "no HTTP answer: %s", R->dial_error);
}

/* ------------------------------------------------------ custom cases */

/* 1.1: the plain connection everything else builds on. */
static void
c_baseline(struct run *R, int ev)
{
	char t[32];

	if (ev == EV_TIMEOUT) {
		pc_decide(R, V_FAILED, "no answer to the upgrade within %g s",
		    probe_opt.timeout);
		pc_found.exit = EXIT_TIMEOUT;
		return;
	}
	if (ev != EV_DIALED)
		return;
	if (R->dial_exit >= 0) {
		pc_decide(R, V_FAILED, "%s", R->dial_error);
		pc_found.exit = R->dial_exit;
		return;
	}
	pc_decide(R, V_OK, "101 in %s", pc_dur(pc_ms_since(R->t0), t, sizeof t));
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
		int save = text ? pc_found.echo_text : pc_found.echo_binary;

		if (text)
			pc_found.echo_text = 1;
		else
			pc_found.echo_binary = 1;
		send_specs(R, spec[text], 1);
		if (text)
			pc_found.echo_text = save;
		else
			pc_found.echo_binary = save;
		return;
	}
	if (ev == EV_MESSAGE && R->nexp_msg && R->last.op ==
	    R->exp_msg[0].op && R->last.len == R->exp_msg[0].len &&
	    R->last.hash == R->exp_msg[0].hash) {
		if (text)
			pc_found.echo_text = 1;
		else
			pc_found.echo_binary = 1;
		pc_decide(R, V_INFO, "echoed in %s", pc_dur(pc_ms_since(R->sent_at), t,
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
		pc_decide(R, V_INFO, "%s%s: cases that need a %s echo are "
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
		if (pc_found.big == NULL) {
			pc_found.big = xrealloc(NULL, probe_opt.max);
			memset(pc_found.big, 'a', probe_opt.max);
		}
		if (R->attempt == 1) {
			R->size = LIMIT_FIRST;
			R->lo = 0;
			R->hi = 0;
		}
		R->deadline = now_sec() + probe_opt.timeout + R->size / LIMIT_RATE;
		conn_send_data(R->c, WS_OP_TEXT, pc_found.big, R->size, 1, 0);
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
		pc_decide(R, V_FAILED, "neither accepted nor refused a %s message "
		    "within %s",
		    size_str(R->size, a, sizeof a), pc_dur((probe_opt.timeout +
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
		pc_decide(R, V_INFO, "accepted %s, the most tried (--probe-max)",
		    size_str(R->lo, a, sizeof a));
		return;
	}
	if (R->hi && R->hi - R->lo <= (R->lo / 64 > 1024 ? R->lo / 64 : 1024)) {
		if (R->lo == 0)
			pc_decide(R, V_INFO, "refused every size down to %s: %s",
			    size_str(R->hi, b, sizeof b), R->first_refusal);
		else
			pc_decide(R, V_INFO, "largest accepted %s; %s %s",
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
	while (!conn_done(R->c) && now_sec() < R->rate_until &&
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
		if (memcmp(R->last.head, want, RATE_SIZE) != 0) {
			char got[RATE_SIZE + 1];

			memcpy(got, R->last.head, RATE_SIZE);
			got[RATE_SIZE] = '\0';
			R->rate_bad = 1;
			if (strtoull(got + 17, NULL, 10) > R->rate_echoed)
				R->rate_bad = 2;    /* one was skipped */
		}
		R->rate_echoed++;
	}
	/* what comes back is the application's business: a mirror or a
	 * relay may split, merge, reorder or drop, and no rule of RFC 6455
	 * is broken */
	if (R->rate_bad) {
		pc_decide(R, V_INFO, "not an echo: message %" PRIu64 " %s (RFC "
		    "6455 asks nothing of what a server sends back, but an echo "
		    "server that loses or changes messages has a bug; no rate "
		    "measured)", R->rate_echoed, R->rate_bad == 2 ?
		    "was lost, a later one came back in its place" :
		    "came back changed or out of order");
		return;
	}
	if (R->got_close || R->ended) {
		pc_decide(R, V_INFO, "%s after %" PRIu64 " of %" PRIu64
		    " messages echoed (allowed: RFC 6455 lets either side close "
		    "at any time)", R->got_close ? "closed" : ending(R),
		    R->rate_echoed, R->rate_sent);
		return;
	}
	if (now_sec() >= R->rate_until && R->rate_echoed == R->rate_sent) {
		double s = pc_ms_since(R->sent_at) / 1000;

		pc_decide(R, V_INFO, "%.0f messages/s echoed (%" PRIu64 " of %d "
		    "bytes in %s, %d in flight)", R->rate_echoed / s,
		    R->rate_echoed, RATE_SIZE, pc_dur(s * 1000, t, sizeof t),
		    RATE_WINDOW);
		return;
	}
	if (ev == EV_TIMEOUT) {
		pc_decide(R, V_INFO, "%" PRIu64 " of %" PRIu64 " messages echoed, "
		    "no more within %g s: the server lost or kept the others "
		    "(not an RFC 6455 rule, but an echo server that drops "
		    "messages under load has a bug)", R->rate_echoed,
		    R->rate_sent, probe_opt.timeout);
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
		pc_decide(R, V_INFO, "closed %u after %s idle%s", R->close_code,
		    pc_dur(R->close_ms, t, sizeof t), pings);
	else if (R->ended)
		pc_decide(R, V_INFO, "%s after %s idle%s", ending(R),
		    pc_dur(R->end_ms, t, sizeof t), pings);
	else if (ev == EV_TIMEOUT)
		pc_decide(R, V_INFO, "still open after %g s idle%s", probe_opt.idle,
		    pings);
}

/* 11.1: what was agreed. */
static void
c_deflate(struct run *R, int ev)
{
	if (ev != EV_DIALED)
		return;
	pc_found.deflate_tried = 1;
	if (R->dial_exit >= 0) {
		pc_decide(R, V_FAILED, "%s", R->dial_error);
		return;
	}
	pc_found.deflate_agreed = R->agreed;
	if (R->agreed)
		pc_decide(R, V_INFO, "agreed: %s", R->hdr_ext);
	else
		pc_decide(R, V_INFO, "declined: no extension in the 101; the "
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
		conn_set_compress(R->c, 1);
		conn_send_data(R->c, WS_OP_TEXT, (const uint8_t *)msg,
		    sizeof msg - 1, 1, 0);
		send_mark(R);
		return;
	}
	if (server_broke(R))
		return;
	if (ev == EV_MESSAGE && R->last.len == sizeof msg - 1 &&
	    R->last.hash == pc_fnv(PC_FNV0, (const uint8_t *)msg, sizeof msg - 1)) {
		pc_decide(R, V_OK, "echoed in %s, the echo %scompressed",
		    pc_dur(pc_ms_since(R->sent_at), t, sizeof t), R->last.compressed ?
		    "" : "not ");
		return;
	}
	if (R->got_close || R->ended) {
		pc_decide(R, V_FAILED, "%s instead of echoing", R->got_close ?
		    "closed" : ending(R));
		return;
	}
	if (ev == EV_TIMEOUT)
		pc_decide(R, V_FAILED, "no echo within %g s", probe_opt.timeout);
}

/* 12-13 of Autobahn: with an offer of its own, messages of several sizes,
 * each twice, compressed; echoed unchanged (when the server echoes), the
 * pings answered. */
static void
c_zmatrix(struct run *R, int ev)
{
	static const size_t sizes[] = { 16, 1024, 65536 };

	if (ev != EV_OPEN) {
		judge_accept(R, ev);
		return;
	}
	conn_set_compress(R->c, 1);
	for (size_t i = 0; i < 2 * sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i / 2];
		uint8_t *m = xrealloc(NULL, n);

		for (size_t j = 0; j < n; j++)   /* compressible, not trivial */
			m[j] = (uint8_t)("wscli probe deflate "[(j + i) % 20]);
		conn_send_data(R->c, WS_OP_TEXT, m, n, 1, 0);
		if (pc_found.echo_text && R->nexp_msg < MAX_MSGS) {
			struct msg_seen *e = &R->exp_msg[R->nexp_msg++];

			memset(e, 0, sizeof *e);
			e->op = WS_OP_TEXT;
			e->len = n;
			e->hash = pc_fnv(PC_FNV0, m, n);
		}
		free(m);
	}
	send_mark(R);
	memcpy(R->exp_pong[R->nexp_pong].p, MARK, sizeof MARK - 1);
	R->exp_pong[R->nexp_pong++].n = sizeof MARK - 1;
}

/* ---------------------------------------------------------- the table */

#define A10 "aaaaaaaaaa"
#define A125 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 "aaaaa"
#define H10 "61616161616161616161"
#define H120 H10 H10 H10 H10 H10 H10 H10 H10 H10 H10 H10 H10

#define FAIL(id, name, send, code) \
	{ id, name, K_FAIL, send, NULL, { code }, 0, NULL, NULL, { 0 }, NULL }
#define FAIL2(id, name, send, c1, c2, fl) \
	{ id, name, K_FAIL, send, NULL, { c1, c2 }, fl, NULL, NULL, { 0 }, NULL }
#define ACCEPT(id, name, send) \
	{ id, name, K_ACCEPT, send, NULL, { 0 }, 0, NULL, NULL, { 0 }, NULL }
#define HS(id, name, header, fn) \
	{ id, name, K_HANDSHAKE, NULL, NULL, { 0 }, 0, header, fn, { 0 }, NULL }
#define HSF(id, name, header, fn, flags) \
	{ id, name, K_HANDSHAKE, NULL, NULL, { 0 }, flags, header, fn, { 0 }, NULL }
#define CUSTOM(id, name, flags, fn) \
	{ id, name, K_CUSTOM, NULL, NULL, { 0 }, flags, NULL, fn, { 0 }, NULL }
#define VALID_CLOSE(id, code, hex) \
	{ id, "close " #code " is echoed", K_CLOSE, "op=close hex:" hex, \
	    NULL, { 0 }, F_SAME, NULL, NULL, { 0 }, NULL }
#define BAD_CLOSE(id, code, hex) \
	{ id, "close " #code " is refused", K_CLOSE, "op=close hex:" hex, \
	    NULL, { 1002 }, F_REFUSE, NULL, NULL, { 0 }, NULL }

/* UTF-8 given in hex, whole or split into two frames after a byte */
#define WHOLE_OK(id, name, hex) ACCEPT(id, name, "hex:" hex)
#define SPLIT_OK(id, name, a, b) \
	ACCEPT(id, name, "fin=0 hex:" a "\nop=cont hex:" b)
#define WHOLE_BAD(id, name, hex) FAIL(id, name, "hex:" hex, 1007)
#define SPLIT_BAD(id, name, a, b) \
	FAIL(id, name, "fin=0 hex:" a "\nop=cont hex:" b, 1007)

/* an offer of permessage-deflate with these parameters */
#define ZMATRIX(id, name, offer) \
	{ id, name, K_CUSTOM, offer, NULL, { 0 }, F_DEFLATE | F_OFFER, NULL, \
	    c_zmatrix, { 0 }, NULL }

const struct pcase pc_cases[] = {
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
	{ "5.10", "64-bit length with the top bit set", K_FAIL,
	    "op=binary width=64 len=0x8000000000000005 hello", NULL, { 1002 },
	    0, NULL, NULL, { 1009 }, "the length is invalid (RFC 6455 5.2: "
	    "its top bit MUST be 0), not too big; 1002 Protocol Error says "
	    "so, 1009 Message Too Big suggests the server's limit" },

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
	ACCEPT("6.7", "ping of 1 byte", "op=ping x"),
	ACCEPT("6.8", "ping of 124 bytes", "op=ping " A10 A10 A10 A10 A10 A10
	    A10 A10 A10 A10 A10 A10 "aaaa"),
	ACCEPT("6.9", "unsolicited pong of 125 bytes", "op=pong " A125),
	ACCEPT("6.10", "ping whose payload is not UTF-8",
	    "op=ping hex:ff fe ed a0 80"),
	ACCEPT("6.11", "two pings between fragments",
	    "fin=0 Hel\nop=ping a\nop=ping b\nop=cont lo"),

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
	    NULL, NULL, { 0 }, NULL },
	FAIL("7.6", "message ends inside a code point",
	    "hex:ce ba e1 bd", 1007),
	FAIL("7.7", "overlong encoding", "hex:c0 af", 1007),
	FAIL("7.8", "code point above U+10FFFF", "hex:f4 90 80 80", 1007),
	ACCEPT("7.9", "U+10FFFF and U+FFFF accepted",
	    "hex:f4 8f bf bf ef bf bf"),

	{ "8.1", "close without a code is answered", K_CLOSE, "op=close",
	    NULL, { 1000, 1005 }, 0, NULL, NULL, { 0 }, NULL },
	{ "8.2", "close with a 1-byte payload is refused", K_CLOSE,
	    "op=close hex:03", NULL, { 1002 }, F_REFUSE, NULL, NULL, { 0 }, NULL },
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
	    NULL, NULL, { 0 }, NULL },
	{ "8.6", "close reason not UTF-8", K_CLOSE,
	    "op=close hex:03e8 ce ba ed a0 80", NULL, { 1007, 1002 }, F_REFUSE,
	    NULL, NULL, { 0 }, NULL },
	{ "8.7", "data after close is ignored", K_CLOSE,
	    "op=close hex:03e8\nafter close\nop=ping after close", NULL,
	    { 0 }, F_SAME | F_AFTER, NULL, NULL, { 0 }, NULL },
	{ "8.8", "the server closes TCP first", K_CLOSE, "op=close hex:03e8",
	    NULL, { 0 }, F_SAME | F_TCP, NULL, NULL, { 0 }, NULL },
	{ "8.9", "close with a 1-byte reason", K_CLOSE,
	    "op=close hex:03e8 61", NULL, { 0 }, F_SAME, NULL, NULL, { 0 },
	    NULL },

	CUSTOM("9.1", "largest message", 0, c_limit),
	CUSTOM("9.2", "messages per second echoed", F_ECHO, c_rate),
	CUSTOM("9.3", "idle timeout", 0, c_idle),

	HS("10.1", "foreign Origin", "Origin: http://wscli-probe.invalid",
	    judge_origin),
	HS("10.2", "no Origin", "Origin:", judge_origin),

	{ "11.1", "permessage-deflate negotiation", K_HANDSHAKE, NULL, NULL,
	    { 0 }, F_DEFLATE, NULL, c_deflate, { 0 }, NULL },
	CUSTOM("11.2", "compressed message echoed", F_DEFLATE | F_ECHO,
	    c_zecho),
	{ "11.3", "RSV1 on a continuation frame", K_FAIL,
	    "fin=0 Hel\nrsv=4 op=cont lo", NULL, { 1002 }, F_DEFLATE, NULL,
	    NULL, { 0 }, NULL },
	{ "11.4", "RSV1 on a ping", K_FAIL, "rsv=4 op=ping x", NULL,
	    { 1002 }, F_DEFLATE, NULL, NULL, { 0 }, NULL },
	{ "11.5", "invalid DEFLATE data", K_FAIL, "rsv=4 hex:ff ff ff ff ff",
	    NULL, { 1007, 1002 }, F_DEFLATE, NULL, NULL, { 0 }, NULL },

	/* Autobahn's breadth: sizes at each length encoding's edge, UTF-8
	 * valid and not, whole and split at every byte, and the
	 * fragmentation matrix */
	ACCEPT("12.1", "text message of 0 bytes", "text:"),
	ACCEPT("12.2", "text message of 1 bytes", "@1"),
	ACCEPT("12.3", "text message of 125 bytes", "@125"),
	ACCEPT("12.4", "text message of 126 bytes", "@126"),
	ACCEPT("12.5", "text message of 127 bytes", "@127"),
	ACCEPT("12.6", "text message of 128 bytes", "@128"),
	ACCEPT("12.7", "text message of 65535 bytes", "@65535"),
	ACCEPT("12.8", "text message of 65536 bytes", "@65536"),
	ACCEPT("12.9", "binary message of 0 bytes", "op=binary"),
	ACCEPT("12.10", "binary message of 1 bytes", "op=binary @1"),
	ACCEPT("12.11", "binary message of 125 bytes", "op=binary @125"),
	ACCEPT("12.12", "binary message of 126 bytes", "op=binary @126"),
	ACCEPT("12.13", "binary message of 127 bytes", "op=binary @127"),
	ACCEPT("12.14", "binary message of 128 bytes", "op=binary @128"),
	ACCEPT("12.15", "binary message of 65535 bytes", "op=binary @65535"),
	ACCEPT("12.16", "binary message of 65536 bytes", "op=binary @65536"),
	ACCEPT("12.17", "text message of 262144 bytes", "@262144"),
	ACCEPT("12.18", "text message of 1048576 bytes", "@1048576"),
	ACCEPT("12.19", "binary message of 262144 bytes",
	    "op=binary @262144"),
	ACCEPT("12.20", "binary message of 1048576 bytes",
	    "op=binary @1048576"),
	ACCEPT("12.21", "text of 65536 bytes in 2 frames",
	    "fin=0 @32768\nop=cont @32768"),
	ACCEPT("12.22", "binary of 65536 bytes in 2 frames",
	    "fin=0 op=binary @32768\nop=cont @32768"),
	WHOLE_OK("13.1", "U+03BA (2 bytes)", "ce ba"),
	SPLIT_OK("13.2", "U+03BA (2 bytes) split at byte 1", "ce", "ba"),
	WHOLE_OK("13.3", "U+1F79 (3 bytes)", "e1 bd b9"),
	SPLIT_OK("13.4", "U+1F79 (3 bytes) split at byte 1", "e1", "bd b9"),
	SPLIT_OK("13.5", "U+1F79 (3 bytes) split at byte 2", "e1 bd", "b9"),
	WHOLE_OK("13.6", "U+1F600 (4 bytes)", "f0 9f 98 80"),
	SPLIT_OK("13.7", "U+1F600 (4 bytes) split at byte 1",
	    "f0", "9f 98 80"),
	SPLIT_OK("13.8", "U+1F600 (4 bytes) split at byte 2",
	    "f0 9f", "98 80"),
	SPLIT_OK("13.9", "U+1F600 (4 bytes) split at byte 3",
	    "f0 9f 98", "80"),
	WHOLE_OK("13.10", "U+10FFFF", "f4 8f bf bf"),
	SPLIT_OK("13.11", "U+10FFFF split at byte 1", "f4", "8f bf bf"),
	SPLIT_OK("13.12", "U+10FFFF split at byte 2", "f4 8f", "bf bf"),
	SPLIT_OK("13.13", "U+10FFFF split at byte 3", "f4 8f bf", "bf"),
	WHOLE_OK("13.14", "U+FFFF", "ef bf bf"),
	SPLIT_OK("13.15", "U+FFFF split at byte 1", "ef", "bf bf"),
	SPLIT_OK("13.16", "U+FFFF split at byte 2", "ef bf", "bf"),
	WHOLE_OK("13.17", "U+D7FF", "ed 9f bf"),
	SPLIT_OK("13.18", "U+D7FF split at byte 1", "ed", "9f bf"),
	SPLIT_OK("13.19", "U+D7FF split at byte 2", "ed 9f", "bf"),
	WHOLE_OK("13.20", "U+E000", "ee 80 80"),
	SPLIT_OK("13.21", "U+E000 split at byte 1", "ee", "80 80"),
	SPLIT_OK("13.22", "U+E000 split at byte 2", "ee 80", "80"),
	WHOLE_OK("13.23", "kosme, 5 code points",
	    "ce ba e1 bd b9 cf 83 ce bc ce b5"),
	SPLIT_OK("13.24", "kosme, 5 code points split at byte 1",
	    "ce", "ba e1 bd b9 cf 83 ce bc ce b5"),
	SPLIT_OK("13.25", "kosme, 5 code points split at byte 2",
	    "ce ba", "e1 bd b9 cf 83 ce bc ce b5"),
	SPLIT_OK("13.26", "kosme, 5 code points split at byte 3",
	    "ce ba e1", "bd b9 cf 83 ce bc ce b5"),
	SPLIT_OK("13.27", "kosme, 5 code points split at byte 4",
	    "ce ba e1 bd", "b9 cf 83 ce bc ce b5"),
	SPLIT_OK("13.28", "kosme, 5 code points split at byte 5",
	    "ce ba e1 bd b9", "cf 83 ce bc ce b5"),
	SPLIT_OK("13.29", "kosme, 5 code points split at byte 6",
	    "ce ba e1 bd b9 cf", "83 ce bc ce b5"),
	SPLIT_OK("13.30", "kosme, 5 code points split at byte 7",
	    "ce ba e1 bd b9 cf 83", "ce bc ce b5"),
	SPLIT_OK("13.31", "kosme, 5 code points split at byte 8",
	    "ce ba e1 bd b9 cf 83 ce", "bc ce b5"),
	SPLIT_OK("13.32", "kosme, 5 code points split at byte 9",
	    "ce ba e1 bd b9 cf 83 ce bc", "ce b5"),
	SPLIT_OK("13.33", "kosme, 5 code points split at byte 10",
	    "ce ba e1 bd b9 cf 83 ce bc ce", "b5"),
	ACCEPT("13.34", "U+03BA (2 bytes), 1 byte a frame",
	    "fin=0 hex:ce\n"
	    "op=cont hex:ba"),
	ACCEPT("13.35", "U+1F79 (3 bytes), 1 byte a frame",
	    "fin=0 hex:e1\n"
	    "fin=0 op=cont hex:bd\n"
	    "op=cont hex:b9"),
	ACCEPT("13.36", "U+1F600 (4 bytes), 1 byte a frame",
	    "fin=0 hex:f0\n"
	    "fin=0 op=cont hex:9f\n"
	    "fin=0 op=cont hex:98\n"
	    "op=cont hex:80"),
	ACCEPT("13.37", "U+10FFFF, 1 byte a frame",
	    "fin=0 hex:f4\n"
	    "fin=0 op=cont hex:8f\n"
	    "fin=0 op=cont hex:bf\n"
	    "op=cont hex:bf"),
	ACCEPT("13.38", "U+FFFF, 1 byte a frame",
	    "fin=0 hex:ef\n"
	    "fin=0 op=cont hex:bf\n"
	    "op=cont hex:bf"),
	ACCEPT("13.39", "U+D7FF, 1 byte a frame",
	    "fin=0 hex:ed\n"
	    "fin=0 op=cont hex:9f\n"
	    "op=cont hex:bf"),
	ACCEPT("13.40", "U+E000, 1 byte a frame",
	    "fin=0 hex:ee\n"
	    "fin=0 op=cont hex:80\n"
	    "op=cont hex:80"),
	ACCEPT("13.41", "kosme, 5 code points, 1 byte a frame",
	    "fin=0 hex:ce\n"
	    "fin=0 op=cont hex:ba\n"
	    "fin=0 op=cont hex:e1\n"
	    "fin=0 op=cont hex:bd\n"
	    "fin=0 op=cont hex:b9\n"
	    "fin=0 op=cont hex:cf\n"
	    "fin=0 op=cont hex:83\n"
	    "fin=0 op=cont hex:ce\n"
	    "fin=0 op=cont hex:bc\n"
	    "fin=0 op=cont hex:ce\n"
	    "op=cont hex:b5"),
	WHOLE_BAD("14.1", "byte 0x80 alone", "80"),
	WHOLE_BAD("14.2", "byte 0xbf alone", "bf"),
	WHOLE_BAD("14.3", "byte 0xfe", "fe"),
	WHOLE_BAD("14.4", "byte 0xff", "ff"),
	WHOLE_BAD("14.5", "overlong 2-byte U+002F", "c0 af"),
	SPLIT_BAD("14.6", "overlong 2-byte U+002F split at byte 1",
	    "c0", "af"),
	WHOLE_BAD("14.7", "overlong 3-byte U+002F", "e0 80 af"),
	SPLIT_BAD("14.8", "overlong 3-byte U+002F split at byte 1",
	    "e0", "80 af"),
	SPLIT_BAD("14.9", "overlong 3-byte U+002F split at byte 2",
	    "e0 80", "af"),
	WHOLE_BAD("14.10", "overlong 4-byte U+002F", "f0 80 80 af"),
	SPLIT_BAD("14.11", "overlong 4-byte U+002F split at byte 1",
	    "f0", "80 80 af"),
	SPLIT_BAD("14.12", "overlong 4-byte U+002F split at byte 2",
	    "f0 80", "80 af"),
	SPLIT_BAD("14.13", "overlong 4-byte U+002F split at byte 3",
	    "f0 80 80", "af"),
	WHOLE_BAD("14.14", "surrogate U+D800", "ed a0 80"),
	SPLIT_BAD("14.15", "surrogate U+D800 split at byte 1", "ed", "a0 80"),
	SPLIT_BAD("14.16", "surrogate U+D800 split at byte 2", "ed a0", "80"),
	WHOLE_BAD("14.17", "surrogate U+DFFF", "ed bf bf"),
	SPLIT_BAD("14.18", "surrogate U+DFFF split at byte 1", "ed", "bf bf"),
	SPLIT_BAD("14.19", "surrogate U+DFFF split at byte 2", "ed bf", "bf"),
	WHOLE_BAD("14.20", "above U+10FFFF", "f4 90 80 80"),
	SPLIT_BAD("14.21", "above U+10FFFF split at byte 1", "f4", "90 80 80"),
	SPLIT_BAD("14.22", "above U+10FFFF split at byte 2", "f4 90", "80 80"),
	SPLIT_BAD("14.23", "above U+10FFFF split at byte 3", "f4 90 80", "80"),
	WHOLE_BAD("14.24", "5-byte form", "f8 88 80 80 80"),
	SPLIT_BAD("14.25", "5-byte form split at byte 1", "f8", "88 80 80 80"),
	SPLIT_BAD("14.26", "5-byte form split at byte 2", "f8 88", "80 80 80"),
	SPLIT_BAD("14.27", "5-byte form split at byte 3", "f8 88 80", "80 80"),
	SPLIT_BAD("14.28", "5-byte form split at byte 4", "f8 88 80 80", "80"),
	WHOLE_BAD("14.29", "2-byte form cut by ASCII", "c2 41"),
	SPLIT_BAD("14.30", "2-byte form cut by ASCII split at byte 1",
	    "c2", "41"),
	WHOLE_BAD("14.31", "3-byte form cut by ASCII", "e1 bd 41"),
	SPLIT_BAD("14.32", "3-byte form cut by ASCII split at byte 1",
	    "e1", "bd 41"),
	SPLIT_BAD("14.33", "3-byte form cut by ASCII split at byte 2",
	    "e1 bd", "41"),
	WHOLE_BAD("14.34", "ends inside a 4-byte form", "f0 9f 98"),
	SPLIT_BAD("14.35", "ends inside a 4-byte form split at byte 1",
	    "f0", "9f 98"),
	SPLIT_BAD("14.36", "ends inside a 4-byte form split at byte 2",
	    "f0 9f", "98"),
	WHOLE_BAD("14.37", "kosme then a surrogate",
	    "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.38", "kosme then a surrogate split at byte 1",
	    "ce", "ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.39", "kosme then a surrogate split at byte 2",
	    "ce ba", "e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.40", "kosme then a surrogate split at byte 3",
	    "ce ba e1", "bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.41", "kosme then a surrogate split at byte 4",
	    "ce ba e1 bd", "b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.42", "kosme then a surrogate split at byte 5",
	    "ce ba e1 bd b9", "cf 83 ce bc ce b5 ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.43", "kosme then a surrogate split at byte 6",
	    "ce ba e1 bd b9 cf", "83 ce bc ce b5 ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.44", "kosme then a surrogate split at byte 7",
	    "ce ba e1 bd b9 cf 83", "ce bc ce b5 ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.45", "kosme then a surrogate split at byte 8",
	    "ce ba e1 bd b9 cf 83 ce", "bc ce b5 ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.46", "kosme then a surrogate split at byte 9",
	    "ce ba e1 bd b9 cf 83 ce bc", "ce b5 ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.47", "kosme then a surrogate split at byte 10",
	    "ce ba e1 bd b9 cf 83 ce bc ce", "b5 ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.48", "kosme then a surrogate split at byte 11",
	    "ce ba e1 bd b9 cf 83 ce bc ce b5", "ed a0 80 65 64 69 74"),
	SPLIT_BAD("14.49", "kosme then a surrogate split at byte 12",
	    "ce ba e1 bd b9 cf 83 ce bc ce b5 ed", "a0 80 65 64 69 74"),
	SPLIT_BAD("14.50", "kosme then a surrogate split at byte 13",
	    "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0", "80 65 64 69 74"),
	SPLIT_BAD("14.51", "kosme then a surrogate split at byte 14",
	    "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80", "65 64 69 74"),
	SPLIT_BAD("14.52", "kosme then a surrogate split at byte 15",
	    "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65", "64 69 74"),
	SPLIT_BAD("14.53", "kosme then a surrogate split at byte 16",
	    "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64", "69 74"),
	SPLIT_BAD("14.54", "kosme then a surrogate split at byte 17",
	    "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69", "74"),
	FAIL("14.55", "overlong 2-byte U+002F, 1 byte a frame",
	    "fin=0 hex:c0\n"
	    "op=cont hex:af", 1007),
	FAIL("14.56", "overlong 3-byte U+002F, 1 byte a frame",
	    "fin=0 hex:e0\n"
	    "fin=0 op=cont hex:80\n"
	    "op=cont hex:af", 1007),
	FAIL("14.57", "overlong 4-byte U+002F, 1 byte a frame",
	    "fin=0 hex:f0\n"
	    "fin=0 op=cont hex:80\n"
	    "fin=0 op=cont hex:80\n"
	    "op=cont hex:af", 1007),
	FAIL("14.58", "surrogate U+D800, 1 byte a frame",
	    "fin=0 hex:ed\n"
	    "fin=0 op=cont hex:a0\n"
	    "op=cont hex:80", 1007),
	FAIL("14.59", "surrogate U+DFFF, 1 byte a frame",
	    "fin=0 hex:ed\n"
	    "fin=0 op=cont hex:bf\n"
	    "op=cont hex:bf", 1007),
	FAIL("14.60", "above U+10FFFF, 1 byte a frame",
	    "fin=0 hex:f4\n"
	    "fin=0 op=cont hex:90\n"
	    "fin=0 op=cont hex:80\n"
	    "op=cont hex:80", 1007),
	FAIL("14.61", "5-byte form, 1 byte a frame",
	    "fin=0 hex:f8\n"
	    "fin=0 op=cont hex:88\n"
	    "fin=0 op=cont hex:80\n"
	    "fin=0 op=cont hex:80\n"
	    "op=cont hex:80", 1007),
	FAIL("14.62", "2-byte form cut by ASCII, 1 byte a frame",
	    "fin=0 hex:c2\n"
	    "op=cont hex:41", 1007),
	FAIL("14.63", "3-byte form cut by ASCII, 1 byte a frame",
	    "fin=0 hex:e1\n"
	    "fin=0 op=cont hex:bd\n"
	    "op=cont hex:41", 1007),
	FAIL("14.64", "ends inside a 4-byte form, 1 byte a frame",
	    "fin=0 hex:f0\n"
	    "fin=0 op=cont hex:9f\n"
	    "op=cont hex:98", 1007),
	FAIL("14.65", "kosme then a surrogate, 1 byte a frame",
	    "fin=0 hex:ce\n"
	    "fin=0 op=cont hex:ba\n"
	    "fin=0 op=cont hex:e1\n"
	    "fin=0 op=cont hex:bd\n"
	    "fin=0 op=cont hex:b9\n"
	    "fin=0 op=cont hex:cf\n"
	    "fin=0 op=cont hex:83\n"
	    "fin=0 op=cont hex:ce\n"
	    "fin=0 op=cont hex:bc\n"
	    "fin=0 op=cont hex:ce\n"
	    "fin=0 op=cont hex:b5\n"
	    "fin=0 op=cont hex:ed\n"
	    "fin=0 op=cont hex:a0\n"
	    "fin=0 op=cont hex:80\n"
	    "fin=0 op=cont hex:65\n"
	    "fin=0 op=cont hex:64\n"
	    "fin=0 op=cont hex:69\n"
	    "op=cont hex:74", 1007),
	ACCEPT("15.1", "text in 2 fragments",
	    "fin=0 text:fragmente\n"
	    "op=cont text:d message"),
	ACCEPT("15.2", "text in 2 fragments with pings between",
	    "fin=0 text:fragmente\n"
	    "op=ping between 1\n"
	    "op=cont text:d message"),
	ACCEPT("15.3", "text in 3 fragments",
	    "fin=0 text:fragme\n"
	    "fin=0 op=cont text:nted m\n"
	    "op=cont text:essage"),
	ACCEPT("15.4", "text in 3 fragments with pings between",
	    "fin=0 text:fragme\n"
	    "op=ping between 1\n"
	    "fin=0 op=cont text:nted m\n"
	    "op=ping between 2\n"
	    "op=cont text:essage"),
	ACCEPT("15.5", "text in 5 fragments",
	    "fin=0 text:fra\n"
	    "fin=0 op=cont text:gmen\n"
	    "fin=0 op=cont text:ted\n"
	    "fin=0 op=cont text: mes\n"
	    "op=cont text:sage"),
	ACCEPT("15.6", "text in 5 fragments with pings between",
	    "fin=0 text:fra\n"
	    "op=ping between 1\n"
	    "fin=0 op=cont text:gmen\n"
	    "op=ping between 2\n"
	    "fin=0 op=cont text:ted\n"
	    "op=ping between 3\n"
	    "fin=0 op=cont text: mes\n"
	    "op=ping between 4\n"
	    "op=cont text:sage"),
	ACCEPT("15.7", "text with an empty first fragment",
	    "fin=0 text:\n"
	    "fin=0 op=cont text:fragmented \n"
	    "op=cont text:message"),
	ACCEPT("15.8", "text with an empty middle fragment",
	    "fin=0 text:fragmented \n"
	    "fin=0 op=cont text:\n"
	    "op=cont text:message"),
	ACCEPT("15.9", "text with an empty last fragment",
	    "fin=0 text:fragmented \n"
	    "fin=0 op=cont text:message\n"
	    "op=cont text:"),
	ACCEPT("15.10", "text of empty fragments only",
	    "fin=0 text:\n"
	    "fin=0 op=cont text:\n"
	    "op=cont text:"),
	ACCEPT("15.11", "text in 1-byte fragments",
	    "fin=0 text:a\n"
	    "fin=0 op=cont text:b\n"
	    "fin=0 op=cont text:c\n"
	    "fin=0 op=cont text:d\n"
	    "fin=0 op=cont text:e\n"
	    "fin=0 op=cont text:f\n"
	    "fin=0 op=cont text:g\n"
	    "fin=0 op=cont text:h\n"
	    "fin=0 op=cont text:i\n"
	    "op=cont text:j"),
	ACCEPT("15.12", "binary in 2 fragments",
	    "fin=0 op=binary text:fragmente\n"
	    "op=cont text:d message"),
	ACCEPT("15.13", "binary in 2 fragments with pings between",
	    "fin=0 op=binary text:fragmente\n"
	    "op=ping between 1\n"
	    "op=cont text:d message"),
	ACCEPT("15.14", "binary in 3 fragments",
	    "fin=0 op=binary text:fragme\n"
	    "fin=0 op=cont text:nted m\n"
	    "op=cont text:essage"),
	ACCEPT("15.15", "binary in 3 fragments with pings between",
	    "fin=0 op=binary text:fragme\n"
	    "op=ping between 1\n"
	    "fin=0 op=cont text:nted m\n"
	    "op=ping between 2\n"
	    "op=cont text:essage"),
	ACCEPT("15.16", "binary in 5 fragments",
	    "fin=0 op=binary text:fra\n"
	    "fin=0 op=cont text:gmen\n"
	    "fin=0 op=cont text:ted\n"
	    "fin=0 op=cont text: mes\n"
	    "op=cont text:sage"),
	ACCEPT("15.17", "binary in 5 fragments with pings between",
	    "fin=0 op=binary text:fra\n"
	    "op=ping between 1\n"
	    "fin=0 op=cont text:gmen\n"
	    "op=ping between 2\n"
	    "fin=0 op=cont text:ted\n"
	    "op=ping between 3\n"
	    "fin=0 op=cont text: mes\n"
	    "op=ping between 4\n"
	    "op=cont text:sage"),
	ACCEPT("15.18", "binary with an empty first fragment",
	    "fin=0 op=binary text:\n"
	    "fin=0 op=cont text:fragmented \n"
	    "op=cont text:message"),
	ACCEPT("15.19", "binary with an empty middle fragment",
	    "fin=0 op=binary text:fragmented \n"
	    "fin=0 op=cont text:\n"
	    "op=cont text:message"),
	ACCEPT("15.20", "binary with an empty last fragment",
	    "fin=0 op=binary text:fragmented \n"
	    "fin=0 op=cont text:message\n"
	    "op=cont text:"),
	ACCEPT("15.21", "binary of empty fragments only",
	    "fin=0 op=binary text:\n"
	    "fin=0 op=cont text:\n"
	    "op=cont text:"),
	ACCEPT("15.22", "binary in 1-byte fragments",
	    "fin=0 op=binary text:a\n"
	    "fin=0 op=cont text:b\n"
	    "fin=0 op=cont text:c\n"
	    "fin=0 op=cont text:d\n"
	    "fin=0 op=cont text:e\n"
	    "fin=0 op=cont text:f\n"
	    "fin=0 op=cont text:g\n"
	    "fin=0 op=cont text:h\n"
	    "fin=0 op=cont text:i\n"
	    "op=cont text:j"),
	FAIL("15.23", "binary start inside a text message",
	    "fin=0 text:Hel\n"
	    "op=binary text:lo", 1002),
	FAIL("15.24", "continuation after the final fragment",
	    "fin=0 text:Hel\n"
	    "op=cont text:lo\n"
	    "op=cont text:again", 1002),
	FAIL("15.25", "fragmented close between fragments",
	    "fin=0 text:Hel\n"
	    "fin=0 op=close hex:03e8\n"
	    "op=cont text:lo", 1002),
	ACCEPT("15.26", "text with pongs between fragments",
	    "fin=0 text:frag\n"
	    "op=pong unsolicited\n"
	    "fin=0 op=cont text:mented\n"
	    "op=pong again\n"
	    "op=cont text: message"),
	ACCEPT("15.27", "text in 1-byte fragments, pings between",
	    "fin=0 text:a\n"
	    "op=ping 1\n"
	    "fin=0 op=cont text:b\n"
	    "op=ping 2\n"
	    "fin=0 op=cont text:c\n"
	    "op=ping 3\n"
	    "fin=0 op=cont text:d\n"
	    "op=ping 4\n"
	    "fin=0 op=cont text:e\n"
	    "op=ping 5\n"
	    "op=cont text:f"),
	ACCEPT("15.28", "binary with pongs between fragments",
	    "fin=0 op=binary text:frag\n"
	    "op=pong unsolicited\n"
	    "fin=0 op=cont text:mented\n"
	    "op=pong again\n"
	    "op=cont text: message"),
	ACCEPT("15.29", "binary in 1-byte fragments, pings between",
	    "fin=0 op=binary text:a\n"
	    "op=ping 1\n"
	    "fin=0 op=cont text:b\n"
	    "op=ping 2\n"
	    "fin=0 op=cont text:c\n"
	    "op=ping 3\n"
	    "fin=0 op=cont text:d\n"
	    "op=ping 4\n"
	    "fin=0 op=cont text:e\n"
	    "op=ping 5\n"
	    "op=cont text:f"),

	/* with --deflate: every window size and context takeover offered */
	ZMATRIX("16.1", "deflate: default parameters",
	    ""),
	ZMATRIX("16.2", "deflate: no server takeover",
	    "server_no_context_takeover"),
	ZMATRIX("16.3", "deflate: no client takeover",
	    "client_no_context_takeover"),
	ZMATRIX("16.4", "deflate: no takeover",
	    "server_no_context_takeover; client_no_context_takeover"),
	ZMATRIX("16.5", "deflate: server window 9",
	    "server_max_window_bits=9"),
	ZMATRIX("16.6", "deflate: server window 9, no server takeover",
	    "server_max_window_bits=9; server_no_context_takeover"),
	ZMATRIX("16.7", "deflate: server window 9, no client takeover",
	    "server_max_window_bits=9; client_no_context_takeover"),
	ZMATRIX("16.8", "deflate: server window 9, no takeover",
	    "server_max_window_bits=9; server_no_context_takeover; client_no_context_takeover"),
	ZMATRIX("16.9", "deflate: server window 10",
	    "server_max_window_bits=10"),
	ZMATRIX("16.10", "deflate: server window 10, no server takeover",
	    "server_max_window_bits=10; server_no_context_takeover"),
	ZMATRIX("16.11", "deflate: server window 10, no client takeover",
	    "server_max_window_bits=10; client_no_context_takeover"),
	ZMATRIX("16.12", "deflate: server window 10, no takeover",
	    "server_max_window_bits=10; server_no_context_takeover; client_no_context_takeover"),
	ZMATRIX("16.13", "deflate: server window 11",
	    "server_max_window_bits=11"),
	ZMATRIX("16.14", "deflate: server window 11, no server takeover",
	    "server_max_window_bits=11; server_no_context_takeover"),
	ZMATRIX("16.15", "deflate: server window 11, no client takeover",
	    "server_max_window_bits=11; client_no_context_takeover"),
	ZMATRIX("16.16", "deflate: server window 11, no takeover",
	    "server_max_window_bits=11; server_no_context_takeover; client_no_context_takeover"),
	ZMATRIX("16.17", "deflate: server window 12",
	    "server_max_window_bits=12"),
	ZMATRIX("16.18", "deflate: server window 12, no server takeover",
	    "server_max_window_bits=12; server_no_context_takeover"),
	ZMATRIX("16.19", "deflate: server window 12, no client takeover",
	    "server_max_window_bits=12; client_no_context_takeover"),
	ZMATRIX("16.20", "deflate: server window 12, no takeover",
	    "server_max_window_bits=12; server_no_context_takeover; client_no_context_takeover"),
	ZMATRIX("16.21", "deflate: server window 13",
	    "server_max_window_bits=13"),
	ZMATRIX("16.22", "deflate: server window 13, no server takeover",
	    "server_max_window_bits=13; server_no_context_takeover"),
	ZMATRIX("16.23", "deflate: server window 13, no client takeover",
	    "server_max_window_bits=13; client_no_context_takeover"),
	ZMATRIX("16.24", "deflate: server window 13, no takeover",
	    "server_max_window_bits=13; server_no_context_takeover; client_no_context_takeover"),
	ZMATRIX("16.25", "deflate: server window 14",
	    "server_max_window_bits=14"),
	ZMATRIX("16.26", "deflate: server window 14, no server takeover",
	    "server_max_window_bits=14; server_no_context_takeover"),
	ZMATRIX("16.27", "deflate: server window 14, no client takeover",
	    "server_max_window_bits=14; client_no_context_takeover"),
	ZMATRIX("16.28", "deflate: server window 14, no takeover",
	    "server_max_window_bits=14; server_no_context_takeover; client_no_context_takeover"),
	ZMATRIX("16.29", "deflate: server window 15",
	    "server_max_window_bits=15"),
	ZMATRIX("16.30", "deflate: server window 15, no server takeover",
	    "server_max_window_bits=15; server_no_context_takeover"),
	ZMATRIX("16.31", "deflate: server window 15, no client takeover",
	    "server_max_window_bits=15; client_no_context_takeover"),
	ZMATRIX("16.32", "deflate: server window 15, no takeover",
	    "server_max_window_bits=15; server_no_context_takeover; client_no_context_takeover"),
	ZMATRIX("16.33", "deflate: client window 9",
	    "client_max_window_bits=9"),
	ZMATRIX("16.34", "deflate: client window 10",
	    "client_max_window_bits=10"),
	ZMATRIX("16.35", "deflate: client window 11",
	    "client_max_window_bits=11"),
	ZMATRIX("16.36", "deflate: client window 12",
	    "client_max_window_bits=12"),
	ZMATRIX("16.37", "deflate: client window 13",
	    "client_max_window_bits=13"),
	ZMATRIX("16.38", "deflate: client window 14",
	    "client_max_window_bits=14"),
	ZMATRIX("16.39", "deflate: client window 15",
	    "client_max_window_bits=15"),
};

const size_t pc_ncases = sizeof pc_cases / sizeof pc_cases[0];

/* --------------------------------------------------------------- rules */

/* What RFC 6455 (or 7692) requires in each case or section, and what to
 * change: said after every verdict that is not OK. The longest id that
 * is a prefix of the case's (by parts) wins. */
static const struct { const char *id, *rule; } rules[] = {
	{ "1.2", "RFC 6455 4.4: a server that does not speak the version asked "
	    "MUST answer with Sec-WebSocket-Version listing the ones it does "
	    "(426 Upgrade Required); send that header with the refusal" },
	{ "1.3", "RFC 6455 4.2.1 and 4.4: a version other than 13 (or one the "
	    "server speaks) MUST be refused, with Sec-WebSocket-Version listing "
	    "the versions spoken; refuse it with 426 and that header" },
	{ "1.4", "RFC 6455 4.2.1: a request without a Sec-WebSocket-Key of "
	    "16 bytes (base64) is no handshake, and the server MUST answer "
	    "with an HTTP error such as 400 Bad Request; check the key" },
	{ "1.5", "RFC 6455 4.2.1: a request without a Sec-WebSocket-Key of "
	    "16 bytes (base64) is no handshake, and the server MUST answer "
	    "with an HTTP error such as 400 Bad Request; check the key" },
	{ "1.6", "RFC 6455 4.2.1: the request MUST have Upgrade: websocket and "
	    "Connection: Upgrade, else the server MUST answer with an HTTP "
	    "error such as 400 Bad Request; check both headers" },
	{ "1.7", "RFC 6455 4.2.1: the request MUST have Upgrade: websocket and "
	    "Connection: Upgrade, else the server MUST answer with an HTTP "
	    "error such as 400 Bad Request; check both headers" },
	{ "1.8", "RFC 6455 4.2.1: the handshake is an HTTP/1.1 (or higher) "
	    "GET, and anything else MUST be answered with an HTTP error "
	    "such as 400 Bad Request; check the request line" },
	{ "1.9", "RFC 6455 4.2.1: the handshake is an HTTP/1.1 (or higher) "
	    "GET, and anything else MUST be answered with an HTTP error "
	    "(405 Method Not Allowed); check the method" },
	{ "1.10", "RFC 6455 4.2.2: the server selects one of the subprotocols "
	    "offered, or none; select only one the server speaks" },
	{ "1.11", "RFC 6455 9.1: the server answers only with extensions it "
	    "supports and ignores the others (4.2.2); leave unknown ones out "
	    "of the answer, and do not refuse for them" },
	{ "2", "no rule of RFC 6455: whether a server echoes is the "
	    "application's" },
	{ "3", "RFC 6455 5.2: RSV1-3 MUST be 0 unless an agreed extension "
	    "gives them a meaning, else the receiver MUST fail the connection "
	    "(1002, 7.4.1); check the RSV bits of every frame" },
	{ "4", "RFC 6455 5.2: on an unknown opcode the receiver MUST fail the "
	    "connection (1002, 7.4.1); close on opcodes 3-7 and 0xB-0xF" },
	{ "5.1", "RFC 6455 5.5: a control frame MUST have 125 bytes or fewer "
	    "and MUST NOT be fragmented; fail the connection (1002) on one "
	    "that is" },
	{ "5.2", "RFC 6455 5.5: a control frame MUST have 125 bytes or fewer "
	    "and MUST NOT be fragmented; fail the connection (1002) on one "
	    "that is" },
	{ "5.3", "RFC 6455 5.5: a control frame MUST have 125 bytes or fewer "
	    "and MUST NOT be fragmented; fail the connection (1002) on one "
	    "that is" },
	{ "5.4", "RFC 6455 5.5: a control frame MUST have 125 bytes or fewer "
	    "and MUST NOT be fragmented; fail the connection (1002) on one "
	    "that is" },
	{ "5.5", "RFC 6455 5.4: fragments of one message MUST come in order, "
	    "a continuation only inside a message and no new data message "
	    "inside one; fail the connection (1002) otherwise" },
	{ "5.6", "RFC 6455 5.4: fragments of one message MUST come in order, "
	    "a continuation only inside a message and no new data message "
	    "inside one; fail the connection (1002) otherwise" },
	{ "5.7", "RFC 6455 5.1: a server MUST close the connection on a frame "
	    "that is not masked (it MAY say 1002); check the MASK bit" },
	{ "5.8", "RFC 6455 5.2: the minimal length encoding is the sender's "
	    "MUST; a receiver may take it or fail with 1002" },
	{ "5.9", "RFC 6455 5.2: the minimal length encoding is the sender's "
	    "MUST; a receiver may take it or fail with 1002" },
	{ "5.10", "RFC 6455 5.2: the top bit of a 64-bit length MUST be 0; "
	    "fail the connection with 1002" },
	{ "6", "RFC 6455 5.5.2: every ping MUST get a pong with the same "
	    "payload (5.5.3: only the latest of several may be answered) and "
	    "5.4: control frames may come between fragments; answer each "
	    "ping as it is read" },
	{ "6.6", "RFC 6455 5.5.3: an unsolicited pong needs no answer and is "
	    "no error; ignore it" },
	{ "7", "RFC 6455 8.1: text that is not valid UTF-8 MUST fail the "
	    "connection (1007, 7.4.1), and valid UTF-8 split anywhere across "
	    "frames MUST be taken; check UTF-8 over the whole message, "
	    "carrying a sequence across frames" },
	{ "7.5", "RFC 6455 8.1 fails the connection on invalid UTF-8; failing "
	    "as soon as a fragment shows it (not at the end of the message) "
	    "is what Autobahn calls fail fast; check each fragment as it "
	    "comes" },
	{ "8", "RFC 6455 5.5.1: a close MUST be answered with a close, "
	    "typically echoing its code; answer every close" },
	{ "8.2", "RFC 6455 5.5.1: a close body is empty or starts with a "
	    "2-byte code; fail a 1-byte one with 1002" },
	{ "8.4", "RFC 6455 7.4.1-7.4.2: 1004-1006 and 1015 MUST NOT be sent, "
	    "codes below 1000, 1016-2999 and from 5000 are not defined; "
	    "answer such a close with 1002, never echo it" },
	{ "8.6", "RFC 6455 5.5.1, 8.1: a close reason is UTF-8, and invalid "
	    "UTF-8 MUST fail the connection; answer with 1007 (or 1002)" },
	{ "8.7", "RFC 6455 5.5.1: after sending its close an endpoint MUST "
	    "NOT send more data frames; nothing after the close is answered" },
	{ "8.8", "RFC 6455 7.1.1: the server SHOULD close TCP first once the "
	    "close handshake is done; close the socket after sending the "
	    "close" },
	{ "9", "no rule of RFC 6455: limits and rates are the server's to "
	    "choose" },
	{ "10", "RFC 6455 10.2: a server that serves browsers SHOULD check "
	    "Origin and refuse (403) origins it does not expect" },
	{ "12", "RFC 6455 5.2: a length of 0-125 is in 7 bits, 126-65535 "
	    "in 16, more in 64, and each MUST be taken; read all three "
	    "forms, at their edges too" },
	{ "13", "RFC 6455 5.6, 8.1: valid UTF-8 MUST be taken, whole or split "
	    "across frames anywhere; validate the message, not each frame" },
	{ "14", "RFC 6455 8.1: text that is not valid UTF-8 (RFC 3629: no "
	    "overlong forms, surrogates or code points above U+10FFFF) MUST "
	    "fail the connection (1007, 7.4.1); validate every byte, across "
	    "frames" },
	{ "15", "RFC 6455 5.4: a message MAY be sent in fragments, empty "
	    "ones included, with control frames between them, and MUST be "
	    "taken whole; a data frame inside a fragmented message, or a "
	    "continuation outside one, MUST fail the connection (1002)" },
	{ "16", "RFC 7692 7.1: a server agrees to an offer only with the "
	    "parameters offered (or declines it), then MUST inflate what "
	    "the window and context takeover agreed allow; honour each "
	    "parameter or decline the offer" },
	{ "11", "RFC 7692: RSV1 marks a compressed message, only on its first "
	    "frame and never on a control frame (6.1, MUST fail with 1002), "
	    "and data that does not inflate MUST fail the connection (1007 or "
	    "1002); check RSV1 per frame and the inflated data" },
};

const char *
pc_rule(const char *id)
{
	const char *best = NULL;
	size_t bestn = 0;

	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		size_t n = strlen(rules[i].id);

		if (n > bestn && !strncmp(id, rules[i].id, n) &&
		    (id[n] == '\0' || id[n] == '.')) {
			best = rules[i].rule;
			bestn = n;
		}
	}
	return best;
}

/* ----------------------------------------------------------- selection */

/*
 * --probe-cases: items separated by commas, each a case id or a section
 * ("3", "8.4"), a pattern whose last part may be "*" ("5.*": every case
 * below 5; "*" alone: every case) and, after "!", what to leave out.
 * Without an item to include, every case is included. A pattern is
 * parts of digits separated by dots, as the ids are; it matches an id
 * that starts with its parts, a "*" standing for one part or more.
 */

/* Does the pattern p (n bytes) match id? */
static int
pat_match(const char *p, size_t n, const char *id)
{
	const char *end = p + n;

	for (;;) {
		size_t pl = strcspn(p, ".,"), il = strcspn(id, ".");

		if (p + pl > end)
			pl = (size_t)(end - p);
		if (pl == 1 && *p == '*')
			return *id != '\0';
		if (pl != il || strncmp(p, id, pl))
			return 0;
		p += pl;
		id += il;
		if (p == end)   /* a section matches what it holds */
			return *id == '\0' || *id == '.';
		if (*id == '\0')
			return 0;
		p++;
		id++;
	}
}

/* Is the pattern well formed: parts of digits, "*" only last? */
static int
pat_valid(const char *p, size_t n)
{
	const char *end = p + n;

	if (n == 0)
		return 0;
	while (p < end) {
		size_t pl = strcspn(p, ".,");

		if (p + pl > end)
			pl = (size_t)(end - p);
		if (pl == 1 && *p == '*')
			return p + 1 == end;
		if (pl == 0 || pl > 4 || strspn(p, "0123456789") < pl)
			return 0;
		p += pl;
		if (p < end && ++p == end)  /* a trailing dot */
			return 0;
	}
	return 1;
}

int
pc_cases_check(const char *list, char *err, size_t cap)
{
	const char *s = list;

	if (*s == '\0') {
		snprintf(err, cap, "an empty list (e.g. 3,7.1,8.*,!8.4)");
		return -1;
	}
	while (*s) {
		size_t n = strcspn(s, ",");
		const char *p = s;
		size_t pn = n, i;

		if (n == 0) {
			snprintf(err, cap, "'%s' has an empty item", list);
			return -1;
		}
		if (*p == '!')
			p++, pn--;
		if (!pat_valid(p, pn)) {
			snprintf(err, cap, "'%.*s' is not a case id, a section "
			    "or a pattern (e.g. 3,7.1,8.*,!8.4)", (int)n, s);
			return -1;
		}
		for (i = 0; i < pc_ncases; i++)
			if (pat_match(p, pn, pc_cases[i].id))
				break;
		if (i == pc_ncases) {
			snprintf(err, cap, "no case is '%.*s' (the ids run from "
			    "1.1 to %s)", (int)pn, p, pc_cases[pc_ncases - 1].id);
			return -1;
		}
		s += n;
		if (*s == ',' && *++s == '\0') {
			snprintf(err, cap, "'%s' ends with a comma", list);
			return -1;
		}
	}
	return 0;
}

int
pc_selected(const char *list, const char *id)
{
	const char *s = list;
	int any_in = 0, in = 0, out = 0;

	if (list == NULL)
		return 1;
	while (*s) {
		size_t n = strcspn(s, ",");

		if (n && *s == '!')
			out |= pat_match(s + 1, n - 1, id);
		else if (n) {
			any_in = 1;
			in |= pat_match(s, n, id);
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return (in || !any_in) && !out;
}

static int
selected(const struct pcase *k)
{
	return pc_selected(probe_opt.cases, k->id);
}

/* 1.1 always runs; 2.x when a case needs an echo, 11.1 when one needs
 * compression. */
int
pc_wanted(size_t i)
{
	const struct pcase *k = &pc_cases[i];

	if (selected(k) || (k->flags & F_BASE))
		return 1;
	for (size_t j = 0; j < pc_ncases; j++) {
		if (!selected(&pc_cases[j]))
			continue;
		if ((k->flags & (F_TEXT_ECHO | F_BIN_ECHO)) &&
		    (pc_cases[j].kind == K_ACCEPT ||
		    (pc_cases[j].flags & (F_ECHO | F_OFFER)) ||
		    !strcmp(pc_cases[j].id, "9.1")))
			return 1;
		if (!strcmp(k->id, "11.1") && (pc_cases[j].flags & F_DEFLATE))
			return 1;
	}
	return 0;
}

/* ---------------------------------------------------------- judging */

void
pc_judge(struct run *R, int ev)
{
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
