#!/bin/sh
# Listen mode against what real clients never send (tests/servers/
# rawclient.py): bad upgrade requests get the right HTTP error and a line
# saying why; unmasked frames, RSV bits, invalid UTF-8 and close codes are
# named with the client id and answered with 1002/1007; a client that drops
# the connection is reported as 1006; and none of it affects another client.
. tests/lib.sh
need_wscli

raw() {     # SCENARIO: rawclient.py against $LPORT, output in $RAW
    raw_count=$(( ${raw_count:-0} + 1 ))
    RAW=$T/raw$raw_count.out
    timeout -k 5 20 "$PYTHON" "$SERVERS/rawclient.py" "$LPORT" "$1" >"$RAW" 2>&1
    RAW_STATUS=$?
}

start_listen --frames || { echo "Bail out! wscli -l 0 did not start"; exit 1; }

# ------------------------------------------------------ bad handshakes

check_refusal() {   # SCENARIO ID STATUS-LINE WHY-REGEX
    raw "$1"
    like "$RAW" "^status: $3\$" "$1: answered $3"
    like "$RAW" '^header: Connection: close$' "$1: with Connection: close"
    like "$RAW" '^eof$' "$1: then the connection is closed"
    wait_for "$LERR" "client $2: refused" 5
    like "$LERR" "^wscli: client $2: refused with ${3#HTTP/1.1 }: $4" "$1: wscli says why"
}

check_refusal post 1 'HTTP/1.1 405 Method Not Allowed' "method is 'POST', expected GET"
like "$RAW" '^header: Allow: GET$' "post: Allow: GET"
like "$RAW" "^body: .*method is 'POST', expected GET" "post: the body says why too"
check_refusal no-key 2 'HTTP/1.1 400 Bad Request' 'no Sec-WebSocket-Key header'
check_refusal bad-key 3 'HTTP/1.1 400 Bad Request' "Sec-WebSocket-Key 'bm90IHNpeHRlZW4=' is not base64 of 16 bytes"
check_refusal version-8 4 'HTTP/1.1 426 Upgrade Required' "Sec-WebSocket-Version is '8', expected 13"
like "$RAW" '^header: Sec-WebSocket-Version: 13$' "version-8: the answer names version 13"
check_refusal no-upgrade 5 'HTTP/1.1 400 Bad Request' 'no Upgrade header'
check_refusal no-connection 6 'HTTP/1.1 400 Bad Request' 'no Connection header'
check_refusal http10 7 'HTTP/1.1 400 Bad Request' 'HTTP/1.0 request, WebSocket needs HTTP/1.1'
check_refusal huge-head 8 'HTTP/1.1 431 Request Header Fields Too Large' \
    'the request has more than 100 header lines'
like "$LERR" '^wscli: client 7: GET / HTTP/1\.0$' "http10: the request line is shown as sent"

# A connection that sends nothing, and one that is not HTTP.
"$PYTHON" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5).close()' "$LPORT"
wait_for "$LERR" 'client 9: ' 5
like "$LERR" '^wscli: client 9: closed the connection without sending a request \(from 127\.0\.0\.1:[0-9]+\)$' \
    "a connection without a request: said so"
"$PYTHON" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.sendall(b"\x16\x03\x01\x00\x05hello\r\n\r\n")
print(s.recv(4096).decode("latin-1").splitlines()[0])' "$LPORT" >"$T/tls.out"
like "$T/tls.out" '^HTTP/1.1 400 Bad Request' "TLS to a ws:// port: 400"
wait_for "$LERR" 'client 10: refused' 5
like "$LERR" 'client 10: refused with 400 Bad Request: the client speaks TLS, but this is a ws:// server' \
    "TLS to a ws:// port: said so"

# ----------------------------------------------------- frame violations

# check_violation SCENARIO ID CODE WHY-REGEX
check_violation() {
    raw "$1"
    like "$RAW" "^frame: CLOSE fin=1 rsv=0 len=[0-9]+ payload=.* code=$3 reason='.*($4)'\$" \
        "$1: wscli closes with $3, the rule as its reason"
    like "$RAW" '^eof$' "$1: and ends the connection"
    wait_for "$LERR" "client $2: disconnected" 5
    like "$LERR" "^wscli: client $2: protocol error: $4; closing with $3 " \
        "$1: the violation is named with the client id"
}

