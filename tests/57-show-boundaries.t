#!/bin/sh
# Message boundaries in scripted output. Default: a text message and a
# newline, a binary message as it is. -0: a NUL ends every message, on
# stdout and on stdin. --escape: every message on one line, newlines and
# controls escaped.
. tests/lib.sh
need_wscli

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

# stdin: "a<LF>b" and "c" as two NUL-ended messages
printf 'a\nb\000c\000' >"$T/nul.in"
run_wscli -0 "$(url)" <"$T/nul.in"
status_is 0 "-0: exit 0"
is "$(od -An -c "$OUT" | tr -s ' \n' ' ')" " a \\n b \\0 c \\0 " \
    "-0: a text message with a newline, then another, each ended by NUL"

printf 'abc\ndef' >"$T/bin.in"
run_wscli -0 -b --no-split "$(url)" <"$T/bin.in"
is "$(od -An -c "$OUT" | tr -s ' \n' ' ')" " a b c \\n d e f \\0 " "-0: a binary message ended by NUL"

run_wscli -b --no-split "$(url)" <"$T/bin.in"
is "$(od -An -c "$OUT" | tr -s ' \n' ' ')" " a b c \\n d e f " "default: a binary message as it is"

printf 'one\\two\nthree\t!' >"$T/text.in"
run_wscli --escape --no-split "$(url)" <"$T/text.in"
status_is 0 "--escape: exit 0"
is "$(cat "$OUT")" 'one\\two\nthree\t!' "--escape: one line, backslash, newline and tab escaped"
is "$(wc -l <"$OUT")" 1 "--escape: exactly one line"

printf 'ab\001\377' >"$T/bin2.in"
run_wscli --escape -b --no-split "$(url)" <"$T/bin2.in"
is "$(cat "$OUT")" 'ab\x01\xff' "--escape: a binary message as a line, bytes not printable as \\xNN"

run_wscli -0 --escape "$(url)" </dev/null
status_is 2 "-0 with --escape: usage error"
like "$ERR" 'cannot use -0 and --escape together' "-0 with --escape: says why"

done_testing
