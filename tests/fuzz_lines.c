/*
 * fuzz_lines.c - libFuzzer target for linesplit_feed(), the splitting of
 * standard input into lines.
 *
 * The first input byte picks the buffer size (2..65 bytes, so that long
 * lines and the CR held back at a full buffer come up often) and, with its
 * high bit, lines ended by NUL (-0) instead of LF; the second
 * the sizes of the reads that fill it; the rest is the stream. The caller
 * is simulated as clientmode.c drives it, and what comes out is checked
 * against a reference split written here with no buffer at all: lines are
 * the stream cut at each LF, less a CR right before it, plus what follows
 * the last LF if anything (with NUL: cut at each NUL, CRs kept). Checked: every line comes out whole and in
 * order with the right number, no piece is longer than the buffer, only
 * the last piece of a line has fin set, and every byte is consumed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linesplit.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

struct got {
	uint8_t *line;      /* the line being put together */
	size_t len;
	uint64_t lines;     /* lines completed */
	size_t cap;
	const uint8_t *ref; /* the reference: the stream, cut at LFs */
	int nul;            /* ... or at NULs, CRs kept */
	size_t ref_len, ref_pos;
};

/* The next reference line: [*start, *start + *len) of g->ref. */
static int
ref_next(struct got *g, size_t *start, size_t *len)
{
	const uint8_t *nl;
	size_t n;

	if (g->ref_pos >= g->ref_len)
		return 0;
	*start = g->ref_pos;
	nl = memchr(g->ref + g->ref_pos, g->nul ? '\0' : '\n',
	    g->ref_len - g->ref_pos);
	if (nl == NULL) {
		*len = g->ref_len - g->ref_pos;
		g->ref_pos = g->ref_len;
		return 1;
	}
	n = (size_t)(nl - (g->ref + g->ref_pos));
	g->ref_pos += n + 1;
	if (!g->nul && n > 0 && g->ref[*start + n - 1] == '\r')
		n--;
	*len = n;
	return 1;
}

static void
on_piece(void *ctx, uint64_t lineno, const uint8_t *p, size_t len, int fin)
{
	struct got *g = ctx;
	size_t start, n;

	CHECK(len <= g->cap);
	CHECK(lineno == g->lines + 1);
	memcpy(g->line + g->len, p, len);
	g->len += len;
	if (!fin)
		return;
	CHECK(ref_next(g, &start, &n));
	CHECK(n == g->len);
	CHECK(memcmp(g->ref + start, g->line, n) == 0);
	g->lines++;
	g->len = 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linesplit ls = { 0 };
	struct got g = { 0 };
	uint8_t *buf;
	size_t cap, len = 0, pos = 0, step, used, start, n;
	uint8_t seed;

	if (size < 2)
		return 0;
	cap = 2 + data[0] % 64;
	ls.nul = g.nul = data[0] >> 7;
	seed = data[1];
	data += 2;
	size -= 2;
	buf = malloc(cap);
	g.line = malloc(size + 1);
	g.cap = cap;
	g.ref = data;
	g.ref_len = size;

	while (pos < size) {
		/* a read of 1..room bytes, sized by the seed */
		size_t room = cap - len;

		step = 1 + (seed + pos * 7) % room;
		if (step > size - pos)
			step = size - pos;
		memcpy(buf + len, data + pos, step);
		len += step;
		pos += step;
		used = linesplit_feed(&ls, buf, len, cap, 0, on_piece, &g);
		CHECK(used <= len);
		CHECK(len < cap || used > 0); /* a full buffer always moves */
		len -= used;
		memmove(buf, buf + used, len);
	}
	used = linesplit_feed(&ls, buf, len, cap, 1, on_piece, &g);
	CHECK(used == len);
	CHECK(g.len == 0);                  /* no line left half-done */
	CHECK(!ref_next(&g, &start, &n));   /* every reference line came */
	CHECK(ls.lineno == g.lines);
	free(buf);
	free(g.line);
	return 0;
}
