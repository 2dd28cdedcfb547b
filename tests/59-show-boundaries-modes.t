#!/bin/sh
# Message boundaries beyond a client's pipe (tests/57-show-boundaries.t):
# listen mode, where -0 and --escape apply to what clients send and -0 to
# the messages of its stdin too, and a terminal, where a binary message
# ends its line as a text message does.
. tests/lib.sh
need_wscli
start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

bytes() {   # FILE: its bytes as od -c tokens, on one line
    od -An -c "$1" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}
bytes_of() {   # PRINTF-FORMAT: the same for printf's output
    printf "$1" >"$T/expected"
    bytes "$T/expected"
}

# ---------------------------------------------------------- listen mode

# its stdin split at NUL goes to the client, what the client sends comes
# out NUL-ended
printf 'to client\nwith newline\0second\0' >"$T/lin.in"
LISTEN_IN=$T/lin.in start_listen -0 --once || { echo "Bail out! wscli -l did not start"; exit 1; }
printf 'from\nclient\0' >"$T/cin.in"
run_wscli -0 -w 1 "$(lurl)" <"$T/cin.in"
wait_listen
is "$LSTATUS" 0 "listen -0: exit 0"
is "$(bytes "$LOUT")" "$(bytes_of 'from\nclient\0')" \
    "listen -0: the client's message written with its newline, ended by NUL"
is "$(bytes "$OUT")" "$(bytes_of 'to client\nwith newline\0second\0')" \
    "listen -0: stdin's NUL-separated messages reach the client whole"

start_listen --escape --once || { echo "Bail out! wscli -l did not start"; exit 1; }
printf 'from\nclient\0\001\377' >"$T/cbin.in"
run_wscli -0 -b "$(lurl)" <"$T/cbin.in"
wait_listen
is "$(cat "$LOUT")" "$(printf '%s\n%s' 'from\nclient' '\x01\xff')" \
    "listen --escape: each message of the client is one line"

# ------------------------------------------------------------- terminal

# stdout a terminal, stdin not: a binary message ends its line, so the
# next line (here the close, on stderr) starts on its own.
if command -v tmux >/dev/null 2>&1; then
    sock=wscli-bound-$$
    tmux -L "$sock" -f /dev/null new-session -d -s b -x 120 -y 20 \
        "cd '$PWD' && env TERM=xterm-256color '$WSCLI' --color=never -b --send bin '$(url)' </dev/null; echo EXIT=\$?; exec sleep 60"
    tries=100
    while [ "$tries" -gt 0 ]; do
        tmux -L "$sock" capture-pane -p -J -t b >"$T/pane" 2>/dev/null
        grep -q '^EXIT=' "$T/pane" && break
        sleep 0.1
        tries=$((tries - 1))
    done
    tmux -L "$sock" kill-server 2>/dev/null
    like "$T/pane" '^bin$' "terminal: a binary message is a line of its own"
    is "$(sed -n '/^bin$/{n;p;}' "$T/pane" | cut -c1-19)" \
        "wscli: closed by ws" "terminal: the line after it starts on its own"
else
    pass "terminal: a binary message is a line of its own # SKIP no tmux"
    pass "terminal: the line after it starts on its own # SKIP no tmux"
fi

done_testing
