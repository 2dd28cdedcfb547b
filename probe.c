/*
 * probe.c - wscli --probe URL, the runner; see probe.h. The cases, what
 * each sends and how it is judged, are probecases.c's.
 *
 * Each case runs on its own connection, made by dial.c's dialer, from
 * one event to the next in the loop: what the server does is recorded in
 * the case's struct run and the case's judge is called; the run moves on
 * when a case has its verdict or its time (--probe-timeout) is up, and
 * reports each verdict as it comes.
 *
 * Everything the server sends comes through conn.c, which checks it: a
 * server that answers with a broken frame FAILS the case, whatever the
 * case was about.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dial.h"
#include "conn.h"
#include "deflate.h"
#include "exit.h"
#include "frame.h"
#include "jsonl.h"
#include "loop.h"
#include "opts.h"
#include "output.h"
#include "probe.h"
#include "probecases.h"
#include "probereport.h"
#include "run.h"
#include "show.h"
#include "term.h"
#include "transport.h"
#include "upgrade.h"

struct watch {                 /* TCP after the close handshake */
	struct source src;
	struct transport *tr;
	struct run *R;
};

#define VERDICT_AFTER 0.005 /* seconds: a dial timing out at the case's
				deadline (armed a moment after it) says more
				than "no verdict": it goes first */

static struct {
	struct timer verdict;      /* the case running has no verdict by
				      then (its deadline, which the cases
				      may move) */
	int next;                  /* index of the next case */
	struct run *R;             /* the case running */
	int started;
	char deflate_desc[256];
	double t0;
	void **grave;              /* what the loop may still point to */
	size_t ngrave;
	const char *const *hdrs;
	size_t nhdrs;
	const char *req_hdrs[260];  /* the attempt's request headers: the
				       dialer reads them until it is done */
	const char *chk_hdrs[256];  /* ... and the liveness check's */
	struct dial *check;        /* a liveness check under way */
	const struct pcase *last;  /* the last case that reached the
				      server */
	char u[1024];              /* the URL as shown (no password) */
	int gone;                  /* the server stopped accepting
				      connections: the rest is UNTESTED */
	int trace;                 /* cases keep their wire trace */
	struct pmd_params offer;   /* the deflate offer of a case that
				      makes its own */
} P;

static void bury(void *p)
{
	P.grave = xrealloc(P.grave, (P.ngrave + 1) * sizeof *P.grave);
	P.grave[P.ngrave++] = p;
}

/* ------------------------------------------------------ connection ops */

static void step(struct run *R, int ev);

static void
ev_message_begin(struct conn *c)
{
	struct run *R = conn_ud(c);

	memset(&R->cur, 0, sizeof R->cur);
	R->cur.op = conn_in(c)->opcode;
	R->cur.hash = PC_FNV0;
	R->cur.compressed = conn_in(c)->compressed;
}

static void
ev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	struct run *R = conn_ud(c);

	if (R->cur.nhead < HEAD_KEEP) {
		size_t k = HEAD_KEEP - R->cur.nhead < n ? HEAD_KEEP -
		    R->cur.nhead : n;

		memcpy(R->cur.head + R->cur.nhead, p, k);
		R->cur.nhead += k;
	}
	R->cur.hash = pc_fnv(R->cur.hash, p, n);
	R->cur.len += n;
}

static void
ev_message_end(struct conn *c)
{
	struct run *R = conn_ud(c);

	R->last = R->cur;
	R->nmsgs++;
	step(R, EV_MESSAGE);
}

static void
ev_control(struct conn *c, char dir, unsigned op, const uint8_t *p,
    size_t n, const char *note, double rtt)
{
	struct run *R = conn_ud(c);

	if (dir != '<')
		return;
	if (op == WS_OP_PING) {
		R->server_pings++;
		return;
	}
	if (op != WS_OP_PONG)
		return;
	R->npongs++;
	memcpy(R->pong, p, n);
	R->pong_len = n;
	if (n == sizeof MARK - 1 && !memcmp(p, MARK, n)) {
		R->mark_seen = 1;
		if (!R->got_close)
			R->mark_before_close = 1;
	}
	step(R, EV_PONG);
}

