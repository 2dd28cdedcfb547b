/*
 * probereport.h - what a probe run reports, the same for servers
 * (--probe, probe.c) and for clients (--probe-clients, probeclients.c):
 * a line per case on stdout (or a --jsonl "case" event), -v's wire trace
 * under it, the counts per verdict, the counts in the summary events, and
 * the --probe-report files (JUnit XML, JSON), built whole in memory and
 * written at the end.
 */
#ifndef WSCLI_PROBEREPORT_H
#define WSCLI_PROBEREPORT_H

#include "jsonl.h"
#include "probecases.h"

/* One case, decided. */
struct pr_case {
	const char *id, *name;        /* "3.1", "RSV1 on a text frame" */
	enum verdict v;
	const char *detail;           /* what the peer did, and the rule */
	double ms;                    /* how long it took; 0 if not run */
	int close_code;               /* the peer's close code, or -1 */
	const char *trace;            /* its --frames lines, or "" */
	unsigned long long dropped;   /* trace lines not kept */
};

/*
 * Before the run: kind names the cases in JUnit ("probe" gives classes
 * "wscli.probe.3"); the JSON file starts {"key":"value","cases":[.
 * Returns 0, or -1 after saying which --probe-report file cannot be
 * written (a usage error: known before anything runs).
 */
int pr_open(const char *kind, const char *key, const char *value);

/* Report one case: its line (or event), and its part of the files. */
void pr_case(const struct pr_case *c);

/* Cases reported so far, all or with verdict v. */
unsigned pr_cases(void);
unsigned pr_count(enum verdict v);

/* The counts of every verdict as fields of the --jsonl event being
 * written ("ok":81,"non_strict":1,...). */
void pr_jsonl_counts(void);

/* "81 OK, 1 NON-STRICT" into out: the verdicts that occurred. */
void pr_counts_line(char *out, size_t cap);

/*
 * At the end: write the files (suite names the JUnit test suite, e.g.
 * "wscli --probe ws://..."; summary writes the summary event with w).
 * Returns 0, or -1 when a file could not be written (said). Frees what
 * the report holds.
 */
int pr_close(const char *suite, double secs,
    void (*summary)(jsonl_writer w, double secs));

#endif /* WSCLI_PROBEREPORT_H */
