/*
 * convtest.c - wscli --test: conversation files run as tests; see
 * convtest.h.
 *
 * A job is one file on one connection. What the connection receives is
 * queued as events (a data message whole, a ping, a pong, a close); the
 * job's steps take them from the queue: the step being waited for (an
 * expectation, an "any order" group, "nothing within", a sleep) keeps
 * its deadline in the job's timer. A step is only ever advanced from
 * the queue, the timer or the end of the connection, so a message that
 * came during a sleep is matched after it, in order.
 *
 * The test points are kept per job and written in the order of the
 * files: TAP has one sequence of numbers, and a person reads a file's
 * points together even when --jobs runs files side by side.
 */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include <curl/curl.h>

#include "conn.h"
#include "conv.h"
#include "convtest.h"
#include "dial.h"
#include "exit.h"
#include "frame.h"
#include "craft.h"
#include "loop.h"
#include "opts.h"
#include "output.h"
#include "proto.h"
#include "run.h"
#include "term.h"

#define RECENT 5               /* messages kept for a failure's report */
#define SHOW_MAX 300           /* bytes of a message shown in a report */
#define MSG_LIMIT (16u << 20)  /* a message, unless --max-message */

/* Something the connection received. */
struct event {
	unsigned op;             /* WS_OP_TEXT, _BINARY, _PING, _PONG,
				    _CLOSE */
	uint8_t *p;              /* payload (a close: its reason) */
	size_t n;
	unsigned code;           /* a close: its code, 0 if none */
	struct event *next;
};

/* A test point, once decided. */
struct point {
	const struct conv_step *s;
	int state;               /* P_OK, P_FAILED, P_SKIPPED */
	char *detail;            /* a failure's report, or a skip's reason */
	double secs;             /* how long it waited */
};
enum { P_PENDING, P_OK, P_FAILED, P_SKIPPED };

/* A variable captured in the run. */
struct var {
	char *name, *value;
	struct var *next;
};

/* A compiled jq filter, kept for the next message. */
struct jqc {
	char *filter;
	jq_state *jq;
	struct jqc *next;
};

/*
 * A file's jq filters. jq 1.6 compiles its builtins again with every
 * program (some 50 ms): a file of many /jq lines would pay that for each
 * line. So the filters without variables are compiled once, together,
 * as programs of JQ_CHUNK filters (jq 1.6 refuses much larger ones) that
 * run the i-th of them on [i, message]; a filter that variables change is
 * compiled when it is met, and kept.
 */
#define JQ_CHUNK 256
struct jqs {
	char **filters;          /* those compiled together */
	size_t n;
	jq_state **all;          /* all[i / JQ_CHUNK] runs filters[i]; NULL:
				    none, or that chunk alone */
	struct jqc *cache;       /* the others */
};

enum { J_WAITING, J_DIALING, J_RUNNING, J_CLOSING, J_DONE };

struct job {
	struct conv *cv;
	int state;
	struct dial *dial;
	struct conn *c;
	struct proto_conn *proto; /* --proto: its protocol, or NULL */
	int own_proto;           /* @proto said which: fproto, or with
				    fauto the subprotocol's */
	const struct proto *fproto;
	int fauto;
	char url[2048];          /* the URL dialed */
	char label[512];         /* "FILE: ", before its diagnostics */
	const char *hdrs[300];   /* the upgrade's headers, read by the
				    dialer until it is done */
	char **hdr_own;          /* those of them expanded here */
	size_t nhdr_own;
	const char *protos[MAX_PROTOCOLS + 128];
	size_t pc;               /* the step running */
	int waiting;             /* it has started waiting */
	double wait_start;
	double *deadline;        /* per step, while waited for */
	unsigned char *matched;  /* per step, in an "any order" group */
	struct point *points;    /* per step: expectations and nothing */
	size_t emitted;          /* steps whose point is written */
	struct timer timer;
	struct event *q, **qtail; /* received, not yet taken */
	struct buf_msg {         /* the data message being received */
		uint8_t *p;
		size_t n, cap;
		unsigned op;
		int over;        /* longer than what is kept */
	} in;
	char *recent[RECENT];    /* the last messages, as lines */
	unsigned nrecent;
	struct var *vars;
	struct jqs jq;
	int ended;               /* the connection is over */
	char end_why[512];
	int exit;                /* could not run: its status; else -1 */
	char run_error[600];
	int failed;              /* an expectation failed */
	double t0, t1;
};

static struct {
	struct job *jobs;
	size_t njobs;
	size_t next;             /* the next job to start */
	size_t head;             /* the first job not fully written */
	int running;
	unsigned long point_no;  /* the last TAP number written */
	unsigned long plan;
	double t0;
	int stopping;
} T;

/* ------------------------------------------------------------ helpers */

static void
advance(struct job *J);

/* s, cut to SHOW_MAX bytes, as a line of the file would say it. */
static char *
event_line(unsigned op, const uint8_t *p, size_t n, unsigned code)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return xstrdup("?");
	if (op == WS_OP_CLOSE)
		conv_write_close(f, '<', code, p, n);
	else
		conv_write_message(f, '<', op, p, n > SHOW_MAX ? SHOW_MAX : n);
	fclose(f);
	if (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	if (n > SHOW_MAX && op != WS_OP_CLOSE) {
		size_t cap = len + 64;

		text = xrealloc(text, cap);
		snprintf(text + len, cap - len, "  [%zu bytes, %d shown]", n,
		    SHOW_MAX);
	}
	return text;
}

static void
remember(struct job *J, const struct event *e)
{
	unsigned i = J->nrecent % RECENT;

	free(J->recent[i]);
	J->recent[i] = event_line(e->op, e->p, e->n, e->code);
	J->nrecent++;
}

static const char *
lookup(void *ud, const char *name, size_t n)
{
	struct job *J = ud;
	const struct var *v;
	static char key[256];
	const char *e;

	for (v = J->vars; v; v = v->next)
		if (strlen(v->name) == n && !strncmp(v->name, name, n))
			return v->value;
	for (int i = test_opt.nvars - 1; i >= 0; i--)
		if (!strncmp(test_opt.vars[i], name, n) &&
		    test_opt.vars[i][n] == '=')
			return test_opt.vars[i] + n + 1;
	if (n < sizeof key) {
		memcpy(key, name, n);
		key[n] = '\0';
		if ((e = getenv(key)) != NULL)
			return e;
	}
	for (size_t i = J->cv->nvars; i-- > 0;)
		if (!strncmp(J->cv->vars[i], name, n) &&
		    J->cv->vars[i][n] == '=')
			return J->cv->vars[i] + n + 1;
	return NULL;
}

static void
set_var(struct job *J, const char *name, const char *value, size_t n)
{
	struct var *v = xrealloc(NULL, sizeof *v);

	v->name = xstrdup(name);
	v->value = xstrndup(value, n);
	v->next = J->vars;
	J->vars = v;
}

/* ------------------------------------------------------------------ jq */

struct jq_err {
	char msg[512];
};

static void
jq_error_cb(void *ud, jv msg)
{
	struct jq_err *e = ud;

	if (jv_get_kind(msg) == JV_KIND_STRING && e->msg[0] == '\0')
		snprintf(e->msg, sizeof e->msg, "%s", jv_string_value(msg));
	jv_free(msg);
}

