# shellcheck shell=bash
# bench: vprime against the stock paths, guest to guest, in one boot.
# A benchmark, not a test: it fails only when a path cannot be set up.
#
#   (a) stock   g1 netfront = netback vif ==== xenbr0 ==== vif netback = netfront g2
#   (b) pmfwd   the same vifs taken off the bridge; tests/bench/pmfwd.c in dom0
#               forwards between them with packet-mmap rings (how a simulator
#               attaches today, in its most efficient form)
#   (c) vprime  g1 vprime-front = vprime-back == vpfwd == vprime-back = g2
#   (d) engine  g1 vprime-front = vprime-back == vpfwd, which drops every frame
#               (unknown destination MAC): the guest-to-engine handoff ceiling
#   (e) vprimed the reference engine on (c)'s devices, two unshaped links
#               through a switch: its CPU share idle, and its CPU, waits, syncs
#               and clock reads a frame at ~600 frames/s of UDP
#
# For each path: 64 B and 1514 B frame rates (kernel pktgen in g1, counted
# at the receiver's interface counters; for (d) at the backend's counters),
# ping RTT p50/p99, UDP request/response (tests/bench/udp_rr.c, sent to the
# guests through the command channel), iperf3 TCP (and for vprime at MTU
# 9000); per frame the event deliveries (dom0 and guest /proc/interrupts),
# vprime's backend counters, the engine's system calls and sleeps, and the
# receiver's CPU; over the pings the engine's sleeps and the backend's
# lat_wake histogram, then (c) again with the engine pinned to the CPU of
# vprime's event channels; dom0's cost of a system call and a wake-up
# (tests/bench/oscost.c).  Results: $TB_OUT/results.txt
# (key=value, written as measured), $TB_OUT/table.txt (made from it by
# tests/bench/bench-table.sh), figures.  Knobs (environment, or lines in
# $TB_TOP/build/bench/bench.env, written by make bench): BENCH_SECS (pktgen
# seconds, 5), BENCH_REPS (repetitions of each rate, 3), BENCH_PINGS (100),
# BENCH_RR_SECS (4), BENCH_TCP_SECS (5), BENCH_ENG_IDLE_SECS and
# BENCH_ENG_LOAD_SECS ((e)'s idle and UDP windows, 10 and 10).
# tb-timeout: 1200

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

[ ! -r "$TB_TOP/build/bench/bench.env" ] || . "$TB_TOP/build/bench/bench.env"
SECS=${BENCH_SECS:-5}
REPS=${BENCH_REPS:-3}
PINGS=${BENCH_PINGS:-100}
RR_SECS=${BENCH_RR_SECS:-4}
TCP_SECS=${BENCH_TCP_SECS:-5}
PMFWD=$TB_TOP/build/bench/pmfwd
UDPRR=$TB_TOP/build/bench/udp_rr
OSCOST=$TB_TOP/build/bench/oscost
MAC1=00:16:3e:5d:00:01
MAC2=00:16:3e:5d:00:02
MAC_NONE=00:16:3e:5d:00:ee
VIP1=10.79.0.1
VIP2=10.79.0.2
VPRIMED=$TB_TOP/build/bin/vprimed
VPCTL=$TB_TOP/build/bin/vprimectl
ENG_IDLE_SECS=${BENCH_ENG_IDLE_SECS:-10}
ENG_LOAD_SECS=${BENCH_ENG_LOAD_SECS:-10}
RES=$TB_OUT/results.txt
: >"$RES"

[ -x "$PMFWD" ] || tb_fail "no $PMFWD (make bench builds it)"
[ -x "$UDPRR" ] || tb_fail "no $UDPRR (make bench builds it)"
[ -x "$OSCOST" ] || tb_fail "no $OSCOST (make bench builds it)"
[ -x "$VP_FWD" ] || tb_fail "no $VP_FWD (make bench builds it)"

res() { echo "$1=$2" >>"$RES"; }	# KEY VALUE
get() { sed -n "s/^$1=//p" "$RES" | tail -n 1; }
# calc 'awk expression' with no input; prints "-" on nonsense
calc() { awk "BEGIN { v = $1; if (v != v) print \"-\"; else printf \"%.${2:-2}f\n\", v }" 2>/dev/null || echo -; }
gr() { tb_guest_run "$@" || true; }	# a guest command whose failure is a figure, not a verdict

