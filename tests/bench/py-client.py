#!/usr/bin/python3
"""A WebSocket client written with websocket-client (import websocket), as
one would write it by hand: connect, send each line of stdin as a text
message from the main thread while a second thread prints each message
received on its own line; with --binary send all of stdin as one binary
message and write the echo as it is. Closes once every message sent has
been answered.

    /usr/bin/python3 py-client.py URL [--binary]
"""
import sys
import threading

import websocket

url = sys.argv[1]
binary = "--binary" in sys.argv[2:]

ws = websocket.create_connection(url, enable_multithread=True)
out = sys.stdout.buffer

if binary:
    ws.send_binary(sys.stdin.buffer.read())
    opcode, data = ws.recv_data()
    out.write(data)
    out.flush()
    ws.close()
    sys.exit(0)

cond = threading.Condition()
count = {"sent": 0, "received": 0}


def reader():
    while True:
        try:
            opcode, data = ws.recv_data()
        except Exception:
            break
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            break
        out.write(data)
        out.write(b"\n")
        out.flush()
        with cond:
            count["received"] += 1
            cond.notify()


t = threading.Thread(target=reader)
t.start()
for line in sys.stdin:
    ws.send(line.rstrip("\r\n"))
    with cond:
        count["sent"] += 1
with cond:
    cond.wait_for(lambda: count["received"] >= count["sent"])
ws.send_close()
t.join()
ws.shutdown()
