# Shared helpers for the wscli integration tests (tests/NN-name.t).
#
# Source it from the repository root:   . tests/lib.sh
#
# TAP:      ok DESC CMD...        passes when CMD exits 0
#           is GOT EXPECTED DESC  string equality
#           like FILE REGEX DESC  grep -E REGEX in FILE; unlike is the reverse
#           diag MSG...           "# MSG" on stderr
#           skip_all REASON       the whole script is skipped
#           done_testing          prints the plan; call it last
# Servers:  start_node_echo [echo.js options]   Node "ws" echo server
#           start_py_echo                       Python "websockets" echo server
#           start_gql [gql-server.js options]   graphql-ws GraphQL server
#           start_websocketd                    websocketd wrapping cat
#           start_raw SCENARIO [ARGS...]        tests/servers/raw.py
#           start_tinyproxy NAME [CONFIG LINE...]  tinyproxy (PROXY_PORT,
#                                               PROXY_LOG)
#           start_lws [OPTIONS...]              libwebsockets-test-server
#           start_mosquitto [CONFIG LINE...]    mosquitto, websockets on PORT
#           start_stomp_broker [OPTIONS...]     stomp-broker.js, path /stomp
#               on loopback. Subprotocols: dumb-increment-protocol (a text
#               counter "0", "1", ... every 50 ms; "reset\n" restarts it,
#               "closeme\n" closes 1001 "seeya"), lws-mirror-protocol (each
#               message to every client on the same path, sender included),
#               lws-status (a JSON report on the connections, on connect
#               and on every change). permessage-deflate is agreed with
#               lws-status (which then sends compressed) and with no
#               subprotocol, never with the other two. OPTIONS: -n (no
#               counter), -c (close after 50 increments), -d BITS (log).
#           Each sets PORT and SERVER_LOG (the server's stderr) and is killed
#           when the test script exits.
# Clients:  run_client NODE|PY ARGS...   tests/servers/client.js (Node ws) or
#           pyclient.py (Python websockets), same ARGS and output (see
#           either); waits for it (at most 20 s) and sets CLIENT_STATUS,
#           CLIENT_OUT, CLIENT_ERR (files), leaving STATUS, OUT, ERR to wscli.
#           browser_page QUERY    file://.../tests/servers/browser.html?QUERY
#                                 (see browser.html for the parameters)
#           start_browser PAGE_URL   headless Chromium showing PAGE_URL, a
#           real browser client that runs until killed (at exit, or with
#           stop_server "$BROWSER_PID"); sets BROWSER_PID and BROWSER_LOG
#           (its stderr, where the page's console lines appear as
#           "browser.html: ..."); PORT and SERVER_* are left alone.
# wscli:    run_wscli ARGS...     timeout 30 ./wscli ARGS..., stdin from the
#           caller (default /dev/null); sets STATUS, OUT, ERR (files) and
#           ELAPSED_MS.
# Other:    T                     a private temp dir, removed at exit
#           wait_for FILE REGEX [SECS]   wait until FILE matches (default 10 s)
#           free_port             prints a TCP port that was free a moment ago
#           elapsed_ms START_NS   ms since START_NS (from now_ns)

WSCLI=${WSCLI:-./wscli}
WSCLI_TIMEOUT=${WSCLI_TIMEOUT:-30}
PYTHON=/usr/bin/python3         # Debian's, which has python3-websockets
SERVERS=tests/servers

test_count=0
test_failed=0
server_pids=""
server_count=0

exec </dev/null

T=$(mktemp -d "${TMPDIR:-/tmp}/wscli-test.XXXXXX") || exit 1

