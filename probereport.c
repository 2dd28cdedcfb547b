/*
 * probereport.c - what a probe run reports (see probereport.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "jsonl.h"
#include "opts.h"
#include "output.h"
#include "probecases.h"
#include "probereport.h"
#include "show.h"
#include "term.h"

struct sbuf {
	char *p;
	size_t n, cap;
};

static struct {
	const char *kind;             /* "probe", "probe-clients" */
	unsigned counts[NVERDICTS];
	unsigned ncases;
	struct sbuf junit, json;      /* the --probe-report files */
	unsigned njson;
} R;

/* ------------------------------------------------------------- buffers */

static void
sb_put(struct sbuf *b, const void *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16384;
		while (b->cap < b->n + n + 1)
			b->cap *= 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n :
		    sizeof tmp - 1);
}

/* s as XML character data: markup escaped, bytes XML 1.0 cannot hold
 * (controls, invalid UTF-8) as '?'. */
static void
sb_xml(struct sbuf *b, const char *s)
{
	int utf8 = ws_utf8_valid((const uint8_t *)s, strlen(s), NULL);

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			sb_put(b, "&amp;", 5);
		else if (c == '<')
			sb_put(b, "&lt;", 4);
		else if (c == '>')
			sb_put(b, "&gt;", 4);
		else if (c == '"')
			sb_put(b, "&quot;", 6);
		else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ||
		    (c >= 0x80 && !utf8))
			sb_put(b, "?", 1);
		else if (c == 0xef && (unsigned char)s[1] == 0xbf &&
		    ((unsigned char)s[2] & 0xfe) == 0xbe) {
			sb_put(b, "?", 1);      /* U+FFFE, U+FFFF */
			s += 2;
		} else
			sb_put(b, s, 1);
	}
}

static void
json_sink(const void *p, size_t n)
{
	sb_put(&R.json, p, n);
}

/* ---------------------------------------------------------------- run */

int
pr_open(const char *kind, const char *key, const char *value)
{
	R.kind = kind;
	for (int i = 0; i < 2; i++) {
		const char *path = i ? probe_opt.report_json :
		    probe_opt.report_junit;
		FILE *f;

		if (path && (f = fopen(path, "w")) == NULL) {
			diag("cannot write --probe-report file '%s': %s", path,
			    strerror(errno));
			return -1;
		}
		if (path)
			fclose(f);
	}
	if (probe_opt.report_json) {
		sb_printf(&R.json, "{\"%s\":\"", key);
		for (const char *c = value; *c; c++)
			sb_printf(&R.json, *c == '"' || *c == '\\' ? "\\%c" :
			    "%c", *c);
		sb_printf(&R.json, "\",\"cases\":[");
	}
	return 0;
}

static void
case_fields(const struct pr_case *c, int trace)
{
	jsonl_str("id", c->id);
	jsonl_str("name", c->name);
	jsonl_str("verdict", pc_verdict_name[c->v]);
	jsonl_str("detail", c->detail);
	if (c->close_code >= 0)
		jsonl_int("close_code", c->close_code);
	jsonl_num("ms", c->ms);
	if (trace)
		jsonl_strn("trace", (const uint8_t *)c->trace,
		    strlen(c->trace));
}

