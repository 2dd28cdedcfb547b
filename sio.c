/*
 * sio.c - Socket.IO over Engine.IO 4 on a WebSocket (see sio.h).
 *
 * On a WebSocket transport every Engine.IO packet is one message: a text
 * message is its type digit and payload ("0{...}" open, "2" ping, "3"
 * pong, "4..." a Socket.IO packet), a binary message is an attachment of
 * the binary packet before it. A Socket.IO packet reads
 *
 *     <type>[<attachments>-][<namespace>,][<ack id>][<JSON>]
 *
 * e.g. 42["chat","hi"], 421["chat","hi"] (answer with ack 1),
 * 43/admin,1["ok"], 451-["up",{"_placeholder":true,"num":0}] and one
 * binary message.
 *
 * The client waits for the open packet, sends CONNECT ("40", with the
 * namespace and --auth), answers each ping with a pong, and takes stdin
 * lines once the namespace is connected. Since Engine.IO 4 it is the
 * server that pings, every pingInterval; a client that hears nothing for
 * pingInterval + pingTimeout has lost the server, as socket.io-client
 * decides (with Engine.IO 3, asked for in the URL, the client pings). As
 * a server (listen mode) wscli sends the open packet, answers CONNECT for
 * any namespace, pings, and with --echo sends each event back. Watching
 * (relay mode) it decodes and answers nothing.
 *
 * Attachments are shown in place of their placeholders as
 * {"base64":"..."}, so that every event is one JSON line.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "conn.h"
#include "exit.h"
#include "frame.h"
#include "json.h"
#include "loop.h"
#include "opts.h"
#include "proto.h"
#include "show.h"
#include "sio.h"
#include "siopkt.h"
#include "term.h"

#define PING_INTERVAL_MS 25000  /* a server's, as socket.io's defaults */
#define PING_TIMEOUT_MS 20000
#define MAX_PAYLOAD 1000000
#define ACKS_MAX 65536          /* acks awaited at once */
#define SHOWN_MAX 4096          /* bytes of a decoded name for people */

/* A growing byte buffer. */
struct buf {
	uint8_t *p;
	size_t len, cap;
};

struct ack_wait {
	uint64_t id;
	double at;               /* when it was asked for */
};

struct sio {
	struct proto_conn *pc;
	int opened;              /* the open packet came (or went) */
	int eio3;                /* client: Engine.IO 3 (socket.io 2): the
				    client pings, "/" is joined without
				    asking, binary messages carry a type
				    byte */
	int connected;           /* the namespace is connected */
	int left;                /* client: DISCONNECT sent */
	char *joined;            /* server: the namespace the client joined
				    last (NULL: "/"), where /emit, /ack and
				    stdin lines go */
	char sid[128];           /* Engine.IO session id */
	long ping_interval;      /* ms */
	long ping_timeout;
	struct timer silence;    /* client: nothing heard in time */
	struct timer joining;    /* client: the answer to CONNECT is due */
	struct timer ping;       /* server, Engine.IO 3 client: the next
				    ping */
	struct timer pong;       /* ... its pong must come by then */
	uint64_t next_id;        /* the next ack id we ask for */
	uint64_t *asked;         /* REPL: ack ids the peer asked for and
				    /ack has not answered, oldest first */
	unsigned nasked;
	struct ack_wait *acks;   /* awaited, oldest first */
	size_t nacks, capacks;
	uint64_t emitted;        /* events sent */
	uint64_t received;       /* events and acks received */
	struct buf head;         /* a binary packet awaiting attachments */
	unsigned want;           /* ... how many */
	struct buf *att;         /* ... those come so far */
	unsigned natt;
	struct buf out;          /* scratch: a packet to send */
	struct buf text;         /* scratch: for people */
	struct buf args;         /* scratch: an event's arguments */
	struct buf data;         /* scratch: data with attachments */
};

/* ------------------------------------------------------------- buffers */

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
buf_addf(struct buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (k > 0)
		buf_add(b, tmp, (size_t)k < sizeof tmp ? (size_t)k :
		    sizeof tmp - 1);
}

static void
buf_base64(struct buf *b, const uint8_t *p, size_t n)
{
	unsigned char enc[4 * 3072 / 3 + 4];

	while (n > 0) {
		size_t k = n < 3072 ? n : 3072;
		int w = EVP_EncodeBlock(enc, p, (int)k);

		buf_add(b, enc, (size_t)w);
		p += k;
		n -= k;
	}
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* ---------------------------------------------------------- decoding */

static int
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static size_t
skip_blanks(const uint8_t *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
	    p[i] == '\r'))
		i++;
	return i;
}

/* ------------------------------------------------------------ showing */

static void
show(struct proto_conn *pc, char dir, const char *kind, const struct buf *text,
    const char *name, const char *id, const uint8_t *line, size_t nline,
    const uint8_t *json, size_t njson, int keepalive, int notice)
{
	struct show_proto e = {
		.kind = kind, .name = name, .id = id,
		.text = text ? text->p : (const uint8_t *)"",
		.ntext = text ? text->len : 0,
		.line = line, .nline = nline, .json = json, .njson = njson,
		.keepalive = keepalive, .notice = notice,
	};

	proto_show(pc, dir, &e);
}

