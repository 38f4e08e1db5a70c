// SPDX-License-Identifier: GPL-2.0
/*
 * hostile.c - vprime-hostile.ko: a frontend of xenbus device class
 * "vprime" that connects correctly (common/vp_front.c) and then, on
 * command, writes the bad inputs of the Xen PV-driver advisories
 * (shared/reference/anchors.md) against the live backend.  Load it in a
 * test guest INSTEAD of vprime-front.  One device (the first probed).
 *
 *   echo NAME [SECS] > /sys/module/vprime_hostile/parameters/attack
 *   cat /sys/module/vprime_hostile/parameters/attack     # last result
 *   cat /sys/module/vprime_hostile/parameters/status     # state, counters
 *
 * Attacks (docs/security.md maps them to advisories and scenarios):
 *   frames      valid frames (to an unknown MAC), service check
 *   bad_slot bad_extent zero_len oversize runt bad_fill    per-frame checks
 *   too_many_slots  6-slot chain (fatal for the device)
 *   idx_far idx_back fill_far txc_cons_far rx_cons_far    bad indices (fatal)
 *   desc_flip SECS  kthread rewrites posted descriptors while dom0 reads
 *   idx_flip SECS   kthread flips TX prod between sane and insane (fatal)
 *   one_short SECS  TX ring kept one entry short of full, TXC never reaped
 *   stall SECS      no TXC reaping, no RX consumption, no FILL
 *   rx_hold SECS    no RX consumption, FILL kept posted (the spin attack)
 *   storm SECS      event-channel notifications in a tight loop
 *   xs_junk SECS    junk, huge, rapidly rewritten values and a node flood
 *                   in our own xenstore directory while connected
 *   xs_reject K=V   reconnect publishing K=V (bad value before connect)
 *   state_storm N   N rapid writes of our state node, junk included
 *   bad_ref         reconnect with an invalid pool grant ref
 *   revoked_ref     reconnect with a pool grant revoked before connect
 *   revoke_live     try to end foreign access on a mapped pool page
 *   cycle           close and reconnect
 *
 * Module parameters at load: pool_pages (8..256), hold (stop the state
 * walk at 1 Initialising, 3 Initialised, 4 Connected: to die there),
 * rejoin (reconnect by itself after the backend closed us).
 *
 * Teardown ends foreign access with gnttab_end_foreign_access(), which
 * defers freeing a page the backend still maps: the module may die in
 * any state without freeing a mapped page.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "vp_front.h"
#include "vp_ring.h"
#include "vprime_if.h"

#define RMASK (VPRIME_RING_SIZE - 1)

static unsigned int pool_pages = 32;
module_param(pool_pages, uint, 0444);
MODULE_PARM_DESC(pool_pages, "pool pages per direction (8..256)");
static unsigned int hold;
module_param(hold, uint, 0644);
MODULE_PARM_DESC(hold, "stop the state walk at this state (1, 3, 4; 0 no)");
static bool rejoin = true;
module_param(rejoin, bool, 0644);
MODULE_PARM_DESC(rejoin, "reconnect after the backend closed us");
static bool service = true;
module_param(service, bool, 0644);
MODULE_PARM_DESC(service, "reap TXC, consume RX, post FILL every 100 ms");

struct hx_page {
	struct page *page;
	void *va;
	grant_ref_t ref;	/* INVALID_GRANT_REF: not granted */
};

struct hx_dev {
	struct xenbus_device *xbdev;
	struct mutex lock;		/* everything below */
	struct hx_page ctrl, ring[VPRIME_NR_RINGS];
	struct hx_page tx[VPRIME_POOL_PAGES_MAX], rx[VPRIME_POOL_PAGES_MAX];
	void *tx_va[VPRIME_POOL_PAGES_MAX], *rx_va[VPRIME_POOL_PAGES_MAX];
	u32 npages;
	struct vp_front_mem mem;
	struct vp_front f;
	evtchn_port_t evtchn;
	int irq;
	bool up;			/* rings set up */
	bool connected;
	bool quiet;		/* no servicing until the next connect */
	/* one-shot overrides for the next publish */
	char xs_key[32], xs_val[64];
	int bad_ref;			/* 1 invalid, 2 revoked */
	/* counters */
	u32 connects, teardowns, attacks;
	u64 events_in, notifies;
	struct delayed_work service_work;
};

static struct hx_dev *hx;
static DEFINE_MUTEX(hx_global);	/* hx pointer and attack serialisation */
static char hx_result[256] = "none";

/* ---- pages ------------------------------------------------------------ */

