// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-csum.h - finish the L4 checksum of a guest frame sent with
 * VPRIME_DESC_F_CSUM_BLANK (the guest offloaded it, as Linux does with
 * CHECKSUM_PARTIAL), so that ns-3, which verifies checksums when
 * ChecksumEnabled is set, does not drop the frame; and check the headers
 * ns-3 would misparse.  Pure byte work, no ns-3.
 */
#ifndef VPRIME_CSUM_H
#define VPRIME_CSUM_H

#include <cstdint>

namespace ns3
{

enum VprimeCsumResult
{
    VPRIME_CSUM_DONE = 0,   // checksum written
    VPRIME_CSUM_NONE = 1,   // nothing to finish (not IPv4/IPv6 TCP/UDP)
    VPRIME_CSUM_BAD = 2,    // a header lies about its lengths: drop
};

/*
 * VprimeCsumFinish - compute and store the TCP or UDP checksum of the
 * Ethernet frame @frame of @len bytes (IPv4 or IPv6, at most one 802.1Q
 * tag, no IPv6 extension headers), from scratch: whatever the guest left in
 * the field (the pseudo-header sum, or anything) is ignored.  Every length
 * is checked against @len before a byte is read.
 */
VprimeCsumResult VprimeCsumFinish(uint8_t* frame, uint32_t len);

/*
 * VprimeHeaderCheck - true if the ARP, IPv4 or IPv6 header right after
 * the Ethernet header of @frame (@len bytes), and a TCP header after it,
 * are ones ns-3 can parse: ns-3's header classes trust the lengths they
 * read (an ARP hardware length of 134 makes ArpHeader::Deserialize read
 * past the packet; a TCP data offset past the segment hangs the simulator
 * in TcpHeader's option parsing), so a guest's frame is checked before
 * ns-3 sees it.  Other types pass.
 */
bool VprimeHeaderCheck(const uint8_t* frame, uint32_t len);

} // namespace ns3

#endif /* VPRIME_CSUM_H */
