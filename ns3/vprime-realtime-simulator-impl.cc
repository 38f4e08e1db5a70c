// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-realtime-simulator-impl.cc - see vprime-realtime-simulator-impl.h.
 *
 * Event bookkeeping (uids, destroy events, Remove/Cancel/IsExpired) is
 * DefaultSimulatorImpl's and RealtimeSimulatorImpl's of ns-3 3.37, so that
 * EventIds mean the same under all three.
 */
#include "vprime-realtime-simulator-impl.h"

#include "ns3/assert.h"
#include "ns3/enum.h"
#include "ns3/event-id.h"
#include "ns3/log.h"
#include "ns3/make-event.h"
#include "ns3/simulator.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VprimeRealtimeSimulatorImpl");
NS_OBJECT_ENSURE_REGISTERED(VprimeRealtimeSimulatorImpl);

namespace
{

int64_t
TsToNs(uint64_t ts)
{
    return TimeStep(ts).GetNanoSeconds();
}

uint64_t
NsToTs(int64_t ns)
{
    return static_cast<uint64_t>(NanoSeconds(ns).GetTimeStep());
}

} // namespace

TypeId
VprimeRealtimeSimulatorImpl::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::VprimeRealtimeSimulatorImpl")
            .SetParent<SimulatorImpl>()
            .SetGroupName("Vprime")
            .AddConstructor<VprimeRealtimeSimulatorImpl>()
            .AddAttribute("SynchronizationMode",
                          "What to do when an event starts late: run it anyway "
                          "(BestEffort) or abort past HardLimit (HardLimit)",
                          EnumValue(SYNC_BEST_EFFORT),
                          MakeEnumAccessor(&VprimeRealtimeSimulatorImpl::m_synchronizationMode),
                          MakeEnumChecker(SYNC_BEST_EFFORT,
                                          "BestEffort",
                                          SYNC_HARD_LIMIT,
                                          "HardLimit"))
            .AddAttribute("HardLimit",
                          "The most an event may start late in HardLimit mode",
                          TimeValue(Seconds(0.1)),
                          MakeTimeAccessor(&VprimeRealtimeSimulatorImpl::m_hardLimit),
                          MakeTimeChecker())
            .AddAttribute("LateThreshold",
                          "An event starting later than this after it was due counts as late",
                          TimeValue(MicroSeconds(100)),
                          MakeTimeAccessor(&VprimeRealtimeSimulatorImpl::m_lateThreshold),
                          MakeTimeChecker(Seconds(0)));
    return tid;
}

VprimeRealtimeSimulatorImpl::VprimeRealtimeSimulatorImpl()
    : m_stop(false),
      m_running(false),
      m_unscheduledEvents(0),
      m_uid(EventId::UID::VALID),
      m_currentUid(EventId::UID::INVALID),
      m_currentTs(0),
      m_currentContext(Simulator::NO_CONTEXT),
      m_eventCount(0),
      m_main(std::this_thread::get_id()),
      m_base(0),
      m_hasBase(false),
      m_now(0),
      m_lateness(0),
      m_pendingNonEmpty(false),
      m_wakeFd(-1),
      m_epollFd(-1),
      m_pwait2(true),
      m_generation(0),
      m_synchronizationMode(SYNC_BEST_EFFORT),
      m_clockReads(0),
      m_waits(0),
      m_polls(0),
      m_fdWakeups(0),
      m_lateEvents(0),
      m_maxLateness(0)
{
    NS_LOG_FUNCTION(this);
    struct epoll_event ev;

    m_wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    NS_ABORT_MSG_IF(m_wakeFd < 0,
                    "VprimeRealtimeSimulatorImpl: eventfd: " << std::strerror(errno));
    m_epollFd = epoll_create1(EPOLL_CLOEXEC);
    NS_ABORT_MSG_IF(m_epollFd < 0,
                    "VprimeRealtimeSimulatorImpl: epoll_create1: " << std::strerror(errno));
    std::memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.fd = m_wakeFd;
    NS_ABORT_MSG_IF(epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_wakeFd, &ev) < 0,
                    "VprimeRealtimeSimulatorImpl: epoll_ctl: " << std::strerror(errno));
}

VprimeRealtimeSimulatorImpl::~VprimeRealtimeSimulatorImpl()
{
    NS_LOG_FUNCTION(this);
    if (m_epollFd >= 0)
    {
        close(m_epollFd);
    }
    if (m_wakeFd >= 0)
    {
        close(m_wakeFd);
    }
}

