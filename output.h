/*
 * output.h - standard output: what the peer sent, and --jsonl events.
 *
 * Fully buffered; the loop flushes it before it may block, so a pipe gets
 * large writes, not one per message. A reader that goes away (EPIPE) or a
 * write error is remembered, not fatal here: the session decides.
 */
#ifndef WSCLI_OUTPUT_H
#define WSCLI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

void out_write(const void *p, size_t n);

/* A time (now_sec()) by which every write must be done (0: none), for
 * --timeout: a reader that stops reading must not hold wscli past it
 * (by more than a second, which any write may wait). A write still
 * waiting then is dropped, with all that follows, and out_stalled() says
 * how much was not written. Regular files are not waited on. */
void out_set_deadline(double at);

/* Bytes not written because the reader had not taken them by the
 * deadline (0: none). */
unsigned long long out_stalled(void);
void out_flush(void);

/* A line is about to be written to stderr: when stdout and stderr are
 * one file (2>&1, one terminal), what stdout holds is written first, so
 * that the two read in the order things happened. */
void out_before_stderr(void);

/* The reader of stdout went away (EPIPE). */
int out_gone(void);

/* Writing failed otherwise (reported once with diag()). */
int out_failed(void);

/* Free the buffer (at exit). */
void out_free(void);

#endif /* WSCLI_OUTPUT_H */
