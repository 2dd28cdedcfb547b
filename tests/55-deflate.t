#!/bin/sh
# permessage-deflate (RFC 7692) with real servers: what is negotiated,
# messages both ways byte-identical, what --frames and --jsonl show; and
# the raw server for what real servers do not send: RSV1 where it may not
# be, data that needs a larger window than agreed, a context reused after
# server_no_context_takeover, data that does not inflate, a bomb.
. tests/lib.sh
need_wscli

start_node_echo --deflate || { echo "Bail out! node echo server did not start"; exit 1; }
node=$PORT
nlog=$SERVER_LOG

run_wscli --deflate --send 'Hello, server!' -n 1 "$(url)"
status_is 0 "node ws with --deflate: exit 0"
is "$(cat "$OUT")" "Hello, server!" "node ws with --deflate: echoed"
like "$ERR" 'permessage-deflate: server 15-bit window, context takeover; client 15-bit window, context takeover' \
    "node ws with --deflate: the agreed parameters are shown"
like "$nlog" '^echo.js: extensions offered: permessage-deflate; client_max_window_bits$' \
    "bare --deflate offers what Chrome offers"

run_wscli --send 'plain' -n 1 "$(url)"
status_is 0 "node ws with deflate, wscli without: exit 0"
unlike "$ERR" 'permessage-deflate' "without --deflate nothing is offered or agreed"

# Everything comes back byte-identical with compression both ways.
check_lines_round_trip "node ws, --deflate" --deflate
head -c 67108864 /dev/urandom >"$T/big.bin"
run_wscli --deflate --no-split -b "$(url)" <"$T/big.bin"
status_is 0 "64 MiB binary, compressed both ways: exit 0"
is "$(sha256sum <"$OUT" | cut -d' ' -f1)" "$(sha256sum <"$T/big.bin" | cut -d' ' -f1)" \
    "64 MiB binary, compressed both ways: same sha256"
rss_below 48 "64 MiB binary, compressed both ways: memory bounded"
rm -f "$T/big.bin" "$OUT"

# --frames and --jsonl show what compression did.
"$PYTHON" -c 'print("abc" * 1000)' >"$T/rep.in"
run_wscli --deflate --frames "$(url)" <"$T/rep.in"
status_is 0 "--frames with deflate: exit 0"
like "$ERR" '^> frame text   fin=1 rsv=100 len=[0-9]+ \(7-bit\) mask=' "--frames: our message went compressed (RSV1)"
like "$ERR" '^< frame text   fin=1 rsv=100 len=[0-9]+ \(7-bit\) mask=-  [0-9a-f]{2}' \
    "--frames: the echo came compressed, payload in hex"
ok "--frames with deflate: 3000 bytes of text back" cmp -s "$T/rep.in" "$OUT"
run_wscli --deflate --jsonl "$(url)" <"$T/rep.in"
like "$OUT" '"event":"message","dir":"server>client","type":"text","size":3000,"fragments":1,"compressed":true,"wire_size":[0-9]{1,2},' \
    "--jsonl: the message in says compressed and its wire size"
like "$OUT" '"event":"open".*"extensions":"permessage-deflate[^"]*".*"server_max_window_bits":15' \
    "--jsonl: open has the agreed parameters"

# The server's own parameters.
start_node_echo --deflate-no-context-takeover --deflate-window 9
run_wscli --deflate "$(url)" <"$T/rep.in"
status_is 0 "node ws, server_no_context_takeover and window 9: exit 0"
like "$ERR" 'server 9-bit window, no context takeover' "node ws: the server's window and takeover shown"
ok "node ws, no context takeover, window 9: echoed" cmp -s "$T/rep.in" "$OUT"
printf 'abc%.0s' $(seq 1 500) >"$T/again.in"; echo >>"$T/again.in"
cat "$T/again.in" "$T/again.in" "$T/again.in" >"$T/three.in"
run_wscli --deflate "$(url)" <"$T/three.in"
ok "node ws, no context takeover: three equal messages back" cmp -s "$T/three.in" "$OUT"

# A threshold: small messages go uncompressed between compressed ones.
start_node_echo --deflate-threshold 100
printf 'small\n%s\nsmall again\n' "$(printf 'x%.0s' $(seq 1 300))" >"$T/mixed.in"
run_wscli --deflate --frames "$(url)" <"$T/mixed.in"
status_is 0 "threshold: exit 0"
ok "threshold: all back" cmp -s "$T/mixed.in" "$OUT"
like "$ERR" '^< frame text   fin=1 rsv=000 len=5 \(7-bit\) mask=-  "small"$' "threshold: the small echo uncompressed"
like "$ERR" '^< frame text   fin=1 rsv=100 len=' "threshold: the large echo compressed"

