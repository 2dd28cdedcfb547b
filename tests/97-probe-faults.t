#!/bin/sh
# wscli --probe against tests/servers/probetarget.py: strict, every case is
# OK; then with one fault at a time, each case must see it. No check can
# pass by construction: for every case some fault makes it fail.
. tests/lib.sh
need_wscli

start_target() {
    spawn "target$server_count" "$PYTHON" "$SERVERS/probetarget.py" 0 "$@" &&
        wait_port_line && server_started
}

# verdict ID: the verdict column of case ID in $OUT
verdict() {
    awk -v id="$1" '($1 "") == id { v = substr($0, 54, 13); sub(/ +$/, "", v); print v }' "$OUT"
}

# fault "SERVER OPTIONS" CASES "ID VERDICT"...: start the target with the
# options, probe CASES, check each verdict
fault() {
    sopts=$1 cases=$2
    shift 2
    # shellcheck disable=SC2086
    start_target $sopts || { fail "$sopts: the target did not start"; return; }
    run_wscli --probe --probe-timeout 1 --probe-cases "$cases" \
        "ws://127.0.0.1:$PORT"
    for pair in "$@"; do
        id=${pair%% *}
        is "$(verdict "$id")" "${pair#* }" "$sopts: $id is ${pair#* }"
    done
    stop_server "$SERVER_PID"
}

# A strict server: every case OK, the rest informational.
start_target --deflate || { echo "Bail out! the probe target did not start"; exit 1; }
run_wscli --probe --deflate --probe-idle 1 "ws://127.0.0.1:$PORT"
status_is 0 "strict: exit 0"
like "$OUT" '^301 cases in .*: 263 OK, 8 INFORMATIONAL, 30 UNTESTED$' "strict: 263 OK, 8 informational, the offers it declines UNTESTED"
like "$OUT" '^9\.1 .* INFORMATIONAL +largest accepted 1 MiB; 1040 KiB closed 1009$' \
    "strict: the 1 MiB limit found by bisecting"
like "$OUT" '^9\.3 +idle timeout +INFORMATIONAL +still open after 1 s idle$' \
    "strict: --probe-idle, still open"
like "$OUT" '^1\.3 .* OK +refused: 426 Upgrade Required' "strict: 426 for version 99"
like "$OUT" '^5\.8 .* OK +closed 1002' "strict: a non-minimal length closed 1002"

fault "--fault accept-version" 1.2,1.3 "1.2 INFORMATIONAL" "1.3 FAILED"
fault "--fault no-version-header" 1.3 "1.3 NON-STRICT"
fault "--fault accept-bad-key" 1.4,1.5 "1.4 FAILED" "1.5 FAILED"
fault "--fault accept-no-upgrade" 1.6,1.7 "1.6 FAILED" "1.7 FAILED"
fault "--fault accept-http10" 1.8 "1.8 FAILED"
fault "--fault accept-post" 1.9 "1.9 FAILED"
fault "--fault choose-protocol" 1.10 "1.10 INFORMATIONAL"
like "$OUT" "^1\\.10 .* INFORMATIONAL +chose 'x-wscli-probe-unknown', the name made up for the probe: RFC 6455 4\\.2\\.2 only requires one of the values offered" \
    "choose-protocol: the one offered is allowed, and the line says why"
fault "--fault choose-other" 1.10 "1.10 FAILED"
like "$OUT" "^1\\.10 .* FAILED +chose 'chat', which was not offered \\(RFC 6455 4\\.2\\.2: the server MUST" \
    "choose-other: one not offered FAILED, with the rule"
fault "--fault accept-extension" 1.11 "1.11 FAILED"
fault "--fault no-echo" 2,6.4,9.2 "2.1 INFORMATIONAL" "2.2 INFORMATIONAL" \
    "6.4 OK" "9.2 UNTESTED"
like "$OUT" '^2\.1 .* no echo within 1 s: cases that need a text echo are UNTESTED' \
    "no-echo: said so"
fault "--fault ignore-rsv" 3 "3.1 FAILED" "3.2 FAILED" "3.3 FAILED" \
    "3.4 FAILED" "3.5 FAILED" "3.6 FAILED" "3.7 WRONG CODE"
