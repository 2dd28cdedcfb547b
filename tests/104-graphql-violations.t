#!/bin/sh
# --proto graphql: a server that breaks a rule of graphql-transport-ws
# (tests/servers/gql-server.js --script sends what no real server would)
# is named, closed with 4400 Bad request, exit 5; nothing it sent after is
# taken for a result.
. tests/lib.sh
need_wscli

printf '%s\n' '{ hello }' >"$T/op"
printf '%s\n' '{ hello }' '{ hello }' >"$T/two"

# violation NAME WHAT-WSCLI-SAYS gql-server.js options...: the operations
# are $T/op, or $OPS
violation() {
    vname=$1 says=$2
    shift 2
    start_gql --script "$@" || return
    run_wscli --proto graphql "$(url)" <"${OPS:-$T/op}"
    status_is 5 "$vname: exit 5"
    like "$ERR" "graphql protocol error: $says; closing with 4400 Bad request" \
        "$vname: named"
    ok "$vname: closed with 4400" wait_for "$SERVER_LOG" 'closed 4400' 5
    unlike "$OUT" 'late' "$vname: nothing after it on stdout"
    unlike "$ERR" 'Sanitizer|runtime error' "$vname: no crash"
    stop_server
}

violation "next for an unknown id" 'next for unknown id "99"' \
    --on-subscribe '{"type":"next","id":"99","payload":{"data":{}}}' \
    --on-subscribe '{"type":"next","id":"$ID","payload":{"late":1}}'
violation "next without an id" 'next without an id' \
    --on-subscribe '{"type":"next","payload":{"data":{}}}'
violation "an id that is not a string" 'next without an id' \
    --on-subscribe '{"type":"next","id":1,"payload":{"data":{}}}'
violation "an unknown message type" 'unknown message type "data"' \
    --say '{"type":"data","id":"1"}'
violation "a message without a type" 'a message without a "type"' \
    --say '{"id":"1"}'
violation "a message that is not JSON" 'a message that is not JSON' \
    --say '{"type":"ping"'
violation "a second connection_ack" 'a second connection_ack' \
    --say '{"type":"connection_ack"}'
violation "a client's message from the server" \
    'subscribe from the server: only a client sends it' \
    --say '{"type":"subscribe","id":"1","payload":{"query":"{ a }"}}'
# two operations: the first one's end does not end the session
OPS=$T/two
violation "next after complete" 'next for id "1" after it ended' \
    --on-subscribe '{"type":"complete","id":"$ID"}' \
    --on-subscribe '{"type":"next","id":"$ID","payload":{"late":1}}'
OPS=
violation "next whose payload is not an object" \
    'next whose payload is not an object' \
    --on-subscribe '{"type":"next","id":"$ID","payload":[1]}'
violation "error whose payload is not a list of errors" \
    'error whose payload is not a list of GraphQL errors' \
    --on-subscribe '{"type":"error","id":"$ID","payload":{"message":"x"}}'
violation "ping with a payload that is not an object" \
    'ping whose payload is not an object' \
    --say '{"type":"ping","payload":"x"}'

# a binary message
start_gql --script --say-binary 'x'
run_wscli --proto graphql "$(url)" <"$T/op"
status_is 5 "a binary message: exit 5"
like "$ERR" 'graphql protocol error: a binary message' "a binary message: named"
stop_server

# connection_ack before anything else: next before the ack
start_gql --script --no-ack --on-init '{"type":"next","id":"1","payload":{}}'
run_wscli --proto graphql "$(url)" <"$T/op"
status_is 5 "next before connection_ack: exit 5"
like "$ERR" 'graphql protocol error: next before connection_ack' "next before connection_ack: named"
unlike "$SERVER_LOG" '"subscribe"' "no operation was sent"
stop_server

# the legacy protocol has its own names
start_gql --script --on-subscribe '{"type":"next","id":"$ID","payload":{}}'
run_wscli --proto graphql -s graphql-ws "$(url)" <"$T/op"
like "$ERR" 'unknown message type "next"' "legacy: next is not a legacy message"
stop_server

# a well-behaved script passes: the harness can tell
start_gql --script --on-subscribe '{"type":"next","id":"$ID","payload":{"data":{"a":1}}}' \
    --on-subscribe '{"type":"complete","id":"$ID"}'
run_wscli --proto graphql "$(url)" <"$T/op"
status_is 0 "a script that keeps the rules: exit 0"
is "$(cat "$OUT")" '{"data":{"a":1}}' "its result printed"

done_testing
