/*
 * siopkt.c - Socket.IO and Engine.IO packets as they come in WebSocket
 * text messages (see siopkt.h): decoded and checked in place.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "siopkt.h"

static int
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static size_t
skip_blanks(const uint8_t *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
	    p[i] == '\r'))
		i++;
	return i;
}

/* Names socket.io keeps for itself: an event may not be called so. */
static int
reserved_event(const uint8_t *p, size_t n)
{
	static const char *const names[] = {
		"\"connect\"", "\"connect_error\"", "\"disconnect\"",
		"\"disconnecting\"", "\"newListener\"", "\"removeListener\"",
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == n && !memcmp(p, names[i], n))
			return 1;
	return 0;
}

/* The data d[0..n) after a Socket.IO packet's header has the shape its
 * type calls for: 0, or -1 with why. */
int
sio_check_data(int type, const uint8_t *p, size_t n, char *why, size_t cap)
{
	static const char *const types[] = {
		"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR",
		"BINARY_EVENT", "BINARY_ACK",
	};
	size_t d = skip_blanks(p, n, 0);

#define A(t) ((t) == SIO_EVENT || (t) == SIO_ACK ? "an" : "a")
	if (d == n) {
		if (type == SIO_CONNECT || type == SIO_DISCONNECT)
			return 0;
		snprintf(why, cap, "%s %s without data", A(type), types[type]);
		return -1;
	}
	if (!json_valid(p, n)) {
		snprintf(why, cap, "the data of %s %s is not valid JSON",
		    A(type), types[type]);
		return -1;
	}
	switch (type) {
	case SIO_CONNECT:
		if (p[d] != '{') {
			snprintf(why, cap, "the data of a CONNECT is not an "
			    "object");
			return -1;
		}
		break;
	case SIO_DISCONNECT:
		snprintf(why, cap, "a DISCONNECT with data");
		return -1;
	case SIO_EVENT:
	case SIO_BINARY_EVENT: {
		size_t f = skip_blanks(p, n, d + 1), e;

		if (p[d] != '[' || f >= n || p[f] == ']') {
			snprintf(why, cap, "the data of an %s is not an array "
			    "starting with the event's name", types[type]);
			return -1;
		}
		e = f + json_value(p + f, n - f);
		if (p[f] != '"' && !is_digit(p[f]) && p[f] != '-') {
			snprintf(why, cap, "an %s whose name (the first "
			    "element) is not a string", types[type]);
			return -1;
		}
		if (reserved_event(p + f, e - f)) {
			snprintf(why, cap, "an %s named %.*s, a name socket.io "
			    "reserves", types[type], (int)(e - f), p + f);
			return -1;
		}
		break;
	}
	case SIO_ACK:
	case SIO_BINARY_ACK:
		if (p[d] != '[') {
			snprintf(why, cap, "the data of an %s is not an array",
			    types[type]);
			return -1;
		}
		break;
	case SIO_CONNECT_ERROR:
		if (p[d] != '{' && p[d] != '"') {
			snprintf(why, cap, "the data of a CONNECT_ERROR is "
			    "neither an object nor a string");
			return -1;
		}
		break;
	}
	return 0;
#undef A
}

