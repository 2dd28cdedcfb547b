#!/bin/sh
# 10,000 lines through websocketd wrapping cat.
. tests/lib.sh
need_wscli
start_websocketd || { echo "Bail out! websocketd did not start"; exit 1; }

# websocketd stops reading the WebSocket while a write to the program's
# stdin blocks, and cat blocks writing to websocketd: with more than about
# 128 KiB in flight, websocketd and cat wait for each other for ever. So the
# lines are fed at a steady pace, and wscli waits for all the answers (-n)
# because websocketd ends the program when the client's close arrives.
check_lines_round_trip "websocketd" --paced -n 10000

run_wscli -n 2 --send a --send b "$(url)" </dev/null
status_is 0 "websocketd: --send a --send b: exit 0"
is "$(cat "$OUT")" "$(printf 'a\nb')" "websocketd: a and b echoed"

done_testing
