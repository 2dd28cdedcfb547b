/*
 * mqtt.c - MQTT 3.1.1 and 5.0 control packets (see mqtt.h).
 *
 * The decoder reads a packet through a cursor that never passes the
 * remaining length: every field read checks what is left first, so a
 * truncated packet is MQTT_ERR_SHORT wherever it was cut. Encoders size
 * the packet first and write only when it fits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "mqtt.h"

/* ------------------------------------------------------------ names */

static const char *const type_names[16] = {
	"reserved", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC",
	"PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE",
	"UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH",
};

const char *
mqtt_type_name(unsigned type, int version)
{
	if (type == 0 || type > 15 || (type == MQTT_AUTH && version != MQTT_V5))
		return "reserved";
	return type_names[type];
}

int
mqtt_type_allowed(unsigned type, int version, int to_server)
{
	switch (type) {
	case MQTT_PUBLISH: case MQTT_PUBACK: case MQTT_PUBREC:
	case MQTT_PUBREL: case MQTT_PUBCOMP:
		return 1;
	case MQTT_CONNECT: case MQTT_SUBSCRIBE: case MQTT_UNSUBSCRIBE:
	case MQTT_PINGREQ:
		return to_server;
	case MQTT_CONNACK: case MQTT_SUBACK: case MQTT_UNSUBACK:
	case MQTT_PINGRESP:
		return !to_server;
	case MQTT_DISCONNECT:
		return to_server || version == MQTT_V5;
	case MQTT_AUTH:
		return version == MQTT_V5;
	}
	return 0;
}

const char *
mqtt_strerror(int err)
{
	switch (err) {
	case MQTT_ERR_LENGTH:
		return "remaining length longer than four bytes";
	case MQTT_ERR_NON_MINIMAL:
		return "remaining length not in the fewest bytes";
	case MQTT_ERR_TYPE:
		return "reserved packet type";
	case MQTT_ERR_FLAGS:
		return "reserved flags not as the packet type requires";
	case MQTT_ERR_QOS:
		return "PUBLISH with QoS 3, or DUP set with QoS 0";
	case MQTT_ERR_SHORT:
		return "packet shorter than its fields (truncated)";
	case MQTT_ERR_LONG:
		return "bytes after the last field of the packet";
	case MQTT_ERR_PROPS:
		return "malformed properties";
	case MQTT_ERR_TOPIC:
		return "PUBLISH topic empty or with a wildcard";
	case MQTT_ERR_PACKET_ID:
		return "packet identifier 0";
	case MQTT_ERR_UTF8:
		return "string not UTF-8 or holding U+0000";
	case MQTT_ERR_TOO_BIG:
		return "packet larger than the buffer";
	case MQTT_ERR_EMPTY:
		return "no topic filter or return code";
	}
	return "unknown error";
}

const char *
mqtt_connack_name(unsigned code, int version)
{
	static const char *const v4[] = {
		"accepted", "unacceptable protocol version",
		"identifier rejected", "server unavailable",
		"bad user name or password", "not authorized",
	};

	if (version != MQTT_V5)
		return code < 6 ? v4[code] : "unknown return code";
	switch (code) {
	case 0x00: return "success";
	case 0x80: return "unspecified error";
	case 0x81: return "malformed packet";
	case 0x82: return "protocol error";
	case 0x83: return "implementation specific error";
	case 0x84: return "unsupported protocol version";
	case 0x85: return "client identifier not valid";
	case 0x86: return "bad user name or password";
	case 0x87: return "not authorized";
	case 0x88: return "server unavailable";
	case 0x89: return "server busy";
	case 0x8a: return "banned";
	case 0x8c: return "bad authentication method";
	case 0x90: return "topic name invalid";
	case 0x95: return "packet too large";
	case 0x97: return "quota exceeded";
	case 0x99: return "payload format invalid";
	case 0x9a: return "retain not supported";
	case 0x9b: return "QoS not supported";
	case 0x9c: return "use another server";
	case 0x9d: return "server moved";
	case 0x9f: return "connection rate exceeded";
	}
	return "unknown reason code";
}

/* ------------------------------------------------------------ stream */

int
mqtt_packet_len(const uint8_t *p, size_t len, int version, size_t *total)
{
	uint32_t n = 0;
	size_t i;

	for (i = 1; i < len && i <= 4; i++) {
		n |= (uint32_t)(p[i] & 0x7f) << (7 * (i - 1));
		if (!(p[i] & 0x80)) {
			if (version == MQTT_V5 && i > 1 && p[i] == 0)
				return MQTT_ERR_NON_MINIMAL;
			*total = i + 1 + (size_t)n;
			return 1;
		}
	}
	if (i > 4)
		return MQTT_ERR_LENGTH;
	return 0;
}

