/*
 * test_frame.c - unit tests for frame.c, the RFC 6455 codec.
 *
 * Every decoder input goes through decode_check(), which decodes it all at
 * once, one byte at a time and in a few other chunk sizes, and fails unless
 * all of them give the same headers, payload bytes and error. Each chunk is
 * copied into a malloc'd buffer of exactly its size, so a read or write past
 * the end is caught when built with -fsanitize=address.
 *
 * Run with CMOCKA_MESSAGE_OUTPUT=TAP for output that prove(1) understands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 6455 5.7 masking key */
static const uint8_t KEY[4] = { 0x37, 0xfa, 0x21, 0x3d };

static int
fixed_key(void *ctx, uint8_t key[4])
{
	memcpy(key, ctx ? ctx : KEY, 4);
	return 0;
}

static int
failing_key(void *ctx, uint8_t key[4])
{
	return -1;
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	assert_non_null(p);
	return p;
}

/* ---------------------------------------------------- decoding harness */

#define MAX_FRAMES 1000

struct frame_rec {
	struct ws_frame_header h;
	unsigned message_opcode; /* d->message_opcode right after the header */
	uint64_t got;            /* payload bytes delivered for this frame */
	int frame_done;          /* times frame_done was reported */
	int message_done;        /* times message_done was reported */
};

struct decoded {
	int err;                 /* 0, or the error the decoder stopped with */
	size_t nframes;
	struct frame_rec f[MAX_FRAMES];
	uint8_t *payload;        /* every payload byte, in order */
	size_t plen;
};

static void
assert_header_equal(const struct ws_frame_header *a,
    const struct ws_frame_header *b)
{
	assert_int_equal(a->fin, b->fin);
	assert_int_equal(a->rsv, b->rsv);
	assert_int_equal(a->opcode, b->opcode);
	assert_int_equal(a->masked, b->masked);
	if (a->masked)
		assert_memory_equal(a->mask, b->mask, 4);
	assert_true(a->length == b->length);
	assert_int_equal(a->header_size, b->header_size);
}

/* Decode in[0..len) fed in pieces of chunk bytes, checking every event
 * against the contract in frame.h on the way. */
static void
run_decode(enum ws_role role, const uint8_t *in, size_t len, size_t chunk,
    struct decoded *out)
{
	struct ws_decoder d;
	struct ws_event ev;
	struct frame_rec *cur = NULL;
	size_t pos = 0, n, off;
	uint8_t *buf, dummy = 0;
	long r;

	memset(out, 0, sizeof(*out));
	out->payload = xmalloc(len);
	ws_decoder_init(&d, role);

	while (pos < len) {
		n = len - pos < chunk ? len - pos : chunk;
		buf = xmalloc(n);
		memcpy(buf, in + pos, n);
		for (off = 0;;) {
			r = ws_decode(&d, buf + off, n - off, &ev);
			if (r < 0) {
				out->err = (int)r;
				assert_int_equal(d.error, r);
				/* sticky, whatever comes next */
				assert_int_equal(ws_decode(&d, buf, n, &ev), r);
				assert_int_equal(ws_decode(&d, &dummy, 0, &ev),
				    r);
				free(buf);
				return;
			}
			assert_true((size_t)r <= n - off);
			if (ev.type == WS_EV_NONE) {
				/* NONE means everything was taken */
				assert_int_equal(off + (size_t)r, n);
				break;
			}
			assert_true(r > 0);
			if (ev.type == WS_EV_HEADER) {
				assert_true(out->nframes < MAX_FRAMES);
				cur = &out->f[out->nframes++];
				cur->h = ev.header;
				cur->message_opcode = d.message_opcode;
				assert_int_equal(ev.frame_done,
				    ev.header.length == 0);
				assert_true(ev.header.header_size >= 2 &&
				    ev.header.header_size <= WS_MAX_HEADER);
			} else {
				assert_int_equal(ev.type, WS_EV_DATA);
				assert_non_null(cur);
				assert_header_equal(&ev.header, &cur->h);
				assert_ptr_equal(ev.data, buf + off);
				assert_int_equal(ev.len, (size_t)r);
				assert_true(ev.len > 0);
				assert_true(ev.offset == cur->got);
				memcpy(out->payload + out->plen, ev.data, ev.len);
				out->plen += ev.len;
				cur->got += ev.len;
				assert_int_equal(ev.frame_done,
				    cur->got == cur->h.length);
			}
			cur->frame_done += ev.frame_done;
			assert_int_equal(ev.message_done, ev.frame_done &&
			    (cur->h.fin || ws_opcode_is_control(cur->h.opcode)));
			cur->message_done += ev.message_done;
			off += (size_t)r;
		}
		free(buf);
		pos += n;
	}
	/* with nothing to feed: nothing happens */
	assert_int_equal(ws_decode(&d, &dummy, 0, &ev), 0);
	assert_int_equal(ev.type, WS_EV_NONE);
}

static void
assert_decoded_equal(const struct decoded *a, const struct decoded *b)
{
	size_t i;

	assert_int_equal(a->err, b->err);
	assert_int_equal(a->nframes, b->nframes);
	for (i = 0; i < a->nframes; i++) {
		assert_header_equal(&a->f[i].h, &b->f[i].h);
		assert_int_equal(a->f[i].message_opcode,
		    b->f[i].message_opcode);
		assert_true(a->f[i].got == b->f[i].got);
		assert_int_equal(a->f[i].frame_done, b->f[i].frame_done);
		assert_int_equal(a->f[i].message_done, b->f[i].message_done);
	}
	assert_int_equal(a->plen, b->plen);
	if (a->plen)
		assert_memory_equal(a->payload, b->payload, a->plen);
}

/* Decode all at once, and check that every other chunking agrees. */
static void
decode_check(enum ws_role role, const uint8_t *in, size_t len,
    struct decoded *out)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 13 };
	struct decoded *other = xmalloc(sizeof(*other));
	size_t i;

	run_decode(role, in, len, len ? len : 1, out);
	for (i = 0; i < NELEM(chunks); i++) {
		if (chunks[i] >= len && i > 0)
			break;
		run_decode(role, in, len, chunks[i], other);
		assert_decoded_equal(out, other);
		free(other->payload);
	}
	free(other);
}

static struct decoded *
decode(enum ws_role role, const uint8_t *in, size_t len)
{
	struct decoded *r = xmalloc(sizeof(*r));

	decode_check(role, in, len, r);
	return r;
}

static void
decoded_free(struct decoded *r)
{
	free(r->payload);
	free(r);
}

static void
expect_error(enum ws_role role, const uint8_t *in, size_t len, int err)
{
	struct decoded *r = decode(role, in, len);

	assert_int_equal(r->err, err);
	decoded_free(r);
}

static void
expect_ok(enum ws_role role, const uint8_t *in, size_t len, size_t nframes)
{
	struct decoded *r = decode(role, in, len);

	assert_int_equal(r->err, 0);
	assert_int_equal(r->nframes, nframes);
	decoded_free(r);
}

/*
 * Append a frame as the peer of a decoder in role would send it: masked
 * with KEY towards a server, unmasked towards a client.
 */
static size_t
put(uint8_t *out, enum ws_role role, unsigned fin, unsigned rsv,
    unsigned op, const char *payload)
{
	size_t len = strlen(payload), n;
	const uint8_t *key = role == WS_ROLE_SERVER ? KEY : NULL;

	n = ws_encode_header(out, fin, rsv, op, len, key);
	if (key)
		ws_mask(out + n, (const uint8_t *)payload, len, key, 0);
	else
		memcpy(out + n, payload, len);
	return n + len;
}

/* Append a hand-made header: first byte b0, 7-bit length len7, then the
 * extended length bytes ext[0..extlen) and the key if role needs one. */
