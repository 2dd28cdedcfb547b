#!/bin/sh
# --proto socketio against a real socket.io 4 server (tests/servers/sio-server.js,
# pingInterval 700 ms, pingTimeout 500 ms): the default path, the open packet,
# CONNECT with a namespace and auth, pings answered, events both ways as JSON
# array lines, acks, binary attachments, the server's silence, --jsonl.
. tests/lib.sh
need_wscli

start_sio() {
    spawn "sio$server_count" node "$SERVERS/sio-server.js" --port 0 "$@" &&
        wait_port_line && server_started
}

start_sio || { skip_all "socket.io server did not start"; }
U=ws://127.0.0.1:$PORT

# Events from stdin, events back on stdout, one JSON array a line.
printf '%s\n' '["echo","hi",{"a":1}]' '["echo",2]' >"$T/echo.in"
run_wscli --proto socketio "$U" <"$T/echo.in"
status_is 0 "two echo events: exit 0"
is "$(cat "$OUT")" "$(printf '%s\n' '["echo","hi",{"a":1}]' '["echo",2]')" \
    "each event received is one JSON array line"
like "$ERR" "connected to $U/socket\\.io/\\?EIO=4&transport=websocket " \
    "a URL without a path gets /socket.io/?EIO=4&transport=websocket"
like "$ERR" '< open sid=[^ ]+ pingInterval=700 pingTimeout=500 maxPayload=1000000' \
    "the open packet is shown: sid, pingInterval, pingTimeout, maxPayload"
like "$ERR" '< connect / sid=' "the namespace's CONNECT answer is shown"
like "$SERVER_LOG" 'sio-server: < echo \["hi",\{"a":1\}\]' \
    "the server received the event with its arguments"
wait_for "$SERVER_LOG" 'sio-server: disconnect ' 5
like "$SERVER_LOG" 'sio-server: disconnect client namespace disconnect' \
    "the end of input leaves the namespace (DISCONNECT) before the close"
like "$ERR" 'closed by wscli with 1000; the server answered 1000' \
    "... and the close follows"

# Several ping intervals: the pings are answered, the session stays up.
mkfifo "$T/slow.fifo"
(echo '["echo","a"]'; sleep 3; echo '["echo","b"]') >"$T/slow.fifo" &
run_wscli -v --proto socketio "$U/" <"$T/slow.fifo"
status_is 0 "3 s of 700 ms ping intervals: exit 0"
is "$(cat "$OUT")" "$(printf '%s\n' '["echo","a"]' '["echo","b"]')" \
    "an event before and one after the pings both come back"
pings=$(grep -c '< ping' "$ERR")
pongs=$(grep -c '> pong' "$ERR")
ok "-v shows the server's pings ($pings) and wscli's pongs ($pongs)" \
    [ "$pings" -ge 3 -a "$pongs" -ge 3 ]
like "$ERR" '^wscli: < ping$' "-v: a ping without data ends its line (no blank after it)"
run_wscli --proto socketio "$U" <"$T/echo.in"
unlike "$ERR" '< ping|> pong' "without -v pings and pongs are not shown"

# --ack: the ack's arguments on stdout; lines wait for it.
printf '%s\n' '["sum",1,2]' '["sum",40,2]' >"$T/sum.in"
run_wscli --ack --proto socketio "$U" <"$T/sum.in"
status_is 0 "--ack: exit 0"
is "$(cat "$OUT")" "$(printf '%s\n' '[3]' '[42]')" "--ack: each ack's arguments, in order"

# Binary attachments put in place of their placeholders.
echo '["bin"]' >"$T/in"
run_wscli --proto socketio "$U" <"$T/in"
status_is 0 "binary event: exit 0"
is "$(cat "$OUT")" '["bin",{"base64":"AQID"},{"name":"x","data":{"base64":"aGk="}}]' \
    "binary attachments reassembled, as base64 in place of the placeholders"

# A namespace that needs auth.
run_wscli --proto socketio --namespace /admin "$U"
status_is 1 "--namespace without the auth it needs: exit 1"
like "$ERR" 'connect_error /admin not authorized' "CONNECT_ERROR is shown with its message"
echo '["echo","in admin"]' >"$T/in"
run_wscli --proto socketio --namespace /admin --auth '{"token":"s3cret"}' \
    "$U" <"$T/in"
status_is 0 "--namespace with --auth: exit 0"
like "$ERR" '< connect /admin sid=' "the namespace is connected"
is "$(cat "$OUT")" '["echo","in admin"]' "events flow in the namespace"

