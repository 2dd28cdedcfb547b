/*
 * test_probe.c - unit tests for the probe's catalogue (probecases.c):
 * what --probe-cases selects and which lists it refuses; then the
 * verdict rules, one test each: what the server did, set by hand in a
 * struct run, and the verdict and line the case's judge reaches.
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

#include "exit.h"
#include "probecases.h"

static struct run R;

/* A fresh run of case id, as if its connection were open. */
static struct run *
fresh(const char *id)
{
	memset(&R, 0, sizeof R);
	for (size_t i = 0; i < pc_ncases; i++)
		if (!strcmp(pc_cases[i].id, id))
			R.k = &pc_cases[i];
	assert_non_null(R.k);
	R.opened = 1;
	R.dial_exit = -1;
	return &R;
}

/* Event ev happened: the verdict must be v, and the line say want. */
static void
judged(int ev, enum verdict v, const char *want)
{
	pc_judge(&R, ev);
	assert_true(R.decided);
	if (R.v != v || strstr(R.detail, want) == NULL)
		fail_msg("case %s: %s '%s', expected %s with '%s'", R.k->id,
		    pc_verdict_name[R.v], R.detail, pc_verdict_name[v], want);
	/* every line that is not OK says what the RFC requires */
	if (v == V_NON_STRICT || v == V_FAILED || v == V_WRONG_CODE ||
	    v == V_UNCLEAN)
		assert_non_null(strstr(R.detail, "RFC "));
}

static void
closed(const char *id, unsigned code)
{
	fresh(id);
	R.got_close = 1;
	R.close_code = code;
}

static void
expect_pong(const char *payload)
{
	size_t n = strlen(payload);

	memcpy(R.exp_pong[R.nexp_pong].p, payload, n);
	R.exp_pong[R.nexp_pong++].n = n;
}

/* The ids list selects, space-separated, in the table's order. */
static const char *
chosen(const char *list)
{
	static char buf[4096];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < pc_ncases; i++)
		if (pc_selected(list, pc_cases[i].id))
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s",
			    o ? " " : "", pc_cases[i].id);
	return buf;
}

static int
refused(const char *list, const char *want)
{
	char err[256];

	if (pc_cases_check(list, err, sizeof err) == 0)
		return 0;
	if (strstr(err, want) == NULL) {
		print_error("'%s': '%s' does not say '%s'\n", list, err, want);
		return 0;
	}
	return 1;
}

static void
selection_sections_cases_patterns(void **state)
{
	(void)state;
	assert_string_equal(chosen("3"), "3.1 3.2 3.3 3.4 3.5 3.6 3.7");
	assert_string_equal(chosen("3.*"), chosen("3"));
	assert_string_equal(chosen("7.1,3.2"), "3.2 7.1");
	/* a section is a whole part: 1 is not 1.10's prefix "1.1" */
	assert_string_equal(chosen("1.1"), "1.1");
	assert_string_equal(chosen("8.4.1"), "8.4.1");
	assert_string_equal(chosen("8.4"), "8.4.1 8.4.2 8.4.3 8.4.4 8.4.5 "
	    "8.4.6 8.4.7 8.4.8 8.4.9 8.4.10 8.4.11 8.4.12");
	assert_string_equal(chosen("8.3.1*,8.3.1"), "8.3.1");
	assert_string_equal(chosen("8.3.*,!8.3.1,!8.3.10"), "8.3.2 8.3.3 "
	    "8.3.4 8.3.5 8.3.6 8.3.7 8.3.8 8.3.9 8.3.11 8.3.12 8.3.13 8.3.14 "
	    "8.3.15 8.3.16");
}

static void
selection_exclusions(void **state)
{
	char all[4096];

	(void)state;
	snprintf(all, sizeof all, "%s", chosen(NULL));
	assert_string_equal(chosen("*"), all);
	assert_string_equal(chosen("3,5.*,!5.1,!5.10,!9.*"), "3.1 3.2 3.3 3.4 3.5 "
	    "3.6 3.7 5.2 5.3 5.4 5.5 5.6 5.7 5.8 5.9");
	/* exclusions alone leave out from every case */
	assert_null(strstr(chosen("!8,!9"), "8."));
	assert_null(strstr(chosen("!8,!9"), "9."));
	assert_non_null(strstr(chosen("!8,!9"), "7.9 10.1"));
	assert_string_equal(chosen("6,!6"), "");
}

