/*
 * test_graphql.c - GraphQL over WebSocket (graphql.h): messages built
 * for both dialects, operations from text or JSON, messages parsed into
 * spans (every prefix of a message put against the end of its heap block,
 * so an over-read is caught under ASan), and the session's rules from
 * both sides, each violation with its close code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphql.h"

#define S(s) (const uint8_t *)(s), strlen(s)

/* The session's verdict on one message from one side. */
static struct gql_event
recv_(struct gql_sess *s, int from_server, const char *msg)
{
	struct gql_event ev;
	uint8_t *copy = malloc(strlen(msg) + 1);

	/* exactly the message's bytes: reading past them is caught */
	assert_non_null(copy);
	memcpy(copy, msg, strlen(msg));
	assert_int_equal(gql_sess_recv(s, from_server, copy, strlen(msg), &ev),
	    0);
	free(copy);
	/* spans point into freed memory now: keep only what tests read */
	memset(&ev.m, 0, sizeof ev.m);
	return ev;
}

static void
assert_ok(struct gql_sess *s, int from_server, const char *msg)
{
	struct gql_event ev = recv_(s, from_server, msg);

	if (ev.violation)
		fail_msg("%s: unexpected violation: %s", msg, ev.why);
}

static void
assert_violation(struct gql_sess *s, int from_server, const char *msg,
    unsigned code, const char *why)
{
	struct gql_event ev = recv_(s, from_server, msg);

	if (!ev.violation)
		fail_msg("%s: no violation", msg);
	assert_int_equal(ev.close_code, code);
	assert_string_equal(ev.why, why);
}

/* A client session that has sent connection_init and had its ack. */
static void
acked_client(struct gql_sess *s, enum gql_dialect d)
{
	char out[256];
	const char *why;

	gql_sess_init(s, d);
	assert_true(gql_sess_open(s, NULL, out, sizeof out, &why) > 0);
	assert_ok(s, 1, "{\"type\":\"connection_ack\"}");
}

static void
subscribe(struct gql_sess *s, const char *op, const char *want_id)
{
	char out[512], id[16];
	const char *why = NULL;

	assert_true(gql_sess_subscribe(s, S(op), out, sizeof out, id,
	    sizeof id, &why) > 0);
	assert_string_equal(id, want_id);
}

static void
build_messages(void **state)
{
	char out[256];
	long n;

	(void)state;
	n = gql_build(out, sizeof out, GQL_TWS, GQL_T_CONNECTION_INIT, 1, NULL,
	    NULL, 0);
	assert_int_equal(n, 26);
	assert_memory_equal(out, "{\"type\":\"connection_init\"}", 26);
	n = gql_build(out, sizeof out, GQL_TWS, GQL_T_PONG, 1, NULL, S("{}"));
	out[n] = '\0';
	assert_string_equal(out, "{\"type\":\"pong\",\"payload\":{}}");
	n = gql_build(out, sizeof out, GQL_TWS, GQL_T_COMPLETE, 1, "a\"b",
	    NULL, 0);
	out[n] = '\0';
	assert_string_equal(out, "{\"type\":\"complete\",\"id\":\"a\\\"b\"}");
	n = gql_build(out, sizeof out, GQL_LEGACY, GQL_T_COMPLETE, 1, "3",
	    NULL, 0);
	out[n] = '\0';
	assert_string_equal(out, "{\"type\":\"stop\",\"id\":\"3\"}");
	n = gql_build(out, sizeof out, GQL_LEGACY, GQL_T_COMPLETE, 0, "3",
	    NULL, 0);
	out[n] = '\0';
	assert_string_equal(out, "{\"type\":\"complete\",\"id\":\"3\"}");
	/* legacy has no ping */
	assert_int_equal(gql_build(out, sizeof out, GQL_LEGACY, GQL_T_PING, 1,
	    NULL, NULL, 0), -1);
	/* every size too small is refused, never overrun */
	for (size_t cap = 0; cap < 26; cap++)
		assert_int_equal(gql_build(out, cap, GQL_TWS,
		    GQL_T_CONNECTION_INIT, 1, NULL, NULL, 0), -1);
}