cleanup() {
    for pid in $server_pids; do
        kill "$pid" 2>/dev/null
    done
    for pid in $server_pids; do
        wait "$pid" 2>/dev/null
    done
    server_pids=""
    # a browser's helper processes may still write its profile a moment
    rm -rf "$T" 2>/dev/null || { sleep 1; rm -rf "$T"; }
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ TAP

diag() {
    printf '%s\n' "$*" | sed 's/^/# /' >&2
}

diag_file() {   # FILE: show the start of FILE as diagnostics
    if [ -s "$1" ]; then
        diag "--- $1:"
        head -c 2000 "$1" | head -n 20 | sed 's/^/# /' >&2
    else
        diag "--- $1: (empty)"
    fi
}

pass() {
    test_count=$((test_count + 1))
    echo "ok $test_count - $1"
}

fail() {
    test_count=$((test_count + 1))
    test_failed=$((test_failed + 1))
    echo "not ok $test_count - $1"
}

ok() {
    desc=$1
    shift
    if "$@"; then pass "$desc"; else fail "$desc"; diag "failed: $*"; return 1; fi
}

is() {
    if [ "$1" = "$2" ]; then
        pass "$3"
    else
        fail "$3"
        diag "     got: '$1'" "expected: '$2'"
        return 1
    fi
}

like() {
    if grep -Eq -- "$2" "$1"; then
        pass "$3"
    else
        fail "$3"
        diag "no match for /$2/"
        diag_file "$1"
        return 1
    fi
}

unlike() {
    if grep -Eq -- "$2" "$1"; then
        fail "$3"
        diag "unexpected match for /$2/"
        diag_file "$1"
        return 1
    else
        pass "$3"
    fi
}

skip_all() {
    echo "1..0 # SKIP $*"
    exit 0
}

done_testing() {
    echo "1..$test_count"
    [ "$test_failed" -eq 0 ]
}

need_wscli() {
    [ -x "$WSCLI" ] || { echo "Bail out! $WSCLI not found: run make"; exit 1; }
}

# ---------------------------------------------------------------- timing

now_ns() {
    date +%s%N
}

elapsed_ms() {
    echo $(( ($(now_ns) - $1) / 1000000 ))
}

# ------------------------------------------------------------------ waits

wait_for() {    # FILE REGEX [SECS]
    tries=$(( ${3:-10} * 10 ))
    while [ "$tries" -gt 0 ]; do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

free_port() {
    "$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

port_open() {   # PORT: true once something accepts TCP connections on it
    "$PYTHON" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" \
        2>/dev/null
}

# --------------------------------------------------------------- servers

# spawn NAME CMD...: start CMD in the background, stdout to $T/NAME.out,
# stderr to $T/NAME.err; sets SERVER_PID, SERVER_OUT, SERVER_LOG.
spawn() {
    name=$1
    shift
    SERVER_OUT=$T/$name.out
    SERVER_LOG=$T/$name.err
    "$@" >"$SERVER_OUT" 2>"$SERVER_LOG" &
    SERVER_PID=$!
    server_pids="$server_pids $SERVER_PID"
}

# Wait (at most 10 s) for the port the server prints on its first line.
wait_port_line() {
    tries=100
    while [ "$tries" -gt 0 ]; do
        if [ -s "$SERVER_OUT" ] && [ "$(wc -l <"$SERVER_OUT")" -ge 1 ]; then
            PORT=$(head -n 1 "$SERVER_OUT")
            case $PORT in
            "" | *[!0-9]*) diag "bad port line: $PORT"; return 1 ;;
            esac
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            diag "server exited before printing its port"
            diag_file "$SERVER_LOG"
            return 1
        fi
        sleep 0.1
        tries=$((tries - 1))
    done
    diag "server printed no port within 10 s"
    diag_file "$SERVER_LOG"
    return 1
}

server_started() {
    server_count=$((server_count + 1))
    return 0
}

start_node_echo() {
    spawn "node$server_count" node "$SERVERS/echo.js" --port 0 "$@" &&
        wait_port_line && server_started
}

# tests/servers/gql-server.js: graphql-ws (graphql-transport-ws); see the
# file for its options (--legacy, --script, --token, --ping, ...)
start_gql() {
    spawn "gql$server_count" node "$SERVERS/gql-server.js" --port 0 "$@" &&
        wait_port_line && server_started
}

start_py_echo() {
    spawn "py$server_count" "$PYTHON" "$SERVERS/pyecho.py" 0 &&
        wait_port_line && server_started
}

start_raw() {
    spawn "raw$server_count" "$PYTHON" "$SERVERS/raw.py" 0 "$@" &&
        wait_port_line && server_started
}

# websocketd has no "port 0": take a free port, retry if it was taken
# meanwhile. Every connection runs its own cat: each text message comes back.
start_websocketd() {
    attempt=0
    while [ "$attempt" -lt 5 ]; do
        attempt=$((attempt + 1))
        PORT=$(free_port) || return 1
        spawn "websocketd$server_count" \
            websocketd --address=127.0.0.1 --port="$PORT" cat
        tries=100
        while [ "$tries" -gt 0 ] && kill -0 "$SERVER_PID" 2>/dev/null; do
            if port_open "$PORT"; then
                server_started
                return 0
            fi
            sleep 0.1
            tries=$((tries - 1))
        done
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        diag "websocketd on port $PORT did not start"
        diag_file "$SERVER_LOG"
    done
    return 1
}

# libwebsockets-test-server has no "port 0" either; -i lo keeps it on the
# loopback interface. It uses port+1 only for a vhost toggled by SIGUSR1.
start_lws() {
    attempt=0
    while [ "$attempt" -lt 5 ]; do
        attempt=$((attempt + 1))
        PORT=$(free_port) || return 1
        spawn "lws$server_count" \
            libwebsockets-test-server --port="$PORT" -i lo "$@"
        tries=100
        while [ "$tries" -gt 0 ] && kill -0 "$SERVER_PID" 2>/dev/null; do
            if port_open "$PORT"; then
                server_started
                return 0
            fi
            sleep 0.1
            tries=$((tries - 1))
        done
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        diag "libwebsockets-test-server on port $PORT did not start"
        diag_file "$SERVER_LOG"
    done
    return 1
}

# start_tinyproxy NAME [CONFIG LINE...]: tinyproxy in the foreground on a free
# port; sets PROXY_PORT and PROXY_LOG. No ConnectPort line: CONNECT is allowed
# to every port.
start_tinyproxy() {
    pname=$1
    shift
    attempt=0
    while [ "$attempt" -lt 5 ]; do
        attempt=$((attempt + 1))
        PROXY_PORT=$(free_port) || return 1
        PROXY_LOG=$T/$pname.log
        : >"$PROXY_LOG"
        {
            echo "Port $PROXY_PORT"
            echo "Listen 127.0.0.1"
            echo "Timeout 30"
            echo "LogFile \"$PROXY_LOG\""
            echo "LogLevel Info"
            echo "MaxClients 20"
            echo "Allow 127.0.0.1"
            for line in "$@"; do echo "$line"; done
        } >"$T/$pname.conf"
        spawn "$pname" tinyproxy -d -c "$T/$pname.conf"
        tries=100
        while [ "$tries" -gt 0 ] && kill -0 "$SERVER_PID" 2>/dev/null; do
            if grep -q 'Accepting connections' "$PROXY_LOG" 2>/dev/null &&
                port_open "$PROXY_PORT"; then
                server_started
                return 0
            fi
            sleep 0.1
            tries=$((tries - 1))
        done
        stop_server "$SERVER_PID"
        diag "tinyproxy on port $PROXY_PORT did not start"
        diag_file "$PROXY_LOG"
    done
    return 1
}

# start_mosquitto [CONFIG LINE...]: mosquitto with a websockets listener
# on a free port (PORT; libwebsockets binds it on every interface) beside a
# plain MQTT one on loopback (MQTT_PORT: mosquitto 2.0 will not start with
# only a websockets listener), anonymous clients allowed, everything logged
# on stderr (SERVER_LOG). CONFIG LINEs are added, e.g. a password_file.
start_mosquitto() {
    attempt=0
    while [ "$attempt" -lt 5 ]; do
        attempt=$((attempt + 1))
        PORT=$(free_port) || return 1
        MQTT_PORT=$(free_port) || return 1
        {
            echo "listener $MQTT_PORT 127.0.0.1"
            echo "listener $PORT 127.0.0.1"
            echo "protocol websockets"
            echo "log_dest stderr"
            echo "log_type all"
            echo "connection_messages true"
            # as root it would become the user mosquitto, who cannot
            # read files in $T
            [ "$(id -u)" -ne 0 ] || echo "user root"
            for line in "$@"; do echo "$line"; done
            case "$*" in *password_file*) ;; *) echo "allow_anonymous true" ;; esac
        } >"$T/mosquitto$server_count.conf"
        spawn "mosquitto$server_count" mosquitto -c "$T/mosquitto$server_count.conf"
        tries=100
        while [ "$tries" -gt 0 ] && kill -0 "$SERVER_PID" 2>/dev/null; do
            if grep -q 'running' "$SERVER_LOG" 2>/dev/null &&
                port_open "$PORT"; then
                server_started
                return 0
            fi
            sleep 0.1
            tries=$((tries - 1))
        done
        stop_server "$SERVER_PID"
        diag "mosquitto on port $PORT did not start"
        diag_file "$SERVER_LOG"
    done
    return 1
}

