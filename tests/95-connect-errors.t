#!/bin/sh
# What wscli says when a connection cannot be made or the upgrade fails:
# a server that closes without answering, ws:// aimed at a TLS port, a
# client certificate missing or refused; credentials on redirects (the same
# origin only: scheme, host and port); headers wscli writes itself given
# with -H; passwords in URLs kept out of every message; --jsonl error
# events.
. tests/lib.sh
need_wscli

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
ws=$PORT

# ------------------------------------------------- no answer, not HTTP

start_raw no-answer
run_wscli "$(url)"
status_is 4 "server closes without answering: exit 4"
like "$ERR" 'upgrade failed: the server closed the connection without an HTTP answer' \
    "server closes without answering: says so"
unlike "$ERR" 'No error' "server closes without answering: no 'No error'"

command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
sh "$SERVERS/mkcerts.sh" "$T" || { echo "Bail out! cannot make test certificates"; exit 1; }
start_wsserve() {   # wsserve.py OPTIONS...; sets PORT
    spawn "wsserve$server_count" "$PYTHON" "$SERVERS/wsserve.py" "$@" &&
        wait_port_line && server_started
}

# A real TLS server (Python websockets) gets a plain request: it closes
# without a word, as TLS servers do.
start_wsserve --cert "$T/server.pem" --key "$T/server.key"
tls=$PORT
run_wscli "ws://127.0.0.1:$tls/"
status_is 4 "ws:// to a TLS port: exit 4"
like "$ERR" 'without an HTTP answer.*TLS.*use wss://' "ws:// to a TLS port: points at wss://"
unlike "$ERR" 'client certificate' "ws:// to a TLS port: no client certificate hint"

# wss:// to a server that is not TLS.
run_wscli "wss://127.0.0.1:$ws/"
status_is 3 "wss:// to a ws:// server: exit 3"
like "$ERR" 'does not speak TLS there' "wss:// to a ws:// server: says so"
unlike "$ERR" 'client certificate' "wss:// to a ws:// server: no client certificate hint"

spawn closer "$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.close()'
wait_port_line && server_started || { echo "Bail out! closing server did not start"; exit 1; }
run_wscli "wss://127.0.0.1:$PORT/"
status_is 3 "wss:// to a server that closes at once: exit 3"
like "$ERR" 'closed the connection during the TLS handshake' \
    "wss:// to a server that closes at once: says when"
unlike "$ERR" 'client certificate' "wss:// to a server that closes at once: no client certificate hint"

# Client certificates: required and missing, given and refused (a server
# certificate is not for client authentication), given and accepted.
start_wsserve --cert "$T/server.pem" --key "$T/server.key" --client-ca "$T/ca.pem"
mtls=$PORT
run_wscli --cacert "$T/ca.pem" "wss://127.0.0.1:$mtls/"
status_is 3 "client certificate required, none given: exit 3"
like "$ERR" 'asked for a client certificate.*requires one \(--cert\)' \
    "client certificate required, none given: says it is required"

run_wscli --cacert "$T/ca.pem" --cert "$T/server.pem" --key "$T/server.key" \
    "wss://127.0.0.1:$mtls/"
status_is 3 "client certificate refused: exit 3"
like "$ERR" "asked for a client certificate.*did not accept .*server\\.pem" \
    "client certificate refused: names the certificate it did not accept"
unlike "$ERR" 'Broken pipe' "client certificate refused: more than 'Broken pipe'"

run_wscli -n 1 --send hi --cacert "$T/ca.pem" --cert "$T/client.pem" \
    --key "$T/client.key" "wss://127.0.0.1:$tls/"
status_is 0 "client certificate given, server does not ask: exit 0"

# ---------------------------------------------------- redirects, credentials

# A second HTTP server on another port of the same host.
spawn http2 "$PYTHON" "$SERVERS/httpd.py" 0 \
    "/logged2 307 ws://127.0.0.1:$ws/" &&
    wait_port_line && server_started || { echo "Bail out! httpd.py did not start"; exit 1; }
http2=$PORT
hlog2=$SERVER_LOG
spawn http "$PYTHON" "$SERVERS/httpd.py" 0 \
    "/other-port 307 http://127.0.0.1:$http2/logged2" \
    "/to-wss 302 wss://127.0.0.1:{port}/secure" \
    "/same 302 http://127.0.0.1:{port}/logged-same" \
    "/logged-same 302 ws://127.0.0.1:$ws/" \
    "/to-pw 302 ws://who:hunter2@127.0.0.1:$ws/" &&
    wait_port_line && server_started || { echo "Bail out! httpd.py did not start"; exit 1; }
http=$PORT
hlog=$SERVER_LOG

run_wscli -L -u user:secret -n 1 --send cred "ws://127.0.0.1:$http/other-port"
status_is 0 "-u, redirect to another port: exit 0"
like "$hlog" '^http: authorization for /other-port: Basic ' "-u, other port: the first port gets them"
like "$hlog2" '^http: request: GET /logged2 ' "-u, other port: the second port was asked"
unlike "$hlog2" '^http: authorization for /logged2:' "-u, other port: the second port does not get them"
like "$ERR" 'not sending credentials to ws://127\.0\.0\.1:[0-9]+' "-u, other port: says so"

