/*
 * probeclients.c - wscli -l PORT --probe-clients; see probeclients.h.
 *
 * The catalogue comes first, as data: what each case sends (craft.c
 * SPECs, one a line, as the server role writes them) and what RFC 6455
 * requires of a client that gets it. Four kinds:
 *
 *   echo   valid frames, however odd (pings between fragments, a code
 *          point split across frames, big messages): every message must
 *          come back unchanged and every PING get its PONG
 *   fail   frames breaking a rule a client must enforce, then a valid
 *          text message: the client must fail the connection (CLOSE with
 *          the expected code) and never echo that message
 *   close  a CLOSE the client must answer with a CLOSE (a valid code), or
 *          should refuse (a code no endpoint may send: 1002 expected)
 *   big    one generated message (size bytes in frags frames) to echo
 *
 * Then the runner: listener.c accepts, each upgraded client gets a struct
 * pcr with the next case, conn.c carries the connection, and the case is
 * judged at each event until it has a verdict or --probe-timeout is up.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "craft.h"
#include "exit.h"
#include "frame.h"
#include "jsonl.h"
#include "listener.h"
#include "loop.h"
#include "opts.h"
#include "output.h"
#include "probecases.h"
#include "probereport.h"
#include "probeclients.h"
#include "run.h"
#include "show.h"
#include "term.h"
#include "upgrade.h"

/* ---------------------------------------------------------- catalogue */

enum ckind { C_ECHO, C_FAIL, C_CLOSE, C_BAD_CLOSE, C_BIG };

struct ccase {
	const char *id, *name;
	enum ckind kind;
	const char *send;       /* SPECs, one a line */
	const char *expect;     /* echo: the messages to come back, SPECs */
	unsigned codes[2];      /* fail, bad close: close codes expected */
	const char *rule;       /* what RFC 6455 requires, and what to do */
	size_t size;            /* big: payload bytes */
	unsigned frags;         /* big: frames */
	unsigned op;            /* big: WS_OP_TEXT or WS_OP_BINARY */
};

#define MARKER "wscli probe: must not come back"

#define R_ECHO "RFC 6455 6.2: a valid message MUST be delivered as it was " \
    "sent; reassemble fragments and keep text as it came"
#define R_PONG "RFC 6455 5.5.2: a PING MUST be answered with a PONG of the " \
    "same payload, also between the fragments of a message"
#define R_RSV "RFC 6455 5.2: with no extension agreed, a nonzero RSV bit " \
    "MUST fail the connection; close 1002 (7.4.1)"
#define R_OP "RFC 6455 5.2: a reserved opcode MUST fail the connection; " \
    "close 1002"
#define R_CTRL "RFC 6455 5.5: control frames MUST NOT be fragmented and " \
    "carry at most 125 bytes; fail the connection, close 1002"
#define R_FRAG "RFC 6455 5.4: a continuation with no message open, or a " \
    "new message inside one, breaks the framing; fail the connection, " \
    "close 1002"
#define R_MASK "RFC 6455 5.1: a client MUST close the connection on a " \
    "masked frame from the server; close 1002"
#define R_UTF8 "RFC 6455 8.1: text that is not valid UTF-8 MUST fail the " \
    "connection; close 1007 (7.4.1)"
#define R_CLOSE "RFC 6455 5.5.1: a CLOSE received MUST be answered with a " \
    "CLOSE (typically the same code)"
#define R_BADCLOSE "RFC 6455 7.4.1/7.4.2: the code is one no endpoint may " \
    "send; failing the connection with 1002 is the strict answer"
#define R_ONEBYTE "RFC 6455 5.5.1: a close body MUST start with a 2-byte " \
    "code, so a 1-byte one is invalid: fail the connection, close 1002; " \
    "never send one back"
#define R_NEVER "RFC 6455 7.4.1: 1005 and 1006 MUST NOT be set as a code " \
    "in a Close frame: fail the connection, close 1002; never send them"
#define R_BADUTF8 "RFC 6455 5.5.1 and 8.1: a close reason is UTF-8; one " \
    "that is not fails the connection, close 1007"

#define ECHO(id, name, send, expect, rule) \
	{ id, name, C_ECHO, send, expect, { 0 }, rule, 0, 0, 0 }
#define FAIL(id, name, send, code, rule) \
	{ id, name, C_FAIL, send, NULL, { code }, rule, 0, 0, 0 }
#define CLOSE(id, name, send) \
	{ id, name, C_CLOSE, send, NULL, { 0 }, R_CLOSE, 0, 0, 0 }
