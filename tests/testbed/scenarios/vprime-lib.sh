# shellcheck shell=bash
# vprime-lib.sh: helpers shared by the vprime-*.sh scenarios (dom0 side).
# Not a scenario itself: source it with  . "$TB_SCEN_DIR/vprime-lib.sh"
#
#   vp_dev_add GUEST DEVID MAC [NAME]   the toolstack's part of one device,
#                                       in the order testbed.md gives
#   vp_dev_remove GUEST DEVID           vprimectl remove: graceful removal
#                                       as libxl does it (online=0, Closing,
#                                       wait Closed, rm), --force if stuck
#   vp_wait_connected GUEST DEVID [S]   both ends Connected (state 4)
#   vp_guest_ifname GUEST DEVID         the netdev vprime-front made
#   vp_guest GUEST CMD                  run in the guest, fail on error
#   vp_fwd_start / vp_fwd_dump / vp_fwd_stop   vpfwd in dom0, log in
#                                       $TB_OUT/vpfwd.log
#   vp_stat DOMID DEVID NAME            a dom0 per-device counter (debugfs)
#   vp_count NAME                       a module-wide count (debugfs)
#   vp_leak_check                       nothing mapped, bound or allocated
#   vp_back_unbind_all                  unbind every device from vprime-back
#                                       (xenbus holds a module reference per
#                                       bound device: rmmod needs this first)

VP_DEBUGFS=/sys/kernel/debug/vprime/devices
VP_FWD=${VP_FWD:-$TB_TOP/build/bin/vpfwd}
VP_FWD_PID=
VP_CTL=$TB_TOP/build/bin/vprimectl

vp_be_path() { echo "/local/domain/0/backend/vprime/$(tb_guest_domid "$1")/$2"; }
vp_fe_path() { echo "/local/domain/$(tb_guest_domid "$1")/device/vprime/$2"; }

vp_dev_add() { # GUEST DEVID MAC [NAME]
	local dom be fe extra=()
	dom=$(tb_guest_domid "$1")
	be=$(vp_be_path "$1" "$2")
	fe=$(vp_fe_path "$1" "$2")
	[ -z "${4:-}" ] || extra=("$be/name" "$4")
	# 1. every node but the two states, in one transaction
	xenstore-write "$be/frontend" "$fe" "$be/frontend-id" "$dom" \
		"$be/online" 1 "$be/mac" "$3" "${extra[@]}" \
		"$fe/backend" "$be" "$fe/backend-id" 0 "$fe/mac" "$3"
	# 2. permissions: each side owns its own directory, reads the other
	xenstore-chmod -r "$be" n0 "r$dom"
	xenstore-chmod -r "$fe" "n$dom" r0
	# 3. both ends Initialising: the buses probe now
	xenstore-write "$be/state" 1 "$fe/state" 1
	tb_log "vprime device $2 of $1 (dom$dom) added, mac $3"
}

vp_state_is() { # PATH STATE
	[ "$(xenstore-read "$1/state" 2>/dev/null)" = "$2" ]
}

vp_wait_connected() { # GUEST DEVID [SECS]
	local be fe
	be=$(vp_be_path "$1" "$2")
	fe=$(vp_fe_path "$1" "$2")
	tb_wait_for "${3:-60}" vp_state_is "$be" 4 ||
		tb_fail "$1 vprime$2: backend state $(xenstore-read "$be/state" 2>&1), frontend $(xenstore-read "$fe/state" 2>&1), not Connected"
	tb_wait_for "${3:-60}" vp_state_is "$fe" 4 ||
		tb_fail "$1 vprime$2: frontend state $(xenstore-read "$fe/state" 2>&1), not Connected"
}

# Removal is the product's own: vprimectl remove (offline, Closing, wait for
# the frontend to close, then both directories and any error node the
# backend left); --force when the frontend never closes.
vp_dev_remove() { # GUEST DEVID
	local dom out
	dom=$(tb_guest_domid "$1")
	if ! out=$("$VP_CTL" remove --timeout 30 "$dom" "$2" 2>&1); then
		tb_log "vprime device $2 of $1: $out; removing with --force"
		out=$("$VP_CTL" remove --force "$dom" "$2" 2>&1) ||
			tb_fail "vprimectl remove --force $dom $2: $out"
	fi
	tb_log "vprime device $2 of $1 removed"
}

