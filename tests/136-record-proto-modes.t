#!/bin/sh
# --record under --proto in relay and listen modes, with the protocols'
# own clients (socket.io-client, graphql-ws's client): a relay's recording
# of a client's session passes --test against the server alone, unchanged;
# an edited "<" line fails at its line. In listen mode a client's file
# holds its events and what wscli answered, as lines.
. tests/lib.sh
need_wscli

sio_client() {      # URL ARGS...: tests/servers/sio-client.js
    (cd "$SERVERS" && timeout -k 5 20 node sio-client.js "$@") \
        >"$T/sioc.out" 2>"$T/sioc.err"
}

# --- relay, Socket.IO -------------------------------------------------------
spawn sio node "$SERVERS/sio-server.js" --port 0 && wait_port_line &&
    server_started || { echo "Bail out! socket.io server did not start"; exit 1; }
SIO=$PORT
start_listen --proto socketio --forward "ws://127.0.0.1:$SIO/" \
    --record "$T/relay"
sio_client "http://127.0.0.1:$LPORT" --emit '["echo","hi",{"a":1}]' \
    --emit '["bin"]' --stay 300
is "$?" 0 "relay socketio: the client's session, exit 0"
ok "relay socketio: its file is complete" wait_for "$T/relay/relay-1.conv" '^< /close' 5
stop_server "$LPID"
grep -v '^# +' "$T/relay/relay-1.conv" >"$T/steps"
like "$T/steps" '^@proto socketio$' "relay socketio: @proto in the header"
is "$(grep '^[<>] \[' "$T/steps" | sort)" "$(printf '%s\n' \
    '< ["bin",{"base64":"AQID"},{"name":"x","data":{"base64":"aGk="}}]' \
    '< ["echo","hi",{"a":1}]' '> ["bin"]' '> ["echo","hi",{"a":1}]')" \
    "relay socketio: the client's events and the server's, as lines"
unlike "$T/steps" '^[<>] [0-9]' "relay socketio: no Engine.IO packets"
run_wscli --test "ws://127.0.0.1:$SIO/" "$T/relay/relay-1.conv"
status_is 0 "relay socketio: --test against the server alone passes it unchanged"
sed 's/^< \["echo","hi",{"a":1}]/< ["echo","hi",{"a":2}]/' \
    "$T/relay/relay-1.conv" >"$T/edited.conv"
line=$(grep -nF '{"a":2}' "$T/edited.conv" | cut -d: -f1)
run_wscli --test "ws://127.0.0.1:$SIO/" "$T/edited.conv"
status_is 1 "relay socketio: an edited line fails"
like "$OUT" "^not ok 1 - $T/edited\\.conv:$line " "relay socketio: ... at its line ($line)"

# --- relay, GraphQL ---------------------------------------------------------
start_gql || { echo "Bail out! gql-server.js did not start"; exit 1; }
GQL=$PORT
start_listen --proto graphql --forward "ws://127.0.0.1:$GQL/" \
    --record "$T/grelay"
printf '%s\n' 'subscription { tick(n: 2) }' '{ hello }' >"$T/ops"
timeout 20 node tests/bench/gql-client.js "$(lurl)" <"$T/ops" \
    >"$T/gqlc.out" 2>"$T/gqlc.err"
is "$?" 0 "relay graphql: graphql-ws's client completes"
ok "relay graphql: its file is complete" wait_for "$T/grelay/relay-1.conv" '^< /close' 5
stop_server "$LPID"
grep -v '^# +' "$T/grelay/relay-1.conv" >"$T/gsteps"
like "$T/gsteps" '^@proto graphql$' "relay graphql: @proto in the header"
like "$T/gsteps" '^> \{"query":"subscription \{ tick\(n: 2\) \}"\}$' \
    "relay graphql: the client's operation, as a line (its payload)"
like "$T/gsteps" '^< \{"data":\{"tick":2\}\}$' "relay graphql: a result, as a line"
unlike "$T/gsteps" 'connection_init|connection_ack|"type"' \
    "relay graphql: no messages of the protocol's own"
run_wscli --test "ws://127.0.0.1:$GQL/" "$T/grelay/relay-1.conv"
status_is 0 "relay graphql: --test against the server alone passes it unchanged"


