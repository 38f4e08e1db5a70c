# shellcheck shell=bash
# vprime-pool: the buffer pool is chosen per device by dom0's toolstack.
#
#   vprime-back max_pool_pages=64 (the host's default, for devices without
#   a pool of their own)
#   g1 vprime-0: no pool given  -> 64 pages   ====  vpfwd  ====  g2 vprime-0:
#                                                   xl line pool=16 -> 16
#
# 1. `vprimectl add` of one device each: g1's without pool= (the module's
#    64 apply, as for any older toolstack), g2's from the `vprime` line of
#    its xl config, `pool=16` (`vprimectl add --config`, what `vprimectl
#    watch` does for `xl create`) -> backend pool-pages 16 -> offered as
#    max-pool-pages 16; both Connected, each mapping 5 + 2 x pool pages in
#    dom0 (debugfs, per device); ping both ways through vpfwd.
# 2. dom0's cost at two pool sizes: 8 more devices on g1 with --pool 16,
#    then 8 on g2 with pool=256 (vprime-back's own default, above this
#    host's 64): dom0 MemFree (after drop_caches), reservation and grant
#    maps across each batch's connect.
# 3. the toolstack's errors: vprimectl refuses pool=7 and --pool 300; a
#    pool-pages node written by hand out of range is refused by
#    vprime-back (xs_rejects, error node, no device), then removed.
# Ends with every device removed, nothing leaked, the module unloaded.
# tb-timeout: 300

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

HOST_POOL=64 BATCH=8
[ -x "$VP_CTL" ] || tb_fail "no $VP_CTL (build it on the host: make)"

memfree_kb() { sync; echo 3 >/proc/sys/vm/drop_caches; awk '$1 == "MemFree:" {print $2}' /proc/meminfo; }
cur_kb() { cat /sys/devices/system/xen_memory/xen_memory0/info/current_kb 2>/dev/null || echo 0; }
dev_field() { # DOMID DEVID KEY: a key=value of the device's first debugfs line
	awk -v id="dom$1" -v dv="dev$2" -v k="$3" '
		$1 == id && $2 == dv { for (i = 3; i <= NF; i++) { split($i, kv, "=");
			if (kv[1] == k) print kv[2] }; exit }' "$VP_DEBUGFS"
}
connected_all() { # GUEST FIRST LAST: devices FIRST..LAST both Connected
	local i
	for ((i = $2; i <= $3; i++)); do
		vp_state_is "$(vp_be_path "$1" "$i")" 4 && vp_state_is "$(vp_fe_path "$1" "$i")" 4 || return 1
	done
}
expect_pool() { # GUEST DEVID POOL: the device maps what the pool says
	local d want got
	d=$(tb_guest_domid "$1")
	want="$3+$3 grants=$((5 + 2 * $3))"
	got="$(dev_field "$d" "$2" pool_pages) grants=$(dev_field "$d" "$2" grants)"
	[ "$got" = "$want" ] || tb_fail "$1 vprime-$2: pool_pages=$got, want $want"
}
fails_with() { # MESSAGE CMD...: CMD must exit non-zero and say MESSAGE
	local msg=$1 out
	shift
	if out=$("$@" 2>&1); then tb_fail "'$*' succeeded; it must fail"; fi
	echo "$ $* -> $out" >>"$TB_OUT/errors.txt"
	case $out in *"$msg"*) ;; *) tb_fail "'$*' said '$out', not '$msg'" ;; esac
}

# Whatever the verdict, dom0 is left as found (other scenarios follow in
# the same boot): no device nodes (the guests' go with them), no engine,
# and vprime-back, loaded here with a parameter of its own, unloaded.
eval "vpool__cleanup_orig() $(declare -f tb__cleanup_guests_safe | tail -n +2)"
tb__cleanup_guests_safe() {
	vpool__cleanup_orig || true
	if [ -e /sys/module/vprime_back ]; then
		vp_back_unbind_all || true
		rmmod vprime-back || true
	fi
}

tb_dmesg_mark
if [ -e /sys/module/vprime_back ]; then
	vp_back_unbind_all
	tb_dom0_unload_modules vprime_back
fi
modprobe vprime-back max_pool_pages=$HOST_POOL || tb_fail "modprobe vprime-back max_pool_pages=$HOST_POOL failed"
tb_guest_start g1 --mods vprime-front --nowait
tb_guest_start g2 --mods vprime-front --nowait \
	--xl "vprime = [ 'mac=00:16:3e:7e:70:02,name=g2-vp0,pool=16' ]"
tb_guest_wait g1
tb_guest_wait g2
d1=$(tb_guest_domid g1) d2=$(tb_guest_domid g2)

