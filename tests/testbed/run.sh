#!/bin/bash
# Boot Xen + dom0 under QEMU and run named scenarios in that one boot.
#
#   run.sh [--label L] [--no-build] SCENARIO...   run, results in
#                                                  build/testbed/results/<run>/
#   run.sh --shell                                 dom0 shell on this terminal
#
# Environment:
#   TESTBED_ACCEL=tcg|kvm   (tcg: the default, works everywhere; kvm needs VT-x/AMD-V)
#   TESTBED_MEM=MB          QEMU RAM (2048; dom0 has 512 MB of it)
#   TESTBED_TIMEOUT=S       whole boot (default: 240 + each scenario's tb-timeout)
#   TESTBED_BOOT_TIMEOUT=S  until dom0's Xen userland is ready (240)
#   TESTBED_NO_BUILD=1      use the images already in build/testbed/images
#   TESTBED_VERBOSE=1       copy the whole serial console to stderr
#   TESTBED_SCENARIO_DIR=D  take scenarios from D (inside the repo) instead of
#                           tests/testbed/scenarios
# Exit status 0 only when dom0 booted, ran every scenario and each one wrote a
# PASS (or SKIP) verdict; otherwise 1 with a one-line "TESTBED FAIL: reason".
set -euo pipefail
. "$(dirname "$0")/lib/host.sh"

label=run shell=0 build=1
[ "${TESTBED_NO_BUILD:-0}" = 1 ] && build=0
while [ $# -gt 0 ]; do
	case $1 in
	--label) label=$2; shift 2 ;;
	--shell) shell=1; label=shell; shift ;;
	--no-build) build=0; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) tb_die "unknown option $1" ;;
	*) break ;;
	esac
done
scenarios=("$@")
# Scenarios come from tests/testbed/scenarios, or from TESTBED_SCENARIO_DIR
# (a directory inside the repository, e.g. under build/ for experiments that
# are not to be committed: dom0 sees the repository through the 9p share).
scen_dir=$(cd "${TESTBED_SCENARIO_DIR:-$TB_DIR/scenarios}" 2>/dev/null && pwd) ||
	tb_die "TESTBED_SCENARIO_DIR ${TESTBED_SCENARIO_DIR:-} does not exist"
case $scen_dir/ in "$TB_TOP"/*) ;; *) tb_die "TESTBED_SCENARIO_DIR must be inside $TB_TOP (dom0 sees only the repository)" ;; esac
[[ $label =~ ^[A-Za-z0-9_-]+$ ]] || tb_die "bad label '$label'"
if [ "$shell" = 0 ]; then
	[ ${#scenarios[@]} -gt 0 ] || tb_die "no scenario named (available: $(find "$scen_dir" -maxdepth 1 -name '*.sh' ! -name '*-lib.sh' -printf '%f\n' | sed 's#\.sh$##' | sort | tr '\n' ' '))"
fi
total_limit=240
for s in "${scenarios[@]}"; do
	[[ $s =~ ^[a-z0-9][a-z0-9_-]*$ ]] || tb_die "bad scenario name '$s' (allowed: [a-z0-9][a-z0-9_-]*)"
	[ -f "$scen_dir/$s.sh" ] || tb_die "no scenario '$s' (no ${scen_dir#"$TB_TOP"/}/$s.sh)"
	case $s in *-lib) tb_die "'$s' is a scenario helper library (*-lib.sh), not a scenario" ;; esac
	t=$(sed -n 's/^# *tb-timeout: *\([0-9][0-9]*\).*/\1/p' "$scen_dir/$s.sh" | head -n 1)
	total_limit=$((total_limit + ${t:-300} + 30))
done
[ "$shell" = 1 ] && total_limit=$((10 * 365 * 86400))
total_limit=${TESTBED_TIMEOUT:-$total_limit}
boot_limit=${TESTBED_BOOT_TIMEOUT:-240}

need() { command -v "$1" >/dev/null || tb_die "'$1' not found: run 'make testbed-deps' (tests/testbed/install-deps.sh)"; }
need qemu-system-x86_64

