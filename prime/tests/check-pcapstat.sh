#!/bin/bash
# SPDX-License-Identifier: MIT
# vprime-pcapstat (prime/bench/pcapstat.c, built with ASan+UBSan) against a
# real packet socket: a Python process holds an AF_PACKET/ETH_P_ALL socket
# bound to lo with a tiny receive buffer and never reads it; pings on lo
# must show up as frames it was handed, and most of them as drops (its
# buffer is full); three consecutive windows.  Then the refusals: bad arguments (exit 2), a process
# without a capture socket, an unknown interface, no such process (exit 1).
# A skip (exit 4) without root or python3.
#   check-pcapstat.sh PCAPSTAT
set -u
PS=$1
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (a packet socket)"; exit 4; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 4; }
command -v ping >/dev/null || { echo "SKIP: no ping"; exit 4; }
python3 -c '
import socket, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
s.bind(("lo", 3))
print("ready", flush=True)
time.sleep(60)
' >"${TMPDIR:-/tmp}/pcapstat-holder.$$" 2>&1 &
holder=$!
trap 'kill $holder 2>/dev/null; rm -f "${TMPDIR:-/tmp}/pcapstat-holder.$$"' EXIT
for _ in $(seq 100); do grep -q ready "${TMPDIR:-/tmp}/pcapstat-holder.$$" && break; sleep 0.05; done
grep -q ready "${TMPDIR:-/tmp}/pcapstat-holder.$$" || fail "holder did not start: $(cat "${TMPDIR:-/tmp}/pcapstat-holder.$$")"

"$PS" "$holder" lo 0 >/dev/null || fail "first read (reset) failed"
ping -c 200 -i 0.002 -q 127.0.0.1 >/dev/null 2>&1 &
pinger=$!
out=$("$PS" "$holder" lo 1500) || fail "windowed read failed: $out"
wait "$pinger"
echo "window: $out"
recv=$(echo "$out" | sed -n 's/.*recv=\([0-9]*\).*/\1/p')
drops=$(echo "$out" | sed -n 's/.*drops=\([0-9]*\).*/\1/p')
ns=$(echo "$out" | sed -n 's/.* ns=\([0-9]*\).*/\1/p')
[[ $out == sockets=1\ * ]] || fail "want one capture socket: $out"
[ "${recv:-0}" -ge 200 ] || fail "recv ${recv:-?} < 200 for 200 pings (400 frames) on lo"
[ "${drops:-0}" -gt 0 ] || fail "no drops with a 1-byte receive buffer never read"
[ "$drops" -le "$recv" ] || fail "drops $drops > recv $recv"
{ [ "${ns:-0}" -ge 1400000000 ] && [ "$ns" -le 3000000000 ]; } || fail "window ${ns:-?} ns for 1500 ms"
out=$("$PS" "$holder" lo 0) || fail "read after the window failed"
echo "after: $out"
# consecutive windows: COUNT lines, each ending MS after the last
out=$("$PS" "$holder" lo 200 3) || fail "three windows failed"
echo "$out"
[ "$(echo "$out" | grep -c '^sockets=1 ')" = 3 ] || fail "want 3 window lines"
echo "$out" | awk '{ split($NF, kv, "="); at[NR] = kv[2] }
	END { for (i = 1; i <= 3; i++) if (at[i] < i * 190e6 || at[i] > i * 200e6 + 150e6) exit 1 }' ||
	fail "windows do not end at 200, 400, 600 ms"
rc=0; "$PS" "$holder" lo 200 0 2>/dev/null || rc=$?; [ "$rc" = 2 ] || fail "COUNT 0: exit $rc, want 2"

rc=0; "$PS" "$holder" lo 2>/dev/null || rc=$?; [ "$rc" = 2 ] || fail "2 arguments: exit $rc, want 2"
rc=0; "$PS" "$holder" lo -1 2>/dev/null || rc=$?; [ "$rc" = 2 ] || fail "MS -1: exit $rc, want 2"
rc=0; "$PS" 0 lo 0 2>/dev/null || rc=$?; [ "$rc" = 2 ] || fail "PID 0: exit $rc, want 2"
rc=0; "$PS" "$holder" ../lo 0 2>/dev/null || rc=$?; [ "$rc" = 2 ] || fail "IFNAME with /: exit $rc, want 2"
rc=0; "$PS" "$holder" no-such-if0 0 2>/dev/null || rc=$?; [ "$rc" = 1 ] || fail "unknown interface: exit $rc, want 1"
rc=0; "$PS" "$$" lo 0 2>/dev/null || rc=$?; [ "$rc" = 1 ] || fail "process without a capture socket: exit $rc, want 1"
rc=0; "$PS" 2147483647 lo 0 2>/dev/null || rc=$?; [ "$rc" = 1 ] || fail "no such process: exit $rc, want 1"
echo "PASS"
