#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# cli.sh - vprime-simhost's command line and control client, without root:
# every bad argument is refused with exit 2 and a message that names the
# option and the rule; a socket that cannot be reached is exit 1.  Ends
# with a "N passed, M failed" line.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
simhost=${VSH_SIMHOST:-$top/build/bin/vprime-simhost}
[ -x "$simhost" ] || { echo "cli: $simhost is not built (make)"; exit 1; }
dir=$(mktemp -d /tmp/vprime-simhost-cli.XXXXXX)
trap 'rm -rf "$dir"' EXIT
passed=0 failed=0
ok_g=name=g1,mac=02:00:00:00:00:01,tap=t1

# expect CODE PATTERN ARGS...: exit code CODE, stderr/stdout matching PATTERN.
expect() {
	local code=$1 pat=$2 rc=0
	shift 2
	"$simhost" "$@" >"$dir/out" 2>&1 || rc=$?
	if [ "$rc" = "$code" ] && grep -Eq -- "$pat" "$dir/out"; then
		echo "ok   $* -> $rc"
		passed=$((passed + 1))
	else
		echo "FAIL $* -> $rc (want $code, /$pat/):"
		sed 's/^/    /' "$dir/out"
		failed=$((failed + 1))
	fi
}

expect 0 'usage: vprime-simhost' --help
expect 2 '--socket PATH is required' --guest "$ok_g"
expect 2 'at least one --guest' --socket "$dir/s"
expect 2 'unexpected argument' --socket "$dir/s" --guest "$ok_g" extra
expect 2 'usage' --socket "$dir/s" --bogus
expect 2 'name, mac and tap are required' --socket "$dir/s" --guest name=g1,mac=02:00:00:00:00:01
expect 2 "mac: bad value '01:00:00:00:00:01'" --socket "$dir/s" --guest name=g1,mac=01:00:00:00:00:01,tap=t1
expect 2 "mac: bad value '00:00:00:00:00:00'" --socket "$dir/s" --guest name=g1,mac=00:00:00:00:00:00,tap=t1
expect 2 "mac: bad value '02:00:00:00:00'" --socket "$dir/s" --guest name=g1,mac=02:00:00:00:00,tap=t1
expect 2 "name: bad value" --socket "$dir/s" --guest name=a/b,mac=02:00:00:00:00:01,tap=t1
expect 2 "name: bad value" --socket "$dir/s" --guest name=0123456789012345678901234567890123,mac=02:00:00:00:00:01,tap=t1
expect 2 "tap: bad value 'tap-name-too-long'" --socket "$dir/s" --guest "$ok_g,tap=tap-name-too-long"
expect 2 "tap: bad value '../x'" --socket "$dir/s" --guest "name=g1,mac=02:00:00:00:00:01,tap=../x"
expect 2 "netns: bad value 'a/b'" --socket "$dir/s" --guest "$ok_g,netns=a/b"
expect 2 "mtu: bad value '67'" --socket "$dir/s" --guest "$ok_g,mtu=67"
expect 2 "mtu: bad value '9001'" --socket "$dir/s" --guest "$ok_g,mtu=9001"
expect 2 "mtu: bad value '01500'" --socket "$dir/s" --guest "$ok_g,mtu=01500"
expect 2 "domid: bad value '0'" --socket "$dir/s" --guest "$ok_g,domid=0"
expect 2 "unknown key 'colour'" --socket "$dir/s" --guest "$ok_g,colour=red"
expect 2 "'junk' is not key=value" --socket "$dir/s" --guest "$ok_g,junk"
expect 2 "same name as guest 'g1'" --socket "$dir/s" --guest "$ok_g" \
	--guest name=g1,mac=02:00:00:00:00:02,tap=t2
expect 2 "same mac as guest 'g1'" --socket "$dir/s" --guest "$ok_g" \
	--guest name=g2,mac=02:00:00:00:00:01,tap=t2
expect 2 "same tap as guest 'g1'" --socket "$dir/s" --guest "$ok_g" \
	--guest name=g2,mac=02:00:00:00:00:02,tap=t1
expect 2 "same domid/devid as guest 'g1'" --socket "$dir/s" --guest "$ok_g,domid=5" \
	--guest name=g2,mac=02:00:00:00:00:02,tap=t2,domid=5
many=()
for i in $(seq 1 65); do
	many+=(--guest "name=g$i,mac=02:00:00:00:01:$(printf %02x "$i"),tap=t$i")
done
expect 2 'at most 64 guests' --socket "$dir/s" "${many[@]}"
long=$dir/$(printf 'x%.0s' $(seq 1 120))
expect 2 'control socket path too long' --socket "$long" --guest "$ok_g"
expect 2 'usage: vprime-simhost ctl' ctl
expect 2 'usage: vprime-simhost ctl' ctl "$dir/c" a b c
expect 1 "$dir/nosuch" ctl "$dir/nosuch" list
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
