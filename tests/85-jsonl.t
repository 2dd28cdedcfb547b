#!/bin/sh
# --jsonl: every event (open, message in/out text and binary, ping, pong with
# rtt_ms, close in/out, error) is one line of valid JSON with the documented
# fields, whatever bytes the server sends.
. tests/lib.sh
need_wscli

# jq FILE EXPR: evaluate the Python expression EXPR with "ev" the list of
# parsed lines of FILE; prints the result (bail out if a line is not JSON).
cat >"$T/jq.py" <<'PY'
import base64, json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()
ev = []
for n, raw in enumerate(lines, 1):
    try:
        ev.append(json.loads(raw.decode("utf-8")))
    except Exception as e:
        print("line %d is not JSON: %s: %r" % (n, e, raw[:200]))
        sys.exit(0)
def of(kind, **kw):
    return [e for e in ev if e.get("event") == kind
            and all(e.get(k) == v for k, v in kw.items())]
print(eval(sys.argv[2]))
PY
jq() {
    "$PYTHON" "$T/jq.py" "$@"
}
all_json() {    # FILE: every line parses as a JSON object with event and time
    jq "$1" 'all(isinstance(e, dict) and "event" in e and "time" in e for e in ev) and len(ev) > 0'
}

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
node=$PORT

# Text both ways, and the open event.
printf 'plain\na\000b\t"q" \\ \342\200\250 \360\237\230\200 \033[31m\n' >"$T/text.in"
run_wscli --jsonl -n 2 "$(url)" <"$T/text.in"
status_is 0 "text: exit 0"
is "$(all_json "$OUT")" True "text: every line is a JSON object with event and time"
is "$(jq "$OUT" '[e["event"] for e in ev][0]')" "open" "text: the first event is open"
is "$(jq "$OUT" 'of("open")[0]["status"]')" 101 "open: status 101"
is "$(jq "$OUT" 'of("open")[0]["url"]')" "ws://127.0.0.1:$node/" "open: url"
is "$(jq "$OUT" 'isinstance(of("open")[0]["headers"], dict) and "Sec-WebSocket-Accept" in of("open")[0]["headers"]')" \
    True "open: headers is an object with Sec-WebSocket-Accept"
is "$(jq "$OUT" '"subprotocol" in of("open")[0]')" True "open: has subprotocol"
is "$(jq "$OUT" 'len(of("message", dir="wscli>server", type="text"))')" 2 "text: two messages out"
is "$(jq "$OUT" 'len(of("message", dir="server>client", type="text"))')" 2 "text: two messages in"
is "$(jq "$OUT" 'of("message", dir="server>client")[0]["text"] == "plain" and of("message", dir="server>client")[0]["size"] == 5')" \
    True "text: first message text and size"
is "$(jq "$OUT" 'of("message", dir="server>client")[1]["text"] == "a\0b\t\"q\" \\ \u2028 \U0001F600 \x1b[31m"')" \
    True "text: NUL, tab, quote, backslash, U+2028, emoji and ESC survive exactly"
is "$(jq "$OUT" 'of("message", dir="server>client")[1]["size"]')" 24 "text: size in bytes"
is "$(jq "$OUT" 'of("message", dir="server>client")[0]["fragments"]')" 1 "text: fragments"
is "$(jq "$OUT" '[(e["code"], e["by"]) for e in of("close", dir="wscli>server")]')" "[(1000, 'wscli')]" \
    "close out: 1000 by wscli"
is "$(jq "$OUT" '[(e["code"], e["name"], e["reason"], e["by"]) for e in of("close", dir="server>client")]')" \
    "[(1000, 'Normal Closure', '', 'wscli')]" "close in: code, name, reason, by"
is "$(jq "$OUT" 'all(e["time"].endswith("Z") and "T" in e["time"] for e in ev)')" True \
    "time is UTC (ISO 8601 with Z)"
like "$ERR" 'connected to' "--jsonl: the summary still goes to stderr"

# Binary with NUL bytes and invalid UTF-8.
printf 'a\000b\377\376\300\200c\n\000' >"$T/bin.in"
run_wscli --jsonl -b --no-split -n 1 "$(url)" <"$T/bin.in"
status_is 0 "binary: exit 0"
is "$(all_json "$OUT")" True "binary: every line is valid JSON"
is "$(jq "$OUT" 'base64.b64decode(of("message", dir="server>client", type="binary")[0]["base64"]) == open("'"$T"'/bin.in", "rb").read()')" \
    True "binary: base64 decodes to the bytes sent"
