# shellcheck shell=bash
# scale: N guests (default 32) from xl configs, through the watch service and
# one vprimed, every guest pinging every other.  What `make scale` runs
# (not part of make check: long under emulation).
#
#   dom0: vprimectl watch (no --config-dir with the configs: they are found
#         through the running xl create / xl monitor only), vprime-back,
#         vprimed on a star of N guests (engine/topologies generated here)
#   guests g01..gNN: `cd scale-cfg && xl create gNN.cfg` back to back, as
#         fast as xl allows; one vprime device each (10.77.0.i/16)
#
# Figures (tb_figure, docs/benchmarks.md): xl create time per guest; when
# each device was added (seconds after the first create); guests up; dom0
# memory, ballooned pages, grant maps and event channels per vprime device
# (measured across the frontends' connect, so the guests' own cost is out);
# vprimed's ports, RSS, CPU idle and under the all-pairs load; pairs
# answered of N(N-1); then, on SCALE_VIFS of the same guests, the same dom0
# figures for a stock vif (xl network-attach, netback) for comparison; the
# time until the watch removed every node after the guests were destroyed.
# Parameters: build/testbed/scale.env (SCALE_N, SCALE_MEM, SCALE_VIFS,
# SCALE_PAUSED, SCALE_STAGGER, SCALE_DOM0_WEIGHT), written by `make scale`.
# tb-timeout: 3000

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

SCALE_N=32 SCALE_MEM=160 SCALE_VIFS=4 SCALE_PAUSED=1 SCALE_STAGGER=1 SCALE_DOM0_WEIGHT=4096
# shellcheck disable=SC1091
[ -f "$TB_TOP/build/testbed/scale.env" ] && . "$TB_TOP/build/testbed/scale.env"
N=$SCALE_N MEM=$SCALE_MEM
BIN=$TB_TOP/build/bin
VPCTL=$BIN/vprimectl
VPRIMED=$BIN/vprimed
CFG=$TB_OUT/scale-cfg
export VPRIMED_SOCKET=/run/vprimed-scale.sock
WATCH_PID='' ENGINE_PID=''

for b in "$VPCTL" "$VPRIMED"; do [ -x "$b" ] || tb_fail "no $b (build it on the host: make)"; done
if ! [[ $N =~ ^[0-9]+$ ]] || [ "$N" -lt 2 ] || [ "$N" -gt 250 ]; then tb_fail "SCALE_N=$N: want 2..250"; fi
[[ $MEM =~ ^[0-9]+$ ]] || tb_fail "SCALE_MEM=$MEM: want MB"
[[ $SCALE_VIFS =~ ^[0-9]+$ ]] || tb_fail "SCALE_VIFS=$SCALE_VIFS: want a count"
[[ $SCALE_STAGGER =~ ^[0-9]+(\.[0-9]+)?$ ]] || tb_fail "SCALE_STAGGER=$SCALE_STAGGER: want seconds"
[[ $SCALE_DOM0_WEIGHT =~ ^[0-9]+$ ]] || tb_fail "SCALE_DOM0_WEIGHT=$SCALE_DOM0_WEIGHT: want a weight (0: Xen's default)"

