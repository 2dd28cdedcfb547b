/*
 * opening.h - what every new connection starts with: the --send messages
 * and --frame frames in the order given, then the lines of --on-connect
 * FILE. Client mode sends it on each connect (reconnects included),
 * listen mode to each new client.
 *
 * The file is read once, before the first connection; its lines are kept
 * until opening_free(). Messages go through conn.c's queue and are shown
 * through show.c; frames are crafted (craft.h) with the role of the
 * connection they go to.
 */
#ifndef WSCLI_OPENING_H
#define WSCLI_OPENING_H

#include <stdint.h>

struct conn;
struct craft_walk;

/* Read --on-connect FILE: one message a line, by the rules of stdin lines
 * (LF ends a line, a CR before it goes, a last line without LF counts;
 * text must be UTF-8 unless -b). Returns 0, or -1 after a diagnostic. */
int opening_load(const char *path);

/* Queue the opening on c. w is the peer's view of crafted bytes on c
 * (craft_walk_init() for c's role, once per connection). A crafted CLOSE
 * counts as c's close; a message after it cannot go and is reported.
 * Returns how many messages were not sent. */
uint64_t opening_send(struct conn *c, struct craft_walk *w);

/* Free what opening_load() kept. */
void opening_free(void);

#endif /* WSCLI_OPENING_H */
