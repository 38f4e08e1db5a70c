// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ns3_link.cc - vprimed's link model in ns-3 (engine/link.c's
 * semantics), so that every topology file runs on either engine: random
 * and Gilbert-Elliott loss (VprimeLinkErrorModel) against their analytic
 * rates and burst lengths, jitter within its bounds and never reordering
 * (VprimeLinkChannel), both queue limits (VprimeLinkQueue), each through a
 * topology between simulated guests with the per-direction counters; the
 * five files of engine/topologies/ checked and built, and the link keys'
 * bad values refused as vprimed refuses them.  ASan + UBSan.
 */
#include "ns3_check.h"
#include "ns3_world.h"

#include "vprime-link-error-model.h"
#include "vprime-topology.h"

#include "ns3/core-module.h"
#include "ns3/network-module.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <unistd.h>

using namespace ns3;
using namespace tw;

static bool
CheckJson(const std::string& json, std::string* err)
{
    TempJson f(json);
    VprimeTopologySummary sum;

    return f.ok && VprimeTopology::Check(f.path, &sum, err);
}

/* Guest a (02:..:01) and guest c (02:..:02) on switch s1: link1 a-s1
 * carries @link1 (JSON members), link3 c-s1 is plain. */
static std::string
TwoGuests(const std::string& link1)
{
    return "{ \"seed\": 3, \"nodes\": ["
           " { \"name\": \"a\", \"type\": \"guest\", \"mac\": \"02:00:00:00:00:01\" },"
           " { \"name\": \"c\", \"type\": \"guest\", \"mac\": \"02:00:00:00:00:02\" },"
           " { \"name\": \"s1\", \"type\": \"switch\" } ], \"links\": ["
           " { \"name\": \"link1\", \"a\": \"a\", \"b\": \"s1\"" +
           (link1.empty() ? "" : ", " + link1) +
           " },"
           " { \"name\": \"link3\", \"a\": \"c\", \"b\": \"s1\" } ] }\n";
}

static const VprimeTopologyLinkDir*
Dir(const VprimeTopologySummary& sum, const std::string& link, const std::string& from)
{
    for (const auto& d : sum.dirs)
        if (d.link == link && d.from == from)
            return &d;
    return nullptr;
}

/* Counter @name of direction @dir ("link1 a->s1") as PrintStats prints it;
 * UINT64_MAX if it prints no such line. */
static uint64_t
Stat(const VprimeTopologySummary& sum, const std::string& dir, const std::string& name)
{
    std::ostringstream os;
    VprimeTopology::PrintStats(sum, os);
    std::string s = os.str();
    std::string key = "link " + dir + " " + name + " ";
    size_t at = s.find(key);
    if (at == std::string::npos)
        return UINT64_MAX;
    return std::strtoull(s.c_str() + at + key.size(), nullptr, 10);
}

/* A frame a -> c carrying @seq. */
static tf::Bytes
SeqFrame(World& w, uint32_t seq, size_t payload = 46)
{
    tf::Bytes f = tf::Eth(w.guests[1].mac, w.guests[0].mac, 0x88b5, payload);
    tf::Put32(f, 14, seq);
    return f;
}

/* Independent loss: the rate it is given. */
static void
TestLossRandom()
{
    Ptr<VprimeLinkErrorModel> em = CreateObject<VprimeLinkErrorModel>();
    em->SetAttribute("Loss", DoubleValue(0.1));
    em->AssignStreams(11);
    Ptr<Packet> p = Create<Packet>(100);
    uint64_t lost = 0;
    const uint64_t n = 100000;
    for (uint64_t i = 0; i < n; i++)
        lost += em->IsCorrupt(p);
    std::printf("  Loss 0.1: %llu of %llu lost\n", (unsigned long long)lost,
                (unsigned long long)n);
    CHECK(lost == em->GetLostRandom() && em->GetLostBurst() == 0 && em->GetFrames() == n);
    CHECK(lost > 9700 && lost < 10300);
}

/*
 * The chain alone (p 0.01, r 0.25, lossless when good, every frame lost
 * when bad): the bad state's share is p / (p + r) = 3.85 % of frames and a
 * burst lasts 1 / r = 4 frames on average.
 */
