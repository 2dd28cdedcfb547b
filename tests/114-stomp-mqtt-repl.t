#!/bin/sh
# --proto stomp and --proto mqtt at the REPL (a tmux pane), against the
# STOMP broker and mosquitto: CONNECTED and CONNACK shown, /subscribe,
# /unsubscribe, /send and /publish, messages as '< message DEST BODY' and
# '< publish TOPIC [qos, retain] PAYLOAD', packets only with /frames,
# /help listing the commands.
. tests/lib.sh
. tests/tmux.sh

start_stomp_broker || { echo "Bail out! the STOMP broker did not start"; exit 1; }
B=$SERVER_LOG
U=ws://127.0.0.1:$PORT/stomp

start_repl "stomp REPL" -- --color=never --proto stomp "$U"
screen_like '^< connected STOMP 1\.1, server STOMP-JS/[0-9.]+, no heart-beats$' \
    "CONNECTED is shown: version, server, heart-beats"
send_line '/subscribe /queue/r'
screen_like '^subscribed to /queue/r as id 0$' "/subscribe: the subscription and its id"
wait_for "$B" 'subscribe /queue/r id=0' 5
echo 'from elsewhere' >"$T/in"
run_wscli --proto stomp --destination /queue/r "$U" <"$T/in"
screen_like '^< message /queue/r from elsewhere$' \
    "a MESSAGE reads '< message DEST BODY'"
send_line '/send /queue/x a body with spaces'
wait_for "$B" 'send /queue/x a body with spaces' 5
like "$B" 'send /queue/x a body with spaces' "/send: the rest of the line is the body"
send_line '/unsubscribe /queue/r'
screen_like '^unsubscribed from /queue/r$' "/unsubscribe by destination"
wait_for "$B" 'unsubscribe 0' 5
like "$B" 'unsubscribe 0' "the broker got UNSUBSCRIBE with the id"
send_line '/unsubscribe /queue/r'
screen_like '^no subscription /queue/r' "/unsubscribe of what is not subscribed: refused"
send_line '/help'
screen_like '/subscribe DEST +subscribe to a STOMP destination' "/help lists /subscribe"
screen_like '/send DEST BODY' "/help lists /send"
send_line '/frames on'
send_line '/send /queue/x framed'
screen_like '^> frame SEND destination:/queue/x content-type:text/plain content-length:6 body=6' \
    "with /frames the frames sent are shown with their headers"
send_line '/quit'
exit_is 0 "/quit: exit 0"
repl_end
stop_server

start_mosquitto || { echo "Bail out! mosquitto did not start"; exit 1; }
U=ws://127.0.0.1:$PORT/

# a retained message at QoS 1, there before the REPL subscribes
NODE_PATH=$SERVERS/node_modules node -e '
const c = require("mqtt").connect("mqtt://127.0.0.1:" + process.argv[1]);
c.on("connect", () => c.publish("r/kept", "21.5", { retain: true, qos: 1 },
  () => c.end()));' "$MQTT_PORT"

start_repl "mqtt REPL" -- --color=never --proto mqtt --client-id repl-1 "$U"
screen_like '^< connected MQTT 3\.1\.1, keep-alive 60 s$' "CONNACK is shown"
send_line '/subscribe r/# 1'
screen_like '^< suback subscribed to r/# \(id 1\), QoS 1 granted$' "/subscribe: the SUBACK with the filter and the QoS granted"
screen_like '^< publish r/kept \[qos 1, retain\] 21\.5$' \
    "a retained QoS 1 message shows its QoS and retain flag"
send_line '/publish r/a hello there'
screen_like '^< publish r/a hello there$' "a PUBLISH reads '< publish TOPIC PAYLOAD'"
screen_unlike '< packet' "packets are not shown without /frames"
send_line '/frames on'
send_line '/publish r/b x'
screen_like '^> packet PUBLISH topic=r/b qos=0 payload=1' "with /frames: the PUBLISH sent"
screen_like '^< packet PUBLISH topic=r/b qos=0 payload=1' "... and the one received, decoded"
send_line '/frames off'
send_line '/unsubscribe r/#'
screen_like '^< unsuback unsubscribed from r/# \(id 2\)$' "/unsubscribe: the UNSUBACK is shown, with the filter"
send_line '/publish r/c gone'
sleep 0.5
screen_unlike '^< publish r/c' "after /unsubscribe nothing comes back"
send_line '/publish'
screen_like 'usage: /publish TOPIC PAYLOAD' "/publish without a topic: its usage"
send_line '/help'
screen_like '/publish TOPIC PAYLOAD +publish PAYLOAD to TOPIC' "/help lists /publish"
send_line '/quit'
exit_is 0 "/quit: exit 0"
repl_end

done_testing
