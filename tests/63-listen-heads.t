#!/bin/sh
# Listen mode and the request head itself: a head that arrives a byte at a
# time is answered as if it came whole; a head that is not valid HTTP is
# refused naming the line or header that is wrong, not by its first bytes.
. tests/lib.sh
need_wscli

# send_head ID PYTHON-BYTES [PER-READ]: send the head (a Python bytes
# literal) in pieces of PER-READ bytes (default all at once), print the
# answer's status line and its body to $T/head-ID.out
send_head() {
    timeout -k 5 20 "$PYTHON" - "$LPORT" "$2" "${3:-0}" >"$T/head-$1.out" 2>&1 <<'PY'
import ast, socket, sys, time
port, head, step = int(sys.argv[1]), ast.literal_eval(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection(("127.0.0.1", port), 5)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
if step:
    for i in range(0, len(head), step):
        s.sendall(head[i:i + step])
        time.sleep(0.002)
else:
    s.sendall(head)
s.settimeout(5)
data = b""
while b"\r\n\r\n" not in data:
    b = s.recv(4096)
    if not b:
        break
    data += b
hd, _, body = data.partition(b"\r\n\r\n")
print("status:", hd.split(b"\r\n")[0].decode("latin-1"))
if not hd.startswith(b"HTTP/1.1 101"):
    while True:
        b = s.recv(4096)
        if not b:
            break
        body += b
    print("body:", body.decode("latin-1").strip())
PY
}

KEY='Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
UPG='Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'

start_listen || { echo "Bail out! wscli -l 0 did not start"; exit 1; }

# ------------------------------------------------ a head in small pieces

send_head slow "b'GET /slow HTTP/1.1\r\n$UPG${KEY}X-Pad: $(printf '%0300d' 0)\r\n\r\n'" 1
like "$T/head-slow.out" '^status: HTTP/1.1 101 ' "a head sent a byte at a time: 101"
wait_for "$LERR" 'client 1: ' 5
like "$LERR" '^wscli: client 1: GET /slow HTTP/1.1' "... the request is shown as it came"

# ------------------------------------------------- heads that are wrong

# each: ID HEAD-LINES WHY (the reason, in the log and in the 400's body)
check_bad() {
    n=$(( ${n:-1} + 1 ))
    re=$(printf '%s' "$3" | sed 's/[][().*^$\\|+?{}]/\\&/g')
    send_head "$1" "b'GET /ok HTTP/1.1\r\n$2$UPG$KEY\r\n'"
    like "$T/head-$1.out" '^status: HTTP/1.1 400 Bad Request$' "$1: 400"
    like "$T/head-$1.out" "^body: invalid request head: $re\$" "$1: the body names what is wrong"
    wait_for "$LERR" "client $n: refused" 5
    like "$LERR" "^wscli: client $n: refused with 400 Bad Request: invalid request head: $re\$" \
        "$1: the log names it too"
    unlike "$LERR" "client $n: .*not an HTTP request" "$1: not called 'not an HTTP request'"
}

check_bad esc 'X-Color: red\x1b[31m\r\n' \
    'header "X-Color" has a control character in its value (0x1b ESC)'
check_bad del 'X-Del: a\x7fb\r\n' \
    'header "X-Del" has a control character in its value (0x7f DEL)'
check_bad name-space 'Bad Name: x\r\n' \
    'header line 1 has white space in its name or before its colon ("Bad Name: x")'
check_bad space-colon 'X-A : x\r\n' \
    'header line 1 has white space in its name or before its colon ("X-A : x")'
check_bad no-colon 'Host: a\r\nnocolon\r\n' \
    'header line 2 has no colon ("nocolon")'

# what is not HTTP at all is still shown by its first bytes
send_head junk "b'\x01\x02hello\r\n\r\n'"
like "$T/head-junk.out" '^status: HTTP/1.1 400 Bad Request$' "junk: 400"
wait_for "$LERR" "client 7: refused" 5
like "$LERR" '^wscli: client 7: refused with 400 Bad Request: not an HTTP request \(it starts ' \
    "junk: not an HTTP request, with its first bytes"

kill "$LPID" 2>/dev/null
wait_listen
done_testing
