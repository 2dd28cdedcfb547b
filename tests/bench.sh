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
#   BENCH_ONLY="1 4" sh tests/bench.sh run only some scenarios (1 1n 1z 2 3
#                                      3z 4 5)
#   BENCH_CLIENTS="wscli node" sh tests/bench.sh   only some clients
#   BENCH_REPEAT=5 sh tests/bench.sh   runs of wscli and raw-tcp in (3), (4)
#   WSCLI=/path/to/wscli sh tests/bench.sh         another wscli binary
#
# Clients compared: wscli; tests/bench/node-client.js (npm "ws"), the client
# one would write by hand in Node; tests/bench/py-client.py (Debian's
# python3-websocket, i.e. websocket-client); wscat (npm, installed in
# tests/bench/node_modules by tests/install-deps.sh); and socat over plain
# TCP to a TCP echo server: the same bytes without WebSocket, the floor.
# wscli-z and node-z are wscli and the Node client with permessage-deflate.
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
ONLY=${BENCH_ONLY:-"1 1n 1z 2 3 3z 4 5"}
ONLY_CLIENTS=${BENCH_CLIENTS:-}
REPEAT=${BENCH_REPEAT:-3}
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
N1Z=$(scaled 100000 1000)            # scenario 1z: JSON-like lines
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
trap 'exit 141' PIPE   # e.g. piped into head: still stop the servers

# ------------------------------------------------------------ build

CFLAGS_B="-O2 -std=c11 -D_GNU_SOURCE -Wall"
cc $CFLAGS_B -I"$ROOT" -o "$T/echo-server" "$B/echo-server.c" \
    "$ROOT/frame.c" "$ROOT/deflate.c" -lcrypto -lz ||
    die "cannot build the echo server"
cc $CFLAGS_B -o "$T/runner" "$B/runner.c" || die "cannot build the runner"
RUN=$T/runner

# ------------------------------------------------------------ servers

start_server() {   # NAME CMD...: starts a server, sets port
    pf=$T/port.$1; shift
    "$@" > "$pf" 2>> "$T/server.err" &
    pids="$pids $!"
    i=0
    while ! grep -q . "$pf" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 100 ] && die "echo server did not start"
        sleep 0.05
    done
    read -r port < "$pf"
}
start_server ws "$T/echo-server" && WS_PORT=$port
start_server raw "$T/echo-server" --raw && RAW_PORT=$port
URL=ws://127.0.0.1:$WS_PORT/
# The compressed variants (1z, 3z): the same C server, also agreeing to
# permessage-deflate (with wscli's deflate.c) when a client offers it.
start_server wsz "$T/echo-server" --deflate && WSZ_PORT=$port
URLZ=ws://127.0.0.1:$WSZ_PORT/

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
have_z=no
why_z="this wscli has no --deflate"
"$WSCLI" --help 2>&1 | grep -q -- '--deflate' && have_z=yes
have_rawws=no
why_rawws="socat or $PY missing"
[ $have_socat = yes ] && [ -x "$PY" ] && have_rawws=yes

# Scenario 1n: the Node "ws" echo server of the tests, as real servers
# behave: every message leaves in its own TCP segment.
NODE_PORT=
if [ $have_node = yes ] && case " $ONLY " in *" 1n "*) true ;; *) false ;; esac; then
    start_server node node "$ROOT/tests/servers/echo.js" --port 0 && NODE_PORT=$port
fi

# client_cmd CLIENT MODE [URL]: the command line (MODE: text or binary).
client_cmd() {
    u=${3:-$URL}
    case $1.$2 in
    wscli.text)   echo "$WSCLI -q $u" ;;
    wscli.binary) echo "$WSCLI -q -b --no-split $u" ;;
    wscli-z.text) echo "$WSCLI -q --deflate $u" ;;
    wscli-z.binary) echo "$WSCLI -q -b --no-split --deflate $u" ;;
    node.text)    echo "node $B/node-client.js $u" ;;
    node.binary)  echo "node $B/node-client.js $u --binary" ;;
    node-z.text)  echo "node $B/node-client.js $u --deflate" ;;
    node-z.binary) echo "node $B/node-client.js $u --binary --deflate" ;;
    python.text)  echo "$PY $B/py-client.py $u" ;;
    python.binary) echo "$PY $B/py-client.py $u --binary" ;;
    wscat.text)   echo "$WSCAT -c $u" ;;
    raw-tcp.*)    echo "socat -b 131072 -t 30 - TCP:127.0.0.1:$RAW_PORT" ;;
    esac
}

