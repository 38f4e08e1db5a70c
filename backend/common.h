/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * common.h - vprime-back.ko: every shared struct and prototype, grouped
 * by the file that defines them.
 *
 * Objects and their locks:
 *
 *   vpb_dev     one xenbus device backend/vprime/<domid>/<devid>.
 *              xb_mutex  serializes the xenbus side (probe, frontend
 *                        changes, fatal work, remove): connect/disconnect.
 *              lock      spinlock guarding the data path: @live (guest
 *                        rings and pools mapped, irq bound), @guest,
 *                        @stats, @owner/@port.  Taken by sync and poll,
 *                        and by connect/disconnect around the flip of
 *                        @live, so sync never touches unmapped memory and
 *                        never sleeps.
 *              ref       kref: one for the device list, one per engine
 *                        port holding it (a removed device lives on as
 *                        VPRIME_PORT_GONE until the engine detaches).
 *   vpb_file    one open /dev/vprime (an engine).
 *              lock      mutex serializing its ioctls and poll.
 *
 * Lock order: vpb_file.lock -> vpb_devs_lock -> vpb_dev.lock;
 *             vpb_dev.xb_mutex -> vpb_dev.lock.
 * The irq handler takes none: it reads @owner under RCU and counts in
 * atomics.
 */
#ifndef VPB_COMMON_H
#define VPB_COMMON_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/hrtimer.h>
#include <linux/workqueue.h>
#include <xen/xenbus.h>
#include <xen/grant_table.h>

#include "vp_sync.h"

#define VPB_INVALID_HANDLE	((grant_handle_t)~0U)

/* Configuration read once from xenstore at connect. */
struct vpb_xs_config {
	u32 version;
	u32 ctrl_ref;
	u32 evtchn;
	u32 tx_pool_pages;
	u32 rx_pool_pages;
	bool csum;
	bool cons_event;
	u32 mtu;
};

/* A pool of one direction: granted pages mapped into ballooned pages. */
struct vpb_map_pool {
	struct page **pages;
	void **va;
	grant_handle_t *handles;
	u32 nr;			/* pages in the arrays */
	bool readonly;
};

struct vpb_file;

struct vpb_dev {
	struct list_head node;		/* on vpb_devs, under vpb_devs_lock */
	struct kref ref;
	struct mutex xb_mutex;
	struct xenbus_device *xbdev;	/* NULL once removed */
	u32 domid;
	u32 devid;

	/* Toolstack's, from the backend directory at probe and connect. */
	u8 mac[6];
	char name[VPRIME_NAME_LEN];
	/* Snapshots for LIST and debugfs (written under xb_mutex). */
	u32 be_state;
	u32 fe_state;
	u32 mtu;
	bool csum;
	u32 xs_rejects;			/* bad xenstore values seen */
	u32 connects;
	/*
	 * The largest pool, pages per direction, this device accepts: the
	 * toolstack's pool-pages or the module's max_pool_pages, fixed at
	 * probe and offered to the frontend as max-pool-pages.
	 */
	u32 max_pool_pages;
	u32 pool_pages[2];		/* TX, RX of the live connection */
	atomic_t grants_mapped;		/* this device's share of the count */

	/* Mapped at connect, under xb_mutex; used under @lock if @live. */
	struct vprime_ctrl *ctrl;
	void *rings;			/* 4 contiguous mapped ring pages */
	struct vpb_map_pool tx_pool;
	struct vpb_map_pool rx_pool;
	int irq;			/* > 0 while bound */

	spinlock_t lock;
	bool live;
	bool removed;
	struct vp_guest guest;
	u64 stats[VPRIME_STAT_MAX];
	struct vpb_file __rcu *owner;	/* engine holding the device */
	u32 port;			/* its port index there */

	/* The irq handler's own counters and rate limit. */
	atomic64_t ev_count;
	atomic64_t ev_limited;
	unsigned long ev_window;	/* jiffies the window started */
	u32 ev_tx_prod;			/* guest TX/FILL prod at the last */
	u32 ev_fill_prod;		/* event: did the guest move since? */
	u32 ev_in_window;
	/*
	 * Reaction time of the engine: ev_stamp is the clock at the first
	 * event with work since the engine's last sync over the port (0:
	 * none; set by the irq handler, taken by the sync with xchg);
	 * lat_wake, under @lock, counts the time from it to the sync pass
	 * that moved frames (debugfs only: the STATS ioctl has no room).
	 */
	u64 ev_stamp;
	u64 lat_wake[VPRIME_LAT_NR];

	struct work_struct fatal_work;	/* disable a broken guest */
};

/* One engine port: the device behind it and its rings in the area. */
struct vpb_fport {
	struct vpb_dev *dev;		/* NULL: port free */
	struct vp_eport ep;
};

struct vpb_file {
	struct mutex lock;
	wait_queue_head_t wq;
	void *area;			/* vmalloc_user, NULL before SETUP */
	struct vprime_area_hdr hdr;	/* trusted copy */
	struct vp_engine eng;
	struct vpb_fport *ports;		/* hdr.max_ports */
	atomic_t state_changed;		/* a port's state moved: POLLPRI */
	struct hrtimer timer;		/* wakes for a deferred TX frame */
};

/* Module-wide counters for debugfs leak checks. */
extern atomic_t vpb_nr_grants_mapped;
extern atomic_t vpb_nr_evtchns_bound;
extern atomic_t vpb_nr_areas;
extern atomic_t vpb_nr_devs;
extern atomic_t vpb_nr_files;
extern atomic_t vpb_nr_xs_rejects;
extern atomic_t vpb_nr_guests_disabled;

/* Device list: every vpb_dev that xenbus knows, under vpb_devs_lock. */
extern struct list_head vpb_devs;
extern struct mutex vpb_devs_lock;

/* Module parameters. */
extern unsigned int vpb_max_pool_pages;
extern unsigned int vpb_sync_budget;
extern unsigned int vpb_event_rate;
extern unsigned int vpb_drain_ms;
extern unsigned int vpb_retry_us;
extern unsigned int vpb_hold_max;

/* xenbus.c APIs: */
int vpb_xenbus_init(void);
void vpb_xenbus_exit(void);
void vpb_dev_put(struct vpb_dev *dev);

/* interface.c APIs: */
int vpb_connect(struct vpb_dev *dev, const struct vpb_xs_config *cfg);
void vpb_disconnect(struct vpb_dev *dev, u32 port_state);
void vpb_dev_set_carrier(struct vpb_dev *dev, bool on);
void vpb_dev_port_state(struct vpb_dev *dev, u32 state);

/* dev.c APIs: */
int vpb_chardev_init(void);
void vpb_chardev_exit(void);
void vpb_file_wake(struct vpb_file *vf, bool state_changed);

/* debugfs.c APIs: */
void vpb_debugfs_init(void);
void vpb_debugfs_exit(void);

#endif /* VPB_COMMON_H */
