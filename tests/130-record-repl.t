#!/bin/sh
# --record at the REPL (a tmux pane): what was typed, what came back, the
# pauses and the close are written as a conversation file, which runs again
# unchanged: --replay finds the same answers, --test passes.
. tests/lib.sh
. tests/tmux.sh

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

REC=$T/repl.conv
start_repl "record" -- --color=never --record "$REC" "$(url chat)"
send_line "hello there"
screen_like '^< text +11 B  hello there$' "record: the echo is shown"
send_line "  two blanks around  "
screen_like '^< text +21 B    two blanks around  $' "record: the second echo"
send_line "/binary 00 ff 0a"
screen_like '^< binary +3 B' "record: a binary echo"
send_line "/ping are you there"
screen_like '^< pong +13 B  are you there' "record: the pong"
send_line "/close 4000 done"
exit_is 0 "record: closed by wscli with 4000: exit 0"
repl_end

grep -v '^# +' "$REC" >"$T/steps"
cat >"$T/want" <<EOF
@url $(url chat)
> hello there
< hello there
> /text "  two blanks around  "
< /text "  two blanks around  "
> /binary 00 ff 0a
< /binary 00 ff 0a
> /ping are you there
< /pong are you there
> /close 4000 done
< /close 4000 done
EOF
if cmp -s "$T/want" "$T/steps"; then
    pass "record: every step of the session, in order, as a person reads it"
else
    fail "record: every step of the session, in order, as a person reads it"
    diag_file "$REC"
fi
like "$REC" '^# \+[0-9]+\.[0-9]{3}s$' "record: the pauses are comments"
# the typing between two lines is a pause of a sensible length
awk '/^# \+/ { sub(/^# \+/, ""); sub(/s$/, ""); if ($0 + 0 >= 0.005) n++ }
    END { exit !(n >= 4) }' "$REC"
ok "record: the pause before each typed line is in the file" [ $? -eq 0 ]

# The file as it is runs again.
run_wscli --replay "$REC" --replay-speed 0
status_is 0 "replay of the REPL session: the same answers, exit 0"
is "$(cat "$OUT")" "" "replay of the REPL session: no difference written"
like "$ERR" 'replay: the answers are the recorded ones \(sent 5, answers 5\)' \
    "replay of the REPL session: says so on stderr"

run_wscli --test "$REC"
status_is 0 "--test of the recorded REPL session: passes unchanged"
like "$OUT" '^ok ' "--test of the recorded REPL session: TAP"
unlike "$OUT" '^not ok' "--test of the recorded REPL session: nothing fails"

# Listen mode at the REPL: what is typed to a client is what it received.
repl -- --color=never -l 0 --record "$T/clients"
if wait_screen 'listening on 127\.0\.0\.1:[0-9]+' && wait_last '^>$'; then
    LPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SCREEN" | head -n 1)
    timeout -k 5 20 node "$SERVERS/client.js" "$(lurl lobby)" --send "hi wscli" \
        --expect 1 >"$T/client.out" 2>"$T/client.err" &
    client=$!
    screen_like '^<1 text +8 B  hi wscli$' "listen REPL: the client's message is shown"
    send_line "hello client"
    wait "$client"
    is "$?" 0 "listen REPL: the client got the typed line and closed"
    screen_like '^client 1: disconnected' "listen REPL: the client is gone"
    grep -v '^# +' "$T/clients/client-1.conv" >"$T/c1"
    printf '@url %s\n> hi wscli\n< hello client\n> /close 1000\n< /close 1000\n' \
        "$(lurl lobby)" >"$T/want-c1"
    if cmp -s "$T/want-c1" "$T/c1"; then
        pass "listen REPL: the client's file has the typed line as what it received"
    else
        fail "listen REPL: the client's file has the typed line as what it received"
        diag_file "$T/clients/client-1.conv"
    fi
else
    fail "listen REPL: listening, prompt shown"
    show_screen
fi
repl_end

# A file that cannot be written: said before connecting, exit 2.
repl -- --color=never --record "$T/no/such/dir/x.conv" "$(url)"
screen_like "^wscli: --record $T/no/such/dir/x\\.conv: No such file or directory\$" \
    "an unwritable --record file: said"
exit_is 2 "an unwritable --record file: exit 2"
repl_end

done_testing
