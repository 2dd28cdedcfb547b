// A WebSocket client written with the npm package "ws", as one would write
// it by hand: connect, send each line of stdin as a text message, print each
// message received on its own line; with --binary send all of stdin as one
// binary message and write the echo as it is. Closes once every message sent
// has been answered.
//
//   node node-client.js URL [--binary] [--deflate]
//
// --deflate offers permessage-deflate (ws's perMessageDeflate, as a browser
// offers it) and compresses every message sent, however small, as wscli
// does (threshold 0: ws's default of 1 KiB applies only without context
// takeover, but this makes it explicit). Without it nothing is offered.

'use strict';

const path = require('path');
const readline = require('readline');
const WebSocket = require(path.join(__dirname, '..', 'servers', 'node_modules', 'ws'));

const url = process.argv[2];
const binary = process.argv.includes('--binary');
const deflate = process.argv.includes('--deflate');

// maxPayload 0: no limit on received messages (the default is 100 MiB).
const ws = new WebSocket(url, {
  maxPayload: 0,
  perMessageDeflate: deflate ? { threshold: 0 } : false,
});

let sent = 0;
let received = 0;
let inputDone = false;

function maybeClose() {
  if (inputDone && received >= sent) ws.close(1000);
}

ws.on('open', () => {
  if (deflate && !ws.extensions.includes('permessage-deflate')) {
    console.error('node-client: the server did not accept permessage-deflate');
    process.exitCode = 1;
  }
  if (binary) {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => {
      ws.send(Buffer.concat(chunks), { binary: true });
      sent++;
      inputDone = true;
    });
    return;
  }
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    ws.send(line);
    sent++;
  });
  rl.on('close', () => {
    inputDone = true;
    maybeClose();
  });
});

ws.on('message', (data, isBinary) => {
  received++;
  if (isBinary) process.stdout.write(data);
  else process.stdout.write(data + '\n');
  maybeClose();
});

ws.on('error', (err) => {
  console.error(`node-client: ${err.message}`);
  process.exitCode = 1;
});
