/*
 * test_probe.c - unit tests for the probe's catalogue (probecases.c):
 * what --probe-cases selects and which lists it refuses.
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

#include "probecases.h"

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
	assert_true(refused("3,!12.*", "no case is '12.*'"));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(selection_sections_cases_patterns),
		cmocka_unit_test(selection_exclusions),
		cmocka_unit_test(selection_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
