/*
 * test_deflate.c - unit tests for deflate.c, permessage-deflate (RFC 7692).
 *
 * Header values are passed in malloc'd buffers of exactly their length,
 * with no NUL after them, so that a read past the end is caught under
 * -fsanitize=address.
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

#include "deflate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

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
	};

	return cmocka_run_group_tests_name("deflate", tests, NULL, NULL);
}
