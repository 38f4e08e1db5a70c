#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tap-rate.sh - the path vprime replaces, measured the way check-prime.sh's
# flood phase measures the vprime device: PRIMEX's own TAP emulation
# device on prime/models/tap-three.xml (three-guests.xml with TAPEmulation),
# its guests veth peers in network namespaces (the TAP device wants a
# netdev named veth<interface UID> and the guest's MAC equal to the UID).
# Ping g1 -> g2, then 60-byte UDP frames g1 -> g2 for SECS seconds: frames
# sent, frames g2 received, primex's CPU per frame delivered.
#
#   tap-rate.sh [SECS]        (root; make prime-models first)
#
# A measurement, not a test: run by hand (docs/prime.md has its figures).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
primex=${PRIME_PRIMEX:-$top/build/prime/primex}
models=${PRIME_MODELS:-$top/build/prime/models}
secs=${1:-5}
[ "$(id -u)" = 0 ] || { echo "tap-rate: needs root"; exit 4; }
[ -f "$models/tap-three.compiled.xml" ] || { echo "tap-rate: make prime-models first"; exit 1; }

# "uid ip" of g1, g2, g3's interfaces, from the compiled model
mapfile -t guests < <(python3 - "$models/tap-three.compiled.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
for n in ET.parse(sys.argv[1]).iter("node"):
    u = n.find("unqiueName")
    if n.get("type") == "Interface" and u is not None and u.get("value") in (
            "topnet:g1:if0", "topnet:g2:if0", "topnet:g3:if0"):
        ip = [a.text for a in n.findall("attr") if a.get("name") == "ip_address"][0]
        print(n.get("uid"), ip)
EOF
)
[ "${#guests[@]}" = 3 ] || { echo "tap-rate: cannot read the guests' UIDs"; exit 1; }
id=$$
dir=$(mktemp -d /tmp/vprime-taprate.XXXXXX)
px_pid=''
cleanup() {
	set +e
	[ -z "$px_pid" ] || { kill "$px_pid"; wait "$px_pid"; } 2>/dev/null
	for i in 1 2 3; do ip netns del "tr$id-$i" 2>/dev/null; done
	for g in "${guests[@]}"; do ip link del "veth${g%% *}" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
i=0
for g in "${guests[@]}"; do
	uid=${g%% *} ip=${g#* } i=$((i + 1)) ns=tr$id-$i
	ip netns add "$ns"
	ip link add "veth$uid" type veth peer name "trp$id-$i"
	ip link set "trp$id-$i" netns "$ns"
	ip -n "$ns" link set "trp$id-$i" address "$(printf '00:00:00:00:%02x:%02x' $((uid >> 8 & 255)) $((uid & 255)))"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	sysctl -qw "net.ipv6.conf.veth$uid.disable_ipv6=1"
	ip -n "$ns" addr add "$ip/32" dev "trp$id-$i"
	ip -n "$ns" link set "trp$id-$i" up
	ip -n "$ns" route add default dev "trp$id-$i"
	ip link set "veth$uid" up
done
g2ip=${guests[1]#* }
(cd "$dir" && exec "$primex" -e 1 $((secs + 30)) "$models/tap-three.tlv" >"$dir/primex.log" 2>&1) &
px_pid=$!
sleep 4
ip netns exec "tr$id-1" ping -c 10 -i 0.2 -W 2 "$g2ip" | tail -1
cpu() { awk '{ print $14 + $15 }' "/proc/$px_pid/stat"; }
rx() { ip -n "tr$id-2" -s link show "trp$id-2" | awk '/RX:/ { getline; print $2 }'; }
r0=$(rx) c0=$(cpu)
sent=$(ip netns exec "tr$id-1" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
end = time.monotonic() + float(sys.argv[2])
n = 0
while time.monotonic() < end:
    for _ in range(64):
        try:
            s.sendto(bytes(18), (sys.argv[1], 9))
            n += 1
        except BlockingIOError:
            pass
print(n)' "$g2ip" "$secs")
sleep 1
r1=$(rx) c1=$(cpu)
awk -v sent="$sent" -v secs="$secs" -v rx="$((r1 - r0))" -v cpu="$((c1 - c0))" \
	-v hz="$(getconf CLK_TCK)" 'BEGIN {
	printf "tap-rate: sent %d (%.0f/s), g2 received %d (%.0f/s), primex CPU %.2f s (%.1f us per frame delivered)\n",
		sent, sent / secs, rx, rx / secs, cpu / hz, rx ? cpu / hz * 1e6 / rx : 0 }'
