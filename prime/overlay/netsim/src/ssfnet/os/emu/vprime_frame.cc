/* SPDX-License-Identifier: MIT */
/**
 * \file vprime_frame.cc
 * \brief Classification, ARP replies and Ethernet headers of the vprime
 * emulation device (see vprime_frame.h).  Every read is bounded by the
 * frame's length: the bytes come from a guest.
 */

#include "os/emu/vprime_frame.h"

#include <string.h>

namespace prime {
namespace ssfnet {

static uint16_t vprimeGet16(const uint8_t* p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t vprimeGet32(const uint8_t* p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void vprimePut16(uint8_t* p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void vprimePut32(uint8_t* p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* An IPv4 header PRIMEX can parse: version 4, a sane header length, and a
 * total length that the frame holds (trailing Ethernet padding is cut). */
static VPrimeFrameKind vprimeClassifyIpv4(const uint8_t* ip, uint32_t len,
					  VPrimeFrameInfo* info)
{
	uint32_t ihl, total;

	if (len < 20 || (ip[0] >> 4) != 4)
		return VPRIME_FRAME_bad_ipv4;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	total = vprimeGet16(ip + 2);
	if (ihl < 20 || total < ihl || total > len)
		return VPRIME_FRAME_bad_ipv4;
	info->ip_len = total;
	info->src_ip = vprimeGet32(ip + 12);
	info->dst_ip = vprimeGet32(ip + 16);
	return VPRIME_FRAME_ipv4;
}

static VPrimeFrameKind vprimeClassifyArp(const uint8_t* arp, uint32_t len,
					 VPrimeFrameInfo* info)
{
	if (len < VPRIME_ARP_LEN || vprimeGet16(arp) != 1 ||
	    vprimeGet16(arp + 2) != VPRIME_ETH_P_IP || arp[4] != 6 ||
	    arp[5] != 4)
		return VPRIME_FRAME_bad_arp;
	if (vprimeGet16(arp + 6) != 1)
		return VPRIME_FRAME_arp_other;
	info->src_ip = vprimeGet32(arp + 14);
	info->dst_ip = vprimeGet32(arp + 24);
	return VPRIME_FRAME_arp_request;
}

VPrimeFrameKind vprimeFrameClassify(const uint8_t* data, uint32_t len,
				    const uint8_t guest_mac[6],
				    VPrimeFrameInfo* info)
{
	uint16_t type;

	memset(info, 0, sizeof(*info));
	if (!data || len < VPRIME_ETH_HLEN)
		return VPRIME_FRAME_runt;
	memcpy(info->src_mac, data + 6, 6);
	if (memcmp(info->src_mac, guest_mac, 6) != 0)
		return VPRIME_FRAME_wrong_mac;
	type = vprimeGet16(data + 12);
	switch (type) {
	case VPRIME_ETH_P_IP:
		return vprimeClassifyIpv4(data + VPRIME_ETH_HLEN,
					  len - VPRIME_ETH_HLEN, info);
	case VPRIME_ETH_P_ARP:
		return vprimeClassifyArp(data + VPRIME_ETH_HLEN,
					 len - VPRIME_ETH_HLEN, info);
	case VPRIME_ETH_P_IPV6:
		return VPRIME_FRAME_ipv6;
	case VPRIME_ETH_P_8021Q:
		return VPRIME_FRAME_vlan;
	default:
		return VPRIME_FRAME_other;
	}
}

#define VPRIME_FRAME_KIND_NAME(n, d) #n,
static const char* const vprime_frame_kind_names[] = {
	VPRIME_FRAME_KINDS(VPRIME_FRAME_KIND_NAME)
};
#undef VPRIME_FRAME_KIND_NAME

const char* vprimeFrameKindName(int kind)
{
	if (kind < 0 || kind >= VPRIME_FRAME_KIND_MAX)
		return 0;
	return vprime_frame_kind_names[kind];
}

bool vprimeArpShouldAnswer(uint32_t target, uint32_t guest_ip,
			   uint32_t net, int prefix_len)
{
	uint32_t mask;

	if (target == 0 || target == guest_ip)
		return false;
	if (prefix_len <= 0)
		return true;
	if (prefix_len > 32)
		return false;
	mask = prefix_len == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix_len);
	return (target & mask) == (net & mask);
}

void vprimeEthWrite(uint8_t* buf, const uint8_t dst[6], const uint8_t src[6],
		    uint16_t type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	vprimePut16(buf + 12, type);
}

uint32_t vprimeArpReplyWrite(uint8_t* buf, uint32_t cap, const uint8_t mac[6],
			     uint32_t ip, const uint8_t to_mac[6],
			     uint32_t to_ip)
{
	const uint32_t len = 60;	/* 14 + 28, padded to the minimum */
	uint8_t* arp = buf + VPRIME_ETH_HLEN;

	if (!buf || cap < len)
		return 0;
	memset(buf, 0, len);
	vprimeEthWrite(buf, to_mac, mac, VPRIME_ETH_P_ARP);
	vprimePut16(arp, 1);			/* Ethernet */
	vprimePut16(arp + 2, VPRIME_ETH_P_IP);
	arp[4] = 6;
	arp[5] = 4;
	vprimePut16(arp + 6, 2);		/* reply */
	memcpy(arp + 8, mac, 6);
	vprimePut32(arp + 14, ip);
	memcpy(arp + 18, to_mac, 6);
	vprimePut32(arp + 24, to_ip);
	return len;
}

static int vprimeHexDigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool vprimeMacParse(const char* s, uint8_t mac[6])
{
	uint8_t out[6];
	int i, hi, lo;

	if (!s)
		return false;
	for (i = 0; i < 6; i++) {
		hi = vprimeHexDigit(s[0]);
		lo = hi < 0 ? -1 : vprimeHexDigit(s[1]);
		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return false;
	}
	if (*s != '\0')
		return false;
	memcpy(mac, out, 6);
	return true;
}

unsigned long long vprimeSimToMono(long long t, long long anchor_t,
				    unsigned long long anchor_ns, double t_per_ns)
{
	/* in double: t may be the simulator's +-infinity */
	double off = t_per_ns > 0 ? ((double)t - (double)anchor_t) / t_per_ns : 0;

	if (off > VPRIME_DUE_AHEAD_S * 1e9)
		off = VPRIME_DUE_AHEAD_S * 1e9;
	if (off <= -(double)anchor_ns)
		return 0;
	return (unsigned long long)((long long)anchor_ns + (long long)off);
}

} // namespace ssfnet
} // namespace prime
