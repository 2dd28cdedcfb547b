/*
 * fuzz_decode.c - libFuzzer target for the frame decoder (ws_decode).
 *
 * The first input byte picks the role (bit 0) and a chunking pattern (the
 * rest); the remaining bytes are the wire stream. The stream is decoded all
 * at once, one byte at a time and in the chosen pattern of chunks, each
 * chunk in its own exactly sized heap buffer so that a read past a chunk is
 * caught. Checked:
 *  - every chunking gives the same events: the same headers, the same frame
 *    and message ends, the same concatenated payload and the same final
 *    error (RFC 6455 does not let framing depend on TCP segmentation);
 *  - payload slices lie inside the current buffer, are never empty, have
 *    contiguous offsets, and equal the wire bytes XOR the masking key;
 *    frame_done and message_done are set exactly at the end of a frame,
 *    and of a FIN or control frame;
 *  - headers are consistent with the rules the decoder enforces (RSV zero,
 *    known opcode, short FIN control frames, mask bit matching the role,
 *    header_size matching the length encoding);
 *  - an error is sticky and every call makes progress;
 *  - the encoder agrees: a header received in one piece is what
 *    ws_encode_header() writes for it, a frame received in one piece is
 *    what ws_encode_frame() writes with the same key (the decoder accepts
 *    only minimal length encodings, which is all the encoder writes), and
 *    ws_frame_size() gives its size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

struct trace {
	uint8_t *ev;		/* serialised headers and frame/message ends */
	size_t nev, capev;
	uint8_t *data;		/* concatenated payload bytes */
	size_t ndata;
	int error;		/* final decoder error, 0 if none */
	uint64_t want;		/* payload bytes still expected for the frame */
	uint64_t off;		/* payload bytes seen of the frame */
	struct ws_frame_header h;
	int have_header;
};

static void
put(struct trace *t, const void *p, size_t n)
{
	CHECK(t->nev + n <= t->capev);
	memcpy(t->ev + t->nev, p, n);
	t->nev += n;
}

static void
put_u64(struct trace *t, uint64_t v)
{
	put(t, &v, sizeof(v));
}

static void
check_header(const struct ws_frame_header *h, enum ws_role role)
{
	size_t size = 2;

	CHECK(h->rsv == 0);
	CHECK(h->fin <= 1 && h->masked <= 1);
	CHECK(h->opcode <= 2 || (h->opcode >= 8 && h->opcode <= 0xa));
	if (h->opcode >= 8)
		CHECK(h->fin && h->length <= WS_MAX_CONTROL_PAYLOAD);
	CHECK(h->masked == (role == WS_ROLE_SERVER));
	CHECK((h->length >> 63) == 0);
	if (h->length > 0xffff)
		size += 8;
	else if (h->length >= 126)
		size += 2;
	if (h->masked)
		size += 4;
	CHECK(h->header_size == size);
}

static int
same_header(const struct ws_frame_header *a, const struct ws_frame_header *b)
{
	return a->fin == b->fin && a->rsv == b->rsv &&
	    a->opcode == b->opcode && a->masked == b->masked &&
	    memcmp(a->mask, b->mask, 4) == 0 && a->length == b->length &&
	    a->header_size == b->header_size;
}

static int
fixed_key(void *ctx, uint8_t key[4])
{
	memcpy(key, ctx, 4);
	return 0;
}

/* The wire bytes of a whole frame, with payload the unmasked payload. */
static void
check_encode(const struct ws_frame_header *h, const uint8_t *wire,
    const uint8_t *payload)
{
	uint8_t hdr[WS_MAX_HEADER], key[4], *out;
	size_t n, size = ws_frame_size(h->length, (int)h->masked);

	CHECK(size == h->header_size + h->length);
	n = ws_encode_header(hdr, h->fin, 0, h->opcode, h->length,
	    h->masked ? h->mask : NULL);
	CHECK(n == h->header_size && memcmp(hdr, wire, n) == 0);
	if (payload == NULL && h->length > 0)
		return;
	memcpy(key, h->mask, 4);
	out = malloc(size);
	CHECK(out != NULL);
	CHECK(ws_encode_frame(out, size - 1, h->fin, h->opcode, payload,
	    (size_t)h->length, h->masked ? fixed_key : NULL, key) == 0);
	CHECK(ws_encode_frame(out, size, h->fin, h->opcode, payload,
	    (size_t)h->length, h->masked ? fixed_key : NULL, key) == size);
	CHECK(memcmp(out, wire, size) == 0);
	free(out);
}

/*
 * Decode one chunk (already copied to its own buffer, with orig the same
 * bytes before unmasking) into the trace. Returns nonzero once the decoder
 * is in error.
 */
