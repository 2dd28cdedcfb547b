/*
 * servecmd.h - the REPL commands both serving modes have (listen, relay).
 *
 * servecmd_run() reads the words of /to, /all, /list and /kick and calls
 * the mode for each; /kick's arguments are checked here (the close code
 * may be sent, the reason is UTF-8 of at most 123 bytes) and a mistake is
 * said on the display, so the mode only acts.
 */
#ifndef WSCLI_SERVECMD_H
#define WSCLI_SERVECMD_H

#include <stddef.h>
#include <stdint.h>

struct servecmd_ops {
	void (*to)(const char *arg);  /* /to and its words, as typed */
	void (*all)(void);            /* /all */
	void (*list)(void);           /* /list */
	/* /kick ID [CODE [REASON]], checked; reason may be "" */
	void (*kick)(int id, unsigned code, const char *reason);
};

/* name (without the slash) is one of these commands: run it and return
 * 0; otherwise -1. */
int servecmd_run(const struct servecmd_ops *m, const char *name,
    const char *arg);

/* "3" -> 3, *end after the digits; 0 if s does not start with one. */
int servecmd_parse_id(const char *s, const char **end);

/* /file: the open file of size bytes read whole (it is sent as one
 * message), at most 64 MiB, and closed. Returns the bytes (the caller
 * frees them) and *len, or NULL with why. */
uint8_t *servecmd_read_file(int fd, uint64_t size, size_t *len,
    const char **why);

#endif /* WSCLI_SERVECMD_H */
