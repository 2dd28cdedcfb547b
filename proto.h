/*
 * proto.h - the application protocol spoken over a WebSocket connection:
 * raw (bare messages, the default), socketio, and whichever others are in
 * the table of proto.c.
 *
 * A protocol is a const struct proto: a name and function pointers, each
 * optional. The layer owns the per-connection state (struct proto_conn,
 * with the protocol's own state of proto->state bytes, zeroed): it
 * collects each received message whole (up to PROTO_MSG_MAX bytes) and
 * gives it to proto->message, collects each stdin line whole for
 * proto->line, and offers the protocol what it needs to act: send a
 * message, show what a message means (show.c renders it), name a rule
 * the peer broke, end the session.
 *
 * raw is the NULL protocol: a mode that has no proto_conn does exactly
 * what it did before the layer existed, so bare WebSocket pays nothing.
 *
 * Roles. In client mode a proto_conn speaks the client's part, in listen
 * mode the server's (conn_role() says which). In relay mode it only
 * watches: proto_watching() is nonzero, nothing is sent or answered and a
 * broken rule is reported, not acted on; each side of a pair has its own
 * proto_conn, decoding what that side received.
 *
 * The JSON in messages is read with json.h, in place.
 *
 * Ownership: proto_conn_new() copies nothing it is given but the pointers
 * (the conn must outlive the proto_conn: free it first, in ops->ended).
 * Messages and lines passed to the protocol are the layer's, valid during
 * the call.
 */
#ifndef WSCLI_PROTO_H
#define WSCLI_PROTO_H

#include <stddef.h>
#include <stdint.h>

struct conn;
struct proto_conn;
struct show_proto;

#define PROTO_MSG_MAX (16u << 20) /* a received message decoded whole */
#define PROTO_LINE_MAX (16u << 20) /* a stdin line */

enum { PROTO_BYE_CLOSES = 1, PROTO_BYE_SAID = 2 }; /* proto->bye */

struct proto {
	const char *name;                 /* as --proto takes it */
	const char *const *subprotocols;  /* offered in a client's upgrade,
					     NULL-terminated; NULL: none */
	size_t state;                     /* bytes of per-connection state */
	/* Client: the URL to dial when url does not say (written into
	 * buf, cap bytes): return 1; 0 dials url as it is. */
	int (*url)(const char *url, char *buf, size_t cap);
	/* The connection is up: what to send first, timers to arm. */
	void (*open)(struct proto_conn *pc);
	/* A whole data message received (opcode WS_OP_TEXT or
	 * WS_OP_BINARY; n may be less than size when it was longer than
	 * PROTO_MSG_MAX). */
	void (*message)(struct proto_conn *pc, unsigned opcode,
	    const uint8_t *p, size_t n, uint64_t size);
	/* Scripted mode: what a stdin line (without its end) means. Return
	 * 0 once it is sent, or -1 with why (cap bytes) when it is not. */
	int (*line)(struct proto_conn *pc, const uint8_t *p, size_t n,
	    char *why, size_t cap);
	/* Whether a client's line could ever be sent, whatever the
	 * connection's state
	 * (so that --send and --on-connect are refused before connecting):
	 * 0, or -1 with why (cap bytes). NULL: any line can. */
	int (*check)(const uint8_t *p, size_t n, char *why, size_t cap);
	/* The line sent with this tag started something that lasts and is
	 * still going (a GraphQL operation not completed): a new connection
	 * must be given it again to have it too. NULL: nothing lasts. */
	int (*running)(struct proto_conn *pc, uint64_t tag);
	/* REPL: the protocol's command /name arg; return 0 when it was
	 * one (errors already said), -1 when it is not the protocol's. */
	int (*command)(struct proto_conn *pc, const char *name,
	    const char *arg);
	/* /help lines of its commands: NULL-terminated pairs. */
	const char *const *help;
	/* Stdin lines may be sent (e.g. the session is set up). NULL:
	 * at once. */
	int (*ready)(struct proto_conn *pc);
	/* Scripted mode, end of input: 2 while the session must go on
	 * (operations not completed, acks awaited), 1 while answers may
	 * still come (wait as for bare messages), 0 when nothing is due.
	 * NULL: 0. */
	int (*due)(struct proto_conn *pc);
	/* The connection is over: stop timers, free what the state holds
	 * (not the state itself). */
	void (*end)(struct proto_conn *pc);
	int echoes;                       /* listen mode: --echo answers
					     in the protocol (else --echo
					     is refused with it) */
	/* The name of a close code the protocol defines (4000-4999), or
	 * NULL: shown instead of "Private Use". */
	const char *(*close_name)(unsigned code);
	/* A message typed at the REPL went out as it is: the protocol may
	 * take note (an operation id it must now expect). */
	void (*typed)(struct proto_conn *pc, unsigned opcode,
	    const uint8_t *p, size_t n);
	/* Client: the session ends (the end of input, the REPL's /quit
	 * or Ctrl-D): say the protocol's goodbye if it was not said. Return
	 * PROTO_BYE_CLOSES when the protocol closes the connection itself
	 * once the goodbye is answered or overdue (within the close
	 * timeout), PROTO_BYE_SAID when the close is to follow after what
	 * is queued, 0 when nothing was said (a second call: close at
	 * once). NULL: 0. */
	int (*bye)(struct proto_conn *pc);
};