static void
operations(void **state)
{
	char out[256];
	const char *why = NULL;
	long n;

	(void)state;
	n = gql_operation(out, sizeof out, S("  { hello }\r\n"), &why);
	out[n] = '\0';
	assert_string_equal(out, "{\"query\":\"{ hello }\"}");
	n = gql_operation(out, sizeof out,
	    S("query Q($n: Int) { f(s: \"x\\y\", n: $n) }\t"), &why);
	out[n] = '\0';
	assert_string_equal(out,
	    "{\"query\":\"query Q($n: Int) { f(s: \\\"x\\\\y\\\", n: $n) }\"}");
	n = gql_operation(out, sizeof out,
	    S("{\"query\":\"{ a }\", \"variables\":{\"n\":1}}"), &why);
	out[n] = '\0';
	assert_string_equal(out, "{\"query\":\"{ a }\", \"variables\":{\"n\":1}}");
	assert_int_equal(gql_operation(out, sizeof out, S("{\"variables\":{}}"),
	    &why), -1);
	assert_string_equal(why, "an operation in JSON without a \"query\" string");
	assert_int_equal(gql_operation(out, sizeof out, S("{\"query\":"), &why),
	    -1);
	assert_string_equal(why,
	    "an operation in JSON that is not a valid JSON object");
	assert_int_equal(gql_operation(out, sizeof out, S(" \t"), &why), -1);
	assert_string_equal(why, "an empty operation");
	/* control characters are escaped: the message stays one JSON text */
	n = gql_operation(out, sizeof out, S("{ a\x01 }"), &why);
	out[n] = '\0';
	assert_string_equal(out, "{\"query\":\"{ a\\u0001 }\"}");
	assert_int_equal(gql_operation(out, 10, S("{ hello }"), &why), -1);
	assert_string_equal(why, "an operation too long");
}

static void
parse_spans(void **state)
{
	static const char msg[] = " {\"id\" : \"7\", \"type\":\"next\",\n"
	    "\"payload\": {\"data\": {\"n\": [1, 2.5e3, true, null]}}} ";
	struct gql_msg m;
	const char *why;

	(void)state;
	assert_int_equal(gql_parse(GQL_TWS, S(msg), &m, &why), 0);
	assert_int_equal(m.type, GQL_T_NEXT);
	assert_int_equal(m.id_kind, GQL_J_STRING);
	assert_int_equal(m.id_len, 1);
	assert_memory_equal(m.id, "7", 1);
	assert_int_equal(m.payload_kind, GQL_J_OBJECT);
	assert_int_equal(m.payload_len,
	    strlen("{\"data\": {\"n\": [1, 2.5e3, true, null]}}"));
	assert_memory_equal(m.payload, "{\"data\"", 7);

	/* the last of two members wins, as with JSON.parse */
	assert_int_equal(gql_parse(GQL_TWS,
	    S("{\"type\":\"ping\",\"type\":\"pong\",\"id\":5}"), &m, &why), 0);
	assert_int_equal(m.type, GQL_T_PONG);
	assert_int_equal(m.id_kind, GQL_J_NUMBER);
	assert_null(m.id);

	/* a string payload keeps its quotes */
	assert_int_equal(gql_parse(GQL_TWS,
	    S("{\"type\":\"x\",\"payload\":\"a\\\"b\"}"), &m, &why), 0);
	assert_int_equal(m.type, GQL_T_UNKNOWN);
	assert_int_equal(m.payload_len, 6);
	assert_memory_equal(m.payload, "\"a\\\"b\"", 6);

	/* dialects name differently */
	assert_int_equal(gql_parse(GQL_LEGACY, S("{\"type\":\"data\"}"), &m,
	    &why), 0);
	assert_int_equal(m.type, GQL_T_NEXT);
	assert_int_equal(gql_parse(GQL_TWS, S("{\"type\":\"data\"}"), &m,
	    &why), 0);
	assert_int_equal(m.type, GQL_T_UNKNOWN);
}

