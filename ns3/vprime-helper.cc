// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-helper.cc - see vprime-helper.h.
 */
#include "vprime-helper.h"

#include "ns3/boolean.h"
#include "ns3/config.h"
#include "ns3/bridge-helper.h"
#include "ns3/csma-net-device.h"
#include "ns3/drop-tail-queue.h"
#include "ns3/enum.h"
#include "ns3/global-value.h"
#include "ns3/ipv4.h"
#include "ns3/realtime-simulator-impl.h"
#include "vprime-realtime-simulator-impl.h"
#include "ns3/simulator.h"
#include "ns3/string.h"

#include "vprime.h"

namespace ns3
{

VprimeHelper::VprimeHelper()
    : m_handle(CreateObject<VprimeHandle>())
{
    m_deviceFactory.SetTypeId("ns3::VprimeNetDevice");
}

int
VprimeHelper::Open(const std::string& path, uint32_t nrBufs, uint32_t maxPorts)
{
    return m_handle->Open(path, nrBufs, maxPorts);
}

void
VprimeHelper::Adopt(struct vprime* vp, VprimeHandle::Clock clock, void* clockArg)
{
    m_handle->Adopt(vp, clock, clockArg);
}

Ptr<VprimeHandle>
VprimeHelper::GetHandle() const
{
    return m_handle;
}

void
VprimeHelper::SetHandleAttribute(const std::string& name, const AttributeValue& value)
{
    m_handle->SetAttribute(name, value);
}

void
VprimeHelper::SetDeviceAttribute(const std::string& name, const AttributeValue& value)
{
    m_deviceFactory.Set(name, value);
}

Ptr<VprimeNetDevice>
VprimeHelper::Install(Ptr<Node> node, const VprimeGuestSpec& guest)
{
    Ptr<VprimeNetDevice> dev = m_deviceFactory.Create<VprimeNetDevice>();

    dev->SetAddress(Mac48Address::Allocate());
    node->AddDevice(dev);
    dev->SetGuest(m_handle, guest);
    m_devices.push_back(dev);
    return dev;
}

Ptr<VprimeNetDevice>
VprimeHelper::InstallBridged(Ptr<Node> node, Ptr<NetDevice> port, const VprimeGuestSpec& guest)
{
    Ptr<VprimeNetDevice> dev = Install(node, guest);
    BridgeHelper bridge;

    dev->SetAttribute("FilterUnicast", BooleanValue(true));
    NetDeviceContainer ports;

    ports.Add(port);
    ports.Add(dev);
    bridge.Install(node, ports);
    return dev;
}

Ptr<VprimeNetDevice>
VprimeHelper::InstallOnLan(const VprimeGuestSpec& guest, Ptr<CsmaChannel> lan)
{
    Ptr<Node> node = CreateObject<Node>();
    Ptr<CsmaNetDevice> csma = CreateObject<CsmaNetDevice>();

    csma->SetAddress(Mac48Address::Allocate());
    csma->SetQueue(CreateObject<DropTailQueue<Packet>>());
    node->AddDevice(csma);
    csma->Attach(lan);
    return InstallBridged(node, csma, guest);
}

Ptr<VprimeNetDevice>
VprimeHelper::InstallRouted(Ptr<Node> router,
                            const VprimeGuestSpec& guest,
                            Ipv4Address gateway,
                            Ipv4Mask mask)
{
    Ptr<Ipv4> ip = router->GetObject<Ipv4>();
    Ptr<VprimeNetDevice> dev;
    int32_t ifi;

    NS_ABORT_MSG_IF(!ip, "VprimeHelper::InstallRouted: node has no internet stack");
    dev = Install(router, guest);
    ifi = ip->AddInterface(dev);
    ip->AddAddress(ifi, Ipv4InterfaceAddress(gateway, mask));
    ip->SetMetric(ifi, 1);
    ip->SetUp(ifi);
    return dev;
}

void
VprimeHelper::Start()
{
    m_handle->Start();
}

void
VprimeHelper::UseRealtime(bool hardLimit, Time limit)
{
    GlobalValue::Bind("SimulatorImplementationType",
                      StringValue("ns3::RealtimeSimulatorImpl"));
    Config::SetDefault("ns3::RealtimeSimulatorImpl::SynchronizationMode",
                       EnumValue(hardLimit ? RealtimeSimulatorImpl::SYNC_HARD_LIMIT
                                           : RealtimeSimulatorImpl::SYNC_BEST_EFFORT));
    Config::SetDefault("ns3::RealtimeSimulatorImpl::HardLimit", TimeValue(limit));
}

void
VprimeHelper::UseVprimeRealtime(bool hardLimit, Time limit)
{
    GlobalValue::Bind("SimulatorImplementationType",
                      StringValue("ns3::VprimeRealtimeSimulatorImpl"));
    Config::SetDefault("ns3::VprimeRealtimeSimulatorImpl::SynchronizationMode",
                       EnumValue(hardLimit ? VprimeRealtimeSimulatorImpl::SYNC_HARD_LIMIT
                                           : VprimeRealtimeSimulatorImpl::SYNC_BEST_EFFORT));
    Config::SetDefault("ns3::VprimeRealtimeSimulatorImpl::HardLimit", TimeValue(limit));
}

void
VprimeHelper::EnableChecksums()
{
    GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
}

void
VprimeHelper::PrintStats(std::ostream& os) const
{
    for (uint32_t i = 0; i < VprimeHandle::STAT_MAX; i++)
    {
        VprimeHandle::Stat s = static_cast<VprimeHandle::Stat>(i);
        os << "handle " << VprimeHandle::GetStatName(s) << " " << m_handle->GetStat(s) << "\n";
    }
    if (m_handle->GetRaw())
    {
        uint64_t v[VPRIME_LIB_STAT_MAX];
        int n = vprime_lib_stats(m_handle->GetRaw(), v, VPRIME_LIB_STAT_MAX);
        for (int i = 0; i < n && i < VPRIME_LIB_STAT_MAX; i++)
        {
            os << "lib " << vprime_lib_stat_name(static_cast<uint32_t>(i)) << " " << v[i]
               << "\n";
        }
    }
    for (const auto& d : m_devices)
    {
        for (const auto& kv : d->GetStats())
        {
            os << "guest " << d->GetGuest().ToString() << " " << kv.first << " " << kv.second
               << "\n";
        }
    }
}

} // namespace ns3