#define BAD_CLOSE(id, name, send, rule) \
	{ id, name, C_BAD_CLOSE, send, NULL, { 1002 }, rule, 0, 0, 0 }
#define BIG(id, name, size, frags, op) \
	{ id, name, C_BIG, NULL, NULL, { 0 }, R_ECHO, size, frags, op }

#define A126 "text:" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A125 "text:" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct ccase cases[] = {
	ECHO("1.1", "text message echoed", "Hello", "Hello", R_ECHO),
	ECHO("1.2", "binary message echoed", "op=binary hex:00 ff 80 7f",
	    "op=binary hex:00 ff 80 7f", R_ECHO),
	ECHO("1.3", "empty text message echoed", "op=text", "op=text",
	    R_ECHO),
	ECHO("1.4", "126-byte message (16-bit length)", A126, A126, R_ECHO),

	ECHO("2.1", "ping answered", "op=ping wscli\nHello", "Hello", R_PONG),
	ECHO("2.2", "ping of 125 bytes answered", "op=ping " A125 "\nHello",
	    "Hello", R_PONG),
	ECHO("2.3", "ping between fragments", "fin=0 Hel\nop=ping between\n"
	    "op=cont lo", "Hello", R_PONG),
	ECHO("2.4", "unsolicited pong ignored", "op=pong x\nHello", "Hello",
	    "RFC 6455 5.5.3: an unsolicited PONG is allowed and needs no "
	    "answer"),

	FAIL("3.1", "RSV1 on a text frame", "rsv=4 Hello", 1002, R_RSV),
	FAIL("3.2", "RSV2 on a text frame", "rsv=2 Hello", 1002, R_RSV),
	FAIL("3.3", "RSV3 on a text frame", "rsv=1 Hello", 1002, R_RSV),
	FAIL("3.4", "RSV1 on a ping", "rsv=4 op=ping x", 1002, R_RSV),

	FAIL("4.1", "reserved data opcode 3", "op=3 x", 1002, R_OP),
	FAIL("4.2", "reserved data opcode 7", "op=7 x", 1002, R_OP),
	FAIL("4.3", "reserved control opcode 11", "op=11 x", 1002, R_OP),
	FAIL("4.4", "reserved control opcode 15", "op=15 x", 1002, R_OP),

	FAIL("5.1", "fragmented ping", "fin=0 op=ping x\nop=cont y", 1002,
	    R_CTRL),
	FAIL("5.2", "ping of 126 bytes", "op=ping " A126, 1002, R_CTRL),
	FAIL("5.3", "continuation with nothing to continue", "op=cont x",
	    1002, R_FRAG),
	FAIL("5.4", "new message inside a fragmented one", "fin=0 Hel\nlo",
	    1002, R_FRAG),
	ECHO("5.5", "fragmented text echoed", "fin=0 He\nfin=0 op=cont ll\n"
	    "op=cont o", "Hello", R_ECHO),
	ECHO("5.6", "empty fragments echoed", "fin=0 op=binary\n"
	    "fin=0 op=cont hex:01\nop=cont", "op=binary hex:01", R_ECHO),
	FAIL("5.7", "masked frame from the server", "mask=01020304 Hello",
	    1002, R_MASK),

	FAIL("6.1", "invalid UTF-8", "hex:ce ba ed a0 80", 1007, R_UTF8),
	FAIL("6.2", "invalid UTF-8 split across frames",
	    "fin=0 hex:ce ba ed\nop=cont hex:a0 80", 1007, R_UTF8),
	ECHO("6.3", "code point split across frames",
	    "fin=0 hex:ce\nop=cont hex:ba", "hex:ce ba", R_ECHO),
	FAIL("6.4", "message ends inside a code point", "hex:ce ba e1 bd",
	    1007, R_UTF8),
	FAIL("6.5", "overlong encoding", "hex:c0 af", 1007, R_UTF8),
	ECHO("6.6", "U+10FFFF and U+FFFF accepted",
	    "hex:f4 8f bf bf ef bf bf", "hex:f4 8f bf bf ef bf bf", R_ECHO),

	CLOSE("7.1", "close 1000 answered", "op=close hex:03 e8"),
	CLOSE("7.2", "close 1001 with a reason answered",
	    "op=close hex:03 e9 62 79 65"),
	CLOSE("7.3", "close 3000 answered", "op=close hex:0b b8"),
	CLOSE("7.4", "close 4999 answered", "op=close hex:13 87"),
	CLOSE("7.5", "close without a code answered", "op=close"),
	BAD_CLOSE("7.6", "close with a 1-byte payload", "op=close hex:03",
	    R_ONEBYTE),
	BAD_CLOSE("7.7", "close code 999", "op=close hex:03 e7", R_BADCLOSE),
	BAD_CLOSE("7.8", "close code 1004", "op=close hex:03 ec", R_BADCLOSE),
	BAD_CLOSE("7.9", "close code 1005", "op=close hex:03 ed", R_NEVER),
	BAD_CLOSE("7.10", "close code 1006", "op=close hex:03 ee", R_NEVER),
	BAD_CLOSE("7.11", "close code 1016", "op=close hex:03 f8", R_BADCLOSE),
	BAD_CLOSE("7.12", "close code 5000", "op=close hex:13 88", R_BADCLOSE),
	{ "7.13", "close reason not UTF-8", C_BAD_CLOSE,
	    "op=close hex:03 e8 ce ba ed a0 80", NULL, { 1007, 1002 },
	    R_BADUTF8, 0, 0, 0 },

	BIG("9.1", "64 KiB binary message echoed", 65536, 1, WS_OP_BINARY),
	BIG("9.2", "1 MiB binary message echoed", 1 << 20, 1, WS_OP_BINARY),
	BIG("9.3", "64 KiB text message in 64 fragments", 65536, 64,
	    WS_OP_TEXT),
};

