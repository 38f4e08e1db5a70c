/* SPDX-License-Identifier: GPL-2.0 */
/*
 * front.h - vprime-front.ko: the guest's xenbus frontend of device class
 * "vprime", presented as an ordinary Ethernet netdev.
 *
 *   xenbus.c   state machine, xenstore negotiation, probe/remove/resume
 *   rings.c    control page, ring pages, buffer pools: allocate, grant,
 *              revoke (XSA-396), event channel
 *   netdev.c   net_device_ops, ethtool, carrier, transmit
 *   napi.c     interrupt, NAPI poll: TXC reap, RX, FILL refill
 *
 * All ring work goes through common/vp_front.c, which checks every value
 * the backend wrote.  struct vp_front is not thread-safe: every call into
 * it is made under vpf_dev.lock (the transmit path and the NAPI poll run
 * on different CPUs).
 */
#ifndef VPF_FRONT_H
#define VPF_FRONT_H

/* Every file includes front.h first, so the prefix is set once here. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include "vp_front.h"
#include "vp_hist.h"
#include "vp_regrant.h"
#include "vprime_if.h"

#define VPF_DRV_NAME	"vprime-front"

/*
 * Device counters beyond vp_front's: X(name, description).  They survive
 * reconnects; ethtool -S prints them all.
 */
#define VPF_DEV_STATS(X)						\
	X(rx_packets,		"frames received")			\
	X(rx_bytes,		"bytes received")			\
	X(tx_packets,		"frames sent")				\
	X(tx_bytes,		"bytes sent")				\
	X(rx_drop_bad,		"receive dropped: backend frame failed a check") \
	X(rx_drop_nomem,	"receive dropped: no memory for an skb") \
	X(rx_drop_csum,		"receive dropped: checksum setup failed") \
	X(tx_drop_no_link,	"transmit dropped: not connected or no engine") \
	X(tx_drop_size,		"transmit dropped: frame too short or too long") \
	X(tx_drop_csum,		"transmit dropped: software checksum failed") \
	X(tx_drop_ring_full,	"transmit dropped: ring or slots full")	\
	X(ring_broken,		"backend broke the rings (device disabled)") \
	X(connects,		"connections to a backend")		\
	X(resets,		"reconnects after the backend restarted") \
	X(irq_spurious,		"event-channel interrupts with nothing to do") \
	X(grant_busy_pages,	"pages the backend still mapped at teardown (freed once it unmaps)") \
	X(held_pages,		"pages of earlier connections the backend maps now") \
	X(regrant_waits,	"backend InitWaits answered with no new pages: it still mapped old ones") \
	X(regrant_rereads,	"the same backend InitWait read again while waiting (not counted)") \
	X(regrant_gave_up,	"backends given up on (device left unconnected until re-added)")

#define VPF_DEV_STAT_ENUM(n, d) VPF_STAT_##n,
enum vpf_stat_id {
	VPF_DEV_STATS(VPF_DEV_STAT_ENUM)
	VPF_STAT_MAX
};
#undef VPF_DEV_STAT_ENUM

/* One granted page: its kernel address and grant reference. */
struct vpf_gpage {
	void *va;
	grant_ref_t ref;
};

/* Pages one connection grants, at most: control, rings, both pools. */
#define VPF_SET_PAGES_MAX (1 + VPRIME_NR_RINGS + 2 * VPRIME_POOL_PAGES_MAX)

/*
 * Pages of torn-down connections the backend still maps: kept here, not
 * on the grant table's deferred list, so the frontend knows how many there
 * are and grants no new set while any remain (vp_regrant.h).  Never more
 * than one set.
 */
struct vpf_held {
	struct {
		void *va;
		grant_ref_t ref;
		bool exact;	/* from xenbus_setup_ring() */
	} page[VPF_SET_PAGES_MAX];
	u32 nr;
};

