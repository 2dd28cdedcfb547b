#!/bin/sh
# wscli --test against the Python "websockets" echo server: an example
# conversation of each kind of step, escapes both ways, a regex capture
# feeding a later send and expectation, and the failure of "nothing
# within".
. tests/lib.sh
need_wscli
start_py_echo || { echo "Bail out! python echo server did not start"; exit 1; }

C=$T/py.conv
cat >"$C" <<'EOF'
# Python websockets echoes text and binary as they came
> /text "tab\there \"quoted\" caf\u{e9} \{{x}}"
< /text "tab\there \"quoted\" caf\u{e9} \{{x}}"
> order 42 placed
< /re ^order ([0-9]+) (placed|failed)$
capture order \1
capture state \2
> {{order}} is {{state}}
< 42 is placed
> //slash
< //slash
> /base64 AAEC
< /binary 00 01 02
> /ping
< /pong
>
<
> /close 4000 "bye\n"
< /close 4000 "bye\n"
EOF
run_wscli --test "$(url)" "$C"
status_is 0 "python: a conversation that holds"
is "$(grep -c "^ok " "$OUT")" "8" "python: 8 points, all ok"

# the peer answers where nothing was expected
cat >"$T/nothing.conv" <<'EOF'
> ping me
nothing within 300ms
EOF
run_wscli --test "$(url)" "$T/nothing.conv"
status_is 1 "python: 'nothing within' and an answer: exit 1"
like "$OUT" "^not ok 1 - .*nothing.conv:2 nothing within 300ms\$" \
    "python: the failing point is that line"
like "$ERR" "^#        got: < ping me\$" "python: ... and says what came"

# expectations whose step cannot be made: an unknown variable
cat >"$T/unknown.conv" <<'EOF'
> x
< {{nope}}
EOF
run_wscli --test "$(url)" "$T/unknown.conv"
status_is 1 "python: an unknown variable fails its step"
like "$ERR" "no such variable" "python: ... named"

# many jq filters: compiled together in chunks, each message checked by
# its own; a mistake in the second chunk named by its line
"$PYTHON" - "$T/many.conv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(300):
        f.write('> {"n":%d}\n< /jq .n == %d\n' % (i, i))
PY
run_wscli --test "$(url)" "$T/many.conv"
status_is 0 "python: 300 jq filters, each on its message"
is "$(grep -c '^ok ' "$OUT")" "300" "python: 300 points ok"
sed 's/^< \/jq .n == 280$/< \/jq .n == 280 and/' "$T/many.conv" >"$T/many-bad.conv"
run_wscli --test "$(url)" "$T/many-bad.conv"
status_is 2 "python: a bad filter among 300: usage error"
like "$ERR" "^wscli: $T/many-bad.conv:562: jq '.n == 280 and': " \
    "python: ... named by its line"
is "$(grep -c "^wscli: " "$ERR")" "1" "python: ... and no other"

done_testing