static size_t
put_raw(uint8_t *out, enum ws_role role, uint8_t b0, uint8_t len7,
    const uint8_t *ext, size_t extlen)
{
	size_t n = 0;

	out[n++] = b0;
	out[n++] = (uint8_t)(len7 | (role == WS_ROLE_SERVER ? 0x80 : 0));
	memcpy(out + n, ext, extlen);
	n += extlen;
	if (role == WS_ROLE_SERVER) {
		memcpy(out + n, KEY, 4);
		n += 4;
	}
	return n;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static const enum ws_role roles[] = { WS_ROLE_CLIENT, WS_ROLE_SERVER };

/* ---------------------------------------------- RFC 6455 5.7 examples */

static const uint8_t rfc_hello[] = { 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c,
	0x6f };
static const uint8_t rfc_hello_masked[] = { 0x81, 0x85, 0x37, 0xfa, 0x21,
	0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
static const uint8_t rfc_fragmented[] = { 0x01, 0x03, 0x48, 0x65, 0x6c,
	0x80, 0x02, 0x6c, 0x6f };
static const uint8_t rfc_ping[] = { 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c,
	0x6f };
static const uint8_t rfc_pong_masked[] = { 0x8a, 0x85, 0x37, 0xfa, 0x21,
	0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };

static void
rfc_unmasked_text_hello(void **state)
{
	uint8_t out[64];
	struct decoded *r;

	assert_int_equal(ws_encode_frame(out, sizeof(out), 1, WS_OP_TEXT,
	    (const uint8_t *)"Hello", 5, NULL, NULL), sizeof(rfc_hello));
	assert_memory_equal(out, rfc_hello, sizeof(rfc_hello));

	r = decode(WS_ROLE_CLIENT, rfc_hello, sizeof(rfc_hello));
	assert_int_equal(r->err, 0);
	assert_int_equal(r->nframes, 1);
	assert_int_equal(r->f[0].h.fin, 1);
	assert_int_equal(r->f[0].h.opcode, WS_OP_TEXT);
	assert_int_equal(r->f[0].h.masked, 0);
	assert_true(r->f[0].h.length == 5);
	assert_int_equal(r->f[0].h.header_size, 2);
	assert_int_equal(r->f[0].message_opcode, WS_OP_TEXT);
	assert_int_equal(r->f[0].message_done, 1);
	assert_int_equal(r->plen, 5);
	assert_memory_equal(r->payload, "Hello", 5);
	decoded_free(r);
}

static void
rfc_masked_text_hello(void **state)
{
	uint8_t out[64];
	struct decoded *r;

	assert_int_equal(ws_encode_frame(out, sizeof(out), 1, WS_OP_TEXT,
	    (const uint8_t *)"Hello", 5, fixed_key, (void *)KEY),
	    sizeof(rfc_hello_masked));
	assert_memory_equal(out, rfc_hello_masked, sizeof(rfc_hello_masked));

	r = decode(WS_ROLE_SERVER, rfc_hello_masked,
	    sizeof(rfc_hello_masked));
	assert_int_equal(r->err, 0);
	assert_int_equal(r->nframes, 1);
	assert_int_equal(r->f[0].h.masked, 1);
	assert_memory_equal(r->f[0].h.mask, KEY, 4);
	assert_int_equal(r->f[0].h.header_size, 6);
	assert_int_equal(r->f[0].message_done, 1);
	assert_int_equal(r->plen, 5);
	assert_memory_equal(r->payload, "Hello", 5);
	decoded_free(r);
}

static void
rfc_fragmented_text_hello(void **state)
{
	uint8_t out[64];
	size_t n;
	struct decoded *r;

	n = ws_encode_frame(out, sizeof(out), 0, WS_OP_TEXT,
	    (const uint8_t *)"Hel", 3, NULL, NULL);
	n += ws_encode_frame(out + n, sizeof(out) - n, 1, WS_OP_CONT,
	    (const uint8_t *)"lo", 2, NULL, NULL);
	assert_int_equal(n, sizeof(rfc_fragmented));
	assert_memory_equal(out, rfc_fragmented, sizeof(rfc_fragmented));

	r = decode(WS_ROLE_CLIENT, rfc_fragmented, sizeof(rfc_fragmented));
	assert_int_equal(r->err, 0);
	assert_int_equal(r->nframes, 2);
	assert_int_equal(r->f[0].h.fin, 0);
	assert_int_equal(r->f[0].h.opcode, WS_OP_TEXT);
	assert_int_equal(r->f[0].frame_done, 1);
	assert_int_equal(r->f[0].message_done, 0);
	assert_int_equal(r->f[1].h.fin, 1);
	assert_int_equal(r->f[1].h.opcode, WS_OP_CONT);
	assert_int_equal(r->f[1].message_opcode, WS_OP_TEXT);
	assert_int_equal(r->f[1].message_done, 1);
	assert_int_equal(r->plen, 5);
	assert_memory_equal(r->payload, "Hello", 5);
	decoded_free(r);
}

static void
rfc_unmasked_ping(void **state)
{
	uint8_t out[64];
	struct decoded *r;

	assert_int_equal(ws_encode_frame(out, sizeof(out), 1, WS_OP_PING,
	    (const uint8_t *)"Hello", 5, NULL, NULL), sizeof(rfc_ping));
	assert_memory_equal(out, rfc_ping, sizeof(rfc_ping));

	r = decode(WS_ROLE_CLIENT, rfc_ping, sizeof(rfc_ping));
	assert_int_equal(r->err, 0);
	assert_int_equal(r->nframes, 1);
	assert_int_equal(r->f[0].h.opcode, WS_OP_PING);
	assert_int_equal(r->f[0].message_done, 1);
	assert_memory_equal(r->payload, "Hello", 5);
	decoded_free(r);
}

static void
rfc_masked_pong(void **state)
{
	uint8_t out[64];
	struct decoded *r;

	assert_int_equal(ws_encode_frame(out, sizeof(out), 1, WS_OP_PONG,
	    (const uint8_t *)"Hello", 5, fixed_key, (void *)KEY),
	    sizeof(rfc_pong_masked));
	assert_memory_equal(out, rfc_pong_masked, sizeof(rfc_pong_masked));

	r = decode(WS_ROLE_SERVER, rfc_pong_masked, sizeof(rfc_pong_masked));
	assert_int_equal(r->err, 0);
	assert_int_equal(r->nframes, 1);
	assert_int_equal(r->f[0].h.opcode, WS_OP_PONG);
	assert_int_equal(r->f[0].message_done, 1);
	assert_int_equal(r->plen, 5);
	assert_memory_equal(r->payload, "Hello", 5);
	decoded_free(r);
}

/* Encode a len-byte binary frame, check its header is hdr[0..hdrlen), and
 * decode it back, unmasked and masked. */
static void
binary_roundtrip(size_t len, const uint8_t *hdr, size_t hdrlen)
{
	uint8_t *payload = xmalloc(len), *out;
	size_t cap = ws_frame_size(len, 1), n, i;
	struct decoded *r;
	int masked;

	for (i = 0; i < len; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	for (masked = 0; masked <= 1; masked++) {
		out = xmalloc(cap);
		n = ws_encode_frame(out, cap, 1, WS_OP_BINARY, payload, len,
		    masked ? fixed_key : NULL, NULL);
		assert_int_equal(n, ws_frame_size(len, masked));
		assert_int_equal(n, hdrlen + len + (masked ? 4 : 0));
		assert_int_equal(out[0], hdr[0]);
		assert_int_equal(out[1], hdr[1] | (masked ? 0x80 : 0));
		assert_memory_equal(out + 2, hdr + 2, hdrlen - 2);
		if (!masked && len)
			assert_memory_equal(out + hdrlen, payload, len);

		r = decode(masked ? WS_ROLE_SERVER : WS_ROLE_CLIENT, out, n);
		assert_int_equal(r->err, 0);
		assert_int_equal(r->nframes, 1);
		assert_int_equal(r->f[0].h.opcode, WS_OP_BINARY);
		assert_true(r->f[0].h.length == len);
		assert_int_equal(r->f[0].h.header_size,
		    hdrlen + (masked ? 4 : 0));
		assert_int_equal(r->f[0].frame_done, 1);
		assert_int_equal(r->f[0].message_done, 1);
		assert_int_equal(r->plen, len);
		if (len)
			assert_memory_equal(r->payload, payload, len);
		decoded_free(r);
		free(out);
	}
	free(payload);
}

static void
rfc_binary_256(void **state)
{
	static const uint8_t hdr[] = { 0x82, 0x7e, 0x01, 0x00 };

	binary_roundtrip(256, hdr, sizeof(hdr));
}

static void
rfc_binary_64k(void **state)
{
	static const uint8_t hdr[] = { 0x82, 0x7f, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x00 };

	binary_roundtrip(65536, hdr, sizeof(hdr));
}

/* ------------------------------------------------------ payload lengths */

static void
payload_len_0(void **state)
{
	static const uint8_t hdr[] = { 0x82, 0x00 };
	struct decoded *r;

	binary_roundtrip(0, hdr, sizeof(hdr));
	/* an empty frame is complete with its header */
	r = decode(WS_ROLE_CLIENT, hdr, sizeof(hdr));
	assert_int_equal(r->nframes, 1);
	assert_int_equal(r->f[0].frame_done, 1);
	assert_int_equal(r->f[0].message_done, 1);
	assert_int_equal(r->plen, 0);
	decoded_free(r);
}

static void
payload_len_125(void **state)
{
	static const uint8_t hdr[] = { 0x82, 0x7d };

	binary_roundtrip(125, hdr, sizeof(hdr));
}

static void
minimum_ext_payload16(void **state)
{
	static const uint8_t hdr[] = { 0x82, 0x7e, 0x00, 0x7e };

	binary_roundtrip(126, hdr, sizeof(hdr));
}

static void
maximum_ext_payload16(void **state)
{
	static const uint8_t hdr[] = { 0x82, 0x7e, 0xff, 0xff };

	binary_roundtrip(65535, hdr, sizeof(hdr));
}

static void
minimum_ext_payload64(void **state)
{
	static const uint8_t hdr[] = { 0x82, 0x7f, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x00 };

	binary_roundtrip(65536, hdr, sizeof(hdr));
}

/* A length above 4 GiB: only the header and the start of the payload are
 * decoded, nothing of that size is allocated. */
static void
ext_payload64_above_4gib(void **state)
{
	const uint64_t big = UINT64_C(0x100000005);
	uint8_t in[64], hdr[WS_MAX_HEADER];
	struct ws_decoder d;
	struct ws_event ev;
	struct decoded *r;
	size_t i, n;
	long k;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++) {
		n = ws_encode_header(in, 1, 0, WS_OP_BINARY, big,
		    *role == WS_ROLE_SERVER ? KEY : NULL);
		assert_int_equal(n, *role == WS_ROLE_SERVER ? 14 : 10);
		assert_int_equal(in[1] & 0x7f, 127);
		put_be64(hdr, big);
		assert_memory_equal(in + 2, hdr, 8);
		for (i = 0; i < 5; i++)
			in[n + i] = (uint8_t)('a' + i);
		if (*role == WS_ROLE_SERVER)
			ws_mask(in + n, in + n, 5, KEY, 0);

		r = decode(*role, in, n + 5);
		assert_int_equal(r->err, 0);
		assert_int_equal(r->nframes, 1);
		assert_true(r->f[0].h.length == big);
		assert_int_equal(r->f[0].h.header_size, n);
		assert_int_equal(r->f[0].frame_done, 0);
		assert_int_equal(r->plen, 5);
		assert_memory_equal(r->payload, "abcde", 5);
		decoded_free(r);

		ws_decoder_init(&d, *role);
		k = ws_decode(&d, in, n + 5, &ev);
		assert_int_equal(k, n);
		assert_int_equal(ev.type, WS_EV_HEADER);
		assert_int_equal(ev.frame_done, 0);
		k = ws_decode(&d, in + n, 5, &ev);
		assert_int_equal(k, 5);
		assert_true(d.remaining == big - 5);
		assert_true(d.offset == 5);
	}
	if (SIZE_MAX > big)
		assert_true(ws_frame_size(big, 0) == 10 + big);
}

static void
ext_payload64_largest(void **state)
{
	const uint64_t big = UINT64_C(0x7fffffffffffffff);
	uint8_t in[16];
	struct decoded *r;
	size_t n;

	n = ws_encode_header(in, 1, 0, WS_OP_BINARY, big, NULL);
	assert_int_equal(n, 10);
	r = decode(WS_ROLE_CLIENT, in, n);
	assert_int_equal(r->err, 0);
	assert_true(r->f[0].h.length == big);
	decoded_free(r);
	/* no size_t can hold it */
	if (SIZE_MAX <= big)
		assert_true(ws_frame_size(big, 1) == SIZE_MAX);
}

/* --------------------------------------------------------------- encoder */

static void
encode_header_lengths(void **state)
{
	static const struct {
		uint64_t len;
		size_t n;
		uint8_t b[10];
	} t[] = {
		{ 0, 2, { 0x82, 0x00 } },
		{ 1, 2, { 0x82, 0x01 } },
		{ 125, 2, { 0x82, 0x7d } },
		{ 126, 4, { 0x82, 0x7e, 0x00, 0x7e } },
		{ 127, 4, { 0x82, 0x7e, 0x00, 0x7f } },
		{ 256, 4, { 0x82, 0x7e, 0x01, 0x00 } },
		{ 65535, 4, { 0x82, 0x7e, 0xff, 0xff } },
		{ 65536, 10, { 0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0 } },
		{ UINT64_C(0x0102030405060708), 10,
		    { 0x82, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8 } },
	};
	uint8_t out[WS_MAX_HEADER];
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(ws_encode_header(out, 1, 0, WS_OP_BINARY,
		    t[i].len, NULL), t[i].n);
		assert_memory_equal(out, t[i].b, t[i].n);
		assert_int_equal(ws_frame_size(t[i].len, 0) - t[i].len, t[i].n);

		assert_int_equal(ws_encode_header(out, 1, 0, WS_OP_BINARY,
		    t[i].len, KEY), t[i].n + 4);
		assert_int_equal(out[1], t[i].b[1] | 0x80);
		assert_memory_equal(out + 2, t[i].b + 2, t[i].n - 2);
		assert_memory_equal(out + t[i].n, KEY, 4);
		assert_int_equal(ws_frame_size(t[i].len, 1) - t[i].len,
		    t[i].n + 4);
	}
}

static void
encode_header_flags(void **state)
{
	uint8_t out[WS_MAX_HEADER];

	ws_encode_header(out, 0, 0, WS_OP_TEXT, 0, NULL);
	assert_int_equal(out[0], 0x01);
	ws_encode_header(out, 1, 4, WS_OP_TEXT, 0, NULL);
	assert_int_equal(out[0], 0xc1); /* RSV1 */
	ws_encode_header(out, 1, 2, WS_OP_TEXT, 0, NULL);
	assert_int_equal(out[0], 0xa1); /* RSV2 */
	ws_encode_header(out, 1, 1, WS_OP_TEXT, 0, NULL);
	assert_int_equal(out[0], 0x91); /* RSV3 */
	ws_encode_header(out, 1, 7, 0xf, 0, NULL);
	assert_int_equal(out[0], 0xff); /* crafted: anything goes */
	ws_encode_header(out, 0, 0, WS_OP_CONT, 0, NULL);
	assert_int_equal(out[0], 0x00);
}

static void
encode_frame_cap_too_small(void **state)
{
	uint8_t out[200];
	uint8_t payload[126];
	size_t need;

	memset(payload, 'x', sizeof(payload));
	need = ws_frame_size(sizeof(payload), 1);
	assert_int_equal(need, 2 + 2 + 4 + 126);
	assert_int_equal(ws_encode_frame(out, need - 1, 1, WS_OP_BINARY,
	    payload, sizeof(payload), fixed_key, NULL), 0);
	assert_int_equal(ws_encode_frame(out, need, 1, WS_OP_BINARY,
	    payload, sizeof(payload), fixed_key, NULL), need);
	assert_int_equal(ws_encode_frame(out, 1, 1, WS_OP_TEXT, NULL, 0,
	    NULL, NULL), 0);
	assert_int_equal(ws_encode_frame(out, 2, 1, WS_OP_TEXT, NULL, 0,
	    NULL, NULL), 2);
	assert_int_equal(ws_encode_frame(out, 5, 1, WS_OP_TEXT, NULL, 0,
	    fixed_key, NULL), 0);
	assert_int_equal(ws_encode_frame(out, 6, 1, WS_OP_TEXT, NULL, 0,
	    fixed_key, NULL), 6);
}

static void
encode_frame_mask_source_fails(void **state)
{
	uint8_t out[64];

	assert_int_equal(ws_encode_frame(out, sizeof(out), 1, WS_OP_TEXT,
	    (const uint8_t *)"Hello", 5, failing_key, NULL), 0);
}

/* Masks the payload with the key the source gives, not a fixed one. */
static void
encode_frame_uses_key_from_source(void **state)
{
	static const uint8_t key[4] = { 0x00, 0xff, 0x0f, 0xf0 };
	static const uint8_t want[] = { 0x82, 0x83, 0x00, 0xff, 0x0f, 0xf0,
		0x01, 0xfd, 0x0c };
	static const uint8_t payload[] = { 1, 2, 3 };
	uint8_t out[64];

	assert_int_equal(ws_encode_frame(out, sizeof(out), 1, WS_OP_BINARY,
	    payload, 3, fixed_key, (void *)key), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

/* ---------------------------------------------------------------- ws_mask */

static void
mask_ref(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4],
    uint64_t offset)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = src[i] ^ key[(offset + i) % 4];
}

/* Both buffers end exactly at the end of their block, so ASan sees any
 * access past len. */
static void
mask_check(size_t len, size_t sa, size_t da, uint64_t offset)
{
	uint8_t want[128], *src = xmalloc(sa + len), *dst = xmalloc(da + len);
	size_t i;

	for (i = 0; i < len; i++)
		src[sa + i] = (uint8_t)(i * 31 + sa + 1);
	mask_ref(want, src + sa, len, KEY, offset);
	ws_mask(dst + da, src + sa, len, KEY, offset);
	if (len)
		assert_memory_equal(dst + da, want, len);
	ws_mask(src + sa, src + sa, len, KEY, offset);
	if (len)
		assert_memory_equal(src + sa, want, len);
	free(src);
	free(dst);
}

static void
mask_matches_bytewise_reference(void **state)
{
	static const uint64_t offsets[] = { 0, 1, 2, 3, 4, 5, 6, 7,
		UINT64_C(0x100000003), UINT64_MAX };
	uint8_t want[100], *copy, *dst;
	size_t len, sa, da, oi, i;

	for (len = 0; len <= 100; len++)
		for (sa = 0; sa < 8; sa++)
			for (da = 0; da < 8; da++)
				for (oi = 0; oi < NELEM(offsets); oi++)
					mask_check(len, sa, da, offsets[oi]);

	/* masking twice is the identity; masking in pieces is the same */
	copy = xmalloc(1000);
	dst = xmalloc(1000);
	for (i = 0; i < 1000; i++)
		copy[i] = (uint8_t)i;
	mask_ref(want, copy, 100, KEY, 0);
	ws_mask(dst, copy, 1000, KEY, 0);
	assert_memory_equal(dst, want, 100);
	for (i = 0; i < 1000; i += 37)
		ws_mask(dst + i, dst + i, i + 37 > 1000 ? 1000 - i : 37, KEY,
		    i);
	assert_memory_equal(dst, copy, 1000);
	free(copy);
	free(dst);
}

/* --------------------------------------------------------- decoder rules */

static void
rsv_bits_set(void **state)
{
	uint8_t in[64];
	unsigned rsv;
	size_t n;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++)
		for (rsv = 1; rsv <= 7; rsv++) {
			n = put(in, *role, 1, rsv, WS_OP_TEXT, "abc");
			expect_error(*role, in, n, WS_ERR_RSV);
			n = put(in, *role, 1, rsv, WS_OP_PING, "");
			expect_error(*role, in, n, WS_ERR_RSV);
			/* after a good frame */
			n = put(in, *role, 1, 0, WS_OP_TEXT, "ok");
			n += put(in + n, *role, 1, rsv, WS_OP_BINARY, "abc");
			expect_error(*role, in, n, WS_ERR_RSV);
		}
}