/* rings.c: everything the backend is given at connect. */
struct vpf_rings {
	struct vpf_gpage ctrl;
	struct vpf_gpage ring[VPRIME_NR_RINGS];
	struct vpf_gpage tx[VPRIME_POOL_PAGES_MAX];
	struct vpf_gpage rx[VPRIME_POOL_PAGES_MAX];
	void *tx_va[VPRIME_POOL_PAGES_MAX];	/* for vp_front_init() */
	void *rx_va[VPRIME_POOL_PAGES_MAX];
	u32 tx_nr_pages;
	u32 rx_nr_pages;
	struct vp_front_mem mem;
	evtchn_port_t evtchn;
	int irq;		/* 0: not bound */
	bool up;		/* vp_front_init() done, memory valid */
};

/* What xenbus.c negotiated with the backend. */
struct vpf_features {
	u32 version;
	u32 pool_pages;
	bool csum;		/* request-csum-offload written as 1 */
	bool jumbo;
	bool cons_event;	/* request-cons-event written as 1 */
};

/* vpf_dev.flags bits */
enum {
	VPF_F_EOI_PENDING,	/* an event was taken; lateeoi still owed */
};

struct vpf_dev {
	struct net_device *ndev;
	struct xenbus_device *xbdev;
	struct napi_struct napi;
	/* Serialises every vp_front call, ->connected and the counters. */
	spinlock_t lock;
	struct vp_front front;
	bool connected;		/* backend Connected, data path live */
	bool napi_on;		/* napi_enable()d; changes under RTNL */
	bool broken_seen;	/* logged the broken ring once */
	bool poll_work;		/* NAPI found work since the last EOI */
	bool idle_repoll;	/* re-polled once after a pass with no work */
	bool published;		/* our keys are in xenstore */
	unsigned long flags;
	struct vpf_features feat;
	u32 max_frame;		/* largest frame, either way */
	u32 tx_slots_max;	/* slots a max_frame needs */
	struct vpf_rings rings;
	struct vpf_held held;
	struct vp_regrant regrant;	/* under the xenbus watch, like ->rings */
	u64 stats[VPF_STAT_MAX];
	u64 front_stats[VP_FRONT_STAT_MAX];	/* of past connections */
	/*
	 * Latency histograms, under @lock like the counters; ethtool -S
	 * prints them after them as lat_tx_* and lat_rx_*.
	 * lat_tx: ndo_start_xmit to the frame's slot back on TXC.
	 * lat_rx: the interrupt (@irq_ns) to the NAPI poll taking the frame.
	 */
	struct vp_hist lat_tx;
	struct vp_hist lat_rx;
	u64 irq_ns;		/* first interrupt not yet polled to idle, 0 */
};

/* main.c: the module's parameters */
extern unsigned int vpf_pool_pages;
extern bool vpf_csum_offload;

/* xenbus.c APIs: */
int vpf_xenbus_init(void);
void vpf_xenbus_exit(void);

/* rings.c APIs: */
int vpf_rings_setup(struct vpf_dev *vpf, u32 pool_pages);
void vpf_rings_teardown(struct vpf_dev *vpf);
u32 vpf_rings_held_retry(struct vpf_dev *vpf);
void vpf_rings_held_release(struct vpf_dev *vpf);

/* netdev.c APIs: */
struct vpf_dev *vpf_netdev_create(struct xenbus_device *xbdev,
				  const u8 *mac);
int vpf_netdev_register(struct vpf_dev *vpf);
void vpf_netdev_destroy(struct vpf_dev *vpf);
void vpf_netdev_negotiated(struct vpf_dev *vpf);
void vpf_netdev_attach(struct vpf_dev *vpf);
void vpf_netdev_detach(struct vpf_dev *vpf);
void vpf_netdev_carrier_update(struct vpf_dev *vpf);
void vpf_netdev_tx_wake(struct vpf_dev *vpf);

/* napi.c APIs: */
irqreturn_t vpf_napi_interrupt(int irq, void *dev_id);
int vpf_napi_poll(struct napi_struct *napi, int budget);
void vpf_napi_start(struct vpf_dev *vpf);
void vpf_napi_stop(struct vpf_dev *vpf);

#endif /* VPF_FRONT_H */
