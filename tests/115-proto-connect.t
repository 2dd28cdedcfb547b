#!/bin/sh
# What a connection starts with under --proto: --send and each --on-connect
# line mean what a line of standard input means (a Socket.IO event, a
# GraphQL operation, a STOMP SEND, an MQTT PUBLISH), are given to the
# protocol once it is open (CONNECT answered, connection_ack, CONNECTED,
# CONNACK), in order, before stdin; a line the protocol cannot take is a
# usage error before connecting; --frame stays a bare frame, sent at once.
. tests/lib.sh
need_wscli

# --------------------------------------------------------------- Socket.IO
spawn "sio" node "$SERVERS/sio-server.js" --port 0 && wait_port_line &&
    server_started || skip_all "socket.io server did not start"
SIO_LOG=$SERVER_LOG
U=ws://127.0.0.1:$PORT

printf '%s\n' '["echo","o1"]' '' '["echo","o2"]' >"$T/sio.onc"
echo '["echo","in"]' >"$T/in"
run_wscli --proto socketio --send '["echo","s1"]' --on-connect "$T/sio.onc" \
    "$U" <"$T/in"
status_is 0 "socketio: --send, --on-connect and stdin: exit 0"
is "$(cat "$OUT" | tr '\n' ' ')" '["echo","s1"] ["echo","o1"] ["echo","o2"] ["echo","in"] ' \
    "socketio: --send, then the --on-connect lines, then stdin, each emitted as an event"
is "$(grep 'sio-server: < echo' "$SIO_LOG" | tr '\n' ' ')" \
    'sio-server: < echo ["s1"] sio-server: < echo ["o1"] sio-server: < echo ["o2"] sio-server: < echo ["in"] ' \
    "socketio: the server received four events, in order"
unlike "$ERR" 'protocol error|not sent' "socketio: nothing refused"

# A stdin line the protocol refuses is named with why, and counted as
# refused, not as invalid UTF-8.
printf '%s\n' 'not json' '["echo","ok"]' >"$T/in"
run_wscli --proto socketio "$U" <"$T/in"
status_is 1 "socketio: a stdin line refused: exit 1"
like "$ERR" 'line 1: not valid JSON; not sent' "socketio: the refused line is named with why"
like "$ERR" '1 line was refused$' "socketio: counted as refused at the end"
unlike "$ERR" 'UTF-8' "socketio: not said to be invalid UTF-8"

: >"$SIO_LOG"
run_wscli --proto socketio --send hello "$U" </dev/null
status_is 2 "socketio: --send that is not a JSON array: usage error, exit 2"
like "$ERR" "--send 'hello': not valid JSON \\(with --proto socketio it means what a line of standard input means\\)" \
    "socketio: the error names --send and says why"
unlike "$ERR" 'connected' "socketio: refused before connecting"
printf '%s\n' '["echo","ok"]' '{"x":1}' >"$T/bad.onc"
run_wscli --proto socketio --on-connect "$T/bad.onc" "$U" </dev/null
status_is 2 "socketio: an --on-connect line that is not an event: exit 2"
like "$ERR" "--on-connect file '.*bad\\.onc', line 2: not a JSON array" \
    "socketio: the error names the file and the line"
is "$(grep -c 'connected' "$SIO_LOG")" 0 "socketio: the server saw no connection for either"

# -------------------------------------------------------------------- GraphQL
start_gql || skip_all "GraphQL server did not start"
GQL_LOG=$SERVER_LOG
G=ws://127.0.0.1:$PORT/graphql
printf '%s\n' 'subscription { tick(n: 2, ms: 10) }' >"$T/subs"
run_wscli --proto graphql --on-connect "$T/subs" --send '{"query":"{ hello }"}' \
    "$G" </dev/null
status_is 0 "graphql: --send and --on-connect operations: exit 0 once they completed"
like "$OUT" '\{"data":\{"hello":"world"\}\}' "graphql: the --send query was answered"
is "$(grep -c '"tick"' "$OUT")" 2 "graphql: the --on-connect subscription's two results"
is "$(sed -n 's/^gql-server: < {"type":"\([a-z_]*\)".*/\1/p' "$GQL_LOG" | tr '\n' ' ')" \
    'connection_init subscribe subscribe ' \
    "graphql: the operations went after connection_init (and its ack), not before"
like "$GQL_LOG" '"type":"subscribe","id":"1","payload":\{"query":"\{ hello \}"\}' \
    "graphql: --send first, with id 1"
like "$GQL_LOG" '"type":"subscribe","id":"2","payload":\{"query":"subscription \{ tick' \
    "graphql: then the --on-connect line, with id 2"
unlike "$ERR" '4401|4400' "graphql: no Unauthorized, no Bad request"

