/*
 * test_opts.c - unit tests for opts.c: the mode decided from the options
 * whatever their order, every mode-specific option against every mode
 * (accepted where it means something, a usage error naming the option and
 * the mode elsewhere), and the typed parsers at their boundaries.
 *
 * The expectations are written here from the man page, not read from
 * opts.c's table, so a wrong mode set in the table fails a test.
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

#include "opts.h"

#define FILE_ARG "/etc/passwd"  /* any readable regular file */
#define MAXW 16

static char err[1024];
static char *kept[MAXW + 2];    /* the last argv: the values point into it */

/* Parse the words (NULL-terminated) as a command line after "wscli".
 * getopt permutes argv: parse a copy. */
static int
parse_words(const char *const *w)
{
	char *argv[MAXW + 2];
	int argc = 0, rc;

	argv[argc++] = strdup("wscli");
	for (; *w; w++) {
		assert_true(argc <= MAXW);
		argv[argc++] = strdup(*w);
	}
	argv[argc] = NULL;
	err[0] = '\0';
	rc = opts_parse(argc, argv, err, sizeof err);
	for (int i = 0; kept[i]; i++)
		free(kept[i]);
	memcpy(kept, argv, (size_t)(argc + 1) * sizeof argv[0]);
	return rc;
}

/* The same from one string, split on spaces. */
static int
parse_line(const char *line)
{
	static char buf[1024];
	const char *w[MAXW + 1];
	int n = 0;

	snprintf(buf, sizeof buf, "%s", line);
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " ")) {
		assert_true(n < MAXW);
		w[n++] = t;
	}
	w[n] = NULL;
	return parse_words(w);
}

static void
expect_mode(const char *line, enum mode m)
{
	int rc = parse_line(line);

	if (rc != OPTS_RUN)
		fail_msg("'%s': expected to run, got: %s", line, err);
	if (opt.mode != m)
		fail_msg("'%s': mode %d, expected %d", line, opt.mode, m);
}

static void
expect_error(const char *line, const char *text)
{
	int rc = parse_line(line);

	if (rc != OPTS_USAGE)
		fail_msg("'%s': expected a usage error '%s', got status %d",
		    line, text, rc);
	if (strstr(err, text) == NULL)
		fail_msg("'%s': error '%s' does not say '%s'", line, err,
		    text);
}

/* ------------------------------------------- the mode, from the pairs */

/* The mode-selecting words: each subset, in every order, gives one mode
 * or one error. */
static const char *const selectors[] = {
	"-l 0", "--forward ws://h/", "--probe", "ws://h/", "--test",
};
enum { SEL_L = 1, SEL_F = 2, SEL_P = 4, SEL_URL = 8, SEL_T = 16 };
#define NSEL 5

/* What a set of selectors gives: a mode (>= 0) or the error text. */
static int
outcome(unsigned set, const char **text)
{
	*text = NULL;
	if ((set & SEL_P) && (set & SEL_L))
		return *text = "cannot use --probe and -l together", -1;
	if ((set & SEL_P) && (set & SEL_F))
		return *text = "cannot use --probe and --forward together", -1;
	if ((set & SEL_T) && (set & SEL_P))
		return *text = "cannot use --test and --probe together", -1;
	if ((set & SEL_T) && (set & SEL_L))
		return *text = "cannot use --test and -l together", -1;
	if ((set & SEL_F) && !(set & SEL_L))
		return *text = "--forward goes with -l", -1;
	if (set & SEL_L) {
		if (set & SEL_URL)
			return *text = "unexpected argument 'ws://h/'", -1;
		return set & SEL_F ? MODE_RELAY : MODE_LISTEN;
	}
	if (set & SEL_T)  /* a URL, but no file */
		return *text = "no conversation file given to --test", -1;
	if (!(set & SEL_URL))
		return *text = set & SEL_P ? "no URL given to --probe" :
		    "no URL given", -1;
	return set & SEL_P ? MODE_PROBE : MODE_CLIENT;
}

