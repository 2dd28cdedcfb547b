#!/bin/sh
# Relay mode with --deflate keeps memory bounded whatever is inflated: a
# client's message of 512 MiB sent as 0.5 MB of DEFLATE data reaches a server
# that takes it uncompressed, and 200 MiB go through Node's ws, which
# compresses its echo, to a client that takes it uncompressed; each side is
# inflated only as fast as the other takes it.
. tests/lib.sh
need_wscli

# relay_start ARGS...: wscli -l 0 ARGS under /usr/bin/time (RELAY_PID,
# RPORT; its peak RSS in $T/relay.rss, stdout and stderr in $T/relay.*)
relay_start() {
    # a file left by the last relay must not answer for this one
    rm -f "$T/relay.err" "$T/relay.out" "$T/relay.rss"
    timeout -k 5 120 /usr/bin/time -q -f %M -o "$T/relay.rss" \
        "$WSCLI" -l 0 "$@" >"$T/relay.out" 2>"$T/relay.err" &
    RELAY_PID=$!
    wait_for "$T/relay.err" 'listening on' 10 || diag_file "$T/relay.err"
    RPORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$T/relay.err")
}

# relay_end DESC: wait for it, check its exit status and peak memory
relay_end() {
    wait "$RELAY_PID"
    is "$?" 0 "$1: the relay ends with 0" || diag_file "$T/relay.err"
    PEAK_KB=$(tail -n 1 "$T/relay.rss")
    rss_below 48 "$1: the relay's peak memory stays bounded"
}

# ------------------------------- a bomb from the client, a plain server

BOMB=536870912
# the server: wscli itself, its scripted output (the message) hashed
( exec "$WSCLI" -q -l 0 --once --max-message 1G 2>"$T/sink.err" |
    sha256sum >"$T/sink.sha" ) &
SINK_PID=$!
wait_for "$T/sink.err" 'listening on' 10 || diag_file "$T/sink.err"
SPORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$T/sink.err")

# the server writes the message out whole once it has all of it, before
# it reads the close that followed (slow in a sanitized build)
relay_start --once --deflate --close-timeout 30 --forward "ws://127.0.0.1:$SPORT/"
start=$(now_ns)
timeout -k 5 120 "$PYTHON" "$SERVERS/zbomb.py" "$RPORT" "$BOMB" >"$T/bomb.out" 2>&1
is "$?" 0 "512 MiB bomb through the relay: the client ends with 0" || diag_file "$T/bomb.out"
diag "512 MiB bomb: client done after $(elapsed_ms "$start") ms"
like "$T/bomb.out" '^compressed 536870912 bytes to [0-9]{6} *$' \
    "512 MiB bomb: less than 1 MB on the wire"
like "$T/bomb.out" '^close 1000$' "512 MiB bomb: the server's close 1000 comes back"
relay_end "512 MiB bomb"
wait "$SINK_PID"
is "$(cut -d ' ' -f 1 "$T/sink.sha")" "$("$PYTHON" "$SERVERS/zbomb.py" --sha256 "$BOMB")" \
    "512 MiB bomb: the server gets the message inflated, byte for byte"
like "$T/relay.err" 'permessage-deflate: client side server 15-bit window.*, server side no$' \
    "512 MiB bomb: compressed on the client's side only"

# ------------------- Node compresses a 200 MiB echo, a plain client

start_node_echo --deflate || { echo "Bail out! node echo server did not start"; exit 1; }
head -c 209715200 /dev/zero >"$T/big.bin"
relay_start --once --deflate --forward "ws://127.0.0.1:$PORT/"
start=$(now_ns)
timeout -k 5 120 "$WSCLI" -q -b --no-split "ws://127.0.0.1:$RPORT/" \
    <"$T/big.bin" >"$T/big.out" 2>"$T/big.err"
is "$?" 0 "200 MiB through Node with permessage-deflate: the client ends with 0" ||
    diag_file "$T/big.err"
diag "200 MiB through Node: client done after $(elapsed_ms "$start") ms"
ok "200 MiB through Node: the echo is byte for byte what was sent" \
    cmp -s "$T/big.bin" "$T/big.out"
relay_end "200 MiB through Node"
like "$T/relay.err" 'permessage-deflate: client side no, server side server 15-bit window' \
    "200 MiB through Node: compressed on the server's side only"
rm -f "$T/big.bin" "$T/big.out"

done_testing
