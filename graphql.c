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

#include "graphql.h"

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