static void
parse_rejects(void **state)
{
	static const char *bad[][2] = {
		{ "", "a message that is not JSON" },
		{ "{\"type\":\"ping\"} x", "a message that is not JSON" },
		{ "{\"type\":\"ping\",}", "a message that is not JSON" },
		{ "{'type':'ping'}", "a message that is not JSON" },
		{ "{\"type\":\"p\x01\"}", "a message that is not JSON" },
		{ "{\"type\":\"\\q\"}", "a message that is not JSON" },
		{ "{\"a\":01}", "a message that is not JSON" },
		{ "{\"a\":1.}", "a message that is not JSON" },
		{ "{\"a\":-}", "a message that is not JSON" },
		{ "{\"a\":tru}", "a message that is not JSON" },
		{ "[{\"type\":\"ping\"}]", "a message that is not a JSON object" },
		{ "\"ping\"", "a message that is not a JSON object" },
		{ "{\"id\":\"1\"}", "a message without a \"type\"" },
		{ "{\"type\":1}", "a message whose \"type\" is not a string" },
		{ "{\"type\":null}", "a message whose \"type\" is not a string" },
	};
	static const char whole[] = "{\"type\":\"next\",\"id\":\"1\",\"payload\":"
	    "{\"data\":{\"s\":\"\\u00e9\\n\",\"a\":[-1.5E+2,{}]}}}";
	struct gql_msg m;
	const char *why;
	char deep[2 * 70 + 20];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		if (gql_parse(GQL_TWS, S(bad[i][0]), &m, &why) != -1)
			fail_msg("accepted: %s", bad[i][0]);
		assert_string_equal(why, bad[i][1]);
	}
	/* every proper prefix is refused, read only within its bytes */
	for (size_t n = 0; n <= strlen(whole); n++) {
		uint8_t *p = malloc(n ? n : 1);
		int r;

		assert_non_null(p);
		memcpy(p, whole, n);
		r = gql_parse(GQL_TWS, p, n, &m, &why);
		assert_int_equal(r, n == strlen(whole) ? 0 : -1);
		free(p);
	}
	/* nesting is bounded: no recursion without end */
	snprintf(deep, sizeof deep, "{\"type\":\"a\",\"p\":");
	for (size_t i = strlen(deep); i < sizeof deep - 1; i++)
		deep[i] = '[';
	deep[sizeof deep - 1] = '\0';
	assert_int_equal(gql_parse(GQL_TWS, S(deep), &m, &why), -1);
}

static void
compact(void **state)
{
	static const char in[] = "{ \"a\" : [ 1 ,\n 2 ],\r\n\t\"s\": \"x  \\\" y\" }";
	char out[64];
	size_t n;

	(void)state;
	n = gql_compact(out, sizeof out, S(in));
	out[n] = '\0';
	assert_string_equal(out, "{\"a\":[1,2],\"s\":\"x  \\\" y\"}");
	assert_int_equal(gql_compact(out, 3, S(in)), 3);
}

static void
client_flow(void **state)
{
	struct gql_sess s;
	struct gql_event ev;
	char out[256], id[8];
	const char *why;
	long n;

	(void)state;
	gql_sess_init(&s, GQL_TWS);
	n = gql_sess_open(&s, "{\"token\":\"t\"}", out, sizeof out, &why);
	out[n] = '\0';
	assert_string_equal(out,
	    "{\"type\":\"connection_init\",\"payload\":{\"token\":\"t\"}}");
	assert_int_equal(gql_sess_open(&s, "[1]", out, sizeof out, &why), -1);
	assert_string_equal(why,
	    "the connection_init payload is not a JSON object");
	assert_ok(&s, 1, "{\"type\":\"connection_ack\",\"payload\":{}}");
	ev = recv_(&s, 1, "{\"type\":\"ping\"}");
	assert_false(ev.violation);
	assert_int_equal(ev.answer, GQL_T_PONG);

	n = gql_sess_subscribe(&s, S("subscription { tick }"), out, sizeof out,
	    id, sizeof id, &why);
	out[n] = '\0';
	assert_string_equal(out, "{\"type\":\"subscribe\",\"id\":\"1\","
	    "\"payload\":{\"query\":\"subscription { tick }\"}}");
	assert_string_equal(id, "1");
	/* a refused operation does not use up an id */
	assert_int_equal(gql_sess_subscribe(&s, S(""), out, sizeof out, id,
	    sizeof id, &why), -1);
	subscribe(&s, "{ hello }", "2");
	assert_int_equal(gql_sess_active(&s), 2);

	ev = recv_(&s, 1, "{\"type\":\"next\",\"id\":\"1\",\"payload\":"
	    "{\"data\":{\"tick\":1}}}");
	assert_false(ev.violation);
	assert_false(ev.op_ended);
	ev = recv_(&s, 1, "{\"id\":\"2\",\"type\":\"error\",\"payload\":"
	    "[{\"message\":\"no\"}]}");
	assert_false(ev.violation);
	assert_true(ev.op_ended);
	ev = recv_(&s, 1, "{\"type\":\"complete\",\"id\":\"1\"}");
	assert_false(ev.violation);
	assert_true(ev.op_ended);
	assert_int_equal(gql_sess_active(&s), 0);

	/* the client completes; results on their way are late, not wrong */
	subscribe(&s, "subscription { tick }", "3");
	n = gql_sess_complete(&s, "3", out, sizeof out, &why);
	out[n] = '\0';
	assert_string_equal(out, "{\"type\":\"complete\",\"id\":\"3\"}");
	assert_int_equal(gql_sess_active(&s), 0);
	ev = recv_(&s, 1, "{\"type\":\"next\",\"id\":\"3\",\"payload\":{}}");
	assert_false(ev.violation);
	assert_true(ev.late);
	assert_int_equal(gql_sess_complete(&s, "3", out, sizeof out, &why), -1);
	assert_string_equal(why, "that operation is over");
	assert_int_equal(gql_sess_complete(&s, "9", out, sizeof out, &why), -1);
	assert_string_equal(why, "no operation has that id");
	gql_sess_free(&s);
}

