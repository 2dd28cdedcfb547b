/*
 * replay.c - --replay FILE; see replay.h.
 *
 * The run is client mode's shape without stdin: the dialer, then one
 * connection, and the steps of the file, advanced each turn of the loop
 * and by one timer (the next pause, or the limit of the answers awaited).
 * Nothing is compared while the conversation goes on: the answers are
 * kept in order, and once it is over the recorded ones and the received
 * ones are aligned as diff(1) aligns lines, so that one answer too many
 * or too few shows as one line, not as every line after it differing.
 */
#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <jq.h>

#include "conn.h"
#include "conv.h"
#include "craft.h"
#include "dial.h"
#include "exit.h"
#include "frame.h"
#include "loop.h"
#include "opts.h"
#include "output.h"
#include "proto.h"
#include "record.h"
#include "replay.h"
#include "run.h"
#include "show.h"
#include "term.h"

#define DIFF_CONTEXT 3          /* unchanged lines around a change */
#define ALIGN_MAX (4u << 20)    /* cells of the alignment table; past it
				   answers are compared in order */
#define MAX_HEADERS 256

/* Something the server sent: a data message, a PING, a PONG, a CLOSE. */
struct got {
	unsigned op;               /* WS_OP_TEXT, _BINARY, _PING, _PONG,
				      _CLOSE */
	uint8_t *p;                /* payload kept (close: the reason) */
	size_t n;
	uint64_t size;             /* all of it (a message longer than
				      RECORD_MAX is kept in part) */
	unsigned code;             /* close: 1005 for none */
	double at;                 /* when it came */
};

/* A recorded answer, made concrete once. */
struct want {
	const struct conv_step *s;
	struct conv_msg m;
	int ok;                    /* m is set (else s->body as written) */
	regex_t re;                /* /re, compiled */
	int re_ok;
	jq_state *jq;              /* /jq, compiled (NULL: not) */
};

/* One line of the diff. */
struct dline {
	char tag;                  /* ' ', '-', '+' */
	int line;                  /* in the file; 0 for a received one */
	char *text;                /* allocated */
};

static struct {
	struct conv *cv;
	char *text;                /* the file, and its lines */
	char **lines;
	size_t nlines;
	struct want *want;         /* the expectations, in file order */
	size_t nwant;
	size_t *before;            /* before[i]: expectations before step i */
	double *sent_at;           /* sent_at[i]: when step i was sent */
	size_t step;               /* the next one */
	double pause;              /* recorded pause before the next send */
	double last_sent;          /* the last send, or the open */
	double wait_from;          /* waiting for answers since */
	double sleep_until;        /* a sleep or "nothing within" step */
	double settle_at;          /* the end: more answers until then */
	struct timer t;

	struct dial_params dp;
	const char *hdrs[MAX_HEADERS];
	char *own[MAX_HEADERS];    /* expanded @header values */
	size_t nown;
	char *url;
	struct dial *dial;
	struct conn *c;
	struct craft_walk crafted;
	int was_up;
	int own_close;             /* wscli closed at the end: the rest is
				      no part of the conversation */
	int conn_exit;
	const struct proto *fproto; /* @proto's protocol (NULL: raw) */
	int fauto;                 /* @proto auto: the subprotocol's */
	struct proto_conn *pc;     /* ... speaking on the connection */
	char purl[2048];           /* the protocol's default URL */
	const char *protos[MAX_HEADERS]; /* subprotocols offered */
	double ready_from;         /* a line waits for the protocol since */

	struct got *got;
	size_t ngot, capgot;
	int came;                  /* one came in this turn */
	int sent_now;              /* a step was sent in this turn */
	uint8_t *mbuf;             /* the message being received */
	size_t mlen, mcap;
	unsigned sent;             /* steps sent */
} S;

/* ---------------------------------------------------------- variables */

/* {{NAME}}: --var, else the environment, else @var (as --test, which
 * also has captures). */
static const char *
lookup(void *ud, const char *name, size_t n)
{
	char key[256];
	const char *v;

	(void)ud;
	if (n == 0 || n >= sizeof key)
		return NULL;
	for (int i = test_opt.nvars - 1; i >= 0; i--)
		if (!strncmp(test_opt.vars[i], name, n) &&
		    test_opt.vars[i][n] == '=')
			return test_opt.vars[i] + n + 1;
	memcpy(key, name, n);
	key[n] = '\0';
	if ((v = getenv(key)) != NULL)
		return v;
	for (size_t i = 0; i < S.cv->nvars; i++)
		if (!strncmp(S.cv->vars[i], key, n) && S.cv->vars[i][n] == '=')
			return S.cv->vars[i] + n + 1;
	return NULL;
}