static void
TestLossGilbertElliott()
{
    Ptr<VprimeLinkErrorModel> em = CreateObject<VprimeLinkErrorModel>();
    em->SetAttribute("GilbertElliott", BooleanValue(true));
    em->SetAttribute("P", DoubleValue(0.01));
    em->SetAttribute("R", DoubleValue(0.25));
    em->SetAttribute("LossGood", DoubleValue(0.0));
    em->SetAttribute("LossBad", DoubleValue(1.0));
    em->AssignStreams(12);
    Ptr<Packet> p = Create<Packet>(100);
    uint64_t lost = 0, bursts = 0;
    bool prev = false;
    const uint64_t n = 400000;
    for (uint64_t i = 0; i < n; i++)
    {
        bool l = em->IsCorrupt(p);
        lost += l;
        bursts += l && !prev;
        prev = l;
    }
    double share = double(lost) / double(n);
    double burst = double(lost) / double(bursts);
    std::printf("  Gilbert-Elliott p 0.01 r 0.25: %.2f %% lost (3.85 expected), bursts of "
                "%.2f frames (4.00 expected)\n", 100 * share, burst);
    CHECK(em->GetLostBurst() == lost && em->GetLostRandom() == 0);
    CHECK(std::fabs(share - 0.01 / 0.26) < 0.003);
    CHECK(std::fabs(burst - 4.0) < 0.3);
    em->Reset();
    CHECK(!em->IsBad());
}

/*
 * Jitter through a topology: link1 10 ms +- 2 ms.  Frames 5 ms apart
 * (more than the spread) arrive 8..12 ms after they left, spread over the
 * range, none held back; frames 50 us apart arrive in the order sent,
 * some held behind the one before (counted), still within 8..12 ms.
 */
static void
JitterRun(World& w, Time gap, uint32_t n, std::vector<double>* delaysMs, bool* inOrder)
{
    std::vector<Time> sent(n);
    uint32_t next = 0, expect = 0;
    Time end = Simulator::Now() + gap * n + MilliSeconds(20);
    *inOrder = true;
    while (Simulator::Now() < end)
    {
        if (next < n && Simulator::Now() >= sent[0] + gap * next)
        {
            if (next == 0)
                sent[0] = Simulator::Now();
            sent[next] = Simulator::Now();
            if (w.Send(0, SeqFrame(w, next)) != 0)
                return;
            next++;
        }
        w.Run(MicroSeconds(10));
        for (const auto& f : w.guests[1].rx)
        {
            uint32_t seq = tf::Get32(f, 14);
            *inOrder &= seq == expect++;
            if (seq < n)
                delaysMs->push_back((Simulator::Now() - sent[seq]).GetSeconds() * 1e3);
        }
        w.guests[1].rx.clear();
    }
}

static void
TestJitter()
{
    World w(2);
    VprimeTopologySummary sum;
    std::string err;
    CHECK(BuildJson(w, TwoGuests("\"delay\": \"10ms\", \"jitter\": \"2ms\""), &sum, &err));
    w.helper->Start();
    const VprimeTopologyLinkDir* up = Dir(sum, "link1", "a");
    CHECK(up);
    std::vector<double> d;
    bool inOrder;
    JitterRun(w, MilliSeconds(5), 200, &d, &inOrder);
    CHECK(d.size() == 200 && inOrder);
    double lo = *std::min_element(d.begin(), d.end());
    double hi = *std::max_element(d.begin(), d.end());
    double mean = 0;
    for (double x : d)
        mean += x / double(d.size());
    std::printf("  10 ms +- 2 ms, 5 ms apart: one way %.3f .. %.3f ms, mean %.3f; held %llu\n",
                lo, hi, mean, (unsigned long long)up->channel->GetHeldInOrder(up->tx));
    // The guests' 10 us polls and the handle's add up to 0.05 ms.
    CHECK(lo >= 8.0 && lo < 8.4 && hi <= 12.1 && hi > 11.6);
    CHECK(std::fabs(mean - 10.0) < 0.3);
    CHECK(up->channel->GetHeldInOrder(up->tx) == 0);

    d.clear();
    JitterRun(w, MicroSeconds(50), 400, &d, &inOrder);
    lo = *std::min_element(d.begin(), d.end());
    hi = *std::max_element(d.begin(), d.end());
    uint64_t held = up->channel->GetHeldInOrder(up->tx);
    std::printf("  50 us apart: %zu of 400 in the order sent, one way %.3f .. %.3f ms, %llu held "
                "behind the frame before\n", d.size(), lo, hi, (unsigned long long)held);
    CHECK(d.size() == 400 && inOrder);
    CHECK(lo >= 8.0 && hi <= 12.1);
    CHECK(held > 100);
    std::printf("  jitter: within delay +- jitter, never reordered: ok\n");
}

