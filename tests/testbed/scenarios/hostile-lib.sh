# shellcheck shell=bash
# hostile-lib.sh: helpers of the hostile-*.sh and fault-*.sh scenarios.
# Not a scenario: source it after vprime-lib.sh.
#
#   hx_soft_fail MSG      record a failed check, keep going (the scenario
#                         ends with tb_fail listing them all: one boot
#                         shows every failure, not only the first)
#   hx_finish             tb_fail if any check failed
#   hx_attack ATTACK...   run an attack in guest h, print its result line
#   hx_status [KEY]       the hostile module's status line or one value
#   hx_wait_connected S   until the hostile frontend is Connected again
#   hx_mem                "MemAvailable_kB SUnreclaim_kB" of dom0
#   hx_pair_ping SECS     ping g1 -> g2 through vpfwd for SECS (0.2 s
#                         apart), print "sent received"
#   hx_dmesg_count RE     matching lines in dom0's kernel log since the mark

HX_PARAM=/sys/module/vprime_hostile/parameters
HX_FAILS=()

hx_soft_fail() {
	tb_log "CHECK FAILED: $*"
	HX_FAILS+=("$*")
}

hx_finish() {
	if [ "${#HX_FAILS[@]}" -gt 0 ]; then
		tb_fail "${#HX_FAILS[@]} checks failed: $(printf '%s; ' "${HX_FAILS[@]}")"
	fi
}

hx_attack() { # ATTACK [ARG]  (run in guest h)
	local out
	out=$(tb_guest_run -t 180 h "echo '$*' > $HX_PARAM/attack; cat $HX_PARAM/attack") ||
		hx_soft_fail "attack '$*' failed in the guest: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	tb_log "attack $*: $out"
	echo "$out"
}

hx_status() { # [KEY]
	local s
	s=$(tb_guest_run h "cat $HX_PARAM/status" 2>/dev/null) || true
	if [ -n "${1:-}" ]; then
		echo "$s" | tr ' ' '\n' | sed -n "s/^$1=//p"
	else
		echo "$s"
	fi
}

hx_wait_connected() { # SECS
	local i
	for i in $(seq "$1"); do
		[ "$(hx_status connected)" = 1 ] && return 0
		sleep 1
	done
	return 1
}

hx_mem() {
	awk '$1=="MemAvailable:"{a=$2} $1=="SUnreclaim:"{s=$2} END{print a, s}' /proc/meminfo
}

hx_pair_ping() { # SECS
	local n out
	n=$(($1 * 5))
	out=$(tb_guest_run -t $(($1 + 60)) g1 "ping -i 0.2 -c $n -W 2 10.77.2.2 | tail -n 2" 2>&1) || true
	echo "$out" | sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) packets received.*/\1 \2/p'
}

hx_dmesg_count() { # REGEX
	tb_dmesg_since | grep -cE "$1" || true
}

# Run on its own, it is not a scenario.
if [ "${TB_SCENARIO:-}" = hostile-lib ]; then
	tb_skip "hostile-lib.sh is a helper library"
fi
