#!/bin/sh
# The protocols as a newcomer meets them, against real servers and raw
# ones: what wscli says must be what happened.
# - Socket.IO: --ack in a pipe sends each line only once the ack of the
#   one before came; a server that never answers the namespace's CONNECT
#   is given up after --connect-timeout, as are STOMP and MQTT servers
#   that never answer CONNECT.
# - MQTT at the REPL shows the PUBACK of a QoS 1 /publish and says that a
#   typed line is no MQTT before a broker drops the connection for it;
#   --jsonl has what CONNACK, SUBACK and PUBACK carried.
# - GraphQL's --jsonl has connection_ack and each complete.
# - STOMP's --jsonl has CONNECTED's headers and an ERROR's body;
#   heart-beats agreed one way only read "none" for the other; a relay's
#   log shows the broker's CONNECTED and what each SUBSCRIBE, CONNECT and
#   DISCONNECT is about.
# - After a rule broken, what the peer sends while the close goes on is
#   not read as the protocol any more.
. tests/lib.sh
. tests/tmux.sh

OPEN='0{"sid":"s1","upgrades":[],"pingInterval":300,"pingTimeout":300}'
CONNECTED='40{"sid":"n1"}'

# --ack: a server that never acks gets the first line only. The lines come
# in one read, so they must wait in wscli, not in the kernel.
start_raw say "$OPEN" "$CONNECTED" || { echo "Bail out! raw server did not start"; exit 1; }
printf '["a"]\n["b"]\n' >"$T/two"
run_wscli --ack --proto socketio "$(url)" <"$T/two"
status_is 7 "--ack, no ack ever: the silent server ends it (exit 7)"
wait_for "$SERVER_LOG" 'raw: client: CLOSE' 5
like "$SERVER_LOG" "raw: client: TEXT b'421\\[\"a\"\\]'" "the first line is emitted, asking for ack 1"
unlike "$SERVER_LOG" '\["b"\]' "the second line waits for that ack: never sent"
like "$ERR" '1 line of stdin was not sent \(from line 2 on\)' \
    "the line that waited is counted as not sent"
stop_server

# A server that sends its open packet, then never answers CONNECT: given
# up after --connect-timeout, not waited for as long as it pings.
start_raw say '0{"sid":"s2","upgrades":[],"pingInterval":25000,"pingTimeout":20000}' ||
    { echo "Bail out! raw server did not start"; exit 1; }
echo '["a"]' >"$T/a"
run_wscli --proto socketio --connect-timeout 1 "$(url)" <"$T/a"
status_is 7 "no answer to CONNECT: exit 7"
like "$ERR" 'socketio: no answer to CONNECT / within 1 s \(--connect-timeout\); closing' \
    "... named, with the option that bounds it"
took "... after about --connect-timeout" 5000
stop_server

# The real socket.io server: each emit goes after the ack of the one before.
spawn "sio$server_count" node "$SERVERS/sio-server.js" --port 0 &&
    wait_port_line && server_started || { echo "Bail out! socket.io server did not start"; exit 1; }
printf '["echo",1]\n["sum",1,2]\n["echo",3]\n' >"$T/three"
run_wscli --jsonl --ack --proto socketio "ws://127.0.0.1:$PORT" <"$T/three"
status_is 0 "--ack against socket.io: exit 0"
grep -o '"dir":"[a-z>]*","proto":"socketio","kind":"\(emit\|ack\)","id":"[0-9]"' "$OUT" |
    sed 's/"dir":"\([a-z>]*\)".*"kind":"\([a-z]*\)","id":"\([0-9]\)"/\2 \3/' | tr '\n' ' ' >"$T/order"
is "$(cat "$T/order")" "emit 1 ack 1 emit 2 ack 2 emit 3 ack 3 " \
    "--jsonl: each emit after the ack of the one before"
is "$(grep -c '^\["echo"' "$OUT")" 0 "... (--jsonl: no bare lines)"
run_wscli --ack --proto socketio "ws://127.0.0.1:$PORT" <"$T/three"
status_is 0 "--ack in a pipe: exit 0"
is "$(cat "$OUT")" "$(printf '["echo",1]\n["echoed"]\n[3]\n["echo",3]\n["echoed"]')" \
    "events and acks in the order of the emits"
stop_server

# MQTT at the REPL.
start_mosquitto || { echo "Bail out! mosquitto did not start"; exit 1; }
U=ws://127.0.0.1:$PORT/
start_repl "mqtt REPL, QoS 1" -- --color=never --proto mqtt --qos 1 "$U"
screen_like '^< connected MQTT 3\.1\.1' "CONNACK is shown"
send_line '/publish q/a hello'
screen_like '^< puback published \(id 1\)$' "a QoS 1 /publish: the broker's PUBACK is shown"
send_line 'plain words'
screen_like '^mqtt: a typed line goes out as a text message, which MQTT does not allow' \
    "a typed line: said to be no MQTT"
send_line 'more words'
sleep 0.3
screen
is "$(grep -c 'typed line goes out' "$SCREEN")" 1 "... once"
send_line '/quit'
exit_is 0 "/quit: exit 0"
repl_end

# MQTT's --jsonl: CONNACK, SUBACK and PUBACK with what they said.
printf 'one\n' >"$T/one"
run_wscli --jsonl --proto mqtt --subscribe 'j/#' --qos 1 --topic j/a -n 1 "$U" <"$T/one"
status_is 0 "--jsonl mqtt, its own line back: exit 0"
like "$OUT" '"kind":"connected","data":\{"version":"3\.1\.1","session_present":false,"keepalive":60\}' \
    "--jsonl: CONNACK's event has the version, session present and keep-alive"
