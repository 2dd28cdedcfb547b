#!/bin/sh
# --record in relay mode: a real browser (headless Chromium, tests/servers/
# browser.html) talks to a Node echo server through wscli; the file is the
# browser's side of the pair, and it replays against the server alone.
. tests/lib.sh
need_wscli
command -v chromium >/dev/null 2>&1 || skip_all "chromium is not installed"

# The server greets with "please close": the page answers it ("got text 12
# bytes") and closes with 1000 "bye"; it has sent its text and its binary
# on open. The server answers those two and nothing else: an answer to
# what comes just before a CLOSE may or may not be sent, whoever sends it.
cat >"$T/greet.js" <<'EOF'
'use strict';
const { WebSocketServer } = require('ws');
const greeting = process.argv[2];
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('listening', () => console.log(String(wss.address().port)));
wss.on('connection', (ws) => {
  ws.send(greeting);
  ws.on('message', (data, isBinary) => {
    if (isBinary) ws.send(`${data.length} bytes`);
    else if (String(data).startsWith('hello')) ws.send('hi chromium');
  });
});
EOF
start_greet() {
    spawn "greet$server_count" env NODE_PATH="$PWD/$SERVERS/node_modules" \
        node "$T/greet.js" "$1" && wait_port_line && server_started
}
start_greet "please close" ||
    { echo "Bail out! the greeting server did not start"; exit 1; }
SERVER=$PORT
REC=$T/pairs
start_listen --forward "$(url)" --once --record "$REC" ||
    { echo "Bail out! wscli -l --forward did not start"; exit 1; }
start_browser "$(browser_page "ws=$(lurl page)")" ||
    { fail "chromium started"; done_testing; exit 1; }
wait_listen 30
stop_server "$BROWSER_PID"
is "$LSTATUS" 0 "relay: the browser closed with 1000 (--once): exit 0"
ok "relay: the pair's file" test -f "$REC/relay-1.conv"

# The order of what each side sent is its own; how the two interleave is
# the network's. Each side's lines, in order (the page's answers to what
# came after its close are not sent):
hex=$("$PYTHON" -c 'print(" ".join("%02x" % i for i in range(256)))')
grep '^> ' "$REC/relay-1.conv" >"$T/sent"
printf '> hello from chromium\n> /binary %s\n> got text 12 bytes\n> /close 1000 bye\n' \
    "$hex" >"$T/want-sent"
if cmp -s "$T/want-sent" "$T/sent"; then
    pass "relay: what the browser sent, in order, its close included"
else
    fail "relay: what the browser sent, in order, its close included"
    diag_file "$REC/relay-1.conv"
fi
grep '^< ' "$REC/relay-1.conv" >"$T/got"
printf '< please close\n< hi chromium\n< 256 bytes\n< /close 1000 bye\n' \
    >"$T/want-got"
if cmp -s "$T/want-got" "$T/got"; then
    pass "relay: what the server answered it, in order"
else
    fail "relay: what the server answered it, in order"
    diag_file "$REC/relay-1.conv"
fi
like "$REC/relay-1.conv" "^@url ws://127\\.0\\.0\\.1:$SERVER/page\$" \
    "relay: the header names the server (the client's path appended)"

# Against the server alone: the same answers.
run_wscli --replay "$REC/relay-1.conv"
status_is 0 "replay of the browser's side against the server: exit 0"
is "$(cat "$OUT")" "" "replay of the browser's side: no difference"
like "$ERR" "^wscli: connected to ws://127\\.0\\.0\\.1:$SERVER/page " \
    "replay: to the server of the file's header"

# A server that now greets otherwise: the one line that differs.
start_greet "please go" ||
    { echo "Bail out! the greeting server did not start"; exit 1; }
run_wscli --replay "$REC/relay-1.conv" --replay-speed 0 "$(url page)"
status_is 1 "replay against a changed server: exit 1"
like "$OUT" '^-< please close$' "replay against a changed server: the recorded answer, -"
like "$OUT" '^\+< please go$' "replay against a changed server: what came instead, +"
is "$(grep -c '^[-+]<' "$OUT")" 2 "replay against a changed server: only that line differs"
like "$OUT" "^@@ $REC/relay-1\\.conv:[0-9]+ @@\$" "replay: the hunk names the file and line"
like "$ERR" 'replay: 2 lines differ from the recording' "replay: a summary on stderr"

done_testing
