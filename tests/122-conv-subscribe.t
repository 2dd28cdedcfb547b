#!/bin/sh
# wscli --test against a server with a login and a subscription
# (subscribe.py): the token from --var, jq over the answers, a capture in
# a later expectation, skipping a stream until one message matches, a
# close the server starts, and an answer slower than "within".
. tests/lib.sh
need_wscli
spawn subscribe "$PYTHON" "$SERVERS/subscribe.py" --port 0 --login s3cret \
    --interval 100 && wait_port_line && server_started ||
    { echo "Bail out! subscribe.py did not start"; exit 1; }

C=$T/feed.conv
cat >"$C" <<EOF
# login, subscribe, then the feed: "prices 1", "prices 2", ...
@url $(url feed)
> {"op":"login","token":"{{TOKEN}}"}
< /jq .ok == "login"
> {"op":"subscribe","topic":"prices"}
< /jq .ok == "subscribe"
capture topic .topic
< {{topic}} 1
within 1s
< /re ^prices 4\$
skip
within 2s
> /close 1000 enough
< /close 1000
EOF
run_wscli --test --var TOKEN=s3cret "$C"
status_is 0 "subscribe: login, subscription, stream"
is "$(grep -c '^ok ' "$OUT")" "5" "subscribe: 5 points, all ok"
like "$SERVER_LOG" 'got \{"op":"login","token":"s3cret"\}' \
    "subscribe: the server got the token of --var"

# without skip, the stream's first message is not the one expected
sed '/^skip$/d' "$C" >"$T/noskip.conv"
run_wscli --test --var TOKEN=s3cret "$T/noskip.conv"
status_is 1 "subscribe: without skip, 'prices 2' fails"
like "$ERR" "^#        got: < prices 2\$" "subscribe: ... said"

# the server closes: a subscription before the login
cat >"$T/nologin.conv" <<EOF
@url $(url)
> {"op":"subscribe","topic":"prices"}
< /close 1008 login first
EOF
run_wscli --test "$T/nologin.conv"
status_is 0 "subscribe: the server's close, code and reason"

# an answer slower than "within": the second update comes 100 ms after
# the first, later than 30 ms
cat >"$T/slow.conv" <<EOF
@url $(url)
> {"op":"login","token":"s3cret"}
< {"ok": "login"}
> {"op":"subscribe","topic":"t"}
< /jq .ok == "subscribe"
< t 1
< t 2
within 30ms
EOF
run_wscli --test "$T/slow.conv"
status_is 1 "subscribe: a slow answer fails 'within'"
like "$OUT" "^not ok 4 - $T/slow.conv:7 < t 2\$" \
    "subscribe: the point of that line"
like "$ERR" "^#        got: nothing that matches within 0.03 s\$" \
    "subscribe: ... nothing within the time"
ok "subscribe: it fails at the deadline, not later (took $ELAPSED_MS ms)" \
    [ "$ELAPSED_MS" -lt 2000 ]
sed 's/^within 30ms$/within 1s/' "$T/slow.conv" >"$T/slow-ok.conv"
run_wscli --test "$T/slow-ok.conv"
status_is 0 "subscribe: the same within 1 s passes"

done_testing
