/*
 * record.h - --record FILE: each conversation written down as a
 * conversation file (conv.h), as it happens, to be edited and run again
 * with --test or --replay.
 *
 * A file is always the client's side of one connection: "> ..." is what
 * the client sent, "< ..." what it received, so that the file runs
 * against the server alone. In client mode the client is wscli (FILE is
 * the file); in listen mode it is each client that connects (FILE is a
 * directory, created when missing, with one client-ID.conv per client);
 * in relay mode it is the client of each pair, and what the server
 * answered it (FILE a directory with relay-ID.conv). The header names
 * the URL and the subprotocols the client offered; a "# +1.250s" line
 * before a step is the pause that preceded it.
 *
 * What the client did not choose to do is not a step: the automatic
 * PONG answering a PING, the CLOSE answering the other side's CLOSE,
 * --ping-interval's pings. What the client received always is an
 * expectation. A message longer than wscli keeps (RECORD_MAX) and
 * crafted bytes become comments.
 *
 * A file is made once its conversation began (the connection is up) and
 * written as it goes; a connection that fails leaves none.
 *
 * show.c hands every event here (it is the one place events are
 * rendered); conv.c's writers write the lines. The connection is named
 * by its id (0 in client mode, the client's in listen mode, the pair's in
 * relay mode). A file that cannot be written is said once and no longer
 * written; record_status() says so at the end.
 */
#ifndef WSCLI_RECORD_H
#define WSCLI_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define RECORD_MAX (16u << 20) /* bytes of a message recorded */

/* Check FILE (opt.record) for the mode before anything starts: a file
 * that can be created, or a directory that exists or can be made.
 * Returns 0, or -1 with why (cap bytes). */
int record_prepare(char *why, size_t cap);

/* Nonzero when --record is given. */
int record_on(void);

/* Conversation id begins: the client's URL and the subprotocols it
 * offered (n of them). Client mode calls it for every connection (with
 * --reconnect the file goes on). */
void record_begin(int id, const char *url, const char *const *protocols,
    size_t n);

/* Conversation id speaks the protocol name (--proto): the header says
 * "@proto NAME", and its data messages are no longer written as they
 * are, but as record_line() says what they mean. */
void record_proto(int id, const char *name);

/* Under a protocol: what the client sent ('>'), as the stdin line of a
 * client that means it (a Socket.IO event array, a GraphQL operation),
 * or received ('<'), as the line a client writes for it on stdout; the
 * lines --test reads so. */
void record_line(int id, char dir, const uint8_t *p, size_t n);

/* What the client sent (dir '>') or received ('<'): a data message
 * (p[0..n) of size bytes), a PING or PONG (auto: an automatic answer, not
 * written when sent). */
void record_message(int id, char dir, unsigned opcode, const uint8_t *p,
    size_t n, uint64_t size);
void record_control(int id, char dir, unsigned opcode, const uint8_t *p,
    size_t n, int automatic);

/* A piece of a message the client sends (fin: its last): kept until the
 * end, then as record_message(). */
void record_piece(int id, unsigned opcode, const uint8_t *p, size_t n,
    int fin);

/* A CLOSE the client sent ('>': not written if it answers one received)
 * or received ('<'). code 1005: none. */
void record_close(int id, char dir, unsigned code, const uint8_t *reason,
    size_t n);

/* A line for people ("crafted bytes ... not recorded"). */
void record_comment(int id, const char *text);

/* Conversation id is over: its file is closed (client mode: at
 * record_finish()). */
void record_end(int id);

/* The run is over: close every file. Returns 0, or -1 if a file could
 * not be written (said already). */
int record_finish(void);

#endif /* WSCLI_RECORD_H */
