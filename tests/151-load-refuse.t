#!/bin/sh
# --load against servers that turn connections away: half of them refused
# (503 and TCP resets), a port where nothing listens, fewer descriptors
# than connections. Each failure is counted by its reason, the exit
# status says the worst.
. tests/lib.sh
need_wscli

start_target() {   # SCENARIO [ARG]: tests/servers/loadtarget.py
    spawn "target$server_count" "$PYTHON" "$SERVERS/loadtarget.py" 0 "$@" &&
        wait_port_line && server_started
}

start_target half || { echo "Bail out! loadtarget.py half"; exit 1; }
run_wscli --load "ws://127.0.0.1:$PORT/" --connections 200 \
    --send 'm {n}' --msg-rate lockstep -n 5
is "$STATUS" 4 "half refused: exit 4 (upgrades refused)"
like "$OUT" '^connections +100 opened in [0-9.]+ s \([0-9]+/s\), 100 failed$' \
    "half refused: 100 opened, 100 failed"
like "$OUT" '^failed +50  (reset|upgrade refused: 503)$' \
    "half refused: the first reason with its count"
like "$OUT" '^ +50  upgrade refused: 503$|^failed +50  upgrade refused: 503$' \
    "half refused: 50 answered 503"
like "$OUT" '^ +50  reset$|^failed +50  reset$' "half refused: 50 reset"
like "$OUT" '500 echoed, 0 unanswered' "half refused: the others did their work"
like "$OUT" '^upgrade +p50 .* \(100 upgrades\)$' \
    "half refused: times of the 100 upgrades only"

FREE=$(free_port)
run_wscli --load "ws://127.0.0.1:$FREE/" --connections 30
is "$STATUS" 3 "nothing listening: exit 3"
like "$OUT" '^failed +30  refused$' "nothing listening: 30 refused"
like "$OUT" '^connections +0 opened, 30 failed$' "nothing listening: none opened"
unlike "$OUT" '^connect ' "nothing listening: no connect times"

WSCLI_LOAD_CURL=1 run_wscli --load "ws://127.0.0.1:$FREE/" --connections 5
is "$STATUS" 3 "through libcurl, nothing listening: exit 3"
like "$OUT" '^failed +5  refused$' "through libcurl: refused too"

start_node_echo || { echo "Bail out! node echo server"; exit 1; }
# the hard limit too: wscli raises the soft one to it
(ulimit -n 40 && run_wscli --load "ws://127.0.0.1:$PORT/" --connections 60 \
    --duration 1; echo "$STATUS $OUT $ERR" >"$T/status")
read -r STATUS OUT ERR <"$T/status"
is "$STATUS" 3 "out of descriptors: exit 3"
like "$OUT" '^failed +[0-9]+  no descriptor left \(EMFILE: see ulimit -n\)$' \
    "out of descriptors: said as a reason"
like "$OUT" '^connections +[2-3][0-9] opened' \
    "out of descriptors: the others opened"
like "$ERR" 'warning: --connections 60: this process may have 40 descriptors' \
    "out of descriptors: warned before the run"

done_testing
