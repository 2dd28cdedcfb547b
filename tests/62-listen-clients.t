#!/bin/sh
# Listen mode (-l) with real clients: the Node ws client, Python websockets,
# wscat -c and wscli itself. What each client's handshake shows, subprotocol
# choice, --origin-allow, stdin lines to every client, --echo, --send, -n,
# --once, --until, --timeout, --jsonl.
. tests/lib.sh
need_wscli

WSCAT=tests/bench/node_modules/.bin/wscat

# bg_client NAME NODE|PY ARGS...: a client in the background; its stdout in
# $T/NAME.out, stderr in $T/NAME.err, pid in BG_PID.
bg_client() {
    bname=$1 kind=$2
    shift 2
    case $kind in
    NODE) timeout -k 5 20 node "$SERVERS/client.js" "$@" \
        >"$T/$bname.out" 2>"$T/$bname.err" & ;;
    PY) timeout -k 5 20 "$PYTHON" "$SERVERS/pyclient.py" "$@" \
        >"$T/$bname.out" 2>"$T/$bname.err" & ;;
    esac
    BG_PID=$!
}

# ----------------------------------------------------------- -l 0, Node

start_listen --send welcome || { echo "Bail out! wscli -l 0 did not start"; exit 1; }
like "$LERR" '^wscli: listening on 127\.0\.0\.1:[0-9]+$' "-l 0: the port chosen is printed"
ok "-l 0: a real port" [ "$LPORT" -gt 0 ]

run_client NODE "$(lurl 'chat?room=1')" --send "hello from node" --binary-hex 00ff10 --expect 1
is "$CLIENT_STATUS" 0 "Node client: exit 0"
is "$(head -n 2 "$CLIENT_OUT")" "$(printf 'open - -\ntext welcome')" \
    "Node client: no subprotocol, no extension; --send arrives first"
like "$CLIENT_OUT" '^close 1000 $' "Node client: its close is answered"
wait_for "$LERR" 'client 1: disconnected' 5
like "$LERR" '^wscli: client 1: connection from 127\.0\.0\.1:[0-9]+$' "Node: peer address shown"
like "$LERR" '^wscli: client 1: GET /chat\?room=1 HTTP/1\.1$' "Node: request line shown"
like "$LERR" '^wscli: client 1:   Sec-WebSocket-Key: [A-Za-z0-9+/]{22}==$' "Node: the key is shown"
like "$LERR" '^wscli: client 1:   Sec-WebSocket-Version: 13$' "Node: the version is shown"
like "$LERR" "^wscli: client 1:   Host: 127\\.0\\.0\\.1:$LPORT\$" "Node: Host shown"
like "$LERR" '^wscli: client 1: offers subprotocols \(none\); extensions \(none\); origin \(none\)$' \
    "Node: what it offers is summed up"
like "$LERR" '^wscli: client 1: answered 101 Switching Protocols: subprotocol \(none\), no extension$' \
    "Node: the answer is shown"
like "$LERR" '^wscli: client 1: closed by client: 1000 Normal Closure; answered' "Node: its close is reported with the id"
printf 'hello from node\n\000\377\020' >"$T/expect1"
ok "Node: its text and binary messages are on stdout, as sent" cmp -s "$T/expect1" "$LOUT"

# ---------------------------------------------------------- Python, wscat

run_client PY "$(lurl py)" -s chat --send "hello from python" --expect 1
is "$CLIENT_STATUS" 0 "Python client: exit 0"
is "$(head -n 2 "$CLIENT_OUT")" "$(printf 'open - -\ntext welcome')" "Python client: gets --send"
wait_for "$LERR" 'client 2: disconnected' 5
like "$LERR" '^wscli: client 2:   User-Agent: Python/[0-9.]+ websockets/[0-9.]+$' "Python: its User-Agent shown"
like "$LERR" '^wscli: client 2:   Sec-WebSocket-Protocol: chat$' "Python: its offer shown"
like "$LERR" '^wscli: client 2: offers subprotocols chat; extensions \(none\)' "Python: offers chat"
like "$LERR" '^wscli: client 2: answered 101 Switching Protocols: subprotocol \(none\)' \
    "Python: without -s no subprotocol is chosen"
