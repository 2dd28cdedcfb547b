#!/bin/sh
# tests/bench.sh - performance of wscli next to other ways of doing the same
# job, against the same echo server in the same run. Measures and prints; it
# is not a test and is not run by make check.
#
#   sh tests/bench.sh                  full run (about 5-10 minutes)
#   BENCH_SCALE=0.1 sh tests/bench.sh  quick run (well under a minute)
#   BENCH_PROFILE=1 sh tests/bench.sh  also print where wscli's instructions
#                                      go in scenario 1 (callgrind), and a
#                                      perf profile if perf works here
#   BENCH_ONLY="1 4" sh tests/bench.sh run only some scenarios
#
# Clients compared: wscli; tests/bench/node-client.js (npm "ws"), the client
# one would write by hand in Node; tests/bench/py-client.py (Debian's
# python3-websocket, i.e. websocket-client); wscat (npm, installed in
# tests/bench/node_modules by tests/install-deps.sh); and socat over plain
# TCP to a TCP echo server: the same bytes without WebSocket, the floor.
#
# Nothing is installed; a client that is missing is reported as skipped.
# Run from anywhere; uses ./wscli (or $WSCLI) from the repository root.

# Command lines are built as strings and split on purpose (no spaces in paths).
# shellcheck disable=SC2046

set -u

cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
B=$ROOT/tests/bench
WSCLI=${WSCLI:-$ROOT/wscli}
SCALE=${BENCH_SCALE:-1}
ONLY=${BENCH_ONLY:-"1 2 3 4 5"}
PY=/usr/bin/python3
WSCAT=$B/node_modules/.bin/wscat

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
note() { printf 'bench: %s\n' "$*" >&2; }

[ -x "$WSCLI" ] || die "$WSCLI not found: run make first"
command -v cc >/dev/null || die "cc not found"

# Scaled sizes (never below a useful minimum).
scaled() { awk -v s="$SCALE" -v n="$1" -v m="$2" \
    'BEGIN { v = int(n * s); if (v < m) v = m; print v }'; }
N1=$(scaled 1000000 1000)            # scenario 1: lines of 64 bytes
N2=$(scaled 100000 100)              # scenario 2: messages of 4 KiB
S3=$(scaled 268435456 1048576)       # scenario 3: bytes of one message
N4=$(scaled 10000 200)               # scenario 4: round trips
R5=$(scaled 30 5)                    # scenario 5: runs per client
NCG=$(scaled 100000 1000)            # callgrind: lines of 64 bytes
TMO=$(awk -v s="$SCALE" 'BEGIN { print int(60 + 600 * s) }')

# Scratch space in memory where possible: the files are up to 512 MiB.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base=${TMPDIR:-/tmp}; fi
T=$(mktemp -d "$base/wscli-bench.XXXXXX") || exit 1
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    exec 9>&- 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ------------------------------------------------------------ build

CFLAGS_B="-O2 -std=c11 -D_GNU_SOURCE -Wall"
cc $CFLAGS_B -I"$ROOT" -o "$T/echo-server" "$B/echo-server.c" \
    "$ROOT/frame.c" -lcrypto || die "cannot build the echo server"
cc $CFLAGS_B -o "$T/runner" "$B/runner.c" || die "cannot build the runner"
RUN=$T/runner

# ------------------------------------------------------------ servers

start_server() {   # NAME [--raw]: starts a server, sets port
    pf=$T/port.$1; shift
    "$T/echo-server" "$@" > "$pf" 2>> "$T/server.err" &
    pids="$pids $!"
    i=0
    while ! grep -q . "$pf" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 100 ] && die "echo server did not start"
        sleep 0.05
    done
    read -r port < "$pf"
}
start_server ws && WS_PORT=$port
start_server raw --raw && RAW_PORT=$port
URL=ws://127.0.0.1:$WS_PORT/

# A pipe that never reaches end of file, for wscat in scenario 5 (it exits
# as soon as its stdin ends).
mkfifo "$T/never" && exec 9<>"$T/never"

# ------------------------------------------------------------ clients

