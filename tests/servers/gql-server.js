// GraphQL over WebSocket server for the wscli tests: npm "graphql-ws"
// (graphql-transport-ws) with "graphql" and "ws".
//
//   node gql-server.js [--port P] [options]
//
// Listens on 127.0.0.1:P (P = 0: any free port) and prints the port on the
// first line of stdout. Every message a client sends is logged on stderr
// as "gql-server: < MESSAGE", so a test can see what wscli sent.
//
// The schema:
//   type Query { hello: String, add(a: Int!, b: Int!): Int, fail: Int }
//   type Subscription {
//     tick(n: Int = 3, ms: Int = 20): Int   # 1 .. n, one every ms (0: at
//                                           # once), then complete
//     boom: Int                            # one value, then an error
//   }
// "fail" resolves with an error (a next whose payload has "errors"); an
// operation that does not validate gets an "error" message.
//
// Options:
//   --token T      connection_init must carry {"token":"T"}, else the
//                  server closes with 4403 Forbidden
//   --no-ack       never send connection_ack (connection_init is left
//                  waiting)
//   --ping MS      send a GraphQL {"type":"ping"} every MS ms after the ack
//                  (logged: "gql-server: pong received")
//   --init-wait MS graphql-ws's connectionInitWaitTimeout (closes 4408
//                  when no connection_init came in time)
//   --legacy       speak the legacy "graphql-ws" subprotocol of
//                  subscriptions-transport-ws instead (connection_ack,
//                  start/data/error/complete/stop, "ka" every --ka MS ms).
//                  graphql-ws 6 only has graphql-transport-ws, and the
//                  old subscriptions-transport-ws package is unmaintained,
//                  so that side is written here on graphql's own
//                  subscribe() and execute().
//   --ka MS        legacy keep-alive interval (default 0: none)
//   --script       not a GraphQL server at all: a scripted peer for the
//                  violation tests. It accepts any GraphQL subprotocol,
//                  answers connection_init with connection_ack (unless
//                  --no-ack) and then sends every --say MSG in order, and
//                  on each subscribe every --on-subscribe MSG with "$ID"
//                  replaced by the operation's id; --close CODE [REASON]
//                  closes after the ack. --on-init MSG is sent on
//                  connection_init before the ack, --say-binary TEXT
//                  as a binary message after it.

'use strict';

const http = require('http');
const { WebSocketServer } = require('ws');
const {
	GraphQLSchema, GraphQLObjectType, GraphQLString, GraphQLInt,
	GraphQLNonNull, parse, validate, execute, subscribe,
} = require('graphql');
const { useServer } = require('graphql-ws/use/ws');

const args = process.argv.slice(2);
const opt = {
	port: 0, token: null, noAck: false, ping: 0, initWait: 3000,
	legacy: false, ka: 0, script: false, say: [], onSubscribe: [],
	onInit: [], sayBinary: [], close: null,
};
for (let i = 0; i < args.length; i++) {
	switch (args[i]) {
	case '--port': opt.port = Number(args[++i]); break;
	case '--token': opt.token = args[++i]; break;
	case '--no-ack': opt.noAck = true; break;
	case '--ping': opt.ping = Number(args[++i]); break;
	case '--init-wait': opt.initWait = Number(args[++i]); break;
	case '--legacy': opt.legacy = true; break;
	case '--ka': opt.ka = Number(args[++i]); break;
	case '--script': opt.script = true; break;
	case '--say': opt.say.push(args[++i]); break;
	case '--on-subscribe': opt.onSubscribe.push(args[++i]); break;
	case '--on-init': opt.onInit.push(args[++i]); break;
	case '--say-binary': opt.sayBinary.push(args[++i]); break;
	case '--close':
		opt.close = { code: Number(args[++i]), reason: '' };
		if (i + 1 < args.length && !args[i + 1].startsWith('--'))
			opt.close.reason = args[++i];
		break;
	default:
		console.error(`gql-server: unknown option ${args[i]}`);
		process.exit(2);
	}
}

const log = (s) => process.stderr.write(`gql-server: ${s}\n`);
const sleep = (ms) => new Promise((r) => ms > 0 ? setTimeout(r, ms) :
	setImmediate(r));

const schema = new GraphQLSchema({
	query: new GraphQLObjectType({
		name: 'Query',
		fields: {
			hello: { type: GraphQLString, resolve: () => 'world' },
			add: {
				type: GraphQLInt,
				args: {
					a: { type: new GraphQLNonNull(GraphQLInt) },
					b: { type: new GraphQLNonNull(GraphQLInt) },
				},
				resolve: (_, { a, b }) => a + b,
			},
			fail: {
				type: GraphQLInt,
				resolve: () => { throw new Error('fail resolved with an error'); },
			},
		},
	}),
	subscription: new GraphQLObjectType({
		name: 'Subscription',
		fields: {
			tick: {
				type: GraphQLInt,
				args: {
					n: { type: GraphQLInt, defaultValue: 3 },
					ms: { type: GraphQLInt, defaultValue: 20 },
				},
				subscribe: async function* (_, { n, ms }) {
					for (let i = 1; i <= n; i++) {
						// without a pause now and then a fast
						// ticker would starve the socket
						if (ms > 0 || i % 256 === 0)
							await sleep(ms);
						yield { tick: i };
					}
				},
			},
			boom: {
				type: GraphQLInt,
				subscribe: async function* () {
					yield { boom: 1 };
					throw new Error('boom');
				},
			},
		},
	}),
});