/*
 * Both queue limits at once, as vprimed's: link1 at 1 Mbit/s with a queue
 * of 100 packets but 3000 bytes takes a burst of 10 frames of 1428 bytes
 * (what ns-3 queues of a 1442-byte frame) as one sent at once and two
 * waiting (2856 bytes): 3 arrive, 7 are counted queue_full.
 */
static void
TestQueueBytes()
{
    World w(2);
    VprimeTopologySummary sum;
    std::string err;
    CHECK(BuildJson(w, TwoGuests("\"bandwidth\": \"1Mbit\", \"queue\": "
                                 "{ \"packets\": 100, \"bytes\": 3000 }"),
                    &sum, &err));
    w.helper->Start();
    for (uint32_t i = 0; i < 10; i++)
        CHECK(w.Send(0, SeqFrame(w, i, 1428)) == 0);
    w.Run(MilliSeconds(200));
    const VprimeTopologyLinkDir* up = Dir(sum, "link1", "a");
    CHECK(up);
    std::printf("  1 Mbit/s, 100 packets / 3000 bytes: %zu of 10 arrived, queue_full %u\n",
                w.guests[1].rx.size(), up->queue->GetTotalDroppedPackets());
    CHECK(w.guests[1].rx.size() == 3 && up->queue->GetTotalDroppedPackets() == 7);
    CHECK(up->queue->GetDroppedByBytes() == 7);
    std::printf("  queue: the byte limit beside the packet limit: ok\n");
}

/*
 * Loss through a topology: link1 with loss 0.02 and a chain (p 0.05, r
 * 0.5, every frame lost when bad): (1 - 0.02) x (1 - 0.05 / 0.55) = 89.1 %
 * arrive; every frame lost is counted under its cause before a's queue,
 * and the stats lines say so under vprimed's names, frames counting only
 * those the link took (vprimed's: the lost ones never entered it).
 */
static void
TestLossTopology()
{
    World w(2);
    VprimeTopologySummary sum;
    std::string err;
    CHECK(BuildJson(w, TwoGuests("\"loss\": 0.02, \"gilbert_elliott\": "
                                 "{ \"p\": 0.05, \"r\": 0.5 }"),
                    &sum, &err));
    w.helper->Start();
    const uint32_t n = 4000;
    for (uint32_t i = 0; i < n; i++)
    {
        CHECK(w.Send(0, SeqFrame(w, i)) == 0);
        w.Run(MicroSeconds(20));
        if (i % 64 == 63)
            w.guests[1].rx.clear(); // keep it short; counted below
    }
    w.Run(MilliSeconds(5));
    const VprimeTopologyLinkDir* up = Dir(sum, "link1", "a");
    CHECK(up && up->loss);
    uint64_t lost = up->loss->GetLostRandom() + up->loss->GetLostBurst();
    double through = 1.0 - double(lost) / double(n);
    std::printf("  loss 0.02 + chain p 0.05 r 0.5: %.1f %% through (89.1 expected); "
                "loss_random %llu, loss_burst %llu\n",
                100 * through, (unsigned long long)up->loss->GetLostRandom(),
                (unsigned long long)up->loss->GetLostBurst());
    CHECK(up->loss->GetFrames() == n);
    CHECK(std::fabs(through - 0.891) < 0.02);
    CHECK(up->loss->GetLostRandom() > 40 && up->loss->GetLostBurst() > 200);
    std::ostringstream os;
    VprimeTopology::PrintStats(sum, os);
    std::string s = os.str();
    CHECK(s.find("link link1 a->s1 loss_burst " + std::to_string(up->loss->GetLostBurst()) +
                 "\n") != std::string::npos);
    CHECK(s.find("link link1 s1->a loss_random 0\n") != std::string::npos);
    CHECK(Stat(sum, "link1 a->s1", "frames") == n - lost);
    CHECK(Stat(sum, "link1 a->s1", "queue_full") == 0);
    CHECK(s.find("link link3 c->s1 frames ") != std::string::npos);
    std::printf("  loss: random then Gilbert-Elliott, counted by cause: ok\n");
}

/*
 * The loss is judged before the queue, as vprimed's (engine/link.c,
 * vpe_link_admit(): vpe_link_lost() first): a lost frame takes no place in
 * the queue and no time on the transmitter.  link1 at 1 Mbit/s with loss
 * 0.5 takes a burst of 40 frames of 1428 bytes (what ns-3 serialises of a
 * 1442-byte frame: 11.424 ms each).
 */
