/*
 * conv.c - conversation files: the parser and the writer (conv.h has the
 * grammar).
 *
 * The parser reads a line at a time and keeps only what a step needs:
 * bodies stay as written, {{NAME}} and escapes included, because a
 * variable captured at run time may change what a line means. A body
 * without {{ is made concrete once here all the same, so that a typo in
 * a hex string or a close code is reported with its line before any
 * connection is made.
 *
 * The writer chooses, for each message, the plainest line the parser
 * reads back as the same bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "craft.h"
#include "display.h"
#include "frame.h"

/* ----------------------------------------------------------- small parts */

struct buf {
	char *p;
	size_t n, cap;
};

static int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *q;

		while (b->n + n + 1 > cap)
			cap *= 2;
		if ((q = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

static int
buf_byte(struct buf *b, int c)
{
	unsigned char ch = (unsigned char)c;

	return buf_add(b, &ch, 1);
}

static char *
xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int
push_str(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof **v);

	if (nv == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = xstrndup(s, len)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int
name_char(int c, int first)
{
	return c == '_' || isalpha((unsigned char)c) ||
	    (!first && isdigit((unsigned char)c));
}

int
conv_duration(const char *s, double *secs)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)*s) && *s != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -1;
	if (!strcmp(end, "ms"))
		v /= 1000;
	else if (!strcmp(end, "m"))
		v *= 60;
	else if (strcmp(end, "s") && *end != '\0')
		return -1;
	if (v > 366 * 86400.0)
		return -1;
	*secs = v;
	return 0;
}

