# shellcheck shell=bash
# hostile-backend: vprime-hostile-back.ko in dom0, in place of vprime-back,
# cycles the backend's state (InitWait -> wait for the frontend -> map
# every page it granted -> Closed, keeping the mappings) CYCLES times
# against vprime-front in guest g1 (issue 16, finding 4).
#
#   dom0: vprime-hostile-back  <== grants ==  g1: vprime-front (+ stock vif)
#
# Bounded means, measured from both sides: the hostile backend mapped one
# set of pages (517) however many cycles it ran; the frontend waited
# (regrant_waits), then gave up (regrant_gave_up 1, one log line) and went
# Closed; held_pages is one set while the backend maps it and 0 once it is
# unloaded; g1's MemAvailable fell by less than MEM_MAX_KB; g1's stock vif
# answered pings to dom0 throughout.  Then the real backend is loaded: the
# given-up device stays Closed until the toolstack re-adds it, and then
# connects.
# tb-timeout: 200

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"
# shellcheck source=hostile-lib.sh
. "$TB_SCEN_DIR/hostile-lib.sh"

CYCLES=10
SET=517			# pages of one connection: 1 + 4 + 2 x 256
MEM_MAX_KB=8192		# one set is 2068 KB; ten would be 20 MB
MAC=00:16:3e:5e:00:01
HB=/sys/module/vprime_hostile_back/parameters

hb_status() { # [KEY]
	local s
	s=$(cat "$HB/status" 2>/dev/null) || true
	if [ -n "${1:-}" ]; then echo "$s" | tr ' ' '\n' | sed -n "s/^$1=//p"; else echo "$s"; fi
}
hb_done() { [ "$(hb_status 'done')" = 1 ]; }
g1_mem() { tb_guest_run g1 "awk '\$1==\"MemAvailable:\"{print \$2}' /proc/meminfo"; }
fe_stat() { # IFNAME KEY
	tb_guest_run g1 "ethtool -S $1" | awk -v k="$2:" '$1==k{print $2}'
}
fe_state() { xenstore-read "$(vp_fe_path g1 0)/state" 2>/dev/null; }

tb_dmesg_mark
# Neither backend may be bound to the device: vprime-back must be out.
if [ -d /sys/module/vprime_back ]; then
	vp_back_unbind_all
	tb_dom0_unload_modules vprime-back
fi
tb_guest_start g1 --vif --ip eth0=10.99.0.21/24 --mods vprime-front
tb_guest_run g1 'dmesg -c >/dev/null'
mem0=$(g1_mem)
vp_guest g1 "ping -i 0.2 -W 1 10.99.0.1 >/tmp/ping.log 2>&1 & echo \$! >/tmp/ping.pid" >/dev/null

modprobe vprime-hostile-back cycles=$CYCLES wait_ms=3000 ||
	tb_fail "modprobe vprime-hostile-back failed: $(dmesg | tail -n 3 | tr '\n' ' ')"
t0=$SECONDS
vp_dev_add g1 0 "$MAC"
ifn=$(vp_guest_ifname g1 0)
[ -n "$ifn" ] || tb_fail "vprime-front made no netdev"

# --- 1. the attack: sample the guest while the backend cycles -------------
peak_held=0 min_mem=$mem0
while ! hb_done; do
	[ $((SECONDS - t0)) -lt 120 ] || tb_fail "hostile backend not done after 120 s: $(hb_status)"
	h=$(fe_stat "$ifn" held_pages)
	m=$(g1_mem)
	[ "${h:-0}" -le "$peak_held" ] || peak_held=$h
	[ "${m:-$min_mem}" -ge "$min_mem" ] || min_mem=$m
	tb_log "backend: $(hb_status); guest held_pages=${h:-?} MemAvailable=${m:-?} kB"
	sleep 2