void
VprimeRealtimeSimulatorImpl::DoDispose()
{
    NS_LOG_FUNCTION(this);
    if (m_events)
    {
        TakePending();
        while (!m_events->IsEmpty())
        {
            Scheduler::Event next = m_events->RemoveNext();
            next.impl->Unref();
        }
        m_events = nullptr;
    }
    else
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (auto& p : m_pending)
        {
            p.event->Unref();
        }
        m_pending.clear();
    }
    m_watches.clear();
    SimulatorImpl::DoDispose();
}

void
VprimeRealtimeSimulatorImpl::Destroy()
{
    NS_LOG_FUNCTION(this);
    while (!m_destroyEvents.empty())
    {
        Ptr<EventImpl> ev = m_destroyEvents.front().PeekEventImpl();
        m_destroyEvents.pop_front();
        NS_LOG_LOGIC("handle destroy " << ev);
        if (!ev->IsCancelled())
        {
            ev->Invoke();
        }
    }
}

void
VprimeRealtimeSimulatorImpl::SetScheduler(ObjectFactory schedulerFactory)
{
    NS_LOG_FUNCTION(this << schedulerFactory);
    Ptr<Scheduler> scheduler = schedulerFactory.Create<Scheduler>();

    if (m_events)
    {
        while (!m_events->IsEmpty())
        {
            Scheduler::Event next = m_events->RemoveNext();
            scheduler->Insert(next);
        }
    }
    m_events = scheduler;
}

/* ---- the clock ------------------------------------------------------------ */

int64_t
VprimeRealtimeSimulatorImpl::ReadClock()
{
    struct timespec ts;

    m_clockReads++;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Time
VprimeRealtimeSimulatorImpl::RealtimeNow() const
{
    struct timespec ts;

    if (!m_hasBase)
    {
        return TimeStep(m_currentTs);
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return NanoSeconds(static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec - m_base);
}

int64_t
VprimeRealtimeSimulatorImpl::GetClockBase() const
{
    return m_base;
}

bool
VprimeRealtimeSimulatorImpl::HasClockBase() const
{
    return m_hasBase;
}

Time
VprimeRealtimeSimulatorImpl::GetEventLateness() const
{
    return NanoSeconds(m_lateness);
}

/* ---- scheduling ------------------------------------------------------------ */

void
VprimeRealtimeSimulatorImpl::Insert(uint64_t ts, uint32_t context, EventImpl* event)
{
    Scheduler::Event ev;

    ev.impl = event;
    ev.key.m_ts = ts;
    ev.key.m_context = context;
    ev.key.m_uid = m_uid;
    m_uid++;
    m_unscheduledEvents++;
    m_events->Insert(ev);
}

EventId
VprimeRealtimeSimulatorImpl::Schedule(const Time& delay, EventImpl* event)
{
    NS_ASSERT_MSG(delay.IsPositive(), "VprimeRealtimeSimulatorImpl::Schedule(): negative delay");
    uint64_t ts = m_currentTs + static_cast<uint64_t>(delay.GetTimeStep());
    uint32_t uid = m_uid;

    Insert(ts, GetContext(), event);
    return EventId(event, ts, GetContext(), uid);
}

/*
 * From the simulator's thread, as Schedule().  From another thread (a
 * device's reader), relative to real time now, as RealtimeSimulatorImpl
 * does: queued under the mutex and the loop woken, once per empty queue.
 */
void
VprimeRealtimeSimulatorImpl::ScheduleWithContext(uint32_t context,
                                                 const Time& delay,
                                                 EventImpl* event)
{
    NS_ASSERT_MSG(delay.IsPositive(),
                  "VprimeRealtimeSimulatorImpl::ScheduleWithContext(): negative delay");
    Pending p;
    bool wake;

    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_main == std::this_thread::get_id())
        {
            Insert(m_currentTs + static_cast<uint64_t>(delay.GetTimeStep()), context, event);
            return;
        }
    }
    p.context = context;
    p.delay = static_cast<uint64_t>(delay.GetTimeStep());
    p.realtime = m_running ? RealtimeNow().GetTimeStep() : -1;
    p.event = event;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        wake = m_pending.empty();
        m_pending.push_back(p);
        m_pendingNonEmpty = true;
    }
    if (wake)
    {
        Wake();
    }
}

