/*
 * graphql.c - GraphQL over WebSocket; the contract is in graphql.h.
 *
 * The JSON here is only ever scanned, never decoded into values: a
 * message is validated once by a recursive-descent skipper (RFC 8259,
 * nesting bounded) and its members are found as spans of the received
 * bytes. Keys are compared as they are written, escapes and all, which is
 * how every server writes "type", "id" and "payload".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "display.h"
#include "exit.h"
#include "frame.h"
#include "graphql.h"
#include "loop.h"
#include "opts.h"
#include "proto.h"
#include "show.h"
#include "term.h"

#define MAX_DEPTH 64

/* ------------------------------------------------------------- scanning */

static size_t
skip_blank(const uint8_t *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
	    p[i] == '\r'))
		i++;
	return i;
}

static int
is_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* p[*i] is the opening quote; on success *i is past the closing one. */
static int
skip_string(const uint8_t *p, size_t n, size_t *i)
{
	size_t k = *i + 1;

	while (k < n) {
		uint8_t c = p[k];

		if (c == '"') {
			*i = k + 1;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			k++;
			continue;
		}
		if (++k >= n)
			return -1;
		switch (p[k]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			k++;
			break;
		case 'u':
			if (n - k < 5 || !is_hex(p[k + 1]) || !is_hex(p[k + 2]) ||
			    !is_hex(p[k + 3]) || !is_hex(p[k + 4]))
				return -1;
			k += 5;
			break;
		default:
			return -1;
		}
	}
	return -1;
}

static int
skip_digits(const uint8_t *p, size_t n, size_t *i)
{
	size_t k = *i;

	while (k < n && p[k] >= '0' && p[k] <= '9')
		k++;
	if (k == *i)
		return -1;
	*i = k;
	return 0;
}

static int
skip_number(const uint8_t *p, size_t n, size_t *i)
{
	size_t k = *i;

	if (k < n && p[k] == '-')
		k++;
	if (k < n && p[k] == '0')
		k++;
	else if (skip_digits(p, n, &k) < 0)
		return -1;
	if (k < n && p[k] == '.') {
		k++;
		if (skip_digits(p, n, &k) < 0)
			return -1;
	}
	if (k < n && (p[k] == 'e' || p[k] == 'E')) {
		k++;
		if (k < n && (p[k] == '+' || p[k] == '-'))
			k++;
		if (skip_digits(p, n, &k) < 0)
			return -1;
	}
	*i = k;
	return 0;
}

static int
skip_word(const uint8_t *p, size_t n, size_t *i, const char *w)
{
	size_t len = strlen(w);

	if (n - *i < len || memcmp(p + *i, w, len) != 0)
		return -1;
	*i += len;
	return 0;
}

/* One value at p[*i] (no blanks before it); *i past it. */
static int
skip_value(const uint8_t *p, size_t n, size_t *i, int depth,
    enum gql_json *kind)
{
	enum gql_json dummy;

	if (kind == NULL)
		kind = &dummy;
	if (*i >= n)
		return -1;
	switch (p[*i]) {
	case '"':
		*kind = GQL_J_STRING;
		return skip_string(p, n, i);
	case 't':
		*kind = GQL_J_BOOL;
		return skip_word(p, n, i, "true");
	case 'f':
		*kind = GQL_J_BOOL;
		return skip_word(p, n, i, "false");
	case 'n':
		*kind = GQL_J_NULL;
		return skip_word(p, n, i, "null");
	case '{':
	case '[': {
		int obj = p[*i] == '{';
		uint8_t end = obj ? '}' : ']';
		size_t k;

		*kind = obj ? GQL_J_OBJECT : GQL_J_ARRAY;
		if (depth >= MAX_DEPTH)
			return -1;
		k = skip_blank(p, n, *i + 1);
		if (k < n && p[k] == end) {
			*i = k + 1;
			return 0;
		}
		for (;;) {
			if (obj) {
				if (k >= n || p[k] != '"' ||
				    skip_string(p, n, &k) < 0)
					return -1;
				k = skip_blank(p, n, k);
				if (k >= n || p[k] != ':')
					return -1;
				k = skip_blank(p, n, k + 1);
			}
			if (skip_value(p, n, &k, depth + 1, NULL) < 0)
				return -1;
			k = skip_blank(p, n, k);
			if (k >= n)
				return -1;
			if (p[k] == end) {
				*i = k + 1;
				return 0;
			}
			if (p[k] != ',')
				return -1;
			k = skip_blank(p, n, k + 1);
		}
	}
	default:
		*kind = GQL_J_NUMBER;
		return skip_number(p, n, i);
	}
}

