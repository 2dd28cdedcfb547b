#!/bin/sh
# Interactive commands (/ping, /binary, /json, /close...) and how each one
# refuses bad input, driven through a terminal (a tmux pane).
. tests/lib.sh
. tests/tmux.sh

# ---------------------------------------------------------------- tests

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

# Sending: each command's frame and the server's echo.
start_repl "send commands" -- --color=never "$(url)"

send_line "/ping hello"
screen_like '^> ping +5 B  hello$' "/ping: the ping is shown"
screen_like '^< pong +5 B  hello \(rtt [0-9.]+ ms\)$' "/ping: the pong shows the round trip"

send_line "/pong x"
screen_like '^> pong +1 B  x$' "/pong: the pong is shown"

send_line "/binary 48 65 6c 6c 6f"
screen_like '^> binary +5 B' "/binary: a binary message is sent"
screen_like '^< binary +5 B' "/binary: the echo is binary"
screen_like '^  00000000  48 65 6c 6c 6f +\|Hello\|$' "/binary: the echo is a hexdump"

send_line "/binary 576f726c64"
screen_like '^  00000000  57 6f 72 6c 64 +\|World\|$' "/binary: hex without spaces"

send_line "/base64 SGVsbG8sIGJhc2U2NA=="
screen_like '^< binary +13 B' "/base64: the echo is binary"
screen_like '^  00000000  48 65 6c 6c 6f 2c 20 62 +61 73 65 36 34 +\|Hello, base64\|$' \
    "/base64: the decoded bytes come back"

printf 'File\000\377' >"$T/small.bin"
send_line "/file $T/small.bin"
screen_like '^< binary +6 B' "/file: the echo is binary"
screen_like '^  00000000  46 69 6c 65 00 ff +\|File\.\.\|$' "/file: the file's bytes come back"

printf 'text from a file' >"$T/small.txt"
send_line "/file --text $T/small.txt"
screen_like '^< text +16 B  text from a file$' "/file --text: sent and echoed as text"

send_line "//slash"
screen_like '^< text +6 B  /slash$' "//slash: sent as /slash"
screen_unlike 'unknown command' "//slash: not taken as a command"
repl_end

# Display toggles.
start_repl "toggles" -- --color=never "$(url)"

send_line "/json"
screen_like '^JSON display on$' "/json: turned on"
json='{"a":[1.0,1e400,"\u00e9"],"b":{}}'
send_line "$json"
screen_like "^< text +${#json} B  \\{\$" "/json: the message opens on its line"
screen
awk '/^< text +[0-9]+ B  \{$/{f=1; next} f&&/^>/{exit} f{sub(/^ */, ""); print}' \
    "$SCREEN" >"$T/json"
is "$(cat "$T/json")" "$(printf '%s\n' '"a": [' '1.0,' '1e400,' '"\u00e9"' '],' \
    '"b": {}' '}')" "/json: one token a line, numbers and escapes as typed"
like "$SCREEN" '^ +"a": \[$' "/json: keys are indented"
like "$SCREEN" '^ +1e400,$' "/json: 1e400 is kept"
send_line "/json"
screen_like '^JSON display off$' "/json: turned off"
send_line '{"c":1}'
screen_like '^< text +7 B  \{"c":1\}$' "/json off: shown as sent"
send_line '{"s":"\u00e9"}'
screen_like '^< text +14 B  \{"s":"\\u00e9"\}$' \
    "/json off: a JSON escape is shown as sent, its backslash not doubled"

send_line "/hex"
screen_like '^hexdump display on$' "/hex: turned on"
send_line "hex me"
screen_like '^< text +6 B' "/hex: a text message"
screen_like '^  00000000  68 65 78 20 6d 65 +\|hex me\|$' "/hex: shown as a hexdump"
send_line "/hex"
screen_like '^hexdump display off$' "/hex: turned off"
send_line "plain again"
screen_like '^< text +11 B  plain again$' "/hex off: shown as text"

send_line "/timestamps"
screen_like 'timestamps on \(wall clock\)$' "/timestamps: turned on (the wall clock)"
send_line "stamped"
screen_like '^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3} < text +7 B  stamped$' \
    "/timestamps: lines start with HH:MM:SS.mmm"
send_line "/timestamps"
screen_like '^timestamps off$' "/timestamps: turned off"
send_line "unstamped"
screen_like '^< text +9 B  unstamped$' "/timestamps off: no time"
repl_end

