#!/bin/sh
# The opening handshake: refused or invalid upgrades exit 4; request headers
# and subprotocols.
. tests/lib.sh
need_wscli

start_raw http404
run_wscli "$(url nowhere)" </dev/null
status_is 4 "404 answer: exit 4"
like "$ERR" 'HTTP/1\.1 404 Not Found' "404 answer: stderr shows the status line"
is "$(cat "$OUT")" "" "404 answer: nothing on stdout"

start_raw bad-accept
run_wscli "$(url)" </dev/null
status_is 4 "wrong Sec-WebSocket-Accept: exit 4"
like "$ERR" 'Sec-WebSocket-Accept' "wrong Sec-WebSocket-Accept: named on stderr"

start_raw unrequested-protocol
run_wscli "$(url)" </dev/null
status_is 4 "subprotocol that was not offered: exit 4"
like "$ERR" 'chat' "subprotocol that was not offered: named on stderr"

start_raw unrequested-protocol
run_wscli -s superchat "$(url)" </dev/null
status_is 4 "subprotocol other than the one offered: exit 4"

start_raw extension
run_wscli "$(url)" </dev/null
status_is 4 "extension that was not offered: exit 4"
like "$ERR" 'permessage-deflate|[Ee]xtension' "extension that was not offered: named on stderr"

# What wscli sends: the raw server logs every request header.
start_raw echo
run_wscli -H 'X-Wscli-Test: forty two' -o http://origin.test -s chat -s superchat \
    --send hi "$(url some/path?q=1)" </dev/null
wait_for "$SERVER_LOG" 'raw: done'
# (the raw server answers no subprotocol, which a client must accept)
status_is 0 "request to the raw echo server: exit 0"
is "$(cat "$OUT")" "hi" "raw echo server: message echoed"
like "$SERVER_LOG" '^raw: request: GET /some/path\?q=1 HTTP/1\.1' "request line has path and query"
like "$SERVER_LOG" '^raw: header: X-Wscli-Test: forty two$' "-H adds the header"
like "$SERVER_LOG" '^raw: header: Origin: http://origin\.test$' "-o sends Origin"
like "$SERVER_LOG" '^raw: header: Sec-WebSocket-Protocol: chat, ?superchat$' \
    "-s twice offers both subprotocols, in order"
like "$SERVER_LOG" '^raw: header: Sec-WebSocket-Version: 13$' "Sec-WebSocket-Version: 13"
like "$SERVER_LOG" '^raw: header: Sec-WebSocket-Key: [A-Za-z0-9+/]{22}==$' \
    "Sec-WebSocket-Key is 16 bytes in base64"
unlike "$SERVER_LOG" '^raw: header: Sec-WebSocket-Extensions' "no extension offered"

# A head that is HTTP but for one header: that header is named.
start_raw bad-header
run_wscli "$(url)" </dev/null
status_is 4 "a 101 with ESC in a header value: exit 4"
like "$ERR" 'upgrade failed: invalid response head: header "X-Color" has a control character in its value \(0x1b ESC\)' \
    "a 101 with ESC in a header value: the header is named"

# A real server choosing the offered subprotocol.
start_node_echo --protocols
run_wscli -s chat --send hello "$(url)" </dev/null
status_is 0 "-s chat with the node server: exit 0"
is "$(cat "$OUT")" "hello" "-s chat: messages echoed"
like "$ERR" 'chat' "-s chat: the chosen subprotocol is shown on stderr"

run_wscli -s chat -s other --send hello "$(url)" </dev/null
status_is 0 "-s chat -s other: exit 0"
like "$ERR" 'chat' "-s chat -s other: the server's choice (the first) is shown"

done_testing