/* The namespace as people read it: "" for the main one, else "/chat ". */
static void
add_nsp(struct buf *b, const struct sio_packet *pk)
{
	if (pk->nnsp == 1 && pk->nsp[0] == '/')
		return;
	buf_add(b, pk->nsp, pk->nnsp);
	buf_adds(b, " ");
}

/* An event's name and its arguments as an array: data is
 * ["name",arg,...]. Returns the name's extent in data (*np, *nn) and
 * writes the arguments' array into args. */
static void
split_event(const uint8_t *data, size_t n, const uint8_t **np, size_t *nn,
    struct buf *args)
{
	size_t d = skip_blanks(data, n, 0), f = skip_blanks(data, n, d + 1);
	size_t e = f + json_value(data + f, n - f);
	size_t c = skip_blanks(data, n, e);

	*np = data + f;
	*nn = e - f;
	args->len = 0;
	buf_adds(args, "[");
	if (c < n && data[c] == ',')
		buf_add(args, data + c + 1, n - c - 1); /* its ']' too */
	else
		buf_adds(args, "]");
}

/* ------------------------------------------------------------ sending */

static void
send_text(struct proto_conn *pc, const struct buf *b)
{
	proto_send(pc, WS_OP_TEXT, b->p, b->len);
}

/* "4" + type + namespace (when not the main one) + id */
static void
packet_head(struct buf *b, int type, const char *nsp, int has_id, uint64_t id)
{
	char t[2] = { '4', (char)('0' + type) };

	b->len = 0;
	buf_add(b, t, 2);
	if (nsp && strcmp(nsp, "/")) {
		buf_adds(b, nsp);
		buf_adds(b, ",");
	}
	if (has_id)
		buf_addf(b, "%" PRIu64, id);
}

/* the namespace the URL's path names, when --namespace does not */
static char url_nsp[1025];

static int
dial_url(const char *url, char *buf, size_t cap)
{
	return sio_url(url, proto_opt.nsp == NULL, buf, cap, url_nsp,
	    sizeof url_nsp);
}

static const char *
client_nsp(void)
{
	if (proto_opt.nsp)
		return proto_opt.nsp;
	return url_nsp[0] ? url_nsp : "/";
}

/* Where what wscli says goes: a client to its --namespace, a server to
 * the namespace its client joined (socket.io-client drops a packet for a
 * namespace it has not joined). */
static const char *
own_nsp(struct proto_conn *pc, const struct sio *s)
{
	if (conn_role(proto_conn(pc)) == WS_ROLE_CLIENT)
		return client_nsp();
	return s->joined ? s->joined : "/";
}

/* Emit the event array data[0..n) (checked), asking for an ack when ack. */
static void
emit(struct proto_conn *pc, const uint8_t *data, size_t n, int ack)
{
	struct sio *s = proto_state(pc);
	char idtext[24];

	if (ack && s->nacks < ACKS_MAX) {
		if (s->nacks == s->capacks) {
			s->capacks = s->capacks ? s->capacks * 2 : 16;
			s->acks = xrealloc(s->acks, s->capacks * sizeof *s->acks);
		}
		s->acks[s->nacks].id = s->next_id;
		s->acks[s->nacks++].at = now_sec();
	} else {
		ack = 0;
	}
	packet_head(&s->out, SIO_EVENT, own_nsp(pc, s), ack, s->next_id);
	buf_add(&s->out, data, n);
	send_text(pc, &s->out);
	s->emitted++;
	/* --record: a client's stdin line is the array, as a client reads
	 * the server's event */
	if (conn_role(proto_conn(pc)) == WS_ROLE_CLIENT)
		proto_record_sent(pc, data, n);
	else
		proto_record_got(pc, data, n);
	/* what wscli emits is an event for --jsonl, the data as it went */
	if (ack)
		snprintf(idtext, sizeof idtext, "%" PRIu64, s->next_id++);
	if (opt.jsonl)
		show(pc, '>', "emit", NULL, NULL, ack ? idtext : NULL, NULL, 0,
		    data, n, 0, 0);
}

/* data[0..n) is ["name", ...] as an emit needs: NULL, or why not. */
static const char *
event_array_why(const uint8_t *data, size_t n)
{
	char why[256];

	if (sio_check_data(SIO_EVENT, data, n, why, sizeof why) == 0)
		return NULL;
	if (strstr(why, "not valid JSON"))
		return "not valid JSON";
	return "not a JSON array [\"event\", arguments...] with the event's "
	    "name first (names such as \"connect\" are socket.io's own)";
}

/* ----------------------------------------------------- client timers */

