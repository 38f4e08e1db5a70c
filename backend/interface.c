// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * interface.c - connect and disconnect one guest device: map the control
 * page, the four ring pages and both buffer pools once, bind the event
 * channel; undo it all in reverse order.  vpb_disconnect() is idempotent:
 * every resource is checked, released and reset, so it is both the error
 * path of vpb_connect() and the normal close.
 *
 * Every grant operation's status is checked one by one (XSA-361/362/367):
 * a failed map is never used and never unmapped; a failed unmap leaks its
 * page on purpose rather than handing a still-mapped page back.
 */
#include <linux/interrupt.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>

#include "common.h"
#include "vprime_if.h"

#define VP_MAP_BATCH	32u

atomic_t vpb_nr_grants_mapped = ATOMIC_INIT(0);
atomic_t vpb_nr_evtchns_bound = ATOMIC_INIT(0);

/* Grant maps held: module-wide (leak checks) and per device (its cost). */
static void vpb_grants_add(struct vpb_dev *dev, int n)
{
	atomic_add(n, &vpb_nr_grants_mapped);
	atomic_add(n, &dev->grants_mapped);
}

/* ---- buffer pools ---------------------------------------------------- */

static void vpb_pool_unmap(struct vpb_dev *dev, struct vpb_map_pool *pool)
{
	struct gnttab_unmap_grant_ref *ops = NULL;
	struct gntab_unmap_queue_data q;
	struct page **batch = NULL;
	bool leak = false;
	u32 i, n, j;

	if (!pool->pages)
		return;
	ops = kcalloc(VP_MAP_BATCH, sizeof(*ops), GFP_KERNEL | __GFP_NOFAIL);
	batch = kcalloc(VP_MAP_BATCH, sizeof(*batch),
			GFP_KERNEL | __GFP_NOFAIL);
	for (i = 0; i < pool->nr; i += VP_MAP_BATCH) {
		u32 idx[VP_MAP_BATCH];
		int ret;

		n = 0;
		for (j = i; j < min(pool->nr, i + VP_MAP_BATCH); j++) {
			if (pool->handles[j] == VPB_INVALID_HANDLE)
				continue;
			gnttab_set_unmap_op(&ops[n], (unsigned long)
					    pfn_to_kaddr(page_to_pfn(
						    pool->pages[j])),
					    GNTMAP_host_map, pool->handles[j]);
			batch[n] = pool->pages[j];
			idx[n++] = j;
		}
		if (!n)
			continue;
		q.unmap_ops = ops;
		q.kunmap_ops = NULL;
		q.pages = batch;
		q.count = n;
		ret = gnttab_unmap_refs_sync(&q);
		for (j = 0; j < n; j++) {
			if (ret || ops[j].status != GNTST_okay) {
				leak = true;
				continue;
			}
			pool->handles[idx[j]] = VPB_INVALID_HANDLE;
			vpb_grants_add(dev, -1);
		}
	}
	kfree(batch);
	kfree(ops);
	if (leak) {
		/* Still mapped: never give these pages back to the kernel. */
		pr_err("dom%u dev%u: grant unmap failed, leaking %u pages\n",
		       dev->domid, dev->devid, pool->nr);
	} else if (pool->nr) {
		gnttab_free_pages(pool->nr, pool->pages);
	}
	if (!leak)
		kfree(pool->pages);
	kfree(pool->va);
	kfree(pool->handles);
	pool->pages = NULL;
	pool->va = NULL;
	pool->handles = NULL;
	pool->nr = 0;
}