static int hx_page_share(struct hx_dev *d, struct hx_page *p, bool ro)
{
	int ref;

	p->ref = INVALID_GRANT_REF;
	p->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!p->page)
		return -ENOMEM;
	p->va = page_address(p->page);
	ref = gnttab_grant_foreign_access(d->xbdev->otherend_id,
					  xen_page_to_gfn(p->page), ro);
	if (ref < 0) {
		__free_page(p->page);
		p->page = NULL;
		p->va = NULL;
		return ref;
	}
	p->ref = ref;
	return 0;
}

/* End access; a page the backend still maps is freed later by gnttab. */
static void hx_page_end(struct hx_page *p)
{
	if (!p->page)
		return;
	if (p->ref != INVALID_GRANT_REF)
		gnttab_end_foreign_access(p->ref, p->page);
	else
		__free_page(p->page);
	p->page = NULL;
	p->va = NULL;
	p->ref = INVALID_GRANT_REF;
}

static irqreturn_t hx_interrupt(int irq, void *data)
{
	struct hx_dev *d = data;

	d->events_in++;
	xen_irq_lateeoi(irq, 0);
	return IRQ_HANDLED;
}

static void hx_teardown(struct hx_dev *d)
{
	u32 i;

	d->connected = false;
	if (d->irq > 0) {
		unbind_from_irqhandler(d->irq, d);
		d->irq = 0;
	}
	for (i = 0; i < d->npages; i++) {
		hx_page_end(&d->tx[i]);
		hx_page_end(&d->rx[i]);
	}
	for (i = 0; i < VPRIME_NR_RINGS; i++)
		hx_page_end(&d->ring[i]);
	hx_page_end(&d->ctrl);
	kfree(d->mem.tx_free);
	kfree(d->mem.tx_owner);
	kfree(d->mem.rx_free);
	kfree(d->mem.rx_owner);
	memset(&d->mem, 0, sizeof(d->mem));
	if (d->up)
		d->teardowns++;
	d->up = false;
	d->npages = 0;
}

static const char *const hx_keys[] = {
	VPRIME_XS_PROTO_VERSION, VPRIME_XS_CTRL_REF, VPRIME_XS_EVTCHN,
	VPRIME_XS_TX_POOL_PAGES, VPRIME_XS_RX_POOL_PAGES, VPRIME_XS_REQ_CSUM,
	VPRIME_XS_MTU,
};

/* Share everything, publish (with the one-shot overrides), Initialised. */
static int hx_connect(struct hx_dev *d)
{
	struct vprime_desc *ring[VPRIME_NR_RINGS];
	struct xenbus_transaction xbt;
	struct vprime_ctrl *ctrl;
	u32 i, nslots, val[ARRAY_SIZE(hx_keys)];
	int err;

	hx_teardown(d);
	d->npages = clamp_t(u32, pool_pages, VPRIME_POOL_PAGES_MIN,
			    VPRIME_POOL_PAGES_MAX);
	err = hx_page_share(d, &d->ctrl, false);
	for (i = 0; !err && i < VPRIME_NR_RINGS; i++)
		err = hx_page_share(d, &d->ring[i], false);
	for (i = 0; !err && i < d->npages; i++) {
		err = hx_page_share(d, &d->tx[i], true);
		if (!err)
			err = hx_page_share(d, &d->rx[i], false);
		d->tx_va[i] = d->tx[i].va;
		d->rx_va[i] = d->rx[i].va;
	}
	nslots = d->npages * VPRIME_SLOTS_PER_PAGE;
	d->mem.tx_free = kcalloc(nslots, sizeof(u32), GFP_KERNEL);
	d->mem.tx_owner = kcalloc(nslots, 1, GFP_KERNEL);
	d->mem.rx_free = kcalloc(nslots, sizeof(u32), GFP_KERNEL);
	d->mem.rx_owner = kcalloc(nslots, 1, GFP_KERNEL);
	if (!err && (!d->mem.tx_free || !d->mem.tx_owner || !d->mem.rx_free ||
		     !d->mem.rx_owner))
		err = -ENOMEM;
	if (err)
		goto fail;
	ctrl = d->ctrl.va;
	vp_front_ctrl_init(ctrl, d->npages, d->npages);
	for (i = 0; i < VPRIME_NR_RINGS; i++) {
		ctrl->ring_ref[i] = d->ring[i].ref;
		ring[i] = d->ring[i].va;
	}
	for (i = 0; i < d->npages; i++) {
		ctrl->tx_pool_ref[i] = d->tx[i].ref;
		ctrl->rx_pool_ref[i] = d->rx[i].ref;
	}
	if (d->bad_ref == 1) {
		ctrl->rx_pool_ref[d->npages - 1] = 0x7ffffff0u;
	} else if (d->bad_ref == 2) {
		/* granted, then revoked before the backend could map it */
		struct hx_page *p = &d->rx[d->npages - 1];

		if (gnttab_try_end_foreign_access(p->ref))
			p->ref = INVALID_GRANT_REF;
	}
	d->bad_ref = 0;
	d->quiet = false;
	vp_front_init(&d->f, ctrl, ring, d->tx_va, d->npages, d->rx_va,
		      d->npages, 1518, &d->mem);
	d->up = true;

	err = xenbus_alloc_evtchn(d->xbdev, &d->evtchn);
	if (err)
		goto fail;
	err = bind_evtchn_to_irqhandler_lateeoi(d->evtchn, hx_interrupt, 0,
						"vprime-hostile", d);
	if (err < 0) {
		xenbus_free_evtchn(d->xbdev, d->evtchn);
		goto fail;
	}
	d->irq = err;

	val[0] = 1;
	val[1] = d->ctrl.ref;
	val[2] = d->evtchn;
	val[3] = d->npages;
	val[4] = d->npages;
	val[5] = 0;
	val[6] = 1500;
again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		goto fail;
	for (i = 0; !err && i < ARRAY_SIZE(hx_keys); i++) {
		if (d->xs_key[0] && !strcmp(d->xs_key, hx_keys[i]))
			err = xenbus_write(xbt, d->xbdev->nodename, hx_keys[i],
					   d->xs_val);
		else
			err = xenbus_printf(xbt, d->xbdev->nodename,
					    hx_keys[i], "%u", val[i]);
	}
	if (err) {
		xenbus_transaction_end(xbt, 1);
		goto fail;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err)
		goto fail;
	if (d->xs_key[0])
		pr_info("published %s=%.40s on purpose\n", d->xs_key,
			d->xs_val);
	d->xs_key[0] = 0;
	if (hold == 1)
		return 0;
	return xenbus_switch_state(d->xbdev, XenbusStateInitialised);

fail:
	pr_err("connect failed: %d\n", err);
	hx_teardown(d);
	return err;
}

