#!/bin/sh
# --proto socketio against a raw server (tests/servers/raw.py say): what a
# server may not send is named, the connection is closed with 1002 (the
# server is told which rule) and the exit status is 5; nothing is written
# to stdout for the broken packet and nothing crashes. Then what no real
# server at hand does: Engine.IO 3, a server that never sends its open
# packet.
. tests/lib.sh
need_wscli

OPEN='0{"sid":"s1","upgrades":[],"pingInterval":5000,"pingTimeout":5000,"maxPayload":1000}'
CONNECTED='40{"sid":"n1"}'

# violation DESC REGEX MESSAGE...: a raw server says MESSAGE... and wscli
# must name REGEX, close with 1002, exit 5.
violation() {
    desc=$1 rx=$2
    shift 2
    start_raw say "$@" || return 1
    # -w: the end of input does not close before the server has spoken
    run_wscli -w 5 --proto socketio "$(url)" </dev/null
    status_is 5 "$desc: exit 5"
    like "$ERR" "socketio protocol error: $rx; closing with 1002" "$desc: named"
    wait_for "$SERVER_LOG" 'raw: client: CLOSE 1002' 5
    like "$SERVER_LOG" "raw: client: CLOSE 1002 .socketio protocol error" \
        "$desc: the server is told with 1002"
    is "$(wc -c <"$OUT" | tr -d ' ')" 0 "$desc: nothing on stdout"
    stop_server
}

violation "unknown Engine.IO type" "unknown Engine.IO packet type '9'" \
    "$OPEN" "$CONNECTED" '9x'
violation "empty message" "an empty message \\(no Engine.IO packet type\\)" \
    "$OPEN" ''
violation "a packet before the open packet" "a packet \\(type 4\\) before the open packet" \
    '42["chat","x"]'
violation "an open packet without its fields" "an open packet that is not a JSON object with sid, pingInterval and pingTimeout" \
    '0{"sid":"x"}'
violation "a second open packet" "a second open packet" "$OPEN" "$OPEN"
violation "unknown Socket.IO type" "unknown Socket.IO packet type '7'" \
    "$OPEN" "$CONNECTED" '47'
violation "an event that is not an array" "the data of an EVENT is not an array starting with the event's name" \
    "$OPEN" "$CONNECTED" '42{"a":1}'
violation "event data that is not JSON" "the data of an EVENT is not valid JSON" \
    "$OPEN" "$CONNECTED" '42["chat",'
violation "a reserved event name" 'an EVENT named "disconnect", a name socket.io reserves' \
    "$OPEN" "$CONNECTED" '42["disconnect"]'
violation "an ack never asked for" "an ACK for id 7, which was never asked for" \
    "$OPEN" "$CONNECTED" '437["x"]'
violation "binary without its packet" "a binary message that no binary packet announced" \
    "$OPEN" "$CONNECTED" 'bin:010203'
violation "text while attachments are due" "a text message while 2 of 2 binary attachments were still to come" \
    "$OPEN" "$CONNECTED" '452-["up",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]' '42["x"]'
violation "a placeholder out of range" "a placeholder for attachment 3 of 1" \
    "$OPEN" "$CONNECTED" '451-["up",{"_placeholder":true,"num":3}]' 'bin:01'
violation "binary packet without its count" "a BINARY_EVENT without its number of attachments \\('N-'\\)" \
    "$OPEN" "$CONNECTED" '45["up"]'

# Before the violation, what was valid is shown as usual.
start_raw say "$OPEN" "$CONNECTED" '42["chat","fine"]' '42["chat",' || exit 1
run_wscli -w 5 --proto socketio "$(url)" </dev/null
status_is 5 "an event, then a broken one: exit 5"
is "$(cat "$OUT")" '["chat","fine"]' "the valid event before it is on stdout, whole"
stop_server

# An event whose JSON spans lines is still one line on stdout.
start_raw say "$OPEN" "$CONNECTED" "$(printf '42[\r\n "multi",\n {"a": 1}\n]')" '1' || exit 1
run_wscli -w 5 --proto socketio "$(url)" </dev/null
status_is 0 "an event with line breaks between its tokens: exit 0"
is "$(cat "$OUT")" '[   "multi",  {"a": 1} ]' "it is one line on stdout, the breaks blanks"
stop_server

# Binary attachments split over messages are reassembled (the raw peer's
# version of what socket.io sends).
start_raw say "$OPEN" "$CONNECTED" '451-["up",{"_placeholder":true,"num":0}]' 'bin:00ff' '1' || exit 1
run_wscli -w 5 --proto socketio "$(url)" </dev/null
status_is 0 "a binary event and an Engine.IO close: exit 0"
is "$(cat "$OUT")" '["up",{"base64":"AP8="}]' "the attachment is in place"
stop_server

# Engine.IO 3 (socket.io 2), asked for in the URL: the client pings, "/"
# is joined without a CONNECT, a binary message carries a type byte.
start_raw say '0{"sid":"s","upgrades":[],"pingInterval":300,"pingTimeout":5000}' \
    '40' '42["x",1]' '451-["b",{"_placeholder":true,"num":0}]' 'bin:04aabb' \
    'sleep:1200' '1' || exit 1
run_wscli -w 5 --proto socketio "$(url)socket.io/?EIO=3&transport=websocket" </dev/null
status_is 0 "EIO=3: exit 0 at the Engine.IO close"
is "$(cat "$OUT")" "$(printf '%s\n' '["x",1]' '["b",{"base64":"qrs="}]')" \
    "EIO=3: events, and the attachment without its type byte"
pings=$(grep -c "raw: client: TEXT b'2'" "$SERVER_LOG")
ok "EIO=3: the client pings every pingInterval ($pings in 1.2 s)" [ "$pings" -ge 2 ]
unlike "$SERVER_LOG" "raw: client: TEXT b'40'" "EIO=3: no CONNECT for the main namespace"
stop_server

# A server that never sends its open packet.
start_raw say || exit 1
run_wscli --connect-timeout 1 -w 5 --proto socketio "$(url)" </dev/null
status_is 7 "no open packet: exit 7"
like "$ERR" 'socketio: no open packet from the server within 1 s \(--connect-timeout\); closing' \
    "no open packet: named, with the limit"
took "no open packet" 3000
stop_server

done_testing
