#!/usr/bin/python3
"""Raw-socket WebSocket server for the wscli tests: it sends what no real
server would (bad handshakes, invalid frames), one scenario per run.

    /usr/bin/python3 raw.py PORT SCENARIO [ARGS...]

Listens on 127.0.0.1:PORT (0: any free port), prints the port on the first
line of stdout, then serves connections one after another with SCENARIO
until killed. What the client sends back (frames, close codes) is logged on
stderr as lines starting with "raw: ", so tests can check it.

Scenarios:
    sink                    reads every message, answers none; answers the
                            client's close
    no-pong                 reads every frame, answers no ping and no
                            close; logs the client's close
    echo                    plain echo server (each data frame echoed as it
                            came, RSV bits included)
    bad-accept              101 with a wrong Sec-WebSocket-Accept
    http404                 404 Not Found with a small body
    bad-header              101 with a header whose value holds an ESC
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
    huge-frame              101, a binary frame header announcing 2^40
                            bytes and 16 bytes of it, then nothing; logs
                            the client's frames, answers none
    huge-frame-late         the same, 500 ms after the 101 (a client whose
                            standard input is empty has closed by then)
    huge-trickle            101, a binary frame header announcing 2 GiB, then
                            16 KiB of "x" every 20 ms; logs the client's
                            frames
    frames-with-101         101 and text frames "a", "b" in one TCP write,
                            then close 1000
    mss                     16 MiB in binary frames, a text frame "mss N
                            wnd W" (N: the largest segment this server may
                            now send the client; W: the largest receive
                            window the client advertised meanwhile, from
                            ss(8), -1 if unknown), then close 1000
    say MSG...              101, then each MSG as a text frame ("bin:HEX"
                            a binary frame, "sleep:MS" a pause); logs the
                            client's frames until its close
    drop-after HEX MSG...   as say, then logs the client's frames until a
                            binary one starting with the bytes HEX, and
                            closes TCP at once (no close frame)
    say-stall-first MSG...  as say, but on the first connection, after
                            the MSGs, nothing is read for 500 ms (with a
                            receive buffer of a few KiB, so the client's
                            TCP soon has to wait), then it is reset (RST):
                            what was not in that buffer was never taken
    non-minimal-16          a text frame "hi" whose length is in the 16-bit
                            form (126, 0x0002); then logs the client's
                            frames until its close
    non-minimal-64          a text frame "hello" whose length is in the
                            64-bit form (127, 0x...05); the same
    big-head                a valid 101 whose head is over 64 KiB (1,100
                            "X-Filler-N:" headers), then nothing
    long-head               a valid 101 of 14 header lines, 10 of them 8 KiB
                            long: over 64 KiB in bytes, not in lines
    split-101               the 101 one byte at a time, 2 ms apart, then a
                            text frame "after split" the same way, then
                            close 1000
    fragments-ping          text "Hel" (FIN 0), PING "p", CONT "lo" (FIN 0),
                            CONT " world" (FIN 1); checks the client's PONG
                            ("pong ok" or "bad pong: ..."), then close 1000
    extensions VALUE        101 with "Sec-WebSocket-Extensions: VALUE", then
                            echo (as echo: frames go back as they came, RSV
                            bits included)
    no-answer               reads the upgrade request, then closes the
                            connection without a word
    endless                 101, then text messages "e1", "e2", ... without
                            end (paced by TCP); logs the client's frames,
                            answers none, stops when the client goes away
    slow-reader BYTES MS    101, then reads at most BYTES bytes every MS ms;
                            counts the client's messages and answers its
                            close (logs "slow: N messages, B bytes, close
                            CODE" when the close arrives)
    no-read                 101, then reads nothing ever (a receive buffer
                            of 4 KiB), until the client goes away

permessage-deflate (RFC 7692) scenarios. Each logs the client's offer
("deflate offer: ...", and "deflate: not offered" without one), answers
"Sec-WebSocket-Extensions: permessage-deflate" with the scenario's own
parameter and PARAMS appended (e.g. "server_no_context_takeover;
client_max_window_bits=10"; "deflate agreed: ..." logs the result), logs
every client frame with its FIN and RSV1 bits ("client: TEXT b'..' fin=1
rsv1=1"), each client message inflated ("client message: TEXT b'hi'
(compressed)"), and the client's close. Compressed messages are raw deflate,
RSV1 on the first frame only, the 00 00 ff ff tail removed.
    deflate-echo [PARAMS]   echoes every message compressed, with context
                            takeover unless server_no_context_takeover was
                            agreed, in the window of server_max_window_bits
                            (9..15) when agreed
    deflate-rsv1-control [PARAMS]       a PING with RSV1 set
    deflate-rsv1-continuation [PARAMS]  one compressed message in two
                            frames with RSV1 on both
    deflate-window [PARAMS] agrees server_max_window_bits=9, then sends a
                            text message compressed with a 15-bit window
                            whose one long back-reference reaches 20,064
                            bytes back (checked: a 9-bit window cannot
                            inflate it)
    deflate-context-reuse [PARAMS]      agrees server_no_context_takeover,
                            sends "context reuse: the same words twice"
                            twice, the second compressed with the first's
                            context (checked: it cannot inflate alone)
    deflate-bad-data [PARAMS]           a text frame with RSV1 whose
                            payload is not deflate data
    deflate-bomb [PARAMS]   one text message that inflates to 2 GiB of "a",
                            in 2048 fragments of about 1 KiB (1 MiB each
                            inflated), 1 ms apart (about 3 s in all); stops
                            when the client closes and logs how much went
                            out ("bomb: N of 2048 fragments sent, ...")
    deflate-uncompressed-between [PARAMS]  "first, compressed", "second,
                            plain" (RSV1 clear), "third, compressed" (in the
                            first's context), then close 1000: all valid
"""

