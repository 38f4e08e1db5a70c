#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# cmdline.sh - vprime-ns3's exit codes for what a command line can carry
# (docs/ns3.md "Run it", man/vprime-ns3.8 EXIT STATUS):
#   1  ns-3's CommandLine refuses it: an option it does not know, a value
#      it cannot read as the option's type (it prints the usage);
#      or it cannot run (no backend)
#   2  vprime-ns3 refuses a value it reads itself, naming the option;
#      a topology that does not check
#   0  --help, --check of a good topology
# ns-3 aborts on a time or rate it cannot parse (and divided by zero on
# 0Mbps): vprime-ns3 checks --rate, --delay and --hard-limit first, so
# none of these may end on a signal.  No root, no backend needed.
# Ends "N passed, M failed"; exit 0 only if every check passed.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
prog=${NS3_PROGRAM:-$top/build/bin/vprime-ns3}
topo=$top/tests/testbed/ns3-bench.json
[ -x "$prog" ] || { echo "ns3-cmdline: $prog is not built (make)"; exit 1; }
out=$(mktemp /tmp/vprime-ns3-cmdline.XXXXXX)
trap 'rm -f "$out"' EXIT
passed=0 failed=0

# expect RC TEXT ARGS...: vprime-ns3 ARGS exits RC and says TEXT.
expect() {
	local want=$1 text=$2 rc=0
	shift 2
	timeout 60 "$prog" "$@" >"$out" 2>&1 </dev/null || rc=$?
	if [ "$rc" = "$want" ] && grep -q -F -- "$text" "$out"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "ns3-cmdline: FAIL: vprime-ns3 $* exited $rc (want $want, '$text'): $(head -c 300 "$out" | tr '\n' '|')"
	fi
}

nodev=/nonexistent/vprime
lan=(--mode=lan --guests=domid:1 --device="$nodev")
expect 0 "[Program Options]" --help
expect 0 "2 guests" --topology="$topo" --check
expect 0 "4 guests, 2 switches" --topology="$top/engine/topologies/dumbbell.json" --check
expect 0 "2 guests, 1 switches" --topology="$top/engine/topologies/two-hosts.json" --check
expect 1 "Invalid command-line argument: --bogus" --bogus
expect 1 "Invalid command-line argument: --mtu=abc" --mtu=abc
expect 1 "Invalid command-line argument: --duration=x" --duration=x
expect 1 "Invalid command-line argument: --check=maybe" --check=maybe
expect 2 "--mtu" --mtu=10
expect 2 "--sync" --sync=soft
expect 2 "--attach" --attach=tap
expect 2 "--simulator" --simulator=default
expect 2 "--guests" --mode=lan
expect 2 "--hard-limit" --sync=hard --hard-limit=zz "${lan[@]}"
expect 2 "--hard-limit" --hard-limit=1e9y "${lan[@]}"
expect 2 "--rate" --rate=foo "${lan[@]}"
expect 2 "--rate" --rate=Mbps "${lan[@]}"
expect 2 "--rate" --rate=0Mbps "${lan[@]}"
expect 2 "--rate" --mode=routed --guests=domid:1 --rate=1e3Mbps --device="$nodev"
expect 2 "--delay" --delay=foo "${lan[@]}"
expect 2 "--delay" --delay=-1ms "${lan[@]}"
expect 2 "--delay" --delay=1e9y "${lan[@]}"
expect 2 "unable to open" --topology=/nonexistent.json --check
# Good values get as far as the backend, which is not there: 1.
expect 1 "open $nodev" --sync=hard --hard-limit=5ms --rate=1.5Gbps --delay=2ms "${lan[@]}"
expect 1 "open $nodev" --mode=routed --guests=domid:1 --rate=10kb/s --delay=1min --device="$nodev"

echo "ns3-cmdline: $passed passed, $failed failed"
[ "$failed" = 0 ]
