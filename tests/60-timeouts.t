#!/bin/sh
# Bounded waits: a server that never answers the close; a reader that stops
# reading (head -1) with endless input or endless messages; a reader that
# never reads, with --timeout.
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

# a reader that never reads at all: --timeout still ends the session
start=$(now_ns)
( "$WSCLI" -w 30 --timeout 1 "$flood_url" </dev/null 2>"$T/stall.err"
  echo $? >"$T/stall.rc" ) | sleep 15 &
stall_reader=$!
i=0
while [ ! -s "$T/stall.rc" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ms=$(elapsed_ms "$start")
ok "stdout not read, --timeout 1: ends within 4 s (took $ms ms)" \
    sh -c '[ -s "$1" ] && [ "$2" -lt "$3" ]' - "$T/stall.rc" "$ms" $((4000 + TIME_SLACK_MS))
is "$(cat "$T/stall.rc" 2>/dev/null)" 7 "stdout not read, --timeout 1: exit 7"
like "$T/stall.err" 'timed out: --timeout 1 s, with standard output not being read: [0-9]+ bytes of output were not written' \
    "stdout not read: the timeout names the reader that stopped"
kill "$stall_reader" 2>/dev/null
wait "$stall_reader" 2>/dev/null

start_node_echo
echo_url=$(url)
pipeline_ends "endless stdin (yes), | head -1" \
    "yes | $WSCLI $echo_url | head -n 1"
like "$T/pipe.out" '^y$' "endless stdin: first echo printed"

sleep 0.5
left=$(pgrep -f "^$WSCLI (-w 30 $flood_url|$echo_url)\$" || true)
is "$left" "" "no wscli left running"

done_testing
