/*
 * show.h - how the events of a connection reach a person or a pipe: the
 * REPL's display, stdout in scripted mode, --jsonl events and --frames
 * lines. Every mode (client, listen, relay) shows its connections through
 * these, so a message looks the same whoever sent it; a connection with
 * an id (listen and relay modes) is marked with it.
 *
 * Each event (message, ping, pong, close with who began it, frame) is one
 * value with its connection, hence its id and its direction:
 * "client>server" or "server>client" for what a peer sent, "wscli>client"
 * or "wscli>server" for what wscli sent. It is rendered in show.c, in one
 * place, one of three ways: the terminal, a plain pipe, --jsonl. The
 * relay's log (show_log) and the fields of --jsonl events are written
 * here too, so no mode formats what it shows. With --record every
 * message, ping, pong and close is also handed to record.h, whatever is
 * shown: a mode sends what it sends through these (show_message_out,
 * show_message_piece_out, show_control_out) even where nothing is shown.
 */
#ifndef WSCLI_SHOW_H
#define WSCLI_SHOW_H

#include <stddef.h>
#include <stdint.h>

#include "display.h"
#include "frame.h"
#include "upgrade.h"

struct conn;
struct craft_walk;
struct dial_result;

/* What is kept of the message being received, per connection. */
struct show_msg {
	struct disp_escape_state esc; /* escaping stdout on a terminal */
	uint8_t *buf;                 /* the head of the message, for the
					 REPL, --until and --jsonl; one
					 byte more than len is allocated */
	size_t len, cap;              /* cap: most bytes kept (the owner may
					 raise it after show_msg_init) */
	size_t alloc;                 /* bytes allocated at buf */
	int stream;                   /* write it to stdout as it comes */
	int whole;                    /* set by the owner: write it to stdout
					 at its end, so that messages of
					 several connections do not mix;
					 one longer than cap streams */
	int streamed;                 /* ... it began streaming */
	int to_stdout;                /* the message goes to stdout */
	int stamped;                  /* -t: its time is written */
};

/* Per-connection display state; zero it, then show_msg_init(). Memory
 * is taken as messages need it. */
void show_msg_init(struct show_msg *m);
void show_msg_free(struct show_msg *m);

/* A data message of c: begin, pieces, end. shown: it is displayed (not
 * beyond --count). */
void show_message_begin(struct conn *c, struct show_msg *m, int shown);
void show_message_data(struct conn *c, struct show_msg *m, const uint8_t *p,
    size_t n);
void show_message_end(struct conn *c, struct show_msg *m, int shown);

/* A message we send (REPL echo line, --jsonl "out" event, --record).
 * p NULL: the payload is not shown (a fragmented stdin line). */
void show_message_out(struct conn *c, unsigned opcode, const uint8_t *p,
    size_t n, uint64_t size, unsigned frags);

/* A piece of a message we send (fin: its last): for --record, which
 * writes the message whole. */
void show_message_piece_out(struct conn *c, unsigned opcode,
    const uint8_t *p, size_t n, int fin);

/* The direction of what c received ('<') or sent ('>'): "client>server",
 * "server>client", "wscli>client" or "wscli>server". */
const char *show_dir(const struct conn *c, char dir);

/* A PING or PONG wscli sends at the user's word (/ping, /pong), which
 * the REPL shows itself: for --record. */
void show_control_out(struct conn *c, unsigned op, const uint8_t *p,
    size_t n);

/* conn_ops callbacks, shared by every mode. */
void show_control(struct conn *c, char dir, unsigned op, const uint8_t *p,
    size_t n, const char *note, double rtt_ms);
void show_close(struct conn *c, char dir, unsigned code,
    const uint8_t *reason, size_t n);
void show_frame(struct conn *c, char dir, const struct ws_frame_header *h,
    const uint8_t *p, size_t n);

/* --jsonl: the fields of a "message" event after its connection and
 * direction: type (opcode too if with_opcode), size, fragments,
 * compressed and wire_size, and the payload p[0..n) (NULL: not shown) as
 * text or base64, "truncated" when n < size. */
void show_jsonl_message_fields(unsigned opcode, int with_opcode,
    uint64_t size, unsigned frags, int compressed, uint64_t wire,
    const uint8_t *p, size_t n);

/* --jsonl: the fields of a "frame" event after its connection and
 * direction: fin, rsv, opcode, type, mask, length, length_bits,
 * header_size and the payload p[0..n) (binary when compressed or not
 * text), "truncated" when n < its length. */
void show_jsonl_frame_fields(const struct ws_frame_header *h,
    unsigned message_opcode, int compressed, const uint8_t *p, size_t n);

