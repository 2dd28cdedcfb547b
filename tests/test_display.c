/*
 * test_display.c - unit tests for display.c: terminal-safe escaping,
 * hexdumps, the byte-faithful JSON re-indenter, hex and base64 parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "display.h"

static char out[65536];

static const char *
esc(const char *in, size_t len, unsigned flags)
{
	size_t n = disp_escape(out, sizeof out, (const uint8_t *)in, len, flags,
	    NULL, 1);

	out[n] = '\0';
	return out;
}

#define ESC(s) esc(s, sizeof(s) - 1, 0)
#define ESC_COLOR(s) esc(s, sizeof(s) - 1, DISP_COLOR)

/* Control pictures (UTF-8) and the reverse video around escapes. */
#define PIC_NUL "\xe2\x90\x80" /* U+2400 */
#define PIC_BEL "\xe2\x90\x87" /* U+2407 */
#define PIC_TAB "\xe2\x90\x89" /* U+2409 */
#define PIC_CR "\xe2\x90\x8d"  /* U+240D */
#define PIC_ESC "\xe2\x90\x9b" /* U+241B */
#define PIC_US "\xe2\x90\x9f"  /* U+241F */
#define PIC_DEL "\xe2\x90\xa1" /* U+2421 */
#define PIC_NL "\xe2\x90\xa4"  /* U+2424 */
#define REV(s) "\033[7m" s "\033[27m"

static void
escape_plain_text_unchanged(void **state)
{
	assert_string_equal(ESC("Hello, server!"), "Hello, server!");
	assert_string_equal(ESC("h\xc3\xa9llo \xe2\x98\x83 \xf0\x9d\x84\x9e"),
	    "h\xc3\xa9llo \xe2\x98\x83 \xf0\x9d\x84\x9e");
	assert_string_equal(ESC_COLOR("Hello, \xe2\x98\x83!"),
	    "Hello, \xe2\x98\x83!");
}

/* The reported defect: a JSON escape was shown with its backslash doubled,
 * as if the server had escaped it twice. Text is shown as sent. */
static void
escape_backslash_shown_as_sent(void **state)
{
	assert_string_equal(ESC("{\"s\":\"\\u00e9\"}"), "{\"s\":\"\\u00e9\"}");
	assert_string_equal(ESC_COLOR("{\"s\":\"\\u00e9\"}"),
	    "{\"s\":\"\\u00e9\"}");
	assert_string_equal(ESC("C:\\temp\\new \\\\ \\x41 \\e"),
	    "C:\\temp\\new \\\\ \\x41 \\e");
	/* a literal control picture from the peer is text too */
	assert_string_equal(ESC(PIC_ESC), PIC_ESC);
}

static void
escape_controls_as_pictures(void **state)
{
	assert_string_equal(ESC("a\tb\rc\nd"),
	    "a" PIC_TAB "b" PIC_CR "c" PIC_NL "d");
	assert_string_equal(esc("\0\x1f\x7f", 3, 0), PIC_NUL PIC_US PIC_DEL);
	assert_string_equal(esc("\0\x7f", 2, DISP_COLOR),
	    REV(PIC_NUL) REV(PIC_DEL));
	assert_string_equal(ESC_COLOR("a\tb"), "a" REV(PIC_TAB) "b");
	/* every C0 control has its picture, U+2400 + c */
	for (unsigned c = 0; c < 0x20; c++) {
		char in = (char)c, want[4] = { (char)0xe2, (char)0x90,
			(char)(0x80 + c), 0 };

		if (c == '\n')
			continue;
		assert_string_equal(esc(&in, 1, 0), want);
	}
}

static void
escape_terminal_sequences(void **state)
{
	/* title change, clear screen, OSC 52 clipboard write, cursor move */
	assert_string_equal(ESC("\x1b]0;pwned\x07"),
	    PIC_ESC "]0;pwned" PIC_BEL);
	assert_string_equal(ESC("\x1b[2J\x1b[H"), PIC_ESC "[2J" PIC_ESC "[H");
	assert_string_equal(ESC("\x1b]52;c;aGk=\x1b\\"),
	    PIC_ESC "]52;c;aGk=" PIC_ESC "\\");
	assert_string_equal(ESC_COLOR("\x1b]52;c;aGk=\x1b\\"),
	    REV(PIC_ESC) "]52;c;aGk=" REV(PIC_ESC) "\\");
	assert_string_equal(ESC_COLOR("\x1b[2J"), REV(PIC_ESC) "[2J");
}

