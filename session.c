/*
 * session.c - client mode: one connection to the URL, fed by stdin
 * (scripted lines, or the REPL) and shown through show.c.
 *
 * The session is three loop sources: the dialer (client.c) until the
 * upgrade is done, then the connection (conn.c), and the session's own:
 * the signal pipe, stdin, and the session's timers (--timeout, -w). In
 * scripted mode each stdin line is one message; stdin is read only while
 * less than QUEUE_LOW bytes wait to be sent, so a slow server slows wscli
 * down instead of growing its memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "client.h"
#include "conn.h"
#include "deflate.h"
#include "frame.h"
#include "jsonl.h"
#include "linesplit.h"
#include "loop.h"
#include "output.h"
#include "repl.h"
#include "session.h"
#include "show.h"
#include "term.h"
#include "transport.h"
#include "wscli.h"

#define STDIN_BUF (256 * 1024)  /* one read() of stdin or of a file */
#define QUEUE_LOW (256 * 1024)  /* read stdin only below this */
#define UNREAD_MAX (64 << 20)   /* bytes of stdin read at the end to count
				   the lines never sent */
#define GONE_CLOSE_TIMEOUT 1.0  /* seconds for the close once stdout's
				   reader is gone */

static struct {
	struct dial *dial;         /* until the upgrade is done */
	struct conn c;             /* then the connection */
	int open;                  /* c is set up */
	struct show_msg m;
	struct source src;         /* signals, stdin, timers */
	int exit;                  /* -1 until decided */
	int done;

	/* stdin (scripted mode) */
	uint8_t *ibuf;
	size_t ilen;
	uint64_t lineno;           /* lines started so far */
	struct linesplit split;
	int line_open;             /* fragments of the current line queued */
	int line_skip;             /* current line is invalid: drop it */
	uint64_t line_size;        /* --jsonl: bytes of the line so far */
	unsigned line_frags;       /* --jsonl: fragments of it */
	struct ws_utf8 line_utf8;
	int stdin_eof, stdin_error;
	uint64_t skipped;          /* lines refused (invalid UTF-8) */

	/* /file */
	int file_fd;               /* -1 when none */
	uint64_t file_size, file_sent;
	int file_text;
	double file_progress_at;
	unsigned file_progress_pct;

	regex_t until;
	int until_matched;
	double deadline;           /* --timeout */
	double wait_deadline;      /* -w after end of input */
	int dialing_quiet;         /* --jsonl: the dial's errors go in one
				      event */
} S;

static int sig_pipe[2] = { -1, -1 };

static void
set_exit(int code)
{
	if (S.exit < 0)
		S.exit = code;
}

/* ------------------------------------------------------------- signals */

static void
on_signal(int sig)
{
	int saved = errno;
	char ch = (char)sig;

	if (write(sig_pipe[1], &ch, 1) < 0) {
		/* the pipe is full: a wake-up is pending anyway */
	}
	errno = saved;
}

