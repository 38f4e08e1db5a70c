#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# compile-model.sh - compile a PRIMEX model (XML, or a jPRIME Java/Python
# model) into the TLV file primex runs, with jprime.jar.
#
#   compile-model.sh JPRIME_JAR MODEL OUTDIR [BASE_IP]
#
# Writes OUTDIR/<model>.tlv and OUTDIR/<model>.ifaces: one line per
# interface, "<unique name> <IPv4 address>", from the XML jPRIME writes
# next to the TLV (the addresses it assigned; guests take theirs from
# here).  jPRIME runs in a scratch directory under OUTDIR, its model
# database there too (DB_PATH: jPRIME's default, /tmp, is one database
# for every jPRIME on the machine, and a second one running at the same
# time, make -j2 prime-models, fails on Derby's lock).
set -euo pipefail

jar=${1:?usage: compile-model.sh JPRIME_JAR MODEL OUTDIR [BASE_IP]}
model=${2:?usage: compile-model.sh JPRIME_JAR MODEL OUTDIR [BASE_IP]}
out=${3:?usage: compile-model.sh JPRIME_JAR MODEL OUTDIR [BASE_IP]}
base_ip=${4:-}
[ -f "$jar" ] || { echo "compile-model: no $jar (make prime)" >&2; exit 1; }
[ -f "$model" ] || { echo "compile-model: no model $model" >&2; exit 1; }
name=$(basename "$model")
name=${name%.*}
case $name in
*[!A-Za-z0-9_-]*|'') echo "compile-model: model name '$name': letters, digits, - and _ only" >&2; exit 1 ;;
esac
mkdir -p "$out"
out=$(cd "$out" && pwd)
model=$(cd "$(dirname "$model")" && pwd)/$(basename "$model")
jar=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")
work=$out/.jprime-$name
rm -rf "$work"
mkdir -p "$work"
# jPRIME compiles a Java model next to its source: give it a copy
cp "$model" "$work/"
model=$work/$(basename "$model")
(
	cd "$work"
	java -DOUT_DIR="$work" -DDB_PATH="$work" -jar "$jar" create "$name" "$model" $base_ip \
		> "$out/$name.jprime.log" 2>&1
) || { tail -30 "$out/$name.jprime.log" >&2; echo "compile-model: jPRIME failed on $model" >&2; exit 1; }
tlv=$(find "$work" -maxdepth 1 -name '*_part_1.tlv' | head -1)
[ -n "$tlv" ] || { tail -30 "$out/$name.jprime.log" >&2; echo "compile-model: no TLV written" >&2; exit 1; }
cp "$tlv" "$out/$name.tlv"
xml=$(find "$work" -maxdepth 1 -name '*_part_1.xml' | head -1)
[ -n "$xml" ] || { echo "compile-model: jPRIME wrote no XML of the compiled model" >&2; exit 1; }
cp "$xml" "$out/$name.compiled.xml"
python3 "$(dirname "$0")/model-ifaces.py" "$xml" > "$out/$name.ifaces"
rm -rf "$work"
echo "compile-model: $out/$name.tlv"
