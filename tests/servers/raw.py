#!/usr/bin/python3
"""Raw-socket WebSocket server for the wscli tests: it sends what no real
server would (bad handshakes, invalid frames), one scenario per run.

    /usr/bin/python3 raw.py PORT SCENARIO [ARGS...]

Listens on 127.0.0.1:PORT (0: any free port), prints the port on the first
line of stdout, then serves connections one after another with SCENARIO
until killed. What the client sends back (frames, close codes) is logged on
stderr as lines starting with "raw: ", so tests can check it.

Scenarios:
    echo                    plain echo server (each data frame echoed)
    bad-accept              101 with a wrong Sec-WebSocket-Accept
    http404                 404 Not Found with a small body
    unrequested-protocol    101 with "Sec-WebSocket-Protocol: chat"
    extension               101 with "Sec-WebSocket-Extensions: permessage-deflate"
    rsv                     a text frame with RSV1 set
    reserved-opcode         a frame with the reserved opcode 0x3
    masked                  a masked text frame
    ping-between-fragments  "Hel", PING "p1", "lo"; checks the client's PONG
    ping-during-upload      a PING while the client sends a large message;
                            logs how far the message was when the PONG came
    bad-utf8                a text frame that is not UTF-8
    close-1-byte            a close frame with a 1-byte payload
    close-bad-code          a close frame with code 1005
    close CODE REASON       a close frame with CODE and REASON
    drop                    closes TCP right after the handshake, no close frame
    no-close-reply          never answers the client's close (logs it)
    stall-handshake         reads the upgrade request, never answers
    half-header             101, the first byte of a frame header, then
                            nothing; logs the client's frames, answers none
    cut-payload             101, a text frame header announcing 1000 bytes,
                            10 bytes of it, then TCP closed
    reset                   101, a text message "before reset", then an RST
                            (SO_LINGER 0 and close)
    flood COUNT             101, COUNT text messages "m1".."mCOUNT" as fast
                            as possible, then close 1000
    huge-trickle            101, a binary frame header announcing 2 GiB, then
                            16 KiB of "x" every 20 ms; logs the client's
                            frames
    frames-with-101         101 and text frames "a", "b" in one TCP write,
                            then close 1000
    mss                     16 MiB in binary frames, a text frame "mss N"
                            (the largest segment this server may now send
                            the client), then close 1000
"""

