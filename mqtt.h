/*
 * mqtt.h - MQTT 3.1.1 and 5.0 control packets: the contract.
 *
 * Pure: no I/O, no allocation, no global state. Buffers belong to the
 * caller; a decoded packet points into the bytes it was decoded from.
 *
 * Over WebSocket MQTT is a byte stream carried in binary messages: a
 * packet may span several messages and one message may hold several
 * packets (MQTT 3.1.1 6.0, MQTT 5.0 6.0). mqtt_split_feed() cuts that
 * stream back into packets; mqtt_decode() reads one whole packet.
 *
 *     bit    7   6   5   4   3   2   1   0
 *          +---------------+---------------+
 *   byte 1 | packet type   | flags         |
 *          +---------------+---------------+
 *   byte 2.. remaining length: 1 to 4 bytes, 7 bits each, low first,
 *            the top bit set on every byte but the last
 *          then the variable header and the payload
 *
 * Versions are MQTT's protocol levels: 4 is 3.1.1, 5 is 5.0 (3 is 3.1,
 * decoded as 4).
 */
#ifndef WSCLI_MQTT_H
#define WSCLI_MQTT_H

#include <stddef.h>
#include <stdint.h>

enum mqtt_type {
	MQTT_CONNECT = 1,
	MQTT_CONNACK = 2,
	MQTT_PUBLISH = 3,
	MQTT_PUBACK = 4,
	MQTT_PUBREC = 5,
	MQTT_PUBREL = 6,
	MQTT_PUBCOMP = 7,
	MQTT_SUBSCRIBE = 8,
	MQTT_SUBACK = 9,
	MQTT_UNSUBSCRIBE = 10,
	MQTT_UNSUBACK = 11,
	MQTT_PINGREQ = 12,
	MQTT_PINGRESP = 13,
	MQTT_DISCONNECT = 14,
	MQTT_AUTH = 15, /* 5.0 only */
};

#define MQTT_V311 4
#define MQTT_V5 5
#define MQTT_MAX_REMAINING 268435455u /* four bytes of 7 bits */
#define MQTT_MAX_HEADER 5             /* type byte + 4 length bytes */

/* "CONNECT" ... "AUTH", or "reserved" for 0 and (with version 4) 15.
 * Static strings; never NULL. */
const char *mqtt_type_name(unsigned type, int version);

/* Nonzero if a server may send this type to a client (CONNACK, PUBLISH,
 * the acknowledgements, SUBACK, UNSUBACK, PINGRESP, and with 5.0
 * DISCONNECT and AUTH); with to_server, if a client may send it. */
int mqtt_type_allowed(unsigned type, int version, int to_server);

/* Decoder errors, each one rule a peer can break. All negative. */
enum mqtt_error {
	MQTT_ERR_LENGTH = -1,      /* remaining length: a fifth byte */
	MQTT_ERR_NON_MINIMAL = -2, /* remaining length in more bytes than
				      needed (5.0: 1.5.5-1) */
	MQTT_ERR_TYPE = -3,        /* reserved packet type */
	MQTT_ERR_FLAGS = -4,       /* fixed-header flags not the ones the
				      type requires */
	MQTT_ERR_QOS = -5,         /* PUBLISH QoS 3, or DUP with QoS 0 */
	MQTT_ERR_SHORT = -6,       /* the fields run past the remaining
				      length: truncated */
	MQTT_ERR_LONG = -7,        /* bytes left after the fields of a
				      packet whose size is fixed */
	MQTT_ERR_PROPS = -8,       /* 5.0 properties: bad length or an
				      unknown identifier */
	MQTT_ERR_TOPIC = -9,       /* PUBLISH topic empty or with + or # */
	MQTT_ERR_PACKET_ID = -10,  /* packet identifier 0 */
	MQTT_ERR_UTF8 = -11,       /* a string is not UTF-8, or holds U+0000 */
	MQTT_ERR_TOO_BIG = -12,    /* a packet larger than the splitter's
				      buffer (not a rule: wscli's limit) */
	MQTT_ERR_EMPTY = -13,      /* SUBSCRIBE/UNSUBSCRIBE without a topic
				      filter, SUBACK without a code */
};

/* A short English description of an mqtt_error. Never NULL. */
const char *mqtt_strerror(int err);

/* --------------------------------------------------------- the stream */

/*
 * The length of the packet starting at p[0..len): returns 1 with
 * *total (header + remaining length) once the fixed header is complete
 * (*total may exceed len: the rest has not come yet), 0 if the fixed
 * header itself is incomplete, or MQTT_ERR_LENGTH / MQTT_ERR_NON_MINIMAL
 * (the latter only with version 5).
 */
int mqtt_packet_len(const uint8_t *p, size_t len, int version,
    size_t *total);

/* Caller-owned splitter state: zero it, then set buf and cap. */
struct mqtt_split {
	uint8_t *buf;  /* caller's: holds a packet cut by a message end */
	size_t cap;    /* its size, the largest packet accepted */
	size_t have;   /* bytes of that packet held */
	int version;   /* for the length rules; 0 is taken as 4 */
	int err;       /* the error once returned: the stream is lost */
};

/* One whole packet p[0..len): in the caller's input or in s->buf. */
typedef int (*mqtt_packet_fn)(void *ctx, const uint8_t *p, size_t len);

