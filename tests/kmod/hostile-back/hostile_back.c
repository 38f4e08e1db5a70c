// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_back.c - vprime-hostile-back.ko: a backend of xenbus device
 * class "vprime" that drains its frontend's grants (issue 16, finding 4).
 * Load it in dom0 INSTEAD of vprime-back.  For its first device it runs
 * @cycles times:
 *
 *   InitWait; wait up to @wait_ms for the frontend's Initialised; map
 *   (read-only) every page it granted: control page, rings, both pools;
 *   Closed -- keeping every mapping.
 *
 * A frontend that grants a new set at each InitWait ends up with @cycles
 * sets mapped here (up to @map_max pages); a bounded one grants one.
 * The mappings go when the device is unbound or the module unloaded;
 * then "state" is written again so the frontend sees the pages are free.
 *
 *   cat /sys/module/vprime_hostile_back/parameters/status
 *     done=0|1 cycles=N sets=S mapped=P map_failed=F front_state=X
 *     gave_up_cycle=G
 *
 * G: the first cycle after the first whose InitWait ended with the
 * frontend Closed (it gave up on us; 0: it never did).  A frontend that
 * gives up at its third wait with pages held does so at cycle 4.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "vprime_if.h"

#define HB_SET_PAGES	(1 + VPRIME_NR_RINGS + 2 * VPRIME_POOL_PAGES_MAX)
#define HB_SETS_MAX	64
#define HB_STEP_MS	50

static unsigned int cycles = 6;
module_param(cycles, uint, 0444);
MODULE_PARM_DESC(cycles, "InitWait -> Closed cycles to run (1..64)");
static unsigned int wait_ms = 2000;
module_param(wait_ms, uint, 0444);
MODULE_PARM_DESC(wait_ms, "how long each cycle waits for the frontend");
static unsigned int map_max = 4 * HB_SET_PAGES;
module_param(map_max, uint, 0444);
MODULE_PARM_DESC(map_max, "most pages kept mapped in all");

/* The pages of one connection the frontend granted, mapped here. */
struct hb_set {
	struct page **pages;
	grant_handle_t *handles;
	u32 nr;			/* mapped */
};

static struct {
	struct xenbus_device *xbdev;	/* the one device we attack */
	struct task_struct *task;
	struct hb_set set[HB_SETS_MAX];
	u32 nr_sets;
	u32 cycles_done;
	u32 mapped;
	u32 map_failed;
	u32 gave_up_cycle;
	bool done;
} hb;

/* Map @ref of the frontend read-only into @s; false if it failed. */
static bool hb_map_one(struct hb_set *s, grant_ref_t ref, domid_t dom)
{
	struct gnttab_map_grant_ref op;
	struct page *page;

	if (hb.mapped >= map_max || s->nr >= HB_SET_PAGES)
		return false;
	if (gnttab_alloc_pages(1, &page))
		return false;
	gnttab_set_map_op(&op, (unsigned long)pfn_to_kaddr(page_to_pfn(page)),
			  GNTMAP_host_map | GNTMAP_readonly, ref, dom);
	if (gnttab_map_refs(&op, NULL, &page, 1) || op.status != GNTST_okay) {
		gnttab_free_pages(1, &page);
		hb.map_failed++;
		return false;
	}
	s->pages[s->nr] = page;
	s->handles[s->nr] = op.handle;
	s->nr++;
	hb.mapped++;
	return true;
}

static void hb_unmap_set(struct hb_set *s)
{
	struct gnttab_unmap_grant_ref op;
	u32 i;

	for (i = 0; i < s->nr; i++) {
		gnttab_set_unmap_op(&op, (unsigned long)pfn_to_kaddr(
					    page_to_pfn(s->pages[i])),
				    GNTMAP_host_map, s->handles[i]);
		/* A failed unmap leaks the page rather than freeing it. */
		if (gnttab_unmap_refs(&op, NULL, &s->pages[i], 1) ||
		    op.status != GNTST_okay) {
			pr_err("unmap failed: page leaked\n");
			continue;
		}
		gnttab_free_pages(1, &s->pages[i]);
		hb.mapped--;
	}
	s->nr = 0;
	kfree(s->pages);
	kfree(s->handles);
	s->pages = NULL;
	s->handles = NULL;
}

/* Map everything the frontend granted: control page, rings, pools. */
static void hb_map_frontend(struct xenbus_device *xbdev)
{
	domid_t dom = (domid_t)xbdev->otherend_id;
	const struct vprime_ctrl *ctrl;
	struct hb_set *s;
	u32 ref, tx, rx, i;

	if (hb.nr_sets >= HB_SETS_MAX)
		return;
	if (xenbus_scanf(XBT_NIL, xbdev->otherend, VPRIME_XS_CTRL_REF, "%u",
			 &ref) != 1)
		return;
	s = &hb.set[hb.nr_sets];
	s->pages = kcalloc(HB_SET_PAGES, sizeof(*s->pages), GFP_KERNEL);
	s->handles = kcalloc(HB_SET_PAGES, sizeof(*s->handles), GFP_KERNEL);
	if (!s->pages || !s->handles || !hb_map_one(s, ref, dom)) {
		hb_unmap_set(s);
		return;
	}
	hb.nr_sets++;
	ctrl = pfn_to_kaddr(page_to_pfn(s->pages[0]));
	for (i = 0; i < VPRIME_NR_RINGS; i++)
		hb_map_one(s, READ_ONCE(ctrl->ring_ref[i]), dom);
	tx = min_t(u32, READ_ONCE(ctrl->tx_pool_pages), VPRIME_POOL_PAGES_MAX);
	rx = min_t(u32, READ_ONCE(ctrl->rx_pool_pages), VPRIME_POOL_PAGES_MAX);
	for (i = 0; i < tx; i++)
		hb_map_one(s, READ_ONCE(ctrl->tx_pool_ref[i]), dom);
	for (i = 0; i < rx; i++)
		hb_map_one(s, READ_ONCE(ctrl->rx_pool_ref[i]), dom);
	pr_info("cycle %u: mapped %u pages of set %u (%u in all)\n",
		hb.cycles_done + 1, s->nr, hb.nr_sets, hb.mapped);
}

