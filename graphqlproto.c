/*
 * graphqlproto.c - --proto graphql (the contract is in graphqlproto.h): the
 * messages and the session are graphql.c's, this is what the protocol
 * layer (proto.h) calls.
 *
 * GraphQL as a protocol of proto.h. A client sends connection_init (with
 * --init's payload) and holds stdin until connection_ack, which must come
 * within --connect-timeout; each stdin line or /subscribe is an
 * operation with the next id. A server (listen mode) answers
 * connection_init and ping as graphql-ws's server does. Either answers
 * ping with pong. Every message received goes through the session, so a
 * rule broken is named and the connection closed with the protocol's
 * code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "display.h"
#include "exit.h"
#include "frame.h"
#include "graphql.h"
#include "graphqlproto.h"
#include "loop.h"
#include "opts.h"
#include "proto.h"
#include "show.h"
#include "term.h"

struct gql_pc {
	struct gql_sess own;
	struct gql_sess *s;      /* own, or in relay mode the client side's:
				    one session sees both directions */
	struct proto_conn *pc;
	struct timer ack;        /* connection_ack awaited */
	int client;              /* we speak the client's part */
	int failed;              /* the peer broke a rule: what follows is
				    not taken for anything */
	char *text;              /* what a message meant, for the display */
	size_t cap;
	char *line;              /* a message on one line, for stdout */
	size_t lcap;
	struct gql_line_op {     /* the operations stdin lines started */
		char id[24];
		uint64_t tag;    /* ... the line's */
	} *lops;
	size_t nlops, lopcap;
};

static const char *const gql_subprotocols[] = {
	GQL_SUBPROTO_TWS, GQL_SUBPROTO_LEGACY, NULL,
};

static const char *const gql_help[] = {
	"/subscribe OPERATION", "start an operation (GraphQL text, or JSON with "
	    "\"query\", \"variables\"); its results are shown with its id",
	"/complete ID", "stop the operation ID (listen mode: end it)",
	"/next ID JSON", "listen mode: send operation ID a result",
	NULL,
};

/* "ID PAYLOAD" (either may be missing) into the state's buffer. */
static const uint8_t *
gql_text(struct gql_pc *g, const uint8_t *id, size_t idlen,
    const uint8_t *p, size_t n, size_t *len)
{
	size_t need = idlen + 1 + n + 1;

	if (need > g->cap) {
		g->text = xrealloc(g->text, need);
		g->cap = need;
	}
	memcpy(g->text, id, idlen);
	*len = idlen;
	if (idlen && n)
		g->text[(*len)++] = ' ';
	/* JSON on one line: a payload over several lines is compacted */
	if (memchr(p, '\n', n) || memchr(p, '\r', n))
		*len += gql_compact(g->text + *len, g->cap - *len, p, n);
	else {
		memcpy(g->text + *len, p, n);
		*len += n;
	}
	return (const uint8_t *)g->text;
}

/* The protocol's own steps (connection_init and its ack, complete):
 * shown at the REPL and in a relay's log, in a pipe only with -v. */
static int
gql_bookkeeping(const struct gql_pc *g)
{
	/* --jsonl keeps them: a program reading it learns there that an
	 * operation completed */
	return !opt.interactive && !opt.jsonl && !proto_watching(g->pc);
}

/* The message p[0..n) on one line: as it is, or compacted. */
static const uint8_t *
gql_one_line(struct gql_pc *g, const uint8_t *p, size_t n, size_t *len)
{
	if (!memchr(p, '\n', n) && !memchr(p, '\r', n)) {
		*len = n;
		return p;
	}
	if (n + 1 > g->lcap) {
		g->line = xrealloc(g->line, n + 1);
		g->lcap = n + 1;
	}
	*len = gql_compact(g->line, g->lcap, p, n);
	return (const uint8_t *)g->line;
}

static void
gql_show(struct gql_pc *g, char dir, const char *kind, const char *id,
    const uint8_t *payload, size_t n, int keepalive)
{
	struct show_proto e = { 0 };

	e.kind = kind;
	e.id = id;
	e.text = gql_text(g, (const uint8_t *)(id ? id : ""), id ?
	    strlen(id) : 0, payload ? payload : (const uint8_t *)"",
	    payload ? n : 0, &e.ntext);
	e.json = payload;
	e.njson = payload ? n : 0;
	e.keepalive = keepalive;
	proto_show(g->pc, dir, &e);
}

