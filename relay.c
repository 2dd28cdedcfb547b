/*
 * relay.c - relay mode: wscli between a client and its server.
 *
 * Each client accepted by listener.c gets its own upstream connection to
 * --forward URL, opened by dial.c's dialer with every client-mode option
 * (TLS, proxies, -H, credentials, unix socket). The client's path, query,
 * subprotocol offers and other headers go with it, hop-by-hop headers and
 * extension offers do not (permessage-deflate is negotiated on each side
 * separately with --deflate). The upstream's answer decides the client's:
 * a 101 with the subprotocol it chose, or its refusal, status and body.
 * That translation of the handshake is relayhead.c's; this file pairs the
 * connections and pumps the frames.
 *
 * Then the pair is two struct conn in relay mode: every frame either side
 * receives is decoded and checked (a tolerant decoder: a violation is
 * named with its direction, the frame still passes unless --strict) and
 * forwarded as it came, header bytes included: fragmentation, opcodes,
 * masks, ping payloads, close codes and reasons are the same on the other
 * side. With permessage-deflate on either side data goes on as messages
 * instead, inflated and compressed again. A side is read, and inflated,
 * only while less than RELAY_HIGH bytes wait for the other (conn.c stops
 * inflating where the pause comes), so memory stays bounded whatever
 * either peer does.
 *
 * What passes is shown as a log: one line per message (or, with --frames,
 * per frame) with the pair's id, its direction and the time since the
 * previous line; --jsonl makes it one event each, enough to replay.
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

#include <curl/curl.h>

#include "dial.h"
#include "conn.h"
#include "craft.h"
#include "deflate.h"
#include "display.h"
#include "frame.h"
#include "loop.h"
#include "output.h"
#include "proto.h"
#include "relay.h"
#include "record.h"
#include "relayhead.h"
#include "repl.h"
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

#define RELAY_HIGH (1024 * 1024)       /* stop reading a side above */
#define RELAY_LOW (256 * 1024)         /* ... until the other is below */
#define TEXT_SHOWN 256                 /* bytes of a text on a log line */
#define KEEP_LOG TEXT_SHOWN            /* bytes of a message kept for it */
#define KEEP_JSONL (16 * 1024 * 1024)  /* ... for a --jsonl event */
#define QUEUE_KEEP 2048                /* an idle side's queue keeps no more
					  than small messages need: thousands
					  may be idle */
#define STRICT_HOLD (1024 * 1024)      /* --strict: a data frame up to this
					  size is checked whole before any
					  of it is relayed */

/* ---------------------------------------------------------- the pairs */

struct pair;

struct side {
	struct conn *c;            /* relay mode; NULL until open */
	struct proto_conn *pc;     /* --proto: decodes what it receives */
	struct pair *pair;
	struct side *other;
	const char *name;          /* "client" or "server": its peer */
	const char *dir;           /* where what it receives goes */
	char label[48];            /* "relay 3 client>server: " */
	int open;                  /* c is set up */
	int ended;
	int held;                  /* not read until the pair is complete */
	int paced;                 /* in S.paced: paused for the other */
	int deflate;               /* its data goes on as messages */
	int wscli_closed;          /* wscli sent its own CLOSE on it */
	struct craft_walk crafted; /* its peer's view of crafted bytes */
	int broke;                 /* it broke the protocol: the other side
				      is closed after its own close */
	/* what it receives, for the log */
	uint8_t *mbuf;             /* the head of the message */
	size_t mlen, mcap;
	uint8_t peek[CONN_PEEK];   /* the start of the frame */
	size_t npeek;
	uint8_t *fbuf;             /* --jsonl --frames: the frame's payload */
	size_t flen, fcap;
	int holding;               /* --strict: the frame is held back */
	uint8_t hraw[WS_MAX_HEADER]; /* ... its header */
	struct ws_frame_header hh;
	uint8_t *hbuf;             /* ... and its payload so far */
	size_t hlen, hcap;
	uint64_t msgs;             /* messages it passed on */
	int unrelayed;             /* the message being received is not
				      passed on (the other side is
				      closing or gone) */
};

struct pair {
	int id;
	char label[32];            /* "relay 3: " */
	char addr[80];             /* the client's */
	struct srv_client *sc;     /* until the client's 101 is out */
	struct dial *dial;         /* until the server has answered */
	int refused_exit;          /* the server could not be had: the
				      status (with --once, the run's) */
	struct rh_upstream ask;    /* what the server is asked */
	char *protocol;            /* chosen by the server */
	struct pmd *cli_pmd;       /* agreed with the client, until it opens */
	struct pmd_agreed cli_agreed, up_agreed;
	int cli_deflate, up_deflate;
	uint8_t *up_early;         /* bytes that came after the server's 101 */
	size_t up_nearly;
	struct side cli, up;
	double opened_at;
	double last_at;            /* of the last log line */
	int refs;                  /* sides whose sources are not released */
	int over;                  /* pair_end has run */
	unsigned violations;
	char first_close[1700];   /* who closed first, and how */
	char answer_close[1700];  /* what followed: answers, wscli's closes */
	const char *closed_by;    /* "client", "server" or "wscli" */
	struct pair *next, *prev;
};

static struct {
	struct pair *pairs;
	struct pair *last;
	int npairs;
	struct side **paced;       /* paused until the other side takes
				      more: looked at each turn */
	size_t npaced, pacedcap;
	uint64_t relayed;          /* messages, for -n */
	int target;                /* REPL: pair id, 0 none */
	int target_server;         /* ... its server side, else its client */
	int count_reached;         /* -n: the count is reached */
	int end_pending;           /* -n or --until: end once the frame that
				      ended it is relayed */
	const char *end_what;      /* ... which of them */
	char *forward_path, *forward_query;
} S;

static void side_ended(struct conn *c);
static void broke_close_other(struct side *s);

