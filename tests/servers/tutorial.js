// The echo server as tutorials write it (the one wscli's README starts
// from): no 'error' handler on the socket. The ws package then throws on
// the first frame that breaks RFC 6455, and the process dies: one bad
// frame takes the whole server down. The probe must say so.
//
//   node tutorial.js [PORT]
//
// Prints the port on the first line of stdout (PORT 0 or none: any free
// port).

'use strict';

const WebSocket = require('ws');

const wss = new WebSocket.Server({ host: '127.0.0.1', port: Number(process.argv[2] || 0) });

wss.on('listening', () => console.log(wss.address().port));

wss.on('connection', (ws) => {
  ws.on('message', (message, isBinary) => {
    ws.send(message, { binary: isBinary });
  });
});