static int
setup_signals(void)
{
	struct sigaction sa;

	if (pipe(sig_pipe) != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

static void
end_now(int exit, const char *why)
{
	set_exit(exit);
	if (S.dial) {
		dial_cancel(S.dial);
		S.dial = NULL;
	}
	if (S.open && !S.c.done)
		conn_abort(&S.c, exit, why);
	S.done = 1;
	loop_stop();
}

/* Start the close handshake the way every ordinary end does. */
static void
close_normally(unsigned code)
{
	if (S.open && !S.c.done)
		conn_close(&S.c, code, NULL, 0);
	else if (!S.open)
		end_now(EXIT_ERROR, "interrupted");
}

static void
on_signals(void)
{
	char sigs[16];
	ssize_t n;

	while ((n = read(sig_pipe[0], sigs, sizeof sigs)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			int sig = sigs[i];

			if (sig == SIGWINCH) {
				if (opt.interactive)
					repl_resize();
			} else if (sig == SIGHUP) {
				/* the terminal is gone: keep the history,
				 * say goodbye */
				if (opt.interactive)
					repl_stop();
				S.stdin_eof = 1;
				if (S.open && !S.c.close_sent) {
					set_exit(EXIT_OK);
					close_normally(WS_CLOSE_GOING_AWAY);
				} else {
					end_now(EXIT_ERROR, "hung up");
				}
			} else if (sig == SIGINT && opt.interactive && S.open &&
			    !S.c.close_sent) {
				repl_interrupt();
			} else if (!S.open || S.c.close_sent) {
				diag("interrupted");
				end_now(EXIT_ERROR, "interrupted");
				return;
			} else {
				S.stdin_eof = 1;
				close_normally(WS_CLOSE_NORMAL);
			}
		}
	}
}

/* -------------------------------------------------------------- stdin */

/* Queue a piece of the current stdin message; fin ends the message. */
static void
queue_piece(const uint8_t *p, size_t len, int fin)
{
	unsigned op = opt.binary ? WS_OP_BINARY : WS_OP_TEXT;

	if (conn_send_data(&S.c, op, p, len, fin, S.lineno) != 0) {
		S.stdin_eof = 1;
		return;
	}
	if (opt.jsonl) {
		S.line_size = S.line_open ? S.line_size + len : len;
		if (fin)
			show_message_out(&S.c, op, S.line_open ? NULL : p, len,
			    S.line_size, S.line_frags + 1);
		S.line_frags = fin ? 0 : S.line_frags + 1;
	}
	S.line_open = !fin;
}

/* A piece of stdin line S.lineno; fin if the line ended. Text is checked
 * before anything of it leaves, so a bad line is refused, not half-sent. */
static void
stdin_piece(const uint8_t *p, size_t len, int fin)
{
	if (!S.line_open && !S.line_skip)
		memset(&S.line_utf8, 0, sizeof S.line_utf8);
	if (!S.line_skip && !opt.binary) {
		int r = ws_utf8_feed(&S.line_utf8, p, len);

		if (r == WS_UTF8_INVALID || (fin && r != WS_UTF8_OK)) {
			uint64_t at = r == WS_UTF8_INVALID ?
			    S.line_utf8.bad_at : S.line_utf8.offset;

			if (S.line_open) {
				diag("line %" PRIu64 ": not valid UTF-8 at byte "
				    "%" PRIu64 ", after part of it was sent; "
				    "closing", S.lineno, at + 1);
				set_exit(EXIT_ERROR);
				S.stdin_eof = 1;
				conn_close(&S.c, WS_CLOSE_NORMAL, NULL, 0);
				return;
			}
			diag("line %" PRIu64 ": not valid UTF-8 at byte %"
			    PRIu64 "; not sent", S.lineno, at + 1);
			S.skipped++;
			S.line_skip = 1;
		}
	}
	if (!S.line_skip)
		queue_piece(p, len, fin);
	if (fin)
		S.line_skip = 0;
}

static void
on_line_piece(void *ctx, uint64_t lineno, const uint8_t *p, size_t len,
    int fin)
{
	(void)ctx;
	S.lineno = lineno;
	stdin_piece(p, len, fin);
}

static void
stdin_read(void)
{
	ssize_t r = read(STDIN_FILENO, S.ibuf + S.ilen, STDIN_BUF - S.ilen);

	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		diag("cannot read stdin: %s", strerror(errno));
		S.stdin_error = 1;
		r = 0;
	}
	if (r == 0)
		S.stdin_eof = 1;
	S.ilen += (size_t)r;
	if (opt.no_split) {
		if (!S.line_open && !S.line_skip && S.lineno == 0)
			S.lineno = 1;
		if (S.ilen > 0 || S.stdin_eof)
			stdin_piece(S.ibuf, S.ilen, S.stdin_eof);
		S.ilen = 0;
	} else {
		size_t used = linesplit_feed(&S.split, S.ibuf, S.ilen,
		    STDIN_BUF, S.stdin_eof, on_line_piece, NULL);

		S.ilen -= used;
		memmove(S.ibuf, S.ibuf + used, S.ilen);
	}
}

/* --------------------------------------------------------------- /file */

static void
file_done(const char *why)
{
	if (why)
		diag("/file: %s; the message was not completed", why);
	close(S.file_fd);
	S.file_fd = -1;
}

/* Queue the next piece of the file being sent, as the queue allows. */
static void
file_pump(void)
{
	while (S.file_fd >= 0 && !S.c.close_sent &&
	    conn_queued(&S.c) < QUEUE_LOW) {
		ssize_t r = read(S.file_fd, S.ibuf, STDIN_BUF);
		int fin;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			file_done(strerror(errno));
			conn_close(&S.c, WS_CLOSE_NORMAL, NULL, 0);
			return;
		}
		S.file_sent += (uint64_t)r;
		fin = r == 0 || S.file_sent >= S.file_size;
		if (conn_send_data(&S.c, S.file_text ? WS_OP_TEXT : WS_OP_BINARY,
		    S.ibuf, (size_t)r, fin, 0) != 0) {
			file_done("the connection is closing");
			return;
		}
		if (S.file_size >= 1024 * 1024) {
			unsigned pct = (unsigned)(S.file_sent * 100 /
			    S.file_size);
			double t = now_sec();

			if (fin || (pct >= S.file_progress_pct + 10 &&
			    t - S.file_progress_at >= 0.25)) {
				char msg[128];

				snprintf(msg, sizeof msg, "/file: %u%% (%.1f of "
				    "%.1f MiB)", pct, S.file_sent / 1048576.0,
				    S.file_size / 1048576.0);
				repl_show_info(msg);
				S.file_progress_pct = pct;
				S.file_progress_at = t;
			}
		}
		if (fin) {
			file_done(NULL);
			return;
		}
	}
}