# start_stomp_broker [OPTIONS...]: tests/servers/stomp-broker.js (see it),
# a STOMP 1.1 broker at ws://127.0.0.1:$PORT/stomp.
start_stomp_broker() {
    spawn "stomp$server_count" node "$SERVERS/stomp-broker.js" --port 0 "$@" &&
        wait_port_line && server_started
}

stop_server() {     # [PID], default the last one started
    pid=${1:-$SERVER_PID}
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

url() {             # [PATH]: ws://127.0.0.1:$PORT/PATH
    echo "ws://127.0.0.1:$PORT/${1:-}"
}

# ---------------------------------------------------------------- clients

client_count=0
run_client() {      # NODE|PY ARGS...
    kind=$1
    shift
    client_count=$((client_count + 1))
    CLIENT_OUT=$T/client$client_count.out
    CLIENT_ERR=$T/client$client_count.err
    case $kind in
    NODE)
        timeout -k 5 20 node "$SERVERS/client.js" "$@" \
            >"$CLIENT_OUT" 2>"$CLIENT_ERR" ;;
    PY)
        timeout -k 5 20 "$PYTHON" "$SERVERS/pyclient.py" "$@" \
            >"$CLIENT_OUT" 2>"$CLIENT_ERR" ;;
    *)
        diag "run_client: NODE or PY, not '$kind'"
        CLIENT_STATUS=2
        return 0 ;;
    esac
    CLIENT_STATUS=$?
    return 0
}

