#!/bin/sh
# Relay mode against what real peers rarely send: the raw server and raw
# client for fragments with a ping between them, a violation on each side
# (relayed as sent, or --strict), a close with a reason, an abrupt drop on
# each side. Then a 256 MiB message each way with bounded memory, and 100
# pairs at once.
. tests/lib.sh
need_wscli

raw_client() {  # SCENARIO: rawclient.py to the relay, output in $RAW
    raw_count=$(( ${raw_count:-0} + 1 ))
    RAW=$T/rawclient$raw_count.out
    timeout -k 5 20 "$PYTHON" "$SERVERS/rawclient.py" "$LPORT" "$1" >"$RAW" 2>&1
}

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
NODE_UP=$PORT

# ------------------------------------------- fragments, pings, as they came

start_raw echo
ECHO_UP=$PORT ECHO_LOG=$SERVER_LOG
start_listen --forward "ws://127.0.0.1:$ECHO_UP/" --frames --once
raw_client ping-between-fragments
wait_listen
is "$LSTATUS" 0 "ping between fragments through the relay: exit 0"
like "$RAW" "^frame: PONG fin=1 rsv=0 len=2 payload=b'p1'\$" "the server's pong reaches the client"
like "$RAW" "^frame: TEXT fin=0 rsv=0 len=3 payload=b'Hel'\$" \
    "the echo comes back fragmented as sent (first fragment)..."
like "$RAW" "^frame: CONT fin=1 rsv=0 len=2 payload=b'lo'\$" "... and its continuation"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  frame text   fin=0 rsv=000 len=3 \(7-bit\) mask=[0-9a-f]{8}  "Hel"$' \
    "--frames: the first fragment, with the client's mask"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  frame ping   fin=1 rsv=000 len=2 \(7-bit\) mask=[0-9a-f]{8}  "p1"$' \
    "--frames: the ping between the fragments"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  frame cont   fin=1 ' "--frames: the continuation"
like "$LOUT" '^1 server>client +\+[0-9.]+ m?s  frame pong   fin=1 rsv=000 len=2 \(7-bit\) mask=-  "p1"$' \
    "--frames: the server's pong"
unlike "$LERR" 'violation' "no violation in a valid conversation"

start_raw fragments-ping
FRAG_LOG=$SERVER_LOG
start_listen --forward "ws://127.0.0.1:$PORT/" --once
run_client NODE "$(lurl)" --expect 1
wait_listen
is "$(sed -n 2p "$CLIENT_OUT")" "text Hello world" "the server's fragmented message reaches the Node client whole"
wait_for "$FRAG_LOG" 'pong' 5
like "$FRAG_LOG" '^raw: pong ok' "the client's pong to the ping between fragments reaches the server as sent"
like "$LOUT" '^1 server>client +\+[0-9.]+ m?s  ping +1 B  p$' "log: the server's ping"
like "$LOUT" '^1 server>client +\+[0-9.]+ m?s  text +11 B  \[3 fragments\] Hello world$' "log: the message, 3 fragments"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  pong +1 B  p$' "log: the client's pong"

# ------------------------------------------------------------ violations

# On the client's side: relayed as sent, the server's reaction watched.
start_listen --forward "ws://127.0.0.1:$NODE_UP/" --once
raw_client unmasked
wait_listen
is "$LSTATUS" 5 "client violation: exit 5 (--once)"
like "$LERR" 'relay 1 client>server: protocol violation: unmasked frame from the client \(clients must mask\) \(calls for 1002 Protocol Error\); relayed as sent' \
    "client violation: named with its direction"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  violation: unmasked frame from the client \(clients must mask\) \(relayed as sent\)$' \
    "client violation: in the log, where it happened"
like "$LOUT" '^1 server>client +\+[0-9.]+ m?s  close +2 B  1002 Protocol Error$' \
    "client violation: the server's reaction (1002) is relayed"
like "$RAW" "^frame: CLOSE .* code=1002 " "client violation: the client gets the server's 1002"

# On the server's side.
start_raw bad-utf8
start_listen --forward "ws://127.0.0.1:$PORT/" --once
run_client NODE "$(lurl)" --expect 1
wait_listen
like "$LERR" 'relay 1 server>client: protocol violation: text message is not valid UTF-8 \(byte 3\) \(calls for 1007 Invalid Frame Payload Data\); relayed as sent' \
    "server violation: named with its direction"
like "$CLIENT_OUT" '^error Invalid WebSocket frame: invalid UTF-8 sequence$' \
    "server violation: the Node client sees the bytes as sent"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  close +2 B  1007 Invalid Frame Payload Data$' \
    "server violation: the client's reaction (1007) is relayed"

start_raw masked
start_listen --forward "ws://127.0.0.1:$PORT/" --once
raw_client valid
wait_listen
like "$RAW" "^frame: TEXT fin=1 rsv=0 len=2 payload=b'hi' masked\$" \
    "a masked server frame reaches the client masked, as sent"
like "$LERR" 'relay 1 server>client: protocol violation: masked frame from the server' "... named"

# --strict: the offending side is closed instead.
start_raw echo
STRICT_LOG=$SERVER_LOG
start_listen --forward "ws://127.0.0.1:$PORT/" --once --strict
raw_client unmasked
wait_listen
is "$LSTATUS" 5 "--strict, client violation: exit 5"
like "$RAW" "^frame: CLOSE .* code=1002 reason='.+'\$" \
    "--strict: the client is closed with 1002, the rule as its reason"
