#!/bin/sh
# Listen mode at a terminal (a tmux pane): messages shown with the client
# id, typed lines to all clients or the one chosen with /to, /all, /list,
# /kick, /ping and /close on the target, crafted frames (/frame, /frag,
# /raw, /close --any), the prompt naming the target, /help, completion,
# and /quit.
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
if wait_screen 'listening on 127\.0\.0\.1:[0-9]+' && wait_last '^>$'; then
    pass "listen REPL: listening, prompt shown"
else
    fail "listen REPL: listening, prompt shown"
    show_screen
    done_testing
    exit 1
fi
LPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SCREEN" | head -n 1)

send_line "nobody there"
screen_like '^not sent: no client is connected$' "a line with no client: not sent, said so"
send_line "/list"
screen_like "^no client is connected \\(listening on 127\\.0\\.0\\.1:$LPORT\\)\$" "/list with no client"

bg_client a NODE "$(lurl a)" --send "hello from node" --expect 1
A=$BG_PID
screen_like '^<1 text +15 B  hello from node$' "a message is shown with the client id"
screen_like '^client 1: GET /a HTTP/1\.1$' "the client's request is shown"
screen_like '^client 1:   Sec-WebSocket-Key: ' "... with its headers"
bg_client b PY "$(lurl b)" --send "hello from python" --expect 2
B=$BG_PID
screen_like '^<2 text +17 B  hello from python$' "a second client's message, with its id"

send_line "/list"
screen_like '^  1    127\.0\.0\.1:[0-9]+ +- +[0-9.]+s +1 msg 15 B +0 msg 0 B$' "/list: client 1 with its counts"
screen_like '^  2    127\.0\.0\.1:[0-9]+ +- +[0-9.]+s +1 msg 17 B +0 msg 0 B$' "/list: client 2"
screen_like '^typed lines go to all clients$' "/list: says where typed lines go"

send_line "/to 2"
screen_like '^typed lines go to client 2 \(127\.0\.0\.1:[0-9]+\)$' "/to 2: confirmed"
last_like '^2>$' "/to 2: the prompt names the client"
send_line "only to two"
wait_for "$T/b.out" '^text only to two$' 10
like "$T/b.out" '^text only to two$' "/to 2: client 2 gets the line"
unlike "$T/a.out" 'only to two' "/to 2: client 1 does not"
send_line "/ping are you there"
screen_like '^<2 pong +13 B  are you there \(rtt [0-9.]+ ms\)$' "/ping goes to the target; its pong shows the round trip"
send_line "/stats"
screen_like '^sent: +1 message, 11 bytes$' "/stats describes the target"
send_line "/to 9"
screen_like '^/to: no client 9 \(see /list\)$' "/to an unknown id: refused"
send_line "/all"
screen_like '^typed lines go to all clients \(2 connected\)$' "/all: confirmed"
last_like '^>$' "/all: the plain prompt again"
send_line "to everyone"
wait "$A"
is "$?" 0 "client 1 got its message and closed"
wait "$B"
is "$?" 0 "client 2 got its two and closed"
like "$T/a.out" '^text to everyone$' "/all: client 1 got the line"
like "$T/b.out" '^text to everyone$' "/all: client 2 got it too"
screen_like '^client 2: closed by client: 1000 Normal Closure; answered' "a client's close is shown with its id"

bg_client c NODE "$(lurl c)" --expect 5
C=$BG_PID
screen_like '^client 3: answered 101' "a third client"
send_line "/kick"
screen_like '^/kick: usage: /kick ID \[CODE \[REASON\]\]$' "/kick without an id: usage"
send_line "/kick 3 999"
screen_like '^/kick: 999 may not be sent' "/kick with a code that may not be sent: refused"
send_line "/kick 3 4000 go away"
screen_like '^client 3: closing with 4000 Private Use "go away"$' "/kick: confirmed"
wait "$C"
like "$T/c.out" '^close 4000 go away$' "/kick: the client got 4000 and the reason"
screen_like '^client 3: closed by wscli with 4000; the client answered 4000' "/kick: the client's answer is shown"

bg_client d NODE "$(lurl d)" --expect 5
D=$BG_PID
screen_like '^client 4: answered 101' "a fourth client"
send_line "/to 4"
send_line "/close 1001 bye"
screen_like "^waiting for the client's close$" "/close on the target: waits for the client's close"
wait "$D"
like "$T/d.out" '^close 1001 bye$' "/close: the client got 1001 and the reason"
screen_like '^client 4 is gone: typed lines are not sent until /all or /to another client$' \
    "the target gone: said so, and kept"
last_like '^4>$' "the target gone: the prompt still names it"
send_line "/all"

send_line "/help"
screen_like '^  /to ID +typed lines and commands go to client ID$' "/help lists /to"
screen_like '^  /kick ID \[CODE \[REASON\]\] +close client ID' "/help lists /kick"
type_text "/ki"
keys Tab
last_like '^> /kick$' "Tab completes the mode's own commands"
keys C-u

# crafting towards a client: unmasked, shown with its id, its answers
# matched
bg_client f NODE "$(lurl f)" --expect 5
F=$BG_PID
screen_like '^client 5: answered 101' "a client for crafted frames"
send_line "/frame fin=0 Hel"
screen_like '^>5 frame text +fin=0 rsv=000 len=3 \(7-bit\) mask=-  "Hel"$' \
    "/frame to a client: unmasked, shown with the client id"
send_line "/frame op=ping p"
screen_like '^<5 pong +1 B  p \(rtt [0-9.]+ ms\)$' \
    "/frame ping to a client: its pong answers it"
send_line "/frame op=cont lo"
send_line "/frag 2 abcd"
screen_like '^>5 frame cont +fin=1 rsv=000 len=2 .*"cd"$' "/frag to a client"
send_line "/raw 81 02 6f 6b"
screen_like '^>5 frame text +fin=1 rsv=000 len=2 \(7-bit\) mask=-  "ok"$' "/raw to a client"
send_line "/close --any 4001 crafted"
screen_like '^>5 frame close .*4001 Private Use "crafted"$' "/close --any to a client"
wait "$F"
is "$(grep '^text' "$T/f.out")" "$(printf 'text Hello\ntext abcd\ntext ok')" \
    "the client got the crafted messages whole"
like "$T/f.out" '^close 4001 crafted$' "/close --any: the client answered the crafted close"
screen_like '^client 5: closed by wscli with 4001; the client answered 4001' \
    "/close --any: counts as wscli's close of that client"
screen_unlike 'not available here' "crafting is available in listen mode"

bg_client e NODE "$(lurl e)" --expect 5
E=$BG_PID
screen_like '^client 6: answered 101' "a sixth client"
printf 'File\000\377' >"$T/small.bin"
send_line "/file $T/small.bin"
screen_like "^> binary +6 B  file $T/small\\.bin\$" "/file: sent, shown"
truncate -s 65M "$T/huge.bin"
send_line "/file $T/huge.bin"
screen_like '^/file: larger than 64 MiB, the most sent as one message here$' \
    "/file over 64 MiB: refused with the reason"
keys C-c
screen_like 'Ctrl-C again or Ctrl-D to stop listening and close every client' \
    "Ctrl-C on an empty line: the hint says the whole server stops"
send_line "/quit"
exit_is 0 "/quit: closes every client and exits 0"
wait "$E"
like "$T/e.out" '^binary 46696c6500ff$' "/file: the client got the file's bytes"
like "$T/e.out" '^close 1000 $' "/quit: the client got 1000"
repl_end

done_testing