static void
arm_silence(struct sio *s)
{
	if (s->ping_interval > 0 && !proto_watching(s->pc) &&
	    conn_role(proto_conn(s->pc)) == WS_ROLE_CLIENT)
		loop_timer_set(&s->silence, now_sec() + (s->ping_interval +
		    s->ping_timeout) / 1000.0);
}

static void
on_silence(struct timer *t, double now)
{
	struct sio *s = t->ud;
	char why[160];

	if (!s->opened)
		snprintf(why, sizeof why, "socketio: no open packet from the "
		    "server within %g s (--connect-timeout)",
		    opt.connect_timeout);
	else
		snprintf(why, sizeof why, "socketio: nothing from the server "
		    "for %ld ms (pingInterval %ld + pingTimeout %ld): the "
		    "server is gone", s->ping_interval + s->ping_timeout,
		    s->ping_interval, s->ping_timeout);
	diag("%s%s; closing", conn_label(proto_conn(s->pc)), why);
	proto_end(s->pc, WS_CLOSE_GOING_AWAY, EXIT_TIMEOUT, why);
}

/* A server that keeps pinging but never answers the namespace's CONNECT
 * (a middleware that never calls next()) would hold the session open
 * with nothing said: as connection_ack is for GraphQL, the answer is due
 * within --connect-timeout. */
static void
on_joining(struct timer *t, double now)
{
	struct sio *s = t->ud;
	char why[160];

	if (s->connected)
		return;
	snprintf(why, sizeof why, "socketio: no answer to CONNECT %.64s "
	    "within %g s (--connect-timeout)", client_nsp(),
	    opt.connect_timeout);
	diag("%s%s; closing", conn_label(proto_conn(s->pc)), why);
	proto_end(s->pc, WS_CLOSE_GOING_AWAY, EXIT_TIMEOUT, why);
}

static void
on_ping(struct timer *t, double now)
{
	struct sio *s = t->ud;
	static const struct buf ping = { (uint8_t *)"2", 1, 2 };

	if (proto_send(s->pc, WS_OP_TEXT, ping.p, 1) != 0)
		return;
	show(s->pc, '>', "ping", NULL, NULL, NULL, NULL, 0, NULL, 0, 1, 0);
	loop_timer_set(&s->pong, now + s->ping_timeout / 1000.0);
	loop_timer_set(&s->ping, now + s->ping_interval / 1000.0);
}

static void
on_pong_late(struct timer *t, double now)
{
	struct sio *s = t->ud;
	char why[128];

	snprintf(why, sizeof why, "socketio: no pong within pingTimeout "
	    "(%ld ms)", s->ping_timeout);
	diag("%s%s; closing", conn_label(proto_conn(s->pc)), why);
	loop_timer_stop(&s->ping);
	proto_end(s->pc, WS_CLOSE_GOING_AWAY, EXIT_TIMEOUT, why);
}

/* ---------------------------------------------------------- receiving */

static long
json_long(const uint8_t *obj, size_t n, const char *key, long dflt)
{
	const uint8_t *v;
	size_t vn;
	char tmp[32];

	if (json_member(obj, n, key, &v, &vn) != 0 || vn == 0 ||
	    vn >= sizeof tmp || !(is_digit(v[0])))
		return dflt;
	memcpy(tmp, v, vn);
	tmp[vn] = '\0';
	return strtol(tmp, NULL, 10);
}

static void
got_open(struct proto_conn *pc, struct sio *s, const struct sio_packet *pk)
{
	const uint8_t *v;
	size_t vn;
	struct buf text = { 0 };

	if (conn_role(proto_conn(pc)) != WS_ROLE_CLIENT) {
		proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR, "an open packet "
		    "from a client (the server sends it)");
		return;
	}
	if (s->opened) {
		proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR, "a second open "
		    "packet");
		return;
	}
	if (!json_valid(pk->data, pk->ndata) ||
	    json_member(pk->data, pk->ndata, "sid", &v, &vn) != 0 ||
	    json_string(v, vn, s->sid, sizeof s->sid) < 0 ||
	    (s->ping_interval = json_long(pk->data, pk->ndata, "pingInterval",
	    -1)) <= 0 ||
	    (s->ping_timeout = json_long(pk->data, pk->ndata, "pingTimeout",
	    -1)) <= 0) {
		proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR, "an open packet "
		    "that is not a JSON object with sid, pingInterval and "
		    "pingTimeout");
		return;
	}
	s->opened = 1;
	buf_addf(&text, "sid=%s pingInterval=%ld pingTimeout=%ld", s->sid,
	    s->ping_interval, s->ping_timeout);
	if (json_long(pk->data, pk->ndata, "maxPayload", -1) >= 0)
		buf_addf(&text, " maxPayload=%ld", json_long(pk->data,
		    pk->ndata, "maxPayload", -1));
	show(pc, '<', "open", &text, NULL, NULL, NULL, 0, pk->data, pk->ndata,
	    0, 1);
	buf_free(&text);
	arm_silence(s);
	if (proto_watching(pc))
		return;
	if (s->eio3) {
		loop_timer_set(&s->ping, now_sec() + s->ping_interval / 1000.0);
		/* socket.io 2 joins its client to "/" by itself */
		if (!strcmp(client_nsp(), "/")) {
			buf_free(&text);
			return;
		}
	}
	/* the namespace, with --auth (socket.io 2 takes no CONNECT data) */
	packet_head(&s->out, SIO_CONNECT, client_nsp(), 0, 0);
	if (proto_opt.auth && !s->eio3)
		buf_adds(&s->out, proto_opt.auth);
	send_text(pc, &s->out);
	text.len = 0;
	buf_addf(&text, "%s%s%s", client_nsp(), proto_opt.auth ? " " : "",
	    proto_opt.auth ? proto_opt.auth : "");
	show(pc, '>', "connect", &text, NULL, NULL, NULL, 0, NULL, 0, 1, 0);
	buf_free(&text);
	loop_timer_set(&s->joining, now_sec() + opt.connect_timeout);
}

