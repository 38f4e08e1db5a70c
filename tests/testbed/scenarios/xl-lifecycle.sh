# shellcheck shell=bash
# xl-lifecycle: vprime devices follow xl's domain lifecycle with no manual step.
#
#   dom0                                              guest h1 (vprime-front)
#   vprimectl watch --(@introduceDomain)--> adds  ==> vprime-0 00:16:3e:76:01:01
#     reads the config of the running                 vprime-1 00:16:3e:76:01:02
#     `xl create xl-configs/h1.cfg key=value...`      (+ vprimectl add/remove: 2)
#   xl destroy --(@releaseDomain)--> watch removes backend/vprime/<domid>
#
#   guest h2: vprime-xl create (xl create -p, vprimectl add, xl unpause),
#   then a guest crash with on_crash="destroy": nothing may be left behind.
#
# Checks: the guest's netdevs carry the configured MACs; `vprimectl list`
# shows the devices Connected; add/remove on a running guest; after destroy
# and after a crash no xenstore node of the domain's devices remains; the
# error paths of vprimectl exit non-zero with a message.
# tb-timeout: 600

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

BIN=$TB_TOP/build/bin
VPCTL=$BIN/vprimectl
EX=$TB_TOP/xl-configs
MAC0=00:16:3e:76:01:01
MAC1=00:16:3e:76:01:02
MAC9=00:16:3e:76:01:09
WATCH_PID=

[ -x "$VPCTL" ] || tb_fail "no $VPCTL (build it on the host: make)"
"$VPCTL" help >/dev/null 2>"$TB_OUT/vprimectl-start.err" ||
	tb_fail "vprimectl does not run in dom0: $(head -n 2 "$TB_OUT/vprimectl-start.err" | tr '\n' ' ')"

watch_stop() {
	[ -n "$WATCH_PID" ] || return 0
	kill -TERM "$WATCH_PID" 2>/dev/null || true
	wait "$WATCH_PID" 2>/dev/null || true
	WATCH_PID=
}
# the runner's EXIT trap, with the watcher stopped first
trap 'rc=$?; watch_stop; tb__cleanup_guests_safe; [ $rc = 0 ] && tb__verdict PASS; exit $rc' EXIT

xs_absent() { ! xenstore-exists "$1" 2>/dev/null; }
no_nodes_of() { # DOMID: no vprime node of that domain anywhere
	xs_absent "/local/domain/0/backend/vprime/$1" && xs_absent "/local/domain/$1/device/vprime"
}
fails_with() { # MESSAGE CMD...: CMD must exit non-zero and say MESSAGE
	local msg=$1 out
	shift
	if out=$("$@" 2>&1); then tb_fail "'$*' succeeded; it must fail"; fi
	echo "$ $* -> $out" >>"$TB_OUT/errors.txt"
	case $out in *"$msg"*) ;; *) tb_fail "'$*' said '$out', not '$msg'" ;; esac
}
guest_mac_of() { # GUEST DEVID: the MAC of the netdev vprime-front made
	local ifn
	ifn=$(vp_guest_ifname "$1" "$2")
	[ -n "$ifn" ] || tb_fail "$1 has no netdev for vprime-$2"
	vp_guest "$1" "cat /sys/class/net/$ifn/address"
}

tb_dmesg_mark
tb_dom0_load_modules vprime-back
"$VPCTL" config "$EX/h1.cfg" >"$TB_OUT/config-h1.txt"
[ "$(wc -l <"$TB_OUT/config-h1.txt")" = 2 ] || tb_fail "vprimectl config h1.cfg: $(cat "$TB_OUT/config-h1.txt")"

"$VPCTL" watch --config-dir "$TB_OUT/no-configs" >"$TB_OUT/watch.log" 2>&1 &
WATCH_PID=$!
tb_wait_for 10 grep -q 'watching domains' "$TB_OUT/watch.log" ||
	tb_fail "vprimectl watch did not start: $(tail -n 3 "$TB_OUT/watch.log" | tr '\n' ' ')"