/* ------------------------------------------------------ for the modes */

/* The protocol named name ("raw" gives NULL in *p), or -1 if none is:
 * the list of names for a usage error in names (cap bytes). */
int proto_find(const char *name, const struct proto **p, char *names,
    size_t cap);

/* --proto auto: the protocol of a negotiated subprotocol, or NULL. */
const struct proto *proto_for_subprotocol(const char *subprotocol);

/* The protocol chosen by --proto, once the subprotocol is known (auto:
 * from it; NULL or "": none negotiated). NULL: raw. */
const struct proto *proto_chosen(const char *subprotocol);

/* The subprotocols --proto offers, NULL-terminated (NULL: none). */
const char *const *proto_offered(void);

/* Client mode: the URL to dial (url itself, or the protocol's default
 * path written into buf). */
const char *proto_url(const char *url, char *buf, size_t cap);

/* The per-connection state of protocol p on c; watch: relay mode. */
struct proto_conn *proto_conn_new(const struct proto *p, struct conn *c,
    int watch);
void proto_conn_free(struct proto_conn *pc);

/* Rules of the protocol the peer broke so far (watching, they are only
 * counted); 0 for NULL. */
unsigned proto_violations(const struct proto_conn *pc);

/* The subprotocol the upgrade agreed on (copied; NULL: none), for the
 * protocol to read from open on. */
void proto_set_subprotocol(struct proto_conn *pc, const char *subprotocol);

/* Relay mode: the two sides of a pair know each other, so that a
 * protocol can check one direction against the other (the answer to an
 * id the other side used). Freeing one unpairs both. */
void proto_pair(struct proto_conn *a, struct proto_conn *b);
struct proto_conn *proto_peer(const struct proto_conn *pc);

/* Relay mode: where the pair's log keeps the time of its last line. */
void proto_watch_log(struct proto_conn *pc, double *last_at);

/* --test: each line the protocol would put on stdout for a received
 * message goes to fn instead, and nothing at all is shown. */
void proto_set_sink(struct proto_conn *pc, void (*fn)(void *ud,
    const uint8_t *p, size_t n), void *ud);

/* The connection is up: the protocol's opening. */
void proto_open(struct proto_conn *pc);

/* A received message (conn_ops' message events): begin, data, end. shown
 * is 0 once -n or --until say nothing more is shown (the protocol still
 * answers). proto_message_end returns the number of events it put on
 * stdout (scripted mode's lines), for -n. */
void proto_message_begin(struct proto_conn *pc);
void proto_message_data(struct proto_conn *pc, const uint8_t *p, size_t n);
int proto_message_end(struct proto_conn *pc, int shown);

/* The last line put on stdout (for --until; NUL-terminated), or NULL. */
const char *proto_last_line(const struct proto_conn *pc);

/* A piece of stdin line lineno (fin: its end). Returns 0, or -1 when the
 * line was refused (said on stderr). The messages the protocol sends for
 * the line are queued with lineno as their tag (conn_ops->sent). */
int proto_line_piece(struct proto_conn *pc, uint64_t lineno,
    const uint8_t *p, size_t n, int fin);

/* A whole line, as proto_line_piece() takes one; what says where it
 * comes from for its diagnostics ("line 3", "--send"), tag is that of
 * the messages sent for it (0: none). Returns 0, or -1 when refused
 * (said on stderr). */
int proto_line(struct proto_conn *pc, const char *what, uint64_t tag,
    const uint8_t *p, size_t n);

/* The line sent with tag still goes on (see proto->running); 0 for
 * NULL. */