/* ---- state walk --------------------------------------------------------- */

static bool hx_backend_online(struct hx_dev *d)
{
	int online;

	if (xenbus_scanf(XBT_NIL, d->xbdev->otherend, "online", "%d",
			 &online) != 1)
		return false;
	return online == 1;
}

static void hx_backend_changed(struct xenbus_device *xbdev,
			       enum xenbus_state bs)
{
	struct hx_dev *d = dev_get_drvdata(&xbdev->dev);
	enum xenbus_state fs = xbdev->state;

	if (!d)
		return;
	mutex_lock(&d->lock);
	switch (bs) {
	case XenbusStateInitWait:
		if (fs == XenbusStateInitialising || fs == XenbusStateClosed ||
		    fs == XenbusStateConnected) {
			if (fs != XenbusStateInitialising)
				xenbus_switch_state(xbdev,
						    XenbusStateInitialising);
			if (hold != 1 && !hx_connect(d))
				d->connects++;
		}
		break;
	case XenbusStateConnected:
		if (fs == XenbusStateInitialised && hold != 3) {
			xenbus_switch_state(xbdev, XenbusStateConnected);
			d->connected = true;
			vp_front_fill(&d->f);
			if (d->irq > 0)
				notify_remote_via_irq(d->irq);
		}
		break;
	case XenbusStateClosing:
		d->connected = false;
		if (fs != XenbusStateClosed)
			xenbus_switch_state(xbdev, XenbusStateClosed);
		break;
	case XenbusStateClosed:
		hx_teardown(d);
		if (fs != XenbusStateClosed)
			xenbus_switch_state(xbdev, XenbusStateClosed);
		if (rejoin && hx_backend_online(d))
			xenbus_switch_state(xbdev, XenbusStateInitialising);
		break;
	default:
		break;
	}
	mutex_unlock(&d->lock);
}

/* ---- data path helpers (d->lock held) ------------------------------------ */

static void hx_notify(struct hx_dev *d)
{
	if (d->irq > 0) {
		notify_remote_via_irq(d->irq);
		d->notifies++;
	}
}

static void hx_service_locked(struct hx_dev *d)
{
	struct vp_frame fr;
	int n = 0;

	if (!d->connected)
		return;
	vp_front_txc_reap(&d->f);
	while (n++ < 256 && vp_front_rx_next(&d->f, &fr) > 0)
		vp_front_rx_release(&d->f, &fr);
	vp_front_rx_commit(&d->f);
	if (vp_front_fill(&d->f))
		hx_notify(d);
	vp_front_arm(&d->f);
}