static struct pair *
find_pair(int id)
{
	for (struct pair *p = S.pairs; p; p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}

static void
pair_release(struct pair *p)
{
	if (--p->refs > 0)
		return;
	rh_upstream_free(&p->ask);
	free(p->protocol);
	free(p->up_early);
	if (p->cli_pmd)
		pmd_free(p->cli_pmd);
	free(p->cli.mbuf);
	free(p->up.mbuf);
	free(p->cli.fbuf);
	free(p->up.fbuf);
	free(p->cli.hbuf);
	free(p->up.hbuf);
	free(p);
}

static void
side_release(void *ud)
{
	struct side *sd = ud;

	pair_release(sd->pair);
}

static void
unpace(size_t i)
{
	S.paced[i]->paced = 0;
	S.paced[i] = S.paced[--S.npaced];
}

static void
unlink_pair(struct pair *p)
{
	if (p->cli.paced || p->up.paced)
		for (size_t i = 0; i < S.npaced; i++)
			if (S.paced[i]->pair == p)
				unpace(i--);
	if (p->prev == NULL && S.pairs != p)
		return; /* not linked */
	if (p->prev)
		p->prev->next = p->next;
	else
		S.pairs = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		S.last = p->prev;
	p->next = p->prev = NULL;
	S.npairs--;
}

/* ---------------------------------------------------------------- log */

/* What every event of a side has: its pair, direction, times. */
static struct show_relayed
relayed_event(struct side *s, const char *event, const char *dir)
{
	struct show_relayed e = {
		.event = event, .id = s->pair->id, .dir = dir ? dir : s->dir,
		.last_at = &s->pair->last_at, .opened_at = s->pair->opened_at,
		.relayed = 1,
	};

	return e;
}

/* A data message as it passed. */
static void
log_message(struct side *s, int unshown)
{
	const struct conn_in *in = conn_in(s->c);
	struct show_relayed e = relayed_event(s, "message", NULL);

	e.opcode = in->opcode;
	e.p = s->mbuf;
	e.n = s->mlen;
	e.size = in->len;
	e.frags = in->frags;
	e.compressed = in->compressed;
	e.wire = in->wire;
	e.relayed = !s->unrelayed;
	if (s->unrelayed)
		e.note = "not relayed: the other side is closing or gone";
	e.unshown = unshown;
	show_relayed(&e);
}

/* A control frame as it passed, or not (relayed 0: a pong to wscli's own
 * ping, a close that answers wscli's). */
static void
log_control(struct side *s, const struct conn_piece *fp, int relayed,
    int unshown)
{
	unsigned op = fp->h->opcode;
	const char *name = ws_opcode_name(op);
	struct show_relayed e = relayed_event(s, strcmp(name, "reserved") ?
	    name : "control", NULL);
	char note[128];

	e.opcode = op;
	e.size = fp->h->length;
	e.p = fp->p;
	e.n = fp->n;
	if (op == WS_OP_CLOSE) {
		e.code = fp->n >= 2 ? (unsigned)fp->p[0] << 8 | fp->p[1] :
		    WS_CLOSE_NO_STATUS;
		e.p = fp->p + (fp->n >= 2 ? 2 : 0);
		e.n = fp->n >= 2 ? fp->n - 2 : 0;
	}
	e.relayed = relayed;
	e.ours = fp->ours;
	if (fp->ours) {
		snprintf(note, sizeof note, "answers wscli's ping, rtt %.3f ms; "
		    "not relayed", conn_stats(s->c)->rtt_last * 1000);
		e.note = note;
	} else if (!relayed && op == WS_OP_CLOSE && s->wscli_closed) {
		e.note = "answers wscli's close; not relayed";
	} else if (!relayed) {
		snprintf(note, sizeof note, "not relayed: the %s's side is "
		    "closing or gone", s->other->name);
		e.note = note;
	}
	e.unshown = unshown;
	show_relayed(&e);
}

/* wscli's own CLOSE to a side, as it is queued. */
static void
log_own_close(struct side *s, unsigned code, const uint8_t *reason,
    size_t n)
{
	char dir[16];
	struct show_relayed e;

	snprintf(dir, sizeof dir, "wscli>%s", s->name);
	e = relayed_event(s, "close", dir);
	e.opcode = WS_OP_CLOSE;
	e.size = code == WS_CLOSE_NO_STATUS ? 0 : 2 + n;
	e.code = code;
	e.p = reason;
	e.n = n;
	e.by = "wscli";
	show_relayed(&e);
}

/* --frames: a frame as it passed, once complete. */
static void
log_frame(struct side *s, const struct ws_frame_header *h)
{
	struct show_relayed e = relayed_event(s, "frame", NULL);

	e.h = h;
	e.opcode = conn_in(s->c)->opcode;
	e.compressed = conn_in(s->c)->compressed;
	e.p = s->fbuf;
	e.n = s->flen;
	e.peek = s->peek;
	e.npeek = s->npeek;
	show_relayed(&e);
}

static void log_lines(struct pair *p, const char *title, const char *head,
    int is_head);

/* Lines of a head (request or response) as sent or received. */
static void
log_head(struct pair *p, const char *title, const char *head)
{
	log_lines(p, title, head, 1);
}

/* Lines of text under a title; a head ends at its blank line (head),
 * a body does not. */
static void
log_lines(struct pair *p, const char *title, const char *head, int is_head)
{
	char esc[8192];

	if (opt.jsonl || head == NULL)
		return;
	info("%s%s", p->label, title);
	while (*head) {
		size_t n = strcspn(head, "\r\n");

		if (n == 0 && is_head)
			break;
		disp_escape_str(esc, sizeof esc, (const uint8_t *)head, n, 0);
		info("%s  %s", p->label, esc);
		head += n;
		head += strspn(head, "\r");
		if (*head == '\n')
			head++;
	}
}

/* ---------------------------------------------------------- side events */

/* The other side can take what this one receives. */
static int
can_take(const struct side *o)
{
	return o->open && !o->ended && !conn_done(o->c) &&
	    !conn_dropping(o->c) && !o->wscli_closed;
}

/* Read a side only as fast as the other takes it. */
static void
pace(struct side *s)
{
	if (!can_take(s->other) || conn_queued(s->other->c) <= RELAY_HIGH)
		return;
	conn_pause(s->c, 1);
	if (s->paced)
		return;
	if (S.npaced == S.pacedcap) {
		S.pacedcap = S.pacedcap ? S.pacedcap * 2 : 64;
		S.paced = xrealloc(S.paced, S.pacedcap * sizeof *S.paced);
	}
	S.paced[S.npaced++] = s;
	s->paced = 1;
}

static void
keep(uint8_t **buf, size_t *len, size_t *cap, size_t most, const uint8_t *p,
    size_t n)
{
	size_t k = *len < most ? most - *len : 0;

	if (k > n)
		k = n;
	if (k == 0)
		return;
	if (*len + k > *cap) {
		size_t c = *cap ? *cap : 256;

		while (c < *len + k)
			c *= 2;
		*buf = xrealloc(*buf, c);
		*cap = c;
	}
	memcpy(*buf + *len, p, k);
	*len += k;
}

/* The story of how a pair closed: who began (a peer or wscli itself) and
 * what followed, for the line at its end. */
static void
close_story(struct pair *p, const char *who, const char *what, int ours,
    const char *side)
{
	char *a = p->answer_close;
	size_t o = strlen(a);

	if (p->first_close[0] == '\0') {
		p->closed_by = who;
		if (ours)
			snprintf(p->first_close, sizeof p->first_close,
			    "wscli closed first, the %s side with %s", side,
			    what);
		else
			snprintf(p->first_close, sizeof p->first_close,
			    "the %s closed first with %s", who, what);
		return;
	}
	if (ours)
		snprintf(a + o, sizeof p->answer_close - o, "%swscli closed "
		    "the %s side with %s", o ? ", " : "", side, what);
	else
		snprintf(a + o, sizeof p->answer_close - o, "%sthe %s "
		    "answered %s", o ? ", " : "", who, what);
}

/* wscli's own CLOSE on a side (/close, /kick, the end of the run, -n,
 * --until, --strict): relayed closes do not come here. */
static void
ev_close(struct conn *c, char dir, unsigned code, const uint8_t *reason,
    size_t n)
{
	struct side *s = conn_ud(c);
	char what[WS_MAX_CONTROL_PAYLOAD * 12 + 64];

	if (dir != '>')
		return;
	s->wscli_closed = 1;
	show_close_words(what, sizeof what, code, reason, n);
	close_story(s->pair, "wscli", what, 1, s->name);
	log_own_close(s, code, reason, n);
	if (s->broke)
		broke_close_other(s);
}

static void
ev_relay(struct conn *c, const struct conn_piece *fp)
{
	struct side *s = conn_ud(c), *o = s->other;
	const struct ws_frame_header *h = fp->h;
	int control = ws_opcode_is_control(h->opcode), relayed;

	if (fp->first) {
		s->npeek = 0;
		s->flen = 0;
	}
	if (fp->n > 0) {
		size_t k = CONN_PEEK - s->npeek < fp->n ? CONN_PEEK - s->npeek :
		    fp->n;

		memcpy(s->peek + s->npeek, fp->p, k);
		s->npeek += k;
		if (opt.jsonl && view.frames)
			keep(&s->fbuf, &s->flen, &s->fcap, KEEP_JSONL, fp->p,
			    fp->n);
	}
	/* who closed first, and how the other side answered */
	if (h->opcode == WS_OP_CLOSE && fp->last) {
		char what[WS_MAX_CONTROL_PAYLOAD * 12 + 64];

		show_close_words(what, sizeof what, fp->n >= 2 ?
		    (unsigned)fp->p[0] << 8 | fp->p[1] : WS_CLOSE_NO_STATUS,
		    fp->p + (fp->n >= 2 ? 2 : 0), fp->n >= 2 ? fp->n - 2 : 0);
		close_story(s->pair, s->name, what, 0, s->name);
	}
	/* forward: frames as they came, but data as messages when either
	 * side compresses, and never a pong to wscli's own ping */
	relayed = !fp->ours && can_take(o);
	if (!control && fp->first) {
		/* -n: no message begins to pass once the count is reached */
		if (h->opcode != WS_OP_CONT)
			s->unrelayed = S.count_reached;
		s->unrelayed |= !relayed;
	}
	if (!control && s->unrelayed)
		relayed = 0;
	if (!(s->deflate && !control) && relayed) {
		if (relay_opt.strict && !control && fp->first && !fp->last) {
			/* checked whole before any of it goes */
			s->holding = 1;
			s->hlen = 0;
			s->hh = *h;
			memcpy(s->hraw, fp->raw, h->header_size);
		} else if (s->holding && !fp->last && s->hlen + fp->n <=
		    STRICT_HOLD) {
			keep(&s->hbuf, &s->hlen, &s->hcap, STRICT_HOLD, fp->p,
			    fp->n);
		} else {
			if (s->holding) {
				/* complete, or too large to hold: what was
				 * held goes first */
				conn_relay_begin(o->c, s->hraw, &s->hh);
				conn_relay_data(o->c, s->hbuf, s->hlen);
				s->holding = 0;
			} else if (fp->first) {
				conn_relay_begin(o->c, fp->raw, h);
			}
			conn_relay_data(o->c, fp->p, fp->n);
			pace(s);
		}
	}
	if (!fp->last)
		return;
	if (view.frames)
		log_frame(s, h);
	if (control) /* with --frames, for --record only */
		log_control(s, fp, relayed, view.frames);
}

static void
ev_message_begin(struct conn *c)
{
	struct side *s = conn_ud(c);

	s->mlen = 0;
	if (s->pc)
		proto_message_begin(s->pc);
}

static void
ev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	struct side *s = conn_ud(c), *o = s->other;

	keep(&s->mbuf, &s->mlen, &s->mcap, opt.jsonl || record_on() ?
	    KEEP_JSONL : opt.until ? 1024 * 1024 : KEEP_LOG, p, n);
	if (s->pc)
		proto_message_data(s->pc, p, n);
	if (s->deflate && can_take(o) && !s->unrelayed) {
		conn_send_data(o->c, conn_in(c)->opcode, p, n, 0, 0);
		pace(s);
	}
}