/* --------------------------------------------------------------- file */

static int
load(void)
{
	FILE *f = fopen(opt.replay, "r");
	size_t cap = 0, len = 0, nl = 0;
	char err[1024];
	size_t k = 0;

	if (f == NULL) {
		diag("--replay %s: %s", opt.replay, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t r;

		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			S.text = xrealloc(S.text, cap);
		}
		r = fread(S.text + len, 1, cap - len - 1, f);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		diag("--replay %s: %s", opt.replay, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	S.text[len] = '\0';
	if (conv_parse(S.text, len, opt.replay, &S.cv, err, sizeof err) != 0) {
		diag("%s", err);
		return -1;
	}
	/* the lines, for the diff */
	for (size_t i = 0; i < len; i++)
		nl += S.text[i] == '\n';
	S.lines = xrealloc(NULL, (nl + 2) * sizeof *S.lines);
	for (char *p = S.text; p && *p; k++) {
		char *e = strchr(p, '\n');

		S.lines[k] = p;
		if (e) {
			if (e > p && e[-1] == '\r')
				e[-1] = '\0';
			*e = '\0';
		}
		p = e ? e + 1 : NULL;
	}
	S.nlines = k;
	return 0;
}

static const char *
file_line(int line)
{
	return line >= 1 && (size_t)line <= S.nlines ? S.lines[line - 1] : "";
}

/* jq's messages: a compile error is kept for the diagnostic, one of a
 * run (input that is no JSON the filter takes) means no match. */
static char jq_msg[256];

static void
jq_error_cb(void *ud, jv msg)
{
	(void)ud;
	if (jv_get_kind(msg) == JV_KIND_STRING && jq_msg[0] == '\0')
		snprintf(jq_msg, sizeof jq_msg, "%s", jv_string_value(msg));
	jv_free(msg);
}

/* The filter of a /jq answer, compiled as --test compiles it. Returns 0,
 * or -1 (said) when it is not jq. */
static int
jq_prepare(struct want *w)
{
	if ((w->jq = jq_init()) == NULL) {
		diag("--replay %s:%d: jq: out of memory", opt.replay,
		    w->s->line);
		return -1;
	}
	jq_msg[0] = '\0';
	jq_set_error_cb(w->jq, jq_error_cb, NULL);
	if (!jq_compile(w->jq, (const char *)w->m.p)) {
		diag("--replay %s:%d: jq: %s", opt.replay, w->s->line,
		    jq_msg[0] ? jq_msg : "the filter does not compile");
		jq_teardown(&w->jq);
		return -1;
	}
	return 0;
}

/* The filter's first output over the message is neither false nor null. */
static int
jq_holds(const struct want *w, const uint8_t *p, size_t n)
{
	jv in, r;
	int ok;

	if (w->jq == NULL || n > INT32_MAX)
		return 0;
	in = jv_parse_sized((const char *)p, (int)n);
	if (!jv_is_valid(in)) {
		jv_free(in);
		return 0;
	}
	jq_start(w->jq, in, 0);
	r = jq_next(w->jq);
	ok = jv_is_valid(r) && jv_get_kind(r) != JV_KIND_FALSE &&
	    jv_get_kind(r) != JV_KIND_NULL;
	jv_free(r);
	return ok;
}

static int
prepare_wants(void)
{
	const struct conv *cv = S.cv;
	char err[512];
	int rc = 0;

	S.want = xrealloc(NULL, (cv->nsteps + 1) * sizeof *S.want);
	S.before = xrealloc(NULL, (cv->nsteps + 1) * sizeof *S.before);
	S.sent_at = xrealloc(NULL, (cv->nsteps + 1) * sizeof *S.sent_at);
	for (size_t i = 0; i < cv->nsteps; i++) {
		const struct conv_step *s = &cv->steps[i];
		struct want *w;

		S.before[i] = S.nwant;
		S.sent_at[i] = 0;
		if (s->kind != CONV_EXPECT)
			continue;
		w = &S.want[S.nwant++];
		memset(w, 0, sizeof *w);
		w->s = s;
		w->ok = conv_expand(s, lookup, NULL, &w->m, err,
		    sizeof err) == 0;
		if (w->ok && s->what == CONV_RE)
			w->re_ok = regcomp(&w->re, (const char *)w->m.p,
			    REG_EXTENDED | REG_NOSUB) == 0;
		if (w->ok && s->what == CONV_JQ && jq_prepare(w) != 0)
			rc = -1;
	}
	S.before[cv->nsteps] = S.nwant;
	return rc;
}

/* ------------------------------------------------------------ compare */

static int
same(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na) == 0);
}