is "$(jq "$OUT" 'of("message", dir="server>client", type="binary")[0]["size"]')" 10 "binary: size"
is "$(jq "$OUT" '"text" in of("message", dir="server>client", type="binary")[0]')" False "binary: no text field"

# A binary message that is valid UTF-8: its bytes, as text or base64.
run_wscli --jsonl -b -n 1 --send "héllo" "$(url)"
status_is 0 "binary UTF-8: exit 0"
is "$(jq "$OUT" '[e.get("text", "").encode() or base64.b64decode(e["base64"]) for e in of("message", dir="server>client", type="binary")] == ["héllo".encode()]')" \
    True "binary that is UTF-8: the payload is the bytes sent"

# Pings and pongs.
run_wscli --jsonl --ping-interval 0.1 -w 0.5 "$(url)"
status_is 0 "ping: exit 0"
is "$(all_json "$OUT")" True "ping: every line is valid JSON"
is "$(jq "$OUT" 'len(of("ping", dir="wscli>server")) >= 2')" True "ping: pings out"
is "$(jq "$OUT" 'len(of("pong", dir="server>client")) >= 2')" True "ping: pongs in"
is "$(jq "$OUT" 'all(isinstance(e.get("rtt_ms"), (int, float)) and e["rtt_ms"] >= 0 for e in of("pong", dir="server>client"))')" \
    True "pong: rtt_ms is a number"

# A ping from the server between two fragments, answered.
start_raw ping-between-fragments
run_wscli --jsonl -n 1 "$(url)"
status_is 0 "server ping: exit 0"
is "$(all_json "$OUT")" True "server ping: every line is valid JSON"
is "$(jq "$OUT" '[e.get("text") for e in of("ping", dir="server>client")]')" "['p1']" "server ping: ping in with its payload"
wait_for "$SERVER_LOG" 'raw: (pong ok|bad pong)' 5
like "$SERVER_LOG" 'raw: pong ok' "server ping: answered with a pong"
is "$(jq "$OUT" '[(e["text"], e["fragments"]) for e in of("message", dir="server>client")]')" "[('Hello', 2)]" \
    "server ping: the fragmented message, with 2 fragments"

# Close from the server with a code and a reason that need escaping.
start_raw close 4001 'bye "now" \ é'
run_wscli --jsonl -n 1 "$(url)"
status_is 8 "server close 4001: exit 8"
is "$(all_json "$OUT")" True "server close: every line is valid JSON"
is "$(jq "$OUT" '[(e["code"], e["name"], e["reason"], e["by"]) for e in of("close", dir="server>client")]')" \
    "[(4001, 'Private Use', 'bye \"now\" \\\\ é', 'server')]" "close in: code, name, escaped reason, by server"
is "$(jq "$OUT" '[(e["code"], e["by"]) for e in of("close", dir="wscli>server")]')" "[(4001, 'server')]" \
    "close out: the answer, by server"

# An error event.
start_raw bad-utf8
run_wscli --jsonl -n 1 "$(url)"
status_is 5 "invalid UTF-8 from the server: exit 5"
is "$(all_json "$OUT")" True "error: every line is valid JSON"
is "$(jq "$OUT" 'len(of("error"))')" 1 "error: one error event"
is "$(jq "$OUT" '"UTF-8" in of("error")[0]["message"]')" True "error: the message names UTF-8"
is "$(jq "$OUT" '[e["code"] for e in of("close", dir="wscli>server")]')" "[1007]" "error: close out with 1007"

# An error before the connection: a refused upgrade.
start_raw http404
run_wscli --jsonl "$(url)"
status_is 4 "404: exit 4"
is "$(jq "$OUT" 'all("event" in e for e in ev) and [e["event"] for e in ev].count("open") == 0')" True \
    "404: no open event, lines are JSON"

# Over 16 MiB: cut and marked truncated.
head -c 17000000 /dev/urandom >"$T/big.in"
run_wscli --jsonl -b --no-split -n 1 "ws://127.0.0.1:$node/" <"$T/big.in"
status_is 0 "17 MB binary: exit 0"
is "$(all_json "$OUT")" True "17 MB binary: every line is valid JSON"
is "$(jq "$OUT" '[(e["size"], e.get("truncated")) for e in of("message", dir="server>client")]')" "[(17000000, True)]" \
    "17 MB binary: size and truncated"
is "$(jq "$OUT" 'base64.b64decode(of("message", dir="server>client")[0]["base64"]) == open("'"$T"'/big.in", "rb").read(16 * 1024 * 1024)')" \
    True "17 MB binary: the first 16 MiB are the bytes sent"

done_testing
