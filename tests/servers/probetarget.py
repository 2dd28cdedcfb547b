#!/usr/bin/python3
"""A strict RFC 6455 echo server for testing wscli --probe, with faults.

    /usr/bin/python3 probetarget.py PORT [--fault NAME]... [--max-size N]
                                         [--deflate] [--idle-close SECS]

Listens on 127.0.0.1:PORT (0: any free port), prints the port on the first
line of stdout and serves each connection in a thread until killed.

Without faults it does everything RFC 6455 asks, strictly: it refuses bad
handshakes (405, 400, 426 with Sec-WebSocket-Version: 13), fails the
connection on every broken framing rule with 1002 and on invalid UTF-8
with 1007 as soon as the bytes show it, answers every PING, echoes every
message, answers a CLOSE with the same code (1002 for an invalid one) and
closes TCP first; messages over --max-size (default 1 MiB) get 1009. With
--deflate it agrees to permessage-deflate (context takeover both ways),
and declines an offer that asks for server parameters.

Each --fault breaks one behaviour, so the probe case that checks it must
not say OK:
    accept-version      any Sec-WebSocket-Version is fine
    no-version-header   426 without Sec-WebSocket-Version
    accept-bad-key      a missing or malformed key is fine
    accept-no-upgrade   Upgrade and Connection headers are not checked
    accept-http10       HTTP/1.0 is fine
    accept-post         any method is fine
    choose-protocol     picks the first subprotocol offered, known or not
    choose-other        picks a subprotocol that was not offered
    accept-extension    agrees to whatever extension is offered
    no-echo             never echoes
    ignore-rsv          RSV bits are not checked
    ignore-opcode       frames with reserved opcodes are skipped
    long-control        control frames may be longer than 125 bytes
    fragmented-control  control frames may be fragmented
    loose-fragments     continuation and data frames are not checked
                        against the message in progress
    unmasked            unmasked frames are fine
    lenient-length      non-minimal lengths are fine (allowed)
    top-bit             a 64-bit length with the top bit closes 1009
    no-pong             PINGs are not answered
    first-pong          of PINGs read together only the first is answered
    garbled-pong        PONG payloads have their first byte changed
    pong-pong           a PONG is answered with a PONG
    no-utf8             text is not checked
    utf8-at-end         text is checked only when the message is complete
    utf8-per-frame      each frame of a text message must be valid alone
    close-1000          every CLOSE is answered with 1000
    close-echo          every CLOSE is answered with its own payload
    no-close-reply      CLOSE is never answered
    data-after-close    frames after a CLOSE are still answered
    keep-tcp            TCP is left open after the close handshake
    stall-big           a message over --max-size stops the reading, no close
    exit-on-big         a message over --max-size ends the whole server
    lose-echo           every 50th echo is dropped
    origin-check        a foreign Origin is refused with 403
    require-origin      a request without Origin is refused with 403
    deflate-rsv1-cont   RSV1 on a continuation frame is fine
    deflate-rsv1-control RSV1 on a control frame is fine
    deflate-bad-data    invalid compressed data closes 1000
    deflate-garble      compressed echoes are changed
    exit-on-rsv         a frame with an RSV bit ends the whole server at
                        once (as a crash does): no close, no listener
"""
import base64
import codecs
import hashlib
import os
import socket
import struct
import sys
import threading
import time
import zlib

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
faults = set()
max_size = 1 << 20
offer_deflate = False
idle_close = 0.0


class Fail(Exception):
    def __init__(self, code):
        self.code = code


def has(name):
    return name in faults


def http(conn, status, extra=()):
    reason = {400: "Bad Request", 403: "Forbidden", 405: "Method Not Allowed",
              426: "Upgrade Required"}[status]
    lines = ["HTTP/1.1 %d %s" % (status, reason), "Content-Length: 0",
             "Connection: close"] + list(extra)
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())


