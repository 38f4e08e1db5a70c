#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lag.sh - how far vprime-ns3 falls behind real time, and what it spends
# per frame, on the testbed's ns3 workload without Xen: guests demo-a and
# demo-c of vprime-simhost in network namespaces, vprime-ns3 on
# engine/topologies/demo.json (b absent, as in the scenario), 20 pings then
# iperf3 UDP at 1.5 Mbit/s of 1400-byte datagrams, a -> c.
#
#   tests/ns3/lag.sh [unshaped|shaped] [-- WRAPPER...]
#
# WRAPPER runs vprime-ns3 under something that makes it slow the way dom0
# under QEMU's TCG is (valgrind --tool=none: a binary translator, and no
# vDSO, so every clock read is a system call as in a Xen PV dom0), or
# NS3_LAG_CLOCK_SYSCALL=1 makes every clock read a system call, as in a
# dom0 without a vDSO clock (LD_PRELOAD of tests/ns3/clock-syscall.c).
# NS3_LAG_STRACE=FILE: strace -c of the window.  NS3_LAG_ARGS: more
# vprime-ns3 options (--simulator=vprime).  NS3_PROGRAM picks the
# binary (a before/after pair in one run).  Prints the handle's lateness
# counters, the simulator's events, CPU, context switches, per frame.
# A measuring tool, not a check: root, /dev/net/tun, iperf3; exit 4 without.
set -e
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
simhost=${NS3_SIMHOST:-$top/build/bin/vprime-simhost}
vprime_ns3=${NS3_PROGRAM:-$top/build/bin/vprime-ns3}
nl_name=ns3-lag
ctl=''
# shellcheck source=tests/simhost/netns-lib.sh
. "$top/tests/simhost/netns-lib.sh"
phase=${1:-unshaped}
shift || true
[ "${1:-}" = -- ] && shift
wrapper=("$@")
read -r -a extra <<<"${NS3_LAG_ARGS:-}"
secs=${NS3_LAG_SECONDS:-6}

[ "$(id -u)" = 0 ] || skip "not root"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v iperf3 >/dev/null || skip "no iperf3"
for b in "$simhost" "$vprime_ns3"; do
	[ -x "$b" ] || { echo "$nl_name: $b is not built (make)"; exit 1; }
done

id=$$
nsa=vlag$id-a nsc=vlag$id-c tapa=vlag${id}a tapc=vlag${id}c
dir=$(mktemp -d /tmp/vprime-ns3-lag.XXXXXX)
sock=$dir/sim.sock
ctl=$dir/sim.sock.ctl	# netns-lib.sh's ctl()
export ctl
sim_pid='' eng_pid=''

