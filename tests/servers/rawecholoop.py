#!/usr/bin/python3
"""A raw-socket reconnect-and-echo client for wscli -l --probe-clients that
checks nothing: it is the client every "must fail" case is to catch.

    /usr/bin/python3 rawecholoop.py [unmasked] URL

Connects to ws://HOST:PORT/ (a plain upgrade, no subprotocol, no
extension), reads the server's frames without checking any rule (RSV
bits, reserved opcodes, masking, lengths, UTF-8 and close codes pass),
reassembles text and binary messages and sends each back whole, answers
every PING with a PONG and a CLOSE with the same payload, then connects
again; stops when the upgrade is refused or the port is closed, after 200
connections, or after 60 s. With "unmasked" it breaks a rule of its own:
its frames go unmasked (RFC 6455 5.1: a client MUST mask). Prints one
line per connection: "N closed", "N refused STATUS" or "N error MESSAGE".
"""
import base64
import os
import socket
import sys
import time
import urllib.parse


def frame(op, payload, masked):
    head = bytes([0x80 | op])
    n = len(payload)
    bit = 0x80 if masked else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([bit | 127]) + n.to_bytes(8, "big")
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def recv_exact(s, n, buf):
    while len(buf) < n:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def one(host, port, n, masked):
    try:
        s = socket.create_connection((host, port), timeout=5)
    except OSError as e:
        print(f"{n} error {e}", flush=True)
        return False
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    buf = b""
    try:
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                raise EOFError
            buf += chunk
    except (EOFError, OSError):
        print(f"{n} error no answer", flush=True)
        return False
    head, buf = buf.split(b"\r\n\r\n", 1)
    status = head.split(b" ", 2)[1].decode()
    if status != "101":
        print(f"{n} refused {status}", flush=True)
        return False
    msg, msg_op = b"", 0
    try:
        while True:
            buf = bytearray(recv_exact(s, 2, bytes(buf)))
            fin, op = buf[0] & 0x80, buf[0] & 0x0F
            mask, ln = buf[1] & 0x80, buf[1] & 0x7F
            off = 2
            if ln == 126:
                buf = bytearray(recv_exact(s, 4, bytes(buf)))
                ln, off = int.from_bytes(buf[2:4], "big"), 4
            elif ln == 127:
                buf = bytearray(recv_exact(s, 10, bytes(buf)))
                ln, off = int.from_bytes(buf[2:10], "big"), 10
            if mask:
                off += 4
            buf = bytearray(recv_exact(s, off + ln, bytes(buf)))
            payload = bytes(buf[off:off + ln])
            if mask:
                k = buf[off - 4:off]
                payload = bytes(b ^ k[i % 4] for i, b in enumerate(payload))
            buf = buf[off + ln:]
            if op == 0x9:
                s.sendall(frame(0xA, payload, masked))
            elif op == 0x8:
                s.sendall(frame(0x8, payload, masked))
                break
            elif op in (0x1, 0x2):
                msg, msg_op = payload, op
            elif op == 0x0:
                msg += payload
            else:
                continue
            if op in (0x0, 0x1, 0x2) and fin and msg_op:
                s.sendall(frame(msg_op, msg, masked))
                msg, msg_op = b"", 0
    except (EOFError, OSError):
        pass
    s.close()
    print(f"{n} closed", flush=True)
    return True


def main():
    args = sys.argv[1:]
    masked = "unmasked" not in args
    args = [a for a in args if a != "unmasked"]
    if len(args) != 1:
        print("usage: rawecholoop.py [unmasked] URL", file=sys.stderr)
        sys.exit(64)
    u = urllib.parse.urlsplit(args[0])
    end = time.monotonic() + 60
    for n in range(1, 201):
        if time.monotonic() > end or not one(u.hostname, u.port, n, masked):
            return


main()