static void
escape_c1_and_bidi(void **state)
{
	/* U+009B is a one-byte CSI on some terminals */
	assert_string_equal(ESC("\xc2\x9b" "2J"), "\\u{009b}2J");
	assert_string_equal(ESC("abc\xe2\x80\xae" "def"), "abc\\u{202e}def");
	assert_string_equal(ESC("\xe2\x81\xa6x\xe2\x81\xa9"),
	    "\\u{2066}x\\u{2069}");
	assert_string_equal(ESC("\xd8\x9c"), "\\u{061c}");
	assert_string_equal(ESC_COLOR("\xc2\x9b" "2J"), REV("\\u{009b}") "2J");
	assert_string_equal(ESC_COLOR("abc\xe2\x80\xae" "def"),
	    "abc" REV("\\u{202e}") "def");
}

static void
escape_invalid_utf8(void **state)
{
	assert_string_equal(ESC("a\xff" "b"), "a\\xffb");
	assert_string_equal(ESC("\xc0\xaf"), "\\xc0\\xaf");     /* overlong */
	assert_string_equal(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80"); /* D800 */
	assert_string_equal(ESC("\xf4\x90\x80\x80"),
	    "\\xf4\\x90\\x80\\x80");                             /* > 10FFFF */
	assert_string_equal(ESC_COLOR("a\xff" "b"), "a" REV("\\xff") "b");
	/* C1 as raw single bytes is invalid UTF-8: never passed through */
	assert_string_equal(ESC("\x9b" "2J"), "\\x9b2J");
}

/* Nothing a terminal acts on gets through, with or without colour; with
 * colour the only ESC bytes are the reverse-video pairs around escapes. */
static void
escape_nothing_raw_reaches_output(void **state)
{
	static const char *const hostile[] = {
		"\x1b]0;pwned\x07",          /* OSC 0: window title */
		"\x1b]52;c;aGk=\x1b\\",      /* OSC 52: clipboard write */
		"\x1b[2J\x1b[H\x1b[6n",      /* CSI: clear, home, report */
		"\xc2\x9b" "2J\xc2\x9d" "0;x\xc2\x9c", /* C1 CSI, OSC, ST */
		"\x9b" "2J\x9d",             /* C1 as raw bytes */
		"a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xd8\x9c", /* bidi */
		"\x1bP1$r\x1b\\\x7f\x08\x0e", /* DCS, DEL, BS, SO */
	};

	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		const char *o;
		size_t n;

		print_message("%zu\n", i);
		o = esc(hostile[i], strlen(hostile[i]), 0);
		for (n = 0; o[n]; n++) {
			unsigned char c = (unsigned char)o[n];

			assert_true(c >= 0x20 && c != 0x7f);
			if (c == 0xc2)
				assert_false((unsigned char)o[n + 1] < 0xa0);
		}
		assert_null(strstr(o, "\xe2\x80\xae"));
		assert_null(strstr(o, "\xe2\x81\xa6"));
		assert_null(strstr(o, "\xd8\x9c"));

		o = esc(hostile[i], strlen(hostile[i]), DISP_COLOR);
		for (n = 0; o[n]; n++) {
			unsigned char c = (unsigned char)o[n];

			if (c == 0x1b) {
				assert_true(!strncmp(o + n, "\033[7m", 4) ||
				    !strncmp(o + n, "\033[27m", 5));
				continue;
			}
			assert_true(c >= 0x20 && c != 0x7f);
			if (c == 0xc2)
				assert_false((unsigned char)o[n + 1] < 0xa0);
		}
		assert_null(strstr(o, "\xe2\x80\xae"));
		assert_null(strstr(o, "\xd8\x9c"));
	}
}