static void
ev_message_end(struct conn *c)
{
	struct side *s = conn_ud(c), *o = s->other;

	if (s->deflate && can_take(o) && !s->unrelayed)
		conn_send_data(o->c, conn_in(c)->opcode, NULL, 0, 1, 0);
	if (!s->unrelayed) {
		s->msgs++;
		S.relayed++;
	}
	if (s->pc) { /* what it means, instead of what it is */
		proto_message_end(s->pc, 1);
		log_message(s, 1); /* what it is: for --record */
	} else {
		/* with --frames a compressed message is shown inflated as
		 * well: its frames show only what went on the wire */
		log_message(s, view.frames && !conn_in(c)->compressed);
	}
	if (conn_in(c)->opcode == WS_OP_TEXT && run_until_wanted()) {
		if (s->mlen + 1 > s->mcap) {
			s->mcap = s->mlen + 1;
			s->mbuf = xrealloc(s->mbuf, s->mcap);
		}
		s->mbuf[s->mlen] = '\0';
		if (run_until_match(s->pair->label, (char *)s->mbuf)) {
			S.end_pending = 1;
			S.end_what = "--until";
		}
	}
	if (opt.count && (long)S.relayed >= opt.count && !run_ending() &&
	    !S.end_pending) {
		S.count_reached = 1;
		S.end_pending = 1;
		S.end_what = "-n";
	}
}

