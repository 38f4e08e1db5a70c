# shellcheck shell=bash
# vprime testbed: the scenario library (runs in dom0, bash).
#
# ============================ SCENARIO CONTRACT ============================
# A scenario is tests/testbed/scenarios/<name>.sh (name: [a-z0-9][a-z0-9_-]*;
# files named *-lib.sh there are helper libraries that scenarios source with
# `. "$TB_SCEN_DIR/<x>-lib.sh"`, not scenarios).
# run-scenarios runs each one in its own bash process in dom0, with this file
# sourced and `set -euo pipefail` on, then sources the scenario. So:
#
#  * It ends with a verdict: PASS when it returns normally (or calls tb_pass),
#    FAIL with a reason when it calls tb_fail "reason", when a command fails
#    (set -e: the reason names the command and line), or when it runs past its
#    timeout; SKIP via tb_skip "reason" (reported, not a failure).
#  * Timeout: 300 s unless the scenario has a line `# tb-timeout: SECONDS`.
#  * Guests started with tb_guest_start are destroyed when the scenario ends,
#    whatever its verdict (tb_guest_destroy does it earlier). A scenario that
#    leaves other domains behind FAILS; a dom0 kernel oops/BUG/WARNING during
#    the scenario, or one in a guest's console, FAILS it too (set
#    TB_ALLOW_OOPS=1 in the scenario for one that provokes them on purpose).
#  * It writes results only under $TB_OUT (this scenario's directory in the
#    results), figures with tb_figure. Its files come from the read-only share:
#    $TB_TOP is the repository (so $TB_TOP/build/... is what the host built),
#    $TB_SCEN_DIR is tests/testbed/scenarios.
#  * Environment: dom0 has bridge xenbr0 = 10.99.0.1/24; guests get
#    10.99.0.<N> by convention (tb_guest_start --ip). Our modules are in
#    /lib/modules/$(uname -r)/extra/vprime in dom0 and in every guest
#    (modprobe by name); nothing is loaded until the scenario loads it.
#
# Functions (dom0 side; NAME is a guest's short name within the scenario):
#   tb_guest_start NAME [options] [-- 'xl line' ...]
#       Create a PV guest (Debian kernel, testbed ramdisk) and wait until its
#       agent is up. Options:
#         --mem MB (160)  --vcpus N (1)  --vif (a vif on xenbr0, mac generated)
#         --ip DEV=CIDR   (configured in the guest before ready; repeatable)
#         --mods m1,m2    (modprobe'd in the guest at boot)
#         --cmdline 'k=v' (more guest kernel parameters)
#         --xl 'line'     (an extra xl config line, e.g. 'vif=["bridge=xenbr0"]';
#                          repeatable; lines after -- are added too)
#         --paused        (xl create -p; then tb_guest_unpause NAME, which waits)
#         --nowait        (return after xl create; tb_guest_wait NAME later)
#         --timeout S     (wait for the agent, 180)
#   tb_guest_wait NAME [TIMEOUT]    wait until its agent answers
#   tb_guest_unpause NAME           xl unpause, then tb_guest_wait
#   tb_guest_run [-t SECS] NAME 'shell command'
#       Run a command in the guest (busybox sh); prints its stdout+stderr,
#       returns its exit status (137: killed by the timeout, default 60 s;
#       255: the agent did not answer). The command runs in busybox sh (ash)
#       in its own process group (killed whole at the timeout), with iproute2's
#       and kmod's ip/tc/ss/modprobe/insmod/rmmod/lsmod in front of busybox's
#       applets; `bash -c '...'` for bash. Every call is logged to
#       $TB_OUT/guest-NAME.log with its timings. The channel is the guest's
#       xenstore directory, not the network: it works whatever the guest's
#       devices do. Output is capped at its last 64 KiB (each 1800 bytes of
#       base64 is one xenstore node: large outputs are slow). Start long-running
#       things in the background ('iperf3 -s -D', 'cmd >/tmp/x 2>&1 &').
#       Each call costs some seconds under emulation (process creation is
#       expensive in PV guests): batch commands into one call.
#   tb_guest_domid NAME / tb_guest_domname NAME
#   tb_guest_destroy NAME           xl destroy (checks its console for oopses)
#   tb_guest_console NAME           path of its console log (xenconsoled)
#   tb_figure NAME VALUE UNIT       record a figure: $TB_OUT/figures and the
#                                   run's figures.txt, "TB-FIGURE" on the console
#   tb_log MSG...                   a line on the console and in $TB_OUT/log
#   tb_fail REASON / tb_pass [NOTE] / tb_skip REASON   verdict and exit
#   tb_run_logged NAME CMD...       run a dom0 command, output to $TB_OUT/NAME
#   tb_dom0_modules                 names of our modules (.ko in extra/vprime)
#   tb_dom0_load_modules [NAME...]  modprobe ours (all by default), in dom0
#   tb_dom0_unload_modules [NAME...] rmmod them (reverse order)
#   tb_dmesg_mark / tb_dmesg_since  dom0 kernel log since the mark
#   tb_oops_in FILE                 true when FILE holds an oops/BUG/WARNING
#   tb_wait_for SECS CMD...         retry CMD every 0.2 s until it succeeds
#   CMD | tb_match [-x|-E|-F...] PATTERN   grep -q for a pipe (below)
#   tb_iperf3 GUEST DEST TAG ARGS...  iperf3 -c DEST ARGS in GUEST (a server
#                                   must run at DEST): prints the receiver's
#                                   Mbit/s, output in $TB_OUT/iperf3-TAG.txt
# ============================================================================

