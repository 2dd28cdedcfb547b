/*
 * load.h - wscli --load URL: many connections to one server, each
 * sending messages, and a report of how the server held up.
 *
 * --connections N connections are opened, --rate per second (else as
 * fast as they complete, a bounded number being set up at a time). Once
 * open, each sends the message templates (--send, else stdin's lines)
 * in turn, --msg-rate times a second or in lockstep (the next once a
 * message came back), with {n}, {conn} and {ts} filled in, until it has
 * sent and received -n messages or --duration is over; then every
 * connection is closed with 1000. Everything the server sends goes
 * through conn.c's decoder: a broken frame ends that connection and is
 * counted by kind.
 *
 * A message received that is the same as one sent and not yet answered
 * (same length and FNV-1a hash) is its echo: the time since it was sent
 * is a round trip. Others are counted as received.
 *
 * The report (stdout; a progress line on stderr while it runs, when
 * stderr is a terminal): connections opened and failed by reason, how
 * they were closed, connect, upgrade and round-trip percentiles (hist.c),
 * messages and bytes per second, protocol violations by kind.
 * --load-report FILE also writes it as text that --load-merge adds up:
 * the runs of several processes or machines give one report.
 */
#ifndef WSCLI_LOAD_H
#define WSCLI_LOAD_H

/* Run --load against opt.url. Returns the exit status (see wscli(1)). */
int load_run(void);

/* Run --load-merge over the report files named by the operands. */
int load_merge(int nfiles, char **files);

#endif /* WSCLI_LOAD_H */
