#!/bin/sh
# tests/bench/socketio.sh - what a Socket.IO event round trip costs the
# client: wscli --proto socketio next to the official Node client
# (socket.io-client, tests/bench/sio-client.js) against the same socket.io 4
# server (tests/servers/sio-server.js --quiet), in the same run. Measures
# and prints; not a test.
#
#   sh tests/bench/socketio.sh                 full run
#   SIO_SCALE=0.1 sh tests/bench/socketio.sh   quick run
#   SIO_REPEAT=5 sh tests/bench/socketio.sh    runs of each (default 3)
#
# Two workloads, each client the only one connected:
#   ack    N lockstep round trips: emit "sum" asking for an ack, wait for
#          the ack, emit the next (wscli: stdin lines with --ack)
#   echo   M "echo" events emitted as fast as the client goes, until the
#          M echoes are back (wscli: stdin lines, -n M)
# For each: wall time, the client's CPU time (user + system, from
# /usr/bin/time) and its peak resident memory, from the run with the
# median CPU time of SIO_REPEAT runs, the clients taking turns (the CPU
# is mostly the kernel's, waking up as the server's writes come, and
# varies from run to run on a shared machine); then wscli's CPU per event
# as a fraction of socket.io-client's, and wscli's memory with M/5 and M
# events (constant memory: the same peak).

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
WSCLI=${WSCLI:-$ROOT/wscli}
SCALE=${SIO_SCALE:-1}
REPEAT=${SIO_REPEAT:-3}
NM=$ROOT/tests/servers/node_modules

die() { printf 'bench-socketio: %s\n' "$*" >&2; exit 1; }
[ -x "$WSCLI" ] || die "$WSCLI not found: run make first"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian: time)"
[ -d "$NM/socket.io" ] || die "socket.io not installed: sh tests/install-deps.sh"

scaled() { awk -v s="$SCALE" -v n="$1" -v m="$2" \
    'BEGIN { v = int(n * s); if (v < m) v = m; print v }'; }
N=$(scaled 20000 500)
M=$(scaled 100000 2000)
M5=$((M / 5))

if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base=${TMPDIR:-/tmp}; fi
T=$(mktemp -d "$base/wscli-sio-bench.XXXXXX") || exit 1
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

node "$ROOT/tests/servers/sio-server.js" --port 0 --ping-interval 25000 \
    --ping-timeout 20000 --quiet >"$T/server.port" 2>"$T/server.err" &
pids="$pids $!"
i=0
while ! grep -q . "$T/server.port" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 200 ] && die "socket.io server did not start"; sleep 0.05
done
read -r PORT <"$T/server.port"
U=ws://127.0.0.1:$PORT

awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "[\"sum\",%d,1]\n", i }' >"$T/ack.in"
for m in "$M" "$M5"; do
    awk -v n="$m" 'BEGIN { x = sprintf("%32s", ""); gsub(/ /, "x", x)
        for (i = 0; i < n; i++) printf "[\"echo\",%d,\"%s\"]\n", i, x }' >"$T/echo.$m.in"
done

# measure NAME CMD...: run CMD (stdin from $IN), add "wall user sys kb"
# to $T/runs.NAME
measure() {
    name=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$T/time" "$@" <"$IN" >"$T/out.$name" 2>"$T/err.$name" ||
        printf 'bench-socketio: %s failed (status %s): %s\n' "$name" "$?" "$(tail -n 2 "$T/err.$name")" >&2
    cat "$T/time" >>"$T/runs.$name"
}

r=0
while [ $r -lt "$REPEAT" ]; do
    r=$((r + 1))
    IN=$T/ack.in
    measure ack-wscli "$WSCLI" -q --ack --proto socketio "$U"
    IN=/dev/null
    measure ack-node env NODE_PATH="$NM" node "$ROOT/tests/bench/sio-client.js" "$U" ack "$N"
    IN=$T/echo.$M.in
    measure echo-wscli "$WSCLI" -q -n "$M" --proto socketio "$U"
    IN=$T/echo.$M5.in
    measure echo5-wscli "$WSCLI" -q -n "$M5" --proto socketio "$U"
    IN=/dev/null
    measure echo-node env NODE_PATH="$NM" node "$ROOT/tests/bench/sio-client.js" "$U" echo "$M"
done
# the run with the median CPU time of each
for f in "$T"/runs.*; do
    awk '{ print $2 + $3, $0 }' "$f" | sort -n |
        awk -v m=$(( (REPEAT + 1) / 2 )) 'NR == m { $1 = ""; sub(/^ /, ""); print }' \
        >"$T/time.${f#"$T"/runs.}"
done

check() { # NAME WANT: the run gave what it should
    case $1 in
    ack-wscli) [ "$(wc -l <"$T/out.$1")" -eq "$N" ] && [ "$(tail -n 1 "$T/out.$1")" = "[$N]" ] ;;
    echo-wscli) [ "$(wc -l <"$T/out.$1")" -eq "$M" ] ;;
    echo5-wscli) [ "$(wc -l <"$T/out.$1")" -eq "$M5" ] ;;
    *-node) grep -q '^ok ' "$T/out.$1" ;;
    esac && echo ok || echo FAILED
}

row() { # WORKLOAD CLIENT NAME EVENTS
    read -r wall user sys kb <"$T/time.$3" 2>/dev/null || { wall=0 user=0 sys=0 kb=0; }
    awk -v w="$1" -v c="$2" -v n="$4" -v wall="$wall" -v u="$user" -v s="$sys" \
        -v kb="$kb" -v chk="$(check "$3")" 'BEGIN {
        cpu = u + s
        printf "%-5s %-17s %8d %8.2f %8.2f %11.1f %8.1f  %s\n", w, c, n, wall,
            cpu, cpu * 1e6 / n, kb / 1024, chk }'
}

cpu_per() { # NAME EVENTS
    read -r wall user sys kb <"$T/time.$1" 2>/dev/null || { user=0 sys=0; }
    awk -v u="$user" -v s="$sys" -v n="$2" 'BEGIN { printf "%.9f", (u + s) / n }'
}

echo
echo "Socket.IO event round trips: wscli --proto socketio and socket.io-client"
echo "against one socket.io $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$NM/socket.io/package.json") server (websocket transport), the client's own CPU,"
echo "the median of $REPEAT runs"
printf '%-5s %-17s %8s %8s %8s %11s %8s\n' "" client events "wall s" "CPU s" "CPU us/evt" "RSS MiB"
row ack wscli ack-wscli "$N"
row ack socket.io-client ack-node "$N"
row echo wscli echo-wscli "$M"
row echo socket.io-client echo-node "$M"
row echo wscli echo5-wscli "$M5"
awk -v a="$(cpu_per ack-wscli "$N")" -v b="$(cpu_per ack-node "$N")" \
    -v c="$(cpu_per echo-wscli "$M")" -v d="$(cpu_per echo-node "$M")" 'BEGIN {
    printf "wscli CPU per event as a fraction of socket.io-client'"'"'s: ack %.3f, echo %.3f (target: 0.2 at most)\n",
        (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
read -r _ _ _ kb1 <"$T/time.echo5-wscli"
read -r _ _ _ kb2 <"$T/time.echo-wscli"
echo "wscli peak memory with $M5 and $M echo events: $((kb1 / 1024)) MiB and $((kb2 / 1024)) MiB"
