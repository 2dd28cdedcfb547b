#!/bin/sh
# wscli -l 0 --probe-clients against real clients run in a reconnect-and-echo
# loop (Node ws, Python websockets, wscli itself) and a raw client that
# checks nothing, so that every "must fail" case is seen to FAIL.
. tests/lib.sh
need_wscli

# verdict ID: the verdict column of case ID in $LOUT
verdict() {
    awk -v id="$1" '($1 "") == id { v = substr($0, 54, 13); sub(/ +$/, "", v); print v }' "$LOUT"
}

# probe CLIENT-COMMAND...: a run with the client looping against it; the
# report in $LOUT, its status in $LSTATUS, its time in $RUN_MS
probe() {
    start=$(now_ns)
    start_listen --probe-clients $PROBE_OPTS || { fail "--probe-clients did not start"; return 1; }
    timeout -k 5 90 "$@" "$(lurl)" >"$T/client$listen_count.log" 2>&1
    wait_listen 30
    RUN_MS=$(elapsed_ms "$start")
    diag "$(tail -n 1 "$LOUT") ($RUN_MS ms)"
}

# The Node ws client: every case OK, in well under a few seconds.
probe node "$SERVERS/echoloop.js"
is "$LSTATUS" 0 "ws: exit 0"
like "$LOUT" '^45 cases in .* against the clients of 127\.0\.0\.1:[0-9]*: 45 OK$' "ws: 45 OK"
like "$LOUT" '^3\.1 .* OK +closed 1002 in ' "ws: RSV1 closed 1002"
like "$LOUT" '^6\.2 .* OK +closed 1007 in ' "ws: UTF-8 split across frames closed 1007"
like "$LOUT" '^5\.7 +masked frame from the server +OK +closed 1002' "ws: a masked frame closed 1002"
like "$LOUT" '^9\.2 .* OK +echoed in ' "ws: 1 MiB echoed"
ok "ws: the run ends once every case had its connection" [ "$RUN_MS" -lt 10000 ]

# Python websockets: the same.
probe "$PYTHON" "$SERVERS/pyecholoop.py"
is "$LSTATUS" 0 "websockets: exit 0"
like "$LOUT" ': 45 OK$' "websockets: 45 OK"
like "$LOUT" '^7\.13 .* OK +refused it: closed 1007' "websockets: a close reason not UTF-8 refused 1007"

# A raw client that checks nothing: each "must fail" case FAILED, with its
# rule; what it echoes correctly stays OK.
probe "$PYTHON" "$SERVERS/rawecholoop.py"
is "$LSTATUS" 1 "lenient raw client: exit 1"
like "$LOUT" ': 20 OK, 4 NON-STRICT, 21 FAILED$' "lenient raw client: 20 OK, 4 NON-STRICT, 21 FAILED"
for id in 3.1 3.2 3.3 3.4 4.1 4.2 4.3 4.4 5.1 5.2 5.3 5.4 5.7 6.1 6.2 6.4 6.5 \
    7.6 7.9 7.10 7.13; do
    is "$(verdict "$id")" FAILED "lenient raw client: $id FAILED"
done
# a reserved code sent back: no MUST forbids it
for id in 7.7 7.8 7.11 7.12; do
    is "$(verdict "$id")" NON-STRICT "lenient raw client: $id NON-STRICT"
done
for id in 1.1 1.2 2.3 5.5 6.3 7.1 7.5 9.2 9.3; do
    is "$(verdict "$id")" OK "lenient raw client: $id OK"
done
like "$LOUT" '^3\.1 .* FAILED +went on after the broken frame: echoed the message sent after it, in .* \(RFC 6455 5\.2: .*MUST fail the connection; close 1002' \
    "lenient raw client: 3.1 says what it did and the rule"
like "$LOUT" '^5\.7 .* FAILED .*RFC 6455 5\.1: a client MUST close the connection on a masked frame' \
    "lenient raw client: 5.7 cites 5.1"
like "$LOUT" '^6\.2 .* FAILED +went on after the broken frame, then broke a rule itself .*not valid UTF-8' \
    "lenient raw client: 6.2 echoed the invalid text"
like "$LOUT" '^7\.7 .* NON-STRICT +answered close 999 in .*: the code it got, which RFC 6455 7\.4\.2 reserves' \
    "lenient raw client: 7.7 echoed close 999, and the line says why that is no FAILED"
like "$LOUT" '^7\.9 .* FAILED +answered with an invalid close of its own .*1005.*RFC 6455 7\.4\.1: 1005 and 1006 MUST NOT' \
    "lenient raw client: 7.9 sent 1005 back, which no endpoint may"

# A client that does not mask: it broke the rule itself in every case.
probe "$PYTHON" "$SERVERS/rawecholoop.py" unmasked
is "$LSTATUS" 1 "unmasked raw client: exit 1"
like "$LOUT" ': 45 FAILED$' "unmasked raw client: 45 FAILED"
like "$LOUT" '^1\.1 .* FAILED +broke RFC 6455 itself in .*unmasked frame from the client' \
    "unmasked raw client: 1.1 says it did not mask"

