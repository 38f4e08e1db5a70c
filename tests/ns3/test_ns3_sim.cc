// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ns3_sim.cc - VprimeRealtimeSimulatorImpl against ns-3's own:
 * one schedule (Schedule, ScheduleNow, ScheduleWithContext, Remove,
 * Cancel, ScheduleDestroy, Stop(delay), IsExpired, GetDelayLeft) gives the
 * same events in the same order at the same Now() and context as under
 * DefaultSimulatorImpl; another thread's ScheduleWithContext wakes a
 * sleeping Run(); a watched descriptor's callback runs in the simulator's
 * thread (data, then hang-up once); an event due in 50 ms runs no earlier
 * (real time at least its Now()); an event 100 ms busy makes the next
 * late: counted in best effort, an abort past HardLimit (in a child).
 * Run under ASan + UBSan.
 */
#include "ns3_check.h"
#include "vprime-realtime-simulator-impl.h"

#include "ns3/core-module.h"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <string>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace ns3;

namespace
{

int64_t
MonoNs()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void
UseImpl(const char* type)
{
    Simulator::Destroy();
    GlobalValue::Bind("SimulatorImplementationType", StringValue(type));
}

Ptr<VprimeRealtimeSimulatorImpl>
Ours()
{
    return DynamicCast<VprimeRealtimeSimulatorImpl>(Simulator::GetImplementation());
}

/* ---- the same schedule under both ------------------------------------------ */

std::vector<std::string> g_log;

void
Log(std::string what)
{
    g_log.push_back(what + "@" + std::to_string(Simulator::Now().GetMicroSeconds()) + "us/c" +
                    std::to_string(Simulator::GetContext()));
}

struct Script
{
    EventId x, y, f, z1, z2, late;

    void Start()
    {
        Simulator::Schedule(MilliSeconds(2), &Script::A, this);
        Simulator::Schedule(MilliSeconds(1), &Script::B, this);
        Simulator::ScheduleNow(&Log, std::string("c"));
        Simulator::ScheduleWithContext(7, MilliSeconds(1), &Log, std::string("d"));
        Simulator::Schedule(MilliSeconds(1), &Log, std::string("b2")); // same time as b: uid order
        x = Simulator::Schedule(MilliSeconds(3), &Log, std::string("x"));
        y = Simulator::Schedule(MilliSeconds(4), &Log, std::string("y"));
        z1 = Simulator::ScheduleDestroy(&Log, std::string("z1"));
        z2 = Simulator::ScheduleDestroy(&Log, std::string("z2"));
        late = Simulator::Schedule(MilliSeconds(6), &Log, std::string("after-stop"));
        Simulator::Stop(MilliSeconds(5));
    }

    void B()
    {
        Log("b");
        Simulator::ScheduleNow(&Log, std::string("e"));
        f = Simulator::Schedule(MilliSeconds(3), &Log, std::string("f"));
        Simulator::Remove(x);
        Log(std::string("x-expired=") + (Simulator::IsExpired(x) ? "1" : "0"));
        Simulator::Remove(z2);
        Log(std::string("z2-expired=") + (Simulator::IsExpired(z2) ? "1" : "0") +
            " z1-expired=" + (Simulator::IsExpired(z1) ? "1" : "0"));
        // from an event with a context, Schedule keeps it
        Simulator::ScheduleWithContext(3, MilliSeconds(1), &Script::Ctx, this);
    }

    void Ctx()
    {
        Log("ctx");
        Simulator::ScheduleNow(&Log, std::string("ctx-child"));
    }