def handshake(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, _, version = lines[0].split(" ", 2)
    h = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        h.setdefault(k.strip().lower(), v.strip())
    if method != "GET" and not has("accept-post"):
        return http(conn, 405)
    if version != "HTTP/1.1" and not has("accept-http10"):
        return http(conn, 400)
    if not has("accept-no-upgrade"):
        if h.get("upgrade", "").lower() != "websocket":
            return http(conn, 400)
        if "upgrade" not in [t.strip().lower()
                             for t in h.get("connection", "").split(",")]:
            return http(conn, 400)
    key = h.get("sec-websocket-key", "")
    if not has("accept-bad-key"):
        try:
            if len(base64.b64decode(key, validate=True)) != 16:
                return http(conn, 400)
        except Exception:
            return http(conn, 400)
    if h.get("sec-websocket-version") != "13" and not has("accept-version"):
        return http(conn, 426, [] if has("no-version-header") else
                    ["Sec-WebSocket-Version: 13"])
    origin = h.get("origin")
    if has("origin-check") and origin and "wscli-probe" in origin:
        return http(conn, 403)
    if has("require-origin") and not origin:
        return http(conn, 403)
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode())
                              .digest()).decode()
    out = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
           "Connection: Upgrade", "Sec-WebSocket-Accept: " + accept]
    protos = h.get("sec-websocket-protocol")
    if protos and has("choose-protocol"):
        out.append("Sec-WebSocket-Protocol: " + protos.split(",")[0].strip())
    elif protos and has("choose-other"):
        out.append("Sec-WebSocket-Protocol: chat")
    exts = h.get("sec-websocket-extensions", "")
    deflate = False
    if exts and has("accept-extension"):
        out.append("Sec-WebSocket-Extensions: " + exts)
    elif (offer_deflate and "permessage-deflate" in exts and
          "server_no_context_takeover" not in exts and
          "server_max_window_bits" not in exts):
        # what it cannot do it declines, as RFC 7692 7.1.1 allows
        out.append("Sec-WebSocket-Extensions: permessage-deflate")
        deflate = True
    conn.sendall(("\r\n".join(out) + "\r\n\r\n").encode())
    return rest, deflate