/* The REPL remembers the acks the peer asked for (the last ASKED_MAX),
 * so that /ack can say when it answers none of them. */
#define ASKED_MAX 256

static void
asked_add(struct sio *s, uint64_t id)
{
	if (s->asked == NULL)
		s->asked = xrealloc(NULL, ASKED_MAX * sizeof *s->asked);
	if (s->nasked == ASKED_MAX)
		memmove(s->asked, s->asked + 1, --s->nasked * sizeof *s->asked);
	s->asked[s->nasked++] = id;
}

/* Forget id: 0 if it was asked for, -1 if not. */
static int
asked_take(struct sio *s, uint64_t id)
{
	for (unsigned i = 0; i < s->nasked; i++)
		if (s->asked[i] == id) {
			memmove(s->asked + i, s->asked + i + 1,
			    (--s->nasked - i) * sizeof *s->asked);
			return 0;
		}
	return -1;
}

/* A client's CONNECT to a namespace (server role): accepted. */
static void
accept_connect(struct proto_conn *pc, struct sio *s,
    const struct sio_packet *pk)
{
	char nsp[1100], sid[40];
	unsigned char r[12];
	struct buf text = { 0 };

	snprintf(nsp, sizeof nsp, "%.*s", (int)(pk->nnsp < 1024 ? pk->nnsp :
	    1024), pk->nsp);
	buf_add(&text, pk->nsp, pk->nnsp);
	if (pk->ndata > 0) {
		buf_adds(&text, " ");
		buf_add(&text, pk->data, pk->ndata);
	}
	show(pc, '<', "connect", &text, NULL, NULL, NULL, 0, pk->ndata ?
	    pk->data : NULL, pk->ndata, 0, 1);
	buf_free(&text);
	if (proto_watching(pc))
		return;
	RAND_bytes(r, sizeof r);
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(sid + 2 * i, 3, "%02x", r[i]);
	packet_head(&s->out, SIO_CONNECT, nsp, 0, 0);
	buf_addf(&s->out, "{\"sid\":\"%s\"}", sid);
	send_text(pc, &s->out);
	s->connected = 1;
	free(s->joined);
	s->joined = strcmp(nsp, "/") ? xstrdup(nsp) : NULL;
}

/* --echo (server role): the event back to its sender, and the ack it
 * asked for with the same arguments. Attachments go back in place as
 * their {"base64":...} objects. */
static void
echo(struct proto_conn *pc, struct sio *s, const struct sio_packet *pk,
    const uint8_t *data, size_t n, const struct buf *args)
{
	char nsp[1100];

	snprintf(nsp, sizeof nsp, "%.*s", (int)(pk->nnsp < 1024 ? pk->nnsp :
	    1024), pk->nsp);
	packet_head(&s->out, SIO_EVENT, nsp, 0, 0);
	buf_add(&s->out, data, n);
	send_text(pc, &s->out);
	proto_record_got(pc, data, n);
	if (!pk->has_id)
		return;
	packet_head(&s->out, SIO_ACK, nsp, 1, pk->id);
	buf_add(&s->out, args->p, args->len);
	send_text(pc, &s->out);
}