#define NCASES (sizeof cases / sizeof cases[0])
#define MAX_EXPECT 4
#define MAX_PINGS 4
#define CLOSE_AFTER 1.0   /* seconds a case's connection may take to close
			     once it has its verdict */

/* ------------------------------------------------------------- runner */

struct pcr {
	const struct ccase *k;
	struct conn *c;
	char label[32];
	double t0;
	int decided;
	enum verdict v;
	char detail[1024];
	struct timer due;          /* --probe-timeout */
	/* what the client is to send back */
	struct { unsigned op; uint64_t len, hash; } exp[MAX_EXPECT];
	int nexp, next;
	struct { uint8_t p[WS_MAX_CONTROL_PAYLOAD]; size_t n; }
	    ping[MAX_PINGS];
	int nping, npong;
	/* the message coming in */
	uint64_t cur_len, cur_hash;
	unsigned cur_op;
	int got_close;
	unsigned close_code;
	struct pcr *next_open;
	/* the case's wire trace, in the --frames format (-v, reports) */
	char *trace;
	size_t tlen, tcap;
	unsigned long long tdropped;
	unsigned top;              /* the data opcode a continuation is of */
	struct craft_walk walk;    /* the client's view of what was sent */
	unsigned sop;              /* ... and its data opcode */
};

static struct {
	size_t next;               /* the next case to give */
	int open;                  /* connections not over */
	int echoes;                /* 1.1 came back: the client echoes */
	int ending;
	double t0;
	struct pcr *conns;
	int trace;                 /* cases keep their wire trace */
} S;

/* ------------------------------------------------------------ verdicts */

static void
report(const struct ccase *k, enum verdict v, const char *detail, double ms,
    int close_code, const struct pcr *R)
{
	struct pr_case c = {
		.id = k->id, .name = k->name, .v = v, .detail = detail,
		.ms = ms, .close_code = close_code,
		.trace = R && R->trace ? R->trace : "",
		.dropped = R ? R->tdropped : 0,
	};

	pr_case(&c);
}

#define TRACE_MAX (64 * 1024) /* bytes of a case's trace kept */

/* A line of the case's trace. */
static void
trace_line(struct pcr *R, char dir, const struct ws_frame_header *h,
    unsigned op, const uint8_t *p, size_t n)
{
	char line[1024];
	size_t k;

	show_format_frame(line, sizeof line, 0, dir, h, op, 0, p, n);
	k = strcspn(line, "\n");
	if (R->tlen + k + 2 > TRACE_MAX) {
		R->tdropped++;
		return;
	}
	if (R->tlen + k + 2 > R->tcap) {
		R->tcap = R->tcap ? R->tcap * 2 : 4096;
		while (R->tcap < R->tlen + k + 2)
			R->tcap *= 2;
		R->trace = xrealloc(R->trace, R->tcap);
	}
	memcpy(R->trace + R->tlen, line, k);
	R->tlen += k;
	R->trace[R->tlen++] = '\n';
	R->trace[R->tlen] = '\0';
}

