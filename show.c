/*
 * show.c - events of connections for people and pipes; see show.h.
 *
 * Three outputs, one of which is chosen per session: the REPL's display
 * (interactive), one JSON object per event (--jsonl), or the messages
 * themselves on stdout with everything else on stderr (scripted).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dial.h"
#include "conn.h"
#include "craft.h"
#include "display.h"
#include "frame.h"
#include "jsonl.h"
#include "loop.h"
#include "output.h"
#include "record.h"
#include "show.h"
#include "term.h"
#include "view.h"
#include "transport.h"
#include "opts.h"

#define DISPLAY_MAX (64 * 1024)      /* bytes of a message kept for the REPL */
#define UNTIL_MAX (1024 * 1024)      /* bytes of a message --until matches */
#define JSONL_MAX (16 * 1024 * 1024) /* bytes of a message in an event */

void
show_jsonl_writer(const void *p, size_t n)
{
	out_write(p, n);
}

void
show_msg_init(struct show_msg *m)
{
	m->cap = opt.jsonl ? JSONL_MAX : opt.until ? UNTIL_MAX :
	    opt.interactive ? DISPLAY_MAX : 0;
	if (record_on() && m->cap < RECORD_MAX)
		m->cap = RECORD_MAX;
	m->alloc = 256;
	m->buf = xrealloc(NULL, m->alloc);
	m->len = 0;
}

void
show_msg_free(struct show_msg *m)
{
	free(m->buf);
	m->buf = NULL;
}

const char *
show_dir(const struct conn *c, char dir)
{
	if (conn_role(c) == WS_ROLE_CLIENT)
		return dir == '<' ? "server>client" : "wscli>server";
	return dir == '<' ? "client>server" : "wscli>client";
}

/* Which way an event of c goes in its --record file, which is always
 * the client's side: wscli's own in client mode, its peer's when wscli
 * is the server. */
static char
rec_dir(const struct conn *c, char dir)
{
	if (conn_role(c) == WS_ROLE_CLIENT)
		return dir;
	return dir == '<' ? '>' : '<';
}

/* Every event of a connection starts the same way: its id (when there
 * are several) and its direction. */
static void
jsonl_begin_conn(struct conn *c, const char *event, char dir)
{
	jsonl_begin(show_jsonl_writer, event);
	if (c && conn_id(c) > 0)
		jsonl_int("conn", conn_id(c));
	if (c && dir)
		jsonl_str("dir", show_dir(c, dir));
}

/* --------------------------------------------------------- one event */

/*
 * Every event of a connection is one value: whose (c: its id, its role,
 * hence the direction "server>client", "wscli>client", ...), which way
 * (dir), what. It is rendered in one place, one of three ways: the
 * terminal (the REPL's display), a plain pipe (what scripted mode says on
 * stderr; messages themselves stream to stdout as they come, see
 * stream_piece), or a --jsonl event.
 */
enum ev_kind { EV_MESSAGE, EV_CONTROL, EV_CLOSE, EV_FRAME };

struct show_event {
	enum ev_kind kind;
	struct conn *c;               /* whose */
	char dir;                     /* '<' the peer sent it, '>' wscli */
	unsigned opcode;              /* message: text, binary, reserved;
					 control: ping or pong; frame: the
					 message's opcode */
	const uint8_t *p;             /* payload kept (NULL: not shown) */
	size_t n;
	uint64_t size;                /* message: all of it */
	unsigned frags;               /* message: its frames */
	int compressed;               /* message, frame: deflated */
	uint64_t wire;                /* message: bytes on the wire */
	const char *note;             /* control: "answered", "rtt ..." */
	double rtt_ms;                /* control: >= 0 for our ping's pong */
	unsigned code;                /* close: its code (1005: none) */
	const char *by;               /* close: who began the handshake */
	const struct ws_frame_header *h; /* frame: its header */
};

/* The REPL under a flood: which lines were not shown (see flood_allows) */
enum flood_kind { FLOOD_MESSAGE, FLOOD_FRAME, FLOOD_CONTROL, FLOOD_KINDS };

static int flood_allows(enum flood_kind kind);

static void
render_terminal(const struct show_event *e)
{
	struct conn *c = e->c;
	char line[CONN_PEEK * 12 + 256];

	switch (e->kind) {
	case EV_MESSAGE:
		/* a typed line stays on screen after the prompt; with several
		 * clients it says where it went, as received lines do */
		if (e->dir == '>' && (conn_id(c) == 0 || e->p == NULL))
			return;
		if (e->dir == '<' && !flood_allows(FLOOD_MESSAGE))
			return;
		view_message(conn_id(c), e->dir, e->opcode == WS_OP_BINARY,
		    e->p, e->n < DISPLAY_MAX ? e->n : DISPLAY_MAX, e->size,
		    e->frags, e->compressed && e->dir == '<' ? e->wire : 0);
		return;
	case EV_CONTROL:
		/* the automatic pong is implied by "answered" */
		if ((e->dir == '<' || e->opcode == WS_OP_PING) &&
		    (e->dir == '>' || flood_allows(FLOOD_CONTROL)))
			view_control(conn_id(c), e->dir, e->opcode, e->p,
			    e->n, e->note);
		return;
	case EV_CLOSE:
		return; /* the session's own line says how it closed */
	case EV_FRAME:
		if (e->dir == '<' && !flood_allows(FLOOD_FRAME))
			return;
		show_format_frame(line, sizeof line, conn_id(c), e->dir, e->h,
		    e->opcode, e->compressed, e->p, e->n);
		view_line(line);
		return;
	}
}

static void
render_plain(const struct show_event *e)
{
	struct conn *c = e->c;
	char line[CONN_PEEK * 12 + 256];

	switch (e->kind) {
	case EV_MESSAGE:
	case EV_CLOSE:
		return; /* on stdout as it came; the session says the close */
	case EV_CONTROL:
		if (e->opcode == WS_OP_PONG && e->dir == '<' && e->rtt_ms >= 0 &&
		    conn_pinging(c))
			info("%spong: %s", conn_label(c), e->note);
		return;
	case EV_FRAME:
		show_format_frame(line, sizeof line, conn_id(c), e->dir, e->h,
		    e->opcode, e->compressed, e->p, e->n);
		term_print_stderr("", line);
		return;
	}
}

