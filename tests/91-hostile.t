#!/bin/sh
# Hostile input from both ends: a server that floods a million messages or
# announces a 2 GiB frame and trickles it, and standard input with NUL
# bytes, invalid UTF-8, a 100 MiB line and no final newline; standard output
# that cannot be written.
. tests/lib.sh
need_wscli

# --- 10^6 tiny messages as fast as the server can write them
start_raw flood 1000000 || { echo "Bail out! raw.py did not start"; exit 1; }
run_wscli -w 60 "$(url)" </dev/null
status_is 0 "flood of 10^6 messages: exit 0"
is "$(wc -l <"$OUT" | tr -d ' ')" 1000000 "flood: 1,000,000 lines out"
is "$(sed -n '1p;$p' "$OUT" | tr '\n' ' ')" "m1 m1000000 " "flood: first and last in place"
rss_below 32 "flood: peak memory under 32 MiB"
rm -f "$OUT"
stop_server

# --- a frame header announcing 2 GiB, then 800 KB/s of payload
start_raw huge-trickle || { echo "Bail out! raw.py did not start"; exit 1; }
run_wscli -w 60 --timeout 2 "$(url)" </dev/null
status_is 7 "2 GiB frame trickled, --timeout 2: exit 7"
took "2 GiB frame trickled, --timeout 2" 4000
like "$ERR" '^wscli: timed out.*--timeout 2' "2 GiB frame: stderr names --timeout"
rss_below 32 "2 GiB frame: peak memory under 32 MiB"

run_wscli -w 60 --max-message 1M --close-timeout 1 "$(url)" </dev/null
status_is 1 "2 GiB frame, --max-message 1M: exit 1"
took "2 GiB frame, --max-message 1M" 8000
like "$ERR" '^wscli: message larger than --max-message 1048576 bytes.*1009 Message Too Big' \
    "--max-message: stderr gives the limit and the close code"
wait_for "$SERVER_LOG" "raw: client: CLOSE 1009" 5
like "$SERVER_LOG" "^raw: client: CLOSE 1009 " "--max-message: the server got CLOSE 1009"
rss_below 32 "--max-message: peak memory under 32 MiB"
stop_server

# --- a frame header announcing 2^40 bytes: over the limit from its header
start_raw huge-frame || { echo "Bail out! raw.py did not start"; exit 1; }
# standard input stays open: wscli's CLOSE is the 1009, not the 1000 that
# follows an empty standard input
mkfifo "$T/hold"
sleep 10 >"$T/hold" &
hold=$!
run_wscli --max-message 1M --timeout 4 "$(url)" <"$T/hold"
kill "$hold" 2>/dev/null
status_is 1 "2^40 bytes announced, --max-message 1M: exit 1, no waiting"
like "$ERR" '^wscli: message larger than --max-message 1048576 bytes \(1099511627776 bytes announced by its frame header\); closing with 1009 Message Too Big$' \
    "2^40 bytes announced: refused at the header, said so"
wait_for "$SERVER_LOG" "raw: client: CLOSE 1009" 5
like "$SERVER_LOG" "^raw: client: CLOSE 1009 " "2^40 bytes announced: the server got CLOSE 1009"
stop_server

# The same header after wscli has closed (standard input empty): the close
# wscli names is the one it sent, 1000.
start_raw huge-frame-late || { echo "Bail out! raw.py did not start"; exit 1; }
run_wscli --max-message 1M --timeout 4 "$(url)" </dev/null
status_is 1 "2^40 bytes announced after wscli's CLOSE 1000: exit 1"
like "$ERR" "^wscli: message larger than --max-message 1048576 bytes \\(1099511627776 bytes announced by its frame header\\); the rest of it is dropped \\(wscli's close is already sent\\)$" \
    "2^40 bytes after wscli's CLOSE: says its close was already sent"
like "$ERR" '^wscli: closed by wscli with 1000; ' \
    "2^40 bytes after wscli's CLOSE: names the code it sent, 1000"
unlike "$ERR" 'with 1009' "2^40 bytes after wscli's CLOSE: no 1009 claimed"
wait_for "$SERVER_LOG" "raw: client: CLOSE" 5
like "$SERVER_LOG" "^raw: client: CLOSE 1000 " "2^40 bytes after wscli's CLOSE: the server got CLOSE 1000"
unlike "$SERVER_LOG" "CLOSE 1009" "2^40 bytes after wscli's CLOSE: and no other"
stop_server

# --- standard input
start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

printf 'a\000b\n\000\nend\n' >"$T/nul.in"
run_wscli "$(url)" <"$T/nul.in"
status_is 0 "lines with NUL bytes: exit 0"
ok "lines with NUL bytes: echoed byte for byte" cmp -s "$T/nul.in" "$OUT"

printf 'one\ncaf\303\050\nthree\n' >"$T/bad.in"
run_wscli "$(url)" <"$T/bad.in"
status_is 1 "an invalid UTF-8 line: exit 1"
like "$ERR" '^wscli: line 2: not valid UTF-8 at byte 4; not sent' \
    "invalid UTF-8: stderr names line 2 and the byte"
like "$ERR" '1 line was refused' "invalid UTF-8: counted at the end"
is "$(cat "$OUT")" "one
three" "invalid UTF-8: the other lines are sent, in order"

printf 'first\nno newline at the end' >"$T/last.in"
run_wscli "$(url)" <"$T/last.in"
status_is 0 "last line without a newline: exit 0"
is "$(cat "$OUT")" "first
no newline at the end" "last line without a newline: sent too"

# One 100 MiB line: leaves in 256 KiB fragments, comes back as one message.
head -c 104857600 /dev/zero | tr '\0' 'L' >"$T/huge.in"
echo >>"$T/huge.in"
run_wscli "$(url)" <"$T/huge.in"
status_is 0 "a 100 MiB line: exit 0"
is "$(sha256sum <"$OUT" | cut -d' ' -f1)" "$(sha256sum <"$T/huge.in" | cut -d' ' -f1)" \
    "a 100 MiB line: echoed byte for byte"
rss_below 32 "a 100 MiB line: peak memory under 32 MiB"
rm -f "$T/huge.in" "$OUT"

# --- standard output that cannot be written
timeout -k 5 "$WSCLI_TIMEOUT" "$WSCLI" -n 1 --send hi "$(url)" >/dev/full 2>"$T/full.err"
is "$?" 1 "stdout is /dev/full: exit 1"
like "$T/full.err" '^wscli: cannot write to stdout: No space left on device' \
    "stdout is /dev/full: stderr says so"

done_testing