/* Every frame the client sent, until the verdict. */
static void
ev_frame(struct conn *c, char dir, const struct ws_frame_header *h,
    const uint8_t *p, size_t n)
{
	struct pcr *R = conn_ud(c);

	if (!S.trace || R->decided)
		return;
	if (h->opcode == WS_OP_TEXT || h->opcode == WS_OP_BINARY)
		R->top = h->opcode;
	trace_line(R, dir, h, R->top, p, n);
}

static void
sent_frame(void *ud, const struct ws_frame_header *h, const uint8_t *p,
    size_t n, int violation, const char *rule)
{
	struct pcr *R = ud;

	(void)violation;
	(void)rule;
	if (h->opcode == WS_OP_TEXT || h->opcode == WS_OP_BINARY)
		R->sop = h->opcode;
	trace_line(R, '>', h, R->sop, p, n);
}

/* And every frame wscli crafted for it, as the client reads them. */
static void
trace_sent(struct pcr *R, const uint8_t *p, size_t n)
{
	uint8_t *copy;

	if (!S.trace || R->decided)
		return;
	copy = xrealloc(NULL, n);
	memcpy(copy, p, n);
	craft_walk(&R->walk, copy, n, CONN_PEEK, sent_frame, R);
	free(copy);
}

static void maybe_end(void);

/* The verdict of the case on R, once. A verdict that is not OK says the
 * rule after what the client did. */
static void decide(struct pcr *R, enum verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
decide(struct pcr *R, enum verdict v, const char *fmt, ...)
{
	va_list ap;
	size_t o;

	if (R->decided)
		return;
	R->decided = 1;
	R->v = v;
	va_start(ap, fmt);
	vsnprintf(R->detail, sizeof R->detail, fmt, ap);
	va_end(ap);
	o = strlen(R->detail);
	if (v != V_OK && v != V_INFO && v != V_UNTESTED && R->k->rule &&
	    strstr(R->detail, "RFC 6455") == NULL)
		snprintf(R->detail + o, sizeof R->detail - o, " (%s)",
		    R->k->rule);
	loop_timer_stop(&R->due);
	if (R->k == &cases[0] && v == V_OK)
		S.echoes = 1;
	report(R->k, v, R->detail, pc_ms_since(R->t0), R->got_close ?
	    (int)R->close_code : -1, R);
	/* the case is over: the connection goes, politely */
	if (!conn_done(R->c)) {
		if (!conn_close_sent(R->c))
			conn_close(R->c, WS_CLOSE_NORMAL, NULL, 0);
		conn_set_close_timeout(R->c, CLOSE_AFTER, 1);
	}
	maybe_end();
}

static int
expected(const struct pcr *R, unsigned code)
{
	for (int i = 0; i < 2 && R->k->codes[i]; i++)
		if (R->k->codes[i] == code)
			return 1;
	return 0;
}

static const char *
codes_str(const struct pcr *R, char *b, size_t cap)
{
	if (R->k->codes[1])
		snprintf(b, cap, "%u or %u", R->k->codes[0], R->k->codes[1]);
	else
		snprintf(b, cap, "%u", R->k->codes[0]);
	return b;
}

/* An echo case is complete: every message back, every PING answered. */
static void
echo_done(struct pcr *R)
{
	char t[32];

	if (R->next == R->nexp && R->npong == R->nping)
		decide(R, V_OK, "%s in %s", R->nping && R->nexp ? "echoed and "
		    "answered" : R->nping ? "answered" : "echoed",
		    pc_dur(pc_ms_since(R->t0), t, sizeof t));
}

/* ---------------------------------------------------- connection ops */

static void
ev_message_begin(struct conn *c)
{
	struct pcr *R = conn_ud(c);

	R->cur_len = 0;
	R->cur_hash = PC_FNV0;
	R->cur_op = conn_in(c)->opcode;
}

static void
ev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	struct pcr *R = conn_ud(c);

	R->cur_len += n;
	R->cur_hash = pc_fnv(R->cur_hash, p, n);
}

static void
ev_message_end(struct conn *c)
{
	struct pcr *R = conn_ud(c);
	char t[32];
	int i = R->next;

	if (R->decided)
		return;
	if (R->k->kind == C_FAIL) {
		decide(R, V_FAILED, "went on after the broken frame: echoed "
		    "the message sent after it, in %s",
		    pc_dur(pc_ms_since(R->t0), t, sizeof t));
		return;
	}
	if (R->k->kind != C_ECHO && R->k->kind != C_BIG)
		return;
	if (i >= R->nexp) {
		decide(R, V_FAILED, "sent %d messages back for %d", i + 1,
		    R->nexp);
		return;
	}
	if (R->exp[i].op != R->cur_op || R->exp[i].len != R->cur_len ||
	    R->exp[i].hash != R->cur_hash) {
		decide(R, V_FAILED, "message %d came back changed: %s of %llu "
		    "bytes for %s of %llu", i + 1, R->cur_op == WS_OP_TEXT ?
		    "text" : "binary", (unsigned long long)R->cur_len,
		    R->exp[i].op == WS_OP_TEXT ? "text" : "binary",
		    (unsigned long long)R->exp[i].len);
		return;
	}
	R->next++;
	echo_done(R);
}

