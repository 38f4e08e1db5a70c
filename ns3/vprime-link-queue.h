// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-link-queue.h - ns3::VprimeLinkQueue: the drop-tail queue in front
 * of a vprimed link's transmitter (engine/link.c), which has two limits at
 * once, frames (MaxSize, in packets) and bytes (MaxBytes, 0: none), where
 * ns-3's DropTailQueue has one.  A frame arriving at an empty queue is
 * always taken, as vprimed takes a frame that finds nothing waiting: a
 * byte limit below one frame must not close the link.
 *
 * Its ErrorModel (none by default), a VprimeLinkErrorModel for vprimed's
 * loss, judges each frame before the limits, where vprimed's link judges
 * it: a lost frame takes no place in the queue and no time on the
 * transmitter.  It is dropped as the limits drop theirs (DropBeforeEnqueue:
 * the Drop and DropBeforeEnqueue traces, GetTotalDroppedPackets) and
 * counted apart (GetDroppedByLoss), so the limits' drops are the total less
 * the loss.
 */
#ifndef VPRIME_LINK_QUEUE_H
#define VPRIME_LINK_QUEUE_H

#include "ns3/drop-tail-queue.h"
#include "ns3/error-model.h"
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
    /* Frames the ErrorModel lost (also in GetTotalDroppedPackets). */
    uint64_t GetDroppedByLoss() const;
    /* Frames refused by either limit: GetTotalDroppedPackets less the
     * loss, vprimed's queue_full. */
    uint64_t GetDroppedByLimits() const;

  private:
    void DoDispose() override;

    uint32_t m_maxBytes;
    Ptr<ErrorModel> m_errorModel;
    uint64_t m_droppedByBytes;
    uint64_t m_droppedByLoss;
};

} // namespace ns3

#endif /* VPRIME_LINK_QUEUE_H */
