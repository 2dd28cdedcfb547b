/*
 * listen-load.c - many WebSocket clients at once against wscli -l, for the
 * listen-mode benchmark (tests/bench/listen.sh). Measures and prints; it
 * does not judge.
 *
 *   listen-load --port P [--clients N] [--messages M] [--size B]
 *               [--fanout K] [--pid PID] [--timeout SECS] [--procs J]
 *               [--window W]
 *
 * Opens N connections to 127.0.0.1:P (non-blocking, epoll; at most W,
 * default 1000, connecting or waiting for their 101 at a time), upgrades
 * each (checking the 101 and its Sec-WebSocket-Accept), then:
 *
 *   default   every client sends M text messages of B bytes in lockstep
 *             with its echo (send, wait for the same bytes back, send the
 *             next), all clients concurrently: the server runs --echo
 *   --fanout  every client only counts messages until it has K: the
 *             server sends them (its stdin lines to every client)
 *
 * then closes every connection with 1000 and waits for the answers.
 * With --procs J the clients are shared by J processes (a process may
 * hold fewer descriptors than the server under test), which go through
 * the phases together.
 * With --pid, the server's CPU time (utime + stime from /proc/PID/stat)
 * is taken around each phase and its resident memory after connecting and
 * at the end (VmRSS, VmHWM from /proc/PID/status). Prints one line of
 * key=value pairs per phase.
 *
 * Frames are encoded and decoded with wscli's own frame.c (client role:
 * masked out, unmasked in).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "frame.h"

enum { C_CONNECTING, C_HEAD, C_OPEN, C_CLOSING, C_DONE };

struct client {
	int fd;
	int state;
	char head[1024];
	size_t hlen;
	char accept[32];
	struct ws_decoder dec;
	uint64_t got_bytes;       /* of the message being received */
	uint64_t msgs;            /* complete messages received */
	unsigned cur_op;
	int bad;                  /* an echo differed */
	uint8_t *out;             /* unsent bytes */
	size_t out_len, out_off, out_cap;
	size_t sent;              /* lockstep: messages sent */
};

static struct client *cl;
static int nclients = 1000, port, epfd;
static long messages = 100, fanout;
static size_t msg_size = 64;
static int pid;
static double timeout_s = 300;
static uint8_t *payload;
static int open_count, done_count, failed;
static int started, window = 1000;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The server's CPU seconds (user + system); of them in the kernel. */
static double sys_s;

