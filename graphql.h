/*
 * graphql.h - GraphQL over WebSocket: the two subprotocols servers speak,
 * graphql-transport-ws (the protocol of the graphql-ws library, the
 * "GraphQL over WebSocket" draft) and the legacy graphql-ws of
 * subscriptions-transport-ws. The contract.
 *
 * Two parts.
 *
 * The codec is pure: no I/O, no allocation, no global state. It builds
 * messages into caller buffers and parses a received message into spans
 * of it (struct gql_msg): the type, the id and the payload as they were
 * sent. A parser that owns nothing: spans point into the caller's bytes.
 *
 * The session (struct gql_sess) is the protocol state of one connection,
 * for whichever side wscli is on: a client (it sends connection_init and
 * operations), a server (it answers connection_init and ping), or a relay
 * watching both directions. Every message either side sends goes through
 * gql_sess_recv() with its direction; the session checks it against what
 * was said before (connection_ack awaited, ids subscribed, completed) and
 * says what it means in a struct gql_event: an operation's result, an
 * answer the protocol requires (pong, connection_ack), or a violation
 * named, with the close code the protocol gives it. It does no I/O; it
 * allocates only its table of operations (freed by gql_sess_free()).
 *
 * Operations a client starts get ids "1", "2", ... in order.
 *
 * graphqlproto.c builds --proto graphql on both.
 */
#ifndef WSCLI_GRAPHQL_H
#define WSCLI_GRAPHQL_H

#include <stddef.h>
#include <stdint.h>

#define GQL_SUBPROTO_TWS "graphql-transport-ws"
#define GQL_SUBPROTO_LEGACY "graphql-ws"

/* Which of the two: from the negotiated subprotocol. */
enum gql_dialect {
	GQL_TWS = 0,  /* graphql-transport-ws */
	GQL_LEGACY,   /* graphql-ws, subscriptions-transport-ws */
};

/* Message types; the legacy names where they differ. */
enum gql_type {
	GQL_T_UNKNOWN = 0,
	GQL_T_CONNECTION_INIT,    /* client > server */
	GQL_T_CONNECTION_ACK,     /* server > client */
	GQL_T_PING,               /* either way (transport-ws) */
	GQL_T_PONG,               /* either way (transport-ws) */
	GQL_T_SUBSCRIBE,          /* client > server; legacy "start" */
	GQL_T_NEXT,               /* server > client; legacy "data" */
	GQL_T_ERROR,              /* server > client */
	GQL_T_COMPLETE,           /* either way; legacy client "stop" */
	GQL_T_KA,                 /* legacy: server keep-alive "ka" */
	GQL_T_CONNECTION_ERROR,   /* legacy: server refuses the init */
	GQL_T_TERMINATE,          /* legacy: "connection_terminate" */
};

/* The JSON kind of a member. */
enum gql_json {
	GQL_J_ABSENT = 0,
	GQL_J_OBJECT,
	GQL_J_ARRAY,
	GQL_J_STRING,
	GQL_J_NUMBER,
	GQL_J_BOOL,
	GQL_J_NULL,
};

/* A received message, as spans of it. */
struct gql_msg {
	enum gql_type type;           /* GQL_T_UNKNOWN: see tname */
	const uint8_t *tname;         /* "type" between its quotes, raw */
	size_t tname_len;
	enum gql_json id_kind;        /* of "id" */
	const uint8_t *id;            /* "id" between its quotes, raw (only
					 when a string), else NULL */
	size_t id_len;
	enum gql_json payload_kind;   /* of "payload" */
	const uint8_t *payload;       /* the payload's JSON text, or NULL */
	size_t payload_len;
};

/* ---------------------------------------------------------------- codec */

/* The type's name on the wire in dialect d ("data" for GQL_T_NEXT in
 * legacy; the sender decides between "complete" and "stop": client is
 * set when a client sends it). */
const char *gql_type_name(enum gql_dialect d, enum gql_type t, int client);

/*
 * Parse p[0..n) as one message of dialect d. Returns 0 with m filled, or
 * -1 with *why set to a static sentence when it is not a message at all:
 * not JSON, not an object, no "type", a "type" that is not a string. A
 * type the dialect does not have is GQL_T_UNKNOWN, not an error here.
 */
int gql_parse(enum gql_dialect d, const uint8_t *p, size_t n,
    struct gql_msg *m, const char **why);

/*
 * The member key of the JSON object obj[0..n): its value's span and kind
 * (a string's span is between its quotes). Returns the kind,
 * GQL_J_ABSENT when there is no such member or obj is not an object.
 */
enum gql_json gql_member(const uint8_t *obj, size_t n, const char *key,
    const uint8_t **val, size_t *len);

/* Whether p[0..n) is exactly one JSON value (surrounding blanks allowed),
 * and its kind; GQL_J_ABSENT when it is not. */
