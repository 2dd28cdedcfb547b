/*
 * test_stomp.c - STOMP frames (stomp.h): parse and encode round trips,
 * header escapes per version, content-length with NULs in the body,
 * heart-beats between frames, and every malformed frame a peer can send:
 * no NUL, cut headers, header without colon, bad escapes, bad lengths.
 * Each malformed input is parsed from a buffer that ends where the input
 * does (heap, exact size), so the sanitized build catches an over-read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stomp.h"

/* Parse a copy of s[0..n) in a buffer of exactly n bytes. */
static int
parse_n(const char *s, size_t n, int version, struct stomp_frame *f,
    size_t *used, uint8_t **keep)
{
	uint8_t *b = malloc(n ? n : 1);
	int r;

	memcpy(b, s, n);
	r = stomp_parse(b, n, version, f, used);
	*keep = b;
	return r;
}

static void
parse_message(void **state)
{
	static const char in[] = "MESSAGE\ndestination:/queue/a\n"
	    "message-id:7\nsubscription:0\ncontent-type:text/plain\n\nhello";
	struct stomp_frame f;
	const char *what;
	uint8_t *b;
	size_t used;

	(void)state;
	assert_int_equal(parse_n(in, sizeof in, 12, &f, &used, &b),
	    STOMP_FRAME);
	assert_int_equal(used, sizeof in);
	assert_string_equal(f.command, "MESSAGE");
	assert_int_equal(f.nhdr, 4);
	assert_string_equal(stomp_header(&f, "destination"), "/queue/a");
	assert_string_equal(stomp_header(&f, "message-id"), "7");
	assert_null(stomp_header(&f, "receipt"));
	assert_int_equal(f.body_len, 5);
	assert_memory_equal(f.body, "hello", 5);
	assert_int_equal(stomp_check(&f, 12, 1, &what), 0);
	free(b);
}

static void
parse_crlf_and_heartbeats(void **state)
{
	static const char in[] = "\r\n\nRECEIPT\r\nreceipt-id:r1\r\n\r\n\0"
	    "\n\r\nERROR\nmessage:no\n\nbad thing";
	struct stomp_frame f;
	uint8_t *b;
	size_t used, off;

	(void)state;
	assert_int_equal(parse_n(in, sizeof in, 12, &f, &used, &b),
	    STOMP_FRAME);
	assert_string_equal(f.command, "RECEIPT");
	assert_string_equal(stomp_header(&f, "receipt-id"), "r1");
	assert_int_equal(f.body_len, 0);
	off = used;
	assert_int_equal(stomp_parse(b + off, sizeof in - off, 12, &f, &used),
	    STOMP_FRAME);
	assert_string_equal(f.command, "ERROR");
	assert_string_equal(stomp_header(&f, "message"), "no");
	assert_int_equal(f.body_len, 9);
	assert_int_equal(off + used, sizeof in);
	free(b);
}

static void
parse_heartbeat_only(void **state)
{
	struct stomp_frame f;
	uint8_t *b;
	size_t used;

	(void)state;
	assert_int_equal(parse_n("\n", 1, 12, &f, &used, &b),
	    STOMP_HEARTBEAT);
	assert_int_equal(used, 1);
	free(b);
	assert_int_equal(parse_n("\r\n\n", 3, 12, &f, &used, &b),
	    STOMP_HEARTBEAT);
	assert_int_equal(used, 3);
	free(b);
}

static void
content_length_body_with_nul(void **state)
{
	static const char in[] = "MESSAGE\ncontent-length:3\n\na\0b\0";
	struct stomp_frame f;
	uint8_t *b;
	size_t used;

	(void)state;
	assert_int_equal(parse_n(in, sizeof in - 1, 12, &f, &used, &b),
	    STOMP_FRAME);
	assert_int_equal(f.body_len, 3);
	assert_memory_equal(f.body, "a\0b", 3);
	assert_int_equal(used, sizeof in - 1);
	free(b);
}

static void
repeated_header_first_wins(void **state)
{
	static const char in[] = "MESSAGE\nfoo:1\nfoo:2\n\n";
	struct stomp_frame f;
	uint8_t *b;
	size_t used;

	(void)state;
	assert_int_equal(parse_n(in, sizeof in, 12, &f, &used, &b),
	    STOMP_FRAME);
	assert_string_equal(stomp_header(&f, "foo"), "1");
	assert_int_equal(f.nhdr, 2);
	free(b);
}