int
sio_parse(const uint8_t *p, size_t n, struct sio_packet *pk, char *why,
    size_t cap)
{
	size_t i = 0;
	static const char *const types[] = {
		"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR",
		"BINARY_EVENT", "BINARY_ACK",
	};

	memset(pk, 0, sizeof *pk);
	pk->type = -1;
	pk->nsp = (const uint8_t *)"/";
	pk->nnsp = 1;
	if (n == 0) {
		snprintf(why, cap, "an empty message (no Engine.IO packet "
		    "type)");
		return -1;
	}
	if (p[0] < '0' || p[0] > '6') {
		snprintf(why, cap, "unknown Engine.IO packet type '%c'%s",
		    p[0] >= 0x20 && p[0] < 0x7f ? p[0] : '?', p[0] == 'b' ?
		    " (base64 binary is for HTTP long-polling)" : "");
		return -1;
	}
	pk->eio = p[0] - '0';
	if (pk->eio != EIO_MESSAGE) {
		pk->data = p + 1;
		pk->ndata = n - 1;
		return 0;
	}
	if (n < 2 || p[1] < '0' || p[1] > '6') {
		if (n < 2)
			snprintf(why, cap, "an Engine.IO message without a "
			    "Socket.IO packet type");
		else
			snprintf(why, cap, "unknown Socket.IO packet type '%c'",
			    p[1] >= 0x20 && p[1] < 0x7f ? p[1] : '?');
		return -1;
	}
	pk->type = p[1] - '0';
	i = 2;
	if (pk->type == SIO_BINARY_EVENT || pk->type == SIO_BINARY_ACK) {
		size_t s = i;
		unsigned long a = 0;

		while (i < n && is_digit(p[i]) && i - s < 8)
			a = a * 10 + (unsigned long)(p[i++] - '0');
		if (i == s || i >= n || p[i] != '-') {
			snprintf(why, cap, "a %s without its number of "
			    "attachments ('N-')", types[pk->type]);
			return -1;
		}
		if (a > SIO_MAX_ATTACHMENTS) {
			snprintf(why, cap, "a %s announcing %lu attachments "
			    "(wscli takes at most %d)", types[pk->type], a,
			    SIO_MAX_ATTACHMENTS);
			return -1;
		}
		pk->attachments = (unsigned)a;
		i++;
	}
	if (i < n && p[i] == '/') {
		const uint8_t *comma = memchr(p + i, ',', n - i);
		size_t e = comma ? (size_t)(comma - p) : n;

		pk->nsp = p + i;
		pk->nnsp = e - i;
		i = comma ? e + 1 : n;
	}
	if (i < n && is_digit(p[i])) {
		size_t s = i;

		while (i < n && is_digit(p[i])) {
			if (i - s >= 16) { /* JavaScript numbers: 2^53 */
				snprintf(why, cap, "an ack id of more than 16 "
				    "digits");
				return -1;
			}
			pk->id = pk->id * 10 + (uint64_t)(p[i++] - '0');
		}
		pk->has_id = 1;
	}
	pk->data = p + i;
	pk->ndata = n - i;
	if (skip_blanks(p, n, i) == n)
		pk->ndata = 0;
	return sio_check_data(pk->type, p + i, n - i, why, cap);
}

/* Whether the query q (what follows '?') has the parameter name. */
static int
has_param(const char *q, const char *name)
{
	size_t n = strlen(name);

	while (*q != '\0') {
		if (!strncmp(q, name, n) && (q[n] == '=' || q[n] == '&' ||
		    q[n] == '\0'))
			return 1;
		q += strcspn(q, "&");
		if (*q == '&')
			q++;
	}
	return 0;
}

int
sio_url(const char *url, int path_is_nsp, char *buf, size_t cap, char *nsp,
    size_t ncap)
{
	const char *host = strstr(url, "://"), *path, *query, *epath;
	size_t hl, pl, el;
	int k;

	if (ncap > 0)
		nsp[0] = '\0';
	/* a fragment is no part of a WebSocket URL: leave it to the dialer */
	if (host == NULL || strchr(url, '#'))
		return 0;
	host += 3;
	path = host + strcspn(host, "/?");
	hl = (size_t)(path - url);
	pl = strcspn(path, "?");
	query = path[pl] == '?' ? path + pl + 1 : NULL;
	if (query && has_param(query, "EIO")) {
		/* an Engine.IO URL: the path is the engine's; without a
		 * transport the server refuses it ("Transport unknown") */
		if (has_param(query, "transport"))
			return 0;
		k = snprintf(buf, cap, "%s%stransport=websocket", url,
		    *query ? "&" : "");
		return k > 0 && (size_t)k < cap;
	}
	epath = "/socket.io/";
	el = strlen(epath);
	if (pl <= 1 || (pl == 10 && !strncmp(path, "/socket.io", 10)) ||
	    (pl == 11 && !strncmp(path, "/socket.io/", 11)))
		;
	else if (path_is_nsp && pl < ncap && pl <= 1024 &&
	    !memchr(path, ',', pl) && !memchr(path, '"', pl))
		/* socket.io-client's rule: the path names the namespace */
		snprintf(nsp, ncap, "%.*s", (int)pl, path);
	else {
		/* the engine's own path, with the slash socket.io-client
		 * adds */
		epath = path;
		el = pl;
	}
	k = snprintf(buf, cap, "%.*s%.*s%s?%s%sEIO=4&transport=websocket",
	    (int)hl, url, (int)el, epath, epath[el - 1] == '/' ? "" : "/",
	    query ? query : "", query && *query ? "&" : "");
	return k > 0 && (size_t)k < cap;
}
