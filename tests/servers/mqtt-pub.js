// MQTT client (npm "mqtt", MQTT.js) for the wscli tests.
//
//   node mqtt-pub.js URL TOPIC MESSAGE
//
// Connects over WebSocket (MQTT 3.1.1), publishes MESSAGE to TOPIC at
// QoS 1 and, once it is acknowledged, ends as MQTT.js does: DISCONNECT,
// then the connection is closed. Prints "closed" (exit 0) or "error ..."
// (exit 1).

const mqtt = require("mqtt");

const [url, topic, message] = process.argv.slice(2);
const c = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0 });
c.on("connect", () => {
    c.publish(topic, message, { qos: 1 }, () => c.end());
});
c.on("close", () => {
    console.log("closed");
    process.exit(0);
});
c.on("error", (e) => {
    console.log("error", e.message);
    process.exit(1);
});