/* Wait up to wait_ms for the frontend to publish and say Initialised. */
static bool hb_wait_initialised(struct xenbus_device *xbdev)
{
	/* A deadline, not a count of steps: xenstore reads are slow under TCG. */
	unsigned long deadline = jiffies + msecs_to_jiffies(wait_ms);

	do {
		if (kthread_should_stop())
			return false;
		if (xenbus_read_driver_state(xbdev->otherend) ==
		    XenbusStateInitialised)
			return true;
		msleep(HB_STEP_MS);
	} while (time_before(jiffies, deadline));
	return false;
}

static int hb_thread(void *arg)
{
	struct xenbus_device *xbdev = arg;

	while (hb.cycles_done < cycles && !kthread_should_stop()) {
		xenbus_switch_state(xbdev, XenbusStateInitWait);
		if (hb_wait_initialised(xbdev))
			hb_map_frontend(xbdev);
		else if (hb.cycles_done && !hb.gave_up_cycle &&
			 xenbus_read_driver_state(xbdev->otherend) ==
				 XenbusStateClosed)
			hb.gave_up_cycle = hb.cycles_done + 1;
		/* Closed, but every mapping kept. */
		xenbus_switch_state(xbdev, XenbusStateClosed);
		hb.cycles_done++;
		msleep(300);	/* let the frontend see Closed */
	}
	hb.done = true;
	pr_info("done: %u cycles, %u sets, %u pages mapped\n", hb.cycles_done,
		hb.nr_sets, hb.mapped);
	while (!kthread_should_stop())
		msleep(HB_STEP_MS);
	return 0;
}

static int hb_probe(struct xenbus_device *xbdev,
		    const struct xenbus_device_id *id)
{
	struct task_struct *t;

	if (hb.xbdev)
		return -EBUSY;
	hb.xbdev = xbdev;
	t = kthread_run(hb_thread, xbdev, "vprime-hostile-back");
	if (IS_ERR(t)) {
		hb.xbdev = NULL;
		return PTR_ERR(t);
	}
	hb.task = t;
	pr_warn("attacking %s: %u cycles\n", xbdev->nodename, cycles);
	return 0;
}

static void hb_remove(struct xenbus_device *xbdev)
{
	u32 i;

	if (xbdev != hb.xbdev)
		return;
	kthread_stop(hb.task);
	for (i = 0; i < hb.nr_sets; i++)
		hb_unmap_set(&hb.set[i]);
	pr_info("unmapped %u sets; %u pages still mapped\n", hb.nr_sets,
		hb.mapped);
	hb.nr_sets = 0;
	/* Rewritten even if unchanged: the frontend's watch fires. */
	xenbus_printf(XBT_NIL, xbdev->nodename, "state", "%d",
		      XenbusStateClosed);
	hb.xbdev = NULL;
}

/* Answers nothing: the thread walks the states by itself. */
static void hb_frontend_changed(struct xenbus_device *xbdev,
				enum xenbus_state fstate)
{
}

static int hb_status_get(char *buf, const struct kernel_param *kp)
{
	struct xenbus_device *xbdev = hb.xbdev;

	return sysfs_emit(buf,
			  "done=%d cycles=%u sets=%u mapped=%u map_failed=%u front_state=%d gave_up_cycle=%u\n",
			  hb.done, hb.cycles_done, hb.nr_sets, hb.mapped,
			  hb.map_failed,
			  xbdev ? xenbus_read_driver_state(xbdev->otherend) : -1,
			  hb.gave_up_cycle);
}

static const struct kernel_param_ops hb_status_ops = {
	.get = hb_status_get,
};
module_param_cb(status, &hb_status_ops, NULL, 0444);

static const struct xenbus_device_id hb_ids[] = {
	{ VPRIME_XS_CLASS },
	{ "" }
};

static struct xenbus_driver hb_driver = {
	.name = "vprime-hostile-back",
	.ids = hb_ids,
	.probe = hb_probe,
	.remove = hb_remove,
	.otherend_changed = hb_frontend_changed,
};

static int __init hb_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	if (!cycles || cycles > HB_SETS_MAX) {
		pr_err("cycles must be 1..%u\n", HB_SETS_MAX);
		return -EINVAL;
	}
	pr_warn("HOSTILE vprime backend loaded: for tests only\n");
	return xenbus_register_backend(&hb_driver);
}

static void __exit hb_exit(void)
{
	xenbus_unregister_driver(&hb_driver);
}

module_init(hb_init);
module_exit(hb_exit);
MODULE_DESCRIPTION("vprime hostile test backend (testbed only)");
MODULE_LICENSE("GPL");
