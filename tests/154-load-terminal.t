#!/bin/sh
# --load at a terminal: one progress line on stderr, updated in place while
# it runs and gone before the report; Ctrl-C closes every connection with
# 1000 and still reports.
. tests/lib.sh
. tests/tmux.sh

start_node_echo || { echo "Bail out! node echo server"; exit 1; }
URL=ws://127.0.0.1:$PORT/

repl -- --load "$URL" --connections 20 --send 'x {n}' --msg-rate 20 \
    --duration 3
screen_like '^[0-9]+\.[0-9] s  20/20 open  0 failed  [0-9]+ sent  [0-9]+ received  rtt p50 [0-9.]+ (us|ms) p99 ' \
    "a progress line while it runs"
exit_is 0 "ends after --duration with 0"
screen_like '^connections +20 opened in ' "then the report"
screen
ok "the progress line is one line, cleared before the report" \
    test "$(grep -c '/20 open' "$SCREEN")" -eq 0
repl_end

repl -- --load "$URL" --connections 5
screen_like '^[0-9]+\.[0-9] s  5/5 open' "idle connections: progress line"
keys C-c
exit_is 0 "Ctrl-C: exit 0"
screen_like '^ended +5  closed by wscli: 1000, answered$' \
    "Ctrl-C: every connection closed with 1000 and answered"
repl_end

done_testing