/* Close o because s broke the protocol (--strict) or went away: politely
 * when nothing relayed to it is cut short. */
static void
close_other(struct side *o, unsigned code, const char *reason)
{
	if (!o->open || o->ended || conn_done(o->c) || o->wscli_closed)
		return;
	o->wscli_closed = 1;
	if (conn_mid_message(o->c)) {
		conn_drop_when_flushed(o->c, EXIT_ERROR, "dropped: a message "
		    "to it was cut short");
		return;
	}
	conn_close(o->c, code, (const uint8_t *)reason, strlen(reason));
}

/* The other side hears that its peer's partner broke the protocol. */
static void
broke_close_other(struct side *s)
{
	struct pair *p = s->pair;

	s->broke = 0;
	close_other(s->other, s->other == &p->cli ? 1014 : 1001,
	    s->other == &p->cli ? "the server broke the protocol" :
	    "the client broke the protocol");
}

static void
ev_violation(struct conn *c, unsigned code, const char *what, int fatal)
{
	struct side *s = conn_ud(c);
	struct pair *p = s->pair;

	p->violations++;
	diag("%sprotocol violation: %s (calls for %u %s); %s", s->label, what,
	    code, ws_close_code_name(code), fatal ? relay_opt.strict ? "--strict: "
	    "closing it" : "closing it: nothing more can be read" :
	    "relayed as sent");
	{
		struct show_relayed e = relayed_event(s, "violation", NULL);

		e.what = what;
		e.code = code;
		e.relayed = !fatal;
		show_relayed(&e);
	}
	if (fatal) {
		s->holding = 0; /* what was held back is not relayed */
		/* the other side is closed once conn.c has queued this one's
		 * close (ev_close): the story of the close begins with the
		 * side that broke the rule */
		s->broke = 1;
		if (conn_close_sent(c))
			broke_close_other(s);
		s->wscli_closed = 1;
	}
}

static const struct conn_ops side_ops = {
	.message_begin = ev_message_begin,
	.message_data = ev_message_data,
	.message_end = ev_message_end,
	.close = ev_close,
	.ended = side_ended,
	.relay = ev_relay,
	.violation = ev_violation,
};

/* ------------------------------------------------------- the pair ends */

static int
pair_status(const struct pair *p)
{
	int a = conn_exit(p->cli.c), b = conn_exit(p->up.c);

	if (p->violations || proto_violations(p->cli.pc) ||
	    proto_violations(p->up.pc))
		return EXIT_PROTOCOL;
	if (a < 0)
		a = EXIT_OK;
	if (b < 0)
		b = EXIT_OK;
	return a != EXIT_OK ? a : b;
}

static void
pair_end(struct pair *p)
{
	double age = now_sec() - p->opened_at;
	int status = pair_status(p);

	if (p->over)
		return;
	p->over = 1;
	unlink_pair(p);
	{
		struct show_pair_end e = {
			.id = p->id, .label = p->label, .age = age,
			.first = p->first_close, .answer = p->answer_close,
			.closed_by = p->closed_by,
			.client_why = conn_why(p->cli.c),
			.server_why = conn_why(p->up.c),
			.client_to_server = p->cli.msgs,
			.server_to_client = p->up.msgs,
			.violations = p->violations, .exit = status,
		};

		show_pair_end(&e);
	}
	/* the target stays: typed lines are refused, not sent elsewhere */
	if (S.target == p->id && opt.interactive)
		view_infof("connection %d is over: typed lines are not sent "
		    "until /to another", p->id);
	run_over(status);
	proto_conn_free(p->cli.pc);
	proto_conn_free(p->up.pc);
	p->cli.pc = p->up.pc = NULL;
	conn_free(p->cli.c);
	conn_free(p->up.c);
	pair_release(p); /* the pair's own reference */
}

static void
side_ended(struct conn *c)
{
	struct side *s = conn_ud(c), *o = s->other;
	struct pair *p = s->pair;
	int clean = conn_close_sent(c) && conn_close_received(c);

	s->ended = 1;
	if (can_take(o) && !conn_close_sent(o->c)) {
		/* no close is on its way to the other side: it ends the way
		 * this one did */
		if (clean || s->wscli_closed)
			close_other(o, WS_CLOSE_GOING_AWAY, "the other side "
			    "closed");
		else {
			o->wscli_closed = 1;
			conn_drop_when_flushed(o->c, conn_exit(c),
			    conn_exit(c) == EXIT_OK ? "dropped as the other "
			    "side was, the protocol's end" : "dropped: the "
			    "other side was lost");
			info("%sthe %s's connection is dropped as well",
			    p->label, o->name);
		}
	}
	/* a side paused for the other reads again: there is no other */
	conn_pause(o->c, 0);
	/* both conns are freed when the pair ends: until then, how each
	 * ended is the pair's to report */
	if ((!p->cli.open || p->cli.ended) && (!p->up.open || p->up.ended))
		pair_end(p);
}

/* ---------------------------------------------------------- handshake */

/* --jsonl: the connect event of a pair's client, once the server's
 * answer decided the client's. */
static void
connect_event(struct pair *p, int status, const char *why,
    const char *protocol, const char *extensions)
{
	struct srv_client *sc = p->sc;
	struct show_request r = {
		.id = sc->id, .addr = sc->addr, .req = &sc->req,
		.status = status, .why = why, .protocol = protocol,
		.extensions = extensions, .tls = sc->tls[0] ? sc->tls : NULL,
		.cert = sc->cert[0] ? sc->cert : NULL, .label = p->label,
		.answer_only = 1,
	};

	if (opt.jsonl)
		show_request(&r);
}

/* A pair that never opened: the server refused or could not be reached,
 * and the client was told so. */
static void
refused_end(struct pair *p, int status, int exit, const char *why)
{
	struct show_pair_end e = {
		.id = p->id, .label = p->label, .status = status, .why = why,
		.first = "", .answer = "", .exit = exit,
	};

	show_pair_end(&e);
}

