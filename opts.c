/*
 * opts.c - the command line; see opts.h.
 *
 * One table names every option with its type and the modes it applies
 * to. Parsing stores each value through its type's parser and notes that
 * the option was given; the modes record nothing themselves. Once argv is
 * read, the mode is decided from one flat list of rules (as OpenBSD nc
 * does after getopt), every given option is checked against it, and then
 * the conflicts that are that mode's own.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <regex.h>
#include <sys/stat.h>

#include "dial.h"
#include "craft.h"
#include "deflate.h"
#include "opts.h"
#include "probecases.h"
#include "json.h"
#include "proto.h"
#include "term.h"

struct options opt;
struct srv_opts srv_opt;
struct relay_opts relay_opt;
struct probe_opts probe_opt;
struct proto_opts proto_opt;
struct test_opts test_opt;
struct load_opts load_opt;

static const struct options opt_defaults = {
	.connect_timeout = 30,
	.close_timeout = 5,
	.max_redirs = 10,
	.compress = 1,
	.reconnect_delay = 1,
	.replay_speed = 1,
};
static const struct probe_opts probe_defaults = {
	.max = 64 << 20,
	.timeout = 2.0,
};

/* ---------------------------------------------------------- the table */

#define C (1u << MODE_CLIENT)
#define P (1u << MODE_PROBE)
#define L (1u << MODE_LISTEN)
#define R (1u << MODE_RELAY)
#define T (1u << MODE_TEST)
#define LD (1u << MODE_LOAD)
#define MG (1u << MODE_MERGE)
#define ALL (C | P | L | R | LD)
#define NET (C | P | R | T | LD) /* connecting to a server */

enum otype {
	T_FLAG,      /* int, set to 1 */
	T_SECONDS,   /* double, 0 to a year */
	T_POSITIVE,  /* double, more than 0 */
	T_RATE,      /* double, a number per second, more than 0 */
	T_SIZE,      /* uint64_t, K/M/G, within lo..hi */
	T_COUNT,     /* long, within lo..hi */
	T_FILE,      /* a readable regular file */
	T_DIR,       /* a directory */
	T_URL,       /* ws:// or wss:// with a host */
	T_STRING,    /* kept as given */
	T_OTHER,     /* parsed by its own case in other_option() */
};

enum {
	OPT_ACK = 256,
	OPT_AUTH,
	OPT_BEARER,
	OPT_BROADCAST,
	OPT_CACERT,
	OPT_CAPATH,
	OPT_CERT,
	OPT_CLIENT_ID,
	OPT_CLOSE_TIMEOUT,
	OPT_COLOR,
	OPT_CONNECT_TIMEOUT,
	OPT_CONNECTIONS,
	OPT_DEFLATE,
	OPT_DESTINATION,
	OPT_DURATION,
	OPT_ECHO,
	OPT_ESCAPE,
	OPT_FORWARD,
	OPT_FORWARD_EXACT,
	OPT_FRAME,
	OPT_FRAMES,
	OPT_JOBS,
	OPT_JSONL,
	OPT_INIT,
	OPT_KEEPALIVE,
	OPT_KEY,
	OPT_LOAD,
	OPT_LOAD_MERGE,
	OPT_LOAD_REPORT,
	OPT_LOGIN,
	OPT_MAX_MESSAGE,
	OPT_MAX_REDIRS,
	OPT_MQTT_VERSION,
	OPT_MSG_RATE,
	OPT_NAMESPACE,
	OPT_NO_HISTORY,
	OPT_NO_SPLIT,
	OPT_NOPROXY,
	OPT_ON_CONNECT,
	OPT_ONCE,
	OPT_ORIGIN_ALLOW,
	OPT_PASS,
	OPT_PING_INTERVAL,
	OPT_PING_TIMEOUT,
	OPT_PROBE,
	OPT_PROBE_CASES,
	OPT_PROBE_CLIENTS,
	OPT_PROBE_IDLE,
	OPT_PROBE_MAX,
	OPT_PROBE_REPORT,
	OPT_PROBE_TIMEOUT,
	OPT_PROTO,
	OPT_QOS,
	OPT_RATE,
	OPT_RECONNECT,
	OPT_RECONNECT_DELAY,
	OPT_RECONNECT_ON,
	OPT_RECORD,
	OPT_REPLAY,
	OPT_REPLAY_SPEED,
	OPT_REPORT,
	OPT_REQUIRE_PROTOCOL,
	OPT_REWRITE_ORIGIN,
	OPT_SEND,
	OPT_STRICT,
	OPT_SUBSCRIBE,
	OPT_TEST,
	OPT_TIMEOUT,
	OPT_TLS_CERT,
	OPT_TLS_CLIENT_CA,
	OPT_TLS_KEY,
	OPT_TOPIC,
	OPT_UNIX_SOCKET,
	OPT_UNTIL,
	OPT_VAR,
};

struct optdef {
	const char *name;     /* long name; NULL: short only */
	int val;              /* short letter or OPT_ */
	int has_arg;          /* getopt's */
	enum otype type;
	unsigned modes;       /* where it means something */
	void *dst;            /* where the value goes (not T_OTHER) */
	long long lo, hi;     /* T_SIZE and T_COUNT bounds */
};