static void hx_service_fn(struct work_struct *w)
{
	struct hx_dev *d = container_of(w, struct hx_dev, service_work.work);

	if (READ_ONCE(service)) {
		mutex_lock(&d->lock);
		if (!d->quiet)
			hx_service_locked(d);
		mutex_unlock(&d->lock);
	}
	schedule_delayed_work(&d->service_work, HZ / 10);
}

static const u8 hx_frame_hdr[14] = {
	0x02, 0, 0, 0, 0, 0x99,		/* dst: nobody */
	0x02, 0, 0, 0, 0, 0x66,		/* src */
	0x88, 0xb5,			/* local experimental ethertype */
};

/* Put raw descriptor @i ahead of prod (not published). */
static void hx_raw(struct hx_dev *d, u32 slot, u16 off, u16 len, u16 flags)
{
	struct vprime_desc *r = d->f.ring[VPRIME_RING_TX];
	struct vprime_desc *e = &r[d->f.tx_prod & RMASK];

	e->slot = slot;
	e->off = off;
	e->len = len;
	e->flags = flags;
	e->rsvd0 = 0;
	e->rsvd1 = 0;
	if (slot < d->f.tx_pool.nr_slots)
		d->f.tx_owner[slot] = VP_SLOT_BACKEND;
	d->f.tx_prod++;
}

/* A guest-owned TX slot with a frame header in it, or -1. */
static long hx_slot(struct hx_dev *d)
{
	long s = vp_front_tx_slot_get(&d->f);

	if (s >= 0)
		memcpy(vp_pool_slot(&d->f.tx_pool, s), hx_frame_hdr,
		       sizeof(hx_frame_hdr));
	return s;
}

static void hx_push(struct hx_dev *d)
{
	vp_front_tx_push(&d->f);
	hx_notify(d);	/* always: a hostile guest does not care */
}

/* Send @n frames of one bad kind; returns how many were posted. */
static int hx_bad_frames(struct hx_dev *d, const char *kind, int n)
{
	int i, k, posted = 0;

	for (i = 0; i < n; i++) {
		hx_service_locked(d);
		if (vp_front_tx_room(&d->f) < 6)
			break;
		if (!strcmp(kind, "frames")) {
			vp_front_tx_frame(&d->f, hx_frame_hdr, 60, 0);
		} else if (!strcmp(kind, "bad_slot")) {
			hx_raw(d, d->f.tx_pool.nr_slots + 7 + i, 0, 60, 0);
		} else if (!strcmp(kind, "bad_extent")) {
			hx_raw(d, hx_slot(d), 2000, 100, 0);
		} else if (!strcmp(kind, "zero_len")) {
			hx_raw(d, hx_slot(d), 0, 0, 0);
		} else if (!strcmp(kind, "runt")) {
			hx_raw(d, hx_slot(d), 0, 10, 0);
		} else if (!strcmp(kind, "oversize")) {
			for (k = 0; k < 5; k++)
				hx_raw(d, hx_slot(d), 0, 2048,
				       k < 4 ? VPRIME_DESC_F_MORE : 0);
		} else if (!strcmp(kind, "too_many_slots")) {
			for (k = 0; k < 6; k++)
				hx_raw(d, hx_slot(d), 0, 100,
				       k < 5 ? VPRIME_DESC_F_MORE : 0);
		} else if (!strcmp(kind, "bad_fill")) {
			struct vprime_desc *e = &d->f.ring[VPRIME_RING_FILL]
						[d->f.fill_prod & RMASK];
			u32 cons = READ_ONCE(d->f.ctrl->ring[VPRIME_RING_FILL].cons);

			if (d->f.fill_prod - cons >= VPRIME_RING_SIZE)
				break;
			memset(e, 0, sizeof(*e));
			e->slot = 0xfffff000u + i;
			d->f.fill_prod++;
			virt_wmb();
			WRITE_ONCE(d->f.ctrl->ring[VPRIME_RING_FILL].prod,
				   d->f.fill_prod);
			hx_notify(d);
			posted++;
			continue;
		} else {
			return -EINVAL;
		}
		hx_push(d);
		posted++;
	}
	return posted;
}

/* ---- kthreads for the time-of-check/time-of-use attacks ------------------ */

struct hx_flip {
	struct page *ctrl_pg, *tx_pg;	/* extra refs: teardown may run */
	struct vprime_ctrl *ctrl;
	struct vprime_desc *tx;
	u32 nr_slots;
	bool idx;		/* flip TX prod (else descriptors) */
	u64 flips;
};

