#!/bin/sh
# --record in listen mode: a directory with one conversation file per
# client, each the client's side (what it sent, what wscli answered), which
# runs again against a server alone; --record in scripted client mode; what
# --record refuses.
. tests/lib.sh
need_wscli

# ------------------------------------------------------------ listen mode

REC=$T/clients
start_listen --echo --send welcome -s chat --record "$REC" ||
    { echo "Bail out! wscli -l did not start"; exit 1; }
run_client NODE "$(lurl room?x=1)" -s chat --send "one" --binary-hex "0001ff" \
    --close 4001 bye --expect 3
is "$CLIENT_STATUS" 0 "listen: the Node client got its echoes and closed"
run_client PY "$(lurl)" --send "two" --expect 2
is "$CLIENT_STATUS" 0 "listen: the Python client too"
wait_for "$LERR" 'client 2: disconnected' 10
kill "$LPID"
wait_listen
is "$LSTATUS" 0 "listen: ends with 0 on SIGTERM"
ok "listen: a directory made, a file per client" \
    test -f "$REC/client-1.conv" -a -f "$REC/client-2.conv"

grep -v '^# +' "$REC/client-1.conv" >"$T/c1"
cat >"$T/want1" <<EOF
@url $(lurl room?x=1)
@protocol chat
< welcome
> one
< one
> /binary 00 01 ff
< /binary 00 01 ff
> /close 4001 bye
< /close 4001
EOF
if cmp -s "$T/want1" "$T/c1"; then
    pass "listen: client 1's side: its URL, its offer, what it sent and got"
else
    fail "listen: client 1's side: its URL, its offer, what it sent and got"
    diag_file "$REC/client-1.conv"
fi
grep -v '^# +' "$REC/client-2.conv" >"$T/c2"
printf '@url %s\n< welcome\n> two\n< two\n> /close 1000\n< /close 1000\n' \
    "$(lurl)" >"$T/want2"
if cmp -s "$T/want2" "$T/c2"; then
    pass "listen: client 2's own file"
else
    fail "listen: client 2's own file"
    diag_file "$REC/client-2.conv"
fi

# What a client did with wscli runs against another server alone: a Node
# echo server that greets the same way.
start_node_echo --send-on-connect welcome --protocols ||
    { echo "Bail out! node echo server did not start"; exit 1; }
run_wscli --replay "$REC/client-1.conv" --replay-speed 0 "$(url room)"
status_is 0 "listen: client 1's file replays against an echo server"
is "$(cat "$OUT")" "" "listen: ... with no difference"

# --record FILE with -l is a directory: an existing file is refused.
: >"$T/plain"
run_wscli -l 0 --record "$T/plain"
status_is 2 "listen: --record naming a file: exit 2"
like "$ERR" "^wscli: --record $T/plain: not a directory \\(with -l it is a directory: one file per client\\)\$" \
    "listen: --record naming a file: says it is a directory"

# ------------------------------------------------------------ relay mode

# With --frames the relay shows frames, not messages: the file still has
# the messages. A crafted frame from wscli's own side is a comment.
start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
start_listen --forward "$(url)" --frames --record "$T/pairs" ||
    { echo "Bail out! wscli -l --forward did not start"; exit 1; }
run_client NODE "$(lurl up)" --send "via relay" --expect 1
is "$CLIENT_STATUS" 0 "relay --frames: the client got its echo"
wait_for "$LERR" 'relay 1: over' 10
kill "$LPID"
wait_listen
grep -v '^# +' "$T/pairs/relay-1.conv" >"$T/r1"
printf '@url %s\n> via relay\n< via relay\n> /close 1000\n< /close 1000\n' \
    "$(url up)" >"$T/want-r1"
if cmp -s "$T/want-r1" "$T/r1"; then
    pass "relay --frames: the pair's messages recorded, the server's URL in the header"
else
    fail "relay --frames: the pair's messages recorded, the server's URL in the header"
    diag_file "$T/pairs/relay-1.conv"
fi

# ------------------------------------------------------- scripted client

