#!/bin/sh
# A server that reads slowly makes wscli wait (backpressure): nothing is lost.
. tests/lib.sh
need_wscli
# Reads for 10 ms, then stops reading for 100 ms, again and again.
start_node_echo --slow 100 || { echo "Bail out! node echo server did not start"; exit 1; }

"$PYTHON" -c '
for i in range(1, 20001):
    print(("%06d " % i) + "x" * 1017)' >"$T/slow.in"
is "$(wc -c <"$T/slow.in" | tr -d ' ')" $((20000 * 1025)) "input: 20,000 lines of 1 KiB"

run_wscli "$(url)" <"$T/slow.in"
status_is 0 "slow reader: exit 0"
ok "slow reader: all 20,000 lines back, in order" cmp -s "$T/slow.in" "$OUT" ||
    diag "got $(wc -l <"$OUT") lines"

stop_server

# The fix for a stall seen under load: wscli keeps the receive window of a
# plain connection under 64 KiB (which bounds libcurl's buffer), and a
# loopback sender would then wait for its 200 ms probe timer whenever that
# window shrank below one 64 KiB segment. wscli announces 16 KiB segments.
start_raw mss || { echo "Bail out! raw.py did not start"; exit 1; }
run_wscli -w 10 "$(url)" </dev/null
status_is 0 "segment size report: exit 0"
mss=$(tail -c 100 "$OUT" | sed -n 's/^.*mss //p')
ok "ws:// over loopback: the server sends segments of at most 16 KiB (got '$mss')" \
    [ "${mss:-65536}" -le 16384 ]

done_testing