/* Whether what came is the answer w recorded. */
static int
matches(const struct want *w, const struct got *g)
{
	const struct conv_msg *m = &w->m;
	int whole = g->n == g->size;

	if (!w->ok) /* a {{NAME}} nobody sets: as written */
		return g->op == WS_OP_TEXT && whole && same(g->p, g->n,
		    (const uint8_t *)w->s->body, strlen(w->s->body));
	switch (w->s->what) {
	case CONV_TEXT:
	case CONV_QTEXT:
		return g->op == WS_OP_TEXT && whole && same(g->p, g->n, m->p,
		    m->n);
	case CONV_BINARY:
	case CONV_BASE64:
		return g->op == WS_OP_BINARY && whole && same(g->p, g->n, m->p,
		    m->n);
	case CONV_PING:
	case CONV_PONG:
		return g->op == (w->s->what == CONV_PING ? WS_OP_PING :
		    WS_OP_PONG) && (!w->s->has_body || same(g->p, g->n, m->p,
		    m->n));
	case CONV_CLOSE:
		return g->op == WS_OP_CLOSE && (m->code == 0 ||
		    m->code == g->code) && (m->n == 0 || same(g->p, g->n, m->p,
		    m->n));
	case CONV_RE:
		if (g->op != WS_OP_TEXT || !w->re_ok)
			return 0;
		{
			char *t = xrealloc(NULL, g->n + 1);
			int r;

			memcpy(t, g->p, g->n);
			t[g->n] = '\0';
			r = regexec(&w->re, t, 0, NULL, 0) == 0;
			free(t);
			return r;
		}
	case CONV_JQ:
		return g->op == WS_OP_TEXT && whole && jq_holds(w, g->p, g->n);
	default:
		return 0;
	}
}

/* What came, as the line --record would write for it. */
static char *
got_line(const struct got *g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return xstrdup("?");
	if (g->op == WS_OP_CLOSE)
		conv_write_close(f, '<', g->code == WS_CLOSE_NO_STATUS ? 0 :
		    g->code, g->p, g->n);
	else if (g->n < g->size)
		fprintf(f, "# a %s message of %" PRIu64 " bytes, longer than "
		    "is kept\n", g->op == WS_OP_TEXT ? "text" : "binary",
		    g->size);
	else
		conv_write_message(f, '<', g->op, g->p, g->n);
	fclose(f);
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return buf;
}

enum { OP_SAME, OP_MISSING, OP_MORE };

struct op {
	int kind;
	size_t want, got;
};

/* The alignment of the recorded answers with the received ones: the
 * longest sequence of matches, as diff(1) finds it, in order. What is the
 * same at the start and at the end is taken first, as diff(1) does, so
 * that a long conversation with a change in it aligns the change alone;
 * a middle too large to align (ALIGN_MAX) is compared in order. */
static struct op *
align(size_t *nops)
{
	size_t n = S.nwant, m = S.ngot, k = 0, i = 0, j = 0, tail = 0;
	struct op *ops = xrealloc(NULL, (n + m + 1) * sizeof *ops);
	uint32_t *L = NULL;
	size_t mn, mm, w;

	while (i < n && j < m && matches(&S.want[i], &S.got[j]))
		ops[k++] = (struct op){ OP_SAME, i++, j++ };
	while (tail < n - i && tail < m - j && matches(&S.want[n - 1 - tail],
	    &S.got[m - 1 - tail]))
		tail++;
	n -= tail;
	m -= tail;
	/* L[a][b]: the longest common sequence of want[i+a..n), got[j+b..m) */
	mn = n - i;
	mm = m - j;
	w = mm + 1;
	if ((mn + 1) * w <= ALIGN_MAX) {
		L = xrealloc(NULL, (mn + 1) * w * sizeof *L);
		for (size_t a = mn + 1; a-- > 0;)
			for (size_t b = mm + 1; b-- > 0;) {
				uint32_t *c = &L[a * w + b];

				if (a == mn || b == mm)
					*c = 0;
				else if (matches(&S.want[i + a], &S.got[j + b]))
					*c = 1 + L[(a + 1) * w + b + 1];
				else
					*c = L[(a + 1) * w + b] > L[a * w + b + 1] ?
					    L[(a + 1) * w + b] : L[a * w + b + 1];
			}
	}
	while (i < n && j < m) {
		size_t a = i - (S.nwant - tail - mn), b = j - (S.ngot - tail - mm);
		int same_here = matches(&S.want[i], &S.got[j]);

		if (same_here && (L == NULL || L[a * w + b] ==
		    1 + L[(a + 1) * w + b + 1])) {
			ops[k++] = (struct op){ OP_SAME, i++, j++ };
		} else if (L == NULL) { /* too long to align: in order */
			ops[k++] = (struct op){ OP_MISSING, i++, 0 };
			ops[k++] = (struct op){ OP_MORE, 0, j++ };
		} else if (L[(a + 1) * w + b] >= L[a * w + b + 1]) {
			ops[k++] = (struct op){ OP_MISSING, i++, 0 };
		} else {
			ops[k++] = (struct op){ OP_MORE, 0, j++ };
		}
	}
	while (i < n)
		ops[k++] = (struct op){ OP_MISSING, i++, 0 };
	while (j < m)
		ops[k++] = (struct op){ OP_MORE, 0, j++ };
	for (size_t t = 0; t < tail; t++)
		ops[k++] = (struct op){ OP_SAME, i++, j++ };
	free(L);
	*nops = k;
	return ops;
}

