// SPDX-License-Identifier: GPL-2.0
/*
 * rings.c - the memory a vprime frontend shares with its backend: the
 * control page, four ring pages, the TX pool (granted read-only) and the
 * RX pool (granted writable), and the event channel.
 *
 * Every page is zeroed before it is granted (XSA-403).  At teardown each
 * grant is revoked with gnttab_try_end_foreign_access(); a page the
 * backend still maps is never freed or reused while it does (XSA-396): it
 * goes to the device's held list (struct vpf_held), revoked again at each
 * backend state change and freed once the backend has unmapped it.  While
 * any page is held no new set is granted (vp_regrant.h), so a backend
 * cannot make the guest hold more than one set per device.  When the
 * device goes away (or the guest resumes with a new backend) what is still
 * held goes to the grant table's deferred list, which frees each page once
 * unmapped.  Held pages are counted in grant_busy_pages (total) and
 * held_pages (now) and logged once per teardown.
 */
#include "front.h"

#include <linux/slab.h>
#include <xen/events.h>
#include <xen/page.h>

/* Grant one zeroed pool page to the backend. */
static int vpf_gpage_share(struct vpf_dev *vpf, struct vpf_gpage *gp,
			   bool readonly)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	int ref;

	if (!page)
		return -ENOMEM;
	ref = gnttab_grant_foreign_access(vpf->xbdev->otherend_id,
					  xen_page_to_gfn(page), readonly);
	if (ref < 0) {
		__free_page(page);
		return ref;
	}
	gp->va = page_address(page);
	gp->ref = ref;
	return 0;
}

/* Free a page whose grant has ended. */
static void vpf_gpage_free(void *va, bool exact)
{
	if (exact)
		free_pages_exact(va, PAGE_SIZE);
	else
		free_page((unsigned long)va);
}

/*
 * Keep a page the backend still maps.  The held list holds one set and a
 * new set is granted only once it is empty, so it cannot overflow; were
 * it ever full, the grant table's deferred list takes the page instead.
 */
static void vpf_held_add(struct vpf_dev *vpf, void *va, grant_ref_t ref,
			 bool exact)
{
	struct vpf_held *h = &vpf->held;

	if (WARN_ON_ONCE(h->nr >= ARRAY_SIZE(h->page))) {
		gnttab_end_foreign_access(ref, virt_to_page(va));
		return;
	}
	h->page[h->nr].va = va;
	h->page[h->nr].ref = ref;
	h->page[h->nr].exact = exact;
	h->nr++;
}

/*
 * Revoke one granted page and free it; returns 1 if the backend still
 * maps it: it then goes to the held list (never freed or reused while
 * mapped: XSA-396).  @exact: the page came from xenbus_setup_ring()
 * (alloc_pages_exact() of one page: order 0, so the grant table's
 * put_page() frees it like any other).
 */
static u32 vpf_gpage_revoke(struct vpf_dev *vpf, struct vpf_gpage *gp,
			    bool exact)
{
	void *va = gp->va;
	grant_ref_t ref = gp->ref;

	if (!va)
		return 0;
	gp->va = NULL;
	gp->ref = INVALID_GRANT_REF;
	if (!gnttab_try_end_foreign_access(ref)) {
		vpf_held_add(vpf, va, ref, exact);
		return 1;
	}
	vpf_gpage_free(va, exact);
	return 0;
}

static void vpf_held_gauge(struct vpf_dev *vpf)
{
	spin_lock_bh(&vpf->lock);
	vpf->stats[VPF_STAT_held_pages] = vpf->held.nr;
	spin_unlock_bh(&vpf->lock);
}

/*
 * Revoke again every held page; free those the backend has let go of.
 * Returns how many it still maps.
 */
u32 vpf_rings_held_retry(struct vpf_dev *vpf)
{
	struct vpf_held *h = &vpf->held;
	u32 i, kept = 0;

	if (!h->nr)
		return 0;
	for (i = 0; i < h->nr; i++) {
		if (!gnttab_try_end_foreign_access(h->page[i].ref)) {
			h->page[kept++] = h->page[i];
			continue;
		}
		vpf_gpage_free(h->page[i].va, h->page[i].exact);
	}
	if (kept < h->nr)
		netdev_info(vpf->ndev,
			    "backend let go of %u shared pages; %u still mapped\n",
			    h->nr - kept, kept);
	h->nr = kept;
	vpf_held_gauge(vpf);
	return kept;
}

