/*
 * serve.c - the run of a mode that listens; see serve.h.
 *
 * Listen and relay modes differ in what a connection is and in what
 * passes through it; how they start, take signals, time out and end is
 * the same, and so are the REPL commands they share. That part is here,
 * once; each mode supplies the rest through struct serve_ops.
 */
#include <errno.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "jsonl.h"
#include "loop.h"
#include "output.h"
#include "repl.h"
#include "serve.h"
#include "server.h"
#include "show.h"
#include "term.h"
#include "exit.h"
#include "opts.h"

#define FILE_MAX (64 * 1024 * 1024) /* /file reads the file whole */

static struct {
	const struct serve_ops *ops;
	struct source src;         /* signals, stdin, --timeout */
	int sig_fd;                /* loop_signals() */
	int exit;                  /* -1 until decided */
	int ending;                /* closing every connection, then the end */
	int once_done;             /* --once: the first one is over */
	regex_t until;
	int until_matched;
	double deadline;           /* --timeout */
} R;

static void
set_exit(int code)
{
	if (R.exit < 0)
		R.exit = code;
}

/* ------------------------------------------------------------- ending */

void
serve_end_all(unsigned code, int exit)
{
	set_exit(exit);
	if (!R.ending)
		srv_stop_accepting();
	R.ending = 1;
	R.ops->close_all(code, exit);
	if (R.ops->count() == 0)
		loop_stop();
}

void
serve_end_now(int exit, const char *why)
{
	set_exit(exit);
	R.ending = 1;
	srv_stop_accepting();
	R.ops->abort_all(exit, why);
	loop_stop();
}

int
serve_ending(void)
{
	return R.ending;
}

void
serve_over(int status)
{
	if (srv_opt.once && !R.once_done) {
		R.once_done = 1;
		set_exit(status);
		serve_end_all(WS_CLOSE_GOING_AWAY, status);
	}
	if (R.ending && R.ops->count() == 0)
		loop_stop();
}

int
serve_until_wanted(void)
{
	return opt.until && !R.until_matched && !R.ending;
}

int
serve_until_match(const char *label, const char *text)
{
	if (regexec(&R.until, text, 0, NULL, 0) != 0)
		return 0;
	info("%s--until matched; closing", label);
	R.until_matched = 1;
	return 1;
}

static void
on_signals(void)
{
	int sig;

	while ((sig = loop_signal_next()) != 0) {
		if (sig == SIGWINCH) {
			if (opt.interactive)
				repl_resize();
		} else if (sig == SIGINT && opt.interactive && !R.ending) {
			repl_interrupt();
		} else if (R.ending) {
			diag("interrupted");
			serve_end_now(EXIT_ERROR, "interrupted");
			return;
		} else {
			if (sig == SIGHUP && opt.interactive)
				repl_stop();
			if (R.ops->input_end)
				R.ops->input_end();
			serve_end_all(WS_CLOSE_GOING_AWAY, EXIT_OK);
		}
	}
}

/* ------------------------------------------------------- REPL commands */

int
serve_parse_id(const char *s, const char **end)
{
	long v = 0;

	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9' && v < 1000000000)
		v = v * 10 + (*s++ - '0');
	*end = s;
	return (int)v;
}

int
serve_kick_args(const char *arg, int *id, unsigned *code,
    const char **reason)
{
	const char *end;
	char why[160];
	unsigned long c = WS_CLOSE_NORMAL;
	uint8_t payload[2 + WS_MAX_CLOSE_REASON];
	long n;

	*id = serve_parse_id(arg, &end);
	*reason = "";
	if (*id <= 0 || (*end && *end != ' ')) {
		repl_show_infof("/kick: usage: /kick ID [CODE [REASON]]");
		return -1;
	}
	while (*end == ' ')
		end++;
	if (*end) {
		char *e;

		errno = 0;
		c = strtoul(end, &e, 10);
		if (e == end || (*e && *e != ' ') || errno || c > 65535) {
			repl_show_infof("/kick: '%s' is not a close code (a "
			    "number such as 1008)", end);
			return -1;
		}
		if (ws_close_code_why_not((unsigned)c, why, sizeof why)) {
			repl_show_infof("/kick: %lu may not be sent: %s", c, why);
			return -1;
		}
		*reason = e;
		while (**reason == ' ')
			(*reason)++;
	}
	/* built only to check the reason: length and UTF-8 */
	n = ws_close_build(payload, (unsigned)c, (const uint8_t *)*reason,
	    strlen(*reason));
	if (n < 0) {
		repl_show_infof("/kick: %s", n == WS_CLOSE_ERR_TOO_LONG ?
		    "the reason is longer than 123 bytes" :
		    ws_close_strerror((int)n));
		return -1;
	}
	*code = (unsigned)c;
	return 0;
}

