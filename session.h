/*
 * session.h - one WebSocket connection and its event loop.
 *
 * session.c owns the libcurl handle, the outgoing frame queues, message
 * reassembly, the close handshake and the poll() loop. The REPL (repl.c)
 * drives it through the functions below; scripted mode lives in session.c.
 */
#ifndef WSCLI_SESSION_H
#define WSCLI_SESSION_H

#include <stddef.h>
#include <stdint.h>

/* Queue one whole message (opcode WS_OP_TEXT or WS_OP_BINARY) for sending.
 * Text must be valid UTF-8 (the caller checks). Returns 0, or -1 if the
 * session is closing and no more data may be sent. */
int session_send_message(unsigned opcode, const uint8_t *p, size_t len);

/* Queue a PING or PONG with payload p (at most 125 bytes). Returns 0 or -1. */
int session_send_control(unsigned opcode, const uint8_t *p, size_t len);

/* Start the close handshake with code (0 = no code) and reason (valid
 * UTF-8, at most 123 bytes; the caller checks with ws_close_build rules).
 * Returns 0, or -1 if a close was already sent. */
int session_close(unsigned code, const char *reason);

/* Send the file open on fd (size bytes) as one message, text or binary,
 * in fragments as the queue drains; the session closes fd when done.
 * Returns 0, or -1 if a file is already being sent or the session is
 * closing. Text files must have been checked for UTF-8 by the caller. */
int session_send_file(int fd, uint64_t size, int text);

/* With --jsonl, report msg as an "error" event on stdout. */
void session_error_event(const char *msg);

/* Counters for /stats. */
struct session_stats {
	uint64_t msgs_out, bytes_out;  /* data messages / payload bytes sent */
	uint64_t msgs_in, bytes_in;    /* received */
	uint64_t pings_out, pongs_in;  /* our pings, their answers */
	uint64_t pings_in;             /* pings received (all answered) */
	double rtt_last, rtt_sum;      /* seconds */
	double connected_at;           /* monotonic seconds */
};
const struct session_stats *session_stats(void);

/* Monotonic clock in seconds. */
double now_sec(void);

#endif /* WSCLI_SESSION_H */
