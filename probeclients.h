/*
 * probeclients.h - wscli -l [ADDRESS:]PORT --probe-clients: a conformance
 * report of WebSocket clients, the other half of --probe.
 *
 * wscli listens; each connection a client makes (an upgrade it accepts,
 * with the first subprotocol offered and no extension) gets the next case
 * of a catalogue, in order: frames crafted towards the client (RSV bits,
 * reserved opcodes, fragmented and oversized control frames, invalid
 * UTF-8 whole and split across frames, CLOSE frames with codes a client
 * must refuse, a masked frame, pings between fragments, big and
 * fragmented messages). The client is expected to echo every message it
 * gets, as a reconnect-and-echo loop does; its reaction is judged (the
 * echo, the pongs, the close code, how fast it failed) with --probe's
 * verdict words, line form, --probe-report files and exit status. The
 * run ends when every case has had its connection, or at --timeout.
 *
 * Connections after the last case are refused with 503. What a client
 * sends is checked by conn.c as in listen mode: a client that breaks a
 * rule itself FAILS the case it was in.
 */
#ifndef WSCLI_PROBECLIENTS_H
#define WSCLI_PROBECLIENTS_H

/* Run the client probe on srv_opt.listen. Returns the exit status: 0
 * when no case FAILED, 1 otherwise (or when a report cannot be written),
 * 7 at --timeout before every case had its connection. */
int pcl_run(void);

#endif /* WSCLI_PROBECLIENTS_H */