static int hx_flip_fn(void *arg)
{
	struct hx_flip *fl = arg;
	struct vprime_desc *r = fl->tx;
	u32 *prod = &fl->ctrl->ring[VPRIME_RING_TX].prod;
	u32 i = 0;

	while (!kthread_should_stop()) {
		if (fl->idx) {
			u32 good = READ_ONCE(*prod);

			WRITE_ONCE(*prod, good + 0x40000000u);
			WRITE_ONCE(*prod, good);
		} else {
			struct vprime_desc *e = &r[i++ & RMASK];

			WRITE_ONCE(e->len, (i & 1) ? 0 : 60);
			WRITE_ONCE(e->off, (i & 2) ? 2040 : 0);
			WRITE_ONCE(e->slot, (i & 4) ? 0x7fffffffu :
				   (i >> 3) % fl->nr_slots);
		}
		fl->flips++;
		if ((fl->flips & 1023) == 0)
			cond_resched();
	}
	return 0;
}

/* Post valid frames while a kthread rewrites what was posted. */
static int hx_flip_attack(struct hx_dev *d, bool idx, int secs)
{
	struct hx_flip fl = {
		.ctrl_pg = d->ctrl.page, .tx_pg = d->ring[VPRIME_RING_TX].page,
		.ctrl = d->ctrl.va, .tx = d->ring[VPRIME_RING_TX].va,
		.nr_slots = d->f.tx_pool.nr_slots, .idx = idx,
	};
	unsigned long end = jiffies + secs * HZ;
	struct task_struct *t;
	u64 frames = 0;

	/* The pages outlive a teardown (backend closing us) while we flip. */
	get_page(fl.ctrl_pg);
	get_page(fl.tx_pg);
	t = kthread_run(hx_flip_fn, &fl, "vprime-hostile-flip");
	if (IS_ERR(t)) {
		put_page(fl.ctrl_pg);
		put_page(fl.tx_pg);
		return PTR_ERR(t);
	}
	while (time_before(jiffies, end) && d->connected) {
		u32 cons;

		hx_service_locked(d);
		cons = READ_ONCE(d->f.ctrl->ring[VPRIME_RING_TX].cons);
		if (d->f.tx_nfree < 2 && cons == d->f.tx_prod) {
			/* dom0 read everything: take every slot back */
			u32 s;

			for (s = 0; s < d->f.tx_pool.nr_slots; s++) {
				d->f.tx_free[s] = s;
				d->f.tx_owner[s] = VP_SLOT_GUEST;
			}
			d->f.tx_nfree = d->f.tx_pool.nr_slots;
		}
		if (!vp_front_tx_frame(&d->f, hx_frame_hdr, 60, 0)) {
			frames++;
			hx_push(d);
		}
		mutex_unlock(&d->lock);
		usleep_range(200, 400);
		mutex_lock(&d->lock);
	}
	kthread_stop(t);
	put_page(fl.ctrl_pg);
	put_page(fl.tx_pg);
	snprintf(hx_result, sizeof(hx_result),
		 "%s: %llu frames, %llu flips, connected=%d", idx ? "idx_flip" :
		 "desc_flip", frames, fl.flips, d->connected);
	return 0;
}

/* ---- the attacks -------------------------------------------------------- */

static void hx_cycle(struct hx_dev *d)
{
	/* Closing: the backend closes, we close, we rejoin (rejoin=1). */
	d->connected = false;
	xenbus_switch_state(d->xbdev, XenbusStateClosing);
}

static int hx_wait_connected(struct hx_dev *d, int secs)
{
	int i;

	for (i = 0; i < secs * 10; i++) {
		if (READ_ONCE(d->connected))
			return 0;
		mutex_unlock(&d->lock);
		msleep(100);
		mutex_lock(&d->lock);
	}
	return -ETIMEDOUT;
}

static int hx_xs_junk(struct hx_dev *d, int secs)
{
	static const char *const keys[] = { "mtu", "tx-pool-pages",
		"rx-pool-pages", "protocol-version", "ctrl-ref",
		"event-channel", "request-csum-offload", "mac" };
	unsigned long end = jiffies + secs * HZ;
	const char *node = d->xbdev->nodename;
	char *huge, name[32];
	u32 writes = 0, floods = 0, i;
	int err;

	huge = kmalloc(4000, GFP_KERNEL);
	if (!huge)
		return -ENOMEM;
	memset(huge, '9', 3999);
	huge[3999] = 0;
	while (time_before(jiffies, end)) {
		const char *k = keys[writes % ARRAY_SIZE(keys)];

		mutex_unlock(&d->lock);
		switch (writes % 4) {
		case 0: xenbus_write(XBT_NIL, node, k, huge); break;
		case 1: xenbus_write(XBT_NIL, node, k, "-1"); break;
		case 2: xenbus_write(XBT_NIL, node, k, "0x10\n junk"); break;
		default: xenbus_printf(XBT_NIL, node, k, "%u", get_random_u32());
		}
		writes++;
		/* a node flood in our own directory (XSA-349 class) */
		snprintf(name, sizeof(name), "junk-%u", floods % 500);
		if (!xenbus_write(XBT_NIL, node, name, huge + 3000))
			floods++;
		mutex_lock(&d->lock);
		if ((writes & 15) == 0)
			hx_service_locked(d);
	}
	mutex_unlock(&d->lock);
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "junk-%u", i);
		xenbus_rm(XBT_NIL, node, name);
	}
	mutex_lock(&d->lock);
	kfree(huge);
	err = d->connected ? 0 : -ENOTCONN;
	snprintf(hx_result, sizeof(hx_result),
		 "xs_junk: %u writes, %u flood nodes, still connected=%d",
		 writes, floods, d->connected);
	return err;
}

