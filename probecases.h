/*
 * probecases.h - the case catalogue of wscli --probe: what each case sends
 * and how its verdict is reached from what the server did. probe.c, the
 * runner, is its only user.
 *
 * The cases are a table. Most are data: the frames to send, written as
 * craft.c SPECs, and what RFC 6455 requires of the answer. Four kinds
 * cover nearly all of them:
 *
 *   handshake  an upgrade request the server must refuse (or may accept):
 *              judged on the HTTP answer
 *   fail       frames breaking a rule, then a PING of the probe's own:
 *              the server must fail the connection (close with the
 *              expected code) before it answers that PING; a PONG first
 *              means it went past the broken rule
 *   accept     frames that are valid however odd (pings between
 *              fragments, code points split across frames), then the
 *              probe's PING: every PING must get its PONG in order, and
 *              an echoing server must echo every message unchanged
 *   close      a CLOSE from the probe: the server must answer it with the
 *              expected code (the same one, or 1002 for an invalid close)
 *
 * and a few cases are code of their own (echo detection, the limits, the
 * idle timeout, compression).
 *
 * The runner makes each attempt's connection, records what the server
 * does in a struct run, and calls pc_judge() at every event; the case
 * sends its frames (conn_send_raw(), in one queue, so the probe's PING
 * always follows what it probes) and decides with pc_decide(). What the
 * first cases learn for the others (whether the server echoes, whether it
 * agrees to compression) is in pc_found. The catalogue calls nothing of
 * the runner: a case that needs TCP watched after the close handshake
 * sets want_watch.
 */
#ifndef WSCLI_PROBECASES_H
#define WSCLI_PROBECASES_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct conn;
struct dial;
struct watch;

#define MARK "wscli probe"       /* payload of the probe's own PING */
#define MAX_PONGS 16             /* PINGs a case expects answered */
#define MAX_MSGS 8               /* messages a case expects echoed */
#define HEAD_KEEP 64             /* bytes of a received message kept */
/* ------------------------------------------------------------ verdicts */

enum verdict {
	V_OK, V_NON_STRICT, V_FAILED, V_WRONG_CODE, V_UNCLEAN, V_INFO,
	V_UNTESTED, NVERDICTS
};

/* ------------------------------------------------------------- cases */

enum kind { K_HANDSHAKE, K_FAIL, K_ACCEPT, K_CLOSE, K_CUSTOM };

enum {
	F_ECHO = 1,        /* needs an echoing server */
	F_DEFLATE = 2,     /* offers permessage-deflate; needs it agreed */
	F_LENIENT = 4,     /* fail: accepting it is allowed too */
	F_REFUSE = 8,      /* close: our CLOSE is invalid; 1002 expected */
	F_AFTER = 16,      /* close: nothing after it may be answered */
	F_TCP = 32,        /* close: who closes TCP afterwards */
	F_SAME = 64,       /* close: the code we send is the one expected */
	F_TEXT_ECHO = 128, /* 2.1 */
	F_BIN_ECHO = 256,  /* 2.2 */
	F_HTTP10 = 512,    /* handshake: HTTP/1.0 */
	F_POST = 1024,     /* handshake: POST */
	F_PROTO = 2048,    /* handshake: offer an unknown subprotocol only */
	F_BASE = 4096,     /* 1.1: without it nothing runs */
	F_MAY = 8192,      /* handshake: accepting it is allowed */
	F_OFFER = 16384,   /* deflate: send is the offer's parameters */
};

struct run;

struct pcase {
	const char *id, *name;
	enum kind kind;
	const char *send;       /* SPECs, one a line */
	const char *then;       /* fail: sent when the probe's PING comes back
				   (fail-fast cases) */
	unsigned codes[3];      /* close codes expected, 0-terminated */
	unsigned flags;
	const char *header;     /* handshake: a request header to set or, as
				   "Name:", leave out */
	void (*custom)(struct run *R, int ev); /* K_CUSTOM, and handshake
						  cases with their own
						  judge */
	unsigned near[2];       /* fail: close codes that fit less well
				   than codes[] but break no rule
				   (NON-STRICT, not WRONG CODE), and why */
	const char *near_why;
};

/* Events a case sees. */
enum {
	EV_OPEN, EV_MESSAGE, EV_PONG, EV_CLOSE, EV_END, EV_TCP, EV_TIMEOUT,
	EV_DIALED,
};

struct msg_seen {
	unsigned op;
	uint64_t len, hash;
	uint8_t head[HEAD_KEEP];
	size_t nhead;
	int compressed;
};

