// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * main.c - vprime-back's entry points and parameters: debugfs (debugfs.c),
 * /dev/vprime (dev.c) and the xenbus backend driver (xenbus.c) come up
 * here in that order, so that a device probed at once finds the others,
 * and go down in the reverse.
 */
#include <linux/module.h>
#include <xen/xen.h>

#include "common.h"

unsigned int vpb_max_pool_pages = VPRIME_POOL_PAGES_DEFAULT;
module_param_named(max_pool_pages, vpb_max_pool_pages, uint, 0444);
MODULE_PARM_DESC(max_pool_pages, "largest pool a guest may offer, pages per direction, for devices whose toolstack wrote no pool-pages");

unsigned int vpb_sync_budget = 256;
module_param_named(sync_budget, vpb_sync_budget, uint, 0644);
MODULE_PARM_DESC(sync_budget, "frames per port and direction in one sync");

unsigned int vpb_event_rate = 20000;
module_param_named(event_rate, vpb_event_rate, uint, 0644);
MODULE_PARM_DESC(event_rate, "guest events per second before throttling");

unsigned int vpb_drain_ms = 2000;
module_param_named(drain_ms, vpb_drain_ms, uint, 0644);
MODULE_PARM_DESC(drain_ms, "drop frames queued for a guest that took none for this long (ms)");

unsigned int vpb_retry_us = 1000;
module_param_named(retry_us, vpb_retry_us, uint, 0644);
MODULE_PARM_DESC(retry_us, "re-sync a port stalled on a frontend without cons-event after this long (us)");

unsigned int vpb_hold_max = VPRIME_RING_SIZE;
module_param_named(hold_max, vpb_hold_max, uint, 0644);
MODULE_PARM_DESC(hold_max, "engine TX descriptors a port whose guest takes none may hold");

static int __init vpb_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;
	if (vpb_max_pool_pages < VPRIME_POOL_PAGES_MIN ||
	    vpb_max_pool_pages > VPRIME_POOL_PAGES_MAX) {
		pr_err("max_pool_pages must be %u..%u\n",
		       VPRIME_POOL_PAGES_MIN, VPRIME_POOL_PAGES_MAX);
		return -EINVAL;
	}
	vpb_debugfs_init();
	err = vpb_chardev_init();
	if (err)
		goto err_chardev;
	err = vpb_xenbus_init();
	if (err)
		goto err_xenbus;
	pr_info("loaded (protocol %u, engine ABI %u)\n",
		VPRIME_PROTOCOL_VERSION, VPRIME_ABI_VERSION);
	return 0;

err_xenbus:
	vpb_chardev_exit();
err_chardev:
	vpb_debugfs_exit();
	return err;
}

static void __exit vpb_exit(void)
{
	vpb_xenbus_exit();
	vpb_chardev_exit();
	vpb_debugfs_exit();
	pr_info("unloaded\n");
}

module_init(vpb_init);
module_exit(vpb_exit);
MODULE_DESCRIPTION("vprime paravirtual network backend and /dev/vprime");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_ALIAS("xen-backend:vprime");