# dom0 event deliveries: sum over CPUs of /proc/interrupts lines whose
# name (last field) matches the regex.
irq_sum() {
	awk -v re="$1" 'NR > 1 && $NF ~ re { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; else break }
		END { print s + 0 }' /proc/interrupts
}
# The same in a guest (a command string to run there; prints the sum):
# netfront names its queues' irqs vif<devid>-q<n>-tx/-rx, vprime-front
# "vprime-front".
# The receiving guest's CPU over 2 s inside a pktgen run: a sampler the
# pre-run command leaves behind waits for the receive counter to move by
# 1000 frames (pktgen started, not a stray frame; 10 s at most), then takes two /proc/stat readings 1 and
# 3 s on; the post-run command reads them as "gcpu=BUSY STEAL" (shares of
# the interval; busy leaves out idle, iowait and steal).  RX_COUNTER is
# replaced by the receiver's rx_packets file.
GUEST_CPU_ARM="rm -f /tmp/cpu.s; (r0=\$(cat RX_COUNTER); i=0; while [ \$((\$(cat RX_COUNTER) - r0)) -lt 1000 ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
	sleep 1; head -n 1 /proc/stat >>/tmp/cpu.s; sleep 2; head -n 1 /proc/stat >>/tmp/cpu.s) >/dev/null 2>&1 &"
GUEST_CPU_READ="awk 'NR <= 2 { t[NR] = 0; for (i = 2; i <= 9; i++) t[NR] += \$i; id[NR] = \$5 + \$6; st[NR] = \$9 }
	END { d = t[2] - t[1]; if (NR == 2 && d > 0) printf \"gcpu=%.2f %.2f\\n\", (d - (id[2] - id[1]) - (st[2] - st[1])) / d, (st[2] - st[1]) / d }' /tmp/cpu.s 2>/dev/null"
GUEST_IRQ="awk -v re='vif|eth|vprime' 'NR > 1 && \$NF ~ re { for (i = 2; i <= NF; i++) if (\$i ~ /^[0-9]+\$/) s += \$i; else break } END { print \"irq=\" s + 0 }' /proc/interrupts"

vp_bench_pair_start

# Each guest: udp_rr from the command (no file transfer into guests),
# its servers, its interface names and MACs.
rr_b64=$(gzip -9c "$UDPRR" | base64 -w 0)
setup_guest() { # GUEST VIP
	vp_guest "$1" "echo '$rr_b64' | base64 -d | gunzip >/tmp/udp_rr && chmod +x /tmp/udp_rr
		(/tmp/udp_rr -s 9000 >/dev/null 2>&1 &)
		iperf3 -s -D >/dev/null 2>&1
		for i in \$(seq 100); do [ -n \"\$(ls /sys/bus/xen/devices/vprime-0/net/ 2>/dev/null)\" ] && break; sleep 0.1; done
		vp=\$(ls /sys/bus/xen/devices/vprime-0/net/)
		ip addr add $2/24 dev \$vp && ip link set \$vp up
		echo vp=\$vp; echo mac=\$(cat /sys/class/net/eth0/address)
		ls /proc/net/pktgen/pgctrl >/dev/null && echo pktgen=yes"
}
out1=$(setup_guest g1 "$VIP1")
out2=$(setup_guest g2 "$VIP2")
vp1=$(echo "$out1" | sed -n 's/^vp=//p')
vp2=$(echo "$out2" | sed -n 's/^vp=//p')
emac2=$(echo "$out2" | sed -n 's/^mac=//p')
echo "$out1" | tb_match pktgen=yes || tb_fail "no pktgen in g1: $out1"
{ [ -n "$vp1" ] && [ -n "$vp2" ] && [ -n "$emac2" ]; } || tb_fail "guest set-up: '$out1' '$out2'"
tb_log "g1 dom$d1 $vif1 $vp1, g2 dom$d2 $vif2 $vp2 (eth0 $emac2)"
res dom0_cpus "$(grep -c ^processor /proc/cpuinfo)"
res dom0_cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1 | tr ' ' _)"
res xen "$(xl info 2>/dev/null | awk '$1 == "xen_version" {print $3}')"
res kernel "$(uname -r)"
res secs "$SECS"
res reps "$REPS"
res pings "$PINGS"
res rr_secs "$RR_SECS"
res tcp_secs "$TCP_SECS"
# What dom0's OS charges a user-space engine per event (tests/bench/oscost.c):
# one system call, one wake-up from poll(); the second figure with both
# processes on CPU 0.  Measured with the guests idle.
oscost() { # KEY_SUFFIX [taskset -c N]
	local k=$1 out
	shift
	out=$("$@" "$OSCOST" 2>&1) || tb_log "oscost: $out"
	res "oscost$k.syscall_ns" "$(echo "$out" | tr ' ' '\n' | sed -n 's/^syscall_ns=//p')"
	res "oscost$k.wake_ns" "$(echo "$out" | tr ' ' '\n' | sed -n 's/^wake_ns=//p')"
}
oscost ""
oscost .cpu0 taskset -c 0
tb_log "dom0 OS costs: syscall $(get oscost.syscall_ns) ns, wake-up $(get oscost.wake_ns) ns ($(get oscost.cpu0.wake_ns) ns on one CPU)"

# ------------------------------------------------------------ engine helpers
ENG=none ENG_PID="" ENG_LOG=""
eng_start() { # pmfwd|vpfwd ARGS...
	ENG=$1
	ENG_LOG=$TB_OUT/$1.log
	shift
	case $ENG in
	pmfwd) "$PMFWD" "$@" >"$ENG_LOG" 2>&1 & ;;
	vpfwd) "$VP_FWD" "$@" >"$ENG_LOG" 2>&1 & ;;
	esac
	ENG_PID=$!
	tb_wait_for 10 grep -q "$ENG: ready" "$ENG_LOG" ||
		tb_fail "$ENG did not start: $(tail -n 3 "$ENG_LOG" | tr '\n' ' ')"
}
eng_stop() {
	[ -n "$ENG_PID" ] || return 0
	kill -TERM "$ENG_PID" 2>/dev/null || true
	wait "$ENG_PID" || true
	ENG_PID="" ENG=none
}
# The engine's data-path system calls so far: vpfwd syncs+polls (one ioctl
# or one poll each), pmfwd polls+sends (one poll or one sendto each).
eng_syscalls() { # prints "SYSCALLS POLLS"
	local l n
	[ -n "$ENG_PID" ] || { echo 0 0; return; }
	n=$(grep -c . "$ENG_LOG" || true)
	kill -USR1 "$ENG_PID"
	tb_wait_for 5 sh -c "[ \$(grep -c . '$ENG_LOG') -gt $n ]" || true
	case $ENG in
	vpfwd) l=$(grep '^vpfwd: syncs=' "$ENG_LOG" | tail -n 1)
		echo "$l" | tr ' ' '\n' | awk -F= '$1 == "syncs" || $1 == "polls" { s += $2 } $1 == "polls" { p = $2 } END { print s + 0, p + 0 }' ;;
	pmfwd) l=$(grep '^pmfwd: polls=' "$ENG_LOG" | tail -n 1)
		echo "$l" | tr ' ' '\n' | awk -F= '$1 == "polls" || $1 == "sends" { s += $2 } $1 == "polls" { p = $2 } END { print s + 0, p + 0 }' ;;
	esac
}
# One read of debugfs (process creation is slow in a PV dom0 under TCG):
# "RX1 RX TX NOTIFY EVENTS SYNCS", g1's rx_frames then sums over both devices.
vp_snap() {
	awk -v a="dom$d1" -v b="dom$d2" '
		($1 == a || $1 == b) && $2 == "dev0" { want = $1; next }
		want { for (i = 1; i <= NF; i++) { split($i, kv, "="); c[want, kv[1]] = kv[2] }; want = "" }
		END { k = "rx_frames tx_frames notify_guest guest_events syncs"; n = split(k, ks, " ")
			printf "%d", c[a, "rx_frames"]
			for (i = 1; i <= n; i++) printf " %d", c[a, ks[i]] + c[b, ks[i]]
			print "" }' "$VP_DEBUGFS" 2>/dev/null || echo 0 0 0 0 0 0
}

