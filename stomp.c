/*
 * stomp.c - STOMP frames (see stomp.h).
 *
 * The parser finds the blank line that ends the headers before it
 * touches anything, so a frame cut inside its headers is named as such
 * rather than read as a header. Then it decodes each header in place:
 * escapes only shrink a value, and the ':' and the EOL become NULs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stomp.h"

const char *
stomp_strerror(int err)
{
	switch (err) {
	case STOMP_ERR_NO_NUL:
		return "frame not ended by NUL";
	case STOMP_ERR_HEADERS_CUT:
		return "frame ends inside its command or headers";
	case STOMP_ERR_NO_COLON:
		return "header line without ':'";
	case STOMP_ERR_ESCAPE:
		return "undefined escape sequence in a header";
	case STOMP_ERR_LENGTH:
		return "content-length not a number";
	case STOMP_ERR_LENGTH_NUL:
		return "no NUL after content-length bytes of body";
	case STOMP_ERR_TOO_MANY:
		return "too many headers";
	case STOMP_ERR_COMMAND:
		return "unknown command";
	case STOMP_ERR_MISSING:
		return "required header missing";
	case STOMP_ERR_HEART_BEAT:
		return "heart-beat header not two numbers";
	}
	return "unknown error";
}

static int
is_connect(const char *cmd)
{
	return !strcmp(cmd, "CONNECT") || !strcmp(cmd, "STOMP") ||
	    !strcmp(cmd, "CONNECTED");
}

/* Decode the escapes of s in place (1.1: \\ \n \c; 1.2 adds \r). */
static int
unescape(char *s, int version)
{
	char *w = s;

	for (; *s; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		switch (*++s) {
		case '\\': *w++ = '\\'; break;
		case 'n': *w++ = '\n'; break;
		case 'c': *w++ = ':'; break;
		case 'r':
			if (version >= 12) {
				*w++ = '\r';
				break;
			}
			/* FALLTHROUGH */
		default:
			return STOMP_ERR_ESCAPE;
		}
	}
	*w = '\0';
	return 0;
}

/* Cut the line starting at p (ending at LF before end) into a C string,
 * dropping a CR before the LF. Returns what follows the LF. */
static uint8_t *
cut_line(uint8_t *p, uint8_t *lf)
{
	if (lf > p && lf[-1] == '\r')
		lf[-1] = '\0';
	*lf = '\0';
	return lf + 1;
}

int
stomp_parse(uint8_t *buf, size_t len, int version, struct stomp_frame *f,
    size_t *used)
{
	uint8_t *p = buf, *end = buf + len, *q, *lf, *hend, *nul;
	const char *cl;
	int escaped, i, r;

	memset(f, 0, sizeof *f);
	/* EOLs before a frame are heart-beats. */
	while (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end &&
	    p[1] == '\n')))
		p += *p == '\r' ? 2 : 1;
	if (p == end) {
		*used = len;
		return STOMP_HEARTBEAT;
	}
	/* The headers end at the first empty line; a NUL before it means
	 * the frame ended inside them. */
	hend = NULL;
	for (q = p; q < end && *q != '\0'; q++) {
		if (*q != '\n')
			continue;
		if (q + 1 < end && q[1] == '\n') {
			hend = q + 1;
			break;
		}
		if (q + 2 < end && q[1] == '\r' && q[2] == '\n') {
			hend = q + 2;
			break;
		}
	}
	if (hend == NULL)
		return STOMP_ERR_HEADERS_CUT;

	lf = memchr(p, '\n', (size_t)(hend - p));
	f->command = (char *)p;
	p = cut_line(p, lf);
	escaped = version >= 11 && !is_connect(f->command);
	while (p < hend) {
		char *colon;

		lf = memchr(p, '\n', (size_t)(hend + 1 - p));
		if (lf == p || (lf == p + 1 && *p == '\r'))
			break;
		if (f->nhdr == STOMP_MAX_HEADERS)
			return STOMP_ERR_TOO_MANY;
		q = cut_line(p, lf);
		colon = strchr((char *)p, ':');
		if (colon == NULL)
			return STOMP_ERR_NO_COLON;
		*colon = '\0';
		f->hdr[f->nhdr].name = (char *)p;
		f->hdr[f->nhdr].value = colon + 1;
		if (escaped) {
			if ((r = unescape(f->hdr[f->nhdr].name, version)) != 0 ||
			    (r = unescape(f->hdr[f->nhdr].value, version)) != 0)
				return r;
		}
		f->nhdr++;
		p = q;
	}
	p = hend + 1;
	f->body = p;

	if ((cl = stomp_header(f, "content-length")) != NULL) {
		unsigned long long n = 0;

		if (*cl == '\0')
			return STOMP_ERR_LENGTH;
		for (i = 0; cl[i]; i++) {
			if (cl[i] < '0' || cl[i] > '9' || n > (1ULL << 40))
				return STOMP_ERR_LENGTH;
			n = n * 10 + (unsigned)(cl[i] - '0');
		}
		if (n >= (size_t)(end - p) || p[n] != '\0')
			return STOMP_ERR_LENGTH_NUL;
		nul = p + n;
	} else if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL) {
		return STOMP_ERR_NO_NUL;
	}
	f->body_len = (size_t)(nul - p);
	p = nul + 1;
	while (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end &&
	    p[1] == '\n')))
		p += *p == '\r' ? 2 : 1;
	*used = (size_t)(p - buf);
	return STOMP_FRAME;
}

