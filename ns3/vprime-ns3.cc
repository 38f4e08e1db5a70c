// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-ns3 - Xen guests as hosts of an ns-3 real-time simulation.
 *
 *   vprime-ns3 --topology=engine/topologies/two-hosts.json   (vprimed's files)
 *   vprime-ns3 --mode=lan --guests=name:web0,domid:3 --rate=100Mbps --delay=1ms
 *   vprime-ns3 --mode=routed --guests=mac:02:00:5e:00:00:01,... --delay=10ms
 *   vprime-ns3 --topology=FILE --attach=emu --emu=demo-a=vif3.0,demo-c=vif5.0
 *
 * lan:    every guest bridged onto one CSMA LAN (rate, delay), with an ns-3
 *         host 10.0.0.254 on it answering ping and UDP echo (port 7).
 * routed: guest i behind ns-3 router R<i> (its gateway 10.0.<i+1>.1/24, the
 *         guest takes 10.0.<i+1>.2); every router joined to a core router by
 *         a point-to-point link (rate, delay); global routing.  A guest's
 *         ping to another crosses two such links each way.
 *
 * --attach=emu: the same topology with each guest on ns-3's own FdNetDevice
 * over its stock vif in dom0 (EmuFdNetDeviceHelper), how ns-3 users attach
 * a real host today: the baseline of make bench (vprime-emu.h).
 *
 * Runs until SIGINT/SIGTERM or --duration; then prints every counter
 * (SIGUSR1: prints them now, between "stats N" and "stats-end N").
 * Exit codes: 0 done, 2 an option value refused here or a bad topology,
 * 1 an argument ns-3's CommandLine refuses (unknown, or not of the
 * option's type: it exits 1 itself), cannot run, or the backend went away
 * (a vprime-simhost that exited).
 */
#include "vprime-emu.h"
#include "vprime-helper.h"
#include "vprime-topology.h"

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <sstream>

#include "vprime.h"

using namespace ns3;

namespace
{

std::atomic<int> g_signal(0);
std::atomic<int> g_dump(0);
const VprimeHelper* g_vp;
const VprimeEmu* g_emu;
const VprimeTopologySummary* g_topo; // topology mode: its links' counters

void
OnSignal(int sig)
{
    g_signal = sig;
}

void
OnDump(int)
{
    g_dump++;
}

void
PrintAll(std::ostream& os)
{
    if (g_emu)
        g_emu->PrintStats(os);
    else
        g_vp->PrintStats(os);
    if (g_topo)
        VprimeTopology::PrintStats(*g_topo, os);
}

// Real time cannot be interrupted from a signal handler: look every 50 ms.
void
WatchSignals()
{
    static int dumped;
    if (g_signal)
    {
        Simulator::Stop();
        return;
    }
    int d = g_dump;
    if (d != dumped)
    {
        dumped = d;
        std::cout << "stats " << d << "\n";
        PrintAll(std::cout);
        std::cout << "stats-end " << d << std::endl;
    }
    Simulator::Schedule(MilliSeconds(50), &WatchSignals);
}

/*
 * ns-3 aborts the process on a time or a rate it cannot read (Time's
 * string constructor, a DataRate attribute): check them here first, as
 * ns-3 would read them.  A number (digits, '.', an exponent for a time)
 * read whole, then one of ns-3's units; at most 10^6 s, a rate above 0.
 */
bool
ParseNumberPrefix(const std::string& s, const char* numChars, double* v, std::string* unit)
{
    std::string::size_type n = s.find_first_not_of(numChars);
    std::string num = s.substr(0, n);
    char* end;

    if (num.empty())
        return false;
    errno = 0;
    *v = std::strtod(num.c_str(), &end);
    if (*end || errno || !(*v >= 0))
        return false;
    *unit = n == std::string::npos ? "" : s.substr(n);
    return true;
}

bool
ParseTime(const std::string& s, Time* out)
{
    static const struct
    {
        const char* unit;
        double secs;
    } units[] = {{"", 1},         {"s", 1},        {"ms", 1e-3},  {"us", 1e-6},
                 {"ns", 1e-9},    {"ps", 1e-12},   {"fs", 1e-15}, {"min", 60},
                 {"h", 3600},     {"d", 86400},    {"y", 365 * 86400.0}};
    double v;
    std::string unit;

    if (!ParseNumberPrefix(s, "0123456789.eE", &v, &unit))
        return false;
    for (const auto& u : units)
    {
        if (unit == u.unit)
        {
            if (v * u.secs > 1e6)
                return false;
            *out = Time(s);
            return true;
        }
    }
    return false;
}

bool
ValidRate(const std::string& s)
{
    double v;
    std::string unit;
    DataRate r;

    if (!ParseNumberPrefix(s, "0123456789.", &v, &unit) || !(v > 0))
        return false;
    std::istringstream is(s);
    is >> r;
    return !is.fail() && r.GetBitRate() > 0;
}

bool
ParseSpec(const std::string& s, VprimeGuestSpec* out)
{
    if (s.rfind("mac:", 0) == 0)
    {
        unsigned v[6];
        char tail;
        uint8_t b[6];
        if (std::sscanf(s.c_str() + 4, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
                        &v[4], &v[5], &tail) != 6 || s.size() != 21)
            return false;
        for (int i = 0; i < 6; i++)
            b[i] = uint8_t(v[i]);
        Mac48Address m;
        m.CopyFrom(b);
        *out = VprimeGuestSpec::Mac(m);
        return true;
    }
    if (s.rfind("name:", 0) == 0)
    {
        if (s.size() == 5 || s.size() - 5 >= VPRIME_NAME_LEN)
            return false;
        *out = VprimeGuestSpec::Name(s.substr(5));
        return true;
    }
    if (s.rfind("domid:", 0) == 0)
    {
        char* end;
        unsigned long d = std::strtoul(s.c_str() + 6, &end, 10);
        unsigned long dev = 0;
        if (end == s.c_str() + 6 || d > 0x7fef)
            return false;
        if (*end == '.')
        {
            char* e2;
            dev = std::strtoul(end + 1, &e2, 10);
            if (e2 == end + 1 || *e2 || dev > 0xffff)
                return false;
        }
        else if (*end)
            return false;
        *out = VprimeGuestSpec::Domid(uint32_t(d), uint32_t(dev));
        return true;
    }
    return false;
}

int
Fail(const std::string& msg)
{
    std::cerr << "vprime-ns3: " << msg << std::endl;
    return 2;
}

void
BuildLan(VprimeHelper& vp, const std::vector<VprimeGuestSpec>& guests, const std::string& rate,
         const std::string& delay, uint16_t mtu)
{
    Ptr<CsmaChannel> lan = CreateObject<CsmaChannel>();
    lan->SetAttribute("DataRate", StringValue(rate));
    lan->SetAttribute("Delay", StringValue(delay));
    Ptr<Node> host = CreateObject<Node>();
    CsmaHelper csma;
    csma.SetDeviceAttribute("Mtu", UintegerValue(mtu));
    NetDeviceContainer hd = csma.Install(host, lan);
    InternetStackHelper().Install(host);
    Ipv4AddressHelper addr("10.0.0.0", "255.255.255.0", "0.0.0.254");
    addr.Assign(hd);
    UdpEchoServerHelper(7).Install(host).Start(Seconds(0));
    for (const auto& g : guests)
    {
        Ptr<VprimeNetDevice> d = vp.InstallOnLan(g, lan);
        // The guest's bridge node's CSMA device carries its frames.
        Ptr<NetDevice> port = d->GetNode()->GetDevice(0);
        port->SetMtu(mtu);
    }
    std::cout << "lan: " << guests.size() << " guests on one CSMA LAN (" << rate << ", " << delay
              << "); ns-3 host 10.0.0.254 (ping, UDP echo 7)" << std::endl;
}

void
BuildRouted(VprimeHelper& vp, const std::vector<VprimeGuestSpec>& guests,
            const std::string& rate, const std::string& delay)
{
    InternetStackHelper stack;
    Ptr<Node> core = CreateObject<Node>();
    stack.Install(core);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue(rate));
    p2p.SetChannelAttribute("Delay", StringValue(delay));
    for (uint32_t i = 0; i < guests.size(); i++)
    {
        Ptr<Node> r = CreateObject<Node>();
        stack.Install(r);
        NetDeviceContainer link = p2p.Install(r, core);
        std::ostringstream net, gw;
        net << "10.100." << (i + 1) << ".0";
        gw << "10.0." << (i + 1) << ".1";
        Ipv4AddressHelper addr(net.str().c_str(), "255.255.255.0");
        addr.Assign(link);
        vp.InstallRouted(r, guests[i], Ipv4Address(gw.str().c_str()), Ipv4Mask("255.255.255.0"));
        std::cout << "routed: guest " << guests[i].ToString() << " behind R" << i << " (gateway "
                  << gw.str() << "/24, guest 10.0." << (i + 1) << ".2), link to core " << rate
                  << " " << delay << std::endl;
    }
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
}

} // namespace

