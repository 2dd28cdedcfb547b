/*
 * test_conv.c - unit tests for conv.c: the conversation file grammar,
 * errors that name their line, {{NAME}} and escapes, and the writer
 * reading back through the parser as the same messages.
 *
 * Every text is parsed from an exactly sized heap copy without a NUL, so
 * a read past its end is caught when built with -fsanitize=address.
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

#include "conv.h"
#include "frame.h"

static int
parse_n(const char *text, size_t n, struct conv **c, char *err, size_t cap)
{
	char *copy = malloc(n ? n : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, text, n);
	r = conv_parse(copy, n, "t.conv", c, err, cap);
	free(copy);
	return r;
}

static struct conv *
parse_ok(const char *text)
{
	struct conv *c;
	char err[512] = "";

	if (parse_n(text, strlen(text), &c, err, sizeof err) != 0)
		fail_msg("unexpected error: %s", err);
	return c;
}

static void
parse_fails(const char *text, const char *want)
{
	struct conv *c = (struct conv *)1;
	char err[512] = "";

	if (parse_n(text, strlen(text), &c, err, sizeof err) != -1)
		fail_msg("'%s' parsed", text);
	assert_null(c);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' does not hold '%s'", err, want);
}

static const char *
lookup(void *ud, const char *name, size_t n)
{
	if (n == 2 && !strncmp(name, "id", 2))
		return "42";
	if (n == 4 && !strncmp(name, "code", 4))
		return "4001";
	if (n == 3 && !strncmp(name, "hex", 3))
		return "de ad";
	return NULL;
}

static void
expand_ok(const struct conv_step *s, struct conv_msg *m)
{
	char err[256] = "";

	if (conv_expand(s, lookup, NULL, m, err, sizeof err) != 0)
		fail_msg("line %d: %s", s->line, err);
}

static void
parses_a_whole_conversation(void **state)
{
	struct conv *c = parse_ok(
	    "# a login, then a subscription\n"
	    "@url ws://127.0.0.1:8080/feed\n"
	    "@protocol v1.feed\n"
	    "@header Authorization: Bearer {{TOKEN}}\n"
	    "@within 2s\n"
	    "@var user=alice\n"
	    "\n"
	    "> {\"op\":\"login\",\"user\":\"{{user}}\"}\r\n"
	    "< /jq .op == \"welcome\"\n"
	    "  capture sid .sid\n"
	    "  within 500ms\n"
	    "# +1.250s\n"
	    "> //slash\n"
	    "> /ping hi\n"
	    "< /pong hi\n"
	    "any order\n"
	    "  < /re ^tick ([0-9]+)$\n"
	    "  capture n \\1\n"
	    "  < snapshot\n"
	    "end\n"
	    "< /re done\n"
	    "skip\n"
	    "nothing within 100ms\n"
	    "sleep 0.2\n"
	    "> /close 1000 bye\n"
	    "< /close 1000\n");
	const struct conv_step *s = c->steps;

	assert_string_equal(c->url, "ws://127.0.0.1:8080/feed");
	assert_int_equal(c->nprotocols, 1);
	assert_string_equal(c->headers[0], "Authorization: Bearer {{TOKEN}}");
	assert_true(c->within == 2.0);
	assert_string_equal(c->vars[0], "user=alice");
	assert_int_equal(c->nsteps, 13);
	assert_int_equal(c->nexpect, 7);

	assert_int_equal(s[0].kind, CONV_SEND);
	assert_int_equal(s[0].line, 8);
	assert_int_equal(s[0].what, CONV_TEXT);
	assert_string_equal(s[0].body,
	    "{\"op\":\"login\",\"user\":\"{{user}}\"}");
	assert_int_equal(s[1].kind, CONV_EXPECT);
	assert_int_equal(s[1].what, CONV_JQ);
	assert_string_equal(s[1].body, ".op == \"welcome\"");
	assert_true(s[1].within == 0.5);
	assert_int_equal(s[1].ncaps, 1);
	assert_string_equal(s[1].caps[0].name, "sid");
	assert_string_equal(s[1].caps[0].expr, ".sid");
	assert_int_equal(s[1].caps[0].line, 10);
	assert_int_equal(s[2].kind, CONV_DELAY);
	assert_true(s[2].secs == 1.25);
	assert_int_equal(s[3].what, CONV_TEXT);
	assert_string_equal(s[3].body, "/slash");
	assert_int_equal(s[4].what, CONV_PING);
	assert_int_equal(s[5].kind, CONV_EXPECT);
	assert_int_equal(s[5].what, CONV_PONG);
	assert_int_equal(s[6].group, 1);
	assert_int_equal(s[6].what, CONV_RE);
	assert_int_equal(s[6].caps[0].group, 1);
	assert_null(s[6].caps[0].expr);
	assert_int_equal(s[7].group, 1);
	assert_int_equal(s[7].line, 19);
	assert_int_equal(s[8].group, 0);
	assert_true(s[8].skip);
	assert_int_equal(s[9].kind, CONV_NOTHING);
	assert_true(s[9].secs == 0.1);
	assert_int_equal(s[10].kind, CONV_SLEEP);
	assert_int_equal(s[11].what, CONV_CLOSE);
	assert_int_equal(s[12].kind, CONV_EXPECT);
	assert_int_equal(s[12].what, CONV_CLOSE);
	assert_int_equal(s[12].line, 26);
	conv_free(c);
}

static void
errors_name_their_line(void **state)
{
	parse_fails("> a\n< b\n< c\n> /nope x\n", "t.conv:4: sending /nope");
	parse_fails("> a\n<< c\n", "t.conv:2: '<' is followed by a blank");
	parse_fails(">a\n", "t.conv:1: '>' is followed by a blank");
	parse_fails("> a\n\n< /binary 4g\n", "t.conv:3: not hex");
	parse_fails("> a\n@url ws://x/\n", "t.conv:2: @url must come before");
	parse_fails("within 2s\n", "t.conv:1: 'within' qualifies an "
	    "expectation");
	parse_fails("> x\nwithin 2s\n", "t.conv:2:");
	parse_fails("< a\nwithin soon\n", "t.conv:2: within: 'soon'");
	parse_fails("< a\ncapture x \\1\n", "t.conv:2: capture x \\1: a group "
	    "needs a /re");
	parse_fails("any order\n< a\n> b\nend\n", "t.conv:3: a send inside "
	    "'any order' (line 1)");
	parse_fails("# x\nany order\n< a\n", "t.conv:2: 'any order' without "
	    "its 'end'");
	parse_fails("end\n", "t.conv:1: 'end' without");
	parse_fails("any order\nend\n", "holds no expectation");
	parse_fails("hello\n", "t.conv:1: not a step: 'hello'");
	parse_fails("> /close 99999\n", "t.conv:1: /close: '99999'");
	parse_fails("> /close abc\n", "is not a close code");
	parse_fails("> /text \"a\\qb\"\n", "unknown escape \\q");
	parse_fails("> /text \"abc\n", "without its closing");
	parse_fails("> /text \"a\" b\n", "text after the closing quote");
	parse_fails("> /text abc\n", "/text takes a string in double quotes");
	parse_fails("> /text \"\\u{d800}\"\n", "not a code point");
	parse_fails("< /re\n", "/re needs a regular expression");
	parse_fails("> {{ x\n", "'{{' starts no {{NAME}}");
	parse_fails("< /frame op=ping\n", "expecting /frame");
	parse_fails("> /frame rsv=9\n", "rsv=9");
	parse_fails("> /ping 0123456789012345678901234567890123456789012345678"
	    "901234567890123456789012345678901234567890123456789012345678901"
	    "2345678901234567890\n", "125 bytes");
	parse_fails("@bogus 1\n", "unknown header line '@bogus'");
	parse_fails("< a\nskip\nany order\n< b\nskip\nend\n",
	    "t.conv:5: skip cannot be used");
	{
		struct conv *c;
		char err[128];

		assert_int_equal(parse_n("> a\n> a\0b\n", 9, &c, err,
		    sizeof err), -1);
		assert_string_equal(err, "t.conv:2: a NUL byte (not a text "
		    "file?)");
	}
}

static void
variables_and_escapes(void **state)
{
	struct conv *c = parse_ok(
	    "> id={{id}} and {{ id }}\n"
	    "> /text \"tab\\there\\nnl \\{{id}} {{id}} \\x41\\u{e9}\\\"\"\n"
	    "> /binary {{hex}} 00\n"
	    "> /close {{code}} \"a\\nb\"\n"
	    "< /close 1000\n"
	    "> /close\n"
	    "> /ping \"\\x00\\xff\"\n"
	    "> {{nope}}\n");
	struct conv_msg m;
	char err[128];

	expand_ok(&c->steps[0], &m);
	assert_string_equal((char *)m.p, "id=42 and 42");
	conv_msg_free(&m);
	expand_ok(&c->steps[1], &m);
	assert_string_equal((char *)m.p,
	    "tab\there\nnl {{id}} 42 A\xc3\xa9\"");
	conv_msg_free(&m);
	expand_ok(&c->steps[2], &m);
	assert_int_equal(m.n, 3);
	assert_memory_equal(m.p, "\xde\xad\x00", 3);
	conv_msg_free(&m);
	expand_ok(&c->steps[3], &m);
	assert_int_equal(m.code, 4001);
	assert_int_equal(m.n, 3);
	assert_memory_equal(m.p, "a\nb", 3);
	conv_msg_free(&m);
	expand_ok(&c->steps[4], &m);
	assert_int_equal(m.code, 1000);
	assert_int_equal(m.n, 0);
	conv_msg_free(&m);
	expand_ok(&c->steps[5], &m);
	assert_int_equal(m.code, 0);
	conv_msg_free(&m);
	expand_ok(&c->steps[6], &m);
	assert_int_equal(m.n, 2);
	assert_memory_equal(m.p, "\x00\xff", 2);
	conv_msg_free(&m);
	assert_int_equal(conv_expand(&c->steps[7], lookup, NULL, &m, err,
	    sizeof err), -1);
	assert_string_equal(err, "{{nope}}: no such variable");
	assert_null(m.p);
	conv_free(c);
}

static void
durations(void **state)
{
	double d;

	assert_int_equal(conv_duration("2", &d), 0);
	assert_true(d == 2);
	assert_int_equal(conv_duration("1.5s", &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(conv_duration("250ms", &d), 0);
	assert_true(d == 0.25);
	assert_int_equal(conv_duration("2m", &d), 0);
	assert_true(d == 120);
	assert_int_equal(conv_duration("-1", &d), -1);
	assert_int_equal(conv_duration("2h", &d), -1);
	assert_int_equal(conv_duration("s", &d), -1);
	assert_int_equal(conv_duration("nan", &d), -1);
	assert_int_equal(conv_duration("1e9", &d), -1);
}

struct wmsg {
	char dir;
	unsigned opcode;
	const char *p;
	size_t n;
	unsigned code;     /* close */
	const char *line;  /* what the writer writes, or NULL: unchecked */
};

