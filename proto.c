/*
 * proto.c - the protocol layer (see proto.h): the table of protocols, the
 * per-connection state, and what every protocol shares: whole messages
 * and lines collected, events shown, violations named.
 *
 * A protocol that is in the table works: --proto accepts exactly the
 * names below, so a name is added with its implementation.
 */
#include <stdarg.h>
#include <stdalign.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "exit.h"
#include "frame.h"
#include "graphqlproto.h"
#include "mqttproto.h"
#include "opts.h"
#include "proto.h"
#include "record.h"
#include "show.h"
#include "sio.h"
#include "stompproto.h"
#include "term.h"
#include "view.h"

/* each protocol once, ended by NULL */
static const struct proto *const protocols[] = {
	&sio_proto,
	&proto_graphql,
	&stomp_proto,
	&mqtt_proto,
	NULL,
};

/* --proto auto: what a negotiated subprotocol means, for the protocols
 * in the table (by name, so that the list stays right as they come) */
static const struct {
	const char *subprotocol;
	const char *proto;
} by_subprotocol[] = {
	{ "graphql-transport-ws", "graphql" },
	{ "graphql-ws", "graphql" },
	{ "v10.stomp", "stomp" },
	{ "v11.stomp", "stomp" },
	{ "v12.stomp", "stomp" },
	{ "mqtt", "mqtt" },
};

struct proto_conn {
	const struct proto *p;
	struct conn *c;
	int watch;                 /* relay mode: decode and show only */
	double *last_at;           /* ... the pair's log */
	int mute;                  /* nothing more is shown (-n, --until) */
	unsigned violations;       /* rules the peer broke */
	unsigned failures;         /* operations it ended with an error */
	int events;                /* stdout lines of the current message */
	uint8_t *msg;              /* the message being received */
	size_t len, cap;
	uint64_t size;             /* all of it */
	uint8_t *line;             /* the stdin line being read */
	size_t llen, lcap;
	int lskip;                 /* ... too long: refused */
	char *last;                /* the last stdout line, for --until */
	size_t lastcap;
	char *subprotocol;         /* agreed in the upgrade, or NULL */
	char *rec_where;           /* --record: where the client's lines
				      went last (proto_record_sent_to) */
	uint64_t tag;              /* of what is sent for the line being
				      given to the protocol */
	struct proto_conn *peer;   /* relay mode: the pair's other side */
	void (*sink)(void *, const uint8_t *, size_t); /* --test: takes the
				      stdout lines, nothing is shown */
	void *sink_ud;
	alignas(max_align_t) unsigned char state[]; /* the protocol's */
};

/* ------------------------------------------------------------ choosing */

int
proto_find(const char *name, const struct proto **p, char *names, size_t cap)
{
	size_t o;

	*p = NULL;
	if (!strcmp(name, "raw") || !strcmp(name, "auto"))
		return 0;
	for (size_t i = 0; protocols[i]; i++)
		if (!strcmp(name, protocols[i]->name)) {
			*p = protocols[i];
			return 0;
		}
	o = (size_t)snprintf(names, cap, "raw, auto");
	for (size_t i = 0; protocols[i] && o < cap; i++)
		o += (size_t)snprintf(names + o, cap - o, ", %s",
		    protocols[i]->name);
	return -1;
}

const struct proto *
proto_for_subprotocol(const char *subprotocol)
{
	const struct proto *p;
	char names[256];

	if (subprotocol == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof by_subprotocol / sizeof
	    by_subprotocol[0]; i++)
		if (!strcmp(subprotocol, by_subprotocol[i].subprotocol) &&
		    proto_find(by_subprotocol[i].proto, &p, names,
		    sizeof names) == 0)
			return p;
	return NULL;
}

const struct proto *
proto_chosen(const char *subprotocol)
{
	if (proto_opt.is_auto)
		return proto_for_subprotocol(subprotocol && *subprotocol ?
		    subprotocol : NULL);
	return proto_opt.proto;
}

const char *const *
proto_offered(void)
{
	return proto_opt.proto ? proto_opt.proto->subprotocols : NULL;
}

const char *
proto_url(const char *url, char *buf, size_t cap)
{
	const struct proto *p = proto_opt.proto;

	if (p && p->url && p->url(url, buf, cap))
		return buf;
	return url;
}

/* ------------------------------------------------------ the connection */

struct proto_conn *
proto_conn_new(const struct proto *p, struct conn *c, int watch)
{
	struct proto_conn *pc;

	if (p == NULL)
		return NULL;
	pc = xrealloc(NULL, sizeof *pc + p->state);
	memset(pc, 0, sizeof *pc + p->state);
	pc->p = p;
	pc->c = c;
	pc->watch = watch;
	return pc;
}

unsigned
proto_violations(const struct proto_conn *pc)
{
	return pc ? pc->violations : 0;
}

