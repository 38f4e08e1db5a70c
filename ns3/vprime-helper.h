// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-helper.h - VprimeHelper: put Xen guests into an ns-3 program.
 *
 *   VprimeHelper vp;                       // one handle for the program
 *   vp.Open("");                           // /dev/vprime
 *   // a guest on a CSMA LAN (TapBridge UseBridge, without the tap):
 *   vp.InstallOnLan(VprimeGuestSpec::Name("web0"), lanChannel);
 *   // a guest behind an ns-3 router (InternetStackHelper installed on it):
 *   vp.InstallRouted(router, VprimeGuestSpec::Domid(3), "10.0.1.1", "255.255.255.0");
 *   vp.Start();                            // bind guests, start the reader
 *   Simulator::Run();
 *
 * Simulation time must be real time (RealtimeSimulatorImpl, see
 * UseRealtime()); checksums must be on (EnableChecksums()): guests verify
 * them and drop frames whose sums are zero.
 */
#ifndef VPRIME_HELPER_H
#define VPRIME_HELPER_H

#include "vprime-handle.h"
#include "vprime-net-device.h"

#include "ns3/attribute.h"
#include "ns3/csma-channel.h"
#include "ns3/ipv4-address.h"
#include "ns3/node.h"
#include "ns3/object-factory.h"

#include <ostream>
#include <string>

namespace ns3
{

class VprimeHelper
{
  public:
    VprimeHelper();

    /* The handle: open the backend, or adopt an open one (tests). */
    int Open(const std::string& path, uint32_t nrBufs = 0, uint32_t maxPorts = 0);
    void Adopt(struct vprime* vp, VprimeHandle::Clock clock, void* clockArg);
    Ptr<VprimeHandle> GetHandle() const;
    void SetHandleAttribute(const std::string& name, const AttributeValue& value);
    void SetDeviceAttribute(const std::string& name, const AttributeValue& value);

    /* A VprimeNetDevice for @guest on @node (added to the node). */
    Ptr<VprimeNetDevice> Install(Ptr<Node> node, const VprimeGuestSpec& guest);

    /* The guest on a CSMA LAN: a node of its own on @lan, whose bridge
     * joins its CsmaNetDevice and the guest's VprimeNetDevice. */
    Ptr<VprimeNetDevice> InstallOnLan(const VprimeGuestSpec& guest, Ptr<CsmaChannel> lan);
    /* The guest joined by a bridge to an existing Ethernet device @port
     * (a CsmaNetDevice of @node, which must hold nothing else). */
    Ptr<VprimeNetDevice> InstallBridged(Ptr<Node> node,
                                        Ptr<NetDevice> port,
                                        const VprimeGuestSpec& guest);

    /* The guest behind @router: a VprimeNetDevice there with address
     * @gateway/@mask (the guest's default gateway).  The router needs an
     * internet stack already. */
    Ptr<VprimeNetDevice> InstallRouted(Ptr<Node> router,
                                       const VprimeGuestSpec& guest,
                                       Ipv4Address gateway,
                                       Ipv4Mask mask);

    /* Bind every guest known so far and start the reader. */
    void Start();

    /* Global settings a program with guests needs. */
    static void UseRealtime(bool hardLimit, Time limit);
    /* The same with VprimeRealtimeSimulatorImpl: the handle's descriptor
     * watched by the simulator's own loop, no reader thread. */
    static void UseVprimeRealtime(bool hardLimit, Time limit);
    static void EnableChecksums();

    /* Every device's counters and the handle's, one "name value" a line. */
    void PrintStats(std::ostream& os) const;

  private:
    Ptr<VprimeHandle> m_handle;
    ObjectFactory m_deviceFactory;
    std::vector<Ptr<VprimeNetDevice>> m_devices;
};

} // namespace ns3

#endif /* VPRIME_HELPER_H */
