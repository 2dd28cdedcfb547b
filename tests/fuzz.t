#!/bin/sh
# Short libFuzzer runs, as TAP: each tests/fuzz_* target runs for
# FUZZ_CHECK_SECONDS (default 4) on a copy of its seed corpus
# tests/corpus/NAME/, whose inputs (regression cases included) must all pass.
# One line per target with the executions and edge coverage reached; on a
# failure the temporary directory holding the crashing input and the log is
# kept and named. FUZZ_TARGETS="fuzz_json ..." restricts the run.
cd "$(dirname "$0")/.." || exit 1

secs=${FUZZ_CHECK_SECONDS:-4}
cc=${FUZZ_CC:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "1..0 # SKIP clang not installed"
	exit 0
fi

if [ -z "$FUZZ_TARGETS" ]; then
	for f in tests/fuzz_*.c; do
		f=${f#tests/}
		FUZZ_TARGETS="$FUZZ_TARGETS ${f%.c}"
	done
fi

if [ -z "$FUZZ_NO_BUILD" ]; then
	log=$(make -s -f tests/fuzz.mk FUZZ_CC="$cc" \
	    FUZZ_TARGETS="$FUZZ_TARGETS" fuzz-build 2>&1)
	if [ $? -ne 0 ]; then
		if printf '%s\n' "$log" | grep -q 'libclang_rt\.fuzzer'; then
			echo "1..0 # SKIP clang has no libFuzzer runtime"
			exit 0
		fi
		echo "1..1"
		echo "not ok 1 - build the fuzz targets"
		printf '%s\n' "$log" | sed 's/^/# /'
		exit 1
	fi
fi

set -- $FUZZ_TARGETS
echo "1..$#"
n=0
failed=0
for t in "$@"; do
	n=$((n + 1))
	dir=$(mktemp -d "${TMPDIR:-/tmp}/wscli-$t.XXXXXX") || exit 1
	mkdir "$dir/corpus"
	if [ -d "tests/corpus/$t" ]; then
		cp -R "tests/corpus/$t/." "$dir/corpus/"
	fi
	"./tests/$t" -max_total_time="$secs" -timeout=10 \
	    -print_final_stats=1 -artifact_prefix="$dir/" \
	    "$dir/corpus" >"$dir/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")
	# the last status line: "#N  DONE  cov: C ft: F corp: K/S ..."
	cov=$(sed -n 's/^#[0-9].* cov: \([0-9]*\) .*/\1/p' "$dir/log" | tail -n 1)
	ft=$(sed -n 's/^#[0-9].* ft: \([0-9]*\) .*/\1/p' "$dir/log" | tail -n 1)
	corp=$(sed -n 's/^#[0-9].* corp: \([0-9]*\)\/.*/\1/p' "$dir/log" |
	    tail -n 1)
	if [ "$rc" -eq 0 ] && [ -n "$execs" ]; then
		echo "ok $n - $t: $execs execs, cov ${cov:-?}"
		echo "# $t: ${rate:-?} execs/s, ft ${ft:-?}, corpus ${corp:-?}"
		rm -rf "$dir"
	else
		failed=$((failed + 1))
		crash=$(ls "$dir" | grep -E '^(crash|leak|timeout|oom)-' |
		    head -n 1)
		if [ -n "$crash" ]; then
			echo "not ok $n - $t: $dir/$crash"
		else
			echo "not ok $n - $t: exit $rc, log $dir/log"
		fi
		grep -E 'ERROR|SUMMARY|^ *#[0-9]+ 0x|Test unit written' \
		    "$dir/log" | head -n 40 | sed 's/^/# /'
		echo "# log: $dir/log"
	fi
done
[ "$failed" -eq 0 ]
