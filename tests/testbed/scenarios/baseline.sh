# shellcheck shell=bash
# baseline: the stock path, two PV guests with netfront/netback on bridge xenbr0.
# Pings both ways (and dom0 -> guest), short iperf3 TCP and UDP runs both ways.
# Figures: ping RTT averages (ms), iperf3 throughput (Mbit/s). These are the
# reference every vprime figure is compared with, measured in the same boot.
# tb-timeout: 300

tb_guest_start g1 --vif --ip eth0=10.99.0.11/24 --nowait
tb_guest_start g2 --vif --ip eth0=10.99.0.12/24 --nowait
tb_guest_wait g1
tb_guest_wait g2

# ping FROM_DESC OUTPUT: record avg RTT and loss; fail when nothing came back
ping_figures() {
	local tag=$1 out=$2 avg loss
	loss=$(echo "$out" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
	avg=$(echo "$out" | sed -n 's#.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*#\1#p')
	[ -n "$avg" ] || tb_fail "ping $tag: no reply ($(echo "$out" | tail -n 2 | tr '\n' ' '))"
	tb_figure "ping_${tag}_rtt_avg" "$avg" ms
	tb_figure "ping_${tag}_loss" "${loss:-?}" %
}

out=$(tb_guest_run -t 30 g1 'ping -c 10 -i 0.2 -W 2 10.99.0.12') || true
ping_figures g1_g2 "$out"
out=$(tb_guest_run -t 30 g2 'ping -c 10 -i 0.2 -W 2 10.99.0.11') || true
ping_figures g2_g1 "$out"
out=$(ping -c 10 -i 0.2 -W 2 10.99.0.11 2>&1) || true
ping_figures dom0_g1 "$out"

# iperf3 both ways, TCP then UDP (the same runs vprime-ping makes), with
# one iperf3 server in g2: -R makes g2 the sender.
tb_guest_run g2 'iperf3 -s -D >/dev/null 2>&1; sleep 0.5' >/dev/null
iperf() { # NAME ARGS...: figure NAME = the receiver's Mbit/s
	local name=$1 mbps
	shift
	mbps=$(tb_iperf3 g1 10.99.0.12 "$name" "$@")
	tb_figure "$name" "$mbps" Mbit/s
}
# UDP offered far above what an emulated guest sends: the figure is its ceiling.
UDP=(-u -b 200M -l 1400)
iperf iperf3_tcp_g1_g2 -t 5
iperf iperf3_tcp_g2_g1 -t 5 -R
iperf iperf3_udp_g1_g2 -t 5 "${UDP[@]}"
iperf iperf3_udp_g2_g1 -t 5 -R "${UDP[@]}"

tb_guest_destroy g1
tb_guest_destroy g2
