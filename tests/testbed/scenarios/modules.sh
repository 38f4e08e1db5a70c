# shellcheck shell=bash
# modules: every .ko the repo built (build/modules, shipped in both images)
# loads in dom0 and in a guest and unloads cleanly, with no oops/BUG/WARNING
# in the kernel log. If vprime-selftest.ko is among them, loading it runs the
# in-kernel self-tests, which print "vprime-selftest: N passed, M failed"; the
# scenario fails unless such a line appears and every M is 0.
# tb-timeout: 240

mapfile -t mods < <(tb_dom0_modules)
[ ${#mods[@]} -gt 0 ] || tb_fail "no .ko files in the dom0 image (build/modules is empty)"
tb_log "modules: ${mods[*]}"

# check_log WHERE FILE: oopses and self-test results in a kernel log excerpt
check_log() {
	local where=$1 f=$2 line
	if tb_oops_in "$f"; then
		tb_fail "$where: kernel oops/BUG/WARNING: $(grep -Em1 "$TB_OOPS_RE" "$f")"
	fi
	if printf '%s\n' "${mods[@]}" | tb_match -x 'vprime-selftest'; then
		grep -q 'vprime-selftest: [0-9]* passed, [0-9]* failed' "$f" ||
			tb_fail "$where: vprime-selftest loaded but printed no 'N passed, M failed' line"
		while read -r line; do
			tb_log "$where: $line"
			echo "$line" | tb_match ' 0 failed' || tb_fail "$where: self-tests failed: $line"
		done < <(grep -o 'vprime-selftest: [0-9]* passed, [0-9]* failed' "$f")
		tb_figure "selftest_passed_$where" "$(grep -o 'vprime-selftest: [0-9]* passed' "$f" |
			awk '{s += $2} END {print s}')" tests
	fi
}

# The same load/unload script serves dom0 (bash) and the guest (busybox sh):
# load all in order, then unload in passes (a module still used by another
# one goes in a later pass).
# shellcheck disable=SC2016 # expanded in the guest / in dom0's bash -c
cycle='
mods="$(ls /lib/modules/$(uname -r)/extra/vprime/ 2>/dev/null | sed -n "s/\.ko$//p")"
[ -n "$mods" ] || { echo "no modules in the image"; exit 3; }
for m in $mods; do
	modprobe "$m" || { echo "LOAD FAILED: $m"; exit 1; }
	echo "loaded $m"
done
lsmod >/tmp/tb-lsmod.txt
pass=0
while :; do
	left=""
	for m in $mods; do
		[ -d "/sys/module/$(echo "$m" | tr - _)" ] || continue
		rmmod "$m" 2>/dev/null && echo "unloaded $m" || left="$left $m"
	done
	[ -z "$left" ] && break
	pass=$((pass + 1))
	[ $pass -lt 5 ] || { echo "UNLOAD FAILED:$left"; exit 2; }
done
echo "cycle ok"
'

# dom0
tb_dmesg_mark
out=$(bash -c "$cycle" 2>&1) || tb_fail "dom0: $(echo "$out" | tail -n 1)"
echo "$out" >"$TB_OUT/dom0-cycle.txt"
sleep 0.5
tb_dmesg_since >"$TB_OUT/dmesg-dom0-modules.txt"
check_log dom0 "$TB_OUT/dmesg-dom0-modules.txt"
tb_log "dom0: ${#mods[@]} module(s) loaded and unloaded"

# guest
tb_guest_start m1
# shellcheck disable=SC2016
gmods=$(tb_guest_run m1 'ls /lib/modules/$(uname -r)/extra/vprime/ | sed -n "s/\.ko$//p" | tr "\n" " "')
[ "$gmods" = "$(printf '%s ' "${mods[@]}")" ] ||
	tb_fail "guest module set '$gmods' differs from dom0's '${mods[*]}'"
tb_guest_run m1 'dmesg -c >/dev/null'
out=$(tb_guest_run -t 120 m1 "$cycle") || tb_fail "guest: $(echo "$out" | tail -n 1)"
echo "$out" >"$TB_OUT/guest-cycle.txt"
tb_guest_run m1 'sleep 0.5; dmesg' >"$TB_OUT/dmesg-guest-modules.txt"
check_log guest "$TB_OUT/dmesg-guest-modules.txt"
tb_log "guest: ${#mods[@]} module(s) loaded and unloaded"
tb_guest_destroy m1