fault "--fault ignore-opcode" 4 "4.1 FAILED" "4.2 FAILED" "4.3 FAILED" \
    "4.4 FAILED" "4.5 FAILED" "4.6 FAILED" "4.7 FAILED" "4.8 FAILED" \
    "4.9 FAILED" "4.10 FAILED"
fault "--fault long-control" 5.1,5.2 "5.1 FAILED" "5.2 WRONG CODE"
fault "--fault fragmented-control" 5.3,5.4 "5.3 FAILED" "5.4 FAILED"
fault "--fault loose-fragments" 5.5,5.6 "5.5 FAILED" "5.6 FAILED"
fault "--fault unmasked" 5.7 "5.7 FAILED"
fault "--fault lenient-length" 5.8,5.9 "5.8 INFORMATIONAL" "5.9 INFORMATIONAL"
fault "--fault top-bit" 5.10 "5.10 NON-STRICT"
# -q: only the lines that are not OK, and the total; --color: the verdict
# in colour
start_target --fault top-bit || fail "-q: the target did not start"
run_wscli --probe -q --probe-cases 3,5.10 "ws://127.0.0.1:$PORT"
is "$(grep -c . "$OUT")" 2 "-q: one line not OK and the total"
like "$OUT" '^5\.10 .* NON-STRICT ' "-q: the NON-STRICT line"
like "$OUT" '^9 cases in .*: 8 OK, 1 NON-STRICT$' "-q: the total counts the OK ones"
run_wscli --probe --color always --probe-cases 5.10 "ws://127.0.0.1:$PORT"
like "$OUT" "$(printf '^1\\.1 .* \033\\[32mOK +\033\\[0m 101 in')" "--color: OK in green"
like "$OUT" "$(printf '^5\\.10 .* \033\\[33mNON-STRICT +\033\\[0m closed 1009')" \
    "--color: NON-STRICT in yellow"
run_wscli --probe --probe-cases 5.10 "ws://127.0.0.1:$PORT"
unlike "$OUT" "$(printf '\033')" "no colour on a pipe"
stop_server "$SERVER_PID"
like "$OUT" '^5\.10 .* NON-STRICT +closed 1009 in [0-9.]+ ms \(1002 expected: the length is invalid \(RFC 6455 5\.2' \
    "top-bit: 1009 is NON-STRICT, and the line says why"
fault "--fault no-pong" 6 "6.1 FAILED" "6.2 FAILED" "6.3 FAILED" \
    "6.4 FAILED" "6.5 FAILED" "6.6 FAILED" "6.7 FAILED" "6.8 FAILED" \
    "6.9 FAILED" "6.10 FAILED" "6.11 FAILED"
fault "--fault first-pong" 6.5 "6.5 FAILED"
like "$OUT" "^6\\.5 .* FAILED +answered ping 1 of 11 \\('1'\\), no pong for pings 2-11 of 11 within 1 s \\(RFC 6455 5\\.5\\.2" \
    "first-pong: which pings were answered and which not"
fault "--fault garbled-pong" 6.3 "6.3 FAILED"
like "$OUT" '^6\.3 .* FAILED +a pong of 11 bytes \(20ff' "garbled-pong: the pong is shown"
fault "--fault pong-pong" 6.6 "6.6 FAILED"
fault "--fault no-utf8" 7 "7.1 FAILED" "7.2 FAILED" "7.5 FAILED" \
    "7.6 FAILED" "7.7 FAILED" "7.8 FAILED" "7.3 OK"
fault "--fault utf8-at-end" 7.5,7.1 "7.5 NON-STRICT" "7.1 OK"
fault "--fault utf8-per-frame" 7.3,7.4,7.9 "7.3 FAILED" "7.4 FAILED" "7.9 OK"
fault "--fault close-1000" 8.1,8.2,8.3.2,8.4.1,8.5,8.6 "8.1 OK" "8.2 WRONG CODE" \
    "8.3.2 NON-STRICT" "8.4.1 WRONG CODE" "8.5 OK" "8.6 FAILED"
fault "--fault close-echo" 8.2,8.4.4 "8.2 FAILED" "8.4.4 FAILED"
fault "--fault no-close-reply" 8.1,8.3.1,8.4.1,8.5,8.6,8.7,8.8,8.9 "8.9 FAILED" "8.1 FAILED" \
    "8.3.1 FAILED" "8.4.1 FAILED" "8.5 FAILED" "8.6 FAILED" "8.7 FAILED" \
    "8.8 FAILED"
