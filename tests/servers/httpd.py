#!/usr/bin/python3
"""Plain HTTP server answering WebSocket upgrade requests with fixed
responses, one route per argument, for the wscli tests.

    /usr/bin/python3 httpd.py PORT ROUTE...

Listens on 127.0.0.1:PORT (0: any free port), prints the port on the first
line of stdout and serves each connection in its own thread. A ROUTE is one
argument of words separated by spaces:

    "PATH 3xx LOCATION"   redirect: that status with "Location: LOCATION"
    "PATH 401"            401 with WWW-Authenticate and a JSON body
    "PATH 403"            403 with a plain text body
    "PATH silent"         a correct 101 upgrade, then read and ignore
                          everything (no pong, no close answer) until the
                          client goes away

In LOCATION, "{port}" is replaced by the server's own port. Requests for
other paths get 404. The query string is ignored when matching. Every
request is logged on stderr as "http: request: METHOD TARGET HOST", with
"http: authorization for TARGET: VALUE" when it has an Authorization
header, then
"http: answer: STATUS".
"""

import base64
import hashlib
import socket
import sys
import threading

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
REASONS = {301: "Moved Permanently", 302: "Found", 303: "See Other",
           307: "Temporary Redirect", 308: "Permanent Redirect",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
lock = threading.Lock()
routes = {}
port = 0


def log(msg):
    with lock:
        print("http: " + msg, file=sys.stderr, flush=True)


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None, None
        data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers


def respond(conn, status, headers=(), body=b""):
    head = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status"))]
    head += list(headers)
    head += ["Content-Length: %d" % len(body), "Connection: close"]
    conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    log("answer: %d" % status)


def silent(conn, headers):
    key = headers.get("sec-websocket-key", "")
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest())
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\n"
                 b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    log("answer: 101, then silence")
    conn.settimeout(60)
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass
    log("client gone")


def serve(conn):
    try:
        conn.settimeout(30)
        request, headers = read_request(conn)
        if request is None:
            return
        parts = request.split(" ")
        target = parts[1] if len(parts) > 1 else "/"
        log("request: %s %s %s" % (parts[0], target, headers.get("host", "-")))
        if "authorization" in headers:
            log("authorization for %s: %s" % (target, headers["authorization"]))
        route = routes.get(target.split("?", 1)[0])
        if route is None:
            respond(conn, 404, ["Content-Type: text/plain"], b"no such route\n")
        elif route[0] == "silent":
            silent(conn, headers)
        elif route[0] == "401":
            respond(conn, 401,
                    ['WWW-Authenticate: Basic realm="wscli-test", charset="UTF-8"',
                     "Content-Type: application/json"],
                    b'{"error":"unauthorized","detail":"token expired"}\n')
        elif route[0] == "403":
            respond(conn, 403, ["Content-Type: text/plain"],
                    b"forbidden: go away\n")
        else:
            status = int(route[0])
            location = route[1].replace("{port}", str(port))
            respond(conn, status, ["Location: " + location,
                                   "Content-Type: text/plain"],
                    b"moved to " + location.encode() + b"\n")
    except OSError as e:
        log("connection: " + str(e))
    finally:
        conn.close()


def main():
    global port
    for spec in sys.argv[2:]:
        words = spec.split()
        routes[words[0]] = words[1:]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(sys.argv[1])))
    srv.listen(16)
    port = srv.getsockname()[1]
    print(port, flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
