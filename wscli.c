/*
 * wscli - command-line WebSocket debugging tool.
 *
 * libcurl opens the connection (DNS, TCP, proxies, TLS) and stops there;
 * wscli speaks WebSocket itself over it: its own HTTP/1.1 upgrade
 * (upgrade.c), its own decoder for every incoming byte (frame.c), the
 * close handshake and the queues (conn.c), permessage-deflate (deflate.c).
 * One poll() loop (loop.c) drives every connection, stdin (scripted lines
 * or the readline REPL), signals and timers.
 *
 * This file: the options, their checks, and the choice of mode.
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
#include <regex.h>
#include <sys/stat.h>

#include "client.h"
#include "craft.h"
#include "deflate.h"
#include "display.h"
#include "frame.h"
#include "probe.h"
#include "listen.h"
#include "relay.h"
#include "server.h"
#include "session.h"
#include "term.h"
#include "wscli.h"

/* ---------------------------------------------------------------- options */

struct options opt = {
	.connect_timeout = 30,
	.close_timeout = 5,
	.max_redirs = 10,
	.compress = 1,
	.reconnect_delay = 1,
};

static const char usage_text[] =
    "usage: wscli [-46bhjkLqtVv] [-H header] [-n count] [-o origin]\n"
    "             [-s protocol] [-u user:password] [-w seconds] [-x proxy]\n"
    "             [--bearer token] [--cacert file] [--capath dir]\n"
    "             [--cert file] [--close-timeout seconds] [--color when]\n"
    "             [--connect-timeout seconds] [--deflate[=params]]\n"
    "             [--frame spec] [--frames] [--jsonl] [--key file]\n"
    "             [--max-message size] [--max-redirs num] [--no-history]\n"
    "             [--no-split] [--noproxy hosts] [--on-connect file]\n"
    "             [--pass phrase] [--ping-interval seconds]\n"
    "             [--ping-timeout seconds] [--reconnect[=max]]\n"
    "             [--reconnect-delay seconds] [--reconnect-on when]\n"
    "             [--send message] [--timeout seconds]\n"
    "             [--timestamps[=elapsed]] [--unix-socket path]\n"
    "             [--until regex] url\n"
    "       wscli --probe [--probe-cases list] [--probe-idle seconds]\n"
    "             [--probe-max size] [--probe-timeout seconds] [options] url\n"
    "       wscli -l [address:]port [-bhjqt] [-H header] [-n count]\n"
    "             [-s protocol] [--broadcast | --echo]\n"
    "             [--close-timeout seconds] [--color when]\n"
    "             [--connect-timeout seconds] [--deflate] [--frames]\n"
    "             [--jsonl] [--max-message size] [--no-history]\n"
    "             [--no-split] [--once] [--origin-allow list]\n"
    "             [--pass phrase] [--ping-interval seconds]\n"
    "             [--ping-timeout seconds] [--require-protocol]\n"
    "             [--send message] [--timeout seconds]\n"
    "             [--timestamps[=elapsed]] [--tls-cert file]\n"
    "             [--tls-client-ca file] [--tls-key file] [--until regex]\n"
    "       wscli -l [address:]port --forward url [-46hkLqtv] [-H header]\n"
    "             [-n count] [-o origin] [-u user:password] [-x proxy]\n"
    "             [--bearer token] [--cacert file] [--capath dir]\n"
    "             [--cert file] [--close-timeout seconds] [--color when]\n"
    "             [--connect-timeout seconds] [--deflate[=params]]\n"
    "             [--forward-exact] [--frames] [--jsonl] [--key file]\n"
    "             [--max-redirs num] [--no-history] [--noproxy hosts]\n"
    "             [--once] [--origin-allow list] [--pass phrase]\n"
    "             [--rewrite-origin] [--strict] [--timeout seconds]\n"
    "             [--timestamps[=elapsed]] [--tls-cert file]\n"
    "             [--tls-client-ca file] [--tls-key file]\n"
    "             [--unix-socket path] [--until regex]\n";

