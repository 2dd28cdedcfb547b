#!/bin/sh
# Relay mode and the heads it translates: what the client asked for
# reaches the server byte for byte (percent-escapes as sent, the absolute
# form as sent), after --forward's path and query; a target RFC 9112 does
# not allow for GET is refused with 400 and why, and never forwarded. A
# server that takes the request and never answers makes a 504 that says
# so (not "could not be reached"), with the request shown before the
# timeout; a refusal passed back has its body shown in the log.
. tests/lib.sh
need_wscli

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
UP=$PORT
KEY='Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
UPG='Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'

start_listen --forward "ws://127.0.0.1:$UP/base?k=v" ||
    { echo "Bail out! wscli relay did not start"; exit 1; }

# ------------------------------------------------- byte for byte

send_head escapes "b'GET /a%2Fb/C%7e?x=%2F&y=Z HTTP/1.1\r\n$UPG$KEY\r\n'"
like "$T/head-escapes.out" '^status: HTTP/1.1 101 ' "escapes: 101 through the relay"
wait_for "$LERR" 'relay 1: response to the client' 5
like "$LERR" '^wscli: relay 1:   GET /base/a%2Fb/C%7e\?k=v&x=%2F&y=Z HTTP/1\.1$' \
    "escapes: the server gets the target as sent, after --forward's path and query"
like "$LERR" "^wscli: relay 1: request to the server \\(ws://127\\.0\\.0\\.1:$UP/base/a%2Fb/C%7e\\?k=v&x=%2F&y=Z\\):\$" \
    "escapes: the URL shown is the one asked for"

send_head absolute "b'GET http://evil.example/abs?x=1 HTTP/1.1\r\n$UPG$KEY\r\n'"
wait_for "$LERR" 'relay 2: response from the server' 5
like "$LERR" '^wscli: relay 2:   GET http://evil\.example/abs\?x=1 HTTP/1\.1$' \
    "absolute form: forwarded as sent, not as /"
like "$LERR" "^wscli: relay 2:   Host: 127\\.0\\.0\\.1:$UP\$" "absolute form: Host is still the server's"

# -------------------------------------------------- refused, not sent

check_refused() {   # ID N REQUEST-LINE WHY
    re=$(printf '%s' "$4" | sed 's/[][().*^$\\|+?{}]/\\&/g')
    send_head "$1" "b'$3\r\n$UPG$KEY\r\n'"
    like "$T/head-$1.out" '^status: HTTP/1.1 400 Bad Request$' "$1: 400"
    like "$T/head-$1.out" "^body: $re\$" "$1: the body says why"
    wait_for "$LERR" "relay $2: refused" 5
    like "$LERR" "^wscli: relay $2: refused with 400 Bad Request: $re\$" "$1: the log too"
    unlike "$LERR" "relay $2: request to the server" "$1: nothing sent to the server"
}
check_refused star 3 'GET * HTTP/1.1' "request target '*' is for OPTIONS only (RFC 9112 3.2.4)"
check_refused noslash 4 'GET noslash HTTP/1.1' \
    "request target 'noslash' is neither a path starting with '/' nor an absolute URI (RFC 9112 3.2)"
check_refused fragment 5 'GET /x#frag HTTP/1.1' \
    "request target '/x#frag' has a fragment ('#'), which is never sent (RFC 9112 3.2)"

kill "$LPID" 2>/dev/null
wait_listen

# ------------------------------------------- no answer, or a refusal

VALID="b'GET /up HTTP/1.1\r\n$UPG$KEY\r\n'"

start_raw stall-handshake || { echo "Bail out! raw server did not start"; exit 1; }
start_listen --forward "ws://127.0.0.1:$PORT/" --connect-timeout 1 ||
    { echo "Bail out! wscli relay did not start"; exit 1; }
send_head stall "$VALID"
like "$T/head-stall.out" '^status: HTTP/1.1 504 Gateway Timeout$' "no answer upstream: 504"
like "$T/head-stall.out" '^body: the server was reached but did not answer the upgrade request: ' \
    "504: the body says the server was reached and asked"