int
mqtt_split_feed(struct mqtt_split *s, const uint8_t *p, size_t len,
    mqtt_packet_fn fn, void *ctx)
{
	size_t total;
	int r;

	if (s->err)
		return s->err;
	/* First finish the packet a previous message left unfinished. */
	while (s->have > 0) {
		r = mqtt_packet_len(s->buf, s->have, s->version, &total);
		if (r < 0)
			return s->err = r;
		if (r == 0) {
			/* Header still cut: take one byte at a time. */
			if (len == 0)
				return 0;
			if (s->have >= s->cap)
				return s->err = MQTT_ERR_TOO_BIG;
			s->buf[s->have++] = *p++;
			len--;
			continue;
		}
		if (total > s->cap)
			return s->err = MQTT_ERR_TOO_BIG;
		if (total - s->have > len) {
			memcpy(s->buf + s->have, p, len);
			s->have += len;
			return 0;
		}
		memcpy(s->buf + s->have, p, total - s->have);
		p += total - s->have;
		len -= total - s->have;
		s->have = 0;
		if ((r = fn(ctx, s->buf, total)) != 0)
			return r;
	}
	while (len > 0) {
		r = mqtt_packet_len(p, len, s->version, &total);
		if (r < 0)
			return s->err = r;
		if (r == 1 && total <= len) {
			if ((r = fn(ctx, p, total)) != 0)
				return r;
			p += total;
			len -= total;
			continue;
		}
		if ((r == 1 && total > s->cap) || len > s->cap)
			return s->err = MQTT_ERR_TOO_BIG;
		memcpy(s->buf, p, len);
		s->have = len;
		return 0;
	}
	return 0;
}

/* ---------------------------------------------------------- decoding */

struct cur {
	const uint8_t *p;
	size_t left;
};

static int
get_u8(struct cur *c, unsigned *v)
{
	if (c->left < 1)
		return MQTT_ERR_SHORT;
	*v = c->p[0];
	c->p++;
	c->left--;
	return 0;
}

static int
get_u16(struct cur *c, unsigned *v)
{
	if (c->left < 2)
		return MQTT_ERR_SHORT;
	*v = (unsigned)c->p[0] << 8 | c->p[1];
	c->p += 2;
	c->left -= 2;
	return 0;
}

static int
get_bin(struct cur *c, struct mqtt_str *s)
{
	unsigned n;
	int r;

	if ((r = get_u16(c, &n)) != 0)
		return r;
	if (c->left < n)
		return MQTT_ERR_SHORT;
	s->p = c->p;
	s->len = n;
	c->p += n;
	c->left -= n;
	return 0;
}

/* A UTF-8 string field: MQTT forbids U+0000 in it (1.5.4). */
static int
get_str(struct cur *c, struct mqtt_str *s)
{
	int r;

	if ((r = get_bin(c, s)) != 0)
		return r;
	if (!ws_utf8_valid(s->p, s->len, NULL) || memchr(s->p, 0, s->len))
		return MQTT_ERR_UTF8;
	return 0;
}

/* A variable byte integer inside the packet (property lengths). */
static int
get_varint(struct cur *c, uint32_t *v)
{
	uint32_t n = 0;
	size_t i;

	for (i = 0; i < 4; i++) {
		if (c->left < 1)
			return MQTT_ERR_SHORT;
		n |= (uint32_t)(c->p[0] & 0x7f) << (7 * i);
		c->left--;
		if (!(*c->p++ & 0x80)) {
			*v = n;
			return 0;
		}
	}
	return MQTT_ERR_PROPS;
}

/*
 * 5.0 properties: a length, then identifier/value pairs. Each identifier
 * has a fixed value type (MQTT 5.0 2.2.2.2); an unknown one leaves no way
 * to find the next, so it is an error.
 */
