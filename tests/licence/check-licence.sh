#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check-licence.sh TOP - the licence files agree with the sources' tags:
#   1. every licence an SPDX tag names has its text in LICENSES/<id>.txt;
#   2. every text in LICENSES/ is named by some tag;
#   3. debian/copyright (DEP-5, the last matching Files paragraph wins)
#      gives each tracked file the licence of its tag, and Expat to a file
#      without one (COPYING: untagged files are MIT).
# Exit 1 with one line per disagreement.
set -euo pipefail
top=${1:?usage: check-licence.sh TOP}
cd "$top"
fail=0
bad() { echo "licence: $*"; fail=1; }

# SPDX's deprecated ids as the ones LICENSES/ is named by.
spdx_norm() { # ID -> $id
	case $1 in
	GPL-2.0) id=GPL-2.0-only ;;
	GPL-2.0+) id=GPL-2.0-or-later ;;
	*) id=$1 ;;
	esac
}
# An SPDX id as its DEP-5 short name.
spdx_dep5() { # ID -> $dep5
	spdx_norm "$1"
	case $id in
	MIT) dep5=Expat ;;
	GPL-2.0-only) dep5=GPL-2 ;;
	GPL-2.0-or-later) dep5=GPL-2+ ;;
	LicenseRef-*) dep5=${id#LicenseRef-} ;;
	*) dep5=$1 ;;
	esac
}

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files --cached --others --exclude-standard | grep -v '^debian/')
else
	mapfile -t files < <(find . -path ./build -prune -o -path ./.git -prune -o \
		-path ./debian -prune -o -type f -print | sed 's|^\./||')
fi

# No pathname expansion: the patterns below are DEP-5 globs, matched by [[ ]].
set -f
# debian/copyright's Files paragraphs: patterns and licence, in order.
pats=() lics=()
while IFS=$'\t' read -r p l; do
	pats+=("$p") lics+=("$l")
done < <(awk '
	/^Files:/ { infiles = 1; sub(/^Files:[ \t]*/, ""); pat = $0; next }
	infiles && /^[ \t]/ { sub(/^[ \t]+/, ""); pat = pat " " $0; next }
	/^License:/ && pat != "" { sub(/^License:[ \t]*/, ""); print pat "\t" $0; pat = "" }
	{ infiles = 0 }' debian/copyright)
[ ${#pats[@]} -gt 0 ] || bad "debian/copyright has no Files paragraph"

dep5_licence_of() { # FILE -> $got: the licence of the last paragraph matching it
	local f=$1 i p
	got=""
	for i in "${!pats[@]}"; do
		for p in ${pats[$i]}; do
			# shellcheck disable=SC2053 # a DEP-5 glob: * also matches /
			if [[ $f == $p ]]; then got=${lics[$i]}; fi
		done
	done
}

# Every file's tag, read once: FILE<TAB>EXPRESSION.
declare -A tags=()
# shellcheck disable=SC2016 # the awk program is in single quotes
while IFS=$'\t' read -r f t; do
	tags[$f]=$t
done < <(for f in "${files[@]}"; do [ -f "$f" ] && printf '%s\0' "$f"; done |
	xargs -0 awk 'FNR == 1 { n = 0 } ++n <= 5 && /SPDX-License-Identifier:/ {
		t = $0; sub(/.*SPDX-License-Identifier:[ \t]*/, "", t)
		sub(/[ \t]*(\*\/|-->).*$/, "", t); sub(/[ \t\r]*$/, "", t)
		print FILENAME "\t" t; nextfile }')

declare -A used=()
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	case $f in LICENSES/* | COPYING) continue ;; esac
	tag=${tags[$f]:-}
	want=Expat
	if [ -n "$tag" ]; then
		want=""
		for w in ${tag//[()]/ }; do
			case $w in
			OR) want+=" or" ;;
			AND) want+=" and" ;;
			WITH) bad "$f: WITH exceptions are not handled: $tag" ;;
			*)
				spdx_norm "$w"
				used[$id]=1
				[ -f "LICENSES/$id.txt" ] || bad "$f: tag $w has no LICENSES/$id.txt"
				spdx_dep5 "$w"
				want+=" $dep5"
				;;
			esac
		done
		want=${want# }
	fi
	dep5_licence_of "$f"
	[ "$got" = "$want" ] || bad "$f: debian/copyright says '${got:-nothing}', its tag '${tag:-none}' means '$want'"
done

set +f
for t in LICENSES/*.txt; do
	id=$(basename "$t" .txt)
	[ -n "${used[$id]:-}" ] || bad "$t: no SPDX tag names $id"
done
for l in "${lics[@]}"; do
	for w in ${l//or/ }; do
		grep -q "^License: $w\$" debian/copyright ||
			bad "debian/copyright: no stand-alone License: $w paragraph"
	done
done

[ "$fail" = 0 ] && echo "licence: ${#files[@]} files, tags ${!used[*]}: LICENSES/ and debian/copyright agree"
exit "$fail"
