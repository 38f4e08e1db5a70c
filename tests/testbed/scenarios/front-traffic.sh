# shellcheck shell=bash
# front-traffic: the frontend's data path under load, through vpfwd.
#
#   g1 (vprime-front)                 dom0                 g2 (vprime-front)
#   ethX 10.78.0.1 ==== vprime-back == vpfwd == vprime-back ==== ethY 10.78.0.2
#
# 1. MTU 9000 (feature-jumbo): pings of 8000 bytes, each frame a chain of
#    4-5 slots (MORE) both ways.
# 2. MTU 1500: iperf3 TCP g1 -> g2, checksums offloaded (CSUM_BLANK on TX,
#    skb_checksum_setup on RX) when request-csum-offload is 1.
# 3. The engine goes away: carrier off in both guests; it comes back:
#    carrier on and traffic flows again.
# Every guest-side error counter (be_*, rx_drop_*, ring_broken,
# grant_leaked_pages) must stay 0.
# tb-timeout: 900

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

MAC1=00:16:3e:5c:00:01
MAC2=00:16:3e:5c:00:02
IP1=10.78.0.1
IP2=10.78.0.2

tb_dom0_load_modules vprime-back
tb_guest_start g1 --mods vprime-front
tb_guest_start g2 --mods vprime-front
vp_dev_add g1 0 "$MAC1"
vp_dev_add g2 0 "$MAC2"
vp_wait_connected g1 0
vp_wait_connected g2 0
if1=$(vp_guest_ifname g1 0)
if2=$(vp_guest_ifname g2 0)
tb_log "csum offload requested: g1 $(xenstore-read "$(vp_fe_path g1 0)/request-csum-offload"), g2 $(xenstore-read "$(vp_fe_path g2 0)/request-csum-offload")"
vp_guest g1 "ip addr add $IP1/24 dev $if1 && ip link set $if1 mtu 9000 up" >/dev/null
vp_guest g2 "ip addr add $IP2/24 dev $if2 && ip link set $if2 mtu 9000 up" >/dev/null

# On a failure: both guests' counters, vpfwd's and dom0's, then fail.
diag_fail() {
	vp_guest g1 "ethtool -S $if1" >"$TB_OUT/ethtool-g1-fail.txt" 2>&1 || true
	vp_guest g2 "ethtool -S $if2" >"$TB_OUT/ethtool-g2-fail.txt" 2>&1 || true
	vp_fwd_dump || true
	cp "$VP_DEBUGFS" "$TB_OUT/debugfs-fail.txt" 2>/dev/null || true
	# vpfwd must not outlive the scenario (it would attach the next ones').
	[ -z "$VP_FWD_PID" ] || { kill -TERM "$VP_FWD_PID"; wait "$VP_FWD_PID"; } || true
	tb_fail "$*"
}

carrier_is() { # GUEST IFNAME 0|1
	vp_guest "$1" "for i in \$(seq 100); do [ \$(cat /sys/class/net/$2/carrier) = $3 ] && exit 0; sleep 0.1; done; exit 1" >/dev/null
}

vp_fwd_start
carrier_is g1 "$if1" 1
carrier_is g2 "$if2" 1
tb_log "carrier on in both guests"

# ---------------------------------------------------------------- 1. jumbo
out=$(tb_guest_run -t 60 g1 "ping -c 10 -i 0.5 -W 5 $IP2") || true
echo "$out" >"$TB_OUT/ping-small.txt"
echo "$out" | grep -q '10 packets transmitted, 10 packets received' ||
	diag_fail "small ping g1 -> g2: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
rtt=$(echo "$out" | sed -n 's#.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*#\1#p')
[ -z "$rtt" ] || tb_figure front_ping_rtt_avg "$rtt" ms
out=$(tb_guest_run -t 60 g1 "ping -c 5 -s 8000 -W 5 $IP2") || true
echo "$out" >"$TB_OUT/ping-jumbo.txt"
echo "$out" | grep -q '5 packets transmitted, 5 packets received' ||
	diag_fail "jumbo ping g1 -> g2: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
tb_log "jumbo pings (8000 bytes, multi-slot) 5/5"

# ---------------------------------------------------------------- 2. TCP
vp_guest g1 "ip link set $if1 mtu 1500" >/dev/null
vp_guest g2 "ip link set $if2 mtu 1500" >/dev/null
vp_guest g2 'iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5' >/dev/null
out=$(tb_guest_run -t 90 g1 "iperf3 -c $IP2 -t 5 -f m") || true
echo "$out" >"$TB_OUT/iperf3-g1-g2.txt"
mbps=$(echo "$out" | awk '/receiver/ {for (i = 1; i < NF; i++) if ($(i+1) == "Mbits/sec") v = $i} END {print v}')
[ -n "$mbps" ] || diag_fail "iperf3 g1 -> g2: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
tb_figure front_iperf3_tcp_g1_g2 "$mbps" Mbit/s

# ---------------------------------------------------------------- 3. engine cycle
vp_fwd_dump
vp_fwd_stop
carrier_is g1 "$if1" 0
carrier_is g2 "$if2" 0
tb_log "engine gone: carrier off in both guests"
vp_fwd_start
carrier_is g1 "$if1" 1
carrier_is g2 "$if2" 1
out=$(tb_guest_run -t 30 g2 "ping -c 3 -W 5 $IP1") || true
echo "$out" | grep -q '3 packets transmitted, 3 packets received' ||
	diag_fail "ping after the engine came back: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
tb_log "engine back: carrier on, ping 3/3"
vp_fwd_stop

# ---------------------------------------------------------------- counters
for g in g1 g2; do
	ifn=$if1
	[ "$g" = g2 ] && ifn=$if2
	vp_guest "$g" "ethtool -S $ifn" >"$TB_OUT/ethtool-$g.txt"
	for k in be_bad_index be_bad_slot be_bad_extent be_zero_len be_too_many_slots \
		be_oversize rx_drop_bad rx_drop_nomem rx_drop_csum ring_broken grant_leaked_pages; do
		v=$(awk -v k="$k:" '$1 == k {print $2}' "$TB_OUT/ethtool-$g.txt")
		[ "$v" = 0 ] || tb_fail "$g: $k = $v"
	done
	tb_log "$g: $(grep -E ' (rx|tx)_packets:| notify_backend:| irq_spurious:| tx_drop_no_link:' "$TB_OUT/ethtool-$g.txt" | tr -s ' \n' ' ')"
done

vp_dev_remove g1 0
vp_dev_remove g2 0
tb_wait_for 20 sh -c "[ \"\$(awk '\$1==\"devices\"{print \$2}' $VP_DEBUGFS)\" = 0 ]" ||
	tb_fail "devices left after removal: $(vp_count devices)"
vp_leak_check
tb_guest_destroy g1
tb_guest_destroy g2
tb_dom0_unload_modules vprime_back
