#!/bin/bash
# Install the host packages the testbed needs (QEMU, busybox, the tools whose
# binaries are copied into the images, the kernel headers to build modules).
# Idempotent: does nothing (and never calls apt) when everything is installed.
# Pinned versions come from versions.env (TB_HOST_PKGS); if apt no longer
# serves a pinned version, the served one is installed and the drift reported.
set -euo pipefail
. "$(dirname "$0")/lib/host.sh"

[ "$(id -u)" = 0 ] || tb_die "install-deps.sh must run as root (apt-get install)"

missing=()
for spec in $TB_HOST_PKGS; do
	name=${spec%%=*}
	if ! dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$spec")
	fi
done

drift_report() {
	local spec name want have
	for spec in $TB_HOST_PKGS; do
		name=${spec%%=*} want=${spec#*=}
		have=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || true)
		if [ "$have" != "$want" ]; then
			tb_warn "host package drift: $name pinned $want, installed ${have:-none}"
		fi
	done
}

if [ ${#missing[@]} -eq 0 ]; then
	tb_log "host packages: all installed"
	drift_report
	exit 0
fi

apt_opts=(-y --no-install-recommends -o DPkg::Lock::Timeout=600)
export DEBIAN_FRONTEND=noninteractive

# Ask for the pinned version where apt serves it, else the package name alone.
resolve() {
	local spec name want
	out=()
	for spec in "${missing[@]}"; do
		name=${spec%%=*} want=${spec#*=}
		if tb_apt_versions "$name" | grep -qxF -- "$name $want"; then
			out+=("$name=$want")
		else
			tb_warn "apt does not serve $name=$want (candidate: $(tb_apt_candidate "$name")); installing the candidate"
			out+=("$name")
		fi
	done
}

tb_log "installing host packages: ${missing[*]%%=*}"
resolve
if ! apt-get install "${apt_opts[@]}" "${out[@]}"; then
	tb_log "apt-get install failed; running apt-get update and retrying"
	apt-get update -o DPkg::Lock::Timeout=600
	resolve
	apt-get install "${apt_opts[@]}" "${out[@]}" || tb_die "apt-get install of host packages failed"
fi
drift_report
