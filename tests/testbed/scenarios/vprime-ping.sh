# shellcheck shell=bash
# vprime-ping: two guests ping each other through vprime and vpfwd.
#
#   g1 (vprime-front)                 dom0                 g2 (vprime-front)
#   ethX 10.77.0.1 ==== vprime-back == vpfwd == vprime-back ==== ethY 10.77.0.2
#   mac 00:16:3e:5b:00:01          /dev/vprime          mac 00:16:3e:5b:00:02
#
# dom0 writes each device's xenstore nodes (xl knows no "vprime"); both
# ends must reach Connected with no carrier until vpfwd attaches; then ping
# both ways, and the dom0 counters (debugfs, vpfwd's STATS) must match
# what the guests sent and received.  Ends with removal of both devices,
# vpfwd's exit, the module's unload and a leak check.
# tb-timeout: 900

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

MAC1=00:16:3e:5b:00:01
MAC2=00:16:3e:5b:00:02
IP1=10.77.0.1
IP2=10.77.0.2
PINGS=10

tb_dmesg_mark
tb_dom0_load_modules vprime-back
[ -r "$VP_DEBUGFS" ] || tb_fail "no $VP_DEBUGFS"

tb_guest_start g1 --mods vprime-front
tb_guest_start g2 --mods vprime-front
d1=$(tb_guest_domid g1)
d2=$(tb_guest_domid g2)
vp_dev_add g1 0 "$MAC1" g1-vp0
vp_dev_add g2 0 "$MAC2" g2-vp0
vp_wait_connected g1 0
vp_wait_connected g2 0
tb_log "both devices Connected"
cp "$VP_DEBUGFS" "$TB_OUT/debugfs-connected.txt"
[ "$(vp_count grants_mapped)" -gt 0 ] || tb_fail "connected but no grants mapped"
[ "$(vp_count evtchns_bound)" = 2 ] || tb_fail "evtchns_bound is $(vp_count evtchns_bound), want 2"

if1=$(vp_guest_ifname g1 0)
if2=$(vp_guest_ifname g2 0)
{ [ -n "$if1" ] && [ -n "$if2" ]; } || tb_fail "no vprime netdev in a guest ('$if1' '$if2')"
vp_guest g1 "ip addr add $IP1/24 dev $if1 && ip link set $if1 up" >/dev/null
vp_guest g2 "ip addr add $IP2/24 dev $if2 && ip link set $if2 up" >/dev/null
[ "$(vp_guest g1 "cat /sys/class/net/$if1/carrier")" = 0 ] ||
	tb_fail "g1 has carrier before any engine attached"

vp_fwd_start
tb_wait_for 10 grep -q "attached port .* dom $d2 " "$TB_OUT/vpfwd.log" ||
	tb_fail "vpfwd did not attach both devices: $(tr '\n' ' ' <"$TB_OUT/vpfwd.log")"
grep -q "attached port .* dom $d1 " "$TB_OUT/vpfwd.log" || tb_fail "vpfwd did not attach g1's device"
vp_guest g1 "for i in \$(seq 50); do [ \$(cat /sys/class/net/$if1/carrier) = 1 ] && exit 0; sleep 0.1; done; exit 1" >/dev/null
vp_guest g2 "for i in \$(seq 50); do [ \$(cat /sys/class/net/$if2/carrier) = 1 ] && exit 0; sleep 0.1; done; exit 1" >/dev/null
tb_log "carrier up in both guests"

# Guest counters before the pings, so only our traffic is compared below.
out=$(vp_guest g1 "ping -c $PINGS -W 5 $IP2")
echo "$out" >"$TB_OUT/ping-g1-g2.txt"
echo "$out" | grep -q "$PINGS packets transmitted, $PINGS packets received" ||
	tb_fail "g1 -> g2: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
out=$(vp_guest g2 "ping -c $PINGS -W 5 $IP1")
echo "$out" >"$TB_OUT/ping-g2-g1.txt"
echo "$out" | grep -q "$PINGS packets transmitted, $PINGS packets received" ||
	tb_fail "g2 -> g1: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
rtt=$(echo "$out" | sed -n 's#.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*#\1#p')
[ -z "$rtt" ] || tb_figure ping_rtt_avg "$rtt" ms
tb_log "ping both ways: $PINGS/$PINGS"

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
	vp_guest "$g" "ethtool -S $ifn" >"$TB_OUT/ethtool-$g.txt" 2>&1 || true
	rx=$(vp_stat "$d" 0 rx_frames)
	tx=$(vp_stat "$d" 0 tx_frames)
	tb_log "$g: guest tx $gtx rx $grx; dom0 took $rx from it, gave it $tx"
	[ "$rx" -ge $((2 * PINGS)) ] || tb_fail "$g: dom0 took only $rx frames (>= $((2 * PINGS)) pings sent)"
	[ "$tx" -ge $((2 * PINGS)) ] || tb_fail "$g: dom0 gave only $tx frames (>= $((2 * PINGS)) pings)"
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
vp_dev_remove g1 0
vp_dev_remove g2 0
tb_wait_for 20 sh -c "[ \"\$(awk '\$1==\"devices\"{print \$2}' $VP_DEBUGFS)\" = 0 ]" ||
	tb_fail "devices left after removal: $(vp_count devices)"
vp_leak_check
tb_guest_destroy g1
tb_guest_destroy g2
tb_dom0_unload_modules vprime_back
tb_dmesg_since >"$TB_OUT/dmesg.txt"
if tb_oops_in "$TB_OUT/dmesg.txt"; then
	tb_fail "oops in dom0: $(grep -Em1 "$TB_OOPS_RE" "$TB_OUT/dmesg.txt")"
fi
tb_log "counters match, nothing leaked, module unloaded"
