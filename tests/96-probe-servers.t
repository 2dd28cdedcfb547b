#!/bin/sh
# wscli --probe against every real server the tests have. Their reports
# are recorded here: the cases each server does not pass as OK, with the
# verdict. They differ, and that is the point of the probe; each verdict
# below was checked against RFC 6455 (see PROBE in wscli(1)).
. tests/lib.sh
need_wscli

# The verdicts of a report that are not OK, "ID VERDICT" one a line, of
# sections 1-11.
not_ok() {
    awk '$1 ~ /^([1-9]|1[01])\.[0-9]/ {
        v = substr($0, 54, 13); sub(/ +$/, "", v)
        if (v != "OK") print $1 " " v }' "$1"
}

# Sections 12-15 (Autobahn's breadth), counted: "SECTION VERDICT COUNT"
# for the verdicts that are not OK.
breadth() {
    awk '$1 ~ /^1[2-5]\.[0-9]/ {
        v = substr($0, 54, 13); sub(/ +$/, "", v)
        split($1, p, ".")
        if (v != "OK") n[p[1] " " v]++ }
        END { for (k in n) print k " " n[k] }' "$1" | sort -n
}

# probe NAME ARGS...: run the probe, keep its report in $T/NAME.
probe() {
    name=$1
    shift
    start=$(now_ns)
    run_wscli --probe "$@"
    ms=$(elapsed_ms "$start")
    cp "$OUT" "$T/$name"
    diag "$name: probe took $ms ms"
    tail -n 1 "$OUT" | sed 's/^/# /' >&2
}

# expect NAME STATUS "ID VERDICT"...: the report's non-OK verdicts are
# exactly these, the exit status STATUS, the run under 30 s.
expect() {
    name=$1 want_status=$2
    shift 2
    is "$(not_ok "$T/$name")" "$(printf '%s\n' "$@")" \
        "$name: the verdicts that are not OK"
    status_is "$want_status" "$name: exit status $want_status"
    ok "$name: the whole default set in under 30 s" [ "$ms" -lt 30000 ]
    like "$T/$name" '^301 cases in [0-9.]+ (ms|s) against ws://127\.0\.0\.1:[0-9]+: [0-9]+ OK' \
        "$name: the summary counts the verdicts"
    unlike "$T/$name" '^[0-9.]+ +.* (OK|FAILED) +$' "$name: every verdict says what was seen"
}

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
probe node "ws://127.0.0.1:$PORT"
# ws also speaks the draft version 8 (allowed); it upgrades an HTTP/1.0
# request (RFC 6455 4.1 requires 1.1); for a 64-bit length with the top
# bit set it closes 1009, not 1002 (the better code, not a rule); it checks UTF-8 at the end of a
# message, not as soon as a fragment shows it invalid
expect node 1 "1.2 INFORMATIONAL" "1.8 FAILED" "2.1 INFORMATIONAL" \
    "2.2 INFORMATIONAL" "5.8 INFORMATIONAL" "5.9 INFORMATIONAL" \
    "5.10 NON-STRICT" "7.5 NON-STRICT" "9.1 INFORMATIONAL" \
    "9.2 INFORMATIONAL" "9.3 UNTESTED" "10.1 INFORMATIONAL" \
    "10.2 INFORMATIONAL" "11.1 UNTESTED" "11.2 UNTESTED" "11.3 UNTESTED" \
    "11.4 UNTESTED" "11.5 UNTESTED"
is "$(breadth "$T/node")" "" \
    "node: sections 12-15, the cases not OK counted"
like "$T/node" '^1\.8 +HTTP/1\.0 request +FAILED +accepted it: 101' \
    "node: HTTP/1.0 accepted"
like "$T/node" '^5\.10 .* NON-STRICT +closed 1009 in [0-9.]+ ms \(1002 expected: ' \
    "node: the top-bit length closed 1009"
like "$T/node" '^3\.1 +RSV1 on a text frame +OK +closed 1002 in [0-9.]+ ms$' \
    "node: RSV1 closed 1002, with the time"
like "$T/node" '^8\.8 .* OK +answered 1000 in [0-9.]+ ms; the server closed TCP' \
    "node: the server closes TCP first"
like "$T/node" '^9\.1 +largest message +INFORMATIONAL +accepted 64 MiB, the most tried' \
    "node: 64 MiB accepted"
like "$T/node" '^9\.2 .* INFORMATIONAL +[0-9]+ messages/s echoed' \
    "node: messages per second measured"

