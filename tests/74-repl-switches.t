#!/bin/sh
# The REPL's switches (/hex, /json, /timestamps, /deflate) take on or off
# and say the state they leave, and the small things a typed command or a
# pasted line must get right. Driven through a terminal (a tmux pane).
. tests/lib.sh
. tests/tmux.sh

# count_is REGEX N DESC: the pane comes to hold N lines matching REGEX
count_is() {
    tries=100
    while :; do
        screen
        got=$(grep -Ec -- "$1" "$SCREEN")
        [ "$got" -eq "$2" ] || [ "$tries" -eq 0 ] || { tries=$((tries - 1)); sleep 0.05; continue; }
        break
    done
    is "$got" "$2" "$3"
}

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

start_repl "switches" -- --color=never "$(url)"

send_line "/hex off"
screen_like '^hexdump display off$' "/hex off: says off"
send_line "still text"
screen_like '^< text +10 B  still text$' "/hex off: text is still shown as text"
send_line "/hex on"
screen_like '^hexdump display on$' "/hex on: says on"
send_line "/hex on"
count_is '^hexdump display on$' 2 "/hex on twice: on both times"
send_line "dumped"
screen_like '^  00000000  64 75 6d 70 65 64 +\|dumped\|$' "/hex on: a hexdump"
send_line "/hex off"
send_line "/hex maybe"
screen_like "^/hex: 'maybe' is not on or off" "/hex maybe: refused"

send_line "/json on"
send_line "/json on"
count_is '^JSON display on$' 2 "/json on twice: on both times"
send_line "/json off"
screen_like '^JSON display off$' "/json off: says off"

send_line "/timestamps elapsed"
screen_like 'timestamps on \(elapsed since the start\)$' "/timestamps elapsed: says so"
send_line "since"
screen_like '^\+ +[0-9]+\.[0-9]{3} < text +5 B  since$' "/timestamps elapsed: +seconds"
send_line "/timestamps wall"
screen_like 'timestamps on \(wall clock\)$' "/timestamps wall: back to the clock"
send_line "clock"
screen_like '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} < text +5 B  clock$' \
    "/timestamps wall: HH:MM:SS.mmm"
send_line "/timestamps elapsed"
send_line "/timestamps off"
screen_like 'timestamps off$' "/timestamps off: says off"
send_line "/timestamps"
count_is 'timestamps on \(elapsed since the start\)$' 3 \
    "/timestamps alone: back on with the clock last chosen"
send_line "/timestamps off"

send_line "/deflate"
screen_like '^/deflate: permessage-deflate was not negotiated' \
    "/deflate: not negotiated, said so"
screen_unlike 'compressing outgoing messages on' "/deflate: does not claim to compress"
send_line "/frames on"
screen_like '^frame view on$' "/frames on: says on"
send_line "plain"
screen_like '^> frame text +fin=1 rsv=000 .*"plain"$' "/deflate refused: frames leave with rsv=000"
send_line "/frames off"

send_line "/binary 486"
screen_like "^/binary: odd number of hex digits" "/binary 486: an odd number of hex digits"
send_line "/raw 8"
screen_like "^/raw: odd number of hex digits" "/raw 8: an odd number of hex digits"

send_line "/ping   "
screen_like '^> ping +0 B  $' "/ping with blanks: an empty ping"
screen_like '^< pong +0 B  \(rtt' "/ping with blanks: its empty pong answers it"

printf 'from home' >"$REPL_HOME/home.txt"
send_line "/file --text ~/home.txt"
screen_like '^< text +9 B  from home$' "/file ~/PATH: ~ is the home directory"

printf 'pasted\n' | tm load-buffer -
tm paste-buffer -p -t "$PANE"
keys Enter
screen_like '^< text +6 B  pasted$' "bracketed paste: its trailing newline is not sent"
screen_unlike '^< text +7 B' "bracketed paste: not 7 bytes"
repl_end

# A slow first connect at a terminal says what is going on: a server that
# takes the connection and never answers the upgrade.
SILENT=$(free_port)
"$PYTHON" -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
c, _ = s.accept()
time.sleep(20)
' "$SILENT" &
server_pids="$server_pids $!"
wait_port=50
while ! port_open "$SILENT" && [ "$wait_port" -gt 0 ]; do
    sleep 0.1
    wait_port=$((wait_port - 1))
done
repl -- --color=never --connect-timeout 3 "ws://127.0.0.1:$SILENT/"
screen_like "^(wscli: )?connecting to ws://127\.0\.0\.1:$SILENT/ \.\.\.\$" \
    "a slow first connect at a terminal: announced"
exit_is 7 "a slow first connect: the upgrade times out, exit 7"
repl_end

# With deflate agreed, /deflate off and on take effect.
stop_server
start_node_echo --deflate || { echo "Bail out! node echo server did not start"; exit 1; }
start_repl "deflate agreed" -- --color=never --deflate --frames "$(url)"
send_line "/deflate off"
screen_like '^compressing outgoing messages off$' "/deflate off: says off"
send_line "aaaaaaaaaaaaaaaaaaaa"
screen_like '^> frame text +fin=1 rsv=000 .*len=20 ' "/deflate off: sent plain"
send_line "/deflate on"
screen_like '^compressing outgoing messages on$' "/deflate on: says on"
send_line "bbbbbbbbbbbbbbbbbbbb"
screen_like '^> frame text +fin=1 rsv=100 ' "/deflate on: sent compressed"
repl_end

done_testing
