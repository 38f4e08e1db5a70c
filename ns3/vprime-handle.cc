// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-handle.cc - see vprime-handle.h.
 */
#include "vprime-handle.h"

#include "vprime-net-device.h"

#include "ns3/enum.h"
#include "ns3/log.h"
#include "ns3/realtime-simulator-impl.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <sstream>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vprime.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VprimeHandle");
NS_OBJECT_ENSURE_REGISTERED(VprimeHandle);

namespace
{

uint64_t
MonotonicNs(void*)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

#define VPRIME_NS3_HS_NAME(n, d) #n,
const char* const g_statNames[] = {VPRIME_NS3_HANDLE_STATS(VPRIME_NS3_HS_NAME)};
#undef VPRIME_NS3_HS_NAME

} // namespace

/* ---- guest specs ------------------------------------------------------ */

VprimeGuestSpec
VprimeGuestSpec::Mac(Mac48Address m)
{
    VprimeGuestSpec s;
    s.kind = BY_MAC;
    s.mac = m;
    return s;
}

VprimeGuestSpec
VprimeGuestSpec::Name(const std::string& n)
{
    VprimeGuestSpec s;
    s.kind = BY_NAME;
    s.name = n;
    return s;
}

VprimeGuestSpec
VprimeGuestSpec::Domid(uint32_t domid, uint32_t devid)
{
    VprimeGuestSpec s;
    s.kind = BY_DOMID;
    s.domid = domid;
    s.devid = devid;
    return s;
}

std::string
VprimeGuestSpec::ToString() const
{
    std::ostringstream o;

    switch (kind)
    {
    case BY_MAC:
        o << "mac " << mac;
        break;
    case BY_NAME:
        o << "device " << name;
        break;
    case BY_DOMID:
        o << "domid " << domid << " devid " << devid;
        break;
    }
    return o.str();
}

/* ---- the handle --------------------------------------------------------- */

TypeId
VprimeHandle::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::VprimeHandle")
            .SetParent<Object>()
            .SetGroupName("Vprime")
            .AddConstructor<VprimeHandle>()
            .AddAttribute("Mode",
                          "Who runs the batch: a reader thread on the descriptor, a "
                          "polling event, or the program itself",
                          EnumValue(MODE_THREAD),
                          MakeEnumAccessor(&VprimeHandle::m_mode),
                          MakeEnumChecker(MODE_THREAD,
                                          "Thread",
                                          MODE_POLL,
                                          "Poll",
                                          MODE_MANUAL,
                                          "Manual"))
            .AddAttribute("PollInterval",
                          "Period of the polling event (Mode Poll)",
                          TimeValue(MicroSeconds(100)),
                          MakeTimeAccessor(&VprimeHandle::m_pollInterval),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("RescanInterval",
                          "How often unbound guest devices are looked for (0: never)",
                          TimeValue(Seconds(1)),
                          MakeTimeAccessor(&VprimeHandle::m_rescanInterval),
                          MakeTimeChecker(Seconds(0)))
            .AddAttribute("LateThreshold",
                          "A guest frame handed to ns-3 later than this after its dom0 "
                          "stamp counts as late",
                          TimeValue(MicroSeconds(100)),
                          MakeTimeAccessor(&VprimeHandle::m_lateThreshold),
                          MakeTimeChecker(Seconds(0)))
            .AddAttribute("BatchSize",
                          "Frames taken per rx_peek",
                          UintegerValue(64),
                          MakeUintegerAccessor(&VprimeHandle::m_batch),
                          MakeUintegerChecker<uint32_t>(1, 1024));
    return tid;
}

VprimeHandle::VprimeHandle()
    : m_vp(nullptr),
      m_clock(MonotonicNs),
      m_clockArg(nullptr),
      m_origin(0),
      m_calibrated(false),
      m_originWindow(0),
      m_backendLost(false),
      m_started(false),
      m_mode(MODE_THREAD),
      m_batch(64),
      m_buf(VPRIME_FRAME_MAX),
      m_watchFd(-1),
      m_stopFd(-1),
      m_epollFd(-1),
      m_threadStop(false),
      m_wakeups(0)
{
    std::memset(m_stats, 0, sizeof(m_stats));
}

VprimeHandle::~VprimeHandle()
{
    Close();
}