static void
render_jsonl(const struct show_event *e)
{
	struct conn *c = e->c;

	switch (e->kind) {
	case EV_MESSAGE:
		jsonl_begin_conn(c, "message", e->dir);
		show_jsonl_message_fields(e->opcode, 0, e->size, e->frags,
		    e->compressed, e->wire, e->p, e->n < JSONL_MAX ? e->n :
		    JSONL_MAX);
		break;
	case EV_CONTROL:
		jsonl_begin_conn(c, e->opcode == WS_OP_PING ? "ping" : "pong",
		    e->dir);
		jsonl_int("size", (long long)e->n);
		jsonl_payload(e->p, e->n, 0);
		if (e->rtt_ms >= 0)
			jsonl_num("rtt_ms", e->rtt_ms);
		break;
	case EV_CLOSE:
		jsonl_begin_conn(c, "close", e->dir);
		if (e->code == WS_CLOSE_NO_STATUS)
			jsonl_null("code");
		else
			jsonl_int("code", e->code);
		jsonl_str("name", conn_close_name(c, e->code));
		jsonl_strn("reason", e->p, e->n); /* checked UTF-8 */
		jsonl_str("by", e->by);
		break;
	case EV_FRAME:
		jsonl_begin_conn(c, "frame", e->dir);
		show_jsonl_frame_fields(e->h, e->opcode, e->compressed, e->p,
		    e->n);
		break;
	}
	jsonl_end();
}

static void
emit(const struct show_event *e)
{
	if (opt.jsonl)
		render_jsonl(e);
	else if (opt.interactive)
		render_terminal(e);
	else
		render_plain(e);
}

/* ------------------------------------------------------------ messages */

void
show_jsonl_message_fields(unsigned opcode, int with_opcode, uint64_t size,
    unsigned frags, int compressed, uint64_t wire, const uint8_t *p,
    size_t n)
{
	jsonl_str("type", opcode == WS_OP_TEXT ? "text" : opcode ==
	    WS_OP_BINARY ? "binary" : "reserved");
	if (with_opcode)
		jsonl_int("opcode", opcode);
	jsonl_int("size", (long long)size);
	jsonl_int("fragments", frags);
	if (compressed) {
		jsonl_bool("compressed", 1);
		jsonl_int("wire_size", (long long)wire);
	}
	/* a truncated text may end inside a code point: base64 then */
	if (p) {
		jsonl_payload(p, n, opcode != WS_OP_TEXT);
		if (size > n)
			jsonl_bool("truncated", 1);
	}
}

void
show_message_begin(struct conn *c, struct show_msg *m, int shown)
{
	m->len = 0;
	memset(&m->esc, 0, sizeof m->esc);
	m->to_stdout = shown && !opt.interactive && !opt.jsonl;
	m->stream = m->to_stdout && !m->whole;
	m->streamed = 0;
	m->stamped = 0;
	/* the memory of a large message goes back */
	if (m->alloc > 64 * 1024) {
		m->alloc = 256;
		free(m->buf);
		m->buf = xrealloc(NULL, m->alloc);
	}
}

/* --escape: a message on one line of a pipe. Newline, CR, tab and
 * backslash as \n \r \t \\, other controls (and of a binary message
 * every byte that is not printable ASCII) as \xNN. */
static void
escape_piece(const uint8_t *p, size_t n, int binary)
{
	static const char hex[] = "0123456789abcdef";
	/* static: called for every piece of every message, and a large
	 * frame on the stack costs its size each call under ASan */
	static char buf[4096 * 4];
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t b = p[i];

		if (o + 4 > sizeof buf) {
			out_write(buf, o);
			o = 0;
		}
		if (b == '\\' || b == '\n' || b == '\r' || b == '\t') {
			buf[o++] = '\\';
			buf[o++] = b == '\\' ? '\\' : b == '\n' ? 'n' : b == '\r' ?
			    'r' : 't';
		} else if (b < 0x20 || b == 0x7f || (binary && b >= 0x80)) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[b >> 4];
			buf[o++] = hex[b & 15];
		} else {
			buf[o++] = (char)b;
		}
	}
	out_write(buf, o);
}

/* A piece of a received message, as it should reach stdout. */
static void
stream_piece(struct conn *c, struct show_msg *m, const uint8_t *p, size_t n,
    int last)
{
	int binary;

	/* the common case, a pipe that takes the bytes as they came */
	if (!opt.stdout_tty && !opt.escape && (m->stamped || !opt.timestamps)) {
		out_write(p, n);
		if (last && opt.null_sep)
			out_write("", 1);
		else if (last && conn_in(c)->opcode != WS_OP_BINARY)
			out_write("\n", 1);
		return;
	}
	/* the opcode matters to the stamp, the escaping and the end only */
	binary = (last || opt.escape || (!m->stamped && term_timestamps())) &&
	    conn_in(c)->opcode == WS_OP_BINARY;

	if (!m->stamped && term_timestamps() && (!binary || opt.escape)) {
		/* -t: a message's line starts with its time */
		char t[32];

		out_write(t, term_stamp(t, sizeof t));
		m->stamped = 1;
	}
	if (!opt.stdout_tty && opt.escape) {
		escape_piece(p, n, binary);
	} else if (!opt.stdout_tty) {
		out_write(p, n);
	} else {
		/* never pass the peer's control bytes to a terminal */
		static char tmp[4096 * DISP_ESCAPE_MAX + 64];
		unsigned flags = opt.color ? DISP_COLOR : 0;

		while (n > 0 || last) {
			size_t k = n < 4096 ? n : 4096, w;

			w = disp_escape(tmp, sizeof tmp, p, k, flags, &m->esc,
			    last && k == n);
			out_write(tmp, w);
			p += k;
			n -= k;
			if (n == 0)
				break;
		}
	}
	/* where a message ends: a NUL (-0), a newline after a text
	 * message or after any message escaped on one line; on a terminal,
	 * where a binary message is shown escaped too, after it as well, or
	 * the next line of stderr would run on from it */
	if (last && opt.null_sep)
		out_write("", 1);
	else if (last && (!binary || opt.escape || opt.stdout_tty))
		out_write("\n", 1);
}

void
show_message_data(struct conn *c, struct show_msg *m, const uint8_t *p,
    size_t n)
{
	size_t k = 0;

	if (m->cap > m->len) {
		k = m->cap - m->len < n ? m->cap - m->len : n;
		if (m->len + k + 1 > m->alloc) {
			size_t a = m->alloc;

			while (a < m->len + k + 1)
				a = a <= m->cap / 2 ? a * 2 : m->cap + 1;
			m->buf = xrealloc(m->buf, a);
			m->alloc = a;
		}
		memcpy(m->buf + m->len, p, k);
		m->len += k;
	}
	if (m->whole && m->to_stdout && !m->stream && k < n) {
		/* too long to be kept whole: it streams from here on, what
		 * was kept first */
		m->stream = m->streamed = 1;
		stream_piece(c, m, m->buf, m->len, 0);
		stream_piece(c, m, p + k, n - k, 0);
		return;
	}
	if (m->stream)
		stream_piece(c, m, p, n, 0);
}

/*
 * The REPL under a flood: a terminal cannot take 100,000 lines a second,
 * and readline redraws the prompt after each. At most FLOOD_LINES lines
 * of what peers send (messages, --frames lines, pings and pongs, the
 * relay's log of them) are shown per FLOOD_WINDOW seconds; the others are
 * counted and said in one line when the window ends, so the line being
 * typed stays usable at any rate (--jsonl keeps every message). What
 * wscli itself sends, closes and diagnostics are always shown.
 */
#define FLOOD_WINDOW 1.0
#define FLOOD_LINES 200