static const struct optdef table[] = {
	{ "ipv4", '4', no_argument, T_OTHER, NET, NULL, 0, 0 },
	{ "ipv6", '6', no_argument, T_OTHER, NET, NULL, 0, 0 },
	{ "ack", OPT_ACK, no_argument, T_FLAG, C | T, &proto_opt.ack, 0, 0 },
	{ "auth", OPT_AUTH, required_argument, T_OTHER, C | T, NULL, 0, 0 },
	{ "binary", 'b', no_argument, T_FLAG, C | L | LD, &opt.binary,
	    0, 0 },
	{ "bearer", OPT_BEARER, required_argument, T_STRING, NET,
	    &opt.bearer, 0, 0 },
	{ "broadcast", OPT_BROADCAST, no_argument, T_FLAG, L,
	    &srv_opt.broadcast, 0, 0 },
	{ "cacert", OPT_CACERT, required_argument, T_FILE, NET, &opt.cacert,
	    0, 0 },
	{ "capath", OPT_CAPATH, required_argument, T_DIR, NET, &opt.capath,
	    0, 0 },
	{ "cert", OPT_CERT, required_argument, T_FILE, NET, &opt.cert, 0, 0 },
	{ "client-id", OPT_CLIENT_ID, required_argument, T_OTHER, C | T, NULL,
	    0, 0 },
	{ "close-timeout", OPT_CLOSE_TIMEOUT, required_argument, T_POSITIVE,
	    C | L | R | T | LD, &opt.close_timeout, 0, 0 },
	{ "color", OPT_COLOR, required_argument, T_OTHER, ALL, NULL, 0, 0 },
	{ "connect-timeout", OPT_CONNECT_TIMEOUT, required_argument,
	    T_POSITIVE, ALL | T, &opt.connect_timeout, 0, 0 },
	{ "connections", OPT_CONNECTIONS, required_argument, T_COUNT, LD,
	    &load_opt.connections, 1, 1000000 },
	{ "count", 'n', required_argument, T_COUNT, C | L | R | LD, &opt.count,
	    1, LONG_MAX },
	{ "deflate", OPT_DEFLATE, optional_argument, T_OTHER, ALL | T, NULL,
	    0, 0 },
	{ "destination", OPT_DESTINATION, required_argument, T_OTHER, C | T,
	    NULL, 0, 0 },
	{ "duration", OPT_DURATION, required_argument, T_POSITIVE, LD,
	    &load_opt.duration, 0, 0 },
	{ "echo", OPT_ECHO, no_argument, T_FLAG, L, &srv_opt.echo, 0, 0 },
	{ "escape", OPT_ESCAPE, no_argument, T_FLAG, C | L, &opt.escape, 0,
	    0 },
	{ "forward", OPT_FORWARD, required_argument, T_URL, R,
	    &relay_opt.forward, 0, 0 },
	{ "forward-exact", OPT_FORWARD_EXACT, no_argument, T_FLAG, R,
	    &relay_opt.exact, 0, 0 },
	{ "frame", OPT_FRAME, required_argument, T_OTHER, C | L, NULL, 0,
	    0 },
	{ "frames", OPT_FRAMES, no_argument, T_FLAG, C | L | R, &opt.frames,
	    0, 0 },
	{ "header", 'H', required_argument, T_OTHER, ALL | T, NULL, 0, 0 },
	{ "help", 'h', no_argument, T_OTHER, ALL, NULL, 0, 0 },
	{ "init", OPT_INIT, required_argument, T_OTHER, C | T, NULL, 0, 0 },
	{ "insecure", 'k', no_argument, T_FLAG, NET, &opt.insecure, 0, 0 },
	{ "jobs", OPT_JOBS, required_argument, T_COUNT, T, &test_opt.jobs, 1,
	    256 },
	{ "json", 'j', no_argument, T_FLAG, C | L, &opt.json, 0, 0 },
	{ "jsonl", OPT_JSONL, no_argument, T_FLAG, C | P | L | R, &opt.jsonl,
	    0, 0 },
	{ "keepalive", OPT_KEEPALIVE, required_argument, T_SECONDS, C | T,
	    &proto_opt.keepalive, 0, 0 },
	{ "key", OPT_KEY, required_argument, T_FILE, NET, &opt.key, 0, 0 },
	{ "load", OPT_LOAD, no_argument, T_OTHER, LD, NULL, 0, 0 },
	{ "load-merge", OPT_LOAD_MERGE, no_argument, T_OTHER, MG, NULL, 0,
	    0 },
	{ "load-report", OPT_LOAD_REPORT, required_argument, T_STRING,
	    LD | MG, &load_opt.report, 0, 0 },
	{ "listen", 'l', required_argument, T_OTHER, L | R, NULL, 0, 0 },
	{ "location", 'L', no_argument, T_FLAG, NET, &opt.location, 0, 0 },
	{ "login", OPT_LOGIN, required_argument, T_STRING, C | T,
	    &proto_opt.login,
	    0, 0 },
	{ "max-message", OPT_MAX_MESSAGE, required_argument, T_SIZE,
	    C | L | T | LD, &opt.max_message, 0, 1LL << 62 },
	{ "max-redirs", OPT_MAX_REDIRS, required_argument, T_COUNT, NET,
	    &opt.max_redirs, 0, LONG_MAX },
	{ "mqtt-version", OPT_MQTT_VERSION, required_argument, T_OTHER, C | T,
	    NULL, 0, 0 },
	{ "msg-rate", OPT_MSG_RATE, required_argument, T_OTHER, LD, NULL, 0,
	    0 },
	{ "namespace", OPT_NAMESPACE, required_argument, T_OTHER, C | T, NULL, 0,
	    0 },
	{ "no-history", OPT_NO_HISTORY, no_argument, T_FLAG, C | L | R,
	    &opt.no_history, 0, 0 },
	{ "no-split", OPT_NO_SPLIT, no_argument, T_FLAG, C | L,
	    &opt.no_split, 0, 0 },
	{ "null", '0', no_argument, T_FLAG, C | L, &opt.null_sep, 0, 0 },
	{ "noproxy", OPT_NOPROXY, required_argument, T_STRING, NET,
	    &opt.noproxy, 0, 0 },
	{ "on-connect", OPT_ON_CONNECT, required_argument, T_FILE, C | L,
	    &opt.on_connect, 0, 0 },
	{ "once", OPT_ONCE, no_argument, T_FLAG, L | R, &srv_opt.once, 0, 0 },
	{ "origin", 'o', required_argument, T_STRING, NET, &opt.origin, 0,
	    0 },
	{ "origin-allow", OPT_ORIGIN_ALLOW, required_argument, T_OTHER, L | R,
	    NULL, 0, 0 },
	{ "pass", OPT_PASS, required_argument, T_STRING, ALL | T, &opt.pass,
	    0, 0 },
	{ "ping-interval", OPT_PING_INTERVAL, required_argument, T_POSITIVE,
	    C | L | R, &opt.ping_interval, 0, 0 },
	{ "ping-timeout", OPT_PING_TIMEOUT, required_argument, T_POSITIVE,
	    C | L | R, &opt.ping_timeout, 0, 0 },
	{ "probe", OPT_PROBE, no_argument, T_OTHER, P, NULL, 0, 0 },
	{ "probe-cases", OPT_PROBE_CASES, required_argument, T_OTHER, P,
	    NULL, 0, 0 },
	{ "probe-clients", OPT_PROBE_CLIENTS, no_argument, T_FLAG, L,
	    &probe_opt.clients, 0, 0 },
	{ "probe-idle", OPT_PROBE_IDLE, required_argument, T_POSITIVE, P,
	    &probe_opt.idle, 0, 0 },
	{ "probe-max", OPT_PROBE_MAX, required_argument, T_SIZE, P,
	    &probe_opt.max, 4096, 1LL << 32 },
	{ "probe-report", OPT_PROBE_REPORT, required_argument, T_OTHER, P | L,
	    NULL, 0, 0 },
	{ "probe-timeout", OPT_PROBE_TIMEOUT, required_argument, T_POSITIVE,
	    P | L, &probe_opt.timeout, 0, 0 },
	{ "proto", OPT_PROTO, required_argument, T_OTHER, C | L | R | T, NULL, 0,
	    0 },
	{ "proxy", 'x', required_argument, T_STRING, NET, &opt.proxy, 0, 0 },
	{ "qos", OPT_QOS, required_argument, T_COUNT, C | T, &proto_opt.qos, 0,
	    1 },
	{ "quiet", 'q', no_argument, T_FLAG, ALL | T | MG, &opt.quiet, 0, 0 },
	{ "rate", OPT_RATE, required_argument, T_RATE, LD, &load_opt.rate, 0,
	    0 },
	{ "reconnect", OPT_RECONNECT, optional_argument, T_OTHER, C, NULL, 0,
	    0 },
	{ "reconnect-delay", OPT_RECONNECT_DELAY, required_argument,
	    T_POSITIVE, C, &opt.reconnect_delay, 0, 0 },
	{ "reconnect-on", OPT_RECONNECT_ON, required_argument, T_OTHER, C,
	    NULL, 0, 0 },
	{ "record", OPT_RECORD, required_argument, T_STRING, C | L | R,
	    &opt.record, 0, 0 },
	{ "replay", OPT_REPLAY, required_argument, T_FILE, C, &opt.replay, 0,
	    0 },
	{ "replay-speed", OPT_REPLAY_SPEED, required_argument, T_OTHER, C,
	    NULL, 0, 0 },
	{ "report", OPT_REPORT, required_argument, T_OTHER, T, NULL, 0, 0 },
	{ "require-protocol", OPT_REQUIRE_PROTOCOL, no_argument, T_FLAG, L,
	    &srv_opt.require_protocol, 0, 0 },
	{ "rewrite-origin", OPT_REWRITE_ORIGIN, no_argument, T_FLAG, R,
	    &relay_opt.rewrite_origin, 0, 0 },
	{ "send", OPT_SEND, required_argument, T_OTHER, C | L | LD, NULL, 0,
	    0 },
	{ "strict", OPT_STRICT, no_argument, T_FLAG, R, &relay_opt.strict, 0,
	    0 },
	{ "subprotocol", 's', required_argument, T_OTHER, C | P | L | T | LD,
	    NULL, 0, 0 },
	{ "subscribe", OPT_SUBSCRIBE, required_argument, T_OTHER, C | T, NULL,
	    0, 0 },
	{ "test", OPT_TEST, no_argument, T_OTHER, T, NULL, 0, 0 },
	{ "timeout", OPT_TIMEOUT, required_argument, T_POSITIVE, ALL | T,
	    &opt.timeout, 0, 0 },
	{ "timestamps", 't', optional_argument, T_OTHER, ALL, NULL, 0, 0 },
	{ "tls-cert", OPT_TLS_CERT, required_argument, T_FILE, L | R,
	    &srv_opt.tls_cert, 0, 0 },
	{ "tls-client-ca", OPT_TLS_CLIENT_CA, required_argument, T_FILE,
	    L | R, &srv_opt.tls_client_ca, 0, 0 },
	{ "tls-key", OPT_TLS_KEY, required_argument, T_FILE, L | R,
	    &srv_opt.tls_key, 0, 0 },
	{ "topic", OPT_TOPIC, required_argument, T_OTHER, C | T, NULL, 0, 0 },
	{ "unix-socket", OPT_UNIX_SOCKET, required_argument, T_STRING, NET,
	    &opt.unix_socket, 0, 0 },
	{ "until", OPT_UNTIL, required_argument, T_OTHER, C | L | R, NULL, 0,
	    0 },
	{ "user", 'u', required_argument, T_OTHER, NET, NULL, 0, 0 },
	{ "var", OPT_VAR, required_argument, T_OTHER, C | T, NULL, 0, 0 },
	{ "verbose", 'v', no_argument, T_FLAG, ALL | T, &opt.verbose, 0, 0 },
	{ "version", 'V', no_argument, T_OTHER, ALL, NULL, 0, 0 },
	{ "wait", 'w', required_argument, T_SECONDS, C, &opt.wait, 0, 0 },
};

#define NOPTS (sizeof table / sizeof table[0])

/* Why an option means nothing in a mode, where that is not plain. */
static const struct {
	int val;
	enum mode mode;
	const char *why;
} refusals[] = {
	{ 's', MODE_RELAY, "the client's subprotocol offers are passed on" },
	{ OPT_MAX_MESSAGE, MODE_RELAY, "a relay passes messages of any size" },
	{ OPT_SEND, MODE_PROBE, "the probe sends its own frames" },
	{ OPT_FRAME, MODE_PROBE, "the probe sends its own frames" },
	{ OPT_FRAME, MODE_RELAY, "a relay passes on what each side sends; "
	    "craft towards one side at a terminal (/to ID client|server, then "
	    "/frame)" },
	{ OPT_ON_CONNECT, MODE_RELAY, "a relay passes on what the client "
	    "sends" },
	{ OPT_RECONNECT, MODE_LISTEN, "a server waits for its clients to "
	    "connect again" },
	{ OPT_JSONL, MODE_LOAD, "its report is a summary; --load-report FILE "
	    "writes it for programs" },
};

/* ------------------------------------------------------- parse state */

static unsigned char given[NOPTS];  /* given[i]: table[i] was given */
static int color_mode;              /* --color: -1 auto, 0 never, 1 always */
static int t_bare;                  /* -t given without a mode */
static int deflate_bare;            /* --deflate without parameters */
static int reconnect_bare;          /* --reconnect without a maximum */

