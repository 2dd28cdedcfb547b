/*
 * wscli - command-line WebSocket debugging tool.
 *
 * libcurl opens the connection and performs the HTTP upgrade
 * (CURLOPT_CONNECT_ONLY = 2) and decodes incoming frames. Everything else is
 * ours, because libcurl 8.14 leaves it undone: checking the 101 reply
 * (accept key, subprotocol, extensions), answering PINGs and CLOSEs,
 * validating UTF-8 and close payloads, reassembling fragmented messages.
 * Outgoing frames are built by frame.c and written in raw mode, so any frame
 * can be sent and many small frames leave in one write.
 *
 * One poll() loop drives a session: the curl socket, stdin (scripted lines
 * or the readline REPL), a self-pipe for signals and one timer. Outgoing
 * frames sit in two queues: data frames, and control frames that overtake
 * data at the next frame boundary so a PONG never waits behind a large
 * message. stdin is read only while the data queue is short: a slow server
 * slows wscli down instead of growing its memory.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>
#include <readline/readline.h>

#include "display.h"
#include "frame.h"
#include "wscli.h"

#define WSCLI_VERSION "0.1.0"

/* ---------------------------------------------------------------- options */

struct options opt = {
	.connect_timeout = 30,
	.close_timeout = 5,
};

static const char usage_text[] =
    "usage: wscli [-bhjqtV] [-H header] [-n count] [-o origin] [-s protocol]\n"
    "             [-w seconds] [--close-timeout seconds] [--color when]\n"
    "             [--connect-timeout seconds] [--no-history] [--no-split]\n"
    "             [--send message] [--timestamps[=elapsed]] url\n";

static const char help_text[] =
    "Connect to a WebSocket server; send stdin lines or typed lines as\n"
    "messages and show what the server sends.\n"
    "\n"
    "  -b, --binary              send binary messages instead of text\n"
    "      --close-timeout SECS  wait this long for the close reply (5)\n"
    "      --color WHEN          colour output: auto, always or never\n"
    "      --connect-timeout SECS\n"
    "                            limit for TCP, TLS and the upgrade (30)\n"
    "  -H, --header 'NAME: VALUE'\n"
    "                            add a request header (repeatable)\n"
    "  -h, --help                show this help\n"
    "  -j, --json                pretty-print JSON messages (terminal)\n"
    "  -n, --count N             close after receiving N messages\n"
    "      --no-history          do not read or save the REPL history\n"
    "      --no-split            send all of stdin as one message\n"
    "  -o, --origin ORIGIN       send an Origin header\n"
    "  -q, --quiet               print only errors on stderr\n"
    "  -s, --subprotocol NAME    offer a subprotocol (repeatable)\n"
    "      --send MESSAGE        send MESSAGE first (repeatable)\n"
    "  -t, --timestamps[=elapsed]\n"
    "                            show wall-clock (or elapsed) times\n"
    "  -V, --version             show versions of wscli and its libraries\n"
    "  -w, --wait SECS           after end of input, wait before closing\n"
    "\n"
    "URL is ws://host[:port]/path or wss://host[:port]/path.\n"
    "Exit status: 0 clean close, 1 error, 2 usage, 3 could not connect,\n"
    "4 upgrade refused, 5 protocol violation, 6 connection lost, 7 timeout,\n"
    "8 closed with an error code. See wscli(1).\n";

enum {
	OPT_CLOSE_TIMEOUT = 256,
	OPT_COLOR,
	OPT_NO_HISTORY,
	OPT_CONNECT_TIMEOUT,
	OPT_NO_SPLIT,
	OPT_SEND,
};

static const struct option longopts[] = {
	{ "binary", no_argument, NULL, 'b' },
	{ "close-timeout", required_argument, NULL, OPT_CLOSE_TIMEOUT },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "count", required_argument, NULL, 'n' },
	{ "header", required_argument, NULL, 'H' },
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'j' },
	{ "no-history", no_argument, NULL, OPT_NO_HISTORY },
	{ "no-split", no_argument, NULL, OPT_NO_SPLIT },
	{ "origin", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "send", required_argument, NULL, OPT_SEND },
	{ "subprotocol", required_argument, NULL, 's' },
	{ "timestamps", optional_argument, NULL, 't' },
	{ "version", no_argument, NULL, 'V' },
	{ "wait", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 },
};

/* ------------------------------------------------------------ diagnostics */

void
diag(const char *fmt, ...)
{
	va_list ap;
	char buf[2048];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	term_print_stderr("wscli: ", buf);
}

void
info(const char *fmt, ...)
{
	va_list ap;
	char buf[2048];
	int n;

	if (opt.quiet)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	term_print_stderr("wscli: ", buf);
}

static void __attribute__((noreturn))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("wscli: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage_text, stderr);
	exit(EXIT_USAGE);
}

static double
parse_seconds(const char *name, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 86400 * 365)
		usage_error("invalid value for %s: '%s' (expected a number of "
		    "seconds, e.g. 2.5)", name, s);
	return v;
}

static long
parse_count(const char *name, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1)
		usage_error("invalid value for %s: '%s' (expected a whole number "
		    "from 1 to %ld)", name, s, LONG_MAX);
	return v;
}