have_node=no; have_py=no; have_wscat=no; have_socat=no
why_node="node or tests/servers/node_modules/ws missing"
why_py="$PY with python3-websocket missing"
why_wscat="tests/bench/node_modules/.bin/wscat missing (tests/install-deps.sh installs it)"
why_socat="socat missing"
command -v node >/dev/null 2>&1 && [ -d "$ROOT/tests/servers/node_modules/ws" ] && have_node=yes
[ -x "$PY" ] && "$PY" -c 'import websocket' 2>/dev/null && have_py=yes
[ $have_node = yes ] && [ -x "$WSCAT" ] && have_wscat=yes
command -v socat >/dev/null 2>&1 && have_socat=yes

# client_cmd CLIENT MODE: the command line (MODE: text or binary).
client_cmd() {
    case $1.$2 in
    wscli.text)   echo "$WSCLI -q $URL" ;;
    wscli.binary) echo "$WSCLI -q -b --no-split $URL" ;;
    node.text)    echo "node $B/node-client.js $URL" ;;
    node.binary)  echo "node $B/node-client.js $URL --binary" ;;
    python.text)  echo "$PY $B/py-client.py $URL" ;;
    python.binary) echo "$PY $B/py-client.py $URL --binary" ;;
    wscat.text)   echo "$WSCAT -c $URL" ;;
    raw-tcp.*)    echo "socat -b 131072 -t 30 - TCP:127.0.0.1:$RAW_PORT" ;;
    esac
}

# available CLIENT: 0 if it can run here, else sets WHY.
available() {
    case $1 in
    wscli) return 0 ;;
    node) [ $have_node = yes ] || { WHY=$why_node; return 1; } ;;
    python) [ $have_py = yes ] || { WHY=$why_py; return 1; } ;;
    wscat) [ $have_wscat = yes ] || { WHY=$why_wscat; return 1; } ;;
    raw-tcp) [ $have_socat = yes ] || { WHY=$why_socat; return 1; } ;;
    esac
}

CLIENTS="wscli node python wscat raw-tcp"
RES=$T/results
: > "$RES"

# row SCEN CLIENT MSGS MIB "RUNNER-LINE" "LATENCY" "CHECK"
row() { printf '%s|%s|%s|%s|%s|%s|%s\n' "$@" >> "$RES"; }
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

# ------------------------------------------------------------ header

wscli_v=$("$WSCLI" -V 2>/dev/null | tr '\n' ' ')
node_v=$(node --version 2>/dev/null || echo none)
ws_v=$(node -p 'require(process.argv[1]).version' \
    "$ROOT/tests/servers/node_modules/ws/package.json" 2>/dev/null || echo none)
py_v=$("$PY" -c 'import sys, websocket; print(sys.version.split()[0], "websocket-client", websocket.__version__)' 2>/dev/null || echo none)
wscat_v=$(node -p 'require(process.argv[1]).version' \
    "$B/node_modules/wscat/package.json" 2>/dev/null || echo none)
socat_v=$(socat -V 2>/dev/null | sed -n 's/^socat version \([^ ]*\).*/\1/p')
cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)

cat <<EOF
wscli benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  scale $SCALE
machine: $(nproc) CPU(s), ${cpu:-unknown CPU}, Linux $(uname -r)
clients: wscli ($wscli_v)
         node    tests/bench/node-client.js (Node $node_v, ws $ws_v): hand-written client
         python  tests/bench/py-client.py ($py_v): hand-written client
         wscat   $wscat_v (npm)
         raw-tcp socat $socat_v with 128 KiB blocks to a TCP echo: the same bytes, no WebSocket
server:  tests/bench/echo-server.c, built with cc -O2: one thread, poll(2), 1 MiB
         reads, one write per read batch, decoding with wscli's frame.c (server
         role) and echoing each frame's payload unmasked with its opcode. A C
         server costs a few instructions per frame, so the clients' differences
         are not hidden behind the server's cost (Node's ws server would need
         more CPU per message than the fastest clients). The same program with
         --raw is the TCP echo for raw-tcp. It runs on the same 2 cores.
measured: wall = client start to exit (connection set-up included); CPU =
         user+sys of the client process only (wait4), never the server's;
         RSS = the client's peak resident set; MiB = payload MiB sent (the
         same comes back); msgs = messages sent (each is echoed).
         Outputs are checked: every line back and in order, sha256 of the
         binary echo; any loss is marked FAILED.
