/*
 * test_mqtt.c - MQTT packets (mqtt.h): the remaining-length varint at
 * its edges, encode/decode round trips for 3.1.1 and 5.0, the stream
 * splitter fed a stream of packets cut at every byte and in every
 * message size, and every malformed packet a peer can send: a fifth
 * length byte, truncated fields, bad flags, QoS 3, wildcard topics,
 * packet id 0, bad properties. Malformed packets are decoded from heap
 * buffers of their exact size, so the sanitized build catches an
 * over-read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mqtt.h"

/* Decode a copy of p[0..n) that lives until the next call (pk points
 * into it). */
static int
decode_n(const uint8_t *p, size_t n, int version, struct mqtt_packet *pk)
{
	static uint8_t *b;

	free(b);
	b = malloc(n ? n : 1);
	memcpy(b, p, n);
	return mqtt_decode(b, n, version, pk);
}

static void
varint_edges(void **state)
{
	static const struct {
		uint32_t n;
		size_t len;
		uint8_t b[4];
	} t[] = {
		{ 0, 1, { 0x00 } },
		{ 127, 1, { 0x7f } },
		{ 128, 2, { 0x80, 0x01 } },
		{ 16383, 2, { 0xff, 0x7f } },
		{ 16384, 3, { 0x80, 0x80, 0x01 } },
		{ 2097151, 3, { 0xff, 0xff, 0x7f } },
		{ 2097152, 4, { 0x80, 0x80, 0x80, 0x01 } },
		{ MQTT_MAX_REMAINING, 4, { 0xff, 0xff, 0xff, 0x7f } },
	};
	uint8_t out[4], pkt[5];
	size_t i, total;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(mqtt_varint(out, t[i].n), t[i].len);
		assert_memory_equal(out, t[i].b, t[i].len);
		pkt[0] = 0x30;
		memcpy(pkt + 1, t[i].b, t[i].len);
		assert_int_equal(mqtt_packet_len(pkt, 1 + t[i].len, 5,
		    &total), 1);
		assert_int_equal(total, 1 + t[i].len + t[i].n);
		/* one byte short: not yet known */
		assert_int_equal(mqtt_packet_len(pkt, t[i].len, 5, &total),
		    0);
	}
}

static void
bad_remaining_length(void **state)
{
	static const uint8_t five[] = { 0x30, 0x80, 0x80, 0x80, 0x80, 0x01 };
	static const uint8_t nonmin[] = { 0x30, 0x80, 0x00 };
	struct mqtt_packet pk;
	size_t total;

	(void)state;
	assert_int_equal(mqtt_packet_len(five, sizeof five, 4, &total),
	    MQTT_ERR_LENGTH);
	assert_int_equal(decode_n(five, sizeof five, 4, &pk), MQTT_ERR_LENGTH);
	assert_int_equal(mqtt_packet_len(nonmin, sizeof nonmin, 5, &total),
	    MQTT_ERR_NON_MINIMAL);
	assert_int_equal(mqtt_packet_len(nonmin, sizeof nonmin, 4, &total),
	    1);
	assert_int_equal(total, 3);
}

static void
connect_round_trip(void **state)
{
	uint8_t buf[128];
	struct mqtt_packet pk;
	char d[256];
	size_t n;
	int v;

	(void)state;
	for (v = 4; v <= 5; v++) {
		n = mqtt_encode_connect(buf, sizeof buf, v, "wscli-1", "u",
		    "p", 30, 1);
		assert_true(n < sizeof buf);
		assert_int_equal(decode_n(buf, n, v, &pk), 0);
		assert_int_equal(pk.type, MQTT_CONNECT);
		assert_int_equal(pk.level, (unsigned)v);
		assert_int_equal(pk.keepalive, 30);
		assert_int_equal(pk.connect_flags, 0xc2);
		assert_memory_equal(pk.client_id.p, "wscli-1", 7);
		assert_memory_equal(pk.username.p, "u", 1);
		mqtt_describe(&pk, v, d, sizeof d);
		assert_non_null(strstr(d, "CONNECT MQTT level="));
		assert_non_null(strstr(d, "client-id=wscli-1 keep-alive=30"));
	}
	/* the 3.1.1 bytes, exactly */
	n = mqtt_encode_connect(buf, sizeof buf, 4, "c", NULL, NULL, 60, 1);
	assert_int_equal(n, 15);
	assert_memory_equal(buf, "\x10\x0d\0\x04MQTT\x04\x02\0\x3c\0\x01" "c", 15);
}

