#!/bin/bash
# SPDX-License-Identifier: MIT
# check-models.sh MODELS_DIR - the three forms of the three-guest model
# (prime/models/three-guests.xml, ThreeGuests.java, three-guests-py.py),
# compiled by jPRIME (make prime-models), declare the same network: the
# same interfaces with the same addresses and vprime devices
# (<model>.ifaces), and the same link delays and bandwidths in the XML
# jPRIME wrote.  A model form that loses its vprime interfaces, or a
# wrapper that drops the device name, fails here before any primex runs.
set -u
dir=${1:?usage: check-models.sh MODELS_DIR}
ref=three-guests
forms=(ThreeGuests three-guests-py)
failed=0
fail() { echo "FAIL: $*"; failed=1; }
# the compiled model's link attributes, sorted: one "name value" a line
links() { grep -o 'name="\(delay\|bandwidth\)" *>[^<]*<' "$dir/$1.compiled.xml" |
	sed 's/name="\([a-z]*\)" *>\([^<]*\)</\1 \2/' | LC_ALL=C sort; }

for f in "$ref" "${forms[@]}"; do
	for ext in ifaces compiled.xml; do
		[ -s "$dir/$f.$ext" ] || { echo "FAIL: no $dir/$f.$ext (make prime-models)"; exit 1; }
	done
done
devs=$(awk 'NF == 3' "$dir/$ref.ifaces" | wc -l)
[ "$devs" = 3 ] || fail "$ref.ifaces: $devs vprime interfaces, want 3"
[ "$(links "$ref" | grep -c '^delay ')" = 4 ] || fail "$ref: want 4 link delays, got: $(links "$ref" | tr '\n' ' ')"
for f in "${forms[@]}"; do
	if cmp -s "$dir/$ref.ifaces" "$dir/$f.ifaces"; then
		echo "ok   $f: the same $(wc -l <"$dir/$f.ifaces") interfaces, addresses and vprime devices as $ref"
	else
		fail "$f.ifaces differs from $ref.ifaces: $(diff "$dir/$ref.ifaces" "$dir/$f.ifaces" | tr '\n' ' ')"
	fi
	if [ "$(links "$ref")" = "$(links "$f")" ]; then
		echo "ok   $f: the same link delays and bandwidths ($(links "$f" | awk '$1 == "delay" {printf "%s ", $2}'))"
	else
		fail "$f: links $(links "$f" | tr '\n' ' ') against $(links "$ref" | tr '\n' ' ')"
	fi
done
exit "$failed"
