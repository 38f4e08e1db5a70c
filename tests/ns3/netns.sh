#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# netns.sh - vprime-ns3 end to end without Xen: vprime-simhost's guests are
# real Linux stacks in network namespaces (TAP devices), vprime-ns3 attaches
# to them unmodified through VPRIME_DEVICE=unix:..., with its reader thread
# on the real descriptor.  Real pings cross ns-3 links; RTTs are checked
# against the configured delays:
#
#   routed  ns1 10.0.1.2 -- R0 --5ms-- core --5ms-- R1 -- 10.0.2.2 ns2
#           (ping RTT >= 20 ms; ping of each router and across)
#   lan     ns1 10.0.0.1, ns2 10.0.0.2 and the ns-3 host 10.0.0.254 on one
#           CSMA LAN of 2 ms (guest to guest RTT >= 4 ms)
#   topo    tests/simhost/two-ns.json, the file vprimed runs in the simhost
#           test (1 ms + 1 ms each way: RTT >= 4 ms); then the same file
#           through vprimed, same namespaces, for the A/B
#   gone    the device of g2 removed and added back while vprime-ns3 runs;
#           at the end vprime-simhost exits under it: exit 1, "backend lost"
#
# vprime-ns3's phases run under each real-time simulator of NS3_SIMULATORS
# (default "ns3 vprime": ns-3's RealtimeSimulatorImpl with the reader
# thread, VprimeRealtimeSimulatorImpl watching the descriptor itself).
#
# kselftest conventions: exit 4 (skip) without root, /dev/net/tun or
# network namespaces; 0 if every check passed.  Ends "N passed, M failed".
set -e
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
simhost=${NS3_SIMHOST:-$top/build/bin/vprime-simhost}
nl_name=ns3-netns
# shellcheck source=../../tests/simhost/netns-lib.sh
. "$top/tests/simhost/netns-lib.sh"
vprime_ns3=${NS3_PROGRAM:-$top/build/bin/vprime-ns3}
vprimed=${NS3_VPRIMED:-$top/build/bin/vprimed}
topo=$top/tests/simhost/two-ns.json
slack_ms=${NS3_RTT_SLACK_MS:-25}	# a loaded 2-core machine; figures are printed
read -r -a sims <<<"${NS3_SIMULATORS:-ns3 vprime}"

[ "$(id -u)" = 0 ] || skip "not root"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for b in "$simhost" "$vprime_ns3" "$vprimed"; do
	[ -x "$b" ] || { echo "ns3-netns: $b is not built (make)"; exit 1; }
done
command -v ping >/dev/null || { echo "ns3-netns: no ping"; exit 1; }

id=$$
ns1=vns$id-1 ns2=vns$id-2 tap1=vns${id}a tap2=vns${id}b
dir=$(mktemp -d /tmp/vprime-ns3.XXXXXX)
sock=$dir/sim.sock ctl=$dir/sim.sock.ctl
sim_pid='' eng_pid=''
passed=0 failed=0

ip netns add "$ns1" 2>/dev/null || { rm -rf "$dir"; skip "cannot create network namespaces"; }
ip netns add "$ns2"

n1() { ip netns exec "$ns1" "$@"; }
n2() { ip netns exec "$ns2" "$@"; }

