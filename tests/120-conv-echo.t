#!/bin/sh
# wscli --test against the Node "ws" echo server: a conversation that
# passes, prove reading its TAP, an edited expected line failing with its
# line number, a jq capture feeding a later send, files that cannot run,
# --jobs, --var, --report junit.
. tests/lib.sh
need_wscli
start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

C=$T/echo.conv
cat >"$C" <<EOF
# the echo server answers every message with itself
@url $(url)
@var greeting=hello

> {{greeting}}
< hello
> {"id":7,"user":"ann"}
< /jq .id == 7 and .user == "ann"
capture id .id
> seen {{id}}
< seen 7
> /text "two\nlines"
> /text "two\nlines"
< /re ^two
< /text "two\nlines"
> /binary 00 01 fe ff
< /binary 00 01 fe ff
> /ping abc
< /pong abc
> a
> b
any order
< b
< a
end
nothing within 200ms
> /close 1000 done
< /close 1000
EOF

run_wscli --test "$C"
status_is 0 "a conversation that holds: exit 0"
is "$(head -n 1 "$OUT")" "1..11" "the plan: one point per expectation"
is "$(grep -c '^ok ' "$OUT")" "11" "every point ok"
like "$OUT" "^ok 3 - $C:11 < seen 7\$" "a point names file, line and text"
is "$(wc -c <"$ERR")" "0" "nothing on stderr when all passes"

# prove reads it as it reads any test
prove -e "$WSCLI --test" "$C" >"$T/prove.out" 2>&1
ok "prove: the conversation passes" [ $? -eq 0 ]
like "$T/prove.out" "^Result: PASS" "prove: Result: PASS"

# the jq capture is what the later send carried: the echo proves it, and
# a different value fails there
sed 's/^< seen 7$/< seen 8/' "$C" >"$T/edited.conv"
run_wscli --test "$T/edited.conv"
status_is 1 "an edited expected line: exit 1"
like "$OUT" "^not ok 3 - $T/edited.conv:11 < seen 8\$" \
    "the failing point names its line"
like "$OUT" "^ok 4 - .* # SKIP after a failure\$" "later points are skipped"
like "$ERR" "^#   at $T/edited.conv:11\$" "the report names the line"
like "$ERR" "^#   expected: < seen 8 \\(within 5 s\\)\$" "... what was expected"
like "$ERR" "^#        got: < seen 7\$" "... what came"
like "$ERR" "^#     < \\{\"id\":7,\"user\":\"ann\"\\}\$" \
    "... and the last messages received"
prove -e "$WSCLI --test" "$T/edited.conv" >"$T/prove2.out" 2>&1
ok "prove: the edited file fails" [ $? -ne 0 ]
like "$T/prove2.out" "Failed test: +3" "prove: names test 3"

# the URL on the command line wins over @url; --var over the file's @var
cat >"$T/vars.conv" <<'EOF'
@url ws://127.0.0.1:1/
@var who=file
> {{who}} {{CONV_ENV}}
< cli env
EOF
CONV_ENV=env run_wscli --test --var who=cli "$(url)" "$T/vars.conv"
status_is 0 "command-line URL, --var and the environment"

# a server that is not there: the file could not run
cat >"$T/refused.conv" <<'EOF'
@url ws://127.0.0.1:1/
> x
< x
< y
EOF
run_wscli --test "$T/refused.conv"
status_is 3 "nothing listening: exit 3"
like "$OUT" "^not ok 1 - $T/refused.conv:3 < x\$" "its first point fails"
like "$OUT" "^ok 2 - .*# SKIP" "the rest are skipped"
like "$ERR" "expected: to connect" "and the report says why"

# mistakes in a file are found before anything connects
printf '> a\n< /re (\n' >"$T/badre.conv"
run_wscli --test "$(url)" "$T/badre.conv"
status_is 2 "a bad regular expression: usage error"
like "$ERR" "^wscli: $T/badre.conv:2: /re: " "it names the line"
is "$(wc -c <"$OUT")" "0" "and nothing runs"
printf '> a\n< /jq .a ==\n' >"$T/badjq.conv"
run_wscli --test "$(url)" "$T/badjq.conv"
status_is 2 "a bad jq filter: usage error"
like "$ERR" "^wscli: $T/badjq.conv:2: jq '.a ==': syntax error, unexpected \\\$end\$" \
    "it names the line"
printf '> a\n<< a\n' >"$T/syntax.conv"
run_wscli --test "$(url)" "$T/syntax.conv"
status_is 2 "a line that is no step: usage error"
like "$ERR" "^wscli: $T/syntax.conv:2: " "it names the line"

# several files: each its own connection; the points in file order even
# when they run side by side
for i in 1 2 3; do
    printf '@url %s\n> slow %s\nsleep 0.%s\n< slow %s\n> x\n< x\n' \
        "$(url)" "$i" "$((4 - i))" "$i" >"$T/job$i.conv"
done
run_wscli --test --jobs 3 "$T/job1.conv" "$T/job2.conv" "$T/job3.conv"
status_is 0 "--jobs 3: three files pass"
is "$(sed -n 's/^ok \([0-9]*\) - .*\/\(job[0-9]\).conv:\([0-9]*\).*/\1 \2:\3/p' "$OUT" | tr '\n' ' ')" \
    "1 job1:4 2 job1:6 3 job2:4 4 job2:6 5 job3:4 6 job3:6 " \
    "--jobs 3: points in the order of the files"
ok "--jobs 3: side by side (under 0.7 s of sleeps in all, took $ELAPSED_MS ms)" \
    [ "$ELAPSED_MS" -lt 2000 ]

# JUnit for CI systems
run_wscli --test --report "junit:$T/junit.xml" "$C" "$T/edited.conv"
status_is 1 "--report with a failure: exit 1"
"$PYTHON" - "$T/junit.xml" >"$T/junit.txt" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
print(r.get("tests"), r.get("failures"), r.get("skipped"))
for s in r.findall("testsuite"):
    print(s.get("name").rsplit("/", 1)[-1], s.get("tests"), s.get("failures"))
f = r.find(".//failure")
print("failure:", f.get("message"), "|", f.text.splitlines()[0].strip())
PY
is "$(cat "$T/junit.txt")" "22 1 8
echo.conv 11 0
edited.conv 11 1
failure: expectation failed | at $T/edited.conv:11" \
    "--report junit: suites, counts and the failure"

done_testing
