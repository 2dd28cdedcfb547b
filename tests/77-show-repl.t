#!/bin/sh
# What listen and relay modes show at a terminal: lines sent to clients
# carry the client id as received ones do, /stats describes every client
# when none is chosen, a client chosen with /to that leaves is kept as the
# target (nothing typed reaches the others), relay /list has a header and
# /all says where typed lines go; diagnostics read like the other lines.
. tests/lib.sh
. tests/tmux.sh

bg_client() {   # NAME NODE|PY ARGS...
    bname=$1 kind=$2
    shift 2
    if [ "$kind" = NODE ]; then
        timeout -k 5 30 node "$SERVERS/client.js" "$@" >"$T/$bname.out" 2>"$T/$bname.err" &
    else
        timeout -k 5 30 "$PYTHON" "$SERVERS/pyclient.py" "$@" >"$T/$bname.out" 2>"$T/$bname.err" &
    fi
    BG_PID=$!
}

repl -- --color=never -l 0
wait_screen 'listening on 127\.0\.0\.1:[0-9]+' && wait_last '^>$' ||
    { show_screen; echo "Bail out! listen REPL did not start"; exit 1; }
LPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SCREEN" | head -n 1)

bg_client a NODE "$(lurl a)" --expect 2
A=$BG_PID
screen_like '^client 1: answered 101' "client 1"
bg_client b NODE "$(lurl b)" --expect 2
B=$BG_PID
screen_like '^client 2: answered 101' "client 2"

send_line "to both"
screen_like '^>1 text +7 B  to both$' "a typed line: shown as sent to client 1, with its id"
screen_like '^>2 text +7 B  to both$' "... and to client 2"

send_line "/stats"
screen_like '^client 1:$' "/stats with two clients and no target: client 1 described"
screen_like '^client 2:$' "... and client 2"
screen_like '^sent: +1 message, 7 bytes$' "/stats: one message, singular"
screen_unlike 'no connection to describe' "/stats: no complaint"

send_line "/to 1"
screen_like '^typed lines go to client 1 ' "/to 1"
send_line "/kick 1"
wait "$A"
screen_like '^client 1 is gone: typed lines are not sent until /all or /to another client$' \
    "the target leaves: said so"
last_like '^1>$' "the target leaves: the prompt still names it"
send_line "private line"
screen_like '^not sent: that client is gone \(/all, or /to another\)$' \
    "a line for the client that left: refused"
sleep 0.5
unlike "$T/b.out" 'private line' "... and not sent to the other client"
send_line "/all"
send_line "public line"
wait "$B"
like "$T/b.out" '^text public line$' "after /all: lines go to every client again"
send_line "/quit"
exit_is 0 "/quit"
repl_end

# A diagnostic is a line of the display like the others: no "wscli: ".
repl -- --color=never -l 0
wait_screen 'listening on 127\.0\.0\.1:[0-9]+' && wait_last '^>$' ||
    { show_screen; echo "Bail out! listen REPL did not start"; exit 1; }
LPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SCREEN" | head -n 1)
timeout -k 5 20 "$PYTHON" "$SERVERS/rawclient.py" "$LPORT" unmasked >"$T/raw.out" 2>&1
screen_like '^client 1: protocol error: unmasked frame' "a protocol error: shown as a line of the display"
screen_unlike '^wscli: client' "no line about a client starts with 'wscli: '"
send_line "/quit"
exit_is 0 "/quit"
repl_end

# ------------------------------------------------------------------ relay

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
repl -- --color=never -l 0 --forward "ws://127.0.0.1:$PORT/"
wait_screen 'listening on 127\.0\.0\.1:[0-9]+' && wait_last '^>$' ||
    { show_screen; echo "Bail out! relay REPL did not start"; exit 1; }
LPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SCREEN" | head -n 1)
bg_client r NODE "$(lurl)" --expect 1
R=$BG_PID
screen_like '^relay 1: open' "relay: a pair"
send_line "/list"
screen_like '^  id  client +server  subprotocol  age  messages$' "relay /list: a header"
screen_like '^\* ?1 |^  1 ' "relay /list: the pair"
send_line "/all"
screen_like '^typed lines now go nowhere; /to ID client\|server chooses a side$' \
    "relay /all: says where typed lines go, not an error"
send_line "/stats"
screen_like '^relay 1 client>server:$' "relay /stats without a target: each side described"
send_line "/to 1 client hi"
screen_like '^1 wscli>client +\+[0-9.]+ m?s  text +2 B  hi$' "relay: wscli's own message, logged with its direction"
wait "$R"
send_line "/quit"
exit_is 0 "relay: /quit"
repl_end

done_testing