static const uint32_t kBurst = 40;
static const double kSerMs = 1428 * 8 / 1e6 * 1e3; // 11.424 ms at 1 Mbit/s

/*
 * With a queue of 2 packets: every frame of the burst is judged (40), and
 * of the S that survive one is sent at once and two wait, so 3 arrive, S -
 * 3 are queue_full and the lost ones are not counted there.  Judged at the
 * far end, only the 3 frames the queue took would be judged and 37
 * counted queue_full, whatever the loss.
 */
static void
TestLossNoPlace()
{
    World w(2);
    VprimeTopologySummary sum;
    std::string err;
    CHECK(BuildJson(w, TwoGuests("\"bandwidth\": \"1Mbit\", \"loss\": 0.5, "
                                 "\"queue\": { \"packets\": 2 }"),
                    &sum, &err));
    w.helper->Start();
    for (uint32_t i = 0; i < kBurst; i++)
        CHECK(w.Send(0, SeqFrame(w, i, 1428)) == 0);
    w.Run(MilliSeconds(200));
    const VprimeTopologyLinkDir* up = Dir(sum, "link1", "a");
    CHECK(up && up->loss);
    uint64_t lost = Stat(sum, "link1 a->s1", "loss_random");
    uint64_t full = Stat(sum, "link1 a->s1", "queue_full");
    uint64_t frames = Stat(sum, "link1 a->s1", "frames");
    uint64_t survived = kBurst - lost;
    uint64_t taken = std::min<uint64_t>(survived, 1 + 2);
    std::printf("  loss 0.5, queue 2 packets, burst of %u: judged %llu, loss_random %llu, "
                "queue_full %llu (%llu - 3 expected), frames %llu, %zu arrived (%llu "
                "expected)\n",
                kBurst, (unsigned long long)up->loss->GetFrames(), (unsigned long long)lost,
                (unsigned long long)full, (unsigned long long)survived,
                (unsigned long long)frames, w.guests[1].rx.size(), (unsigned long long)taken);
    CHECK(up->loss->GetFrames() == kBurst);
    CHECK(lost == up->loss->GetLostRandom() && lost > 0 && survived > 3);
    CHECK(full == survived - taken && frames == taken);
    CHECK(up->queue->GetDroppedByLoss() == lost);
    CHECK(w.guests[1].rx.size() == taken);
    CHECK(lost + full + frames == kBurst);
    std::printf("  loss before the queue: a lost frame takes no place in it: ok\n");
}

/*
 * With the default queue (1000): the S survivors leave one behind the
 * other, the k-th arriving k x 11.424 ms after the burst.  Judged at the
 * far end, a lost frame would hold the transmitter for its 11.424 ms and
 * the last survivor would arrive near 40 x 11.424 ms.
 */
static void
TestLossNoTime()
{
    World w(2);
    VprimeTopologySummary sum;
    std::string err;
    CHECK(BuildJson(w, TwoGuests("\"bandwidth\": \"1Mbit\", \"loss\": 0.5"), &sum, &err));
    w.helper->Start();
    Time t0 = Simulator::Now();
    for (uint32_t i = 0; i < kBurst; i++)
        CHECK(w.Send(0, SeqFrame(w, i, 1428)) == 0);
    std::vector<double> atMs;
    while (Simulator::Now() < t0 + MilliSeconds(600))
    {
        w.Run(MicroSeconds(50));
        for (size_t k = 0; k < w.guests[1].rx.size(); k++)
            atMs.push_back((Simulator::Now() - t0).GetSeconds() * 1e3);
        w.guests[1].rx.clear();
    }
    const VprimeTopologyLinkDir* up = Dir(sum, "link1", "a");
    CHECK(up && up->loss);
    uint64_t survived = kBurst - up->loss->GetLostRandom();
    double worst = 0;
    for (size_t k = 0; k < atMs.size(); k++)
        worst = std::max(worst, std::fabs(atMs[k] - double(k + 1) * kSerMs));
    std::printf("  loss 0.5, burst of %u: %zu arrived (%llu survived the loss), the last at "
                "%.3f ms (%llu x %.3f = %.3f expected), each within %.3f ms of k x %.3f\n",
                kBurst, atMs.size(), (unsigned long long)survived,
                atMs.empty() ? 0.0 : atMs.back(), (unsigned long long)survived, kSerMs,
                double(survived) * kSerMs, worst, kSerMs);
    CHECK(atMs.size() == survived && survived > 3 && survived < kBurst);
    // The guests' 50 us drains and the handle's 10 us polls.
    CHECK(worst < 0.2);
    std::printf("  loss before the queue: a lost frame takes no time on the link: ok\n");
}