static void
server_violations(void **state)
{
	struct gql_sess s;

	(void)state;
	gql_sess_init(&s, GQL_TWS);
	assert_true(gql_sess_open(&s, NULL, (char[64]){ 0 }, 64,
	    &(const char *){ NULL }) > 0);
	assert_violation(&s, 1, "{\"type\":\"next\",\"id\":\"1\",\"payload\":{}}",
	    4400, "next before connection_ack");
	assert_violation(&s, 1, "{\"type\":\"connection_ack\",\"payload\":1}",
	    4400, "connection_ack whose payload is not an object");
	gql_sess_free(&s);

	acked_client(&s, GQL_TWS);
	subscribe(&s, "{ a }", "1");
	assert_violation(&s, 1, "{\"type\":\"connection_ack\"}", 4400,
	    "a second connection_ack");
	assert_violation(&s, 1, "{\"type\":\"next\",\"payload\":{}}", 4400,
	    "next without an id");
	assert_violation(&s, 1, "{\"type\":\"next\",\"id\":1,\"payload\":{}}",
	    4400, "next without an id");
	assert_violation(&s, 1, "{\"type\":\"next\",\"id\":\"7\",\"payload\":{}}",
	    4400, "next for unknown id \"7\"");
	assert_violation(&s, 1, "{\"type\":\"next\",\"id\":\"1\",\"payload\":[]}",
	    4400, "next whose payload is not an object");
	assert_violation(&s, 1, "{\"type\":\"error\",\"id\":\"1\",\"payload\":[]}",
	    4400, "error whose payload is not a list of GraphQL errors");
	assert_violation(&s, 1, "{\"type\":\"error\",\"id\":\"1\",\"payload\":"
	    "[{\"msg\":\"x\"}]}", 4400,
	    "error whose payload is not a list of GraphQL errors");
	assert_violation(&s, 1, "{\"type\":\"subscribe\",\"id\":\"1\"}", 4400,
	    "subscribe from the server: only a client sends it");
	assert_violation(&s, 1, "{\"type\":\"connection_init\"}", 4400,
	    "connection_init from the server: only a client sends it");
	assert_violation(&s, 1, "{\"type\":\"data\",\"id\":\"1\"}", 4400,
	    "unknown message type \"data\"");
	assert_violation(&s, 1, "{\"type\":\"ping\",\"payload\":\"x\"}", 4400,
	    "ping whose payload is not an object");
	assert_violation(&s, 1, "not json", 4400, "a message that is not JSON");
	/* none of these moved the state: the operation still runs */
	assert_int_equal(gql_sess_active(&s), 1);
	assert_ok(&s, 1, "{\"type\":\"complete\",\"id\":\"1\"}");
	assert_violation(&s, 1, "{\"type\":\"next\",\"id\":\"1\",\"payload\":{}}",
	    4400, "next for id \"1\" after it ended");
	assert_violation(&s, 1, "{\"type\":\"complete\",\"id\":\"1\"}", 4400,
	    "complete for id \"1\" after it ended");
	gql_sess_free(&s);
}

