# shellcheck shell=bash
# prime-bench: the same PRIMEX model and the same two guests through
# PRIMEX's own TAP emulation device on stock vifs, and through the vprime
# device, in one boot (make bench runs it after bench).
#
#   tap     g1 netfront = netback vif, renamed veth<UID> == pcap / send() in
#           primex (prime/models/tap-pair.xml) == veth<UID> = netfront g2
#   vprime  g1 vprime-front = vprime-back == libvprime in primex
#           (prime/models/pair.xml) == vprime-back = vprime-front g2
#
# Both models: g1 ==1 ms, 100 Mb/s== r ==2 ms, 100 Mb/s== g2. Each guest has
# both devices (a vif whose MAC is the one TAPDevice derives from its
# interface's UID, and a vprime device from its xl config's vprime line);
# the model's address sits on one of them at a time.
# Per path: ping p50/p99 against the model's RTT; 64-byte frames from
# pktgen in g1 to g2 for BENCH_PRIME_SECS (5) x BENCH_PRIME_REPS (2): the
# rate into the simulator (vprime: the device's `imported` counter; TAP:
# what primex's libpcap socket on g1's vif took and did not drop, read from
# the kernel by vprime-pcapstat in consecutive 0.5 s windows over the
# flood, since the TAP device counts nothing), what dom0 took from g1 (vif rx_packets; the
# backend's rx_frames) and the rate g2 received; per frame
# primex's CPU and context switches (every thread, /proc/PID/task/*/stat
# and status) and, for vprime, the device's vprime_sync calls and the
# simulator's polls of it; g1's CPU busy and stolen shares over each flood;
# iperf3 TCP g1 -> g2. Between the two paths, the handoff: the same
# pktgen over vprime-front with vpfwd as the engine (it drops every frame:
# unknown destination), bench's guest-to-engine path, to tell whether g1's
# sender or the engine bounds the vprime path's rate; the backend's stall
# counters of g1's device on both. Results: $TB_OUT/results.txt (key=value),
# $TB_OUT/table.txt, figures.
# A benchmark: it fails only when a path cannot be set up.
# tb-timeout: 1500

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"
# shellcheck source=prime-lib.sh
. "$TB_SCEN_DIR/prime-lib.sh"

[ ! -r "$TB_TOP/build/bench/bench.env" ] || . "$TB_TOP/build/bench/bench.env"
SECS=${BENCH_PRIME_SECS:-5}
REPS=${BENCH_PRIME_REPS:-2}
PINGS=${BENCH_PRIME_PINGS:-100}
TCP_SECS=${BENCH_TCP_SECS:-5}
VPCTL=$TB_TOP/build/bin/vprimectl
PCAPSTAT=$TB_TOP/build/bin/vprime-pcapstat
MAC_NONE=00:16:3e:5d:00:ee
VPM=pair TAPM=tap-pair
RES=$TB_OUT/results.txt
: >"$RES"
declare -A IP PUID TAPMAC VPIF VIF
WATCH_PID='' FWD_PID=''

res() { echo "$1=$2" >>"$RES"; }
get() { sed -n "s/^$1=//p" "$RES" | tail -n 1; }
calc() { awk "BEGIN { v = $1; if (v != v) print \"-\"; else printf \"%.${2:-2}f\n\", v }" 2>/dev/null || echo -; }
gr() { tb_guest_run "$@" || true; }
say() { tb_log "$*"; echo "$*"; }

px_require "$VPM" "$TAPM"
[ -x "$VPCTL" ] || tb_fail "no $VPCTL (build it on the host: make)"
[ -x "$PCAPSTAT" ] || tb_fail "no $PCAPSTAT (build it on the host: make)"
[ -x "$VP_FWD" ] || tb_fail "no $VP_FWD (build it on the host: make)"
for g in g1 g2; do
	IP[$g]=$(px_model_ip "$VPM" "vm${g#g}-eth0")
	[ "$(awk -v n="topnet:$g:if0" '$1 == n { print $2 }' "$PX_MODELS/$TAPM.ifaces")" = "${IP[$g]}" ] ||
		tb_fail "$VPM and $TAPM give $g different addresses"
	PUID[$g]=$(px_model_uid "$TAPM" "topnet:$g:if0")
	[ -n "${PUID[$g]}" ] || tb_fail "no UID for topnet:$g:if0 in $TAPM.compiled.xml"
	TAPMAC[$g]=$(printf '00:00:00:00:%02x:%02x' $((PUID[$g] >> 8 & 255)) $((PUID[$g] & 255)))