/* Append the UTF-8 encoding of code point u. */
static int
buf_utf8(struct buf *b, unsigned long u)
{
	uint8_t o[4];
	size_t n;

	if (u < 0x80) {
		o[0] = (uint8_t)u;
		n = 1;
	} else if (u < 0x800) {
		o[0] = (uint8_t)(0xc0 | u >> 6);
		o[1] = (uint8_t)(0x80 | (u & 0x3f));
		n = 2;
	} else if (u < 0x10000) {
		o[0] = (uint8_t)(0xe0 | u >> 12);
		o[1] = (uint8_t)(0x80 | (u >> 6 & 0x3f));
		o[2] = (uint8_t)(0x80 | (u & 0x3f));
		n = 3;
	} else {
		o[0] = (uint8_t)(0xf0 | u >> 18);
		o[1] = (uint8_t)(0x80 | (u >> 12 & 0x3f));
		o[2] = (uint8_t)(0x80 | (u >> 6 & 0x3f));
		o[3] = (uint8_t)(0x80 | (u & 0x3f));
		n = 4;
	}
	return buf_add(b, o, n);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * s[0..n): replace {{NAME}} through lookup; with quoted, s must be one
 * string in double quotes whose escapes are decoded. Appends to out.
 */
static int
expand(const char *s, size_t n, int quoted, conv_lookup_fn lookup, void *ud,
    struct buf *out, char *err, size_t cap)
{
	size_t i = 0, end = n;

	if (quoted) {
		if (n < 2 || s[0] != '"') {
			snprintf(err, cap, "a quoted string starts with \"");
			return -1;
		}
		i = 1;
		end = n; /* the closing quote is found below */
	}
	while (i < end) {
		char c = s[i];

		if (quoted && c == '"') {
			if (i + 1 != n) {
				snprintf(err, cap, "text after the closing "
				    "quote: '%.*s'", (int)(n - i - 1),
				    s + i + 1);
				return -1;
			}
			return 0;
		}
		if (c == '{' && i + 1 < end && s[i + 1] == '{') {
			size_t j = i + 2, k;
			const char *v;

			while (j < end && is_blank(s[j]))
				j++;
			k = j;
			while (k < end && name_char(s[k], k == j))
				k++;
			size_t nl = k - j, m = k;

			while (m < end && is_blank(s[m]))
				m++;
			if (nl == 0 || m + 1 >= end || s[m] != '}' ||
			    s[m + 1] != '}') {
				snprintf(err, cap, "'{{' starts no {{NAME}}%s",
				    quoted ? " (write \\{ for a brace)" :
				    " (write the text with /text \"\\{...\")");
				return -1;
			}
			if (lookup == NULL ||
			    (v = lookup(ud, s + j, nl)) == NULL) {
				snprintf(err, cap, "{{%.*s}}: no such variable",
				    (int)nl, s + j);
				return -1;
			}
			if (buf_add(out, v, strlen(v)) == -1)
				goto nomem;
			i = m + 2;
			continue;
		}
		if (!quoted || c != '\\') {
			if (buf_byte(out, c) == -1)
				goto nomem;
			i++;
			continue;
		}
		if (++i >= end) {
			snprintf(err, cap, "a quoted string ends in \\");
			return -1;
		}
		c = s[i++];
		switch (c) {
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case '0': c = '\0'; break;
		case '\\': case '"': case '{': case '}': break;
		case 'x': {
			int h, l;

			if (i + 1 >= end || (h = hexval(s[i])) < 0 ||
			    (l = hexval(s[i + 1])) < 0) {
				snprintf(err, cap, "\\x needs two hex digits");
				return -1;
			}
			i += 2;
			if (buf_byte(out, h << 4 | l) == -1)
				goto nomem;
			continue;
		}
		case 'u': {
			unsigned long u = 0;
			size_t d = 0;

			if (i >= end || s[i] != '{') {
				snprintf(err, cap, "\\u is written \\u{HEX}");
				return -1;
			}
			for (i++; i < end && hexval(s[i]) >= 0 && d < 6; i++, d++)
				u = u << 4 | (unsigned long)hexval(s[i]);
			if (d == 0 || i >= end || s[i] != '}' || u > 0x10ffff ||
			    (u >= 0xd800 && u <= 0xdfff)) {
				snprintf(err, cap, "\\u{...}: not a code point "
				    "(1 to 6 hex digits, at most 10FFFF, no "
				    "surrogates)");
				return -1;
			}
			i++;
			if (buf_utf8(out, u) == -1)
				goto nomem;
			continue;
		}
		default:
			snprintf(err, cap, "unknown escape \\%c (known: \\n \\r "
			    "\\t \\0 \\\\ \\\" \\{ \\xNN \\u{N})", c);
			return -1;
		}
		if (buf_byte(out, c) == -1)
			goto nomem;
	}
	if (quoted) {
		snprintf(err, cap, "a quoted string without its closing \"");
		return -1;
	}
	return 0;
nomem:
	snprintf(err, cap, "out of memory");
	return -1;
}

char *
conv_expand_text(const char *text, conv_lookup_fn lookup, void *ud,
    char *err, size_t cap)
{
	struct buf b = {0};

	if (expand(text, strlen(text), 0, lookup, ud, &b, err, cap) == -1 ||
	    buf_add(&b, "", 0) == -1) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

void
conv_msg_free(struct conv_msg *m)
{
	free(m->p);
	m->p = NULL;
	m->n = 0;
}

/* A payload that may be written plain or in quotes. */
static int
expand_payload(const char *s, conv_lookup_fn lookup, void *ud,
    struct buf *out, char *err, size_t cap)
{
	return expand(s, strlen(s), *s == '"', lookup, ud, out, err, cap);
}

int
conv_expand(const struct conv_step *s, conv_lookup_fn lookup, void *ud,
    struct conv_msg *m, char *err, size_t cap)
{
	struct buf b = {0};
	const char *body = s->body ? s->body : "";
	size_t bad;
	long n;

	memset(m, 0, sizeof *m);
	m->what = s->what;
	switch (s->what) {
	case CONV_QTEXT:
		if (expand(body, strlen(body), 1, lookup, ud, &b, err, cap))
			goto fail;
		break;
	case CONV_PING:
	case CONV_PONG:
		if (expand_payload(body, lookup, ud, &b, err, cap) == -1)
			goto fail;
		if (b.n > 125) {
			snprintf(err, cap, "a control frame carries at most "
			    "125 bytes, not %zu", b.n);
			goto fail;
		}
		break;
	case CONV_CLOSE: {
		/* the code and the reason apart: a quoted reason has escapes
		 * of its own */
		size_t cl = strcspn(body, " \t");
		const char *reason = body + cl;
		struct buf t = {0};
		char *end = NULL;
		unsigned long code = 0;

		while (is_blank(*reason))
			reason++;
		if (cl == 0)
			break;
		if (expand(body, cl, 0, lookup, ud, &t, err, cap) == -1 ||
		    buf_add(&t, "", 0) == -1) {
			free(t.p);
			goto fail;
		}
		errno = 0;
		if (isdigit((unsigned char)t.p[0]))
			code = strtoul(t.p, &end, 10);
		if (end == NULL || *end != '\0' || errno || code < 1 ||
		    code > 65535) {
			snprintf(err, cap, "/close: '%s' is not a close code "
			    "(1 to 65535)", t.p);
			free(t.p);
			goto fail;
		}
		free(t.p);
		m->code = (unsigned)code;
		if (expand_payload(reason, lookup, ud, &b, err, cap) == -1)
			goto fail;
		if (b.n > 123) {
			snprintf(err, cap, "/close: the reason is %zu bytes, "
			    "at most 123 fit", b.n);
			goto fail;
		}
		break;
	}
	case CONV_BINARY:
	case CONV_RAW:
	case CONV_BASE64:
		if (expand(body, strlen(body), 0, lookup, ud, &b, err,
		    cap) == -1)
			goto fail;
		if (b.n > 0) {
			uint8_t *out = malloc(b.n + 1);

			if (out == NULL) {
				snprintf(err, cap, "out of memory");
				goto fail;
			}
			n = s->what == CONV_BASE64 ?
			    disp_parse_base64(out, b.n, b.p, &bad) :
			    disp_parse_hex(out, b.n, b.p, &bad);
			if (n < 0) {
				snprintf(err, cap, "not %s at '%.20s'",
				    s->what == CONV_BASE64 ? "base64" :
				    "hex bytes (e.g. 48 65 6c)", b.p + bad);
				free(out);
				goto fail;
			}
			free(b.p);
			out[n] = '\0';
			m->p = out;
			m->n = (size_t)n;
			return 0;
		}
		break;
	case CONV_FRAME: {
		struct craft_frame f;
		uint8_t *tmp;

		if (expand(body, strlen(body), 0, lookup, ud, &b, err,
		    cap) == -1 || buf_add(&b, "", 0) == -1)
			goto fail;
		if ((tmp = malloc(b.n + 1)) == NULL)
			goto fail;
		if (craft_parse(b.p, WS_ROLE_CLIENT, tmp, b.n + 1, &f, err,
		    cap) == -1) {
			free(tmp);
			goto fail;
		}
		free(tmp);
		break;
	}
	default: /* TEXT, RE, JQ */
		if (expand(body, strlen(body), 0, lookup, ud, &b, err,
		    cap) == -1)
			goto fail;
		break;
	}
	if (buf_add(&b, "", 0) == -1) {
		snprintf(err, cap, "out of memory");
		goto fail;
	}
	m->p = (uint8_t *)b.p;
	m->n = b.n;
	return 0;
fail:
	free(b.p);
	memset(m, 0, sizeof *m);
	m->what = s->what;
	return -1;
}

/* ---------------------------------------------------------------- parser */

static const struct {
	const char *name;
	enum conv_what what;
	int send, expect;   /* allowed on "> " and "< " lines */
} keywords[] = {
	{ "text", CONV_QTEXT, 1, 1 },
	{ "binary", CONV_BINARY, 1, 1 },
	{ "base64", CONV_BASE64, 1, 0 },
	{ "ping", CONV_PING, 1, 1 },
	{ "pong", CONV_PONG, 1, 1 },
	{ "close", CONV_CLOSE, 1, 1 },
	{ "frame", CONV_FRAME, 1, 0 },
	{ "raw", CONV_RAW, 1, 0 },
	{ "re", CONV_RE, 0, 1 },
	{ "jq", CONV_JQ, 0, 1 },
};

struct parser {
	struct conv *c;
	int line;
	int header;          /* still in the header part */
	int group;           /* the open "any order" block, or 0 */
	int group_line;
	int ngroups;
	const char *src;     /* the line being parsed */
	char *err;
	size_t cap;
};

static int
perr(struct parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(ps->err, ps->cap, "%s:%d: ", ps->c->name, ps->line);
	if (n < 0 || (size_t)n >= ps->cap)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->cap - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static struct conv_step *
add_step(struct parser *ps, enum conv_kind kind, const char *src)
{
	struct conv *c = ps->c;
	struct conv_step *v = realloc(c->steps, (c->nsteps + 1) * sizeof *v);

	if (v == NULL)
		return NULL;
	c->steps = v;
	memset(&v[c->nsteps], 0, sizeof *v);
	v[c->nsteps].kind = kind;
	v[c->nsteps].line = ps->line;
	if ((v[c->nsteps].src = strdup(src)) == NULL)
		return NULL;
	if (kind == CONV_EXPECT || kind == CONV_NOTHING)
		c->nexpect++;
	return &v[c->nsteps++];
}

/* The word w (n bytes) at the start of s, then blanks: returns the rest,
 * or NULL if s does not start with that word. */
static const char *
word(const char *s, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(s, w, n) || (s[n] != '\0' && !is_blank(s[n])))
		return NULL;
	s += n;
	while (is_blank(*s))
		s++;
	return s;
}

static int
header_line(struct parser *ps, const char *s)
{
	struct conv *c = ps->c;
	const char *v;
	double d;

	if (!ps->header)
		return perr(ps, "%.*s must come before the first step",
		    (int)strcspn(s, " \t"), s);
	if ((v = word(s, "@url")) != NULL) {
		if (*v == '\0')
			return perr(ps, "@url needs a URL");
		free(c->url);
		return (c->url = strdup(v)) ? 0 : -1;
	}
	if ((v = word(s, "@protocol")) != NULL) {
		if (*v == '\0' || strpbrk(v, " \t,"))
			return perr(ps, "@protocol needs one name");
		return push_str(&c->protocols, &c->nprotocols, v, strlen(v));
	}
	if ((v = word(s, "@header")) != NULL) {
		const char *colon = strchr(v, ':');

		if (colon == NULL || colon == v)
			return perr(ps, "@header is written @header NAME: "
			    "VALUE");
		return push_str(&c->headers, &c->nheaders, v, strlen(v));
	}
	if ((v = word(s, "@origin")) != NULL) {
		if (*v == '\0')
			return perr(ps, "@origin needs a value");
		free(c->origin);
		return (c->origin = strdup(v)) ? 0 : -1;
	}
	if ((v = word(s, "@proto")) != NULL) {
		if (*v == '\0')
			return perr(ps, "@proto needs a name");
		free(c->proto);
		return (c->proto = strdup(v)) ? 0 : -1;
	}
	if ((v = word(s, "@within")) != NULL) {
		if (conv_duration(v, &d) == -1 || d <= 0)
			return perr(ps, "@within: '%s' is not a duration "
			    "(e.g. 2s, 500ms)", v);
		c->within = d;
		return 0;
	}
	if ((v = word(s, "@var")) != NULL) {
		size_t k = 0;

		while (name_char(v[k], k == 0))
			k++;
		if (k == 0 || v[k] != '=')
			return perr(ps, "@var is written @var NAME=VALUE");
		return push_str(&c->vars, &c->nvars, v, strlen(v));
	}
	return perr(ps, "unknown header line '%.*s' (known: @url, @protocol, "
	    "@header, @origin, @proto, @within, @var)",
	    (int)strcspn(s, " \t"), s);
}

/* Any variable is known: the syntax of {{NAME}} and escapes alone. */
static const char *
any_name(void *ud, const char *name, size_t n)
{
	return "";
}

/* "> ..." or "< ...": s is past the marker. */
static int
message_line(struct parser *ps, char dir, const char *s)
{
	struct conv_step *st;
	struct conv_msg m;
	enum conv_what what = CONV_TEXT;
	const char *body = s;
	char why[256];
	size_t i;

	if (dir == '>' && ps->group)
		return perr(ps, "a send inside 'any order' (line %d): end the "
		    "block first", ps->group_line);
	if (s[0] == '/' && s[1] == '/') {
		body = s + 1;
	} else if (s[0] == '/') {
		size_t n = strcspn(s + 1, " \t");

		for (i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
			if (strlen(keywords[i].name) == n &&
			    !strncmp(keywords[i].name, s + 1, n))
				break;
		if (i == sizeof keywords / sizeof keywords[0] ||
		    !(dir == '>' ? keywords[i].send : keywords[i].expect))
			return perr(ps, "%s /%.*s is not a%s here (write %c "
			    "//%.*s for the text)", dir == '>' ? "sending" :
			    "expecting", (int)n, s + 1, dir == '>' ?
			    " command that sends" : "n expectation", dir,
			    (int)n, s + 1);
		what = keywords[i].what;
		body = s + 1 + n;
		while (is_blank(*body))
			body++;
		if (what == CONV_QTEXT && *body != '"')
			return perr(ps, "/text takes a string in double quotes");
		if ((what == CONV_RE || what == CONV_JQ || what == CONV_FRAME) &&
		    *body == '\0')
			return perr(ps, "/%s needs %s", keywords[i].name,
			    what == CONV_RE ? "a regular expression" :
			    what == CONV_JQ ? "a jq filter" : "a SPEC");
	}
	if ((st = add_step(ps, dir == '>' ? CONV_SEND : CONV_EXPECT,
	    ps->src)) == NULL)
		return perr(ps, "out of memory");
	st->what = what;
	st->group = ps->group;
	st->has_body = *body != '\0';
	if ((st->body = strdup(body)) == NULL)
		return perr(ps, "out of memory");
	/* what can be checked before any variable is known */
	if (strstr(body, "{{") == NULL) {
		if (conv_expand(st, NULL, NULL, &m, why, sizeof why) == -1)
			return perr(ps, "%s", why);
		conv_msg_free(&m);
	} else {
		struct buf b = {0};
		int r = expand(body, strlen(body), what == CONV_QTEXT,
		    any_name, NULL, &b, why, sizeof why);

		free(b.p);
		if (r == -1)
			return perr(ps, "%s", why);
	}
	return 0;
}

static struct conv_step *
last_expectation(struct parser *ps)
{
	struct conv *c = ps->c;
	size_t i = c->nsteps;

	while (i > 0 && c->steps[i - 1].kind == CONV_DELAY)
		i--;
	if (i == 0 || c->steps[i - 1].kind != CONV_EXPECT)
		return NULL;
	return &c->steps[i - 1];
}

static int
modifier_line(struct parser *ps, const char *s)
{
	struct conv_step *st = last_expectation(ps);
	const char *v;
	char kw[16];
	double d;

	snprintf(kw, sizeof kw, "%.*s", (int)strcspn(s, " \t"), s);
	if (st == NULL)
		return perr(ps, "'%s' qualifies an expectation: put it under "
		    "a '<' line", kw);
	if ((v = word(s, "within")) != NULL) {
		if (conv_duration(v, &d) == -1 || d <= 0)
			return perr(ps, "within: '%s' is not a duration "
			    "(e.g. 2s, 500ms)", v);
		st->within = d;
		return 0;
	}
	if ((v = word(s, "skip")) != NULL) {
		if (*v != '\0')
			return perr(ps, "skip takes nothing after it");
		if (st->group)
			return perr(ps, "skip cannot be used in 'any order' "
			    "(what matches none of them fails)");
		st->skip = 1;
		return 0;
	}
	if ((v = word(s, "capture")) != NULL) {
		struct conv_capture *cv, *cp;
		size_t k = 0;

		while (name_char(v[k], k == 0))
			k++;
		if (k == 0 || !is_blank(v[k]))
			return perr(ps, "capture is written capture NAME \\N "
			    "or capture NAME FILTER");
		cv = realloc(st->caps, (st->ncaps + 1) * sizeof *cv);
		if (cv == NULL)
			return perr(ps, "out of memory");
		st->caps = cv;
		cp = &cv[st->ncaps++];
		memset(cp, 0, sizeof *cp);
		cp->line = ps->line;
		if ((cp->name = xstrndup(v, k)) == NULL)
			return perr(ps, "out of memory");
		v += k;
		while (is_blank(*v))
			v++;
		if (*v == '\\') {
			if (!isdigit((unsigned char)v[1]) || v[2] != '\0')
				return perr(ps, "capture: \\N is a group "
				    "number, 0 to 9");
			if (st->what != CONV_RE)
				return perr(ps, "capture %s \\%c: a group "
				    "needs a /re expectation", cp->name, v[1]);
			cp->group = v[1] - '0';
			return 0;
		}
		if (*v == '\0')
			return perr(ps, "capture %s needs \\N or a jq filter",
			    cp->name);
		return (cp->expr = strdup(v)) ? 0 : perr(ps, "out of memory");
	}
	return perr(ps, "unknown modifier '%s'", kw);
}

/* "# +1.250s": a recorded pause. */
static int
delay_comment(const char *s, double *secs)
{
	char *end;
	double v;

	s++;
	while (is_blank(*s))
		s++;
	if (*s != '+' || !(isdigit((unsigned char)s[1]) || s[1] == '.'))
		return 0;
	errno = 0;
	v = strtod(s + 1, &end);
	if (errno || !isfinite(v) || v < 0 || strcmp(end, "s"))
		return 0;
	*secs = v;
	return 1;
}

static int
parse_line(struct parser *ps, const char *s)
{
	struct conv_step *st;
	const char *v;
	double d;

	if (*s == '\0')
		return 0;
	ps->src = s;
	if (*s == '#') {
		if (delay_comment(s, &d)) {
			if ((st = add_step(ps, CONV_DELAY, s)) == NULL)
				return perr(ps, "out of memory");
			st->secs = d;
		}
		return 0;
	}
	if (*s == '@')
		return header_line(ps, s);
	if (*s == '>' || *s == '<') {
		char dir = *s++;

		/* "<<" or ">x" is more likely a slip than a message */
		if (*s != '\0' && !is_blank(*s))
			return perr(ps, "'%c' is followed by a blank, then the "
			    "message", dir);
		while (is_blank(*s))
			s++;
		ps->header = 0;
		return message_line(ps, dir, s);
	}
	if ((v = word(s, "nothing")) != NULL) {
		if ((v = word(v, "within")) == NULL ||
		    conv_duration(v, &d) == -1 || d <= 0)
			return perr(ps, "nothing is written nothing within "
			    "DURATION (e.g. 1s, 500ms)");
		if (ps->group)
			return perr(ps, "'nothing within' inside 'any order' "
			    "(line %d)", ps->group_line);
		if ((st = add_step(ps, CONV_NOTHING, s)) == NULL)
			return perr(ps, "out of memory");
		st->secs = d;
		ps->header = 0;
		return 0;
	}
	if ((v = word(s, "sleep")) != NULL) {
		if (conv_duration(v, &d) == -1)
			return perr(ps, "sleep: '%s' is not a duration "
			    "(e.g. 1s, 500ms)", v);
		if (ps->group)
			return perr(ps, "sleep inside 'any order' (line %d)",
			    ps->group_line);
		if ((st = add_step(ps, CONV_SLEEP, s)) == NULL)
			return perr(ps, "out of memory");
		st->secs = d;
		ps->header = 0;
		return 0;
	}
	if ((v = word(s, "any")) != NULL && !strcmp(v, "order")) {
		if (ps->group)
			return perr(ps, "'any order' inside 'any order' (line "
			    "%d)", ps->group_line);
		ps->group = ++ps->ngroups;
		ps->group_line = ps->line;
		ps->header = 0;
		return 0;
	}
	if ((v = word(s, "end")) != NULL && *v == '\0') {
		size_t i;
		int n = 0;

		if (!ps->group)
			return perr(ps, "'end' without 'any order'");
		for (i = 0; i < ps->c->nsteps; i++)
			n += ps->c->steps[i].group == ps->group;
		if (n == 0)
			return perr(ps, "'any order' (line %d) holds no "
			    "expectation", ps->group_line);
		ps->group = 0;
		return 0;
	}
	if (word(s, "within") || word(s, "skip") || word(s, "capture"))
		return modifier_line(ps, s);
	return perr(ps, "not a step: '%.40s' (a send starts with '>', an "
	    "expectation with '<', a comment with '#')", s);
}

int
conv_parse(const char *text, size_t len, const char *name,
    struct conv **out, char *err, size_t cap)
{
	struct parser ps = {0};
	struct conv *c;
	char *line = NULL;
	size_t pos = 0, lcap = 0;

	*out = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->name = strdup(name ? name : "-")) == NULL) {
		free(c);
		snprintf(err, cap, "%s: out of memory", name ? name : "-");
		return -1;
	}
	c->within = CONV_WITHIN_DEFAULT;
	ps.c = c;
	ps.header = 1;
	ps.err = err;
	ps.cap = cap;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos, a = 0;

		ps.line++;
		if (n + 1 > lcap) {
			char *l = realloc(line, n + 1);

			if (l == NULL) {
				perr(&ps, "out of memory");
				goto fail;
			}
			line = l;
			lcap = n + 1;
		}
		memcpy(line, text + pos, n);
		pos += n + (nl != NULL);
		if (memchr(line, '\0', n) != NULL) {
			perr(&ps, "a NUL byte (not a text file?)");
			goto fail;
		}
		/* blanks at either end are the editor's, not the message's */
		while (n > 0 && (is_blank(line[n - 1]) || line[n - 1] == '\r'))
			n--;
		line[n] = '\0';
		while (is_blank(line[a]))
			a++;
		if (parse_line(&ps, line + a) == -1)
			goto fail;
	}
	if (ps.group) {
		ps.line = ps.group_line;
		perr(&ps, "'any order' without its 'end'");
		goto fail;
	}
	free(line);
	*out = c;
	return 0;
fail:
	free(line);
	conv_free(c);
	return -1;
}