static void
ev_close(struct conn *c, char dir, unsigned code, const uint8_t *reason,
    size_t n)
{
	struct run *R = conn_ud(c);

	if (dir != '<' || R->got_close)
		return;
	R->got_close = 1;
	R->close_code = code;
	R->close_ms = pc_ms_since(R->sent_at);
	step(R, EV_CLOSE);
}

static void
ev_ended(struct conn *c)
{
	struct run *R = conn_ud(c);

	R->ended = 1;
	R->end_exit = conn_exit(c);
	snprintf(R->end_why, sizeof R->end_why, "%s", conn_why(c));
	R->end_ms = pc_ms_since(R->sent_at);
	if (!R->cleaning)
		pc_trace(R, "= the connection ended: %s", conn_why(c));
	if (!R->cleaning)
		step(R, EV_END);
}

static void
ev_frame(struct conn *c, char dir, const struct ws_frame_header *h,
    const uint8_t *p, size_t n)
{
	pc_trace_frame(conn_ud(c), dir, h, p, n);
}

static const struct conn_ops probe_conn_ops = {
	.frame = ev_frame,
	.message_begin = ev_message_begin,
	.message_data = ev_message_data,
	.message_end = ev_message_end,
	.control = ev_control,
	.close = ev_close,
	.ended = ev_ended,
};

/* -------------------------------------------- TCP after the handshake */

static int
watch_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    int *busy)
{
	struct watch *w = s->ud;

	if (w->tr == NULL || max < 1)
		return 0;
	pfd[0].fd = w->tr->fd;
	pfd[0].events = tr_want(w->tr, POLLIN);
	if (tr_pending(w->tr))
		*busy = 1;
	return 1;
}

static void
watch_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	struct watch *w = s->ud;
	uint8_t buf[4096];

	if (w->tr == NULL || w->R == NULL)
		return;
	if ((n < 1 || !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) &&
	    !tr_pending(w->tr))
		return;
	for (;;) {
		ssize_t r = tr_recv(w->tr, buf, sizeof buf);

		if (r == TR_AGAIN)
			return;
		if (r <= 0) {
			w->R->tcp_done = 1;
			w->R->tcp_ms = pc_ms_since(w->R->sent_at);
			tr_free(w->tr);
			w->tr = NULL;
			loop_remove(&w->src);
			step(w->R, EV_TCP);
			return;
		}
		w->R->after_bytes += (uint64_t)r;
	}
}

static void
watch_start(struct run *R)
{
	struct watch *w = xrealloc(NULL, sizeof *w);

	memset(w, 0, sizeof *w);
	w->R = R;
	w->tr = conn_take_transport(R->c); /* the conn is done with it */
	w->src.prepare = watch_prepare;
	w->src.dispatch = watch_dispatch;
	w->src.ud = w;
	R->w = w;
	bury(w);
	loop_add(&w->src);
}

static void
watch_stop(struct run *R)
{
	if (R->w == NULL)
		return;
	if (R->w->tr) {
		tr_free(R->w->tr);
		R->w->tr = NULL;
		loop_remove(&R->w->src);
	}
	R->w->R = NULL;
	R->w = NULL;
}

/* ------------------------------------------------------------- running */

static void
step(struct run *R, int ev)
{
	if (R->decided || R->again || R->cleaning)
		return;
	pc_judge(R, ev);
	if (R->want_watch && R->w == NULL) {
		R->want_watch = 0;
		watch_start(R);
	}
}

/* The case could not reach the server: it is not run, and the run ends
 * with the server gone (said by probe_dispatch()). */
static void
lost(struct run *R)
{
	R->unreachable = 1;
	pc_decide(R, V_UNTESTED, "not run: the server no longer accepts "
	    "connections");
}