void
VprimeRealtimeSimulatorImpl::Wake()
{
    uint64_t one = 1;

    if (write(m_wakeFd, &one, sizeof(one)) != sizeof(one) && errno != EAGAIN)
    {
        NS_LOG_WARN("eventfd write: " << std::strerror(errno));
    }
}

void
VprimeRealtimeSimulatorImpl::TakePending()
{
    std::vector<Pending> taken;

    {
        std::lock_guard<std::mutex> lock(m_mutex);
        taken.swap(m_pending);
        m_pendingNonEmpty = false;
    }
    for (const auto& p : taken)
    {
        uint64_t ts = m_currentTs;
        if (p.realtime > 0 && static_cast<uint64_t>(p.realtime) > ts)
        {
            ts = static_cast<uint64_t>(p.realtime);
        }
        Insert(ts + p.delay, p.context, p.event);
    }
}

EventId
VprimeRealtimeSimulatorImpl::ScheduleNow(EventImpl* event)
{
    return Schedule(Time(0), event);
}

EventId
VprimeRealtimeSimulatorImpl::ScheduleDestroy(EventImpl* event)
{
    NS_LOG_FUNCTION(this << event);
    EventId id(Ptr<EventImpl>(event, false), m_currentTs, 0xffffffff, EventId::UID::DESTROY);

    m_destroyEvents.push_back(id);
    m_uid++;
    return id;
}

void
VprimeRealtimeSimulatorImpl::Remove(const EventId& id)
{
    if (id.GetUid() == EventId::UID::DESTROY)
    {
        for (auto i = m_destroyEvents.begin(); i != m_destroyEvents.end(); i++)
        {
            if (*i == id)
            {
                m_destroyEvents.erase(i);
                break;
            }
        }
        return;
    }
    if (IsExpired(id))
    {
        return;
    }
    Scheduler::Event event;
    event.impl = id.PeekEventImpl();
    event.key.m_ts = id.GetTs();
    event.key.m_context = id.GetContext();
    event.key.m_uid = id.GetUid();
    m_events->Remove(event);
    event.impl->Cancel();
    // the event was in the list: its reference is ours to drop
    event.impl->Unref();
    m_unscheduledEvents--;
}

void
VprimeRealtimeSimulatorImpl::Cancel(const EventId& id)
{
    if (!IsExpired(id))
    {
        id.PeekEventImpl()->Cancel();
    }
}

bool
VprimeRealtimeSimulatorImpl::IsExpired(const EventId& id) const
{
    if (id.GetUid() == EventId::UID::DESTROY)
    {
        if (id.PeekEventImpl() == nullptr || id.PeekEventImpl()->IsCancelled())
        {
            return true;
        }
        for (auto i = m_destroyEvents.begin(); i != m_destroyEvents.end(); i++)
        {
            if (*i == id)
            {
                return false;
            }
        }
        return true;
    }
    return id.PeekEventImpl() == nullptr || id.GetTs() < m_currentTs ||
           (id.GetTs() == m_currentTs && id.GetUid() <= m_currentUid) ||
           id.PeekEventImpl()->IsCancelled();
}

Time
VprimeRealtimeSimulatorImpl::GetDelayLeft(const EventId& id) const
{
    if (IsExpired(id))
    {
        return TimeStep(0);
    }
    return TimeStep(id.GetTs() - m_currentTs);
}

/* ---- the loop ------------------------------------------------------------------ */

/*
 * One epoll call: sleep up to @timeoutNs (< 0: until something happens).
 * A timeout needs no clock read (the deadline has passed: real time is at
 * least that); a descriptor or a wake-up does, to date what it brings.
 */
