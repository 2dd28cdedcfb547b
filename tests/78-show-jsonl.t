#!/bin/sh
# --jsonl as one value per event: connection id and direction on every
# event a connection has (errors included), the relay's connect event with
# the status the client got, a refused upstream with its body and an end,
# and --jsonl at a terminal is JSON for every event, without the REPL.
. tests/lib.sh
. tests/tmux.sh

raw_client() {  # SCENARIO: rawclient.py to the listener, output in $RAW
    raw_count=$(( ${raw_count:-0} + 1 ))
    RAW=$T/rawclient$raw_count.out
    timeout -k 5 20 "$PYTHON" "$SERVERS/rawclient.py" "$LPORT" "$1" >"$RAW" 2>&1
}

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
NODE_UP=$PORT

# ------------------------------------------------- errors name their client

start_listen --jsonl --once
raw_client unmasked
wait_listen
like "$LOUT" '^\{"event":"error","conn":1,"dir":"client>server","message":"client 1 client>server: protocol error|^\{"event":"error","conn":1,"message":"client 1: protocol error' \
    "listen --jsonl: a protocol error event carries the client's id"
like "$LOUT" '^\{"event":"close","conn":1,"dir":"wscli>client","code":1002,.*"by":"wscli"' \
    "listen --jsonl: wscli's 1002 is a close by wscli towards the client"

start_listen --jsonl --connect-timeout 1
"$PYTHON" -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(3)' "$LPORT" &
SILENT=$!
wait_for "$LOUT" 'no upgrade request' 5
wait "$SILENT"
kill "$LPID"
wait_listen
like "$LOUT" '^\{"event":"error","conn":1,"message":"client 1: no upgrade request within 1 s \(--connect-timeout\) \(from 127\.0\.0\.1:[0-9]+\)"' \
    "no upgrade request: the error names the client's id and address"

# ------------------------------------------------------------- relay

start_listen --forward "ws://127.0.0.1:$NODE_UP/" --jsonl --once
run_client NODE "$(lurl)" --send one
wait_listen
like "$LOUT" '^\{"event":"connect","conn":1,.*"status":101' "relay connect event: the status the client got"
unlike "$LOUT" '"event":"connect",.*"status":0' "relay connect event: never status 0"

start_listen --forward "ws://127.0.0.1:$NODE_UP/" --frames --jsonl --once
run_client NODE "$(lurl)" --send hello --expect 1
wait_listen
like "$LOUT" '^\{"event":"frame","conn":1,"dir":"client>server","fin":true,"rsv":0,"opcode":1,"type":"text","mask":"[0-9a-f]{8}","length":5,"length_bits":7,"header_size":6,"text":"hello","since_ms":' \
    "relay --frames --jsonl: the frame event has the fields client mode's has"

start_raw http404
start_listen --forward "ws://127.0.0.1:$PORT/missing" --jsonl
run_wscli --send x "$(lurl)"
wait_for "$LOUT" '"event":"end"' 5
kill "$LPID"
wait_listen
like "$LOUT" '^\{"event":"upstream","conn":1,.*"status":404,.*"body":"no such endpoint\\n"' \
    "a refused upstream: its body is in the upstream event"
like "$LOUT" '^\{"event":"connect","conn":1,.*"status":404' "a refused upstream: the client's connect event has 404"
like "$LOUT" '^\{"event":"end","conn":1,"status":404,.*"exit":4' "a refused upstream: an end event"

port=$(free_port)
start_listen --forward "ws://127.0.0.1:$port/" --connect-timeout 5 --jsonl
run_wscli --send x "$(lurl)"
wait_for "$LOUT" '"event":"end"' 5
kill "$LPID"
wait_listen
like "$LOUT" '^\{"event":"connect","conn":1,.*"status":502' "an unreachable upstream: connect event with 502"
like "$LOUT" '^\{"event":"end","conn":1,"status":502,.*"exit":3' "an unreachable upstream: an end event"

# ------------------------------------------------------- at a terminal

repl -- --jsonl "ws://127.0.0.1:$NODE_UP/"
screen_like '^\{"event":"open",' "--jsonl at a terminal: the open event"
send_line "typed"
screen_like '^\{"event":"message","dir":"server>client","type":"text","size":5,.*"text":"typed"' \
    "--jsonl at a terminal: a received message is JSON too"
screen_unlike '^< text' "--jsonl at a terminal: no human display"
keys C-d
exit_is 0 "--jsonl at a terminal: end of input ends it"
screen_like '^\{"event":"close","dir":"wscli>server","code":1000' "--jsonl at a terminal: the close is JSON"
repl_end

done_testing
