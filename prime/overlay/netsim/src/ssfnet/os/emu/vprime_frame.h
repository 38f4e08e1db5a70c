/* SPDX-License-Identifier: MIT */
/**
 * \file vprime_frame.h
 * \brief What the vprime emulation device does with one guest frame's
 * bytes, kept apart from the simulator so that it is tested on its own:
 * classification (what PRIME can take and why not), the ARP replies the
 * device answers for the simulated network, and Ethernet headers on
 * export.  Plain C++98, no allocation, no PRIMEX header.
 */

#ifndef __VPRIME_FRAME_H__
#define __VPRIME_FRAME_H__

#include <stdint.h>

namespace prime {
namespace ssfnet {

#define VPRIME_ETH_HLEN 14
#define VPRIME_ARP_LEN 28
#define VPRIME_ETH_P_IP 0x0800
#define VPRIME_ETH_P_ARP 0x0806
#define VPRIME_ETH_P_IPV6 0x86DD
#define VPRIME_ETH_P_8021Q 0x8100

/**
 * What a guest frame is to PRIME.  X(name, description): the counters of
 * the device are named after these.
 */
#define VPRIME_FRAME_KINDS(X)						\
	X(ipv4,		"IPv4 packets PRIME imports")			\
	X(arp_request,	"ARP requests (answered for the simulated network)") \
	X(arp_other,	"ARP replies and other ARP opcodes (dropped)")	\
	X(ipv6,		"IPv6 frames (PRIMEX has no IPv6; dropped)")	\
	X(vlan,		"802.1Q tagged frames (dropped)")		\
	X(runt,		"frames shorter than an Ethernet header (dropped)") \
	X(bad_ipv4,	"IPv4 frames with a broken header (dropped)")	\
	X(bad_arp,	"ARP frames that are not Ethernet/IPv4 ARP (dropped)") \
	X(wrong_mac,	"frames whose source MAC is not the guest's (dropped)") \
	X(other,	"frames of another EtherType (dropped)")

#define VPRIME_FRAME_KIND_ENUM(n, d) VPRIME_FRAME_##n,
enum VPrimeFrameKind {
	VPRIME_FRAME_KINDS(VPRIME_FRAME_KIND_ENUM)
	VPRIME_FRAME_KIND_MAX
};
#undef VPRIME_FRAME_KIND_ENUM

/** The fields of a frame the device needs after classification. */
struct VPrimeFrameInfo {
	uint32_t ip_len;	/**< IPv4: bytes of the IP packet (padding cut) */
	uint32_t src_ip;	/**< IPv4 source, or ARP sender (host order) */
	uint32_t dst_ip;	/**< IPv4 destination, or ARP target */
	uint8_t src_mac[6];	/**< Ethernet source */
};

/**
 * Classify @len bytes of a frame received from the guest whose MAC is
 * @guest_mac.  Reads only within [data, data + len).  Fills @info for
 * VPRIME_FRAME_ipv4 and VPRIME_FRAME_arp_request.
 */
VPrimeFrameKind vprimeFrameClassify(const uint8_t* data, uint32_t len,
				    const uint8_t guest_mac[6],
				    VPrimeFrameInfo* info);

/** A kind's counter name ("ipv4", ...), or 0 out of range. */
const char* vprimeFrameKindName(int kind);

/**
 * Whether the device answers an ARP request for @target from a guest
 * whose own address is @guest_ip: only for addresses of the simulated
 * network (@net/@prefix_len), never for the guest's own address (its
 * duplicate-address probe) nor for 0.0.0.0.
 */
bool vprimeArpShouldAnswer(uint32_t target, uint32_t guest_ip,
			   uint32_t net, int prefix_len);

/**
 * Write the ARP reply "@ip is at @mac" to the requester
 * (@to_mac, @to_ip) into @buf (at least 60 bytes: padded to the Ethernet
 * minimum).  Returns the frame length, or 0 if @cap is too small.
 */
uint32_t vprimeArpReplyWrite(uint8_t* buf, uint32_t cap, const uint8_t mac[6],
			     uint32_t ip, const uint8_t to_mac[6],
			     uint32_t to_ip);

/** Write an Ethernet header into @buf (14 bytes). */
void vprimeEthWrite(uint8_t* buf, const uint8_t dst[6], const uint8_t src[6],
		    uint16_t type);

/**
 * The CLOCK_MONOTONIC time (ns) at which simulation time @t is due, by the
 * simulator's linear wall-clock mapping pinned at one pair of readings:
 * simulation time @anchor_t was @anchor_ns, @t_per_ns simulation ticks a
 * nanosecond.  A time before the clock's origin is 0 (due now); one more
 * than VPRIME_DUE_AHEAD_S past the anchor is held there (dom0 refuses a
 * due time over 60 s ahead).  In long long, not <stdint.h>'s names:
 * PRIMEX's headers give int64_t another type in some of its units.
 */
unsigned long long vprimeSimToMono(long long t, long long anchor_t,
				    unsigned long long anchor_ns, double t_per_ns);
#define VPRIME_DUE_AHEAD_S 30

/**
 * Parse "aa:bb:cc:dd:ee:ff" (hex, either case) into @mac.  Returns
 * false, leaving @mac alone, for anything else.
 */
bool vprimeMacParse(const char* s, uint8_t mac[6]);

} // namespace ssfnet
} // namespace prime

#endif /*__VPRIME_FRAME_H__*/