# CPU=(total idle+iowait steal engine_ticks engine_sleeps) from /proc/stat
# and the engine's /proc/PID/stat and status, with bash builtins only (no
# process).  engine_sleeps is the kernel's voluntary_ctxt_switches: the
# times the engine blocked (in poll(), or anywhere else), so each is one
# wake-up it needed; a poll() that finds work ready returns without one.
cpu_snap() {
	local _c u n sy id io irq sirq st e=0 v=0 f k x
	read -r _c u n sy id io irq sirq st _ </proc/stat
	if [ -n "$ENG_PID" ] && read -r -a f <"/proc/$ENG_PID/stat" 2>/dev/null; then
		e=$((f[13] + f[14]))
		while read -r k x _; do
			[ "$k" = voluntary_ctxt_switches: ] && v=$x
		done <"/proc/$ENG_PID/status"
	fi
	CPU=($((u + n + sy + id + io + irq + sirq + st)) $((id + io)) "$st" "$e" "$v")
}

# The backend's lat_wake histograms of g1's and g2's devices, summed:
# "le_1us=N le_2us=N ..." (22 buckets).  lat_wake counts, per guest event
# that found the engine with work to do, the time until the engine's next
# sync over that port moved frames: the engine's wake-up.
wake_snap() {
	awk -v a="dom$d1" -v b="dom$d2" '
		$1 ~ /^dom/ && $2 ~ /^dev/ { cur = (($1 == a || $1 == b) && $2 == "dev0") }
		cur && $1 == "lat_wake" { for (i = 2; i <= NF; i++) { split($i, kv, "="); s[i] += kv[2]; lab[i] = kv[1] } }
		END { for (i = 2; i in lab; i++) printf "%s%s=%d", (i > 2 ? " " : ""), lab[i], s[i]; print "" }' "$VP_DEBUGFS"
}
# hist_delta BEFORE AFTER: the buckets that grew ("le_1ms=12 le_2ms=3"), then
# on a second line the samples and the bucket holding the median sample.
hist_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++) { split(x[i], p, "="); split(y[i], q, "="); d[i] = q[2] - p[2]; lab[i] = p[1]; t += d[i] }
		for (i = 1; i <= n; i++) if (d[i] > 0) { printf "%s%s=%d", sep, lab[i], d[i]; sep = " " }
		print ""
		for (i = 1; i <= n && 2 * c < t; i++) { c += d[i]; m = lab[i] }
		print t + 0, (t ? m : "-") }'
}