# available CLIENT: 0 if it can run here, else sets WHY.
available() {
    case " ${ONLY_CLIENTS:-$1} " in
    *" $1 "*) ;;
    *) WHY="not in BENCH_CLIENTS"; return 1 ;;
    esac
    case $1 in
    wscli) return 0 ;;
    wscli-z) [ $have_z = yes ] || { WHY=$why_z; return 1; } ;;
    node|node-z) [ $have_node = yes ] || { WHY=$why_node; return 1; } ;;
    python) [ $have_py = yes ] || { WHY=$why_py; return 1; } ;;
    wscat) [ $have_wscat = yes ] || { WHY=$why_wscat; return 1; } ;;
    raw-tcp) [ $have_socat = yes ] || { WHY=$why_socat; return 1; } ;;
    raw-ws) [ $have_rawws = yes ] || { WHY=$why_rawws; return 1; } ;;
    esac
}

CLIENTS="wscli node python wscat raw-tcp"
ZCLIENTS="wscli wscli-z node node-z"
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
clients: wscli   $WSCLI ($wscli_v)
         node    tests/bench/node-client.js (Node $node_v, ws $ws_v): hand-written client
         python  tests/bench/py-client.py ($py_v): hand-written client
         wscat   $wscat_v (npm)
         raw-tcp socat $socat_v with 128 KiB blocks to a TCP echo: the same bytes, no WebSocket
         raw-ws  (1n) the same socat sending the upgrade request and the client's
                 frames encoded beforehand, and saving what comes back: the bytes
                 of the WebSocket exchange moved by a loop that does no
                 WebSocket work at all (poll, read, write)
         wscli-z, node-z  (1z, 3z) wscli --deflate, node-client.js --deflate
                 (perMessageDeflate, every message compressed)
server:  tests/bench/echo-server.c, built with cc -O2: one thread, poll(2), 1 MiB
         reads, one write per read batch, decoding with wscli's frame.c (server
         role) and echoing each frame's payload unmasked with its opcode. A C
         server costs a few instructions per frame, so the clients' differences
         are not hidden behind the server's cost (Node's ws server would need
         more CPU per message than the fastest clients). Because it answers a
         whole read with one write, many echoes share a TCP segment. The same
         program with --raw is the TCP echo for raw-tcp. It runs on the same
         2 cores.
         (1n) tests/servers/echo.js, the Node ws echo server of the tests: like
         most real servers it writes each message on its own, so each echo is
         a TCP segment of its own and a client that keeps up wakes up for
         every few messages: what it costs per message is then mostly the
         kernel's (poll, read, write, a context switch), which raw-ws shows;
         wscli reads such a stream in batches (0.5 ms apart at most).
         (1z, 3z) the C server again, with --deflate: it agrees to
         permessage-deflate with wscli's deflate.c (the first valid offer,
         zlib's default level, context takeover), inflates each message and
         compresses its echo again as it streams. Chosen over the Node server
         with --deflate because it keeps the server cheap and its pacing
         the same as in (1) and (3): what differs between the rows is the
         client's own compression work, not how fast Node's server
         compresses (it would set the pace and, as in 1n, turn the
         comparison into one of wake-ups). Uncompressed rows (wscli, node)
         run the same payload against the same server, not offering the
         extension.