static void
escape_keep_newlines_and_quote(void **state)
{
	assert_string_equal(esc("a\nb", 3, DISP_KEEP_NEWLINES), "a\nb");
	assert_string_equal(esc("a\nb", 3, DISP_KEEP_NEWLINES | DISP_COLOR),
	    "a\nb");
	assert_string_equal(esc("say \"hi\"", 8, DISP_QUOTE),
	    "say \\\"hi\\\"");
	assert_string_equal(esc("a\\b", 3, DISP_QUOTE), "a\\\\b");
	/* quoting is not a terminal escape: no reverse video */
	assert_string_equal(esc("\"\\\x1b", 3, DISP_QUOTE | DISP_COLOR),
	    "\\\"\\\\" REV(PIC_ESC));
}

/* The documented bound holds in the worst case: invalid bytes with colour,
 * and three held bytes flushed by a call with one more. */
static void
escape_worst_case_fits(void **state)
{
	static char big[16 * DISP_ESCAPE_MAX + 64];
	uint8_t bad[16];
	struct disp_escape_state st;
	size_t n;

	memset(bad, 0xff, sizeof bad);
	n = disp_escape(big, sizeof big, bad, sizeof bad, DISP_COLOR, NULL, 1);
	assert_int_equal(n, 16 * DISP_ESCAPE_MAX);

	memset(&st, 0, sizeof st);
	n = disp_escape(big, 1 * DISP_ESCAPE_MAX + 64,
	    (const uint8_t *)"\xf0\x90\x80", 3, DISP_COLOR, &st, 0);
	assert_int_equal(n, 0);
	n = disp_escape(big, 1 * DISP_ESCAPE_MAX + 64, bad, 1, DISP_COLOR, &st,
	    1);
	assert_int_equal(n, 4 * DISP_ESCAPE_MAX);
}

/* A code point cut between two calls comes out whole. */
static void
escape_split_sequences(void **state)
{
	const char *s = "x\xe2\x98\x83y\xf0\x9d\x84\x9ez\xe2\x80\xae";
	size_t len = strlen(s);
	char whole[256];

	strcpy(whole, ESC("x\xe2\x98\x83y\xf0\x9d\x84\x9ez\xe2\x80\xae"));
	for (size_t cut = 0; cut <= len; cut++) {
		struct disp_escape_state st;
		size_t n;

		memset(&st, 0, sizeof st);
		n = disp_escape(out, sizeof out, (const uint8_t *)s, cut, 0, &st,
		    0);
		n += disp_escape(out + n, sizeof out - n, (const uint8_t *)s + cut,
		    len - cut, 0, &st, 1);
		out[n] = '\0';
		assert_string_equal(out, whole);
		assert_int_equal(st.bad, 0);
	}
}

static void
escape_reports_first_bad_offset(void **state)
{
	struct disp_escape_state st;

	memset(&st, 0, sizeof st);
	disp_escape(out, sizeof out, (const uint8_t *)"ab\xe2\x98", 4, 0, &st, 0);
	disp_escape(out, sizeof out, (const uint8_t *)"Zc", 2, 0, &st, 1);
	assert_int_equal(st.bad, 1);
	assert_int_equal(st.bad_at, 2);
}

static void
escape_str_truncates(void **state)
{
	char small[12];

	disp_escape_str(small, sizeof small, (const uint8_t *)"0123456789abcdef",
	    16, 0);
	assert_string_equal(small, "01234567...");
	disp_escape_str(small, sizeof small, (const uint8_t *)"\x1b[2J", 4, 0);
	assert_string_equal(small, PIC_ESC "[2J");
	/* an escape is never cut in the middle */
	disp_escape_str(small, sizeof small, (const uint8_t *)"ab\x1b", 3,
	    DISP_COLOR);
	assert_string_equal(small, "ab...");
}

static void
hexdump_lines(void **state)
{
	const uint8_t data[] = "Hello\x00\xff world, this is 2 lines";
	size_t n = disp_hexdump(out, sizeof out, data, 20, 0, "  ");

	out[n] = '\0';
	assert_string_equal(out,
	    "  00000000  48 65 6c 6c 6f 00 ff 20  77 6f 72 6c 64 2c 20 74  "
	    "|Hello.. world, t|\n"
	    "  00000010  68 69 73 20                                       "
	    "|his |\n");
}

