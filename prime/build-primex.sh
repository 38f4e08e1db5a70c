#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build-primex.sh - build PRIMEX (primex + jprime.jar) with vprime's patches
# and emulation device, cached outside the tree.
#
#   build-primex.sh OUTDIR LIBVPRIME_A
#
# Source: PRIMEX_SRC (a checkout of netsym/primogeni at the pinned commit,
# holding netsim/ and netscript/) if set, else PRIMEX_TARBALL (the snapshot
# under ../shared/third_party/primex).  The tree is copied to
# OUTDIR/src (the build rewrites tracked files), prime/patches/series is
# applied with patch -p1, prime/overlay/ is copied over it, and netsim is
# built (make ssfnet) and netscript jarred (ant jar).
#
# Cache: ~/.cache/vprime-primex/<key>/ where key hashes the source (the
# tarball's bytes, or the checkout's commit and status), every file under
# prime/patches and prime/overlay, libvprime's sources (it is linked in),
# and this script.  A hit copies primex, jprime.jar and its lib/ into
# OUTDIR and returns in a second.  The three newest builds are kept.
set -euo pipefail

out=${1:?usage: build-primex.sh OUTDIR LIBVPRIME_A}
libvprime=${2:?usage: build-primex.sh OUTDIR LIBVPRIME_A}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
snapshot=third_party/primex/primogeni-763cf746-netsim-netscript.tar.xz
# ../shared beside the main repository (or beside a worktree's parent)
tarball=${PRIMEX_TARBALL:-}
if [ -z "$tarball" ]; then
	tarball=$top/../shared/$snapshot
	[ -f "$tarball" ] || [ ! -f "$top/../../shared/$snapshot" ] ||
		tarball=$top/../../shared/$snapshot
fi
pinned=763cf746dcd7c9c4d3d20d328899cb96efe6da69
cache_root=${VPRIME_PRIMEX_CACHE:-$HOME/.cache/vprime-primex}
jobs=${PRIMEX_JOBS:-2}

log() { echo "prime: $*"; }
die() { echo "prime: $*" >&2; exit 1; }

# ---- the key -------------------------------------------------------------
prime_source_id() {
	if [ -n "${PRIMEX_SRC:-}" ]; then
		[ -d "$PRIMEX_SRC/netsim" ] && [ -d "$PRIMEX_SRC/netscript" ] ||
			die "PRIMEX_SRC=$PRIMEX_SRC has no netsim/ and netscript/"
		if git -C "$PRIMEX_SRC" rev-parse HEAD >/dev/null 2>&1; then
			local head
			head=$(git -C "$PRIMEX_SRC" rev-parse HEAD)
			[ "$head" = "$pinned" ] ||
				log "warning: PRIMEX_SRC is at $head, not the pinned $pinned"
			echo "git $head"
			git -C "$PRIMEX_SRC" status --porcelain -- netsim netscript | sha256sum
		else
			echo "dir"
			(cd "$PRIMEX_SRC" && find netsim netscript -type f -print0 |
				sort -z | xargs -0 sha256sum) | sha256sum
		fi
	else
		[ -f "$tarball" ] || die "no PRIMEX source: set PRIMEX_SRC, or put the snapshot at $tarball"
		local sums
		sums=$(dirname "$tarball")/SHA256SUMS
		if [ -f "$sums" ]; then
			(cd "$(dirname "$tarball")" && sha256sum --quiet -c "$sums") ||
				die "$tarball does not match $sums"
		fi
		sha256sum < "$tarball"
	fi
}

