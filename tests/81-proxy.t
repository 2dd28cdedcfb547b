#!/bin/sh
# Proxies: HTTP CONNECT through tinyproxy (-x, proxy credentials, the
# http_proxy / ws_proxy / all_proxy variables, --noproxy, no_proxy) and
# SOCKS5 (tests/servers/socks5.py: socks5h:// and socks5://).
. tests/lib.sh
need_wscli
command -v tinyproxy >/dev/null 2>&1 || skip_all "tinyproxy not installed"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"

# The proxy variables of the caller must not leak into the cases below.
unset ws_proxy wss_proxy http_proxy https_proxy all_proxy no_proxy \
    WS_PROXY WSS_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY

connects() {    # LOG TARGET_PORT: how many CONNECTs to TARGET_PORT LOG shows
    grep -c "Request .*CONNECT [^ ]*:$2 " "$1"
}

sh "$SERVERS/mkcerts.sh" "$T" || { echo "Bail out! cannot make test certificates"; exit 1; }

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
ws=$PORT
spawn tls "$PYTHON" "$SERVERS/wsserve.py" --cert "$T/server.pem" --key "$T/server.key" &&
    wait_port_line && server_started || { echo "Bail out! TLS server did not start"; exit 1; }
wss=$PORT

start_tinyproxy proxy || { echo "Bail out! tinyproxy did not start"; exit 1; }
proxy=$PROXY_PORT
plog=$PROXY_LOG

# -x with ws:// and wss://.
run_wscli -x "http://127.0.0.1:$proxy" -n 1 --send hi "ws://127.0.0.1:$ws/"
status_is 0 "-x http proxy, ws://: exit 0"
is "$(cat "$OUT")" "hi" "-x http proxy, ws://: message echoed"
is "$(connects "$plog" "$ws")" 1 "-x http proxy, ws://: the proxy saw one CONNECT"

run_wscli --proxy "http://127.0.0.1:$proxy" -n 1 --cacert "$T/ca.pem" --send hi "wss://localhost:$wss/"
status_is 0 "-x http proxy, wss://: exit 0"
is "$(cat "$OUT")" "hi" "-x http proxy, wss://: message echoed"
like "$ERR" 'TLSv1\.[23]' "-x http proxy, wss://: TLS through the tunnel"
is "$(connects "$plog" "$wss")" 1 "-x http proxy, wss://: the proxy saw one CONNECT"

run_wscli -x "http://127.0.0.1:$proxy" -n 1 --send hi "wss://127.0.0.1:$wss/"
status_is 3 "-x http proxy, wss:// with an untrusted certificate: exit 3"
like "$ERR" 'certificate' "-x http proxy, untrusted certificate: says so"

# A proxy that is not there.
dead=$(free_port)
run_wscli -x "http://127.0.0.1:$dead" -n 1 --send hi "ws://127.0.0.1:$ws/"
status_is 3 "-x to a port where no proxy listens: exit 3"
like "$ERR" 'cannot connect' "-x to a dead proxy: cannot connect"

# Environment variables.
before=$(connects "$plog" "$ws")
http_proxy="http://127.0.0.1:$proxy" run_wscli -n 1 --send env "ws://127.0.0.1:$ws/"
status_is 0 "http_proxy: exit 0"
is "$(cat "$OUT")" "env" "http_proxy: message echoed"
is "$(connects "$plog" "$ws")" $((before + 1)) "http_proxy: used for ws://"

ws_proxy="http://127.0.0.1:$proxy" run_wscli -n 1 --send env "ws://127.0.0.1:$ws/"
status_is 0 "ws_proxy: exit 0"
is "$(connects "$plog" "$ws")" $((before + 2)) "ws_proxy: used for ws://"

all_proxy="http://127.0.0.1:$proxy" run_wscli -n 1 --send env "ws://127.0.0.1:$ws/"
status_is 0 "all_proxy: exit 0"
is "$(connects "$plog" "$ws")" $((before + 3)) "all_proxy: used for ws://"

before=$(connects "$plog" "$wss")
https_proxy="http://127.0.0.1:$proxy" run_wscli -n 1 --cacert "$T/ca.pem" --send env "wss://127.0.0.1:$wss/"
status_is 0 "https_proxy: exit 0"
is "$(connects "$plog" "$wss")" $((before + 1)) "https_proxy: used for wss://"

before=$(connects "$plog" "$ws")
http_proxy="http://127.0.0.1:$dead" ws_proxy="http://127.0.0.1:$proxy" \
    run_wscli -n 1 --send env "ws://127.0.0.1:$ws/"
status_is 0 "ws_proxy before http_proxy: exit 0"
is "$(connects "$plog" "$ws")" $((before + 1)) "ws_proxy before http_proxy: ws_proxy used"