done
tb_figure attack_s $((SECONDS - t0)) s
tb_log "hostile backend done: $(hb_status)"
tb_guest_run g1 "ethtool -S $ifn" >"$TB_OUT/ethtool-attacked.txt"
fe() { awk -v k="$1:" '$1==k{print $2}' "$TB_OUT/ethtool-attacked.txt"; }
m=$(g1_mem)
[ "${m:-$min_mem}" -ge "$min_mem" ] || min_mem=$m
mapped=$(hb_status mapped)
tb_figure backend_cycles "$(hb_status cycles)" cycles
tb_figure backend_sets_mapped "$(hb_status sets)" sets
tb_figure backend_pages_mapped "$mapped" pages
tb_figure guest_held_pages_peak "$peak_held" pages
tb_figure guest_regrant_waits "$(fe regrant_waits)" waits
tb_figure guest_regrant_gave_up "$(fe regrant_gave_up)" ""
tb_figure guest_connects "$(fe connects)" ""
tb_figure guest_mem_drop_kb $((mem0 - min_mem)) kB
[ "$(hb_status cycles)" = "$CYCLES" ] || hx_soft_fail "backend ran $(hb_status cycles) cycles, not $CYCLES"
[ "${mapped:-0}" -gt 0 ] || hx_soft_fail "the hostile backend mapped nothing: the attack did not run"
[ "${mapped:-0}" -le "$SET" ] || hx_soft_fail "the guest granted $mapped pages to a cycling backend (bound $SET)"
[ "$(fe connects)" = 1 ] || hx_soft_fail "connects=$(fe connects), want 1"
[ "$(fe regrant_gave_up)" = 1 ] || hx_soft_fail "regrant_gave_up=$(fe regrant_gave_up), want 1"
[ "$(fe held_pages)" = "$mapped" ] || hx_soft_fail "held_pages=$(fe held_pages), backend maps $mapped"
[ $((mem0 - min_mem)) -le $MEM_MAX_KB ] || hx_soft_fail "g1 MemAvailable fell by $((mem0 - min_mem)) kB (bound $MEM_MAX_KB)"
[ "$(fe_state)" = 6 ] || hx_soft_fail "frontend state $(fe_state) after giving up, want 6 (Closed)"
tb_guest_run g1 dmesg >"$TB_OUT/guest-dmesg-attack.txt"
n=$(grep -c 'giving up' "$TB_OUT/guest-dmesg-attack.txt")
[ "$n" = 1 ] || hx_soft_fail "$n 'giving up' lines in g1's log, want 1"
tb_figure guest_log_lines "$(grep -c 'vprime' "$TB_OUT/guest-dmesg-attack.txt")" lines

# --- 2. the backend goes: every held page comes back ------------------------
rmmod vprime-hostile-back || tb_fail "rmmod vprime-hostile-back failed"
held_zero() { [ "$(fe_stat "$ifn" held_pages)" = 0 ]; }
tb_wait_for 20 held_zero || hx_soft_fail "held_pages $(fe_stat "$ifn" held_pages) after the backend unmapped"
tb_figure guest_mem_back_kb $(($(g1_mem) - min_mem)) kB

# --- 3. the real backend: stays Closed until the toolstack re-adds it ------
tb_dom0_load_modules vprime-back
sleep 3
[ "$(fe_state)" = 6 ] || hx_soft_fail "given-up frontend left Closed by itself: state $(fe_state)"
vp_dev_remove g1 0
t1=$SECONDS
vp_dev_add g1 0 "$MAC"
vp_wait_connected g1 0 60
tb_figure readd_connect_s $((SECONDS - t1)) s
ifn=$(vp_guest_ifname g1 0)
c=$(fe_stat "$ifn" connects)
[ "$c" = 1 ] || hx_soft_fail "re-added device: connects=$c, want 1"
[ "$(vp_count grants_mapped)" = "$SET" ] ||
	hx_soft_fail "dom0 maps $(vp_count grants_mapped) grants after the re-add, want $SET"

# --- 4. the stock vif answered throughout ----------------------------------
read -r sent got < <(vp_guest g1 "kill -INT \$(cat /tmp/ping.pid); sleep 1; tail -n 3 /tmp/ping.log" |
	sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) .*/\1 \2/p')
tb_figure vif_ping "${got:-0}" "received_of_${sent:-0}"
if [ "${sent:-0}" -eq 0 ] || [ "${got:-0}" -lt $((sent * 9 / 10)) ]; then
	hx_soft_fail "stock vif ping to dom0: ${got:-0} of ${sent:-0} answered"
fi

vp_dev_remove g1 0
vp_back_unbind_all
tb_dom0_unload_modules vprime-back
tb_dmesg_since >"$TB_OUT/dmesg-dom0.txt"
tb_oops_in "$TB_OUT/dmesg-dom0.txt" && hx_soft_fail "dom0 oops: $(grep -Em1 "$TB_OOPS_RE" "$TB_OUT/dmesg-dom0.txt")"
tb_guest_destroy g1
hx_finish
