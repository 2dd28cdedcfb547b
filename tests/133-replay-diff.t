#!/bin/sh
# --replay against a server with a login and a subscription
# (tests/servers/subscribe.py): the recording replays with the same
# answers; a server that changed, and a file that was edited, show as a diff
# of the file with its line numbers, exit 1.
. tests/lib.sh
need_wscli

start_sub() {       # ARGS: subscribe.py on a free port
    spawn "sub$server_count" "$PYTHON" "$SERVERS/subscribe.py" "$@" &&
        wait_port_line && server_started
}
start_sub --login secret --interval 100 ||
    { echo "Bail out! subscribe.py did not start"; exit 1; }
SUB=$PORT

# Log in, subscribe, two updates (-n 4 closes after the fourth message).
printf '%s\n' '{"op":"login","token":"secret"}' \
    '{"op":"subscribe","topic":"prices"}' >"$T/in"
run_wscli --record "$T/sub.conv" -n 4 "$(url feed)" <"$T/in"
status_is 0 "record: login, subscribe, two updates: exit 0"
grep -v '^# +' "$T/sub.conv" >"$T/steps"
cat >"$T/want" <<EOF
@url $(url feed)
> {"op":"login","token":"secret"}
> {"op":"subscribe","topic":"prices"}
< {"ok": "login"}
< {"ok": "subscribe", "topic": "prices"}
< prices 1
< prices 2
> /close 1000
< /close 1000
EOF
if cmp -s "$T/want" "$T/steps"; then
    pass "record: the conversation, as a person reads it"
else
    fail "record: the conversation, as a person reads it"
    diag_file "$T/sub.conv"
fi

run_wscli --test "$T/sub.conv"
status_is 0 "record: --test passes the recording unchanged"
run_wscli --replay "$T/sub.conv"
status_is 0 "replay: the same answers, exit 0"
is "$(cat "$OUT")" "" "replay: nothing on stdout"

# The server now wants another token: the subscription is refused with a
# close; the updates never come.
start_sub --login other --interval 100 ||
    { echo "Bail out! subscribe.py did not start"; exit 1; }
run_wscli --replay "$T/sub.conv" "$(url feed)"
status_is 1 "replay against a changed server: exit 1"
grep -v '^@@' "$OUT" | sed 1,2d >"$T/diff"
cat >"$T/want" <<'EOF'
 > {"op":"login","token":"secret"}
 > {"op":"subscribe","topic":"prices"}
 < {"ok": "login"}
-< {"ok": "subscribe", "topic": "prices"}
-< prices 1
-< prices 2
 > /close 1000
-< /close 1000
+< /close 1008 login first
EOF
if cmp -s "$T/want" "$T/diff"; then
    pass "replay against a changed server: the answers missing and the close that came instead"
else
    fail "replay against a changed server: the answers missing and the close that came instead"
    diag_file "$OUT"
fi
like "$OUT" "^--- $T/sub\\.conv \\(recorded\\)\$" "replay: the diff names the file"
like "$OUT" "^\\+\\+\\+ ws://127\\.0\\.0\\.1:$PORT/feed \\(replayed\\)\$" "replay: and the server"
line=$(grep -n '^> /close 1000$' "$T/sub.conv" | cut -d: -f1)
like "$ERR" "^wscli: replay: the connection ended before $T/sub\\.conv:$line was sent\$" \
    "replay: the recorded close that could not be sent: said"

# An edited expectation: its line in the hunk header and the diff.
sed 's/^< prices 2$/< prices 3/' "$T/sub.conv" >"$T/edited.conv"
line=$(grep -n '^< prices 3$' "$T/edited.conv" | cut -d: -f1)
run_wscli --replay "$T/edited.conv" --replay-speed 0 "ws://127.0.0.1:$SUB/feed"
status_is 1 "an edited line: exit 1"
like "$OUT" '^-< prices 3$' "an edited line: recorded, -"
like "$OUT" '^\+< prices 2$' "an edited line: received, +"
first=$(sed -n 's/^@@ .*:\([0-9]*\) @@$/\1/p' "$OUT")
ok "an edited line: the hunk starts at most 3 lines before line $line (at $first)" \
    [ "$first" -le "$line" -a "$first" -ge $((line - 6)) ]

# A long conversation with one answer taken out of the file: that answer
# alone is "more" (2500 answers both ways are past what is aligned whole;
# what is the same at either end is taken first).
start_py_echo || { echo "Bail out! python echo server did not start"; exit 1; }
seq 1 2500 | sed 's/^/line /' >"$T/many"
run_wscli --record "$T/long.conv" "$(url)" <"$T/many"
status_is 0 "a long conversation: recorded"
grep -v '^< line 1234$' "$T/long.conv" >"$T/short.conv"
run_wscli --replay "$T/short.conv" --replay-speed 0
status_is 1 "a long conversation, one answer taken out: exit 1"
is "$(grep -c '^[-+]' "$OUT")" 3 "... the diff's head and one line"
like "$OUT" '^\+< line 1234$' "... the answer that came and is not in the file"

# A file that is not a conversation: its line, exit 2.
printf '@url %s\n> hi\n< /close abc\n' "$(url)" >"$T/bad.conv"
run_wscli --replay "$T/bad.conv"
status_is 2 "a file that does not parse: exit 2"
like "$ERR" "^wscli: $T/bad\\.conv:3: " "a file that does not parse: FILE:LINE"

# No server: the connection's status.
port=$(free_port)
run_wscli --replay "$T/sub.conv" "ws://127.0.0.1:$port/"
status_is 3 "no server: exit 3"
is "$(cat "$OUT")" "" "no server: no diff"

done_testing