static void
gql_ack_timeout(struct timer *t, double now)
{
	struct gql_pc *g = t->ud;
	char why[128];

	(void)now;
	snprintf(why, sizeof why, "no connection_ack within %g s "
	    "(--connect-timeout)", opt.connect_timeout);
	diag("%sgraphql: %s; closing with 4504", conn_label(proto_conn(g->pc)),
	    why);
	proto_end(g->pc, 4504, EXIT_TIMEOUT, why);
}

/* Send a message of ours; bookkeeping shows only with --frames or -v. */
static int
gql_send(struct gql_pc *g, const char *msg, size_t n, const char *kind,
    const char *id, const uint8_t *payload, size_t plen)
{
	if (proto_send(g->pc, WS_OP_TEXT, (const uint8_t *)msg, n) != 0)
		return -1;
	gql_show(g, '>', kind, id, payload, plen, 1);
	return 0;
}

static void
gql_answer(struct gql_pc *g, enum gql_type t)
{
	char msg[64];
	long n = gql_build(msg, sizeof msg, g->s->dialect, t, g->client,
	    NULL, NULL, 0);

	if (n < 0 || proto_watching(g->pc))
		return;
	if (gql_send(g, msg, (size_t)n, gql_type_name(g->s->dialect, t,
	    g->client), NULL, NULL, 0) == 0 && t == GQL_T_CONNECTION_ACK)
		/* the session sees our ack as the client will */
		(void)gql_sess_recv(g->s, 1, (const uint8_t *)msg,
		    (size_t)n, &(struct gql_event){ 0 });
}

static void
gql_open(struct proto_conn *pc)
{
	struct gql_pc *g = proto_state(pc);
	const char *sub = proto_subprotocol(pc), *why;
	char *msg;
	size_t cap;
	long n;

	g->pc = pc;
	g->client = conn_role(proto_conn(pc)) == WS_ROLE_CLIENT;
	g->s = &g->own;
	gql_sess_init(g->s, sub && !strcmp(sub, GQL_SUBPROTO_LEGACY) ?
	    GQL_LEGACY : GQL_TWS);
	if (proto_watching(pc)) {
		/* the server's side of a relay reads what the client's side
		 * recorded: the ids it subscribed, the init */
		struct proto_conn *peer = proto_peer(pc);

		if (g->client && peer)
			g->s = &((struct gql_pc *)proto_state(peer))->own;
		return;
	}
	if (!g->client)
		return;
	cap = 64 + (proto_opt.init ? strlen(proto_opt.init) : 0);
	msg = xrealloc(NULL, cap);
	n = gql_sess_open(g->s, proto_opt.init, msg, cap, &why);
	if (n > 0)
		gql_send(g, msg, (size_t)n, "connection_init", NULL,
		    (const uint8_t *)proto_opt.init, proto_opt.init ?
		    strlen(proto_opt.init) : 0);
	free(msg);
	g->ack.fire = gql_ack_timeout;
	g->ack.ud = g;
	loop_timer_set(&g->ack, now_sec() + opt.connect_timeout);
}

