# Helpers for the terminal tests (tests/7N-repl*.t): wscli runs in a tmux
# pane of its own tmux server; keys go in with send-keys, the screen comes
# back with capture-pane. Source after tests/lib.sh.
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

# The wscli processes of panes: children of the panes' shells.
pane_children() {   # [-a | -t PANE]
    for shell in $(tm list-panes "$@" -F '#{pane_pid}' 2>/dev/null); do
        pgrep -P "$shell" 2>/dev/null
    done
}

# After a hang-up wscli ends by itself; a sanitized one can stay stuck in
# LeakSanitizer's exit check, so what is left after 5 s is killed.
reap_children() {
    for pid in "$@"; do
        tries=50
        while kill -0 "$pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
            sleep 0.1
            tries=$((tries - 1))
        done
        kill -9 "$pid" 2>/dev/null
    done
    return 0
}

repl_cleanup() {
    left=$(pane_children -a)
    tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
    reap_children $left
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
    left=$(pane_children -t "$PANE")
    tm kill-session -t "$PANE" 2>/dev/null
    reap_children $left
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
