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

# wscli reads at the pace it can write and leaves the TCP receive window to
# the kernel's autotuning: a fast server is not held to a small window or
# to small segments (a debugging tool must not throttle what it inspects).
start_raw mss || { echo "Bail out! raw.py did not start"; exit 1; }
run_wscli -w 10 "$(url)" </dev/null
status_is 0 "window report: exit 0"
report=$(tail -c 100 "$OUT" | sed -n 's/^.*\(mss [0-9]* wnd -*[0-9]*\)$/\1/p')
mss=$(echo "$report" | cut -d' ' -f2)
wnd=$(echo "$report" | cut -d' ' -f4)
diag "the server saw: $report"
ok "ws:// over loopback: full-size segments (got '$mss')" [ "${mss:-0}" -gt 16384 ]
if [ "${wnd:--1}" -lt 0 ]; then
    pass "the window grows # SKIP ss(8) cannot show the window"
else
    ok "ws://: the window advertised grows past 1 MiB during 16 MiB (got $wnd)" \
        [ "$wnd" -gt 1048576 ]
fi

done_testing