done
# The model's RTT g1 -> g2 (ms): both ways over every link, plus the
# serialisation of a 98-byte ping on each; the vprime device adds its
# import_delay (0.5 ms) in each direction.
RTT_MODEL=$(px_links "$VPM" | awk '{ r += 2 * $3 * 1e3 + 2 * 98 * 8 / $2 * 1e3 } END { printf "%.2f", r }')
res model_rtt_ms "$RTT_MODEL"
declare -A RTT_CFG=([tap]=$RTT_MODEL [vprime]=$(calc "$RTT_MODEL + 1.0"))

# ---- guests: a vif (TAP's MAC) and a vprime device (from the vprime line) ---
tb_dmesg_mark
tb_dom0_load_modules vprime-back
"$VPCTL" watch --config-dir "$TB_OUT/no-configs" >"$TB_OUT/watch.log" 2>&1 &
WATCH_PID=$!
VP_BG_PIDS+=("$WATCH_PID")
tb_wait_for 10 grep -q 'watching domains' "$TB_OUT/watch.log" ||
	tb_fail "vprimectl watch did not start: $(tail -n 3 "$TB_OUT/watch.log" | tr '\n' ' ')"
for g in g1 g2; do
	tb_guest_start "$g" --mods vprime-front,pktgen --paused \
		--xl "vif = [ 'mac=${TAPMAC[$g]},bridge=xenbr0' ]" \
		--xl "vprime = [ 'mac=00:16:3e:7f:01:0${g#g},name=vm${g#g}-eth0' ]"
done
# both unpaused at once: a booting guest starves dom0 under emulation
for g in g1 g2; do xl unpause "$(tb_guest_domname "$g")" || tb_fail "xl unpause $g"; done
for g in g1 g2; do
	tb_guest_wait "$g" 300
	tb_wait_for 20 grep -q "dom$(tb_guest_domid "$g") .*added vprime device 0" "$TB_OUT/watch.log" ||
		tb_fail "vprimectl watch did not add $g's device: $(tail -n 3 "$TB_OUT/watch.log" | tr '\n' ' ')"
	vp_wait_connected "$g" 0 60
