/*
 * stompproto.c - STOMP over WebSocket as a protocol of proto.h: the
 * client's session (CONNECT, heart-beats, SUBSCRIBE, SEND per stdin line,
 * DISCONNECT with a receipt), and the decoding of both directions for a
 * relay. The frames themselves are stomp.c's.
 *
 * A session: CONNECT goes out on open with accept-version, host, the
 * login and the heart-beat wscli offers (--keepalive both ways). Nothing
 * else may go before CONNECTED; then the --subscribe destinations are
 * subscribed and stdin lines flow, each a SEND to --destination. At the
 * end of input a session with subscriptions goes on (they have no end);
 * one without says DISCONNECT with a receipt and closes when the receipt
 * comes (or after --close-timeout): the broker has then taken every
 * line. Heart-beats are sent when nothing else went out for the
 * negotiated interval, and a broker that promised beats and stays silent
 * for twice its interval ends the session (exit 7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "exit.h"
#include "frame.h"
#include "loop.h"
#include "opts.h"
#include "proto.h"
#include "show.h"
#include "stomp.h"
#include "stompproto.h"
#include "term.h"
#include "view.h"

#define MAX_SUBS 64
#define STOMP_KEEPALIVE 10.0 /* seconds offered without --keepalive */

struct sub {
	char *dest;       /* NULL: free slot */
	unsigned id;      /* the subscription id ("N") */
};

struct stomp_state {
	struct proto_conn *pc;
	int version;              /* 10, 11, 12: CONNECTED's, else 12 */
	int connected;            /* CONNECTED received */
	int from_server;          /* frames received come from a server */
	unsigned long send_ms;    /* negotiated: beat at least this often */
	unsigned long recv_ms;    /* ... and expect one this often */
	struct timer beat;        /* sends a heart-beat when due */
	struct timer silence;     /* the server's beats are overdue */
	double last_sent, last_recv;
	struct sub subs[MAX_SUBS];
	unsigned next_sub;        /* the next subscription id */
	unsigned next_receipt;    /* the next receipt number */
	unsigned disconnect;      /* DISCONNECT's receipt number, 0: none */
	struct timer bye;         /* ... its receipt is overdue */
	struct timer greet;       /* CONNECTED is overdue */
	uint8_t *in;              /* a received message, parsed in place */
	size_t incap;
	uint8_t *out;             /* frames built here */
	size_t outcap;
	uint8_t *sent;            /* ... and parsed again to be shown */
	size_t sentcap;
	char *text;               /* event texts built here */
	size_t textcap;
};

/* ------------------------------------------------------------ helpers */

static void *
grow(void *p, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 256;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	*cap = c;
	return xrealloc(p, c);
}

static void show_sent(struct stomp_state *, size_t);

/* Build and send a frame; remember when (heart-beats go only when
 * nothing else did). Returns 0 or -1. */
static int
send_frame(struct stomp_state *s, const char *command,
    const char *const *hdrs, size_t npairs, const uint8_t *body,
    size_t body_len, int with_length)
{
	size_t n;

	n = stomp_encode(s->out, s->outcap, s->version, command, hdrs, npairs,
	    body, body_len, with_length);
	if (n > s->outcap) {
		s->out = grow(s->out, &s->outcap, n);
		n = stomp_encode(s->out, s->outcap, s->version, command, hdrs,
		    npairs, body, body_len, with_length);
	}
	if (proto_send(s->pc, WS_OP_TEXT, s->out, n) != 0)
		return -1;
	s->last_sent = now_sec();
	if (view.frames || opt.verbose)
		show_sent(s, n);
	return 0;
}

/* The host of the URL, for CONNECT's host header. */
static void
url_host(const char *url, char *host, size_t cap)
{
	const char *p = strstr(url, "://"), *e, *at;

	p = p ? p + 3 : url;
	e = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(e - p));
	if (at)
		p = at + 1;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(e - p));

		e = rb ? rb + 1 : e;
	} else {
		const char *colon = memchr(p, ':', (size_t)(e - p));

		if (colon)
			e = colon;
	}
	snprintf(host, cap, "%.*s", (int)(e - p), p);
}

