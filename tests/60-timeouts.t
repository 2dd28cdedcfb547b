#!/bin/sh
# Bounded waits: a server that never answers the close; a reader that stops
# reading (head -1) with endless input or endless messages.
. tests/lib.sh
need_wscli

start_raw no-close-reply
run_wscli --close-timeout 1 "$(url)" </dev/null
status_is 7 "no close reply, --close-timeout 1: exit 7"
ok "no close reply, --close-timeout 1: ends within 5 s (took ${ELAPSED_MS} ms)" \
    [ "$ELAPSED_MS" -lt $((5000 + TIME_SLACK_MS)) ]
like "$ERR" '^wscli: ' "no close reply: reported on stderr"

# pipeline_ends DESC CMD: run the shell pipeline CMD with a 20 s limit, check
# that it ends within 5 s. No process may be left behind.
pipeline_ends() {
    start=$(now_ns)
    timeout -k 2 20 sh -c "$2" >"$T/pipe.out" 2>"$T/pipe.err"
    ms=$(elapsed_ms "$start")
    ok "$1: ends within 5 s (took $ms ms)" [ "$ms" -lt $((5000 + TIME_SLACK_MS)) ]
    is "$(wc -l <"$T/pipe.out" | tr -d ' ')" 1 "$1: head got its line"
}

start_node_echo --flood
flood_url=$(url)
pipeline_ends "server sending without end, | head -1" \
    "$WSCLI -w 30 $flood_url </dev/null | head -n 1"
like "$T/pipe.out" '^message 1$' "server sending without end: first message printed"

start_node_echo
echo_url=$(url)
pipeline_ends "endless stdin (yes), | head -1" \
    "yes | $WSCLI $echo_url | head -n 1"
like "$T/pipe.out" '^y$' "endless stdin: first echo printed"

sleep 0.5
left=$(pgrep -f "^$WSCLI (-w 30 $flood_url|$echo_url)\$" || true)
is "$left" "" "no wscli left running"

done_testing