static void
add_line(struct dline **v, size_t *n, char tag, int line, char *text)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[*n].tag = tag;
	(*v)[*n].line = line;
	(*v)[*n].text = text;
	(*n)++;
}

/*
 * The file as it went: its sends and other steps as context, each
 * recorded answer kept (' ') or missing ('-'), each answer that came and
 * was not recorded ('+') before the first send made after it came.
 */
static struct dline *
diff_lines(size_t *nout)
{
	size_t nops, o = 0, w = 0, n = 0;
	struct op *ops = align(&nops);
	struct dline *v = NULL;

	for (size_t i = 0; i < S.cv->nsteps; i++) {
		const struct conv_step *s = &S.cv->steps[i];

		if (s->kind == CONV_DELAY)
			continue;
		if (s->kind != CONV_EXPECT) {
			/* what came before this was sent goes before it */
			while (o < nops && ops[o].kind == OP_MORE &&
			    S.sent_at[i] > 0 &&
			    S.got[ops[o].got].at < S.sent_at[i]) {
				add_line(&v, &n, '+', s->line,
				    got_line(&S.got[ops[o].got]));
				o++;
			}
			add_line(&v, &n, ' ', s->line,
			    xstrdup(file_line(s->line)));
			continue;
		}
		while (o < nops && !(ops[o].kind != OP_MORE &&
		    ops[o].want == w)) {
			if (ops[o].kind == OP_MORE)
				add_line(&v, &n, '+', s->line,
				    got_line(&S.got[ops[o].got]));
			o++;
		}
		if (o < nops) {
			add_line(&v, &n, ops[o].kind == OP_SAME ? ' ' : '-',
			    s->line, xstrdup(file_line(s->line)));
			o++;
		}
		w++;
	}
	for (; o < nops; o++)
		if (ops[o].kind == OP_MORE)
			add_line(&v, &n, '+', S.cv->nsteps ?
			    S.cv->steps[S.cv->nsteps - 1].line : 1,
			    got_line(&S.got[ops[o].got]));
	free(ops);
	*nout = n;
	return v;
}

static void
out_str(const char *s)
{
	out_write(s, strlen(s));
}

/* The diff on stdout, in hunks with their line in the file. Returns the
 * number of lines that differ. */
static size_t
print_diff(void)
{
	size_t n, changed = 0, i = 0;
	struct dline *v = diff_lines(&n);
	char head[4096];

	for (size_t k = 0; k < n; k++)
		changed += v[k].tag != ' ';
	if (changed > 0) {
		char u[1024];

		snprintf(head, sizeof head, "--- %s (recorded)\n+++ %s "
		    "(replayed)\n", opt.replay, url_redacted(S.url, u,
		    sizeof u));
		out_str(head);
	}
	while (i < n) {
		size_t first, last;

		while (i < n && v[i].tag == ' ')
			i++;
		if (i == n)
			break;
		/* a hunk: this change and the next ones close to it */
		first = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0;
		last = i;
		for (size_t k = i; k < n && k <= last + 2 * DIFF_CONTEXT; k++)
			if (v[k].tag != ' ')
				last = k;
		last = last + DIFF_CONTEXT < n ? last + DIFF_CONTEXT : n - 1;
		snprintf(head, sizeof head, "@@ %s:%d @@\n", opt.replay,
		    v[first].line);
		out_str(head);
		for (size_t k = first; k <= last; k++) {
			out_write(&v[k].tag, 1);
			out_str(v[k].text);
			out_write("\n", 1);
		}
		i = last + 1;
	}
	for (size_t k = 0; k < n; k++)
		free(v[k].text);
	free(v);
	return changed;
}