static void
permute_and_check(unsigned set, int *order, int n, int k)
{
	if (k == n) {
		char line[256] = "";
		const char *text;
		int m = outcome(set, &text);

		for (int i = 0; i < n; i++) {
			strcat(line, selectors[order[i]]);
			strcat(line, " ");
		}
		if (m >= 0)
			expect_mode(line, (enum mode)m);
		else
			expect_error(line, text);
		return;
	}
	for (int i = k; i < n; i++) {
		int t = order[k];

		order[k] = order[i];
		order[i] = t;
		permute_and_check(set, order, n, k + 1);
		order[i] = order[k];
		order[k] = t;
	}
}

static void
mode_from_every_order(void **state)
{
	(void)state;
	for (unsigned set = 0; set < 1u << NSEL; set++) {
		int order[NSEL], n = 0;

		for (int i = 0; i < NSEL; i++)
			if (set & (1u << i))
				order[n++] = i;
		permute_and_check(set, order, n, 0);
	}
}

/* ------------------------------------- each option against each mode */

#define C_ 1
#define P_ 2
#define L_ 4
#define R_ 8
#define T_ 16
#define LD_ 32
#define MG_ 64
#define ALL_ (C_ | P_ | L_ | R_ | LD_)

static const struct {
	const char *words;   /* the option and its argument */
	const char *named;   /* how the error names it */
	unsigned modes;      /* where it is accepted */
} options[] = {
	{ "-4", "-4", C_ | P_ | R_ | T_ | LD_ },
	{ "-6", "-6", C_ | P_ | R_ | T_ | LD_ },
	{ "--ack", "--ack", C_ | T_ },
	{ "--auth {}", "--auth", C_ | T_ },
	{ "-b", "-b", C_ | L_ | LD_ },
	{ "--bearer t", "--bearer", C_ | P_ | R_ | T_ | LD_ },
	{ "--broadcast", "--broadcast", L_ },
	{ "--cacert " FILE_ARG, "--cacert", C_ | P_ | R_ | T_ | LD_ },
	{ "--capath /", "--capath", C_ | P_ | R_ | T_ | LD_ },
	{ "--cert " FILE_ARG, "--cert", C_ | P_ | R_ | T_ | LD_ },
	{ "--client-id c", "--client-id", C_ | T_ },
	{ "--close-timeout 1", "--close-timeout", C_ | L_ | R_ | T_ | LD_ },
	{ "--color never", "--color", ALL_ },
	{ "--connect-timeout 1", "--connect-timeout", ALL_ | T_ },
	{ "--deflate", "--deflate", ALL_ | T_ },
	{ "--destination /q", "--destination", C_ | T_ },
	{ "--echo", "--echo", L_ },
	{ "--forward-exact", "--forward-exact", R_ },
	{ "--frame op=ping", "--frame", C_ | L_ },
	{ "--frames", "--frames", C_ | L_ | R_ },
	{ "-H X-A:b", "-H", ALL_ | T_ },
	{ "-j", "-j", C_ | L_ },
	{ "--jobs 2", "--jobs", T_ },
	{ "--jsonl", "--jsonl", C_ | P_ | L_ | R_ },
	{ "--keepalive 1", "--keepalive", C_ | T_ },
	{ "-k", "-k", C_ | P_ | R_ | T_ | LD_ },
	{ "-L", "-L", C_ | P_ | R_ | T_ | LD_ },
	{ "--login u:p", "--login", C_ | T_ },
	{ "--max-message 1M", "--max-message", C_ | L_ | T_ | LD_ },
	{ "--max-redirs 3", "--max-redirs", C_ | P_ | R_ | T_ | LD_ },
	{ "--mqtt-version 5", "--mqtt-version", C_ | T_ },
	{ "-n 3", "-n", C_ | L_ | R_ | LD_ },
	{ "--namespace /a", "--namespace", C_ | T_ },
	{ "--no-history", "--no-history", C_ | L_ | R_ },
	{ "--no-split", "--no-split", C_ | L_ },
	{ "--noproxy h", "--noproxy", C_ | P_ | R_ | T_ | LD_ },
	{ "-o http://o", "-o", C_ | P_ | R_ | T_ | LD_ },
	{ "--on-connect " FILE_ARG, "--on-connect", C_ | L_ },
	{ "--once", "--once", L_ | R_ },
	{ "--origin-allow http://o", "--origin-allow", L_ | R_ },
	{ "--ping-interval 1", "--ping-interval", C_ | L_ | R_ },
	{ "--probe-cases 1", "--probe-cases", P_ },
	{ "--probe-idle 1", "--probe-idle", P_ },
	{ "--probe-max 8K", "--probe-max", P_ },
	{ "--probe-clients", "--probe-clients", L_ },
	{ "--probe-report json:x", "--probe-report", P_ | L_ },
	{ "--probe-timeout 1", "--probe-timeout", P_ | L_ },
	{ "--proto raw", "--proto", C_ | L_ | R_ | T_ },
	{ "--qos 1", "--qos", C_ | T_ },
	{ "-q", "-q", ALL_ | T_ | MG_ },
	{ "--reconnect", "--reconnect", C_ },
	{ "--reconnect=2", "--reconnect", C_ },
	{ "--record x", "--record", C_ | L_ | R_ },
	{ "--replay " FILE_ARG, "--replay", C_ },
	{ "--replay-speed 2", "--replay-speed", C_ },
	{ "--report junit:x", "--report", T_ },
	{ "--rewrite-origin", "--rewrite-origin", R_ },
	{ "-s chat", "-s", C_ | P_ | L_ | T_ | LD_ },
	{ "--send hi", "--send", C_ | L_ | LD_ },
	{ "--strict", "--strict", R_ },
	{ "--subscribe /q", "--subscribe", C_ | T_ },
	{ "-t", "-t", ALL_ },
	{ "-telapsed", "-t", ALL_ },
	{ "--timestamps=elapsed", "-t", ALL_ },
	{ "--timeout 1", "--timeout", ALL_ | T_ },
	{ "--tls-cert " FILE_ARG, "--tls-cert", L_ | R_ },
	{ "--topic t", "--topic", C_ | T_ },
	{ "-u a:b", "-u", C_ | P_ | R_ | T_ | LD_ },
	{ "--unix-socket /s", "--unix-socket", C_ | P_ | R_ | T_ | LD_ },
	{ "--until x", "--until", C_ | L_ | R_ },
	{ "--var a=b", "--var", C_ | T_ },
	{ "-v", "-v", ALL_ | T_ },
	{ "-w 1", "-w", C_ },
	{ "-x http://p", "-x", C_ | P_ | R_ | T_ | LD_ },
	{ "--connections 3", "--connections", LD_ },
	{ "--duration 1", "--duration", LD_ },
	{ "--load-report x", "--load-report", LD_ | MG_ },
	{ "--msg-rate 5", "--msg-rate", LD_ },
	{ "--msg-rate lockstep", "--msg-rate", LD_ },
	{ "--rate 5", "--rate", LD_ },
};

