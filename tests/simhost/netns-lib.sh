# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# netns-lib.sh - what the host tests that run an engine against
# vprime-simhost's network namespaces share (tests/simhost/netns.sh,
# tests/ns3/netns.sh, prime/tests/check-prime.sh).  Source it after
# setting $nl_name (the test's name in messages), $simhost and $ctl (the
# host's binary and control socket); the caller keeps passed/failed and
# its own cleanup trap.

# kselftest's convention: a missing prerequisite is a skip, exit 4.
skip() { echo "$nl_name: SKIP: $*"; exit 4; }

pretty() { echo "[+] $*"; }
run() { pretty "$@"; "$@"; }
ctl() { "$simhost" ctl "$ctl" "$@"; }

# check WHAT CMD...: one line per check, counted in passed/failed.
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok   $what"
		passed=$((passed + 1))
	else
		echo "FAIL $what"
		failed=$((failed + 1))
	fi
}

# stop_pid PID: end a background process of the test (empty: nothing).
stop_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# wait_for TENTHS CMD...: poll until CMD succeeds, for up to TENTHS/10 s.
wait_for() {
	local tries=$1
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}
