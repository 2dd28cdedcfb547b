/*
 * test_craft.c - unit tests for craft.c: SPEC parsing, the exact bytes of
 * crafted frames (RFC 6455 5.7 vectors, lying lengths, wide lengths),
 * errors that name the field, and reading crafted bytes back.
 *
 * Every spec is parsed from an exactly sized heap copy and encoded into an
 * exactly sized heap buffer, so an over-read or over-write is caught when
 * built with -fsanitize=address.
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

#include "craft.h"
#include "frame.h"

static const uint8_t KEY[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* Parse spec as role, encode; the bytes go to *out (malloc'd). Returns the
 * size, or -1 with err filled. */
static long
build(const char *spec, enum ws_role role, uint8_t **out, char *err,
    size_t ecap)
{
	size_t n = strlen(spec);
	char *s = malloc(n + 1);
	uint8_t *buf = malloc(n ? n : 1), *o;
	struct craft_frame f;
	long r = -1;

	assert_non_null(s);
	assert_non_null(buf);
	memcpy(s, spec, n + 1);
	*out = NULL;
	if (craft_parse(s, role, buf, n, &f, err, ecap) == 0) {
		size_t sz = craft_size(&f);

		if (f.masked && !f.key_given)
			memcpy(f.key, KEY, 4);
		o = malloc(sz);
		assert_non_null(o);
		assert_int_equal(craft_encode(o, sz, &f), sz);
		if (sz > 0)
			assert_int_equal(craft_encode(o, sz - 1, &f), 0);
		*out = o;
		r = (long)sz;
	}
	free(s);
	free(buf);
	return r;
}

static void
expect_bytes(const char *spec, enum ws_role role, const uint8_t *want,
    size_t n)
{
	uint8_t *got;
	char err[256];
	long r = build(spec, role, &got, err, sizeof err);

	if (r < 0)
		fail_msg("'%s': %s", spec, err);
	assert_int_equal(r, n);
	assert_memory_equal(got, want, n);
	free(got);
}

static void
expect_error(const char *spec, const char *want)
{
	uint8_t *got;
	char err[256];
	long r = build(spec, WS_ROLE_CLIENT, &got, err, sizeof err);

	assert_int_equal(r, -1);
	if (strstr(err, want) == NULL)
		fail_msg("'%s': error '%s' does not say '%s'", spec, err, want);
}