/* An event or an ack whose data is complete (attachments in place). */
static void
got_event(struct proto_conn *pc, struct sio *s, const struct sio_packet *pk,
    const uint8_t *data, size_t n)
{
	struct buf *text = &s->text, *args = &s->args;
	char name[SHOWN_MAX], id[24] = "";
	const uint8_t *np;
	size_t nn;
	/* a pipe shows the event's data alone: the rest is for people,
	 * --jsonl, the relay's log and --echo's ack */
	int rich = opt.jsonl || opt.interactive || proto_watching(pc) ||
	    (srv_opt.echo && pk->has_id);

	if (pk->has_id)
		snprintf(id, sizeof id, "%" PRIu64, pk->id);
	text->len = args->len = 0;
	name[0] = '\0';
	if (pk->type == SIO_EVENT || pk->type == SIO_BINARY_EVENT) {
		if (rich) {
			add_nsp(text, pk);
			split_event(data, n, &np, &nn, args);
			if (json_string(np, nn, name, sizeof name) < 0)
				snprintf(name, sizeof name, "%.*s", (int)nn, np);
			buf_add(text, name, strlen(name));
			buf_adds(text, " ");
			buf_add(text, args->p, args->len);
			if (pk->has_id && proto_watching(pc))
				buf_addf(text, " (ack %s asked)", id);
			else if (pk->has_id) {
				buf_addf(text, " (ack %s asked: /ack %s ...)", id,
				    id);
				if (opt.interactive)
					asked_add(s, pk->id);
			}
		}
		s->received++;
		/* --record: a client's event is what its stdin line says */
		if (conn_role(proto_conn(pc)) != WS_ROLE_CLIENT)
			proto_record_sent(pc, data, n);
		show(pc, '<', "event", text, name, pk->has_id ? id : NULL,
		    data, n, args->p, args->len, 0, 0);
		if (srv_opt.echo && !proto_watching(pc) &&
		    conn_role(proto_conn(pc)) != WS_ROLE_CLIENT)
			echo(pc, s, pk, data, n, args);
	} else {
		size_t i;
		double rtt = -1;

		for (i = 0; i < s->nacks && s->acks[i].id != pk->id; i++)
			;
		if (!pk->has_id || (i == s->nacks && !proto_watching(pc))) {
			proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR, "an ACK "
			    "%s%s, which was never asked for", pk->has_id ?
			    "for id " : "without an id", id);
			return;
		}
		if (i < s->nacks) {
			rtt = (now_sec() - s->acks[i].at) * 1000;
			memmove(s->acks + i, s->acks + i + 1, (s->nacks - i - 1) *
			    sizeof *s->acks);
			s->nacks--;
		}
		if (rich) {
			add_nsp(text, pk);
			buf_addf(text, "%s ", id);
			buf_add(text, data, n);
			if (rtt >= 0)
				buf_addf(text, " (%.3f ms)", rtt);
		}
		s->received++;
		/* on stdout only when asked for: an ack's array has no name
		 * to tell it from an event */
		show(pc, '<', "ack", text, NULL, id, proto_opt.ack ? data :
		    NULL, n, data, n, 0, 0);
	}
}

/* The attachments are all in: put them in place of their placeholders. */
static void
got_attachments(struct proto_conn *pc, struct sio *s)
{
	static const char ph[] = "{\"_placeholder\":true,\"num\":";
	struct sio_packet pk;
	char why[256];
	const uint8_t *p, *end;

	if (sio_parse(s->head.p, s->head.len, &pk, why, sizeof why) != 0)
		return; /* checked when it came */
	s->data.len = 0;
	p = pk.data;
	end = pk.data + pk.ndata;
	/* a placeholder cannot be inside a JSON string: its quotes would be
	 * escaped there */
	while (p < end) {
		const uint8_t *h = memmem(p, (size_t)(end - p), ph,
		    sizeof ph - 1);
		const uint8_t *q;
		unsigned long num = 0;

		if (h == NULL)
			break;
		buf_add(&s->data, p, (size_t)(h - p));
		q = h + sizeof ph - 1;
		while (q < end && is_digit(*q) && num <= SIO_MAX_ATTACHMENTS)
			num = num * 10 + (unsigned long)(*q++ - '0');
		if (q >= end || *q != '}' || q == h + sizeof ph - 1 ||
		    num >= s->natt) {
			proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR, "a "
			    "placeholder for attachment %lu of %u", num,
			    s->natt);
			return;
		}
		buf_adds(&s->data, "{\"base64\":\"");
		buf_base64(&s->data, s->att[num].p, s->att[num].len);
		buf_adds(&s->data, "\"}");
		p = q + 1;
	}
	buf_add(&s->data, p, (size_t)(end - p));
	got_event(pc, s, &pk, s->data.p, s->data.len);
}

