/*
 * run.c - the run of every mode; see run.h.
 *
 * The modes differ in what a connection is and in what passes through
 * it; how they start, take signals, time out and end is the same. That
 * part is here, once; each mode supplies the rest through struct
 * run_ops. The REPL commands the listening modes share are at the end.
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
#include "run.h"
#include "listener.h"
#include "show.h"
#include "term.h"
#include "view.h"
#include "exit.h"
#include "opts.h"


static struct {
	const struct run_ops *ops;
	struct source src;         /* signals, stdin */
	struct timer timeout;      /* --timeout */
	int sig_fd;                /* loop_signals() */
	int exit;                  /* -1 until decided */
	int ending;                /* closing every connection, then the end */
	const char *who;           /* who ended it */
	int once_done;             /* --once: the first one is over */
	regex_t until;
	int until_matched;
} R;

void
run_set_exit(int code)
{
	if (R.exit < 0)
		R.exit = code;
}

static void
ended_by(const char *who)
{
	if (R.who == NULL && who != NULL) {
		R.who = who;
		if (opt.verbose)
			info("ending: %s", who);
	}
}

/* ------------------------------------------------------------- ending */

void
run_end_all(unsigned code, int exit, const char *who)
{
	ended_by(who);
	if (!R.ending && R.ops->hooks)
		srv_stop_accepting();
	R.ending = 1;
	/* the mode may decide first (it may have to end now) */
	R.ops->close_all(code, exit);
	run_set_exit(exit);
	if (R.ops->count() == 0)
		loop_stop();
}

void
run_end_now(int exit, const char *why)
{
	ended_by(why);
	run_set_exit(exit);
	R.ending = 1;
	if (R.ops->hooks)
		srv_stop_accepting();
	R.ops->abort_all(exit, why);
	loop_stop();
}

void
run_done(int exit)
{
	run_set_exit(exit);
	R.ending = 1;
	loop_stop();
}

int
run_ending(void)
{
	return R.ending;
}

const char *
run_ended_by(void)
{
	return R.who;
}

void
run_over(int status)
{
	if (srv_opt.once && !R.once_done) {
		R.once_done = 1;
		run_set_exit(status);
		run_end_all(WS_CLOSE_GOING_AWAY, status, "--once");
	}
	if (R.ending && R.ops->count() == 0)
		loop_stop();
}

int
run_until_wanted(void)
{
	return opt.until && !R.until_matched && !R.ending;
}

int
run_until_match(const char *label, const char *text)
{
	if (regexec(&R.until, text, 0, NULL, 0) != 0)
		return 0;
	info("%s--until matched; closing", label);
	R.until_matched = 1;
	return 1;
}

int
run_until_matched(void)
{
	return R.until_matched;
}

static const char *
signame(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" :
	    sig == SIGHUP ? "SIGHUP" : "a signal";
}

static void
on_signals(void)
{
	int sig;

	while ((sig = loop_signal_next()) != 0) {
		if (sig == SIGWINCH) {
			if (opt.interactive)
				repl_resize();
		} else if (sig == SIGINT && repl_active() && !R.ending &&
		    (R.ops->interruptible == NULL ||
		    R.ops->interruptible())) {
			repl_interrupt();
		} else if (R.ending) {
			diag("interrupted");
			run_end_now(EXIT_ERROR, "interrupted");
			return;
		} else {
			if (sig == SIGHUP && opt.interactive)
				repl_stop();
			if (R.ops->input_end)
				R.ops->input_end();
			run_end_all(sig == SIGHUP ? WS_CLOSE_GOING_AWAY :
			    WS_CLOSE_NORMAL, EXIT_OK, signame(sig));
		}
	}
}

static void
on_timeout(struct timer *t, double now)
{
	if (out_stalled())
		diag("timed out: --timeout %g s, with standard output not "
		    "being read: %llu bytes of output were not written",
		    opt.timeout, out_stalled());
	else
		diag("timed out: --timeout %g s", opt.timeout);
	run_end_now(EXIT_TIMEOUT, "--timeout");
}

/* ----------------------------------------------------------- the source */

static int
src_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    int *busy)
{
	int n = 0;

	pfd[n].fd = R.sig_fd;
	pfd[n++].events = POLLIN;
	if ((!opt.interactive || repl_active()) && (R.ops->stdin_wanted ?
	    R.ops->stdin_wanted() : opt.interactive)) {
		pfd[n].fd = STDIN_FILENO;
		pfd[n++].events = POLLIN;
	}
	if (R.ops->prepare)
		R.ops->prepare(now, busy);
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
	if (loop_stopping())
		return;
	if (R.ops->dispatch)
		R.ops->dispatch(now);
}

/* ------------------------------------------------------------- the run */

static void
jsonl_error_hook(const char *msg)
{
	if (opt.jsonl && !opt.interactive && !(R.ops->quiet_errors &&
	    R.ops->quiet_errors()))
		show_error(msg);
}

static const struct term_hooks scripted_hooks = {
	.begin = out_before_stderr,
	.error = jsonl_error_hook,
};

int
run_main(const struct run_ops *ops)
{
	int rc;

	memset(&R, 0, sizeof R);
	R.ops = ops;
	R.exit = -1;
	if (opt.until && regcomp(&R.until, opt.until, REG_EXTENDED |
	    REG_NOSUB) != 0) {
		diag("invalid --until expression");
		return EXIT_USAGE;
	}
	if ((R.sig_fd = loop_signals()) < 0) {
		diag("pipe: %s", strerror(errno));
		rc = EXIT_ERROR;
		goto out;
	}
	term_set_hooks(&scripted_hooks);
	loop_set_before_block(out_flush);
	if (ops->hooks && srv_start(ops->hooks) != 0) {
		out_flush();
		rc = EXIT_ERROR;
		goto out;
	}
	if (ops->started)
		ops->started();
	R.timeout.fire = on_timeout;
	if (opt.timeout > 0) {
		loop_timer_set(&R.timeout, now_sec() + opt.timeout);
		out_set_deadline(now_sec() + opt.timeout);
	}
	R.src.prepare = src_prepare;
	R.src.dispatch = src_dispatch;
	loop_add(&R.src);
	if (opt.interactive && ops->repl)
		repl_start(ops->repl);
	if (loop_run() != 0) {
		diag("poll: %s", strerror(errno));
		run_set_exit(EXIT_ERROR);
	}
	loop_timer_stop(&R.timeout);
	if (opt.interactive)
		repl_stop();
	term_set_hooks(&scripted_hooks);
	/* what is still open ends now */
	ops->finish(R.exit);
	if (ops->hooks)
		srv_drop_all();
	loop_release();
	out_flush();
	/* output was lost: that outweighs a clean close */
	if (out_failed() && R.exit <= 0)
		R.exit = EXIT_ERROR;
	run_set_exit(EXIT_OK);
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