/* Append s[0..n) to the JSON string being built in t at *o, escaped. */
static void
json_put(struct stomp_state *st, size_t *o, const char *s, size_t n)
{
	int valid = ws_utf8_valid((const uint8_t *)s, n, NULL);
	size_t i;

	st->text = grow(st->text, &st->textcap, *o + 6 * n + 8);
	st->text[(*o)++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			st->text[(*o)++] = '\\';
			st->text[(*o)++] = (char)c;
		} else if (c < 0x20 || (c >= 0x80 && !valid)) {
			*o += (size_t)sprintf(st->text + *o, "\\u%04x", c);
		} else {
			st->text[(*o)++] = (char)c;
		}
	}
	st->text[(*o)++] = '"';
}

/* ---------------------------------------------------------- heart-beat */

static void beat_fire(struct timer *t, double now);
static void silence_fire(struct timer *t, double now);

static void
arm_beats(struct stomp_state *s, double now)
{
	if (s->send_ms) {
		s->beat.fire = beat_fire;
		s->beat.ud = s;
		loop_timer_set(&s->beat, s->last_sent + s->send_ms / 1000.0);
	}
	if (s->recv_ms) {
		s->silence.fire = silence_fire;
		s->silence.ud = s;
		loop_timer_set(&s->silence, s->last_recv +
		    2 * s->recv_ms / 1000.0);
	}
	(void)now;
}

static void
beat_fire(struct timer *t, double now)
{
	struct stomp_state *s = t->ud;
	struct show_proto e;

	if (conn_done(proto_conn(s->pc)))
		return;
	/* Something went out meanwhile: it counted as a beat. */
	if (now - s->last_sent < s->send_ms / 1000.0 * 0.95) {
		loop_timer_set(&s->beat, s->last_sent + s->send_ms / 1000.0);
		return;
	}
	if (proto_send(s->pc, WS_OP_TEXT, (const uint8_t *)"\n", 1) != 0)
		return;
	s->last_sent = now;
	memset(&e, 0, sizeof e);
	e.kind = "heart-beat";
	e.text = (const uint8_t *)"";
	e.keepalive = 1;
	proto_show(s->pc, '>', &e);
	loop_timer_set(&s->beat, now + s->send_ms / 1000.0);
}

static void
silence_fire(struct timer *t, double now)
{
	struct stomp_state *s = t->ud;
	char why[128];

	if (now - s->last_recv < 2 * s->recv_ms / 1000.0) {
		loop_timer_set(&s->silence, s->last_recv +
		    2 * s->recv_ms / 1000.0);
		return;
	}
	snprintf(why, sizeof why, "STOMP: nothing from the server for %.0f "
	    "ms; it promised a heart-beat every %lu ms",
	    (now - s->last_recv) * 1000, s->recv_ms);
	diag("%s%s", conn_label(proto_conn(s->pc)), why);
	proto_end(s->pc, WS_CLOSE_GOING_AWAY, EXIT_TIMEOUT, why);
}

/* --------------------------------------------------------- the session */

static double
keepalive(void)
{
	return proto_opt.keepalive >= 0 ? proto_opt.keepalive :
	    STOMP_KEEPALIVE;
}

/* The state, set up on first use: a relay's watchers may decode before
 * (or without) an open. */
static struct stomp_state *
state(struct proto_conn *pc)
{
	struct stomp_state *s = proto_state(pc);

	if (s->pc == NULL) {
		s->pc = pc;
		s->version = 12;
		s->next_receipt = 1;
		s->from_server = conn_role(proto_conn(pc)) == WS_ROLE_CLIENT;
		s->last_sent = s->last_recv = now_sec();
	}
	return s;
}

/* A server that upgrades and then never answers CONNECT would hold the
 * session, stdin unread, with nothing said. */
