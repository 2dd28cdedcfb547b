#!/bin/sh
# --record under --proto against real servers: socket.io 4
# (tests/servers/sio-server.js), graphql-ws (gql-server.js), a STOMP broker
# (stomp-broker.js) and mosquitto. The file says "@proto NAME", a ">"
# line is what a stdin line means under the protocol, a "<" line what the
# protocol writes for a message received; the protocol's own packets and
# keep-alives are no lines. A recorded session passes --test unchanged,
# and an edited "<" line fails at its line.
. tests/lib.sh
need_wscli

# steps FILE: the file without its pauses
steps() {
    grep -v '^# +' "$1"
}

# same_as WANT FILE DESC
same_as() {
    steps "$2" >"$T/steps"
    if cmp -s "$1" "$T/steps"; then
        pass "$3"
    else
        fail "$3"
        diag_file "$2"
    fi
}

# edited FILE OLD NEW DESC [--test OPTIONS]: with OLD changed to NEW,
# --test fails at the line changed
edited() {
    sed "s|$2|$3|" "$1" >"$1.edited"
    line=$(grep -nF -e "$3" "$1.edited" | cut -d: -f1)
    file=$1
    desc=$4
    shift 4
    run_wscli --test "$@" "$file.edited"
    status_is 1 "$desc: an edited line fails"
    like "$OUT" "^not ok [0-9]+ - $file\\.edited:$line " \
        "$desc: ... at its line ($line)"
}

# --- Socket.IO ------------------------------------------------------------
spawn sio node "$SERVERS/sio-server.js" --port 0 && wait_port_line &&
    server_started || { echo "Bail out! socket.io server did not start"; exit 1; }
SIO=$PORT

# Events both ways, binary attachments; the server pings every 700 ms,
# which the protocol answers and the file does not hold.
mkfifo "$T/sio.fifo"
{
    echo '["echo","hi",{"a":1}]'
    sleep 0.3
    echo '["bin"]'
    sleep 1.2
    echo '["echo","two"]'
} >"$T/sio.fifo" &
run_wscli --record "$T/sio.conv" --proto socketio "ws://127.0.0.1:$SIO/" \
    <"$T/sio.fifo"
status_is 0 "socketio: recorded, exit 0"
cat >"$T/want" <<EOF
@url ws://127.0.0.1:$SIO/socket.io/?EIO=4&transport=websocket
@proto socketio
> ["echo","hi",{"a":1}]
< ["echo","hi",{"a":1}]
> ["bin"]
< ["bin",{"base64":"AQID"},{"name":"x","data":{"base64":"aGk="}}]
> ["echo","two"]
< ["echo","two"]
> /close 1000
< /close 1000
EOF
same_as "$T/want" "$T/sio.conv" "socketio: events as lines, no Engine.IO packets or pings"
run_wscli --test "$T/sio.conv"
status_is 0 "socketio: --test passes the recording unchanged"
is "$(grep -c '^ok ' "$OUT")" 4 "socketio: ... 4 points ok"
edited "$T/sio.conv" '^< \["echo","two"]' '< ["echo","three"]' "socketio"

# --replay speaks the protocol too: the same answers, then an edited one
# as a diff of the file
run_wscli --replay "$T/sio.conv" --replay-speed 0
status_is 0 "socketio: --replay of the recording: the same answers, exit 0"
is "$(cat "$OUT")" "" "socketio: ... no difference written"
run_wscli --replay "$T/sio.conv.edited" --replay-speed 0
status_is 1 "socketio: --replay of the edited file: exit 1"
like "$OUT" '^-< \["echo","three"\]$' "socketio: ... the edited line, missing"
like "$OUT" '^\+< \["echo","two"\]$' "socketio: ... the event that came instead"

# --- GraphQL --------------------------------------------------------------
start_gql --ping 150 || { echo "Bail out! gql-server.js did not start"; exit 1; }
GQL=$PORT
mkfifo "$T/gql.fifo"
{
    echo '{ hello }'
    sleep 0.4
    echo 'subscription { tick(n: 2) }'
    sleep 0.3
    echo '{"query":"query($a:Int!){ add(a:$a,b:2) }","variables":{"a":40}}'
} >"$T/gql.fifo" &
run_wscli --record "$T/gql.conv" --proto graphql "ws://127.0.0.1:$GQL/" \
    <"$T/gql.fifo"
