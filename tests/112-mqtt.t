#!/bin/sh
# --proto mqtt against mosquitto's websockets listener: CONNECT and
# CONNACK, --subscribe, stdin lines published to --topic at QoS 0 and 1
# (PUBACKs awaited before DISCONNECT), PUBLISH payloads as lines, the
# keep-alive kept with PINGREQ over several 1 s intervals, --jsonl with
# topic, QoS and retain, MQTT 5, --login refused and accepted, -v's
# decoded packets.
. tests/lib.sh
need_wscli

start_mosquitto || skip_all "mosquitto did not start"
B=$SERVER_LOG
U=ws://127.0.0.1:$PORT/

# wait_sub FILE: until mosquitto has answered N SUBSCRIBEs in its log
subacks() { grep -c 'Sending SUBACK' "$B"; }
wait_subacks() {
    tries=100
    while [ "$(subacks)" -lt "$1" ] && [ "$tries" -gt 0 ]; do
        sleep 0.1
        tries=$((tries - 1))
    done
}

# A subscriber and a publisher: each line published is one line received.
"$WSCLI" --proto mqtt --subscribe 'a/#' -n 3 "$U" >"$T/sub.out" 2>"$T/sub.err" &
sub=$!
wait_subacks 1
printf 'hello\nworld\n' >"$T/in"
run_wscli -v --proto mqtt --topic a/b --qos 1 --client-id pub-1 "$U" <"$T/in"
status_is 0 "the publisher (QoS 1): exit 0"
like "$ERR" 'Sec-WebSocket-Protocol: mqtt' "--proto mqtt offers the subprotocol mqtt"
like "$ERR" '> packet CONNECT MQTT level=4 client-id=pub-1 keep-alive=60 clean' \
    "-v: CONNECT decoded (3.1.1, the client id, the keep-alive)"
like "$ERR" '< packet CONNACK 0 \(accepted\)' "-v: CONNACK decoded"
like "$ERR" '> packet PUBLISH topic=a/b qos=1 id=1 payload=5' "-v: each PUBLISH decoded"
like "$ERR" '< packet PUBACK id=2' "-v: the PUBACKs"
like "$ERR" '> packet DISCONNECT' "the end: DISCONNECT after the PUBACKs"
like "$B" "Received PUBLISH from pub-1 \\(d0, q1, r0, m1, 'a/b', \\.\\.\\. \\(5 bytes\\)\\)" \
    "mosquitto received the first line at QoS 1"
wait_for "$B" 'Received DISCONNECT from pub-1' 5
like "$B" 'Received DISCONNECT from pub-1' "mosquitto received DISCONNECT"
echo tail >"$T/tail"
run_wscli --proto mqtt --topic a/c "$U" <"$T/tail"
status_is 0 "the publisher (QoS 0): exit 0"
tries=50
while kill -0 "$sub" 2>/dev/null && [ "$tries" -gt 0 ]; do
    sleep 0.1
    tries=$((tries - 1))
done
kill "$sub" 2>/dev/null
wait "$sub"
is "$?" 0 "the subscriber: exit 0 after -n 3"
is "$(cat "$T/sub.out")" "$(printf 'hello\nworld\ntail')" \
    "each PUBLISH payload is one line on stdout"

# The keep-alive: 1 s, mosquitto drops a client silent for 1.5 s. A
# session of 3.5 s with nothing else to say stays up with PINGREQs.
mkfifo "$T/slow.fifo"
(echo one; sleep 3.5; echo two) >"$T/slow.fifo" &
run_wscli -v --proto mqtt --keepalive 1 --topic k/t --client-id ka-1 "$U" <"$T/slow.fifo"
status_is 0 "3.5 s with a 1 s keep-alive: exit 0"
pings=$(grep -c '> packet PINGREQ' "$ERR")
pongs=$(grep -c '< packet PINGRESP' "$ERR")
ok "a PINGREQ every second ($pings), each answered ($pongs)" \
    [ "$pings" -ge 3 -a "$pongs" -ge 3 ]
like "$B" "Received PUBLISH from ka-1 .*'k/t'" "the line after the quiet 3.5 s was published"
unlike "$B" 'Client ka-1 .*(exceeded timeout|disconnected due to)' \
    "mosquitto never found the keep-alive exceeded"
run_wscli --proto mqtt --topic k/t "$U" <"$T/in"
unlike "$ERR" 'PINGREQ|packet' "without -v packets are not shown"

# --jsonl: topic, QoS, retain. A retained message is published first.

NODE_PATH=$SERVERS/node_modules node -e '
const c = require("mqtt").connect("mqtt://127.0.0.1:" + process.argv[1]);
c.on("connect", () => c.publish("r/t", "kept", { retain: true, qos: 1 },
  () => c.end()));' "$MQTT_PORT"