measured: wall = client start to exit (connection set-up included); CPU =
         user+sys of the client process only (wait4), never the server's;
         RSS = the client's peak resident set; MiB = payload MiB sent (the
         same comes back); msgs = messages sent (each is echoed).
         Outputs are checked: every line back and in order, sha256 of the
         binary echo; any loss is marked FAILED. In (3) and (4), whose
         ratios to raw TCP matter most and which take a second, wscli and
         raw-tcp run $REPEAT times, alternately, and the run with the median
         wall time (3) or p50 (4) is shown: the machine may be busy.
scenarios: (1) $N1 lines of 64 B  (2) $N2 messages of 4 KiB
         (1n) the lines of (1) against the Node echo server
         (1z) $N1Z JSON-like lines (about 145 B, repetitive as logs and
             market data are: about 6:1 compressed one by one) with and
             without permessage-deflate (fewer than in (1): node-z needs
             some 300 us of CPU for each)
         (3) one binary message of $S3 B each way
         (3z) one binary message of $S3 B of the same JSON-like lines
             (about 9:1 compressed), with and without permessage-deflate
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

# gen_json N FILE [BYTES]: N JSON-like lines (or, with BYTES, exactly
# BYTES bytes of them): fields repeat from line to line as in logs and
# market data, values vary. The same every run (fixed seed).
gen_json() {
    awk -v n="$1" -v max="${3:-0}" 'BEGIN {
        srand(20260101)
        split("trade quote cancel fill heartbeat order", ty, " ")
        split("ACME GLOBEX INITECH UMBRELLA HOOLI STARK WAYNE", sy, " ")
        split("buy sell", sd, " ")
        split("XNAS XNYS BATS ARCX", ve, " ")
        for (i = 0; max > 0 || i < n; i++) {
            t = i * 37
            line = sprintf("{\"seq\":%d,\"time\":\"2026-01-01T%02d:%02d:%02d.%03dZ\",\"type\":\"%s\",\"symbol\":\"%s\",\"side\":\"%s\",\"price\":%.2f,\"qty\":%d,\"venue\":\"%s\",\"ok\":%s}",
                i, int(t / 3600000) % 24, int(t / 60000) % 60, int(t / 1000) % 60,
                t % 1000, ty[1 + int(rand() * 6)], sy[1 + int(rand() * 7)],
                sd[1 + int(rand() * 2)], 50 + rand() * 200,
                100 * (1 + int(rand() * 20)), ve[1 + int(rand() * 4)],
                rand() < 0.98 ? "true" : "false")
            print line
            if (max > 0 && (size += length(line) + 1) >= max) break
        }
    }' | if [ -n "${3:-}" ]; then head -c "$3"; else cat; fi > "$2"
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

# median_run KEY FILE: of the runs in FILE (one "RUNNER-LINE|CHECK" a
# line), the first that failed, else the one with the median KEY value.
median_run() {
    awk -F'|' -v key="$1" '
    $2 !~ /^ok/ { print; bad = 1; exit }
    {
        l[NR] = $0; v[NR] = 0; o[NR] = NR
        n = split($1, a, " ")
        for (i = 1; i <= n; i++) { split(a[i], kv, "="); if (kv[1] == key) v[NR] = kv[2] + 0 }
    }
    END {
        if (bad || NR == 0) exit
        for (i = 2; i <= NR; i++)
            for (j = i; j > 1 && v[o[j - 1]] > v[o[j]]; j--) { x = o[j]; o[j] = o[j - 1]; o[j - 1] = x }
        print l[o[int((NR + 1) / 2)]]
    }' "$2"
}

# repeated SCEN "CLIENTS" RUNFN: RUNFN CLIENT (setting line and chk) for
# each available client of CLIENTS, REPEAT times in alternation, the runs
# kept in $T/rep.SCEN.CLIENT; prints the clients that ran.
repeated() {
    rep_c=""
    for c in $2; do available $c && rep_c="$rep_c $c"; done
    k=0
    while [ -n "$rep_c" ] && [ $k -lt "$REPEAT" ]; do
        k=$((k + 1))
        for c in $rep_c; do
            note "scenario $1: $c (run $k of $REPEAT)"
            $3 $c
            printf '%s|%s\n' "$line" "$chk" >> "$T/rep.$1.$c"
        done
    done
    echo "$rep_c"
}