void
VprimeHandle::DoDispose()
{
    Close();
    Object::DoDispose();
}

int
VprimeHandle::Open(const std::string& path, uint32_t nrBufs, uint32_t maxPorts)
{
    struct vprime_opts o;

    NS_ABORT_MSG_IF(m_vp, "VprimeHandle: already open");
    std::memset(&o, 0, sizeof(o));
    o.nr_bufs = nrBufs;
    o.max_ports = maxPorts;
    return vprime_open(&m_vp, path.empty() ? nullptr : path.c_str(), &o);
}

void
VprimeHandle::Adopt(struct vprime* vp, Clock clock, void* clockArg)
{
    NS_ABORT_MSG_IF(m_vp, "VprimeHandle: already open");
    m_vp = vp;
    m_clock = clock ? clock : MonotonicNs;
    m_clockArg = clockArg;
}

struct vprime*
VprimeHandle::GetRaw() const
{
    return m_vp;
}

void
VprimeHandle::Register(Ptr<VprimeNetDevice> dev)
{
    m_devs.push_back(dev);
    if (m_started && m_vp)
    {
        int port = Attach(dev->GetGuest());
        if (port >= 0)
        {
            m_byPort[port] = PeekPointer(dev);
            dev->Bind(port);
        }
    }
}

void
VprimeHandle::Unregister(VprimeNetDevice* dev)
{
    int32_t port = dev->GetPort();

    if (port >= 0 && static_cast<size_t>(port) < m_byPort.size())
    {
        m_byPort[port] = nullptr;
        if (m_vp)
        {
            vprime_detach(m_vp, static_cast<uint32_t>(port));
        }
    }
    for (auto it = m_devs.begin(); it != m_devs.end(); ++it)
    {
        if (PeekPointer(*it) == dev)
        {
            m_devs.erase(it);
            break;
        }
    }
}

int
VprimeHandle::Attach(const VprimeGuestSpec& spec)
{
    uint8_t mac[6];
    int r = -EINVAL;

    switch (spec.kind)
    {
    case VprimeGuestSpec::BY_MAC:
        spec.mac.CopyTo(mac);
        r = vprime_attach_mac(m_vp, mac);
        break;
    case VprimeGuestSpec::BY_NAME:
        r = vprime_attach_name(m_vp, spec.name.c_str());
        break;
    case VprimeGuestSpec::BY_DOMID:
        r = vprime_attach_id(m_vp, spec.domid, spec.devid);
        break;
    }
    if (r >= 0)
    {
        m_stats[STAT_attaches]++;
        NS_LOG_INFO("attached " << spec.ToString() << " to port " << r);
    }
    else if (r != -ENODEV)
    {
        m_stats[STAT_attach_errors]++;
        NS_LOG_WARN("attach " << spec.ToString() << ": " << std::strerror(-r));
    }
    return r;
}