run_wscli --jsonl --proto mqtt --subscribe 'r/#' --qos 1 -n 1 "$U"
status_is 0 "--jsonl -n 1: exit 0"
like "$OUT" '"kind":"publish","name":"r/t","data":\{"topic":"r/t","qos":1,"retain":true,"dup":false,"id":[0-9]+\},"text":"kept"' \
    "--jsonl: the topic as name, data with topic, QoS, retain, and the payload"
like "$OUT" '"kind":"suback"' "the SUBACK is an event"

# MQTT 5.
"$WSCLI" --proto mqtt --mqtt-version 5 --subscribe 'five/#' -n 1 "$U" \
    >"$T/sub5.out" 2>"$T/sub5.err" &
sub=$!
n=$(subacks)
wait_subacks $((n + 1))
echo v5 >"$T/v5"
run_wscli -v --proto mqtt --mqtt-version 5 --topic five/a --qos 1 "$U" <"$T/v5"
status_is 0 "MQTT 5 publisher: exit 0"
like "$ERR" '> packet CONNECT MQTT level=5' "CONNECT at level 5"
like "$ERR" '< packet PUBACK id=1' "the 5.0 PUBACK decoded"
wait "$sub"
is "$?" 0 "MQTT 5 subscriber: exit 0"
is "$(cat "$T/sub5.out")" v5 "MQTT 5: the payload received"

# --proto auto: MQTT from the subprotocol agreed.
run_wscli -v --proto auto -s mqtt --topic a/auto "$U" <"$T/tail"
status_is 0 "--proto auto -s mqtt: exit 0"
like "$ERR" '> packet PUBLISH topic=a/auto qos=0 payload=4' "the subprotocol mqtt chose MQTT"

# A relay between a client and mosquitto decodes both directions.
start_listen --forward "$U" --proto mqtt ||
    skip_all "the relay did not start"
run_wscli --proto mqtt --topic a/relay --qos 1 "$(lurl)" <"$T/tail"
status_is 0 "through a --proto mqtt relay: exit 0"
wait_for "$LOUT" 'server>client .*close' 5
like "$LOUT" '^1 client>server +\+[0-9.]+ ms  publish a/relay \[qos 1\] tail$' \
    "the relay log shows the client's PUBLISH for what it is"
like "$LOUT" '^1 client>server +\+[0-9.]+ ms  connect MQTT level=4 client-id=[^ ]+ keep-alive=60 clean$' \
    "the relay log shows the client's CONNECT, decoded"
like "$LOUT" '^1 server>client +\+[0-9.]+ ms  connack 0 \(accepted\)$' "... the broker's CONNACK"
like "$LOUT" '^1 server>client +\+[0-9.]+ ms  puback id=1$' "... the broker's PUBACK"
like "$LOUT" '^1 client>server +\+[0-9.]+ ms  disconnect ?$' "... and the client's DISCONNECT"
connect_at=$(grep -n 'client>server .*  connect MQTT' "$LOUT" | cut -d: -f1)
publish_at=$(grep -n 'client>server .*  publish a/relay' "$LOUT" | cut -d: -f1)
ok "the relay log is in the order of the wire: CONNECT (line ${connect_at:-none}) before PUBLISH (${publish_at:-none})" \
    sh -c '[ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]' - "$connect_at" "$publish_at"
unlike "$LOUT" 'PINGREQ|PINGRESP|pingreq|pingresp' "keep-alives are not logged"

# MQTT.js ends with DISCONNECT and closes; the broker drops TCP on the
# DISCONNECT, with no close frame, as MQTT has it, often before that close
# comes: either way the relay calls it no error (113 pins the drop).
start_listen --once --forward "$U" --proto mqtt || skip_all "the relay did not start"
out=$(timeout 10 node "$SERVERS/mqtt-pub.js" "$(lurl)" a/js hi 2>&1)
is "$out" closed "MQTT.js through the relay: published and ended"
wait_listen
is "$LSTATUS" 0 "--once: the end after MQTT.js's DISCONNECT is no error (exit 0)"
unlike "$LERR" '1006|lost' "... and no connection is said to be lost"
like "$LOUT" '^1 client>server +\+[0-9.]+ ms  disconnect$' \
    "the client's DISCONNECT in the log, with no blank after it"

# --login against a broker with a password file.
stop_server
mosquitto_passwd -c -b "$T/passwd" alice s3cret >/dev/null 2>&1
chmod 0600 "$T/passwd"
start_mosquitto "password_file $T/passwd" || skip_all "mosquitto did not start"
U=ws://127.0.0.1:$PORT/
echo x >"$T/x"
run_wscli --proto mqtt --topic t --login alice:wrong "$U" <"$T/x"
status_is 1 "a wrong password: exit 1"
like "$ERR" 'MQTT CONNACK refused the session: 5 \(not authorized\)' \
    "the refusal is named with its return code"
run_wscli --proto mqtt --topic t --login alice:s3cret "$U" <"$T/x"
status_is 0 "--login alice:s3cret: exit 0"

done_testing