/* --jsonl: ,"key":{"Name":"value",...} of the headers of h (NULL: none),
 * as jsonl_headers() gives them. */
void show_jsonl_headers(const char *key, const struct up_head *h);

/* The connection is up: summary line, -v details, --jsonl open event. */
void show_open(struct conn *c, const struct dial_result *r);

/* One line describing a frame, for --frames: "< frame text fin=1 ...". */
void show_format_frame(char *out, size_t cap, int id, char dir,
    const struct ws_frame_header *h, unsigned message_opcode,
    int compressed, const uint8_t *p, size_t n);

/* Crafted bytes we sent (/frame, /raw, --frame), shown frame by frame
 * as the peer reads them (w: its view of what we sent so far, see
 * craft_walk()), with the rules each breaks; a whole PING among them is
 * given to conn_ping_sent(). Returns 1 when they hold a whole CLOSE frame,
 * its code in *close_code (1005 for none, CONN_CLOSE_MALFORMED for a
 * 1-byte payload). */
int show_crafted(struct conn *c, struct craft_walk *w, const uint8_t *p,
    size_t n, long *close_code);

/* A client's upgrade request and wscli's answer (listen and relay
 * modes): the request line and every header escaped on stderr (or the
 * REPL), what was offered and chosen, and a --jsonl "connect" event,
 * once the answer (status) is known. */
struct show_request {
	int id;                        /* the client's */
	const char *addr;              /* its address */
	const struct up_head *req;     /* the request as received */
	int status;                    /* what wscli answered */
	const char *why;               /* a refusal's reason, or NULL */
	const char *protocol;          /* subprotocol chosen, or NULL */
	const char *extensions;        /* extensions answered, or NULL */
	const char *deflate;           /* permessage-deflate agreed, for
					  people, or NULL */
	const char *tls;               /* "TLSv1.3 TLS_AES_...", or NULL */
	const char *cert;              /* client certificate subject, or
					  NULL */
	const char *const *extra;      /* further lines for people (after
					  the headers), NULL-terminated, or
					  NULL */
	const char *label;             /* prefix of its lines; NULL:
					  "client ID: " */
	int answer_only;               /* the answer to a request shown
					  before with status 0 (a relay
					  waits for its server): only the
					  --jsonl "connect" event */
};
void show_request(const struct show_request *r);

/* A client that never reached its upgrade went away (why: no request
 * in time, a failed TLS handshake, ...): said with its label and
 * address. */
void show_gone(const char *label, const char *addr, const char *why);

/* Scripted mode, a connection with permessage-deflate is over: how many
 * messages were compressed each way and their bytes on the wire and
 * inflated (a line, or a --jsonl "deflate" event). */
void show_deflate_summary(struct conn *c);

/* The connection of a client (id > 0) is over (the summary above too): c->why, and a --jsonl
 * "disconnect" event with its exit status. */
void show_disconnect(struct conn *c);

/* --jsonl: an error event for a diagnostic; the connection it names
 * ("client 3: ...", "relay 3 client>server: ...") gives its "conn" and
 * "dir". */
void show_error(const char *msg);

/*
 * Relay mode's log: one line per event, "3 client>server   +0.412 ms  "
 * (the id, the direction, the time since the pair's previous line, kept
 * in *last_at), then with a type "text          5 B  " and what, or
 * without (type NULL) what alone. On stdout in scripted mode (stamped
 * with -t), above the prompt at a terminal.
 */
void show_log(int id, const char *dir, double *last_at, const char *type,
    int64_t size, const char *what);

/* An event of relay mode: what passed between the two sides of a pair,
 * or what wscli sent one of them; a line of its log or a --jsonl event
 * with "conn", "dir" and "since_ms". */
struct show_relayed {
	const char *event;            /* "message", "frame", "violation", or
					 a control frame's name ("ping",
					 "pong", "close", "control") */
	int id;                       /* the pair */
	const char *dir;              /* "client>server", "wscli>server", ... */
	double *last_at;              /* the pair's previous log line */
	double opened_at;             /* the pair's start */
	unsigned opcode;              /* message, control: its own; frame:
					 its message's */
	const uint8_t *p;             /* payload kept (close: the reason) */
	size_t n;
	uint64_t size;                /* message: all of it; control: the
					 frame's length */
	unsigned frags;               /* message */
	int compressed;               /* message, frame */
	uint64_t wire;                /* message: bytes on the wire */
	const struct ws_frame_header *h; /* frame */
	const uint8_t *peek;          /* frame: the payload's start */
	size_t npeek;
	unsigned code;                /* close: its code; violation: what
					 it calls for */
	const char *what;             /* violation: the rule */
	int relayed;                  /* it was passed on (violation: as
					 sent) */
	int ours;                     /* a pong answering wscli's ping */
	const char *by;               /* "wscli": wscli's own close */
	const char *note;             /* for people, in parentheses */
	int unshown;                  /* --frames shows it frame by frame:
					 only --record takes the message */
};
void show_relayed(const struct show_relayed *e);