# ------------------------------------------------------------ (1) and (2)

# bulk_run SCEN IN N MIB URL CLIENTS: every line of IN is a message.
bulk_run() {
    scen=$1 in=$2 n=$3 mib=$4 u=$5
    shift 5
    for c in "$@"; do
        if ! available $c; then row "$scen" $c "$n" "$mib" "" "" "skipped: $WHY"; continue; fi
        note "scenario $scen: $c"
        out=$T/out
        if [ $c = wscat ]; then
            # wscat drops lines read before it is connected and exits
            # at the end of stdin: the runner waits for it to echo a
            # probe, and holds stdin open until every line is back.
            line=$($RUN --timeout "$TMO" --in "$in" --out "$out" --err "$T/err.$c" \
                --strip '> ' --gate "$n" -- $(client_cmd $c text "$u"))
            chk=$(check_lines "$in" "$out" strip)
        else
            line=$($RUN --timeout "$TMO" --in "$in" --out "$out" --err "$T/err.$c" \
                -- $(client_cmd $c text "$u"))
            chk=$(check_lines "$in" "$out")
        fi
        row "$scen" $c "$n" "$mib" "$line" "" "$(status_ok "$line" "$chk")"
        rm -f "$out"
    done
}

# raw_ws SCEN IN N MIB PORT: the frames a client would send for the lines
# of IN (text, masked with a zero key, then a close), sent by socat after
# the upgrade request; what comes back is checked frame by frame.
raw_ws() {
    scen=$1 in=$2 n=$3 mib=$4 port=$5
    if ! available raw-ws; then row "$scen" raw-ws "$n" "$mib" "" "" "skipped: $WHY"; return; fi
    note "scenario $scen: raw-ws"
    "$PY" - "$in" "$T/frames" <<'PY'
import sys
out = open(sys.argv[2], "wb")
out.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          b"Sec-WebSocket-Version: 13\r\n\r\n")
buf = bytearray()
for line in open(sys.argv[1], "rb"):
    p = line.rstrip(b"\n")
    n = len(p)
    if n < 126:
        buf += bytes((0x81, 0x80 | n, 0, 0, 0, 0))
    else:
        buf += bytes((0x81, 0x80 | 126, n >> 8, n & 255, 0, 0, 0, 0))
    buf += p
    if len(buf) > 1 << 20:
        out.write(buf)
        buf.clear()
buf += bytes((0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8))
out.write(buf)
PY
    line=$($RUN --timeout "$TMO" --in "$T/frames" --out "$T/out" --err "$T/err.raw-ws" \
        -- socat -b 131072 -t 30 - "TCP:127.0.0.1:$port")
    chk=$("$PY" - "$in" "$T/out" <<'PY'
import sys
want = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
d = open(sys.argv[2], "rb").read()
i = d.find(b"\r\n\r\n")
if not d.startswith(b"HTTP/1.1 101") or i < 0:
    print("FAILED: no 101")
    sys.exit()
i += 4
k = 0
while i + 2 <= len(d):
    op, n = d[i] & 15, d[i + 1] & 127
    i += 2
    if n == 126:
        n = d[i] << 8 | d[i + 1]
        i += 2
    if op == 1:
        if k >= len(want) or d[i:i + n] != want[k]:
            print("FAILED: message %d differs" % (k + 1))
            sys.exit()
        k += 1
    i += n
print("ok" if k == len(want) else "FAILED: %d of %d lines back" % (k, len(want)))
PY
)
    row "$scen" raw-ws "$n" "$mib" "$line" "" "$(status_ok "$line" "$chk")"
    rm -f "$T/out" "$T/frames"
}