enum gql_json
gql_json_kind(const uint8_t *p, size_t n)
{
	enum gql_json kind;
	size_t i = skip_blank(p, n, 0);

	if (skip_value(p, n, &i, 0, &kind) < 0)
		return GQL_J_ABSENT;
	return skip_blank(p, n, i) == n ? kind : GQL_J_ABSENT;
}

/* The last member named key wins, as with JSON.parse. */
enum gql_json
gql_member(const uint8_t *obj, size_t n, const char *key,
    const uint8_t **val, size_t *len)
{
	size_t klen = strlen(key), i = skip_blank(obj, n, 0);
	enum gql_json found = GQL_J_ABSENT;

	*val = NULL;
	*len = 0;
	if (i >= n || obj[i] != '{')
		return GQL_J_ABSENT;
	i = skip_blank(obj, n, i + 1);
	while (i < n && obj[i] == '"') {
		size_t k0 = i + 1, v0;
		int match;
		enum gql_json kind;

		if (skip_string(obj, n, &i) < 0)
			return GQL_J_ABSENT;
		match = i - 1 - k0 == klen && memcmp(obj + k0, key, klen) == 0;
		i = skip_blank(obj, n, i);
		if (i >= n || obj[i] != ':')
			return GQL_J_ABSENT;
		v0 = i = skip_blank(obj, n, i + 1);
		if (skip_value(obj, n, &i, 1, &kind) < 0)
			return GQL_J_ABSENT;
		if (match) {
			found = kind;
			if (kind == GQL_J_STRING) {
				*val = obj + v0 + 1;
				*len = i - v0 - 2;
			} else {
				*val = obj + v0;
				*len = i - v0;
			}
		}
		i = skip_blank(obj, n, i);
		if (i < n && obj[i] == ',')
			i = skip_blank(obj, n, i + 1);
	}
	return found;
}

size_t
gql_compact(char *out, size_t cap, const uint8_t *p, size_t n)
{
	size_t o = 0;
	int in_str = 0, esc = 0;

	for (size_t i = 0; i < n && o < cap; i++) {
		uint8_t c = p[i];

		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			continue;
		} else if (c == '"') {
			in_str = 1;
		}
		out[o++] = (char)c;
	}
	return o;
}

/* ---------------------------------------------------------------- names */

static const struct {
	enum gql_type t;
	const char *tws, *legacy;
} names[] = {
	{ GQL_T_CONNECTION_INIT, "connection_init", "connection_init" },
	{ GQL_T_CONNECTION_ACK, "connection_ack", "connection_ack" },
	{ GQL_T_PING, "ping", NULL },
	{ GQL_T_PONG, "pong", NULL },
	{ GQL_T_SUBSCRIBE, "subscribe", "start" },
	{ GQL_T_NEXT, "next", "data" },
	{ GQL_T_ERROR, "error", "error" },
	{ GQL_T_COMPLETE, "complete", "complete" },
	{ GQL_T_COMPLETE, NULL, "stop" },
	{ GQL_T_KA, NULL, "ka" },
	{ GQL_T_CONNECTION_ERROR, NULL, "connection_error" },
	{ GQL_T_TERMINATE, NULL, "connection_terminate" },
};

const char *
gql_type_name(enum gql_dialect d, enum gql_type t, int client)
{
	if (d == GQL_LEGACY && t == GQL_T_COMPLETE && client)
		return "stop";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].t == t)
			return d == GQL_LEGACY ? names[i].legacy :
			    names[i].tws;
	return NULL;
}

static enum gql_type
type_of(enum gql_dialect d, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *w = d == GQL_LEGACY ? names[i].legacy :
		    names[i].tws;

		if (w != NULL && strlen(w) == n && memcmp(w, s, n) == 0)
			return names[i].t;
	}
	return GQL_T_UNKNOWN;
}