static const struct {
	unsigned bit;
	enum mode mode;
	const char *base;    /* the words that choose it */
	const char *name;    /* as errors name it */
} modes[] = {
	{ C_, MODE_CLIENT, "ws://h/", NULL },
	{ P_, MODE_PROBE, "--probe ws://h/", "--probe (probe mode)" },
	{ L_, MODE_LISTEN, "-l 0", "-l (listen mode)" },
	{ R_, MODE_RELAY, "-l 0 --forward ws://h/", "--forward (relay mode)" },
	{ T_, MODE_TEST, "--test " FILE_ARG, "--test (test mode)" },
	{ LD_, MODE_LOAD, "--load ws://h/", "--load (load mode)" },
	{ MG_, MODE_MERGE, "--load-merge f", "--load-merge" },
};

/* Options that apply in a mode only together with another option. */
static const struct {
	const char *named;
	unsigned bit;
	const char *with;     /* the words it needs there */
	const char *error;    /* what is said without them */
} needs[] = {
	{ "--probe-report", L_, "--probe-clients",
	    "--probe-report goes with --probe or --probe-clients" },
	{ "--probe-timeout", L_, "--probe-clients",
	    "--probe-timeout goes with --probe or --probe-clients" },
	{ "--ack", C_, "--proto socketio",
	    "--ack goes with --proto socketio" },
	{ "--ack", T_, "--proto socketio",
	    "--ack goes with --proto socketio" },
	{ "--auth", C_, "--proto socketio",
	    "--auth goes with --proto socketio" },
	{ "--auth", T_, "--proto socketio",
	    "--auth goes with --proto socketio" },
	{ "--namespace", C_, "--proto socketio",
	    "--namespace goes with --proto socketio" },
	{ "--namespace", T_, "--proto socketio",
	    "--namespace goes with --proto socketio" },
	{ "--client-id", C_, "--proto mqtt",
	    "--client-id goes with --proto mqtt" },
	{ "--client-id", T_, "--proto mqtt",
	    "--client-id goes with --proto mqtt" },
	{ "--destination", C_, "--proto stomp",
	    "--destination goes with --proto stomp" },
	{ "--destination", T_, "--proto stomp",
	    "--destination goes with --proto stomp" },
	{ "--keepalive", C_, "--proto mqtt",
	    "--keepalive goes with --proto stomp or --proto mqtt" },
	{ "--keepalive", T_, "--proto mqtt",
	    "--keepalive goes with --proto stomp or --proto mqtt" },
	{ "--login", C_, "--proto stomp",
	    "--login goes with --proto stomp or --proto mqtt" },
	{ "--login", T_, "--proto stomp",
	    "--login goes with --proto stomp or --proto mqtt" },
	{ "--mqtt-version", C_, "--proto mqtt",
	    "--mqtt-version goes with --proto mqtt" },
	{ "--mqtt-version", T_, "--proto mqtt",
	    "--mqtt-version goes with --proto mqtt" },
	{ "--qos", C_, "--proto mqtt", "--qos goes with --proto mqtt" },
	{ "--qos", T_, "--proto mqtt", "--qos goes with --proto mqtt" },
	{ "--subscribe", C_, "--proto stomp",
	    "--subscribe goes with --proto stomp or --proto mqtt" },
	{ "--subscribe", T_, "--proto stomp",
	    "--subscribe goes with --proto stomp or --proto mqtt" },
	{ "--topic", C_, "--proto mqtt", "--topic goes with --proto mqtt" },
	{ "--topic", T_, "--proto mqtt", "--topic goes with --proto mqtt" },
	{ "--replay-speed", C_, "--replay " FILE_ARG,
	    "--replay-speed goes with --replay" },
	{ "--var", C_, "--replay " FILE_ARG,
	    "--var goes with --replay or --test" },
};

