#!/bin/sh
# Listen mode with TLS: --tls-cert and --tls-key (PEM, --pass for an
# encrypted key) with a throwaway CA; --tls-client-ca requiring and
# verifying client certificates, whose subject is shown; clients that do
# not trust the certificate, plain HTTP on the TLS port, and files that are
# not what they should be.
. tests/lib.sh
need_wscli
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"

sh "$SERVERS/mkcerts.sh" "$T" || { echo "Bail out! cannot make test certificates"; exit 1; }
openssl pkey -in "$T/server.key" -aes256 -passout pass:s3cret -out "$T/server-enc.key" ||
    { echo "Bail out! cannot encrypt a key"; exit 1; }
cat "$T/server.pem" "$T/server.key" >"$T/both.pem"

WSCAT=tests/bench/node_modules/.bin/wscat
wurl() { echo "wss://localhost:$LPORT/${1:-}"; }

# ------------------------------------------------------------- wss://

start_listen --echo --tls-cert "$T/server.pem" --tls-key "$T/server.key" ||
    { echo "Bail out! wscli -l with TLS did not start"; exit 1; }
like "$LERR" '^wscli: listening on 127\.0\.0\.1:[0-9]+ \(TLS\)$' "TLS: the listening line says TLS"

run_wscli -n 1 --cacert "$T/ca.pem" --send "over tls" "$(wurl)"
status_is 0 "wscli client with --cacert: exit 0"
is "$(cat "$OUT")" "over tls" "wscli client: the echo comes back over TLS"
wait_for "$LERR" 'client 1: disconnected' 5
like "$LERR" '^wscli: client 1: connection from 127\.0\.0\.1:[0-9]+, TLSv1\.[23] [A-Z0-9_-]+$' \
    "TLS: the client's TLS version and cipher are shown"

SSL_CERT_FILE=$T/ca.pem run_client PY "$(wurl py)" --send "python tls" --expect 1
is "$(sed -n 2p "$CLIENT_OUT")" "text python tls" "Python client over TLS (the CA in SSL_CERT_FILE)"
NODE_EXTRA_CA_CERTS=$T/ca.pem run_client NODE "$(wurl node)" --send "node tls" --expect 1
is "$(sed -n 2p "$CLIENT_OUT")" "text node tls" "Node client over TLS (the CA in NODE_EXTRA_CA_CERTS)"
if [ -x "$WSCAT" ]; then
    sleep 3 | timeout 20 "$WSCAT" -c "$(wurl cat)" --ca "$T/ca.pem" -x "wscat tls" -w 1 \
        >"$T/wscat.out" 2>"$T/wscat.err"
    like "$T/wscat.out" 'wscat tls' "wscat -c --ca over TLS"
fi

# A client that does not trust the certificate.
run_wscli -n 1 --send x "$(wurl)"
status_is 3 "an untrusting client: exit 3 (its side)"
wait_for "$LERR" 'TLS handshake failed' 5
like "$LERR" 'client [0-9]+: TLS handshake failed: tlsv1 alert unknown ca \(the client does not trust' \
    "an untrusting client: wscli says the client refused its certificate"

# Plain ws:// to the TLS port: a plain HTTP answer it can read.
run_wscli -n 1 --send x "ws://127.0.0.1:$LPORT/"
status_is 4 "plain ws:// to the TLS port: refused (exit 4 for a wscli client)"
like "$ERR" 'HTTP/1.1 400 Bad Request' "plain ws:// to the TLS port: 400"
like "$ERR" 'a plain HTTP request on a TLS port \(the client should use wss://\)' \
    "plain ws:// to the TLS port: the body says why"
kill "$LPID"
wait_listen
is "$LSTATUS" 0 "TLS listen: exit 0 on SIGTERM"

# Certificate and key in one file.
start_listen --echo --tls-cert "$T/both.pem"
run_wscli -n 1 --cacert "$T/ca.pem" --send one-file "$(wurl)"
is "$(cat "$OUT")" "one-file" "--tls-cert holding the key too: works without --tls-key"
kill "$LPID"
wait_listen

# ------------------------------------------------------ encrypted key

run_wscli -l 0 --tls-cert "$T/server.pem" --tls-key "$T/server-enc.key" --timeout 2
status_is 1 "encrypted key without --pass: exit 1"
like "$ERR" 'the private key in .*server-enc\.key is encrypted: give its passphrase with --pass' \
    "encrypted key without --pass: says so (and does not prompt)"