static struct jq_err jq_last;

/* The compiled filter, from the job's cache (or compiled now). NULL with
 * why when it does not compile. */
static jq_state *
jq_get(struct jqc **cache, const char *filter, char *why, size_t cap)
{
	struct jqc *k;
	jq_state *jq;

	for (k = *cache; k; k = k->next)
		if (!strcmp(k->filter, filter))
			return k->jq;
	if ((jq = jq_init()) == NULL) {
		snprintf(why, cap, "jq: cannot start");
		return NULL;
	}
	jq_last.msg[0] = '\0';
	jq_set_error_cb(jq, jq_error_cb, &jq_last);
	if (!jq_compile(jq, filter)) {
		snprintf(why, cap, "jq: %s", jq_last.msg[0] ? jq_last.msg :
		    "the filter does not compile");
		jq_teardown(&jq);
		return NULL;
	}
	k = xrealloc(NULL, sizeof *k);
	k->filter = xstrdup(filter);
	k->jq = jq;
	k->next = *cache;
	*cache = k;
	return jq;
}

static void
jq_free_all(struct jqc **cache)
{
	while (*cache) {
		struct jqc *k = *cache;

		*cache = k->next;
		jq_teardown(&k->jq);
		free(k->filter);
		free(k);
	}
}

/*
 * The first output of filter over the JSON text p[0..n): 1 with *out
 * (the caller's to jv_free), 0 when there is none, -1 with why when the
 * text is not JSON or the filter fails.
 */
static long
jqs_find(const struct jqs *s, const char *filter)
{
	for (size_t i = 0; s->all && i < s->n; i++)
		if (s->all[i / JQ_CHUNK] && !strcmp(s->filters[i], filter))
			return (long)i;
	return -1;
}

static void
jqs_free(struct jqs *s)
{
	for (size_t i = 0; s->all && i < (s->n + JQ_CHUNK - 1) / JQ_CHUNK; i++)
		if (s->all[i])
			jq_teardown(&s->all[i]);
	free(s->all);
	for (size_t i = 0; i < s->n; i++)
		free(s->filters[i]);
	free(s->filters);
	jq_free_all(&s->cache);
	memset(s, 0, sizeof *s);
}

/* filter compiles (it is in the one program, or compiles alone) */
static int
jqs_compiles(struct jqs *s, const char *filter, char *why, size_t cap)
{
	return jqs_find(s, filter) >= 0 ||
	    jq_get(&s->cache, filter, why, cap) != NULL;
}

static int
jq_first(struct jqs *s, const char *filter, const uint8_t *p, size_t n,
    jv *out, char *why, size_t cap)
{
	long i = jqs_find(s, filter);
	jq_state *jq = i >= 0 ? s->all[i / JQ_CHUNK] :
	    jq_get(&s->cache, filter, why, cap);
	jv in, r;

	if (jq == NULL)
		return -1;
	if (n > 0x7fffffff) {
		snprintf(why, cap, "the message is too long for jq");
		return -1;
	}
	in = jv_parse_sized((const char *)p, (int)n);
	if (!jv_is_valid(in)) {
		jv m = jv_invalid_get_msg(in);

		snprintf(why, cap, "not JSON%s%s",
		    jv_get_kind(m) == JV_KIND_STRING ? ": " : "",
		    jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) : "");
		jv_free(m);
		return -1;
	}
	if (i >= 0)
		in = jv_array_append(jv_array_append(jv_array(),
		    jv_number((double)(i % JQ_CHUNK))), in);
	jq_last.msg[0] = '\0';
	jq_start(jq, in, 0);
	r = jq_next(jq);
	if (jv_is_valid(r)) {
		*out = r;
		return 1;
	}
	if (jv_invalid_has_msg(jv_copy(r))) {
		jv m = jv_invalid_get_msg(r);

		snprintf(why, cap, "jq: %s", jv_get_kind(m) == JV_KIND_STRING ?
		    jv_string_value(m) : "the filter failed");
		jv_free(m);
		return -1;
	}
	jv_free(r);
	return 0;
}

/* ------------------------------------------------------------ matching */

/* Does event e meet step s? 1 yes (captures taken), 0 no (why says how
 * it differs, when it is worth saying), -1 the step itself cannot be
 * checked (why). */
static int
match(struct job *J, const struct conv_step *s, const struct event *e,
    char *why, size_t cap)
{
	struct conv_msg m;
	regmatch_t rm[10];
	regex_t rx;
	int r = 0, rxok = 0;
	char *text = NULL;

	why[0] = '\0';
	if (conv_expand(s, lookup, J, &m, why, cap) == -1)
		return -1;
	switch (s->what) {
	case CONV_TEXT:
	case CONV_QTEXT:
		r = e->op == WS_OP_TEXT && e->n == m.n &&
		    !memcmp(e->p, m.p, m.n);
		break;
	case CONV_BINARY:
		r = e->op == WS_OP_BINARY && e->n == m.n &&
		    !memcmp(e->p, m.p, m.n);
		break;
	case CONV_PING:
	case CONV_PONG:
		r = e->op == (s->what == CONV_PING ? WS_OP_PING : WS_OP_PONG) &&
		    (!s->has_body || (e->n == m.n && !memcmp(e->p, m.p, m.n)));
		break;
	case CONV_CLOSE: {
		/* a reason is checked only when one is written */
		int reason = s->body[strcspn(s->body, " \t")] != '\0';

		r = e->op == WS_OP_CLOSE && (m.code == 0 || e->code == m.code) &&
		    (!reason || (e->n == m.n && !memcmp(e->p, m.p, m.n)));
		break;
	}
	case CONV_RE: {
		int rc;

		if ((rc = regcomp(&rx, (char *)m.p, REG_EXTENDED)) != 0) {
			char b[256];

			regerror(rc, &rx, b, sizeof b);
			snprintf(why, cap, "/re: %s", b);
			regfree(&rx);
			r = -1;
			break;
		}
		rxok = 1;
		if (e->op != WS_OP_TEXT || memchr(e->p, '\0', e->n))
			break;
		r = regexec(&rx, (const char *)e->p, 10, rm, 0) == 0;
		break;
	}
	case CONV_JQ: {
		jv out;
		int k;

		if (e->op != WS_OP_TEXT)
			break;
		k = jq_first(&J->jq, (char *)m.p, e->p, e->n, &out, why, cap);
		if (k == -1 && !strncmp(why, "jq: ", 4) &&
		    !jqs_compiles(&J->jq, (char *)m.p, why, cap)) {
			r = -1;         /* the filter: the step's fault */
			break;
		}
		if (k == 1) {
			jv_kind kind = jv_get_kind(out);

			r = kind != JV_KIND_FALSE && kind != JV_KIND_NULL;
			jv_free(out);
		}
		break;
	}
	default:
		snprintf(why, cap, "not an expectation");
		r = -1;
		break;
	}
	conv_msg_free(&m);
	/* the captures, all or none */
	for (size_t i = 0; r == 1 && i < s->ncaps; i++) {
		const struct conv_capture *cp = &s->caps[i];

		if (cp->expr == NULL) {
			regoff_t a = rm[cp->group].rm_so, b = rm[cp->group].rm_eo;

			if (a < 0) {
				snprintf(why, cap, "capture %s: group %d took "
				    "no part in the match", cp->name, cp->group);
				r = -1;
				break;
			}
			set_var(J, cp->name, (const char *)e->p + a,
			    (size_t)(b - a));
		} else {
			char *x;
			jv out;
			int k;

			if ((x = conv_expand_text(cp->expr, lookup, J, why,
			    cap)) == NULL) {
				r = -1;
				break;
			}
			k = jq_first(&J->jq, x, e->p, e->n, &out, why, cap);
			free(x);
			if (k != 1) {
				char w[600];

				snprintf(w, sizeof w, "%s", k == 0 ? "the filter "
				    "gave nothing" : why);
				snprintf(why, cap, "capture %s (line %d): %.400s",
				    cp->name, cp->line, w);
				r = -1;
				break;
			}
			if (jv_get_kind(out) == JV_KIND_STRING) {
				set_var(J, cp->name, jv_string_value(out),
				    (size_t)jv_string_length_bytes(jv_copy(out)));
				jv_free(out);
			} else {
				jv d = jv_dump_string(out, 0);

				set_var(J, cp->name, jv_string_value(d),
				    strlen(jv_string_value(d)));
				jv_free(d);
			}
		}
	}
	if (rxok)
		regfree(&rx);
	free(text);
	return r;
}

