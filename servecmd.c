/*
 * servecmd.c - the REPL commands both serving modes have (listen, relay):
 * /to, /all, /list and /kick, and what /file needs there. The words are
 * read and checked here, once; what each command does is the mode's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "servecmd.h"
#include "term.h"
#include "view.h"

#define FILE_MAX (64 * 1024 * 1024) /* /file reads the file whole */

int
servecmd_parse_id(const char *s, const char **end)
{
	long v = 0;

	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9' && v < 1000000000)
		v = v * 10 + (*s++ - '0');
	*end = s;
	return (int)v;
}

static int
kick_args(const char *arg, int *id, unsigned *code,
    const char **reason)
{
	const char *end;
	char why[160];
	unsigned long c = WS_CLOSE_NORMAL;
	uint8_t payload[2 + WS_MAX_CLOSE_REASON];
	long n;

	*id = servecmd_parse_id(arg, &end);
	*reason = "";
	if (*id <= 0 || (*end && *end != ' ')) {
		view_infof("/kick: usage: /kick ID [CODE [REASON]]");
		return -1;
	}
	while (*end == ' ')
		end++;
	if (*end) {
		char *e;

		errno = 0;
		c = strtoul(end, &e, 10);
		if (e == end || (*e && *e != ' ') || errno || c > 65535) {
			view_infof("/kick: '%s' is not a close code (a "
			    "number such as 1008)", end);
			return -1;
		}
		if (ws_close_code_why_not((unsigned)c, why, sizeof why)) {
			view_infof("/kick: %lu may not be sent: %s", c, why);
			return -1;
		}
		*reason = e;
		while (**reason == ' ')
			(*reason)++;
	}
	/* built only to check the reason: length and UTF-8 */
	n = ws_close_build(payload, (unsigned)c, (const uint8_t *)*reason,
	    strlen(*reason));
	if (n < 0) {
		view_infof("/kick: %s", n == WS_CLOSE_ERR_TOO_LONG ?
		    "the reason is longer than 123 bytes" :
		    ws_close_strerror((int)n));
		return -1;
	}
	*code = (unsigned)c;
	return 0;
}

uint8_t *
servecmd_read_file(int fd, uint64_t size, size_t *len, const char **why)
{
	uint8_t *buf;
	size_t got = 0;

	if (size > FILE_MAX) {
		*why = "larger than 64 MiB, the most sent as one message here";
		close(fd);
		return NULL;
	}
	buf = xrealloc(NULL, (size_t)size + 1);
	while (got < size) {
		ssize_t r = read(fd, buf + got, (size_t)size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*why = r < 0 ? strerror(errno) : "the file got shorter";
			free(buf);
			close(fd);
			return NULL;
		}
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return buf;
}

int
servecmd_run(const struct servecmd_ops *m, const char *name, const char *arg)
{
	if (!strcmp(name, "to")) {
		m->to(arg);
	} else if (!strcmp(name, "all")) {
		m->all();
	} else if (!strcmp(name, "list")) {
		m->list();
	} else if (!strcmp(name, "kick")) {
		const char *reason;
		unsigned code;
		int id;

		if (kick_args(arg, &id, &code, &reason) == 0)
			m->kick(id, code, reason);
	} else {
		return -1;
	}
	return 0;
}
