#!/bin/sh
# What compression did, shown: the wire size of a message sent compressed
# (--jsonl), a summary at the end of a scripted session, and with --frames
# in relay mode the inflated text beside the compressed frames.
. tests/lib.sh
need_wscli

start_node_echo --deflate || { echo "Bail out! node echo server did not start"; exit 1; }
NODE_UP=$PORT
"$PYTHON" -c 'print("abc" * 1000)' >"$T/rep.in"

run_wscli --deflate --jsonl "$(url)" <"$T/rep.in"
status_is 0 "--deflate --jsonl: exit 0"
like "$OUT" '^\{"event":"message","dir":"wscli>server","type":"text","size":3000,"fragments":1,"compressed":true,"wire_size":[0-9]{1,2},' \
    "--jsonl: the message sent compressed has its wire size"
like "$OUT" '^\{"event":"deflate","messages_in":1,"compressed_in":1,"wire_in":[0-9]+,"inflated_in":3000,"messages_out":1,"compressed_out":1,' \
    "--jsonl: a deflate event at the end"

run_wscli --deflate "$(url)" <"$T/rep.in"
like "$ERR" '^wscli: permessage-deflate: in 1 of 1 message compressed, [0-9]+ B on the wire for 3000 B \([0-9.]+%\); out 1 of 1, [0-9]+ B on the wire for 3000 B' \
    "scripted: a compression summary at the end"
run_wscli "$(url)" <"$T/rep.in"
unlike "$ERR" 'on the wire' "without deflate: no summary"

start_listen --forward "ws://127.0.0.1:$NODE_UP/" --deflate --frames --once
run_client NODE "$(lurl)" --deflate --send "$(cat "$T/rep.in")" --expect 1
wait_listen
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  frame text +fin=1 rsv=100 ' "relay --frames: the compressed frame"
like "$LOUT" '^1 client>server +\+[0-9.]+ m?s  text +3000 B  \[deflated [0-9]+ B\] abcabc' \
    "relay --frames with deflate: the message line shows the inflated text"

done_testing