const char *
gql_close_name(unsigned code)
{
	switch (code) {
	case 4004: return "Bad response";
	case 4005: return "Internal client error";
	case 4400: return "Bad request";
	case 4401: return "Unauthorized";
	case 4403: return "Forbidden";
	case 4406: return "Subprotocol not acceptable";
	case 4408: return "Connection initialisation timeout";
	case 4409: return "Subscriber already exists";
	case 4429: return "Too many initialisation requests";
	case 4499: return "Terminated";
	case 4500: return "Internal server error";
	case 4504: return "Connection acknowledgement timeout";
	}
	return NULL;
}

/* -------------------------------------------------------------- parsing */

/* A member's value: the span of a string is between its quotes. */
static void
set_span(const uint8_t *p, size_t v0, size_t v1, enum gql_json kind,
    const uint8_t **val, size_t *len, enum gql_json *k)
{
	*k = kind;
	*val = p + v0 + (kind == GQL_J_STRING);
	*len = v1 - v0 - 2 * (kind == GQL_J_STRING);
}

/* One pass over a message that should be an object: validated, and its
 * three members found (the last of a name wins). -1 if it is not one
 * valid JSON object. */
static int
walk_message(const uint8_t *p, size_t n, struct gql_msg *m,
    enum gql_json *tkind)
{
	size_t i = skip_blank(p, n, 0);

	if (i >= n || p[i] != '{')
		return -1;
	i = skip_blank(p, n, i + 1);
	if (i < n && p[i] == '}') {
		i++;
		goto end;
	}
	for (;;) {
		size_t k0 = i + 1, klen, v0;
		enum gql_json kind;

		if (i >= n || p[i] != '"' || skip_string(p, n, &i) < 0)
			return -1;
		klen = i - 1 - k0;
		i = skip_blank(p, n, i);
		if (i >= n || p[i] != ':')
			return -1;
		v0 = i = skip_blank(p, n, i + 1);
		if (skip_value(p, n, &i, 1, &kind) < 0)
			return -1;
		if (klen == 4 && !memcmp(p + k0, "type", 4))
			set_span(p, v0, i, kind, &m->tname, &m->tname_len,
			    tkind);
		else if (klen == 2 && !memcmp(p + k0, "id", 2))
			set_span(p, v0, i, kind, &m->id, &m->id_len,
			    &m->id_kind);
		else if (klen == 7 && !memcmp(p + k0, "payload", 7))
			set_span(p, v0, i, kind, &m->payload, &m->payload_len,
			    &m->payload_kind);
		i = skip_blank(p, n, i);
		if (i < n && p[i] == ',') {
			i = skip_blank(p, n, i + 1);
			continue;
		}
		if (i < n && p[i] == '}') {
			i++;
			break;
		}
		return -1;
	}
end:
	return skip_blank(p, n, i) == n ? 0 : -1;
}

int
gql_parse(enum gql_dialect d, const uint8_t *p, size_t n, struct gql_msg *m,
    const char **why)
{
	enum gql_json tkind = GQL_J_ABSENT;

	memset(m, 0, sizeof *m);
	if (walk_message(p, n, m, &tkind) < 0) {
		*why = gql_json_kind(p, n) == GQL_J_ABSENT ?
		    "a message that is not JSON" :
		    "a message that is not a JSON object";
		memset(m, 0, sizeof *m);
		return -1;
	}
	if (tkind == GQL_J_ABSENT) {
		*why = "a message without a \"type\"";
		return -1;
	}
	if (tkind != GQL_J_STRING) {
		*why = "a message whose \"type\" is not a string";
		return -1;
	}
	m->type = type_of(d, m->tname, m->tname_len);
	if (m->id_kind != GQL_J_STRING) {
		m->id = NULL;
		m->id_len = 0;
	}
	if (m->payload_kind == GQL_J_STRING) {
		/* the whole value, quotes included, for the display */
		m->payload--;
		m->payload_len += 2;
	}
	return 0;
}

/* ------------------------------------------------------------- building */

struct buf {
	char *p;
	size_t cap, len;
	int over;
};

