// WebSocket echo server (npm package "ws") for the wscli tests.
//
//   node echo.js [--port P] [options]
//
// Listens on 127.0.0.1:P (P = 0: any free port) and prints the port on the
// first line of stdout. Every message is echoed back with its type (text or
// binary). Options change the behaviour for one test each:
//
//   --close-after-connect CODE REASON  close right after the handshake
//   --send-on-connect MSG              send MSG (text) right after the handshake
//   --flood                            send numbered text messages without end
//   --flood-pings                      send numbered pings without end
//   --log-messages                     log every text message received on
//                                      stderr ("echo.js: received: TEXT")
//   --drop-after N                     echo the Nth message, then destroy the
//                                      TCP connection (no close frame)
//   --slow MS                          slow reader: stop reading the socket for
//                                      MS ms, read for 10 ms, and so on
//   --protocols                        accept the first subprotocol offered
//                                      (by default none is chosen)
//   --deflate                          accept permessage-deflate and compress
//                                      every message (threshold 0)
//   --deflate-no-context-takeover      --deflate, agreeing
//                                      server_no_context_takeover
//   --deflate-window BITS              --deflate, agreeing
//                                      server_max_window_bits=BITS
//   --deflate-threshold N              --deflate, but messages smaller than
//                                      N bytes go out uncompressed
//
// For every connection the request's Sec-WebSocket-Extensions and the
// extensions agreed are logged on stderr:
//
//   echo.js: extensions offered: permessage-deflate; client_max_window_bits
//   echo.js: negotiated: permessage-deflate; server_no_context_takeover
//
// ("-" when there are none). Without a --deflate option no extension is
// ever agreed.

'use strict';

const { WebSocketServer } = require('ws');

const opt = { port: 0, deflate: false, threshold: 0 };
// The perMessageDeflate options, created by the first --deflate* option.
// The threshold is applied per message in send(): ws's own threshold only
// counts when context takeover is off.
function deflate() {
  if (!opt.deflate) opt.deflate = { threshold: 0 };
  return opt.deflate;
}
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  switch (argv[i]) {
    case '--port': opt.port = Number(argv[++i]); break;
    case '--close-after-connect':
      opt.closeCode = Number(argv[++i]);
      opt.closeReason = argv[++i] || '';
      break;
    case '--send-on-connect': opt.sendOnConnect = argv[++i]; break;
    case '--flood': opt.flood = true; break;
    case '--flood-pings': opt.floodPings = true; break;
    case '--log-messages': opt.logMessages = true; break;
    case '--drop-after': opt.dropAfter = Number(argv[++i]); break;
    case '--slow': opt.slow = Number(argv[++i]); break;
    case '--protocols': opt.protocols = true; break;
    case '--deflate': deflate(); break;
    case '--deflate-no-context-takeover':
      deflate().serverNoContextTakeover = true;
      break;
    case '--deflate-window':
      deflate().serverMaxWindowBits = Number(argv[++i]);
      break;
    case '--deflate-threshold':
      deflate();
      opt.threshold = Number(argv[++i]);
      break;
    default:
      console.error(`echo.js: unknown argument: ${argv[i]}`);
      process.exit(2);
  }
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: opt.port,
  maxPayload: 512 * 1024 * 1024,
  perMessageDeflate: opt.deflate,
  handleProtocols: (protocols) =>
    opt.protocols ? protocols.values().next().value : false,
});

wss.on('listening', () => console.log(String(wss.address().port)));

// ws reports only the names of the agreed extensions: keep the header.
wss.on('headers', (headers, req) => {
  const h = headers.find((l) => /^sec-websocket-extensions:/i.test(l));
  req.negotiated = h ? h.replace(/^[^:]*:\s*/, '') : '-';
});

// Send one message; with --deflate-threshold N, compress it only when it
// is at least N bytes long.
function send(ws, data, options, cb) {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  ws.send(data, { ...options, compress: size >= opt.threshold }, cb);
}

wss.on('connection', (ws, req) => {
  let received = 0;

  console.error('echo.js: extensions offered: ' +
    (req.headers['sec-websocket-extensions'] || '-'));
  console.error(`echo.js: negotiated: ${req.negotiated || '-'}`);

  ws.on('message', (data, isBinary) => {
    received++;
    if (opt.logMessages && !isBinary) console.error(`echo.js: received: ${data}`);
    if (opt.dropAfter !== undefined && received >= opt.dropAfter) {
      send(ws, data, { binary: isBinary }, () => ws._socket.destroy());
    } else {
      send(ws, data, { binary: isBinary });
    }
  });
  ws.on('error', (err) => console.error(`echo.js: ${err.message}`));

  if (opt.sendOnConnect !== undefined) send(ws, opt.sendOnConnect, {});

  if (opt.closeCode !== undefined) {
    ws.close(opt.closeCode, opt.closeReason);
    return;
  }

  if (opt.flood || opt.floodPings) {
    let n = 0;
    // At most 1000 messages per turn, so that the server keeps serving
    // other connections; pause while 1 MiB waits to be sent.
    const pump = () => {
      for (let i = 0; i < 1000; i++) {
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount > 1024 * 1024) break;
        if (opt.floodPings) ws.ping(`ping ${++n}`);
        else send(ws, `message ${++n}`, {});
      }
      if (ws.readyState === ws.OPEN) {
        setTimeout(pump, ws.bufferedAmount > 1024 * 1024 ? 5 : 0);
      }
    };
    pump();
  }

  if (opt.slow) {
    let timer;
    const pause = () => {
      ws._socket.pause();
      timer = setTimeout(resume, opt.slow);
    };
    const resume = () => {
      ws._socket.resume();
      timer = setTimeout(pause, 10);
    };
    pause();
    ws.on('close', () => clearTimeout(timer));
  }
});