# ------------------------------------------------------------ measurements
# blast PATH SIZE SENDER_IF DST_IP DST_MAC RECV_IF DOM0_IRQ_RE
#   pktgen in g1 for SECS seconds; the receiver's interface counter (g2's
#   RECV_IF, or the backend's rx_frames of g1 when RECV_IF is "-")
#   over pktgen's own elapsed time.  Per frame: event deliveries in dom0
#   and in both guests, vprime's backend counters, the engine's syscalls.
blast() {
	local p=$1 size=$2 sif=$3 dip=$4 dmac=$5 rif=$6 dre=$7 rep out r0 r1 usec sent
	local i0 i1 g10 g11 g20 g21 s0 s1 p0 p1 out2 v0 v1 x0 x1 t0 t1 n0 n1 e0 e1 y0 y1 gb gs
	local -a c0 c1
	for ((rep = 1; rep <= REPS; rep++)); do
		read -r v0 x0 t0 n0 e0 y0 < <(vp_snap)
		if [ "$rif" = - ]; then
			r0=$v0
			g20=0
		else
			out=$(gr g2 "cat /sys/class/net/$rif/statistics/rx_packets; $GUEST_IRQ; ${GUEST_CPU_ARM//RX_COUNTER//sys/class/net/$rif/statistics/rx_packets}")
			r0=$(echo "$out" | head -n 1)
			g20=$(echo "$out" | sed -n 's/^irq=//p')
		fi
		read -r s0 p0 < <(eng_syscalls)
		i0=$(irq_sum "$dre")
		cpu_snap; c0=("${CPU[@]}")
		out=$(gr -t $((SECS + 60)) g1 "
			PG=/proc/net/pktgen
			pg() { echo \"\$2\" >\$PG/\$1 || echo \"pgerr \$1 \$2\"; }
			pg kpktgend_0 rem_device_all
			pg kpktgend_0 'add_device $sif'
			pg $sif 'count 0'
			pg $sif 'delay 0'
			pg $sif 'pkt_size $((size - 4))'
			pg $sif 'dst $dip'
			pg $sif 'dst_mac $dmac'
			pg $sif 'udp_dst_min 9'
			pg $sif 'udp_dst_max 9'
			echo 'clone_skb 1000' >\$PG/$sif 2>/dev/null && echo clone=1000 || echo clone=0
			echo 'burst 32' >\$PG/$sif 2>/dev/null && echo burst=32 || echo burst=1
			$GUEST_IRQ
			(echo start >\$PG/pgctrl) &
			sleep $SECS
			echo stop >\$PG/pgctrl
			wait
			$GUEST_IRQ
			grep -E 'Result|pps|errors' \$PG/$sif")
		echo "== $p $size rep $rep" >>"$TB_OUT/pktgen.txt"
		echo "$out" >>"$TB_OUT/pktgen.txt"
		cpu_snap; c1=("${CPU[@]}")
		i1=$(irq_sum "$dre")
		read -r s1 p1 < <(eng_syscalls)
		read -r v1 x1 t1 n1 e1 y1 < <(vp_snap)
		if [ "$rif" = - ]; then
			r1=$v1
			g21=0
		else
			out2=$(gr g2 "cat /sys/class/net/$rif/statistics/rx_packets; $GUEST_IRQ; $GUEST_CPU_READ")
			r1=$(echo "$out2" | head -n 1)
			read -r gb gs < <(echo "$out2" | sed -n 's/^gcpu=//p')
			res "$p.$size.$rep.g2_busy" "${gb:--}"
			res "$p.$size.$rep.g2_steal" "${gs:--}"
			g21=$(echo "$out2" | sed -n 's/^irq=//p')
		fi
		usec=$(echo "$out" | sed -n 's/.*Result: OK: \([0-9]*\)(c.*/\1/p')
		sent=$(echo "$out" | sed -n 's/.*usec, \([0-9]*\) (.*/\1/p')
		g10=$(echo "$out" | sed -n 's/^irq=//p' | head -n 1)
		g11=$(echo "$out" | sed -n 's/^irq=//p' | tail -n 1)
		if [ -z "$usec" ] || [ -z "$r1" ] || [ -z "$r0" ]; then
			tb_log "$p $size: no pktgen result: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
			continue
		fi
		local rx=$((r1 - r0))
		local k2="$p.$size.$rep"
		local fr=$((rx > 0 ? rx : 1))
		awk -v k="$k2" -v fr="$fr" -v us="$usec" -v sent="$sent" -v rx="$rx" \
			-v irq="$((i1 - i0))" -v girq="$((${g11:-0} - ${g10:-0} + ${g21:-0} - ${g20:-0}))" \
			-v sc="$((s1 - s0))" -v po="$((p1 - p0))" \
			-v ng="$((n1 - n0))" -v ge="$((e1 - e0))" \
			-v sy="$((y1 - y0))" -v sl="$((${c1[4]} - ${c0[4]}))" 'BEGIN {
			printf "%s.tx_pps=%.0f\n%s.rx_pps=%.0f\n", k, sent / (us / 1e6), k, rx / (us / 1e6)
			printf "%s.dom0_irq_per_frame=%.4f\n%s.guest_irq_per_frame=%.4f\n", k, irq / fr, k, girq / fr
			printf "%s.eng_syscalls_per_frame=%.4f\n%s.eng_polls_per_frame=%.4f\n", k, sc / fr, k, po / fr
			printf "%s.vp_notify_guest_per_frame=%.4f\n%s.vp_guest_events_per_frame=%.4f\n", k, ng / fr, k, ge / fr
			printf "%s.vp_syncs_per_frame=%.4f\n", k, sy / fr
			printf "%s.eng_sleeps_per_frame=%.4f\n", k, sl / fr }' >>"$RES"
		res "$k2.rx_frames" "$rx"
		res "$k2.sent" "$sent"
		res "$k2.usec" "$usec"
		res "$k2.clone" "$(echo "$out" | sed -n 's/^clone=//p')"
		res "$k2.burst" "$(echo "$out" | sed -n 's/^burst=//p')"
		res "$k2.vp_rx_frames" "$((x1 - x0))"
		res "$k2.vp_tx_frames" "$((t1 - t0))"
		# dom0 CPU over the pktgen call: busy and steal share of all its
		# vCPUs, the engine's own CPU seconds (USER_HZ ticks / 100)
		res "$k2.dom0_busy" "$(calc "1 - (${c1[1]} - ${c0[1]}) / (${c1[0]} - ${c0[0]} + 0.001)" 2)"
		res "$k2.dom0_steal" "$(calc "(${c1[2]} - ${c0[2]}) / (${c1[0]} - ${c0[0]} + 0.001)" 2)"
		res "$k2.eng_cpu_s" "$(calc "(${c1[3]} - ${c0[3]}) / 100" 2)"
		res "$k2.counts" "irq=$((i1 - i0)),guest_irq=$((${g11:-0} - ${g10:-0} + ${g21:-0} - ${g20:-0})),syscalls=$((s1 - s0)),polls=$((p1 - p0)),notify_guest=$((n1 - n0)),guest_events=$((e1 - e0)),syncs=$((y1 - y0)),sleeps=$((${c1[4]} - ${c0[4]}))"
		tb_log "$p $size B rep $rep: sent $(get "$k2.tx_pps") pps, received $(get "$k2.rx_pps") pps ($rx frames), dom0 irq/frame $(get "$k2.dom0_irq_per_frame"), engine syscalls/frame $(get "$k2.eng_syscalls_per_frame")"
	done
	# the median repetition's rate
	res "$p.$size.rx_pps" "$(for ((rep = 1; rep <= REPS; rep++)); do get "$p.$size.$rep.rx_pps"; done | sort -n | awk '{v[NR] = $1} END {print (NR ? v[int((NR + 1) / 2)] : "-")}')"
	res "$p.$size.tx_pps" "$(for ((rep = 1; rep <= REPS; rep++)); do get "$p.$size.$rep.tx_pps"; done | sort -n | awk '{v[NR] = $1} END {print (NR ? v[int((NR + 1) / 2)] : "-")}')"
	tb_figure "${p}_${size}B_rx" "$(get "$p.$size.rx_pps")" frames/s
}

# latency PATH DST_IP: ping p50/p99 (from each reply's time), udp_rr.
# With an engine running: its sleeps over the pings; with vprime, the
# backend's lat_wake histogram over the pings (the engine's wake-ups).
latency() {
	local p=$1 dip=$2 out w0 w1 wd
	local -a c0 c1
	cpu_snap; c0=("${CPU[@]}")
	w0=$(wake_snap)
	out=$(gr -t $((PINGS / 10 + 60)) g1 "ping -c $PINGS -i 0.02 -W 2 $dip")
	w1=$(wake_snap)
	cpu_snap; c1=("${CPU[@]}")
	[ "$ENG" = none ] || res "$p.ping_eng_sleeps" "$((${c1[4]} - ${c0[4]}))"
	if [ "$ENG" = vpfwd ]; then
		wd=$(hist_delta "$w0" "$w1")
		res "$p.ping_wake_hist" "$(echo "$wd" | head -n 1 | tr ' ' ,)"
		res "$p.ping_wake_n" "$(echo "$wd" | tail -n 1 | cut -d' ' -f1)"
		res "$p.ping_wake_p50" "$(echo "$wd" | tail -n 1 | cut -d' ' -f2)"
	fi
	echo "$out" >"$TB_OUT/ping-$p.txt"
	echo "$out" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n >"$TB_OUT/ping-$p.sorted"
	local n
	n=$(grep -c . "$TB_OUT/ping-$p.sorted" || true)
	res "$p.ping_n" "$n"
	if [ "$n" -gt 0 ]; then
		res "$p.ping_p50_ms" "$(awk -v n="$n" 'NR == int((n * 50 + 99) / 100) {print $1}' "$TB_OUT/ping-$p.sorted")"
		res "$p.ping_p99_ms" "$(awk -v n="$n" 'NR == int((n * 99 + 99) / 100) {print $1}' "$TB_OUT/ping-$p.sorted")"
	fi
	out=$(gr -t $((RR_SECS + 30)) g1 "/tmp/udp_rr -c $dip 9000 $RR_SECS 64")
	echo "$out" >"$TB_OUT/udp_rr-$p.txt"
	local k
	for k in rate p50_us p99_us lost; do
		res "$p.rr_$k" "$(echo "$out" | tr ' ' '\n' | sed -n "s/^$k=//p")"
	done
	tb_figure "${p/./_}_ping_p50" "$(get "$p.ping_p50_ms")" ms
	tb_figure "${p/./_}_udp_rr" "$(get "$p.rr_rate")" trans/s
	tb_log "$p: ping p50 $(get "$p.ping_p50_ms") p99 $(get "$p.ping_p99_ms") ms ($n/$PINGS), udp_rr $(get "$p.rr_rate")/s p50 $(get "$p.rr_p50_us") us"
}

tcp() { # PATH DST_IP
	local p=$1 out mbps
	out=$(gr -t $((TCP_SECS + 40)) g1 "iperf3 -c $2 -t $TCP_SECS -f m")
	echo "$out" >"$TB_OUT/iperf3-$p.txt"
	mbps=$(echo "$out" | awk '/receiver/ {for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") v = $i} END {print v}')
	res "$p.tcp_mbps" "${mbps:--}"
	tb_figure "${p/./_}_tcp" "${mbps:--}" Mbit/s
	tb_log "$p: iperf3 $mbps Mbit/s"
}

# ------------------------------------------------------------ (a) stock + bridge
tb_log "(a) stock netfront/netback + bridge"
gr g1 "ping -c 2 -W 5 10.99.0.12" >/dev/null
blast a 64 eth0 10.99.0.12 "$emac2" eth0 "^$vif1|^$vif2"
blast a 1518 eth0 10.99.0.12 "$emac2" eth0 "^$vif1|^$vif2"
latency a 10.99.0.12
tcp a 10.99.0.12
# The same stock path carrying wire-size frames, as vprime does: an engine
# simulates per packet, so it must see frames of the link's MTU, not the
# 64 KB TCP segments netfront and netback pass through a bridge unsplit.
for g in g1 g2; do gr "$g" "ethtool -K eth0 tso off gso off >/dev/null 2>&1; true" >/dev/null; done
tcp a.wire 10.99.0.12

# ------------------------------------------------------------ (b) stock + pmfwd
tb_log "(b) stock vifs + pmfwd (packet mmap) in dom0, off the bridge"
ip link set "$vif1" nomaster
ip link set "$vif2" nomaster
# A packet socket sees wire frames: checksum and segmentation offloads
# must be off in the guests (as for any capture-based engine).
for g in g1 g2; do
	gr "$g" "ethtool -K eth0 tx off sg off tso off gso off >/dev/null 2>&1; ethtool -k eth0 | grep -E '^(tx-checksumming|tcp-segmentation-offload):' | tr '\n' ' '" >>"$TB_OUT/offloads-b.txt"
done
eng_start pmfwd "$vif1" "$vif2"
blast b 64 eth0 10.99.0.12 "$emac2" eth0 "^$vif1|^$vif2"
blast b 1518 eth0 10.99.0.12 "$emac2" eth0 "^$vif1|^$vif2"
latency b 10.99.0.12
tcp b 10.99.0.12
kill -USR1 "$ENG_PID"; sleep 0.5
res b.pmfwd_final "$(grep '^pmfwd: polls=' "$ENG_LOG" | tail -n 1 | tr ' ' ',')"
eng_stop

# ------------------------------------------------------------ (c) vprime + vpfwd
tb_log "(c) vprime + vpfwd"
eng_start vpfwd
tb_wait_for 20 grep -q "attached port .* dom $d2 " "$ENG_LOG" ||
	tb_fail "vpfwd did not attach g2's device: $(tr '\n' ' ' <"$ENG_LOG")"
tb_wait_for 20 grep -q "attached port .* dom $d1 " "$ENG_LOG" ||
	tb_fail "vpfwd did not attach g1's device: $(tr '\n' ' ' <"$ENG_LOG")"
vp_guest g2 "for i in \$(seq 100); do [ \$(cat /sys/class/net/$vp2/carrier) = 1 ] && exit 0; sleep 0.1; done; exit 1" >/dev/null
gr g1 "for i in \$(seq 100); do [ \$(cat /sys/class/net/$vp1/carrier) = 1 ] && break; sleep 0.1; done; ping -c 2 -W 5 $VIP2" >/dev/null
blast c 64 "$vp1" "$VIP2" "$MAC2" "$vp2" "vprime"
blast c 1518 "$vp1" "$VIP2" "$MAC2" "$vp2" "vprime"
latency c "$VIP2"
tcp c "$VIP2"
# TCP through vprime with jumbo frames (feature-jumbo): 6x fewer frames
# for the same bytes, the nearest an engine that sees every wire frame
# gets to the stock path's 64 KB TSO segments.
gr g1 "ip link set $vp1 mtu 9000" >/dev/null
gr g2 "ip link set $vp2 mtu 9000" >/dev/null
tcp c.jumbo "$VIP2"
gr g1 "ip link set $vp1 mtu 1500" >/dev/null
gr g2 "ip link set $vp2 mtu 1500" >/dev/null
# The same round trips with the engine on the dom0 vCPU that takes
# vprime's event channels (irq affinity and the engine's CPU mask both
# set to CPU 0): the wake-up then needs no IPI between dom0's vCPUs.
pin_c() { # CPULIST
	local irq
	taskset -a -p -c "$1" "$ENG_PID" >/dev/null || tb_log "taskset $1 failed"
	for irq in $(awk '$NF == "vprime-back" { sub(":", "", $1); print $1 }' /proc/interrupts); do
		echo "$1" >"/proc/irq/$irq/smp_affinity_list" || tb_log "irq $irq affinity $1 failed"
	done
}
grep vprime-back /proc/interrupts >"$TB_OUT/irqs-c.txt"
pin_c 0
latency c.pin "$VIP2"
grep vprime-back /proc/interrupts >>"$TB_OUT/irqs-c.txt"
pin_c "0-$(($(get dom0_cpus) - 1))"

# ------------------------------------------------------------ (d) vprime to engine
tb_log "(d) vprime guest to engine (engine drops: unknown destination)"
blast d 64 "$vp1" "$VIP2" "$MAC_NONE" - "vprime"
blast d 1518 "$vp1" "$VIP2" "$MAC_NONE" - "vprime"
eng_syscalls >/dev/null
res d.vpfwd_final "$(grep '^vpfwd: syncs=' "$ENG_LOG" | tail -n 1 | tr ' ' ',')"
cp "$VP_DEBUGFS" "$TB_OUT/debugfs-end.txt"
gr g1 "ethtool -S $vp1" >"$TB_OUT/ethtool-g1.txt"
gr g2 "ethtool -S $vp2" >"$TB_OUT/ethtool-g2.txt"
eng_stop

# ------------------------------------------------------------ (e) vprimed
# The reference engine itself between the same devices, on two unshaped
# links through a switch: its CPU share idle, and at about 600 frames/s of
# UDP (iperf3 in g1, 100-byte datagrams), its CPU a frame and what its loop
# paid a frame (waits, sync ioctls, clock reads: vprimectl stats' loop line).
vprimed_cpu() {
	local sock=/run/vprimed-bench.sock topo=$TB_OUT/vprimed-bench.json pid c0 c1 t0 t1 u
	local f0 f1 w0 w1 k0 k1 y0 y1
	[ -x "$VPRIMED" ] && [ -x "$VPCTL" ] || { tb_log "(e) skipped: no $VPRIMED or $VPCTL"; return 0; }
	cat >"$topo" <<EOF
{"seed": 1, "nodes": [{"name": "h1", "type": "guest", "mac": "$MAC1"},
 {"name": "h2", "type": "guest", "mac": "$MAC2"}, {"name": "s1", "type": "switch"}],
 "links": [{"name": "l1", "a": "h1", "b": "s1"}, {"name": "l2", "a": "h2", "b": "s1"}]}
EOF
	"$VPRIMED" -t "$topo" -c "$sock" >"$TB_OUT/vprimed.log" 2>&1 &
	pid=$!
	# "FRAMES WAITS CLOCK_READS SYNCS" from the engine and loop lines
	vstat() { VPRIMED_SOCKET=$sock "$VPCTL" stats 2>/dev/null | awk '$1 == "engine" { f = $3 } $1 == "loop" { l = $5 " " $9 " " $11 } END { print f + 0, l }'; }
	ticks() { local f; read -r -a f <"/proc/$pid/stat" && echo $((f[13] + f[14])); }
	upt() { local x _; read -r x _ </proc/uptime; echo "$x"; }
	gr g1 "for i in \$(seq 200); do [ \$(cat /sys/class/net/$vp1/carrier) = 1 ] && break; sleep 0.1; done; ping -c 2 -W 5 $VIP2" >/dev/null
	sleep 2
	c0=$(ticks) t0=$(upt)
	sleep "$ENG_IDLE_SECS"
	c1=$(ticks) t1=$(upt)
	res e.idle_cpu_share "$(calc "($c1 - $c0) / 100 / ($t1 - $t0)" 3)"
	gr g2 "iperf3 -s -D >/dev/null 2>&1; sleep 0.5" >/dev/null
	gr g1 "iperf3 -c $VIP2 -u -l 100 -b 480K -t $((ENG_LOAD_SECS + 6)) >/tmp/iperf-e.txt 2>&1 &" >/dev/null
	sleep 3
	read -r f0 w0 k0 y0 < <(vstat)
	c0=$(ticks) t0=$(upt)
	sleep "$ENG_LOAD_SECS"
	c1=$(ticks) t1=$(upt)
	read -r f1 w1 k1 y1 < <(vstat)
	u=$((f1 - f0 > 0 ? f1 - f0 : 1))
	res e.udp_fps "$(calc "($f1 - $f0) / ($t1 - $t0)" 0)"
	res e.cpu_share "$(calc "($c1 - $c0) / 100 / ($t1 - $t0)" 3)"
	res e.cpu_us_per_frame "$(calc "($c1 - $c0) * 10000 / $u" 0)"
	res e.waits_per_frame "$(calc "(${w1:-0} - ${w0:-0}) / $u" 2)"
	res e.clock_reads_per_frame "$(calc "(${k1:-0} - ${k0:-0}) / $u" 2)"
	res e.syncs_per_frame "$(calc "(${y1:-0} - ${y0:-0}) / $u" 2)"
	VPRIMED_SOCKET=$sock "$VPCTL" stats >"$TB_OUT/vprimed-stats.txt" 2>&1 || true
	sleep 7
	gr g2 "killall iperf3 2>/dev/null; true" >/dev/null
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" || true
	tb_log "(e) vprimed: idle CPU share $(get e.idle_cpu_share); $(get e.udp_fps) frames/s of UDP: CPU share $(get e.cpu_share), $(get e.cpu_us_per_frame) us a frame, $(get e.waits_per_frame) waits, $(get e.syncs_per_frame) syncs, $(get e.clock_reads_per_frame) clock reads a frame"
}
tb_log "(e) vprimed, unshaped links, idle and ~600 frames/s of UDP"
vprimed_cpu

# ------------------------------------------------------------ table
bash "$TB_TOP/tests/bench/bench-table.sh" "$RES" >"$TB_OUT/table.txt"
cat "$TB_OUT/table.txt"
while IFS= read -r l; do tb__console "TB-BENCH $l"; done <"$TB_OUT/table.txt"

vp_dev_remove g1 0
vp_dev_remove g2 0
tb_wait_for 30 sh -c "[ \"\$(awk '\$1==\"devices\"{print \$2}' $VP_DEBUGFS)\" = 0 ]" ||
	tb_log "devices left after removal: $(vp_count devices)"
tb_guest_destroy g1
tb_guest_destroy g2
tb_dom0_unload_modules vprime_back || tb_log "rmmod vprime_back failed"