int
conv_load(const char *path, struct conv **out, char *err, size_t cap)
{
	struct buf b = {0};
	char chunk[8192];
	FILE *f;
	size_t n;
	int r;

	*out = NULL;
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (f == NULL) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_add(&b, chunk, n) == -1) {
			snprintf(err, cap, "%s: out of memory", path);
			goto fail;
		}
	if (ferror(f)) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	r = conv_parse(b.p ? b.p : "", b.n, path, out, err, cap);
	free(b.p);
	return r;
fail:
	if (f != stdin)
		fclose(f);
	free(b.p);
	return -1;
}

static void
free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
conv_free(struct conv *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsteps; i++) {
		struct conv_step *s = &c->steps[i];

		free(s->body);
		free(s->src);
		for (j = 0; j < s->ncaps; j++) {
			free(s->caps[j].name);
			free(s->caps[j].expr);
		}
		free(s->caps);
	}
	free(c->steps);
	free(c->name);
	free(c->url);
	free(c->origin);
	free(c->proto);
	free_strv(c->protocols, c->nprotocols);
	free_strv(c->headers, c->nheaders);
	free_strv(c->vars, c->nvars);
	free(c);
}

/* ---------------------------------------------------------------- writer */

/* Length of the UTF-8 sequence at p (n bytes left) and its code point,
 * or 0 if it is not valid UTF-8. */
