#!/usr/bin/python3
"""WebSocket echo server (Python websockets, asyncio) for the wscli tests.

    /usr/bin/python3 pyecho.py PORT

Listens on 127.0.0.1:PORT (0: any free port), prints the port on the first
line of stdout, and echoes every message back with its type (text or binary).
No limit on message size.
"""

import asyncio
import sys

import websockets


async def echo(ws, path=None):
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def main(port):
    server = await websockets.serve(echo, "127.0.0.1", port, max_size=None)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
