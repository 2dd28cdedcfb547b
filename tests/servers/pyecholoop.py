#!/usr/bin/python3
"""A reconnect-and-echo client (Python websockets, asyncio) for wscli -l
--probe-clients: the same behaviour and output as echoloop.js.

    /usr/bin/python3 pyecholoop.py URL

Connects to URL, sends back every message it receives as it came, and
once the connection is over, however it ended, connects again; stops when
the server refuses the upgrade or cannot be reached, and after 200
connections or 60 s. Prints "N closed CODE", "N refused STATUS" or
"N error MESSAGE" per connection.
"""
import asyncio
import sys

import websockets


async def one(url, n):
    try:
        async with websockets.connect(url, compression=None,
                                      max_size=None) as ws:
            try:
                async for msg in ws:
                    await ws.send(msg)
            except websockets.ConnectionClosed:
                pass
            code = ws.close_code if ws.close_code is not None else 1006
            print(f"{n} closed {code}", flush=True)
            return True
    except websockets.InvalidStatus as e:
        print(f"{n} refused {e.response.status_code}", flush=True)
    except (websockets.InvalidHandshake, OSError) as e:
        print(f"{n} error {e}", flush=True)
    return False


async def main(url):
    for n in range(1, 201):
        if not await one(url, n):
            return


if len(sys.argv) != 2:
    print("usage: pyecholoop.py URL", file=sys.stderr)
    sys.exit(64)
try:
    asyncio.run(asyncio.wait_for(main(sys.argv[1]), 60))
except asyncio.TimeoutError:
    sys.exit(2)
