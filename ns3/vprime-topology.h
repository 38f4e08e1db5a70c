// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-topology.h - build an ns-3 network from the JSON topology files
 * vprimed reads (docs/engine.md), so one experiment runs on either engine.
 *
 *   guest   a node of its own: its VprimeNetDevice bridged to a CSMA device
 *           on the guest's one link
 *   switch  a node whose BridgeNetDevice joins its links' CSMA devices
 *   router  a node with ns-3's IPv4 stack, an address per interface, the
 *           static routes of the file
 *   link    a VprimeLinkChannel (delay, jitter) between two
 *           SimpleNetDevices of the link's bandwidth, each with a
 *           VprimeLinkQueue of the link's limits (packets and bytes) whose
 *           ErrorModel, a VprimeLinkErrorModel of its loss (random,
 *           Gilbert-Elliott), judges each frame before the limits:
 *           vprimed's link (engine/link.c) in ns-3
 * Every key of vprimed's files is taken; a file vprimed refuses is refused.
 */
#ifndef VPRIME_TOPOLOGY_H
#define VPRIME_TOPOLOGY_H

#include "vprime-helper.h"
#include "vprime-link-channel.h"
#include "vprime-link-error-model.h"
#include "vprime-link-queue.h"

#include "ns3/simple-net-device.h"

#include <ostream>

#include <functional>
#include <string>
#include <vector>

namespace ns3
{

/* One direction of a built link: where its counters are. */
struct VprimeTopologyLinkDir
{
    std::string link, from, to;
    Ptr<SimpleNetDevice> tx;           // from's end
    Ptr<VprimeLinkQueue> queue;        // in front of its transmitter
    Ptr<VprimeLinkErrorModel> loss;    // queue's ErrorModel; null: lossless
    Ptr<VprimeLinkChannel> channel;    // shared by both directions
};

struct VprimeTopologySummary
{
    uint32_t guests{0};
    uint32_t switches{0};
    uint32_t routers{0};
    uint32_t links{0};
    Time lateThreshold{MicroSeconds(100)};
    std::vector<VprimeTopologyLinkDir> dirs; // filled by Build
};

class VprimeTopology
{
  public:
    /* How a guest node's link device @port on @node gets its guest: by
     * default VprimeHelper::InstallBridged; another attach (ns-3's
     * FdNetDevice, for the A/B) returns false and @err to refuse. */
    using Attach = std::function<bool(Ptr<Node> node,
                                      Ptr<NetDevice> port,
                                      const VprimeGuestSpec& guest,
                                      std::string* err)>;

    /* Check @path; on success (true) fill @sum.  @err: the reason, with the
     * JSON path, on failure. */
    static bool Check(const std::string& path, VprimeTopologySummary* sum, std::string* err);
    /* Check and build it, guests through @helper (before helper.Start());
     * @mtu for every CSMA device it creates. */
    static bool Build(const std::string& path,
                      VprimeHelper& helper,
                      uint16_t mtu,
                      VprimeTopologySummary* sum,
                      std::string* err,
                      const Attach& attach = nullptr);
    /* Each direction's counters, a line each, under vprimed's names:
     * "link NAME FROM->TO frames|queue_full|loss_random|loss_burst|
     * held_in_order N". */
    static void PrintStats(const VprimeTopologySummary& sum, std::ostream& os);
    /* Unit parsers shared with the command line: false if malformed. */
    static bool ParseRate(const std::string& s, uint64_t* bps);
    static bool ParseTime(const std::string& s, Time* t);
};

} // namespace ns3

#endif /* VPRIME_TOPOLOGY_H */
