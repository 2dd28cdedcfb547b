/*
 * repl.c - interactive mode: readline's callback interface inside the
 * loop, and the slash commands.
 *
 * Everything shown while a prompt is up is bracketed by show_begin() and
 * show_end() (installed as term.h's hooks): hide the prompt and the
 * partial input, print, then let readline draw them again, cursor
 * position included. What the lines say and how they are laid out is
 * view.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include <openssl/rand.h>

#include "conn.h"
#include "craft.h"
#include "display.h"
#include "frame.h"
#include "repl.h"
#include "term.h"
#include "view.h"
#include "opts.h"

#define HISTORY_MAX 1000

static const struct repl_ops *ops;
static int active;           /* the callback handler is installed */
static int empty_interrupts; /* Ctrl-C presses on an empty line in a row */
static char history_path[PATH_MAX + 16];
static int history_new;      /* entries added this session */
static char prompt[64] = "> "; /* the mode may change it */

/* ------------------------------------------------------------ printing */

static void
show_begin(void)
{
	if (active)
		rl_clear_visible_line();
}

static void
show_end(void)
{
	fflush(stdout);
	if (active) {
		rl_on_new_line();
		rl_redisplay();
	}
}

/* ------------------------------------------------------------ commands */

/* A line of command output, an error (red) or not. */
static void
vshow(int error, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof buf, fmt, ap);
	view_reply(error, buf);
}

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vshow(0, fmt, ap);
	va_end(ap);
}

static void
err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vshow(1, fmt, ap);
	va_end(ap);
}

static void
cmd_control(unsigned opcode, const char *arg)
{
	size_t len = strlen(arg), bad;
	const char *whynot = "";

	if (len > WS_MAX_CONTROL_PAYLOAD) {
		err("/%s: payload is %zu bytes; control frames carry at most "
		    "125", ws_opcode_name(opcode), len);
		return;
	}
	if (!ws_utf8_valid((const uint8_t *)arg, len, &bad)) {
		err("/%s: not valid UTF-8 at byte %zu", ws_opcode_name(opcode),
		    bad + 1);
		return;
	}
	if (ops->send_control(opcode, (const uint8_t *)arg, len, &whynot)) {
		err("/%s: %s", ws_opcode_name(opcode), whynot);
		return;
	}
	view_control(0, '>', opcode, (const uint8_t *)arg, len, NULL);
}

static void cmd_close_any(const char *arg);

static void
cmd_close(const char *arg)
{
	char *end, why[160];
	unsigned long code = WS_CLOSE_NORMAL;
	const char *reason = "";
	uint8_t payload[2 + WS_MAX_CLOSE_REASON];
	long n;
	const char *whynot = "";

	while (*arg == ' ')
		arg++;
	if (!strncmp(arg, "--any", 5) && (arg[5] == ' ' || arg[5] == '\0')) {
		cmd_close_any(arg + 5);
		return;
	}
	if (*arg) {
		errno = 0;
		code = strtoul(arg, &end, 10);
		if (end == arg || (*end && *end != ' ') || errno ||
		    code > 65535) {
			err("/close: '%s' is not a close code (a number such as "
			    "1000)", arg);
			return;
		}
		if (ws_close_code_why_not((unsigned)code, why, sizeof why)) {
			err("/close: %lu may not be sent: %s", code, why);
			return;
		}
		reason = end;
		while (*reason == ' ')
			reason++;
	}
	n = ws_close_build(payload, (unsigned)code, (const uint8_t *)reason,
	    strlen(reason));
	if (n < 0) {
		err("/close: %s", n == WS_CLOSE_ERR_TOO_LONG ?
		    "the reason is longer than 123 bytes" :
		    ws_close_strerror((int)n));
		return;
	}
	if (ops->close((unsigned)code, reason, &whynot) != 0) {
		err("/close: %s", whynot);
		return;
	}
	{
		char note[256], r[WS_MAX_CLOSE_REASON * 10 + 8];

		disp_escape_str(r, sizeof r, (const uint8_t *)reason,
		    strlen(reason), DISP_QUOTE);
		snprintf(note, sizeof note, *reason ? "%lu %s \"%s\"" : "%lu %s",
		    code, ws_close_code_name((unsigned)code), r);
		view_control(0, '>', WS_OP_CLOSE, payload, (size_t)n, note);
	}
	{
		char msg[64];

		snprintf(msg, sizeof msg, "waiting for the %s's close",
		    ops->peer ? ops->peer : "server");
		view_info(msg);
	}
}