# Python websockets compresses by default. It answers a close before
# echoing what came just before it, so -n waits for the echoes.
start_py_echo || { echo "Bail out! python echo server did not start"; exit 1; }
run_wscli --deflate -n 3 "$(url)" <"$T/three.in"
status_is 0 "python websockets with --deflate: exit 0"
like "$ERR" 'permessage-deflate: server 12-bit window, context takeover; client 12-bit window' \
    "python websockets: deflate agreed, with its 12-bit windows"
ok "python websockets: messages back" cmp -s "$T/three.in" "$OUT"
check_lines_round_trip "python websockets, --deflate" --deflate -n 10000

# Offers as written.
run_wscli --deflate='server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10' \
    -n 3 "$(url)" <"$T/three.in"
status_is 0 "an offer with parameters: exit 0"
like "$ERR" 'server 10-bit window, no context takeover; client 15-bit window, no context takeover' \
    "the offered parameters were agreed"
ok "an offer with parameters: messages back" cmp -s "$T/three.in" "$OUT"

# Answers that break RFC 7692 7.1: exit 4 with the reason.
answer() {  # VALUE DESC [WSCLI OPTIONS]
    value=$1; desc=$2; shift 2
    start_raw extensions "$value" || { fail "raw server for $desc"; return; }
    run_wscli "$@" "$(url)" </dev/null
    status_is 4 "$desc: exit 4"
    like "$ERR" '^wscli: invalid upgrade: ' "$desc: the reason is named"
}
answer 'permessage-deflate; server_max_window_bits=7' "server_max_window_bits=7" --deflate
answer 'permessage-deflate; no_such_thing' "an unknown parameter" --deflate
answer 'permessage-deflate; server_no_context_takeover; server_no_context_takeover' "a parameter twice" --deflate
answer 'permessage-deflate, permessage-deflate' "the extension twice" --deflate
answer 'x-webkit-deflate-frame' "another extension" --deflate
answer 'permessage-deflate; client_max_window_bits=9' "client_max_window_bits not offered" \
    --deflate=server_no_context_takeover
answer 'permessage-deflate' "an extension that was not offered at all"

# What real servers do not send.
violation() {   # SCENARIO DESC CODE REGEX
    start_raw "$1" || { fail "raw server for $2"; return; }
    run_wscli --deflate -w 10 "$(url)" </dev/null
    status_is 5 "$2: exit 5"
    like "$ERR" "^wscli: protocol error: .*($4)" "$2: named"
    wait_for "$SERVER_LOG" 'raw: client: (CLOSE|EOF)' 5
    like "$SERVER_LOG" "^raw: client: CLOSE $3 " "$2: CLOSE $3 sent"
}
violation deflate-rsv1-control "RSV1 on a PING" 1002 'control frame'
violation deflate-rsv1-continuation "RSV1 on a continuation" 1002 'continuation'
violation deflate-window "a back-reference beyond the agreed window" 1007 'DEFLATE|distance'
violation deflate-context-reuse "the context reused after server_no_context_takeover" 1007 'DEFLATE|distance|dictionary'
violation deflate-bad-data "data that does not inflate" 1007 'DEFLATE'

start_raw deflate-uncompressed-between
run_wscli --deflate -w 10 "$(url)" </dev/null
status_is 0 "uncompressed messages between compressed ones: exit 0"
is "$(wc -l <"$OUT" | tr -d ' ')" 3 "uncompressed between compressed: three messages"

# A bomb: a few MB on the wire, 2 GiB inflated.
start_raw deflate-bomb
run_wscli --deflate --max-message 16M -w 10 "$(url)" </dev/null
status_is 1 "deflate bomb with --max-message 16M: exit 1"
like "$ERR" 'larger than --max-message .*inflated' "deflate bomb: refused by its inflated size"
wait_for "$SERVER_LOG" 'raw: client: (CLOSE|EOF)' 5
like "$SERVER_LOG" '^raw: client: CLOSE 1009 ' "deflate bomb: CLOSE 1009 sent"
rss_below 32 "deflate bomb: memory bounded"
took "deflate bomb" 5000

done_testing
