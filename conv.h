/*
 * conv.h - conversation files: a WebSocket session written down as the
 * lines a person reads at the REPL, to be run again as a test (wscli
 * --test), recorded (--record) and replayed (--replay).
 *
 * The grammar, one line at a time (a line ends at \n; a \r before it is
 * dropped; leading blanks are ignored everywhere):
 *
 *   file       = { header | comment | blank } { step | modifier |
 *                comment | blank }
 *   comment    = "#" anything            (kept only as a delay, below)
 *   delay      = "# +" SECONDS "s"       the pause before the next line,
 *                                        as recorded ("# +1.250s")
 *
 * Header lines come before the first step and say where and how to
 * connect; the command line may say it instead (its URL wins):
 *
 *   @url URL              ws:// or wss:// URL
 *   @protocol NAME        offer this subprotocol (-s); repeatable
 *   @header NAME: VALUE   add this header to the upgrade (-H); repeatable
 *   @origin ORIGIN        -o
 *   @proto NAME           the application protocol, as --proto (which
 *                         it overrides)
 *   @within DURATION      the default limit of each expectation (5s)
 *   @var NAME=VALUE       a default for {{NAME}}; repeatable
 *
 * Steps are run in order on one connection (after "<" and ">" comes a
 * blank, unless nothing follows):
 *
 *   > TEXT                send TEXT as a text message, as the REPL does
 *   >                     ... an empty one
 *   > //TEXT              send "/TEXT"
 *   > /text "QUOTED"      send text written with escapes (below)
 *   > /binary HEX         a binary message (hex bytes, blanks between)
 *   > /base64 B64         a binary message given in base64
 *   > /ping [TEXT]        a PING with TEXT as its payload
 *   > /pong [TEXT]        an unsolicited PONG
 *   > /close [CODE [REASON]]  start the close handshake (1000 when no
 *                         code; wscli waits for the peer's CLOSE)
 *   > /frame SPEC         crafted bytes, as the REPL's /frame (craft.h)
 *   > /raw HEX            bytes as they are, as the REPL's /raw
 *
 *   < TEXT                expect exactly the text message TEXT
 *   <                     ... an empty one
 *   < //TEXT              ... "/TEXT"
 *   < /text "QUOTED"      ... text written with escapes
 *   < /binary HEX         ... exactly this binary message
 *   < /ping [TEXT]        a PING (with this payload when given)
 *   < /pong [TEXT]        a PONG (likewise)
 *   < /close [CODE [REASON]]  the peer's CLOSE (with this code, and
 *                         reason, when given)
 *   < /re REGEX           a text message REGEX (POSIX extended) matches
 *                         somewhere; anchor it with ^ and $ for all of it
 *   < /jq FILTER          a text message that is JSON and for which the
 *                         jq FILTER's first output is neither false nor
 *                         null
 *
 *   nothing within DURATION   no message at all arrives for DURATION
 *   sleep DURATION            wait, then go on
 *   any order                 the expectations up to "end" may come in
 *   end                       any order, each once
 *
 * Modifiers qualify the expectation just above them:
 *
 *   within DURATION       it must come within DURATION of the moment wscli
 *                         started waiting for it (default: @within)
 *   skip                  messages before it that do not match are skipped
 *                         (a stream: wait until one matches)
 *   capture NAME \N       NAME = group N of its /re REGEX (\0: the match)
 *   capture NAME FILTER   NAME = the first output of the jq FILTER over the
 *                         message (a string as it is, else its JSON)
 *
 * A message is a data message or a PING, PONG or CLOSE; the next one
 * received must match the next expectation (any of the group's in "any
 * order"), unless skip says otherwise.
 *
 * DURATION is a number with an optional unit: ms, s (the default), m.
 *
 * {{NAME}} anywhere in a send, an expectation or a header value is
 * replaced, when that step runs, by the variable NAME: a capture, else a
 * --var NAME=VALUE, else the environment, else @var. An unknown name is an
 * error of that step.
 *
 * QUOTED is a string in double quotes with C escapes: \n \r \t \0 \\ \"
 * \{ (a "{" that does not start {{NAME}}), \xNN (one byte) and \u{N...}
 * (a code point, in UTF-8). The writer uses it for text a plain line
 * would not keep: line breaks and other controls, blanks at either end,
 * "{{". The payload of /ping and /pong and the REASON of /close are
 * QUOTED when they start with a double quote, else plain.
 *
 * Memory: conv_parse() allocates the conversation; conv_free() frees it.
 * Nothing here does I/O except the writers, which write to the FILE given
 * and return -1 if it fails. Nothing here runs a regex or jq: convtest.c
 * compiles and runs them.
 */
#ifndef WSCLI_CONV_H
#define WSCLI_CONV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONV_WITHIN_DEFAULT 5.0 /* seconds an expectation waits */

enum conv_kind {
	CONV_SEND = 1,   /* "> ..." */
	CONV_EXPECT,     /* "< ..." */
	CONV_NOTHING,    /* nothing within: secs */
	CONV_SLEEP,      /* sleep: secs */
	CONV_DELAY,      /* a recorded pause ("# +1.250s"): secs; --test
			    ignores it, --replay keeps the pacing */
};

/* What a send or an expectation is about: the word after "/", or TEXT
 * for a plain line. */
