/*
 * session.h - client mode: one connection to the URL of the command line.
 */
#ifndef WSCLI_SESSION_H
#define WSCLI_SESSION_H

/* Connect to opt.url, run the session until it ends (stdin and the REPL
 * feeding it, show.c showing it) and return the exit status. */
int session_run(void);

#endif /* WSCLI_SESSION_H */