/* ------------------------------------------------------------- points */

static void
xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c < 0x20 && c != '\n' && c != '\t')
			fprintf(f, "&#x%x;", 0x2400 + c); /* no controls in XML */
		else
			putc(c, f);
	}
}

/* TAP: '#' in a description starts a directive. */
static void
tap_desc(char *out, size_t cap, const struct job *J, const struct conv_step *s)
{
	size_t o = 0;
	const char *p;
	int n = snprintf(out, cap, "%s:%d ", J->cv->name, s->line);

	if (n < 0 || (size_t)n >= cap)
		return;
	o = (size_t)n;
	for (p = s->src; *p && o + 3 < cap; p++) {
		if (*p == '#' || *p == '\\')
			out[o++] = '\\';
		out[o++] = *p;
	}
	out[o] = '\0';
}

/* Write what can be written: the points of the first files, in order. */
static void
emit(void)
{
	while (T.head < T.njobs) {
		struct job *J = &T.jobs[T.head];

		while (J->emitted < J->cv->nsteps) {
			const struct conv_step *s = &J->cv->steps[J->emitted];
			struct point *pt = &J->points[J->emitted];
			char desc[1024];

			if (s->kind != CONV_EXPECT && s->kind != CONV_NOTHING) {
				J->emitted++;
				continue;
			}
			if (pt->state == P_PENDING)
				break;
			tap_desc(desc, sizeof desc, J, s);
			T.point_no++;
			if (pt->state == P_SKIPPED) {
				char line[2048];
				int n = snprintf(line, sizeof line,
				    "ok %lu - %s # SKIP %s\n", T.point_no, desc,
				    pt->detail ? pt->detail : "");

				out_write(line, n > 0 && (size_t)n < sizeof line ?
				    (size_t)n : strlen(line));
			} else {
				char line[2048];
				int n = snprintf(line, sizeof line, "%sok %lu - "
				    "%s\n", pt->state == P_OK ? "" : "not ",
				    T.point_no, desc);

				out_write(line, n > 0 && (size_t)n < sizeof line ?
				    (size_t)n : strlen(line));
			}
			if (pt->state == P_FAILED && pt->detail) {
				/* TAP diagnostics: on stderr, so that prove
				 * shows them without -v */
				const char *d = pt->detail;

				out_flush();
				while (*d) {
					size_t k = strcspn(d, "\n");

					fprintf(stderr, "# %.*s\n", (int)k, d);
					d += k + (d[k] == '\n');
				}
				fflush(stderr);
			}
			J->emitted++;
		}
		if (J->emitted < J->cv->nsteps || J->state != J_DONE)
			break;
		T.head++;
	}
	out_flush();
}

/* The failure of step s: its report, then every later point skipped. */
static void
fail_at(struct job *J, size_t i, const char *expected, const char *got)
{
	struct conv *cv = J->cv;
	char *text = NULL;
	size_t len = 0, k;
	FILE *f;
	const struct conv_step *s;

	/* a send fails: the report goes to the next test point */
	while (i < cv->nsteps && cv->steps[i].kind != CONV_EXPECT &&
	    cv->steps[i].kind != CONV_NOTHING)
		i++;
	J->failed = 1;
	if (i == cv->nsteps) {
		/* no point left to carry it: said on its own */
		diag("%s: %s; %s", cv->name, expected, got);
		goto rest;
	}
	s = &cv->steps[i];
	if ((f = open_memstream(&text, &len)) == NULL)
		return;
	fprintf(f, "  at %s:%d\n", cv->name, s->line);
	fprintf(f, "  expected: %s\n", expected);
	fprintf(f, "       got: %s\n", got);
	if (J->nrecent > 0) {
		unsigned n = J->nrecent < RECENT ? J->nrecent : RECENT;

		fprintf(f, "  the last %u message%s received:\n", n,
		    n == 1 ? "" : "s");
		for (unsigned r = J->nrecent - n; r < J->nrecent; r++)
			fprintf(f, "    %s\n", J->recent[r % RECENT]);
	} else {
		fprintf(f, "  no message was received\n");
	}
	fclose(f);
	if (len > 0 && text[len - 1] == '\n')
		text[len - 1] = '\0';
	J->points[i].state = P_FAILED;
	J->points[i].detail = text;
	J->points[i].secs = J->waiting ? now_sec() - J->wait_start : 0;
rest:
	for (k = 0; k < cv->nsteps; k++)
		if ((cv->steps[k].kind == CONV_EXPECT ||
		    cv->steps[k].kind == CONV_NOTHING) &&
		    J->points[k].state == P_PENDING) {
			J->points[k].state = P_SKIPPED;
			J->points[k].detail = xstrdup(k > i ? "after a failure" :
			    "its group failed");
		}
}

static void
pass(struct job *J, size_t i)
{
	J->points[i].state = P_OK;
	J->points[i].secs = now_sec() - J->wait_start;
}

/* ------------------------------------------------------- the run of a job */

static void
job_close(struct job *J)
{
	loop_timer_stop(&J->timer);
	if (J->state == J_RUNNING) {
		J->state = J_CLOSING;
		if (J->c && !conn_done(J->c) && !conn_close_sent(J->c)) {
			conn_close(J->c, WS_CLOSE_NORMAL, NULL, 0);
			conn_set_close_timeout(J->c, opt.close_timeout, 1);
		}
	}
	if (J->c == NULL || conn_done(J->c))
		J->state = J_DONE;
	emit();
}

static void
job_fail(struct job *J, size_t i, const char *expected, const char *got)
{
	fail_at(J, i, expected, got);
	job_close(J);
}

