#!/bin/sh
# The REPL under a flood (a server sending without end): the line being
# typed stays usable, the display is rate-limited and says how many
# messages it did not show, and --jsonl still has every one.
. tests/lib.sh
. tests/tmux.sh

start_node_echo --flood || { echo "Bail out! node echo server did not start"; exit 1; }

repl -- --color=never "$(url)"
wait_screen '<  ?text +[0-9]+ B  message [0-9]+' 10
sleep 1
type_text "typed while flooded"
last_like '^> typed while flooded$' "under a flood, the line being typed is shown at the prompt" 10
screen_like '^[0-9]+ messages? not shown' "the display says how many messages it did not show"
keys Enter
keys C-d
exit_is 0 "under a flood, Control-D still ends the session" 20
repl_end

start_node_echo --flood
run_wscli --jsonl -n 20000 "$(url)"
status_is 0 "--jsonl, -n 20000 of a flood: exit 0"
is "$(grep -c '"event":"message","dir":"server>client"' "$OUT")" 20000 "--jsonl: every message is an event"

done_testing
