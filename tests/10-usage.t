#!/bin/sh
# Command-line errors exit 2; a server that is not there exits 3.
. tests/lib.sh
need_wscli

run_wscli
status_is 2 "no URL: exit 2"
like "$ERR" '^wscli: |usage' "no URL: message on stderr"

run_wscli http://127.0.0.1:1/
status_is 2 "http:// URL: exit 2"
like "$ERR" '^wscli: ' "http:// URL: stderr prefixed with wscli:"

run_wscli foo
status_is 2 "URL without scheme: exit 2"

run_wscli --count abc ws://127.0.0.1:1/
status_is 2 "--count abc: exit 2"

run_wscli --wait xyz ws://127.0.0.1:1/
status_is 2 "--wait xyz: exit 2"

run_wscli --no-such-option ws://127.0.0.1:1/
status_is 2 "unknown option: exit 2"

run_wscli ws://127.0.0.1:1/ ws://127.0.0.1:2/
status_is 2 "two URLs: exit 2"

is "$(cat "$T"/wscli*.out)" "" "usage errors write nothing on stdout"

# A port nobody listens on: take a free port and do not use it.
port=$(free_port)
run_wscli "ws://127.0.0.1:$port/"
status_is 3 "connection refused: exit 3"
like "$ERR" '^wscli: ' "connection refused: reported on stderr"

run_wscli --connect-timeout 5 "ws://127.0.0.1:$port/"
status_is 3 "connection refused with --connect-timeout: exit 3"

done_testing
