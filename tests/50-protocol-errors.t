#!/bin/sh
# Frames no server may send: wscli exits 5, names the problem on stderr and
# sends CLOSE 1002 (1007 for text that is not UTF-8) with the rule as its
# reason.
. tests/lib.sh
need_wscli

# violation SCENARIO DESC CLOSE_CODE STDERR_REGEX
violation() {
    start_raw "$1" || { fail "$2: raw server started"; return; }
    run_wscli -w 10 "$(url)" </dev/null
    status_is 5 "$2: exit 5"
    like "$ERR" "^wscli: .*($4)" "$2: named on stderr"
    wait_for "$SERVER_LOG" 'raw: done'
    like "$SERVER_LOG" "^raw: client: CLOSE $3 " "$2: wscli sends CLOSE $3"
    like "$SERVER_LOG" "^raw: client: CLOSE $3 '.*($4)" \
        "$2: its reason names the rule"
    unlike "$SERVER_LOG" 'raw: client: .*\(unmasked\)' "$2: wscli's frames are masked"
    ok "$2: ends promptly" [ "$ELAPSED_MS" -lt $((8000 + TIME_SLACK_MS)) ]
}

violation rsv "RSV1 set without an extension" 1002 '[Rr][Ss][Vv]|reserved bit'
violation reserved-opcode "reserved opcode 0x3" 1002 '[Oo]pcode'
violation masked "masked frame from the server" 1002 '[Mm]ask'
violation bad-utf8 "text message that is not UTF-8" 1007 'UTF-8'

done_testing