# --- listen, Socket.IO ------------------------------------------------------
start_listen --proto socketio --echo --record "$T/listen" --once
sio_client "$(lurl)" --emit '["echo","hi"]' --emit '["x",2]' --stay 300
is "$?" 0 "listen socketio: the client's session, exit 0"
wait_listen
grep -v '^# +' "$T/listen/client-1.conv" >"$T/lsteps"
cat >"$T/want" <<EOF
@url $(lurl)socket.io/?EIO=4&transport=websocket
@proto socketio
> ["echo","hi"]
< ["echo","hi"]
> ["x",2]
< ["x",2]
# the client left the namespace (a Socket.IO DISCONNECT, which no line sends), and wscli closed
< /close 1000 socketio: the client left the namespace
EOF
if cmp -s "$T/want" "$T/lsteps"; then
    pass "listen socketio: the client's events and wscli's echoes, as lines"
else
    fail "listen socketio: the client's events and wscli's echoes, as lines"
    diag_file "$T/listen/client-1.conv"
fi
# the same events against the real server (its echo answers "echo" only)
sed -n 1,4p "$T/listen/client-1.conv" >"$T/echo.conv"
run_wscli --test "ws://127.0.0.1:$SIO/" "$T/echo.conv"
status_is 0 "listen socketio: its events run against socket.io's server"

# --- listen, GraphQL --------------------------------------------------------
# wscli is the server: the client's operation is a ">" line, the result
# piped into wscli the "<" line the client reads (its payload).
mkfifo "$T/gin"
exec 7<>"$T/gin"
LISTEN_IN=$T/gin start_listen --once --proto graphql --record "$T/glisten"
echo '{ hello }' >"$T/op"
timeout 20 node tests/bench/gql-client.js "$(lurl)" <"$T/op" \
    >"$T/gl.out" 2>"$T/gl.err" &
cpid=$!
wait_for "$LOUT" '"type":"subscribe"' 10
id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$LOUT" | head -n 1)
printf '%s\n' "{\"type\":\"next\",\"id\":\"$id\",\"payload\":{\"data\":{\"hello\":\"world\"}}}" \
    "{\"type\":\"complete\",\"id\":\"$id\"}" >&7
wait "$cpid"
is "$?" 0 "listen graphql: the client completes"
exec 7>&-
wait_listen
grep '^[<>@]' "$T/glisten/client-1.conv" | grep -v '^@url' >"$T/glsteps"
cat >"$T/want" <<'EOF'
@protocol graphql-transport-ws
@proto graphql
> {"query":"{ hello }"}
< {"data":{"hello":"world"}}
EOF
sed -n 1,4p "$T/glsteps" >"$T/gl4"
if cmp -s "$T/want" "$T/gl4"; then
    pass "listen graphql: the operation and the result, as the client's lines"
else
    fail "listen graphql: the operation and the result, as the client's lines"
    diag_file "$T/glisten/client-1.conv"
fi
# graphql-ws's server says "world" too: the file runs against it unchanged
run_wscli --test "ws://127.0.0.1:$GQL/" "$T/glisten/client-1.conv"
status_is 0 "listen graphql: the client's file passes against graphql-ws's server"

# --- relay, STOMP and MQTT --------------------------------------------------
# wscli's own clients through the relay: a subscriber and a sender. A SEND
# or PUBLISH of the client is a line, with a comment naming where it went;
# a SUBSCRIBE a comment naming the option --test needs.
start_stomp_broker || { echo "Bail out! the STOMP broker did not start"; exit 1; }
STOMP=$PORT
B=$SERVER_LOG
start_listen --proto stomp --forward "ws://127.0.0.1:$STOMP/" --record "$T/srelay"
"$WSCLI" --proto stomp --subscribe /queue/r -n 2 "$(lurl stomp)" \
    >"$T/ssub.out" 2>"$T/ssub.err" </dev/null &
