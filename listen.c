/*
 * listen.c - listen mode: wscli as a WebSocket server for testing clients.
 *
 * listener.c accepts clients and reads their upgrade requests; here each
 * request is answered (subprotocol from -s, permessage-deflate with
 * --deflate) and each upgraded client becomes a struct conn of the server
 * role, numbered, shown through show.c like the one connection of client
 * mode. Typed lines (the REPL) go to the chosen client or to all; stdin
 * lines (scripted) to all.
 *
 * Every message to a client is queued whole, from one producer at a time
 * (stdin, the REPL, --echo, --broadcast), so messages never interleave on
 * a connection. A client's outgoing queue is its own: one that stops
 * reading while others go on is closed with 1008 once more than
 * QUEUE_LIMIT bytes wait for it, and dropped if it does not answer the
 * close. With --echo a client is read only as fast as it takes its echoes.
 *
 * Messages a client sends are kept whole until they end (at most
 * --max-message, 16 MiB unless given), so that in scripted mode each is
 * written to stdout in one piece and messages of several clients do not
 * mix; --echo and --broadcast send them on from there.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conn.h"
#include "craft.h"
#include "deflate.h"
#include "display.h"
#include "frame.h"
#include "linesplit.h"
#include "listen.h"
#include "loop.h"
#include "opening.h"
#include "output.h"
#include "proto.h"
#include "repl.h"
#include "record.h"
#include "run.h"
#include "servecmd.h"
#include "listener.h"
#include "show.h"
#include "term.h"
#include "view.h"
#include "transport.h"
#include "upgrade.h"
#include "exit.h"
#include "opts.h"

#define STDIN_BUF (256 * 1024)          /* one read() of stdin */
#define QUEUE_LOW (256 * 1024)          /* read more for a client below */
#define QUEUE_LIMIT (16 * 1024 * 1024)  /* a client this far behind is not
					   reading: close 1008 */
#define LINE_MAX_LISTEN (16 * 1024 * 1024) /* a stdin line, kept whole */
#define KEEP_DEFAULT (16 * 1024 * 1024) /* a message kept whole */
#define GONE_CLOSE_TIMEOUT 1.0
#define QUEUE_KEEP 2048                 /* an idle client's queue keeps no more
					   than small messages need: thousands
					   may be idle */
#define READ_PER_CLIENT 4096            /* stdin read at once, per client */

struct client {
	struct conn *c;           /* NULL until upgraded */
	struct proto_conn *pc;    /* its application protocol; NULL: raw */
	struct show_msg m;
	char label[32];           /* "client 3: " */
	char addr[80];
	char *protocol;           /* chosen subprotocol, or NULL */
	char *target;             /* the request's path and query */
	char *unanswered;         /* subprotocols it offered, none chosen */
	struct pmd *pmd;          /* agreed, until the conn takes it */
	struct craft_walk crafted; /* its view of the crafted bytes sent */
	int open;                 /* c is set up */
	int held;                 /* in S.held: paused for its echoes */
	struct client *next, *prev;
};

static struct {
	struct client *clients;   /* open, in the order they came */
	struct client *last;
	int nclients;
	struct client **held;     /* paused until they take their echoes */
	size_t nheld, heldcap;
	int had_client;           /* one has connected */
	int target;               /* typed lines to: 0 all, else this id */
	uint64_t received;        /* messages from all clients (-n) */
	size_t keep;              /* bytes of a message kept whole */
	struct conn_config ccfg;  /* what every client's conn is */

	/* stdin (scripted) */
	uint8_t *ibuf;
	size_t ilen;
	struct linesplit split;
	int stdin_eof, stdin_error;
	uint8_t *line;            /* the line being read, whole */
	size_t line_len, line_cap;
	int line_skip;
	uint64_t lineno;
	uint64_t skipped;         /* lines refused */
	uint64_t unsent_opening;  /* --send, --on-connect messages after a
				     crafted close */
} S;

/* ------------------------------------------------------------- clients */

static struct client *
find_client(int id)
{
	for (struct client *cl = S.clients; cl; cl = cl->next)
		if (conn_id(cl->c) == id)
			return cl;
	return NULL;
}

/* Can take a message: open, not closing. */
static int
usable(const struct client *cl)
{
	return cl->open && !conn_done(cl->c) && !conn_close_sent(cl->c);
}

/* Queue a whole message for cl, unless it has stopped reading. Returns 0,
 * or -1 (closing, or just closed for not reading). */
