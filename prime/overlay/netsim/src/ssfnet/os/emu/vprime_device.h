/* SPDX-License-Identifier: MIT */
/**
 * \file vprime_device.h
 * \brief The vprime emulation device: Xen guests' vprime devices attached
 * to emulated interfaces of a PRIMEX model through libvprime, in dom0.
 *
 * One device per device type and community (PRIMEX creates them); every
 * VPrimeEmulation of that community registers with the one of its type.
 *
 * Threads.  A BlockingEmulationDevice gets a reader thread (the in-channel's)
 * and a writer thread (the out-channel's) from the SSF kernel.  libvprime's
 * handle is not thread-safe, so the reader thread owns it: it syncs, takes
 * guest frames in batches, imports them into the simulator with one
 * wake-up per batch, answers ARP, submits exported frames, and watches
 * ports come and go.  The writer thread only turns exported packets into
 * bytes, inside buffers the owner reserved, and hands them back through a
 * ring (vprime_xring.h); it wakes the owner through an eventfd only when
 * the owner sleeps.
 *
 * The polling device (VPrimePollDevice, the default: polling=true) has no
 * thread: the SSF kernel's simulator thread owns the handle and polls it
 * (PollingEmulationDevice, prime/patches/0004).  docs/prime.md compares
 * the two, measured.
 *
 * Time.  A guest frame's dom0 timestamp (CLOCK_MONOTONIC) is mapped to
 * simulation time with the simulator's own wall-clock mapping (start
 * reference and emulation ratio), plus the interface's import_delay: the
 * frame's own time.  The kernel takes the batch in anchored on the
 * simulator's present (prime/patches/0005, ssf/api/import_anchor.h): a
 * simulator lagging the wall clock takes the frame in that much earlier,
 * so that it does not wait behind the backlog (counted import_lagged, the
 * largest lag import_lag_max_us), and a frame whose time the simulator has
 * already passed enters at its present (counted import_late), never in
 * its past nor at the wall clock's now.  On export, the packet's
 * simulation time becomes the frame's due time in dom0: the blocking
 * device's writer gets it as the delay the kernel computes (a frame more
 * than VPRIME_LATE_NS past due when the writer gets it is counted
 * export_late); the polling device maps it without a clock read
 * (simToMono()) and counts a frame late when the sync that hands it to
 * dom0 comes more than VPRIME_LATE_NS after its due time.
 */

#ifdef SSFNET_EMULATION

#ifndef __VPRIME_DEVICE_H__
#define __VPRIME_DEVICE_H__

#include <vector>

#include "os/emu/emulation_device.h"
#include "os/emu/vprime_emu_proto.h"
#include "os/emu/vprime_frame.h"
#include "os/emu/vprime_xring.h"

#include "vprime.h"

