# shellcheck shell=bash
# vprime-lifecycle: engine killed and restarted, a guest destroyed while an
# engine holds its device, the backend module reloaded under a connected
# guest; after each step the survivors work and nothing leaks.
#
#   g1 (10.77.1.1) === vprime-back === vpfwd === vprime-back === g2 (10.77.1.2)
#
#   1. ping g1 -> g2; kill -9 vpfwd: carrier off, the area freed
#   2. vpfwd again: ping again
#   3. xl destroy g2 mid-way: its port goes GONE, vpfwd detaches it
#   4. stop vpfwd, rmmod + modprobe vprime-back: g1 reconnects (frontend
#      RESET on the new InitWait), vpfwd attaches it again, carrier up
#   5. remove g1's device; no grants, event channels or areas left
# tb-timeout: 900

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"
# shellcheck source=hostile-lib.sh
. "$TB_SCEN_DIR/hostile-lib.sh"   # vpfwd never outlives the scenario

MAC1=00:16:3e:5c:00:01
MAC2=00:16:3e:5c:00:02

carrier_is() { # GUEST IFNAME 0|1
	vp_guest "$1" "for i in \$(seq 100); do [ \$(cat /sys/class/net/$2/carrier) = $3 ] && exit 0; sleep 0.1; done; exit 1" >/dev/null ||
		tb_fail "$1: carrier did not become $3"
}

ping_ok() { # GUEST IP
	local out
	out=$(vp_guest "$1" "ping -c 3 -W 5 $2")
	echo "$out" | grep -q "3 packets transmitted, 3 packets received" ||
		tb_fail "$1 -> $2: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
}

tb_dmesg_mark
tb_dom0_load_modules vprime-back
tb_guest_start g1 --mods vprime-front
tb_guest_start g2 --mods vprime-front
d2=$(tb_guest_domid g2)
vp_dev_add g1 0 "$MAC1"
vp_dev_add g2 0 "$MAC2"
vp_wait_connected g1 0
vp_wait_connected g2 0
if1=$(vp_guest_ifname g1 0)
if2=$(vp_guest_ifname g2 0)
vp_guest g1 "ip addr add 10.77.1.1/24 dev $if1 && ip link set $if1 up" >/dev/null
vp_guest g2 "ip addr add 10.77.1.2/24 dev $if2 && ip link set $if2 up" >/dev/null

# 1. engine crash
vp_fwd_start
carrier_is g1 "$if1" 1
ping_ok g1 10.77.1.2
kill -KILL "$VP_FWD_PID"
wait "$VP_FWD_PID" 2>/dev/null || true
VP_FWD_PID=
carrier_is g1 "$if1" 0
carrier_is g2 "$if2" 0
[ "$(vp_count areas)" = 0 ] || tb_fail "area of the killed engine not freed"
[ "$(vp_count engines)" = 0 ] || tb_fail "killed engine's file still counted"
tb_log "1: engine killed: carrier off, area freed"

# 2. engine back
vp_fwd_start
carrier_is g1 "$if1" 1
ping_ok g2 10.77.1.1
tb_log "2: engine restarted, ping ok"

# 3. guest destroyed while attached
tb_guest_destroy g2
tb_wait_for 30 grep -q 'vpfwd: detached port' "$TB_OUT/vpfwd.log" ||
	tb_fail "vpfwd never saw g2's port GONE: $(tail -n 3 "$TB_OUT/vpfwd.log" | tr '\n' ' ')"
xenstore-rm "/local/domain/0/backend/vprime/$d2" 2>/dev/null || true
tb_wait_for 20 sh -c "[ \"\$(awk '\$1==\"devices\"{print \$2}' $VP_DEBUGFS)\" = 1 ]" ||
	tb_fail "devices is $(vp_count devices) after g2 went, want 1"
[ "$(vp_count evtchns_bound)" = 1 ] || tb_fail "evtchns_bound $(vp_count evtchns_bound) after g2 went, want 1"
carrier_is g1 "$if1" 1
tb_log "3: g2 destroyed under the engine: port GONE, detached, g1 unaffected"

# 4. backend module reload under a connected guest
vp_fwd_stop
carrier_is g1 "$if1" 0
vp_back_unbind_all
tb_dom0_unload_modules vprime_back
[ ! -e "$VP_DEBUGFS" ] || tb_fail "debugfs left after rmmod"
tb_dom0_load_modules vprime-back
vp_wait_connected g1 0 120
vp_fwd_start
carrier_is g1 "$if1" 1
tb_log "4: backend reloaded: g1 reconnected and has carrier again"

# 5. teardown and leak check
vp_fwd_stop
vp_dev_remove g1 0
tb_wait_for 20 sh -c "[ \"\$(awk '\$1==\"devices\"{print \$2}' $VP_DEBUGFS)\" = 0 ]" ||
	tb_fail "devices left: $(vp_count devices)"
vp_leak_check
tb_guest_destroy g1
tb_dom0_unload_modules vprime_back
tb_dmesg_since >"$TB_OUT/dmesg.txt"
if tb_oops_in "$TB_OUT/dmesg.txt"; then
	tb_fail "oops in dom0: $(grep -Em1 "$TB_OOPS_RE" "$TB_OUT/dmesg.txt")"
fi
tb_log "5: removed, nothing leaked"