static void
reserved_opcodes(void **state)
{
	static const unsigned ops[] = { 3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe,
		0xf };
	uint8_t in[64];
	size_t i, n;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++)
		for (i = 0; i < NELEM(ops); i++) {
			n = put(in, *role, 1, 0, ops[i], "x");
			expect_error(*role, in, n, WS_ERR_OPCODE);
			n = put(in, *role, 0, 0, ops[i], "");
			expect_error(*role, in, n, WS_ERR_OPCODE);
		}
}

static void
ctrl_frame_too_large_payload(void **state)
{
	static const unsigned ops[] = { WS_OP_CLOSE, WS_OP_PING, WS_OP_PONG };
	uint8_t in[64], ext[8];
	size_t i, n;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++)
		for (i = 0; i < NELEM(ops); i++) {
			ext[0] = 0x00;
			ext[1] = 0x7e;
			n = put_raw(in, *role, (uint8_t)(0x80 | ops[i]), 126,
			    ext, 2);
			expect_error(*role, in, n, WS_ERR_CONTROL_TOO_LONG);
			put_be64(ext, 65536);
			n = put_raw(in, *role, (uint8_t)(0x80 | ops[i]), 127,
			    ext, 8);
			expect_error(*role, in, n, WS_ERR_CONTROL_TOO_LONG);
			/* caught before the extended length arrives */
			expect_error(*role, in, 2, WS_ERR_CONTROL_TOO_LONG);
		}
}

