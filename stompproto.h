/*
 * stompproto.h - STOMP 1.0-1.2 over WebSocket as a protocol of the
 * protocol layer (proto.h): --proto stomp, offering v12.stomp, v11.stomp
 * and v10.stomp. The client's session and a relay's decoding; the
 * frames are stomp.h's.
 */
#ifndef WSCLI_STOMPPROTO_H
#define WSCLI_STOMPPROTO_H

struct proto;

extern const struct proto stomp_proto;

#endif /* WSCLI_STOMPPROTO_H */
