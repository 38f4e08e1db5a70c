# shellcheck shell=bash
# hostile-backend: vprime-hostile-back.ko in dom0, in place of vprime-back,
# cycles the backend's state CYCLES times (InitWait -> wait for the
# frontend -> map every page it granted -> Closed, keeping the mappings)
# against vprime-front in guest g1 (issue 16, finding 4).
#
#   dom0: vprime-hostile-back  <== grants ==  g1: vprime-front (+ stock vif)
#
# Bounded means, measured from both sides: the hostile backend mapped one
# set of pages (517) however many cycles it ran; the frontend waited
# (regrant_waits), then gave up (regrant_gave_up 1, one log line) and went
# Closed, no sooner than the backend's fourth InitWait (each restart is one
# wait, however many watch events the guest reads it in: regrant_rereads);
# held_pages (sampled every second in the guest) never above one set, and
# 0 once the backend is unloaded; g1's MemAvailable fell by less
# than MEM_MAX_KB; g1's stock vif answered pings to dom0 throughout.  Then
# the real backend is loaded: the given-up device stays Closed until the
# toolstack re-adds it, and then connects.  Guest commands cost seconds
# each under TCG: the guest samples by itself, and dom0 asks four times.
# tb-timeout: 240

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"
# shellcheck source=hostile-lib.sh
. "$TB_SCEN_DIR/hostile-lib.sh"

CYCLES=8		# give-up due at cycle 4; a restart too fast for the guest to see is not counted
SET=517			# pages of one connection: 1 + 4 + 2 x 256
MEM_MAX_KB=8192		# one set is 2068 KB; six would be 12 MB
MAC=00:16:3e:5e:00:01
HB=/sys/module/vprime_hostile_back/parameters
HB_DRV=/sys/bus/xen-backend/drivers/vprime-hostile-back
NETDIR=/sys/bus/xen/devices/vprime-0/net

hb_status() { # [KEY]
	local s
	s=$(cat "$HB/status" 2>/dev/null) || true
	if [ -n "${1:-}" ]; then echo "$s" | tr ' ' '\n' | sed -n "s/^$1=//p"; else echo "$s"; fi
}
hb_done() { [ "$(hb_status 'done')" = 1 ]; }
fe_state() { xenstore-read "$(vp_fe_path g1 0)/state" 2>/dev/null; }
fe_closed() { [ "$(fe_state)" = 6 ]; }
# KEY of an ethtool -S dump in FILE
fe() { awk -v k="$2:" '$1==k{print $2}' "$1"; }
# Unbind the device first (its remove unmaps everything): xenbus holds a
# reference on the module per bound device, so rmmod alone fails.
hb_unload() {
	local d
	for d in "$HB_DRV"/vprime-*; do
		[ ! -e "$d" ] || echo "${d##*/}" >"$HB_DRV/unbind"
	done
	rmmod vprime-hostile-back
}

# Whatever the verdict, dom0 is left as found (other scenarios follow in
# the same boot): the hostile module goes first (its mappings would keep
# g1 from dying), then the guest, its nodes, and vprime-back if loaded.
eval "hb__cleanup_orig() $(declare -f tb__cleanup_guests_safe | tail -n +2)"
tb__cleanup_guests_safe() {
	[ ! -e /sys/module/vprime_hostile_back ] || hb_unload || true
	hb__cleanup_orig || true
	if [ -e /sys/module/vprime_back ]; then
		vp_back_unbind_all || true
		rmmod vprime-back || true
	fi
}

tb_dmesg_mark
# Neither backend may be bound to the device: vprime-back must be out.
if [ -d /sys/module/vprime_back ]; then
	vp_back_unbind_all
	tb_dom0_unload_modules vprime-back
fi
tb_guest_start g1 --vif --ip eth0=10.99.0.21/24 --mods vprime-front

# In the guest: a ping to dom0 over the stock vif, and a sampler writing
# "uptime held_pages MemAvailable" every second (held_pages "-" while no
# vprime netdev exists).
# shellcheck disable=SC2016 # expanded in the guest
vp_guest g1 'dmesg -c >/dev/null
ping -i 0.2 -W 1 10.99.0.1 >/tmp/ping.log 2>&1 & echo $! >/tmp/ping.pid
while :; do
	n=$(ls '"$NETDIR"' 2>/dev/null); h=-
	[ -z "$n" ] || h=$(ethtool -S $n | awk "\$1==\"held_pages:\"{print \$2}")
	echo "$(cut -d" " -f1 /proc/uptime) ${h:--} $(awk "\$1==\"MemAvailable:\"{print \$2}" /proc/meminfo)"
	sleep 1