static double
cpu_of(int p)
{
	char path[64], buf[1024], *s;
	unsigned long ut, st;
	FILE *f;

	if (p <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/stat", p);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	s = fgets(buf, sizeof buf, f);
	fclose(f);
	if (s == NULL || (s = strrchr(buf, ')')) == NULL)
		return 0;
	/* fields after the command: state is 3, utime 14, stime 15 */
	if (sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return 0;
	sys_s = (double)st / (double)sysconf(_SC_CLK_TCK);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long
status_kb(int p, const char *key)
{
	char path[64], line[256];
	long v = -1;
	size_t k = strlen(key);
	FILE *f;

	if (p <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/status", p);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, k) && line[k] == ':')
			v = atol(line + k + 1);
	fclose(f);
	return v;
}

static int
mask_src(void *ctx, uint8_t key[4])
{
	(void)ctx;
	return RAND_bytes(key, 4) == 1 ? 0 : -1;
}

#define SOURCES 8  /* source addresses of the clients */
#define SEQ_LEN 12 /* digits of a message's number, at its start */

static int
same_seq(const uint8_t *p, uint64_t n)
{
	char num[24];

	snprintf(num, sizeof num, "%0*llu", SEQ_LEN, (unsigned long long)n);
	return memcmp(p, num + strlen(num) - SEQ_LEN, SEQ_LEN) == 0;
}

static void
queue_out(struct client *c, const void *p, size_t n)
{
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + n > c->out_cap) {
		c->out_cap = (c->out_len + n) * 2;
		c->out = realloc(c->out, c->out_cap);
		if (c->out == NULL) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

static void
queue_frame(struct client *c, unsigned op, const uint8_t *p, size_t n)
{
	uint8_t buf[WS_MAX_HEADER + 65536];
	size_t w = ws_encode_frame(buf, sizeof buf, 1, op, p, n, mask_src, NULL);

	if (w == 0) {
		fprintf(stderr, "listen-load: cannot encode a frame\n");
		exit(1);
	}
	queue_out(c, buf, w);
}

static void
want(struct client *c, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e);
}

static void
finish(struct client *c, int ok)
{
	if (c->state == C_DONE)
		return;
	if (!ok)
		failed++;
	if (c->state >= C_OPEN)
		open_count--;
	c->state = C_DONE;
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	done_count++;
}

static void
flush_out(struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t r = send(c->fd, c->out + c->out_off,
		    c->out_len - c->out_off, MSG_NOSIGNAL);

		if (r < 0) {
			if (errno == EAGAIN) {
				want(c, EPOLLIN | EPOLLOUT);
				return;
			}
			finish(c, 0);
			return;
		}
		c->out_off += (size_t)r;
	}
	want(c, EPOLLIN);
}

static void
send_next(struct client *c)
{
	if (fanout == 0 && c->sent < (size_t)messages) {
		/* the number in digits: a text message is UTF-8 */
		char num[24];

		snprintf(num, sizeof num, "%0*zu", SEQ_LEN, c->sent);
		memcpy(payload, num + strlen(num) - SEQ_LEN, SEQ_LEN);
		queue_frame(c, WS_OP_TEXT, payload, msg_size);
		c->sent++;
	}
}

static void
start_close(struct client *c)
{
	uint8_t code[2] = { 0x03, 0xe8 };

	c->state = C_CLOSING;
	queue_frame(c, WS_OP_CLOSE, code, 2);
}

/* Phases: 1 connecting, 2 exchanging, 3 closing. */
static int phase = 1;

static void
on_message(struct client *c)
{
	c->msgs++;
	if (phase != 2)
		return;
	if (fanout == 0) {
		if (c->msgs < (uint64_t)messages)
			send_next(c);
	}
}

static void
on_frames(struct client *c, uint8_t *buf, size_t n)
{
	while (n > 0) {
		struct ws_event ev;
		long r = ws_decode(&c->dec, buf, n, &ev);

		if (r < 0) {
			fprintf(stderr, "listen-load: %s\n",
			    ws_decode_strerror((int)r));
			finish(c, 0);
			return;
		}
		buf += r;
		n -= (size_t)r;
		if (ev.type == WS_EV_NONE)
			break;
		if (ev.type == WS_EV_HEADER && ev.header.opcode != WS_OP_CONT)
			c->cur_op = ev.header.opcode;
		if (ev.type == WS_EV_DATA && c->cur_op == WS_OP_TEXT &&
		    fanout == 0 && ev.offset == 0 && ev.len >= SEQ_LEN &&
		    !same_seq(ev.data, c->msgs))
			c->bad = 1;
		if (!ev.message_done)
			continue;
		if (c->cur_op == WS_OP_CLOSE) {
			finish(c, c->state == C_CLOSING);
			return;
		}
		if (c->cur_op == WS_OP_TEXT || c->cur_op == WS_OP_BINARY)
			on_message(c);
	}
}

static void
on_head(struct client *c)
{
	char *end = strstr(c->head, "\r\n\r\n");
	size_t rest;

	if (end == NULL)
		return;
	if (strncmp(c->head, "HTTP/1.1 101 ", 13) != 0 ||
	    strstr(c->head, c->accept) == NULL) {
		fprintf(stderr, "listen-load: bad answer: %.40s\n", c->head);
		finish(c, 0);
		return;
	}
	c->state = C_OPEN;
	open_count++;
	rest = c->hlen - (size_t)(end + 4 - c->head);
	ws_decoder_init(&c->dec, WS_ROLE_CLIENT);
	if (rest)
		on_frames(c, (uint8_t *)end + 4, rest);
}

static void
on_event(struct client *c, uint32_t ev)
{
	uint8_t buf[65536];

	if (c->state == C_CONNECTING && (ev & (EPOLLOUT | EPOLLERR))) {
		int err = 0;
		socklen_t len = sizeof err;

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			fprintf(stderr, "listen-load: connect: %s\n",
			    strerror(err));
			finish(c, 0);
			return;
		}
		c->state = C_HEAD;
	}
	if (ev & EPOLLOUT)
		flush_out(c);
	if (c->state == C_DONE || !(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (;;) {
		ssize_t r;

		if (c->state == C_HEAD) {
			r = recv(c->fd, c->head + c->hlen,
			    sizeof c->head - 1 - c->hlen, 0);
			if (r > 0) {
				c->hlen += (size_t)r;
				c->head[c->hlen] = '\0';
				on_head(c);
				if (c->state == C_HEAD &&
				    c->hlen == sizeof c->head - 1) {
					finish(c, 0);
					return;
				}
				continue;
			}
		} else {
			r = recv(c->fd, buf, sizeof buf, 0);
			if (r > 0) {
				on_frames(c, buf, (size_t)r);
				if (c->state == C_DONE)
					return;
				if (c->out_len > c->out_off)
					flush_out(c);
				continue;
			}
		}
		if (r < 0 && errno == EAGAIN)
			return;
		finish(c, c->state == C_CLOSING);
		return;
	}
}

static void
open_client(struct client *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_port = htons((uint16_t)port) }, src = {
		.sin_family = AF_INET };
	uint8_t nonce[16], digest[SHA_DIGEST_LENGTH];
	char key[32], req[512], cat[128];
	struct epoll_event e = { .events = EPOLLOUT | EPOLLIN, .data.ptr = c };
	int one = 1, n;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		perror("socket");
		exit(1);
	}
	/* From 127.0.0.2 to .9 in turn: one source address has some 28,000
	 * ports, and the kernel's search for a free one gets slow long
	 * before they run out (then it, not the server, sets the pace). */
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + (uint32_t)(c - cl) %
	    SOURCES);
	setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
	    sizeof one);
	if (bind(c->fd, (struct sockaddr *)&src, sizeof src) != 0) {
		perror("bind");
		exit(1);
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	RAND_bytes(nonce, sizeof nonce);
	EVP_EncodeBlock((unsigned char *)key, nonce, sizeof nonce);
	snprintf(cat, sizeof cat, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
	    key);
	SHA1((const unsigned char *)cat, strlen(cat), digest);
	EVP_EncodeBlock((unsigned char *)c->accept, digest, sizeof digest);
	n = snprintf(req, sizeof req, "GET /load HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", port, key);
	queue_out(c, req, (size_t)n);
	c->state = C_CONNECTING;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0 &&
	    errno != EINPROGRESS) {
		perror("connect");
		exit(1);
	}
	epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &e);
}

