// SPDX-License-Identifier: MIT
/*
 * vp_csum.c - finish a CSUM_BLANK frame's TCP or UDP checksum, as the
 * sender's NIC would have (Linux CHECKSUM_PARTIAL: the checksum field
 * holds the folded pseudo-header sum; the device sums from the L4 header
 * to the end and stores the complement).  dom0 does this when writing such
 * a frame into a guest that did not ask for blank checksums.
 *
 * The frame is in @nseg segments (the guest's RX slots, already written);
 * Ethernet, one optional VLAN tag, the IPv4 or IPv6 header and the L4
 * header must all be in the first segment.  Anything else (IP fragments,
 * IPv6 extension headers, other protocols, lengths that disagree) cannot
 * be finished: the caller drops the frame and counts it.
 */
#include "vp_csum.h"

#define VP_ETH_HLEN	14u
#define VP_ETH_P_IP	0x0800u
#define VP_ETH_P_IPV6	0x86ddu
#define VP_ETH_P_8021Q	0x8100u
#define VP_ETH_P_8021AD	0x88a8u
#define VP_IPPROTO_TCP	6u
#define VP_IPPROTO_UDP	17u

static u32 vp_be16(const u8 *p)
{
	return (u32)p[0] << 8 | p[1];
}

/* Where the L4 part starts, how long it is, where its checksum field is. */
struct vp_csum_at {
	u32 l4;
	u32 l4_len;
	u32 field;
	bool udp;
};

/* Parse the headers in the first @len bytes of @p; -1 if we cannot. */
static int vp_csum_parse(const u8 *p, u32 len, u32 total,
			 struct vp_csum_at *at)
{
	u32 l3 = VP_ETH_HLEN, type, proto, hl;

	if (len < VP_ETH_HLEN)
		return -1;
	type = vp_be16(p + 12);
	if (type == VP_ETH_P_8021Q || type == VP_ETH_P_8021AD) {
		if (len < VP_ETH_HLEN + 4)
			return -1;
		type = vp_be16(p + 16);
		l3 += 4;
	}
	if (type == VP_ETH_P_IP) {
		if (len < l3 + 20 || (p[l3] >> 4) != 4)
			return -1;
		hl = (p[l3] & 15u) * 4;
		if (hl < 20 || vp_be16(p + l3 + 6) & 0x3fff)
			return -1;	/* short header or a fragment */
		proto = p[l3 + 9];
		if (vp_be16(p + l3 + 2) < hl)
			return -1;
		at->l4_len = vp_be16(p + l3 + 2) - hl;
	} else if (type == VP_ETH_P_IPV6) {
		if (len < l3 + 40 || (p[l3] >> 4) != 6)
			return -1;
		hl = 40;
		proto = p[l3 + 6];	/* extension headers: not handled */
		at->l4_len = vp_be16(p + l3 + 4);
	} else {
		return -1;
	}
	at->l4 = l3 + hl;
	if (proto == VP_IPPROTO_TCP) {
		at->field = at->l4 + 16;
		at->udp = false;
	} else if (proto == VP_IPPROTO_UDP) {
		at->field = at->l4 + 6;
		at->udp = true;
	} else {
		return -1;
	}
	if (at->field + 2 > len || at->field + 2 > at->l4 + at->l4_len ||
	    at->l4 + at->l4_len > total)
		return -1;
	return 0;
}

/* Ones' complement sum of [from, from + n) of the segmented frame. */
static u64 vp_csum_sum(u8 *const seg[], const u16 seg_len[], u32 nseg,
		       u32 from, u32 n)
{
	u64 sum = 0;
	u32 i, pos = 0, k = 0;	/* k: bytes summed, its parity the lane */

	for (i = 0; i < nseg && k < n; i++) {
		u32 a = from > pos ? from - pos : 0, j;

		for (j = a; j < seg_len[i] && k < n; j++, k++)
			sum += k & 1 ? seg[i][j] : (u32)seg[i][j] << 8;
		pos += seg_len[i];
	}
	return sum;
}

/* Finish the checksum in place.  Returns 0, or -1 if it cannot. */
int vp_csum_finish(u8 *const seg[], const u16 seg_len[], u32 nseg)
{
	struct vp_csum_at at;
	u32 i, total = 0;
	u64 sum;
	u16 c;

	if (!nseg)
		return -1;
	for (i = 0; i < nseg; i++)
		total += seg_len[i];
	if (vp_csum_parse(seg[0], seg_len[0], total, &at))
		return -1;
	sum = vp_csum_sum(seg, seg_len, nseg, at.l4, at.l4_len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (u16)~sum;
	if (at.udp && c == 0)
		c = 0xffff;	/* UDP: 0 means "no checksum" */
	seg[0][at.field] = (u8)(c >> 8);
	seg[0][at.field + 1] = (u8)c;
	return 0;
}
