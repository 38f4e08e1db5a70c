// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-link-queue.h - ns3::VprimeLinkQueue: the drop-tail queue in front
 * of a vprimed link's transmitter (engine/link.c), which has two limits at
 * once, frames (MaxSize, in packets) and bytes (MaxBytes, 0: none), where
 * ns-3's DropTailQueue has one.  A frame arriving at an empty queue is
 * always taken, as vprimed takes a frame that finds nothing waiting: a
 * byte limit below one frame must not close the link.
 */
#ifndef VPRIME_LINK_QUEUE_H
#define VPRIME_LINK_QUEUE_H

#include "ns3/drop-tail-queue.h"
#include "ns3/packet.h"

namespace ns3
{

class VprimeLinkQueue : public DropTailQueue<Packet>
{
  public:
    static TypeId GetTypeId();
    VprimeLinkQueue();

    bool Enqueue(Ptr<Packet> p) override;
    /* Frames refused by the byte limit (also in GetTotalDroppedPackets). */
    uint64_t GetDroppedByBytes() const;

  private:
    uint32_t m_maxBytes;
    uint64_t m_droppedByBytes;
};

} // namespace ns3

#endif /* VPRIME_LINK_QUEUE_H */