run_wscli -l 0 --tls-cert "$T/server.pem" --tls-key "$T/server-enc.key" --pass wrong --timeout 2
status_is 1 "encrypted key, wrong --pass: exit 1"
like "$ERR" 'cannot read the private key in .*server-enc\.key with the --pass given' \
    "encrypted key, wrong --pass: says so"
start_listen --echo --tls-cert "$T/server.pem" --tls-key "$T/server-enc.key" --pass s3cret
run_wscli -n 1 --cacert "$T/ca.pem" --send "with pass" "$(wurl)"
is "$(cat "$OUT")" "with pass" "encrypted key with the right --pass: works"
kill "$LPID"
wait_listen

run_wscli -l 0 --tls-cert "$T/server.pem" --tls-key "$T/client.key" --timeout 2
status_is 1 "a key of another certificate: exit 1"
like "$ERR" 'does not match the certificate' "a key of another certificate: says so"

# ---------------------------------------------------- client certificates

start_listen --echo --jsonl --tls-cert "$T/server.pem" --tls-key "$T/server.key" \
    --tls-client-ca "$T/ca.pem"
run_wscli -n 1 --cacert "$T/ca.pem" --cert "$T/client.pem" --key "$T/client.key" \
    --send "with cert" "$(wurl)"
status_is 0 "--tls-client-ca, client with a certificate of the CA: exit 0"
is "$(cat "$OUT")" "with cert" "--tls-client-ca: the echo comes back"
wait_for "$LOUT" '"event":"disconnect","conn":1' 5
like "$LOUT" '^\{"event":"connect","conn":1,.*"tls":"TLSv1\.[23] [^"]*","certificate":"CN=wscli test client"' \
    "--tls-client-ca: the certificate's subject is in the connect event"

run_wscli -n 1 --cacert "$T/ca.pem" --send "no cert" "$(wurl)"
status_is 3 "--tls-client-ca, client without a certificate: exit 3 (its side)"
like "$ERR" 'certificate required|--cert' "--tls-client-ca: the client learns a certificate is required"
wait_for "$LOUT" 'peer did not return a certificate' 5
like "$LOUT" '"event":"error","conn":2,"message":"client 2: TLS handshake failed: peer did not return a certificate \(--tls-client-ca requires a client certificate\) \(from 127\.0\.0\.1:[0-9]+\)"' \
    "--tls-client-ca: wscli says the client sent none, in an error event with the client's id and address"

run_wscli -n 1 --cacert "$T/ca.pem" --cert "$T/self.pem" --key "$T/self.key" \
    --send "wrong ca" "$(wurl)"
ok "--tls-client-ca, certificate of another CA: the client fails" [ "$STATUS" -ne 0 ]
wait_for "$LOUT" 'client 3: TLS handshake failed' 5
like "$LOUT" 'client 3: TLS handshake failed: certificate verify failed \(the client' \
    "--tls-client-ca: a certificate of another CA is refused, said so"
kill "$LPID"
wait_listen

start_listen --tls-cert "$T/server.pem" --tls-key "$T/server.key" --tls-client-ca "$T/ca.pem"
run_wscli --cacert "$T/ca.pem" --cert "$T/client.pem" --key "$T/client-enc.key" --pass secret \
    --send "to stdout" "$(wurl)"
status_is 0 "--tls-client-ca: a client with an encrypted key of its own: exit 0"
wait_for "$LERR" 'client 1: disconnected' 5
like "$LERR" '^wscli: client 1: connection from 127\.0\.0\.1:[0-9]+, TLSv1\.[23] [A-Z0-9_-]+, client certificate CN=wscli test client$' \
    "--tls-client-ca: the subject is shown on the connection line"
is "$(cat "$LOUT")" "to stdout" "--tls-client-ca: the message on stdout"
kill "$LPID"
wait_listen

run_wscli -l 0 --tls-cert "$T/server.pem" --tls-key "$T/server.key" \
    --tls-client-ca "$SERVERS/echo.js" --timeout 2
status_is 1 "--tls-client-ca that holds no certificate: exit 1"
like "$ERR" 'cannot use --tls-client-ca' "--tls-client-ca that holds no certificate: says so"

done_testing