browser_page() {    # QUERY
    echo "file://$(pwd)/$SERVERS/browser.html?$1"
}

# Chromium as Debian ships it: --no-sandbox because tests may run as root,
# its own profile per instance (two instances on one profile would merge),
# --remote-debugging-port=0 so that it keeps running with no window.
start_browser() {   # PAGE_URL
    if ! command -v chromium >/dev/null 2>&1; then
        diag "chromium is not installed"
        return 1
    fi
    saved_pid=$SERVER_PID saved_out=$SERVER_OUT saved_log=$SERVER_LOG
    spawn "chromium$server_count" chromium --headless --no-sandbox \
        --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$T/chrome$server_count" \
        --remote-debugging-port=0 --enable-logging=stderr "$1"
    BROWSER_PID=$SERVER_PID
    BROWSER_LOG=$SERVER_LOG
    SERVER_PID=$saved_pid SERVER_OUT=$saved_out SERVER_LOG=$saved_log
    if ! wait_for "$BROWSER_LOG" '^DevTools listening on ' 30; then
        diag "chromium did not start"
        diag_file "$BROWSER_LOG"
        return 1
    fi
    server_started
}

# ------------------------------------------------------------------ wscli

run_count=0
run_wscli() {
    run_count=$((run_count + 1))
    OUT=$T/wscli$run_count.out
    ERR=$T/wscli$run_count.err
    start=$(now_ns)
    if [ -x /usr/bin/time ]; then
        timeout -k 5 "$WSCLI_TIMEOUT" /usr/bin/time -q -f %M -o "$T/rss$run_count" \
            "$WSCLI" "$@" >"$OUT" 2>"$ERR"
    else
        timeout -k 5 "$WSCLI_TIMEOUT" "$WSCLI" "$@" >"$OUT" 2>"$ERR"
    fi
    STATUS=$?
    ELAPSED_MS=$(elapsed_ms "$start")
    PEAK_KB=$(tail -n 1 "$T/rss$run_count" 2>/dev/null)
    [ "$STATUS" -ne 124 ] || diag "wscli timed out after ${WSCLI_TIMEOUT}s: $*"
    # Under make check's sanitized run, any report is a failure of its own.
    if grep -q -e 'Sanitizer' -e 'runtime error:' -e '^==[0-9]*== ' "$ERR"; then
        fail "no sanitizer report from: wscli $*"
        diag_file "$ERR"
    fi
    return 0
}

