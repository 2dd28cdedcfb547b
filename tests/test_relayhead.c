/*
 * test_relayhead.c - unit tests for relayhead.c, the relay's translation
 * of the client's upgrade request into the server's, and of the server's
 * answer into the client's.
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

#include "dial.h"
#include "exit.h"
#include "relayhead.h"
#include "upgrade.h"

#define KEY "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
#define UPG "Host: relay.example\r\nUpgrade: websocket\r\n" \
    "Connection: Upgrade, X-Hop\r\nSec-WebSocket-Version: 13\r\n"

/* A client's request as the relay has it: parsed and checked. */
struct req {
	char buf[4096];
	struct up_head h;
	struct up_offer o;
	char lists[1024];
};

static struct req *
request(const char *target, const char *more)
{
	struct req *r = calloc(1, sizeof(*r));
	char why[256];
	int n;

	assert_non_null(r);
	n = snprintf(r->buf, sizeof(r->buf), "GET %s HTTP/1.1\r\n" UPG KEY
	    "%s\r\n", target, more);
	assert_true(n > 0 && (size_t)n < sizeof(r->buf));
	assert_int_equal(up_parse_request(r->buf, (size_t)n, &r->h), n);
	assert_int_equal(up_check_request(&r->h, &r->o, r->lists,
	    sizeof(r->lists), why, sizeof(why)), 0);
	return r;
}

static const struct rh_config base_cfg = {
	.forward = "ws://10.0.0.5:9000/base/?k=v",
	.forward_path = "/base/",
	.forward_query = "k=v",
};

/* The target goes byte for byte: escapes as written, after --forward's
 * path and query. */
static void
target_byte_for_byte(void **state)
{
	struct req *r = request("/a%2Fb/C%7e?x=%2F&y=Z", "");
	struct rh_upstream u;

	assert_int_equal(rh_upstream_init(&u, &base_cfg, &r->h, &r->o), 0);
	assert_string_equal(u.target, "/base/a%2Fb/C%7e?k=v&x=%2F&y=Z");
	assert_string_equal(u.url,
	    "ws://10.0.0.5:9000/base/a%2Fb/C%7e?k=v&x=%2F&y=Z");
	rh_upstream_free(&u);
	free(r);

	/* no query of either */
	{
		struct rh_config cfg = base_cfg;

		cfg.forward = "ws://10.0.0.5:9000";
		cfg.forward_path = "/";
		cfg.forward_query = NULL;
		r = request("/chat", "");
		rh_upstream_init(&u, &cfg, &r->h, &r->o);
		assert_string_equal(u.target, "/chat");
		assert_string_equal(u.url, "ws://10.0.0.5:9000/chat");
		rh_upstream_free(&u);
		free(r);

		r = request("/chat?room=1", "");
		rh_upstream_init(&u, &cfg, &r->h, &r->o);
		assert_string_equal(u.target, "/chat?room=1");
		rh_upstream_free(&u);
		free(r);
	}
	/* only --forward's query */
	r = request("/p", "");
	rh_upstream_init(&u, &base_cfg, &r->h, &r->o);
	assert_string_equal(u.target, "/base/p?k=v");
	rh_upstream_free(&u);
	free(r);
}

static void
target_absolute_form_and_exact(void **state)
{
	struct req *r = request("http://evil.example/abs?x=1", "");
	struct rh_config cfg = base_cfg;
	struct rh_upstream u;

	rh_upstream_init(&u, &cfg, &r->h, &r->o);
	assert_string_equal(u.target, "http://evil.example/abs?x=1");
	assert_string_equal(u.url, "http://evil.example/abs?x=1");
	rh_upstream_free(&u);

	cfg.exact = 1;
	rh_upstream_init(&u, &cfg, &r->h, &r->o);
	assert_null(u.target);
	assert_string_equal(u.url, cfg.forward);
	rh_upstream_free(&u);
	free(r);
}

