#!/usr/bin/python3
"""WebSocket echo server (Python websockets, asyncio) with TLS, unix socket
and authentication options, for the wscli tests.

    /usr/bin/python3 wsserve.py [OPTIONS]

    --port P              listen on 127.0.0.1:P (default 0: any free port)
    --unix PATH           listen on the unix domain socket PATH instead
    --cert FILE --key FILE
                          serve TLS (wss://) with this certificate and key
    --client-ca FILE      with --cert: require a client certificate signed
                          by a CA in FILE
    --basic USER:PASS     require HTTP Basic authentication (401 otherwise)
    --bearer TOKEN        require "Authorization: Bearer TOKEN" (401 otherwise)

Prints the port (or "unix PATH") on the first line of stdout once it
listens, then echoes every message back with its type. Every upgrade request
is logged on stderr: "wsserve: request: GET /path" and one
"wsserve: header: Name: value" line per header; refused requests are logged
as "wsserve: refused 401". TLS handshake failures are logged as
"wsserve: tls: ...".
"""

import argparse
import asyncio
import base64
import http
import ssl
import sys

import websockets


def log(msg):
    print("wsserve: " + msg, file=sys.stderr, flush=True)


def make_checker(opts):
    expected = None
    if opts.basic:
        expected = "Basic " + base64.b64encode(opts.basic.encode()).decode()
    elif opts.bearer:
        expected = "Bearer " + opts.bearer

    async def process_request(path, headers):
        log("request: GET " + path)
        for name, value in headers.raw_items():
            log("header: %s: %s" % (name, value))
        if expected is None:
            return None
        if headers.get("Authorization") == expected:
            return None
        log("refused 401")
        scheme = "Basic" if opts.basic else "Bearer"
        body = b'{"error":"unauthorized","hint":"send credentials"}\n'
        return (http.HTTPStatus.UNAUTHORIZED,
                [("WWW-Authenticate", '%s realm="wscli-test"' % scheme),
                 ("Content-Type", "application/json"),
                 ("Content-Length", str(len(body))),
                 ("Connection", "close")],
                body)

    return process_request


async def echo(ws, path=None):
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


def tls_context(opts):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(opts.cert, opts.key)
    if opts.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(opts.client_ca)
    return ctx


def exception_handler(loop, context):
    exc = context.get("exception")
    if isinstance(exc, (ssl.SSLError, ConnectionError)):
        log("tls: " + str(exc))
    else:
        loop.default_exception_handler(context)


async def main(opts):
    asyncio.get_running_loop().set_exception_handler(exception_handler)
    kw = dict(max_size=None, process_request=make_checker(opts))
    if opts.cert:
        kw["ssl"] = tls_context(opts)
    if opts.unix:
        server = await websockets.unix_serve(echo, opts.unix, **kw)
        print("unix " + opts.unix, flush=True)
    else:
        server = await websockets.serve(echo, "127.0.0.1", opts.port, **kw)
        print(server.sockets[0].getsockname()[1], flush=True)
    await server.wait_closed()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--unix")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--client-ca")
    p.add_argument("--basic")
    p.add_argument("--bearer")
    asyncio.run(main(p.parse_args()))
