#!/bin/sh
# wscli reads every byte after its own upgrade request itself: the 101 in
# any pieces, frames in the same read as the 101, every length encoding
# (and the non-minimal ones no server may send), an answer head over the
# limit, and --frames showing each frame as it was on the wire.
. tests/lib.sh
need_wscli

# The 101 and a frame arriving one byte at a time.
start_raw split-101 || { echo "Bail out! raw.py did not start"; exit 1; }
run_wscli -w 10 "$(url)" </dev/null
status_is 0 "101 split byte by byte: exit 0"
is "$(cat "$OUT")" "after split" "101 split byte by byte: the frame after it is read"

# Lengths in a longer form than needed: RFC 6455 5.2 says the minimal
# number of bytes MUST be used.
for form in 16 64; do
    start_raw non-minimal-$form || { fail "raw.py non-minimal-$form started"; continue; }
    run_wscli -w 10 "$(url)" </dev/null
    status_is 5 "$form-bit length for a short payload: exit 5"
    like "$ERR" '^wscli: protocol error: payload length not in its shortest encoding' \
        "$form-bit length for a short payload: named"
    wait_for "$SERVER_LOG" 'raw: (done|client: CLOSE)' 5
    like "$SERVER_LOG" '^raw: client: CLOSE 1002 ' "$form-bit length for a short payload: CLOSE 1002 sent"
    is "$(cat "$OUT")" "" "$form-bit length for a short payload: nothing printed"
done

# RSV1 without a negotiated extension is still a protocol error.
start_raw rsv
run_wscli --frames -w 10 "$(url)" </dev/null
status_is 5 "RSV1 without an extension: exit 5"
like "$ERR" 'RSV bits set but no extension was negotiated' "RSV1 without an extension: named"

# An answer head over the limits (64 KiB, 100 header lines).
start_raw big-head
run_wscli "$(url)" </dev/null
status_is 4 "response head over the limits: exit 4"
like "$ERR" '^wscli: upgrade failed: .*(65536|64 KiB|more than 100 header lines)' \
    "response head over the limits: says so"

start_raw long-head
run_wscli "$(url)" </dev/null
status_is 4 "response head over 64 KiB in few lines: exit 4"
like "$ERR" '^wscli: upgrade failed: head larger than 65536 bytes' \
    "response head over 64 KiB in few lines: the byte limit named"

# --frames: a fragmented message with a ping between its fragments.
start_raw fragments-ping
run_wscli --frames -w 10 "$(url)" </dev/null
status_is 0 "--frames, fragments and a ping: exit 0"
is "$(cat "$OUT")" "Hello world" "--frames: the message is reassembled on stdout"
grep ' frame ' "$ERR" >"$T/frames"
diag_file "$T/frames"
is "$(sed -n 1p "$T/frames")" '< frame text   fin=0 rsv=000 len=3 (7-bit) mask=-  "Hel"' \
    "--frames: first fragment, FIN clear"
like "$T/frames" '^< frame ping   fin=1 rsv=000 len=1 \(7-bit\) mask=-  "p"$' "--frames: the ping between"
like "$T/frames" '^> frame pong   fin=1 rsv=000 len=1 \(7-bit\) mask=[0-9a-f]{8}  "p"$' \
    "--frames: our pong, masked, with its key"
like "$T/frames" '^< frame cont   fin=0 rsv=000 len=2 \(7-bit\) mask=-  "lo"$' "--frames: a continuation"
like "$T/frames" '^< frame cont   fin=1 rsv=000 len=6 \(7-bit\) mask=-  " world"$' "--frames: the last continuation"
like "$T/frames" '^< frame close  fin=1 rsv=000 len=2 \(7-bit\) mask=-  1000 Normal Closure$' "--frames: the close"
is "$(grep -n 'frame ping' "$T/frames" | cut -d: -f1)" 2 "--frames: frames in wire order (the ping second)"

