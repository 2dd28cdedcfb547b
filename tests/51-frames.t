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
ok "frames in the same packet as the 101: no waiting for more data" [ "$ELAPSED_MS" -lt $((8000 + TIME_SLACK_MS)) ]

# A large message leaves in fragments of at most 256 KiB; a PING after the
# first must be answered at a fragment boundary, long before the message
# ends (only what the kernel already buffers may go first).
head -c 33554432 /dev/urandom >"$T/32m.bin"
start_raw ping-during-upload
run_wscli -b --no-split -w 10 "$(url)" <"$T/32m.bin"
status_is 0 "PING during a 32 MiB upload: exit 0"
wait_for "$SERVER_LOG" 'raw: pong after'
like "$SERVER_LOG" "^raw: client: PONG b'mid'" "PING during a 32 MiB upload: PONG with the same payload"
pong_at=$(sed -n 's/^raw: pong after \([0-9]*\) of \([0-9]*\) bytes$/\1/p' "$SERVER_LOG")
diag "PONG came after ${pong_at:-none} of 33554432 bytes"
ok "PING during a 32 MiB upload: PONG in the first half of the message" \
    sh -c '[ -n "$1" ] && [ "$1" -le 16777216 ]' _ "$pong_at"

done_testing
