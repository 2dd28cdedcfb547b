/*
 * record.c - --record: conversations written as they happen; see
 * record.h.
 *
 * One open recording per conversation id, in a short list (listen and
 * relay modes have as many as clients). The pause before each step is
 * the time since the line before it, so that --replay can keep the pace;
 * pauses under a millisecond are not written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conv.h"
#include "frame.h"
#include "loop.h"
#include "opts.h"
#include "record.h"
#include "term.h"

#define DELAY_MIN 0.001 /* seconds: a shorter pause is not written */

struct rec {
	int id;
	FILE *f;                   /* NULL once it failed */
	char *path;
	double last_at;            /* of the last line written */
	int begun;                 /* a header was written */
	int close_in;              /* a CLOSE was received: the client's
				      own is its answer */
	uint8_t *piece;            /* a message sent in pieces, so far */
	size_t npiece, cappiece;
	int piece_long;            /* ... longer than RECORD_MAX */
	uint64_t piece_size;
	struct rec *next;
};

static struct {
	struct rec *recs;
	int failed;                /* a file could not be written */
} R;

int
record_on(void)
{
	return opt.record != NULL;
}

/* In listen and relay modes FILE is a directory: one file per client. */
static int
per_client(void)
{
	return opt.mode == MODE_LISTEN || opt.mode == MODE_RELAY;
}