import base64
import hashlib
import os
import random
import select
import socket
import struct
import sys
import time
import zlib

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
    fin, rsv, opcode, payload, masked = read_frame_rsv(conn)
    return fin, opcode, payload, masked


def read_frame_rsv(conn):
    """Read one client frame: (fin, rsv, opcode, payload, masked), where
    rsv holds the three RSV bits (RSV1 = 4)."""
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
    return bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, payload, masked


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
        name, value = name.strip().lower(), value.strip()
        # a repeated header is one comma-separated list (RFC 9110 5.3)
        headers[name] = (headers[name] + ", " + value if name in headers
                         else value)
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
    echo_loop(conn)


def echo_loop(conn):
    """Echo each data frame as it came, RSV bits included: with an
    extension agreed, a client reads its own frames back."""
    while True:
        fin, rsv, opcode, payload, masked = read_frame_rsv(conn)
        if opcode == CLOSE:
            log("client: " + describe(opcode, payload))
            conn.sendall(frame(CLOSE, payload[:2]))
            return
        if opcode == PING:
            conn.sendall(frame(PONG, payload))
        elif opcode != PONG:
            out = frame(opcode, payload, fin=fin)
            conn.sendall(bytes([out[0] | rsv << 4]) + out[1:])


def s_sink(conn):
    handshake(conn)
    while True:
        fin, rsv, opcode, payload, masked = read_frame_rsv(conn)
        if opcode == CLOSE:
            log("client: " + describe(opcode, payload))
            conn.sendall(frame(CLOSE, payload[:2]))
            return
        if opcode == PING:
            conn.sendall(frame(PONG, payload))


def s_no_pong(conn):
    handshake(conn)
    while True:
        fin, rsv, opcode, payload, masked = read_frame_rsv(conn)
        if opcode == CLOSE:
            log("client: " + describe(opcode, payload))


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


def s_bad_header(conn):
    handshake(conn, extra=["X-Color: red\x1b[31m"])
    wait_eof(conn)


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


def s_huge_frame(conn):
    handshake(conn)
    conn.sendall(header(BINARY, 1 << 40) + b"x" * 16)
    log("announced 2^40 bytes")
    finish(conn, answer_close=False)


def s_huge_frame_late(conn):
    handshake(conn)
    time.sleep(0.5)
    conn.sendall(header(BINARY, 1 << 40) + b"x" * 16)
    log("announced 2^40 bytes")
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