static void
gql_message(struct proto_conn *pc, unsigned opcode, const uint8_t *p,
    size_t n, uint64_t size)
{
	struct gql_pc *g = proto_state(pc);
	struct gql_event ev;
	const struct gql_msg *m = &ev.m;
	char id[128];
	int from_server = g->client;

	if (g->failed)
		return;
	if (opcode != WS_OP_TEXT) {
		g->failed = !proto_watching(pc);
		proto_violation(pc, 4400, "a binary message: GraphQL messages "
		    "are text");
		return;
	}
	if (n < size) {
		g->failed = !proto_watching(pc);
		proto_violation(pc, 4400, "a message of %llu bytes, more than "
		    "the %u MiB decoded", (unsigned long long)size,
		    PROTO_MSG_MAX >> 20);
		return;
	}
	if (gql_sess_recv(g->s, from_server, p, n, &ev) < 0) {
		proto_end(pc, 1011, EXIT_ERROR, "out of memory");
		return;
	}
	if (ev.violation) {
		g->failed = !proto_watching(pc);
		proto_violation(pc, ev.close_code, "%s", ev.why);
		return;
	}
	id[0] = '\0';
	if (m->id) {
		size_t k = m->id_len < sizeof id - 1 ? m->id_len : sizeof id - 1;

		memcpy(id, m->id, k);
		id[k] = '\0';
	}
	switch (m->type) {
	case GQL_T_CONNECTION_ACK:
		loop_timer_stop(&g->ack);
		gql_show(g, '<', "connection_ack", NULL, m->payload,
		    m->payload_len, gql_bookkeeping(g));
		break;
	case GQL_T_PING: case GQL_T_PONG: case GQL_T_KA:
		gql_show(g, '<', gql_type_name(g->s->dialect, m->type, 0),
		    NULL, m->payload, m->payload_len, 1);
		break;
	case GQL_T_NEXT: {
		struct show_proto e = { 0 };

		e.kind = ev.late ? "next (late)" : "next";
		e.id = id;
		/* "ID PAYLOAD" is for people: the REPL, a relay's log, -v;
		 * a pipe gets the payload alone */
		if (opt.interactive || opt.verbose || proto_watching(pc))
			e.text = gql_text(g, m->id, m->id_len, m->payload,
			    m->payload_len, &e.ntext);
		e.line = gql_one_line(g, m->payload, m->payload_len, &e.nline);
		e.json = m->payload;
		e.njson = m->payload_len;
		proto_show(pc, '<', &e);
		break;
	}
	case GQL_T_ERROR:
	case GQL_T_CONNECTION_ERROR:
		/* a script must be able to tell that what it asked for
		 * failed: the exit status says so */
		if (from_server && !proto_watching(pc))
			proto_failed(pc);
		gql_show(g, '<', m->type == GQL_T_ERROR ? "error" :
		    "connection_error", m->id ? id : NULL, m->payload,
		    m->payload_len, 0);
		if (!opt.interactive && !opt.jsonl) {
			size_t k;
			const uint8_t *t = gql_text(g, (const uint8_t *)"", 0,
			    m->payload ? m->payload : (const uint8_t *)"",
			    m->payload_len, &k);
			char what[1024];

			disp_escape_str(what, sizeof what, t, k < 256 ? k : 256,
			    0);
			if (m->type == GQL_T_ERROR)
				diag("%sgraphql: operation %s failed: %s",
				    conn_label(proto_conn(pc)), id, what);
			else
				diag("%sgraphql: connection_error: %s",
				    conn_label(proto_conn(pc)), what);
		}
		break;
	case GQL_T_COMPLETE:
		if (!from_server && !proto_watching(pc)) {
			/* a server's stdout: the client ended an operation */
			struct show_proto e = { 0 };

			e.kind = gql_type_name(g->s->dialect, m->type, 1);
			e.id = id;
			e.line = gql_one_line(g, p, n, &e.nline);
			e.text = (const uint8_t *)id;
			e.ntext = strlen(id);
			proto_show(pc, '<', &e);
			break;
		}
		gql_show(g, '<', gql_type_name(g->s->dialect, m->type,
		    !from_server), id, NULL, 0, gql_bookkeeping(g));
		break;
	case GQL_T_SUBSCRIBE: {
		/* a server's stdout: each operation received, the message
		 * itself on one line, so that its id can be answered */
		struct show_proto e = { 0 };

		/* --record: the operation is what a client's stdin line
		 * says (its id is the client's to choose) */
		if (m->payload)
			proto_record_sent(pc, m->payload, m->payload_len);
		e.kind = gql_type_name(g->s->dialect, m->type, 1);
		e.id = id;
		e.line = gql_one_line(g, p, n, &e.nline);
		e.text = gql_text(g, m->id, m->id_len, m->payload,
		    m->payload_len, &e.ntext);
		e.json = m->payload;
		e.njson = m->payload_len;
		proto_show(pc, '<', &e);
		break;
	}
	default: /* connection_init, connection_terminate */
		gql_show(g, '<', gql_type_name(g->s->dialect, m->type, 1),
		    NULL, m->payload, m->payload_len, gql_bookkeeping(g));
		break;
	}
	if (ev.answer != GQL_T_UNKNOWN)
		gql_answer(g, ev.answer);
}

/* Operation id was started by the line with tag. */
static void
note_line_op(struct gql_pc *g, const char *id, uint64_t tag)
{
	if (g->nlops == g->lopcap) {
		g->lopcap = g->lopcap ? 2 * g->lopcap : 8;
		g->lops = xrealloc(g->lops, g->lopcap * sizeof *g->lops);
	}
	snprintf(g->lops[g->nlops].id, sizeof g->lops[0].id, "%s", id);
	g->lops[g->nlops++].tag = tag;
}

/* A subscription a line started and that no one completed: a new
 * connection must subscribe it again. */