class Peer:
    def __init__(self, conn, rest, deflate):
        self.conn = conn
        self.buf = bytearray(rest)
        self.deflate = deflate
        self.inflater = zlib.decompressobj(-15) if deflate else None
        self.deflater = zlib.compressobj(9, zlib.DEFLATED, -15) if deflate \
            else None
        self.msg_op = None
        self.msg = bytearray()
        self.msg_z = False
        self.utf8 = None
        self.echoes = 0
        self.closed = False
        self.skip_pings = False

    def fill(self, n):
        while len(self.buf) < n:
            if not self.buf and idle_close:
                self.conn.settimeout(idle_close)
            try:
                chunk = self.conn.recv(65536)
            except socket.timeout:
                raise Fail(1001)
            finally:
                self.conn.settimeout(None)
            if not chunk:
                raise EOFError
            self.buf += chunk

    def take(self, n):
        self.fill(n)
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def send(self, op, payload, rsv1=False):
        n = len(payload)
        b0 = 0x80 | (0x40 if rsv1 else 0) | op
        if n < 126:
            head = struct.pack("!BB", b0, n)
        elif n < 65536:
            head = struct.pack("!BBH", b0, 126, n)
        else:
            head = struct.pack("!BBQ", b0, 127, n)
        self.conn.sendall(head + payload)

    def frame(self):
        b0, b1 = self.take(2)
        fin, rsv, op = b0 >> 7, (b0 >> 4) & 7, b0 & 15
        masked, n = b1 >> 7, b1 & 127
        if n == 126:
            (n,) = struct.unpack("!H", self.take(2))
            if n < 126 and not has("lenient-length"):
                raise Fail(1002)
        elif n == 127:
            (n,) = struct.unpack("!Q", self.take(8))
            if n >> 63:
                raise Fail(1009 if has("top-bit") else 1002)
            if n < 65536 and not has("lenient-length"):
                raise Fail(1002)
        control = op >= 8
        rsv1_ok = self.deflate and rsv == 4 and (
            op in (1, 2) or (op == 0 and has("deflate-rsv1-cont")) or
            (control and has("deflate-rsv1-control")))
        if rsv and has("exit-on-rsv"):
            os._exit(70)
        if rsv and not rsv1_ok and not has("ignore-rsv"):
            raise Fail(1002)
        if op in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15):
            if not has("ignore-opcode"):
                raise Fail(1002)
        if control and n > 125 and not has("long-control"):
            raise Fail(1002)
        if control and not fin and not has("fragmented-control"):
            raise Fail(1002)
        if not masked and not has("unmasked"):
            raise Fail(1002)
        if not control and not has("loose-fragments"):
            if op == 0 and self.msg_op is None:
                raise Fail(1002)
            if op in (1, 2) and self.msg_op is not None:
                raise Fail(1002)
        if not control and self.msg_op is not None or op in (1, 2):
            if len(self.msg) + n > max_size:
                if has("exit-on-big"):
                    os._exit(70)
                if has("stall-big"):
                    time.sleep(3600)
                raise Fail(1009)
        key = self.take(4) if masked else b"\0\0\0\0"
        data = bytearray(self.take(n))
        for i in range(n):
            data[i] ^= key[i & 3]
        return fin, rsv, op, bytes(data)

    def text(self, piece, final):
        if has("no-utf8"):
            return
        if has("utf8-per-frame"):
            try:
                piece.decode("utf-8")
            except UnicodeDecodeError:
                raise Fail(1007)
            return
        if has("utf8-at-end"):
            if final:
                try:
                    bytes(self.msg).decode("utf-8")
                except UnicodeDecodeError:
                    raise Fail(1007)
            return
        try:
            self.utf8.decode(piece, final)
        except UnicodeDecodeError:
            raise Fail(1007)

    def data(self, fin, rsv, op, payload):
        if op in (1, 2):
            self.msg_op = op
            self.msg = bytearray()
            self.msg_z = bool(rsv & 4) and self.deflate
            self.utf8 = codecs.getincrementaldecoder("utf-8")("strict")
        elif self.msg_op is None:
            return      # loose-fragments: an orphan is dropped
        if self.msg_z:
            try:
                payload = self.inflater.decompress(payload)
                if fin:
                    payload += self.inflater.decompress(b"\0\0\xff\xff")
            except zlib.error:
                raise Fail(1000 if has("deflate-bad-data") else 1007)
        self.msg += payload
        if len(self.msg) > max_size:
            raise Fail(1009)
        if self.msg_op == 1:
            self.text(payload, bool(fin))
        if not fin:
            return
        op, msg, z = self.msg_op, bytes(self.msg), self.msg_z
        self.msg_op = None
        self.echo(op, msg, z)

    def echo(self, op, msg, z):
        self.echoes += 1
        if has("no-echo") or (has("lose-echo") and self.echoes % 50 == 0):
            return
        if z:
            if has("deflate-garble"):
                msg = msg[::-1]
            out = self.deflater.compress(msg) + \
                self.deflater.flush(zlib.Z_SYNC_FLUSH)
            self.send(op, out[:-4], rsv1=True)
        else:
            self.send(op, msg)

    def close(self, payload):
        if len(payload) == 1:
            code = 1002
        elif len(payload) >= 2:
            (code,) = struct.unpack("!H", payload[:2])
            ok = code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010,
                          1011, 1012, 1013, 1014) or 3000 <= code <= 4999
            if not ok:
                code = 1002
            else:
                try:
                    payload[2:].decode("utf-8")
                except UnicodeDecodeError:
                    code = 1007
        else:
            code = None
        if has("no-close-reply"):
            time.sleep(3600)
        if has("close-echo"):
            self.send(8, payload)
        elif has("close-1000"):
            self.send(8, struct.pack("!H", 1000))
        else:
            self.send(8, b"" if code is None else struct.pack("!H", code))
        self.closed = True

    def run(self):
        while True:
            fin, rsv, op, payload = self.frame()
            if self.closed:
                if has("data-after-close") and op == 9:
                    self.send(10, payload)
                continue
            if op == 8:
                self.close(payload)
                if not has("data-after-close"):
                    return
            elif op == 9:
                if has("no-pong") or self.skip_pings:
                    continue
                if has("first-pong") and self.buf:
                    self.skip_pings = True      # until the batch is read
                if has("garbled-pong") and payload:
                    payload = bytes([payload[0] ^ 0x20]) + payload[1:]
                self.send(10, payload)
            elif op == 10:
                if has("pong-pong"):
                    self.send(10, payload)
            elif op < 8:
                self.data(fin, rsv, op, payload)
            if not self.buf:
                self.skip_pings = False


def serve(conn):
    try:
        r = handshake(conn)
        if r is None:
            return
        peer = Peer(conn, *r)
        try:
            peer.run()
        except Fail as f:
            peer.send(8, struct.pack("!H", f.code))
            # the client's answer, then TCP is ours to close
            conn.settimeout(1)
            try:
                while conn.recv(65536):
                    pass
            except OSError:
                pass
        except EOFError:
            return
        if has("keep-tcp"):
            time.sleep(3600)
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    global max_size, offer_deflate, idle_close
    args = sys.argv[1:]
    port = int(args.pop(0))
    while args:
        a = args.pop(0)
        if a == "--fault":
            faults.add(args.pop(0))
        elif a == "--max-size":
            max_size = int(args.pop(0))
        elif a == "--deflate":
            offer_deflate = True
        elif a == "--idle-close":
            idle_close = float(args.pop(0))
        else:
            sys.exit("probetarget.py: unknown option " + a)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    print(s.getsockname()[1], flush=True)
    while True:
        conn, _ = s.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
