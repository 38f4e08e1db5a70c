#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check-deb.sh TOP DEBDIR KVER - the packages of `make deb` as a user
# installs them, without touching this machine: a throwaway root that is
# an overlay over / (every change lands in a tmpfs and is dropped at the
# end), entered with chroot in a private mount namespace, with real dpkg,
# apt and the packages' own maintainer scripts (DKMS included).  No systemd
# runs in it, so units are enabled but not started, as in any chroot.
#   1. apt-get install ./*.deb of an older build (these packages
#      repackaged as version 0.0.1, the DKMS tree moved to that version as
#      a real older build has it): files, conffile, the watch service
#      enabled and the engine not, DKMS built and installed both modules
#      for KVER (modinfo vermagic); vprime-ns3 runs from /usr/sbin on the
#      packaged libvprime.so.1;
#   2. the upgrade to these packages: the same, and only the new module
#      version is left in DKMS;
#   3. installing the same packages again works;
#   4. dpkg --purge leaves no file behind (the overlay's upper layer is
#      compared with what dpkg, apt and DKMS keep of any package).
set -euo pipefail
: "${1:?usage: check-deb.sh TOP DEBDIR KVER}"
debdir=$(cd "${2:?}" && pwd) kver=${3:?}
[ "$(id -u)" = 0 ] || { echo "check-deb: needs root (mount namespace, chroot)"; exit 1; }
ls "$debdir"/*.deb >/dev/null 2>&1 || { echo "check-deb: no .deb in $debdir (make deb)"; exit 1; }
[ -d "/usr/src/linux-headers-$kver" ] || { echo "check-deb: no headers for $kver (make deps)"; exit 1; }

work=$(mktemp -d /tmp/vprime-check-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs" "$work/old"
cp "$debdir"/*.deb "$work/debs/"

# The older build: the same packages as version 0.0.1.
old_version=0.0.1
bash "$(dirname "$0")/old-build.sh" "$work/old" "$old_version" "$work"/debs/*.deb

cat >"$work/inside.sh" <<'INSIDE'
#!/bin/bash
# Runs in the throwaway root.
set -uo pipefail
kver=$1 new=$2 old=$3
fail=0
bad() { echo "check-deb: $*"; fail=1; }
log=/tmp/check-deb.log
run() { echo "+ $*" >>$log; "$@" >>$log 2>&1 || { tail -n 30 $log; bad "failed: $*"; return 1; }; }
export DEBIAN_FRONTEND=noninteractive
pkgs="vprime-tools vprime-ns3 libvprime-dev libvprime1 vprime-dkms"
mods="/lib/modules/$kver/updates/dkms"

check_installed() { # VERSION
	local v=$1 f
	for f in /usr/sbin/vprimectl /usr/sbin/vprimed /usr/sbin/vprime-xl \
		/lib/systemd/system/vprime-watch.service /lib/systemd/system/vprimed@.service \
		/etc/vprime/default.json /usr/include/vprime/vprime.h \
		/usr/lib/x86_64-linux-gnu/libvprime.so.1.0.0 /usr/share/man/man8/vprimectl.8.gz \
		"/usr/src/vprime-$v/dkms.conf"; do
		[ -e "$f" ] || bad "$v: no $f"
	done
	[ -L /etc/systemd/system/multi-user.target.wants/vprime-watch.service ] ||
		bad "$v: vprime-watch.service not enabled"
	grep -qx /etc/vprime/default.json /var/lib/dpkg/info/vprime-tools.conffiles ||
		bad "$v: default.json is not a conffile"
	dkms status -m vprime >/tmp/dkms-status 2>&1
	grep -q "vprime/$v, $kver, .*: installed" /tmp/dkms-status ||
		bad "$v: DKMS did not install the modules for $kver: $(cat /tmp/dkms-status)"
	# (dkms status also prints readelf's warnings about 6.12's modules)
	! grep '^vprime/' /tmp/dkms-status | grep -v "^vprime/$v, " | grep -q . || bad "$v: more than one vprime in DKMS: $(cat /tmp/dkms-status)"
	# KVER, and every other kernel with headers here that dkms.conf allows
	# (BUILD_EXCLUSIVE_KERNEL): DKMS built and installed the modules for each
	local re k
	re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "/usr/src/vprime-$v/dkms.conf")
	[ -n "$re" ] || bad "$v: no BUILD_EXCLUSIVE_KERNEL in dkms.conf"
	[[ $kver =~ $re ]] || bad "$v: dkms.conf does not allow $kver ($re)"
	for k in $(ls /lib/modules); do
		[ -e "/lib/modules/$k/build" ] && [[ $k =~ $re ]] || continue
		grep -q "vprime/$v, $k, .*: installed" /tmp/dkms-status ||
			bad "$v: DKMS did not install the modules for $k: $(cat /tmp/dkms-status)"
		for m in vprime-front vprime-back; do
			local ko
			ko=$(ls "/lib/modules/$k/updates/dkms/$m.ko"* 2>/dev/null | head -n 1)
			[ -n "$ko" ] || { bad "$v: no $m module for $k"; continue; }
			modinfo -F vermagic "$ko" | grep -q "^$k " || bad "$v: $ko is not built for $k"
		done
		echo "$k" >>/tmp/kernels-built
	done
	/usr/sbin/vprimed -n -t /etc/vprime/default.json >/dev/null || bad "$v: default.json does not check"
	# vprime-ns3 runs from its installed path, on the packaged libvprime.so.1
	# and Debian's ns-3, and reads the packaged topology
	/usr/sbin/vprime-ns3 --help >/tmp/ns3-help 2>&1 && grep -q '^    --topology:' /tmp/ns3-help ||
		bad "$v: vprime-ns3 --help failed: $(head -n 3 /tmp/ns3-help)"
	ldd /usr/sbin/vprime-ns3 >/tmp/ns3-ldd 2>&1
	grep -qE 'libvprime\.so\.1 => (/usr)?/lib/[^ ]*/libvprime\.so\.1 ' /tmp/ns3-ldd ||
		bad "$v: vprime-ns3 does not load the packaged libvprime.so.1: $(grep libvprime /tmp/ns3-ldd)"
	/usr/sbin/vprime-ns3 --topology=/etc/vprime/default.json --check >/dev/null ||
		bad "$v: vprime-ns3 --check of default.json failed"
	man -w vprime-ns3 >/dev/null 2>&1 || bad "$v: man vprime-ns3 not found"
	pkg-config --exists libvprime || bad "$v: no libvprime.pc"
	man -w vprimectl >/dev/null 2>&1 || bad "$v: man vprimectl not found"
}
check_purged() { # WHAT
	local p
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'not-installed' ||
			! dpkg-query -W "$p" >/dev/null 2>&1 || bad "$1: $p still known to dpkg"
	done
	[ -z "$(dkms status -m vprime 2>/dev/null)" ] || bad "$1: DKMS still has vprime"
	ls "$mods"/vprime-* >/dev/null 2>&1 && bad "$1: modules left: $(ls $mods)"
	ls -d /usr/src/vprime-* /var/lib/dkms/vprime /etc/vprime 2>/dev/null && bad "$1: directories left"
	ls /etc/systemd/system/*.wants/vprime* 2>/dev/null && bad "$1: unit links left"
	return 0
}

# Each DKMS build takes a minute or more on a loaded 2-core machine, so
# the steps share them: a fresh install (of the older build), the upgrade,
# the same packages again, one purge.
# 1. a fresh install, as a user does (apt, local files; no Recommends:
#    there is no network here and the kernel headers are installed already)
cd /tmp/old
run apt-get install -y -q --no-install-recommends \
	./vprime-dkms_*.deb ./vprime-tools_*.deb ./libvprime1_*.deb ./libvprime-dev_*.deb \
	./vprime-ns3_*.deb
check_installed "$old"
[ ! -e /etc/systemd/system/multi-user.target.wants/vprimed@default.service ] ||
	bad "the engine was enabled without being asked"
# An engine the user enabled, so purge must clean its link too.
ln -s /lib/systemd/system/vprimed@.service \
	/etc/systemd/system/multi-user.target.wants/vprimed@default.service
# 2. the upgrade to these packages
cd /tmp/debs
run apt-get install -y -q --no-install-recommends \
	./vprime-dkms_*.deb ./vprime-tools_*.deb ./libvprime1_*.deb ./libvprime-dev_*.deb \
	./vprime-ns3_*.deb
check_installed "$new"
[ ! -e "/usr/src/vprime-$old" ] || bad "upgrade left /usr/src/vprime-$old"
[ -L /etc/systemd/system/multi-user.target.wants/vprimed@default.service ] ||
	bad "upgrade removed the engine's link"
# 3. the same packages again
run dpkg -i ./*.deb
check_installed "$new"
# 4. purge
run dpkg --purge $pkgs
check_purged purge
for k in $(sort -u /tmp/kernels-built); do
	ls "/lib/modules/$k/updates/dkms"/vprime-* >/dev/null 2>&1 && bad "purge: modules left for $k"
done
echo "check-deb: DKMS built and installed the modules for: $(sort -u /tmp/kernels-built | tr '\n' ' ')"
exit $fail
INSIDE

# The throwaway root: an overlay of / with its upper layer in a tmpfs.
rc=0
unshare -m --propagation private bash -s "$work" "$kver" "$debdir" <<'OUTSIDE' || rc=$?
set -euo pipefail
work=$1 kver=$2 debdir=$3
r=$work/ov
mkdir -p "$r"
mount -t tmpfs -o size=2g tmpfs "$r"
mkdir -p "$r/upper" "$r/work" "$r/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$r/upper,workdir=$r/work" "$r/root"
m=$r/root
mount --rbind /dev "$m/dev"
mount -t proc proc "$m/proc"
mount --rbind /sys "$m/sys"
mount -t tmpfs tmpfs "$m/run"	# no systemd, no other run state
mount -t tmpfs tmpfs "$m/tmp"
mkdir -p "$m/tmp/debs" "$m/tmp/old"
cp "$work"/debs/*.deb "$m/tmp/debs/"
cp "$work"/old/*.deb "$m/tmp/old/"
cp "$work/inside.sh" "$m/tmp/"
new=$(dpkg-deb -f "$work"/debs/vprime-tools_*.deb Version)
start=$SECONDS
rc=0
chroot "$m" bash /tmp/inside.sh "$kver" "$new" 0.0.1 || rc=$?
echo "check-deb: install, upgrade, reinstall, purge: $((SECONDS - start)) s"
cp "$m/tmp/check-deb.log" "$debdir/check-deb.log" 2>/dev/null || true
# What is left in the upper layer besides the records dpkg, apt and DKMS
# keep of any package (and the files depmod writes for a kernel whose
# image is not installed here): must be nothing.
left=$(cd "$r/upper" && find . ! -type d | sed 's|^\.||' | grep -v -E \
	'^/(var/lib/dpkg/|var/log/|var/cache/(apt|debconf|ldconfig|man)/|var/lib/apt/|tmp/|run/|etc/ld\.so\.cache$|(usr/)?lib/modules/[^/]+/modules\.[a-z.]+$|var/lib/dkms/mok\.(key|pub)$|var/lib/systemd/deb-systemd-helper-(enabled|masked)/?$)' || true)
if [ -n "$left" ]; then
	echo "check-deb: left behind after purge:"
	echo "$left" | sed 's/^/    /'
	rc=1
fi
exit $rc
OUTSIDE
[ "$rc" = 0 ] && echo "check-deb: PASS (log: $debdir/check-deb.log)"
exit "$rc"