# The benchmarks' pair: guests g1 and g2 (10.99.0.11, .12) with a stock vif
# on xenbr0 and a vprime device each (MAC1, MAC2; names g1-vp0, g2-vp0),
# both connected.  Sets d1, d2 (domain ids) and vif1, vif2 (their vifs).
vp_bench_pair_start() {
	tb_dmesg_mark
	tb_dom0_load_modules vprime-back
	tb_guest_start g1 --vif --ip eth0=10.99.0.11/24 --mods vprime-front,pktgen --nowait
	tb_guest_start g2 --vif --ip eth0=10.99.0.12/24 --mods vprime-front,pktgen --nowait
	tb_guest_wait g1
	tb_guest_wait g2
	d1=$(tb_guest_domid g1)
	d2=$(tb_guest_domid g2)
	vp_dev_add g1 0 "$MAC1" g1-vp0
	vp_dev_add g2 0 "$MAC2" g2-vp0
	vp_wait_connected g1 0
	vp_wait_connected g2 0
	vif1=vif$d1.0
	vif2=vif$d2.0
}

vp_guest() { # GUEST CMD
	local out
	out=$(tb_guest_run "$1" "$2") ||
		tb_fail "$1: '$2' failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	echo "$out"
}

# vp_csum_fill_cmd DEV: guest shell text that fills the IPv4, TCP and UDP
# checksums of every frame leaving DEV in software (tc act_csum), printing
# csum=tc (or csum=none).  For a stock netfront whose IPv4 checksum
# offload ethtool cannot turn off ("on [fixed]"): its TCP and UDP leave
# with a blank checksum netback would fill for the guest's own vif, and a
# packet socket in dom0 (PRIMEX's TAP device, ns-3's FdNetDevice) passes
# the blank on to the other guest, which drops it (TCP never connects).
vp_csum_fill_cmd() {
	printf '%s' "modprobe -q sch_ingress; modprobe -q cls_matchall; modprobe -q act_csum
		if tc qdisc add dev $1 clsact && tc filter add dev $1 egress matchall action csum ip4h and tcp and udp; then
			echo csum=tc
		else
			echo csum=none
		fi"
}

vp_guest_ifname() { # GUEST DEVID
	local cmd="ls /sys/bus/xen/devices/vprime-$2/net/ 2>/dev/null"
	vp_guest "$1" "for i in \$(seq 100); do [ -n \"\$($cmd)\" ] && break; sleep 0.1; done; $cmd" |
		head -n 1
}

vp_fwd_start() { # [ARGS...]
	[ -x "$VP_FWD" ] || tb_fail "no $VP_FWD (build it on the host: make $VP_FWD)"
	"$VP_FWD" "$@" >"$TB_OUT/vpfwd.log" 2>&1 &
	VP_FWD_PID=$!
	tb_wait_for 10 grep -q 'vpfwd: ready' "$TB_OUT/vpfwd.log" ||
		tb_fail "vpfwd did not start: $(tail -n 3 "$TB_OUT/vpfwd.log" | tr '\n' ' ')"
}

vp_fwd_dump() { # print vpfwd's counters into its log
	[ -n "$VP_FWD_PID" ] || return 0
	kill -USR1 "$VP_FWD_PID"
	sleep 0.5
}

vp_fwd_stop() {
	[ -n "$VP_FWD_PID" ] || return 0
	kill -TERM "$VP_FWD_PID" 2>/dev/null || true
	wait "$VP_FWD_PID" || tb_fail "vpfwd exited with status $?"
	VP_FWD_PID=
}

# The last "vpfwd: key=value ..." summary value of KEY, or of a port's KEY.
vp_fwd_counter() { # KEY [PORT]
	local sel='^vpfwd: syncs='
	[ -z "${2:-}" ] || sel="^vpfwd: port=$2 "
	grep -E "$sel" "$TB_OUT/vpfwd.log" | tail -n 1 | tr ' ' '\n' |
		sed -n "s/^$1=//p"
}

