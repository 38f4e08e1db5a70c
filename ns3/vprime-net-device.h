// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-net-device.h - ns3::VprimeNetDevice: a NetDevice whose wire is a
 * Xen guest's vprime device.  What the guest sends arrives here (at the
 * simulation time of its dom0 timestamp); what ns-3 sends here goes into
 * the guest, due at the simulation time it was sent.  Frames move in
 * batches through the program's one VprimeHandle: no system call per frame.
 *
 * Use it as any Ethernet NetDevice: on a router node with an IPv4 address
 * (the guest's gateway), or as a port of a BridgeNetDevice joining the
 * guest to a CSMA LAN (TapBridge's UseBridge mode, without the tap).
 *
 * A guest is hostile: every frame is checked (length, MTU, the headers a
 * blank checksum needs) and dropped with a counter, never asserted on.
 */
#ifndef VPRIME_NET_DEVICE_H
#define VPRIME_NET_DEVICE_H

#include "vprime-handle.h"

#include "ns3/address.h"
#include "ns3/callback.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device.h"
#include "ns3/node.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/traced-callback.h"

#include <string>
#include <utility>
#include <vector>

namespace ns3
{

/* Per-device counters: X(name, description).  rx = from the guest into
 * ns-3, tx = from ns-3 into the guest. */
#define VPRIME_NS3_DEV_STATS(X)                                                     \
    X(rx_frames, "guest frames handed to ns-3")                                     \
    X(rx_bytes, "bytes of those frames")                                            \
    X(rx_drop_runt, "guest frames shorter than an Ethernet header")                 \
    X(rx_drop_too_big, "guest frames longer than the MTU allows")                   \
    X(rx_drop_csum, "guest frames with a blank checksum and bad headers")           \
    X(rx_drop_header, "guest ARP/IPv4/IPv6 headers ns-3 would misparse")            \
    X(rx_drop_no_cb, "guest frames arriving with nothing to receive them")         \
    X(rx_csum_finished, "blank checksums computed before ns-3 saw the frame")       \
    X(rx_late, "guest frames delivered later than LateThreshold after their stamp") \
    X(rx_ahead, "guest frames stamped after Now (scheduled at their stamp)")         \
    X(rx_not_for_us, "frames for another MAC passed only to promiscuous receivers") \
    X(rx_held, "batches that left the guest's frames in its ring: backlog full")    \
    X(tx_filtered, "unicast frames for a MAC the guest never used (bridge port)")  \
    X(tx_frames, "frames queued into the guest")                                    \
    X(tx_bytes, "bytes of those frames")                                            \
    X(tx_drop_unbound, "frames for a guest with no device bound")                   \
    X(tx_drop_too_big, "frames longer than the MTU")                                \
    X(tx_drop_no_buf, "frames dropped: no free buffer in the area")                 \
    X(tx_drop_ring_full, "frames dropped: the port's TX ring stayed full")          \
    X(tx_drop_port_down, "frames dropped: guest not connected")                     \
    X(tx_drop_other, "frames dropped for another libvprime error")                  \
    X(attaches, "times the guest device was bound")                                 \
    X(gone, "times the guest device vanished")

class VprimeNetDevice : public NetDevice
{
  public:
#define VPRIME_NS3_DS_ENUM(n, d) STAT_##n,
    enum Stat
    {
        VPRIME_NS3_DEV_STATS(VPRIME_NS3_DS_ENUM) STAT_MAX
    };
#undef VPRIME_NS3_DS_ENUM

    static TypeId GetTypeId();
    VprimeNetDevice();
    ~VprimeNetDevice() override;

    /* Which guest device, through which handle (before Start()). */
    void SetGuest(Ptr<VprimeHandle> handle, const VprimeGuestSpec& spec);
    const VprimeGuestSpec& GetGuest() const;
    Ptr<VprimeHandle> GetHandle() const;

    /* The port bound now, or -1. */
    int32_t GetPort() const;
    uint64_t GetStat(Stat s) const;
    static const char* GetStatName(Stat s);
    std::vector<std::pair<std::string, uint64_t>> GetStats() const;

    /* Called by the handle. */
    void Bind(uint32_t port);
    void Unbind(bool gone);
    void SetPortUp(bool up);
    void ReceiveFrame(uint8_t* frame, uint32_t len, uint16_t flags, uint64_t stamp);
    /* Guest frames the simulation can take now: MaxRxBacklog less those
     * handed in and not yet up the stack. */
    uint32_t GetRxRoom() const;
    /* The handle left this guest's frames in its ring (no room). */
    void HoldRx();

    /* NetDevice */
    void SetIfIndex(const uint32_t index) override;
    uint32_t GetIfIndex() const override;
    Ptr<Channel> GetChannel() const override;
    void SetAddress(Address address) override;
    Address GetAddress() const override;
    bool SetMtu(const uint16_t mtu) override;
    uint16_t GetMtu() const override;
    bool IsLinkUp() const override;
    void AddLinkChangeCallback(Callback<void> callback) override;
    bool IsBroadcast() const override;
    Address GetBroadcast() const override;
    bool IsMulticast() const override;
    Address GetMulticast(Ipv4Address multicastGroup) const override;
    Address GetMulticast(Ipv6Address addr) const override;
    bool IsBridge() const override;
    bool IsPointToPoint() const override;
    bool Send(Ptr<Packet> packet, const Address& dest, uint16_t protocolNumber) override;
    bool SendFrom(Ptr<Packet> packet,
                  const Address& source,
                  const Address& dest,
                  uint16_t protocolNumber) override;
    Ptr<Node> GetNode() const override;
    void SetNode(Ptr<Node> node) override;
    bool NeedsArp() const override;
    void SetReceiveCallback(NetDevice::ReceiveCallback cb) override;
    void SetPromiscReceiveCallback(NetDevice::PromiscReceiveCallback cb) override;
    bool SupportsSendFrom() const override;

  protected:
    void DoDispose() override;

  private:
    void ForwardUp(Ptr<Packet> frame, uint32_t hlen);
    void LinkChanged();
    void LearnGuestMac(const uint8_t* src);
    bool GuestWants(Mac48Address dst) const;

    Ptr<VprimeHandle> m_handle;
    VprimeGuestSpec m_spec;
    Ptr<Node> m_node;
    uint32_t m_ifIndex;
    Mac48Address m_address;
    uint16_t m_mtu;
    int32_t m_port;
    bool m_portUp;
    NetDevice::ReceiveCallback m_rxCallback;
    NetDevice::PromiscReceiveCallback m_promiscRxCallback;
    TracedCallback<> m_linkChangeCallbacks;
    std::vector<uint8_t> m_txBuf;
    bool m_filterUnicast;
    std::vector<Mac48Address> m_guestMacs; // source MACs the guest used
    uint32_t m_rxBacklogMax; // MaxRxBacklog
    uint32_t m_rxBacklog;    // guest frames scheduled, not yet forwarded up
    bool m_rxHeld;           // the handle found no room: resume when drained
    uint64_t m_stats[STAT_MAX];

    TracedCallback<Ptr<const Packet>> m_macTxTrace;
    TracedCallback<Ptr<const Packet>> m_macTxDropTrace;
    TracedCallback<Ptr<const Packet>> m_macRxTrace;
    TracedCallback<Ptr<const Packet>> m_macRxDropTrace;
    TracedCallback<Ptr<const Packet>> m_snifferTrace;
    TracedCallback<Ptr<const Packet>> m_promiscSnifferTrace;
    TracedCallback<Time> m_rxLagTrace;
    TracedCallback<int32_t> m_portTrace;
};

} // namespace ns3

#endif /* VPRIME_NET_DEVICE_H */
