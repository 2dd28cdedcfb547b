/*
 * view.c - the terminal rendering of events (see view.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "display.h"
#include "frame.h"
#include "opts.h"
#include "term.h"
#include "view.h"

#define TEXT_SHOWN (16 * 1024)  /* bytes of a text message shown */
#define BINARY_SHOWN 512        /* bytes of a binary message hexdumped */

struct view view;

void
view_init(void)
{
	view.timestamps = opt.timestamps;
	view.json = opt.json;
	view.hex = opt.hex;
	view.frames = opt.frames;
}

/* Continuation lines start under the body column: the timestamp, "< ",
 * the type (7) and the size (10) and two spaces. */
static const char *
indent(void)
{
	static const char spaces[] = "                                   ";

	return spaces + sizeof spaces - 1 - 21 - (view.timestamps ? 13 : 0);
}

static const char *
c(const char *sgr)
{
	return opt.color ? sgr : "";
}

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define BLUE "\033[34m"
#define MAGENTA "\033[35m"
#define CYAN "\033[36m"
#define DIM "\033[2m"
#define BOLD "\033[1m"
#define OFF "\033[0m"

/* ------------------------------------------------------------ printing */

/* A line is out: stdout first, then the prompt may come back. */
static void
view_end(void)
{
	fflush(stdout);
	term_end();
}

static void
put_timestamp(void)
{
	char buf[64];
	size_t n = term_stamp_as(buf, sizeof buf, view.timestamps);

	/* "12:30:01.250 ": the blank after it is not dimmed */
	if (n > 0)
		printf("%s%.*s%s ", c(DIM), (int)n - 1, buf, c(OFF));
}

static const char *
type_color(unsigned opcode)
{
	switch (opcode) {
	case WS_OP_TEXT:
		return GREEN;
	case WS_OP_BINARY:
		return CYAN;
	case WS_OP_CLOSE:
		return YELLOW;
	default:
		return MAGENTA;
	}
}

static void
put_head(int id, char dir, unsigned opcode, uint64_t size)
{
	char sz[32], who[16] = "";

	disp_size(sz, sizeof sz, size);
	if (id > 0)
		snprintf(who, sizeof who, "%d", id);
	put_timestamp();
	printf("%s%s%c%s%s %s%-7s%s%10s  ", c(BOLD), c(dir == '<' ? BLUE : ""),
	    dir, who, c(OFF), c(type_color(opcode)), ws_opcode_name(opcode),
	    c(OFF), sz);
}

/* Text escaped for the terminal; newlines start indented lines. */
static void
put_text(const uint8_t *p, size_t len, int more)
{
	static char buf[TEXT_SHOWN * DISP_ESCAPE_MAX + 64];
	struct disp_escape_state st;
	const uint8_t *end = p + len;

	memset(&st, 0, sizeof st);
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p), w;

		w = disp_escape(buf, sizeof buf, p, n, opt.color ? DISP_COLOR :
		    0, &st, !more || nl);
		fwrite(buf, 1, w, stdout);
		if (!nl)
			break;
		printf("\n%s", indent());
		p = nl + 1;
	}
}

void
view_message(int id, char dir, int binary, const uint8_t *p,
    size_t shown, uint64_t total, unsigned frags, uint64_t wire)
{
	static char buf[BINARY_SHOWN / 16 * (DISP_HEXDUMP_LINE + 32) + 64];

	term_begin();
	put_head(id, dir, binary ? WS_OP_BINARY : WS_OP_TEXT, total);
	if (wire > 0)
		printf("%s[deflated %llu B]%s ", c(DIM),
		    (unsigned long long)wire, c(OFF));
	if (frags > 1)
		printf("%s[%u fragments]%s ", c(DIM), frags, c(OFF));
	if (binary || view.hex) {
		size_t n = shown < BINARY_SHOWN ? shown : BINARY_SHOWN, w;

		w = disp_hexdump(buf, sizeof buf, p, n, 0, "  ");
		printf("\n%.*s", (int)w, buf);
		if (total > n)
			printf("  %s... %llu more bytes not shown%s\n",
			    c(DIM), (unsigned long long)(total - n), c(OFF));
	} else {
		long w = -1;

		if (view.json && shown == total) {
			static char jbuf[TEXT_SHOWN * 16 + 64 * DISP_JSON_MAX_DEPTH];

			w = disp_json(jbuf, sizeof jbuf, p, shown, indent(),
			    opt.color);
			if (w >= 0)
				fwrite(jbuf, 1, (size_t)w, stdout);
		}
		if (w < 0)
			put_text(p, shown, total > shown);
		if (total > shown)
			printf(" %s... %llu more bytes not shown%s", c(DIM),
			    (unsigned long long)(total - shown), c(OFF));
		putchar('\n');
	}
	view_end();
}

void
view_proto(int id, char dir, const char *kind, const uint8_t *text,
    size_t n)
{
	char who[16] = "";

	if (id > 0)
		snprintf(who, sizeof who, "%d", id);
	term_begin();
	put_timestamp();
	/* a kind without text (a ping) ends the line: no trailing blank */
	printf("%s%s%c%s%s %s%s%s%s", c(BOLD), c(dir == '<' ? BLUE : ""), dir,
	    who, c(OFF), c(GREEN), kind, c(OFF), n > 0 ? " " : "");
	put_text(text, n < TEXT_SHOWN ? n : TEXT_SHOWN, n > TEXT_SHOWN);
	putchar('\n');
	view_end();
}

void
view_control(int id, char dir, unsigned opcode, const uint8_t *p,
    size_t len, const char *note)
{
	term_begin();
	put_head(id, dir, opcode, len);
	if (opcode == WS_OP_CLOSE) {
		fputs(note ? note : "", stdout);
	} else {
		put_text(p, len, 0);
		if (note)
			printf("%s%s(%s)%s", len ? " " : "", c(DIM), note, c(OFF));
	}
	putchar('\n');
	view_end();
}

void
view_info(const char *msg)
{
	term_begin();
	put_timestamp();
	printf("%s%s%s\n", c(DIM), msg, c(OFF));
	view_end();
}

void
view_line(const char *line)
{
	term_begin();
	put_timestamp();
	printf("%s%s%s\n", c(DIM), line, c(OFF));
	view_end();
}

void
view_infof(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	view_info(buf);
}

void
view_sent(unsigned opcode, uint64_t size, const char *what)
{
	term_begin();
	put_head(0, '>', opcode, size);
	if (what)
		printf("%s%s%s", c(DIM), what, c(OFF));
	putchar('\n');
	view_end();
}

void
view_diag(const char *msg)
{
	term_begin();
	put_timestamp();
	printf("%s%s%s\n", c(RED), msg, c(OFF));
	view_end();
}

void
view_reply(int error, const char *msg)
{
	term_begin();
	if (error)
		printf("%s%s%s\n", c(RED), msg, c(OFF));
	else
		printf("%s\n", msg);
	view_end();
}

void
view_hint(const char *msg)
{
	term_begin();
	printf("%s%s%s\n", c(DIM), msg, c(OFF));
	view_end();
}