vp_stat() { # DOMID DEVID NAME
	awk -v id="dom$1" -v dv="dev$2" -v k="$3" '
		$1 == id && $2 == dv { want = 1; next }
		want { for (i = 1; i <= NF; i++) { split($i, kv, "=");
			if (kv[1] == k) print kv[2] }; exit }' "$VP_DEBUGFS"
}

vp_count() { # NAME
	awk -v k="$1" '$1 == k { print $2 }' "$VP_DEBUGFS"
}

vp_leak_check() {
	local k v
	cp "$VP_DEBUGFS" "$TB_OUT/debugfs-final.txt" 2>/dev/null || true
	for k in grants_mapped evtchns_bound areas engines; do
		v=$(vp_count "$k")
		[ "$v" = 0 ] || tb_fail "leak: $k is $v (see debugfs-final.txt)"
	done
}

vp_back_unbind_all() {
	local drv=/sys/bus/xen-backend/drivers/vprime d
	for d in "$drv"/vprime-*; do
		[ -e "$d" ] || continue
		echo "${d##*/}" >"$drv/unbind"
	done
}

# ---- several guests with one vprime device each -----------------------------
# vp_guests_up NET GUEST...: vprime-back loaded, the guests started (in
# parallel) with vprime-front, device 0 of each added and Connected, its
# netdev up with 10.79.NET.<i>/24 (i: the guest's place in the list).
# Fills VP_IF, VP_IP, VP_MAC, VP_DOM by guest name.
declare -gA VP_IF VP_IP VP_MAC VP_DOM
vp_guests_up() { # NET GUEST...
	local net=$1 i=0 g
	shift
	[ -e "$VP_DEBUGFS" ] || tb_dom0_load_modules vprime-back
	for g in "$@"; do tb_guest_start "$g" --mods vprime-front --nowait; done
	for g in "$@"; do
		i=$((i + 1))
		tb_guest_wait "$g"
		VP_DOM[$g]=$(tb_guest_domid "$g")
		VP_MAC[$g]=$(printf '00:16:3e:7e:%02x:%02x' "$net" "$i")
		VP_IP[$g]=10.79.$net.$i
		vp_dev_add "$g" 0 "${VP_MAC[$g]}" "$g-vp0"
	done
	for g in "$@"; do
		vp_wait_connected "$g" 0
		VP_IF[$g]=$(vp_guest_ifname "$g" 0)
		[ -n "${VP_IF[$g]}" ] || tb_fail "$g: no vprime netdev"
		vp_guest "$g" "ip addr add ${VP_IP[$g]}/24 dev ${VP_IF[$g]} && ip link set ${VP_IF[$g]} up" >/dev/null
	done
}

vp_carrier_wait() { # GUEST 0|1: until the guest's vprime netdev has it (10 s)
	vp_guest "$1" "for i in \$(seq 100); do [ \$(cat /sys/class/net/${VP_IF[$1]}/carrier) = $2 ] && exit 0; sleep 0.1; done; echo carrier is not $2; exit 1" >/dev/null
}

# ethtool -S of GUEST's vprime netdev into $TB_OUT/ethtool-TAG.txt
vp_fe_stats() { # GUEST TAG
	vp_guest "$1" "ethtool -S ${VP_IF[$1]}" >"$TB_OUT/ethtool-$2.txt"
}
vp_fe_stat() { # TAG KEY: one value of a file vp_fe_stats wrote
	awk -v k="$2:" '$1 == k { print $2 }' "$TB_OUT/ethtool-$1.txt"
}
# Every frontend error counter is 0: what a well-behaved backend never causes.
VP_FE_ERRORS="be_bad_index be_bad_slot be_bad_extent be_zero_len be_too_many_slots
	be_oversize be_partial_frame rx_drop_bad rx_drop_nomem rx_drop_csum ring_broken
	grant_busy_pages held_pages regrant_waits regrant_gave_up"