static void
publish_round_trip(void **state)
{
	static const uint8_t payload[] = "hello";
	uint8_t buf[64];
	struct mqtt_packet pk;
	char d[256];
	size_t n;
	int v;

	(void)state;
	for (v = 4; v <= 5; v++) {
		n = mqtt_encode_publish(buf, sizeof buf, v, "a/b", 1, 1, 7,
		    payload, 5);
		assert_int_equal(decode_n(buf, n, v, &pk), 0);
		assert_int_equal(pk.type, MQTT_PUBLISH);
		assert_int_equal(pk.qos, 1);
		assert_int_equal(pk.retain, 1);
		assert_int_equal(pk.packet_id, 7);
		assert_int_equal(pk.topic.len, 3);
		assert_memory_equal(pk.payload.p, "hello", 5);
		mqtt_describe(&pk, v, d, sizeof d);
		assert_string_equal(d,
		    "PUBLISH topic=a/b qos=1 id=7 retain payload=5");
	}
	n = mqtt_encode_publish(buf, sizeof buf, 4, "t", 0, 0, 0, NULL, 0);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "\x30\x03\0\x01t", 5);
	/* too small: the size needed */
	assert_int_equal(mqtt_encode_publish(buf, 3, 4, "t", 0, 0, 0, NULL,
	    0), 5);
}

static void
acks_and_subscribe(void **state)
{
	uint8_t buf[64];
	struct mqtt_packet pk;
	size_t n;

	(void)state;
	n = mqtt_encode_subscribe(buf, sizeof buf, 4, 3, "s/#", 1);
	assert_memory_equal(buf, "\x82\x08\0\x03\0\x03s/#\x01", n);
	assert_int_equal(decode_n(buf, n, 4, &pk), 0);
	assert_int_equal(pk.count, 1);
	assert_int_equal(pk.sub_qos, 1);
	n = mqtt_encode_subscribe(buf, sizeof buf, 5, 3, "s/#", 0);
	assert_int_equal(decode_n(buf, n, 5, &pk), 0);
	assert_memory_equal(pk.filter.p, "s/#", 3);
	n = mqtt_encode_unsubscribe(buf, sizeof buf, 4, 9, "x");
	assert_int_equal(decode_n(buf, n, 4, &pk), 0);
	assert_int_equal(pk.type, MQTT_UNSUBSCRIBE);
	n = mqtt_encode_ack(buf, sizeof buf, MQTT_PUBACK, 300);
	assert_int_equal(decode_n(buf, n, 4, &pk), 0);
	assert_int_equal(pk.packet_id, 300);
	n = mqtt_encode_ack(buf, sizeof buf, MQTT_PUBREL, 1);
	assert_int_equal(buf[0], 0x62);
	assert_int_equal(decode_n(buf, n, 4, &pk), 0);
	n = mqtt_encode_empty(buf, sizeof buf, MQTT_PINGREQ);
	assert_memory_equal(buf, "\xc0\x00", 2);
	assert_int_equal(decode_n(buf, n, 4, &pk), 0);
	assert_int_equal(pk.type, MQTT_PINGREQ);
}

static void
server_packets_v5(void **state)
{
	/* CONNACK with server keep alive 5 and a reason string */
	static const uint8_t connack[] = { 0x20, 0x0a, 0x00, 0x00, 0x07,
		0x13, 0x00, 0x05, 0x1f, 0x00, 0x01, 'r' };
	static const uint8_t suback[] = { 0x90, 0x04, 0x00, 0x01, 0x00, 0x01 };
	static const uint8_t disc[] = { 0xe0, 0x01, 0x8e };
	static const uint8_t puback_short[] = { 0x40, 0x02, 0x00, 0x05 };
	static const uint8_t alias[] = { 0x30, 0x08, 0x00, 0x00, 0x03, 0x23,
		0x00, 0x02, 'h', 'i' };
	struct mqtt_packet pk;
	char d[256];

	(void)state;
	assert_int_equal(decode_n(connack, sizeof connack, 5, &pk), 0);
	assert_int_equal(pk.code, 0);
	assert_true(pk.has_server_keepalive);
	assert_int_equal(pk.server_keepalive, 5);
	mqtt_describe(&pk, 5, d, sizeof d);
	assert_string_equal(d, "CONNACK 0 (success) server-keep-alive=5 "
	    "reason-string=r");
	assert_int_equal(decode_n(suback, sizeof suback, 5, &pk), 0);
	assert_int_equal(pk.count, 1);
	assert_int_equal(pk.codes.p[0], 1);
	assert_int_equal(decode_n(disc, sizeof disc, 5, &pk), 0);
	assert_int_equal(pk.code, 0x8e);
	assert_int_equal(decode_n(disc, sizeof disc, 4, &pk), MQTT_ERR_LONG);
	assert_int_equal(decode_n(puback_short, sizeof puback_short, 5, &pk),
	    0);
	assert_int_equal(decode_n(alias, sizeof alias, 5, &pk), 0);
	assert_true(pk.has_alias);
	assert_int_equal(pk.topic.len, 0);
	assert_memory_equal(pk.payload.p, "hi", 2);
	assert_int_equal(decode_n(alias, sizeof alias, 4, &pk),
	    MQTT_ERR_TOPIC);
}