int
main(int argc, char** argv)
{
    std::string topology, mode = "lan", guestList, rate = "100Mbps", delay = "1ms";
    std::string device, reader = "thread", sync = "best-effort", attach = "vprime", emuMap;
    std::string simulator = "vprime";
    double duration = 0;
    uint32_t mtu = 1500, bufs = 0;
    bool check = false;
    std::string hardLimitArg = "100ms";
    Time hardLimit;

    CommandLine cmd(__FILE__);
    cmd.Usage("Xen guests (vprime devices) as hosts of an ns-3 real-time simulation.");
    cmd.AddValue("topology", "a vprimed JSON topology (docs/engine.md)", topology);
    cmd.AddValue("mode", "without --topology: lan or routed", mode);
    cmd.AddValue("guests", "without --topology: mac:aa:bb:..,name:dev,domid:N[.devid],...",
                 guestList);
    cmd.AddValue("rate", "lan/routed: link data rate (ns-3 syntax, 100Mbps)", rate);
    cmd.AddValue("delay", "lan/routed: link delay (ns-3 syntax, 1ms)", delay);
    cmd.AddValue("mtu", "MTU of every device (68..9000)", mtu);
    cmd.AddValue("device", "backend device (default /dev/vprime)", device);
    cmd.AddValue("buffers", "libvprime buffers (0: default)", bufs);
    cmd.AddValue("reader", "thread (poll the descriptor) or poll (a 100 us event)", reader);
    cmd.AddValue("simulator", "real-time simulator: vprime (VprimeRealtimeSimulatorImpl: a clock "
                 "read per wait, the descriptor in its own loop) or ns3 (RealtimeSimulatorImpl)",
                 simulator);
    cmd.AddValue("sync", "real-time mode: best-effort or hard", sync);
    cmd.AddValue("hard-limit", "with --sync=hard: the most the simulation may fall behind",
                 hardLimitArg);
    cmd.AddValue("duration", "seconds to run (0: until SIGINT/SIGTERM)", duration);
    cmd.AddValue("check", "parse the topology, print a summary, exit", check);
    cmd.AddValue("attach", "with --topology: vprime, or emu (ns-3's FdNetDevice on dom0 "
                 "interfaces, the baseline)", attach);
    cmd.AddValue("emu", "with --attach=emu: NAME=IFACE,... (topology guest device name, dom0 "
                 "interface)", emuMap);
    cmd.Parse(argc, argv);

    if (mtu < VPRIME_MTU_MIN || mtu > VPRIME_MTU_MAX)
        return Fail("--mtu: 68..9000");
    if (reader != "thread" && reader != "poll")
        return Fail("--reader: thread or poll");
    if (sync != "best-effort" && sync != "hard")
        return Fail("--sync: best-effort or hard");
    if (simulator != "vprime" && simulator != "ns3")
        return Fail("--simulator: vprime or ns3");
    if (duration < 0 || duration > 1e7)
        return Fail("--duration: 0..1e7 seconds");
    if (!ParseTime(hardLimitArg, &hardLimit))
        return Fail("--hard-limit: a time (100ms, 1s; at most 1e6 s)");
    Time delayCheck;
    if (topology.empty() && !ParseTime(delay, &delayCheck))
        return Fail("--delay: a time (1ms, 20ms; at most 1e6 s)");
    if (topology.empty() && !ValidRate(rate))
        return Fail("--rate: a data rate above 0 (100Mbps, 1Gbps)");
    if (attach != "vprime" && attach != "emu")
        return Fail("--attach: vprime or emu");
    VprimeEmu emu;
    if (attach == "emu")
    {
        std::string err;
        if (topology.empty())
            return Fail("--attach=emu needs --topology");
        if (!emu.ParseMap(emuMap, &err))
            return Fail(err);
        g_emu = &emu;
    }
    else if (!emuMap.empty())
        return Fail("--emu needs --attach=emu");
    std::vector<VprimeGuestSpec> guests;
    if (topology.empty())
    {
        if (mode != "lan" && mode != "routed")
            return Fail("--mode: lan or routed");
        std::stringstream ss(guestList);
        std::string item;
        while (std::getline(ss, item, ','))
        {
            VprimeGuestSpec g;
            // a MAC has colons, not commas: one item each
            if (!ParseSpec(item, &g))
                return Fail("--guests: bad item '" + item +
                            "' (mac:aa:bb:cc:dd:ee:ff, name:DEV, domid:N[.DEVID])");
            guests.push_back(g);
        }
        if (guests.empty() || guests.size() > 250)
            return Fail("--guests: 1..250 guests");
    }
    else if (check)
    {
        VprimeTopologySummary sum;
        std::string err;
        if (!VprimeTopology::Check(topology, &sum, &err))
            return Fail(err);
        std::cout << topology << ": " << sum.guests << " guests, " << sum.switches
                  << " switches, " << sum.routers << " routers, " << sum.links << " links"
                  << std::endl;
        return 0;
    }

    if (simulator == "vprime")
        VprimeHelper::UseVprimeRealtime(sync == "hard", hardLimit);
    else
        VprimeHelper::UseRealtime(sync == "hard", hardLimit);
    VprimeHelper::EnableChecksums();
    // ns-3 delays ARP requests by up to 10 ms at random; a Linux host does not.
    Config::SetDefault("ns3::ArpL3Protocol::RequestJitter",
                       StringValue("ns3::ConstantRandomVariable[Constant=0.0]"));

    VprimeHelper vp;
    vp.SetDeviceAttribute("Mtu", UintegerValue(mtu));
    vp.SetHandleAttribute("Mode", EnumValue(reader == "thread" ? VprimeHandle::MODE_THREAD
                                                               : VprimeHandle::MODE_POLL));
    VprimeTopologySummary sum;
    if (!topology.empty())
    {
        std::string err;
        VprimeTopology::Attach how;
        if (g_emu)
            how = [&emu](Ptr<Node> n, Ptr<NetDevice> port, const VprimeGuestSpec& g,
                         std::string* e) { return emu.InstallBridged(n, port, g, e); };
        if (!VprimeTopology::Build(topology, vp, uint16_t(mtu), &sum, &err, how))
        {
            Simulator::Destroy();
            return Fail(err);
        }
        std::cout << "topology " << topology << ": " << sum.guests << " guests, "
                  << sum.switches << " switches, " << sum.routers << " routers, " << sum.links
                  << " links" << std::endl;
        g_topo = &sum;
    }
    else if (mode == "lan")
        BuildLan(vp, guests, rate, delay, uint16_t(mtu));
    else
        BuildRouted(vp, guests, rate, delay);

    g_vp = &vp;
    int r = g_emu ? 0 : vp.Open(device, bufs);
    if (r < 0)
    {
        std::cerr << "vprime-ns3: open " << (device.empty() ? "/dev/vprime" : device) << ": "
                  << std::strerror(-r) << std::endl;
        Simulator::Destroy();
        return 1;
    }
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    std::signal(SIGUSR1, OnDump);
    if (!g_emu)
        vp.Start();
    Simulator::Schedule(MilliSeconds(50), &WatchSignals);
    if (duration > 0)
        Simulator::Stop(Seconds(duration));
    if (g_emu)
        std::cout << "running (ns-3 FdNetDevice on dom0 interfaces, " << simulator
                  << " simulator, " << sync << " real time)" << std::endl;
    else
        std::cout << "running (" << reader << " reader, " << simulator << " simulator, " << sync
                  << " real time)" << std::endl;
    Simulator::Run();
    PrintAll(std::cout);
    bool lost = !g_emu && vp.GetHandle()->IsBackendLost();
    Simulator::Destroy();
    if (lost)
    {
        std::cerr << "vprime-ns3: backend lost" << std::endl;
        return 1;
    }
    return 0;
}
