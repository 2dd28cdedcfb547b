#!/bin/sh
# A 64 MiB binary message (--no-split -b) through the Node "ws" echo server.
. tests/lib.sh
need_wscli
start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

head -c 67108864 /dev/urandom >"$T/big.bin"
run_wscli --no-split -b "$(url)" <"$T/big.bin"
status_is 0 "64 MiB binary message: exit 0"
is "$(wc -c <"$OUT" | tr -d ' ')" 67108864 "64 MiB binary message: 67108864 bytes back"
is "$(sha256sum <"$OUT" | cut -d' ' -f1)" "$(sha256sum <"$T/big.bin" | cut -d' ' -f1)" \
    "64 MiB binary message: same sha256"
# libcurl would buffer most of the echo if the socket let it (270 MB for a
# 256 MiB echo); wscli streams it through.
rss_below 32 "64 MiB binary message: peak memory under 32 MiB"
rm -f "$T/big.bin" "$OUT"

# Every byte value, as one binary message: nothing is translated.
"$PYTHON" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)' >"$T/bytes.bin"
run_wscli --no-split -b "$(url)" <"$T/bytes.bin"
status_is 0 "all byte values: exit 0"
ok "all byte values: raw output identical" cmp -s "$T/bytes.bin" "$OUT"

# An empty stdin with --no-split sends one empty message.
run_wscli --no-split -b -n 1 "$(url)" </dev/null
status_is 0 "empty --no-split -b message: exit 0"
is "$(wc -c <"$OUT" | tr -d ' ')" 0 "empty --no-split -b message: nothing printed"

done_testing
