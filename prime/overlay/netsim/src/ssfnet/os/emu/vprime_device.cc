/* SPDX-License-Identifier: MIT */
/**
 * \file vprime_device.cc
 * \brief The vprime emulation device (see vprime_device.h).
 *
 * Nothing a guest sends may stop primex: every frame the simulator cannot
 * take is counted and dropped, and a device that vanishes is detached and
 * looked for again.  The owner thread makes no system call and no
 * allocation per frame of its own: one vprime_sync() per batch, one wake-up
 * of the simulator per batch; the allocations per packet are PRIMEX's own
 * (the packet, its buffer and its event).
 */

#ifdef SSFNET_EMULATION

#include "os/emu/vprime_device.h"
#include "os/emu/emulation_event.h"
#include "os/community.h"
#include "os/partition.h"
#include "os/logger.h"
#include "os/packet.h"
#include "net/interface.h"
#include "net/net.h"
#include "proto/emu/emulation_protocol.h"

#include <iostream>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

namespace prime {
namespace ssfnet {

LOGGING_COMPONENT(VPrimeDevice);

/* Attach, detach and backend events are rare and an operator wants them in
 * every build; PRIMEX's LOG_WARN exists only in debug builds. */
#define VPRIME_NOTE(msg) { std::cerr << msg; }

/* How often the owner looks at its ports, retries attaches and opens. */
#define VPRIME_WATCH_NS 100000000ull
#define VPRIME_ATTACH_RETRY_NS 500000000ull
#define VPRIME_OPEN_RETRY_NS 1000000000ull
#define VPRIME_STATS_NS 500000000ull

static uint64_t vprimeNow()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define VPRIME_DEV_STAT_NAME(n, d) #n,
#define VPRIME_DEV_KIND_NAME(n, d) "rx_" #n,
static const char* const vprime_dev_stat_names[] = {
	VPRIME_DEV_STATS(VPRIME_DEV_STAT_NAME)
	VPRIME_FRAME_KINDS(VPRIME_DEV_KIND_NAME)
};
#undef VPRIME_DEV_STAT_NAME
#undef VPRIME_DEV_KIND_NAME

const char* VPrimeCore::statName(int id)
{
	if (id < 0 || id >= VPRIME_DEV_STAT_MAX)
		return 0;
	return vprime_dev_stat_names[id];
}

VPrimeCore::VPrimeCore() :
	core_com(0), core_ic(0), vp(0), writer_busy(0), sim_net_addr(0), sim_net_len(0),
	stats_path(0), next_stats_ns(0), next_open_ns(0), next_watch_ns(0), nevts(0),
	uses_writer(false)
{
	for (uint32_t i = 0; i < VPRIME_PORTS_MAX; i++)
		port2ifc[i] = -1;
	memset(mymac, 0, sizeof(mymac));
	memset(stats, 0, sizeof(stats));
}

VPrimeCore::~VPrimeCore()
{
}

VPrimeDevice::VPrimeDevice() : wake_fd(-1), owner_sleeping(0)
{
	uses_writer = true;
}

VPrimeDevice::~VPrimeDevice()
{
	if (wake_fd >= 0)
		close(wake_fd);
}

VPrimePollDevice::VPrimePollDevice() : last_sync_ns(0), tx_unsent(false),
	map_ns(0), map_t(0), map_t_per_ns(0)
{
}

VPrimePollDevice::~VPrimePollDevice()
{
}

/* ---- set-up (simulation thread) ---------------------------------------- */

void VPrimeCore::coreRegister(EmulationProtocol* emu_proto, EmulationDevice* self)
{
	if (!VPrimeEmulation::getClassConfigType()->isSubtype(emu_proto->getTypeId())) {
		LOG_ERROR("the vprime device only takes VPrimeEmulation protocols, not "
			  << emu_proto->getTypeName() << endl);
	}
	VPrimeEmulation* vpe = SSFNET_DYNAMIC_CAST(VPrimeEmulation*, emu_proto);
	VPrimeIface ifc;
	memset(&ifc, 0, sizeof(ifc));
	ifc.proto = emu_proto;
	ifc.iface = emu_proto->getInterface();
	ifc.port = -1;
	ifc.ip = (uint32)ifc.iface->getIP();

	/* device= is the guest's name or MAC; trimmed (the .m default is " ") */
	SSFNET_STRING dev = vpe->getDevice();
	size_t b = dev.find_first_not_of(" \t");
	size_t e = dev.find_last_not_of(" \t");
	dev = b == SSFNET_STRING::npos ? SSFNET_STRING("") : dev.substr(b, e - b + 1);
	if (dev.empty() || dev.size() >= VPRIME_NAME_LEN) {
		LOG_ERROR("VPrimeEmulation on " << ifc.iface->getUName()
			  << ": device must name the guest's vprime device (its name, at most "
			  << (VPRIME_NAME_LEN - 1) << " characters, or its MAC); got '"
			  << dev << "'" << endl);
	}
	strncpy(ifc.device, dev.c_str(), sizeof(ifc.device) - 1);
	ifc.by_mac = vprimeMacParse(ifc.device, ifc.mac);

	float delay = vpe->getImportDelay();
	if (!(delay >= 0 && delay <= 1)) {
		LOG_ERROR("VPrimeEmulation on " << ifc.iface->getUName()
			  << ": import_delay must be 0..1 s, got " << delay << endl);
	}
	ifc.import_delay = (prime::ssf::ltime_t)(delay * (double)VirtualTime::SECOND);

	for (size_t i = 0; i < ifaces.size(); i++) {
		if (strcmp(ifaces[i].device, ifc.device) == 0) {
			LOG_ERROR("VPrimeEmulation on " << ifc.iface->getUName()
				  << ": guest device '" << ifc.device
				  << "' is already attached to " << ifaces[i].iface->getUName() << endl);
		}
	}
	uid2ifc.insert(SSFNET_MAKE_PAIR(ifc.iface->getUID(), (int)ifaces.size()));
	ifaces.push_back(ifc);
	emu_proto->setEmulationDevice(self);
}

void VPrimeDevice::registerProxiedEmulationProtocol(EmulationDeviceProxy* /*dev*/,
						    EmulationProtocol* /*emu_proto*/)
{
	ssfnet_throw_exception(SSFNetException::other_exception,
			       "Cannot call registerProxiedEmulationProtocol() on a VPrimeDevice!");
}

void VPrimeCore::coreInit(Community* com, prime::ssf::inChannel* ic)
{
	core_com = com;
	core_ic = ic;
	Net* topnet = com->getPartition()->getTopnet();
	sim_net = topnet->getIPPrefix();
	sim_net_addr = (uint32)sim_net.getAddress();
	sim_net_len = sim_net.getLength();
	/* The simulated network answers ARP with one MAC, as TAPDevice does. */
	MACAddress(topnet->getUID()).toRawMac(mymac);
	stats_path = getenv("VPRIME_PRIME_STATS");
	if (stats_path && !*stats_path)
		stats_path = 0;
	VPRIME_NOTE("vprime: " << ifaces.size() << " guest interface(s), simulated network "
		 << sim_net << (uses_writer ? " (blocking device)" : " (polling device)") << endl);
}

void VPrimeCore::coreWrapup()
{
	coreImportStats();
	for (int i = 0; i < VPRIME_DEV_STAT_MAX; i++) {
		if (stats[i])
			printf("vprime: %s=%llu\n", statName(i), (unsigned long long)stats[i]);
	}
	fflush(stdout);
}

/* ---- the blocking device: PRIMEX's side ---------------------------------- */

void VPrimeDevice::registerEmulationProtocol(EmulationProtocol* emu_proto)
{
	coreRegister(emu_proto, this);
}

void VPrimeDevice::init()
{
	BlockingEmulationDevice::init();
	coreInit(getCommunity(), input_channel);
	wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (wake_fd < 0) {
		LOG_ERROR("vprime: eventfd: " << strerror(errno) << endl);
	}
}

void VPrimeDevice::wrapup()
{
	BlockingEmulationDevice::wrapup();
	writerWake();
	coreWrapup();
}

EmulationProtocol* VPrimeDevice::ip2EmulationProtocol(IPAddress& ip)
{
	return coreIp2Proto(ip);
}

void VPrimeDevice::exportPacket(Interface* iface, Packet* pkt)
{
	EmulationEvent* evt = new EmulationEvent(iface, pkt, false);
	output_channel->write(evt);
}

void VPrimeDevice::handleProxiedEvent(EmulationEvent* evt)
{
	LOG_WARN("vprime devices do not proxy events; dropping one" << endl);
	evt->free();
}

bool VPrimeDevice::isActive()
{
	return !stop;
}

bool VPrimeDevice::requiresSingleInstancePerHost()
{
	return false;
}

int VPrimeDevice::getDeviceType()
{
	return EMU_VPRIME_DEVICE;
}

EmulationProtocol* VPrimeCore::coreIp2Proto(IPAddress& ip)
{
	for (size_t i = 0; i < ifaces.size(); i++) {
		if (ifaces[i].ip == (uint32)ip)
			return ifaces[i].proto;
	}
	return 0;
}

/* ---- the writer thread: exported packets to bytes ------------------------ */

void VPrimeDevice::writer_thread()
{
	double delay;

	while (!stop) {
		SSFNetEvent* e = (SSFNetEvent*)output_channel->getRealEvent(delay);
		if (!e)
			continue;
		if (e->getSSFNetEventType() != SSFNetEvent::SSFNET_EMU_NORMAL_EVT) {
			count(VPRIME_DEV_export_bad_event);
			e->free();
			continue;
		}
		EmulationEvent* evt = (EmulationEvent*)e;
		SSFNET_MAP(UID_t, int)::iterator it =
			evt->iface ? uid2ifc.find(evt->iface->getUID()) : uid2ifc.end();
		if (!evt->pkt || it == uid2ifc.end()) {
			count(VPRIME_DEV_export_bad_event);
			evt->free();
			continue;
		}
		VPrimeIface& ifc = ifaces[it->second];
		/* busy before the carrier check: an owner that lost the backend
		 * clears every port, then waits for !busy before unmapping */
		__atomic_store_n(&writer_busy, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&ifc.port, __ATOMIC_SEQ_CST) < 0) {
			__atomic_store_n(&writer_busy, 0, __ATOMIC_SEQ_CST);
			count(VPRIME_DEV_export_no_carrier);
			evt->free();
			continue;
		}
		writerExport(evt, ifc, it->second, delay);
		__atomic_store_n(&writer_busy, 0, __ATOMIC_SEQ_CST);
		writerWake();
	}
}

/* Whether @pkt fits one buffer of @ifc's guest (counted if not). */
bool VPrimeCore::frameFits(Packet* pkt, VPrimeIface& ifc)
{
	int size = pkt->size();
	uint32_t limit = ifc.mtu ? ifc.mtu + VPRIME_ETH_HLEN : VPRIME_BUF_SIZE;
	if (limit > VPRIME_BUF_SIZE)
		limit = VPRIME_BUF_SIZE;
	if (size <= 0 || (uint32_t)size + VPRIME_ETH_HLEN > limit) {
		count(VPRIME_DEV_export_too_big);
		return false;
	}
	return true;
}

/* Serialise @pkt (it fits) into the one-buffer frame @f for @ifc's guest. */
void VPrimeCore::frameWrite(Packet* pkt, VPrimeIface& ifc, struct vprime_frame* f)
{
	int size = pkt->size();
	uint8_t* data = f->seg[0].data;
	byte* p = (byte*)(data + VPRIME_ETH_HLEN);
	int left = size;
	pkt->getMessage()->toRawBytes(p, left);
	vprimeEthWrite(data, ifc.mac, mymac, VPRIME_ETH_P_IP);
	f->seg[0].len = (uint32_t)size + VPRIME_ETH_HLEN;
}

/* The due time of a packet @delay real seconds from now (as the kernel's
 * writer computes it), counted late if it is more than VPRIME_LATE_NS past. */
uint64_t VPrimeCore::dueFromDelay(double delay)
{
	if (delay * -1e9 > (double)VPRIME_LATE_NS)
		count(VPRIME_DEV_export_late);
	return delay > 0 ? vprimeNow() + (uint64_t)(delay * 1e9) : 0;
}

/* Serialise @evt's packet into a reserved buffer and pass it to the owner. */
void VPrimeDevice::writerExport(EmulationEvent* evt, VPrimeIface& ifc, int idx,
				double delay)
{
	if (!frameFits(evt->pkt, ifc)) {
		evt->free();
		return;
	}
	VPrimeXFrame xf;
	if (!spare.pop(xf.f)) {
		count(VPRIME_DEV_export_no_buf);
		evt->free();
		return;
	}
	frameWrite(evt->pkt, ifc, &xf.f);
	xf.due = dueFromDelay(delay);
	xf.ifc = idx;
	evt->free();
	if (!filled.push(xf)) {
		/* cannot happen: filled holds as many as spare gives out */
		count(VPRIME_DEV_export_no_buf);
	}
}

/* Wake the owner if it sleeps; a frame pushed while it is awake is seen on
 * its next pass without a system call. */
void VPrimeDevice::writerWake()
{
	if (__atomic_exchange_n(&owner_sleeping, 0, __ATOMIC_SEQ_CST)) {
		uint64_t one = 1;
		if (::write(wake_fd, &one, sizeof(one)) < 0) {
			/* the counter is saturated: the owner is awake anyway */
		}
	}
}

/* ---- the owner thread: libvprime ----------------------------------------- */

bool VPrimeCore::ownerOpen()
{
	/* NULL: /dev/vprime, or the backend VPRIME_DEVICE names */
	int rc = vprime_open(&vp, NULL, NULL);
	if (rc < 0) {
		if (!stats[VPRIME_DEV_open_failures])
			VPRIME_NOTE("vprime: cannot open the vprime backend: " << strerror(-rc)
				 << " (retrying every second)" << endl);
		count(VPRIME_DEV_open_failures);
		vp = 0;
		return false;
	}
	return true;
}

void VPrimeCore::ownerAttach(uint64_t now)
{
	for (size_t i = 0; i < ifaces.size(); i++) {
		VPrimeIface& ifc = ifaces[i];
		if (ifc.port >= 0 || now < ifc.next_attach_ns)
			continue;
		int port = ifc.by_mac ? vprime_attach_mac(vp, ifc.mac) :
			vprime_attach_name(vp, ifc.device);
		struct vprime_portinfo pi;
		if (port >= 0 && vprime_port_info(vp, (uint32_t)port, &pi) < 0) {
			vprime_detach(vp, (uint32_t)port);
			port = -EINVAL;
		}
		if (port < 0 || (uint32_t)port >= VPRIME_PORTS_MAX) {
			if (!ifc.next_attach_ns)
				VPRIME_NOTE("vprime: guest device '" << ifc.device << "' for "
					 << ifc.iface->getUName() << " not attached: "
					 << strerror(port < 0 ? -port : ERANGE)
					 << " (retrying)" << endl);
			count(VPRIME_DEV_attach_failures);
			ifc.next_attach_ns = now + VPRIME_ATTACH_RETRY_NS;
			continue;
		}
		memcpy(ifc.mac, pi.mac, 6);
		ifc.mtu = pi.mtu;
		port2ifc[port] = (int)i;
		__atomic_store_n(&ifc.port, port, __ATOMIC_RELEASE);
		count(VPRIME_DEV_attaches);
		VPRIME_NOTE("vprime: guest device '" << ifc.device << "' (domain " << pi.domid
			 << ", port " << port << ") attached to " << ifc.iface->getUName()
			 << " " << IPAddress(ifc.ip) << endl);
	}
}

void VPrimeCore::ownerWatchPorts(uint64_t now)
{
	for (size_t i = 0; i < ifaces.size(); i++) {
		VPrimeIface& ifc = ifaces[i];
		if (ifc.port < 0)
			continue;
		int state = vprime_port_state(vp, (uint32_t)ifc.port);
		if (state >= 0 && state != VPRIME_PORT_GONE)
			continue;
		int port = ifc.port;
		__atomic_store_n(&ifc.port, -1, __ATOMIC_RELEASE);
		port2ifc[port] = -1;
		vprime_detach(vp, (uint32_t)port);
		count(VPRIME_DEV_detaches);
		ifc.next_attach_ns = now + VPRIME_ATTACH_RETRY_NS;
		VPRIME_NOTE("vprime: guest device '" << ifc.device << "' gone from "
			 << ifc.iface->getUName() << "; waiting for it to come back" << endl);
	}
}

/* Keep the writer supplied with empty one-buffer frames. */
void VPrimeCore::ownerRefill()
{
	while (spare.size() < VPRIME_DEV_SPARE) {
		struct vprime_frame f;
		if (vprime_tx_reserve(vp, VPRIME_BUF_SIZE, &f) < 0)
			break;
		if (!spare.push(f)) {
			vprime_frame_drop(vp, &f);
			break;
		}
	}
}

int VPrimeCore::ownerSubmit()
{
	VPrimeXFrame xf;
	int n = 0;

	while (filled.pop(xf)) {
		int port = ifaces[xf.ifc].port;
		int rc = port < 0 ? -ENETDOWN :
			vprime_tx_submit(vp, (uint32_t)port, &xf.f, xf.due);
		if (rc == 0) {
			count(VPRIME_DEV_exported);
			n++;
			continue;
		}
		if (rc == -EAGAIN)
			count(VPRIME_DEV_export_ring_full);
		else if (rc == -ENETDOWN)
			count(VPRIME_DEV_export_no_carrier);
		else
			count(VPRIME_DEV_export_refused);
		vprime_frame_drop(vp, &xf.f);
	}
	return n;
}

void VPrimeCore::ownerArpReply(VPrimeIface& ifc, const VPrimeFrameInfo& info)
{
	struct vprime_frame f;

	if (!vprimeArpShouldAnswer(info.dst_ip, ifc.ip, sim_net_addr, sim_net_len)) {
		count(VPRIME_DEV_arp_ignored);
		return;
	}
	if (vprime_tx_reserve(vp, 60, &f) < 0) {
		count(VPRIME_DEV_export_no_buf);
		return;
	}
	f.seg[0].len = vprimeArpReplyWrite(f.seg[0].data, f.seg[0].len, mymac,
					   info.dst_ip, info.src_mac, info.src_ip);
	if (vprime_tx_submit(vp, (uint32_t)ifc.port, &f, 0) < 0) {
		count(VPRIME_DEV_export_ring_full);
		vprime_frame_drop(vp, &f);
		return;
	}
	count(VPRIME_DEV_arp_replies);
}

void VPrimeCore::ownerImportFrame(struct vprime_frame* f, prime::ssf::ltime_t wall_now,
				  uint64_t now, double ltime_per_ns)
{
	count(VPRIME_DEV_rx_frames);
	int i = f->port < VPRIME_PORTS_MAX ? port2ifc[f->port] : -1;
	if (i < 0) {
		count(VPRIME_DEV_rx_no_iface);
		return;
	}
	VPrimeIface& ifc = ifaces[i];
	if (f->nseg != 1 || f->len > VPRIME_BUF_SIZE) {
		count(VPRIME_DEV_rx_too_big);
		return;
	}
	VPrimeFrameInfo info;
	VPrimeFrameKind kind = vprimeFrameClassify(f->seg[0].data, f->seg[0].len,
						   ifc.mac, &info);
	count(VPRIME_DEV_rx_ipv4 + kind);
	if (kind == VPRIME_FRAME_arp_request) {
		ownerArpReply(ifc, info);
		return;
	}
	if (kind != VPRIME_FRAME_ipv4)
		return;
	IPAddress dst(info.dst_ip);
	if (!sim_net.contains(dst)) {
		count(VPRIME_DEV_rx_not_in_model);
		return;
	}

	/* PRIMEX's packet takes a heap buffer of its own (Ethernet header
	 * included, as TAPDevice hands it over). */
	uint32_t len = VPRIME_ETH_HLEN + info.ip_len;
	byte* buf = new byte[len];
	memcpy(buf, f->seg[0].data, len);
	UID_t dst_uid = core_com->synchronousNameResolution(dst);
	Packet* pkt = new Packet(SSFNET_PROTOCOL_TYPE_IPV4, buf, len,
				 VPRIME_ETH_HLEN, dst_uid);
	EmulationEvent* evt = new EmulationEvent(ifc.iface, pkt, !dst_uid);

	/* the frame's own time: dom0's timestamp on the wall clock's mapping,
	 * + import_delay; the kernel anchors it on the simulator's present
	 * and counts what was late (import_anchor.h) */
	uint64_t age = f->tstamp && now > f->tstamp ? now - f->tstamp : 0;
	prime::ssf::ltime_t at = wall_now - (prime::ssf::ltime_t)(age * ltime_per_ns)
		+ ifc.import_delay;
	evts[nevts] = evt;
	when[nevts] = at;
	nevts++;
	count(VPRIME_DEV_imported);
}

void VPrimeCore::ownerFlushEvents()
{
	if (nevts > 0)
		core_ic->putEventBatch(evts, when, nevts);
	nevts = 0;
}

int VPrimeCore::ownerImport()
{
	int n = vprime_rx_peek(vp, rx, VPRIME_DEV_BATCH);
	if (n <= 0)
		return 0;
	uint64_t now = vprimeNow();
	prime::ssf::ltime_t wall_now = core_ic->wallclockToLtime();
	double ltime_per_ns = core_ic->ltimePerRealSecond() / 1e9;
	for (int i = 0; i < n; i++) {
		ownerImportFrame(&rx[i], wall_now, now, ltime_per_ns);
		vprime_frame_drop(vp, &rx[i]);
	}
	ownerFlushEvents();
	return n;
}

void VPrimeDevice::ownerSleep(int timeout_ms)
{
	struct pollfd pfd[2];
	int n = 0;
	int fd = vprime_fd(vp);

	__atomic_store_n(&owner_sleeping, 1, __ATOMIC_SEQ_CST);
	if (filled.size() > 0 || stop) {
		__atomic_store_n(&owner_sleeping, 0, __ATOMIC_SEQ_CST);
		return;
	}
	pfd[n].fd = wake_fd;
	pfd[n++].events = POLLIN;
	if (fd >= 0) {
		pfd[n].fd = fd;
		pfd[n++].events = POLLIN;
	} else {
		/* a backend without a descriptor: look again soon */
		timeout_ms = 1;
	}
	count(VPRIME_DEV_sleeps);
	poll(pfd, n, timeout_ms);
	__atomic_store_n(&owner_sleeping, 0, __ATOMIC_SEQ_CST);
	if (pfd[0].revents & POLLIN) {
		uint64_t v;
		if (::read(wake_fd, &v, sizeof(v)) < 0) {
			/* EAGAIN: already drained */
		}
	}
}

/* The kernel's account of our imports (import_anchor.h) into our counters. */
void VPrimeCore::coreImportStats()
{
	prime::ssf::uint64 events, late, lagged;
	prime::ssf::ltime_t lag_max;

	if (!core_ic)
		return;
	core_ic->importStats(&events, &late, &lagged, &lag_max);
	double per_us = core_ic->ltimePerRealSecond() / 1e6;
	__atomic_store_n(&stats[VPRIME_DEV_import_late], (uint64_t)late, __ATOMIC_RELAXED);
	__atomic_store_n(&stats[VPRIME_DEV_import_lagged], (uint64_t)lagged, __ATOMIC_RELAXED);
	__atomic_store_n(&stats[VPRIME_DEV_import_lag_max_us],
			 per_us > 0 ? (uint64_t)(lag_max / per_us) : 0, __ATOMIC_RELAXED);
}

void VPrimeCore::ownerWriteStats(uint64_t now)
{
	if (!stats_path || now < next_stats_ns)
		return;
	next_stats_ns = now + VPRIME_STATS_NS;
	coreImportStats();
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", stats_path);
	FILE* fp = fopen(tmp, "w");
	if (!fp)
		return;
	for (int i = 0; i < VPRIME_DEV_STAT_MAX; i++)
		fprintf(fp, "%s %llu\n", statName(i), (unsigned long long)stats[i]);
	for (size_t i = 0; i < ifaces.size(); i++)
		fprintf(fp, "port %s %d\n", ifaces[i].device, ifaces[i].port);
	if (fclose(fp) == 0)
		rename(tmp, stats_path);
}

/* The backend failed (vprime-simhost gone, a broken handle): every guest
 * is detached, the handle closed once the writer is out of its buffers,
 * and the backend opened again later. */
void VPrimeCore::ownerLost(int err, uint64_t now)
{
	VPRIME_NOTE("vprime: the backend failed (" << strerror(-err)
		 << "); detaching every guest and reopening" << endl);
	count(VPRIME_DEV_backend_lost);
	for (size_t i = 0; i < ifaces.size(); i++) {
		if (ifaces[i].port < 0)
			continue;
		port2ifc[ifaces[i].port] = -1;
		__atomic_store_n(&ifaces[i].port, -1, __ATOMIC_SEQ_CST);
		ifaces[i].next_attach_ns = 0;
		count(VPRIME_DEV_detaches);
	}
	while (__atomic_load_n(&writer_busy, __ATOMIC_SEQ_CST))
		sched_yield();
	ownerClose();
	next_open_ns = now + VPRIME_OPEN_RETRY_NS;
}

void VPrimeCore::ownerClose()
{
	struct vprime_frame f;

	if (!vp)
		return;
	while (spare.pop(f))
		vprime_frame_drop(vp, &f);
	VPrimeXFrame xf;
	while (filled.pop(xf))
		vprime_frame_drop(vp, &xf.f);
	vprime_close(vp);
	vp = 0;
}

/* One pass of the owner: open the backend if need be, watch the ports,
 * submit what the writer filled, sync once, import a batch.  False if
 * there is no backend now (retried later); *busy if there is more to do
 * right away. */
bool VPrimeCore::ownerPass(uint64_t now, bool* busy)
{
	*busy = false;
	ownerWriteStats(now);
	if (!vp) {
		if (now < next_open_ns)
			return false;
		if (!ownerOpen()) {
			next_open_ns = now + VPRIME_OPEN_RETRY_NS;
			return false;
		}
	}
	if (now >= next_watch_ns) {
		ownerWatchPorts(now);
		ownerAttach(now);
		next_watch_ns = now + VPRIME_WATCH_NS;
	}
	if (uses_writer)
		ownerRefill();
	int moved = ownerSubmit();
	struct vprime_sync_res res;
	memset(&res, 0, sizeof(res));
	int rc = vprime_sync(vp, 0, &res);
	if (rc == 0) {
		count(VPRIME_DEV_syncs);
	} else if (rc != -EINTR && rc != -EAGAIN) {
		ownerLost(rc, now);
		return false;
	}
	moved += ownerImport();
	*busy = moved || res.pending || res.rx_frames || filled.size();
	return true;
}

void VPrimeDevice::reader_thread()
{
	while (!stop) {
		bool busy;
		if (!ownerPass(vprimeNow(), &busy)) {
			struct timespec ts = { 0, 100000000 };
			nanosleep(&ts, 0);
			continue;
		}
		if (!busy)
			ownerSleep(100);
	}
	ownerClose();
}

SSFNET_REGISTER_EMU_DEVICE(VPrimeDevice, EMU_VPRIME_DEVICE);

/* ---- the polling device: the simulator thread owns the handle ------------ */

void VPrimePollDevice::registerEmulationProtocol(EmulationProtocol* emu_proto)
{
	coreRegister(emu_proto, this);
}

void VPrimePollDevice::registerProxiedEmulationProtocol(EmulationDeviceProxy* /*dev*/,
							EmulationProtocol* /*emu_proto*/)
{
	ssfnet_throw_exception(SSFNetException::other_exception,
			       "Cannot call registerProxiedEmulationProtocol() on a VPrimePollDevice!");
}

void VPrimePollDevice::init()
{
	/* exportPacket() and poll() must run on the same thread: the one
	 * simulator thread of a partition run on one processor */
	if (prime::ssf::ssf_num_processors() > 1) {
		LOG_ERROR("the polling vprime device needs one processor per partition "
			  "(libvprime's handle has one owner); drop polling=true" << endl);
	}
	PollingEmulationDevice::init();
	coreInit(getCommunity(), input_channel);
}

void VPrimePollDevice::wrapup()
{
	PollingEmulationDevice::wrapup();
	coreWrapup();
	ownerClose();
}

EmulationProtocol* VPrimePollDevice::ip2EmulationProtocol(IPAddress& ip)
{
	return coreIp2Proto(ip);
}

void VPrimePollDevice::handleProxiedEvent(EmulationEvent* evt)
{
	LOG_WARN("vprime devices do not proxy events; dropping one" << endl);
	evt->free();
}

bool VPrimePollDevice::isActive()
{
	return !stop;
}

bool VPrimePollDevice::requiresSingleInstancePerHost()
{
	return false;
}

int VPrimePollDevice::getDeviceType()
{
	return EMU_VPRIME_POLL_DEVICE;
}

/* The simulator looks for input: one owner pass, at most one sync every
 * VPRIME_POLL_SYNC_NS (the kernel polls in a loop while an event is less
 * than a millisecond away) unless exports wait to be sent; libvprime's
 * descriptor to sleep on. */
void VPrimePollDevice::poll(int* fd)
{
	uint64_t now = vprimeNow();

	count(VPRIME_DEV_polls);
	if (vp && !tx_unsent && now - last_sync_ns < VPRIME_POLL_SYNC_NS) {
		*fd = vprime_fd(vp);
		return;
	}
	last_sync_ns = now;
	tx_unsent = false;
	if (vp)
		exportLateCount(now);
	else
		tx_dues.clear();	/* lost with the handle, not late */
	bool busy;
	if (ownerPass(now, &busy)) {
		/* more than a batch waiting: take the rest in this poll */
		for (int i = 0; busy && i < 8 && vp; i++)
			ownerPass(now, &busy);
	}
	*fd = vp ? vprime_fd(vp) : -1;
}

/* Called by the simulator thread at the packet's simulation time: the
 * packet goes straight into a reserved buffer and onto the guest's TX
 * ring, due when the simulation time maps to the wall clock; the next
 * poll's sync sends it (the kernel polls before it sleeps). */
void VPrimePollDevice::exportPacket(Interface* iface, Packet* pkt)
{
	SSFNET_MAP(UID_t, int)::iterator it =
		iface ? uid2ifc.find(iface->getUID()) : uid2ifc.end();
	if (!pkt || it == uid2ifc.end()) {
		count(VPRIME_DEV_export_bad_event);
		if (pkt)
			pkt->erase();
		return;
	}
	VPrimeIface& ifc = ifaces[it->second];
	if (!vp || ifc.port < 0) {
		count(VPRIME_DEV_export_no_carrier);
		pkt->erase();
		return;
	}
	if (!frameFits(pkt, ifc)) {
		pkt->erase();
		return;
	}
	struct vprime_frame f;
	if (vprime_tx_reserve(vp, VPRIME_BUF_SIZE, &f) < 0) {
		count(VPRIME_DEV_export_no_buf);
		pkt->erase();
		return;
	}
	frameWrite(pkt, ifc, &f);
	uint64_t due = simToMono(getCommunity()->now());
	pkt->erase();
	int rc = vprime_tx_submit(vp, (uint32_t)ifc.port, &f, due);
	if (rc == 0) {
		count(VPRIME_DEV_exported);
		tx_unsent = true;
		tx_dues.push_back(due);
		return;
	}
	if (rc == -EAGAIN)
		count(VPRIME_DEV_export_ring_full);
	else if (rc == -ENETDOWN)
		count(VPRIME_DEV_export_no_carrier);
	else
		count(VPRIME_DEV_export_refused);
	vprime_frame_drop(vp, &f);
}

/* Simulation time @t on dom0's clock without a clock read per packet:
 * where a clock read is a system call (a Xen PV dom0) one a packet was
 * most of the reads primex made.  The kernel's mapping is linear
 * (wallclockToLtime()), so a pair of readings pins it; they are taken
 * again every VPRIME_MAP_NS to follow a changed emulation ratio or a
 * stepped wall clock, the monotonic one on both sides of the other. */
uint64_t VPrimePollDevice::simToMono(prime::ssf::ltime_t t)
{
	/* the last sync's clock reading: the mapping's age, no new read */
	int64_t age = (int64_t)(last_sync_ns - map_ns);

	if (!map_ns || age >= (int64_t)VPRIME_MAP_NS) {
		uint64_t before = vprimeNow();
		map_t = core_ic->wallclockToLtime();
		map_ns = before + (vprimeNow() - before) / 2;
		map_t_per_ns = core_ic->ltimePerRealSecond() / 1e9;
	}
	return vprimeSimToMono(t, map_t, map_ns, map_t_per_ns);
}

/* The packets submitted since the last sync reach dom0 with this one, at
 * @now: those more than VPRIME_LATE_NS past due are late. */
void VPrimePollDevice::exportLateCount(uint64_t now)
{
	for (size_t i = 0; i < tx_dues.size(); i++) {
		if (now > tx_dues[i] + VPRIME_LATE_NS)
			count(VPRIME_DEV_export_late);
	}
	tx_dues.clear();
}

SSFNET_REGISTER_EMU_DEVICE(VPrimePollDevice, EMU_VPRIME_POLL_DEVICE);

} //namespace ssfnet
} //namespace prime

#endif /*SSFNET_EMULATION*/
