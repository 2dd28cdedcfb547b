#!/bin/sh
# Interactive commands (/ping, /binary, /json, /close...) and how each one
# refuses bad input, driven through a terminal (a tmux pane).
. tests/lib.sh
need_wscli
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
command -v node >/dev/null 2>&1 || skip_all "node is not installed"

# ------------------------------------------------------------- terminal
#
# repl [NAME=VALUE...] -- ARGS...   start "wscli ARGS" in a new 120x40 tmux
#                                   session (PANE) with TERM=xterm-256color,
#                                   HOME=$REPL_HOME and XDG_STATE_HOME=
#                                   $REPL_STATE (unset when empty); NO_COLOR
#                                   is unset unless given. When wscli ends
#                                   the pane shows EXIT=<status>.
# repl_end                          kill the session
# screen                            the pane, scrollback included, in $SCREEN
# wait_screen REGEX [SECS]          wait (default 10 s) until the pane matches
# wait_last REGEX [SECS]            wait until its last non-empty line matches
# screen_like REGEX DESC            TAP: wait_screen, show the pane on failure
# screen_has TEXT DESC              TAP: the same for a fixed string
# screen_unlike REGEX DESC          TAP: the pane does not match, right now
# last_like REGEX DESC              TAP: wait_last
# exit_is STATUS DESC               TAP: wait for EXIT= and compare
# keys KEY...                       tmux key names (Enter, C-c, Up, Tab...)
# type_text TEXT                    type TEXT literally
# send_line TEXT                    type TEXT, then Enter
# wait_ready                        wait for the connect line and the prompt

TMUX_SOCKET=wscli-test-$$
REPL_HOME=$T/home
REPL_STATE=$T/state
SCREEN=$T/screen
pane_count=0

tm() {
    tmux -L "$TMUX_SOCKET" -f /dev/null "$@"
}

repl_cleanup() {
    tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TMUX_SOCKET"
    cleanup
}
trap repl_cleanup EXIT

shq() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

repl() {
    pane_count=$((pane_count + 1))
    PANE=repl$pane_count
    mkdir -p "$REPL_HOME"
    if [ -n "$REPL_STATE" ]; then
        state="XDG_STATE_HOME=$(shq "$REPL_STATE")"
    else
        state="-u XDG_STATE_HOME"
    fi
    cmd="cd $(shq "$PWD") && exec env -u NO_COLOR $state"
    cmd="$cmd TERM=xterm-256color HOME=$(shq "$REPL_HOME")"
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        cmd="$cmd $(shq "$1")"
        shift
    done
    shift
    # The shell waits out Ctrl-C (a trap, not an ignored signal, which
    # wscli would inherit).
    cmd="$cmd sh -c 'trap : INT; \"\$0\" \"\$@\"; echo EXIT=\$?; exec sleep 3600'"
    cmd="$cmd $(shq "$WSCLI")"
    for arg in "$@"; do
        cmd="$cmd $(shq "$arg")"
    done
    tm new-session -d -s "$PANE" -x 120 -y 40 "$cmd"
}

repl_end() {
    tm kill-session -t "$PANE" 2>/dev/null
    return 0
}

screen() {
    tm capture-pane -p -J -S - -t "$PANE" >"$SCREEN" 2>/dev/null
}

last_line() {
    tm capture-pane -p -J -t "$PANE" 2>/dev/null |
        sed 's/[[:space:]]*$//' | sed '/^$/d' | tail -n 1
}

wait_screen() {
    tries=$(( ${2:-10} * 20 ))
    while :; do
        screen
        grep -Eq -- "$1" "$SCREEN" && return 0
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        sleep 0.05
    done
}

wait_last() {
    tries=$(( ${2:-10} * 20 ))
    while :; do
        LAST=$(last_line)
        printf '%s\n' "$LAST" | grep -Eq -- "$1" && return 0
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        sleep 0.05
    done
}

show_screen() {
    screen
    diag "--- pane $PANE:"
    sed '/^[[:space:]]*$/d' "$SCREEN" | tail -n 30 | sed 's/^/# | /' >&2
}

screen_like() {
    if wait_screen "$1"; then
        pass "$2"
    else
        fail "$2"
        diag "no match for /$1/"
        show_screen
        return 1
    fi
}

screen_has() {
    tries=200
    while :; do
        screen
        grep -Fq -- "$1" "$SCREEN" && { pass "$2"; return 0; }
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || break
        sleep 0.05
    done
    fail "$2"
    diag "text not shown: $1"
    show_screen
    return 1
}

screen_unlike() {
    screen
    if grep -Eq -- "$1" "$SCREEN"; then
        fail "$2"
        diag "unexpected match for /$1/"
        show_screen
        return 1
    fi
    pass "$2"
}

last_like() {
    if wait_last "$1"; then
        pass "$2"
    else
        fail "$2"
        diag "last line: '$LAST'" "expected: /$1/"
        show_screen
        return 1
    fi
}

exit_is() {
    if ! wait_screen '^EXIT=[0-9]+$' 15; then
        fail "$2"
        diag "wscli did not exit"
        show_screen
        return 1
    fi
    got=$(sed -n 's/^EXIT=\([0-9]*\)$/\1/p' "$SCREEN" | tail -n 1)
    is "$got" "$1" "$2" || show_screen
}

keys() {
    tm send-keys -t "$PANE" "$@"
}

type_text() {
    tm send-keys -t "$PANE" -l -- "$1"
}

send_line() {
    type_text "$1"
    keys Enter
}

wait_ready() {
    wait_screen '^connected to ws://' && wait_last '^>$'
}

# start_repl DESC [NAME=VALUE...] -- ARGS...: repl, then one test that the
# session is up and showing its prompt.
start_repl() {
    desc=$1
    shift
    repl "$@"
    if wait_ready; then
        pass "$desc: connected, prompt shown"
    else
        fail "$desc: connected, prompt shown"
        show_screen
        return 1
    fi
}

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
screen_like 'timestamps on$' "/timestamps: turned on"
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

done_testing
