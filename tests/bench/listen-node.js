// listen-node.js - the Node "ws" echo server beside wscli -l --echo in
// tests/bench/listen.sh: what a user would write, with the listening
// backlog wscli uses (the kernel's somaxconn) so that both meet the same
// burst of connections, and no permessage-deflate.
//
//   node listen-node.js     prints "listening on 127.0.0.1:PORT" on stderr
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');

const server = http.createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  process.stderr.write(`listening on 127.0.0.1:${server.address().port}\n`);
});