spid=$!
wait_for "$B" 'subscribe /queue/r' 10
printf 'hello\nworld\n' >"$T/in"
run_wscli --proto stomp --destination /queue/r "$(lurl stomp)" <"$T/in"
status_is 0 "relay stomp: the sender, exit 0"
wait "$spid"
is "$?" 0 "relay stomp: the subscriber got both, exit 0"
ok "relay stomp: the files are complete" wait_for "$T/srelay/relay-2.conv" '^< /close' 5
stop_server "$LPID"
grep -v '^# +' "$T/srelay/relay-1.conv" >"$T/s1"
grep -v '^# +' "$T/srelay/relay-2.conv" >"$T/s2"
like "$T/s1" '^# the client subscribed to /queue/r \(--test --subscribe\)$' \
    "relay stomp: the subscription, a comment"
is "$(grep '^[<>] [a-z]' "$T/s1")" "$(printf '< hello\n< world')" \
    "relay stomp: the subscriber's bodies, as lines"
like "$T/s2" '^# the lines below went to --destination /queue/r \(give it to --test\)$' \
    "relay stomp: where the sender's lines went, a comment"
is "$(grep '^[<>] [a-z]' "$T/s2")" "$(printf '> hello\n> world')" \
    "relay stomp: the sender's bodies, as lines"
# the subscriber's file against the broker alone, the bodies sent again
# (the sender's file would close at once after its lines, before this
# broker takes them: a STOMP client says DISCONNECT and waits first)
"$WSCLI" --test --proto stomp --subscribe /queue/r "ws://127.0.0.1:$STOMP/stomp" \
    "$T/srelay/relay-1.conv" >"$T/st1.out" 2>"$T/st1.err" &
tpid=$!
wait_for_n() {      # FILE REGEX N
    tries=100
    while [ "$(grep -c -e "$2" "$1")" -lt "$3" ] && [ "$tries" -gt 0 ]; do
        sleep 0.1
        tries=$((tries - 1))
    done
}
wait_for_n "$B" 'subscribe /queue/r' 2
run_wscli --proto stomp --destination /queue/r "ws://127.0.0.1:$STOMP/stomp" \
    <"$T/in"
status_is 0 "relay stomp: the bodies sent again, exit 0"
wait "$tpid"
is "$?" 0 "relay stomp: the subscriber's file passes --test, unchanged" ||
    { diag_file "$T/st1.out"; diag_file "$T/st1.err"; diag_file "$B"; }

start_mosquitto || { echo "Bail out! mosquitto did not start"; exit 1; }
MQ=$PORT
start_listen --proto mqtt --forward "ws://127.0.0.1:$MQ/" --record "$T/mrelay"
run_wscli --proto mqtt --subscribe r/t --topic r/t -n 2 "$(lurl)" <"$T/in"
status_is 0 "relay mqtt: the client, exit 0"
ok "relay mqtt: the file is complete" wait_for "$T/mrelay/relay-1.conv" '^< /close' 5
stop_server "$LPID"
grep -v '^# +' "$T/mrelay/relay-1.conv" >"$T/m1"
like "$T/m1" '^# the client subscribed to r/t \(--test --subscribe\)$' \
    "relay mqtt: the subscription, a comment"
like "$T/m1" '^# the lines below went to --topic r/t \(give it to --test\)$' \
    "relay mqtt: where the lines went, a comment"
is "$(grep '^[<>] [a-z]' "$T/m1")" "$(printf '> hello\n> world\n< hello\n< world')" \
    "relay mqtt: payloads both ways, as lines"
run_wscli --test --proto mqtt --subscribe r/t --topic r/t "ws://127.0.0.1:$MQ/" \
    "$T/mrelay/relay-1.conv"
status_is 0 "relay mqtt: --test against mosquitto alone passes it unchanged"
sed 's/^< world$/< earth/' "$T/mrelay/relay-1.conv" >"$T/medited.conv"
line=$(grep -n '^< earth$' "$T/medited.conv" | cut -d: -f1)
run_wscli --test --proto mqtt --subscribe r/t --topic r/t "ws://127.0.0.1:$MQ/" \
    "$T/medited.conv"
status_is 1 "relay mqtt: an edited line fails"
like "$OUT" "^not ok [0-9]+ - $T/medited\\.conv:$line " "relay mqtt: ... at its line ($line)"

done_testing
