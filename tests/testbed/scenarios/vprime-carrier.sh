# shellcheck shell=bash
# vprime-carrier: the guests' carrier follows the engine.
#
#   g1 (vprime-front) == vprime-back == vpfwd == vprime-back == g2 (vprime-front)
#
# 1. Both devices Connected, no engine: no carrier; a ping finds no link.
# 2. vpfwd attaches: carrier on in both guests, ping both ways.
# 3. Under a running ping (g1 -> g2, 5 per second) vpfwd is SIGKILLed:
#    carrier off in both within seconds, its area freed; 3 s later vpfwd
#    starts again: carrier on, the ping gets answers again by itself.
# 4. No frame lost silently: at every boundary vprime owns the counts
#    agree, frames the guest's stack sent = frames dom0 took from it (or a
#    frontend drop counter), frames dom0 gave = frames the guest received,
#    and what the killed engine never read is in the backend's engine_lost.
#    The ping's losses are reported next to the counters that explain them.
# tb-timeout: 600

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

tb_dmesg_mark
vp_guests_up 2 g1 g2
d1=${VP_DOM[g1]} d2=${VP_DOM[g2]}

# ---- 1. no engine: no carrier ------------------------------------------------------
vp_carrier_wait g1 0
vp_carrier_wait g2 0
out=$(tb_guest_run g1 "ping -c 2 -W 1 ${VP_IP[g2]} 2>&1") && tb_fail "ping worked with no engine: $out"
tb_log "1: no engine: no carrier in either guest, ping fails"

# ---- 2. engine attached: carrier -----------------------------------------------------
vp_fwd_start
vp_carrier_wait g1 1
vp_carrier_wait g2 1
vp_guest g1 "ping -c 3 -W 5 ${VP_IP[g2]}" | tb_match '3 packets received' || tb_fail "g1 -> g2 after attach"
vp_guest g2 "ping -c 3 -W 5 ${VP_IP[g1]}" | tb_match '3 packets received' || tb_fail "g2 -> g1 after attach"
tb_log "2: engine attached: carrier on, ping both ways"

# ---- 3. SIGKILL under a running ping, then a new engine ---------------------------------
# Counters at rest before, so the deltas below are this step's alone.
guest_counts() { # GUEST: "tx_packets rx_packets tx_drop_no_link tx_drop_ring_full rx_drop_bad"
	local g=$1
	vp_fe_stats "$g" "$g-now"
	echo "$(vp_fe_stat "$g-now" tx_packets) $(vp_fe_stat "$g-now" rx_packets)" \
		"$(vp_fe_stat "$g-now" tx_drop_no_link) $(vp_fe_stat "$g-now" tx_drop_ring_full)" \
		"$(vp_fe_stat "$g-now" rx_drop_bad)"
}
dom0_counts() { # DOMID: "rx_frames tx_frames engine_lost tx_drop_gone"
	echo "$(vp_stat "$1" 0 rx_frames) $(vp_stat "$1" 0 tx_frames)" \
		"$(vp_stat "$1" 0 engine_lost) $(vp_stat "$1" 0 tx_drop_gone)"
}
# One snapshot of both guests' and dom0's counters.  The guests are read
# through the command channel, a second or so each, and a guest may send
# a frame of its own (ARP, IPv6) meanwhile: one sent after its counter was
# read but taken by dom0 before dom0's was would skew every delta after
# by one.  So dom0 is read before and after the guests, and the snapshot
# taken again until both dom0 readings agree (5 tries).
snap() {
	local try a b
	for try in 1 2 3 4 5; do
		a="$(dom0_counts "$d1") $(dom0_counts "$d2")"
		read -r g1tx g1rx g1nl g1rf g1bad <<<"$(guest_counts g1)"
		read -r g2tx g2rx g2nl g2rf g2bad <<<"$(guest_counts g2)"
		b="$(dom0_counts "$d1") $(dom0_counts "$d2")"
		read -r r1 t1 l1 gone1 r2 t2 l2 gone2 <<<"$b"
		[ "$a" = "$b" ] && return 0
		tb_log "counters moved while reading them (try $try): again"
	done
}
snap
g1tx0=$g1tx g1rx0=$g1rx g1nl0=$g1nl g1rf0=$g1rf g1bad0=$g1bad
g2tx0=$g2tx g2rx0=$g2rx g2nl0=$g2nl g2rf0=$g2rf g2bad0=$g2bad
r10=$r1 t10=$t1 l10=$l1 gone10=$gone1 r20=$r2 t20=$t2 l20=$l2 gone20=$gone2