static const char *
needed(const char *named, unsigned bit, const char **error)
{
	for (size_t k = 0; k < sizeof needs / sizeof needs[0]; k++)
		if (!strcmp(needs[k].named, named) && needs[k].bit == bit) {
			*error = needs[k].error;
			return needs[k].with;
		}
	return NULL;
}

static void
each_option_in_each_mode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
		for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
			char line[512], want[256];

			/* before and after the mode's own words: the order
			 * must not matter */
			for (int after = 0; after < 2; after++) {
				const char *error, *with = needed(
				    options[i].named, modes[m].bit, &error);

				snprintf(line, sizeof line, "%s %s",
				    after ? modes[m].base : options[i].words,
				    after ? options[i].words : modes[m].base);
				if ((options[i].modes & modes[m].bit) && with) {
					expect_error(line, error);
					snprintf(line + strlen(line),
					    sizeof line - strlen(line), " %s",
					    with);
					expect_mode(line, modes[m].mode);
					continue;
				}
				if (options[i].modes & modes[m].bit) {
					expect_mode(line, modes[m].mode);
					continue;
				}
				if (modes[m].name == NULL ||
				    (modes[m].mode == MODE_LISTEN &&
				    options[i].modes == R_))
					snprintf(want, sizeof want, "%s goes "
					    "with ", options[i].named);
				else
					snprintf(want, sizeof want, "%s cannot "
					    "be used with %s", options[i].named,
					    modes[m].name);
				expect_error(line, want);
			}
		}
}

