/*
 * test_conn.c - unit tests for conn.c: a client and a server connection
 * talking over a socketpair, or one connection against raw bytes written
 * and read on the other end. Messages both ways, fragmented messages, a
 * ping answered and its round trip, the close handshake started by either
 * side, a protocol violation answered with 1002, a frame over the limit
 * refused at its header with 1009, the close timeout when the peer never
 * answers, and inflating that stops when the owner pauses reading.
 *
 * The connections run on the real loop (loop.c) with the plain-socket
 * transport; a guard source stops the loop when the test's condition
 * holds or its time bound has passed.
 *
 * Run with CMOCKA_MESSAGE_OUTPUT=TAP for output that prove(1) understands.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "conn.h"
#include "deflate.h"
#include "exit.h"
#include "frame.h"
#include "loop.h"
#include "term.h"
#include "transport.h"

/* ------------------------------------------------------ what happened */

struct side {
	struct conn *c;
	uint8_t msg[1 << 16];     /* the last message, its start */
	size_t msg_len;           /* its size, all of it */
	int msg_bad;              /* a byte past msg that is not 'a' */
	size_t pause_after;       /* pause reading once a message has
				     this many bytes; 0 never */
	unsigned msg_opcode, msg_frags;
	int msgs;                 /* messages received */
	int pings_in, pongs_in;
	double rtt_ms;            /* of the last pong that answered ours */
	unsigned close_in, close_out; /* codes received and sent; 0 = none */
	uint8_t close_reason[128];
	size_t close_reason_len;
	int ended;
};

static struct side cli, srv;

static void
ev_message_begin(struct conn *c)
{
	struct side *s = conn_ud(c);

	s->msg_len = 0;
	s->msg_opcode = conn_in(c)->opcode;
}

static void
ev_message_data(struct conn *c, const uint8_t *p, size_t n)
{
	struct side *s = conn_ud(c);

	for (size_t i = 0; i < n; i++) {
		if (s->msg_len + i < sizeof s->msg)
			s->msg[s->msg_len + i] = p[i];
		else if (p[i] != 'a')
			s->msg_bad = 1;
	}
	s->msg_len += n;
	if (s->pause_after && s->msg_len >= s->pause_after)
		conn_pause(c, 1);
}

static void
ev_message_end(struct conn *c)
{
	struct side *s = conn_ud(c);

	assert_int_equal(conn_in(c)->len, s->msg_len);
	s->msg_frags = conn_in(c)->frags;
	s->msgs++;
}

static void
ev_control(struct conn *c, char dir, unsigned op, const uint8_t *p,
    size_t n, const char *note, double rtt_ms)
{
	struct side *s = conn_ud(c);

	if (dir != '<')
		return;
	if (op == WS_OP_PING)
		s->pings_in++;
	if (op == WS_OP_PONG) {
		s->pongs_in++;
		s->rtt_ms = rtt_ms;
	}
}

static void
ev_close(struct conn *c, char dir, unsigned code, const uint8_t *reason,
    size_t n)
{
	struct side *s = conn_ud(c);

	if (dir == '<') {
		s->close_in = code;
		assert_true(n <= sizeof s->close_reason);
		memcpy(s->close_reason, reason, n);
		s->close_reason_len = n;
	} else {
		s->close_out = code;
	}
}

static void
ev_ended(struct conn *c)
{
	struct side *s = conn_ud(c);

	s->ended++;
}

static const struct conn_ops ops = {
	.message_begin = ev_message_begin,
	.message_data = ev_message_data,
	.message_end = ev_message_end,
	.control = ev_control,
	.close = ev_close,
	.ended = ev_ended,
};

/* ----------------------------------------------------------- the loop */

static int (*until)(void);
static double bound;
static int raw_fd = -1;           /* the raw end, drained if asked */
static int raw_drain;
static uint8_t raw_in[1 << 16];   /* what the raw end read */
static size_t raw_len;
static struct source guard;

static void
drain_raw(void)
{
	while (raw_fd >= 0 && raw_len < sizeof raw_in) {
		ssize_t r = read(raw_fd, raw_in + raw_len,
		    sizeof raw_in - raw_len);

		if (r <= 0)
			break;
		raw_len += (size_t)r;
	}
}

/* Only wakes the loop: guard_dispatch looks. */
static void
guard_wake(struct timer *t, double now)
{
}