fault "--fault data-after-close" 8.7 "8.7 FAILED"
# the breadth: sizes, UTF-8 whole and split, fragmentation
fault "--max-size 65535" 12 "12.7 OK" "12.8 INFORMATIONAL" "12.16 INFORMATIONAL" \
    "12.21 INFORMATIONAL" "12.22 INFORMATIONAL"
like "$OUT" '^12\.8 .* INFORMATIONAL +closed 1009 Message Too Big in [0-9.]+ ms: its limit is below this' \
    "max-size: a limit is said, not FAILED"
fault "--fault utf8-per-frame" 13 "13.1 OK" "13.2 FAILED" "13.9 FAILED" \
    "13.33 FAILED"
fault "--fault no-utf8" 14 "14.1 FAILED" "14.2 FAILED" "14.20 FAILED" \
    "14.54 FAILED"
fault "--fault utf8-at-end" 14.10,14.38 "14.10 OK" "14.38 OK"
fault "--fault loose-fragments" 15 "15.1 OK" "15.23 FAILED" "15.24 FAILED"
fault "--fault first-pong" 15.2,15.6 "15.2 FAILED" "15.6 FAILED"
fault "--fault fragmented-control" 15.25 "15.25 WRONG CODE"
start_target --deflate --fault no-pong || fail "deflate no-pong: did not start"
run_wscli --probe --deflate --probe-timeout 1 --probe-cases 16.1,16.2 "ws://127.0.0.1:$PORT"
is "$(verdict 16.1)" FAILED "deflate, no-pong: 16.1 is FAILED"
is "$(verdict 16.2)" UNTESTED "deflate: an offer the server declines is UNTESTED"
stop_server "$SERVER_PID"
fault "--fault keep-tcp" 8.8 "8.8 NON-STRICT"
fault "--fault stall-big --max-size 10000" 9.1 "9.1 FAILED"
like "$OUT" '^9\.1 .* FAILED +neither accepted nor refused a 16 KiB message' \
    "stall-big: the size that hung"
fault "--fault lose-echo" 9.2 "9.2 INFORMATIONAL"
like "$OUT" '^9\.2 .* INFORMATIONAL +not an echo: message 50 was lost, a later one came back in its place \(RFC 6455 asks nothing' \
    "lose-echo: lost echoes said, no rule of RFC 6455 claimed"
fault "--idle-close 0.5" 9.3 "9.3 UNTESTED"
start_target --idle-close 0.3 || fail "idle: the target did not start"
run_wscli --probe --probe-idle 3 --probe-cases 9.3 "ws://127.0.0.1:$PORT"
like "$OUT" '^9\.3 +idle timeout +INFORMATIONAL +closed 1001 after [0-9.]+ ms idle$' \
    "idle-close: the server's close is reported"
