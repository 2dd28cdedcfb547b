// The official Socket.IO client doing what tests/bench/socketio.sh has
// wscli do, against the same server:
//
//   node sio-client.js URL ack N      N lockstep round trips: emit "sum"
//                                     with an ack, wait for it, emit the
//                                     next
//   node sio-client.js URL echo N     N "echo" events emitted at once,
//                                     until all N echoes are back
//
// Prints "ok N" when done and exits; socket.io-client comes from
// tests/servers/node_modules (NODE_PATH).
const { io } = require("socket.io-client");

const [url, mode, ns] = process.argv.slice(2);
const n = Number(ns);
const socket = io(url, { transports: ["websocket"], reconnection: false });
const done = () => {
    process.stdout.write(`ok ${n}\n`);
    socket.disconnect();
    process.exit(0);
};
socket.on("connect", () => {
    if (mode === "ack") {
        let i = 0;
        const next = () => {
            if (i === n) return done();
            socket.emit("sum", i, 1, (r) => {
                if (r !== i + 1) { console.error("bad ack", r); process.exit(1); }
                i++;
                next();
            });
        };
        next();
    } else {
        let got = 0;
        socket.on("echo", () => { if (++got === n) done(); });
        for (let i = 0; i < n; i++) socket.emit("echo", i, "x".repeat(32));
    }
});
socket.on("connect_error", (e) => { console.error(e.message); process.exit(1); });
