/*
 * test_deflate.c - unit tests for deflate.c, permessage-deflate (RFC 7692).
 *
 * Header values are passed in malloc'd buffers of exactly their length,
 * with no NUL after them, so that a read past the end is caught under
 * -fsanitize=address. Compressed input goes the same way through feed(),
 * which splits it into pieces and records what the sink receives, checking
 * on the way that no chunk is empty or longer than PMD_CHUNK. Round trips
 * check the compressor's output twice: with our inflater, and with zlib
 * given a single byte of output space per call, under which any
 * back-reference beyond the negotiated window fails.
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
#include <time.h>

#include <cmocka.h>
#include <zlib.h>

#include "deflate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MIB (1024 * 1024)

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	assert_non_null(p);
	return p;
}

static struct pmd_agreed
agreed(int server_bits, int client_bits, int server_no_takeover,
    int client_no_takeover)
{
	struct pmd_agreed a;

	a.server_bits = server_bits;
	a.client_bits = client_bits;
	a.server_no_takeover = server_no_takeover;
	a.client_no_takeover = client_no_takeover;
	return a;
}

/* ------------------------------------------------------------- parameters */

static int
parse(const char *s, int is_offer, struct pmd_params *p, char *why)
{
	char *copy = xmalloc(strlen(s));
	int r;

	/* exactly sized, no NUL: the parser must not read past len */
	memcpy(copy, s, strlen(s));
	r = pmd_parse_params(copy, strlen(s), is_offer, p, why, 200);
	free(copy);
	return r;
}

static void
parse_fails(const char *s, int is_offer, const char *want_why)
{
	struct pmd_params p;
	char why[200];

	if (parse(s, is_offer, &p, why) != -1)
		fail_msg("'%s' parsed", s);
	if (strcmp(why, want_why) != 0)
		fail_msg("'%s': why '%s', want '%s'", s, why, want_why);
}

static void
params_empty_is_no_parameters(void **state)
{
	struct pmd_params p, zero;
	char why[200];

	memset(&zero, 0, sizeof(zero));
	memset(&p, 0xff, sizeof(p));
	assert_int_equal(parse("", 1, &p, why), 0);
	assert_memory_equal(&p, &zero, sizeof(p));
	assert_string_equal(why, "");
	assert_int_equal(parse(" \t ", 0, &p, why), 0);
	assert_memory_equal(&p, &zero, sizeof(p));
}

static void
params_all_four(void **state)
{
	struct pmd_params p;
	char why[200];

	assert_int_equal(parse("server_no_context_takeover; "
	    "client_no_context_takeover; server_max_window_bits=10; "
	    "client_max_window_bits=9", 0, &p, why), 0);
	assert_int_equal(p.server_no_context_takeover, 1);
	assert_int_equal(p.client_no_context_takeover, 1);
	assert_int_equal(p.server_max_window_bits, 10);
	assert_int_equal(p.client_max_window_bits, 9);
}

static void
params_client_bits_without_value_offer_only(void **state)
{
	struct pmd_params p;
	char why[200];

	assert_int_equal(parse(PMD_DEFAULT_OFFER, 1, &p, why), 0);
	assert_int_equal(p.client_max_window_bits, PMD_BITS_NO_VALUE);
	parse_fails("client_max_window_bits", 0, "client_max_window_bits "
	    "needs a value, 8 to 15 (it may go without one only in an offer)");
}

static void
params_whitespace_around_separators(void **state)
{
	struct pmd_params p;
	char why[200];

	assert_int_equal(parse("\t server_max_window_bits \t= \t12\t;\t"
	    "client_no_context_takeover ;client_max_window_bits ", 1, &p,
	    why), 0);
	assert_int_equal(p.server_max_window_bits, 12);
	assert_int_equal(p.client_no_context_takeover, 1);
	assert_int_equal(p.client_max_window_bits, PMD_BITS_NO_VALUE);
}

static void
params_quoted_values(void **state)
{
	struct pmd_params p;
	char why[200];

	assert_int_equal(parse("server_max_window_bits=\"10\"; "
	    "client_max_window_bits=\"1\\5\"", 0, &p, why), 0);
	assert_int_equal(p.server_max_window_bits, 10);
	assert_int_equal(p.client_max_window_bits, 15);
	parse_fails("server_max_window_bits=\"7\"", 0, "server_max_window_"
	    "bits=\"7\": the value must be 8 to 15");
	parse_fails("server_max_window_bits=\"\"", 0, "expected a token in "
	    "the quoted value, found '\"' at byte 24");
	parse_fails("server_max_window_bits=\"1 0\"", 0, "expected a token "
	    "character in the quoted value, found byte 0x20 at byte 25");
	parse_fails("server_max_window_bits=\"10", 0, "expected the closing "
	    "'\"', found the end at byte 26");
	parse_fails("server_max_window_bits=\"10\\", 0, "expected a "
	    "character after '\\', found the end at byte 27");
	/* a quoted value is a value */
	parse_fails("server_no_context_takeover=\"\\x\"", 0,
	    "server_no_context_takeover=\"\\x\": server_no_context_takeover "
	    "takes no value");
}

static void
params_unknown_parameter(void **state)
{
	parse_fails("x_max_window_bits=10", 1, "unknown parameter "
	    "'x_max_window_bits'");
	parse_fails("server_max_window_bits=10; mux", 0, "unknown parameter "
	    "'mux'");
	/* names are compared as written */
	parse_fails("Server_No_Context_Takeover", 0, "unknown parameter "
	    "'Server_No_Context_Takeover'");
	parse_fails("CLIENT_MAX_WINDOW_BITS", 1, "unknown parameter "
	    "'CLIENT_MAX_WINDOW_BITS'");
}

static void
params_given_twice(void **state)
{
	parse_fails("server_no_context_takeover; server_no_context_takeover",
	    0, "server_no_context_takeover given twice");
	parse_fails("client_no_context_takeover;client_no_context_takeover",
	    1, "client_no_context_takeover given twice");
	parse_fails("server_max_window_bits=10; server_max_window_bits=10",
	    1, "server_max_window_bits given twice");
	parse_fails("client_max_window_bits; client_max_window_bits=9", 1,
	    "client_max_window_bits given twice");
}

static void
params_value_where_none_allowed(void **state)
{
	parse_fails("server_no_context_takeover=1", 0,
	    "server_no_context_takeover=1: server_no_context_takeover takes "
	    "no value");
	parse_fails("client_no_context_takeover=true", 1,
	    "client_no_context_takeover=true: client_no_context_takeover "
	    "takes no value");
}

static void
params_missing_value(void **state)
{
	parse_fails("server_max_window_bits", 1, "server_max_window_bits "
	    "needs a value, 8 to 15");
	parse_fails("server_max_window_bits=", 1, "expected a value after "
	    "'=', found the end at byte 23");
	parse_fails("server_max_window_bits= ;", 1, "expected a value after "
	    "'=', found ';' at byte 24");
}

static void
params_bits_out_of_range(void **state)
{
	struct pmd_params p;
	char why[200], s[64];
	int v;

	for (v = 0; v <= 99; v++) {
		snprintf(s, sizeof s, "server_max_window_bits=%d", v);
		if (v >= 8 && v <= 15) {
			assert_int_equal(parse(s, 0, &p, why), 0);
			assert_int_equal(p.server_max_window_bits, v);
			snprintf(s, sizeof s, "client_max_window_bits=%d", v);
			assert_int_equal(parse(s, 0, &p, why), 0);
			assert_int_equal(p.client_max_window_bits, v);
			continue;
		}
		assert_int_equal(parse(s, 0, &p, why), -1);
		snprintf(s, sizeof s, "server_max_window_bits=%d: the value "
		    "must be 8 to 15", v);
		assert_string_equal(why, s);
	}
	parse_fails("server_max_window_bits=7", 0, "server_max_window_bits=7: "
	    "the value must be 8 to 15");
	parse_fails("client_max_window_bits=16", 1, "client_max_window_bits="
	    "16: the value must be 8 to 15");
	parse_fails("client_max_window_bits=100000000000000000000", 1,
	    "client_max_window_bits=100000000000000000000: the value must "
	    "be 8 to 15");
}

static void
params_bits_leading_zeros(void **state)
{
	parse_fails("server_max_window_bits=08", 0, "server_max_window_bits="
	    "08: the value must be 8 to 15, without leading zeros");
	parse_fails("client_max_window_bits=015", 1, "client_max_window_bits="
	    "015: the value must be 8 to 15, without leading zeros");
	parse_fails("client_max_window_bits=\"010\"", 1,
	    "client_max_window_bits=\"010\": the value must be 8 to 15, "
	    "without leading zeros");
}