# wscli itself as the client, its stdout fed back to its stdin: text comes
# back as it went; binary messages cannot pass through lines of text, and
# a message larger than the pipe's 64 KiB blocks wscli writing to itself
# (1.2, 5.6, 9.1-9.3): the harness's limits, not wscli's.
WSCLI_LOOP='
    d=$(mktemp -d "$0/loop.XXXXXX") || exit 1
    i=0
    while [ "$i" -lt 60 ]; do
        i=$((i + 1))
        mkfifo "$d/f$i" || exit 1
        timeout -k 1 3 "$1" "$2" <>"$d/f$i" >"$d/f$i" 2>>"$d/err"
        [ $? = 3 ] && break
    done
    exit 0'
PROBE_OPTS="--probe-timeout 1 --probe-report json:$T/report.json --probe-report junit:$T/report.xml" \
    probe sh -c "$WSCLI_LOOP" "$T" "$WSCLI"
is "$LSTATUS" 1 "wscli client: exit 1 (binary messages cannot be echoed through a pipe of lines)"
for id in 1.1 1.3 1.4 2.1 2.2 2.3 2.4 3.1 3.2 3.3 3.4 4.1 4.2 4.3 4.4 5.1 5.2 \
    5.3 5.4 5.5 5.7 6.1 6.2 6.3 6.4 6.5 6.6 7.1 7.2 7.3 7.4 7.5 7.6 7.7 7.8 \
    7.9 7.10 7.11 7.12 7.13; do
    is "$(verdict "$id")" OK "wscli client: $id OK"
done
like "$T/report.json" '"id":"3.1","name":"RSV1 on a text frame","verdict":"OK"' "--probe-report json: each case"
like "$T/report.json" '"summary":{"event":"summary","listen":"127.0.0.1:[0-9]*","cases":45' "--probe-report json: the summary"
like "$T/report.xml" '<testsuite name="wscli --probe-clients 127.0.0.1:[0-9]*" tests="45" failures="[1-9]' "--probe-report junit: the suite"

# Headless Chromium, a page that reconnects and echoes: it fails every
# broken frame; invalid UTF-8 with 1002 rather than 1007 (WRONG CODE), and
# a reserved close code it sends back (NON-STRICT).
start=$(now_ns)
if start_listen --probe-clients; then
    if start_browser "file://$(pwd)/$SERVERS/browserecho.html?ws=$(lurl)"; then
        wait_listen 60
        kill "$BROWSER_PID" 2>/dev/null
        diag "chromium: $(tail -n 1 "$LOUT") ($(elapsed_ms "$start") ms)"
        is "$LSTATUS" 0 "chromium: exit 0 (nothing FAILED)"
        like "$LOUT" '^45 cases in .*: 37 OK, 4 NON-STRICT, 4 WRONG CODE$' \
            "chromium: 37 OK, 4 NON-STRICT, 4 WRONG CODE"
        is "$(verdict 6.2)" "WRONG CODE" "chromium: invalid UTF-8 split across frames failed, with 1002"
        unlike "$LOUT" ' FAILED ' "chromium: no case FAILED"
        for id in 1.1 1.2 2.3 3.1 4.1 5.1 5.2 5.7 6.3 7.1 7.6 9.2 9.3; do
            is "$(verdict "$id")" OK "chromium: $id OK"
        done
    else
        kill "$LPID" 2>/dev/null
        wait_listen 5
        pass "chromium # SKIP chromium did not start"
    fi
fi

# -q: only what is not OK, and the total; --timeout with no client: every
# case UNTESTED, exit 7.
PROBE_OPTS="-q --timeout 1" probe true
is "$LSTATUS" 7 "no client, --timeout 1: exit 7"
like "$LOUT" '^1\.1 .* UNTESTED +no client connected for it before --timeout' "no client: 1.1 UNTESTED"
like "$LOUT" ': 45 UNTESTED$' "no client: 45 UNTESTED"
PROBE_OPTS="-q" probe node "$SERVERS/echoloop.js"
is "$(grep -c ' OK ' "$LOUT")" 0 "-q: no OK line"

# -v: each case's wire trace under its line, what wscli crafted ('>') and
# what the client answered ('<'), in the --frames format; the JSON report
# carries the same trace.
PROBE_OPTS="-v --probe-report json:$T/trace.json" probe node "$SERVERS/echoloop.js"
is "$LSTATUS" 0 "-v: exit 0"
like "$LOUT" '^        > frame text   fin=1 rsv=100 len=5 \(7-bit\) mask=-  "Hello"$' \
    "-v: 3.1's crafted frame, RSV1 set, in the trace"
like "$LOUT" '^        < frame close  fin=1 rsv=000 len=2 \(7-bit\) mask=[0-9a-f]{8}  1002 Protocol Error$' \
    "-v: the client's masked close 1002 in the trace"
ok "--probe-report json: every case that ran has a trace" "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if all(c["trace"].startswith("> frame") for c in d["cases"]) else 1)' "$T/trace.json"

# Where it goes and where not.
run_wscli --probe-clients ws://127.0.0.1:1/
status_is 2 "--probe-clients without -l: usage"
like "$ERR" 'probe-clients goes with -l' "--probe-clients without -l: says it goes with -l"
run_wscli -l 0 --forward ws://127.0.0.1:1/ --probe-clients
status_is 2 "--probe-clients with --forward: usage"
run_wscli -l 0 --probe-clients --echo
status_is 2 "--probe-clients with --echo: usage"
run_wscli -l 0 --probe-timeout 1
status_is 2 "--probe-timeout with -l alone: usage"
like "$ERR" 'probe-timeout goes with --probe or --probe-clients' "--probe-timeout with -l alone: says so"

done_testing