/* ws:// or wss:// with a host; everything else is a usage error. */
static void
check_url(const char *url)
{
	CURLU *u = curl_url();
	CURLUcode rc;
	char *scheme = NULL, *host = NULL;

	if (strncasecmp(url, "ws://", 5) && strncasecmp(url, "wss://", 6)) {
		const char *colon = strstr(url, "://");

		curl_url_cleanup(u);
		if (colon)
			usage_error("invalid URL '%s': scheme '%.*s' is not "
			    "supported (use ws:// or wss://)", url,
			    (int)(colon - url), url);
		usage_error("invalid URL '%s': it must start with ws:// or "
		    "wss://", url);
	}
	rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK) {
		curl_url_cleanup(u);
		usage_error("invalid URL '%s': %s", url, curl_url_strerror(rc));
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
		curl_url_cleanup(u);
		usage_error("invalid URL '%s': no host", url);
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
}

static void
print_version(void)
{
	curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	printf("wscli %s\n", WSCLI_VERSION);
	printf("libcurl %s (%s)\n", v->version,
	    v->ssl_version ? v->ssl_version : "no TLS");
	printf("OpenSSL %s\n", OpenSSL_version(OPENSSL_VERSION_STRING));
	printf("readline %s\n", rl_library_version);
}

static int color_mode = -1; /* --color: -1 auto, 0 never, 1 always */

static void
parse_options(int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "bH:hjn:o:qs:tVw:", longopts,
		    NULL)) != -1) {
		switch (ch) {
		case 'b':
			opt.binary = 1;
			break;
		case 'H':
			if (!strchr(optarg, ':'))
				usage_error("invalid value for --header: '%s' "
				    "(expected 'Name: value')", optarg);
			opt.headers = curl_slist_append(opt.headers, optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputc('\n', stdout);
			fputs(help_text, stdout);
			exit(0);
		case 'j':
			opt.json = 1;
			break;
		case 'n':
			opt.count = parse_count("--count", optarg);
			break;
		case 'o':
			opt.origin = optarg;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 's':
			if (!*optarg || strpbrk(optarg, " ,\t\r\n"))
				usage_error("invalid value for --subprotocol: "
				    "'%s' (a token without spaces or commas)",
				    optarg);
			if (opt.nprotocols == MAX_PROTOCOLS)
				usage_error("too many --subprotocol options "
				    "(at most %d)", MAX_PROTOCOLS);
			opt.protocols[opt.nprotocols++] = optarg;
			break;
		case 't':
			if (optarg == NULL || !strcmp(optarg, "wall"))
				opt.timestamps = 1;
			else if (!strcmp(optarg, "elapsed"))
				opt.timestamps = 2;
			else
				usage_error("invalid value for --timestamps: "
				    "'%s' (expected wall or elapsed)", optarg);
			break;
		case 'V':
			print_version();
			exit(0);
		case 'w':
			opt.wait = parse_seconds("--wait", optarg);
			break;
		case OPT_CLOSE_TIMEOUT:
			opt.close_timeout = parse_seconds("--close-timeout",
			    optarg);
			break;
		case OPT_CONNECT_TIMEOUT:
			opt.connect_timeout = parse_seconds("--connect-timeout",
			    optarg);
			if (opt.connect_timeout <= 0)
				usage_error("invalid value for "
				    "--connect-timeout: '%s' (must be more "
				    "than 0)", optarg);
			break;
		case OPT_COLOR:
			if (!strcmp(optarg, "auto"))
				color_mode = -1;
			else if (!strcmp(optarg, "always"))
				color_mode = 1;
			else if (!strcmp(optarg, "never"))
				color_mode = 0;
			else
				usage_error("invalid value for --color: '%s' "
				    "(expected auto, always or never)", optarg);
			break;
		case OPT_NO_HISTORY:
			opt.no_history = 1;
			break;
		case OPT_NO_SPLIT:
			opt.no_split = 1;
			break;
		case OPT_SEND:
			if (opt.nsend == MAX_SEND)
				usage_error("too many --send options (at most "
				    "%d)", MAX_SEND);
			opt.send[opt.nsend++] = optarg;
			break;
		default:
			fputs(usage_text, stderr);
			exit(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage_error("no URL given");
	if (argc > 1)
		usage_error("unexpected argument '%s' after the URL", argv[1]);
	opt.url = argv[0];
	check_url(opt.url);
}

/* ------------------------------------------------------------------- main */

int
main(int argc, char **argv)
{
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("wscli: cannot initialise libcurl\n", stderr);
		return EXIT_ERROR;
	}
	parse_options(argc, argv);
	opt.interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	opt.stdout_tty = isatty(STDOUT_FILENO);
	if (color_mode >= 0) {
		opt.color = color_mode;
	} else {
		const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

		opt.color = opt.stdout_tty && !(nc && *nc) &&
		    !(term && !strcmp(term, "dumb"));
	}
	rc = session_run();
	curl_slist_free_all(opt.headers);
	curl_global_cleanup();
	return rc;
}
