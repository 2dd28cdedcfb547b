/*
 * jsonl.h - the --jsonl event stream: one JSON object per line, each with
 * "event" first and "time" last (UTC, ISO 8601 with milliseconds). Output
 * is valid JSON for any input: text that is not UTF-8 and binary payloads
 * are given in base64 ("base64" instead of "text").
 *
 * An event is built with jsonl_begin(), any number of fields, and
 * jsonl_end(); the line goes through the writer passed to jsonl_begin().
 * Events are not nested.
 */
#ifndef WSCLI_JSONL_H
#define WSCLI_JSONL_H

#include <stddef.h>
#include <stdint.h>

typedef void (*jsonl_writer)(const void *p, size_t n);

/* {"event":"name" */
void jsonl_begin(jsonl_writer w, const char *event);

/* ,"key":"s" (s NULL: null) */
void jsonl_str(const char *key, const char *s);

/* ,"key":"..." for bytes that are UTF-8 (any bytes may be passed) */
void jsonl_strn(const char *key, const uint8_t *p, size_t n);

/* ,"text":"..." when p is UTF-8 and !binary, else ,"base64":"..." */
void jsonl_payload(const uint8_t *p, size_t n, int binary);

/* ,"key":"..." when p is UTF-8, else ,"key_base64":"..." */
void jsonl_bytes(const char *key, const uint8_t *p, size_t n);

/* ,"key":N / ,"key":x.xxx / ,"key":true|false / ,"key":null */
void jsonl_int(const char *key, long long v);
void jsonl_num(const char *key, double v);
void jsonl_bool(const char *key, int v);
void jsonl_null(const char *key);

/* ,"key":VALUE for p, which must be one valid JSON value (line breaks
 * between its tokens become blanks) */
void jsonl_raw(const char *key, const uint8_t *p, size_t n);

/* ,"key":{"Name":"value",...} from "Name: value" strings */
void jsonl_headers(const char *key, const char *const *lines, size_t n);

/* ,"time":"...Z"}\n */
void jsonl_end(void);

#endif /* WSCLI_JSONL_H */