fault "--fault origin-check" 10 "10.1 INFORMATIONAL" "10.2 INFORMATIONAL"
like "$OUT" '^10\.1 .* refused: 403 Forbidden' "origin-check: a foreign Origin refused"
start_target --fault require-origin || fail "require-origin: did not start"
run_wscli --probe -o http://127.0.0.1 --probe-cases 10 "ws://127.0.0.1:$PORT"
like "$OUT" '^10\.1 .* INFORMATIONAL +accepted Origin' "require-origin: an Origin accepted"
like "$OUT" '^10\.2 .* INFORMATIONAL +refused: 403 Forbidden' "require-origin: no Origin refused"
stop_server "$SERVER_PID"
start_target || fail "no deflate: did not start"
run_wscli --probe --deflate --probe-cases 11 "ws://127.0.0.1:$PORT"
like "$OUT" '^11\.1 .* INFORMATIONAL +declined' "no deflate: declined"
like "$OUT" '^11\.3 .* UNTESTED +permessage-deflate not agreed' "no deflate: UNTESTED"
stop_server "$SERVER_PID"
for f in deflate-rsv1-cont:11.3:FAILED deflate-rsv1-control:11.4:FAILED \
    deflate-bad-data:11.5:WRONG deflate-garble:11.2:FAILED; do
    name=${f%%:*} rest=${f#*:}
    id=${rest%%:*} want=${rest#*:}
    start_target --deflate --fault "$name" || fail "$name: did not start"
    run_wscli --probe --deflate --probe-timeout 1 --probe-cases "$id" "ws://127.0.0.1:$PORT"
    like "$OUT" "^${id} .* ${want}" "$name: $id is $want"
    stop_server "$SERVER_PID"
done

# Without the plain connection nothing runs, and the exit status says why.
port=$(free_port)
run_wscli --probe "ws://127.0.0.1:$port"
status_is 3 "no server: exit 3"
like "$OUT" '^1\.1 +plain opening handshake +FAILED +cannot connect' "no server: 1.1 FAILED"
like "$OUT" '^1 cases in' "no server: nothing else ran"
start_raw http404 || { echo "Bail out! raw server did not start"; exit 1; }
run_wscli --probe "ws://127.0.0.1:$PORT"
status_is 4 "refused: exit 4"
like "$OUT" '^1\.1 .* FAILED +upgrade refused: HTTP/1\.1 404' "refused: 1.1 says why"

# --timeout bounds the whole probe as it bounds a session: the strict
# target passes every case in over a second; --timeout 0.3 ends it, exit 7,
# with the summary of the cases that ran.
start_target || fail "--timeout: the target did not start"
run_wscli --probe --timeout 0.3 "ws://127.0.0.1:$PORT"
status_is 7 "--probe --timeout 0.3: exit 7"
took "--probe --timeout 0.3" 2000
like "$ERR" 'timed out: --timeout 0.3 s' "--probe --timeout 0.3: says so"
like "$OUT" '^[0-9]+ cases in' "--probe --timeout 0.3: the summary still comes"
stop_server "$SERVER_PID"

# A server that takes TCP but never answers the upgrade: 1.1 fails in
# --probe-timeout, nothing else runs, nothing is OK.
start_raw stall-handshake || { echo "Bail out! raw server did not start"; exit 1; }
run_wscli --probe --probe-timeout 1 "ws://127.0.0.1:$PORT"
status_is 7 "stalled handshake: exit 7"
took "stalled handshake" 3000
like "$OUT" '^1\.1 .* FAILED +timed out after 1 s .*no answer to the upgrade' \
    "stalled handshake: 1.1 says why"
like "$OUT" '^1 cases in' "stalled handshake: nothing else ran"
unlike "$OUT" ' OK ' "stalled handshake: no case is OK"
stop_server "$SERVER_PID"

# The tutorial's server (no 'error' handler) dies on the first bad frame:
# the report says so once, the rest is UNTESTED, exit 10.
spawn "tutorial$server_count" node "$SERVERS/tutorial.js" 0 &&
    wait_port_line && server_started ||
    { echo "Bail out! tutorial.js did not start"; exit 1; }
run_wscli --probe "ws://127.0.0.1:$PORT"
status_is 10 "server killed by a case: exit 10"
took "server killed by a case" 5000
like "$OUT" '^the server stopped accepting connections after case 3\.1, RSV1 on a text frame: it crashed or closed its listener$' \
    "server killed: one clear line naming the case"
like "$OUT" '^3\.2 +RSV2 on a text frame +UNTESTED +not run: the server no longer accepts connections$' \
    "server killed: the next case UNTESTED"
unlike "$OUT" 'could not connect' "server killed: no case FAILED for it"
is "$(grep -c ' UNTESTED ' "$OUT")" 287 "server killed: every case after 3.1 UNTESTED"
like "$OUT" '^301 cases in .* 287 UNTESTED; the server stopped accepting connections after 3\.1$' \
    "server killed: the summary says it"

# The reports: JUnit XML and JSON that parse, every case in them, with
# its trace; the server killed after 3.1 is in them too.
spawn "tutorial$server_count" node "$SERVERS/tutorial.js" 0 &&
    wait_port_line && server_started ||
    { echo "Bail out! tutorial.js did not start"; exit 1; }
run_wscli --probe --probe-report "junit:$T/r.xml" --probe-report "json:$T/r.json" \
    "ws://127.0.0.1:$PORT"
status_is 10 "reports: exit 10 all the same"
is "$("$PYTHON" -c '
import sys, xml.etree.ElementTree as E
s = E.parse(sys.argv[1]).getroot().find("testsuite")
c = s.findall("testcase")
f = [x.get("name") for x in c if x.find("failure") is not None]
k = [x for x in c if x.find("skipped") is not None]
t = [x.find("system-out").text for x in c if x.get("name").startswith("3.1 ")][0]
print(s.get("tests"), len(c), s.get("failures"), len(f), s.get("skipped"), len(k),
      "rsv=100" in t and "1002 Protocol Error" in t)
' "$T/r.xml" 2>&1)" "301 301 1 1 287 287 True" \
    "junit: well-formed, every case, failures and skipped counted, 3.1's frames in its system-out"
is "$("$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["id"]: x for x in d["cases"]}
print(len(d["cases"]), d["summary"]["cases"], d["summary"]["server_gone_after"],
      c["3.1"]["verdict"], "> frame text   fin=1 rsv=100" in c["3.1"]["trace"],
      c["3.3"]["verdict"], int(c["3.3"]["ms"]), d["url"].startswith("ws://127.0.0.1:"))
' "$T/r.json" 2>&1)" "301 301 3.1 OK True UNTESTED 0 True" \
    "json: parses, every case with verdict, ms and trace, the summary"

# -v: each case's trace below its line
start_target || fail "-v: the target did not start"
run_wscli --probe -v --probe-cases 3.1 "ws://127.0.0.1:$PORT"
like "$OUT" '^3\.1 .* OK ' "-v: the case line"
like "$OUT" '^        > frame text   fin=1 rsv=100 len=5 \(7-bit\) mask=[0-9a-f]{8}  48 65 6c 6c 6f$' \
    "-v: the frame sent, as --frames shows it"
like "$OUT" '^        < frame close  fin=1 rsv=000 len=2 \(7-bit\) mask=-  1002 Protocol Error$' \
    "-v: the server's close"
run_wscli --probe --probe-report "junit:$T/no/such/dir/r.xml" "ws://127.0.0.1:$PORT"
status_is 2 "a report that cannot be written: exit 2"
like "$ERR" "cannot write --probe-report file '.*/no/such/dir/r.xml'" \
    "a report that cannot be written: said, before the run"
stop_server "$SERVER_PID"

# A case that does not pass is followed by a plain connection: a server
# that died on the last case selected is still found out.
start_target --fault exit-on-rsv || fail "exit-on-rsv: did not start"
run_wscli --probe --jsonl --probe-cases 3.1 "ws://127.0.0.1:$PORT"
status_is 10 "exit-on-rsv: exit 10"
like "$OUT" '^\{"event":"case","id":"3\.1",.*"verdict":"NON-STRICT"' \
    "exit-on-rsv: 3.1 dropped without a close"
like "$OUT" '^\{"event":"server_gone","after":"3\.1","name":"RSV1 on a text frame","detail":"it crashed or closed its listener"' \
    "exit-on-rsv: the check after it finds the server gone"
like "$OUT" '"server_gone_after":"3\.1"' "exit-on-rsv: the summary says it"

# --probe-cases: sections, patterns, exclusions.
start_target || fail "selection: the target did not start"
run_wscli --probe --probe-cases '5.*,!5.1,!5.10,3.2' "ws://127.0.0.1:$PORT"
status_is 0 "selection: exit 0"
is "$(awk '$1 ~ /^[0-9]+\.[0-9]/ { print $1 }' "$OUT" | tr '\n' ' ')" \
    "1.1 3.2 5.2 5.3 5.4 5.5 5.6 5.7 5.8 5.9 " \
    "selection: 5.* without 5.1 and 5.10, and 3.2 (1.1 always)"
stop_server "$SERVER_PID"

# A case of many connections (9.1) that kills the server is named.
start_target --fault exit-on-big --max-size 10000 || fail "exit-on-big: did not start"
run_wscli --probe --probe-cases 9.1 "ws://127.0.0.1:$PORT"
status_is 10 "exit-on-big: exit 10"
like "$OUT" '^the server stopped accepting connections after case 9\.1, largest message: it crashed or closed its listener$' \
    "exit-on-big: 9.1 named, though the server died between its attempts"

# --jsonl: a case not run took no time.
start_target || fail "jsonl: the target did not start"
run_wscli --probe --jsonl --probe-cases 9.3 "ws://127.0.0.1:$PORT"
like "$OUT" '^\{"event":"case","id":"9\.3",.*"verdict":"UNTESTED",.*"ms":0(\.00[0-9]*)?[,}]' \
    "jsonl: an UNTESTED case has ms 0"
stop_server "$SERVER_PID"

done_testing
