/*
 * echo-server.c - a small, fast WebSocket (or raw TCP) echo server for the
 * wscli benchmark.
 *
 *   echo-server [--raw | --deflate] [--port P]
 *
 * Listens on 127.0.0.1:P (default 0: any free port) and prints the port on
 * the first line of stdout.
 *
 * WebSocket mode (default): answers the HTTP upgrade (Sec-WebSocket-Accept
 * computed with OpenSSL's SHA-1 and base64), then decodes client frames with
 * wscli's own frame decoder (frame.c, server role: frames must be masked) and
 * sends every data frame back unmasked with the same FIN bit, opcode and
 * payload, so fragmentation is mirrored frame for frame. A ping is answered
 * with a pong carrying its payload, a close is echoed and the connection is
 * closed once everything before it has been written. Any protocol error
 * closes the connection.
 *
 * --deflate: also accept permessage-deflate (RFC 7692) when a client offers
 * it, with wscli's own deflate.c (the first valid offer, zlib's default
 * level, context takeover unless the client asks otherwise). A compressed
 * message is inflated and its echo compressed again as it streams: each
 * frame of it that arrives sends what deflate produced so far as one
 * frame, so memory does not grow with the message and fragmentation is
 * mirrored roughly. Uncompressed messages are echoed as above.
 *
 * --raw: plain TCP echo of every byte; the physical floor for the same bytes.
 *
 * One thread, poll(2), 1 MiB reads and one write per read batch. Output that
 * the client does not read yet is buffered without limit (as Node's `ws`
 * server does), so a client that sends a whole message before reading the
 * echo cannot deadlock against the server.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/evp.h>

#include "deflate.h"
#include "frame.h"

#define MAX_CONNS 64
#define IN_BUF (1 << 20)
#define MAX_HANDSHAKE 16384

struct conn {
	int fd;
	int upgraded;         /* handshake done */
	int closing;          /* close after the output is flushed */
	char hs[MAX_HANDSHAKE];
	size_t hs_len;
	struct ws_decoder dec;
	unsigned ctl_op;      /* control frame being gathered */
	uint8_t ctl[WS_MAX_CONTROL_PAYLOAD];
	size_t ctl_len;
	uint8_t *out;         /* pending output: out[out_off..out_len) */
	size_t out_off, out_len, out_cap;
	struct pmd *pmd;      /* permessage-deflate, when agreed */
	int zmsg;             /* the message being echoed is compressed */
	unsigned zop;         /* ... its opcode */
	unsigned zframes;     /* ... frames of its echo sent */
	uint8_t *z;           /* deflated echo not yet framed */
	size_t zlen, zcap;
};

static int raw_mode, deflate_mode;
static struct conn *conns[MAX_CONNS];
static uint8_t inbuf[IN_BUF];

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
out_append(struct conn *c, const void *p, size_t n)
{
	if (c->out_off > 0 && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + n > c->out_cap) {
		if (c->out_off > 0) {
			memmove(c->out, c->out + c->out_off,
			    c->out_len - c->out_off);
			c->out_len -= c->out_off;
			c->out_off = 0;
		}
		if (c->out_len + n > c->out_cap) {
			size_t cap = c->out_cap ? c->out_cap : IN_BUF * 2;

			while (cap < c->out_len + n)
				cap *= 2;
			c->out = realloc(c->out, cap);
			if (c->out == NULL)
				die("realloc");
			c->out_cap = cap;
		}
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

/* Write what is pending; returns -1 if the connection is gone. */
static int
flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = write(c->fd, c->out + c->out_off,
		    c->out_len - c->out_off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -1;
		}
		c->out_off += (size_t)w;
	}
	c->out_off = c->out_len = 0;
	/* Give back the memory of a very large echo once it is written. */
	if (c->out_cap > 64u * IN_BUF) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return 0;
}

static void
conn_free(int i)
{
	close(conns[i]->fd);
	free(conns[i]->out);
	free(conns[i]->z);
	pmd_free(conns[i]->pmd);
	free(conns[i]);
	conns[i] = NULL;
}

