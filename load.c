/*
 * load.c - wscli --load URL and --load-merge; see load.h.
 *
 * Every connection is a struct lconn in one array, made in order: the
 * launch timer starts the next ones as --rate allows (without --rate as
 * soon as fewer than MAX_SETUP are being set up), each through dial.c's
 * dialer, then a struct conn of conn.c with load's callbacks. A
 * connection sends from its own timer (--msg-rate) or when a message
 * comes in (lockstep); what it sent and has not seen come back waits in
 * a small ring of (length, hash, time) for the echo to be recognised.
 *
 * What the run finds goes into one struct lreport, which is also what a
 * --load-report file holds and what --load-merge adds up, so a report
 * is printed the same way from one run or from many.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include "conn.h"
#include "dial.h"
#include "exit.h"
#include "frame.h"
#include "hist.h"
#include "load.h"
#include "loop.h"
#include "opts.h"
#include "output.h"
#include "run.h"
#include "tcpdial.h"
#include "term.h"
#include "transport.h"

#define MAX_SETUP 256          /* connections being set up at once
				  without --rate */
#define RING_MAX 4096          /* messages awaiting their echo, per
				  connection: older ones count as
				  unanswered */
#define QUEUE_HIGH (256 * 1024) /* a connection whose queue holds this
				   much skips its turn to send */
#define MAX_KINDS 48           /* distinct failure reasons, close codes,
				  violations kept apart */
#define MAX_TEMPLATES 4096
#define MAX_TEMPLATE_BYTES (16 << 20)
#define PROGRESS_EVERY 0.25    /* seconds between progress lines */

/* ------------------------------------------------------------- report */

struct kind {                  /* one line of a tally */
	char *what;
	uint64_t n;
};

struct tally {
	struct kind k[MAX_KINDS];
	size_t n;
};

/* What a run found; the unit of --load-report and --load-merge. */
struct lreport {
	char url[1024];
	double start, end;             /* wall clock, seconds since 1970 */
	double last_open;              /* ... when the last one opened */
	uint64_t runs;                 /* processes reported */
	uint64_t planned, opened, failed, unopened;
	uint64_t msgs_out, msgs_in, bytes_out, bytes_in;
	uint64_t echoed, unanswered, skipped;
	struct tally fail, close, viol;
	struct hist connect, upgrade, rtt; /* microseconds */
};

static void
tally_add(struct tally *t, const char *what, uint64_t n)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->k[i].what, what))
			break;
	if (i == t->n) {
		if (t->n == MAX_KINDS) {
			/* the last one gathers the rest */
			i = MAX_KINDS - 1;
			if (strcmp(t->k[i].what, "other")) {
				free(t->k[i].what);
				t->k[i].what = xstrdup("other");
			}
		} else {
			t->k[t->n].what = xstrdup(what);
			t->k[t->n++].n = 0;
		}
	}
	t->k[i].n += n;
}

static void
tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->k[i].what);
	t->n = 0;
}

static int
kind_cmp(const void *a, const void *b)
{
	const struct kind *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->what, y->what);
}

static void
report_init(struct lreport *r)
{
	memset(r, 0, sizeof *r);
	hist_reset(&r->connect);
	hist_reset(&r->upgrade);
	hist_reset(&r->rtt);
}

