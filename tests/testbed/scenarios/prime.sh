# shellcheck shell=bash
# prime: PRIME attaches in dom0. Two guests created by xl from configs with a
# `vprime = [ 'mac=...,name=vmN-eth0' ]` line (devices added by
# `vprimectl watch`), and primex (PRIMEX with the vprime emulation device,
# built on the host: make prime prime-models) in dom0 on models jPRIME
# compiled on the host:
#
#   g1 (vm1-eth0) ==l1== r ==l2== g2 (vm2-eth0)      prime/models/pair*.xml
#
# First pair.xml (1 and 2 ms, 100 Mb/s: the testbed's own RTT and that it
# carries the offered load, through the same guests, device and simulator),
# then pair-shaped.xml (20 ms / 100 Mb/s and 40 ms / 1 Mb/s with a 64 KB
# router buffer: values scaled to QEMU software emulation, as the demo's
# are, so that the RTT they add is more than twice the unshaped IQR).
# Each: ping RTT p50 against the unshaped p50 + 2 x the difference of the
# path's delays + the serialisation of the ping on each link; iperf3
# UDP g1 -> g2 offered at 1.5 x the bottleneck, against its rate x
# 1400/1442. Tolerances as the demo's (docs/demo.md). The device's counters
# (imported, exported, late) are figures. FAILS (never skips) without primex
# or the models: make check builds them before it boots.
# tb-timeout: 360

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"
# shellcheck source=prime-lib.sh
. "$TB_SCEN_DIR/prime-lib.sh"

VPCTL=$TB_TOP/build/bin/vprimectl
BASE=pair SHAPED=pair-shaped
PINGS=60          # per phase, 0.2 s apart: RTT p50 and IQR of 60
IPERF_S=6         # iperf3 seconds per run (+1 s omitted: the queue fills)
UDP_LEN=1400      # iperf3 UDP payload: 1442-byte frames
TOL_RTT_PCT=15    # as the demo: 15 % of the configured RTT,
TOL_RTT_MS=2      #   or 2 ms per delayed link crossing, or the unshaped IQR
TOL_BW_PCT=10     # |throughput - expected goodput| <= 10 %
HEADROOM=1.4      # unshaped, the path must carry 1.4 x the shaped goodput
declare -A IP IFN MAC RTT IQR BW
FAILS=()
WATCH_PID=''