static void
refuse(struct pair *p, struct srv_client *sc, int status, const char *why)
{
	struct show_request r = {
		.id = sc->id, .addr = sc->addr,
		.req = sc->head_len ? &sc->req : NULL, .status = status,
		.why = why, .tls = sc->tls[0] ? sc->tls : NULL,
		.cert = sc->cert[0] ? sc->cert : NULL,
	};
	char label[32];

	snprintf(label, sizeof label, "relay %d: ", sc->id);
	r.label = label;
	if (p == NULL) {
		show_request(&r);
	} else {
		diag("%sanswered the client %d %s: %s", p->label, status,
		    up_reason_phrase(status), why);
		connect_event(p, status, why, NULL, NULL);
	}
	srv_refuse(sc, status, why);
}

static void on_dialed(void *ud, struct dial_result *r);

static void
pairs_request(struct srv_client *sc)
{
	struct pair *p;
	struct dial_params dp = { 0 };
	struct rh_config cfg = {
		.forward = relay_opt.forward, .forward_path = S.forward_path,
		.forward_query = S.forward_query, .exact = relay_opt.exact,
		.rewrite_origin = relay_opt.rewrite_origin, .origin = opt.origin,
		.headers = opt.headers, .credentials = opt.user || opt.bearer,
		.deflate = opt.deflate,
	};

	dp.net = opts_dial_net();
	if (run_ending()) {
		refuse(NULL, sc, 503, "wscli is shutting down");
		return;
	}
	if (sc->status != 0) {
		refuse(NULL, sc, sc->status, sc->why);
		return;
	}
	p = calloc(1, sizeof *p);
	if (p == NULL) {
		refuse(NULL, sc, 500, "out of memory");
		return;
	}
	p->id = sc->id;
	p->refused_exit = -1;
	snprintf(p->label, sizeof p->label, "relay %d: ", p->id);
	snprintf(p->addr, sizeof p->addr, "%s", sc->addr);
	p->sc = sc;
	sc->ud = p;
	p->refs = 1;
	p->cli.pair = p->up.pair = p;
	p->cli.other = &p->up;
	p->up.other = &p->cli;
	p->cli.name = "client";
	p->up.name = "server";
	p->cli.dir = "client>server";
	p->up.dir = "server>client";
	snprintf(p->cli.label, sizeof p->cli.label, "relay %d client>server: ",
	    p->id);
	snprintf(p->up.label, sizeof p->up.label, "relay %d server>client: ",
	    p->id);
	if (rh_upstream_init(&p->ask, &cfg, &sc->req, &sc->offer) != 0) {
		sc->ud = NULL;
		pair_release(p);
		refuse(NULL, sc, 500, "out of memory");
		return;
	}
	{
		struct show_request r = {
			.id = sc->id, .addr = sc->addr, .req = &sc->req,
			.tls = sc->tls[0] ? sc->tls : NULL,
			.cert = sc->cert[0] ? sc->cert : NULL,
			.extra = p->ask.notes, .label = p->label,
		};

		show_request(&r);
	}
	if (p->ask.removed[0])
		info("%sheaders not passed on: %s", p->label, p->ask.removed);
	dp.url = relay_opt.forward; /* where to connect; what to ask: */
	dp.target = p->ask.target;
	dp.protocols = (const char *const *)p->ask.protocols;
	dp.nprotocols = p->ask.nprotocols;
	dp.deflate = opt.deflate ? &opt.deflate_offer : NULL;
	dp.origin = p->ask.origin;
	dp.headers = p->ask.hdrs;
	dp.nheaders = p->ask.nhdrs;
	dp.timeout = opt.connect_timeout;
	dp.verbose = opt.verbose;
	dp.quiet = 1; /* on_dialed says it all, after the heads */
	dp.label = p->label;
	p->dial = dial_start(&dp, on_dialed, p);
	if (p->dial == NULL) {
		sc->ud = NULL;
		pair_release(p);
		refuse(NULL, sc, 500, "out of memory");
	}
}

/* An upstream refusal, passed back with its status, headers and body. */
static void
pass_refusal(struct pair *p, struct dial_result *r)
{
	const struct up_head *h = &r->resp;
	size_t o;
	char *resp = rh_refusal(r, &o);

	diag("%sthe server refused the upgrade: HTTP/1.%d %ld %.*s; passed "
	    "back to the client%s", p->label, h->minor_version, r->status,
	    (int)h->reason_len, h->reason, r->body_more ? " (its body cut "
	    "at 4096 bytes)" : "");
	connect_event(p, (int)r->status, "the server's refusal, passed back",
	    NULL, NULL);
	srv_answer(p->sc, resp, o, 0);
	free(resp);
}

/* The client's 101: the server's choice of subprotocol, permessage-deflate
 * as agreed with the client, the server's other headers. */
static void
answer_101(struct pair *p, struct dial_result *r)
{
	struct srv_client *sc = p->sc;
	char ext[512] = "", why[512] = "", resp[UP_MAX_HEAD];
	long n;

	if (opt.deflate && sc->offer.extensions) {
		int rc = pmd_server_accept(sc->offer.extensions,
		    strlen(sc->offer.extensions), &p->cli_agreed, ext,
		    sizeof ext, why, sizeof why);

		if (rc == 1 && (p->cli_pmd = pmd_new(&p->cli_agreed, 0)) != NULL)
			p->cli_deflate = 1;
		else
			ext[0] = '\0';
	}
	n = rh_answer_101(resp, sizeof resp, &sc->offer, r, ext[0] ? ext :
	    NULL);
	if (n < 0) {
		refuse(p, sc, 502, "cannot build the 101 for the client from the "
		    "server's answer");
		return;
	}
	resp[n] = '\0';
	log_head(p, "response to the client:", resp);
	connect_event(p, 101, NULL, r->protocol, ext[0] ? ext : NULL);
	srv_answer(sc, resp, (size_t)n, 1);
}

/* What each side's conn is: the one place the options reach it. */
static struct conn_config
side_config(struct pair *p, struct side *sd, enum ws_role role)
{
	return (struct conn_config){
		.role = role,
		.ops = &side_ops,
		.ud = sd,
		.label = sd->label,
		.id = p->id,
		.close_timeout = opt.close_timeout,
		.compress = opt.compress,
		/* keepalive of each side on its own: the pongs that answer
		 * wscli's pings are not relayed */
		.ping_interval = opt.ping_interval,
		.ping_timeout = opt.ping_timeout,
		.relay = 1,
		.tolerant = !relay_opt.strict,
		.queue_keep = QUEUE_KEEP,
		.released = side_release,
	};
}