static const char help_text[] =
    "Connect to a WebSocket server; send stdin lines or typed lines as\n"
    "messages and show what the server sends. With -l, be a server and\n"
    "show what clients send; with -l and --forward, relay clients to a\n"
    "server and show both directions.\n"
    "\n"
    "  -4, --ipv4                resolve names to IPv4 addresses only\n"
    "  -6, --ipv6                resolve names to IPv6 addresses only\n"
    "  -b, --binary              send binary messages instead of text\n"
    "      --bearer TOKEN        send Authorization: Bearer TOKEN\n"
    "      --cacert FILE         CA certificates to verify the server with\n"
    "      --capath DIR          directory of CA certificates\n"
    "      --cert FILE           client certificate (PEM)\n"
    "      --close-timeout SECS  wait this long for the close reply (5)\n"
    "      --color WHEN          colour output: auto, always or never\n"
    "      --connect-timeout SECS\n"
    "                            limit for TCP, TLS and the upgrade (30)\n"
    "      --deflate[=PARAMS]    offer permessage-deflate (RFC 7692)\n"
    "      --frame SPEC          send a crafted frame first (repeatable;\n"
    "                            in order with --send; see wscli(1))\n"
    "      --frames              show every frame (stderr, or the REPL)\n"
    "  -H, --header 'NAME: VALUE'\n"
    "                            add a request header (repeatable)\n"
    "  -h, --help                show this help\n"
    "  -j, --json                pretty-print JSON messages (terminal)\n"
    "      --jsonl               write one JSON object per event to stdout\n"
    "  -k, --insecure            do not verify the server's certificate\n"
    "      --key FILE            private key of the client certificate\n"
    "  -L, --location            follow redirects (3xx)\n"
    "      --max-message SIZE    refuse larger messages with close 1009\n"
    "      --max-redirs N        at most N redirects with -L (10)\n"
    "  -n, --count N             close after receiving N messages\n"
    "      --no-history          do not read or save the REPL history\n"
    "      --no-split            send all of stdin as one message\n"
    "      --noproxy HOSTS       comma-separated hosts not to proxy\n"
    "  -o, --origin ORIGIN       send an Origin header\n"
    "      --on-connect FILE     send each line of FILE on every connect\n"
    "      --pass PHRASE         passphrase of the private key\n"
    "      --ping-interval SECS  send a ping every SECS, report the RTT\n"
    "      --ping-timeout SECS   end (exit 7) if a pong takes longer\n"
    "  -q, --quiet               print only errors on stderr\n"
    "      --reconnect[=MAX]     connect again when the connection is lost\n"
    "                            (at most MAX attempts in a row)\n"
    "      --reconnect-delay SECS\n"
    "                            first wait before reconnecting (1), doubled\n"
    "                            up to 30 s, with jitter\n"
    "      --reconnect-on WHEN   error (lost, or closed with an error code)\n"
    "                            or any (every end wscli did not start)\n"
    "  -s, --subprotocol NAME    offer a subprotocol (repeatable)\n"
    "      --send MESSAGE        send MESSAGE first (repeatable)\n"
    "      --timeout SECS        end (exit 7) after SECS in all\n"
    "  -t, --timestamps[=elapsed]\n"
    "                            show wall-clock (or elapsed) times\n"
    "  -u, --user USER:PASSWORD  HTTP Basic authentication\n"
    "      --unix-socket PATH    connect through a unix domain socket\n"
    "      --until REGEX         end (exit 0) when a text message matches\n"
    "  -V, --version             show versions of wscli and its libraries\n"
    "  -v, --verbose             show the handshake, TLS and timings\n"
    "  -w, --wait SECS           after end of input, wait before closing\n"
    "  -x, --proxy URL           HTTP or SOCKS proxy (http://, socks5h://)\n";

static const char help_tail[] =
    "\n"
    "URL is ws://host[:port]/path or wss://host[:port]/path.\n"
    "Exit status: 0 clean close, 1 error, 2 usage, 3 could not connect,\n"
    "4 upgrade refused, 5 protocol violation, 6 connection lost, 7 timeout,\n"
    "8 closed with an error code, 9 --until never matched. With --probe:\n"
    "0 no case FAILED, 1 some did. See wscli(1).\n";