static int hx_state_storm(struct hx_dev *d, int n)
{
	static const char *const vals[] = { "1", "3", "4", "5", "2", "7",
		"99", "-1", "junk", "4", "3", "1" };
	int i;

	/* Without the lock: our own callback answers as the storm goes. */
	mutex_unlock(&d->lock);
	for (i = 0; i < n; i++)
		xenbus_write(XBT_NIL, d->xbdev->nodename, "state",
			     vals[i % ARRAY_SIZE(vals)]);
	mutex_lock(&d->lock);
	snprintf(hx_result, sizeof(hx_result), "state_storm: %d writes", n);
	return 0;
}

static int hx_attack(struct hx_dev *d, const char *name, const char *arg)
{
	int secs = 5, n = 16, err = 0;
	unsigned long end;
	u32 *p;

	if (arg && *arg && kstrtoint(arg, 10, &secs) == 0)
		n = secs;
	if (!strcmp(name, "cycle")) {
		hx_cycle(d);
		err = hx_wait_connected(d, 60);
		snprintf(hx_result, sizeof(hx_result), "cycle: %s",
			 err ? "not reconnected" : "reconnected");
		return err;
	}
	if (!strcmp(name, "xs_reject")) {
		const char *eq = arg ? strchr(arg, '=') : NULL;

		if (!eq || eq - arg >= sizeof(d->xs_key))
			return -EINVAL;
		memcpy(d->xs_key, arg, eq - arg);
		d->xs_key[eq - arg] = 0;
		strscpy(d->xs_val, eq + 1, sizeof(d->xs_val));
		hx_cycle(d);
		/* rejected, closed, rejoined with good values */
		err = hx_wait_connected(d, 90);
		snprintf(hx_result, sizeof(hx_result), "xs_reject %s: %s", arg,
			 err ? "not reconnected" : "rejected then reconnected");
		return err;
	}
	if (!strcmp(name, "bad_ref") || !strcmp(name, "revoked_ref")) {
		d->bad_ref = name[0] == 'b' ? 1 : 2;
		hx_cycle(d);
		err = hx_wait_connected(d, 90);
		snprintf(hx_result, sizeof(hx_result), "%s: %s", name,
			 err ? "not reconnected" : "refused then reconnected");
		return err;
	}
	if (!strcmp(name, "state_storm"))
		return hx_state_storm(d, n);
	if (!d->connected)
		return -ENOTCONN;

	if (!strcmp(name, "frames") || !strcmp(name, "bad_slot") ||
	    !strcmp(name, "bad_extent") || !strcmp(name, "zero_len") ||
	    !strcmp(name, "oversize") || !strcmp(name, "runt") ||
	    !strcmp(name, "bad_fill") || !strcmp(name, "too_many_slots")) {
		err = hx_bad_frames(d, name, n);
		if (err < 0)
			return err;
		snprintf(hx_result, sizeof(hx_result), "%s: %d posted", name,
			 err);
		return 0;
	}
	if (!strcmp(name, "idx_far") || !strcmp(name, "idx_back") ||
	    !strcmp(name, "fill_far") || !strcmp(name, "txc_cons_far") ||
	    !strcmp(name, "rx_cons_far")) {
		struct vprime_ctrl *c = d->f.ctrl;

		/* our own servicing would write the index back: stop it */
		d->quiet = true;

		if (!strcmp(name, "idx_far")) {
			p = &c->ring[VPRIME_RING_TX].prod;
			WRITE_ONCE(*p, READ_ONCE(c->ring[VPRIME_RING_TX].cons) +
				   VPRIME_RING_SIZE + 5);
		} else if (!strcmp(name, "idx_back")) {
			hx_bad_frames(d, "frames", 4);
			msleep(200);
			p = &c->ring[VPRIME_RING_TX].prod;
			WRITE_ONCE(*p, READ_ONCE(c->ring[VPRIME_RING_TX].cons) - 3);
		} else if (!strcmp(name, "fill_far")) {
			p = &c->ring[VPRIME_RING_FILL].prod;
			WRITE_ONCE(*p, READ_ONCE(*p) + 3 * VPRIME_RING_SIZE);
		} else if (!strcmp(name, "txc_cons_far")) {
			p = &c->ring[VPRIME_RING_TXC].cons;
			WRITE_ONCE(*p, READ_ONCE(*p) + 1000);
			/* dom0 checks it when it has TX to complete */
			vp_front_tx_frame(&d->f, hx_frame_hdr, 60, 0);
			vp_front_tx_push(&d->f);
		} else {
			p = &c->ring[VPRIME_RING_RX].cons;
			WRITE_ONCE(*p, READ_ONCE(*p) - 1000);
			vp_front_fill(&d->f);
		}
		hx_notify(d);
		snprintf(hx_result, sizeof(hx_result), "%s: written", name);
		return 0;
	}
	if (!strcmp(name, "desc_flip") || !strcmp(name, "idx_flip"))
		return hx_flip_attack(d, name[0] == 'i', secs);
	if (!strcmp(name, "storm")) {
		u64 i = 0;

		end = jiffies + secs * HZ;
		mutex_unlock(&d->lock);
		while (time_before(jiffies, end) && READ_ONCE(d->irq) > 0) {
			notify_remote_via_evtchn(d->evtchn);
			if ((++i & 255) == 0)
				cond_resched();
		}
		mutex_lock(&d->lock);
		d->notifies += i;
		snprintf(hx_result, sizeof(hx_result),
			 "storm: %llu notifications in %d s", i, secs);
		return 0;
	}
	if (!strcmp(name, "rx_hold")) {
		u64 posts = 0;

		WRITE_ONCE(service, false);
		end = jiffies + secs * HZ;
		while (time_before(jiffies, end) && d->connected) {
			u32 before = d->f.fill_prod;

			/* every free RX slot stays posted; RX never read */
			if (vp_front_fill(&d->f) && d->irq > 0)
				notify_remote_via_irq(d->irq);
			posts += d->f.fill_prod - before;
			mutex_unlock(&d->lock);
			msleep(50);
			mutex_lock(&d->lock);
		}
		WRITE_ONCE(service, true);
		snprintf(hx_result, sizeof(hx_result),
			 "rx_hold: %llu FILL posts in %d s, connected=%d",
			 posts, secs, d->connected);
		return 0;
	}
	if (!strcmp(name, "stall") || !strcmp(name, "one_short")) {
		bool short1 = name[0] == 'o';
		u64 posts = 0;

		WRITE_ONCE(service, false);
		end = jiffies + secs * HZ;
		while (time_before(jiffies, end) && d->connected) {
			if (short1) {
				/* entries name slots again and again: only
				 * our own data suffers */
				u32 cons = READ_ONCE(d->f.ctrl->ring[VPRIME_RING_TX].cons);

				while (d->f.tx_prod - cons < VPRIME_RING_SIZE - 1) {
					struct vprime_desc *e =
						&d->f.ring[VPRIME_RING_TX][d->f.tx_prod & RMASK];

					e->slot = d->f.tx_prod % d->f.tx_pool.nr_slots;
					e->off = 0;
					e->len = 60;
					e->flags = 0;
					d->f.tx_prod++;
					posts++;
				}
				hx_push(d);
			}
			mutex_unlock(&d->lock);
			msleep(50);
			mutex_lock(&d->lock);
		}
		WRITE_ONCE(service, true);
		snprintf(hx_result, sizeof(hx_result),
			 "%s: %llu posted in %d s, connected=%d", name, posts,
			 secs, d->connected);
		/* our owner maps are garbage now: start clean */
		if (short1) {
			hx_cycle(d);
			err = hx_wait_connected(d, 60);
		}
		return err;
	}
	if (!strcmp(name, "xs_junk"))
		return hx_xs_junk(d, secs);
	if (!strcmp(name, "revoke_live")) {
		struct hx_page *pg = &d->rx[0];
		int ok = gnttab_try_end_foreign_access(pg->ref);

		if (ok) {
			/* not mapped?  Then it is ours again: keep it so */
			pg->ref = INVALID_GRANT_REF;
		}
		snprintf(hx_result, sizeof(hx_result),
			 "revoke_live: end access on a mapped pool page %s",
			 ok ? "SUCCEEDED (backend did not map it)" :
			      "refused (backend maps it)");
		return 0;
	}
	return -EINVAL;
}

