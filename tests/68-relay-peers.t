#!/bin/sh
# Relay mode (-l PORT --forward URL) between real peers: the Node ws client
# and server, Python websockets to a TLS server with a throwaway CA, wscli
# as client, a browser, tinyproxy on the way up. Both handshakes shown, the
# client's path, query, offers and headers passed on (hop-by-hop ones not),
# --rewrite-origin, an upstream refusal passed back, permessage-deflate on
# each side, --jsonl, the REPL (/to ID client|server, /list).
. tests/lib.sh
. tests/tmux.sh

sh "$SERVERS/mkcerts.sh" "$T" || { echo "Bail out! cannot make test certificates"; exit 1; }

start_node_echo --protocols || { echo "Bail out! node echo server did not start"; exit 1; }
NODE_UP=$PORT

# ------------------------------------------------------- Node to Node

start_listen --forward "ws://127.0.0.1:$NODE_UP/base?k=v" ||
    { echo "Bail out! wscli relay did not start"; exit 1; }
like "$LERR" "^wscli: relaying to ws://127\\.0\\.0\\.1:$NODE_UP/base\\?k=v\$" "the relay says where it relays to"
run_client NODE "$(lurl 'chat?x=1')" -s alpha -s beta --send "hello" --binary-hex 00ff7f --expect 2 \
    --close 4001 "bye now"
is "$CLIENT_STATUS" 0 "Node through the relay: exit 0"
is "$(cat "$CLIENT_OUT")" "$(printf 'open alpha -\ntext hello\nbinary 00ff7f\nclose 4001 bye now')" \
    "Node through the relay: the server's subprotocol, both echoes, the close answered with its reason"
wait_for "$LERR" 'relay 1: over' 10
like "$LERR" '^wscli: relay 1: GET /chat\?x=1 HTTP/1\.1$' "request as received"
like "$LERR" "^wscli: relay 1: request to the server \\(ws://127\\.0\\.0\\.1:$NODE_UP/base/chat\\?k=v&x=1\\):\$" \
    "the client's path and query appended to --forward's"
like "$LERR" '^wscli: relay 1:   GET /base/chat\?k=v&x=1 HTTP/1\.1$' "request as sent"
like "$LERR" "^wscli: relay 1:   Host: 127\\.0\\.0\\.1:$NODE_UP\$" "Host rewritten for the server"
like "$LERR" '^wscli: relay 1:   Sec-WebSocket-Protocol: alpha, beta$' "subprotocol offers passed on"
like "$LERR" '^wscli: relay 1: response from the server:$' "response as received: shown"
like "$LERR" '^wscli: relay 1:   Sec-WebSocket-Protocol: alpha$' "the server's choice"
like "$LERR" '^wscli: relay 1: response to the client:$' "response as sent: shown"
like "$LERR" '^wscli: relay 1: open: client 127\.0\.0\.1:[0-9]+ <-> server ws://.*, subprotocol alpha; permessage-deflate: client side no, server side no$' \
    "the pair is open"
like "$LERR" '^wscli: relay 1: over after [0-9.]+ s: the client closed first with 4001 Private Use "bye now", the server answered 4001 Private Use "bye now"; 2 messages client>server, 2 server>client$' \
    "who closed first and how the other side answered"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  text +5 B  hello$' "log: the client's text, with id, direction, time"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  binary +3 B  00 ff 7f$' "log: its binary"
like "$LOUT" '^1 server>client +\+[0-9.]+ m?s  text +5 B  hello$' "log: the server's echo"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  close +9 B  4001 Private Use "bye now"$' "log: the close and its reason"
like "$LOUT" '^1 server>client +\+[0-9.]+ m?s  close +9 B  4001 Private Use "bye now"$' "log: the answer"
kill "$LPID"
wait_listen
is "$LSTATUS" 0 "relay: SIGTERM, exit 0"

start_listen --forward "ws://127.0.0.1:$NODE_UP/base?k=v" --forward-exact --frames --once
run_client PY "$(lurl 'other/path?y=2')" --send "frames"
wait_listen
is "$LSTATUS" 0 "--forward-exact, --once: exit 0"
like "$LERR" '^wscli: relay 1:   GET /base\?k=v HTTP/1\.1$' "--forward-exact: the URL as given"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  frame text   fin=1 rsv=000 len=6 \(7-bit\) mask=[0-9a-f]{8}  "frames"$' \
    "--frames: the client's frame as it came, masked"
like "$LOUT" '^1 server>client +\+[0-9.]+ m?s  frame close  fin=1 rsv=000 len=2 \(7-bit\) mask=-  1000 Normal Closure$' \
    "--frames: the server's close frame"

# ------------------------------------- headers, Origin, refusals (wsserve)