static void
hexdump_stops_at_line_when_full(void **state)
{
	uint8_t data[64];
	char small[100];

	memset(data, 'A', sizeof data);
	assert_int_equal(disp_hexdump(small, sizeof small, data, 64, 0, ""), 79);
}

static const char *
json(const char *in, const char *indent)
{
	long n = disp_json(out, sizeof out, (const uint8_t *)in, strlen(in),
	    indent, 0);

	if (n < 0)
		return n == DISP_JSON_INVALID ? "INVALID" : "NOSPACE";
	out[n] = '\0';
	return out;
}

static void
json_tokens_kept_exactly(void **state)
{
	assert_string_equal(json("{\"a\":[1.0,1e400,\"\\u00e9\"],\"b\":{}}", ""),
	    "{\n  \"a\": [\n    1.0,\n    1e400,\n    \"\\u00e9\"\n  ],\n"
	    "  \"b\": {}\n}");
	assert_string_equal(json("  -0.50E+01 ", ""), "-0.50E+01");
	assert_string_equal(json("[true,false,null,\"\\\"\\\\\\/\"]", ""),
	    "[\n  true,\n  false,\n  null,\n  \"\\\"\\\\\\/\"\n]");
	/* key order as received */
	assert_string_equal(json("{\"z\":1,\"a\":2}", ""),
	    "{\n  \"z\": 1,\n  \"a\": 2\n}");
}

static void
json_indent_prefix(void **state)
{
	assert_string_equal(json("[1]", ">>"), "[\n>>  1\n>>]");
}

static void
json_invalid(void **state)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\"}", "{a:1}", "01", "1.", ".5", "1e",
		"tru", "\"\x01\"", "\"\\x\"", "\"\\u12\"", "[1] [2]", "'a'",
		"\"\xff\"", "NaN", "+1", "[1,,2]", "{\"a\":1,}",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		print_message("%s\n", bad[i]);
		assert_string_equal(json(bad[i], ""), "INVALID");
	}
}

static void
json_depth_limit(void **state)
{
	char deep[1024];

	memset(deep, '[', DISP_JSON_MAX_DEPTH + 2);
	deep[DISP_JSON_MAX_DEPTH + 2] = '\0';
	assert_string_equal(json(deep, ""), "INVALID");
}

static void
json_no_space(void **state)
{
	char small[8];

	assert_int_equal(disp_json(small, sizeof small,
	    (const uint8_t *)"{\"abc\":123}", 11, "", 0), DISP_JSON_NOSPACE);
}

static void
json_escapes_terminal_bytes_in_strings(void **state)
{
	/* C1 and bidi controls and DEL are valid raw in JSON strings */
	assert_string_equal(json("[\"a\xe2\x80\xae" "b\"]", ""),
	    "[\n  \"a\\u{202e}b\"\n]");
	assert_string_equal(json("[\"\xc2\x9b" "2J\x7f\"]", ""),
	    "[\n  \"\\u{009b}2J" PIC_DEL "\"\n]");
}

/* The reported defect, in JSON display: the escape is copied as sent. */
static void
json_escape_shown_as_sent(void **state)
{
	assert_string_equal(json("{\"s\":\"\\u00e9\"}", ""),
	    "{\n  \"s\": \"\\u00e9\"\n}");
	assert_string_equal(json("[\"\\\\ \\\" \\n\"]", ""),
	    "[\n  \"\\\\ \\\" \\n\"\n]");
}

static void
json_color(void **state)
{
	long n = disp_json(out, sizeof out, (const uint8_t *)"{\"k\":1}", 7, "",
	    1);

	out[n] = '\0';
	assert_non_null(strstr(out, "\033[34m\"k\"\033[0m"));
	assert_non_null(strstr(out, "\033[36m1\033[0m"));

	/* escapes in strings: reverse video inside the string's colour */
	n = disp_json(out, sizeof out, (const uint8_t *)"[\"a\x7f\xc2\x9b\"]",
	    8, "", 1);
	assert_true(n > 0);
	out[n] = '\0';
	assert_non_null(strstr(out,
	    "\033[32m\"a" REV(PIC_DEL) REV("\\u{009b}") "\"\033[0m"));
}