namespace prime {
namespace ssfnet {

/* Frames per batch, both ways. */
#define VPRIME_DEV_BATCH 64
/* Reserved empty frames handed to the writer thread. */
#define VPRIME_DEV_SPARE 256
/* The polling device syncs at most this often (ns): the SSF kernel polls
 * in a loop for the last millisecond before an event is due. */
#define VPRIME_POLL_SYNC_NS 50000ull
/* Lateness beyond which an exported frame counts as late (ns). */
#define VPRIME_LATE_NS 1000000ull
/* How long the polling device keeps one reading of the simulator's
 * wall-clock mapping (simToMono()). */
#define VPRIME_MAP_NS 500000000ull

/**
 * The device's counters.  X(name, description); the rx_<kind> ones follow
 * VPRIME_FRAME_KINDS.  Printed at wrap-up and, every half second, written
 * to the file named by VPRIME_PRIME_STATS.
 */
#define VPRIME_DEV_STATS(X)						\
	X(rx_frames,	"frames taken from guests")			\
	X(imported,	"IPv4 packets handed to the simulator")		\
	X(import_late,	"entered at the simulator's present: it had passed dom0 time + import_delay") \
	X(import_lagged, "taken in while the simulator lagged the wall clock by 1 ms or more") \
	X(import_lag_max_us, "largest lag of the simulator behind the wall clock at an import (us)") \
	X(rx_not_in_model, "IPv4 to an address outside the model (dropped)") \
	X(rx_too_big,	"frames longer than one buffer / the MTU (dropped)") \
	X(rx_no_iface,	"frames on a port no interface owns (dropped)")	\
	X(arp_replies,	"ARP replies sent for the simulated network")	\
	X(arp_ignored,	"ARP requests not for the simulated network")	\
	X(exported,	"frames the simulator delivered to guests")	\
	X(export_late,	"exported frames past due by more than 1 ms")	\
	X(export_no_buf, "exports dropped: no reserved buffer free")	\
	X(export_too_big, "exports dropped: longer than a buffer")	\
	X(export_no_carrier, "exports dropped: guest not attached")	\
	X(export_ring_full, "exports dropped: guest's TX ring full")	\
	X(export_refused, "exports dropped: refused by libvprime")	\
	X(export_bad_event, "exported events without a packet")		\
	X(attaches,	"guest devices attached")			\
	X(detaches,	"guest devices gone and detached")		\
	X(attach_failures, "attach attempts that failed (retried)")	\
	X(open_failures, "vprime_open attempts that failed (retried)")	\
	X(backend_lost,	"backend failures (every guest detached, reopened)") \
	X(syncs,	"vprime_sync calls")				\
	X(sleeps,	"times the owner thread slept")			\
	X(polls,	"polls by the simulator (polling device)")

#define VPRIME_DEV_STAT_ENUM(n, d) VPRIME_DEV_##n,
#define VPRIME_DEV_KIND_ENUM(n, d) VPRIME_DEV_rx_##n,
enum VPrimeDevStat {
	VPRIME_DEV_STATS(VPRIME_DEV_STAT_ENUM)
	VPRIME_FRAME_KINDS(VPRIME_DEV_KIND_ENUM)
	VPRIME_DEV_STAT_MAX
};
#undef VPRIME_DEV_STAT_ENUM
#undef VPRIME_DEV_KIND_ENUM

/** One emulated interface and the guest device behind it. */
struct VPrimeIface {
	EmulationProtocol* proto;
	Interface* iface;
	char device[VPRIME_NAME_LEN];	/**< the model's device= (name or MAC) */
	bool by_mac;			/**< device= is a MAC */
	uint8_t mac[6];			/**< the guest's MAC once known */
	uint32_t ip;			/**< the interface's (and guest's) IPv4 */
	uint32_t mtu;			/**< the guest port's MTU once attached */
	int port;			/**< libvprime port, -1 when detached */
	prime::ssf::ltime_t import_delay; /**< in simulation time units */
	uint64_t next_attach_ns;	/**< earliest next attach attempt */
};

/** A frame between the two threads. */
struct VPrimeXFrame {
	struct vprime_frame f;
	uint64_t due;			/**< CLOCK_MONOTONIC ns, 0: now */
	int ifc;			/**< index into VPrimeDevice::ifaces */
};

/**
 * What both devices share: the interfaces, the libvprime handle and its
 * owner's work (open, attach, import, ARP, submit, counters).  Only one
 * thread ever calls the owner* methods: the blocking device's reader
 * thread, or the simulator thread for the polling device.
 */
class VPrimeCore {
public:
	VPrimeCore();
	virtual ~VPrimeCore();

	/** A counter's name and value (for the stats file and tests). */
	static const char* statName(int id);
	uint64_t stat(int id) const { return stats[id]; }

protected:
	void coreRegister(EmulationProtocol* emu_proto, EmulationDevice* self);
	void coreInit(Community* com, prime::ssf::inChannel* ic);
	void coreWrapup();
	EmulationProtocol* coreIp2Proto(IPAddress& ip);
	/* one pass of the owner: false if there is no backend (retrying) */
	bool ownerPass(uint64_t now, bool* busy);

	bool ownerOpen();
	void ownerAttach(uint64_t now);
	void ownerWatchPorts(uint64_t now);
	void ownerRefill();
	int ownerSubmit();
	int ownerImport();
	void ownerImportFrame(struct vprime_frame* f, prime::ssf::ltime_t wall_now,
			      uint64_t now, double ltime_per_ns);
	void ownerArpReply(VPrimeIface& ifc, const VPrimeFrameInfo& info);
	void ownerFlushEvents();
	void ownerWriteStats(uint64_t now);
	void ownerLost(int err, uint64_t now);
	void ownerClose();
	bool frameFits(Packet* pkt, VPrimeIface& ifc);
	void frameWrite(Packet* pkt, VPrimeIface& ifc, struct vprime_frame* f);
	uint64_t dueFromDelay(double delay);
	void coreImportStats();
	void count(int id) { __atomic_add_fetch(&stats[id], 1, __ATOMIC_RELAXED); }

