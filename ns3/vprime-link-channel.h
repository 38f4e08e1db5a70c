// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-link-channel.h - ns3::VprimeLinkChannel: a SimpleChannel whose
 * delay varies per frame as a vprimed link's (engine/link.c): Delay plus a
 * uniform draw in [-Jitter, +Jitter], never below zero, and never ahead of
 * the frame sent before it in the same direction (a link is FIFO: jitter
 * spreads arrivals, it does not reorder them).  With Jitter 0 it is
 * exactly SimpleChannel.
 */
#ifndef VPRIME_LINK_CHANNEL_H
#define VPRIME_LINK_CHANNEL_H

#include "ns3/nstime.h"
#include "ns3/random-variable-stream.h"
#include "ns3/simple-channel.h"

#include <map>
#include <set>
#include <utility>
#include <vector>

namespace ns3
{

class VprimeLinkChannel : public SimpleChannel
{
  public:
    static TypeId GetTypeId();
    VprimeLinkChannel();

    void Send(Ptr<Packet> p,
              uint16_t protocol,
              Mac48Address to,
              Mac48Address from,
              Ptr<SimpleNetDevice> sender) override;
    void Add(Ptr<SimpleNetDevice> device) override;
    void BlackList(Ptr<SimpleNetDevice> from, Ptr<SimpleNetDevice> to) override;
    void UnBlackList(Ptr<SimpleNetDevice> from, Ptr<SimpleNetDevice> to) override;

    /* ns-3's AssignStreams convention: the number of streams used, 1. */
    int64_t AssignStreams(int64_t stream);
    /* Frames from @sender whose drawn arrival was moved back behind the
     * frame before them. */
    uint64_t GetHeldInOrder(Ptr<const SimpleNetDevice> sender) const;

  private:
    using Dir = std::pair<const SimpleNetDevice*, const SimpleNetDevice*>;

    Time Draw(Time delay);

    Time m_jitter;
    Ptr<UniformRandomVariable> m_uniform;
    std::vector<Ptr<SimpleNetDevice>> m_ends;
    std::set<Dir> m_blocked; // (from, to) black-listed
    std::map<Dir, Time> m_lastArrival;
    std::map<const SimpleNetDevice*, uint64_t> m_heldInOrder;
};

} // namespace ns3

#endif /* VPRIME_LINK_CHANNEL_H */