static int vpb_pool_map(struct vpb_dev *dev, struct vpb_map_pool *pool,
		       const u32 *refs, u32 nr, bool readonly,
		       const char *what)
{
	u32 flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
	struct gnttab_map_grant_ref *ops;
	u32 i, j, n;
	int err;

	pool->pages = kcalloc(nr, sizeof(*pool->pages), GFP_KERNEL);
	pool->va = kcalloc(nr, sizeof(*pool->va), GFP_KERNEL);
	pool->handles = kcalloc(nr, sizeof(*pool->handles), GFP_KERNEL);
	ops = kcalloc(VP_MAP_BATCH, sizeof(*ops), GFP_KERNEL);
	if (!pool->pages || !pool->va || !pool->handles || !ops) {
		err = -ENOMEM;
		goto err_alloc;
	}
	for (i = 0; i < nr; i++)
		pool->handles[i] = VPB_INVALID_HANDLE;
	err = gnttab_alloc_pages(nr, pool->pages);
	if (err)
		goto err_alloc;
	pool->nr = nr;
	pool->readonly = readonly;

	for (i = 0; i < nr; i += n) {
		int ret;

		n = min(VP_MAP_BATCH, nr - i);
		for (j = 0; j < n; j++)
			gnttab_set_map_op(&ops[j], (unsigned long)
					  pfn_to_kaddr(page_to_pfn(
						  pool->pages[i + j])),
					  flags, refs[i + j],
					  (domid_t)dev->domid);
		ret = gnttab_map_refs(ops, NULL, &pool->pages[i], n);
		/* Keep every op that did map, so unmap finds it. */
		for (j = 0; j < n; j++) {
			if (ops[j].status != GNTST_okay)
				continue;
			pool->handles[i + j] = ops[j].handle;
			pool->va[i + j] = pfn_to_kaddr(
				page_to_pfn(pool->pages[i + j]));
			vpb_grants_add(dev, 1);
		}
		for (j = 0; j < n; j++) {
			if (!ret && ops[j].status == GNTST_okay)
				continue;
			err = -EFAULT;
			xenbus_dev_fatal(dev->xbdev, err,
					 "mapping %s pool page %u (ref %u): status %d, ret %d",
					 what, i + j, refs[i + j],
					 ops[j].status, ret);
			goto err_map;
		}
	}
	kfree(ops);
	return 0;

err_map:
	kfree(ops);
	vpb_pool_unmap(dev, pool);
	return err;
err_alloc:
	kfree(ops);
	kfree(pool->pages);
	kfree(pool->va);
	kfree(pool->handles);
	pool->pages = NULL;
	pool->va = NULL;
	pool->handles = NULL;
	pool->nr = 0;
	return err;
}

/* ---- event channel ---------------------------------------------------- */

/* Guest wrote something we would act on: TX frames or FILL slots. */
static bool vpb_dev_has_work(struct vpb_dev *dev)
{
	const struct vprime_ctrl *ctrl = dev->ctrl;
	const struct vp_guest *g = &dev->guest;

	return READ_ONCE(ctrl->ring[VPRIME_RING_TX].prod) !=
		       READ_ONCE(g->tx_cons) ||
	       READ_ONCE(ctrl->ring[VPRIME_RING_FILL].prod) !=
		       READ_ONCE(g->fill_cons);
}

/*
 * Did the guest produce anything since its last event?  Only the irq
 * handler calls this (it does not nest for one irq), so the two copies
 * need no lock.
 */
static bool vpb_dev_moved(struct vpb_dev *dev)
{
	u32 tx = READ_ONCE(dev->ctrl->ring[VPRIME_RING_TX].prod);
	u32 fill = READ_ONCE(dev->ctrl->ring[VPRIME_RING_FILL].prod);
	bool moved = tx != dev->ev_tx_prod || fill != dev->ev_fill_prod;

	dev->ev_tx_prod = tx;
	dev->ev_fill_prod = fill;
	return moved;
}

/*
 * The guest notified us.  Wake the engine holding the device if there is
 * work.  An event is EOI'd as spurious, so Xen throttles the channel
 * (XSA-332), when the guest produced nothing since its last event, when
 * no engine holds the device, or over the per-second rate.  Progress
 * that a concurrent sync already consumed is not spurious: flagging it
 * would have Linux delay this channel's next events (up to a second)
 * while the guest is behaving.  An event with work always wakes.
 */