/* Run the loop until cond() or the deadline. Returns 0, or -1. */
static int
run_until(int (*cond)(void), double deadline)
{
	struct epoll_event evs[256];

	while (!cond()) {
		int n;

		while (started < nclients &&
		    started - open_count - done_count < window)
			open_client(&cl[started++]);
		n = epoll_wait(epfd, evs, 256, 100);
		for (int i = 0; i < n; i++)
			on_event(evs[i].data.ptr, evs[i].events);
		if (now() > deadline)
			return -1;
	}
	return 0;
}

static int
all_open(void)
{
	return open_count + done_count >= nclients;
}

static int
all_exchanged(void)
{
	uint64_t want_msgs = fanout ? (uint64_t)fanout : (uint64_t)messages;

	for (int i = 0; i < nclients; i++)
		if (cl[i].state == C_OPEN && cl[i].msgs < want_msgs)
			return 0;
	return 1;
}

static int
all_done(void)
{
	return done_count >= nclients;
}

static void
usage(void)
{
	fprintf(stderr, "usage: listen-load --port P [--clients N] "
	    "[--messages M] [--size B] [--fanout K] [--pid PID] "
	    "[--timeout SECS] [--procs J] [--window W]\n");
	exit(2);
}

/* What a process did in a phase, for the one that reports. */
struct tally {
	int open, failed;
	uint64_t msgs;
	long bad;
};