static void
params_bits_not_a_number(void **state)
{
	parse_fails("server_max_window_bits=x", 0, "server_max_window_bits=x: "
	    "the value must be 8 to 15");
	parse_fails("server_max_window_bits=1a", 0, "server_max_window_bits="
	    "1a: the value must be 8 to 15");
	parse_fails("server_max_window_bits=+9", 0, "server_max_window_bits="
	    "+9: the value must be 8 to 15");
	parse_fails("server_max_window_bits=-9", 0, "server_max_window_bits="
	    "-9: the value must be 8 to 15");
	parse_fails("server_max_window_bits=9.0", 0, "server_max_window_bits="
	    "9.0: the value must be 8 to 15");
}

static void
params_syntax_errors(void **state)
{
	parse_fails(";", 1, "expected a parameter name, found ';' at byte 0");
	parse_fails("server_no_context_takeover;", 1, "expected a parameter "
	    "name, found the end at byte 27");
	parse_fails("server_no_context_takeover;;client_no_context_takeover",
	    1, "expected a parameter name, found ';' at byte 27");
	parse_fails("=10", 1, "expected a parameter name, found '=' at "
	    "byte 0");
	parse_fails("server_no_context_takeover client_no_context_takeover",
	    1, "expected ';' or the end, found 'c' at byte 27");
	parse_fails("server_no_context_takeover, client_no_context_takeover",
	    1, "expected ';' or the end, found ',' at byte 26");
	parse_fails("server_max_window_bits=10 11", 1, "expected ';' or the "
	    "end, found '1' at byte 26");
	parse_fails("server_max_window_bits=10\x01", 1, "expected ';' or the "
	    "end, found byte 0x01 at byte 25");
	parse_fails("client_max_window_bits\xff", 1, "expected ';' or the "
	    "end, found byte 0xff at byte 22");
}

static void
params_nul_byte_ends_nothing(void **state)
{
	struct pmd_params p;
	char why[200];

	assert_int_equal(pmd_parse_params("server_no_context_takeover\0x", 28,
	    0, &p, why, sizeof why), -1);
	assert_string_equal(why, "expected ';' or the end, found byte 0x00 "
	    "at byte 26");
	/* len, not the NUL, ends the input */
	assert_int_equal(pmd_parse_params("server_no_context_takeoverXX", 26,
	    0, &p, why, sizeof why), 0);
	assert_int_equal(p.server_no_context_takeover, 1);
}

static void
params_why_truncated_to_cap(void **state)
{
	struct pmd_params p;
	char why[8];

	memset(why, 'x', sizeof why);
	assert_int_equal(pmd_parse_params("mux", 3, 0, &p, why, 8), -1);
	assert_string_equal(why, "unknown");
	/* cap 0: why is not touched */
	why[0] = 'x';
	assert_int_equal(pmd_parse_params("mux", 3, 0, &p, why, 0), -1);
	assert_int_equal(why[0], 'x');
	assert_int_equal(pmd_parse_params("mux", 3, 0, &p, NULL, 0), -1);
}