static int
handshake(struct conn *c, const uint8_t *p, size_t n, size_t *used)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char *end, *line, *key = NULL, buf[1024], ext[MAX_HANDSHAKE];
	char resp[256] = "", why[256];
	unsigned char md[EVP_MAX_MD_SIZE], b64[64];
	unsigned mdlen;
	size_t take = n, klen = 0, before = c->hs_len, elen = 0;
	struct pmd_agreed agreed;
	int len;

	if (take > sizeof c->hs - 1 - c->hs_len)
		take = sizeof c->hs - 1 - c->hs_len;
	memcpy(c->hs + c->hs_len, p, take);
	c->hs_len += take;
	c->hs[c->hs_len] = '\0';
	end = strstr(c->hs, "\r\n\r\n");
	if (end == NULL) {
		*used = take;
		return c->hs_len >= sizeof c->hs - 1 ? -1 : 0;
	}
	*used = (size_t)(end + 4 - c->hs) - before;
	*end = '\0';
	for (line = strstr(c->hs, "\r\n"); line != NULL;
	    line = strstr(line + 2, "\r\n")) {
		if (strncasecmp(line + 2, "Sec-WebSocket-Key:", 18) == 0) {
			key = line + 2 + 18;
			while (*key == ' ' || *key == '\t')
				key++;
			klen = strcspn(key, "\r \t");
		} else if (strncasecmp(line + 2, "Sec-WebSocket-Extensions:",
		    25) == 0) {
			/* every such header's value, joined with ", " */
			const char *v = line + 2 + 25;
			size_t vl = strcspn(v, "\r");

			if (elen + vl + 2 >= sizeof ext)
				return -1;
			if (elen > 0) {
				memcpy(ext + elen, ", ", 2);
				elen += 2;
			}
			memcpy(ext + elen, v, vl);
			elen += vl;
		}
	}
	if (key == NULL || klen == 0 || klen > 100)
		return -1;
	if (deflate_mode && elen > 0 && pmd_server_accept(ext, elen, &agreed,
	    resp, sizeof resp, why, sizeof why) == 1) {
		if ((c->pmd = pmd_new(&agreed, 0)) == NULL)
			return -1;
	} else {
		resp[0] = '\0';
	}
	memcpy(buf, key, klen);
	memcpy(buf + klen, guid, sizeof guid - 1);
	if (!EVP_Digest(buf, klen + sizeof guid - 1, md, &mdlen, EVP_sha1(),
	    NULL))
		return -1;
	EVP_EncodeBlock(b64, md, (int)mdlen);
	len = snprintf(buf, sizeof buf,
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n%s%s%s\r\n", b64,
	    c->pmd ? "Sec-WebSocket-Extensions: " : "", resp,
	    c->pmd ? "\r\n" : "");
	out_append(c, buf, (size_t)len);
	c->upgraded = 1;
	ws_decoder_init(&c->dec, WS_ROLE_SERVER);
	if (c->pmd) {
		c->dec.rsv_allowed = 4;
		c->dec.rsv1_per_message = 1;
	}
	return 0;
}

/* ------------------------------------------------ permessage-deflate */

/* Deflated echo: gathered until the frame that carried it is complete. */
static int
z_out(void *ctx, const uint8_t *p, size_t n)
{
	struct conn *c = ctx;

	if (c->zcap - c->zlen < n) {
		size_t cap = c->zcap ? c->zcap : 64 * 1024;

		while (cap - c->zlen < n)
			cap *= 2;
		if ((c->z = realloc(c->z, cap)) == NULL)
			die("realloc");
		c->zcap = cap;
	}
	memcpy(c->z + c->zlen, p, n);
	c->zlen += n;
	return 0;
}

/* Inflated message: straight into the echo's deflate stream. */
static int
z_in(void *ctx, const uint8_t *p, size_t n)
{
	struct conn *c = ctx;

	return pmd_deflate(c->pmd, p, n, 0, z_out, c) != PMD_OK;
}

/* A frame of a compressed message is complete: echo what it gave. */
static int
z_frame_done(struct conn *c, int last)
{
	uint8_t hdr[WS_MAX_HEADER];

	if (last && (pmd_inflate(c->pmd, NULL, 0, 1, z_in, c) != PMD_OK ||
	    pmd_deflate(c->pmd, NULL, 0, 1, z_out, c) != PMD_OK))
		return -1;
	if (c->zlen == 0 && !last)
		return 0;
	out_append(c, hdr, ws_encode_header(hdr, (unsigned)last,
	    c->zframes == 0 ? 4 : 0, c->zframes == 0 ? c->zop : WS_OP_CONT,
	    c->zlen, NULL));
	out_append(c, c->z, c->zlen);
	c->zframes++;
	c->zlen = 0;
	if (last && c->zcap > 4u * IN_BUF) { /* a large message passed */
		free(c->z);
		c->z = NULL;
		c->zcap = 0;
	}
	return 0;
}

