#!/bin/sh
# -v: request and response headers, timings, TLS details with the server
# certificate's subject, issuer and dates, and the body of a refused upgrade.
. tests/lib.sh
need_wscli

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

run_wscli -v -n 1 -H 'X-Trace: 42' --send hi "$(url chat?room=1)"
status_is 0 "-v: exit 0"
is "$(cat "$OUT")" "hi" "-v: stdout has only the message"
like "$ERR" '^> GET /chat\?room=1 HTTP/1\.1' "-v: request line"
like "$ERR" "^> Host: 127\.0\.0\.1:$PORT" "-v: request Host header"
like "$ERR" '^> Upgrade: websocket' "-v: request Upgrade header"
like "$ERR" '^> Sec-WebSocket-Key: ' "-v: request Sec-WebSocket-Key"
like "$ERR" '^> X-Trace: 42' "-v: -H header shown"
like "$ERR" '^< HTTP/1\.1 101 ' "-v: response status line"
like "$ERR" '^< Sec-WebSocket-Accept: ' "-v: response headers"
like "$ERR" 'timings: DNS [0-9.]+ ms, TCP [0-9.]+ ms' "-v: timings line"
like "$ERR" 'connected to ' "-v: summary line"

run_wscli -n 1 --send hi "$(url)"
unlike "$ERR" '^> GET' "without -v: no request headers"
unlike "$ERR" 'timings:' "without -v: no timings"

run_wscli -v -q -n 1 --send hi "$(url)"
status_is 0 "-v -q: exit 0"

# Credentials are part of the request; the Basic value is shown as sent.
run_wscli -v -n 1 -u user:pw --send hi "$(url)"
status_is 0 "-v -u: exit 0"
like "$ERR" '^> Authorization: Basic ' "-v -u: the Authorization header is shown"

# TLS details.
if command -v openssl >/dev/null 2>&1 && sh "$SERVERS/mkcerts.sh" "$T"; then
    spawn tls "$PYTHON" "$SERVERS/wsserve.py" --cert "$T/server.pem" --key "$T/server.key" &&
        wait_port_line && server_started || { echo "Bail out! TLS server did not start"; exit 1; }
    run_wscli -v -n 1 --cacert "$T/ca.pem" --send hi "wss://127.0.0.1:$PORT/"
    status_is 0 "-v wss://: exit 0"
    like "$ERR" 'TLSv1\.[23]' "-v wss://: TLS version"
    like "$ERR" 'SSL connection using TLSv1\.[23] / [A-Z0-9_]+' "-v wss://: cipher"
    like "$ERR" 'certificate Subject: ?CN ?= ?localhost' "-v wss://: certificate subject"
    like "$ERR" 'certificate Issuer: ?CN ?= ?wscli test CA' "-v wss://: certificate issuer"
    like "$ERR" 'certificate Expire date: ?[A-Z][a-z]{2} +[0-9]+ [0-9:]+ [0-9]{4}' "-v wss://: certificate expiry date"
    like "$ERR" 'certificate Start date:' "-v wss://: certificate start date"
    like "$ERR" 'timings: DNS [0-9.]+ ms, TCP [0-9.]+ ms, TLS [0-9.]+ ms' "-v wss://: timings include TLS"

    run_wscli -v -n 1 -k --send hi "wss://127.0.0.1:$PORT/"
    status_is 0 "-v -k wss://: exit 0"
    like "$ERR" 'certificate Subject:' "-v -k wss://: certificate subject still shown"
else
    fail "test certificates made"
fi

# A refused upgrade shows the status, headers and body.
start_raw http404
run_wscli -v "$(url nowhere)"
status_is 4 "-v refused upgrade: exit 4"
like "$ERR" '^> GET /nowhere HTTP/1\.1' "-v refused upgrade: request shown"
like "$ERR" '^< HTTP/1\.1 404 Not Found' "-v refused upgrade: response status shown"
like "$ERR" 'Content-Type: text/plain' "-v refused upgrade: response headers"
like "$ERR" 'no such endpoint' "-v refused upgrade: body shown"

# The verbose output of a failed TLS connection explains it.
if [ -f "$T/ca.pem" ]; then
    run_wscli -v "wss://127.0.0.1:$(sed -n 1p "$T/tls.out")/"
    status_is 3 "-v untrusted certificate: exit 3"
    like "$ERR" 'unable to get local issuer certificate' "-v untrusted certificate: reason shown"
fi

done_testing
