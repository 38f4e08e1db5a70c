# shellcheck shell=bash
# harness: the testbed checks itself. One guest without any network device:
# the command channel (tb_guest_run over xenstore) round trip, exit status,
# a large output arriving intact, and the per-command timeout.
# Figure: agent_rtt (ms per tb_guest_run of `true`).
# tb-timeout: 240

tb_guest_start h1

# exit status and stdout+stderr
out=$(tb_guest_run h1 'echo out; echo err >&2; exit 7') && tb_fail "exit status 7 came back as 0"
rc=$(tb_guest_run h1 'exit 7' >/dev/null; echo $?) || true
[ "$rc" = 7 ] || tb_fail "exit status 7 came back as $rc"
[ "$out" = "$(printf 'out\nerr')" ] || tb_fail "output came back as '$out'"

# round trip of a trivial command
t0=${EPOCHREALTIME/./}
for _ in 1 2 3; do tb_guest_run h1 true; done
tb_figure agent_rtt $(((${EPOCHREALTIME/./} - t0) / 3000)) ms

# 24 KiB of binary output intact (18 base64 chunks through xenstore)
sum_guest=$(tb_guest_run h1 'head -c 24576 /dev/urandom >/tmp/r; md5sum </tmp/r | cut -d" " -f1')
sum_dom0=$(tb_guest_run -t 120 h1 'cat /tmp/r' | md5sum | cut -d' ' -f1)
[ "$sum_guest" = "$sum_dom0" ] || tb_fail "24 KiB output corrupted ($sum_guest != $sum_dom0)"

# the timeout kills a hung command and the agent keeps serving
rc=0
tb_guest_run -t 2 h1 'sleep 30' >/dev/null || rc=$?
[ "$rc" = 137 ] || tb_fail "a command past its timeout returned $rc, not 137"
[ "$(tb_guest_run h1 'echo alive')" = alive ] || tb_fail "agent dead after a timeout"

tb_guest_destroy h1