static size_t
utf8_at(const uint8_t *p, size_t n, unsigned long *cp)
{
	size_t k, i;
	unsigned long u;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		k = 2;
		u = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		k = 3;
		u = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		k = 4;
		u = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		u = u << 6 | (p[i] & 0x3f);
	}
	if ((k == 3 && (u < 0x800 || (u >= 0xd800 && u <= 0xdfff))) ||
	    (k == 4 && (u < 0x10000 || u > 0x10ffff)))
		return 0;
	*cp = u;
	return k;
}

/* Code points a plain line must not carry: controls (a terminal acts on
 * them, an editor mangles them) and bidi overrides (they reorder what is
 * read). */
static int
unsafe_cp(unsigned long u)
{
	return u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0) ||
	    u == 0x61c || u == 0x200e || u == 0x200f ||
	    (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069) ||
	    u == 0x2028 || u == 0x2029 || u == 0xfeff;
}

/* p can be written as it is after a marker: it reads back the same. */
static int
plain_ok(const uint8_t *p, size_t n, int quote_sensitive)
{
	size_t i, k;
	unsigned long u;

	if (n == 0 || is_blank(p[0]) || is_blank(p[n - 1]))
		return 0;
	if (quote_sensitive && p[0] == '"')
		return 0;
	for (i = 0; i < n; i += k) {
		if ((k = utf8_at(p + i, n - i, &u)) == 0 || unsafe_cp(u))
			return 0;
		if (u == '{' && i + 1 < n && p[i + 1] == '{')
			return 0;
	}
	return 1;
}