/* ------------------------------------------------------------ crafting */

#define FRAG_MAX 1000 /* fragments of one /frag message */

/* The role we send as: a client masks. */
static enum ws_role
our_role(void)
{
	struct conn *c = ops->target ? ops->target() : NULL;

	return c ? conn_role(c) : ops->role;
}

static void
send_raw(const char *cmd, const uint8_t *p, size_t n)
{
	const char *whynot = "";

	if (ops->send_raw == NULL)
		err("%s: not available here", cmd);
	else if (ops->send_raw(p, n, &whynot) != 0)
		err("%s: %s", cmd, whynot);
}

/* Encode f at out + *o with a fresh key when it is masked without one. */
static int
encode_into(struct craft_frame *f, uint8_t *out, size_t cap, size_t *o)
{
	if (f->masked && !f->key_given && RAND_bytes(f->key, 4) != 1) {
		err("cannot get random bytes for the mask");
		return -1;
	}
	*o += craft_encode(out + *o, cap - *o, f);
	return 0;
}

static void
cmd_frame(const char *arg)
{
	size_t len = strlen(arg), o = 0, cap;
	uint8_t *buf = malloc(len + 1), *out;
	struct craft_frame f;
	char why[512];

	if (buf == NULL)
		return;
	if (craft_parse(arg, our_role(), buf, len + 1, &f, why,
	    sizeof why) != 0) {
		err("/frame: %s", why);
		free(buf);
		return;
	}
	cap = craft_size(&f);
	out = malloc(cap);
	if (out && encode_into(&f, out, cap, &o) == 0)
		send_raw("/frame", out, o);
	free(out);
	free(buf);
}

/* Why hex input at bad_at was refused: a digit left alone is half a byte. */
static void
hex_error(const char *cmd, const char *arg, size_t bad, const char *example)
{
	const char *blank = " \t:";

	if (bad > 0 && (arg[bad] == '\0' || strchr(blank, arg[bad])) &&
	    strchr("0123456789abcdefABCDEF", arg[bad - 1]) != NULL)
		err("%s: odd number of hex digits: '%c' at position %zu is half "
		    "a byte (expected pairs such as %s)", cmd, arg[bad - 1],
		    bad, example);
	else
		err("%s: not a hex byte at position %zu: '%.8s' (expected "
		    "pairs of hex digits such as %s)", cmd, bad + 1, arg + bad,
		    example);
}

static void
cmd_raw(const char *arg)
{
	size_t len = strlen(arg), bad = 0;
	uint8_t *buf = malloc(len / 2 + 1);
	long n;

	if (buf == NULL)
		return;
	n = disp_parse_hex(buf, len / 2 + 1, arg, &bad);
	if (n < 0)
		hex_error("/raw", arg, bad, "81 00");
	else if (n == 0)
		err("/raw: no bytes given (e.g. /raw 89 00 sends an unmasked "
		    "empty ping)");
	else
		send_raw("/raw", buf, (size_t)n);
	free(buf);
}

/* A text message in N fragments of (nearly) equal size, split at byte
 * boundaries: a code point may be cut, as RFC 6455 allows. */