/* ---- parameters: attack (write to run, read for the result), status ---- */

static int hx_attack_set(const char *val, const struct kernel_param *kp)
{
	char buf[96], *name, *arg;
	int err;

	strscpy(buf, val, sizeof(buf));
	arg = strim(buf);
	name = strsep(&arg, " ");
	if (arg)
		arg = strim(arg);
	mutex_lock(&hx_global);
	if (!hx) {
		mutex_unlock(&hx_global);
		return -ENODEV;
	}
	mutex_lock(&hx->lock);
	hx->attacks++;
	snprintf(hx_result, sizeof(hx_result), "%s: running", name);
	err = hx_attack(hx, name, arg);
	if (err)
		snprintf(hx_result + strlen(hx_result),
			 sizeof(hx_result) - strlen(hx_result), " (error %d)",
			 err);
	mutex_unlock(&hx->lock);
	mutex_unlock(&hx_global);
	pr_info("attack %s %s: %s\n", name, arg ?: "", hx_result);
	return err == -EINVAL ? err : 0;
}

static int hx_attack_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", hx_result);
}

static const struct kernel_param_ops hx_attack_ops = {
	.set = hx_attack_set,
	.get = hx_attack_get,
};
module_param_cb(attack, &hx_attack_ops, NULL, 0644);
MODULE_PARM_DESC(attack, "write an attack name [arg]; read the last result");

