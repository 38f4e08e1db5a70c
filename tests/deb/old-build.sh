#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# old-build.sh OUTDIR VERSION DEB... - the packages DEB... as an older build
# at VERSION, to test upgrades: the version and the (= ...) and (>= ...)
# relations on our packages' version rewritten (an older libvprime1's
# symbols gave its engines (>= that version)); a DKMS source tree moved to
# that version as a real older build has it (its dkms.conf and maintainer
# scripts too).
set -euo pipefail
out=${1:?usage: old-build.sh OUTDIR VERSION DEB...} old=${2:?}
shift 2
mkdir -p "$out"
x=$(mktemp -d /tmp/vprime-old-build.XXXXXX)
trap 'rm -rf "$x"' EXIT
for d in "$@"; do
	rm -rf "$x/p"
	dpkg-deb -R "$d" "$x/p"
	new=$(sed -n 's/^Version: //p' "$x/p/DEBIAN/control")
	sed -i "s/^Version: .*/Version: $old/; s/(\(>\?=\) $new)/(\1 $old)/g" "$x/p/DEBIAN/control"
	if [ -d "$x/p/usr/src/vprime-$new" ]; then
		mv "$x/p/usr/src/vprime-$new" "$x/p/usr/src/vprime-$old"
		sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$old\"/" \
			"$x/p/usr/src/vprime-$old/dkms.conf"
		sed -i "s/^DKMS_VERSION=.*/DKMS_VERSION=$old/" "$x"/p/DEBIAN/postinst "$x"/p/DEBIAN/prerm
		(cd "$x/p" && find usr -type f -print0 | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
	fi
	dpkg-deb -b -Zgzip "$x/p" "$out/" >/dev/null
done