static void
on_dialed(void *ud, struct dial_result *r)
{
	struct pair *p = ud;
	struct conn_config cfg;
	char u[1024], title[1200];
	/* the dialer knows --forward's URL, or where a redirect led */
	const char *asked = r->url && strcmp(r->url, relay_opt.forward) ?
	    r->url : p->ask.url;

	p->dial = NULL;
	snprintf(title, sizeof title, "request to the server (%s):",
	    url_redacted(asked, u, sizeof u));
	log_head(p, title, r->request);
	log_head(p, "response from the server:", r->head);
	if (r->body_len > 0 && !opt.jsonl) {
		/* a refusal's body says why, as in client mode */
		char *b = xstrndup(r->body, r->body_len);

		snprintf(title, sizeof title, "its body (%s%zu bytes):",
		    r->body_more ? "first " : "", r->body_len);
		log_lines(p, title, b, 0);
		free(b);
	}
	show_upstream(p->id, url_redacted(asked, u, sizeof u), r);
	if (r->exit >= 0) {
		char why[600];

		p->refused_exit = r->exit;
		if (r->status > 0 && r->status != 101) {
			snprintf(why, sizeof why, "the server refused the "
			    "upgrade with %ld", r->status);
			pass_refusal(p, r);
			refused_end(p, (int)r->status, r->exit, why);
		} else {
			int status = rh_failure(r, why, sizeof why);

			refuse(p, p->sc, status, why);
			refused_end(p, status, r->exit, why);
		}
		return;
	}
	p->protocol = r->protocol ? xstrdup(r->protocol) : NULL;
	if (r->pmd) {
		p->up_deflate = 1;
		p->up_agreed = r->agreed;
	}
	/* the server's side waits for the client's */
	cfg = side_config(p, &p->up, WS_ROLE_CLIENT);
	craft_walk_init(&p->up.crafted, WS_ROLE_CLIENT);
	cfg.read_paused = 1;
	p->up.held = 1;
	p->up.c = conn_new(&cfg, r->tr, r->pmd);
	p->up.open = 1;
	p->refs++;
	r->tr = NULL;
	r->pmd = NULL;
	if (r->nearly) {
		p->up_early = r->early;
		p->up_nearly = r->nearly;
		r->early = NULL;
		r->nearly = 0;
	}
	answer_101(p, r);
}

static void
pairs_upgraded(struct srv_client *sc)
{
	struct pair *p = sc->ud;
	const struct proto *proto;
	struct conn_config cfg;
	const uint8_t *early;
	size_t nearly;
	char d1[256], d2[256];

	sc->ud = NULL;
	p->sc = NULL;
	cfg = side_config(p, &p->cli, WS_ROLE_SERVER);
	craft_walk_init(&p->cli.crafted, WS_ROLE_SERVER);
	p->cli.c = conn_new(&cfg, sc->tr, p->cli_pmd);
	sc->tr = NULL;
	p->cli_pmd = NULL;
	p->cli.open = 1;
	p->refs++;
	/* messages when either side compresses, frames as they are else */
	p->cli.deflate = p->up.deflate = p->cli_deflate || p->up_deflate;
	p->opened_at = now_sec();
	if ((proto = proto_chosen(p->protocol)) != NULL) {
		p->cli.pc = proto_conn_new(proto, p->cli.c, 1);
		p->up.pc = proto_conn_new(proto, p->up.c, 1);
		proto_watch_log(p->cli.pc, &p->last_at);
		proto_watch_log(p->up.pc, &p->last_at);
		proto_set_subprotocol(p->cli.pc, p->protocol);
		proto_set_subprotocol(p->up.pc, p->protocol);
		proto_pair(p->cli.pc, p->up.pc);
		proto_open(p->cli.pc);
		proto_open(p->up.pc);
	}
	p->prev = S.last;
	if (S.last)
		S.last->next = p;
	else
		S.pairs = p;
	S.last = p;
	S.npairs++;
	show_pair_open(p->id, p->label, p->addr, p->ask.url, p->protocol,
	    p->cli_deflate ? pmd_describe(&p->cli_agreed, d1, sizeof d1) :
	    NULL, p->up_deflate ? pmd_describe(&p->up_agreed, d2, sizeof d2) :
	    NULL, (const char *const *)p->ask.protocols, p->ask.nprotocols);

	/* what came early, each side now that both are there */
	early = srv_early(sc, &nearly);
	conn_feed(p->cli.c, early, nearly);
	p->up.held = 0;
	conn_pause(p->up.c, 0);
	if (p->up_nearly && !conn_done(p->up.c))
		conn_feed(p->up.c, p->up_early, p->up_nearly);
}

static void
pairs_gone(struct srv_client *sc, const char *why)
{
	struct pair *p = sc->ud;

	if (why) {
		char label[32];

		snprintf(label, sizeof label, "relay %d: ", sc->id);
		show_gone(label, sc->addr, why);
	}
	if (p == NULL)
		return;
	sc->ud = NULL;
	p->sc = NULL;
	if (p->dial) {
		dial_cancel(p->dial);
		p->dial = NULL;
	}
	p->over = 1; /* it never opened: nothing to report */
	if (p->up.open && !p->up.ended)
		conn_abort(p->up.c, EXIT_LOST, "the client went away before "
		    "its 101");
	/* the client got the server's refusal, or a 502: with --once that
	 * was the one connection */
	if (p->refused_exit >= 0)
		run_over(p->refused_exit);
	pair_release(p);
}

static const struct srv_hooks hooks = {
	.request = pairs_request,
	.upgraded = pairs_upgraded,
	.gone = pairs_gone,
};

/* ------------------------------------------------------------- ending */

static int
pairs_count(void)
{
	return S.npairs;
}

/* A side in the middle of a relayed message is dropped once what it was
 * sent is out: a CLOSE cannot cut into a message. */
