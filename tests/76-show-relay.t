#!/bin/sh
# What relay mode says about what passed: a close wscli itself started
# (-n, --strict, a signal) is named as wscli's, on its own log line, and
# what could no longer be relayed is marked; -n says what it counts; with
# 2>&1 the log and stderr's lines come in the order things happened.
. tests/lib.sh
need_wscli

raw_client() {  # SCENARIO: rawclient.py to the relay, output in $RAW
    raw_count=$(( ${raw_count:-0} + 1 ))
    RAW=$T/rawclient$raw_count.out
    timeout -k 5 20 "$PYTHON" "$SERVERS/rawclient.py" "$LPORT" "$1" >"$RAW" 2>&1
}

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
NODE_UP=$PORT

# ------------------------------------------------------------------ -n

start_listen --forward "ws://127.0.0.1:$NODE_UP/" -n 3
run_client NODE "$(lurl)" --send a --send b --send c --send d --send e --expect 5
wait_listen
is "$LSTATUS" 0 "-n 3: exit 0"
like "$LERR" '^wscli: -n 3: 3 messages relayed, both directions counted; closing$' \
    "-n: says what it counts"
is "$(grep -E '^1 (client>server|server>client) .*  (text|binary) ' "$LOUT" |
    grep -vc 'not relayed')" 3 "-n 3: three messages logged as relayed"
like "$LOUT" '^1 wscli>client +\+[0-9.]+ m?s  close +2 B  1001 Going Away$' \
    "-n: wscli's close to the client is logged as wscli's"
like "$LOUT" '^1 wscli>server +\+[0-9.]+ m?s  close +2 B  1001 Going Away$' \
    "-n: wscli's close to the server is logged as wscli's"
like "$LOUT" "^1 client>server .*  close +2 B  1001 Going Away \\(answers wscli's close; not relayed\\)\$" \
    "-n: the client's answer is marked as an answer to wscli"
like "$LERR" 'relay 1: over after [0-9.]+ s: wscli closed first, the client side with 1001 Going Away, wscli closed the server side with 1001 Going Away' \
    "-n: the end names wscli as the one that closed first"
unlike "$LERR" 'the (client|server) closed first' "-n: no peer is said to have closed first"

# ------------------------------------------------- 2>&1: lines in order

LISTEN_MERGED=1 start_listen --forward "ws://127.0.0.1:$NODE_UP/" --once
run_client NODE "$(lurl)" --send hi --expect 1
wait_listen
LISTEN_MERGED=
is "$LSTATUS" 0 "2>&1: exit 0"
closed_at=$(grep -n '^1 server>client .*  close ' "$LOUT" | cut -d: -f1)
over_at=$(grep -n 'relay 1: over after' "$LOUT" | cut -d: -f1)
ok "2>&1: the server's close is logged before the line that says it answered (lines ${closed_at:-none}, ${over_at:-none})" \
    sh -c '[ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]' - "$closed_at" "$over_at"

# ------------------------------------------------------------- --strict

start_raw echo
start_listen --forward "ws://127.0.0.1:$PORT/" --once --strict
raw_client unmasked
wait_listen
is "$LSTATUS" 5 "--strict: exit 5"
like "$LOUT" '^1 wscli>client +\+[0-9.]+ m?s  close +[0-9]+ B  1002 Protocol Error( "unmasked frame[^"]*")?$' \
    "--strict: the 1002 wscli sends the client is logged"
like "$LOUT" '^1 wscli>server +\+[0-9.]+ m?s  close +[0-9]+ B  1001 Going Away "the client broke the protocol"$' \
    "--strict: the 1001 wscli sends the server is logged"
like "$LERR" 'relay 1: over after [0-9.]+ s: wscli closed first, the client side with 1002 Protocol Error' \
    "--strict: the end says wscli closed first"

start_listen --forward "ws://127.0.0.1:$NODE_UP/" --jsonl --once --strict
raw_client unmasked
wait_listen
like "$LOUT" '^\{"event":"close","conn":1,"dir":"wscli>client","opcode":8,"size":[0-9]+,"code":1002,.*"by":"wscli"' \
    "--strict --jsonl: wscli's 1002 is an event"
like "$LOUT" '^\{"event":"end","conn":1,"first":"wscli closed first, the client side with 1002 Protocol Error.*"closed_by":"wscli"' \
    "--strict --jsonl: the end event names wscli"

# -------------------------------------------------------------- SIGINT

start_listen --forward "ws://127.0.0.1:$NODE_UP/"
sleep 3 | "$WSCLI" "$(lurl)" >"$T/sigint.out" 2>"$T/sigint.err" &
CPID=$!
wait_for "$LERR" 'relay 1: open' 10
kill -INT "$LPID"
wait_listen
wait "$CPID" 2>/dev/null
is "$LSTATUS" 0 "SIGINT: exit 0"
like "$LERR" 'relay 1: over after [0-9.]+ s: wscli closed first, the client side with 100[01] [A-Z]' \
    "SIGINT: the end says wscli closed first"
like "$LOUT" '^1 wscli>client .*  close +2 B  100[01] ' "SIGINT: wscli's close is logged"

done_testing