static struct option longopts[NOPTS + 1];
static char shortopts[2 * NOPTS + 8];

static int
usage(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
usage(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return OPTS_USAGE;
}

/* --origin-allow: items separated by commas, blanks around them allowed
 * ("a, b"), none empty and none with a blank or a line break inside. */
static int
origin_list_ok(const char *s)
{
	do {
		size_t k;

		s += strspn(s, " \t");
		k = strcspn(s, ",");
		while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
			k--;
		if (k == 0 || memchr(s, ' ', k) || memchr(s, '\t', k) ||
		    memchr(s, '\r', k) || memchr(s, '\n', k))
			return 0;
		s += strcspn(s, ",");
	} while (*s++ == ',');
	return 1;
}

static size_t
index_of(int val)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (table[i].val == val)
			return i;
	return NOPTS;
}

static int
was_given(int val)
{
	size_t i = index_of(val);

	return i < NOPTS && given[i];
}

/* How errors name an option: its letter if it has one. */
static const char *
shown(const struct optdef *o, char *buf, size_t cap)
{
	if (o->val < 256)
		snprintf(buf, cap, "-%c", o->val);
	else
		snprintf(buf, cap, "--%s", o->name);
	return buf;
}

static void
build_getopt_tables(void)
{
	size_t k = 0, s = 0;

	if (longopts[0].name)
		return;
	/* ':' first: a missing argument is told apart from an unknown
	 * option, and getopt prints nothing */
	shortopts[s++] = ':';
	for (size_t i = 0; i < NOPTS; i++) {
		const struct optdef *o = &table[i];

		longopts[k].name = o->name;
		longopts[k].has_arg = o->has_arg;
		longopts[k].flag = NULL;
		longopts[k].val = o->val;
		k++;
		if (o->val < 256) {
			shortopts[s++] = (char)o->val;
			if (o->has_arg != no_argument)
				shortopts[s++] = ':';
			if (o->has_arg == optional_argument)
				shortopts[s++] = ':';
		}
	}
	shortopts[s] = '\0';
}

static void
reset(void)
{
	curl_slist_free_all(opt.headers);
	opt = opt_defaults;
	memset(&srv_opt, 0, sizeof srv_opt);
	memset(&relay_opt, 0, sizeof relay_opt);
	memset(&proto_opt, 0, sizeof proto_opt);
	proto_opt.keepalive = -1;
	probe_opt = probe_defaults;
	memset(&test_opt, 0, sizeof test_opt);
	test_opt.jobs = 1;
	memset(&load_opt, 0, sizeof load_opt);
	load_opt.connections = 1;
	memset(given, 0, sizeof given);
	color_mode = -1;
	t_bare = deflate_bare = reconnect_bare = 0;
}

/* --------------------------------------------------------- the parsers */

double
opts_seconds(const char *s, int positive, const char **errstr)
{
	char *end;
	double v;

	*errstr = NULL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 ||
	    v > 86400 * 365 || isspace((unsigned char)*s)) {
		*errstr = "expected a number of seconds, e.g. 2.5";
		return 0;
	}
	if (positive && v <= 0) {
		*errstr = "must be more than 0";
		return 0;
	}
	return v;
}

uint64_t
opts_size(const char *s, uint64_t min, uint64_t max, const char **errstr)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	*errstr = NULL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (end != s && *end && !end[1]) {
		shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' ||
		    *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : -1;
		if (shift > 0)
			end++;
	}
	if (errno || end == s || *end || !isdigit((unsigned char)*s) ||
	    shift < 0 || v > (1ULL << (62 - shift))) {
		*errstr = "expected a size in bytes, optionally with K, M or "
		    "G, e.g. 64M; 0 for no limit";
		return 0;
	}
	v <<= shift;
	if (v < min) {
		*errstr = "too small";
		return 0;
	}
	if (v > max) {
		*errstr = "too large";
		return 0;
	}
	return v;
}

long
opts_count(const char *s, long min, long max, const char **errstr)
{
	char *end;
	long v;

	*errstr = NULL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || isspace((unsigned char)*s)) {
		*errstr = "invalid";
		return 0;
	}
	if ((errno == ERANGE && v == LONG_MIN) || v < min) {
		*errstr = "too small";
		return 0;
	}
	if ((errno == ERANGE && v == LONG_MAX) || v > max) {
		*errstr = "too large";
		return 0;
	}
	return v;
}

/* A rate: a number per second, more than 0 and at most a million; 0 if
 * the text is not one. */
static double
opts_rate(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 ||
	    v > 1e6 || isspace((unsigned char)*s))
		return 0;
	return v;
}

/* ADDR:PORT, [V6]:PORT or PORT; split into host ("" for loopback) and a
 * port that is checked. Returns 0 or -1. */
int
opts_split_listen(const char *spec, char *host, size_t cap, long *port)
{
	const char *p = spec, *colon;
	char *end;

	host[0] = '\0';
	if (*spec == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':' ||
		    (size_t)(close - spec - 1) >= cap)
			return -1;
		snprintf(host, cap, "%.*s", (int)(close - spec - 1), spec + 1);
		p = close + 2;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		if ((size_t)(colon - spec) >= cap || colon == spec ||
		    memchr(spec, ':', (size_t)(colon - spec)))
			return -1;
		snprintf(host, cap, "%.*s", (int)(colon - spec), spec);
		p = colon + 1;
	}
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*port = strtol(p, &end, 10);
	if (errno || *end || *port < 0 || *port > 65535)
		return -1;
	return 0;
}

/* ws:// or wss:// with a host. */
static int
check_url(const char *url, char *err, size_t cap)
{
	CURLU *u;
	CURLUcode rc;
	char *host = NULL, shown_url[1024];
	int ret = OPTS_RUN;

	url_redacted(url, shown_url, sizeof shown_url); /* a password stays
							   hidden */
	if (strncasecmp(url, "ws://", 5) && strncasecmp(url, "wss://", 6)) {
		const char *colon = strstr(url, "://");

		if (colon)
			return usage(err, cap, "invalid URL '%s': scheme "
			    "'%.*s' is not supported (use ws:// or wss://)",
			    shown_url, (int)(colon - url), url);
		return usage(err, cap, "invalid URL '%s': it must start with "
		    "ws:// or wss://", shown_url);
	}
	if ((u = curl_url()) == NULL)
		return usage(err, cap, "out of memory");
	rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK)
		ret = usage(err, cap, "invalid URL '%s': %s", shown_url,
		    curl_url_strerror(rc));
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    !*host)
		ret = usage(err, cap, "invalid URL '%s': no host", shown_url);
	curl_free(host);
	curl_url_cleanup(u);
	return ret;
}