static void
close_all(unsigned code, int exit)
{
	for (struct pair *p = S.pairs; p; p = p->next) {
		struct side *s[2] = { &p->cli, &p->up };

		for (int i = 0; i < 2; i++)
			if (s[i]->open && !s[i]->ended &&
			    !conn_close_sent(s[i]->c) && !s[i]->wscli_closed) {
				s[i]->wscli_closed = 1;
				if (conn_mid_message(s[i]->c))
					conn_drop_when_flushed(s[i]->c, exit,
					    "wscli is ending");
				else
					conn_close(s[i]->c, code, NULL, 0);
			}
	}
}

static void
abort_all(int exit, const char *why)
{
	struct pair *p;

	while ((p = S.pairs) != NULL) {
		p->refs++; /* both sides may end in here */
		if (p->cli.open && !p->cli.ended)
			conn_abort(p->cli.c, exit, why);
		if (p->up.open && !p->up.ended)
			conn_abort(p->up.c, exit, why);
		if (!p->over)
			pair_end(p);
		pair_release(p);
	}
}

/* ------------------------------------------------------- REPL actions */

static struct side *
target_side(const char **why)
{
	struct pair *p;

	if (S.target == 0) {
		*why = "choose a side first: /to ID client|server";
		return NULL;
	}
	p = find_pair(S.target);
	if (p == NULL) {
		*why = "that connection is over";
		return NULL;
	}
	return S.target_server ? &p->up : &p->cli;
}

/* wscli's own message to one side, between what is relayed. */
static int
inject(struct side *s, unsigned op, const uint8_t *p, size_t n,
    const char **why)
{
	char dir[24], body[TEXT_SHOWN * 12 + 64];

	if (!can_take(s)) {
		*why = "that side is closing or gone";
		return -1;
	}
	if (conn_mid_message(s->c)) {
		*why = "a fragmented message is being relayed to that side; "
		    "try again";
		return -1;
	}
	if (conn_send_data(s->c, op, p, n, 1, 0) != 0) {
		*why = "that side is closing";
		return -1;
	}
	show_payload_brief(body, sizeof body, p, n, n, op == WS_OP_TEXT);
	snprintf(dir, sizeof dir, "wscli>%s", s->name);
	show_log(s->pair->id, dir, &s->pair->last_at, op == WS_OP_TEXT ? "text" :
	    "binary", (int64_t)n, body);
	return 0;
}

/* Crafted bytes to one side, between the frames relayed to it: a line in
 * the log, then each frame as that side's peer reads it. A CLOSE among
 * them is wscli's close of that side. */
static int
pairs_send_raw(const uint8_t *p, size_t n, const char **why)
{
	struct side *s = target_side(why);
	char dir[24];
	long code;

	if (s == NULL)
		return -1;
	if (!can_take(s)) {
		*why = "that side is closing or gone";
		return -1;
	}
	if (conn_relaying_frame(s->c)) {
		*why = "a frame is being relayed to that side; try again";
		return -1;
	}
	if (conn_send_raw(s->c, p, n) != 0) {
		*why = "that side is closing or gone";
		return -1;
	}
	snprintf(dir, sizeof dir, "wscli>%s", s->name);
	show_log(s->pair->id, dir, &s->pair->last_at, "crafted", (int64_t)n,
	    "");
	if (show_crafted(s->c, &s->crafted, p, n, &code)) {
		s->wscli_closed = 1;
		conn_close_crafted(s->c, (unsigned)code);
	}
	return 0;
}

static int
pairs_send_message(unsigned opcode, const uint8_t *p, size_t n,
    const char **why)
{
	struct side *s = target_side(why);

	return s ? inject(s, opcode, p, n, why) : -1;
}

static int
pairs_send_control(unsigned opcode, const uint8_t *p, size_t n,
    const char **why)
{
	struct side *s = target_side(why);

	if (s == NULL)
		return -1;
	if (!can_take(s)) {
		*why = "that side is closing or gone";
		return -1;
	}
	return conn_send_control(s->c, opcode, p, n);
}

static int
pairs_close(unsigned code, const char *reason, const char **why)
{
	struct side *s = target_side(why);

	if (s == NULL)
		return -1;
	if (!can_take(s) || conn_close_sent(s->c)) {
		*why = "that side is closing or gone";
		return -1;
	}
	s->wscli_closed = 1;
	return conn_close(s->c, code, (const uint8_t *)reason,
	    reason ? strlen(reason) : 0);
}

static int
pairs_send_file(int fd, uint64_t size, int text, const char **why)
{
	struct side *s = target_side(why);
	uint8_t *buf;
	size_t got;
	int rc;

	if (s == NULL) {
		close(fd);
		return -1;
	}
	if ((buf = servecmd_read_file(fd, size, &got, why)) == NULL)
		return -1;
	rc = inject(s, text ? WS_OP_TEXT : WS_OP_BINARY, buf, got, why);
	free(buf);
	return rc;
}

static struct conn *
pairs_target(void)
{
	const char *why;
	struct side *s = target_side(&why);

	return s && s->open && !s->ended ? s->c : NULL;
}

static struct conn *
pairs_nth(int i)
{
	for (struct pair *p = S.pairs; p; p = p->next) {
		struct side *sd[2] = { &p->cli, &p->up };

		for (int k = 0; k < 2; k++)
			if (sd[k]->open && !sd[k]->ended && i-- == 0)
				return sd[k]->c;
	}
	return NULL;
}

static void
pairs_settings(void)
{
	for (struct pair *p = S.pairs; p; p = p->next) {
		conn_set_compress(p->cli.c, opt.compress);
		conn_set_compress(p->up.c, opt.compress);
	}
}

static void
pairs_quit(void)
{
	run_end_all(WS_CLOSE_NORMAL, EXIT_OK, "/quit");
}

/* "/to ID client|server [TEXT]" */
static void
pairs_to(const char *arg)
{
	char *end;
	long id;
	struct pair *p;
	int server;
	const char *text, *why = "";
	char prompt[32];

	errno = 0;
	id = strtol(arg, &end, 10);
	while (*end == ' ')
		end++;
	if (end == arg || errno || id <= 0 || (strncmp(end, "client", 6) &&
	    strncmp(end, "server", 6)) || (end[6] && end[6] != ' ')) {
		view_infof("/to: usage: /to ID client|server [TEXT]");
		return;
	}
	server = end[0] == 's';
	text = end + 6;
	if (*text == ' ')
		text++;
	p = find_pair((int)id);
	if (p == NULL) {
		view_infof("/to: no connection %ld (see /list)", id);
		return;
	}
	if (*text) {
		size_t bad;

		if (!ws_utf8_valid((const uint8_t *)text, strlen(text), &bad))
			view_infof("not sent: not valid UTF-8 at byte "
			    "%zu", bad + 1);
		else if (inject(server ? &p->up : &p->cli, WS_OP_TEXT,
		    (const uint8_t *)text, strlen(text), &why) != 0)
			view_infof("not sent: %s", why);
		return;
	}
	S.target = (int)id;
	S.target_server = server;
	snprintf(prompt, sizeof prompt, "%ld %s> ", id, server ? "server" :
	    "client");
	repl_set_prompt(prompt);
	view_infof("typed lines and commands go to the %s of connection "
	    "%ld", server ? "server" : "client", id);
}

