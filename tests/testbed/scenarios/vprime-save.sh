# shellcheck shell=bash
# vprime-save: xl save / xl restore of a guest with a vprime device, through
# vprime-xl.
#
#   g1 (vprime-front) == vprime-back == vpfwd == vprime-back == g2 (vprime-front)
#
# 1. Both devices Connected, vpfwd attached: carrier, ping both ways.
# 2. `vprime-xl save` g1 (xl save, then vprimectl remove --force of the old
#    domid): the old domain is gone, and dom0 keeps nothing of its device:
#    no xenstore node, no debugfs line, vprime-back's counts down by one
#    device, vpfwd saw the port go; g2 is untouched.
# 3. `vprime-xl restore` with g1's config plus its vprime line (xl restore
#    -p, vprimectl add, xl unpause): a new domid, the device Connected again
#    through vprime-front's resume path; in the guest the same netdev (name,
#    MAC, address), carrier once vpfwd attaches the new port, ping both
#    ways; ethtool -S: one more connect, no error counter.
# 4. Teardown: nothing left in dom0.
#
# The save image goes to $TB_OUT (the results share on the host), through a
# FIFO: dom0 has 512 MB in RAM with a tmpfs root (about 280 MB available
# with the two guests up), where a 160 MB image is not wanted; and xl save
# straight onto the virtio-9p share fails with EFAULT (libxc writes the
# guest's pages from its foreign mapping, which 9p's zero-copy path cannot
# pin), while a pipe copies them. Restore reads the file from the share
# directly. dom0's MemAvailable is logged next to the image's size.
# tb-timeout: 900

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

BIN=$TB_TOP/build/bin
SAVE=$TB_OUT/g1.save
[ -x "$BIN/vprime-xl" ] || tb_fail "no $BIN/vprime-xl (build it on the host: make)"

tb_dmesg_mark
vp_guests_up 8 g1 g2
old=${VP_DOM[g1]} d2=${VP_DOM[g2]}
dname=$(tb_guest_domname g1)

# ---- 1. connected, engine attached ---------------------------------------------------
vp_fwd_start
vp_carrier_wait g1 1
vp_carrier_wait g2 1
vp_guest g1 "ping -c 3 -W 5 ${VP_IP[g2]}" | tb_match '3 packets received' || tb_fail "g1 -> g2 before save"
vp_guest g2 "ping -c 3 -W 5 ${VP_IP[g1]}" | tb_match '3 packets received' || tb_fail "g2 -> g1 before save"
vp_fe_stats g1 g1-before
mac0=$(vp_guest g1 "cat /sys/class/net/${VP_IF[g1]}/address")
[ "$mac0" = "${VP_MAC[g1]}" ] || tb_fail "g1 has mac $mac0, not ${VP_MAC[g1]}"
tb_log "1: g1 (dom$old, ${VP_IF[g1]} $mac0) and g2 (dom$d2) connected through vpfwd, ping both ways"

# g1's config as tb_guest_start wrote it, plus the vprime line: what an
# administrator hands to vprime-xl restore.
CFG=$TB_OUT/g1-vprime.cfg
{
	cat "$TB_OUT/g1.cfg"
	echo "vprime = [ 'mac=${VP_MAC[g1]},name=g1-vp0' ]"
} >"$CFG"
"$BIN/vprimectl" config "$CFG" >"$TB_OUT/g1-vprime.config.txt" 2>&1 ||
	tb_fail "vprimectl config $CFG: $(tr '\n' ' ' <"$TB_OUT/g1-vprime.config.txt")"

# ---- 2. vprime-xl save ------------------------------------------------------------------
devs0=$(vp_count devices)
mem_kb=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
t0=$SECONDS
FIFO=/tmp/vprime-save.fifo
rm -f "$FIFO"
mkfifo "$FIFO"
timeout 900 cat "$FIFO" >"$SAVE" &
cat_pid=$!
VP_BG_PIDS+=("$cat_pid")
PATH=$BIN:$PATH vprime-xl save "$dname" "$FIFO" >"$TB_OUT/g1.save.log" 2>&1 ||
	tb_fail "vprime-xl save: $(tail -n 3 "$TB_OUT/g1.save.log" | tr '\n' ' ')"
