#!/bin/sh
# --proto socketio at the REPL (a tmux pane), against the real socket.io 4
# server: the open packet and CONNECT shown, events as '< event NAME ARGS',
# /emit, /emit --ack with the ack and its round trip, /ack answering the
# server's question, pings only with /frames, /help listing the commands.
. tests/lib.sh
. tests/tmux.sh

spawn "sio$server_count" node "$SERVERS/sio-server.js" --port 0 &&
    wait_port_line && server_started || { echo "Bail out! socket.io server did not start"; exit 1; }
U=ws://127.0.0.1:$PORT

start_repl "socketio REPL" -- --color=never --proto socketio "$U"
screen_like '^< open sid=[^ ]+ pingInterval=700 pingTimeout=500 maxPayload=1000000$' \
    "the open packet is shown"
screen_like '^< connect / sid=' "the namespace's CONNECT answer is shown"
send_line '/emit echo "hi" {"a":1}'
screen_like '^< event echo \["hi",\{"a":1\}\]$' "/emit: the echo event is shown as '< event NAME ARGS'"
send_line '/emit --ack sum 20 22'
screen_like '^< ack 1 \[42\] \([0-9.]+ ms\)$' "/emit --ack: the ack is shown with its id and round trip"
send_line '/emit question'
screen_like '^< event question \["ready\?"\] \(ack 0 asked: /ack 0 \.\.\.\)$' \
    "an event that asks for an ack says which id"
send_line '/ack 0 "yes" 1'
screen_like '^< event answer \["yes",1\]$' "/ack answers it: the server got the arguments"
send_line '/ack 0 "again"'
screen_like '^/ack 0: no event asked for that ack \(or it was answered\); sent all the same$' \
    "/ack of an id already answered: said so"
send_line '/ack 77 1'
screen_like '^/ack 77: no event asked for that ack' "/ack of an id never asked for: said so"
send_line '/emit echo hi'
screen_like "/emit: 'hi' is not JSON" "/emit: an argument that is not JSON is refused, named"
sleep 1.6
screen_unlike '^< ping' "pings are answered without being shown"
send_line '/frames on'
screen_like '^< ping *$' "with /frames the pings are shown"
screen_like '^> pong *$' "... and wscli's pongs"
send_line '/frames off'
send_line '/help'
screen_like '/emit \[--ack\] EVENT \[JSON \.\.\.\]' "/help lists /emit"
screen_like '/ack ID \[JSON \.\.\.\]' "/help lists /ack"
send_line '42["echo","typed raw"]'
screen_like '^< event echo \["typed raw"\]$' "a typed line goes out as it is"
send_line '/emit bye'
screen_like '^< disconnect /$' "the server's DISCONNECT is shown"
exit_is 0 "the DISCONNECT ends the session with 0"
repl_end

# The REPL's end leaves the namespace as the end of a pipe's input does.
for end in /quit C-d; do
    n=$(grep -c 'disconnect client namespace disconnect' "$SERVER_LOG")
    start_repl "socketio $end" -- --color=never --proto socketio "$U"
    screen_like '^< connect / sid=' "socketio $end: connected to the namespace"
    case $end in /quit) send_line /quit ;; *) keys "$end" ;; esac
    exit_is 0 "socketio $end: exit 0"
    wait_for "$SERVER_LOG" 'sio-server: disconnect ' 5
    tries=20
    while [ "$(grep -c 'disconnect client namespace disconnect' "$SERVER_LOG")" -le "$n" ] &&
        [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
    is "$(grep -c 'disconnect client namespace disconnect' "$SERVER_LOG")" $((n + 1)) \
        "socketio $end: the server saw the client leave, not its transport close"
    screen_like 'closed by wscli with 1000; the server answered 1000' \
        "socketio $end: then the close"
    repl_end
done

# Listen mode: the protocol's commands are in /help, and say why they
# cannot run while no client is there.
repl -- --color=never -l 0 --proto socketio
wait_screen 'listening on ' || show_screen
send_line '/emit chat "hi"'
screen_like '^/emit: no client is connected$' "listen: /emit without a client says why"
send_line '/help'
screen_like '/emit \[--ack\] EVENT \[JSON \.\.\.\]' "listen: /help lists /emit after the mode's commands"
repl_end

done_testing