static void
put(struct buf *b, const void *s, size_t n)
{
	if (b->over || b->cap - b->len < n) {
		b->over = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* s as a JSON string, quotes included. */
static void
put_jstring(struct buf *b, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': put(b, "\\\"", 2); break;
		case '\\': put(b, "\\\\", 2); break;
		case '\n': put(b, "\\n", 2); break;
		case '\r': put(b, "\\r", 2); break;
		case '\t': put(b, "\\t", 2); break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(b, esc, 6);
		}
	}
	put(b, s + run, n - run);
	put(b, "\"", 1);
}

long
gql_build(char *out, size_t cap, enum gql_dialect d, enum gql_type t,
    int client, const char *id, const uint8_t *payload, size_t plen)
{
	struct buf b = { out, cap, 0, 0 };
	const char *name = gql_type_name(d, t, client);

	if (name == NULL)
		return -1;
	puts_(&b, "{\"type\":\"");
	puts_(&b, name);
	puts_(&b, "\"");
	if (id != NULL) {
		puts_(&b, ",\"id\":");
		put_jstring(&b, (const uint8_t *)id, strlen(id));
	}
	if (payload != NULL) {
		puts_(&b, ",\"payload\":");
		put(&b, payload, plen);
	}
	puts_(&b, "}");
	return b.over ? -1 : (long)b.len;
}

long
gql_operation(char *out, size_t cap, const uint8_t *p, size_t n,
    const char **why)
{
	struct buf b = { out, cap, 0, 0 };
	size_t i = skip_blank(p, n, 0), e = n;
	const uint8_t *q;
	size_t qlen;

	while (e > i && (p[e - 1] == ' ' || p[e - 1] == '\t' ||
	    p[e - 1] == '\n' || p[e - 1] == '\r'))
		e--;
	if (i == e) {
		*why = "an empty operation";
		return -1;
	}
	/* A GraphQL document never starts with '{' followed by a string:
	 * '{ "' is JSON, '{ field }' is a query shorthand. */
	if (p[i] == '{' && skip_blank(p, e, i + 1) < e &&
	    p[skip_blank(p, e, i + 1)] == '"') {
		if (gql_json_kind(p + i, e - i) != GQL_J_OBJECT) {
			*why = "an operation in JSON that is not a valid "
			    "JSON object";
			return -1;
		}
		if (gql_member(p + i, e - i, "query", &q, &qlen) !=
		    GQL_J_STRING) {
			*why = "an operation in JSON without a \"query\" "
			    "string";
			return -1;
		}
		put(&b, p + i, e - i);
	} else {
		puts_(&b, "{\"query\":");
		put_jstring(&b, p + i, e - i);
		puts_(&b, "}");
	}
	if (b.over) {
		*why = "an operation too long";
		return -1;
	}
	return (long)b.len;
}

/* -------------------------------------------------------------- session */

void
gql_sess_init(struct gql_sess *s, enum gql_dialect d)
{
	memset(s, 0, sizeof *s);
	s->dialect = d;
	s->next_id = 1;
}

void
gql_sess_free(struct gql_sess *s)
{
	for (size_t i = 0; i < s->nops; i++)
		free(s->ops[i].id);
	free(s->ops);
	s->ops = NULL;
	s->nops = s->cap = s->active = 0;
}

size_t
gql_sess_active(const struct gql_sess *s)
{
	return s->active;
}

/* The most recent operation with that id: ids are reused only once
 * their operation is over, so the last one is the one meant. */
static struct gql_op *
find_op(struct gql_sess *s, const uint8_t *id, size_t n)
{
	for (size_t i = s->nops; i-- > 0;)
		if (strlen(s->ops[i].id) == n &&
		    memcmp(s->ops[i].id, id, n) == 0)
			return &s->ops[i];
	return NULL;
}

static int
add_op(struct gql_sess *s, const uint8_t *id, size_t n)
{
	struct gql_op *op = find_op(s, id, n);
	char *copy;

	if (op != NULL) {
		op->state = GQL_OP_ACTIVE;
		s->active++;
		return 0;
	}
	if (s->nops == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct gql_op *ops = realloc(s->ops, cap * sizeof *ops);

		if (ops == NULL)
			return -1;
		s->ops = ops;
		s->cap = cap;
	}
	if ((copy = malloc(n + 1)) == NULL)
		return -1;
	memcpy(copy, id, n);
	copy[n] = '\0';
	s->ops[s->nops].id = copy;
	s->ops[s->nops].state = GQL_OP_ACTIVE;
	s->nops++;
	s->active++;
	return 0;
}

