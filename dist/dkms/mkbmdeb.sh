#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkbmdeb.sh DKMS_DEB KVER OUTDIR - a binary module package for one kernel,
# built by DKMS from the vprime-dkms package: for a host (or a testbed
# image) that should not carry a compiler and kernel headers.
#
# Debian 12's dkms (3.0.10) no longer has `dkms mkbmdeb` (upstream dropped
# mkdeb/mkbmdeb in 3.0); what it keeps is the build itself for any kernel
# whose headers are installed, running or not (`dkms build -k KVER`).  So
# DKMS builds and installs the modules for KVER in a throwaway root (an
# overlay of / whose changes are dropped: DKMS writes /var/lib/dkms, a
# signing key and /lib/modules, none of it on this machine), and the
# modules it installed are packaged where it installed them
# (/lib/modules/KVER/updates/dkms, the DEST_MODULE_LOCATION of dkms.conf),
# as mkbmdeb did: vprime-modules-KVER, Provides vprime-modules, Depends on
# the kernel image, depmod in postinst and postrm as dh_installmodules
# writes them.  Needs root.
set -euo pipefail
deb=$(realpath "${1:?usage: mkbmdeb.sh DKMS_DEB KVER OUTDIR}") kver=${2:?} out=${3:?}
[ "$(id -u)" = 0 ] || { echo "mkbmdeb: needs root (mount namespace, chroot)" >&2; exit 1; }
[ -d "/usr/src/linux-headers-$kver" ] || { echo "mkbmdeb: no headers for $kver (apt install linux-headers-$kver)" >&2; exit 1; }
command -v dkms >/dev/null || { echo "mkbmdeb: no dkms (apt install dkms)" >&2; exit 1; }
autoscripts=/usr/share/debhelper/autoscripts
for s in postinst postrm; do
	[ -r "$autoscripts/$s-modules" ] ||
		{ echo "mkbmdeb: no $autoscripts/$s-modules (apt install debhelper)" >&2; exit 1; }
done
dh_version=$(dpkg-query -W -f='${Version}' debhelper)
[ "$(dpkg-deb -f "$deb" Package)" = vprime-dkms ] || { echo "mkbmdeb: $deb is not vprime-dkms" >&2; exit 1; }
version=$(dpkg-deb -f "$deb" Version)
upstream=${version%%-*}
arch=$(dpkg --print-architecture)
pkg=vprime-modules-$kver

work=$(mktemp -d /tmp/vprime-mkbmdeb.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pkg/DEBIAN" "$out"

# DKMS in the throwaway root; the modules it installed come out in $work/mods.
unshare -m --propagation private bash -s "$work" "$deb" "$kver" "$upstream" <<'OUTSIDE'
set -euo pipefail
work=$1 deb=$2 kver=$3 v=$4
r=$work/ov
mkdir -p "$r"
mount -t tmpfs -o size=1g tmpfs "$r"
mkdir -p "$r/upper" "$r/work" "$r/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$r/upper,workdir=$r/work" "$r/root"
m=$r/root
mount --rbind /dev "$m/dev"
mount -t proc proc "$m/proc"
mount --rbind /sys "$m/sys"
mount -t tmpfs tmpfs "$m/run"
mount -t tmpfs tmpfs "$m/tmp"
cp "$deb" "$m/tmp/vprime-dkms.deb"
chroot "$m" bash -euo pipefail -c '
	kver=$1 v=$2
	dpkg-deb -x /tmp/vprime-dkms.deb /
	dkms add -m vprime -v "$v" >/tmp/dkms.log 2>&1
	dkms build -m vprime -v "$v" -k "$kver" >>/tmp/dkms.log 2>&1 &&
		dkms install -m vprime -v "$v" -k "$kver" >>/tmp/dkms.log 2>&1 ||
		{ cat /tmp/dkms.log "/var/lib/dkms/vprime/$v/build/make.log" 2>/dev/null | tail -n 30; exit 1; }
	dkms status -m vprime -v "$v" -k "$kver" | grep -q ": installed" ||
		{ echo "mkbmdeb: dkms did not install vprime/$v for $kver"; exit 1; }
' mkbmdeb "$kver" "$v"
mkdir -p "$work/mods"
cp -a "$m/lib/modules/$kver/updates/dkms/." "$work/mods/"
OUTSIDE

ls "$work"/mods/vprime-front.ko* "$work"/mods/vprime-back.ko* >/dev/null ||
	{ echo "mkbmdeb: DKMS did not leave vprime-front and vprime-back" >&2; exit 1; }
for ko in "$work"/mods/*; do
	vm=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	[ "$vm" = "$kver" ] || { echo "mkbmdeb: $ko is built for '$vm', not $kver" >&2; exit 1; }
done

dest=$work/pkg/lib/modules/$kver/updates/dkms
mkdir -p "$dest" "$work/pkg/usr/share/doc/$pkg"
install -m 0644 "$work"/mods/* "$dest/"
# the source package's copyright and changelog, as for any binary package of it
dpkg-deb -x "$deb" "$work/dkms"
install -m 0644 "$work"/dkms/usr/share/doc/vprime-dkms/copyright "$work"/dkms/usr/share/doc/vprime-dkms/changelog.gz \
	"$work/pkg/usr/share/doc/$pkg/"
cat >"$work/pkg/DEBIAN/control" <<EOF
Package: $pkg
Source: vprime
Version: $version
Architecture: $arch
Maintainer: $(dpkg-deb -f "$deb" Maintainer)
Depends: linux-image-$kver
Provides: vprime-modules
Conflicts: vprime-dkms
Section: kernel
Priority: optional
Description: Xen paravirtual network device for experiments - modules
 vprime-front (guest) and vprime-back (dom0), built by DKMS from
 vprime-dkms $version for the kernel $kver, for hosts that should not
 build them themselves.
EOF
# The maintainer scripts dh_installmodules gives a kernel module package
# (DKMS's own mkbmdeb template runs it): debhelper's snippets, for KVER.
# They run depmod only where the kernel's System.map is, as linux-image
# installs it.
for s in postinst postrm; do
	snippet=$autoscripts/$s-modules
	{
		printf '#!/bin/sh\nset -e\n# Automatically added by dh_installmodules (debhelper %s)\n' "$dh_version"
		sed "s/#KVERS#/$kver/g" "$snippet"
		printf '# End automatically added section\n'
	} >"$work/pkg/DEBIAN/$s"
	chmod 0755 "$work/pkg/DEBIAN/$s"
done
(cd "$work/pkg" && find lib usr -type f -print0 | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -b "$work/pkg" "$out/" >/dev/null
echo "mkbmdeb: $out/${pkg}_${version}_$arch.deb: $(cd "$dest" && echo *)"