static void
cmd_frag(const char *arg)
{
	char *end;
	long nfrag;
	size_t len, o = 0, cap, at = 0;
	uint8_t *out;

	errno = 0;
	nfrag = strtol(arg, &end, 10);
	if (end == arg || errno || (*end && *end != ' ') || nfrag < 1 ||
	    nfrag > FRAG_MAX) {
		err("/frag: '%.*s' is not a number of fragments (1 to %d); "
		    "usage: /frag N TEXT", (int)strcspn(arg, " "), arg,
		    FRAG_MAX);
		return;
	}
	if (*end == ' ')
		end++;
	len = strlen(end);
	cap = len + (size_t)nfrag * WS_MAX_HEADER;
	out = malloc(cap);
	if (out == NULL)
		return;
	for (long i = 0; i < nfrag; i++) {
		size_t next = len * (size_t)(i + 1) / (size_t)nfrag;
		struct craft_frame f = {
			.fin = i == nfrag - 1, .opcode = i ? WS_OP_CONT :
			    WS_OP_TEXT, .masked = our_role() == WS_ROLE_CLIENT,
			.payload = (const uint8_t *)end + at, .n = next - at,
			.len = next - at,
		};

		f.width = f.len <= 125 ? 7 : f.len <= 0xffff ? 16 : 64;
		if (encode_into(&f, out, cap, &o) != 0) {
			free(out);
			return;
		}
		at = next;
	}
	send_raw("/frag", out, o);
	free(out);
}

/* /close --any CODE [REASON]: any code 0-65535, or "none" for an empty
 * payload, and the reason as typed. */
static void
cmd_close_any(const char *arg)
{
	char *end;
	long code;
	const char *reason;
	uint8_t payload[WS_MAX_CONTROL_PAYLOAD], out[WS_MAX_HEADER +
	    WS_MAX_CONTROL_PAYLOAD];
	long n;
	size_t o = 0;
	struct craft_frame f = { .fin = 1, .opcode = WS_OP_CLOSE };

	while (*arg == ' ')
		arg++;
	if (!strncmp(arg, "none", 4) && (arg[4] == '\0' || arg[4] == ' ')) {
		code = -1;
		end = (char *)arg + 4;
	} else {
		errno = 0;
		code = strtol(arg, &end, 10);
		if (end == arg || errno || (*end && *end != ' ') || code < 0 ||
		    code > 65535) {
			err("/close --any: '%.*s' is not a code from 0 to 65535 "
			    "(or none for an empty close)", (int)strcspn(arg,
			    " "), arg);
			return;
		}
	}
	reason = end;
	while (*reason == ' ')
		reason++;
	if (code < 0 && *reason) {
		err("/close --any none: a reason needs a code");
		return;
	}
	n = craft_close_payload(payload, sizeof payload, code,
	    (const uint8_t *)reason, strlen(reason));
	if (n < 0) {
		err("/close --any: the reason is longer than %d bytes (use "
		    "/frame op=close for longer payloads)",
		    WS_MAX_CONTROL_PAYLOAD - 2);
		return;
	}
	f.masked = our_role() == WS_ROLE_CLIENT;
	f.payload = payload;
	f.n = (size_t)n;
	f.len = (uint64_t)n;
	f.width = 7;
	if (encode_into(&f, out, sizeof out, &o) == 0)
		send_raw("/close --any", out, o);
}

static void
send_binary(const char *cmd, const uint8_t *p, long n)
{
	const char *whynot = "";

	if (ops->send_message(WS_OP_BINARY, p, (size_t)n, &whynot) != 0) {
		err("%s: %s", cmd, whynot);
		return;
	}
	view_sent(WS_OP_BINARY, (uint64_t)n, NULL);
}

static void
cmd_binary(const char *arg)
{
	size_t len = strlen(arg), bad = 0;
	uint8_t *buf = malloc(len / 2 + 1);
	long n;

	if (buf == NULL)
		return;
	n = disp_parse_hex(buf, len / 2 + 1, arg, &bad);
	if (n < 0)
		hex_error("/binary", arg, bad, "48 65 6c");
	else
		send_binary("/binary", buf, n);
	free(buf);
}

