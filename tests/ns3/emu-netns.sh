#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# emu-netns.sh - vprime-ns3 --attach=emu (ns-3's FdNetDevice through
# EmuFdNetDeviceHelper, the baseline make bench compares VprimeNetDevice
# with) without Xen: each "guest" is a network namespace whose veth peer
# sits in a third namespace, where vprime-ns3 runs, as a guest's stock
# vif sits in dom0:
#
#   ns g1: e1 10.0.0.1 --veth-- v1 (ns d0) =FdNetDevice= h1 --2ms--+
#                                                                    s1
#   ns g2: e2 10.0.0.2 --veth-- v2 (ns d0) =FdNetDevice= h2 --2ms--+
#
# tests/testbed/ns3-bench.json: guest to guest RTT >= 8 ms.  Also: SIGUSR1
# prints the devices' counters while it runs; a guest missing from --emu,
# an interface that is not promiscuous (ns-3 would abort) and --emu without
# --attach=emu are refused with exit 2.
#
# kselftest conventions: exit 4 (skip) without root or network namespaces;
# 0 if every check passed.  Ends "N passed, M failed".
set -e
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck disable=SC2034 # read by netns-lib.sh
nl_name=ns3-emu
# shellcheck source=../../tests/simhost/netns-lib.sh
. "$top/tests/simhost/netns-lib.sh"
vprime_ns3=${NS3_PROGRAM:-$top/build/bin/vprime-ns3}
topo=$top/tests/testbed/ns3-bench.json
slack_ms=${NS3_RTT_SLACK_MS:-25}	# a loaded 2-core machine

[ "$(id -u)" = 0 ] || skip "not root"
[ -x "$vprime_ns3" ] || { echo "ns3-emu: $vprime_ns3 is not built (make)"; exit 1; }
command -v ping >/dev/null || { echo "ns3-emu: no ping"; exit 1; }

id=$$
d0=vne$id-0 ns1=vne$id-1 ns2=vne$id-2 v1=vne${id}a v2=vne${id}b
dir=$(mktemp -d /tmp/vprime-ns3-emu.XXXXXX)
eng_pid=''
passed=0 failed=0

ip netns add "$d0" 2>/dev/null || { rm -rf "$dir"; skip "cannot create network namespaces"; }
ip netns add "$ns1"
ip netns add "$ns2"

cleanup() {
	set +e
	stop_pid "$eng_pid"
	ip netns del "$d0" 2>/dev/null
	ip netns del "$ns1" 2>/dev/null
	ip netns del "$ns2" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

for i in 1 2; do
	ns=vne$id-$i v=vne${id}$([ $i = 1 ] && echo a || echo b)
	ip link add "$v" netns "$d0" type veth peer name e$i netns "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$ns" addr add 10.0.0.$i/24 dev e$i
	ip -n "$ns" link set e$i up
	ip -n "$d0" link set "$v" up
done
ip netns exec "$d0" sysctl -qw net.ipv6.conf.all.disable_ipv6=1

emu() { ip netns exec "$d0" "$vprime_ns3" --topology="$topo" --attach=emu "$@"; }
refused() { # WHAT ARGS...: exit 2 and a message naming WHAT
	local what=$1 rc=0
	shift
	emu "$@" >"$dir/refused.log" 2>&1 || rc=$?
	[ $rc = 2 ] && grep -q -- "$what" "$dir/refused.log"
}
check "not promiscuous: refused, exit 2" refused "is not promiscuous" --emu="g1-vp0=$v1,g2-vp0=$v2"
ip -n "$d0" link set "$v1" promisc on
ip -n "$d0" link set "$v2" promisc on
check "guest missing from --emu: refused, exit 2" refused "no interface for guest 'g2-vp0'" --emu="g1-vp0=$v1"
check "no such interface: refused, exit 2" refused "interface nope" --emu="g1-vp0=$v1,g2-vp0=nope"
check "--emu without --attach=emu: refused, exit 2" bash -c \
	"ip netns exec $d0 $vprime_ns3 --topology=$topo --emu=g1-vp0=$v1 2>&1 | grep -q 'needs --attach=emu'"

echo "[+] vprime-ns3 --topology=$topo --attach=emu --emu=g1-vp0=$v1,g2-vp0=$v2"
# (not through the function: its subshell would take the signals)
ip netns exec "$d0" "$vprime_ns3" --topology="$topo" --attach=emu --emu="g1-vp0=$v1,g2-vp0=$v2" \
	>"$dir/engine.log" 2>&1 &
eng_pid=$!
check "vprime-ns3 --attach=emu runs" wait_for 50 grep -q '^running (ns-3 FdNetDevice' "$dir/engine.log"

r=''
ping_ok() {
	r=$(ip netns exec "$ns1" ping -n -q -c 20 -i 0.2 -W 2 10.0.0.2 |
		sed -n 's|.*= \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\)/.*|\1 \2 \3|p' | grep .) || return 1
	echo "    rtt min/avg/max $r ms (configured 8 ms)"
	awk -v r="$r" -v s="$slack_ms" 'BEGIN { split(r, a, " "); exit !(a[1] >= 8 && a[2] <= 8 + s) }'
}
check "emu: ping guest to guest across two 2 ms links each way" ping_ok
kill -USR1 "$eng_pid"
check "SIGUSR1: counters printed while it runs" wait_for 30 grep -q '^stats-end 1' "$dir/engine.log"
rx=$(awk '$1 == "emu" && $2 == "g1-vp0" { print $5 }' "$dir/engine.log" | tail -n 1)
check "g1's FdNetDevice took its 20 requests (rx_frames ${rx:-none} >= 20)" test "${rx:-0}" -ge 20
kill -TERM "$eng_pid"
rc=0
wait "$eng_pid" || rc=$?
eng_pid=''
check "stops on SIGTERM: exit 0 (no sanitizer report), counters printed" \
	bash -c "[ $rc = 0 ] && grep -q '^emu g2-vp0 ' '$dir/engine.log'"
echo "figures: emu guest to guest rtt min/avg/max ${r:-none} ms, configured 8"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