static void
ev_control(struct conn *c, char dir, unsigned op, const uint8_t *p,
    size_t n, const char *note, double rtt_ms)
{
	struct pcr *R = conn_ud(c);

	(void)note;
	(void)rtt_ms;
	if (dir != '<' || op != WS_OP_PONG || R->decided ||
	    R->k->kind != C_ECHO)
		return;
	if (R->npong >= R->nping)
		return;     /* unsolicited: allowed (5.5.3) */
	if (n != R->ping[R->npong].n || (n && memcmp(p, R->ping[R->npong].p,
	    n))) {
		decide(R, V_FAILED, "answered ping %d with a pong of another "
		    "payload (%zu bytes for %zu)", R->npong + 1, n,
		    R->ping[R->npong].n);
		return;
	}
	R->npong++;
	echo_done(R);
}

static void
ev_close(struct conn *c, char dir, unsigned code, const uint8_t *reason,
    size_t n)
{
	struct pcr *R = conn_ud(c);
	char t[32], b[32];
	double ms = pc_ms_since(R->t0);

	(void)reason;
	(void)n;
	if (dir != '<')
		return;
	R->got_close = 1;
	R->close_code = code;
	if (R->decided)
		return;
	switch (R->k->kind) {
	case C_FAIL:
		if (expected(R, code))
			decide(R, V_OK, "closed %u in %s", code,
			    pc_dur(ms, t, sizeof t));
		else
			decide(R, V_WRONG_CODE, "closed %u in %s (expected %s)",
			    code, pc_dur(ms, t, sizeof t),
			    codes_str(R, b, sizeof b));
		break;
	case C_CLOSE:
		if (code == WS_CLOSE_NO_STATUS)
			decide(R, V_OK, "answered with a close without a code "
			    "in %s", pc_dur(ms, t, sizeof t));
		else
			decide(R, V_OK, "answered close %u in %s", code,
			    pc_dur(ms, t, sizeof t));
		break;
	case C_BAD_CLOSE:
		if (expected(R, code))
			decide(R, V_OK, "refused it: closed %u in %s", code,
			    pc_dur(ms, t, sizeof t));
		else
			decide(R, V_NON_STRICT, "answered close %u in %s, as "
			    "to a valid close (expected %s)", code,
			    pc_dur(ms, t, sizeof t), codes_str(R, b, sizeof b));
		break;
	default:
		decide(R, V_FAILED, "closed %u in %s on valid frames", code,
		    pc_dur(ms, t, sizeof t));
		break;
	}
}

/* The client answered a close with a reserved code by sending it back:
 * that code, when conn.c refused it as one no endpoint may send and RFC
 * 6455 has no MUST NOT for it (1005 and 1006 have one); else 0. */
static unsigned
reserved_echo(const char *why)
{
	const char *p = strstr(why, "invalid close frame: close code ");
	unsigned long code;

	if (p == NULL)
		return 0;
	code = strtoul(p + strlen("invalid close frame: close code "), NULL,
	    10);
	if (code == WS_CLOSE_NO_STATUS || code == 1006 || code > 65535)
		return 0;
	return (unsigned)code;
}