enum {
	OPT_CLOSE_TIMEOUT = 256,
	OPT_BEARER,
	OPT_CACERT,
	OPT_CAPATH,
	OPT_CERT,
	OPT_COLOR,
	OPT_JSONL,
	OPT_KEY,
	OPT_MAX_MESSAGE,
	OPT_MAX_REDIRS,
	OPT_NO_HISTORY,
	OPT_NOPROXY,
	OPT_PASS,
	OPT_PING_INTERVAL,
	OPT_PING_TIMEOUT,
	OPT_TIMEOUT,
	OPT_UNIX_SOCKET,
	OPT_UNTIL,
	OPT_CONNECT_TIMEOUT,
	OPT_NO_SPLIT,
	OPT_SEND,
	OPT_DEFLATE,
	OPT_FRAMES,
	OPT_FRAME,
	OPT_RECONNECT,
	OPT_RECONNECT_ON,
	OPT_RECONNECT_DELAY,
	OPT_ON_CONNECT,
};

static const struct option longopts[] = {
	{ "bearer", required_argument, NULL, OPT_BEARER },
	{ "binary", no_argument, NULL, 'b' },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "capath", required_argument, NULL, OPT_CAPATH },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "close-timeout", required_argument, NULL, OPT_CLOSE_TIMEOUT },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "count", required_argument, NULL, 'n' },
	{ "deflate", optional_argument, NULL, OPT_DEFLATE },
	{ "frame", required_argument, NULL, OPT_FRAME },
	{ "frames", no_argument, NULL, OPT_FRAMES },
	{ "header", required_argument, NULL, 'H' },
	{ "help", no_argument, NULL, 'h' },
	{ "insecure", no_argument, NULL, 'k' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "json", no_argument, NULL, 'j' },
	{ "jsonl", no_argument, NULL, OPT_JSONL },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "location", no_argument, NULL, 'L' },
	{ "max-message", required_argument, NULL, OPT_MAX_MESSAGE },
	{ "max-redirs", required_argument, NULL, OPT_MAX_REDIRS },
	{ "no-history", no_argument, NULL, OPT_NO_HISTORY },
	{ "no-split", no_argument, NULL, OPT_NO_SPLIT },
	{ "noproxy", required_argument, NULL, OPT_NOPROXY },
	{ "on-connect", required_argument, NULL, OPT_ON_CONNECT },
	{ "origin", required_argument, NULL, 'o' },
	{ "pass", required_argument, NULL, OPT_PASS },
	{ "ping-interval", required_argument, NULL, OPT_PING_INTERVAL },
	{ "ping-timeout", required_argument, NULL, OPT_PING_TIMEOUT },
	{ "proxy", required_argument, NULL, 'x' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "reconnect", optional_argument, NULL, OPT_RECONNECT },
	{ "reconnect-delay", required_argument, NULL, OPT_RECONNECT_DELAY },
	{ "reconnect-on", required_argument, NULL, OPT_RECONNECT_ON },
	{ "send", required_argument, NULL, OPT_SEND },
	{ "subprotocol", required_argument, NULL, 's' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "timestamps", optional_argument, NULL, 't' },
	{ "unix-socket", required_argument, NULL, OPT_UNIX_SOCKET },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "user", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "wait", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 },
};

/* ------------------------------------------------------------ checks */

void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("wscli: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs("wscli: see 'wscli --help' or wscli(1)\n", stderr);
	exit(EXIT_USAGE);
}

double
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

double
parse_positive(const char *name, const char *s)
{
	double v = parse_seconds(name, s);

	if (v <= 0)
		usage_error("invalid value for %s: '%s' (must be more than 0)",
		    name, s);
	return v;
}

/* -H 'Name: value': a token before the colon, no line breaks. A header
 * wscli must know to check the answer is refused with the option to use. */
static void
check_header(const char *h)
{
	const char *colon = strchr(h, ':');
	static const struct {
		const char *name, *use;
	} guarded[] = {
		{ "Sec-WebSocket-Protocol", "-s NAME (repeatable), so the "
		    "server's choice can be checked" },
		{ "Sec-WebSocket-Extensions", "--deflate[=PARAMS], the one "
		    "extension wscli can decode" },
	};

	if (colon == NULL || colon == h || strpbrk(h, "\r\n") ||
	    strcspn(h, " \t") < (size_t)(colon - h))
		usage_error("invalid value for --header: '%s' (expected "
		    "'Name: value', the name without spaces)", h);
	for (size_t i = 0; i < sizeof guarded / sizeof guarded[0]; i++)
		if ((size_t)(colon - h) == strlen(guarded[i].name) &&
		    !strncasecmp(h, guarded[i].name, strlen(guarded[i].name)))
			usage_error("-H '%s': use %s", h, guarded[i].use);
}