# At the REPL too: the --on-connect operation waits for connection_ack.
if command -v tmux >/dev/null 2>&1; then
    . tests/tmux.sh
    : >"$GQL_LOG"
    printf '%s\n' 'subscription { tick(n: 2, ms: 10) }' >"$T/subs.repl"
    start_repl "graphql REPL, --on-connect" -- --color=never --proto graphql \
        --on-connect "$T/subs.repl" "$G"
    screen_like '^< next 1 \{"data":\{"tick":2\}\}$' \
        "REPL: the --on-connect subscription's results, shown with its id"
    is "$(sed -n 's/^gql-server: < {"type":"\([a-z_]*\)".*/\1/p' "$GQL_LOG" | tr '\n' ' ')" \
        'connection_init subscribe ' "REPL: subscribed after connection_init"
    screen_unlike '4401|protocol error' "REPL: no 4401"
    send_line '/quit'
    exit_is 0 "REPL: /quit, exit 0"
    repl_end
else
    pass "# SKIP tmux is not installed"
fi

run_wscli --proto graphql --send '{"variables":{}}' "$G" </dev/null
status_is 2 "graphql: --send that is no operation: exit 2"
like "$ERR" "--send '\\{\"variables\":\\{\\}\\}': .*query" "graphql: the error names --send"
unlike "$ERR" 'connected' "graphql: refused before connecting"
# auto: the protocol is known once connected; the same refusal then
run_wscli --proto auto -s graphql-transport-ws --send '{"variables":{}}' "$G" </dev/null
status_is 2 "graphql by --proto auto: an --send that is no operation: exit 2"
like "$ERR" "with --proto graphql it means what a line" "auto: refused once the protocol is known"
like "$ERR" 'closed by wscli with 1000' "auto: the connection closed with 1000"

# ---------------------------------------------------------------------- STOMP
start_stomp_broker || skip_all "the STOMP broker did not start"
S=ws://127.0.0.1:$PORT/stomp
timeout 10 "$WSCLI" --proto stomp --subscribe /queue/c -n 2 "$S" >"$T/sub.out" 2>"$T/sub.err" &
sub=$!
wait_for "$SERVER_LOG" 'subscribe /queue/c' 10
printf 'from-file\n' >"$T/stomp.onc"
run_wscli --proto stomp --destination /queue/c --send from-send \
    --on-connect "$T/stomp.onc" "$S" </dev/null
status_is 0 "stomp: --send and --on-connect: exit 0"
wait "$sub"
is "$(cat "$T/sub.out" | tr '\n' ' ')" 'from-send from-file ' \
    "stomp: each went as a SEND to --destination, in order"
like "$SERVER_LOG" 'send /queue/c from-send' "stomp: the broker got the SEND of --send"
run_wscli --proto stomp --send hi "$S" </dev/null
status_is 2 "stomp: --send without --destination: exit 2"
like "$ERR" "--send 'hi': STOMP needs --destination" "stomp: the error says what is missing"

# ----------------------------------------------------------------------- MQTT
if start_mosquitto; then
    M=ws://127.0.0.1:$PORT/
    timeout 10 "$WSCLI" --proto mqtt --subscribe 't/x' -n 2 "$M" >"$T/msub.out" 2>"$T/msub.err" &
    sub=$!
    tries=100
    while ! grep -q 'Sending SUBACK' "$SERVER_LOG" && [ "$tries" -gt 0 ]; do
        sleep 0.1
        tries=$((tries - 1))
    done
    echo stdin-line >"$T/in"
    run_wscli --proto mqtt --topic t/x --qos 1 --send from-send "$M" <"$T/in"
    status_is 0 "mqtt: --send and stdin: exit 0"
    wait "$sub"
    is "$(cat "$T/msub.out" | tr '\n' ' ')" 'from-send stdin-line ' \
        "mqtt: --send published to --topic after CONNACK, then stdin"
    run_wscli --proto mqtt --send hi "$M" </dev/null
    status_is 2 "mqtt: --send without --topic: exit 2"
    like "$ERR" "--send 'hi': MQTT needs --topic" "mqtt: the error says what is missing"
else
    pass "# SKIP mosquitto did not start"
fi

# ------------------------------------------------------------- --frame, bare
# A raw peer that speaks the opening of Socket.IO logs the frames in order:
# the crafted frame at once, before the CONNECT; --send after the answer;
# the DISCONNECT that leaves the namespace at the end.
start_raw say '0{"sid":"a","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}' \
    'sleep:200' '40{"sid":"b"}' || skip_all "raw server did not start"
run_wscli --proto socketio --frame 'bare' --send '["e",1]' -w 0.3 "$(url)" </dev/null
is "$(sed -n "s/^raw: client: TEXT b'\\(.*\\)'\$/\\1/p" "$SERVER_LOG" | tr '\n' ' ')" \
    'bare 40 42["e",1] 41 ' \
    "--frame goes bare and at once; --send as an event once the namespace is connected"

done_testing