void
VprimeHandle::Start()
{
    struct vprime_opts o;

    NS_ABORT_MSG_IF(!m_vp, "VprimeHandle::Start: not open");
    if (m_started)
    {
        return;
    }
    m_started = true;
    vprime_get_opts(m_vp, &o);
    m_byPort.assign(o.max_ports, nullptr);
    m_frames.resize(m_batch);
    ProbeCosts();
    // Until the simulation runs, its time 0 is not yet a moment of dom0's
    // clock: the real-time simulator takes its origin when Run() starts.
    // A first guess now, the real origin at the first event.
    m_origin = static_cast<int64_t>(m_clock(m_clockArg)) - Simulator::Now().GetNanoSeconds();
    m_calibrated = false;
    // The simulator's implementation is fixed from its first use until
    // Simulator::Destroy(), whose destroy event (Close) lets go of it: one
    // cast here, not one per batch.
    m_vrt = DynamicCast<VprimeRealtimeSimulatorImpl>(Simulator::GetImplementation());
    m_rt = DynamicCast<RealtimeSimulatorImpl>(Simulator::GetImplementation());
    m_calibrateEvent = Simulator::ScheduleNow(&VprimeHandle::Calibrate, this);
    Rescan();
    Simulator::ScheduleDestroy(&VprimeHandle::Close, Ptr<VprimeHandle>(this));
    if (m_rescanInterval.IsStrictlyPositive())
    {
        m_rescanEvent = Simulator::Schedule(m_rescanInterval, &VprimeHandle::RescanEvent, this);
    }
    if (m_mode == MODE_POLL)
    {
        m_pollEvent = Simulator::Schedule(m_pollInterval, &VprimeHandle::PollEvent, this);
    }
    else if (m_mode == MODE_THREAD && m_vrt)
    {
        // The simulator's loop waits on the descriptor itself.
        NS_ABORT_MSG_IF(vprime_fd(m_vp) < 0,
                        "VprimeHandle: Mode Thread needs a backend with a descriptor");
        NS_ABORT_MSG_IF(!m_vrt->AddFdWatch(vprime_fd(m_vp),
                                           MakeCallback(&VprimeHandle::WatchService, this)),
                        "VprimeHandle: AddFdWatch: " << std::strerror(errno));
        m_watchFd = vprime_fd(m_vp);
    }
    else if (m_mode == MODE_THREAD)
    {
        NS_ABORT_MSG_IF(vprime_fd(m_vp) < 0,
                        "VprimeHandle: Mode Thread needs a backend with a descriptor");
        m_stopFd = eventfd(0, EFD_CLOEXEC);
        NS_ABORT_MSG_IF(m_stopFd < 0, "VprimeHandle: eventfd: " << std::strerror(errno));
        m_epollFd = epoll_create1(EPOLL_CLOEXEC);
        NS_ABORT_MSG_IF(m_epollFd < 0, "VprimeHandle: epoll_create1: " << std::strerror(errno));
        struct epoll_event ev;
        std::memset(&ev, 0, sizeof(ev));
        ev.events = EPOLLIN;
        ev.data.u32 = 1;
        NS_ABORT_MSG_IF(epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_stopFd, &ev) < 0,
                        "VprimeHandle: epoll_ctl: " << std::strerror(errno));
        ev.events = EPOLLIN | EPOLLONESHOT;
        ev.data.u32 = 0;
        NS_ABORT_MSG_IF(epoll_ctl(m_epollFd, EPOLL_CTL_ADD, vprime_fd(m_vp), &ev) < 0,
                        "VprimeHandle: epoll_ctl: " << std::strerror(errno));
        m_threadStop = false;
        m_thread = std::thread(&VprimeHandle::ThreadMain, this);
    }
}

/*
 * What a clock read and a system call cost here, once.  ns-3's real-time
 * simulator reads CLOCK_REALTIME about six times per event (its loop,
 * its synchronizer, EventStart/End): through the vDSO that is nothing,
 * but where the clock has no vDSO (a Xen PV dom0 whose TSC Xen does not
 * call stable) each is a system call, and under QEMU's TCG a dear one.
 * 200 of each: well under a millisecond on a host.
 */
void
VprimeHandle::ProbeCosts()
{
    const int n = 200;
    struct timespec ts;
    uint64_t t0, t1, t2;

    t0 = MonotonicNs(nullptr);
    for (int i = 0; i < n; i++)
    {
        clock_gettime(CLOCK_REALTIME, &ts);
    }
    t1 = MonotonicNs(nullptr);
    for (int i = 0; i < n; i++)
    {
        (void)syscall(SYS_getppid);
    }
    t2 = MonotonicNs(nullptr);
    m_stats[STAT_clock_read_ns] = (t1 - t0) / n;
    m_stats[STAT_syscall_ns] = (t2 - t1) / n;
}

uint32_t
VprimeHandle::Rescan()
{
    uint32_t n = 0;

    m_stats[STAT_rescans]++;
    for (auto& d : m_devs)
    {
        if (d->GetPort() >= 0)
        {
            continue;
        }
        int port = Attach(d->GetGuest());
        if (port >= 0 && static_cast<size_t>(port) < m_byPort.size())
        {
            m_byPort[port] = PeekPointer(d);
            d->Bind(static_cast<uint32_t>(port));
            n++;
        }
        else if (port >= 0)
        {
            vprime_detach(m_vp, static_cast<uint32_t>(port));
        }
    }
    if (n)
    {
        CheckPorts();
    }
    return n;
}

void
VprimeHandle::RescanEvent()
{
    Calibrate();
    Rescan();
    // A backend that died wakes nobody: its death shows at the next sync.
    if (m_mode != MODE_MANUAL)
    {
        Service();
    }
    m_rescanEvent = Simulator::Schedule(m_rescanInterval, &VprimeHandle::RescanEvent, this);
}