/* engine/topologies/: every file vprimed runs builds here too. */
static void
TestTopologyFiles()
{
    static const char* files[] = {"demo", "dumbbell", "routed", "star-8", "two-hosts"};
    for (const char* f : files)
    {
        World w(1);
        VprimeTopologySummary sum;
        std::string err;
        std::string path = std::string(VPRIME_TOP "/engine/topologies/") + f + ".json";
        bool built = VprimeTopology::Build(path, *w.helper, 1500, &sum, &err);
        if (!built)
            std::fprintf(stderr, "%s: %s\n", path.c_str(), err.c_str());
        CHECK(built && sum.dirs.size() == 2 * sum.links);
        if (std::string(f) == "dumbbell")
        {
            const VprimeTopologyLinkDir* b = Dir(sum, "bottleneck", "left");
            CHECK(b && b->loss);
            TimeValue j;
            b->channel->GetAttribute("Jitter", j);
            BooleanValue ge;
            b->loss->GetAttribute("GilbertElliott", ge);
            UintegerValue bytes;
            b->queue->GetAttribute("MaxBytes", bytes);
            CHECK(j.Get() == MilliSeconds(1) && ge.Get() && bytes.Get() == 150000 &&
                  b->queue->GetMaxSize().GetValue() == 100);
        }
    }
    std::printf("  engine/topologies: all five build: ok\n");
}

/* What vprimed refuses in a link, refused here with the JSON path. */
static void
TestLinkRefused()
{
    struct
    {
        const char* link1;
        const char* says;
    } bad[] = {
        {"\"jitter\": \"-1ms\"", "links[0] (link1): jitter: bad value"},
        {"\"jitter\": \"1 parsec\"", "jitter: bad value"},
        {"\"jitter\": 5", "jitter: not a string"},
        {"\"loss\": 1.5", "loss: a number in 0..1"},
        {"\"gilbert_elliott\": 1", "gilbert_elliott: not an object"},
        {"\"gilbert_elliott\": { \"p\": 0.1 }", "gilbert_elliott: needs 'p' and 'r'"},
        {"\"gilbert_elliott\": { \"p\": 0.1, \"r\": 2 }", "gilbert_elliott: r: a number in 0..1"},
        {"\"gilbert_elliott\": { \"p\": -0.1, \"r\": 0.2 }", "p: a number in 0..1"},
        {"\"gilbert_elliott\": { \"p\": 0.1, \"r\": 0.2, \"loss_bad\": \"x\" }",
         "loss_bad: a number in 0..1"},
        {"\"gilbert_elliott\": { \"p\": 0.1, \"r\": 0.2, \"k\": 1 }", "unknown key 'k'"},
        {"\"queue\": { \"bytes\": -1 }", "queue: packets 1..1000000, bytes >= 0"},
    };
    for (const auto& b : bad)
    {
        std::string err;
        bool ok = CheckJson(TwoGuests(b.link1), &err);
        if (ok || err.find(b.says) == std::string::npos)
            std::fprintf(stderr, "  %s: %s (want '%s')\n", b.link1,
                         ok ? "accepted" : err.c_str(), b.says);
        CHECK(!ok && err.find(b.says) != std::string::npos);
    }
    std::string err;
    CHECK(CheckJson(TwoGuests("\"jitter\": \"0ns\", \"gilbert_elliott\": "
                              "{ \"p\": 0, \"r\": 1, \"loss_good\": 0, \"loss_bad\": 0 }"),
                    &err));
    std::printf("  bad link values refused with their path: ok\n");
}

int
main()
{
    VprimeHelper::EnableChecksums();
    static const Ns3Test tests[] = {
        {"loss_random", TestLossRandom},
        {"loss_gilbert_elliott", TestLossGilbertElliott},
        {"jitter", TestJitter},
        {"queue_bytes", TestQueueBytes},
        {"loss_topology", TestLossTopology},
        {"loss_no_place", TestLossNoPlace},
        {"loss_no_time", TestLossNoTime},
        {"topology_files", TestTopologyFiles},
        {"link_refused", TestLinkRefused},
    };
    return Ns3TestsRun("test_ns3_link", tests);
}