cleanup() {
	set +e
	stop_pid "$eng_pid"
	stop_pid "$sim_pid"
	ip netns del "$ns1" 2>/dev/null
	ip netns del "$ns2" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

both_attached() {
	ctl list | grep -qx 'g1 attached carrier' && ctl list | grep -qx 'g2 attached carrier'
}

# rtt NS DEST COUNT: prints "min avg max" in ms, fails without replies
rtt() {
	ip netns exec "$1" ping -n -q -c "$3" -i 0.2 -W 2 "$2" |
		sed -n 's|.*= \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\)/.*|\1 \2 \3|p' | grep .
}

# rtt_ok NAME NS DEST MIN_MS: min RTT >= configured, avg within the slack
rtt_ok() {
	local name=$1 ns=$2 dest=$3 lo=$4 r
	r=$(rtt "$ns" "$dest" 20) || { echo "    $name: no replies"; return 1; }
	echo "    $name: rtt min/avg/max $r ms (configured $lo ms)"
	echo "$name $r $lo" >>"$dir/figures"
	awk -v r="$r" -v lo="$lo" -v s="$slack_ms" \
		'BEGIN { split(r, a, " "); exit !(a[1] >= lo && a[2] <= lo + s) }'
}

address() {
	ip -n "$ns1" addr flush dev "$tap1"
	ip -n "$ns2" addr flush dev "$tap2"
	ip -n "$ns1" addr add "$1" dev "$tap1"
	ip -n "$ns2" addr add "$2" dev "$tap2"
	ip -n "$ns1" route replace default via "$3" dev "$tap1" 2>/dev/null || true
	ip -n "$ns2" route replace default via "$4" dev "$tap2" 2>/dev/null || true
}

engine() {
	stop_pid "$eng_pid"
	eng_pid=''
	wait_for 50 bash -c "! $simhost ctl $ctl list | grep -q ' attached'"
	echo "[+] VPRIME_DEVICE=unix:$sock $*"
	VPRIME_DEVICE=unix:$sock "$@" >"$dir/engine.log" 2>&1 &
	eng_pid=$!
	check "engine attaches both guests ($(basename "$1"))" wait_for 100 both_attached
}

g1="name=g1,mac=02:00:00:5e:00:01,tap=$tap1,netns=$ns1"
g2="name=g2,mac=02:00:00:5e:00:02,tap=$tap2,netns=$ns2"
"$simhost" --socket "$sock" --guest "$g1" --guest "$g2" 2>"$dir/simhost.log" &
sim_pid=$!
check "vprime-simhost answers" wait_for 50 ctl list
n1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1
n2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip -n "$ns1" link set "$tap1" up
ip -n "$ns2" link set "$tap2" up

for sim in "${sims[@]}"; do
# ---- routed: each guest behind an ns-3 router, 5 ms to the core each ----
address 10.0.1.2/24 10.0.2.2/24 10.0.1.1 10.0.2.1
engine "$vprime_ns3" --simulator="$sim" --mode=routed --guests=name:g1,name:g2 --rate=100Mbps --delay=5ms
check "$sim routed: ping own ns-3 router" rtt_ok "$sim-routed-gw" "$ns1" 10.0.1.1 0
check "$sim routed: ping across two 5 ms links each way" rtt_ok "$sim-routed" "$ns1" 10.0.2.2 20

# ---- gone and back while vprime-ns3 runs ----
ctl remove g2 >/dev/null
check "$sim gone: no reply while g2's device is removed" bash -c "! ip netns exec $ns1 ping -c 2 -W 1 -q 10.0.2.2 >/dev/null"
ctl add g2 >/dev/null
check "$sim gone: re-attached within its 1 s rescan" wait_for 50 both_attached
check "$sim gone: ping again" wait_for 50 n1 ping -c 1 -W 1 -q 10.0.2.2

# ---- lan: both guests and an ns-3 host on one 2 ms CSMA LAN ----
address 10.0.0.1/24 10.0.0.2/24 10.0.0.254 10.0.0.254
engine "$vprime_ns3" --simulator="$sim" --mode=lan --guests=name:g1,mac:02:00:00:5e:00:02 --rate=100Mbps --delay=2ms
check "$sim lan: ping the ns-3 host" rtt_ok "$sim-lan-host" "$ns1" 10.0.0.254 4
check "$sim lan: ping guest to guest" rtt_ok "$sim-lan" "$ns1" 10.0.0.2 4

# ---- the same topology file on both engines ----
engine "$vprime_ns3" --simulator="$sim" --topology="$topo"
check "$sim topo on vprime-ns3: guest to guest" rtt_ok "$sim-topo-ns3" "$ns1" 10.0.0.2 4
done
engine "$vprimed" -t "$topo" -c "$dir/vprimed.sock"
check "topo on vprimed: guest to guest" rtt_ok topo-vprimed "$ns1" 10.0.0.2 4

# ---- the backend goes away under vprime-ns3: it stops, exit 1 ----
# (the last simulator of the list: the host cannot come back)
engine "$vprime_ns3" --simulator="${sims[-1]}" --mode=lan --guests=name:g1,name:g2
stop_pid "$sim_pid"
sim_pid=''
check "backend gone: vprime-ns3 exits within 5 s" wait_for 50 bash -c "! kill -0 $eng_pid"
rc=0
wait "$eng_pid" 2>/dev/null || rc=$?
eng_pid=''
check "backend gone: exit 1, 'backend lost'" bash -c "[ $rc = 1 ] && grep -q 'backend lost' $dir/engine.log"

echo "figures (name min avg max configured, ms):"
sed 's/^/    /' "$dir/figures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