done
setup_guest() { # GUEST
	vp_guest "$1" "for i in \$(seq 100); do n=\$(ls /sys/bus/xen/devices/vprime-0/net/ 2>/dev/null); [ -n \"\$n\" ] && break; sleep 0.1; done
		echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null
		for d in eth0 \$n; do ethtool -K \$d tx off sg off tso off gso off >/dev/null 2>&1; done
		# what ethtool cannot turn off on eth0, filled before the frame leaves
		$(vp_csum_fill_cmd eth0)
		iperf3 -s -D >/dev/null 2>&1
		ls /proc/net/pktgen/pgctrl >/dev/null || exit 1
		echo \"if=\$n\"" >"$TB_OUT/setup-$1.txt" 2>&1
}
setup_guest g1 &
s1=$!
setup_guest g2 || tb_fail "g2: set-up failed: $(tail -n 2 "$TB_OUT/setup-g2.txt" | tr '\n' ' ')"
wait "$s1" || tb_fail "g1: set-up failed: $(tail -n 2 "$TB_OUT/setup-g1.txt" | tr '\n' ' ')"
for g in g1 g2; do
	while read -r l; do
		[[ $l != if=* ]] || VPIF[$g]=${l#if=}
		[[ $l != csum=* ]] || tb_log "$g eth0: checksums filled in the guest: ${l#csum=}"
	done <"$TB_OUT/setup-$g.txt"
	[ -n "${VPIF[$g]:-}" ] || tb_fail "$g: no vprime netdev or no pktgen: $(tr '\n' ' ' <"$TB_OUT/setup-$g.txt")"
done
# dom0: each vif off the bridge, renamed veth<UID> as TAPDevice wants it.
for g in g1 g2; do
	VIF[$g]=vif$(tb_guest_domid "$g").0
	v=veth${PUID[$g]}
	{ ip link set "${VIF[$g]}" nomaster && ip link set "${VIF[$g]}" down &&
		ip link set "${VIF[$g]}" name "$v" && ip link set "$v" up; } ||
		tb_fail "cannot rename ${VIF[$g]} to $v"
	echo 1 >"/proc/sys/net/ipv6/conf/$v/disable_ipv6" 2>/dev/null || true
	tb_log "$g: dom$(tb_guest_domid "$g"), ${VIF[$g]} -> $v (guest eth0 ${TAPMAC[$g]}), vprime ${VPIF[$g]}, ${IP[$g]}"
done
restore_vifs() {
	local g
	for g in g1 g2; do
		[ -n "${VIF[$g]:-}" ] || continue
		ip link set "veth${PUID[$g]}" down 2>/dev/null || continue
		ip link set "veth${PUID[$g]}" name "${VIF[$g]}" 2>/dev/null || true
	done
}
# Whatever the verdict: the vifs get their names back before the harness
# destroys the guests (libxl's hotplug teardown finds them by name).
eval "pb__cleanup_orig() $(declare -f tb__cleanup_guests_safe | tail -n +2)"
tb__cleanup_guests_safe() {
	px_stop
	restore_vifs
	pb__cleanup_orig
}
use_dev() { # PATH: the model's address on the path's device in each guest
	local g on off
	for g in g1 g2; do
		if [ "$1" = tap ]; then on=eth0 off=${VPIF[$g]}; else on=${VPIF[$g]} off=eth0; fi
		vp_guest "$g" "ip addr flush dev $off; ip link set $off down
			ip addr flush dev $on; ip addr add ${IP[$g]}/32 dev $on && ip link set $on up && ip route replace default dev $on" >/dev/null
	done
}
res dom0_cpus "$(grep -c ^processor /proc/cpuinfo)"
res secs "$SECS"
res reps "$REPS"
res pings "$PINGS"

# ---- measurements --------------------------------------------------------------
# dom0's counters for a path: "IN" (vprime: frames imported into the
# simulator; TAP: frames g1's vif took from the guest; handoff: frames the
# backend took from g1), "OUT" (vprime: exported; TAP: frames g2's vif sent
# to it), then the device's syncs and polls (vprime).
dom0_snap() { # PATH
	local v
	case $1 in
	vprime) echo "$(px_stat imported) $(px_stat exported) $(px_stat syncs) $(px_stat polls)" ;;
	tap)
		read -r v <"/sys/class/net/veth${PUID[g1]}/statistics/rx_packets"
		echo "$v $(cat "/sys/class/net/veth${PUID[g2]}/statistics/tx_packets") 0 0" ;;
	handoff) echo "$(be_snap | awk '{ print $1 }') 0 0 0" ;;
	esac
}
# g1's vprime device in dom0 (debugfs): frames taken from g1, then the sync
# passes that stopped on the engine's side (no buffer, its RX ring full, the
# guest's completion ring full), the guest's events, the backend's
# notifications of the guest, the engine's syncs.
BE_KEYS="rx_frames rx_stall_no_buf rx_stall_ring_full rx_stall_txc_full guest_events notify_guest syncs"
be_snap() {
	awk -v id="dom$(tb_guest_domid g1)" -v keys="$BE_KEYS" '
		$1 == id && $2 == "dev0" { want = 1; next }
		want { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			n = split(keys, k, " "); for (i = 1; i <= n; i++) printf "%s ", v[k[i]] + 0; print ""; exit }' "$VP_DEBUGFS"
}
# Frames g1's vif handed dom0 so far (bash builtins only).
vif_rx() { local v; read -r v <"/sys/class/net/veth${PUID[g1]}/statistics/rx_packets"; echo "$v"; }
# TAP: what primex's pcap socket on g1's vif took in and dropped, in
# consecutive 0.5 s windows from before the flood to after it (one
# "sockets= recv= drops= ns= vif_rx= at=" line each) into $1.
tap_windows() { # OUTFILE
	"$PCAPSTAT" "$PX_PID" "veth${PUID[g1]}" 500 $(((SECS + 5) * 2)) >"$1" 2>&1 || true
}
# "IN_PPS DROP_PPS TOTAL_IN TOTAL_DROPS SECS" from tap_windows' lines: the
# rate over the windows in which pcap's ring was full (drops), without
# the first (it also holds the ring's filling) and the last (the flood
# ends in it), or with them when there are no others; what the socket
# took over every window.  A flood that never
# filled the ring: the reader kept up, everything entered (SECS 0).
tap_rate() { # FILE
	awk '/^sockets=/ { n++; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			in_[n] = v["recv"] - v["drops"]; dr[n] = v["drops"]; ns[n] = v["ns"]
			tin += in_[n]; tdr += dr[n]; if (dr[n] > 0) { if (!f) f = n; l = n } }
		END { if (!n) exit; s = 0; a = 0; d = 0
			for (i = f + 1; i < l; i++) { a += in_[i]; d += dr[i]; s += ns[i] / 1e9 }
			if (s == 0 && f) for (i = f; i <= l; i++) { a += in_[i]; d += dr[i]; s += ns[i] / 1e9 }
			if (s > 0) printf "%.0f %.0f %d %d %.2f\n", a / s, d / s, tin, tdr, s
			else printf "- - %d %d 0\n", tin, tdr }' "$1"
}