void
VprimeHandle::PollEvent()
{
    Service();
    m_pollEvent = Simulator::Schedule(m_pollInterval, &VprimeHandle::PollEvent, this);
}

/*
 * One reading of the origin against the real-time simulator's own clock;
 * false without one.  Three tries, the tightest kept: a preemption between
 * the two clock reads would otherwise go into the origin.
 */
bool
VprimeHandle::SampleOrigin(int64_t* origin, int64_t* window) const
{
    int64_t best = INT64_MAX, r;

    if (m_vrt && m_vrt->HasClockBase() && m_clock == MonotonicNs)
    {
        // Our simulator paces with dom0's clock: its base is the origin.
        *origin = m_vrt->GetClockBase();
        *window = 0;
        return true;
    }
    if (!RealtimeNowNs(&r)) // only called from events: the simulator runs
    {
        return false;
    }
    for (int i = 0; i < 3; i++)
    {
        int64_t a = static_cast<int64_t>(m_clock(m_clockArg));
        RealtimeNowNs(&r);
        int64_t b = static_cast<int64_t>(m_clock(m_clockArg));

        if (b - a < best)
        {
            best = b - a;
            *origin = a + (b - a) / 2 - r;
        }
    }
    *window = best;
    return true;
}

/* The real-time simulator's own clock, ns-3's or ours; false without one. */
bool
VprimeHandle::RealtimeNowNs(int64_t* ns) const
{
    if (m_vrt)
    {
        *ns = m_vrt->RealtimeNow().GetNanoSeconds();
        return true;
    }
    if (!m_rt)
    {
        return false;
    }
    *ns = m_rt->RealtimeNow().GetNanoSeconds();
    return true;
}

/*
 * How far behind real time the simulation ran this batch: frames stamped
 * while it is behind enter at their stamps (rx_ahead), so only this shows
 * a simulator that does not keep up.  One clock read per batch.
 */
void
VprimeHandle::CountServiceLate()
{
    int64_t late;

    if (!RealtimeNowNs(&late))
    {
        return;
    }
    late -= Simulator::Now().GetNanoSeconds();
    if (late > 0 && static_cast<uint64_t>(late / 1000) > m_stats[STAT_service_late_max_us])
    {
        m_stats[STAT_service_late_max_us] = static_cast<uint64_t>(late / 1000);
    }
    if (NanoSeconds(late) > m_lateThreshold)
    {
        m_stats[STAT_services_late]++;
    }
}

/*
 * Take the origin (first call in the simulation), or check it (every
 * rescan): kept unless the offset jumped by more than 1 ms, refined when a
 * tighter reading comes.
 */
void
VprimeHandle::Calibrate()
{
    int64_t origin, window;

    if (!SampleOrigin(&origin, &window))
    {
        if (!m_calibrated)
        {
            m_origin =
                static_cast<int64_t>(m_clock(m_clockArg)) - Simulator::Now().GetNanoSeconds();
            m_calibrated = true;
        }
        return;
    }
    if (!m_calibrated)
    {
        // What an origin taken from Now() here would have been off by.
        int64_t late = static_cast<int64_t>(m_clock(m_clockArg)) - origin -
                       Simulator::Now().GetNanoSeconds();
        m_stats[STAT_first_event_late_us] = late > 0 ? static_cast<uint64_t>(late / 1000) : 0;
    }
    else if (origin - m_origin > 1000000 || m_origin - origin > 1000000)
    {
        m_stats[STAT_clock_steps]++;
        NS_LOG_WARN("dom0 and simulator clocks moved apart by " << (origin - m_origin)
                                                                << " ns: origin taken again");
    }
    else if (window >= m_originWindow)
    {
        return;
    }
    m_origin = origin;
    m_originWindow = window;
    m_calibrated = true;
    NS_LOG_INFO("dom0 time at simulation time 0: " << m_origin << " ns (+-" << window << ")");
}

