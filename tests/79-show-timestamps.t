#!/bin/sh
# -t in scripted output: text messages on stdout, lines on stderr, --frames
# lines, the relay's log and --jsonl (elapsed) all carry the time.
. tests/lib.sh
need_wscli

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
NODE_UP=$PORT
CLOCK='[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}'
echo hello >"$T/in"

run_wscli -t --frames "$(url)" <"$T/in"
status_is 0 "-t: exit 0"
like "$OUT" "^$CLOCK hello\$" "-t: the message on stdout starts with the time"
like "$ERR" "^$CLOCK wscli: connected to " "-t: a line on stderr too"
like "$ERR" "^$CLOCK <  *frame text +fin=1 |^$CLOCK < ?frame text" "-t: a --frames line too"

run_wscli --timestamps=elapsed "$(url)" <"$T/in"
like "$OUT" '^\+ +[0-9]+\.[0-9]{3} hello$' "-t elapsed: seconds since the start"

run_wscli --timestamps=elapsed --jsonl "$(url)" <"$T/in"
like "$OUT" '^\{"event":"message","dir":"server>client",.*"elapsed":[0-9]+\.[0-9]{3},"time":' \
    "-t elapsed with --jsonl: an elapsed field"

start_listen --forward "ws://127.0.0.1:$NODE_UP/" --once -t
run_client NODE "$(lurl)" --send one --expect 1
wait_listen
like "$LOUT" "^$CLOCK 1 client>server +\\+[0-9.]+ m?s  text +3 B  one\$" "-t: the relay's log lines"

done_testing
