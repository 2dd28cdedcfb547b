#!/bin/sh
# tests/bench/graphql.sh - what one GraphQL "next" costs wscli
# (--proto graphql) next to graphql-ws's own Node client, against the same
# graphql-ws server in the same run. Measures and prints; not a test.
#
#   sh tests/bench/graphql.sh                 full run
#   GQL_SCALE=0.1 sh tests/bench/graphql.sh   quick run
#
# Server: tests/servers/gql-server.js (graphql-ws over ws, Node). Each
# client gets one operation on stdin, subscription { tick(n: N, ms: 0) },
# and writes every next payload to a file, one JSON line each; N and 10 N
# nexts, so that memory that grows with the count shows. Per client and
# count: the wall time, user + system CPU seconds (from wait4, through
# /usr/bin/time), CPU microseconds per next, peak resident memory, and
# whether the output had the N lines. The server's CPU is the same work
# for both and is not counted.
#
# Read the figures with the machine's load in mind: the server sends as
# fast as it can, one next at a time. A client that keeps up would wake
# once per next; wscli sees the nexts streaming in and reads them in
# batches (a 0.5 ms sleep before each wait, see GUARANTEES in wscli(1)),
# while graphql-ws's client falls behind and batches as it can (it also
# writes its output every 256 lines or 5 ms).

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
WSCLI=${WSCLI:-$ROOT/wscli}
SCALE=${GQL_SCALE:-1}

die() { printf 'bench-graphql: %s\n' "$*" >&2; exit 1; }
[ -x "$WSCLI" ] || die "$WSCLI not found: run make first"
[ -x /usr/bin/time ] || die "/usr/bin/time missing (Debian package time)"
[ -d tests/servers/node_modules/graphql-ws ] ||
    die "graphql-ws missing: sh tests/install-deps.sh"
N=$(awk -v s="$SCALE" 'BEGIN { v = int(20000 * s); if (v < 1000) v = 1000; print v }')

T=$(mktemp -d "${TMPDIR:-/tmp}/wscli-gql-bench.XXXXXX") || exit 1
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

node tests/servers/gql-server.js --port 0 >"$T/server.port" 2>/dev/null &
pids="$pids $!"
i=0
while ! grep -q . "$T/server.port" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && die "gql-server.js did not start"; sleep 0.1
done
read -r PORT <"$T/server.port"
URL=ws://127.0.0.1:$PORT/

echo "GraphQL over WebSocket: one next  $(date -u '+%Y-%m-%d %H:%M UTC')  scale $SCALE"
echo "machine: $(nproc) CPU(s), Linux $(uname -r); Node $(node --version)," \
    "graphql-ws $(node -p 'require("./tests/servers/node_modules/graphql-ws/package.json").version')"
echo "server: tests/servers/gql-server.js (graphql-ws); operation: subscription { tick(n: N, ms: 0) }"
printf '%-8s %8s %8s %8s %10s %9s  %s\n' client nexts wall_s cpu_s us/next \
    peak_MiB check

run() {     # NAME COUNT CMD...
    name=$1 count=$2
    shift 2
    echo "subscription { tick(n: $count, ms: 0) }" >"$T/in"
    /usr/bin/time -f '%e %U %S %M' -o "$T/time" "$@" <"$T/in" >"$T/out" \
        2>"$T/err"
    rc=$?
    lines=$(wc -l <"$T/out")
    last=$(tail -n 1 "$T/out")
    check=ok
    if [ "$rc" -ne 0 ] || [ "$lines" -ne "$count" ] ||
        [ "$last" != "{\"data\":{\"tick\":$count}}" ]; then
        check="FAILED (status $rc, $lines lines: $(head -c 200 "$T/err"))"
    fi
    # the last line of -o holds the figures (a status note may precede)
    tail -n 1 "$T/time" | awk -v c="$name" -v n="$count" -v k="$check" '{
        cpu = $2 + $3
        printf "%-8s %8d %8.2f %8.2f %10.1f %9.1f  %s\n", c, n, $1, cpu,
            cpu * 1e6 / n, $4 / 1024, k }' | tee -a "$T/table"
}

for count in "$N" $((N * 10)); do
    run wscli "$count" "$WSCLI" -q --proto graphql "$URL"
    run node "$count" node tests/bench/gql-client.js "$URL"
done
# what one more next costs, start-up aside: the difference between the
# two counts, per next
awk -v n="$N" '
    $1 == "wscli" || $1 == "node" { cpu[$1, $2 == n ? 1 : 10] = $4 }
    END {
        w = (cpu["wscli", 10] - cpu["wscli", 1]) * 1e6 / (9 * n)
        d = (cpu["node", 10] - cpu["node", 1]) * 1e6 / (9 * n)
        printf "per next, start-up aside: wscli %.2f us, node %.2f us of CPU: wscli/node = %.2f\n",
            w, d, (d > 0 ? w / d : 0) }' "$T/table"