static void
client_violations(void **state)
{
	struct gql_sess s;
	struct gql_event ev;

	(void)state;
	gql_sess_init(&s, GQL_TWS);
	assert_violation(&s, 0, "{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":"
	    "{\"query\":\"{ a }\"}}", 4401, "subscribe before connection_ack");
	ev = recv_(&s, 0, "{\"type\":\"connection_init\"}");
	assert_false(ev.violation);
	assert_int_equal(ev.answer, GQL_T_CONNECTION_ACK);
	assert_violation(&s, 0, "{\"type\":\"connection_init\"}", 4429,
	    "a second connection_init");
	/* the ack goes out through the session like any message */
	assert_ok(&s, 1, "{\"type\":\"connection_ack\"}");
	assert_ok(&s, 0, "{\"type\":\"subscribe\",\"id\":\"a\",\"payload\":"
	    "{\"query\":\"{ a }\",\"variables\":{}}}");
	assert_violation(&s, 0, "{\"type\":\"subscribe\",\"id\":\"a\",\"payload\":"
	    "{\"query\":\"{ a }\"}}", 4409,
	    "subscribe for id \"a\", which is already running");
	assert_violation(&s, 0, "{\"type\":\"subscribe\",\"id\":\"b\",\"payload\":"
	    "{\"q\":\"{ a }\"}}", 4400,
	    "subscribe whose payload has no \"query\" string");
	assert_violation(&s, 0, "{\"type\":\"subscribe\",\"id\":\"\",\"payload\":"
	    "{\"query\":\"{ a }\"}}", 4400, "subscribe without an id");
	assert_violation(&s, 0, "{\"type\":\"next\",\"id\":\"a\",\"payload\":{}}",
	    4400, "next from the client: only a server sends it");
	ev = recv_(&s, 0, "{\"type\":\"ping\",\"payload\":{\"x\":1}}");
	assert_false(ev.violation);
	assert_int_equal(ev.answer, GQL_T_PONG);
	assert_ok(&s, 0, "{\"type\":\"complete\",\"id\":\"a\"}");
	/* an id may be used again once its operation is over */
	assert_ok(&s, 0, "{\"type\":\"subscribe\",\"id\":\"a\",\"payload\":"
	    "{\"query\":\"{ a }\"}}");
	assert_int_equal(gql_sess_active(&s), 1);
	gql_sess_free(&s);
}

static void
legacy(void **state)
{
	struct gql_sess s;
	struct gql_event ev;
	char out[256];
	const char *why;
	long n;

	(void)state;
	acked_client(&s, GQL_LEGACY);
	subscribe(&s, "{ a }", "1");
	assert_ok(&s, 1, "{\"type\":\"ka\"}");
	assert_ok(&s, 1, "{\"type\":\"data\",\"id\":\"1\",\"payload\":"
	    "{\"data\":{\"a\":1}}}");
	assert_violation(&s, 1, "{\"type\":\"next\",\"id\":\"1\"}", 4400,
	    "unknown message type \"next\"");
	assert_violation(&s, 1, "{\"type\":\"stop\",\"id\":\"1\"}", 4400,
	    "stop from the server: only a client sends it");
	assert_violation(&s, 1, "{\"type\":\"ping\"}", 4400,
	    "unknown message type \"ping\"");
	ev = recv_(&s, 1, "{\"type\":\"complete\",\"id\":\"1\"}");
	assert_false(ev.violation);
	assert_true(ev.op_ended);
	subscribe(&s, "{ b }", "2");
	n = gql_sess_complete(&s, "2", out, sizeof out, &why);
	out[n] = '\0';
	assert_string_equal(out, "{\"type\":\"stop\",\"id\":\"2\"}");
	/* a legacy server answers stop with complete */
	ev = recv_(&s, 1, "{\"type\":\"complete\",\"id\":\"2\"}");
	assert_false(ev.violation);
	assert_true(ev.late);
	gql_sess_free(&s);

	/* the server's side of legacy */
	gql_sess_init(&s, GQL_LEGACY);
	assert_ok(&s, 0, "{\"type\":\"connection_init\",\"payload\":{}}");
	assert_ok(&s, 0, "{\"type\":\"start\",\"id\":\"1\",\"payload\":"
	    "{\"query\":\"{ a }\"}}");
	assert_ok(&s, 0, "{\"type\":\"stop\",\"id\":\"1\"}");
	assert_violation(&s, 0, "{\"type\":\"complete\",\"id\":\"1\"}", 4400,
	    "complete from the client: only a server sends it");
	assert_ok(&s, 0, "{\"type\":\"connection_terminate\"}");
	gql_sess_free(&s);
}

static void
close_names(void **state)
{
	(void)state;
	assert_string_equal(gql_close_name(4400), "Bad request");
	assert_string_equal(gql_close_name(4401), "Unauthorized");
	assert_string_equal(gql_close_name(4408),
	    "Connection initialisation timeout");
	assert_string_equal(gql_close_name(4409), "Subscriber already exists");
	assert_string_equal(gql_close_name(4429),
	    "Too many initialisation requests");
	assert_null(gql_close_name(4000));
	assert_null(gql_close_name(1000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_messages),
		cmocka_unit_test(operations),
		cmocka_unit_test(parse_spans),
		cmocka_unit_test(parse_rejects),
		cmocka_unit_test(compact),
		cmocka_unit_test(client_flow),
		cmocka_unit_test(server_violations),
		cmocka_unit_test(client_violations),
		cmocka_unit_test(legacy),
		cmocka_unit_test(close_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