static int
check_file(const char *name, const char *path, int dir, char *err,
    size_t cap)
{
	struct stat sb;

	if (dir) {
		if (stat(path, &sb) != 0)
			return usage(err, cap, "cannot read %s directory '%s': "
			    "%s", name, path, strerror(errno));
		if (!S_ISDIR(sb.st_mode))
			return usage(err, cap, "%s '%s' is not a directory",
			    name, path);
		return OPTS_RUN;
	}
	if (access(path, R_OK) != 0 || stat(path, &sb) != 0)
		return usage(err, cap, "cannot read %s file '%s': %s", name,
		    path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return usage(err, cap, "%s '%s' is not a regular file", name,
		    path);
	return OPTS_RUN;
}

/* -H 'Name: value': a token before the colon, no line breaks. */
static int
check_header(const char *h, char *err, size_t cap)
{
	const char *colon = strchr(h, ':');

	if (colon == NULL || colon == h || strpbrk(h, "\r\n") ||
	    strcspn(h, " \t") < (size_t)(colon - h))
		return usage(err, cap, "invalid value for --header: '%s' "
		    "(expected 'Name: value', the name without spaces)", h);
	return OPTS_RUN;
}

/*
 * -H replaces a header wscli writes, but not one whose value wscli must
 * know: a client checks the server's answer against its subprotocol and
 * extension offers, and a server (-l) decodes with the extensions it
 * agreed to. Those are refused with the option that sets them in mode m.
 */
static int
check_header_mode(enum mode m, char *err, size_t cap)
{
	static const struct {
		const char *name;
		int listen;            /* the rule for -l, else for clients */
		const char *use;
	} guarded[] = {
		{ "Sec-WebSocket-Protocol", 0, "-s NAME (repeatable), so the "
		    "server's choice can be checked" },
		{ "Sec-WebSocket-Extensions", 0, "--deflate[=PARAMS], the one "
		    "extension wscli can decode" },
		{ "Sec-WebSocket-Extensions", 1, "--deflate, which answers "
		    "the client's offer with what wscli then decodes" },
	};
	int listen = m == MODE_LISTEN;

	for (struct curl_slist *l = opt.headers; l; l = l->next) {
		size_t n = strcspn(l->data, ":");

		for (size_t i = 0; i < sizeof guarded / sizeof guarded[0]; i++)
			if (guarded[i].listen == listen &&
			    n == strlen(guarded[i].name) &&
			    !strncasecmp(l->data, guarded[i].name, n))
				return usage(err, cap, "-H '%s': use %s%s",
				    l->data, guarded[i].use, listen ? " (with "
				    "-l, -H replaces the other headers of the "
				    "101)" : "");
	}
	return OPTS_RUN;
}

/* A size as it would be typed: "4K", "4G", "1000". */
static const char *
size_text(long long v, char *buf, size_t cap)
{
	static const char unit[] = "GMK";

	for (int i = 0; i < 3; i++) {
		int shift = 30 - 10 * i;

		if (v > 0 && v % (1LL << shift) == 0) {
			snprintf(buf, cap, "%lld%c", v >> shift, unit[i]);
			return buf;
		}
	}
	snprintf(buf, cap, "%lld", v);
	return buf;
}

/* A value by its type; the T_OTHER ones have a case each. */
static int
take_value(const struct optdef *o, const char *arg, char *err, size_t cap)
{
	char name[64];
	const char *why = NULL;

	snprintf(name, sizeof name, "--%s", o->name);
	switch (o->type) {
	case T_FLAG:
		*(int *)o->dst = 1;
		return OPTS_RUN;
	case T_SECONDS:
	case T_POSITIVE:
		*(double *)o->dst = opts_seconds(arg, o->type == T_POSITIVE,
		    &why);
		if (why)
			return usage(err, cap, "invalid value for %s: '%s' (%s)",
			    name, arg, why);
		return OPTS_RUN;
	case T_RATE:
		if ((*(double *)o->dst = opts_rate(arg)) <= 0)
			return usage(err, cap, "invalid value for %s: '%s' "
			    "(expected a number per second, more than 0 and at "
			    "most 1000000, e.g. 50 or 0.5)", name, arg);
		return OPTS_RUN;
	case T_SIZE:
		*(uint64_t *)o->dst = opts_size(arg, (uint64_t)o->lo,
		    (uint64_t)o->hi, &why);
		if (why && (!strcmp(why, "too small") ||
		    !strcmp(why, "too large"))) {
			char lo[32], hi[32];

			return usage(err, cap, "invalid value for %s: '%s' "
			    "(from %s to %s)", name, arg, size_text(o->lo, lo,
			    sizeof lo), size_text(o->hi, hi, sizeof hi));
		}
		if (why)
			return usage(err, cap, "invalid value for %s: '%s' (%s)",
			    name, arg, why);
		return OPTS_RUN;
	case T_COUNT:
		*(long *)o->dst = opts_count(arg, (long)o->lo, (long)o->hi,
		    &why);
		if (why)
			return usage(err, cap, "invalid value for %s: '%s' "
			    "(expected a whole number from %ld to %ld)", name,
			    arg, (long)o->lo, (long)o->hi);
		return OPTS_RUN;
	case T_FILE:
	case T_DIR:
		*(const char **)o->dst = arg;
		return check_file(name, arg, o->type == T_DIR, err, cap);
	case T_URL:
		*(const char **)o->dst = arg;
		return check_url(arg, err, cap);
	case T_STRING:
		*(const char **)o->dst = arg;
		return OPTS_RUN;
	case T_OTHER:
		break;
	}

	switch (o->val) {
	case '4':
		opt.ipresolve = 4;
		break;
	case '6':
		opt.ipresolve = 6;
		break;
	case 'H':
		if (check_header(arg, err, cap) != OPTS_RUN)
			return OPTS_USAGE;
		opt.headers = curl_slist_append(opt.headers, arg);
		break;
	case 'h':
		return OPTS_HELP;
	case 'V':
		return OPTS_VERSION;
	case 'l': {
		char host[256];
		long port;

		if (opts_split_listen(arg, host, sizeof host, &port) != 0)
			return usage(err, cap, "invalid value for -l: '%s' "
			    "(expected [ADDRESS:]PORT, e.g. 8080, 0.0.0.0:8080 "
			    "or [::1]:8080; port 0 picks a free one)", arg);
		srv_opt.listen = arg;
		break;
	}
	case 's':
		if (!*arg || strpbrk(arg, " ,\t\r\n"))
			return usage(err, cap, "invalid value for "
			    "--subprotocol: '%s' (a token without spaces or "
			    "commas)", arg);
		if (opt.nprotocols == MAX_PROTOCOLS)
			return usage(err, cap, "too many --subprotocol options "
			    "(at most %d)", MAX_PROTOCOLS);
		opt.protocols[opt.nprotocols++] = arg;
		break;
	case 't':
		/* -t=elapsed and -telapsed as well as --timestamps= */
		if (arg && *arg == '=')
			arg++;
		t_bare = arg == NULL;
		if (arg == NULL || !strcmp(arg, "wall"))
			opt.timestamps = 1;
		else if (!strcmp(arg, "elapsed"))
			opt.timestamps = 2;
		else
			return usage(err, cap, "invalid value for --timestamps: "
			    "'%s' (expected wall or elapsed)", arg);
		break;
	case 'u':
		if (!strchr(arg, ':'))
			return usage(err, cap, "invalid value for --user: '%s' "
			    "(expected user:password)", arg);
		opt.user = arg;
		break;
	case OPT_COLOR:
		if (!strcmp(arg, "auto"))
			color_mode = -1;
		else if (!strcmp(arg, "always"))
			color_mode = 1;
		else if (!strcmp(arg, "never"))
			color_mode = 0;
		else
			return usage(err, cap, "invalid value for --color: '%s' "
			    "(expected auto, always or never)", arg);
		break;
	case OPT_DEFLATE: {
		const char *params = arg ? arg : PMD_DEFAULT_OFFER;
		char why2[256];

		deflate_bare = arg == NULL;
		if (pmd_parse_params(params, strlen(params), 1,
		    &opt.deflate_offer, why2, sizeof why2) != 0)
			return usage(err, cap, "invalid value for --deflate: "
			    "'%s': %s", params, why2);
		opt.deflate = 1;
		break;
	}
	case OPT_FRAME: {
		size_t n = strlen(arg);
		uint8_t *buf = xrealloc(NULL, n + 1);
		struct craft_frame f;
		char why2[512];
		int rc = craft_parse(arg, WS_ROLE_CLIENT, buf, n + 1, &f, why2,
		    sizeof why2);

		free(buf);
		if (rc != 0)
			return usage(err, cap, "invalid value for --frame: "
			    "'%s': %s", arg, why2);
		if (opt.nsend == MAX_SEND)
			return usage(err, cap, "too many --send and --frame "
			    "options (at most %d)", MAX_SEND);
		opt.send_frame[opt.nsend] = 1;
		opt.send[opt.nsend++] = arg;
		break;
	}
	case OPT_SEND:
		if (opt.nsend == MAX_SEND)
			return usage(err, cap, "too many --send options (at "
			    "most %d)", MAX_SEND);
		opt.send[opt.nsend++] = arg;
		break;
	case OPT_SUBSCRIBE:
		if (*arg == '\0')
			return usage(err, cap, "invalid value for --subscribe: an "
			    "empty destination or topic");
		if (proto_opt.nsubscribe == MAX_SUBSCRIBE)
			return usage(err, cap, "too many --subscribe options (at "
			    "most %d)", MAX_SUBSCRIBE);
		proto_opt.subscribe[proto_opt.nsubscribe++] = arg;
		break;
	case OPT_DESTINATION:
		if (*arg == '\0')
			return usage(err, cap, "invalid value for --destination: "
			    "an empty destination");
		proto_opt.destination = arg;
		break;
	case OPT_TOPIC:
		/* a PUBLISH names one topic: no wildcards (MQTT 4.7.1) */
		if (*arg == '\0' || strpbrk(arg, "+#"))
			return usage(err, cap, "invalid value for --topic: '%s' (a "
			    "topic to publish to, not empty, without + or #)",
			    arg);
		proto_opt.topic = arg;
		break;
	case OPT_CLIENT_ID:
		if (strlen(arg) > 65535)
			return usage(err, cap, "invalid value for --client-id: "
			    "longer than 65535 bytes");
		proto_opt.client_id = arg;
		break;
	case OPT_MQTT_VERSION:
		if (!strcmp(arg, "3.1.1") || !strcmp(arg, "4"))
			proto_opt.mqtt_version = 4;
		else if (!strcmp(arg, "5") || !strcmp(arg, "5.0"))
			proto_opt.mqtt_version = 5;
		else
			return usage(err, cap, "invalid value for --mqtt-version: "
			    "'%s' (3.1.1 or 5)", arg);
		break;
	case OPT_ORIGIN_ALLOW:
		if (!origin_list_ok(arg))
			return usage(err, cap, "invalid value for "
			    "--origin-allow: '%s' (a comma-separated list of "
			    "origins such as http://localhost:3000, none of "
			    "them empty or with a blank inside)", arg);
		srv_opt.origin_allow = arg;
		break;
	case OPT_PROBE:
	case OPT_TEST:
		break;
	case OPT_VAR: {
		size_t k = 0;

		while (arg[k] == '_' || isalpha((unsigned char)arg[k]) ||
		    (k > 0 && isdigit((unsigned char)arg[k])))
			k++;
		if (k == 0 || arg[k] != '=')
			return usage(err, cap, "invalid value for --var: '%s' "
			    "(expected NAME=VALUE, NAME of letters, digits "
			    "and _)", arg);
		if (test_opt.nvars == MAX_VARS)
			return usage(err, cap, "too many --var options (at "
			    "most %d)", MAX_VARS);
		test_opt.vars[test_opt.nvars++] = arg;
		break;
	}
	case OPT_REPORT:
		if (strncmp(arg, "junit:", 6) || !arg[6])
			return usage(err, cap, "invalid value for --report: "
			    "'%s' (junit:FILE)", arg);
		test_opt.report_junit = arg + 6;
		break;
	case OPT_PROTO: {
		char names[256];

		if (proto_find(arg, &proto_opt.proto, names, sizeof names) != 0)
			return usage(err, cap, "invalid value for --proto: '%s' "
			    "(one of %s)", arg, names);
		proto_opt.is_auto = !strcmp(arg, "auto");
		break;
	}
	case OPT_AUTH:
		if (!json_valid((const uint8_t *)arg, strlen(arg)) ||
		    arg[strspn(arg, " \t\r\n")] != '{')
			return usage(err, cap, "invalid value for --auth: '%s' "
			    "(a JSON object, e.g. '{\"token\":\"abc\"}')", arg);
		proto_opt.auth = arg;
		break;
	case OPT_INIT:
		if (!json_valid((const uint8_t *)arg, strlen(arg)) ||
		    arg[strspn(arg, " \t\r\n")] != '{')
			return usage(err, cap, "invalid value for --init: '%s' "
			    "(a JSON object, e.g. '{\"token\":\"abc\"}')", arg);
		proto_opt.init = arg;
		break;
	case OPT_NAMESPACE:
		if (arg[0] != '/' || strpbrk(arg, ",?#\"") || strlen(arg) > 1024)
			return usage(err, cap, "invalid value for --namespace: "
			    "'%s' (a path such as /chat, without , ? # or \")",
			    arg);
		proto_opt.nsp = arg;
		break;
	case OPT_LOAD:
	case OPT_LOAD_MERGE:
		break;
	case OPT_MSG_RATE:
		if (!strcmp(arg, "lockstep")) {
			load_opt.lockstep = 1;
			break;
		}
		if ((load_opt.msg_rate = opts_rate(arg)) <= 0)
			return usage(err, cap, "invalid value for --msg-rate: "
			    "'%s' (expected lockstep, or a number per second, "
			    "more than 0 and at most 1000000)", arg);
		break;
	case OPT_PROBE_REPORT:
		if (!strncmp(arg, "junit:", 6) && arg[6])
			probe_opt.report_junit = arg + 6;
		else if (!strncmp(arg, "json:", 5) && arg[5])
			probe_opt.report_json = arg + 5;
		else
			return usage(err, cap, "invalid value for "
			    "--probe-report: '%s' (junit:FILE or json:FILE)",
			    arg);
		break;
	case OPT_PROBE_CASES: {
		char e[256];

		if (pc_cases_check(arg, e, sizeof e) != 0)
			return usage(err, cap, "invalid value for "
			    "--probe-cases: %s", e);
		probe_opt.cases = arg;
		break;
	}
	case OPT_RECONNECT:
		opt.reconnect = -1;
		reconnect_bare = arg == NULL;
		if (arg) {
			opt.reconnect = opts_count(arg, 1, LONG_MAX, &why);
			if (why)
				return usage(err, cap, "invalid value for "
				    "--reconnect: '%s' (expected a whole number "
				    "from 1 to %ld)", arg, LONG_MAX);
		}
		break;
	case OPT_RECONNECT_ON:
		if (!strcmp(arg, "error"))
			opt.reconnect_any = 0;
		else if (!strcmp(arg, "any"))
			opt.reconnect_any = 1;
		else
			return usage(err, cap, "invalid value for "
			    "--reconnect-on: '%s' (expected error or any)", arg);
		break;
	case OPT_REPLAY_SPEED: {
		char *end;

		errno = 0;
		opt.replay_speed = strtod(arg, &end);
		if (errno || end == arg || *end || !isfinite(opt.replay_speed) ||
		    opt.replay_speed < 0 || opt.replay_speed > 1000 ||
		    isspace((unsigned char)*arg))
			return usage(err, cap, "invalid value for "
			    "--replay-speed: '%s' (a factor from 0 to 1000: 2 "
			    "is twice as fast as recorded, 0 as fast as the "
			    "server answers)", arg);
		break;
	}
	case OPT_UNTIL: {
		regex_t rx;
		int rc = regcomp(&rx, arg, REG_EXTENDED | REG_NOSUB);

		if (rc != 0) {
			char buf[256];

			regerror(rc, &rx, buf, sizeof buf);
			return usage(err, cap, "invalid value for --until: "
			    "'%s': %s", arg, buf);
		}
		regfree(&rx);
		opt.until = arg;
		break;
	}
	}
	return OPTS_RUN;
}

/* ---------------------------------------------------- the mode, once */

const char *
opts_mode_name(enum mode m)
{
	switch (m) {
	case MODE_PROBE:
		return "--probe (probe mode)";
	case MODE_LISTEN:
		return "-l (listen mode)";
	case MODE_RELAY:
		return "--forward (relay mode)";
	case MODE_TEST:
		return "--test (test mode)";
	case MODE_LOAD:
		return "--load (load mode)";
	case MODE_MERGE:
		return "--load-merge";
	default:
		return "client mode";
	}
}

/* An option given where it means nothing. */
static int
misplaced(const struct optdef *o, enum mode m, char *err, size_t cap)
{
	char name[64];
	const char *why = NULL;

	shown(o, name, sizeof name);
	/* -l plus this one option would make a mode where it belongs */
	if (m == MODE_CLIENT || (m == MODE_LISTEN && o->modes == R))
		return usage(err, cap, "%s goes with %s", name,
		    opts_mode_name(o->modes & L ? MODE_LISTEN : o->modes & R ?
		    MODE_RELAY : o->modes & P ? MODE_PROBE : o->modes & T ?
		    MODE_TEST : o->modes & LD ? MODE_LOAD : MODE_MERGE));
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
		if (refusals[i].val == o->val && refusals[i].mode == m)
			why = refusals[i].why;
	if (why == NULL && m == MODE_LISTEN && (o->modes & R))
		why = "it is for connecting to a server (with --forward it "
		    "applies to the upstream)";
	return usage(err, cap, "%s cannot be used with %s%s%s", name,
	    opts_mode_name(m), why ? ": " : "", why ? why : "");
}

/* --replay sends the file's side of a conversation: nothing of stdin's
 * or of client mode's own ways to send, end or show. */
static int
check_replay(char *err, size_t cap)
{
	static const int no[] = {
		OPT_SEND, OPT_FRAME, OPT_ON_CONNECT, 'n', OPT_UNTIL, 'w',
		OPT_RECONNECT, OPT_RECORD, OPT_JSONL, OPT_ESCAPE, '0', 'b',
		OPT_NO_SPLIT, 'j', OPT_FRAMES, OPT_PING_INTERVAL,
		OPT_MAX_MESSAGE,
	};
	char name[64];

	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (was_given(no[i]))
			return usage(err, cap, "%s cannot be used with "
			    "--replay: the file says what is sent, and the "
			    "output is the difference from its answers",
			    shown(&table[index_of(no[i])], name, sizeof name));
	return OPTS_RUN;
}

/* The conflicts inside the chosen mode. */
/* The options of STOMP and MQTT go with their protocol (auto may turn
 * out to be either). */
static int
proto_check(char *err, size_t cap)
{
	const char *name = proto_opt.proto ? proto_opt.proto->name : "";
	int stomp = !strcmp(name, "stomp") || proto_opt.is_auto;
	int mqtt = !strcmp(name, "mqtt") || proto_opt.is_auto;
	const char *o = NULL;

	if (!stomp && !mqtt) {
		if (proto_opt.nsubscribe)
			o = "--subscribe";
		else if (proto_opt.login)
			o = "--login";
		else if (proto_opt.keepalive >= 0)
			o = "--keepalive";
		if (o)
			return usage(err, cap, "%s goes with --proto stomp or "
			    "--proto mqtt", o);
	}
	if (!stomp && proto_opt.destination)
		return usage(err, cap, "--destination goes with --proto stomp");
	if (!mqtt) {
		if (proto_opt.topic)
			o = "--topic";
		else if (was_given(OPT_QOS))
			o = "--qos";
		else if (proto_opt.client_id)
			o = "--client-id";
		else if (proto_opt.mqtt_version)
			o = "--mqtt-version";
		if (o)
			return usage(err, cap, "%s goes with --proto mqtt", o);
	}
	return OPTS_RUN;
}

static int
check_mode(int n, char **operands, char *err, size_t cap)
{
	if (check_header_mode(opt.mode, err, cap) != OPTS_RUN)
		return OPTS_USAGE;
	if (opt.null_sep && opt.escape)
		return usage(err, cap, "cannot use -0 and --escape together: "
		    "each is a way to keep messages apart on stdout");
	switch (opt.mode) {
	case MODE_MERGE:
		if (n == 0)
			return usage(err, cap, "no report files given to "
			    "--load-merge");
		load_opt.files = operands;
		load_opt.nfiles = n;
		return OPTS_RUN;
	case MODE_LOAD:
		if (load_opt.lockstep && load_opt.msg_rate > 0)
			return usage(err, cap, "--msg-rate given twice");
		/* FALLTHROUGH */
	case MODE_CLIENT:
		if (opt.replay && check_replay(err, cap) != OPTS_RUN)
			return OPTS_USAGE;
		/* FALLTHROUGH */
	case MODE_PROBE:
		if (n == 0 && !opt.replay) /* else the file's @url */
			return usage(err, cap, opt.mode == MODE_PROBE ?
			    "no URL given to --probe" : opt.mode == MODE_LOAD ?
			    "no URL given to --load" : "no URL given");
		if (n > 1)
			return usage(err, cap, "unexpected argument '%s' after "
			    "the URL", operands[1]);
		opt.url = n ? operands[0] : NULL;
		for (int i = 0; i < opt.nprotocols; i++)
			if (!strcmp(opt.protocols[i], "*"))
				return usage(err, cap, "-s '*' (the first "
				    "subprotocol a client offers) is for -l; a "
				    "client offers names");
		if ((opt.key || opt.pass) && !opt.cert)
			return usage(err, cap, "--key and --pass go with --cert");
		return opt.url ? check_url(opt.url, err, cap) : OPTS_RUN;
	case MODE_LISTEN:
		if (n > 0)
			return usage(err, cap, "unexpected argument '%s': with "
			    "-l, wscli takes no URL (--forward URL relays to a "
			    "server)", operands[0]);
		if ((was_given(OPT_PROBE_TIMEOUT) ||
		    was_given(OPT_PROBE_REPORT)) && !probe_opt.clients)
			return usage(err, cap, "%s goes with --probe or "
			    "--probe-clients", was_given(OPT_PROBE_TIMEOUT) ?
			    "--probe-timeout" : "--probe-report");
		if (probe_opt.clients && (srv_opt.echo || srv_opt.broadcast ||
		    opt.nsend || opt.on_connect || srv_opt.once || opt.count ||
		    opt.deflate || opt.until || opt.record))
			return usage(err, cap, "--probe-clients sends its own "
			    "cases and ends when each has had its connection: it "
			    "takes none of --echo, --broadcast, --send, --frame, "
			    "--on-connect, --once, -n, --deflate, --until, "
			    "--record");
		if (srv_opt.require_protocol && opt.nprotocols == 0)
			return usage(err, cap, "--require-protocol needs the "
			    "subprotocols to accept: -s NAME");
		if (srv_opt.echo && srv_opt.broadcast)
			return usage(err, cap, "cannot use --echo and "
			    "--broadcast together");
		if (proto_opt.proto && ((srv_opt.echo &&
		    !proto_opt.proto->echoes) || srv_opt.broadcast))
			return usage(err, cap, "--%s passes bare messages on: "
			    "it cannot be used with --proto %s",
			    srv_opt.broadcast ? "broadcast" : "echo",
			    proto_opt.proto->name);
		if (opt.pass && !srv_opt.tls_cert)
			return usage(err, cap, "--pass goes with --tls-cert "
			    "(the passphrase of its key)");
		if (opt.deflate &&
		    (opt.deflate_offer.server_no_context_takeover ||
		    opt.deflate_offer.client_no_context_takeover ||
		    opt.deflate_offer.server_max_window_bits ||
		    opt.deflate_offer.client_max_window_bits > 0))
			return usage(err, cap, "--deflate=PARAMS is the offer "
			    "of a client; with -l use --deflate, which accepts "
			    "what the client offers");
		return OPTS_RUN;
	case MODE_TEST:
		/* a URL first is the server of every file */
		if (n > 0 && strstr(operands[0], "://")) {
			opt.url = operands[0];
			if (check_url(opt.url, err, cap) != OPTS_RUN)
				return OPTS_USAGE;
			operands++;
			n--;
		}
		if (n == 0)
			return usage(err, cap, "no conversation file given to "
			    "--test");
		for (int i = 0; i < n; i++)
			if (strcmp(operands[i], "-") &&
			    check_file("--test", operands[i], 0, err, cap) !=
			    OPTS_RUN)
				return OPTS_USAGE;
		test_opt.files = operands;
		test_opt.nfiles = n;
		if ((opt.key || opt.pass) && !opt.cert)
			return usage(err, cap, "--key and --pass go with --cert");
		return OPTS_RUN;
	case MODE_RELAY:
		if (n > 0)
			return usage(err, cap, "unexpected argument '%s': with "
			    "--forward the server is the URL of --forward",
			    operands[0]);
		if (relay_opt.rewrite_origin && opt.origin)
			return usage(err, cap, "cannot use -o and "
			    "--rewrite-origin together: both set the Origin "
			    "sent to the server");
		if (opt.key && !opt.cert)
			return usage(err, cap, "--key and --pass go with --cert");
		if (opt.pass && !opt.cert && !srv_opt.tls_cert)
			return usage(err, cap, "--pass goes with --tls-key or "
			    "--key");
		return OPTS_RUN;
	}
	return OPTS_RUN;
}

/*
 * getopt takes an optional argument only attached (-telapsed,
 * --reconnect=3): given as the next word it is an operand, and the error
 * would be about a URL. Say what was meant instead.
 */
static int
detached(int n, char **operands, char *err, size_t cap)
{
	for (int i = 0; i < n; i++) {
		const char *w = operands[i], *why;
		struct pmd_params pp;
		char why2[256];

		if (t_bare && (!strcmp(w, "elapsed") || !strcmp(w, "wall")))
			return usage(err, cap, "-t takes its mode attached: "
			    "-t%s or --timestamps=%s ('%s' alone is read as an "
			    "argument)", w, w, w);
		if (reconnect_bare && (opts_count(w, 1, LONG_MAX, &why),
		    why == NULL))
			return usage(err, cap, "--reconnect takes its maximum "
			    "attached: --reconnect=%s ('%s' alone is read as an "
			    "argument)", w, w);
		if (deflate_bare && *w && !strstr(w, "://") &&
		    pmd_parse_params(w, strlen(w), 1, &pp, why2,
		    sizeof why2) == 0)
			return usage(err, cap, "--deflate takes its parameters "
			    "attached: --deflate='%s' ('%s' alone is read as an "
			    "argument)", w, w);
	}
	return OPTS_RUN;
}

static int
decide(int n, char **operands, char *err, size_t cap)
{
	int l = srv_opt.listen != NULL, f = relay_opt.forward != NULL;
	int p = was_given(OPT_PROBE), t = was_given(OPT_TEST);
	int ld = was_given(OPT_LOAD), mg = was_given(OPT_LOAD_MERGE);

	/* the mode, from these rules alone */
	if (mg && (ld || p || l || t))
		return usage(err, cap, "--load-merge adds up report files; it "
		    "takes no %s", ld ? "--load" : p ? "--probe" : t ?
		    "--test" : "-l");
	if (ld && (p || l || t))
		return usage(err, cap, "cannot use --load and %s together: "
		    "--load puts a server under load", p ? "--probe" : t ?
		    "--test" : "-l");
	if (p && l)
		return usage(err, cap, "cannot use --probe and -l together: "
		    "--probe tests a server, -l is one");
	if (p && f)
		return usage(err, cap, "cannot use --probe and --forward "
		    "together: --probe tests a server, --forward relays "
		    "clients to one");
	if (t && (l || p))
		return usage(err, cap, "cannot use --test and %s together: "
		    "--test runs conversations against a server", p ?
		    "--probe" : "-l");
	if (f && !l)
		return usage(err, cap, "--forward goes with -l: wscli listens "
		    "for the clients it relays");
	opt.mode = mg ? MODE_MERGE : ld ? MODE_LOAD : l && f ? MODE_RELAY :
	    l ? MODE_LISTEN : p ? MODE_PROBE : t ? MODE_TEST : MODE_CLIENT;

	if (detached(n, operands, err, cap) != OPTS_RUN)
		return OPTS_USAGE;

	for (size_t i = 0; i < NOPTS; i++)
		if (given[i] && !(table[i].modes & (1u << opt.mode)))
			return misplaced(&table[i], opt.mode, err, cap);

	/* pairs, whatever the mode */
	if (opt.ping_timeout > 0 && opt.ping_interval <= 0)
		return usage(err, cap, "--ping-timeout needs --ping-interval");
	if (opt.unix_socket && opt.proxy)
		return usage(err, cap, "cannot use --unix-socket and --proxy "
		    "together");
	if (was_given(OPT_REPLAY_SPEED) && !opt.replay)
		return usage(err, cap, "--replay-speed goes with --replay");
	if (was_given(OPT_VAR) && opt.mode == MODE_CLIENT && !opt.replay)
		return usage(err, cap, "--var goes with --replay or --test");
	if ((was_given(OPT_RECONNECT_ON) || was_given(OPT_RECONNECT_DELAY)) &&
	    !opt.reconnect)
		return usage(err, cap, "--reconnect-on and --reconnect-delay "
		    "go with --reconnect");
	if (opt.user && opt.bearer)
		return usage(err, cap, "cannot use -u and --bearer together: "
		    "both are the Authorization header");
	if ((srv_opt.tls_key || srv_opt.tls_client_ca) && !srv_opt.tls_cert)
		return usage(err, cap, "--tls-key and --tls-client-ca go with "
		    "--tls-cert");

	/* a protocol reads stdin as lines, each meaning what it says */
	if (opt.no_split && (proto_opt.proto || proto_opt.is_auto))
		return usage(err, cap, "--no-split sends stdin as one bare "
		    "message: it cannot be used with --proto %s",
		    proto_opt.is_auto ? "auto" : proto_opt.proto->name);

	if ((proto_opt.auth || proto_opt.nsp || proto_opt.ack) &&
	    (proto_opt.proto == NULL ||
	    strcmp(proto_opt.proto->name, "socketio")))
		return usage(err, cap, "--%s goes with --proto socketio",
		    proto_opt.auth ? "auth" : proto_opt.nsp ? "namespace" :
		    "ack");

	if (proto_opt.init && !proto_opt.is_auto && (proto_opt.proto == NULL ||
	    strcmp(proto_opt.proto->name, "graphql")))
		return usage(err, cap, "--init goes with --proto graphql");

	if (proto_check(err, cap) != OPTS_RUN)
		return OPTS_USAGE;

	if (check_mode(n, operands, err, cap) != OPTS_RUN)
		return OPTS_USAGE;
	/* wscli is a STOMP or MQTT client, and decodes them in a relay,
	 * but answers as no broker */
	if (opt.mode == MODE_LISTEN && proto_opt.proto &&
	    (!strcmp(proto_opt.proto->name, "stomp") ||
	    !strcmp(proto_opt.proto->name, "mqtt")))
		return usage(err, cap, "--proto %s cannot be used with -l "
		    "(listen mode): wscli is no %s broker; with --forward it "
		    "decodes a client and its broker", proto_opt.proto->name,
		    !strcmp(proto_opt.proto->name, "stomp") ? "STOMP" : "MQTT");
	if (opt.timeout > 0 && opt.timeout < opt.connect_timeout)
		opt.connect_timeout = opt.timeout;
	return OPTS_RUN;
}

int
opts_parse(int argc, char **argv, char *err, size_t cap)
{
	int ch, rc;

	reset();
	build_getopt_tables();
	optind = 0; /* glibc: start afresh, even after an earlier parse */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	    -1) {
		const char *word = argv[optind - 1];
		size_t i;

		if (ch == ':') {
			if (optopt < 256)
				return usage(err, cap, "option requires an "
				    "argument -- '%c'", optopt);
			return usage(err, cap, "option '--%s' requires an "
			    "argument", table[index_of(optopt)].name);
		}
		if (ch == '?') {
			if (!strncmp(word, "--", 2) && optopt)
				return usage(err, cap, "option '--%s' doesn't "
				    "allow an argument",
				    table[index_of(optopt)].name);
			if (!strncmp(word, "--", 2))
				return usage(err, cap, "unrecognized or "
				    "ambiguous option '%s'", word);
			return usage(err, cap, "invalid option -- '%c'",
			    optopt);
		}
		if ((i = index_of(ch)) == NOPTS)
			return usage(err, cap, "unknown option");
		given[i] = 1;
		if ((rc = take_value(&table[i], optarg, err, cap)) != OPTS_RUN)
			return rc;
	}
	return decide(argc - optind, argv + optind, err, cap);
}