static void
cmd_base64(const char *arg)
{
	size_t len = strlen(arg), bad = 0;
	uint8_t *buf = malloc(len * 3 / 4 + 4);
	long n;

	if (buf == NULL)
		return;
	n = disp_parse_base64(buf, len * 3 / 4 + 4, arg, &bad);
	if (n < 0) {
		if (bad >= len)
			err("/base64: input ends in the middle of a group "
			    "(length %zu)", len);
		else
			err("/base64: not base64 at position %zu: '%c'",
			    bad + 1, arg[bad]);
	} else
		send_binary("/base64", buf, n);
	free(buf);
}

/* A text message must be UTF-8: check the whole file before any of it is
 * sent, then rewind. */
static int
check_text_file(int fd, const char *path)
{
	struct ws_utf8 u;
	uint8_t buf[65536];
	ssize_t r;
	int st = WS_UTF8_OK;

	memset(&u, 0, sizeof u);
	while ((r = read(fd, buf, sizeof buf)) > 0)
		if ((st = ws_utf8_feed(&u, buf, (size_t)r)) == WS_UTF8_INVALID)
			break;
	if (r < 0) {
		err("/file: cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (st != WS_UTF8_OK) {
		err("/file: %s is not valid UTF-8 (byte %llu); send it without "
		    "--text as binary", path, (unsigned long long)
		    (st == WS_UTF8_INVALID ? u.bad_at : u.offset) + 1);
		return -1;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		err("/file: cannot rewind %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ~ and ~user at the start of a path, as a shell would expand them:
 * readline completes such names, so they are typed. Returns path, or
 * the expansion in buf; NULL when the user is unknown. */
static const char *
expand_tilde(const char *path, char *buf, size_t cap)
{
	size_t n;
	const char *home = NULL;

	if (path[0] != '~')
		return path;
	n = strcspn(path + 1, "/");
	if (n == 0) {
		home = getenv("HOME");
		if (home == NULL || *home == '\0') {
			struct passwd *pw = getpwuid(getuid());

			home = pw ? pw->pw_dir : NULL;
		}
	} else {
		char user[256];
		struct passwd *pw;

		snprintf(user, sizeof user, "%.*s", (int)n, path + 1);
		pw = getpwnam(user);
		home = pw ? pw->pw_dir : NULL;
	}
	if (home == NULL)
		return NULL;
	snprintf(buf, cap, "%s%s", home, path + 1 + n);
	return buf;
}

static void
cmd_file(const char *arg)
{
	int text = 0, fd;
	struct stat sb;
	const char *whynot = "", *typed;
	char path[PATH_MAX];

	while (*arg == ' ')
		arg++;
	if (strncmp(arg, "--text ", 7) == 0) {
		text = 1;
		arg += 7;
		while (*arg == ' ')
			arg++;
	}
	if (*arg == '\0') {
		err("/file: usage: /file [--text] PATH");
		return;
	}
	typed = arg;
	if ((arg = expand_tilde(typed, path, sizeof path)) == NULL) {
		err("/file: no such user in %s", typed);
		return;
	}
	fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err("/file: cannot open %s: %s", arg, strerror(errno));
		return;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		err("/file: %s is not a regular file", arg);
		close(fd);
		return;
	}
	if (text && check_text_file(fd, arg) != 0) {
		close(fd);
		return;
	}
	if (ops->send_file(fd, (uint64_t)sb.st_size, text, &whynot) != 0) {
		err("/file: %s", whynot);
		return;
	}
	{
		char what[PATH_MAX + 16];

		snprintf(what, sizeof what, "file %s", arg);
		view_sent(text ? WS_OP_TEXT : WS_OP_BINARY,
		    (uint64_t)sb.st_size, what);
	}
}

#define PLURAL(n) ((n) == 1 ? "" : "s")

/* Compressed messages one way: "3 of 4 messages, 120 B on the wire for
 * 800 B (15.0%)", the wire first both ways. */
static void
say_deflate(const char *what, unsigned long long z, unsigned long long all,
    unsigned long long wire, unsigned long long plain)
{
	say("%s %llu of %llu message%s compressed, %llu B on the wire for "
	    "%llu B (%.1f%%)", what, z, all, PLURAL(all), wire, plain, plain ?
	    100.0 * (double)wire / (double)plain : 0);
}

static void
stats_of(const struct conn *cn, const char *title)
{
	const struct conn_stats *st = conn_stats(cn);

	if (title)
		say("%s", title);
	say("sent:     %llu message%s, %llu bytes", (unsigned long long)
	    st->msgs_out, PLURAL(st->msgs_out), (unsigned long long)
	    st->bytes_out);
	say("received: %llu message%s, %llu bytes", (unsigned long long)
	    st->msgs_in, PLURAL(st->msgs_in), (unsigned long long)
	    st->bytes_in);
	if (conn_pmd(cn)) {
		say_deflate("deflate:  in", st->zmsgs_in, st->msgs_in,
		    st->zbytes_in, st->zplain_in);
		say_deflate("          out", st->zmsgs_out, st->msgs_out,
		    st->zbytes_out, st->zplain_out);
	}
	say("frames:   %llu sent, %llu received", (unsigned long long)
	    st->frames_out, (unsigned long long)st->frames_in);
	if (st->pongs_in > 0)
		say("pings:    %llu sent, %llu answered, rtt last %.3f ms, "
		    "average %.3f ms; %llu received", (unsigned long long)
		    st->pings_out, (unsigned long long)st->pongs_in,
		    st->rtt_last * 1000, st->rtt_sum * 1000 / st->pongs_in,
		    (unsigned long long)st->pings_in);
	else
		say("pings:    %llu sent, 0 answered; %llu received",
		    (unsigned long long)st->pings_out,
		    (unsigned long long)st->pings_in);
	say("connected %.1f s ago", now_sec() - st->opened_at);
}

/* The chosen connection, else every one the mode has. */
static void
cmd_stats(void)
{
	struct conn *cn = ops->target ? ops->target() : NULL;
	int i;

	if (cn != NULL) {
		stats_of(cn, NULL);
		return;
	}
	for (i = 0; ops->nth && (cn = ops->nth(i)) != NULL; i++) {
		char title[128];
		size_t n;

		/* "client 3: " -> "client 3:" */
		snprintf(title, sizeof title, "%s", conn_label(cn));
		n = strlen(title);
		while (n > 0 && title[n - 1] == ' ')
			title[--n] = '\0';
		stats_of(cn, title);
	}
	if (i == 0)
		err("/stats: no connection to describe");
}

static const struct command {
	const char *name;
	const char *args;
	const char *help;
} commands[] = {
	{ "base64", "DATA", "send a binary message given in base64" },
	{ "binary", "HEX...", "send a binary message given in hex" },
	{ "close", "[--any] [CODE [REASON]]", "close the connection (default "
	    "1000); --any: any code, unchecked" },
	{ "deflate", "[on|off]", "compress what you send next (if negotiated)" },
	{ "file", "[--text] PATH", "send a file (binary, or text)" },
	{ "frag", "N TEXT", "send a text message in N fragments" },
	{ "frame", "SPEC", "send one crafted frame, rules or not (see wscli(1))" },
	{ "frames", "[on|off]", "the frame-level view (--frames)" },
	{ "help", "", "show this list" },
	{ "hex", "[on|off]", "hexdump display of text messages" },
	{ "json", "[on|off]", "JSON pretty-printing" },
	{ "ping", "[TEXT]", "send a ping; the pong shows the round trip" },
	{ "pong", "[TEXT]", "send an unsolicited pong" },
	{ "quit", "", "close with 1000 and exit" },
	{ "raw", "HEX...", "send bytes as they are" },
	{ "stats", "", "show message, byte and ping counts" },
	{ "timestamps", "[on|off|wall|elapsed]", "timestamps: wall clock or "
	    "elapsed" },
};

static void
cmd_help(void)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		char left[64];

		snprintf(left, sizeof left, "/%s %s", commands[i].name,
		    commands[i].args);
		say("  %-28s %s", left, commands[i].help);
	}
	for (size_t i = 0; ops->help && ops->help[i]; i += 2)
		say("  %-28s %s", ops->help[i], ops->help[i + 1]);
	say("  %-28s %s", "//TEXT", "send TEXT starting with a single /");
	say("Other lines are sent as text messages. Ctrl-D or /quit closes.");
}

/* "on", "off" or nothing (flip): the new value, or -1 for anything else. */
static int
on_off(const char *arg, int now)
{
	if (*arg == '\0')
		return !now;
	if (!strcmp(arg, "on"))
		return 1;
	if (!strcmp(arg, "off"))
		return 0;
	return -1;
}

/* /hex, /json, /frames: set or flip, then say what holds now. */
static int
toggle(const char *cmd, const char *arg, int *flag, const char *what)
{
	int v = on_off(arg, *flag);

	if (v < 0) {
		err("/%s: '%s' is not on or off (usage: /%s [on|off])", cmd,
		    arg, cmd);
		return -1;
	}
	*flag = v;
	view_infof("%s %s", what, v ? "on" : "off");
	return 0;
}

/* /timestamps [on|off|wall|elapsed]: on is the wall clock; without an
 * argument it flips between off and the clock last used. */
static void
cmd_timestamps(const char *arg)
{
	static int last = 1;
	int v;

	if (*arg == '\0')
		v = view.timestamps ? 0 : last;
	else if (!strcmp(arg, "on") || !strcmp(arg, "wall"))
		v = 1;
	else if (!strcmp(arg, "elapsed"))
		v = 2;
	else if (!strcmp(arg, "off"))
		v = 0;
	else {
		err("/timestamps: '%s' is not on, off, wall or elapsed", arg);
		return;
	}
	if (view.timestamps)
		last = view.timestamps;
	view.timestamps = v;
	if (v)
		last = v;
	view_info(v == 0 ? "timestamps off" : v == 1 ?
	    "timestamps on (wall clock)" : "timestamps on (elapsed since the "
	    "start)");
}

/* Compression applies only where permessage-deflate was agreed: say so
 * rather than claim what will not happen. */
static void
cmd_deflate(const char *arg)
{
	struct conn *cn = ops->target ? ops->target() : NULL;
	int v = on_off(arg, opt.compress);

	if (v < 0) {
		err("/deflate: '%s' is not on or off (usage: /deflate "
		    "[on|off])", arg);
		return;
	}
	if (cn != NULL && conn_pmd(cn) == NULL) {
		err("/deflate: permessage-deflate was not negotiated on this "
		    "connection: messages leave uncompressed (offer it with "
		    "--deflate)");
		return;
	}
	opt.compress = v;
	ops->settings();
	view_infof("compressing outgoing messages %s%s", v ? "on" : "off",
	    cn == NULL && v ? " (where permessage-deflate was negotiated)" :
	    "");
}

static void
run_command(const char *line)
{
	const char *whynot = "";
	char name[64];
	const char *sp = strchr(line, ' ');
	size_t n = sp ? (size_t)(sp - line) : strlen(line);
	const char *arg = sp ? sp + 1 : "";
	char word[64];
	size_t wl;

	snprintf(name, sizeof name, "%.*s", (int)n, line);
	/* the argument of a ping or a switch without the blanks around it:
	 * "/ping   " is an empty ping, "/hex off " is off */
	while (*arg == ' ' || *arg == '\t')
		arg++;
	wl = strlen(arg);
	while (wl > 0 && (arg[wl - 1] == ' ' || arg[wl - 1] == '\t'))
		wl--;
	snprintf(word, sizeof word, "%.*s", (int)wl, arg);
#define IS(name) (n == strlen(name) && !strncmp(line, name, n))
	if (IS("ping") || IS("pong")) {
		char *payload = xrealloc(NULL, wl + 1);

		memcpy(payload, arg, wl);
		payload[wl] = '\0';
		cmd_control(IS("ping") ? WS_OP_PING : WS_OP_PONG, payload);
		free(payload);
	}
	else if (IS("close"))
		cmd_close(arg);
	else if (IS("binary"))
		cmd_binary(arg);
	else if (IS("frame"))
		cmd_frame(arg);
	else if (IS("raw"))
		cmd_raw(arg);
	else if (IS("frag"))
		cmd_frag(arg);
	else if (IS("base64"))
		cmd_base64(arg);
	else if (IS("file"))
		cmd_file(arg);
	else if (IS("json"))
		toggle("json", word, &view.json, "JSON display");
	else if (IS("hex"))
		toggle("hex", word, &view.hex, "hexdump display");
	else if (IS("timestamps"))
		cmd_timestamps(word);
	else if (IS("frames")) {
		if (toggle("frames", word, &view.frames, "frame view") == 0)
			ops->settings();
	} else if (IS("deflate")) {
		cmd_deflate(word);
	} else if (IS("stats"))
		cmd_stats();
	else if (IS("quit") && ops->quit)
		ops->quit();
	else if (IS("quit"))
		ops->close(WS_CLOSE_NORMAL, NULL, &whynot);
	else if (IS("help"))
		cmd_help();
	else if (ops->command && ops->command(name, arg) == 0)
		;
	else
		err("unknown command /%.*s (type /help for the list)", (int)n,
		    line);
#undef IS
}

static void
on_line(char *line)
{
	size_t bad;
	const char *whynot = "";

	if (line == NULL) { /* Ctrl-D */
		show_begin();
		active = 0;
		rl_callback_handler_remove();
		putchar('\n');
		fflush(stdout);
		if (ops->quit)
			ops->quit();
		else
			ops->close(WS_CLOSE_NORMAL, NULL, &whynot);
		return;
	}
	/* a bracketed paste keeps the newline that ended the pasted block:
	 * the line ends there all the same */
	for (size_t n = strlen(line); n > 0 && (line[n - 1] == '\n' ||
	    line[n - 1] == '\r'); n--)
		line[n - 1] = '\0';
	if (*line) {
		add_history(line);
		history_new++;
	}
	/* readline redraws the prompt itself once this handler returns */
	active = 0;
	if (line[0] == '/' && line[1] != '/') {
		run_command(line + 1);
	} else {
		const char *msg = line[0] == '/' ? line + 1 : line;
		size_t len = strlen(msg);

		if (!ws_utf8_valid((const uint8_t *)msg, len, &bad))
			err("not sent: the line is not valid UTF-8 at byte %zu",
			    bad + 1);
		else if (ops->send_message(WS_OP_TEXT, (const uint8_t *)msg,
		    len, &whynot) != 0)
			err("not sent: %s", whynot);
	}
	active = 1;
	free(line);
}

/* ---------------------------------------------------------- completion */

static char *
command_generator(const char *text, int state)
{
	static size_t i;
	size_t len = strlen(text);
	const size_t ncommands = sizeof commands / sizeof commands[0];

	if (state == 0)
		i = 0;
	while (i < ncommands) {
		const char *name = commands[i++].name;

		if (len <= 1 || !strncmp(name, text + 1, len - 1)) {
			char *s = malloc(strlen(name) + 2);

			if (s) {
				s[0] = '/';
				strcpy(s + 1, name);
			}
			return s;
		}
	}
	/* then the mode's own, named in its help lines "/name ARGS" */
	while (ops && ops->help && ops->help[2 * (i - ncommands)]) {
		const char *h = ops->help[2 * (i++ - ncommands)] + 1;
		size_t n = strcspn(h, " ");

		if (len <= 1 || (n >= len - 1 && !strncmp(h, text + 1, len - 1))) {
			char *s = malloc(n + 2);

			if (s) {
				s[0] = '/';
				memcpy(s + 1, h, n);
				s[n + 1] = '\0';
			}
			return s;
		}
	}
	return NULL;
}

static char **
complete(const char *text, int start, int end)
{
	if (start == 0 && text[0] == '/')
		return rl_completion_matches(text, command_generator);
	if (start > 0 && !strncmp(rl_line_buffer, "/file ", 6))
		return NULL; /* file names */
	rl_attempted_completion_over = 1;
	return NULL;
}

/* ------------------------------------------------------------ lifecycle */

static void
history_setup(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX];

	if (opt.no_history)
		return;
	if (state && *state)
		snprintf(dir, sizeof dir, "%s/wscli", state);
	else if (home && *home)
		snprintf(dir, sizeof dir, "%s/.local/state/wscli", home);
	else
		return;
	/* mkdir -p, quietly: no history is better than no session */
	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	mkdir(dir, 0700);
	snprintf(history_path, sizeof history_path, "%s/history", dir);
	stifle_history(HISTORY_MAX);
	read_history(history_path);
}

