#!/bin/sh
# --frame SPEC: crafted frames from the command line, in order with
# --send, shown on stderr frame by frame.
. tests/lib.sh
need_wscli

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }

# in order: the --send message lands inside the fragmented one
run_wscli --frame 'fin=0 Hel' --send first --frame 'op=cont lo' "$(url)"
status_is 8 "--send inside a fragmented message: exit 8"
like "$ERR" 'the server answered 1002|closed by server: 1002' \
    "--send inside a fragmented message: the server closed 1002"
run_wscli --frame 'fin=0 Hel' --frame 'op=ping p' --frame 'op=cont lo' \
    --send after "$(url)"
status_is 0 "ping between fragments: exit 0"
is "$(cat "$OUT")" "$(printf 'Hello\nafter')" "ping between fragments: the message, then --send"
like "$ERR" '^> frame text +fin=0 rsv=000 len=3 \(7-bit\) mask=[0-9a-f]{8}  "Hel"$' \
    "the first fragment on stderr"
like "$ERR" '^> frame ping +fin=1 .*"p"$' "the ping on stderr"
like "$ERR" '^> frame cont +fin=1 .*"lo"$' "the continuation, not flagged"

run_wscli --frame 'rsv=4 Hello' "$(url)"
status_is 8 "RSV1: exit 8 (the server closed 1002)"
like "$ERR" '"Hello"  \(RSV bits set but no extension was negotiated\)$' \
    "RSV1: the rule it breaks is named"
like "$ERR" 'the server answered 1002 Protocol Error' "RSV1: the server's 1002"

run_wscli --frame 'op=close hex:03e8 6279 65' --frame 'after' "$(url)"
status_is 0 "a crafted close: exit 0"
like "$ERR" '^> frame close .*1000 Normal Closure "bye"$' "a crafted close is shown"
like "$ERR" '^> frame text .*"after"  \(data frame after a close frame\)$' \
    "what comes after it still goes, named as data after a close"
like "$ERR" 'closed by wscli with 1000; the server answered 1000' \
    "the crafted close counts as wscli's"

run_wscli --frame 'len=10 ab' -w 0.2 "$(url)"
like "$ERR" '^> frame text +fin=1 rsv=000 len=10 .*"ab"\.\.\.$' "a lying length is sent as told"

# the rules of the payload are named too, not only the header's
run_wscli --frame 'op=close hex:03 ed' "$(url)"
like "$ERR" '^> frame close .*1005 No Status Received  \(1005 \(No Status Received\) is reserved .*must never be sent\)$' \
    "close 1005: the code that must not be sent is named"
run_wscli --frame 'op=close hex:03 84' "$(url)"
like "$ERR" '^> frame close .*  \(close code 900 must not be sent: codes below 1000 are not used\)$' \
    "close 900: named with its code"
run_wscli --frame 'op=close hex:03' "$(url)"
like "$ERR" '^> frame close .*len=1 .*  \(1-byte close payload' "a 1-byte close payload is named"
like "$ERR" 'closed by wscli with a 1-byte close payload; the server answered 1002' \
    "a 1-byte close is not reported as wscli's 1005"
unlike "$ERR" 'closed by wscli with 1005' "a 1-byte close: no 1005 claimed"
run_wscli --frame 'op=close hex:03 e8 ff' "$(url)"
like "$ERR" '^> frame close .*  \(close reason is not valid UTF-8 at byte 1\)$' \
    "a close reason that is not UTF-8 is named"
run_wscli --frame 'op=text hex:ff' "$(url)"
like "$ERR" '^> frame text .*"\\xff"  \(text message is not valid UTF-8 at byte 1\)$' \
    "invalid UTF-8 in a text frame is named"
like "$ERR" 'the server answered 1007' "invalid UTF-8: the server's 1007"

# what can no longer go after a crafted close is reported, not dropped
run_wscli --frame 'op=close hex:03 e8' --send after "$(url)"
status_is 1 "--send after a crafted close: exit 1"
like "$ERR" '--send "after" was not sent: a close frame \(--frame\) went before it' \
    "--send after a crafted close: reported"

done_testing