static struct {
	double start;                 /* of the current window */
	unsigned shown;               /* lines shown in it */
	uint64_t hidden[FLOOD_KINDS]; /* lines not shown since the last
					 summary, by kind */
	struct timer t;               /* the window's end, while hidden */
} F;

static void
flood_summary(struct timer *t, double now)
{
	static const char *const what[FLOOD_KINDS][2] = {
		{ "message", "messages" },
		{ "--frames line", "--frames lines" },
		{ "ping or pong", "pings and pongs" },
	};
	char line[256];
	size_t o = 0;

	(void)t;
	(void)now;
	for (int k = 0; k < FLOOD_KINDS; k++) {
		uint64_t n = F.hidden[k];

		if (n == 0 || o >= sizeof line)
			continue;
		o += (size_t)snprintf(line + o, sizeof line - o, "%s%" PRIu64
		    " %s", o ? ", " : "", n, what[k][n != 1]);
		F.hidden[k] = 0;
	}
	if (o > 0)
		view_infof("%s not shown (more than %d lines a second; "
		    "--jsonl keeps every one)", line, FLOOD_LINES);
}

/* Whether the display may show one more line of this kind now. */
static int
flood_allows(enum flood_kind kind)
{
	double now = now_sec();
	int waiting = 0;

	if (now - F.start >= FLOOD_WINDOW) {
		F.start = now;
		F.shown = 0;
	}
	if (F.shown < FLOOD_LINES) {
		F.shown++;
		return 1;
	}
	for (int k = 0; k < FLOOD_KINDS; k++)
		waiting |= F.hidden[k] > 0;
	if (!waiting) {
		F.t.fire = flood_summary;
		loop_timer_set(&F.t, F.start + FLOOD_WINDOW);
	}
	F.hidden[kind]++;
	return 0;
}

void
show_message_end(struct conn *c, struct show_msg *m, int shown)
{
	const struct conn_in *in = conn_in(c);
	int binary = in->opcode == WS_OP_BINARY;

	if (m->stream)
		stream_piece(c, m, NULL, 0, 1);
	else if (m->whole && m->to_stdout)
		stream_piece(c, m, m->buf, m->len, 1);
	if (opt.record)
		record_message(conn_id(c), rec_dir(c, '<'), binary ?
		    WS_OP_BINARY : in->opcode, m->buf, m->len, in->len);
	/* a pipe has the message on stdout already: no event to render */
	if (!shown || (!opt.jsonl && !opt.interactive))
		return;
	{
		struct show_event e = {
			.kind = EV_MESSAGE, .c = c, .dir = '<',
			.opcode = binary ? WS_OP_BINARY : in->opcode,
			.p = m->buf, .n = m->len, .size = in->len,
			.frags = in->frags, .compressed = in->compressed,
			.wire = in->wire,
		};

		emit(&e);
	}
}

/* What show_message_out() does when it has something to do */
static void __attribute__((noinline))
message_out(struct conn *c, unsigned opcode, const uint8_t *p, size_t n,
    uint64_t size, unsigned frags)
{
	if (p && opt.record)
		record_message(conn_id(c), rec_dir(c, '>'), opcode, p, n, size);
	if (opt.jsonl || opt.interactive) {
		struct show_event e = {
			.kind = EV_MESSAGE, .c = c, .dir = '>',
			.opcode = opcode, .p = p, .n = n, .size = size,
			.frags = frags, .compressed = conn_compressing(c),
			.wire = conn_out_wire(c),
		};

		emit(&e);
	}
}

void
show_message_out(struct conn *c, unsigned opcode, const uint8_t *p, size_t n,
    uint64_t size, unsigned frags)
{
	/* this runs for every message sent; a pipe without --record does
	 * nothing with it, and pays only this test */
	if (opt.record || opt.jsonl || opt.interactive)
		message_out(c, opcode, p, n, size, frags);
}

void
show_message_piece_out(struct conn *c, unsigned opcode, const uint8_t *p,
    size_t n, int fin)
{
	if (opt.record)
		record_piece(conn_id(c), opcode, p, n, fin);
}

/* ------------------------------------------------------------ control */

void
show_control(struct conn *c, char dir, unsigned op, const uint8_t *p,
    size_t n, const char *note, double rtt_ms)
{
	struct show_event e = {
		.kind = EV_CONTROL, .c = c, .dir = dir, .opcode = op, .p = p,
		.n = n, .size = n, .note = note, .rtt_ms = rtt_ms,
	};

	/* what conn.c sends by itself is a client's only as a server's
	 * answer (the PONG to a client's PING); a client's PONG to a PING
	 * of wscli's is automatic */
	if (conn_role(c) == WS_ROLE_CLIENT ? dir == '<' : dir == '<' ||
	    op == WS_OP_PONG)
		record_control(conn_id(c), rec_dir(c, dir), op, p, n,
		    dir == '<' && rtt_ms >= 0);
	emit(&e);
}

void
show_control_out(struct conn *c, unsigned op, const uint8_t *p, size_t n)
{
	record_control(conn_id(c), rec_dir(c, '>'), op, p, n, 0);
}

void
show_close(struct conn *c, char dir, unsigned code, const uint8_t *reason,
    size_t n)
{
	const char *them = conn_role(c) == WS_ROLE_CLIENT ? "server" : "client";
	/* who began the close handshake */
	int ours = dir == '>' ? !conn_close_received(c) : conn_close_sent(c);
	struct show_event e = {
		.kind = EV_CLOSE, .c = c, .dir = dir, .opcode = WS_OP_CLOSE,
		.p = reason, .n = n, .code = code, .by = ours ? "wscli" : them,
	};

	record_close(conn_id(c), rec_dir(c, dir), code, reason, n);
	emit(&e);
}

/* ------------------------------------------------------------- frames */

void
show_jsonl_frame_fields(const struct ws_frame_header *h,
    unsigned message_opcode, int compressed, const uint8_t *p, size_t n)
{
	size_t hl = h->header_size - (h->masked ? 4 : 0);
	char mask[16];

	jsonl_bool("fin", (int)h->fin);
	jsonl_int("rsv", h->rsv);
	jsonl_int("opcode", h->opcode);
	jsonl_str("type", h->opcode == WS_OP_CONT ? "continuation" :
	    ws_opcode_name(h->opcode));
	if (h->masked) {
		snprintf(mask, sizeof mask, "%02x%02x%02x%02x", h->mask[0],
		    h->mask[1], h->mask[2], h->mask[3]);
		jsonl_str("mask", mask);
	} else {
		jsonl_null("mask");
	}
	jsonl_int("length", (long long)h->length);
	jsonl_int("length_bits", hl == 2 ? 7 : hl == 4 ? 16 : 64);
	jsonl_int("header_size", (long long)h->header_size);
	jsonl_payload(p, n, !(h->opcode == WS_OP_TEXT || (h->opcode ==
	    WS_OP_CONT && message_opcode == WS_OP_TEXT)) || compressed);
	if (h->length > n)
		jsonl_bool("truncated", 1);
}