static void
escapes_by_version(void **state)
{
	static const char in[] = "MESSAGE\na\\cb:x\\ny\\\\z\\r\n\n";
	static const char conn[] = "CONNECTED\nserver:a\\cb\n\n";
	struct stomp_frame f;
	uint8_t *b;
	size_t used;

	(void)state;
	assert_int_equal(parse_n(in, sizeof in, 12, &f, &used, &b),
	    STOMP_FRAME);
	assert_string_equal(f.hdr[0].name, "a:b");
	assert_string_equal(f.hdr[0].value, "x\ny\\z\r");
	free(b);
	/* \r is not an escape before 1.2 */
	assert_int_equal(parse_n(in, sizeof in, 11, &f, &used, &b),
	    STOMP_ERR_ESCAPE);
	free(b);
	/* 1.0 has no escapes */
	assert_int_equal(parse_n(in, sizeof in, 10, &f, &used, &b),
	    STOMP_FRAME);
	assert_string_equal(f.hdr[0].name, "a\\cb");
	free(b);
	/* CONNECTED headers are never escaped */
	assert_int_equal(parse_n(conn, sizeof conn, 12, &f, &used, &b),
	    STOMP_FRAME);
	assert_string_equal(stomp_header(&f, "server"), "a\\cb");
	free(b);
}

/* Every malformed frame, and what it is called. */
static void
malformed(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		int err;
	} t[] = {
#define T(s, e) { s, sizeof s - 1, e }
		T("MESSAGE\ndestination:/a\n\nno nul", STOMP_ERR_NO_NUL),
		T("MESSAGE\n\n", STOMP_ERR_NO_NUL),
		T("MESSAGE\ndestination:/a\n", STOMP_ERR_HEADERS_CUT),
		T("MESSAGE", STOMP_ERR_HEADERS_CUT),
		T("MESSAGE\nfoo:b\0ar\n\n\0", STOMP_ERR_HEADERS_CUT),
		T("MESSAGE\nnocolon\n\n\0", STOMP_ERR_NO_COLON),
		T("MESSAGE\na:b\\t\n\n\0", STOMP_ERR_ESCAPE),
		T("MESSAGE\na:b\\\n\n\0", STOMP_ERR_ESCAPE),
		T("MESSAGE\ncontent-length:x\n\n\0", STOMP_ERR_LENGTH),
		T("MESSAGE\ncontent-length:\n\n\0", STOMP_ERR_LENGTH),
		T("MESSAGE\ncontent-length:-1\n\n\0", STOMP_ERR_LENGTH),
		T("MESSAGE\ncontent-length:99999999999999999999\n\n\0",
		    STOMP_ERR_LENGTH),
		T("MESSAGE\ncontent-length:5\n\nab\0", STOMP_ERR_LENGTH_NUL),
		T("MESSAGE\ncontent-length:1\n\nabc\0", STOMP_ERR_LENGTH_NUL),
		T("MESSAGE\ncontent-length:3\n\nabc", STOMP_ERR_LENGTH_NUL),
#undef T
	};
	struct stomp_frame f;
	uint8_t *b;
	size_t i, used, cut;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		int r = parse_n(t[i].in, t[i].len, 12, &f, &used, &b);

		if (r != t[i].err)
			fail_msg("case %zu: got %d (%s), want %d", i, r,
			    stomp_strerror(r), t[i].err);
		free(b);
	}
	/* A good frame cut at any byte is an error, never a frame. */
	for (cut = 1; cut < sizeof "SEND\ndestination:/q\n\nbody"; cut++) {
		static const char good[] = "SEND\ndestination:/q\n\nbody";

		assert_true(parse_n(good, cut, 12, &f, &used, &b) < 0);
		free(b);
	}
}

static void
too_many_headers(void **state)
{
	char in[2048];
	struct stomp_frame f;
	uint8_t *b;
	size_t used, n = 0;
	int i;

	(void)state;
	n += (size_t)sprintf(in, "MESSAGE\n");
	for (i = 0; i <= STOMP_MAX_HEADERS; i++)
		n += (size_t)sprintf(in + n, "h%d:v\n", i);
	n += (size_t)sprintf(in + n, "\n");
	in[n++] = '\0';
	assert_int_equal(parse_n(in, n, 12, &f, &used, &b),
	    STOMP_ERR_TOO_MANY);
	free(b);
}

static void
check_commands(void **state)
{
	static const char bad[] = "BOGUS\n\n";
	static const char nosub[] = "MESSAGE\ndestination:/a\nmessage-id:1\n\n";
	struct stomp_frame f;
	const char *what;
	uint8_t *b;
	size_t used;

	(void)state;
	assert_int_equal(parse_n(bad, sizeof bad, 12, &f, &used, &b),
	    STOMP_FRAME);
	assert_int_equal(stomp_check(&f, 12, 1, &what), STOMP_ERR_COMMAND);
	free(b);
	assert_int_equal(parse_n(nosub, sizeof nosub, 12, &f, &used, &b),
	    STOMP_FRAME);
	assert_int_equal(stomp_check(&f, 12, 1, &what), STOMP_ERR_MISSING);
	assert_string_equal(what, "subscription");
	assert_int_equal(stomp_check(&f, 10, 1, &what), 0);
	/* MESSAGE from a client is not a command it may send */
	assert_int_equal(stomp_check(&f, 12, 0, &what), STOMP_ERR_COMMAND);
	free(b);
}