static void
end_op(struct gql_sess *s, struct gql_op *op, enum gql_op_state to)
{
	if (op->state == GQL_OP_ACTIVE)
		s->active--;
	op->state = to;
}

/* The id for a message: printable, cut short. */
static void
show_id(char *out, size_t cap, const uint8_t *id, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 4 < cap; i++)
		out[o++] = id[i] >= 0x20 && id[i] < 0x7f ? (char)id[i] : '?';
	if (o + 4 >= cap && n > o) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static void
violate(struct gql_event *ev, unsigned code, const char *fmt, const char *a,
    const char *b)
{
	ev->violation = 1;
	ev->close_code = code;
	snprintf(ev->why, sizeof ev->why, fmt, a, b);
}

/* ping, pong, connection_init and connection_ack: an object or nothing. */
static int
payload_optional_object(const struct gql_msg *m)
{
	return m->payload_kind == GQL_J_ABSENT ||
	    m->payload_kind == GQL_J_NULL || m->payload_kind == GQL_J_OBJECT;
}

/* A non-empty array of objects, each with a "message". */
static int
graphql_errors(const uint8_t *p, size_t n)
{
	size_t i = skip_blank(p, n, 0), count = 0;

	if (i >= n || p[i] != '[')
		return 0;
	i = skip_blank(p, n, i + 1);
	while (i < n && p[i] != ']') {
		size_t v0 = i;
		enum gql_json kind;
		const uint8_t *msg;
		size_t mlen;

		if (skip_value(p, n, &i, 1, &kind) < 0 ||
		    kind != GQL_J_OBJECT ||
		    gql_member(p + v0, i - v0, "message", &msg, &mlen) ==
		    GQL_J_ABSENT)
			return 0;
		count++;
		i = skip_blank(p, n, i);
		if (i < n && p[i] == ',')
			i = skip_blank(p, n, i + 1);
	}
	return count > 0;
}

/* next, error and complete from the server. */
static int
server_result(struct gql_sess *s, struct gql_event *ev, const char *name,
    const char *idtxt)
{
	const struct gql_msg *m = &ev->m;
	struct gql_op *op;

	if (!s->acked) {
		violate(ev, 4400, "%s before connection_ack", name, NULL);
		return 0;
	}
	if (m->id == NULL || m->id_len == 0) {
		violate(ev, 4400, "%s without an id", name, NULL);
		return 0;
	}
	op = find_op(s, m->id, m->id_len);
	if (op == NULL) {
		violate(ev, 4400, "%s for unknown id \"%s\"", name, idtxt);
		return 0;
	}
	if (op->state == GQL_OP_DONE) {
		violate(ev, 4400, "%s for id \"%s\" after it ended", name,
		    idtxt);
		return 0;
	}
	if (m->type == GQL_T_NEXT && m->payload_kind != GQL_J_OBJECT) {
		violate(ev, 4400, "%s whose payload is not an object", name,
		    NULL);
		return 0;
	}
	if (m->type == GQL_T_ERROR && s->dialect == GQL_TWS &&
	    !graphql_errors(m->payload, m->payload_len)) {
		violate(ev, 4400, "%s whose payload is not a list of GraphQL "
		    "errors", name, NULL);
		return 0;
	}
	if (op->state == GQL_OP_CANCELLED)
		ev->late = 1;
	if (m->type != GQL_T_NEXT) {
		ev->op_ended = op->state == GQL_OP_ACTIVE;
		end_op(s, op, GQL_OP_DONE);
	}
	return 0;
}

static int
client_subscribe(struct gql_sess *s, struct gql_event *ev, const char *name,
    const char *idtxt)
{
	const struct gql_msg *m = &ev->m;
	const uint8_t *q;
	size_t qlen;
	struct gql_op *op;

	if (!s->init || (s->dialect == GQL_TWS && !s->acked)) {
		violate(ev, 4401, "%s before connection_ack", name, NULL);
		return 0;
	}
	if (m->id == NULL || m->id_len == 0) {
		violate(ev, 4400, "%s without an id", name, NULL);
		return 0;
	}
	if (m->payload_kind != GQL_J_OBJECT ||
	    gql_member(m->payload, m->payload_len, "query", &q, &qlen) !=
	    GQL_J_STRING) {
		violate(ev, 4400, "%s whose payload has no \"query\" string",
		    name, NULL);
		return 0;
	}
	op = find_op(s, m->id, m->id_len);
	if (op != NULL && op->state == GQL_OP_ACTIVE) {
		violate(ev, 4409, "%s for id \"%s\", which is already running",
		    name, idtxt);
		return 0;
	}
	return add_op(s, m->id, m->id_len);
}