static void
ev_ended(struct conn *c)
{
	struct pcr *R = conn_ud(c);
	char t[32];
	double ms = pc_ms_since(R->t0);

	if (!R->decided) {
		int broke = conn_exit(c) == EXIT_PROTOCOL && !R->got_close;
		unsigned code;

		if (broke && R->k->kind == C_FAIL)
			decide(R, V_FAILED, "went on after the broken frame, "
			    "then broke a rule itself in %s: %s", pc_dur(ms, t,
			    sizeof t), conn_why(c));
		else if (broke && R->k->kind == C_BAD_CLOSE &&
		    (code = reserved_echo(conn_why(c))) != 0)
			decide(R, V_NON_STRICT, "answered close %u in %s: the "
			    "code it got, which RFC 6455 7.4.2 reserves (none "
			    "below 1000 or above 4999, 1004 and 1016-2999 for "
			    "the protocol) though no MUST forbids sending it; a "
			    "strict client fails the connection with 1002",
			    code, pc_dur(ms, t, sizeof t));
		else if (broke && R->k->kind == C_BAD_CLOSE)
			decide(R, V_FAILED, "answered with an invalid close of "
			    "its own in %s: %s", pc_dur(ms, t, sizeof t),
			    conn_why(c));
		else if (broke)
			decide(R, V_FAILED, "broke RFC 6455 itself in %s: %s",
			    pc_dur(ms, t, sizeof t), conn_why(c));
		else if (R->k->kind == C_FAIL || R->k->kind == C_BAD_CLOSE)
			decide(R, V_NON_STRICT, "dropped the connection without "
			    "a Close in %s (RFC 6455 7.1.7: it SHOULD send a "
			    "Close with a code first)", pc_dur(ms, t,
			    sizeof t));
		else
			decide(R, V_FAILED, "the connection ended in %s%s: %s",
			    pc_dur(ms, t, sizeof t), R->k->kind == C_CLOSE ?
			    " with no Close in response" : " before the echo",
			    conn_why(c));
	}
	loop_timer_stop(&R->due);
	for (struct pcr **pp = &S.conns; *pp; pp = &(*pp)->next_open)
		if (*pp == R) {
			*pp = R->next_open;
			break;
		}
	S.open--;
	conn_free(c);
	run_over(EXIT_OK);
	maybe_end();
}

static void
pcr_release(void *ud)
{
	struct pcr *R = ud;

	free(R->trace);
	free(R);
}

static const struct conn_ops pcl_ops = {
	.frame = ev_frame,
	.message_begin = ev_message_begin,
	.message_data = ev_message_data,
	.message_end = ev_message_end,
	.control = ev_control,
	.close = ev_close,
	.ended = ev_ended,
};

static void
on_due(struct timer *t, double now)
{
	struct pcr *R = t->ud;
	char d[32];
	double ms = pc_ms_since(R->t0);

	(void)now;
	pc_dur(ms, d, sizeof d);
	switch (R->k->kind) {
	case C_FAIL:
		decide(R, V_FAILED, "did not fail the connection within %s", d);
		break;
	case C_CLOSE:
	case C_BAD_CLOSE:
		decide(R, V_FAILED, "no Close in response within %s (RFC 6455 "
		    "5.5.1: a CLOSE received MUST be answered)", d);
		break;
	default:
		if (R->next == 0 && R->npong == R->nping && !S.echoes)
			decide(R, V_UNTESTED, "nothing came back within %s: the "
			    "client does not echo", d);
		else if (R->npong < R->nping)
			decide(R, V_FAILED, "no pong for ping %d of %d within %s",
			    R->npong + 1, R->nping, d);
		else
			decide(R, V_FAILED, "message %d of %d did not come back "
			    "within %s", R->next + 1, R->nexp, d);
		break;
	}
}

/* ------------------------------------------------------- sending a case */

static void
send_spec(struct pcr *R, const char *spec)
{
	struct craft_frame f;
	uint8_t *buf, *out;
	char why[512];
	size_t cap;

	buf = xrealloc(NULL, strlen(spec) + 1);
	if (craft_parse(spec, WS_ROLE_SERVER, buf, strlen(spec) + 1, &f, why,
	    sizeof why) != 0) {
		/* the table is ours: a bad line is wscli's bug */
		diag("client case %s: bad frame '%s': %s", R->k->id, spec, why);
		abort();
	}
	if (f.opcode == WS_OP_PING && R->nping < MAX_PINGS && f.fin &&
	    f.n <= WS_MAX_CONTROL_PAYLOAD && R->k->kind == C_ECHO) {
		memcpy(R->ping[R->nping].p, f.payload, f.n);
		R->ping[R->nping++].n = f.n;
	}
	cap = craft_size(&f);
	out = xrealloc(NULL, cap);
	craft_encode(out, cap, &f);
	trace_sent(R, out, cap);
	conn_send_raw(R->c, out, cap);
	if (f.opcode == WS_OP_CLOSE)
		conn_close_crafted(R->c, f.n >= 2 ? (unsigned)(f.payload[0] << 8 |
		    f.payload[1]) : f.n == 1 ? CONN_CLOSE_MALFORMED :
		    WS_CLOSE_NO_STATUS);
	free(out);
	free(buf);
}