scenarios: (1) $N1 lines of 64 B  (2) $N2 messages of 4 KiB
         (3) one binary message of $S3 B each way
         (4) $N4 sequential round trips of 64 B, latency p50/p99 (after 100
             untimed) - the next line is written only after the previous one
             came back on stdout
         (5) start, connect, send one message, receive it, close: whole process,
             $R5 runs (wall from hyperfine when present; CPU and RSS from the
             runner)
EOF
note "scratch directory $T"

# ------------------------------------------------------------ inputs

gen_lines() {   # N WIDTH FILE: N distinct lines of WIDTH bytes + newline
    awk -v n="$1" -v w="$2" 'BEGIN {
        pad = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        while (length(pad) < w) pad = pad pad
        pad = substr(pad, 1, w - 13)
        for (i = 0; i < n; i++) printf "%012d %s\n", i, pad
    }' > "$3"
}

# Compare a line-per-message echo with its input. Prints "ok" or FAILED.
check_lines() {   # IN OUT [strip-prompt]
    if [ "${3:-}" = strip ]; then
        sed 's/^\(> \)*//' "$2" > "$2.s" && mv "$2.s" "$2"
    fi
    if cmp -s "$1" "$2"; then
        echo ok
        return
    fi
    want_n=$(wc -l < "$1" | tr -d ' ')
    got_n=$(wc -l < "$2" | tr -d ' ')
    if [ "$want_n" = "$got_n" ]; then
        echo "FAILED: all $got_n lines back, content differs"
    else
        echo "FAILED: $got_n of $want_n lines back"
    fi
}

status_ok() {   # RUNNER-LINE CHECK: CHECK, or FAILED for a bad exit
    st=$(field "$1" status)
    case $st in
    0) echo "$2" ;;
    *) case $2 in FAILED*) echo "$2 (exit $st)" ;; *) echo "FAILED: exit $st" ;; esac ;;
    esac
}

# ------------------------------------------------------------ (1) and (2)

bulk_lines() {   # SCEN N WIDTH
    scen=$1 n=$2 width=$3
    in=$T/in$scen
    gen_lines "$n" "$width" "$in"
    mib=$(awk -v n="$n" -v w="$width" 'BEGIN { printf "%.3f", n * w / 1048576 }')
    for c in $CLIENTS; do
        if ! available $c; then row "$scen" $c "$n" "$mib" "" "" "skipped: $WHY"; continue; fi
        note "scenario $scen: $c"
        out=$T/out
        if [ $c = wscat ]; then
            # wscat drops lines read before it is connected and exits
            # at the end of stdin: the runner waits for it to echo a
            # probe, and holds stdin open until every line is back.
            line=$($RUN --timeout "$TMO" --in "$in" --out "$out" --err "$T/err.$c" \
                --strip '> ' --gate "$n" -- $(client_cmd $c text))
            chk=$(check_lines "$in" "$out" strip)
        else
            line=$($RUN --timeout "$TMO" --in "$in" --out "$out" --err "$T/err.$c" \
                -- $(client_cmd $c text))
            chk=$(check_lines "$in" "$out")
        fi
        row "$scen" $c "$n" "$mib" "$line" "" "$(status_ok "$line" "$chk")"
        rm -f "$out"
    done
    rm -f "$in"
}

want 1 && bulk_lines 1 "$N1" 64
want 2 && bulk_lines 2 "$N2" 4096

# ------------------------------------------------------------ (3)

if want 3; then
    in=$T/in3
    head -c "$S3" /dev/urandom > "$in"
    sum=$(sha256sum < "$in" | cut -d' ' -f1)
    mib=$(awk -v b="$S3" 'BEGIN { printf "%.3f", b / 1048576 }')
    for c in $CLIENTS; do
        if [ $c = wscat ]; then
            row 3 $c 1 "$mib" "" "" "n/a: wscat cannot send binary data read from stdin"
            continue
        fi
        if ! available $c; then row 3 $c 1 "$mib" "" "" "skipped: $WHY"; continue; fi
        note "scenario 3: $c"
        out=$T/out
        line=$($RUN --timeout "$TMO" --in "$in" --out "$out" --err "$T/err.$c" \
            -- $(client_cmd $c binary))
        got=$(sha256sum < "$out" | cut -d' ' -f1)
        if [ "$got" = "$sum" ]; then chk=ok; else
            chk="FAILED: sha256 differs ($(wc -c < "$out" | tr -d ' ') of $S3 bytes back)"
        fi
        row 3 $c 1 "$mib" "$line" "" "$(status_ok "$line" "$chk")"
        rm -f "$out"
    done
    rm -f "$in"