status_is 0 "graphql: recorded, exit 0"
cat >"$T/want" <<EOF
@url ws://127.0.0.1:$GQL/
@proto graphql
> { hello }
< {"data":{"hello":"world"}}
> subscription { tick(n: 2) }
< {"data":{"tick":1}}
< {"data":{"tick":2}}
> {"query":"query(\$a:Int!){ add(a:\$a,b:2) }","variables":{"a":40}}
< {"data":{"add":42}}
> /close 1000
< /close 1000
EOF
same_as "$T/want" "$T/gql.conv" "graphql: operations and payloads, no init, ack or pings"
run_wscli --test "$T/gql.conv"
status_is 0 "graphql: --test passes the recording unchanged"
is "$(grep -c '^ok ' "$OUT")" 5 "graphql: ... 5 points ok"
edited "$T/gql.conv" '"add":42' '"add":43' "graphql"
run_wscli --replay "$T/gql.conv" --replay-speed 0
status_is 0 "graphql: --replay of the recording: the same answers, exit 0"
run_wscli --replay "$T/gql.conv.edited" --replay-speed 0
status_is 1 "graphql: --replay of the edited file: exit 1"
like "$OUT" '^\+< \{"data":\{"add":42\}\}$' "graphql: ... the result that came, in the diff"

# --- STOMP ----------------------------------------------------------------
# The broker does not send a session its own messages: the recording is
# a subscriber's, the bodies come from another client.
start_stomp_broker || { echo "Bail out! the STOMP broker did not start"; exit 1; }
SU=ws://127.0.0.1:$PORT/stomp
B=$SERVER_LOG
printf 'hello\nworld\n' >"$T/in"
stomp_send() {      # N: once the broker has N subscriptions to /queue/r
    tries=100
    while [ "$(grep -c 'subscribe /queue/r' "$B")" -lt "$1" ] &&
        [ "$tries" -gt 0 ]; do
        sleep 0.1
        tries=$((tries - 1))
    done
    "$WSCLI" --proto stomp --destination /queue/r "$SU" <"$T/in" \
        >/dev/null 2>&1
}
stomp_send 1 &
run_wscli --record "$T/stomp.conv" --proto stomp --subscribe /queue/r -n 2 \
    "$SU" </dev/null
wait $!
status_is 0 "stomp: recorded, exit 0"
cat >"$T/want" <<EOF
@url $SU
@proto stomp
< hello
< world
> /close 1000
< /close 1000
EOF
same_as "$T/want" "$T/stomp.conv" "stomp: bodies received, no frames"
stomp_send 2 &
run_wscli --test --proto stomp --subscribe /queue/r "$T/stomp.conv"
wait $!
status_is 0 "stomp: --test passes the recording unchanged"
stomp_send 3 &
edited "$T/stomp.conv" '^< world' '< earth' "stomp" --proto stomp \
    --subscribe /queue/r
wait $!

# --- MQTT -----------------------------------------------------------------
start_mosquitto || { echo "Bail out! mosquitto did not start"; exit 1; }
MU=ws://127.0.0.1:$PORT/
run_wscli --record "$T/mqtt.conv" --proto mqtt --subscribe r/t --topic r/t \
    -n 2 "$MU" <"$T/in"
status_is 0 "mqtt: recorded, exit 0"
cat >"$T/want" <<EOF
@url $MU
@proto mqtt
> hello
> world
< hello
< world
> /close 1000
< /close 1000
EOF
same_as "$T/want" "$T/mqtt.conv" "mqtt: payloads published and received, no packets"
run_wscli --test --proto mqtt --subscribe r/t --topic r/t "$T/mqtt.conv"
status_is 0 "mqtt: --test passes the recording unchanged"
edited "$T/mqtt.conv" '^< hello' '< bye' "mqtt" --proto mqtt \
    --subscribe r/t --topic r/t
run_wscli --replay "$T/mqtt.conv" --proto mqtt --subscribe r/t --topic r/t
status_is 0 "mqtt: --replay with the protocol's options: the same answers, exit 0"

done_testing
