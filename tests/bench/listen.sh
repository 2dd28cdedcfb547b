#!/bin/sh
# tests/bench/listen.sh - wscli -l with many clients at once, next to the
# Node "ws" server doing the same, and wscli -l --forward with many pairs:
# CPU time and memory, measured (tests/bench/listen-load.c drives the
# clients). Not a test: it prints numbers.
#
#   sh tests/bench/listen.sh
#   LISTEN_CLIENTS="1000 5000" LISTEN_MESSAGES=100000 sh tests/bench/listen.sh
#   LISTEN_PAIRS=5000 LISTEN_FANOUT=1000 LISTEN_NODE=0 sh tests/bench/listen.sh
#
# For each count of LISTEN_CLIENTS (default 1000 and as many as the
# descriptor limit allows a process: 19,900 under a hard limit of 20,000),
# against wscli -l 0 --echo and then tests/bench/listen-node.js (unless
# LISTEN_NODE=0), the same load client:
#   connect  every client connects and upgrades (at most 1,000 at a time
#            in their handshake): wall time, the server's CPU, and its
#            resident memory with every client connected and idle
#   echo     LISTEN_MESSAGES messages in all (default 200,000) of 64 bytes,
#            each client in lockstep with its echoes: the server's CPU per
#            message, and how much of it is the kernel's
# Then (wscli only) fanout: LISTEN_FANOUT stdin lines (default 1,000) to
# each of the first count's clients; and relay: LISTEN_PAIRS clients
# (default 5,000) through wscli -l 0 --forward to a wscli -l --echo,
# measured on the relay. The load client uses several processes when one
# would need more descriptors than it may have.

set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
WSCLI=${WSCLI:-$ROOT/wscli}
M=${LISTEN_MESSAGES:-200000}
K=${LISTEN_FANOUT:-1000}
PAIRS=${LISTEN_PAIRS:-5000}

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

# as many descriptors as allowed; a server needs a few besides its clients
ulimit -n "$(ulimit -Hn)" 2>/dev/null
lim=$(ulimit -n)
[ "$lim" = unlimited ] && lim=1048576
max=$(( (lim - 100) / 100 * 100 ))
N=${LISTEN_CLIENTS:-"1000 $max"}
PER_PROC=$(( lim - 100 ))     # clients one load process may hold
procs_for() { echo $(( ($1 + PER_PROC - 1) / PER_PROC )); }

cc -O2 -I"$ROOT" -o "$T/listen-load" "$ROOT/tests/bench/listen-load.c" \
    "$ROOT/frame.c" -lcrypto || die "cannot build listen-load"
NODE_OK=0
export NODE_PATH="$ROOT/tests/bench/node_modules"
if [ "${LISTEN_NODE:-1}" != 0 ] && command -v node >/dev/null 2>&1 &&
    [ -d "$ROOT/tests/bench/node_modules/ws" ]; then
    NODE_OK=1
fi

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
rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# run NAME CLIENTS CMD...: start the server, drive CLIENTS clients at it,
# print the load client's lines prefixed with NAME and the server's
# resident memory before any client (base_kb)
run() {
    name=$1 n=$2
    shift 2
    "$@" </dev/null >/dev/null 2>"$T/$name.err" &
    spid=$!
    pids="$pids $spid"
    port=$(port_of "$T/$name.err") || die "$name did not listen: $(cat "$T/$name.err")"
    sleep 0.2
    base=$(rss_of "$spid")
    m=$(( M / n ))
    [ "$m" -ge 10 ] || m=10
    "$T/listen-load" --port "$port" --clients "$n" --messages "$m" \
        --pid "$spid" --procs "$(procs_for "$n")" --timeout 600 \
        >"$T/$name.out" || { cat "$T/$name.out"; die "the $name run failed"; }
    kill "$spid"
    wait "$spid" 2>/dev/null
    sed "s/^/$name base_kb=$base /" "$T/$name.out" | tee -a "$T/all"
}