fi

# ------------------------------------------------------------ (4)

if want 4; then
    mib=$(awk -v n="$N4" 'BEGIN { printf "%.3f", n * 64 / 1048576 }')
    for c in $CLIENTS; do
        if ! available $c; then row 4 $c "$N4" "$mib" "" "" "skipped: $WHY"; continue; fi
        note "scenario 4: $c"
        if [ $c = wscat ]; then
            line=$($RUN --timeout "$TMO" --err "$T/err.$c" --lockstep "$N4" \
                --warmup 100 --size 64 --strip '> ' --gate 0 -- $(client_cmd $c text))
        else
            line=$($RUN --timeout "$TMO" --err "$T/err.$c" --lockstep "$N4" \
                --warmup 100 --size 64 -- $(client_cmd $c text))
        fi
        bad=$(field "$line" bad)
        if [ "${bad:-x}" = 0 ]; then chk=ok; else chk="FAILED: ${bad:-all} round trips wrong or lost"; fi
        lat=$(printf 'p50 %s p99 %s us' "$(field "$line" p50_us)" "$(field "$line" p99_us)")
        row 4 $c "$N4" "$mib" "$line" "$lat" "$(status_ok "$line" "$chk")"
    done
fi

# ------------------------------------------------------------ (5)

if want 5; then
    msg='Hello, server!'
    printf '%s\n' "$msg" > "$T/hello"
    have_hf=no
    command -v hyperfine >/dev/null 2>&1 && have_hf=yes
    printf 'wscli\n' > "$T/wscli-V"
    for c in $CLIENTS wscli-V; do
        case $c in wscli-V) ;; *)
            if ! available $c; then row 5 $c 1 0 "" "" "skipped: $WHY"; continue; fi ;;
        esac
        note "scenario 5: $c"
        want_out=$msg
        case $c in
        wscat) cmd="$WSCAT -c $URL -x '$msg' -w 0"; in=$T/never ;;
        wscli-V) cmd="$WSCLI -V"; in=/dev/null
            want_out=$("$WSCLI" -V 2>/dev/null) ;;
        *) cmd=$(client_cmd $c text); in=$T/hello ;;
        esac
        # CPU, RSS and the check, run by run.
        k=0 cpu_sum=0 rss_max=0 wall_sum=0 wall_min=999 chk=ok
        while [ $k -lt "$R5" ]; do
            k=$((k + 1))
            # shellcheck disable=SC2086
            if [ $c = wscat ]; then
                line=$($RUN --timeout 30 --in "$in" --out "$T/out" --err "$T/err.$c" \
                    -- $WSCAT -c "$URL" -x "$msg" -w 0)
            else
                line=$($RUN --timeout 30 --in "$in" --out "$T/out" --err "$T/err.$c" -- $cmd)
            fi
            if [ "$(cat "$T/out")" != "$want_out" ] || [ "$(field "$line" status)" != 0 ]; then
                chk="FAILED: run $k: exit $(field "$line" status), echo $(head -c 40 "$T/out" | tr '\n' ' ' | od -An -c | tr -s ' ' | head -c 60)"
            fi
            set -- $(printf '%s\n' "$line" | awk -v c="$cpu_sum" -v r="$rss_max" -v w="$wall_sum" -v m="$wall_min" '{
                for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                c += v["user"] + v["sys"]; if (v["maxrss_kb"] > r) r = v["maxrss_kb"]
                w += v["wall"]; if (v["wall"] < m) m = v["wall"]
                print c, r, w, m }')
            cpu_sum=$1 rss_max=$2 wall_sum=$3 wall_min=$4
        done
        # Wall time from hyperfine (shell start-up subtracted) if present.
        if [ $have_hf = yes ]; then
            hyperfine -w 3 -r "$R5" --export-json "$T/hf.json" \
                "$cmd < $in > /dev/null 2>>$T/err.$c" > /dev/null 2>&1
            set -- $(awk -F': *' '
                /"mean":/ && m == "" { m = $2; sub(/,.*/, "", m) }
                /"min":/ && n == "" { n = $2; sub(/,.*/, "", n) }
                END { print m, n }' "$T/hf.json" 2>/dev/null)
            wmean=${1:-} wmin=${2:-}
            src=hyperfine
        fi
        if [ -z "${wmean:-}" ]; then
            wmean=$(awk -v w="$wall_sum" -v n="$R5" 'BEGIN { print w / n }')
            wmin=$wall_min src=runner
        fi
        line=$(awk -v w="$wmean" -v c="$cpu_sum" -v r="$rss_max" -v n="$R5" \
            'BEGIN { printf "wall=%.6f user=%.6f sys=0 maxrss_kb=%d status=0", w, c / n, r }')
        lat=$(awk -v a="$wmean" -v b="$wmin" -v s="$src" \
            'BEGIN { printf "mean %.1f min %.1f ms", a * 1000, b * 1000 }')
        row 5 $c 1 0 "$line" "$lat" "$chk"
        unset wmean wmin
    done
fi

# ------------------------------------------------------------ table

echo
awk -F'|' '
function kv(s, k,   n, i, a, p) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) { split(a[i], p, "="); if (p[1] == k) return p[2] }
    return ""
}
BEGIN {
    name[1] = "1 lines 64 B"; name[2] = "2 msgs 4 KiB"; name[3] = "3 binary 1 msg"
    name[4] = "4 round trips"; name[5] = "5 one-shot"
    printf "%-15s %-8s %9s %8s %10s %10s %10s %8s %8s  %-26s %s\n",
        "scenario", "client", "wall s", "CPU s", "CPU us/msg", "CPU ms/MiB",
        "msgs/s", "MiB/s", "RSS MiB", "latency", "check"
}
{
    scen = $1; c = $2; msgs = $3; mib = $4; r = $5; lat = $6; chk = $7
    if (prev != "" && prev != scen) print ""
    prev = scen
    if (r == "") {
        printf "%-15s %-8s %9s %8s %10s %10s %10s %8s %8s  %-26s %s\n",
            name[scen], c, "-", "-", "-", "-", "-", "-", "-", "-", chk
        next
    }
    wall = kv(r, "wall"); cpu = kv(r, "user") + kv(r, "sys"); rss = kv(r, "maxrss_kb") / 1024
    if (scen == 3) {
        printf "%-15s %-8s %9.3f %8.3f %10s %10.2f %10s %8.1f %8.1f  %-26s %s\n",
            name[scen], c, wall, cpu, "-", cpu * 1000 / mib, "-", mib / wall, rss, "-", chk
        next
    }
    if (scen == 4) {
        printf "%-15s %-8s %9.3f %8.3f %10.2f %10s %10.0f %8s %8.1f  %-26s %s\n",
            name[scen], c, wall, cpu, cpu * 1e6 / msgs, "-", msgs / wall, "-", rss, lat, chk
        next
    }
    if (scen == 5) {
        printf "%-15s %-8s %9.4f %8.4f %10.0f %10s %10s %8s %8.1f  %-26s %s\n",
            name[scen], c, wall, cpu, cpu * 1e6, "-", "-", "-", rss, lat, chk
        next
    }
    printf "%-15s %-8s %9.3f %8.3f %10.2f %10.2f %10.0f %8.1f %8.1f  %-26s %s\n",
        name[scen], c, wall, cpu, cpu * 1e6 / msgs, (mib > 0 ? cpu * 1000 / mib : 0),
        msgs / wall, mib / wall, rss, (lat == "" ? "-" : lat), chk
}' "$RES"
echo
echo "scenario 5: wall is the mean over $R5 runs (latency column: mean and min); CPU is the"
echo "  mean per run. wscli-V is wscli -V: process start-up and library loading alone, no network."
if [ $have_wscat = yes ]; then
    echo "wscat: in a pipe it drops lines read before it is connected, exits (dropping"
    echo "  replies in flight) at the end of stdin, and writes its '> ' prompt to stdout;"
    echo "  it was fed through a pipe held open until every line came back, its prompts"
    echo "  were removed before the check, and in (5) it ran with -x (send) -w 0."