TB_TOP=${TB_TOP:-/tb/top}
TB_SCEN_DIR=${TB_SCEN_DIR:-$TB_TOP/tests/testbed/scenarios}
TB_RUN_OUT=${TB_RUN_OUT:-/tb/out}
TB_GUEST_KERNEL=${TB_GUEST_KERNEL:-/tb/guest/vmlinux}
TB_GUEST_RAMDISK=${TB_GUEST_RAMDISK:-/tb/guest/initrd.cpio}
TB_CONSOLE_DIR=${TB_CONSOLE_DIR:-$TB_RUN_OUT/consoles}
TB_STATE=${TB_STATE:-/run/tb}
TB_OOPS_RE='(BUG:|Oops|WARNING:|general protection fault|Kernel panic|Call Trace:|RIP: )'
mkdir -p "$TB_STATE/guests"

tb__console() { # a line for the host to see (fd 3: the runner's stdout)
	{ echo "$*" >&3; } 2>/dev/null || echo "$*" >&2
}
tb_log() {
	local line
	line="[$TB_SCENARIO] $*"
	tb__console "$line"
	echo "$(cut -d' ' -f1 /proc/uptime) $*" >>"$TB_OUT/log"
}

# ------------------------------------------------------------- verdicts
tb__verdict() { # KIND REASON
	[ -f "$TB_OUT/verdict" ] && return 0
	if [ -n "${2:-}" ]; then echo "$1: $2"; else echo "$1"; fi >"$TB_OUT/verdict"
}
tb_fail() { tb__verdict FAIL "${*:-unspecified failure}"; tb_log "FAIL: $*"; exit 1; }
tb_pass() { tb__verdict PASS "${*:-}"; exit 0; }
tb_skip() { tb__verdict SKIP "${*:-}"; tb_log "SKIP: $*"; exit 0; }