spawn wsserve "$PYTHON" "$SERVERS/wsserve.py" --basic user:secret &&
    wait_port_line && server_started || { echo "Bail out! wsserve did not start"; exit 1; }
AUTH_UP=$PORT AUTH_LOG=$SERVER_LOG
start_listen --forward "ws://127.0.0.1:$AUTH_UP/" --rewrite-origin
run_wscli --send "auth" -u user:secret -o http://app.example -H "X-Trace: 42" \
    -H "Connection: Upgrade, X-Hop" -H "X-Hop: 1" "$(lurl)"
status_is 0 "credentials, headers, Origin through the relay: exit 0"
like "$AUTH_LOG" '^wsserve: header: Authorization: Basic dXNlcjpzZWNyZXQ=$' "the client's Authorization passed on"
like "$AUTH_LOG" '^wsserve: header: X-Trace: 42$' "the client's own header passed on"
unlike "$AUTH_LOG" 'X-Hop' "a header named in Connection (hop-by-hop) is not passed on"
like "$AUTH_LOG" "^wsserve: header: Origin: http://127\\.0\\.0\\.1:$AUTH_UP\$" "--rewrite-origin: the server gets its own origin"
like "$AUTH_LOG" "^wsserve: header: Host: 127\\.0\\.0\\.1:$AUTH_UP\$" "the server gets its own Host"
like "$AUTH_LOG" '^wsserve: header: User-Agent: wscli/' "the client's User-Agent passed on"
wait_for "$LERR" 'relay 1: over' 5
like "$LERR" "relay 1: Origin rewritten: http://app\\.example -> http://127\\.0\\.0\\.1:$AUTH_UP\$" "--rewrite-origin: shown"
like "$LERR" 'relay 1: headers not passed on: X-Hop$' "headers not passed on: shown"

# An upstream refusal goes back with its status and body.
run_wscli --send "no auth" "$(lurl)"
status_is 4 "the server refuses (401): the client's upgrade is refused (exit 4)"
like "$ERR" 'upgrade refused: HTTP/1\.1 401 Unauthorized' "the client gets the server's status"
like "$ERR" 'WWW-Authenticate: Basic' "... its headers"
like "$ERR" 'response body' "... and its body"
wait_for "$LERR" 'relay 2: the server refused' 5
like "$LERR" 'relay 2: the server refused the upgrade: HTTP/1\.1 401 Unauthorized; passed back to the client' \
    "the refusal is reported"
kill "$LPID"
wait_listen

start_raw http404
start_listen --forward "ws://127.0.0.1:$PORT/missing"
run_client NODE "$(lurl)" --send x
like "$CLIENT_OUT" '^error unexpected response 404 Not Found$' "a 404 from the server reaches the Node client as 404"
run_wscli --send x "$(lurl)"
like "$ERR" 'HTTP/1\.1 404 Not Found' "... and a wscli client"
kill "$LPID"
wait_listen

port=$(free_port)
start_listen --forward "ws://127.0.0.1:$port/" --connect-timeout 5
run_wscli --send x "$(lurl)"
status_is 4 "an unreachable server: the client is refused (exit 4)"
like "$ERR" 'HTTP/1\.1 502 Bad Gateway' "an unreachable server: 502"
like "$ERR" 'the server could not be reached: cannot connect' "an unreachable server: the body says why"
kill "$LPID"
wait_listen

# ------------------------------------------- TLS upstream, through a proxy

spawn tlsup "$PYTHON" "$SERVERS/wsserve.py" --cert "$T/server.pem" --key "$T/server.key" &&
    wait_port_line && server_started || { echo "Bail out! TLS server did not start"; exit 1; }
TLS_UP=$PORT
start_listen --forward "wss://localhost:$TLS_UP/" --cacert "$T/ca.pem"
run_client PY "$(lurl tls)" --send "to a TLS server" --expect 1
is "$(sed -n 2p "$CLIENT_OUT")" "text to a TLS server" "Python client to a TLS server (throwaway CA) through the relay"
wait_for "$LERR" 'relay 1: over' 5
like "$LERR" 'relay 1: open: client .* <-> server wss://localhost:[0-9]+/tls' "the upstream is wss://"
kill "$LPID"
wait_listen

start_listen --forward "wss://localhost:$TLS_UP/"
run_client PY "$(lurl)" --send x
like "$CLIENT_OUT" '^error .*502' "an upstream certificate not trusted: 502 to the client"
wait_for "$LERR" 'answered the client 502' 5
like "$LERR" 'certificate' "... and wscli says the certificate was refused"
kill "$LPID"
wait_listen

