#!/bin/sh
# --reconnect: a server that restarts on the same port, one that drops the
# connection after N messages, one that closes with 1011 or 1000, one that
# stops answering pings, a subscription server that says nothing until it
# gets a subscribe message; lines of stdin wait for the next connection, in
# order, none lost or sent twice; the exit status of the last connection;
# --jsonl reconnect events.
. tests/lib.sh
need_wscli

# paced FILE SECS: write the lines of FILE one by one, SECS apart.
paced() {
    while IFS= read -r line; do
        printf '%s\n' "$line"
        sleep "$2"
    done <"$1"
}

# start_echo_on PORT [echo.js options]: the Node ws echo server on PORT.
start_echo_on() {
    p=$1
    shift
    spawn "node$server_count" node "$SERVERS/echo.js" --port "$p" "$@" &&
        wait_port_line && server_started
}

# ------------------------------------------------------ server restarts

# The server is killed and started again on the same port while lines
# keep coming: those written meanwhile wait in the pipe and go, in order,
# to the new server.
port=$(free_port)
start_echo_on "$port" || { echo "Bail out! node echo server did not start"; exit 1; }
first=$SERVER_PID
seq 1 30 | sed 's/^/line /' >"$T/lines30"
mkfifo "$T/restart.fifo"
paced "$T/lines30" 0.05 >"$T/restart.fifo" &
writer=$!
(
    sleep 0.5
    kill "$first"
    sleep 0.6
    exec node "$SERVERS/echo.js" --port "$port" >"$T/restart2.out" 2>"$T/restart2.err"
) &
restarter=$!
server_pids="$server_pids $restarter"
run_wscli --reconnect --reconnect-delay 0.1 "ws://127.0.0.1:$port/" <"$T/restart.fifo"
wait "$writer"
status_is 0 "server restarted: exit 0 (the last connection closed cleanly)"
if cmp -s "$T/lines30" "$OUT"; then
    pass "server restarted: every line echoed once, in order"
else
    fail "server restarted: every line echoed once, in order"
    diag "$(diff "$T/lines30" "$OUT" | head -n 10)"
fi
like "$ERR" 'reconnecting in [0-9.]+ s \(attempt 1\): connection lost without a close frame' \
    "server restarted: one line for the first attempt, with its delay and why"
like "$ERR" 'reconnecting in [0-9.]+ s \(attempt [2-9]\): cannot connect to ws://127\.0\.0\.1:[0-9]+/' \
    "server restarted: refused attempts are lines of their own"
is "$(grep -c '^wscli: connected to ' "$ERR")" 2 "server restarted: connected twice"
like "$T/restart2.err" 'extensions offered' "server restarted: the new server got a connection"

# ------------------------------------------------- drop after N messages

# The server destroys the connection after echoing the 3rd message of each
# connection; lines come 150 ms apart, so none is in flight then.
start_node_echo --drop-after 3 || { echo "Bail out! node echo server did not start"; exit 1; }
seq 1 10 >"$T/ten"
mkfifo "$T/drop.fifo"
paced "$T/ten" 0.15 >"$T/drop.fifo" &
writer=$!
run_wscli --reconnect=5 --reconnect-delay 0.05 "$(url)" <"$T/drop.fifo"
wait "$writer"
status_is 0 "drop after 3: exit 0"
is "$(cat "$OUT" | tr '\n' ' ')" "$(seq 1 10 | tr '\n' ' ')" \
    "drop after 3: lines 1 to 10 echoed once each, in order, over four connections"
is "$(grep -c 'reconnecting in' "$ERR")" 3 "drop after 3: three reconnections"
like "$ERR" 'attempt 3 of 5' "drop after 3: attempts counted against --reconnect=5"

# Lines the server never took are sent on the next connection. The raw
# server takes the upgrade and drops the connection at once, every time: no
# line is ever acknowledged, until --reconnect=2 gives up.
start_raw drop
seq 1 5 >"$T/five"
run_wscli --reconnect=2 --reconnect-delay 0.05 "$(url)" <"$T/five"
status_is 6 "server always drops: exit 6, the status of the last connection"
like "$ERR" 'giving up after 2 attempts to reconnect' "server always drops: gives up after --reconnect=2"
like "$ERR" '5 messages were not sent, or not taken by the server \(from stdin line 1 on\)' \
    "server always drops: the 5 lines kept are reported unsent"
