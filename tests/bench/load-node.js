// The load client one would write by hand with the npm package "ws", for
// tests/bench/load.sh: the same work as
//   wscli --load URL --connections N --send 'm {n} {conn}' \
//       --msg-rate lockstep -n M
// N connections (RATE a second, else all at once), each sending M text
// messages in lockstep
// with their echoes (the next once the last came back), then closing with
// 1000. Times are taken with process.hrtime and the percentiles computed
// exactly from every sample (nearest rank).
//
//   node load-node.js URL N M [RATE]
//
// Prints one line of key=value pairs: opened, failed, open_s (time until the
// last connection opened), total_s, echoes, msgs_per_s, connect_p50_ms,
// connect_p99_ms, rtt_p50_ms, rtt_p90_ms, rtt_p99_ms, rtt_max_ms,
// session_p50_ms, session_p99_ms (from the start of the connection to the
// last echo, as Artillery times a virtual user's session).

'use strict';

const path = require('path');
const WebSocket = require(path.join(__dirname, '..', 'servers', 'node_modules', 'ws'));

const [url, n, m] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const rate = Number(process.argv[5] || 0);
const t0 = process.hrtime.bigint();
const ms = (a, b) => Number(b - a) / 1e6;
const connect = [];
const rtt = [];
const session = [];
let opened = 0, failed = 0, over = 0, lastOpen = t0;

function pct(a, p) {
  if (a.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(p / 100 * a.length));
  return a[rank - 1];
}

function done() {
  const end = process.hrtime.bigint();
  connect.sort((x, y) => x - y);
  rtt.sort((x, y) => x - y);
  session.sort((x, y) => x - y);
  const total = ms(t0, end) / 1000;
  const f = (x) => x.toFixed(3);
  console.log([
    `opened=${opened}`, `failed=${failed}`,
    `open_s=${f(ms(t0, lastOpen) / 1000)}`, `total_s=${f(total)}`,
    `echoes=${rtt.length}`, `msgs_per_s=${Math.round(rtt.length / total)}`,
    `connect_p50_ms=${f(pct(connect, 50))}`, `connect_p99_ms=${f(pct(connect, 99))}`,
    `rtt_p50_ms=${f(pct(rtt, 50))}`, `rtt_p90_ms=${f(pct(rtt, 90))}`,
    `rtt_p99_ms=${f(pct(rtt, 99))}`, `rtt_max_ms=${f(pct(rtt, 100))}`,
    `session_p50_ms=${f(pct(session, 50))}`, `session_p99_ms=${f(pct(session, 99))}`,
  ].join(' '));
}

function end() {
  if (++over === n) done();
}

function open(c) {
  const start = process.hrtime.bigint();
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let k = 0, sentAt = 0n, expect = '', isOpen = false;
  const send = () => {
    k++;
    expect = `m ${k} ${c}`;
    sentAt = process.hrtime.bigint();
    ws.send(expect);
  };
  ws.on('open', () => {
    isOpen = true;
    opened++;
    lastOpen = process.hrtime.bigint();
    connect.push(ms(start, lastOpen));
    if (m > 0) send(); else ws.close(1000);
  });
  ws.on('message', (data) => {
    if (String(data) === expect) rtt.push(ms(sentAt, process.hrtime.bigint()));
    if (k < m) {
      send();
    } else {
      session.push(ms(start, process.hrtime.bigint()));
      ws.close(1000);
    }
  });
  ws.on('error', () => { if (!isOpen) failed++; });
  ws.on('close', end);
}

for (let c = 1; c <= n; c++) {
  if (rate > 0) setTimeout(() => open(c), (c - 1) * 1000 / rate);
  else open(c);
}
