# shellcheck shell=bash
# fault-load: faults under traffic.  g1 pings (and iperf3s) g2 through vpfwd
# while, one after another:
#   1. vpfwd is SIGKILLed and restarted
#   2. vprime-back is unloaded and reloaded (frontends reconnect by
#      themselves: the guests do nothing; their background ping resumes)
#   3. g2's device is removed and re-added with vprimectl while g2 runs
#   4. g2 is destroyed mid-traffic
# After each: grants, event channels, areas, devices back to what the
# surviving devices hold (debugfs), no xenstore node left for what went,
# frontends leaked no page (ethtool grant_busy_pages), and every frame
# lost inside vprime is counted: at rest the frames each guest's stack sent
# equal those dom0 took, and those dom0 gave equal those the guest received
# (vp_frames_balance); pings Linux dropped with no carrier never reached it.
# (vprime-carrier and vprime-teardown cover the engine kill and the guest
# leaving in more detail; vprime-save covers xl save/restore.)
# tb-timeout: 1200

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"
# shellcheck source=hostile-lib.sh
. "$TB_SCEN_DIR/hostile-lib.sh"

MAC1=00:16:3e:5e:00:01
MAC2=00:16:3e:5e:00:02
VPCTL=$TB_TOP/build/bin/vprimectl

tb_dmesg_mark
tb_dom0_load_modules vprime-back
tb_guest_start g1 --mods vprime-front --nowait
tb_guest_start g2 --mods vprime-front
tb_guest_wait g1
d1=$(tb_guest_domid g1)
d2=$(tb_guest_domid g2)
vp_dev_add g1 0 "$MAC1"
vp_dev_add g2 0 "$MAC2"
vp_wait_connected g1 0
vp_wait_connected g2 0
if1=$(vp_guest_ifname g1 0)
if2=$(vp_guest_ifname g2 0)
vp_guest g1 "ip addr add 10.77.3.1/24 dev $if1 && ip link set $if1 up" >/dev/null
vp_guest g2 "ip addr add 10.77.3.2/24 dev $if2 && ip link set $if2 up && iperf3 -s -D" >/dev/null
vp_fwd_start -i 500
vp_guest g1 "ping -c 3 -W 5 10.77.3.2" >/dev/null
grants_both=$(vp_count grants_mapped)
tb_figure grants_two_devices "$grants_both" grants

# ethtool -S value of the vprime netdev in GUEST
fe_stat() { # GUEST IFNAME KEY
	tb_guest_run "$1" "ethtool -S $2" | awk -v k="$3:" '$1==k{print $2}'
}
# Background ping g1 -> g2, its log in g1's /tmp/ping.NAME
bg_ping() { # NAME SECS
	vp_guest g1 "ping -i 0.2 -w $2 -W 1 10.77.3.2 >/tmp/ping.$1 2>&1 & echo \$! >/tmp/ping.$1.pid" >/dev/null
}
bg_ping_result() { # NAME: "sent received" once it has ended
	vp_guest g1 "while kill -0 \$(cat /tmp/ping.$1.pid) 2>/dev/null; do sleep 1; done; tail -n 3 /tmp/ping.$1" |
		sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) packets received.*/\1 \2/p'
}
# replies in /tmp/ping.NAME after its line LINE
replies_after() { # NAME LINE
	tb_guest_run g1 "tail -n +$2 /tmp/ping.$1 | grep -c 'bytes from'" || true
}
counters() { # label: every loss counter we know, into the log and figures
	local k
	for k in tx_drop_no_link tx_drop_ring_full rx_drop_bad grant_busy_pages resets; do
		tb_figure "$1_g1_$k" "$(fe_stat g1 "$if1" "$k")" count
	done
	vp_fwd_dump
	tb_log "$1: vpfwd $(grep -E '^vpfwd: syncs=' "$TB_OUT/vpfwd.log" | tail -n 1)"
	tb_log "$1: debugfs $(tr '\n' ' ' <"$VP_DEBUGFS")"
}
leak_check() { # LABEL GRANTS EVTCHNS DEVICES
	tb_wait_for 30 sh -c "[ \"\$(awk '\$1==\"devices\"{print \$2}' $VP_DEBUGFS)\" = $4 ]" ||
		hx_soft_fail "$1: devices $(vp_count devices), want $4"
	tb_wait_for 10 sh -c "[ \"\$(awk '\$1==\"grants_mapped\"{print \$2}' $VP_DEBUGFS)\" = $2 ]" ||
		hx_soft_fail "$1: grants_mapped $(vp_count grants_mapped), want $2"
	[ "$(vp_count evtchns_bound)" = "$3" ] || hx_soft_fail "$1: evtchns_bound $(vp_count evtchns_bound), want $3"
	[ "$(vp_count areas)" -le 1 ] || hx_soft_fail "$1: areas $(vp_count areas)"
}