void
proto_set_subprotocol(struct proto_conn *pc, const char *subprotocol)
{
	size_t n;

	if (pc == NULL)
		return;
	free(pc->subprotocol);
	pc->subprotocol = NULL;
	if (subprotocol == NULL)
		return;
	n = strlen(subprotocol) + 1;
	pc->subprotocol = xrealloc(NULL, n);
	memcpy(pc->subprotocol, subprotocol, n);
}

void
proto_pair(struct proto_conn *a, struct proto_conn *b)
{
	if (a == NULL || b == NULL)
		return;
	a->peer = b;
	b->peer = a;
}

struct proto_conn *
proto_peer(const struct proto_conn *pc)
{
	return pc ? pc->peer : NULL;
}

const char *
proto_subprotocol(const struct proto_conn *pc)
{
	return pc->subprotocol;
}

void
proto_watch_log(struct proto_conn *pc, double *last_at)
{
	if (pc)
		pc->last_at = last_at;
}

void
proto_conn_free(struct proto_conn *pc)
{
	if (pc == NULL)
		return;
	if (pc->p->end)
		pc->p->end(pc);
	free(pc->msg);
	free(pc->line);
	free(pc->last);
	free(pc->subprotocol);
	free(pc->rec_where);
	if (pc->peer)
		pc->peer->peer = NULL;
	free(pc);
}

void
proto_set_sink(struct proto_conn *pc, void (*fn)(void *ud, const uint8_t *p,
    size_t n), void *ud)
{
	pc->sink = fn;
	pc->sink_ud = ud;
}

void
proto_open(struct proto_conn *pc)
{
	if (pc && pc->sink == NULL)
		record_proto(conn_id(pc->c), pc->p->name);
	if (pc && pc->p->open)
		pc->p->open(pc);
}

void
proto_message_begin(struct proto_conn *pc)
{
	pc->len = 0;
	pc->size = 0;
}

void
proto_message_data(struct proto_conn *pc, const uint8_t *p, size_t n)
{
	size_t k = n;

	pc->size += n;
	if (pc->len + k > PROTO_MSG_MAX)
		k = PROTO_MSG_MAX - pc->len;
	if (k == 0)
		return;
	if (pc->len + k + 1 > pc->cap) {
		size_t cap = pc->cap ? pc->cap : 256;

		while (cap < pc->len + k + 1)
			cap *= 2;
		pc->msg = xrealloc(pc->msg, cap);
		pc->cap = cap;
	}
	memcpy(pc->msg + pc->len, p, k);
	pc->len += k;
}

int
proto_message_end(struct proto_conn *pc, int shown)
{
	pc->mute = !shown;
	pc->events = 0;
	if (pc->msg == NULL) { /* nothing came yet */
		pc->cap = 256;
		pc->msg = xrealloc(NULL, pc->cap);
	}
	pc->msg[pc->len] = '\0'; /* a spare byte: text reads as a string */
	/* After a broken rule the connection is closing with the error:
	 * what the peer sends meanwhile is no longer read as the protocol
	 * (it would be a second violation, or output after the error). A
	 * relay reports and goes on. */
	if (pc->violations > 0 && !pc->watch)
		return 0;
	if (pc->p->message)
		pc->p->message(pc, conn_in(pc->c)->opcode, pc->msg, pc->len,
		    pc->size);
	/* a large message's memory goes back */
	if (pc->cap > 64 * 1024) {
		free(pc->msg);
		pc->msg = NULL;
		pc->cap = 0;
	}
	return pc->events;
}

const char *
proto_last_line(const struct proto_conn *pc)
{
	return pc && pc->last ? pc->last : NULL;
}

/* A whole line in pc->line (llen bytes, room for a NUL after them). */
static int
line_whole(struct proto_conn *pc, const char *what, uint64_t tag)
{
	char why[256];
	size_t bad;
	int rc = 0;

	if (!ws_utf8_valid(pc->line, pc->llen, &bad)) {
		diag("%s: not valid UTF-8 at byte %zu; not sent", what,
		    bad + 1);
		rc = -1;
	} else if (pc->llen == 0) {
		rc = 0; /* an empty line means nothing */
	} else if (pc->p->line == NULL) {
		diag("%s: %s gives no meaning to stdin lines; not sent",
		    what, pc->p->name);
		rc = -1;
	} else {
		if (pc->line == NULL)
			pc->line = xrealloc(NULL, pc->lcap = 256);
		pc->line[pc->llen] = '\0';
		why[0] = '\0';
		pc->tag = tag;
		if (pc->p->line(pc, pc->line, pc->llen, why, sizeof why) != 0) {
			diag("%s: %s; not sent", what, why);
			rc = -1;
		}
		pc->tag = 0;
	}
	pc->llen = 0;
	pc->lskip = 0;
	return rc;
}