is "$(grep -c 'sending again 5 messages the server did not take (from stdin line 1 on)' "$ERR")" 2 \
    "server always drops: they were queued again on each new connection"

# Lines as fast as a pipe brings them (50 every 20 ms) to a server that
# drops every 100 messages: a message the server's TCP acknowledged is not
# sent again (one it acknowledged but its program had not read when it
# dropped the connection is lost: no WebSocket client can know), one it
# never acknowledged is. The echoes come in order, none twice.
start_node_echo --drop-after 100 || { echo "Bail out! node echo server did not start"; exit 1; }
seq 1 2000 >"$T/many"
mkfifo "$T/many.fifo"
paced_cat "$T/many" >"$T/many.fifo" &
writer=$!
run_wscli --reconnect=100 --reconnect-delay 0.02 "$(url)" <"$T/many.fifo"
wait "$writer"
is "$(sort -n "$OUT" | uniq -d | head -n 3 | tr '\n' ' ')" "" "drop after 100, fast lines: no line echoed twice"
ok "drop after 100, fast lines: the echoes are in order" sort -n -c "$OUT"
ok "drop after 100, fast lines: reconnected" grep -q 'reconnecting in' "$ERR"
diag "drop after 100, fast lines: $(wc -l <"$OUT") of 2000 echoed over $(grep -c '^wscli: connected to' "$ERR") connections"

# ------------------------------------------------- close 1011, close 1000

start_node_echo --close-after-connect 1011 overloaded ||
    { echo "Bail out! node echo server did not start"; exit 1; }
run_wscli --reconnect=2 --reconnect-delay 0.05 -w 5 "$(url)"
status_is 8 "server closes 1011: exit 8, the status of the last connection"
is "$(grep -c 'extensions offered' "$SERVER_LOG")" 3 \
    "server closes 1011: three connections (one and two attempts)"
like "$ERR" 'reconnecting in [0-9.]+ s \(attempt 1 of 2\): closed by the server: 1011 Internal Error "overloaded"' \
    "server closes 1011: the close code and reason are the why"
like "$ERR" 'giving up after 2 attempts to reconnect' "server closes 1011: gives up"
took "server closes 1011, delays from 0.05 s" 10000

start_node_echo --close-after-connect 1000 bye ||
    { echo "Bail out! node echo server did not start"; exit 1; }
run_wscli --reconnect=2 --reconnect-delay 0.05 -w 5 "$(url)"
status_is 0 "server closes 1000: exit 0"
is "$(grep -c 'extensions offered' "$SERVER_LOG")" 1 "server closes 1000: no reconnection by default"
unlike "$ERR" 'reconnecting' "server closes 1000: nothing said about reconnecting"

run_wscli --reconnect=2 --reconnect-on any --reconnect-delay 0.05 -w 5 "$(url)"
status_is 0 "server closes 1000, --reconnect-on any: exit 0"
is "$(grep -c 'extensions offered' "$SERVER_LOG")" 4 \
    "server closes 1000, --reconnect-on any: three more connections"

# ----------------------------------------------- the server goes for good

port=$(free_port)
start_echo_on "$port" || { echo "Bail out! node echo server did not start"; exit 1; }
gone=$SERVER_PID
( sleep 0.5; kill "$gone" ) &
run_wscli --reconnect=2 --reconnect-delay 0.05 -w 10 --send hi "ws://127.0.0.1:$port/"
status_is 3 "server gone for good: exit 3, the status of the last attempt"
like "$ERR" 'cannot connect to ws://127\.0\.0\.1:[0-9]+/.*; giving up after 2 attempts to reconnect' \
    "server gone for good: says why and gives up"

# ---------------------------------------------------------- ping timeout

spawn silent "$PYTHON" "$SERVERS/httpd.py" 0 "/silent silent" &&
    wait_port_line && server_started || { echo "Bail out! httpd.py did not start"; exit 1; }
run_wscli --reconnect=1 --reconnect-delay 0.05 --ping-interval 0.2 --ping-timeout 0.4 -w 10 \
    "$(url silent)"
status_is 7 "no pong: exit 7"
is "$(grep -c 'answer: 101, then silence' "$SERVER_LOG")" 2 "no pong: a second connection after the ping timeout"
like "$ERR" 'reconnecting in [0-9.]+ s \(attempt 1 of 1\): no pong within --ping-timeout' \
    "no pong: the ping timeout is the why"