static void
greet_fire(struct timer *t, double now)
{
	struct stomp_state *s = t->ud;
	char why[128];

	(void)now;
	if (s->connected)
		return;
	snprintf(why, sizeof why, "STOMP: no CONNECTED within %g s "
	    "(--connect-timeout)", opt.connect_timeout);
	diag("%s%s; closing", conn_label(proto_conn(s->pc)), why);
	proto_end(s->pc, WS_CLOSE_GOING_AWAY, EXIT_TIMEOUT, why);
}

static void
stomp_open(struct proto_conn *pc)
{
	struct stomp_state *s = state(pc);
	const char *h[10];
	char host[256], beat[64], user[256];
	const char *pass = NULL;
	size_t n = 0;
	unsigned long ms = (unsigned long)(keepalive() * 1000);

	if (proto_watching(pc) || !s->from_server)
		return;
	url_host(opt.url ? opt.url : "", host, sizeof host);
	snprintf(beat, sizeof beat, "%lu,%lu", ms, ms);
	h[n++] = "accept-version";
	h[n++] = "1.0,1.1,1.2";
	h[n++] = "host";
	h[n++] = host;
	if (proto_opt.login) {
		const char *colon = strchr(proto_opt.login, ':');

		snprintf(user, sizeof user, "%.*s", colon ? (int)(colon -
		    proto_opt.login) : (int)strlen(proto_opt.login),
		    proto_opt.login);
		pass = colon ? colon + 1 : "";
		h[n++] = "login";
		h[n++] = user;
		h[n++] = "passcode";
		h[n++] = pass;
	}
	h[n++] = "heart-beat";
	h[n++] = beat;
	send_frame(s, "CONNECT", h, n / 2, NULL, 0, 0);
	s->greet.fire = greet_fire;
	s->greet.ud = s;
	loop_timer_set(&s->greet, now_sec() + opt.connect_timeout);
}

static int
subscribe(struct stomp_state *s, const char *dest)
{
	char id[16];
	const char *h[6];
	int i;

	for (i = 0; i < MAX_SUBS && s->subs[i].dest; i++)
		;
	if (i == MAX_SUBS)
		return -1;
	snprintf(id, sizeof id, "%u", s->next_sub);
	h[0] = "id";
	h[1] = id;
	h[2] = "destination";
	h[3] = dest;
	h[4] = "ack";
	h[5] = "auto";
	if (send_frame(s, "SUBSCRIBE", h, 3, NULL, 0, 0) != 0)
		return -1;
	s->subs[i].dest = strdup(dest);
	s->subs[i].id = s->next_sub++;
	return 0;
}

static size_t headers_json(struct stomp_state *, const struct stomp_frame *,
    size_t);

