#!/bin/sh
# Interactive mode, driven through a terminal (a tmux pane): sending lines,
# messages arriving while a line is being typed, history, completion,
# colours, escaping of what the server sends, Ctrl-C and Ctrl-D, and a close
# from the server.
. tests/lib.sh
. tests/tmux.sh

# ---------------------------------------------------------------- tests

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
ECHO_PORT=$PORT

# A line typed and sent, and its echo.
start_repl "send a line" -- --color=never "$(url)"
screen_like "^connected to ws://127\\.0\\.0\\.1:$PORT/ \\(101, [0-9.]+ ms\\)\$" \
    "send a line: connect summary names the URL, status and time"
send_line "hello there"
screen_like '^< text +11 B  hello there$' "send a line: the echo is shown as received text"
screen_like '^> hello there$' "send a line: the typed line stays above"
last_like '^>$' "send a line: a fresh prompt follows"
repl_end

# A message arriving while a line is being typed is printed above it; the
# line, and the position where typing continues, are kept. The server pushes
# a message when the trigger file appears.
cat >"$T/push.js" <<'EOF'
'use strict';
const fs = require('fs');
const { WebSocketServer } = require('ws');
const trigger = process.argv[2];
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('listening', () => console.log(String(wss.address().port)));
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  const timer = setInterval(() => {
    if (fs.existsSync(trigger)) {
      fs.unlinkSync(trigger);
      ws.send('pushed by the server');
    }
  }, 20);
  ws.on('close', () => clearInterval(timer));
});
EOF
if spawn push env NODE_PATH="$PWD/$SERVERS/node_modules" node "$T/push.js" "$T/trigger" &&
    wait_port_line && server_started; then
    start_repl "typing" -- --color=never "$(url)"
    type_text "partial"
    last_like '^> partial$' "typing: the partial line is shown"
    : >"$T/trigger"
    screen_like '^< text +20 B  pushed by the server$' \
        "typing: the pushed message is printed on a line of its own"
    last_like '^> partial$' "typing: the partial line is intact below the message"
    screen_unlike 'partial.*pushed|pushed.*partial' \
        "typing: message and partial line are not mixed"
    type_text " and more"
    last_like '^> partial and more$' "typing: typing continues at the end of the line"
    keys Enter
    screen_like '^< text +16 B  partial and more$' \
        "typing: Enter sends exactly the typed text"
    screen_unlike '^< text .* B  (partial|and more)$' \
        "typing: nothing else of the line was sent"
    repl_end
else
    fail "push server started"
fi
PORT=$ECHO_PORT

# History is kept across sessions in $XDG_STATE_HOME/wscli/history.
REPL_STATE=$T/state-history
start_repl "history" -- --color=never "$(url)"
send_line "first line"
screen_like '^< text +10 B  first line$' "history: first session sends a line"
keys C-d
exit_is 0 "history: Ctrl-D ends the first session with 0"
repl_end
ok "history: the history file exists" test -f "$REPL_STATE/wscli/history"
like "$REPL_STATE/wscli/history" '^first line$' "history: the file holds the line"
start_repl "history, second session" -- --color=never "$(url)"
keys Up
last_like '^> first line$' "history: Up recalls the line of the previous session"
keys Enter
screen_like '^< text +10 B  first line$' "history: the recalled line is sent"
# end it before looking at the file: a hung-up session saves its history too
keys C-d
exit_is 0 "history: Ctrl-D ends the second session with 0"
repl_end

# --no-history: the file is neither read nor written.
cp "$REPL_STATE/wscli/history" "$T/history.before"
start_repl "--no-history" -- --no-history --color=never "$(url)"
keys Up
type_text "not remembered"
last_like '^> not remembered$' "--no-history: Up recalls nothing"
keys Enter
screen_like '^< text +14 B  not remembered$' "--no-history: lines are still sent"
keys C-d
exit_is 0 "--no-history: Ctrl-D exits 0"
repl_end
ok "--no-history: the existing history file is unchanged" \
    cmp -s "$T/history.before" "$REPL_STATE/wscli/history"
REPL_STATE=$T/state-none
start_repl "--no-history, no state" -- --no-history --color=never "$(url)"
send_line "not remembered either"
screen_like '^< text +21 B  not remembered either$' "--no-history, no state: line sent"
keys C-d
exit_is 0 "--no-history, no state: exits 0"
repl_end
ok "--no-history: no history file is created" test ! -e "$REPL_STATE/wscli/history"

# Without XDG_STATE_HOME the history goes under $HOME/.local/state.
REPL_STATE=
REPL_HOME=$T/home-fallback
start_repl "history under HOME" -- --color=never "$(url)"
send_line "home line"
screen_like '^< text +9 B  home line$' "history under HOME: line sent"
keys C-d
exit_is 0 "history under HOME: exits 0"
repl_end
like "$REPL_HOME/.local/state/wscli/history" '^home line$' \
    "history under HOME: written to \$HOME/.local/state/wscli/history"
REPL_HOME=$T/home
REPL_STATE=$T/state