static int
gql_running(struct proto_conn *pc, uint64_t tag)
{
	struct gql_pc *g = proto_state(pc);

	for (size_t i = 0; i < g->nlops; i++) {
		if (g->lops[i].tag != tag)
			continue;
		for (size_t k = g->s->nops; k-- > 0;)
			if (!strcmp(g->s->ops[k].id, g->lops[i].id))
				return g->s->ops[k].state == GQL_OP_ACTIVE;
	}
	return 0;
}

/* Start the operation p[0..n): 0, or -1 with why. */
static int
gql_subscribe(struct gql_pc *g, const uint8_t *p, size_t n, char *id,
    size_t idcap, const char **why)
{
	size_t cap = n + 64;
	char *msg;
	long len;
	int rc;

	if (!g->client) {
		*why = "a GraphQL server does not start operations";
		return -1;
	}
	if (!g->s->acked) {
		*why = "the server has not acknowledged the connection yet";
		return -1;
	}
	/* escaping may make the text up to 6 times longer */
	cap = 6 * n + 128;
	msg = xrealloc(NULL, cap);
	len = gql_sess_subscribe(g->s, p, n, msg, cap, id, idcap, why);
	rc = -1;
	if (len > 0) {
		const char *pl = strstr(msg, "\"payload\":") + 10;

		rc = gql_send(g, msg, (size_t)len, gql_type_name(
		    g->s->dialect, GQL_T_SUBSCRIBE, 1), id,
		    (const uint8_t *)pl, (size_t)(msg + len - 1 - pl));
		if (rc != 0) {
			*why = "the connection is closing";
		} else {
			proto_record_sent(g->pc, p, n);
			if (proto_line_tag(g->pc) != 0)
				note_line_op(g, id, proto_line_tag(g->pc));
		}
	}
	free(msg);
	return rc;
}

/* A server's message as typed or piped (listen mode): checked against
 * the session as the client will check it, then sent as it is. */
static int
gql_server_says(struct gql_pc *g, const uint8_t *p, size_t n,
    const char **why)
{
	static char w[sizeof ((struct gql_event *)0)->why];
	struct gql_event ev;
	char id[128];

	if (gql_sess_recv(g->s, 1, p, n, &ev) < 0) {
		*why = "out of memory";
		return -1;
	}
	if (ev.violation) {
		snprintf(w, sizeof w, "%s", ev.why);
		*why = w;
		return -1;
	}
	id[0] = '\0';
	if (ev.m.id) {
		size_t k = ev.m.id_len < sizeof id - 1 ? ev.m.id_len :
		    sizeof id - 1;

		memcpy(id, ev.m.id, k);
		id[k] = '\0';
	}
	if (gql_send(g, (const char *)p, n, gql_type_name(g->s->dialect,
	    ev.m.type, 0), ev.m.id ? id : NULL, ev.m.payload,
	    ev.m.payload_len) != 0) {
		*why = "the connection is closing";
		return -1;
	}
	/* --record: the client writes a result's payload as its line */
	if (ev.m.type == GQL_T_NEXT && ev.m.payload) {
		size_t k;
		const uint8_t *l = gql_one_line(g, ev.m.payload,
		    ev.m.payload_len, &k);

		proto_record_got(g->pc, l, k);
	}
	return 0;
}

static int
gql_line(struct proto_conn *pc, const uint8_t *p, size_t n, char *why,
    size_t cap)
{
	struct gql_pc *g = proto_state(pc);
	const char *w;
	char id[32];

	if (!g->client) {
		if (gql_server_says(g, p, n, &w) != 0) {
			snprintf(why, cap, "%s", w);
			return -1;
		}
		return 0;
	}

	if (gql_subscribe(g, p, n, id, sizeof id, &w) != 0) {
		snprintf(why, cap, "%s", w);
		return -1;
	}
	return 0;
}

static int
gql_check(const uint8_t *p, size_t n, char *why, size_t cap)
{
	size_t ocap = 6 * n + 128; /* as gql_subscribe() allows */
	char *out = xrealloc(NULL, ocap);
	const char *w = NULL;
	long len = gql_operation(out, ocap, p, n, &w);

	free(out);
	if (len < 0) {
		snprintf(why, cap, "%s", w ? w : "not a GraphQL operation");
		return -1;
	}
	return 0;
}