static void
ctrl_frame_max_payload(void **state)
{
	uint8_t in[256];
	char payload[126];
	size_t n;
	struct decoded *r;
	const enum ws_role *role;

	memset(payload, 'p', 125);
	payload[125] = '\0';
	for (role = roles; role < roles + NELEM(roles); role++) {
		n = put(in, *role, 1, 0, WS_OP_PING, payload);
		r = decode(*role, in, n);
		assert_int_equal(r->err, 0);
		assert_true(r->f[0].h.length == 125);
		assert_int_equal(r->plen, 125);
		assert_memory_equal(r->payload, payload, 125);
		decoded_free(r);
	}
}

static void
ctrl_frame_fragmented(void **state)
{
	static const unsigned ops[] = { WS_OP_CLOSE, WS_OP_PING, WS_OP_PONG };
	uint8_t in[64];
	size_t i, n;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++)
		for (i = 0; i < NELEM(ops); i++) {
			n = put(in, *role, 0, 0, ops[i], "");
			expect_error(*role, in, n, WS_ERR_CONTROL_FRAGMENTED);
			n = put(in, *role, 0, 0, ops[i], "abc");
			expect_error(*role, in, n, WS_ERR_CONTROL_FRAGMENTED);
		}
}

static void
non_minimal_ext_payload16(void **state)
{
	static const unsigned lens[] = { 0, 1, 125 };
	uint8_t in[64], ext[2];
	size_t i, n;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++)
		for (i = 0; i < NELEM(lens); i++) {
			ext[0] = (uint8_t)(lens[i] >> 8);
			ext[1] = (uint8_t)lens[i];
			n = put_raw(in, *role, 0x82, 126, ext, 2);
			expect_error(*role, in, n, WS_ERR_NON_MINIMAL_LENGTH);
		}
}

static void
non_minimal_ext_payload64(void **state)
{
	static const uint64_t lens[] = { 0, 1, 125, 126, 0xffff };
	uint8_t in[64], ext[8];
	size_t i, n;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++)
		for (i = 0; i < NELEM(lens); i++) {
			put_be64(ext, lens[i]);
			n = put_raw(in, *role, 0x82, 127, ext, 8);
			expect_error(*role, in, n, WS_ERR_NON_MINIMAL_LENGTH);
		}
}

static void
ext_payload64_top_bit(void **state)
{
	static const uint64_t lens[] = { UINT64_C(0x8000000000000000),
		UINT64_C(0x8000000000000001), UINT64_C(0x800000000000ffff),
		UINT64_MAX };
	uint8_t in[64], ext[8];
	size_t i, n;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++)
		for (i = 0; i < NELEM(lens); i++) {
			put_be64(ext, lens[i]);
			n = put_raw(in, *role, 0x82, 127, ext, 8);
			expect_error(*role, in, n, WS_ERR_LENGTH_TOP_BIT);
		}
}

static void
masked_frame_in_client_role(void **state)
{
	uint8_t in[64];
	size_t n;

	/* what a server-bound frame looks like, sent to a client */
	expect_error(WS_ROLE_CLIENT, rfc_hello_masked,
	    sizeof(rfc_hello_masked), WS_ERR_MASKED);
	expect_error(WS_ROLE_CLIENT, rfc_pong_masked, sizeof(rfc_pong_masked),
	    WS_ERR_MASKED);
	n = put(in, WS_ROLE_SERVER, 1, 0, WS_OP_CLOSE, "");
	expect_error(WS_ROLE_CLIENT, in, n, WS_ERR_MASKED);
	/* after a good frame */
	n = put(in, WS_ROLE_CLIENT, 1, 0, WS_OP_TEXT, "ok");
	n += put(in + n, WS_ROLE_SERVER, 1, 0, WS_OP_TEXT, "bad");
	expect_error(WS_ROLE_CLIENT, in, n, WS_ERR_MASKED);
	/* and the same frame is what a server wants */
	expect_ok(WS_ROLE_SERVER, rfc_hello_masked, sizeof(rfc_hello_masked),
	    1);
}

static void
unmasked_frame_in_server_role(void **state)
{
	uint8_t in[64];
	size_t n;

	expect_error(WS_ROLE_SERVER, rfc_hello, sizeof(rfc_hello),
	    WS_ERR_UNMASKED);
	expect_error(WS_ROLE_SERVER, rfc_ping, sizeof(rfc_ping),
	    WS_ERR_UNMASKED);
	n = put(in, WS_ROLE_CLIENT, 1, 0, WS_OP_CLOSE, "");
	expect_error(WS_ROLE_SERVER, in, n, WS_ERR_UNMASKED);
	n = put(in, WS_ROLE_SERVER, 1, 0, WS_OP_TEXT, "ok");
	n += put(in + n, WS_ROLE_CLIENT, 1, 0, WS_OP_TEXT, "bad");
	expect_error(WS_ROLE_SERVER, in, n, WS_ERR_UNMASKED);
	expect_ok(WS_ROLE_CLIENT, rfc_hello, sizeof(rfc_hello), 1);
}

static void
cont_without_start(void **state)
{
	uint8_t in[64];
	size_t n;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++) {
		n = put(in, *role, 1, 0, WS_OP_CONT, "x");
		expect_error(*role, in, n, WS_ERR_CONT_WITHOUT_START);
		n = put(in, *role, 0, 0, WS_OP_CONT, "");
		expect_error(*role, in, n, WS_ERR_CONT_WITHOUT_START);
		/* after a complete unfragmented message */
		n = put(in, *role, 1, 0, WS_OP_TEXT, "a");
		n += put(in + n, *role, 1, 0, WS_OP_CONT, "b");
		expect_error(*role, in, n, WS_ERR_CONT_WITHOUT_START);
		/* after a complete fragmented message */
		n = put(in, *role, 0, 0, WS_OP_BINARY, "a");
		n += put(in + n, *role, 1, 0, WS_OP_CONT, "b");
		n += put(in + n, *role, 0, 0, WS_OP_CONT, "c");
		expect_error(*role, in, n, WS_ERR_CONT_WITHOUT_START);
		/* a control frame does not start a message */
		n = put(in, *role, 1, 0, WS_OP_PING, "");
		n += put(in + n, *role, 1, 0, WS_OP_CONT, "b");
		expect_error(*role, in, n, WS_ERR_CONT_WITHOUT_START);
	}
}

static void
new_message_in_fragmented(void **state)
{
	static const unsigned ops[] = { WS_OP_TEXT, WS_OP_BINARY };
	uint8_t in[64];
	size_t i, j, n;
	unsigned fin;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++)
		for (i = 0; i < 2; i++)
			for (j = 0; j < 2; j++)
				for (fin = 0; fin <= 1; fin++) {
					n = put(in, *role, 0, 0, ops[i], "a");
					n += put(in + n, *role, fin, 0, ops[j],
					    "b");
					expect_error(*role, in, n,
					    WS_ERR_NEW_IN_FRAGMENTED);
					/* also after a continuation and a
					 * ping */
					n = put(in, *role, 0, 0, ops[i], "a");
					n += put(in + n, *role, 0, 0,
					    WS_OP_CONT, "b");
					n += put(in + n, *role, 1, 0,
					    WS_OP_PING, "");
					n += put(in + n, *role, fin, 0, ops[j],
					    "c");
					expect_error(*role, in, n,
					    WS_ERR_NEW_IN_FRAGMENTED);
				}
}

static void
control_interleaved_in_fragmented(void **state)
{
	uint8_t in[128];
	size_t n;
	struct decoded *r;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++) {
		n = put(in, *role, 0, 0, WS_OP_BINARY, "Hel");
		n += put(in + n, *role, 1, 0, WS_OP_PING, "p1");
		n += put(in + n, *role, 0, 0, WS_OP_CONT, "");
		n += put(in + n, *role, 1, 0, WS_OP_PONG, "p2");
		n += put(in + n, *role, 1, 0, WS_OP_CLOSE, "");
		n += put(in + n, *role, 1, 0, WS_OP_CONT, "lo");
		n += put(in + n, *role, 1, 0, WS_OP_TEXT, "next");
		r = decode(*role, in, n);
		assert_int_equal(r->err, 0);
		assert_int_equal(r->nframes, 7);
		assert_int_equal(r->f[0].message_opcode, WS_OP_BINARY);
		assert_int_equal(r->f[0].message_done, 0);
		assert_int_equal(r->f[1].h.opcode, WS_OP_PING);
		assert_int_equal(r->f[1].message_done, 1);
		assert_int_equal(r->f[1].message_opcode, WS_OP_BINARY);
		assert_int_equal(r->f[2].h.opcode, WS_OP_CONT);
		assert_int_equal(r->f[2].message_opcode, WS_OP_BINARY);
		assert_int_equal(r->f[2].frame_done, 1);
		assert_int_equal(r->f[2].message_done, 0);
		assert_int_equal(r->f[3].message_done, 1);
		assert_int_equal(r->f[4].h.opcode, WS_OP_CLOSE);
		assert_int_equal(r->f[5].h.opcode, WS_OP_CONT);
		assert_int_equal(r->f[5].message_opcode, WS_OP_BINARY);
		assert_int_equal(r->f[5].message_done, 1);
		assert_int_equal(r->f[6].message_opcode, WS_OP_TEXT);
		assert_int_equal(r->plen, 3 + 2 + 2 + 2 + 4);
		assert_memory_equal(r->payload, "Help1p2lonext", 13);
		decoded_free(r);
	}
}

static void
errors_are_sticky(void **state)
{
	uint8_t in[64];
	struct ws_decoder d;
	struct ws_event ev;
	size_t n;

	ws_decoder_init(&d, WS_ROLE_CLIENT);
	n = put(in, WS_ROLE_CLIENT, 1, 4, WS_OP_TEXT, "x");
	assert_int_equal(ws_decode(&d, in, n, &ev), WS_ERR_RSV);
	n = put(in, WS_ROLE_CLIENT, 1, 0, WS_OP_TEXT, "fine");
	assert_int_equal(ws_decode(&d, in, n, &ev), WS_ERR_RSV);
	assert_int_equal(ws_decode(&d, in, 0, &ev), WS_ERR_RSV);
	assert_int_equal(d.error, WS_ERR_RSV);

	/* until re-initialised */
	ws_decoder_init(&d, WS_ROLE_CLIENT);
	assert_int_equal(ws_decode(&d, in, n, &ev), 2);
	assert_int_equal(ev.type, WS_EV_HEADER);
}