static int
get_props(struct cur *c, struct mqtt_packet *pk)
{
	struct cur pc;
	struct mqtt_str s;
	uint32_t len, id, v32;
	unsigned v;
	int r;

	if ((r = get_varint(c, &len)) != 0)
		return r == MQTT_ERR_SHORT ? MQTT_ERR_SHORT : MQTT_ERR_PROPS;
	if (len > c->left)
		return MQTT_ERR_PROPS;
	pk->props.p = c->p;
	pk->props.len = len;
	pc.p = c->p;
	pc.left = len;
	c->p += len;
	c->left -= len;
	while (pc.left > 0) {
		if (get_varint(&pc, &id) != 0)
			return MQTT_ERR_PROPS;
		switch (id) {
		case 0x01: case 0x17: case 0x19: case 0x24: case 0x25:
		case 0x28: case 0x29: case 0x2a:
			r = get_u8(&pc, &v);
			break;
		case 0x13: case 0x21: case 0x22: case 0x23:
			r = get_u16(&pc, &v);
			if (r == 0 && id == 0x13) {
				pk->has_server_keepalive = 1;
				pk->server_keepalive = v;
			} else if (r == 0 && id == 0x23) {
				pk->has_alias = 1;
				pk->alias = v;
			}
			break;
		case 0x02: case 0x11: case 0x18: case 0x27:
			r = pc.left < 4 ? MQTT_ERR_SHORT : 0;
			if (r == 0) {
				pc.p += 4;
				pc.left -= 4;
			}
			break;
		case 0x0b:
			r = get_varint(&pc, &v32);
			break;
		case 0x03: case 0x08: case 0x12: case 0x15: case 0x1a:
		case 0x1c: case 0x1f:
			r = get_str(&pc, &s);
			if (r == 0 && id == 0x1f)
				pk->reason = s;
			break;
		case 0x09: case 0x16:
			r = get_bin(&pc, &s);
			break;
		case 0x26:
			if ((r = get_str(&pc, &s)) == 0)
				r = get_str(&pc, &s);
			break;
		default:
			return MQTT_ERR_PROPS;
		}
		if (r == MQTT_ERR_UTF8)
			return r;
		if (r != 0)
			return MQTT_ERR_PROPS;
	}
	return 0;
}

/* The flags each type requires in the low nibble (PUBLISH: any). */
static int
flags_ok(unsigned type, unsigned flags)
{
	if (type == MQTT_PUBLISH)
		return 1;
	if (type == MQTT_PUBREL || type == MQTT_SUBSCRIBE ||
	    type == MQTT_UNSUBSCRIBE)
		return flags == 2;
	return flags == 0;
}

static int
decode_connect(struct cur *c, struct mqtt_packet *pk)
{
	struct mqtt_str s;
	struct mqtt_packet willp;
	int r, v5;

	if ((r = get_str(c, &pk->proto_name)) != 0 ||
	    (r = get_u8(c, &pk->level)) != 0 ||
	    (r = get_u8(c, &pk->connect_flags)) != 0 ||
	    (r = get_u16(c, &pk->keepalive)) != 0)
		return r;
	if (pk->connect_flags & 1)
		return MQTT_ERR_FLAGS;
	v5 = pk->level == MQTT_V5;
	if (v5 && (r = get_props(c, pk)) != 0)
		return r;
	if ((r = get_str(c, &pk->client_id)) != 0)
		return r;
	if (pk->connect_flags & 0x04) {
		memset(&willp, 0, sizeof willp);
		if ((v5 && (r = get_props(c, &willp)) != 0) ||
		    (r = get_str(c, &s)) != 0 || (r = get_bin(c, &s)) != 0)
			return r;
	}
	if ((pk->connect_flags & 0x80) && (r = get_str(c, &pk->username)) != 0)
		return r;
	if ((pk->connect_flags & 0x40) && (r = get_bin(c, &s)) != 0)
		return r;
	return c->left ? MQTT_ERR_LONG : 0;
}

/* PUBACK, PUBREC, PUBREL, PUBCOMP: an id, and in 5.0 an optional
 * reason code and optional properties. */
static int
decode_ack(struct cur *c, struct mqtt_packet *pk, int v5)
{
	int r;

	if ((r = get_u16(c, &pk->packet_id)) != 0)
		return r;
	if (pk->packet_id == 0)
		return MQTT_ERR_PACKET_ID;
	if (!v5)
		return c->left ? MQTT_ERR_LONG : 0;
	if (c->left > 0 && (r = get_u8(c, &pk->code)) != 0)
		return r;
	if (c->left > 0 && (r = get_props(c, pk)) != 0)
		return r;
	return c->left ? MQTT_ERR_LONG : 0;
}

