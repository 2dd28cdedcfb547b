#!/bin/sh
# -n/--count N: a clean end after N received messages.
. tests/lib.sh
need_wscli

start_node_echo --flood
run_wscli -n 3 "$(url)" </dev/null
status_is 0 "-n 3 with a server sending without end: exit 0"
is "$(cat "$OUT")" "$(printf 'message 1\nmessage 2\nmessage 3')" "-n 3: exactly 3 messages"

run_wscli --count 1 -w 30 "$(url)" </dev/null
status_is 0 "--count 1 with -w 30: exit 0"
ok "--count 1 ends before -w runs out" [ "$ELAPSED_MS" -lt $((10000 + TIME_SLACK_MS)) ]
is "$(cat "$OUT")" "message 1" "--count 1: one message"

start_node_echo --send-on-connect welcome
printf 'x\ny\nz\n' >"$T/xyz.in"
run_wscli -n 3 "$(url)" <"$T/xyz.in"
status_is 0 "-n 3 with a greeting and 3 echoes: exit 0"
is "$(cat "$OUT")" "$(printf 'welcome\nx\ny')" "-n 3: greeting and first two echoes"

done_testing
