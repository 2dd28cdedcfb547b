#!/bin/sh
# tests/bench/relay.sh - what wscli in the middle (relay mode) costs: the
# same client work against the echo server directly, then through
# wscli -l 0 --forward. Measures and prints; not a test.
#
#   sh tests/bench/relay.sh                    full run
#   RELAY_SCALE=0.1 sh tests/bench/relay.sh    quick run
#
# Server: tests/bench/echo-server.c (C, wscli's frame.c; see tests/bench.sh).
# Client: wscli itself, driven by tests/bench/runner.c. Relay: wscli -q -l 0
# --forward ws://127.0.0.1:ECHO/, its log on stdout going to /dev/null (it
# is still formatted and written). Three workloads:
#   latency   N round trips of 64 B in lockstep (after 100 untimed):
#             p50 and p99
#   messages  M text messages of 4 KiB each way: messages and MiB per second
#   large     one binary message of S bytes each way: MiB per second
# For each: the client's wall time, and with the relay the relay's own CPU
# time (from /proc) and peak resident memory (VmHWM).

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
B=$ROOT/tests/bench
WSCLI=${WSCLI:-$ROOT/wscli}
SCALE=${RELAY_SCALE:-1}

die() { printf 'bench-relay: %s\n' "$*" >&2; exit 1; }
[ -x "$WSCLI" ] || die "$WSCLI not found: run make first"

scaled() { awk -v s="$SCALE" -v n="$1" -v m="$2" \
    'BEGIN { v = int(n * s); if (v < m) v = m; print v }'; }
N=$(scaled 10000 200)
M=$(scaled 100000 1000)
S=$(scaled 268435456 1048576)
TMO=600

if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base=${TMPDIR:-/tmp}; fi
T=$(mktemp -d "$base/wscli-relay-bench.XXXXXX") || exit 1
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

CFLAGS_B="-O2 -std=c11 -D_GNU_SOURCE -Wall"
cc $CFLAGS_B -I"$ROOT" -o "$T/echo-server" "$B/echo-server.c" "$ROOT/frame.c" \
    "$ROOT/deflate.c" -lcrypto -lz || die "cannot build the echo server"
cc $CFLAGS_B -o "$T/runner" "$B/runner.c" || die "cannot build the runner"
RUN=$T/runner

"$T/echo-server" >"$T/echo.port" 2>"$T/echo.err" &
pids="$pids $!"
i=0
while ! grep -q . "$T/echo.port" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && die "echo server did not start"; sleep 0.05
done
read -r ECHO <"$T/echo.port"

"$WSCLI" -q -l 0 --forward "ws://127.0.0.1:$ECHO/" </dev/null >/dev/null \
    2>"$T/relay.err" &
RPID=$!
pids="$pids $RPID"
i=0
while ! grep -q 'listening on' "$T/relay.err" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && die "the relay did not start"; sleep 0.05
done
RELAY=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$T/relay.err")

cpu() {     # the relay's CPU seconds so far
    awk '{ print ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$RPID/stat"
}
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

echo "wscli relay overhead  $(date -u '+%Y-%m-%d %H:%M UTC')  scale $SCALE"
echo "machine: $(nproc) CPU(s), Linux $(uname -r); client: wscli; server: tests/bench/echo-server.c"
printf '%-9s %-8s %10s %10s %10s %12s %10s  %s\n' workload path wall_s \
    msgs/s MiB/s latency_us relay_cpu check

# ------------------------------------------------------------- latency
for path in direct relay; do
    port=$ECHO; [ $path = relay ] && port=$RELAY
    c0=$(cpu)
    line=$($RUN --timeout $TMO --err "$T/err" --lockstep "$N" --warmup 100 \
        --size 64 -- "$WSCLI" -q "ws://127.0.0.1:$port/")
    c1=$(cpu)
    rcpu=-; [ $path = relay ] && rcpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
    bad=$(field "$line" bad)
    printf '%-9s %-8s %10s %10.0f %10s %12s %10s  %s\n' latency $path \
        "$(field "$line" wall)" \
        "$(awk -v n="$N" -v w="$(field "$line" wall)" 'BEGIN { print n / w }')" - \
        "p50 $(field "$line" p50_us) p99 $(field "$line" p99_us)" "$rcpu" \
        "$([ "${bad:-x}" = 0 ] && echo ok || echo "FAILED ($bad bad)")"
done

# ------------------------------------------------------------ messages
awk -v n="$M" 'BEGIN {
    pad = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    while (length(pad) < 4096) pad = pad pad
    pad = substr(pad, 1, 4096 - 13)
    for (i = 0; i < n; i++) printf "%012d %s\n", i, pad
}' >"$T/lines"
mib=$(awk -v n="$M" 'BEGIN { printf "%.3f", n * 4096 / 1048576 }')
for path in direct relay; do
    port=$ECHO; [ $path = relay ] && port=$RELAY
    c0=$(cpu)
    line=$($RUN --timeout $TMO --in "$T/lines" --out "$T/out" --err "$T/err" \
        -- "$WSCLI" -q "ws://127.0.0.1:$port/")
    c1=$(cpu)
    rcpu=-; [ $path = relay ] && rcpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
    w=$(field "$line" wall)
    printf '%-9s %-8s %10s %10.0f %10.1f %12s %10s  %s\n' messages $path "$w" \
        "$(awk -v n="$M" -v w="$w" 'BEGIN { print n / w }')" \
        "$(awk -v m="$mib" -v w="$w" 'BEGIN { print m / w }')" - "$rcpu" \
        "$(cmp -s "$T/lines" "$T/out" && echo ok || echo FAILED)"
    rm -f "$T/out"
done
rm -f "$T/lines"

# --------------------------------------------------------------- large
head -c "$S" /dev/urandom >"$T/big"
mib=$(awk -v b="$S" 'BEGIN { printf "%.3f", b / 1048576 }')
for path in direct relay; do
    port=$ECHO; [ $path = relay ] && port=$RELAY
    c0=$(cpu)
    line=$($RUN --timeout $TMO --in "$T/big" --out "$T/out" --err "$T/err" \
        -- "$WSCLI" -q -b --no-split "ws://127.0.0.1:$port/")
    c1=$(cpu)
    rcpu=-; [ $path = relay ] && rcpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
    w=$(field "$line" wall)
    printf '%-9s %-8s %10s %10s %10.1f %12s %10s  %s\n' large $path "$w" 1 \
        "$(awk -v m="$mib" -v w="$w" 'BEGIN { print m / w }')" - "$rcpu" \
        "$(cmp -s "$T/big" "$T/out" && echo ok || echo FAILED)"
    rm -f "$T/out"
done
echo "relay peak resident memory: $(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$RPID/status")"