void
VprimeRealtimeSimulatorImpl::Poll(int64_t timeoutNs)
{
    struct epoll_event ev[16];
    int r = -1;

    m_polls++;
    if (timeoutNs > 0)
    {
        m_waits++;
    }
    if (m_pwait2)
    {
        struct timespec ts;
        struct timespec* tp = nullptr;
        if (timeoutNs >= 0)
        {
            ts.tv_sec = timeoutNs / 1000000000;
            ts.tv_nsec = timeoutNs % 1000000000;
            tp = &ts;
        }
        r = epoll_pwait2(m_epollFd, ev, 16, tp, nullptr);
        if (r < 0 && errno == ENOSYS)
        {
            m_pwait2 = false; // a kernel before 5.11
        }
    }
    if (!m_pwait2)
    {
        // Milliseconds, rounded up: never early, up to 1 ms late.
        int ms = -1;
        if (timeoutNs >= 0)
        {
            int64_t m = (timeoutNs + 999999) / 1000000;
            ms = m > INT_MAX ? INT_MAX : static_cast<int>(m);
        }
        r = epoll_wait(m_epollFd, ev, 16, ms);
    }
    if (r == 0)
    {
        m_now += timeoutNs > 0 ? timeoutNs : 0;
        return;
    }
    m_now = ReadClock() - m_base;
    for (int i = 0; i < r; i++)
    {
        if (ev[i].data.fd == m_wakeFd)
        {
            uint64_t n;
            if (read(m_wakeFd, &n, sizeof(n)) < 0 && errno != EAGAIN)
            {
                NS_LOG_WARN("eventfd read: " << std::strerror(errno));
            }
            continue;
        }
        FdReady(ev[i].data.fd, ev[i].events);
    }
}

void
VprimeRealtimeSimulatorImpl::FdReady(int fd, uint32_t events)
{
    auto it = m_watches.find(fd);

    if (it == m_watches.end())
    {
        return;
    }
    m_fdWakeups++;
    it->second.events |= events;
    if (it->second.pending)
    {
        return;
    }
    it->second.pending = true;
    uint64_t ts = NsToTs(m_now);
    Insert(ts > m_currentTs ? ts : m_currentTs,
           Simulator::NO_CONTEXT,
           MakeEvent(&VprimeRealtimeSimulatorImpl::RunWatch, this, fd, it->second.generation));
}

void
VprimeRealtimeSimulatorImpl::RunWatch(int fd, uint64_t generation)
{
    auto it = m_watches.find(fd);

    if (it == m_watches.end() || it->second.generation != generation)
    {
        return; // removed (and perhaps added again) since it was seen
    }
    uint32_t events = it->second.events;
    Callback<void, uint32_t> cb = it->second.cb;
    it->second.events = 0;
    it->second.pending = false;
    if (events & (EPOLLERR | EPOLLHUP))
    {
        RemoveFdWatch(fd); // it stays so: it would wake every wait
    }
    cb(events);
}

bool
VprimeRealtimeSimulatorImpl::AddFdWatch(int fd, Callback<void, uint32_t> cb)
{
    NS_LOG_FUNCTION(this << fd);
    struct epoll_event ev;

    if (fd < 0 || cb.IsNull() || m_watches.count(fd) || fd == m_wakeFd)
    {
        errno = fd < 0 ? EBADF : EINVAL;
        return false;
    }
    std::memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev) < 0)
    {
        return false;
    }
    Watch w;
    w.cb = cb;
    w.generation = ++m_generation;
    w.events = 0;
    w.pending = false;
    m_watches[fd] = w;
    return true;
}

void
VprimeRealtimeSimulatorImpl::RemoveFdWatch(int fd)
{
    NS_LOG_FUNCTION(this << fd);
    auto it = m_watches.find(fd);

    if (it == m_watches.end())
    {
        return;
    }
    epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr); // fails only if closed: gone anyway
    m_watches.erase(it);
}

void
VprimeRealtimeSimulatorImpl::ProcessOneEvent()
{
    Scheduler::Event next = m_events->RemoveNext();
    NS_ASSERT(next.key.m_ts >= m_currentTs);
    int64_t due = TsToNs(next.key.m_ts);

    if (m_synchronizationMode == SYNC_HARD_LIMIT)
    {
        // The limit needs today's lateness, not a lower bound.
        m_now = ReadClock() - m_base;
    }
    m_lateness = m_now > due ? m_now - due : 0;
    if (m_synchronizationMode == SYNC_HARD_LIMIT && m_lateness > m_hardLimit.GetNanoSeconds())
    {
        NS_FATAL_ERROR("VprimeRealtimeSimulatorImpl::ProcessOneEvent(): hard real-time limit "
                       "exceeded (jitter = "
                       << m_lateness << " ns)");
    }
    if (m_lateness > m_lateThreshold.GetNanoSeconds())
    {
        m_lateEvents++;
    }
    if (m_lateness > m_maxLateness)
    {
        m_maxLateness = m_lateness;
    }
    PreEventHook(EventId(next.impl, next.key.m_ts, next.key.m_context, next.key.m_uid));
    m_unscheduledEvents--;
    m_eventCount++;
    m_currentTs = next.key.m_ts;
    m_currentContext = next.key.m_context;
    m_currentUid = next.key.m_uid;
    next.impl->Invoke();
    next.impl->Unref();
}