void
show_format_frame(char *out, size_t cap, int id, char dir,
    const struct ws_frame_header *h, unsigned message_opcode,
    int compressed, const uint8_t *p, size_t n)
{
	char mask[16], body[CONN_PEEK * 12 + 32], who[24] = "";
	size_t hl = h->header_size - (h->masked ? 4 : 0);
	const char *enc = hl == 2 ? "7-bit" : hl == 4 ? "16-bit" : "64-bit";
	unsigned op = h->opcode;
	int text = op == WS_OP_TEXT ||
	    (op == WS_OP_CONT && message_opcode == WS_OP_TEXT);
	char opname[24];

	if (id > 0)
		snprintf(who, sizeof who, "%d", id);
	if (h->masked)
		snprintf(mask, sizeof mask, "%02x%02x%02x%02x", h->mask[0],
		    h->mask[1], h->mask[2], h->mask[3]);
	else
		snprintf(mask, sizeof mask, "-");
	if (op == WS_OP_CONT)
		snprintf(opname, sizeof opname, "cont");
	else if (!strcmp(ws_opcode_name(op), "reserved"))
		snprintf(opname, sizeof opname, "op=0x%x", op);
	else
		snprintf(opname, sizeof opname, "%s", ws_opcode_name(op));

	body[0] = '\0';
	if (op == WS_OP_CLOSE && n >= 2) {
		char r[CONN_PEEK * 12];
		unsigned code = (unsigned)p[0] << 8 | p[1];

		disp_escape_str(r, sizeof r, p + 2, n - 2, DISP_QUOTE);
		snprintf(body, sizeof body, n > 2 ? "%u %s \"%s\"" : "%u %s",
		    code, ws_close_code_name(code), r);
	} else if (n > 0 && ((text && !compressed) ||
	    ((op == WS_OP_PING || op == WS_OP_PONG) &&
	    ws_utf8_valid(p, n, NULL)))) {
		char r[CONN_PEEK * 12];

		disp_escape_str(r, sizeof r, p, n, DISP_QUOTE);
		snprintf(body, sizeof body, "\"%s\"%s", r,
		    h->length > n ? "..." : "");
	} else if (n > 0) {
		size_t o = 0;

		for (size_t i = 0; i < n && o + 4 < sizeof body; i++)
			o += (size_t)snprintf(body + o, sizeof body - o, "%s%02x",
			    i ? " " : "", p[i]);
		if (h->length > n && o + 4 < sizeof body)
			snprintf(body + o, sizeof body - o, " ...");
	}
	snprintf(out, cap, "%c%s frame %-6s fin=%u rsv=%u%u%u len=%" PRIu64
	    " (%s) mask=%s%s%s", dir, who, opname, h->fin, (h->rsv >> 2) & 1,
	    (h->rsv >> 1) & 1, h->rsv & 1, h->length, enc, mask,
	    body[0] ? "  " : "", body);
}

void
show_frame(struct conn *c, char dir, const struct ws_frame_header *h,
    const uint8_t *p, size_t n)
{
	struct show_event e = {
		.kind = EV_FRAME, .c = c, .dir = dir, .h = h, .p = p, .n = n,
		.opcode = conn_in(c)->opcode,
		.compressed = conn_in(c)->compressed,
	};

	if (dir != '<') /* the message of ours it belongs to */
		conn_sending(c, &e.opcode, &e.compressed);
	emit(&e);
}

/* ------------------------------------------------------------ crafted */

struct crafted {
	struct conn *c;
	struct craft_walk *w;
	int closes;          /* a whole CLOSE frame was among them */
	long code;           /* ... its code, 1005 for none */
};

static void
crafted_frame(void *ud, const struct ws_frame_header *h, const uint8_t *p,
    size_t n, int violation, const char *rule)
{
	struct crafted *k = ud;
	char line[CONN_PEEK * 12 + 1024];
	size_t o, whole = h->length == n;

	if (h->opcode == WS_OP_CLOSE && h->fin && whole && !k->closes) {
		k->closes = 1;
		k->code = n >= 2 ? (long)(p[0] << 8 | p[1]) : n == 1 ?
		    CONN_CLOSE_MALFORMED : WS_CLOSE_NO_STATUS;
	}
	/* its PONG answers it, as for a ping of wscli's own */
	if (h->opcode == WS_OP_PING && h->fin && whole &&
	    !conn_close_sent(k->c))
		conn_ping_sent(k->c, p, n);
	if (n > CONN_PEEK)
		n = CONN_PEEK;
	if (opt.jsonl) {
		show_frame(k->c, '>', h, p, n);
		return;
	}
	if (opt.quiet && !opt.interactive)
		return;
	show_format_frame(line, sizeof line, conn_id(k->c), '>', h,
	    k->w->d.message_opcode, 0, p, n);
	o = strlen(line);
	if (rule)
		snprintf(line + o, sizeof line - o, "  (%s)", rule);
	if (opt.interactive)
		view_line(line);
	else
		term_print_stderr("", line);
}

int
show_crafted(struct conn *c, struct craft_walk *w, const uint8_t *p,
    size_t n, long *close_code)
{
	struct crafted k = { .c = c, .w = w };
	uint8_t *copy = xrealloc(NULL, n ? n : 1);
	size_t whole;

	memcpy(copy, p, n);
	whole = craft_walk(w, copy, n, WS_MAX_CONTROL_PAYLOAD, crafted_frame,
	    &k);
	free(copy);
	if (whole < n && !opt.jsonl && !(opt.quiet && !opt.interactive)) {
		char line[128];

		snprintf(line, sizeof line, ">%.0d %zu byte%s of an unfinished "
		    "frame (the peer waits for the rest)", conn_id(c),
		    n - whole, n - whole == 1 ? "" : "s");
		if (opt.interactive)
			view_line(line);
		else
			term_print_stderr("", line);
	}
	*close_code = k.code;
	{
		char what[96];

		snprintf(what, sizeof what, "%zu crafted byte%s sent "
		    "(/frame, /raw): not recorded", n, n == 1 ? "" : "s");
		record_comment(conn_id(c), what);
	}
	return k.closes;
}

/* --------------------------------------------------------------- open */

/* "Name: value" lines of a head, allocated; *n set. */
static char **
header_lines(const struct up_head *h, size_t *n)
{
	char **lines = xrealloc(NULL, (h->nheaders + 1) * sizeof *lines);

	for (size_t i = 0; i < h->nheaders; i++) {
		const struct up_header *x = &h->headers[i];
		size_t len = x->name_len + x->value_len + 3;

		lines[i] = xrealloc(NULL, len);
		snprintf(lines[i], len, "%.*s: %.*s", (int)x->name_len, x->name,
		    (int)x->value_len, x->value);
	}
	*n = h->nheaders;
	return lines;
}

static void
free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