#define M(dir, op, s, line) { dir, op, s, sizeof s - 1, 0, line }

static const struct wmsg wmsgs[] = {
	M('>', WS_OP_TEXT, "hello", "> hello"),
	M('<', WS_OP_TEXT, "/help", "< //help"),
	M('<', WS_OP_TEXT, "//x", "< ///x"),
	M('>', WS_OP_TEXT, "", "> /text \"\""),
	M('>', WS_OP_TEXT, " padded ", "> /text \" padded \""),
	M('<', WS_OP_TEXT, "two\nlines\r\n", "< /text \"two\\nlines\\r\\n\""),
	M('<', WS_OP_TEXT, "tmpl {{x}} {{{y", "< /text \"tmpl \\{{x}} "
	    "\\{\\{{y\""),
	M('<', WS_OP_TEXT, "esc \x1b[31m del\x7f", "< /text \"esc \\x1b[31m "
	    "del\\x7f\""),
	M('<', WS_OP_TEXT, "bidi \xe2\x80\xae x", "< /text \"bidi "
	    "\\u{202e} x\""),
	M('<', WS_OP_TEXT, "\"quoted\" caf\xc3\xa9 \\n", "< \"quoted\" "
	    "caf\xc3\xa9 \\n"),
	M('<', WS_OP_TEXT, "# not a comment", "< # not a comment"),
	M('<', WS_OP_BINARY, "\x00\x01\xfe\xff", "< /binary 00 01 fe ff"),
	M('>', WS_OP_BINARY, "", "> /binary"),
	M('>', WS_OP_PING, "", "> /ping"),
	M('<', WS_OP_PING, "abc", "< /ping abc"),
	M('<', WS_OP_PONG, "\"q\"", "< /pong \"\\\"q\\\"\""),
	M('<', WS_OP_PONG, "\x00\x80", "< /pong \"\\0\\x80\""),
	{ '<', WS_OP_CLOSE, "", 0, 0, "< /close" },
	{ '>', WS_OP_CLOSE, "", 0, 1000, "> /close 1000" },
	{ '<', WS_OP_CLOSE, "going away", 10, 1001, "< /close 1001 going "
	    "away" },
	{ '<', WS_OP_CLOSE, " x\n", 3, 4000, "< /close 4000 \" x\\n\"" },
};

