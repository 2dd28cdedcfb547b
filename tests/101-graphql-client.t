#!/bin/sh
# --proto graphql in a pipe, against graphql-ws's own server
# (tests/servers/gql-server.js): connection_init (--init), connection_ack
# awaited, each stdin line one operation with the next id, each next's
# payload one line, errors on stderr, pings answered, the end once every
# operation completed; the legacy graphql-ws subprotocol too.
. tests/lib.sh
need_wscli

start_gql
printf '%s\n' '{ hello }' 'subscription { tick(n: 3) }' \
    '{"query":"query ($a: Int!, $b: Int!) { add(a: $a, b: $b) }","variables":{"a":2,"b":3}}' \
    >"$T/ops"
run_wscli --proto graphql "$(url)" <"$T/ops"
status_is 0 "three operations: exit 0 once every one completed"
sort "$OUT" >"$T/sorted"
is "$(cat "$T/sorted")" "$(printf '%s\n' '{"data":{"add":5}}' \
    '{"data":{"hello":"world"}}' '{"data":{"tick":1}}' '{"data":{"tick":2}}' \
    '{"data":{"tick":3}}')" "each next payload is one JSON line"
is "$(grep tick "$OUT" | tr '\n' ' ')" \
    '{"data":{"tick":1}} {"data":{"tick":2}} {"data":{"tick":3}} ' "the ticks in order"
like "$SERVER_LOG" '< \{"type":"connection_init"\}$' "connection_init sent, no payload without --init"
like "$SERVER_LOG" '"type":"subscribe","id":"1","payload":\{"query":"\{ hello \}"\}' \
    "GraphQL text becomes {\"query\":...} with id 1"
like "$SERVER_LOG" '"id":"3","payload":\{"query":"query \(\$a: Int!, \$b: Int!\) \{ add\(a: \$a, b: \$b\) \}","variables":\{"a":2,"b":3\}\}' \
    "a JSON operation goes as it is, with id 3"
like "$SERVER_LOG" 'subprotocol graphql-transport-ws' "graphql-transport-ws agreed"
like "$ERR" 'closed by wscli with 1000' "wscli closes once the operations are over"

# an operation the server refuses: error on stderr, nothing on stdout,
# and the exit status says it failed (the session itself ends cleanly)
printf '%s\n' '{ nosuch }' >"$T/bad"
run_wscli --proto graphql "$(url)" <"$T/bad"
status_is 1 "an operation ended with error: exit 1"
is "$(cat "$OUT")" "" "no next for it"
like "$ERR" 'graphql: operation 1 failed: \[\{"message":"Cannot query field \\"nosuch\\"' \
    "its error on stderr with its id"
like "$ERR" 'closed by wscli with 1000' "the session still ends with our clean close"
printf '%s\n' '{ hello }' '{ nosuch }' '{ hello }' >"$T/mixed"
run_wscli --proto graphql "$(url)" <"$T/mixed"
status_is 1 "one failed operation among good ones: exit 1"
is "$(cat "$OUT")" "$(printf '%s\n' '{"data":{"hello":"world"}}' \
    '{"data":{"hello":"world"}}')" "the good ones' results all printed"
run_wscli --jsonl --proto graphql "$(url)" <"$T/bad"
status_is 1 "--jsonl: an operation ended with error: exit 1"
like "$OUT" '"kind":"error","id":"1"' "--jsonl: the error is an event with its id"

# results with errors are results
printf '%s\n' '{ fail hello }' >"$T/fail"
run_wscli --proto graphql "$(url)" <"$T/fail"
status_is 0 "a next with errors: exit 0"
like "$OUT" '^\{"data":\{"fail":null,"hello":"world"\},"errors":\[' "its payload printed as it came"

# a subscription that fails midway
printf '%s\n' 'subscription { boom }' >"$T/boom"
run_wscli --proto graphql "$(url)" <"$T/boom"
status_is 1 "a subscription ended by error: exit 1"
is "$(cat "$OUT")" '{"data":{"boom":1}}' "its next before the error"
like "$ERR" 'operation 1 failed: \[\{"message":"boom"' "then the error"

# --jsonl: each next with its id
printf '%s\n' 'subscription { tick(n: 2) }' >"$T/tick2"
run_wscli --jsonl --proto graphql "$(url)" <"$T/tick2"
status_is 0 "--jsonl: exit 0"
like "$OUT" '"event":"proto".*"proto":"graphql","kind":"next","id":"1","data":\{"data":\{"tick":2\}\}' \
    "--jsonl: a proto event per next, with kind, id and data"

