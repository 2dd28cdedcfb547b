/*
 * probe.h - wscli --probe URL: a conformance and behaviour report of a
 * server.
 *
 * A battery of cases, each on its own connection and bounded in time,
 * run one after another in the loop: handshakes the server must refuse,
 * frames that break a rule of RFC 6455 (crafted with craft.c), pings,
 * UTF-8, the close handshake, limits, Origin and compression. Every
 * connection is made by dial.c's dialer with the client mode's
 * connection options; what the server does is seen through a struct conn
 * with the probe's own callbacks, so what the server sends back is still
 * checked. The first cases find out whether the server echoes; the cases
 * that need an echo are UNTESTED without one.
 *
 * The report: one line per case (id, name, verdict, what was seen) and a
 * summary on stdout, or one --jsonl event per case. Verdicts are
 * Autobahn|Testsuite's: OK, NON-STRICT, FAILED, WRONG CODE, UNCLEAN,
 * INFORMATIONAL, UNTESTED.
 */
#ifndef WSCLI_PROBE_H
#define WSCLI_PROBE_H


/* Run the probe against opt.url. Returns the exit status: 0 when no case
 * FAILED, 1 otherwise; 3, 4 or 7 when the first, plain connection could
 * not be made. */
int probe_run(void);

#endif /* WSCLI_PROBE_H */
