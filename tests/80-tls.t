#!/bin/sh
# TLS: certificate verification (--cacert, --capath, -k), refused
# certificates (untrusted, wrong host, expired, self-signed), client
# certificates (--cert, --key, --pass).
. tests/lib.sh
need_wscli
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"

sh "$SERVERS/mkcerts.sh" "$T" || { echo "Bail out! cannot make test certificates"; exit 1; }

start_wsserve() {   # wsserve.py OPTIONS...; sets PORT
    spawn "wsserve$server_count" "$PYTHON" "$SERVERS/wsserve.py" "$@" &&
        wait_port_line && server_started
}

start_wsserve --cert "$T/server.pem" --key "$T/server.key"
good=$PORT

# -n 1: close once the echo has come (the server may otherwise answer the
# close before echoing).
run_wscli --send hi "wss://127.0.0.1:$good/"
status_is 3 "untrusted CA: exit 3"
like "$ERR" 'certificate' "untrusted CA: says the certificate was refused"
like "$ERR" 'unable to get local issuer certificate' "untrusted CA: gives the TLS library's reason"
like "$ERR" '--cacert|-k' "untrusted CA: suggests --cacert or -k"
is "$(cat "$OUT")" "" "untrusted CA: nothing on stdout"

run_wscli -n 1 --cacert "$T/ca.pem" --send hi "wss://127.0.0.1:$good/"
status_is 0 "--cacert: exit 0"
is "$(cat "$OUT")" "hi" "--cacert: message echoed"
like "$ERR" "connected to wss://127\.0\.0\.1:$good/ \(101, TLSv1\.[23] [A-Z0-9_-]+," \
    "--cacert: summary shows the TLS version and cipher"

run_wscli -n 1 --cacert "$T/ca.pem" --send hi "wss://localhost:$good/"
status_is 0 "--cacert, host name localhost: exit 0"
is "$(cat "$OUT")" "hi" "--cacert, host name localhost: message echoed"

run_wscli -n 1 -k --send hi "wss://127.0.0.1:$good/"
status_is 0 "-k: exit 0"
is "$(cat "$OUT")" "hi" "-k: message echoed"

run_wscli -n 1 --insecure --send hi "wss://127.0.0.1:$good/"
status_is 0 "--insecure: exit 0"

run_wscli -n 1 --capath "$T/capath" --send hi "wss://127.0.0.1:$good/"
status_is 0 "--capath with a rehashed directory: exit 0"
is "$(cat "$OUT")" "hi" "--capath: message echoed"

# A directory without the CA does not help.
mkdir "$T/emptycapath"
run_wscli -n 1 --capath "$T/emptycapath" --send hi "wss://127.0.0.1:$good/"
status_is 3 "--capath with a directory without the CA: exit 3"

start_wsserve --cert "$T/wronghost.pem" --key "$T/wronghost.key"
run_wscli -n 1 --cacert "$T/ca.pem" --send hi "wss://127.0.0.1:$PORT/"
status_is 3 "certificate for another host: exit 3"
like "$ERR" 'no alternative certificate subject name matches|does not match' \
    "certificate for another host: says the name does not match"
run_wscli -n 1 -k --send hi "wss://127.0.0.1:$PORT/"
status_is 0 "certificate for another host with -k: exit 0"

start_wsserve --cert "$T/expired.pem" --key "$T/expired.key"
run_wscli -n 1 --cacert "$T/ca.pem" --send hi "wss://127.0.0.1:$PORT/"
status_is 3 "expired certificate: exit 3"
like "$ERR" 'certificate has expired' "expired certificate: says it has expired"

start_wsserve --cert "$T/self.pem" --key "$T/self.key"
self=$PORT
run_wscli -n 1 --cacert "$T/ca.pem" --send hi "wss://127.0.0.1:$self/"
status_is 3 "self-signed certificate: exit 3"
like "$ERR" 'self[- ]signed certificate' "self-signed certificate: says it is self-signed"
run_wscli -n 1 --cacert "$T/self.pem" --send hi "wss://127.0.0.1:$self/"
status_is 0 "self-signed certificate given as --cacert: exit 0"

# Client certificates.
start_wsserve --cert "$T/server.pem" --key "$T/server.key" --client-ca "$T/ca.pem"
mtls=$PORT
run_wscli -n 1 --cacert "$T/ca.pem" --send hi "wss://127.0.0.1:$mtls/"
status_is 3 "client certificate required, none given: exit 3"
like "$ERR" 'cannot connect' "client certificate required, none given: cannot connect"
is "$(cat "$OUT")" "" "client certificate required, none given: nothing on stdout"

run_wscli -n 1 --cacert "$T/ca.pem" --cert "$T/client.pem" --key "$T/client.key" \
    --send hi "wss://127.0.0.1:$mtls/"
status_is 0 "--cert and --key: exit 0"
is "$(cat "$OUT")" "hi" "--cert and --key: message echoed"

cat "$T/client.pem" "$T/client.key" >"$T/client-both.pem"
run_wscli -n 1 --cacert "$T/ca.pem" --cert "$T/client-both.pem" \
    --send hi "wss://127.0.0.1:$mtls/"
status_is 0 "--cert with the key in the same file: exit 0"

run_wscli -n 1 --cacert "$T/ca.pem" --cert "$T/client.pem" --key "$T/client-enc.key" \
    --pass secret --send hi "wss://127.0.0.1:$mtls/"
status_is 0 "--cert, encrypted --key and --pass: exit 0"
is "$(cat "$OUT")" "hi" "--cert, encrypted --key and --pass: message echoed"

run_wscli -n 1 --cacert "$T/ca.pem" --cert "$T/client.pem" --key "$T/client-enc.key" \
    --pass wrong --send hi "wss://127.0.0.1:$mtls/"
status_is 3 "wrong --pass: exit 3"
like "$ERR" 'key' "wrong --pass: names the private key"

done_testing