echo "wscli -l and node ws with as many as $max clients on loopback ($(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1 /proc/loadavg))"
: >"$T/all"
for n in $N; do
    run "wscli-$n" "$n" "$WSCLI" -q -l 0 --echo
    [ "$NODE_OK" = 1 ] &&
        run "node-$n" "$n" \
            node "$ROOT/tests/bench/listen-node.js"
done

# ---------------------------------------------------------------- fanout
n=${N%% *}
mkfifo "$T/in"
"$WSCLI" -q -l 0 <"$T/in" >/dev/null 2>"$T/fan.err" &
wpid=$!
pids="$pids $wpid"
exec 9>"$T/in"
port=$(port_of "$T/fan.err") || die "wscli did not listen: $(cat "$T/fan.err")"
"$T/listen-load" --port "$port" --clients "$n" --fanout "$K" --pid "$wpid" \
    --procs "$(procs_for "$n")" >"$T/fan.out" &
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
grep -v '^ready$' "$T/fan.out" | sed "s/^/wscli-fanout-$n /"

# ----------------------------------------------------------------- relay
"$WSCLI" -q -l 0 --echo </dev/null >/dev/null 2>"$T/back.err" &
bpid=$!
pids="$pids $bpid"
bport=$(port_of "$T/back.err") || die "the relay's server did not listen"
run "relay-$PAIRS" "$PAIRS" "$WSCLI" -q -l 0 --forward "ws://127.0.0.1:$bport/"
kill "$bpid" 2>/dev/null
wait "$bpid" 2>/dev/null

# --------------------------------------------------------------- summary
# per client: memory with all connected and idle, above the server's own;
# accepting: clients a second; echo: CPU per message; 100,000 clients: the
# memory measured per client at the largest count, on paper
awk -v max="$max" '
    { name = $1; split(name, a, "-"); who = a[1]; n = a[2]
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    v["phase"] == "connect" {
        mem[name] = (v["server_rss_kb"] - v["base_kb"]) * 1024 / n
        rate[name] = n / v["wall_s"]; acc[name] = v["server_cpu_s"] * 1e6 / n
        base[name] = v["base_kb"] }
    v["phase"] == "echo" { cpu[name] = v["server_cpu_us_per_msg"]
        sys[name] = v["server_sys_us_per_msg"]; rss[name] = v["server_rss_kb"] }
    v["phase"] == "close" { hwm[name] = v["server_hwm_kb"]; names[++k] = name }
    END {
        print ""
        printf "%-14s %9s %12s %12s %13s %13s %12s\n", "server-clients", "B/client",
            "accepts/s", "us/accept", "us/msg (sys)", "MiB after echo", "MiB peak"
        for (i = 1; i <= k; i++) { x = names[i]
            printf "%-14s %9.0f %12.0f %12.1f %7.2f (%4.1f) %13.1f %12.1f\n", x, mem[x],
                rate[x], acc[x], cpu[x], sys[x], rss[x] / 1024, hwm[x] / 1024 }
        for (i = 1; i <= k; i++) { x = names[i]; split(x, a, "-")
            if (a[1] != "wscli" || !(("node-" a[2]) in cpu)) continue
            y = "node-" a[2]
            printf "%s clients: wscli accepts %.1fx as fast as node, at %.2f of its CPU per message (%.2f of it outside the kernel: %.2f vs %.2f us)\n",
                a[2], rate[x] / rate[y], cpu[x] / cpu[y],
                (cpu[x] - sys[x]) / (cpu[y] - sys[y]), cpu[x] - sys[x], cpu[y] - sys[y] }
        x = "wscli-" max
        if (x in mem)
            printf "100,000 idle clients on paper: %.0f MiB (%.0f B each measured at %d, plus %.0f MiB of its own)\n",
                (100000 * mem[x] / 1024 + base[x]) / 1024, mem[x], max, base[x] / 1024
    }' "$T/all"
