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
 * Its packets are decoded by siopkt.c, which is pure.
 */
#ifndef WSCLI_SIO_H
#define WSCLI_SIO_H

struct proto;

extern const struct proto sio_proto;

#endif /* WSCLI_SIO_H */
