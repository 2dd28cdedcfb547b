#!/usr/bin/python3
"""Raw-socket WebSocket client for testing a WebSocket server (wscli's
listen mode): it sends what no real client would, one scenario per run.

    /usr/bin/python3 rawclient.py PORT SCENARIO

Connects to 127.0.0.1:PORT, sends an upgrade request (GET / HTTP/1.1 with
Host, Upgrade, Connection, a fresh Sec-WebSocket-Key and version 13 unless
the scenario changes it), and prints on stdout what the server does:

    status: HTTP/1.1 101 Switching Protocols
    header: Name: value                 each response header, in order
    accept: ok|wrong|missing            for a 101: Sec-WebSocket-Accept
    body: N bytes: b'...'               for other answers, what follows
    incomplete head: N bytes: b'...'    what came before eof, if no head
    sent: ...                           each thing this client sends
    frame: OPCODE fin=F rsv=R len=N payload=b'...' [code=C reason='...']
                                        each server frame ("masked" appended
                                        if the server masked it)
    eof                                 the server closed the connection
    error MESSAGE                       a socket error (reset, refused)
    timeout                             the server did not close in time

A close from the server is answered with its code unless this client has
closed first. Everything ends within 5 s. Exit status: 0 after eof, 1
after an error, 2 after timeout, 64 for a usage error.

Scenarios (all frames from this client are masked unless said otherwise):
    valid                   a text "hi", then after the first data frame
                            back (or 1 s of quiet) close 1000
    unmasked                an unmasked text "hi"
    bad-utf8                a text frame that is not UTF-8 ("caf\\xc3(")
    rsv1                    a text "hi" with RSV1 set (nothing agreed)
    ping-between-fragments  text "Hel" (FIN 0), PING "p1", CONT "lo", then
                            after the first data frame back (or 1 s) close
                            1000
    close-1005              a close frame with code 1005 (never on the wire)
    huge-frame              a binary frame header announcing 2^40 bytes
                            and 16 bytes of it, then nothing more
    drop                    after the 101, TCP shutdown (FIN) without a
                            close frame; the server's reaction is printed
    post                    method POST
    no-key                  no Sec-WebSocket-Key
    bad-key                 a key that is base64 but not of 16 bytes
    version-8               Sec-WebSocket-Version: 8
    no-upgrade              no Upgrade header
    no-connection           no Connection header
    http10                  HTTP/1.0
    huge-head               over 64 KiB of headers (1,100 X-Filler-N)
"""

import base64
import hashlib
import os
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
NAMES = {CONT: "CONT", TEXT: "TEXT", BINARY: "BINARY", CLOSE: "CLOSE",
         PING: "PING", PONG: "PONG"}
DEADLINE = time.monotonic() + 4.5
MAX_FRAME = 16 << 20


def say(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


class Done(Exception):
    """The conversation is over: line is printed last, status is the exit
    status."""

    def __init__(self, status, line):
        Exception.__init__(self, line)
        self.status, self.line = status, line


def frame(opcode, payload=b"", fin=True, rsv1=False, mask=True):
    if isinstance(payload, str):
        payload = payload.encode()
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    m = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", b0, m | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, m | 126, n)
    else:
        head = struct.pack("!BBQ", b0, m | 127, n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(c ^ key[i % 4] for i, c in enumerate(payload))


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), 2)
        self.buf = b""
        self.closed = False   # this client has sent a close frame

    def send(self, data, what):
        say("sent: " + what)
        if data[:1] and data[0] & 0x0F == CLOSE:
            self.closed = True
        try:
            self.sock.sendall(data)
        except OSError as e:
            # the server may have answered and closed already: read on
            say("error sending: %s" % e)

    def more(self, quiet=None):
        """Read more bytes into buf. Returns False after quiet seconds
        without data; raises Done at EOF, on an error or at the deadline."""
        left = DEADLINE - time.monotonic()
        if left <= 0:
            raise Done(2, "timeout")
        self.sock.settimeout(min(left, quiet) if quiet else left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            if quiet and DEADLINE - time.monotonic() > 0:
                return False
            raise Done(2, "timeout")
        except OSError as e:
            raise Done(1, "error %s" % e)
        if not data:
            raise Done(0, "eof")
        self.buf += data
        return True

    def response(self):
        """Read and print the status line and headers; return the status
        code and the headers (lower-case names)."""
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 1 << 20:
                raise Done(1, "error response head over 1 MiB")
            try:
                self.more()
            except Done:
                if self.buf:
                    say("incomplete head: %d bytes: %r" % (
                        len(self.buf), self.buf[:200]))
                raise
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        say("status: " + lines[0])
        headers = {}
        for line in lines[1:]:
            say("header: " + line)
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        parts = lines[0].split(" ", 2)
        code = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        return code, headers

    def frame(self, quiet=None):
        """Read, print and return one frame (opcode, payload), or None after
        quiet seconds without one."""
        while True:
            parsed = self.parse()
            if parsed:
                return parsed
            if not self.more(quiet):
                return None

    def parse(self):
        b = self.buf
        if len(b) < 2:
            return None
        n, pos = b[1] & 0x7F, 2
        if n == 126:
            pos = 4
        elif n == 127:
            pos = 10
        if len(b) < pos:
            return None
        if pos > 2:
            n = int.from_bytes(b[2:pos], "big")
        masked = bool(b[1] & 0x80)
        if masked:
            pos += 4
        if n > MAX_FRAME:
            say("frame: %s fin=%d rsv=%d len=%d (too large to read)" % (
                NAMES.get(b[0] & 0x0F, "OPCODE-%#x" % (b[0] & 0x0F)),
                b[0] >> 7, b[0] >> 4 & 7, n))
            raise Done(1, "error frame over %d bytes" % MAX_FRAME)
        if len(b) < pos + n:
            return None
        payload = b[pos:pos + n]
        if masked:
            key = b[pos - 4:pos]
            payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
        self.buf = b[pos + n:]
        opcode = b[0] & 0x0F
        line = "frame: %s fin=%d rsv=%d len=%d payload=%r%s" % (
            NAMES.get(opcode, "OPCODE-%#x" % opcode), b[0] >> 7,
            b[0] >> 4 & 7, n, payload[:60], "..." if n > 60 else "")
        if opcode == CLOSE and n >= 2:
            line += " code=%d reason=%r" % (
                struct.unpack("!H", payload[:2])[0],
                payload[2:].decode("utf-8", "replace"))
        say(line + (" masked" if masked else ""))
        if opcode == CLOSE and not self.closed:
            self.send(frame(CLOSE, payload[:2]), "CLOSE %s (reply)" % (
                struct.unpack("!H", payload[:2])[0] if n >= 2 else "empty"))
        return opcode, payload

    def drain(self):
        """Print frames until the server closes the connection."""
        while True:
            self.frame()


def request(port, scenario):
    method, version = "GET", "HTTP/1.1"
    key = base64.b64encode(os.urandom(16)).decode()
    headers = [("Host", "127.0.0.1:%d" % port), ("Upgrade", "websocket"),
               ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key),
               ("Sec-WebSocket-Version", "13")]
    drop = {"no-key": "Sec-WebSocket-Key", "no-upgrade": "Upgrade",
            "no-connection": "Connection"}.get(scenario)
    headers = [h for h in headers if h[0] != drop]
    if scenario == "post":
        method = "POST"
        headers.append(("Content-Length", "0"))
    elif scenario == "bad-key":
        key = base64.b64encode(b"not sixteen").decode()
        headers[3] = ("Sec-WebSocket-Key", key)
    elif scenario == "version-8":
        headers[4] = ("Sec-WebSocket-Version", "8")
    elif scenario == "http10":
        version = "HTTP/1.0"
    elif scenario == "huge-head":
        headers += [("X-Filler-%d" % i, "f" * 48) for i in range(1, 1101)]
    text = "%s / %s\r\n" % (method, version)
    text += "".join("%s: %s\r\n" % h for h in headers) + "\r\n"
    return text.encode(), key