int
gql_sess_recv(struct gql_sess *s, int from_server, const uint8_t *p,
    size_t n, struct gql_event *ev)
{
	const struct gql_msg *m = &ev->m;
	const char *why, *name;
	char tname[40], idtxt[40];
	int server_only, client_only;

	memset(ev, 0, sizeof *ev);
	if (gql_parse(s->dialect, p, n, &ev->m, &why) < 0) {
		violate(ev, 4400, "%s", why, NULL);
		return 0;
	}
	show_id(tname, sizeof tname, m->tname, m->tname_len);
	show_id(idtxt, sizeof idtxt, m->id, m->id_len);
	name = tname;
	if (m->type == GQL_T_UNKNOWN) {
		violate(ev, 4400, "unknown message type \"%s\"", tname, NULL);
		return 0;
	}
	switch (m->type) {
	case GQL_T_CONNECTION_ACK: case GQL_T_NEXT: case GQL_T_ERROR:
	case GQL_T_KA: case GQL_T_CONNECTION_ERROR:
		server_only = 1, client_only = 0;
		break;
	case GQL_T_CONNECTION_INIT: case GQL_T_SUBSCRIBE: case GQL_T_TERMINATE:
		server_only = 0, client_only = 1;
		break;
	case GQL_T_COMPLETE:
		/* legacy: the client says "stop", the server "complete" */
		server_only = s->dialect == GQL_LEGACY &&
		    m->tname_len == strlen("complete");
		client_only = s->dialect == GQL_LEGACY && !server_only;
		break;
	default:
		server_only = client_only = 0;
	}
	if (server_only && !from_server) {
		violate(ev, 4400, "%s from the client: only a server sends it",
		    name, NULL);
		return 0;
	}
	if (client_only && from_server) {
		violate(ev, 4400, "%s from the server: only a client sends it",
		    name, NULL);
		return 0;
	}
	switch (m->type) {
	case GQL_T_CONNECTION_INIT:
		if (s->init) {
			violate(ev, 4429, "a second %s", name, NULL);
			return 0;
		}
		if (!payload_optional_object(m)) {
			violate(ev, 4400, "%s whose payload is not an object",
			    name, NULL);
			return 0;
		}
		s->init = 1;
		ev->answer = GQL_T_CONNECTION_ACK;
		return 0;
	case GQL_T_CONNECTION_ACK:
		if (!s->init) {
			violate(ev, 4400, "%s before connection_init", name,
			    NULL);
			return 0;
		}
		if (s->acked) {
			violate(ev, 4400, "a second %s", name, NULL);
			return 0;
		}
		if (s->dialect == GQL_TWS && !payload_optional_object(m)) {
			violate(ev, 4400, "%s whose payload is not an object",
			    name, NULL);
			return 0;
		}
		s->acked = 1;
		return 0;
	case GQL_T_PING:
	case GQL_T_PONG:
		if (!payload_optional_object(m)) {
			violate(ev, 4400, "%s whose payload is not an object",
			    name, NULL);
			return 0;
		}
		if (m->type == GQL_T_PING)
			ev->answer = GQL_T_PONG;
		return 0;
	case GQL_T_SUBSCRIBE:
		return client_subscribe(s, ev, name, idtxt);
	case GQL_T_NEXT:
	case GQL_T_ERROR:
		return server_result(s, ev, name, idtxt);
	case GQL_T_COMPLETE:
		if (from_server)
			return server_result(s, ev, name, idtxt);
		if (m->id == NULL || m->id_len == 0) {
			violate(ev, 4400, "%s without an id", name, NULL);
			return 0;
		}
		{
			/* an unknown id is allowed: the operation may
			 * have ended on the server's side meanwhile */
			struct gql_op *op = find_op(s, m->id, m->id_len);

			if (op != NULL && op->state == GQL_OP_ACTIVE)
				end_op(s, op, GQL_OP_CANCELLED);
		}
		return 0;
	default:
		/* ka, connection_error, connection_terminate: nothing to
		 * remember */
		return 0;
	}
}

