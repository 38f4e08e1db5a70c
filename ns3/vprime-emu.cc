// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-emu.cc - ns-3's FdNetDevice on a dom0 interface: the baseline
 * VprimeNetDevice is compared with (vprime-emu.h).
 */
#include "vprime-emu.h"

#include "ns3/bridge-helper.h"
#include "ns3/log.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <linux/if_ether.h>
#include <net/if.h>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ns3
{

int
VprimeEmuHelper::CreateFileDescriptor() const
{
    // What ns3.37-raw-sock-creator does, then hands back over a socket pair.
    int fd = socket(PF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    NS_ABORT_MSG_IF(fd < 0, "VprimeEmuHelper: packet socket: " << std::strerror(errno));
    return fd;
}

bool
VprimeEmu::ParseMap(const std::string& s, std::string* err)
{
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
    {
        size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size() ||
            item.size() - eq - 1 >= IFNAMSIZ || item.find('=', eq + 1) != std::string::npos)
        {
            *err = "--emu: bad item '" + item + "' (NAME=IFACE)";
            return false;
        }
        if (!m_map.emplace(item.substr(0, eq), item.substr(eq + 1)).second)
        {
            *err = "--emu: guest '" + item.substr(0, eq) + "' given twice";
            return false;
        }
    }
    if (m_map.empty())
    {
        *err = "--emu: no NAME=IFACE";
        return false;
    }
    return true;
}

bool
VprimeEmu::IsPromisc(const std::string& iface)
{
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    bool ok = false;
    if (s < 0)
        return false;
    std::memset(&ifr, 0, sizeof(ifr));
    std::strncpy(ifr.ifr_name, iface.c_str(), IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
        ok = (ifr.ifr_flags & IFF_PROMISC) != 0;
    close(s);
    return ok;
}

void
VprimeEmu::CountRx(Dev* d, Ptr<const Packet>)
{
    d->rx++;
}

void
VprimeEmu::CountTx(Dev* d, Ptr<const Packet>)
{
    d->tx++;
}

void
VprimeEmu::CountTxDrop(Dev* d, Ptr<const Packet>)
{
    d->txDrop++;
}

bool
VprimeEmu::InstallBridged(Ptr<Node> node,
                          Ptr<NetDevice> port,
                          const VprimeGuestSpec& guest,
                          std::string* err)
{
    if (guest.kind != VprimeGuestSpec::BY_NAME)
    {
        *err = "--attach=emu: guest " + guest.ToString() + " is not named by device";
        return false;
    }
    auto it = m_map.find(guest.name);
    if (it == m_map.end())
    {
        *err = "--attach=emu: no interface for guest '" + guest.name + "' (--emu=" +
               guest.name + "=IFACE)";
        return false;
    }
    // ns-3's helper aborts on both: say it first, cleanly.
    if (if_nametoindex(it->second.c_str()) == 0)
    {
        *err = "--attach=emu: interface " + it->second + ": " + std::strerror(errno);
        return false;
    }
    if (!IsPromisc(it->second))
    {
        *err = "--attach=emu: " + it->second +
               " is not promiscuous (ns-3 requires it: ip link set " + it->second +
               " promisc on)";
        return false;
    }
    VprimeEmuHelper emu;
    emu.SetDeviceName(it->second);
    Ptr<FdNetDevice> dev = DynamicCast<FdNetDevice>(emu.Install(node).Get(0));
    // The guest's own address does not matter on a bridge port.
    dev->SetAddress(Mac48Address::Allocate());
    m_devs.push_back(std::make_unique<Dev>());
    Dev* d = m_devs.back().get();
    d->name = guest.name;
    d->iface = it->second;
    d->dev = dev;
    dev->TraceConnectWithoutContext("MacPromiscRx", MakeBoundCallback(&CountRx, d));
    dev->TraceConnectWithoutContext("MacTx", MakeBoundCallback(&CountTx, d));
    dev->TraceConnectWithoutContext("MacTxDrop", MakeBoundCallback(&CountTxDrop, d));
    NetDeviceContainer ports;
    ports.Add(port);
    ports.Add(dev);
    BridgeHelper().Install(node, ports);
    return true;
}

void
VprimeEmu::PrintStats(std::ostream& os) const
{
    for (const auto& d : m_devs)
    {
        os << "emu " << d->name << " " << d->iface << " rx_frames " << d->rx << " tx_frames "
           << d->tx << " tx_drops " << d->txDrop << "\n";
    }
}

} // namespace ns3
