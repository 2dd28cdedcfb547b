#!/bin/sh
# --until REGEX ends the session with 0 at the first matching text message;
# --timeout ends it with 7.
. tests/lib.sh
need_wscli

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

run_wscli --send '{"op":"ping"}' --until '"op"' --timeout 5 "$(url)"
status_is 0 "--until matching the echo: exit 0"
is "$(cat "$OUT")" '{"op":"ping"}' "--until: the matching message is printed"
ok "--until: ends quickly ($ELAPSED_MS ms)" [ "$ELAPSED_MS" -lt $((3000 + TIME_SLACK_MS)) ]

# -w 5 keeps the connection open after the input: --until ends it first.
printf '{"op":"one"}\n{"op":"two","ok":true}\n{"op":"three"}\n' >"$T/three.in"
run_wscli --until '"ok": ?true' -w 5 "$(url)" <"$T/three.in"
status_is 0 "--until matching the second message: exit 0"
is "$(head -n 1 "$OUT")" '{"op":"one"}' "--until: earlier messages printed"
like "$OUT" '"op":"two"' "--until: the matching message printed"
ok "--until: does not wait for -w ($ELAPSED_MS ms)" [ "$ELAPSED_MS" -lt $((4000 + TIME_SLACK_MS)) ]
like "$ERR" 'closed by wscli with 1000' "--until: closes with 1000"

run_wscli -q --send 'alpha' --send 'beta' --until '^b.t' --timeout 5 "$(url)"
status_is 0 "--until ERE anchored: exit 0"

run_wscli --send 'nothing to see' --until 'never-matches' --timeout 1 -w 10 "$(url)"
status_is 7 "--until that never matches, --timeout 1: exit 7"
ok "--timeout 1: ends within 2.5 s ($ELAPSED_MS ms)" [ "$ELAPSED_MS" -lt $((2500 + TIME_SLACK_MS)) ]
ok "--timeout 1: does not end before 1 s ($ELAPSED_MS ms)" [ "$ELAPSED_MS" -ge 900 ]
like "$ERR" 'timeout|timed out' "--timeout: says the time ran out"
is "$(cat "$OUT")" 'nothing to see' "--timeout: messages before it are printed"

# --timeout counts the connection set-up too: a server that never answers.
spawn blackhole "$PYTHON" -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)'
wait_port_line && server_started || { echo "Bail out! silent TCP server did not start"; exit 1; }
run_wscli --timeout 1 "$(url)"
status_is 7 "--timeout 1 during the upgrade: exit 7"
ok "--timeout 1 during the upgrade: ends within 2.5 s ($ELAPSED_MS ms)" [ "$ELAPSED_MS" -lt $((2500 + TIME_SLACK_MS)) ]

done_testing
