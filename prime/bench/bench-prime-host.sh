#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench-prime-host.sh - the blocking and the polling vprime device of
# PRIMEX measured side by side on the host: the real primex on
# three-guests-blocking.xml (polling=false) and three-guests.xml (polling,
# the default), over vprime-simhost's guests in network namespaces, as
# prime/tests/check-prime.sh sets them up.
#
#   bench-prime-host.sh [ROUNDS [FLOOD_SECS]]     (make bench-prime-host)
#
# Per round, each device in turn, a fresh simhost and primex:
#   idle   IDLE_SECS with no traffic: primex CPU share, wake-ups/s
#   ping   200 pings g1 -> g2 at 10 ms: p50/p99 RTT against the model's 31 ms
#   flood  64-byte UDP frames g1 -> g2 for FLOOD_SECS from one sender:
#          frames/s into the simulator (the device's `imported`), frames/s
#          delivered to g2 (its tap's RX counter), primex CPU per imported
#          frame and per frame delivered, wake-ups (voluntary context
#          switches of every primex thread) per imported frame, import_late
#          share
# One line per device and round ("result ..."), then the medians and the
# polling/blocking ratios.  Needs root, /dev/net/tun, namespaces (exit 4
# without).  Not part of make check: it takes about a minute per run.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
primex=${PRIME_PRIMEX:-$top/build/prime/primex}
models=${PRIME_MODELS:-$top/build/prime/models}
simhost=${PRIME_SIMHOST:-$top/build/bin/vprime-simhost}
rounds=${1:-3}
flood_secs=${2:-5}
idle_secs=${IDLE_SECS:-5}
nl_name=bench-prime-host
ctl=''
# shellcheck source=../../tests/simhost/netns-lib.sh
. "$top/tests/simhost/netns-lib.sh"

[ "$(id -u)" = 0 ] || skip "not root"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for b in "$primex" "$simhost"; do
	[ -x "$b" ] || { echo "$nl_name: $b is not built (make prime)"; exit 1; }
done
for m in three-guests three-guests-blocking; do
	[ -f "$models/$m.tlv" ] || { echo "$nl_name: no $models/$m.tlv (make prime-models)"; exit 1; }
done

dir=$(mktemp -d /tmp/vprime-prime-bench.XXXXXX)
results=$dir/results
sim_pid='' px_pid=''
nss=()
cleanup() {
	set +e
	stop_pid "$px_pid"
	stop_pid "$sim_pid"
	for ns in "${nss[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT

ip_of() { awk -v d="$1" '$3 == d { print $2 }' "$models/three-guests.ifaces"; }
stat_of() { sed -n "s/^$1 //p" "$dir/stats" 2>/dev/null | head -n 1; }
stat_ge() { local v; v=$(stat_of "$1"); [ -n "$v" ] && [ "$v" -ge "$2" ]; }
# utime + stime of the whole process (every thread), in clock ticks
cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# voluntary context switches summed over every thread: the wake-ups
wakes_of() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }'; }
rx_of() { ip -n "$1" -s link show "$2" | awk '/RX:/ { getline; print $2 }'; }
hz=$(getconf CLK_TCK)

