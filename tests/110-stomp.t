#!/bin/sh
# --proto stomp against a real STOMP-over-WebSocket broker
# (tests/servers/stomp-broker.js, stomp-broker-js): CONNECT and CONNECTED,
# --subscribe, stdin lines as SEND to --destination, MESSAGE bodies as
# lines, heart-beats kept both ways over several short intervals, a
# silent server's promised heart-beats missed (exit 7), --jsonl headers,
# ERROR ending the session, DISCONNECT with its receipt.
. tests/lib.sh
need_wscli

start_stomp_broker --heart-beat 0,300 --margin $((200 + TIME_SLACK_MS)) ||
    skip_all "the STOMP broker did not start"
B=$SERVER_LOG
U=ws://127.0.0.1:$PORT/stomp

# A subscriber and a sender: each line sent is one line received.
"$WSCLI" --proto stomp --keepalive 0.2 --subscribe /queue/a -n 2 "$U" \
    >"$T/sub.out" 2>"$T/sub.err" &
sub=$!
wait_for "$B" 'subscribe /queue/a' 10
printf 'hello\nworld\n' >"$T/in"
run_wscli -v --proto stomp --keepalive 0.2 --destination /queue/a "$U" <"$T/in"
status_is 0 "the sender: exit 0"
like "$ERR" 'Sec-WebSocket-Protocol: v12\.stomp, v11\.stomp, v10\.stomp' \
    "--proto stomp offers v12.stomp, v11.stomp, v10.stomp"
like "$ERR" '< connected STOMP 1\.1, server STOMP-JS/[0-9.]+, heart-beats: sending every 300 ms' \
    "CONNECTED shown: the version, the server, the heart-beats agreed"
like "$ERR" '> frame SEND destination:/queue/a content-type:text/plain content-length:5 body=5' \
    "-v shows each SEND with its headers"
like "$ERR" '< frame RECEIPT receipt-id:w1' \
    "the end of input: DISCONNECT, and its RECEIPT"
like "$B" 'connected \{"accept-version":"1.0,1.1,1.2","host":"127.0.0.1","heart-beat":"200,200"\}' \
    "CONNECT carries accept-version, the URL's host and the heart-beats offered"
like "$B" 'send /queue/a hello' "the broker took the first line"
like "$B" 'send /queue/a world' "the broker took the second line"
tries=50
while kill -0 "$sub" 2>/dev/null && [ "$tries" -gt 0 ]; do
    sleep 0.1
    tries=$((tries - 1))
done
kill "$sub" 2>/dev/null
wait "$sub"
is "$?" 0 "the subscriber: exit 0 after -n 2"
is "$(cat "$T/sub.out")" "$(printf 'hello\nworld')" \
    "each MESSAGE body is one line on stdout"

# Heart-beats kept: the broker wants one every 300 ms (and closes after
# 500 ms of silence); a 2 s session with nothing else to say stays up.
: >"$B.mark"
mkfifo "$T/slow.fifo"
(echo one; sleep 2; echo two) >"$T/slow.fifo" &
run_wscli -v --proto stomp --keepalive 0.2 --destination /queue/b "$U" <"$T/slow.fifo"
status_is 0 "2 s of 300 ms heart-beats: exit 0"
beats=$(grep -c '> heart-beat' "$ERR")
ok "wscli sent a heart-beat every interval ($beats in 2 s)" [ "$beats" -ge 4 ]
unlike "$B" 'heart-beat late' "the broker never found a heart-beat late"
like "$B" 'send /queue/b two' "the line after the quiet 2 s reached the broker"
run_wscli --proto stomp --keepalive 0.2 --destination /queue/b "$U" <"$T/in"
unlike "$ERR" '[<>] heart-beat' "without -v heart-beats are not shown"