cleanup() {
	set +e
	stop_pid "$eng_pid"
	stop_pid "$sim_pid"
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsc" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$nsa" 2>/dev/null || skip "cannot create network namespaces"
ip netns add "$nsc"

preload=''
if [ -n "${NS3_LAG_CLOCK_SYSCALL:-}" ]; then
	cc -O2 -shared -fPIC -o "$dir/clock-syscall.so" "$top/tests/ns3/clock-syscall.c"
	preload=$dir/clock-syscall.so
fi

topo=$top/engine/topologies/demo.json
if [ "$phase" = unshaped ]; then
	sed -e 's/"bandwidth": "[^"]*", *//g' -e 's/"delay": "[^"]*", *//g' "$topo" >"$dir/topo.json"
	topo=$dir/topo.json
fi

"$simhost" --socket "$sock" \
	--guest "name=demo-a,mac=02:00:00:de:00:0a,tap=$tapa,netns=$nsa" \
	--guest "name=demo-c,mac=02:00:00:de:00:0c,tap=$tapc,netns=$nsc" 2>"$dir/simhost.log" &
sim_pid=$!
wait_for 50 ctl list || { echo "$nl_name: vprime-simhost does not answer"; exit 1; }
for n in a c; do
	ns=vlag$id-$n tap=vlag$id$n
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$ns" link set lo up
	ip -n "$ns" link set "$tap" up
done
ip -n "$nsa" addr add 10.0.0.1/24 dev "$tapa"
ip -n "$nsc" addr add 10.0.0.3/24 dev "$tapc"

VPRIME_DEVICE=unix:$sock LD_PRELOAD=$preload "${wrapper[@]}" "$vprime_ns3" --topology="$topo" "${extra[@]}" >"$dir/engine.log" 2>"$dir/engine.err" &
eng_pid=$!
attached() { ctl list | grep -q 'demo-a attached' && ctl list | grep -q 'demo-c attached'; }
wait_for 600 attached || { echo "$nl_name: not attached"; cat "$dir/engine.err"; exit 1; }
# The program's own pid (under a wrapper, its child).
pid=$eng_pid
for _ in $(seq 50); do
	p=$(pgrep -n -f "^[^ ]*vprime-ns3 --topology=$topo" || true)
	[ -n "$p" ] && { pid=$p; break; }
	sleep 0.1
done
ip netns exec "$nsc" iperf3 -s -D -1 >/dev/null 2>&1
ip netns exec "$nsa" ping -c 2 -W 3 10.0.0.3 >/dev/null 2>&1 || true

# snapshot: the handle's counters (SIGUSR1) and the kernel's view of pid
snapshot() {
	local n=$1 t cs=0
	kill -USR1 "$pid"
	wait_for 100 grep -q "^stats-end $n\$" "$dir/engine.log" || { echo "$nl_name: no stats $n"; exit 1; }
	for t in /proc/"$pid"/task/*/status; do
		cs=$((cs + $(awk '/ctxt_switches/ { s += $2 } END { print s }' "$t")))
	done
	awk -v n="$n" '$1 == "stats" && $2 == n { on = 1; next } $1 == "stats-end" { on = 0 }
		on && $1 == "handle" { print $2, $3 }' "$dir/engine.log" >"$dir/snap$n"
	{
		echo "cpu_ticks $(awk '{ print $14 + $15 }' /proc/"$pid"/stat)"
		echo "ctxt_switches $cs"
		echo "wall_ns $(date +%s%N)"
	} >>"$dir/snap$n"
}

snapshot 1
st_pid=''
if [ -n "${NS3_LAG_STRACE:-}" ]; then	# system calls of the window, all threads
	strace -c -f -o "$NS3_LAG_STRACE" -p "$pid" 2>/dev/null &
	st_pid=$!
	sleep 1
fi
ip netns exec "$nsa" ping -c 20 -i 0.2 -W 3 10.0.0.3 >"$dir/ping" 2>&1 || true
ip netns exec "$nsa" iperf3 -c 10.0.0.3 -u -b 1500000 -l 1400 -t "$secs" -f m >"$dir/iperf" 2>&1 || true
snapshot 2
if [ -n "$st_pid" ]; then
	kill -INT "$st_pid"
	wait "$st_pid" 2>/dev/null || true
fi

echo "ns3-lag: $phase, wrapper '${wrapper[*]:-none}', $(basename "$vprime_ns3") ${NS3_LAG_ARGS:-}, $(date -u +%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
sed -n 's|^rtt .* = \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\)/.*|  ping rtt min/avg/max \1 / \2 / \3 ms|p' "$dir/ping"
grep -E 'receiver' "$dir/iperf" | tail -n 1 | sed 's/^/  iperf3 /'
awk -v hz="$(getconf CLK_TCK)" '
	FNR == NR { a[$1] = $2; next } { d[$1] = $2 - a[$1]; last[$1] = $2 }
	END {
		f = d["rx_frames"]; if (f < 1) f = 1
		printf "  frames from guests %d, batches %d (late %d, latest %.1f ms), events %d\n",
			d["rx_frames"], d["services"], d["services_late"], last["service_late_max_us"] / 1000, d["events"]
		printf "  per guest frame: %.1f events, %.2f batches, %.2f context switches, %.0f us CPU\n",
			d["events"] / f, d["services"] / f, d["ctxt_switches"] / f, d["cpu_ticks"] * 1e6 / hz / f
		printf "  CPU %.2f s over %.1f s\n", d["cpu_ticks"] / hz, d["wall_ns"] / 1e9
		if (last["sim_polls"] > 0)	# VprimeRealtimeSimulatorImpl
			printf "  its loop per guest frame: %.2f clock reads, %.2f epoll calls; %d events > LateThreshold late, latest %.1f ms\n",
				d["sim_clock_reads"] / f, d["sim_polls"] / f, d["sim_events_late"], last["sim_event_late_max_us"] / 1000
	}' "$dir/snap1" "$dir/snap2"
if [ -n "${NS3_LAG_KEEP:-}" ]; then
	cp "$dir/engine.log" "$dir/engine.err" "$NS3_LAG_KEEP"/ 2>/dev/null || true
fi