static int
client_send(struct client *cl, unsigned op, const uint8_t *p, size_t n)
{
	size_t q;

	if (!usable(cl))
		return -1;
	q = conn_queued(cl->c);
	if (q > QUEUE_LIMIT) {
		diag("%snot reading: %.1f MiB wait to be sent to it; closing "
		    "with 1008 Policy Violation", cl->label, q / 1048576.0);
		conn_close(cl->c, WS_CLOSE_POLICY,
		    (const uint8_t *)"not reading", 11);
		/* it will not read the close either: do not wait long */
		conn_set_close_timeout(cl->c, opt.close_timeout, 1);
		return -1;
	}
	if (conn_send_data(cl->c, op, p, n, 1, 0) != 0)
		return -1;
	show_message_out(cl->c, op, p, n, n, 1);
	return 0;
}

static void
client_release(void *ud)
{
	struct client *cl = ud;

	show_msg_free(&cl->m);
	if (cl->pmd)
		pmd_free(cl->pmd);
	free(cl->protocol);
	free(cl->unanswered);
	free(cl->target);
	free(cl);
}

/* Free a client that never became a connection. */
static void
client_discard(struct client *cl)
{
	client_release(cl);
}

/* Read again once it has taken its echoes: looked at each turn, so only
 * those paused are, not every client. */
static void
hold(struct client *cl)
{
	conn_pause(cl->c, 1);
	if (cl->held)
		return;
	if (S.nheld == S.heldcap) {
		S.heldcap = S.heldcap ? S.heldcap * 2 : 64;
		S.held = xrealloc(S.held, S.heldcap * sizeof *S.held);
	}
	S.held[S.nheld++] = cl;
	cl->held = 1;
}

static void
unhold(size_t i)
{
	S.held[i]->held = 0;
	S.held[i] = S.held[--S.nheld];
}

static void
unlink_client(struct client *cl)
{
	if (!cl->open)
		return;
	cl->open = 0;
	for (size_t i = 0; cl->held && i < S.nheld; i++)
		if (S.held[i] == cl)
			unhold(i);
	if (cl->prev)
		cl->prev->next = cl->next;
	else
		S.clients = cl->next;
	if (cl->next)
		cl->next->prev = cl->prev;
	else
		S.last = cl->prev;
	S.nclients--;
}

/* Nothing is written after the -n-th message, nor after the one that
 * matched --until, as in client mode. */
static int
shown(void)
{
	return !(opt.count && (long)S.received >= opt.count) &&
	    !run_until_matched();
}

static void
ev_message_begin(struct conn *c)
{
	struct client *cl = conn_ud(c);

	show_message_begin(c, &cl->m, shown());
}

static void
ev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	struct client *cl = conn_ud(c);

	show_message_data(c, &cl->m, p, n);
}

/* --echo and --broadcast: the message, if it was kept whole. */
static void
pass_on(struct client *from)
{
	struct conn *c = from->c;
	unsigned op = conn_in(c)->opcode;

	if (from->m.len < conn_in(c)->len) {
		diag("%sa message of %" PRIu64 " bytes is too large to %s "
		    "(more than %zu bytes are not kept; --max-message)",
		    from->label, conn_in(c)->len, srv_opt.echo ? "echo" :
		    "broadcast", S.keep);
		return;
	}
	if (srv_opt.echo) {
		client_send(from, op, from->m.buf, from->m.len);
		/* read it only as fast as it takes its echoes */
		if (conn_queued(c) > QUEUE_LOW)
			hold(from);
		return;
	}
	for (struct client *cl = S.clients; cl; cl = cl->next)
		if (cl != from)
			client_send(cl, op, from->m.buf, from->m.len);
}

static void
ev_message_end(struct conn *c)
{
	struct client *cl = conn_ud(c);
	int was_shown = shown();

	S.received++;
	show_message_end(c, &cl->m, was_shown);
	if (srv_opt.echo || srv_opt.broadcast)
		pass_on(cl);
	if (conn_in(c)->opcode == WS_OP_TEXT && run_until_wanted()) {
		cl->m.buf[cl->m.len] = '\0'; /* one spare byte */
		if (run_until_match(cl->label, (char *)cl->m.buf))
			run_end_all(WS_CLOSE_NORMAL, EXIT_OK, "--until");
	}
	if (opt.count && (long)S.received >= opt.count && !run_ending()) {
		info("%ld message%s received (-n); closing", opt.count,
		    opt.count == 1 ? "" : "s");
		run_end_all(WS_CLOSE_NORMAL, EXIT_OK, "-n");
	}
}