like "$LOUT" 'hello from python$' "Python: its message on stdout (after the binary one)"

if [ -x "$WSCAT" ]; then
    # wscat drops lines typed before it is connected: -x sends once open;
    # its stdin stays open for the 1 s it waits
    sleep 3 | timeout 20 "$WSCAT" -c "$(lurl cat)" -x "hello from wscat" -w 1 \
        >"$T/wscat.out" 2>"$T/wscat.err"
    is "$?" 0 "wscat -c: exit 0"
    like "$T/wscat.out" 'welcome' "wscat: gets --send"
    wait_for "$LERR" 'client 3: disconnected' 5
    like "$LERR" '^wscli: client 3:   Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits$' \
        "wscat: it offers permessage-deflate, shown"
    like "$LERR" '^wscli: client 3: extensions declined: wscli accepts permessage-deflate with --deflate$' \
        "wscat: the offer is declined without --deflate, and that is said"
    like "$LERR" '^wscli: client 3: closed by client: no status code' "wscat: it closes without a code"
    like "$LOUT" '^hello from wscat$' "wscat: its message on stdout"
else
    fail "wscat is installed in tests/bench/node_modules"
fi

# wscli as the client.
run_wscli -n 1 --send "hello from wscli" -H 'X-Trace: a\b' "$(lurl w)"
status_is 0 "wscli client: exit 0 after -n 1"
is "$(cat "$OUT")" "welcome" "wscli client: gets --send"
wait_for "$LERR" 'client 4: disconnected' 5
like "$LERR" '^wscli: client 4:   User-Agent: wscli/' "wscli client: its User-Agent shown"
like "$LERR" '^wscli: client 4:   X-Trace: a\\b$' "wscli client: its own header shown"
kill "$LPID"
wait_listen
is "$LSTATUS" 0 "SIGTERM: exit 0"

# -------------------------------------------------- headers are escaped

# (wscli and the libraries refuse to send such headers: raw requests)
raw_request() {     # HEADER-LINE-BYTES (python bytes literal)
    "$PYTHON" - "$LPORT" "$1" <<'PY'
import ast, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
          b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          b"Sec-WebSocket-Version: 13\r\n" + ast.literal_eval(sys.argv[2]) + b"\r\n\r\n")
s.recv(4096)
s.close()
PY
}
start_listen
raw_request 'b"X-Bidi: abc\xe2\x80\xaedef"'
raw_request 'b"X-Evil: a\x1b]0;pwned\x07b"'
wait_for "$LERR" 'client 2: refused' 5
unlike "$LERR" "$(printf '\033')" "headers with ESC: no raw escape on stderr"
unlike "$LERR" "$(printf '\342\200\256')" "headers with a bidi override: not passed raw to stderr"
like "$LERR" 'client 1:   X-Bidi: abc\\u\{202[eE]\}def$' "a header with a bidi override: shown escaped"
like "$LERR" 'client 2: refused with 400 Bad Request: invalid request head: header "X-Evil" has a control character in its value \(0x1b ESC\)$' \
    "a header with ESC: refused with 400 naming the header and the byte"
kill "$LPID"
wait_listen

# ------------------------------------------------------------ subprotocols

start_listen -s beta -s alpha
run_client NODE "$(lurl)" -s alpha -s beta
is "$(head -n 1 "$CLIENT_OUT")" "open beta -" "-s beta -s alpha, client offers alpha, beta: wscli's first choice wins"
run_client PY "$(lurl)" -s alpha
is "$(head -n 1 "$CLIENT_OUT")" "open alpha -" "-s: the one offered is chosen (Python)"
run_client PY "$(lurl)"
is "$(head -n 1 "$CLIENT_OUT")" "open - -" "-s: a client offering none gets no protocol header"
run_client NODE "$(lurl)" -s gamma
like "$CLIENT_OUT" '^error Server sent no subprotocol$' \
    "-s: a Node client offering none of the list refuses the answer without one"