static struct timer guard_tick = { .fire = guard_wake };

static int
guard_prepare(struct source *s, struct pollfd *pfd, int max, double now,
    int *busy)
{
	/* wake up now and then to look at the condition */
	if (!loop_timer_armed(&guard_tick))
		loop_timer_set(&guard_tick, now + 0.01);
	return 0;
}

static void
guard_dispatch(struct source *s, const struct pollfd *pfd, int n,
    double now)
{
	if (raw_drain)
		drain_raw();
	if ((until && until()) || now >= bound) {
		loop_remove(s);
		loop_stop();
	}
}

/* Run the loop until cond() holds, at most secs seconds. Returns
 * cond(). */
static int
run(int (*cond)(void), double secs)
{
	until = cond;
	bound = now_sec() + secs;
	memset(&guard, 0, sizeof guard);
	guard.prepare = guard_prepare;
	guard.dispatch = guard_dispatch;
	loop_add(&guard);
	assert_int_equal(loop_run(), 0);
	loop_remove(&guard);
	loop_release();
	if (raw_drain)
		drain_raw();
	return cond ? cond() : 1;
}

/* -------------------------------------------------------------- setup */

static struct conn_config
config(struct side *s, enum ws_role role)
{
	return (struct conn_config){
		.role = role,
		.ops = &ops,
		.ud = s,
		.label = role == WS_ROLE_CLIENT ? "client: " : "server: ",
		.close_timeout = 2,
	};
}

static void
pair(int fd[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    fd), 0);
}

/* A client and a server connection over a socketpair. */
static int
setup_pair(void **state)
{
	int fd[2];
	struct conn_config cc = config(&cli, WS_ROLE_CLIENT),
	    sc = config(&srv, WS_ROLE_SERVER);

	memset(&cli, 0, sizeof cli);
	memset(&srv, 0, sizeof srv);
	pair(fd);
	cli.c = conn_new(&cc, tr_socket_new(fd[0]), NULL);
	srv.c = conn_new(&sc, tr_socket_new(fd[1]), NULL);
	return 0;
}

/* One server (or client) connection; the test writes and reads its
 * peer's bytes on raw_fd. */
static void
setup_raw(struct side *s, const struct conn_config *cfg)
{
	int fd[2];

	memset(s, 0, sizeof *s);
	pair(fd);
	s->c = conn_new(cfg, tr_socket_new(fd[0]), NULL);
	raw_fd = fd[1];
	raw_len = 0;
	raw_drain = 1;
}

static int
teardown(void **state)
{
	conn_free(cli.c);
	conn_free(srv.c);
	loop_release();
	memset(&cli, 0, sizeof cli);
	memset(&srv, 0, sizeof srv);
	if (raw_fd >= 0)
		close(raw_fd);
	raw_fd = -1;
	raw_drain = 0;
	return 0;
}

static void
raw_write(const uint8_t *p, size_t n)
{
	assert_int_equal(write(raw_fd, p, n), (ssize_t)n);
}

/* ------------------------------------------------------------- tests */

static int srv_has_msg(void) { return srv.msgs > 0; }
static int cli_has_msg(void) { return cli.msgs > 0; }
static int both_ended(void) { return cli.ended && srv.ended; }
static int srv_ended(void) { return srv.ended > 0; }
static int cli_ended(void) { return cli.ended > 0; }

static void
message_both_ways(void **state)
{
	static const uint8_t bin[] = { 0, 1, 2, 0xff, 0x80 };

	assert_int_equal(conn_send_data(cli.c, WS_OP_TEXT,
	    (const uint8_t *)"hello", 5, 1, 1), 0);
	assert_true(run(srv_has_msg, 5));
	assert_int_equal(srv.msg_opcode, WS_OP_TEXT);
	assert_int_equal(srv.msg_len, 5);
	assert_memory_equal(srv.msg, "hello", 5);
	assert_int_equal(srv.msg_frags, 1);

	assert_int_equal(conn_send_data(srv.c, WS_OP_BINARY, bin, sizeof bin,
	    1, 2), 0);
	assert_true(run(cli_has_msg, 5));
	assert_int_equal(cli.msg_opcode, WS_OP_BINARY);
	assert_int_equal(cli.msg_len, sizeof bin);
	assert_memory_equal(cli.msg, bin, sizeof bin);
	assert_int_equal(conn_stats(cli.c)->msgs_out, 1);
	assert_int_equal(conn_stats(srv.c)->msgs_in, 1);
	assert_int_equal(conn_stats(srv.c)->msgs_out, 1);
	assert_int_equal(conn_queued(cli.c), 0);
	assert_int_equal(conn_unsent_messages(cli.c), 0);
}