static void
ev_ended(struct conn *c)
{
	struct client *cl = conn_ud(c);
	uint64_t unsent = conn_unsent_messages(c);
	int status = conn_exit(c);

	if (unsent > 0) {
		diag("%s%" PRIu64 " message%s not sent, or only in part",
		    cl->label, unsent, unsent == 1 ? " was" : "s were");
		if (status == EXIT_OK)
			status = EXIT_ERROR;
	}
	show_disconnect(c);
	proto_conn_free(cl->pc);
	cl->pc = NULL;
	if (cl->unanswered && status != EXIT_OK)
		diag("%sit had offered subprotocols %s and none was chosen: "
		    "a likely reason it failed (-s NAME accepts one, -s '*' the "
		    "first offered)", cl->label, cl->unanswered);
	unlink_client(cl);
	/* the target stays: a line meant for one client must not reach
	 * all of them */
	if (S.target == conn_id(c) && opt.interactive)
		view_infof("client %d is gone: typed lines are not sent "
		    "until /all or /to another client", conn_id(c));
	run_over(status);
	conn_free(c); /* cl itself goes in client_release */
}

static void
pev_message_begin(struct conn *c)
{
	proto_message_begin(((struct client *)conn_ud(c))->pc);
}

static void
pev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	proto_message_data(((struct client *)conn_ud(c))->pc, p, n);
}

/* -n counts the protocol's events, --until matches their lines */
static void
pev_message_end(struct conn *c)
{
	struct client *cl = conn_ud(c);
	int events = proto_message_end(cl->pc, shown());
	const char *line = proto_last_line(cl->pc);

	if (events == 0 || run_ending())
		return;
	S.received += (uint64_t)events;
	if (run_until_wanted() && line && run_until_match(cl->label, line))
		run_end_all(WS_CLOSE_NORMAL, EXIT_OK, "--until");
	if (opt.count && (long)S.received >= opt.count && !run_ending()) {
		info("%ld event%s received (-n); closing", opt.count,
		    opt.count == 1 ? "" : "s");
		run_end_all(WS_CLOSE_NORMAL, EXIT_OK, "-n");
	}
}

static const struct conn_ops proto_client_ops = {
	.frame = show_frame,
	.message_begin = pev_message_begin,
	.message_data = pev_message_data,
	.message_end = pev_message_end,
	.control = show_control,
	.close = show_close,
	.ended = ev_ended,
};

static const struct conn_ops client_ops = {
	.frame = show_frame,
	.message_begin = ev_message_begin,
	.message_data = ev_message_data,
	.message_end = ev_message_end,
	.control = show_control,
	.close = show_close,
	.ended = ev_ended,
};

/* ---------------------------------------------------------- handshake */

/* The first of -s that the client offers (exact names), or NULL; -s '*'
 * is the first the client offers, copied into any (cap bytes). */
static const char *
choose_protocol(const char *offered, char *any, size_t cap)
{
	if (offered == NULL)
		return NULL;
	for (int i = 0; i < opt.nprotocols; i++) {
		const char *p = offered;
		size_t want = strlen(opt.protocols[i]);
		int star = !strcmp(opt.protocols[i], "*");

		while (*p) {
			size_t k;

			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			k = strcspn(p, ", \t");
			if (star && k > 0 && k < cap) {
				memcpy(any, p, k);
				any[k] = '\0';
				return any;
			}
			if (k == want && !strncmp(p, opt.protocols[i], k))
				return opt.protocols[i];
			p += k;
		}
	}
	/* --proto's own subprotocols are accepted as -s ones are, in its
	 * order of preference */
	for (const char *const *pp = proto_offered(); pp && *pp; pp++) {
		const char *p = offered;
		size_t want = strlen(*pp);

		while (*p) {
			size_t k;

			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			k = strcspn(p, ", \t");
			if (k == want && !strncmp(p, *pp, k))
				return *pp;
			p += k;
		}
	}
	return NULL;
}

/* The value of the -H line naming name, or NULL. */
static const char *
user_header(const char *name)
{
	size_t n = strlen(name);

	for (struct curl_slist *l = opt.headers; l; l = l->next)
		if (!strncasecmp(l->data, name, n) && l->data[n] == ':')
			return l->data + n + 1 + strspn(l->data + n + 1, " \t");
	return NULL;
}

static void
protocol_list(char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; i < opt.nprotocols && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? ", " : "",
		    opt.protocols[i]);
}

static void
refuse(struct srv_client *sc, int status, const char *why)
{
	struct show_request r = {
		.id = sc->id, .addr = sc->addr,
		.req = sc->head_len ? &sc->req : NULL, .status = status,
		.why = why, .tls = sc->tls[0] ? sc->tls : NULL,
		.cert = sc->cert[0] ? sc->cert : NULL,
	};

	show_request(&r);
	srv_refuse(sc, status, why);
}

