// A reconnect-and-echo client (npm package "ws") for wscli -l --probe-clients:
//
//   node echoloop.js URL
//
// Connects to URL, sends back every message it receives as it came (text
// as text, binary as binary), and once the connection is over, however it
// ended, connects again at once; stops when the server refuses the upgrade
// (wscli answers 503 once every case has had its connection) or cannot be
// reached, and after 200 connections or 60 s whatever happens. Prints one
// line per connection: "N closed CODE" or "N error MESSAGE".

'use strict';

const WebSocket = require('ws');

const url = process.argv[2];
if (!url) {
  console.error('usage: node echoloop.js URL');
  process.exit(64);
}
setTimeout(() => process.exit(2), 60000).unref();

let n = 0;
function connect() {
  if (++n > 200) process.exit(0);
  const ws = new WebSocket(url);
  let refused = false;
  ws.on('message', (data, isBinary) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary: isBinary });
  });
  ws.on('unexpected-response', (req, res) => {
    refused = true;
    console.log(`${n} refused ${res.statusCode}`);
    process.exit(0);
  });
  ws.on('error', (e) => {
    console.log(`${n} error ${e.message}`);
    if (e.code === 'ECONNREFUSED') process.exit(0);
  });
  ws.on('close', (code) => {
    if (refused) return;
    console.log(`${n} closed ${code}`);
    setImmediate(connect);
  });
}
connect();
