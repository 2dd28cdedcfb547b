// A STOMP-over-WebSocket broker (npm package "stomp-broker-js", a STOMP
// 1.1 broker on "ws") for the wscli tests.
//
//   node stomp-broker.js [--port P] [options]
//
// Listens on 127.0.0.1:P (P = 0: any free port), path /stomp, and prints
// the port on the first line of stdout. The first subprotocol offered is
// accepted (ws 5 does that by default). Options:
//
//   --heart-beat SX,SY   the broker's heart-beat header: it wants the
//                        client's beats at most every SY ms (then it
//                        sends none), or else sends its own every SX ms
//   --margin MS          how late a client's beat may be before the
//                        broker closes the connection (default 200)
//   --publish DEST BODY  every 100 ms, send BODY to DEST from the broker
//   --error-on-subscribe answer every SUBSCRIBE with an ERROR frame
//
// On stderr, one line per event, for the tests to wait on:
//   stomp-broker: connected HEADERS-AS-JSON
//   stomp-broker: send DEST BODY
//   stomp-broker: subscribe DEST id=ID
//   stomp-broker: unsubscribe ID
//   stomp-broker: heart-beat ok | heart-beat late, closing
//   stomp-broker: DISCONNECT frame, receipt R (the client said goodbye)
//   stomp-broker: disconnected

'use strict';

const http = require('http');
const StompServer = require('stomp-broker-js');

let port = 0;
let heartbeat = [0, 0];
let margin = 200;
let publish = null;
let errorOnSubscribe = false;

const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  switch (args[i]) {
  case '--port': port = Number(args[++i]); break;
  case '--heart-beat': heartbeat = args[++i].split(',').map(Number); break;
  case '--margin': margin = Number(args[++i]); break;
  case '--publish': publish = [args[++i], args[++i]]; break;
  case '--error-on-subscribe': errorOnSubscribe = true; break;
  default:
    process.stderr.write(`stomp-broker: unknown option ${args[i]}\n`);
    process.exit(2);
  }
}

const log = (s) => process.stderr.write(`stomp-broker: ${s}\n`);
const server = http.createServer();
const broker = new StompServer({
  server,
  path: '/stomp',
  heartbeat,
  heartbeatErrorMargin: margin,
  debug: (...a) => {
    const s = a.join(' ');
    if (s.startsWith('HEALTH CHECK ok')) log('heart-beat ok');
    else if (s.startsWith('HEALTH CHECK failed')) log('heart-beat late, closing');
  },
});

broker.on('connected', (id, headers) => log(`connected ${JSON.stringify(headers)}`));
broker.on('disconnected', () => log('disconnected'));
// The package ends a session the same way for a DISCONNECT frame and
// for a socket closed without one: only the frame has a receipt (or
// none), the socket's close a close code.
broker.addMiddleware('disconnect', (socket, receipt, next) => {
  if (typeof receipt !== 'number')
    log(`DISCONNECT frame, receipt ${receipt === undefined ? '-' : receipt}`);
  return next();
});
broker.on('send', (ev) => log(`send ${ev.dest} ${ev.frame.body}`));
broker.on('subscribe', (ev) => log(`subscribe ${ev.topic} id=${ev.id}`));
broker.on('unsubscribe', (ev) => log(`unsubscribe ${ev.id}`));
// The package leaves destination and message-id out of the MESSAGE
// frames it sends, which every STOMP version requires: put them in, so
// that the broker under test is a conforming one.
let msgId = 0;
const deliver = broker._sendToSubscriptions.bind(broker);
broker._sendToSubscriptions = (socket, a) => {
  a.frame.headers.destination = a.dest;
  a.frame.headers['message-id'] = String(++msgId);
  deliver(socket, a);
};
if (errorOnSubscribe)
  broker.setMiddleware('subscribe', () => false);

if (publish) {
  setInterval(() => broker.send(publish[0], {}, publish[1]), 100);
}

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