static void
clients_request(struct srv_client *sc)
{
	const char *proto, *extra_lines[6] = { NULL }, *forced;
	const char *hdrs[256];
	char resp[UP_MAX_HEAD], ext[512] = "", why[512] = "", desc[256];
	char list[1024], note[2100], note2[600], note3[600], any[256];
	char replaced[256] = "";
	struct pmd_agreed agreed;
	struct client *cl;
	size_t nh = 0, nx = 0;
	long n;

	if (run_ending()) {
		refuse(sc, 503, "wscli is shutting down");
		return;
	}
	if (sc->status != 0) {
		refuse(sc, sc->status, sc->why);
		return;
	}
	proto = choose_protocol(sc->offer.protocols, any, sizeof any);
	/* -H replaces what wscli would answer: the subprotocol too */
	if ((forced = user_header("Sec-WebSocket-Protocol")) != NULL)
		proto = *forced ? forced : NULL;
	if (proto == NULL && srv_opt.require_protocol && forced == NULL) {
		char msg[1200];

		protocol_list(list, sizeof list);
		snprintf(msg, sizeof msg, "no subprotocol in common: the client "
		    "offers %s%s%s, wscli accepts %s (--require-protocol)",
		    sc->offer.protocols ? "'" : "none", sc->offer.protocols ?
		    sc->offer.protocols : "", sc->offer.protocols ? "'" : "",
		    list);
		refuse(sc, 400, msg);
		return;
	}
	if (proto == NULL && sc->offer.protocols && forced == NULL) {
		/* browsers, ws and wscat then fail the connection (1006):
		 * say so now, and again if it happens */
		protocol_list(list, sizeof list);
		snprintf(note, sizeof note, "the client offers subprotocols %.600s "
		    "and none is chosen (%s%s): most clients then fail the "
		    "connection; -s NAME accepts one, -s '*' the first offered",
		    sc->offer.protocols, opt.nprotocols ? "none is one of -s " :
		    "no -s", opt.nprotocols ? list : "");
		extra_lines[nx++] = note;
	}
	for (size_t i = 0; i < 4; i++) {
		static const char *const own[] = { "Upgrade", "Connection",
		    "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol" };
		size_t rl = strlen(replaced);

		if (user_header(own[i]))
			snprintf(replaced + rl, sizeof replaced - rl, "%s%s",
			    rl ? ", " : "", own[i]);
	}
	if (replaced[0]) {
		snprintf(note3, sizeof note3, "-H replaced %s in the 101: "
		    "the values sent are -H's", replaced);
		extra_lines[nx++] = note3;
	}
	cl = calloc(1, sizeof *cl);
	if (cl == NULL) {
		refuse(sc, 500, "out of memory");
		return;
	}
	if (sc->offer.extensions && opt.deflate) {
		int rc = pmd_server_accept(sc->offer.extensions,
		    strlen(sc->offer.extensions), &agreed, ext, sizeof ext, why,
		    sizeof why);

		if (rc < 0) {
			char msg[700];

			client_discard(cl);
			snprintf(msg, sizeof msg, "invalid "
			    "Sec-WebSocket-Extensions: %s", why);
			refuse(sc, 400, msg);
			return;
		}
		if (rc == 1 && (cl->pmd = pmd_new(&agreed, 0)) == NULL) {
			client_discard(cl);
			refuse(sc, 500, "out of memory");
			return;
		}
		if (rc == 0)
			ext[0] = '\0';
		if (why[0]) {
			snprintf(note2, sizeof note2, "permessage-deflate: %s",
			    why);
			extra_lines[nx++] = note2;
		}
	} else if (sc->offer.extensions) {
		extra_lines[nx++] = "extensions declined: wscli accepts "
		    "permessage-deflate with --deflate";
	}
	for (struct curl_slist *l = opt.headers; l && nh < 256; l = l->next)
		hdrs[nh++] = l->data;
	n = up_build_101(resp, sizeof resp, sc->offer.key, sc->offer.key_len,
	    proto, ext[0] ? ext : NULL, hdrs, nh);
	if (n < 0) {
		client_discard(cl);
		refuse(sc, 500, "cannot build the 101 response (a -H header "
		    "too long?)");
		return;
	}
	cl->protocol = proto ? xstrdup(proto) : NULL;
	if (proto == NULL && sc->offer.protocols && forced == NULL)
		cl->unanswered = xstrdup(sc->offer.protocols);
	cl->target = xstrndup(sc->req.target, sc->req.target_len);
	snprintf(cl->addr, sizeof cl->addr, "%s", sc->addr);
	sc->ud = cl;
	{
		struct show_request r = {
			.id = sc->id, .addr = sc->addr, .req = &sc->req,
			.status = 101, .protocol = proto,
			.extensions = ext[0] ? ext : NULL,
			.deflate = cl->pmd ? pmd_describe(&agreed, desc,
			    sizeof desc) : NULL,
			.tls = sc->tls[0] ? sc->tls : NULL,
			.cert = sc->cert[0] ? sc->cert : NULL,
			.extra = extra_lines,
		};

		show_request(&r);
	}
	srv_answer(sc, resp, (size_t)n, 1);
}