static void
hex_parse(void **state)
{
	uint8_t buf[16];
	size_t bad = 99;

	assert_int_equal(disp_parse_hex(buf, sizeof buf, "48 65 6c6c 6F", &bad),
	    5);
	assert_memory_equal(buf, "Hello", 5);
	assert_int_equal(disp_parse_hex(buf, sizeof buf, "", &bad), 0);
	assert_int_equal(disp_parse_hex(buf, sizeof buf, "4g", &bad), -1);
	assert_int_equal(bad, 1);
	assert_int_equal(disp_parse_hex(buf, sizeof buf, "48 6", &bad), -1);
	assert_int_equal(bad, 4);
	assert_int_equal(disp_parse_hex(buf, sizeof buf, "zz", &bad), -1);
	assert_int_equal(bad, 0);
	assert_int_equal(disp_parse_hex(buf, 1, "4848", &bad), -1);
}

static void
base64_parse(void **state)
{
	uint8_t buf[16];
	size_t bad = 99;

	assert_int_equal(disp_parse_base64(buf, sizeof buf, "SGVsbG8=", &bad), 5);
	assert_memory_equal(buf, "Hello", 5);
	assert_int_equal(disp_parse_base64(buf, sizeof buf, "SGVsbG8", &bad), 5);
	assert_int_equal(disp_parse_base64(buf, sizeof buf, "AAEC/w==", &bad), 4);
	assert_memory_equal(buf, "\x00\x01\x02\xff", 4);
	assert_int_equal(disp_parse_base64(buf, sizeof buf, "@@@", &bad), -1);
	assert_int_equal(bad, 0);
	assert_int_equal(disp_parse_base64(buf, sizeof buf, "SG=V", &bad), -1);
	assert_int_equal(bad, 3);
	assert_int_equal(disp_parse_base64(buf, sizeof buf, "S", &bad), -1);
	assert_int_equal(disp_parse_base64(buf, sizeof buf, "SGVsbG9=", &bad),
	    -1); /* non-zero padding bits */
}

/* One format for sizes: bytes below 10000, then KiB, then MiB. */
static void
size_format(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(disp_size(b, sizeof b, 0), "0 B");
	assert_string_equal(disp_size(b, sizeof b, 9999), "9999 B");
	assert_string_equal(disp_size(b, sizeof b, 10000), "9.8 KiB");
	assert_string_equal(disp_size(b, sizeof b, 10000 * 1024 - 1),
	    "10000.0 KiB");
	assert_string_equal(disp_size(b, sizeof b, 10000 * 1024), "9.8 MiB");
	assert_string_equal(disp_size(b, 4, 123456), "120");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escape_plain_text_unchanged),
		cmocka_unit_test(escape_backslash_shown_as_sent),
		cmocka_unit_test(escape_controls_as_pictures),
		cmocka_unit_test(escape_terminal_sequences),
		cmocka_unit_test(escape_c1_and_bidi),
		cmocka_unit_test(escape_invalid_utf8),
		cmocka_unit_test(escape_nothing_raw_reaches_output),
		cmocka_unit_test(escape_keep_newlines_and_quote),
		cmocka_unit_test(escape_worst_case_fits),
		cmocka_unit_test(escape_split_sequences),
		cmocka_unit_test(escape_reports_first_bad_offset),
		cmocka_unit_test(escape_str_truncates),
		cmocka_unit_test(hexdump_lines),
		cmocka_unit_test(hexdump_stops_at_line_when_full),
		cmocka_unit_test(json_tokens_kept_exactly),
		cmocka_unit_test(json_indent_prefix),
		cmocka_unit_test(json_invalid),
		cmocka_unit_test(json_depth_limit),
		cmocka_unit_test(json_no_space),
		cmocka_unit_test(json_escapes_terminal_bytes_in_strings),
		cmocka_unit_test(json_escape_shown_as_sent),
		cmocka_unit_test(json_color),
		cmocka_unit_test(hex_parse),
		cmocka_unit_test(base64_parse),
		cmocka_unit_test(size_format),
	};

	return cmocka_run_group_tests_name("display", tests, NULL, NULL);
}
