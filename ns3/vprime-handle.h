// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-handle.h - the one libvprime handle of an ns-3 program, shared by
 * all its VprimeNetDevices: it owns the area, binds guest devices to ports,
 * and runs the batch (one vprime_sync() moves every guest's frames both
 * ways, then the received frames are handed to their devices).
 *
 * Who runs the batch (attribute "Mode"):
 *   Thread  under VprimeRealtimeSimulatorImpl, the simulator's own loop
 *           watches vprime_fd() (AddFdWatch) and runs Service() in its
 *           thread when a guest has work: no thread of ours.  Under any
 *           other simulator a reader thread waits on vprime_fd() (epoll,
 *           one-shot) and, when a guest has work, schedules Service() into
 *           the simulator (ScheduleWithContext); the batch arms the
 *           descriptor again: no busy loop, no CPU while idle, one wake-up
 *           per batch.
 *   Poll    an event in the simulator every PollInterval calls Service():
 *           for backends without a descriptor, and deterministic runs.
 *   Manual  nobody: the program (a test) calls Service() itself.
 * All libvprime calls happen in the simulator's thread (the handle is not
 * thread-safe); the reader thread only polls the descriptor.
 *
 * Time: dom0 stamps frames with CLOCK_MONOTONIC ns; simulation time t is
 * dom0 time origin + t.  Under ns-3's real-time simulator the origin is
 * read against the simulator's own real-time clock (RealtimeNow(): ns-3
 * 3.37 reads CLOCK_REALTIME from Run()'s start): origin = clock() -
 * RealtimeNow(), both read back to back.  Simulator::Now() is not that
 * clock: it is the time the running event was due, and an event runs late
 * by however long the events before it took.  Taking the origin from
 * Now() in the first event (as before) put that lateness into every
 * mapping: in dom0 under QEMU's TCG the first events (node set-up) ran
 * 8 to 64 ms late, so every guest frame looked that late and every frame
 * ns-3 sent was held that long past its time by dom0.  The origin is
 * checked again at every rescan: a jump of more than 1 ms (CLOCK_REALTIME
 * stepped, or Run() entered again) takes it anew (clock_steps).  Under
 * VprimeRealtimeSimulatorImpl the origin is the simulator's own clock
 * base, exactly: it paces with CLOCK_MONOTONIC, the clock dom0 stamps
 * frames with (with another Clock than CLOCK_MONOTONIC, a test's, it is
 * sampled against its RealtimeNow() as above).  Without
 * a real-time simulator (tests: a virtual clock that returns origin +
 * Now()) the origin is taken from Now() in the first event.
 */
#ifndef VPRIME_HANDLE_H
#define VPRIME_HANDLE_H

#include "ns3/event-id.h"
#include "ns3/mac48-address.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/ptr.h"
#include "vprime-realtime-simulator-impl.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct vprime;
struct vprime_frame;

namespace ns3
{

class RealtimeSimulatorImpl;
class VprimeNetDevice;

/* Which guest device a VprimeNetDevice stands for. */
struct VprimeGuestSpec
{
    enum Kind
    {
        BY_MAC,
        BY_NAME,
        BY_DOMID,
    };

    Kind kind{BY_MAC};
    Mac48Address mac;
    std::string name;
    uint32_t domid{0};
    uint32_t devid{0};

    static VprimeGuestSpec Mac(Mac48Address m);
    static VprimeGuestSpec Name(const std::string& n);
    static VprimeGuestSpec Domid(uint32_t domid, uint32_t devid = 0);
    std::string ToString() const;
};

/* The handle's own counters: X(name, description). */
#define VPRIME_NS3_HANDLE_STATS(X)                                                  \
    X(services, "batches run (Service calls)")                                      \
    X(syncs, "vprime_sync calls")                                                   \
    X(sync_errors, "vprime_sync calls that failed")                                 \
    X(wakeups, "reader thread wake-ups (fd readable)")                              \
    X(wakeups_empty, "wake-ups whose batch took no guest frame (completions only)") \
    X(rx_frames, "frames taken from guests")                                        \
    X(rx_unknown_port, "frames from a port no device owns (dropped)")               \
    X(tx_syncs_early, "extra syncs to free a full TX ring or the buffer pool")     \
    X(attaches, "guest devices bound to ports")                                     \
    X(attach_errors, "attach attempts refused for another reason than absence")     \
    X(gone, "ports whose device vanished (detached)")                               \
    X(rescans, "rescans for unbound devices")                                       \
    X(clock_steps, "dom0/simulator clock offset jumped > 1 ms: origin taken again") \
    X(first_event_late_us, "how late the simulation's first event ran (us)")      \
    X(services_late, "batches run more than LateThreshold after they were due")     \
    X(service_late_max_us, "the most a batch ran after it was due (us)")            \
    X(events, "simulator events run so far, all of them (Simulator::GetEventCount)") \
    X(clock_read_ns, "one CLOCK_REALTIME read at Start() (ns-3 reads it ~6x per event)")  \
    X(syscall_ns, "one system call (getppid) at Start(): a clock read as dear has no vDSO") \
    X(sim_clock_reads, "VprimeRealtimeSimulatorImpl: its clock reads")                   \
    X(sim_polls, "VprimeRealtimeSimulatorImpl: its epoll calls (waits and looks)")         \
    X(sim_events_late, "VprimeRealtimeSimulatorImpl: events started > LateThreshold late") \
    X(sim_event_late_max_us, "VprimeRealtimeSimulatorImpl: the latest an event started (us)")

class VprimeHandle : public Object
{
  public:
    enum Mode
    {
        MODE_THREAD,
        MODE_POLL,
        MODE_MANUAL,
    };

#define VPRIME_NS3_HS_ENUM(n, d) STAT_##n,
    enum Stat
    {
        VPRIME_NS3_HANDLE_STATS(VPRIME_NS3_HS_ENUM) STAT_MAX
    };
#undef VPRIME_NS3_HS_ENUM