# took DESC MAX_MS: the last run_wscli ended within MAX_MS (plus
# TIME_SLACK_MS, which make memcheck sets for valgrind's slower start).
TIME_SLACK_MS=${TIME_SLACK_MS:-0}
took() {
    ok "$1: ends within $2 ms (took $ELAPSED_MS ms)" \
        [ "$ELAPSED_MS" -lt $(($2 + TIME_SLACK_MS)) ]
}

# rss_below MIB DESC: the last run_wscli peaked below MIB MiB of resident
# memory. Sanitized builds use far more, so they only run, not measure.
rss_below() {
    if [ -n "${WSCLI_SANITIZED:-}${WSCLI_MEMCHECK:-}" ]; then
        pass "$2 # SKIP sanitized or valgrind build"
        return 0
    fi
    case "${PEAK_KB:-}" in
    ''|*[!0-9]*)
        pass "$2 # SKIP peak memory not measured (no /usr/bin/time)"
        return 0 ;;
    esac
    ok "$2 (peak $((PEAK_KB / 1024)) MiB)" [ "$PEAK_KB" -lt $(($1 * 1024)) ]
}

# Exit status check with the output shown when it is wrong.
status_is() {       # EXPECTED DESC
    if is "$STATUS" "$1" "$2"; then
        return 0
    fi
    diag_file "$ERR"
    return 1
}

# ------------------------------------------------------------------ data

# make_lines FILE COUNT: COUNT lines of UTF-8 text (multi-byte characters,
# empty lines, every 100th line about 10 KiB long).
make_lines() {
    "$PYTHON" - "$1" "$2" <<'PY'
import sys
path, count = sys.argv[1], int(sys.argv[2])
long_unit = "ünïcødé € 😀 日本語 "
with open(path, "w", encoding="utf-8", newline="\n") as f:
    for i in range(1, count + 1):
        if i % 100 == 0:
            line = "%d " % i + long_unit * (10240 // len(long_unit.encode()))
        elif i % 7 == 0:
            line = ""
        else:
            line = "%d héllo wörld € 😀 日本語 %d" % (i, i)
        f.write(line + "\n")
PY
}

# paced_cat FILE: copy FILE to stdout 50 lines at a time, 20 ms apart.
paced_cat() {
    "$PYTHON" -c 'import sys, time
lines = open(sys.argv[1], "rb").readlines()
for i in range(0, len(lines), 50):
    sys.stdout.buffer.write(b"".join(lines[i:i + 50]))
    sys.stdout.flush()
    time.sleep(0.02)' "$1"
}

# check_lines_round_trip NAME [--paced] [OPTION...]: send 10,000 lines (see
# make_lines) to the server at $PORT with wscli OPTIONs and check that they
# come back byte-identical and in order. --paced feeds stdin through
# paced_cat instead of from the file.
check_lines_round_trip() {
    name=$1
    shift
    paced=no
    if [ "${1:-}" = --paced ]; then
        paced=yes
        shift
    fi
    make_lines "$T/lines.in" 10000
    if [ "$paced" = yes ]; then
        rm -f "$T/lines.fifo"
        mkfifo "$T/lines.fifo"
        paced_cat "$T/lines.in" >"$T/lines.fifo" 2>/dev/null &
        pacer=$!
        run_wscli "$@" "$(url)" <"$T/lines.fifo"
        kill "$pacer" 2>/dev/null
        wait "$pacer" 2>/dev/null
    else
        run_wscli "$@" "$(url)" <"$T/lines.in"
    fi
    status_is 0 "$name: 10,000 lines: exit 0"
    if cmp -s "$T/lines.in" "$OUT"; then
        pass "$name: 10,000 lines come back identical and in order"
    else
        fail "$name: 10,000 lines come back identical and in order"
        diag "sent $(wc -l <"$T/lines.in") lines, got $(wc -l <"$OUT")"
        diag "$(cmp "$T/lines.in" "$OUT" 2>&1)"
    fi
}

# ------------------------------------------------------- wscli as a server
#
# start_listen [ARGS...]   wscli -l 0 ARGS in the background, stdin from
#                          $LISTEN_IN (default /dev/null), bounded by
#                          LISTEN_TIMEOUT (default 4 x WSCLI_TIMEOUT: one
#                          server outlives many clients, and a loaded
#                          machine makes each slower); waits (10 s) for its
#                          "listening on" line; sets LPORT, LPID, LOUT, LERR
#                          (stdout and stderr files). A SIGTERM to LPID
#                          reaches wscli, which gets 30 s to close its
#                          clients and end before it is killed.
# wait_listen [SECS]       wait (default 15 s) for it to exit, then SIGTERM;
#                          sets LSTATUS; fails the test on a sanitizer report
# lurl [PATH]              ws://127.0.0.1:$LPORT/PATH
listen_count=0
start_listen() {
    listen_count=$((listen_count + 1))
    LOUT=$T/listen$listen_count.out
    LERR=$T/listen$listen_count.err
    # --foreground: timeout then sends no SIGCONT after a signal, which
    # could cancel the SIGSTOP of LeakSanitizer's check at exit and hang
    # a sanitized wscli
    if [ -n "${LISTEN_MERGED:-}" ]; then
        # stdout and stderr one file, as with 2>&1
        LERR=$LOUT
        timeout --foreground -k 30 "${LISTEN_TIMEOUT:-$((WSCLI_TIMEOUT * 4))}" \
            "$WSCLI" -l 0 "$@" <"${LISTEN_IN:-/dev/null}" >"$LOUT" 2>&1 &
    else
        timeout --foreground -k 30 "${LISTEN_TIMEOUT:-$((WSCLI_TIMEOUT * 4))}" \
            "$WSCLI" -l 0 "$@" \
            <"${LISTEN_IN:-/dev/null}" >"$LOUT" 2>"$LERR" &
    fi
    LPID=$!
    server_pids="$server_pids $LPID"
    if ! wait_for "$LERR" 'listening on ' 10; then
        diag "wscli -l 0 $* did not start listening"
        diag_file "$LERR"
        return 1
    fi
    LPORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$LERR" |
        head -n 1)
}