/* The steps [pc, end) of the group (or the single expectation) at pc. */
static size_t
group_end(const struct job *J)
{
	const struct conv *cv = J->cv;
	size_t e = J->pc + 1;
	int g = cv->steps[J->pc].group;

	if (g == 0)
		return e;
	while (e < cv->nsteps && (cv->steps[e].group == g ||
	    cv->steps[e].kind == CONV_DELAY))
		e++;
	return e;
}

static void
describe_expected(const struct job *J, size_t i, size_t end, char *out,
    size_t cap)
{
	const struct conv_step *s = &J->cv->steps[i];
	double w = s->within > 0 ? s->within : J->cv->within;
	size_t o;

	if (s->group == 0) {
		char why[64], *x = NULL;

		/* what the variables made of it */
		if (strstr(s->body, "{{"))
			x = conv_expand_text(s->body, lookup, (void *)J, why,
			    sizeof why);
		snprintf(out, cap, "%s (within %g s%s)%s%s", s->src, w,
		    s->skip ? ", skipping others" : "", x ? ", that is: " : "",
		    x ? x : "");
		free(x);
		return;
	}
	o = (size_t)snprintf(out, cap, "one of (any order):");
	for (size_t k = J->pc; k < end && o < cap; k++)
		if (J->cv->steps[k].kind == CONV_EXPECT && !J->matched[k])
			o += (size_t)snprintf(out + o, cap - o, " [line %d] %s",
			    J->cv->steps[k].line, J->cv->steps[k].src);
}

static void
arm(struct job *J, double at)
{
	if (loop_timer_set(&J->timer, at) != 0)
		diag("out of memory for a timer");
}

static int
do_send(struct job *J, const struct conv_step *s, char *why, size_t cap)
{
	struct conv_msg m;
	int r = 0;

	if (conv_expand(s, lookup, J, &m, why, cap) == -1)
		return -1;
	switch (s->what) {
	case CONV_TEXT:
	case CONV_QTEXT: {
		size_t bad;

		if (!ws_utf8_valid(m.p, m.n, &bad)) {
			snprintf(why, cap, "not valid UTF-8 at byte %zu", bad);
			r = -1;
			break;
		}
		/* with a protocol, a line means what it means on stdin */
		if (J->proto) {
			r = proto_line_piece(J->proto, (uint64_t)s->line, m.p,
			    m.n, 1);
			if (r != 0)
				snprintf(why, cap, "--proto %s refused it (said "
				    "above)", proto_of(J->proto)->name);
			break;
		}
		r = conn_send_data(J->c, WS_OP_TEXT, m.p, m.n, 1, 0);
		break;
	}
	case CONV_BINARY:
	case CONV_BASE64:
		r = conn_send_data(J->c, WS_OP_BINARY, m.p, m.n, 1, 0);
		break;
	case CONV_PING:
	case CONV_PONG:
		r = conn_send_control(J->c, s->what == CONV_PING ? WS_OP_PING :
		    WS_OP_PONG, m.p, m.n);
		break;
	case CONV_CLOSE: {
		char b[128];

		if (m.code && !ws_close_code_sendable(m.code)) {
			snprintf(why, cap, "/close: %u may not be sent: %s",
			    m.code, ws_close_code_why_not(m.code, b, sizeof b));
			r = -1;
			break;
		}
		r = conn_close(J->c, m.code ? m.code : WS_CLOSE_NORMAL, m.p,
		    m.n);
		break;
	}
	case CONV_RAW:
		r = conn_send_raw(J->c, m.p, m.n);
		break;
	case CONV_FRAME: {
		struct craft_frame f;
		size_t n = strlen((char *)m.p), sz;
		uint8_t *buf = xrealloc(NULL, n + 1), *out;

		if (craft_parse((char *)m.p, WS_ROLE_CLIENT, buf, n + 1, &f, why,
		    cap) == -1) {
			free(buf);
			r = -1;
			break;
		}
		if (f.masked && !f.key_given)
			for (int i = 0; i < 4; i++)
				f.key[i] = (uint8_t)rand();
		sz = craft_size(&f);
		out = xrealloc(NULL, sz ? sz : 1);
		craft_encode(out, sz, &f);
		r = conn_send_raw(J->c, out, sz);
		if (r == 0 && f.opcode == WS_OP_PING && f.fin)
			conn_ping_sent(J->c, f.payload, f.n);
		if (r == 0 && f.opcode == WS_OP_CLOSE)
			conn_close_crafted(J->c, f.n >= 2 ? (unsigned)
			    (f.payload[0] << 8 | f.payload[1]) : f.n == 1 ?
			    CONN_CLOSE_MALFORMED : 1005);
		free(out);
		free(buf);
		break;
	}
	default:
		snprintf(why, cap, "cannot be sent");
		r = -1;
	}
	if (r == -1 && why[0] == '\0')
		snprintf(why, cap, "the connection is closing");
	conv_msg_free(&m);
	return r;
}

static struct event *
take(struct job *J)
{
	struct event *e = J->q;

	if (e && (J->q = e->next) == NULL)
		J->qtail = &J->q;
	return e;
}

static void
event_free(struct event *e)
{
	if (e) {
		free(e->p);
		free(e);
	}
}

/* The expectation or group at pc, with what the queue holds. Returns 1
 * when it is over (met), 0 while it waits, -1 when it failed. */
static int
expect_step(struct job *J, double now)
{
	const struct conv *cv = J->cv;
	size_t end = group_end(J), k;
	char why[600], exp[2048];
	struct event *e;

	if (!J->waiting) {
		J->waiting = 1;
		J->wait_start = now;
		for (k = J->pc; k < end; k++) {
			const struct conv_step *s = &cv->steps[k];

			J->matched[k] = s->kind != CONV_EXPECT;
			J->deadline[k] = now + (s->within > 0 ? s->within :
			    cv->within);
		}
	}
	while ((e = take(J)) != NULL) {
		int hit = 0;

		for (k = J->pc; k < end && !hit; k++) {
			int r;

			if (J->matched[k])
				continue;
			r = match(J, &cv->steps[k], e, why, sizeof why);
			if (r == -1) {
				char *got = event_line(e->op, e->p, e->n,
				    e->code);

				event_free(e);
				snprintf(exp, sizeof exp, "%s (cannot be "
				    "checked: %s)", cv->steps[k].src, why);
				job_fail(J, k, exp, got);
				free(got);
				return -1;
			}
			if (r == 1) {
				hit = 1;
				J->matched[k] = 1;
				pass(J, k);
			}
		}
		if (!hit) {
			if (cv->steps[J->pc].skip) {
				event_free(e);
				continue;
			}
			for (k = J->pc; k < end && J->matched[k]; k++)
				;
			describe_expected(J, k, end, exp, sizeof exp);
			{
				char *got = event_line(e->op, e->p, e->n,
				    e->code);

				event_free(e);
				job_fail(J, k, exp, got);
				free(got);
			}
			return -1;
		}
		event_free(e);
		for (k = J->pc; k < end && J->matched[k]; k++)
			;
		if (k == end) {
			J->waiting = 0;
			loop_timer_stop(&J->timer);
			J->pc = end;
			emit();
			return 1;
		}
	}
	/* nothing more to take: the end of the connection, the time, or
	 * wait */
	for (k = J->pc; k < end && J->matched[k]; k++)
		;
	if (J->ended) {
		char got[600];

		describe_expected(J, k, end, exp, sizeof exp);
		snprintf(got, sizeof got, "the connection ended: %s",
		    J->end_why);
		job_fail(J, k, exp, got);
		return -1;
	}
	{
		double at = 0;
		size_t first = end;

		for (size_t i = J->pc; i < end; i++)
			if (!J->matched[i] && (at == 0 || J->deadline[i] < at)) {
				at = J->deadline[i];
				first = i;
			}
		if (now >= at) {
			char got[128];
			const struct conv_step *s = &cv->steps[first];

			describe_expected(J, first, end, exp, sizeof exp);
			snprintf(got, sizeof got, "nothing that matches within "
			    "%g s", s->within > 0 ? s->within : cv->within);
			job_fail(J, first, exp, got);
			return -1;
		}
		arm(J, at);
	}
	return 0;
}