static irqreturn_t vpb_interrupt(int irq, void *data)
{
	struct vpb_dev *dev = data;
	unsigned int eoi = XEN_EOI_FLAG_SPURIOUS;
	struct vpb_file *vf;
	bool over, moved;

	atomic64_inc(&dev->ev_count);
	if (time_after(jiffies, dev->ev_window + HZ)) {
		dev->ev_window = jiffies;
		dev->ev_in_window = 0;
	}
	over = ++dev->ev_in_window > vpb_event_rate;

	moved = vpb_dev_moved(dev);
	rcu_read_lock();
	vf = rcu_dereference(dev->owner);
	if (vf && vpb_dev_has_work(dev)) {
		/* The first event since the engine's last sync starts the wait. */
		if (!READ_ONCE(dev->ev_stamp))
			WRITE_ONCE(dev->ev_stamp, ktime_get_ns());
		wake_up_interruptible(&vf->wq);
	}
	if (vf && moved && !over)
		eoi = 0;
	rcu_read_unlock();
	if (eoi)
		atomic64_inc(&dev->ev_limited);
	xen_irq_lateeoi(irq, eoi);
	return IRQ_HANDLED;
}

/* ---- carrier and port state (under dev->lock) -------------------------- */

/* Tell the guest whether an engine is attached; needs dev->live. */
void vpb_dev_set_carrier(struct vpb_dev *dev, bool on)
{
	lockdep_assert_held(&dev->lock);
	if (!dev->live)
		return;
	WRITE_ONCE(dev->ctrl->be_flags, on ? VPRIME_BE_F_CARRIER : 0);
	virt_wmb();	/* be_flags before the event that announces it */
	notify_remote_via_irq(dev->irq);
	dev->stats[VPRIME_STAT_notify_guest]++;
}

/* Publish @state in the owning engine's port info and wake it. */
void vpb_dev_port_state(struct vpb_dev *dev, u32 state)
{
	struct vpb_file *vf;

	lockdep_assert_held(&dev->lock);
	vf = rcu_dereference_protected(dev->owner,
				       lockdep_is_held(&dev->lock));
	if (!vf)
		return;
	WRITE_ONCE(vf->ports[dev->port].ep.info->state, state);
	vpb_file_wake(vf, true);
}

/* ---- connect / disconnect ------------------------------------------------ */

/*
 * Tear the connection down, newest first.  Caller holds xb_mutex.  The
 * data path stops first (live = false under dev->lock), so no sync or
 * poll can touch the mappings freed below.
 */
void vpb_disconnect(struct vpb_dev *dev, u32 port_state)
{
	spin_lock(&dev->lock);
	if (dev->live)
		WRITE_ONCE(dev->ctrl->be_flags, 0);
	dev->live = false;
	vpb_dev_port_state(dev, port_state);
	spin_unlock(&dev->lock);

	if (dev->irq > 0) {
		/* Waits for a running handler: none reads ctrl after this. */
		unbind_from_irqhandler(dev->irq, dev);
		dev->irq = 0;
		atomic_dec(&vpb_nr_evtchns_bound);
	}
	vpb_pool_unmap(dev, &dev->rx_pool);
	vpb_pool_unmap(dev, &dev->tx_pool);
	if (dev->rings) {
		if (xenbus_unmap_ring_vfree(dev->xbdev, dev->rings))
			pr_err("dom%u dev%u: ring unmap failed\n",
			       dev->domid, dev->devid);
		else
			vpb_grants_add(dev, -VPRIME_NR_RINGS);
		dev->rings = NULL;
	}
	if (dev->ctrl) {
		if (xenbus_unmap_ring_vfree(dev->xbdev, dev->ctrl))
			pr_err("dom%u dev%u: control page unmap failed\n",
			       dev->domid, dev->devid);
		else
			vpb_grants_add(dev, -1);
		dev->ctrl = NULL;
	}
}