/* The man page's table of modes is opts.c's: a row for every option
 * (but -h and -V), with a bullet exactly where it applies. */
static void
man_page_table(void **state)
{
	FILE *f = fopen("man/wscli.1", "r");
	char line[512], rows[128][64];
	unsigned rowset[128];
	size_t nrows = 0;
	const char *name;
	int letter;
	unsigned where;

	(void)state;
	if (f == NULL)
		fail_msg("man/wscli.1: cannot open (run from the top directory)");
	while (fgets(line, sizeof line, f)) {
		char cell[7][16];

		/* .It Fl -frame Ta \(bu Ta \- Ta \(bu Ta \- Ta \- Ta \- Ta \- */
		if (sscanf(line, ".It Fl %60s Ta %15s Ta %15s Ta %15s Ta %15s "
		    "Ta %15s Ta %15s Ta %15s", rows[nrows] + 1, cell[0],
		    cell[1], cell[2], cell[3], cell[4], cell[5], cell[6]) != 8)
			continue;
		rows[nrows][0] = '-';
		rowset[nrows] = 0;
		for (int m = 0; m < 7; m++)
			if (!strcmp(cell[m], "\\(bu"))
				rowset[nrows] |= 1u << m;
		assert_true(++nrows < 128);
	}
	fclose(f);
	for (size_t i = 0; opts_entry(i, &name, &letter, &where) == 0; i++) {
		char want[64];
		size_t r;

		if (letter == 'h' || letter == 'V')
			continue;
		if (letter)
			snprintf(want, sizeof want, "-%c", letter);
		else
			snprintf(want, sizeof want, "--%s", name);
		for (r = 0; r < nrows && strcmp(rows[r], want); r++)
			;
		if (r == nrows)
			fail_msg("man/wscli.1: no row for %s in the table of "
			    "modes", want);
		if (rowset[r] != where)
			fail_msg("man/wscli.1: the row of %s says modes %#x, "
			    "the option applies in %#x", want, rowset[r], where);
		rows[r][0] = '\0';   /* seen */
	}
	for (size_t r = 0; r < nrows; r++)
		if (rows[r][0])
			fail_msg("man/wscli.1: a row for %s, which is no option",
			    rows[r]);
}

/* The spec above agrees with opts.c's table, so that the table checked
 * against the man page is the one whose behaviour was checked. */
static void
spec_is_the_table(void **state)
{
	const char *name;
	int letter;
	unsigned where;

	(void)state;
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		int hit = 0;

		for (size_t k = 0; opts_entry(k, &name, &letter, &where) == 0;
		    k++) {
			char n[64];

			if (letter)
				snprintf(n, sizeof n, "-%c", letter);
			else
				snprintf(n, sizeof n, "--%s", name);
			if (strcmp(n, options[i].named))
				continue;
			hit = 1;
			assert_int_equal(where, options[i].modes);
		}
		if (!hit)
			fail_msg("%s: not in opts.c's table", options[i].named);
	}
}

