/*
 * sio.h - Socket.IO (protocol 5, the socket.io 3.x and 4.x servers and
 * clients) over Engine.IO 4 on a WebSocket: --proto socketio.
 *
 * The protocol itself is sio_proto (proto.h): client mode opens the
 * default namespace (or --namespace, with --auth), answers the server's
 * pings, reports a server silent past pingInterval + pingTimeout, shows
 * events, acks and errors, reassembles binary attachments, emits stdin
 * lines and /emit; listen mode answers as a server (the open packet, the
 * namespace's CONNECT, pings of its own); relay mode decodes both ways.
 *
 * sio_parse() is the decoder of one text message, pure: no I/O, no
 * memory of its own, the packet's parts are slices of the input.
 */
#ifndef WSCLI_SIO_H
#define WSCLI_SIO_H

#include <stddef.h>
#include <stdint.h>

struct proto;

extern const struct proto sio_proto;

/* Engine.IO packet types (the first character of a text message). */
enum {
	EIO_OPEN = 0, EIO_CLOSE, EIO_PING, EIO_PONG, EIO_MESSAGE, EIO_UPGRADE,
	EIO_NOOP,
};

/* Socket.IO packet types (the character after an Engine.IO '4'). */
enum {
	SIO_CONNECT = 0, SIO_DISCONNECT, SIO_EVENT, SIO_ACK, SIO_CONNECT_ERROR,
	SIO_BINARY_EVENT, SIO_BINARY_ACK,
};

#define SIO_MAX_ATTACHMENTS 1000

/* One text message, decoded. */
struct sio_packet {
	int eio;                  /* EIO_ */
	int type;                 /* EIO_MESSAGE: SIO_; else -1 */
	unsigned attachments;     /* binary packets: the frames that follow */
	const uint8_t *nsp;       /* the namespace ("/" when not given) */
	size_t nnsp;
	int has_id;               /* an ack id was given */
	uint64_t id;
	const uint8_t *data;      /* the JSON after the header (EIO_MESSAGE),
				     or the payload of the others; may be
				     empty */
	size_t ndata;
};

/*
 * Decode the text message p[0..n). Returns 0, or -1 with why (cap bytes)
 * saying the rule it breaks (unknown packet type, attachments without their '-',
 * an id out of range, data that is not JSON or not of the packet's
 * shape: an EVENT is a non-empty array whose first element is the event
 * name, an ACK an array, a CONNECT an object, a CONNECT_ERROR an object
 * or a string, a DISCONNECT nothing).
 */
int sio_parse(const uint8_t *p, size_t n, struct sio_packet *pk, char *why,
    size_t cap);

/* The default URL: ws://host[:port] without a path (or with "/" alone)
 * gets /socket.io/?EIO=4&transport=websocket, written into buf (cap
 * bytes). Returns 1 when it did, 0 when url is left as it is. */
int sio_url(const char *url, char *buf, size_t cap);

#endif /* WSCLI_SIO_H */
