#!/bin/sh
# --reconnect under --proto, against real servers killed and started again
# on the same port: every connection gives the protocol, once it is open
# again, the --send and --on-connect lines (so a GraphQL subscription is
# subscribed again after the new connection_ack), then the stdin lines the
# last one did not get to the server; lines written while there is no
# connection wait and reach the new server, in order, once each.
. tests/lib.sh
need_wscli

# start_on NAME CMD...: a server that prints its port
start_on() {
    name=$1
    shift
    spawn "$name" "$@" && wait_port_line && server_started
}

# lines_of LOG PATTERN: the matching lines of LOG, joined by spaces
lines_of() {
    sed -n "s|$2|\\1|p" "$1" | tr '\n' ' '
}

# ------------------------------------------------------------------ GraphQL
# The subscription of --on-connect ticks every 500 ms; the server is killed
# after the first tick and started again: the subscription is made again
# after the new connection_ack, and runs to its end there.
port=$(free_port)
start_on gql1 node "$SERVERS/gql-server.js" --port "$port" ||
    skip_all "GraphQL server did not start"
first=$SERVER_PID
G1=$SERVER_LOG
echo 'subscription { tick(n: 3, ms: 500) }' >"$T/subs"
timeout 30 "$WSCLI" --proto graphql --reconnect --reconnect-delay 0.2 \
    --on-connect "$T/subs" "ws://127.0.0.1:$port/graphql" </dev/null \
    >"$T/g.out" 2>"$T/g.err" &
client=$!
wait_for "$T/g.out" '"tick":1' 10
stop_server "$first"
sleep 0.3
start_on gql2 node "$SERVERS/gql-server.js" --port "$port"
G2=$SERVER_LOG
wait "$client"
rc=$?
is "$rc" 0 "graphql: exit 0 once the subscription made again completed"
is "$(lines_of "$G1" '^gql-server: < {"type":"\([a-z_]*\)".*')" 'connection_init subscribe ' \
    "graphql: first server: connection_init, then the subscription"
is "$(lines_of "$G2" '^gql-server: < {"type":"\([a-z_]*\)".*')" 'connection_init subscribe ' \
    "graphql: restarted server: connection_init, then the subscription again"
like "$G2" '"type":"subscribe","id":"1",' "graphql: the new connection's operation is its id 1"
is "$(tail -n 3 "$T/g.out" | tr '\n' ' ')" \
    '{"data":{"tick":1}} {"data":{"tick":2}} {"data":{"tick":3}} ' \
    "graphql: the restarted server's three ticks, after the first one's"
unlike "$T/g.err" '4401|4400|not sent' "graphql: no 4401, nothing refused"
[ "$rc" -eq 0 ] || diag_file "$T/g.err"

# The same from stdin: the subscription still running when the server went
# is subscribed again; the query that had completed is not asked again.
port=$(free_port)
start_on gql3 node "$SERVERS/gql-server.js" --port "$port" ||
    skip_all "GraphQL server did not start"
first=$SERVER_PID
printf '%s\n' 'subscription { tick(n: 3, ms: 500) }' '{ hello }' >"$T/ops"
timeout 30 "$WSCLI" --proto graphql --reconnect --reconnect-delay 0.2 \
    "ws://127.0.0.1:$port/graphql" <"$T/ops" >"$T/s.out" 2>"$T/s.err" &
client=$!
wait_for "$T/s.out" '"tick":1' 10
stop_server "$first"
sleep 0.3
start_on gql4 node "$SERVERS/gql-server.js" --port "$port"
G4=$SERVER_LOG
wait "$client"
rc=$?
is "$rc" 0 "graphql stdin: exit 0 once the subscription made again completed"
is "$(lines_of "$G4" '^gql-server: < {"type":"subscribe","id":"[0-9]*","payload":\(.*\)}$')" \
    '{"query":"subscription { tick(n: 3, ms: 500) }"} ' \
    "graphql stdin: the restarted server got the running subscription again, not the completed query"
like "$T/s.err" 'sending again 1 line whose operation was still running \(from stdin line 1 on\)' \
    "graphql stdin: wscli says so"
is "$(tail -n 3 "$T/s.out" | tr '\n' ' ')" \
    '{"data":{"tick":1}} {"data":{"tick":2}} {"data":{"tick":3}} ' \
    "graphql stdin: the subscription ran to its end on the new connection"