say() { tb_log "$*"; echo "$*"; }
gname() { printf 'g%02d' "$1"; }
ipof() { echo "10.77.0.$1"; }
memfree_kb() { sync; echo 3 >/proc/sys/vm/drop_caches; awk '$1 == "MemFree:" {print $2}' /proc/meminfo; }
xen_free_mb() { xl info | awk '$1 == "free_memory" {print $3}'; }
cur_kb() { cat /sys/devices/system/xen_memory/xen_memory0/info/current_kb 2>/dev/null || echo 0; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
JOBS=()
wait_jobs() { local p; for p in "${JOBS[@]}"; do wait "$p" || true; done; JOBS=(); }
stop_pid() { # VAR
	local pid=${!1}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	printf -v "$1" '%s' ""
}
cleanup_scale() {
	stop_pid ENGINE_PID
	tb__cleanup_guests_safe
	[ -z "$WATCH_PID" ] || tb_wait_for 60 sh -c '[ -z "$(xenstore-list /local/domain/0/backend/vprime 2>/dev/null)" ]' || true
	stop_pid WATCH_PID
}
# shellcheck disable=SC2154
trap 'rc=$?; cleanup_scale; [ $rc = 0 ] && tb__verdict PASS; exit $rc' EXIT

# ---- 0. how many guests the testbed's memory allows --------------------------
free=$(xen_free_mb)
fit=$(((free - 16) / (MEM + 2)))
say "Xen free memory ${free} MB: room for $fit guests of ${MEM} MB (asked: $N)"
tb_figure guests_fit "$fit" guests
[ "$fit" -ge "$N" ] || tb_fail "$N guests of ${MEM} MB do not fit in ${free} MB of Xen free memory (at most $fit): raise TESTBED_MEM"

# ---- 1. dom0: its CPU share, backend, watch service -----------------------------
# dom0 runs the backend and the engine for every guest, but Xen's scheduler
# weighs it as one domain among N+1. At Xen's default weight with 32 busy
# guests, frames for the devices late in each sync pass waited over a
# second (lat_to_guest over 1 s rising with the port's place in the pass,
# 7 for g01 to 202 for g32: dom0 losing its CPU mid-pass), and 45 pairs
# went unanswered: 947 of 992 (2026-12-06, 20261206-051049-scale). An
# operator gives dom0 the larger weight (docs/xl.md, "How many guests per
# host"); SCALE_DOM0_WEIGHT=0 keeps Xen's default.
sched=$(xl info | awk '$1 == "xen_scheduler" {print $3}')
case $sched in
credit | credit2) ;;
*) tb_fail "Xen scheduler '$sched': the scenario knows credit and credit2" ;;
esac
[ "$SCALE_DOM0_WEIGHT" = 0 ] || xl "sched-$sched" -d Domain-0 -w "$SCALE_DOM0_WEIGHT" ||
	tb_fail "xl sched-$sched -d Domain-0 -w $SCALE_DOM0_WEIGHT"
w=$(xl "sched-$sched" -d Domain-0 | awk 'NR == 2 {print $3}')
say "Xen scheduler $sched: dom0 weight $w (a guest's: 256)"
tb_figure dom0_weight "$w" weight
tb_dom0_load_modules vprime-back
mkdir -p "$TB_OUT/no-configs" "$CFG"
# a timestamp on each line of the service's log: when each device came
stamp() { local l; while IFS= read -r l; do echo "${EPOCHREALTIME} $l"; done; }
"$VPCTL" watch --config-dir "$TB_OUT/no-configs" > >(stamp >"$TB_OUT/watch.log") 2>&1 &
WATCH_PID=$!
tb_wait_for 10 grep -q 'watching domains' "$TB_OUT/watch.log" ||
	tb_fail "vprimectl watch did not start: $(tail -n 3 "$TB_OUT/watch.log" | tr '\n' ' ')"

# ---- 2. N guests, back to back, relative configs in a scenario directory ------
for ((i = 1; i <= N; i++)); do
	g=$(gname "$i")
	# nowatchdog, rcu_cpu_stall_suppress: on an oversubscribed emulated
	# host a guest's vCPU can wait over 20 s for a CPU, which its
	# soft-lockup watchdog and RCU stall detector report as a BUG and a
	# stack dump (seen with 32 and 16 guests while other builds ran)
	cat >"$CFG/$g.cfg" <<EOF
name = "$(tb_guest_domname "$g")"
type = "pv"
kernel = "$TB_GUEST_KERNEL"
ramdisk = "$TB_GUEST_RAMDISK"
extra = "console=hvc0 loglevel=5 nowatchdog rcupdate.rcu_cpu_stall_suppress=1"
memory = $MEM
vcpus = 1
on_crash = "preserve"
vprime = [ 'mac=$(printf '00:16:3e:77:00:%02x' "$i"),name=$g' ]
EOF
done
# Under emulation a booting guest starves dom0 (an unpaused run of 4: xl
# create took 24, 38, 43 then 96 s): SCALE_PAUSED=1 (the default) creates
# every guest paused, back to back, then unpauses them all.
PAUSE=''
[ "$SCALE_PAUSED" = 0 ] || PAUSE=-p
T0=${EPOCHREALTIME}
t_prev=$T0
for ((i = 1; i <= N; i++)); do
	g=$(gname "$i")
	echo "$g" >"$TB_STATE/guests/$g"
	(cd "$CFG" && xl create ${PAUSE:+"$PAUSE"} "$g.cfg") >"$TB_OUT/$g.create.log" 2>&1 ||
		tb_fail "xl create $g.cfg: $(grep -v '^Parsing' "$TB_OUT/$g.create.log" | tail -n 2 | tr '\n' ' ')"
	t=${EPOCHREALTIME}
	echo "$g $(echo "$t $t_prev" | awk '{printf "%.2f", $1 - $2}')" >>"$TB_OUT/create-times.txt"
	t_prev=$t
