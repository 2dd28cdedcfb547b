/*
 * linesplit.c - standard input as lines; the contract is in linesplit.h.
 */
#include <string.h>

#include "linesplit.h"

static void
piece(struct linesplit *ls, const uint8_t *p, size_t len, int fin,
    linesplit_fn fn, void *ctx)
{
	if (!ls->in_line)
		ls->lineno++;
	ls->in_line = !fin;
	fn(ctx, ls->lineno, p, len, fin);
}

size_t
linesplit_feed(struct linesplit *ls, const uint8_t *buf, size_t len,
    size_t cap, int eof, linesplit_fn fn, void *ctx)
{
	const uint8_t *p = buf, *end = buf + len, *nl;
	int delim = ls->nul ? '\0' : '\n';

	while ((nl = memchr(p, delim, (size_t)(end - p))) != NULL) {
		size_t n = (size_t)(nl - p);

		if (!ls->nul && n > 0 && p[n - 1] == '\r')
			n--;
		piece(ls, p, n, 1, fn, ctx);
		p = nl + 1;
	}
	if (eof) {
		if (p < end || ls->in_line)
			piece(ls, p, (size_t)(end - p), 1, fn, ctx);
		return len;
	}
	if (p == buf && len == cap) {
		size_t n = cap - (!ls->nul && end[-1] == '\r');

		piece(ls, p, n, 0, fn, ctx);
		p += n;
	}
	return (size_t)(p - buf);
}