wait_for "$STRICT_LOG" 'client: CLOSE' 5
like "$STRICT_LOG" "^raw: client: CLOSE 1001 'the client broke the protocol'\$" \
    "--strict: the server is closed with 1001 and told why"
like "$LOUT" 'violation: unmasked frame from the client \(clients must mask\) \(not relayed\)$' \
    "--strict: the frame is not relayed"

start_raw bad-utf8
STRICT_LOG=$SERVER_LOG
start_listen --forward "ws://127.0.0.1:$PORT/" --once --strict
run_client NODE "$(lurl)" --expect 1
wait_listen
like "$CLIENT_OUT" '^close 1014 the server broke the protocol$' \
    "--strict, server violation: the client is closed with 1014 Bad Gateway"
wait_for "$STRICT_LOG" 'client: CLOSE' 5
like "$STRICT_LOG" "^raw: client: CLOSE 1007 '.*UTF-8.*'\$" \
    "--strict: the server is closed with 1007, the rule as its reason"

# ------------------------------------------------------- closes and drops

start_raw close 4002 "done here"
start_listen --forward "ws://127.0.0.1:$PORT/" --once
run_client NODE "$(lurl)" --expect 1
wait_listen
is "$LSTATUS" 8 "the server closes with 4002: exit 8 (--once)"
like "$CLIENT_OUT" '^close 4002 done here$' "the close code and reason reach the client as sent"
like "$LERR" 'over after [0-9.]+ s: the server closed first with 4002 Private Use "done here", the client answered 4002 Private Use "done here"' \
    "who closed first and the answer"

start_raw drop
start_listen --forward "ws://127.0.0.1:$PORT/" --once
run_client NODE "$(lurl)" --expect 1
wait_listen
is "$LSTATUS" 6 "the server drops the connection: exit 6"
like "$CLIENT_OUT" '^close 1006 $' "the server's drop reaches the client as a drop"
like "$LERR" 'relay 1 server>client: connection lost without a close frame' "the server's drop: reported"
like "$LERR" "relay 1: the client's connection is dropped as well" "the server's drop: mirrored"

start_listen --forward "ws://127.0.0.1:$NODE_UP/" --once
raw_client drop
wait_listen
is "$LSTATUS" 6 "the client drops the connection: exit 6"
like "$LERR" "relay 1: the server's connection is dropped as well" "the client's drop: mirrored"

# ----------------------------------------- 256 MiB each way, bounded RSS

head -c 268435456 /dev/urandom >"$T/big.bin"
timeout -k 5 90 /usr/bin/time -q -f %M -o "$T/relay.rss" \
    "$WSCLI" -q -l 0 --forward "ws://127.0.0.1:$NODE_UP/" --once \
    >"$T/big.log" 2>"$T/big.err" &
big=$!
wait_for "$T/big.err" 'listening on' 10
LPORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$T/big.err")
timeout 90 "$WSCLI" -q -b --no-split "$(lurl)" <"$T/big.bin" >"$T/big.out" 2>"$T/big.cerr"
is "$?" 0 "256 MiB each way through the relay: the client ends with 0"
ok "256 MiB each way: the echo is byte for byte what was sent" cmp -s "$T/big.bin" "$T/big.out"
wait "$big"
is "$?" 0 "256 MiB each way: the relay ends with 0"
like "$T/big.log" '^1 client>server +\+[0-9.]+ m?s  binary +256\.0 MiB  \[1025 fragments\] ' \
    "256 MiB each way: the message is logged with its fragments"
PEAK_KB=$(tail -n 1 "$T/relay.rss")
rss_below 40 "256 MiB each way: the relay's peak memory stays bounded"
rm -f "$T/big.bin" "$T/big.out"

# ---------------------------------------------------------- 100 pairs

cat >"$T/many.js" <<'EOF'
'use strict';
// N clients at once, each sending M messages through the relay to an echo
// server and checking every echo; prints "ok N M" when all came back.
const WebSocket = require('ws');
const [url, n, m] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
let done = 0, bad = 0;
setTimeout(() => { console.log(`timeout ${done} of ${n}`); process.exit(2); }, 20000);
for (let i = 0; i < n; i++) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let got = 0;
  ws.on('open', () => { for (let j = 0; j < m; j++) ws.send(`c${i} m${j}`); });
  ws.on('message', (d) => {
    if (d.toString() !== `c${i} m${got}`) bad++;
    if (++got === m) ws.close(1000);
  });
  ws.on('close', () => { if (++done === n) { console.log(bad ? `bad ${bad}` : `ok ${n} ${m}`); process.exit(0); } });
  ws.on('error', (e) => { console.log(`error ${e.message}`); process.exit(1); });
}
EOF
start_listen --forward "ws://127.0.0.1:$NODE_UP/" -q
NODE_PATH=$PWD/$SERVERS/node_modules timeout 25 node "$T/many.js" "$(lurl)" 100 20 >"$T/many.out" 2>&1
is "$(cat "$T/many.out")" "ok 100 20" "100 pairs at once, 20 messages each: every echo right"
is "$(grep -c '^[0-9]* server>client ' "$LOUT")" 2100 \
    "100 pairs: every message and close logged in the server's direction"
kill "$LPID"
wait_listen
is "$LSTATUS" 0 "100 pairs: exit 0"
unlike "$LERR" 'violation|lost' "100 pairs: nothing lost, no violation"

done_testing
