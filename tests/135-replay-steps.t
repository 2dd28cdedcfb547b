#!/bin/sh
# --replay against the Node "ws" echo server, for the steps it shares
# with --test: a "< /jq" line holds only when its filter does, --var gives
# {{NAME}} its value, a "> /frame" step is sent as crafted.
. tests/lib.sh
need_wscli
start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

# /jq: the filter is run on the answer, as --test runs it
cat >"$T/jq.conv" <<EOF
@url $(url)
> {"id":7,"user":"ann"}
< /jq .id == 7 and .user == "ann"
> /close 1000
< /close 1000
EOF
run_wscli --replay "$T/jq.conv"
status_is 0 "jq: the filter holds: exit 0"
sed 's/\.id == 7/.id == 8/' "$T/jq.conv" >"$T/jq8.conv"
run_wscli --replay "$T/jq8.conv"
status_is 1 "jq: a filter that does not hold: exit 1"
like "$OUT" '^-< /jq \.id == 8 and \.user == "ann"$' "jq: ... the recorded line, missing"
like "$OUT" '^\+< \{"id":7,"user":"ann"\}$' "jq: ... the answer that came"
printf '@url %s\n> {"a":1}\n< /jq .a ==\n' "$(url)" >"$T/badjq.conv"
run_wscli --replay "$T/badjq.conv"
status_is 2 "jq: a filter that is not jq: usage error"
like "$ERR" "badjq\\.conv:3: jq: " "jq: ... named with its line"

# --var, before the environment and @var
cat >"$T/var.conv" <<EOF
@url $(url)
@var who=bob
> hello {{who}}
< hello ann
> /close 1000
< /close 1000
EOF
run_wscli --replay "$T/var.conv" --var who=ann
status_is 0 "--var: its value is sent: exit 0"
who=eve run_wscli --replay "$T/var.conv" --var who=ann
status_is 0 "--var: ... before the environment"
run_wscli --replay "$T/var.conv"
status_is 1 "--var: without it @var's value goes: exit 1"
like "$OUT" '^\+< hello bob$' "--var: ... and comes back"
run_wscli --var who=ann "$(url)" </dev/null
status_is 2 "--var without --replay or --test: usage error"
like "$ERR" '^wscli: --var goes with --replay or --test' "--var alone: says why"

# /frame: crafted, sent; the echo of a fragmented text is the whole text
cat >"$T/frame.conv" <<EOF
@url $(url)
> /frame fin=0 op=text hel
> /frame fin=1 op=cont lo
< hello
> /frame op=ping ping!
< /pong ping!
> /close 1000
< /close 1000
EOF
run_wscli --replay "$T/frame.conv"
status_is 0 "/frame: the crafted frames are sent: exit 0"
unlike "$ERR" 'not replayed|not sent' "/frame: ... none left out"
cat >"$T/badframe.conv" <<EOF
@url $(url)
> /frame fin=2 x
> plain
< plain
EOF
run_wscli --replay "$T/badframe.conv"
status_is 2 "/frame: a SPEC that is wrong: usage error, nothing sent"
like "$ERR" 'badframe\.conv:2: fin=2: FIN is 0 or 1' "/frame: ... the line said"

# a file's @proto must name a protocol
printf '@url %s\n@proto nope\n> x\n' "$(url)" >"$T/nope.conv"
run_wscli --replay "$T/nope.conv"
status_is 2 "@proto nope: usage error"
like "$ERR" "nope\\.conv: @proto nope: not a protocol \\(one of raw, auto, socketio" \
    "@proto nope: ... the protocols named"

done_testing
