#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check-install.sh TOP BUILD - `make install` as a packager runs it
# (PREFIX=/usr, DESTDIR) and as a user of another distribution does
# (PREFIX=/usr/local): the files land where the knobs say, an engine
# written in C and one in C++ build against the installed headers alone
# (pkg-config, shared and static), the shared one runs with the installed
# library and its soname, and `make uninstall` leaves nothing behind.
set -euo pipefail
top=${1:?usage: check-install.sh TOP BUILD} build=${2:?}
work=$(mktemp -d "$build/install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0 ns3=
bad() { echo "install: $*"; fail=1; }
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top" "$@" >"$work/make.log" 2>&1 ||
	{ cat "$work/make.log"; bad "make $*"; return 1; }; }

# An engine's first lines, from C and from C++: open a device that is not
# there and get the library's -ENOENT back.
cat >"$work/engine.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <vprime/vprime.h>
int main(void)
{
	struct vprime *vp = NULL;
	int r = vprime_open(&vp, "/nonexistent/vprime", NULL);
	printf("%d %s\n", r == -ENOENT, vprime_lib_stat_name(0));
	return r == -ENOENT ? 0 : 1;
}
C
cp "$work/engine.c" "$work/engine.cc"

check_prefix() { # PREFIX LIBDIR
	local prefix=$1 libdir=$2 d=$work/root
	rm -rf "$d"
	mk install DESTDIR="$d" PREFIX="$prefix" libdir="$libdir" || return 0
	local sys=/etc
	[ "$prefix" = /usr ] || sys=$prefix/etc
	for f in "$prefix/sbin/vprimectl" "$prefix/sbin/vprimed" "$prefix/sbin/vprime-xl" \
		"$libdir/libvprime.so.1.0.0" "$libdir/libvprime.a" \
		"$prefix/include/vprime/vprime.h" "$libdir/pkgconfig/libvprime.pc" \
		"$sys/vprime/default.json" "$prefix/share/man/man8/vprimectl.8" \
		"$prefix/share/man/man5/vprime-topology.5" "$prefix/share/man/man3/libvprime.3"; do
		[ -f "$d$f" ] || bad "$prefix: no $f"
	done
	[ "$(readlink "$d$libdir/libvprime.so.1")" = libvprime.so.1.0.0 ] || bad "$prefix: libvprime.so.1 link"
	[ "$(readlink "$d$libdir/libvprime.so")" = libvprime.so.1 ] || bad "$prefix: libvprime.so link"
	readelf -d "$d$libdir/libvprime.so.1.0.0" >"$work/dyn"
	grep -q 'SONAME.*\[libvprime.so.1\]' "$work/dyn" ||
		bad "$prefix: soname is not libvprime.so.1"
	grep -rq "ExecStart=$prefix/sbin/vprimectl watch --config-dir /etc/xen" "$d" \
		--include=vprime-watch.service ||
		bad "$prefix: vprime-watch.service does not run $prefix/sbin/vprimectl"
	grep -rq "ExecStart=$prefix/sbin/vprimed -t $sys/vprime/%i.json" "$d" --include='vprimed@.service' ||
		bad "$prefix: vprimed@.service does not run vprimed on $sys/vprime/NAME.json"
	# The library exports exactly the functions of its header, versioned.
	local exp hdr
	exp=$(nm -D --defined-only "$d$libdir/libvprime.so.1.0.0" | awk '$2 == "T" { print $3 }' | sort)
	hdr=$(grep -oE '^[a-z][a-z0-9_ *]* \**(vprime_[a-z0-9_]+)\(' "$d$prefix/include/vprime/vprime.h" |
		grep -oE 'vprime_[a-z0-9_]+' | sort -u | sed 's/$/@@VPRIME_1/')
	[ "$exp" = "$hdr" ] || bad "$prefix: libvprime.so exports other than vprime.h's functions: $(diff <(echo "$hdr") <(echo "$exp") | grep '^[<>]' | tr '\n' ' ')"
	# vprime-ns3, when built (ns-3 installed): installed, linked against the
	# installed libvprime.so.1, and it runs from there.
	if [ -x "$build/bin/vprime-ns3" ]; then
		[ -x "$d$prefix/sbin/vprime-ns3" ] || bad "$prefix: vprime-ns3 not installed"
		[ -f "$d$prefix/share/man/man8/vprime-ns3.8" ] || bad "$prefix: vprime-ns3.8 not installed"
		LD_LIBRARY_PATH=$d$libdir ldd "$d$prefix/sbin/vprime-ns3" >"$work/ldd" 2>&1 || true
		grep -q "libvprime.so.1 => $d$libdir/libvprime.so.1" "$work/ldd" ||
			bad "$prefix: vprime-ns3 does not load the installed libvprime.so.1: $(grep libvprime "$work/ldd")"
		if ! { LD_LIBRARY_PATH=$d$libdir "$d$prefix/sbin/vprime-ns3" --help >"$work/ns3-help" 2>&1 &&
			grep -q '^    --topology:' "$work/ns3-help"; }; then
			bad "$prefix: the installed vprime-ns3 --help failed: $(head -n 3 "$work/ns3-help")"
		fi
		ns3=" and vprime-ns3"
	fi
	if grep -rlI "$top" "$d" >/dev/null 2>&1; then
		bad "$prefix: an installed text file names the build tree: $(grep -rlI "$top" "$d")"
	fi

	# Build against the installed files only: pkg-config with the staging
	# root as sysroot, no -I of the source tree.
	export PKG_CONFIG_PATH=$d$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$d
	local cflags libs
	cflags=$(pkg-config --cflags libvprime) libs=$(pkg-config --libs libvprime)
	# shellcheck disable=SC2086
	{
		cc -std=c11 -Wall -Wextra -Werror -I"$d$prefix/include" $cflags -o "$work/e-c" \
			"$work/engine.c" $libs &&
		g++ -std=c++17 -Wall -Wextra -Werror -I"$d$prefix/include" $cflags -o "$work/e-cxx" \
			"$work/engine.cc" $libs &&
		g++ -std=gnu++98 -Wall -Wextra -Werror -I"$d$prefix/include" $cflags -o "$work/e-cxx98" \
			"$work/engine.cc" $libs &&
		cc -std=c11 -Wall -Wextra -Werror -I"$d$prefix/include" $cflags -o "$work/e-static" \
			"$work/engine.c" "$d$libdir/libvprime.a"
	} 2>"$work/cc.log" || { cat "$work/cc.log"; bad "$prefix: an engine does not build against the installed files"; }
	unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
	for e in e-c e-cxx e-cxx98; do
		[ -x "$work/$e" ] || continue
		LD_LIBRARY_PATH=$d$libdir "$work/$e" >/dev/null || bad "$prefix: $e did not run"
		LD_LIBRARY_PATH=$d$libdir ldd "$work/$e" >"$work/ldd"
		grep -q "libvprime.so.1 => $d$libdir/libvprime.so.1" "$work/ldd" ||
			bad "$prefix: $e does not load the installed libvprime.so.1"
	done
	[ ! -x "$work/e-static" ] || "$work/e-static" >/dev/null || bad "$prefix: the static engine did not run"
	rm -f "$work"/e-*

	# make install twice is fine; an edited configuration survives it and
	# uninstall, and is all that is left.
	echo '{"nodes":[{"name":"s","type":"switch"}]}' >"$d$sys/vprime/default.json"
	mk install DESTDIR="$d" PREFIX="$prefix" libdir="$libdir" || return 0
	grep -q '"s"' "$d$sys/vprime/default.json" || bad "$prefix: install overwrote an edited default.json"
	mk uninstall DESTDIR="$d" PREFIX="$prefix" libdir="$libdir" || return 0
	local left
	left=$(find "$d" -type f -o -type l | sed "s|^$d||")
	[ "$left" = "$sys/vprime/default.json" ] || bad "$prefix: uninstall left: $left"
	rm -f "$d$sys/vprime/default.json"
	mk install DESTDIR="$d" PREFIX="$prefix" libdir="$libdir" || return 0
	mk uninstall DESTDIR="$d" PREFIX="$prefix" libdir="$libdir" || return 0
	left=$(find "$d" -type f -o -type l | sed "s|^$d||")
	[ -z "$left" ] || bad "$prefix: uninstall of an unedited install left: $left"
}

check_prefix /usr /usr/lib/x86_64-linux-gnu
check_prefix /usr/local /usr/local/lib

[ "$fail" = 0 ] && echo "install: PREFIX=/usr and /usr/local: files, C/C++ engines against the installed headers and library$ns3, uninstall"
exit "$fail"