# --- 1. engine SIGKILLed and restarted under traffic ------------------------
bg_ping kill 25
vp_guest g1 "iperf3 -c 10.77.3.2 -t 15 >/tmp/iperf.kill 2>&1 &" >/dev/null
sleep 5
kill -KILL "$VP_FWD_PID"
wait "$VP_FWD_PID" 2>/dev/null || true
VP_FWD_PID=
tb_wait_for 10 sh -c "[ \"\$(awk '\$1==\"areas\"{print \$2}' $VP_DEBUGFS)\" = 0 ]" ||
	hx_soft_fail "kill: area of the killed engine not freed ($(vp_count areas) areas)"
sleep 3
vp_fwd_start -i 500
r=$(bg_ping_result kill)
set -- $r
tb_figure kill_ping_sent "${1:-0}" frames
tb_figure kill_ping_received "${2:-0}" frames
[ "${2:-0}" -gt 0 ] || hx_soft_fail "kill: no ping reply at all"
ip=$(tb_guest_run -t 60 g1 "sleep 12; tail -n 4 /tmp/iperf.kill" || true)
tb_log "1: iperf across the kill: $(echo "$ip" | tr '\n' ' ')"
counters kill
lost=$(( ${1:-0} - ${2:-0} ))
nolink=$(fe_stat g1 "$if1" tx_drop_no_link)
# Pings sent while no engine held the devices mostly never reach vprime:
# with no carrier Linux deactivates the qdisc.  What did reach it must be
# counted on both sides of every boundary vprime owns.
out=$(vp_frames_balance g1 "$d1" "$if1") || hx_soft_fail "kill: $out"
out=$(vp_frames_balance g2 "$d2" "$if2") || hx_soft_fail "kill: $out"
vp_guest g1 "ping -c 3 -W 5 10.77.3.2" >/dev/null || hx_soft_fail "kill: no ping after restart"
leak_check kill "$grants_both" 2 2
tb_log "1: engine killed under traffic: $lost of ${1:-0} pings lost, tx_drop_no_link $nolink"

# --- 2. backend reloaded under traffic, no guest action -------------------
bg_ping reload 150
sleep 3
t0=$(date +%s)
vp_fwd_stop
vp_back_unbind_all
tb_dom0_unload_modules vprime_back
[ ! -e "$VP_DEBUGFS" ] || hx_soft_fail "reload: debugfs left after rmmod"
line=$(tb_guest_run g1 "wc -l </tmp/ping.reload")
tb_dom0_load_modules vprime-back
vp_wait_connected g1 0 120
vp_wait_connected g2 0 120
vp_fwd_start -i 500
t1=$(date +%s)
tb_figure reload_reconnect_time "$((t1 - t0))" s
for _ in $(seq 20); do
	n=$(replies_after reload "$line")
	[ "${n:-0}" -gt 3 ] && break
	sleep 2
done
[ "${n:-0}" -gt 0 ] || hx_soft_fail "reload: the guests' own ping never got a reply after the reload ($(tb_guest_run g1 "tail -n 3 /tmp/ping.reload" | tr '\n' ' '))"
tb_figure reload_replies_after "${n:-0}" frames
resets=$(fe_stat g1 "$if1" resets)
[ "${resets:-0}" -ge 1 ] || hx_soft_fail "reload: g1's frontend resets=${resets:-?}, want >= 1"
vp_guest g1 "kill \$(cat /tmp/ping.reload.pid) 2>/dev/null; true" >/dev/null
counters reload
leak_check reload "$grants_both" 2 2
tb_log "2: backend reloaded: both frontends reconnected, ${n:-0} replies after it with no guest action"

