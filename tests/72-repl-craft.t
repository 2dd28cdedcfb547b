#!/bin/sh
# Crafting in the REPL: /frame, /raw, /frag and /close --any send exactly
# what is typed, shown frame by frame with the rule each breaks, while
# what the server answers is still checked. Driven through a terminal.
. tests/lib.sh
. tests/tmux.sh

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

start_repl "fragments" -- --color=never "ws://127.0.0.1:$PORT"
send_line "/frame fin=0 Hel"
screen_like '^> frame text +fin=0 rsv=000 len=3 \(7-bit\) mask=[0-9a-f]{8}  "Hel"$' \
    "/frame: the first fragment is shown as sent"
send_line "/frame op=ping mid"
screen_like '^< pong +3 B  mid \(rtt [0-9.]+ ms\)$' \
    "/frame: a ping between fragments is answered, its pong matched to it"
screen_unlike 'unsolicited' "/frame: the pong to a crafted ping is not unsolicited"
send_line "/frame op=cont lo"
screen_like '^> frame cont +fin=1 rsv=000 len=2 \(7-bit\) mask=[0-9a-f]{8}  "lo"$' \
    "/frame: the continuation, not flagged (the message was started)"
screen_like '^< text +5 B  Hello$' "/frame: the server reassembled the message"
send_line "/frag 3 abcdefgh"
screen_like '^> frame cont +fin=0 rsv=000 len=3 .*"cde"$' "/frag: the middle fragment"
screen_like '^< text +8 B  abcdefgh$' "/frag: echoed whole"
send_line "/frame width=16 mask=37fa213d hi"
screen_like '^> frame text +fin=1 rsv=000 len=2 \(16-bit\) mask=37fa213d  "hi"  \(payload length not in its shortest encoding\)$' \
    "/frame: a non-minimal length is named"
send_line "/frame rsv=9 x"
screen_like 'rsv=9: RSV is 0-7' "/frame: a bad field is named"
send_line "/frame fni=1"
screen_like "unknown field 'fni'" "/frame: a typo is not sent as payload"
send_line "/raw zz"
screen_like "/raw: not a hex byte at position 1" "/raw: bad hex refused"
send_line "/frag 0 x"
screen_like "/frag: '0' is not a number of fragments" "/frag: bad count refused"
send_line "/close --any 70000"
screen_like "/close --any: '70000' is not a code from 0 to 65535" "/close --any: range"
send_line "/raw 81 85 00 00 00 00 48 65 6c 6c 6f"
screen_like '^> frame text +fin=1 rsv=000 len=5 \(7-bit\) mask=00000000  "Hello"$' \
    "/raw: the bytes are shown as the frame they make"
screen_like '^< text +5 B  Hello$' "/raw: the server took them"
send_line "/frame rsv=4 bad"
screen_like '^> frame text +fin=1 rsv=100 .*"bad"  \(RSV bits set but no extension was negotiated\)$' \
    "/frame: RSV1 shown with the rule it breaks"
screen_like 'closed by server: 1002 Protocol Error' "/frame: the server closed 1002"
exit_is 8 "RSV1: the session ends with exit 8"
repl_end

start_repl "close --any" -- --color=never "ws://127.0.0.1:$PORT"
send_line "/close --any 1005 not allowed"
screen_like '^> frame close +fin=1 rsv=000 len=[0-9]+ .*1005 No Status Received "not allowed"  \(1005 \(No Status Received\) is reserved .*must never be sent\)$' \
    "/close --any: a code that must never be sent goes out, named"
screen_like 'the server answered 1002 Protocol Error' "/close --any: the server answered 1002"
exit_is 8 "/close --any: exit 8"
repl_end

# The server's answer is still checked: raw.py sends an invalid frame.
start_raw masked || { echo "Bail out! raw server did not start"; exit 1; }
repl -- --color=never "ws://127.0.0.1:$PORT"
screen_like 'protocol error: masked frame from the server' "a masked frame from the server is still named"
repl_end

done_testing