static void
send_specs(struct pcr *R, const char *specs)
{
	while (specs && *specs) {
		size_t n = strcspn(specs, "\n");
		char *one = xstrndup(specs, n);

		send_spec(R, one);
		free(one);
		specs += n;
		if (*specs)
			specs++;
	}
}

static void
expect_specs(struct pcr *R, const char *specs)
{
	while (specs && *specs && R->nexp < MAX_EXPECT) {
		size_t n = strcspn(specs, "\n");
		char *one = xstrndup(specs, n);
		uint8_t *buf = xrealloc(NULL, n + 1);
		struct craft_frame f;
		char why[256];

		if (craft_parse(one, WS_ROLE_SERVER, buf, n + 1, &f, why,
		    sizeof why) != 0) {
			diag("client case %s: bad expectation '%s': %s",
			    R->k->id, one, why);
			abort();
		}
		R->exp[R->nexp].op = f.opcode;
		R->exp[R->nexp].len = f.n;
		R->exp[R->nexp++].hash = pc_fnv(PC_FNV0, f.payload, f.n);
		free(buf);
		free(one);
		specs += n;
		if (*specs)
			specs++;
	}
}

/* big: size bytes of printable text (valid UTF-8 whatever the opcode), in
 * frags frames, each frame's header built by craft_encode(). */
static void
send_big(struct pcr *R)
{
	const struct ccase *k = R->k;
	uint8_t *p = xrealloc(NULL, k->size), *out;
	size_t per = k->size / k->frags, off = 0;

	for (size_t i = 0; i < k->size; i++)
		p[i] = (uint8_t)('a' + i % 26);
	R->exp[0].op = k->op;
	R->exp[0].len = k->size;
	R->exp[0].hash = pc_fnv(PC_FNV0, p, k->size);
	R->nexp = 1;
	for (unsigned i = 0; i < k->frags; i++) {
		size_t n = i + 1 == k->frags ? k->size - off : per, cap;
		struct craft_frame f = {
			.fin = i + 1 == k->frags, .opcode = i ? WS_OP_CONT :
			    k->op, .len = n, .payload = p + off, .n = n,
			.width = n < 126 ? 7 : n < 65536 ? 16 : 64,
		};

		cap = craft_size(&f);
		out = xrealloc(NULL, cap);
		craft_encode(out, cap, &f);
		trace_sent(R, out, cap);
		conn_send_raw(R->c, out, cap);
		free(out);
		off += n;
	}
	free(p);
}

static void
start_case(struct pcr *R)
{
	switch (R->k->kind) {
	case C_BIG:
		send_big(R);
		break;
	case C_FAIL:
		send_specs(R, R->k->send);
		send_spec(R, MARKER);
		break;
	default:
		expect_specs(R, R->k->expect);
		send_specs(R, R->k->send);
		break;
	}
	R->due.fire = on_due;
	R->due.ud = R;
	loop_timer_set(&R->due, R->t0 + probe_opt.timeout);
}

/* -------------------------------------------------------- the clients */

static void
on_request(struct srv_client *sc)
{
	char resp[UP_MAX_HEAD], proto[256] = "";
	long n;

	if (sc->status != 0) {
		srv_refuse(sc, sc->status, sc->why);
		return;
	}
	if (S.next >= NCASES || run_ending()) {
		srv_refuse(sc, 503, "every case of wscli --probe-clients has "
		    "had its connection");
		return;
	}
	/* a client that offers subprotocols fails without one chosen */
	if (sc->offer.protocols)
		snprintf(proto, sizeof proto, "%.*s",
		    (int)strcspn(sc->offer.protocols, ", "),
		    sc->offer.protocols);
	n = up_build_101(resp, sizeof resp, sc->offer.key, sc->offer.key_len,
	    proto[0] ? proto : NULL, NULL, NULL, 0);
	if (n < 0) {
		srv_refuse(sc, 500, "cannot build the 101 response");
		return;
	}
	srv_answer(sc, resp, (size_t)n, 1);
}

static void
on_upgraded(struct srv_client *sc)
{
	struct pcr *R;
	struct conn_config cfg;
	const uint8_t *early;
	size_t nearly;

	if (S.next >= NCASES || run_ending())
		return;     /* the transport stays sc's and goes with it */
	R = xrealloc(NULL, sizeof *R);
	memset(R, 0, sizeof *R);
	R->k = &cases[S.next++];
	R->t0 = now_sec();
	craft_walk_init(&R->walk, WS_ROLE_SERVER);
	snprintf(R->label, sizeof R->label, "client %d: ", sc->id);
	cfg = (struct conn_config){
		.role = WS_ROLE_SERVER,
		.ops = &pcl_ops,
		.ud = R,
		.label = R->label,
		.id = sc->id,
		.close_timeout = CLOSE_AFTER,
		.queue_keep = 64 * 1024,
		.show_frames = S.trace,
		.released = pcr_release,
	};
	R->c = conn_new(&cfg, sc->tr, NULL);
	sc->tr = NULL;
	R->next_open = S.conns;
	S.conns = R;
	S.open++;
	start_case(R);
	early = srv_early(sc, &nearly);
	conn_feed(R->c, early, nearly);
}