/*
 * The device goes away, or a new backend took over after resume: what
 * is still held goes to the grant table's deferred list, freed once the
 * old backend unmaps it.
 */
void vpf_rings_held_release(struct vpf_dev *vpf)
{
	struct vpf_held *h = &vpf->held;
	u32 i;

	if (!vpf_rings_held_retry(vpf))
		return;
	for (i = 0; i < h->nr; i++)
		gnttab_end_foreign_access(h->page[i].ref,
					  virt_to_page(h->page[i].va));
	h->nr = 0;
	vpf_held_gauge(vpf);
}

/* A control or ring page: xenbus_setup_ring() zeroes and grants it. */
static int vpf_gpage_ring(struct vpf_dev *vpf, struct vpf_gpage *gp)
{
	void *va = NULL;
	grant_ref_t ref;
	int err;

	err = xenbus_setup_ring(vpf->xbdev, GFP_KERNEL | __GFP_ZERO, &va, 1,
				&ref);
	if (err)
		return err;
	gp->va = va;
	gp->ref = ref;
	return 0;
}

static int vpf_rings_mem_alloc(struct vp_front_mem *mem, u32 nslots)
{
	mem->tx_free = kcalloc(nslots, sizeof(*mem->tx_free), GFP_KERNEL);
	mem->tx_owner = kcalloc(nslots, sizeof(*mem->tx_owner), GFP_KERNEL);
	mem->rx_free = kcalloc(nslots, sizeof(*mem->rx_free), GFP_KERNEL);
	mem->rx_owner = kcalloc(nslots, sizeof(*mem->rx_owner), GFP_KERNEL);
	mem->tx_stamp = kcalloc(nslots, sizeof(*mem->tx_stamp), GFP_KERNEL);
	if (!mem->tx_free || !mem->tx_owner || !mem->rx_free ||
	    !mem->rx_owner || !mem->tx_stamp)
		return -ENOMEM;
	return 0;
}

static void vpf_rings_mem_free(struct vp_front_mem *mem)
{
	kfree(mem->tx_free);
	kfree(mem->tx_owner);
	kfree(mem->rx_free);
	kfree(mem->rx_owner);
	kfree(mem->tx_stamp);
	memset(mem, 0, sizeof(*mem));
}

/* Grant the pools: TX read-only (dom0 only reads it), RX writable. */
static int vpf_rings_pools_share(struct vpf_dev *vpf, u32 pool_pages)
{
	struct vpf_rings *r = &vpf->rings;
	u32 i;
	int err;

	for (i = 0; i < pool_pages; i++) {
		err = vpf_gpage_share(vpf, &r->tx[i], true);
		if (err)
			return err;
		r->tx_va[i] = r->tx[i].va;
		r->tx_nr_pages = i + 1;
	}
	for (i = 0; i < pool_pages; i++) {
		err = vpf_gpage_share(vpf, &r->rx[i], false);
		if (err)
			return err;
		r->rx_va[i] = r->rx[i].va;
		r->rx_nr_pages = i + 1;
	}
	return 0;
}

/* Header and grant tables: written once, before ctrl-ref is published. */
static void vpf_rings_ctrl_fill(struct vpf_rings *r)
{
	struct vprime_ctrl *ctrl = r->ctrl.va;
	u32 i;

	vp_front_ctrl_init(ctrl, r->tx_nr_pages, r->rx_nr_pages);
	for (i = 0; i < VPRIME_NR_RINGS; i++)
		ctrl->ring_ref[i] = r->ring[i].ref;
	for (i = 0; i < r->tx_nr_pages; i++)
		ctrl->tx_pool_ref[i] = r->tx[i].ref;
	for (i = 0; i < r->rx_nr_pages; i++)
		ctrl->rx_pool_ref[i] = r->rx[i].ref;
}