static int up_fd = -1, down_fd = -1; /* to and from the reporter */

/* The phase is over here: tell the reporter, wait for the next. */
static void
phase_done(void)
{
	struct tally t = { .open = open_count, .failed = failed };
	char go;

	for (int i = 0; i < nclients; i++) {
		t.msgs += cl[i].msgs;
		t.bad += cl[i].bad;
	}
	if (write(up_fd, &t, sizeof t) != sizeof t ||
	    read(down_fd, &go, 1) != 1)
		exit(1);
}

/* One process's share of the clients, through the three phases. */
static int
clients(double deadline)
{
	cl = calloc((size_t)nclients, sizeof *cl);
	epfd = epoll_create1(0);
	if (cl == NULL || epfd < 0) {
		perror("listen-load");
		return 1;
	}
	if (run_until(all_open, deadline) != 0) {
		fprintf(stderr, "listen-load: timed out connecting (%d open)\n",
		    open_count);
		return 1;
	}
	phase_done();
	phase = 2;
	for (int i = 0; i < nclients; i++)
		if (cl[i].state == C_OPEN) {
			cl[i].msgs = 0;
			send_next(&cl[i]);
			flush_out(&cl[i]);
		}
	if (run_until(all_exchanged, deadline) != 0) {
		fprintf(stderr, "listen-load: timed out exchanging\n");
		return 1;
	}
	phase_done();
	phase = 3;
	for (int i = 0; i < nclients; i++)
		if (cl[i].state == C_OPEN) {
			start_close(&cl[i]);
			flush_out(&cl[i]);
		}
	if (run_until(all_done, deadline) != 0) {
		fprintf(stderr, "listen-load: timed out closing (%d of %d)\n",
		    done_count, nclients);
		return 1;
	}
	phase_done();
	return 0;
}

/* Wait for every process to end a phase; sum what they did. */
static int
gather(int nprocs, const int *ups, struct tally *sum)
{
	memset(sum, 0, sizeof *sum);
	for (int i = 0; i < nprocs; i++) {
		struct tally t;

		if (read(ups[i], &t, sizeof t) != sizeof t)
			return -1;
		sum->open += t.open;
		sum->failed += t.failed;
		sum->msgs += t.msgs;
		sum->bad += t.bad;
	}
	return 0;
}

static void
go_on(int nprocs, const int *downs)
{
	for (int i = 0; i < nprocs; i++)
		if (write(downs[i], "g", 1) != 1)
			exit(1);
}