static void
on_dialed(void *ud, struct dial_result *r)
{
	struct run *R = ud;
	const struct up_header *h;

	R->dial = NULL;
	R->status = r->status;
	R->dial_exit = r->exit;
	snprintf(R->dial_error, sizeof R->dial_error, "%s", r->error);
	if (r->status) {
		snprintf(R->reason, sizeof R->reason, "%.*s",
		    (int)r->resp.reason_len, r->resp.reason);
		up_get(&r->resp, "Sec-WebSocket-Version", R->hdr_version,
		    sizeof R->hdr_version);
		up_get(&r->resp, "Sec-WebSocket-Protocol", R->hdr_protocol,
		    sizeof R->hdr_protocol);
		up_get(&r->resp, "Sec-WebSocket-Extensions", R->hdr_ext,
		    sizeof R->hdr_ext);
		(void)h;
	}
	R->agreed = r->pmd != NULL;
	if (r->status)
		pc_trace(R, "< HTTP %ld %s%s%s", r->status, R->reason,
		    R->hdr_protocol[0] ? ", subprotocol " : "", R->hdr_protocol);
	else
		pc_trace(R, "= no HTTP answer: %s", r->error);
	/* 1.1 worked: a case that cannot even connect now (or, with a plain
	 * request, gets no 101) finds a server that stopped accepting
	 * connections, not a verdict of its own */
	if (!(R->k->flags & F_BASE) && (r->exit == EXIT_CONNECT ||
	    (R->k->kind != K_HANDSHAKE && r->exit >= 0 && r->status != 101))) {
		lost(R);
		return;
	}
	if (R->k->kind == K_HANDSHAKE) {
		step(R, EV_DIALED);
		return;  /* the dialer frees a connection left in r */
	}
	if (r->exit >= 0) {
		pc_decide(R, V_FAILED, "its 101 is invalid: %s (RFC 6455 4.2.2, "
		    "RFC 7692 5, 7: the answer MUST agree only to what was "
		    "offered, in the form offered)", r->error);
		return;
	}
	if ((R->k->flags & F_DEFLATE) && r->pmd == NULL) {
		pc_decide(R, V_UNTESTED, (R->k->flags & F_OFFER) ? "this offer "
		    "of permessage-deflate declined (allowed, RFC 7692 5)" :
		    "permessage-deflate not agreed");
		return;
	}
	R->c = conn_new(&(struct conn_config){ .role = WS_ROLE_CLIENT,
	    .ops = &probe_conn_ops, .ud = R, .close_timeout = probe_opt.timeout,
	    .show_frames = R->trace }, r->tr, r->pmd);
	r->tr = NULL;
	r->pmd = NULL;
	R->opened = 1;
	R->sent_at = now_sec();
	step(R, EV_OPEN);
	if (!R->decided && !conn_done(R->c))
		conn_feed(R->c, r->early, r->nearly);
}

/* The request of case k (1.1's: a plain one) into p; its headers in
 * hdrs, which the dialer reads until it is done. */
static void
fill_params(const struct pcase *k, struct dial_params *p, const char **hdrs)
{
	static const char *unknown[] = { "x-wscli-probe-unknown" };
	size_t nh = 0;

	memset(p, 0, sizeof *p);
	p->net = opts_dial_net();
	if (k->header)
		hdrs[nh++] = k->header;
	for (size_t i = 0; i < P.nhdrs && nh < 256; i++)
		hdrs[nh++] = P.hdrs[i];
	p->url = opt.url;
	p->protocols = opt.protocols;
	p->nprotocols = (size_t)opt.nprotocols;
	if (k->flags & F_PROTO) {
		p->protocols = unknown;
		p->nprotocols = 1;
	}
	p->deflate = (k->flags & F_DEFLATE) && opt.deflate ?
	    &opt.deflate_offer : NULL;
	if (p->deflate && (k->flags & F_OFFER)) {
		char why[256];

		/* the table is ours: an offer that does not parse is a bug */
		memset(&P.offer, 0, sizeof P.offer);
		if (pmd_parse_params(k->send, strlen(k->send), 1, &P.offer, why,
		    sizeof why) != 0) {
			diag("probe case %s: bad offer '%s': %s", k->id, k->send,
			    why);
			abort();
		}
		p->deflate = &P.offer;
	}
	p->origin = opt.origin;
	p->headers = hdrs;
	p->nheaders = nh;
	/* each case has --probe-timeout, 1.1 too: a server that never
	 * answers the upgrade is known in seconds */
	p->timeout = probe_opt.timeout < opt.connect_timeout ?
	    probe_opt.timeout : opt.connect_timeout;
	p->verbose = opt.verbose && (k->flags & F_BASE);
	p->quiet_refusal = !(k->flags & F_BASE);
	p->label = "";
	p->http10 = (k->flags & F_HTTP10) != 0;
	p->method = k->flags & F_POST ? "POST" : NULL;
}