px_require "$BASE" "$SHAPED"
[ -x "$VPCTL" ] || tb_fail "no $VPCTL (build it on the host: make)"
for g in g1 g2; do
	IP[$g]=$(px_model_ip "$BASE" "vm${g#g}-eth0")
	[ -n "${IP[$g]}" ] || tb_fail "$BASE.ifaces gives vm${g#g}-eth0 no address"
	[ "$(px_model_ip "$SHAPED" "vm${g#g}-eth0")" = "${IP[$g]}" ] ||
		tb_fail "$BASE and $SHAPED give vm${g#g}-eth0 different addresses"
done
say() { tb_log "$*"; echo "$*"; }

# ---- 1. dom0: backend, watch; two guests from xl configs with vprime lines ---
T0=$SECONDS
tb_dmesg_mark
tb_dom0_load_modules vprime-back
"$VPCTL" watch --config-dir "$TB_OUT/no-configs" >"$TB_OUT/watch.log" 2>&1 &
WATCH_PID=$!
VP_BG_PIDS+=("$WATCH_PID")
tb_wait_for 10 grep -q 'watching domains' "$TB_OUT/watch.log" ||
	tb_fail "vprimectl watch did not start: $(tail -n 3 "$TB_OUT/watch.log" | tr '\n' ' ')"
# Created paused, then both unpaused: a booting guest starves dom0 (and
# the next xl create) under emulation.
for g in g1 g2; do
	MAC[$g]=00:16:3e:7f:00:0${g#g}
	tb_guest_start "$g" --mods vprime-front --paused \
		--xl "vprime = [ 'mac=${MAC[$g]},name=vm${g#g}-eth0' ]"
done
for g in g1 g2; do xl unpause "$(tb_guest_domname "$g")" || tb_fail "xl unpause $g"; done
for g in g1 g2; do
	tb_guest_wait "$g" 300
	tb_wait_for 20 grep -q "dom$(tb_guest_domid "$g") .*added vprime device 0" "$TB_OUT/watch.log" ||
		tb_fail "vprimectl watch did not add $g's device: $(tail -n 3 "$TB_OUT/watch.log" | tr '\n' ' ')"
done
say "guests up at +$((SECONDS - T0))s, their vprime devices added by vprimectl watch from the xl configs"

# Each guest takes its interface's address from the model; the whole
# simulated network is on-link (the device answers ARP for it). Offloads
# off: the simulator carries wire frames.
# Both guests at once (each command costs seconds under emulation).
setup_guest() { # GUEST
	vp_guest "$1" "for i in \$(seq 100); do n=\$(ls /sys/bus/xen/devices/vprime-0/net/ 2>/dev/null); [ -n \"\$n\" ] && break; sleep 0.1; done
		[ -n \"\$n\" ] || { echo 'no vprime netdev'; exit 1; }
		echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null
		ethtool -K \$n tx off sg off tso off gso off >/dev/null 2>&1
		ip addr add ${IP[$1]}/32 dev \$n && ip link set \$n up && ip route add default dev \$n || exit 1
		iperf3 -s -D >/dev/null 2>&1
		echo \"if=\$n\"" >"$TB_OUT/setup-$1.txt" 2>&1
}
setup_guest g1 &
s1=$!
setup_guest g2 || tb_fail "g2: setting up its vprime netdev failed: $(tail -n 2 "$TB_OUT/setup-g2.txt" | tr '\n' ' ')"
wait "$s1" || tb_fail "g1: setting up its vprime netdev failed: $(tail -n 2 "$TB_OUT/setup-g1.txt" | tr '\n' ' ')"
for g in g1 g2; do
	while read -r l; do [[ $l != if=* ]] || IFN[$g]=${l#if=}; done <"$TB_OUT/setup-$g.txt"
	[ -n "${IFN[$g]:-}" ] || tb_fail "$g: no vprime netdev: $(tr '\n' ' ' <"$TB_OUT/setup-$g.txt")"
	tb_log "$g: ${IFN[$g]} ${MAC[$g]} ${IP[$g]}/32"
done
for g in g1 g2; do vp_wait_connected "$g" 0 60; done

# ---- 2. the two phases -------------------------------------------------------
p50_of() { sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' | sort -n | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]}'; }
iqr_of() { sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' | sort -n |
	awk '{v[NR] = $1} END {if (NR) printf "%.1f\n", v[int((3 * NR + 3) / 4)] - v[int((NR + 3) / 4)]}'; }

phase() { # MODEL RATE(bit/s): primex on MODEL, ping and iperf3 g1 -> g2
	local m=$1 rate=$2 out t=$SECONDS g
	px_start "$m" "$m" 600
	px_wait_attached 2 150
	say "$m: primex attached both guests $((SECONDS - t)) s after it started"
	# carrier (dom0 sets it at the attach), ARP, then the pings: one call
	out=$(tb_guest_run -t 90 g1 "for i in \$(seq 100); do [ \$(cat /sys/class/net/${IFN[g1]}/carrier) = 1 ] && break; sleep 0.1; done
		ping -c 3 -i 0.3 -W 3 ${IP[g2]} >/dev/null; ping -c $PINGS -i 0.2 -W 3 ${IP[g2]}") || true
	echo "$out" >"$TB_OUT/ping-$m.txt"
	RTT[$m]=$(echo "$out" | p50_of) IQR[$m]=$(echo "$out" | iqr_of)
	[ -n "${RTT[$m]}" ] || tb_fail "$m: ping g1 -> g2 through primex: no reply: $(echo "$out" | tail -n 2 | tr '\n' ' ') (counters: $(tr '\n' ' ' <"$PX_STATS" | cut -c1-300))"
	out=$(tb_guest_run -t 90 g1 "iperf3 -c ${IP[g2]} -u -b $rate -l $UDP_LEN -t $((IPERF_S + 1)) -O 1 -f m") || true
	echo "$out" >"$TB_OUT/iperf3-$m.txt"
	BW[$m]=$(echo "$out" | awk '/receiver/ {for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") v = $i} END {print v}')
	[ -n "${BW[$m]}" ] || tb_fail "$m: iperf3 g1 -> g2: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	sleep 1	# the stats file is rewritten every 0.5 s
	cp "$PX_STATS" "$TB_OUT/counters-$m.txt"
	local k
	for k in imported import_late import_lagged import_lag_max_us exported export_late export_no_buf export_ring_full rx_not_in_model; do
		tb_figure "${m//-/_}_$k" "$(px_stat "$k")" "$([ "$k" = import_lag_max_us ] && echo us || echo frames)"
	done
	px_stop
	# the pings and the flow went through the simulator, not around it
	local imp exp
	imp=$(px_stat imported) exp=$(px_stat exported)
	{ [ "${imp:-0}" -ge "$PINGS" ] && [ "${exp:-0}" -ge "$PINGS" ]; } ||
		tb_fail "$m: primex imported $(px_stat imported) and exported $(px_stat exported) frames, fewer than the $PINGS pings"
	say "$m: RTT p50 ${RTT[$m]} ms (IQR ${IQR[$m]}), iperf3 UDP ${BW[$m]} Mbit/s; imported $(px_stat imported) ($(px_stat import_late) late), exported $(px_stat exported) ($(px_stat export_late) late)"
}

# The models' values: the path g1 -> g2 crosses every link of each. Per
# model: the sum of the delays (ms), the serialisation of a 98-byte ping
# both ways on every link (ms), the delayed links crossed both ways, the
# bottleneck (bit/s).
path_of() { # MODEL
	px_links "$1" | awk '{ d += $3 * 1e3; s += 2 * 98 * 8 / $2 * 1e3; if ($3 + 0 > 0) h += 2
		if (b == "" || $2 + 0 < b + 0) b = $2; l = l " " $1 "=" $2 "bit/s," $3 "s" }
		END { printf "%s %s %d %d%s\n", d, s, h, b, l }'
}
read -r dsum ser hops bmin links < <(path_of "$SHAPED")
read -r dbase sbase _ _ _ < <(path_of "$BASE")
tb_log "$SHAPED:$links"
[ "${bmin:-0}" != 0 ] || tb_fail "$SHAPED.xml: no link bandwidth found"
RATE=$((bmin * 3 / 2))
say "phase 0: $BASE (the unshaped reference), phase 1: $SHAPED; iperf3 offers $RATE bit/s in both"
phase "$BASE" "$RATE"
phase "$SHAPED" "$RATE"

# ---- 3. the table --------------------------------------------------------------
# configured: the RTT the shaped model adds over the unshaped one (the
# device's import_delay is in both)
cfg=$(awk -v d="$dsum" -v d0="$dbase" -v s="$ser" -v s0="$sbase" 'BEGIN { printf "%.1f", 2 * (d - d0) + s - s0 }')
cfg_abs=$(awk -v d="$dsum" -v s="$ser" 'BEGIN { printf "%.1f", 2 * d + s }')
b0=${RTT[$BASE]} m1=${RTT[$SHAPED]}
read -r rerr rok rlim < <(awk -v m="$m1" -v b="$b0" -v c="$cfg" -v tp="$TOL_RTT_PCT" \
	-v tm="$((TOL_RTT_MS * hops))" -v q="${IQR[$BASE]:-0}" 'BEGIN {
	e = m - b - c; lim = c * tp / 100; if (lim < tm) lim = tm; if (lim < q) lim = q
	printf "%+.1f %s %.1f\n", 100 * e / c, (e <= lim && e >= -lim) ? "yes" : "no", lim }')
exp=$(awk -v b="$bmin" -v l="$UDP_LEN" 'BEGIN { printf "%.2f", b / 1e6 * l / (l + 42) }')
read -r berr bok < <(awk -v m="${BW[$SHAPED]}" -v x="$exp" -v t="$TOL_BW_PCT" 'BEGIN {
	e = 100 * (m - x) / x; printf "%+.1f %s\n", e, (e <= t && e >= -t) ? "yes" : "no" }')
TABLE=$TB_OUT/table.txt
{
	echo "g1 -> g2 through primex ($SHAPED.xml: path delays $dsum ms one way, bottleneck $((bmin / 1000)) kbit/s; model RTT $cfg_abs ms + 2 x import_delay)"
	echo "RTT p50 (ms): unshaped ${RTT[$BASE]} (IQR ${IQR[$BASE]}), shaped $m1, expected $b0 + $cfg = $(awk -v b="$b0" -v c="$cfg" 'BEGIN { printf "%.1f", b + c }'), error $rerr % (tolerance +-$rlim ms): $rok"
	echo "UDP (Mbit/s): unshaped ${BW[$BASE]} offered $(awk -v r="$RATE" 'BEGIN { print r / 1e6 }'), shaped ${BW[$SHAPED]}, expected $exp, error $berr % (tolerance +-$TOL_BW_PCT %): $bok"
} >"$TABLE"
while IFS= read -r line; do say "$line"; done <"$TABLE"
tb_figure rtt_cfg "$cfg" ms
tb_figure rtt_base_p50 "$b0" ms
tb_figure rtt_base_iqr "${IQR[$BASE]}" ms
tb_figure rtt_p50 "$m1" ms
tb_figure rtt_err "$rerr" %
tb_figure rtt_tol "$rlim" ms
tb_figure tput_base "${BW[$BASE]}" Mbit/s
tb_figure tput_expected "$exp" Mbit/s
tb_figure tput "${BW[$SHAPED]}" Mbit/s
tb_figure tput_err "$berr" %
[ "$rok" = yes ] || FAILS+=("RTT p50 $m1 ms, unshaped $b0 + configured $cfg: error $rerr % beyond the tolerance of $rlim ms")
[ "$bok" = yes ] || FAILS+=("throughput ${BW[$SHAPED]} Mbit/s, expected $exp: error $berr % beyond $TOL_BW_PCT %")
awk -v q="${IQR[$BASE]:-0}" -v c="$cfg" 'BEGIN { exit !(q <= c / 2) }' ||
	FAILS+=("the unshaped RTT spread ${IQR[$BASE]} ms exceeds half the configured $cfg ms: too noisy to measure the model")
awk -v u="${BW[$BASE]}" -v b="$bmin" -v h="$HEADROOM" 'BEGIN { exit !(u * 1e6 >= h * b) }' ||
	FAILS+=("unshaped the testbed carried only ${BW[$BASE]} Mbit/s, < $HEADROOM x the shaped $bmin bit/s: too slow to measure the model")

# ---- 4. clean-up: guests destroyed, the watch removes their nodes ---------------
DOMIDS=("$(tb_guest_domid g1)" "$(tb_guest_domid g2)")
for g in g1 g2; do tb_guest_destroy "$g"; done
no_nodes() {
	local d
	for d in "${DOMIDS[@]}"; do
		! xenstore-exists "/local/domain/0/backend/vprime/$d" 2>/dev/null || return 1
	done
}
tb_wait_for 30 no_nodes || tb_fail "vprime nodes left after xl destroy: $(xenstore-list /local/domain/0/backend/vprime 2>&1 | tr '\n' ' ')"
kill -TERM "$WATCH_PID" 2>/dev/null || true
wait "$WATCH_PID" 2>/dev/null || true
vp_count_wait devices 0 20
vp_leak_check
tb_dom0_unload_modules vprime-back
tb_dmesg_since >"$TB_OUT/dmesg.txt"
! tb_oops_in "$TB_OUT/dmesg.txt" || tb_fail "oops in dom0: $(grep -Em1 "$TB_OOPS_RE" "$TB_OUT/dmesg.txt")"
tb_figure scenario_seconds "$((SECONDS - T0))" s

if [ ${#FAILS[@]} -gt 0 ]; then
	for f in "${FAILS[@]}"; do tb_log "out of tolerance: $f"; done
	tb_fail "${#FAILS[@]} figure(s) out of tolerance: ${FAILS[0]}"
fi
say "RTT and throughput through primex within tolerance"
