/*
 * clientmode.h - client mode: one connection to the URL of the command line.
 */
#ifndef WSCLI_CLIENTMODE_H
#define WSCLI_CLIENTMODE_H

/* Connect to opt.url, run the session until it ends (stdin and the REPL
 * feeding it, show.c showing it) and return the exit status. */
int clientmode_run(void);

#endif /* WSCLI_CLIENTMODE_H */