if command -v tinyproxy >/dev/null 2>&1; then
    start_tinyproxy proxy || { echo "Bail out! tinyproxy did not start"; exit 1; }
    start_listen --forward "ws://127.0.0.1:$NODE_UP/" -x "http://127.0.0.1:$PROXY_PORT"
    run_client NODE "$(lurl)" --send "via tinyproxy" --expect 1
    is "$(sed -n 2p "$CLIENT_OUT")" "text via tinyproxy" "through tinyproxy upstream: the echo comes back"
    like "$PROXY_LOG" "CONNECT [^ ]*:$NODE_UP " "through tinyproxy: the proxy saw the CONNECT"
    kill "$LPID"
    wait_listen
else
    diag "tinyproxy not installed"
fi

# ---------------------------------------------------- permessage-deflate

start_node_echo --deflate
DEFLATE_UP=$PORT
start_listen --forward "ws://127.0.0.1:$DEFLATE_UP/" --deflate --once
run_client NODE "$(lurl)" --deflate --send "squeeze squeeze squeeze" --expect 1
wait_listen
is "$(head -n 2 "$CLIENT_OUT")" "$(printf 'open - permessage-deflate\ntext squeeze squeeze squeeze')" \
    "--deflate: the client agrees permessage-deflate with wscli, the echo comes back"
like "$LERR" 'permessage-deflate: client side server 15-bit window, context takeover; client 15-bit window, context takeover, server side server 15-bit window' \
    "--deflate: negotiated on each side"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  text +23 B  \[deflated [0-9]+ B\] squeeze squeeze squeeze$' \
    "--deflate: shown decompressed, with its size on the wire"

start_listen --forward "ws://127.0.0.1:$DEFLATE_UP/" --once --frames
run_client NODE "$(lurl)" --deflate --send "plain plain" --expect 1
wait_listen
is "$(head -n 1 "$CLIENT_OUT")" "open - -" "without --deflate: the client's offer is not passed on"
like "$LERR" 'extension offers not passed on: permessage-deflate; client_max_window_bits \(without --deflate every frame stays readable\)' \
    "without --deflate: said so"
like "$LOUT" '^1 server>client .* frame text   fin=1 rsv=000 len=11 .*"plain plain"$' "without --deflate: every frame readable"

# --------------------------------------------------------------- --jsonl

start_listen --forward "ws://127.0.0.1:$NODE_UP/j" --jsonl --once
run_client NODE "$(lurl)" --send "json" --expect 1
wait_listen
like "$LOUT" '^\{"event":"connect","conn":1,' "--jsonl: connect event with the connection id"
like "$LOUT" '^\{"event":"upstream","conn":1,"url":"ws://127\.0\.0\.1:[0-9]+/j/","request":"GET /j/ HTTP/1\.1' \
    "--jsonl: upstream event with the request as sent"
like "$LOUT" '^\{"event":"message","conn":1,"dir":"client>server","type":"text","opcode":1,"size":4,"fragments":1,"text":"json","since_ms":' \
    "--jsonl: a message event with id and direction"
like "$LOUT" '^\{"event":"message","conn":1,"dir":"server>client","type":"text",' "--jsonl: the echo"
like "$LOUT" '^\{"event":"close","conn":1,"dir":"client>server","opcode":8,"size":2,"code":1000,' "--jsonl: close events"
like "$LOUT" '^\{"event":"end","conn":1,"first":"the client closed first with 1000 Normal Closure",' "--jsonl: end event"
ok "--jsonl: every line is JSON" "$PYTHON" -c 'import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$LOUT"

# --------------------------------------------------------------- browser

if command -v chromium >/dev/null 2>&1; then
    start_node_echo --send-on-connect "please close" --protocols
    start_listen --forward "ws://127.0.0.1:$PORT/" --once
    start_browser "$(browser_page "ws=$(lurl page)&protocols=chat")" ||
        { fail "chromium started"; done_testing; exit 1; }
    wait_listen 30
    # the page's console line can come after wscli has ended
    wait_for "$BROWSER_LOG" 'browser\.html: close 1000 ' 10
    stop_server "$BROWSER_PID"
    is "$LSTATUS" 0 "browser through the relay to Node: exit 0 (--once)"
    like "$LERR" '^wscli: relay 1:   User-Agent: .*HeadlessChrome/' "browser: its request shown"
    like "$LOUT" '^1 server>client +\+[0-9.]+ m?s  text +12 B  please close$' "browser: the server's message"
    like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  text +19 B  hello from chromium$' "browser: its text"
    like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  binary +256 B  00 01 02 03 ' "browser: its binary"
    like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  close +5 B  1000 Normal Closure "bye"$' "browser: its close"
    like "$BROWSER_LOG" 'browser\.html: open chat -' "browser: the page saw the server's subprotocol"
    like "$BROWSER_LOG" 'browser\.html: close 1000 ' "browser: the page saw the close answered"
else
    diag "chromium is not installed"
fi