/* Run the steps from pc as far as they go now. */
static void
advance(struct job *J)
{
	const struct conv *cv = J->cv;
	char why[600], exp[700];
	double now = now_sec();

	while (J->state == J_RUNNING) {
		const struct conv_step *s;

		if (J->pc == cv->nsteps) {
			job_close(J);
			return;
		}
		s = &cv->steps[J->pc];
		switch (s->kind) {
		case CONV_DELAY:
			J->pc++;
			continue;
		case CONV_SEND:
			if (J->ended || conn_close_sent(J->c)) {
				snprintf(exp, sizeof exp, "%s (line %d) to be "
				    "sent", s->src, s->line);
				job_fail(J, J->pc, exp, J->ended ? J->end_why :
				    "the connection is closing");
				return;
			}
			/* a protocol's session first (Socket.IO's CONNECT) */
			if (J->proto && (s->what == CONV_TEXT ||
			    s->what == CONV_QTEXT) && !proto_ready(J->proto)) {
				if (!J->waiting) {
					J->waiting = 1;
					J->wait_start = now;
					arm(J, now + cv->within);
					return;
				}
				if (now < J->wait_start + cv->within)
					return;
				snprintf(exp, sizeof exp, "--proto %s to be ready "
				    "for line %d", proto_of(J->proto)->name,
				    s->line);
				snprintf(why, sizeof why, "not within %g s",
				    cv->within);
				job_fail(J, J->pc, exp, why);
				return;
			}
			if (J->waiting) {
				J->waiting = 0;
				loop_timer_stop(&J->timer);
			}
			why[0] = '\0';
			if (do_send(J, s, why, sizeof why) == -1) {
				snprintf(exp, sizeof exp, "%s (line %d) to be "
				    "sent", s->src, s->line);
				job_fail(J, J->pc, exp, why);
				return;
			}
			J->pc++;
			continue;
		case CONV_SLEEP:
			if (!J->waiting) {
				J->waiting = 1;
				J->wait_start = now;
				arm(J, now + s->secs);
				return;
			}
			if (now < J->wait_start + s->secs)
				return;
			J->waiting = 0;
			J->pc++;
			continue;
		case CONV_NOTHING: {
			struct event *e;

			if (!J->waiting) {
				J->waiting = 1;
				J->wait_start = now;
				arm(J, now + s->secs);
			}
			if ((e = take(J)) != NULL) {
				char *got = event_line(e->op, e->p, e->n,
				    e->code);

				event_free(e);
				job_fail(J, J->pc, s->src, got);
				free(got);
				return;
			}
			if (J->ended) {
				snprintf(why, sizeof why, "the connection "
				    "ended: %s", J->end_why);
				job_fail(J, J->pc, s->src, why);
				return;
			}
			if (now < J->wait_start + s->secs)
				return;
			pass(J, J->pc);
			J->waiting = 0;
			J->pc++;
			emit();
			continue;
		}
		case CONV_EXPECT:
			if (expect_step(J, now) != 1)
				return;
			continue;
		}
	}
}

static void
on_timer(struct timer *t, double now)
{
	advance(t->ud);
}

/* ------------------------------------------------------ connection ops */

static void
push(struct job *J, unsigned op, const uint8_t *p, size_t n, unsigned code)
{
	struct event *e = xrealloc(NULL, sizeof *e);

	e->op = op;
	e->p = xrealloc(NULL, n + 1);
	if (n)
		memcpy(e->p, p, n);
	e->p[n] = '\0';
	e->n = n;
	e->code = code;
	e->next = NULL;
	*J->qtail = e;
	J->qtail = &e->next;
	remember(J, e);
}

static void
ev_message_begin(struct conn *c)
{
	struct job *J = conn_ud(c);

	J->in.n = 0;
	J->in.over = 0;
	J->in.op = conn_in(c)->opcode;
}

static void
ev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	struct job *J = conn_ud(c);

	if (J->in.n + n > J->in.cap) {
		size_t cap = J->in.cap ? J->in.cap : 4096;

		while (cap < J->in.n + n)
			cap *= 2;
		J->in.p = xrealloc(J->in.p, cap);
		J->in.cap = cap;
	}
	memcpy(J->in.p + J->in.n, p, n);
	J->in.n += n;
}

static void
ev_message_end(struct conn *c)
{
	struct job *J = conn_ud(c);

	push(J, J->in.op, J->in.p, J->in.n, 0);
	if (J->state == J_RUNNING)
		advance(J);
}

static void
ev_control(struct conn *c, char dir, unsigned op, const uint8_t *p,
    size_t n, const char *note, double rtt)
{
	struct job *J = conn_ud(c);

	if (dir != '<')
		return;
	push(J, op, p, n, 0);
	if (J->state == J_RUNNING)
		advance(J);
}

static void
ev_close(struct conn *c, char dir, unsigned code, const uint8_t *reason,
    size_t n)
{
	struct job *J = conn_ud(c);

	if (dir != '<')
		return;
	push(J, WS_OP_CLOSE, reason, n, code);
	if (J->state == J_RUNNING)
		advance(J);
}

static void
ev_ended(struct conn *c)
{
	struct job *J = conn_ud(c);

	J->ended = 1;
	snprintf(J->end_why, sizeof J->end_why, "%s", conn_why(c));
	if (J->state == J_RUNNING)
		advance(J);
	if (J->state == J_CLOSING) {
		J->state = J_DONE;
		emit();
	}
}

/* --proto: what the protocol makes of a message is the event */
static void
on_proto_line(void *ud, const uint8_t *p, size_t n)
{
	push(ud, WS_OP_TEXT, p, n, 0);
}

static void
pev_message_begin(struct conn *c)
{
	proto_message_begin(((struct job *)conn_ud(c))->proto);
}

static void
pev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	proto_message_data(((struct job *)conn_ud(c))->proto, p, n);
}

static void
pev_message_end(struct conn *c)
{
	struct job *J = conn_ud(c);

	proto_message_end(J->proto, 1);
	if (J->state == J_RUNNING)
		advance(J);
}

static const struct conn_ops test_proto_ops = {
	.message_begin = pev_message_begin,
	.message_data = pev_message_data,
	.message_end = pev_message_end,
	.control = ev_control,
	.close = ev_close,
	.ended = ev_ended,
};

