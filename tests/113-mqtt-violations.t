#!/bin/sh
# --proto mqtt against a raw server that breaks MQTT: each broken rule is
# named, the connection closed with 1002 carrying the name, exit 5. And
# the stream is not desynchronised by how messages cut it: packets split
# across messages, several in one message, a length cut between two.
. tests/lib.sh
need_wscli

CONNACK=20020000

# Each session subscribes (the raw server never acknowledges), so that
# it is still on when the broken packet comes.
# violation | what stderr says | the messages the server sends (hex)
cases() {
    cat <<'EOF'
five length bytes      | remaining length longer than four bytes  | 30ffffffff01
bad length, cut        | remaining length longer than four bytes  | 30ffff ffff01
reserved type 0        | malformed reserved packet: reserved packet type | 0000
reserved flags         | malformed PINGRESP packet: reserved flags not as the packet type requires | d100
QoS 3                  | malformed PUBLISH packet: PUBLISH with QoS 3, or DUP set with QoS 0 | 3605000174 0001
truncated topic        | malformed PUBLISH packet: packet shorter than its fields (truncated) | 3003000561
PINGRESP too long      | malformed PINGRESP packet: bytes after the last field of the packet | d00100
wildcard topic         | malformed PUBLISH packet: PUBLISH topic empty or with a wildcard | 300300012b
packet id 0            | malformed PUBACK packet: packet identifier 0 | 40020000
topic not UTF-8        | malformed PUBLISH packet: string not UTF-8 or holding U\+0000 | 30040002c080
CONNECT from a server  | CONNECT sent by the server | 100c00044d5154540402003c0000
SUBSCRIBE from a server | SUBSCRIBE sent by the server | 8206000100016100
EOF
}

cases >"$T/cases"
exec 3<"$T/cases"
while IFS='|' read -r what says msgs <&3; do
    what=$(printf '%s' "$what" | sed 's/ *$//')
    says=$(printf '%s' "$says" | sed 's/^ *//; s/ *$//; s/[()]/\\&/g')
    set -- "bin:$CONNACK"
    for m in $msgs; do set -- "$@" "bin:$m"; done
    start_raw say "$@" || { fail "$what: raw server"; continue; }
    run_wscli --proto mqtt --subscribe x "ws://127.0.0.1:$PORT/" </dev/null
    is "$STATUS" 5 "$what: exit 5"
    like "$ERR" "mqtt protocol error: $says; closing with 1002" \
        "$what: named on stderr"
    wait_for "$SERVER_LOG" 'client: CLOSE' 5
    like "$SERVER_LOG" "client: CLOSE 1002 .mqtt protocol error: $says" \
        "$what: close 1002 with the name as the reason"
    stop_server
done
exec 3<&-

# A text message: MQTT over WebSocket is binary.
start_raw say "bin:$CONNACK" "hello" || skip_all "raw server did not start"
run_wscli --proto mqtt --subscribe x "ws://127.0.0.1:$PORT/"
is "$STATUS" 5 "a text message: exit 5"
like "$ERR" 'mqtt protocol error: a text message; MQTT over WebSocket is binary' "named"
stop_server

# A PUBLISH before CONNACK.
start_raw say "bin:3003000161" || skip_all "raw server did not start"
run_wscli --proto mqtt --subscribe x "ws://127.0.0.1:$PORT/"
is "$STATUS" 5 "PUBLISH before CONNACK: exit 5"
like "$ERR" 'mqtt protocol error: PUBLISH before CONNACK' "named"
stop_server

# A second CONNACK.
start_raw say "bin:$CONNACK" "bin:$CONNACK" || skip_all "raw server did not start"
run_wscli --proto mqtt --subscribe x "ws://127.0.0.1:$PORT/"
is "$STATUS" 5 "a second CONNACK: exit 5"
like "$ERR" 'mqtt protocol error: a second CONNACK' "named"
stop_server

# An MQTT 5 server's DISCONNECT with a reason: shown, the session ends.
start_raw say "bin:20030000""00" "bin:e0018e" || skip_all "raw server did not start"
run_wscli --proto mqtt --mqtt-version 5 --subscribe x "ws://127.0.0.1:$PORT/"
is "$STATUS" 1 "MQTT 5 DISCONNECT 0x8e (session taken over): exit 1"
like "$ERR" 'MQTT DISCONNECT from the server: reason 0x8e' "its reason shown"
stop_server

