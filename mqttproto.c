/*
 * mqttproto.c - MQTT over WebSocket as a protocol of proto.h: the
 * client's session (CONNECT, keep-alive with PINGREQ, SUBSCRIBE, PUBLISH
 * per stdin line) and the decoding of both directions for a relay. The
 * packets themselves are mqtt.c's.
 *
 * MQTT over WebSocket is a byte stream in binary messages: every message
 * goes through the splitter, and a packet is handled when it is whole,
 * however the messages cut it. A text message, a malformed packet or a
 * packet the sender's role may not send is a violation.
 *
 * A session: CONNECT on open (clean session, --client-id or wscli-PID,
 * --login, --keepalive); nothing else until CONNACK accepts; then the
 * --subscribe topics, and stdin lines published to --topic at --qos.
 * PINGREQ goes when nothing else went out for the keep-alive (a 5.0
 * server's own keep-alive wins), and a PINGRESP later than the
 * keep-alive ends the session (exit 7). At the end of input wscli waits
 * for the PUBACK of every QoS 1 line, then sends DISCONNECT.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "exit.h"
#include "frame.h"
#include "loop.h"
#include "mqtt.h"
#include "mqttproto.h"
#include "opts.h"
#include "proto.h"
#include "show.h"
#include "term.h"
#include "view.h"

#define MQTT_KEEPALIVE 60.0          /* seconds without --keepalive */
#define MQTT_PACKET_MAX (16u << 20)  /* the largest packet accepted */

struct mqtt_state {
	struct proto_conn *pc;
	int version;              /* MQTT_V311 or MQTT_V5 */
	int from_server;          /* packets received come from a server */
	int connected;            /* CONNACK accepted */
	int version_known;        /* watching: seen in CONNECT or guessed
				     from CONNACK */
	struct mqtt_split split;  /* the stream, cut into packets */
	unsigned keepalive;       /* seconds, 0: none */
	struct timer ping;        /* PINGREQ due */
	struct timer pong;        /* PINGRESP overdue */
	struct timer greet;       /* CONNACK overdue */
	double last_sent;
	unsigned next_id;         /* the last packet id used */
	unsigned unacked;         /* QoS 1 PUBLISH without PUBACK */
	unsigned subacks;         /* SUBSCRIBE without SUBACK */
	int warned_text;          /* the REPL said a typed text line is
				     no MQTT */
	struct pending *pend;     /* SUBSCRIBE/UNSUBSCRIBE awaiting their
				     answer, so it can name the filter */
	size_t npend;
	int said_bye;             /* DISCONNECT sent */
	uint8_t *out;             /* packets built here */
	size_t outcap;
	char *text;               /* event texts built here */
	size_t textcap;
};

/* ------------------------------------------------------------ helpers */

#define PENDING_MAX 64 /* filters remembered for their SUBACK/UNSUBACK */

struct pending {
	unsigned id;              /* the packet id */
	char *topic;              /* the filter (owned) */
};

static void
pend_add(struct mqtt_state *s, unsigned id, const char *topic)
{
	if (s->npend == PENDING_MAX)
		return; /* the answer then goes unnamed */
	if (s->pend == NULL)
		s->pend = xrealloc(NULL, PENDING_MAX * sizeof *s->pend);
	s->pend[s->npend].id = id;
	s->pend[s->npend++].topic = xstrdup(topic);
}

/* The filter of packet id (the caller frees it), or NULL. */
static char *
pend_take(struct mqtt_state *s, unsigned id)
{
	for (size_t i = 0; i < s->npend; i++)
		if (s->pend[i].id == id) {
			char *t = s->pend[i].topic;

			s->pend[i] = s->pend[--s->npend];
			return t;
		}
	return NULL;
}

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

static struct mqtt_state *
state(struct proto_conn *pc)
{
	struct mqtt_state *s = proto_state(pc);

	if (s->pc == NULL) {
		s->pc = pc;
		s->version = proto_opt.mqtt_version ? proto_opt.mqtt_version :
		    MQTT_V311;
		s->from_server = conn_role(proto_conn(pc)) == WS_ROLE_CLIENT;
		s->split.version = s->version;
		s->split.cap = MQTT_PACKET_MAX;
		s->last_sent = now_sec();
	}
	return s;
}