static void
selection_refused(void **state)
{
	(void)state;
	assert_int_equal(pc_cases_check("3,5.*,!9.*", (char[64]){ 0 }, 64), 0);
	assert_int_equal(pc_cases_check("*", (char[64]){ 0 }, 64), 0);
	assert_true(refused("99", "no case is '99'"));
	assert_true(refused("3.1.1", "no case is '3.1.1'"));
	assert_true(refused("3,!19.*", "no case is '19.*'"));
	assert_true(refused("3.", "'3.' is not a case id"));
	assert_true(refused("3..1", "'3..1' is not a case id"));
	assert_true(refused("5.*.1", "'5.*.1' is not a case id"));
	assert_true(refused("x", "'x' is not a case id"));
	assert_true(refused("8.3.1*", "'8.3.1*' is not a case id"));
	assert_true(refused("!", "'!' is not a case id"));
	assert_true(refused("3,,4", "has an empty item"));
	assert_true(refused("3,", "ends with a comma"));
	assert_true(refused("", "an empty list"));
}

/* A frame that breaks a rule: the close with the code is OK. */
static void
rule_fail_closed_with_the_code(void **state)
{
	(void)state;
	closed("3.1", 1002);
	judged(EV_CLOSE, V_OK, "closed 1002");
	closed("7.1", 1007);
	judged(EV_CLOSE, V_OK, "closed 1007");
}

/* ... another code is WRONG CODE (the codes are MAYs, 7.4.1) */
static void
rule_fail_other_code(void **state)
{
	(void)state;
	closed("3.1", 1000);
	judged(EV_CLOSE, V_WRONG_CODE, "expected 1002");
}

/* ... 1009 for a length with the top bit set is NON-STRICT, saying why */
static void
rule_fail_near_code(void **state)
{
	(void)state;
	closed("5.10", 1009);
	judged(EV_CLOSE, V_NON_STRICT, "the length is invalid (RFC 6455 5.2");
	closed("3.1", 1009);
	judged(EV_CLOSE, V_WRONG_CODE, "expected 1002");
}

/* ... answering the ping after it means going past it: FAILED, with the
 * rule and what to change */
static void
rule_fail_went_past(void **state)
{
	(void)state;
	fresh("3.1");
	R.mark_seen = 1;
	judged(EV_PONG, V_FAILED, "RFC 6455 5.2: RSV1-3 MUST be 0");
	fresh("4.1");
	R.mark_seen = 1;
	judged(EV_PONG, V_FAILED, "close on opcodes 3-7");
}

/* ... the sender's MUST (minimal lengths): accepting is INFORMATIONAL */
static void
rule_fail_lenient(void **state)
{
	(void)state;
	fresh("5.8");
	R.mark_seen = 1;
	judged(EV_PONG, V_INFO, "accepted it");
}

/* ... dropped without a close: NON-STRICT (7.1.7 SHOULD) */
static void
rule_fail_dropped(void **state)
{
	(void)state;
	fresh("5.1");
	R.ended = 1;
	R.end_exit = EXIT_LOST;
	judged(EV_END, V_NON_STRICT, "it SHOULD close with 1002 first");
}

/* ... closed, but after answering a later ping: NON-STRICT */
static void
rule_fail_late(void **state)
{
	(void)state;
	closed("7.1", 1007);
	R.mark_before_close = 1;
	judged(EV_CLOSE, V_NON_STRICT, "answered a later ping first");
}

/* What the server sends back is checked in every case. */
static void
rule_server_broke(void **state)
{
	(void)state;
	fresh("6.1");
	R.ended = 1;
	R.end_exit = EXIT_PROTOCOL;
	snprintf(R.end_why, sizeof R.end_why, "text message is not valid "
	    "UTF-8");
	judged(EV_END, V_FAILED, "the server sent something invalid: text "
	    "message is not valid UTF-8 (RFC 6455 5.2-5.6, 8.1");
}

/* Pings: the ping left unanswered is named, and the one answered. */
static void
rule_ping_unanswered_named(void **state)
{
	(void)state;
	fresh("6.1");
	expect_pong("");
	expect_pong(MARK);
	R.next_pong = 1;
	judged(EV_TIMEOUT, V_FAILED, "answered ping 1 of 2 (the empty ping), "
	    "no pong for ping 2 of 2 (the probe's own ping, sent last)");
	fresh("6.5");
	expect_pong("1");
	expect_pong("2");
	expect_pong(MARK);
	judged(EV_TIMEOUT, V_FAILED, "no pong for pings 1-3 of 3");
}

/* ... answering only the latest of several is allowed (5.5.3) */
static void
rule_ping_latest_only(void **state)
{
	(void)state;
	fresh("6.5");
	expect_pong("1");
	expect_pong("2");
	expect_pong(MARK);
	memcpy(R.pong, MARK, sizeof MARK - 1);
	R.pong_len = sizeof MARK - 1;
	judged(EV_PONG, V_OK, "answered 1 of 3 pings (only the latest is "
	    "required)");
}

/* ... a valid frame answered with a close: FAILED */
static void
rule_accept_closed(void **state)
{
	(void)state;
	closed("7.3", 1007);
	judged(EV_CLOSE, V_FAILED, "closed 1007");
}

