/*
 * opening.c - the --send, --frame and --on-connect messages every new
 * connection starts with; see opening.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "conn.h"
#include "craft.h"
#include "display.h"
#include "frame.h"
#include "opening.h"
#include "proto.h"
#include "show.h"
#include "term.h"
#include "opts.h"

#define ON_CONNECT_MAX (16 << 20) /* size of an --on-connect file */

static struct {
	const char *path;          /* --on-connect */
	uint8_t *file;             /* --on-connect, as read */
	uint8_t **line;            /* its lines, pointing into file */
	size_t *len, n;
} O;

int
opening_load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 0, start = 0;
	uint64_t lineno = 0;

	O.path = path;
	if (fd < 0) {
		diag("cannot read --on-connect file '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t r;

		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			O.file = xrealloc(O.file, cap);
		}
		r = read(fd, O.file + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			diag("cannot read --on-connect file '%s': %s", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > ON_CONNECT_MAX) {
			diag("--on-connect file '%s' is larger than %d MiB",
			    path, ON_CONNECT_MAX >> 20);
			close(fd);
			return -1;
		}
	}
	close(fd);
	while (start < len) {
		uint8_t *p = O.file + start;
		uint8_t *nl = memchr(p, '\n', len - start);
		size_t n = nl ? (size_t)(nl - p) : len - start, bad;

		start += n + (nl ? 1 : 0);
		lineno++;
		if (nl && n > 0 && p[n - 1] == '\r')
			n--;
		if (!opt.binary && !ws_utf8_valid(p, n, &bad)) {
			diag("--on-connect file '%s', line %" PRIu64 ": not "
			    "valid UTF-8 at byte %zu", path, lineno, bad + 1);
			return -1;
		}
		O.line = xrealloc(O.line, (O.n + 1) * sizeof *O.line);
		O.len = xrealloc(O.len, (O.n + 1) * sizeof *O.len);
		O.line[O.n] = p;
		O.len[O.n++] = n;
	}
	return 0;
}

void
opening_free(void)
{
	free(O.file);
	free(O.line);
	free(O.len);
	memset(&O, 0, sizeof O);
}

/* --frame SPEC (checked when the options were read), as c's role sends. */
static void
send_spec(struct conn *c, struct craft_walk *w, const char *spec)
{
	size_t n = strlen(spec), cap;
	uint8_t *buf = xrealloc(NULL, n + 1), *out;
	struct craft_frame f;
	char why[512];
	long code;

	if (craft_parse(spec, conn_role(c), buf, n + 1, &f, why, sizeof why) != 0) {
		diag("--frame '%s': %s", spec, why);
		free(buf);
		return;
	}
	cap = craft_size(&f);
	out = xrealloc(NULL, cap);
	if (f.masked && !f.key_given && RAND_bytes(f.key, 4) != 1)
		diag("cannot get random bytes for the frame mask");
	else if (craft_encode(out, cap, &f) == cap &&
	    conn_send_raw(c, out, cap) == 0 &&
	    show_crafted(c, w, out, cap, &code))
		conn_close_crafted(c, (unsigned)code);
	free(out);
	free(buf);
}

/* One message. A crafted CLOSE (--frame) before it means it can never go:
 * say so rather than drop it in silence. Returns 0 or -1. */
static int
send_message(struct conn *c, const uint8_t *m, size_t n, const char *what)
{
	unsigned op = opt.binary ? WS_OP_BINARY : WS_OP_TEXT;
	char esc[96];

	if (conn_send_data(c, op, m, n, 1, 0) == 0) {
		show_message_out(c, op, m, n, n, 1);
		return 0;
	}
	disp_escape_str(esc, sizeof esc, m, n < 32 ? n : 32, DISP_QUOTE);
	diag("%s%s \"%s%s\" was not sent: a close frame (--frame) went before "
	    "it", conn_label(c), what, esc, n > 32 ? "..." : "");
	return -1;
}

uint64_t
opening_send(struct conn *c, struct craft_walk *w)
{
	uint64_t unsent = 0;

	for (int i = 0; i < opt.nsend; i++) {
		if (opt.send_frame[i])
			send_spec(c, w, opt.send[i]);
		else if (send_message(c, (const uint8_t *)opt.send[i],
		    strlen(opt.send[i]), "--send") != 0)
			unsent++;
	}
	for (size_t i = 0; i < O.n; i++)
		if (send_message(c, O.line[i], O.len[i],
		    "--on-connect message") != 0)
			unsent++;
	return unsent;
}

void
opening_send_frames(struct conn *c, struct craft_walk *w)
{
	for (int i = 0; i < opt.nsend; i++)
		if (opt.send_frame[i])
			send_spec(c, w, opt.send[i]);
}

size_t
opening_messages(void)
{
	size_t n = O.n;

	for (int i = 0; i < opt.nsend; i++)
		if (!opt.send_frame[i])
			n++;
	return n;
}

const uint8_t *
opening_message(size_t i, size_t *n, char *what, size_t cap)
{
	for (int k = 0; k < opt.nsend; k++) {
		if (opt.send_frame[k])
			continue;
		if (i-- == 0) {
			*n = strlen(opt.send[k]);
			snprintf(what, cap, "--send '%.40s%s'", opt.send[k],
			    *n > 40 ? "..." : "");
			return (const uint8_t *)opt.send[k];
		}
	}
	*n = O.len[i];
	snprintf(what, cap, "--on-connect file '%s', line %zu", O.path, i + 1);
	return O.line[i];
}

int
opening_check(const struct proto *p)
{
	char what[1100], why[256];
	size_t len, n = opening_messages();

	for (size_t i = 0; i < n; i++) {
		const uint8_t *m = opening_message(i, &len, what, sizeof what);

		if (proto_check_line(p, m, len, why, sizeof why) != 0) {
			diag("%s: %s (with --proto %s it means what a line "
			    "of standard input means)", what, why, p->name);
			return -1;
		}
	}
	return 0;
}