    typedef uint64_t (*Clock)(void* arg);

    static TypeId GetTypeId();
    VprimeHandle();
    ~VprimeHandle() override;

    /* Open @path (empty: /dev/vprime); 0 or a negative errno. */
    int Open(const std::string& path, uint32_t nrBufs = 0, uint32_t maxPorts = 0);
    /* Take an already open handle (tests: vprime_open_sim) and its clock. */
    void Adopt(struct vprime* vp, Clock clock, void* clockArg);
    struct vprime* GetRaw() const;

    void Register(Ptr<VprimeNetDevice> dev);
    void Unregister(VprimeNetDevice* dev);

    /* Bind devices, start the reader; call before Simulator::Run(). */
    void Start();
    /* One batch: sync, hand frames to devices, check ports.  Returns the
     * frames received. */
    uint32_t Service();
    /* A device whose backlog was full has room again: take its frames
     * at the next batch (scheduled now). */
    void Resume();
    /* Look for unbound devices now; returns how many were bound. */
    uint32_t Rescan();
    /* Stop the reader, detach, close (also a Simulator destroy event). */
    void Close();

    /* Queue a frame for @port, due at the current simulation time; the
     * batch goes out at the next Service() (scheduled now).  0 or the
     * negative errno of libvprime. */
    int Submit(uint32_t port, const uint8_t* data, uint32_t len);

    /* dom0 stamp <-> simulation time. */
    int64_t StampToSimNs(uint64_t stamp) const;
    uint64_t SimToStamp(Time t) const;
    uint64_t NowStamp() const;

    Time GetLateThreshold() const;
    /* The reader thread saw the backend go away (and stopped the run). */
    bool IsBackendLost() const;
    uint64_t GetStat(Stat s) const;
    static const char* GetStatName(Stat s);

  protected:
    void DoDispose() override;

  private:
    int Attach(const VprimeGuestSpec& spec);
    uint32_t TakeRound(bool* more);
    void Dispatch(struct vprime_frame* f);
    void CheckPorts();
    void Calibrate();
    void ProbeCosts();
    bool SampleOrigin(int64_t* origin, int64_t* window) const;
    bool RealtimeNowNs(int64_t* ns) const;
    void WatchService(uint32_t events);
    uint64_t SimStat(Stat s) const;
    void CountServiceLate();
    void ScheduleService();
    void ServiceEvent();
    void PollEvent();
    void RescanEvent();
    void ThreadMain();
    void ThreadService();
    void BackendLost();
    void StopThread();

    struct vprime* m_vp;
    Ptr<RealtimeSimulatorImpl> m_rt; // ns-3's real-time simulator, from Start(); or null
    Clock m_clock;
    void* m_clockArg;
    int64_t m_origin;
    bool m_calibrated; // m_origin taken while the simulation runs
    int64_t m_originWindow; // clock reads' span around the origin's sample
    bool m_backendLost;
    bool m_started;
    Mode m_mode;
    Time m_pollInterval;
    Time m_rescanInterval;
    Time m_lateThreshold;
    uint32_t m_batch;
    std::vector<Ptr<VprimeNetDevice>> m_devs;
    std::vector<VprimeNetDevice*> m_byPort;
    std::vector<uint8_t> m_buf;
    std::vector<struct vprime_frame> m_frames;
    EventId m_serviceEvent;
    EventId m_pollEvent;
    EventId m_rescanEvent;
    EventId m_calibrateEvent;
    uint64_t m_stats[STAT_MAX];
    Ptr<VprimeRealtimeSimulatorImpl> m_vrt; // the simulator, when it is ours
    int m_watchFd; // vprime_fd() watched by m_vrt, or -1

    std::thread m_thread;
    int m_stopFd;
    int m_epollFd; // the descriptor (EPOLLONESHOT, armed by each batch) and m_stopFd
    std::mutex m_mx;
    bool m_threadStop;
    std::atomic<uint64_t> m_wakeups; // the reader thread's only counter
};

} // namespace ns3

#endif /* VPRIME_HANDLE_H */