void
show_jsonl_headers(const char *key, const struct up_head *h)
{
	size_t n = 0;
	char **lines = h ? header_lines(h, &n) : NULL;

	jsonl_headers(key, (const char *const *)lines, n);
	free_lines(lines, n);
}

void
show_open(struct conn *c, const struct dial_result *r)
{
	char buf[2048];

	dial_summary(r, buf, sizeof buf);
	if (opt.verbose)
		dial_verbose_details(r);
	info("%s%s", conn_label(c), buf);
	record_begin(conn_id(c), r->url, opt.protocols,
	    (size_t)opt.nprotocols);
	if (opt.jsonl) {
		char u[1024];

		jsonl_begin_conn(c, "open", 0);
		jsonl_str("url", url_redacted(r->url, u, sizeof u));
		jsonl_int("status", r->status);
		jsonl_num("ms", r->ms);
		jsonl_str("subprotocol", r->protocol);
		jsonl_str("extensions", r->extensions);
		if (r->pmd) {
			jsonl_int("server_max_window_bits", r->agreed.server_bits);
			jsonl_int("client_max_window_bits", r->agreed.client_bits);
			jsonl_bool("server_no_context_takeover",
			    r->agreed.server_no_takeover);
			jsonl_bool("client_no_context_takeover",
			    r->agreed.client_no_takeover);
		}
		show_jsonl_headers("headers", &r->resp);
		jsonl_end();
	}
}

/* ---------------------------------------------------- listen and relay */

/* A client of listen mode is answered: its recording begins, with the
 * URL it asked for (its Host and target) and its offers. */
static void
record_request(const struct show_request *r, const char *offered)
{
	const char *protocols[64];
	size_t n = 0;
	char host[1024], url[4096], offers[4096];
	char *tok, *save = NULL;

	snprintf(offers, sizeof offers, "%s", offered);

	up_get(r->req, "Host", host, sizeof host);
	snprintf(url, sizeof url, "%s://%s%.*s", r->tls ? "wss" : "ws", host,
	    (int)r->req->target_len, r->req->target);
	for (tok = strtok_r(offers, ", \t", &save); tok && n < 64;
	    tok = strtok_r(NULL, ", \t", &save))
		protocols[n++] = tok;
	record_begin(r->id, url, protocols, n);
}

void
show_request(const struct show_request *r)
{
	char who[32], buf[8448], esc[8448 * 4], offers[2][4096];
	const struct up_head *h = r->req;
	size_t n = 0;
	char **lines = h ? header_lines(h, &n) : NULL;

	if (r->label)
		snprintf(who, sizeof who, "%s", r->label);
	else
		snprintf(who, sizeof who, "client %d: ", r->id);
	if (h) {
		up_get(h, "Sec-WebSocket-Protocol", offers[0], sizeof offers[0]);
		up_get(h, "Sec-WebSocket-Extensions", offers[1],
		    sizeof offers[1]);
	} else {
		offers[0][0] = offers[1][0] = '\0';
	}
	if (h && r->status == 101 && !r->answer_only &&
	    opt.mode == MODE_LISTEN)
		record_request(r, offers[0]);
	if (opt.jsonl && r->status == 0) {
		/* the answer is not known yet: the event comes with it */
	} else if (opt.jsonl) {
		jsonl_begin(show_jsonl_writer, "connect");
		jsonl_int("conn", r->id);
		jsonl_str("address", r->addr);
		if (h) {
			jsonl_strn("method", (const uint8_t *)h->method,
			    h->method_len);
			jsonl_strn("target", (const uint8_t *)h->target,
			    h->target_len);
			jsonl_headers("headers", (const char *const *)lines, n);
		}
		jsonl_str("tls", r->tls);
		jsonl_str("certificate", r->cert);
		jsonl_int("status", r->status);
		if (r->why)
			jsonl_str("reason", r->why);
		jsonl_str("subprotocol", r->protocol);
		jsonl_str("extensions", r->extensions);
		jsonl_end();
	} else if (!r->answer_only) {
		snprintf(buf, sizeof buf, "connection from %s%s%s%s%s",
		    r->addr, r->tls ? ", " : "", r->tls ? r->tls : "",
		    r->cert ? ", client certificate " : "",
		    r->cert ? r->cert : "");
		disp_escape_str(esc, sizeof esc, (const uint8_t *)buf,
		    strlen(buf), 0);
		info("%s%s", who, esc);
		if (h) {
			snprintf(buf, sizeof buf, "%.*s %.*s HTTP/1.%d",
			    (int)h->method_len, h->method, (int)h->target_len,
			    h->target, h->minor_version);
			disp_escape_str(esc, sizeof esc, (const uint8_t *)buf,
			    strlen(buf), 0);
			info("%s%s", who, esc);
		}
		for (size_t i = 0; i < n; i++) {
			disp_escape_str(esc, sizeof esc, (const uint8_t *)lines[i],
			    strlen(lines[i]), 0);
			info("%s  %s", who, esc);
		}
		if (h) {
			const struct up_header *o = up_find(h, "Origin", NULL);

			snprintf(buf, sizeof buf, "offers subprotocols %s; "
			    "extensions %s; origin %.*s", offers[0][0] ?
			    offers[0] : "(none)", offers[1][0] ? offers[1] :
			    "(none)", o ? (int)o->value_len : 6, o ? o->value :
			    "(none)");
			disp_escape_str(esc, sizeof esc, (const uint8_t *)buf,
			    strlen(buf), 0);
			info("%s%s", who, esc);
		}
		for (size_t i = 0; r->extra && r->extra[i]; i++) {
			disp_escape_str(esc, sizeof esc,
			    (const uint8_t *)r->extra[i], strlen(r->extra[i]), 0);
			info("%s%s", who, esc);
		}
		if (r->status == 101) {
			snprintf(buf, sizeof buf, "answered 101 Switching "
			    "Protocols: subprotocol %s, %s%s", r->protocol ?
			    r->protocol : "(none)", r->deflate ?
			    "permessage-deflate: " : "no extension",
			    r->deflate ? r->deflate : "");
			info("%s%s", who, buf);
		} else if (r->status > 0) {
			disp_escape_str(esc, sizeof esc, (const uint8_t *)
			    (r->why ? r->why : ""), r->why ? strlen(r->why) : 0,
			    0);
			diag("%srefused with %d %s: %s", who, r->status,
			    up_reason_phrase(r->status), esc);
		}
	}
	free_lines(lines, n);
}

void
show_gone(const char *label, const char *addr, const char *why)
{
	char esc[1024];

	disp_escape_str(esc, sizeof esc, (const uint8_t *)why, strlen(why), 0);
	/* a port probe that sends nothing is not an error */
	if (strstr(why, "without sending a request"))
		info("%s%s (from %s)", label, esc, addr);
	else
		diag("%s%s (from %s)", label, esc, addr);
}