tb_figure() { # NAME VALUE UNIT
	[ $# -ge 2 ] || tb_fail "tb_figure needs NAME VALUE [UNIT]"
	echo "FIGURE $1 $2 ${3:-}" >>"$TB_OUT/figures"
	echo "$TB_SCENARIO $1 $2 ${3:-}" >>"$TB_RUN_OUT/figures.txt"
	tb__console "TB-FIGURE $TB_SCENARIO $1 $2 ${3:-}"
}

tb_wait_for() { # SECS CMD...
	local deadline=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

tb_iperf3() { # GUEST DEST TAG ARGS...
	local g=$1 dst=$2 tag=$3 out v
	shift 3
	out=$(tb_guest_run -t 90 "$g" "iperf3 -c $dst -f m $*") || true
	echo "$out" >"$TB_OUT/iperf3-$tag.txt"
	v=$(echo "$out" | awk '/receiver/ {for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") v = $i} END {print v}')
	[ -n "$v" ] || tb_fail "iperf3 $g -> $dst ($tag): $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	echo "$v"
}

tb_run_logged() { # FILE CMD...
	local f=$TB_OUT/$1
	shift
	echo "# $*" >>"$f"
	"$@" >>"$f" 2>&1
}

# ------------------------------------------------------------- dmesg
tb_dmesg_mark() { TB__DMESG_MARK=$(dmesg | wc -l); }
tb_dmesg_since() { dmesg | tail -n +"$((${TB__DMESG_MARK:-0} + 1))"; }
tb_oops_in() { grep -Eq "$TB_OOPS_RE" "$1"; }

# `CMD | grep -q P` under pipefail fails at random: grep exits at its match,
# and a line CMD writes after that kills it with SIGPIPE (bash writes an
# echo'ed variable line by line). tb_match reads to the end.
tb_match() { # [GREP OPTIONS] PATTERN
	local rc=0
	grep -q "$@" || rc=$?
	cat >/dev/null
	return "$rc"
}

# ------------------------------------------------------------- modules
tb_dom0_modules() {
	local f
	for f in /lib/modules/"$(uname -r)"/extra/vprime/*.ko; do
		[ -e "$f" ] || continue
		f=${f##*/}
		echo "${f%.ko}"
	done
}
tb_dom0_load_modules() {
	local m mods
	mods=("$@")
	[ ${#mods[@]} -gt 0 ] || mapfile -t mods < <(tb_dom0_modules)
	for m in "${mods[@]}"; do
		modprobe "$m" || tb_fail "modprobe $m failed in dom0: $(dmesg | tail -n 3 | tr '\n' ' ')"
	done
}
tb_dom0_unload_modules() {
	local m mods i
	mods=("$@")
	[ ${#mods[@]} -gt 0 ] || mapfile -t mods < <(tb_dom0_modules)
	for ((i = ${#mods[@]} - 1; i >= 0; i--)); do
		m=${mods[$i]}
		rmmod "$m" || tb_fail "rmmod $m failed in dom0"
	done
}

# ------------------------------------------------------------- guests
tb_guest_domname() { echo "tb-$TB_SCENARIO-$1"; }
tb_guest_domid() { # cached: xl itself costs a second under emulation
	local id
	if [ -s "$TB_STATE/guests/$1.domid" ]; then cat "$TB_STATE/guests/$1.domid"; return 0; fi
	id=$(xl domid "$(tb_guest_domname "$1")" 2>/dev/null) || return 1
	[ ! -e "$TB_STATE/guests/$1" ] || echo "$id" >"$TB_STATE/guests/$1.domid"
	echo "$id"
}
tb_guest_console() { echo "$TB_CONSOLE_DIR/guest-$(tb_guest_domname "$1").log"; }
tb__xsbase() { echo "/local/domain/$1/data/tb"; }

tb_guest_start() {
	local name=$1 mem=160 vcpus=1 vif=0 paused=0 wait=1 timeout=180
	local ips=() kmods="" cmdline="" xl=() idx mac cfg
	shift
	[[ $name =~ ^[a-z0-9][a-z0-9-]*$ ]] || tb_fail "bad guest name '$name'"
	while [ $# -gt 0 ]; do
		case $1 in
		--mem) mem=$2; shift 2 ;;
		--vcpus) vcpus=$2; shift 2 ;;
		--vif) vif=1; shift ;;
		--ip) ips+=("$2"); shift 2 ;;
		--mods) kmods=$2; shift 2 ;;
		--cmdline) cmdline="$cmdline $2"; shift 2 ;;
		--xl) xl+=("$2"); shift 2 ;;
		--paused) paused=1; shift ;;
		--nowait) wait=0; shift ;;
		--timeout) timeout=$2; shift 2 ;;
		--) shift; xl+=("$@"); break ;;
		*) tb_fail "tb_guest_start: unknown option $1" ;;
		esac
	done
	idx=$(($(cat "$TB_STATE/index" 2>/dev/null || echo 0) + 1))
	echo "$idx" >"$TB_STATE/index"
	mac=$(printf '00:16:3e:7b:%02x:%02x' $((idx / 256)) $((idx % 256)))
	local extra="console=hvc0 loglevel=5$cmdline"
	[ ${#ips[@]} -eq 0 ] || extra="$extra tb.ip=$(IFS=,; echo "${ips[*]}")"
	[ -z "$kmods" ] || extra="$extra tb.mods=$kmods"
	cfg=$TB_OUT/$name.cfg
	{
		echo "name = \"$(tb_guest_domname "$name")\""
		echo 'type = "pv"'
		echo "kernel = \"$TB_GUEST_KERNEL\""
		echo "ramdisk = \"$TB_GUEST_RAMDISK\""
		echo "extra = \"$extra\""
		echo "memory = $mem"
		echo "vcpus = $vcpus"
		echo 'on_crash = "preserve"'
		[ "$vif" = 0 ] || echo "vif = [ \"mac=$mac,bridge=xenbr0\" ]"
		local l
		for l in "${xl[@]}"; do echo "$l"; done
	} >"$cfg"
	rm -f "$TB_STATE/guests/$name".*
	echo "$name" >"$TB_STATE/guests/$name"
	tb_log "starting guest $name ($(tb_guest_domname "$name"), ${mem} MB${ips[*]:+, ${ips[*]}})"
	local flags=()
	[ "$paused" = 0 ] || flags+=(-p)
	local t0=$SECONDS
	if ! xl create "${flags[@]}" "$cfg" >"$TB_OUT/$name.create.log" 2>&1; then
		tb_fail "xl create $name failed: $(grep -v '^Parsing' "$TB_OUT/$name.create.log" | tail -n 2 | tr '\n' ' ')"
	fi
	tb_log "guest $name created as domain $(tb_guest_domid "$name") in $((SECONDS - t0))s"
	if [ "$paused" = 0 ] && [ "$wait" = 1 ]; then tb_guest_wait "$name" "$timeout"; fi
}

tb_guest_unpause() {
	xl unpause "$(tb_guest_domname "$1")" || tb_fail "xl unpause $1 failed"
	tb_guest_wait "$1" "${2:-180}"
}

tb_guest_wait() { # NAME [TIMEOUT]
	local name=$1 timeout=${2:-180} id t0=$SECONDS k=0 dom
	dom=$(tb_guest_domname "$name")
	id=$(tb_guest_domid "$name") || tb_fail "guest $name does not exist"
	while ! xenstore-read "$(tb__xsbase "$id")/ready" >/dev/null 2>&1; do
		if [ $((SECONDS - t0)) -ge "$timeout" ]; then
			tb_fail "guest $name not up after ${timeout}s; console: $(tail -n 3 "$(tb_guest_console "$name")" 2>/dev/null | tr -d '\r' | tr '\n' '|')"
		fi
		k=$((k + 1))
		if [ $((k % 10)) = 0 ]; then # xl is costly: check the domain only now and then
			local state
			state=$(xl list "$dom" 2>/dev/null | awk 'NR==2 {print $5}') ||
				tb_fail "guest $name died while booting; console: $(tail -n 3 "$(tb_guest_console "$name")" 2>/dev/null | tr -d '\r' | tr '\n' '|')"
			case $state in
			*c*) tb_fail "guest $name crashed while booting; console: $(tail -n 5 "$(tb_guest_console "$name")" 2>/dev/null | tr -d '\r' | tr '\n' '|')" ;;
			"") tb_fail "guest $name disappeared while booting" ;;
			esac
		fi
		sleep 0.5
	done
	tb_log "guest $name up in $((SECONDS - t0))s: $(xenstore-read "$(tb__xsbase "$id")/ready")"
}