static int
decode_sub(struct cur *c, struct mqtt_packet *pk, int v5)
{
	struct mqtt_str f;
	unsigned o;
	int r;

	if ((r = get_u16(c, &pk->packet_id)) != 0)
		return r;
	if (pk->packet_id == 0)
		return MQTT_ERR_PACKET_ID;
	if (v5 && (r = get_props(c, pk)) != 0)
		return r;
	while (c->left > 0) {
		if ((r = get_str(c, &f)) != 0)
			return r;
		if (pk->type == MQTT_SUBSCRIBE && (r = get_u8(c, &o)) != 0)
			return r;
		if (pk->count++ == 0) {
			pk->filter = f;
			pk->sub_qos = pk->type == MQTT_SUBSCRIBE ? o : 0;
		}
	}
	return pk->count ? 0 : MQTT_ERR_EMPTY;
}

static int
decode_suback(struct cur *c, struct mqtt_packet *pk, int v5)
{
	int r;

	if ((r = get_u16(c, &pk->packet_id)) != 0)
		return r;
	if (pk->packet_id == 0)
		return MQTT_ERR_PACKET_ID;
	if (pk->type == MQTT_UNSUBACK && !v5)
		return c->left ? MQTT_ERR_LONG : 0;
	if (v5 && (r = get_props(c, pk)) != 0)
		return r;
	pk->codes.p = c->p;
	pk->codes.len = pk->count = c->left;
	c->left = 0;
	return pk->count ? 0 : MQTT_ERR_EMPTY;
}

static int
decode_publish(struct cur *c, struct mqtt_packet *pk, int v5)
{
	int r;

	pk->qos = (pk->flags >> 1) & 3;
	pk->retain = pk->flags & 1;
	pk->dup = (pk->flags >> 3) & 1;
	if (pk->qos == 3 || (pk->qos == 0 && pk->dup))
		return MQTT_ERR_QOS;
	if ((r = get_str(c, &pk->topic)) != 0)
		return r;
	if (pk->qos > 0) {
		if ((r = get_u16(c, &pk->packet_id)) != 0)
			return r;
		if (pk->packet_id == 0)
			return MQTT_ERR_PACKET_ID;
	}
	if (v5 && (r = get_props(c, pk)) != 0)
		return r;
	if (memchr(pk->topic.p, '+', pk->topic.len) ||
	    memchr(pk->topic.p, '#', pk->topic.len) ||
	    (pk->topic.len == 0 && !pk->has_alias))
		return MQTT_ERR_TOPIC;
	pk->payload.p = c->p;
	pk->payload.len = c->left;
	c->left = 0;
	return 0;
}

int
mqtt_decode(const uint8_t *p, size_t len, int version, struct mqtt_packet *pk)
{
	struct cur c;
	size_t total;
	int r, v5 = version == MQTT_V5;

	memset(pk, 0, sizeof *pk);
	r = mqtt_packet_len(p, len, version, &total);
	if (r < 0)
		return r;
	if (r == 0 || total > len)
		return MQTT_ERR_SHORT;
	if (total < len)
		return MQTT_ERR_LONG;
	pk->type = p[0] >> 4;
	pk->flags = p[0] & 15;
	/* The fields start after the length bytes. */
	c.p = p + 1;
	while (*c.p++ & 0x80)
		;
	c.left = (size_t)(p + len - c.p);
	pk->remaining = c.left;
	if (pk->type == 0 || (pk->type == MQTT_AUTH && !v5))
		return MQTT_ERR_TYPE;
	if (!flags_ok(pk->type, pk->flags))
		return MQTT_ERR_FLAGS;
	switch (pk->type) {
	case MQTT_CONNECT:
		return decode_connect(&c, pk);
	case MQTT_CONNACK:
		if ((r = get_u8(&c, &pk->code)) != 0)
			return r;
		if (pk->code & 0xfe)
			return MQTT_ERR_FLAGS;
		pk->session_present = pk->code & 1;
		if ((r = get_u8(&c, &pk->code)) != 0)
			return r;
		if (v5 && (r = get_props(&c, pk)) != 0)
			return r;
		return c.left ? MQTT_ERR_LONG : 0;
	case MQTT_PUBLISH:
		return decode_publish(&c, pk, v5);
	case MQTT_PUBACK: case MQTT_PUBREC: case MQTT_PUBREL:
	case MQTT_PUBCOMP:
		return decode_ack(&c, pk, v5);
	case MQTT_SUBSCRIBE: case MQTT_UNSUBSCRIBE:
		return decode_sub(&c, pk, v5);
	case MQTT_SUBACK: case MQTT_UNSUBACK:
		return decode_suback(&c, pk, v5);
	case MQTT_PINGREQ: case MQTT_PINGRESP:
		return c.left ? MQTT_ERR_LONG : 0;
	case MQTT_DISCONNECT: case MQTT_AUTH:
		if (!v5)
			return c.left ? MQTT_ERR_LONG : 0;
		if (c.left > 0 && (r = get_u8(&c, &pk->code)) != 0)
			return r;
		if (c.left > 0 && (r = get_props(&c, pk)) != 0)
			return r;
		return c.left ? MQTT_ERR_LONG : 0;
	}
	return MQTT_ERR_TYPE;
}

