/*
 * test_sio.c - the Socket.IO decoder (sio_parse), the default URL
 * (sio_url) and the JSON scanner (json.h): every
 * packet shape socket.io-parser writes, every rule broken by one, and
 * each input cut short at every byte (never read past its end, never
 * taken for more than it is).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "siopkt.h"

/* Parse s from a buffer of exactly its length, so that ASan sees any
 * read past its end. */
static int
parse(const char *s, struct sio_packet *pk, char *why)
{
	size_t n = strlen(s);
	uint8_t *p = malloc(n ? n : 1);
	int rc;

	memcpy(p, s, n);
	rc = sio_parse(p, n, pk, why, 256);
	if (rc == 0) { /* point into s, not the buffer about to go */
		if (pk->data)
			pk->data = (const uint8_t *)s + (pk->data - p);
		if (pk->nsp[0] == '/' && pk->nsp != (const uint8_t *)"/" &&
		    pk->nsp >= p && pk->nsp < p + n)
			pk->nsp = (const uint8_t *)s + (pk->nsp - p);
	}
	free(p);
	return rc;
}

static void
engine_packets(void **state)
{
	struct sio_packet pk;
	char why[256];

	(void)state;
	assert_int_equal(parse("0{\"sid\":\"a\"}", &pk, why), 0);
	assert_int_equal(pk.eio, EIO_OPEN);
	assert_int_equal(pk.ndata, 11);
	assert_int_equal(parse("2", &pk, why), 0);
	assert_int_equal(pk.eio, EIO_PING);
	assert_int_equal(pk.ndata, 0);
	assert_int_equal(parse("2probe", &pk, why), 0);
	assert_int_equal(pk.ndata, 5);
	assert_int_equal(parse("6", &pk, why), 0);
	assert_int_equal(pk.eio, EIO_NOOP);
	assert_int_equal(parse("", &pk, why), -1);
	assert_non_null(strstr(why, "empty message"));
	assert_int_equal(parse("7", &pk, why), -1);
	assert_non_null(strstr(why, "unknown Engine.IO packet type '7'"));
	assert_int_equal(parse("bAQID", &pk, why), -1);
	assert_non_null(strstr(why, "long-polling"));
}

static void
socketio_packets(void **state)
{
	struct sio_packet pk;
	char why[256];

	(void)state;
	assert_int_equal(parse("40", &pk, why), 0);
	assert_int_equal(pk.type, SIO_CONNECT);
	assert_int_equal(pk.nnsp, 1);
	assert_int_equal(pk.ndata, 0);
	assert_int_equal(parse("40/admin,{\"token\":\"x\"}", &pk, why), 0);
	assert_memory_equal(pk.nsp, "/admin", 6);
	assert_int_equal(pk.nnsp, 6);
	assert_memory_equal(pk.data, "{\"token\":\"x\"}", pk.ndata);
	assert_int_equal(parse("42[\"chat\",\"hi\"]", &pk, why), 0);
	assert_int_equal(pk.type, SIO_EVENT);
	assert_int_equal(pk.has_id, 0);
	assert_int_equal(parse("4212[\"chat\"]", &pk, why), 0);
	assert_int_equal(pk.has_id, 1);
	assert_int_equal(pk.id, 12);
	assert_int_equal(parse("43/a,7[\"ok\"]", &pk, why), 0);
	assert_int_equal(pk.type, SIO_ACK);
	assert_int_equal(pk.id, 7);
	assert_memory_equal(pk.nsp, "/a", 2);
	assert_int_equal(parse("451-[\"up\",{\"_placeholder\":true,\"num\":0}]",
	    &pk, why), 0);
	assert_int_equal(pk.type, SIO_BINARY_EVENT);
	assert_int_equal(pk.attachments, 1);
	assert_int_equal(parse("44{\"message\":\"no\"}", &pk, why), 0);
	assert_int_equal(parse("44\"no\"", &pk, why), 0);
	assert_int_equal(parse("41", &pk, why), 0);
	assert_int_equal(parse("41/admin,", &pk, why), 0);
	assert_int_equal(pk.type, SIO_DISCONNECT);
	/* a number as the event name is what socket.io-parser accepts */
	assert_int_equal(parse("42[1,2]", &pk, why), 0);
}

static void
socketio_violations(void **state)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
		{ "4", "without a Socket.IO packet type" },
		{ "47", "unknown Socket.IO packet type '7'" },
		{ "42", "an EVENT without data" },
		{ "42{}", "not an array starting with the event's name" },
		{ "42[]", "not an array starting with the event's name" },
		{ "42[{}]", "is not a string" },
		{ "42[\"connect\"]", "a name socket.io reserves" },
		{ "42[\"x\",", "not valid JSON" },
		{ "42[\"x\"] x", "not valid JSON" },
		{ "43", "an ACK without data" },
		{ "43{}", "the data of an ACK is not an array" },
		{ "40[]", "the data of a CONNECT is not an object" },
		{ "41{}", "a DISCONNECT with data" },
		{ "44[]", "neither an object nor a string" },
		{ "45[\"x\"]", "without its number of attachments" },
		{ "451[\"x\"]", "without its number of attachments" },
		{ "451001-[\"x\"]", "announcing 1001 attachments" },
		{ "4212345678901234567[\"x\"]", "more than 16 digits" },
	};
	struct sio_packet pk;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse(bad[i].in, &pk, why) != -1)
			fail_msg("%s: accepted", bad[i].in);
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("%s: '%s', not '%s'", bad[i].in, why,
			    bad[i].why);
	}
}