/* A large message: many reads and partial sends through a socket buffer
 * far smaller than it. */
static void
large_message(void **state)
{
	static uint8_t big[60000];

	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 31 + 7);
	assert_int_equal(conn_send_data(cli.c, WS_OP_BINARY, big, sizeof big,
	    1, 1), 0);
	assert_true(conn_queued(cli.c) > sizeof big);
	assert_int_equal(conn_unsent_messages(cli.c), 1);
	assert_int_equal(conn_first_unsent_tag(cli.c), 1);
	assert_true(run(srv_has_msg, 5));
	assert_int_equal(srv.msg_len, sizeof big);
	assert_memory_equal(srv.msg, big, sizeof big);
	assert_int_equal(conn_queued(cli.c), 0);
}

static void
fragmented_message(void **state)
{
	assert_int_equal(conn_send_data(cli.c, WS_OP_TEXT,
	    (const uint8_t *)"Hel", 3, 0, 0), 0);
	assert_int_equal(conn_unsent_messages(cli.c), 1);
	assert_false(run(srv_has_msg, 0.2)); /* not whole yet */
	assert_int_equal(conn_send_data(cli.c, WS_OP_TEXT,
	    (const uint8_t *)"lo", 2, 1, 0), 0);
	assert_true(run(srv_has_msg, 5));
	assert_int_equal(srv.msg_opcode, WS_OP_TEXT);
	assert_int_equal(srv.msg_len, 5);
	assert_memory_equal(srv.msg, "Hello", 5);
	assert_int_equal(srv.msg_frags, 2);
	assert_int_equal(conn_stats(srv.c)->frames_in, 2);
}

static int cli_has_pong(void) { return cli.pongs_in > 0; }

static void
ping_answered(void **state)
{
	assert_int_equal(conn_send_control(cli.c, WS_OP_PING,
	    (const uint8_t *)"p1", 2), 0);
	assert_true(run(cli_has_pong, 5));
	assert_int_equal(srv.pings_in, 1);
	assert_true(cli.rtt_ms >= 0);
	assert_int_equal(conn_stats(cli.c)->pings_out, 1);
	assert_int_equal(conn_stats(cli.c)->pongs_in, 1);
}

static void
close_by_client(void **state)
{
	assert_int_equal(conn_close(cli.c, 1000, (const uint8_t *)"bye", 3),
	    0);
	assert_int_equal(conn_close(cli.c, 1000, NULL, 0), -1); /* once */
	assert_int_equal(conn_send_data(cli.c, WS_OP_TEXT,
	    (const uint8_t *)"x", 1, 1, 0), -1);
	assert_true(run(both_ended, 5));
	assert_int_equal(srv.close_in, 1000);
	assert_int_equal(srv.close_reason_len, 3);
	assert_memory_equal(srv.close_reason, "bye", 3);
	assert_int_equal(srv.close_out, 1000); /* answered with the code */
	assert_int_equal(cli.close_in, 1000);
	assert_int_equal(conn_exit(cli.c), EXIT_OK);
	assert_int_equal(conn_exit(srv.c), EXIT_OK);
	assert_false(conn_closed_by_peer(cli.c));
	assert_true(conn_closed_by_peer(srv.c));
	assert_int_equal(cli.ended, 1);
	assert_int_equal(srv.ended, 1);
}

/* The server starts with a code other than 1000: the client's end is
 * EXIT_CLOSED, the server's a clean one (the reply echoes its code). */
static void
close_by_server(void **state)
{
	assert_int_equal(conn_close(srv.c, 4000, NULL, 0), 0);
	assert_true(run(both_ended, 5));
	assert_int_equal(cli.close_in, 4000);
	assert_int_equal(cli.close_out, 4000);
	assert_int_equal(srv.close_in, 4000);
	assert_int_equal(conn_exit(cli.c), EXIT_CLOSED);
	assert_int_equal(conn_exit(srv.c), EXIT_OK);
	assert_true(conn_closed_by_peer(cli.c));
	assert_false(conn_closed_by_peer(srv.c));
	assert_non_null(strstr(conn_why(cli.c), "closed by the server"));
}