/*
 * Run every event due by the last clock reading; when the next is later,
 * read the clock once and sleep until it (or until a descriptor or
 * another thread brings work).  Behind real time, the descriptors are
 * still looked at (without sleeping) at every reading, so a busy
 * simulation does not starve them.  As RealtimeSimulatorImpl, Run()
 * returns only on Stop(): real time goes on with an empty event list.
 */
void
VprimeRealtimeSimulatorImpl::Run()
{
    NS_LOG_FUNCTION(this);
    NS_ASSERT_MSG(!m_running, "VprimeRealtimeSimulatorImpl::Run(): already running");
    NS_ABORT_MSG_IF(!m_events, "VprimeRealtimeSimulatorImpl::Run(): no scheduler");

    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_main = std::this_thread::get_id();
    }
    m_stop = false;
    m_now = TsToNs(m_currentTs);
    m_base = ReadClock() - m_now;
    m_hasBase = true;
    m_running = true;
    while (!m_stop)
    {
        if (m_pendingNonEmpty.load(std::memory_order_acquire))
        {
            TakePending();
        }
        if (m_events->IsEmpty())
        {
            Poll(-1);
            continue;
        }
        int64_t next = TsToNs(m_events->PeekNext().key.m_ts);
        if (next > m_now)
        {
            m_now = ReadClock() - m_base;
            Poll(next > m_now ? next - m_now : 0);
            continue;
        }
        ProcessOneEvent();
    }
    NS_ASSERT_MSG(!m_events->IsEmpty() || m_unscheduledEvents == 0,
                  "VprimeRealtimeSimulatorImpl::Run(): empty queue and unprocessed events");
    m_running = false;
}

void
VprimeRealtimeSimulatorImpl::Stop()
{
    NS_LOG_FUNCTION(this);
    bool other;

    m_stop = true;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        other = m_main != std::this_thread::get_id();
    }
    if (other)
    {
        Wake();
    }
}

void
VprimeRealtimeSimulatorImpl::Stop(const Time& delay)
{
    NS_LOG_FUNCTION(this << delay.GetTimeStep());
    Simulator::Schedule(delay, &Simulator::Stop);
}

bool
VprimeRealtimeSimulatorImpl::IsFinished() const
{
    return m_stop || m_events->IsEmpty();
}

Time
VprimeRealtimeSimulatorImpl::Now() const
{
    return TimeStep(m_currentTs);
}

Time
VprimeRealtimeSimulatorImpl::GetMaximumSimulationTime() const
{
    return TimeStep(0x7fffffffffffffffLL);
}

uint32_t
VprimeRealtimeSimulatorImpl::GetSystemId() const
{
    return 0;
}

uint32_t
VprimeRealtimeSimulatorImpl::GetContext() const
{
    return m_currentContext;
}

uint64_t
VprimeRealtimeSimulatorImpl::GetEventCount() const
{
    return m_eventCount;
}

/* ---- settings and counters ------------------------------------------------------ */

void
VprimeRealtimeSimulatorImpl::SetSynchronizationMode(SynchronizationMode mode)
{
    m_synchronizationMode = mode;
}

VprimeRealtimeSimulatorImpl::SynchronizationMode
VprimeRealtimeSimulatorImpl::GetSynchronizationMode() const
{
    return m_synchronizationMode;
}

void
VprimeRealtimeSimulatorImpl::SetHardLimit(Time limit)
{
    m_hardLimit = limit;
}

Time
VprimeRealtimeSimulatorImpl::GetHardLimit() const
{
    return m_hardLimit;
}

uint64_t
VprimeRealtimeSimulatorImpl::GetClockReads() const
{
    return m_clockReads;
}

uint64_t
VprimeRealtimeSimulatorImpl::GetWaits() const
{
    return m_waits;
}

uint64_t
VprimeRealtimeSimulatorImpl::GetPolls() const
{
    return m_polls;
}

uint64_t
VprimeRealtimeSimulatorImpl::GetFdWakeups() const
{
    return m_fdWakeups;
}

uint64_t
VprimeRealtimeSimulatorImpl::GetLateEvents() const
{
    return m_lateEvents;
}

Time
VprimeRealtimeSimulatorImpl::GetMaxLateness() const
{
    return NanoSeconds(m_maxLateness);
}

} // namespace ns3
