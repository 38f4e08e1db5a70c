#!/usr/bin/env bash
# Runs each test program given, prints a line per program and a closing
# "N passed, M failed" line (", K skipped" when a program exited 4, the
# kselftest code for a missing prerequisite); exits non-zero if any failed.
set -u
passed=0
failed=0
skipped=0
failures=()
for t in "$@"; do
	name=$(basename "$t")
	start=$EPOCHREALTIME
	rc=0
	"$t" >"$t.log" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'PASS %-28s %6.2fs\n' "$name" "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
	elif [ "$rc" -eq 4 ]; then
		skipped=$((skipped + 1))
		printf 'SKIP %-28s %s\n' "$name" "$(grep -m1 SKIP "$t.log" || true)"
	else
		failed=$((failed + 1))
		failures+=("$name")
		printf 'FAIL %-28s (log: %s)\n' "$name" "$t.log"
		sed 's/^/    /' "$t.log" | tail -n 40
	fi
done
[ "$failed" -eq 0 ] || echo "failed: ${failures[*]}"
if [ "$skipped" -eq 0 ]; then
	echo "$passed passed, $failed failed"
else
	echo "$passed passed, $failed failed, $skipped skipped"
fi
[ "$failed" -eq 0 ]
