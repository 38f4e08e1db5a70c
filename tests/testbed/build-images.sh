#!/bin/bash
# Build everything a testbed boot needs, under build/testbed/ (gitignored):
#
#   1. fetch   apt-get download the pinned TB_IMAGE_PKGS (versions.env) into
#              the .deb cache ($VPRIME_TESTBED_CACHE or ~/.cache/vprime-testbed),
#              reused between runs; drift from the pins is an error.
#   2. stage   dpkg -x them into build/testbed/stage, depmod.
#   3. modules make -C <top> modules KDIR=...; every .ko left in build/modules
#              goes into both images (override the dir: TESTBED_MODULES_DIR;
#              skip the make: TESTBED_BUILD_MODULES=0).
#   4. images  xen (gunzipped), dom0 vmlinuz, guest vmlinux (gzip), and two
#              initramfs, each a concatenation of uncompressed cpio archives:
#              a cached "base" layer (busybox, Xen tools, libraries, Debian
#              modules) and a small "overlay" rebuilt every time (init scripts,
#              our .ko files, regenerated modules.dep). The guest ramdisk
#              travels inside the dom0 initramfs.
#
# Nothing is installed on the host. Output: build/testbed/images/.
set -euo pipefail
. "$(dirname "$0")/lib/host.sh"

ABI=$TB_KERNEL_ABI
MODDIR=${TESTBED_MODULES_DIR:-$TB_TOP/build/modules}

# Debian kernel modules each image needs (dependencies are added).
DOM0_KMODS="xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xen-netback
xen-netfront bridge virtio_pci 9pnet_virtio 9p tun veth dummy pktgen
sch_netem sch_tbf ifb"
# sch_ingress, cls_matchall, act_csum: ns3-bench fills the checksums netfront
# leaves to its backend (ns-3's FdNetDevice reads frames as they are).
GUEST_KMODS="xen-netfront pktgen dummy veth tun sch_netem sch_ingress cls_matchall act_csum"

# Host binaries copied into the images with their libraries.
DOM0_BINS="bash flock ip bridge tc ss tcpdump iperf3 ethtool kmod"
# dpkg in dom0, for the scenario that installs our .debs (installed.sh):
# dpkg -i runs dpkg-deb and dpkg-split, and wants ldconfig in PATH;
# dpkg-deb unpacks with GNU tar (busybox's lacks its options).  Dash is
# the /bin/sh maintainer scripts are written for (Debian's); busybox's sh
# runs its own applets first, and its depmod writes no modules.*.bin, so
# kmod's modprobe would not see a module package's modules.  Dash is
# /bin/sh only while that scenario runs: init and the other scenarios'
# `sh -c` keep busybox's.
DOM0_DPKG_BINS="dpkg dpkg-deb dpkg-split dpkg-query tar ldconfig dash"
GUEST_BINS="bash ip tc ss tcpdump iperf3 ethtool kmod"
# Xen binaries (from the staged .debs).
XEN_BINS="xl xenstored xenconsoled xen-init-dom0 xentop lsevtchn xenstore-control"
# busybox applets not to link (real tools are used instead, or none wanted)
BB_SKIP="brctl"

need() { command -v "$1" >/dev/null || tb_die "host tool '$1' missing: run 'make testbed-deps' (tests/testbed/install-deps.sh)"; }
for t in apt-get dpkg dpkg-deb cpio gzip xz depmod modprobe ldd sha256sum; do need "$t"; done
[ -x /bin/busybox ] || tb_die "/bin/busybox missing: run 'make testbed-deps'"

mkdir -p "$TB_CACHE" "$TB_BUILD" "$TB_IMAGES" "$TB_WORK"