static void
line_add(struct proto_conn *pc, const uint8_t *p, size_t n)
{
	if (pc->llen + n + 1 > pc->lcap) {
		size_t cap = pc->lcap ? pc->lcap : 256;

		while (cap < pc->llen + n + 1)
			cap *= 2;
		pc->line = xrealloc(pc->line, cap);
		pc->lcap = cap;
	}
	memcpy(pc->line + pc->llen, p, n);
	pc->llen += n;
}

int
proto_line_piece(struct proto_conn *pc, uint64_t lineno, const uint8_t *p,
    size_t n, int fin)
{
	char what[32];

	if (!pc->lskip && pc->llen + n > PROTO_LINE_MAX) {
		pc->lskip = 1;
		diag("line %" PRIu64 ": longer than %u MiB; not sent", lineno,
		    PROTO_LINE_MAX >> 20);
	}
	if (!pc->lskip && n > 0)
		line_add(pc, p, n);
	if (!fin)
		return 0;
	if (pc->lskip) {
		pc->llen = 0;
		pc->lskip = 0;
		return -1;
	}
	snprintf(what, sizeof what, "line %" PRIu64, lineno);
	return line_whole(pc, what, lineno);
}

int
proto_line(struct proto_conn *pc, const char *what, uint64_t tag,
    const uint8_t *p, size_t n)
{
	if (n > PROTO_LINE_MAX) {
		diag("%s: longer than %u MiB; not sent", what,
		    PROTO_LINE_MAX >> 20);
		return -1;
	}
	pc->llen = 0;
	line_add(pc, p, n);
	return line_whole(pc, what, tag);
}

int
proto_running(struct proto_conn *pc, uint64_t tag)
{
	return pc && pc->p->running && pc->p->running(pc, tag);
}

int
proto_check_line(const struct proto *p, const uint8_t *line, size_t n,
    char *why, size_t cap)
{
	size_t bad;

	if (!ws_utf8_valid(line, n, &bad)) {
		snprintf(why, cap, "not valid UTF-8 at byte %zu", bad + 1);
		return -1;
	}
	if (n > PROTO_LINE_MAX) {
		snprintf(why, cap, "longer than %u MiB", PROTO_LINE_MAX >> 20);
		return -1;
	}
	if (p == NULL || n == 0)
		return 0;
	if (p->line == NULL) {
		snprintf(why, cap, "%s gives no meaning to lines", p->name);
		return -1;
	}
	if (p->check == NULL)
		return 0;
	return p->check(line, n, why, cap);
}

void
proto_typed(struct proto_conn *pc, unsigned opcode, const uint8_t *p,
    size_t n)
{
	if (pc && pc->p->typed)
		pc->p->typed(pc, opcode, p, n);
}

int
proto_ready(struct proto_conn *pc)
{
	return pc == NULL || pc->p->ready == NULL || pc->p->ready(pc);
}

int
proto_due(struct proto_conn *pc)
{
	return pc == NULL || pc->p->due == NULL ? 0 : pc->p->due(pc);
}

int
proto_bye(struct proto_conn *pc)
{
	if (pc == NULL || pc->watch || pc->p->bye == NULL ||
	    conn_done(pc->c))
		return 0;
	return pc->p->bye(pc);
}

unsigned
proto_failures(const struct proto_conn *pc)
{
	return pc ? pc->failures : 0;
}

void
proto_failed(struct proto_conn *pc)
{
	pc->failures++;
}

int
proto_command(struct proto_conn *pc, const char *name, const char *arg)
{
	if (pc == NULL || pc->p->command == NULL)
		return -1;
	return pc->p->command(pc, name, arg);
}

const char *const *
proto_help(const struct proto_conn *pc)
{
	return pc ? pc->p->help : NULL;
}

int
proto_has_command(const char *name)
{
	const char *const *h = proto_opt.proto ? proto_opt.proto->help : NULL;
	size_t n = strlen(name);

	for (; h && h[0]; h += 2)
		if (h[0][0] == '/' && !strncmp(h[0] + 1, name, n) &&
		    (h[0][n + 1] == ' ' || h[0][n + 1] == '\0'))
			return 1;
	return 0;
}

const char *const *
proto_help_with(const char *const *mode)
{
	static const char **merged;
	const char *const *own = proto_opt.proto ? proto_opt.proto->help :
	    NULL;
	size_t n = 0, k = 0;

	if (own == NULL)
		return mode;
	while (mode && mode[n])
		n++;
	while (own[k])
		k++;
	free(merged);
	merged = xrealloc(NULL, (n + k + 1) * sizeof *merged);
	for (size_t i = 0; i < n; i++)
		merged[i] = mode[i];
	for (size_t i = 0; i < k; i++)
		merged[n + i] = own[i];
	merged[n + k] = NULL;
	return merged;
}

