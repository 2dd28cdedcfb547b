/*
 * linesplit.h - standard input as lines, the way scripted mode sends them.
 *
 * Pure: no I/O, no allocation. The caller reads into a buffer of cap bytes,
 * hands the filled part to linesplit_feed(), keeps what was not consumed at
 * the start of the buffer and reads more behind it.
 *
 * Rules: a line ends at LF, which is not part of it; a CR right before the
 * LF is dropped too (with nul set: at NUL, and a CR is data). A line that does not fit in the buffer leaves in
 * fragments of at most cap bytes. At end of input whatever is left is the
 * last line, newline or not (a CR there is kept: no LF follows it).
 */
#ifndef WSCLI_LINESPLIT_H
#define WSCLI_LINESPLIT_H

#include <stddef.h>
#include <stdint.h>

/* Caller-owned state; zero it before the first call. */
struct linesplit {
	uint64_t lineno; /* number of the line last passed on (1-based) */
	int in_line;     /* a fragment of line lineno went out, its end not */
	int nul;         /* set by the caller: a line ends at NUL instead,
			    and a CR before it is kept (-0) */
};

/* One piece of line lineno: p[0..len) (len may be 0). fin: the line ends
 * with this piece. p points into the caller's buffer. */
typedef void (*linesplit_fn)(void *ctx, uint64_t lineno, const uint8_t *p,
    size_t len, int fin);

/*
 * Pass every complete line in buf[0..len) to fn, in order. If no LF is left
 * and len == cap, the line goes on in a fragment of cap bytes (cap - 1 when
 * the last byte is a CR, which an LF may follow). With eof set, the rest is
 * passed as the last line, if there is a rest or a line in progress.
 * cap must be at least 2 and len at most cap.
 * Returns the number of bytes consumed (all of them when eof is set).
 */
size_t linesplit_feed(struct linesplit *ls, const uint8_t *buf, size_t len,
    size_t cap, int eof, linesplit_fn fn, void *ctx);

#endif /* WSCLI_LINESPLIT_H */