uint8_t *
serve_read_file(int fd, uint64_t size, size_t *len, const char **why)
{
	uint8_t *buf;
	size_t got = 0;

	if (size > FILE_MAX) {
		*why = "larger than 64 MiB, the most sent as one message here";
		close(fd);
		return NULL;
	}
	buf = xrealloc(NULL, (size_t)size + 1);
	while (got < size) {
		ssize_t r = read(fd, buf + got, (size_t)size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*why = r < 0 ? strerror(errno) : "the file got shorter";
			free(buf);
			close(fd);
			return NULL;
		}
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return buf;
}

/* ----------------------------------------------------------- the source */

static int
src_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    double *deadline, int *busy)
{
	int n = 0;

	pfd[n].fd = R.sig_fd;
	pfd[n++].events = POLLIN;
	if (opt.interactive || (R.ops->stdin_wanted &&
	    R.ops->stdin_wanted())) {
		pfd[n].fd = STDIN_FILENO;
		pfd[n++].events = POLLIN;
	}
	if (R.deadline > 0 && (*deadline == 0 || R.deadline < *deadline))
		*deadline = R.deadline;
	if (R.ops->prepare)
		R.ops->prepare(now, deadline, busy);
	return n;
}

static void
src_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	if (n > 0 && pfd[0].revents)
		on_signals();
	if (loop_stopping())
		return;
	if (n > 1 && pfd[1].revents) {
		if (opt.interactive)
			repl_read_char();
		else
			R.ops->stdin_readable();
	}
	if (R.deadline > 0 && now >= R.deadline) {
		diag("timed out: --timeout %g s", opt.timeout);
		serve_end_now(EXIT_TIMEOUT, "--timeout");
		return;
	}
	if (R.ops->dispatch)
		R.ops->dispatch(now);
}

/* ------------------------------------------------------------- the run */

static void
jsonl_error_hook(const char *msg)
{
	if (opt.jsonl && !opt.interactive) {
		jsonl_begin(show_jsonl_writer, "error");
		jsonl_str("message", msg);
		jsonl_end();
	}
}

static const struct term_hooks scripted_hooks = {
	.error = jsonl_error_hook,
};

int
serve_run(const struct serve_ops *ops)
{
	int rc;

	R.ops = ops;
	R.exit = -1;
	if (opt.until && regcomp(&R.until, opt.until, REG_EXTENDED |
	    REG_NOSUB) != 0) {
		diag("invalid --until expression");
		return EXIT_USAGE;
	}
	if ((R.sig_fd = loop_signals()) < 0) {
		diag("pipe: %s", strerror(errno));
		return EXIT_ERROR;
	}
	term_set_hooks(&scripted_hooks);
	loop_set_before_block(out_flush);
	if (srv_start(ops->hooks) != 0) {
		out_flush();
		rc = EXIT_ERROR;
		goto out;
	}
	if (ops->started)
		ops->started();
	if (opt.timeout > 0)
		R.deadline = now_sec() + opt.timeout;
	R.src.prepare = src_prepare;
	R.src.dispatch = src_dispatch;
	loop_add(&R.src);
	if (opt.interactive)
		repl_start(ops->repl);
	if (loop_run() != 0) {
		diag("poll: %s", strerror(errno));
		set_exit(EXIT_ERROR);
	}
	if (opt.interactive)
		repl_stop();
	term_set_hooks(&scripted_hooks);
	/* what is still open ends now */
	ops->finish(R.exit);
	srv_drop_all();
	loop_release();
	out_flush();
	if (out_failed())
		set_exit(EXIT_ERROR);
	set_exit(EXIT_OK);
	if (opt.until && !R.until_matched && R.exit == EXIT_OK) {
		diag("ended without a message matching --until");
		R.exit = EXIT_NO_MATCH;
	}
	if (ops->status)
		R.exit = ops->status(R.exit);
	rc = R.exit;
	loop_remove(&R.src);
out:
	loop_release();
	term_set_hooks(NULL);
	if (opt.until)
		regfree(&R.until);
	out_free();
	return rc;
}
