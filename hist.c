/*
 * hist.c - a log-linear histogram; see hist.h.
 *
 * The layout is HdrHistogram's with a unit of one microsecond and 2048
 * sub-buckets: values below 2048 have a counter each; above, bucket b
 * (b >= 1) holds [1024 << b, 2048 << b) in 1024 counters of width 1 << b.
 * Counter i of the flat array is bucket (i >> 10) - 1, sub-bucket
 * (i & 1023) + 1024 (bucket 0 is the first two halves together).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

#define HALF ((uint64_t)1 << HIST_SUB_BITS)
#define MASK (2 * HALF - 1)

void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof *h);
	h->min = HIST_MAX + 1;
}

size_t
hist_index(uint64_t v)
{
	int bucket;
	uint64_t sub;

	if (v > HIST_MAX)
		v = HIST_MAX;
	/* the power of two above v, counted from the sub-bucket range */
	bucket = 64 - __builtin_clzll(v | MASK) - (HIST_SUB_BITS + 1);
	sub = v >> bucket;
	return (size_t)((((uint64_t)bucket + 1) << HIST_SUB_BITS) +
	    (sub - HALF));
}

uint64_t
hist_lowest(size_t i)
{
	long bucket = (long)(i >> HIST_SUB_BITS) - 1;
	uint64_t sub = (i & (HALF - 1)) + HALF;

	if (bucket < 0) {
		bucket = 0;
		sub -= HALF;
	}
	return sub << bucket;
}

uint64_t
hist_highest(size_t i)
{
	long bucket = (long)(i >> HIST_SUB_BITS) - 1;

	return hist_lowest(i) + ((uint64_t)1 << (bucket < 0 ? 0 : bucket)) - 1;
}

void
hist_record_n(struct hist *h, uint64_t v, uint64_t n)
{
	if (n == 0)
		return;
	if (v > HIST_MAX)
		v = HIST_MAX;
	h->counts[hist_index(v)] += n;
	h->total += n;
	h->sum += v * n;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void
hist_record(struct hist *h, uint64_t v)
{
	hist_record_n(h, v, 1);
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->total == 0)
		return;
	for (size_t i = 0; i < HIST_LEN; i++)
		dst->counts[i] += src->counts[i];
	dst->total += src->total;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
hist_percentile(const struct hist *h, double pct)
{
	uint64_t want, seen = 0, v;

	if (h->total == 0)
		return 0;
	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	/* the rank of the recording, counted from 1, rounded up: p50 of
	 * 1..4 is the second */
	want = (uint64_t)(pct / 100 * (double)h->total + 0.999999);
	if (want < 1)
		want = 1;
	for (size_t i = 0; i < HIST_LEN; i++) {
		seen += h->counts[i];
		if (seen >= want) {
			v = hist_highest(i);
			return v > h->max ? h->max : v < h->min ? h->min : v;
		}
	}
	return h->max;
}

double
hist_mean(const struct hist *h)
{
	return h->total ? (double)h->sum / (double)h->total : 0;
}

int
hist_write(FILE *f, const struct hist *h)
{
	fprintf(f, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, h->total,
	    h->total ? h->min : 0, h->max, h->sum);
	for (size_t i = 0; i < HIST_LEN; i++)
		if (h->counts[i])
			fprintf(f, " %zu:%" PRIu64, i, h->counts[i]);
	return ferror(f) ? -1 : 0;
}

static int
number(const char **s, uint64_t *v)
{
	char *end;

	while (**s == ' ')
		(*s)++;
	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	*v = strtoull(*s, &end, 10);
	if (errno)
		return -1;
	*s = end;
	return 0;
}

int
hist_read(struct hist *h, const char *s)
{
	static struct hist t;  /* 216 KiB: not on the stack */
	uint64_t total, min, max, sum, i, n, counted = 0;
	size_t last = 0;
	int any = 0;

	if (number(&s, &total) || number(&s, &min) || number(&s, &max) ||
	    number(&s, &sum) || min > max || max > HIST_MAX)
		return -1;
	hist_reset(&t);
	for (;;) {
		while (*s == ' ')
			s++;
		if (*s == '\0' || *s == '\n')
			break;
		if (number(&s, &i) || *s++ != ':' || number(&s, &n) ||
		    i >= HIST_LEN || (any && i <= last) || n == 0 ||
		    counted + n < counted)
			return -1;
		/* every recording lies within [min, max] */
		if (hist_highest((size_t)i) < min || hist_lowest((size_t)i) > max)
			return -1;
		t.counts[i] = n;
		counted += n;
		last = (size_t)i;
		any = 1;
	}
	if (counted != total)
		return -1;
	if (total == 0)
		return 0;
	t.total = total;
	t.min = min;
	t.max = max;
	t.sum = sum;
	hist_merge(h, &t);
	return 0;
}