/* A packet sent or received, decoded for --frames and -v. */
static void
show_packet(struct mqtt_state *s, char dir, const struct mqtt_packet *pk)
{
	struct show_proto e;
	char d[1024], kind[16];
	size_t n, i;

	/* A relay logs the conversation it watches (CONNECT, SUBSCRIBE,
	 * their acks, DISCONNECT: who did what), all but the keep-alives
	 * and the PUBLISH shown as a message */
	if (proto_watching(s->pc) && pk->type != MQTT_PUBLISH &&
	    pk->type != MQTT_PINGREQ && pk->type != MQTT_PINGRESP) {
		const char *t = mqtt_type_name(pk->type, s->version);

		for (i = 0; t[i] != '\0' && i < sizeof kind - 1; i++)
			kind[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ?
			    t[i] - 'A' + 'a' : t[i]);
		kind[i] = '\0';
		n = mqtt_describe(pk, s->version, d, sizeof d);
		/* the description starts with the type, named as the kind */
		i = strlen(t);
		if (n >= i && strncmp(d, t, i) == 0)
			i += d[i] == ' ';
		else
			i = 0;
		memset(&e, 0, sizeof e);
		e.kind = kind;
		e.text = (const uint8_t *)d + i;
		e.ntext = n - i;
		proto_show(s->pc, dir, &e);
		return;
	}
	if (!view.frames && !opt.verbose)
		return; /* only they show it */
	memset(&e, 0, sizeof e);
	e.kind = "packet";
	e.text = (const uint8_t *)d;
	e.ntext = mqtt_describe(pk, s->version, d, sizeof d);
	e.keepalive = 1;
	proto_show(s->pc, dir, &e);
}

/* Send the packet built in s->out[0..n), shown decoded. */
static int
send_packet(struct mqtt_state *s, size_t n)
{
	struct mqtt_packet pk;

	if (proto_send(s->pc, WS_OP_BINARY, s->out, n) != 0)
		return -1;
	s->last_sent = now_sec();
	if ((view.frames || opt.verbose) &&
	    mqtt_decode(s->out, n, s->version, &pk) == 0)
		show_packet(s, '>', &pk);
	return 0;
}

/* Room for a packet of n bytes in s->out. */
static void
room(struct mqtt_state *s, size_t n)
{
	s->out = grow(s->out, &s->outcap, n);
}

static unsigned
next_id(struct mqtt_state *s)
{
	s->next_id = s->next_id % 65535 + 1;
	return s->next_id;
}

/* ---------------------------------------------------------- keep-alive */

static void
ping_fire(struct timer *t, double now)
{
	struct mqtt_state *s = t->ud;
	size_t n;

	if (conn_done(proto_conn(s->pc)) || s->said_bye)
		return;
	if (now - s->last_sent < s->keepalive * 0.95) {
		loop_timer_set(&s->ping, s->last_sent + s->keepalive);
		return;
	}
	room(s, 2);
	n = mqtt_encode_empty(s->out, s->outcap, MQTT_PINGREQ);
	if (send_packet(s, n) != 0)
		return;
	if (!loop_timer_armed(&s->pong))
		loop_timer_set(&s->pong, now + s->keepalive);
	loop_timer_set(&s->ping, now + s->keepalive);
}

static void
pong_fire(struct timer *t, double now)
{
	struct mqtt_state *s = t->ud;
	char why[128];

	(void)now;
	snprintf(why, sizeof why, "MQTT: no PINGRESP within the keep-alive "
	    "of %u s", s->keepalive);
	diag("%s%s", conn_label(proto_conn(s->pc)), why);
	proto_end(s->pc, WS_CLOSE_GOING_AWAY, EXIT_TIMEOUT, why);
}

static void
arm_keepalive(struct mqtt_state *s)
{
	s->ping.fire = ping_fire;
	s->ping.ud = s;
	s->pong.fire = pong_fire;
	s->pong.ud = s;
	if (s->keepalive)
		loop_timer_set(&s->ping, s->last_sent + s->keepalive);
}