# --ping-interval: wscli keeps both sides alive on its own; the pongs that
# answer it are not relayed
start_listen --forward "ws://127.0.0.1:$NODE_UP/" --ping-interval 0.2 --once
run_wscli --frames -w 1.2 --send alive "$(lurl)"
wait_listen
is "$LSTATUS" 0 "--ping-interval in relay mode: exit 0"
like "$LOUT" '^1 server>client .* pong .*\(answers wscli.s ping, rtt [0-9.]+ ms; not relayed\)$' \
    "--ping-interval: the server answers wscli's pings"
like "$LOUT" '^1 client>server .* pong .*\(answers wscli.s ping, rtt [0-9.]+ ms; not relayed\)$' \
    "--ping-interval: so does the client"
like "$ERR" '^< frame ping .*"wscli 1"$' "--ping-interval: the client got wscli's pings"
unlike "$ERR" '^< frame pong' "--ping-interval: the server's pongs did not reach the client"

# ------------------------------------------------------------------ REPL

repl -- --color=never -l 0 --forward "ws://127.0.0.1:$NODE_UP/"
if wait_screen 'listening on 127\.0\.0\.1:[0-9]+' && wait_last '^>$'; then
    pass "relay REPL: listening, prompt shown"
    LPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SCREEN" | head -n 1)
    timeout -k 5 30 node "$SERVERS/client.js" "$(lurl)" --send "typed" --expect 3 \
        >"$T/r.out" 2>"$T/r.err" &
    rc=$!
    screen_like '^1 server>client +\+[0-9.]+ m?s  text +5 B  typed$' "REPL: the log above the prompt"
    send_line "/list"
    screen_like '^  1   127\.0\.0\.1:[0-9]+ +<-> ws://127\.0\.0\.1:[0-9]+/  -  [0-9.]+s  client>server 1 msg, server>client 1 msg$' \
        "/list: the pair"
    send_line "/to 1 client injected to the client"
    screen_like '^1 wscli>client +\+[0-9.]+ m?s  text +22 B  injected to the client$' "/to 1 client TEXT: shown"
    send_line "/to 1 server to the server"
    screen_like '^1 wscli>server +\+[0-9.]+ m?s  text +13 B  to the server$' "/to 1 server TEXT: shown"
    screen_like '^1 server>client +\+[0-9.]+ m?s  text +13 B  to the server$' "... the server echoes it, relayed to the client"
    wait "$rc"
    like "$T/r.out" '^text injected to the client$' "/to 1 client: the client got it"
    like "$T/r.out" '^text to the server$' "/to 1 server: the server's echo reached the client"
    # crafting towards either side
    timeout -k 5 30 node "$SERVERS/client.js" "$(lurl)" --expect 9 \
        >"$T/c.out" 2>"$T/c.err" &
    rc=$!
    screen_like '^relay 2: open' "a second pair"
    send_line "/frame op=ping p"
    screen_like '^/frame: choose a side first' "/frame with no side chosen: refused, said why"
    send_line "/to 2 server"
    send_line "/frame fin=0 cr"
    screen_like '^2 wscli>server +\+[0-9.]+ m?s  crafted +[0-9]+ B *$' "/frame to the server: logged"
    screen_like '^>2 frame text +fin=0 rsv=000 len=2 \(7-bit\) mask=[0-9a-f]{8}  "cr"$' \
        "/frame to the server: masked, as a client sends"
    send_line "/frame op=ping p"
    screen_like '^2 server>client .* pong .*\(answers wscli.s ping, rtt [0-9.]+ ms; not relayed\)$' \
        "/frame ping to the server: its pong answers wscli, not relayed"
    send_line "/frame op=cont afted"
    screen_like '^2 server>client +\+[0-9.]+ m?s  text +7 B  crafted$' \
        "/frame: the server's echo of the crafted message is relayed"
    send_line "/to 2 client"
    send_line "/raw 81 02 6f 6b"
    screen_like '^>2 frame text +fin=1 rsv=000 len=2 \(7-bit\) mask=-  "ok"$' \
        "/raw to the client: unmasked, as a server sends"
    send_line "/frag 2 abcd"
    send_line "/close --any 4001 crafted"
    screen_like '^>2 frame close .*4001 Private Use "crafted"$' "/close --any to the client"
    wait "$rc"
    is "$(grep '^text' "$T/c.out")" "$(printf 'text crafted\ntext ok\ntext abcd')" \
        "the client got the server's echo and the crafted messages"
    like "$T/c.out" '^close 4001 crafted$' "/close --any: the client answered it"
    screen_unlike 'not available here' "crafting is available in relay mode"
    send_line "/to 9 client x"
    screen_like '^/to: no connection 9 \(see /list\)$' "/to an unknown id: refused"
    send_line "/quit"
    exit_is 0 "/quit: exit 0"
else
    fail "relay REPL: listening, prompt shown"
    show_screen
fi
repl_end

done_testing
