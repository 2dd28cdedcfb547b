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
#include <unistd.h>

#include "conv.h"
#include "frame.h"
#include "loop.h"
#include "opts.h"
#include "record.h"
#include "term.h"

#define DELAY_MIN 0.001 /* seconds: a shorter pause is not written */

struct rec {
	int id;
	FILE *f;                   /* NULL until the first line, and once
				      it failed */
	char *path;
	int failed;                /* it could not be written */
	char *url;                 /* the header, written with the first
				      line */
	char **protocols;
	size_t nprotocols;
	char *proto;               /* --proto's protocol, or NULL */
	double last_at;            /* of the last line written */
	int begun;                 /* the conversation began */
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
	/* a bad path is said before connecting, but the file is only
	 * written once there is a conversation: a connection that fails
	 * leaves no file, and an existing one as it was */
	if (stat(opt.record, &sb) == 0) {
		if (access(opt.record, W_OK) != 0) {
			snprintf(why, cap, "--record %s: %s", opt.record,
			    strerror(errno));
			return -1;
		}
		return 0;
	}
	if ((f = fopen(opt.record, "w")) == NULL) {
		snprintf(why, cap, "--record %s: %s", opt.record,
		    strerror(errno));
		return -1;
	}
	fclose(f);
	unlink(opt.record);
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
	r->failed = 1;
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

/* Its file, made with the first line: the header first. */
static int
open_file(struct rec *r)
{
	if ((r->f = fopen(r->path, "w")) == NULL) {
		diag("--record: cannot create %s: %s", r->path,
		    strerror(errno));
		r->failed = 1;
		R.failed = 1;
		return -1;
	}
	if (conv_write_header(r->f, r->url, (const char *const *)r->protocols,
	    r->nprotocols) != 0 || (r->proto && conv_write_proto(r->f,
	    r->proto) != 0)) {
		failed(r);
		return -1;
	}
	return 0;
}

/* The recording id is writing, or NULL. */
static struct rec *
writing(int id)
{
	struct rec *r = find(id);

	if (r == NULL || !r->begun || r->failed)
		return NULL;
	if (r->f == NULL && open_file(r) != 0)
		return NULL;
	return r;
}

/* The recording of id, made when there is none yet. */
static struct rec *
get(int id)
{
	struct rec *r = find(id);
	char path[4096];

	if (r)
		return r;
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
	return r;
}

void
record_begin(int id, const char *url, const char *const *protocols, size_t n)
{
	struct rec *r;

	if (!record_on())
		return;
	r = get(id);
	if (r->begun) { /* client mode, connected again */
		r->close_in = 0;
		r->last_at = now_sec();
		if ((r = writing(id)) != NULL && conv_write_comment(r->f,
		    "connected again") != 0)
			failed(r);
		return;
	}
	r->begun = 1;
	r->last_at = now_sec();
	r->url = url ? xstrdup(url) : NULL;
	r->protocols = n ? xrealloc(NULL, n * sizeof *r->protocols) : NULL;
	for (size_t i = 0; i < n; i++)
		r->protocols[i] = xstrdup(protocols[i]);
	r->nprotocols = n;
}

void
record_proto(int id, const char *name)
{
	struct rec *r;

	if (!record_on())
		return;
	r = get(id);
	/* a reconnection speaks it again: the header said it */
	if (r->proto == NULL && r->f == NULL)
		r->proto = xstrdup(name);
}

void
record_line(int id, char dir, const uint8_t *p, size_t n)
{
	struct rec *r = writing(id);

	if (r && (pace(r) != 0 || conv_write_message(r->f, dir, WS_OP_TEXT,
	    p, n) != 0))
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
	if (r->proto) {
		/* under a protocol a line means what the protocol makes of
		 * it; its messages are recorded so (record_line). A bare
		 * message sent by hand cannot be written as a step. */
		if (dir == '>' && opt.mode == MODE_CLIENT) {
			snprintf(what, sizeof what, "a bare %s message of "
			    "%" PRIu64 " bytes was sent: not recorded (a line "
			    "under @proto %s is the protocol's)", opcode ==
			    WS_OP_BINARY ? "binary" : "text", size, r->proto);
			if (pace(r) != 0 || conv_write_comment(r->f, what) != 0)
				failed(r);
		}
		return;
	}
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
	/* a conversation with no line yet still gets its file */
	if (r->begun && r->f == NULL && !r->failed)
		(void)open_file(r);
	if (r->f && fclose(r->f) != 0) {
		diag("--record: cannot write %s: %s", r->path,
		    strerror(errno));
		R.failed = 1;
	}
	free(r->piece);
	free(r->path);
	free(r->url);
	for (size_t i = 0; i < r->nprotocols; i++)
		free(r->protocols[i]);
	free(r->protocols);
	free(r->proto);
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