static int
write_quoted(FILE *f, const uint8_t *p, size_t n)
{
	size_t i, k;
	unsigned long u;

	if (putc('"', f) == EOF)
		return -1;
	for (i = 0; i < n; i += k) {
		if ((k = utf8_at(p + i, n - i, &u)) == 0) {
			fprintf(f, "\\x%02x", p[i]);
			k = 1;
			continue;
		}
		switch (u) {
		case '\n': fputs("\\n", f); continue;
		case '\r': fputs("\\r", f); continue;
		case '\t': fputs("\\t", f); continue;
		case '\0': fputs("\\0", f); continue;
		case '\\': fputs("\\\\", f); continue;
		case '"': fputs("\\\"", f); continue;
		case '{':
			fputs(i + 1 < n && p[i + 1] == '{' ? "\\{" : "{", f);
			continue;
		}
		if (u < 0x20 || u == 0x7f)
			fprintf(f, "\\x%02lx", u);
		else if (unsafe_cp(u))
			fprintf(f, "\\u{%lx}", u);
		else
			fwrite(p + i, 1, k, f);
	}
	return putc('"', f) == EOF ? -1 : 0;
}

/* A payload after a keyword: plain when it reads back the same, else in
 * quotes. Nothing at all for n == 0. */
static int
write_payload(FILE *f, const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	putc(' ', f);
	if (plain_ok(p, n, 1))
		return fwrite(p, 1, n, f) == n ? 0 : -1;
	return write_quoted(f, p, n);
}

