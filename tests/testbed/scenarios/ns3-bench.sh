# shellcheck shell=bash
# ns3-bench: make bench's ns-3 comparison (docs/ns3.md, docs/benchmarks.md).
# The same two guests in the same ns-3 topology (tests/testbed/ns3-bench.json:
# h1 --2 ms-- s1 --2 ms-- h2, no rate limit; guest to guest RTT 8 ms
# configured), run by vprime-ns3 in dom0, attached two ways:
#
#   (e) emu     the way ns-3 users attach a real host today: ns-3's own
#               FdNetDevice (EmuFdNetDeviceHelper: a packet socket on the
#               guest's stock vif, taken off the bridge, promiscuous; one
#               read() and one malloc per frame in ns-3's reader thread)
#               g1 netfront = netback vif1 =FdNetDevice= ns-3 =FdNetDevice= vif2 = g2
#               on ns-3's RealtimeSimulatorImpl (--simulator=ns3)
#   (v) vprime  VprimeNetDevice: g1 vprime-front = vprime-back =libvprime= ns-3 = ... = g2
#               on vprime-ns3's default, VprimeRealtimeSimulatorImpl
#
# Both halves in one boot, each with a vprime-ns3 process of its own
# (a flood's backlog in ns-3's event list dies with it).  Per half, in
# this order: ping p50/p99 against the configured 8 ms; iperf3 TCP (a
# server per half: one a killed client left busy cannot refuse the
# other); then 64-byte frames from pktgen in g1 for SECS seconds: frames/s
# into the simulator (the ns-3 device's receive counter) and guest to
# guest (g2's interface counter); per frame taken in, vprime-ns3's context
# switches (every thread, /proc/PID/task/*/status), read/write system calls
# (/proc/PID/io syscr + syscw: FdNetDevice's read() and write() are
# counted there; vprime's ioctl and poll are not, so its own syncs and
# wake-ups are added), CPU time.  Before each of the three, g1 pings g2
# until one answer comes back within SETTLE_MS (the simulator has caught up
# with real time), at most SETTLE_SECS; how long that took is recorded.
# Time: each half gets an equal share of what is left of BUDGET when it
# starts (the first half cannot starve the second); within it the flood
# and the stop are reserved first, and a ping or TCP phase that would not
# fit is left out ("-" in the table, said in the log).  Every guest
# command and the stop are bounded (a stop that takes longer than 20 s is a
# SIGKILL, logged).
# A benchmark: it fails only when a path cannot be set up (after running
# the other).
# Results: $TB_OUT/results.txt (key=value), $TB_OUT/table.txt, figures.
# Knobs (environment, or build/bench/bench.env): BENCH_SECS (5),
# BENCH_PINGS (100), BENCH_TCP_SECS (5), BENCH_NS3_PATHS ("emu vprime":
# which paths run, in that order; the table shows "-" for one left out).
# Budget: BUDGET (470 s) bounds the whole, the runner's limit is 30 s
# above it: setup, then per half at most about 20 s to start, 40 for the
# pings, 35 for TCP, 80 for the flood and 20 for the stop (every limit
# reached), and 40 s for the table and the clean-up.  Measured: 134-190 s
# in all, 37-93 s a half (docs/ns3.md).
# tb-timeout: 500

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

[ ! -r "$TB_TOP/build/bench/bench.env" ] || . "$TB_TOP/build/bench/bench.env"
SECS=${BENCH_SECS:-5}
PINGS=${BENCH_PINGS:-100}
TCP_SECS=${BENCH_TCP_SECS:-5}
PATHS=${BENCH_NS3_PATHS:-emu vprime}
BUDGET=470      # s, the scenario's own bound (tb-timeout above leaves 30 s)
TAIL=40         # s kept for the table and the clean-up
SETTLE_MS=50    # a ping answered within this: the simulator has caught up
SETTLE_SECS=10  # the most a settle waits
STOP_SECS=20    # SIGTERM to exit, then SIGKILL
T0=$(date +%s)
NS3=$TB_TOP/build/bin/vprime-ns3
NS3_LIBS=$TB_TOP/build/ns3/dom0-libs
TOPO=$TB_TOP/tests/testbed/ns3-bench.json
CFG_RTT=8
MAC1=00:16:3e:5e:00:01
MAC2=00:16:3e:5e:00:02
VIP1=10.79.0.1
VIP2=10.79.0.2
RES=$TB_OUT/results.txt
: >"$RES"
ENG_PID='' ENG_LOG='' DUMPS=0

