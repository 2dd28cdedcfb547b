/*
 * mqttproto.h - MQTT 3.1.1 and 5.0 over WebSocket (binary messages, the
 * "mqtt" subprotocol) as a protocol of the protocol layer (proto.h):
 * --proto mqtt. The client's session and a relay's decoding; the packets
 * are mqtt.h's.
 */
#ifndef WSCLI_MQTTPROTO_H
#define WSCLI_MQTTPROTO_H

struct proto;

extern const struct proto mqtt_proto;

#endif /* WSCLI_MQTTPROTO_H */