/* RFC 6455 5.7: a single-frame unmasked and masked text message. */
static void
rfc_vectors(void **state)
{
	static const uint8_t plain[] = { 0x81, 0x05, 'H', 'e', 'l', 'l', 'o' };
	static const uint8_t masked[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
		0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	static const uint8_t frag1[] = { 0x01, 0x03, 'H', 'e', 'l' };
	static const uint8_t frag2[] = { 0x80, 0x02, 'l', 'o' };
	static const uint8_t ping[] = { 0x89, 0x05, 'H', 'e', 'l', 'l', 'o' };

	expect_bytes("Hello", WS_ROLE_SERVER, plain, sizeof plain);
	expect_bytes("Hello", WS_ROLE_CLIENT, masked, sizeof masked);
	expect_bytes("mask=37fa213d Hello", WS_ROLE_SERVER, masked,
	    sizeof masked);
	expect_bytes("fin=0 op=text Hel", WS_ROLE_SERVER, frag1, sizeof frag1);
	expect_bytes("op=cont lo", WS_ROLE_SERVER, frag2, sizeof frag2);
	expect_bytes("op=ping Hello", WS_ROLE_SERVER, ping, sizeof ping);
}

static void
defaults_client_masks(void **state)
{
	static const uint8_t empty[] = { 0x81, 0x80, 0x37, 0xfa, 0x21, 0x3d };

	expect_bytes("", WS_ROLE_CLIENT, empty, sizeof empty);
	expect_bytes("mask=none", WS_ROLE_CLIENT, (const uint8_t *)"\x81\x00",
	    2);
}

static void
every_field(void **state)
{
	static const uint8_t rsv[] = { 0x71, 0x01, 'x' };      /* fin 0 rsv 7 */
	static const uint8_t op3[] = { 0x83, 0x00 };
	static const uint8_t op15[] = { 0x8f, 0x00 };
	static const uint8_t bin[] = { 0x82, 0x02, 0x00, 0xff };
	static const uint8_t close[] = { 0x88, 0x02, 0x03, 0xe8 };
	static const uint8_t pong[] = { 0x8a, 0x00 };

	expect_bytes("fin=0 rsv=7 mask=none x", WS_ROLE_CLIENT, rsv,
	    sizeof rsv);
	expect_bytes("op=3", WS_ROLE_SERVER, op3, sizeof op3);
	expect_bytes("op=0xf", WS_ROLE_SERVER, op15, sizeof op15);
	expect_bytes("op=15", WS_ROLE_SERVER, op15, sizeof op15);
	expect_bytes("op=binary hex:00ff", WS_ROLE_SERVER, bin, sizeof bin);
	expect_bytes("op=BINARY hex:00 FF", WS_ROLE_SERVER, bin, sizeof bin);
	expect_bytes("op=close hex:03e8", WS_ROLE_SERVER, close, sizeof close);
	expect_bytes("op=pong", WS_ROLE_SERVER, pong, sizeof pong);
	expect_bytes("op=binary b64:AP8=", WS_ROLE_SERVER, bin, sizeof bin);
}

/* len= announces what it says; the payload goes as given. */
static void
lying_length(void **state)
{
	static const uint8_t more[] = { 0x81, 0x0a, 'a', 'b' };
	static const uint8_t less[] = { 0x81, 0x00, 'a', 'b' };
	static const uint8_t top[] = { 0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0,
		'z' };

	expect_bytes("len=10 ab", WS_ROLE_SERVER, more, sizeof more);
	expect_bytes("len=0 ab", WS_ROLE_SERVER, less, sizeof less);
	expect_bytes("op=binary len=0x8000000000000000 z", WS_ROLE_SERVER, top,
	    sizeof top);
}

static void
widths(void **state)
{
	static const uint8_t w16[] = { 0x81, 0x7e, 0x00, 0x02, 'h', 'i' };
	static const uint8_t w64[] = { 0x81, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0x05,
		'h', 'e', 'l', 'l', 'o' };
	static const uint8_t big16[] = { 0x82, 0x7e, 0x01, 0x2c };
	uint8_t *got;
	char err[256];
	long r;

	expect_bytes("width=16 hi", WS_ROLE_SERVER, w16, sizeof w16);
	expect_bytes("width=64 hello", WS_ROLE_SERVER, w64, sizeof w64);
	expect_bytes("op=binary len=300", WS_ROLE_SERVER, big16, sizeof big16);
	/* the minimal width for a real payload of 126 bytes is 16 bits */
	{
		char spec[200];

		snprintf(spec, sizeof spec, "text:%0126d", 0);
		r = build(spec, WS_ROLE_SERVER, &got, err, sizeof err);
		assert_int_equal(r, 4 + 126);
		assert_int_equal(got[1], 126);
		assert_int_equal(got[3], 126);
		free(got);
	}
}

static void
payload_forms(void **state)
{
	static const uint8_t fieldlike[] = { 0x81, 0x05, 'f', 'i', 'n', '=',
		'0' };
	static const uint8_t hexword[] = { 0x81, 0x07, 'h', 'e', 'x', ':', 'z',
		'z', 'z' };
	static const uint8_t rest[] = { 0x81, 0x0b, 'h', 'e', 'l', 'l', 'o',
		' ', 'r', 's', 'v', '=', '1' };

	expect_bytes("text:fin=0", WS_ROLE_SERVER, fieldlike, sizeof fieldlike);
	expect_bytes("text:hex:zzz", WS_ROLE_SERVER, hexword, sizeof hexword);
	/* after the first payload word everything is payload */
	expect_bytes("hello rsv=1", WS_ROLE_SERVER, rest, sizeof rest);
	/* an uppercase name is not a field */
	expect_bytes("A=b", WS_ROLE_SERVER, (const uint8_t *)"\x81\x03" "A=b",
	    5);
}

static void
errors_name_the_field(void **state)
{
	expect_error("fin=2", "fin=2: FIN is 0 or 1");
	expect_error("rsv=8", "rsv=8: RSV is 0-7");
	expect_error("rsv=-1", "rsv=-1");
	expect_error("op=foo", "op=foo: not an opcode");
	expect_error("op=16", "op=16");
	expect_error("mask=12345", "mask=12345: the key is 8 hex digits");
	expect_error("mask=1234567g", "mask=1234567g");
	expect_error("len=abc", "len=abc: not a length");
	expect_error("len=18446744073709551616", "len=18446744073709551616");
	expect_error("width=8", "width=8: the length field is 7, 16 or 64");
	expect_error("width=7 len=126", "width=7: a 7-bit length holds at most "
	    "125, not 126");
	expect_error("width=16 len=65536", "width=16");
	expect_error("fni=0 x", "unknown field 'fni'");
	expect_error("fin=1 fin=0", "fin= given twice");
	expect_error("hex:4g", "hex:4g: not a hex byte at character 2");
	expect_error("hex:abc", "not a hex byte");
	expect_error("b64:@@@@", "b64:@@@@: not base64");
}

/* len=010 is ten, not octal eight */
static void
decimal_not_octal(void **state)
{
	static const uint8_t ten[] = { 0x81, 0x0a };

	expect_bytes("len=010", WS_ROLE_SERVER, ten, sizeof ten);
}

static void
close_payloads(void **state)
{
	uint8_t out[8];

	assert_int_equal(craft_close_payload(out, sizeof out, 1005,
	    (const uint8_t *)"ab", 2), 4);
	assert_memory_equal(out, "\x03\xed" "ab", 4);
	assert_int_equal(craft_close_payload(out, sizeof out, 0, NULL, 0), 2);
	assert_memory_equal(out, "\x00\x00", 2);
	assert_int_equal(craft_close_payload(out, sizeof out, 65535, NULL, 0),
	    2);
	assert_int_equal(craft_close_payload(out, sizeof out, -1,
	    (const uint8_t *)"x", 1), 1);
	assert_int_equal(craft_close_payload(out, sizeof out, 65536, NULL, 0),
	    -1);
	assert_int_equal(craft_close_payload(out, 3, 1000,
	    (const uint8_t *)"ab", 2), -1);
}

struct seen {
	int n;
	struct ws_frame_header h[8];
	uint8_t p[8][16];
	size_t len[8];
	int violation[8];
	char rule[8][256];
};

static void
on_frame(void *ud, const struct ws_frame_header *h, const uint8_t *p,
    size_t n, int violation, const char *rule)
{
	struct seen *s = ud;

	assert_true(s->n < 8);
	s->h[s->n] = *h;
	memcpy(s->p[s->n], p, n);
	s->len[s->n] = n;
	s->violation[s->n] = violation;
	snprintf(s->rule[s->n], sizeof s->rule[0], "%s", rule ? rule : "");
	s->n++;
}

/* Crafted bytes read back as the server would: unmasked, violations
 * named, an incomplete frame last. */
static void
walk_frames(void **state)
{
	uint8_t b[] = {
		0x81, 0x82, 0x37, 0xfa, 0x21, 0x3d, 'h' ^ 0x37, 'i' ^ 0xfa,
		0xc1, 0x80, 1, 2, 3, 4,                 /* RSV1 */
		0x8b, 0x00,                             /* unmasked, op 0xb */
		0x82, 0x85, 0, 0, 0, 0, 'a', 'b',       /* 3 bytes short */
	};
	struct seen s = { 0 };
	struct craft_walk d;
	size_t whole;

	craft_walk_init(&d, WS_ROLE_CLIENT);
	whole = craft_walk(&d, b, sizeof b, 16, on_frame, &s);

	assert_int_equal(whole, 16);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.len[0], 2);
	assert_memory_equal(s.p[0], "hi", 2);
	assert_int_equal(s.violation[0], 0);
	assert_int_equal(s.violation[1], WS_ERR_RSV);
	assert_int_equal(s.h[1].rsv, 4);
	assert_int_equal(s.violation[2], WS_ERR_OPCODE);
	assert_int_equal(s.h[3].length, 5);
	assert_int_equal(s.len[3], 2);
}