/* Starting the close handshake drops data not yet begun: the CLOSE
 * overtakes it. */
static void
close_drops_unstarted(void **state)
{
	assert_int_equal(conn_send_data(cli.c, WS_OP_TEXT,
	    (const uint8_t *)"late", 4, 1, 0), 0);
	assert_int_equal(conn_close(cli.c, 1001, NULL, 0), 0);
	assert_true(run(both_ended, 5));
	assert_int_equal(srv.msgs, 0);
	assert_int_equal(srv.close_in, 1001);
	assert_int_equal(conn_exit(cli.c), EXIT_OK);
	assert_int_equal(conn_stats(cli.c)->msgs_out, 0);
}

/* An unmasked frame to a server: 1002, and the connection ends. */
static void
violation_1002(void **state)
{
	struct conn_config cfg = config(&srv, WS_ROLE_SERVER);
	static const uint8_t unmasked[] = { 0x81, 0x02, 'h', 'i' };

	setup_raw(&srv, &cfg);
	raw_write(unmasked, sizeof unmasked);
	assert_true(run(srv_ended, 5));
	assert_int_equal(conn_exit(srv.c), EXIT_PROTOCOL);
	assert_int_equal(srv.close_out, 1002);
	assert_int_equal(srv.msgs, 0);
	assert_non_null(strstr(conn_why(srv.c), "unmasked"));
	/* CLOSE, unmasked, code 1002 (a reason may follow) */
	assert_true(raw_len >= 4);
	assert_int_equal(raw_in[0], 0x88);
	assert_true(raw_in[1] >= 2 && raw_in[1] <= 125);
	assert_int_equal(raw_in[2] << 8 | raw_in[3], 1002);
}

/* A frame announcing 2^40 bytes, over a 1000-byte limit: 1009 at its
 * header, without waiting for any payload. */
static void
too_big_at_header(void **state)
{
	struct conn_config cfg = config(&srv, WS_ROLE_SERVER);
	static const uint8_t hdr[] = { 0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0,
		1, 2, 3, 4 };
	double t0;

	cfg.max_message = 1000;
	setup_raw(&srv, &cfg);
	raw_write(hdr, sizeof hdr);
	t0 = now_sec();
	assert_true(run(srv_ended, 5));
	assert_true(now_sec() - t0 < 2); /* not a timeout */
	assert_int_equal(conn_exit(srv.c), EXIT_ERROR);
	assert_int_equal(srv.close_out, 1009);
	assert_non_null(strstr(conn_why(srv.c), "larger than"));
	assert_true(raw_len >= 4);
	assert_int_equal(raw_in[0], 0x88);
	assert_int_equal(raw_in[2] << 8 | raw_in[3], 1009);
}

/* Within the limit, a frame is read and delivered as usual; one byte
 * more in a second fragment is refused at that fragment's header. */
static void
limit_counts_fragments(void **state)
{
	struct conn_config cfg = config(&srv, WS_ROLE_SERVER);
	uint8_t f1[6 + 8], f2[6 + 3];
	static const uint8_t key[4] = { 0, 0, 0, 0 };

	cfg.max_message = 10;
	setup_raw(&srv, &cfg);
	ws_encode_header(f1, 0, 0, WS_OP_TEXT, 8, key);
	memcpy(f1 + 6, "12345678", 8);
	ws_encode_header(f2, 1, 0, WS_OP_CONT, 3, key);
	memcpy(f2 + 6, "9ab", 3);
	raw_write(f1, sizeof f1);
	raw_write(f2, sizeof f2);
	assert_true(run(srv_ended, 5));
	assert_int_equal(srv.close_out, 1009);
	assert_int_equal(conn_exit(srv.c), EXIT_ERROR);
	assert_int_equal(srv.msgs, 0);
}

/* The peer reads our CLOSE and never answers: the close timeout ends the
 * connection with EXIT_TIMEOUT, once it has passed and not before. */