static int
finish_line(FILE *f)
{
	return putc('\n', f) == EOF || ferror(f) ? -1 : 0;
}

int
conv_write_header(FILE *f, const char *url, const char *const *protocols,
    size_t n)
{
	size_t i;

	if (url != NULL)
		fprintf(f, "@url %s\n", url);
	for (i = 0; i < n; i++)
		fprintf(f, "@protocol %s\n", protocols[i]);
	return ferror(f) ? -1 : 0;
}

int
conv_write_proto(FILE *f, const char *name)
{
	fprintf(f, "@proto %s\n", name);
	return ferror(f) ? -1 : 0;
}

int
conv_write_message(FILE *f, char dir, unsigned opcode, const uint8_t *p,
    size_t n)
{
	size_t i;

	switch (opcode) {
	case WS_OP_TEXT:
		if (!plain_ok(p, n, 0)) {
			fprintf(f, "%c /text ", dir);
			if (write_quoted(f, p, n) == -1)
				return -1;
		} else {
			fprintf(f, "%c %s", dir, p[0] == '/' ? "/" : "");
			fwrite(p, 1, n, f);
		}
		break;
	case WS_OP_BINARY:
		fprintf(f, "%c /binary", dir);
		for (i = 0; i < n; i++)
			fprintf(f, " %02x", p[i]);
		break;
	case WS_OP_PING:
	case WS_OP_PONG:
		fprintf(f, "%c /%s", dir, opcode == WS_OP_PING ? "ping" :
		    "pong");
		if (write_payload(f, p, n) == -1)
			return -1;
		break;
	default:
		return -1;
	}
	return finish_line(f);
}

int
conv_write_close(FILE *f, char dir, unsigned code, const uint8_t *reason,
    size_t n)
{
	fprintf(f, "%c /close", dir);
	if (code != 0) {
		fprintf(f, " %u", code);
		if (write_payload(f, reason, n) == -1)
			return -1;
	}
	return finish_line(f);
}

int
conv_write_delay(FILE *f, double secs)
{
	fprintf(f, "# +%.3fs\n", secs < 0 ? 0 : secs);
	return ferror(f) ? -1 : 0;
}

int
conv_write_comment(FILE *f, const char *text)
{
	putc('#', f);
	if (*text != '\0')
		putc(' ', f);
	for (; *text; text++)
		putc(*text == '\n' || *text == '\r' ? ' ' : *text, f);
	return finish_line(f);
}
