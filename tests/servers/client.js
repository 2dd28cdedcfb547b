// WebSocket client (npm package "ws") for the wscli tests: a real peer for
// wscli's listen mode, or a reference client against the test servers.
//
//   node client.js URL [--deflate] [-s PROTO]... [--send MSG]...
//                  [--binary-hex HEX]... [--close CODE REASON] [--expect N]
//
// Connects to URL (offering permessage-deflate only with --deflate, and each
// -s PROTO as a subprotocol), prints
//
//   open <protocol> <extensions>     ("-" for none)
//
// (the protocol, and the response's Sec-WebSocket-Extensions as sent) then
// sends the --send (text) and --binary-hex (binary) messages in the order
// given, prints every message received (until the close completes) as
//
//   text <msg>                       or   binary <hex>
//
// and once N messages have arrived (at once without --expect) closes with
// CODE and REASON (default 1000, no reason), printing
//
//   close <code> <reason>
//
// (the code and reason of the peer's close frame) when the closing
// handshake completes, whoever started it; exit 0. A connection lost
// without one prints "close 1006 " and exits 1. Any error prints
// "error <message>" and exits 1; a hard 10 s timer exits 2. The response
// headers and pings go to stderr as "client.js: ...".

'use strict';

const WebSocket = require('ws');

function usage(msg) {
  console.error(`client.js: ${msg}`);
  console.error('usage: node client.js URL [--deflate] [-s PROTO]... ' +
    '[--send MSG]... [--binary-hex HEX]... [--close CODE REASON] ' +
    '[--expect N]');
  process.exit(2);
}

const opt = { protocols: [], out: [], closeCode: 1000, closeReason: '',
  expect: 0, deflate: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const need = (n) => {
    if (i + n >= argv.length) usage(`${argv[i]} needs ${n} argument(s)`);
  };
  switch (argv[i]) {
    case '--deflate': opt.deflate = true; break;
    case '-s': need(1); opt.protocols.push(argv[++i]); break;
    case '--send': need(1); opt.out.push({ data: argv[++i], binary: false }); break;
    case '--binary-hex': {
      need(1);
      const hex = argv[++i].replace(/\s+/g, '');
      if (!/^([0-9a-fA-F]{2})*$/.test(hex)) usage(`bad hex: ${hex}`);
      opt.out.push({ data: Buffer.from(hex, 'hex'), binary: true });
      break;
    }
    case '--close':
      need(2);
      opt.closeCode = Number(argv[++i]);
      opt.closeReason = argv[++i];
      break;
    case '--expect': need(1); opt.expect = Number(argv[++i]); break;
    default:
      if (opt.url === undefined && !argv[i].startsWith('-')) opt.url = argv[i];
      else usage(`unknown argument: ${argv[i]}`);
  }
}
if (opt.url === undefined) usage('no URL');

const timer = setTimeout(() => {
  console.log('error timeout after 10 s');
  process.exit(2);
}, 10000);

function fail(msg) {
  console.log(`error ${msg}`);
  process.exit(1);
}

let ws;
try {
  ws = new WebSocket(opt.url, opt.protocols, {
    perMessageDeflate: opt.deflate,
    handshakeTimeout: 5000,
  });
} catch (e) {
  fail(e.message);
}

let received = 0;
let closing = false;
let agreed = '-'; // the response's Sec-WebSocket-Extensions, parameters too

function closeNow() {
  if (closing) return;
  closing = true;
  try {
    ws.close(opt.closeCode, opt.closeReason);
  } catch (e) {
    fail(e.message);
  }
}

ws.on('upgrade', (res) => {
  agreed = res.headers['sec-websocket-extensions'] || '-';
  console.error(`client.js: ${res.statusCode} ${res.statusMessage}`);
  for (let i = 0; i < res.rawHeaders.length; i += 2)
    console.error(`client.js: header: ${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
});

ws.on('unexpected-response', (req, res) =>
  fail(`unexpected response ${res.statusCode} ${res.statusMessage}`));

ws.on('open', () => {
  console.log(`open ${ws.protocol || '-'} ${agreed}`);
  for (const m of opt.out) ws.send(m.data, { binary: m.binary });
  if (opt.expect <= 0) closeNow();
});

ws.on('message', (data, isBinary) => {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  console.log(isBinary ? `binary ${buf.toString('hex')}` : `text ${buf.toString()}`);
  if (++received >= opt.expect) closeNow();
});

ws.on('ping', (data) => console.error(`client.js: ping ${data.toString('hex')}`));

ws.on('error', (err) => fail(err.message));

ws.on('close', (code, reason) => {
  clearTimeout(timer);
  console.log(`close ${code} ${reason.toString()}`);
  // 1006: the connection ended without a closing handshake
  process.exit(code === 1006 ? 1 : 0);
});