static void
close_timeout(void **state)
{
	struct conn_config cfg = config(&cli, WS_ROLE_CLIENT);
	double t0, took;

	cfg.close_timeout = 0.3;
	setup_raw(&cli, &cfg);
	t0 = now_sec();
	assert_int_equal(conn_close(cli.c, 1000, NULL, 0), 0);
	assert_true(run(cli_ended, 5));
	took = now_sec() - t0;
	assert_int_equal(conn_exit(cli.c), EXIT_TIMEOUT);
	assert_true(took >= 0.3);
	assert_true(took < 3);
	assert_non_null(strstr(conn_why(cli.c), "no close reply"));
	assert_true(raw_len >= 6);
	assert_int_equal(raw_in[0], 0x88);
	assert_int_equal(raw_in[1], 0x82); /* masked, 2 bytes */
}

/*
 * permessage-deflate: 32 MiB of "a" arrive in one read as some 32 KB.
 * When the owner pauses reading after 64 KiB, inflating stops too, within
 * what one slice of compressed payload inflates to (a DEFLATE byte gives
 * at most 1032), and goes on where it stopped once reading does.
 */
#define MOST_PER_SLICE (1032 * 4096 + PMD_CHUNK)

static int never(void) { return 0; }

static void
inflating_waits_for_the_owner(void **state)
{
	static const struct pmd_agreed agreed = { .server_bits = 15,
		.client_bits = 15 };
	struct conn_config cc = config(&cli, WS_ROLE_CLIENT),
	    sc = config(&srv, WS_ROLE_SERVER);
	size_t big = 32 << 20, chunk = 1 << 20;
	uint8_t *a = malloc(chunk);
	int fd[2];

	assert_non_null(a);
	memset(a, 'a', chunk);
	pair(fd);
	cc.compress = 1;
	cli.c = conn_new(&cc, tr_socket_new(fd[0]), pmd_new(&agreed, 1));
	srv.c = conn_new(&sc, tr_socket_new(fd[1]), pmd_new(&agreed, 0));
	srv.pause_after = 64 * 1024;
	for (size_t sent = 0; sent < big; sent += chunk)
		assert_int_equal(conn_send_data(cli.c, WS_OP_TEXT, a, chunk,
		    sent + chunk == big, 0), 0);
	free(a);
	assert_true(conn_queued(cli.c) < 64 * 1024); /* it compresses */
	run(never, 0.5);
	assert_true(conn_paused(srv.c));
	assert_true(srv.msg_len >= 64 * 1024);
	assert_true(srv.msg_len <= 64 * 1024 + MOST_PER_SLICE);
	assert_int_equal(srv.msgs, 0);

	srv.pause_after = 0;
	conn_pause(srv.c, 0);
	assert_true(run(srv_has_msg, 10));
	assert_int_equal(srv.msg_len, big);
	assert_false(srv.msg_bad);
	assert_int_equal(conn_in(srv.c)->len, big);
	assert_true(conn_in(srv.c)->compressed);
}

/* The peer drops the connection without a CLOSE: 1006, EXIT_LOST. */
static void
lost_without_close(void **state)
{
	struct conn_config cfg = config(&cli, WS_ROLE_CLIENT);

	setup_raw(&cli, &cfg);
	close(raw_fd);
	raw_fd = -1;
	assert_true(run(cli_ended, 5));
	assert_int_equal(conn_exit(cli.c), EXIT_LOST);
	assert_non_null(strstr(conn_why(cli.c), "without a close frame"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(message_both_ways, setup_pair,
		    teardown),
		cmocka_unit_test_setup_teardown(large_message, setup_pair,
		    teardown),
		cmocka_unit_test_setup_teardown(fragmented_message, setup_pair,
		    teardown),
		cmocka_unit_test_setup_teardown(ping_answered, setup_pair,
		    teardown),
		cmocka_unit_test_setup_teardown(close_by_client, setup_pair,
		    teardown),
		cmocka_unit_test_setup_teardown(close_by_server, setup_pair,
		    teardown),
		cmocka_unit_test_setup_teardown(close_drops_unstarted,
		    setup_pair, teardown),
		cmocka_unit_test_teardown(violation_1002, teardown),
		cmocka_unit_test_teardown(too_big_at_header, teardown),
		cmocka_unit_test_teardown(limit_counts_fragments, teardown),
		cmocka_unit_test_teardown(close_timeout, teardown),
		cmocka_unit_test_teardown(lost_without_close, teardown),
		cmocka_unit_test_teardown(inflating_waits_for_the_owner,
		    teardown),
	};

	term_set_mute(1); /* the events are checked, not the words */
	term_set_quiet(1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