/* ------------------------------------------------------- REPL actions */

static int
can_send(const char **why)
{
	if (!S.open || S.c.done) {
		*why = "not connected";
		return 0;
	}
	if (S.c.close_sent) {
		*why = "the connection is closing";
		return 0;
	}
	return 1;
}

static int
repl_send_message(unsigned opcode, const uint8_t *p, size_t n,
    const char **why)
{
	if (!can_send(why))
		return -1;
	if (S.file_fd >= 0) {
		*why = "a file is being sent";
		return -1;
	}
	if (conn_send_data(&S.c, opcode, p, n, 1, 0) != 0) {
		*why = "the connection is closing";
		return -1;
	}
	return 0;
}

static int
repl_send_control(unsigned opcode, const uint8_t *p, size_t n,
    const char **why)
{
	if (!can_send(why))
		return -1;
	return conn_send_control(&S.c, opcode, p, n) == 0 ? 0 : -1;
}

static int
repl_close(unsigned code, const char *reason, const char **why)
{
	if (!S.open || S.c.done) {
		*why = "not connected";
		return -1;
	}
	if (conn_close(&S.c, code, (const uint8_t *)reason,
	    reason ? strlen(reason) : 0) != 0) {
		*why = "a close frame was already sent";
		return -1;
	}
	return 0;
}

static int
repl_send_file(int fd, uint64_t size, int text, const char **why)
{
	if (!can_send(why))
		return -1;
	if (S.file_fd >= 0) {
		*why = "a file is already being sent";
		return -1;
	}
	S.file_fd = fd;
	S.file_size = size;
	S.file_sent = 0;
	S.file_text = text;
	S.file_progress_at = now_sec();
	S.file_progress_pct = 0;
	return 0;
}

static struct conn *
repl_target(void)
{
	return S.open ? &S.c : NULL;
}

static void
repl_settings(void)
{
	if (S.open) {
		S.c.show_frames = opt.frames;
		S.c.compress = opt.compress;
	}
}

static const struct repl_ops client_repl = {
	.send_message = repl_send_message,
	.send_control = repl_send_control,
	.close = repl_close,
	.send_file = repl_send_file,
	.target = repl_target,
	.settings = repl_settings,
};

/* ------------------------------------------------ connection events */

static int
shown(void)
{
	return !(opt.count && (long)S.c.st.msgs_in >= opt.count);
}

static void
ev_message_begin(struct conn *c)
{
	show_message_begin(c, &S.m, shown());
}

static void
ev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	show_message_data(c, &S.m, p, n);
}

static void
ev_message_end(struct conn *c)
{
	/* msgs_in already counts this one */
	int was_shown = !(opt.count && (long)c->st.msgs_in > opt.count);

	show_message_end(c, &S.m, was_shown);
	if (opt.until && c->in.opcode == WS_OP_TEXT && !c->close_sent &&
	    !S.until_matched) {
		S.m.buf[S.m.len] = '\0'; /* the buffer has a spare byte */
		if (regexec(&S.until, (char *)S.m.buf, 0, NULL, 0) == 0) {
			info("--until matched; closing");
			S.until_matched = 1;
			set_exit(EXIT_OK);
			conn_close(c, WS_CLOSE_NORMAL, NULL, 0);
		}
	}
	if (opt.count && (long)c->st.msgs_in >= opt.count && !c->close_sent) {
		conn_close(c, WS_CLOSE_NORMAL, NULL, 0);
		set_exit(EXIT_OK);
	}
}

static void
ev_ended(struct conn *c)
{
	S.done = 1;
	loop_stop();
}