# --------------------------------------------- subscriptions, --on-connect

# The server says nothing before a login and a subscribe, and drops the
# connection after 3 updates: both are sent again on every connection.
spawn sub "$PYTHON" "$SERVERS/subscribe.py" --login s3 --drop-after 3 --interval 30 &&
    wait_port_line && server_started || { echo "Bail out! subscribe.py did not start"; exit 1; }
printf '{"op":"login","token":"s3"}\r\n{"op":"subscribe","topic":"prices"}\n' >"$T/on-connect"
run_wscli --reconnect --reconnect-delay 0.05 --on-connect "$T/on-connect" -n 12 "$(url)"
status_is 0 "subscription: exit 0 after -n 12 over several connections"
is "$(grep -c '^prices [0-9]' "$OUT")" 6 "subscription: updates from every connection"
is "$(grep -c ': got {"op":"login","token":"s3"}$' "$SERVER_LOG")" 3 \
    "subscription: the login went again on every connection (CR removed)"
is "$(grep -c ': got {"op":"subscribe","topic":"prices"}$' "$SERVER_LOG")" 3 \
    "subscription: so did the subscribe"
unlike "$SERVER_LOG" 'closed 1008' "subscription: login before subscribe, every time"

run_wscli --reconnect=1 --reconnect-delay 0.05 --send '{"op":"login","token":"s3"}' \
    --on-connect "$T/on-connect" -n 2 "$(url)"
status_is 0 "--send and --on-connect together: exit 0"
is "$(head -n 2 "$OUT" | tr '\n' ' ')" '{"ok": "login"} {"ok": "login"} ' \
    "--send and --on-connect together: --send first"

# ------------------------------------------------------------- --jsonl

port=$(free_port)
start_echo_on "$port" || { echo "Bail out! node echo server did not start"; exit 1; }
first=$SERVER_PID
(
    sleep 0.4
    kill "$first"
    sleep 0.4
    exec node "$SERVERS/echo.js" --port "$port" >/dev/null 2>&1
) &
server_pids="$server_pids $!"
run_wscli --jsonl --reconnect --reconnect-delay 0.1 -w 2 --send hello "ws://127.0.0.1:$port/"
status_is 0 "--jsonl, server restarted: exit 0"
like "$OUT" '^\{"event":"reconnect","attempt":1,"max":null,"delay":[0-9.]+,"why":"connection lost without a close frame: [^"]*","exit":6,"unsent":0,"time":' \
    "--jsonl: a reconnect event with attempt, max, delay, why and exit"
is "$(grep -c '"event":"open"' "$OUT")" 2 "--jsonl: an open event for each connection"
is "$(grep -c '"event":"message","dir":"server>client"' "$OUT")" 2 "--jsonl: --send echoed on both"

# ------------------------------------------------ the wait starts again

# Each connection made starts the wait before the next attempt again from
# --reconnect-delay: the server drops every connection after one echo, so
# each reconnection waits at most 0.4 s, not 0.8, then 1.6, ...
start_node_echo --drop-after 1 || { echo "Bail out! node echo server did not start"; exit 1; }
seq 1 4 >"$T/four"
mkfifo "$T/wait.fifo"
paced "$T/four" 0.6 >"$T/wait.fifo" &
writer=$!
run_wscli --reconnect=5 --reconnect-delay 0.4 "$(url)" <"$T/wait.fifo"
wait "$writer"
status_is 0 "drop after each: exit 0"
is "$(cat "$OUT" | tr '\n' ' ')" "1 2 3 4 " "drop after each: every line echoed once, in order"
ok "drop after each: three reconnections at least" [ "$(grep -c 'reconnecting in' "$ERR")" -ge 3 ]
delays=$(sed -n 's/.*reconnecting in \([0-9.]*\) s.*/\1/p' "$ERR" | tr '\n' ' ')
ok "drop after each: every wait is within --reconnect-delay 0.4 ($delays)" \
    awk -v d="$delays" 'BEGIN { n = split(d, a, " "); for (i = 1; i <= n; i++) if (a[i] > 0.4) exit 1; exit n >= 3 ? 0 : 1 }'

done_testing