static void
clients_upgraded(struct srv_client *sc)
{
	struct client *cl = sc->ud;
	const struct proto *proto = proto_chosen(cl->protocol);
	struct conn_config cfg;
	const uint8_t *early;
	size_t nearly;

	sc->ud = NULL;
	snprintf(cl->label, sizeof cl->label, "client %d: ", sc->id);
	cfg = S.ccfg;
	cfg.ud = cl;
	cfg.label = cl->label;
	cfg.id = sc->id;
	if (proto) {
		cfg.ops = &proto_client_ops;
		cfg.close_name = proto->close_name;
	}
	show_msg_init(&cl->m);
	/* kept whole: for stdout, --echo, --broadcast, --until */
	if (!opt.interactive || srv_opt.echo || srv_opt.broadcast ||
	    record_on())
		cl->m.cap = S.keep;
	cl->m.whole = !opt.interactive && !opt.jsonl;
	cl->c = conn_new(&cfg, sc->tr, cl->pmd);
	sc->tr = NULL;
	cl->pmd = NULL;
	cl->open = 1;
	cl->prev = S.last;
	if (S.last)
		S.last->next = cl;
	else
		S.clients = cl;
	S.last = cl;
	S.nclients++;
	S.had_client = 1;
	craft_walk_init(&cl->crafted, WS_ROLE_SERVER);
	cl->pc = proto_conn_new(proto, cl->c, 0);
	proto_set_subprotocol(cl->pc, cl->protocol);
	proto_open(cl->pc);
	S.unsent_opening += opening_send(cl->c, &cl->crafted);
	early = srv_early(sc, &nearly);
	conn_feed(cl->c, early, nearly);
}

static void
clients_gone(struct srv_client *sc, const char *why)
{
	if (why) {
		char label[32];

		snprintf(label, sizeof label, "client %d: ", sc->id);
		show_gone(label, sc->addr, why);
	}
	if (sc->ud)
		client_discard(sc->ud);
	sc->ud = NULL;
}

static const struct srv_hooks hooks = {
	.request = clients_request,
	.upgraded = clients_upgraded,
	.gone = clients_gone,
};

/* ------------------------------------------------------------- ending */

static int
clients_count(void)
{
	return S.nclients;
}

static void
close_all(unsigned code, int exit)
{
	for (struct client *cl = S.clients; cl; cl = cl->next)
		if (cl->open && !conn_done(cl->c) && !conn_close_sent(cl->c))
			conn_close(cl->c, code, NULL, 0);
}

static void
abort_all(int exit, const char *why)
{
	struct client *cl;

	while ((cl = S.clients) != NULL)
		conn_abort(cl->c, exit, why); /* ev_ended unlinks it */
}

/* A signal ends the run: what stdin still holds is not waited for. */
static void
input_end(void)
{
	S.stdin_eof = 1;
}

/* -------------------------------------------------------------- stdin */

/* A whole stdin line (or all of stdin with --no-split) to every client. */
static void
send_line(const uint8_t *p, size_t n)
{
	unsigned op = opt.binary ? WS_OP_BINARY : WS_OP_TEXT;
	size_t bad;

	if (op == WS_OP_TEXT && !ws_utf8_valid(p, n, &bad)) {
		if (opt.no_split) /* one message, not lines */
			diag("standard input: not valid UTF-8 at byte %zu; "
			    "not sent", bad + 1);
		else
			diag("line %" PRIu64 ": not valid UTF-8 at byte %zu; "
			    "not sent", S.lineno, bad + 1);
		S.skipped++;
		return;
	}
	for (struct client *cl = S.clients; cl; cl = cl->next) {
		/* the protocol says what a line is, to each client */
		if (cl->pc && usable(cl) && proto_line_piece(cl->pc, S.lineno,
		    p, n, 1) != 0) {
			S.skipped++;
			return;
		}
		if (cl->pc == NULL)
			client_send(cl, op, p, n);
	}
}

static void
on_line_piece(void *ctx, uint64_t lineno, const uint8_t *p, size_t len,
    int fin)
{
	S.lineno = lineno;
	if (!S.line_skip && S.line_len + len > LINE_MAX_LISTEN) {
		diag("line %" PRIu64 ": longer than %d MiB; not sent (listen "
		    "mode sends lines whole)", lineno, LINE_MAX_LISTEN >> 20);
		S.skipped++;
		S.line_skip = 1;
	}
	if (!S.line_skip) {
		if (S.line_len + len > S.line_cap) {
			while (S.line_cap < S.line_len + len)
				S.line_cap = S.line_cap ? S.line_cap * 2 : 4096;
			S.line = xrealloc(S.line, S.line_cap);
		}
		memcpy(S.line + S.line_len, p, len);
		S.line_len += len;
	}
	if (!fin)
		return;
	if (!S.line_skip)
		send_line(S.line, S.line_len);
	S.line_len = 0;
	S.line_skip = 0;
	if (S.line_cap > 1024 * 1024) {
		free(S.line);
		S.line = NULL;
		S.line_cap = 0;
	}
}