/* The refusals that say why, and the conflicts inside a mode. */
static void
named_conflicts(void **state)
{
	(void)state;
	expect_error("-l 0 --forward ws://h/ --frame op=ping", "--frame cannot "
	    "be used with --forward (relay mode): a relay passes on what each "
	    "side sends");
	expect_error("-l 0 --forward ws://h/ -s x", "offers are passed on");
	expect_error("--proto nope ws://h/", "invalid value for --proto: "
	    "'nope' (one of raw, auto, socketio");
	expect_error("--proto socketio --auth nope ws://h/", "invalid value "
	    "for --auth: 'nope' (a JSON object");
	expect_error("--proto socketio --auth [1] ws://h/", "invalid value "
	    "for --auth: '[1]' (a JSON object");
	expect_error("--proto socketio --namespace chat ws://h/", "invalid "
	    "value for --namespace: 'chat' (a path such as /chat");
	expect_error("--proto raw --ack ws://h/", "--ack goes with --proto "
	    "socketio");
	expect_error("-l 0 --proto socketio --broadcast", "--broadcast passes "
	    "bare messages on: it cannot be used with --proto socketio");
	expect_mode("-l 0 --proto socketio --echo", MODE_LISTEN);
	expect_error("--proto socketio --no-split ws://h/", "--no-split sends "
	    "stdin as one bare message: it cannot be used with --proto "
	    "socketio");
	expect_error("--probe --send x ws://h/", "the probe sends its own");
	expect_error("-l 0 -x http://p", "it is for connecting to a server");
	expect_error("-t elapsed ws://h/", "-t takes its mode attached: "
	    "-telapsed or --timestamps=elapsed");
	expect_error("-l 0 -t wall", "-t takes its mode attached: -twall");
	expect_error("--reconnect 3 ws://h/", "--reconnect takes its maximum "
	    "attached: --reconnect=3");
	expect_error("ws://h/ --deflate client_max_window_bits", "--deflate "
	    "takes its parameters attached");
	expect_mode("--deflate ws://h/", MODE_CLIENT);
	expect_mode("--reconnect ws://h/", MODE_CLIENT);
	{
		/* an empty word is no parameter list */
		const char *w[] = { "--deflate", "", NULL };

		assert_int_equal(parse_words(w), OPTS_USAGE);
		assert_null(strstr(err, "takes its parameters"));
	}
	expect_error("-l 0 --echo --broadcast", "cannot use --echo and "
	    "--broadcast together");
	expect_error("-l 0 --require-protocol", "--require-protocol needs");
	expect_error("-l 0 --pass x", "--pass goes with --tls-cert");
	expect_error("-l 0 --tls-key " FILE_ARG, "--tls-key and "
	    "--tls-client-ca go with --tls-cert");
	expect_error("-l 0 --deflate=server_no_context_takeover",
	    "--deflate=PARAMS is the offer of a client");
	expect_error("-l 0 --forward ws://h/ -o x --rewrite-origin",
	    "cannot use -o and --rewrite-origin together");
	expect_error("--key " FILE_ARG " ws://h/", "--key and --pass go with "
	    "--cert");
	expect_error("--ping-timeout 1 ws://h/", "--ping-timeout needs "
	    "--ping-interval");
	expect_error("--unix-socket /s -x http://p ws://h/", "cannot use "
	    "--unix-socket and --proxy together");
	expect_error("--reconnect-on any ws://h/", "go with --reconnect");
	expect_error("-u a:b --bearer t ws://h/", "cannot use -u and --bearer");
	expect_error("--tls-cert /nonexistent -l 0", "cannot read --tls-cert "
	    "file '/nonexistent'");
	expect_error("--no-such-option ws://h/", "'--no-such-option'");
	expect_error("ws://h/ --timeout", "'--timeout' requires an argument");
	expect_error("--binary=1 ws://h/", "'--binary' doesn't allow");
	expect_error("http://h/", "scheme 'http' is not supported");
	expect_error("ws:///", "invalid URL 'ws:///'");
	assert_int_equal(parse_line("-V ws://h/"), OPTS_VERSION);
	assert_int_equal(parse_line("--help"), OPTS_HELP);
}

