/*
 * jsonl.c - writing --jsonl events. Strings are escaped per RFC 8259;
 * anything that is not valid UTF-8 is given as base64 so that every line
 * parses.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "frame.h"
#include "jsonl.h"
#include "term.h"

static void
put(jsonl_writer w, const char *s)
{
	w(s, strlen(s));
}

static void
put_string(jsonl_writer w, const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	w("\"", 1);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = p[i];
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		w(p + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			w(esc, 2);
		} else if (c == '\n') {
			w("\\n", 2);
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			w(esc, 6);
		}
	}
	w(p + run, len - run);
	w("\"", 1);
}

static void
put_cstring(jsonl_writer w, const char *s)
{
	if (s == NULL)
		put(w, "null");
	else
		put_string(w, (const uint8_t *)s, strlen(s));
}

static void
put_base64(jsonl_writer w, const uint8_t *p, size_t len)
{
	unsigned char out[4 * 3072 / 3 + 4];

	w("\"", 1);
	while (len > 0) {
		size_t n = len < 3072 ? len : 3072;
		int k = EVP_EncodeBlock(out, p, (int)n);

		w(out, (size_t)k);
		p += n;
		len -= n;
	}
	w("\"", 1);
}

/* "text":"..." when p is UTF-8 (and text is wanted), else "base64":"..." */
static void
put_payload(jsonl_writer w, const uint8_t *p, size_t len, int binary)
{
	if (!binary && ws_utf8_valid(p, len, NULL)) {
		put(w, ",\"text\":");
		put_string(w, p, len);
	} else {
		put(w, ",\"base64\":");
		put_base64(w, p, len);
	}
}

static jsonl_writer W;

static void
put_key(const char *key)
{
	W(",\"", 2);
	put(W, key);
	W("\":", 2);
}

void
jsonl_begin(jsonl_writer w, const char *event)
{
	W = w;
	put(W, "{\"event\":");
	put_cstring(W, event);
}

void
jsonl_str(const char *key, const char *s)
{
	put_key(key);
	put_cstring(W, s);
}

void
jsonl_strn(const char *key, const uint8_t *p, size_t n)
{
	put_key(key);
	put_string(W, p, n);
}

void
jsonl_payload(const uint8_t *p, size_t n, int binary)
{
	put_payload(W, p, n, binary);
}

void
jsonl_bytes(const char *key, const uint8_t *p, size_t n)
{
	if (ws_utf8_valid(p, n, NULL)) {
		put_key(key);
		put_string(W, p, n);
	} else {
		W(",\"", 2);
		put(W, key);
		W("_base64\":", 9);
		put_base64(W, p, n);
	}
}

void
jsonl_int(const char *key, long long v)
{
	char buf[32];

	put_key(key);
	snprintf(buf, sizeof buf, "%lld", v);
	put(W, buf);
}

void
jsonl_raw(const char *key, const uint8_t *p, size_t n)
{
	size_t run = 0;

	put_key(key);
	/* a line break between tokens would end the event's line */
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\n' || p[i] == '\r') {
			W(p + run, i - run);
			W(" ", 1);
			run = i + 1;
		}
	W(p + run, n - run);
}

void
jsonl_num(const char *key, double v)
{
	char buf[64];

	put_key(key);
	snprintf(buf, sizeof buf, "%.3f", v);
	put(W, buf);
}

void
jsonl_bool(const char *key, int v)
{
	put_key(key);
	put(W, v ? "true" : "false");
}

void
jsonl_null(const char *key)
{
	put_key(key);
	put(W, "null");
}

void
jsonl_headers(const char *key, const char *const *lines, size_t n)
{
	put_key(key);
	put(W, "{");
	for (size_t i = 0, k = 0; i < n; i++) {
		const char *colon = strchr(lines[i], ':'), *v;

		if (colon == NULL)
			continue;
		if (k++ > 0)
			put(W, ",");
		put_string(W, (const uint8_t *)lines[i],
		    (size_t)(colon - lines[i]));
		put(W, ":");
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		put_cstring(W, v);
	}
	put(W, "}");
}

void
jsonl_end(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	if (term_timestamps() == 2) {
		/* -t elapsed: the seconds since the start as well */
		char t[32];
		size_t n = term_stamp(t, sizeof t);

		while (n > 0 && t[n - 1] == ' ')
			t[--n] = '\0';
		put(W, ",\"elapsed\":");
		put(W, t + strspn(t, "+ "));
	}
	put(W, ",\"time\":\"");
	put(W, buf);
	snprintf(buf, sizeof buf, ".%03ldZ\"}\n", ts.tv_nsec / 1000000);
	put(W, buf);
}
