/*
 * jsonl.h - the --jsonl event stream: one JSON object per line, each with
 * "event" and "time" (UTC, ISO 8601 with milliseconds). Output is valid JSON
 * for any input: text that is not UTF-8 and binary payloads are given in
 * base64 ("base64" instead of "text").
 *
 * Every function writes one whole line through the writer passed in.
 */
#ifndef WSCLI_JSONL_H
#define WSCLI_JSONL_H

#include <stddef.h>
#include <stdint.h>

typedef void (*jsonl_writer)(const void *p, size_t n);

/* {"event":"open","url":..,"status":101,"subprotocol":..|null,
 *  "headers":{"name":"value",...},"time":..} -- headers is a NULL-terminated
 * array of "Name: value" strings. */
void jsonl_open(jsonl_writer w, const char *url, long status,
    const char *subprotocol, const char *const *headers, double ms);

/* {"event":"message","dir":"in"|"out","type":"text"|"binary","size":N,
 *  "fragments":N,"text":..|"base64":..,["truncated":true,]"time":..}
 * p[0..len) is the payload, or its first len bytes when size is larger
 * ("truncated"); p NULL leaves the payload out. */
void jsonl_message(jsonl_writer w, char dir, int binary, const uint8_t *p,
    size_t len, uint64_t size, unsigned fragments);

/* {"event":"ping"|"pong","dir":..,"size":N,"text"|"base64":..,
 *  ["rtt_ms":x,] "time":..}; rtt_ms < 0 means none */
void jsonl_control(jsonl_writer w, const char *event, char dir,
    const uint8_t *p, size_t len, double rtt_ms);

/* {"event":"close","dir":..,"code":N|null,"name":..,"reason":..,
 *  "by":"server"|"client","time":..} */
void jsonl_close(jsonl_writer w, char dir, unsigned code, const char *name,
    const uint8_t *reason, size_t rlen, const char *by);

/* {"event":"error","message":..,"time":..} */
void jsonl_error(jsonl_writer w, const char *message);

#endif /* WSCLI_JSONL_H */