void
opts_settle(int stdin_tty, int stdout_tty)
{
	/* --jsonl is JSON for every event: never the REPL's display */
	opt.interactive = stdin_tty && stdout_tty && !opt.jsonl &&
	    opt.mode != MODE_TEST && opt.mode != MODE_LOAD &&
	    opt.mode != MODE_MERGE && !opt.replay;
	opt.stdout_tty = stdout_tty;
	if (color_mode >= 0) {
		opt.color = color_mode;
	} else {
		const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

		opt.color = stdout_tty && !(nc && *nc) &&
		    !(term && !strcmp(term, "dumb"));
	}
	/* the REPL keeps no whole message, but showing a 2 GiB one is
	 * rarely what a person wants */
	if (!was_given(OPT_MAX_MESSAGE) && (opt.interactive ||
	    opt.mode == MODE_LISTEN)) {
		opt.max_message = 16 << 20;
		opt.max_message_default = 1;
	}
}

void
opts_free(void)
{
	curl_slist_free_all(opt.headers);
	opt.headers = NULL;
}

int
opts_entry(size_t i, const char **name, int *letter, unsigned *modes)
{
	if (i >= NOPTS)
		return -1;
	*name = table[i].name;
	*letter = table[i].val < 256 ? table[i].val : 0;
	*modes = table[i].modes;
	return 0;
}