blast() { # PATH DEV1 DEV2 DSTMAC
	local p=$1 d1=$2 d2=$3 dmac=$4 rep out k i0 o0 y0 z0 i1 o1 y1 z1 r0 r1 usec sent c0 v0 n0 c1 v1 n1
	for ((rep = 1; rep <= REPS; rep++)); do
		k=$p.64.$rep
		r0=$(gr g2 "cat /sys/class/net/$d2/statistics/rx_packets")
		sleep 0.6	# a fresh stats file (every 0.5 s)
		read -r i0 o0 y0 z0 < <(dom0_snap "$p")
		read -r c0 v0 n0 < <(px_threads_snap)
		read -r -a be0 < <(be_snap)
		gr -t $((SECS + 60)) g1 "
			PG=/proc/net/pktgen
			pg() { echo \"\$2\" >\$PG/\$1 || echo \"pgerr \$1 \$2\"; }
			pg kpktgend_0 rem_device_all
			pg kpktgend_0 'add_device $d1'
			pg $d1 'count 0'
			pg $d1 'delay 0'
			pg $d1 'pkt_size 60'
			pg $d1 'dst ${IP[g2]}'
			pg $d1 'dst_mac $dmac'
			pg $d1 'udp_dst_min 9'
			pg $d1 'udp_dst_max 9'
			echo 'clone_skb 1000' >\$PG/$d1 2>/dev/null
			echo 'burst 32' >\$PG/$d1 2>/dev/null
			read -r c a b d e f g h st _ </proc/stat; echo \"stat0 \$a \$b \$d \$e \$f \$g \$h \$st\"
			(echo start >\$PG/pgctrl) &
			sleep $SECS
			echo stop >\$PG/pgctrl
			wait
			read -r c a b d e f g h st _ </proc/stat; echo \"stat1 \$a \$b \$d \$e \$f \$g \$h \$st\"
			grep -E 'Result|pps|errors' \$PG/$d1" >"$TB_OUT/pg-$k.out" &
		local pg=$! pw=''
		if [ "$p" = tap ]; then tap_windows "$TB_OUT/pcap-$k.txt" & pw=$!; fi
		wait "$pg" || true
		[ -z "$pw" ] || wait "$pw" || true
		out=$(cat "$TB_OUT/pg-$k.out")
		# g1's CPU over the flood (its /proc/stat): busy and stolen (runnable,
		# while Xen ran another vCPU) shares
		echo "$out" | awk -v k="$k" '$1 == "stat0" { for (i = 2; i <= 9; i++) a[i] = $i }
			$1 == "stat1" { for (i = 2; i <= 9; i++) { d = $i - a[i]; t += d; if (i == 9) st = d; else if (i != 5 && i != 6) b += d } }
			END { if (t > 0) printf "%s.g1_busy=%.2f\n%s.g1_steal=%.2f\n", k, b / t, k, st / t }' >>"$RES"
		echo "== $k" >>"$TB_OUT/pktgen.txt"
		echo "$out" >>"$TB_OUT/pktgen.txt"
		sleep 1.2	# in flight through the model; the stats file again
		read -r c1 v1 n1 < <(px_threads_snap)
		read -r i1 o1 y1 z1 < <(dom0_snap "$p")
		read -r -a be1 < <(be_snap)
		if [ "$p" != tap ]; then
			local j bk bl=""
			read -r -a bk <<<"$BE_KEYS"
			for j in "${!bk[@]}"; do bl+="${bk[$j]}:$((${be1[$j]:-0} - ${be0[$j]:-0})),"; done
			res "$k.backend" "${bl%,}"
			res "$k.be_stall_passes" "$((be1[1] + be1[2] + be1[3] - be0[1] - be0[2] - be0[3]))"
		else
			local pl
			pl=$(tap_rate "$TB_OUT/pcap-$k.txt")
			if [ -n "$pl" ]; then
				read -r pin pdr ptin ptdr psec <<<"$pl"
				res "$k.pcap_in_pps" "$pin"
				res "$k.pcap_drop_pps" "$pdr"
				res "$k.pcap" "full_ring_secs:$psec,taken_all_windows:$ptin,dropped_all_windows:$ptdr"
			else
				tb_log "$k: no pcap figures: $(head -c 300 "$TB_OUT/pcap-$k.txt" | tr '\n' ' ')"
			fi
		fi
		r1=$(gr g2 "cat /sys/class/net/$d2/statistics/rx_packets")
		usec=$(echo "$out" | sed -n 's/.*Result: OK: \([0-9]*\)(c.*/\1/p')
		sent=$(echo "$out" | sed -n 's/.*usec, \([0-9]*\) (.*/\1/p')
		if [ -z "$usec" ] || [ -z "$i1" ] || [ -z "$r1" ]; then
			tb_log "$k: no result: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
			continue
		fi
		local in=$((i1 - i0)) rx=$((r1 - r0))
		awk -v k="$k" -v us="$usec" -v sent="$sent" -v nin="$in" -v rx="$rx" -v ex="$((o1 - o0))" \
			-v sy="$((y1 - y0))" -v sl="$((z1 - z0))" -v cpu="$((c1 - c0))" -v vol="$((v1 - v0))" \
			-v inv="$((n1 - n0))" 'BEGIN {
			s = us / 1e6; f = nin > 0 ? nin : 1
			printf "%s.tx_pps=%.0f\n%s.in0_pps=%.0f\n%s.rx_pps=%.0f\n", k, sent / s, k, nin / s, k, rx / s
			printf "%s.cpu_us_per_in=%.1f\n%s.px_cpu_share=%.2f\n", k, cpu / 100 * 1e6 / f, k, cpu / 100 / s
			printf "%s.vol_cs_per_in=%.4f\n%s.invol_cs_per_in=%.4f\n", k, vol / f, k, inv / f
			printf "%s.syncs_per_in=%.4f\n%s.polls_per_in=%.4f\n", k, sy / f, k, sl / f
			printf "%s.counts=sent:%d,in:%d,out:%d,g2_rx:%d,cpu_ticks:%d,vol_cs:%d,invol_cs:%d,syncs:%d,polls:%d\n",
				k, sent, nin, ex, rx, cpu, vol, inv, sy, sl }' >>"$RES"
		# into the simulator: vprime, the device's imported counter; TAP,
		# the pcap window; the handoff, what the backend took (vpfwd drops it)
		case $p in
		tap)
			# a ring never full: every frame offered entered
			if [ "$(get "$k.pcap_in_pps")" = - ]; then res "$k.in_pps" "$(get "$k.in0_pps")"; else res "$k.in_pps" "$(get "$k.pcap_in_pps")"; fi
			res "$k.dom0_pps" "$(get "$k.in0_pps")" ;;
		vprime) res "$k.in_pps" "$(get "$k.in0_pps")"; res "$k.dom0_pps" "$(calc "(${be1[0]:-0} - ${be0[0]:-0}) / ($usec / 1e6)" 0)" ;;
		*) res "$k.in_pps" "$(get "$k.in0_pps")"; res "$k.dom0_pps" "$(get "$k.in0_pps")" ;;
		esac
		tb_log "$k: g1 sent $(get "$k.tx_pps")/s, dom0 took $(get "$k.dom0_pps")/s, into the simulator $(get "$k.in_pps")/s, g2 received $(get "$k.rx_pps")/s; primex $(get "$k.cpu_us_per_in") us CPU, $(get "$k.vol_cs_per_in") voluntary switches per frame in"
	done
	for x in tx_pps dom0_pps in_pps pcap_drop_pps be_stall_passes g1_busy g1_steal px_cpu_share rx_pps cpu_us_per_in vol_cs_per_in invol_cs_per_in syncs_per_in polls_per_in; do
		res "$p.64.$x" "$(for ((rep = 1; rep <= REPS; rep++)); do get "$p.64.$rep.$x"; done | sort -n |
			awk '{v[NR] = $1} END {print (NR ? v[int((NR + 1) / 2)] : "-")}')"
	done
	tb_figure "prime_${p}_64B_in" "$(get "$p.64.in_pps")" frames/s
	tb_figure "prime_${p}_64B_g2" "$(get "$p.64.rx_pps")" frames/s
}