void
pr_case(const struct pr_case *c)
{
	static const char *const sgr[NVERDICTS] = {
		"32", "33", "1;31", "31", "33", "36", "2",
	};
	char line[2048], more[64] = "";
	int n;

	if (c->dropped)
		snprintf(more, sizeof more, "= %llu more lines not kept\n",
		    c->dropped);
	R.counts[c->v]++;
	R.ncases++;
	if (probe_opt.report_junit) {
		sb_printf(&R.junit, "  <testcase classname=\"wscli.%s.%.*s\" "
		    "name=\"", R.kind, (int)strcspn(c->id, "."), c->id);
		sb_xml(&R.junit, c->id);
		sb_put(&R.junit, " ", 1);
		sb_xml(&R.junit, c->name);
		sb_printf(&R.junit, "\" time=\"%.3f\">\n", c->ms / 1000);
		if (c->v == V_FAILED || c->v == V_UNTESTED) {
			sb_printf(&R.junit, "    <%s message=\"", c->v ==
			    V_FAILED ? "failure type=\"FAILED\"" : "skipped");
			sb_xml(&R.junit, c->detail);
			sb_printf(&R.junit, "\"/>\n");
		}
		sb_printf(&R.junit, "    <system-out>%s: ",
		    pc_verdict_name[c->v]);
		sb_xml(&R.junit, c->detail);
		sb_put(&R.junit, "\n", 1);
		sb_xml(&R.junit, c->trace);
		sb_xml(&R.junit, more);
		sb_printf(&R.junit, "</system-out>\n  </testcase>\n");
	}
	if (probe_opt.report_json) {
		if (R.njson++)
			sb_put(&R.json, ",", 1);
		jsonl_begin(json_sink, "case");
		case_fields(c, 1);
		jsonl_end();
	}
	if (opt.jsonl) {
		jsonl_begin(show_jsonl_writer, "case");
		case_fields(c, opt.verbose);
		jsonl_end();
	} else if (!opt.quiet || c->v != V_OK) {
		if (opt.color)
			n = snprintf(line, sizeof line, "%-7s %-44s \033[%sm%-13s"
			    "\033[0m %s\n", c->id, c->name, sgr[c->v],
			    pc_verdict_name[c->v], c->detail);
		else
			n = snprintf(line, sizeof line, "%-7s %-44s %-13s %s\n",
			    c->id, c->name, pc_verdict_name[c->v], c->detail);
		out_write(line, n > 0 && (size_t)n < sizeof line ?
		    (size_t)n : strlen(line));
		/* -v: the case's wire trace below its line */
		for (const char *t = c->trace; opt.verbose && *t; ) {
			size_t k = strcspn(t, "\n");

			out_write("        ", 8);
			out_write(t, k);
			out_write("\n", 1);
			t += k;
			if (*t)
				t++;
		}
		if (opt.verbose && *more) {
			out_write("        ", 8);
			out_write(more, strlen(more));
		}
	}
	out_flush();
}

unsigned
pr_cases(void)
{
	return R.ncases;
}

unsigned
pr_count(enum verdict v)
{
	return R.counts[v];
}

void
pr_jsonl_counts(void)
{
	for (int v = 0; v < NVERDICTS; v++) {
		char key[32];

		snprintf(key, sizeof key, "%s", pc_verdict_name[v]);
		for (char *c = key; *c; c++)
			*c = *c == ' ' || *c == '-' ? '_' :
			    (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		jsonl_int(key, R.counts[v]);
	}
}

void
pr_counts_line(char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (int v = 0; v < NVERDICTS && o < cap; v++)
		if (R.counts[v])
			o += (size_t)snprintf(out + o, cap - o, "%s %u %s",
			    o ? "," : "", R.counts[v], pc_verdict_name[v]);
}

/* ---------------------------------------------------------------- end */

static int
write_file(const char *path, const struct sbuf *b)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || (b->n && fwrite(b->p, 1, b->n, f) != b->n) ||
	    fclose(f) != 0) {
		diag("cannot write the report to '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
pr_close(const char *suite, double secs,
    void (*summary)(jsonl_writer w, double secs))
{
	int rc = 0;

	if (probe_opt.report_json) {
		sb_put(&R.json, "],\"summary\":", 12);
		summary(json_sink, secs);
		sb_put(&R.json, "}\n", 2);
		rc |= write_file(probe_opt.report_json, &R.json);
	}
	if (probe_opt.report_junit) {
		struct sbuf h = { 0 };

		sb_printf(&h, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<testsuites tests=\"%u\" failures=\"%u\" time=\"%.3f\">\n"
		    "<testsuite name=\"", R.ncases, R.counts[V_FAILED], secs);
		sb_xml(&h, suite);
		sb_printf(&h, "\" tests=\"%u\" failures=\"%u\" errors=\"0\" "
		    "skipped=\"%u\" time=\"%.3f\">\n", R.ncases,
		    R.counts[V_FAILED], R.counts[V_UNTESTED], secs);
		if (R.junit.n)
			sb_put(&h, R.junit.p, R.junit.n);
		sb_printf(&h, "</testsuite>\n</testsuites>\n");
		rc |= write_file(probe_opt.report_junit, &h);
		free(h.p);
	}
	free(R.junit.p);
	free(R.json.p);
	memset(&R.junit, 0, sizeof R.junit);
	memset(&R.json, 0, sizeof R.json);
	return rc ? -1 : 0;
}