const struct dial_net *
opts_dial_net(void)
{
	static struct dial_net net;

	net.insecure = opt.insecure;
	net.cacert = opt.cacert;
	net.capath = opt.capath;
	net.cert = opt.cert;
	net.key = opt.key;
	net.pass = opt.pass;
	net.user = opt.user;
	net.bearer = opt.bearer;
	net.proxy = opt.proxy;
	net.noproxy = opt.noproxy;
	net.unix_socket = opt.unix_socket;
	net.ipresolve = opt.ipresolve == 4 ? CURL_IPRESOLVE_V4 :
	    opt.ipresolve == 6 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_WHATEVER;
	net.follow = opt.location;
	net.max_redirs = opt.max_redirs;
	return &net;
}

/* --------------------------------------------------------------- help */

static const char usage_text[] =
    "usage: wscli [-046bhjkLqtVv] [-H header] [-n count] [-o origin]\n"
    "             [-s protocol] [-u user:password] [-w seconds] [-x proxy]\n"
    "             [--ack] [--auth json] [--bearer token] [--cacert file] [--capath dir]\n"
    "             [--cert file] [--client-id id] [--close-timeout seconds]\n"
    "             [--color when] [--connect-timeout seconds]\n"
    "             [--deflate[=params]] [--destination dest]\n"
    "             [--escape] [--frame spec] [--frames] [--init json]\n"
    "             [--jsonl] [--keepalive seconds] [--key file]\n"
    "             [--login user[:password]]\n"
    "             [--max-message size] [--max-redirs num]\n"
    "             [--mqtt-version version] [--namespace nsp] [--no-history]\n"
    "             [--no-split] [--noproxy hosts] [--on-connect file]\n"
    "             [--pass phrase] [--ping-interval seconds]\n"
    "             [--ping-timeout seconds] [--proto name] [--qos qos]\n"
    "             [--reconnect[=max]]\n"
    "             [--reconnect-delay seconds] [--reconnect-on when]\n"
    "             [--record file] [--send message] [--subscribe dest]\n"
    "             [--timeout seconds] [--timestamps[=elapsed]]\n"
    "             [--topic topic] [--unix-socket path] [--until regex]\n"
    "             url\n"
    "       wscli --replay file [--replay-speed factor] [options] [url]\n"
    "       wscli --probe [--probe-cases list] [--probe-idle seconds]\n"
    "             [--probe-max size] [--probe-report type:file]\n"
    "             [--probe-timeout seconds] [options] url\n"
    "       wscli --test [--jobs n] [--report junit:file]\n"
    "             [--var name=value] [options] [url] file ...\n"
    "       wscli -l [address:]port [-0bhjqtv] [-H header] [-n count]\n"
    "             [-s protocol] [--broadcast | --echo]\n"
    "             [--close-timeout seconds] [--color when]\n"
    "             [--connect-timeout seconds] [--deflate] [--escape]\n"
    "             [--frame spec]\n"
    "             [--frames] [--jsonl] [--max-message size] [--no-history]\n"
    "             [--no-split] [--on-connect file] [--once]\n"
    "             [--origin-allow list] [--pass phrase]\n"
    "             [--ping-interval seconds] [--ping-timeout seconds]\n"
    "             [--proto name] [--record dir] [--require-protocol]\n"
    "             [--send message] [--timeout seconds]\n"
    "             [--timestamps[=elapsed]] [--tls-cert file]\n"
    "             [--tls-client-ca file] [--tls-key file] [--until regex]\n"
    "       wscli -l [address:]port --probe-clients\n"
    "             [--probe-report type:file] [--probe-timeout seconds]\n"
    "             [options]\n"
    "       wscli -l [address:]port --forward url [-46hkLqtv] [-H header]\n"
    "             [-n count] [-o origin] [-u user:password] [-x proxy]\n"
    "             [--bearer token] [--cacert file] [--capath dir]\n"
    "             [--cert file] [--close-timeout seconds] [--color when]\n"
    "             [--connect-timeout seconds] [--deflate[=params]]\n"
    "             [--forward-exact] [--frames] [--jsonl] [--key file]\n"
    "             [--max-redirs num] [--no-history] [--noproxy hosts]\n"
    "             [--once] [--origin-allow list] [--pass phrase]\n"
    "             [--ping-interval seconds] [--ping-timeout seconds]\n"
    "             [--proto name] [--record dir] [--rewrite-origin]\n"
    "             [--strict] [--timeout seconds]\n"
    "             [--timestamps[=elapsed]] [--tls-cert file]\n"
    "             [--tls-client-ca file] [--tls-key file]\n"
    "             [--unix-socket path] [--until regex]\n"
    "       wscli --load [--connections n] [--duration seconds]\n"
    "             [--load-report file] [--msg-rate rate] [--rate rate]\n"
    "             [options] url\n"
    "       wscli --load-merge [-q] [--load-report file] file ...\n";