static const struct conn_ops test_conn_ops = {
	.message_begin = ev_message_begin,
	.message_data = ev_message_data,
	.message_end = ev_message_end,
	.control = ev_control,
	.close = ev_close,
	.ended = ev_ended,
};

/* ----------------------------------------------------------- dialing */

static void
on_dialed(void *ud, struct dial_result *r)
{
	struct job *J = ud;
	const struct proto *proto;

	J->dial = NULL;
	if (r->exit >= 0) {
		J->exit = r->exit;
		snprintf(J->run_error, sizeof J->run_error, "%s", r->error);
		fail_at(J, 0, "to connect", r->error);
		J->state = J_DONE;
		emit();
		return;
	}
	if (!J->own_proto)
		proto = proto_chosen(r->protocol);
	else if (J->fauto)
		proto = r->protocol ? proto_for_subprotocol(r->protocol) : NULL;
	else
		proto = J->fproto;
	J->c = conn_new(&(struct conn_config){
		.role = WS_ROLE_CLIENT,
		.ops = proto ? &test_proto_ops : &test_conn_ops,
		.ud = J,
		.label = J->label,
		.max_message = opt.max_message ? opt.max_message : MSG_LIMIT,
		.close_timeout = opt.close_timeout,
		.compress = opt.compress,
	}, r->tr, r->pmd);
	r->tr = NULL;
	r->pmd = NULL;
	J->state = J_RUNNING;
	if ((J->proto = proto_conn_new(proto, J->c, 0)) != NULL) {
		proto_set_sink(J->proto, on_proto_line, J);
		proto_open(J->proto);
	}
	advance(J);
	if (!conn_done(J->c))
		conn_feed(J->c, r->early, r->nearly);
}

/* Could not start: the job's points say why. */
static void
not_run(struct job *J, int exit, const char *why)
{
	J->exit = exit;
	snprintf(J->run_error, sizeof J->run_error, "%s", why);
	fail_at(J, 0, "to connect", why);
	J->state = J_DONE;
	emit();
}

static void
job_start(struct job *J)
{
	struct dial_params p;
	char why[512], *u;
	size_t nh = 0, np = 0;

	J->t0 = now_sec();
	J->state = J_DIALING;
	snprintf(J->label, sizeof J->label, "%s: ", J->cv->name);
	u = conv_expand_text(opt.url ? opt.url : J->cv->url, lookup, J, why,
	    sizeof why);
	if (u == NULL) {
		not_run(J, EXIT_USAGE, why);
		return;
	}
	/* a protocol may have a path of its own (Socket.IO's) */
	if (!J->own_proto)
		snprintf(J->url, sizeof J->url, "%s", proto_url(u, why,
		    sizeof why));
	else if (J->fproto && J->fproto->url && J->fproto->url(u, why,
	    sizeof why))
		snprintf(J->url, sizeof J->url, "%s", why);
	else
		snprintf(J->url, sizeof J->url, "%s", u);
	free(u);
	for (struct curl_slist *l = opt.headers; l && nh < 256; l = l->next)
		J->hdrs[nh++] = l->data;
	for (size_t i = 0; i < J->cv->nheaders && nh < 300; i++) {
		char *h = conv_expand_text(J->cv->headers[i], lookup, J, why,
		    sizeof why);

		if (h == NULL) {
			char b[600];

			snprintf(b, sizeof b, "@header: %s", why);
			not_run(J, EXIT_USAGE, b);
			return;
		}
		J->hdr_own = xrealloc(J->hdr_own, (J->nhdr_own + 1) *
		    sizeof *J->hdr_own);
		J->hdr_own[J->nhdr_own++] = h;
		J->hdrs[nh++] = h;
	}
	for (int i = 0; i < opt.nprotocols; i++)
		J->protos[np++] = opt.protocols[i];
	for (size_t i = 0; i < J->cv->nprotocols && np < MAX_PROTOCOLS + 64;
	    i++)
		J->protos[np++] = J->cv->protocols[i];
	for (const char *const *o = J->own_proto ? (J->fproto ?
	    J->fproto->subprotocols : NULL) : proto_offered(); o && *o &&
	    np < MAX_PROTOCOLS + 128; o++) {
		size_t k = 0;

		while (k < np && strcmp(J->protos[k], *o))
			k++;
		if (k == np)
			J->protos[np++] = *o;
	}
	memset(&p, 0, sizeof p);
	p.net = opts_dial_net();
	p.url = J->url;
	p.protocols = J->protos;
	p.nprotocols = np;
	p.deflate = opt.deflate ? &opt.deflate_offer : NULL;
	p.origin = J->cv->origin ? J->cv->origin : opt.origin;
	p.headers = J->hdrs;
	p.nheaders = nh;
	p.timeout = opt.connect_timeout;
	p.verbose = opt.verbose;
	p.quiet = 1;
	p.quiet_refusal = !opt.verbose;
	p.label = "";
	if ((J->dial = dial_start(&p, on_dialed, J)) == NULL)
		not_run(J, EXIT_ERROR, "cannot start connecting: out of memory");
}

/* ---------------------------------------------------------- the run */

static int
count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < T.njobs; i++)
		n += T.jobs[i].state == J_DIALING ||
		    T.jobs[i].state == J_RUNNING ||
		    T.jobs[i].state == J_CLOSING;
	/* the files not started yet count too, while the run goes on */
	return (int)n + (T.stopping ? 0 : (int)(T.njobs - T.next));
}

static void
close_all(unsigned code, int exit)
{
	T.stopping = 1;
	for (size_t i = 0; i < T.njobs; i++) {
		struct job *J = &T.jobs[i];

		if (J->state == J_DIALING) {
			dial_cancel(J->dial);
			J->dial = NULL;
			J->state = J_DONE;
		} else if (J->state == J_RUNNING) {
			J->state = J_CLOSING;
			if (!conn_close_sent(J->c))
				conn_close(J->c, code, NULL, 0);
		}
	}
}

static void
abort_all(int exit, const char *why)
{
	T.stopping = 1;
	for (size_t i = 0; i < T.njobs; i++) {
		struct job *J = &T.jobs[i];

		loop_timer_stop(&J->timer);
		if (J->dial) {
			dial_cancel(J->dial);
			J->dial = NULL;
		}
		if (J->c && !conn_done(J->c))
			conn_abort(J->c, exit, why);
		if (J->state != J_WAITING)
			J->state = J_DONE;
	}
}

static void
test_dispatch(double now)
{
	int busy = 0;

	for (size_t i = 0; i < T.njobs; i++) {
		struct job *J = &T.jobs[i];

		if (J->state == J_DONE && J->c) {
			if (J->t1 == 0)
				J->t1 = now;
			proto_conn_free(J->proto);
			J->proto = NULL;
			conn_free(J->c);
			J->c = NULL;
		}
		busy += J->state == J_DIALING || J->state == J_RUNNING ||
		    J->state == J_CLOSING;
	}
	while (!T.stopping && !run_ending() && T.next < T.njobs &&
	    busy < test_opt.jobs) {
		job_start(&T.jobs[T.next++]);
		busy++;
	}
	emit();
	if (!run_ending() && T.next == T.njobs && T.head == T.njobs)
		run_done(-1);
}

