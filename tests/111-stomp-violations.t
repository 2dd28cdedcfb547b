#!/bin/sh
# --proto stomp against a raw server that breaks STOMP: each broken rule
# is named, the connection closed with 1002 carrying the name, exit 5.
# And what is not broken must not desynchronise the display: several
# frames and heart-beats in one message, frames in binary messages, a
# body holding NULs under content-length.
. tests/lib.sh
need_wscli

# The bytes of printf FORMAT as hex, for raw.py's "bin:" messages (a STOMP
# frame ends with a NUL, which no shell argument can hold).
hex() { printf "$1" | od -v -An -tx1 | tr -d ' \n'; }

CONNECTED=$(hex 'CONNECTED\nversion:1.2\n\n\0')

# violation | what stderr says | the frame the server sends after CONNECTED
cases() {
    cat <<'EOF'
no NUL                | frame not ended by NUL                      | MESSAGE\ndestination:/a\nmessage-id:1\nsubscription:0\n\nhello
cut in its headers    | frame ends inside its command or headers    | MESSAGE\ndestination:/a\n
NUL in its headers    | frame ends inside its command or headers    | MESSAGE\ndesti\0nation:/a\n\n\0
header without colon  | header line without ':'                     | MESSAGE\ndestination\n\n\0
undefined escape      | undefined escape sequence in a header       | MESSAGE\ndestination:/a\\t\nmessage-id:1\nsubscription:0\n\n\0
bad content-length    | content-length not a number                 | MESSAGE\ncontent-length:x\n\n\0
content-length short  | no NUL after content-length bytes of body   | MESSAGE\ndestination:/a\nmessage-id:1\nsubscription:0\ncontent-length:2\n\nabc\0
unknown command       | unknown command 'BOGUS' from the server      | BOGUS\n\n\0
MESSAGE without id    | MESSAGE without the message-id header       | MESSAGE\ndestination:/a\nsubscription:0\n\nx\0
RECEIPT without id    | RECEIPT without the receipt-id header       | RECEIPT\n\n\0
client command        | unknown command 'SEND' from the server       | SEND\ndestination:/a\n\nx\0
EOF
}

cases >"$T/cases"
exec 3<"$T/cases"
while IFS='|' read -r what says frame <&3; do
    what=$(printf "%s" "$what" | sed 's/ *$//')
    says=$(printf "%s" "$says" | sed 's/^ *//; s/ *$//')
    frame=$(printf "%s" "$frame" | sed 's/^ *//')
    start_raw say "bin:$CONNECTED" "bin:$(hex "$frame")" ||
        { fail "$what: raw server"; continue; }
    run_wscli --proto stomp "ws://127.0.0.1:$PORT/" </dev/null
    is "$STATUS" 5 "$what: exit 5"
    says_re=$(printf '%s' "$says" | sed 's/[][().*+?^$|\\]/\\&/g')
    like "$ERR" "stomp protocol error: $says_re; closing with 1002" \
        "$what: named on stderr"
    wait_for "$SERVER_LOG" 'client: CLOSE' 5
    like "$SERVER_LOG" "client: CLOSE 1002 .stomp protocol error: $says_re.$" \
        "$what: close 1002 with the name as the reason"
    stop_server
done
exec 3<&-

# A frame before CONNECTED.
start_raw say "bin:$(hex 'MESSAGE\ndestination:/a\nmessage-id:1\nsubscription:0\n\nx\0')" ||
    skip_all "raw server did not start"
run_wscli --proto stomp "ws://127.0.0.1:$PORT/"
is "$STATUS" 5 "MESSAGE before CONNECTED: exit 5"
like "$ERR" 'stomp protocol error: MESSAGE before CONNECTED' "named"
stop_server

# A second CONNECTED.
start_raw say "bin:$CONNECTED" "bin:$CONNECTED" || skip_all "raw server did not start"
run_wscli --proto stomp --subscribe /a "ws://127.0.0.1:$PORT/"
is "$STATUS" 5 "a second CONNECTED: exit 5"
like "$ERR" 'stomp protocol error: a second CONNECTED' "named"
stop_server

# A CONNECTED with a version that was not offered.
start_raw say "bin:$(hex 'CONNECTED\nversion:2.0\n\n\0')" ||
    skip_all "raw server did not start"
run_wscli --proto stomp "ws://127.0.0.1:$PORT/"
is "$STATUS" 5 "CONNECTED version 2.0: exit 5"
like "$ERR" "CONNECTED with version '2\\.0', which was not offered" "named"
stop_server

# A server that agreed to send heart-beats every 100 ms and then says
# nothing: gone after twice that, close 1001, exit 7.
start_raw say "bin:$(hex 'CONNECTED\nversion:1.2\nheart-beat:100,0\n\n\0')" ||
    skip_all "raw server did not start"
run_wscli --proto stomp --keepalive 0.1 --subscribe /a "ws://127.0.0.1:$PORT/"
is "$STATUS" 7 "promised heart-beats that never come: exit 7"
like "$ERR" 'STOMP: nothing from the server for [0-9]+ ms; it promised a heart-beat every 100 ms' \
    "the silence is named"
ok "... after about twice the interval (${ELAPSED_MS} ms)" [ "$ELAPSED_MS" -lt $((3000 + TIME_SLACK_MS)) ]
wait_for "$SERVER_LOG" 'client: CLOSE' 5
like "$SERVER_LOG" 'client: CLOSE 1001' "closed with 1001"
stop_server

# Not broken: two frames and heart-beats in one message, a body with NULs
# under content-length, a heart-beat message of its own. Each body comes
# out whole, in order.
M1='MESSAGE\ndestination:/a\nmessage-id:1\nsubscription:0\n\nfirst\0\n'
M2='\nMESSAGE\ndestination:/a\nmessage-id:2\nsubscription:0\ncontent-length:5\n\nx\0y\0z\0\n'
start_raw say "bin:$CONNECTED" "bin:0a" "bin:$(hex "$M1$M2")" ||
    skip_all "raw server did not start"
run_wscli --proto stomp -n 2 "ws://127.0.0.1:$PORT/"
is "$STATUS" 0 "frames sharing a message, heart-beats, NULs in a body: exit 0"
printf 'first\nx\0y\0z\n' >"$T/want"
ok "both bodies whole and in order, NULs kept" cmp -s "$T/want" "$OUT"
stop_server

done_testing
