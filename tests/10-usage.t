#!/bin/sh
# Command-line errors: every one exits 2 before any connection, says what
# is wrong on stderr in one "wscli: " line (and the --help hint), and
# writes nothing on stdout. One table, one row per case:
#   what is refused | a regex stderr must match | the arguments (shell words)
# Then what is not a usage error: a server that is not there exits 3.
. tests/lib.sh
need_wscli

F=tests/lib.sh                  # any readable file
NOFILE=$T/nonexistent
U=ws://127.0.0.1:1/             # never reached
printf 'fine\n\377bad\n' >"$T/not-utf8"

cases() {
    cat <<'EOF'
# ------------------------------------------------------------- operands
no URL                          | no URL given                              |
http:// URL                     | scheme 'http' is not supported            | http://127.0.0.1:1/
URL without a scheme            | must start with ws:// or wss://           | foo
two URLs                        | unexpected argument 'ws://127.0.0.1:2/'   | "$U" ws://127.0.0.1:2/
password in a refused URL       | invalid URL 'http://user:\*\*\*@         | http://user:s3cret@127.0.0.1:1/
unknown option                  | unrecognized .*'--no-such-option'        | --no-such-option "$U"
unknown short option            | invalid option -- 'Z'                     | -Z "$U"
missing argument                | option '--timeout' requires an argument  | "$U" --timeout
argument to a flag              | '--binary' doesn't allow an argument     | --binary=yes "$U"
# ------------------------------------------------------- typed values
--count abc                     | invalid value for --count: 'abc'          | --count abc "$U"
-n 0                            | from 1 to                                 | -n 0 "$U"
--wait xyz                      | invalid value for --wait: 'xyz' .*seconds | --wait xyz "$U"
--timeout abc                   | invalid value for --timeout               | --timeout abc "$U"
--timeout -1                    | invalid value for --timeout               | --timeout -1 "$U"
--close-timeout 0               | --close-timeout: '0' \(must be more than 0 | --close-timeout 0 --send hi -n 1 "$U"
--ping-interval abc             | invalid value for --ping-interval         | --ping-interval abc "$U"
--ping-timeout x                | invalid value for --ping-timeout          | --ping-interval 1 --ping-timeout x "$U"
--max-message 12Q               | ^wscli: invalid value for --max-message: '12Q' \(expected a size | --max-message 12Q "$U"
--max-redirs x                  | invalid value for --max-redirs            | -L --max-redirs x "$U"
--reconnect=0                   | invalid value for --reconnect             | --reconnect=0 "$U"
--reconnect-delay 0             | --reconnect-delay                         | --reconnect --reconnect-delay 0 "$U"
--reconnect-on sometimes        | expected error or any                     | --reconnect-on sometimes --reconnect "$U"
--until (                       | invalid value for --until                 | --until '(' "$U"
--until a[                      | invalid value for --until                 | --until 'a[' "$U"
--deflate window of 7           | invalid value for --deflate               | --deflate=client_max_window_bits=7 "$U"
--deflate nonsense              | invalid value for --deflate               | --deflate=nonsense "$U"
--frame rsv=9                   | invalid value for --frame: 'rsv=9 x': rsv=9: RSV is 0-7 | --frame 'rsv=9 x' "$U"
--frame op=nope                 | op=nope: not an opcode                    | --frame op=nope "$U"
--frame hex:4                   | hex:4: not a hex byte                     | --frame hex:4 "$U"
--timestamps=sometimes          | expected wall or elapsed                  | --timestamps=sometimes "$U"
-t elapsed as two words         | -t takes its mode attached: -telapsed     | -t elapsed "$U"
-t wall as two words, listening | -t takes its mode attached: -twall        | -l 0 -t wall
--reconnect 3 as two words      | --reconnect takes its maximum attached: --reconnect=3 | --reconnect 3 "$U"
--deflate PARAMS as two words   | --deflate takes its parameters attached: --deflate='client_max_window_bits' | --deflate client_max_window_bits "$U"
--deflate PARAMS, listening     | --deflate takes its parameters attached   | -l 0 --deflate server_no_context_takeover
-H Sec-WebSocket-Protocol       | -s NAME                                   | -H 'Sec-WebSocket-Protocol: chat' "$U"
-H Sec-WebSocket-Extensions     | --deflate                                 | -H 'sec-websocket-extensions: permessage-deflate' "$U"
-H without a colon              | invalid value for --header                | -H 'nocolon' "$U"
-H Sec-WebSocket-Extensions -l | -H .*: use --deflate, which answers the client's offer | -l 0 -H 'Sec-WebSocket-Extensions: x'
-s '*' in a client             | -s '\*' \(the first subprotocol a client offers\) is for -l | -s '*' "$U"
# -------------------------------------------------------------- files
--cacert missing                | nonexistent                               | --cacert "$NOFILE" "$U"
--capath missing                | nonexistent                               | --capath "$NOFILE" "$U"
--cert missing                  | nonexistent                               | --cert "$NOFILE" "$U"
--on-connect missing            | nonexistent                               | --on-connect "$NOFILE" "$U"
--on-connect not UTF-8          | line 2: not valid UTF-8                   | --on-connect "$T/not-utf8" "$U"
--tls-cert missing              | cannot read --tls-cert file .*nonexistent | -l 0 --tls-cert "$NOFILE"
# ---------------------------------------------------- the mode, once
--probe then -l                 | cannot use --probe and -l together        | --probe -l 8080 "$U"
-l then --probe                 | cannot use --probe and -l together        | -l 8080 --probe "$U"
--probe and --forward           | cannot use --probe and --forward together | --probe --forward "$U" "$U"
--forward without -l            | --forward goes with -l                    | --forward "$U"
--forward with an http URL      | scheme 'http' is not supported            | -l 0 --forward http://127.0.0.1:1/
-l with a URL                   | unexpected argument 'ws://127.0.0.1:1/'   | -l 0 "$U"
--forward and a URL             | unexpected argument .* the URL of --forward | -l 0 --forward "$U" ws://127.0.0.1:2/
--probe without a URL           | no URL given to --probe                   | --probe
# ------------------------------------- options that go with one mode
--echo without -l               | --echo goes with -l                       | --echo "$U"
--once without -l               | --once goes with -l                       | --once "$U"
--tls-key without -l            | --tls-key goes with -l                    | --tls-key "$F" "$U"
--forward-exact without --forward | --forward-exact goes with --forward     | -l 0 --forward-exact
--strict in client mode         | --strict goes with --forward              | --strict "$U"
--probe-max without --probe     | --probe-max goes with --probe             | --probe-max 1M "$U"
# ------------------------------- options that mean nothing in the mode
-x with -l                      | -x cannot be used with -l \(listen mode\): it is for connecting | -l 0 -x http://127.0.0.1:1
-k with -l                      | -k cannot be used with -l                 | -l 0 -k
-w with -l                      | -w cannot be used with -l                 | -l 0 -w 1
--frame with --forward          | --frame cannot be used with --forward .*craft towards one side at a terminal | -l 0 --forward "$U" --frame 'op=ping x'
--on-connect with --forward     | --on-connect cannot be used with --forward | -l 0 --forward "$U" --on-connect "$F"
--reconnect with -l             | --reconnect cannot be used with -l \(listen mode\) | -l 0 --reconnect
--reconnect with --forward      | --reconnect cannot be used with --forward | -l 0 --forward "$U" --reconnect=3
--reconnect with --probe        | --reconnect cannot be used with --probe   | --probe --reconnect "$U"
--echo with --forward           | --echo cannot be used with --forward      | -l 0 --forward "$U" --echo
-s with --forward               | -s cannot be used with --forward .*offers are passed on | -l 0 --forward "$U" -s chat
--send with --forward           | --send cannot be used with --forward      | -l 0 --forward "$U" --send hi
--max-message with --forward    | --max-message cannot be used with --forward | -l 0 --forward "$U" --max-message 1M
--send with --probe             | --send cannot be used with --probe .*its own frames | --probe --send x "$U"
--frame with --probe            | --frame cannot be used with --probe       | --probe --frame 'op=ping x' "$U"
-n with --probe                 | -n cannot be used with --probe            | --probe -n 3 "$U"
--until with --probe            | --until cannot be used with --probe       | --probe --until x "$U"
# ------------------------------------------- conflicts inside a mode
--echo and --broadcast          | cannot use --echo and --broadcast         | -l 0 --echo --broadcast
--subscribe without --proto     | --subscribe goes with --proto stomp or --proto mqtt | --subscribe /q "$U"
--topic with --proto stomp      | --topic goes with --proto mqtt            | --proto stomp --topic t "$U"
--destination with --proto mqtt | --destination goes with --proto stomp     | --proto mqtt --destination /q "$U"
--topic with a wildcard         | invalid value for --topic: 'a/\+'        | --proto mqtt --topic a/+ "$U"
--qos 2                         | invalid value for --qos: '2'              | --proto mqtt --qos 2 "$U"
--mqtt-version 3                | invalid value for --mqtt-version: '3' \(3.1.1 or 5\) | --proto mqtt --mqtt-version 3 "$U"
--subscribe ''                  | invalid value for --subscribe             | --proto stomp --subscribe '' "$U"
-l --proto mqtt                 | --proto mqtt cannot be used with -l \(listen mode\): wscli is no MQTT broker | -l 0 --proto mqtt
--require-protocol without -s   | --require-protocol needs                  | -l 0 --require-protocol
--deflate=PARAMS with -l        | --deflate=PARAMS is the offer of a client | -l 0 --deflate=server_no_context_takeover
--tls-key without --tls-cert    | --tls-key and --tls-client-ca go with --tls-cert | -l 0 --tls-key "$F"
--pass without --tls-cert       | --pass goes with --tls-cert               | -l 0 --pass x
--origin-allow blank inside     | invalid value for --origin-allow          | -l 0 --origin-allow 'a b'
--origin-allow empty item       | invalid value for --origin-allow          | -l 0 --origin-allow 'a,,b'
-l abc                          | invalid value for -l: 'abc'               | -l abc
-l 70000                        | invalid value for -l: '70000'             | -l 70000
-o with --rewrite-origin        | cannot use -o and --rewrite-origin        | -l 0 --forward "$U" -o http://x --rewrite-origin
--key without --cert            | --key and --pass go with --cert           | --key "$F" "$U"
--ping-timeout alone            | --ping-timeout needs --ping-interval      | --ping-timeout 1 "$U"
--unix-socket with -x           | cannot use --unix-socket and --proxy      | --unix-socket "$T/s" -x http://127.0.0.1:1/ "$U"
--unix-socket with socks5h      | cannot use --unix-socket and --proxy      | --unix-socket "$T/s" --proxy socks5h://127.0.0.1:1/ "$U"
--reconnect-on alone            | --reconnect-on and --reconnect-delay go with --reconnect | --reconnect-on any "$U"
-u with --bearer                | cannot use -u and --bearer together       | -u a:b --bearer tok "$U"
# ------------------------------------------------------------- probe
bad --probe-cases               | invalid value for --probe-cases: 'x'      | --probe --probe-cases x "$U"
--probe-cases unknown section   | --probe-cases: no case is '99'            | --probe --probe-cases 99 "$U"
--probe-cases unknown case      | --probe-cases: no case is '3\.1\.1'        | --probe --probe-cases 3,3.1.1 "$U"
--probe-cases unknown exclusion | --probe-cases: no case is '19\.\*'        | --probe --probe-cases '3,!19.*' "$U"
--probe-cases star not last     | --probe-cases: '5\.\*\.1' is not a case id | --probe --probe-cases '5.*.1' "$U"
--probe-cases empty item        | --probe-cases: '3,,4' has an empty item   | --probe --probe-cases 3,,4 "$U"
--probe-report without a type   | invalid value for --probe-report: 'x\.xml' \(junit:FILE or json:FILE\) | --probe --probe-report x.xml "$U"
--probe-timeout 0               | invalid value for --probe-timeout         | --probe --probe-timeout 0 "$U"
--probe-max too small           | --probe-max: '1K' \(from 4K to 4G\)       | --probe --probe-max 1K "$U"
EOF
}

trim() { sed 's/^ *//; s/ *$//'; }

cases | grep -v '^#' >"$T/cases"
while IFS='|' read -r what want args <&3; do
    what=$(printf %s "$what" | trim)
    want=$(printf %s "$want" | trim)
    eval "set -- $args"
    run_wscli "$@"
    status_is 2 "$what: exit 2"
    like "$ERR" "$want" "$what: says why"
    like "$ERR" "^wscli: " "$what: on stderr, prefixed"
    is "$(wc -c <"$OUT" | tr -d ' ')" 0 "$what: nothing on stdout"
    unlike "$ERR" 's3cret' "$what: no password shown"
done 3<"$T/cases"

# The line and the hint, no synopsis.
run_wscli --no-such-option "$U"
is "$(wc -l <"$ERR" | tr -d ' ')" 2 "unknown option: two lines, the error and the hint"
like "$ERR" "see 'wscli --help'" "unknown option: points at --help"
unlike "$ERR" '^usage:|\[-46' "unknown option: no synopsis"
run_wscli --count 0 "$U"
is "$(wc -l <"$ERR" | tr -d ' ')" 2 "bad value: two lines, the error and the hint"

# The usage lines of --help are the man page's SYNOPSIS, word for word.
if command -v mandoc >/dev/null 2>&1; then
    mandoc -T ascii man/wscli.1 | col -b |
        sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
        tr -s ' \t\n' '\n\n\n' | sed '/^$/d' >"$T/synopsis"
    "$WSCLI" --help | sed -n '1,/^$/p' | sed 's/^usage: //' |
        tr -s ' \t\n' '\n\n\n' | sed '/^$/d' >"$T/usage"
    ok "--help's usage is the man page's SYNOPSIS" cmp -s "$T/synopsis" "$T/usage"
    ok "... both have the listen form" grep -qx -- '-l' "$T/usage"
else
    pass "--help's usage is the man page's SYNOPSIS # SKIP no mandoc"
    pass "... both have the listen form # SKIP no mandoc"
fi

# --help names every option of the man page's table of modes.
"$WSCLI" --help >"$T/help"
missing=$(sed -n 's/^\.It Fl \([^ ]*\) Ta .*/-\1/p' man/wscli.1 | while read -r o; do
    grep -q -e "$o[ ,=[]" -e "$o\$" "$T/help" || printf '%s ' "$o"
done)
is "$missing" "" "--help lists every option of the man page's table"
ok "... which has rows" grep -q '^\.It Fl -probe Ta' man/wscli.1

# -t is accepted in every mode, with its mode attached.
run_wscli -l 0 -telapsed --timeout 0.2
status_is 7 "-l with -telapsed: runs (and times out)"
run_wscli -l 0 --forward "$U" -t --timeout 0.2
status_is 7 "--forward with -t: runs (and times out)"

# The man page says what wscli does here: the codes that may not be sent
# are described with /close (which refuses them), and a --tls-cert that
# cannot be read is a usage error (2), as every unreadable file option.
closeitem=$(awk '/^\.It Ic \/close Op/ { p = 1; next } p && /^\.It / { exit } p' man/wscli.1)
case $closeitem in *"may not be sent"*) r=there ;; *) r=missing ;; esac
is "$r" there "man: the /close item says which codes may not be sent"
run_wscli -l 0 --tls-cert "$T/no-such.pem"
status_is 2 "--tls-cert that cannot be read: exit 2"
like man/wscli.1 'a file that cannot be read at all is a usage error, 2' \
    "man: EXIT STATUS says an unreadable --tls-cert is a usage error, 2"

# A port nobody listens on: take a free port and do not use it.
port=$(free_port)
run_wscli "ws://127.0.0.1:$port/"
status_is 3 "connection refused: exit 3"
like "$ERR" '^wscli: ' "connection refused: reported on stderr"

run_wscli --connect-timeout 5 "ws://127.0.0.1:$port/"
status_is 3 "connection refused with --connect-timeout: exit 3"

done_testing
