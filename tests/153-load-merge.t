#!/bin/sh
# --load-report and --load-merge: three processes load the same server at
# once, each writes its report; the merge adds them up, in any grouping,
# and refuses what is not a report.
. tests/lib.sh
need_wscli

start_node_echo || { echo "Bail out! node echo server"; exit 1; }
URL=ws://127.0.0.1:$PORT/

for i in 1 2 3; do
    timeout -k 5 30 "$WSCLI" --load "$URL" --connections 100 \
        --send "p$i {n}" --msg-rate lockstep -n $((i * 10)) \
        --load-report "$T/r$i" >"$T/out$i" 2>"$T/err$i" &
    eval "pid$i=\$!"
done
for i in 1 2 3; do
    eval "wait \$pid$i"
    is "$?" 0 "process $i: exit 0"
done
like "$T/r1" '^wscli-load-report 1$' "a report file"
like "$T/r1" '^hist rtt 1000 ' "its round trips: 1000 recordings"

run_wscli --load-merge "$T/r1" "$T/r2" "$T/r3"
is "$STATUS" 0 "merge: exit 0"
like "$OUT" "^wscli --load ws://127\.0\.0\.1:$PORT/: 300 connections in [0-9.]+ s \(3 runs merged\)$" \
    "merge: 300 connections of 3 runs"
like "$OUT" '^connections +300 opened in [0-9.]+ s \([0-9]+/s\), 0 failed$' \
    "merge: opened added up"
like "$OUT" '^messages +6000 sent .* 6000 echoed, 0 unanswered$' \
    "merge: 1000 + 2000 + 3000 messages"
like "$OUT" '^round trip .*\(6000 echoes\)$' "merge: one histogram of 6000"
like "$OUT" '^ended +300  closed by wscli: 1000, answered$' "merge: closes added up"
cp "$OUT" "$T/all"

# in two steps: the same report
run_wscli --load-merge "$T/r1" "$T/r2" --load-report "$T/r12"
is "$STATUS" 0 "merge of two, written: exit 0"
like "$T/r12" '^runs 2$' "the merged file says 2 runs"
run_wscli --load-merge "$T/r12" "$T/r3"
is "$(cat "$OUT")" "$(cat "$T/all")" "merged in two steps: the same report"

# a percentile of the merge lies within the runs' own
p50() { sed -n 's/^round trip *p50 \([^ ]* [^ ]*\) .*/\1/p' "$1"; }
diag "p50: $(p50 "$T/out1"), $(p50 "$T/out2"), $(p50 "$T/out3"); merged $(p50 "$T/all")"

sed 's/^hist rtt 1000 /hist rtt 999 /' "$T/r1" >"$T/bad"
run_wscli --load-merge "$T/r2" "$T/bad"
is "$STATUS" 1 "a damaged report: exit 1"
like "$ERR" "bad, line [0-9]+: not a line of a --load-report file" \
    "a damaged report: the line named"
echo hello >"$T/notreport"
run_wscli --load-merge "$T/notreport"
is "$STATUS" 1 "not a report: exit 1"
like "$ERR" "notreport is not a wscli --load-report file" "not a report: said"
run_wscli --load-merge
is "$STATUS" 2 "no files: usage error"
run_wscli --load-merge "$T/r1" --connections 3
is "$STATUS" 2 "--connections with --load-merge: usage error"
like "$ERR" 'connections cannot be used with --load-merge' \
    "--connections with --load-merge: said"

done_testing