def close_after_reply(c):
    """Wait for the first data frame back (or 1 s of quiet), then close
    1000 and print what follows."""
    while True:
        got = c.frame(quiet=1.0)
        if got is None or got[0] in (TEXT, BINARY, CONT):
            break
        if got[0] == CLOSE:
            c.drain()
    c.send(frame(CLOSE, struct.pack("!H", 1000)), "CLOSE 1000")
    c.drain()


SCENARIOS = ["valid", "unmasked", "bad-utf8", "rsv1", "ping-between-fragments",
             "close-1005", "huge-frame", "drop", "post", "no-key", "bad-key", "version-8",
             "no-upgrade", "no-connection", "http10", "huge-head"]


def run(port, scenario):
    try:
        c = Conn(port)
    except OSError as e:
        raise Done(1, "error %s" % e)
    req, key = request(port, scenario)
    c.send(req, "request (%d bytes)" % len(req))
    code, headers = c.response()
    if code != 101:
        while True:    # the body, until the server closes
            if c.buf:
                say("body: %d bytes: %r" % (len(c.buf), c.buf[:200]))
                c.buf = b""
            c.more()
    want = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest())
    got = headers.get("sec-websocket-accept")
    say("accept: " + ("missing" if got is None else
                      "ok" if got.encode() == want else "wrong"))
    if scenario == "valid":
        c.send(frame(TEXT, "hi"), "TEXT 'hi'")
        close_after_reply(c)
    elif scenario == "unmasked":
        c.send(frame(TEXT, "hi", mask=False), "TEXT 'hi' unmasked")
    elif scenario == "bad-utf8":
        c.send(frame(TEXT, b"caf\xc3\x28"), "TEXT b'caf\\xc3('")
    elif scenario == "rsv1":
        c.send(frame(TEXT, "hi", rsv1=True), "TEXT 'hi' with RSV1")
    elif scenario == "ping-between-fragments":
        c.send(frame(TEXT, "Hel", fin=False) + frame(PING, "p1")
               + frame(CONT, "lo"), "TEXT 'Hel' fin=0, PING 'p1', CONT 'lo'")
        close_after_reply(c)
    elif scenario == "close-1005":
        c.send(frame(CLOSE, struct.pack("!H", 1005)), "CLOSE 1005")
    elif scenario == "huge-frame":
        key = os.urandom(4)
        c.send(struct.pack("!BBQ", 0x80 | BINARY, 0x80 | 127, 1 << 40) + key
               + bytes(b ^ key[i % 4] for i, b in enumerate(b"x" * 16)),
               "BINARY header announcing 2^40 bytes, 16 of them")
    elif scenario == "drop":
        say("sent: FIN")
        c.sock.shutdown(socket.SHUT_WR)
    c.drain()


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in SCENARIOS:
        sys.stderr.write("usage: rawclient.py PORT SCENARIO\nscenarios: %s\n"
                         % " ".join(SCENARIOS))
        sys.exit(64)
    try:
        run(int(sys.argv[1]), sys.argv[2])
    except Done as d:
        say(d.line)
        sys.exit(d.status)


if __name__ == "__main__":
    main()