static const struct conn_ops client_conn_ops = {
	.frame = show_frame,
	.message_begin = ev_message_begin,
	.message_data = ev_message_data,
	.message_end = ev_message_end,
	.control = show_control,
	.close = show_close,
	.ended = ev_ended,
};

/* --jsonl: a failed dial is one error event with all there is to know. */
static void
jsonl_dial_error(const struct dial_result *r)
{
	jsonl_begin(show_jsonl_writer, "error");
	jsonl_str("message", r->error);
	jsonl_int("exit", r->exit);
	if (r->status) {
		const char *h[UP_MAX_HEADERS];
		char *lines[UP_MAX_HEADERS];
		size_t n = 0;

		for (size_t i = 0; i < r->resp.nheaders; i++) {
			const struct up_header *x = &r->resp.headers[i];
			size_t len = x->name_len + x->value_len + 3;

			lines[n] = xrealloc(NULL, len);
			snprintf(lines[n], len, "%.*s: %.*s", (int)x->name_len,
			    x->name, (int)x->value_len, x->value);
			h[n] = lines[n];
			n++;
		}
		jsonl_int("status", r->status);
		jsonl_headers("headers", h, n);
		if (r->body_len) {
			jsonl_payload((const uint8_t *)r->body, r->body_len, 0);
			if (r->body_more)
				jsonl_bool("truncated", 1);
		}
		for (size_t i = 0; i < n; i++)
			free(lines[i]);
	}
	jsonl_end();
}

static void
on_dialed(void *ud, struct dial_result *r)
{
	S.dial = NULL;
	S.dialing_quiet = 0;
	if (r->exit >= 0) {
		if (opt.jsonl)
			jsonl_dial_error(r);
		end_now(r->exit, r->error);
		return;
	}
	S.c.role = WS_ROLE_CLIENT;
	S.c.ops = &client_conn_ops;
	S.c.label = "";
	S.c.max_message = opt.max_message;
	if (opt.max_message_default)
		S.c.max_message_what = "16 MiB, the interactive limit "
		    "(--max-message sets another)";
	S.c.close_timeout = opt.close_timeout;
	S.c.show_frames = opt.frames;
	S.c.compress = opt.compress;
	S.c.ping_interval = opt.ping_interval;
	S.c.ping_timeout = opt.ping_timeout;
	conn_open(&S.c, r->tr, r->pmd);
	S.open = 1;
	if (opt.interactive)
		repl_start(&client_repl);
	show_open(&S.c, r);
	r->tr = NULL;
	r->pmd = NULL;
	for (int i = 0; i < opt.nsend; i++) {
		const uint8_t *m = (const uint8_t *)opt.send[i];
		unsigned op = opt.binary ? WS_OP_BINARY : WS_OP_TEXT;
		size_t n = strlen(opt.send[i]);

		conn_send_data(&S.c, op, m, n, 1, 0);
		show_message_out(&S.c, op, m, n, n, 1);
	}
	/* frames that came with the 101, now that everything is set */
	conn_feed(&S.c, r->early, r->nearly);
}

/* ------------------------------------------------------ session source */

/* Scripted mode, end of input, everything handed over: time to close
 * (after -w). A session waiting for --until or --count goes on. */
static int
input_all_sent(void)
{
	return !opt.interactive && S.stdin_eof && S.open && !S.c.done &&
	    !S.c.close_sent && !opt.count && !opt.until &&
	    conn_queued(&S.c) == 0 && !S.c.out_started;
}

static void
maybe_finish_input(double t)
{
	if (!input_all_sent())
		return;
	if (opt.wait > 0) {
		if (S.wait_deadline == 0)
			S.wait_deadline = t + opt.wait;
		if (t < S.wait_deadline)
			return;
	}
	conn_close(&S.c, WS_CLOSE_NORMAL, NULL, 0);
}

static int
reading_stdin(void)
{
	if (!S.open || S.c.done || S.c.close_sent)
		return 0;
	if (opt.interactive)
		return 1;
	return !S.stdin_eof && conn_queued(&S.c) < QUEUE_LOW &&
	    S.file_fd < 0;
}

