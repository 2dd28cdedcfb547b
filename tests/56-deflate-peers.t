#!/bin/sh
# permessage-deflate with libwebsockets' test server, and /deflate and
# /frames in the REPL: what was compressed, seen frame by frame.
. tests/lib.sh
need_wscli

# libwebsockets agrees permessage-deflate for lws-status, and then sends its
# JSON report compressed.
command -v libwebsockets-test-server >/dev/null 2>&1 ||
    skip_all "libwebsockets-test-server not installed"
start_lws || { echo "Bail out! libwebsockets-test-server did not start"; exit 1; }
run_wscli --deflate -s lws-status --jsonl -n 1 "$(url)"
status_is 0 "libwebsockets, lws-status, --deflate: exit 0"
like "$OUT" '"event":"open".*"subprotocol":"lws-status".*"extensions":"permessage-deflate' \
    "libwebsockets: permessage-deflate agreed"
like "$OUT" '"event":"message","dir":"server>client","type":"text","size":[0-9]+,"fragments":1,"compressed":true,"wire_size":[0-9]+,"text":"\{' \
    "libwebsockets: its JSON report came compressed and inflates to JSON"
run_wscli --deflate -s lws-status --frames -n 1 "$(url)"
like "$ERR" 'permessage-deflate: server 15-bit window' "libwebsockets: the parameters shown"
like "$ERR" '^< frame text   fin=1 rsv=100 ' "libwebsockets: --frames shows RSV1 on its message"

run_wscli --deflate -s dumb-increment-protocol -n 2 "$(url)"
status_is 0 "libwebsockets, dumb-increment-protocol, --deflate: exit 0"
like "$ERR" 'permessage-deflate declined' "libwebsockets declines deflate on dumb-increment-protocol: said so"
is "$(wc -l <"$OUT" | tr -d ' ')" 2 "dumb-increment-protocol: two counter messages, uncompressed"

# The REPL: /frames and /deflate.
. tests/tmux.sh
start_node_echo --deflate || { echo "Bail out! node echo server did not start"; exit 1; }
start_repl "deflate" -- --color=never --deflate "$(url)"
screen_like 'permessage-deflate: server 15-bit window' "REPL: the agreed parameters on connecting"
send_line "/frames"
screen_like '^frame view on$' "/frames: on"
send_line "squeeze squeeze squeeze squeeze"
screen_like '^> frame text   fin=1 rsv=100 len=[0-9]+ \(7-bit\) mask=[0-9a-f]{8}  [0-9a-f]{2} ' \
    "REPL: the typed line leaves compressed"
screen_like '^< text +31 B  \[deflated [0-9]+ B\] squeeze squeeze squeeze squeeze$' \
    "REPL: the echo says it came deflated"
send_line "/deflate"
screen_like '^compressing outgoing messages off$' "/deflate: off"
send_line "plain plain plain"
screen_like '^> frame text   fin=1 rsv=000 len=17 \(7-bit\) mask=[0-9a-f]{8}  "plain plain plain"$' \
    "/deflate off: the next message leaves uncompressed"
screen_like '^< text +17 B  \[deflated [0-9]+ B\] plain plain plain$' \
    "/deflate off: the server still compresses its echo"
send_line "/stats"
screen_like '^deflate: +in 2 of 2 messages compressed' "/stats: compression counted"
send_line "/quit"
exit_is 0 "REPL with deflate: exit 0"
repl_end

done_testing