fi

# ------------------------------------------------------------ instructions

if command -v valgrind >/dev/null 2>&1; then
    gen_lines "$NCG" 64 "$T/incg"
    printf '%012d x\n' 0 > "$T/in1cg"
    cg() {   # IN OUT-FILE: total instructions of wscli on IN
        valgrind --tool=callgrind --callgrind-out-file="$2" "$WSCLI" -q "$URL" \
            < "$1" > "$T/cg.out" 2>> "$T/err.callgrind"
        sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$2" | head -n 1
    }
    note "callgrind: wscli with $NCG lines"
    ir_n=$(cg "$T/incg" "$T/callgrind.n")
    ok_n=$(cmp -s "$T/incg" "$T/cg.out" && echo ok || echo FAILED)
    ir_1=$(cg "$T/in1cg" "$T/callgrind.1")
    echo
    awk -v a="$ir_n" -v b="$ir_1" -v n="$NCG" -v ok="$ok_n" 'BEGIN {
        if (a == "" || b == "") { print "instructions: callgrind gave no count"; exit }
        printf "wscli instructions per message, scenario 1 shape (callgrind, user space,\n"
        printf "  %d lines of 64 B): %.0f per message sent and received back\n", n, (a - b) / (n - 1)
        printf "  (total %.0f; a run with one line: %.0f = start-up, connect, close) %s\n", a, b, ok
    }'
    if [ "${BENCH_PROFILE:-0}" != 0 ] && command -v callgrind_annotate >/dev/null 2>&1; then
        # Per function: (run with N lines - run with one line) / (N - 1),
        # i.e. the instructions each message costs there.
        cg_funcs() {   # FILE [--inclusive=yes]
            callgrind_annotate --threshold=100 --auto=no --tree=none ${2:-} \
                "$1" 2>/dev/null | awk '
                /PROGRAM TOTALS/ { go = 1; next }
                go && /^ *[0-9,]+ +\(/ {
                    n = $1; gsub(/,/, "", n)
                    sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "")
                    print n "\t" $0 }'
        }
        cg_diff() {   # [--inclusive=yes]
            cg_funcs "$T/callgrind.1" "${1:-}" > "$T/cg1.tsv"
            cg_funcs "$T/callgrind.n" "${1:-}" > "$T/cgn.tsv"
            awk -F'\t' -v n="$NCG" '
                NR == FNR { one[$2] = $1; next }
                { d = ($1 - one[$2]) / (n - 1); if (d >= 1) printf "%8.1f  %s\n", d, $2 }' \
                "$T/cg1.tsv" "$T/cgn.tsv" | sort -rn | head -n "${PROFILE_TOP:-30}"
        }
        echo
        echo "wscli per-message profile, scenario 1 shape (callgrind; instructions per"
        echo "message = (run with $NCG lines - run with 1 line) / $((NCG - 1)));"
        echo "unnamed libcurl functions are shown by address"
        echo "exclusive (self):"
        cg_diff
        echo "inclusive (self + callees):"
        cg_diff --inclusive=yes
    fi
else
    echo "instructions: valgrind not installed, no instruction count"
fi

if [ "${BENCH_PROFILE:-0}" != 0 ] && command -v perf >/dev/null 2>&1 && \
    perf record -e cpu-clock -o "$T/perf.test" -- true >/dev/null 2>&1; then
    [ -f "$T/incg" ] || gen_lines "$NCG" 64 "$T/incg"
    gen_lines "$N1" 64 "$T/inperf"
    note "perf record: wscli with $N1 lines"
    perf record -e cpu-clock -F 10000 -g -o "$T/perf.data" -- \
        "$WSCLI" -q "$URL" < "$T/inperf" > /dev/null 2>> "$T/err.perf"
    echo
    echo "wscli perf profile, scenario 1 ($N1 lines), cpu-clock samples, self time:"
    perf report -i "$T/perf.data" --stdio --no-children -F overhead,dso,sym \
        -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | sed 's/ *$//' | \
        head -n "${PROFILE_TOP:-30}"
fi