struct run {
	const struct pcase *k;
	int decided, again;
	enum verdict v;
	char detail[1024];
	double t0, sent_at, deadline;
	struct dial *dial;
	struct conn *c;
	struct watch *w;
	int cleaning;
	int want_watch;            /* the runner is to watch TCP after
				      the close handshake */
	int unreachable;           /* the attempt could not reach the
				      server (dial_exit, dial_error) */
	/* the answer to the upgrade */
	long status;
	int dial_exit;
	char dial_error[512];
	char hdr_version[128], hdr_protocol[256], hdr_ext[512];
	char reason[128];
	int agreed;                /* permessage-deflate */
	/* what the server did */
	int opened;
	int got_close;
	unsigned close_code;
	double close_ms;
	int ended;
	int end_exit;
	char end_why[256];
	double end_ms;
	int tcp_done;              /* the watch saw the end of TCP */
	double tcp_ms;
	uint64_t after_bytes;      /* bytes after the close handshake */
	int npongs;
	uint8_t pong[WS_MAX_CONTROL_PAYLOAD];
	size_t pong_len;
	struct msg_seen cur;       /* the message being received */
	struct msg_seen last;      /* the last one complete */
	uint64_t nmsgs;
	/* what it should do */
	struct { uint8_t p[WS_MAX_CONTROL_PAYLOAD]; size_t n; }
	    exp_pong[MAX_PONGS];
	int nexp_pong, next_pong, skipped_pongs;
	int mark_seen;             /* the probe's PING came back */
	int mark_before_close;
	struct msg_seen exp_msg[MAX_MSGS];
	int nexp_msg, next_msg;
	int then_sent;
	unsigned sent_code;        /* close cases */
	/* cases of many attempts */
	int attempt;
	uint64_t lo, hi, size;     /* 9.1 */
	char first_refusal[160];
	uint64_t rate_sent, rate_echoed; /* 9.2 */
	double rate_until;
	int rate_bad;
	unsigned server_pings;     /* 9.3 */
	/* the wire trace (--probe-report, -v): lines as --frames shows
	 * them; only when trace is set */
	int trace;
	char *trace_buf;
	size_t trace_len, trace_cap;
	unsigned trace_op;         /* the message's opcode, for CONT */
	uint64_t trace_dropped;    /* lines past the bound */
};

/* What earlier cases found out, for the later ones and the runner. */
struct pc_found {
	int echo_text, echo_binary;  /* 2.1, 2.2: the server echoes */
	int deflate_agreed, deflate_tried; /* 11.1 */
	int exit;                    /* 1.1 could not connect: the exit
					status of the whole run; else -1 */
	uint8_t *big;                /* 9.1's payload (the runner frees it) */
};

extern struct pc_found pc_found;

extern const char *const pc_verdict_name[NVERDICTS];

/* The table, in the order the cases run. */
extern const struct pcase pc_cases[];
extern const size_t pc_ncases;

/* Is list (--probe-cases) well formed, and does each of its items name
 * a case? 0 if so; else -1 and why in err. */
int pc_cases_check(const char *list, char *err, size_t cap);

/* Does list (a checked --probe-cases; NULL: every case) select the case
 * id? */
int pc_selected(const char *list, const char *id);

/* Does case i run: selected by --probe-cases, or needed by one that is
 * (1.1 always; the echo cases for those that need an echo; 11.1 for
 * those that need compression)? */
int pc_wanted(size_t i);

/* The case's judge, at event ev (EV_*). */
void pc_judge(struct run *R, int ev);

struct ws_frame_header;

/* Add a line to R's trace (when R->trace): a frame as --frames shows it
 * (dir '<' from the server, '>' from the probe), or any text. */
void pc_trace_frame(struct run *R, char dir, const struct ws_frame_header *h,
    const uint8_t *p, size_t n);
void pc_trace(struct run *R, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What RFC 6455 (7692) requires in case id, with the section, and what
 * to change; NULL if no rule was written for it. */
const char *pc_rule(const char *id);

/* The verdict, once: later calls do nothing. A verdict that is not OK
 * (NON-STRICT, FAILED, WRONG CODE, UNCLEAN) gets the case's rule after
 * it unless fmt cites RFC 6455 or 7692 itself. */
void pc_decide(struct run *R, enum verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Milliseconds since now_sec() was t; a duration for people ("1.2 ms",
 * "340 ms", "2.1 s") into buf. */
double pc_ms_since(double t);
const char *pc_dur(double ms, char *buf, size_t cap);

/* FNV-1a over n bytes, from PC_FNV0: how messages are compared. */
#define PC_FNV0 0xcbf29ce484222325ULL
uint64_t pc_fnv(uint64_t h, const uint8_t *p, size_t n);

#endif /* WSCLI_PROBECASES_H */