start_py_echo || { echo "Bail out! python echo server did not start"; exit 1; }
probe python "ws://127.0.0.1:$PORT"
# websockets refuses other versions with 400 but names no version; it
# waits for the 2^63 bytes a top-bit length announces
expect python 1 "1.2 NON-STRICT" "1.3 NON-STRICT" "2.1 INFORMATIONAL" \
    "2.2 INFORMATIONAL" "5.8 INFORMATIONAL" "5.9 INFORMATIONAL" \
    "5.10 FAILED" "9.1 INFORMATIONAL" "9.2 INFORMATIONAL" "9.3 UNTESTED" \
    "10.1 INFORMATIONAL" "10.2 INFORMATIONAL" "11.1 UNTESTED" \
    "11.2 UNTESTED" "11.3 UNTESTED" "11.4 UNTESTED" "11.5 UNTESTED"
is "$(breadth "$T/python")" "" \
    "python: sections 12-15, the cases not OK counted"
like "$T/python" '^1\.3 .* NON-STRICT +refused: 400 Bad Request, but without Sec-WebSocket-Version: 13' \
    "python: 400 without the versions it speaks"
like "$T/python" '^7\.5 +fail fast on invalid UTF-8 +OK +closed 1007' \
    "python: fails fast on invalid UTF-8"

start_websocketd || { echo "Bail out! websocketd did not start"; exit 1; }
probe websocketd "ws://127.0.0.1:$PORT"
# websocketd (gorilla/websocket) does not check the key's length, takes
# HTTP/1.0, never checks UTF-8, answers a 1-byte close with an empty one,
# and does not know 1014; binary messages do not reach cat; none of the
# invalid UTF-8 of section 14 is refused
expect websocketd 1 "1.5 FAILED" "1.8 FAILED" "2.1 INFORMATIONAL" \
    "2.2 INFORMATIONAL" "5.8 INFORMATIONAL" "5.9 INFORMATIONAL" \
    "5.10 NON-STRICT" "7.1 FAILED" "7.2 FAILED" "7.5 FAILED" "7.6 FAILED" \
    "7.7 FAILED" "7.8 FAILED" "8.2 WRONG CODE" "8.3.12 NON-STRICT" \
    "9.1 INFORMATIONAL" "9.2 INFORMATIONAL" "9.3 UNTESTED" \
    "10.1 INFORMATIONAL" "10.2 INFORMATIONAL" "11.1 UNTESTED" \
    "11.2 UNTESTED" "11.3 UNTESTED" "11.4 UNTESTED" "11.5 UNTESTED"
is "$(breadth "$T/websocketd")" "$(printf '%s\n' '14 FAILED 65')" \
    "websocketd: sections 12-15, the cases not OK counted"
like "$T/websocketd" '^2\.2 .* INFORMATIONAL +no echo within 2 s: cases that need a binary echo are UNTESTED' \
    "websocketd: no binary echo found"
like "$T/websocketd" '^8\.2 .* WRONG CODE +answered an empty close' \
    "websocketd: an empty close for a 1-byte close"

start_lws || { echo "Bail out! libwebsockets-test-server did not start"; exit 1; }
probe lws -s lws-mirror-protocol --probe-timeout 1 --probe-report "junit:$T/lws.xml" \
    --probe-report "json:$T/lws.json" "ws://127.0.0.1:$PORT"
# what lws sends back (fragments of invalid UTF-8 as text, ...) lands in
# the reports' traces: both must still parse
ok "lws: the JUnit report is well-formed" "$PYTHON" -c '
import sys, xml.etree.ElementTree as E
assert len(E.parse(sys.argv[1]).findall(".//testcase")) == 301' "$T/lws.xml"
ok "lws: the JSON report parses" "$PYTHON" -c '
import json, sys
assert len(json.load(open(sys.argv[1]))["cases"]) == 301' "$T/lws.json"
# libwebsockets' test server: its HTTP side answers what is no upgrade;
# of two pings read together it answers the first only (RFC 6455 5.5.3
# allows answering the latest only, not the other way round); its mirror
# sends every fragment, and binary, as a text message of its own; it
# echoes invalid close payloads and does not know 1012-1014; its mirror
# drops messages when its ring is full (not an echo: no rule broken),
# and cuts long messages (12.7, 12.8); a text fragment it mirrors alone
# is invalid UTF-8 when the split falls inside a code point (13.x); the
# pings between fragments after the first go unanswered (15.x)
expect lws 1 "1.2 INFORMATIONAL" "1.3 FAILED" "1.4 NON-STRICT" \
    "1.5 FAILED" "1.6 NON-STRICT" "1.7 NON-STRICT" "1.8 FAILED" \
    "1.9 FAILED" "1.10 NON-STRICT" "2.1 INFORMATIONAL" "2.2 FAILED" \
    "5.1 NON-STRICT" "5.2 NON-STRICT" "5.7 FAILED" "5.8 INFORMATIONAL" \
    "5.9 INFORMATIONAL" "5.10 NON-STRICT" "6.1 FAILED" "6.2 FAILED" \
    "6.3 FAILED" "6.4 FAILED" "6.5 FAILED" "6.7 FAILED" "6.8 FAILED" \
    "6.10 FAILED" "6.11 FAILED" "7.3 FAILED" "7.4 FAILED" \
    "8.2 FAILED" "8.3.10 NON-STRICT" "8.3.11 NON-STRICT" \
    "8.3.12 NON-STRICT" "8.4.11 FAILED" "8.4.12 FAILED" "8.6 NON-STRICT" \
    "9.1 INFORMATIONAL" "9.2 INFORMATIONAL" "9.3 UNTESTED" "10.1 INFORMATIONAL" \
    "10.2 INFORMATIONAL" "11.1 UNTESTED" "11.2 UNTESTED" "11.3 UNTESTED" \
    "11.4 UNTESTED" "11.5 UNTESTED"