vp_fe_clean() { # GUEST TAG
	local k v
	vp_fe_stats "$1" "$2"
	for k in $VP_FE_ERRORS; do
		v=$(vp_fe_stat "$2" "$k")
		[ -z "$v" ] || [ "$v" = 0 ] || tb_fail "$1: ethtool $k = $v (ethtool-$2.txt)"
	done
}

# At rest (nothing in flight), every frame that crossed a boundary vprime
# owns is counted on both sides of it, whatever was lost elsewhere: frames
# GUEST's stack handed the frontend = frames dom0 took from it, frames dom0
# gave it = frames it received + rx_drop_bad.  Lifetime counters: use it
# before the device reconnects.  Prints what does not match; status 1 then.
vp_frames_balance() { # GUEST DOMID IFNAME
	local tag=bal-$1 gtx grx gbad rx tx try
	# A frame may still be on its way: read again (3 times, 2 s apart).
	for try in 1 2 3; do
		vp_guest "$1" "ethtool -S $3" >"$TB_OUT/ethtool-$tag.txt"
		rx=$(vp_stat "$2" 0 rx_frames) tx=$(vp_stat "$2" 0 tx_frames)
		gtx=$(vp_fe_stat "$tag" tx_packets) grx=$(vp_fe_stat "$tag" rx_packets)
		gbad=$(vp_fe_stat "$tag" rx_drop_bad)
		tb_log "$1: stack sent $gtx, dom0 took $rx; dom0 gave $tx, received $grx + rx_drop_bad $gbad (read $try)"
		[ "$gtx" = "$rx" ] && [ "$tx" = "$((grx + gbad))" ] && return 0
		sleep 2
	done
	echo "$1: frames lost silently: stack sent $gtx, dom0 took $rx; dom0 gave $tx, guest received $grx + rx_drop_bad $gbad"
	return 1
}

# A ping running in the background in GUEST, its log in the guest's /tmp.
vp_bg_ping() { # GUEST DEST NAME SECS
	vp_guest "$1" "ping -i 0.2 -w $4 -W 1 $2 >/tmp/ping.$3 2>&1 & echo \$! >/tmp/ping.$3.pid" >/dev/null
}
vp_bg_ping_result() { # GUEST NAME: "sent received", once it has ended
	vp_guest "$1" "while kill -0 \$(cat /tmp/ping.$2.pid) 2>/dev/null; do sleep 1; done; tail -n 3 /tmp/ping.$2" |
		sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) packets received.*/\1 \2/p'
}

