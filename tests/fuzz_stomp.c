/*
 * fuzz_stomp.c - libFuzzer target for stomp_parse(), the STOMP frame
 * parser, and stomp_check().
 *
 * The first input byte picks the version (10, 11, 12); the rest is one
 * WebSocket message, parsed frame after frame as stompproto.c does, from
 * a heap copy of its exact size so that any over-read is caught. Checked:
 * every call consumes at least one byte or reports an error, never more
 * than it was given; a frame's command, headers and body lie inside the
 * buffer; a body is followed by its NUL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stomp.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static int
inside(const void *p, const uint8_t *b, size_t n)
{
	return (const uint8_t *)p >= b && (const uint8_t *)p <= b + n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int versions[] = { 10, 11, 12 };
	struct stomp_frame f;
	const char *what;
	uint8_t *b;
	size_t n, off = 0, used;
	int v, r, i;

	if (size < 1)
		return 0;
	v = versions[data[0] % 3];
	n = size - 1;
	b = malloc(n ? n : 1);
	memcpy(b, data + 1, n);
	while (off < n) {
		used = 0;
		r = stomp_parse(b + off, n - off, v, &f, &used);
		if (r < 0)
			break;
		CHECK(used > 0 && used <= n - off);
		if (r == STOMP_FRAME) {
			CHECK(inside(f.command, b, n));
			CHECK(f.nhdr >= 0 && f.nhdr <= STOMP_MAX_HEADERS);
			for (i = 0; i < f.nhdr; i++) {
				CHECK(inside(f.hdr[i].name, b, n));
				CHECK(inside(f.hdr[i].value, b, n));
			}
			CHECK(inside(f.body, b, n));
			CHECK(f.body + f.body_len < b + n);
			CHECK(f.body[f.body_len] == '\0');
			(void)stomp_check(&f, v, 1, &what);
			(void)stomp_check(&f, v, 0, &what);
			(void)stomp_header(&f, "content-length");
		}
		off += used;
	}
	free(b);
	return 0;
}
