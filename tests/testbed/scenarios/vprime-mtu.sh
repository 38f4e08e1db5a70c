# shellcheck shell=bash
# vprime-mtu: MTU 9000 in both guests, frames of several slots each way.
#
#   g1 (vprime-front, mtu 9000) == vprime-back == vpfwd == vprime-back == g2 (mtu 9000)
#
# 1. The frontend publishes the largest MTU it takes ("mtu" = 9000: the
#    backend offered feature-jumbo); 9000 is accepted, 9001 refused.
# 2. Pings at sizes whose frames end at and just past each 2048-byte slot
#    boundary, up to 8972 bytes (a 9000-byte IP packet, 5 slots), both ways.
# 3. iperf3 TCP both ways at MTU 9000: the frames dom0 carried average more
#    than 6000 bytes (jumbo segments, not 1500-byte ones).
# 4. Unfragmented: neither guest's IP layer fragmented or reassembled
#    anything (/proc/net/snmp FragCreates, ReasmReqds unchanged).
# Every frontend error counter stays 0; nothing leaks at the end.
# tb-timeout: 600

# shellcheck source=vprime-lib.sh
. "$TB_SCEN_DIR/vprime-lib.sh"

tb_dmesg_mark
vp_guests_up 1 g1 g2
d1=${VP_DOM[g1]}

# ---- 1. MTU limits ------------------------------------------------------------
mtu_key=$(xenstore-read "$(vp_fe_path g1 0)/mtu" 2>/dev/null) || mtu_key=
[ "$mtu_key" = 9000 ] || tb_fail "g1 published mtu '$mtu_key', want 9000 (feature-jumbo)"
for g in g1 g2; do
	vp_guest "$g" "ip link set ${VP_IF[$g]} mtu 9000 && cat /sys/class/net/${VP_IF[$g]}/mtu" |
		tb_match -x 9000 || tb_fail "$g: MTU 9000 not taken"
	out=$(tb_guest_run "$g" "ip link set ${VP_IF[$g]} mtu 9001 2>&1; cat /sys/class/net/${VP_IF[$g]}/mtu")
	[ "$(echo "$out" | tail -n 1)" = 9000 ] || tb_fail "$g: MTU 9001 was accepted: $out"
done
tb_log "mtu 9000 in both guests, 9001 refused"

vp_fwd_start
vp_carrier_wait g1 1
vp_carrier_wait g2 1

# IP fragmentation counters of a guest: "FragCreates ReasmReqds"
frag_counts() { # GUEST
	vp_guest "$1" "cat /proc/net/snmp" | awk '
		$1 == "Ip:" && !h { for (i = 2; i <= NF; i++) n[$i] = i; h = 1; next }
		$1 == "Ip:" { print $n["FragCreates"], $n["ReasmReqds"] }'
}
f1=$(frag_counts g1)
f2=$(frag_counts g2)
{ [ -n "$f1" ] && [ -n "$f2" ]; } || tb_fail "no IP counters in /proc/net/snmp"

# ---- 2. pings across the slot boundaries ----------------------------------------
# ICMP payload + 42 header bytes = the frame: 2048, 2049, 4096, 4097, 6144,
# 6145, 8192 and 9014 bytes (1 to 5 slots of 2048).
SIZES="56 2006 2007 4054 4055 6102 6103 8150 8972"
ping_sizes() { # FROM TO-IP
	vp_guest "$1" "for s in $SIZES; do
		ping -c 2 -i 0.2 -W 5 -s \$s $2 | grep -q '2 packets received' || { echo \"size \$s lost\"; exit 1; }
	done; echo all sizes"
}
ping_sizes g1 "${VP_IP[g2]}" >/dev/null
ping_sizes g2 "${VP_IP[g1]}" >/dev/null
out=$(vp_guest g1 "ping -c 5 -i 0.2 -W 5 -s 8972 ${VP_IP[g2]}")
rtt=$(echo "$out" | sed -n 's#.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*#\1#p')
tb_figure ping_8972_rtt_avg "$rtt" ms
tb_log "pings of $SIZES bytes both ways: all answered"

# ---- 3. TCP at MTU 9000 -----------------------------------------------------------
vp_guest g2 'iperf3 -s -D >/dev/null 2>&1; sleep 0.5' >/dev/null
b0=$(vp_stat "$d1" 0 rx_bytes) n0=$(vp_stat "$d1" 0 rx_frames)
mbps=$(tb_iperf3 g1 "${VP_IP[g2]}" tcp_g1_g2 -t 5)
b1=$(vp_stat "$d1" 0 rx_bytes) n1=$(vp_stat "$d1" 0 rx_frames)
vp_vs_baseline iperf3_tcp_g1_g2_mtu9000 "$mbps" Mbit/s iperf3_tcp_g1_g2
avg=$(( (b1 - b0) / (n1 - n0 > 0 ? n1 - n0 : 1) ))
tb_figure g1_frame_bytes_avg "$avg" bytes
[ "$avg" -gt 6000 ] || tb_fail "g1 sent frames of $avg bytes on average during TCP at MTU 9000: not jumbo"
mbps=$(tb_iperf3 g1 "${VP_IP[g2]}" tcp_g2_g1 -t 5 -R)
vp_vs_baseline iperf3_tcp_g2_g1_mtu9000 "$mbps" Mbit/s iperf3_tcp_g2_g1
vp_guest g2 'killall iperf3 2>/dev/null; true' >/dev/null

# ---- 4. nothing fragmented ----------------------------------------------------------
[ "$(frag_counts g1)" = "$f1" ] || tb_fail "g1 fragmented or reassembled: FragCreates ReasmReqds $f1 -> $(frag_counts g1)"
[ "$(frag_counts g2)" = "$f2" ] || tb_fail "g2 fragmented or reassembled: FragCreates ReasmReqds $f2 -> $(frag_counts g2)"
tb_log "no IP fragmentation or reassembly in either guest"

vp_fe_clean g1 g1
vp_fe_clean g2 g2
for k in guest_oversize guest_too_many_slots tx_drop_oversize; do
	[ "$(vp_stat "$d1" 0 "$k")" = 0 ] || tb_fail "dom0 counted $k = $(vp_stat "$d1" 0 "$k") for g1"
done
vp_teardown g1 g2
tb_log "MTU 9000 both ways, unfragmented; nothing leaked"
