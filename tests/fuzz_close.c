/*
 * fuzz_close.c - libFuzzer target for CLOSE payload handling.
 *
 * The input is a CLOSE frame payload, in an exactly sized heap buffer so that
 * ws_close_parse() reading past it is caught. Checked:
 *  - the result follows RFC 6455 5.5.1 and 7.4 in the order the contract
 *    gives: empty is OK with code 1005, one byte, longer than 125, a code
 *    that may not be sent (1000-1003, 1007-1014, 3000-4999 may), then a
 *    reason that is not UTF-8;
 *  - code and reason are filled in whenever the payload has them, and the
 *    reason points into the payload;
 *  - an accepted payload with a code is rebuilt byte for byte by
 *    ws_close_build(), into an exactly sized buffer;
 *  - the close-code helpers return strings for any code, and
 *    ws_close_code_why_not() stays inside a buffer of any size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static int
sendable(unsigned code)
{
	return (code >= 1000 && code <= 1003) ||
	    (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

static void
check_helpers(unsigned code, size_t cap)
{
	const char *why;
	char *buf;

	CHECK(ws_close_code_name(code) != NULL);
	CHECK(ws_close_code_sendable(code) == sendable(code));
	buf = malloc(cap ? cap : 1);
	CHECK(buf != NULL);
	why = ws_close_code_why_not(code, buf, cap);
	if (sendable(code)) {
		CHECK(why == NULL);
	} else {
		CHECK(why == buf);
		if (cap > 0)
			CHECK(memchr(buf, '\0', cap) != NULL);
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_close c;
	uint8_t *p, *out;
	unsigned code;
	long n;
	int r, want;

	p = malloc(size ? size : 1);
	CHECK(p != NULL);
	memcpy(p, data, size);
	r = ws_close_parse(p, size, &c);

	if (size == 0) {
		want = WS_CLOSE_OK;
	} else if (size == 1) {
		want = WS_CLOSE_ERR_ONE_BYTE;
	} else {
		code = (unsigned)data[0] << 8 | data[1];
		if (size > WS_MAX_CONTROL_PAYLOAD)
			want = WS_CLOSE_ERR_TOO_LONG;
		else if (!sendable(code))
			want = WS_CLOSE_ERR_BAD_CODE;
		else if (!ws_utf8_valid(data + 2, size - 2, NULL))
			want = WS_CLOSE_ERR_BAD_UTF8;
		else
			want = WS_CLOSE_OK;
		CHECK(c.has_code == 1 && c.code == code);
		CHECK(c.reason == p + 2 && c.reason_len == size - 2);
		check_helpers(code, data[size - 1] % 64);
	}
	CHECK(r == want);
	CHECK(ws_close_strerror(r) != NULL);
	if (size < 2) {
		CHECK(c.has_code == 0 && c.code == WS_CLOSE_NO_STATUS);
		CHECK(c.reason_len == 0);
	}

	out = malloc(2 + WS_MAX_CLOSE_REASON);
	CHECK(out != NULL);
	if (r == WS_CLOSE_OK && c.has_code) {
		n = ws_close_build(out, c.code, c.reason, c.reason_len);
		CHECK(n >= 0 && (size_t)n == size);
		CHECK(memcmp(out, data, size) == 0);
	} else if (r == WS_CLOSE_OK) {
		CHECK(ws_close_build(out, 0, NULL, 0) == 0);
	} else if (c.has_code && c.code != 0) {
		/* what parse rejects, build refuses too (code 0 means "no
		 * code" to ws_close_build) */
		n = ws_close_build(out, c.code, c.reason, c.reason_len);
		CHECK(n < 0);
	}
	free(out);
	free(p);
	return 0;
}