/* --------------------------------------------------------- describing */

struct out {
	char *p;
	size_t cap, len;
};

static void put(struct out *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->cap - o->len ? (size_t)n :
		    o->cap - o->len - 1;
}

/* Topic, client id: printable ASCII as is, the rest as \xNN. */
static void
put_str(struct out *o, const struct mqtt_str *s)
{
	size_t i;

	for (i = 0; i < s->len; i++) {
		uint8_t b = s->p[i];

		if (b >= 0x20 && b < 0x7f && b != '\\')
			put(o, "%c", b);
		else
			put(o, "\\x%02x", b);
	}
}

size_t
mqtt_describe(const struct mqtt_packet *pk, int version, char *buf,
    size_t cap)
{
	struct out o = { buf, cap, 0 };
	size_t i;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	put(&o, "%s", mqtt_type_name(pk->type, version));
	switch (pk->type) {
	case MQTT_CONNECT:
		put(&o, " ");
		put_str(&o, &pk->proto_name);
		put(&o, " level=%u client-id=", pk->level);
		put_str(&o, &pk->client_id);
		put(&o, " keep-alive=%u", pk->keepalive);
		if (pk->connect_flags & 0x02)
			put(&o, " clean");
		if (pk->username.p) {
			put(&o, " user=");
			put_str(&o, &pk->username);
		}
		if (pk->connect_flags & 0x40)
			put(&o, " password");
		if (pk->connect_flags & 0x04)
			put(&o, " will");
		break;
	case MQTT_CONNACK:
		put(&o, " %u (%s)%s", pk->code,
		    mqtt_connack_name(pk->code, version),
		    pk->session_present ? " session-present" : "");
		if (pk->has_server_keepalive)
			put(&o, " server-keep-alive=%u", pk->server_keepalive);
		break;
	case MQTT_PUBLISH:
		put(&o, " topic=");
		put_str(&o, &pk->topic);
		if (pk->has_alias)
			put(&o, " alias=%u", pk->alias);
		put(&o, " qos=%u", pk->qos);
		if (pk->qos)
			put(&o, " id=%u", pk->packet_id);
		if (pk->retain)
			put(&o, " retain");
		if (pk->dup)
			put(&o, " dup");
		put(&o, " payload=%zu", pk->payload.len);
		break;
	case MQTT_PUBACK: case MQTT_PUBREC: case MQTT_PUBREL:
	case MQTT_PUBCOMP:
		put(&o, " id=%u", pk->packet_id);
		if (pk->code)
			put(&o, " reason=0x%02x", pk->code);
		break;
	case MQTT_SUBSCRIBE: case MQTT_UNSUBSCRIBE:
		put(&o, " id=%u filter=", pk->packet_id);
		put_str(&o, &pk->filter);
		if (pk->type == MQTT_SUBSCRIBE)
			put(&o, " qos=%u", pk->sub_qos & 3);
		if (pk->count > 1)
			put(&o, " (+%zu more)", pk->count - 1);
		break;
	case MQTT_SUBACK: case MQTT_UNSUBACK:
		put(&o, " id=%u", pk->packet_id);
		for (i = 0; i < pk->codes.len && i < 8; i++)
			put(&o, "%s0x%02x", i ? "," : " codes=",
			    pk->codes.p[i]);
		break;
	case MQTT_DISCONNECT: case MQTT_AUTH:
		if (pk->code)
			put(&o, " reason=0x%02x", pk->code);
		break;
	}
	if (pk->reason.p) {
		put(&o, " reason-string=");
		put_str(&o, &pk->reason);
	}
	return o.len;
}

/* ---------------------------------------------------------- encoding */

size_t
mqtt_varint(uint8_t *out, uint32_t n)
{
	size_t i = 0;

	do {
		out[i] = n & 0x7f;
		n >>= 7;
		if (n)
			out[i] |= 0x80;
		i++;
	} while (n && i < 4);
	return i;
}