/* Pass what stdin gave to the clients. */
static void
stdin_feed(void)
{
	size_t used;

	if (opt.no_split) {
		if (S.lineno == 0)
			S.lineno = 1;
		if (S.ilen > 0 || S.stdin_eof)
			on_line_piece(NULL, 1, S.ibuf, S.ilen, S.stdin_eof);
		S.ilen = 0;
		return;
	}
	S.split.nul = opt.null_sep; /* -0: NUL ends a message */
	used = linesplit_feed(&S.split, S.ibuf, S.ilen, STDIN_BUF, S.stdin_eof,
	    on_line_piece, NULL);
	S.ilen -= used;
	memmove(S.ibuf, S.ibuf + used, S.ilen);
}

static void
stdin_read(void)
{
	/* every line is copied to every client at once: with many
	 * clients, read less at a time */
	size_t want = STDIN_BUF - S.ilen;
	size_t most = S.nclients > 0 ? STDIN_BUF / (size_t)S.nclients : want;
	ssize_t r;

	if (most < READ_PER_CLIENT)
		most = READ_PER_CLIENT;
	r = read(STDIN_FILENO, S.ibuf + S.ilen, want < most ? want : most);

	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		diag("cannot read stdin: %s", strerror(errno));
		S.stdin_error = 1;
		r = 0;
	}
	if (r == 0)
		S.stdin_eof = 1;
	S.ilen += (size_t)r;
}

/* Whether stdin is read (scripted): while some client takes more, or
 * (none yet) to learn whether there is input at all. Lines read wait for
 * a client. */
static int
reading_stdin(void)
{
	if (S.stdin_eof || run_ending())
		return 0;
	if (S.nclients == 0)
		return S.ilen == 0;
	for (struct client *cl = S.clients; cl; cl = cl->next)
		if (usable(cl) && conn_queued(cl->c) < QUEUE_LOW)
			return S.ilen < STDIN_BUF;
	return 0;
}

/* ------------------------------------------------------- REPL actions */

/* The clients typed lines go to. Returns how many; why when none. */
static int
targets(struct client **out, int max, const char **why)
{
	int n = 0;

	if (S.target > 0) {
		struct client *cl = find_client(S.target);

		if (cl == NULL) {
			*why = "that client is gone (/all, or /to another)";
			return 0;
		}
		if (!usable(cl)) {
			*why = "that client's connection is closing";
			return 0;
		}
		out[0] = cl;
		return 1;
	}
	for (struct client *cl = S.clients; cl && n < max; cl = cl->next)
		if (usable(cl))
			out[n++] = cl;
	if (n == 0)
		*why = S.nclients ? "every client's connection is closing" :
		    "no client is connected";
	return n;
}

static struct client **tbuf;

static int
targets_all(const char **why)
{
	tbuf = xrealloc(tbuf, (size_t)(S.nclients + 1) * sizeof *tbuf);
	return targets(tbuf, S.nclients + 1, why);
}

static int
clients_send_message(unsigned opcode, const uint8_t *p, size_t n,
    const char **why)
{
	int k = targets_all(why), sent = 0;

	for (int i = 0; i < k; i++)
		sent += client_send(tbuf[i], opcode, p, n) == 0;
	if (k > 0 && sent == 0)
		*why = "not reading: the connection is being closed (1008)";
	return sent ? 0 : -1;
}

static int
clients_send_control(unsigned opcode, const uint8_t *p, size_t n,
    const char **why)
{
	int k = targets_all(why), sent = 0;

	for (int i = 0; i < k; i++)
		if (conn_send_control(tbuf[i]->c, opcode, p, n) == 0) {
			show_control_out(tbuf[i]->c, opcode, p, n);
			sent++;
		}
	return sent ? 0 : -1;
}

/* Crafted bytes to each chosen client, shown as each reads them; a CLOSE
 * among them counts as wscli's close of that client. */
static int
clients_send_raw(const uint8_t *p, size_t n, const char **why)
{
	int k = targets_all(why), sent = 0;
	long code;

	for (int i = 0; i < k; i++) {
		struct client *cl = tbuf[i];

		if (conn_send_raw(cl->c, p, n) != 0)
			continue;
		sent++;
		if (show_crafted(cl->c, &cl->crafted, p, n, &code))
			conn_close_crafted(cl->c, (unsigned)code);
	}
	return sent ? 0 : -1;
}