[ "$rc" -eq 0 ] || diag_file "$T/s.err"

# ---------------------------------------------------------------- Socket.IO
# An --on-connect event and stdin events; the server is killed after the
# third and started again while lines 4-6 are written: each event reaches
# a server once, in order, the --on-connect one on each connection.
port=$(free_port)
start_on sio1 node "$SERVERS/sio-server.js" --port "$port" ||
    skip_all "socket.io server did not start"
first=$SERVER_PID
S1=$SERVER_LOG
echo '["echo","hello"]' >"$T/sio.onc"
mkfifo "$T/sio.fifo"
(
    for i in 1 2 3; do echo "[\"echo\",$i]"; sleep 0.2; done
    kill "$first"
    sleep 0.3
    for i in 4 5 6; do echo "[\"echo\",$i]"; done
    sleep 1.5
    for i in 7 8; do echo "[\"echo\",$i]"; sleep 0.2; done
) >"$T/sio.fifo" &
writer=$!
(
    sleep 1.3
    exec node "$SERVERS/sio-server.js" --port "$port" >"$T/sio2.out" 2>"$T/sio2.err"
) &
server_pids="$server_pids $!"
run_wscli --proto socketio --reconnect --reconnect-delay 0.2 \
    --on-connect "$T/sio.onc" "ws://127.0.0.1:$port" <"$T/sio.fifo"
wait "$writer"
status_is 0 "socketio: exit 0"
is "$(lines_of "$S1" '^sio-server: < echo \[\(.*\)\]$')" '"hello" 1 2 3 ' \
    "socketio: first server: the --on-connect event, then lines 1-3"
is "$(lines_of "$T/sio2.err" '^sio-server: < echo \[\(.*\)\]$')" '"hello" 4 5 6 7 8 ' \
    "socketio: restarted server: the --on-connect event again, then lines 4-8, in order"
is "$(grep -c '^wscli: connected to ' "$ERR")" 2 "socketio: connected twice"

# -------------------------------------------------------------------- STOMP
# --send on each connection; line 2 is written while the broker is down.
port=$(free_port)
start_on stomp1 node "$SERVERS/stomp-broker.js" --port "$port" ||
    skip_all "the STOMP broker did not start"
first=$SERVER_PID
B1=$SERVER_LOG
mkfifo "$T/stomp.fifo"
(
    echo one
    sleep 0.5
    kill "$first"
    sleep 0.3
    echo two
    sleep 1.5
    echo three
) >"$T/stomp.fifo" &
writer=$!
(
    sleep 1.2
    exec node "$SERVERS/stomp-broker.js" --port "$port" >"$T/stomp2.out" 2>"$T/stomp2.err"
) &
server_pids="$server_pids $!"
run_wscli --proto stomp --destination /queue/r --send hi --reconnect \
    --reconnect-delay 0.2 "ws://127.0.0.1:$port/stomp" <"$T/stomp.fifo"
wait "$writer"
status_is 0 "stomp: exit 0"
is "$(lines_of "$B1" '^stomp-broker: send /queue/r \(.*\)$')" 'hi one ' \
    "stomp: first broker: the --send line, then line 1"
is "$(lines_of "$T/stomp2.err" '^stomp-broker: send /queue/r \(.*\)$')" 'hi two three ' \
    "stomp: restarted broker: the --send line again, then lines 2 and 3"

# The end of input: STOMP's DISCONNECT, its receipt, the close. That ending
# is wscli's own, so even --reconnect-on any does not connect again.
start_stomp_broker || skip_all "the STOMP broker did not start"
echo last >"$T/in"
run_wscli --proto stomp --destination /queue/e --reconnect --reconnect-on any \
    --reconnect-delay 0.1 "ws://127.0.0.1:$PORT/stomp" <"$T/in"
status_is 0 "stomp, end of input, --reconnect-on any: exit 0"
took "stomp, end of input, --reconnect-on any: the session ends" 3000
unlike "$ERR" 'reconnecting' "stomp, end of input, --reconnect-on any: no reconnection"
is "$(grep -c '^stomp-broker: connected' "$SERVER_LOG")" 1 \
    "stomp, end of input, --reconnect-on any: the broker saw one connection"

