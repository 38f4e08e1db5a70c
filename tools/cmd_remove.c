// SPDX-License-Identifier: MIT
/*
 * vprimectl remove [--force] [--timeout S] <domain> [devid|all]
 *
 * Graceful by default: backend offline and Closing, wait for the guest's
 * frontend to close (Closed, or never probed), then both directories go.
 * --force skips the wait and the domain check: for a dead domain's
 * leftovers, or a guest that does not answer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vpctl.h"

int vpctl_cmd_remove(int argc, char **argv)
{
	uint32_t domid, ids[VPX_DEVS_MAX * 4], timeout_s = 10, devid = 0;
	const char *dom = NULL, *which = NULL;
	struct vpx_store s;
	bool force = false, all;
	int i, n, r, rc = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force") || !strcmp(argv[i], "-f")) {
			force = true;
		} else if (!strcmp(argv[i], "--timeout")) {
			if (i + 1 >= argc || !vpctl_u32(argv[i + 1], 0, 3600,
							 &timeout_s)) {
				vpctl_err("--timeout wants seconds, 0..3600");
				return 1;
			}
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			vpctl_err("unknown option '%.40s'", argv[i]);
			vpctl_usage_of("remove");
			return 1;
		} else if (!dom) {
			dom = argv[i];
		} else if (!which) {
			which = argv[i];
		} else {
			vpctl_usage_of("remove");
			return 1;
		}
	}
	if (!dom) {
		vpctl_usage_of("remove");
		return 1;
	}
	all = !which || !strcmp(which, "all");
	if (!all && !vpctl_u32(which, 0, VPX_DEVID_MAX, &devid)) {
		vpctl_err("bad devid '%.40s' (decimal 0..%u, or all)", which,
			  VPX_DEVID_MAX);
		return 1;
	}
	if (vpctl_store_open(&s, false))
		return 1;
	r = vpx_domid(&s, dom, &domid);
	if (r) {
		vpctl_err("no domain '%.64s'%s", dom, r == -EBUSY ?
			  " (the name is not unique: use its id)" :
			  " (a dead domain's leftovers: give its id and --force)");
		vpx_store_xs_close(&s);
		return 1;
	}
	if (all) {
		n = vpx_devids(&s, domid, ids, VPX_DEVS_MAX * 4);
		if (n > (int)(VPX_DEVS_MAX * 4))
			n = VPX_DEVS_MAX * 4;
		if (n == 0) {
			vpctl_err("dom%u has no vprime device", domid);
			vpx_store_xs_close(&s);
			return 1;
		}
	} else {
		ids[0] = devid;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		int fe = -1;

		r = vpx_dev_remove(&s, domid, ids[i], force, timeout_s * 1000, &fe);
		switch (r) {
		case 0:
			printf("dom%u: vprime device %u removed\n", domid, ids[i]);
			break;
		case -ENOENT:
			vpctl_err("dom%u has no vprime device %u", domid, ids[i]);
			rc = 1;
			break;
		case -ESRCH:
			vpctl_err("domain %u is gone: remove its leftovers with "
				  "--force", domid);
			rc = 1;
			break;
		case -ETIMEDOUT:
			vpctl_err("dom%u device %u: the frontend is still %s after "
				  "%us; the backend is Closing, nodes left in place "
				  "(--force removes them)", domid, ids[i],
				  vpx_state_name(fe), timeout_s);
			rc = 1;
			break;
		default:
			vpctl_err("dom%u device %u: %s", domid, ids[i],
				  strerror(-r));
			rc = 1;
		}
	}
	vpx_store_xs_close(&s);
	return rc;
}