static const char help_text[] =
    "Connect to a WebSocket server; send stdin lines or typed lines as\n"
    "messages and show what the server sends. With -l, be a server and\n"
    "show what clients send; with -l and --forward, relay clients to a\n"
    "server and show both directions.\n"
    "\n"
    "  -4, --ipv4                resolve names to IPv4 addresses only\n"
    "  -6, --ipv6                resolve names to IPv6 addresses only\n"
    "      --ack                 socketio: ask for an ack with every event\n"
    "      --auth JSON           socketio: the CONNECT's auth object\n"
    "  -b, --binary              send binary messages instead of text\n"
    "      --bearer TOKEN        send Authorization: Bearer TOKEN\n"
    "      --cacert FILE         CA certificates to verify the server with\n"
    "      --capath DIR          directory of CA certificates\n"
    "      --cert FILE           client certificate (PEM)\n"
    "      --client-id ID        mqtt: the CONNECT's client id (wscli-PID)\n"
    "      --close-timeout SECS  wait this long for the close reply (5)\n"
    "      --color WHEN          colour output: auto, always or never\n"
    "      --connect-timeout SECS\n"
    "                            limit for TCP, TLS and the upgrade (30)\n"
    "      --connections N       --load: open N connections (1)\n"
    "      --deflate[=PARAMS]    offer permessage-deflate (RFC 7692)\n"
    "      --destination DEST    stomp: SEND each stdin line to DEST\n"
    "      --duration SECS       --load: close all and report after SECS\n"
    "      --escape              one line per message on stdout: newlines,\n"
    "                            backslashes and controls escaped\n"
    "      --frame SPEC          send a crafted frame first (repeatable;\n"
    "                            in order with --send; see wscli(1))\n"
    "      --frames              show every frame (stderr, or the REPL)\n"
    "  -H, --header 'NAME: VALUE'\n"
    "                            add a request header (repeatable)\n"
    "  -h, --help                show this help\n"
    "      --init JSON           --proto graphql: the connection_init\n"
    "                            payload (a JSON object)\n"
    "  -j, --json                pretty-print JSON messages (terminal)\n"
    "      --jsonl               write one JSON object per event to stdout\n"
    "                            (at a terminal too: then no REPL)\n"
    ;

