// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-link-queue.cc - see vprime-link-queue.h.
 */
#include "vprime-link-queue.h"

#include "ns3/log.h"
#include "ns3/pointer.h"
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
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("ErrorModel",
                          "Loss judged on each frame before the queue's limits, as "
                          "vprimed's link judges it: a lost frame is dropped before "
                          "it is queued; none: no loss",
                          PointerValue(),
                          MakePointerAccessor(&VprimeLinkQueue::m_errorModel),
                          MakePointerChecker<ErrorModel>());
    return tid;
}

VprimeLinkQueue::VprimeLinkQueue()
    : m_maxBytes(0),
      m_droppedByBytes(0),
      m_droppedByLoss(0)
{
}

void
VprimeLinkQueue::DoDispose()
{
    m_errorModel = nullptr;
    DropTailQueue<Packet>::DoDispose();
}

bool
VprimeLinkQueue::Enqueue(Ptr<Packet> p)
{
    // vprimed's order (vpe_link_admit()): the loss, then the limits.
    if (m_errorModel && m_errorModel->IsCorrupt(p))
    {
        m_droppedByLoss++;
        DropBeforeEnqueue(p);
        return false;
    }
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

uint64_t
VprimeLinkQueue::GetDroppedByLoss() const
{
    return m_droppedByLoss;
}

uint64_t
VprimeLinkQueue::GetDroppedByLimits() const
{
    return GetTotalDroppedPackets() - m_droppedByLoss;
}

} // namespace ns3