static void
params_long_name_shortened_in_why(void **state)
{
	char s[300];

	memset(s, 'a', 299);
	s[299] = '\0';
	parse_fails(s, 0, "unknown parameter "
	    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'");
}

/* ----------------------------------------------------------------- format */

static void
format_fixed_order(void **state)
{
	struct pmd_params p = { 1, 1, 10, 9 };
	char out[200];

	assert_int_equal(pmd_format(out, sizeof out, &p), 127);
	assert_string_equal(out, "permessage-deflate; "
	    "server_no_context_takeover; client_no_context_takeover; "
	    "server_max_window_bits=10; client_max_window_bits=9");
	memset(&p, 0, sizeof(p));
	assert_int_equal(pmd_format(out, sizeof out, &p), 18);
	assert_string_equal(out, "permessage-deflate");
	p.client_max_window_bits = PMD_BITS_NO_VALUE;
	assert_int_equal(pmd_format(out, sizeof out, &p), 42);
	assert_string_equal(out, "permessage-deflate; client_max_window_bits");
}

static void
format_cap_too_small(void **state)
{
	struct pmd_params p = { 0, 0, 0, PMD_BITS_NO_VALUE };
	char out[64];

	/* 42 characters and the NUL */
	assert_int_equal(pmd_format(out, 42, &p), -1);
	assert_string_equal(out, "");
	assert_int_equal(pmd_format(out, 43, &p), 42);
	assert_int_equal(pmd_format(NULL, 0, &p), -1);
}

static void
format_parses_back(void **state)
{
	static const int flags[] = { 0, 1 };
	static const int sbits[] = { 0, 8, 12, 15 };
	static const int cbits[] = { 0, PMD_BITS_NO_VALUE, 8, 15 };
	struct pmd_params p, q;
	char out[200], why[200];
	size_t a, b, c, d;
	long n;

	for (a = 0; a < 2; a++)
		for (b = 0; b < 2; b++)
			for (c = 0; c < NELEM(sbits); c++)
				for (d = 0; d < NELEM(cbits); d++) {
					p.server_no_context_takeover = flags[a];
					p.client_no_context_takeover = flags[b];
					p.server_max_window_bits = sbits[c];
					p.client_max_window_bits = cbits[d];
					n = pmd_format(out, sizeof out, &p);
					assert_int_equal(n, strlen(out));
					if (n == 18)
						continue;
					/* without "permessage-deflate; " */
					assert_int_equal(pmd_parse_params(
					    out + 20, (size_t)n - 20, 1, &q,
					    why, sizeof why), 0);
					assert_memory_equal(&p, &q, sizeof(p));
				}
}

static void
describe_both_directions(void **state)
{
	struct pmd_agreed a = agreed(15, 15, 0, 1);
	char out[200], small[10];

	assert_ptr_equal(pmd_describe(&a, out, sizeof out), out);
	assert_string_equal(out, "server 15-bit window, context takeover; "
	    "client 15-bit window, no context takeover");
	a = agreed(8, 12, 1, 0);
	assert_string_equal(pmd_describe(&a, out, sizeof out), "server 8-bit "
	    "window, no context takeover; client 12-bit window, context "
	    "takeover");
	assert_string_equal(pmd_describe(&a, small, sizeof small),
	    "server 8-");
}

/* ------------------------------------------------------------ client role */

static int
check(const char *resp, const char *offer_s, struct pmd_agreed *a,
    char *why)
{
	struct pmd_params offer;
	char *copy = xmalloc(strlen(resp));
	int r;

	assert_int_equal(pmd_parse_params(offer_s, strlen(offer_s), 1, &offer,
	    why, 200), 0);
	memcpy(copy, resp, strlen(resp));
	memset(a, 0xee, sizeof(*a));
	r = pmd_client_check(copy, strlen(resp), &offer, a, why, 200);
	free(copy);
	return r;
}

static void
check_ok(const char *resp, const char *offer, int sb, int cb, int snt,
    int cnt)
{
	struct pmd_agreed a;
	char why[200];

	if (check(resp, offer, &a, why) != 1)
		fail_msg("'%s' for '%s': %s", resp, offer, why);
	assert_string_equal(why, "");
	assert_int_equal(a.server_bits, sb);
	assert_int_equal(a.client_bits, cb);
	assert_int_equal(a.server_no_takeover, snt);
	assert_int_equal(a.client_no_takeover, cnt);
}

static void
check_fails(const char *resp, const char *offer, const char *want_why)
{
	struct pmd_agreed a;
	char why[200];

	if (check(resp, offer, &a, why) != -1)
		fail_msg("'%s' for '%s' accepted", resp, offer);
	if (strcmp(why, want_why) != 0)
		fail_msg("'%s' for '%s': why '%s', want '%s'", resp, offer,
		    why, want_why);
}

static void
client_check_empty_is_declined(void **state)
{
	struct pmd_agreed a;
	char why[200];

	assert_int_equal(check("", PMD_DEFAULT_OFFER, &a, why), 0);
	assert_string_equal(why, "");
	assert_int_equal(check(" \t", PMD_DEFAULT_OFFER, &a, why), 0);
	/* two empty headers joined */
	assert_int_equal(check(", ", PMD_DEFAULT_OFFER, &a, why), 0);
	assert_int_equal(pmd_client_check(NULL, 0, NULL, &a, why, sizeof why),
	    0);
}

static void
client_check_plain_accept(void **state)
{
	check_ok("permessage-deflate", "", 15, 15, 0, 0);
	check_ok("permessage-deflate", PMD_DEFAULT_OFFER, 15, 15, 0, 0);
	/* several headers joined, empty elements around */
	check_ok(", permessage-deflate ,", "", 15, 15, 0, 0);
}

static void
client_check_server_may_add(void **state)
{
	check_ok("permessage-deflate; server_no_context_takeover", "", 15, 15,
	    1, 0);
	check_ok("permessage-deflate; client_no_context_takeover", "", 15, 15,
	    0, 1);
	check_ok("permessage-deflate; server_max_window_bits=9", "", 9, 15, 0,
	    0);
	check_ok("permessage-deflate; server_no_context_takeover; "
	    "client_no_context_takeover; server_max_window_bits=8", "", 8, 15,
	    1, 1);
}

static void
client_check_offered_client_no_takeover_holds(void **state)
{
	/* 7.1.1.2: a promise, echoed or not */
	check_ok("permessage-deflate", "client_no_context_takeover", 15, 15,
	    0, 1);
	check_ok("permessage-deflate; client_no_context_takeover",
	    "client_no_context_takeover", 15, 15, 0, 1);
}

static void
client_check_client_bits(void **state)
{
	/* offered without a value: the server may pick one, or not */
	check_ok("permessage-deflate; client_max_window_bits=10",
	    PMD_DEFAULT_OFFER, 15, 10, 0, 0);
	check_ok("permessage-deflate; client_max_window_bits=15",
	    PMD_DEFAULT_OFFER, 15, 15, 0, 0);
	check_ok("permessage-deflate", PMD_DEFAULT_OFFER, 15, 15, 0, 0);
	/* offered with a value: at most that, and we keep to it anyway */
	check_ok("permessage-deflate; client_max_window_bits=9",
	    "client_max_window_bits=12", 15, 9, 0, 0);
	check_ok("permessage-deflate; client_max_window_bits=12",
	    "client_max_window_bits=12", 15, 12, 0, 0);
	check_ok("permessage-deflate", "client_max_window_bits=12", 15, 12, 0,
	    0);
}

static void
client_check_client_bits_not_offered(void **state)
{
	check_fails("permessage-deflate; client_max_window_bits=10", "",
	    "client_max_window_bits=10 in the response, but the offer did "
	    "not include client_max_window_bits");
	check_fails("permessage-deflate; client_max_window_bits=15",
	    "server_max_window_bits=10", "client_max_window_bits=15 in the "
	    "response, but the offer did not include client_max_window_bits");
}

static void
client_check_client_bits_above_offer(void **state)
{
	check_fails("permessage-deflate; client_max_window_bits=13",
	    "client_max_window_bits=12", "client_max_window_bits=13 in the "
	    "response is above the offered 12");
}

static void
client_check_client_bits_without_value(void **state)
{
	check_fails("permessage-deflate; client_max_window_bits",
	    PMD_DEFAULT_OFFER, "client_max_window_bits needs a value, 8 to "
	    "15 (it may go without one only in an offer)");
}

static void
client_check_server_bits(void **state)
{
	check_ok("permessage-deflate; server_max_window_bits=10",
	    "server_max_window_bits=10", 10, 15, 0, 0);
	check_ok("permessage-deflate; server_max_window_bits=8",
	    "server_max_window_bits=10", 8, 15, 0, 0);
	check_fails("permessage-deflate; server_max_window_bits=11",
	    "server_max_window_bits=10", "server_max_window_bits=11 in the "
	    "response is above the offered 10");
	check_fails("permessage-deflate", "server_max_window_bits=10",
	    "the offer asked for server_max_window_bits=10, but the response "
	    "leaves it out");
}

static void
client_check_server_no_takeover_requested(void **state)
{
	check_ok("permessage-deflate; server_no_context_takeover",
	    "server_no_context_takeover", 15, 15, 1, 0);
	check_fails("permessage-deflate", "server_no_context_takeover",
	    "the offer asked for server_no_context_takeover, but the "
	    "response leaves it out");
}

static void
client_check_invalid_parameters(void **state)
{
	check_fails("permessage-deflate; mux", "", "unknown parameter 'mux'");
	check_fails("permessage-deflate; server_max_window_bits=7", "",
	    "server_max_window_bits=7: the value must be 8 to 15");
	check_fails("permessage-deflate; server_max_window_bits=010", "",
	    "server_max_window_bits=010: the value must be 8 to 15, without "
	    "leading zeros");
	check_fails("permessage-deflate; server_max_window_bits", "",
	    "server_max_window_bits needs a value, 8 to 15");
	check_fails("permessage-deflate; server_no_context_takeover=1", "",
	    "server_no_context_takeover=1: server_no_context_takeover takes "
	    "no value");
	check_fails("permessage-deflate; server_no_context_takeover; "
	    "server_no_context_takeover", "", "server_no_context_takeover "
	    "given twice");
	check_fails("permessage-deflate; server_max_window_bits=9; "
	    "server_max_window_bits=9", "", "server_max_window_bits given "
	    "twice");
}

static void
client_check_accepted_twice(void **state)
{
	check_fails("permessage-deflate, permessage-deflate", "",
	    "server accepted permessage-deflate twice");
	check_fails("permessage-deflate; server_no_context_takeover, "
	    "permessage-deflate; client_max_window_bits=9", PMD_DEFAULT_OFFER,
	    "server accepted permessage-deflate twice");
}

static void
client_check_other_extension(void **state)
{
	check_fails("x-webkit-deflate-frame", "", "unknown extension "
	    "'x-webkit-deflate-frame'");
	check_fails("permessage-deflate, mux; max-channels=4", "",
	    "unknown extension 'mux'");
	/* names are compared as written, as browsers do */
	check_fails("Permessage-Deflate", "", "unknown extension "
	    "'Permessage-Deflate'");
	check_fails("permessage-deflate; Server_No_Context_Takeover", "",
	    "unknown parameter 'Server_No_Context_Takeover'");
}

static void
client_check_not_offered(void **state)
{
	struct pmd_agreed a;
	char why[200];

	assert_int_equal(pmd_client_check("permessage-deflate", 18, NULL, &a,
	    why, sizeof why), -1);
	assert_string_equal(why, "server accepted permessage-deflate, which "
	    "was not offered");
}

static void
client_check_quoted_values(void **state)
{
	check_ok("permessage-deflate; server_max_window_bits=\"10\"; "
	    "client_max_window_bits=\"9\"", PMD_DEFAULT_OFFER, 10, 9, 0, 0);
	check_ok("permessage-deflate;server_max_window_bits=\"1\\0\"", "", 10,
	    15, 0, 0);
	check_fails("permessage-deflate; server_max_window_bits=\"16\"", "",
	    "server_max_window_bits=\"16\": the value must be 8 to 15");
}

static void
client_check_whitespace(void **state)
{
	check_ok(" \tpermessage-deflate \t;\t server_max_window_bits \t=\t 9 "
	    "\t; client_max_window_bits=10\t ", PMD_DEFAULT_OFFER, 9, 10, 0,
	    0);
	check_ok("permessage-deflate;server_no_context_takeover", "", 15, 15,
	    1, 0);
}

static void
client_check_malformed(void **state)
{
	check_fails("permessage-deflate;", "", "expected a parameter name, "
	    "found the end at byte 19");
	check_fails("permessage-deflate x", "", "expected ';', ',' or the "
	    "end, found 'x' at byte 19");
	check_fails(";permessage-deflate", "", "expected an extension name, "
	    "found ';' at byte 0");
	check_fails("permessage-deflate; server_max_window_bits=\"10", "",
	    "expected the closing '\"', found the end at byte 46");
	check_fails("permessage-deflate\r\n", "", "expected ';', ',' or the "
	    "end, found byte 0x0d at byte 18");
	check_fails("\"permessage-deflate\"", "", "expected an extension name, "
	    "found '\"' at byte 0");
}

/* ------------------------------------------------------------ server role */

static int
accept_offer(const char *value, struct pmd_agreed *a, char *resp,
    char *why)
{
	char *copy = xmalloc(strlen(value));
	int r;

	memcpy(copy, value, strlen(value));
	memset(a, 0xee, sizeof(*a));
	r = pmd_server_accept(copy, strlen(value), a, resp, 200, why, 200);
	free(copy);
	return r;
}

static void
accept_ok(const char *value, const char *want_resp, int sb, int cb, int snt,
    int cnt)
{
	struct pmd_agreed a;
	char resp[200], why[200];

	if (accept_offer(value, &a, resp, why) != 1)
		fail_msg("'%s' not accepted: %s", value, why);
	assert_string_equal(resp, want_resp);
	assert_int_equal(a.server_bits, sb);
	assert_int_equal(a.client_bits, cb);
	assert_int_equal(a.server_no_takeover, snt);
	assert_int_equal(a.client_no_takeover, cnt);
}

static void
accept_result(const char *value, int want, const char *want_why)
{
	struct pmd_agreed a;
	char resp[200], why[200];

	assert_int_equal(accept_offer(value, &a, resp, why), want);
	if (strcmp(why, want_why) != 0)
		fail_msg("'%s': why '%s', want '%s'", value, why, want_why);
	if (want != 1)
		assert_string_equal(resp, "");
}

static void
server_accept_browser_offer(void **state)
{
	/* Chrome: the bare client_max_window_bits is not answered */
	accept_ok("permessage-deflate; client_max_window_bits",
	    "permessage-deflate", 15, 15, 0, 0);
	/* Firefox */
	accept_ok("permessage-deflate", "permessage-deflate", 15, 15, 0, 0);
}

static void
server_accept_echoes_client_max_window_bits(void **state)
{
	accept_ok("permessage-deflate; client_max_window_bits=10",
	    "permessage-deflate; client_max_window_bits=10", 15, 10, 0, 0);
}

static void
server_accept_answers_server_parameters(void **state)
{
	accept_ok("permessage-deflate; server_no_context_takeover",
	    "permessage-deflate; server_no_context_takeover", 15, 15, 1, 0);
	accept_ok("permessage-deflate; server_max_window_bits=8",
	    "permessage-deflate; server_max_window_bits=8", 8, 15, 0, 0);
	/* a client that promises not to keep its context needs no answer */
	accept_ok("permessage-deflate; client_no_context_takeover",
	    "permessage-deflate", 15, 15, 0, 1);
	accept_ok("permessage-deflate; client_max_window_bits=9; "
	    "client_no_context_takeover; server_max_window_bits=\"12\"; "
	    "server_no_context_takeover", "permessage-deflate; "
	    "server_no_context_takeover; server_max_window_bits=12; "
	    "client_max_window_bits=9", 12, 9, 1, 1);
}

static void
server_accept_first_invalid_second_valid(void **state)
{
	struct pmd_agreed a;
	char resp[200], why[200];

	assert_int_equal(accept_offer("permessage-deflate; "
	    "server_max_window_bits=16, permessage-deflate; "
	    "server_max_window_bits=10, permessage-deflate", &a, resp, why),
	    1);
	assert_string_equal(resp, "permessage-deflate; "
	    "server_max_window_bits=10");
	assert_string_equal(why, "skipped offer 1: server_max_window_bits=16: "
	    "the value must be 8 to 15");
	assert_int_equal(a.server_bits, 10);
}

static void
server_accept_first_valid_wins(void **state)
{
	accept_ok("permessage-deflate; server_no_context_takeover, "
	    "permessage-deflate", "permessage-deflate; "
	    "server_no_context_takeover", 15, 15, 1, 0);
	accept_ok("permessage-deflate, permessage-deflate; "
	    "server_no_context_takeover", "permessage-deflate", 15, 15, 0, 0);
}

static void
server_accept_other_extensions_mixed_in(void **state)
{
	accept_ok("x-webkit-deflate-frame, permessage-deflate; "
	    "client_max_window_bits, mux; max-channels=\"4\"; flow-control",
	    "permessage-deflate", 15, 15, 0, 0);
	/* other extensions may have parameters ours do not allow */
	accept_ok("foo; server_max_window_bits=99; x, permessage-deflate",
	    "permessage-deflate", 15, 15, 0, 0);
	/* case matters */
	accept_result("Permessage-Deflate", 0, "no permessage-deflate offer");
}

static void
server_accept_nothing_offered(void **state)
{
	accept_result("", 0, "no permessage-deflate offer");
	accept_result(" , ,", 0, "no permessage-deflate offer");
	accept_result("x-webkit-deflate-frame", 0, "no permessage-deflate "
	    "offer");
}

static void
server_accept_no_valid_offer(void **state)
{
	accept_result("permessage-deflate; mux", 0, "no valid "
	    "permessage-deflate offer (1 offered); offer 1: unknown "
	    "parameter 'mux'");
	accept_result("permessage-deflate; server_max_window_bits, "
	    "permessage-deflate; client_no_context_takeover=1", 0, "no valid "
	    "permessage-deflate offer (2 offered); offer 1: "
	    "server_max_window_bits needs a value, 8 to 15");
}

static void
server_accept_malformed_lists(void **state)
{
	accept_result("permessage-deflate;", -1, "expected a parameter name, "
	    "found the end at byte 19");
	accept_result("permessage-deflate; client_max_window_bits x", -1,
	    "expected ';', ',' or the end, found 'x' at byte 43");
	/* after an accepted offer too: the whole list must be valid */
	accept_result("permessage-deflate, x; y=", -1, "expected a value "
	    "after '=', found the end at byte 25");
	accept_result("permessage-deflate, x; y=\"a", -1, "expected the "
	    "closing '\"', found the end at byte 27");
	accept_result("permessage-deflate, =", -1, "expected an extension "
	    "name, found '=' at byte 20");
	accept_result("permessage-deflate; =", -1, "expected a parameter "
	    "name, found '=' at byte 20");
	/* an invalid offer is skipped, a broken list is not */
	accept_result("permessage-deflate; mux, permessage-deflate; ;", -1,
	    "expected a parameter name, found ';' at byte 45");
}

static void
server_accept_response_cap_too_small(void **state)
{
	struct pmd_agreed a;
	char resp[10], why[200];

	assert_int_equal(pmd_server_accept("permessage-deflate", 18, &a, resp,
	    sizeof resp, why, sizeof why), -1);
	assert_string_equal(why, "response buffer too small (10 bytes)");
	assert_string_equal(resp, "");
}

static void
server_response_passes_client_check(void **state)
{
	/* every offer our parser accepts: the server's answer satisfies
	 * the client's check, and both agree */
	static const int sbits[] = { 0, 8, 9, 12, 15 };
	static const int cbits[] = { 0, PMD_BITS_NO_VALUE, 8, 11, 15 };
	struct pmd_params o;
	struct pmd_agreed sa, ca;
	char offer[200], resp[200], why[200];
	size_t c, d;
	int snt, cnt;
	long n;

	for (snt = 0; snt <= 1; snt++)
		for (cnt = 0; cnt <= 1; cnt++)
			for (c = 0; c < NELEM(sbits); c++)
				for (d = 0; d < NELEM(cbits); d++) {
					o.server_no_context_takeover = snt;
					o.client_no_context_takeover = cnt;
					o.server_max_window_bits = sbits[c];
					o.client_max_window_bits = cbits[d];
					n = pmd_format(offer, sizeof offer,
					    &o);
					assert_true(n > 0);
					assert_int_equal(pmd_server_accept(
					    offer, (size_t)n, &sa, resp,
					    sizeof resp, why, sizeof why), 1);
					assert_int_equal(pmd_client_check(
					    resp, strlen(resp), &o, &ca, why,
					    sizeof why), 1);
					assert_memory_equal(&sa, &ca,
					    sizeof(sa));
				}
}

/* -------------------------------------------------------------- test data */

/* xorshift64: the same "random" data on every run */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
fill_random(uint8_t *p, size_t n, uint64_t *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(rnd(s) >> 24);
}

/* Text-like data with many repeats near and far. */
static void
fill_repetitive(uint8_t *p, size_t n, uint64_t *s)
{
	static const char *const words[] = { "websocket ", "deflate ",
		"window ", "context ", "takeover ", "{\"id\":", "42, ",
		"\"msg\": \"hello\"}\n", "permessage ", "zlib " };
	size_t i = 0, w;

	while (i < n) {
		const char *word = words[rnd(s) % NELEM(words)];

		for (w = 0; word[w] != '\0' && i < n; w++)
			p[i++] = (uint8_t)word[w];
	}
}

/* ------------------------------------------------------------------ sinks */

struct got {
	uint8_t *p;        /* everything received, in order */
	size_t len;
	size_t cap;
	size_t calls;      /* sink calls */
	size_t max_chunk;  /* the longest chunk */
	size_t stop_after; /* return nonzero on this call (0: never) */
	int count_only;    /* keep no bytes, only count them */
	int all_zero;      /* every byte seen was 0 */
};

static void
got_init(struct got *g)
{
	memset(g, 0, sizeof(*g));
	g->all_zero = 1;
}

static int
sink(void *ctx, const uint8_t *p, size_t n)
{
	struct got *g = ctx;
	size_t i;

	assert_true(n > 0);
	assert_true(n <= PMD_CHUNK);
	g->calls++;
	if (n > g->max_chunk)
		g->max_chunk = n;
	if (g->count_only) {
		for (i = 0; i < n && g->all_zero; i++)
			g->all_zero = p[i] == 0;
		g->len += n;
	} else {
		if (g->len + n > g->cap) {
			g->cap = (g->len + n) * 2;
			g->p = realloc(g->p, g->cap);
			assert_non_null(g->p);
		}
		memcpy(g->p + g->len, p, n);
		g->len += n;
	}
	return g->stop_after && g->calls >= g->stop_after;
}

static int
no_sink(void *ctx, const uint8_t *p, size_t n)
{
	fail_msg("sink called with %zu bytes", n);
	return 1;
}

/* ---------------------------------------------------------------- feeding */

typedef int (*pmd_fn)(struct pmd *, const uint8_t *, size_t, int, pmd_sink,
    void *);

/*
 * One message through fn in pieces: piece 0 means all at once, else pieces
 * of 1..piece bytes (random sizes when rng is set), each in its own exact
 * buffer, then fin with no bytes. Returns the first non-OK result.
 */
static int
feed(pmd_fn fn, struct pmd *z, const uint8_t *p, size_t n, size_t piece,
    uint64_t *rng, struct got *g)
{
	size_t pos = 0, k;
	uint8_t *buf;
	int r;

	if (piece == 0) {
		buf = xmalloc(n);
		if (n)
			memcpy(buf, p, n);
		r = fn(z, buf, n, 1, sink, g);
		free(buf);
		return r;
	}
	while (pos < n) {
		k = rng ? 1 + rnd(rng) % piece : piece;
		if (k > n - pos)
			k = n - pos;
		buf = xmalloc(k);
		memcpy(buf, p + pos, k);
		r = fn(z, buf, k, 0, sink, g);
		free(buf);
		if (r != PMD_OK)
			return r;
		pos += k;
	}
	return fn(z, NULL, 0, 1, sink, g);
}

/* Inflate one message; expect it to give want[0..wlen). */
static void
inflate_expect(struct pmd *z, const uint8_t *in, size_t n, size_t piece,
    const void *want, size_t wlen)
{
	struct got g;

	got_init(&g);
	assert_int_equal(feed(pmd_inflate, z, in, n, piece, NULL, &g),
	    PMD_OK);
	assert_int_equal(g.len, wlen);
	if (wlen)
		assert_memory_equal(g.p, want, wlen);
	free(g.p);
}

static void
deflate_expect(struct pmd *z, const void *in, size_t n, const uint8_t *want,
    size_t wlen)
{
	struct got g;

	got_init(&g);
	assert_int_equal(feed(pmd_deflate, z, in, n, 0, NULL, &g), PMD_OK);
	assert_int_equal(g.len, wlen);
	assert_memory_equal(g.p, want, wlen);
	free(g.p);
}

/* Inflate a message expected to fail: returns the result, keeps what came
 * out in g. */
static int
inflate_fail(struct pmd *z, const uint8_t *in, size_t n)
{
	struct got g;
	int r;

	got_init(&g);
	r = feed(pmd_inflate, z, in, n, 0, NULL, &g);
	free(g.p);
	return r;
}

/* -------------------------------------------- a strict reference inflater */

/*
 * Inflate compressed messages with zlib one output byte per call: a
 * back-reference is then checked against the window alone (plus at most
 * the byte being written), so anything further back than 1 << bits fails.
 */
struct strict {
	z_stream s;
	int bits;
	int reset;
};

static void
strict_init(struct strict *st, int bits, int reset)
{
	memset(st, 0, sizeof(*st));
	st->bits = bits;
	st->reset = reset;
	assert_int_equal(inflateInit2(&st->s, -bits), Z_OK);
}

static void
strict_message(struct strict *st, const uint8_t *in, size_t n,
    const uint8_t *want, size_t wlen)
{
	static const uint8_t tail[4] = { 0, 0, 0xff, 0xff };
	uint8_t *buf = xmalloc(n + 4), b;
	size_t out = 0;
	int r;

	memcpy(buf, in, n);
	memcpy(buf + n, tail, 4);
	st->s.next_in = buf;
	st->s.avail_in = (uInt)(n + 4);
	for (;;) {
		st->s.next_out = &b;
		st->s.avail_out = 1;
		r = inflate(&st->s, Z_SYNC_FLUSH);
		if (r != Z_OK && r != Z_BUF_ERROR)
			fail_msg("strict inflate at %d bits: %d %s", st->bits,
			    r, st->s.msg ? st->s.msg : "");
		if (st->s.avail_out == 0) {
			assert_true(out < wlen);
			assert_int_equal(b, want[out]);
			out++;
		} else if (st->s.avail_in == 0) {
			break;
		}
	}
	assert_int_equal(out, wlen);
	free(buf);
	if (st->reset)
		assert_int_equal(inflateReset(&st->s), Z_OK);
}

/* --------------------------------------------------------------- RFC 7692 */

static const uint8_t HELLO[] = { 'H', 'e', 'l', 'l', 'o' };
/* 7.2.3.1 */
static const uint8_t HELLO_Z[] = { 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07,
	0x00 };
/* 7.2.3.2: the second "Hello" with context takeover */
static const uint8_t HELLO_AGAIN_Z[] = { 0xf2, 0x00, 0x11, 0x00, 0x00 };

static struct pmd *
client(int server_bits, int server_no_takeover)
{
	struct pmd_agreed a = agreed(server_bits, 15, server_no_takeover, 0);
	struct pmd *z = pmd_new(&a, 1);

	assert_non_null(z);
	return z;
}

static void
rfc_hello_whole(void **state)
{
	struct pmd *z = client(15, 0);

	inflate_expect(z, HELLO_Z, sizeof HELLO_Z, 0, HELLO, sizeof HELLO);
	assert_string_equal(pmd_error(z), "");
	pmd_free(z);
}

static void
rfc_hello_one_byte_at_a_time(void **state)
{
	struct pmd *z = client(15, 0);

	inflate_expect(z, HELLO_Z, sizeof HELLO_Z, 1, HELLO, sizeof HELLO);
	/* and the stream is where it should be for the next message */
	inflate_expect(z, HELLO_AGAIN_Z, sizeof HELLO_AGAIN_Z, 1, HELLO,
	    sizeof HELLO);
	pmd_free(z);
}

static void
rfc_context_takeover_second_hello(void **state)
{
	struct pmd *z = client(15, 0);

	inflate_expect(z, HELLO_Z, sizeof HELLO_Z, 0, HELLO, sizeof HELLO);
	inflate_expect(z, HELLO_AGAIN_Z, sizeof HELLO_AGAIN_Z, 0, HELLO,
	    sizeof HELLO);
	inflate_expect(z, HELLO_AGAIN_Z, sizeof HELLO_AGAIN_Z, 0, HELLO,
	    sizeof HELLO);
	pmd_free(z);
}

static void
rfc_no_compression_block(void **state)
{
	/* 7.2.3.3 */
	static const uint8_t in[] = { 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48,
		0x65, 0x6c, 0x6c, 0x6f, 0x00 };
	struct pmd *z = client(15, 0);

	inflate_expect(z, in, sizeof in, 0, HELLO, sizeof HELLO);
	inflate_expect(z, in, sizeof in, 1, HELLO, sizeof HELLO);
	pmd_free(z);
}

static void
rfc_bfinal_block(void **state)
{
	/* 7.2.3.4 */
	static const uint8_t in[] = { 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07,
		0x00, 0x00 };
	struct pmd *z = client(15, 0);

	inflate_expect(z, in, sizeof in, 0, HELLO, sizeof HELLO);
	inflate_expect(z, in, sizeof in, 1, HELLO, sizeof HELLO);
	pmd_free(z);
}

static void
rfc_two_blocks_in_one_message(void **state)
{
	/* 7.2.3.5 */
	static const uint8_t in[] = { 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00,
		0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00 };
	struct pmd *z = client(15, 0);

	inflate_expect(z, in, sizeof in, 0, HELLO, sizeof HELLO);
	inflate_expect(z, in, sizeof in, 1, HELLO, sizeof HELLO);
	pmd_free(z);
}

static void
rfc_empty_message_inflates(void **state)
{
	/* 7.2.3.6 */
	static const uint8_t in[] = { 0x00 };
	struct pmd *z = client(15, 0);

	inflate_expect(z, in, sizeof in, 0, "", 0);
	inflate_expect(z, HELLO_Z, sizeof HELLO_Z, 0, HELLO, sizeof HELLO);
	inflate_expect(z, in, sizeof in, 0, "", 0);
	inflate_expect(z, HELLO_AGAIN_Z, sizeof HELLO_AGAIN_Z, 0, HELLO,
	    sizeof HELLO);
	pmd_free(z);
}

/* ---------------------------------------------------------- inflate edges */

static void
bfinal_window_carried_into_next_message(void **state)
{
	static const uint8_t in[] = { 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07,
		0x00, 0x00 };
	struct pmd *z = client(15, 0);

	inflate_expect(z, in, sizeof in, 0, HELLO, sizeof HELLO);
	inflate_expect(z, HELLO_AGAIN_Z, sizeof HELLO_AGAIN_Z, 0, HELLO,
	    sizeof HELLO);
	pmd_free(z);
}

static void
bfinal_without_trailing_empty_block(void **state)
{
	/* the 7.2.3.4 example less its 0x00: nothing after the final block,
	 * so no tail is needed either */
	static const uint8_t in[] = { 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07,
		0x00 };
	struct pmd *z = client(15, 0);

	inflate_expect(z, in, sizeof in, 0, HELLO, sizeof HELLO);
	inflate_expect(z, in, sizeof in, 1, HELLO, sizeof HELLO);
	inflate_expect(z, HELLO_AGAIN_Z, sizeof HELLO_AGAIN_Z, 0, HELLO,
	    sizeof HELLO);
	pmd_free(z);
}

static void
bfinal_then_more_blocks_in_same_message(void **state)
{
	/* "Hello" in a final block, then "Hello" again referring back to
	 * it from a new stream, in one message */
	static const uint8_t in[] = { 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07,
		0x00, 0xf2, 0x00, 0x11, 0x00, 0x00 };
	static const char want[] = "HelloHello";
	struct pmd *z = client(15, 0);

	inflate_expect(z, in, sizeof in, 0, want, 10);
	inflate_expect(z, in, sizeof in, 1, want, 10);
	pmd_free(z);
}

static void
bfinal_no_context_takeover_not_carried(void **state)
{
	static const uint8_t in[] = { 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07,
		0x00, 0x00 };
	struct pmd *z = client(15, 1);

	inflate_expect(z, in, sizeof in, 0, HELLO, sizeof HELLO);
	assert_int_equal(inflate_fail(z, HELLO_AGAIN_Z, sizeof HELLO_AGAIN_Z),
	    PMD_ERR_DATA);
	assert_string_equal(pmd_error(z), "invalid distance too far back");
	pmd_free(z);
}

static void
empty_payload_is_empty_message(void **state)
{
	struct pmd *z = client(15, 0);

	inflate_expect(z, NULL, 0, 0, "", 0);
	inflate_expect(z, HELLO_Z, sizeof HELLO_Z, 0, HELLO, sizeof HELLO);
	inflate_expect(z, NULL, 0, 0, "", 0);
	inflate_expect(z, HELLO_AGAIN_Z, sizeof HELLO_AGAIN_Z, 0, HELLO,
	    sizeof HELLO);
	pmd_free(z);
}

static void
invalid_data_zlib_message(void **state)
{
	/* BTYPE 11 is reserved */
	static const uint8_t in[] = { 0xff, 0xff, 0xff };
	struct pmd *z = client(15, 0);

	assert_int_equal(inflate_fail(z, in, sizeof in), PMD_ERR_DATA);
	assert_string_equal(pmd_error(z), "invalid block type");
	pmd_free(z);
}

static void
invalid_stored_length(void **state)
{
	static const uint8_t in[] = { 0x00, 0x05, 0x00, 0x00, 0x00, 'H' };
	struct pmd *z = client(15, 0);

	assert_int_equal(inflate_fail(z, in, sizeof in), PMD_ERR_DATA);
	assert_string_equal(pmd_error(z), "invalid stored block lengths");
	pmd_free(z);
}

static void
message_ending_inside_a_block(void **state)
{
	/* a stored block of 5 bytes cut after 2: the tail fills 4 more, the
	 * block is still one byte short at the end of the message */
	static const uint8_t in[] = { 0x00, 0x07, 0x00, 0xf8, 0xff, 'H',
		'e' };
	struct pmd *z = client(15, 0);

	assert_int_equal(inflate_fail(z, in, sizeof in), PMD_ERR_DATA);
	assert_string_equal(pmd_error(z), "message ends inside a DEFLATE "
	    "block");
	pmd_free(z);
}

static void
message_without_flush_is_invalid(void **state)
{
	/* "Hello" deflated with Z_NO_FLUSH and Z_PARTIAL_FLUSH: no empty
	 * stored block at the end, as 7.2.1 requires */
	uint8_t buf[64];
	z_stream s;
	struct pmd *z = client(15, 0);

	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&s, 6, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	s.next_in = (Bytef *)(uintptr_t)HELLO;
	s.avail_in = sizeof HELLO;
	s.next_out = buf;
	s.avail_out = sizeof buf;
	assert_int_equal(deflate(&s, Z_PARTIAL_FLUSH), Z_OK);
	assert_int_equal(inflate_fail(z, buf, sizeof buf - s.avail_out),
	    PMD_ERR_DATA);
	deflateEnd(&s);
	pmd_free(z);
}

static void
errors_are_sticky(void **state)
{
	static const uint8_t bad[] = { 0xff, 0xff, 0xff };
	struct pmd *z = client(15, 0);

	assert_int_equal(inflate_fail(z, bad, sizeof bad), PMD_ERR_DATA);
	assert_int_equal(pmd_inflate(z, HELLO_Z, sizeof HELLO_Z, 1, no_sink,
	    NULL), PMD_ERR_DATA);
	assert_int_equal(pmd_inflate(z, NULL, 0, 1, no_sink, NULL),
	    PMD_ERR_DATA);
	assert_string_equal(pmd_error(z), "invalid block type");
	/* the other direction is not affected */
	deflate_expect(z, HELLO, sizeof HELLO, HELLO_Z, sizeof HELLO_Z);
	pmd_free(z);
}

/* Compressed with a 15-bit window: dist random bytes, then 500 of them
 * again, one back-reference dist bytes long. */
static size_t
far_reference(size_t dist, uint8_t **out, uint8_t **plain)
{
	struct pmd_agreed a = agreed(15, 15, 0, 0);
	struct pmd *z = pmd_new(&a, 0);
	uint64_t seed = 7;
	uint8_t *p = xmalloc(dist + 500);
	struct got g;

	fill_random(p, dist, &seed);
	memcpy(p + dist, p, 500);
	got_init(&g);
	assert_int_equal(feed(pmd_deflate, z, p, dist + 500, 0, NULL, &g),
	    PMD_OK);
	/* the 500 bytes cost a few: it did refer back */
	assert_true(g.len < dist + 100);
	pmd_free(z);
	*out = g.p;
	*plain = p;
	return g.len;
}

static void
beyond(size_t dist, int bits, int fails)
{
	uint8_t *in, *plain;
	size_t n = far_reference(dist, &in, &plain);
	struct pmd *z = client(bits, 0);

	if (fails) {
		assert_int_equal(inflate_fail(z, in, n), PMD_ERR_DATA);
		assert_string_equal(pmd_error(z),
		    "invalid distance too far back");
	} else {
		inflate_expect(z, in, n, 0, plain, dist + 500);
	}
	pmd_free(z);
	free(in);
	free(plain);
}

static void
reference_beyond_window(void **state)
{
	/* the case of the contract: 20000 bytes back, 9 bits agreed */
	beyond(20000, 9, 1);
	/* more than twice the window back, within one output chunk: each
	 * inflate() call may write no more than a window */
	beyond(3000, 9, 1);
	beyond(3000, 10, 1);
	beyond(20000, 13, 1);
	/* fine where it was negotiated */
	beyond(20000, 15, 0);
	beyond(3000, 12, 0);
}

static void
context_reused_after_server_no_takeover(void **state)
{
	struct pmd *z = client(15, 1);

	inflate_expect(z, HELLO_Z, sizeof HELLO_Z, 0, HELLO, sizeof HELLO);
	assert_int_equal(inflate_fail(z, HELLO_AGAIN_Z, sizeof HELLO_AGAIN_Z),
	    PMD_ERR_DATA);
	assert_string_equal(pmd_error(z), "invalid distance too far back");
	pmd_free(z);
}

static void
context_reused_after_client_no_takeover(void **state)
{
	/* the server side: the client promised to reset */
	struct pmd_agreed a = agreed(15, 15, 0, 1);
	struct pmd *z = pmd_new(&a, 0);

	assert_non_null(z);
	inflate_expect(z, HELLO_Z, sizeof HELLO_Z, 0, HELLO, sizeof HELLO);
	assert_int_equal(inflate_fail(z, HELLO_AGAIN_Z, sizeof HELLO_AGAIN_Z),
	    PMD_ERR_DATA);
	pmd_free(z);
}

static void
inflate_sink_stop(void **state)
{
	struct pmd *z = client(15, 0);
	struct got g;

	got_init(&g);
	g.stop_after = 1;
	assert_int_equal(pmd_inflate(z, HELLO_Z, sizeof HELLO_Z, 1, sink, &g),
	    PMD_STOPPED);
	assert_int_equal(g.calls, 1);
	/* the stream is left mid-message: it stays stopped */
	assert_int_equal(pmd_inflate(z, HELLO_Z, sizeof HELLO_Z, 1, no_sink,
	    NULL), PMD_STOPPED);
	free(g.p);
	pmd_free(z);
}

/* ------------------------------------------------------------------ bombs */

struct bits {
	uint8_t *p;
	size_t len;
	uint32_t acc;
	int n;
};

static void
put_bits(struct bits *b, uint32_t v, int n)
{
	b->acc |= v << b->n;
	b->n += n;
	while (b->n >= 8) {
		b->p[b->len++] = (uint8_t)b->acc;
		b->acc >>= 8;
		b->n -= 8;
	}
}

/* Huffman codes go most significant bit first (RFC 1951 3.1.1). */
static void
put_code(struct bits *b, uint32_t code, int n)
{
	uint32_t r = 0;
	int i;

	for (i = 0; i < n; i++)
		r |= ((code >> i) & 1) << (n - 1 - i);
	put_bits(b, r, n);
}

/*
 * A message that inflates to 1 + 258 * pairs zero bytes: one fixed Huffman
 * block holding a literal 0 and then (length 258, distance 1) over and over,
 * 13 bits each; then an empty stored block less its tail.
 */
static size_t
bomb(uint8_t **out, size_t pairs)
{
	struct bits b = { xmalloc(pairs * 13 / 8 + 16), 0, 0, 0 };
	size_t i;

	put_bits(&b, 0, 1);      /* BFINAL 0 */
	put_bits(&b, 1, 2);      /* BTYPE 01, fixed codes */
	put_code(&b, 0x30, 8);   /* literal 0 */
	for (i = 0; i < pairs; i++) {
		put_code(&b, 0xc5, 8); /* length code 285: 258 */
		put_code(&b, 0, 5);    /* distance code 0: 1 */
	}
	put_code(&b, 0, 7);      /* end of block */
	put_bits(&b, 0, 3);      /* stored block header */
	if (b.n > 0)
		put_bits(&b, 0, 8 - b.n);
	*out = b.p;
	return b.len;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
bomb_stopped_by_sink(void **state)
{
	/* 1 GiB inflated from 6.8 MB */
	size_t pairs = (((size_t)1 << 30) - 1) / 258, n;
	struct pmd *z = client(15, 0);
	struct got g;
	uint8_t *in;
	double t0;

	n = bomb(&in, pairs);
	assert_true(n > 6000000 && n < 7000000);
	got_init(&g);
	g.count_only = 1;
	g.stop_after = 4;
	t0 = now();
	assert_int_equal(pmd_inflate(z, in, n, 1, sink, &g), PMD_STOPPED);
	assert_true(now() - t0 < 0.5);
	assert_int_equal(g.calls, 4);
	assert_true(g.len <= 4 * PMD_CHUNK);
	assert_true(g.all_zero);
	/* stays stopped */
	assert_int_equal(pmd_inflate(z, in, n, 1, no_sink, NULL), PMD_STOPPED);
	free(in);
	pmd_free(z);
}

static void
bomb_streams_in_chunks(void **state)
{
	/* 64 MiB, all of it, in chunks; fed whole and in 64 KiB pieces */
	size_t pairs = ((size_t)64 * MIB - 1) / 258, n;
	uint64_t want = 1 + (uint64_t)pairs * 258;
	struct pmd *z = client(15, 0);
	struct got g;
	uint8_t *in;

	n = bomb(&in, pairs);
	got_init(&g);
	g.count_only = 1;
	assert_int_equal(feed(pmd_inflate, z, in, n, 0, NULL, &g), PMD_OK);
	assert_true(g.len == want);
	assert_true(g.all_zero);
	assert_int_equal(g.max_chunk, PMD_CHUNK);
	assert_true(g.calls >= want / PMD_CHUNK);
	got_init(&g);
	g.count_only = 1;
	assert_int_equal(feed(pmd_inflate, z, in, n, 65536, NULL, &g), PMD_OK);
	assert_true(g.len == want);
	assert_true(g.all_zero);
	free(in);
	pmd_free(z);
}

/* ---------------------------------------------------------------- deflate */

static void
deflate_hello_matches_rfc(void **state)
{
	struct pmd *z = client(15, 0);

	deflate_expect(z, HELLO, sizeof HELLO, HELLO_Z, sizeof HELLO_Z);
	deflate_expect(z, HELLO, sizeof HELLO, HELLO_AGAIN_Z,
	    sizeof HELLO_AGAIN_Z);
	pmd_free(z);
}

static void
deflate_no_context_takeover_resets(void **state)
{
	struct pmd_agreed a = agreed(15, 15, 0, 1);
	struct pmd *z = pmd_new(&a, 1);

	assert_non_null(z);
	deflate_expect(z, HELLO, sizeof HELLO, HELLO_Z, sizeof HELLO_Z);
	deflate_expect(z, HELLO, sizeof HELLO, HELLO_Z, sizeof HELLO_Z);
	pmd_free(z);
	/* the server's own flag governs the server's output */
	a = agreed(15, 15, 1, 0);
	z = pmd_new(&a, 0);
	deflate_expect(z, HELLO, sizeof HELLO, HELLO_Z, sizeof HELLO_Z);
	deflate_expect(z, HELLO, sizeof HELLO, HELLO_Z, sizeof HELLO_Z);
	pmd_free(z);
}

static void
deflate_empty_message_is_one_zero_byte(void **state)
{
	static const uint8_t zero[] = { 0x00 };
	struct pmd_agreed a = agreed(15, 15, 0, 1);
	struct pmd *z = client(15, 0), *reset = pmd_new(&a, 1);

	/* fresh, after a message (zlib then flushes nothing at all), and
	 * twice in a row */
	deflate_expect(z, "", 0, zero, 1);
	deflate_expect(z, HELLO, sizeof HELLO, HELLO_Z, sizeof HELLO_Z);
	deflate_expect(z, "", 0, zero, 1);
	deflate_expect(z, "", 0, zero, 1);
	deflate_expect(z, HELLO, sizeof HELLO, HELLO_AGAIN_Z,
	    sizeof HELLO_AGAIN_Z);
	deflate_expect(reset, "", 0, zero, 1);
	deflate_expect(reset, HELLO, sizeof HELLO, HELLO_Z, sizeof HELLO_Z);
	deflate_expect(reset, "", 0, zero, 1);
	pmd_free(z);
	pmd_free(reset);
}

static void
deflate_holds_back_four_bytes_until_fin(void **state)
{
	uint64_t seed = 3;
	uint8_t *p = xmalloc(100000);
	struct pmd *z = client(15, 0);
	struct got g;

	fill_random(p, 100000, &seed);
	got_init(&g);
	assert_int_equal(pmd_deflate(z, p, 100000, 0, sink, &g), PMD_OK);
	/* nothing ends with the tail before fin: it is never emitted */
	assert_int_equal(pmd_deflate(z, NULL, 0, 1, sink, &g), PMD_OK);
	assert_true(g.len > 100000);
	assert_true(g.len < 4 || memcmp(g.p + g.len - 4,
	    (const uint8_t[]){ 0, 0, 0xff, 0xff }, 4) != 0);
	assert_true(g.max_chunk <= PMD_CHUNK);
	free(g.p);
	free(p);
	pmd_free(z);
}

static void
deflate_window_8_has_no_back_references(void **state)
{
	/* "abcabcabc..." would be all back-references at distance 3 */
	struct pmd_agreed a = agreed(15, 8, 0, 0);
	struct pmd *z = pmd_new(&a, 1);
	uint8_t p[3000];
	struct strict st;
	struct got g;
	size_t i;

	assert_non_null(z);
	for (i = 0; i < sizeof p; i++)
		p[i] = (uint8_t)('a' + i % 3);
	got_init(&g);
	assert_int_equal(feed(pmd_deflate, z, p, sizeof p, 0, NULL, &g),
	    PMD_OK);
	/* Huffman only: about 1.6 bits a symbol, not a few bytes total */
	assert_true(g.len > sizeof p / 8);
	strict_init(&st, 8, 0);
	strict_message(&st, g.p, g.len, p, sizeof p);
	inflateEnd(&st.s);
	free(g.p);
	pmd_free(z);
}

static void
deflate_sink_stop(void **state)
{
	struct pmd *z = client(15, 0);
	struct got g;

	got_init(&g);
	g.stop_after = 1;
	assert_int_equal(pmd_deflate(z, HELLO, sizeof HELLO, 1, sink, &g),
	    PMD_STOPPED);
	assert_int_equal(pmd_deflate(z, HELLO, sizeof HELLO, 1, no_sink,
	    NULL), PMD_STOPPED);
	/* the other direction is not affected */
	inflate_expect(z, HELLO_Z, sizeof HELLO_Z, 0, HELLO, sizeof HELLO);
	free(g.p);
	pmd_free(z);
}

/* ------------------------------------------------------------ round trips */

/*
 * nmsg messages of up to maxlen bytes from the client to the server at the
 * given window, deflated and inflated in pieces of random sizes, each
 * compressed message also checked by the strict inflater.
 */
static void
roundtrip(int bits, int no_takeover, int repetitive, size_t nmsg,
    size_t maxlen, uint64_t seed)
{
	struct pmd_agreed a = agreed(15, bits, 0, no_takeover);
	struct pmd *c = pmd_new(&a, 1), *s = pmd_new(&a, 0);
	uint8_t *p = xmalloc(maxlen);
	struct strict st;
	struct got zg, g;
	size_t i, len, piece;

	assert_non_null(c);
	assert_non_null(s);
	strict_init(&st, bits, no_takeover);
	for (i = 0; i < nmsg; i++) {
		len = i == 0 ? maxlen : rnd(&seed) % maxlen;
		if (i == 1)
			len = 0;
		if (repetitive)
			fill_repetitive(p, len, &seed);
		else
			fill_random(p, len, &seed);
		piece = 1 + rnd(&seed) % 20000;
		got_init(&zg);
		assert_int_equal(feed(pmd_deflate, c, p, len, piece, &seed,
		    &zg), PMD_OK);
		assert_true(zg.len > 0);
		if (repetitive && len > 10000 && bits > 8)
			assert_true(zg.len < len / 2);
		got_init(&g);
		piece = 1 + rnd(&seed) % 5000;
		assert_int_equal(feed(pmd_inflate, s, zg.p, zg.len, piece,
		    &seed, &g), PMD_OK);
		assert_int_equal(g.len, len);
		if (len)
			assert_memory_equal(g.p, p, len);
		if (repetitive || len < 20000)
			strict_message(&st, zg.p, zg.len, p, len);
		free(zg.p);
		free(g.p);
	}
	inflateEnd(&st.s);
	free(p);
	pmd_free(c);
	pmd_free(s);
}

static void
roundtrip_every_window_takeover_or_not(void **state)
{
	int bits, reset;

	for (bits = PMD_MIN_BITS; bits <= PMD_MAX_BITS; bits++)
		for (reset = 0; reset <= 1; reset++) {
			roundtrip(bits, reset, 1, 6, 60000, (uint64_t)bits *
			    31 + reset + 1);
			roundtrip(bits, reset, 0, 4, 30000, (uint64_t)bits *
			    37 + reset + 1);
		}
}

static void
roundtrip_1mib_messages(void **state)
{
	roundtrip(15, 0, 1, 3, MIB, 11);
	roundtrip(15, 1, 0, 2, MIB, 12);
	roundtrip(8, 0, 1, 2, MIB, 13);
	roundtrip(10, 1, 1, 2, MIB, 14);
}

static void
roundtrip_server_to_client_asymmetric(void **state)
{
	/* different windows and takeover per direction */
	struct pmd_agreed a = agreed(10, 13, 1, 0);
	struct pmd *c = pmd_new(&a, 1), *s = pmd_new(&a, 0);
	uint64_t seed = 5;
	uint8_t p[40000];
	struct strict st;
	struct got zg, g;
	int i;

	strict_init(&st, 10, 1);
	for (i = 0; i < 3; i++) {
		fill_repetitive(p, sizeof p, &seed);
		got_init(&zg);
		assert_int_equal(feed(pmd_deflate, s, p, sizeof p, 777, NULL,
		    &zg), PMD_OK);
		strict_message(&st, zg.p, zg.len, p, sizeof p);
		got_init(&g);
		assert_int_equal(feed(pmd_inflate, c, zg.p, zg.len, 0, NULL,
		    &g), PMD_OK);
		assert_int_equal(g.len, sizeof p);
		assert_memory_equal(g.p, p, sizeof p);
		free(zg.p);
		free(g.p);
	}
	inflateEnd(&st.s);
	pmd_free(c);
	pmd_free(s);
}

static void
output_chunks_never_exceed_pmd_chunk(void **state)
{
	/* 1 MiB of zeros inflates in full chunks; 1 MiB of random data
	 * deflates into some */
	struct pmd *z = client(15, 0);
	uint8_t *p = calloc(1, MIB);
	uint64_t seed = 9;
	struct got zg, g;

	assert_non_null(p);
	got_init(&zg);
	assert_int_equal(feed(pmd_deflate, z, p, MIB, 0, NULL, &zg), PMD_OK);
	assert_true(zg.max_chunk <= PMD_CHUNK);
	got_init(&g);
	assert_int_equal(feed(pmd_inflate, z, zg.p, zg.len, 0, NULL, &g),
	    PMD_OK);
	assert_int_equal(g.len, MIB);
	assert_int_equal(g.max_chunk, PMD_CHUNK);
	free(zg.p);
	free(g.p);
	fill_random(p, MIB, &seed);
	got_init(&zg);
	assert_int_equal(feed(pmd_deflate, z, p, MIB, 0, NULL, &zg), PMD_OK);
	assert_int_equal(zg.max_chunk, PMD_CHUNK);
	free(zg.p);
	free(p);
	pmd_free(z);
}

static void
new_rejects_bad_windows(void **state)
{
	struct pmd_agreed a = agreed(7, 15, 0, 0);

	assert_null(pmd_new(&a, 1));
	assert_null(pmd_new(&a, 0));
	a = agreed(15, 16, 0, 0);
	assert_null(pmd_new(&a, 1));
	a = agreed(8, 8, 0, 0);
	pmd_free(pmd_new(&a, 1));
	pmd_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(params_empty_is_no_parameters),
		cmocka_unit_test(params_all_four),
		cmocka_unit_test(params_client_bits_without_value_offer_only),
		cmocka_unit_test(params_whitespace_around_separators),
		cmocka_unit_test(params_quoted_values),
		cmocka_unit_test(params_unknown_parameter),
		cmocka_unit_test(params_given_twice),
		cmocka_unit_test(params_value_where_none_allowed),
		cmocka_unit_test(params_missing_value),
		cmocka_unit_test(params_bits_out_of_range),
		cmocka_unit_test(params_bits_leading_zeros),
		cmocka_unit_test(params_bits_not_a_number),
		cmocka_unit_test(params_syntax_errors),
		cmocka_unit_test(params_nul_byte_ends_nothing),
		cmocka_unit_test(params_why_truncated_to_cap),
		cmocka_unit_test(params_long_name_shortened_in_why),
		cmocka_unit_test(format_fixed_order),
		cmocka_unit_test(format_cap_too_small),
		cmocka_unit_test(format_parses_back),
		cmocka_unit_test(describe_both_directions),
		cmocka_unit_test(client_check_empty_is_declined),
		cmocka_unit_test(client_check_plain_accept),
		cmocka_unit_test(client_check_server_may_add),
		cmocka_unit_test(client_check_offered_client_no_takeover_holds),
		cmocka_unit_test(client_check_client_bits),
		cmocka_unit_test(client_check_client_bits_not_offered),
		cmocka_unit_test(client_check_client_bits_above_offer),
		cmocka_unit_test(client_check_client_bits_without_value),
		cmocka_unit_test(client_check_server_bits),
		cmocka_unit_test(client_check_server_no_takeover_requested),
		cmocka_unit_test(client_check_invalid_parameters),
		cmocka_unit_test(client_check_accepted_twice),
		cmocka_unit_test(client_check_other_extension),
		cmocka_unit_test(client_check_not_offered),
		cmocka_unit_test(client_check_quoted_values),
		cmocka_unit_test(client_check_whitespace),
		cmocka_unit_test(client_check_malformed),
		cmocka_unit_test(server_accept_browser_offer),
		cmocka_unit_test(server_accept_echoes_client_max_window_bits),
		cmocka_unit_test(server_accept_answers_server_parameters),
		cmocka_unit_test(server_accept_first_invalid_second_valid),
		cmocka_unit_test(server_accept_first_valid_wins),
		cmocka_unit_test(server_accept_other_extensions_mixed_in),
		cmocka_unit_test(server_accept_nothing_offered),
		cmocka_unit_test(server_accept_no_valid_offer),
		cmocka_unit_test(server_accept_malformed_lists),
		cmocka_unit_test(server_accept_response_cap_too_small),
		cmocka_unit_test(server_response_passes_client_check),
		cmocka_unit_test(rfc_hello_whole),
		cmocka_unit_test(rfc_hello_one_byte_at_a_time),
		cmocka_unit_test(rfc_context_takeover_second_hello),
		cmocka_unit_test(rfc_no_compression_block),
		cmocka_unit_test(rfc_bfinal_block),
		cmocka_unit_test(rfc_two_blocks_in_one_message),
		cmocka_unit_test(rfc_empty_message_inflates),
		cmocka_unit_test(bfinal_window_carried_into_next_message),
		cmocka_unit_test(bfinal_without_trailing_empty_block),
		cmocka_unit_test(bfinal_then_more_blocks_in_same_message),
		cmocka_unit_test(bfinal_no_context_takeover_not_carried),
		cmocka_unit_test(empty_payload_is_empty_message),
		cmocka_unit_test(invalid_data_zlib_message),
		cmocka_unit_test(invalid_stored_length),
		cmocka_unit_test(message_ending_inside_a_block),
		cmocka_unit_test(message_without_flush_is_invalid),
		cmocka_unit_test(errors_are_sticky),
		cmocka_unit_test(reference_beyond_window),
		cmocka_unit_test(context_reused_after_server_no_takeover),
		cmocka_unit_test(context_reused_after_client_no_takeover),
		cmocka_unit_test(inflate_sink_stop),
		cmocka_unit_test(bomb_stopped_by_sink),
		cmocka_unit_test(bomb_streams_in_chunks),
		cmocka_unit_test(deflate_hello_matches_rfc),
		cmocka_unit_test(deflate_no_context_takeover_resets),
		cmocka_unit_test(deflate_empty_message_is_one_zero_byte),
		cmocka_unit_test(deflate_holds_back_four_bytes_until_fin),
		cmocka_unit_test(deflate_window_8_has_no_back_references),
		cmocka_unit_test(deflate_sink_stop),
		cmocka_unit_test(roundtrip_every_window_takeover_or_not),
		cmocka_unit_test(roundtrip_1mib_messages),
		cmocka_unit_test(roundtrip_server_to_client_asymmetric),
		cmocka_unit_test(output_chunks_never_exceed_pmd_chunk),
		cmocka_unit_test(new_rejects_bad_windows),
	};

	return cmocka_run_group_tests_name("deflate", tests, NULL, NULL);
}