static void
payload_before_error_is_delivered(void **state)
{
	uint8_t in[64];
	size_t n;
	struct decoded *r;
	const enum ws_role *role;

	for (role = roles; role < roles + NELEM(roles); role++) {
		n = put(in, *role, 1, 0, WS_OP_TEXT, "Hello");
		n += put(in + n, *role, 1, 0, 0x3, "x");
		r = decode(*role, in, n);
		assert_int_equal(r->err, WS_ERR_OPCODE);
		assert_int_equal(r->nframes, 1);
		assert_int_equal(r->f[0].message_done, 1);
		assert_int_equal(r->plen, 5);
		assert_memory_equal(r->payload, "Hello", 5);
		decoded_free(r);
	}
}

static void
truncated_input_waits(void **state)
{
	struct ws_decoder d;
	struct ws_event ev;
	uint8_t in[sizeof(rfc_hello_masked)];
	size_t i;

	/* every prefix of a header is not an error, just not enough */
	for (i = 1; i < 6; i++) {
		memcpy(in, rfc_hello_masked, sizeof(in));
		ws_decoder_init(&d, WS_ROLE_SERVER);
		assert_int_equal(ws_decode(&d, in, i, &ev), i);
		assert_int_equal(ev.type, WS_EV_NONE);
		assert_int_equal(ws_decode(&d, in + i, 0, &ev), 0);
		assert_int_equal(ev.type, WS_EV_NONE);
		assert_int_equal(ws_decode(&d, in + i, sizeof(in) - i, &ev),
		    6 - i);
		assert_int_equal(ev.type, WS_EV_HEADER);
		assert_memory_equal(ev.header.mask, KEY, 4);
	}
}

/* Random bytes, half of them nudged towards plausible headers: whatever
 * happens, every chunking must agree. */
static void
random_input_any_chunking(void **state)
{
	uint8_t in[80];
	uint32_t seed = 12345;
	size_t i, len;
	int iter;
	struct decoded *r;

	for (iter = 0; iter < 3000; iter++) {
		seed = seed * 1103515245 + 12345;
		len = (seed >> 16) % sizeof(in);
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			in[i] = (uint8_t)(seed >> 16);
		}
		if ((iter & 1) && len >= 2) {
			in[0] &= 0x8f;
			in[1] &= 0xa7;
		}
		r = decode(roles[iter % 2 ? 1 : 0], in, len);
		decoded_free(r);
	}
}

/* Frames from the encoder, fragmented and interleaved at random, read
 * back in random-sized chunks. */
static void
encode_decode_roundtrip(void **state)
{
	uint8_t *wire, *want, *p, key[4], payload[300];
	size_t cap = 1 << 16, n = 0, wlen = 0, len, i, pos, chunk;
	uint32_t seed = 777;
	struct ws_decoder d;
	struct ws_event ev;
	size_t got = 0;
	int in_msg = 0, frames = 0, headers = 0;
	unsigned op, fin;
	long r;
	struct decoded *r2;

	wire = xmalloc(cap);
	want = xmalloc(cap);
	while (n + 600 < cap) {
		seed = seed * 1103515245 + 12345;
		len = (seed >> 8) % 300;
		fin = (seed >> 4) & 1;
		if ((seed & 7) == 0) {
			op = WS_OP_PING;
			fin = 1;
			if (len > 125)
				len = 125;
		} else {
			op = in_msg ? WS_OP_CONT :
			    (seed & 8 ? WS_OP_TEXT : WS_OP_BINARY);
			in_msg = !fin;
		}
		for (i = 0; i < len; i++)
			payload[i] = (uint8_t)(seed >> (i % 24));
		memcpy(want + wlen, payload, len);
		wlen += len;
		key[0] = (uint8_t)seed;
		key[1] = (uint8_t)(seed >> 8);
		key[2] = (uint8_t)(seed >> 16);
		key[3] = (uint8_t)(seed >> 24);
		n += ws_encode_frame(wire + n, cap - n, fin, op, payload, len,
		    fixed_key, key);
		frames++;
	}

	ws_decoder_init(&d, WS_ROLE_SERVER);
	for (pos = 0; pos < n; pos += chunk) {
		seed = seed * 1103515245 + 12345;
		chunk = 1 + (seed >> 8) % 700;
		if (chunk > n - pos)
			chunk = n - pos;
		p = xmalloc(chunk);
		memcpy(p, wire + pos, chunk);
		for (i = 0; (r = ws_decode(&d, p + i, chunk - i, &ev)) > 0;
		    i += (size_t)r) {
			if (ev.type == WS_EV_HEADER)
				headers++;
			if (ev.type == WS_EV_DATA) {
				assert_memory_equal(ev.data, want + got,
				    ev.len);
				got += ev.len;
			}
		}
		assert_int_equal(r, 0);
		free(p);
	}
	assert_int_equal(headers, frames);
	assert_int_equal(got, wlen);

	r2 = decode(WS_ROLE_SERVER, wire, n);
	assert_int_equal(r2->err, 0);
	assert_int_equal(r2->nframes, frames);
	assert_int_equal(r2->plen, wlen);
	assert_memory_equal(r2->payload, want, wlen);
	decoded_free(r2);
	free(wire);
	free(want);
}

/* ------------------------------------------------------------------ UTF-8 */

struct utf8_case {
	const char *s;  /* bytes */
	int result;     /* enum ws_utf8_result after all of them */
	size_t bad_at;  /* for WS_UTF8_INVALID */
};

static const struct utf8_case utf8_cases[] = {
	{ "", WS_UTF8_OK, 0 },
	{ "plain ASCII", WS_UTF8_OK, 0 },
	{ "\x7f", WS_UTF8_OK, 0 },
	{ "\xc2\x80", WS_UTF8_OK, 0 },           /* U+0080 */
	{ "\xdf\xbf", WS_UTF8_OK, 0 },           /* U+07FF */
	{ "\xe0\xa0\x80", WS_UTF8_OK, 0 },       /* U+0800 */
	{ "\xed\x9f\xbf", WS_UTF8_OK, 0 },       /* U+D7FF */
	{ "\xee\x80\x80", WS_UTF8_OK, 0 },       /* U+E000 */
	{ "\xef\xbf\xbf", WS_UTF8_OK, 0 },       /* U+FFFF */
	{ "\xf0\x90\x80\x80", WS_UTF8_OK, 0 },   /* U+10000 */
	{ "\xf4\x8f\xbf\xbf", WS_UTF8_OK, 0 },   /* U+10FFFF */
	{ "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", WS_UTF8_OK, 0 },
	{ "ab\xf0\x9f\x98\x80z", WS_UTF8_OK, 0 },
	/* overlongs */
	{ "\xc0\x80", WS_UTF8_INVALID, 0 },
	{ "\xc0\xaf", WS_UTF8_INVALID, 0 },
	{ "\xc1\xbf", WS_UTF8_INVALID, 0 },
	{ "\xe0\x80\x80", WS_UTF8_INVALID, 0 },
	{ "\xe0\x9f\xbf", WS_UTF8_INVALID, 0 },
	{ "\xf0\x80\x80\x80", WS_UTF8_INVALID, 0 },
	{ "\xf0\x8f\xbf\xbf", WS_UTF8_INVALID, 0 },
	{ "ab\xc0\x80", WS_UTF8_INVALID, 2 },
	{ "ab\xe0\x9f\xbf", WS_UTF8_INVALID, 2 },
	{ "ab\xf0\x8f\xbf\xbf", WS_UTF8_INVALID, 2 },
	/* surrogates */
	{ "\xed\xa0\x80", WS_UTF8_INVALID, 0 },  /* U+D800 */
	{ "\xed\xaf\xbf", WS_UTF8_INVALID, 0 },  /* U+DBFF */
	{ "\xed\xb0\x80", WS_UTF8_INVALID, 0 },  /* U+DC00 */
	{ "\xed\xbf\xbf", WS_UTF8_INVALID, 0 },  /* U+DFFF */
	{ "\xc3\xa9\xed\xa0\x80", WS_UTF8_INVALID, 2 },
	/* above U+10FFFF */
	{ "\xf4\x90\x80\x80", WS_UTF8_INVALID, 0 },  /* U+110000 */
	{ "\xf4\xbf\xbf\xbf", WS_UTF8_INVALID, 0 },
	{ "\xf5\x80\x80\x80", WS_UTF8_INVALID, 0 },
	{ "\xf7\xbf\xbf\xbf", WS_UTF8_INVALID, 0 },
	{ "\xf8\x88\x80\x80\x80", WS_UTF8_INVALID, 0 },
	{ "\xfc\x84\x80\x80\x80\x80", WS_UTF8_INVALID, 0 },
	{ "\xfe", WS_UTF8_INVALID, 0 },
	{ "\xff", WS_UTF8_INVALID, 0 },
	{ "xyz\xff", WS_UTF8_INVALID, 3 },
	/* stray continuation bytes */
	{ "\x80", WS_UTF8_INVALID, 0 },
	{ "\xbf", WS_UTF8_INVALID, 0 },
	{ "a\x80", WS_UTF8_INVALID, 1 },
	{ "\xc2\x80\x80", WS_UTF8_INVALID, 2 },
	/* sequence broken by a non-continuation byte */
	{ "\xc2\x41", WS_UTF8_INVALID, 0 },
	{ "\xe1\x80\x41", WS_UTF8_INVALID, 0 },
	{ "\xf1\x80\x80\x41", WS_UTF8_INVALID, 0 },
	{ "ok\xf1\x80\x80\xc2\x80", WS_UTF8_INVALID, 2 },
	{ "ok\xe1\x80\xe1\x80\x80", WS_UTF8_INVALID, 2 },
	/* truncated: valid so far */
	{ "\xc2", WS_UTF8_INCOMPLETE, 0 },
	{ "\xe0", WS_UTF8_INCOMPLETE, 0 },
	{ "\xe0\xa0", WS_UTF8_INCOMPLETE, 0 },
	{ "\xed\x9f", WS_UTF8_INCOMPLETE, 0 },
	{ "\xf0\x90\x80", WS_UTF8_INCOMPLETE, 0 },
	{ "\xf4\x8f\xbf", WS_UTF8_INCOMPLETE, 0 },
	{ "abc\xf1", WS_UTF8_INCOMPLETE, 0 },
	/* truncated but already impossible */
	{ "\xe0\x80", WS_UTF8_INVALID, 0 },
	{ "\xed\xa0", WS_UTF8_INVALID, 0 },
	{ "\xf0\x80", WS_UTF8_INVALID, 0 },
	{ "\xf4\x90", WS_UTF8_INVALID, 0 },
	{ "abc\xc0", WS_UTF8_INVALID, 3 },
};

