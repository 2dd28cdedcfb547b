#!/bin/sh
# wscli --test --proto socketio against a real socket.io 4 server
# (tests/servers/sio-server.js, pings every 700 ms): a text line is an
# event as on stdin, an expectation matches the event line the protocol
# prints, the protocol's pings are answered and are no messages of the
# conversation.
. tests/lib.sh
need_wscli
spawn sio node "$SERVERS/sio-server.js" --port 0 && wait_port_line &&
    server_started || { skip_all "socket.io server did not start"; }
U=ws://127.0.0.1:$PORT

cat >"$T/sio.conv" <<'EOF'
> ["echo","hi",{"a":1}]
< ["echo","hi",{"a":1}]
> ["echo",{"id":"x7"}]
< /jq .[0] == "echo" and .[1].id == "x7"
capture id .[1].id
# two ping intervals: answered by the protocol, not seen here
nothing within 1500ms
> ["echo","{{id}}"]
< ["echo","x7"]
EOF
run_wscli --test --proto socketio "$U" "$T/sio.conv"
status_is 0 "socketio: events both ways, a capture, pings not seen"
is "$(grep -c '^ok ' "$OUT")" "4" "socketio: 4 points ok"
like "$SERVER_LOG" 'sio-server: < echo \["x7"\]' \
    "socketio: the captured value went out in an event"

# without --proto the same file sees Engine.IO's own packets
run_wscli --test "$U/socket.io/?EIO=4&transport=websocket" "$T/sio.conv"
status_is 1 "socketio: without --proto the file does not hold"
like "$ERR" '^#        got: < 0\{"sid"' "socketio: ... the open packet came instead"

# the file may say its protocol itself, whatever the command line says
{ echo "@proto socketio"; cat "$T/sio.conv"; } >"$T/own.conv"
run_wscli --test "$U" "$T/own.conv"
status_is 0 "socketio: @proto in the file, no --proto"
printf '@proto nope\n> x\n' >"$T/nope.conv"
run_wscli --test "$U" "$T/nope.conv"
status_is 2 "socketio: an unknown @proto: usage error"
like "$ERR" "^wscli: $T/nope.conv: @proto nope: not a protocol \\(one of " \
    "socketio: ... named"

done_testing