run=$(date +%Y%m%d-%H%M%S)-$label
res=$TB_BUILD/results/$run
mkdir -p "$res"
ln -sfn "$run" "$TB_BUILD/results/latest"
TB_STEPS_FILE=$res/steps.txt
export TB_STEPS_FILE
: >"$TB_STEPS_FILE"
t_start=$(tb_now)

# ------------------------------------------------------------------ cleanup
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	sleep 0.2
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	[ -z "${ticket:-}" ] || rm -f "$ticket"
	return 0
}
trap cleanup EXIT
trap 'tb_die "interrupted"' INT TERM

# ------------------------------------------------------------------ lock
# One boot at a time on this machine (each uses both cores), and no image
# rebuild under a running boot: wait for the lock, bounded.
# A caller may already hold it (`flock /tmp/vprime-testbed.lock run.sh ...`):
# an inherited descriptor of the lock file shares the caller's lock.
lock=${TESTBED_LOCK:-/tmp/vprime-testbed.lock}
lockfd=""
for fd in /proc/"$$"/fd/*; do
	if [ "$(readlink "$fd" 2>/dev/null)" = "$lock" ]; then lockfd=${fd##*/}; break; fi
done
if [ -z "$lockfd" ]; then
	exec {lockfd}>>"$lock"
	# Waiters queue in arrival order (flock alone is not fair): a ticket file
	# per waiter; only the oldest live ticket may take the lock.
	queue=$lock.queue
	mkdir -p "$queue"
	ticket=$queue/$(date +%s%N).$$
	: >"$ticket"
	said=0 wait_start=$SECONDS waited=0
	while :; do
		for t in "$queue"/*; do # drop tickets of waiters that died
			[ -e "$t" ] && ! kill -0 "${t##*.}" 2>/dev/null && rm -f "$t"
		done
		first=$(find "$queue" -type f | sort | head -n 1)
		# first in line: block in flock like a plain `flock` caller does (a
		# poller would lose every time against waiters blocked in the kernel)
		if [ "$first" = "$ticket" ] && flock -w 30 "$lockfd"; then break; fi
		if [ "$said" = 0 ]; then
			tb_log "another testbed run holds $lock or is queued first; waiting (at most ${TESTBED_LOCK_WAIT:-1800}s)"
			said=1
		fi
		waited=$((SECONDS - wait_start))
		[ "$waited" -lt "${TESTBED_LOCK_WAIT:-1800}" ] || { rm -f "$ticket"; tb_die "waited ${TESTBED_LOCK_WAIT:-1800}s for $lock"; }
		sleep 1
	done
	rm -f "$ticket"
	[ "$said" = 0 ] || tb_log "got $lock after ${waited}s"
else
	flock -n "$lockfd" || tb_die "inherited descriptor of $lock is not locked"
fi

# ------------------------------------------------------------------ images
if [ "$build" = 1 ]; then
	timeout "${TESTBED_BUILD_TIMEOUT:-1200}" bash "$TB_DIR/build-images.sh" || tb_die "image build failed or timed out (see above)"
fi
for f in xen dom0-vmlinuz dom0-initrd.cpio; do
	[ -s "$TB_IMAGES/$f" ] || tb_die "image $TB_IMAGES/$f missing: run 'make testbed-images'"
done
cp "$TB_IMAGES/manifest.txt" "$res/" 2>/dev/null || true

# ------------------------------------------------------------------ qemu
accel=${TESTBED_ACCEL:-tcg}
case $accel in
tcg) accel_args=(-accel "tcg,thread=multi" -cpu qemu64) ;;
kvm)
	[ -w /dev/kvm ] || tb_die "TESTBED_ACCEL=kvm but /dev/kvm is not usable"
	accel_args=(-accel kvm -cpu host)
	;;
*) tb_die "TESTBED_ACCEL must be tcg or kvm, not '$accel'" ;;
esac
tb_log "accelerator: $accel ($( [ "$accel" = tcg ] && echo 'software emulation; TESTBED_ACCEL=kvm on a host with VT-x' || echo 'hardware virtualization'))"

{
	echo "# written by tests/testbed/run.sh; sourced by dom0's init"
	echo "TB_RUN='$run'"
	echo "TB_SCENARIOS='${scenarios[*]}'"
	echo "TB_SCEN_DIR='/tb/top/${scen_dir#"$TB_TOP"/}'"
} >"$res/run.conf"

xen_opts="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M bootscrub=0 smap=0 loglvl=all guest_loglvl=all"
dom0_opts="console=hvc0 earlyprintk=xen loglevel=5 tb.mode=$([ "$shell" = 1 ] && echo shell || echo run)"
qemu=(qemu-system-x86_64 "${accel_args[@]}" -smp 2 -m "${TESTBED_MEM:-2048}"
	-display none -monitor none -no-reboot -nic none
	-kernel "$TB_IMAGES/xen" -append "$xen_opts"
	-initrd "$TB_IMAGES/dom0-vmlinuz ${dom0_opts//,/,,},$TB_IMAGES/dom0-initrd.cpio"
	-virtfs "local,path=$TB_TOP,mount_tag=tbtop,security_model=none,readonly=on,id=tbtop"
	-virtfs "local,path=$res,mount_tag=tbout,security_model=none,id=tbout")
printf '%q ' "${qemu[@]}" >"$res/qemu-cmdline.txt"

serial=$res/serial.log
if [ "$shell" = 1 ]; then
	tb_log "dom0 shell: exit the shell (or 'poweroff -f') to stop; serial log: $serial"
	"${qemu[@]}" -chardev "stdio,id=con,signal=off,logfile=$serial" -serial chardev:con
	exit 0
fi

: >"$serial"
tb_step_begin "boot: qemu to dom0 init"
"${qemu[@]}" -serial "file:$serial" </dev/null >"$res/qemu.out" 2>&1 &
qpid=$!
pids+=("$qpid")

# ------------------------------------------------------------------ monitor
# Read the serial log as it grows; act on the dom0 markers.
deadline=$(($(date +%s) + total_limit))
boot_deadline=$(($(date +%s) + boot_limit))
booted=0 done_seen=0 fatal="" panic="" pos=0 cur="" cur_partial=""
declare -A verdict=()
handle_line() {
	local l=${1//$'\r'/}
	[ "${TESTBED_VERBOSE:-0}" = 1 ] && printf '  | %s\n' "$l" >&2
	case $l in
	*"TB-BOOT dom0-init"*)
		tb_step_end
		tb_step_begin "boot: dom0 init to xen ready"
		;;
	*"TB-BOOT xen-ready"*)
		tb_step_end
		booted=1
		;;
	*"TB-SCENARIO-START "*)
		cur=$(echo "${l#*TB-SCENARIO-START }" | awk '{print $1}')
		tb_step_begin "scenario $cur"
		;;
	*"TB-VERDICT "*)
		local rest=${l#*TB-VERDICT } n
		n=${rest%% *}
		verdict[$n]=${rest#* }
		[ "$n" = "$cur" ] && tb_step_end
		tb_log "verdict: $n ${rest#* }"
		;;
	*"TB-FIGURE "*) tb_log "figure: ${l#*TB-FIGURE }" ;;
	*"TB-FATAL "*) fatal=${l#*TB-FATAL } ;;
	*"TB-DONE"*)
		done_seen=1
		tb_step_begin "power off"
		;;
	*"Kernel panic"* | *"Panic on CPU"* | *"(XEN) PANIC"* | *"FATAL TRAP"*)
		[ -n "$panic" ] || panic=$l
		;;
	esac
	case $l in *"[$cur] "*) [ -n "$cur" ] && tb_log "dom0: ${l#*"[$cur] "}" ;; esac
	return 0
}
reason=""
while :; do
	size=$(stat -c %s "$serial")
	if [ "$size" -gt "$pos" ]; then
		# new bytes since the last round; only complete lines are handled
		tail -c +"$((pos + 1))" "$serial" >"$res/.chunk" || true
		pos=$((pos + $(stat -c %s "$res/.chunk")))
		data=$cur_partial$(cat "$res/.chunk"; echo x)
		data=${data%x}
		if [[ $data == *$'\n' ]]; then
			cur_partial=""
		else
			cur_partial=${data##*$'\n'}
			data=${data%"$cur_partial"}
		fi
		if [ -n "$data" ]; then
			while IFS= read -r line; do handle_line "$line"; done <<<"${data%$'\n'}"
		fi
	fi
	if ! kill -0 "$qpid" 2>/dev/null; then
		wait "$qpid" || true
		break
	fi
	# the same markers as files on the results share (console lines can be
	# garbled by interleaved kernel messages)
	if [ "$booted" = 0 ] && [ -f "$res/BOOTED" ]; then handle_line "TB-BOOT xen-ready (file)"; fi
	if [ -z "$fatal" ] && [ -s "$res/FATAL" ]; then fatal=$(head -n 1 "$res/FATAL"); fi
	now=$(date +%s)
	if [ -n "$fatal" ] || [ -n "$panic" ]; then
		# give Xen a moment to print its crash output and reboot (-no-reboot exits)
		[ -n "${crash_at:-}" ] || crash_at=$now
		if [ $((now - crash_at)) -ge 15 ]; then kill "$qpid" 2>/dev/null || true; fi
	fi
	if [ "$booted" = 0 ] && [ "$now" -ge "$boot_deadline" ]; then
		reason="dom0 not ready after ${boot_limit}s (stage: ${TB_STEP_CUR:-?}; last console line: $(tr -d '\r' <"$serial" | grep -v '^$' | tail -n 1))"
		break
	fi
	if [ "$now" -ge "$deadline" ]; then
		reason="overall timeout of ${total_limit}s reached (during: ${TB_STEP_CUR:-?})"
		break
	fi
	sleep 0.5
done
[ -z "$cur_partial" ] || handle_line "$cur_partial"
if [ "$done_seen" = 0 ] && [ -f "$res/DONE" ]; then handle_line "TB-DONE (file)"; fi
[ "$done_seen" = 1 ] && tb_step_end
rm -f "$res/.chunk"
cleanup
pids=()

# ------------------------------------------------------------------ verdict
sync
summary=$res/summary.txt
failures=()
[ -z "$reason" ] || failures+=("$reason")
[ -z "$fatal" ] || failures+=("dom0 setup failed: $fatal")
[ -z "$panic" ] || failures+=("crash on the console: $(echo "$panic" | tr -s ' ')")
[ "$booted" = 1 ] || [ ${#failures[@]} -gt 0 ] ||
	failures+=("dom0 never reached 'xen ready' (QEMU exited; see $serial)")
if [ "$booted" = 1 ] && [ "$done_seen" = 0 ] && [ ${#failures[@]} -eq 0 ]; then
	failures+=("dom0 stopped before the end of the run (no TB-DONE; last console line: $(tr -d '\r' <"$serial" | grep -v '^$' | tail -n 1))")
fi
{
	echo "run: $run"
	echo "accelerator: $accel"
	for s in "${scenarios[@]}"; do
		v=""
		[ -f "$res/$s/verdict" ] && v=$(head -n 1 "$res/$s/verdict")
		[ -n "$v" ] || v=${verdict[$s]:-}
		[ -n "$v" ] || v="FAIL: no verdict (scenario did not run to the end)"
		printf 'SCENARIO %-16s %s\n' "$s" "$v"
		case $v in PASS* | SKIP*) ;; *) failures+=("scenario $s: $v") ;; esac
		if [ -f "$res/$s/figures" ]; then sed "s/^FIGURE /FIGURE $s /" "$res/$s/figures"; fi
	done
	cat "$TB_STEPS_FILE"
	tb_steps_report
	printf 'TIME %-28s %8ss\n' total "$(awk -v a="$t_start" -v b="$(tb_now)" 'BEGIN{printf "%.1f", b-a}')"
} >"$summary"
echo "---- testbed run $run (results: $res)"
cat "$summary"
if [ ${#failures[@]} -gt 0 ]; then
	tb_die "${failures[0]}$([ ${#failures[@]} -gt 1 ] && echo " (+$((${#failures[@]} - 1)) more in $summary)")"
fi
pass=0 skip=0
for s in "${scenarios[@]}"; do case $(head -n 1 "$res/$s/verdict") in SKIP*) skip=$((skip + 1)) ;; *) pass=$((pass + 1)) ;; esac; done
echo "testbed: $pass passed, 0 failed, $skip skipped"
