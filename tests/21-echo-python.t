#!/bin/sh
# 10,000 lines through the Python "websockets" echo server.
. tests/lib.sh
need_wscli
start_py_echo || { echo "Bail out! python echo server did not start"; exit 1; }

# The server may stop echoing once it has the client's close, so wscli is
# told to wait for all 10,000 answers (-n) before closing.
check_lines_round_trip "python" -n 10000

run_wscli -n 2 --send a --send b "$(url)" </dev/null
status_is 0 "python: --send a --send b: exit 0"
is "$(cat "$OUT")" "$(printf 'a\nb')" "python: a and b echoed"

done_testing
