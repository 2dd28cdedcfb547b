#!/bin/sh
# --proto graphql at the REPL (a tmux pane), against graphql-ws's server:
# connection_ack shown, /subscribe with the next id and each result shown
# with it, /complete, a subscribe typed by hand followed as well, pings
# only with /frames, the close codes by their GraphQL names.
. tests/lib.sh
. tests/tmux.sh

start_gql --ping 300 || { echo "Bail out! gql-server.js did not start"; exit 1; }

start_repl "graphql REPL" -- --color=never --proto graphql "$(url)"
screen_like '^< connection_ack' "connection_ack is shown"
send_line '/subscribe { hello }'
screen_like '^operation 1 started' "/subscribe says the operation's id"
screen_like '^< next 1 \{"data":\{"hello":"world"\}\}$' "its result shown with the id"
screen_like '^< complete 1$' "... and its end"
send_line '/subscribe subscription { tick(n: 100, ms: 100) }'
screen_like '^< next 2 \{"data":\{"tick":2\}\}$' "a subscription's results, id 2"
send_line '/complete 2'
screen_like '^operation 2 completed' "/complete stops it"
sleep 0.5
screen
ticks=$(grep -c '^< next 2 ' "$SCREEN")
sleep 0.5
screen
is "$(grep -c '^< next 2 ' "$SCREEN")" "$ticks" "no more results after /complete"
send_line '/complete 2'
screen_like '/complete 2: that operation is over' "/complete of an operation over: refused, named"
send_line '{"type":"subscribe","id":"mine","payload":{"query":"{ add(a: 1, b: 2) }"}}'
screen_like '^< next mine \{"data":\{"add":3\}\}$' "a subscribe typed by hand: its result shown, no violation"
screen_unlike 'protocol error' "... not taken for a violation"
send_line '/subscribe { nosuch }'
screen_like '^< error 3 \[\{"message":"Cannot query field' "an error shown with its id"
screen_unlike '^< ping' "the server's pings are answered without being shown"
send_line '/frames on'
screen_like '^< ping$' "with /frames the pings are shown"
screen_like '^> pong$' "... and wscli's pongs"
send_line '/frames off'
send_line '/help'
screen_like '/subscribe OPERATION ' "/help lists /subscribe"
screen_like '/complete ID' "/help lists /complete"
send_line '{"type":"connection_init"}'
screen_like '4429 Too many initialisation requests' "a second init typed: 4429 named"
exit_is 8 "closed by the server with 4429: exit 8"
repl_end

# listen mode: graphql-ws's client subscribes, the results are typed
repl -- --color=never -l 0 --proto graphql
if wait_screen 'listening on 127\.0\.0\.1:[0-9]+' && wait_last '^>$'; then
    pass "listen REPL: listening, prompt shown"
else
    fail "listen REPL: listening, prompt shown"
    show_screen
fi
LPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SCREEN" | head -n 1)
echo '{ hello }' >"$T/lop"
timeout 20 node tests/bench/gql-client.js "$(lurl)" <"$T/lop" >"$T/lclient.out" \
    2>"$T/lclient.err" &
cpid=$!
screen_like '^<1 connection_init$' "the client's connection_init is shown"
screen_like '^<1 subscribe [^ ]+ \{"query":"\{ hello \}"\}$' "its subscribe, with its id"
screen
id=$(sed -n 's/^<1 subscribe \([^ ]*\) .*/\1/p' "$SCREEN" | head -n 1)
send_line "/next nosuch {\"data\":{}}"
screen_like '/next nosuch: next for unknown id "nosuch"' "/next for an id no client has: refused, named"
send_line "/next $id {\"data\":{\"hello\":\"typed\"}}"
send_line "/complete $id"
wait "$cpid"
is "$?" 0 "the client's operation completed"
is "$(cat "$T/lclient.out")" '{"data":{"hello":"typed"}}' "it got the result typed with /next"
repl_end

done_testing