static int vpf_rings_evtchn_bind(struct vpf_dev *vpf)
{
	struct vpf_rings *r = &vpf->rings;
	int err, irq;

	err = xenbus_alloc_evtchn(vpf->xbdev, &r->evtchn);
	if (err)
		return err;
	irq = bind_evtchn_to_irqhandler_lateeoi(r->evtchn, vpf_napi_interrupt,
						0, VPF_DRV_NAME, vpf);
	if (irq < 0) {
		xenbus_free_evtchn(vpf->xbdev, r->evtchn);
		r->evtchn = 0;
		return irq;
	}
	r->irq = irq;
	return 0;
}

/*
 * Allocate, zero and grant everything the backend gets, set up the ring
 * state and bind the event channel.  On failure nothing is left behind.
 */
int vpf_rings_setup(struct vpf_dev *vpf, u32 pool_pages)
{
	struct vpf_rings *r = &vpf->rings;
	struct vprime_desc *ring[VPRIME_NR_RINGS];
	u32 i;
	int err;

	if (pool_pages < VPRIME_POOL_PAGES_MIN ||
	    pool_pages > VPRIME_POOL_PAGES_MAX)
		return -EINVAL;
	err = vpf_gpage_ring(vpf, &r->ctrl);
	if (err)
		goto err_teardown;
	for (i = 0; i < VPRIME_NR_RINGS; i++) {
		err = vpf_gpage_ring(vpf, &r->ring[i]);
		if (err)
			goto err_teardown;
		ring[i] = r->ring[i].va;
	}
	err = vpf_rings_pools_share(vpf, pool_pages);
	if (err)
		goto err_teardown;
	err = vpf_rings_mem_alloc(&r->mem, pool_pages * VPRIME_SLOTS_PER_PAGE);
	if (err)
		goto err_teardown;
	vpf_rings_ctrl_fill(r);

	spin_lock_bh(&vpf->lock);
	vp_front_init(&vpf->front, r->ctrl.va, ring, r->tx_va, r->tx_nr_pages,
		      r->rx_va, r->rx_nr_pages, vpf->max_frame, &r->mem);
	vpf->front.cons_events = vpf->feat.cons_event;
	r->up = true;
	spin_unlock_bh(&vpf->lock);

	err = vpf_rings_evtchn_bind(vpf);
	if (err)
		goto err_teardown;
	return 0;

err_teardown:
	vpf_rings_teardown(vpf);
	return err;
}

/*
 * Undo vpf_rings_setup(), whatever part of it was done; safe to call
 * twice.  The caller has stopped NAPI and the transmit queue.
 */
void vpf_rings_teardown(struct vpf_dev *vpf)
{
	struct vpf_rings *r = &vpf->rings;
	u32 i, busy = 0;

	if (r->irq > 0) {
		/* Also closes the event channel. */
		unbind_from_irqhandler(r->irq, vpf);
		r->irq = 0;
		r->evtchn = 0;
	}
	clear_bit(VPF_F_EOI_PENDING, &vpf->flags);

	spin_lock_bh(&vpf->lock);
	if (r->up) {
		/* Keep the guest-side counters across reconnects. */
		for (i = 0; i < VP_FRONT_STAT_MAX; i++) {
			vpf->front_stats[i] += vpf->front.stats[i];
			vpf->front.stats[i] = 0;
		}
		r->up = false;
	}
	spin_unlock_bh(&vpf->lock);

	for (i = 0; i < r->rx_nr_pages; i++) {
		busy += vpf_gpage_revoke(vpf, &r->rx[i], false);
		r->rx_va[i] = NULL;
	}
	r->rx_nr_pages = 0;
	for (i = 0; i < r->tx_nr_pages; i++) {
		busy += vpf_gpage_revoke(vpf, &r->tx[i], false);
		r->tx_va[i] = NULL;
	}
	r->tx_nr_pages = 0;
	for (i = 0; i < VPRIME_NR_RINGS; i++)
		busy += vpf_gpage_revoke(vpf, &r->ring[i], true);
	busy += vpf_gpage_revoke(vpf, &r->ctrl, true);
	vpf_rings_mem_free(&r->mem);

	if (busy) {
		spin_lock_bh(&vpf->lock);
		vpf->stats[VPF_STAT_grant_busy_pages] += busy;
		vpf->stats[VPF_STAT_held_pages] = vpf->held.nr;
		spin_unlock_bh(&vpf->lock);
		netdev_warn(vpf->ndev,
			    "backend still maps %u shared pages; freed once it unmaps them, no new ones granted before\n",
			    busy);
	}
}