/* What the parse leaves for the modes. */
static void
values_recorded(void **state)
{
	(void)state;
	expect_mode("-t ws://h/", MODE_CLIENT);
	assert_int_equal(opt.timestamps, 1);
	expect_mode("-telapsed ws://h/", MODE_CLIENT);
	assert_int_equal(opt.timestamps, 2);
	expect_mode("-t=elapsed ws://h/", MODE_CLIENT);
	assert_int_equal(opt.timestamps, 2);
	expect_mode("--timeout 2 ws://h/", MODE_CLIENT);
	assert_true(opt.connect_timeout == 2); /* lowered to --timeout */
	expect_mode("-l [::1]:8080 --once --forward wss://h/x", MODE_RELAY);
	assert_string_equal(srv_opt.listen, "[::1]:8080");
	assert_string_equal(relay_opt.forward, "wss://h/x");
	assert_int_equal(srv_opt.once, 1);
	expect_mode("--probe --probe-max 1M --probe-timeout 0.5 ws://h/",
	    MODE_PROBE);
	assert_true(probe_opt.max == 1 << 20);
	assert_true(probe_opt.timeout == 0.5);
	/* a new parse starts from the defaults */
	expect_mode("ws://h/", MODE_CLIENT);
	assert_int_equal(opt.timestamps, 0);
	assert_null(srv_opt.listen);
	assert_true(probe_opt.max == 64 << 20);
	assert_true(opt.connect_timeout == 30);
	expect_mode("--send a --frame op=ping --send b ws://h/", MODE_CLIENT);
	assert_int_equal(opt.nsend, 3);
	assert_int_equal(opt.send_frame[1], 1);
	assert_int_equal(opt.send_frame[2], 0);
	opts_free();
}

/* --------------------------------------------------------- the parsers */

static void
seconds(void **state)
{
	static const struct {
		const char *s;
		int positive;
		double want;  /* -1: an error */
	} t[] = {
		{ "0", 0, 0 }, { "0", 1, -1 }, { "0.001", 1, 0.001 },
		{ "2.5", 1, 2.5 }, { "1e3", 0, 1000 },
		{ "31536000", 0, 31536000 }, { "31536000.5", 0, -1 },
		{ "-1", 0, -1 }, { "-0.5", 0, -1 }, { "", 0, -1 },
		{ "abc", 0, -1 }, { "1s", 0, -1 }, { " 1", 0, -1 },
		{ "1 ", 0, -1 }, { "nan", 0, -1 }, { "inf", 0, -1 },
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		double v = opts_seconds(t[i].s, t[i].positive, &why);

		if (t[i].want < 0) {
			if (why == NULL)
				fail_msg("'%s' accepted as %g", t[i].s, v);
		} else if (why || v != t[i].want) {
			fail_msg("'%s': %g (%s), expected %g", t[i].s, v,
			    why ? why : "", t[i].want);
		}
	}
	opts_seconds("0", 1, &why);
	assert_string_equal(why, "must be more than 0");
}

static void
sizes(void **state)
{
	static const struct {
		const char *s;
		uint64_t min, max;
		int ok;
		uint64_t want;
	} t[] = {
		{ "0", 0, UINT64_MAX, 1, 0 },
		{ "1", 0, UINT64_MAX, 1, 1 },
		{ "1K", 0, UINT64_MAX, 1, 1024 },
		{ "1k", 0, UINT64_MAX, 1, 1024 },
		{ "64M", 0, UINT64_MAX, 1, 64ULL << 20 },
		{ "4g", 0, UINT64_MAX, 1, 4ULL << 30 },
		{ "4611686018427387904", 0, UINT64_MAX, 1, 1ULL << 62 },
		{ "4611686018427387905", 0, UINT64_MAX, 0, 0 },
		{ "4294967296G", 0, UINT64_MAX, 1, 1ULL << 62 },
		{ "4294967297G", 0, UINT64_MAX, 0, 0 },
		{ "4398046511104M", 0, UINT64_MAX, 1, 1ULL << 62 },
		{ "4398046511105M", 0, UINT64_MAX, 0, 0 },
		{ "99999999999999999999", 0, UINT64_MAX, 0, 0 },
		{ "12Q", 0, UINT64_MAX, 0, 0 },
		{ "1KB", 0, UINT64_MAX, 0, 0 },
		{ "K", 0, UINT64_MAX, 0, 0 },
		{ "", 0, UINT64_MAX, 0, 0 },
		{ "-1", 0, UINT64_MAX, 0, 0 },
		{ "+1", 0, UINT64_MAX, 0, 0 },
		{ " 1", 0, UINT64_MAX, 0, 0 },
		/* --probe-max's range */
		{ "4095", 4096, 1ULL << 32, 0, 0 },
		{ "4K", 4096, 1ULL << 32, 1, 4096 },
		{ "4G", 4096, 1ULL << 32, 1, 1ULL << 32 },
		{ "4294967297", 4096, 1ULL << 32, 0, 0 },
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint64_t v = opts_size(t[i].s, t[i].min, t[i].max, &why);

		if (!t[i].ok && why == NULL)
			fail_msg("'%s' accepted as %llu", t[i].s,
			    (unsigned long long)v);
		if (t[i].ok && (why || v != t[i].want))
			fail_msg("'%s': %llu (%s)", t[i].s,
			    (unsigned long long)v, why ? why : "");
	}
	opts_size("4095", 4096, 1ULL << 32, &why);
	assert_string_equal(why, "too small");
	opts_size("5G", 4096, 1ULL << 32, &why);
	assert_string_equal(why, "too large");
}

