/*
 * fuzz_hexdump.c - libFuzzer target for disp_hexdump().
 *
 * Input: 8 bytes of base offset (big-endian), one byte choosing the indent
 * and a cap, then the data. The output buffer ends where its heap block
 * ends and has the documented size, DISP_HEXDUMP_LINE + strlen(indent)
 * bytes per 16 input bytes (rounded up), or that minus part of the last
 * line. Checked:
 *  - nothing is written past cap;
 *  - with the full size every line is written, and with less the output
 *    stops at a line boundary, with no fewer lines than surely fit;
 *  - each line is exactly indent, the offset base + 16k as at least eight
 *    lowercase hex digits, the bytes in hex and the printable ASCII column,
 *    as built here with snprintf; so the output holds no control byte other
 *    than the '\n' ending each line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

/* One reference line for p[0..n), n <= 16, into out; returns its length. */
static size_t
ref_line(char *out, const uint8_t *p, size_t n, uint64_t off,
    const char *indent)
{
	size_t o, j;

	o = (size_t)sprintf(out, "%s%08llx  ", indent, (unsigned long long)off);
	for (j = 0; j < 16; j++) {
		if (j < n)
			o += (size_t)sprintf(out + o, "%02x ", p[j]);
		else
			o += (size_t)sprintf(out + o, "   ");
		if (j == 7)
			out[o++] = ' ';
	}
	out[o++] = ' ';
	out[o++] = '|';
	for (j = 0; j < n; j++)
		out[o++] = p[j] >= 0x20 && p[j] < 0x7f ? (char)p[j] : '.';
	out[o++] = '|';
	out[o++] = '\n';
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const indents[] = { "", "  ", "\t", "    > " };
	const char *indent;
	uint64_t base = 0;
	size_t len, lines, per, cap, n, o, i, k, want;
	char *out, line[256];
	uint8_t *p;
	int full;

	if (size < 9)
		return 0;
	for (i = 0; i < 8; i++)
		base = base << 8 | data[i];
	indent = indents[data[8] & 3];
	full = (data[8] & 4) == 0;
	len = size - 9;
	p = malloc(len ? len : 1);
	CHECK(p != NULL);
	memcpy(p, data + 9, len);

	lines = (len + 15) / 16;
	per = DISP_HEXDUMP_LINE + strlen(indent);
	cap = lines * per;
	if (!full && cap > 0)
		cap -= 1 + (data[8] >> 3) % per;
	out = malloc(cap ? cap : 1);
	CHECK(out != NULL);
	n = disp_hexdump(out, cap, p, len, base, indent);
	CHECK(n <= cap);

	/* the output is whole reference lines, at least as many as fit */
	want = full ? lines : cap / per;
	for (k = 0, o = 0; o < n; k++) {
		i = 16 * k;
		CHECK(k < lines);
		i = ref_line(line, p + i, len - i < 16 ? len - i : 16,
		    base + i, indent);
		CHECK(o + i <= n && memcmp(out + o, line, i) == 0);
		o += i;
	}
	CHECK(k >= want);

	free(out);
	free(p);
	return 0;
}
