#!/bin/sh
# Faults on the way: a server that stalls in the handshake or in the middle
# of a frame, cuts a message short, never answers the close, is killed or
# resets the connection; nothing listening; a name that does not resolve.
# Every case checks the exit status, how long it took and what stderr says.
. tests/lib.sh
need_wscli

# --- the server accepts TCP, reads the request and never answers
start_raw stall-handshake || echo "Bail out! raw.py did not start"
run_wscli --connect-timeout 1 "$(url)"
status_is 7 "handshake never answered, --connect-timeout 1: exit 7"
took "handshake never answered" 2500
like "$ERR" '^wscli: .*time[d ]*out.*connect' \
    "handshake never answered: stderr names the connect timeout"
like "$SERVER_LOG" '^raw: stalling' "handshake never answered: the request reached the server"
stop_server

# --- half a frame header, then nothing; stdin ends: wscli closes, the
# server never answers, --close-timeout ends it
start_raw half-header
run_wscli --close-timeout 1 "$(url)" </dev/null
status_is 7 "half a frame header then silence: exit 7"
took "half a frame header then silence" 3000
like "$ERR" '^wscli: .*close' "half a frame header: stderr names the missing close reply"
wait_for "$SERVER_LOG" 'raw: done' 5
like "$SERVER_LOG" '^raw: client: CLOSE 1000 ' "half a frame header: wscli sent CLOSE 1000"
unlike "$SERVER_LOG" 'raw: client: .*\(unmasked\)' "half a frame header: wscli's frames are masked"
stop_server

# --- a frame announcing 1000 bytes, 10 of them, then TCP closed
start_raw cut-payload
run_wscli -w 10 "$(url)" </dev/null
status_is 6 "message cut short by a TCP close: exit 6"
took "message cut short by a TCP close" 5000
like "$ERR" '1006' "message cut short: stderr says 1006"
like "$ERR" '^wscli: .*(middle of a message|cut)' "message cut short: stderr says a message was cut"
stop_server

# --- the server never answers the close
start_raw no-close-reply
run_wscli --close-timeout 1 "$(url)" </dev/null
status_is 7 "close never answered, --close-timeout 1: exit 7"
took "close never answered" 3000
like "$ERR" '^wscli: .*close reply' "close never answered: stderr says so"
wait_for "$SERVER_LOG" 'raw: done' 5
like "$SERVER_LOG" '^raw: client: CLOSE 1000 ' "close never answered: wscli sent CLOSE 1000"
stop_server

# kill_after_connect PID: SIGKILL PID 0.3 s after the coming run_wscli has
# connected (however slowly wscli starts, e.g. under valgrind).
kill_after_connect() {
    wait_for "$T/wscli$((run_count + 1)).err" '^wscli: connected' 60
    sleep 0.3
    kill -9 "$1"
}

# --- the server is killed (SIGKILL) while a 64 MiB message is in flight.
# --slow 50 (read for 10 ms every 60 ms) makes sure the upload still goes on
# 0.3 s after wscli has connected.
start_node_echo --slow 50 || echo "Bail out! node echo server did not start"
head -c 67108864 /dev/urandom >"$T/big.bin"
node_pid=$SERVER_PID
kill_after_connect "$node_pid" &
killer=$!
run_wscli --no-split -b "$(url)" <"$T/big.bin"
wait "$killer"
status_is 6 "server killed mid-message: exit 6"
took "server killed mid-message" 10000
like "$ERR" '1006' "server killed mid-message: stderr says 1006"
# Stdin was read, part of it sent, the rest never will be: the guarantee
# "nothing read from standard input is dropped silently" applies.
like "$ERR" 'not (completely )?sent' \
    "server killed mid-message: the message being sent is reported as not sent"
rm -f "$T/big.bin" "$OUT"

# The same with a 64 MiB line of text (line mode, fragments of 256 KiB).
start_node_echo --slow 50 || echo "Bail out! node echo server did not start"
{ head -c 67108864 /dev/zero | tr '\0' a; echo; } >"$T/big.txt"
node_pid=$SERVER_PID
kill_after_connect "$node_pid" &
killer=$!
run_wscli "$(url)" <"$T/big.txt"
wait "$killer"
status_is 6 "server killed mid-line: exit 6"
took "server killed mid-line" 10000
like "$ERR" 'not (completely )?sent.*line 1|line 1.*not (completely )?sent' \
    "server killed mid-line: stdin line 1 is reported as not sent"
rm -f "$T/big.txt" "$OUT"

# --- the server resets the connection (SO_LINGER 0, close)
start_raw reset
run_wscli -w 10 "$(url)" </dev/null
status_is 6 "connection reset: exit 6"
took "connection reset" 5000
like "$ERR" '1006' "connection reset: stderr says 1006"
is "$(cat "$OUT")" "before reset" "connection reset: the message before the reset was printed"
stop_server

# --- nothing listens on the port
PORT=$(free_port)
run_wscli "$(url)"
status_is 3 "connection refused: exit 3"
took "connection refused" 3000
like "$ERR" "^wscli: cannot connect to ws://127.0.0.1:$PORT/" \
    "connection refused: stderr names the URL"

# --- a name that cannot resolve (RFC 2606: .invalid)
run_wscli --connect-timeout 5 ws://no-such-host.invalid/
status_is 3 "DNS failure: exit 3"
took "DNS failure" 6000
like "$ERR" '^wscli: cannot connect to ws://no-such-host.invalid/.*[Rr]esolve' \
    "DNS failure: stderr names the host and the resolver failure"

done_testing