# --- 3. device removed and re-added (vprimectl) while g2 runs -----------------
dn2=$(tb_guest_domname g2)
"$VPCTL" remove "$dn2" 0 >"$TB_OUT/vprimectl-remove.txt" 2>&1 ||
	hx_soft_fail "vprimectl remove: $(tail -n 2 "$TB_OUT/vprimectl-remove.txt" | tr '\n' ' ')"
leak_check remove $(( grants_both / 2 )) 1 1
left=$({ xenstore-ls "/local/domain/0/backend/vprime/$d2" 2>/dev/null | head -n 3; xenstore-ls "/local/domain/$d2/device/vprime" 2>/dev/null | head -n 3; } || true)
[ -z "$left" ] || hx_soft_fail "remove: xenstore nodes left: $(echo "$left" | tr '\n' ' ')"
"$VPCTL" add "$dn2" "mac=$MAC2" >"$TB_OUT/vprimectl-add.txt" 2>&1 ||
	hx_soft_fail "vprimectl add: $(tail -n 2 "$TB_OUT/vprimectl-add.txt" | tr '\n' ' ')"
vp_wait_connected g2 0 60
if2=$(vp_guest_ifname g2 0)
vp_guest g2 "ip addr add 10.77.3.2/24 dev $if2 2>/dev/null; ip link set $if2 up" >/dev/null
tb_wait_for 20 grep -q "vpfwd: attached port .* dom $d2 " "$TB_OUT/vpfwd.log" || true
sleep 2
vp_guest g1 "ping -c 3 -W 5 10.77.3.2" >/dev/null || hx_soft_fail "re-add: no ping"
leak_check readd "$grants_both" 2 2
tb_log "3: g2's device removed and re-added: traffic again"

# --- 4. g2 destroyed mid-traffic ------------------------------------------------
bg_ping destroy 12
sleep 3
tb_guest_destroy g2
tb_wait_for 30 grep -q 'vpfwd: detached port' "$TB_OUT/vpfwd.log" ||
	hx_soft_fail "destroy: vpfwd never saw g2's port GONE"
xenstore-rm "/local/domain/0/backend/vprime/$d2" 2>/dev/null || true
leak_check destroy $(( grants_both / 2 )) 1 1
[ -z "$(xenstore-ls "/local/domain/0/backend/vprime/$d2" 2>/dev/null || true)" ] || hx_soft_fail "destroy: backend nodes of g2 left"
r=$(bg_ping_result destroy)
counters destroy
tb_log "4: g2 destroyed under traffic: ping sent/received $r"

# --- teardown -------------------------------------------------------------------
vp_fwd_stop
"$VPCTL" remove "$(tb_guest_domname g1)" 0 >/dev/null 2>&1 || vp_dev_remove g1 0
leak_check final 0 0 0
[ "$(vp_count engines)" = 0 ] || hx_soft_fail "engines $(vp_count engines) at the end"
[ "$(vp_count areas)" = 0 ] || hx_soft_fail "areas $(vp_count areas) at the end"
[ -z "$(xenstore-ls /local/domain/0/backend/vprime 2>/dev/null || true)" ] ||
	hx_soft_fail "xenstore: $(xenstore-ls /local/domain/0/backend/vprime | head -n 3 | tr '\n' ' ')"
leaked=$(fe_stat g1 "$if1" grant_busy_pages 2>/dev/null || true)
cp "$VP_DEBUGFS" "$TB_OUT/debugfs-final.txt"
tb_guest_destroy g1
tb_dmesg_since >"$TB_OUT/dmesg.txt"
tb_oops_in "$TB_OUT/dmesg.txt" && hx_soft_fail "oops in dom0: $(grep -Em1 "$TB_OOPS_RE" "$TB_OUT/dmesg.txt")"
tb_dom0_unload_modules vprime_back
tb_log "done (g1 grant_busy_pages ${leaked:-n/a})"
hx_finish
