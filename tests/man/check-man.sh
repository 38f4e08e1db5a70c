#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check-man.sh TOP BUILD - the man pages say what the programs do: each
# command and option a program has is in its man page, and each one the
# page lists exists.  What a program has comes from the program itself:
#   vprimectl        its `help` table (commands, --options), run
#   vprimed          its usage message (`vprimed --help`), run
#   vprime-xl        its dispatch and option `case` patterns
#   libvprime(3)     the functions vprime.h declares
#   vprime-topology  the key tables of the topology parser (engine/topo.c)
#   vprime-ns3       its usage message (`vprime-ns3 --help`: its options and
#                    ns-3's own), run; without ns-3 (not built), the
#                    options its source gives ns-3's parser (cmd.AddValue)
# Also: every page formats without a warning (man --warnings).
set -euo pipefail
top=${1:?usage: check-man.sh TOP BUILD} build=${2:?}
man=$top/man
fail=0
bad() { echo "man: $*"; fail=1; }

# set_diff NAME WHAT A B: report the words of A missing from B.
set_diff() {
	local w
	for w in $3; do
		grep -qxF -- "$w" <<<"${4// /$'\n'}" || bad "$1: $2 '$w'"
	done
}
# The .TP items of section SECTION of a page: the first word of the line
# after each .TP, with roff escapes undone.
man_items() { # PAGE SECTION
	awk -v sec="$2" '
		/^\.SH/ { insec = ($0 ~ "^\\.SH \"?" sec) ; next }
		insec && /^\.TP/ { tp = 1; next }
		insec && tp { tp = 0; sub(/^\.B[IR]? +/, ""); gsub(/\\/, ""); gsub(/"/, "");
			split($0, w, /[ ,]+/); print w[1] }' "$1" | sort -u
}
man_longopts() { # PAGE: every --option it mentions
	sed 's/\\-/-/g' "$1" | grep -o -- '--[a-z][a-z-]*' | sort -u || true
}
words() { tr '\n' ' ' | sed 's/ *$//'; }

for p in "$man"/*.[1-8]; do
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$p" 2>&1 >/dev/null) ||
		bad "$(basename "$p"): man failed"
	[ -z "$out" ] || bad "$(basename "$p"): formatting warnings: $out"
done

# ---- vprimectl ----
help=$("$build/bin/vprimectl" help)
cmds=$(sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' <<<"$help" | sort -u | words)
[ -n "$cmds" ] || bad "vprimectl: no command in its help output"
cmds+=" help"
opts=$(grep -o -- '--[a-z][a-z-]*' <<<"$help" | sort -u | words)
"$build/bin/vprimectl" --help >/dev/null 2>&1 && opts+=" --help"
mcmds=$(man_items "$man/vprimectl.8" COMMANDS | words)
mopts=$(man_longopts "$man/vprimectl.8" | words)
set_diff vprimectl.8 "no entry for the command" "$cmds" "$mcmds"
set_diff vprimectl.8 "lists a command vprimectl does not have:" "$mcmds" "$cmds"
set_diff vprimectl.8 "does not mention the option" "$opts" "$mopts"
set_diff vprimectl.8 "mentions an option vprimectl does not have:" "$mopts" "$opts"

# ---- vprimed ----
usage=$("$build/bin/vprimed" --help 2>&1 || true)
grep -q '^usage: vprimed' <<<"$usage" || bad "vprimed: no usage message: $usage"
opts=$(sed -n 's/^  \(-[a-z]\b\|--[a-z-]*\).*/\1/p' <<<"$usage" | sort -u | words)
[ -n "$opts" ] || bad "vprimed: no option in its usage message"
mopts=$(man_items "$man/vprimed.8" OPTIONS | words)
set_diff vprimed.8 "no entry for the option" "$opts" "$mopts"
set_diff vprimed.8 "lists an option vprimed does not have:" "$mopts" "$opts"

# ---- vprime-xl ----
xl=$top/tools/vprime-xl
cmds=$(sed -n 's/^\([a-z][a-z]*\)) shift; cmd_.*/\1/p' "$xl" | sort -u | words)
[ -n "$cmds" ] || bad "vprime-xl: no command in its dispatch"
opts=$(grep -oE '^[[:space:]]+-[a-zA-Z]( \| -[a-zA-Z])*\)' "$xl" | grep -oE -- '-[a-zA-Z]' | sort -u | words)
mcmds=$(man_items "$man/vprime-xl.8" COMMANDS | words)
mopts=$(sed 's/\\-/-/g' "$man/vprime-xl.8" | grep -oE -- '(^|[ "(])-[a-zA-Z]\b' | grep -oE -- '-[a-zA-Z]' | sort -u | words)
set_diff vprime-xl.8 "no entry for the command" "$cmds" "$mcmds"
set_diff vprime-xl.8 "lists a command vprime-xl does not have:" "$mcmds" "$cmds"
set_diff vprime-xl.8 "does not mention the option" "$opts" "$mopts"
set_diff vprime-xl.8 "mentions an option vprime-xl does not take:" "$mopts" "$opts"

# ---- libvprime(3) ----
funcs=$(grep -oE '^[a-z][a-z0-9_ *]* \**(vprime_[a-z0-9_]+)\(' "$top/lib/vprime.h" |
	grep -oE 'vprime_[a-z0-9_]+' | sort -u | words)
[ -n "$funcs" ] || bad "libvprime: no function in vprime.h"
msyn=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$man/libvprime.3" | grep -oE 'vprime_[a-z0-9_]+\(' |
	tr -d '(' | sort -u | words)
