#!/usr/bin/python3
"""Minimal SOCKS5 proxy (RFC 1928, CONNECT only) for the wscli tests.

    /usr/bin/python3 socks5.py PORT [USER:PASS]

Listens on 127.0.0.1:PORT (0: any free port) and prints the port on the
first line of stdout. Without USER:PASS it offers "no authentication"; with
it, only username/password authentication (RFC 1929). Each request is logged
on stderr as "socks5: CONNECT HOST:PORT (ATYP)" where ATYP is ipv4, domain
or ipv6, followed by "socks5: ok" or "socks5: failed: ...";
authentication results are logged as "socks5: auth ok" / "socks5: auth failed".
"""

import asyncio
import ipaddress
import socket
import struct
import sys

CREDENTIALS = None


def log(msg):
    print("socks5: " + msg, file=sys.stderr, flush=True)


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except OSError:
            pass


def reply(code, bind=("0.0.0.0", 0)):
    return (struct.pack("!BBBB", 5, code, 0, 1)
            + socket.inet_aton(bind[0]) + struct.pack("!H", bind[1]))


async def handle(reader, writer):
    try:
        ver, nmethods = await reader.readexactly(2)
        methods = await reader.readexactly(nmethods)
        if ver != 5:
            log("not SOCKS5: version %d" % ver)
            writer.close()
            return
        want = 2 if CREDENTIALS else 0
        if want not in methods:
            log("no acceptable method in %r" % list(methods))
            writer.write(b"\x05\xff")
            await writer.drain()
            writer.close()
            return
        writer.write(bytes([5, want]))
        if want == 2:
            _, ulen = await reader.readexactly(2)
            user = (await reader.readexactly(ulen)).decode("latin-1")
            (plen,) = await reader.readexactly(1)
            password = (await reader.readexactly(plen)).decode("latin-1")
            if (user, password) != CREDENTIALS:
                log("auth failed for %r" % user)
                writer.write(b"\x01\x01")
                await writer.drain()
                writer.close()
                return
            log("auth ok")
            writer.write(b"\x01\x00")
        ver, cmd, _, atyp = await reader.readexactly(4)
        if atyp == 1:
            host = socket.inet_ntoa(await reader.readexactly(4))
            kind = "ipv4"
        elif atyp == 3:
            (n,) = await reader.readexactly(1)
            host = (await reader.readexactly(n)).decode("idna")
            kind = "domain"
        elif atyp == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
            kind = "ipv6"
        else:
            log("bad address type %d" % atyp)
            writer.write(reply(8))
            writer.close()
            return
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if cmd != 1:
            log("command %d not supported" % cmd)
            writer.write(reply(7))
            writer.close()
            return
        log("CONNECT %s:%d (%s)" % (host, port, kind))
        try:
            r2, w2 = await asyncio.open_connection(host, port)
        except OSError as e:
            log("failed: " + str(e))
            writer.write(reply(5))
            await writer.drain()
            writer.close()
            return
        log("ok")
        writer.write(reply(0, w2.get_extra_info("sockname")[:2]))
        await writer.drain()
        await asyncio.gather(pipe(reader, w2), pipe(r2, writer))
    except (asyncio.IncompleteReadError, ConnectionError, OSError) as e:
        log("connection: %s" % (e or type(e).__name__))
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) > 2:
        user, _, password = sys.argv[2].partition(":")
        CREDENTIALS = (user, password)
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