def peer_window(conn):
    """The receive window the client last advertised, as ss(8) shows it
    (snd_wnd of this socket), or -1 if ss cannot say."""
    import subprocess
    here, there = conn.getsockname()[1], conn.getpeername()[1]
    try:
        out = subprocess.run(["ss", "-tniH", "sport = :%d and dport = :%d"
                              % (here, there)], capture_output=True,
                             text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return -1
    for word in out.split():
        if word.startswith("snd_wnd:"):
            return int(word[8:])
    return -1


def s_mss(conn):
    handshake(conn)
    chunk = frame(BINARY, b"x" * 65536)
    wnd = -1
    for i in range(256):  # the client's window grows with what it takes in
        conn.sendall(chunk)
        if i % 16 == 15:
            wnd = max(wnd, peer_window(conn))
    mss = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
    conn.sendall(frame(TEXT, "mss %d wnd %d" % (mss, wnd))
                 + frame(CLOSE, close_payload(1000)))
    finish(conn)


def s_non_minimal_16(conn):
    handshake(conn)
    conn.sendall(struct.pack("!BBH", 0x80 | TEXT, 126, 2) + b"hi")
    log("sent \"hi\" with a 16-bit length")
    finish(conn)


def s_non_minimal_64(conn):
    handshake(conn)
    conn.sendall(struct.pack("!BBQ", 0x80 | TEXT, 127, 5) + b"hello")
    log("sent \"hello\" with a 64-bit length")
    finish(conn)


def s_big_head(conn):
    headers = read_request(conn)
    filler = ["X-Filler-%d: %s" % (i, "f" * 48) for i in range(1, 1101)]
    resp = response_101(headers, extra=filler)
    conn.sendall(resp)
    log("sent a 101 head of %d bytes" % len(resp))
    wait_eof(conn)


def s_long_head(conn):
    headers = read_request(conn)
    filler = ["X-Filler-%d: %s" % (i, "f" * 8192) for i in range(1, 11)]
    resp = response_101(headers, extra=filler)
    conn.sendall(resp)
    log("sent a 101 head of %d bytes in %d lines" % (len(resp), 14))
    wait_eof(conn)


def send_slowly(conn, data):
    """One byte per TCP segment, 2 ms apart."""
    for i in range(len(data)):
        conn.sendall(data[i:i + 1])
        time.sleep(0.002)


def s_split_101(conn):
    headers = read_request(conn)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    send_slowly(conn, response_101(headers))
    send_slowly(conn, frame(TEXT, "after split"))
    log("sent the 101 and \"after split\" byte by byte")
    conn.sendall(frame(CLOSE, close_payload(1000)))
    finish(conn)


def s_fragments_ping(conn):
    handshake(conn)
    conn.sendall(frame(TEXT, "Hel", fin=False) + frame(PING, "p")
                 + frame(CONT, "lo", fin=False) + frame(CONT, " world"))
    while True:
        fin, opcode, payload, masked = read_frame(conn)
        log_frame(opcode, payload, masked)
        if opcode == CLOSE:
            conn.sendall(frame(CLOSE, payload[:2]))
            return
        if opcode == PONG:
            break
    if payload == b"p" and masked and fin:
        log("pong ok")
    else:
        log("bad pong: %s%s" % (describe(opcode, payload),
                                "" if masked else " (unmasked)"))
    conn.sendall(frame(CLOSE, close_payload(1000)))
    finish(conn)


def s_extensions(conn, value):
    handshake(conn, extra=["Sec-WebSocket-Extensions: " + value])
    echo_loop(conn)


# ------------------------------------------------------ permessage-deflate

def pmd_handshake(conn, params="", agreed=""):
    """Answer with permessage-deflate; agreed (the scenario's own
    parameter) and params (the command line's) appended. Returns the
    agreed parameter names and values as a dict."""
    headers = read_request(conn)
    offer = headers.get("sec-websocket-extensions")
    log("deflate offer: " + (offer or "-"))
    if not offer or "permessage-deflate" not in [
            o.split(";")[0].strip().lower() for o in offer.split(",")]:
        log("deflate: not offered")
    value = "; ".join(["permessage-deflate"]
                      + [p for p in (agreed, params) if p])
    conn.sendall(response_101(headers,
                              extra=["Sec-WebSocket-Extensions: " + value]))
    log("deflate agreed: " + value)
    agreed_params = {}
    for p in value.split(";")[1:]:
        name, _, v = p.strip().partition("=")
        agreed_params[name.strip()] = v.strip().strip('"')
    return agreed_params


def deflate(compressor, data):
    """Compress one message: sync flush, the 00 00 ff ff tail removed."""
    out = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


def compressor_for(agreed):
    bits = int(agreed.get("server_max_window_bits") or 15)
    return zlib.compressobj(9, zlib.DEFLATED, -max(bits, 9))


class ClientMessages:
    """Reads client frames, logs each (with FIN and RSV1) and each whole
    message inflated when it was compressed."""

    def __init__(self, conn):
        self.conn = conn
        self.inflater = zlib.decompressobj(-15)
        self.parts, self.opcode, self.compressed = [], None, False

    def next(self):
        """The next event: ("message", opcode, data), ("control", opcode,
        payload) or ("close", CLOSE, payload)."""
        while True:
            fin, rsv, opcode, payload, masked = read_frame_rsv(self.conn)
            log("client: %s fin=%d rsv1=%d%s%s" % (
                describe(opcode, payload), fin, rsv >> 2 & 1,
                " rsv2/3=%d" % (rsv & 3) if rsv & 3 else "",
                "" if masked else " (unmasked)"))
            if opcode >= 0x8:
                return ("close" if opcode == CLOSE else "control",
                        opcode, payload)
            if opcode != CONT:
                self.parts, self.opcode = [], opcode
                self.compressed = bool(rsv & 4)
            self.parts.append(payload)
            if not fin:
                continue
            data = b"".join(self.parts)
            if self.compressed:
                try:
                    data = self.inflater.decompress(data + b"\x00\x00\xff\xff")
                except zlib.error as e:
                    log("client message: not deflate data: %s" % e)
                    self.inflater = zlib.decompressobj(-15)
                    continue
            log("client message: %s (%s)" % (
                describe(self.opcode, data),
                "compressed" if self.compressed else "uncompressed"))
            return "message", self.opcode, data


def finish_deflate(conn):
    """finish() for deflate scenarios: log the client's frames and
    messages until its close (answered with its code) or EOF."""
    msgs = ClientMessages(conn)
    try:
        while True:
            kind, opcode, payload = msgs.next()
            if kind == "close":
                conn.sendall(frame(CLOSE, payload[:2]))
                return
    except EOFError:
        log("client: EOF")
    except OSError as e:
        log("client: " + str(e))


def s_deflate_echo(conn, params=""):
    agreed = pmd_handshake(conn, params)
    takeover = "server_no_context_takeover" not in agreed
    comp = compressor_for(agreed)
    msgs = ClientMessages(conn)
    while True:
        kind, opcode, payload = msgs.next()
        if kind == "close":
            conn.sendall(frame(CLOSE, payload[:2]))
            return
        if kind == "control":
            if opcode == PING:
                conn.sendall(frame(PONG, payload))
            continue
        if not takeover:
            comp = compressor_for(agreed)
        conn.sendall(frame(opcode, deflate(comp, payload), rsv1=True))


def s_deflate_rsv1_control(conn, params=""):
    pmd_handshake(conn, params)
    conn.sendall(frame(PING, "p", rsv1=True))
    log("sent a PING with RSV1")
    finish_deflate(conn)


def s_deflate_rsv1_continuation(conn, params=""):
    agreed = pmd_handshake(conn, params)
    data = deflate(compressor_for(agreed), b"compressed, in two frames")
    half = len(data) // 2
    conn.sendall(frame(TEXT, data[:half], fin=False, rsv1=True)
                 + frame(CONT, data[half:], rsv1=True))
    log("sent a compressed message in two frames, RSV1 on both")
    finish_deflate(conn)


def inflate_piecewise(data, bits):
    """Inflate with a window of bits, 256 bytes of output at a time: zlib
    checks distances against its window only when earlier output is no
    longer in the buffer it writes to."""
    d = zlib.decompressobj(-bits)
    out = d.decompress(data + b"\x00\x00\xff\xff", 256)
    while d.unconsumed_tail:
        out += d.decompress(d.unconsumed_tail, 256)
    return out


def s_deflate_window(conn, params=""):
    """64 random capitals, 20,000 bytes of text repeating every 37 bytes,
    the same capitals again: the only back-reference longer than 37 bytes
    is the second marker's, 20,064 bytes back."""
    pmd_handshake(conn, params, agreed="server_max_window_bits=9")
    rnd = random.Random(9)
    marker = "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                     for _ in range(64))
    filler = ("abcdefghijklmnopqrstuvwxyz0123456789 " * 541)[:20000]
    msg = (marker + filler + marker).encode()
    data = deflate(zlib.compressobj(9, zlib.DEFLATED, -15), msg)
    try:
        inflate_piecewise(data, 9)
        log("self-check failed: the message inflates with a 9-bit window")
    except zlib.error as e:
        log("a 9-bit window cannot inflate it (%s), a 15-bit one %s" % (
            e, "can" if inflate_piecewise(data, 15) == msg else "cannot"))
    conn.sendall(frame(TEXT, data, rsv1=True))
    log("sent %d bytes compressed with a 15-bit window (%d inflated)"
        % (len(data), len(msg)))
    finish_deflate(conn)


def s_deflate_context_reuse(conn, params=""):
    pmd_handshake(conn, params, agreed="server_no_context_takeover")
    msg = b"context reuse: the same words twice"
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first, second = deflate(comp, msg), deflate(comp, msg)
    try:
        zlib.decompressobj(-15).decompress(second + b"\x00\x00\xff\xff")
        log("self-check failed: the second message inflates on its own")
    except zlib.error as e:
        log("the second message cannot inflate on its own: %s" % e)
    conn.sendall(frame(TEXT, first, rsv1=True) + frame(TEXT, second, rsv1=True))
    log("sent two messages, the second using the first's context")
    finish_deflate(conn)


def s_deflate_bad_data(conn, params=""):
    pmd_handshake(conn, params)
    # BFINAL 1, BTYPE 11: a reserved block type, invalid from the first byte
    conn.sendall(frame(TEXT, b"\xff\xfenot deflate", rsv1=True))
    log("sent a frame with RSV1 whose payload is not deflate data")
    finish_deflate(conn)


def s_deflate_bomb(conn, params=""):
    """2048 fragments of 1 MiB of "a" each, compressed with context and
    sync-flushed (only the last loses the 00 00 ff ff tail); after the
    first, every fragment is the same 1,036 bytes. Fragments go 1 ms apart
    through a 64 KiB send buffer, so that a client closing early stops the
    stream early (the whole message would fit in the loopback buffers);
    a fragment begun is finished before the close is answered."""
    agreed = pmd_handshake(conn, params)
    comp = compressor_for(agreed)
    chunk = b"a" * (1 << 20)
    first = comp.compress(chunk) + comp.flush(zlib.Z_SYNC_FLUSH)
    same = comp.compress(chunk) + comp.flush(zlib.Z_SYNC_FLUSH)
    count, fragments, sent = 2048, 0, 0
    pending, close = b"", None
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    conn.setblocking(False)
    try:
        while fragments < count and close is None:
            if fragments:
                time.sleep(0.001)
            last = fragments == count - 1
            data = first if fragments == 0 else same
            out = frame(TEXT if fragments == 0 else CONT,
                        data[:-4] if last else data, fin=last,
                        rsv1=fragments == 0)
            while out:
                r, w, _ = select.select([conn], [conn], [], 30)
                if not r and not w:
                    log("bomb: no progress for 30 s")
                    return
                if r:
                    data = conn.recv(65536)
                    if not data:
                        log("client: EOF")
                        return
                    pending, seen = log_frames_rsv(pending + data)
                    close = close if close is not None else seen
                if w:
                    try:
                        n = conn.send(out)
                    except BlockingIOError:
                        n = 0
                    out, sent = out[n:], sent + n
            fragments += 1
    finally:
        log("bomb: %d of %d fragments sent, %d compressed bytes, %d MiB "
            "inflated" % (fragments, count, sent, fragments))
    conn.setblocking(True)
    if close is not None:
        conn.sendall(frame(CLOSE, close[:2]))
        return
    log("bomb: the whole message is out")
    finish_deflate(conn)


def log_frames_rsv(buf):
    """Log every complete client frame at the start of buf with its FIN and
    RSV1 bits. Returns the rest of buf and the payload of the first CLOSE
    among them (None if there is none)."""
    close = None
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
        opcode = buf[0] & 0x0F
        log("client: %s fin=%d rsv1=%d%s" % (
            describe(opcode, payload), buf[0] >> 7, buf[0] >> 6 & 1,
            "" if masked else " (unmasked)"))
        buf = buf[pos + n:]
        if opcode == CLOSE and close is None:
            close = payload
    return buf, close


def s_deflate_uncompressed_between(conn, params=""):
    agreed = pmd_handshake(conn, params)
    comp = compressor_for(agreed)
    conn.sendall(frame(TEXT, deflate(comp, b"first, compressed"), rsv1=True)
                 + frame(TEXT, "second, plain")
                 + frame(TEXT, deflate(comp, b"third, compressed"),
                         rsv1=True)
                 + frame(CLOSE, close_payload(1000)))
    log("sent compressed, plain, compressed, close 1000")
    finish_deflate(conn)


def s_no_answer(conn):
    read_request(conn)
    log("closing without an answer")


def s_endless(conn):
    handshake(conn)
    conn.setblocking(False)
    n, pending, out = 0, b"", b""
    try:
        while True:
            r, w, _ = select.select([conn], [conn], [], 1)
            if r:
                data = conn.recv(65536)
                if not data:
                    log("client: EOF")
                    return
                pending = log_frames(pending + data)
            if w:
                while len(out) < 65536:
                    n += 1
                    out += frame(TEXT, b"e%d" % n)
                try:
                    out = out[conn.send(out):]
                except BlockingIOError:
                    pass
    finally:
        log("sent about %d messages" % n)


def s_slow_reader(conn, size, ms):
    handshake(conn)
    size, pause = int(size), int(ms) / 1000.0
    buf, msgs, total = b"", 0, 0
    while True:
        time.sleep(pause)
        data = conn.recv(size)
        if not data:
            log("slow: EOF after %d messages, %d bytes" % (msgs, total))
            return
        buf += data
        while True:
            parsed = parse_frame(buf)
            if parsed is None:
                break
            b0, payload, used = parsed
            buf = buf[used:]
            opcode = b0 & 0x0F
            if opcode == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if payload else 1005
                log("slow: %d messages, %d bytes, close %d"
                    % (msgs, total, code))
                conn.sendall(frame(CLOSE, payload[:2]))
                return
            if opcode in (TEXT, BINARY, CONT):
                total += len(payload)
                if b0 & 0x80:
                    msgs += 1


def s_no_read(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    handshake(conn)
    log("reading nothing from now on")
    p = select.poll()
    p.register(conn, select.POLLRDHUP | select.POLLHUP | select.POLLERR)
    while not p.poll(1000):
        pass
    log("client: gone")


def parse_frame(buf):
    """One whole client frame at the start of buf: (first byte, unmasked
    payload, bytes used), or None if it is not all there yet."""
    if len(buf) < 2:
        return None
    n, pos = buf[1] & 0x7F, 2
    if n == 126:
        if len(buf) < 4:
            return None
        n, pos = struct.unpack("!H", buf[2:4])[0], 4
    elif n == 127:
        if len(buf) < 10:
            return None
        n, pos = struct.unpack("!Q", buf[2:10])[0], 10
    masked = buf[1] & 0x80
    key = buf[pos:pos + 4] if masked else b"\0\0\0\0"
    pos += 4 if masked else 0
    if len(buf) < pos + n:
        return None
    data = buf[pos:pos + n]
    k = (key * (n // 4 + 1))[:n]
    payload = (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")
               ).to_bytes(n, "big")
    return buf[0], payload, pos + n


def s_say(conn, *msgs):
    """Each MSG as a text frame, "bin:HEX" as a binary one, "sleep:MS" a
    pause; then the client's frames are logged until its close."""
    handshake(conn)
    for m in msgs:
        if m.startswith("sleep:"):
            time.sleep(int(m[6:]) / 1000)
        elif m.startswith("bin:"):
            conn.sendall(frame(BINARY, bytes.fromhex(m[4:])))
        else:
            conn.sendall(frame(TEXT, m))
    finish(conn)

def s_drop_after(conn, prefix, *msgs):
    """As say, then the client's frames are logged until a binary one
    that starts with the bytes PREFIX (hex): TCP is then closed at once,
    without a close frame and without reading what follows."""
    handshake(conn)
    for m in msgs:
        if m.startswith("bin:"):
            conn.sendall(frame(BINARY, bytes.fromhex(m[4:])))
        else:
            conn.sendall(frame(TEXT, m))
    want = bytes.fromhex(prefix)
    while True:
        fin, opcode, payload, masked = read_frame(conn)
        log_frame(opcode, payload, masked)
        if opcode == BINARY and payload.startswith(want):
            log("dropped after " + prefix)
            return


say_connections = 0


def s_say_stall_first(conn, *msgs):
    global say_connections
    say_connections += 1
    if say_connections > 1:
        s_say(conn, *msgs)
        return
    handshake(conn)
    for m in msgs:
        conn.sendall(frame(TEXT, m))
    time.sleep(0.5)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    log("resetting")

SCENARIOS = {name[2:].replace("_", "-"): fn
             for name, fn in globals().items() if name.startswith("s_")}


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in SCENARIOS:
        sys.exit("usage: raw.py PORT SCENARIO [ARGS...]\nscenarios: "
                 + " ".join(sorted(SCENARIOS)))
    port, scenario, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if scenario == "say-stall-first":
        # inherited by the connections, so that their window stays small
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
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