unlike "$T/head-stall.out" 'could not be reached' "504: not 'could not be reached'"
wait_for "$LERR" 'relay 1: answered the client 504' 5
like "$LERR" '^wscli: relay 1:   GET /up HTTP/1\.1$' "504: the request sent upstream is shown"
is "$(grep -c 'timed out' "$LERR")" 1 "504: the timeout is said once"
req_at=$(grep -n 'relay 1: request to the server' "$LERR" | head -n 1 | cut -d: -f1)
timeout_at=$(grep -n 'timed out' "$LERR" | head -n 1 | cut -d: -f1)
if [ -n "$req_at" ] && [ -n "$timeout_at" ] && [ "$req_at" -lt "$timeout_at" ]; then
    pass "504: the upstream request is shown before the timeout"
else
    fail "504: the upstream request is shown before the timeout"
    diag_file "$LERR"
fi
kill "$LPID" 2>/dev/null
wait_listen

start_raw http404 || { echo "Bail out! raw server did not start"; exit 1; }
start_listen --forward "ws://127.0.0.1:$PORT/" ||
    { echo "Bail out! wscli relay did not start"; exit 1; }
send_head refused "$VALID"
like "$T/head-refused.out" '^status: HTTP/1.1 404 Not Found$' "a refusal upstream: passed back"
like "$T/head-refused.out" '^body: no such endpoint$' "... with its body"
wait_for "$LERR" 'relay 1: the server refused' 5
like "$LERR" '^wscli: relay 1: its body \(17 bytes\):$' "the refusal's body is shown in the log"
like "$LERR" '^wscli: relay 1:   no such endpoint$' "... line by line"
kill "$LPID" 2>/dev/null
wait_listen

start_raw http404 || { echo "Bail out! raw server did not start"; exit 1; }
start_listen --forward "ws://127.0.0.1:$PORT/" --jsonl ||
    { echo "Bail out! wscli relay did not start"; exit 1; }
send_head refused-jsonl "$VALID"
wait_for "$LOUT" '"event":"upstream"' 5
like "$LOUT" '^\{"event":"upstream",.*"status":404,.*"body":"no such endpoint\\n"' \
    "--jsonl: the refusal's body is in the upstream event"
kill "$LPID" 2>/dev/null
wait_listen

# ------------------------------------------------- --once, no upstream

# With --once the first client's connection is the run, even when its
# server could not be had: a refusal passed back (404) ends the relay with
# 4, a server that cannot be reached (502 to the client) with 3.
start_raw http404 || { echo "Bail out! raw server did not start"; exit 1; }
start_listen --forward "ws://127.0.0.1:$PORT/" --once
send_head once404 "$VALID"
wait_listen 10
like "$T/head-once404.out" '^status: HTTP/1.1 404 ' "--once, upstream 404: passed back to the client"
is "$LSTATUS" 4 "--once, upstream 404: the relay ends, exit 4"
stop_server
port=$(free_port)
start_listen --forward "ws://127.0.0.1:$port/" --once
send_head once502 "$VALID"
wait_listen 10
like "$T/head-once502.out" '^status: HTTP/1.1 502 ' "--once, upstream unreachable: 502 to the client"
is "$LSTATUS" 3 "--once, upstream unreachable: the relay ends, exit 3"

# ------------------------------------------------------ half-close

# A client that half-closes (shuts down its sending side) right after its
# request still gets the answer, as listen mode gives it: the relay asks
# the server first, and the client's end of input is no reason to drop it.
start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
start_listen --forward "ws://127.0.0.1:$PORT/" ||
    { echo "Bail out! wscli relay did not start"; exit 1; }
timeout -k 5 20 "$PYTHON" - "$LPORT" >"$T/half.out" 2>&1 <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
          b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          b"Sec-WebSocket-Version: 13\r\n\r\n")
s.shutdown(socket.SHUT_WR)
s.settimeout(5)
data = b""
while b"\r\n\r\n" not in data:
    b = s.recv(4096)
    if not b:
        break
    data += b
print("status:", data.split(b"\r\n")[0].decode("latin-1"))
PY
like "$T/half.out" '^status: HTTP/1.1 101 ' "half-closed after the request: the relay still answers 101"
kill "$LPID" 2>/dev/null
wait_listen
stop_server

done_testing
