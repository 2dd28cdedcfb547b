#!/bin/sh
# tests/bench/load.sh - wscli --load next to the load clients people run
# today, against the same server doing the same work. Not a test: it
# prints numbers.
#
#   sh tests/bench/load.sh
#   LOAD_CONNECTIONS=2000 LOAD_MESSAGES=50 sh tests/bench/load.sh
#
# The server: the Node "ws" echo server of the tests (tests/servers/echo.js),
# a fresh one for each client. The work: LOAD_CONNECTIONS connections
# (default 1000) arriving over one second, each sending LOAD_MESSAGES
# (default 50) short text messages in lockstep with their echoes, then
# closing. The clients:
#
#   wscli      wscli --load --rate N --msg-rate lockstep -n M
#   node       tests/bench/load-node.js, the script one writes with npm "ws"
#              (exact percentiles from every sample)
#   artillery  Artillery's WebSocket engine (a send with a capture waits for
#              the echo); installed only on request, it is large:
#              BENCH_ARTILLERY=1 sh tests/install-deps.sh
#
# Then the same three against a server that answers every message 5 ms
# late (tests/servers/loadtarget.py delay 5), 50 connections of 40
# messages: the round trip is known, so what each client reports above
# 5 ms is its own doing.
#
# For each: how long until every connection was open (connections/s), the
# echoed messages a second over the whole run, the client's CPU time and
# peak memory (/usr/bin/time), the server's CPU time, and the percentiles
# each reports. Artillery's WebSocket engine times no message, only each
# virtual user's whole session: its percentiles are set against the same
# figure from the Node script, the round trips of wscli against the Node
# script's.

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
B=$ROOT/tests/bench
WSCLI=${WSCLI:-$ROOT/wscli}
N0=${LOAD_CONNECTIONS:-1000}
M0=${LOAD_MESSAGES:-50}
N=$N0
ART=$B/artillery/node_modules/.bin/artillery

die() { printf 'bench-load: %s\n' "$*" >&2; exit 1; }
[ -x "$WSCLI" ] || die "$WSCLI not found: run make first"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (Debian package time)"
T=$(mktemp -d "${TMPDIR:-/tmp}/wscli-load-bench.XXXXXX") || exit 1
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

need=$((N + 64))
[ "$(ulimit -n)" -ge "$need" ] || ulimit -n "$need" 2>/dev/null ||
    die "ulimit -n is $(ulimit -n); $need descriptors are needed"

cpu_of() {      # PID: utime + stime in seconds, from /proc
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
        "/proc/$1/stat" 2>/dev/null || echo 0
}

start_server() {
    rm -f "$T/server.out"
    if [ "$DELAY" -gt 0 ]; then
        /usr/bin/python3 "$ROOT/tests/servers/loadtarget.py" 0 delay \
            "$DELAY" >"$T/server.out" 2>/dev/null &
    else
        node "$ROOT/tests/servers/echo.js" --port 0 >"$T/server.out" \
            2>/dev/null &
    fi
    spid=$!
    pids="$pids $spid"
    tries=100
    while [ "$tries" -gt 0 ] && ! [ -s "$T/server.out" ]; do
        sleep 0.1
        tries=$((tries - 1))
    done
    port=$(head -n 1 "$T/server.out")
    [ -n "$port" ] || die "the echo server did not start"
    s0=$(cpu_of "$spid")
}

stop_server() {
    s1=$(cpu_of "$spid")
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
    server_cpu=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f", b - a }')
}

# "ELAPSED USER SYS MAXRSS_KB" of /usr/bin/time -f, into variables
read_time() {
    read -r wall ucpu scpu rss <"$1"
    cpu=$(awk -v u="$ucpu" -v s="$scpu" 'BEGIN { printf "%.2f", u + s }')
    mib=$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')
}

row() {     # NAME OPENED OPEN_S MSGS_S CPU MIB SERVER_CPU P50 P99 WHAT
    printf '%-10s %7s %8s %9s %8s %7s %9s %9s %9s  %s\n' "$@"
}

