#!/bin/sh
# --record at the REPL (a tmux pane) under --proto: the protocol's commands
# (/emit, /subscribe) are written as the lines that mean them, what came
# back as the lines the protocol writes; a bare message typed and an ack
# are comments. The file passes --test unchanged.
. tests/lib.sh
. tests/tmux.sh

spawn sio node "$SERVERS/sio-server.js" --port 0 && wait_port_line &&
    server_started || { echo "Bail out! socket.io server did not start"; exit 1; }
SIO=$PORT

REC=$T/sio.conv
start_repl "socketio" -- --color=never --proto socketio --record "$REC" \
    "ws://127.0.0.1:$SIO/"
screen_like '^< connect / sid=' "socketio: connected"
send_line '/emit echo "hi" {"a":1}'
screen_like '^< event echo \["hi",\{"a":1\}\]$' "socketio: /emit, the echo shown"
send_line '/emit question'
screen_like '^< event question \["ready\?"\]' "socketio: the server asks for an ack"
send_line '/ack 0 "yes"'
screen_like '^< event answer \["yes"\]$' "socketio: /ack answered it"
send_line '42["echo","bare"]'
screen_like '^< event echo \["bare"\]$' "socketio: a bare message typed, its echo shown"
send_line "/close"
exit_is 0 "socketio: closed, exit 0"
repl_end

grep -v '^# +' "$REC" >"$T/steps"
cat >"$T/want" <<EOF
@url ws://127.0.0.1:$SIO/socket.io/?EIO=4&transport=websocket
@proto socketio
> ["echo","hi",{"a":1}]
< ["echo","hi",{"a":1}]
> ["question"]
< ["question","ready?"]
# an ack typed: not recorded (a line under @proto socketio is an event)
< ["answer","yes"]
# a bare text message of 17 bytes was sent: not recorded (a line under @proto socketio is the protocol's)
< ["echo","bare"]
> /close 1000
< /close 1000
EOF
if cmp -s "$T/want" "$T/steps"; then
    pass "socketio: the commands as lines, the bare message and the ack as comments"
else
    fail "socketio: the commands as lines, the bare message and the ack as comments"
    diag_file "$REC"
fi

# Without the ack and the bare message the server does not answer them:
# those two expectations go, the rest runs unchanged.
grep -v -e '"answer"' -e '"bare"' "$REC" >"$T/run.conv"
run_wscli --test "$T/run.conv"
status_is 0 "socketio: --test passes the rest unchanged"

# GraphQL: /subscribe is an operation, its results are payloads
start_gql || { echo "Bail out! gql-server.js did not start"; exit 1; }
GREC=$T/gql.conv
start_repl "graphql" -- --color=never --proto graphql --record "$GREC" \
    "ws://127.0.0.1:$PORT/"
send_line '/subscribe subscription { tick(n: 2) }'
screen_like '^< complete 1$' "graphql: /subscribe ran to its complete"
send_line "/close"
exit_is 0 "graphql: closed, exit 0"
repl_end
grep -v '^# +' "$GREC" >"$T/gsteps"
cat >"$T/want" <<EOF
@url ws://127.0.0.1:$PORT/
@proto graphql
> subscription { tick(n: 2) }
< {"data":{"tick":1}}
< {"data":{"tick":2}}
> /close 1000
< /close 1000
EOF
if cmp -s "$T/want" "$T/gsteps"; then
    pass "graphql: /subscribe as its operation, the results as payloads"
else
    fail "graphql: /subscribe as its operation, the results as payloads"
    diag_file "$GREC"
fi
run_wscli --test "$GREC"
status_is 0 "graphql: --test passes the REPL recording unchanged"

# /complete has no line: a comment says it was not recorded
GREC2=$T/gql2.conv
start_repl "graphql /complete" -- --color=never --proto graphql \
    --record "$GREC2" "ws://127.0.0.1:$PORT/"
send_line '/subscribe subscription { tick(n: 1000, ms: 50) }'
screen_like '^< next 1 \{"data":\{"tick":2\}\}$' "graphql: a long subscription runs"
send_line '/complete 1'
screen_like 'operation 1 completed' "graphql: /complete stops it"
send_line "/close"
exit_is 0 "graphql /complete: closed, exit 0"
repl_end
like "$GREC2" '^# an operation completed by hand \(/complete\): not recorded' \
    "graphql: /complete, a comment in the file"

done_testing