wait_for "$LERR" 'none is chosen' 5
like "$LERR" 'the client offers subprotocols gamma and none is chosen \(none is one of -s beta, alpha\)' \
    "-s: wscli says none of the offers matched"
kill "$LPID"
wait_listen

start_listen -s chat --require-protocol
run_client PY "$(lurl)" -s other
like "$CLIENT_OUT" '^error .*400' "--require-protocol: a client offering another is refused with 400"
wait_for "$LERR" 'refused' 5
like "$LERR" "refused with 400 Bad Request: no subprotocol in common: the client offers 'other', wscli accepts chat \\(--require-protocol\\)" \
    "--require-protocol: the refusal says why"
run_wscli --timeout 5 "$(lurl)"
status_is 4 "--require-protocol: a client offering none is refused (exit 4 for a wscli client)"
like "$ERR" 'the client offers none, wscli accepts chat' "--require-protocol: the body says why"
run_client NODE "$(lurl)" -s chat
is "$(head -n 1 "$CLIENT_OUT")" "open chat -" "--require-protocol: a client offering it is accepted"
kill "$LPID"
wait_listen

# ----------------------------------------------------------- origins

start_listen --origin-allow 'http://ok.example,https://also.example'
run_wscli --timeout 5 -o https://also.example --send x "$(lurl)"
status_is 0 "--origin-allow: a listed origin is accepted"
run_wscli --timeout 5 -o http://evil.example "$(lurl)"
status_is 4 "--origin-allow: another origin is refused (exit 4)"
like "$ERR" 'HTTP/1.1 403 Forbidden' "--origin-allow: with 403"
wait_for "$LERR" 'refused with 403' 5
like "$LERR" 'refused with 403 Forbidden: origin "http://evil\.example" is not in --origin-allow' \
    "--origin-allow: wscli names the origin"
run_wscli --timeout 5 --send x "$(lurl)"
status_is 0 "--origin-allow: a client without Origin (not a browser) is accepted"
kill "$LPID"
wait_listen

# a list written as people write it, with a blank after each comma
start_listen --origin-allow 'http://ok.example, https://also.example'
run_wscli --timeout 5 -o https://also.example --send x "$(lurl)"
status_is 0 "--origin-allow 'a, b': the origin after the blank is accepted"
run_wscli --timeout 5 -o http://evil.example "$(lurl)"
status_is 4 "--origin-allow 'a, b': another origin is still refused"
kill "$LPID"
wait_listen

# ------------------------------------------------- stdin to every client

mkfifo "$T/in"
exec 3<>"$T/in"
LISTEN_IN=$T/in start_listen
bg_client a NODE "$(lurl a)" --expect 2
A=$BG_PID
bg_client b PY "$(lurl b)" --expect 2
B=$BG_PID
wait_for "$LERR" 'client 1: answered' 10
wait_for "$LERR" 'client 2: answered' 10
printf 'first line\nsecond line\n' >&3
wait "$A"
is "$?" 0 "stdin: the Node client ends after two messages"
wait "$B"
is "$?" 0 "stdin: the Python client too"
is "$(grep '^text' "$T/a.out")" "$(printf 'text first line\ntext second line')" "stdin: Node got both lines, in order"
is "$(grep '^text' "$T/b.out")" "$(printf 'text first line\ntext second line')" "stdin: Python got both lines, in order"
exec 3>&-
kill "$LPID"
wait_listen
is "$LSTATUS" 0 "stdin: after end of input the server goes on until SIGTERM: exit 0"

# Lines read before the first client wait for it.
printf 'early line\n' >"$T/early.in"
LISTEN_IN=$T/early.in start_listen --once
run_client NODE "$(lurl)" --expect 1
is "$(sed -n 2p "$CLIENT_OUT")" "text early line" "stdin: a line read before any client reaches the first one"
wait_listen
is "$LSTATUS" 0 "--once: the client closed with 1000: exit 0"

# --no-split: standard input is one message, so a bad one is not "line 1"
printf 'ok\nbad \377\n' >"$T/bad.in"
LISTEN_IN=$T/bad.in start_listen --once --no-split
run_client NODE "$(lurl)" --send done --expect 0
wait_listen
like "$LERR" 'standard input: not valid UTF-8 at byte 8; not sent' \
    "--no-split, not UTF-8: standard input is named, not a line"