tb_guest_run() { # [-t SECS] NAME CMD
	local timeout=60
	if [ "$1" = -t ]; then timeout=$2; shift 2; fi
	local name=$1 cmd=$2 id base seq i chunks=() args=() rc n times
	id=$(tb_guest_domid "$name") || { echo "tb_guest_run: no guest $name" >&2; return 255; }
	base=$(tb__xsbase "$id")
	seq=$(($(cat "$TB_STATE/guests/$name.seq" 2>/dev/null || echo 0) + 1))
	echo "$seq" >"$TB_STATE/guests/$name.seq"
	mapfile -t chunks < <(printf '%s\n' "$cmd" | base64 -w 1800)
	for i in "${!chunks[@]}"; do args+=("$base/req/$i" "${chunks[$i]}"); done
	# Watch for the answer before asking (its first event says it is set up).
	local wfifo=$TB_STATE/guests/$name.watch wpid line t0 t1 deadline
	rm -f "$wfifo"
	mkfifo "$wfifo"
	xenstore-watch "$base/rsp/seq" >"$wfifo" 2>/dev/null &
	wpid=$!
	exec {wfd}<"$wfifo"
	rm -f "$wfifo"
	read -r -t 30 -u "$wfd" line || true
	t0=${EPOCHREALTIME/./}
	if ! xenstore-write "${args[@]}" "$base/req/seq" "$seq ${#chunks[@]} $timeout"; then
		kill "$wpid" 2>/dev/null || true
		exec {wfd}<&-
		echo "tb_guest_run: xenstore-write failed" >&2
		return 255
	fi
	deadline=$((SECONDS + timeout + 30))
	rc=255
	while [ "$SECONDS" -lt "$deadline" ]; do
		read -r -t 5 -u "$wfd" line || true
		if [ "$(xenstore-read "$base/rsp/seq" 2>/dev/null)" = "$seq" ]; then rc=0; break; fi
	done
	kill "$wpid" 2>/dev/null || true
	wait "$wpid" 2>/dev/null || true
	exec {wfd}<&-
	if [ "$rc" = 255 ]; then
		echo "tb_guest_run: guest $name did not answer within $((timeout + 30))s" >&2
		printf '### %s [%s] no answer within %ss $ %s\n' "$(date +%T)" "$seq" "$((timeout + 30))" "$cmd" >>"$TB_OUT/guest-$name.log"
		return 255
	fi
	t1=${EPOCHREALTIME/./}
	n=0 rc=255 times=""
	{ read -r n && read -r rc && read -r times; } < <(xenstore-read "$base/rsp/n" "$base/rsp/rc" "$base/rsp/times") || true
	local out=$TB_STATE/guests/$name.out
	args=()
	for ((i = 0; i < n; i++)); do args+=("$base/rsp/$i"); done
	if [ "$n" -gt 0 ]; then xenstore-read "${args[@]}" | base64 -d >"$out"; else : >"$out"; fi
	{
		printf '### %s [%s] rc=%s answer %sms read %sms guest %s $ %s\n' "$(date +%T)" "$seq" "$rc" \
			"$(((t1 - t0) / 1000))" "$(((${EPOCHREALTIME/./} - t1) / 1000))" "${times// //}" "$cmd"
		cat "$out"
	} >>"$TB_OUT/guest-$name.log"
	cat "$out"
	return "$rc"
}

tb_guest_destroy() { # NAME
	local name=$1 dom
	dom=$(tb_guest_domname "$name")
	if xl domid "$dom" >/dev/null 2>&1; then
		xl destroy "$dom" >>"$TB_OUT/log" 2>&1 || tb_fail "xl destroy $name failed"
		tb_log "guest $name destroyed"
	fi
	rm -f "$TB_STATE/guests/$name" "$TB_STATE/guests/$name".*
	if [ "${TB_ALLOW_OOPS:-0}" != 1 ] && [ -f "$(tb_guest_console "$name")" ] &&
		tb_oops_in "$(tb_guest_console "$name")"; then
		tb_fail "kernel oops/BUG/WARNING in guest $name: $(grep -Em1 "$TB_OOPS_RE" "$(tb_guest_console "$name")" | tr -d '\r')"
	fi
}

# Destroy every guest this scenario started (run by the scenario's EXIT trap).
tb__cleanup_guests() {
	local f
	for f in "$TB_STATE"/guests/*; do
		[ -e "$f" ] || continue
		case ${f##*/} in *.*) continue ;; esac
		tb_guest_destroy "$(basename "$f")" || true
	done
}