# ---- 1. two devices, two pool sizes, one link ----------------------------------
"$VP_CTL" add "$d1" mac=00:16:3e:7e:70:01,name=g1-vp0 >"$TB_OUT/add-g1.txt" 2>&1 ||
	tb_fail "vprimectl add g1: $(cat "$TB_OUT/add-g1.txt")"
"$VP_CTL" add "$d2" --config "$TB_OUT/g2.cfg" >"$TB_OUT/add-g2.txt" 2>&1 ||
	tb_fail "vprimectl add g2 --config g2.cfg: $(cat "$TB_OUT/add-g2.txt")"
grep -q "pool=16" "$TB_OUT/add-g2.txt" || tb_fail "add did not echo pool=16: $(cat "$TB_OUT/add-g2.txt")"
[ "$(xenstore-read "$(vp_be_path g2 0)/pool-pages")" = 16 ] || tb_fail "no pool-pages=16 in g2's backend directory"
! xenstore-exists "$(vp_be_path g1 0)/pool-pages" || tb_fail "pool-pages written for a device without pool="
vp_wait_connected g1 0
vp_wait_connected g2 0
[ "$(xenstore-read "$(vp_be_path g1 0)/max-pool-pages")" = $HOST_POOL ] || tb_fail "g1 was not offered the host's $HOST_POOL pages"
[ "$(xenstore-read "$(vp_be_path g2 0)/max-pool-pages")" = 16 ] || tb_fail "g2 was not offered its own 16 pages"
cp "$VP_DEBUGFS" "$TB_OUT/debugfs-pair.txt"
expect_pool g1 0 $HOST_POOL
expect_pool g2 0 16
[ "$(vp_count grants_mapped)" = $((10 + 2 * HOST_POOL + 2 * 16)) ] ||
	tb_fail "grants_mapped $(vp_count grants_mapped), want $((10 + 2 * HOST_POOL + 2 * 16))"
tb_figure grants_pool_${HOST_POOL} "$(dev_field "$d1" 0 grants)" grants
tb_figure grants_pool_16 "$(dev_field "$d2" 0 grants)" grants
tb_log "g1: $HOST_POOL+$HOST_POOL pages (host default), g2: 16+16 (pool=16 on its xl line)"

if1=$(vp_guest_ifname g1 0) if2=$(vp_guest_ifname g2 0)
if [ -z "$if1" ] || [ -z "$if2" ]; then tb_fail "no vprime netdev ($if1/$if2)"; fi
vp_guest g1 "ip addr add 10.79.7.1/24 dev $if1 && ip link set $if1 up" >/dev/null
vp_guest g2 "ip addr add 10.79.7.2/24 dev $if2 && ip link set $if2 up" >/dev/null
# shellcheck disable=SC2119 # no arguments: vpfwd's defaults
vp_fwd_start
VP_IF[g1]=$if1 VP_IF[g2]=$if2
vp_carrier_wait g1 1
vp_carrier_wait g2 1
ping_ok() { # FROM TO-IP
	local out
	out=$(vp_guest "$1" "ping -c 5 -i 0.2 -W 5 $2")
	echo "$out" | tb_match '5 packets transmitted, 5 packets received' ||
		tb_fail "ping from $1: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
}
ping_ok g1 10.79.7.2
ping_ok g2 10.79.7.1
vp_fe_clean g1 g1
vp_fe_clean g2 g2
tb_log "ping both ways between a $HOST_POOL-page and a 16-page device: 5/5 each"
vp_fwd_stop