	Community* core_com;
	prime::ssf::inChannel* core_ic;
	SSFNET_VECTOR(VPrimeIface) ifaces;
	SSFNET_MAP(UID_t, int) uid2ifc;
	int port2ifc[VPRIME_PORTS_MAX];
	struct vprime* vp;
	int writer_busy;		/**< the writer holds a buffer of the area */
	IPPrefix sim_net;
	uint32_t sim_net_addr;
	int sim_net_len;
	uint8_t mymac[6];		/**< the simulated network's MAC */
	const char* stats_path;
	uint64_t next_stats_ns;
	uint64_t next_open_ns;
	uint64_t next_watch_ns;

	/* the batch being imported (owner thread only) */
	prime::ssf::Event* evts[VPRIME_DEV_BATCH];
	prime::ssf::ltime_t when[VPRIME_DEV_BATCH];
	int nevts;
	struct vprime_frame rx[VPRIME_DEV_BATCH];

	VPrimeXRing<struct vprime_frame, VPRIME_DEV_SPARE> spare;
	VPrimeXRing<VPrimeXFrame, VPRIME_DEV_SPARE> filled;
	uint64_t stats[VPRIME_DEV_STAT_MAX];
	bool uses_writer;		/**< a writer thread takes the spare buffers */
};

/**
 * The blocking device (polling=false): the reader thread owns the handle,
 * the writer thread turns exported packets into bytes (see the top).
 */
class VPrimeDevice : public BlockingEmulationDevice, public VPrimeCore {
public:
	VPrimeDevice();
	virtual ~VPrimeDevice();

	virtual void init();
	virtual void wrapup();
	virtual void registerEmulationProtocol(EmulationProtocol* emu_proto);
	virtual void registerProxiedEmulationProtocol(EmulationDeviceProxy* dev,
						      EmulationProtocol* emu_proto);
	virtual void exportPacket(Interface* iface, Packet* pkt);
	virtual void handleProxiedEvent(EmulationEvent* evt);
	virtual bool isActive();
	virtual bool requiresSingleInstancePerHost();
	virtual int getDeviceType();
	virtual EmulationProtocol* ip2EmulationProtocol(IPAddress& ip);

	/** The owner of the libvprime handle (the in-channel's thread). */
	virtual void reader_thread();
	/** Exported packets to bytes (the out-channel's thread). */
	virtual void writer_thread();

protected:
	void ownerSleep(int timeout_ms);
	void writerExport(EmulationEvent* evt, VPrimeIface& ifc, int idx, double delay);
	void writerWake();

	int wake_fd;			/**< eventfd: writer -> sleeping owner */
	int owner_sleeping;
};

/**
 * The polling device (the default; VPrimeEmulation polling=true): no thread of its
 * own.  The SSF kernel's simulator thread owns the handle: it calls poll()
 * whenever it looks for external input (one owner pass, syncing at most
 * every VPRIME_POLL_SYNC_NS), sleeps on libvprime's descriptor while idle,
 * and exportPacket() writes each exported packet straight into a reserved
 * buffer and submits it with its due time.
 */
class VPrimePollDevice : public PollingEmulationDevice, public VPrimeCore {
public:
	VPrimePollDevice();
	virtual ~VPrimePollDevice();

	virtual void init();
	virtual void wrapup();
	virtual void registerEmulationProtocol(EmulationProtocol* emu_proto);
	virtual void registerProxiedEmulationProtocol(EmulationDeviceProxy* dev,
						      EmulationProtocol* emu_proto);
	virtual void exportPacket(Interface* iface, Packet* pkt);
	virtual void handleProxiedEvent(EmulationEvent* evt);
	virtual bool isActive();
	virtual bool requiresSingleInstancePerHost();
	virtual int getDeviceType();
	virtual EmulationProtocol* ip2EmulationProtocol(IPAddress& ip);
	virtual void poll(int* fd);

protected:
	uint64_t simToMono(prime::ssf::ltime_t t);
	void exportLateCount(uint64_t now);

	uint64_t last_sync_ns;
	bool tx_unsent;			/**< submitted since the last sync */
	std::vector<uint64_t> tx_dues;	/**< their due times */
	uint64_t map_ns;		/**< simulation time map_t was then */
	prime::ssf::ltime_t map_t;
	double map_t_per_ns;
};

} //namespace ssfnet
} //namespace prime

#endif /*__VPRIME_DEVICE_H__*/
#endif /*SSFNET_EMULATION*/