const char *
readable_file(const char *name, const char *path)
{
	struct stat sb;

	if (access(path, R_OK) != 0 || stat(path, &sb) != 0)
		usage_error("cannot read %s file '%s': %s", name, path,
		    strerror(errno));
	if (!S_ISREG(sb.st_mode))
		usage_error("%s '%s' is not a regular file", name, path);
	return path;
}

static const char *
readable_dir(const char *name, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		usage_error("cannot read %s directory '%s': %s", name, path,
		    strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		usage_error("%s '%s' is not a directory", name, path);
	return path;
}

static void
check_regex(const char *re)
{
	regex_t rx;
	int rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB);

	if (rc != 0) {
		char buf[256];

		regerror(rc, &rx, buf, sizeof buf);
		usage_error("invalid value for --until: '%s': %s", re, buf);
	}
	regfree(&rx);
}

/* A byte count with an optional K, M or G (powers of 1024); 0 = no limit. */
uint64_t
parse_size(const char *name, const char *s)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end != s && *end && !end[1]) {
		shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' ||
		    *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : -1;
		if (shift > 0)
			end++;
	}
	if (errno || end == s || *end || *s == '-' || shift < 0 ||
	    v > (1ULL << (62 - shift)))
		usage_error("invalid value for %s: '%s' (expected a size in "
		    "bytes, optionally with K, M or G, e.g. 64M; 0 for no "
		    "limit)", name, s);
	return (uint64_t)v << shift;
}

long
parse_count(const char *name, const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min)
		usage_error("invalid value for %s: '%s' (expected a whole number "
		    "from %ld to %ld)", name, s, min, LONG_MAX);
	return v;
}