enum conv_what {
	CONV_TEXT = 1,   /* plain text (body as written) */
	CONV_QTEXT,      /* /text "QUOTED" */
	CONV_BINARY,     /* /binary HEX */
	CONV_BASE64,     /* /base64 B64 (sends) */
	CONV_PING,       /* /ping [TEXT] */
	CONV_PONG,       /* /pong [TEXT] */
	CONV_CLOSE,      /* /close [CODE [REASON]] */
	CONV_FRAME,      /* /frame SPEC (sends) */
	CONV_RAW,        /* /raw HEX (sends) */
	CONV_RE,         /* /re REGEX (expectations) */
	CONV_JQ,         /* /jq FILTER (expectations) */
};

struct conv_capture {
	char *name;      /* the variable */
	char *expr;      /* jq FILTER, or NULL with group */
	int group;       /* \N of a /re: N */
	int line;        /* where it is written */
};

struct conv_step {
	enum conv_kind kind;
	int line;                /* 1-based line in the file */
	char *src;               /* the line as written, blanks at either
				    end removed */
	enum conv_what what;     /* CONV_SEND, CONV_EXPECT */
	char *body;              /* what follows the keyword, as written
				    ({{NAME}} not yet replaced; for QTEXT
				    the quoted string, quotes included) */
	int has_body;            /* /ping, /pong, /close: something was
				    given after the keyword */
	double within;           /* seconds; 0: the file's default */
	double secs;             /* NOTHING, SLEEP, DELAY */
	int skip;                /* skip what does not match */
	int group;               /* > 0: in the n-th "any order" block */
	struct conv_capture *caps;
	size_t ncaps;
};

struct conv {
	char *name;              /* the file name, for messages */
	char *url;               /* @url, or NULL */
	char **protocols;        /* @protocol */
	size_t nprotocols;
	char **headers;          /* @header "Name: value" */
	size_t nheaders;
	char *origin;            /* @origin, or NULL */
	char *proto;             /* @proto, or NULL */
	double within;           /* @within, else CONV_WITHIN_DEFAULT */
	char **vars;             /* @var "NAME=VALUE" */
	size_t nvars;
	struct conv_step *steps;
	size_t nsteps;
	size_t nexpect;          /* expectations and nothing-within steps:
				    test points */
};

/*
 * Parse text[0..len) (need not be NUL-terminated) of the file called
 * name. Returns 0 with *out set (conv_free() it), or -1 with err (cap
 * bytes) holding "NAME:LINE: what is wrong" (a line of its own, no
 * newline); *out is then NULL. Sends and expectations without {{ are
 * checked as conv_expand() would check them.
 */
int conv_parse(const char *text, size_t len, const char *name,
    struct conv **out, char *err, size_t cap);

/* Read and parse the file path ("-": stdin). As conv_parse(); err also
 * says why a file cannot be read. */
int conv_load(const char *path, struct conv **out, char *err, size_t cap);

void conv_free(struct conv *c);

/* The value of variable name (n bytes, not NUL-terminated), or NULL when
 * there is none. */
typedef const char *(*conv_lookup_fn)(void *ud, const char *name, size_t n);

/*
 * A send or expectation made concrete: {{NAME}} replaced through lookup
 * (NULL: none may appear), escapes decoded, numbers read.
 *   TEXT, QTEXT, PING, PONG: p[0..n) the payload
 *   BINARY, BASE64, RAW: the bytes
 *   CLOSE: code (0: none given), p[0..n) the reason
 *   FRAME: p the SPEC as text, NUL-terminated
 *   RE, JQ: p the expression, NUL-terminated
 * p is allocated (always NUL-terminated after n); conv_msg_free() it.
 */
struct conv_msg {
	enum conv_what what;
	uint8_t *p;
	size_t n;
	unsigned code;
};

/* Returns 0, or -1 with err (cap bytes, no file or line) saying why. */
int conv_expand(const struct conv_step *s, conv_lookup_fn lookup, void *ud,
    struct conv_msg *m, char *err, size_t cap);

/* A text with {{NAME}} replaced (a header value). Returns an allocated
 * string, or NULL with err set. */
char *conv_expand_text(const char *text, conv_lookup_fn lookup, void *ud,
    char *err, size_t cap);

void conv_msg_free(struct conv_msg *m);

/* DURATION: a number, then ms, s or m (s when none). Returns 0 with
 * *secs, or -1. */
int conv_duration(const char *s, double *secs);

/* ---------------------------------------------------------------- writer
 *
 * What --record writes: each call writes whole lines that conv_parse()
 * reads back as the same thing (a text message as a plain line when it
 * survives as one, else /text with escapes; binary as /binary hex). Each
 * returns 0, or -1 if writing failed.
 */

/* The header: @url, then one @protocol each (protocols may be NULL when
 * n is 0). url may be NULL (nothing written for it). */
int conv_write_header(FILE *f, const char *url, const char *const *protocols,
    size_t n);

/* The header's @proto NAME. */
int conv_write_proto(FILE *f, const char *name);

/* A message sent (dir '>') or expected (dir '<'): opcode WS_OP_TEXT,
 * WS_OP_BINARY, WS_OP_PING or WS_OP_PONG. A PING or PONG payload that is
 * not printable text is not kept (the line says just /ping or /pong, which
 * expects any payload and sends none). */
int conv_write_message(FILE *f, char dir, unsigned opcode, const uint8_t *p,
    size_t n);

/* A CLOSE sent or expected: code 0 (none) or the code, and its reason. */
int conv_write_close(FILE *f, char dir, unsigned code, const uint8_t *reason,
    size_t n);

/* A pause of secs before the next line ("# +1.250s"). */
int conv_write_delay(FILE *f, double secs);

/* A comment ("# text"; line breaks in text become blanks). */
int conv_write_comment(FILE *f, const char *text);

#endif /* WSCLI_CONV_H */