static int hx_status_get(char *buf, const struct kernel_param *kp)
{
	struct hx_dev *d;
	int n;

	mutex_lock(&hx_global);
	d = hx;
	if (!d) {
		mutex_unlock(&hx_global);
		return scnprintf(buf, PAGE_SIZE, "no device\n");
	}
	n = scnprintf(buf, PAGE_SIZE,
		      "state=%d connected=%d connects=%u teardowns=%u attacks=%u events_in=%llu notifies=%llu be_bad_index=%llu be_bad_slot=%llu broken=%d\n",
		      d->xbdev->state, READ_ONCE(d->connected), d->connects,
		      d->teardowns, d->attacks, d->events_in, d->notifies,
		      d->f.stats[VP_FRONT_STAT_be_bad_index],
		      d->f.stats[VP_FRONT_STAT_be_bad_slot], d->f.broken);
	mutex_unlock(&hx_global);
	return n;
}

static const struct kernel_param_ops hx_status_ops = {
	.get = hx_status_get,
};
module_param_cb(status, &hx_status_ops, NULL, 0444);

/* ---- probe / remove ------------------------------------------------------ */

static int hx_probe(struct xenbus_device *xbdev,
		    const struct xenbus_device_id *id)
{
	struct hx_dev *d;

	mutex_lock(&hx_global);
	if (hx) {
		mutex_unlock(&hx_global);
		return -EBUSY;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d) {
		mutex_unlock(&hx_global);
		return -ENOMEM;
	}
	d->xbdev = xbdev;
	mutex_init(&d->lock);
	INIT_DELAYED_WORK(&d->service_work, hx_service_fn);
	dev_set_drvdata(&xbdev->dev, d);
	hx = d;
	mutex_unlock(&hx_global);
	if (xbdev->state != XenbusStateInitialising)
		xenbus_switch_state(xbdev, XenbusStateInitialising);
	schedule_delayed_work(&d->service_work, HZ / 10);
	pr_info("%s: probed (hold=%u, pool_pages=%u)\n", xbdev->nodename,
		hold, pool_pages);
	return 0;
}

/* Dying: no Closing handshake, no wait; gnttab defers mapped pages. */
static void hx_remove(struct xenbus_device *xbdev)
{
	struct hx_dev *d = dev_get_drvdata(&xbdev->dev);

	if (!d)
		return;
	cancel_delayed_work_sync(&d->service_work);
	mutex_lock(&hx_global);
	mutex_lock(&d->lock);
	pr_info("%s: dying in state %d (connected=%d)\n", xbdev->nodename,
		xbdev->state, d->connected);
	hx_teardown(d);
	mutex_unlock(&d->lock);
	hx = NULL;
	mutex_unlock(&hx_global);
	dev_set_drvdata(&xbdev->dev, NULL);
	kfree(d);
}

static const struct xenbus_device_id hx_ids[] = {
	{ VPRIME_XS_CLASS },
	{ "" }
};

static struct xenbus_driver hx_driver = {
	.name = "vprime-hostile",
	.ids = hx_ids,
	.probe = hx_probe,
	.remove = hx_remove,
	.otherend_changed = hx_backend_changed,
	.not_essential = true,
};

static int __init hx_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	pr_warn("HOSTILE vprime frontend loaded: for tests only\n");
	return xenbus_register_frontend(&hx_driver);
}

static void __exit hx_exit(void)
{
	xenbus_unregister_driver(&hx_driver);
}

module_init(hx_init);
module_exit(hx_exit);
MODULE_DESCRIPTION("vprime hostile test frontend (testbed only)");
MODULE_LICENSE("GPL");
