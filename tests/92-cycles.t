#!/bin/sh
# 1,000 connect / send / close cycles in a row against one Node "ws" server:
# every one completes the close handshake and gets its own echo, and the
# server is left with the descriptors it started with (wscli closes every
# connection properly rather than leaving it to time out).
. tests/lib.sh
need_wscli

cycles=1000
# sanitized and valgrind builds start far more slowly
[ -n "${WSCLI_SANITIZED:-}" ] && cycles=100
[ -n "${WSCLI_MEMCHECK:-}" ] && cycles=10

start_node_echo || { echo "Bail out! node echo server did not start"; exit 1; }
server_fds() { ls "/proc/$SERVER_PID/fd" | wc -l; }
fds_before=$(server_fds)
u=$(url)

start=$(now_ns)
i=0 bad=0 first_bad=""
while [ "$i" -lt "$cycles" ]; do
    i=$((i + 1))
    got=$(timeout -k 5 "$WSCLI_TIMEOUT" "$WSCLI" -n 1 --send "cycle $i" "$u" \
        </dev/null 2>"$T/cycle.err")
    rc=$?
    if [ "$rc" -ne 0 ] || [ "$got" != "cycle $i" ] ||
        ! grep -q 'close handshake complete' "$T/cycle.err"; then
        bad=$((bad + 1))
        [ -n "$first_bad" ] || { first_bad=$i; cp "$T/cycle.err" "$T/first_bad.err"; }
    fi
done
ms=$(elapsed_ms "$start")
is "$bad" 0 "$cycles cycles: each exits 0 with its echo after a close handshake"
[ -z "$first_bad" ] || { diag "first failing cycle: $first_bad"; diag_file "$T/first_bad.err"; }
diag "$cycles cycles in $ms ms ($((ms * 1000 / cycles)) us per cycle)"

# The server closes its side once it has seen each close; give it a moment.
tries=50
while [ "$(server_fds)" -gt "$fds_before" ] && [ "$tries" -gt 0 ]; do
    sleep 0.1
    tries=$((tries - 1))
done
is "$(server_fds)" "$fds_before" "$cycles cycles: the server holds as many descriptors as before"
unlike "$SERVER_LOG" 'Error|error' "$cycles cycles: the server logged no error"

done_testing