# ---- 2. dom0's cost per device at 16 and at 256 pages -----------------------------
# BATCH devices 1..BATCH on GUEST, each of POOL pages: BATCH_COST gets dom0's
# cost per device across their connect: "MemFree-kB reservation-kB grants".
batch() { # GUEST POOL [--pool]
	local g=$1 pool=$2 mf0 ck0 g0 mf1 ck1 g1 i specs=() opt=()
	for ((i = 1; i <= BATCH; i++)); do
		specs+=("mac=00:16:3e:7e:7${g#g}:$(printf %02x "$i")")
		# pool= on each device, or --pool once for all of them
		[ "${3:-}" = --pool ] || specs[-1]+=",pool=$pool"
	done
	[ "${3:-}" != --pool ] || opt=(--pool "$pool")
	mf0=$(memfree_kb) ck0=$(cur_kb) g0=$(vp_count grants_mapped)
	"$VP_CTL" add "${opt[@]}" "$(tb_guest_domid "$g")" "${specs[@]}" >"$TB_OUT/add-batch-$g.txt" 2>&1 ||
		tb_fail "vprimectl add of $BATCH devices to $g: $(tail -n 2 "$TB_OUT/add-batch-$g.txt")"
	tb_wait_for 60 connected_all "$g" 1 "$BATCH" || tb_fail "$g: not all of devices 1..$BATCH Connected"
	mf1=$(memfree_kb) ck1=$(cur_kb) g1=$(vp_count grants_mapped)
	for ((i = 1; i <= BATCH; i++)); do expect_pool "$g" "$i" "$pool"; done
	BATCH_COST="$(((mf0 - mf1) / BATCH)) $(((ck0 - ck1) / BATCH)) $(((g1 - g0) / BATCH))"
}
batch g1 16 --pool
read -r mf16 ck16 gr16 <<<"$BATCH_COST"
batch g2 256
read -r mf256 ck256 gr256 <<<"$BATCH_COST"
if [ "$gr16" != 37 ] || [ "$gr256" != 517 ]; then tb_fail "grants per device: $gr16 at 16 pages, $gr256 at 256; want 37 and 517"; fi
cp "$VP_DEBUGFS" "$TB_OUT/debugfs-batches.txt"
tb_figure dom0_memfree_per_dev_pool_16 "$mf16" kB
tb_figure dom0_memfree_per_dev_pool_256 "$mf256" kB
tb_figure dom0_reservation_per_dev_pool_16 "$ck16" kB
tb_figure dom0_reservation_per_dev_pool_256 "$ck256" kB
tb_figure grants_per_dev_pool_16 "$gr16" grants
tb_figure grants_per_dev_pool_256 "$gr256" grants
tb_log "per device, $BATCH each: pool 16: MemFree -$mf16 kB, reservation -$ck16 kB, $gr16 grants; pool 256: MemFree -$mf256 kB, reservation -$ck256 kB, $gr256 grants"

# ---- 3. errors -----------------------------------------------------------------
fails_with "bad pool '7'" "$VP_CTL" add "$d1" mac=00:16:3e:7e:70:09,pool=7
fails_with "--pool wants" "$VP_CTL" add --pool 300 "$d1" mac=00:16:3e:7e:70:09
fails_with "bad pool '1M'" "$VP_CTL" add "$d1" mac=00:16:3e:7e:70:09,pool=1M
be=$(vp_be_path g1 20) fe=$(vp_fe_path g1 20)
r0=$(vp_count xs_rejects) n0=$(vp_count devices)
xenstore-write "$be/frontend" "$fe" "$be/frontend-id" "$d1" "$be/online" 1 \
	"$be/mac" 00:16:3e:7e:70:0a "$be/pool-pages" 300 \
	"$fe/backend" "$be" "$fe/backend-id" 0 "$fe/mac" 00:16:3e:7e:70:0a
xenstore-chmod -r "$be" n0 "r$d1"
xenstore-chmod -r "$fe" "n$d1" r0
xenstore-write "$be/state" 1 "$fe/state" 1
tb_wait_for 10 sh -c "[ \"\$(awk '\$1==\"xs_rejects\"{print \$2}' $VP_DEBUGFS)\" -gt $r0 ]" ||
	tb_fail "pool-pages=300 not counted (xs_rejects $(vp_count xs_rejects))"
errnode=/local/domain/0/error/backend/vprime/$d1/20/error
tb_wait_for 10 xenstore-exists "$errnode" || tb_fail "no error node $errnode"
# The node holds the errno (ERANGE): xenbus's own "xenbus_dev_probe on"
# line replaces the driver's text when a probe fails; that text, naming
# the key, is in dom0's kernel log.
err=$(xenstore-read "$errnode" 2>&1) || true
case $err in "34 "*) ;; *) tb_fail "error node: '$err', want ERANGE (34)" ;; esac
tb_dmesg_since | tb_match "backend/vprime/$d1/20/pool-pages: not a pool size" ||
	tb_fail "no kernel log line refusing backend/vprime/$d1/20/pool-pages"
vp_count_wait devices "$n0" 10
tb_log "pool-pages=300 written by hand: refused ($err)"
"$VP_CTL" remove --force "$d1" 20 >/dev/null 2>&1 || tb_fail "vprimectl remove --force of the refused device"

# ---- teardown ------------------------------------------------------------------
for g in g1 g2; do
	out=$("$VP_CTL" remove --timeout 30 "$(tb_guest_domid "$g")" all 2>&1) ||
		tb_fail "vprimectl remove $g all: $out"
done
vp_count_wait devices 0
vp_leak_check
tb_guest_destroy g1
tb_guest_destroy g2
tb_dom0_unload_modules vprime_back
tb_dmesg_since >"$TB_OUT/dmesg.txt"
if tb_oops_in "$TB_OUT/dmesg.txt"; then
	tb_fail "oops in dom0: $(grep -Em1 "$TB_OOPS_RE" "$TB_OUT/dmesg.txt")"
fi