# ---------------------------------------------------------------- 1. fetch
fetch() {
	local spec name want served file missing=() names=()
	for spec in $TB_IMAGE_PKGS; do
		tb_deb_file "$spec" >/dev/null || { missing+=("$spec"); names+=("${spec%%=*}"); }
	done
	if [ ${#missing[@]} -eq 0 ]; then
		tb_log "fetch: all pinned .debs cached in $TB_CACHE"
		return
	fi
	local get=() avail
	avail=$(tb_apt_versions "${names[@]}")
	for spec in "${missing[@]}"; do
		name=${spec%%=*} want=${spec#*=}
		if grep -qxF -- "$name $want" <<<"$avail"; then
			get+=("$spec")
		else
			served=$(tb_apt_candidate "$name")
			if [ "${TESTBED_ALLOW_DRIFT:-0}" = 1 ] && [ -n "$served" ]; then
				tb_warn "DRIFT: $name pinned $want, apt serves $served; using it (TESTBED_ALLOW_DRIFT=1)"
				get+=("$name=$served")
			else
				tb_die "version drift: apt no longer serves $name=$want (it serves: ${served:-nothing}); test the new version, update tests/testbed/versions.env, or set TESTBED_ALLOW_DRIFT=1 for a trial"
			fi
		fi
	done
	tb_log "fetch: apt-get download ${#get[@]} package(s) into $TB_CACHE"
	# _apt cannot write root's cache: download as root
	(cd "$TB_CACHE" && apt-get download -o APT::Sandbox::User=root "${get[@]}") >"$TB_WORK/fetch.log" 2>&1 ||
		tb_die "apt-get download failed: $(tail -n 1 "$TB_WORK/fetch.log")"
	for spec in "${get[@]}"; do
		file=$(tb_deb_file "$spec") || tb_die "apt-get download did not produce a .deb for $spec"
		if [ "$spec" != "$(dpkg-deb -f "$file" Package)=$(dpkg-deb -f "$file" Version)" ]; then
			tb_die "downloaded $file is not $spec"
		fi
	done
}

# The .deb files used (with TESTBED_ALLOW_DRIFT=1, whatever version is cached).
deb_files() {
	local spec f
	for spec in $TB_IMAGE_PKGS; do
		f=$(tb_deb_file "$spec") ||
			f=$(find "$TB_CACHE" -maxdepth 1 -name "${spec%%=*}_*.deb" | sort | tail -n 1)
		[ -n "$f" ] || tb_die "no .deb for $spec in $TB_CACHE"
		echo "$f"
	done
}

# ---------------------------------------------------------------- 2. stage
stage() {
	local stamp f
	stamp=$(deb_files | xargs -n1 basename | tb_hash)
	if [ -f "$TB_STAGE/.stamp" ] && [ "$(cat "$TB_STAGE/.stamp")" = "$stamp" ]; then
		tb_log "stage: up to date"
		return
	fi
	rm -rf "$TB_STAGE"
	mkdir -p "$TB_STAGE"
	while read -r f; do dpkg -x "$f" "$TB_STAGE"; done < <(deb_files)
	depmod -b "$TB_STAGE" "$ABI"
	echo "$stamp" >"$TB_STAGE/.stamp"
	tb_log "stage: unpacked $(deb_files | wc -l) .debs"
}

# ---------------------------------------------------------------- 3. modules
build_modules() {
	if [ "${TESTBED_BUILD_MODULES:-1}" = 1 ]; then
		local kdir
		kdir=$(tb_kdir)
		[ -d "$kdir" ] || tb_die "kernel headers $kdir missing: run 'make testbed-deps'"
		tb_log "modules: make -C $TB_TOP modules KDIR=$kdir"
		if ! make -C "$TB_TOP" modules KDIR="$kdir" >"$TB_WORK/modules-build.log" 2>&1; then
			tail -n 30 "$TB_WORK/modules-build.log" >&2
			tb_die "'make modules' failed (log: $TB_WORK/modules-build.log): $(grep -m1 -E 'error|Error|No rule' "$TB_WORK/modules-build.log" || tail -n 1 "$TB_WORK/modules-build.log")"
		fi
	fi
	local n=0
	[ -d "$MODDIR" ] && n=$(find "$MODDIR" -maxdepth 1 -name '*.ko' | wc -l)
	tb_log "modules: $n .ko file(s) in $MODDIR"
	local ko vm
	for ko in "$MODDIR"/*.ko; do
		[ -e "$ko" ] || continue
		vm=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
		[ "$vm" = "$ABI" ] || tb_die "$ko has vermagic '$vm', the testbed kernel is $ABI"
	done
}

# ---------------------------------------------------------------- 3b. packages
# For scenario `installed`: the .debs of `make deb` (build/deb) as a user
# installs them.  DKMS builds the modules for the testbed's kernel into a
# binary module package (dist/dkms/mkbmdeb.sh), and each package dom0
# installs also exists as an older build (0.0.1) to upgrade from.  Output:
# build/deb/testbed (removed by the next `make deb`, so never stale), made
# again only when the .debs change.  Without build/deb: nothing to do.
DEB_DIR=$TB_TOP/build/deb
DEB_TB=$DEB_DIR/testbed
packages() {
	local dkms stamp
	dkms=$(find "$DEB_DIR" -maxdepth 1 -name 'vprime-dkms_*.deb' 2>/dev/null | head -n 1) || true # no build/deb: find fails
	if [ -z "$dkms" ]; then
		tb_log "packages: no build/deb/vprime-dkms_*.deb ('make deb' makes them; scenario installed needs them)"
		return
	fi
	stamp=$({ echo "$ABI"; sha256sum "$DEB_DIR"/*.deb "$TB_TOP/dist/dkms/mkbmdeb.sh" \
		"$TB_TOP/tests/deb/old-build.sh" | cut -c1-64; } | tb_hash)
	if [ "$(cat "$DEB_TB/.stamp" 2>/dev/null)" = "$stamp" ]; then
		tb_log "packages: $DEB_TB up to date"
		return
	fi
	rm -rf "$DEB_TB"
	mkdir -p "$DEB_TB/old"
	tb_log "packages: DKMS builds the modules for $ABI (dist/dkms/mkbmdeb.sh)"
	bash "$TB_TOP/dist/dkms/mkbmdeb.sh" "$dkms" "$ABI" "$DEB_TB" >"$TB_WORK/mkbmdeb.log" 2>&1 || {
		tail -n 20 "$TB_WORK/mkbmdeb.log" >&2
		tb_die "mkbmdeb.sh failed (log: $TB_WORK/mkbmdeb.log)"
	}
	bash "$TB_TOP/tests/deb/old-build.sh" "$DEB_TB/old" 0.0.1 "$DEB_TB"/vprime-modules-*.deb \
		"$DEB_DIR"/vprime-tools_*.deb "$DEB_DIR"/libvprime1_*.deb
	echo "$stamp" >"$DEB_TB/.stamp"
	tb_log "packages: $(cd "$DEB_TB" && echo *.deb old/*.deb)"
}

# ---------------------------------------------------------------- helpers
# copy_file ROOT PATH [DEST]: copy a file (dereferenced) into ROOT at DEST
# (default: PATH, with a leading /lib, /bin, /sbin moved under /usr).
usr_path() {
	case $1 in
	/usr/*) echo "$1" ;;
	/lib/* | /lib64/* | /bin/* | /sbin/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}
copy_file() {
	local root=$1 src=$2 dst=${3:-}
	[ -n "$dst" ] || dst=$(usr_path "$src")
	mkdir -p "$root$(dirname "$dst")"
	cp -L "$src" "$root$dst"
}
# copy_bin ROOT BINARY [DEST]: binary and the libraries ldd finds (the Xen
# libraries from the stage).
copy_libs() { # ROOT BIN: the shared libraries BIN needs (ldd), into ROOT
	local root=$1 bin=$2 lib
	while read -r lib; do
		case $lib in
		"$TB_STAGE"/*) copy_file "$root" "$lib" "${lib#"$TB_STAGE"}" ;;
		/*) copy_file "$root" "$lib" ;;
		esac
	done < <(LD_LIBRARY_PATH=$TB_STAGE/usr/lib/x86_64-linux-gnu ldd "$bin" 2>/dev/null |
		awk '/=> \// {print $3} /^[ \t]*\/[^ ]+ \(/ {print $1}')
}
copy_bin() {
	local root=$1 bin=$2 dst=${3:-}
	copy_file "$root" "$bin" "$dst"
	copy_libs "$root" "$bin"
	local missing
	# captured, not piped into grep -q: under pipefail ldd's SIGPIPE after
	# the match would read as "nothing missing"
	missing=$(LD_LIBRARY_PATH=$TB_STAGE/usr/lib/x86_64-linux-gnu ldd "$bin" 2>&1 | grep 'not found' || true)
	[ -z "$missing" ] || tb_die "$bin: libraries not found: $(echo "$missing" | tr -s ' \n' ' ')"
}
host_bin() { command -v "$1" || tb_die "host binary '$1' missing: run 'make testbed-deps'"; }
# repo_bin_libs ROOT: the shared libraries of the project's own dom0 programs
# (build/bin: vprimed, vprimectl, vpfwd, ...; build/prime/primex), which dom0 runs from the
# read-only repository share; the programs themselves stay on the share.
repo_bin_libs() {
	local root=$1 bin
	for bin in "$TB_TOP"/build/bin/*; do
		[ -f "$bin" ] && [ -x "$bin" ] || continue
		[ "$(head -c 4 "$bin" | tail -c 3)" = ELF ] || continue
		# vprime-ns3 pulls 23 MB of ns-3 libraries: make stages them in
		# build/ns3/dom0-libs and the ns3 scenarios load them over the
		# share, not from dom0's RAM (docs/testbed.md, "ns-3 in dom0").
		[ "$(basename "$bin")" != vprime-ns3 ] || continue
		copy_libs "$root" "$bin"
	done
	# primex (make prime: PRIMEX with the vprime device), which the prime
	# scenarios run from the share the same way
	[ ! -x "$TB_TOP/build/prime/primex" ] || copy_libs "$root" "$TB_TOP/build/prime/primex"
}

# deb_bin_libs ROOT: the shared libraries of the programs in make deb's
# vprime-tools (scenario installed), whether or not build/bin was built.
deb_bin_libs() {
	local root=$1 deb bin x=$TB_WORK/deb-tools
	deb=$(find "$DEB_DIR" -maxdepth 1 -name 'vprime-tools_*.deb' 2>/dev/null | head -n 1) || true
	[ -n "$deb" ] || return 0
	rm -rf "$x"
	dpkg-deb -x "$deb" "$x"
	for bin in "$x"/usr/sbin/*; do copy_libs "$root" "$bin"; done
	rm -rf "$x"
}

# dpkg_status BASEROOT OVLROOT: dom0's dpkg database (OVLROOT's
# /var/lib/dpkg/status) records the packages whose files the image carries:
# those that own its shared libraries on this host, and the Xen and kernel
# packages unpacked from the cache.  Only what identifies a package is
# kept (not its own Depends: the image carries part of each), so dpkg -i
# of our packages checks their dependencies against what is really there.
status_fields() { # control text on stdin: the identifying fields, Status added
	awk 'BEGIN { keep["Package"] = keep["Priority"] = keep["Section"] = 1
		keep["Installed-Size"] = keep["Maintainer"] = keep["Architecture"] = 1
		keep["Multi-Arch"] = keep["Source"] = keep["Version"] = keep["Provides"] = 1
		keep["Description"] = 1 }
	/^[^ \t]/ { f = $0; sub(/:.*/, "", f); k = (f in keep)
		if (f == "Package") print $0 "\nStatus: install ok installed"
		else if (k) print; next }
	k { print }'
}
dpkg_status() {
	local base=$1 ovl=$2 f names=() p seen=" " st=$2/var/lib/dpkg/status
	mkdir -p "$ovl/var/lib/dpkg/info"
	: >"$st"
	while read -r f; do
		p=$(dpkg-deb -f "$f" Package)
		seen="$seen$p "
		{ dpkg-deb -f "$f" | status_fields; echo; } >>"$st"
	done < <(deb_files)
	for f in "$base"/usr/lib/x86_64-linux-gnu/*.so* "$ovl"/usr/lib/x86_64-linux-gnu/*.so*; do
		[ -e "$f" ] || continue
		names+=("/lib/x86_64-linux-gnu/${f##*/}" "/usr/lib/x86_64-linux-gnu/${f##*/}")
	done
	while read -r p; do
		case $seen in *" $p "*) continue ;; esac
		seen="$seen$p "
		{ dpkg-query -s "$p" | status_fields; echo; } >>"$st"
	done < <(dpkg -S "${names[@]}" 2>/dev/null | sed 's/[:,].*//' | sort -u)
	# an empty file list each (dpkg warns about a missing one): the
	# image's files stay nobody's, so purging ours never removes them
	awk '/^Package:/ { p = $2 } /^Architecture:/ { a = $2 }
		/^Multi-Arch: same/ { m = 1 }
		/^$/ { if (p != "") print (m ? p ":" a : p); p = ""; m = 0 }' "$st" |
		while read -r p; do : >"$ovl/var/lib/dpkg/info/$p.list"; done
	tb_log "images: dom0's dpkg status: $(grep -c '^Package:' "$st") packages"
}