done >/tmp/samples 2>&1 & echo $! >/tmp/sampler.pid' >/dev/null

modprobe vprime-hostile-back cycles=$CYCLES wait_ms=2000 ||
	tb_fail "modprobe vprime-hostile-back failed: $(dmesg | tail -n 3 | tr '\n' ' ')"
t0=$SECONDS
vp_dev_add g1 0 "$MAC"

# --- 1. the attack -----------------------------------------------------------
tb_wait_for 90 hb_done || tb_fail "hostile backend not done after 90 s: $(hb_status)"
tb_wait_for 10 fe_closed || hx_soft_fail "frontend state $(fe_state) after the attack, want 6 (Closed)"
tb_figure attack_s $((SECONDS - t0)) s
tb_log "hostile backend done: $(hb_status)"
# shellcheck disable=SC2016
vp_guest g1 'sleep 1; kill $(cat /tmp/sampler.pid); n=$(ls '"$NETDIR"')
	sed "s/^/S /" /tmp/samples; ethtool -S $n; dmesg | sed "s/^/D /"' >"$TB_OUT/guest-attack.txt"
sed -n 's/^S //p' "$TB_OUT/guest-attack.txt" >"$TB_OUT/samples.txt"
sed -n 's/^D //p' "$TB_OUT/guest-attack.txt" >"$TB_OUT/guest-dmesg-attack.txt"
sed '/^[SD] /d' "$TB_OUT/guest-attack.txt" >"$TB_OUT/ethtool-attacked.txt"
E=$TB_OUT/ethtool-attacked.txt
read -r nsamp peak_held mem0 min_mem < <(awk '
	NR == 1 { m0 = $3; mn = $3 }
	$2 != "-" && $2 > pk { pk = $2 }
	$3 < mn { mn = $3 }
	END { print NR, pk + 0, m0, mn }' "$TB_OUT/samples.txt")
mapped=$(hb_status mapped)
tb_figure backend_cycles "$(hb_status cycles)" cycles
tb_figure backend_sets_mapped "$(hb_status sets)" sets
tb_figure backend_pages_mapped "$mapped" pages
tb_figure guest_samples "$nsamp" samples
tb_figure guest_held_pages_peak "$peak_held" pages
tb_figure guest_regrant_waits "$(fe "$E" regrant_waits)" waits
tb_figure guest_regrant_gave_up "$(fe "$E" regrant_gave_up)" times
tb_figure guest_regrant_rereads "$(fe "$E" regrant_rereads)" reads
tb_figure backend_gave_up_cycle "$(hb_status gave_up_cycle)" cycle
tb_figure guest_resets "$(fe "$E" resets)" resets
tb_figure guest_connects "$(fe "$E" connects)" connects
tb_figure guest_mem_drop_kb $((mem0 - min_mem)) kB
tb_figure guest_log_lines "$(grep -c 'vprime' "$TB_OUT/guest-dmesg-attack.txt" || true)" lines
[ "$(hb_status cycles)" = "$CYCLES" ] || hx_soft_fail "backend ran $(hb_status cycles) cycles, not $CYCLES"
[ "${mapped:-0}" -gt 0 ] || hx_soft_fail "the hostile backend mapped nothing: the attack did not run"
[ "${mapped:-0}" -le "$SET" ] || hx_soft_fail "the guest granted $mapped pages to a cycling backend (bound $SET)"
[ "$peak_held" -le "$SET" ] || hx_soft_fail "guest held_pages peaked at $peak_held (bound $SET)"
[ "$nsamp" -ge 10 ] || hx_soft_fail "only $nsamp guest samples"
[ "$(hb_status sets)" = 1 ] || hx_soft_fail "the guest granted $(hb_status sets) sets to a cycling backend, want 1"
[ "$(fe "$E" connects)" = 0 ] || hx_soft_fail "connects=$(fe "$E" connects): the hostile backend never says Connected"
[ "$(fe "$E" regrant_gave_up)" = 1 ] || hx_soft_fail "regrant_gave_up=$(fe "$E" regrant_gave_up), want 1"
g=$(hb_status gave_up_cycle)
[ "${g:-0}" -ge 4 ] || hx_soft_fail "the frontend gave up at the backend's cycle ${g:-?}, want 4 or later (3 waits, each restart counted once)"
[ "$(fe "$E" held_pages)" = "$mapped" ] || hx_soft_fail "held_pages=$(fe "$E" held_pages), backend maps $mapped"
[ $((mem0 - min_mem)) -le $MEM_MAX_KB ] || hx_soft_fail "g1 MemAvailable fell by $((mem0 - min_mem)) kB (bound $MEM_MAX_KB)"
n=$(grep -c 'giving up' "$TB_OUT/guest-dmesg-attack.txt" || true)
[ "$n" = 1 ] || hx_soft_fail "$n 'giving up' lines in g1's log, want 1"

# --- 2. the backend goes: every held page comes back ------------------------
hb_unload || tb_fail "unbind + rmmod of vprime-hostile-back failed"
# shellcheck disable=SC2016
out=$(vp_guest g1 'n=$(ls '"$NETDIR"'); for i in $(seq 40); do
	h=$(ethtool -S $n | awk "\$1==\"held_pages:\"{print \$2}"); [ "$h" = 0 ] && break; sleep 0.5; done
	echo "$h $(awk "\$1==\"MemAvailable:\"{print \$2}" /proc/meminfo)"')
read -r held_after mem_after <<<"$out"
tb_figure guest_held_pages_after_unload "${held_after:-?}" pages
tb_figure guest_mem_back_kb $((${mem_after:-0} - min_mem)) kB
[ "$held_after" = 0 ] || hx_soft_fail "held_pages $held_after after the backend unmapped"

# --- 3. the real backend: stays Closed until the toolstack re-adds it ------
tb_dom0_load_modules vprime-back
sleep 3
fe_closed || hx_soft_fail "given-up frontend left Closed by itself: state $(fe_state)"
vp_dev_remove g1 0
t1=$SECONDS
vp_dev_add g1 0 "$MAC"
vp_wait_connected g1 0 60
tb_figure readd_connect_s $((SECONDS - t1)) s
g=$(vp_count grants_mapped)
tb_figure dom0_grants_after_readd "$g" grants
[ "$g" = "$SET" ] || hx_soft_fail "dom0 maps $g grants after the re-add, want $SET"

# --- 4. one guest call: the re-added netdev, and the ping of the whole run -
# shellcheck disable=SC2016
vp_guest g1 'for i in $(seq 50); do n=$(ls '"$NETDIR"' 2>/dev/null); [ -n "$n" ] && break; sleep 0.2; done
	ethtool -S $n; kill -INT $(cat /tmp/ping.pid); sleep 1; tail -n 3 /tmp/ping.log | sed "s/^/P /"' \
	>"$TB_OUT/guest-readd.txt"
c=$(fe "$TB_OUT/guest-readd.txt" connects)
[ "$c" = 1 ] || hx_soft_fail "re-added device: connects=${c:-?}, want 1"
read -r sent got < <(sed -n 's/^P \([0-9]*\) packets transmitted, \([0-9]*\) .*/\1 \2/p' "$TB_OUT/guest-readd.txt")
tb_figure vif_ping "${got:-0}" "received_of_${sent:-0}"
if [ "${sent:-0}" -eq 0 ] || [ "${got:-0}" -lt $((sent * 9 / 10)) ]; then
	hx_soft_fail "stock vif ping to dom0: ${got:-0} of ${sent:-0} answered"
fi

vp_dev_remove g1 0
vp_back_unbind_all
tb_dom0_unload_modules vprime-back
tb_dmesg_since >"$TB_OUT/dmesg-dom0.txt"
tb_oops_in "$TB_OUT/dmesg-dom0.txt" && hx_soft_fail "dom0 oops: $(grep -Em1 "$TB_OOPS_RE" "$TB_OUT/dmesg-dom0.txt")"
tb_oops_in "$TB_OUT/guest-dmesg-attack.txt" && hx_soft_fail "g1 oops: $(grep -Em1 "$TB_OOPS_RE" "$TB_OUT/guest-dmesg-attack.txt")"
tb_guest_destroy g1
hx_finish
