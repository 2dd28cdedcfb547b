// Socket.IO 4 server (npm "socket.io") for the wscli tests.
//
//   node sio-server.js [--port P] [--ping-interval MS] [--ping-timeout MS]
//                      [--quiet]
//
// Listens on 127.0.0.1:P (P = 0: any free port) with the websocket
// transport only, and prints the port on the first line of stdout. Every
// event a client emits is logged on stderr as "sio-server: < NAME JSON"
// (not with --quiet, for the benchmark), and each client's end as
// "sio-server: disconnect REASON".
// pingInterval is 700 ms unless given (pingTimeout 500 ms), so a test can
// see wscli answer several pings.
//
// The main namespace "/":
//   "echo" ...args          emitted back as "echo" with the same arguments
//   "sum" a b (ack)         acknowledged with a + b
//   "bin"                   answered with "bin" carrying binary attachments:
//                           Buffer [1,2,3] and {"name":"x","data":Buffer "hi"}
//   "question"              the server emits "question" "ready?" asking for an
//                           ack; the ack's arguments come back as "answer"
//   "bye"                   the server disconnects the socket
//   "stop"                  the server ends the whole engine (no pings)
// "/admin": connecting needs auth {"token":"s3cret"}, else CONNECT_ERROR
// "not authorized"; its "echo" works as the main one's.

const { Server } = require("socket.io");
const http = require("http");

const args = process.argv.slice(2);
let port = 0, pingInterval = 700, pingTimeout = 500, quiet = false;
for (let i = 0; i < args.length; i++) {
    if (args[i] === "--port") port = Number(args[++i]);
    else if (args[i] === "--ping-interval") pingInterval = Number(args[++i]);
    else if (args[i] === "--ping-timeout") pingTimeout = Number(args[++i]);
    else if (args[i] === "--quiet") quiet = true;
}

const httpServer = http.createServer();
const io = new Server(httpServer, {
    transports: ["websocket"],
    pingInterval,
    pingTimeout,
});

function handlers(socket) {
    if (!quiet) socket.onAny((name, ...rest) => {
        const shown = rest.filter((a) => typeof a !== "function");
        process.stderr.write(`sio-server: < ${name} ${JSON.stringify(shown)}\n`);
    });
    // "client namespace disconnect" when the client left, "transport
    // close" when its connection just closed
    if (!quiet) socket.on("disconnect", (reason) => {
        process.stderr.write(`sio-server: disconnect ${reason}\n`);
    });
    socket.on("echo", (...a) => {
        const fn = typeof a[a.length - 1] === "function" ? a.pop() : null;
        socket.emit("echo", ...a);
        if (fn) fn("echoed");
    });
    socket.on("sum", (a, b, fn) => {
        if (typeof fn === "function") fn(a + b);
    });
    socket.on("bin", () => {
        socket.emit("bin", Buffer.from([1, 2, 3]),
            { name: "x", data: Buffer.from("hi") });
    });
    socket.on("question", () => {
        socket.emit("question", "ready?", (...answer) => {
            socket.emit("answer", ...answer);
        });
    });
    socket.on("bye", () => socket.disconnect(true));
    socket.on("stop", () => {
        // the engine stops pinging: the client must notice the silence
        socket.conn.pingTimeoutTimer && clearTimeout(socket.conn.pingTimeoutTimer);
        clearTimeout(socket.conn.pingIntervalTimer);
        socket.conn.setPingTimeout = () => {};
        socket.conn.schedulePing = () => {};
    });
}

io.on("connection", handlers);
io.of("/admin").use((socket, next) => {
    if (socket.handshake.auth && socket.handshake.auth.token === "s3cret")
        next();
    else
        next(new Error("not authorized"));
});
io.of("/admin").on("connection", handlers);

httpServer.listen(port, "127.0.0.1", () => {
    process.stdout.write(`${httpServer.address().port}\n`);
});
