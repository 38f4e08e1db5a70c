# shellcheck shell=bash
# prime-lib.sh: helpers of the scenarios that run PRIMEX (primex, built on
# the host by `make prime prime-models`) in dom0: prime and prime-bench.
# Not a scenario itself: source it after vprime-lib.sh.
#
#   px_require MODEL...          primex and the compiled models are there and
#                                primex runs in dom0 (else FAIL: make check
#                                builds them before it boots)
#   px_start TAG MODEL [SECS]    primex -e 1 SECS MODEL.tlv in $TB_OUT/px-TAG,
#                                its device's counters in $PX_STATS
#   px_wait_attached N [S]       until the vprime device attached N guests
#   px_stat NAME                 one counter of the running vprime device
#   px_stop                      TERM primex, wait for it
#   px_model_ip MODEL DEVICE     the address the model gives DEVICE's interface
#   px_model_uid MODEL UNAME     the UID jPRIME gave interface UNAME
#   px_links MODEL               "name bandwidth(bit/s) delay(s)" per Link of
#                                prime/models/MODEL.xml
#   px_threads_snap              "CPU_TICKS VOLUNTARY NONVOLUNTARY" over
#                                every thread of primex (bash builtins only)

PX_BIN=$TB_TOP/build/prime/primex
PX_MODELS=$TB_TOP/build/prime/models
PX_SRC_MODELS=$TB_TOP/prime/models
PX_PID='' PX_STATS='' PX_LOG=''

px_require() { # MODEL...
	local m out
	[ -x "$PX_BIN" ] || tb_fail "no $PX_BIN (build it on the host: make prime prime-models)"
	for m in "$@"; do
		for f in "$PX_MODELS/$m.tlv" "$PX_MODELS/$m.ifaces" "$PX_SRC_MODELS/$m.xml"; do
			[ -f "$f" ] || tb_fail "no $f (build it on the host: make prime-models)"
		done
	done
	# No arguments: primex prints its usage and exits 1; a library the
	# dom0 image lacks shows here instead.
	out=$("$PX_BIN" 2>&1 | head -n 3) || true
	[[ $out == *USAGE* ]] || tb_fail "primex cannot run in dom0: $(echo "$out" | tr '\n' ' ')"
}

px_start() { # TAG MODEL [SECS]
	local dir=$TB_OUT/px-$1
	mkdir -p "$dir"
	PX_STATS=$dir/stats PX_LOG=$dir/primex.log
	(cd "$dir" && VPRIME_PRIME_STATS=$PX_STATS exec "$PX_BIN" -e 1 "${3:-600}" \
		"$PX_MODELS/$2.tlv" >"$PX_LOG" 2>&1) &
	PX_PID=$!
	VP_BG_PIDS+=("$PX_PID")
	tb_log "primex -e 1 ${3:-600} $2.tlv started (pid $PX_PID, $dir)"
}

px_stat() { # NAME (bash builtins only: a process costs seconds in dom0 under TCG)
	local k v
	while read -r k v _; do
		[ "$k" != "$1" ] || { echo "$v"; return 0; }
	done 2>/dev/null <"$PX_STATS" || true
}

px_attached() { # N
	local v
	v=$(px_stat attaches)
	[ -n "$v" ] && [ "$v" -ge "$1" ]
}

px_wait_attached() { # N [SECS]
	tb_wait_for "${2:-120}" px_attached "$1" ||
		tb_fail "primex did not attach $1 guests in ${2:-120} s: $(tail -n 3 "$PX_LOG" 2>/dev/null | tr '\n' ' ') / $(tr '\n' ' ' <"$PX_STATS" 2>/dev/null | cut -c1-300)"
}

px_stop() {
	[ -n "$PX_PID" ] || return 0
	kill -TERM "$PX_PID" 2>/dev/null || true
	wait "$PX_PID" 2>/dev/null || true
	PX_PID=''
}

px_model_ip() { # MODEL DEVICE
	awk -v d="$2" '$3 == d { print $2 }' "$PX_MODELS/$1.ifaces"
}

# jPRIME's compiled XML: an Interface node's uid, then its unqiueName (sic).
px_model_uid() { # MODEL UNAME
	awk -v n="$2" '/type="Interface" uid="/ { match($0, /uid="[0-9]+"/); u = substr($0, RSTART + 5, RLENGTH - 6); next }
		index($0, "<unqiueName value=\"" n "\"") { print u; exit }' "$PX_MODELS/$1.compiled.xml"
}

px_links() { # MODEL
	awk '/type="Link"/ { match($0, /name="[^"]*"/); l = substr($0, RSTART + 6, RLENGTH - 7); bw = ""; d = "" }
		l != "" && /name="bandwidth"/ { match($0, /value="[^"]*"/); bw = substr($0, RSTART + 7, RLENGTH - 8) }
		l != "" && /name="delay"/ { match($0, /value="[^"]*"/); d = substr($0, RSTART + 7, RLENGTH - 8) }
		l != "" && /<\/node>/ { print l, bw, d; l = "" }' "$PX_SRC_MODELS/$1.xml"
}

# CPU ticks (user+system) and context switches summed over primex's
# threads.  voluntary: the thread blocked (a wait that needed a wake-up);
# nonvoluntary: it was preempted.
px_threads_snap() {
	local t f k x cpu=0 vol=0 inv=0
	for t in /proc/"$PX_PID"/task/*; do
		read -r -a f <"$t/stat" 2>/dev/null || continue
		cpu=$((cpu + f[13] + f[14]))
		while read -r k x _; do
			case $k in
			voluntary_ctxt_switches:) vol=$((vol + x)) ;;
			nonvoluntary_ctxt_switches:) inv=$((inv + x)) ;;
			esac
		done <"$t/status"
	done
	echo "$cpu $vol $inv"
}