like "$OUT" '"kind":"suback","name":"j/#","id":"1","data":\{"code":1\}' \
    "--jsonl: SUBACK's event has the filter, the packet id and the QoS granted"
run_wscli --jsonl --proto mqtt --qos 1 --topic j/a "$U" <"$T/one"
status_is 0 "--jsonl mqtt, a QoS 1 line: exit 0"
like "$OUT" '"kind":"puback","id":"1"' "--jsonl: the PUBACK of the QoS 1 line"
stop_server

# GraphQL's --jsonl: the ack and each complete are events.
start_gql || { echo "Bail out! graphql server did not start"; exit 1; }
echo '{ hello }' >"$T/op"
run_wscli --jsonl --proto graphql "$(url)" <"$T/op"
status_is 0 "--jsonl graphql: exit 0"
like "$OUT" '"kind":"connection_ack"' "--jsonl: connection_ack is an event"
like "$OUT" '"kind":"complete","id":"1"' "--jsonl: the operation's complete is an event"
stop_server

# STOMP: --jsonl events with what the frames carried.
start_stomp_broker --error-on-subscribe || { echo "Bail out! the STOMP broker did not start"; exit 1; }
run_wscli --jsonl --proto stomp --subscribe /queue/x "ws://127.0.0.1:$PORT/stomp" </dev/null
status_is 1 "an ERROR from the broker: exit 1"
like "$OUT" '"kind":"connected","data":\{[^}]*"server":"STOMP-JS/[0-9.]+"[^}]*"version":"1\.1"' \
    "--jsonl: CONNECTED has the broker's headers as data"
like "$OUT" '"kind":"error","data":\{"message":"SUBSCRIBE ERROR"[^}]*\},"text":"/queue/x"' \
    "--jsonl: an ERROR has its body as text"
stop_server
start_stomp_broker --heart-beat 300,300 || { echo "Bail out! the STOMP broker did not start"; exit 1; }
echo one >"$T/one"
run_wscli --proto stomp --keepalive 0.3 --destination /q/a "ws://127.0.0.1:$PORT/stomp" <"$T/one"
status_is 0 "heart-beats one way: exit 0"
like "$ERR" 'heart-beats: sending every 300 ms, expecting none$' \
    "the way without heart-beats reads 'none', not 'every 0 ms'"
stop_server

# A STOMP relay's log: the frames that carry no message say what they
# are about.
start_stomp_broker || { echo "Bail out! the STOMP broker did not start"; exit 1; }
start_listen --once --forward "ws://127.0.0.1:$PORT" --proto stomp || exit 1
run_wscli --proto stomp --subscribe /topic/r --timeout 1 "ws://127.0.0.1:$LPORT/stomp" </dev/null
status_is 7 "the subscriber through the relay: --timeout, exit 7"
wait_listen
like "$LOUT" '^1 client>server .* connect accept-version:1\.0,1\.1,1\.2 host:127\.0\.0\.1 heart-beat:' \
    "the relay's log: CONNECT with its versions and host"
like "$LOUT" '^1 server>client .* connected version:1\.1 server:STOMP-JS' \
    "the relay's log: the broker's CONNECTED"
like "$LOUT" '^1 client>server .* subscribe /topic/r id:0$' \
    "the relay's log: SUBSCRIBE with its destination and id"
stop_server

# After a violation: one error, nothing more decoded or written.
hex() { printf "$1" | od -An -tx1 | tr -d ' \n'; }
start_raw say "bin:$(hex 'CONNECTED\nversion:1.2\n\n\0')" \
    "bin:$(hex 'MESSAGE\ndestination:/a\nmessage-id:1\nsubscription:0\n\nno nul')" \
    "bin:$(hex 'MESSAGE\ndestination:/a\nmessage-id:2\nsubscription:0\n\nafter\0')" ||
    { echo "Bail out! raw server did not start"; exit 1; }
run_wscli --proto stomp --subscribe /a "$(url)" </dev/null
status_is 5 "STOMP, a frame without NUL: exit 5"
like "$ERR" 'stomp protocol error: frame not ended by NUL' "the violation is named"
is "$(cat "$OUT")" "" "the MESSAGE after it is not written"
is "$(grep -c 'protocol error' "$ERR")" 1 "one violation said, not one per message after it"
stop_server
start_raw say "$OPEN" "$CONNECTED" '42["a",' '42["after"]' ||
    { echo "Bail out! raw server did not start"; exit 1; }
run_wscli -w 2 --proto socketio "$(url)" </dev/null
status_is 5 "Socket.IO, an event that is not JSON: exit 5"
is "$(cat "$OUT")" "" "the event after it is not written"
stop_server

# STOMP and MQTT servers that upgrade and then never answer CONNECT.
start_raw sink || { echo "Bail out! raw server did not start"; exit 1; }
run_wscli --proto stomp --destination /q --connect-timeout 1 "$(url x)" <"$T/one"
status_is 7 "STOMP, no CONNECTED: exit 7"
like "$ERR" 'STOMP: no CONNECTED within 1 s \(--connect-timeout\); closing' "... named"
took "STOMP, no CONNECTED" 5000
run_wscli --proto mqtt --topic t --connect-timeout 1 "$(url x)" <"$T/one"
status_is 7 "MQTT, no CONNACK: exit 7"
like "$ERR" 'MQTT: no CONNACK within 1 s \(--connect-timeout\); closing' "... named"
took "MQTT, no CONNACK" 5000
stop_server

done_testing