# /stats and /help.
start_repl "/stats" -- --color=never "$(url)"
send_line "abc"
wait_screen '^< text +3 B  abc$'
send_line "/ping p"
wait_screen '^< pong +1 B  p '
send_line "/stats"
screen_like '^sent: +1 messages?, 3 bytes' "/stats: messages and bytes sent"
screen_like '^received: +1 messages?, 3 bytes' "/stats: messages and bytes received"
screen_like '^pings: +1 sent, 1 answered, rtt last [0-9.]+ ms, average [0-9.]+ ms' \
    "/stats: pings and round-trip times"
screen_like '^connected [0-9.]+ s ago' "/stats: age of the connection"

send_line "/help"
screen_like '^ +//TEXT ' "/help: shown"
screen
missing=
for name in base64 binary close file help hex json ping pong quit stats timestamps; do
    grep -Eq -- "^ +/$name( |\$)" "$SCREEN" || missing="$missing /$name"
done
is "$missing" "" "/help: every command is listed"
repl_end

# /close with a code and reason: the server echoes it back, which is a clean
# close.
start_repl "/close 4000" -- --color=never "$(url)"
send_line "/close 4000 bye"
screen_like '^> close +5 B  4000 [A-Za-z ]*"bye"$' "/close 4000: the close frame is shown"
screen_like '^closed by wscli with 4000; the server answered 4000 .*"bye"' \
    "/close 4000: the server's answer is shown"
exit_is 0 "/close 4000: the server echoed the code: exit 0"
repl_end

start_repl "/quit" -- --color=never "$(url)"
send_line "/quit"
screen_like '^closed by wscli with 1000; the server answered 1000' "/quit: closes with 1000"
exit_is 0 "/quit: exit 0"
repl_end

# Bad input: each command refuses it, says why, and sends nothing.
start_repl "bad input" -- --color=never "$(url)"

send_line "/binary 4g"
screen_like '^/binary: .*position 2' "/binary 4g: refused at position 2"

send_line "/binary 123"
screen_like '^/binary: ' "/binary 123: odd number of digits refused"

send_line "/base64 @@@"
screen_like '^/base64: .*position 1' "/base64 @@@: refused at position 1"

send_line "/close 1005"
screen_like '^/close: .*1005.*(reserved|may not|must not)' "/close 1005: refused with the reason"

send_line "/close 999"
screen_like '^/close: .*999' "/close 999: refused"

send_line "/close abc"
screen_like "^/close: .*abc" "/close abc: refused"

reason=$(printf '%130s' '' | tr ' ' r)
send_line "/close 1000 $reason"
screen_like '^/close: .*longer than 123 bytes' "/close with a 130-byte reason: refused"

send_line "/file /nonexistent"
screen_like '^/file: .*/nonexistent.*No such file or directory' \
    "/file /nonexistent: refused with the reason"

payload=$(printf '%126s' '' | tr ' ' p)
send_line "/ping $payload"
screen_like '^/ping: .*(126|125)' "/ping with 126 bytes: refused"

send_line "/frob"
screen_like '^unknown command /frob' "/frob: unknown command"

send_line "/stats"
screen_like '^sent: +0 messages?, 0 bytes' "bad input: no message was sent"
screen_like '^pings: +0 sent' "bad input: no ping was sent"
screen_unlike '^> (close|ping|binary) ' "bad input: no frame is shown as sent"
screen_unlike '^EXIT=' "bad input: the session is still open"
send_line "still open"
screen_like '^< text +10 B  still open$' "bad input: the connection still works"
repl_end

# The REPL refuses messages over 16 MiB unless --max-message says otherwise:
# a 17 MiB file echoed back is refused with close 1009.
head -c 17825792 /dev/zero >"$T/big.bin"
start_repl "max-message" -- --color=never "$(url)"
send_line "/file $T/big.bin"
screen_like 'larger than 16 MiB, the interactive limit \(--max-message sets another\).*1009' \
    "17 MiB echo in the REPL: refused over the 16 MiB default, named as such"
screen_unlike 'larger than --max-message' \
    "17 MiB echo in the REPL: --max-message was not given, so not named as given"
screen_like 'closed by wscli with 1009' "17 MiB echo: closed with 1009"
exit_is 1 "17 MiB echo: exit 1"
repl_end

start_repl "max-message 32M" -- --color=never --max-message 32M "$(url)"
send_line "/file $T/big.bin"
screen_like '^  \.\.\. 17825280 more bytes not shown' "--max-message 32M: the 17 MiB echo is shown"
repl_end

done_testing
