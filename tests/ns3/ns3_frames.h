// SPDX-License-Identifier: GPL-2.0-only
/*
 * ns3_frames.h - what a test guest sends and reads: Ethernet, ARP, IPv4,
 * ICMP echo and UDP frames built and parsed byte by byte (the guest side of
 * the ns-3 tests knows nothing of ns-3's own headers, as a real guest).
 */
#ifndef NS3_FRAMES_H
#define NS3_FRAMES_H

#include <cstdint>
#include <cstring>
#include <vector>

namespace tf
{

typedef std::vector<uint8_t> Bytes;

inline uint32_t
Ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    return (uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | d;
}

inline void
Put16(Bytes& f, size_t off, uint16_t v)
{
    f[off] = uint8_t(v >> 8);
    f[off + 1] = uint8_t(v);
}

inline void
Put32(Bytes& f, size_t off, uint32_t v)
{
    Put16(f, off, uint16_t(v >> 16));
    Put16(f, off + 2, uint16_t(v));
}

inline uint16_t
Get16(const Bytes& f, size_t off)
{
    return uint16_t((f[off] << 8) | f[off + 1]);
}

inline uint32_t
Get32(const Bytes& f, size_t off)
{
    return (uint32_t(Get16(f, off)) << 16) | Get16(f, off + 2);
}

inline uint16_t
Csum(const uint8_t* p, size_t n, uint32_t acc = 0)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += uint32_t((p[i] << 8) | p[i + 1]);
    if (n & 1)
        acc += uint32_t(p[n - 1]) << 8;
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return uint16_t(~acc);
}

inline Bytes
Eth(const uint8_t* dst, const uint8_t* src, uint16_t type, size_t payload)
{
    Bytes f(14 + payload, 0);
    std::memcpy(&f[0], dst, 6);
    std::memcpy(&f[6], src, 6);
    Put16(f, 12, type);
    return f;
}

inline void
Pad(Bytes& f)
{
    if (f.size() < 60)
        f.resize(60, 0);
}

const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

inline Bytes
Arp(uint16_t op, const uint8_t* dst, const uint8_t* sha, uint32_t spa, const uint8_t* tha,
    uint32_t tpa)
{
    Bytes f = Eth(dst, sha, 0x0806, 28);
    Put16(f, 14, 1);
    Put16(f, 16, 0x0800);
    f[18] = 6;
    f[19] = 4;
    Put16(f, 20, op);
    std::memcpy(&f[22], sha, 6);
    Put32(f, 28, spa);
    std::memcpy(&f[32], tha, 6);
    Put32(f, 38, tpa);
    Pad(f);
    return f;
}

/* An IPv4 packet in an Ethernet frame; l4 is the IP payload. */
inline Bytes
Ipv4(const uint8_t* dst, const uint8_t* src, uint32_t sip, uint32_t dip, uint8_t proto,
     const Bytes& l4)
{
    Bytes f = Eth(dst, src, 0x0800, 20 + l4.size());
    f[14] = 0x45;
    Put16(f, 16, uint16_t(20 + l4.size()));
    Put16(f, 18, 0x1234);
    Put16(f, 20, 0x4000); // DF
    f[22] = 64;
    f[23] = proto;
    Put32(f, 26, sip);
    Put32(f, 30, dip);
    Put16(f, 24, Csum(&f[14], 20));
    std::memcpy(&f[34], l4.data(), l4.size());
    Pad(f);
    return f;
}

inline Bytes
IcmpEcho(uint16_t id, uint16_t seq, size_t datalen)
{
    Bytes m(8 + datalen, 0);
    m[0] = 8;
    Put16(m, 4, id);
    Put16(m, 6, seq);
    for (size_t i = 0; i < datalen; i++)
        m[8 + i] = uint8_t(i);
    Put16(m, 2, Csum(m.data(), m.size()));
    return m;
}

/* UDP with a correct checksum, or with @badsum in the field. */
inline Bytes
Udp(uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport, const Bytes& data,
    int badsum = -1)
{
    Bytes u(8 + data.size(), 0);
    Put16(u, 0, sport);
    Put16(u, 2, dport);
    Put16(u, 4, uint16_t(u.size()));
    std::memcpy(&u[8], data.data(), data.size());
    if (badsum >= 0)
    {
        Put16(u, 6, uint16_t(badsum));
        return u;
    }
    uint32_t acc = (sip >> 16) + (sip & 0xffff) + (dip >> 16) + (dip & 0xffff) + 17 + u.size();
    uint16_t c = Csum(u.data(), u.size(), acc);
    Put16(u, 6, c ? c : 0xffff);
    return u;
}

/* Parsers: 0 / false when the frame is not what is asked. */
inline bool
IsArp(const Bytes& f, uint16_t op)
{
    return f.size() >= 42 && Get16(f, 12) == 0x0806 && Get16(f, 20) == op;
}

inline uint8_t
IpProto(const Bytes& f)
{
    return (f.size() >= 34 && Get16(f, 12) == 0x0800) ? f[23] : 0;
}

inline bool
IpHeaderOk(const Bytes& f)
{
    return f.size() >= 34 && Csum(&f[14], size_t(f[14] & 0xf) * 4) == 0;
}

inline size_t
L4(const Bytes& f)
{
    return 14 + size_t(f[14] & 0xf) * 4;
}

/* The UDP checksum of a received frame verifies (or is 0: none). */
inline bool
UdpSumOk(const Bytes& f)
{
    size_t l4 = L4(f);
    uint16_t len = Get16(f, l4 + 4);
    uint32_t sip = Get32(f, 26), dip = Get32(f, 30);
    if (Get16(f, l4 + 6) == 0)
        return true;
    uint32_t acc = (sip >> 16) + (sip & 0xffff) + (dip >> 16) + (dip & 0xffff) + 17 + len;
    return Csum(&f[l4], len, acc) == 0;
}

} // namespace tf

#endif /* NS3_FRAMES_H */
