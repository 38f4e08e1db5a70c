# shellcheck shell=bash
# front-load: vprime-front in a guest, with no backend driver in dom0.
#
#   dom0 (no vprime-back)              guest g1
#   backend/vprime/<id>/0  state=1 <-- device/vprime/0  (vprime-front)
#                                        -> ethN, mac 00:16:3e:5a:00:01
#
# dom0 writes both xenstore directories by hand (xl knows no "vprime").
# With no backend the device never connects: the netdev must still appear
# with the xenstore MAC, show no carrier, take MTU changes within 68..1500
# (no feature-jumbo was negotiated), go down and up, print ethtool -S, and
# unbinding the device must take the netdev with it and the module must
# unload cleanly.  Then the module is loaded again (the device node is
# Closed by now: the re-probe must bring it back).  Each pass is one guest script (a guest command
# costs seconds under emulation); it prints "CHECK-FAIL reason" and exits 1
# at the first check that does not hold.
# Note: modprobe takes about 30 s here: the xenbus core waits for a
# frontend's devices to connect when its driver is loaded as a module.
# tb-timeout: 300

MAC=00:16:3e:5a:00:01

tb_guest_start g1
dom=$(tb_guest_domid g1)
FE=/local/domain/$dom/device/vprime/0
BE=/local/domain/0/backend/vprime/$dom/0

# Toolstack's part, in the order testbed.md gives: all nodes but state in
# one transaction, permissions, then both states Initialising.
xenstore-write "$BE/frontend" "$FE" "$BE/frontend-id" "$dom" "$BE/online" 1 \
	"$BE/mac" "$MAC" "$FE/backend" "$BE" "$FE/backend-id" 0 "$FE/mac" "$MAC"
xenstore-chmod -r "$BE" n0 "r$dom"
xenstore-chmod -r "$FE" "n$dom" r0
xenstore-write "$BE/state" 1 "$FE/state" 1

# The guest side of one pass (bash in the guest).
pass_script=$(cat <<EOF
set -u
fail() { echo "CHECK-FAIL \$*"; exit 1; }
t0=\$(cut -d' ' -f1 /proc/uptime)
modprobe vprime-front || fail "modprobe vprime-front"
echo "modprobe took \$(awk -v t0=\$t0 '{print \$1 - t0}' /proc/uptime) s"
i=0
while [ -z "\$(ls /sys/bus/xen/devices/vprime-0/net/ 2>/dev/null)" ]; do
	i=\$((i + 1)); [ \$i -lt 50 ] || fail "no netdev for vprime-0"; sleep 0.1
done
ifn=\$(ls /sys/bus/xen/devices/vprime-0/net/)
echo "IFNAME \$ifn"
[ "\$(cat /sys/class/net/\$ifn/address)" = $MAC ] || fail "mac \$(cat /sys/class/net/\$ifn/address), not $MAC"
ip link set \$ifn up || fail "ip link set up"
[ "\$(cat /sys/class/net/\$ifn/carrier)" = 0 ] || fail "carrier on with no backend"
ip link show \$ifn | grep -q NO-CARRIER || fail "ip link does not say NO-CARRIER"
ip link set \$ifn mtu 1280 && [ "\$(cat /sys/class/net/\$ifn/mtu)" = 1280 ] || fail "mtu 1280"
ip link set \$ifn mtu 68 && ip link set \$ifn mtu 1500 || fail "mtu 68 / 1500"
ip link set \$ifn mtu 9000 2>/dev/null && fail "mtu 9000 accepted without feature-jumbo"
ip link set \$ifn mtu 67 2>/dev/null && fail "mtu 67 accepted"
[ "\$(cat /sys/class/net/\$ifn/mtu)" = 1500 ] || fail "mtu changed by a refused request"
ip link set \$ifn address 00:16:3e:5a:00:02 && ip link set \$ifn address $MAC || fail "mac change"
for i in 1 2 3; do ip link set \$ifn down && ip link set \$ifn up || fail "down/up \$i"; done
ethtool -i \$ifn && ethtool -S \$ifn && ethtool \$ifn | grep 'Link detected' || fail "ethtool"
# A bound device pins its driver's module (xenbus_dev_probe() takes a
# reference): unbind it first, as for xen-netfront.
echo vprime-0 >/sys/bus/xen/devices/vprime-0/driver/unbind || fail "unbind vprime-0"
ip link show \$ifn >/dev/null 2>&1 && fail "\$ifn still there after unbind"
rmmod vprime-front || fail "rmmod"
dmesg | grep -E 'BUG:|Oops|WARNING:|Call Trace:' && fail "oops in the guest"
dmesg | grep vprime
echo PASS-DONE
EOF
)

run_pass() { # NAME
	local pass=$1 out k
	out=$(tb_guest_run -t 120 g1 "$pass_script") || true
	echo "$out" >"$TB_OUT/pass-$pass.txt"
	if ! echo "$out" | tb_match '^PASS-DONE'; then
		tb_fail "$pass: $(echo "$out" | grep -m1 CHECK-FAIL || echo "$out" | tail -n 2 | tr '\n' ' ')"
	fi
	for k in 'driver: vprime-front' 'rx_packets: 0' 'tx_drop_no_link:' 'grant_busy_pages: 0' \
		'be_bad_index: 0' 'notify_backend: 0' 'Link detected: no'; do
		echo "$out" | tb_match "$k" || tb_fail "$pass: ethtool output lacks '$k'"
	done
	tb_log "$pass: $(echo "$out" | grep -m1 '^IFNAME'), $(echo "$out" | grep -m1 '^modprobe took'); mac, carrier off, mtu, up/down, ethtool, rmmod ok; frontend state $(xenstore-read "$FE/state")"
}

run_pass first
run_pass reload

xenstore-rm "$FE"
xenstore-rm "/local/domain/0/backend/vprime/$dom"
tb_guest_destroy g1
