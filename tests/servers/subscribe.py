#!/usr/bin/python3
"""A subscription server (Python websockets, asyncio) for the wscli tests:
it sends nothing until a client subscribes, like the market-data and
notification feeds that --send and --on-connect exist for.

    /usr/bin/python3 subscribe.py [OPTIONS]

    --port P            listen on 127.0.0.1:P (default 0: any free port)
    --login TOKEN       a subscription needs {"op":"login","token":TOKEN}
                        first; a subscribe before it is refused with close
                        1008 "login first"
    --drop-after N      after the Nth update of a connection, drop its TCP
                        connection (no close frame)
    --interval MS       time between updates (default 50)

Messages from the client (text, JSON):
    {"op":"login","token":T}        answered {"ok":"login"}
    {"op":"subscribe","topic":T}    answered {"ok":"subscribe","topic":T},
                                    then updates "T 1", "T 2", ... every
                                    interval, numbered per connection
    anything else                   answered {"error":"unknown"}

Prints the port on the first line of stdout. Logs on stderr, one line each:
"subscribe.py: conn N: open", "subscribe.py: conn N: got MESSAGE",
"subscribe.py: conn N: dropped after K updates", "subscribe.py: conn N:
closed CODE" (N counts connections from 1).
"""

import argparse
import asyncio
import json
import sys

import websockets

count = 0


def log(msg):
    print("subscribe.py: " + msg, file=sys.stderr, flush=True)


def handler(opts):
    async def serve(ws, path=None):
        global count
        count += 1
        n, logged_in, feed = count, opts.login is None, None
        log("conn %d: open" % n)

        async def updates(topic):
            k = 0
            while True:
                await asyncio.sleep(opts.interval / 1000.0)
                k += 1
                await ws.send("%s %d" % (topic, k))
                if opts.drop_after and k >= opts.drop_after:
                    log("conn %d: dropped after %d updates" % (n, k))
                    ws.transport.abort()
                    return

        try:
            async for message in ws:
                log("conn %d: got %s" % (n, message))
                try:
                    m = json.loads(message)
                except ValueError:
                    m = {}
                op = m.get("op") if isinstance(m, dict) else None
                if op == "login":
                    logged_in = m.get("token") == opts.login or \
                        opts.login is None
                    await ws.send(json.dumps({"ok": "login"}))
                elif op == "subscribe":
                    if not logged_in:
                        await ws.close(1008, "login first")
                        break
                    topic = str(m.get("topic"))
                    await ws.send(json.dumps({"ok": "subscribe",
                                              "topic": topic}))
                    if feed is None:
                        feed = asyncio.ensure_future(updates(topic))
                else:
                    await ws.send(json.dumps({"error": "unknown"}))
        except websockets.ConnectionClosed:
            pass
        finally:
            if feed is not None:
                feed.cancel()
            log("conn %d: closed %s" % (n, ws.close_code))

    return serve


async def main(opts):
    server = await websockets.serve(handler(opts), "127.0.0.1", opts.port)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.wait_closed()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--login")
    p.add_argument("--drop-after", type=int, default=0)
    p.add_argument("--interval", type=int, default=50)
    asyncio.run(main(p.parse_args()))