int
record_prepare(char *why, size_t cap)
{
	struct stat sb;
	FILE *f;

	if (!record_on())
		return 0;
	if (per_client()) {
		if (stat(opt.record, &sb) == 0 && S_ISDIR(sb.st_mode))
			return 0;
		if (mkdir(opt.record, 0777) == 0)
			return 0;
		snprintf(why, cap, "--record %s: %s (with -l it is a "
		    "directory: one file per client)", opt.record,
		    errno == EEXIST ? "not a directory" : strerror(errno));
		return -1;
	}
	if (stat(opt.record, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(why, cap, "--record %s: is a directory (a directory "
		    "goes with -l)", opt.record);
		return -1;
	}
	/* made now, so that a bad path is said before connecting */
	if ((f = fopen(opt.record, "w")) == NULL) {
		snprintf(why, cap, "--record %s: %s", opt.record,
		    strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

static struct rec *
find(int id)
{
	for (struct rec *r = R.recs; r; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

static void
failed(struct rec *r)
{
	diag("--record: cannot write %s: %s; no longer recorded", r->path,
	    strerror(errno ? errno : EIO));
	fclose(r->f);
	r->f = NULL;
	R.failed = 1;
}

/* The pause since the last line, before the next one. */
static int
pace(struct rec *r)
{
	double t = now_sec(), d = t - r->last_at;

	r->last_at = t;
	if (d >= DELAY_MIN && conv_write_delay(r->f, d) != 0)
		return -1;
	return 0;
}

/* The recording id is writing, or NULL. */
static struct rec *
writing(int id)
{
	struct rec *r = find(id);

	return r && r->f ? r : NULL;
}

void
record_begin(int id, const char *url, const char *const *protocols, size_t n)
{
	struct rec *r = find(id);
	char path[4096];

	if (!record_on())
		return;
	if (r && r->f) { /* client mode, connected again */
		r->close_in = 0;
		r->last_at = now_sec();
		if (conv_write_comment(r->f, "connected again") != 0)
			failed(r);
		return;
	}
	if (r)
		return; /* it failed */
	if (per_client())
		snprintf(path, sizeof path, "%s/%s-%d.conv", opt.record,
		    opt.mode == MODE_RELAY ? "relay" : "client", id);
	else
		snprintf(path, sizeof path, "%s", opt.record);
	r = xrealloc(NULL, sizeof *r);
	memset(r, 0, sizeof *r);
	r->id = id;
	r->path = xstrdup(path);
	r->next = R.recs;
	R.recs = r;
	r->last_at = now_sec();
	if ((r->f = fopen(path, "w")) == NULL) {
		diag("--record: cannot create %s: %s", path, strerror(errno));
		R.failed = 1;
		return;
	}
	if (conv_write_header(r->f, url, protocols, n) != 0)
		failed(r);
}

void
record_comment(int id, const char *text)
{
	struct rec *r = writing(id);

	if (r && conv_write_comment(r->f, text) != 0)
		failed(r);
}

void
record_message(int id, char dir, unsigned opcode, const uint8_t *p, size_t n,
    uint64_t size)
{
	struct rec *r = writing(id);
	char what[160];

	if (r == NULL)
		return;
	if (p == NULL || n < size || (opcode != WS_OP_TEXT &&
	    opcode != WS_OP_BINARY)) {
		snprintf(what, sizeof what, "%s %s message of %" PRIu64 " bytes "
		    "(%s): not recorded", dir == '>' ? "sent" : "received",
		    opcode == WS_OP_TEXT ? "a text" : opcode == WS_OP_BINARY ?
		    "a binary" : "an unknown", size, opcode != WS_OP_TEXT &&
		    opcode != WS_OP_BINARY ? "a reserved opcode" :
		    "more than --record keeps");
		if (pace(r) != 0 || conv_write_comment(r->f, what) != 0)
			failed(r);
		return;
	}
	if (pace(r) != 0 || conv_write_message(r->f, dir, opcode, p, n) != 0)
		failed(r);
}

void
record_piece(int id, unsigned opcode, const uint8_t *p, size_t n, int fin)
{
	struct rec *r = writing(id);

	if (r == NULL)
		return;
	r->piece_size += n;
	if (!r->piece_long && r->npiece + n > RECORD_MAX) {
		r->piece_long = 1;
		free(r->piece);
		r->piece = NULL;
		r->npiece = r->cappiece = 0;
	}
	if (!r->piece_long && n > 0) {
		if (r->npiece + n > r->cappiece) {
			size_t c = r->cappiece ? r->cappiece : 256;

			while (c < r->npiece + n)
				c *= 2;
			r->piece = xrealloc(r->piece, c);
			r->cappiece = c;
		}
		memcpy(r->piece + r->npiece, p, n);
		r->npiece += n;
	}
	if (!fin)
		return;
	record_message(id, '>', opcode, r->piece_long ? NULL : r->piece,
	    r->npiece, r->piece_size);
	r->npiece = 0;
	r->piece_size = 0;
	r->piece_long = 0;
}

void
record_control(int id, char dir, unsigned opcode, const uint8_t *p, size_t n,
    int automatic)
{
	struct rec *r = writing(id);

	if (r == NULL || (dir == '>' && automatic))
		return;
	if (pace(r) != 0 || conv_write_message(r->f, dir, opcode, p, n) != 0)
		failed(r);
}

void
record_close(int id, char dir, unsigned code, const uint8_t *reason,
    size_t n)
{
	struct rec *r = writing(id);

	if (r == NULL)
		return;
	if (dir == '<')
		r->close_in = 1;
	else if (r->close_in)
		return; /* the answer to the one received */
	if (pace(r) != 0 || conv_write_close(r->f, dir,
	    code == WS_CLOSE_NO_STATUS ? 0 : code, reason, n) != 0)
		failed(r);
}

static void
rec_free(struct rec *r)
{
	if (r->f && fclose(r->f) != 0) {
		diag("--record: cannot write %s: %s", r->path,
		    strerror(errno));
		R.failed = 1;
	}
	free(r->piece);
	free(r->path);
	free(r);
}

void
record_end(int id)
{
	struct rec **pp = &R.recs, *r;

	if (!per_client())
		return;
	while (*pp && (*pp)->id != id)
		pp = &(*pp)->next;
	if ((r = *pp) == NULL)
		return;
	*pp = r->next;
	rec_free(r);
}

int
record_finish(void)
{
	while (R.recs) {
		struct rec *r = R.recs;

		R.recs = r->next;
		rec_free(r);
	}
	return R.failed ? -1 : 0;
}
