#!/bin/sh
# A client that never reaches its upgrade is named with its address, in
# listen and relay modes, on stderr as people read it: no request in time
# (--connect-timeout) and a failed TLS handshake.
. tests/lib.sh
need_wscli

# hold PORT SECS [BYTES]: connect, send BYTES (a Python bytes literal), wait
hold() {
    timeout -k 5 20 "$PYTHON" - "$1" "$2" "${3:-b''}" <<'PY' >/dev/null 2>&1
import ast, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.sendall(ast.literal_eval(sys.argv[3]))
time.sleep(float(sys.argv[2]))
PY
}

# ------------------------------------------------ no request in time

start_listen --connect-timeout 1 || { echo "Bail out! wscli -l did not start"; exit 1; }
hold "$LPORT" 2 "b'GET / HT'"
wait_for "$LERR" 'no complete upgrade request' 5
like "$LERR" '^wscli: client 1: no complete upgrade request within 1 s \(--connect-timeout\) \(from 127\.0\.0\.1:[0-9]+\)$' \
    "listen: no request in time, the client's address given"

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
start_listen --forward "$(url)" --connect-timeout 1 || { echo "Bail out! relay did not start"; exit 1; }
hold "$LPORT" 2
wait_for "$LERR" 'no upgrade request' 5
like "$LERR" '^wscli: relay 1: no upgrade request within 1 s \(--connect-timeout\) \(from 127\.0\.0\.1:[0-9]+\)$' \
    "relay: no request in time, the client's address given"

# ------------------------------------------------------ TLS handshake

if command -v openssl >/dev/null 2>&1 &&
    sh "$SERVERS/mkcerts.sh" "$T" >/dev/null 2>&1; then
    start_listen --tls-cert "$T/server.pem" --tls-key "$T/server.key" ||
        { echo "Bail out! wscli -l with TLS did not start"; exit 1; }
    # a client that does not trust the certificate
    run_wscli -n 1 --send x "wss://localhost:$LPORT/"
    wait_for "$LERR" 'TLS handshake failed' 10
    like "$LERR" '^wscli: client 1: TLS handshake failed: .* \(from 127\.0\.0\.1:[0-9]+\)$' \
        "listen: a failed TLS handshake, the client's address given"

    start_listen --forward "$(url)" --tls-cert "$T/server.pem" \
        --tls-key "$T/server.key" || { echo "Bail out! TLS relay did not start"; exit 1; }
    run_wscli -n 1 --send x "wss://localhost:$LPORT/"
    wait_for "$LERR" 'TLS handshake failed' 10
    like "$LERR" '^wscli: relay 1: (client: )?TLS handshake failed: .* \(from 127\.0\.0\.1:[0-9]+\)$' \
        "relay: a failed TLS handshake, the client's address given"
else
    pass "listen: a failed TLS handshake, the client's address given # SKIP no openssl"
    pass "relay: a failed TLS handshake, the client's address given # SKIP no openssl"
fi

done_testing
