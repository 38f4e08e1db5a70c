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
 *   link    a CSMA channel of the link's bandwidth and delay; the queue
 *           limit on each end's device; random loss as a RateErrorModel on
 *           each receiving end
 * Refused with a message (what vprimed has and ns-3's stock devices do
 * not model the same way): jitter, gilbert_elliott.
 */
#ifndef VPRIME_TOPOLOGY_H
#define VPRIME_TOPOLOGY_H

#include "vprime-helper.h"

#include <functional>
#include <string>
#include <vector>

namespace ns3
{

struct VprimeTopologySummary
{
    uint32_t guests{0};
    uint32_t switches{0};
    uint32_t routers{0};
    uint32_t links{0};
    Time lateThreshold{MicroSeconds(100)};
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
    /* Unit parsers shared with the command line: false if malformed. */
    static bool ParseRate(const std::string& s, uint64_t* bps);
    static bool ParseTime(const std::string& s, Time* t);
};

} // namespace ns3

#endif /* VPRIME_TOPOLOGY_H */
