#!/bin/sh
# Listen mode with several clients at once: ids, --broadcast, many
# concurrent clients with --echo, and a client that stops reading: it gets
# close 1008 (then is dropped) while the others go on, with memory bounded.
. tests/lib.sh
need_wscli

bg_py() {   # NAME ARGS...: pyclient.py in the background
    bname=$1
    shift
    timeout -k 5 20 "$PYTHON" "$SERVERS/pyclient.py" "$@" \
        >"$T/$bname.out" 2>"$T/$bname.err" &
    BG_PID=$!
}

# ------------------------------------------------------------ broadcast

start_listen --broadcast --jsonl || { echo "Bail out! wscli -l did not start"; exit 1; }
bg_py b "$(lurl b)" --expect 2
B=$BG_PID
bg_py c "$(lurl c)" --expect 2
C=$BG_PID
wait_for "$LOUT" '"event":"connect","conn":2' 10
run_client NODE "$(lurl a)" --send "from a" --binary-hex 0a0b --expect 0
wait "$B"
is "$?" 0 "--broadcast: client b ends after two messages"
wait "$C"
is "$?" 0 "--broadcast: client c too"
is "$(grep -v '^open\|^close' "$T/b.out")" "$(printf 'text from a\nbinary 0a0b')" \
    "--broadcast: b got a's text and binary messages"
is "$(grep -v '^open\|^close' "$T/c.out")" "$(printf 'text from a\nbinary 0a0b')" \
    "--broadcast: c too"
wait_for "$LOUT" '"event":"disconnect","conn":3' 5
like "$LOUT" '^\{"event":"message","conn":3,"dir":"client>server","type":"text","size":6,"fragments":1,"text":"from a"' \
    "--broadcast: a's message is an event of client 3"
is "$(grep -c '"dir":"wscli>client","type":"text"' "$LOUT")" 2 "--broadcast: sent to the two others"
unlike "$LOUT" '"conn":3,"dir":"wscli>client","type"' "--broadcast: not back to the sender"
kill "$LPID"
wait_listen

# ------------------------------------------- many clients, poll-based

cat >"$T/many.js" <<'EOF'
'use strict';
// N clients at once, each sending M messages to an --echo server and
// checking every echo; prints "ok N M" when all came back.
const WebSocket = require('ws');
const [url, n, m] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
let done = 0, bad = 0;
setTimeout(() => { console.log(`timeout ${done} of ${n}`); process.exit(2); }, 15000);
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
start_listen --echo -q
NODE_PATH=$PWD/$SERVERS/node_modules timeout 20 node "$T/many.js" "$(lurl)" 60 50 >"$T/many.out" 2>&1
is "$(cat "$T/many.out")" "ok 60 50" "--echo: 60 clients at once, 50 messages each, every echo right"
ok "--echo: wscli is still listening" kill -0 "$LPID"
kill "$LPID"
wait_listen
is "$LSTATUS" 0 "60 clients: exit 0"
unlike "$LERR" 'protocol error|lost' "60 clients: no client misbehaved or was lost"

# ------------------------------------------ a client that stops reading

# It completes the upgrade, then never reads. Lines of 512 KiB go to
# every client; a wscli client reads them all.
cat >"$T/stall.py" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.sendall(b"GET /stall HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
          b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          b"Sec-WebSocket-Version: 13\r\n\r\n")
time.sleep(25)
EOF
"$PYTHON" -c 'import sys
line = b"x" * (512 * 1024 - 1) + b"\n"
sys.stdout.buffer.write(line * 100)' >"$T/lines.in"
mkfifo "$T/in"
exec 3<>"$T/in"
LISTEN_IN=$T/in start_listen --close-timeout 1
"$PYTHON" "$T/stall.py" "$LPORT" &
stall=$!
wait_for "$LERR" 'client 1: answered' 10
timeout 30 "$WSCLI" -n 100 "$(lurl fast)" >"$T/fast.out" 2>"$T/fast.err" &
fast=$!
wait_for "$LERR" 'client 2: answered' 10
cat "$T/lines.in" >&3
wait "$fast"
is "$?" 0 "a stalled client: the other client gets all 100 lines (50 MiB)"
ok "a stalled client: ... byte for byte" cmp -s "$T/lines.in" "$T/fast.out"
wait_for "$LERR" 'client 1: disconnected' 10
like "$LERR" '^wscli: client 1: not reading: 1[6-9]\.[0-9] MiB wait to be sent to it; closing with 1008 Policy Violation$' \
    "a stalled client: closed with 1008 once 16 MiB wait for it"
like "$LERR" '^wscli: client 1: no close reply from the client: it stopped taking what wscli sent; [0-9]+ bytes \(the close frame included\) were never taken$' \
    "a stalled client: dropped when it does not answer the close either"
child=$(pgrep -P "$LPID" | head -n 1)
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$child/status" 2>/dev/null)
if [ -n "${WSCLI_SANITIZED:-}${WSCLI_MEMCHECK:-}" ] || [ -z "$hwm" ]; then
    pass "a stalled client: memory bounded # SKIP sanitized build or no /proc"
else
    ok "a stalled client: wscli's peak memory stays bounded (peak $((hwm / 1024)) MiB)" \
        [ "$hwm" -lt $((64 * 1024)) ]
fi
ok "a stalled client: wscli is still listening" kill -0 "$LPID"
kill "$stall" 2>/dev/null
wait "$stall" 2>/dev/null
exec 3>&-
kill "$LPID"
wait_listen
is "$LSTATUS" 0 "a stalled client: exit 0"

done_testing
