// SPDX-License-Identifier: GPL-2.0-only
/*
 * ns3_world.h - simulated guests (tests/sim: the real guest-side code and
 * dom0 data path, in process) attached to an ns-3 program through
 * VprimeHelper, on a virtual clock that is the simulation's own: dom0 time
 * = kBase + Simulator::Now() (+ a skew a test may set), so every run is
 * deterministic (or, with g_realClock, dom0's real CLOCK_MONOTONIC for the
 * real-time simulator).  The handle polls every 10 us of simulated time.
 */
#ifndef NS3_WORLD_H
#define NS3_WORLD_H

#include "ns3_frames.h"

#include "vprime-helper.h"
#include "vprime-topology.h"

#include "ns3/enum.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <string>
#include <unistd.h>
#include <vector>

// vp_front.h (included by vp_sim.h) is plain C without its own guard.
extern "C"
{
#include "vp_sim.h"
}
#include "vprime_sim.h"

namespace tw
{

using namespace ns3;

const uint64_t kBase = 1000000000000ull; // dom0 clock at simulation time 0
inline int64_t g_skew;    // added to dom0's clock
inline bool g_frozen;     // dom0's clock stands at g_frozenAt
inline uint64_t g_frozenAt;
inline bool g_realClock;  // dom0's clock is CLOCK_MONOTONIC (+ g_skew)

inline uint64_t
Clock(void*)
{
    if (g_realClock)
    {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return uint64_t(int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec + g_skew);
    }
    if (g_frozen)
        return g_frozenAt;
    return uint64_t(int64_t(kBase) + Simulator::Now().GetNanoSeconds() + g_skew);
}

struct Guest
{
    struct vp_sim_guest* g{nullptr};
    uint8_t mac[6]{};
    uint32_t ip{0};
    std::vector<tf::Bytes> rx; // what it received, ARP for itself answered
    uint32_t arpAnswered{0};
};

struct World
{
    struct vp_sim_host* host{nullptr};
    std::vector<Guest> guests;
    VprimeHelper* helper{nullptr};

    /* @n guests 02:00:00:00:00:<i+1>, 10.0.<net>.<i+2>; @mtu for all. */
    explicit World(uint32_t n, uint8_t net = 1, uint32_t mtu = 1500)
    {
        g_skew = 0;
        g_frozen = false;
        host = vp_sim_host_new();
        vp_sim_host_set_clock(host, Clock, nullptr);
        guests.resize(n);
        for (uint32_t i = 0; i < n; i++)
        {
            struct vp_sim_guest_cfg c;
            std::memset(&c, 0, sizeof(c));
            c.domid = i + 1;
            c.mac[0] = 0x02;
            c.mac[5] = uint8_t(i + 1);
            c.mtu = mtu;
            guests[i].g = vp_sim_guest_new(&c);
            std::memcpy(guests[i].mac, c.mac, 6);
            guests[i].ip = tf::Ip(10, 0, net, uint8_t(i + 2));
            vp_sim_host_add(host, guests[i].g);
        }
        struct vprime* vp = nullptr;
        struct vprime_opts o;
        std::memset(&o, 0, sizeof(o));
        o.nr_bufs = 2048;
        if (vprime_open_sim(&vp, host, &o) != 0)
        {
            std::fprintf(stderr, "vprime_open_sim failed\n");
            std::abort();
        }
        helper = new VprimeHelper();
        helper->Adopt(vp, Clock, nullptr);
        helper->SetHandleAttribute("Mode", EnumValue(VprimeHandle::MODE_POLL));
        helper->SetHandleAttribute("PollInterval", TimeValue(MicroSeconds(10)));
        helper->SetHandleAttribute("RescanInterval", TimeValue(MilliSeconds(1)));
    }

    ~World()
    {
        Simulator::Destroy(); // closes the handle (a destroy event)
        delete helper;
        for (auto& g : guests)
        {
            if (g.g)
            {
                vp_sim_host_remove(host, g.g);
                vp_sim_guest_free(g.g);
            }
        }
        vp_sim_host_free(host);
    }

    VprimeGuestSpec Spec(uint32_t i) const
    {
        return VprimeGuestSpec::Mac(Mac48Address::ConvertFrom(Mac(i)));
    }

    Address Mac(uint32_t i) const
    {
        Mac48Address m;
        m.CopyFrom(guests[i].mac);
        return m;
    }

    int Send(uint32_t i, const tf::Bytes& f, uint16_t flags = 0)
    {
        struct vp_sim_guest* g = guests[i].g;
        vp_front_txc_reap(&g->front);
        int r = vp_front_tx_frame(&g->front, f.data(), uint32_t(f.size()), flags);
        if (r == 0)
            vp_front_tx_push(&g->front);
        return r;
    }

    /* What each guest's stack would do with its frames: answer ARP for
     * itself, keep the rest. */
    void Drain()
    {
        std::vector<uint8_t> buf(VPRIME_FRAME_MAX);
        for (auto& gu : guests)
        {
            if (!gu.g)
                continue;
            int n;
            while ((n = vp_sim_guest_recv(gu.g, buf.data(), uint32_t(buf.size()))) > 0)
            {
                tf::Bytes f(buf.begin(), buf.begin() + n);
                if (tf::IsArp(f, 1) && tf::Get32(f, 38) == gu.ip)
                {
                    tf::Bytes r = tf::Arp(2, &f[22], gu.mac, gu.ip, &f[22], tf::Get32(f, 28));
                    vp_front_txc_reap(&gu.g->front);
                    if (vp_front_tx_frame(&gu.g->front, r.data(), uint32_t(r.size()), 0) == 0)
                        vp_front_tx_push(&gu.g->front);
                    gu.arpAnswered++;
                    continue;
                }
                gu.rx.push_back(f);
            }
            vp_sim_guest_service(gu.g);
        }
    }

    /* Run the simulation @dt further, guests draining every 50 us. */
    void Run(Time dt)
    {
        Time end = Simulator::Now() + dt;
        while (Simulator::Now() < end)
        {
            Time step = std::min(MicroSeconds(50), end - Simulator::Now());
            Simulator::Stop(step);
            Simulator::Run();
            Drain();
        }
    }
};

/* @json written to a temporary file for the topology reader, which takes a
 * path as vprime-ns3 does; removed when this goes. */
struct TempJson
{
    char path[32] = "/tmp/test_ns3_topo.XXXXXX";
    bool ok{false};

    explicit TempJson(const std::string& json)
    {
        int fd = mkstemp(path);
        if (fd < 0)
            return;
        ok = write(fd, json.data(), json.size()) == ssize_t(json.size());
        close(fd);
    }

    ~TempJson()
    {
        unlink(path);
    }
};

/* Build @json into @w's helper; false (the reason on stderr) on error. */
inline bool
BuildJson(World& w, const std::string& json, VprimeTopologySummary* sum, std::string* err)
{
    TempJson f(json);
    bool built = f.ok && VprimeTopology::Build(f.path, *w.helper, 1500, sum, err);
    if (!built)
        std::fprintf(stderr, "%s\n", err->c_str());
    return built;
}

} // namespace tw

#endif /* NS3_WORLD_H */