static void
start_attempt(struct run *R)
{
	struct dial_params p;

	R->attempt++;
	R->again = 0;
	R->t0 = now_sec();
	R->sent_at = R->t0;
	R->deadline = R->t0 + probe_opt.timeout;
	/* what the last attempt saw is forgotten */
	R->opened = R->got_close = R->ended = R->tcp_done = 0;
	R->npongs = R->mark_seen = R->mark_before_close = 0;
	R->nmsgs = 0;
	R->status = 0;
	R->dial_exit = -1;

	fill_params(R->k, &p, P.req_hdrs);
	if (R->attempt > 1)
		pc_trace(R, "= attempt %d", R->attempt);
	pc_trace(R, "> %s %s%s%s", p.method ? p.method : "GET",
	    p.http10 ? "HTTP/1.0" : "HTTP/1.1", R->k->header ? ", header " :
	    "", R->k->header ? R->k->header : "");
	R->dial = dial_start(&p, on_dialed, R);
	if (R->dial == NULL)
		pc_decide(R, V_FAILED, "cannot start connecting: out of memory");
}

/* The attempt is over: let go of its connection. */
static void
end_attempt(struct run *R)
{
	R->cleaning = 1;
	if (R->dial) {
		dial_cancel(R->dial);
		R->dial = NULL;
	}
	watch_stop(R);
	if (R->c) {
		if (!conn_done(R->c))
			conn_abort(R->c, EXIT_OK, "the probe case is over");
		conn_free(R->c);
		R->c = NULL;
	}
	R->cleaning = 0;
}

static void
report(struct run *R)
{
	struct pr_case c = {
		.id = R->k->id, .name = R->k->name, .v = R->v,
		.detail = R->detail,
		.ms = R->t0 > 0 ? pc_ms_since(R->t0) : 0,
		.close_code = R->got_close ? (int)R->close_code : -1,
		.trace = R->trace_buf ? R->trace_buf : "",
		.dropped = R->trace_dropped,
	};

	if (R->attempt > 0 && !R->unreachable)
		P.last = R->k;
	pr_case(&c);
	free(R->trace_buf);
}

/* ---------------------------------------------------------- liveness */

/* Why the server is taken for gone, from the attempt that found it. */
static void
say_gone(int exit, long status, const char *error)
{
	char line[1024], why[600];
	int n;

	P.gone = 1;
	if (exit == EXIT_TIMEOUT)
		snprintf(why, sizeof why, "it no longer answers an upgrade "
		    "within %g s (hung or overloaded)", probe_opt.timeout);
	else if (status > 0)
		snprintf(why, sizeof why, "a plain upgrade is refused now (%s)",
		    error);
	else     /* refused, or reset by a process on its way out */
		snprintf(why, sizeof why, "it crashed or closed its listener");
	if (opt.jsonl) {
		jsonl_begin(show_jsonl_writer, "server_gone");
		if (P.last) {
			jsonl_str("after", P.last->id);
			jsonl_str("name", P.last->name);
		}
		jsonl_str("detail", why);
		jsonl_end();
	} else {
		if (P.last)
			n = snprintf(line, sizeof line, "the server stopped "
			    "accepting connections after case %s, %s: %s\n",
			    P.last->id, P.last->name, why);
		else
			n = snprintf(line, sizeof line, "the server stopped "
			    "accepting connections: %s\n", why);
		out_write(line, n > 0 && (size_t)n < sizeof line ?
		    (size_t)n : strlen(line));
	}
	out_flush();
}

static void
on_checked(void *ud, struct dial_result *r)
{
	P.check = NULL;
	if (r->exit >= 0)
		say_gone(r->exit, r->status, r->error);
	/* the dialer frees a connection left in r */
}

/* After a case that did not pass: does the server still take a plain
 * connection, or did the case kill it? */
static void
start_check(void)
{
	struct dial_params p;

	fill_params(&pc_cases[0], &p, P.chk_hdrs);
	p.verbose = 0;
	p.quiet_refusal = 1;
	p.quiet = 1;
	P.check = dial_start(&p, on_checked, NULL);
}