# bench_one ROUND MODEL LABEL
bench_one() {
	local round=$1 model=$2 label=$3 id=$$-$1-$3 i args=() ns
	nss=()
	for i in 1 2; do
		ns=vpb$$-$round${label:0:1}$i
		ip netns add "$ns" || skip "cannot create network namespaces"
		nss+=("$ns")
		args+=(--guest "name=vm$i-eth0,mac=02:00:00:7e:00:0$i,tap=vpb${round}${label:0:1}$i,netns=$ns")
	done
	# the third guest of the model stays unattached (retried by the device)
	local sock=$dir/sim-$id.sock
	# shellcheck disable=SC2034 # netns-lib.sh's ctl() uses it
	ctl=$sock.ctl
	"$simhost" --socket "$sock" "${args[@]}" 2>"$dir/simhost.log" &
	sim_pid=$!
	wait_for 50 ctl list || { echo "$nl_name: simhost did not start"; exit 1; }
	local g1ip g2ip
	# shellcheck disable=SC2034 # read through eval below
	g1ip=$(ip_of vm1-eth0) g2ip=$(ip_of vm2-eth0)
	for i in 1 2; do
		ns=${nss[$((i - 1))]}
		local tap=vpb${round}${label:0:1}$i gip
		eval "gip=\$g${i}ip"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip -n "$ns" addr add "$gip/32" dev "$tap"
		ip -n "$ns" link set "$tap" up
		ip -n "$ns" route add default dev "$tap"
	done
	rm -f "$dir/stats"
	(cd "$dir" && VPRIME_DEVICE=unix:$sock VPRIME_PRIME_STATS=$dir/stats \
		exec "$primex" -e 1 600 "$models/$model.tlv" >"$dir/primex-$label.log" 2>&1) &
	px_pid=$!
	wait_for 300 stat_ge attaches 2 || { echo "$nl_name: primex did not attach ($label)"; tail "$dir/primex-$label.log"; exit 1; }
	local px
	px=$(pgrep -P "$px_pid" -x primex || echo "$px_pid")
	# warm up: ARP, routes
	ip netns exec "${nss[0]}" ping -c 3 -i 0.2 -W 2 "$g2ip" >/dev/null || true
	sleep 1

	# idle
	local c0 c1 w0 w1 t0 t1
	c0=$(cpu_of "$px") w0=$(wakes_of "$px") t0=$(date +%s.%N)
	sleep "$idle_secs"
	c1=$(cpu_of "$px") w1=$(wakes_of "$px") t1=$(date +%s.%N)
	local idle_cpu idle_wakes
	idle_cpu=$(awk -v c=$((c1 - c0)) -v hz="$hz" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", c / hz / (b - a) }')
	idle_wakes=$(awk -v w=$((w1 - w0)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", w / (b - a) }')

	# ping
	local out p50 p99
	out=$(ip netns exec "${nss[0]}" ping -c 200 -i 0.01 -W 2 "$g2ip" 2>&1 || true)
	read -r p50 p99 < <(echo "$out" | sed -n 's|.* time=\([0-9.]*\) ms|\1|p' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "%s %s\n", v[int(NR * 0.5 + 0.5)], v[int(NR * 0.99 + 0.5)]; else print "nan nan" }')

	# flood
	local i0 i1 l0 l1 r0 r1 sent
	i0=$(stat_of imported) l0=$(stat_of import_late)
	c0=$(cpu_of "$px") w0=$(wakes_of "$px") r0=$(rx_of "${nss[1]}" "vpb${round}${label:0:1}2")
	t0=$(date +%s.%N)
	sent=$(ip netns exec "${nss[0]}" python3 "$top/prime/tests/udp-flood.py" "$g2ip" "$flood_secs")
	sleep 1
	t1=$(date +%s.%N)
	i1=$(stat_of imported) l1=$(stat_of import_late)
	c1=$(cpu_of "$px") w1=$(wakes_of "$px") r1=$(rx_of "${nss[1]}" "vpb${round}${label:0:1}2")
	awk -v dev="$label" -v round="$round" -v secs="$flood_secs" -v sent="$sent" \
		-v imp=$((i1 - i0)) -v late=$((l1 - l0)) -v rx=$((r1 - r0)) \
		-v cpu=$((c1 - c0)) -v wk=$((w1 - w0)) -v hz="$hz" -v p50="$p50" -v p99="$p99" \
		-v icpu="$idle_cpu" -v iwk="$idle_wakes" 'BEGIN {
		printf "result %s round=%d sent_per_s=%.0f in_per_s=%.0f g2g_per_s=%.0f cpu_us_per_frame=%.2f cpu_us_per_delivered=%.2f wakes_per_frame=%.4f import_late_share=%.3f ping_p50_ms=%s ping_p99_ms=%s idle_cpu_share=%.4f idle_wakes_per_s=%s\n",
			dev, round, sent / secs, imp / secs, rx / secs, imp ? cpu / hz * 1e6 / imp : 0,
			rx ? cpu / hz * 1e6 / rx : 0, imp ? wk / imp : 0, imp ? late / imp : 0, p50, p99, icpu, iwk }' | tee -a "$results"
	stop_pid "$px_pid"
	px_pid=''
	grep '^vprime: ' "$dir/primex-$label.log" | tr '\n' ' ' | fold -w 100 | sed 's/^/    /'
	echo
	stop_pid "$sim_pid"
	sim_pid=''
	for ns in "${nss[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	nss=()
}

echo "== PRIMEX's vprime devices, $rounds rounds, ${flood_secs} s floods, $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg) =="
for r in $(seq 1 "$rounds"); do
	bench_one "$r" three-guests-blocking blocking
	bench_one "$r" three-guests polling
done
echo "== medians over $rounds rounds, and polling / blocking =="
awk '
{ dev = $2; for (i = 3; i <= NF; i++) { split($i, kv, "="); v[dev, kv[1], ++n[dev, kv[1]]] = kv[2]; keys[kv[1]] = 1 } }
function median(dev, k,    m, a, i, j, t) {
	m = n[dev, k]
	for (i = 1; i <= m; i++) a[i] = v[dev, k, i] + 0
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((m + 1) / 2)]
}
END {
	split("in_per_s g2g_per_s sent_per_s cpu_us_per_frame cpu_us_per_delivered wakes_per_frame import_late_share ping_p50_ms ping_p99_ms idle_cpu_share idle_wakes_per_s", order, " ")
	printf "%-20s %12s %12s %8s\n", "", "blocking", "polling", "ratio"
	for (i = 1; i in order; i++) {
		k = order[i]
		b = median("blocking", k); p = median("polling", k)
		printf "%-20s %12.4g %12.4g %8.2f\n", k, b, p, b ? p / b : 0
	}
}' "$results"