/* ------------------------------------------------------------ sending */

static void advance(double now);

/* A step of the client's side. */
static void
send_step(const struct conv_step *s)
{
	struct conv_msg m;
	char err[512];
	const char *why = NULL;
	long code;

	if (conv_expand(s, lookup, NULL, &m, err, sizeof err) != 0) {
		diag("%s:%d: %s; not sent", opt.replay, s->line, err);
		return;
	}
	switch (s->what) {
	case CONV_TEXT:
	case CONV_QTEXT:
		if (!ws_utf8_valid(m.p, m.n, NULL))
			why = "not valid UTF-8";
		/* under a protocol a line means what a stdin line means */
		else if (S.pc && proto_line_piece(S.pc, (uint64_t)s->line, m.p,
		    m.n, 1) != 0)
			why = "the protocol refused it (said above)";
		else if (S.pc == NULL && conn_send_data(S.c, WS_OP_TEXT, m.p,
		    m.n, 1, 0) != 0)
			why = "the connection is closing";
		break;
	case CONV_BINARY:
	case CONV_BASE64:
		if (conn_send_data(S.c, WS_OP_BINARY, m.p, m.n, 1, 0) != 0)
			why = "the connection is closing";
		break;
	case CONV_PING:
	case CONV_PONG:
		if (conn_send_control(S.c, s->what == CONV_PING ? WS_OP_PING :
		    WS_OP_PONG, m.p, m.n) != 0)
			why = "the connection is closing";
		break;
	case CONV_CLOSE:
		if (conn_close(S.c, m.code ? m.code : WS_CLOSE_NORMAL, m.p,
		    m.n) != 0)
			why = "a close was sent already";
		break;
	case CONV_RAW:
		if (conn_send_raw(S.c, m.p, m.n) == 0 &&
		    show_crafted(S.c, &S.crafted, m.p, m.n, &code))
			conn_close_crafted(S.c, (unsigned)code);
		break;
	case CONV_FRAME: {
		struct craft_frame f;
		size_t n = strlen((char *)m.p), sz;
		uint8_t *buf = xrealloc(NULL, n + 1), *out;

		if (craft_parse((char *)m.p, WS_ROLE_CLIENT, buf, n + 1, &f,
		    err, sizeof err) == -1) {
			why = err;
			free(buf);
			break;
		}
		/* a client's frames are masked: a key of its own each */
		if (f.masked && !f.key_given)
			for (int i = 0; i < 4; i++)
				f.key[i] = (uint8_t)rand();
		sz = craft_size(&f);
		out = xrealloc(NULL, sz ? sz : 1);
		craft_encode(out, sz, &f);
		if (conn_send_raw(S.c, out, sz) == 0 &&
		    show_crafted(S.c, &S.crafted, out, sz, &code))
			conn_close_crafted(S.c, (unsigned)code);
		free(out);
		free(buf);
		break;
	}
	default:
		why = "not a step that sends";
		break;
	}
	if (why)
		diag("%s:%d: %s; not sent", opt.replay, s->line, why);
	else
		S.sent++;
	conv_msg_free(&m);
}

/* How long the answer w waits, at most. */
static double
within(size_t w)
{
	if (w < S.nwant && S.want[w].s->within > 0)
		return S.want[w].s->within;
	return S.cv->within > 0 ? S.cv->within : CONV_WITHIN_DEFAULT;
}

static void
on_timer(struct timer *t, double now)
{
	advance(now);
}

static void
wait_until(double at)
{
	loop_timer_set(&S.t, at);
}

/*
 * Are the answers recorded before step i (n of them) in? Returns 1 when
 * they are, or their time is up (*since: when the last came, or the
 * limit), 0 while waiting.
 */
static int
answered(size_t need, double now, double *since)
{
	double limit;

	if (S.ngot >= need) {
		*since = need > 0 ? S.got[need - 1].at : S.last_sent;
		S.wait_from = 0;
		return 1;
	}
	if (S.wait_from == 0)
		S.wait_from = now;
	limit = S.wait_from + within(S.ngot);
	if (now < limit) {
		wait_until(limit);
		return 0;
	}
	*since = limit;
	S.wait_from = 0;
	return 1;
}