/* The cases after the server went: UNTESTED, each said so. */
static void
report_rest(void)
{
	struct run r;

	memset(&r, 0, sizeof r);
	for (; (size_t)P.next < pc_ncases; P.next++) {
		if (!pc_wanted((size_t)P.next))
			continue;
		r.k = &pc_cases[P.next];
		r.v = V_UNTESTED;
		snprintf(r.detail, sizeof r.detail, "not run: the server no "
		    "longer accepts connections");
		report(&r);
	}
}

static void
start_case(size_t i)
{
	struct run *R = xrealloc(NULL, sizeof *R);
	const struct pcase *k = &pc_cases[i];

	memset(R, 0, sizeof *R);
	bury(R);
	R->k = k;
	R->trace = P.trace;
	R->t0 = now_sec();   /* a case decided before it runs took no time */
	P.R = R;
	if ((k->flags & F_DEFLATE) && !opt.deflate) {
		pc_decide(R, V_UNTESTED, "needs --deflate");
		return;
	}
	if ((k->flags & F_DEFLATE) && strcmp(k->id, "11.1") &&
	    pc_found.deflate_tried && !pc_found.deflate_agreed) {
		pc_decide(R, V_UNTESTED, "permessage-deflate not agreed");
		return;
	}
	if ((k->flags & F_ECHO) && !pc_found.echo_text) {
		pc_decide(R, V_UNTESTED, "the server does not echo");
		return;
	}
	if (!strcmp(k->id, "9.3") && probe_opt.idle <= 0) {
		pc_decide(R, V_UNTESTED, "needs --probe-idle SECONDS");
		return;
	}
	start_attempt(R);
}

/* The run's: the case running is the one connection. */
static int
count(void)
{
	return P.R != NULL || P.check != NULL;
}

/* The run's: drop the case running. */
static void
abort_all(int exit, const char *why)
{
	loop_timer_stop(&P.verdict);
	if (P.check) {
		dial_cancel(P.check);
		P.check = NULL;
	}
	if (P.R) {
		end_attempt(P.R);
		P.R = NULL;
	}
}

/* The run's: a signal stops the probe (no case is left half-judged). */
static void
close_all(unsigned code, int exit)
{
	term_set_mute(0);
	diag("interrupted");
	run_end_now(EXIT_ERROR, "interrupted");
}

static void
on_verdict_due(struct timer *t, double now)
{
	struct run *R = P.R;

	if (R && !R->decided && !R->again && R->k->kind != K_HANDSHAKE &&
	    !R->opened) {
		/* no 101 to a plain request within the case's time */
		R->dial_exit = EXIT_TIMEOUT;
		snprintf(R->dial_error, sizeof R->dial_error, "no answer to "
		    "the upgrade within %g s", probe_opt.timeout);
		lost(R);
		return;
	}
	if (R && !R->decided && !R->again) {
		step(R, EV_TIMEOUT);
		if (!R->decided && !R->again)
			pc_decide(R, V_FAILED, "no verdict within %g s",
			    probe_opt.timeout);
	}
}

static void
probe_prepare(double now, int *busy)
{
	struct run *R = P.R;

	if (R == NULL && P.check)
		return;         /* the check's dial wakes the loop */
	if (R == NULL || R->decided || R->again)
		*busy = 1;
	else if (!loop_timer_armed(&P.verdict) ||
	    P.verdict.at != R->deadline + VERDICT_AFTER)
		loop_timer_set(&P.verdict, R->deadline + VERDICT_AFTER);
}