static void
on_gone(struct srv_client *sc, const char *why)
{
	(void)sc;
	(void)why;
}

static const struct srv_hooks hooks = {
	.request = on_request,
	.upgraded = on_upgraded,
	.gone = on_gone,
};

/* ------------------------------------------------------------- the run */

/* Every case decided: close what is open, then end. */
static void
maybe_end(void)
{
	if (S.ending || pr_cases() < NCASES)
		return;
	S.ending = 1;
	run_end_all(WS_CLOSE_NORMAL, EXIT_OK, "the last case");
}

static int
count(void)
{
	return S.open;
}

static void
close_all(unsigned code, int exit)
{
	(void)exit;
	for (struct pcr *R = S.conns; R; R = R->next_open)
		if (!conn_close_sent(R->c))
			conn_close(R->c, code, NULL, 0);
}

static void
abort_all(int exit, const char *why)
{
	struct pcr *R;

	while ((R = S.conns) != NULL) {
		decide(R, V_UNTESTED, "no verdict: %s", why);
		conn_abort(R->c, exit, why);
		if (S.conns == R) {     /* ended not called: unlink anyway */
			S.conns = R->next_open;
			S.open--;
		}
	}
}

static void
finish(int exit)
{
	abort_all(exit, exit == EXIT_TIMEOUT ? "--timeout" : "wscli ended");
}

static void
summary_event(jsonl_writer w, double secs)
{
	jsonl_begin(w, "summary");
	jsonl_str("listen", srv_bound());
	jsonl_int("cases", pr_cases());
	pr_jsonl_counts();
	jsonl_num("seconds", secs);
	jsonl_end();
}

static int
summary(int exit)
{
	double secs;
	char t[32], suite[160], counts[512];
	int failed;

	/* the cases no client came for */
	while (S.next < NCASES) {
		const struct ccase *k = &cases[S.next++];

		report(k, V_UNTESTED, exit == EXIT_TIMEOUT ? "no client "
		    "connected for it before --timeout" : "no client "
		    "connected for it", 0, -1, NULL);
	}
	if (exit == EXIT_TIMEOUT)
		diag("timed out: --timeout %g s", opt.timeout);
	secs = now_sec() - S.t0;
	snprintf(suite, sizeof suite, "wscli --probe-clients %s", srv_bound());
	failed = pr_close(suite, secs, summary_event) != 0;
	if (opt.jsonl) {
		summary_event(show_jsonl_writer, secs);
	} else {
		char line[1024];
		size_t o;

		pr_counts_line(counts, sizeof counts);
		o = (size_t)snprintf(line, sizeof line, "\n%u cases in %s "
		    "against the clients of %s:%s\n", pr_cases(),
		    pc_dur(secs * 1000, t, sizeof t), srv_bound(), counts);
		out_write(line, o < sizeof line ? o : strlen(line));
	}
	out_flush();
	if (exit != EXIT_OK)
		return exit;
	if (failed)
		return EXIT_ERROR;
	return pr_count(V_FAILED) ? EXIT_ERROR : EXIT_OK;
}

/* Where it listens is said; after that the report says what each client
 * did, and connection lines are noise unless -v. */
static void
started(void)
{
	if (!opt.verbose) {
		term_set_mute(1);
		term_set_quiet(1);
	}
}

static const struct run_ops pcl_run_ops = {
	.hooks = &hooks,
	.started = started,
	.count = count,
	.close_all = close_all,
	.abort_all = abort_all,
	.finish = finish,
	.status = summary,
};

int
pcl_run(void)
{
	int rc;

	S.t0 = now_sec();
	S.trace = opt.verbose || probe_opt.report_junit ||
	    probe_opt.report_json;
	/* a report that cannot be written is known before the run */
	if (pr_open("probe-clients", "listen", srv_opt.listen) != 0)
		return EXIT_USAGE;
	rc = run_main(&pcl_run_ops);
	term_set_mute(0);
	term_set_quiet(opt.quiet);
	return rc;
}