/* Hop-by-hop headers and those named in Connection stay; -H wins. */
static void
headers_passed_and_not(void **state)
{
	struct req *r = request("/", "X-Hop: 1\r\nKeep-Alive: 5\r\n"
	    "X-Trace: client\r\nCookie: a=b\r\nAuthorization: Basic eA==\r\n"
	    "Sec-WebSocket-Protocol: chat, superchat\r\n"
	    "Origin: http://app.example\r\n");
	struct curl_slist *user = curl_slist_append(NULL, "X-Trace: wscli");
	struct rh_config cfg = base_cfg;
	struct rh_upstream u;
	size_t i;

	cfg.headers = user;
	cfg.credentials = 1;
	rh_upstream_init(&u, &cfg, &r->h, &r->o);
	assert_int_equal(u.nhdrs, 2);
	assert_string_equal(u.hdrs[0], "X-Trace: wscli");
	assert_string_equal(u.hdrs[1], "Cookie: a=b");
	assert_string_equal(u.removed,
	    "X-Hop, Keep-Alive, X-Trace, Authorization");
	assert_int_equal(u.nprotocols, 2);
	assert_string_equal(u.protocols[0], "chat");
	assert_string_equal(u.protocols[1], "superchat");
	assert_string_equal(u.origin, "http://app.example");
	for (i = 0; i < u.nnotes; i++)
		assert_non_null(u.notes[i]);
	rh_upstream_free(&u);

	cfg.rewrite_origin = 1;
	rh_upstream_init(&u, &cfg, &r->h, &r->o);
	assert_string_equal(u.origin, "http://10.0.0.5:9000");
	assert_int_equal(u.nnotes, 1);
	assert_string_equal(u.notes[0], "Origin rewritten: http://app.example "
	    "-> http://10.0.0.5:9000");
	rh_upstream_free(&u);
	curl_slist_free_all(user);
	free(r);
}

/* A dial result whose answer is head (and body). */
static void
answered(struct dial_result *d, char *head, const char *body)
{
	long n;

	memset(d, 0, sizeof(*d));
	d->head = head;
	n = up_parse_response(head, strlen(head), &d->resp);
	assert_int_equal(n, (long)strlen(head));
	d->status = d->resp.status;
	d->body = (char *)body;
	d->body_len = body ? strlen(body) : 0;
	d->exit = d->status == 101 ? -1 : EXIT_UPGRADE;
}

static void
refusal_passed_back(void **state)
{
	char head[] = "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json"
	    "\r\nConnection: close, X-Secret\r\nX-Secret: s\r\n"
	    "Content-Encoding: gzip\r\nContent-Length: 17\r\n\r\n";
	struct dial_result d;
	char *out;
	size_t n;
	const char *want = "HTTP/1.1 403 Forbidden\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 17\r\nConnection: close\r\n\r\n"
	    "{\"error\":\"nope\"}\n";

	answered(&d, head, "{\"error\":\"nope\"}\n");
	out = rh_refusal(&d, &n);
	/* the answer is bytes and a length, no NUL */
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	free(out);
}

static void
answer_101_from_the_server(void **state)
{
	char head[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: whatever\r\n"
	    "Sec-WebSocket-Protocol: chat\r\nX-Served-By: up\r\n\r\n";
	struct req *r = request("/", "");
	struct dial_result d;
	char out[1024];
	long n;

	answered(&d, head, NULL);
	d.protocol = "chat";
	n = rh_answer_101(out, sizeof(out), &r->o, &d, NULL);
	assert_true(n > 0);
	assert_string_equal(out, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	    "Sec-WebSocket-Protocol: chat\r\nX-Served-By: up\r\n\r\n");
	free(r);
}

/* 502 or 504, saying how far the dial got. */
static void
failures_say_how_far(void **state)
{
	struct dial_result d;
	char why[700];

	memset(&d, 0, sizeof(d));
	d.exit = EXIT_CONNECT;
	snprintf(d.error, sizeof(d.error), "cannot connect");
	assert_int_equal(rh_failure(&d, why, sizeof(why)), 502);
	assert_string_equal(why, "the server could not be reached: cannot "
	    "connect");

	d.exit = EXIT_TIMEOUT;
	d.request = "GET / HTTP/1.1\r\n\r\n";
	snprintf(d.error, sizeof(d.error), "timed out");
	assert_int_equal(rh_failure(&d, why, sizeof(why)), 504);
	assert_string_equal(why, "the server was reached but did not answer "
	    "the upgrade request: timed out");

	d.exit = EXIT_UPGRADE;
	d.status = 101;
	snprintf(d.error, sizeof(d.error), "bad accept");
	assert_int_equal(rh_failure(&d, why, sizeof(why)), 502);
	assert_string_equal(why, "the server answered an invalid 101: bad "
	    "accept");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(target_byte_for_byte),
		cmocka_unit_test(target_absolute_form_and_exact),
		cmocka_unit_test(headers_passed_and_not),
		cmocka_unit_test(refusal_passed_back),
		cmocka_unit_test(answer_101_from_the_server),
		cmocka_unit_test(failures_say_how_far),
	};

	return cmocka_run_group_tests_name("relayhead", tests, NULL, NULL);
}