const char *
stomp_header(const struct stomp_frame *f, const char *name)
{
	int i;

	for (i = 0; i < f->nhdr; i++)
		if (!strcmp(f->hdr[i].name, name))
			return f->hdr[i].value;
	return NULL;
}

int
stomp_check(const struct stomp_frame *f, int version, int from_server,
    const char **what)
{
	static const char *const server[] = { "CONNECTED", "MESSAGE",
	    "RECEIPT", "ERROR", NULL };
	static const char *const client[] = { "CONNECT", "STOMP", "SEND",
	    "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK", "BEGIN", "COMMIT",
	    "ABORT", "DISCONNECT", NULL };
	const char *const *c = from_server ? server : client;
	const char *need[4] = { NULL };
	int i;

	*what = NULL;
	for (; *c; c++)
		if (!strcmp(*c, f->command))
			break;
	if (*c == NULL)
		return STOMP_ERR_COMMAND;
	if (!strcmp(f->command, "MESSAGE")) {
		need[0] = "destination";
		need[1] = "message-id";
		if (version >= 11)
			need[2] = "subscription";
	} else if (!strcmp(f->command, "RECEIPT")) {
		need[0] = "receipt-id";
	} else if (!strcmp(f->command, "CONNECTED") && version >= 11) {
		need[0] = "version";
	} else if (!strcmp(f->command, "SEND") ||
	    !strcmp(f->command, "SUBSCRIBE")) {
		need[0] = "destination";
	}
	for (i = 0; need[i]; i++) {
		if (stomp_header(f, need[i]) == NULL) {
			*what = need[i];
			return STOMP_ERR_MISSING;
		}
	}
	return 0;
}

/* Bytes s takes escaped; writes them at w if w is not NULL. */
static size_t
escape(uint8_t *w, const char *s, int escaped)
{
	size_t n = 0;

	for (; *s; s++) {
		const char *e = NULL;

		if (escaped) {
			switch (*s) {
			case '\\': e = "\\\\"; break;
			case '\n': e = "\\n"; break;
			case ':': e = "\\c"; break;
			case '\r': e = escaped >= 12 ? "\\r" : NULL; break;
			}
		}
		if (e) {
			if (w) {
				w[n] = (uint8_t)e[0];
				w[n + 1] = (uint8_t)e[1];
			}
			n += 2;
		} else {
			if (w)
				w[n] = (uint8_t)*s;
			n++;
		}
	}
	return n;
}

size_t
stomp_encode(uint8_t *buf, size_t cap, int version, const char *command,
    const char *const *hdrs, size_t npairs, const uint8_t *body,
    size_t body_len, int with_length)
{
	char len_s[32];
	size_t total, i, n;
	int esc = version >= 11 && !is_connect(command) ? version : 0;
	uint8_t *w;

	snprintf(len_s, sizeof len_s, "%zu", body_len);
	total = strlen(command) + 1;
	for (i = 0; i < npairs; i++)
		total += escape(NULL, hdrs[2 * i], esc) + 1 +
		    escape(NULL, hdrs[2 * i + 1], esc) + 1;
	if (with_length)
		total += strlen("content-length:") + strlen(len_s) + 1;
	total += 1 + body_len + 1;
	if (total > cap)
		return total;

	w = buf;
	n = strlen(command);
	memcpy(w, command, n);
	w += n;
	*w++ = '\n';
	for (i = 0; i < npairs; i++) {
		w += escape(w, hdrs[2 * i], esc);
		*w++ = ':';
		w += escape(w, hdrs[2 * i + 1], esc);
		*w++ = '\n';
	}
	if (with_length)
		w += sprintf((char *)w, "content-length:%s\n", len_s);
	*w++ = '\n';
	if (body_len)
		memcpy(w, body, body_len);
	w += body_len;
	*w = '\0';
	return total;
}

int
stomp_heartbeat_parse(const char *s, unsigned long *x, unsigned long *y)
{
	char *e;

	if (*s < '0' || *s > '9')
		return STOMP_ERR_HEART_BEAT;
	*x = strtoul(s, &e, 10);
	if (*e != ',' || e[1] < '0' || e[1] > '9')
		return STOMP_ERR_HEART_BEAT;
	*y = strtoul(e + 1, &e, 10);
	return *e ? STOMP_ERR_HEART_BEAT : 0;
}

void
stomp_heartbeat_negotiate(unsigned long cx, unsigned long cy,
    unsigned long sx, unsigned long sy, unsigned long *send_ms,
    unsigned long *recv_ms)
{
	*send_ms = cx && sy ? (cx > sy ? cx : sy) : 0;
	*recv_ms = cy && sx ? (cy > sx ? cy : sx) : 0;
}

int
stomp_version_of(const char *s)
{
	if (!strcmp(s, "v12.stomp") || !strcmp(s, "1.2"))
		return 12;
	if (!strcmp(s, "v11.stomp") || !strcmp(s, "1.1"))
		return 11;
	if (!strcmp(s, "v10.stomp") || !strcmp(s, "1.0"))
		return 10;
	return 0;
}
