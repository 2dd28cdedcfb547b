#!/bin/sh
# How the session ends: close codes from the server, lost connections.
# wscli gets -w 10 so that it does not close first: the server acts first.
. tests/lib.sh
need_wscli

# close_case CODE REASON STATUS NAME_REGEX
close_case() {
    start_node_echo --close-after-connect "$1" "$2" ||
        { fail "server closing with $1 started"; return; }
    run_wscli -w 10 "$(url)" </dev/null
    status_is "$3" "server closes with $1: exit $3"
    like "$ERR" "^wscli: closed by server: $1 $4\"$2\"" \
        "server closes with $1: stderr shows code, name and reason"
    ok "server closes with $1: ends without waiting for -w" [ "$ELAPSED_MS" -lt $((8000 + TIME_SLACK_MS)) ]
    is "$(cat "$OUT")" "" "server closes with $1: nothing on stdout"
    stop_server
}

close_case 1000 "bye" 0 'Normal Closure '
close_case 1001 "server restart" 0 'Going Away '
close_case 4000 "custom" 8 '(.* )?'
close_case 1011 "oops" 8 'Internal (Server )?Error '

# The same through the raw server, which also shows wscli's reply.
start_raw close 1001 "see you"
run_wscli -w 10 "$(url)" </dev/null
status_is 0 "raw close 1001: exit 0"
like "$ERR" '^wscli: closed by server: 1001 Going Away "see you"' \
    "raw close 1001: stderr shows code, name and reason"
wait_for "$SERVER_LOG" 'raw: done'
like "$SERVER_LOG" '^raw: client: CLOSE 1001 ' "raw close 1001: wscli echoes the code"

start_raw close 4000 ""
run_wscli -w 10 "$(url)" </dev/null
status_is 8 "raw close 4000 without reason: exit 8"
like "$ERR" '^wscli: closed by server: 4000' "raw close 4000: stderr shows the code"

# A close frame with a 1-byte payload, or with code 1005 on the wire, is a
# protocol violation.
start_raw close-1-byte
run_wscli -w 10 "$(url)" </dev/null
status_is 5 "close with a 1-byte payload: exit 5"
wait_for "$SERVER_LOG" 'raw: done'
like "$SERVER_LOG" '^raw: client: CLOSE 1002 ' "close with a 1-byte payload: wscli answers 1002"

start_raw close-bad-code
run_wscli -w 10 "$(url)" </dev/null
status_is 5 "close code 1005 on the wire: exit 5"
wait_for "$SERVER_LOG" 'raw: done'
like "$SERVER_LOG" '^raw: client: CLOSE 1002 ' "close code 1005 on the wire: wscli answers 1002"
like "$ERR" 'close code 1005 must not be sent' "close code 1005 on the wire: the code is named"
like "$SERVER_LOG" "^raw: client: CLOSE 1002 '.*close code 1005 must not be sent" \
    "close code 1005 on the wire: wscli's close says why"

# Connection lost without a close frame.
start_raw drop
run_wscli -w 10 "$(url)" </dev/null
status_is 6 "TCP closed without a close frame: exit 6"
like "$ERR" '1006' "TCP closed without a close frame: stderr mentions 1006"

start_node_echo --drop-after 2
printf 'one\ntwo\nthree\n' >"$T/three.in"
run_wscli -w 10 "$(url)" <"$T/three.in"
status_is 6 "node server drops TCP after 2 messages: exit 6"
like "$ERR" '1006' "node server drops TCP: stderr mentions 1006"
is "$(head -n 2 "$OUT")" "$(printf 'one\ntwo')" "node server drops TCP: messages before the drop are printed"

done_testing