static void
check_utf8_case(const struct utf8_case *c)
{
	const uint8_t *s = (const uint8_t *)c->s;
	size_t len = strlen(c->s), split, i, bad;
	struct ws_utf8 u;
	uint8_t *a, *b;
	int r;

	/* one shot */
	bad = 12345;
	r = ws_utf8_valid(s, len, &bad);
	assert_int_equal(r, c->result == WS_UTF8_OK);
	if (c->result == WS_UTF8_INVALID)
		assert_int_equal(bad, c->bad_at);
	else if (c->result == WS_UTF8_INCOMPLETE)
		assert_int_equal(bad, len);
	else
		assert_int_equal(bad, 12345);
	assert_int_equal(ws_utf8_valid(s, len, NULL), r);

	/* cut in two at every point, each half ending its own buffer */
	for (split = 0; split <= len; split++) {
		a = xmalloc(split);
		b = xmalloc(len - split);
		memcpy(a, s, split);
		memcpy(b, s + split, len - split);
		memset(&u, 0, sizeof(u));
		r = ws_utf8_feed(&u, a, split);
		if (r == WS_UTF8_INVALID) {
			bad = (size_t)u.bad_at;
			r = ws_utf8_feed(&u, b, len - split);
			assert_int_equal(r, WS_UTF8_INVALID);
			assert_int_equal(u.bad_at, bad);
		} else {
			assert_int_equal(u.offset, split);
			r = ws_utf8_feed(&u, b, len - split);
		}
		assert_int_equal(r, c->result);
		if (r == WS_UTF8_INVALID)
			assert_int_equal(u.bad_at, c->bad_at);
		else
			assert_int_equal(u.offset, len);
		free(a);
		free(b);
	}

	/* one byte at a time */
	memset(&u, 0, sizeof(u));
	r = WS_UTF8_OK;
	for (i = 0; i < len; i++)
		r = ws_utf8_feed(&u, s + i, 1);
	assert_int_equal(r, c->result);
	if (r == WS_UTF8_INVALID)
		assert_int_equal(u.bad_at, c->bad_at);
}

static void
utf8_boundary_cases_any_split(void **state)
{
	size_t i;

	for (i = 0; i < NELEM(utf8_cases); i++)
		check_utf8_case(&utf8_cases[i]);
}

static void
utf8_every_lead_byte(void **state)
{
	uint8_t b[1];
	size_t bad;
	struct ws_utf8 u;
	unsigned c;
	int r;

	for (c = 0; c < 256; c++) {
		b[0] = (uint8_t)c;
		memset(&u, 0, sizeof(u));
		r = ws_utf8_feed(&u, b, 1);
		if (c < 0x80)
			assert_int_equal(r, WS_UTF8_OK);
		else if (c < 0xc2 || c > 0xf4)
			assert_int_equal(r, WS_UTF8_INVALID);
		else
			assert_int_equal(r, WS_UTF8_INCOMPLETE);
		assert_int_equal(ws_utf8_valid(b, 1, &bad), c < 0x80);
	}
}

static void
utf8_sticky_and_offsets(void **state)
{
	struct ws_utf8 u;

	memset(&u, 0, sizeof(u));
	assert_int_equal(ws_utf8_feed(&u, (const uint8_t *)"abc", 3),
	    WS_UTF8_OK);
	assert_int_equal(ws_utf8_feed(&u, (const uint8_t *)"\xe2\x82", 2),
	    WS_UTF8_INCOMPLETE);
	assert_int_equal(u.offset, 5);
	assert_int_equal(ws_utf8_feed(&u, (const uint8_t *)"", 0),
	    WS_UTF8_INCOMPLETE);
	/* the euro sign cut short: the bad sequence starts at 3 */
	assert_int_equal(ws_utf8_feed(&u, (const uint8_t *)"x", 1),
	    WS_UTF8_INVALID);
	assert_int_equal(u.bad_at, 3);
	assert_int_equal(ws_utf8_feed(&u, (const uint8_t *)"fine", 4),
	    WS_UTF8_INVALID);
	assert_int_equal(u.bad_at, 3);
	assert_int_equal(ws_utf8_feed(&u, (const uint8_t *)"", 0),
	    WS_UTF8_INVALID);
}

/* The word-at-a-time ASCII skip: a bad byte at every position and every
 * alignment, and a multi-byte character across every word boundary. */
static void
utf8_ascii_fast_path(void **state)
{
	uint8_t *buf;
	size_t len = 70, align, pos, bad = 0;

	for (align = 0; align < 8; align++) {
		buf = xmalloc(align + len);
		for (pos = 0; pos < len; pos++) {
			memset(buf + align, 'a', len);
			buf[align + pos] = 0xff;
			assert_int_equal(ws_utf8_valid(buf + align, len, &bad),
			    0);
			assert_int_equal(bad, pos);
			if (pos + 2 <= len) {
				memset(buf + align, 'a', len);
				buf[align + pos] = 0xc3;
				buf[align + pos + 1] = 0xa9;
				assert_int_equal(ws_utf8_valid(buf + align, len,
				    NULL), 1);
			}
			memset(buf + align, 'a', len);
			buf[align + pos] = 0xc3;
			assert_int_equal(ws_utf8_valid(buf + align, len, &bad),
			    0);
			assert_int_equal(bad, pos + 1 == len ? len : pos);
		}
		free(buf);
	}
}

/* An independent check: decode the code point arithmetically. Returns 1
 * for a valid sequence of *n bytes, 0 for an invalid one, 2 if the input
 * ends inside a sequence that could still be completed validly. */
static int
ref_cp_ok(uint32_t cp, uint32_t min)
{
	return cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
}