mdesc=$(sed -n '/^\.SH DESCRIPTION/,/^\.SH RETURN/p' "$man/libvprime.3" |
	grep -oE '^\.BR .*' | grep -oE 'vprime_[a-z0-9_]+ \(\)|vprime_[a-z0-9_]+ "\(\)' |
	grep -oE 'vprime_[a-z0-9_]+' | sort -u | words)
set_diff libvprime.3 "no synopsis line for" "$funcs" "$msyn"
set_diff libvprime.3 "no description of" "$funcs" "$mdesc"
set_diff libvprime.3 "declares a function vprime.h does not have:" "$msyn" "$funcs"

# ---- vprime-topology(5) ----
keys=$(perl -0777 -ne 'while (/static const char \*const [a-z_]*keys\[\] = \{(.*?)\};/sg) {
	my $b = $1; print "$1\n" while $b =~ /"([a-z_]+)"/g }' "$top/engine/topo.c" | sort -u | words)
[ -n "$keys" ] || bad "vprime-topology: no key table in engine/topo.c"
mkeys=$(grep -oE '^\.BR? [a-z_]+' "$man/vprime-topology.5" | awk '{ print $2 }'
	grep -oE '^\.BR [a-z_]+ "?, "? ?[a-z_]+' "$man/vprime-topology.5" | awk '{ print $NF }')
mkeys=$(sort -u <<<"$mkeys" | words)
mitems=$(for s in "Top level" Nodes Links; do
	awk -v sec="$s" '/^\.S[HS]/ { insec = index($0, sec) > 0; next }
		insec && /^\.TP/ { tp = 1; next }
		insec && tp { tp = 0; sub(/^\.BR? +/, ""); gsub(/[",]/, " "); print }' \
		"$man/vprime-topology.5"
done | tr ' ' '\n' | grep -E '^[a-z_]+$' | sort -u | words)
set_diff vprime-topology.5 "does not document the key" "$keys" "$mkeys"
set_diff vprime-topology.5 "lists a key the parser does not take:" "$mitems" "$keys"

# ---- vprime-ns3 ----
# Options are --NAME=VALUE: the page's items lose their "=value".
ns3_items() { man_items "$man/vprime-ns3.8" "$1" | sed 's/=.*//' | sort -u | words; }
if [ -x "$build/bin/vprime-ns3" ]; then
	usage=$("$build/bin/vprime-ns3" --help 2>&1) || bad "vprime-ns3 --help failed: $usage"
	grep -q '^vprime-ns3 \[Program Options\]' <<<"$usage" || bad "vprime-ns3: no usage message: $usage"
	opts=$(sed -n '/^Program Options:/,/^General Arguments:/s/^    \(--[a-zA-Z-]*\).*/\1/p' <<<"$usage" | sort -u | words)
	gen=$(sed -n '/^General Arguments:/,$s/^    \(--[a-zA-Z]*\).*/\1/p' <<<"$usage" | sort -u | words)
	[ -n "$gen" ] || bad "vprime-ns3: no ns-3 argument in its usage message"
	mgen=$(ns3_items "NS-3 ARGUMENTS")
	set_diff vprime-ns3.8 "no entry for ns-3's argument" "$gen" "$mgen"
	set_diff vprime-ns3.8 "lists an ns-3 argument vprime-ns3 does not have:" "$mgen" "$gen"
	ns3_from="its usage message"
else
	opts=$(grep -oE 'cmd\.AddValue\("[a-zA-Z-]+"' "$top/ns3/vprime-ns3.cc" | sed 's/.*("/--/; s/"$//' | sort -u | words)
	ns3_from="its source (not built: no ns-3)"
fi
[ -n "$opts" ] || bad "vprime-ns3: no option in $ns3_from"
mopts=$(ns3_items OPTIONS)
set_diff vprime-ns3.8 "no entry for the option" "$opts" "$mopts"
set_diff vprime-ns3.8 "lists an option vprime-ns3 does not have:" "$mopts" "$opts"

[ "$fail" = 0 ] && echo "man: 6 pages agree with vprimectl, vprimed, vprime-xl, vprime.h, the topology parser and vprime-ns3 ($ns3_from)"
exit "$fail"