done
T_CREATED=$(echo "${EPOCHREALTIME} $T0" | awk '{printf "%.1f", $1 - $2}')
say "$N xl create back to back in ${T_CREATED}s"
tb_figure xl_create_all "$T_CREATED" s
tb_figure xl_create_each_max "$(sort -k2 -n "$TB_OUT/create-times.txt" | tail -n 1 | awk '{print $2}')" s
if [ -n "$PAUSE" ]; then
	for ((i = 1; i <= N; i++)); do
		xl unpause "$(tb_guest_domname "$(gname "$i")")" || tb_fail "xl unpause $(gname "$i")"
	done
	say "all $N unpaused at +$(echo "${EPOCHREALTIME} $T0" | awk '{printf "%.1f", $1 - $2}')s"
fi

for ((i = 1; i <= N; i++)); do tb_guest_wait "$(gname "$i")" 900; done
T_UP=$(echo "${EPOCHREALTIME} $T0" | awk '{printf "%.1f", $1 - $2}')
say "all $N guests up at +${T_UP}s"
tb_figure guests_up "$N" guests
tb_figure guests_up_after "$T_UP" s

# every device added by the watch, none given up
tb_wait_for 30 sh -c "[ \$(grep -c 'added vprime device' '$TB_OUT/watch.log') -ge $N ]" || true
added=$(grep -c 'added vprime device' "$TB_OUT/watch.log" || true)
awk -v t0="$T0" '/added vprime device/ {printf "%s %.2f\n", $4, $1 - t0}' "$TB_OUT/watch.log" >"$TB_OUT/added-at.txt"
tb_figure devices_added "$added" devices
tb_figure device_added_last "$(sort -k2 -n "$TB_OUT/added-at.txt" | tail -n 1 | awk '{print $2}')" s
grep -E 'no config|no name|vprime device [0-9]+ \(' "$TB_OUT/watch.log" | grep -v 'added' >"$TB_OUT/watch-problems.txt" || true
[ "$added" = "$N" ] || tb_fail "the watch added $added devices of $N: $(head -n 3 "$TB_OUT/watch-problems.txt" | tr '\n' ' ')"
[ ! -s "$TB_OUT/watch-problems.txt" ] || tb_fail "watch: $(head -n 2 "$TB_OUT/watch-problems.txt" | tr '\n' ' ')"
grep -c '(xl monitor, pid' "$TB_OUT/watch.log" >"$TB_OUT/found-through-monitor.txt" || true
say "watch added $added devices ($(cat "$TB_OUT/found-through-monitor.txt") found through an xl monitor), last at +$(sort -k2 -n "$TB_OUT/added-at.txt" | tail -n 1 | awk '{print $2}')s"

# ---- 3. frontends connect: the per-device cost in dom0 --------------------------
MF0=$(memfree_kb) XF0=$(xen_free_mb) CK0=$(cur_kb)
G0=$(vp_count grants_mapped) E0=$(vp_count evtchns_bound)
for ((i = 1; i <= N; i++)); do
	g=$(gname "$i")
	tb_guest_run -t 120 "$g" "modprobe vprime-front
		for i in \$(seq 200); do [ -d /sys/class/net/eth0 ] && break; sleep 0.1; done
		ip addr add $(ipof "$i")/16 dev eth0 && ip link set eth0 up" >"$TB_OUT/$g.front.txt" 2>&1 &
	JOBS+=($!)
