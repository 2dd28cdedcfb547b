#!/bin/sh
# --ping-interval reports pong round-trip times; --ping-timeout ends the
# session with 7 when a server never answers pings (httpd.py "silent": a
# correct upgrade, then nothing).
. tests/lib.sh
need_wscli

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
node=$PORT

run_wscli --ping-interval 0.2 -w 1 "$(url)"
status_is 0 "--ping-interval 0.2 -w 1: exit 0"
like "$ERR" 'pong: rtt [0-9]+(\.[0-9]+)? ms' "--ping-interval: pong RTTs on stderr"
n=$(grep -c 'pong: rtt' "$ERR")
ok "--ping-interval 0.2 -w 1: 2 to 6 pongs reported (got $n)" [ "$n" -ge 2 -a "$n" -le 6 ]
is "$(cat "$OUT")" "" "--ping-interval: nothing on stdout"

run_wscli -q --ping-interval 0.2 -w 0.7 "$(url)"
status_is 0 "-q --ping-interval: exit 0"
unlike "$ERR" 'pong' "-q: pongs not reported"

run_wscli --ping-interval 0.2 --ping-timeout 2 -w 1 --send hi "$(url)"
status_is 0 "--ping-timeout with a server that answers: exit 0"
is "$(cat "$OUT")" "hi" "--ping-timeout with a server that answers: message echoed"

spawn silent "$PYTHON" "$SERVERS/httpd.py" 0 "/silent silent" &&
    wait_port_line && server_started || { echo "Bail out! httpd.py did not start"; exit 1; }

run_wscli --ping-interval 0.2 --ping-timeout 0.5 -w 10 "$(url silent)"
status_is 7 "server that never answers pings: exit 7"
like "$ERR" 'no pong.*--ping-timeout' "server that never answers pings: names --ping-timeout"
ok "server that never answers pings: ends within 3 s ($ELAPSED_MS ms)" [ "$ELAPSED_MS" -lt $((3000 + TIME_SLACK_MS)) ]
ok "server that never answers pings: not before the timeout ($ELAPSED_MS ms)" [ "$ELAPSED_MS" -ge 600 ]

run_wscli --ping-interval 0.2 --ping-timeout 0.5 --jsonl -w 10 "$(url silent)"
status_is 7 "--ping-timeout with --jsonl: exit 7"
like "$OUT" '"event":"ping","dir":"wscli>server"' "--ping-timeout with --jsonl: the unanswered ping is shown"
like "$OUT" '"event":"error"' "--ping-timeout with --jsonl: an error event"

# Without --ping-timeout a silent server is not an error.
run_wscli --ping-interval 0.2 -w 1 --close-timeout 1 "$(url silent)"
unlike "$ERR" 'ping-timeout' "silent server without --ping-timeout: no ping timeout"
status_is 7 "silent server without --ping-timeout: exit 7 (no answer to the close)"
like "$ERR" 'no close reply' "silent server without --ping-timeout: the close timed out"

# The peer is told before TCP goes: 1001 Going Away, with why.
start_raw no-pong || { echo "Bail out! raw server did not start"; exit 1; }
run_wscli --ping-interval 0.2 --ping-timeout 0.5 -w 10 "$(url)"
status_is 7 "--ping-timeout, a server that reads: exit 7"
took "--ping-timeout, a server that reads: no wait for a close answer" 3000
wait_for "$SERVER_LOG" 'client: CLOSE' 5
like "$SERVER_LOG" "^raw: client: CLOSE 1001 'no pong within --ping-timeout'\$" \
    "--ping-timeout: a close frame 1001 with the reason goes first"

done_testing