static void
on_connected(struct stomp_state *s, const struct stomp_frame *f)
{
	const char *v = stomp_header(f, "version");
	const char *hb = stomp_header(f, "heart-beat");
	const char *server = stomp_header(f, "server");
	unsigned long sx = 0, sy = 0, ms;
	struct show_proto e;
	char text[512];
	int i, n;

	s->connected = 1;
	loop_timer_stop(&s->greet);
	s->version = v ? stomp_version_of(v) : 10;
	if (s->version == 0) {
		proto_violation(s->pc, WS_CLOSE_PROTOCOL_ERROR,
		    "CONNECTED with version '%s', which was not offered", v);
		return;
	}
	if (hb && stomp_heartbeat_parse(hb, &sx, &sy) != 0) {
		proto_violation(s->pc, WS_CLOSE_PROTOCOL_ERROR,
		    "CONNECTED: %s: '%s'", stomp_strerror(STOMP_ERR_HEART_BEAT),
		    hb);
		return;
	}
	ms = (unsigned long)(keepalive() * 1000);
	stomp_heartbeat_negotiate(ms, ms, sx, sy, &s->send_ms, &s->recv_ms);
	arm_beats(s, now_sec());
	n = snprintf(text, sizeof text, "STOMP %d.%d", s->version / 10,
	    s->version % 10);
	if (server)
		n += snprintf(text + n, sizeof text - (size_t)n, ", server %s",
		    server);
	if (s->send_ms == 0 && s->recv_ms == 0)
		snprintf(text + n, sizeof text - (size_t)n, ", no heart-beats");
	else {
		char sx_[32] = "none", sy_[32] = "none";

		/* 0 is none: "every 0 ms" would read as all the time */
		if (s->send_ms)
			snprintf(sx_, sizeof sx_, "every %lu ms", s->send_ms);
		if (s->recv_ms)
			snprintf(sy_, sizeof sy_, "every %lu ms", s->recv_ms);
		snprintf(text + n, sizeof text - (size_t)n, ", heart-beats: "
		    "sending %s, expecting %s", sx_, sy_);
	}
	memset(&e, 0, sizeof e);
	e.kind = "connected";
	e.text = (const uint8_t *)text;
	e.ntext = strlen(text);
	/* --jsonl: the broker's headers (version, server, heart-beat) */
	e.njson = headers_json(s, f, 0);
	e.json = (const uint8_t *)s->text;
	e.notice = !opt.quiet;
	proto_show(s->pc, '<', &e);
	for (i = 0; i < proto_opt.nsubscribe; i++)
		if (subscribe(s, proto_opt.subscribe[i]) != 0)
			break;
}

/* The frame in a line for people: "MESSAGE destination:/a ..." */
static size_t
describe(struct stomp_state *s, const struct stomp_frame *f, size_t o)
{
	int i;

	s->text = grow(s->text, &s->textcap, o + strlen(f->command) + 64);
	o += (size_t)sprintf(s->text + o, "%s", f->command);
	for (i = 0; i < f->nhdr; i++) {
		size_t k = strlen(f->hdr[i].name) + strlen(f->hdr[i].value);
		/* a log must not hold the password */
		int secret = !strcmp(f->hdr[i].name, "passcode");

		s->text = grow(s->text, &s->textcap, o + k + 64);
		o += (size_t)sprintf(s->text + o, " %s:%s", f->hdr[i].name,
		    secret ? "***" : f->hdr[i].value);
	}
	s->text = grow(s->text, &s->textcap, o + 64);
	o += (size_t)sprintf(s->text + o, " body=%zu", f->body_len);
	return o;
}

/* A frame wscli sent (s->out[0..n)), decoded for --frames and -v: parsed
 * from a copy, since parsing rewrites. */
static void
show_sent(struct stomp_state *s, size_t n)
{
	struct stomp_frame f;
	struct show_proto e;
	size_t used;

	s->sent = grow(s->sent, &s->sentcap, n + 1);
	memcpy(s->sent, s->out, n);
	if (stomp_parse(s->sent, n, s->version, &f, &used) != STOMP_FRAME)
		return;
	memset(&e, 0, sizeof e);
	e.kind = "frame";
	e.text = (const uint8_t *)s->text;
	e.ntext = describe(s, &f, 0);
	e.text = (const uint8_t *)s->text;
	e.keepalive = 1;
	proto_show(s->pc, '>', &e);
}

/* The headers as a JSON object, from offset o of s->text. */
static size_t
headers_json(struct stomp_state *s, const struct stomp_frame *f, size_t o)
{
	int i;

	s->text = grow(s->text, &s->textcap, o + 2);
	s->text[o++] = '{';
	for (i = 0; i < f->nhdr; i++) {
		if (stomp_header(f, f->hdr[i].name) != f->hdr[i].value)
			continue; /* a repeated header: the first counts */
		if (o > 0 && s->text[o - 1] != '{')
			s->text[o++] = ',';
		json_put(s, &o, f->hdr[i].name, strlen(f->hdr[i].name));
		s->text[o++] = ':';
		json_put(s, &o, f->hdr[i].value, strlen(f->hdr[i].value));
	}
	s->text = grow(s->text, &s->textcap, o + 2);
	s->text[o++] = '}';
	return o;
}