prime_key() {
	{
		prime_source_id
		(cd "$top" && find prime/patches prime/overlay -type f -print0 |
			sort -z | xargs -0 sha256sum)
		(cd "$top" && sha256sum lib/*.c lib/*.h common/*.h common/vp_area.c)
		sha256sum < "$here/build-primex.sh"
		g++ --version | head -1
	} | sha256sum | cut -c1-16
}

prime_install() {
	local from=$1
	mkdir -p "$out"
	rm -rf "$out/lib"
	cp -a "$from/primex" "$from/jprime.jar" "$from/lib" "$from/BUILD-INFO" "$out/"
}

key=$(prime_key)
cache=$cache_root/$key
if [ -f "$cache/BUILD-INFO" ]; then
	prime_install "$cache"
	log "primex and jprime.jar from the cache $cache"
	exit 0
fi

# ---- a cold build -------------------------------------------------------
for tool in g++ make flex bison ant patch; do
	command -v "$tool" >/dev/null || die "no $tool (make deps)"
done
java_home=${JAVA_HOME:-}
if [ -z "$java_home" ] || [ ! -f "$java_home/include/jni.h" ]; then
	java_home=
	for d in /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/default-java; do
		[ -f "$d/include/jni.h" ] && { java_home=$d; break; }
	done
fi
[ -n "$java_home" ] || die "no JDK with jni.h (make deps installs openjdk-17-jdk-headless)"
jython=
for j in /usr/share/java/jython.jar /usr/share/java/jython-*.jar; do
	[ -f "$j" ] && { jython=$(readlink -f "$j"); break; }
done
[ -n "$jython" ] || die "no jython.jar under /usr/share/java (make deps installs jython)"

start=$(date +%s)
src=$out/src
export JAVA_HOME=$java_home
# A tree already configured from the same source, patches and script is
# rebuilt in place (an overlay file that changed is copied over, and make
# rebuilds what depends on it); anything else starts from scratch.
stamp=$( { prime_source_id; sha256sum "$here"/patches/*; } | sha256sum | cut -c1-16)
if [ -f "$src/.vprime-stamp" ] && [ "$(cat "$src/.vprime-stamp")" = "$stamp" ]; then
	log "rebuilding $src in place (key $key)"
	how="in place"
	(cd "$here/overlay" && find . -type f) | while read -r f; do
		cmp -s "$here/overlay/$f" "$src/$f" || cp "$here/overlay/$f" "$src/$f"
	done
	rm -f "$src/netsim/primex"	# relinked: libvprime.a may have changed
else
	log "cold build in $src (key $key); 6 to 40 minutes by the machine's load"
	how=cold
	rm -rf "$src"
	mkdir -p "$src"
	if [ -n "${PRIMEX_SRC:-}" ]; then
		cp -a "$PRIMEX_SRC/netsim" "$PRIMEX_SRC/netscript" "$src/"
	else
		tar -xJf "$tarball" -C "$src" --strip-components=1
	fi
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		patch -d "$src" -p1 --forward --quiet < "$here/patches/$p" ||
			die "patch $p does not apply"
	done < "$here/patches/series"
	cp -a "$here/overlay/." "$src/"
	cp "$jython" "$src/netscript/lib/jython.jar"
	(cd "$src/netsim" && CXXFLAGS="-std=gnu++98 -g -O2" ./configure > "$out/configure.log" 2>&1) ||
		{ tail -20 "$out/configure.log"; die "configure failed ($out/configure.log)"; }
	echo "$stamp" > "$src/.vprime-stamp"
fi

vprime_flags="-I$top/lib -I$top/common"
(
	cd "$src/netsim"
	# PRIMEX's makefiles miss some dependencies on generated files, so
	# they race under -j: two bison rules that make two files each, and
	# SSF's mac/globals.h, which SSFNet's objects include without saying
	# so.  Those first, one at a time; and should another race stop the
	# parallel make, one serial pass finishes what it left.
	nice -n 10 make -j1 "$PWD/src/dml/dml-syntax.cc" \
		"$PWD/tools/ssfnet-xlate/generator_parser.cc" \
		"$PWD/src/ssf/mac/globals.h" > "$out/make.log" 2>&1 &&
	{ nice -n 10 make -j"$jobs" ssfnet metis VPRIME_CFLAGS="$vprime_flags" \
		VPRIME_LIBS="$libvprime" >> "$out/make.log" 2>&1 ||
	  { echo "prime: parallel make stopped; one serial pass" >> "$out/make.log";
	    nice -n 10 make -j1 ssfnet metis VPRIME_CFLAGS="$vprime_flags" \
		VPRIME_LIBS="$libvprime" >> "$out/make.log" 2>&1; }; } ||
		{ grep -E 'error|Error' "$out/make.log" | head -30; exit 1; }
) || die "netsim build failed (logs in $out)"
(
	cd "$src/netscript"
	nice -n 10 ant -q jar > "$out/ant.log" 2>&1 || { tail -30 "$out/ant.log"; exit 1; }
) || die "jprime build failed ($out/ant.log)"

stage=$cache_root/.tmp-$key-$$
rm -rf "$stage"
mkdir -p "$stage/lib"
cp "$src/netsim/primex" "$stage/primex"
cp "$src/netscript/dist/jprime.jar" "$stage/jprime.jar"
cp "$src"/netscript/lib/*.jar "$stage/lib/"
end=$(date +%s)
{
	echo "key $key"
	echo "source $(prime_source_id | head -1)"
	echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname) in $((end - start)) s ($how, make -j$jobs)"
	echo "compiler $(g++ --version | head -1)"
	echo "jdk $java_home; jython $jython"
} > "$stage/BUILD-INFO"
rm -rf "$cache"
mv "$stage" "$cache"
# keep the three newest builds (about 56 MB each)
(cd "$cache_root" && ls -1td -- */ | tail -n +4 | xargs -r rm -rf --)
prime_install "$cache"
log "built in $((end - start)) s; cached at $cache"