unlike "$LERR" 'line 1:' "--no-split, not UTF-8: no line number"

# --frame and --on-connect: what every new client gets first, in order
printf 'one\ntwo\n' >"$T/oc.txt"
start_listen --once --frame 'fin=0 Hel' --frame 'op=cont lo' --send after \
    --on-connect "$T/oc.txt"
run_client NODE "$(lurl)" --expect 4
is "$(grep '^text' "$CLIENT_OUT")" "$(printf 'text Hello\ntext after\ntext one\ntext two')" \
    "--frame, --send, --on-connect: the client gets them in order"
wait_listen
is "$LSTATUS" 0 "--frame, --on-connect: exit 0"
like "$LERR" '^>1 frame text +fin=0 rsv=000 len=3 \(7-bit\) mask=-  "Hel"$' \
    "--frame: shown as the client reads it, unmasked"
printf 'first\n' >"$T/oc1.txt"
start_listen --once --frame 'op=cont lo' --frame 'op=close hex:03e8' \
    --on-connect "$T/oc1.txt"
run_client NODE "$(lurl)"
wait_listen
like "$LERR" '^>1 frame cont .*  \(continuation frame without a message to continue\)$' \
    "--frame: the rule it breaks is named"
like "$LERR" 'client 1: --on-connect message "first" was not sent: a close frame \(--frame\) went before it' \
    "--on-connect after a crafted close: reported"
is "$LSTATUS" 1 "--on-connect after a crafted close: exit 1"

# ... however long it takes: --connect-timeout bounds a client's
# handshake, not the wait for a first client (the man page's example
# echo ... | wscli -q -l 8080 --once). Only --timeout ends that wait.
LISTEN_IN=$T/early.in start_listen --once --connect-timeout 1
sleep 2
run_client NODE "$(lurl)" --expect 1
is "$(sed -n 2p "$CLIENT_OUT")" "text early line" \
    "stdin: a client that comes after --connect-timeout still gets the line"
wait_listen
is "$LSTATUS" 0 "stdin, a late first client: exit 0"
LISTEN_IN=$T/early.in start_listen --timeout 1
wait_listen 10
is "$LSTATUS" 7 "stdin waiting for a first client: exit 7 at --timeout"
like "$LERR" 'no client connected: standard input was not sent' \
    "stdin waiting for a first client: says so"

# An empty stdin is no reason to end.
start_listen --timeout 1
wait_listen 10
is "$LSTATUS" 7 "no client, stdin empty: runs until --timeout (exit 7)"
like "$LERR" 'timed out: --timeout 1 s' "--timeout: says so"

# --------------------------------------------------------------- --echo

start_listen --echo
run_client NODE "$(lurl)" --send one --binary-hex 0102 --send three --expect 3
is "$(grep -v '^open\|^close' "$CLIENT_OUT")" "$(printf 'text one\nbinary 0102\ntext three')" \
    "--echo: each message comes back with its type, in order"
run_client PY "$(lurl)" --send "py echo" --expect 1
is "$(sed -n 2p "$CLIENT_OUT")" "text py echo" "--echo: Python too"
run_wscli --send "x" --send "y" -n 2 "$(lurl)"
is "$(cat "$OUT")" "$(printf 'x\ny')" "--echo: wscli as client gets its messages back"
# Messages and a CLOSE in one write: the answer to the CLOSE goes after
# the echoes already queued, none is lost.
run_wscli --send a --send b --frame 'op=close hex:03e8' "$(lurl)"
status_is 0 "--echo, messages and a close in one write: exit 0"
is "$(cat "$OUT")" "$(printf 'a\nb')" "--echo: the echoes come before the answer to the close"
kill "$LPID"
wait_listen

# ------------------------------------------- --once: the client's status

start_listen --once
run_client NODE "$(lurl)" --close 4001 "custom"
wait_listen
is "$LSTATUS" 8 "--once: the client closed with 4001: exit 8"
like "$LERR" 'closed by client: 4001 Private Use "custom"' "--once: the close is named"

