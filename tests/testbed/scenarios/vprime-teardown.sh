# shellcheck shell=bash
# vprime-teardown: guests leave mid-traffic; the others keep talking; dom0
# keeps nothing of the devices that went.
#
#   g1 ---- ping, the whole scenario ----> g2 <---- iperf3 UDP ---- g3, g4
#   (all through vprime-back and vpfwd; vprimectl watch runs in dom0, as
#    on a real host, and removes the xenstore nodes of domains that died)
#
# 1. unbind + rmmod vprime-front in g3 under its traffic: dom0 unmaps and unbinds
#    g3's device (grants and event channels of three devices left), the
#    device stays configured; modprobe again: it reconnects and carries
#    traffic.
# 2. xl shutdown of g3 under its traffic: the domain dies, vpfwd sees the
#    port GONE, dom0 holds the grants and event channels of g1, g2, g4 only
#    and no xenstore node of g3's device is left.
# 3. xl destroy of g4 under its traffic: the same for g4.
# 4. g1's ping to g2 went on through all of it; at the end nothing leaks.
# tb-timeout: 900

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

VPCTL=$TB_TOP/build/bin/vprimectl

tb_dmesg_mark
tb_dom0_load_modules vprime-back
"$VPCTL" watch --config-dir "$TB_OUT/no-configs" >"$TB_OUT/watch.log" 2>&1 &
VP_BG_PIDS+=($!)
tb_wait_for 10 grep -q 'watching domains' "$TB_OUT/watch.log" ||
	tb_fail "vprimectl watch did not start: $(tail -n 3 "$TB_OUT/watch.log" | tr '\n' ' ')"

vp_guests_up 3 g1 g2 g3 g4
PER=$(($(vp_count grants_mapped) / 4))
tb_figure grants_per_device "$PER" grants
vp_fwd_start
for g in g1 g2 g3 g4; do vp_carrier_wait "$g" 1; done
vp_guest g2 'iperf3 -s -D -p 5203 >/dev/null 2>&1; iperf3 -s -D -p 5204 >/dev/null 2>&1; sleep 0.5' >/dev/null
vp_bg_ping g1 "${VP_IP[g2]}" survivor 600
tb_log "four guests connected and attached; g1 pings g2 in the background"

# dom0 holds exactly the devices named, and no xenstore node of the others
held_by() { # CONNECTED [DEVICES]: grants and event channels of CONNECTED
	# devices, DEVICES known to the backend (default: CONNECTED)
	vp_count_wait devices "${2:-$1}" 30
	vp_count_wait grants_mapped $(($1 * PER)) 30
	vp_count_wait evtchns_bound "$1" 10
}
traffic() { # GUEST: iperf3 UDP to g2 (its own port) in the background, 60 s
	vp_guest "$1" "iperf3 -c ${VP_IP[g2]} -p 520${1#g} -u -b 20M -l 1400 -t 60 >/tmp/iperf3.out 2>&1 &" >/dev/null
	sleep 3
}
rx_of() { vp_stat "${VP_DOM[$1]}" 0 rx_frames; }
nodes_gone() { # DOMID
	! xenstore-exists "/local/domain/0/backend/vprime/$1" 2>/dev/null &&
		! xenstore-exists "/local/domain/$1/device/vprime" 2>/dev/null
}

# ---- 1. module unload in the guest, mid-traffic ------------------------------
traffic g3
r0=$(rx_of g3)
# A bound device holds a reference on its driver's module (xenbus_dev_probe),
# as for every xenbus driver: unbind it, then unload.
vp_guest g3 "echo vprime-0 >/sys/bus/xen/devices/vprime-0/driver/unbind && rmmod vprime-front" >/dev/null
tb_log "1: g3 unloaded vprime-front after $(( $(rx_of g3) - r0 )) frames of its iperf3"
held_by 3 4	# the device is still configured: the guest only closed it
be_state=$(xenstore-read "$(vp_be_path g3 0)/state")
tb_log "1: dom0 unmapped g3's device (backend state $be_state); 3 devices' grants left"
vp_guest g3 "killall iperf3 2>/dev/null; modprobe vprime-front" >/dev/null
vp_wait_connected g3 0 60
VP_IF[g3]=$(vp_guest_ifname g3 0)
vp_guest g3 "ip addr add ${VP_IP[g3]}/24 dev ${VP_IF[g3]} && ip link set ${VP_IF[g3]} up" >/dev/null
vp_carrier_wait g3 1
vp_guest g3 "ping -c 3 -W 5 ${VP_IP[g2]}" | tb_match '3 packets received' ||
	tb_fail "g3 -> g2 after vprime-front came back"
held_by 4
tb_log "1: vprime-front loaded again in g3: reconnected, ping ok"

# ---- 2. xl shutdown mid-traffic ------------------------------------------------
traffic g3
d3=${VP_DOM[g3]}
xl shutdown -w "$(tb_guest_domname g3)" >>"$TB_OUT/log" 2>&1 || tb_fail "xl shutdown g3 failed"
tb_log "2: g3 shut down"
tb_wait_for 30 vp_fwd_detached "$d3" ||
	tb_fail "vpfwd never saw g3's port GONE: $(tail -n 3 "$TB_OUT/vpfwd.log" | tr '\n' ' ')"
tb_wait_for 30 nodes_gone "$d3" || tb_fail "xenstore nodes of g3 (dom $d3) left after shutdown"
held_by 3
tb_guest_destroy g3	# the testbed's own record of it; the domain is gone
tb_log "2: g3's device gone from dom0: port detached, no node, 3 devices' grants and event channels left"

# ---- 3. xl destroy mid-traffic -----------------------------------------------------
traffic g4
d4=${VP_DOM[g4]}
tb_guest_destroy g4
tb_wait_for 30 vp_fwd_detached "$d4" ||
	tb_fail "vpfwd never saw g4's port GONE: $(tail -n 3 "$TB_OUT/vpfwd.log" | tr '\n' ' ')"
tb_wait_for 30 nodes_gone "$d4" || tb_fail "xenstore nodes of g4 (dom $d4) left after destroy"
held_by 2
tb_log "3: g4 destroyed: port detached, no node, 2 devices' grants and event channels left"

# ---- 4. the survivors ---------------------------------------------------------------------
vp_guest g1 "kill -INT \$(cat /tmp/ping.survivor.pid)" >/dev/null
read -r sent recvd <<<"$(vp_bg_ping_result g1 survivor)"
[ -n "$recvd" ] || tb_fail "no result from g1's ping"
tb_figure survivor_ping_sent "$sent" frames
tb_figure survivor_ping_received "$recvd" frames
[ $((recvd * 100)) -ge $((sent * 95)) ] ||
	tb_fail "g1 -> g2 lost more than 5 % while the others left: $recvd of $sent"
vp_guest g2 "ping -c 3 -W 5 ${VP_IP[g1]}" | tb_match '3 packets received' || tb_fail "g2 -> g1 at the end"
tb_log "4: g1 -> g2 answered $recvd of $sent pings throughout"
vp_fe_clean g1 g1
vp_fe_clean g2 g2
vp_teardown g1 g2
vp_bg_kill
tb_log "nothing of the departed guests left in dom0; nothing leaked"