run_wscli -L --bearer tok -n 1 --send cred "ws://127.0.0.1:$http/other-port"
unlike "$hlog2" 'authorization for /logged2: Bearer' "--bearer, other port: not sent on"

run_wscli -L -H 'Authorization: Custom abc' -H 'Cookie: session=1' -n 1 \
    --send cred "ws://127.0.0.1:$http/other-port"
status_is 0 "-H Authorization and Cookie, other port: exit 0"
unlike "$hlog2" 'authorization for /logged2: Custom' "-H Authorization, other port: not sent on"

run_wscli -L -u user:secret --connect-timeout 2 "ws://127.0.0.1:$http/to-wss"
like "$ERR" "not sending credentials to wss://127\\.0\\.0\\.1:$http" \
    "-u, redirect from ws to wss on the same host and port: credentials dropped"

run_wscli -L -u user:secret -n 1 --send same "ws://127.0.0.1:$http/same"
status_is 0 "-u, redirect http:// to the same host and port: exit 0"
like "$hlog" '^http: authorization for /logged-same: Basic ' \
    "-u, http:// on the same host and port is the same origin: still sent"

# ------------------------------------------------------- -H, -u, --bearer

start_raw echo
run_wscli -n 1 --send hi -H 'Sec-WebSocket-Version: 13' -H 'User-Agent: probe/1' \
    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' --bearer tok \
    -H 'Authorization: Basic Zm9vOmJhcg==' "$(url)"
status_is 0 "-H naming headers wscli writes: exit 0"
is "$(grep -c '^raw: header: Sec-WebSocket-Version:' "$SERVER_LOG")" 1 \
    "-H Sec-WebSocket-Version: sent once"
is "$(grep -c '^raw: header: User-Agent:' "$SERVER_LOG")" 1 "-H User-Agent: sent once"
like "$SERVER_LOG" '^raw: header: User-Agent: probe/1$' "-H User-Agent: the given value"
is "$(grep -c '^raw: header: Sec-WebSocket-Key:' "$SERVER_LOG")" 1 "-H Sec-WebSocket-Key: sent once"
like "$SERVER_LOG" '^raw: header: Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==$' \
    "-H Sec-WebSocket-Key: the given key (and the answer checked against it)"
is "$(grep -c '^raw: header: Authorization:' "$SERVER_LOG")" 1 "-H Authorization with --bearer: sent once"
like "$SERVER_LOG" '^raw: header: Authorization: Basic Zm9vOmJhcg==$' \
    "-H Authorization replaces --bearer's"

# ------------------------------------------------ passwords in URLs

run_wscli -v -n 1 --send hi "ws://user:s3cret@127.0.0.1:$ws/"
status_is 0 "password in the URL: exit 0"
like "$ERR" "connected to ws://user:\\*\\*\\*@127\\.0\\.0\\.1:$ws/" "password in the URL: hidden in 'connected to'"
unlike "$ERR" 's3cret' "password in the URL: not in any message, -v included"

run_wscli --jsonl -n 1 --send hi "ws://user:s3cret@127.0.0.1:$ws/"
like "$OUT" '"event":"open","url":"ws://user:\*\*\*@' "password in the URL: hidden in the --jsonl open event"
unlike "$OUT" 's3cret' "password in the URL: nowhere in --jsonl"

port=$(free_port)
run_wscli "ws://user:s3cret@127.0.0.1:$port/"
status_is 3 "password in the URL, connection refused: exit 3"
unlike "$ERR" 's3cret' "password in the URL: not in the connect error"

run_wscli -L -n 1 --send hi "ws://127.0.0.1:$http/to-pw"
status_is 0 "redirect to a URL with a password: exit 0"
like "$ERR" 'redirected \(302\) to ws://who:\*\*\*@' "redirect to a URL with a password: hidden"
unlike "$ERR" 'hunter2' "redirect to a URL with a password: not in any message"

# --------------------------------------------------- --jsonl error events

spawn h401 "$PYTHON" "$SERVERS/httpd.py" 0 "/auth 401" &&
    wait_port_line && server_started || { echo "Bail out! httpd.py did not start"; exit 1; }
run_wscli --jsonl "$(url auth)"
status_is 4 "--jsonl, upgrade refused: exit 4"
is "$(wc -l <"$OUT" | tr -d ' ')" 1 "--jsonl, upgrade refused: one event"
like "$OUT" '^\{"event":"error","message":"upgrade refused: HTTP/1\.1 401 Unauthorized","exit":4,"status":401,' \
    "--jsonl, upgrade refused: an error event with the message, exit status and status"
like "$OUT" '"WWW-Authenticate":"Basic realm=' "--jsonl, upgrade refused: the response headers"
like "$OUT" 'token expired' "--jsonl, upgrade refused: the body"

run_wscli --jsonl "ws://127.0.0.1:$port/"
status_is 3 "--jsonl, connection refused: exit 3"
like "$OUT" '^\{"event":"error","message":"cannot connect to ws://127\.0\.0\.1:[0-9]+/: .*","exit":3,' \
    "--jsonl, connection refused: an error event"
is "$(wc -l <"$OUT" | tr -d ' ')" 1 "--jsonl, connection refused: one event"

# ---------------------------------------------------------- -t=elapsed

run_wscli -t=elapsed -n 1 --send hi "ws://127.0.0.1:$ws/"
status_is 0 "-t=elapsed, as the man page writes it: accepted"

done_testing
