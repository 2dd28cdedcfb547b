/*
 * hist.h - a log-linear histogram of durations, HdrHistogram's design,
 * for the percentiles of --load.
 *
 * Values are whole microseconds from 0 to HIST_MAX (larger ones count as
 * HIST_MAX). Each power of two has 1024 equal sub-buckets, so a value is
 * kept to within 1/1024 of itself (three significant decimal digits)
 * whatever its size, in a fixed array of counters: recording is O(1),
 * two histograms merge by adding their counters, and a percentile read
 * from a merged histogram is the one the combined recordings would give.
 *
 * A struct hist is plain memory (about 216 KiB): zero it with
 * hist_reset() before use. Nothing here allocates or does I/O except
 * hist_write() and hist_read(), which put one on a line of text:
 *
 *   TOTAL MIN MAX SUM INDEX:COUNT INDEX:COUNT ...
 *
 * (decimal; the indices of the non-zero counters in increasing order),
 * the form --load-report files carry so that runs merge.
 */
#ifndef WSCLI_HIST_H
#define WSCLI_HIST_H

#include <stdint.h>
#include <stdio.h>

#define HIST_SUB_BITS 10                    /* 1024 sub-buckets a half */
#define HIST_MAX_BITS 36                    /* up to 2^36 - 1 us: 19 h */
#define HIST_MAX ((UINT64_C(1) << HIST_MAX_BITS) - 1)
#define HIST_LEN ((HIST_MAX_BITS - HIST_SUB_BITS + 1) << HIST_SUB_BITS)

struct hist {
	uint64_t total;              /* values recorded */
	uint64_t min, max;           /* exact; min is HIST_MAX + 1 when
					empty */
	uint64_t sum;                /* for the mean */
	uint64_t counts[HIST_LEN];
};

/* Empty h. */
void hist_reset(struct hist *h);

/* Record v (microseconds), n times. */
void hist_record(struct hist *h, uint64_t v);
void hist_record_n(struct hist *h, uint64_t v, uint64_t n);

/* Add every recording of src to dst. */
void hist_merge(struct hist *dst, const struct hist *src);

/*
 * The value at or below which pct percent (0..100) of the recordings lie:
 * the highest value equivalent to the recording found (within 1/1024 of
 * it, never below it), but never above max or below min. 0 when empty.
 */
uint64_t hist_percentile(const struct hist *h, double pct);

/* The mean, or 0 when empty. */
double hist_mean(const struct hist *h);

/* The counter v goes into, and the range of values a counter stands for
 * (lowest and highest, inclusive). */
size_t hist_index(uint64_t v);
uint64_t hist_lowest(size_t i);
uint64_t hist_highest(size_t i);

/* h on one line of f (see above), without the newline. Returns 0, or -1
 * on a write error. */
int hist_write(FILE *f, const struct hist *h);

/* Add the line s (as hist_write() wrote it) to h. Returns 0, or -1 if s
 * is not one (h is then unchanged). */
int hist_read(struct hist *h, const char *s);

#endif /* WSCLI_HIST_H */