static void
test_prepare(double now, int *busy)
{
	/* a job done in a callback is freed, and the next started, in the
	 * dispatch of the next turn: it must come at once */
	for (size_t i = 0; i < T.njobs; i++)
		if ((T.jobs[i].state == J_DONE && T.jobs[i].c) ||
		    (T.jobs[i].state == J_DONE && i == T.head))
			*busy = 1;
	if (!T.stopping && T.next < T.njobs)
		*busy = 1;
	/* all written: the dispatch ends the run */
	if (T.head == T.njobs && !run_ending())
		*busy = 1;
}

/* The points never decided (the run was cut short) still get their
 * line: the plan said they would. */
static void
finish(int exit)
{
	abort_all(exit < 0 ? EXIT_ERROR : exit, "wscli ended");
	for (size_t i = 0; i < T.njobs; i++) {
		struct job *J = &T.jobs[i];

		for (size_t k = 0; k < J->cv->nsteps; k++) {
			struct point *pt = &J->points[k];

			if ((J->cv->steps[k].kind == CONV_EXPECT ||
			    J->cv->steps[k].kind == CONV_NOTHING) &&
			    pt->state == P_PENDING) {
				pt->state = P_FAILED;
				pt->detail = xstrdup(J->state == J_WAITING ?
				    "  not run: the run ended before this file "
				    "started" : "  not decided: the run ended");
				J->failed = 1;
			}
		}
		J->state = J_DONE;
	}
	emit();
}