void
show_deflate_summary(struct conn *c)
{
	const struct conn_stats *st = conn_stats(c);

	if (conn_pmd(c) == NULL || opt.interactive)
		return;
	if (opt.jsonl) {
		jsonl_begin_conn(c, "deflate", 0);
		jsonl_int("messages_in", (long long)st->msgs_in);
		jsonl_int("compressed_in", (long long)st->zmsgs_in);
		jsonl_int("wire_in", (long long)st->zbytes_in);
		jsonl_int("inflated_in", (long long)st->zplain_in);
		jsonl_int("messages_out", (long long)st->msgs_out);
		jsonl_int("compressed_out", (long long)st->zmsgs_out);
		jsonl_int("wire_out", (long long)st->zbytes_out);
		jsonl_int("inflated_out", (long long)st->zplain_out);
		jsonl_end();
		return;
	}
	info("%spermessage-deflate: in %llu of %llu message%s compressed, "
	    "%llu B on the wire for %llu B (%.1f%%); out %llu of %llu, %llu B "
	    "on the wire for %llu B (%.1f%%)", conn_label(c),
	    (unsigned long long)st->zmsgs_in, (unsigned long long)st->msgs_in,
	    st->msgs_in == 1 ? "" : "s", (unsigned long long)st->zbytes_in,
	    (unsigned long long)st->zplain_in, st->zplain_in ? 100.0 *
	    (double)st->zbytes_in / (double)st->zplain_in : 0,
	    (unsigned long long)st->zmsgs_out, (unsigned long long)st->msgs_out,
	    (unsigned long long)st->zbytes_out,
	    (unsigned long long)st->zplain_out, st->zplain_out ? 100.0 *
	    (double)st->zbytes_out / (double)st->zplain_out : 0);
}

void
show_disconnect(struct conn *c)
{
	const struct conn_stats *st = conn_stats(c);

	show_deflate_summary(c);
	record_end(conn_id(c));
	if (opt.jsonl) {
		jsonl_begin_conn(c, "disconnect", 0);
		jsonl_int("exit", conn_exit(c));
		jsonl_str("why", conn_why(c));
		jsonl_int("messages_in", (long long)st->msgs_in);
		jsonl_int("messages_out", (long long)st->msgs_out);
		jsonl_num("seconds", now_sec() - st->opened_at);
		jsonl_end();
		return;
	}
	info("%sdisconnected after %.1f s: %llu message%s in, %llu out",
	    conn_label(c), now_sec() - st->opened_at,
	    (unsigned long long)st->msgs_in, st->msgs_in == 1 ? "" : "s",
	    (unsigned long long)st->msgs_out);
}

/* ------------------------------------------------------------- errors */

void
show_error(const char *msg)
{
	int id = 0, k = 0;
	char dir[16] = "";

	/* the labels of listen and relay mode say whose it is: "client 3: ",
	 * "relay 3: ", "relay 3 client>server: " */
	if (sscanf(msg, "client %d: %n", &id, &k) < 1 || k == 0) {
		k = 0;
		if (sscanf(msg, "relay %d: %n", &id, &k) < 1 || k == 0) {
			k = 0;
			if (sscanf(msg, "relay %d %15[a-z>]: %n", &id, dir,
			    &k) < 2 || k == 0)
				id = 0, dir[0] = '\0';
		}
	}
	jsonl_begin(show_jsonl_writer, "error");
	if (id > 0)
		jsonl_int("conn", id);
	if (dir[0])
		jsonl_str("dir", dir);
	jsonl_str("message", msg);
	jsonl_end();
}

/* ----------------------------------------------------------- relay log */

#define LOG_TEXT 256                  /* bytes of a text on a log line */
#define LOG_HEX 32                    /* bytes of binary on a log line */

/* ------------------------------------------------ application protocol */

void
show_proto(struct conn *c, char dir, const struct show_proto *e, int watch)
{
	int hidden = e->keepalive && !view.frames && !opt.verbose;

	if (hidden)
		return;
	if (opt.jsonl) {
		jsonl_begin_conn(c, "proto", dir);
		jsonl_str("proto", e->proto);
		jsonl_str("kind", e->kind);
		if (e->name)
			jsonl_str("name", e->name);
		if (e->id)
			jsonl_str("id", e->id);
		if (e->json)
			jsonl_raw("data", e->json, e->njson);
		if (e->payload)
			jsonl_payload(e->payload, e->npayload, e->binary);
		jsonl_end();
		return;
	}
	if (watch) {
		char what[LOG_TEXT * 12 + 64], line[sizeof what + 64];
		double zero = 0;
		size_t n = e->ntext < LOG_TEXT ? e->ntext : LOG_TEXT;

		/* a cut inside a character shows up to it */
		while (n > 0 && n < e->ntext && (e->text[n] & 0xc0) == 0x80)
			n--;
		disp_escape_str(what, sizeof what, e->text, n, 0);
		snprintf(line, sizeof line, "%s%s%s%s", e->kind, n > 0 ? " " :
		    "", what, n < e->ntext ? " ..." : "");
		show_log(conn_id(c), show_dir(c, dir), e->last_at ? e->last_at :
		    &zero, NULL, 0, line);
		return;
	}
	if (opt.interactive) {
		/* what wscli sent stays on screen as the command typed */
		if (dir == '<' || e->keepalive)
			view_proto(conn_id(c), dir, e->kind, e->text,
			    e->ntext);
		return;
	}
	if (e->line && dir == '<') {
		char stamp[32];

		size_t run = 0;

		if (opt.timestamps)
			out_write(stamp, term_stamp(stamp, sizeof stamp));
		/* one event a line: a line break between JSON tokens is a
		 * blank (inside a string it cannot be) */
		if (memchr(e->line, '\n', e->nline) == NULL &&
		    memchr(e->line, '\r', e->nline) == NULL) {
			out_write(e->line, e->nline); /* the common case */
		} else {
			for (size_t i = 0; i < e->nline; i++)
				if (e->line[i] == '\n' || e->line[i] == '\r') {
					out_write(e->line + run, i - run);
					out_write(" ", 1);
					run = i + 1;
				}
			out_write(e->line + run, e->nline - run);
		}
		out_write(opt.null_sep ? "" : "\n", 1);
		return;
	}
	if (e->notice || e->keepalive) {
		char what[1024];

		disp_escape_str(what, sizeof what, e->text, e->ntext < 256 ?
		    e->ntext : 256, 0);
		if (e->notice == 2)
			diag("%s%s%s%s", conn_label(c), e->kind, e->ntext ?
			    " " : "", what);
		else
			info("%s%c %s%s%s", conn_label(c), dir, e->kind,
			    e->ntext ? " " : "", what);
	}
}

void
show_proto_violation(struct conn *c, double *last_at, const char *proto,
    const char *what)
{
	char line[1024];
	double zero = 0;

	if (opt.jsonl) {
		jsonl_begin_conn(c, "violation", '<');
		jsonl_str("proto", proto);
		jsonl_str("what", what);
		jsonl_end();
		return;
	}
	snprintf(line, sizeof line, "%s protocol error: %s", proto, what);
	show_log(conn_id(c), show_dir(c, '<'), last_at ? last_at : &zero,
	    "violation", 0, line);
}