    void A()
    {
        Log("a left-f=" + std::to_string(Simulator::GetDelayLeft(f).GetMicroSeconds()) +
            " left-y=" + std::to_string(Simulator::GetDelayLeft(y).GetMicroSeconds()));
        Simulator::Cancel(y);
        Log(std::string("y-expired=") + (Simulator::IsExpired(y) ? "1" : "0") +
            " left=" + std::to_string(Simulator::GetDelayLeft(y).GetMicroSeconds()));
    }
};

std::vector<std::string>
RunScript(const char* type, uint64_t* events, bool* finished, bool* lateExpired)
{
    UseImpl(type);
    g_log.clear();
    Script s;
    s.Start();
    Simulator::Run();
    Log("run-returned");
    *events = Simulator::GetEventCount();
    *finished = Simulator::IsFinished();
    *lateExpired = Simulator::IsExpired(s.late);
    Simulator::Destroy();
    return g_log;
}

void
TestSameAsDefault()
{
    uint64_t ed, ev;
    bool fd, fv, ld, lv;
    std::vector<std::string> d = RunScript("ns3::DefaultSimulatorImpl", &ed, &fd, &ld);
    std::vector<std::string> v = RunScript("ns3::VprimeRealtimeSimulatorImpl", &ev, &fv, &lv);

    for (size_t i = 0; i < d.size() || i < v.size(); i++)
    {
        std::printf("  %-40s %s\n",
                    i < d.size() ? d[i].c_str() : "-",
                    i < v.size() ? v[i].c_str() : "-");
    }
    std::printf("  events %llu / %llu\n", (unsigned long long)ed, (unsigned long long)ev);
    CHECK(d.size() >= 14); // the schedule ran at all
    CHECK(d == v);
    CHECK(ed == ev && fd == fv && ld == lv);
    CHECK(!ld); // still in the list when Stop() came
}

/* ---- another thread wakes a sleeping Run() ------------------------------------ */

std::atomic<int64_t> g_crossNow(-1);
std::atomic<uint32_t> g_crossContext(0);
std::atomic<bool> g_crossMainThread(false);
std::thread::id g_mainId;

void
Cross()
{
    g_crossNow = Simulator::Now().GetNanoSeconds();
    g_crossContext = Simulator::GetContext();
    g_crossMainThread = std::this_thread::get_id() == g_mainId;
    Simulator::Stop();
}

void
TestCrossThread()
{
    UseImpl("ns3::VprimeRealtimeSimulatorImpl");
    g_mainId = std::this_thread::get_id();
    Simulator::Schedule(Seconds(20), &Simulator::Stop); // the loop sleeps towards it
    std::thread t([]() {
        usleep(50000);
        Simulator::ScheduleWithContext(5, MilliSeconds(1), &Cross);
    });
    int64_t t0 = MonoNs();
    Simulator::Run();
    int64_t took = MonoNs() - t0;
    t.join();
    Ptr<VprimeRealtimeSimulatorImpl> impl = Ours();
    std::printf("  woken after %.1f ms: event at %.3f ms, context %u; %llu clock reads, "
                "%llu epoll calls\n",
                took / 1e6,
                g_crossNow.load() / 1e6,
                g_crossContext.load(),
                (unsigned long long)impl->GetClockReads(),
                (unsigned long long)impl->GetPolls());
    // relative to real time when it was scheduled: at least 50 + 1 ms
    CHECK(g_crossNow.load() >= 51000000);
    CHECK(g_crossContext.load() == 5 && g_crossMainThread.load());
    CHECK(took < 5000000000LL);
    CHECK(impl->GetClockReads() < 20); // per wait, not per event
    Simulator::Destroy();
}

/* ---- a descriptor's callback ------------------------------------------------------ */

struct FdSeen
{
    int64_t nowNs;
    uint32_t events;
    bool mainThread;
    ssize_t got;
};

std::vector<FdSeen> g_fd;
int g_pipe[2];

void
OnFd(uint32_t events)
{
    char buf[16];
    FdSeen s;
    s.nowNs = Simulator::Now().GetNanoSeconds();
    s.events = events;
    s.mainThread = std::this_thread::get_id() == g_mainId;
    s.got = read(g_pipe[0], buf, sizeof(buf));
    g_fd.push_back(s);
}

void
TestFdWatch()
{
    UseImpl("ns3::VprimeRealtimeSimulatorImpl");
    g_mainId = std::this_thread::get_id();
    g_fd.clear();
    CHECK(pipe(g_pipe) == 0);
    Ptr<VprimeRealtimeSimulatorImpl> impl = Ours();
    CHECK(impl);
    CHECK(impl->AddFdWatch(g_pipe[0], MakeCallback(&OnFd)));
    CHECK(!impl->AddFdWatch(g_pipe[0], MakeCallback(&OnFd))); // one per descriptor
    Simulator::Schedule(MilliSeconds(300), &Simulator::Stop);
    std::thread t([]() {
        usleep(30000);
        CHECK(write(g_pipe[1], "hi", 2) == 2);
        usleep(30000);
        close(g_pipe[1]); // hang-up: delivered once, then unwatched
    });
    Simulator::Run();
    t.join();
    for (auto& s : g_fd)
        std::printf("  fd callback at %.3f ms: events %#x, %zd bytes\n",
                    s.nowNs / 1e6,
                    s.events,
                    s.got);
    close(g_pipe[0]);
    CHECK(g_fd.size() == 2);
    CHECK(g_fd[0].got == 2 && (g_fd[0].events & EPOLLIN) && g_fd[0].mainThread);
    CHECK(g_fd[0].nowNs >= 30000000 && g_fd[0].nowNs < 300000000);
    CHECK((g_fd[1].events & EPOLLHUP) && g_fd[1].got == 0 && g_fd[1].nowNs >= g_fd[0].nowNs);
    CHECK(impl->GetFdWakeups() >= 2);
    Simulator::Destroy();
}

/* ---- pacing ------------------------------------------------------------------------- */

int64_t g_paceNow, g_paceReal;

void
Paced()
{
    g_paceNow = Simulator::Now().GetNanoSeconds();
    g_paceReal = Ours()->RealtimeNow().GetNanoSeconds();
}

void
TestPacing()
{
    UseImpl("ns3::VprimeRealtimeSimulatorImpl");
    Simulator::Schedule(MilliSeconds(50), &Paced);
    Simulator::Schedule(MilliSeconds(60), &Simulator::Stop);
    int64_t t0 = MonoNs();
    Simulator::Run();
    int64_t took = MonoNs() - t0;
    Ptr<VprimeRealtimeSimulatorImpl> impl = Ours();
    std::printf("  event due at 50 ms ran at real %.3f ms (Run took %.1f ms); latest event "
                "%.3f ms late, %llu late; %llu clock reads, %llu waits for %llu events\n",
                g_paceReal / 1e6,
                took / 1e6,
                impl->GetMaxLateness().GetMicroSeconds() / 1e3,
                (unsigned long long)impl->GetLateEvents(),
                (unsigned long long)impl->GetClockReads(),
                (unsigned long long)impl->GetWaits(),
                (unsigned long long)Simulator::GetEventCount());
    CHECK(g_paceNow == 50000000);
    CHECK(g_paceReal >= g_paceNow);     // never early
    CHECK(took >= 60000000);
    CHECK(g_paceReal < 50000000 + 2000000000LL); // loosely: not seconds late
    CHECK(impl->GetMaxLateness() < Seconds(2));
    CHECK(impl->HasClockBase());
    Simulator::Destroy();
}

/* ---- lateness: counted, or past the hard limit an abort ---------------------------- */

void
Busy100ms()
{
    int64_t t0 = MonoNs();
    while (MonoNs() - t0 < 100000000)
    {
    }
}

void
LateSchedule()
{
    Simulator::Schedule(Seconds(0), &Busy100ms);
    Simulator::Schedule(MilliSeconds(10), &Log, std::string("late"));
    Simulator::Schedule(MilliSeconds(150), &Simulator::Stop);
}

void
TestLateness()
{
    UseImpl("ns3::VprimeRealtimeSimulatorImpl");
    g_log.clear();
    LateSchedule();
    Simulator::Run();
    Ptr<VprimeRealtimeSimulatorImpl> impl = Ours();
    std::printf("  best effort: %llu late, latest %.1f ms\n",
                (unsigned long long)impl->GetLateEvents(),
                impl->GetMaxLateness().GetMicroSeconds() / 1e3);
    CHECK(g_log.size() == 1);                           // it ran, late
    CHECK(impl->GetLateEvents() >= 1);
    CHECK(impl->GetMaxLateness() >= MilliSeconds(80)); // 100 ms busy, due at 10
    Simulator::Destroy();

    // The same with a 20 ms hard limit, in a child: ns-3's fatal error.
    std::fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
    {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        Config::SetDefault("ns3::VprimeRealtimeSimulatorImpl::SynchronizationMode",
                           StringValue("HardLimit"));
        Config::SetDefault("ns3::VprimeRealtimeSimulatorImpl::HardLimit",
                           TimeValue(MilliSeconds(20)));
        UseImpl("ns3::VprimeRealtimeSimulatorImpl");
        LateSchedule();
        Simulator::Run();
        _exit(0); // the limit did not stop it
    }
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    std::printf("  hard limit 20 ms: the child %s %d\n",
                WIFSIGNALED(st) ? "died of signal" : "exited",
                WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    CHECK(WIFSIGNALED(st) ? WTERMSIG(st) == SIGABRT : WEXITSTATUS(st) != 0);
}

} // namespace

int
main()
{
    static const Ns3Test tests[] = {
        {"same_as_default", TestSameAsDefault},
        {"cross_thread", TestCrossThread},
        {"fd_watch", TestFdWatch},
        {"pacing", TestPacing},
        {"lateness", TestLateness},
    };
    return Ns3TestsRun("test_ns3_sim", tests);
}
