/*
 * siopkt.h - Socket.IO (protocol 5, socket.io 3 and 4; protocol 4 where
 * it reads the same) and Engine.IO packets as they come in WebSocket text
 * messages, decoded and checked; the default URL of a Socket.IO server.
 *
 * Pure: no I/O, no memory of its own, no state; a packet's parts are
 * slices of the message it was decoded from, which the caller keeps.
 */
#ifndef WSCLI_SIOPKT_H
#define WSCLI_SIOPKT_H

#include <stddef.h>
#include <stdint.h>

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

/*
 * The URL to dial for url, written into buf (cap bytes), as
 * socket.io-client reads one: without EIO= in its query, the path is the
 * namespace (path_is_nsp; "/" and /socket.io/ are the main one's),
 * written into nsp (ncap bytes, "" when the main one), and the engine
 * path is /socket.io/; when !path_is_nsp the path is the engine's (its
 * `path` option). The query is kept, with EIO=4&transport=websocket
 * after it. A query with EIO= is an Engine.IO URL, dialed as it is, with
 * transport=websocket added when it has no transport. Returns 1 when buf
 * holds the URL, 0 when url is to be dialed as it is.
 */
int sio_url(const char *url, int path_is_nsp, char *buf, size_t cap,
    char *nsp, size_t ncap);

/* The data p[0..n) after a Socket.IO packet's header (type SIO_) has the
 * shape the type calls for (see sio_parse): 0, or -1 with why. */
int sio_check_data(int type, const uint8_t *p, size_t n, char *why,
    size_t cap);

#endif /* WSCLI_SIOPKT_H */