void
show_log(int id, const char *dir, double *last_at, const char *type,
    int64_t size, const char *what)
{
	double t = now_sec(), d = *last_at > 0 ? t - *last_at : 0;
	char since[32], sz[32], line[LOG_TEXT * 12 + 1024];

	*last_at = t;
	/* at a terminal, what a side sends is held to the flood limit;
	 * what wscli sends and closes always show */
	if (opt.interactive && strncmp(dir, "wscli>", 6) && (type == NULL ||
	    strcmp(type, "close")) && !flood_allows(type == NULL ?
	    FLOOD_FRAME : !strcmp(type, "ping") || !strcmp(type, "pong") ?
	    FLOOD_CONTROL : FLOOD_MESSAGE))
		return;
	if (d < 1)
		snprintf(since, sizeof since, "+%.3f ms", d * 1000);
	else
		snprintf(since, sizeof since, "+%.3f s", d);
	if (type)
		snprintf(line, sizeof line, "%d %-13s %11s  %-7s%10s%s%s", id,
		    dir, since, type, disp_size(sz, sizeof sz, (uint64_t)size),
		    what[0] ? "  " : "", what);
	else
		snprintf(line, sizeof line, "%d %-13s %11s  %s", id, dir, since,
		    what);
	if (opt.interactive) {
		view_line(line);
	} else {
		char stamp[32];

		out_write(stamp, term_stamp(stamp, sizeof stamp));
		out_write(line, strlen(line));
		out_write("\n", 1);
	}
}

void
show_payload_brief(char *out, size_t cap, const uint8_t *p, size_t n,
    uint64_t total, int text)
{
	size_t o = 0;

	out[0] = '\0';
	if (text) {
		size_t k = n < LOG_TEXT ? n : LOG_TEXT, cut = k, bad;

		/* a cut may fall inside a character: show up to it */
		while (k > 0 && cut - k < 3 && !ws_utf8_valid(p, k, &bad) &&
		    bad == k)
			k--;
		if (ws_utf8_valid(p, k, NULL)) {
			disp_escape_str(out, cap, p, k, 0);
			o = strlen(out);
			if (total > k && o < cap)
				snprintf(out + o, cap - o, " ... %" PRIu64
				    " more bytes", total - k);
			return;
		}
	}
	for (size_t i = 0; i < n && i < LOG_HEX && o + 4 < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%02x", i ? " " : "",
		    p[i]);
	if (total > LOG_HEX && o < cap)
		snprintf(out + o, cap - o, " ... %" PRIu64 " more bytes",
		    total - LOG_HEX);
}

void
show_close_words(char *out, size_t cap, unsigned code, const uint8_t *reason,
    size_t n)
{
	char r[WS_MAX_CONTROL_PAYLOAD * 12];

	if (code == WS_CLOSE_NO_STATUS) {
		snprintf(out, cap, "no status code");
		return;
	}
	disp_escape_str(r, sizeof r, reason, n, DISP_QUOTE);
	snprintf(out, cap, n > 0 ? "%u %s \"%s\"" : "%u %s", code,
	    ws_close_code_name(code), r);
}

/* Relay mode's recording is the client's conversation with the server:
 * what passed between them. What wscli itself sent either side, and what
 * was not passed on, is no part of it. */
static void
record_relayed(const struct show_relayed *e)
{
	char dir;
	int control = !strcmp(e->event, "ping") || !strcmp(e->event, "pong");

	if (!strncmp(e->dir, "client>", 7))
		dir = '>';
	else if (!strncmp(e->dir, "server>", 7))
		dir = '<';
	else {
		if (!strcmp(e->dir, "wscli>client") && strcmp(e->event, "frame"))
			record_comment(e->id, "wscli sent the client a message "
			    "or a control frame of its own: not recorded");
		return;
	}
	if (!e->relayed || e->ours)
		return;
	if (!strcmp(e->event, "message"))
		record_message(e->id, dir, e->opcode, e->p, e->n, e->size);
	else if (control)
		/* a client's PONG answers the server's PING */
		record_control(e->id, dir, e->opcode, e->p, e->n,
		    e->opcode == WS_OP_PONG);
	else if (!strcmp(e->event, "close"))
		record_close(e->id, dir, e->code, e->p, e->n);
}

void
show_relayed(const struct show_relayed *e)
{
	char body[LOG_TEXT * 12 + 512], extra[96] = "";
	size_t o;

	record_relayed(e);
	if (e->unshown)
		return;
	if (opt.jsonl) {
		jsonl_begin(show_jsonl_writer, e->event);
		jsonl_int("conn", e->id);
		jsonl_str("dir", e->dir);
		if (!strcmp(e->event, "message")) {
			show_jsonl_message_fields(e->opcode, 1, e->size,
			    e->frags, e->compressed, e->wire, e->p, e->n);
		} else if (!strcmp(e->event, "frame")) {
			show_jsonl_frame_fields(e->h, e->opcode, e->compressed,
			    e->p, e->n);
		} else if (!strcmp(e->event, "violation")) {
			jsonl_str("message", e->what);
			jsonl_int("code", e->code);
		} else { /* a control frame */
			jsonl_int("opcode", e->opcode);
			jsonl_int("size", (long long)e->size);
			if (e->opcode == WS_OP_CLOSE) {
				if (e->code == WS_CLOSE_NO_STATUS)
					jsonl_null("code");
				else
					jsonl_int("code", e->code);
				jsonl_strn("reason", e->p, e->n);
			} else {
				jsonl_payload(e->p, e->n, 0);
			}
			if (e->ours)
				jsonl_bool("ours", 1);
			if (e->by)
				jsonl_str("by", e->by);
		}
		if (!e->by && (!e->relayed || strcmp(e->event, "message")) &&
		    strcmp(e->event, "frame"))
			jsonl_bool("relayed", e->relayed);
		if (strcmp(e->event, "violation"))
			jsonl_num("since_ms", (now_sec() - e->opened_at) * 1000);
		jsonl_end();
		return;
	}
	if (!strcmp(e->event, "violation")) {
		/* at a terminal the diagnostic says it already */
		if (opt.interactive)
			return;
		snprintf(body, sizeof body, "violation: %s (%s)", e->what,
		    e->relayed ? "relayed as sent" : "not relayed");
		show_log(e->id, e->dir, e->last_at, NULL, -1, body);
		return;
	}
	if (!strcmp(e->event, "frame")) {
		char f[CONN_PEEK * 12 + 256];

		/* " " for the direction, no id: "  frame text ..." */
		show_format_frame(f, sizeof f, 0, ' ', e->h, e->opcode,
		    e->compressed, e->peek, e->npeek);
		show_log(e->id, e->dir, e->last_at, NULL, -1, f + 2);
		return;
	}
	if (!strcmp(e->event, "message")) {
		char type[16];

		if (e->frags > 1)
			snprintf(extra, sizeof extra, "[%u fragments] ", e->frags);
		if (e->compressed)
			snprintf(extra + strlen(extra), sizeof extra -
			    strlen(extra), "[deflated %" PRIu64 " B] ", e->wire);
		o = (size_t)snprintf(body, sizeof body, "%s", extra);
		show_payload_brief(body + o, sizeof body - o, e->p, e->n,
		    e->size, e->opcode == WS_OP_TEXT);
		if (e->opcode == WS_OP_TEXT || e->opcode == WS_OP_BINARY)
			snprintf(type, sizeof type, "%s",
			    ws_opcode_name(e->opcode));
		else
			snprintf(type, sizeof type, "op=0x%x", e->opcode);
		if (e->note) {
			o = strlen(body);
			snprintf(body + o, sizeof body - o, " (%s)", e->note);
		}
		show_log(e->id, e->dir, e->last_at, type, (int64_t)e->size,
		    body);
		return;
	}
	if (e->opcode == WS_OP_CLOSE)
		show_close_words(body, sizeof body, e->code, e->p, e->n);
	else
		show_payload_brief(body, sizeof body, e->p, e->n, e->n, 1);
	if (e->note) {
		o = strlen(body);
		snprintf(body + o, sizeof body - o, "%s(%s)", body[0] ? " " :
		    "", e->note);
	}
	show_log(e->id, e->dir, e->last_at, strcmp(ws_opcode_name(e->opcode),
	    "reserved") ? ws_opcode_name(e->opcode) : "control",
	    (int64_t)e->size, body);
}

