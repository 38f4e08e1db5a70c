// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - vprime-front's entry point and parameters: the xenbus frontend
 * driver (xenbus.c) is registered here; everything else starts at probe.
 */
#include "front.h"

#include <linux/module.h>
#include <xen/xen.h>

unsigned int vpf_pool_pages = VPRIME_POOL_PAGES_DEFAULT;
module_param_named(pool_pages, vpf_pool_pages, uint, 0444);
MODULE_PARM_DESC(pool_pages, "buffer pool pages per direction (8..256)");

bool vpf_csum_offload = true;
module_param_named(csum_offload, vpf_csum_offload, bool, 0444);
MODULE_PARM_DESC(csum_offload, "request checksum offload if offered");

static int __init vpf_module_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	if (vpf_pool_pages < VPRIME_POOL_PAGES_MIN ||
	    vpf_pool_pages > VPRIME_POOL_PAGES_MAX) {
		pr_err("pool_pages must be %u..%u\n", VPRIME_POOL_PAGES_MIN,
		       VPRIME_POOL_PAGES_MAX);
		return -EINVAL;
	}
	pr_info("vprime frontend, protocol %u\n", VPRIME_PROTOCOL_VERSION);
	return vpf_xenbus_init();
}

static void __exit vpf_module_exit(void)
{
	vpf_xenbus_exit();
}

module_init(vpf_module_init);
module_exit(vpf_module_exit);
MODULE_DESCRIPTION("vprime paravirtual network frontend");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen:" VPRIME_XS_CLASS);