static int
src_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    double *deadline, int *busy)
{
	int n = 0;

	pfd[n].fd = sig_pipe[0];
	pfd[n++].events = POLLIN;
	if (reading_stdin()) {
		pfd[n].fd = STDIN_FILENO;
		pfd[n++].events = POLLIN;
	}
	if (S.deadline > 0 && (*deadline == 0 || S.deadline < *deadline))
		*deadline = S.deadline;
	if (S.wait_deadline > 0 && (*deadline == 0 ||
	    S.wait_deadline < *deadline))
		*deadline = S.wait_deadline;
	/* the queue emptied in the last flush: nothing else may wake us */
	if (input_all_sent() && S.wait_deadline == 0)
		*busy = 1;
	/* a file is always readable: poll() cannot say when to read it */
	if (S.file_fd >= 0 && S.open && !S.c.close_sent &&
	    conn_queued(&S.c) < QUEUE_LOW)
		*busy = 1;
	return n;
}

static void
src_dispatch(struct source *s, const struct pollfd *pfd, int n, double now)
{
	if (n > 0 && pfd[0].revents)
		on_signals();
	if (S.done)
		return;
	if (n > 1 && pfd[1].revents) {
		if (opt.interactive)
			repl_read_char();
		else
			stdin_read();
	}
	if (S.deadline > 0 && now >= S.deadline) {
		diag("timed out: the session lasted --timeout %g s",
		    opt.timeout);
		end_now(EXIT_TIMEOUT, "--timeout");
		return;
	}
	if (!S.open || S.c.done)
		return;
	/* the reader of stdout went away: say goodbye, quickly */
	if ((out_gone() || out_failed()) && !S.c.close_sent) {
		set_exit(out_gone() ? EXIT_OK : EXIT_ERROR);
		S.c.close_timeout = GONE_CLOSE_TIMEOUT;
		conn_close(&S.c, WS_CLOSE_GOING_AWAY, NULL, 0);
		S.c.close_limit = now + GONE_CLOSE_TIMEOUT;
	}
	if (S.file_fd >= 0)
		file_pump();
	maybe_finish_input(now);
}

/* ------------------------------------------------------------- the end */

/* Lines in buf (pieces of lines: *mid says the last one goes on). */
static uint64_t
count_lines(const uint8_t *p, size_t n, int *mid)
{
	uint64_t lines = 0;
	const uint8_t *end = p + n, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		p = nl + 1;
	}
	if (p < end)
		*mid = 1;
	else if (n > 0)
		*mid = 0;
	return lines;
}

/*
 * The lines of stdin that were never read, for the report: what the line
 * splitter holds and the rest of stdin, as far as it can be read now
 * without waiting (a pipe whose writer is still there) and within
 * UNREAD_MAX bytes. *exact is cleared when the count is a lower bound.
 */
static uint64_t
count_unread_lines(int *exact)
{
	struct stat sb;
	int regular = fstat(STDIN_FILENO, &sb) == 0 && S_ISREG(sb.st_mode);
	int mid = 0;
	uint64_t lines = count_lines(S.ibuf, S.ilen, &mid), total = 0;

	*exact = 1;
	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		ssize_t r;

		if (total >= UNREAD_MAX || (!regular && poll(&pfd, 1, 0) != 1)) {
			*exact = 0;
			break;
		}
		r = read(STDIN_FILENO, S.ibuf, STDIN_BUF);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*exact = r == 0;
			break;
		}
		total += (uint64_t)r;
		lines += count_lines(S.ibuf, (size_t)r, &mid);
	}
	lines += (uint64_t)mid;
	/* the first of them ends the line being sent, counted already */
	if (S.split.in_line && lines > 0)
		lines--;
	S.ilen = 0;
	return lines;
}

static void
report_unsent(void)
{
	uint64_t unsent = conn_unsent_messages(&S.c);
	uint64_t first = conn_first_unsent_tag(&S.c), unread = 0;
	int exact = 1;
	const char *open_end = "";

	/* a stdin message whose end was never read cannot have gone whole */
	if (S.line_open && !S.c.out_started) {
		if (unsent == 0)
			first = S.lineno;
		unsent++;
	}
	if (!opt.interactive && !opt.no_split && !S.stdin_eof &&
	    !S.stdin_error)
		unread = count_unread_lines(&exact);
	if (!exact && unread == 0)
		open_end = "; stdin was not read to its end";
	if (unsent == 0 && unread == 0) {
		if (*open_end)
			diag("the connection ended before the end of stdin");
		return;
	}
	if (unread > 0 && (first > 0 || unsent == 0))
		diag("%s%" PRIu64 " line%s of stdin %s not sent (from line %"
		    PRIu64 " on): %" PRIu64 " queued or sent in part, %s%"
		    PRIu64 " never read", exact ? "" : "at least ",
		    unsent + unread, unsent + unread == 1 ? "" : "s",
		    unsent + unread == 1 ? "was" : "were", unsent ? first :
		    S.lineno + 1, unsent, exact ? "" : "at least ", unread);
	else if (unread > 0)
		diag("%" PRIu64 " message%s not sent, or only in part; %s%"
		    PRIu64 " line%s of stdin never read", unsent, unsent == 1 ?
		    " was" : "s were", exact ? "" : "at least ", unread,
		    unread == 1 ? "" : "s");
	else if (first > 0)
		diag("%" PRIu64 " message%s not sent, or only in part (from "
		    "stdin line %" PRIu64 " on)%s", unsent, unsent == 1 ?
		    " was" : "s were", first, open_end);
	else
		diag("%" PRIu64 " message%s not sent, or only in part%s",
		    unsent, unsent == 1 ? " was" : "s were", open_end);
	if (S.exit <= 0)
		S.exit = EXIT_ERROR;
}