static void
got_packet(struct proto_conn *pc, struct sio *s, const struct sio_packet *pk,
    const uint8_t *p, size_t n)
{
	int client = conn_role(proto_conn(pc)) == WS_ROLE_CLIENT;
	struct buf text = { 0 };
	char msg[512];

	switch (pk->type) {
	case SIO_CONNECT:
		if (!client) {
			accept_connect(pc, s, pk);
			break;
		}
		{
			const uint8_t *v;
			size_t vn;
			char sid[128] = "";

			if (json_member(pk->data, pk->ndata, "sid", &v,
			    &vn) == 0)
				json_string(v, vn, sid, sizeof sid);
			buf_add(&text, pk->nsp, pk->nnsp);
			if (sid[0])
				buf_addf(&text, " sid=%s", sid);
			s->connected = 1;
			loop_timer_stop(&s->joining);
			show(pc, '<', "connect", &text, NULL, NULL, NULL, 0,
			    pk->ndata ? pk->data : NULL, pk->ndata, 0, 1);
		}
		break;
	case SIO_CONNECT_ERROR: {
		const uint8_t *v = pk->data;
		size_t vn = pk->ndata;

		if (json_member(pk->data, pk->ndata, "message", &v,
		    &vn) != 0) {
			v = pk->data;
			vn = pk->ndata;
		}
		if (json_string(v, vn, msg, sizeof msg) < 0)
			snprintf(msg, sizeof msg, "%.*s", (int)(vn < 400 ? vn :
			    400), v);
		add_nsp(&text, pk);
		buf_adds(&text, msg);
		show(pc, '<', "connect_error", &text, NULL, NULL, NULL, 0,
		    pk->data, pk->ndata, 0, 2);
		if (client) {
			char why[600];

			snprintf(why, sizeof why, "socketio: the server refused "
			    "namespace %.*s: %s", (int)(pk->nnsp < 64 ?
			    pk->nnsp : 64), pk->nsp, msg);
			proto_end(pc, WS_CLOSE_NORMAL, EXIT_ERROR, why);
		}
		break;
	}
	case SIO_DISCONNECT:
		buf_add(&text, pk->nsp, pk->nnsp);
		show(pc, '<', "disconnect", &text, NULL, NULL, NULL, 0, NULL, 0,
		    0, 1);
		s->connected = 0;
		if (!client)
			proto_record_note(pc, "the client left the namespace (a "
			    "Socket.IO DISCONNECT, which no line sends), and "
			    "wscli closed");
		proto_end(pc, WS_CLOSE_NORMAL, EXIT_OK, client ? "socketio: "
		    "the server disconnected the namespace" : "socketio: the "
		    "client left the namespace");
		break;
	case SIO_EVENT:
	case SIO_ACK:
		got_event(pc, s, pk, pk->data, pk->ndata);
		break;
	case SIO_BINARY_EVENT:
	case SIO_BINARY_ACK:
		if (pk->attachments == 0) {
			got_event(pc, s, pk, pk->data, pk->ndata);
			break;
		}
		s->head.len = 0;
		buf_add(&s->head, p, n);
		for (unsigned i = 0; i < s->natt; i++)
			s->att[i].len = 0;
		s->natt = 0;
		s->want = pk->attachments;
		break;
	}
	buf_free(&text);
}

static void
sio_message(struct proto_conn *pc, unsigned opcode, const uint8_t *p,
    size_t n, uint64_t size)
{
	struct sio *s = proto_state(pc);
	int client = conn_role(proto_conn(pc)) == WS_ROLE_CLIENT;
	struct sio_packet pk;
	char why[256];

	arm_silence(s);
	if (n < size) {
		proto_violation(pc, WS_CLOSE_TOO_BIG, "a message of %" PRIu64
		    " bytes: wscli decodes at most %u MiB", size,
		    PROTO_MSG_MAX >> 20);
		return;
	}
	if (opcode == WS_OP_BINARY) {
		/* Engine.IO 3 puts its message type (4) before the bytes */
		if (s->eio3 && n > 0 && p[0] == EIO_MESSAGE) {
			p++;
			n--;
		}
		if (s->want == 0) {
			proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR, "a binary "
			    "message that no binary packet announced");
			return;
		}
		s->att = xrealloc(s->att, (s->natt + 1) * sizeof *s->att);
		memset(&s->att[s->natt], 0, sizeof *s->att);
		buf_add(&s->att[s->natt++], p, n);
		if (s->natt == s->want) {
			got_attachments(pc, s);
			for (unsigned i = 0; i < s->natt; i++)
				buf_free(&s->att[i]);
			s->natt = s->want = 0;
		}
		return;
	}
	if (s->want > 0) {
		proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR, "a text message "
		    "while %u of %u binary attachments were still to come",
		    s->want - s->natt, s->want);
		return;
	}
	if (sio_parse(p, n, &pk, why, sizeof why) != 0) {
		proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR, "%s", why);
		return;
	}
	if (client && !s->opened && pk.eio != EIO_OPEN) {
		proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR, "a packet (type "
		    "%c) before the open packet", p[0]);
		return;
	}
	switch (pk.eio) {
	case EIO_OPEN:
		got_open(pc, s, &pk);
		break;
	case EIO_CLOSE:
		show(pc, '<', "close", NULL, NULL, NULL, NULL, 0, NULL, 0, 0, 1);
		proto_end(pc, WS_CLOSE_NORMAL, EXIT_OK, client ? "socketio: "
		    "the server closed the session" : "socketio: the client "
		    "closed the session");
		break;
	case EIO_PING: {
		struct buf text = { 0 };

		buf_add(&text, pk.data, pk.ndata);
		show(pc, '<', "ping", &text, NULL, NULL, NULL, 0, NULL, 0, 1,
		    0);
		/* the answer carries the ping's payload ("2probe") */
		s->out.len = 0;
		buf_adds(&s->out, "3");
		buf_add(&s->out, pk.data, pk.ndata);
		if (proto_send(pc, WS_OP_TEXT, s->out.p, s->out.len) == 0)
			show(pc, '>', "pong", &text, NULL, NULL, NULL, 0, NULL,
			    0, 1, 0);
		buf_free(&text);
		break;
	}
	case EIO_PONG:
		loop_timer_stop(&s->pong);
		show(pc, '<', "pong", NULL, NULL, NULL, NULL, 0, NULL, 0, 1, 0);
		break;
	case EIO_MESSAGE:
		if (!client && !s->connected && pk.type != SIO_CONNECT &&
		    !proto_watching(pc)) {
			proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR, "a packet "
			    "before CONNECT to its namespace");
			return;
		}
		got_packet(pc, s, &pk, p, n);
		break;
	case EIO_UPGRADE:
	case EIO_NOOP:
		show(pc, '<', pk.eio == EIO_NOOP ? "noop" : "upgrade", NULL,
		    NULL, NULL, NULL, 0, NULL, 0, 1, 0);
		break;
	}
}

