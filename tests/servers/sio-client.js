// Socket.IO 4 client (npm "socket.io-client") for the wscli tests: the
// real client of a wscli -l --proto socketio server.
//
//   node sio-client.js URL [--emit JSON]... [--ack JSON] [--stay MS]
//                          [--auth JSON] [--namespace NSP]
//
// Connects over the websocket transport alone, emits each --emit (a JSON
// array ["event", args...]) once connected, and --ack's event asking for
// an ack. Prints to stdout, one line each: "connected", "event NAME ARGS"
// for each event received, "ack ARGS" for the ack, "ping" for each of the
// server's pings, "connect_error MESSAGE", "disconnect REASON". After
// --stay ms (default 500) it disconnects and exits 0.

const { io } = require("socket.io-client");

const argv = process.argv.slice(2);
const url = argv.shift();
const emits = [];
let ack = null, stay = 500, auth = undefined, nsp = "";
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--emit") emits.push(JSON.parse(argv[++i]));
    else if (argv[i] === "--ack") ack = JSON.parse(argv[++i]);
    else if (argv[i] === "--stay") stay = Number(argv[++i]);
    else if (argv[i] === "--auth") auth = JSON.parse(argv[++i]);
    else if (argv[i] === "--namespace") nsp = argv[++i];
}

const say = (s) => process.stdout.write(s + "\n");
const socket = io(url + nsp, {
    transports: ["websocket"],
    reconnection: false,
    auth,
});
socket.io.on("ping", () => say("ping"));
socket.on("connect", () => {
    say("connected");
    for (const e of emits) socket.emit(...e);
    if (ack) socket.emit(...ack, (...a) => say("ack " + JSON.stringify(a)));
    // the close handshake has time to finish before the exit
    setTimeout(() => { socket.disconnect(); setTimeout(() => process.exit(0), 300); }, stay);
});
socket.onAny((name, ...a) => say("event " + name + " " + JSON.stringify(a)));
socket.on("connect_error", (e) => { say("connect_error " + e.message); process.exit(1); });
socket.on("disconnect", (r) => { say("disconnect " + r); setTimeout(() => process.exit(0), 300); });
setTimeout(() => { say("timeout"); process.exit(2); }, 15000);
