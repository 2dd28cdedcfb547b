/*
 * json.h - a JSON scanner for the protocols over WebSocket: RFC 8259
 * values found, checked and read where they lie, nothing built.
 *
 * Pure: no I/O, no allocation; every function reads p[0..n) only (never
 * past n, never a NUL it was not given) and keeps nothing. Nesting is
 * limited (JSON_DEPTH): deeper input is refused, not recursed into.
 * Blanks are JSON's four: space, tab, LF, CR.
 */
#ifndef WSCLI_JSON_H
#define WSCLI_JSON_H

#include <stddef.h>
#include <stdint.h>

/* The length of the JSON value at p[0..n) after leading blanks (blanks
 * included), or 0 when p does not start with one. */
size_t json_value(const uint8_t *p, size_t n);

/* p[0..n) is exactly one JSON value, blanks around it allowed. */
int json_valid(const uint8_t *p, size_t n);

/* The JSON string at p[0..n) (after blanks) decoded into out (cap
 * bytes, NUL-terminated, cut at cap - 1 bytes, at a byte), escapes and
 * surrogate pairs as UTF-8, a lone surrogate as U+FFFD: its length, or
 * -1 when p does not start with a string (or cap is 0). */
long json_string(const uint8_t *p, size_t n, char *out, size_t cap);

/* In the JSON object at p[0..n), the value of member key (the first of
 * that name, compared as written: an escaped key does not match): 0 with
 * *v, *vn set, or -1 when there is none or p is no object. */
int json_member(const uint8_t *p, size_t n, const char *key,
    const uint8_t **v, size_t *vn);

#endif /* WSCLI_JSON_H */