if want 1 || want 1n; then
    gen_lines "$N1" 64 "$T/in1"
    mib=$(awk -v n="$N1" 'BEGIN { printf "%.3f", n * 64 / 1048576 }')
    want 1 && bulk_run 1 "$T/in1" "$N1" "$mib" "$URL" $CLIENTS
    if want 1n; then
        if [ -z "$NODE_PORT" ]; then
            for c in wscli node raw-ws; do row 1n $c "$N1" "$mib" "" "" "skipped: $why_node"; done
        else
            bulk_run 1n "$T/in1" "$N1" "$mib" "ws://127.0.0.1:$NODE_PORT/" wscli node
            raw_ws 1n "$T/in1" "$N1" "$mib" "$NODE_PORT"
        fi
    fi
    rm -f "$T/in1"
fi

if want 1z; then
    gen_json "$N1Z" "$T/in1z"
    mib=$(awk -v n="$N1Z" -v b="$(wc -c < "$T/in1z")" 'BEGIN { printf "%.3f", (b - n) / 1048576 }')
    bulk_run 1z "$T/in1z" "$N1Z" "$mib" "$URLZ" $ZCLIENTS
    rm -f "$T/in1z"
fi

if want 2; then
    gen_lines "$N2" 4096 "$T/in2"
    mib=$(awk -v n="$N2" 'BEGIN { printf "%.3f", n * 4096 / 1048576 }')
    bulk_run 2 "$T/in2" "$N2" "$mib" "$URL" $CLIENTS
    rm -f "$T/in2"
fi

# ------------------------------------------------------------ (3) and (3z)

# run_binary CLIENT: one run on $in to $u; sets line and chk.
run_binary() {
    out=$T/out
    line=$($RUN --timeout "$TMO" --in "$in" --out "$out" --err "$T/err.$1" \
        -- $(client_cmd $1 binary "$u"))
    got=$(sha256sum < "$out" | cut -d' ' -f1)
    if [ "$got" = "$sum" ]; then chk=ok; else
        chk="FAILED: sha256 differs ($(wc -c < "$out" | tr -d ' ') of $S3 bytes back)"
    fi
    chk=$(status_ok "$line" "$chk")
    rm -f "$out"
}

# binary_run SCEN IN URL "REPEATED" CLIENTS: all of IN as one binary
# message; the REPEATED clients run REPEAT times (median wall shown).
binary_run() {
    scen=$1 in=$2 u=$3 reps=$4
    shift 4
    sum=$(sha256sum < "$in" | cut -d' ' -f1)
    mib=$(awk -v b="$S3" 'BEGIN { printf "%.3f", b / 1048576 }')
    ran=$(repeated "$scen" "$reps" run_binary)
    for c in "$@"; do
        if [ $c = wscat ]; then
            row "$scen" $c 1 "$mib" "" "" "n/a: wscat cannot send binary data read from stdin"
            continue
        fi
        if ! available $c; then row "$scen" $c 1 "$mib" "" "" "skipped: $WHY"; continue; fi
        case " $ran " in
        *" $c "*)
            r=$(median_run wall "$T/rep.$scen.$c")
            line=${r%%|*} chk=${r#*|} ;;
        *)
            note "scenario $scen: $c"
            run_binary $c ;;
        esac
        row "$scen" $c 1 "$mib" "$line" "" "$chk"
    done
}

# ss_window IN: one more (unmeasured) wscli run of scenario 3 while ss
# samples both ends of its connection: the window wscli advertises is the
# server socket's snd_wnd; wscli's own socket shows its receive buffer.
# wscli reads IN through a FIFO that is fed only once ss has seen the
# connection, so the first samples show the window before any data.
SS_LOG=
ss_window() {
    command -v ss >/dev/null 2>&1 || return
    note "scenario 3: wscli's TCP receive window (ss -tmi)"
    ssf="( sport = :$WS_PORT or dport = :$WS_PORT )"
    mkfifo "$T/ss.fifo" || return
    exec 8<>"$T/ss.fifo"
    : > "$T/ss.on"
    (
        t0=$(date +%s%N)
        while [ -f "$T/ss.on" ]; do
            echo "@ $(( ($(date +%s%N) - t0) / 1000000 ))"
            ss -tmin "$ssf"
            sleep 0.005
        done
    ) > "$T/ss.log" 2>/dev/null 8>&- &
    sspid=$!
    # (only this shell may hold the FIFO open for writing, or wscli
    # would never see its end)
    $RUN --timeout "$TMO" --in "$T/ss.fifo" --out /dev/null --err "$T/err.ss" \
        -- $(client_cmd wscli binary) > /dev/null 8>&- &
    runpid=$!
    i=0
    while [ $i -lt 100 ] && ! ss -tn "$ssf" | grep -q ESTAB; do
        sleep 0.02
        i=$((i + 1))
    done
    sleep 0.05
    cat "$1" >&8
    exec 8>&-
    wait $runpid
    rm -f "$T/ss.on"
    wait $sspid
    SS_LOG=$T/ss.log
}