int
main(int argc, char **argv)
{
	double t0, t1, t2, t3, c0, c1, c2, c3, s1, s2, deadline;
	long rss_open;
	int nprocs = 1, total_clients, *ups, *downs, *kids, rc = 0;
	struct tally sum;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		if (!strcmp(a, "--port"))
			port = atoi(v);
		else if (!strcmp(a, "--clients"))
			nclients = atoi(v);
		else if (!strcmp(a, "--messages"))
			messages = atol(v);
		else if (!strcmp(a, "--size"))
			msg_size = (size_t)atol(v);
		else if (!strcmp(a, "--fanout"))
			fanout = atol(v);
		else if (!strcmp(a, "--pid"))
			pid = atoi(v);
		else if (!strcmp(a, "--timeout"))
			timeout_s = atof(v);
		else if (!strcmp(a, "--procs"))
			nprocs = atoi(v);
		else if (!strcmp(a, "--window"))
			window = atoi(v);
		else
			usage();
		i++;
	}
	if (port <= 0 || nclients <= 0 || msg_size < SEQ_LEN ||
	    msg_size > 65536 || nprocs < 1 || nprocs > nclients || window < 1)
		usage();
	payload = malloc(msg_size);
	ups = calloc((size_t)nprocs, sizeof *ups);
	downs = calloc((size_t)nprocs, sizeof *downs);
	kids = calloc((size_t)nprocs, sizeof *kids);
	if (payload == NULL || ups == NULL || downs == NULL || kids == NULL) {
		perror("listen-load");
		return 1;
	}
	memset(payload, 'x', msg_size);
	deadline = now() + timeout_s;
	total_clients = nclients;
	fflush(stdout);

	c0 = cpu_of(pid);
	t0 = now();
	for (int i = 0; i < nprocs; i++) {
		int up[2], down[2];

		if (pipe(up) != 0 || pipe(down) != 0) {
			perror("pipe");
			return 1;
		}
		if ((kids[i] = fork()) < 0) {
			perror("fork");
			return 1;
		}
		if (kids[i] == 0) {
			close(up[0]);
			close(down[1]);
			up_fd = up[1];
			down_fd = down[0];
			nclients = total_clients / nprocs +
			    (i < total_clients % nprocs);
			_exit(clients(deadline));
		}
		close(up[1]);
		close(down[0]);
		ups[i] = up[0];
		downs[i] = down[1];
	}
	if (gather(nprocs, ups, &sum) != 0)
		return 1;
	t1 = now();
	c1 = cpu_of(pid);
	s1 = sys_s;
	rss_open = status_kb(pid, "VmRSS");
	printf("phase=connect clients=%d open=%d failed=%d wall_s=%.3f "
	    "server_cpu_s=%.2f server_rss_kb=%ld\n", total_clients, sum.open,
	    sum.failed, t1 - t0, c1 - c0, rss_open);
	fflush(stdout);
	go_on(nprocs, downs);
	if (fanout) {
		/* tell the script the clients are ready for the lines */
		printf("ready\n");
		fflush(stdout);
	}
	if (gather(nprocs, ups, &sum) != 0)
		return 1;
	t2 = now();
	c2 = cpu_of(pid);
	s2 = sys_s;
	printf("phase=%s clients=%d messages=%llu size=%zu wall_s=%.3f "
	    "msgs_per_s=%.0f server_cpu_s=%.2f server_cpu_us_per_msg=%.2f "
	    "server_sys_us_per_msg=%.2f server_rss_kb=%ld bad=%ld\n",
	    fanout ? "fanout" : "echo", sum.open, (unsigned long long)sum.msgs,
	    msg_size, t2 - t1, sum.msgs / (t2 - t1), c2 - c1, sum.msgs ?
	    (c2 - c1) * 1e6 / sum.msgs : 0, sum.msgs ? (s2 - s1) * 1e6 /
	    sum.msgs : 0, status_kb(pid, "VmRSS"), sum.bad);
	fflush(stdout);
	go_on(nprocs, downs);
	if (gather(nprocs, ups, &sum) != 0)
		return 1;
	t3 = now();
	c3 = cpu_of(pid);
	printf("phase=close clients=%d failed=%d wall_s=%.3f server_cpu_s=%.2f "
	    "server_hwm_kb=%ld\n", total_clients, sum.failed, t3 - t2, c3 - c2,
	    status_kb(pid, "VmHWM"));
	go_on(nprocs, downs);
	for (int i = 0; i < nprocs; i++) {
		int st;

		if (waitpid(kids[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			rc = 1;
	}
	return rc || sum.failed || sum.bad ? 1 : 0;
}