done
wait_fronts() { local j; for ((j = 1; j <= N; j++)); do vp_state_is "/local/domain/$(tb_guest_domid "$(gname "$j")")/device/vprime/0" 4 || return 1; done; }
tb_wait_for 600 wait_fronts || tb_fail "not every frontend Connected: $("$VPCTL" list 2>&1 | grep -vc Connected) not"
wait_jobs
T_CONN=$(echo "${EPOCHREALTIME} $T0" | awk '{printf "%.1f", $1 - $2}')
MF1=$(memfree_kb) XF1=$(xen_free_mb) CK1=$(cur_kb)
G1=$(vp_count grants_mapped) E1=$(vp_count evtchns_bound)
cp "$VP_DEBUGFS" "$TB_OUT/debugfs-connected.txt"
per_dev() { echo "$1 $2 $N" | awk '{printf "%.0f", ($1 - $2) / $3}'; }
say "all $N devices Connected at +${T_CONN}s; dom0 MemFree -$((MF0 - MF1)) kB, reservation -$((CK0 - CK1)) kB, Xen free +$((XF1 - XF0)) MB, grants_mapped +$((G1 - G0)), evtchns_bound +$((E1 - E0))"
tb_figure vprime_dom0_memfree_per_dev "$(per_dev "$MF0" "$MF1")" kB
tb_figure vprime_dom0_reservation_per_dev "$(per_dev "$CK0" "$CK1")" kB
tb_figure vprime_grants_per_dev "$(per_dev "$G1" "$G0")" grants
tb_figure vprime_evtchns_per_dev "$(per_dev "$E1" "$E0")" evtchns

# ---- 4. one engine, a star of N -------------------------------------------------
{
	printf '{ "comment": "make scale: %s guests on one switch", "nodes": [\n' "$N"
	for ((i = 1; i <= N; i++)); do printf '  { "name": "%s", "type": "guest", "device": "%s" },\n' "$(gname "$i")" "$(gname "$i")"; done
	printf '  { "name": "s1", "type": "switch" } ],\n  "links": [\n'
	for ((i = 1; i <= N; i++)); do printf '  { "name": "l%s", "a": "%s", "b": "s1" }%s\n' "$i" "$(gname "$i")" "$([ "$i" = "$N" ] || echo ,)"; done
	printf '] }\n'
} >"$TB_OUT/star.json"
MFE0=$(memfree_kb)
"$VPRIMED" -t "$TB_OUT/star.json" -c "$VPRIMED_SOCKET" >"$TB_OUT/vprimed.log" 2>&1 &
ENGINE_PID=$!
all_attached() { [ "$("$VPCTL" list 2>/dev/null | grep -c ' attached$')" = "$N" ]; }
tb_wait_for 120 all_attached || tb_fail "vprimed attached $("$VPCTL" list 2>/dev/null | grep -c ' attached$') of $N: $(tail -n 2 "$TB_OUT/vprimed.log" | tr '\n' ' ')"
T_ATT=$(echo "${EPOCHREALTIME} $T0" | awk '{printf "%.1f", $1 - $2}')
say "vprimed attached all $N devices at +${T_ATT}s: $(head -n 1 "$TB_OUT/vprimed.log")"
tb_figure engine_rss "$(awk '$1 == "VmRSS:" {print $2}' "/proc/$ENGINE_PID/status")" kB
tb_figure engine_dom0_memfree "$((MFE0 - $(memfree_kb)))" kB
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
c0=$(cpu_ticks "$ENGINE_PID") s0=${EPOCHREALTIME}
sleep 10
c1=$(cpu_ticks "$ENGINE_PID") s1=${EPOCHREALTIME}
tb_figure engine_cpu_idle "$(echo "$c0 $c1 $s0 $s1 $HZ" | awk '{printf "%.1f", 100 * ($2 - $1) / $5 / ($4 - $3)}')" %

