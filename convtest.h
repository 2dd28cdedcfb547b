/*
 * convtest.h - wscli --test FILE...: conversation files (conv.h) run as
 * tests against a server.
 *
 * Every file is read, and its regular expressions and jq filters
 * compiled, before anything connects: a mistake in any file is a usage
 * error that names its line. Then each file runs on a connection of its
 * own, --jobs at a time, through the run of every mode (run.h); its steps
 * go in order: sends are queued, an expectation waits for the next
 * message received, until its time is up.
 *
 * Standard output is TAP that prove(1) reads: the plan first (one test
 * point per expectation of every file), then a point per expectation
 * with its file, line and text. Points are written in the order of the
 * files, each file's as soon as the files before it are over. After the
 * first failure in a file its later points are skipped (they depend on
 * what failed); the failure says what was expected and what came, and
 * the last messages received, on stderr as TAP diagnostics ("# ...").
 * --report junit:FILE writes the same as JUnit XML.
 *
 * The exit status: that of the first file that could not run (3, 4, ...),
 * else 1 if an expectation failed, else 0.
 */
#ifndef WSCLI_CONVTEST_H
#define WSCLI_CONVTEST_H

/* Run the files of the command line (test_opt); returns the exit
 * status. */
int convtest_run(void);

#endif /* WSCLI_CONVTEST_H */
