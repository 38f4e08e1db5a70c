#!/usr/bin/env bash
# install-deps.sh - install the Debian packages vprime's build and tests
# need on a fresh Debian 12 machine (root).  Idempotent and quick when all
# is present: apt is called only for what is missing.  The testbed's own
# packages (QEMU, busybox, kernel headers, ...) come from
# tests/testbed/install-deps.sh, run last.
#
# Why each package is here: docs/dependencies.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

pkgs=(
	build-essential		# gcc, make, libc headers
	clang			# libFuzzer targets (-fsanitize=fuzzer)
	iproute2		# ip netns, ip link: vprime-simhost's namespace test
	iputils-ping		# ping between namespaces in vprime-simhost's test
	procps			# pgrep: the namespace test's leak check
	debhelper		# make deb: dh and its helpers (debian/rules)
	dh-dkms			# make deb: dh_dkms, the vprime-dkms package's scripts
	dkms			# make check-deb: builds the modules of the installed package
	dpkg-dev		# make deb: dpkg-buildpackage
	lintian			# make deb: the packages' checks (no errors allowed)
	man-db			# test_man: man --warnings over the man pages
	libclang-rt-14-dev	# clang's sanitizer and fuzzer runtimes
	libcmocka-dev		# unit-test framework of the host tests
	libjansson-dev		# JSON topology files of vprimed
	libgsl-dev		# ns3-core.pc links libgsl (vprime-ns3)
	libns3-dev		# ns-3 3.37: VprimeNetDevice, vprime-ns3 (ns3/)
	libpcap-dev		# per-device pcap captures of vprimed
	libxen-dev		# xenstore.h and libxenstore for vprimectl
	pkg-config
	sparse			# semantic checks of the kernel modules (make modules-sparse)
	# PRIMEX (make prime, prime/build-primex.sh): its build and jPRIME
	openjdk-17-jdk-headless ant jython flex bison patch python3
)

missing=()
for p in "${pkgs[@]}"; do
	p=${p%% *}
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null
	apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 \
		"${missing[@]}" >/dev/null
else
	echo "install-deps: build and test packages present"
fi
if [ -x "$top/tests/testbed/install-deps.sh" ]; then
	"$top/tests/testbed/install-deps.sh"
fi