/* Closes: a valid code echoed is OK, another NON-STRICT (typically). */
static void
rule_close_valid(void **state)
{
	(void)state;
	closed("8.3.1", 1000);
	R.sent_code = 1000;
	judged(EV_CLOSE, V_OK, "answered 1000");
	closed("8.3.10", 1002);
	R.sent_code = 1012;
	judged(EV_CLOSE, V_NON_STRICT, "typically echoes the code, RFC 6455 "
	    "5.5.1");
}

/* ... an invalid code: 1002 OK, echoed FAILED, another WRONG CODE */
static void
rule_close_invalid(void **state)
{
	(void)state;
	closed("8.4.4", 1002);
	R.sent_code = 1005;
	judged(EV_CLOSE, V_OK, "answered 1002");
	closed("8.4.3", 1004);
	R.sent_code = 1004;
	judged(EV_CLOSE, V_FAILED, "echoed it");
	closed("8.4.4", 1000);
	R.sent_code = 1005;
	judged(EV_CLOSE, V_WRONG_CODE, "expected 1002");
}

/* Handshakes: the subprotocol offered may be chosen (4.2.2), not one
 * that was not. */
static void
rule_subprotocol(void **state)
{
	(void)state;
	fresh("1.10");
	R.status = 101;
	snprintf(R.hdr_protocol, sizeof R.hdr_protocol,
	    "x-wscli-probe-unknown");
	judged(EV_DIALED, V_INFO, "RFC 6455 4.2.2 only requires one of the "
	    "values offered");
	fresh("1.10");
	R.status = 101;
	snprintf(R.hdr_protocol, sizeof R.hdr_protocol, "chat");
	judged(EV_DIALED, V_FAILED, "which was not offered");
	fresh("1.10");
	R.status = 101;
	judged(EV_DIALED, V_OK, "accepted without choosing one");
}

/* ... a request to refuse: 101 FAILED, 4xx OK, version 13 named (4.4) */
static void
rule_refuse(void **state)
{
	(void)state;
	fresh("1.8");
	R.status = 101;
	judged(EV_DIALED, V_FAILED, "RFC 6455 4.2.1: the handshake is an "
	    "HTTP/1.1 (or higher) GET");
	fresh("1.3");
	R.status = 400;
	judged(EV_DIALED, V_NON_STRICT, "without Sec-WebSocket-Version: 13");
	fresh("1.3");
	R.status = 426;
	snprintf(R.hdr_version, sizeof R.hdr_version, "13");
	judged(EV_DIALED, V_OK, "refused: 426");
	fresh("1.2");
	R.status = 101;
	judged(EV_DIALED, V_INFO, "may understand more versions");
}

/* ... an unknown extension agreed to: FAILED */
static void
rule_extension(void **state)
{
	(void)state;
	fresh("1.11");
	R.status = 101;
	snprintf(R.hdr_ext, sizeof R.hdr_ext, "x-wscli-probe; x=1");
	judged(EV_DIALED, V_FAILED, "agreed to 'x-wscli-probe; x=1'");
}

/* Every case but 1.1 has its rule, citing an RFC or saying there is
 * none. */
static void
rule_every_case_has_one(void **state)
{
	(void)state;
	for (size_t i = 1; i < pc_ncases; i++) {
		const char *r = pc_rule(pc_cases[i].id);

		if (r == NULL || (strstr(r, "RFC ") == NULL &&
		    strstr(r, "no rule") == NULL))
			fail_msg("case %s: no rule", pc_cases[i].id);
	}
	assert_string_equal(pc_rule("8.4.3"), pc_rule("8.4"));
	assert_ptr_not_equal(pc_rule("5.10"), pc_rule("5.1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(selection_sections_cases_patterns),
		cmocka_unit_test(selection_exclusions),
		cmocka_unit_test(selection_refused),
		cmocka_unit_test(rule_fail_closed_with_the_code),
		cmocka_unit_test(rule_fail_other_code),
		cmocka_unit_test(rule_fail_near_code),
		cmocka_unit_test(rule_fail_went_past),
		cmocka_unit_test(rule_fail_lenient),
		cmocka_unit_test(rule_fail_dropped),
		cmocka_unit_test(rule_fail_late),
		cmocka_unit_test(rule_server_broke),
		cmocka_unit_test(rule_ping_unanswered_named),
		cmocka_unit_test(rule_ping_latest_only),
		cmocka_unit_test(rule_accept_closed),
		cmocka_unit_test(rule_close_valid),
		cmocka_unit_test(rule_close_invalid),
		cmocka_unit_test(rule_subprotocol),
		cmocka_unit_test(rule_refuse),
		cmocka_unit_test(rule_extension),
		cmocka_unit_test(rule_every_case_has_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