static void
encode_round_trip(void **state)
{
	static const char *const h[] = { "destination", "/q:a\nb\\",
	    "receipt", "r-1" };
	static const uint8_t body[] = { 'x', 0, 'y' };
	uint8_t buf[256];
	struct stomp_frame f;
	size_t n, used;

	(void)state;
	n = stomp_encode(buf, sizeof buf, 12, "SEND", h, 2, body, 3, 1);
	assert_true(n < sizeof buf);
	assert_memory_equal(buf, "SEND\ndestination:/q\\ca\\nb\\\\\n",
	    strlen("SEND\ndestination:/q\\ca\\nb\\\\\n"));
	assert_int_equal(stomp_parse(buf, n, 12, &f, &used), STOMP_FRAME);
	assert_int_equal(used, n);
	assert_string_equal(stomp_header(&f, "destination"), "/q:a\nb\\");
	assert_string_equal(stomp_header(&f, "content-length"), "3");
	assert_int_equal(f.body_len, 3);
	assert_memory_equal(f.body, body, 3);
	/* too small: the size needed, nothing claimed */
	assert_int_equal(stomp_encode(buf, 10, 12, "SEND", h, 2, body, 3, 1),
	    n);
}

static void
encode_connect_unescaped(void **state)
{
	static const char *const h[] = { "accept-version", "1.2,1.1,1.0",
	    "host", "a:b", "heart-beat", "500,500" };
	static const char want[] = "CONNECT\naccept-version:1.2,1.1,1.0\n"
	    "host:a:b\nheart-beat:500,500\n\n";
	uint8_t buf[256];
	size_t n;

	(void)state;
	n = stomp_encode(buf, sizeof buf, 12, "CONNECT", h, 3, NULL, 0, 0);
	assert_int_equal(n, sizeof want);
	assert_memory_equal(buf, want, sizeof want);
}

static void
heartbeats(void **state)
{
	unsigned long x, y, s, r;

	(void)state;
	assert_int_equal(stomp_heartbeat_parse("100,2000", &x, &y), 0);
	assert_int_equal(x, 100);
	assert_int_equal(y, 2000);
	assert_int_equal(stomp_heartbeat_parse("100", &x, &y),
	    STOMP_ERR_HEART_BEAT);
	assert_int_equal(stomp_heartbeat_parse("1,x", &x, &y),
	    STOMP_ERR_HEART_BEAT);
	assert_int_equal(stomp_heartbeat_parse("1,2 ", &x, &y),
	    STOMP_ERR_HEART_BEAT);
	assert_int_equal(stomp_heartbeat_parse(",2", &x, &y),
	    STOMP_ERR_HEART_BEAT);
	/* the spec's example: client 0,1000 … */
	stomp_heartbeat_negotiate(500, 1000, 300, 2000, &s, &r);
	assert_int_equal(s, 2000);
	assert_int_equal(r, 1000);
	stomp_heartbeat_negotiate(500, 1000, 0, 0, &s, &r);
	assert_int_equal(s, 0);
	assert_int_equal(r, 0);
	stomp_heartbeat_negotiate(0, 1000, 700, 400, &s, &r);
	assert_int_equal(s, 0);
	assert_int_equal(r, 1000);
}

static void
versions(void **state)
{
	(void)state;
	assert_int_equal(stomp_version_of("v12.stomp"), 12);
	assert_int_equal(stomp_version_of("v11.stomp"), 11);
	assert_int_equal(stomp_version_of("1.0"), 10);
	assert_int_equal(stomp_version_of("mqtt"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_message),
		cmocka_unit_test(parse_crlf_and_heartbeats),
		cmocka_unit_test(parse_heartbeat_only),
		cmocka_unit_test(content_length_body_with_nul),
		cmocka_unit_test(repeated_header_first_wins),
		cmocka_unit_test(escapes_by_version),
		cmocka_unit_test(malformed),
		cmocka_unit_test(too_many_headers),
		cmocka_unit_test(check_commands),
		cmocka_unit_test(encode_round_trip),
		cmocka_unit_test(encode_connect_unescaped),
		cmocka_unit_test(heartbeats),
		cmocka_unit_test(versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