if want 3; then
    head -c "$S3" /dev/urandom > "$T/in3"
    binary_run 3 "$T/in3" "$URL" "wscli raw-tcp" $CLIENTS
    available wscli && ss_window "$T/in3"
    rm -f "$T/in3"
fi

if want 3z; then
    gen_json 0 "$T/in3z" "$S3"
    binary_run 3z "$T/in3z" "$URLZ" "" $ZCLIENTS
    rm -f "$T/in3z"
fi

# ------------------------------------------------------------ (4)

# run_lockstep CLIENT: one run of scenario 4; sets line and chk.
run_lockstep() {
    if [ $1 = wscat ]; then
        line=$($RUN --timeout "$TMO" --err "$T/err.$1" --lockstep "$N4" \
            --warmup 100 --size 64 --strip '> ' --gate 0 -- $(client_cmd $1 text))
    else
        line=$($RUN --timeout "$TMO" --err "$T/err.$1" --lockstep "$N4" \
            --warmup 100 --size 64 -- $(client_cmd $1 text))
    fi
    bad=$(field "$line" bad)
    if [ "${bad:-x}" = 0 ]; then chk=ok; else chk="FAILED: ${bad:-all} round trips wrong or lost"; fi
    chk=$(status_ok "$line" "$chk")
}

if want 4; then
    mib=$(awk -v n="$N4" 'BEGIN { printf "%.3f", n * 64 / 1048576 }')
    ran=$(repeated 4 "wscli raw-tcp" run_lockstep)
    for c in $CLIENTS; do
        if ! available $c; then row 4 $c "$N4" "$mib" "" "" "skipped: $WHY"; continue; fi
        case " $ran " in
        *" $c "*)
            r=$(median_run p50_us "$T/rep.4.$c")
            line=${r%%|*} chk=${r#*|} ;;
        *)
            note "scenario 4: $c"
            run_lockstep $c ;;
        esac
        lat=$(printf 'p50 %s p99 %s us' "$(field "$line" p50_us)" "$(field "$line" p99_us)")
        row 4 $c "$N4" "$mib" "$line" "$lat" "$chk"
    done
fi

