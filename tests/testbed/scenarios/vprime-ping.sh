# shellcheck shell=bash
# vprime-ping: two guests ping each other through vprime and vpfwd.
#
#   g1 (vprime-front)                 dom0                 g2 (vprime-front)
#   ethX 10.79.0.1 ==== vprime-back == vpfwd == vprime-back ==== ethY 10.79.0.2
#   mac 00:16:3e:7e:00:01          /dev/vprime          mac 00:16:3e:7e:00:02
#
# dom0 writes each device's xenstore nodes (xl knows no "vprime"); both
# ends must reach Connected with no carrier until vpfwd attaches; then ping
# both ways and iperf3 TCP and UDP both ways (each figure next to the stock
# vif's from the baseline scenario of the same boot, when it ran first), and
# the dom0 counters (debugfs, vpfwd's STATS) must match what the guests sent
# and received.  Ends with removal of both devices,
# vpfwd's exit, the module's unload and a leak check.
# tb-timeout: 900

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

PINGS=10

tb_dmesg_mark
tb_dom0_load_modules vprime-back
[ -r "$VP_DEBUGFS" ] || tb_fail "no $VP_DEBUGFS"
vp_guests_up 0 g1 g2
d1=${VP_DOM[g1]} d2=${VP_DOM[g2]} if1=${VP_IF[g1]} if2=${VP_IF[g2]}
IP1=${VP_IP[g1]} IP2=${VP_IP[g2]}
tb_log "both devices Connected"
cp "$VP_DEBUGFS" "$TB_OUT/debugfs-connected.txt"
[ "$(vp_count grants_mapped)" -gt 0 ] || tb_fail "connected but no grants mapped"
[ "$(vp_count evtchns_bound)" = 2 ] || tb_fail "evtchns_bound is $(vp_count evtchns_bound), want 2"
[ "$(vp_guest g1 "cat /sys/class/net/$if1/carrier")" = 0 ] ||
	tb_fail "g1 has carrier before any engine attached"

vp_fwd_start
tb_wait_for 10 grep -q "attached port .* dom $d2 " "$TB_OUT/vpfwd.log" ||
	tb_fail "vpfwd did not attach both devices: $(tr '\n' ' ' <"$TB_OUT/vpfwd.log")"
grep -q "attached port .* dom $d1 " "$TB_OUT/vpfwd.log" || tb_fail "vpfwd did not attach g1's device"
vp_carrier_wait g1 1
vp_carrier_wait g2 1
tb_log "carrier up in both guests"

# Pings both ways, as the baseline scenario makes them over the stock vif.
ping_both() { # FROM TO-IP NAME
	local out rtt
	out=$(vp_guest "$1" "ping -c $PINGS -i 0.2 -W 5 $2")
	echo "$out" >"$TB_OUT/ping-$3.txt"
	echo "$out" | tb_match "$PINGS packets transmitted, $PINGS packets received" ||
		tb_fail "$3: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	rtt=$(echo "$out" | sed -n 's#.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*#\1#p')
	vp_vs_baseline "ping_$3_rtt_avg" "$rtt" ms "ping_$3_rtt_avg"
}
ping_both g1 "$IP2" g1_g2
ping_both g2 "$IP1" g2_g1
tb_log "ping both ways: $PINGS/$PINGS"

# iperf3 TCP and UDP both ways: the baseline's runs (one server, in g2).
vp_guest g2 'iperf3 -s -D >/dev/null 2>&1; sleep 0.5' >/dev/null
UDP=(-u -b 200M -l 1400)
iperf() { # NAME ARGS...
	local name=$1 mbps
	shift
	mbps=$(tb_iperf3 g1 "$IP2" "$name" "$@")
	vp_vs_baseline "$name" "$mbps" Mbit/s "$name"
}
iperf iperf3_tcp_g1_g2 -t 5
iperf iperf3_tcp_g2_g1 -t 5 -R
iperf iperf3_udp_g1_g2 -t 5 "${UDP[@]}"
iperf iperf3_udp_g2_g1 -t 5 -R "${UDP[@]}"
vp_guest g2 'killall iperf3 2>/dev/null; true' >/dev/null
sleep 1

# Engine gone: carrier off in the guests, counters frozen.
vp_fwd_dump
vp_fwd_stop
cat "$TB_OUT/vpfwd.log"
vp_guest g1 "for i in \$(seq 50); do [ \$(cat /sys/class/net/$if1/carrier) = 0 ] && exit 0; sleep 0.1; done; exit 1" >/dev/null ||
	tb_fail "g1 kept its carrier after vpfwd exited"
[ "$(vp_count areas)" = 0 ] || tb_fail "engine area not freed after vpfwd exited"
sleep 1
cp "$VP_DEBUGFS" "$TB_OUT/debugfs-after.txt"

# Counters: what each guest sent reached dom0, what dom0 delivered arrived.
check_dev() { # GUEST DOMID IFNAME
	local g=$1 d=$2 ifn=$3 gtx grx rx tx bad k
	gtx=$(vp_guest "$g" "cat /sys/class/net/$ifn/statistics/tx_packets")
	grx=$(vp_guest "$g" "cat /sys/class/net/$ifn/statistics/rx_packets")
	rx=$(vp_stat "$d" 0 rx_frames)
	tx=$(vp_stat "$d" 0 tx_frames)
	tb_log "$g: guest tx $gtx rx $grx; dom0 took $rx from it, gave it $tx"
	[ "$rx" -ge $((2 * PINGS)) ] || tb_fail "$g: dom0 took only $rx frames (>= $((2 * PINGS)) pings sent)"
	[ "$tx" -ge $((2 * PINGS)) ] || tb_fail "$g: dom0 gave only $tx frames (>= $((2 * PINGS)) pings)"
	vp_fe_clean "$g" "$g"
	[ "$rx" = "$gtx" ] || tb_fail "$g: guest sent $gtx frames, dom0 took $rx"
	[ "$tx" = "$grx" ] || tb_fail "$g: dom0 delivered $tx frames, guest received $grx"
	for k in guest_bad_slot guest_bad_extent guest_zero_len guest_oversize \
		guest_runt guest_too_many_slots guest_bad_index tx_drop_bad \
		tx_drop_oversize engine_bad_index engine_bad_buf; do
		bad=$(vp_stat "$d" 0 "$k")
		[ "$bad" = 0 ] || tb_fail "$g: $k = $bad"
	done
}
check_dev g1 "$d1" "$if1"
check_dev g2 "$d2" "$if2"

# vpfwd's own view agrees with the backend's.
fwd_rx=$(vp_fwd_counter rx_frames)
sum_rx=$(($(vp_stat "$d1" 0 rx_frames) + $(vp_stat "$d2" 0 rx_frames)))
[ "$fwd_rx" = "$sum_rx" ] || tb_fail "vpfwd received $fwd_rx frames, dom0 moved $sum_rx"
tb_figure guest_events_g1 "$(vp_stat "$d1" 0 guest_events)" events
tb_figure notify_guest_g1 "$(vp_stat "$d1" 0 notify_guest)" events
tb_figure rx_frames_g1 "$(vp_stat "$d1" 0 rx_frames)" frames

# Teardown: devices removed while the guests run, then the module.
vp_teardown g1 g2
tb_log "counters match, nothing leaked, module unloaded"
