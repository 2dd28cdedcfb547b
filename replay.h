/*
 * replay.h - --replay FILE: a recorded conversation (conv.h, as --record
 * writes it) played again against its server, and the server's answers
 * compared with the recording.
 *
 * The client's side of the file is sent as it was: each "> ..." step
 * after the answers recorded before it have come (or their "within"
 * passed: @within, 5 s by default), and after the pause recorded before
 * it ("# +1.250s"), divided by --replay-speed (0: no pause, as fast as
 * the server answers). What the server sends is kept, and at the end the
 * recorded answers ("< ..." steps) and the ones received are aligned (the
 * longest common sequence): what is missing, different or more is
 * written on stdout as a diff of the file ("-" recorded, "+" received,
 * with the file's line numbers). Once every answer has come, or its time
 * passed, wscli waits a moment for more (REPLAY_SETTLE), then closes with
 * 1000 unless the file closed; what comes after its own close is no part
 * of the comparison.
 *
 * The URL, subprotocols, headers and origin come from the command line,
 * else from the file's header. {{NAME}} in the file is taken from --var,
 * else the environment, else @var (a replay captures nothing: a step that
 * needs a capture is compared as it is written). "< /re" and "< /jq"
 * answers hold as in --test; "> /frame" steps are crafted as the REPL
 * crafts them. With the file's @proto (else --proto) the replay speaks
 * the protocol as --test does (proto.h): a text line is sent as a stdin
 * line means, once the protocol is ready for lines, and the answers are
 * the lines the protocol writes for what came.
 *
 * Exit status: 0 when the answers are the recorded ones, 1 when they
 * differ, the connection's status (3, 4, ...) when there was no
 * conversation, 2 when the file cannot be read (or names no protocol in
 * @proto, or has a /jq filter that does not compile).
 */
#ifndef WSCLI_REPLAY_H
#define WSCLI_REPLAY_H

#define REPLAY_SETTLE 0.2 /* seconds: more answers waited for at the end */

/* Run opt.replay against opt.url or the file's @url; returns the exit
 * status. */
int replay_run(void);

#endif /* WSCLI_REPLAY_H */
