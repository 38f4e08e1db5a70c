# shellcheck shell=bash disable=SC2034
# Host-side helpers shared by the testbed scripts. Sourced, never run.
#
# Paths (all overridable from the environment):
#   TB_TOP        repository root (default: two levels above this file's dir)
#   TB_BUILD      build/testbed under the repo (gitignored): staging, images, results
#   TB_CACHE      .deb cache, reused between runs and checkouts
#                 (${VPRIME_TESTBED_CACHE:-$HOME/.cache/vprime-testbed})

TB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TB_TOP=${TB_TOP:-$(cd "$TB_DIR/../.." && pwd)}
TB_BUILD=${TB_BUILD:-$TB_TOP/build/testbed}
TB_CACHE=${VPRIME_TESTBED_CACHE:-${HOME:-/root}/.cache/vprime-testbed}

# shellcheck source=../versions.env
. "$TB_DIR/versions.env"

TB_STAGE=$TB_BUILD/stage          # dpkg -x of TB_IMAGE_PKGS
TB_IMAGES=$TB_BUILD/images        # xen, dom0 kernel, dom0 initrd
TB_WORK=$TB_BUILD/work            # intermediate trees and cpio layers

tb_log()  { printf '[testbed %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
tb_warn() { printf '[testbed %s] WARNING: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# tb_die REASON: the one-line reason for a failure, then exit non-zero.
tb_die()  { printf 'TESTBED FAIL: %s\n' "$*" >&2; exit 1; }

# No silent death under set -e: name the command that failed.
trap 'printf "TESTBED FAIL: %s: command failed (exit %s) at line %s: %s\n" "${0##*/}" "$?" "$LINENO" "$BASH_COMMAND" >&2' ERR

# Step timing: tb_step_begin NAME ... tb_step_end; tb_steps_report prints all.
TB_STEP_NAMES=()
TB_STEP_SECS=()
tb_now() { date +%s.%N; }
tb_step_begin() { TB_STEP_CUR=$1; TB_STEP_T0=$(tb_now); tb_log "step: $1"; }
tb_step_end() {
	local dt
	dt=$(awk -v a="$TB_STEP_T0" -v b="$(tb_now)" 'BEGIN{printf "%.1f", b-a}')
	TB_STEP_NAMES+=("$TB_STEP_CUR")
	TB_STEP_SECS+=("$dt")
	tb_log "step: $TB_STEP_CUR done in ${dt}s"
}
tb_steps_report() {
	local i
	for i in "${!TB_STEP_NAMES[@]}"; do
		printf 'TIME %-28s %8ss\n' "${TB_STEP_NAMES[$i]}" "${TB_STEP_SECS[$i]}"
	done
}

# The cached .deb for NAME=VERSION (apt-get download names it
# NAME_VERSION_ARCH.deb with an epoch's ':' as %3a), or nothing.
tb_deb_file() {
	local name=${1%%=*} ver=${1#*=} f
	for f in "$TB_CACHE/${name}_${ver//:/%3a}_"*.deb; do
		[ -s "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# The version apt would serve now for NAME, or empty.
tb_apt_candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}'
}
# "NAME VERSION" for every version apt serves of the NAMEs (one apt call).
tb_apt_versions() {
	apt-cache madison "$@" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$1); gsub(/ /,"",$2); print $1, $2}' | sort -u
}

# Hash of files/strings, for cache stamps.
tb_hash() { sha256sum | cut -c1-16; }

# Find the kernel headers dir used to build modules.
tb_kdir() { echo "${KDIR:-/usr/src/linux-headers-$TB_KERNEL_ABI}"; }