# Each length encoding, as sent.
start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
node=$PORT
"$PYTHON" -c 'print("a" * 125); print("b" * 126); print("c" * 70000)' >"$T/lens.in"
run_wscli --frames "$(url)" <"$T/lens.in"
status_is 0 "--frames, three lengths: exit 0"
like "$ERR" '^> frame text   fin=1 rsv=000 len=125 \(7-bit\) mask=' "--frames: 125 bytes in the 7-bit form"
like "$ERR" '^> frame text   fin=1 rsv=000 len=126 \(16-bit\) mask=' "--frames: 126 bytes in the 16-bit form"
like "$ERR" '^< frame text   fin=1 rsv=000 len=70000 \(64-bit\) mask=-  "c{48}"\.\.\.$' \
    "--frames: 70000 bytes in the 64-bit form, the start of the payload shown"
ok "--frames: stdout still has only the messages" cmp -s "$T/lens.in" "$OUT"

# Binary payloads are shown in hex.
printf '\001\002\377' >"$T/bin.in"
run_wscli --frames -b --no-split -n 1 "$(url)" <"$T/bin.in"
like "$ERR" '^< frame binary fin=1 rsv=000 len=3 \(7-bit\) mask=-  01 02 ff$' "--frames: binary payload in hex"

# --jsonl with --frames: a frame event per frame.
run_wscli --frames --jsonl -n 1 --send hi "$(url)"
status_is 0 "--frames --jsonl: exit 0"
like "$OUT" '"event":"frame","dir":"wscli>server","fin":true,"rsv":0,"opcode":1,"type":"text","mask":"[0-9a-f]{8}","length":2,"length_bits":7,"header_size":6,"text":"hi"' \
    "--frames --jsonl: the outgoing frame"
like "$OUT" '"event":"frame","dir":"server>client","fin":true,"rsv":0,"opcode":1,"type":"text","mask":null,"length":2,"length_bits":7,"header_size":2,"text":"hi"' \
    "--frames --jsonl: the incoming frame"

# Over TLS and through an HTTP proxy the bytes are the same.
if sh "$SERVERS/mkcerts.sh" "$T" >/dev/null 2>&1; then
    spawn tls "$PYTHON" "$SERVERS/wsserve.py" --cert "$T/server.pem" --key "$T/server.key" &&
        wait_port_line && server_started || { echo "Bail out! TLS server did not start"; exit 1; }
    tls=$PORT
    run_wscli --frames -n 1 --cacert "$T/ca.pem" --send 'over tls' "wss://localhost:$tls/"
    status_is 0 "--frames over wss://: exit 0"
    is "$(cat "$OUT")" "over tls" "--frames over wss://: echoed"
    like "$ERR" '^< frame text   fin=1 rsv=000 len=8 \(7-bit\) mask=-  "over tls"$' "--frames over wss://: the frame"
else
    fail "test certificates made"
fi
if command -v tinyproxy >/dev/null 2>&1 && start_tinyproxy proxy; then
    pport=$PROXY_PORT
    run_wscli --frames -n 1 -x "http://127.0.0.1:$pport" --send proxied "ws://127.0.0.1:$node/"
    status_is 0 "--frames through an HTTP proxy: exit 0"
    like "$ERR" '^< frame text   fin=1 rsv=000 len=7 \(7-bit\) mask=-  "proxied"$' "--frames through a proxy: the frame"
    if [ -n "${tls:-}" ]; then
        run_wscli --frames -n 1 -x "http://127.0.0.1:$pport" --cacert "$T/ca.pem" \
            --send 'tls proxied' "wss://localhost:$tls/"
        status_is 0 "--frames, wss:// through an HTTP proxy: exit 0"
        like "$ERR" '^< frame text   fin=1 rsv=000 len=11 \(7-bit\) mask=-  "tls proxied"$' \
            "--frames, wss:// through a proxy: the frame"
    fi
else
    fail "tinyproxy started"
fi

done_testing