static void
report_free(struct lreport *r)
{
	tally_free(&r->fail);
	tally_free(&r->close);
	tally_free(&r->viol);
}

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	out_write(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* Microseconds for people. */
static const char *
us_text(uint64_t us, char *buf, size_t cap)
{
	if (us < 1000)
		snprintf(buf, cap, "%" PRIu64 " us", us);
	else if (us < 1000000)
		snprintf(buf, cap, "%.3g ms", (double)us / 1000);
	else
		snprintf(buf, cap, "%.3g s", (double)us / 1e6);
	return buf;
}

static void
print_hist(const char *name, const struct hist *h, const char *of)
{
	static const double pcts[] = { 50, 90, 99, 99.9 };
	char b[32], line[512];
	size_t o;

	if (h->total == 0)
		return;
	o = (size_t)snprintf(line, sizeof line, "%-12s", name);
	for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
		o += (size_t)snprintf(line + o, sizeof line - o, "p%g %s  ",
		    pcts[i], us_text(hist_percentile(h, pcts[i]), b, sizeof b));
	o += (size_t)snprintf(line + o, sizeof line - o, "max %s",
	    us_text(h->max, b, sizeof b));
	snprintf(line + o, sizeof line - o, "  (%" PRIu64 " %s)\n", h->total,
	    of);
	say("%s", line);
}

static void
print_tally(const char *name, struct tally *t)
{
	if (t->n == 0)
		return;
	qsort(t->k, t->n, sizeof t->k[0], kind_cmp);
	for (size_t i = 0; i < t->n; i++)
		say("%-12s%8" PRIu64 "  %s\n", i ? "" : name, t->k[i].n,
		    t->k[i].what);
}

static double
per_sec(uint64_t n, double secs)
{
	return secs > 0 ? (double)n / secs : 0;
}

static void
report_print(struct lreport *r)
{
	double secs = r->end - r->start;

	say("wscli --load %s: %" PRIu64 " connections in %.2f s", r->url,
	    r->planned, secs);
	if (r->runs > 1)
		say(" (%" PRIu64 " runs merged)", r->runs);
	say("\n");
	say("%-12s%8" PRIu64 " opened", "connections", r->opened);
	if (r->opened && r->last_open > r->start)
		say(" in %.2f s (%.0f/s)", r->last_open - r->start,
		    per_sec(r->opened, r->last_open - r->start));
	say(", %" PRIu64 " failed", r->failed);
	if (r->unopened)
		say(", %" PRIu64 " not opened by the end", r->unopened);
	say("\n");
	print_tally("failed", &r->fail);
	print_tally("ended", &r->close);
	print_hist("connect", &r->connect, "connections");
	print_hist("upgrade", &r->upgrade, "upgrades");
	print_hist("round trip", &r->rtt, "echoes");
	say("%-12s%8" PRIu64 " sent (%.0f/s), %" PRIu64 " received (%.0f/s)",
	    "messages", r->msgs_out, per_sec(r->msgs_out, secs), r->msgs_in,
	    per_sec(r->msgs_in, secs));
	if (r->msgs_out)
		say(", %" PRIu64 " echoed, %" PRIu64 " unanswered", r->echoed,
		    r->unanswered);
	if (r->skipped)
		say(", %" PRIu64 " sends skipped (queue full)", r->skipped);
	say("\n");
	say("%-12s%8" PRIu64 " sent (%.0f/s), %" PRIu64 " received (%.0f/s)\n",
	    "bytes", r->bytes_out, per_sec(r->bytes_out, secs), r->bytes_in,
	    per_sec(r->bytes_in, secs));
	if (r->viol.n == 0)
		say("%-12s%8s\n", "violations", "none");
	print_tally("violations", &r->viol);
}

/* ------------------------------------------------- report files, merge */

/*
 * The file: a first line "wscli-load-report 1", then one record a line,
 * its name first:
 *
 *   url URL
 *   time START END LAST-OPEN  (seconds since 1970)
 *   runs N  planned N  opened N  failed N  unopened N  msgs_out N
 *   msgs_in N  bytes_out N  bytes_in N  echoed N  unanswered N  skipped N
 *   fail N REASON...         close N HOW...       violation N KIND...
 *   hist connect|upgrade|rtt LINE-OF-hist_write()
 */
static const struct {
	const char *name;
	size_t off;
} counters[] = {
#define C(f) { #f, offsetof(struct lreport, f) }
	C(runs), C(planned), C(opened), C(failed), C(unopened), C(msgs_out),
	C(msgs_in), C(bytes_out), C(bytes_in), C(echoed), C(unanswered),
	C(skipped),
#undef C
};

#define NCOUNTERS (sizeof counters / sizeof counters[0])

static uint64_t *
counter(struct lreport *r, size_t i)
{
	return (uint64_t *)((char *)r + counters[i].off);
}

static int
report_write(struct lreport *r, const char *path)
{
	FILE *f = fopen(path, "w");
	static const struct {
		const char *name;
		size_t off;
	} tallies[] = {
		{ "fail", offsetof(struct lreport, fail) },
		{ "close", offsetof(struct lreport, close) },
		{ "violation", offsetof(struct lreport, viol) },
	};
	int bad;

	if (f == NULL) {
		diag("cannot write --load-report %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "wscli-load-report 1\nurl %s\ntime %.6f %.6f %.6f\n",
	    r->url, r->start, r->end, r->last_open);
	for (size_t i = 0; i < NCOUNTERS; i++)
		fprintf(f, "%s %" PRIu64 "\n", counters[i].name,
		    *counter(r, i));
	for (size_t i = 0; i < sizeof tallies / sizeof tallies[0]; i++) {
		struct tally *t = (struct tally *)((char *)r + tallies[i].off);

		for (size_t k = 0; k < t->n; k++)
			fprintf(f, "%s %" PRIu64 " %s\n", tallies[i].name,
			    t->k[k].n, t->k[k].what);
	}
	fputs("hist connect ", f);
	hist_write(f, &r->connect);
	fputs("\nhist upgrade ", f);
	hist_write(f, &r->upgrade);
	fputs("\nhist rtt ", f);
	hist_write(f, &r->rtt);
	fputs("\n", f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		diag("cannot write --load-report %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* "NAME N REST": N into *n, REST returned; NULL if the line is not. */
static const char *
count_rest(const char *s, uint64_t *n)
{
	char *end;

	if (*s < '0' || *s > '9')
		return NULL;
	errno = 0;
	*n = strtoull(s, &end, 10);
	if (errno || *end != ' ' || end[1] == '\0')
		return NULL;
	return end + 1;
}

/* Add the report in path to r. Returns 0, or -1 (said why). */
static int
report_read(struct lreport *r, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int rc = 0;

	if (f == NULL) {
		diag("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		const char *v, *rest;
		uint64_t n;
		double a, b;
		size_t i;

		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (lineno == 1) {
			if (strcmp(line, "wscli-load-report 1")) {
				diag("%s is not a wscli --load-report file",
				    path);
				rc = -1;
				break;
			}
			continue;
		}
		v = strchr(line, ' ');
		if (v == NULL)
			goto bad;
		v++;
		if (!strncmp(line, "url ", 4)) {
			if (r->url[0] && strcmp(r->url, v))
				diag("warning: %s is a run against %s, not %s",
				    path, v, r->url);
			else
				snprintf(r->url, sizeof r->url, "%s", v);
			continue;
		}
		if (!strncmp(line, "time ", 5)) {
			double c;

			if (sscanf(v, "%lf %lf %lf", &a, &b, &c) != 3 || b < a)
				goto bad;
			if (c > r->last_open)
				r->last_open = c;
			if (r->start == 0 || a < r->start)
				r->start = a;
			if (b > r->end)
				r->end = b;
			continue;
		}
		if (!strncmp(line, "hist ", 5)) {
			struct hist *h = !strncmp(v, "connect ", 8) ?
			    &r->connect : !strncmp(v, "upgrade ", 8) ?
			    &r->upgrade : !strncmp(v, "rtt ", 4) ? &r->rtt :
			    NULL;

			if (h == NULL || hist_read(h, strchr(v, ' ') + 1) != 0)
				goto bad;
			continue;
		}
		if ((rest = count_rest(v, &n)) != NULL) {
			if (!strncmp(line, "fail ", 5)) {
				tally_add(&r->fail, rest, n);
				continue;
			}
			if (!strncmp(line, "close ", 6)) {
				tally_add(&r->close, rest, n);
				continue;
			}
			if (!strncmp(line, "violation ", 10)) {
				tally_add(&r->viol, rest, n);
				continue;
			}
		}
		for (i = 0; i < NCOUNTERS; i++) {
			size_t k = strlen(counters[i].name);

			if (!strncmp(line, counters[i].name, k) &&
			    line[k] == ' ') {
				char *end;

				errno = 0;
				n = strtoull(v, &end, 10);
				if (errno || *end || end == v)
					goto bad;
				*counter(r, i) += n;
				break;
			}
		}
		if (i < NCOUNTERS)
			continue;
	bad:
		diag("%s, line %zu: not a line of a --load-report file", path,
		    lineno);
		rc = -1;
		break;
	}
	if (rc == 0 && lineno == 0) {
		diag("%s is empty", path);
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

int
load_merge(int nfiles, char **files)
{
	static struct lreport r;  /* 650 KiB of histograms */
	int rc = EXIT_OK;

	report_init(&r);
	for (int i = 0; i < nfiles; i++)
		if (report_read(&r, files[i]) != 0) {
			rc = EXIT_ERROR;
			goto out;
		}
	report_print(&r);
	if (load_opt.report && report_write(&r, load_opt.report) != 0)
		rc = EXIT_ERROR;
	out_flush();
	if (out_failed())
		rc = EXIT_ERROR;
out:
	report_free(&r);
	out_free();
	return rc;
}

/* ------------------------------------------------------ the connections */

enum { L_WAIT, L_DIAL, L_OPEN, L_DONE };

struct sent {
	uint64_t hash;
	double at;
	uint32_t len;
};

struct lconn {
	int id;                    /* 1.. */
	int state;
	struct dial *dial;         /* dial.c's, or */
	struct tdial *tdial;       /* tcpdial.c's */
	struct conn *c;
	struct timer tick;         /* --msg-rate: the next send */
	uint64_t sent, got;        /* data messages */
	uint64_t in_hash;          /* FNV-1a of the message coming in */
	struct sent *ring;         /* sent, not seen back yet */
	uint32_t rhead, rn, rcap;
	unsigned peer_code;        /* the server's CLOSE came first: its
				      code */
	unsigned our_code;         /* the code of wscli's CLOSE */
	int closing;               /* wscli closed it */
};

static struct {
	struct lconn *cs;
	long n;                    /* --connections */
	long launched, setting_up, open, over;
	struct timer launch, end, progress;
	double t0;                 /* now_sec() at the start */
	char **tpl;                /* message templates */
	size_t *tpl_len;
	size_t ntpl;
	uint8_t *buf;              /* a message filled in */
	size_t bufcap;
	const char *hdrs[256];
	size_t nhdrs;
	struct dial_params dp;     /* every connection's */
	struct td_target target;   /* plain ws://: where all go */
	int light;                 /* ... dialed by tcpdial.c */
	int progress_on;           /* stderr is a terminal */
	int progress_shown;
	int ending;
	struct lreport rep;
} L;

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)

static uint64_t
fnv(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= FNV_PRIME;
	}
	return h;
}

static double
wall_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static uint64_t
us_since(double t, double now)
{
	return now > t ? (uint64_t)((now - t) * 1e6 + 0.5) : 0;
}

/* ---------------------------------------------------------- templates */

/* Template i for message n of lc, placeholders filled, into L.buf. */
static size_t
fill(const struct lconn *lc, uint64_t n, size_t i)
{
	const char *t = L.tpl[i], *end = t + L.tpl_len[i];
	size_t o = 0;

	for (;;) {
		const char *brace = memchr(t, '{', (size_t)(end - t));
		size_t k = brace ? (size_t)(brace - t) : (size_t)(end - t);
		char num[32];
		const char *put = NULL;
		size_t skip = 0;

		if (brace) {
			if (!strncmp(brace, "{n}", 3) && end - brace >= 3) {
				snprintf(num, sizeof num, "%" PRIu64, n);
				put = num;
				skip = 3;
			} else if (!strncmp(brace, "{conn}", 6) &&
			    end - brace >= 6) {
				snprintf(num, sizeof num, "%d", lc->id);
				put = num;
				skip = 6;
			} else if (!strncmp(brace, "{ts}", 4) &&
			    end - brace >= 4) {
				snprintf(num, sizeof num, "%.0f",
				    wall_now() * 1e6);
				put = num;
				skip = 4;
			} else {
				k++; /* a brace of the message's own */
			}
		}
		if (o + k + 32 > L.bufcap) {
			L.bufcap = (o + k + 32) * 2;
			L.buf = xrealloc(L.buf, L.bufcap);
		}
		memcpy(L.buf + o, t, k);
		o += k;
		t += k;
		if (put) {
			size_t pl = strlen(put);

			memcpy(L.buf + o, put, pl);
			o += pl;
			t += skip;
		}
		if (brace == NULL || t >= end)
			break;
	}
	return o;
}

/* stdin's lines, when no --send is given and stdin is not a terminal. */
static int
read_templates(void)
{
	char *line = NULL;
	size_t cap = 0, total = 0;
	ssize_t len;

	if (opt.nsend > 0) {
		for (int i = 0; i < opt.nsend; i++) {
			L.tpl = xrealloc(L.tpl, (L.ntpl + 1) * sizeof *L.tpl);
			L.tpl_len = xrealloc(L.tpl_len, (L.ntpl + 1) *
			    sizeof *L.tpl_len);
			L.tpl[L.ntpl] = xstrdup(opt.send[i]);
			L.tpl_len[L.ntpl++] = strlen(opt.send[i]);
		}
		return 0;
	}
	if (isatty(STDIN_FILENO))
		return 0;
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (L.ntpl == MAX_TEMPLATES || total + (size_t)len >
		    MAX_TEMPLATE_BYTES) {
			diag("--load: at most %d message templates of %d MiB "
			    "in all on stdin", MAX_TEMPLATES,
			    MAX_TEMPLATE_BYTES >> 20);
			free(line);
			return -1;
		}
		L.tpl = xrealloc(L.tpl, (L.ntpl + 1) * sizeof *L.tpl);
		L.tpl_len = xrealloc(L.tpl_len, (L.ntpl + 1) *
		    sizeof *L.tpl_len);
		L.tpl[L.ntpl] = xstrndup(line, (size_t)len);
		L.tpl_len[L.ntpl++] = (size_t)len;
		total += (size_t)len;
	}
	free(line);
	return 0;
}

/* The templates, and whether they go with the options. Returns 0 or an
 * exit status. */
static int
check_templates(void)
{
	int sending = load_opt.msg_rate > 0 || load_opt.lockstep;

	if (opt.nsend > 0 && !sending) {
		diag("--send goes with --msg-rate RATE or lockstep: how often "
		    "each connection sends");
		return EXIT_USAGE;
	}
	/* stdin is read only when messages are to be sent: a load of idle
	 * connections started from a script leaves it alone */
	if (sending && read_templates() != 0)
		return EXIT_USAGE;
	if (L.ntpl == 0 && (sending || opt.count)) {
		diag("%s: no messages to send: give --send MESSAGE or lines on "
		    "standard input", sending ? "--msg-rate" : "-n");
		return EXIT_USAGE;
	}
	if (!opt.binary)
		for (size_t i = 0; i < L.ntpl; i++)
			if (!ws_utf8_valid((const uint8_t *)L.tpl[i],
			    L.tpl_len[i], NULL)) {
				diag("message template %zu is not valid UTF-8 "
				    "(use -b for binary messages)", i + 1);
				return EXIT_USAGE;
			}
	return 0;
}

/* ------------------------------------------------------------ sending */

static void ring_push(struct lconn *lc, uint64_t hash, uint32_t len,
    double at);

static void
send_one(struct lconn *lc, double now)
{
	size_t n;
	uint64_t k = lc->sent + 1;

	if (L.ntpl == 0 || lc->state != L_OPEN || lc->closing ||
	    (opt.count && lc->sent >= (uint64_t)opt.count))
		return;
	if (conn_queued(lc->c) > QUEUE_HIGH) {
		L.rep.skipped++;
		return;
	}
	n = fill(lc, k, (size_t)((k - 1) % L.ntpl));
	if (conn_send_data(lc->c, opt.binary ? WS_OP_BINARY : WS_OP_TEXT,
	    L.buf, n, 1, k) != 0)
		return;
	lc->sent = k;
	L.rep.msgs_out++;
	L.rep.bytes_out += n;
	ring_push(lc, fnv(FNV_OFFSET, L.buf, n), (uint32_t)n, now);
}

static void
on_tick(struct timer *t, double now)
{
	struct lconn *lc = t->ud;

	send_one(lc, now);
	if (lc->state == L_OPEN && !lc->closing && (opt.count == 0 ||
	    lc->sent < (uint64_t)opt.count))
		loop_timer_set(t, t->at + 1 / load_opt.msg_rate > now ?
		    t->at + 1 / load_opt.msg_rate : now +
		    1 / load_opt.msg_rate);
}

/* ------------------------------------------------------- echo matching */

static void
ring_push(struct lconn *lc, uint64_t hash, uint32_t len, double at)
{
	struct sent *s;

	if (lc->rn == RING_MAX) {
		lc->rhead = (lc->rhead + 1) % lc->rcap;
		lc->rn--;
		L.rep.unanswered++;
	}
	if (lc->rn == lc->rcap) {
		/* grow, unwrapping */
		uint32_t cap = lc->rcap ? lc->rcap * 2 : 2;
		struct sent *r = xrealloc(NULL, cap * sizeof *r);

		for (uint32_t i = 0; i < lc->rn; i++)
			r[i] = lc->ring[(lc->rhead + i) % lc->rcap];
		free(lc->ring);
		lc->ring = r;
		lc->rcap = cap;
		lc->rhead = 0;
	}
	s = &lc->ring[(lc->rhead + lc->rn++) % lc->rcap];
	s->hash = hash;
	s->len = len;
	s->at = at;
}

/* A message came in: the echo of one waiting? Those sent before it that
 * did not come back are unanswered. */
static void
match(struct lconn *lc, uint64_t hash, uint64_t len, double now)
{
	for (uint32_t i = 0; i < lc->rn; i++) {
		struct sent *s = &lc->ring[(lc->rhead + i) % lc->rcap];

		if (s->hash != hash || s->len != len)
			continue;
		hist_record(&L.rep.rtt, us_since(s->at, now));
		L.rep.echoed++;
		L.rep.unanswered += i;
		lc->rhead = (lc->rhead + i + 1) % lc->rcap;
		lc->rn -= i + 1;
		return;
	}
}

/* ------------------------------------------------------ connection ops */

static void end_check(void);

static void
ev_message_begin(struct conn *c)
{
	struct lconn *lc = conn_ud(c);

	lc->in_hash = FNV_OFFSET;
}

static void
ev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	struct lconn *lc = conn_ud(c);

	if (lc->rn)
		lc->in_hash = fnv(lc->in_hash, p, n);
}

static void
ev_message_end(struct conn *c)
{
	struct lconn *lc = conn_ud(c);
	uint64_t len = conn_in(c)->len;
	double now = now_sec();

	lc->got++;
	L.rep.msgs_in++;
	L.rep.bytes_in += len;
	if (lc->rn)
		match(lc, lc->in_hash, len, now);
	if (load_opt.lockstep)
		send_one(lc, now);
	if (opt.count && lc->sent >= (uint64_t)opt.count &&
	    lc->got >= (uint64_t)opt.count && !lc->closing) {
		lc->closing = 1;
		loop_timer_stop(&lc->tick);
		conn_close(c, WS_CLOSE_NORMAL, NULL, 0);
	}
}

static void
ev_close(struct conn *c, char dir, unsigned code, const uint8_t *reason,
    size_t n)
{
	struct lconn *lc = conn_ud(c);

	if (dir == '<' && !conn_close_sent(c))
		lc->peer_code = code;
	if (dir == '>')
		lc->our_code = code;
}

/* The kind of a violation: its words without the numbers that make each
 * one different ("(byte 17)"). */
static void
ev_violation(struct conn *c, unsigned code, const char *what, int fatal)
{
	char kind[256];
	size_t o = 0;

	for (const char *p = what; *p && o + 2 < sizeof kind; p++) {
		if (*p == '(' )
			break;
		if (*p >= '0' && *p <= '9') {
			if (o == 0 || kind[o - 1] != 'N')
				kind[o++] = 'N';
			continue;
		}
		kind[o++] = *p;
	}
	while (o > 0 && kind[o - 1] == ' ')
		o--;
	kind[o] = '\0';
	tally_add(&L.rep.viol, kind, 1);
}

static void
ev_ended(struct conn *c)
{
	struct lconn *lc = conn_ud(c);
	char how[128];
	int ex = conn_exit(c);

	if (ex == EXIT_PROTOCOL)
		snprintf(how, sizeof how, "protocol violation (closed with "
		    "1002/1007)");
	else if (lc->peer_code && !lc->closing)
		snprintf(how, sizeof how, "closed by the server: %u %s",
		    lc->peer_code, ws_close_code_name(lc->peer_code));
	else if (ex == EXIT_LOST)
		snprintf(how, sizeof how, "lost without a close (1006)");
	else if (ex == EXIT_TIMEOUT)
		snprintf(how, sizeof how, "no close reply in time");
	else if (conn_close_received(c))
		snprintf(how, sizeof how, "closed by wscli: %u, answered",
		    lc->our_code);
	else
		snprintf(how, sizeof how, "%s", conn_why(c));
	tally_add(&L.rep.close, how, 1);
	L.rep.unanswered += lc->rn;
	lc->rn = 0;
	free(lc->ring);
	lc->ring = NULL;
	lc->rcap = 0;
	loop_timer_stop(&lc->tick);
	lc->state = L_DONE;
	L.open--;
	L.over++;
	conn_free(c);
	lc->c = NULL;
	end_check();
}

static const struct conn_ops load_conn_ops = {
	.message_begin = ev_message_begin,
	.message_data = ev_message_data,
	.message_end = ev_message_end,
	.close = ev_close,
	.violation = ev_violation,
	.ended = ev_ended,
};

/* ----------------------------------------------------------- dialing */

/* Why a connection could not be made, in a few words. */
static void
fail_reason(const struct dial_result *r, char *out, size_t cap)
{
	const char *e = r->error;

	if (r->exit == EXIT_TIMEOUT)
		snprintf(out, cap, "timeout (%s)", r->connect_ms > 0 ?
		    "no 101 in time" : "connecting");
	else if (r->status > 0 && r->status != 101)
		snprintf(out, cap, "upgrade refused: %ld", r->status);
	else if (r->status == 101)
		snprintf(out, cap, "invalid 101");
	else if (strstr(e, "refused") || strstr(e, "connect to server"))
		snprintf(out, cap, "refused");
	else if (strstr(e, "reset"))
		snprintf(out, cap, "reset");
	else if (r->exit == EXIT_UPGRADE)
		snprintf(out, cap, "closed without an answer");
	else
		snprintf(out, cap, "cannot connect");
}

static void launch_due(double now);

static void
on_dialed(void *ud, struct dial_result *r)
{
	struct lconn *lc = ud;
	double now = now_sec();

	lc->dial = NULL;
	lc->tdial = NULL;
	L.setting_up--;
	if (r->exit >= 0) {
		char why[128];

		fail_reason(r, why, sizeof why);
		tally_add(&L.rep.fail, why, 1);
		if (opt.verbose)
			diag("connection %d: %s", lc->id, r->error);
		L.rep.failed++;
		lc->state = L_DONE;
		L.over++;
		end_check();
		return;
	}
	L.rep.opened++;
	L.rep.last_open = wall_now();
	hist_record(&L.rep.connect, (uint64_t)(r->connect_ms * 1000 + 0.5));
	hist_record(&L.rep.upgrade, r->ms > r->connect_ms ?
	    (uint64_t)((r->ms - r->connect_ms) * 1000 + 0.5) : 0);
	lc->state = L_OPEN;
	L.open++;
	lc->c = conn_new(&(struct conn_config){
		.role = WS_ROLE_CLIENT,
		.ops = &load_conn_ops,
		.ud = lc,
		.id = lc->id,
		.max_message = opt.max_message,
		.close_timeout = opt.close_timeout,
		.compress = 1,
		.queue_keep = 4096,
	}, r->tr, r->pmd);
	r->tr = NULL;
	r->pmd = NULL;
	if (L.ntpl && !load_opt.lockstep && load_opt.msg_rate > 0) {
		/* a random phase: the connections do not all send at once */
		lc->tick.fire = on_tick;
		lc->tick.ud = lc;
		loop_timer_set(&lc->tick, now + (double)random() / RAND_MAX /
		    load_opt.msg_rate);
	} else if (L.ntpl && load_opt.lockstep) {
		send_one(lc, now);
	}
	conn_feed(lc->c, r->early, r->nearly);
	/* the next may start now that this one is set up */
	if (load_opt.rate <= 0)
		launch_due(now);
}

static void
params(struct dial_params *p)
{
	memset(p, 0, sizeof *p);
	p->net = opts_dial_net();
	p->url = opt.url;
	p->protocols = opt.protocols;
	p->nprotocols = (size_t)opt.nprotocols;
	p->deflate = opt.deflate ? &opt.deflate_offer : NULL;
	p->origin = opt.origin;
	p->headers = L.hdrs;
	p->nheaders = L.nhdrs;
	p->timeout = opt.connect_timeout;
	p->quiet = 1;
	p->quiet_refusal = 1;
	p->label = "";
}

static void
launch(struct lconn *lc)
{
	lc->state = L_DIAL;
	L.setting_up++;
	L.launched++;
	if (L.light)
		lc->tdial = td_start(&L.target, &L.dp, on_dialed, lc);
	else
		lc->dial = dial_start(&L.dp, on_dialed, lc);
	if (lc->dial == NULL && lc->tdial == NULL) {
		L.setting_up--;
		tally_add(&L.rep.fail, errno == EMFILE || errno == ENFILE ?
		    "no descriptor left (EMFILE: see ulimit -n)" :
		    "out of resources", 1);
		L.rep.failed++;
		lc->state = L_DONE;
		L.over++;
	}
}

/* Start the connections due by now (--rate), or as many as may be set up
 * at once. */
static void
launch_due(double now)
{
	long due = L.n;

	if (L.ending)
		return;
	if (load_opt.rate > 0) {
		due = (long)((now - L.t0) * load_opt.rate) + 1;
		if (due > L.n)
			due = L.n;
	}
	while (L.launched < due && (load_opt.rate > 0 ||
	    L.setting_up < MAX_SETUP))
		launch(&L.cs[L.launched]);
	if (load_opt.rate > 0 && L.launched < L.n)
		loop_timer_set(&L.launch, L.t0 + (double)L.launched /
		    load_opt.rate);
	end_check();
}

static void
on_launch(struct timer *t, double now)
{
	launch_due(now);
}

/* ------------------------------------------------------------- ending */

/* A connection is over: the run ends with the last one. */
static void
end_check(void)
{
	if (run_ending())
		run_over(EXIT_OK);
	else if (L.launched == L.n && L.over == L.n)
		run_done(-1);
}

static void
close_one(struct lconn *lc, unsigned code)
{
	if (lc->state == L_DIAL) {
		if (lc->dial)
			dial_cancel(lc->dial);
		if (lc->tdial)
			td_cancel(lc->tdial);
		lc->dial = NULL;
		lc->tdial = NULL;
		L.setting_up--;
		L.rep.unopened++;
		lc->state = L_DONE;
		L.over++;
	} else if (lc->state == L_OPEN && !lc->closing) {
		/* a message counted as sent must reach the server: the
		 * CLOSE goes after what is queued */
		lc->closing = 1;
		loop_timer_stop(&lc->tick);
		conn_close_after_data(lc->c, code, NULL, 0);
	}
}

static void
stop_starting(void)
{
	L.ending = 1;
	loop_timer_stop(&L.launch);
	loop_timer_stop(&L.end);
	/* the ones never started are not part of the run */
	L.rep.planned -= (uint64_t)(L.n - L.launched);
	L.n = L.launched;
}

static void
on_duration(struct timer *t, double now)
{
	run_end_all(WS_CLOSE_NORMAL, -1, "--duration");
}

/* The run's. */
static int
count(void)
{
	return (int)(L.n - L.over);
}

static void
close_all(unsigned code, int exit)
{
	if (!L.ending)
		stop_starting();
	for (long i = 0; i < L.n; i++)
		close_one(&L.cs[i], code);
}

static void
abort_all(int exit, const char *why)
{
	if (!L.ending)
		stop_starting();
	for (long i = 0; i < L.n; i++) {
		struct lconn *lc = &L.cs[i];

		if (lc->state == L_DIAL)
			close_one(lc, 0);
		else if (lc->state == L_OPEN)
			conn_abort(lc->c, exit, why);
	}
}

static void
finish(int exit)
{
	abort_all(exit < 0 ? EXIT_OK : exit, "wscli ended");
}

/* ----------------------------------------------------------- progress */

static void
progress(int last)
{
	char line[256], b1[32], b2[32];
	double secs = now_sec() - L.t0;

	if (last) {
		if (L.progress_shown)
			fputs("\r\033[K", stderr);
		return;
	}
	snprintf(line, sizeof line, "\r%.1f s  %ld/%ld open  %" PRIu64
	    " failed  %" PRIu64 " sent  %" PRIu64 " received  rtt p50 %s "
	    "p99 %s\033[K", secs, L.open, L.n, L.rep.failed, L.rep.msgs_out,
	    L.rep.msgs_in, us_text(hist_percentile(&L.rep.rtt, 50), b1,
	    sizeof b1), us_text(hist_percentile(&L.rep.rtt, 99), b2,
	    sizeof b2));
	fputs(line, stderr);
	fflush(stderr);
	L.progress_shown = 1;
}

static void
on_progress(struct timer *t, double now)
{
	progress(0);
	loop_timer_set(t, now + PROGRESS_EVERY);
}

/* The run's last word: the report, and the status. */
static int
status(int exit)
{
	struct lreport *r = &L.rep;

	loop_timer_stop(&L.progress);
	if (L.progress_on)
		progress(1);
	term_set_mute(0);
	term_set_quiet(opt.quiet);
	r->end = wall_now();
	report_print(r);
	if (load_opt.report && report_write(r, load_opt.report) != 0 &&
	    exit == EXIT_OK)
		exit = EXIT_ERROR;
	out_flush();
	if (exit != EXIT_OK)
		return exit;
	if (r->viol.n)
		return EXIT_PROTOCOL;
	if (r->failed) {
		for (size_t i = 0; i < r->fail.n; i++)
			if (!strncmp(r->fail.k[i].what, "upgrade", 7) ||
			    !strncmp(r->fail.k[i].what, "invalid", 7) ||
			    !strncmp(r->fail.k[i].what, "closed", 6))
				return EXIT_UPGRADE;
		for (size_t i = 0; i < r->fail.n; i++)
			if (!strncmp(r->fail.k[i].what, "timeout", 7))
				return EXIT_TIMEOUT;
		return EXIT_CONNECT;
	}
	for (size_t i = 0; i < r->close.n; i++) {
		if (!strncmp(r->close.k[i].what, "lost", 4))
			return EXIT_LOST;
		if (!strncmp(r->close.k[i].what, "no close", 8))
			return EXIT_TIMEOUT;
	}
	for (size_t i = 0; i < r->close.n; i++)
		if (!strncmp(r->close.k[i].what, "closed by the server", 20) &&
		    !strstr(r->close.k[i].what, ": 1000 ") &&
		    !strstr(r->close.k[i].what, ": 1001 "))
			return EXIT_CLOSED;
	return EXIT_OK;
}

static const struct run_ops load_ops = {
	.count = count,
	.close_all = close_all,
	.abort_all = abort_all,
	.finish = finish,
	.status = status,
};

int
load_run(void)
{
	int rc;

	memset(&L, 0, sizeof L);
	report_init(&L.rep);
	if ((rc = check_templates()) != 0)
		goto out;
	for (struct curl_slist *l = opt.headers; l && L.nhdrs < 256;
	    l = l->next)
		L.hdrs[L.nhdrs++] = l->data;
	params(&L.dp);
	/* plain ws:// needs nothing of libcurl, whose handles cost more than
	 * the connection itself */
	if (td_usable(&L.dp) && !getenv("WSCLI_LOAD_CURL")) {
		char err[512];

		if (td_resolve(&L.dp, &L.target, err, sizeof err) != 0) {
			diag("%s", err);
			rc = EXIT_CONNECT;
			goto out;
		}
		L.light = 1;
	}
	L.n = load_opt.connections;
	{
		/* a descriptor each: as many as this process may have */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur <
		    rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur != RLIM_INFINITY &&
		    (rlim_t)L.n + 16 > rl.rlim_cur)
			diag("warning: --connections %ld: this process may "
			    "have %llu descriptors (ulimit -n), a connection "
			    "needs one: run several processes and merge their "
			    "--load-report files", L.n,
			    (unsigned long long)rl.rlim_cur);
	}
	L.cs = xrealloc(NULL, (size_t)L.n * sizeof *L.cs);
	memset(L.cs, 0, (size_t)L.n * sizeof *L.cs);
	for (long i = 0; i < L.n; i++)
		L.cs[i].id = (int)i + 1;
	url_redacted(opt.url, L.rep.url, sizeof L.rep.url);
	L.rep.runs = 1;
	L.rep.planned = (uint64_t)L.n;
	L.rep.start = wall_now();
	L.t0 = now_sec();
	srandom((unsigned)getpid() ^ (unsigned)(L.rep.start * 1e6));
	L.launch.fire = on_launch;
	L.end.fire = on_duration;
	L.progress.fire = on_progress;
	if (load_opt.duration > 0)
		loop_timer_set(&L.end, L.t0 + load_opt.duration);
	L.progress_on = isatty(STDERR_FILENO) && !opt.quiet;
	if (L.progress_on)
		loop_timer_set(&L.progress, L.t0 + PROGRESS_EVERY);
	/* each connection's story is in the counts, not on stderr */
	if (!opt.verbose) {
		term_set_mute(1);
		term_set_quiet(1);
	}
	loop_timer_set(&L.launch, L.t0);
	rc = run_main(&load_ops);
	term_set_mute(0);
	term_set_quiet(opt.quiet);
	loop_timer_stop(&L.launch);
	loop_timer_stop(&L.end);
	loop_timer_stop(&L.progress);
	for (long i = 0; i < load_opt.connections; i++)
		free(L.cs[i].ring);
	free(L.cs);
out:
	for (size_t i = 0; i < L.ntpl; i++)
		free(L.tpl[i]);
	free(L.tpl);
	free(L.tpl_len);
	free(L.buf);
	report_free(&L.rep);
	return rc;
}