const struct proto *
proto_of(const struct proto_conn *pc)
{
	return pc ? pc->p : NULL;
}

/* -------------------------------------------------- for the protocols */

void *
proto_state(struct proto_conn *pc)
{
	return pc->state;
}

uint64_t
proto_line_tag(const struct proto_conn *pc)
{
	return pc->tag;
}

struct conn *
proto_conn(struct proto_conn *pc)
{
	return pc->c;
}

int
proto_watching(const struct proto_conn *pc)
{
	return pc->watch;
}

int
proto_send(struct proto_conn *pc, unsigned opcode, const uint8_t *p,
    size_t n)
{
	if (pc->watch || conn_done(pc->c) || conn_close_sent(pc->c))
		return -1;
	return conn_send_data(pc->c, opcode, p, n, 1, pc->tag);
}

void
proto_show(struct proto_conn *pc, char dir, const struct show_proto *e)
{
	struct show_proto ev = *e;

	/* what a client writes on stdout for it is what --test matches */
	if (dir == '<' && ev.line && !ev.keepalive && pc->sink == NULL &&
	    conn_role(pc->c) == WS_ROLE_CLIENT && record_on())
		record_line(conn_id(pc->c), '<', ev.line, ev.nline);
	if (dir == '<' && pc->mute)
		return;
	if (pc->sink) {
		if (dir == '<' && ev.line && !ev.keepalive) {
			pc->events++;
			pc->sink(pc->sink_ud, ev.line, ev.nline);
		}
		return;
	}
	ev.proto = pc->p->name;
	ev.last_at = pc->last_at;
	if (ev.line && dir == '<') {
		pc->events++;
		if (opt.until) {
			if (pc->lastcap < ev.nline + 1) {
				pc->last = xrealloc(pc->last, ev.nline + 1);
				pc->lastcap = ev.nline + 1;
			}
			memcpy(pc->last, ev.line, ev.nline);
			pc->last[ev.nline] = '\0';
		}
	}
	show_proto(pc->c, dir, &ev, pc->watch);
}

void
proto_record_sent(struct proto_conn *pc, const uint8_t *p, size_t n)
{
	if (pc->sink == NULL && record_on())
		record_line(conn_id(pc->c), '>', p, n);
}

void
proto_record_sent_to(struct proto_conn *pc, const char *option,
    const char *where, const uint8_t *p, size_t n)
{
	char note[600];
	size_t k;

	if (pc->sink || !record_on())
		return;
	if (where == NULL)
		where = "";
	/* a line goes where the option says: said whenever it changes */
	if (pc->rec_where == NULL || strcmp(pc->rec_where, where)) {
		snprintf(note, sizeof note, "the lines below went to %s %.500s "
		    "(give it to --test)", option, where);
		record_comment(conn_id(pc->c), note);
		free(pc->rec_where);
		k = strlen(where) + 1;
		pc->rec_where = xrealloc(NULL, k);
		memcpy(pc->rec_where, where, k);
	}
	record_line(conn_id(pc->c), '>', p, n);
}

void
proto_record_note(struct proto_conn *pc, const char *text)
{
	if (pc->sink == NULL && record_on())
		record_comment(conn_id(pc->c), text);
}

void
proto_record_got(struct proto_conn *pc, const uint8_t *p, size_t n)
{
	if (pc->sink == NULL && record_on() && !pc->watch &&
	    conn_role(pc->c) != WS_ROLE_CLIENT)
		record_line(conn_id(pc->c), '<', p, n);
}

void
proto_violation(struct proto_conn *pc, unsigned code, const char *fmt, ...)
{
	char msg[512], why[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pc->violations++;
	if (pc->watch) {
		show_proto_violation(pc->c, pc->last_at, pc->p->name, msg);
		return;
	}
	if (conn_done(pc->c))
		return;
	diag("%s%s protocol error: %s; closing with %u %s",
	    conn_label(pc->c), pc->p->name, msg, code,
	    conn_close_name(pc->c, code));
	snprintf(why, sizeof why, "%s protocol error: %s", pc->p->name, msg);
	conn_fail(pc->c, code, EXIT_PROTOCOL, why);
}

void
proto_end(struct proto_conn *pc, unsigned code, int exit, const char *why)
{
	if (pc->watch || conn_done(pc->c))
		return;
	conn_fail(pc->c, code, exit, why);
}

void
proto_finish(struct proto_conn *pc, unsigned code, int exit,
    const char *why)
{
	if (pc->watch || conn_done(pc->c))
		return;
	conn_finish(pc->c, code, exit, why);
}

void
proto_expect_end(struct proto_conn *pc, const char *after)
{
	conn_expect_end(pc->c, after);
	if (pc->watch && pc->peer)
		conn_expect_end(pc->peer->c, after);
}

void
proto_reply(int error, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	view_reply(error, msg);
}