uint32_t
VprimeHandle::Service()
{
    uint32_t total = 0, round;

    if (!m_vp || !m_started)
    {
        return 0;
    }
    if (!m_calibrated)
    {
        Calibrate(); // only ever runs inside the simulation: a valid origin
    }
    m_stats[STAT_services]++;
    CountServiceLate();
    // A bounded number of rounds: a guest flooding us cannot keep the
    // simulator in here; what is left waits for the next batch.
    for (round = 0; round < 16; round++)
    {
        struct vprime_sync_res res;
        uint32_t n;

        m_stats[STAT_syncs]++;
        int r = vprime_sync(m_vp, 0, &res);
        if (r < 0)
        {
            m_stats[STAT_sync_errors]++;
            // As vprimed: these mean there is no backend any more.
            if (!m_backendLost && (r == -ECONNRESET || r == -EPIPE || r == -ENOTCONN ||
                                   r == -ETIMEDOUT || r == -EPROTO))
            {
                BackendLost();
            }
            break;
        }
        bool more = false;
        n = TakeRound(&more);
        total += n;
        if (n == 0 || (!more && !res.pending))
        {
            break;
        }
    }
    CheckPorts();
    return total;
}

/*
 * One round: from each bound port, as many frames as its device has room
 * for in the simulation (at most a batch).  A device whose backlog is full
 * is skipped: its frames stay in the port's ring, the ring fills, and the
 * backend stops taking from the guest, whose queue stops as behind a slow
 * NIC; the device calls Resume() when it has drained.  Without this the
 * simulation's event list took every frame however far behind it ran, a
 * flooding guest's bytes without bound.  @more: some port gave a full
 * batch (it may hold more).
 */
uint32_t
VprimeHandle::TakeRound(bool* more)
{
    uint32_t total = 0, port;

    for (port = 0; port < m_byPort.size(); port++)
    {
        VprimeNetDevice* dev = m_byPort[port];
        if (!dev)
        {
            continue;
        }
        uint32_t room = std::min(dev->GetRxRoom(), m_batch);
        if (room == 0)
        {
            dev->HoldRx();
            continue;
        }
        int n = vprime_rx_peek_port(m_vp, port, m_frames.data(), room);
        for (int i = 0; i < n; i++)
        {
            Dispatch(&m_frames[i]);
            vprime_frame_drop(m_vp, &m_frames[i]);
        }
        if (n > 0)
        {
            total += static_cast<uint32_t>(n);
            *more |= static_cast<uint32_t>(n) == m_batch;
        }
    }
    return total;
}

void
VprimeHandle::Resume()
{
    ScheduleService();
}

void
VprimeHandle::Dispatch(struct vprime_frame* f)
{
    VprimeNetDevice* dev = nullptr;
    uint32_t off = 0, i;

    m_stats[STAT_rx_frames]++;
    if (f->port < m_byPort.size())
    {
        dev = m_byPort[f->port];
    }
    if (!dev)
    {
        m_stats[STAT_rx_unknown_port]++;
        return;
    }
    // One copy: ns-3 packets own their bytes.
    for (i = 0; i < f->nseg && off + f->seg[i].len <= m_buf.size(); i++)
    {
        std::memcpy(m_buf.data() + off, f->seg[i].data, f->seg[i].len);
        off += f->seg[i].len;
    }
    dev->ReceiveFrame(m_buf.data(), off, f->flags, f->tstamp);
}

void
VprimeHandle::CheckPorts()
{
    uint32_t port;
    bool gone = false;

    for (port = 0; port < m_byPort.size(); port++)
    {
        VprimeNetDevice* dev = m_byPort[port];
        int st;

        if (!dev)
        {
            continue;
        }
        st = vprime_port_state(m_vp, port);
        if (st == VPRIME_PORT_GONE || st < 0)
        {
            m_stats[STAT_gone]++;
            NS_LOG_INFO("port " << port << " (" << dev->GetGuest().ToString() << ") gone");
            vprime_detach(m_vp, port);
            m_byPort[port] = nullptr;
            dev->Unbind(true);
            gone = true;
            continue;
        }
        dev->SetPortUp(st == VPRIME_PORT_ATTACHED);
    }
    // A guest that vanished may come back at once (a reboot): look again
    // at the next rescan, which is already periodic.
    (void)gone;
}

