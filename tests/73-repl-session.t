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

# -------------------------------------------------------------- reconnect

# The server goes away and comes back on the same port: the prompt says
# what the session is doing, lines typed meanwhile are kept and sent on
# the new connection (as scripted mode keeps its lines), and the history
# and the settings (/json) stay.
port=$(free_port)
spawn node-fixed node "$SERVERS/echo.js" --port "$port" &&
    wait_port_line && server_started || { echo "Bail out! node echo server did not start"; exit 1; }
fixed=$SERVER_PID
start_repl "reconnect" -- --color=never --reconnect --reconnect-delay 0.5 \
    "ws://127.0.0.1:$port/"
send_line "/json"
screen_like '^JSON display on$' "reconnect: /json on"
send_line "before"
screen_like '^< text +6 B  before$' "reconnect: a line echoed"
stop_server "$fixed"
screen_like 'reconnecting in [0-9.]+ s \(attempt 1\): connection lost without a close frame' \
    "reconnect: the attempt is announced"
last_like '^\((reconnecting [0-9]+|connecting)\) >$' "reconnect: the prompt shows the state"
screen_like '^connection lost without a close frame' \
    "reconnect: the loss is a line of the display like the others"
screen_unlike 'wscli: connection lost' "reconnect: no wscli: prefix on the loss alone"
send_line "while away"
screen_like '^not connected: kept, to be sent once reconnected \(1 waiting\)$' \
    "reconnect: a line typed meanwhile is kept, and it says so"
spawn node-fixed2 node "$SERVERS/echo.js" --port "$port" &&
    wait_port_line && server_started || { echo "Bail out! node echo server did not start again"; exit 1; }
tries=300
while screen && [ "$(grep -c '^connected to ws://' "$SCREEN")" -lt 2 ] && [ "$tries" -gt 0 ]; do
    sleep 0.05
    tries=$((tries - 1))
done
is "$(grep -c '^connected to ws://' "$SCREEN")" 2 "reconnect: connected again"
last_like '^>$' "reconnect: the plain prompt is back"
screen_like '^sent 1 message typed while reconnecting$' "reconnect: the kept line is sent"
screen_like '^< text +10 B  while away$' "reconnect: ... and echoed on the new connection"
send_line '{"a":1}'
screen_like '^ +"a": 1$' "reconnect: /json is still on"
keys Up Up
last_like '^> while away$' "reconnect: the history goes on (Up, Up)"
keys C-u C-d
exit_is 0 "reconnect: Ctrl-D ends it cleanly"
repl_end

# While there is no connection, Ctrl-C clears the line and /quit stops
# trying: the status is that of the connection lost.
start_repl "reconnect, quit" -- --color=never --reconnect --reconnect-delay 5 \
    "ws://127.0.0.1:$port/"
stop_server "$SERVER_PID"
last_like '^\(reconnecting 1\) >$' "reconnect, quit: waiting for the next attempt"
type_text "half a line"
# Ctrl-C only once the line is read: before that the check below would
# pass at once and the next keys could race the interrupt
last_like '^\(reconnecting 1\) > half a line$' "reconnect, quit: a line half typed"
keys C-c
last_like '^\(reconnecting 1\) >$' "reconnect, quit: Ctrl-C clears the line"
send_line "/close"
screen_like '/close: not connected \(reconnecting; /quit stops trying\)' \
    "reconnect, /close: says there is no connection to close"
screen_unlike "waiting for the server's close" "reconnect, /close: no close is waited for"
screen_unlike '> close .*1000' "reconnect, /close: no close frame is shown as sent"
screen_unlike '^EXIT=' "reconnect, /close: still reconnecting"
send_line "/quit"
exit_is 6 "reconnect, quit: /quit stops trying, exit 6 (connection lost)"
repl_end

done_testing