void
show_pair_open(int id, const char *label, const char *client,
    const char *server, const char *protocol, const char *client_deflate,
    const char *server_deflate, const char *const *offers, size_t noffers)
{
	record_begin(id, server, offers, noffers);
	if (opt.jsonl) {
		jsonl_begin(show_jsonl_writer, "open");
		jsonl_int("conn", id);
		jsonl_str("client", client);
		jsonl_str("server", server);
		jsonl_str("subprotocol", protocol);
		jsonl_str("client_deflate", client_deflate);
		jsonl_str("server_deflate", server_deflate);
		jsonl_end();
		return;
	}
	info("%sopen: client %s <-> server %s, subprotocol %s; "
	    "permessage-deflate: client side %s, server side %s", label, client,
	    server, protocol ? protocol : "(none)", client_deflate ?
	    client_deflate : "no", server_deflate ? server_deflate : "no");
}

void
show_pair_end(const struct show_pair_end *e)
{
	char how[3600];

	record_end(e->id);
	if (opt.jsonl) {
		jsonl_begin(show_jsonl_writer, "end");
		jsonl_int("conn", e->id);
		if (e->status > 0) {
			jsonl_int("status", e->status);
			jsonl_str("why", e->why);
		} else {
			jsonl_str("first", e->first[0] ? e->first : NULL);
			jsonl_str("answer", e->answer[0] ? e->answer : NULL);
		}
		jsonl_str("closed_by", e->closed_by);
		if (e->status <= 0) {
			jsonl_str("client", e->client_why);
			jsonl_str("server", e->server_why);
		}
		jsonl_int("client_to_server", (long long)e->client_to_server);
		jsonl_int("server_to_client", (long long)e->server_to_client);
		if (e->status <= 0)
			jsonl_int("violations", e->violations);
		jsonl_int("exit", e->exit);
		jsonl_end();
		return;
	}
	if (e->status > 0)
		return; /* its refusal was said as it was answered */
	if (e->first[0])
		snprintf(how, sizeof how, "%s%s%s", e->first, e->answer[0] ?
		    ", " : "", e->answer[0] ? e->answer : ", no answer");
	else
		snprintf(how, sizeof how, "no close was relayed (client side: "
		    "%s; server side: %s)", e->client_why[0] ? e->client_why :
		    "-", e->server_why[0] ? e->server_why : "-");
	info("%sover after %.1f s: %s; %" PRIu64 " message%s client>server, "
	    "%" PRIu64 " server>client%s", e->label, e->age, how,
	    e->client_to_server, e->client_to_server == 1 ? "" : "s",
	    e->server_to_client, e->violations ? ", protocol violations seen" :
	    "");
}

void
show_upstream(int id, const char *url, const struct dial_result *r)
{
	if (!opt.jsonl)
		return;
	jsonl_begin(show_jsonl_writer, "upstream");
	jsonl_int("conn", id);
	jsonl_str("url", url);
	jsonl_str("request", r->request);
	jsonl_int("status", r->status);
	show_jsonl_headers("headers", r->status ? &r->resp : NULL);
	if (r->exit >= 0)
		jsonl_str("error", r->error);
	jsonl_str("subprotocol", r->protocol);
	jsonl_str("extensions", r->extensions);
	if (r->body_len > 0 || r->body_more) {
		jsonl_bytes("body", (const uint8_t *)r->body, r->body_len);
		if (r->body_more)
			jsonl_bool("body_truncated", 1);
	}
	jsonl_num("ms", r->ms);
	jsonl_end();
}

/* -------------------------------------------------- client and server */

void
show_dial_error(const struct dial_result *r)
{
	if (!opt.jsonl)
		return;
	jsonl_begin(show_jsonl_writer, "error");
	jsonl_str("message", r->error);
	jsonl_int("exit", r->exit);
	if (r->status) {
		jsonl_int("status", r->status);
		show_jsonl_headers("headers", &r->resp);
		if (r->body_len) {
			jsonl_payload((const uint8_t *)r->body, r->body_len, 0);
			if (r->body_more)
				jsonl_bool("truncated", 1);
		}
	}
	jsonl_end();
}

void
show_reconnect(double delay, long attempt, long max, const char *why,
    int exit, uint64_t unsent)
{
	char line[1200], of[32] = "";

	if (max > 0)
		snprintf(of, sizeof of, " of %ld", max);
	snprintf(line, sizeof line, "reconnecting in %.3g s (attempt %ld%s): "
	    "%s", delay, attempt, of, why);
	if (opt.interactive)
		view_info(line);
	else
		term_print_stderr("wscli: ", line);
	if (!opt.jsonl || opt.interactive)
		return;
	jsonl_begin(show_jsonl_writer, "reconnect");
	jsonl_int("attempt", attempt);
	if (max > 0)
		jsonl_int("max", max);
	else
		jsonl_null("max");
	jsonl_num("delay", delay);
	jsonl_str("why", why);
	jsonl_int("exit", exit);
	jsonl_int("unsent", (long long)unsent);
	jsonl_end();
}

void
show_listening(const char *address, int tls, int port_news)
{
	if (port_news) {
		char msg[160];

		snprintf(msg, sizeof msg, "listening on %s%s", address, tls ?
		    " (TLS)" : "");
		term_print_stderr("wscli: ", msg);
	} else {
		info("listening on %s%s", address, tls ? " (TLS)" : "");
	}
	if (opt.jsonl) {
		jsonl_begin(show_jsonl_writer, "listening");
		jsonl_str("address", address);
		jsonl_bool("tls", tls);
		jsonl_end();
	}
}