static int
gql_command(struct proto_conn *pc, const char *name, const char *arg)
{
	struct gql_pc *g = proto_state(pc);
	const char *why;
	char id[32], msg[256];
	long n;

	if (!strcmp(name, "subscribe")) {
		if (arg == NULL || *arg == '\0') {
			proto_reply(1, "usage: /subscribe OPERATION");
			return 0;
		}
		if (gql_subscribe(g, (const uint8_t *)arg, strlen(arg), id,
		    sizeof id, &why) != 0)
			proto_reply(1, "/subscribe: %s", why);
		else
			proto_reply(0, "operation %s started", id);
		return 0;
	}
	if (!g->client && (!strcmp(name, "next") || !strcmp(name, "complete"))) {
		/* listen mode: the server's results, by hand */
		int next = *name == 'n';
		const char *sp = arg ? strchr(arg, ' ') : NULL;
		size_t idlen = sp ? (size_t)(sp - arg) : arg ? strlen(arg) : 0;
		size_t cap = (arg ? strlen(arg) : 0) * 6 + 128;
		char *buf, *oid;
		long len;

		if (idlen == 0 || (next && sp == NULL) || (!next && sp)) {
			proto_reply(1, "usage: /%s ID%s", name, next ?
			    " JSON" : "");
			return 0;
		}
		oid = xrealloc(NULL, idlen + 1);
		memcpy(oid, arg, idlen);
		oid[idlen] = '\0';
		buf = xrealloc(NULL, cap);
		len = gql_build(buf, cap, g->s->dialect, next ? GQL_T_NEXT :
		    GQL_T_COMPLETE, 0, oid, next ? (const uint8_t *)sp + 1 :
		    NULL, next ? strlen(sp + 1) : 0);
		if (len < 0)
			proto_reply(1, "/%s: too long", name);
		else if (gql_server_says(g, (const uint8_t *)buf, (size_t)len,
		    &why) != 0)
			proto_reply(1, "/%s %s: %s", name, oid, why);
		free(oid);
		free(buf);
		return 0;
	}
	if (!strcmp(name, "complete")) {
		if (arg == NULL || *arg == '\0' || strlen(arg) > 64) {
			proto_reply(1, "usage: /complete ID");
			return 0;
		}
		n = gql_sess_complete(g->s, arg, msg, sizeof msg, &why);
		if (n < 0)
			proto_reply(1, "/complete %s: %s", arg, why);
		else if (gql_send(g, msg, (size_t)n, gql_type_name(
		    g->s->dialect, GQL_T_COMPLETE, 1), arg, NULL, 0) != 0)
			proto_reply(1, "/complete: the connection is closing");
		else {
			proto_reply(0, "operation %s completed", arg);
			proto_record_note(g->pc, "an operation completed by "
			    "hand (/complete): not recorded (no line stops "
			    "one)");
		}
		return 0;
	}
	return -1;
}

/* A message typed by hand: a subscribe's id is then expected and a
 * complete cancels, as when wscli builds them. Anything else (a test of
 * the server) changes nothing; nor does one that breaks a rule, which
 * the session refuses before it moves. */
static void
gql_typed(struct proto_conn *pc, unsigned opcode, const uint8_t *p, size_t n)
{
	struct gql_pc *g = proto_state(pc);
	struct gql_event ev;
	const char *why;

	if (opcode != WS_OP_TEXT || !g->client ||
	    gql_parse(g->s->dialect, p, n, &ev.m, &why) < 0 ||
	    (ev.m.type != GQL_T_SUBSCRIBE && ev.m.type != GQL_T_COMPLETE))
		return;
	(void)gql_sess_recv(g->s, 0, p, n, &ev);
}

static int
gql_ready(struct proto_conn *pc)
{
	struct gql_pc *g = proto_state(pc);

	return !g->client || g->s->acked;
}

static int
gql_due(struct proto_conn *pc)
{
	struct gql_pc *g = proto_state(pc);

	if (!g->client)
		return 0;
	return !g->s->acked || gql_sess_active(g->s) > 0 ? 2 : 0;
}

static void
gql_end(struct proto_conn *pc)
{
	struct gql_pc *g = proto_state(pc);

	loop_timer_stop(&g->ack);
	gql_sess_free(&g->own);
	free(g->lops);
	free(g->text);
	free(g->line);
	g->text = g->line = NULL;
}

const struct proto proto_graphql = {
	.name = "graphql",
	.subprotocols = gql_subprotocols,
	.state = sizeof(struct gql_pc),
	.open = gql_open,
	.message = gql_message,
	.line = gql_line,
	.check = gql_check,
	.running = gql_running,
	.command = gql_command,
	.help = gql_help,
	.ready = gql_ready,
	.due = gql_due,
	.end = gql_end,
	.close_name = gql_close_name,
	.typed = gql_typed,
};
