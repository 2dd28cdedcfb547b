/*
 * graphqlproto.h - GraphQL over WebSocket as a protocol of the protocol
 * layer (proto.h): --proto graphql, offering graphql-transport-ws and the
 * legacy graphql-ws and speaking the one agreed. The messages and the
 * session are graphql.h's.
 *
 * Client: connection_init (payload --init) on open, stdin held until
 * connection_ack, which must come within --connect-timeout (else closed
 * with 4504, exit 7); each stdin line or /subscribe an operation with the
 * next id; each next's payload one line on stdout, an error on stderr;
 * done when every operation is over. Server (listen mode):
 * connection_init answered with connection_ack, each subscribe and
 * complete a stdout line, stdin lines and /next, /complete the server's
 * messages. Both: ping answered with pong; a broken rule closes with its
 * code (exit 5). Relay mode: both directions decoded and checked against
 * one session.
 */
#ifndef WSCLI_GRAPHQLPROTO_H
#define WSCLI_GRAPHQLPROTO_H

struct proto;

extern const struct proto proto_graphql;

#endif /* WSCLI_GRAPHQLPROTO_H */
