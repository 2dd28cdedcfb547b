#!/bin/sh
# How a scripted session ends, and what it says about it: --until that never
# matches (exit 9), the order of --jsonl ping and pong events, the close
# handshake against a slow reader and a server that reads nothing, a reader
# of stdout that goes away, and the lines of stdin that were never sent.
. tests/lib.sh
need_wscli

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
echo_port=$PORT

# ------------------------------------------------------------ --until

# End of input does not end a session waiting for --until: nothing matches
# the echo, so only --timeout ends it.
run_wscli -q --send '{"op":"ping"}' --until '"pong"' --timeout 2 "$(url)"
status_is 7 "--until never matched, end of input: waits for --timeout (exit 7), not 0"
is "$(cat "$OUT")" '{"op":"ping"}' "--until never matched: the echo is printed"

# The server ends the session (close 1000) before anything matches.
start_raw close 1000 "done here"
run_wscli --until 'never' "$(url)"
status_is 9 "--until, server closes 1000 first: exit 9"
like "$ERR" 'ended without a message matching --until' \
    "--until, server closes first: says no message matched"

# -n ends it first.
PORT=$echo_port
run_wscli --send alpha -n 1 --until 'beta' "$(url)"
status_is 9 "--until with -n 1 reached first: exit 9"

run_wscli --send alpha --send beta --until 'beta' "$(url)"
status_is 0 "--until matched: still exit 0"

# Nothing after the matching message reaches stdout, though the server's
# echoes of later lines come before its answer to the close.
printf 'a\nzzz\nb\nc\n' >"$T/abc"
run_wscli --until zzz "$(url)" <"$T/abc"
status_is 0 "--until zzz: exit 0"
is "$(cat "$OUT" | tr '\n' ' ')" "a zzz " "--until: stdout stops at the matching message"

# --------------------------------------------------------- --jsonl order

# The server pings between two fragments; wscli's automatic pong answers it,
# so the ping event comes first.
start_raw fragments-ping
run_wscli --jsonl -w 5 "$(url)"
status_is 0 "--jsonl, server ping: exit 0"
order=$(grep -Eo '"event":"p[io]ng","dir":"[a-z>]+"' "$OUT" | tr '\n' ' ')
is "$order" '"event":"ping","dir":"server>client" "event":"pong","dir":"wscli>server" ' \
    "--jsonl: the ping event, then the pong that answers it"

# ------------------------------------------------------- close, slow reader

# 100,000 lines (5.2 MB) to a server that reads 64 KiB every 20 ms: when
# input ends, most of them are still in the socket buffers, far more than
# the server reads in --close-timeout 0.5 s. The wait for the close reply
# starts once the server has taken the close frame.
"$PYTHON" -c 'import sys
for i in range(100000):
    sys.stdout.write("line %06d %s\n" % (i, "x" * 40))' >"$T/lines"
start_raw slow-reader 65536 20
run_wscli -q --close-timeout 0.5 "$(url)" <"$T/lines"
status_is 0 "slow reader, --close-timeout 0.5: the close handshake completes (exit 0)"
wait_for "$SERVER_LOG" 'slow: ' 10
like "$SERVER_LOG" '^raw: slow: 100000 messages, 5200000 bytes, close 1000$' \
    "slow reader: the server got every line, then the close"
unlike "$ERR" 'no close reply' "slow reader: no timeout reported"

# A server that reads nothing: wscli gives up after --close-timeout without
# progress, and says how much was never taken.
"$PYTHON" -c 'import sys
for i in range(4000):
    sys.stdout.write("line %06d %s\n" % (i, "x" * 40))' >"$T/few"
start_raw no-read
run_wscli --close-timeout 1 "$(url)" <"$T/few"
status_is 7 "server reads nothing: exit 7"
like "$ERR" 'no close reply from the server: it stopped taking what wscli sent; [0-9]+ bytes \(the close frame included\) were never taken' \
    "server reads nothing: says how many bytes were never taken"
took "server reads nothing, --close-timeout 1" 6000
# Its receive buffer took the first lines: the rest are reported, from the
# first one its TCP never acknowledged, and the two add up to all 4000.
n=$(sed -n 's/.*wscli: \([0-9]*\) messages were not sent, or not taken by the server (from stdin line \([0-9]*\) on).*/\1 \2/p' "$ERR")
adds_up() {     # COUNT FIRST: some taken, the rest counted, 4000 in all
    [ "$1" -gt 0 ] && [ "$2" -gt 1 ] && [ $(($1 + $2 - 1)) -eq 4000 ]
}
set -- $n
ok "server reads nothing: lines not taken reported from the first one not acknowledged ($n)" \
    adds_up "${1:-0}" "${2:-1}"

# ---------------------------------------------------- stdout's reader gone

