// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-link-channel.cc - see vprime-link-channel.h.  SimpleNetDevice
 * hands a frame to its channel when its serialisation ends, as vprimed's
 * link computes the arrival from the end of the frame's transmission: the
 * delay drawn here is the propagation part only.
 */
#include "vprime-link-channel.h"

#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/simple-net-device.h"
#include "ns3/simulator.h"

#include <algorithm>
#include <cmath>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VprimeLinkChannel");
NS_OBJECT_ENSURE_REGISTERED(VprimeLinkChannel);

TypeId
VprimeLinkChannel::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::VprimeLinkChannel")
            .SetParent<SimpleChannel>()
            .SetGroupName("Vprime")
            .AddConstructor<VprimeLinkChannel>()
            .AddAttribute("Jitter",
                          "Each frame's delay is Delay plus a uniform draw in [-Jitter, +Jitter]",
                          TimeValue(Seconds(0)),
                          MakeTimeAccessor(&VprimeLinkChannel::m_jitter),
                          MakeTimeChecker(Seconds(0)));
    return tid;
}

VprimeLinkChannel::VprimeLinkChannel()
    : m_uniform(CreateObject<UniformRandomVariable>())
{
}

int64_t
VprimeLinkChannel::AssignStreams(int64_t stream)
{
    m_uniform->SetStream(stream);
    return 1;
}

uint64_t
VprimeLinkChannel::GetHeldInOrder(Ptr<const SimpleNetDevice> sender) const
{
    auto it = m_heldInOrder.find(PeekPointer(sender));
    return it == m_heldInOrder.end() ? 0 : it->second;
}

void
VprimeLinkChannel::Add(Ptr<SimpleNetDevice> device)
{
    SimpleChannel::Add(device);
    m_ends.push_back(device);
}

void
VprimeLinkChannel::BlackList(Ptr<SimpleNetDevice> from, Ptr<SimpleNetDevice> to)
{
    SimpleChannel::BlackList(from, to);
    m_blocked.insert(Dir(PeekPointer(from), PeekPointer(to)));
}

void
VprimeLinkChannel::UnBlackList(Ptr<SimpleNetDevice> from, Ptr<SimpleNetDevice> to)
{
    SimpleChannel::UnBlackList(from, to);
    m_blocked.erase(Dir(PeekPointer(from), PeekPointer(to)));
}

// Delay + U[-j, +j] in whole nanoseconds, as vprimed draws it; not below 0.
Time
VprimeLinkChannel::Draw(Time delay)
{
    int64_t j = m_jitter.GetNanoSeconds();
    auto off = int64_t(std::floor(m_uniform->GetValue(0.0, double(2 * j + 1))));
    int64_t d = delay.GetNanoSeconds() + std::min(off, 2 * j) - j;

    return NanoSeconds(d < 0 ? 0 : d);
}

void
VprimeLinkChannel::Send(Ptr<Packet> p,
                        uint16_t protocol,
                        Mac48Address to,
                        Mac48Address from,
                        Ptr<SimpleNetDevice> sender)
{
    if (m_jitter.IsZero())
    {
        SimpleChannel::Send(p, protocol, to, from, sender);
        return;
    }
    TimeValue delay;
    GetAttribute("Delay", delay);
    Time now = Simulator::Now();
    for (const auto& end : m_ends)
    {
        Dir dir(PeekPointer(sender), PeekPointer(end));
        if (end == sender || m_blocked.count(dir))
            continue;
        Time arrival = now + Draw(delay.Get());
        Time& last = m_lastArrival[dir];
        if (arrival < last)
        {
            arrival = last;
            m_heldInOrder[PeekPointer(sender)]++;
        }
        last = arrival;
        Simulator::ScheduleWithContext(end->GetNode()->GetId(),
                                       arrival - now,
                                       &SimpleNetDevice::Receive,
                                       end,
                                       p->Copy(),
                                       protocol,
                                       to,
                                       from);
    }
}

} // namespace ns3