/* --------------------------------------------------- the interface */

static void
sio_open(struct proto_conn *pc)
{
	struct sio *s = proto_state(pc);
	unsigned char r[15];

	s->pc = pc;
	s->silence.fire = on_silence;
	s->silence.ud = s;
	s->joining.fire = on_joining;
	s->joining.ud = s;
	s->ping.fire = on_ping;
	s->ping.ud = s;
	s->pong.fire = on_pong_late;
	s->pong.ud = s;
	s->next_id = 1;
	if (proto_watching(pc))
		return;
	if (conn_role(proto_conn(pc)) == WS_ROLE_CLIENT) {
		s->eio3 = opt.url && strstr(opt.url, "EIO=3") != NULL;
		/* a server sends its open packet at once */
		loop_timer_set(&s->silence, now_sec() + opt.connect_timeout);
		return;
	}
	/* the server speaks first */
	s->ping_interval = opt.ping_interval > 0 ? (long)(opt.ping_interval *
	    1000) : PING_INTERVAL_MS;
	s->ping_timeout = opt.ping_timeout > 0 ? (long)(opt.ping_timeout *
	    1000) : PING_TIMEOUT_MS;
	RAND_bytes(r, sizeof r);
	s->sid[0] = '\0';
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(s->sid + 2 * i, 3, "%02x", r[i]);
	s->out.len = 0;
	buf_addf(&s->out, "0{\"sid\":\"%s\",\"upgrades\":[],\"pingInterval\":"
	    "%ld,\"pingTimeout\":%ld,\"maxPayload\":%d}", s->sid,
	    s->ping_interval, s->ping_timeout, MAX_PAYLOAD);
	send_text(pc, &s->out);
	s->opened = 1;
	loop_timer_set(&s->ping, now_sec() + s->ping_interval / 1000.0);
}

static int
sio_line(struct proto_conn *pc, const uint8_t *p, size_t n, char *why,
    size_t cap)
{
	const char *bad = event_array_why(p, n);

	if (bad) {
		snprintf(why, cap, "%s", bad);
		return -1;
	}
	emit(pc, p, n, proto_opt.ack &&
	    conn_role(proto_conn(pc)) == WS_ROLE_CLIENT);
	return 0;
}

static int
sio_check(const uint8_t *p, size_t n, char *why, size_t cap)
{
	const char *bad = event_array_why(p, n);

	if (bad) {
		snprintf(why, cap, "%s", bad);
		return -1;
	}
	return 0;
}

/* The JSON values of arg, blank-separated, appended to b each after a
 * comma. Returns 0, or -1 (said) at one that is not JSON. */
static int
json_args(const char *cmd, const char *arg, struct buf *b)
{
	const uint8_t *p = (const uint8_t *)arg;
	size_t n = strlen(arg), i = skip_blanks(p, n, 0);

	while (i < n) {
		size_t k = json_value(p + i, n - i);

		if (k == 0 || (i + k < n && p[i + k] != ' ' && p[i + k] !=
		    '\t')) {
			size_t w = strcspn(arg + i, " \t");

			proto_reply(1, "/%s: '%.*s' is not JSON (a string is "
			    "\"quoted\")", cmd, (int)w, arg + i);
			return -1;
		}
		buf_adds(b, ",");
		buf_add(b, p + i, k);
		i = skip_blanks(p, n, i + k);
	}
	return 0;
}