static void
writer_reads_back(void **state)
{
	size_t i;

	for (i = 0; i < sizeof wmsgs / sizeof wmsgs[0]; i++) {
		const struct wmsg *w = &wmsgs[i];
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		struct conv *c;
		struct conv_msg m;

		assert_non_null(f);
		if (w->opcode == WS_OP_CLOSE)
			assert_int_equal(conv_write_close(f, w->dir, w->code,
			    (const uint8_t *)w->p, w->n), 0);
		else
			assert_int_equal(conv_write_message(f, w->dir,
			    w->opcode, (const uint8_t *)w->p, w->n), 0);
		fclose(f);
		if (w->line != NULL && (len != strlen(w->line) + 1 ||
		    memcmp(text, w->line, len - 1) != 0))
			fail_msg("message %zu written as '%.*s', not '%s'", i,
			    (int)len, text, w->line);
		c = parse_ok(text);
		assert_int_equal(c->nsteps, 1);
		assert_int_equal(c->steps[0].kind,
		    w->dir == '>' ? CONV_SEND : CONV_EXPECT);
		expand_ok(&c->steps[0], &m);
		assert_int_equal(m.n, w->n);
		if (w->n)
			assert_memory_equal(m.p, w->p, w->n);
		switch (w->opcode) {
		case WS_OP_TEXT:
			assert_true(m.what == CONV_TEXT ||
			    m.what == CONV_QTEXT);
			break;
		case WS_OP_BINARY:
			assert_int_equal(m.what, CONV_BINARY);
			break;
		case WS_OP_PING:
			assert_int_equal(m.what, CONV_PING);
			assert_int_equal(c->steps[0].has_body, w->n > 0);
			break;
		case WS_OP_PONG:
			assert_int_equal(m.what, CONV_PONG);
			break;
		case WS_OP_CLOSE:
			assert_int_equal(m.what, CONV_CLOSE);
			assert_int_equal(m.code, w->code);
			break;
		}
		conv_msg_free(&m);
		conv_free(c);
		free(text);
	}
}

