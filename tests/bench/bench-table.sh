#!/bin/bash
# SPDX-License-Identifier: MIT
# bench-table.sh RESULTS: the table of a bench run from its results.txt
# (key=value lines written by tests/testbed/scenarios/bench.sh).  The
# scenario runs it in dom0 at its end; make bench runs it on the host when
# a run ended early (the keys measured so far are shown, the rest as "-").
set -u
RES=${1:?usage: bench-table.sh RESULTS}
get() { local v; v=$(sed -n "s/^$1=//p" "$RES" | tail -n 1); echo "${v:--}"; }
calc() { awk "BEGIN { v = $1; if (v != v) print \"-\"; else printf \"%.${2:-2}f\\n\", v }" 2>/dev/null || echo -; }
SECS=$(get secs) REPS=$(get reps) PINGS=$(get pings) RR_SECS=$(get rr_secs) TCP_SECS=$(get tcp_secs)
# The median over the repetitions of per-repetition KEY (PATH.SIZE.REP.NAME)
med() { # PATH SIZE NAME
	local r v
	for ((r = 1; r <= ${REPS/-/0}; r++)); do
		v=$(get "$1.$2.$r.$3")
		[ "$v" = - ] || echo "$v"
	done | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'
}
ratio() { # A B: A/B
	local a=$1 b=$2
	case "$a$b" in *-*|"") echo -; return ;; esac
	calc "$a / $b" 2
}
{
	echo "vprime testbed benchmark: $(date -u +%Y-%m-%dT%H:%MZ), Xen $(get xen), dom0+guests $(get kernel),"
	echo "dom0 $(get dom0_cpus) vCPUs ($(get dom0_cpu | tr _ ' ')), guests 1 vCPU 160 MB; pktgen ${SECS}s x $REPS rep(s), $PINGS pings, udp_rr ${RR_SECS}s, iperf3 ${TCP_SECS}s"
	echo
	printf '%-34s %12s %12s %12s %12s\n' "" "(a) bridge" "(b) pmfwd" "(c) vprime" "(d) engine"
	row() { # LABEL KEY [d]
		printf '%-34s %12s %12s %12s %12s\n' "$1" "$(get "a.$2")" "$(get "b.$2")" "$(get "c.$2")" "$(get "d.$2")"
	}
	row "64 B frames/s received" 64.rx_pps
	row "64 B frames/s sent (pktgen)" 64.tx_pps
	row "1518 B frames/s received" 1518.rx_pps
	row "1518 B frames/s sent (pktgen)" 1518.tx_pps
	row "ping RTT p50 (ms)" ping_p50_ms
	row "ping RTT p99 (ms)" ping_p99_ms
	row "UDP RR transactions/s" rr_rate
	row "UDP RR p50 / p99 (us)" rr_p50_us
	row "" rr_p99_us
	row "iperf3 TCP (Mbit/s)" tcp_mbps
	printf '%-34s %12s\n' "  (a) with TSO/GSO off" "$(get a.wire.tcp_mbps)"
	printf '%-34s %12s %12s %12s\n' "  (c) at MTU 9000" "" "" "$(get c.jumbo.tcp_mbps)"
	echo
	echo "round trips, where the engine's time goes ($PINGS pings):"
	row "engine sleeps over the pings" ping_eng_sleeps
	row "engine wake-ups timed (lat_wake)" ping_wake_n
	row "  median wake-up bucket" ping_wake_p50
	echo "  (c) lat_wake buckets: $(get c.ping_wake_hist | tr , ' ')"
	echo "(c) with the engine on the CPU of vprime's event channels (CPU 0):"
	printf '%-34s %12s %12s %12s\n' "" "ping p50" "ping p99" "UDP RR/s"
	printf '%-34s %12s %12s %12s\n' "  (c) pinned" "$(get c.pin.ping_p50_ms)" "$(get c.pin.ping_p99_ms)" "$(get c.pin.rr_rate)"
	printf '%-34s %12s\n' "  median wake-up bucket" "$(get c.pin.ping_wake_p50)"
	echo "dom0's OS costs (oscost): one system call $(get oscost.syscall_ns) ns; one wake-up from poll() $(get oscost.wake_ns) ns, $(get oscost.cpu0.wake_ns) ns with both processes on CPU 0"
	echo
	echo "per frame, measured at 64 B (event deliveries counted where they land):"
	row "dom0 event deliveries" 64.1.dom0_irq_per_frame
	row "guest event deliveries (g1+g2)" 64.1.guest_irq_per_frame
	row "engine syscalls" 64.1.eng_syscalls_per_frame
	row "engine poll() calls" 64.1.eng_polls_per_frame
	row "engine sleeps (wake-ups)" 64.1.eng_sleeps_per_frame
	row "vprime notify_guest" 64.1.vp_notify_guest_per_frame
	row "vprime guest_events" 64.1.vp_guest_events_per_frame
	row "vprime sync passes (port)" 64.1.vp_syncs_per_frame
	row "dom0 CPU busy (share, 64 B run)" 64.1.dom0_busy
	row "dom0 CPU steal (share)" 64.1.dom0_steal
	row "engine CPU seconds (64 B run)" 64.1.eng_cpu_s
	cpf() { # PATH SIZE: the engine's CPU a received frame, in us (rep 1)
		local c f
		c=$(get "$1.$2.1.eng_cpu_s") f=$(get "$1.$2.1.rx_frames")
		case "$c$f" in *-*|"") echo - ;; *) [ "$f" -gt 0 ] && calc "$c * 1000000 / $f" 1 || echo - ;; esac
	}
	printf '%-34s %12s %12s %12s %12s\n' "engine CPU a frame (us, 64 B)" "-" "$(cpf b 64)" "$(cpf c 64)" "$(cpf d 64)"
	mrow() { # LABEL SIZE NAME: the median over the repetitions
		printf '%-34s %12s %12s %12s %12s\n' "$1" "$(med a "$2" "$3")" "$(med b "$2" "$3")" "$(med c "$2" "$3")" "$(med d "$2" "$3")"
	}
	mrow "g2 (receiver) CPU busy, median" 64 g2_busy
	mrow "g2 CPU steal, median" 64 g2_steal
	echo "per frame, measured at 1518 B:"
	row "dom0 event deliveries" 1518.1.dom0_irq_per_frame
	row "guest event deliveries (g1+g2)" 1518.1.guest_irq_per_frame
	row "engine syscalls" 1518.1.eng_syscalls_per_frame
	row "engine poll() calls" 1518.1.eng_polls_per_frame
	row "engine sleeps (wake-ups)" 1518.1.eng_sleeps_per_frame
	row "vprime notify_guest" 1518.1.vp_notify_guest_per_frame
	row "vprime guest_events" 1518.1.vp_guest_events_per_frame
	row "dom0 CPU busy (share)" 1518.1.dom0_busy
	row "engine CPU seconds" 1518.1.eng_cpu_s
	mrow "g2 (receiver) CPU busy, median" 1518 g2_busy
	mrow "g2 CPU steal, median" 1518 g2_steal
	echo
	echo "(e) vprimed on (c)'s devices, two unshaped links through a switch:"
	echo "  idle: CPU share $(get e.idle_cpu_share)"
	echo "  $(get e.udp_fps) frames/s of UDP (iperf3, 100 B): CPU share $(get e.cpu_share), $(get e.cpu_us_per_frame) us of CPU a frame;"
	echo "  a frame: $(get e.waits_per_frame) waits, $(get e.syncs_per_frame) sync ioctls, $(get e.clock_reads_per_frame) clock reads"
	echo
	echo "ratios (same boot):                  c/a      c/b      d/a      d/b"
	for k in 64.rx_pps 1518.rx_pps; do
		printf '%-34s %8s %8s %8s %8s\n' "$k" "$(ratio "$(get c.$k)" "$(get a.$k)")" "$(ratio "$(get c.$k)" "$(get b.$k)")" \
			"$(ratio "$(get d.$k)" "$(get a.$k)")" "$(ratio "$(get d.$k)" "$(get b.$k)")"
	done
	for k in ping_p50_ms ping_p99_ms rr_rate rr_p50_us tcp_mbps; do
		printf '%-34s %8s %8s\n' "$k" "$(ratio "$(get c.$k)" "$(get a.$k)")" "$(ratio "$(get c.$k)" "$(get b.$k)")"
	done
	printf '%-34s %8s\n' "ping_p50_ms, (c) pinned" "$(ratio "$(get c.pin.ping_p50_ms)" "$(get a.ping_p50_ms)")"
	printf '%-34s %8s\n' "rr_rate, (c) pinned" "$(ratio "$(get c.pin.rr_rate)" "$(get a.rr_rate)")"
	echo "TCP against (a) with wire-size frames (TSO/GSO off): c/a $(ratio "$(get c.tcp_mbps)" "$(get a.wire.tcp_mbps)"); (c) at MTU 9000 against (a) with TSO: $(ratio "$(get c.jumbo.tcp_mbps)" "$(get a.tcp_mbps)")"
	echo "b/a: 64 B $(ratio "$(get b.64.rx_pps)" "$(get a.64.rx_pps)"), TCP $(ratio "$(get b.tcp_mbps)" "$(get a.tcp_mbps)"), ping p50 $(ratio "$(get b.ping_p50_ms)" "$(get a.ping_p50_ms)")"
	echo
	echo "pktgen: clone_skb/burst accepted (a,b,c,d): $(get a.64.1.clone)/$(get a.64.1.burst) $(get b.64.1.clone)/$(get b.64.1.burst) $(get c.64.1.clone)/$(get c.64.1.burst) $(get d.64.1.clone)/$(get d.64.1.burst)"
	echo "pmfwd: $(get b.pmfwd_final)"
	echo "vpfwd: $(get d.vpfwd_final)"
}
