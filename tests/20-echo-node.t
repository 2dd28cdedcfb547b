#!/bin/sh
# Scripted mode against the Node "ws" echo server.
. tests/lib.sh
need_wscli
start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

check_lines_round_trip "node ws"
unlike "$ERR" 'closed by server: 10(0[2-9]|1[0-9])' "node ws: no error close"

printf 'one\r\ntwo\r\n' >"$T/crlf.in"
run_wscli "$(url)" <"$T/crlf.in"
status_is 0 "CRLF input: exit 0"
is "$(od -An -c "$OUT" | tr -s ' ')" "$(printf 'one\ntwo\n' | od -An -c | tr -s ' ')" \
    "CRLF input: the CR before LF is stripped"

printf 'no newline at end' >"$T/nonl.in"
run_wscli "$(url)" <"$T/nonl.in"
status_is 0 "last line without newline: exit 0"
is "$(cat "$OUT")" "no newline at end" "last line without newline is sent"

run_wscli --send a --send b "$(url)" </dev/null
status_is 0 "--send a --send b: exit 0"
is "$(cat "$OUT")" "$(printf 'a\nb')" "--send a --send b: a and b echoed in order"

printf 'c\n' >"$T/c.in"
run_wscli --send a --send b "$(url)" <"$T/c.in"
is "$(cat "$OUT")" "$(printf 'a\nb\nc')" "--send messages go before stdin lines"

run_wscli -q --send quiet "$(url)" </dev/null
status_is 0 "-q: exit 0"
is "$(cat "$OUT")" "quiet" "-q: message still on stdout"
is "$(cat "$ERR")" "" "-q: nothing on stderr for a clean session"

printf 'x\ny\n' >"$T/two.in"
run_wscli --no-split "$(url)" <"$T/two.in"
status_is 0 "--no-split text: exit 0"
is "$(od -An -c "$OUT" | tr -s ' ')" "$(printf 'x\ny\n\n' | od -An -c | tr -s ' ')" \
    "--no-split text: all of stdin is one message, printed with a newline"

printf 'ok\nbad \377\n' >"$T/bad.in"
run_wscli --no-split "$(url)" <"$T/bad.in"
status_is 1 "--no-split, not UTF-8: exit 1"
like "$ERR" '^wscli: standard input: not valid UTF-8 at byte 8; not sent' \
    "--no-split, not UTF-8: stdin is named as one message, not as line 1"
unlike "$ERR" 'line 1' "--no-split, not UTF-8: no line number"

printf 'bin1\nbin2\n' >"$T/bin.in"
run_wscli -b "$(url)" <"$T/bin.in"
status_is 0 "-b: exit 0"
like "$OUT" 'bin1' "-b: first line echoed as binary"
like "$OUT" 'bin2' "-b: second line echoed as binary"

done_testing
