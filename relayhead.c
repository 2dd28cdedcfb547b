/*
 * relayhead.c - the HTTP side of relay mode: the client's upgrade request
 * translated into the server's, the server's answer into the client's;
 * see relayhead.h.
 *
 * What passes: the client's request target byte for byte (its path and
 * query appended to --forward's),
 * its subprotocol offers, and its end-to-end headers. What does not:
 * hop-by-hop headers (RFC 9110 7.6.1) and those the dialer writes itself
 * or that are negotiated on each side separately (key, version,
 * extensions, Host, Origin unless kept). A -H line wins over the client's
 * header of the same name. On the way back the same rules apply to the
 * server's headers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "dial.h"
#include "relayhead.h"
#include "term.h"
#include "upgrade.h"
#include "exit.h"

/* ---------------------------------------------------- which headers pass */

static const char *const hop_by_hop[] = {
	"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
};

/* Headers the dialer writes itself or that are negotiated per side. */
static const char *const per_side[] = {
	"Host", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
	"Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Origin",
	"Sec-WebSocket-Accept", "Content-Length",
};

static int
named_in(const char *const *list, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && !strncasecmp(list[i], name, len))
			return 1;
	return 0;
}

/* Not passed on: hop-by-hop, per side, named in Connection. */
static int
not_passed(const struct up_head *h, const struct up_header *x)
{
	const struct up_header *conn = NULL;

	if (named_in(hop_by_hop, sizeof hop_by_hop / sizeof hop_by_hop[0],
	    x->name, x->name_len) || named_in(per_side, sizeof per_side /
	    sizeof per_side[0], x->name, x->name_len))
		return 1;
	while ((conn = up_find(h, "Connection", conn)) != NULL) {
		char name[128];

		if (x->name_len >= sizeof name)
			continue;
		memcpy(name, x->name, x->name_len);
		name[x->name_len] = '\0';
		if (up_has_token(conn->value, conn->value_len, name))
			return 1;
	}
	return 0;
}

/* A -H line names the header (so it wins over the client's). */
static int
user_named(const struct curl_slist *headers, const char *name, size_t len)
{
	for (const struct curl_slist *l = headers; l; l = l->next)
		if (!strncasecmp(l->data, name, len) && l->data[len] == ':')
			return 1;
	return 0;
}

/*
 * The request target for the server, byte for byte as the client sent its
 * own (percent-escapes, case and all): --forward's path with the client's
 * appended, --forward's query before the client's, joined with '&'. An
 * absolute-form target (RFC 9112 3.2.2) goes as sent. NULL with
 * --forward-exact: the dialer sends --forward's.
 */
static char *
forward_target(const struct rh_config *cfg, const char *t, size_t len)
{
	const char *fp = cfg->forward_path ? cfg->forward_path : "";
	const char *fq = cfg->forward_query ? cfg->forward_query : "";
	const char *q;
	size_t fl = strlen(fp), plen, n;
	char *out;

	if (cfg->exact)
		return NULL;
	if (len == 0 || t[0] != '/')
		return xstrndup(t, len);
	while (fl > 0 && fp[fl - 1] == '/')
		fl--;
	q = memchr(t, '?', len);
	plen = q ? (size_t)(q - t) : len;
	n = fl + len + strlen(fq) + 3;
	out = xrealloc(NULL, n);
	if (*fq && q && q + 1 < t + len)
		snprintf(out, n, "%.*s%.*s?%s&%.*s", (int)fl, fp, (int)plen, t,
		    fq, (int)(len - plen - 1), q + 1);
	else if (*fq)
		snprintf(out, n, "%.*s%.*s?%s", (int)fl, fp, (int)plen, t, fq);
	else
		snprintf(out, n, "%.*s%.*s", (int)fl, fp, (int)len, t);
	return out;
}

/* The URL the server is asked for, for people: --forward's scheme and
 * authority, then the target as sent. */
