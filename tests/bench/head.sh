#!/bin/sh
# tests/bench/head.sh - what parsing an upgrade request head costs when it
# arrives a byte at a time (tests/bench/head-parse.c): the parser started
# again on every read, and resumed. Not a test: it prints numbers.
#
#   sh tests/bench/head.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d "${TMPDIR:-/tmp}/wscli-head-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
cc -O2 -std=c11 -D_GNU_SOURCE -I. -o "$T/head-parse" tests/bench/head-parse.c \
    upgrade.c $(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto) ||
    { echo "bench-head: cannot build head-parse" >&2; exit 1; }
"$T/head-parse" 65000 1 lines
"$T/head-parse" 65000 1 one
"$T/head-parse" 65000 16 lines
