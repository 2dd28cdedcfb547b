#!/bin/sh
# --load against servers that stall: one never answers the upgrade, one
# stops reading after a few messages, one breaks the protocol on every
# other connection.
. tests/lib.sh
need_wscli

start_target() {   # SCENARIO [ARG]: tests/servers/loadtarget.py
    spawn "target$server_count" "$PYTHON" "$SERVERS/loadtarget.py" 0 "$@" &&
        wait_port_line && server_started
}

start_target stall-upgrade || { echo "Bail out! loadtarget.py"; exit 1; }
run_wscli --load "ws://127.0.0.1:$PORT/" --connections 50 \
    --connect-timeout 1
is "$STATUS" 7 "no 101: exit 7"
like "$OUT" '^failed +50  timeout \(no 101 in time\)$' \
    "no 101: 50 timed out waiting for the answer"
ok "no 101: ends after --connect-timeout ($ELAPSED_MS ms)" \
    test "$ELAPSED_MS" -ge 900 -a "$ELAPSED_MS" -lt 6000

start_target stall-after 3 || { echo "Bail out! loadtarget.py"; exit 1; }
run_wscli --load "ws://127.0.0.1:$PORT/" --connections 100 \
    --send 'm {n}' --msg-rate 20 --duration 1.5 --close-timeout 1
is "$STATUS" 7 "stalls after 3: exit 7 (no close reply)"
like "$OUT" '^connections +100 opened' "stalls after 3: 100 opened"
like "$OUT" ' 300 echoed, [0-9]+ unanswered$' "stalls after 3: 3 echoes each"
unlike "$OUT" ' 0 unanswered$' "stalls after 3: the rest unanswered"
like "$OUT" '^ended +100  no close reply in time$' \
    "stalls after 3: every close unanswered"
like "$OUT" '^round trip .*\(300 echoes\)$' "stalls after 3: 300 round trips"
ok "stalls after 3: ends after --duration and --close-timeout ($ELAPSED_MS ms)" \
    test "$ELAPSED_MS" -ge 2400 -a "$ELAPSED_MS" -lt 8000

start_target bad-frame || { echo "Bail out! loadtarget.py"; exit 1; }
run_wscli --load "ws://127.0.0.1:$PORT/" --connections 100 \
    --send 'm {n}' --msg-rate lockstep -n 5
is "$STATUS" 5 "a broken frame: exit 5"
like "$OUT" '^violations +50  reserved opcode' \
    "a broken frame: counted by kind"
like "$OUT" '^ +50  protocol violation \(closed with 1002/1007\)$|^ended +50  protocol violation' \
    "a broken frame: those connections ended for it"
like "$OUT" '^ +50  closed by wscli: 1000, answered$|^ended +50  closed by wscli' \
    "a broken frame: the others ended cleanly"
like "$OUT" '250 echoed' "a broken frame: the others' echoes"

done_testing