# System calls of wscli per round trip: strace -c over runs of 1000 and
# 3000 round trips (100 warm-up each); the difference / 2000 leaves out
# start-up, connecting and closing.
SC_LOG=
if want 4 && available wscli && command -v strace >/dev/null 2>&1; then
    note "scenario 4: wscli's system calls per round trip (strace -c)"
    for k in 1000 3000; do
        $RUN --timeout "$TMO" --err "$T/err.strace" --lockstep $k --warmup 100 \
            --size 64 -- strace -f -c -o "$T/strace.$k" $(client_cmd wscli text) > /dev/null
    done
    awk 'FNR == 1 { f++ }
        $NF ~ /^[a-z_0-9]+$/ && $NF != "total" && $4 ~ /^[0-9]+$/ { n[f, $NF] = $4; s[$NF] = 1 }
        END {
            for (c in s) { d = (n[2, c] - n[1, c]) / 2000; if (d >= 0.01) { printf "%s %.2f\n", c, d; t += d } }
            printf "total %.2f\n", t
        }' "$T/strace.1000" "$T/strace.3000" | sort -k2,2nr > "$T/syscalls"
    SC_LOG=$T/syscalls
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
    name["1n"] = "1n Node server"; name["1z"] = "1z JSON lines"
    name["3z"] = "3z JSON 1 msg"
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
    if (scen == 3 || scen == "3z") {
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

# ------------------------------------------------------------ ratios

# The figures the table implies about wscli, side by side (rows that
# failed or were skipped are left out).
echo
echo "wscli next to the others, this run:"
awk -F'|' '
function kv(s, k,   n, i, a, p) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) { split(a[i], p, "="); if (p[1] == k) return p[2] }
    return ""
}
function have(k) { return (k in cpu) }
function r(a, b) { return b > 0 ? a / b : 0 }
function frac(a, b) { return a > 0 ? sprintf("1/%.1f", b / a) : "-" }
$5 != "" && $7 ~ /^ok/ {
    k = $1 SUBSEP $2
    cpu[k] = kv($5, "user") + kv($5, "sys"); wall[k] = kv($5, "wall")
    msgs[k] = $3; mib[k] = $4; rss[k] = kv($5, "maxrss_kb") / 1024
    p50[k] = kv($5, "p50_us")
}
function us(s, c) { return cpu[s, c] * 1e6 / msgs[s, c] }
function ms(s, c) { return cpu[s, c] * 1000 / mib[s, c] }
END {
    if (have(1 SUBSEP "wscli") && have(1 SUBSEP "node"))
        printf "  (1)  CPU per message: wscli %.2f us, node %.2f us: %s of node'"'"'s\n",
            us(1, "wscli"), us(1, "node"), frac(us(1, "wscli"), us(1, "node"))
    if (have("1n" SUBSEP "wscli") && have("1n" SUBSEP "node")) {
        printf "  (1n) CPU per message against the Node server: wscli %.2f us, node %.2f us: %s of node'"'"'s\n",
            us("1n", "wscli"), us("1n", "node"), frac(us("1n", "wscli"), us("1n", "node"))
        if (have("1n" SUBSEP "raw-ws"))
            printf "       raw-ws, the same bytes moved with no WebSocket work: %.2f us (wscli %.2fx that)\n",
                us("1n", "raw-ws"), r(us("1n", "wscli"), us("1n", "raw-ws"))
    }
    if (have("1z" SUBSEP "wscli-z")) {
        printf "  (1z) CPU per message, compressed: wscli-z %.2f us, %.2f ms/MiB", us("1z", "wscli-z"), ms("1z", "wscli-z")
        if (have("1z" SUBSEP "wscli"))
            printf " = %.1fx wscli uncompressed (%.2f us)", r(us("1z", "wscli-z"), us("1z", "wscli")), us("1z", "wscli")
        printf "\n"
        if (have("1z" SUBSEP "node-z"))
            printf "       node-z %.2f us, %.2f ms/MiB (%.1fx node uncompressed): wscli-z uses %s of node-z'"'"'s\n",
                us("1z", "node-z"), ms("1z", "node-z"), r(us("1z", "node-z"), us("1z", "node")),
                frac(us("1z", "wscli-z"), us("1z", "node-z"))
    }
    if (have(3 SUBSEP "wscli")) {
        printf "  (3)  one %.0f MiB message each way: wscli %.0f MiB/s", mib[3, "wscli"], r(mib[3, "wscli"], wall[3, "wscli"])
        if (have(3 SUBSEP "raw-tcp"))
            printf " = %.2fx raw TCP (%.0f MiB/s)", r(r(mib[3, "wscli"], wall[3, "wscli"]), r(mib[3, "raw-tcp"], wall[3, "raw-tcp"])),
                r(mib[3, "raw-tcp"], wall[3, "raw-tcp"])
        printf ", peak RSS %.1f MiB\n", rss[3, "wscli"]
    }
    if (have("3z" SUBSEP "wscli-z")) {
        printf "  (3z) compressed: wscli-z %.2f ms/MiB, %.0f MiB/s, peak RSS %.1f MiB", ms("3z", "wscli-z"),
            r(mib["3z", "wscli-z"], wall["3z", "wscli-z"]), rss["3z", "wscli-z"]
        if (have("3z" SUBSEP "wscli"))
            printf " (uncompressed %.2f ms/MiB, %.1f MiB)", ms("3z", "wscli"), rss["3z", "wscli"]
        printf "\n"
        if (have("3z" SUBSEP "node-z"))
            printf "       node-z %.2f ms/MiB, peak RSS %.0f MiB: wscli-z uses %s of its CPU\n",
                ms("3z", "node-z"), rss["3z", "node-z"], frac(ms("3z", "wscli-z"), ms("3z", "node-z"))
    }
    if (have(4 SUBSEP "wscli") && have(4 SUBSEP "raw-tcp"))
        printf "  (4)  round trip p50: wscli %.1f us = %.2fx raw TCP (%.1f us)\n",
            p50[4, "wscli"], r(p50[4, "wscli"], p50[4, "raw-tcp"]), p50[4, "raw-tcp"]
}' "$RES"