int
VprimeHandle::Submit(uint32_t port, const uint8_t* data, uint32_t len)
{
    struct vprime_frame f;
    uint32_t off = 0, i;
    int r;

    if (!m_vp || !m_started)
    {
        return -ENETDOWN;
    }
    r = vprime_tx_reserve(m_vp, len, &f);
    if (r == -ENOBUFS)
    {
        // Completions not yet reaped hold the buffers: one early sync.
        m_stats[STAT_tx_syncs_early]++;
        m_stats[STAT_syncs]++;
        vprime_sync(m_vp, 0, nullptr);
        r = vprime_tx_reserve(m_vp, len, &f);
    }
    if (r < 0)
    {
        return r;
    }
    for (i = 0; i < f.nseg; i++)
    {
        std::memcpy(f.seg[i].data, data + off, f.seg[i].len);
        off += f.seg[i].len;
    }
    r = vprime_tx_submit(m_vp, port, &f, SimToStamp(Simulator::Now()));
    if (r == -EAGAIN)
    {
        m_stats[STAT_tx_syncs_early]++;
        m_stats[STAT_syncs]++;
        vprime_sync(m_vp, 0, nullptr);
        r = vprime_tx_submit(m_vp, port, &f, SimToStamp(Simulator::Now()));
    }
    if (r < 0)
    {
        vprime_frame_drop(m_vp, &f);
        return r;
    }
    ScheduleService();
    return 0;
}

void
VprimeHandle::ScheduleService()
{
    // Every frame sent at this simulation time shares one sync.
    if (m_mode == MODE_MANUAL || m_serviceEvent.IsRunning())
    {
        return;
    }
    m_serviceEvent = Simulator::ScheduleNow(&VprimeHandle::ServiceEvent, this);
}

void
VprimeHandle::ServiceEvent()
{
    Service();
}

/* ---- the reader thread ---------------------------------------------------- */

/*
 * The reader thread only waits: the descriptor is in its epoll set with
 * EPOLLONESHOT, so one readiness schedules one batch and disarms it; the
 * batch, in the simulator's thread, arms it again when it is done (one
 * epoll_ctl).  The thread never waits for the batch itself: formerly it
 * slept on a condition variable until the batch ran and was woken by it,
 * two more sleeps and wake-ups (and a contended mutex) per batch, which
 * dominated vprime-ns3's CPU (docs/ns3.md, "Keeping up").
 */
void
VprimeHandle::ThreadMain()
{
    for (;;)
    {
        struct epoll_event ev[2];
        int r = epoll_wait(m_epollFd, ev, 2, -1);

        if (r < 0 && errno == EINTR)
        {
            continue;
        }
        if (r < 0)
        {
            return;
        }
        for (int i = 0; i < r; i++)
        {
            if (ev[i].data.u32 == 1)
            {
                return; // stop
            }
        }
        for (int i = 0; i < r; i++)
        {
            std::lock_guard<std::mutex> lk(m_mx);
            if (m_threadStop)
            {
                return;
            }
            if (ev[i].events & (EPOLLERR | EPOLLHUP))
            {
                // The backend went away (a unix: host exited): nothing will
                // ever come again; tell the simulation once and stop.
                Simulator::ScheduleWithContext(Simulator::NO_CONTEXT,
                                               Seconds(0),
                                               &VprimeHandle::BackendLost,
                                               this);
                return;
            }
            m_wakeups++;
            Simulator::ScheduleWithContext(Simulator::NO_CONTEXT,
                                           Seconds(0),
                                           &VprimeHandle::ThreadService,
                                           this);
        }
    }
}

void
VprimeHandle::BackendLost()
{
    NS_LOG_ERROR("vprime backend lost: stopping the simulation");
    m_backendLost = true;
    Simulator::Stop();
}

bool
VprimeHandle::IsBackendLost() const
{
    return m_backendLost;
}

void
VprimeHandle::ThreadService()
{
    struct epoll_event ev;

    if (Service() == 0)
    {
        m_stats[STAT_wakeups_empty]++;
    }
    if (m_backendLost || m_epollFd < 0)
    {
        return;
    }
    // Arm the descriptor again: still readable (work left), the reader
    // schedules the next batch at once.
    std::memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u32 = 0;
    if (epoll_ctl(m_epollFd, EPOLL_CTL_MOD, vprime_fd(m_vp), &ev) < 0)
    {
        NS_LOG_ERROR("epoll_ctl: " << std::strerror(errno));
    }
}