static void
pairs_list(void)
{
	double now = now_sec();

	if (S.npairs == 0) {
		view_infof("no connection is being relayed (listening on "
		    "%s)", srv_bound());
		return;
	}
	view_infof("  %-3s %-22s     %s  %s  %s  %s", "id", "client",
	    "server", "subprotocol", "age", "messages");
	for (struct pair *p = S.pairs; p; p = p->next)
		view_infof("%c %-3d %-22s <-> %s  %s  %.1fs  client>server "
		    "%" PRIu64 " msg, server>client %" PRIu64 " msg%s",
		    S.target == p->id ? '*' : ' ', p->id, p->addr, p->ask.url,
		    p->protocol ? p->protocol : "-", now - p->opened_at,
		    p->cli.msgs, p->up.msgs, conn_close_sent(p->cli.c) ||
		    conn_close_sent(p->up.c) ? " (closing)" : "");
}

static void
pairs_kick(int id, unsigned code, const char *reason)
{
	struct pair *p;

	p = find_pair(id);
	if (p == NULL) {
		view_infof("/kick: no connection %d (see /list)", id);
		return;
	}
	for (int i = 0; i < 2; i++) {
		struct side *s = i ? &p->up : &p->cli;

		if (can_take(s) && !conn_close_sent(s->c)) {
			s->wscli_closed = 1;
			conn_close(s->c, code, (const uint8_t *)reason,
			    strlen(reason));
		}
	}
	view_infof("connection %d: closing both sides with %u %s", id,
	    code, ws_close_code_name(code));
}

static void
pairs_all(void)
{
	S.target = 0;
	repl_set_prompt("> ");
	view_infof("typed lines now go nowhere; /to ID "
	    "client|server chooses a side");
}

static const struct servecmd_ops pairs_commands = {
	.to = pairs_to,
	.all = pairs_all,
	.list = pairs_list,
	.kick = pairs_kick,
};

static int
pairs_command(const char *name, const char *arg)
{
	return servecmd_run(&pairs_commands, name, arg);
}

static const char *const relay_help[] = {
	"/to ID client|server [TEXT]", "send TEXT to one side of connection "
	    "ID, or without TEXT make it the target of typed lines",
	"/all", "no target: typed lines are not sent",
	"/list", "connections: id, client, server, subprotocol, age, counts",
	"/kick ID [CODE [REASON]]", "close both sides of connection ID",
	NULL,
};

static const struct repl_ops relay_repl = {
	.send_message = pairs_send_message,
	.send_control = pairs_send_control,
	.send_raw = pairs_send_raw,
	.close = pairs_close,
	.send_file = pairs_send_file,
	.target = pairs_target,
	.nth = pairs_nth,
	.settings = pairs_settings,
	.command = pairs_command,
	.help = relay_help,
	.quit = pairs_quit,
	.peer = "peer",
	.quits = "stop relaying and close every connection",
};

/* -------------------------------------------------------------- turns */

static void
relay_prepare(double now, int *busy)
{
	if (S.end_pending && !run_ending()) {
		S.end_pending = 0;
		/* what arrived in the same turn was relayed too: the count
		 * said is the count at the close */
		if (S.count_reached)
			info("-n %ld: %" PRIu64 " message%s relayed, both "
			    "directions counted; closing", opt.count, S.relayed,
			    S.relayed == 1 ? "" : "s");
		run_end_all(WS_CLOSE_GOING_AWAY, EXIT_OK, S.end_what);
		*busy = 1;
	}
	/* a side waiting for the other to take what it sent reads again */
	for (size_t i = 0; i < S.npaced; i++) {
		struct side *sd = S.paced[i];

		if (!conn_paused(sd->c)) {
			unpace(i--); /* resumed elsewhere */
		} else if (!sd->held && (!can_take(sd->other) ||
		    conn_queued(sd->other->c) < RELAY_LOW)) {
			conn_pause(sd->c, 0);
			unpace(i--);
			*busy = 1;
		}
	}
}

static void
relay_dispatch(double now)
{
	if ((out_gone() || out_failed()) && !run_ending())
		run_end_all(WS_CLOSE_GOING_AWAY, out_gone() ? EXIT_OK :
		    EXIT_ERROR, out_gone() ? "the reader of stdout" :
		    "an error writing stdout");
}

/* ------------------------------------------------------------- the run */

static void
started(void)
{
	info("relaying to %s", relay_opt.forward);
}

/* What is still open at the end ends now. */
static void
finish(int exit)
{
	if (S.pairs)
		run_end_now(exit >= 0 ? exit : EXIT_OK, "wscli ended");
}

static const struct run_ops relay_serve = {
	.hooks = &hooks,
	.repl = &relay_repl,
	.count = pairs_count,
	.close_all = close_all,
	.abort_all = abort_all,
	.finish = finish,
	.started = started,
	.prepare = relay_prepare,
	.dispatch = relay_dispatch,
};

int
relay_run(void)
{
	CURLU *u = curl_url();
	int rc;

	if (curl_url_set(u, CURLUPART_URL, relay_opt.forward, 0) == CURLUE_OK) {
		char *v = NULL;

		if (curl_url_get(u, CURLUPART_PATH, &v, 0) == CURLUE_OK) {
			S.forward_path = xstrdup(v);
			curl_free(v);
			v = NULL;
		}
		if (curl_url_get(u, CURLUPART_QUERY, &v, 0) == CURLUE_OK) {
			S.forward_query = xstrdup(v);
			curl_free(v);
		}
	}
	curl_url_cleanup(u);
	rc = run_main(&relay_serve);
	free(S.paced);
	free(S.forward_path);
	free(S.forward_query);
	return rc;
}
