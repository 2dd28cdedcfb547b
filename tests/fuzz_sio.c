/*
 * fuzz_sio.c - libFuzzer target for the Socket.IO packet decoder
 * (siopkt.c) and the JSON scanner under it (json.c).
 *
 * The input is one WebSocket text message. Checked:
 *  - sio_parse() never reads past the message (ASan: it is copied into a
 *    heap block of exactly its size) and a packet it accepts points into
 *    it: namespace and data are slices of the message (the namespace may
 *    be the constant "/"), types are in range, the attachments within
 *    the limit, and the data has the shape sio_check_data() accepts;
 *  - json_valid() holds exactly when json_value() spans the whole input
 *    but blanks, and json_value() never claims more than it was given;
 *  - json_string() into a small buffer ends in a NUL within it, and
 *    writes no more than the string's bytes;
 *  - json_member() gives a value inside the input, itself a JSON value;
 *  - sio_url() with the input as a URL, its path read either way, writes
 *    a terminated URL and namespace within
 *    their buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "siopkt.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static int
blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	struct sio_packet pk;
	char why[256], out[8], url[64];
	const uint8_t *v;
	size_t vn, e;
	long k;

	memcpy(p, data, size);

	if (sio_parse(p, size, &pk, why, sizeof why) == 0) {
		CHECK(pk.eio >= 0 && pk.eio <= 6);
		CHECK((pk.type >= 0) == (pk.eio == 4));
		CHECK(pk.type <= 6);
		CHECK(pk.attachments <= SIO_MAX_ATTACHMENTS);
		CHECK(pk.data >= p && pk.data + pk.ndata <= p + size);
		CHECK((pk.nnsp == 1 && pk.nsp[0] == '/') ||
		    (pk.nsp >= p && pk.nsp + pk.nnsp <= p + size));
		if (pk.type >= 0)
			CHECK(sio_check_data(pk.type, pk.data, pk.ndata, why,
			    sizeof why) == 0);
	} else {
		CHECK(memchr(why, '\0', sizeof why) != NULL && why[0]);
	}

	e = json_value(p, size);
	CHECK(e <= size);
	{
		size_t t = e;

		while (t < size && blank(p[t]))
			t++;
		CHECK(json_valid(p, size) == (e > 0 && t == size));
	}

	memset(out, 'x', sizeof out);
	k = json_string(p, size, out, sizeof out);
	if (k >= 0) {
		CHECK((size_t)k < sizeof out);
		CHECK(out[k] == '\0');
	}

	if (json_member(p, size, "a", &v, &vn) == 0) {
		CHECK(v >= p && v + vn <= p + size);
		CHECK(json_value(v, vn) == vn);
	}

	if (size < 200) {
		char u[201];

		memcpy(u, data, size);
		u[size] = '\0';
		for (int as_nsp = 0; as_nsp <= 1; as_nsp++) {
			char nsp[64];

			memset(nsp, 'x', sizeof nsp);
			if (sio_url(u, as_nsp, url, sizeof url, nsp,
			    sizeof nsp)) {
				CHECK(memchr(url, '\0', sizeof url) != NULL);
				CHECK(memchr(nsp, '\0', sizeof nsp) != NULL);
			}
		}
	}
	free(p);
	return 0;
}
