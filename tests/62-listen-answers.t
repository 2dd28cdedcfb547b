#!/bin/sh
# Listen mode's answer to an upgrade: -H replaces a header wscli writes in
# the 101 (as it does in a client's request) instead of adding a second
# one, and the log says so; a client that offers subprotocols and gets
# none is told about in the log, before and after it fails; -s '*'
# accepts the first subprotocol offered.
. tests/lib.sh
need_wscli

KEY='Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
UPG='Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
REQ="b'GET / HTTP/1.1\\r\\n$UPG${KEY}Sec-WebSocket-Protocol: chat\\r\\n\\r\\n'"

count() {   # FILE REGEX: how many lines match
    grep -c -E "$2" "$1"
}

# ----------------------------------------------------- -H in the 101

start_listen -s chat -H 'Sec-WebSocket-Accept: bogus' -H 'upgrade: WebSocket' \
    -H 'X-Extra: 1' || { echo "Bail out! wscli -l 0 did not start"; exit 1; }
send_head replaced "$REQ"
like "$T/head-replaced.out" '^status: HTTP/1.1 101 ' "-H: the answer is a 101"
is "$(count "$T/head-replaced.out" '^header: Sec-WebSocket-Accept:')" 1 "-H Sec-WebSocket-Accept: one such header"
like "$T/head-replaced.out" '^header: Sec-WebSocket-Accept: bogus$' "... with -H's value"
is "$(count "$T/head-replaced.out" '^header: [Uu]pgrade:')" 1 "-H upgrade: one Upgrade header"
like "$T/head-replaced.out" '^header: Upgrade: WebSocket$' "... with -H's value"
like "$T/head-replaced.out" '^header: X-Extra: 1$' "-H X-Extra: added"
like "$T/head-replaced.out" '^header: Sec-WebSocket-Protocol: chat$' "-s chat still chosen"
wait_for "$LERR" 'client 1: answered' 5
like "$LERR" "^wscli: client 1: -H replaced Upgrade, Sec-WebSocket-Accept in the 101: the values sent are -H's\$" \
    "-H: the log says which headers were replaced"
kill "$LPID" 2>/dev/null
wait_listen

start_listen -s chat -H 'Sec-WebSocket-Protocol: forced' ||
    { echo "Bail out! wscli -l 0 did not start"; exit 1; }
send_head proto "$REQ"
is "$(count "$T/head-proto.out" '^header: Sec-WebSocket-Protocol:')" 1 \
    "-H Sec-WebSocket-Protocol with -l: one such header"
like "$T/head-proto.out" '^header: Sec-WebSocket-Protocol: forced$' "... -H's, whatever was offered"
wait_for "$LERR" 'client 1: answered' 5
like "$LERR" '^wscli: client 1: answered 101 Switching Protocols: subprotocol forced' \
    "... and the log names it"
kill "$LPID" 2>/dev/null
wait_listen

# ------------------------------------------- subprotocols, none chosen

start_listen || { echo "Bail out! wscli -l 0 did not start"; exit 1; }
run_client NODE "$(lurl)" -s alpha -s beta
like "$CLIENT_OUT" '^error Server sent no subprotocol$' "Node offering alpha, beta, none chosen: it fails"
wait_for "$LERR" 'client 1: disconnected' 5
like "$LERR" "^wscli: client 1: the client offers subprotocols alpha, ?beta and none is chosen \\(no -s\\): most clients then fail the connection; -s NAME accepts one, -s '\\*' the first offered\$" \
    "none chosen: said at the 101"
like "$LERR" "^wscli: client 1: it had offered subprotocols alpha, ?beta and none was chosen: a likely reason it failed" \
    "none chosen: said again when the client fails"
kill "$LPID" 2>/dev/null
wait_listen

start_listen -s '*' || { echo "Bail out! wscli -l 0 did not start"; exit 1; }
run_client NODE "$(lurl)" -s beta -s alpha
is "$(head -n 1 "$CLIENT_OUT")" "open beta -" "-s '*': the first subprotocol offered is chosen"
run_client NODE "$(lurl)"
is "$(head -n 1 "$CLIENT_OUT")" "open - -" "-s '*': none offered, none chosen"
kill "$LPID" 2>/dev/null
wait_listen
done_testing
