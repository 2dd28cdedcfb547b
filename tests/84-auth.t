#!/bin/sh
# Authentication: a 401 answer is shown in full (status, headers, body);
# -u sends HTTP Basic credentials and --bearer a bearer token, checked by
# tests/servers/wsserve.py before it upgrades.
. tests/lib.sh
need_wscli

# A plain 401 with a JSON body.
spawn http "$PYTHON" "$SERVERS/httpd.py" 0 "/private 401" &&
    wait_port_line && server_started || { echo "Bail out! httpd.py did not start"; exit 1; }
run_wscli --send hi "ws://127.0.0.1:$PORT/private"
status_is 4 "401: exit 4"
like "$ERR" 'HTTP/1\.1 401 Unauthorized' "401: shows the status line"
like "$ERR" 'WWW-Authenticate: Basic realm="wscli-test"' "401: shows WWW-Authenticate"
like "$ERR" 'Content-Type: application/json' "401: shows the other headers"
like "$ERR" '\{"error":"unauthorized","detail":"token expired"\}' "401: shows the body"
is "$(cat "$OUT")" "" "401: nothing on stdout"

# Basic authentication.
spawn basic "$PYTHON" "$SERVERS/wsserve.py" --basic alice:s3cret &&
    wait_port_line && server_started || { echo "Bail out! wsserve.py did not start"; exit 1; }
basic=$PORT
blog=$SERVER_LOG

run_wscli -n 1 --send hi "ws://127.0.0.1:$basic/"
status_is 4 "Basic, no -u: exit 4"
like "$ERR" '401' "Basic, no -u: shows 401"
like "$ERR" 'WWW-Authenticate: Basic' "Basic, no -u: shows the challenge"
like "$ERR" 'send credentials' "Basic, no -u: shows the body"

run_wscli -u alice:wrong -n 1 --send hi "ws://127.0.0.1:$basic/"
status_is 4 "Basic, wrong password: exit 4"
like "$ERR" '401' "Basic, wrong password: shows 401"
like "$blog" '^wsserve: header: Authorization: Basic YWxpY2U6d3Jvbmc=$' \
    "Basic, wrong password: the credentials were sent"

run_wscli -u alice:s3cret -n 1 --send hi "ws://127.0.0.1:$basic/"
status_is 0 "Basic, -u alice:s3cret: exit 0"
is "$(cat "$OUT")" "hi" "Basic, -u alice:s3cret: message echoed"
like "$blog" '^wsserve: header: Authorization: Basic YWxpY2U6czNjcmV0$' \
    "Basic: Authorization header as expected"

run_wscli --user alice:s3cret -n 1 --send long "ws://127.0.0.1:$basic/"
status_is 0 "Basic, --user: exit 0"

# Credentials in the URL.
run_wscli -n 1 --send hi "ws://alice:s3cret@127.0.0.1:$basic/"
status_is 0 "Basic, user:password in the URL: exit 0"

# A password with a colon: only the first colon separates.
spawn basic2 "$PYTHON" "$SERVERS/wsserve.py" --basic 'bob:pa:ss word' &&
    wait_port_line && server_started || { echo "Bail out! wsserve.py did not start"; exit 1; }
run_wscli -u 'bob:pa:ss word' -n 1 --send hi "ws://127.0.0.1:$PORT/"
status_is 0 "Basic, password with a colon and a space: exit 0"

# Bearer tokens.
spawn bearer "$PYTHON" "$SERVERS/wsserve.py" --bearer tok-123.abc &&
    wait_port_line && server_started || { echo "Bail out! wsserve.py did not start"; exit 1; }
bearer=$PORT
tlog=$SERVER_LOG

run_wscli -n 1 --send hi "ws://127.0.0.1:$bearer/"
status_is 4 "Bearer, no token: exit 4"
like "$ERR" 'WWW-Authenticate: Bearer' "Bearer, no token: shows the challenge"

run_wscli --bearer wrong -n 1 --send hi "ws://127.0.0.1:$bearer/"
status_is 4 "Bearer, wrong token: exit 4"

run_wscli --bearer tok-123.abc -n 1 --send hi "ws://127.0.0.1:$bearer/"
status_is 0 "--bearer: exit 0"
is "$(cat "$OUT")" "hi" "--bearer: message echoed"
like "$tlog" '^wsserve: header: Authorization: Bearer tok-123\.abc$' \
    "--bearer sends 'Authorization: Bearer TOKEN'"

run_wscli -H 'Authorization: Bearer tok-123.abc' -n 1 --send hi "ws://127.0.0.1:$bearer/"
status_is 0 "Authorization given with -H: exit 0"

done_testing
