/*
 * fuzz_graphql.c - libFuzzer target for GraphQL over WebSocket messages
 * and sessions (graphql.c).
 *
 * The first byte chooses the dialect and, bit by bit, who sends each
 * message; the rest is messages separated by NUL bytes, each copied into
 * a heap block of exactly its size. Checked:
 *  - gql_parse() accepts exactly the objects gql_json_kind() calls
 *    objects and whose "type" is a string, and every span it returns
 *    lies inside the message;
 *  - gql_compact() writes no more than it read and never white space
 *    outside strings;
 *  - a session fed both directions never has more operations running
 *    than it recorded, and a violation never moves it: the same message
 *    again gives the same verdict;
 *  - gql_operation() gives either an error or a JSON object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graphql.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static void
inside(const uint8_t *p, size_t n, const uint8_t *s, size_t len)
{
	if (s == NULL)
		return;
	CHECK(s >= p && s + len <= p + n);
}

static void
one(struct gql_sess *s, int from_server, const uint8_t *data, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	struct gql_msg m;
	struct gql_event ev, again;
	const char *why = NULL;
	char *out;
	size_t active;
	long len;

	CHECK(p != NULL);
	memcpy(p, data, n);

	if (gql_parse(s->dialect, p, n, &m, &why) == 0) {
		const uint8_t *t;
		size_t tl;

		CHECK(gql_json_kind(p, n) == GQL_J_OBJECT);
		CHECK(gql_member(p, n, "type", &t, &tl) == GQL_J_STRING);
		inside(p, n, m.tname, m.tname_len);
		inside(p, n, m.id, m.id_len);
		inside(p, n, m.payload, m.payload_len);
	} else {
		CHECK(why != NULL);
	}

	out = malloc(n + 1);
	CHECK(out != NULL);
	if (gql_json_kind(p, n) != GQL_J_ABSENT) {
		size_t k = gql_compact(out, n + 1, p, n);
		int in_str = 0, esc = 0;

		CHECK(k <= n);
		for (size_t i = 0; i < k; i++) {
			char c = out[i];

			if (in_str) {
				if (esc)
					esc = 0;
				else if (c == '\\')
					esc = 1;
				else if (c == '"')
					in_str = 0;
			} else {
				CHECK(c != ' ' && c != '\n' && c != '\t' &&
				    c != '\r');
				in_str = c == '"';
			}
		}
		CHECK(gql_json_kind((const uint8_t *)out, k) ==
		    gql_json_kind(p, n));
	}
	free(out);

	active = gql_sess_active(s);
	CHECK(gql_sess_recv(s, from_server, p, n, &ev) == 0);
	CHECK(gql_sess_active(s) <= s->nops);
	if (ev.violation) {
		CHECK(ev.close_code >= 4000 && ev.close_code <= 4999);
		CHECK(gql_sess_active(s) == active);
		CHECK(gql_sess_recv(s, from_server, p, n, &again) == 0);
		CHECK(again.violation && again.close_code == ev.close_code);
		CHECK(strcmp(again.why, ev.why) == 0);
	}

	out = malloc(6 * n + 32);
	CHECK(out != NULL);
	len = gql_operation(out, 6 * n + 32, p, n, &why);
	if (len >= 0)
		CHECK(gql_json_kind((const uint8_t *)out, (size_t)len) ==
		    GQL_J_OBJECT);
	free(out);
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gql_sess s;
	unsigned dirs;
	size_t i = 1, k = 0;

	if (size < 1)
		return 0;
	dirs = data[0];
	gql_sess_init(&s, dirs & 1 ? GQL_LEGACY : GQL_TWS);
	while (i <= size) {
		const uint8_t *nul = memchr(data + i, '\0', size - i);
		size_t n = nul ? (size_t)(nul - (data + i)) : size - i;

		one(&s, (dirs >> (1 + k % 7)) & 1, data + i, n);
		k++;
		i += n + 1;
	}
	gql_sess_free(&s);
	return 0;
}