# Tab completion of command names.
start_repl "completion" -- --color=never "$(url)"
type_text "/pi"
keys Tab
last_like '^> /ping$' "completion: /pi<Tab> completes to /ping"
type_text "tab"
last_like '^> /ping tab$' "completion: a space follows the completed name"
keys Enter
screen_like '^< pong +3 B  tab \(rtt [0-9.]+ ms\)$' "completion: the completed command runs"
type_text "/"
keys Tab Tab
screen_like '/timestamps' "completion: /<Tab><Tab> lists the commands"
screen
missing=
for name in base64 binary close file help hex json ping pong quit stats timestamps; do
    grep -Eq -- "(^|[[:space:]])/$name([[:space:]]|\$)" "$SCREEN" || missing="$missing /$name"
done
is "$missing" "" "completion: every command is listed"
last_like '^> /$' "completion: the prompt is shown again after the list"
repl_end

# Colours: SGR sequences with --color=always (even with NO_COLOR) and by
# default; none with NO_COLOR=1 under auto, nor with --color=never.
color_case() {     # DESC EXPECT(yes|no) [NAME=VALUE...] -- ARGS...
    cdesc=$1
    expect=$2
    shift 2
    start_repl "$cdesc" "$@" "$(url)"
    send_line "colour me"
    wait_screen '^< text +9 B  colour me$'
    tm capture-pane -p -e -S - -t "$PANE" >"$T/colour" 2>/dev/null
    if [ "$expect" = yes ]; then
        like "$T/colour" "$(printf '\033')\\[[0-9;]*m" "$cdesc: SGR sequences are used"
        like "$T/colour" "$(printf '\033')\\[[0-9;]*m<.*colour me" \
            "$cdesc: the received line is coloured"
    else
        unlike "$T/colour" "$(printf '\033')\\[" "$cdesc: no escape sequences at all"
        like "$T/colour" '^< text +9 B  colour me$' "$cdesc: the line is shown plainly"
    fi
    repl_end
}
color_case "--color=always" yes -- --color=always
color_case "--color=always with NO_COLOR=1" yes NO_COLOR=1 -- --color=always
color_case "colour by default" yes --
color_case "NO_COLOR=1 under auto" no NO_COLOR=1 -- --color=auto
color_case "--color=never" no -- --color=never

# What the server sends cannot act on the terminal: escape sequences,
# control characters and bidirectional overrides are shown escaped.
PANE=probe
tm new-session -d -s "$PANE" -x 120 -y 40 \
    "printf '\\033]0;probe-title\\007'; exec sleep 3600"
tries=100
while [ "$tries" -gt 0 ] &&
    [ "$(tm display -p -t "$PANE" '#{pane_title}')" != probe-title ]; do
    sleep 0.05
    tries=$((tries - 1))
done
is "$(tm display -p -t "$PANE" '#{pane_title}')" "probe-title" \
    "escapes: (check) the pane title follows OSC 0"
repl_end

ESC=$(printf '\033')
BEL=$(printf '\007')
RLO=$(printf '\342\200\256')
start_node_echo --send-on-connect "A${ESC}]0;pwned${BEL}B${ESC}[2JC${RLO}D"
start_repl "escapes" -- --color=never "$(url)"
# ESC and BEL come out as their control pictures, U+241B and U+2407.
PIC_ESC=$(printf '\342\220\233')
PIC_BEL=$(printf '\342\220\207')
screen_has "A${PIC_ESC}]0;pwned${PIC_BEL}B${PIC_ESC}[2JC\\u{202e}D" \
    "escapes: OSC, CSI, BEL and U+202E are shown as visible escapes"
screen_like '^< text +[0-9]+ B  A' "escapes: shown as a received text message"
title=$(tm display -p -t "$PANE" '#{pane_title}')
ok "escapes: the pane title was not changed (it is '$title')" [ "$title" != pwned ]
tm capture-pane -p -J -t "$PANE" >"$T/visible"
like "$T/visible" '^connected to ws://' "escapes: the screen was not cleared"
repl_end
PORT=$ECHO_PORT

# Ctrl-C clears the line being typed without sending it.
start_repl "Ctrl-C" -- --color=never "$(url)"
type_text "never sent"
last_like '^> never sent$' "Ctrl-C: the line is typed"
keys C-c
last_like '^>$' "Ctrl-C: the line is cleared"
send_line "after Ctrl-C"
screen_like '^< text +12 B  after Ctrl-C$' "Ctrl-C: the session goes on"
screen_unlike '^< text .*never sent' "Ctrl-C: the cleared line was not sent"
keys C-c
screen_like 'Ctrl-C again' "Ctrl-C on an empty line: a hint says how to close"
screen_unlike '^EXIT=' "Ctrl-C on an empty line: the session stays open"
last_like '^>$' "Ctrl-C on an empty line: the prompt is back"
keys C-c
screen_like 'closed by wscli with 1000' "second Ctrl-C: closes with 1000"
screen_like 'server answered 1000' "second Ctrl-C: the server answers 1000"
exit_is 0 "second Ctrl-C: exit 0"
repl_end

# Ctrl-D closes with 1000.
start_repl "Ctrl-D" -- --color=never "$(url)"
keys C-d
screen_like 'closed by wscli with 1000' "Ctrl-D: closes with 1000"
exit_is 0 "Ctrl-D: exit 0"
repl_end

# A close from the server.
start_node_echo --close-after-connect 1001 "server restart"
repl -- --color=never "$(url)"
screen_like '^closed by server: 1001 Going Away "server restart"' \
    "server close: code, name and reason are shown"
exit_is 0 "server close 1001: exit 0"
repl_end

done_testing