static void
show_stomp_frame(struct stomp_state *s, char dir, const struct stomp_frame *f)
{
	const char *dest = stomp_header(f, "destination");
	const char *mid = stomp_header(f, "message-id");
	struct show_proto e;
	size_t d, j, t;
	char kind[16];
	int is_msg = !strcmp(f->command, "MESSAGE") ||
	    !strcmp(f->command, "SEND");
	int i;

	/* Every frame in its decoded form, for --frames and -v (only
	 * they show it: not built otherwise). */
	d = 0;
	if (view.frames || opt.verbose) {
		d = describe(s, f, 0);
		memset(&e, 0, sizeof e);
		e.kind = "frame";
		e.text = (const uint8_t *)s->text;
		e.ntext = d;
		e.keepalive = 1;
		proto_show(s->pc, dir, &e);
	}
	/* a client's on_connected says it; a relay has no client's part */
	if (!strcmp(f->command, "CONNECTED") && !proto_watching(s->pc))
		return;

	/* The event: a message's body, or the frame for people. */
	j = headers_json(s, f, d);
	t = j;
	snprintf(kind, sizeof kind, "%s", f->command);
	for (i = 0; kind[i]; i++)
		kind[i] = (char)(kind[i] >= 'A' && kind[i] <= 'Z' ?
		    kind[i] - 'A' + 'a' : kind[i]);
	memset(&e, 0, sizeof e);
	e.kind = kind;
	e.name = dest;
	e.id = mid ? mid : stomp_header(f, "receipt-id");
	e.json = (const uint8_t *)s->text + d;
	e.njson = j - d;
	if (is_msg) {
		s->text = grow(s->text, &s->textcap, t + (dest ? strlen(dest) :
		    0) + 2 + f->body_len);
		t += (size_t)sprintf(s->text + t, "%s ", dest ? dest : "-");
		memcpy(s->text + t, f->body, f->body_len);
		t += f->body_len;
		e.json = (const uint8_t *)s->text + d;
		e.line = f->body;
		e.nline = f->body_len;
		e.payload = f->body;
		e.npayload = f->body_len;
		e.binary = !ws_utf8_valid(f->body, f->body_len, NULL);
		e.text = (const uint8_t *)s->text + j;
		e.ntext = t - j;
	} else {
		const char *m = stomp_header(f, "message");
		/* what says what the frame is about, when no message or
		 * id does: SUBSCRIBE's destination, CONNECT's versions */
		static const char *const about[] = { "destination", "id",
			"accept-version", "version", "host", "login", "server",
			"heart-beat", "receipt", "transaction", NULL };
		size_t k;

		s->text = grow(s->text, &s->textcap, t + 64 + (m ? strlen(m) :
		    0) + (e.id ? strlen(e.id) : 0) + f->body_len);
		if (m)
			t += (size_t)sprintf(s->text + t, "%s", m);
		else if (e.id)
			t += (size_t)sprintf(s->text + t, "%s", e.id);
		else
			for (k = 0; about[k]; k++) {
				const char *v = stomp_header(f, about[k]);

				if (v == NULL)
					continue;
				s->text = grow(s->text, &s->textcap, t +
				    strlen(about[k]) + strlen(v) + 64 +
				    f->body_len);
				t += (size_t)sprintf(s->text + t, "%s%s%s%s",
				    t > j ? " " : "", k ? about[k] : "",
				    k ? ":" : "", v);
			}
		if (f->body_len) {
			t += (size_t)sprintf(s->text + t, "%s", t > j ? ": " :
			    "");
			memcpy(s->text + t, f->body, f->body_len);
			t += f->body_len;
		}
		e.text = (const uint8_t *)s->text + j;
		e.ntext = t - j;
		/* --jsonl: an ERROR's body is its details */
		if (f->body_len) {
			e.payload = f->body;
			e.npayload = f->body_len;
			e.binary = !ws_utf8_valid(f->body, f->body_len, NULL);
		}
		e.notice = !opt.quiet || !strcmp(f->command, "ERROR");
		if (e.notice && !strcmp(f->command, "RECEIPT") && e.id &&
		    e.id[0] == 'w' && !opt.verbose)
			e.keepalive = 1; /* wscli's own receipts */
	}
	e.json = (const uint8_t *)s->text + d;
	proto_show(s->pc, dir, &e);
}