static int
clients_close(unsigned code, const char *reason, const char **why)
{
	int k = targets_all(why), sent = 0;

	for (int i = 0; i < k; i++)
		sent += conn_close(tbuf[i]->c, code, (const uint8_t *)reason,
		    reason ? strlen(reason) : 0) == 0;
	return sent ? 0 : -1;
}

static int
clients_send_file(int fd, uint64_t size, int text, const char **why)
{
	uint8_t *buf;
	size_t got;
	int k, rc;

	if ((buf = servecmd_read_file(fd, size, &got, why)) == NULL)
		return -1;
	k = targets_all(why);
	rc = -1;
	for (int i = 0; i < k; i++)
		if (client_send(tbuf[i], text ? WS_OP_TEXT : WS_OP_BINARY, buf,
		    got) == 0)
			rc = 0;
	free(buf);
	return rc;
}

static struct conn *
clients_target(void)
{
	if (S.target > 0) {
		struct client *cl = find_client(S.target);

		return cl ? cl->c : NULL;
	}
	return S.nclients == 1 ? S.clients->c : NULL;
}

static struct conn *
clients_nth(int i)
{
	for (struct client *cl = S.clients; cl; cl = cl->next)
		if (i-- == 0)
			return cl->c;
	return NULL;
}

static void
clients_settings(void)
{
	for (struct client *cl = S.clients; cl; cl = cl->next) {
		conn_set_show_frames(cl->c, view.frames);
		conn_set_compress(cl->c, opt.compress);
	}
}

static void
clients_quit(void)
{
	run_end_all(WS_CLOSE_NORMAL, EXIT_OK, "/quit");
}

static void
clients_to(const char *arg)
{
	const char *end;
	int id = servecmd_parse_id(arg, &end);
	struct client *cl;
	char prompt[24];

	if (id <= 0 || (*end && *end != ' ')) {
		view_infof("/to: usage: /to ID (a client number, see "
		    "/list)");
		return;
	}
	cl = find_client(id);
	if (cl == NULL) {
		view_infof("/to: no client %d (see /list)", id);
		return;
	}
	S.target = id;
	snprintf(prompt, sizeof prompt, "%d> ", id);
	repl_set_prompt(prompt);
	view_infof("typed lines go to client %d (%s)", id, cl->addr);
}

static void
clients_list(void)
{
	double now = now_sec();

	if (S.nclients == 0) {
		view_infof("no client is connected (listening on %s)",
		    srv_bound());
		return;
	}
	view_infof("  %-4s %-22s %-16s %8s %18s %18s", "id", "address",
	    "protocol", "age", "received", "sent");
	for (struct client *cl = S.clients; cl; cl = cl->next) {
		const struct conn_stats *st = conn_stats(cl->c);
		char in[32], out[32];

		snprintf(in, sizeof in, "%" PRIu64 " msg %" PRIu64 " B",
		    st->msgs_in, st->bytes_in);
		snprintf(out, sizeof out, "%" PRIu64 " msg %" PRIu64 " B",
		    st->msgs_out, st->bytes_out);
		view_infof("%c %-4d %-22s %-16s %7.1fs %18s %18s%s",
		    S.target == conn_id(cl->c) ? '*' : ' ', conn_id(cl->c),
		    cl->addr,
		    cl->protocol ? cl->protocol : "-", now - st->opened_at, in,
		    out, conn_close_sent(cl->c) ? " (closing)" : "");
	}
	view_infof("typed lines go to %s", S.target ?
	    "the client marked *" : "all clients");
}

static void
clients_kick(int id, unsigned code, const char *reason)
{
	struct client *cl;

	cl = find_client(id);
	if (cl == NULL) {
		view_infof("/kick: no client %d (see /list)", id);
		return;
	}
	if (conn_close(cl->c, code, (const uint8_t *)reason,
	    strlen(reason)) != 0) {
		view_infof("/kick: client %d is already closing", id);
		return;
	}
	view_infof("client %d: closing with %u %s%s%s%s", id, code,
	    ws_close_code_name(code), *reason ? " \"" : "", reason,
	    *reason ? "\"" : "");
}

static void
clients_all(void)
{
	S.target = 0;
	repl_set_prompt("> ");
	view_infof("typed lines go to all clients (%d connected)",
	    S.nclients);
}

static const struct servecmd_ops clients_commands = {
	.to = clients_to,
	.all = clients_all,
	.list = clients_list,
	.kick = clients_kick,
};

/* The protocol's commands act on the clients typed lines go to. */
static int
clients_command(const char *name, const char *arg)
{
	const char *why;
	int n, done = -1;

	if (proto_opt.proto && proto_opt.proto->command) {
		n = targets_all(&why);
		for (int i = 0; i < n; i++)
			if (proto_command(tbuf[i]->pc, name, arg) == 0)
				done = 0;
		if (done == 0)
			return 0;
		if (n == 0 && proto_has_command(name)) {
			proto_reply(1, "/%s: %s", name, why);
			return 0;
		}
	}
	return servecmd_run(&clients_commands, name, arg);
}

