// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-link-queue.cc - see vprime-link-queue.h.
 */
#include "vprime-link-queue.h"

#include "ns3/log.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VprimeLinkQueue");
NS_OBJECT_ENSURE_REGISTERED(VprimeLinkQueue);

TypeId
VprimeLinkQueue::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::VprimeLinkQueue")
            .SetParent<DropTailQueue<Packet>>()
            .SetGroupName("Vprime")
            .AddConstructor<VprimeLinkQueue>()
            .AddAttribute("MaxBytes",
                          "Byte limit beside MaxSize's; 0: none",
                          UintegerValue(0),
                          MakeUintegerAccessor(&VprimeLinkQueue::m_maxBytes),
                          MakeUintegerChecker<uint32_t>());
    return tid;
}

VprimeLinkQueue::VprimeLinkQueue()
    : m_maxBytes(0),
      m_droppedByBytes(0)
{
}

bool
VprimeLinkQueue::Enqueue(Ptr<Packet> p)
{
    if (m_maxBytes && GetNPackets() > 0 && uint64_t(GetNBytes()) + p->GetSize() > m_maxBytes)
    {
        m_droppedByBytes++;
        DropBeforeEnqueue(p);
        return false;
    }
    return DropTailQueue<Packet>::Enqueue(p);
}

uint64_t
VprimeLinkQueue::GetDroppedByBytes() const
{
    return m_droppedByBytes;
}

} // namespace ns3