before=$(connects "$plog" "$ws")
http_proxy="http://127.0.0.1:$proxy" run_wscli --noproxy '*' -n 1 --send direct "ws://127.0.0.1:$ws/"
status_is 0 "--noproxy '*' with http_proxy: exit 0"
is "$(cat "$OUT")" "direct" "--noproxy '*': message echoed"
is "$(connects "$plog" "$ws")" "$before" "--noproxy '*': no CONNECT in the proxy's log"

run_wscli -x "http://127.0.0.1:$proxy" --noproxy '127.0.0.1' -n 1 --send direct "ws://127.0.0.1:$ws/"
status_is 0 "-x with --noproxy HOST: exit 0"
is "$(connects "$plog" "$ws")" "$before" "-x with --noproxy HOST: no CONNECT in the proxy's log"

http_proxy="http://127.0.0.1:$proxy" no_proxy=127.0.0.1 run_wscli -n 1 --send direct "ws://127.0.0.1:$ws/"
status_is 0 "no_proxy: exit 0"
is "$(connects "$plog" "$ws")" "$before" "no_proxy: no CONNECT in the proxy's log"

# Proxy credentials.
start_tinyproxy authproxy "BasicAuth wsuser wspass" ||
    { echo "Bail out! tinyproxy with BasicAuth did not start"; exit 1; }
aproxy=$PROXY_PORT
run_wscli -x "http://127.0.0.1:$aproxy" -n 1 --send hi "ws://127.0.0.1:$ws/"
status_is 3 "proxy needs credentials, none given: exit 3"
like "$ERR" '407' "proxy needs credentials, none given: shows 407"

run_wscli -x "http://wsuser:wrong@127.0.0.1:$aproxy" -n 1 --send hi "ws://127.0.0.1:$ws/"
status_is 3 "proxy with wrong credentials: exit 3"
# (tinyproxy answers wrong credentials with 401 rather than 407)
like "$ERR" 'tunnel failed, response 40[17]' "proxy with wrong credentials: shows the proxy's answer"
is "$(cat "$OUT")" "" "proxy with wrong credentials: nothing on stdout"

run_wscli -x "http://wsuser:wspass@127.0.0.1:$aproxy" -n 1 --send hi "ws://127.0.0.1:$ws/"
status_is 0 "proxy with the right credentials: exit 0"
is "$(cat "$OUT")" "hi" "proxy with the right credentials: message echoed"

run_wscli -x "http://wsuser:wspass@127.0.0.1:$aproxy" -n 1 --cacert "$T/ca.pem" --send hi "wss://127.0.0.1:$wss/"
status_is 0 "proxy with the right credentials, wss://: exit 0"

# SOCKS5.
spawn socks "$PYTHON" "$SERVERS/socks5.py" 0 && wait_port_line && server_started ||
    { echo "Bail out! socks5.py did not start"; exit 1; }
socks=$PORT
slog=$SERVER_LOG

run_wscli -x "socks5h://127.0.0.1:$socks" -n 1 --send hi "ws://localhost:$ws/"
status_is 0 "socks5h://: exit 0"
is "$(cat "$OUT")" "hi" "socks5h://: message echoed"
like "$slog" "^socks5: CONNECT localhost:$ws \(domain\)" "socks5h://: the proxy resolves the name"

run_wscli -4 -x "socks5://127.0.0.1:$socks" -n 1 --send hi "ws://localhost:$ws/"
status_is 0 "socks5:// with -4: exit 0"
is "$(cat "$OUT")" "hi" "socks5:// with -4: message echoed"
like "$slog" "^socks5: CONNECT 127\.0\.0\.1:$ws \(ipv4\)" "socks5://: wscli resolves the name"

run_wscli -x "socks5h://127.0.0.1:$socks" -n 1 --cacert "$T/ca.pem" --send hi "wss://localhost:$wss/"
status_is 0 "socks5h://, wss://: exit 0"
is "$(cat "$OUT")" "hi" "socks5h://, wss://: message echoed"

all_proxy="socks5h://127.0.0.1:$socks" run_wscli -n 1 --send env "ws://localhost:$ws/"
status_is 0 "all_proxy=socks5h://: exit 0"
like "$slog" "^socks5: CONNECT localhost:$ws" "all_proxy=socks5h://: used"

spawn socksauth "$PYTHON" "$SERVERS/socks5.py" 0 suser:spass && wait_port_line && server_started ||
    { echo "Bail out! socks5.py with credentials did not start"; exit 1; }
run_wscli -x "socks5h://suser:spass@127.0.0.1:$PORT" -n 1 --send hi "ws://localhost:$ws/"
status_is 0 "socks5h:// with the right credentials: exit 0"
is "$(cat "$OUT")" "hi" "socks5h:// with the right credentials: message echoed"
run_wscli -x "socks5h://suser:wrong@127.0.0.1:$PORT" -n 1 --send hi "ws://localhost:$ws/"
status_is 3 "socks5h:// with wrong credentials: exit 3"
like "$ERR" '[Rr]ejected|SOCKS' "socks5h:// with wrong credentials: says the proxy refused"

done_testing