for p in $PATHS; do
	case $p in emu | vprime) ;; *) tb_fail "BENCH_NS3_PATHS: '$p' is neither emu nor vprime" ;; esac
done
[ -x "$NS3" ] || tb_fail "no $NS3: ns-3 is not installed on the host or make was not run (make deps; make)"
[ -s "$NS3_LIBS/.stamp" ] || tb_fail "no $NS3_LIBS (make stages vprime-ns3's libraries there)"
# Loaded over the 9p share, ns-3's 23 MB of libraries take 20-60 s to
# start vprime-ns3; from dom0's tmpfs 1.5 s (docs/testbed.md, "ns-3 in dom0").
rm -rf /tmp/ns3-libs
cp -r "$NS3_LIBS" /tmp/ns3-libs
NS3_LIBS=/tmp/ns3-libs

res() { echo "$1=$2" >>"$RES"; }
get() { sed -n "s/^$1=//p" "$RES" | tail -n 1; }
calc() { awk "BEGIN { v = $1; if (v != v) print \"-\"; else printf \"%.${2:-2}f\n\", v }" 2>/dev/null || echo -; }
gr() { tb_guest_run "$@" || true; }

vp_bench_pair_start
setup_guest() { # GUEST VIP
	vp_guest "$1" "iperf3 -s -D -p 5201 >/dev/null 2>&1; iperf3 -s -D -p 5202 >/dev/null 2>&1
		for i in \$(seq 100); do [ -n \"\$(ls /sys/bus/xen/devices/vprime-0/net/ 2>/dev/null)\" ] && break; sleep 0.1; done
		vp=\$(ls /sys/bus/xen/devices/vprime-0/net/)
		ip addr add $2/24 dev \$vp && ip link set \$vp up
		# a packet socket sees wire frames: no checksum or segmentation offload
		ethtool -K eth0 tx off sg off tso off gso off >/dev/null 2>&1
		echo offload=\$(ethtool -k eth0 | grep -E 'tx-checksum|^tcp-seg|^generic-seg' | tr -s ' \t' ' ' | tr '\n' ',')
		# what ethtool cannot turn off, filled before the frame leaves
		$(vp_csum_fill_cmd eth0)
		echo vp=\$vp; echo mac=\$(cat /sys/class/net/eth0/address)"
}
out1=$(setup_guest g1 "$VIP1")
out2=$(setup_guest g2 "$VIP2")
vp1=$(echo "$out1" | sed -n 's/^vp=//p')
vp2=$(echo "$out2" | sed -n 's/^vp=//p')
emac2=$(echo "$out2" | sed -n 's/^mac=//p')
{ [ -n "$vp1" ] && [ -n "$vp2" ] && [ -n "$emac2" ]; } || tb_fail "guest set-up: '$out1' '$out2'"
for g in 1 2; do
	o=$([ $g = 1 ] && echo "$out1" || echo "$out2")
	res "g$g.eth0_offload" "$(echo "$o" | sed -n 's/^offload=//p')"
	res "g$g.eth0_csum_fill" "$(echo "$o" | sed -n 's/^csum=//p')"
	tb_log "g$g eth0: $(echo "$o" | grep -E '^(offload|csum)=' | tr '\n' ' ')"
done
# The stock vifs leave the bridge: ns-3 is their only way across.
ip link set "$vif1" nomaster
ip link set "$vif2" nomaster
ip link set "$vif1" promisc on
ip link set "$vif2" promisc on
tb_log "g1 dom$d1 $vif1 $vp1, g2 dom$d2 $vif2 $vp2"
res topology tests/testbed/ns3-bench.json
res cfg_rtt_ms "$CFG_RTT"
res secs "$SECS"
res dom0_cpus "$(grep -c ^processor /proc/cpuinfo)"

# ---- vprime-ns3 and its counters ----------------------------------------------
eng_start() { # TAG ARGS...
	ENG_LOG=$TB_OUT/vprime-ns3-$1.log
	shift
	LD_LIBRARY_PATH=$NS3_LIBS "$NS3" --topology="$TOPO" "$@" >"$ENG_LOG" 2>&1 &
	ENG_PID=$! DUMPS=0
	tb_wait_for 30 grep -q '^running' "$ENG_LOG" || {
		tb_log "vprime-ns3 $* did not start: $(tail -n 3 "$ENG_LOG" | tr '\n' ' ')"
		return 1
	}
}
# eng_stop TAG: SIGTERM (vprime-ns3 stops at its next 50 ms signal check,
# which a simulation behind real time reaches late), SIGKILL after
# STOP_SECS; how it ended goes into the results.
eng_alive() { # running, not a zombie waiting for us
	local st
	st=$(awk '{ print $3 }' "/proc/$ENG_PID/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}
eng_stop() {
	local i rc=0
	[ -n "$ENG_PID" ] || return 0
	kill -TERM "$ENG_PID" 2>/dev/null || true
	for ((i = 0; i < STOP_SECS * 5; i++)); do
		eng_alive || break
		sleep 0.2
	done
	! eng_alive || kill -KILL "$ENG_PID" 2>/dev/null || true
	wait "$ENG_PID" || rc=$?
	res "$1.exit" "$rc"
	[ "$rc" != 137 ] || tb_log "$1: vprime-ns3 did not stop within ${STOP_SECS}s of SIGTERM: killed"
	ENG_PID=''
}
# dump FILE: vprime-ns3's counters now (SIGUSR1), then its process's:
# "proc ctxt N", "proc rw N" (syscr + syscw), "proc cpu_ticks N".
dump() {
	local n ctx=0 k v f
	DUMPS=$((DUMPS + 1))
	n=$DUMPS
	kill -USR1 "$ENG_PID"
	tb_wait_for 10 grep -q "^stats-end $n\$" "$ENG_LOG" || tb_log "vprime-ns3 did not print its counters ($n)"
	sed -n "/^stats $n\$/,/^stats-end $n\$/p" "$ENG_LOG" >"$1"
	for f in /proc/"$ENG_PID"/task/*/status; do
		while read -r k v _; do
			case $k in voluntary_ctxt_switches: | nonvoluntary_ctxt_switches:) ctx=$((ctx + v)) ;; esac
		done <"$f"
	done
	echo "proc ctxt $ctx" >>"$1"
	awk '$1 == "syscr:" || $1 == "syscw:" { s += $2 } END { print "proc rw", s + 0 }' "/proc/$ENG_PID/io" >>"$1"
	read -r -a f <"/proc/$ENG_PID/stat"
	echo "proc cpu_ticks $((f[13] + f[14]))" >>"$1"
}
# ctr FILE GUEST KEY: a device counter (either attach) or "-" GUEST for
# handle/proc lines ("handle syncs", "proc ctxt").
ctr() {
	awk -v g="$2" -v k="$3" '
		$1 == "guest" && $3 == g && $4 == k { v = $5 }
		$1 == "emu" && $2 == g { for (i = 4; i < NF; i++) if ($i == k) v = $(i + 1) }
		g == "-" && ($1 == "handle" || $1 == "proc") && $2 == k { v = $3 }
		END { print v + 0 }' "$1"
}

# ---- measurements ---------------------------------------------------------------
# blast PATH SENDER_IF DST_IP DST_MAC RECV_IF
blast() {
	local p=$1 sif=$2 dip=$3 dmac=$4 rif=$5 out r0 r1 usec sent a b
	out=$(gr -t 5 g2 "cat /sys/class/net/$rif/statistics/rx_packets")
	r0=$(echo "$out" | tail -n 1)
	a=$TB_OUT/dump-$p-0.txt b=$TB_OUT/dump-$p-1.txt
	dump "$a"
	out=$(gr -t $((SECS + 25)) g1 "
		PG=/proc/net/pktgen
		pg() { echo \"\$2\" >\$PG/\$1 || echo \"pgerr \$1 \$2\"; }
		pg kpktgend_0 rem_device_all
		pg kpktgend_0 'add_device $sif'
		pg $sif 'count 0'
		pg $sif 'delay 0'
		pg $sif 'pkt_size 60'
		pg $sif 'dst $dip'
		pg $sif 'dst_mac $dmac'
		pg $sif 'udp_dst_min 9'
		pg $sif 'udp_dst_max 9'
		echo 'clone_skb 1000' >\$PG/$sif 2>/dev/null
		(echo start >\$PG/pgctrl) &
		sleep $SECS
		echo stop >\$PG/pgctrl
		wait
		grep -E 'Result|pps|errors' \$PG/$sif")
	dump "$b"
	echo "== $p" >>"$TB_OUT/pktgen.txt"
	echo "$out" >>"$TB_OUT/pktgen.txt"
	usec=$(echo "$out" | sed -n 's/.*Result: OK: \([0-9]*\)(c.*/\1/p')
	sent=$(echo "$out" | sed -n 's/.*usec, \([0-9]*\) (.*/\1/p')
	out=$(gr -t 5 g2 "cat /sys/class/net/$rif/statistics/rx_packets")
	r1=$(echo "$out" | tail -n 1)
	if [ -z "$usec" ] || [ -z "$sent" ]; then
		tb_log "$p: no pktgen result: $(tail -n 3 "$TB_OUT/pktgen.txt" | tr '\n' ' ')"
		return 0
	fi
	local in=$(($(ctr "$b" g1-vp0 rx_frames) - $(ctr "$a" g1-vp0 rx_frames)))
	local ctx=$(($(ctr "$b" - ctxt) - $(ctr "$a" - ctxt)))
	local rw=$(($(ctr "$b" - rw) - $(ctr "$a" - rw)))
	local cpu=$(($(ctr "$b" - cpu_ticks) - $(ctr "$a" - cpu_ticks)))
	local own=$(($(ctr "$b" - syncs) + $(ctr "$b" - wakeups) - $(ctr "$a" - syncs) - $(ctr "$a" - wakeups)))
	local fr=$((in > 0 ? in : 1))
	res "$p.sent" "$sent"
	res "$p.usec" "$usec"
	res "$p.into_sim" "$in"
	res "$p.g2_rx" "$((r1 - r0))"
	res "$p.tx_pps" "$(calc "$sent / ($usec / 1e6)" 0)"
	res "$p.sim_pps" "$(calc "$in / ($usec / 1e6)" 0)"
	res "$p.g2_pps" "$(calc "($r1 - $r0) / ($usec / 1e6)" 0)"
	res "$p.ctxt_per_frame" "$(calc "$ctx / $fr" 3)"
	res "$p.rw_syscalls_per_frame" "$(calc "$rw / $fr" 3)"
	res "$p.vp_syscalls_per_frame" "$(calc "$own / $fr" 3)"
	res "$p.cpu_us_per_frame" "$(calc "$cpu * 10000 / $fr" 1)"
	res "$p.counts" "ctxt=$ctx,rw=$rw,syncs+wakeups=$own,cpu_ticks=$cpu"
	tb_figure "${p}_64B_into_sim" "$(get "$p.sim_pps")" frames/s
	tb_figure "${p}_64B_guest_to_guest" "$(get "$p.g2_pps")" frames/s
	tb_log "$p: pktgen $(get "$p.tx_pps")/s, into ns-3 $(get "$p.sim_pps")/s, at g2 $(get "$p.g2_pps")/s; per frame in: ctxt $(get "$p.ctxt_per_frame"), read/write $(get "$p.rw_syscalls_per_frame"), vprime syncs+polls $(get "$p.vp_syscalls_per_frame"), CPU $(get "$p.cpu_us_per_frame") us"
}

latency() { # PATH DST_IP
	local p=$1 out n
	out=$(gr -t $((PINGS / 10 + 10)) g1 "ping -c $PINGS -i 0.02 -W 2 $2")
	echo "$out" >"$TB_OUT/ping-$p.txt"
	echo "$out" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n >"$TB_OUT/ping-$p.sorted"
	n=$(grep -c . "$TB_OUT/ping-$p.sorted" || true)
	res "$p.ping_n" "$n"
	if [ "$n" -gt 0 ]; then
		res "$p.ping_p50_ms" "$(awk -v n="$n" 'NR == int((n * 50 + 99) / 100) {print $1}' "$TB_OUT/ping-$p.sorted")"
		res "$p.ping_p99_ms" "$(awk -v n="$n" 'NR == int((n * 99 + 99) / 100) {print $1}' "$TB_OUT/ping-$p.sorted")"
	fi
	tb_figure "${p}_ping_p50" "$(get "$p.ping_p50_ms")" ms
	tb_figure "${p}_ping_p99" "$(get "$p.ping_p99_ms")" ms
	tb_log "$p: ping p50 $(get "$p.ping_p50_ms") p99 $(get "$p.ping_p99_ms") ms ($n/$PINGS), configured $CFG_RTT ms"
}

tcp() { # PATH DST_IP PORT
	local p=$1 out mbps
	out=$(gr -t $((TCP_SECS + 10)) g1 "iperf3 -c $2 -p $3 -t $TCP_SECS -f m --connect-timeout 5000")
	echo "$out" >"$TB_OUT/iperf3-$p.txt"
	mbps=$(echo "$out" | awk '/receiver/ {for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") v = $i} END {print v}')
	res "$p.tcp_mbps" "${mbps:--}"
	tb_figure "${p}_tcp" "${mbps:--}" Mbit/s
	tb_log "$p: iperf3 TCP ${mbps:--} Mbit/s"
}

# settle PATH PHASE DST_IP: g1 pings until an answer comes within SETTLE_MS
# (the simulation has caught up with real time), at most SETTLE_SECS.
settle() {
	local p=$1 ph=$2 out t0=$SECONDS
	out=$(gr -t $((SETTLE_SECS + 5)) g1 "end=\$((\$(date +%s) + $SETTLE_SECS)) t=''
		while [ \$(date +%s) -lt \$end ]; do
			t=\$(ping -c 1 -W 1 $3 2>/dev/null | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')
			[ -n \"\$t\" ] && [ \${t%.*} -lt $SETTLE_MS ] && { echo settled \$t; exit 0; }
			sleep 0.2
		done
		echo unsettled \${t:-none}" | tail -n 1)
	res "$p.settle_$ph" "${out:-none} $((SECONDS - t0))s"
	tb_log "$p: before $ph: ping ${out:-no answer} (ms; ${SETTLE_MS} wanted) after $((SECONDS - t0)) s"
}

# fits SECS: SECS more, and the flood and the stop, fit in this half.
fits() {
	[ $(($(date +%s) + $1 + FLOOD_MAX + STOP_SECS)) -le "$HALF_END" ]
}
# The most each can take: its settle, its guest command, the rest.
FLOOD_MAX=$((SETTLE_SECS + 5 + SECS + 25 + 2 * 10 + 2 * 5))
PING_MAX=$((SETTLE_SECS + 5 + PINGS / 10 + 10 + 5))
TCP_MAX=$((SETTLE_SECS + 5 + TCP_SECS + 10 + 5))

# phase PATH NAME CMD...: run a phase, log its time.
phase() {
	local p=$1 n=$2 t0=$SECONDS
	shift 2
	"$@"
	res "$p.secs_$n" "$((SECONDS - t0))"
}

# half PATH: one path, a vprime-ns3 of its own; 1 when it cannot be set up.
half_emu() {
	tb_log "(e) vprime-ns3 --attach=emu: FdNetDevice on $vif1 and $vif2"
	# ns-3 users attach this way on ns-3's own real-time simulator
	eng_start emu --attach=emu --simulator=ns3 --emu="g1-vp0=$vif1,g2-vp0=$vif2" || return 1
	out=$(gr -t 20 g1 "ping -c 3 -W 3 10.99.0.12")
	echo "$out" | tb_match '[1-9] packets received' || {
		tb_log "(e) g1 cannot reach g2 through ns-3's FdNetDevice: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
		return 1
	}
	half_measure emu 10.99.0.12 5201 eth0 "$emac2" eth0
}
half_vprime() {
	tb_log "(v) vprime-ns3: VprimeNetDevice"
	eng_start vprime --simulator=vprime || return 1
	tb_wait_for 30 sh -c "[ \$(\"$VP_CTL\" list 2>/dev/null | grep -c ' attached\$') = 2 ]" || {
		tb_log "(v) vprime-ns3 did not attach both devices: $("$VP_CTL" list 2>&1 | tr '\n' '|')"
		return 1
	}
	out=$(gr -t 30 g1 "for i in \$(seq 100); do [ \$(cat /sys/class/net/$vp1/carrier) = 1 ] && break; sleep 0.1; done; ping -c 3 -W 3 $VIP2")
	echo "$out" | tb_match '[1-9] packets received' || {
		tb_log "(v) g1 cannot reach g2 through VprimeNetDevice: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
		return 1
	}
	half_measure vprime "$VIP2" 5202 "$vp1" "$MAC2" "$vp2"
}
# half_measure PATH DST_IP PORT SENDER_IF DST_MAC RECV_IF: the flood last
# (its backlog would skew what follows it); each phase from a simulator
# that has caught up (settle), as far as SETTLE_SECS allows.
half_measure() {
	local p=$1
	if fits "$PING_MAX"; then
		settle "$p" ping "$2"
		phase "$p" ping latency "$p" "$2"
	else
		tb_log "$p: ping left out: it would not fit in this half's $((HALF_END - HALF_START)) s"
	fi
	if fits "$TCP_MAX"; then
		settle "$p" tcp "$2"
		phase "$p" tcp tcp "$p" "$2" "$3"
	else
		tb_log "$p: TCP left out: it would not fit in this half's $((HALF_END - HALF_START)) s"
	fi
	settle "$p" flood "$2"
	phase "$p" flood blast "$p" "$4" "$2" "$5" "$6"
}

failed=''
# shellcheck disable=SC2086 # a list of words
set -- $PATHS
while [ $# -gt 0 ]; do
	p=$1
	shift
	HALF_START=$(date +%s)
	# An equal share of what is left for this half and those after it.
	HALF_END=$((HALF_START + (T0 + BUDGET - TAIL - HALF_START) / ($# + 1)))
	res "$p.budget_s" "$((HALF_END - HALF_START))"
	tb_log "$p: $((HALF_END - HALF_START)) s of the $BUDGET s budget ($((HALF_START - T0)) s used)"
	rc=0
	"half_$p" || rc=$?
	eng_stop "$p"
	res "$p.secs" "$(($(date +%s) - HALF_START))"
	if [ "$rc" != 0 ]; then
		failed="$failed $p"
		continue
	fi
	if [ "$p" = emu ]; then
		tail -n 3 "$ENG_LOG" | while IFS= read -r l; do tb_log "  emu: $l"; done
	else
		{ grep -E '^handle (syncs|wakeups|services|services_late|service_late_max_us|rx_frames) |^guest .* (rx_frames|tx_frames|rx_late|tx_drop_[a-z_]+) [1-9]' "$ENG_LOG" || true; } |
			while IFS= read -r l; do tb_log "  vprime: $l"; done
	fi
	tb_log "$p: $(get "$p.secs") s"
done

# ---- the table ---------------------------------------------------------------------
TABLE=$TB_OUT/table.txt
F='%-34s %14s %14s\n'
gv() { local v; v=$(get "$1"); echo "${v:--}"; }
# shellcheck disable=SC2059
row() { printf "$F" "$1" "$(gv "emu.$2")" "$(gv "vprime.$2")"; }
{
	echo "ns-3 3.37 attach, vprime-ns3 in dom0, tests/testbed/ns3-bench.json (guest to guest RTT $CFG_RTT ms configured)"
	# shellcheck disable=SC2059
	printf "$F" "" "FdNetDevice" "VprimeNetDevice"
	row "64 B pktgen offered (frames/s)" tx_pps
	row "64 B into the simulator (frames/s)" sim_pps
	row "64 B guest to guest (frames/s)" g2_pps
	row "ping p50 (ms)" ping_p50_ms
	row "ping p99 (ms)" ping_p99_ms
	row "iperf3 TCP (Mbit/s)" tcp_mbps
	row "dom0 ctx switches / frame in" ctxt_per_frame
	row "dom0 read+write syscalls / frame" rw_syscalls_per_frame
	row "dom0 vprime syncs+polls / frame" vp_syscalls_per_frame
	row "dom0 CPU us / frame in" cpu_us_per_frame
	row "seconds taken" secs
	echo "run in this order: $PATHS, a vprime-ns3 each; before each phase a ping within $SETTLE_MS ms (results.txt: settle_*)"
} >"$TABLE"
cat "$TABLE"
while IFS= read -r l; do tb__console "TB-BENCH $l"; done <"$TABLE"

vp_dev_remove g1 0
vp_dev_remove g2 0
tb_wait_for 30 sh -c "[ \"\$(awk '\$1==\"devices\"{print \$2}' $VP_DEBUGFS)\" = 0 ]" ||
	tb_log "devices left after removal: $(vp_count devices)"
tb_guest_destroy g1
tb_guest_destroy g2
tb_dom0_unload_modules vprime_back || tb_log "rmmod vprime_back failed"
rm -rf /tmp/ns3-libs
res scenario_secs "$(($(date +%s) - T0))"
tb_log "ns3-bench: $(get scenario_secs) s of the $BUDGET s budget"
[ -z "$failed" ] || tb_fail "could not set up:$failed (the log says why)"