# The value of figure NAME of scenario baseline in this boot (empty if the
# baseline did not run first).
vp_baseline_fig() { # NAME
	awk -v n="$1" '$1 == "baseline" && $2 == n { v = $3 } END { print v }' \
		"$TB_RUN_OUT/figures.txt" 2>/dev/null
}
# Record figure NAME=VALUE and, next to it, the stock vif's BASENAME from the
# same boot and the ratio: "NAME: vprime V UNIT, stock vif B UNIT (R x)".
vp_vs_baseline() { # NAME VALUE UNIT BASENAME
	local b r
	tb_figure "$1" "$2" "$3"
	b=$(vp_baseline_fig "$4")
	if [ -z "$b" ]; then
		tb_log "$1: vprime $2 $3 (no stock vif baseline in this boot)"
		return 0
	fi
	r=$(awk -v v="$2" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", v / b; else print "?" }')
	tb_figure "$1_vs_vif" "$r" x
	tb_log "$1: vprime $2 $3, stock vif $b $3 ($r x)"
}

# Wait until debugfs module-wide count NAME is VALUE (SECS, 20).
vp_count_wait() { # NAME VALUE [SECS]
	tb_wait_for "${3:-20}" sh -c "[ \"\$(awk '\$1==\"$1\"{print \$2}' $VP_DEBUGFS)\" = $2 ]" && return 0
	cp "$VP_DEBUGFS" "$TB_OUT/debugfs-fail.txt" 2>/dev/null || true
	tb_fail "$1 is $(vp_count "$1"), want $2 (debugfs-fail.txt: $(grep -E '^(devices|grants_mapped|evtchns_bound|areas|engines) ' "$VP_DEBUGFS" | tr '\n' ' '))"
}

# The usual end: devices removed, nothing left in dom0, guests gone, module
# unloaded, no oops since tb_dmesg_mark.
vp_teardown() { # GUEST...
	local g
	vp_fwd_stop
	for g in "$@"; do vp_dev_remove "$g" 0; done
	vp_count_wait devices 0
	vp_leak_check
	# The netdevs are gone with the devices: a frontend that found pages
	# still mapped at teardown said so on its console (grant_busy_pages).
	for g in "$@"; do
		! grep -q 'backend still maps' "$(tb_guest_console "$g")" 2>/dev/null ||
			tb_fail "$g: $(grep -m1 'backend still maps' "$(tb_guest_console "$g")" | tr -d '\r')"
	done
	for g in "$@"; do tb_guest_destroy "$g"; done
	tb_dom0_unload_modules vprime_back
	tb_dmesg_since >"$TB_OUT/dmesg.txt"
	if tb_oops_in "$TB_OUT/dmesg.txt"; then
		tb_fail "oops in dom0: $(grep -Em1 "$TB_OOPS_RE" "$TB_OUT/dmesg.txt")"
	fi
}

# The port vpfwd gave DOMID's device 0 (from its last "attached" line).
vp_fwd_port() { # DOMID
	sed -n "s/^vpfwd: attached port \([0-9]*\) dom $1 dev 0 .*/\1/p" "$TB_OUT/vpfwd.log" | tail -n 1
}
vp_fwd_detached() { # DOMID: vpfwd saw the port of DOMID's device go
	local p
	p=$(vp_fwd_port "$1")
	[ -n "$p" ] && grep -q "^vpfwd: detached port $p\$" "$TB_OUT/vpfwd.log"
}

# Background processes a scenario starts in dom0 (vpfwd, vprimectl watch)
# must not outlive it, whatever its verdict: an engine left behind would
# attach the next scenario's devices.  Chained onto the harness's guest
# clean-up, which its EXIT trap runs.
VP_BG_PIDS=()
vp_bg_kill() {
	local p
	for p in ${VP_FWD_PID:-} "${VP_BG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	VP_FWD_PID='' VP_BG_PIDS=()
}
# vprime nodes of domains that no longer exist: what a scenario that failed
# half-way leaves (a toolstack, or `vprimectl watch`, removes them on a host)
vp_stale_clean() {
	local d
	for d in $(xenstore-list /local/domain/0/backend/vprime 2>/dev/null); do
		xl list "$d" >/dev/null 2>&1 && continue
		xenstore-rm "/local/domain/0/backend/vprime/$d" 2>/dev/null || true
		xenstore-rm "/local/domain/0/error/backend/vprime/$d" 2>/dev/null || true
		tb_log "removed the vprime nodes of domain $d, which is gone"
	done
}
if declare -f tb__cleanup_guests_safe >/dev/null; then
	eval "vp__cleanup_guests_orig() $(declare -f tb__cleanup_guests_safe | tail -n +2)"
	tb__cleanup_guests_safe() {
		[ -z "${VP_FWD_PID:-}" ] || { kill -TERM "$VP_FWD_PID"; wait "$VP_FWD_PID"; } 2>/dev/null || true
		VP_FWD_PID=''
		vp__cleanup_guests_orig
		vp_bg_kill
		vp_stale_clean
	}
fi
# An engine some earlier scenario of this boot left behind holds every
# device: stop it (by pid) and say so.
for vp_pid in $(pidof vpfwd 2>/dev/null || true); do
	tb_log "an earlier scenario left vpfwd (pid $vp_pid) running: stopping it"
	kill -TERM "$vp_pid" 2>/dev/null || true
done
for vp_pid in $(seq 20); do
	pidof vpfwd >/dev/null 2>&1 || break
	sleep 0.5
done

# Run on its own (a runner that takes every *.sh), it is not a scenario.
if [ "${TB_SCENARIO:-}" = vprime-lib ]; then
	tb_skip "vprime-lib.sh is the vprime scenarios' helper library"
fi
