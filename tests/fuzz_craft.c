/*
 * fuzz_craft.c - libFuzzer target for craft_parse(), craft_encode() and
 * craft_walk().
 *
 * The input, up to its first NUL, is a SPEC in an exactly sized heap
 * block; the first byte after the NUL, if any, picks the role. Checked:
 *  - craft_parse() either succeeds or fails with a non-empty message;
 *  - a parsed frame encodes into exactly craft_size() bytes (and not into
 *    one byte less), in an exactly sized block;
 *  - read back with craft_walk(), the bytes give one frame with the FIN,
 *    RSV, opcode, MASK, key and announced length that were parsed, and
 *    the start of the payload unmasked; the bytes are whole exactly when
 *    the announced length is the real one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "craft.h"
#include "frame.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

struct got {
	int n;
	struct ws_frame_header h;
	uint8_t p[64];
	size_t len;
};

static void
on_frame(void *ud, const struct ws_frame_header *h, const uint8_t *p,
    size_t n, int violation, const char *rule)
{
	struct got *g = ud;

	if (g->n++ == 0) {
		g->h = *h;
		memcpy(g->p, p, n);
		g->len = n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = strnlen((const char *)data, size);
	enum ws_role role = len + 1 < size && (data[len + 1] & 1) ?
	    WS_ROLE_SERVER : WS_ROLE_CLIENT;
	char *s = malloc(len + 1), err[512];
	uint8_t *buf = malloc(len ? len : 1), *out;
	struct craft_frame f;
	size_t sz, whole;
	struct got g = { 0 };
	struct craft_walk d;

	CHECK(s != NULL && buf != NULL);
	memcpy(s, data, len);
	s[len] = '\0';
	if (craft_parse(s, role, buf, len, &f, err, sizeof err) != 0) {
		CHECK(err[0] != '\0');
		goto out;
	}
	CHECK(f.n <= len && f.fin <= 1 && f.rsv <= 7 && f.opcode <= 15);
	CHECK(f.width == 7 || f.width == 16 || f.width == 64);
	if (!f.key_given)
		memcpy(f.key, "\x01\x02\x03\x04", 4);
	sz = craft_size(&f);
	out = malloc(sz);
	CHECK(out != NULL);
	CHECK(craft_encode(out, sz - 1, &f) == 0);
	CHECK(craft_encode(out, sz, &f) == sz);
	craft_walk_init(&d, role);
	whole = craft_walk(&d, out, sz, sizeof g.p, on_frame, &g);
	CHECK(g.n >= 1);
	CHECK(g.h.fin == f.fin && g.h.rsv == f.rsv && g.h.opcode == f.opcode);
	CHECK(g.h.masked == (unsigned)f.masked && g.h.length == f.len);
	if (f.masked)
		CHECK(memcmp(g.h.mask, f.key, 4) == 0);
	if (f.len == f.n) {
		CHECK(g.n == 1 && whole == sz);
		CHECK(g.len == (f.n < sizeof g.p ? f.n : sizeof g.p));
		CHECK(memcmp(g.p, f.payload, g.len) == 0);
	} else if (f.len > f.n) {
		CHECK(g.n == 1 && whole == 0);
	}
	free(out);
out:
	free(s);
	free(buf);
	return 0;
}