/* two strings: ISO C99 compilers need accept no more than 4095 bytes
 * in one */
static const char help_text2[] =
    "  -k, --insecure            do not verify the server's certificate\n"
    "      --keepalive SECS      stomp: heart-beats (10); mqtt: keep-alive\n"
    "                            (60); 0: none\n"
    "      --key FILE            private key of the client certificate\n"
    "      --login USER[:PASS]   stomp, mqtt: the CONNECT's credentials\n"
    "  -L, --location            follow redirects (3xx)\n"
    "      --load                put the server under load: many\n"
    "                            connections, a report (see wscli(1))\n"
    "      --load-merge          add up the --load-report files given\n"
    "      --load-report FILE    also write the load report to FILE\n"
    "      --max-message SIZE    refuse larger messages with close 1009\n"
    "      --max-redirs N        at most N redirects with -L (10)\n"
    "      --mqtt-version V      mqtt: 3.1.1 (default) or 5\n"
    "      --msg-rate RATE|lockstep\n"
    "                            --load: each connection sends RATE\n"
    "                            messages a second, or one per message\n"
    "                            received; {n} {conn} {ts} filled in\n"
    "  -n, --count N             close after receiving N messages\n"
    "      --namespace NSP       socketio: connect to NSP (/chat), not /\n"
    "                            or the URL's path (then the engine's)\n"
    "  -0, --null                NUL ends each message, on stdout and\n"
    "                            stdin (instead of a newline)\n"
    "      --no-history          do not read or save the REPL history\n"
    "      --no-split            send all of stdin as one message\n"
    "      --noproxy HOSTS       comma-separated hosts not to proxy\n"
    "  -o, --origin ORIGIN       send an Origin header\n"
    "      --on-connect FILE     send each line of FILE on every connect (with\n"
    "                            --proto: as stdin lines, once it is open)\n"
    "      --pass PHRASE         passphrase of the private key\n"
    "      --ping-interval SECS  send a ping every SECS, report the RTT\n"
    "      --ping-timeout SECS   end (exit 7) if a pong takes longer\n"
    "      --proto NAME          the protocol over WebSocket: raw (bare\n"
    "                            messages), socketio, graphql, stomp, mqtt,\n"
    "                            or auto (from the subprotocol)\n"
    "      --qos 0|1             mqtt: QoS of what is published and\n"
    "                            subscribed to (0)\n"
;

static const char help_text3[] =
    "  -q, --quiet               print only errors on stderr\n"
    "      --rate RATE           --load: open RATE connections a second\n"
    "      --reconnect[=MAX]     connect again when the connection is lost\n"
    "                            (at most MAX attempts in a row)\n"
    "      --reconnect-delay SECS\n"
    "                            first wait before reconnecting (1), doubled\n"
    "                            up to 30 s, with jitter\n"
    "      --reconnect-on WHEN   error (lost, or closed with an error code)\n"
    "                            or any (every end wscli did not start)\n"
    "      --record FILE         write the session as a conversation file\n"
    "                            (with -l: a directory, a file per client;\n"
    "                            with --proto: what the protocol meant)\n"
    "      --replay FILE         send a recorded conversation again; the\n"
    "                            answers that differ as a diff (exit 1)\n"
    "      --replay-speed X      its pace: 2 twice as fast as recorded, 0\n"
    "                            as fast as the server answers (1)\n"
    "  -s, --subprotocol NAME    offer a subprotocol (repeatable)\n"
    "      --send MESSAGE        send MESSAGE first (repeatable)\n"
    "      --subscribe DEST      stomp: a destination, mqtt: a topic filter\n"
    "                            to subscribe to (repeatable)\n"
    "      --timeout SECS        end (exit 7) after SECS in all\n"
    "  -t, --timestamps[=elapsed]\n"
    "                            start each line (scripted: each text\n"
    "                            message too) with the wall-clock time, or\n"
    "                            the seconds since the start; the mode is\n"
    "                            attached: -telapsed\n"
    "      --topic TOPIC         mqtt: publish each stdin line to TOPIC\n"
    "  -u, --user USER:PASSWORD  HTTP Basic authentication\n"
    "      --unix-socket PATH    connect through a unix domain socket\n"
    "      --until REGEX         end (exit 0) when a text message matches\n"
    "  -V, --version             show versions of wscli and its libraries\n"
    "  -v, --verbose             show the handshake, TLS and timings\n"
    "  -w, --wait SECS           after end of input, wait before closing\n"
    "  -x, --proxy URL           HTTP or SOCKS proxy (http://, socks5h://)\n"
    "      --probe               test the server: a conformance and\n"
    "                            behaviour report (see wscli(1))\n"
    "      --probe-cases LIST    only these cases (3,8.*,!8.4: ! leaves out)\n"
    "      --probe-clients       with -l: test each client that connects\n"
    "                            (a case a connection; it must echo)\n"    "      --probe-idle SECS     also see if it closes an idle connection\n"
    "      --probe-max SIZE      largest message tried (64M)\n"
    "      --probe-report TYPE:FILE\n"
    "                            also write it as junit or json\n"
    "      --probe-timeout SECS  time for each case (2)\n";

static const char help_modes[] =
    "\n"
    "Listen mode (wscli -l [ADDRESS:]PORT):\n"
    "      --broadcast           relay each client's messages to the others\n"
    "      --echo                answer every message with itself\n"
    "  -l, --listen [ADDR:]PORT  be a server on ADDR (127.0.0.1) and PORT\n"
    "                            (0: a free port, which is printed)\n"
    "      --once                end when the first client disconnects\n"
    "      --origin-allow LIST   refuse other origins with 403\n"
    "      --require-protocol    refuse clients offering none of -s NAME\n"
    "  -s NAME                   accept NAME if offered (repeatable, in\n"
    "                            order); -s '*': the first offered\n"
    "  -H 'NAME: VALUE'          in every 101, replacing wscli's NAME\n"
    "      --tls-cert FILE       serve wss:// with this certificate (PEM)\n"
    "      --tls-client-ca FILE  require client certificates from this CA\n"
    "      --tls-key FILE        private key of --tls-cert (--pass PHRASE)\n"
    "\n"
    "Relay mode (wscli -l [ADDRESS:]PORT --forward URL):\n"
    "      --forward URL         relay each client to its own connection\n"
    "                            to URL, showing and checking both sides\n"
    "      --forward-exact       do not append the client's path and query\n"
    "      --rewrite-origin      send the server its own origin as Origin\n"
    "      --strict              close a side that breaks the protocol\n"
    "                            (1002/1007) instead of relaying the frame\n"
    "\n"
    "Test mode (wscli --test [URL] FILE...):\n"
    "      --test                run conversation files (wscli(1),\n"
    "                            CONVERSATIONS) against URL or their @url;\n"
    "                            TAP on stdout\n"
    "      --jobs N              run N files at once (default 1)\n"
    "      --report junit:FILE   also write the results as JUnit XML\n"
    "      --var NAME=VALUE      {{NAME}} in the files (repeatable; also\n"
    "                            with --replay)\n"
    "\n"
    "An option that means nothing in the mode chosen is a usage error;\n"
    "the usage lines above list each mode's options.\n"
    "\n"
    "URL is ws://host[:port]/path or wss://host[:port]/path.\n"
    "Exit status: 0 clean close, 1 error, 2 usage, 3 could not connect,\n"
    "4 upgrade refused, 5 protocol violation, 6 connection lost, 7 timeout,\n"
    "8 closed with an error code, 9 --until never matched. With --probe:\n"
    "0 no case FAILED, 1 some did, 10 the server stopped accepting\n"
    "connections. With --test: 0 every expectation met, 1 one was not,\n"
    "3-8 a file could not run. See wscli(1).\n";

void
opts_print_help(FILE *f)
{
	fputs(usage_text, f);
	fputc('\n', f);
	fputs(help_text, f);
	fputs(help_text2, f);
	fputs(help_text3, f);
	fputs(help_modes, f);
}