static void
writer_header_delay_comment(void **state)
{
	const char *protos[] = { "a", "b" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct conv *c;

	assert_non_null(f);
	assert_int_equal(conv_write_comment(f, "recorded\nby wscli"), 0);
	assert_int_equal(conv_write_header(f, "ws://h:1/p?q", protos, 2), 0);
	assert_int_equal(conv_write_proto(f, "socketio"), 0);
	assert_int_equal(conv_write_message(f, '>', WS_OP_TEXT,
	    (const uint8_t *)"hi", 2), 0);
	assert_int_equal(conv_write_delay(f, 0.3125), 0);
	assert_int_equal(conv_write_message(f, '<', WS_OP_TEXT,
	    (const uint8_t *)"hi", 2), 0);
	fclose(f);
	assert_string_equal(text, "# recorded by wscli\n@url ws://h:1/p?q\n"
	    "@protocol a\n@protocol b\n@proto socketio\n> hi\n# +0.312s\n"
	    "< hi\n");
	c = parse_ok(text);
	assert_string_equal(c->url, "ws://h:1/p?q");
	assert_string_equal(c->proto, "socketio");
	assert_int_equal(c->nprotocols, 2);
	assert_int_equal(c->nsteps, 3);
	assert_int_equal(c->steps[1].kind, CONV_DELAY);
	assert_true(c->steps[1].secs == 0.312);
	conv_free(c);
	free(text);
}

/* Every prefix of a file parses or fails cleanly, never reads past it. */
static void
every_prefix(void **state)
{
	static const char text[] =
	    "@url ws://x/\n> /text \"a\\u{e9}\\x41\"\n< /re ^a(b)$\n"
	    "capture v \\1\nwithin 2s\nany order\n< /jq .a\n< x\nend\n"
	    "> /close 1000 \"r\\n\"\n";
	size_t n;

	for (n = 0; n <= sizeof text - 1; n++) {
		struct conv *c;
		char err[256];

		if (parse_n(text, n, &c, err, sizeof err) == 0)
			conv_free(c);
		else
			assert_non_null(strstr(err, "t.conv:"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_a_whole_conversation),
		cmocka_unit_test(errors_name_their_line),
		cmocka_unit_test(variables_and_escapes),
		cmocka_unit_test(durations),
		cmocka_unit_test(writer_reads_back),
		cmocka_unit_test(writer_header_delay_comment),
		cmocka_unit_test(every_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