# ---- 5. all pairs ----------------------------------------------------------------
# A round robin: guest i pings i+1, i+2, ... N, 1, ... i-1, so at each step
# every guest is the target of one pinger. Started all at once in the same
# order (every guest pinging g01, then g02, ...), 31 pingers and their ARP
# met at one target at a time and 546 of 992 pairs answered (2026-12-06).
# The guests start SCALE_STAGGER s apart; each times its own N-1
# destinations on its own clock (/proc/uptime), and dom0 times the whole,
# from the first start to the last answer. The lists are built without a
# fork (a command substitution per pair cost about 4 minutes for 992
# under TCG, and hid the start order behind it).
stat_totals() { # `vprimectl stats` on stdin -> "counter total" lines, engine side
	awk '$1 == "drop" && NF == 3 { t["engine_drop_" $2] += $3 }
	$1 == "link" { for (i = 4; i < NF; i += 2) if ($i != "frames" && $i != "bytes" && $i != "queued") t["link_" $i] += $(i + 1) }
	$1 == "node" && $4 != "-" { for (i = 9; i < NF; i += 2) t["port_" $i] += $(i + 1) }
	END { for (k in t) print k, t[k] }' | sort
}
guest_drops() { # NAME -> "rx_dropped tx_dropped" of its eth0
	# shellcheck disable=SC2016 # expanded in the guest
	tb_guest_run -t 60 "$1" 'echo $(cat /sys/class/net/eth0/statistics/rx_dropped) $(cat /sys/class/net/eth0/statistics/tx_dropped)' 2>/dev/null || echo "0 0"
}
all_guest_drops() { # -> rx + tx dropped over every guest's eth0
	local i
	for ((i = 1; i <= N; i++)); do guest_drops "$(gname "$i")"; done | awk '{s += $1 + $2} END {print s + 0}'
}
"$VPCTL" stats 2>&1 | stat_totals >"$TB_OUT/stats-before.txt"
all_guest_drops >"$TB_OUT/guest-drops-before.txt"
s0=${EPOCHREALTIME} c0=$(cpu_ticks "$ENGINE_PID")
for ((i = 1; i <= N; i++)); do
	dests=""
	for ((k = 1; k < N; k++)); do dests="$dests 10.77.0.$(((i - 1 + k) % N + 1))"; done
	tb_guest_run -t 900 "$(gname "$i")" "read u0 _ </proc/uptime; ok=0; bad=''
		for d in $dests; do
			if ping -c 2 -i 0.3 -W 5 \$d 2>/dev/null | grep -Eq ' [1-9][0-9]* (packets )?received'; then ok=\$((ok + 1)); else bad=\"\$bad \$d\"; fi
		done
		read u1 _ </proc/uptime
		echo ok=\$ok u0=\$u0 u1=\$u1 bad=\$bad" >"$TB_OUT/pairs-$(gname "$i").txt" 2>&1 &
	JOBS+=($!)
	echo "$(gname "$i") $(echo "${EPOCHREALTIME} $s0" | awk '{printf "%.2f", $1 - $2}')" >>"$TB_OUT/pairs-started.txt"
	[ "$i" = "$N" ] || sleep "$SCALE_STAGGER"