/* Decode n bytes of client frames and queue the replies. */
static int
ws_input(struct conn *c, uint8_t *p, size_t n)
{
	struct ws_event ev;
	uint8_t hdr[WS_MAX_HEADER];

	while (!c->closing) {
		long used = ws_decode(&c->dec, p, n, &ev);

		if (used < 0)
			return -1;
		p += used;
		n -= (size_t)used;
		if (ev.type == WS_EV_NONE)
			break;
		if (ev.type == WS_EV_HEADER) {
			if (ws_opcode_is_control(ev.header.opcode)) {
				c->ctl_op = ev.header.opcode;
				c->ctl_len = 0;
			} else {
				if (ev.header.opcode != WS_OP_CONT) {
					c->zmsg = (ev.header.rsv & 4) != 0;
					c->zop = ev.header.opcode;
					c->zframes = 0;
				}
				if (c->zmsg) {
					if (ev.frame_done && z_frame_done(c,
					    ev.message_done) < 0)
						return -1;
					continue;
				}
				out_append(c, hdr, ws_encode_header(hdr,
				    ev.header.fin, 0, ev.header.opcode,
				    ev.header.length, NULL));
				continue;
			}
		} else if (!ws_opcode_is_control(ev.header.opcode)) {
			if (!c->zmsg) {
				out_append(c, ev.data, ev.len);
				continue;
			}
			if (pmd_inflate(c->pmd, ev.data, ev.len, 0, z_in, c) !=
			    PMD_OK || (ev.frame_done && z_frame_done(c,
			    ev.message_done) < 0))
				return -1;
			continue;
		} else {
			memcpy(c->ctl + c->ctl_len, ev.data, ev.len);
			c->ctl_len += ev.len;
		}
		if (ev.frame_done && ws_opcode_is_control(c->ctl_op)) {
			unsigned op = c->ctl_op;

			c->ctl_op = 0;
			if (op == WS_OP_PONG)
				continue;
			if (op == WS_OP_PING)
				op = WS_OP_PONG;
			out_append(c, hdr, ws_encode_header(hdr, 1, 0, op,
			    c->ctl_len, NULL));
			out_append(c, c->ctl, c->ctl_len);
			if (op == WS_OP_CLOSE)
				c->closing = 1;
		}
	}
	return 0;
}

/* Returns -1 when the connection should be dropped. */
static int
conn_read(struct conn *c)
{
	for (;;) {
		ssize_t r = read(c->fd, inbuf, sizeof inbuf);
		size_t off = 0, used;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		if (r == 0) {
			/* Client finished sending: flush, then close. */
			c->closing = 1;
			return 0;
		}
		if (raw_mode) {
			out_append(c, inbuf, (size_t)r);
		} else {
			if (!c->upgraded) {
				if (handshake(c, inbuf, (size_t)r, &used) < 0)
					return -1;
				off = used;
			}
			if (c->upgraded && off < (size_t)r &&
			    ws_input(c, inbuf + off, (size_t)r - off) < 0)
				return -1;
		}
		if (flush_out(c) < 0)
			return -1;
		if (c->closing || (size_t)r < sizeof inbuf)
			return 0;
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof sa;
	struct pollfd pfd[MAX_CONNS + 1];
	int lfd, one = 1, port = 0, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--raw") == 0)
			raw_mode = 1;
		else if (strcmp(argv[i], "--deflate") == 0)
			deflate_mode = 1;
		else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: echo-server [--raw | --deflate] "
			    "[--port P]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("bind");
	if (listen(lfd, 128) < 0)
		die("listen");
	if (getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0)
		die("getsockname");
	printf("%u\n", ntohs(sa.sin_port));
	fflush(stdout);

	for (;;) {
		int idx[MAX_CONNS + 1], n = 0;

		pfd[n].fd = lfd;
		pfd[n].events = POLLIN;
		idx[n++] = -1;
		for (i = 0; i < MAX_CONNS; i++) {
			struct conn *c = conns[i];

			if (c == NULL)
				continue;
			pfd[n].fd = c->fd;
			pfd[n].events = (c->closing ? 0 : POLLIN) |
			    (c->out_off < c->out_len ? POLLOUT : 0);
			idx[n++] = i;
		}
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (pfd[0].revents & POLLIN) {
			int fd;

			while ((fd = accept4(lfd, NULL, NULL,
			    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
				for (i = 0; i < MAX_CONNS && conns[i]; i++)
					;
				if (i == MAX_CONNS) {
					close(fd);
					continue;
				}
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof one);
				conns[i] = calloc(1, sizeof *conns[i]);
				if (conns[i] == NULL)
					die("calloc");
				conns[i]->fd = fd;
			}
		}
		for (int k = 1; k < n; k++) {
			struct conn *c = conns[idx[k]];
			short re = pfd[k].revents;

			if (re == 0)
				continue;
			if ((re & (POLLIN | POLLHUP | POLLERR)) && !c->closing &&
			    conn_read(c) < 0) {
				conn_free(idx[k]);
				continue;
			}
			if ((re & POLLOUT) && flush_out(c) < 0) {
				conn_free(idx[k]);
				continue;
			}
			if ((re & (POLLHUP | POLLERR)) && c->closing &&
			    c->out_off < c->out_len) {
				conn_free(idx[k]);
				continue;
			}
			if (c->closing && c->out_off == c->out_len) {
				if (raw_mode) {
					shutdown(c->fd, SHUT_WR);
				}
				conn_free(idx[k]);
			}
		}
	}
}