static void
on_receipt(struct stomp_state *s, const char *id)
{
	unsigned long n;
	char *end;

	/* wscli's receipts are "wN" */
	if (id == NULL || id[0] != 'w')
		return;
	n = strtoul(id + 1, &end, 10);
	if (*end)
		return;
	if (s->disconnect && n == s->disconnect) {
		loop_timer_stop(&s->bye);
		proto_end(s->pc, WS_CLOSE_NORMAL, EXIT_OK,
		    "STOMP DISCONNECT acknowledged");
	}
}

static void
bye_fire(struct timer *t, double now)
{
	struct stomp_state *s = t->ud;

	(void)now;
	info("%sSTOMP: no RECEIPT for DISCONNECT; closing",
	    conn_label(proto_conn(s->pc)));
	proto_end(s->pc, WS_CLOSE_NORMAL, EXIT_OK, "STOMP DISCONNECT "
	    "unacknowledged");
}

static void
on_frame(struct stomp_state *s, struct stomp_frame *f)
{
	const char *what;
	int r;

	if ((r = stomp_check(f, s->version, s->from_server, &what)) != 0) {
		if (r == STOMP_ERR_MISSING)
			proto_violation(s->pc, WS_CLOSE_PROTOCOL_ERROR,
			    "%s without the %s header", f->command, what);
		else
			proto_violation(s->pc, WS_CLOSE_PROTOCOL_ERROR,
			    "unknown command '%.64s' from the %s", f->command,
			    s->from_server ? "server" : "client");
		return;
	}
	if (s->from_server && s->connected && !proto_watching(s->pc) &&
	    !strcmp(f->command, "CONNECTED")) {
		proto_violation(s->pc, WS_CLOSE_PROTOCOL_ERROR,
		    "a second CONNECTED");
		return;
	}
	if (s->from_server && !s->connected && !proto_watching(s->pc) &&
	    strcmp(f->command, "CONNECTED") && strcmp(f->command, "ERROR")) {
		proto_violation(s->pc, WS_CLOSE_PROTOCOL_ERROR,
		    "%s before CONNECTED", f->command);
		return;
	}
	show_stomp_frame(s, '<', f);
	/* --record, a relay: the client's SEND is a line, its SUBSCRIBE an
	 * option for --test */
	if (!s->from_server && !strcmp(f->command, "SEND"))
		proto_record_sent_to(s->pc, "--destination", stomp_header(f,
		    "destination"), f->body, f->body_len);
	else if (!s->from_server && !strcmp(f->command, "SUBSCRIBE")) {
		char note[600];

		snprintf(note, sizeof note, "the client subscribed to %.500s "
		    "(--test --subscribe)", stomp_header(f, "destination") ?
		    stomp_header(f, "destination") : "");
		proto_record_note(s->pc, note);
	}
	if (!strcmp(f->command, "CONNECTED")) {
		if (!proto_watching(s->pc))
			on_connected(s, f);
		else
			s->version = stomp_version_of(stomp_header(f,
			    "version") ? stomp_header(f, "version") : "1.0");
	} else if (!strcmp(f->command, "RECEIPT")) {
		on_receipt(s, stomp_header(f, "receipt-id"));
	} else if (!strcmp(f->command, "ERROR") && !proto_watching(s->pc)) {
		const char *m = stomp_header(f, "message");
		char why[256];

		snprintf(why, sizeof why, "STOMP ERROR from the server%s%.200s",
		    m ? ": " : "", m ? m : "");
		proto_end(s->pc, WS_CLOSE_NORMAL, EXIT_ERROR, why);
	}
}