if [ -n "$SC_LOG" ]; then
    printf '  (4)  system calls of wscli per round trip (strace -c): '
    awk '$1 != "total" { printf "%s%s %s", n++ ? ", " : "", $1, $2 } $1 == "total" { t = $2 }
        END { printf "; %s in all\n", t }' "$SC_LOG"
fi

if [ -n "$SS_LOG" ]; then
    echo
    echo "TCP receive window of wscli during scenario 3 (ss -tmi, an extra unmeasured"
    echo "run; tcp_rmem $(tr '\t' ' ' < /proc/sys/net/ipv4/tcp_rmem 2>/dev/null)): the window wscli advertises"
    echo "is the server socket's snd_wnd; rb is wscli's receive buffer."
    awk -v port="$WS_PORT" '
    /^@/ { t = $2; next }
    /^[A-Z]/ { side = ($4 ~ (":" port "$")) ? "server" : ($5 ~ (":" port "$")) ? "client" : ""; next }
    side != "" && /skmem/ {
        if (side == "server" && match($0, /snd_wnd:[0-9]+/)) wnd[t] = substr($0, RSTART + 8, RLENGTH - 8)
        if (side == "client" && match($0, /skmem:\(r[0-9]+,rb[0-9]+/)) {
            v = substr($0, RSTART, RLENGTH); sub(/.*rb/, "", v); rb[t] = v
        }
        if (side == "client" && match($0, /rcv_ssthresh:[0-9]+/)) ssth[t] = substr($0, RSTART + 13, RLENGTH - 13)
    }
    END {
        # samples that caught both ends of the connection
        for (t in wnd) if (t in rb) ok[t] = 1
        for (t in ok) ts[++n] = t + 0
        for (i = 2; i <= n; i++)   # insertion sort: a few dozen samples
            for (j = i; j > 1 && ts[j - 1] > ts[j]; j--) { x = ts[j]; ts[j] = ts[j - 1]; ts[j - 1] = x }
        if (n == 0) { print "  (no sample caught the connection)"; exit }
        printf "  %6s %12s %12s %18s\n", "ms", "window KiB", "rb KiB", "rcv_ssthresh KiB"
        step = n > 12 ? (n - 1) / 11 : 1
        for (i = 1; i <= n + 0.001; i += step) {
            t = ts[int(i + 0.5)]
            printf "  %6d %12.0f %12.0f %18.0f\n", t - ts[1], wnd[t] / 1024, rb[t] / 1024, ssth[t] / 1024
        }
        for (i = 1; i <= n; i++) {
            t = ts[i]
            if (wnd[t] + 0 > max) max = wnd[t] + 0
            if (rb[t] + 0 > maxrb) maxrb = rb[t] + 0
        }
        printf "  advertised window: %.0f KiB at the first sample, %.0f KiB at most (receive buffer up to %.0f KiB)\n",
            wnd[ts[1]] / 1024, max / 1024, maxrb / 1024
    }' "$SS_LOG"
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