/* Every prefix of a valid packet is decoded or refused, never read past. */
static void
every_prefix(void **state)
{
	static const char *const in[] = {
		"42/admin,12[\"chat\",{\"a\":[1,2,{\"b\":\"\\u00e9\"}]}]",
		"452-/x,3[\"up\",{\"_placeholder\":true,\"num\":0}]",
		"0{\"sid\":\"a\",\"pingInterval\":1,\"pingTimeout\":2}",
	};
	struct sio_packet pk;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		char buf[256];

		for (size_t k = 0; k <= strlen(in[i]); k++) {
			memcpy(buf, in[i], k);
			buf[k] = '\0';
			(void)parse(buf, &pk, why);
		}
		assert_int_equal(parse(in[i], &pk, why), 0);
	}
}

#define Q "EIO=4&transport=websocket"

/* url as dialed (NULL: as it is) and the namespace its path names */
static void
url_is(const char *url, int path_is_nsp, const char *want, const char *nsp)
{
	char buf[256], ns[64] = "x";

	assert_int_equal(sio_url(url, path_is_nsp, buf, sizeof buf, ns,
	    sizeof ns), want != NULL);
	if (want)
		assert_string_equal(buf, want);
	assert_string_equal(ns, nsp);
}

static void
default_url(void **state)
{
	char buf[256], ns[8];

	(void)state;
	url_is("ws://h:3000", 1, "ws://h:3000/socket.io/?" Q, "");
	url_is("wss://h/", 1, "wss://h/socket.io/?" Q, "");
	url_is("ws://h/socket.io/", 1, "ws://h/socket.io/?" Q, "");
	url_is("ws://h/socket.io", 0, "ws://h/socket.io/?" Q, "");
	/* as socket.io-client reads it: the path is the namespace */
	url_is("ws://h:3000/chat", 1, "ws://h:3000/socket.io/?" Q, "/chat");
	url_is("ws://h/a/b?token=x", 1, "ws://h/socket.io/?token=x&" Q,
	    "/a/b");
	url_is("ws://h/?token=x", 1, "ws://h/socket.io/?token=x&" Q, "");
	url_is("ws://h/a,b", 1, "ws://h/a,b/?" Q, "");
	/* with --namespace, the engine's own path */
	url_is("ws://h/app", 0, "ws://h/app/?" Q, "");
	url_is("ws://h/app/?v=1", 0, "ws://h/app/?v=1&" Q, "");
	/* an Engine.IO URL: dialed as it is, with a transport */
	url_is("ws://h/app/socket.io/?EIO=4", 1,
	    "ws://h/app/socket.io/?EIO=4&transport=websocket", "");
	url_is("ws://h/socket.io/?x=1&EIO=4", 1,
	    "ws://h/socket.io/?x=1&EIO=4&transport=websocket", "");
	url_is("ws://h/?EIO=3&transport=websocket", 1, NULL, "");
	url_is("ws://h/?EIO=4&transport=polling", 1, NULL, "");
	url_is("ws://h/?EIOX=4&atransport=1", 1,
	    "ws://h/socket.io/?EIOX=4&atransport=1&" Q, "");
	url_is("ws://h/chat#x", 1, NULL, "");
	assert_int_equal(sio_url("ws://h", 1, buf, 10, ns, sizeof ns), 0);
	assert_int_equal(sio_url("ws://h/chatroom", 1, buf, sizeof buf, ns,
	    sizeof ns), 1); /* a namespace too long for ns: the engine's */
	assert_string_equal(buf, "ws://h/chatroom/?" Q);
}

static void
json_helpers(void **state)
{
	const uint8_t *v;
	size_t vn;
	char s[16];
	static const char obj[] = " { \"a\" : [1, {\"x\":2}], \"sid\":\"q\\u00e9\\n\", "
	    "\"n\": -1.5e3 } ";

	(void)state;
	assert_true(json_valid((const uint8_t *)obj, strlen(obj)));
	assert_false(json_valid((const uint8_t *)"{\"a\":}", 6));
	assert_false(json_valid((const uint8_t *)"[1,]", 4));
	assert_false(json_valid((const uint8_t *)"01", 2));
	assert_false(json_valid((const uint8_t *)"\"\x01\"", 3));
	assert_false(json_valid((const uint8_t *)"1 2", 3));
	assert_int_equal(json_member((const uint8_t *)obj, strlen(obj),
	    "sid", &v, &vn), 0);
	assert_int_equal(json_string(v, vn, s, sizeof s), 4);
	assert_memory_equal(s, "q\xc3\xa9\n", 4);
	assert_int_equal(json_member((const uint8_t *)obj, strlen(obj),
	    "n", &v, &vn), 0);
	assert_memory_equal(v, "-1.5e3", vn);
	assert_int_equal(json_member((const uint8_t *)obj, strlen(obj),
	    "x", &v, &vn), -1); /* not at the top */
	/* a surrogate pair is one character, a cut leaves what fits */
	assert_int_equal(json_string((const uint8_t *)"\"\\ud83d\\ude00\"",
	    14, s, sizeof s), 4);
	assert_memory_equal(s, "\xf0\x9f\x98\x80", 4);
	assert_int_equal(json_string((const uint8_t *)"\"abcdef\"", 8, s,
	    4), 3);
	assert_string_equal(s, "abc");
	{
		/* nesting beyond the limit is refused, not recursed into */
		char deep[300];

		memset(deep, '[', 150);
		memset(deep + 150, ']', 150);
		assert_false(json_valid((const uint8_t *)deep, 300));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(engine_packets),
		cmocka_unit_test(socketio_packets),
		cmocka_unit_test(socketio_violations),
		cmocka_unit_test(every_prefix),
		cmocka_unit_test(default_url),
		cmocka_unit_test(json_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