import base64
import hashlib
import os
import select
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def log(msg):
    print("raw: " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- framing

def header(opcode, length, fin=True, rsv1=False, mask=False):
    """A frame header without the masking key."""
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    maskbit = 0x80 if mask else 0
    if length < 126:
        return struct.pack("!BB", b0, maskbit | length)
    if length < 65536:
        return struct.pack("!BBH", b0, maskbit | 126, length)
    return struct.pack("!BBQ", b0, maskbit | 127, length)


def frame(opcode, payload=b"", fin=True, rsv1=False, mask=False):
    """Encode one frame; server frames are unmasked unless mask=True."""
    if isinstance(payload, str):
        payload = payload.encode()
    head = header(opcode, len(payload), fin, rsv1, mask)
    if mask:
        key = os.urandom(4)
        payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
        head += key
    return head + payload


def close_payload(code, reason=""):
    return struct.pack("!H", code) + reason.encode()


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed by client")
        data += chunk
    return data


def read_frame(conn):
    """Read one client frame: (fin, opcode, payload, masked)."""
    b0, b1 = read_exact(conn, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", read_exact(conn, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", read_exact(conn, 8))[0]
    masked = bool(b1 & 0x80)
    key = read_exact(conn, 4) if masked else b"\0\0\0\0"
    data = read_exact(conn, n)
    # unmask as one big integer: fast enough for megabytes
    k = (key * (n // 4 + 1))[:n]
    payload = (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")
               ).to_bytes(n, "big")
    return bool(b0 & 0x80), b0 & 0x0F, payload, masked


def describe(opcode, payload):
    names = {CONT: "CONT", TEXT: "TEXT", BINARY: "BINARY", CLOSE: "CLOSE",
             PING: "PING", PONG: "PONG"}
    name = names.get(opcode, "OPCODE-%#x" % opcode)
    if opcode == CLOSE and len(payload) >= 2:
        code = struct.unpack("!H", payload[:2])[0]
        return "%s %d %r" % (name, code, payload[2:].decode("utf-8", "replace"))
    return "%s %r" % (name, payload[:60])


# -------------------------------------------------------------- handshake

def read_request(conn):
    """Read the HTTP upgrade request; return its headers (lower-case keys)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise EOFError("connection closed during handshake")
        data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    log("request: " + lines[0])
    headers = {}
    for line in lines[1:]:
        log("header: " + line)
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


def accept_key(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def response_101(headers, accept=None, extra=()):
    if accept is None:
        accept = accept_key(headers.get("sec-websocket-key", ""))
    lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
             "Connection: Upgrade", "Sec-WebSocket-Accept: " + accept]
    lines += list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def handshake(conn, **kw):
    conn.sendall(response_101(read_request(conn), **kw))


# ----------------------------------------------------------------- endings

def log_frame(opcode, payload, masked):
    log("client: " + describe(opcode, payload)
        + ("" if masked else " (unmasked)"))


def finish(conn, answer_close=True):
    """Log what the client sends until its close (answered with the same
    code unless answer_close is false) or until it drops the connection."""
    try:
        while True:
            fin, opcode, payload, masked = read_frame(conn)
            log_frame(opcode, payload, masked)
            if opcode == CLOSE and answer_close:
                conn.sendall(frame(CLOSE, payload[:2]))
                return
    except EOFError:
        log("client: EOF")
    except OSError as e:
        log("client: " + str(e))


def wait_eof(conn):
    """Read and discard everything until the client goes away."""
    try:
        while conn.recv(65536):
            pass
        log("client: EOF")
    except OSError as e:
        log("client: " + str(e))


# --------------------------------------------------------------- scenarios

def s_echo(conn):
    handshake(conn)
    while True:
        fin, opcode, payload, masked = read_frame(conn)
        if opcode == CLOSE:
            log("client: " + describe(opcode, payload))
            conn.sendall(frame(CLOSE, payload[:2]))
            return
        if opcode == PING:
            conn.sendall(frame(PONG, payload))
        elif opcode != PONG:
            conn.sendall(frame(opcode, payload, fin=fin))


def s_bad_accept(conn):
    handshake(conn, accept=base64.b64encode(b"\0" * 20).decode())
    wait_eof(conn)


def s_http404(conn):
    read_request(conn)
    body = b"no such endpoint\n"
    conn.sendall(b"HTTP/1.1 404 Not Found\r\n"
                 b"Content-Type: text/plain\r\n"
                 b"Content-Length: %d\r\n"
                 b"Connection: close\r\n\r\n" % len(body) + body)


def s_unrequested_protocol(conn):
    handshake(conn, extra=["Sec-WebSocket-Protocol: chat"])
    wait_eof(conn)


def s_extension(conn):
    handshake(conn, extra=["Sec-WebSocket-Extensions: permessage-deflate"])
    wait_eof(conn)


def s_rsv(conn):
    handshake(conn)
    conn.sendall(frame(TEXT, "hi", rsv1=True))
    finish(conn)


def s_reserved_opcode(conn):
    handshake(conn)
    conn.sendall(frame(0x3, "hi"))
    finish(conn)


def s_masked(conn):
    handshake(conn)
    conn.sendall(frame(TEXT, "hi", mask=True))
    finish(conn)


def s_ping_between_fragments(conn):
    handshake(conn)
    conn.sendall(frame(TEXT, "Hel", fin=False) + frame(PING, "p1")
                 + frame(CONT, "lo"))
    fin, opcode, payload, masked = read_frame(conn)
    if opcode == PONG and payload == b"p1" and masked and fin:
        log("pong ok")
    else:
        log("bad pong: %s%s" % (describe(opcode, payload),
                                "" if masked else " (unmasked)"))
    conn.sendall(frame(CLOSE, close_payload(1000)))
    finish(conn)


def s_ping_during_upload(conn):
    """A PING after the first fragment of a large message from the client:
    the PONG must come back before the message ends."""
    handshake(conn)
    fin, opcode, payload, masked = read_frame(conn)
    received, pong_at, end_at = len(payload), None, None
    conn.sendall(frame(PING, "mid"))
    while pong_at is None or end_at is None:
        fin, opcode, payload, masked = read_frame(conn)
        if opcode == PONG:
            pong_at = received
            log("client: " + describe(opcode, payload))
        elif opcode == CLOSE:
            log("client: " + describe(opcode, payload))
            break
        else:
            received += len(payload)
            if fin:
                end_at = received
    log("pong after %s of %s bytes" % (pong_at, end_at))
    conn.sendall(frame(CLOSE, close_payload(1000)))
    finish(conn)


def s_bad_utf8(conn):
    handshake(conn)
    conn.sendall(frame(TEXT, b"caf\xc3\x28"))
    finish(conn)


def s_close_1_byte(conn):
    handshake(conn)
    conn.sendall(frame(CLOSE, b"\x03"))
    finish(conn)


def s_close_bad_code(conn):
    handshake(conn)
    conn.sendall(frame(CLOSE, close_payload(1005)))
    finish(conn)


def s_close(conn, code, reason=""):
    handshake(conn)
    conn.sendall(frame(CLOSE, close_payload(int(code), reason)))
    finish(conn)


def s_drop(conn):
    handshake(conn)


def s_no_close_reply(conn):
    handshake(conn)
    finish(conn, answer_close=False)


def s_stall_handshake(conn):
    read_request(conn)
    log("stalling")
    wait_eof(conn)


def s_half_header(conn):
    handshake(conn)
    conn.sendall(b"\x81")
    log("half header sent")
    finish(conn, answer_close=False)


def s_cut_payload(conn):
    handshake(conn)
    conn.sendall(header(TEXT, 1000) + b"0123456789")
    time.sleep(0.3)
    log("closing TCP mid-payload")


def s_reset(conn):
    handshake(conn)
    conn.sendall(frame(TEXT, "before reset"))
    time.sleep(0.3)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    log("resetting")


def s_flood(conn, count):
    handshake(conn)
    batch = []
    for i in range(1, int(count) + 1):
        batch.append(frame(TEXT, b"m%d" % i))
        if len(batch) == 4096:
            conn.sendall(b"".join(batch))
            batch = []
    conn.sendall(b"".join(batch) + frame(CLOSE, close_payload(1000)))
    log("sent %s messages" % count)
    finish(conn)


def s_huge_trickle(conn):
    handshake(conn)
    conn.sendall(header(BINARY, 2 << 30))
    log("announced 2 GiB")
    chunk, sent, pending = b"x" * 16384, 0, b""
    conn.setblocking(False)
    try:
        while True:
            if select.select([conn], [], [], 0.02)[0]:
                data = conn.recv(65536)
                if not data:
                    log("client: EOF")
                    break
                pending = log_frames(pending + data)
            try:
                sent += conn.send(chunk)
            except BlockingIOError:
                pass
    finally:
        log("trickled %d bytes" % sent)


def log_frames(buf):
    """Log every complete client frame at the start of buf; return the rest."""
    while len(buf) >= 2:
        n, pos = buf[1] & 0x7F, 2
        if n >= 126:
            pos = 4 if n == 126 else 10
            if len(buf) < pos:
                break
            n = int.from_bytes(buf[2:pos], "big")
        masked = bool(buf[1] & 0x80)
        key = b"\0\0\0\0"
        if masked:
            if len(buf) < pos + 4:
                break
            key, pos = buf[pos:pos + 4], pos + 4
        if len(buf) < pos + n:
            break
        payload = bytes(c ^ key[i % 4] for i, c in enumerate(buf[pos:pos + n]))
        log_frame(buf[0] & 0x0F, payload, masked)
        buf = buf[pos + n:]
    return buf


def s_frames_with_101(conn):
    headers = read_request(conn)
    conn.sendall(response_101(headers) + frame(TEXT, "a") + frame(TEXT, "b"))
    conn.sendall(frame(CLOSE, close_payload(1000)))
    finish(conn)


def s_mss(conn):
    handshake(conn)
    chunk = frame(BINARY, b"x" * 65536)
    for _ in range(256):  # the client's window grows with what it takes in
        conn.sendall(chunk)
    mss = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
    conn.sendall(frame(TEXT, "mss %d" % mss)
                 + frame(CLOSE, close_payload(1000)))
    finish(conn)


SCENARIOS = {name[2:].replace("_", "-"): fn
             for name, fn in globals().items() if name.startswith("s_")}


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in SCENARIOS:
        sys.exit("usage: raw.py PORT SCENARIO [ARGS...]\nscenarios: "
                 + " ".join(sorted(SCENARIOS)))
    port, scenario, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
    print(srv.getsockname()[1], flush=True)
    while True:
        conn, _ = srv.accept()
        conn.settimeout(30)
        try:
            SCENARIOS[scenario](conn, *args)
        except (EOFError, OSError) as e:
            log("connection: " + str(e))
        finally:
            conn.close()
            log("done")


if __name__ == "__main__":
    main()
