/*
 * relay.h - relay mode: wscli -l [ADDRESS:]PORT --forward URL sits between
 * each client and its server, relays both directions as they came and
 * shows and checks every frame.
 */
#ifndef WSCLI_RELAY_H
#define WSCLI_RELAY_H

/* Listen, relay every client to its own upstream connection until the
 * session ends; returns the exit status. */
int relay_run(void);

#endif /* WSCLI_RELAY_H */
