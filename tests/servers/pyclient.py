#!/usr/bin/python3
"""WebSocket client (Python websockets, asyncio) for the wscli tests: the
same interface and output as client.js, with a second implementation.

    /usr/bin/python3 pyclient.py URL [--deflate] [-s PROTO]... [--send MSG]...
                     [--binary-hex HEX]... [--close CODE REASON] [--expect N]

Connects to URL (offering permessage-deflate only with --deflate, and each
-s PROTO as a subprotocol) and prints on stdout

    open <protocol> <extensions>     the negotiated ones, "-" for none

(the protocol, and the response's Sec-WebSocket-Extensions as sent) then
sends the --send (text) and --binary-hex (binary) messages in the order
given and prints every message received (until the close completes) as

    text <msg>                       or   binary <hex>

Once N messages have arrived (at once without --expect) it closes with CODE
and REASON (default 1000, no reason) and prints

    close <code> <reason>

(the code and reason of the peer's close frame) when the closing handshake
completes, whoever started it; exit 0. A connection lost without one prints
"close 1006 " and exits 1. Any error prints "error <message>" and exits 1;
a hard 10 s timer exits 2. The response headers go to stderr as
"pyclient.py: ...".
"""

import asyncio
import binascii
import os
import signal
import sys

import websockets


def log(msg):
    print("pyclient.py: " + msg, file=sys.stderr, flush=True)


def say(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def usage(msg):
    log(msg)
    sys.exit("usage: pyclient.py URL [--deflate] [-s PROTO]... [--send MSG]..."
             " [--binary-hex HEX]... [--close CODE REASON] [--expect N]")


def parse(argv):
    opt = {"url": None, "deflate": False, "protocols": [], "out": [],
           "code": 1000, "reason": "", "expect": 0}
    i = 0
    while i < len(argv):
        a = argv[i]

        def arg(n=1):
            if i + n >= len(argv):
                usage("%s needs %d argument(s)" % (a, n))
            return argv[i + 1:i + 1 + n]
        if a == "--deflate":
            opt["deflate"] = True
        elif a == "-s":
            opt["protocols"].append(arg()[0])
            i += 1
        elif a == "--send":
            opt["out"].append(arg()[0])
            i += 1
        elif a == "--binary-hex":
            try:
                opt["out"].append(bytes.fromhex(arg()[0]))
            except ValueError:
                usage("bad hex: " + argv[i + 1])
            i += 1
        elif a == "--close":
            code, reason = arg(2)
            opt["code"], opt["reason"] = int(code), reason
            i += 2
        elif a == "--expect":
            opt["expect"] = int(arg()[0])
            i += 1
        elif opt["url"] is None and not a.startswith("-"):
            opt["url"] = a
        else:
            usage("unknown argument: " + a)
        i += 1
    if opt["url"] is None:
        usage("no URL")
    return opt


def show(message):
    if isinstance(message, str):
        say("text " + message)
    else:
        say("binary " + binascii.hexlify(message).decode())


async def run(opt):
    ws = await websockets.connect(
        opt["url"], subprotocols=opt["protocols"] or None,
        compression="deflate" if opt["deflate"] else None,
        max_size=None, max_queue=None, ping_interval=None, open_timeout=5,
        close_timeout=5)
    for name, value in ws.response_headers.raw_items():
        log("header: %s: %s" % (name, value))
    say("open %s %s" % (ws.subprotocol or "-",
                        ws.response_headers.get("Sec-WebSocket-Extensions",
                                                "-")))
    for m in opt["out"]:
        await ws.send(m)
    received = 0
    try:
        while received < opt["expect"]:
            show(await ws.recv())
            received += 1
        await ws.close(opt["code"], opt["reason"])
    except websockets.ConnectionClosed:
        pass
    await ws.wait_closed()
    # what arrived while closing is still queued
    try:
        while True:
            show(await ws.recv())
    except websockets.ConnectionClosed:
        pass
    say("close %d %s" % (ws.close_code, ws.close_reason))
    return 1 if ws.close_code == 1006 else 0


def explain(e):
    """The exception and its causes: websockets, having rejected a
    response, may wait for the server to close, and then time out."""
    parts = []
    while e is not None and len(parts) < 5:
        if not isinstance(e, asyncio.CancelledError):
            text = str(e) or type(e).__name__
            if text not in parts:
                parts.append(text)
        e = e.__cause__ or e.__context__
    return "; ".join(parts)


def timeout(signum, frame):
    say("error timeout after 10 s")
    os._exit(2)


def main():
    opt = parse(sys.argv[1:])
    signal.signal(signal.SIGALRM, timeout)
    signal.alarm(10)
    try:
        status = asyncio.run(run(opt))
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException,
            ValueError) as e:
        say("error " + explain(e))
        status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