const server = http.createServer((req, res) => {
	res.writeHead(426);
	res.end();
});

function protocols(offered, want) {
	for (const p of offered)
		if (want.includes(p))
			return p;
	return false;
}

const wss = new WebSocketServer({
	server,
	handleProtocols: (offered) => protocols(offered, opt.script ?
		['graphql-transport-ws', 'graphql-ws'] :
		opt.legacy ? ['graphql-ws'] : ['graphql-transport-ws']),
});

wss.on('connection', (ws, req) => {
	log(`connected, subprotocol ${ws.protocol || '-'}`);
	ws.on('message', (data) => log(`< ${data}`));
	ws.on('close', (code, reason) => log(`closed ${code} ${reason}`));
});

function sendRaw(ws, s) {
	if (ws.readyState === ws.OPEN)
		ws.send(s);
}

if (opt.script) {
	wss.on('connection', (ws) => {
		ws.on('message', (data) => {
			let m;
			try { m = JSON.parse(data); } catch (e) { return; }
			if (m.type === 'connection_init') {
				for (const s of opt.onInit)
					sendRaw(ws, s);
				if (opt.noAck)
					return;
				sendRaw(ws, '{"type":"connection_ack"}');
				for (const s of opt.say)
					sendRaw(ws, s);
				for (const s of opt.sayBinary)
					sendRaw(ws, Buffer.from(s));
				if (opt.close)
					ws.close(opt.close.code, opt.close.reason);
			} else if (m.type === 'subscribe' || m.type === 'start') {
				for (const s of opt.onSubscribe)
					sendRaw(ws, s.split('$ID').join(String(m.id)));
			}
		});
	});
} else if (opt.legacy) {
	wss.on('connection', (ws) => legacyConnection(ws));
} else {
	wss.on('connection', (ws) => {
		ws.on('message', (data) => {
			if (String(data).includes('"pong"'))
				log('pong received');
		});
	});
	useServer({
		schema,
		connectionInitWaitTimeout: opt.initWait,
		onConnect: (ctx) => {
			const p = ctx.connectionParams || {};
			if (opt.token !== null && p.token !== opt.token)
				return false;
			if (opt.noAck)
				return new Promise(() => {});
			if (opt.ping > 0) {
				const t = setInterval(() =>
					sendRaw(ctx.extra.socket, '{"type":"ping"}'), opt.ping);
				ctx.extra.socket.on('close', () => clearInterval(t));
			}
			return true;
		},
	}, wss, 0);
}

// The legacy protocol: connection_init/connection_ack, start -> data ...
// complete, stop, error for an operation that does not validate,
// connection_terminate, "ka" keep-alives.
function legacyConnection(ws) {
	const ops = new Map();
	let acked = false, ka = null;

	const send = (o) => sendRaw(ws, JSON.stringify(o));
	ws.on('close', () => {
		if (ka)
			clearInterval(ka);
		for (const it of ops.values())
			if (it && it.return)
				it.return();
	});
	ws.on('message', async (data) => {
		let m;
		try { m = JSON.parse(data); } catch (e) {
			send({ type: 'connection_error', payload: { message: 'not JSON' } });
			return;
		}
		switch (m.type) {
		case 'connection_init':
			if (opt.token !== null && (m.payload || {}).token !== opt.token) {
				send({ type: 'connection_error', payload: { message: 'Forbidden' } });
				ws.close(1011, 'Forbidden');
				return;
			}
			if (opt.noAck)
				return;
			acked = true;
			send({ type: 'connection_ack' });
			if (opt.ka > 0) {
				send({ type: 'ka' });
				ka = setInterval(() => send({ type: 'ka' }), opt.ka);
			}
			return;
		case 'start': {
			if (!acked)
				return;
			const id = m.id, p = m.payload || {};
			let doc;
			try { doc = parse(p.query); } catch (e) {
				send({ type: 'error', id, payload: { message: e.message } });
				return;
			}
			const errors = validate(schema, doc);
			if (errors.length) {
				send({ type: 'error', id, payload: errors.map((e) => ({ message: e.message })) });
				return;
			}
			const a = { schema, document: doc, variableValues: p.variables,
				operationName: p.operationName };
			const r = doc.definitions.some((d) => d.operation === 'subscription') ?
				await subscribe(a) : await execute(a);
			if (r[Symbol.asyncIterator]) {
				ops.set(id, r);
				try {
					for await (const v of r)
						send({ type: 'data', id, payload: v });
				} catch (e) {
					send({ type: 'error', id, payload: { message: e.message } });
					ops.delete(id);
					return;
				}
			} else {
				send({ type: 'data', id, payload: r });
			}
			if (ops.get(id) !== null)
				send({ type: 'complete', id });
			ops.delete(id);
			return;
		}
		case 'stop': {
			const it = ops.get(m.id);
			if (it) {
				ops.set(m.id, null);
				it.return();
			}
			return;
		}
		case 'connection_terminate':
			ws.close(1000);
			return;
		}
	});
}

server.listen(opt.port, '127.0.0.1', () => {
	console.log(server.address().port);
});
for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => process.exit(0));
