// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-net-device.cc - see vprime-net-device.h.
 */
#include "vprime-net-device.h"

#include "vprime-csum.h"

#include "ns3/boolean.h"
#include "ns3/channel.h"
#include "ns3/log.h"
#include "ns3/mac48-address.h"
#include "ns3/simulator.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "vprime.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VprimeNetDevice");
NS_OBJECT_ENSURE_REGISTERED(VprimeNetDevice);

namespace
{

const uint32_t ETH_HLEN = 14;
const uint32_t ETH_ZLEN = 60; // shortest frame on the wire, without FCS
const uint16_t ETH_P_8021Q = 0x8100;

#define VPRIME_NS3_DS_NAME(n, d) #n,
const char* const g_statNames[] = {VPRIME_NS3_DEV_STATS(VPRIME_NS3_DS_NAME)};
#undef VPRIME_NS3_DS_NAME

// The MTU counts the payload after the Ethernet header; a VLAN tag may
// come on top, as on Linux.
uint32_t
MaxPayload(uint16_t mtu, uint16_t proto)
{
    return mtu + (proto == ETH_P_8021Q ? 4u : 0u);
}

} // namespace

TypeId
VprimeNetDevice::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::VprimeNetDevice")
            .SetParent<NetDevice>()
            .SetGroupName("Vprime")
            .AddConstructor<VprimeNetDevice>()
            .AddAttribute("Address",
                          "This device's own MAC address (not the guest's)",
                          Mac48AddressValue(Mac48Address("ff:ff:ff:ff:ff:ff")),
                          MakeMac48AddressAccessor(&VprimeNetDevice::m_address),
                          MakeMac48AddressChecker())
            .AddAttribute("Mtu",
                          "Largest payload after the Ethernet header (68..9000)",
                          UintegerValue(1500),
                          MakeUintegerAccessor(&VprimeNetDevice::SetMtu,
                                               &VprimeNetDevice::GetMtu),
                          MakeUintegerChecker<uint16_t>(VPRIME_MTU_MIN, VPRIME_MTU_MAX))
            .AddAttribute("FilterUnicast",
                          "As a bridge port: pass a unicast frame into the guest only if "
                          "its destination is a MAC the guest has sent from (or the guest "
                          "has sent nothing yet).  ns-3's BridgeNetDevice floods a frame "
                          "whose destination it learned on the ingress port; a switch "
                          "port would not carry it to the guest",
                          BooleanValue(false),
                          MakeBooleanAccessor(&VprimeNetDevice::m_filterUnicast),
                          MakeBooleanChecker())
            .AddAttribute("MaxRxBacklog",
                          "Guest frames handed into the simulation and not yet up the "
                          "stack, at most; past it the guest's frames wait in its ring "
                          "and the guest is held back as by a slow NIC, so a guest "
                          "cannot fill dom0's memory through a simulation that lags",
                          UintegerValue(1024),
                          MakeUintegerAccessor(&VprimeNetDevice::m_rxBacklogMax),
                          MakeUintegerChecker<uint32_t>(1))
            .AddTraceSource("MacTx",
                            "A packet from ns-3 queued into the guest",
                            MakeTraceSourceAccessor(&VprimeNetDevice::m_macTxTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("MacTxDrop",
                            "A packet from ns-3 dropped before the guest (see counters)",
                            MakeTraceSourceAccessor(&VprimeNetDevice::m_macTxDropTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("MacRx",
                            "A guest frame's payload handed to the node",
                            MakeTraceSourceAccessor(&VprimeNetDevice::m_macRxTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("MacRxDrop",
                            "A guest frame's payload dropped (nothing to receive it)",
                            MakeTraceSourceAccessor(&VprimeNetDevice::m_macRxDropTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("Sniffer",
                            "Whole frames to and from the guest, for this node",
                            MakeTraceSourceAccessor(&VprimeNetDevice::m_snifferTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("PromiscSniffer",
                            "Whole frames to and from the guest, all",
                            MakeTraceSourceAccessor(&VprimeNetDevice::m_promiscSnifferTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("RxLag",
                            "Per guest frame: simulation time at hand-off minus its dom0 "
                            "stamp mapped to simulation time (0 when it is ahead)",
                            MakeTraceSourceAccessor(&VprimeNetDevice::m_rxLagTrace),
                            "ns3::Time::TracedCallback")
            .AddTraceSource("Port",
                            "The libvprime port bound (-1: unbound, the guest is gone)",
                            MakeTraceSourceAccessor(&VprimeNetDevice::m_portTrace),
                            "ns3::TracedValueCallback::Int32");
    return tid;
}

VprimeNetDevice::VprimeNetDevice()
    : m_ifIndex(0),
      m_address(Mac48Address::Allocate()),
      m_mtu(1500),
      m_port(-1),
      m_portUp(false),
      m_txBuf(VPRIME_FRAME_MAX),
      m_filterUnicast(false),
      m_rxBacklogMax(1024),
      m_rxBacklog(0),
      m_rxHeld(false)
{
    std::memset(m_stats, 0, sizeof(m_stats));
}

VprimeNetDevice::~VprimeNetDevice()
{
}

void
VprimeNetDevice::DoDispose()
{
    if (m_handle)
    {
        m_handle->Unregister(this);
        m_handle = nullptr;
    }
    m_node = nullptr;
    m_rxCallback.Nullify();
    m_promiscRxCallback.Nullify();
    NetDevice::DoDispose();
}

void
VprimeNetDevice::SetGuest(Ptr<VprimeHandle> handle, const VprimeGuestSpec& spec)
{
    NS_ABORT_MSG_IF(m_handle, "VprimeNetDevice::SetGuest: already set");
    m_handle = handle;
    m_spec = spec;
    handle->Register(this);
}

const VprimeGuestSpec&
VprimeNetDevice::GetGuest() const
{
    return m_spec;
}

Ptr<VprimeHandle>
VprimeNetDevice::GetHandle() const
{
    return m_handle;
}

int32_t
VprimeNetDevice::GetPort() const
{
    return m_port;
}

uint64_t
VprimeNetDevice::GetStat(Stat s) const
{
    return s < STAT_MAX ? m_stats[s] : 0;
}

const char*
VprimeNetDevice::GetStatName(Stat s)
{
    return s < STAT_MAX ? g_statNames[s] : nullptr;
}

std::vector<std::pair<std::string, uint64_t>>
VprimeNetDevice::GetStats() const
{
    std::vector<std::pair<std::string, uint64_t>> v;

    for (uint32_t i = 0; i < STAT_MAX; i++)
    {
        v.emplace_back(g_statNames[i], m_stats[i]);
    }
    return v;
}

/* ---- binding (called by the handle) ------------------------------------ */

void
VprimeNetDevice::Bind(uint32_t port)
{
    m_port = static_cast<int32_t>(port);
    m_stats[STAT_attaches]++;
    m_portTrace(m_port);
}

void
VprimeNetDevice::Unbind(bool gone)
{
    if (m_port < 0)
    {
        return;
    }
    m_port = -1;
    if (gone)
    {
        m_stats[STAT_gone]++;
    }
    m_portTrace(-1);
    SetPortUp(false);
}

void
VprimeNetDevice::SetPortUp(bool up)
{
    if (up == m_portUp)
    {
        return;
    }
    m_portUp = up;
    LinkChanged();
}

void
VprimeNetDevice::LinkChanged()
{
    m_linkChangeCallbacks();
}

/* ---- from the guest ---------------------------------------------------- */

void
VprimeNetDevice::ReceiveFrame(uint8_t* frame, uint32_t len, uint16_t flags, uint64_t stamp)
{
    uint16_t proto;
    int64_t ts, now, lag = 0;
    Time delay(0);

    if (len < ETH_HLEN)
    {
        m_stats[STAT_rx_drop_runt]++;
        return;
    }
    proto = static_cast<uint16_t>((frame[12] << 8) | frame[13]);
    if (len - ETH_HLEN > MaxPayload(m_mtu, proto))
    {
        m_stats[STAT_rx_drop_too_big]++;
        return;
    }
    if (!VprimeHeaderCheck(frame, len))
    {
        m_stats[STAT_rx_drop_header]++;
        return;
    }
    if (flags & VPRIME_DESC_F_CSUM_BLANK)
    {
        VprimeCsumResult r = VprimeCsumFinish(frame, len);

        if (r == VPRIME_CSUM_BAD)
        {
            m_stats[STAT_rx_drop_csum]++;
            return;
        }
        if (r == VPRIME_CSUM_DONE)
        {
            m_stats[STAT_rx_csum_finished]++;
        }
    }
    m_stats[STAT_rx_frames]++;
    m_stats[STAT_rx_bytes] += len;
    LearnGuestMac(frame + 6);

    // The frame left its guest at @stamp: it enters the simulation then,
    // or now if the simulation is already past that time (the lag).
    ts = m_handle->StampToSimNs(stamp);
    now = Simulator::Now().GetNanoSeconds();
    if (ts > now)
    {
        delay = NanoSeconds(ts - now);
        m_stats[STAT_rx_ahead]++;
    }
    else
    {
        lag = now - ts;
        if (NanoSeconds(lag) > m_handle->GetLateThreshold())
        {
            m_stats[STAT_rx_late]++;
        }
    }
    m_rxLagTrace(NanoSeconds(lag));
    m_rxBacklog++;
    Simulator::ScheduleWithContext(m_node ? m_node->GetId() : Simulator::NO_CONTEXT,
                                   delay,
                                   &VprimeNetDevice::ForwardUp,
                                   Ptr<VprimeNetDevice>(this),
                                   Create<Packet>(frame, len),
                                   ETH_HLEN);
}

uint32_t
VprimeNetDevice::GetRxRoom() const
{
    return m_rxBacklog < m_rxBacklogMax ? m_rxBacklogMax - m_rxBacklog : 0;
}

void
VprimeNetDevice::HoldRx()
{
    m_stats[STAT_rx_held]++;
    m_rxHeld = true;
}

void
VprimeNetDevice::ForwardUp(Ptr<Packet> frame, uint32_t hlen)
{
    uint8_t hdr[ETH_HLEN];
    Mac48Address dst, src;
    uint16_t proto;
    PacketType type;
    Ptr<Packet> payload;

    m_rxBacklog--;
    // Half drained: enough room for a batch again without a resume per frame.
    if (m_rxHeld && m_rxBacklog <= m_rxBacklogMax / 2 && m_handle)
    {
        m_rxHeld = false;
        m_handle->Resume();
    }
    frame->CopyData(hdr, ETH_HLEN);
    dst.CopyFrom(hdr);
    src.CopyFrom(hdr + 6);
    proto = static_cast<uint16_t>((hdr[12] << 8) | hdr[13]);
    if (dst == m_address)
    {
        type = PACKET_HOST;
    }
    else if (dst.IsBroadcast())
    {
        type = PACKET_BROADCAST;
    }
    else if (dst.IsGroup())
    {
        type = PACKET_MULTICAST;
    }
    else
    {
        type = PACKET_OTHERHOST;
    }
    m_promiscSnifferTrace(frame);
    if (type != PACKET_OTHERHOST)
    {
        m_snifferTrace(frame);
    }
    payload = frame->Copy();
    payload->RemoveAtStart(hlen);
    if (!m_promiscRxCallback.IsNull())
    {
        m_macRxTrace(payload);
        m_promiscRxCallback(this, payload, proto, src, dst, type);
    }
    if (type == PACKET_OTHERHOST)
    {
        m_stats[STAT_rx_not_for_us]++;
        return;
    }
    if (m_rxCallback.IsNull())
    {
        if (m_promiscRxCallback.IsNull())
        {
            m_stats[STAT_rx_drop_no_cb]++;
            m_macRxDropTrace(payload);
        }
        return;
    }
    if (m_promiscRxCallback.IsNull())
    {
        m_macRxTrace(payload);
    }
    m_rxCallback(this, payload, proto, src);
}

void
VprimeNetDevice::LearnGuestMac(const uint8_t* src)
{
    Mac48Address m;

    m.CopyFrom(src);
    if (m.IsGroup() || std::find(m_guestMacs.begin(), m_guestMacs.end(), m) != m_guestMacs.end())
    {
        return;
    }
    // Bounded: a guest spraying source addresses keeps the first 64.
    if (m_guestMacs.size() < 64)
    {
        m_guestMacs.push_back(m);
    }
}

bool
VprimeNetDevice::GuestWants(Mac48Address dst) const
{
    return !m_filterUnicast || dst.IsGroup() || m_guestMacs.empty() ||
           std::find(m_guestMacs.begin(), m_guestMacs.end(), dst) != m_guestMacs.end();
}

/* ---- into the guest ----------------------------------------------------- */

bool
VprimeNetDevice::Send(Ptr<Packet> packet, const Address& dest, uint16_t protocolNumber)
{
    return SendFrom(packet, m_address, dest, protocolNumber);
}

bool
VprimeNetDevice::SendFrom(Ptr<Packet> packet,
                          const Address& source,
                          const Address& dest,
                          uint16_t protocolNumber)
{
    uint32_t size = packet->GetSize(), len;
    Mac48Address dst = Mac48Address::ConvertFrom(dest);
    Mac48Address src = Mac48Address::ConvertFrom(source);
    int r;

    if (m_port < 0)
    {
        m_stats[STAT_tx_drop_unbound]++;
        m_macTxDropTrace(packet);
        return false;
    }
    if (!GuestWants(dst))
    {
        m_stats[STAT_tx_filtered]++;
        return true; // filtered as a switch would: not an error
    }
    if (size > MaxPayload(m_mtu, protocolNumber))
    {
        m_stats[STAT_tx_drop_too_big]++;
        m_macTxDropTrace(packet);
        return false;
    }
    len = std::max(ETH_HLEN + size, ETH_ZLEN);
    dst.CopyTo(m_txBuf.data());
    src.CopyTo(m_txBuf.data() + 6);
    m_txBuf[12] = static_cast<uint8_t>(protocolNumber >> 8);
    m_txBuf[13] = static_cast<uint8_t>(protocolNumber);
    packet->CopyData(m_txBuf.data() + ETH_HLEN, size);
    std::memset(m_txBuf.data() + ETH_HLEN + size, 0, len - ETH_HLEN - size);

    m_macTxTrace(packet);
    if (!m_snifferTrace.IsEmpty() || !m_promiscSnifferTrace.IsEmpty())
    {
        Ptr<Packet> whole = Create<Packet>(m_txBuf.data(), len);
        m_snifferTrace(whole);
        m_promiscSnifferTrace(whole);
    }
    r = m_handle->Submit(static_cast<uint32_t>(m_port), m_txBuf.data(), len);
    if (r == 0)
    {
        m_stats[STAT_tx_frames]++;
        m_stats[STAT_tx_bytes] += len;
        return true;
    }
    switch (r)
    {
    case -ENOBUFS:
        m_stats[STAT_tx_drop_no_buf]++;
        break;
    case -EAGAIN:
        m_stats[STAT_tx_drop_ring_full]++;
        break;
    case -ENETDOWN:
        m_stats[STAT_tx_drop_port_down]++;
        break;
    case -EMSGSIZE:
        m_stats[STAT_tx_drop_too_big]++;
        break;
    default:
        m_stats[STAT_tx_drop_other]++;
        break;
    }
    m_macTxDropTrace(packet);
    return false;
}

/* ---- NetDevice plumbing --------------------------------------------------- */

void
VprimeNetDevice::SetIfIndex(const uint32_t index)
{
    m_ifIndex = index;
}

uint32_t
VprimeNetDevice::GetIfIndex() const
{
    return m_ifIndex;
}

Ptr<Channel>
VprimeNetDevice::GetChannel() const
{
    return nullptr; // the wire is the guest's device, outside the simulation
}

void
VprimeNetDevice::SetAddress(Address address)
{
    m_address = Mac48Address::ConvertFrom(address);
}

Address
VprimeNetDevice::GetAddress() const
{
    return m_address;
}

bool
VprimeNetDevice::SetMtu(const uint16_t mtu)
{
    if (mtu < VPRIME_MTU_MIN || mtu > VPRIME_MTU_MAX)
    {
        return false;
    }
    m_mtu = mtu;
    return true;
}

uint16_t
VprimeNetDevice::GetMtu() const
{
    return m_mtu;
}

bool
VprimeNetDevice::IsLinkUp() const
{
    return m_port >= 0 && m_portUp;
}

void
VprimeNetDevice::AddLinkChangeCallback(Callback<void> callback)
{
    m_linkChangeCallbacks.ConnectWithoutContext(callback);
}

bool
VprimeNetDevice::IsBroadcast() const
{
    return true;
}

Address
VprimeNetDevice::GetBroadcast() const
{
    return Mac48Address::GetBroadcast();
}

bool
VprimeNetDevice::IsMulticast() const
{
    return true;
}

Address
VprimeNetDevice::GetMulticast(Ipv4Address multicastGroup) const
{
    return Mac48Address::GetMulticast(multicastGroup);
}

Address
VprimeNetDevice::GetMulticast(Ipv6Address addr) const
{
    return Mac48Address::GetMulticast(addr);
}

bool
VprimeNetDevice::IsBridge() const
{
    return false;
}

bool
VprimeNetDevice::IsPointToPoint() const
{
    return false;
}

Ptr<Node>
VprimeNetDevice::GetNode() const
{
    return m_node;
}

void
VprimeNetDevice::SetNode(Ptr<Node> node)
{
    m_node = node;
}

bool
VprimeNetDevice::NeedsArp() const
{
    return true;
}

void
VprimeNetDevice::SetReceiveCallback(NetDevice::ReceiveCallback cb)
{
    m_rxCallback = cb;
}

void
VprimeNetDevice::SetPromiscReceiveCallback(NetDevice::PromiscReceiveCallback cb)
{
    m_promiscRxCallback = cb;
}

bool
VprimeNetDevice::SupportsSendFrom() const
{
    return true;
}

} // namespace ns3