# CONNACK refusing: not a violation, the session ends with exit 1.
start_raw say "bin:20020005" || skip_all "raw server did not start"
run_wscli --proto mqtt --subscribe x "ws://127.0.0.1:$PORT/"
is "$STATUS" 1 "CONNACK 5: exit 1"
like "$ERR" 'MQTT CONNACK refused the session: 5 \(not authorized\)' "the refusal named"
stop_server

# A server that never answers PINGREQ: gone once the keep-alive passed
# after the PINGREQ, close 1001, exit 7.
start_raw say "bin:$CONNACK" || skip_all "raw server did not start"
run_wscli -v --proto mqtt --keepalive 1 --subscribe x "ws://127.0.0.1:$PORT/"
is "$STATUS" 7 "no PINGRESP: exit 7"
like "$ERR" '> packet PINGREQ' "a PINGREQ went after the keep-alive"
like "$ERR" 'MQTT: no PINGRESP within the keep-alive of 1 s' "the missing PINGRESP is named"
ok "... about 2 s after CONNACK (${ELAPSED_MS} ms)" [ "$ELAPSED_MS" -ge 1800 -a "$ELAPSED_MS" -lt $((5000 + TIME_SLACK_MS)) ]
wait_for "$SERVER_LOG" 'client: CLOSE' 5
like "$SERVER_LOG" 'client: CLOSE 1001' "closed with 1001"
stop_server

# Not broken: CONNACK cut in two messages, a PUBLISH cut inside its
# length (a 200-byte payload: two length bytes), two PUBLISH packets in
# one message, the last one's first byte alone.
P200=$(printf 'y%.0s' $(seq 200) | od -v -An -tx1 | tr -d ' \n')
start_raw say bin:2002 bin:0000 "bin:30" "bin:cd01" "bin:00037a2f61$P200" \
    "bin:300400017a6f3004" "bin:00017a74" || skip_all "raw server did not start"
run_wscli -v --proto mqtt -n 3 "ws://127.0.0.1:$PORT/"
is "$STATUS" 0 "packets cut and shared by messages: exit 0"
printf '%s\no\nt\n' "$(printf 'y%.0s' $(seq 200))" >"$T/want"
ok "three payloads, whole and in order" cmp -s "$T/want" "$OUT"
like "$ERR" '< packet PUBLISH topic=z/a qos=0 payload=200' "the long one decoded once whole"
stop_server

# A broker that drops TCP on the DISCONNECT wscli sent, before the close
# handshake: the end asked for, said as such, exit 0.
echo x >"$T/x"
start_raw drop-after e0 "bin:$CONNACK" || skip_all "raw server did not start"
run_wscli --proto mqtt --topic t "ws://127.0.0.1:$PORT/" <"$T/x"
status_is 0 "the broker drops TCP after wscli's DISCONNECT: exit 0"
like "$ERR" "(server closed the connection|connection reset by peer) after the MQTT DISCONNECT wscli sent, the protocol's normal end \\(no close frame\\)" \
    "the drop is said to follow wscli's DISCONNECT"
unlike "$ERR" '1006|lost' "... and not as a lost connection"
like "$SERVER_LOG" 'dropped after e0' "the server did drop at the DISCONNECT"
# The same broker behind a relay: the drop follows the client's DISCONNECT.
start_listen --once --forward "ws://127.0.0.1:$PORT/" --proto mqtt ||
    skip_all "the relay did not start"
run_wscli --proto mqtt --topic t "$(lurl)" <"$T/x"
status_is 0 "through a relay to a broker that drops TCP on DISCONNECT: exit 0"
wait_listen
is "$LSTATUS" 0 "--once: the drop after the client's DISCONNECT is no error"
like "$LERR" "server>client: (server closed the connection|connection reset by peer) after the client's MQTT DISCONNECT, the protocol's normal end \\(no close frame\\)" \
    "the relay log says the drop followed the client's DISCONNECT"
unlike "$LERR" '1006|lost' "... and not that a connection was lost"
like "$ERR" "after the MQTT DISCONNECT wscli sent, the protocol's normal end" \
    "the client, dropped by the relay in turn, says the same of its end"
stop_server

done_testing