/*
 * The descriptor readable, seen by our simulator's loop: one batch, in its
 * thread, no re-arming (the watch is level-triggered: still readable, the
 * loop calls again at its next look).
 */
void
VprimeHandle::WatchService(uint32_t events)
{
    if (events & (EPOLLERR | EPOLLHUP))
    {
        m_watchFd = -1; // the simulator unwatched it
        BackendLost();
        return;
    }
    m_wakeups++;
    if (Service() == 0)
    {
        m_stats[STAT_wakeups_empty]++;
    }
    if (m_backendLost && m_watchFd >= 0)
    {
        m_vrt->RemoveFdWatch(m_watchFd);
        m_watchFd = -1;
    }
}

/* One of our simulator's counters (m_vrt set). */
uint64_t
VprimeHandle::SimStat(Stat s) const
{
    switch (s)
    {
    case STAT_sim_clock_reads:
        return m_vrt->GetClockReads();
    case STAT_sim_polls:
        return m_vrt->GetPolls();
    case STAT_sim_events_late:
        return m_vrt->GetLateEvents();
    case STAT_sim_event_late_max_us:
        return static_cast<uint64_t>(m_vrt->GetMaxLateness().GetMicroSeconds());
    default:
        return m_stats[s];
    }
}

void
VprimeHandle::StopThread()
{
    if (!m_thread.joinable())
    {
        return;
    }
    {
        std::lock_guard<std::mutex> lk(m_mx);
        m_threadStop = true;
    }
    uint64_t one = 1;
    if (write(m_stopFd, &one, sizeof(one)) != sizeof(one))
    {
        NS_LOG_WARN("eventfd write failed");
    }
    m_thread.join();
    close(m_stopFd);
    m_stopFd = -1;
    close(m_epollFd);
    m_epollFd = -1;
}

void
VprimeHandle::Close()
{
    if (m_started)
    {
        m_stats[STAT_events] = Simulator::GetEventCount();
    }
    for (int s = STAT_sim_clock_reads; m_vrt && s <= STAT_sim_event_late_max_us; s++)
    {
        m_stats[s] = SimStat(static_cast<Stat>(s)); // kept: the simulator goes
    }
    if (m_watchFd >= 0)
    {
        m_vrt->RemoveFdWatch(m_watchFd);
        m_watchFd = -1;
    }
    m_vrt = nullptr;
    StopThread();
    m_serviceEvent.Cancel();
    m_pollEvent.Cancel();
    m_rescanEvent.Cancel();
    m_calibrateEvent.Cancel();
    for (uint32_t port = 0; port < m_byPort.size(); port++)
    {
        if (m_byPort[port])
        {
            m_byPort[port]->Unbind(false);
            m_byPort[port] = nullptr;
        }
    }
    m_devs.clear();
    if (m_vp)
    {
        vprime_close(m_vp);
        m_vp = nullptr;
    }
    m_rt = nullptr;
    m_started = false;
}

/* ---- time and counters ------------------------------------------------------ */

int64_t
VprimeHandle::StampToSimNs(uint64_t stamp) const
{
    return static_cast<int64_t>(stamp) - m_origin;
}

uint64_t
VprimeHandle::SimToStamp(Time t) const
{
    int64_t s = m_origin + t.GetNanoSeconds();

    return s > 0 ? static_cast<uint64_t>(s) : 0;
}

uint64_t
VprimeHandle::NowStamp() const
{
    return m_clock(m_clockArg);
}

Time
VprimeHandle::GetLateThreshold() const
{
    return m_lateThreshold;
}

uint64_t
VprimeHandle::GetStat(Stat s) const
{
    if (s == STAT_wakeups)
    {
        return m_wakeups.load();
    }
    if (s >= STAT_sim_clock_reads && s <= STAT_sim_event_late_max_us && m_vrt)
    {
        return SimStat(s);
    }
    if (s == STAT_events)
    {
        // The simulator's own count while this handle runs; kept at Close()
        // (Simulator::Destroy), after which asking would create a new one.
        return m_started ? Simulator::GetEventCount() : m_stats[s];
    }
    return s < STAT_MAX ? m_stats[s] : 0;
}

const char*
VprimeHandle::GetStatName(Stat s)
{
    return s < STAT_MAX ? g_statNames[s] : nullptr;
}

} // namespace ns3