long
gql_sess_open(struct gql_sess *s, const char *init, char *out, size_t cap,
    const char **why)
{
	long n;

	if (init != NULL && gql_json_kind((const uint8_t *)init,
	    strlen(init)) != GQL_J_OBJECT) {
		*why = "the connection_init payload is not a JSON object";
		return -1;
	}
	n = gql_build(out, cap, s->dialect, GQL_T_CONNECTION_INIT, 1, NULL,
	    (const uint8_t *)init, init ? strlen(init) : 0);
	if (n < 0) {
		*why = "the connection_init payload is too long";
		return -1;
	}
	s->init = 1;
	return n;
}

long
gql_sess_subscribe(struct gql_sess *s, const uint8_t *p, size_t n, char *out,
    size_t cap, char *id, size_t idcap, const char **why)
{
	struct buf b;
	const char *name = gql_type_name(s->dialect, GQL_T_SUBSCRIBE, 1);
	char num[24];
	unsigned long next = s->next_id;
	long plen;

	/* an id already used on this connection is skipped */
	do
		snprintf(num, sizeof num, "%lu", next++);
	while (find_op(s, (const uint8_t *)num, strlen(num)) != NULL);
	if (strlen(num) >= idcap) {
		*why = "no room for the id";
		return -1;
	}
	b.p = out;
	b.cap = cap;
	b.len = 0;
	b.over = 0;
	puts_(&b, "{\"type\":\"");
	puts_(&b, name);
	puts_(&b, "\",\"id\":\"");
	puts_(&b, num);
	puts_(&b, "\",\"payload\":");
	if (b.over) {
		*why = "an operation too long";
		return -1;
	}
	plen = gql_operation(out + b.len, cap - b.len, p, n, why);
	if (plen < 0)
		return -1;
	b.len += (size_t)plen;
	puts_(&b, "}");
	if (b.over) {
		*why = "an operation too long";
		return -1;
	}
	if (add_op(s, (const uint8_t *)num, strlen(num)) < 0) {
		*why = "out of memory";
		return -1;
	}
	s->next_id = next;
	memcpy(id, num, strlen(num) + 1);
	return (long)b.len;
}

long
gql_sess_complete(struct gql_sess *s, const char *id, char *out, size_t cap,
    const char **why)
{
	struct gql_op *op = find_op(s, (const uint8_t *)id, strlen(id));
	long n;

	if (op == NULL || op->state != GQL_OP_ACTIVE) {
		*why = op == NULL ? "no operation has that id" :
		    "that operation is over";
		return -1;
	}
	n = gql_build(out, cap, s->dialect, GQL_T_COMPLETE, 1, id, NULL, 0);
	if (n < 0) {
		*why = "the id is too long";
		return -1;
	}
	end_op(s, op, GQL_OP_CANCELLED);
	return n;
}

/* ====================================================== the protocol */

/*
 * GraphQL as a protocol of proto.h. A client sends connection_init (with
 * --init's payload) and holds stdin until connection_ack, which must come
 * within --connect-timeout; each stdin line or /subscribe is an
 * operation with the next id. A server (listen mode) answers
 * connection_init and ping as graphql-ws's server does. Either answers
 * ping with pong. Every message received goes through the session, so a
 * rule broken is named and the connection closed with the protocol's
 * code.
 */

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
};

static const char *const gql_subprotocols[] = {
	GQL_SUBPROTO_TWS, GQL_SUBPROTO_LEGACY, NULL,
};

static const char *const gql_help[] = {
	"/subscribe OP", "start an operation (GraphQL text, or JSON with "
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
	return !opt.interactive && !proto_watching(g->pc);
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
		if (rc != 0)
			*why = "the connection is closing";
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
		else
			proto_reply(0, "operation %s completed", arg);
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
	.command = gql_command,
	.help = gql_help,
	.ready = gql_ready,
	.due = gql_due,
	.end = gql_end,
	.close_name = gql_close_name,
	.typed = gql_typed,
};
