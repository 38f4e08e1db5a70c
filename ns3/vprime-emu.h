// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-emu.h - the way ns-3 users attach a real host today, for the A/B
 * against VprimeNetDevice: ns-3's own FdNetDevice on a dom0 interface (a
 * guest's stock vif), made by ns-3's EmuFdNetDeviceHelper (a packet socket
 * bound to the interface, promiscuous, ns-3's reader thread), bridged to
 * the guest's link exactly where VprimeHelper::InstallBridged would put a
 * VprimeNetDevice.
 *
 * Only the socket's creation differs from stock: Debian's 3.37 library
 * execs its raw-socket creator at the path it was built in
 * (/build/ns3-.../src/fd-net-device/ns3.37-raw-sock-creator), which no
 * installed system has, so EmuFdNetDeviceHelper cannot start on Debian.
 * VprimeEmuHelper opens the same socket the creator would
 * (socket(PF_PACKET, SOCK_RAW, htons(ETH_P_ALL))) in-process, which needs
 * CAP_NET_RAW (dom0's root); binding, promiscuous mode, MTU, the reader
 * thread and every per-frame step are ns-3's.
 */
#ifndef VPRIME_EMU_H
#define VPRIME_EMU_H

#include "vprime-handle.h"

#include "ns3/emu-fd-net-device-helper.h"
#include "ns3/fd-net-device.h"
#include "ns3/node.h"

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace ns3
{

class VprimeEmuHelper : public EmuFdNetDeviceHelper
{
  protected:
    int CreateFileDescriptor() const override;
};

/* Guests by their topology name, each on a dom0 interface. */
class VprimeEmu
{
  public:
    /* "NAME=IFACE,NAME=IFACE": false (and @err) if malformed. */
    bool ParseMap(const std::string& s, std::string* err);
    /* The FdNetDevice for @guest on @node, bridged with @port; false and
     * @err when the guest has no interface in the map (or it does not
     * exist: ns-3's helper would abort, so it is checked first). */
    bool InstallBridged(Ptr<Node> node,
                        Ptr<NetDevice> port,
                        const VprimeGuestSpec& guest,
                        std::string* err);
    /* Per device: "emu <name> <iface> rx_frames N tx_frames N tx_drops N". */
    void PrintStats(std::ostream& os) const;

  private:
    struct Dev
    {
        std::string name;
        std::string iface;
        Ptr<FdNetDevice> dev;
        uint64_t rx{0};
        uint64_t tx{0};
        uint64_t txDrop{0};
    };

    static bool IsPromisc(const std::string& iface);
    static void CountRx(Dev* d, Ptr<const Packet>);
    static void CountTx(Dev* d, Ptr<const Packet>);
    static void CountTxDrop(Dev* d, Ptr<const Packet>);

    std::map<std::string, std::string> m_map;
    std::vector<std::unique_ptr<Dev>> m_devs;
};

} // namespace ns3

#endif /* VPRIME_EMU_H */
