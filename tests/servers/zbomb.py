#!/usr/bin/python3
"""A client that sends one compressed message far larger inflated than on
the wire, for testing that a peer inflates it in bounded memory.

    /usr/bin/python3 zbomb.py PORT SIZE
    /usr/bin/python3 zbomb.py --sha256 SIZE

Connects to 127.0.0.1:PORT, offers permessage-deflate (RFC 7692, no
parameters), and once it is agreed sends one binary message of SIZE bytes
(all zero) as one masked frame with RSV1, compressed
with a 15-bit window at level 9 (about 1 KiB on the wire per MiB), then a
close 1000, and waits up to 60 s for the close reply. Prints

    compressed SIZE bytes to N
    close CODE                       the server's close code

and exits 0, or prints "error MESSAGE" and exits 1. --sha256 prints the
SHA-256 of the message, in hex, and nothing else.
"""

import base64
import hashlib
import os
import socket
import struct
import sys
import time
import zlib

CHUNK = 1 << 20
PATTERN = bytes(CHUNK)


def chunks(size):
    while size > 0:
        n = min(size, CHUNK)
        yield PATTERN[:n]
        size -= n


def compressed(size):
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [z.compress(c) for c in chunks(size)]
    out.append(z.flush(zlib.Z_SYNC_FLUSH))
    data = b"".join(out)
    assert data.endswith(b"\x00\x00\xff\xff")
    return data[:-4]


def mask(payload):
    key = os.urandom(4)
    n = len(payload)
    k = (key * (n // 4 + 1))[:n]
    x = int.from_bytes(payload, "big") ^ int.from_bytes(k, "big")
    return key, x.to_bytes(n, "big")


def frame(opcode, payload, rsv1=False):
    b0 = 0x80 | (0x40 if rsv1 else 0) | opcode
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", b0, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", b0, 0x80 | 127, n)
    key, masked = mask(payload)
    return head + key + masked


def read_frame(s, buf):
    def need(n):
        nonlocal buf
        while len(buf) < n:
            d = s.recv(65536)
            if not d:
                raise EOFError("eof before a whole frame")
            buf += d
    need(2)
    n = buf[1] & 0x7F
    off = 2
    if n == 126:
        need(4)
        n, off = struct.unpack("!H", buf[2:4])[0], 4
    elif n == 127:
        need(10)
        n, off = struct.unpack("!Q", buf[2:10])[0], 10
    need(off + n)
    op, payload, buf = buf[0] & 0x0F, buf[off:off + n], buf[off + n:]
    return op, payload, buf


def run(port, size):
    data = compressed(size)
    print(f"compressed {size} bytes to {len(data)}", flush=True)
    s = socket.create_connection(("127.0.0.1", port), 10)
    s.settimeout(60)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
              .encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        if not d:
            raise EOFError("eof before the answer's head")
        buf += d
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    if " 101 " not in lines[0] + " ":
        raise ValueError(f"answer: {lines[0]}")
    if not any(l.lower().startswith("sec-websocket-extensions:") and
               "permessage-deflate" in l for l in lines):
        raise ValueError("permessage-deflate was not agreed")
    s.sendall(frame(0x2, data, rsv1=True))
    s.sendall(frame(0x8, struct.pack("!H", 1000)))
    while True:
        op, payload, buf = read_frame(s, buf)
        if op == 0x8:
            code = struct.unpack("!H", payload[:2])[0] if payload else 1005
            print(f"close {code}", flush=True)
            return


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    size = int(sys.argv[2])
    if sys.argv[1] == "--sha256":
        h = hashlib.sha256()
        for c in chunks(size):
            h.update(c)
        print(h.hexdigest())
        return
    try:
        run(int(sys.argv[1]), size)
    except (OSError, EOFError, ValueError) as e:
        print(f"error {e}", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