start_listen --once
"$PYTHON" "$SERVERS/rawclient.py" "$LPORT" drop >"$T/drop.out" 2>&1
wait_listen
is "$LSTATUS" 6 "--once: a client dropping the connection: exit 6"

start_listen --once
"$PYTHON" "$SERVERS/rawclient.py" "$LPORT" unmasked >"$T/unmasked.out" 2>&1
wait_listen
is "$LSTATUS" 5 "--once: a client breaking the protocol: exit 5"

# ----------------------------------------------------- -n, --until

start_listen -n 2
run_client NODE "$(lurl)" --send m1 --send m2 --send m3 --expect 9
wait_listen
is "$LSTATUS" 0 "-n 2: exit 0"
is "$(cat "$LOUT")" "$(printf 'm1\nm2')" "-n 2: two messages written"
like "$CLIENT_OUT" '^close 1000 $' "-n 2: the client is closed with 1000"

start_listen --until 'st[aeiou]p'
run_client PY "$(lurl)" --send go --send stop --send more --expect 9
wait_listen
is "$LSTATUS" 0 "--until: a match ends with exit 0"
is "$(cat "$LOUT")" "$(printf 'go\nstop')" "--until: messages up to the match, none after it"

start_listen --until never --timeout 2
run_client NODE "$(lurl)" --send x
wait_listen
is "$LSTATUS" 7 "--until without a match, --timeout: exit 7"

start_listen --until never --once
run_client NODE "$(lurl)" --send x
wait_listen
is "$LSTATUS" 9 "--until without a match, --once and a clean close: exit 9"

# --------------------------------------------------------------- --jsonl

start_listen --jsonl --once -s chat
run_client NODE "$(lurl 'j?k=v')" -s chat --send "json me" --expect 0
wait_listen
is "$LSTATUS" 0 "--jsonl: exit 0"
like "$LOUT" '^\{"event":"listening","address":"127\.0\.0\.1:[0-9]+","tls":false,' "--jsonl: a listening event"
like "$LOUT" '^\{"event":"connect","conn":1,"address":"127\.0\.0\.1:[0-9]+","method":"GET","target":"/j\?k=v","headers":\{.*"Sec-WebSocket-Protocol":"chat".*\},.*"status":101,.*"subprotocol":"chat"' \
    "--jsonl: a connect event with the client id, request and answer"
like "$LOUT" '^\{"event":"message","conn":1,"dir":"client>server","type":"text","size":7,"fragments":1,"text":"json me",' \
    "--jsonl: message events carry the client id"
like "$LOUT" '^\{"event":"close","conn":1,"dir":"client>server","code":1000,' "--jsonl: close events too"
like "$LOUT" '^\{"event":"disconnect","conn":1,"exit":0,' "--jsonl: a disconnect event"
ok "--jsonl: every line is JSON" "$PYTHON" -c 'import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$LOUT"

# ---------------------------------------------------------------- errors


start_listen
run_wscli -l "127.0.0.1:$LPORT" --timeout 2
status_is 1 "a port in use: exit 1"
like "$ERR" "cannot listen on 127\\.0\\.0\\.1:$LPORT: Address already in use" "a port in use: says so"
kill "$LPID"
wait_listen

run_wscli -l 0 --tls-cert "$SERVERS/echo.js" --timeout 2
status_is 1 "--tls-cert that is not a certificate: exit 1"
like "$ERR" 'cannot use --tls-cert .*echo\.js' "--tls-cert that is not a certificate: says so"

# A signal ends listen mode the way /quit does: every client gets 1000
# Normal Closure (SIGHUP, the terminal gone, sends 1001).
start_listen
bg_client sig NODE "$(lurl)" --expect 5
sig_pid=$BG_PID
wait_for "$LERR" 'client 1: answered 101' 5
kill -INT "$LPID"
wait "$sig_pid"
wait_listen
is "$LSTATUS" 0 "SIGINT: exit 0"
like "$T/sig.out" '^close 1000 ' "SIGINT: the client got 1000, as with /quit"

done_testing
