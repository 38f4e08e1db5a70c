#!/usr/bin/env bash
# run-fuzzers.sh SECONDS FUZZER... - a bounded libFuzzer pass per target.
# Seeds come from tests/fuzz/corpus/<name>/ (read-only); new inputs go to
# build/fuzz/corpus/<name>/.  Prints executions and coverage per target and
# a closing "N passed, M failed"; a crash, leak or timeout fails the target
# and leaves the reproducer in build/fuzz/.
set -u
secs=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
passed=0
failed=0
for fz in "$@"; do
	name=$(basename "$fz")
	seeds="$top/tests/fuzz/corpus/$name"
	work="$top/build/fuzz/corpus/$name"
	log="$top/build/fuzz/$name.log"
	mkdir -p "$work"
	[ -d "$seeds" ] || { echo "FAIL $name: no seed corpus at $seeds"; failed=$((failed + 1)); continue; }
	if (cd "$top/build/fuzz" && "$fz" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 "$work" "$seeds") >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
		printf 'PASS %-16s %s s, %s executions, %s, 0 crashes\n' "$name" "$secs" "${execs:-?}" "${cov:-cov: ?}"
		passed=$((passed + 1))
	else
		printf 'FAIL %-16s (log: %s)\n' "$name" "$log"
		grep -E 'ERROR|SUMMARY|==[0-9]+==|Test unit written' "$log" | head -n 20 | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
