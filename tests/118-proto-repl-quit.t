#!/bin/sh
# The end of a REPL session under --proto stomp and --proto mqtt (/quit,
# Ctrl-D, Ctrl-C twice) ends the protocol as the end of a pipe's input
# does, even with a subscription running: STOMP's DISCONNECT with a
# receipt, then the close once the receipt came; MQTT's DISCONNECT, then
# the close. The brokers say they got the goodbye; the end line and the
# exit status stay those of a clean close.
. tests/lib.sh
. tests/tmux.sh

start_stomp_broker || { echo "Bail out! the STOMP broker did not start"; exit 1; }
B=$SERVER_LOG
U=ws://127.0.0.1:$PORT/stomp

# /quit, or keys one by one (the REPL takes Ctrl-C twice as two signals)
end_with() {
    case $1 in
    /quit) send_line /quit ;;
    *) for k in $1; do keys "$k"; sleep 0.3; done ;;
    esac
}

# $1: the keys or line that end the session; $2: what it is called
stomp_end() {
    : >"$B"
    start_repl "stomp $2" -- --color=never --proto stomp "$U"
    send_line '/subscribe /queue/q'
    wait_for "$B" 'subscribe /queue/q id=0' 5
    end_with "$1"
    exit_is 0 "stomp $2: exit 0"
    like "$B" 'DISCONNECT frame, receipt w1' \
        "stomp $2: the broker got DISCONNECT with a receipt"
    screen_like 'closed by wscli with 1000; the server answered 1000 Normal Closure "STOMP DISCONNECT acknowledged", close handshake complete' \
        "stomp $2: wscli closed once the receipt came"
    repl_end
}
stomp_end /quit /quit
stomp_end C-d Ctrl-D
stomp_end 'C-c C-c' 'Ctrl-C twice'

stop_server

# A server that never sends the receipt: the close follows after
# --close-timeout; a second /quit does not wait for it.
hex() { printf "$1" | od -v -An -tx1 | tr -d ' \n'; }
start_raw say "bin:$(hex 'CONNECTED\nversion:1.2\n\n\0')" ||
    { echo "Bail out! raw server did not start"; exit 1; }
start_repl "stomp, no receipt" -- --color=never --proto stomp --close-timeout 1 "$(url)"
send_line /quit
wait_for "$SERVER_LOG" 'DISCONNECT' 5
like "$SERVER_LOG" 'DISCONNECT\\nreceipt:w1' "no receipt: DISCONNECT sent"
screen_like 'STOMP: no RECEIPT for DISCONNECT; closing' \
    "no receipt: after the close timeout wscli says so and closes"
exit_is 0 "no receipt: exit 0"
repl_end
stop_server
start_raw say "bin:$(hex 'CONNECTED\nversion:1.2\n\n\0')" ||
    { echo "Bail out! raw server did not start"; exit 1; }
start_repl "stomp, /quit twice" -- --color=never --proto stomp --close-timeout 3 "$(url)"
send_line /quit
wait_for "$SERVER_LOG" 'DISCONNECT' 5
send_line /quit
ok "/quit again while the receipt is awaited: over within 2 s (the wait is 3 s)" \
    wait_screen '^EXIT=' 2
exit_is 0 "/quit again: exit 0"
screen_unlike 'no RECEIPT for DISCONNECT' "... without waiting for the receipt"
repl_end
stop_server

start_mosquitto || { echo "Bail out! mosquitto did not start"; exit 1; }
U=ws://127.0.0.1:$PORT/

mqtt_end() {
    n=$(grep -c 'New client connected' "$SERVER_LOG")
    start_repl "mqtt $2" -- --color=never --proto mqtt --client-id "$3" "$U"
    send_line '/subscribe q/# 1'
    screen_like '^< suback subscribed to q/#' "mqtt $2: subscribed"
    end_with "$1"
    exit_is 0 "mqtt $2: exit 0"
    wait_for "$SERVER_LOG" "Client $3 (disconnected|closed its connection)" 5
    like "$SERVER_LOG" "Client $3 disconnected\\." \
        "mqtt $2: mosquitto got DISCONNECT"
    unlike "$SERVER_LOG" "Client $3 closed its connection" \
        "mqtt $2: ... not a connection closed without one"
    screen_like 'closed by wscli with 1000' "mqtt $2: wscli's clean close"
    repl_end
}
mqtt_end /quit /quit q-1
mqtt_end C-d Ctrl-D q-2
mqtt_end 'C-c C-c' 'Ctrl-C twice' q-3

# In a pipe SIGINT ends wscli as /quit does: with DISCONNECT first.
mkfifo "$T/in"
"$WSCLI" --proto mqtt --client-id sig-1 --subscribe 'a/#' \
    "$U" <"$T/in" >/dev/null 2>"$T/sig.err" &
pid=$!
exec 3>"$T/in"
wait_for "$SERVER_LOG" 'Received SUBSCRIBE from sig-1' 5
kill -INT "$pid"
wait "$pid"
is "$?" 0 "mqtt, SIGINT in a pipe: exit 0"
exec 3>&-
wait_for "$SERVER_LOG" 'Client sig-1 (disconnected|closed its connection)' 5
like "$SERVER_LOG" 'Client sig-1 disconnected\.' "mqtt, SIGINT in a pipe: mosquitto got DISCONNECT"

done_testing