# stdin lines, answers, the end of input's close; the pause between the
# lines is written and kept by --replay.
start_py_echo || { echo "Bail out! python echo server did not start"; exit 1; }
mkfifo "$T/in"
"$PYTHON" -c 'import sys, time
sys.stdout.write("first\n"); sys.stdout.flush(); time.sleep(1)
sys.stdout.write("tab\there\n"); sys.stdout.flush()' >"$T/in" &
run_wscli --record "$T/py.conv" "$(url)" <"$T/in"
status_is 0 "scripted: recorded, exit 0"
printf 'first\ntab\there\n' >"$T/expect"
ok "scripted: the echoes still go to stdout" cmp -s "$T/expect" "$OUT"
grep -v '^# +' "$T/py.conv" >"$T/steps"
printf '@url %s\n> first\n< first\n> /text "tab\\there"\n< /text "tab\\there"\n> /close 1000\n< /close 1000\n' \
    "$(url)" >"$T/want"
if cmp -s "$T/want" "$T/steps"; then
    pass "scripted: lines, echoes (a tab escaped) and the close"
else
    fail "scripted: lines, echoes (a tab escaped) and the close"
    diag_file "$T/py.conv"
fi
# the pauses are from one line to the next: between the two sends they
# add up to the second the lines were apart (the echo came in between)
gap=$(awk '/^> first$/ { on = 1; next } /^> / { on = 0 }
    on && /^# \+[0-9.]+s$/ { sub(/^# \+/, ""); sub(/s$/, ""); t += $0 }
    END { printf "%.3f", t }' "$T/py.conv")
ok "scripted: the 1 s pause is written ($gap s between the sends)" \
    awk -v g="$gap" 'BEGIN { exit !(g >= 0.9 && g < 1.6) }'

run_wscli --test "$T/py.conv"
status_is 0 "scripted recording against Python websockets: --test passes it unchanged"
run_wscli --replay "$T/py.conv"
status_is 0 "replay: the same answers, exit 0"
ok "replay: the recorded pause is kept (took $ELAPSED_MS ms)" [ "$ELAPSED_MS" -ge 950 ]
run_wscli --replay "$T/py.conv" --replay-speed 4
status_is 0 "replay --replay-speed 4: exit 0"
ok "replay --replay-speed 4: a quarter of the pause (took $ELAPSED_MS ms)" \
    [ "$ELAPSED_MS" -ge 240 -a "$ELAPSED_MS" -lt 900 ]
run_wscli --replay "$T/py.conv" --replay-speed 0
status_is 0 "replay --replay-speed 0: exit 0"
ok "replay --replay-speed 0: as fast as the server answers (took $ELAPSED_MS ms)" \
    [ "$ELAPSED_MS" -lt 700 ]

# --replay takes what the file says is sent, not stdin's lines and ways.
run_wscli --replay "$T/py.conv" --send x
status_is 2 "--replay with --send: exit 2"
like "$ERR" '^wscli: --send cannot be used with --replay' "--replay with --send: says why"
run_wscli --replay-speed 2 "$(url)"
status_is 2 "--replay-speed alone: exit 2"
like "$ERR" '^wscli: --replay-speed goes with --replay$' "--replay-speed alone: says why"
run_wscli --replay "$T/py.conv" --replay-speed fast
status_is 2 "--replay-speed fast: exit 2"
# A connection that fails leaves no file, and a file there before as it
# was.
port=$(free_port)
run_wscli --record "$T/none.conv" "ws://127.0.0.1:$port/"
status_is 3 "--record, the connection refused: exit 3"
ok "--record, the connection refused: no file" [ ! -e "$T/none.conv" ]
echo '> kept' >"$T/old.conv"
run_wscli --record "$T/old.conv" "ws://127.0.0.1:$port/"
status_is 3 "--record over a file, the connection refused: exit 3"
is "$(cat "$T/old.conv")" "> kept" "--record over a file, the connection refused: the file as it was"
run_wscli --record "$T/no/such/dir.conv" "$(url)"
status_is 2 "--record in a directory that is not there: exit 2"
ok "--record in a directory that is not there: said before connecting" \
    grep -q 'no/such/dir.conv: No such file or directory' "$ERR"
printf '> hi\n' >"$T/nourl.conv"
run_wscli --replay "$T/nourl.conv"
status_is 2 "--replay of a file without @url and no URL: exit 2"
like "$ERR" 'no URL: give one after the file, or @url in it' \
    "--replay without a URL: says where one goes"

done_testing
