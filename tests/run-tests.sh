#!/usr/bin/env bash
# Runs each test program given, prints a line per program and a closing
# "N passed, M failed" line; exits non-zero if any failed.
set -u
passed=0
failed=0
failures=()
for t in "$@"; do
	name=$(basename "$t")
	start=$EPOCHREALTIME
	if "$t" >"$t.log" 2>&1; then
		passed=$((passed + 1))
		printf 'PASS %-28s %6.2fs\n' "$name" "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
	else
		failed=$((failed + 1))
		failures+=("$name")
		printf 'FAIL %-28s (log: %s)\n' "$name" "$t.log"
		sed 's/^/    /' "$t.log" | tail -n 40
	fi
done
[ "$failed" -eq 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