static void
probe_dispatch(double now)
{
	struct run *R = P.R;

	if (R && R->again) {
		end_attempt(R);
		start_attempt(R);
		return;
	}
	if (R && R->decided) {
		loop_timer_stop(&P.verdict);
		end_attempt(R);
		/* a case of many attempts (9.1) may kill the server itself */
		if (R->unreachable && R->attempt > 1)
			P.last = R->k;
		if (R->unreachable)
			say_gone(R->dial_exit, R->status, R->dial_error);
		report(R);
		P.R = NULL;
		/* without the plain connection nothing else can run */
		if (pc_found.exit >= 0) {
			run_done(pc_found.exit);
			return;
		}
		if (!P.gone && R->v != V_OK && R->v != V_INFO &&
		    R->v != V_UNTESTED)
			start_check();
	}
	if (P.check)
		return;
	if (P.gone) {
		report_rest();
		run_done(-1);
		return;
	}
	if (P.R == NULL) {
		while ((size_t)P.next < pc_ncases && !pc_wanted((size_t)P.next))
			P.next++;
		if ((size_t)P.next == pc_ncases) {
			run_done(-1);
			return;
		}
		start_case((size_t)P.next++);
	}
}

static void
finish(int exit)
{
	abort_all(exit, "wscli ended");
}

static void
summary_event(jsonl_writer w, double secs)
{
	jsonl_begin(w, "summary");
	jsonl_str("url", P.u);
	jsonl_int("cases", pr_cases());
	pr_jsonl_counts();
	if (P.gone && P.last)
		jsonl_str("server_gone_after", P.last->id);
	jsonl_num("seconds", secs);
	jsonl_end();
}

/* The run's: the summary, and the status. */
static int
summary(int exit)
{
	double secs;
	char line[1024], counts[512], t[32], suite[1100];
	int failed;

	term_set_mute(0);
	term_set_quiet(opt.quiet);
	if (exit == EXIT_TIMEOUT && pc_found.exit != EXIT_TIMEOUT)
		diag("timed out: --timeout %g s; the cases after %u were not "
		    "run", opt.timeout, pr_cases());
	secs = now_sec() - P.t0;
	snprintf(suite, sizeof suite, "wscli --probe %s", P.u);
	failed = pr_close(suite, secs, summary_event) != 0;
	if (opt.jsonl) {
		summary_event(show_jsonl_writer, secs);
	} else {
		size_t o;

		pr_counts_line(counts, sizeof counts);
		o = (size_t)snprintf(line, sizeof line, "\n%u cases in %s "
		    "against %s:%s", pr_cases(), pc_dur(secs * 1000, t,
		    sizeof t), P.u, counts);
		if (P.gone && P.last)
			o += (size_t)snprintf(line + o, sizeof line - o, "; the "
			    "server stopped accepting connections after %s",
			    P.last->id);
		else if (P.gone)
			o += (size_t)snprintf(line + o, sizeof line - o, "; the "
			    "server stopped accepting connections");
		o += (size_t)snprintf(line + o, sizeof line - o, "\n");
		out_write(line, o < sizeof line ? o : strlen(line));
	}
	out_flush();
	if (exit != EXIT_OK)
		return exit;
	if (P.gone)
		return EXIT_SERVER_GONE;
	if (failed)
		return EXIT_ERROR;
	return pr_count(V_FAILED) ? EXIT_ERROR : EXIT_OK;
}

static const struct run_ops probe_ops = {
	.count = count,
	.close_all = close_all,
	.abort_all = abort_all,
	.finish = finish,
	.prepare = probe_prepare,
	.dispatch = probe_dispatch,
	.status = summary,
};

int
probe_run(void)
{
	const char *hdrs[256];
	size_t nh = 0;
	int rc;

	for (struct curl_slist *l = opt.headers; l && nh < 256; l = l->next)
		hdrs[nh++] = l->data;
	P.hdrs = hdrs;
	P.nhdrs = nh;
	pc_found.exit = -1;
	P.t0 = now_sec();
	P.verdict.fire = on_verdict_due;
	P.trace = opt.verbose || probe_opt.report_junit ||
	    probe_opt.report_json;
	/* a report that cannot be written is known before the run */
	url_redacted(opt.url, P.u, sizeof P.u);
	if (pr_open("probe", "url", P.u) != 0)
		return EXIT_USAGE;
	/* the report says what happened in each case */
	if (!opt.verbose) {
		term_set_mute(1);
		term_set_quiet(1);
	}
	rc = run_main(&probe_ops);
	term_set_mute(0);
	term_set_quiet(opt.quiet);
	for (size_t i = 0; i < P.ngrave; i++)
		free(P.grave[i]);
	free(P.grave);
	free(pc_found.big);
	return rc;
}