wait "$cat_pid" || tb_fail "copying the save image to $SAVE failed"
VP_BG_PIDS=()
rm -f "$FIFO"
tb_figure save_time "$((SECONDS - t0))" s
size_kb=$(($(stat -c %s "$SAVE") / 1024))
tb_figure save_image "$((size_kb / 1024))" MB
tb_figure dom0_mem_available_before_save "$((mem_kb / 1024))" MB
tb_log "2: saved g1 in $((SECONDS - t0))s: $SAVE is $((size_kb / 1024)) MB; dom0 MemAvailable was $((mem_kb / 1024)) MB"
if xl domid "$dname" >/dev/null 2>&1; then tb_fail "g1 still exists after xl save"; fi
old_gone() { ! xl list | awk -v d="$old" 'NR > 1 && $2 == d { f = 1 } END { exit !f }'; }
tb_wait_for 30 old_gone || tb_fail "dom$old is still listed after save: $(xl list | tr -s ' \n' ' ')"
if xenstore-read "/local/domain/0/backend/vprime/$old" >/dev/null 2>&1 ||
	xenstore-ls "/local/domain/0/backend/vprime/$old" >/dev/null 2>&1; then
	tb_fail "backend/vprime/$old left after vprime-xl save"
fi
vp_count_wait devices "$((devs0 - 1))"
if grep -q "^dom$old " "$VP_DEBUGFS"; then tb_fail "vprime-back still lists dom$old"; fi
tb_wait_for 20 vp_fwd_detached "$old" || tb_fail "vpfwd did not see dom$old's port go"
cp "$VP_DEBUGFS" "$TB_OUT/debugfs-after-save.txt"
"$BIN/vprimectl" list >"$TB_OUT/list-after-save.txt" 2>&1 || true
tb_log "2: dom$old gone: no backend node, no debugfs line (devices $devs0 -> $(vp_count devices)), vpfwd detached its port; save log: $(tr '\n' ' ' <"$TB_OUT/g1.save.log" | cut -c1-200)"

# ---- 3. vprime-xl restore ---------------------------------------------------------------
t0=$SECONDS
PATH=$BIN:$PATH vprime-xl restore "$CFG" "$SAVE" >"$TB_OUT/g1.restore.log" 2>&1 ||
	tb_fail "vprime-xl restore: $(grep -v '^Parsing' "$TB_OUT/g1.restore.log" | tail -n 3 | tr '\n' ' ')"
tb_figure restore_time "$((SECONDS - t0))" s
rm -f "$SAVE"
# the harness caches domids: g1 has a new one
rm -f "$TB_STATE/guests/g1.domid"
new=$(tb_guest_domid g1) || tb_fail "g1 does not exist after restore"
[ "$new" != "$old" ] || tb_fail "restored g1 kept domid $old"
VP_DOM[g1]=$new
tb_log "3: restored g1 as dom$new in $((SECONDS - t0))s"
vp_wait_connected g1 0 60
out=$(vp_guest g1 "ls /sys/bus/xen/devices/vprime-0/net/; cat /sys/class/net/${VP_IF[g1]}/address; ip -br addr show dev ${VP_IF[g1]}")
tb_log "3: g1 after restore: $(echo "$out" | tr '\n' ' ')"
[ "$(echo "$out" | sed -n 1p)" = "${VP_IF[g1]}" ] || tb_fail "g1's vprime netdev is not ${VP_IF[g1]} after restore: $out"
[ "$(echo "$out" | sed -n 2p)" = "${VP_MAC[g1]}" ] || tb_fail "g1's mac changed over restore: $out"
echo "$out" | tb_match "${VP_IP[g1]}/24" || tb_fail "g1 lost its address over restore: $out"
vp_carrier_wait g1 1
tb_wait_for 20 sh -c "grep -q '^vpfwd: attached port [0-9]* dom $new dev 0 ' '$TB_OUT/vpfwd.log'" ||
	tb_fail "vpfwd did not attach dom$new's device"
vp_guest g1 "ping -c 3 -W 5 ${VP_IP[g2]}" | tb_match '3 packets received' || tb_fail "g1 -> g2 after restore"
vp_guest g2 "ping -c 3 -W 5 ${VP_IP[g1]}" | tb_match '3 packets received' || tb_fail "g2 -> g1 after restore"
vp_fe_stats g1 g1-after
c0=$(vp_fe_stat g1-before connects) c1=$(vp_fe_stat g1-after connects)
if [ -z "$c0" ] || [ -z "$c1" ]; then tb_fail "no connects counter in g1's ethtool -S"; fi
[ "$c1" = "$((c0 + 1))" ] || tb_fail "g1 connects $c0 before save, $c1 after restore (want one more)"
tb_figure connects_after_restore "$c1" count
tb_log "3: g1 dom$new: same netdev ${VP_IF[g1]} ($mac0), carrier on, vpfwd port $(vp_fwd_port "$new"), ping both ways; ethtool connects $c0 -> $c1"

# ---- 4. nothing leaks -------------------------------------------------------------------
vp_fe_clean g1 g1
vp_fe_clean g2 g2
vp_teardown g1 g2
tb_log "save and restore through vprime-xl: device back, same netdev, nothing leaked"
