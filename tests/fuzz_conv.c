/*
 * fuzz_conv.c - libFuzzer target for conv.c, the conversation file parser
 * and writer.
 *
 * The input is a file's text, in an exactly sized heap block without a
 * NUL. Checked:
 *  - it parses, or fails with "NAME:LINE: " where LINE is a line of the
 *    input;
 *  - every step's line is within the input, in order;
 *  - every send and expectation that can be made concrete (each variable
 *    is "v") and is a message (text, binary, ping, pong, close), written
 *    back by the writer, parses as one step that makes the same bytes,
 *    code and kind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "frame.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static const char *
any(void *ud, const char *name, size_t n)
{
	return "v";
}

static void
round_trip(const struct conv_step *s, const struct conv_msg *m)
{
	char *text = NULL, err[512];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	char dir = s->kind == CONV_SEND ? '>' : '<';
	struct conv *c;
	struct conv_msg b;
	unsigned op;
	int r;

	CHECK(f != NULL);
	switch (m->what) {
	case CONV_TEXT:
	case CONV_QTEXT:
		op = WS_OP_TEXT;
		break;
	case CONV_BINARY:
		op = WS_OP_BINARY;
		break;
	case CONV_PING:
		op = WS_OP_PING;
		break;
	case CONV_PONG:
		op = WS_OP_PONG;
		break;
	default:
		op = WS_OP_CLOSE;
	}
	if (op == WS_OP_CLOSE)
		r = conv_write_close(f, dir, m->code, m->p, m->n);
	else
		r = conv_write_message(f, dir, op, m->p, m->n);
	CHECK(r == 0);
	CHECK(fclose(f) == 0);
	if (conv_parse(text, len, "w", &c, err, sizeof err) != 0) {
		fprintf(stderr, "written '%.*s' does not parse: %s\n",
		    (int)len, text, err);
		abort();
	}
	CHECK(c->nsteps == 1 && c->steps[0].kind == s->kind);
	CHECK(conv_expand(&c->steps[0], NULL, NULL, &b, err, sizeof err) == 0);
	CHECK(b.n == m->n && (m->n == 0 || memcmp(b.p, m->p, m->n) == 0));
	CHECK(b.code == m->code);
	if (op == WS_OP_TEXT)
		CHECK(b.what == CONV_TEXT || b.what == CONV_QTEXT);
	else
		CHECK(b.what == m->what);
	conv_msg_free(&b);
	conv_free(c);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1), err[512];
	struct conv *c;
	size_t lines = 1, i;
	int last = 0;

	CHECK(text != NULL);
	memcpy(text, data, size);
	for (i = 0; i < size; i++)
		lines += text[i] == '\n';
	if (conv_parse(text, size, "f", &c, err, sizeof err) != 0) {
		long line;
		char *end;

		CHECK(c == NULL);
		CHECK(!strncmp(err, "f:", 2));
		line = strtol(err + 2, &end, 10);
		CHECK(end != err + 2 && *end == ':');
		CHECK(line >= 1 && (size_t)line <= lines);
		free(text);
		return 0;
	}
	for (i = 0; i < c->nsteps; i++) {
		const struct conv_step *s = &c->steps[i];
		struct conv_msg m;

		CHECK(s->line >= last && (size_t)s->line <= lines);
		last = s->line;
		if (s->kind != CONV_SEND && s->kind != CONV_EXPECT)
			continue;
		if (conv_expand(s, any, NULL, &m, err, sizeof err) != 0)
			continue;
		switch (s->what) {
		case CONV_TEXT:
		case CONV_QTEXT:
		case CONV_BINARY:
		case CONV_PING:
		case CONV_PONG:
		case CONV_CLOSE:
			/* an expectation of any payload has none to write */
			if (!((s->what == CONV_PING || s->what == CONV_PONG) &&
			    !s->has_body))
				round_trip(s, &m);
			break;
		default:
			break;
		}
		conv_msg_free(&m);
	}
	conv_free(c);
	free(text);
	return 0;
}