static char *
shown_url(const char *forward, const char *target)
{
	const char *a = strstr(forward, "://");
	size_t n;
	char *out;

	if (target == NULL)
		return xstrdup(forward);
	a = a ? a + 3 : forward;
	n = strcspn(a, "/?#");
	if (target[0] != '/')
		return xstrdup(target); /* absolute form: it names itself */
	n += (size_t)(a - forward);
	out = xrealloc(NULL, n + strlen(target) + 1);
	memcpy(out, forward, n);
	strcpy(out + n, target);
	return out;
}

/* http(s)://host[:port] of the server: its own origin. */
static char *
server_origin(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *out;
	int tls = !strncasecmp(url, "wss:", 4);
	size_t n;

	curl_url_set(u, CURLUPART_URL, url, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	n = (host ? strlen(host) : 0) + (port ? strlen(port) : 0) + 16;
	out = xrealloc(NULL, n);
	snprintf(out, n, "%s://%s%s%s", tls ? "https" : "http", host ? host : "",
	    port ? ":" : "", port ? port : "");
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

/* --------------------------------------------------- the upstream request */

int
rh_upstream_init(struct rh_upstream *u, const struct rh_config *cfg,
    const struct up_head *req, const struct up_offer *o)
{
	size_t nuser = 0;

	memset(u, 0, sizeof *u);
	u->target = forward_target(cfg, req->target, req->target_len);
	u->url = shown_url(cfg->forward, u->target);

	/* subprotocol offers, one by one */
	if (o->protocols) {
		const char *s = o->protocols;

		while (*s) {
			size_t k;

			s += strspn(s, ", \t");
			k = strcspn(s, ", \t");
			if (k == 0)
				break;
			u->protocols = xrealloc(u->protocols,
			    (u->nprotocols + 1) * sizeof *u->protocols);
			u->protocols[u->nprotocols++] = xstrndup(s, k);
			s += k;
		}
	}
	/* headers: -H first (they win), then the client's */
	for (const struct curl_slist *l = cfg->headers; l; l = l->next)
		nuser++;
	u->hdrs = xrealloc(NULL, (nuser + req->nheaders + 1) * sizeof *u->hdrs);
	for (const struct curl_slist *l = cfg->headers; l; l = l->next)
		u->hdrs[u->nhdrs++] = l->data;
	u->headers = xrealloc(NULL, (req->nheaders + 1) * sizeof *u->headers);
	for (size_t i = 0; i < req->nheaders; i++) {
		const struct up_header *x = &req->headers[i];
		size_t n = x->name_len + x->value_len + 3;
		size_t rl = strlen(u->removed);

		if (not_passed(req, x) || user_named(cfg->headers, x->name,
		    x->name_len) || (cfg->credentials && x->name_len == 13 &&
		    !strncasecmp(x->name, "Authorization", 13))) {
			if (!named_in(per_side, sizeof per_side /
			    sizeof per_side[0], x->name, x->name_len) &&
			    !(x->name_len == 7 && !strncasecmp(x->name,
			    "Upgrade", 7)) && !(x->name_len == 10 &&
			    !strncasecmp(x->name, "Connection", 10)) &&
			    rl + x->name_len + 3 < sizeof u->removed)
				snprintf(u->removed + rl, sizeof u->removed -
				    rl, "%s%.*s", rl ? ", " : "",
				    (int)x->name_len, x->name);
			continue;
		}
		u->headers[u->nheaders] = xrealloc(NULL, n);
		snprintf(u->headers[u->nheaders], n, "%.*s: %.*s",
		    (int)x->name_len, x->name, (int)x->value_len, x->value);
		u->hdrs[u->nhdrs++] = u->headers[u->nheaders++];
	}
	/* Origin: as the client sent it, the server's own, or -o */
	if (cfg->rewrite_origin) {
		u->origin = server_origin(cfg->forward);
		snprintf(u->origin_note, sizeof u->origin_note, "Origin "
		    "rewritten: %.*s -> %s", o->origin ? (int)o->origin_len :
		    6, o->origin ? o->origin : "(none)", u->origin);
		u->notes[u->nnotes++] = u->origin_note;
	} else if (cfg->origin) {
		u->origin = xstrdup(cfg->origin);
	} else if (o->origin) {
		u->origin = xstrndup(o->origin, o->origin_len);
	}
	if (o->extensions) {
		snprintf(u->ext_note, sizeof u->ext_note, "extension offers not "
		    "passed on: %s (%s)", o->extensions, cfg->deflate ?
		    "permessage-deflate is negotiated on each side" :
		    "without --deflate every frame stays readable");
		u->notes[u->nnotes++] = u->ext_note;
	}
	return 0;
}

void
rh_upstream_free(struct rh_upstream *u)
{
	for (size_t i = 0; i < u->nprotocols; i++)
		free(u->protocols[i]);
	for (size_t i = 0; i < u->nheaders; i++)
		free(u->headers[i]);
	free(u->protocols);
	free(u->headers);
	free(u->hdrs);
	free(u->url);
	free(u->target);
	free(u->origin);
	memset(u, 0, sizeof *u);
}

/* ------------------------------------------------------- the answer back */

char *
rh_refusal(const struct dial_result *r, size_t *n)
{
	char *resp;
	size_t cap = 8192 + r->body_len, o;
	const struct up_head *h = &r->resp;

	resp = xrealloc(NULL, cap);
	o = (size_t)snprintf(resp, cap, "HTTP/1.1 %ld %.*s\r\n", r->status,
	    (int)h->reason_len, h->reason);
	for (size_t i = 0; i < h->nheaders && o < cap; i++) {
		const struct up_header *x = &h->headers[i];

		if (not_passed(h, x) || (x->name_len == 16 &&
		    !strncasecmp(x->name, "Content-Encoding", 16)))
			continue;
		if (o + x->name_len + x->value_len + 8 >= cap - 128)
			break;
		o += (size_t)snprintf(resp + o, cap - o, "%.*s: %.*s\r\n",
		    (int)x->name_len, x->name, (int)x->value_len, x->value);
	}
	o += (size_t)snprintf(resp + o, cap - o, "Content-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", r->body_len);
	if (o + r->body_len <= cap) {
		memcpy(resp + o, r->body, r->body_len);
		o += r->body_len;
	}
	*n = o;
	return resp;
}

long
rh_answer_101(char *out, size_t cap, const struct up_offer *o,
    const struct dial_result *r, const char *ext)
{
	const char *extra[UP_MAX_HEADERS] = { NULL };
	char *lines[UP_MAX_HEADERS];
	size_t nx = 0;
	long n;

	for (size_t i = 0; i < r->resp.nheaders; i++) {
		const struct up_header *x = &r->resp.headers[i];
		size_t len = x->name_len + x->value_len + 3;

		if (not_passed(&r->resp, x))
			continue;
		lines[nx] = xrealloc(NULL, len);
		snprintf(lines[nx], len, "%.*s: %.*s", (int)x->name_len, x->name,
		    (int)x->value_len, x->value);
		extra[nx] = lines[nx];
		nx++;
	}
	n = up_build_101(out, cap, o->key, o->key_len, r->protocol, ext, extra,
	    nx);
	for (size_t i = 0; i < nx; i++)
		free(lines[i]);
	return n;
}

int
rh_failure(const struct dial_result *r, char *why, size_t cap)
{
	/* how far it got: connected and asked, or not even that */
	snprintf(why, cap, "the server %s: %s", r->status == 101 ?
	    "answered an invalid 101" : r->request ? "was reached but did "
	    "not answer the upgrade request" : "could not be reached",
	    r->error);
	return r->exit == EXIT_TIMEOUT ? 504 : 502;
}