static void
advance(double now)
{
	const struct conv *cv = S.cv;

	while (S.c && !conn_done(S.c) && !S.own_close) {
		const struct conv_step *s;
		double since, at;

		if (S.step == cv->nsteps) {
			if (!answered(S.nwant, now, &since))
				return;
			if (conn_close_sent(S.c))
				return; /* the file's own close ends it */
			if (S.settle_at == 0)
				S.settle_at = now + REPLAY_SETTLE;
			if (now < S.settle_at) {
				wait_until(S.settle_at);
				return;
			}
			S.own_close = 1;
			conn_close(S.c, WS_CLOSE_NORMAL, NULL, 0);
			return;
		}
		s = &cv->steps[S.step];
		switch (s->kind) {
		case CONV_DELAY:
			S.pause += s->secs;
			S.step++;
			continue;
		case CONV_EXPECT:
			/* the pause before an answer was the server's */
			S.pause = 0;
			S.step++;
			continue;
		case CONV_SLEEP:
		case CONV_NOTHING:
			if (S.sleep_until == 0)
				S.sleep_until = now + s->secs;
			if (now < S.sleep_until) {
				wait_until(S.sleep_until);
				return;
			}
			S.sleep_until = 0;
			S.pause = 0;
			S.last_sent = now;
			S.step++;
			continue;
		case CONV_SEND:
			if (!answered(S.before[S.step], now, &since))
				return;
			at = since > S.last_sent ? since : S.last_sent;
			if (opt.replay_speed > 0)
				at += S.pause / opt.replay_speed;
			if (now < at) {
				wait_until(at);
				return;
			}
			/* a protocol's session first (Socket.IO's CONNECT, a
			 * GraphQL connection_ack), within @within */
			if (S.pc && (s->what == CONV_TEXT || s->what ==
			    CONV_QTEXT) && !proto_ready(S.pc)) {
				double until;

				if (S.ready_from == 0)
					S.ready_from = now;
				until = S.ready_from + within(S.ngot);
				if (now < until) {
					wait_until(until);
					return;
				}
			}
			S.ready_from = 0;
			if (conn_close_sent(S.c)) {
				diag("%s:%d: not sent: the connection is "
				    "closing", opt.replay, s->line);
			} else {
				send_step(s);
				S.sent_at[S.step] = now;
			}
			S.pause = 0;
			S.last_sent = now;
			S.step++;
			/* each on the wire by itself, as a client's sends
			 * come: a server may read a message and a CLOSE that
			 * came in one piece otherwise than apart */
			S.sent_now = 1;
			return;
		}
	}
}

/* --------------------------------------------------------- receiving */

static void
keep(unsigned op, const uint8_t *p, size_t n, uint64_t size, unsigned code)
{
	struct got *g;

	if (S.own_close)
		return;
	if (S.ngot == S.capgot) {
		S.capgot = S.capgot ? S.capgot * 2 : 64;
		S.got = xrealloc(S.got, S.capgot * sizeof *S.got);
	}
	g = &S.got[S.ngot++];
	g->op = op;
	g->p = xrealloc(NULL, n ? n : 1);
	if (n)
		memcpy(g->p, p, n);
	g->n = n;
	g->size = size;
	g->code = code;
	g->at = now_sec();
	S.came = 1;
	if (opt.verbose) {
		char *l = got_line(g);

		info("%s", l);
		free(l);
	}
}

static void
ev_message_begin(struct conn *c)
{
	S.mlen = 0;
}

static void
ev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	size_t k = S.mlen < RECORD_MAX ? RECORD_MAX - S.mlen : 0;

	if (k > n)
		k = n;
	if (k == 0)
		return;
	if (S.mlen + k > S.mcap) {
		size_t cap = S.mcap ? S.mcap : 4096;

		while (cap < S.mlen + k)
			cap *= 2;
		S.mbuf = xrealloc(S.mbuf, cap);
		S.mcap = cap;
	}
	memcpy(S.mbuf + S.mlen, p, k);
	S.mlen += k;
}

static void
ev_message_end(struct conn *c)
{
	const struct conn_in *in = conn_in(c);

	keep(in->opcode, S.mbuf, S.mlen, in->len, 0);
}

static void
ev_control(struct conn *c, char dir, unsigned op, const uint8_t *p, size_t n,
    const char *note, double rtt_ms)
{
	if (dir == '<')
		keep(op, p, n, n, 0);
}

static void
ev_close(struct conn *c, char dir, unsigned code, const uint8_t *reason,
    size_t n)
{
	if (dir == '<')
		keep(WS_OP_CLOSE, reason, n, n, code);
}

static void
ev_ended(struct conn *c)
{
	/* its timers (keep-alives) end with the connection */
	proto_conn_free(S.pc);
	S.pc = NULL;
	S.conn_exit = conn_exit(c);
	loop_timer_stop(&S.t);
	run_done(EXIT_OK);
}