static void
malformed(void **state)
{
	static const struct {
		uint8_t in[16];
		size_t len;
		int version;
		int err;
	} t[] = {
		/* reserved types */
		{ { 0x00, 0x00 }, 2, 4, MQTT_ERR_TYPE },
		{ { 0xf0, 0x00 }, 2, 4, MQTT_ERR_TYPE },
		/* flags */
		{ { 0xc1, 0x00 }, 2, 4, MQTT_ERR_FLAGS },
		{ { 0x80, 0x06, 0, 1, 0, 1, 'a', 0 }, 8, 4, MQTT_ERR_FLAGS },
		{ { 0x20, 0x02, 0x02, 0x00 }, 4, 4, MQTT_ERR_FLAGS },
		/* QoS 3, DUP with QoS 0 */
		{ { 0x36, 0x05, 0, 1, 't', 0, 1 }, 7, 4, MQTT_ERR_QOS },
		{ { 0x38, 0x03, 0, 1, 't' }, 5, 4, MQTT_ERR_QOS },
		/* truncated fields */
		{ { 0x30, 0x01, 0x00 }, 3, 4, MQTT_ERR_SHORT },
		{ { 0x30, 0x03, 0x00, 0x05, 'a' }, 5, 4, MQTT_ERR_SHORT },
		{ { 0x32, 0x03, 0x00, 0x01, 'a' }, 5, 4, MQTT_ERR_SHORT },
		{ { 0x20, 0x01, 0x00 }, 3, 4, MQTT_ERR_SHORT },
		{ { 0x40, 0x01, 0x00 }, 3, 4, MQTT_ERR_SHORT },
		{ { 0x90, 0x02, 0x00, 0x01 }, 4, 4, MQTT_ERR_EMPTY },
		{ { 0x30, 0x05, 0x00, 0x01 }, 4, 4, MQTT_ERR_SHORT },
		/* too long for a fixed size */
		{ { 0xd0, 0x01, 0x00 }, 3, 4, MQTT_ERR_LONG },
		{ { 0x20, 0x03, 0, 0, 0 }, 5, 4, MQTT_ERR_LONG },
		{ { 0x40, 0x03, 0, 1, 0 }, 5, 4, MQTT_ERR_LONG },
		/* topics and ids */
		{ { 0x30, 0x03, 0, 1, '#' }, 5, 4, MQTT_ERR_TOPIC },
		{ { 0x30, 0x04, 0, 2, 'a', '+' }, 6, 4, MQTT_ERR_TOPIC },
		{ { 0x30, 0x02, 0, 0 }, 4, 4, MQTT_ERR_TOPIC },
		{ { 0x32, 0x05, 0, 1, 't', 0, 0 }, 7, 4, MQTT_ERR_PACKET_ID },
		{ { 0x40, 0x02, 0, 0 }, 4, 4, MQTT_ERR_PACKET_ID },
		{ { 0x30, 0x04, 0, 2, 0xc0, 0x80 }, 6, 4, MQTT_ERR_UTF8 },
		{ { 0x30, 0x03, 0, 1, 0x00 }, 5, 4, MQTT_ERR_UTF8 },
		/* 5.0 properties */
		{ { 0x30, 0x05, 0, 1, 't', 0x05, 0x01 }, 7, 5, MQTT_ERR_PROPS },
		{ { 0x30, 0x05, 0, 1, 't', 0x01, 0x7e }, 7, 5, MQTT_ERR_PROPS },
		{ { 0x30, 0x06, 0, 1, 't', 0x02, 0x02, 0x00 }, 8, 5,
		    MQTT_ERR_PROPS },
		{ { 0x30, 0x07, 0, 1, 't', 0x02, 0x01, 0x00, 'x' }, 9, 5, 0 },
		/* AUTH is 5.0's */
		{ { 0xf0, 0x00 }, 2, 5, 0 },
	};
	struct mqtt_packet pk;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		int r = decode_n(t[i].in, t[i].len, t[i].version, &pk);

		if (r != t[i].err)
			fail_msg("case %zu: got %d (%s), want %d", i, r,
			    mqtt_strerror(r), t[i].err);
	}
}

