#!/bin/sh
# --load against the Node "ws" echo server: a few hundred connections in
# lockstep and at a message rate, templates from --send and from stdin with
# their placeholders filled in, libcurl's dialer beside wscli's own.
. tests/lib.sh
need_wscli

start_node_echo --log-messages || { echo "Bail out! node echo server"; exit 1; }
URL=ws://127.0.0.1:$PORT/

run_wscli --load "$URL" --connections 300 --send 'hello {n} from {conn}' \
    --msg-rate lockstep -n 20 --duration 20
is "$STATUS" 0 "lockstep: exit 0"
like "$OUT" '^wscli --load ws://127\.0\.0\.1:[0-9]+/: 300 connections in ' \
    "lockstep: the report names the URL and the connections"
like "$OUT" '^connections +300 opened in [0-9.]+ s \([0-9]+/s\), 0 failed$' \
    "lockstep: all 300 opened, none failed"
like "$OUT" '^ended +300  closed by wscli: 1000, answered$' \
    "lockstep: all closed by wscli with 1000 and answered"
like "$OUT" '^messages +6000 sent \([0-9]+/s\), 6000 received \([0-9]+/s\), 6000 echoed, 0 unanswered$' \
    "lockstep: 20 messages each, every one echoed"
like "$OUT" '^bytes +[0-9]+ sent' "lockstep: bytes counted"
like "$OUT" '^round trip +p50 [0-9.]+ (us|ms) +p90 .* \(6000 echoes\)$' \
    "lockstep: round-trip percentiles of 6000 echoes"
like "$OUT" '^connect +p50 .* \(300 connections\)$' "lockstep: connect times"
like "$OUT" '^upgrade +p50 .* \(300 upgrades\)$' "lockstep: upgrade times"
like "$OUT" '^violations +none$' "lockstep: no violation"
like "$SERVER_LOG" 'received: hello 20 from 300$' \
    "lockstep: {n} and {conn} filled in"
unlike "$ERR" . "lockstep: nothing on stderr (not a terminal: no progress)"

run_wscli --load "$URL" --connections 100 --send 'tick {n} {ts}' \
    --msg-rate 20 --duration 2
is "$STATUS" 0 "--msg-rate: exit 0"
sent=$(sed -n 's/^messages *\([0-9]*\) sent.*/\1/p' "$OUT")
echoed=$(sed -n 's/.*, \([0-9]*\) echoed.*/\1/p' "$OUT")
# 100 connections at 20/s for 2 s: about 4000 (each starts at a random
# phase, some start late)
ok "--msg-rate: about 20 a second per connection ($sent)" \
    test "$sent" -ge 2500 -a "$sent" -le 4200
ok "--msg-rate: every message echoed ($echoed of $sent)" \
    test "$echoed" -ge $((sent - 100)) -a "$echoed" -le "$sent"
now_us=$(date +%s%6N)
ts=$(sed -n 's/.*received: tick 1 \([0-9]*\)$/\1/p' "$SERVER_LOG" | head -n 1)
ok "--msg-rate: {ts} is the wall clock in microseconds ($ts)" \
    test -n "$ts" -a "$ts" -le "$now_us" -a "$ts" -ge $((now_us - 60000000))

printf 'first {n}\nsecond {conn}\n' >"$T/tpl"
run_wscli --load "$URL" --connections 3 --msg-rate lockstep -n 4 <"$T/tpl"
is "$STATUS" 0 "stdin templates: exit 0"
like "$OUT" '12 echoed, 0 unanswered' "stdin templates: 4 messages each, echoed"
like "$SERVER_LOG" 'received: first 3$' "stdin templates: line 1 for message 3"
like "$SERVER_LOG" 'received: second 2$' "stdin templates: line 2 for message 2 or 4"
unlike "$SERVER_LOG" 'received: first 2$' "stdin templates: taken in turn"

run_wscli --load "$URL" --connections 5 -b --send '{not a placeholder}' \
    --msg-rate lockstep -n 2
like "$OUT" '10 echoed, 0 unanswered' "-b: binary messages echoed"
like "$OUT" '^bytes +190 sent' "-b: other braces sent as they are (19 bytes each)"

WSCLI_LOAD_CURL=1 run_wscli --load "$URL" --connections 20 --send x \
    --msg-rate lockstep -n 5
is "$STATUS" 0 "through libcurl's dialer: exit 0"
like "$OUT" '^connections +20 opened' "through libcurl: 20 opened"
like "$OUT" '100 echoed, 0 unanswered' "through libcurl: all echoed"

# no messages: connections are held open until --duration
run_wscli --load "$URL" --connections 50 --rate 100 --duration 1.5
is "$STATUS" 0 "idle connections: exit 0"
like "$OUT" '^connections +50 opened in 0\.[4-9][0-9] s' \
    "--rate 100: 50 connections take half a second"
like "$OUT" '^messages +0 sent' "idle: nothing sent"

# what cannot be meant
run_wscli --load "$URL" --send x
is "$STATUS" 2 "--send without --msg-rate: usage error"
like "$ERR" 'send goes with --msg-rate RATE or lockstep' \
    "--send without --msg-rate: said"
run_wscli --load "$URL" --msg-rate 5
is "$STATUS" 2 "--msg-rate without messages: usage error"
like "$ERR" 'msg-rate: no messages to send: give --send MESSAGE or lines on standard input' \
    "--msg-rate without messages: said"
run_wscli --load "$URL" -n 3
is "$STATUS" 2 "-n without messages: usage error"
printf '\377\n' >"$T/bad"
run_wscli --load "$URL" --msg-rate lockstep <"$T/bad"
is "$STATUS" 2 "a template that is not UTF-8: usage error"
like "$ERR" 'message template 1 is not valid UTF-8 \(use -b for binary messages\)' \
    "a template that is not UTF-8: said"

# --duration ends the run in lockstep, with a message just queued on each
# connection: it still reaches the server before the CLOSE, so "sent" is
# what the server received, and its echo is counted.
stop_server
start_node_echo --log-messages || { echo "Bail out! node echo server"; exit 1; }
run_wscli --load "ws://127.0.0.1:$PORT/" --connections 5 --send 'd{n}' \
    --msg-rate lockstep --duration 1
is "$STATUS" 0 "--duration in lockstep: exit 0"
sent=$(sed -n 's/^messages *\([0-9]*\) sent.*/\1/p' "$OUT")
sleep 0.3
got=$(grep -c "received: d[0-9]" "$SERVER_LOG")
is "$got" "$sent" "--duration in lockstep: the server received every message counted as sent"
like "$OUT" '^messages +[0-9]+ sent \([0-9]+/s\), [0-9]+ received \([0-9]+/s\), [0-9]+ echoed, 0 unanswered$' \
    "--duration in lockstep: none unanswered"

done_testing