static int
write_junit(const char *path)
{
	FILE *f = fopen(path, "w");
	unsigned long tests = 0, failures = 0, skipped = 0;

	if (f == NULL) {
		diag("--report %s: %s", path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < T.njobs; i++)
		for (size_t k = 0; k < T.jobs[i].cv->nsteps; k++) {
			const struct conv_step *s = &T.jobs[i].cv->steps[k];

			if (s->kind != CONV_EXPECT && s->kind != CONV_NOTHING)
				continue;
			tests++;
			failures += T.jobs[i].points[k].state == P_FAILED;
			skipped += T.jobs[i].points[k].state == P_SKIPPED;
		}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"wscli --test\" tests=\"%lu\" failures=\"%lu\" "
	    "skipped=\"%lu\" time=\"%.3f\">\n", tests, failures, skipped,
	    now_sec() - T.t0);
	for (size_t i = 0; i < T.njobs; i++) {
		struct job *J = &T.jobs[i];
		unsigned long t = 0, fl = 0, sk = 0;

		for (size_t k = 0; k < J->cv->nsteps; k++)
			if (J->cv->steps[k].kind == CONV_EXPECT ||
			    J->cv->steps[k].kind == CONV_NOTHING) {
				t++;
				fl += J->points[k].state == P_FAILED;
				sk += J->points[k].state == P_SKIPPED;
			}
		fprintf(f, "  <testsuite name=\"");
		xml_text(f, J->cv->name);
		fprintf(f, "\" tests=\"%lu\" failures=\"%lu\" skipped=\"%lu\" "
		    "time=\"%.3f\">\n", t, fl, sk, J->t1 > J->t0 ? J->t1 - J->t0 :
		    0);
		for (size_t k = 0; k < J->cv->nsteps; k++) {
			const struct conv_step *s = &J->cv->steps[k];
			const struct point *pt = &J->points[k];

			if (s->kind != CONV_EXPECT && s->kind != CONV_NOTHING)
				continue;
			fprintf(f, "    <testcase classname=\"");
			xml_text(f, J->cv->name);
			fprintf(f, "\" name=\"line %d: ", s->line);
			xml_text(f, s->src);
			fprintf(f, "\" time=\"%.3f\"", pt->secs);
			if (pt->state == P_OK) {
				fprintf(f, "/>\n");
				continue;
			}
			fprintf(f, ">\n      <%s message=\"",
			    pt->state == P_SKIPPED ? "skipped" : "failure");
			xml_text(f, pt->state == P_SKIPPED && pt->detail ?
			    pt->detail : "expectation failed");
			fprintf(f, "\"");
			if (pt->state == P_FAILED && pt->detail) {
				fprintf(f, ">");
				xml_text(f, pt->detail);
				fprintf(f, "</failure>\n");
			} else {
				fprintf(f, "/>\n");
			}
			fprintf(f, "    </testcase>\n");
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	if (fclose(f) != 0) {
		diag("--report %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
status(int exit)
{
	int st = EXIT_OK, failed = 0;

	for (size_t i = 0; i < T.njobs; i++) {
		if (T.jobs[i].exit >= 0 && st == EXIT_OK)
			st = T.jobs[i].exit;
		failed |= T.jobs[i].failed;
	}
	if (test_opt.report_junit && write_junit(test_opt.report_junit) != 0 &&
	    st == EXIT_OK)
		st = EXIT_ERROR;
	if (exit > 0)
		return exit;
	if (st != EXIT_OK)
		return st;
	return failed ? EXIT_ERROR : EXIT_OK;
}

static const struct run_ops test_ops = {
	.count = count,
	.close_all = close_all,
	.abort_all = abort_all,
	.finish = finish,
	.prepare = test_prepare,
	.dispatch = test_dispatch,
	.status = status,
};

/* ------------------------------------------------------- loading */

/* The program that runs filter i of f[lo..hi) on [i, message]: a binary
 * search on i, so that each message pays a few comparisons. */
static void
jq_dispatch(FILE *o, char **f, size_t lo, size_t hi)
{
	size_t mid = lo + (hi - lo) / 2;

	if (hi - lo == 1) {
		/* the line break ends a comment the filter may end with */
		fprintf(o, "(%s\n)", f[lo]);
		return;
	}
	fprintf(o, "if $__conv_i < %zu then ", mid);
	jq_dispatch(o, f, lo, mid);
	fputs(" else ", o);
	jq_dispatch(o, f, mid, hi);
	fputs(" end", o);
}

static jq_state *
jq_program(char **f, size_t lo, size_t hi)
{
	char *text = NULL, why[16];
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);
	struct jqc *one = NULL;
	jq_state *jq = NULL;

	if (o == NULL)
		return NULL;
	fputs(".[0] as $__conv_i | .[1] | ", o);
	jq_dispatch(o, f, lo, hi);
	if (fclose(o) == 0 && jq_get(&one, text, why, sizeof why) != NULL) {
		jq = one->jq;
		free(one->filter);
		free(one);
	}
	free(text);
	return jq;
}

/* Which of f[lo..hi) do not compile: halves, until each alone (tried:
 * they were already tried together). */
static int
jq_find_bad(char **f, const int *lines, size_t lo, size_t hi,
    const char *name, int tried)
{
	jq_state *jq;
	size_t mid;

	if (hi - lo > 1 && !tried && (jq = jq_program(f, lo, hi)) != NULL) {
		jq_teardown(&jq);
		return 0;
	}
	if (hi - lo == 1) {
		struct jqc *one = NULL;
		char why[600];

		if (jq_get(&one, f[lo], why, sizeof why) != NULL) {
			jq_free_all(&one);
			return 0;
		}
		{
			/* "jq: jq: error: syntax error, ...\nthe filter": the
			 * first line, without its prefixes */
			char *w = why + 4;

			if (!strncmp(w, "jq: error: ", 11))
				w += 11;
			w[strcspn(w, "\n")] = '\0';
			/* the rest speaks of a shell and of jq's own lines */
			if (strstr(w, " (Unix shell"))
				*strstr(w, " (Unix shell") = '\0';
			if (strstr(w, " at <top-level>"))
				*strstr(w, " at <top-level>") = '\0';
			diag("%s:%d: jq '%s': %s", name, lines[lo], f[lo], w);
		}
		return 1;
	}
	mid = lo + (hi - lo) / 2;
	return jq_find_bad(f, lines, lo, mid, name, 0) |
	    jq_find_bad(f, lines, mid, hi, name, 0);
}

static void
jqs_add(struct jqs *js, int **lines, const char *filter, int line)
{
	for (size_t i = 0; i < js->n; i++)
		if (!strcmp(js->filters[i], filter))
			return;
	js->filters = xrealloc(js->filters, (js->n + 1) * sizeof *js->filters);
	*lines = xrealloc(*lines, (js->n + 1) * sizeof **lines);
	js->filters[js->n] = xstrdup(filter);
	(*lines)[js->n++] = line;
}

/* What can be checked of a file before it runs: its regular expressions
 * and jq filters, where no variable changes them; the filters are then
 * compiled, into js. */
static int
check_file(struct conv *cv, const char *url, struct jqs *js)
{
	char why[600];
	int bad = 0, *lines = NULL;

	if (url == NULL && cv->url == NULL) {
		diag("%s: no URL: give one on the command line or as @url in "
		    "the file", cv->name);
		return -1;
	}
	if (cv->proto) {
		const struct proto *p;
		char names[256];

		if (proto_find(cv->proto, &p, names, sizeof names) != 0) {
			diag("%s: @proto %s: not a protocol (one of %s)",
			    cv->name, cv->proto, names);
			return -1;
		}
	}
	for (size_t i = 0; i < cv->nsteps; i++) {
		const struct conv_step *s = &cv->steps[i];

		if (s->kind == CONV_EXPECT && s->what == CONV_RE &&
		    !strstr(s->body, "{{")) {
			regex_t rx;
			int rc = regcomp(&rx, s->body, REG_EXTENDED);

			if (rc != 0) {
				regerror(rc, &rx, why, sizeof why);
				diag("%s:%d: /re: %s", cv->name, s->line, why);
				bad = 1;
				continue;
			}
			for (size_t k = 0; k < s->ncaps; k++)
				if (s->caps[k].expr == NULL &&
				    (size_t)s->caps[k].group > rx.re_nsub) {
					diag("%s:%d: capture %s: the expression "
					    "has %zu group%s", cv->name,
					    s->caps[k].line, s->caps[k].name,
					    rx.re_nsub, rx.re_nsub == 1 ? "" :
					    "s");
					bad = 1;
				}
			regfree(&rx);
		}
		if (s->kind == CONV_EXPECT && s->what == CONV_JQ &&
		    !strstr(s->body, "{{"))
			jqs_add(js, &lines, s->body, s->line);
		for (size_t k = 0; k < s->ncaps; k++)
			if (s->caps[k].expr && !strstr(s->caps[k].expr, "{{"))
				jqs_add(js, &lines, s->caps[k].expr,
				    s->caps[k].line);
	}
	if (js->n > 0)
		js->all = xrealloc(NULL, (js->n + JQ_CHUNK - 1) / JQ_CHUNK *
		    sizeof *js->all);
	for (size_t lo = 0; lo < js->n; lo += JQ_CHUNK) {
		size_t hi = lo + JQ_CHUNK < js->n ? lo + JQ_CHUNK : js->n;

		/* each chunk offsets its own numbers from 0 */
		if ((js->all[lo / JQ_CHUNK] = jq_program(js->filters + lo, 0,
		    hi - lo)) == NULL)
			bad |= jq_find_bad(js->filters, lines, lo, hi,
			    cv->name, 1);
	}
	free(lines);
	return bad ? -1 : 0;
}

static void
free_all(void)
{
	for (size_t i = 0; i < T.njobs; i++) {
		struct job *J = &T.jobs[i];

		if (J->dial)
			dial_cancel(J->dial);
		proto_conn_free(J->proto);
		conn_free(J->c);
		loop_timer_stop(&J->timer);
		while (J->q)
			event_free(take(J));
		for (size_t k = 0; J->points && k < J->cv->nsteps; k++)
			free(J->points[k].detail);
		free(J->points);
		free(J->deadline);
		free(J->matched);
		free(J->in.p);
		for (int k = 0; k < RECENT; k++)
			free(J->recent[k]);
		while (J->vars) {
			struct var *v = J->vars;

			J->vars = v->next;
			free(v->name);
			free(v->value);
			free(v);
		}
		for (size_t k = 0; k < J->nhdr_own; k++)
			free(J->hdr_own[k]);
		free(J->hdr_own);
		jqs_free(&J->jq);
		conv_free(J->cv);
	}
	free(T.jobs);
	loop_release();
}

int
convtest_run(void)
{
	char err[1024], line[64];
	int rc, bad = 0;

	T.t0 = now_sec();
	T.jobs = xrealloc(NULL, (size_t)test_opt.nfiles * sizeof *T.jobs);
	memset(T.jobs, 0, (size_t)test_opt.nfiles * sizeof *T.jobs);
	for (int i = 0; i < test_opt.nfiles; i++) {
		struct job *J = &T.jobs[T.njobs];

		if (conv_load(test_opt.files[i], &J->cv, err, sizeof err) != 0) {
			diag("%s", err);
			bad = 1;
			continue;
		}
		if (check_file(J->cv, opt.url, &J->jq) != 0) {
			jqs_free(&J->jq);
			conv_free(J->cv);
			bad = 1;
			continue;
		}
		J->exit = -1;
		J->qtail = &J->q;
		/* the file's @proto, over --proto */
		if (J->cv->proto) {
			char names[256];

			J->own_proto = 1;
			J->fauto = !strcmp(J->cv->proto, "auto");
			proto_find(J->cv->proto, &J->fproto, names,
			    sizeof names);
		}
		J->timer.fire = on_timer;
		J->timer.ud = J;
		J->points = xrealloc(NULL, (J->cv->nsteps + 1) *
		    sizeof *J->points);
		memset(J->points, 0, (J->cv->nsteps + 1) * sizeof *J->points);
		J->deadline = xrealloc(NULL, (J->cv->nsteps + 1) *
		    sizeof *J->deadline);
		J->matched = xrealloc(NULL, J->cv->nsteps + 1);
		for (size_t k = 0; k < J->cv->nsteps; k++)
			J->points[k].s = &J->cv->steps[k];
		T.plan += J->cv->nexpect;
		T.njobs++;
	}
	if (bad) {
		free_all();
		return EXIT_USAGE;
	}
	/* the TAP says how each file went; how each connection ended is
	 * for -v */
	if (!opt.verbose)
		term_set_quiet(1);
	snprintf(line, sizeof line, "1..%lu\n", T.plan);
	out_write(line, strlen(line));
	out_flush();
	rc = run_main(&test_ops);
	free_all();
	return rc;
}