/* ---------------------------------------------------------- the session */

/* A server that upgrades and then never answers CONNECT would hold the
 * session, stdin unread, with nothing said. */
static void
greet_fire(struct timer *t, double now)
{
	struct mqtt_state *s = t->ud;
	char why[128];

	(void)now;
	if (s->connected)
		return;
	snprintf(why, sizeof why, "MQTT: no CONNACK within %g s "
	    "(--connect-timeout)", opt.connect_timeout);
	diag("%s%s; closing", conn_label(proto_conn(s->pc)), why);
	proto_end(s->pc, WS_CLOSE_GOING_AWAY, EXIT_TIMEOUT, why);
}

static void
mqtt_open(struct proto_conn *pc)
{
	struct mqtt_state *s = state(pc);
	char id[64], user[256];
	const char *cid = proto_opt.client_id, *pass = NULL, *u = NULL;
	double ka = proto_opt.keepalive >= 0 ? proto_opt.keepalive :
	    MQTT_KEEPALIVE;
	size_t n;

	if (proto_watching(pc) || !s->from_server)
		return;
	if (cid == NULL) {
		snprintf(id, sizeof id, "wscli-%ld", (long)getpid());
		cid = id;
	}
	if (proto_opt.login) {
		const char *colon = strchr(proto_opt.login, ':');

		snprintf(user, sizeof user, "%.*s", colon ? (int)(colon -
		    proto_opt.login) : (int)strlen(proto_opt.login),
		    proto_opt.login);
		u = user;
		pass = colon ? colon + 1 : NULL;
	}
	/* the keep-alive is whole seconds on the wire: round up, so that a
	 * short one is not 0 (none) */
	s->keepalive = ka > 65535 ? 65535 : (unsigned)(ka + 0.999);
	n = mqtt_encode_connect(NULL, 0, s->version, cid, u, pass,
	    s->keepalive, 1);
	room(s, n);
	n = mqtt_encode_connect(s->out, s->outcap, s->version, cid, u, pass,
	    s->keepalive, 1);
	send_packet(s, n);
	s->greet.fire = greet_fire;
	s->greet.ud = s;
	loop_timer_set(&s->greet, now_sec() + opt.connect_timeout);
}

static int
subscribe(struct mqtt_state *s, const char *topic, unsigned qos)
{
	size_t n = mqtt_encode_subscribe(NULL, 0, s->version, 1, topic, qos);

	unsigned id;

	room(s, n);
	id = next_id(s);
	n = mqtt_encode_subscribe(s->out, s->outcap, s->version, id, topic,
	    qos);
	if (send_packet(s, n) != 0)
		return -1;
	s->subacks++;
	pend_add(s, id, topic);
	return 0;
}

static int
publish(struct mqtt_state *s, const char *topic, const uint8_t *p,
    size_t len, unsigned qos)
{
	size_t n = mqtt_encode_publish(NULL, 0, s->version, topic, qos, 0, 1,
	    p, len);

	room(s, n);
	n = mqtt_encode_publish(s->out, s->outcap, s->version, topic, qos, 0,
	    qos ? next_id(s) : 0, p, len);
	if (send_packet(s, n) != 0)
		return -1;
	if (qos)
		s->unacked++;
	return 0;
}

static void
ack(struct mqtt_state *s, unsigned type, unsigned id)
{
	size_t n;

	room(s, 4);
	n = mqtt_encode_ack(s->out, s->outcap, type, id);
	send_packet(s, n);
}

/* Append the JSON string of b[0..n) to s->text at *o. */
static void
json_put(struct mqtt_state *s, size_t *o, const uint8_t *b, size_t n)
{
	int valid = ws_utf8_valid(b, n, NULL);
	size_t i;

	s->text = grow(s->text, &s->textcap, *o + 6 * n + 8);
	s->text[(*o)++] = '"';
	for (i = 0; i < n; i++) {
		if (b[i] == '"' || b[i] == '\\') {
			s->text[(*o)++] = '\\';
			s->text[(*o)++] = (char)b[i];
		} else if (b[i] < 0x20 || (b[i] >= 0x80 && !valid)) {
			*o += (size_t)sprintf(s->text + *o, "\\u%04x", b[i]);
		} else {
			s->text[(*o)++] = (char)b[i];
		}
	}
	s->text[(*o)++] = '"';
}