done
T_LAUNCH=$(echo "${EPOCHREALTIME} $s0" | awk '{printf "%.1f", $1 - $2}')
wait_jobs
c1=$(cpu_ticks "$ENGINE_PID") s1=${EPOCHREALTIME}
T_PAIRS=$(echo "$s1 $s0" | awk '{printf "%.0f", $1 - $2}')
tb_figure engine_cpu_load "$(echo "$c0 $c1 $s0 $s1 $HZ" | awk '{printf "%.1f", 100 * ($2 - $1) / $5 / ($4 - $3)}')" %
ok=$(cat "$TB_OUT"/pairs-g*.txt | sed -n 's/^ok=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
want=$((N * (N - 1)))
# each guest's own time for its N-1 destinations
sed -n 's/^ok=[0-9]* u0=\([0-9.]*\) u1=\([0-9.]*\).*/\1 \2/p' "$TB_OUT"/pairs-g*.txt |
	awk '{printf "%.1f\n", $2 - $1}' | sort -n >"$TB_OUT/pairs-guest-secs.txt"
G_MED=$(awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print 0}' "$TB_OUT/pairs-guest-secs.txt")
G_MAX=$(tail -n 1 "$TB_OUT/pairs-guest-secs.txt")
say "all pairs: $ok of $want answered in ${T_PAIRS}s (guests started ${SCALE_STAGGER}s apart over ${T_LAUNCH}s; a guest's own $((N - 1)) destinations: median ${G_MED}s, slowest ${G_MAX:-?}s)"
tb_figure pairs_ok "$ok" pairs
tb_figure pairs_want "$want" pairs
tb_figure pairs_time "$T_PAIRS" s
tb_figure pairs_launch_span "$T_LAUNCH" s
tb_figure pairs_guest_median "$G_MED" s
tb_figure pairs_guest_max "${G_MAX:-0}" s
# where frames were lost, if any: the engine's, dom0's and the guests' counters
"$VPCTL" stats >"$TB_OUT/stats-after-pairs.txt" 2>&1 || true
stat_totals <"$TB_OUT/stats-after-pairs.txt" >"$TB_OUT/stats-after.txt"
awk 'NR == FNR {b[$1] = $2; next} $2 != b[$1] {print $1, $2 - b[$1]}' \
	"$TB_OUT/stats-before.txt" "$TB_OUT/stats-after.txt" >"$TB_OUT/stats-pairs-delta.txt"
all_guest_drops >"$TB_OUT/guest-drops-after.txt"
lost_engine=$(awk '$1 ~ /^(engine_drop_|link_)/ {s += $2} END {print s + 0}' "$TB_OUT/stats-pairs-delta.txt")
lost_dom0=$(awk '$1 ~ /^port_tx_drop_/ {s += $2} END {print s + 0}' "$TB_OUT/stats-pairs-delta.txt")
lost_guest=$(($(cat "$TB_OUT/guest-drops-after.txt") - $(cat "$TB_OUT/guest-drops-before.txt")))
say "during all pairs: $(grep -E '^(port_rx_frames|port_tx_frames|engine_drop_|link_|port_tx_drop_|port_tx_stall|port_rx_stall|port_guest_events_limited)' "$TB_OUT/stats-pairs-delta.txt" | tr '\n' ' ')guest rx+tx dropped $lost_guest"
tb_figure pairs_lost_engine "$lost_engine" frames
tb_figure pairs_lost_dom0 "$lost_dom0" frames
tb_figure pairs_lost_guests "$lost_guest" frames
# frames dom0 wrote into a guest over a second after they were due
tb_figure pairs_lat_to_guest_over_1s "$(awk '$1 == "port_lat_to_guest_over_1s" {print $2}' "$TB_OUT/stats-pairs-delta.txt" | grep . || echo 0)" frames
"$VPCTL" list >"$TB_OUT/list-final.txt" 2>&1 || true

# ---- 6. the stock vif path, per device, on the first guests ----------------------
K=$SCALE_VIFS
[ "$K" -le "$N" ] || K=$N
vif_up() { local j; for ((j = 1; j <= K; j++)); do vp_state_is "/local/domain/0/backend/vif/$(tb_guest_domid "$(gname "$j")")/0" 4 || return 1; done; }
if [ "$K" -gt 0 ]; then
	MF0=$(memfree_kb) CK0=$(cur_kb)
	for ((i = 1; i <= K; i++)); do
		xl network-attach "$(tb_guest_domname "$(gname "$i")")" bridge=xenbr0 >>"$TB_OUT/vif-attach.log" 2>&1 ||
			tb_fail "xl network-attach $(gname "$i"): $(tail -n 2 "$TB_OUT/vif-attach.log" | tr '\n' ' ')"
	done
	if tb_wait_for 120 vif_up; then
		MF1=$(memfree_kb) CK1=$(cur_kb)
		tb_figure vif_dom0_memfree_per_dev "$(echo "$MF0 $MF1 $K" | awk '{printf "%.0f", ($1 - $2) / $3}')" kB
		tb_figure vif_dom0_reservation_per_dev "$(echo "$CK0 $CK1 $K" | awk '{printf "%.0f", ($1 - $2) / $3}')" kB
		say "stock vif x$K Connected: dom0 MemFree -$((MF0 - MF1)) kB, reservation -$((CK0 - CK1)) kB"
	else
		say "stock vif: the backends did not reach Connected in 120 s (no vif figures)"
	fi
fi

# ---- 7. the guests go back to back; the watch removes every node -----------------
stop_pid ENGINE_PID
t0=${EPOCHREALTIME}
for ((i = 1; i <= N; i++)); do tb_guest_destroy "$(gname "$i")"; done
tb_wait_for 120 sh -c '[ -z "$(xenstore-list /local/domain/0/backend/vprime 2>/dev/null)" ]' ||
	tb_fail "nodes left after destroy: $(xenstore-list /local/domain/0/backend/vprime | tr '\n' ' ')"
tb_figure destroy_all_clean "$(echo "${EPOCHREALTIME} $t0" | awk '{printf "%.1f", $1 - $2}')" s
tb_wait_for 30 sh -c "[ \"\$(awk '\$1 == \"grants_mapped\" {print \$2}' $VP_DEBUGFS)\" = 0 ]" || true
vp_leak_check
[ "$ok" = "$want" ] || tb_fail "all pairs: $ok of $want answered (see pairs-g*.txt)"
say "PASS: $N guests, $N devices, $ok/$want pairs"
