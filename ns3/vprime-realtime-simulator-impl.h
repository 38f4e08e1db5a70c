// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-realtime-simulator-impl.h - a real-time SimulatorImpl that reads
 * the clock once per wait, not several times per event.
 *
 * ns-3 3.37's RealtimeSimulatorImpl reads CLOCK_REALTIME about six times
 * per event (its loop, its WallClockSynchronizer, EventStart/End) and
 * hands descriptors' work in from reader threads (ScheduleWithContext,
 * a mutex and a condition variable, two thread switches).  Where a clock
 * read is a system call (a Xen PV dom0 without a vDSO clock) and system
 * calls and switches are dear (QEMU's TCG), that is most of the cost of
 * a frame.  This implementation keeps the semantics of RealtimeSimulatorImpl
 * (simulation time paced by real time, best effort or a hard limit, Run()
 * returns only on Stop()) with another loop, in one thread:
 *
 *   - CLOCK_MONOTONIC is read when the next event is not yet known to be
 *     due: every event due by the last reading runs without a new one;
 *   - it sleeps in epoll_pwait2() (nanosecond timeout; epoll_wait() with
 *     the timeout rounded up to a millisecond where the kernel lacks it)
 *     until the next event or a watched descriptor is readable; a timeout
 *     needs no clock read after it (the deadline has passed);
 *   - AddFdWatch() lets a component have a callback run in the simulator's
 *     thread, as an event at the real time it was seen readable, instead
 *     of a thread of its own;
 *   - ScheduleWithContext() from another thread queues the event under a
 *     mutex and wakes the loop through an eventfd.
 *
 * Simulation time t is CLOCK_MONOTONIC GetClockBase() + t (ns): the base
 * is taken when Run() starts, so that real time continues from Now().
 * Like DefaultSimulatorImpl, only ScheduleWithContext() (and Stop(),
 * RealtimeNow()) may be called from other threads.
 */
#ifndef VPRIME_REALTIME_SIMULATOR_IMPL_H
#define VPRIME_REALTIME_SIMULATOR_IMPL_H

#include "ns3/callback.h"
#include "ns3/event-impl.h"
#include "ns3/nstime.h"
#include "ns3/ptr.h"
#include "ns3/scheduler.h"
#include "ns3/simulator-impl.h"

#include <atomic>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace ns3
{

class VprimeRealtimeSimulatorImpl : public SimulatorImpl
{
  public:
    /* What a late event does: as RealtimeSimulatorImpl's modes. */
    enum SynchronizationMode
    {
        SYNC_BEST_EFFORT, // run it anyway, count it
        SYNC_HARD_LIMIT,  // abort when later than HardLimit
    };

    static TypeId GetTypeId();

    VprimeRealtimeSimulatorImpl();
    ~VprimeRealtimeSimulatorImpl() override;

    // Inherited from SimulatorImpl
    void Destroy() override;
    bool IsFinished() const override;
    void Stop() override;
    void Stop(const Time& delay) override;
    EventId Schedule(const Time& delay, EventImpl* event) override;
    void ScheduleWithContext(uint32_t context, const Time& delay, EventImpl* event) override;
    EventId ScheduleNow(EventImpl* event) override;
    EventId ScheduleDestroy(EventImpl* event) override;
    void Remove(const EventId& id) override;
    void Cancel(const EventId& id) override;
    bool IsExpired(const EventId& id) const override;
    void Run() override;
    Time Now() const override;
    Time GetDelayLeft(const EventId& id) const override;
    Time GetMaximumSimulationTime() const override;
    void SetScheduler(ObjectFactory schedulerFactory) override;
    uint32_t GetSystemId() const override;
    uint32_t GetContext() const override;
    uint64_t GetEventCount() const override;

    /* Real time on the simulation's scale (a clock read): from any thread. */
    Time RealtimeNow() const;
    /* CLOCK_MONOTONIC ns at simulation time 0; valid once Run() started. */
    int64_t GetClockBase() const;
    bool HasClockBase() const;
    /* How late the running event started by the last clock reading (a
     * lower bound: the events run since that reading are not in it). */
    Time GetEventLateness() const;

    /*
     * Have @cb run in the simulator's thread, as an event at the real time
     * @fd was seen readable (level-triggered: while it stays readable, once
     * per wait after the callback ran).  The argument is the epoll events
     * (EPOLLIN, EPOLLERR, EPOLLHUP); a descriptor reporting an error or a
     * hang-up is unwatched before its callback runs.  One watch per
     * descriptor; from the simulator's thread (or before Run()).  false,
     * errno set, when epoll refuses the descriptor.
     */
    bool AddFdWatch(int fd, Callback<void, uint32_t> cb);
    void RemoveFdWatch(int fd);

    void SetSynchronizationMode(SynchronizationMode mode);
    SynchronizationMode GetSynchronizationMode() const;
    void SetHardLimit(Time limit);
    Time GetHardLimit() const;

    /* Counters, read in the simulator's thread. */
    uint64_t GetClockReads() const;   // CLOCK_MONOTONIC reads by the loop
    uint64_t GetWaits() const;        // epoll waits that slept (timeout > 0)
    uint64_t GetPolls() const;        // epoll calls in all
    uint64_t GetFdWakeups() const;    // watched descriptors seen readable
    uint64_t GetLateEvents() const;   // events started later than LateThreshold
    Time GetMaxLateness() const;      // the latest an event started

  private:
    struct Pending
    {
        uint32_t context;
        uint64_t delay;    // time steps
        int64_t realtime;  // the caller's RealtimeNow() in time steps; < 0: none
        EventImpl* event;
    };

    struct Watch
    {
        Callback<void, uint32_t> cb;
        uint64_t generation;
        uint32_t events; // seen, not yet delivered
        bool pending;    // an event to deliver them is scheduled
    };

    void DoDispose() override;
    int64_t ReadClock();
    void Insert(uint64_t ts, uint32_t context, EventImpl* event);
    void TakePending();
    void Wait(int64_t timeoutNs);
    void Poll(int64_t timeoutNs);
    void FdReady(int fd, uint32_t events);
    void RunWatch(int fd, uint64_t generation);
    void ProcessOneEvent();
    void Wake();

    typedef std::list<EventId> DestroyEvents;
    DestroyEvents m_destroyEvents;
    Ptr<Scheduler> m_events;
    std::atomic<bool> m_stop;
    std::atomic<bool> m_running;
    int m_unscheduledEvents;
    uint32_t m_uid;
    uint32_t m_currentUid;
    uint64_t m_currentTs;
    uint32_t m_currentContext;
    uint64_t m_eventCount;
    std::thread::id m_main;

    // Real time, in ns on the simulation's scale: the last reading.
    std::atomic<int64_t> m_base; // CLOCK_MONOTONIC ns at simulation time 0
    std::atomic<bool> m_hasBase;
    int64_t m_now;
    int64_t m_lateness; // of the running event, by m_now

    // From other threads.
    std::mutex m_mutex;
    std::vector<Pending> m_pending;
    std::atomic<bool> m_pendingNonEmpty;
    int m_wakeFd;
    int m_epollFd;
    bool m_pwait2; // epoll_pwait2 works here

    std::map<int, Watch> m_watches;
    uint64_t m_generation;

    SynchronizationMode m_synchronizationMode;
    Time m_hardLimit;
    Time m_lateThreshold;

    uint64_t m_clockReads;
    uint64_t m_waits;
    uint64_t m_polls;
    uint64_t m_fdWakeups;
    uint64_t m_lateEvents;
    int64_t m_maxLateness; // ns
};

} // namespace ns3

#endif /* VPRIME_REALTIME_SIMULATOR_IMPL_H */