run_all() {     # N M: the three clients, one after the other
N=$1
M=$2
row client opened "open (s)" "echoes/s" "cpu (s)" "MiB" "srv cpu" p50 p99 "percentiles of"

# ---------------------------------------------------------------- wscli
start_server
/usr/bin/time -f '%e %U %S %M' -o "$T/time" "$WSCLI" --load \
    "ws://127.0.0.1:$port/" --connections "$N" --rate "$N" \
    --send 'm {n} {conn}' --msg-rate lockstep -n "$M" >"$T/wscli.out" \
    2>"$T/wscli.err"
stop_server
read_time "$T/time"
opened=$(sed -n 's/^connections *\([0-9]*\) opened.*/\1/p' "$T/wscli.out")
open_s=$(sed -n 's/^connections .* opened in \([0-9.]*\) s.*/\1/p' "$T/wscli.out")
echoes=$(sed -n 's/.*, \([0-9]*\) echoed.*/\1/p' "$T/wscli.out")
secs=$(sed -n 's/^wscli --load .* in \([0-9.]*\) s.*/\1/p' "$T/wscli.out")
rate=$(awk -v e="$echoes" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? e / s : 0) }')
p50=$(sed -n 's/^round trip *p50 \([0-9.]* [mu]*s\) .*/\1/p' "$T/wscli.out" | tr -d ' ')
p99=$(sed -n 's/^round trip .* p99 \([0-9.]* [mu]*s\) .*/\1/p' "$T/wscli.out" | tr -d ' ')
row wscli "$opened" "$open_s" "$rate" "$cpu" "$mib" "$server_cpu" "$p50" "$p99" "round trips"

# ----------------------------------------------------------------- node
start_server
/usr/bin/time -f '%e %U %S %M' -o "$T/time" node "$B/load-node.js" \
    "ws://127.0.0.1:$port/" "$N" "$M" "$N" >"$T/node.out" 2>"$T/node.err"
stop_server
read_time "$T/time"
kv() { tr ' ' '\n' <"$T/node.out" | sed -n "s/^$1=//p"; }
row node "$(kv opened)" "$(kv open_s)" "$(kv msgs_per_s)" "$cpu" "$mib" \
    "$server_cpu" "$(kv rtt_p50_ms)ms" "$(kv rtt_p99_ms)ms" "round trips"
row "" "" "" "" "" "" "" "$(kv session_p50_ms)ms" "$(kv session_p99_ms)ms" \
    "sessions (connect to last echo)"

# ------------------------------------------------------------- artillery
if [ -x "$ART" ]; then
    start_server
    cat >"$T/art.yml" <<EOF
config:
  target: "ws://127.0.0.1:$port/"
  phases:
    - duration: 1
      arrivalCount: $N
scenarios:
  - engine: ws
    flow:
      - loop:
          - send:
              payload: '{"m":"m{{ \$loopCount }}"}'
              capture:
                json: "\$.m"
                as: "got"
        count: $M
EOF
    ARTILLERY_DISABLE_TELEMETRY=true /usr/bin/time -f '%e %U %S %M' \
        -o "$T/time" "$ART" run --output "$T/art.json" "$T/art.yml" \
        >"$T/art.out" 2>"$T/art.err"
    stop_server
    read_time "$T/time"
    a() { node -e "const r=require('$T/art.json').aggregate;
        console.log(String($1))"; }
    done_n=$(a 'r.counters["vusers.completed"]||0')
    recv=$(a 'r.counters["websocket.messages_received"]||0')
    # artillery's own run time, not its start-up (about 10 s here)
    span=$(a '(r.lastMetricAt - r.firstMetricAt) / 1000')
    rate=$(awk -v e="$recv" -v s="$span" 'BEGIN { printf "%.0f", (s > 0 ? e / s : 0) }')
    row artillery "$done_n" "-" "$rate" "$cpu" "$mib" "$server_cpu" \
        "$(a 'r.summaries["vusers.session_length"].p50')ms" \
        "$(a 'r.summaries["vusers.session_length"].p99')ms" \
        "sessions (connect to last echo)"
else
    row artillery - - - - - - - - \
        "skipped: not installed (BENCH_ARTILLERY=1 sh tests/install-deps.sh)"
fi
}

echo "wscli --load and other load clients ($(nproc) CPUs, load average"
echo "$(cut -d' ' -f1-3 /proc/loadavg)), each on a fresh server."
echo
echo "1. The Node ws echo server (tests/servers/echo.js): $N0 connections"
echo "arriving over 1 s, $M0 messages each in lockstep with their echoes."
echo
DELAY=0
run_all "$N0" "$M0"
echo
echo "2. Do the percentiles agree? A server that echoes every message 5 ms"
echo "after it came (tests/servers/loadtarget.py delay 5): 50 connections"
echo "over 1 s, 40 messages each. Every round trip is 5 ms and a little;"
echo "what a client adds above that is its own. Artillery times sessions: 40"
echo "round trips and the connection, at least 200 ms."
echo
DELAY=5
run_all 50 40
echo
echo "cpu and MiB: the client's CPU time (user + system) and peak resident"
echo "memory; srv cpu: the echo server's CPU time during the run. Artillery's"
echo "CPU time includes its start-up; its echoes/s are over its own metrics"
echo "window."
