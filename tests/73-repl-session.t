#!/bin/sh
# The interactive session as a whole, through a terminal (tmux): history
# kept when the terminal goes away (SIGHUP), text on a terminal shown as
# sent, and a session that reconnects (the prompt shows the state, history
# and settings stay).
. tests/lib.sh
. tests/tmux.sh

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

# ---------------------------------------------------------------- SIGHUP

# The terminal goes away (tmux kill-session hangs up the pane): the line
# typed is saved in the history all the same.
REPL_STATE=$T/state-hup
start_repl "hangup" -- --color=never "$(url)"
send_line "typed before the hangup"
screen_like '^< text +23 B  typed before the hangup$' "hangup: the line was sent"
repl_end
if wait_for "$REPL_STATE/wscli/history" '^typed before the hangup$' 10; then
    pass "hangup: the history file holds the line typed"
else
    fail "hangup: the history file holds the line typed"
    diag_file "$REPL_STATE/wscli/history"
fi
REPL_STATE=$T/state

# ------------------------------------------------ scripted, on a terminal

# stdin is not a terminal, stdout is: scripted mode writes to the terminal,
# text as sent (a JSON escape keeps its one backslash), control bytes made
# harmless and visible.
pane_count=$((pane_count + 1))
PANE=scripted$pane_count
tm new-session -d -s "$PANE" -x 120 -y 40 \
    "cd $(shq "$PWD") && env TERM=xterm-256color $(shq "$WSCLI") -q --color=never \
    --send $(shq '{"s":"\u00e9","t":"a\\b"}') --send $(shq "$(printf 'bell\007esc\033[2J')") \
    -n 2 $(shq "$(url)") </dev/null; echo EXIT=\$?; exec sleep 3600"
exit_is 0 "terminal stdout: exit 0"
screen_has '{"s":"\u00e9","t":"a\\b"}' "terminal stdout: backslashes shown as sent, not doubled"
screen_unlike '\\\\u00e9' "terminal stdout: no doubled backslash"
screen_has "bell$(printf '\342\220\207')esc$(printf '\342\220\233')[2J" \
    "terminal stdout: BEL and ESC shown as control pictures"
repl_end

done_testing