/* Under a protocol what it writes for a message is the answer. */
static void
on_proto_line(void *ud, const uint8_t *p, size_t n)
{
	(void)ud;
	keep(WS_OP_TEXT, p, n, n, 0);
}

static void
pev_message_begin(struct conn *c)
{
	proto_message_begin(S.pc);
}

static void
pev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	proto_message_data(S.pc, p, n);
}

static void
pev_message_end(struct conn *c)
{
	proto_message_end(S.pc, 1);
	S.came = 1; /* the protocol may be ready for a line now */
}

static const struct conn_ops replay_proto_ops = {
	.message_begin = pev_message_begin,
	.message_data = pev_message_data,
	.message_end = pev_message_end,
	.control = ev_control,
	.close = ev_close,
	.ended = ev_ended,
};

static const struct conn_ops replay_conn_ops = {
	.message_begin = ev_message_begin,
	.message_data = ev_message_data,
	.message_end = ev_message_end,
	.control = ev_control,
	.close = ev_close,
	.ended = ev_ended,
};

/* ------------------------------------------------------------ the run */

static void
on_dialed(void *ud, struct dial_result *r)
{
	const struct proto *proto;

	S.dial = NULL;
	if (r->exit >= 0) {
		run_end_now(r->exit, r->error);
		return;
	}
	proto = S.fauto ? proto_for_subprotocol(r->protocol) : S.fproto;
	S.c = conn_new(&(struct conn_config){
		.role = WS_ROLE_CLIENT,
		.ops = proto ? &replay_proto_ops : &replay_conn_ops,
		.close_name = proto ? proto->close_name : NULL,
		.close_timeout = opt.close_timeout,
		.compress = opt.compress,
	}, r->tr, r->pmd);
	craft_walk_init(&S.crafted, WS_ROLE_CLIENT);
	S.was_up = 1;
	show_open(S.c, r);
	r->tr = NULL;
	r->pmd = NULL;
	S.last_sent = now_sec();
	if ((S.pc = proto_conn_new(proto, S.c, 0)) != NULL) {
		proto_set_subprotocol(S.pc, r->protocol);
		proto_set_sink(S.pc, on_proto_line, NULL);
		proto_open(S.pc);
	}
	conn_feed(S.c, r->early, r->nearly);
	advance(now_sec());
}

static void
start(void)
{
	S.dial = dial_start(&S.dp, on_dialed, NULL);
	if (S.dial == NULL)
		run_end_now(EXIT_ERROR, "cannot start connecting: out of "
		    "memory");
}

static int
count(void)
{
	return S.c != NULL && !conn_done(S.c);
}

static void
close_all(unsigned code, int exit)
{
	if (S.c && !conn_done(S.c) && !conn_close_sent(S.c)) {
		S.own_close = 1;
		conn_close(S.c, code, NULL, 0);
		return;
	}
	run_end_now(exit, "interrupted");
}

static void
abort_all(int exit, const char *why)
{
	loop_timer_stop(&S.t);
	if (S.dial) {
		dial_cancel(S.dial);
		S.dial = NULL;
	}
	if (S.c && !conn_done(S.c))
		conn_abort(S.c, exit, why);
}

static void
finish(int exit)
{
	loop_timer_stop(&S.t);
}

/* The run's source is dispatched before the connection's: what came
 * in this turn is looked at in the next one, which must not wait. */
static void
prepare(double now, int *busy)
{
	if (S.came || S.sent_now)
		*busy = 1;
}

static void
dispatch(double now)
{
	S.came = S.sent_now = 0;
	advance(now);
}

/* The comparison, once the conversation is over. */
static int
status(int exit)
{
	size_t changed;

	if (!S.was_up)
		return exit;
	for (size_t i = S.step; i < S.cv->nsteps; i++)
		if (S.cv->steps[i].kind == CONV_SEND) {
			diag("replay: the connection ended before %s:%d was "
			    "sent", opt.replay, S.cv->steps[i].line);
			break;
		}
	changed = print_diff();
	out_flush();
	if (changed > 0) {
		info("replay: %zu line%s from the recording (sent %u; "
		    "answers recorded %zu, received %zu)", changed, changed == 1 ?
		    " differs" : "s differ", S.sent, S.nwant, S.ngot);
		return EXIT_ERROR;
	}
	info("replay: the answers are the recorded ones (sent %u, answers "
	    "%zu)", S.sent, S.nwant);
	/* --timeout cut it short: said by its status */
	return exit;
}

