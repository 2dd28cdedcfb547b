#!/usr/bin/python3
"""A WebSocket server for the --load tests, serving many connections at
once (asyncio), each as the scenario says:

    /usr/bin/python3 loadtarget.py PORT SCENARIO [ARG]

Listens on 127.0.0.1:PORT (0: any free port) and prints the port on the
first line of stdout. Connections are numbered from 1 in the order they
are accepted.

Scenarios:
    echo            every data frame echoed, a close answered
    half            every even-numbered connection is refused: numbers
                    2, 6, 10, ... with "503 Service Unavailable", 4, 8,
                    12, ... with a TCP reset once the request is in; the
                    others echo
    stall-upgrade   reads the upgrade request and never answers
    stall-after N   echoes the first N messages of each connection, then
                    reads nothing more and answers nothing (the
                    connection stays open)
    bad-frame       odd-numbered connections answer their first message
                    with a frame of the reserved opcode 0x3; the others
                    echo
    delay MS        echoes every message MS milliseconds after it came: a
                    round trip every client should measure alike

On stderr: "loadtarget: N connections" whenever a tenth more arrived.
"""

import asyncio
import base64
import hashlib
import socket
import struct
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
count = 0


def frame(opcode, payload, fin=True):
    n = len(payload)
    b0 = (0x80 if fin else 0) | opcode
    if n < 126:
        head = struct.pack("!BB", b0, n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, 126, n)
    else:
        head = struct.pack("!BBQ", b0, 127, n)
    return head + payload


async def read_frame(reader):
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", await reader.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", await reader.readexactly(8))[0]
    key = await reader.readexactly(4) if b1 & 0x80 else b"\0\0\0\0"
    data = bytearray(await reader.readexactly(n))
    for i in range(n):
        data[i] ^= key[i & 3]
    return b0 & 0x80, b0 & 0x0F, bytes(data)


async def read_request(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    key = b""
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            key = value.strip()
    return key


def answer_101(key):
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept +
            b"\r\n\r\n")


async def echo(reader, writer, limit=None, bad=False, delay=0.0):
    msgs = 0
    while True:
        fin, op, data = await read_frame(reader)
        if op == 8:
            writer.write(frame(8, data[:2]))
            await writer.drain()
            return
        if op == 9:
            writer.write(frame(10, data))
            continue
        if op in (0, 1, 2):
            if bad:
                writer.write(frame(3, b"x"))
                await writer.drain()
                bad = False
                continue
            if delay:
                await asyncio.sleep(delay)
            writer.write(frame(op, data, fin))
            if fin:
                msgs += 1
            await writer.drain()
            if limit is not None and msgs >= limit:
                await asyncio.Event().wait()  # stall: forever


async def serve(reader, writer):
    global count
    count += 1
    n = count
    if n % 10 == 0:
        print(f"loadtarget: {n} connections", file=sys.stderr, flush=True)
    scenario = sys.argv[2]
    try:
        key = await read_request(reader)
        if scenario == "stall-upgrade":
            await asyncio.Event().wait()
        if scenario == "half" and n % 4 == 2:
            writer.write(b"HTTP/1.1 503 Service Unavailable\r\n"
                         b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        if scenario == "half" and n % 4 == 0:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            writer.transport.abort()
            return
        writer.write(answer_101(key))
        await writer.drain()
        if scenario == "stall-after":
            await echo(reader, writer, limit=int(sys.argv[3]))
        elif scenario == "delay":
            await echo(reader, writer, delay=float(sys.argv[3]) / 1000)
        else:
            await echo(reader, writer, bad=scenario == "bad-frame" and
                       n % 2 == 1)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        if not writer.transport.is_closing():
            writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]),
                                        backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
