// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ns3_device - arbitrary guest frames into VprimeNetDevices and on
 * into ns-3's own stack: one guest behind a router (IPv4, ARP, ICMP, UDP
 * echo on port 7, checksums on, device MTU 1500 under a guest MTU of 9000)
 * and one bridged onto a CSMA LAN with an ns-3 host.  A guest's bytes must
 * never reach an ns-3 fatal error (NS_FATAL_ERROR / NS_ASSERT abort), a
 * sanitizer report or a hang.
 *
 * Input: records of [u8 sel][u16 len, little endian][len bytes]; sel bit 0
 * picks the guest, bit 1 sets CSUM_BLANK, bit 2 DATA_VALID, bits 3-5 how
 * long the simulation runs after the frame (x 50 us).
 */
#include "ns3_world.h"

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

using namespace ns3;
using namespace tw;

namespace
{

World* g_world;

void
Setup()
{
    VprimeHelper::EnableChecksums();
    Config::SetDefault("ns3::ArpL3Protocol::RequestJitter",
                       StringValue("ns3::ConstantRandomVariable[Constant=0.0]"));
    g_world = new World(2, 1, 9000);
    World& w = *g_world;

    Ptr<Node> r = CreateObject<Node>();
    InternetStackHelper stack;
    stack.Install(r);
    w.helper->InstallRouted(r, w.Spec(0), "10.0.1.1", "255.255.255.0");
    UdpEchoServerHelper(7).Install(r).Start(Seconds(0));

    Ptr<CsmaChannel> lan = CreateObject<CsmaChannel>();
    Ptr<Node> host = CreateObject<Node>();
    CsmaHelper csma;
    NetDeviceContainer hd = csma.Install(host, lan);
    stack.Install(host);
    Ipv4AddressHelper addr("10.0.1.0", "255.255.255.0", "0.0.0.10");
    addr.Assign(hd);
    UdpEchoServerHelper(7).Install(host).Start(Seconds(0));
    w.helper->InstallOnLan(w.Spec(1), lan);
    w.helper->Start();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (!g_world)
        Setup();
    World& w = *g_world;
    uint32_t records = 0;

    while (size >= 3 && records++ < 64)
    {
        uint8_t sel = data[0];
        size_t len = size_t(data[1]) | (size_t(data[2]) << 8);
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        tf::Bytes f(data, data + len);
        data += len;
        size -= len;
        uint16_t flags = uint16_t(((sel & 2) ? VPRIME_DESC_F_CSUM_BLANK : 0) |
                                  ((sel & 4) ? VPRIME_DESC_F_DATA_VALID : 0));
        if (f.size() >= VPRIME_FRAME_MIN)
            w.Send(sel & 1, f, flags); // refusals (too long, ring full) are fine
        w.Run(MicroSeconds(50 * (1 + ((sel >> 3) & 7))));
        for (auto& g : w.guests)
            g.rx.clear();
    }
    return 0;
}