/*
 * Pass every whole packet of the stream, continued by p[0..len), to fn
 * in order; keep an incomplete one in s->buf. A packet that lies whole
 * in p is passed from p without a copy. If fn returns nonzero, stop and
 * return that value (the rest of p is dropped). Returns 0, fn's value,
 * or an mqtt_error: a malformed length or a packet over cap; after an
 * error every call returns it again (the stream is out of sync).
 */
int mqtt_split_feed(struct mqtt_split *s, const uint8_t *p, size_t len,
    mqtt_packet_fn fn, void *ctx);

/* ---------------------------------------------------------- decoding */

/* A length-prefixed string or binary field, pointing into the packet. */
struct mqtt_str {
	const uint8_t *p;
	size_t len;
};

struct mqtt_packet {
	unsigned type;            /* enum mqtt_type */
	unsigned flags;           /* low nibble of byte 1 */
	size_t remaining;         /* the remaining length */
	unsigned packet_id;       /* PUBLISH QoS>0, acks, (UN)SUBSCRIBE/ACK */
	struct mqtt_str props;    /* 5.0 properties (empty in 3.1.1) */
	/* CONNECT */
	struct mqtt_str proto_name; /* "MQTT" (or "MQIsdp") */
	unsigned level;           /* protocol level: 3, 4, 5 */
	unsigned connect_flags;   /* byte 8 */
	unsigned keepalive;       /* seconds */
	struct mqtt_str client_id;
	struct mqtt_str username; /* len 0 and p NULL when absent */
	/* CONNACK */
	int session_present;
	unsigned code;            /* CONNACK return/reason code; PUBACK,
				     PUBREC..., DISCONNECT, AUTH reason
				     (0 when the packet leaves it out) */
	/* PUBLISH */
	unsigned qos;             /* 0, 1, 2 */
	int retain, dup;
	struct mqtt_str topic;
	struct mqtt_str payload;
	/* SUBSCRIBE (first filter), UNSUBSCRIBE (first filter), SUBACK and
	 * UNSUBACK (codes: p/len are the codes, one byte each) */
	struct mqtt_str filter;
	unsigned sub_qos;         /* SUBSCRIBE: options of the first filter */
	size_t count;             /* filters, or codes */
	struct mqtt_str codes;    /* SUBACK/UNSUBACK return codes */
	/* 5.0 properties worth showing (has_ flags say they were there) */
	int has_alias;
	unsigned alias;           /* PUBLISH topic alias (35) */
	int has_server_keepalive;
	unsigned server_keepalive; /* CONNACK server keep alive (19) */
	struct mqtt_str reason;   /* reason string (31), p NULL if absent */
};

/*
 * Decode the whole packet p[0..len) (as mqtt_split_feed passes it) for
 * the given version. Returns 0 with *pk filled, or an mqtt_error naming
 * the first rule the packet breaks. pk points into p.
 */
int mqtt_decode(const uint8_t *p, size_t len, int version,
    struct mqtt_packet *pk);

/*
 * One line describing pk for a human, e.g.
 * "PUBLISH topic=a/b qos=1 id=7 retain payload=5", without a newline,
 * into out (cap bytes, always terminated when cap > 0). Bytes of topics
 * and client ids that are not printable ASCII are written as \xNN.
 * Returns the length written.
 */
size_t mqtt_describe(const struct mqtt_packet *pk, int version, char *out,
    size_t cap);

/* CONNACK's code in words: "accepted", "not authorized", ... (3.1.1
 * return codes or 5.0 reason codes). Never NULL. */
const char *mqtt_connack_name(unsigned code, int version);

/* ---------------------------------------------------------- encoding */

/*
 * Each writes one packet into buf (cap bytes) and returns its length;
 * if that is more than cap nothing useful was written (call again with
 * a buffer that large), as snprintf() does. Strings are C strings or
 * (payload) bytes; NULL user/pass are left out. Packet ids must be
 * 1..65535. 5.0 packets carry no properties.
 */
size_t mqtt_encode_connect(uint8_t *buf, size_t cap, int version,
    const char *client_id, const char *user, const char *pass,
    unsigned keepalive, int clean);
size_t mqtt_encode_publish(uint8_t *buf, size_t cap, int version,
    const char *topic, unsigned qos, int retain, unsigned packet_id,
    const uint8_t *payload, size_t len);
size_t mqtt_encode_subscribe(uint8_t *buf, size_t cap, int version,
    unsigned packet_id, const char *filter, unsigned qos);
size_t mqtt_encode_unsubscribe(uint8_t *buf, size_t cap, int version,
    unsigned packet_id, const char *filter);
/* PUBACK (and PUBREC, PUBREL, PUBCOMP with that type). */
size_t mqtt_encode_ack(uint8_t *buf, size_t cap, unsigned type,
    unsigned packet_id);
/* PINGREQ, PINGRESP, DISCONNECT: the two-byte packets. */
size_t mqtt_encode_empty(uint8_t *buf, size_t cap, unsigned type);

/* The remaining-length encoding of n (at most MQTT_MAX_REMAINING) into
 * out (4 bytes). Returns the number of bytes, 1 to 4. */
size_t mqtt_varint(uint8_t *out, uint32_t n);

#endif /* WSCLI_MQTT_H */