# The server disconnects the socket.
echo '["bye"]' >"$T/in"
run_wscli --proto socketio "$U" <"$T/in"
status_is 0 "the server's DISCONNECT: exit 0"
like "$ERR" '< disconnect /' "DISCONNECT is shown"

# The server stops pinging: silent past pingInterval + pingTimeout.
mkfifo "$T/stop.fifo"
(echo '["stop"]'; sleep 6) >"$T/stop.fifo" &
run_wscli --proto socketio "$U" <"$T/stop.fifo"
status_is 7 "a server silent past pingInterval + pingTimeout: exit 7"
like "$ERR" 'nothing from the server for 1200 ms \(pingInterval 700 \+ pingTimeout 500\)' \
    "the silence is reported with its limit"
took "silence detected" 4000

# A line that is not an event array is refused; the others go.
printf '%s\n' 'hello' '["connect"]' '["echo","ok"]' >"$T/in"
run_wscli --proto socketio "$U" <"$T/in"
status_is 1 "refused lines: exit 1"
like "$ERR" 'line 1: not valid JSON; not sent' "a line that is not JSON is named"
like "$ERR" 'line 2: not a JSON array \["event", arguments...\]' \
    "a reserved event name is refused"
is "$(cat "$OUT")" '["echo","ok"]' "the valid line was sent"

# -n counts events, not Engine.IO packets.
printf '%s\n' '["echo",1]' '["echo",2]' '["echo",3]' >"$T/in"
run_wscli -n 2 --proto socketio "$U" <"$T/in"
status_is 0 "-n 2: exit 0"
is "$(cat "$OUT")" "$(printf '%s\n' '["echo",1]' '["echo",2]')" "-n 2: two events"

# --until matches an event's line.
printf '%s\n' '["echo","x"]' '["echo","stop here"]' '["echo","y"]' >"$T/in"
run_wscli --until 'stop here' --proto socketio "$U" <"$T/in"
status_is 0 "--until on an event: exit 0"
is "$(tail -n 1 "$OUT")" '["echo","stop here"]' "--until: nothing after the match"

# --jsonl: "proto" events.
echo '["echo","j",1]' >"$T/in"
run_wscli --jsonl --proto socketio "$U" <"$T/in"
status_is 0 "--jsonl: exit 0"
like "$OUT" '^\{"event":"proto","dir":"server>client","proto":"socketio","kind":"open",.*"data":\{"sid":' \
    "--jsonl: the open packet with its JSON"
like "$OUT" '^\{"event":"proto","dir":"server>client","proto":"socketio","kind":"event","name":"echo","data":\["j",1\],' \
    "--jsonl: an event with its name and arguments"
like "$OUT" '"kind":"emit",.*"data":\["echo","j",1\]' "--jsonl: what wscli emitted"
if command -v jq >/dev/null 2>&1; then
    ok "--jsonl: every line is JSON" sh -c 'jq -e . "$1" >/dev/null' sh "$OUT"
fi

# A URL as socket.io-client takes it: the path is the namespace, the
# engine path /socket.io/, the query kept.
echo '["echo","by url"]' >"$T/in"
run_wscli --proto socketio --auth '{"token":"s3cret"}' "$U/admin?v=1" <"$T/in"
status_is 0 "the URL's path as the namespace: exit 0"
like "$ERR" "connected to $U/socket\\.io/\\?v=1&EIO=4&transport=websocket " \
    "... dialed at /socket.io/ with the query kept"
like "$ERR" '< connect /admin sid=' "... the namespace is the URL's path"
is "$(cat "$OUT")" '["echo","by url"]' "... events flow in it"
# With --namespace, the path is the engine's own.
run_wscli --proto socketio --namespace /admin "$U/other" </dev/null
status_is 4 "--namespace and a path the engine does not serve: exit 4"
like "$ERR" 'without an HTTP answer; a server does that to an upgrade for a path it does not serve \(/other/\)' \
    "... the failure names the path it was refused"

# An Engine.IO URL without transport= gets transport=websocket.
echo '["echo","eio"]' >"$T/in"
run_wscli --proto socketio "$U/socket.io/?EIO=4" <"$T/in"
status_is 0 "?EIO=4 without a transport: exit 0"
like "$ERR" "connected to $U/socket\\.io/\\?EIO=4&transport=websocket " \
    "... transport=websocket added"
is "$(cat "$OUT")" '["echo","eio"]' "... events flow"

# --proto auto with no protocol's subprotocol: raw.
start_node_echo
echo '["x"]' >"$T/in"
run_wscli --proto auto "$(url)" <"$T/in"
status_is 0 "--proto auto without a known subprotocol: raw"
is "$(cat "$OUT")" '["x"]' "... each line is a message as it is"

done_testing