is "$(breadth "$T/lws")" "$(printf '%s\n' '12 INFORMATIONAL 5' '13 FAILED 29' '13 INFORMATIONAL 4' '15 FAILED 8' '15 INFORMATIONAL 8')" \
    "lws: sections 12-15, the cases not OK counted"
like "$T/lws" "^6\\.1 +empty ping +FAILED +answered ping 1 of 2 \\(the empty ping\\), no pong for ping 2 of 2 \\(the probe's own ping, sent last\\)" \
    "lws: the ping answered and the one dropped are named"
like "$T/lws" '^9\.2 .* INFORMATIONAL +not an echo: message [0-9]+ (was lost|came back changed)' \
    "lws: a mirror is no echo, and no rule is broken"
like "$T/lws" '^5\.7 +unmasked client frame +FAILED +accepted it' \
    "lws: an unmasked frame is accepted"
like "$T/lws" '^8\.2 .* FAILED +the server sent something invalid: .*1-byte close payload' \
    "lws: its answer to a 1-byte close is itself invalid, and named"

# Compression, where the server agrees to it.
start_node_echo --deflate || { echo "Bail out! node echo server did not start"; exit 1; }
run_wscli --probe --deflate --probe-cases 11 "ws://127.0.0.1:$PORT"
status_is 0 "deflate, node: exit 0, nothing FAILED"
like "$OUT" '^11\.1 .* INFORMATIONAL +agreed: permessage-deflate' "deflate, node: agreed"
like "$OUT" '^11\.2 .* OK +echoed in [0-9.]+ ms, the echo compressed' \
    "deflate, node: the echo comes back compressed"
like "$OUT" '^11\.3 .* OK +closed 1002' "deflate, node: RSV1 on a continuation closed 1002"
like "$OUT" '^11\.5 .* OK +closed 1007' "deflate, node: bad DEFLATE data closed 1007"
like "$OUT" '^8 cases in' "deflate, node: 1.1 and the echo cases run too"
# the deflate matrix: every window size and context takeover offered
run_wscli --probe --deflate --probe-cases 16 "ws://127.0.0.1:$PORT"
status_is 0 "deflate matrix, node: exit 0"
like "$OUT" '^43 cases in .*: 40 OK, 3 INFORMATIONAL$' "deflate matrix, node: every offer agreed, every echo unchanged"
start_py_echo || { echo "Bail out! python echo server did not start"; exit 1; }
run_wscli --probe --deflate --probe-cases 16 "ws://127.0.0.1:$PORT"
status_is 0 "deflate matrix, python: exit 0"
like "$OUT" '^43 cases in .*: 40 OK, 3 INFORMATIONAL$' "deflate matrix, python: every offer agreed, every echo unchanged"
run_wscli --probe --deflate --probe-cases 11 "ws://127.0.0.1:$PORT"
status_is 0 "deflate, python: exit 0"
like "$OUT" '^11\.5 .* OK +closed 1002' "deflate, python: bad DEFLATE data closed 1002 (allowed)"

# --jsonl: one event per case, then the summary.
run_wscli --probe --jsonl --probe-cases 3.1,8.3.1 "ws://127.0.0.1:$PORT"
status_is 0 "jsonl: exit 0"
like "$OUT" '^\{"event":"case","id":"3\.1","name":"RSV1 on a text frame","verdict":"OK","detail":"closed 1002 in [0-9.]+ ms","close_code":1002,"ms":' \
    "jsonl: a case event"
like "$OUT" '^\{"event":"summary","url":"ws://127\.0\.0\.1:[0-9]+","cases":3,"ok":3,"non_strict":0,"failed":0' \
    "jsonl: the summary event"
is "$(grep -c '"event":"case"' "$OUT")" 3 "jsonl: one event per case (1.1 always runs)"
is "$(wc -c <"$ERR")" 0 "jsonl: nothing on stderr"

done_testing
