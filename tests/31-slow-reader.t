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

done_testing