/* ws:// or wss:// with a host; everything else is a usage error. */
void
check_url(const char *url)
{
	CURLU *u = curl_url();
	CURLUcode rc;
	char *scheme = NULL, *host = NULL, shown[1024];

	url_redacted(url, shown, sizeof shown); /* a password stays hidden */

	if (strncasecmp(url, "ws://", 5) && strncasecmp(url, "wss://", 6)) {
		const char *colon = strstr(url, "://");

		curl_url_cleanup(u);
		if (colon)
			usage_error("invalid URL '%s': scheme '%.*s' is not "
			    "supported (use ws:// or wss://)", shown,
			    (int)(colon - url), url);
		usage_error("invalid URL '%s': it must start with ws:// or "
		    "wss://", shown);
	}
	rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK) {
		curl_url_cleanup(u);
		usage_error("invalid URL '%s': %s", shown,
		    curl_url_strerror(rc));
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
		curl_url_cleanup(u);
		usage_error("invalid URL '%s': no host", shown);
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
static int max_message_set;  /* --max-message given */
static int reconnect_set;    /* --reconnect-on or --reconnect-delay given */

/*
 * The modes other than the client keep their options with them; they are
 * listed here, and their tables joined to the common one.
 */
static const struct mode_opts *const modes[] = {
	&probe_mode,
	&listen_mode_opts,
	&relay_mode_opts,
	NULL,
};

static struct option *all_longopts;
static char all_shortopts[128];

static void
join_options(void)
{
	size_t n = sizeof longopts / sizeof longopts[0], k = 0;

	snprintf(all_shortopts, sizeof all_shortopts, "%s",
	    "46bH:hjkLn:o:qs:t::u:Vvw:x:");
	for (size_t m = 0; modes[m]; m++) {
		for (const struct option *o = modes[m]->longopts; o->name; o++)
			n++;
		strncat(all_shortopts, modes[m]->shortopts,
		    sizeof all_shortopts - strlen(all_shortopts) - 1);
	}
	all_longopts = xrealloc(NULL, n * sizeof *all_longopts);
	for (const struct option *o = longopts; o->name; o++)
		all_longopts[k++] = *o;
	for (size_t m = 0; modes[m]; m++)
		for (const struct option *o = modes[m]->longopts; o->name; o++)
			all_longopts[k++] = *o;
	memset(&all_longopts[k], 0, sizeof all_longopts[k]);
}

/* A mode's option: 1 if a mode took it. */
static int
mode_option(int ch, const char *arg)
{
	for (size_t m = 0; modes[m]; m++)
		if (modes[m]->option(ch, arg))
			return 1;
	return 0;
}

static void
print_help(void)
{
	fputs(usage_text, stdout);
	fputc('\n', stdout);
	fputs(help_text, stdout);
	for (size_t m = 0; modes[m]; m++)
		if (modes[m]->help)
			fputs(modes[m]->help, stdout);
	fputs(help_tail, stdout);
}

static void
parse_options(int argc, char **argv)
{
	int ch;

	join_options();
	while ((ch = getopt_long(argc, argv, all_shortopts, all_longopts,
		    NULL)) != -1) {
		if (mode_option(ch, optarg))
			continue;
		switch (ch) {
		case '4':
			opt.ipresolve = CURL_IPRESOLVE_V4;
			break;
		case '6':
			opt.ipresolve = CURL_IPRESOLVE_V6;
			break;
		case 'b':
			opt.binary = 1;
			break;
		case 'H':
			check_header(optarg);
			opt.headers = curl_slist_append(opt.headers, optarg);
			break;
		case 'h':
			print_help();
			exit(0);
		case 'j':
			opt.json = 1;
			break;
		case 'k':
			opt.insecure = 1;
			break;
		case 'L':
			opt.location = 1;
			break;
		case 'n':
			opt.count = parse_count("--count", optarg, 1);
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
			/* -t=elapsed and -telapsed as well as --timestamps= */
			if (optarg && *optarg == '=')
				optarg++;
			if (optarg == NULL || !strcmp(optarg, "wall"))
				opt.timestamps = 1;
			else if (!strcmp(optarg, "elapsed"))
				opt.timestamps = 2;
			else
				usage_error("invalid value for --timestamps: "
				    "'%s' (expected wall or elapsed)", optarg);
			break;
		case 'u':
			if (!strchr(optarg, ':'))
				usage_error("invalid value for --user: '%s' "
				    "(expected user:password)", optarg);
			opt.user = optarg;
			break;
		case 'V':
			print_version();
			exit(0);
		case 'v':
			opt.verbose = 1;
			break;
		case 'x':
			opt.proxy = optarg;
			break;
		case OPT_BEARER:
			opt.bearer = optarg;
			break;
		case OPT_CACERT:
			opt.cacert = readable_file("--cacert", optarg);
			break;
		case OPT_CAPATH:
			opt.capath = readable_dir("--capath", optarg);
			break;
		case OPT_CERT:
			opt.cert = readable_file("--cert", optarg);
			break;
		case OPT_JSONL:
			opt.jsonl = 1;
			break;
		case OPT_KEY:
			opt.key = readable_file("--key", optarg);
			break;
		case OPT_MAX_MESSAGE:
			opt.max_message = parse_size("--max-message", optarg);
			max_message_set = 1;
			break;
		case OPT_MAX_REDIRS:
			opt.max_redirs = parse_count("--max-redirs", optarg,
			    0);
			break;
		case OPT_NOPROXY:
			opt.noproxy = optarg;
			break;
		case OPT_PASS:
			opt.pass = optarg;
			break;
		case OPT_PING_INTERVAL:
			opt.ping_interval = parse_positive("--ping-interval",
			    optarg);
			break;
		case OPT_PING_TIMEOUT:
			opt.ping_timeout = parse_positive("--ping-timeout",
			    optarg);
			break;
		case OPT_TIMEOUT:
			opt.timeout = parse_positive("--timeout", optarg);
			break;
		case OPT_UNIX_SOCKET:
			opt.unix_socket = optarg;
			break;
		case OPT_UNTIL:
			check_regex(optarg);
			opt.until = optarg;
			break;
		case 'w':
			opt.wait = parse_seconds("--wait", optarg);
			break;
		case OPT_CLOSE_TIMEOUT:
			opt.close_timeout = parse_positive("--close-timeout",
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
		case OPT_FRAME: {
			size_t n = strlen(optarg);
			uint8_t *buf = xrealloc(NULL, n + 1);
			struct craft_frame f;
			char why[512];

			if (craft_parse(optarg, WS_ROLE_CLIENT, buf, n + 1, &f,
			    why, sizeof why) != 0)
				usage_error("invalid value for --frame: '%s': %s",
				    optarg, why);
			free(buf);
			if (opt.nsend == MAX_SEND)
				usage_error("too many --send and --frame options "
				    "(at most %d)", MAX_SEND);
			opt.send_frame[opt.nsend] = 1;
			opt.send[opt.nsend++] = optarg;
			break;
		}
		case OPT_DEFLATE: {
			char why[256];
			const char *params = optarg ? optarg : PMD_DEFAULT_OFFER;

			if (pmd_parse_params(params, strlen(params), 1,
			    &opt.deflate_offer, why, sizeof why) != 0)
				usage_error("invalid value for --deflate: '%s': "
				    "%s", params, why);
			opt.deflate = 1;
			break;
		}
		case OPT_FRAMES:
			opt.frames = 1;
			break;
		case OPT_RECONNECT:
			opt.reconnect = optarg ? parse_count("--reconnect",
			    optarg, 1) : -1;
			break;
		case OPT_RECONNECT_ON:
			if (!strcmp(optarg, "error"))
				opt.reconnect_any = 0;
			else if (!strcmp(optarg, "any"))
				opt.reconnect_any = 1;
			else
				usage_error("invalid value for --reconnect-on: "
				    "'%s' (expected error or any)", optarg);
			reconnect_set = 1;
			break;
		case OPT_RECONNECT_DELAY:
			opt.reconnect_delay = parse_positive("--reconnect-delay",
			    optarg);
			reconnect_set = 1;
			break;
		case OPT_ON_CONNECT:
			opt.on_connect = readable_file("--on-connect", optarg);
			break;
		default:
			/* getopt has said what was wrong */
			fputs("wscli: see 'wscli --help' or wscli(1)\n", stderr);
			exit(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if ((opt.key || (opt.pass && opt.mode == MODE_CLIENT)) && !opt.cert)
		usage_error("--key and --pass go with --cert");
	if (opt.ping_timeout > 0 && opt.ping_interval <= 0)
		usage_error("--ping-timeout needs --ping-interval");
	if (opt.unix_socket && opt.proxy)
		usage_error("cannot use --unix-socket and --proxy together");
	if (reconnect_set && !opt.reconnect)
		usage_error("--reconnect-on and --reconnect-delay go with "
		    "--reconnect");
	if (opt.user && opt.bearer)
		usage_error("cannot use -u and --bearer together: both are "
		    "the Authorization header");
	for (size_t m = 0; modes[m]; m++)
		if (modes[m]->check)
			modes[m]->check(argc, argv);
	if (opt.mode == MODE_CLIENT) {
		if (argc == 0)
			usage_error("no URL given");
		if (argc > 1)
			usage_error("unexpected argument '%s' after the URL",
			    argv[1]);
		opt.url = argv[0];
	}
	if (opt.timeout > 0 && opt.timeout < opt.connect_timeout)
		opt.connect_timeout = opt.timeout;
	if (opt.url)
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
	term_set_quiet(opt.quiet);
	if (color_mode >= 0) {
		opt.color = color_mode;
	} else {
		const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

		opt.color = opt.stdout_tty && !(nc && *nc) &&
		    !(term && !strcmp(term, "dumb"));
	}
	/* the REPL keeps no whole message, but showing a 2 GiB one is
	 * rarely what a person wants */
	if (!max_message_set && (opt.interactive ||
	    opt.mode == MODE_LISTEN)) {
		opt.max_message = 16 << 20;
		opt.max_message_default = 1;
	}
	switch (opt.mode) {
	case MODE_PROBE:
		rc = probe_run();
		break;
	case MODE_LISTEN:
		rc = listen_run();
		break;
	case MODE_RELAY:
		rc = relay_run();
		break;
	default:
		rc = session_run();
		break;
	}
	curl_slist_free_all(opt.headers);
	free(all_longopts);
	curl_global_cleanup();
	return rc;
}