check_violation unmasked 11 1002 'unmasked frame from the client \(clients must mask\)'
check_violation rsv1 12 1002 'RSV bits set but no extension was negotiated'
check_violation bad-utf8 13 1007 'text message is not valid UTF-8 \(byte 3\)'
check_violation close-1005 14 1002 'invalid close frame: close code 1005 must not be sent'
like "$LERR" '^>11 frame close  fin=1 rsv=000 len=[0-9]+ \(7-bit\) mask=-  1002 Protocol Error "unmasked frame from the client' \
    "--frames: wscli's close is shown, with the client id"
like "$LERR" '^<14 frame close  fin=1 rsv=000 len=2 \(7-bit\) mask=[0-9a-f]{8}  1005 No Status Received$' \
    "--frames: the close with 1005 is shown as received"

raw ping-between-fragments
like "$RAW" "^frame: PONG fin=1 rsv=0 len=2 payload=b'p1'\$" \
    "ping between fragments: answered at once"
like "$RAW" "^frame: CLOSE .* code=1000" "ping between fragments: a clean close"
wait_for "$LERR" 'client 15: disconnected' 5
like "$LERR" '^<15 frame text   fin=0 rsv=000 len=3 \(7-bit\) mask=[0-9a-f]{8}  "Hel"$' \
    "--frames: the first fragment with its mask"
like "$LERR" '^<15 frame ping   fin=1 ' "--frames: the ping between the fragments"
like "$LERR" '^>15 frame pong   fin=1 rsv=000 len=2 \(7-bit\) mask=-  "p1"$' \
    "--frames: the pong, unmasked"
like "$LOUT" '^Hello$' "ping between fragments: the message is whole on stdout"

raw drop
wait_for "$LERR" 'client 16: disconnected' 5
like "$LERR" '^wscli: client 16: connection lost without a close frame \(1006 Abnormal Closure\): client closed the connection$' \
    "a client dropping the connection: 1006, said so"

# A frame announcing 2^40 bytes is over the 16 MiB limit from its header on:
# refused at once, not after 16 MiB that never come.
raw huge-frame
like "$RAW" "^frame: CLOSE fin=1 rsv=0 len=2 payload=.* code=1009 reason=''\$" \
    "a frame announcing 2^40 bytes: wscli closes with 1009 at its header"
like "$RAW" '^eof$' "2^40 bytes announced: and ends the connection"
wait_for "$LERR" 'client 17: disconnected' 5
like "$LERR" '^wscli: client 17: message larger than --max-message 16777216 bytes \(1099511627776 bytes announced by its frame header\); closing with 1009 Message Too Big$' \
    "2^40 bytes announced: the limit and the announced size are named"
like "$LERR" '^<17 frame binary fin=1 rsv=000 len=1099511627776 \(64-bit\) mask=[0-9a-f]{8}' \
    "--frames: the refused frame's header is shown"
kill "$LPID"
wait_listen
is "$LSTATUS" 0 "misbehaving clients do not change the server's exit status"

# --------------------------------- one client misbehaving, another goes on

mkfifo "$T/in"
exec 3<>"$T/in"
LISTEN_IN=$T/in start_listen
timeout -k 5 20 node "$SERVERS/client.js" "$(lurl good)" --expect 2 \
    >"$T/good.out" 2>"$T/good.err" &
good=$!
wait_for "$LERR" 'client 1: answered' 10
printf 'before\n' >&3
wait_for "$T/good.out" '^text before$' 5
raw unmasked
raw bad-utf8
wait_for "$LERR" 'client 3: disconnected' 5
printf 'after\n' >&3
wait "$good"
is "$?" 0 "the good client ends normally"
is "$(grep '^text' "$T/good.out")" "$(printf 'text before\ntext after')" \
    "the good client gets every line, before and after the others' violations"
ok "wscli is still running after two violations" kill -0 "$LPID"
exec 3>&-
kill "$LPID"
wait_listen

done_testing