static const char *const listen_help[] = {
	"/to ID", "typed lines and commands go to client ID",
	"/all", "typed lines and commands go to every client",
	"/list", "clients: id, address, subprotocol, age, counts",
	"/kick ID [CODE [REASON]]", "close client ID (default 1000)",
	NULL,
};

static struct repl_ops listen_repl = {
	.send_message = clients_send_message,
	.send_control = clients_send_control,
	.send_raw = clients_send_raw,
	.close = clients_close,
	.send_file = clients_send_file,
	.target = clients_target,
	.nth = clients_nth,
	.settings = clients_settings,
	.command = clients_command,
	.help = listen_help,
	.role = WS_ROLE_SERVER,
	.quit = clients_quit,
	.peer = "client",
	.quits = "stop listening and close every client",
};

/* -------------------------------------------------------------- turns */

static void
listen_prepare(double now, int *busy)
{
	/* lines read before a client came */
	if (!opt.interactive && S.ilen > 0 && S.nclients > 0)
		*busy = 1;
	/* --echo: read a client again once it has taken its echoes */
	for (size_t i = 0; i < S.nheld; i++) {
		struct client *cl = S.held[i];

		if (conn_queued(cl->c) < QUEUE_LOW) {
			conn_pause(cl->c, 0);
			unhold(i--);
			*busy = 1;
		}
	}
}

static void
listen_dispatch(double now)
{
	if (!opt.interactive && S.nclients > 0 && (S.ilen > 0 ||
	    (S.stdin_eof && (S.split.in_line || (opt.no_split &&
	    S.lineno == 0)))))
		stdin_feed();
	/* the reader of stdout went away: say goodbye, quickly */
	if ((out_gone() || out_failed()) && !run_ending()) {
		for (struct client *cl = S.clients; cl; cl = cl->next) {
			conn_set_close_timeout(cl->c, GONE_CLOSE_TIMEOUT, 0);
		}
		run_end_all(WS_CLOSE_GOING_AWAY, out_gone() ? EXIT_OK :
		    EXIT_ERROR, out_gone() ? "the reader of stdout" :
		    "an error writing stdout");
		for (struct client *cl = S.clients; cl; cl = cl->next)
			conn_set_close_timeout(cl->c, GONE_CLOSE_TIMEOUT, 1);
	}
}

/* ------------------------------------------------------------- the run */

/* What is still open at the end ends now. */
static void
finish(int exit)
{
	abort_all(EXIT_ERROR, "wscli ended");
}

static int
status(int exit)
{
	/* lines wait for a first client as long as the run lasts */
	if (!S.had_client && S.ilen > 0)
		diag("no client connected: standard input was not sent");
	if (S.skipped > 0 || S.stdin_error || S.unsent_opening > 0) {
		if (S.skipped)
			diag("%" PRIu64 " line%s refused", S.skipped,
			    S.skipped == 1 ? " was" : "s were");
		if (exit == EXIT_OK)
			exit = EXIT_ERROR;
	}
	return exit;
}

static const struct run_ops listen_serve = {
	.hooks = &hooks,
	.repl = &listen_repl,
	.count = clients_count,
	.close_all = close_all,
	.abort_all = abort_all,
	.finish = finish,
	.stdin_wanted = reading_stdin,
	.stdin_readable = stdin_read,
	.input_end = input_end,
	.prepare = listen_prepare,
	.dispatch = listen_dispatch,
	.status = status,
};

int
listen_run(void)
{
	int rc;

	if (opt.on_connect && opening_load(opt.on_connect) != 0)
		return EXIT_USAGE;
	S.ibuf = xrealloc(NULL, STDIN_BUF);
	S.ccfg = (struct conn_config){
		.role = WS_ROLE_SERVER,
		.ops = &client_ops,
		.max_message = opt.max_message,
		.close_timeout = opt.close_timeout,
		.show_frames = view.frames,
		.compress = opt.compress,
		.ping_interval = opt.ping_interval,
		.ping_timeout = opt.ping_timeout,
		.queue_keep = QUEUE_KEEP,
		.released = client_release,
	};
	listen_repl.help = proto_help_with(listen_help);
	S.keep = opt.max_message ? opt.max_message : KEEP_DEFAULT;
	if (S.keep > SIZE_MAX / 2)
		S.keep = SIZE_MAX / 2;
	rc = run_main(&listen_serve);
	free(S.ibuf);
	free(S.line);
	free(S.held);
	free(tbuf);
	opening_free();
	return rc;
}