# -v shows what was sent
run_wscli -v --proto graphql "$(url)" <"$T/tick2"
like "$ERR" '> subscribe 1 \{"query":"subscription \{ tick\(n: 2\) \}"\}' "-v: the subscribe with its id"
like "$ERR" '< connection_ack' "-v: the ack"
like "$ERR" '< complete 1' "-v: the complete"

# --init: the connection_init payload
stop_server
start_gql --token s3cret
run_wscli --proto graphql --init '{"token":"s3cret"}' "$(url)" <"$T/tick2"
status_is 0 "--init with the right token: exit 0"
is "$(wc -l <"$OUT")" 2 "--init: the operation ran"
like "$SERVER_LOG" '< \{"type":"connection_init","payload":\{"token":"s3cret"\}\}' \
    "--init's JSON is the payload"
run_wscli --proto graphql --init '{"token":"wrong"}' "$(url)" <"$T/tick2"
status_is 8 "the server refuses the init: exit 8"
like "$ERR" 'closed by server: 4403 Forbidden' "4403 named Forbidden"

# connection_ack awaited, within --connect-timeout
stop_server
start_gql --no-ack
run_wscli --proto graphql --connect-timeout 1 "$(url)" <"$T/tick2"
status_is 7 "no connection_ack: exit 7"
took "no connection_ack with --connect-timeout 1" 4000
like "$ERR" 'graphql: no connection_ack within 1 s' "the timeout said"
ok "closed with 4504" wait_for "$SERVER_LOG" 'closed 4504' 5
unlike "$SERVER_LOG" 'subscribe' "no operation before the ack"

# 4408: the server's own init timeout, named (wscli does send init: the
# scripted peer closes with it)
stop_server
start_gql --script --close 4408 "Connection initialisation timeout"
run_wscli --proto graphql "$(url)" <"$T/tick2"
status_is 8 "closed with 4408: exit 8"
like "$ERR" '4408 Connection initialisation timeout' "4408 named"

for c in "4400 Bad request" "4401 Unauthorized" "4409 Subscriber already exists" \
    "4429 Too many initialisation requests"; do
    stop_server
    start_gql --script --close "${c%% *}" "x"
    run_wscli --proto graphql "$(url)" <"$T/tick2"
    like "$ERR" "closed by server: $c \"x\"" "close code ${c%% *} named"
done

# pings from the server are answered over several intervals
stop_server
start_gql --ping 150
printf '%s\n' 'subscription { tick(n: 6, ms: 150) }' >"$T/slow"
run_wscli --proto graphql "$(url)" <"$T/slow"
status_is 0 "server pings every 150 ms for ~1 s: exit 0"
is "$(wc -l <"$OUT")" 6 "all six ticks"
ok "every ping answered with pong (at least 4)" \
    [ "$(grep -c 'pong received' "$SERVER_LOG")" -ge 4 ]
unlike "$ERR" 'ping|pong' "pings are not shown without -v"

# the legacy protocol of subscriptions-transport-ws
stop_server
start_gql --legacy --ka 100
printf '%s\n' '{ hello }' 'subscription { tick(n: 3, ms: 100) }' >"$T/legacy"
run_wscli --proto graphql "$(url)" <"$T/legacy"
status_is 0 "legacy graphql-ws: exit 0"
is "$(sort "$OUT" | tr '\n' ' ')" '{"data":{"hello":"world"}} {"data":{"tick":1}} {"data":{"tick":2}} {"data":{"tick":3}} ' \
    "legacy: every data payload printed"
like "$SERVER_LOG" 'subprotocol graphql-ws$' "legacy: graphql-ws agreed"
like "$SERVER_LOG" '"type":"start","id":"2"' "legacy: operations sent as start"

# --proto auto picks graphql from the subprotocol
stop_server
start_gql
run_wscli --proto auto -s graphql-transport-ws "$(url)" <"$T/tick2"
status_is 0 "--proto auto -s graphql-transport-ws: exit 0"
is "$(cat "$OUT")" "$(printf '%s\n' '{"data":{"tick":1}}' '{"data":{"tick":2}}')" \
    "--proto auto: speaks graphql"

# usage
run_wscli --init '{"a":1}' "$(url)"
status_is 2 "--init without --proto graphql: usage error"
like "$ERR" 'init goes with --proto graphql' "... said"
run_wscli --proto graphql --init '[1]' "$(url)"
status_is 2 "--init that is not a JSON object: usage error"

done_testing
