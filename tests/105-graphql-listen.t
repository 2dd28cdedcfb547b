#!/bin/sh
# --proto graphql in listen and relay modes, with graphql-ws's own client
# (tests/bench/gql-client.js) and server: wscli -l answers connection_init
# and ping as a graphql-transport-ws server does and prints each operation
# a client subscribes; piped-in results reach the client. Through
# -l --forward both directions are decoded, and a rule broken is reported.
. tests/lib.sh
need_wscli

CLIENT=tests/bench/gql-client.js

# ---------------------------------------------------------------- listen
mkfifo "$T/in"
exec 7<>"$T/in"     # open both ends: wscli's stdin stays open until we say
LISTEN_IN=$T/in start_listen --once --proto graphql
echo '{ hello }' >"$T/op"
GQL_KEEPALIVE=100 timeout 20 node "$CLIENT" "$(lurl)" <"$T/op" \
    >"$T/client.out" 2>"$T/client.err" &
cpid=$!
ok "the operation the client subscribes is printed" \
    wait_for "$LOUT" '"type":"subscribe"' 10
id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$LOUT" | head -n 1)
like "$LOUT" '"payload":\{"query":"\{ hello \}"\}' "... with its payload"
like "$LERR" 'subprotocol graphql-transport-ws' "graphql-transport-ws accepted without -s"
sleep 0.4              # a few of the client's pings
printf '%s\n' "{\"type\":\"next\",\"id\":\"$id\",\"payload\":{\"data\":{\"hello\":\"from wscli\"}}}" \
    "{\"type\":\"complete\",\"id\":\"$id\"}" >&7
wait "$cpid"
is "$?" 0 "graphql-ws's client: its operation completed, exit 0"
is "$(cat "$T/client.out")" '{"data":{"hello":"from wscli"}}' \
    "the client got the result piped into wscli"
ok "its pings were answered with pong" \
    [ "$(grep -c 'gql-client: pong' "$T/client.err")" -ge 2 ]
unlike "$T/client.err" 'closed 4' "the client saw no protocol error"
exec 7>&-
wait_listen
is "$LSTATUS" 0 "wscli -l --once: exit 0"

# a line that is not a server's message is refused, not sent
mkfifo "$T/in2"
exec 7<>"$T/in2"
LISTEN_IN=$T/in2 start_listen --once --proto graphql
printf '%s\n' 'subscription { tick }' >"$T/op2"
timeout 20 node "$CLIENT" "$(lurl)" <"$T/op2" >"$T/client2.out" \
    2>"$T/client2.err" &
cpid=$!
wait_for "$LOUT" '"type":"subscribe"' 10
id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$LOUT" | head -n 1)
printf '%s\n' '{"type":"next","id":"nosuch","payload":{}}' \
    "{\"type\":\"next\",\"id\":\"$id\",\"payload\":{\"data\":{\"tick\":1}}}" \
    "{\"type\":\"complete\",\"id\":\"$id\"}" >&7
wait "$cpid"
is "$?" 0 "the client still completes"
is "$(cat "$T/client2.out")" '{"data":{"tick":1}}' "only the valid result reached it"
ok "the invalid line is named" wait_for "$LERR" 'line 1: next for unknown id "nosuch"; not sent' 5
exec 7>&-
wait_listen

# ----------------------------------------------------------------- relay
start_gql
GQL=$PORT
start_listen --proto graphql --forward "ws://127.0.0.1:$GQL/"
printf '%s\n' 'subscription { tick(n: 2) }' >"$T/op3"
timeout 20 node "$CLIENT" "$(lurl)" <"$T/op3" >"$T/client3.out" 2>"$T/client3.err"
is "$?" 0 "through the relay: the client completes"
is "$(cat "$T/client3.out")" "$(printf '%s\n' '{"data":{"tick":1}}' '{"data":{"tick":2}}')" \
    "through the relay: both ticks"
ok "the relay shows the subscribe, client>server" \
    wait_for "$LOUT" '1 client>server .*subscribe [^ ]* \{"query":"subscription \{ tick\(n: 2\) \}"\}' 5
like "$LOUT" '1 server>client .*next [^ ]* \{"data":\{"tick":2\}\}' \
    "the relay shows each next, server>client"
like "$LOUT" '1 server>client .*complete' "... and the complete"
like "$LOUT" '1 server>client .*connection_ack' "... and the ack"
unlike "$LOUT" 'protocol error' "no violation on a clean exchange"
stop_server "$LPID"
stop_server

# a server breaking a rule: reported by the relay, relayed all the same
start_gql --script --on-subscribe '{"type":"next","id":"other","payload":{}}' \
    --on-subscribe '{"type":"next","id":"$ID","payload":{"data":{"a":1}}}' \
    --on-subscribe '{"type":"complete","id":"$ID"}'
GQL=$PORT
start_listen --proto graphql --forward "ws://127.0.0.1:$GQL/"
echo '{ a }' >"$T/op4"
timeout 20 node "$CLIENT" "$(lurl)" <"$T/op4" >"$T/client4.out" 2>"$T/client4.err"
ok "the relay names the server's violation" \
    wait_for "$LOUT" 'graphql protocol error: next for unknown id "other"' 5
is "$(cat "$T/client4.out")" '{"data":{"a":1}}' \
    "the relay kept relaying: the client got its result"

done_testing