/* Writes the fixed header of a packet with rem bytes after it, if the
 * whole packet fits; returns the packet's total length either way. */
static size_t
fixed(uint8_t *buf, size_t cap, unsigned byte1, size_t rem, size_t *hdr)
{
	uint8_t v[4];
	size_t n = mqtt_varint(v, (uint32_t)rem);

	*hdr = 1 + n;
	if (1 + n + rem <= cap) {
		buf[0] = (uint8_t)byte1;
		memcpy(buf + 1, v, n);
	}
	return 1 + n + rem;
}

static uint8_t *
w16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *
wstr(uint8_t *p, const void *s, size_t n)
{
	p = w16(p, (unsigned)n);
	memcpy(p, s, n);
	return p + n;
}

size_t
mqtt_encode_connect(uint8_t *buf, size_t cap, int version,
    const char *client_id, const char *user, const char *pass,
    unsigned keepalive, int clean)
{
	size_t rem, hdr, total;
	unsigned flags = clean ? 0x02 : 0;
	uint8_t *p;

	rem = 6 + 1 + 1 + 2 + (version == MQTT_V5) + 2 + strlen(client_id);
	if (user) {
		rem += 2 + strlen(user);
		flags |= 0x80;
	}
	if (pass) {
		rem += 2 + strlen(pass);
		flags |= 0x40;
	}
	total = fixed(buf, cap, MQTT_CONNECT << 4, rem, &hdr);
	if (total > cap)
		return total;
	p = wstr(buf + hdr, "MQTT", 4);
	*p++ = (uint8_t)version;
	*p++ = (uint8_t)flags;
	p = w16(p, keepalive);
	if (version == MQTT_V5)
		*p++ = 0;
	p = wstr(p, client_id, strlen(client_id));
	if (user)
		p = wstr(p, user, strlen(user));
	if (pass)
		wstr(p, pass, strlen(pass));
	return total;
}

size_t
mqtt_encode_publish(uint8_t *buf, size_t cap, int version, const char *topic,
    unsigned qos, int retain, unsigned packet_id, const uint8_t *payload,
    size_t len)
{
	size_t rem, hdr, total;
	uint8_t *p;

	rem = 2 + strlen(topic) + (qos ? 2 : 0) + (version == MQTT_V5) + len;
	total = fixed(buf, cap, MQTT_PUBLISH << 4 | qos << 1 | (retain != 0),
	    rem, &hdr);
	if (total > cap)
		return total;
	p = wstr(buf + hdr, topic, strlen(topic));
	if (qos)
		p = w16(p, packet_id);
	if (version == MQTT_V5)
		*p++ = 0;
	if (len)
		memcpy(p, payload, len);
	return total;
}

static size_t
encode_sub(uint8_t *buf, size_t cap, int version, unsigned type,
    unsigned packet_id, const char *filter, int with_qos, unsigned qos)
{
	size_t rem, hdr, total;
	uint8_t *p;

	rem = 2 + (version == MQTT_V5) + 2 + strlen(filter) + (with_qos != 0);
	total = fixed(buf, cap, type << 4 | 2, rem, &hdr);
	if (total > cap)
		return total;
	p = w16(buf + hdr, packet_id);
	if (version == MQTT_V5)
		*p++ = 0;
	p = wstr(p, filter, strlen(filter));
	if (with_qos)
		*p = (uint8_t)qos;
	return total;
}

size_t
mqtt_encode_subscribe(uint8_t *buf, size_t cap, int version,
    unsigned packet_id, const char *filter, unsigned qos)
{
	return encode_sub(buf, cap, version, MQTT_SUBSCRIBE, packet_id, filter,
	    1, qos);
}

size_t
mqtt_encode_unsubscribe(uint8_t *buf, size_t cap, int version,
    unsigned packet_id, const char *filter)
{
	return encode_sub(buf, cap, version, MQTT_UNSUBSCRIBE, packet_id,
	    filter, 0, 0);
}

size_t
mqtt_encode_ack(uint8_t *buf, size_t cap, unsigned type, unsigned packet_id)
{
	if (cap >= 4) {
		buf[0] = (uint8_t)(type << 4 | (type == MQTT_PUBREL ? 2 : 0));
		buf[1] = 2;
		w16(buf + 2, packet_id);
	}
	return 4;
}

size_t
mqtt_encode_empty(uint8_t *buf, size_t cap, unsigned type)
{
	if (cap >= 2) {
		buf[0] = (uint8_t)(type << 4);
		buf[1] = 0;
	}
	return 2;
}