int vpb_connect(struct vpb_dev *dev, const struct vpb_xs_config *cfg)
{
	struct vprime_desc *ring[VPRIME_NR_RINGS];
	struct vp_conn_params *par;
	grant_ref_t refs[VPRIME_NR_RINGS];
	const char *why = NULL;
	void *addr;
	u32 i;
	int err;

	par = kzalloc(sizeof(*par), GFP_KERNEL);
	if (!par)
		return -ENOMEM;

	refs[0] = cfg->ctrl_ref;
	err = xenbus_map_ring_valloc(dev->xbdev, refs, 1, &addr);
	if (err)
		goto err_disconnect;	/* xenbus reported it */
	dev->ctrl = addr;
	vpb_grants_add(dev, 1);

	/* Header and ref table are read exactly once, here. */
	err = vp_ctrl_read(dev->ctrl, cfg->tx_pool_pages, cfg->rx_pool_pages,
			   dev->max_pool_pages, par, &why);
	if (err) {
		xenbus_dev_fatal(dev->xbdev, err, "control page: %s", why);
		goto err_disconnect;
	}

	for (i = 0; i < VPRIME_NR_RINGS; i++)
		refs[i] = par->ring_ref[i];
	err = xenbus_map_ring_valloc(dev->xbdev, refs, VPRIME_NR_RINGS, &addr);
	if (err)
		goto err_disconnect;
	dev->rings = addr;
	vpb_grants_add(dev, VPRIME_NR_RINGS);
	for (i = 0; i < VPRIME_NR_RINGS; i++)
		ring[i] = (struct vprime_desc *)((u8 *)addr +
						 i * VPRIME_PAGE_SIZE);

	/* The guest only sends from TX: map it read-only (XSA-396 spirit). */
	err = vpb_pool_map(dev, &dev->tx_pool, par->tx_pool_ref,
			  par->tx_pool_pages, true, "tx");
	if (err)
		goto err_disconnect;
	err = vpb_pool_map(dev, &dev->rx_pool, par->rx_pool_ref,
			  par->rx_pool_pages, false, "rx");
	if (err)
		goto err_disconnect;

	/* Before the irq is bound: the handler reads the private cursors. */
	spin_lock(&dev->lock);
	vp_guest_init(&dev->guest, dev->ctrl, ring, dev->tx_pool.va,
		      dev->tx_pool.nr, dev->rx_pool.va, dev->rx_pool.nr,
		      cfg->mtu + ETH_HLEN + VLAN_HLEN, dev->stats);
	dev->guest.cons_events = cfg->cons_event;
	dev->guest.csum_blank_ok = cfg->csum;
	dev->guest.drain_ns = (u64)max(READ_ONCE(vpb_drain_ms), 1u) *
			      NSEC_PER_MSEC;
	dev->guest.retry_ns = (u64)max(READ_ONCE(vpb_retry_us), 100u) *
			      NSEC_PER_USEC;
	dev->guest.hold_max = max(READ_ONCE(vpb_hold_max), VPRIME_MAX_SLOTS);
	WRITE_ONCE(dev->ctrl->be_flags, 0);
	spin_unlock(&dev->lock);

	dev->ev_window = jiffies;
	dev->ev_in_window = 0;
	dev->ev_tx_prod = 0;	/* every index starts at 0 on connect */
	dev->ev_fill_prod = 0;
	dev->ev_stamp = 0;	/* an event of the last connection is not ours */
	err = bind_interdomain_evtchn_to_irqhandler_lateeoi(dev->xbdev,
							    cfg->evtchn,
							    vpb_interrupt, 0,
							    "vprime-back",
							    dev);
	if (err < 0) {
		xenbus_dev_fatal(dev->xbdev, err, "binding event channel %u",
				 cfg->evtchn);
		goto err_disconnect;
	}
	dev->irq = err;
	atomic_inc(&vpb_nr_evtchns_bound);

	spin_lock(&dev->lock);
	dev->live = true;
	dev->mtu = cfg->mtu;
	dev->csum = cfg->csum;
	dev->pool_pages[0] = par->tx_pool_pages;
	dev->pool_pages[1] = par->rx_pool_pages;
	if (rcu_access_pointer(dev->owner)) {
		vpb_dev_set_carrier(dev, true);
		vpb_dev_port_state(dev, VPRIME_PORT_ATTACHED);
	}
	spin_unlock(&dev->lock);
	kfree(par);
	return 0;

err_disconnect:
	vpb_disconnect(dev, VPRIME_PORT_DOWN);
	kfree(par);
	return err;
}