# The server sends without end and never answers a close; the reader of
# stdout takes one line and goes. wscli closes with 1001 and ends within
# about a second.
start_raw endless
mkfifo "$T/hold"
sleep 30 >"$T/hold" &
holder=$!
start=$(now_ns)
timeout -k 5 20 "$WSCLI" "$(url)" <"$T/hold" 2>"$T/gone.err" | head -n 1 >"$T/gone.out"
ms=$(elapsed_ms "$start")
kill "$holder" 2>/dev/null
is "$(cat "$T/gone.out")" "e1" "stdout's reader gone: it got the first message"
ok "stdout's reader gone: wscli ends within 5 s (took $ms ms)" [ "$ms" -lt $((5000 + TIME_SLACK_MS)) ]
wait_for "$SERVER_LOG" 'client: (CLOSE|EOF)' 5
like "$SERVER_LOG" "^raw: client: CLOSE 1001 ''" "stdout's reader gone: closes with 1001 Going Away"

# ------------------------------------------------------ lines never sent

# The server drops the connection right after the upgrade; of 100,000 lines
# some were queued, the rest never read. All of them count.
seq 1 100000 >"$T/numbers"
start_raw drop
run_wscli "$(url)" <"$T/numbers"
status_is 6 "connection dropped: exit 6"
like "$ERR" '100000 lines of stdin were not sent \(from line 1 on\): [0-9]+ queued, or sent and not taken by the server, [0-9]+ never read' \
    "connection dropped: every line not sent is counted, from line 1"

# From a pipe whose writer is still there, what can be read now counts, and
# the count says it is a lower bound.
mkfifo "$T/numbers.fifo"
(seq 1 100000; sleep 3) >"$T/numbers.fifo" &
writer=$!
run_wscli "$(url)" <"$T/numbers.fifo"
kill "$writer" 2>/dev/null
status_is 6 "connection dropped, stdin a pipe still open: exit 6"
like "$ERR" 'at least [0-9]+ lines of stdin were not sent \(from line 1 on\)' \
    "connection dropped, stdin still open: at least that many lines"

# ------------------------------------------------------ answers due

# The end of input does not cut off the answer to the last line: servers
# that read the close first (Python websockets, websocketd) drop an echo
# still on its way. Ten runs each, as the race is lost only now and then.
printf 'one line\n' >"$T/one"
for server in py websocketd; do
    if [ $server = py ]; then start_py_echo; else start_websocketd; fi ||
        { fail "$server echo server started"; continue; }
    got=0
    for i in 1 2 3 4 5 6 7 8 9 10; do
        run_wscli -q "$(url)" <"$T/one"
        [ "$STATUS" -eq 0 ] && [ "$(cat "$OUT")" = "one line" ] && got=$((got + 1))
    done
    is "$got" 10 "$server: echo a | wscli: the echo came back every time, exit 0"
    stop_server
done

# A server that never answers is not waited for long: about a second
# after the last message, with a line that points to -w.
start_raw sink
run_wscli "$(url)" <"$T/one"
status_is 0 "no answer: exit 0"
took "no answer: the wait for the answer is bounded" 4000
like "$ERR" 'closing with 1 message unanswered after 1 s; -w SECONDS waits longer' \
    "no answer: says the answer may have been cut off and points to -w"
PORT=$echo_port

# ------------------------------------------------ the reader goes away

# seq | wscli | head -1: the reader of stdout went away, the normal end of
# a pipe: exit 0, and the lines never sent are said only with -v. stdin
# stays open, so lines are left unread whatever the timing.
for v in "" -v; do
    ( (seq 1 100000; sleep 3) | timeout -k 5 20 "$WSCLI" $v "$(url)" 2>"$T/head.err"
      echo $? >"$T/head.rc") | head -n 1 >"$T/head.out"
    is "$(cat "$T/head.out")" "1" "| head -1 $v: the first echo"
    is "$(cat "$T/head.rc")" 0 "| head -1 $v: exit 0"
    if [ -z "$v" ]; then
        unlike "$T/head.err" 'not sent' "| head -1: nothing said about lines not sent"
    else
        like "$T/head.err" 'lines of stdin were not sent' "| head -1 -v: says how much was not sent"
    fi
done

# The same against a server that reads slowly: wscli gives the close a
# second, and when the server is still reading by then it must not be said
# to have stopped.
start_node_echo --slow 200 || { echo "Bail out! slow node server did not start"; exit 1; }
"$PYTHON" -c 'import sys; sys.stdout.write(("x" * 1000 + "\n") * 20000)' >"$T/lines"
for i in 1 2 3; do
    ( timeout -k 5 20 "$WSCLI" "$(url)" <"$T/lines" 2>"$T/slow.err"
      echo $? >"$T/slow.rc") | head -n 1 >/dev/null
    is "$(cat "$T/slow.rc")" 0 "| head -1, slow server ($i): exit 0"
    unlike "$T/slow.err" 'stopped taking' \
        "| head -1, slow server ($i): not said to have stopped reading"
done

done_testing