wait_listen() {
    tries=$(( ${1:-15} * 10 ))
    while [ "$tries" -gt 0 ] && kill -0 "$LPID" 2>/dev/null; do
        sleep 0.1
        tries=$((tries - 1))
    done
    if kill -0 "$LPID" 2>/dev/null; then
        diag "wscli -l did not end within ${1:-15} s: SIGTERM"
        kill "$LPID" 2>/dev/null
    fi
    wait "$LPID" 2>/dev/null
    LSTATUS=$?
    if grep -q -e 'Sanitizer' -e 'runtime error:' -e '^==[0-9]*== ' "$LERR"; then
        fail "no sanitizer report from wscli -l"
        diag_file "$LERR"
    fi
    return 0
}

lurl() {
    echo "ws://127.0.0.1:$LPORT/${1:-}"
}

# send_head ID PYTHON-BYTES [PER-READ]: send a request head (a Python bytes
# literal) to 127.0.0.1:$LPORT in pieces of PER-READ bytes (default all at
# once); the answer's status line, its headers and, unless a 101, its body
# go to $T/head-ID.out ("status: ...", "header: Name: value", "body: ...")
send_head() {
    timeout -k 5 20 "$PYTHON" - "$LPORT" "$2" "${3:-0}" >"$T/head-$1.out" 2>&1 <<'PY'
import ast, socket, sys, time
port, head, step = int(sys.argv[1]), ast.literal_eval(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection(("127.0.0.1", port), 5)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
if step:
    for i in range(0, len(head), step):
        s.sendall(head[i:i + step])
        time.sleep(0.002)
else:
    s.sendall(head)
s.settimeout(5)
data = b""
while b"\r\n\r\n" not in data:
    b = s.recv(4096)
    if not b:
        break
    data += b
hd, _, body = data.partition(b"\r\n\r\n")
lines = hd.decode("latin-1").split("\r\n")
print("status:", lines[0])
for h in lines[1:]:
    print("header:", h)
if not hd.startswith(b"HTTP/1.1 101"):
    while True:
        b = s.recv(4096)
        if not b:
            break
        body += b
    print("body:", body.decode("latin-1").strip())
PY
}