int proto_running(struct proto_conn *pc, uint64_t tag);

/* Can line p[0..n) ever mean something under protocol p (see
 * proto->check; UTF-8 too)? 0, or -1 with why (cap bytes). */
int proto_check_line(const struct proto *p, const uint8_t *line, size_t n,
    char *why, size_t cap);

/* A message typed at the REPL was sent as it is. */
void proto_typed(struct proto_conn *pc, unsigned opcode, const uint8_t *p,
    size_t n);

int proto_ready(struct proto_conn *pc);
int proto_due(struct proto_conn *pc);

/* The session ends: the protocol's goodbye (see proto->bye); 0 for
 * NULL. */
int proto_bye(struct proto_conn *pc);

/* Operations the peer ended with an error so far (a scripted client
 * exits 1 for them); 0 for NULL. */
unsigned proto_failures(const struct proto_conn *pc);

/* REPL: the protocol's commands and their help (NULL: none). */
int proto_command(struct proto_conn *pc, const char *name, const char *arg);
const char *const *proto_help(const struct proto_conn *pc);

/* name is a REPL command of --proto's protocol (from its /help lines):
 * the mode says why it cannot run now rather than "unknown command". */
int proto_has_command(const char *name);

/* A mode's /help lines followed by those of --proto's protocol (the
 * result lives until the next call). */
const char *const *proto_help_with(const char *const *mode);

const struct proto *proto_of(const struct proto_conn *pc);

/* -------------------------------------------------- for the protocols */

void *proto_state(struct proto_conn *pc);
/* The tag of the line being given to proto->line (0: none). */
uint64_t proto_line_tag(const struct proto_conn *pc);
struct conn *proto_conn(struct proto_conn *pc);
/* The agreed subprotocol, or NULL. */
const char *proto_subprotocol(const struct proto_conn *pc);
/* Relay mode: only decode and show. */
int proto_watching(const struct proto_conn *pc);

/* Queue a whole message (while a line is given to proto->line, with
 * the line's tag: see proto_line()). Returns 0, or -1 if the connection
 * is closing (or watched). */
int proto_send(struct proto_conn *pc, unsigned opcode, const uint8_t *p,
    size_t n);

/* Show what a message meant: dir '<' received, '>' sent. Counted as an
 * event when it has a line for stdout. */
void proto_show(struct proto_conn *pc, char dir, const struct show_proto *e);

/* --record: the client sent (as a client: wscli did; as a server or
 * watching a relay's client side: its peer did) what the stdin line
 * p[0..n) of a client means (an event array, an operation), so that the
 * recording sends it again as a line. */
void proto_record_sent(struct proto_conn *pc, const uint8_t *p,
    size_t n);

/* The same for a line that goes where option (--destination, --topic)
 * says: a relay's client chose where; a comment says so when it
 * changes. */
void proto_record_sent_to(struct proto_conn *pc, const char *option,
    const char *where, const uint8_t *p, size_t n);

/* --record: what was sent and cannot be a step (a comment). */
void proto_record_note(struct proto_conn *pc, const char *text);

/* --record, listen mode: the client will read what wscli sent as the
 * stdout line p[0..n) (as a client, the layer takes the lines from
 * proto_show itself). */
void proto_record_got(struct proto_conn *pc, const uint8_t *p, size_t n);

/* The peer ended an operation with an error (GraphQL's error): counted
 * for proto_failures(). */
void proto_failed(struct proto_conn *pc);

/* The peer broke a rule of the protocol: named on stderr, and the
 * connection closed with code, exit status EXIT_PROTOCOL (watching:
 * only reported). */
void proto_violation(struct proto_conn *pc, unsigned code, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* The protocol ends the session: close with code, exit status exit, why
 * for people. */
void proto_end(struct proto_conn *pc, unsigned code, int exit,
    const char *why);

/* The same once what was sent before has gone out: a protocol's own
 * goodbye first, then the close (no reason). */
void proto_finish(struct proto_conn *pc, unsigned code, int exit,
    const char *why);

/* The peer's TCP close is now the session's normal end, after what was
 * just sent (client) or seen (relay: on both sides of the pair), e.g.
 * "the client's MQTT DISCONNECT": see conn_expect_end(). */
void proto_expect_end(struct proto_conn *pc, const char *after);

/* REPL: a line of command output (error: in red). */
void proto_reply(int error, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* WSCLI_PROTO_H */
