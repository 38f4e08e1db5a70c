# shellcheck shell=bash
# front-connect: vprime-front against vprime-back, no engine attached; the
# backend module is unloaded and reloaded under the running guest.
#
#   dom0: vprime-back                     guest g1: vprime-front
#   backend/vprime/<id>/0  <== rings ==>  device/vprime/0 -> ethN
#                  no engine: carrier must stay off
#
# 1. Both ends reach Connected; carrier off; "mtu" published as 9000 (the
#    largest MTU: the backend offers feature-jumbo); MTU 9000 accepted.
# 2. unbind + rmmod vprime-back: the frontend goes Closed, grants revoked.
# 3. modprobe vprime-back: the frontend reconnects by itself (RESET), same
#    netdev, no guest action; ethtool shows resets=1, connects=2.
# 4. unbind + rmmod vprime-front: both ends close, nothing leaked
#    (grant_busy_pages 0 in the guest; grants_mapped 0 in dom0).
# tb-timeout: 300

MAC=00:16:3e:5a:00:11

tb_dom0_load_modules vprime-back
tb_guest_start g1 --mods vprime-front
dom=$(tb_guest_domid g1)
FE=/local/domain/$dom/device/vprime/0
BE=/local/domain/0/backend/vprime/$dom/0

xenstore-write "$BE/frontend" "$FE" "$BE/frontend-id" "$dom" "$BE/online" 1 \
	"$BE/mac" "$MAC" "$FE/backend" "$BE" "$FE/backend-id" 0 "$FE/mac" "$MAC"
xenstore-chmod -r "$BE" n0 "r$dom"
xenstore-chmod -r "$FE" "n$dom" r0
xenstore-write "$BE/state" 1 "$FE/state" 1

g1() {
	local out
	out=$(tb_guest_run g1 "$1") || tb_fail "guest: '$1' failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	echo "$out"
}
states() { echo "front $(xenstore-read "$FE/state" 2>/dev/null) back $(xenstore-read "$BE/state" 2>/dev/null)"; }
both_connected() { [ "$(states)" = "front 4 back 4" ]; }
front_closed() { [ "$(xenstore-read "$FE/state" 2>/dev/null)" = 6 ]; }
# ethtool -S of the vprime netdev, fetched once per check point.
fe_stats() { g1 "ethtool -S $ifn" >"$TB_OUT/ethtool-$1.txt"; }
fe_stat() { # CHECKPOINT NAME
	awk -v k="$2:" '$1 == k {print $2}' "$TB_OUT/ethtool-$1.txt"
}
dom0_debugfs() { cat /sys/kernel/debug/vprime/devices 2>/dev/null || true; }

# -------------------------------------------------------------- 1. connect
engines=$(awk '$1 == "engines" {print $2}' /sys/kernel/debug/vprime/devices 2>/dev/null || true)
[ "${engines:-0}" = 0 ] || tb_fail "an engine is attached already (left by an earlier scenario?): engines=$engines"
tb_wait_for 30 both_connected || tb_fail "not Connected after 30 s: $(states)"
tb_log "connected: $(states)"
ifn=$(g1 'ls /sys/bus/xen/devices/vprime-0/net/')
out=$(g1 "cat /sys/class/net/$ifn/address; ip link set $ifn up && sleep 1 &&
	echo carrier=\$(cat /sys/class/net/$ifn/carrier) && ip link set $ifn mtu 9000")
echo "$out" | tb_match -x "$MAC" || tb_fail "wrong mac on $ifn: $out"
echo "$out" | tb_match -x carrier=0 || tb_fail "carrier on with no engine attached: $out"
[ "$(xenstore-read "$FE/mtu")" = 9000 ] || tb_fail "mtu 9000 not published ($(xenstore-read "$FE/mtu"))"
g1 "ip link set $ifn mtu 1500" >/dev/null
for k in protocol-version ctrl-ref event-channel tx-pool-pages rx-pool-pages request-csum-offload; do
	xenstore-read "$FE/$k" >/dev/null || tb_fail "frontend did not publish $k"
done
tb_log "published: pools $(xenstore-read "$FE/tx-pool-pages")+$(xenstore-read "$FE/rx-pool-pages") pages, csum $(xenstore-read "$FE/request-csum-offload")"
dom0_debugfs >"$TB_OUT/debugfs-connected.txt"
fe_stats connected
[ "$(fe_stat connected connects)" = 1 ] || tb_fail "connects is not 1"

# -------------------------------------------------------------- 2. backend gone
# A bound device pins the backend module (xenbus_dev_probe() takes a
# module reference): unbind it, then unload.  The bus writes Closed.
t0=$SECONDS
echo "vprime-$dom-0" >/sys/bus/xen-backend/devices/vprime-$dom-0/driver/unbind ||
	tb_fail "could not unbind the backend device"
tb_dom0_unload_modules vprime-back
tb_wait_for 20 front_closed || tb_fail "frontend did not close after the backend left: $(states)"
tb_log "backend unloaded: $(states) after $((SECONDS - t0)) s"
fe_stats unloaded
[ "$(fe_stat unloaded grant_busy_pages)" = 0 ] || tb_fail "grants leaked after backend unload"

# -------------------------------------------------------------- 3. backend back
t0=$SECONDS
tb_dom0_load_modules vprime-back
tb_wait_for 30 both_connected || tb_fail "no reconnect after the backend came back: $(states)"
tb_figure front_reconnect_s $((SECONDS - t0)) s
tb_log "reconnected: $(states)"
out=$(g1 "ls /sys/bus/xen/devices/vprime-0/net/; echo carrier=\$(cat /sys/class/net/$ifn/carrier)")
echo "$out" | tb_match -x "$ifn" || tb_fail "netdev changed across the reconnect: $out"
echo "$out" | tb_match -x carrier=0 || tb_fail "carrier on with no engine after reconnect: $out"
fe_stats reconnected
[ "$(fe_stat reconnected resets)" = 1 ] || tb_fail "resets is $(fe_stat reconnected resets), not 1"
[ "$(fe_stat reconnected connects)" = 2 ] || tb_fail "connects is $(fe_stat reconnected connects), not 2"

# -------------------------------------------------------------- 4. frontend gone
t0=$SECONDS
g1 'echo vprime-0 >/sys/bus/xen/devices/vprime-0/driver/unbind && rmmod vprime-front; dmesg' >"$TB_OUT/guest-dmesg.txt"
tb_figure front_rmmod_s $((SECONDS - t0)) s
tb_wait_for 20 front_closed || tb_fail "frontend not Closed after rmmod: $(states)"
grep -q 'XSA-396' "$TB_OUT/guest-dmesg.txt" && tb_fail "the guest leaked pages: $(grep -m1 XSA-396 "$TB_OUT/guest-dmesg.txt")"
dom0_debugfs >"$TB_OUT/debugfs-closed.txt"
if grep -q '^grants_mapped' "$TB_OUT/debugfs-closed.txt"; then
	grep -qx 'grants_mapped 0' "$TB_OUT/debugfs-closed.txt" ||
		tb_fail "dom0 still maps grants: $(grep grants_mapped "$TB_OUT/debugfs-closed.txt")"
fi
tb_log "closed: $(states)"

echo "vprime-$dom-0" >/sys/bus/xen-backend/devices/vprime-$dom-0/driver/unbind ||
	tb_fail "could not unbind the backend device at the end"
tb_dom0_unload_modules vprime-back
xenstore-rm "$FE"
xenstore-rm "/local/domain/0/backend/vprime/$dom"
tb_guest_destroy g1