static void
stomp_message(struct proto_conn *pc, unsigned opcode, const uint8_t *p,
    size_t n, uint64_t size)
{
	struct stomp_state *s = state(pc);
	struct stomp_frame f;
	struct show_proto e;
	size_t off = 0, used = 0;
	int r;

	(void)opcode;
	s->last_recv = now_sec();
	if (size > n || n > PROTO_MSG_MAX) {
		proto_violation(pc, WS_CLOSE_TOO_BIG,
		    "a frame of %llu bytes, more than wscli decodes",
		    (unsigned long long)size);
		return;
	}
	s->in = grow(s->in, &s->incap, n + 1);
	memcpy(s->in, p, n);
	while (off < n && !conn_done(proto_conn(pc))) {
		r = stomp_parse(s->in + off, n - off, s->version, &f, &used);
		if (r < 0) {
			proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR, "%s",
			    stomp_strerror(r));
			return;
		}
		off += used;
		if (r == STOMP_HEARTBEAT) {
			memset(&e, 0, sizeof e);
			e.kind = "heart-beat";
			e.text = (const uint8_t *)"";
			e.keepalive = 1;
			proto_show(pc, '<', &e);
			continue;
		}
		on_frame(s, &f);
	}
}

static int
stomp_ready(struct proto_conn *pc)
{
	struct stomp_state *s = state(pc);

	return s->connected;
}

static int
send_body(struct stomp_state *s, const char *dest, const uint8_t *p,
    size_t n)
{
	const char *h[4];

	h[0] = "destination";
	h[1] = dest;
	h[2] = "content-type";
	h[3] = "text/plain";
	return send_frame(s, "SEND", h, 2, p, n, 1);
}

static int
stomp_line(struct proto_conn *pc, const uint8_t *p, size_t n, char *why,
    size_t cap)
{
	struct stomp_state *s = state(pc);

	if (proto_opt.destination == NULL) {
		snprintf(why, cap, "STOMP needs --destination to send lines");
		return -1;
	}
	if (send_body(s, proto_opt.destination, p, n) != 0) {
		snprintf(why, cap, "the connection is closing");
		return -1;
	}
	proto_record_sent(pc, p, n);
	return 0;
}

static int
stomp_line_check(const uint8_t *p, size_t n, char *why, size_t cap)
{
	(void)p;
	(void)n;
	if (proto_opt.destination == NULL) {
		snprintf(why, cap, "STOMP needs --destination to send lines");
		return -1;
	}
	return 0;
}

/* Say goodbye as STOMP asks: the receipt says the broker has taken every
 * frame before it; the receipt (or its absence past the close timeout)
 * closes. 0, or -1 if the DISCONNECT could not be sent. */
static int
say_bye(struct stomp_state *s)
{
	char r[16];
	const char *h[2];

	s->disconnect = s->next_receipt++;
	snprintf(r, sizeof r, "w%u", s->disconnect);
	h[0] = "receipt";
	h[1] = r;
	if (send_frame(s, "DISCONNECT", h, 1, NULL, 0, 0) != 0)
		return -1;
	loop_timer_stop(&s->beat);
	s->bye.fire = bye_fire;
	s->bye.ud = s;
	loop_timer_set(&s->bye, now_sec() + (opt.close_timeout > 0 ?
	    opt.close_timeout : 2));
	return 0;
}

static int
stomp_due(struct proto_conn *pc)
{
	struct stomp_state *s = state(pc);
	int i;

	if (!s->connected || conn_done(proto_conn(pc)))
		return 0;
	for (i = 0; i < MAX_SUBS; i++)
		if (s->subs[i].dest)
			return 2;
	if (s->disconnect == 0 && say_bye(s) != 0)
		return 0;
	return 2;
}

