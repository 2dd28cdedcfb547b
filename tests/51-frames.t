#!/bin/sh
# Control frames inside fragmented messages, and frames that arrive together
# with the 101 response.
. tests/lib.sh
need_wscli

start_raw ping-between-fragments
run_wscli -w 10 "$(url)" </dev/null
status_is 0 "PING between fragments: exit 0 (server closes with 1000)"
is "$(cat "$OUT")" "Hello" "PING between fragments: the message is reassembled"
wait_for "$SERVER_LOG" 'raw: done'
like "$SERVER_LOG" '^raw: pong ok$' "PING between fragments: answered with a masked PONG \"p1\""
unlike "$SERVER_LOG" '^raw: bad pong' "PING between fragments: no wrong PONG"
like "$SERVER_LOG" '^raw: client: CLOSE 1000 ' "PING between fragments: close answered with 1000"

start_raw frames-with-101
run_wscli -w 10 "$(url)" </dev/null
status_is 0 "frames in the same packet as the 101: exit 0"
is "$(cat "$OUT")" "$(printf 'a\nb')" "frames in the same packet as the 101: a and b printed"
ok "frames in the same packet as the 101: no waiting for more data" [ "$ELAPSED_MS" -lt 8000 ]

done_testing