static int
feed(struct ws_decoder *d, struct trace *t, uint8_t *buf, const uint8_t *orig,
    size_t len)
{
	struct ws_event ev;
	size_t used = 0, i, calls = 0, hdr_at = (size_t)-1;
	uint8_t b;
	long r;

	for (;;) {
		CHECK(++calls <= 2 * len + 4);
		r = ws_decode(d, buf + used, len - used, &ev);
		if (r < 0) {
			CHECK(r >= WS_ERR_NEW_IN_FRAGMENTED);
			CHECK(d->error == (int)r);
			/* sticky */
			CHECK(ws_decode(d, buf, len, &ev) == r);
			CHECK(ev.type == WS_EV_NONE);
			CHECK(ws_decode_strerror((int)r) != NULL);
			t->error = (int)r;
			return 1;
		}
		CHECK((size_t)r <= len - used);
		switch (ev.type) {
		case WS_EV_NONE:
			CHECK(r > 0 || used == len);
			break;
		case WS_EV_HEADER:
			CHECK(r > 0);
			CHECK(t->want == 0);
			check_header(&ev.header, d->role);
			t->h = ev.header;
			t->have_header = 1;
			t->want = ev.header.length;
			t->off = 0;
			b = 'H';
			put(t, &b, 1);
			b = (uint8_t)(ev.header.fin << 7 | ev.header.opcode);
			put(t, &b, 1);
			put_u64(t, ev.header.length);
			put(t, ev.header.mask, ev.header.masked ? 4 : 0);
			CHECK(ev.frame_done == (ev.header.length == 0));
			CHECK(ev.message_done == (ev.frame_done &&
			    (ev.header.fin || ev.header.opcode >= 8)));
			CHECK(ws_opcode_name(ev.header.opcode) != NULL);
			/* the whole header was in this chunk */
			hdr_at = (size_t)-1;
			if ((size_t)r == ev.header.header_size) {
				hdr_at = used;
				check_encode(&ev.header, orig + used,
				    ev.frame_done ? buf : NULL);
			}
			if (ev.frame_done) {
				b = ev.message_done ? 'M' : 'F';
				put(t, &b, 1);
			}
			break;
		case WS_EV_DATA:
			CHECK(t->have_header);
			CHECK(ev.len > 0 && ev.len == (size_t)r);
			CHECK(ev.data == buf + used);
			CHECK(ev.offset == t->off);
			CHECK(ev.len <= t->want);
			CHECK(same_header(&ev.header, &t->h));
			for (i = 0; i < ev.len; i++) {
				b = orig[used + i];
				if (t->h.masked)
					b ^= t->h.mask[(t->off + i) & 3];
				CHECK(ev.data[i] == b);
			}
			memcpy(t->data + t->ndata, ev.data, ev.len);
			t->ndata += ev.len;
			t->off += ev.len;
			t->want -= ev.len;
			CHECK(ev.frame_done == (t->want == 0));
			CHECK(ev.message_done == (ev.frame_done &&
			    (t->h.fin || t->h.opcode >= 8)));
			/* the whole frame was in this chunk */
			if (ev.frame_done && ev.offset == 0 &&
			    hdr_at != (size_t)-1 &&
			    hdr_at + t->h.header_size == used)
				check_encode(&t->h, orig + hdr_at, ev.data);
			if (ev.frame_done) {
				b = ev.message_done ? 'M' : 'F';
				put(t, &b, 1);
				put_u64(t, t->ndata);
			}
			break;
		default:
			abort();
		}
		used += (size_t)r;
		if (r == 0 && ev.type == WS_EV_NONE)
			return 0;
	}
}

/* Next chunk length for pattern sel at step k, given n bytes left. */
static size_t
chunk_len(unsigned sel, size_t k, size_t n, uint32_t *rng)
{
	size_t c;

	switch (sel % 4) {
	case 0:		/* one byte at a time */
		c = 1;
		break;
	case 1:		/* fixed size 2..33 */
		c = 2 + (sel >> 2) % 32;
		break;
	case 2:		/* pseudo-random sizes 1..16 */
		*rng = *rng * 1103515245u + 12345u;
		c = 1 + (*rng >> 16) % 16;
		break;
	default:	/* alternating empty and short chunks */
		c = k % 2 ? 0 : 1 + (sel >> 2) % 7;
		break;
	}
	return c < n ? c : n;
}

static void
run(struct trace *t, enum ws_role role, unsigned sel, int whole,
    const uint8_t *p, size_t len)
{
	struct ws_decoder d;
	uint32_t rng = sel;
	size_t pos = 0, k = 0, c;
	uint8_t *buf;

	ws_decoder_init(&d, role);
	CHECK(d.role == role && d.error == 0);
	if (whole) {
		buf = malloc(len ? len : 1);
		CHECK(buf != NULL);
		memcpy(buf, p, len);
		feed(&d, t, buf, p, len);
		free(buf);
		return;
	}
	while (pos < len) {
		c = chunk_len(sel, k++, len - pos, &rng);
		buf = malloc(c ? c : 1);
		CHECK(buf != NULL);
		memcpy(buf, p + pos, c);
		if (feed(&d, t, buf, p + pos, c)) {
			free(buf);
			return;
		}
		free(buf);
		pos += c;
	}
}

static void
trace_init(struct trace *t, size_t len)
{
	memset(t, 0, sizeof(*t));
	/* each header is at least 2 wire bytes and at most 20 trace bytes */
	t->capev = 16 * len + 64;
	t->ev = malloc(t->capev);
	t->data = malloc(len + 1);
	CHECK(t->ev != NULL && t->data != NULL);
}

static void
trace_free(struct trace *t)
{
	free(t->ev);
	free(t->data);
}

static void
same(const struct trace *a, const struct trace *b)
{
	CHECK(a->error == b->error);
	CHECK(a->nev == b->nev && memcmp(a->ev, b->ev, a->nev) == 0);
	CHECK(a->ndata == b->ndata && memcmp(a->data, b->data, a->ndata) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace whole, bytes, chunks;
	enum ws_role role;
	unsigned sel;

	if (size < 1)
		return 0;
	role = data[0] & 1 ? WS_ROLE_SERVER : WS_ROLE_CLIENT;
	sel = data[0] >> 1;
	data++;
	size--;

	trace_init(&whole, size);
	trace_init(&bytes, size);
	trace_init(&chunks, size);
	run(&whole, role, 0, 1, data, size);
	run(&bytes, role, 0, 0, data, size);
	run(&chunks, role, sel, 0, data, size);
	same(&whole, &bytes);
	same(&whole, &chunks);
	trace_free(&whole);
	trace_free(&bytes);
	trace_free(&chunks);
	return 0;
}