# TCP gave no figure on the TAP path: one more connection attempt with
# tcpdump on both vifs in dom0 (what g1 sent towards the simulator, what
# primex sent to g2, and back), counted into results.txt.
tcp_trace() { # PATH
	local g tp=() sum=""
	for g in g1 g2; do
		timeout 20 tcpdump -Z root -l -n -c 40 -i "veth${PUID[$g]}" 'tcp port 5201' >"$TB_OUT/tcpdump-$1-$g.txt" 2>&1 &
		tp+=($!)
	done
	sleep 2
	gr -t 40 g1 "iperf3 -c ${IP[g2]} -t 2 -f m --connect-timeout 8000 2>&1; echo iperf3_rc=\$?" >"$TB_OUT/iperf3-$1-retry.txt"
	wait "${tp[@]}" 2>/dev/null || true
	for g in g1 g2; do
		# (grep -c prints 0 and fails when nothing matches)
		sum+="$g-vif:syn=$(grep -c 'Flags \[S\]' "$TB_OUT/tcpdump-$1-$g.txt" || true),synack=$(grep -c 'Flags \[S\.\]' "$TB_OUT/tcpdump-$1-$g.txt" || true),all=$(grep -c ' IP ' "$TB_OUT/tcpdump-$1-$g.txt" || true) "
	done
	res "$1.tcp_trace" "${sum% }; retry: $(grep -E 'error|iperf3_rc|receiver' "$TB_OUT/iperf3-$1-retry.txt" | tr '\n' ';' | cut -c1-120 || true)"
	tb_log "$1: TCP trace: $(get "$1.tcp_trace")"
}

