/*
 * listen.h - listen mode: wscli -l [ADDRESS:]PORT, a WebSocket server for
 * testing clients.
 */
#ifndef WSCLI_LISTEN_H
#define WSCLI_LISTEN_H

/* Listen on srv_opt.listen and serve clients until the session ends
 * (--once, -n, --until, --timeout, a signal, /quit); returns the exit
 * status. */
int listen_run(void);

#endif /* WSCLI_LISTEN_H */
