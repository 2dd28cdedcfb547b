#!/bin/sh
# Start the seed article's echo server (Node "ws") on loopback and open an
# interactive wscli session on it. Used by "make demo".
set -eu
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
node tests/servers/echo.js --port "${PORT:-8080}" >"$dir/port" 2>"$dir/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
i=0
while [ ! -s "$dir/port" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
		echo "demo: the echo server did not start:" >&2
		cat "$dir/err" >&2
		exit 1
	fi
	sleep 0.1
done
port=$(head -n 1 "$dir/port")
echo "demo: echo server (Node ws) on ws://127.0.0.1:$port/ -- type a line," \
    "/help for commands, Ctrl-D to quit" >&2
./wscli "ws://127.0.0.1:$port/" || true
