/*
 * opening.h - what every new connection starts with: the --send messages
 * and --frame frames in the order given, then the lines of --on-connect
 * FILE. Client mode sends it on each connect (reconnects included),
 * listen mode to each new client.
 *
 * Under --proto (client mode) the messages mean what a line of standard
 * input means: the mode gives them to the protocol once it is ready
 * (opening_message()), and only the --frame frames go at once
 * (opening_send_frames()).
 *
 * The file is read once, before the first connection; its lines are kept
 * until opening_free(). Messages go through conn.c's queue and are shown
 * through show.c; frames are crafted (craft.h) with the role of the
 * connection they go to.
 */
#ifndef WSCLI_OPENING_H
#define WSCLI_OPENING_H

#include <stddef.h>
#include <stdint.h>

struct conn;
struct craft_walk;
struct proto;

/* Read --on-connect FILE: one message a line, by the rules of stdin lines
 * (LF ends a line, a CR before it goes, a last line without LF counts;
 * text must be UTF-8 unless -b). Returns 0, or -1 after a diagnostic. */
int opening_load(const char *path);

/* Queue the opening on c. w is the peer's view of crafted bytes on c
 * (craft_walk_init() for c's role, once per connection). A crafted CLOSE
 * counts as c's close; a message after it cannot go and is reported.
 * Returns how many messages were not sent. */
uint64_t opening_send(struct conn *c, struct craft_walk *w);

/* Queue only the --frame frames of the opening on c (see opening_send()). */
void opening_send_frames(struct conn *c, struct craft_walk *w);

/* The messages of the opening (--send, then the lines of --on-connect),
 * without the frames: how many, and the i-th (its bytes, which live until
 * opening_free(), and where it comes from for a diagnostic, in what). */
size_t opening_messages(void);
const uint8_t *opening_message(size_t i, size_t *n, char *what, size_t cap);

/* Can every message of the opening be a line of protocol p (see
 * proto_check_line())? 0, or -1 after a diagnostic that names the
 * option. */
int opening_check(const struct proto *p);

/* Free what opening_load() kept. */
void opening_free(void);

#endif /* WSCLI_OPENING_H */