static int
ref_seq(const uint8_t *p, size_t avail, size_t *n)
{
	uint32_t lo, hi, min;
	size_t need, have, i;
	uint8_t c = p[0];

	if (c < 0x80) {
		*n = 1;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		need = 2;
		lo = c & 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		need = 3;
		lo = c & 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		need = 4;
		lo = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	have = avail < need ? avail : need;
	for (i = 1; i < have; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* the smallest and largest code point the prefix can become */
	hi = lo;
	for (i = 1; i < need; i++) {
		lo = lo << 6 | (i < have ? p[i] & 0x3f : 0x00);
		hi = hi << 6 | (i < have ? p[i] & 0x3f : 0x3f);
	}
	*n = need;
	if (have == need)
		return ref_cp_ok(lo, min);
	return ref_cp_ok(lo, min) || ref_cp_ok(hi, min) ? 2 : 0;
}

static int
ref_valid(const uint8_t *p, size_t len, size_t *bad_at)
{
	size_t i = 0, n;
	int r;

	while (i < len) {
		r = ref_seq(p + i, len - i, &n);
		if (r != 1) {
			*bad_at = r == 0 ? i : len;
			return 0;
		}
		i += n;
	}
	return 1;
}

static void
utf8_check_against_ref(const uint8_t *p, size_t len, int bytewise)
{
	size_t want_bad = 0, bad = 0, i;
	int want = ref_valid(p, len, &want_bad);
	struct ws_utf8 u;
	int r = WS_UTF8_OK;

	if (ws_utf8_valid(p, len, &bad) != want || bad != want_bad) {
		fprintf(stderr, "# mismatch on");
		for (i = 0; i < len; i++)
			fprintf(stderr, " %02x", p[i]);
		fprintf(stderr, "\n");
		fail();
	}
	if (!bytewise)
		return;
	memset(&u, 0, sizeof(u));
	for (i = 0; i < len; i++)
		r = ws_utf8_feed(&u, p + i, 1);
	assert_int_equal(r == WS_UTF8_OK, want);
	if (r == WS_UTF8_INVALID)
		assert_int_equal(u.bad_at, want_bad);
}

static void
utf8_exhaustive_against_reference(void **state)
{
	static const uint8_t tails[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90,
		0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xf4, 0xff };
	uint8_t b[4];
	unsigned x, y, z, w;

	for (x = 0; x < 256; x++) {
		b[0] = (uint8_t)x;
		utf8_check_against_ref(b, 1, 1);
		for (y = 0; y < 256; y++) {
			b[1] = (uint8_t)y;
			utf8_check_against_ref(b, 2, 1);
			if (x < 0x80)
				continue;
			for (z = 0; z < 256; z++) {
				b[2] = (uint8_t)z;
				utf8_check_against_ref(b, 3, x >= 0xe0);
			}
		}
	}
	for (x = 0xe0; x < 0x100; x++)
		for (y = 0; y < 256; y++)
			for (z = 0; z < NELEM(tails); z++)
				for (w = 0; w < NELEM(tails); w++) {
					b[0] = (uint8_t)x;
					b[1] = (uint8_t)y;
					b[2] = tails[z];
					b[3] = tails[w];
					utf8_check_against_ref(b, 4, 1);
				}
}

/* ------------------------------------------------------------------ close */

static void
close_parse_empty(void **state)
{
	struct ws_close c;

	assert_int_equal(ws_close_parse((const uint8_t *)"", 0, &c),
	    WS_CLOSE_OK);
	assert_int_equal(c.has_code, 0);
	assert_int_equal(c.code, WS_CLOSE_NO_STATUS);
	assert_int_equal(c.reason_len, 0);
}

static void
close_parse_one_byte(void **state)
{
	uint8_t *p = xmalloc(1);
	struct ws_close c;

	p[0] = 0x03;
	assert_int_equal(ws_close_parse(p, 1, &c), WS_CLOSE_ERR_ONE_BYTE);
	assert_int_equal(c.has_code, 0);
	free(p);
}

static void
close_parse_code_only(void **state)
{
	uint8_t *p = xmalloc(2);
	struct ws_close c;

	p[0] = 0x03;
	p[1] = 0xe8;
	assert_int_equal(ws_close_parse(p, 2, &c), WS_CLOSE_OK);
	assert_int_equal(c.has_code, 1);
	assert_int_equal(c.code, 1000);
	assert_int_equal(c.reason_len, 0);
	free(p);
}

static void
close_parse_code_and_reason(void **state)
{
	uint8_t *p = xmalloc(2 + 11);
	struct ws_close c;

	p[0] = 0x0f; /* 4001 */
	p[1] = 0xa1;
	memcpy(p + 2, "gone \xe2\x82\xac bye", 11);
	assert_int_equal(ws_close_parse(p, 13, &c), WS_CLOSE_OK);
	assert_int_equal(c.has_code, 1);
	assert_int_equal(c.code, 4001);
	assert_ptr_equal(c.reason, p + 2);
	assert_int_equal(c.reason_len, 11);
	free(p);
}

static void
close_parse_bad_code(void **state)
{
	static const unsigned codes[] = { 0, 1, 999, 1004, 1005, 1006, 1015,
		1016, 2000, 2999, 5000, 65535 };
	uint8_t p[5];
	struct ws_close c;
	size_t i;

	for (i = 0; i < NELEM(codes); i++) {
		p[0] = (uint8_t)(codes[i] >> 8);
		p[1] = (uint8_t)codes[i];
		memcpy(p + 2, "why", 3);
		assert_int_equal(ws_close_parse(p, 5, &c),
		    WS_CLOSE_ERR_BAD_CODE);
		/* still parsed, for the error message */
		assert_int_equal(c.has_code, 1);
		assert_int_equal(c.code, codes[i]);
		assert_int_equal(c.reason_len, 3);
	}
}

static void
close_parse_bad_utf8_reason(void **state)
{
	static const char *bad[] = { "\xc0\x80", "\xed\xa0\x80", "abc\xe2\x82",
		"\xff" };
	uint8_t p[16];
	struct ws_close c;
	size_t i, n;

	for (i = 0; i < NELEM(bad); i++) {
		n = strlen(bad[i]);
		p[0] = 0x03;
		p[1] = 0xe8;
		memcpy(p + 2, bad[i], n);
		assert_int_equal(ws_close_parse(p, 2 + n, &c),
		    WS_CLOSE_ERR_BAD_UTF8);
		assert_int_equal(c.code, 1000);
		assert_int_equal(c.reason_len, n);
	}
}

static void
close_parse_too_long(void **state)
{
	uint8_t *p = xmalloc(126);
	struct ws_close c;

	memset(p, 'r', 126);
	p[0] = 0x03;
	p[1] = 0xe8;
	assert_int_equal(ws_close_parse(p, 126, &c), WS_CLOSE_ERR_TOO_LONG);
	assert_int_equal(c.code, 1000);
	assert_int_equal(c.reason_len, 124);
	/* 125 is the most a control frame holds */
	assert_int_equal(ws_close_parse(p, 125, &c), WS_CLOSE_OK);
	assert_int_equal(c.reason_len, WS_MAX_CLOSE_REASON);
	free(p);
}

static void
close_build_ok(void **state)
{
	uint8_t out[2 + WS_MAX_CLOSE_REASON];
	char reason[WS_MAX_CLOSE_REASON + 1];
	struct ws_close c;

	assert_int_equal(ws_close_build(out, 1000, NULL, 0), 2);
	assert_int_equal(out[0], 0x03);
	assert_int_equal(out[1], 0xe8);
	assert_int_equal(ws_close_build(out, 4999, (const uint8_t *)"bye", 3),
	    5);
	assert_memory_equal(out, "\x13\x87" "bye", 5);
	assert_int_equal(ws_close_parse(out, 5, &c), WS_CLOSE_OK);
	assert_int_equal(c.code, 4999);
	/* no code: empty payload */
	assert_int_equal(ws_close_build(out, 0, NULL, 0), 0);
	memset(reason, 'x', WS_MAX_CLOSE_REASON);
	assert_int_equal(ws_close_build(out, 3000, (const uint8_t *)reason,
	    WS_MAX_CLOSE_REASON), 125);
	assert_memory_equal(out + 2, reason, WS_MAX_CLOSE_REASON);
}

static void
close_build_errors(void **state)
{
	uint8_t out[2 + WS_MAX_CLOSE_REASON];
	char reason[WS_MAX_CLOSE_REASON + 2];

	assert_int_equal(ws_close_build(out, 1005, NULL, 0),
	    WS_CLOSE_ERR_BAD_CODE);
	assert_int_equal(ws_close_build(out, 1006, NULL, 0),
	    WS_CLOSE_ERR_BAD_CODE);
	assert_int_equal(ws_close_build(out, 999, NULL, 0),
	    WS_CLOSE_ERR_BAD_CODE);
	assert_int_equal(ws_close_build(out, 5000, NULL, 0),
	    WS_CLOSE_ERR_BAD_CODE);
	/* a reason needs a code */
	assert_int_equal(ws_close_build(out, 0, (const uint8_t *)"x", 1),
	    WS_CLOSE_ERR_BAD_CODE);
	memset(reason, 'x', sizeof(reason));
	assert_int_equal(ws_close_build(out, 1000, (const uint8_t *)reason,
	    WS_MAX_CLOSE_REASON + 1), WS_CLOSE_ERR_TOO_LONG);
	assert_int_equal(ws_close_build(out, 1000,
	    (const uint8_t *)"\xc3", 1), WS_CLOSE_ERR_BAD_UTF8);
	assert_int_equal(ws_close_build(out, 1000,
	    (const uint8_t *)"\xed\xbf\xbf", 3), WS_CLOSE_ERR_BAD_UTF8);
}

static void
close_code_names(void **state)
{
	static const struct {
		unsigned code;
		const char *name;
	} t[] = {
		{ 1000, "Normal Closure" },
		{ 1001, "Going Away" },
		{ 1002, "Protocol Error" },
		{ 1003, "Unsupported Data" },
		{ 1004, "Reserved" },
		{ 1005, "No Status Received" },
		{ 1006, "Abnormal Closure" },
		{ 1007, "Invalid Frame Payload Data" },
		{ 1008, "Policy Violation" },
		{ 1009, "Message Too Big" },
		{ 1010, "Mandatory Extension" },
		{ 1011, "Internal Error" },
		{ 1012, "Service Restart" },
		{ 1013, "Try Again Later" },
		{ 1014, "Bad Gateway" },
		{ 1015, "TLS Handshake" },
		{ 0, "Reserved" },
		{ 999, "Reserved" },
		{ 1016, "Reserved" },
		{ 2999, "Reserved" },
		{ 3000, "Registered" },
		{ 3999, "Registered" },
		{ 4000, "Private Use" },
		{ 4999, "Private Use" },
		{ 5000, "Reserved" },
		{ 65535, "Reserved" },
		{ 100000, "Reserved" },
	};
	size_t i;

	for (i = 0; i < NELEM(t); i++)
		assert_string_equal(ws_close_code_name(t[i].code), t[i].name);
}

static void
close_code_sendable_ranges(void **state)
{
	unsigned code;
	int want;
	char buf[256];
	const char *why;

	for (code = 0; code < 70000; code++) {
		want = (code >= 1000 && code <= 1003) ||
		    (code >= 1007 && code <= 1014) ||
		    (code >= 3000 && code <= 4999);
		assert_int_equal(ws_close_code_sendable(code) != 0, want);
		why = ws_close_code_why_not(code, buf, sizeof(buf));
		if (want) {
			assert_null(why);
		} else {
			assert_ptr_equal(why, buf);
			assert_true(strlen(why) > 10);
		}
	}
}

static void
close_code_why_not_messages(void **state)
{
	static const struct {
		unsigned code;
		const char *why;
	} t[] = {
		{ 0, "codes below 1000 are not used" },
		{ 999, "codes below 1000 are not used" },
		{ 1005, "1005 (No Status Received) is reserved to mean no code "
		    "was received and must never be sent" },
		{ 1016, "1016-2999 are reserved for future versions of the "
		    "protocol" },
		{ 2999, "1016-2999 are reserved for future versions of the "
		    "protocol" },
		{ 5000, "codes above 4999 are not valid" },
	};
	char buf[256], small[8];
	size_t i;

	for (i = 0; i < NELEM(t); i++)
		assert_string_equal(ws_close_code_why_not(t[i].code, buf,
		    sizeof(buf)), t[i].why);
	/* each reserved code says what it is reserved for */
	assert_non_null(strstr(ws_close_code_why_not(1004, buf, sizeof(buf)),
	    "1004"));
	assert_non_null(strstr(ws_close_code_why_not(1006, buf, sizeof(buf)),
	    "Abnormal Closure"));
	assert_non_null(strstr(ws_close_code_why_not(1015, buf, sizeof(buf)),
	    "TLS"));
	/* truncated, still terminated */
	assert_ptr_equal(ws_close_code_why_not(1005, small, sizeof(small)),
	    small);
	assert_string_equal(small, "1005 (N");
}


/* ------------------------------------------------- extensions, tolerance */

/* Decode in[0..len) whole with d; return the first error or 0, the
 * headers seen in *nh (at most 8 kept in h), payload bytes in *np. */
static int
decode_with(struct ws_decoder *d, const uint8_t *in, size_t len,
    struct ws_event *h, size_t *nh, size_t *np)
{
	uint8_t *buf = xmalloc(len);
	size_t off = 0;

	memcpy(buf, in, len);
	*nh = *np = 0;
	for (;;) {
		struct ws_event ev;
		long r = ws_decode(d, buf + off, len - off, &ev);

		if (r < 0) {
			free(buf);
			return (int)r;
		}
		if (ev.type == WS_EV_NONE)
			break;
		if (ev.type == WS_EV_HEADER && *nh < 8)
			h[(*nh)++] = ev;
		if (ev.type == WS_EV_DATA)
			*np += ev.len;
		off += (size_t)r;
	}
	free(buf);
	return 0;
}

static void
rsv1_allowed_by_permessage_deflate(void **state)
{
	/* compressed text "Hello" of RFC 7692 7.2.3.1 */
	static const uint8_t text[] = { 0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9,
		0xc9, 0x07, 0x00 };
	static const uint8_t rsv2[] = { 0xa1, 0x00 };
	static const uint8_t ping[] = { 0xc9, 0x00 };
	static const uint8_t cont[] = { 0x41, 0x01, 0x61, 0xc0, 0x01, 0x62 };
	struct ws_decoder d;
	struct ws_event h[8];
	size_t nh, np;

	ws_decoder_init(&d, WS_ROLE_CLIENT);
	d.rsv_allowed = 4;
	d.rsv1_per_message = 1;
	assert_int_equal(decode_with(&d, text, sizeof(text), h, &nh, &np), 0);
	assert_int_equal(nh, 1);
	assert_int_equal(h[0].header.rsv, 4);
	assert_int_equal(np, 7);

	ws_decoder_init(&d, WS_ROLE_CLIENT);
	d.rsv_allowed = 4;
	d.rsv1_per_message = 1;
	assert_int_equal(decode_with(&d, rsv2, sizeof(rsv2), h, &nh, &np),
	    WS_ERR_RSV);

	ws_decoder_init(&d, WS_ROLE_CLIENT);
	d.rsv_allowed = 4;
	d.rsv1_per_message = 1;
	assert_int_equal(decode_with(&d, ping, sizeof(ping), h, &nh, &np),
	    WS_ERR_RSV1_CONTROL);

	ws_decoder_init(&d, WS_ROLE_CLIENT);
	d.rsv_allowed = 4;
	d.rsv1_per_message = 1;
	assert_int_equal(decode_with(&d, cont, sizeof(cont), h, &nh, &np),
	    WS_ERR_RSV1_CONTINUATION);

	/* without the extension, RSV1 is the plain RSV error */
	ws_decoder_init(&d, WS_ROLE_CLIENT);
	assert_int_equal(decode_with(&d, text, sizeof(text), h, &nh, &np),
	    WS_ERR_RSV);
}

static void
tolerant_decoder_reports_and_goes_on(void **state)
{
	/* "hi" with a 16-bit length, an unmasked... (client role: a masked
	 * frame), a reserved opcode, then a valid "ok" */
	static const uint8_t in[] = { 0x81, 0x7e, 0x00, 0x02, 'h', 'i',
		0x81, 0x82, 1, 2, 3, 4, 'a' ^ 1, 'b' ^ 2,
		0x83, 0x00,
		0x81, 0x02, 'o', 'k' };
	struct ws_decoder d;
	struct ws_event h[8];
	size_t nh, np;

	ws_decoder_init(&d, WS_ROLE_CLIENT);
	d.tolerant = 1;
	assert_int_equal(decode_with(&d, in, sizeof(in), h, &nh, &np), 0);
	assert_int_equal(nh, 4);
	assert_int_equal(h[0].violation, WS_ERR_NON_MINIMAL_LENGTH);
	assert_true(h[0].header.length == 2);
	assert_int_equal(h[0].header.header_size, 4);
	assert_int_equal(h[1].violation, WS_ERR_MASKED);
	assert_int_equal(h[1].header.masked, 1);
	assert_int_equal(h[2].violation, WS_ERR_OPCODE);
	assert_int_equal(h[3].violation, 0);
	assert_int_equal(np, 6);
	assert_int_equal(d.error, 0);
}

/* ---------------------------------------------------------------- strings */

static void
decode_strerror_distinct(void **state)
{
	const char *s[13];
	int e, f;

	for (e = -1; e >= -12; e--) {
		s[-e] = ws_decode_strerror(e);
		assert_non_null(s[-e]);
		assert_string_not_equal(s[-e], "unknown error");
		for (f = -1; f > e; f--)
			assert_string_not_equal(s[-e], s[-f]);
	}
	assert_string_equal(ws_decode_strerror(WS_ERR_CONTROL_TOO_LONG),
	    "control frame longer than 125 bytes");
	assert_string_equal(ws_decode_strerror(0), "unknown error");
	assert_string_equal(ws_decode_strerror(-13), "unknown error");
	assert_string_equal(ws_decode_strerror(1), "unknown error");
}

static void
close_strerror_distinct(void **state)
{
	assert_string_equal(ws_close_strerror(WS_CLOSE_ERR_ONE_BYTE),
	    "1-byte close payload");
	assert_string_equal(ws_close_strerror(WS_CLOSE_ERR_TOO_LONG),
	    "close payload longer than 125 bytes");
	assert_string_not_equal(ws_close_strerror(WS_CLOSE_ERR_BAD_CODE),
	    ws_close_strerror(WS_CLOSE_ERR_BAD_UTF8));
	assert_string_not_equal(ws_close_strerror(WS_CLOSE_ERR_BAD_CODE),
	    "unknown error");
	assert_string_not_equal(ws_close_strerror(WS_CLOSE_ERR_BAD_UTF8),
	    "unknown error");
	assert_string_equal(ws_close_strerror(-5), "unknown error");
}

static void
opcode_names_and_classes(void **state)
{
	unsigned op;

	assert_string_equal(ws_opcode_name(WS_OP_CONT), "continuation");
	assert_string_equal(ws_opcode_name(WS_OP_TEXT), "text");
	assert_string_equal(ws_opcode_name(WS_OP_BINARY), "binary");
	assert_string_equal(ws_opcode_name(WS_OP_CLOSE), "close");
	assert_string_equal(ws_opcode_name(WS_OP_PING), "ping");
	assert_string_equal(ws_opcode_name(WS_OP_PONG), "pong");
	for (op = 3; op <= 7; op++)
		assert_string_equal(ws_opcode_name(op), "reserved");
	for (op = 0xb; op <= 0x20; op++)
		assert_string_equal(ws_opcode_name(op), "reserved");
	for (op = 0; op < 0x20; op++)
		assert_int_equal(ws_opcode_is_control(op) != 0,
		    op >= 8 && op <= 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc_unmasked_text_hello),
		cmocka_unit_test(rsv1_allowed_by_permessage_deflate),
		cmocka_unit_test(tolerant_decoder_reports_and_goes_on),
		cmocka_unit_test(rfc_masked_text_hello),
		cmocka_unit_test(rfc_fragmented_text_hello),
		cmocka_unit_test(rfc_unmasked_ping),
		cmocka_unit_test(rfc_masked_pong),
		cmocka_unit_test(rfc_binary_256),
		cmocka_unit_test(rfc_binary_64k),
		cmocka_unit_test(payload_len_0),
		cmocka_unit_test(payload_len_125),
		cmocka_unit_test(minimum_ext_payload16),
		cmocka_unit_test(maximum_ext_payload16),
		cmocka_unit_test(minimum_ext_payload64),
		cmocka_unit_test(ext_payload64_above_4gib),
		cmocka_unit_test(ext_payload64_largest),
		cmocka_unit_test(encode_header_lengths),
		cmocka_unit_test(encode_header_flags),
		cmocka_unit_test(encode_frame_cap_too_small),
		cmocka_unit_test(encode_frame_mask_source_fails),
		cmocka_unit_test(encode_frame_uses_key_from_source),
		cmocka_unit_test(mask_matches_bytewise_reference),
		cmocka_unit_test(rsv_bits_set),
		cmocka_unit_test(reserved_opcodes),
		cmocka_unit_test(ctrl_frame_too_large_payload),
		cmocka_unit_test(ctrl_frame_max_payload),
		cmocka_unit_test(ctrl_frame_fragmented),
		cmocka_unit_test(non_minimal_ext_payload16),
		cmocka_unit_test(non_minimal_ext_payload64),
		cmocka_unit_test(ext_payload64_top_bit),
		cmocka_unit_test(masked_frame_in_client_role),
		cmocka_unit_test(unmasked_frame_in_server_role),
		cmocka_unit_test(cont_without_start),
		cmocka_unit_test(new_message_in_fragmented),
		cmocka_unit_test(control_interleaved_in_fragmented),
		cmocka_unit_test(errors_are_sticky),
		cmocka_unit_test(payload_before_error_is_delivered),
		cmocka_unit_test(truncated_input_waits),
		cmocka_unit_test(random_input_any_chunking),
		cmocka_unit_test(encode_decode_roundtrip),
		cmocka_unit_test(utf8_boundary_cases_any_split),
		cmocka_unit_test(utf8_every_lead_byte),
		cmocka_unit_test(utf8_sticky_and_offsets),
		cmocka_unit_test(utf8_ascii_fast_path),
		cmocka_unit_test(utf8_exhaustive_against_reference),
		cmocka_unit_test(close_parse_empty),
		cmocka_unit_test(close_parse_one_byte),
		cmocka_unit_test(close_parse_code_only),
		cmocka_unit_test(close_parse_code_and_reason),
		cmocka_unit_test(close_parse_bad_code),
		cmocka_unit_test(close_parse_bad_utf8_reason),
		cmocka_unit_test(close_parse_too_long),
		cmocka_unit_test(close_build_ok),
		cmocka_unit_test(close_build_errors),
		cmocka_unit_test(close_code_names),
		cmocka_unit_test(close_code_sendable_ranges),
		cmocka_unit_test(close_code_why_not_messages),
		cmocka_unit_test(decode_strerror_distinct),
		cmocka_unit_test(close_strerror_distinct),
		cmocka_unit_test(opcode_names_and_classes),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
