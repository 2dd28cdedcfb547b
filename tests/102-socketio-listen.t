#!/bin/sh
# -l --proto socketio: wscli answers as a Socket.IO server would (the open
# packet, CONNECT, pings of its own) to the real socket.io-client, shows its
# events, and emits stdin lines to it. --forward --proto socketio decodes
# both directions of a real client and server.
. tests/lib.sh
need_wscli

# A client of wscli's listen mode: events both ways, pings.
mkfifo "$T/in.fifo"
(echo '["news","hello",{"n":1}]'; sleep 4) >"$T/in.fifo" &
LISTEN_IN=$T/in.fifo start_listen --once --proto socketio --ping-interval 0.3 ||
    exit 1
run_client_sio() {
    client_count=$((client_count + 1))
    CLIENT_OUT=$T/client$client_count.out
    CLIENT_ERR=$T/client$client_count.err
    (cd "$SERVERS" && timeout -k 5 20 node sio-client.js "$@") \
        >"$CLIENT_OUT" 2>"$CLIENT_ERR"
    CLIENT_STATUS=$?
}
run_client_sio "$(lurl)" --emit '["chat","hi",{"a":1}]' --emit '["chat",2]' --stay 1500
is "$CLIENT_STATUS" 0 "socket.io-client connects to wscli -l --proto socketio"
like "$CLIENT_OUT" '^connected$' "... its namespace CONNECT is answered"
like "$CLIENT_OUT" '^event news \["hello",\{"n":1\}\]$' "... a stdin line reaches it as an event"
pings=$(grep -c '^ping$' "$CLIENT_OUT")
ok "... it receives wscli's pings every --ping-interval ($pings in 1.5 s)" [ "$pings" -ge 3 ]
unlike "$CLIENT_OUT" 'disconnect ping timeout' "... and answers them in time"
wait_listen 10
is "$LSTATUS" 0 "--once: exit 0 when the client leaves"
is "$(cat "$LOUT")" "$(printf '%s\n' '["chat","hi",{"a":1}]' '["chat",2]')" \
    "the client's events on stdout, one JSON array a line"
like "$LERR" 'client 1: < connect /' "the client's CONNECT is shown"
like "$LERR" 'client 1: < disconnect /' "its DISCONNECT too"

# --echo: each event back to its sender, its ack answered with the same
# arguments.
start_listen --once --echo --proto socketio || exit 1
run_client_sio "$(lurl)" --emit '["chat","back"]' --ack '["ask",1,{"b":2}]' --stay 800
like "$CLIENT_OUT" '^event chat \["back"\]$' "--echo: the event comes back"
like "$CLIENT_OUT" '^ack \[1,\{"b":2\}\]$' "--echo: its ack carries the same arguments"
like "$CLIENT_OUT" '^event ask \[1,\{"b":2\}\]$' "--echo: the event that asked is echoed too"
wait_listen 10

# A client that joined only /admin: stdin lines reach it in /admin, where
# socket.io-client listens (one sent to "/" it would drop).
mkfifo "$T/nsp.fifo"
(sleep 1; echo '["news","to admin"]'; sleep 3) >"$T/nsp.fifo" &
LISTEN_IN=$T/nsp.fifo start_listen --once --proto socketio || exit 1
run_client_sio "http://127.0.0.1:$LPORT" --namespace /admin --stay 1800
like "$CLIENT_OUT" '^event news \["to admin"\]$' \
    "a stdin line reaches it in the namespace it joined"
wait_listen 10
like "$LERR" 'client 1: < connect /admin' "... which it joined"

# A relay between the real client and the real server decodes both ways.
spawn "sio$server_count" node "$SERVERS/sio-server.js" --port 0 &&
    wait_port_line && server_started || exit 1
SPORT=$PORT
start_listen --once --proto socketio --forward "ws://127.0.0.1:$SPORT" || exit 1
run_client_sio "$(lurl)" --emit '["echo","via relay"]' --stay 1000
like "$CLIENT_OUT" '^event echo \["via relay"\]$' "through the relay the server's echo comes back"
wait_listen 10
like "$LOUT" '1 client>server .* event echo \["via relay"\]' "the relay log decodes the client's event"
like "$LOUT" '1 server>client .* event echo \["via relay"\]' "... and the server's"
like "$LOUT" '1 server>client .* open sid=' "... and the server's open packet"

# A server breaking the protocol behind the relay: reported in the log,
# relayed as sent, the pair's status is 5.
start_raw say '0{"sid":"s","upgrades":[],"pingInterval":5000,"pingTimeout":5000}' \
    '40{"sid":"n"}' '9x' '42["after","it"]' || exit 1
start_listen --once --proto socketio --forward "$(url)" || exit 1
run_wscli -w 1 "$(lurl)" </dev/null
wait_listen 10
is "$LSTATUS" 5 "relay: a Socket.IO violation makes the pair's status 5"
like "$LOUT" "1 server>client .* violation .*socketio protocol error: unknown Engine.IO packet type '9'" \
    "relay: the violation is in the log with its direction"
like "$LOUT" '1 server>client .* event after \["it"\]' "relay: decoding goes on after it"
like "$OUT" '^9x$' "relay: the broken message was relayed as sent"

done_testing