vp_bg_ping g1 "${VP_IP[g2]}" kill 25
sleep 5
kill -KILL "$VP_FWD_PID"
wait "$VP_FWD_PID" 2>/dev/null || true
VP_FWD_PID=
T_KILL=$SECONDS
vp_carrier_wait g1 0
vp_carrier_wait g2 0
# (an upper bound: it includes the command channel's round trips to both guests)
tb_figure carrier_off_seen_within "$((SECONDS - T_KILL))" s
vp_count_wait areas 0 10
vp_count_wait engines 0 10
tb_log "3: vpfwd killed: carrier off in both guests, its area freed"
sleep 3
vp_fwd_start
T_START=$SECONDS
vp_carrier_wait g1 1
vp_carrier_wait g2 1
tb_figure carrier_on_seen_within "$((SECONDS - T_START))" s
read -r sent recvd <<<"$(vp_bg_ping_result g1 kill)"
[ -n "$recvd" ] || tb_fail "no result from the background ping"
vp_guest g1 "tail -n 8 /tmp/ping.kill | grep -q 'bytes from'" ||
	tb_fail "the ping got no answer after the new engine attached"
tb_figure ping_sent "$sent" frames
tb_figure ping_received "$recvd" frames
tb_log "3: new vpfwd: carrier on, ping answered again ($recvd of $sent over the kill)"

# ---- 4. every frame accounted for at vprime's boundaries ----------------------------------
# At rest: a frame may still be on its way (a ring the backend has not
# swept yet); read again, up to 4 times 2 s apart, before calling it lost.
balanced() {
	[ "$((g1tx - g1tx0))" = "$((r1 - r10))" ] && [ "$((g2tx - g2tx0))" = "$((r2 - r20))" ] &&
		[ "$((t1 - t10))" = "$((g1rx - g1rx0 + g1bad - g1bad0))" ] &&
		[ "$((t2 - t20))" = "$((g2rx - g2rx0 + g2bad - g2bad0))" ]
}
for try in 1 2 3 4; do
	sleep 2
	snap
	balanced && break
	tb_log "4: counts not balanced yet (read $try): g1 $((g1tx - g1tx0))/$((r1 - r10)) g2 $((g2tx - g2tx0))/$((r2 - r20))"
done
tb_figure balance_reads "$try" reads
[ -n "$l1" ] || tb_fail "vprime-back has no engine_lost counter"
check_eq() { # WHAT A B
	[ "$2" = "$3" ] || tb_fail "frames lost silently: $1: $2 != $3"
	tb_log "  $1: $2 = $3"
}
tb_log "4: frames this step, at each boundary:"
check_eq "g1 sent (stack) = dom0 took from g1" "$((g1tx - g1tx0))" "$((r1 - r10))"
check_eq "g2 sent (stack) = dom0 took from g2" "$((g2tx - g2tx0))" "$((r2 - r20))"
check_eq "dom0 gave g1 = g1 received + rx_drop_bad" "$((t1 - t10))" "$((g1rx - g1rx0 + g1bad - g1bad0))"
check_eq "dom0 gave g2 = g2 received + rx_drop_bad" "$((t2 - t20))" "$((g2rx - g2rx0 + g2bad - g2bad0))"
nl=$((g1nl - g1nl0 + g2nl - g2nl0))
tb_figure tx_drop_no_link "$nl" frames
tb_figure tx_drop_ring_full "$((g1rf - g1rf0 + g2rf - g2rf0))" frames
tb_figure engine_lost "$((l1 - l10 + l2 - l20))" frames
tb_figure tx_drop_gone "$((gone1 - gone10 + gone2 - gone20))" frames
tb_log "ping lost $((sent - recvd)) of $sent: while no engine held the devices, frames the" \
	"guests' stacks sent were dropped by the frontend (tx_drop_no_link $nl)" \
	"or stayed in Linux's stack (no carrier: the qdisc is deactivated); the killed engine" \
	"left $((l1 - l10 + l2 - l20)) unread (engine_lost), $((gone1 - gone10 + gone2 - gone20)) queued to guests (tx_drop_gone)"

vp_fe_clean g1 g1
vp_fe_clean g2 g2
vp_teardown g1 g2
tb_log "carrier followed the engine; every frame counted; nothing leaked"