/* The end of a relayed pair: how it closed (first: who began, answer:
 * what followed; both "" when no close passed) and what passed; or for a
 * pair that never opened (status: what the client was answered), why. */
struct show_pair_end {
	int id;
	const char *label;            /* "relay 3: " */
	double age;                   /* seconds since it opened */
	int status;                   /* > 0: it never opened */
	const char *why;              /* ... why */
	const char *first, *answer;
	const char *closed_by;        /* "client", "server", "wscli", NULL */
	const char *client_why;       /* how each side ended */
	const char *server_why;
	uint64_t client_to_server, server_to_client;
	unsigned violations;
	int exit;
};
void show_pair_end(const struct show_pair_end *e);

/* A relayed pair is open: both sides' addresses, the subprotocol, the
 * permessage-deflate agreed on each side (NULL: none), and the
 * subprotocols the client offered (for --record). */
void show_pair_open(int id, const char *label, const char *client,
    const char *server, const char *protocol, const char *client_deflate,
    const char *server_deflate, const char *const *offers, size_t noffers);

/* --jsonl: the "upstream" event of pair id: the request to its server
 * (url, redacted) as sent, the answer (status, headers, a refusal's
 * body) or the error. */
void show_upstream(int id, const char *url, const struct dial_result *r);

/* --jsonl: a dial that failed is one error event with all there is to
 * know (the message, the exit status, a refusal's status, headers and
 * body). */
void show_dial_error(const struct dial_result *r);

/* Reconnecting after delay seconds: attempt of max (0: no limit), why the
 * last connection ended and its exit status, stdin messages waiting to
 * be sent again. A line, and a --jsonl "reconnect" event. */
void show_reconnect(double delay, long attempt, long max, const char *why,
    int exit, uint64_t unsent);

/* The listening socket is up: a line (always for -l 0: the port is news
 * even under -q), and a --jsonl "listening" event. */
void show_listening(const char *address, int tls, int port_news);

/* The start of a payload for a log line: text escaped (256 bytes, cut
 * at a character), else 32 bytes in hex; " ... N more bytes" when total
 * is more. */
void show_payload_brief(char *out, size_t cap, const uint8_t *p, size_t n,
    uint64_t total, int text);

/* A close's code, name and reason for people: 1000 Normal Closure "bye",
 * or "no status code" (code 1005). */
void show_close_words(char *out, size_t cap, unsigned code,
    const uint8_t *reason, size_t n);

/*
 * What a message of an application protocol (proto.h) meant: "< event
 * chat [\"hi\"]" at the REPL, the event's line on stdout in scripted
 * mode, a --jsonl "proto" event; in relay mode (watch) a line of its
 * log. Keep-alives and the protocol's own bookkeeping are shown only
 * with --frames or -v.
 */
struct show_proto {
	const char *proto;            /* the protocol's name (set by the
					 layer) */
	const char *kind;             /* "event", "ack", "open", ... */
	const char *name;             /* --jsonl "name": event, topic,
					 destination; or NULL */
	const char *id;               /* --jsonl "id": ack, operation; or
					 NULL */
	const uint8_t *text;          /* for people, after the kind */
	size_t ntext;
	const uint8_t *line;          /* scripted mode: the line on stdout
					 (without its end); NULL: none */
	size_t nline;
	const uint8_t *json;          /* --jsonl "data": a valid JSON value,
					 or NULL */
	size_t njson;
	const uint8_t *payload;       /* --jsonl payload as text or base64,
					 or NULL */
	size_t npayload;
	int binary;                   /* ... base64 */
	int keepalive;                /* only with --frames or -v */
	int notice;                   /* scripted mode: a line for people
					 on stderr (2: an error, shown
					 under -q too) */
	double *last_at;              /* watch: the pair's log (show_log) */
};
void show_proto(struct conn *c, char dir, const struct show_proto *e,
    int watch);

/* A protocol's rule broken by the peer, seen by a relay: reported. */
void show_proto_violation(struct conn *c, double *last_at,
    const char *proto, const char *what);

/* jsonl writer: stdout's buffer. */
void show_jsonl_writer(const void *p, size_t n);

#endif /* WSCLI_SHOW_H */
