#!/bin/sh
# tests/bench/listen.sh - wscli -l with many clients at once: its CPU time
# and memory, measured (tests/bench/listen-load.c drives the clients).
# Not a test: it prints numbers.
#
#   sh tests/bench/listen.sh
#   LISTEN_CLIENTS=1000 LISTEN_MESSAGES=100 LISTEN_FANOUT=1000 sh tests/bench/listen.sh
#
# Two runs, each with LISTEN_CLIENTS clients (default 1000) connected at
# once:
#   echo     wscli -l 0 --echo; every client sends LISTEN_MESSAGES text
#            messages of 64 bytes in lockstep with its echoes
#   fanout   wscli -l 0; LISTEN_FANOUT lines of 64 bytes on its stdin, each
#            sent to every client
# For each: the time to connect every client, wscli's CPU time (user +
# system) and resident memory after connecting, during the exchange, and its
# peak (VmHWM).

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
WSCLI=${WSCLI:-$ROOT/wscli}
N=${LISTEN_CLIENTS:-1000}
M=${LISTEN_MESSAGES:-100}
K=${LISTEN_FANOUT:-1000}

die() { printf 'bench-listen: %s\n' "$*" >&2; exit 1; }
[ -x "$WSCLI" ] || die "$WSCLI not found: run make first"
T=$(mktemp -d "${TMPDIR:-/tmp}/wscli-listen-bench.XXXXXX") || exit 1
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

# every client is a descriptor on both sides
need=$((N + 64))
[ "$(ulimit -n)" -ge "$need" ] || ulimit -n "$need" 2>/dev/null ||
    die "ulimit -n is $(ulimit -n); $need descriptors are needed"

cc -O2 -I"$ROOT" -o "$T/listen-load" "$ROOT/tests/bench/listen-load.c" \
    "$ROOT/frame.c" -lcrypto || die "cannot build listen-load"

port_of() {     # ERRFILE: the port of "listening on ADDR:PORT"
    tries=100
    while [ "$tries" -gt 0 ]; do
        p=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$1")
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

echo "wscli -l with $N clients on loopback ($(nproc) CPUs, $(uname -r))"

# ------------------------------------------------------------------ echo
"$WSCLI" -q -l 0 --echo </dev/null >/dev/null 2>"$T/echo.err" &
wpid=$!
pids="$pids $wpid"
port=$(port_of "$T/echo.err") || die "wscli did not listen: $(cat "$T/echo.err")"
"$T/listen-load" --port "$port" --clients "$N" --messages "$M" --pid "$wpid" \
    >"$T/echo.out" || { cat "$T/echo.out"; die "the echo run failed"; }
kill "$wpid"
wait "$wpid" 2>/dev/null
cat "$T/echo.out"

# ---------------------------------------------------------------- fanout
mkfifo "$T/in"
"$WSCLI" -q -l 0 <"$T/in" >/dev/null 2>"$T/fan.err" &
wpid=$!
pids="$pids $wpid"
exec 9>"$T/in"
port=$(port_of "$T/fan.err") || die "wscli did not listen: $(cat "$T/fan.err")"
"$T/listen-load" --port "$port" --clients "$N" --fanout "$K" --pid "$wpid" \
    >"$T/fan.out" &
lpid=$!
pids="$pids $lpid"
tries=600
while ! grep -q '^ready$' "$T/fan.out" 2>/dev/null; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || die "the clients did not connect"
    sleep 0.1
done
awk -v k="$K" 'BEGIN { for (i = 1; i <= k; i++) printf "line %06d %s\n", i,
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' >&9
wait "$lpid" || { cat "$T/fan.out"; die "the fanout run failed"; }
exec 9>&-
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
grep -v '^ready$' "$T/fan.out"
