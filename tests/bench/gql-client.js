// The graphql-ws library's own client (Node, npm "graphql-ws" over "ws"),
// doing what wscli --proto graphql does in a pipe: each stdin line is one
// operation, each "next" payload is written to stdout as one JSON line,
// errors to stderr; it ends when every operation completed and stdin
// ended. For tests/bench/graphql.sh, which measures both.
//
//   node gql-client.js URL < operations
//
// With GQL_KEEPALIVE=MS it pings every MS ms and logs each pong on stderr
// ("gql-client: pong"); the tests use it as the client of wscli -l.

'use strict';

const path = require('path');
const mods = path.join(__dirname, '..', 'servers', 'node_modules');
const { createClient } = require(path.join(mods, 'graphql-ws'));
const WebSocket = require(path.join(mods, 'ws'));

const client = createClient({
	url: process.argv[2],
	webSocketImpl: WebSocket,
	lazy: false,
	retryAttempts: 0,
	keepAlive: Number(process.env.GQL_KEEPALIVE || 0),
	on: {
		pong: (received) => {
			if (received)
				process.stderr.write('gql-client: pong\n');
		},
		closed: (e) => {
			if (e && e.code !== 1000)
				process.stderr.write(`gql-client: closed ${e.code} ${e.reason}\n`);
		},
	},
});

let running = 0, inputDone = false, failed = false;
const out = [];
let flushing = false;

function flush() {
	if (out.length === 0 || flushing)
		return;
	const s = out.join('');
	out.length = 0;
	flushing = !process.stdout.write(s, () => {});
	if (flushing)
		process.stdout.once('drain', () => { flushing = false; flush(); });
}

function finish() {
	if (running > 0 || !inputDone)
		return;
	flush();
	client.dispose();
	process.stdout.write('', () => process.exit(failed ? 1 : 0));
}

let rest = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
	const lines = (rest + chunk).split('\n');
	rest = lines.pop();
	for (const l of lines)
		operation(l);
});
process.stdin.on('end', () => {
	if (rest !== '')
		operation(rest);
	inputDone = true;
	finish();
});

function operation(line) {
	line = line.trim();
	if (line === '')
		return;
	let payload;
	try { payload = JSON.parse(line); } catch (e) { payload = { query: line }; }
	running++;
	client.subscribe(payload, {
		next: (v) => { out.push(JSON.stringify(v) + '\n'); if (out.length >= 256) flush(); },
		error: (e) => {
			failed = true;
			process.stderr.write(`gql-client: ${JSON.stringify(e.message || e)}\n`);
			running--;
			finish();
		},
		complete: () => { running--; finish(); },
	});
}
setInterval(flush, 5);
