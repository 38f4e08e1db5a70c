// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-csum.cc - see vprime-csum.h.
 */
#include "vprime-csum.h"

namespace ns3
{

namespace
{

const uint32_t ETH_HLEN = 14;
const uint16_t ETH_P_IP = 0x0800;
const uint16_t ETH_P_IPV6 = 0x86dd;
const uint16_t ETH_P_8021Q = 0x8100;
const uint8_t PROTO_TCP = 6;
const uint8_t PROTO_UDP = 17;

uint16_t
Get16(const uint8_t* p)
{
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

// One's complement sum of @n bytes (big-endian words), not folded.
uint64_t
Sum(const uint8_t* p, uint32_t n, uint64_t acc)
{
    uint32_t i;

    for (i = 0; i + 1 < n; i += 2)
    {
        acc += Get16(p + i);
    }
    if (n & 1)
    {
        acc += static_cast<uint64_t>(p[n - 1]) << 8;
    }
    return acc;
}

uint16_t
Fold(uint64_t acc)
{
    while (acc >> 16)
    {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    return static_cast<uint16_t>(acc);
}

// Write the checksum of the L4 segment @l4 (@l4len bytes) given the
// pseudo-header sum @pseudo.
VprimeCsumResult
Store(uint8_t* l4, uint32_t l4len, uint8_t proto, uint64_t pseudo)
{
    uint32_t off;
    uint16_t c;

    if (proto == PROTO_TCP)
    {
        if (l4len < 20)
        {
            return VPRIME_CSUM_BAD;
        }
        off = 16;
    }
    else if (proto == PROTO_UDP)
    {
        if (l4len < 8 || Get16(l4 + 4) != l4len)
        {
            return VPRIME_CSUM_BAD;
        }
        off = 6;
    }
    else
    {
        return VPRIME_CSUM_NONE;
    }
    l4[off] = l4[off + 1] = 0;
    c = static_cast<uint16_t>(~Fold(Sum(l4, l4len, pseudo + proto + l4len)));
    if (proto == PROTO_UDP && c == 0)
    {
        c = 0xffff; // 0 means "no checksum" for UDP
    }
    l4[off] = static_cast<uint8_t>(c >> 8);
    l4[off + 1] = static_cast<uint8_t>(c);
    return VPRIME_CSUM_DONE;
}

VprimeCsumResult
FinishIpv4(uint8_t* ip, uint32_t n)
{
    uint32_t ihl, tot;

    if (n < 20 || (ip[0] >> 4) != 4)
    {
        return VPRIME_CSUM_BAD;
    }
    ihl = (ip[0] & 0xfu) * 4u;
    tot = Get16(ip + 2);
    if (ihl < 20 || tot < ihl || tot > n)
    {
        return VPRIME_CSUM_BAD;
    }
    if (Get16(ip + 6) & 0x3fff)
    {
        return VPRIME_CSUM_BAD; // a fragment cannot carry a partial sum
    }
    return Store(ip + ihl, tot - ihl, ip[9], Sum(ip + 12, 8, 0));
}

VprimeCsumResult
FinishIpv6(uint8_t* ip, uint32_t n)
{
    uint32_t plen;

    if (n < 40 || (ip[0] >> 4) != 6)
    {
        return VPRIME_CSUM_BAD;
    }
    plen = Get16(ip + 4);
    if (plen > n - 40)
    {
        return VPRIME_CSUM_BAD;
    }
    return Store(ip + 40, plen, ip[6], Sum(ip + 8, 32, 0));
}

// A TCP header ns-3 can parse: data offset within the segment, options
// that each fit (ns-3's TcpHeader loops for ever on some that do not).
bool
TcpCheck(const uint8_t* t, uint32_t n)
{
    uint32_t doff, i;

    if (n < 20)
    {
        return false;
    }
    doff = (t[12] >> 4) * 4u;
    if (doff < 20 || doff > n)
    {
        return false;
    }
    for (i = 20; i < doff;)
    {
        if (t[i] == 0)
        {
            break; // end of options
        }
        if (t[i] == 1)
        {
            i++;
            continue;
        }
        if (i + 1 >= doff || t[i + 1] < 2 || i + t[i + 1] > doff)
        {
            return false;
        }
        i += t[i + 1];
    }
    return true;
}

} // namespace

bool
VprimeHeaderCheck(const uint8_t* frame, uint32_t len)
{
    const uint8_t* p = frame + ETH_HLEN;
    uint32_t n, ihl, tot;

    if (len < ETH_HLEN)
    {
        return false;
    }
    n = len - ETH_HLEN;
    switch (Get16(frame + 12))
    {
    case 0x0806: // ARP: ns-3 handles Ethernet/IPv4 only, and trusts hlen/plen
        return n >= 28 && Get16(p) == 1 && Get16(p + 2) == ETH_P_IP && p[4] == 6 && p[5] == 4;
    case ETH_P_IP:
        if (n < 20 || (p[0] >> 4) != 4)
        {
            return false;
        }
        ihl = (p[0] & 0xfu) * 4u;
        tot = Get16(p + 2);
        if (ihl < 20 || tot < ihl || tot > n)
        {
            return false;
        }
        // Only a first fragment carries the TCP header.
        if (p[9] == PROTO_TCP && (Get16(p + 6) & 0x1fff) == 0)
        {
            return TcpCheck(p + ihl, tot - ihl);
        }
        return true;
    case ETH_P_IPV6:
        if (n < 40 || (p[0] >> 4) != 6 || Get16(p + 4) > n - 40)
        {
            return false;
        }
        return p[6] != PROTO_TCP || TcpCheck(p + 40, Get16(p + 4));
    default:
        return true;
    }
}

VprimeCsumResult
VprimeCsumFinish(uint8_t* frame, uint32_t len)
{
    uint32_t off = ETH_HLEN;
    uint16_t type;

    if (len < ETH_HLEN)
    {
        return VPRIME_CSUM_BAD;
    }
    type = Get16(frame + 12);
    if (type == ETH_P_8021Q)
    {
        if (len < ETH_HLEN + 4)
        {
            return VPRIME_CSUM_BAD;
        }
        type = Get16(frame + 16);
        off += 4;
    }
    if (type == ETH_P_IP)
    {
        return FinishIpv4(frame + off, len - off);
    }
    if (type == ETH_P_IPV6)
    {
        return FinishIpv6(frame + off, len - off);
    }
    return VPRIME_CSUM_NONE;
}

} // namespace ns3
