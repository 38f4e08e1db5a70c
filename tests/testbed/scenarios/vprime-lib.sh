# shellcheck shell=bash
# vprime-lib.sh: helpers shared by the vprime-*.sh scenarios (dom0 side).
# Not a scenario itself: source it with  . "$TB_SCEN_DIR/vprime-lib.sh"
#
#   vp_dev_add GUEST DEVID MAC [NAME]   the toolstack's part of one device,
#                                       in the order testbed.md gives
#   vp_dev_remove GUEST DEVID           graceful removal as libxl does it:
#                                       online=0, Closing, wait Closed, rm
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

vp_dev_remove() { # GUEST DEVID
	local be fe
	be=$(vp_be_path "$1" "$2")
	fe=$(vp_fe_path "$1" "$2")
	xenstore-write "$be/online" 0 "$be/state" 5
	tb_wait_for 30 vp_state_is "$be" 6 ||
		tb_log "vprime device $2 of $1: backend state $(xenstore-read "$be/state" 2>&1) after Closing, removing anyway"
	xenstore-rm "$fe" 2>/dev/null || true
	xenstore-rm "$be" 2>/dev/null || true
	tb_log "vprime device $2 of $1 removed"
}

vp_guest() { # GUEST CMD
	local out
	out=$(tb_guest_run "$1" "$2") ||
		tb_fail "$1: '$2' failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	echo "$out"
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

# Run on its own (a runner that takes every *.sh), it is not a scenario.
if [ "${TB_SCENARIO:-}" = vprime-lib ]; then
	tb_skip "vprime-lib.sh is the vprime scenarios' helper library"
fi
