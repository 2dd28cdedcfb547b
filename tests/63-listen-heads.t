#!/bin/sh
# Listen mode and the request head itself: a head that arrives a byte at a
# time is answered as if it came whole; a head that is not valid HTTP is
# refused naming the line or header that is wrong, not by its first bytes;
# a target RFC 9112 does not allow for GET ('*', no leading slash, a
# fragment) and lines ending in a bare LF are refused with 400 and why.
. tests/lib.sh
need_wscli

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

check_line() {   # ID REQUEST-LINE WHY: a request line that is wrong
    n=$(( ${n:-1} + 1 ))
    re=$(printf '%s' "$3" | sed 's/[][().*^$\\|+?{}]/\\&/g')
    send_head "$1" "b'$2\r\n$UPG$KEY\r\n'"
    wait_for "$LERR" "client $n: refused" 5
    like "$LERR" "^wscli: client $n: refused with 400 Bad Request: invalid request head: $re\$" \
        "$1: the log says what is wrong with the request line"
}
check_line target-ctl 'GET /a\x01b HTTP/1.1' \
    'the request target has 0x01 SOH in it ("GET /a?b HTTP/1.1")'
check_line after-version 'GET / HTTP/1.1 extra' \
    'the request line goes on after its HTTP version ("GET / HTTP/1.1 extra")'

# what is not HTTP at all is still shown by its first bytes
send_head junk "b'\x01\x02hello\r\n\r\n'"
like "$T/head-junk.out" '^status: HTTP/1.1 400 Bad Request$' "junk: 400"
wait_for "$LERR" "client 9: refused" 5
like "$LERR" '^wscli: client 9: refused with 400 Bad Request: not an HTTP request \(it starts ' \
    "junk: not an HTTP request, with its first bytes"

# ----------------------------------- targets and line ends (RFC 9112)

# each: ID REQUEST-LINE WHY; the 400 says why in the log and its body
check_target() {
    n=$(( ${n:-1} + 1 ))
    re=$(printf '%s' "$3" | sed 's/[][().*^$\\|+?{}]/\\&/g')
    send_head "$1" "b'$2\r\n$UPG$KEY\r\n'"
    like "$T/head-$1.out" '^status: HTTP/1.1 400 Bad Request$' "$1: 400"
    like "$T/head-$1.out" "^body: $re\$" "$1: the body says why"
    wait_for "$LERR" "client $n: refused" 5
    like "$LERR" "^wscli: client $n: refused with 400 Bad Request: $re\$" "$1: the log too"
}
n=9
check_target star 'GET * HTTP/1.1' "request target '*' is for OPTIONS only (RFC 9112 3.2.4)"
check_target noslash 'GET noslash HTTP/1.1' \
    "request target 'noslash' is neither a path starting with '/' nor an absolute URI (RFC 9112 3.2)"
check_target fragment 'GET /x#frag HTTP/1.1' \
    "request target '/x#frag' has a fragment ('#'), which is never sent (RFC 9112 3.2)"
n=$((n + 1))
send_head bare-lf "b'GET /lf HTTP/1.1\n$UPG$KEY\n'"
like "$T/head-bare-lf.out" '^status: HTTP/1.1 400 Bad Request$' "bare LF: 400"
wait_for "$LERR" "client $n: refused" 5
like "$LERR" "^wscli: client $n: refused with 400 Bad Request: a line of the request ends in LF alone: HTTP/1\\.1 lines end in CRLF \\(RFC 9112 2\\.2\\)\$" \
    "bare LF: said why"
# the absolute form is a valid target
n=$((n + 1))
send_head absolute "b'GET http://a.example/abs?x=%2F HTTP/1.1\r\n$UPG$KEY\r\n'"
like "$T/head-absolute.out" '^status: HTTP/1.1 101 ' "absolute form: 101"
wait_for "$LERR" "client $n: answered" 5
like "$LERR" "^wscli: client $n: GET http://a\\.example/abs\\?x=%2F HTTP/1\\.1\$" "absolute form: shown as sent"

kill "$LPID" 2>/dev/null
wait_listen
done_testing