static void
on_publish(struct mqtt_state *s, char dir, const struct mqtt_packet *pk)
{
	struct show_proto e;
	char topic[512], flags[64];
	size_t o = 0, t;

	snprintf(topic, sizeof topic, "%.*s", (int)(pk->topic.len < 511 ?
	    pk->topic.len : 511), (const char *)pk->topic.p);
	s->text = grow(s->text, &s->textcap, 128);
	o = (size_t)sprintf(s->text, "{\"topic\":");
	json_put(s, &o, pk->topic.p, pk->topic.len);
	s->text = grow(s->text, &s->textcap, o + 128);
	o += (size_t)sprintf(s->text + o, ",\"qos\":%u,\"retain\":%s,"
	    "\"dup\":%s", pk->qos, pk->retain ? "true" : "false",
	    pk->dup ? "true" : "false");
	if (pk->qos)
		o += (size_t)sprintf(s->text + o, ",\"id\":%u", pk->packet_id);
	if (pk->has_alias)
		o += (size_t)sprintf(s->text + o, ",\"alias\":%u", pk->alias);
	s->text[o++] = '}';
	/* for people: "TOPIC [qos 1, retain] PAYLOAD" */
	t = o;
	snprintf(flags, sizeof flags, "%s%s%s%s", pk->qos == 1 ? ", qos 1" :
	    pk->qos == 2 ? ", qos 2" : "", pk->retain ? ", retain" : "",
	    pk->dup ? ", dup" : "", "");
	s->text = grow(s->text, &s->textcap, o + pk->topic.len + 80 +
	    pk->payload.len);
	memcpy(s->text + o, pk->topic.p, pk->topic.len);
	o += pk->topic.len;
	if (flags[0])
		o += (size_t)sprintf(s->text + o, " [%s]", flags + 2);
	s->text[o++] = ' ';
	memcpy(s->text + o, pk->payload.p, pk->payload.len);
	o += pk->payload.len;

	memset(&e, 0, sizeof e);
	e.kind = "publish";
	e.name = topic;
	e.json = (const uint8_t *)s->text;
	e.njson = t;
	e.text = (const uint8_t *)s->text + t;
	e.ntext = o - t;
	e.line = pk->payload.p;
	e.nline = pk->payload.len;
	e.payload = pk->payload.p;
	e.npayload = pk->payload.len;
	e.binary = !ws_utf8_valid(pk->payload.p, pk->payload.len, NULL);
	proto_show(s->pc, dir, &e);
}

static void notice(struct mqtt_state *, const char *, const char *, unsigned,
    const char *, const char *, ...) __attribute__((format(printf, 6, 7)));

