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

static void
put_end(jsonl_writer w)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	put(w, ",\"time\":\"");
	put(w, buf);
	snprintf(buf, sizeof buf, ".%03ldZ\"}\n", ts.tv_nsec / 1000000);
	put(w, buf);
}

void
jsonl_open(jsonl_writer w, const char *url, long status,
    const char *subprotocol, const char *const *headers, double ms)
{
	char buf[64];

	put(w, "{\"event\":\"open\",\"url\":");
	put_cstring(w, url);
	snprintf(buf, sizeof buf, ",\"status\":%ld,\"ms\":%.3f", status, ms);
	put(w, buf);
	put(w, ",\"subprotocol\":");
	put_cstring(w, subprotocol);
	put(w, ",\"headers\":{");
	for (size_t i = 0; headers && headers[i]; i++) {
		const char *colon = strchr(headers[i], ':'), *v;

		if (colon == NULL)
			continue;
		if (i > 0)
			put(w, ",");
		put_string(w, (const uint8_t *)headers[i],
		    (size_t)(colon - headers[i]));
		put(w, ":");
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		put_cstring(w, v);
	}
	put(w, "}");
	put_end(w);
}

void
jsonl_message(jsonl_writer w, char dir, int binary, const uint8_t *p,
    size_t len, uint64_t size, unsigned fragments)
{
	char buf[128];

	snprintf(buf, sizeof buf, "{\"event\":\"message\",\"dir\":\"%s\","
	    "\"type\":\"%s\",\"size\":%llu,\"fragments\":%u",
	    dir == '<' ? "in" : "out", binary ? "binary" : "text",
	    (unsigned long long)size, fragments);
	put(w, buf);
	if (p) {
		/* a truncated text may end inside a code point: base64 then */
		put_payload(w, p, len, binary);
		if (size > len)
			put(w, ",\"truncated\":true");
	}
	put_end(w);
}

void
jsonl_control(jsonl_writer w, const char *event, char dir, const uint8_t *p,
    size_t len, double rtt_ms)
{
	char buf[96];

	snprintf(buf, sizeof buf, "{\"event\":\"%s\",\"dir\":\"%s\",\"size\":%zu",
	    event, dir == '<' ? "in" : "out", len);
	put(w, buf);
	put_payload(w, p, len, 0);
	if (rtt_ms >= 0) {
		snprintf(buf, sizeof buf, ",\"rtt_ms\":%.3f", rtt_ms);
		put(w, buf);
	}
	put_end(w);
}

void
jsonl_close(jsonl_writer w, char dir, unsigned code, const char *name,
    const uint8_t *reason, size_t rlen, const char *by)
{
	char buf[96];

	snprintf(buf, sizeof buf, "{\"event\":\"close\",\"dir\":\"%s\",",
	    dir == '<' ? "in" : "out");
	put(w, buf);
	if (code == WS_CLOSE_NO_STATUS)
		put(w, "\"code\":null");
	else {
		snprintf(buf, sizeof buf, "\"code\":%u", code);
		put(w, buf);
	}
	put(w, ",\"name\":");
	put_cstring(w, name);
	put(w, ",\"reason\":"); /* checked UTF-8 by ws_close_parse */
	put_string(w, reason, rlen);
	put(w, ",\"by\":");
	put_cstring(w, by);
	put_end(w);
}

void
jsonl_error(jsonl_writer w, const char *message)
{
	put(w, "{\"event\":\"error\",\"message\":");
	put_string(w, (const uint8_t *)message, strlen(message));
	put_end(w);
}