/* The stream goes on across calls: a continuation is no violation after
 * its start, and the rest of an unfinished frame completes it. */
static void
walk_across_calls(void **state)
{
	uint8_t a[] = { 0x01, 0x01, 'a', 0x80, 0x04, 'b' };
	uint8_t b[] = { 'c', 'd', 'e', 0x89, 0x00 };
	struct seen s = { 0 };
	struct craft_walk d;

	craft_walk_init(&d, WS_ROLE_SERVER);
	assert_int_equal(craft_walk(&d, a, sizeof a, 16, on_frame, &s), 3);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.violation[1], 0);
	assert_int_equal(s.h[1].opcode, WS_OP_CONT);
	assert_int_equal(craft_walk(&d, b, sizeof b, 16, on_frame, &s), 5);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.len[2], 3);
	assert_memory_equal(s.p[2], "cde", 3);
	assert_int_equal(s.h[3].opcode, WS_OP_PING);
}

/* Rules of the payload are named too, for whole frames: codes that must
 * not be sent, 1-byte closes, reasons and texts that are not UTF-8, data
 * after a close. */
static void
walk_payload_rules(void **state)
{
	uint8_t b[] = {
		0x81, 0x01, 0xff,                    /* text: not UTF-8 */
		0x01, 0x01, 0xc3, 0x80, 0x01, 0xa9,  /* é split: fine */
		0x01, 0x01, 0xc3, 0x80, 0x00,        /* ends inside é */
		0x88, 0x02, 0x03, 0xed,              /* close 1005 */
	};
	uint8_t c[] = {
		0x88, 0x01, 0x03,                    /* 1-byte close */
		0x82, 0x00,                          /* data after it */
		0x89, 0x00,                          /* a ping: no data rule */
	};
	uint8_t r[] = { 0x88, 0x03, 0x03, 0xe8, 0xfe }; /* reason not UTF-8 */
	uint8_t z[] = { 0xc1, 0x01, 0xff };     /* compressed: not judged */
	struct seen s = { 0 };
	struct craft_walk d;

	craft_walk_init(&d, WS_ROLE_SERVER);
	assert_int_equal(craft_walk(&d, b, sizeof b, 16, on_frame, &s),
	    sizeof b);
	assert_int_equal(s.n, 6);
	assert_string_equal(s.rule[0],
	    "text message is not valid UTF-8 at byte 1");
	assert_string_equal(s.rule[1], "");
	assert_string_equal(s.rule[2], "");
	assert_string_equal(s.rule[4],
	    "text message ends inside a UTF-8 sequence");
	assert_non_null(strstr(s.rule[5], "1005 (No Status Received) is "
	    "reserved"));

	memset(&s, 0, sizeof s);
	craft_walk_init(&d, WS_ROLE_SERVER);
	craft_walk(&d, c, sizeof c, 16, on_frame, &s);
	assert_int_equal(s.n, 3);
	assert_non_null(strstr(s.rule[0], "1-byte close payload"));
	assert_string_equal(s.rule[1], "data frame after a close frame");
	assert_string_equal(s.rule[2], "");

	memset(&s, 0, sizeof s);
	craft_walk_init(&d, WS_ROLE_SERVER);
	craft_walk(&d, r, sizeof r, 16, on_frame, &s);
	assert_string_equal(s.rule[0],
	    "close reason is not valid UTF-8 at byte 1");

	memset(&s, 0, sizeof s);
	craft_walk_init(&d, WS_ROLE_SERVER);
	craft_walk(&d, z, sizeof z, 16, on_frame, &s);
	assert_string_equal(s.rule[0],
	    "RSV bits set but no extension was negotiated");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc_vectors),
		cmocka_unit_test(defaults_client_masks),
		cmocka_unit_test(every_field),
		cmocka_unit_test(lying_length),
		cmocka_unit_test(widths),
		cmocka_unit_test(payload_forms),
		cmocka_unit_test(errors_name_the_field),
		cmocka_unit_test(decimal_not_octal),
		cmocka_unit_test(close_payloads),
		cmocka_unit_test(walk_frames),
		cmocka_unit_test(walk_payload_rules),
		cmocka_unit_test(walk_across_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