# ---- 1. plain xl create of the example config --------------------------------
# Only what the testbed must change is overridden on xl's command line (the
# watcher reads the overrides too: the name is the testbed's).
name=$(tb_guest_domname h1)
echo h1 >"$TB_STATE/guests/h1"
t0=$SECONDS
xl create "$EX/h1.cfg" "name=\"$name\"" "kernel=\"$TB_GUEST_KERNEL\"" \
	"ramdisk=\"$TB_GUEST_RAMDISK\"" 'memory=160' \
	'extra="console=hvc0 loglevel=5 tb.mods=vprime-front"' \
	>"$TB_OUT/h1.create.log" 2>&1 || tb_fail "xl create h1.cfg: $(tail -n 2 "$TB_OUT/h1.create.log" | tr '\n' ' ')"
d1=$(tb_guest_domid h1)
tb_log "xl create h1.cfg: domain $d1 in $((SECONDS - t0))s"
tb_guest_wait h1
vp_wait_connected h1 0 90
vp_wait_connected h1 1 90
tb_log "both devices of h1 Connected with no manual step"
grep -q "dom$d1 ($name): added vprime device 0" "$TB_OUT/watch.log" ||
	tb_fail "watch.log does not show the add: $(tail -n 3 "$TB_OUT/watch.log" | tr '\n' ' ')"
[ "$(guest_mac_of h1 0)" = "$MAC0" ] || tb_fail "vprime-0 of h1 has mac $(guest_mac_of h1 0), want $MAC0"
[ "$(guest_mac_of h1 1)" = "$MAC1" ] || tb_fail "vprime-1 of h1 has mac $(guest_mac_of h1 1), want $MAC1"
tb_log "h1 netdevs: $MAC0 $MAC1"

"$VPCTL" list >"$TB_OUT/list-1.txt" 2>&1 || tb_fail "vprimectl list failed: $(cat "$TB_OUT/list-1.txt")"
for want in "$d1 .* 0 .*h1-eth1 .*$MAC0 .*Connected .*Connected .*free" \
	"$d1 .* 1 .*h1-eth2 .*$MAC1 .*Connected .*Connected .*free"; do
	grep -Eq "^$want" "$TB_OUT/list-1.txt" || tb_fail "vprimectl list lacks '$want': $(tr '\n' '|' <"$TB_OUT/list-1.txt")"
done
"$VPCTL" stats "$name" >"$TB_OUT/stats-1.txt" 2>&1 || tb_fail "vprimectl stats: $(tail -n 2 "$TB_OUT/stats-1.txt")"
grep -q "device dom$d1/0 name h1-eth1" "$TB_OUT/stats-1.txt" || tb_fail "stats lacks dom$d1/0"

# ---- 2. add and remove on the running guest ----------------------------------
fails_with "already has a vprime device with this mac" "$VPCTL" add "$name" "mac=$MAC0"
fails_with "already has a vprime device 1" "$VPCTL" add "$d1" "mac=$MAC9,devid=1"
fails_with "no domain 'no-such-domain'" "$VPCTL" add no-such-domain "mac=$MAC9"
fails_with "bad mac" "$VPCTL" add "$name" "mac=ff:ff:ff:ff:ff:ff"
fails_with "unknown key 'bridge'" "$VPCTL" add "$name" "mac=$MAC9,bridge=xenbr0"
fails_with "has no vprime device 7" "$VPCTL" remove "$name" 7
fails_with "bad devid" "$VPCTL" remove "$name" x1
"$VPCTL" add "$name" "mac=$MAC9,name=h1-eth9" >"$TB_OUT/add.txt" 2>&1 || tb_fail "vprimectl add: $(cat "$TB_OUT/add.txt")"
grep -q "vprime device 2 added" "$TB_OUT/add.txt" || tb_fail "add did not pick devid 2: $(cat "$TB_OUT/add.txt")"
vp_wait_connected h1 2 60
[ "$(guest_mac_of h1 2)" = "$MAC9" ] || tb_fail "the added device has mac $(guest_mac_of h1 2)"
t0=$SECONDS
"$VPCTL" remove "$name" 2 >"$TB_OUT/remove.txt" 2>&1 || tb_fail "vprimectl remove: $(cat "$TB_OUT/remove.txt")"
tb_log "vprimectl remove took $((SECONDS - t0))s"
xs_absent "$(vp_be_path h1 2)" && xs_absent "$(vp_fe_path h1 2)" || tb_fail "nodes of device 2 left after remove"
tb_wait_for 10 tb_guest_run h1 '! test -e /sys/bus/xen/devices/vprime-2' ||
	tb_fail "the guest still has vprime-2 after remove"
