#!/bin/sh
# The REPL under a flood, beyond messages (tests/75-show-flood.t): a line
# typed while a server floods reaches the server; --frames lines and the
# relay's log are held to the same limit, and the summary says what kind
# of lines it did not show.
. tests/lib.sh
. tests/tmux.sh

start_node_echo --flood --log-messages || { echo "Bail out! node echo server did not start"; exit 1; }
FLOOD_LOG=$SERVER_LOG

# steady_prompt LINE DESC: the pane, looked at 20 times in 2 s, shows LINE
# at the bottom nearly every time, not only between two messages
steady_prompt() {
    steady=0
    for i in $(seq 20); do
        [ "$(last_line)" = "$1" ] && steady=$((steady + 1))
        sleep 0.1
    done
    ok "$2 ($steady of 20 looks)" [ "$steady" -ge 16 ]
}
FLOOD_URL=$(url)

# ----------------------------------------------------- a typed line is sent

repl -- --color=never "$FLOOD_URL"
wait_screen '<  ?text +[0-9]+ B  message [0-9]+' 10
type_text "typed under the flood"
last_like '^> typed under the flood$' "the line being typed is shown at the prompt" 10
steady_prompt "> typed under the flood" "the line being typed stays at the prompt"
keys Enter
if wait_for "$FLOOD_LOG" '^echo\.js: received: typed under the flood$' 10; then
    pass "the line typed under the flood reached the server"
else
    fail "the line typed under the flood reached the server"
    diag_file "$FLOOD_LOG"
fi
keys C-d
exit_is 0 "Control-D ends the session"
repl_end

# ------------------------------------------------------------- --frames

repl -- --color=never --frames "$FLOOD_URL"
screen_like '^[0-9]+ messages, [0-9]+ --frames lines not shown \(more than 200 lines a second' \
    "--frames: frame lines are held to the limit too, and counted"
type_text "typed with --frames"
last_like '^> typed with --frames$' "--frames: the line being typed is shown at the prompt" 10
steady_prompt "> typed with --frames" "--frames: the line being typed stays at the prompt"
keys Enter C-d
exit_is 0 "--frames: Control-D ends the session"
repl_end

# ---------------------------------------------------------------- pings

start_node_echo --flood-pings || { echo "Bail out! node echo server did not start"; exit 1; }
repl -- --color=never "$(url)"
screen_like '^[0-9]+ pings and pongs not shown \(more than 200 lines a second' \
    "pings: a flood of pings is held to the limit too, and counted"
type_text "typed under pings"
steady_prompt "> typed under pings" "pings: the line being typed stays at the prompt"
keys Enter C-d
exit_is 0 "pings: Control-D ends the session"
repl_end

# ---------------------------------------------------------------- relay

# A relay at a terminal between a scripted client and the flooding server:
# its log is held to the limit as well.
repl -- --color=never -l 0 --forward "$FLOOD_URL"
if wait_screen 'listening on 127\.0\.0\.1:[0-9]+'; then
    LPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SCREEN" | head -n 1)
    run_wscli -q -n 100000 "$(lurl)" </dev/null &
    CLIENT=$!
    screen_like '^[0-9]+ messages? not shown \(more than 200 lines a second' \
        "relay: its log of a flood is held to the limit"
    type_text "/list"
    last_like '^> ?/list$' "relay: the line being typed is shown at the prompt" 10
    steady_prompt "> /list" "relay: the line being typed stays at the prompt"
    wait "$CLIENT"
else
    fail "relay: its log of a flood is held to the limit"
    fail "relay: the line being typed is shown at the prompt"
    fail "relay: the line being typed stays at the prompt"
    show_screen
fi
repl_end

done_testing