# --login: login and passcode in CONNECT, the passcode hidden from -v.
run_wscli -v --proto stomp --login guest:s3cret --destination /queue/l "$U" <"$T/in"
status_is 0 "--login: exit 0"
like "$B" '"login":"guest","passcode":"s3cret"' "CONNECT carries login and passcode"
like "$ERR" '> frame CONNECT .* login:guest passcode:\*\*\* ' "-v shows the login, not the passcode"
unlike "$ERR" 's3cret' "the passcode is nowhere on stderr"

# --proto auto: STOMP from the subprotocol agreed.
run_wscli -v --proto auto -s v12.stomp --destination /queue/auto "$U" <"$T/in"
status_is 0 "--proto auto -s v12.stomp: exit 0"
like "$ERR" '> frame SEND destination:/queue/auto' "the subprotocol v12.stomp chose STOMP"

# A relay between a client and the broker decodes both directions.
start_listen --forward "ws://127.0.0.1:$PORT" --proto stomp --frames || skip_all "the relay did not start"
run_wscli --proto stomp --keepalive 0.2 --destination /queue/r "$(lurl stomp)" <"$T/in"
status_is 0 "through a --proto stomp relay: exit 0"
wait_for "$LOUT" 'server>client .*close' 5
like "$LOUT" '^1 client>server +\+[0-9.]+ ms  send /queue/r hello$' \
    "the relay log shows the client's SEND for what it is"
grep -h 'frame ' "$LERR" "$LOUT" >"$T/relay.frames"
like "$T/relay.frames" 'server>client.*frame CONNECTED .*version:1\.1' \
    "with --frames the broker's CONNECTED with its headers"
like "$T/relay.frames" 'server>client.*frame RECEIPT receipt-id:w1' "... and the RECEIPT"

# A broker that sends the heart-beats: shown with -v, and they keep the
# session up.
stop_server
start_stomp_broker --heart-beat 200,0 || skip_all "the STOMP broker did not start"
U=ws://127.0.0.1:$PORT/stomp
run_wscli -v --proto stomp --keepalive 0.1 --subscribe /queue/c --timeout 1.5 "$U"
is "$STATUS" 7 "--timeout ends a subscribed session (exit 7)"
like "$ERR" 'heart-beats: sending none, expecting every 200 ms' \
    "the broker's heart-beats agreed"
beats=$(grep -c '< heart-beat' "$ERR")
ok "the broker's heart-beats are shown with -v ($beats)" [ "$beats" -ge 4 ]
unlike "$ERR" 'nothing from the server' "they came in time"

# --jsonl: a MESSAGE with its destination, id and headers.
stop_server
start_stomp_broker --publish /topic/t 'hi there' ||
    skip_all "the STOMP broker did not start"
U=ws://127.0.0.1:$PORT/stomp
run_wscli --jsonl --proto stomp --subscribe /topic/t -n 1 "$U"
status_is 0 "--jsonl -n 1: exit 0"
like "$OUT" '"event":"proto".*"proto":"stomp","kind":"message","name":"/topic/t","id":"[0-9]+","data":\{[^}]*"destination":"/topic/t"' \
    "--jsonl: kind message, the destination as name, the message-id, the headers as data"
like "$OUT" '"data":\{[^}]*"subscription":"0"' "the headers include the subscription"
like "$OUT" '"text":"hi there"' "and the body"
run_wscli --proto stomp --subscribe /topic/t -n 2 "$U"
status_is 0 "pipe, -n 2: exit 0"
is "$(cat "$OUT")" "$(printf 'hi there\nhi there')" "two bodies, two lines"

# ERROR from the broker ends the session: shown, exit 1.
stop_server
start_stomp_broker --error-on-subscribe || skip_all "the STOMP broker did not start"
U=ws://127.0.0.1:$PORT/stomp
run_wscli --proto stomp --subscribe /queue/nope "$U"
status_is 1 "an ERROR frame: exit 1"
like "$ERR" '< error SUBSCRIBE ERROR: /queue/nope' "the ERROR's message and body are shown"

done_testing