static void
hook_begin(void)
{
	show_begin();
	fflush(stdout);
}

static const struct term_hooks hooks = {
	.begin = hook_begin,
	.end = show_end,
	.info = view_info,
	.diag = view_diag, /* a line of the display like any other, in red */
};

void
repl_start(const struct repl_ops *o)
{
	ops = o;
	term_set_hooks(&hooks);
	rl_readline_name = "wscli";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_attempted_completion_function = complete;
	rl_variable_bind("enable-bracketed-paste", "on");
	history_setup();
	rl_callback_handler_install(prompt, on_line);
	active = 1;
}

void
repl_read_char(void)
{
	empty_interrupts = 0;
	if (active)
		rl_callback_read_char();
}

int
repl_active(void)
{
	return active;
}

void
repl_interrupt(void)
{
	if (!active)
		return;
	if (rl_end > 0) {
		empty_interrupts = 0;
	} else if (++empty_interrupts >= 2) {
		on_line(NULL);
		return;
	}
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	if (empty_interrupts == 1) {
		char hint[160];

		snprintf(hint, sizeof hint, "(Ctrl-C again or Ctrl-D to %s)",
		    ops->quits ? ops->quits : "close the connection");
		view_hint(hint);
	} else {
		rl_crlf();
		rl_on_new_line();
		rl_redisplay();
	}
}

void
repl_set_prompt(const char *p)
{
	if (!strcmp(prompt, p))
		return;
	snprintf(prompt, sizeof prompt, "%s", p);
	if (active) {
		rl_clear_visible_line();
		rl_set_prompt(prompt);
		rl_on_new_line();
		rl_redisplay();
	} else if (ops != NULL) {
		/* inside the line handler: readline draws it once the
		 * handler returns */
		rl_set_prompt(prompt);
	}
}

void
repl_resize(void)
{
	if (active)
		rl_resize_terminal();
}

void
repl_stop(void)
{
	if (active) {
		show_begin();
		rl_callback_handler_remove();
		active = 0;
	}
	term_set_hooks(NULL);
	if (history_path[0] && history_new > 0) {
		/* typed lines may hold tokens: keep the file private */
		int fd = open(history_path, O_WRONLY | O_CREAT | O_APPEND |
		    O_CLOEXEC, 0600);

		if (fd >= 0)
			close(fd);
		if (append_history(history_new < HISTORY_MAX ? history_new :
		    HISTORY_MAX, history_path) == 0)
			history_truncate_file(history_path, HISTORY_MAX);
		history_new = 0; /* saved: a second call adds nothing */
	}
}