static const struct run_ops replay_run_ops = {
	.count = count,
	.close_all = close_all,
	.abort_all = abort_all,
	.finish = finish,
	.started = start,
	.prepare = prepare,
	.dispatch = dispatch,
	.status = status,
};

/* The connection: the command line's, else the file's. */
static int
setup_dial(void)
{
	size_t nh = 0;
	char err[512];

	S.url = opt.url ? xstrdup(opt.url) : S.cv->url ?
	    conv_expand_text(S.cv->url, lookup, NULL, err, sizeof err) : NULL;
	if (S.url == NULL) {
		diag("--replay %s: %s", opt.replay, S.cv->url ? err : "no URL: "
		    "give one after the file, or @url in it");
		return -1;
	}
	for (struct curl_slist *l = opt.headers; l && nh < MAX_HEADERS;
	    l = l->next)
		S.hdrs[nh++] = l->data;
	for (size_t i = 0; i < S.cv->nheaders && nh < MAX_HEADERS; i++) {
		char *h = conv_expand_text(S.cv->headers[i], lookup, NULL, err,
		    sizeof err);

		if (h == NULL) {
			diag("--replay %s: @header %s: %s", opt.replay,
			    S.cv->headers[i], err);
			return -1;
		}
		S.own[S.nown++] = h;
		S.hdrs[nh++] = h;
	}
	/* the file's @proto, else --proto, as --test has it */
	if (S.cv->proto)
		S.fauto = !strcmp(S.cv->proto, "auto");
	else {
		S.fproto = proto_opt.proto;
		S.fauto = proto_opt.is_auto;
	}
	/* a protocol may have a path of its own (Socket.IO's) */
	if (S.fproto && S.fproto->url && S.fproto->url(S.url, S.purl,
	    sizeof S.purl))
		S.dp.url = S.purl;
	else
		S.dp.url = S.url;
	S.dp.net = opts_dial_net();
	{
		size_t np = 0;

		if (opt.nprotocols > 0)
			for (int i = 0; i < opt.nprotocols && np < MAX_HEADERS;
			    i++)
				S.protos[np++] = opt.protocols[i];
		else
			for (size_t i = 0; i < S.cv->nprotocols &&
			    np < MAX_HEADERS; i++)
				S.protos[np++] = S.cv->protocols[i];
		/* and those the protocol offers, once each */
		for (const char *const *o = S.fproto ?
		    S.fproto->subprotocols : NULL; o && *o &&
		    np < MAX_HEADERS; o++) {
			size_t k = 0;

			while (k < np && strcmp(S.protos[k], *o))
				k++;
			if (k == np)
				S.protos[np++] = *o;
		}
		S.dp.protocols = S.protos;
		S.dp.nprotocols = np;
	}
	S.dp.deflate = opt.deflate ? &opt.deflate_offer : NULL;
	S.dp.origin = opt.origin ? opt.origin : S.cv->origin;
	S.dp.headers = S.hdrs;
	S.dp.nheaders = nh;
	S.dp.timeout = opt.connect_timeout;
	S.dp.verbose = opt.verbose;
	return 0;
}

int
replay_run(void)
{
	char names[256];
	int rc;

	S.t.fire = on_timer;
	if (load() != 0)
		rc = EXIT_USAGE;
	else if (S.cv->proto && proto_find(S.cv->proto, &S.fproto, names,
	    sizeof names) != 0) {
		diag("--replay %s: @proto %s: not a protocol (one of %s)",
		    opt.replay, S.cv->proto, names);
		rc = EXIT_USAGE;
	} else if (prepare_wants() != 0 || setup_dial() != 0)
		rc = EXIT_USAGE;
	else
		rc = run_main(&replay_run_ops);
	proto_conn_free(S.pc);
	conn_free(S.c);
	loop_release();
	if (S.dial)
		dial_cancel(S.dial);
	loop_timer_stop(&S.t);
	for (size_t i = 0; i < S.ngot; i++)
		free(S.got[i].p);
	free(S.got);
	for (size_t i = 0; i < S.nwant; i++) {
		if (S.want[i].ok)
			conv_msg_free(&S.want[i].m);
		if (S.want[i].re_ok)
			regfree(&S.want[i].re);
		if (S.want[i].jq)
			jq_teardown(&S.want[i].jq);
	}
	for (size_t i = 0; i < S.nown; i++)
		free(S.own[i]);
	free(S.want);
	free(S.before);
	free(S.sent_at);
	free(S.mbuf);
	free(S.lines);
	free(S.text);
	free(S.url);
	conv_free(S.cv);
	return rc;
}