static void
counts(void **state)
{
	static const struct {
		const char *s;
		long min, max;
		const char *why;  /* NULL: accepted */
		long want;
	} t[] = {
		{ "1", 1, 10, NULL, 1 },
		{ "10", 1, 10, NULL, 10 },
		{ "0", 1, 10, "too small", 0 },
		{ "11", 1, 10, "too large", 0 },
		{ "0", 0, 10, NULL, 0 },
		{ "-1", 0, 10, "too small", 0 },
		{ "9223372036854775807", 1, 9223372036854775807L, NULL,
		    9223372036854775807L },
		{ "9223372036854775808", 1, 9223372036854775807L, "too large",
		    0 },
		{ "-9223372036854775809", 0, 10, "too small", 0 },
		{ "1x", 1, 10, "invalid", 0 },
		{ "", 1, 10, "invalid", 0 },
		{ " 1", 1, 10, "invalid", 0 },
		{ "abc", 1, 10, "invalid", 0 },
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		long v = opts_count(t[i].s, t[i].min, t[i].max, &why);

		if (t[i].why == NULL && (why || v != t[i].want))
			fail_msg("'%s': %ld (%s)", t[i].s, v, why);
		if (t[i].why && (why == NULL || strcmp(why, t[i].why)))
			fail_msg("'%s': '%s', expected '%s'", t[i].s,
			    why ? why : "accepted", t[i].why);
	}
}

static void
listen_addresses(void **state)
{
	static const struct {
		const char *s;
		const char *host;  /* NULL: refused */
		long port;
	} t[] = {
		{ "0", "", 0 }, { "8080", "", 8080 }, { "65535", "", 65535 },
		{ "65536", NULL, 0 }, { "-1", NULL, 0 }, { "", NULL, 0 },
		{ "0.0.0.0:8080", "0.0.0.0", 8080 },
		{ "[::1]:80", "::1", 80 }, { "[::1]", NULL, 0 },
		{ "::1:80", NULL, 0 }, { ":80", NULL, 0 },
		{ "host:", NULL, 0 }, { "host:x", NULL, 0 },
		{ "localhost:1", "localhost", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char host[64];
		long port = -5;
		int rc = opts_split_listen(t[i].s, host, sizeof host, &port);

		if (t[i].host == NULL) {
			if (rc == 0)
				fail_msg("'%s' accepted", t[i].s);
			continue;
		}
		if (rc != 0)
			fail_msg("'%s' refused", t[i].s);
		assert_string_equal(host, t[i].host);
		assert_int_equal(port, t[i].port);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mode_from_every_order),
		cmocka_unit_test(each_option_in_each_mode),
		cmocka_unit_test(man_page_table),
		cmocka_unit_test(spec_is_the_table),
		cmocka_unit_test(named_conflicts),
		cmocka_unit_test(values_recorded),
		cmocka_unit_test(seconds),
		cmocka_unit_test(sizes),
		cmocka_unit_test(counts),
		cmocka_unit_test(listen_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