static void
notice(struct mqtt_state *s, const char *kind, const char *name, unsigned id,
    const char *json, const char *fmt, ...)
{
	struct show_proto e;
	char text[512], ids[16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	memset(&e, 0, sizeof e);
	e.kind = kind;
	e.name = name; /* --jsonl: the topic filter */
	e.text = (const uint8_t *)text;
	e.ntext = strlen(text);
	/* --jsonl: the packet id and what the packet said, as data */
	if (id) {
		snprintf(ids, sizeof ids, "%u", id);
		e.id = ids;
	}
	if (json) {
		e.json = (const uint8_t *)json;
		e.njson = strlen(json);
	}
	e.notice = !opt.quiet;
	proto_show(s->pc, '<', &e);
}

static void
on_connack(struct mqtt_state *s, const struct mqtt_packet *pk)
{
	char why[256], json[128];
	int i;

	loop_timer_stop(&s->greet);
	if (pk->code != 0) {
		snprintf(why, sizeof why, "MQTT CONNACK refused the session: "
		    "%u (%s)", pk->code, mqtt_connack_name(pk->code,
		    s->version));
		diag("%s%s", conn_label(proto_conn(s->pc)), why);
		proto_end(s->pc, WS_CLOSE_NORMAL, EXIT_ERROR, why);
		return;
	}
	s->connected = 1;
	if (pk->has_server_keepalive)
		s->keepalive = pk->server_keepalive;
	arm_keepalive(s);
	snprintf(json, sizeof json, "{\"version\":\"%s\",\"session_present\":"
	    "%s,\"keepalive\":%u}", s->version == MQTT_V5 ? "5.0" : "3.1.1",
	    pk->session_present ? "true" : "false", s->keepalive);
	notice(s, "connected", NULL, 0, json, "MQTT %s%s, keep-alive %u s",
	    s->version == MQTT_V5 ? "5.0" : "3.1.1",
	    pk->session_present ? ", session present" : "", s->keepalive);
	for (i = 0; i < proto_opt.nsubscribe; i++)
		if (subscribe(s, proto_opt.subscribe[i], proto_opt.qos) != 0)
			break;
}

/* --jsonl data of a SUBACK's or UNSUBACK's return code */
static const char *
code_json(char *buf, size_t cap, unsigned code)
{
	snprintf(buf, cap, "{\"code\":%u}", code);
	return buf;
}

static void
on_suback(struct mqtt_state *s, const struct mqtt_packet *pk)
{
	char json[32], *topic = pend_take(s, pk->packet_id);
	const char *t = topic ? topic : "";
	const char *to = topic ? " to " : "";
	size_t i;

	if (s->subacks > 0)
		s->subacks--;
	for (i = 0; i < pk->codes.len; i++) {
		unsigned c = pk->codes.p[i];

		if (c >= 0x80)
			notice(s, "suback", topic, pk->packet_id,
			    code_json(json, sizeof json, c), "subscription%s%s "
			    "refused (id %u): 0x%02x", to, t, pk->packet_id, c);
		else
			notice(s, "suback", topic, pk->packet_id,
			    code_json(json, sizeof json, c), "subscribed%s%s "
			    "(id %u), QoS %u granted", to, t, pk->packet_id, c);
	}
	free(topic);
}

/* The REPL's /unsubscribe gets its answer shown, as /subscribe does. */
static void
on_unsuback(struct mqtt_state *s, const struct mqtt_packet *pk)
{
	char json[32], *topic = pend_take(s, pk->packet_id);
	const char *t = topic ? topic : "";
	const char *from = topic ? " from " : "";
	size_t i;

	if (pk->codes.len == 0) /* 3.1.1: no codes, all went */
		notice(s, "unsuback", topic, pk->packet_id, NULL,
		    "unsubscribed%s%s (id %u)", from, t, pk->packet_id);
	for (i = 0; i < pk->codes.len; i++) {
		unsigned c = pk->codes.p[i];

		if (c >= 0x80)
			notice(s, "unsuback", topic, pk->packet_id,
			    code_json(json, sizeof json, c), "unsubscribe%s%s "
			    "refused (id %u): 0x%02x", from, t, pk->packet_id, c);
		else if (c == 0x11)
			notice(s, "unsuback", topic, pk->packet_id,
			    code_json(json, sizeof json, c), "unsubscribed%s%s "
			    "(id %u): there was no such subscription", from, t,
			    pk->packet_id);
		else
			notice(s, "unsuback", topic, pk->packet_id,
			    code_json(json, sizeof json, c), "unsubscribed%s%s "
			    "(id %u)", from, t, pk->packet_id);
	}
	free(topic);
}

static int
on_packet(void *ctx, const uint8_t *p, size_t len)
{
	struct mqtt_state *s = ctx;
	struct mqtt_packet pk;
	int r, watch = proto_watching(s->pc);

	if (conn_done(proto_conn(s->pc)))
		return 1;
	/* A relay learns the version from what goes by: CONNECT says it,
	 * and a CONNACK longer than 3.1.1's two bytes is 5.0's. */
	if (!s->version_known && watch && len >= 2) {
		if (p[0] >> 4 == MQTT_CONNECT && len > 8 + 1)
			s->version = p[8 + (p[1] & 0x80 ? 1 : 0)] == 5 ?
			    MQTT_V5 : MQTT_V311;
		else if (p[0] >> 4 == MQTT_CONNACK && p[1] > 2)
			s->version = MQTT_V5;
		s->split.version = s->version;
		s->version_known = 1;
	}
	if ((r = mqtt_decode(p, len, s->version, &pk)) != 0) {
		proto_violation(s->pc, WS_CLOSE_PROTOCOL_ERROR,
		    "malformed %s packet: %s",
		    mqtt_type_name(p[0] >> 4, s->version), mqtt_strerror(r));
		return r;
	}
	if (!mqtt_type_allowed(pk.type, s->version, !s->from_server)) {
		proto_violation(s->pc, WS_CLOSE_PROTOCOL_ERROR,
		    "%s sent by the %s", mqtt_type_name(pk.type, s->version),
		    s->from_server ? "server" : "client");
		return -1;
	}
	if (s->from_server && s->connected && !watch &&
	    pk.type == MQTT_CONNACK) {
		proto_violation(s->pc, WS_CLOSE_PROTOCOL_ERROR,
		    "a second CONNACK");
		return -1;
	}
	if (s->from_server && !s->connected && !watch &&
	    pk.type != MQTT_CONNACK) {
		proto_violation(s->pc, WS_CLOSE_PROTOCOL_ERROR,
		    "%s before CONNACK", mqtt_type_name(pk.type, s->version));
		return -1;
	}
	show_packet(s, '<', &pk);
	switch (pk.type) {
	case MQTT_PUBLISH:
		on_publish(s, '<', &pk);
		/* --record, a relay: the client's PUBLISH is a line */
		if (!s->from_server) {
			char topic[512];

			snprintf(topic, sizeof topic, "%.*s",
			    (int)(pk.topic.len < 511 ? pk.topic.len : 511),
			    (const char *)pk.topic.p);
			proto_record_sent_to(s->pc, "--topic", topic,
			    pk.payload.p, pk.payload.len);
		}
		if (watch)
			break;
		if (pk.qos == 1)
			ack(s, MQTT_PUBACK, pk.packet_id);
		else if (pk.qos == 2)
			ack(s, MQTT_PUBREC, pk.packet_id);
		break;
	case MQTT_PUBREL:
		if (!watch)
			ack(s, MQTT_PUBCOMP, pk.packet_id);
		break;
	case MQTT_CONNACK:
		if (!watch)
			on_connack(s, &pk);
		break;
	case MQTT_SUBACK:
		if (!watch)
			on_suback(s, &pk);
		break;
	case MQTT_UNSUBACK:
		if (!watch)
			on_unsuback(s, &pk);
		break;
	case MQTT_PUBACK:
		if (s->unacked > 0)
			s->unacked--;
		/* a pipe's PUBACKs are its end's business; at the REPL
		 * a /publish at QoS 1 is answered where it can be seen,
		 * and --jsonl has them all */
		if (!watch && (opt.interactive || opt.jsonl))
			notice(s, "puback", NULL, pk.packet_id, NULL,
			    "published (id %u)", pk.packet_id);
		break;
	case MQTT_PINGRESP:
		loop_timer_stop(&s->pong);
		break;
	case MQTT_SUBSCRIBE:
		/* --record, a relay: an option for --test, not a line */
		if (!s->from_server) {
			char note[600];

			snprintf(note, sizeof note, "the client subscribed to "
			    "%.*s (--test --subscribe)",
			    (int)(pk.filter.len < 500 ? pk.filter.len : 500),
			    (const char *)pk.filter.p);
			proto_record_note(s->pc, note);
		}
		break;
	case MQTT_DISCONNECT:
		/* the receiver of a DISCONNECT closes the network connection
		 * (MQTT 3.1.1 3.14.4, 5 3.14.4): a relay sees TCP go, with no
		 * close frame, as the end asked for (an MQTT 5 reason of
		 * 0x80 and up is an error end: that drop stays one) */
		if (watch && pk.code < 0x80)
			proto_expect_end(s->pc, s->from_server ? "the server's "
			    "MQTT DISCONNECT" : "the client's MQTT DISCONNECT");
		if (!watch) {
			char why[128];

			snprintf(why, sizeof why, "MQTT DISCONNECT from the "
			    "server: reason 0x%02x", pk.code);
			diag("%s%s", conn_label(proto_conn(s->pc)), why);
			proto_end(s->pc, WS_CLOSE_NORMAL, pk.code < 0x80 ?
			    EXIT_OK : EXIT_ERROR, why);
		}
		break;
	}
	return 0;
}

static void
mqtt_message(struct proto_conn *pc, unsigned opcode, const uint8_t *p,
    size_t n, uint64_t size)
{
	struct mqtt_state *s = state(pc);
	int r;

	if (opcode != WS_OP_BINARY) {
		/* MQTT 3.1.1 6.0, 5.0 6.0: binary frames only */
		proto_violation(pc, WS_CLOSE_PROTOCOL_ERROR,
		    "a text message; MQTT over WebSocket is binary");
		return;
	}
	if (size > n) {
		proto_violation(pc, WS_CLOSE_TOO_BIG, "a message of %llu "
		    "bytes, more than wscli decodes", (unsigned long long)size);
		return;
	}
	if (s->split.buf == NULL)
		s->split.buf = xrealloc(NULL, s->split.cap);
	r = mqtt_split_feed(&s->split, p, n, on_packet, s);
	if (r < 0 && r >= MQTT_ERR_EMPTY && s->split.err)
		proto_violation(pc, r == MQTT_ERR_TOO_BIG ? WS_CLOSE_TOO_BIG :
		    WS_CLOSE_PROTOCOL_ERROR, "%s", mqtt_strerror(r));
}

static int
mqtt_ready(struct proto_conn *pc)
{
	return state(pc)->connected;
}

static int
mqtt_line(struct proto_conn *pc, const uint8_t *p, size_t n, char *why,
    size_t cap)
{
	struct mqtt_state *s = state(pc);

	if (proto_opt.topic == NULL) {
		snprintf(why, cap, "MQTT needs --topic to publish lines");
		return -1;
	}
	if (publish(s, proto_opt.topic, p, n, proto_opt.qos) != 0) {
		snprintf(why, cap, "the connection is closing");
		return -1;
	}
	proto_record_sent(pc, p, n);
	return 0;
}

static int
mqtt_check(const uint8_t *p, size_t n, char *why, size_t cap)
{
	(void)p;
	(void)n;
	if (proto_opt.topic == NULL) {
		snprintf(why, cap, "MQTT needs --topic to publish lines");
		return -1;
	}
	return 0;
}

/* DISCONNECT, then the close once it has gone out. */
static void
say_bye(struct mqtt_state *s)
{
	size_t n;

	room(s, 2);
	n = mqtt_encode_empty(s->out, s->outcap, MQTT_DISCONNECT);
	send_packet(s, n);
	s->said_bye = 1;
	loop_timer_stop(&s->ping);
	loop_timer_stop(&s->pong);
	/* A broker drops the connection on DISCONNECT, often before the
	 * close handshake: that is the end asked for. */
	proto_expect_end(s->pc, "the MQTT DISCONNECT wscli sent");
	proto_finish(s->pc, WS_CLOSE_NORMAL, EXIT_OK, "MQTT DISCONNECT sent");
}

static int
mqtt_due(struct proto_conn *pc)
{
	struct mqtt_state *s = state(pc);

	if (!s->connected || conn_done(proto_conn(pc)))
		return 0;
	if (s->unacked > 0 || s->subacks > 0)
		return 2;
	if (proto_opt.nsubscribe > 0)
		return 1;
	if (!s->said_bye)
		say_bye(s);
	return 0;
}

/* The user ends the session: the same goodbye, subscriptions or not. */
static int
mqtt_bye(struct proto_conn *pc)
{
	struct mqtt_state *s = state(pc);

	if (!s->from_server || !s->connected || s->said_bye)
		return 0;
	say_bye(s);
	return PROTO_BYE_CLOSES;
}

/* --------------------------------------------------------------- REPL */

static int
mqtt_command(struct proto_conn *pc, const char *name, const char *arg)
{
	struct mqtt_state *s = state(pc);
	char topic[1024];
	const char *sp = strchr(arg, ' ');

	if (sp)
		snprintf(topic, sizeof topic, "%.*s", (int)(sp - arg), arg);
	else
		snprintf(topic, sizeof topic, "%s", arg);
	if (!strcmp(name, "subscribe")) {
		unsigned qos = proto_opt.qos;

		if (sp && (sp[1] == '0' || sp[1] == '1') && sp[2] == '\0')
			qos = (unsigned)(sp[1] - '0');
		else if (sp || !*topic) {
			proto_reply(1, "usage: /subscribe TOPIC [0|1]");
			return 0;
		}
		if (!s->connected || subscribe(s, topic, qos) != 0)
			proto_reply(1, "not connected");
		return 0;
	}
	if (!strcmp(name, "unsubscribe")) {
		size_t n;

		if (!*topic || sp) {
			proto_reply(1, "usage: /unsubscribe TOPIC");
			return 0;
		}
		unsigned id;

		n = mqtt_encode_unsubscribe(NULL, 0, s->version, 1, topic);
		room(s, n);
		id = next_id(s);
		n = mqtt_encode_unsubscribe(s->out, s->outcap, s->version,
		    id, topic);
		if (!s->connected || send_packet(s, n) != 0)
			proto_reply(1, "not connected");
		else
			pend_add(s, id, topic);
		return 0;
	}
	if (!strcmp(name, "publish")) {
		if (!*topic || !sp) {
			proto_reply(1, "usage: /publish TOPIC PAYLOAD");
			return 0;
		}
		if (!s->connected || publish(s, topic, (const uint8_t *)sp + 1,
		    strlen(sp + 1), proto_opt.qos) != 0)
			proto_reply(1, "not connected");
		/* --record: a line is published to --topic */
		else if (proto_opt.topic && !strcmp(topic, proto_opt.topic))
			proto_record_sent(pc, (const uint8_t *)sp + 1,
			    strlen(sp + 1));
		else
			proto_record_note(pc, "a PUBLISH typed to another "
			    "topic than --topic's: not recorded");
		return 0;
	}
	return -1;
}

/* MQTT travels in binary messages only: a line typed at the REPL goes
 * out as text all the same (this is a debugging tool), but a broker
 * drops the connection for it, so say so before it does. */
static void
mqtt_typed(struct proto_conn *pc, unsigned opcode, const uint8_t *p,
    size_t n)
{
	struct mqtt_state *s = state(pc);

	(void)p;
	(void)n;
	if (opcode != WS_OP_TEXT || s->warned_text)
		return;
	s->warned_text = 1;
	proto_reply(1, "mqtt: a typed line goes out as a text message, which "
	    "MQTT does not allow: brokers drop the connection for it; "
	    "/publish TOPIC PAYLOAD publishes");
}

static const char *const mqtt_help[] = {
	"/subscribe TOPIC [0|1]", "subscribe to an MQTT topic filter",
	"/unsubscribe TOPIC", "end that subscription",
	"/publish TOPIC PAYLOAD", "publish PAYLOAD to TOPIC",
	NULL,
};

static void
mqtt_end(struct proto_conn *pc)
{
	struct mqtt_state *s = proto_state(pc);

	loop_timer_stop(&s->ping);
	loop_timer_stop(&s->pong);
	loop_timer_stop(&s->greet);
	while (s->npend > 0)
		free(s->pend[--s->npend].topic);
	free(s->pend);
	free(s->split.buf);
	free(s->out);
	free(s->text);
}

static const char *const mqtt_subprotocols[] = { "mqtt", NULL };

const struct proto mqtt_proto = {
	.name = "mqtt",
	.subprotocols = mqtt_subprotocols,
	.state = sizeof(struct mqtt_state),
	.open = mqtt_open,
	.message = mqtt_message,
	.line = mqtt_line,
	.check = mqtt_check,
	.command = mqtt_command,
	.help = mqtt_help,
	.ready = mqtt_ready,
	.due = mqtt_due,
	.end = mqtt_end,
	.typed = mqtt_typed,
	.bye = mqtt_bye,
};