static int
sio_command(struct proto_conn *pc, const char *name, const char *arg)
{
	struct sio *s = proto_state(pc);
	struct buf b = { 0 };

	if (!strcmp(name, "emit")) {
		int ack = proto_opt.ack;
		size_t w;

		arg += strspn(arg, " \t");
		if (!strncmp(arg, "--ack", 5) && (arg[5] == ' ' ||
		    arg[5] == '\0')) {
			ack = 1;
			arg += 5 + strspn(arg + 5, " \t");
		}
		if (conn_role(proto_conn(pc)) != WS_ROLE_CLIENT)
			ack = 0;
		w = strcspn(arg, " \t");
		if (w == 0) {
			proto_reply(1, "/emit: usage: /emit [--ack] EVENT "
			    "[JSON ...]");
			return 0;
		}
		buf_adds(&b, "[");
		if (arg[0] == '"') {
			size_t k = json_value((const uint8_t *)arg,
			    strlen(arg));

			if (k == 0) {
				proto_reply(1, "/emit: the event's name is not "
				    "a JSON string");
				buf_free(&b);
				return 0;
			}
			buf_add(&b, arg, k);
			w = k;
		} else {
			/* a bare name is taken as it is written */
			buf_adds(&b, "\"");
			for (size_t i = 0; i < w; i++) {
				if (arg[i] == '\\' || arg[i] == '"')
					buf_adds(&b, "\\");
				buf_add(&b, arg + i, 1);
			}
			buf_adds(&b, "\"");
		}
		if (json_args("emit", arg + w, &b) == 0) {
			const char *bad;

			buf_adds(&b, "]");
			if ((bad = event_array_why(b.p, b.len)) != NULL)
				proto_reply(1, "/emit: %s", bad);
			else if (!s->connected && !proto_watching(pc))
				proto_reply(1, "/emit: the namespace is not "
				    "connected yet");
			else
				emit(pc, b.p, b.len, ack);
		}
		buf_free(&b);
		return 0;
	}
	if (!strcmp(name, "ack")) {
		char *end;
		unsigned long long id;

		arg += strspn(arg, " \t");
		id = strtoull(arg, &end, 10);
		if (end == arg || (*end && *end != ' ' && *end != '\t')) {
			proto_reply(1, "/ack: usage: /ack ID [JSON ...]");
			return 0;
		}
		buf_adds(&b, "[");
		if (json_args("ack", end, &b) == 0) {
			/* the first comma is the list's, not a separator */
			if (b.len > 1)
				memmove(b.p + 1, b.p + 2, b.len-- - 1);
			buf_adds(&b, "]");
			packet_head(&s->out, SIO_ACK, own_nsp(pc, s), 1, id);
			buf_add(&s->out, b.p, b.len);
			send_text(pc, &s->out);
			/* sent all the same: a peer's answer to a stray
			 * ack is worth seeing too */
			if (asked_take(s, id) != 0)
				proto_reply(1, "/ack %llu: no event asked for "
				    "that ack (or it was answered); sent all "
				    "the same", id);
			proto_record_note(pc, "an ack typed: not recorded (a "
			    "line under @proto socketio is an event)");
		}
		buf_free(&b);
		return 0;
	}
	return -1;
}

static const char *const sio_help[] = {
	"/emit [--ack] EVENT [JSON ...]", "emit EVENT with these arguments "
	    "(--ack: ask for an ack)",
	"/ack ID [JSON ...]", "answer the peer's event that asked for ack ID",
	NULL,
};

static int
sio_ready(struct proto_conn *pc)
{
	struct sio *s = proto_state(pc);

	/* with --ack each line waits for the ack of the one before */
	return s->connected && !(proto_opt.ack && s->nacks > 0);
}

static int
sio_due(struct proto_conn *pc)
{
	struct sio *s = proto_state(pc);

	if (!s->connected || s->nacks > 0)
		return 2;
	return s->emitted > s->received;
}

/* The client's end: leave the namespace as socket.io-client's
 * disconnect() does, so that the server sees the client go rather than
 * its transport drop; the close follows it, and says how the session
 * ended as it would have. */
static int
sio_bye(struct proto_conn *pc)
{
	struct sio *s = proto_state(pc);
	struct buf text = { 0 };

	if (conn_role(proto_conn(pc)) != WS_ROLE_CLIENT || !s->connected ||
	    s->left)
		return 0;
	s->left = 1;
	packet_head(&s->out, SIO_DISCONNECT, client_nsp(), 0, 0);
	send_text(pc, &s->out);
	buf_adds(&text, client_nsp());
	show(pc, '>', "disconnect", &text, NULL, NULL, NULL, 0, NULL, 0, 1, 0);
	buf_free(&text);
	return PROTO_BYE_SAID;
}

static void
sio_end(struct proto_conn *pc)
{
	struct sio *s = proto_state(pc);

	loop_timer_stop(&s->silence);
	loop_timer_stop(&s->joining);
	loop_timer_stop(&s->ping);
	loop_timer_stop(&s->pong);
	free(s->acks);
	free(s->asked);
	free(s->joined);
	for (unsigned i = 0; i < s->natt; i++)
		buf_free(&s->att[i]);
	free(s->att);
	buf_free(&s->head);
	buf_free(&s->out);
	buf_free(&s->text);
	buf_free(&s->args);
	buf_free(&s->data);
}

const struct proto sio_proto = {
	.name = "socketio",
	.state = sizeof(struct sio),
	.url = dial_url,
	.open = sio_open,
	.message = sio_message,
	.line = sio_line,
	.check = sio_check,
	.command = sio_command,
	.help = sio_help,
	.ready = sio_ready,
	.due = sio_due,
	.bye = sio_bye,
	.end = sio_end,
	.echoes = 1,
};
