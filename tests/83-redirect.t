#!/bin/sh
# Redirects: without -L a 3xx is a refused upgrade that says to use -L; with
# -L every status (301, 302, 303, 307, 308) and Location form (http://,
# ws://, relative) is followed and reported, --max-redirs bounds chains and
# loops, other schemes are refused, and -u credentials stay with the host
# they were given for. tests/servers/httpd.py answers the redirects.
. tests/lib.sh
need_wscli

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
ws=$PORT

spawn http "$PYTHON" "$SERVERS/httpd.py" 0 \
    "/301 301 http://127.0.0.1:$ws/" \
    "/302 302 ws://127.0.0.1:$ws/" \
    "/303 303 http://127.0.0.1:$ws/" \
    "/307 307 ws://127.0.0.1:$ws/" \
    "/308 308 http://127.0.0.1:$ws/" \
    "/rel 302 /307" \
    "/c1 302 /c2" \
    "/c2 307 /c3" \
    "/c3 301 ws://127.0.0.1:$ws/" \
    "/loop 302 /loop" \
    "/ftp 302 ftp://127.0.0.1/file" \
    "/other-host 307 http://localhost:{port}/logged" \
    "/logged 307 ws://127.0.0.1:$ws/" \
    "/same-host 302 http://127.0.0.1:{port}/logged-same" \
    "/logged-same 302 ws://127.0.0.1:$ws/" &&
    wait_port_line && server_started || { echo "Bail out! httpd.py did not start"; exit 1; }
http=$PORT
hlog=$SERVER_LOG

# Without -L.
for code in 301 302 303 307 308; do
    run_wscli -n 1 --send hi "ws://127.0.0.1:$http/$code"
    status_is 4 "$code without -L: exit 4"
    like "$ERR" "HTTP/1\.1 $code " "$code without -L: shows the status line"
    like "$ERR" "Location: (http|ws)://127\.0\.0\.1:$ws/" "$code without -L: shows the Location"
    like "$ERR" 'use -L' "$code without -L: says to use -L"
    is "$(cat "$OUT")" "" "$code without -L: nothing on stdout"
done

# With -L: one hop to the echo server.
for code in 301 302 303 307 308; do
    run_wscli -L -n 1 --send "via $code" "ws://127.0.0.1:$http/$code"
    status_is 0 "$code with -L: exit 0"
    is "$(cat "$OUT")" "via $code" "$code with -L: message echoed by the final server"
    like "$ERR" "redirected \($code\) to ws://127\.0\.0\.1:$ws/" "$code with -L: the hop is reported (http becomes ws)"
    like "$ERR" "connected to ws://127\.0\.0\.1:$ws/" "$code with -L: connected to the final URL"
done

run_wscli --location -n 1 --send rel "ws://127.0.0.1:$http/rel"
status_is 0 "relative Location: exit 0"
is "$(cat "$OUT")" "rel" "relative Location: message echoed"
like "$ERR" "redirected \(302\) to ws://127\.0\.0\.1:$http/307" "relative Location: resolved against the request URL"
like "$ERR" "redirected \(307\) to ws://127\.0\.0\.1:$ws/" "relative Location: then the next hop"

run_wscli -L -n 1 --send chain "ws://127.0.0.1:$http/c1"
status_is 0 "chain of 3 redirects: exit 0"
is "$(cat "$OUT")" "chain" "chain of 3 redirects: message echoed"
is "$(grep -c 'redirected (' "$ERR")" 3 "chain of 3 redirects: three hops reported"

run_wscli -L --max-redirs 3 -n 1 --send chain "ws://127.0.0.1:$http/c1"
status_is 0 "chain of 3 with --max-redirs 3: exit 0"

run_wscli -L --max-redirs 2 -n 1 --send chain "ws://127.0.0.1:$http/c1"
status_is 4 "chain of 3 with --max-redirs 2: exit 4"
like "$ERR" 'too many redirects' "chain of 3 with --max-redirs 2: says too many redirects"

run_wscli -L --max-redirs 1 -n 1 --send hi "ws://127.0.0.1:$http/rel"
status_is 4 "two redirects with --max-redirs 1: exit 4"
like "$ERR" 'more than 1\)' "two redirects with --max-redirs 1: names the limit"

before=$(grep -c 'request: GET /loop ' "$hlog")
run_wscli -L -n 1 --send loop "ws://127.0.0.1:$http/loop"
status_is 4 "redirect loop: exit 4"
like "$ERR" 'too many redirects' "redirect loop: says too many redirects"
like "$ERR" 'more than 10' "redirect loop: names the default limit"
after=$(grep -c 'request: GET /loop ' "$hlog")
is "$((after - before))" 11 "redirect loop: the default limit of 10 redirects is followed, not more"

run_wscli -L -n 1 --send hi "ws://127.0.0.1:$http/ftp"
status_is 4 "Location to ftp://: exit 4"
like "$ERR" 'ftp://127\.0\.0\.1/file' "Location to ftp://: names the target"
like "$ERR" 'not a ws, wss, http or https URL' "Location to ftp://: says why it is not followed"

# Credentials and hosts: 127.0.0.1 and localhost are different hosts.
run_wscli -L -u user:secret -n 1 --send cred "ws://127.0.0.1:$http/other-host"
status_is 0 "-u, redirect to another host: exit 0"
is "$(cat "$OUT")" "cred" "-u, redirect to another host: message echoed"
like "$hlog" '^http: authorization for /other-host: Basic dXNlcjpzZWNyZXQ=$' \
    "-u: the first host gets the credentials"
like "$hlog" "^http: request: GET /logged localhost:$http" "-u: the second host was asked"
unlike "$hlog" '^http: authorization for /logged:' "-u: the other host does not get them"
like "$ERR" 'not sending credentials' "-u: says the credentials are not sent on"

run_wscli -L --bearer tok123 -n 1 --send cred "ws://127.0.0.1:$http/other-host"
status_is 0 "--bearer, redirect to another host: exit 0"
like "$hlog" '^http: authorization for /other-host: Bearer tok123$' "--bearer: the first host gets the token"
unlike "$hlog" '^http: authorization for /logged: Bearer' "--bearer: the other host does not get it"

run_wscli -L -u user:secret -n 1 --send same "ws://127.0.0.1:$http/same-host"
status_is 0 "-u, redirect on the same host: exit 0"
like "$hlog" '^http: authorization for /logged-same: Basic dXNlcjpzZWNyZXQ=$' \
    "-u, redirect on the same host: credentials still sent"

done_testing
