#!/bin/sh
# --unix-socket: a WebSocket over a unix domain socket (Python websockets
# unix_serve), and the Host header taken from the URL.
. tests/lib.sh
need_wscli

sock=$T/ws.sock
spawn unix "$PYTHON" "$SERVERS/wsserve.py" --unix "$sock"
if ! wait_for "$SERVER_OUT" '^unix ' 10 || [ ! -S "$sock" ]; then
    diag_file "$SERVER_LOG"
    echo "Bail out! unix socket server did not start"
    exit 1
fi
server_started

run_wscli --unix-socket "$sock" -n 1 --send hello "ws://localhost/"
status_is 0 "--unix-socket: exit 0"
is "$(cat "$OUT")" "hello" "--unix-socket: message echoed"
like "$SERVER_LOG" '^wsserve: header: Host: localhost$' "--unix-socket: Host comes from the URL"

printf 'one\ntwo\nthree\n' >"$T/lines"
run_wscli --unix-socket "$sock" -n 3 "ws://example.test:8080/some/path" <"$T/lines"
status_is 0 "--unix-socket, three lines: exit 0"
is "$(cat "$OUT")" "$(cat "$T/lines")" "--unix-socket, three lines: all echoed in order"
like "$SERVER_LOG" '^wsserve: header: Host: example\.test:8080$' "--unix-socket: Host keeps the URL's port"
like "$SERVER_LOG" '^wsserve: request: GET /some/path$' "--unix-socket: path from the URL"

run_wscli --unix-socket "$sock" -b -n 1 --send "$(printf 'bin\001')" "ws://localhost/"
status_is 0 "--unix-socket, binary message: exit 0"
printf 'bin\001' >"$T/bin.expected"
ok "--unix-socket, binary message: echoed byte for byte" cmp -s "$T/bin.expected" "$OUT"

# A proxy from the environment does not apply to a unix socket.
dead=$(free_port)
http_proxy="http://127.0.0.1:$dead" ws_proxy="http://127.0.0.1:$dead" \
    run_wscli --unix-socket "$sock" -n 1 --send env "ws://localhost/"
status_is 0 "--unix-socket with ws_proxy/http_proxy set: exit 0"
is "$(cat "$OUT")" "env" "--unix-socket with a proxy variable: message echoed"

run_wscli --unix-socket "$T/nonexistent.sock" --send hello "ws://localhost/"
status_is 3 "--unix-socket to a missing socket: exit 3"
like "$ERR" 'cannot connect' "--unix-socket to a missing socket: cannot connect"

done_testing