static void
jsonl_error_hook(const char *msg)
{
	if (opt.jsonl && !S.dialing_quiet && !opt.interactive) {
		jsonl_begin(show_jsonl_writer, "error");
		jsonl_str("message", msg);
		jsonl_end();
	}
}

static const struct term_hooks scripted_hooks = {
	.error = jsonl_error_hook,
};

int
session_run(void)
{
	struct dial_params p = { 0 };
	const char *hdrs[256];
	size_t nh = 0;
	int rc;

	S.exit = -1;
	S.file_fd = -1;
	S.ibuf = xrealloc(NULL, STDIN_BUF);
	show_msg_init(&S.m);
	if (opt.until && regcomp(&S.until, opt.until, REG_EXTENDED |
	    REG_NOSUB) != 0) {
		diag("invalid --until expression");
		return EXIT_USAGE;
	}
	if (setup_signals() != 0) {
		diag("pipe: %s", strerror(errno));
		return EXIT_ERROR;
	}
	term_set_hooks(&scripted_hooks);
	loop_set_before_block(out_flush);
	if (opt.timeout > 0)
		S.deadline = now_sec() + opt.timeout;
	S.src.prepare = src_prepare;
	S.src.dispatch = src_dispatch;
	loop_add(&S.src);

	for (struct curl_slist *l = opt.headers; l && nh < 256; l = l->next)
		hdrs[nh++] = l->data;
	p.url = opt.url;
	p.protocols = opt.protocols;
	p.nprotocols = (size_t)opt.nprotocols;
	p.deflate = opt.deflate ? &opt.deflate_offer : NULL;
	p.origin = opt.origin;
	p.headers = hdrs;
	p.nheaders = nh;
	p.follow = opt.location;
	p.max_redirs = opt.max_redirs;
	p.timeout = opt.connect_timeout;
	p.verbose = opt.verbose;
	S.dialing_quiet = opt.jsonl;
	S.dial = dial_start(&p, on_dialed, NULL);
	if (S.dial == NULL) {
		diag("cannot start connecting: out of memory");
		return EXIT_ERROR;
	}
	if (loop_run() != 0) {
		diag("poll: %s", strerror(errno));
		set_exit(EXIT_ERROR);
	}
	if (opt.interactive)
		repl_stop();
	if (S.open) {
		set_exit(S.c.exit);
		if (S.file_fd >= 0)
			file_done("the connection ended");
		out_flush();
		/* output was lost: that outweighs a clean close */
		if (out_failed() && S.exit <= 0)
			S.exit = EXIT_ERROR;
		report_unsent();
		if (opt.until && !S.until_matched && S.exit == EXIT_OK) {
			diag("the session ended without a message matching "
			    "--until");
			S.exit = EXIT_NO_MATCH;
		}
	}
	if (S.skipped > 0 || S.stdin_error) {
		if (S.skipped)
			diag("%" PRIu64 " line%s refused (not valid UTF-8)",
			    S.skipped, S.skipped == 1 ? " was" : "s were");
		if (S.exit <= 0)
			S.exit = EXIT_ERROR;
	}
	out_flush();
	rc = S.exit < 0 ? EXIT_OK : S.exit;
	if (S.open)
		conn_free(&S.c);
	if (S.dial)
		dial_cancel(S.dial);
	loop_remove(&S.src);
	loop_release(); /* what was removed */
	term_set_hooks(NULL);
	show_msg_free(&S.m);
	free(S.ibuf);
	if (opt.until)
		regfree(&S.until);
	out_free();
	return rc;
}