/* The user ends the session: the same goodbye, subscriptions or not. */
static int
stomp_bye(struct proto_conn *pc)
{
	struct stomp_state *s = state(pc);

	if (!s->from_server || !s->connected || s->disconnect != 0)
		return 0;
	return say_bye(s) == 0 ? PROTO_BYE_CLOSES : 0;
}

/* --------------------------------------------------------------- REPL */

static int
stomp_command(struct proto_conn *pc, const char *name, const char *arg)
{
	struct stomp_state *s = state(pc);
	int i;

	if (!strcmp(name, "subscribe")) {
		if (!*arg) {
			proto_reply(1, "usage: /subscribe DESTINATION");
		} else if (!s->connected) {
			proto_reply(1, "not connected yet");
		} else if (subscribe(s, arg) != 0) {
			proto_reply(1, "cannot subscribe to %s", arg);
		} else {
			proto_reply(0, "subscribed to %s as id %u", arg,
			    s->next_sub - 1);
		}
		return 0;
	}
	if (!strcmp(name, "unsubscribe")) {
		char id[16];
		const char *h[2];

		for (i = 0; i < MAX_SUBS; i++) {
			if (s->subs[i].dest == NULL)
				continue;
			snprintf(id, sizeof id, "%u", s->subs[i].id);
			if (!strcmp(arg, s->subs[i].dest) || !strcmp(arg, id))
				break;
		}
		if (i == MAX_SUBS) {
			proto_reply(1, "no subscription %s (see /subscribe)",
			    *arg ? arg : "given");
			return 0;
		}
		h[0] = "id";
		h[1] = id;
		if (send_frame(s, "UNSUBSCRIBE", h, 1, NULL, 0, 0) == 0)
			proto_reply(0, "unsubscribed from %s", s->subs[i].dest);
		free(s->subs[i].dest);
		s->subs[i].dest = NULL;
		return 0;
	}
	if (!strcmp(name, "send")) {
		const char *sp = strchr(arg, ' ');
		char dest[512];

		if (*arg == '\0' || sp == NULL) {
			proto_reply(1, "usage: /send DESTINATION BODY");
			return 0;
		}
		snprintf(dest, sizeof dest, "%.*s", (int)(sp - arg), arg);
		if (!s->connected || send_body(s, dest,
		    (const uint8_t *)sp + 1, strlen(sp + 1)) != 0)
			proto_reply(1, "not sent: not connected");
		/* --record: a line goes to --destination */
		else if (proto_opt.destination &&
		    !strcmp(dest, proto_opt.destination))
			proto_record_sent(pc, (const uint8_t *)sp + 1,
			    strlen(sp + 1));
		else
			proto_record_note(pc, "a SEND typed to another "
			    "destination than --destination's: not recorded");
		return 0;
	}
	return -1;
}

static const char *const stomp_help[] = {
	"/subscribe DEST", "subscribe to a STOMP destination",
	"/unsubscribe DEST|ID", "end that subscription",
	"/send DEST BODY", "send BODY to DEST",
	NULL,
};

static void
stomp_end(struct proto_conn *pc)
{
	struct stomp_state *s = proto_state(pc);
	int i;

	loop_timer_stop(&s->beat);
	loop_timer_stop(&s->silence);
	loop_timer_stop(&s->bye);
	loop_timer_stop(&s->greet);
	for (i = 0; i < MAX_SUBS; i++)
		free(s->subs[i].dest);
	free(s->in);
	free(s->out);
	free(s->sent);
	free(s->text);
}

static const char *const stomp_subprotocols[] = {
	"v12.stomp", "v11.stomp", "v10.stomp", NULL,
};

const struct proto stomp_proto = {
	.name = "stomp",
	.subprotocols = stomp_subprotocols,
	.state = sizeof(struct stomp_state),
	.open = stomp_open,
	.message = stomp_message,
	.line = stomp_line,
	.check = stomp_line_check,
	.command = stomp_command,
	.help = stomp_help,
	.ready = stomp_ready,
	.due = stomp_due,
	.end = stomp_end,
	.bye = stomp_bye,
};