enum gql_json gql_json_kind(const uint8_t *p, size_t n);

/*
 * JSON p[0..n) on one line: white space outside strings removed, into out
 * (cap bytes; at most n are written). Returns the length. p is valid JSON.
 */
size_t gql_compact(char *out, size_t cap, const uint8_t *p, size_t n);

/*
 * A message {"type":T[,"id":ID][,"payload":PAYLOAD]} into out (cap
 * bytes): id is a plain string written with JSON escapes (NULL: none),
 * payload JSON text as it is (NULL: none). Returns the length, or -1 if
 * it does not fit.
 */
long gql_build(char *out, size_t cap, enum gql_dialect d, enum gql_type t,
    int client, const char *id, const uint8_t *payload, size_t plen);

/*
 * An operation as a person writes it, into the payload of a subscribe
 * (out, cap bytes): a JSON object with a "query" string is taken as it is
 * ({"query":..., "variables":..., "operationName":...}); anything else
 * is GraphQL text and becomes {"query":"TEXT"}. Returns the length, or
 * -1 with *why set (a JSON object without a "query" string, empty text,
 * too long for cap).
 */
long gql_operation(char *out, size_t cap, const uint8_t *p, size_t n,
    const char **why);

/* The name of a close code of the GraphQL protocols ("Bad request" for
 * 4400), or NULL for a code they do not define. */
const char *gql_close_name(unsigned code);

/* -------------------------------------------------------------- session */

enum gql_op_state {
	GQL_OP_ACTIVE = 1,   /* subscribed, no complete or error yet */
	GQL_OP_CANCELLED,    /* the client completed it; results already
				on their way may still arrive */
	GQL_OP_DONE,         /* the server completed it or sent error */
};

struct gql_op {
	char *id;
	enum gql_op_state state;
};

struct gql_sess {
	enum gql_dialect dialect;
	int init;                /* connection_init was sent */
	int acked;               /* connection_ack was sent */
	unsigned long next_id;   /* the id of the client's next operation */
	struct gql_op *ops;      /* every operation of the connection */
	size_t nops, cap;
	size_t active;           /* how many are GQL_OP_ACTIVE */
};

/* What one message meant. */
struct gql_event {
	struct gql_msg m;        /* the message, parsed (when it is one) */
	int violation;           /* it broke a rule of the protocol */
	char why[160];           /* ... which one, for the display */
	unsigned close_code;     /* ... the code that protocol closes with */
	enum gql_type answer;    /* what the other side must send back now:
				    GQL_T_PONG, GQL_T_CONNECTION_ACK, or
				    GQL_T_UNKNOWN for nothing */
	int op_ended;            /* it ended an operation (error,
				    complete) */
	int late;                /* it is for an operation the client
				    completed: no violation, shown as late */
};

/* Zero s and set its dialect. */
void gql_sess_init(struct gql_sess *s, enum gql_dialect d);
void gql_sess_free(struct gql_sess *s);

/*
 * One message p[0..n) that the server (from_server) or the client sent.
 * Checks it, moves the state on and fills ev. Returns 0, or -1 when
 * memory ran out (the message is then not recorded).
 *
 * The rules, for graphql-transport-ws (the legacy ones are the same
 * where they apply): a message is a JSON object with a string "type" the
 * protocol has, sent by the side that may send it; connection_init once
 * (4429), before any subscribe (4401); subscribe with a non-empty string
 * id not in use (4409) and a payload object with a "query" string;
 * connection_ack once, after connection_init; next, error and complete
 * with the id of an operation that is running; next's payload an
 * object, error's a non-empty array of errors each with a "message";
 * ping, pong and connection_ack with an object payload or none. Anything
 * else closes with 4400 Bad request.
 */
int gql_sess_recv(struct gql_sess *s, int from_server, const uint8_t *p,
    size_t n, struct gql_event *ev);

/*
 * The client's side, building what it sends and recording it (these do
 * not go through gql_sess_recv()). Each returns the message's length in
 * out (cap bytes), or -1 with *why set.
 *
 * gql_sess_open: connection_init with payload init (JSON object text, or
 * NULL for none).
 * gql_sess_subscribe: the operation p[0..n) (see gql_operation()) with
 * the next id, written to id (idcap bytes).
 * gql_sess_complete: complete (legacy: stop) the running operation id.
 */
long gql_sess_open(struct gql_sess *s, const char *init, char *out,
    size_t cap, const char **why);
long gql_sess_subscribe(struct gql_sess *s, const uint8_t *p, size_t n,
    char *out, size_t cap, char *id, size_t idcap, const char **why);
long gql_sess_complete(struct gql_sess *s, const char *id, char *out,
    size_t cap, const char **why);

/* The operations still running (neither completed nor failed). */
size_t gql_sess_active(const struct gql_sess *s);

#endif /* WSCLI_GRAPHQL_H */