vp_state_is "$(vp_be_path h1 0)" 4 || tb_fail "device 0 is no longer Connected after removing 2"
tb_log "vprimectl add/remove on the running guest: ok"

# ---- 3. xl destroy leaves nothing ---------------------------------------------
xl destroy "$name" || tb_fail "xl destroy h1 failed"
rm -f "$TB_STATE/guests/h1"
tb_wait_for 20 no_nodes_of "$d1" ||
	tb_fail "after xl destroy: $(xenstore-ls -f /local/domain/0/backend/vprime 2>&1 | grep "/$d1/" | head -n 3 | tr '\n' ' ')"
"$VPCTL" list >"$TB_OUT/list-2.txt" 2>&1
grep -Eq "^$d1 " "$TB_OUT/list-2.txt" && tb_fail "vprimectl list still shows dom$d1"
tb_log "xl destroy: no node of dom$d1 left"

# ---- 4. vprime-xl create, then a guest crash -----------------------------------
name2=$(tb_guest_domname h2)
sed -e "s|^name = .*|name = \"$name2\"|" -e "s|^kernel = .*|kernel = \"$TB_GUEST_KERNEL\"|" \
	-e "s|^ramdisk = .*|ramdisk = \"$TB_GUEST_RAMDISK\"|" -e 's|^memory = .*|memory = 160|' \
	-e 's|^extra = .*|extra = "console=hvc0 loglevel=5 tb.mods=vprime-front"|' \
	"$EX/h2.cfg" >"$TB_OUT/h2.cfg"
echo 'on_crash = "destroy"' >>"$TB_OUT/h2.cfg"
echo h2 >"$TB_STATE/guests/h2"
PATH=$BIN:$PATH vprime-xl create "$TB_OUT/h2.cfg" >"$TB_OUT/h2.create.log" 2>&1 ||
	tb_fail "vprime-xl create: $(tail -n 2 "$TB_OUT/h2.create.log" | tr '\n' ' ')"
d2=$(tb_guest_domid h2)
# the service may have added it first (it sees the xl create -p): either is fine
grep -Eq "dom$d2: vprime device 0 (added|already present)" "$TB_OUT/h2.create.log" ||
	tb_fail "vprime-xl did not add the device: $(tr '\n' ' ' <"$TB_OUT/h2.create.log")"
tb_guest_wait h2
vp_wait_connected h2 0 90
[ "$(guest_mac_of h2 0)" = 00:16:3e:76:02:01 ] || tb_fail "h2's device has mac $(guest_mac_of h2 0)"
# A crash: xl destroys the domain (on_crash); its console holds the panic
# on purpose, so it leaves the oops check of the scenario's guests.
rm -f "$TB_STATE/guests/h2"
# (delayed: under TCG the agent takes seconds to send its answer)
vp_guest h2 '(sleep 15; echo c >/proc/sysrq-trigger) >/dev/null 2>&1 &' >/dev/null
tb_wait_for 90 sh -c "! xl domid '$name2'" || tb_fail "h2 did not die after the crash"
tb_wait_for 20 no_nodes_of "$d2" || tb_fail "after the crash of h2, nodes of dom$d2 are left"
tb_log "guest crash: no node of dom$d2 left"

watch_stop
cp "$VP_DEBUGFS" "$TB_OUT/debugfs-final.txt" 2>/dev/null || true
[ "$(vp_count devices)" = 0 ] || tb_fail "vprime-back still has $(vp_count devices) device(s)"
tb_dom0_unload_modules vprime-back
tb_figure devices_added_by_watch "$(grep -c 'added vprime device' "$TB_OUT/watch.log")" ""