# skeleton ROOT: usr-merged tree, busybox and its applet links.
skeleton() {
	local root=$1 a
	rm -rf "$root"
	mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,etc,proc,sys,dev,run,tmp,root,mnt,var/lib,var/log}
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	ln -s ../run "$root/var/run"
	ln -s ../run/lock "$root/var/lock"
	chmod 1777 "$root/tmp"
	cp /bin/busybox "$root/usr/bin/busybox"
	for a in $(/bin/busybox --list); do
		case " $BB_SKIP busybox " in *" $a "*) continue ;; esac
		ln -s busybox "$root/usr/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"
	printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
	# real tools replace busybox applets of the same name
	copy_file "$root" /lib/x86_64-linux-gnu/libgcc_s.so.1
}
# replace_bin ROOT HOSTBIN...: copy host binaries into /usr/bin over applets
replace_bins() {
	local root=$1 b p
	shift
	for b in "$@"; do
		p=$(host_bin "$b")
		rm -f "$root/usr/bin/$b" "$root/usr/sbin/$b"
		copy_bin "$root" "$p" "/usr/bin/$b"
	done
	if [ -e "$root/usr/bin/kmod" ]; then
		for b in modprobe insmod rmmod lsmod modinfo depmod; do
			rm -f "$root/usr/bin/$b" "$root/usr/sbin/$b"
			ln -s kmod "$root/usr/bin/$b"
		done
		# where Debian's kmod puts them (units say /sbin/modprobe)
		for b in modprobe insmod rmmod depmod; do
			ln -s ../bin/kmod "$root/usr/sbin/$b"
		done
	fi
}
# add_kmods ROOT NAMES: Debian modules and their dependencies.
add_kmods() {
	local root=$1 m line p
	shift
	for m in "$@"; do
		line=$(modprobe -d "$TB_STAGE" -S "$ABI" --show-depends "$m" 2>&1) ||
			tb_die "kernel module $m not in $ABI: $line"
		while read -r line; do
			case $line in
			insmod\ *)
				p=$(echo "$line" | awk '{print $2}')
				copy_file "$root" "$p" "/usr${p#"$TB_STAGE"}"
				;;
			esac
		done <<<"$line"
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		copy_file "$root" "$TB_STAGE/lib/modules/$ABI/$f" "/usr/lib/modules/$ABI/$f"
	done
}
# mkcpio DIR OUT: uncompressed newc archive, root-owned.
mkcpio() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet) >"$2.tmp"
	mv "$2.tmp" "$2"
}
# overlay_modules BASEROOT OVLROOT: our .ko into OVLROOT/usr/lib/modules/ABI/extra,
# with modules.* regenerated over base + extras.
overlay_modules() {
	local base=$1 ovl=$2 tmp ko
	mkdir -p "$ovl/usr/lib/modules/$ABI/extra/vprime"
	for ko in "$MODDIR"/*.ko; do
		[ -e "$ko" ] && cp "$ko" "$ovl/usr/lib/modules/$ABI/extra/vprime/"
	done
	tmp=$TB_WORK/depmod.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/lib/modules"
	cp -al "$base/usr/lib/modules/$ABI" "$tmp/lib/modules/$ABI"
	cp -a "$ovl/usr/lib/modules/$ABI/extra" "$tmp/lib/modules/$ABI/"
	depmod -b "$tmp" "$ABI"
	cp "$tmp/lib/modules/$ABI"/modules.* "$ovl/usr/lib/modules/$ABI/"
	rm -rf "$tmp"
}

# ---------------------------------------------------------------- 4. images
kernel_images() {
	local vmlinuz=$TB_STAGE/boot/vmlinuz-$ABI off
	if [ ! -s "$TB_IMAGES/guest-vmlinux" ] || [ "$TB_IMAGES/guest-vmlinux" -ot "$TB_STAGE/.stamp" ] ||
		[ "$(cat "$TB_IMAGES/guest-vmlinux.format" 2>/dev/null)" != "${TESTBED_GUEST_KERNEL_FORMAT:-gz}" ]; then
		gzip -dc "$TB_STAGE/boot/xen-4.17-amd64.gz" >"$TB_IMAGES/xen"
		cp "$vmlinuz" "$TB_IMAGES/dom0-vmlinuz"
		# Guests: the ELF vmlinux out of the bzImage (xz payload), gzip'ed:
		# dom0's domain builder inflates gzip much faster than xz.
		off=$(grep -abo $'\xfd7zXZ\x00' "$vmlinuz" | head -n 1 | cut -d: -f1)
		[ -n "$off" ] || tb_die "no xz payload in $vmlinuz"
		# (xz stops at the end of its stream: ignore its complaint and tail's SIGPIPE)
		{ tail -c +$((off + 1)) "$vmlinuz" | xz -dc 2>/dev/null || true; } >"$TB_WORK/vmlinux"
		[ "$(head -c 4 "$TB_WORK/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] ||
			tb_die "could not extract vmlinux from $vmlinuz"
		case ${TESTBED_GUEST_KERNEL_FORMAT:-gz} in
		gz) gzip -1 -c "$TB_WORK/vmlinux" >"$TB_IMAGES/guest-vmlinux.tmp" ;;
		raw) cp "$TB_WORK/vmlinux" "$TB_IMAGES/guest-vmlinux.tmp" ;;
		*) tb_die "TESTBED_GUEST_KERNEL_FORMAT must be gz or raw" ;;
		esac
		mv "$TB_IMAGES/guest-vmlinux.tmp" "$TB_IMAGES/guest-vmlinux"
		echo "${TESTBED_GUEST_KERNEL_FORMAT:-gz}" >"$TB_IMAGES/guest-vmlinux.format"
		rm -f "$TB_WORK/vmlinux"
	fi
}

base_stamp() {
	{
		cat "$TB_DIR/versions.env" "$0" "$TB_STAGE/.stamp" "$TB_IMAGES/guest-vmlinux.format"
		for b in $DOM0_BINS $DOM0_DPKG_BINS $GUEST_BINS busybox; do ls -lL "$(command -v "$b")"; done
	} | tb_hash
}

guest_base() {
	local root=$TB_WORK/guest-root b
	skeleton "$root"
	# shellcheck disable=SC2086
	replace_bins "$root" $GUEST_BINS
	copy_bin "$root" "$TB_STAGE/usr/bin/xenstore" /usr/bin/xenstore
	for b in read write rm ls list exists watch chmod; do
		ln -sf xenstore "$root/usr/bin/xenstore-$b"
	done
	# shellcheck disable=SC2086
	add_kmods "$root" $GUEST_KMODS
	mkcpio "$root" "$TB_WORK/guest-base.cpio"
}

dom0_base() {
	local root=$TB_WORK/dom0-root b
	skeleton "$root"
	# shellcheck disable=SC2086
	replace_bins "$root" $DOM0_BINS $DOM0_DPKG_BINS
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" \
		"$root/var/lib/dpkg/triggers" "$root/etc/dpkg/dpkg.cfg.d"
	: >"$root/var/lib/dpkg/available"
	for b in $XEN_BINS; do
		copy_bin "$root" "$TB_STAGE/usr/lib/xen-4.17/bin/$b" "/usr/sbin/$b"
	done
	copy_bin "$root" "$TB_STAGE/usr/bin/xenstore" /usr/bin/xenstore
	for b in read write rm ls list exists watch chmod; do
		ln -sf xenstore "$root/usr/bin/xenstore-$b"
	done
	copy_file "$root" "$TB_STAGE/usr/lib/xen-4.17/bin/libxl-save-helper" /usr/lib/xen-4.17/bin/libxl-save-helper
	# linux-image's System.map (Debian's is a stub): dpkg's database says
	# that package is installed, and kernel module packages run depmod
	# only where its System.map is (dh_installmodules' scripts).
	copy_file "$root" "$TB_STAGE/boot/System.map-$ABI" "/boot/System.map-$ABI"
	mkdir -p "$root/etc/xen" "$root/var/lib/xen" "$root/var/lib/xenstored" "$root/var/log/xen"
	cp -a "$TB_STAGE/etc/xen/scripts" "$root/etc/xen/"
	cat >"$root/etc/xen/xl.conf" <<-'EOF'
		# vprime testbed: dom0 memory is fixed on the Xen command line
		autoballoon="off"
		lockfile="/run/xl.lock"
	EOF
	# shellcheck disable=SC2086
	add_kmods "$root" $DOM0_KMODS
	mkdir -p "$root/tb/guest"
	cp "$TB_IMAGES/guest-vmlinux" "$root/tb/guest/vmlinux"
	mkcpio "$root" "$TB_WORK/dom0-base.cpio"
}

overlays() {
	local g=$TB_WORK/guest-ovl d=$TB_WORK/dom0-ovl
	rm -rf "$g" "$d"
	mkdir -p "$g" "$d/tb/guest"
	install -m 0755 "$TB_DIR/guest/init" "$g/init"
	overlay_modules "$TB_WORK/guest-root" "$g"
	mkcpio "$g" "$TB_WORK/guest-ovl.cpio"
	cat "$TB_WORK/guest-base.cpio" "$TB_WORK/guest-ovl.cpio" >"$d/tb/guest/initrd.cpio"
	cp "$d/tb/guest/initrd.cpio" "$TB_IMAGES/guest-initrd.cpio"
	install -m 0755 "$TB_DIR/dom0/init" "$d/init"
	overlay_modules "$TB_WORK/dom0-root" "$d"
	repo_bin_libs "$d"
	deb_bin_libs "$d"
	dpkg_status "$TB_WORK/dom0-root" "$d"
	mkcpio "$d" "$TB_WORK/dom0-ovl.cpio"
	cat "$TB_WORK/dom0-base.cpio" "$TB_WORK/dom0-ovl.cpio" >"$TB_IMAGES/dom0-initrd.cpio.tmp"
	mv "$TB_IMAGES/dom0-initrd.cpio.tmp" "$TB_IMAGES/dom0-initrd.cpio"
}

manifest() {
	{
		echo "# vprime testbed image manifest, $(date -u +%FT%TZ)"
		echo "[image packages: .debs from the cache]"
		deb_files | while read -r f; do echo "$(dpkg-deb -f "$f" Package)=$(dpkg-deb -f "$f" Version)"; done
		echo "[host packages: binaries copied in, headers]"
		for spec in $TB_HOST_PKGS; do
			n=${spec%%=*}
			have=$(dpkg-query -W -f='${Version}' "$n" 2>/dev/null || echo none)
			[ "$have" = "${spec#*=}" ] && echo "$n=$have" || echo "$n=$have  # DRIFT: pinned ${spec#*=}"
		done
		echo "[our modules]"
		for ko in "$MODDIR"/*.ko; do [ -e "$ko" ] && echo "$(basename "$ko") $(sha256sum <"$ko" | cut -c1-16)"; done
		echo "[our packages: make deb, build/deb/testbed]"
		for f in "$DEB_DIR"/*.deb "$DEB_TB"/*.deb; do
			[ -e "$f" ] && echo "$(basename "$f") $(sha256sum <"$f" | cut -c1-16)"
		done
		echo "[images]"
		(cd "$TB_IMAGES" && stat -c '%s %n' xen dom0-vmlinuz dom0-initrd.cpio guest-vmlinux guest-initrd.cpio)
	} >"$TB_IMAGES/manifest.txt"
}

main() {
	local what=${1:-all}
	tb_step_begin fetch; fetch; tb_step_end
	tb_step_begin stage; stage; tb_step_end
	[ "$what" = fetch ] && return
	tb_step_begin "modules (make modules)"; build_modules; tb_step_end
	tb_step_begin "packages (DKMS for the testbed kernel)"; packages; tb_step_end
	tb_step_begin images
	kernel_images
	local stamp
	stamp=$(base_stamp)
	if [ -f "$TB_WORK/base.stamp" ] && [ "$(cat "$TB_WORK/base.stamp")" = "$stamp" ] &&
		[ -s "$TB_WORK/dom0-base.cpio" ] && [ -s "$TB_WORK/guest-base.cpio" ]; then
		tb_log "images: base layers up to date"
	else
		rm -f "$TB_WORK/base.stamp"
		guest_base
		dom0_base
		echo "$stamp" >"$TB_WORK/base.stamp"
		tb_log "images: base layers rebuilt"
	fi
	overlays
	manifest
	tb_step_end
	tb_log "images: $(cd "$TB_IMAGES" && du -h dom0-initrd.cpio guest-initrd.cpio | tr '\t\n' ': ')"
	if [ -n "${TB_STEPS_FILE:-}" ]; then tb_steps_report >>"$TB_STEPS_FILE"; else tb_steps_report; fi
}

main "$@"