/* The splitter: a stream of packets of several sizes, one of them with
 * a two-byte length, fed in messages of every size from 1 up. */
struct seen {
	char types[64];
	size_t n;
	size_t bytes;
};

static int
collect(void *ctx, const uint8_t *p, size_t len)
{
	struct seen *s = ctx;
	struct mqtt_packet pk;

	assert_int_equal(mqtt_decode(p, len, 4, &pk), 0);
	s->types[s->n++] = (char)('0' + pk.type);
	s->bytes += len;
	return 0;
}

static void
split_every_size(void **state)
{
	static uint8_t stream[512], big[200];
	uint8_t hold[256];
	struct mqtt_split sp;
	struct seen s;
	size_t n = 0, step, i;

	(void)state;
	memset(big, 'x', sizeof big);
	n += mqtt_encode_ack(stream + n, sizeof stream - n, MQTT_PUBACK, 1);
	n += mqtt_encode_publish(stream + n, sizeof stream - n, 4, "a", 0, 0,
	    0, big, sizeof big);
	n += mqtt_encode_empty(stream + n, sizeof stream - n, MQTT_PINGRESP);
	n += mqtt_encode_publish(stream + n, sizeof stream - n, 4, "b", 1, 0,
	    2, (const uint8_t *)"hi", 2);
	n += mqtt_encode_empty(stream + n, sizeof stream - n, MQTT_PINGRESP);
	for (step = 1; step <= n; step++) {
		memset(&sp, 0, sizeof sp);
		sp.buf = hold;
		sp.cap = sizeof hold;
		sp.version = 4;
		memset(&s, 0, sizeof s);
		for (i = 0; i < n; i += step) {
			size_t k = n - i < step ? n - i : step;
			uint8_t *msg = malloc(k);

			memcpy(msg, stream + i, k);
			assert_int_equal(mqtt_split_feed(&sp, msg, k, collect,
			    &s), 0);
			free(msg);
		}
		assert_string_equal(s.types, "43=3=");
		assert_int_equal(s.bytes, n);
		assert_int_equal(sp.have, 0);
	}
}

static void
split_errors(void **state)
{
	static const uint8_t five[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t huge[] = { 0x30, 0xff, 0x01 };
	uint8_t hold[64];
	struct mqtt_split sp;
	struct seen s;

	(void)state;
	memset(&sp, 0, sizeof sp);
	sp.buf = hold;
	sp.cap = sizeof hold;
	memset(&s, 0, sizeof s);
	/* cut inside the bad length: still found */
	assert_int_equal(mqtt_split_feed(&sp, five, 2, collect, &s), 0);
	assert_int_equal(mqtt_split_feed(&sp, five + 2, 4, collect, &s),
	    MQTT_ERR_LENGTH);
	/* and sticky */
	assert_int_equal(mqtt_split_feed(&sp, (const uint8_t *)"\xd0\0", 2,
	    collect, &s), MQTT_ERR_LENGTH);
	memset(&sp, 0, sizeof sp);
	sp.buf = hold;
	sp.cap = sizeof hold;
	assert_int_equal(mqtt_split_feed(&sp, huge, sizeof huge, collect, &s),
	    MQTT_ERR_TOO_BIG);
}

static void
names(void **state)
{
	(void)state;
	assert_string_equal(mqtt_type_name(MQTT_PUBLISH, 4), "PUBLISH");
	assert_string_equal(mqtt_type_name(MQTT_AUTH, 4), "reserved");
	assert_string_equal(mqtt_type_name(MQTT_AUTH, 5), "AUTH");
	assert_true(mqtt_type_allowed(MQTT_CONNACK, 4, 0));
	assert_false(mqtt_type_allowed(MQTT_CONNACK, 4, 1));
	assert_false(mqtt_type_allowed(MQTT_DISCONNECT, 4, 0));
	assert_true(mqtt_type_allowed(MQTT_DISCONNECT, 5, 0));
	assert_string_equal(mqtt_connack_name(5, 4), "not authorized");
	assert_string_equal(mqtt_connack_name(0x87, 5), "not authorized");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(varint_edges),
		cmocka_unit_test(bad_remaining_length),
		cmocka_unit_test(connect_round_trip),
		cmocka_unit_test(publish_round_trip),
		cmocka_unit_test(acks_and_subscribe),
		cmocka_unit_test(server_packets_v5),
		cmocka_unit_test(malformed),
		cmocka_unit_test(split_every_size),
		cmocka_unit_test(split_errors),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