# --------------------------------------------------------------------- MQTT
# mosquitto stopped and started again with its configuration: --send is
# published after each CONNACK, then the lines (told apart by their length
# in mosquitto's log).
if start_mosquitto; then
    first=$SERVER_PID
    M1=$SERVER_LOG
    conf=$(ls -t "$T"/mosquitto*.conf | head -n 1)
    mkfifo "$T/mqtt.fifo"
    (
        echo a
        sleep 0.5
        kill "$first"
        sleep 0.3
        echo bb
        sleep 1.5
        echo ccc
    ) >"$T/mqtt.fifo" &
    writer=$!
    (
        sleep 1.2
        exec mosquitto -c "$conf" >"$T/mqtt2.out" 2>"$T/mqtt2.err"
    ) &
    server_pids="$server_pids $!"
    run_wscli --proto mqtt --topic t/r --send hello --reconnect \
        --reconnect-delay 0.2 "ws://127.0.0.1:$PORT/" <"$T/mqtt.fifo"
    wait "$writer"
    status_is 0 "mqtt: exit 0"
    pat="^.*Received PUBLISH from .*'t/r', \\.\\.\\. (\\([0-9]*\\) bytes))\$"
    is "$(lines_of "$M1" "$pat")" '5 1 ' \
        "mqtt: first broker: --send (5 bytes), then line 1"
    is "$(lines_of "$T/mqtt2.err" "$pat")" '5 2 3 ' \
        "mqtt: restarted broker: --send again after CONNACK, then lines 2 and 3"
else
    pass "# SKIP mosquitto did not start"
fi

# ------------------------------------------------- lines the server never took
# A peer that opens Socket.IO, then reads nothing (its receive buffer holds
# a few KiB) and resets the connection: the lines its TCP never took are
# given to the protocol again on the next connection, in order, once
# each. (Those in its buffer were taken: no client can know
# its program never read them.)
start_raw say-stall-first \
    '0{"sid":"a","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}' \
    '40{"sid":"b"}' || skip_all "raw server did not start"
seq 1 40 | awk '{ printf "[\"l\",%d,\"%0900d\"]\n", $1, 0 }' >"$T/forty"
run_wscli --proto socketio --reconnect=2 --reconnect-delay 0.1 \
    -w 0.3 "$(url)" <"$T/forty"
status_is 0 "stalled then reset: exit 0"
from=$(sed -n 's/.*sending again [0-9]* messages the server did not take (from stdin line \([0-9]*\) on).*/\1/p' "$ERR")
ok "stalled then reset: wscli says from which line it sends again (${from:-none})" \
    [ "${from:-0}" -gt 1 ]
got=$(sed -n "s/^raw: client: TEXT b'42\\[\"\\([a-z]\\)\",\\([0-9]*\\).*/\\1\\2/p" "$SERVER_LOG" | tr '\n' ' ')
want="$(seq "${from:-1}" 40 | sed 's/^/l/' | tr '\n' ' ')"
is "$got" "$want" \
    "stalled then reset: the next connection got lines $from-40, in order, once each"

# Without --reconnect the lines not taken are said, from which line on.
stop_server
start_raw say-stall-first \
    '0{"sid":"a","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}' \
    '40{"sid":"b"}' || skip_all "raw server did not start"
run_wscli --proto socketio "$(url)" <"$T/forty"
status_is 6 "stalled then reset, no --reconnect: exit 6, the connection lost"
like "$ERR" '[0-9]+ messages were not sent, or not taken by the server \(from stdin line [0-9]+ on\)' \
    "stalled then reset, no --reconnect: the lines not taken are said"

# The same with bare messages and a peer that answers none: the wait for
# answers at the end of input is the new connection's own, so the session
# still ends (it used to wait on the one of the connection that was lost).
stop_server
start_raw say-stall-first || skip_all "raw server did not start"
seq 1 40 | awk '{ printf "l%d %0900d\n", $1, 0 }' >"$T/forty.raw"
run_wscli --reconnect=2 --reconnect-delay 0.1 -w 0.3 --close-timeout 2 \
    "$(url)" <"$T/forty.raw"
status_is 0 "raw, stalled then reset: exit 0"
took "raw, stalled then reset: the session ends after the resent lines" 3000
like "$ERR" 'sending again [0-9]+ messages the server did not take' \
    "raw, stalled then reset: lines sent again"

done_testing