run_path() { # PATH MODEL
	local p=$1 m=$2 d1 d2 out dmac n mbps t=$SECONDS
	use_dev "$p"
	if [ "$p" = tap ]; then d1=eth0 d2=eth0; else d1=${VPIF[g1]} d2=${VPIF[g2]}; fi
	px_start "$p" "$m" 900
	[ "$p" = tap ] || px_wait_attached 2 150
	# TAPDevice has no counters: ready when a ping goes through
	out=$(gr -t 200 g1 "for i in \$(seq 60); do ping -c 1 -W 2 ${IP[g2]} >/dev/null && echo ok && exit 0; done; exit 1")
	[ "$out" = ok ] || tb_fail "$p: no ping g1 -> g2 through primex on $m within 120 s: $(tail -n 3 "$PX_LOG" | tr '\n' ' ')"
	res "$p.ready_s" "$((SECONDS - t))"
	dmac=$(gr g1 "ip neigh show ${IP[g2]} dev $d1" | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p')
	[ -n "$dmac" ] || tb_fail "$p: g1 has no neighbour entry for ${IP[g2]}"
	say "$p: primex on $m forwards g1 -> g2 $((SECONDS - t)) s after it started (g2 at $dmac for g1)"
	out=$(gr -t $((PINGS / 10 + 60)) g1 "ping -c $PINGS -i 0.05 -W 2 ${IP[g2]}")
	echo "$out" >"$TB_OUT/ping-$p.txt"
	echo "$out" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n >"$TB_OUT/ping-$p.sorted"
	n=$(grep -c . "$TB_OUT/ping-$p.sorted" || true)
	res "$p.ping_n" "$n"
	if [ "$n" -gt 0 ]; then
		res "$p.ping_p50_ms" "$(awk -v n="$n" 'NR == int((n * 50 + 99) / 100) {print $1}' "$TB_OUT/ping-$p.sorted")"
		res "$p.ping_p99_ms" "$(awk -v n="$n" 'NR == int((n * 99 + 99) / 100) {print $1}' "$TB_OUT/ping-$p.sorted")"
		res "$p.ping_p50_err_ms" "$(calc "$(get "$p.ping_p50_ms") - ${RTT_CFG[$p]}")"
		res "$p.ping_p99_err_ms" "$(calc "$(get "$p.ping_p99_ms") - ${RTT_CFG[$p]}")"
	fi
	res "$p.rtt_cfg_ms" "${RTT_CFG[$p]}"
	tb_figure "prime_${p}_ping_p50" "$(get "$p.ping_p50_ms")" ms
	say "$p: ping p50 $(get "$p.ping_p50_ms") p99 $(get "$p.ping_p99_ms") ms ($n/$PINGS), model RTT ${RTT_CFG[$p]} ms"
	blast "$p" "$d1" "$d2" "$dmac"
	# after a flood, the path must carry pings again before TCP (a
	# simulator behind the wall clock still holds the flood's frames)
	local tr=$SECONDS
	out=$(gr -t 100 g1 "for i in \$(seq 40); do ping -c 1 -W 2 ${IP[g2]} >/dev/null && echo ok && exit 0; done; exit 1")
	res "$p.recovered" "$([ "$out" = ok ] && echo "yes,$((SECONDS - tr))s" || echo "no,$((SECONDS - tr))s")"
	# iperf3's own report, flushed as it goes, and its exit status: a run
	# cut short still says how far it got
	out=$(gr -t $((TCP_SECS + 40)) g1 "T=; command -v timeout >/dev/null && T='timeout $((TCP_SECS + 30))'; \$T iperf3 -c ${IP[g2]} -t $TCP_SECS -f m --connect-timeout 10000 --forceflush 2>&1; echo iperf3_rc=\$?")
	echo "$out" >"$TB_OUT/iperf3-$p.txt"
	mbps=$(echo "$out" | awk '/receiver/ {for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") v = $i} END {print v}')
	res "$p.tcp_mbps" "${mbps:--}"
	if [ -z "$mbps" ]; then
		# why there is no figure, in iperf3's words (or the agent's)
		res "$p.tcp_why" "$( { echo "$out" | grep -E 'error|iperf3_rc|Connecting|connected|sec ' | tail -n 3; [ -n "$out" ] || echo "no output (the guest agent's timeout)"; } | tr '\n' ';' | tr -s ' ' | cut -c1-200)"
		[ "$p" != tap ] || tcp_trace "$p"
	fi
	tb_figure "prime_${p}_tcp" "${mbps:--}" Mbit/s
	if [ "$p" = vprime ]; then
		sleep 0.6
		cp "$PX_STATS" "$TB_OUT/counters-vprime.txt"
	fi
	px_stop
	grep -E '^vprime: ' "$PX_LOG" >>"$TB_OUT/counters-vprime.txt" 2>/dev/null || true
	say "$p: TCP ${mbps:--} Mbit/s; path done in $((SECONDS - t)) s"
}

# The handoff: g1's pktgen over vprime-front to vpfwd, which drops every
# frame (unknown destination MAC), as bench's guest-to-engine path: what
# g1 sends when the engine empties its ring at once.
run_handoff() {
	local t=$SECONDS log=$TB_OUT/vpfwd.log
	use_dev vprime
	"$VP_FWD" >"$log" 2>&1 &
	FWD_PID=$!
	VP_BG_PIDS+=("$FWD_PID")
	tb_wait_for 10 grep -q 'vpfwd: ready' "$log" || tb_fail "vpfwd did not start: $(tail -n 3 "$log" | tr '\n' ' ')"
	tb_wait_for 20 grep -q "attached port .* dom $(tb_guest_domid g1) " "$log" ||
		tb_fail "vpfwd did not attach g1's device: $(tr '\n' ' ' <"$log")"
	gr g1 "for i in \$(seq 100); do [ \$(cat /sys/class/net/${VPIF[g1]}/carrier) = 1 ] && exit 0; sleep 0.1; done; exit 1" >/dev/null ||
		tb_log "handoff: g1's vprime carrier not up"
	blast handoff "${VPIF[g1]}" "${VPIF[g2]}" "$MAC_NONE"
	kill -USR1 "$FWD_PID" 2>/dev/null || true
	sleep 0.5
	kill -TERM "$FWD_PID" 2>/dev/null || true
	wait "$FWD_PID" 2>/dev/null || true
	FWD_PID=''
	res handoff.vpfwd_final "$(grep '^vpfwd: syncs=' "$log" | tail -n 1 | tr ' ' ',')"
	say "handoff: g1 sent $(get handoff.64.tx_pps)/s over vprime-front to vpfwd, dom0 took $(get handoff.64.dom0_pps)/s; $((SECONDS - t)) s"
}

run_path vprime "$VPM"
run_handoff
run_path tap "$TAPM"

# ---- the table --------------------------------------------------------------------
TABLE=$TB_OUT/table.txt
F='%-34s %14s %14s %10s\n'
row() { # LABEL KEY [DIGITS]
	local a b r
	a=$(get "tap.$2") b=$(get "vprime.$2")
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a + 0 > 0 && b != "-" && b != "") printf "%.2f x", b / a; else print "-" }')
	# shellcheck disable=SC2059
	printf "$F" "$1" "${a:--}" "${b:--}" "$r"
}
{
	echo "PRIMEX, the same model (g1 ==1 ms== r ==2 ms== g2, 100 Mb/s) and guests: its TAP device on stock vifs against the vprime device"
	# shellcheck disable=SC2059
	printf "$F" "" "TAP" "vprime" "vprime/TAP"
	row "64 B frames/s sent by g1 (pktgen)" 64.tx_pps
	row "64 B frames/s dom0 took from g1" 64.dom0_pps
	row "64 B frames/s into the simulator*" 64.in_pps
	row "64 B frames/s pcap dropped" 64.pcap_drop_pps
	row "64 B frames/s g1 -> g2" 64.rx_pps
	row "model RTT (ms)" rtt_cfg_ms
	row "ping p50 (ms)" ping_p50_ms
	row "ping p99 (ms)" ping_p99_ms
	row "p50 - model RTT (ms)" ping_p50_err_ms
	row "p99 - model RTT (ms)" ping_p99_err_ms
	row "TCP g1 -> g2 (Mbit/s)" tcp_mbps
	for x in tap vprime; do
		[ -z "$(get "$x.tcp_why")" ] || echo "  no TCP figure ($x): $(get "$x.tcp_why") (path carried pings again after the flood: $(get "$x.recovered")); tcpdump on the vifs in dom0 during a second attempt: $(get "$x.tcp_trace")"
	done
	row "backend stalled passes (g1's device)" 64.be_stall_passes
	row "primex CPU per frame in (us)" 64.cpu_us_per_in
	row "primex blocking waits per frame in" 64.vol_cs_per_in
	row "primex preemptions per frame in" 64.invol_cs_per_in
	row "vprime_sync calls per frame in" 64.syncs_per_in
	row "device polls (simulator) per frame in" 64.polls_per_in
	row "g1 CPU busy share over the flood" 64.g1_busy
	row "g1 CPU stolen share over the flood" 64.g1_steal
	row "primex CPU (CPUs) over the flood" 64.px_cpu_share
	echo "* TAP: what primex's pcap socket on g1's vif took and did not drop (PACKET_STATISTICS via vprime-pcapstat, 0.5 s windows; the rate over those in which its ring was full, without the first and the last), i.e. what TAPDevice's reader injected. vprime: the device's imported counter."
	echo "  TAP per run: $(for ((r = 1; r <= REPS; r++)); do printf '%s ' "$r{$(get "tap.64.$r.pcap"),g2_rx:$(get "tap.64.$r.counts" | sed -n 's/.*g2_rx:\([0-9]*\).*/\1/p')}"; done)"
	echo "  per-frame rows: per frame dom0 took from g1 (TAP: the vif's count) or imported (vprime)."
	echo "handoff (g1's pktgen over vprime-front to vpfwd, which drops every frame, same boot): sent $(get handoff.64.tx_pps)/s, dom0 took $(get handoff.64.dom0_pps)/s, backend stalled passes $(get handoff.64.be_stall_passes), g1 busy $(get handoff.64.g1_busy) stolen $(get handoff.64.g1_steal) (vprime path through primex: sent $(get vprime.64.tx_pps)/s, stalled passes $(get vprime.64.be_stall_passes), g1 busy $(get vprime.64.g1_busy) stolen $(get vprime.64.g1_steal))"
	echo "  backend counters per run: $(for x in vprime handoff; do for ((r = 1; r <= REPS; r++)); do printf '%s ' "$x.$r{$(get "$x.64.$r.backend")}"; done; done)"
	echo "Medians of $REPS runs of ${SECS} s; ping: $PINGS at 50 ms; TCP: iperf3 ${TCP_SECS} s. Per-frame system calls and copies: docs/prime.md."
} >"$TABLE"
cat "$TABLE"
while IFS= read -r line; do tb_log "$line"; done <"$TABLE"
ratio=$(awk -v a="$(get tap.64.in_pps)" -v b="$(get vprime.64.in_pps)" 'BEGIN { if (a + 0 > 0) printf "%.2f", b / a; else print "-" }')
res in_rate_ratio "$ratio"
tb_figure prime_in_rate_vprime_vs_tap "$ratio" x

# ---- clean-up ------------------------------------------------------------------------
restore_vifs
for g in g1 g2; do tb_guest_destroy "$g"; done
# shellcheck disable=SC2016 # expanded by sh, at each try
tb_wait_for 30 sh -c '[ -z "$(xenstore-list /local/domain/0/backend/vprime 2>/dev/null)" ]' ||
	tb_log "vprime nodes left after xl destroy: $(xenstore-list /local/domain/0/backend/vprime 2>&1 | tr '\n' ' ')"
kill -TERM "$WATCH_PID" 2>/dev/null || true
wait "$WATCH_PID" 2>/dev/null || true
vp_count_wait devices 0 20
tb_dom0_unload_modules vprime-back
