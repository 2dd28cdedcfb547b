#!/bin/sh
# Listen mode with a real browser (headless Chromium, tests/servers/
# browser.html) and with permessage-deflate (--deflate) from every client
# that offers it: the browser, the Node ws client, Python websockets.
. tests/lib.sh
need_wscli

# ----------------------------------------------------- deflate, libraries

start_listen --deflate --echo --frames || { echo "Bail out! wscli -l did not start"; exit 1; }
run_client NODE "$(lurl)" --deflate --send "hello hello hello" --expect 1
is "$(head -n 2 "$CLIENT_OUT")" "$(printf 'open - permessage-deflate\ntext hello hello hello')" \
    "--deflate, Node client: agreed, and the echo comes back"
run_client PY "$(lurl)" --deflate --send "py py py py py" --expect 1
is "$(head -n 2 "$CLIENT_OUT")" "$(printf 'open - permessage-deflate\ntext py py py py py')" \
    "--deflate, Python client: agreed, and the echo comes back"
run_client NODE "$(lurl)" --send "not offered" --expect 1
is "$(head -n 2 "$CLIENT_OUT")" "$(printf 'open - -\ntext not offered')" \
    "--deflate, a client offering nothing: plain messages"
wait_for "$LERR" 'client 3: disconnected' 5
like "$LERR" '^wscli: client 1:   Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits$' \
    "--deflate: the Node client's offer is shown"
like "$LERR" '^wscli: client 1: answered 101 Switching Protocols: subprotocol \(none\), permessage-deflate: server 15-bit window, context takeover; client 15-bit window, context takeover$' \
    "--deflate: what was agreed is shown"
like "$LERR" '^<1 frame text   fin=1 rsv=100 ' "--deflate: the client's frame is compressed (RSV1)"
like "$LERR" '^>1 frame text   fin=1 rsv=100 len=[0-9]+ \(7-bit\) mask=-  ' "--deflate: so is wscli's echo"
like "$LERR" '^>3 frame text   fin=1 rsv=000 ' "--deflate: not to a client that did not offer it"
kill "$LPID"
wait_listen

# ------------------------------------------------------------- browser

command -v chromium >/dev/null 2>&1 || { diag "chromium is not installed"; done_testing; exit $?; }

# The page sends a text and a binary message, answers each message with
# "got ... bytes", and closes with 1000 "bye" after "please close".
start_listen --once -s chat --send "please close"
start_browser "$(browser_page "ws=$(lurl page)&protocols=superchat,chat")" ||
    { fail "chromium started"; done_testing; exit 1; }
wait_listen 30
# the page's console line can come after wscli has ended: the browser is
# stopped once it is out (or after 10 s)
wait_for "$BROWSER_LOG" 'browser\.html: close 1000 ' 10
stop_server "$BROWSER_PID"
is "$LSTATUS" 0 "browser: it closes with 1000 after 'please close': exit 0 (--once)"
printf 'hello from chromium\n' >"$T/expect"
"$PYTHON" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)))' >>"$T/expect"
printf 'got text 12 bytes\n' >>"$T/expect"
ok "browser: its text, its 256-byte binary and its answer are on stdout, as sent" \
    cmp -s "$T/expect" "$LOUT"
like "$LERR" '^wscli: client 1: GET /page HTTP/1\.1$' "browser: request line"
like "$LERR" '^wscli: client 1:   User-Agent: Mozilla/5\.0 .*HeadlessChrome/' "browser: its User-Agent"
like "$LERR" '^wscli: client 1:   Origin: null$' "browser: Origin of a file:// page is null"
like "$LERR" '^wscli: client 1:   Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits$' \
    "browser: it offers permessage-deflate"
like "$LERR" '^wscli: client 1:   Sec-WebSocket-Protocol: superchat, chat$' "browser: its subprotocols"
like "$LERR" '^wscli: client 1: answered 101 Switching Protocols: subprotocol chat, no extension$' \
    "browser: chat chosen, deflate declined without --deflate"
like "$LERR" '^wscli: client 1: closed by client: 1000 Normal Closure "bye"; answered' \
    "browser: its close with a reason is reported"
like "$BROWSER_LOG" 'browser\.html: open chat -' "browser: the page saw chat and no extension"
like "$BROWSER_LOG" 'browser\.html: close 1000 ' "browser: the page saw a clean close"

# wscli closes (-n 2) and the browser answers the close.
start_listen -n 2 --deflate --frames -s chat
start_browser "$(browser_page "ws=$(lurl)&protocols=chat")" ||
    { fail "chromium started"; done_testing; exit 1; }
wait_listen 30
wait_for "$BROWSER_LOG" 'browser\.html: close' 10
stop_server "$BROWSER_PID"
is "$LSTATUS" 0 "browser, wscli closing after -n 2: exit 0"
like "$LERR" 'client 1: answered 101 Switching Protocols: subprotocol chat, permessage-deflate: server 15-bit window, context takeover; client 15-bit window, context takeover' \
    "browser, --deflate: permessage-deflate agreed"
like "$LERR" '^<1 frame text   fin=1 rsv=100 ' "browser, --deflate: its text comes compressed"
like "$LERR" '^<1 frame binary fin=1 rsv=100 ' "browser, --deflate: its binary too"
like "$LERR" 'client 1: closed by wscli with 1000; the client answered 1000' \
    "browser: it answers wscli's close"
like "$BROWSER_LOG" 'browser\.html: open chat permessage-deflate' "browser: the page saw permessage-deflate"
wait_for "$BROWSER_LOG" 'browser\.html: close 1000' 10
like "$BROWSER_LOG" 'browser\.html: close 1000' "browser: the page saw wscli's close"
head -c 19 "$LOUT" >"$T/first"
is "$(cat "$T/first")" "hello from chromium" "browser, --deflate: its text inflated on stdout"

done_testing
