// SPDX-License-Identifier: MIT
/*
 * vprimectl list
 *
 * Every vprime device xenstore knows (a backend or a frontend directory),
 * with both xenbus states, and whether an engine holds it (VPRIME_IOC_LIST:
 * "attached", "free"; "-" when vprime-back has no such device, "?" when
 * /dev/vprime cannot be opened).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vp_parse.h"
#include "vpctl.h"

#define VPCTL_DOMS_MAX 4096u

static int vpctl_add_id(uint32_t *ids, int n, uint32_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return n;
	if (n < (int)VPCTL_DOMS_MAX)
		ids[n++] = id;
	return n;
}

static int vpctl_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int vpctl_cmd_list(int argc, char **argv)
{
	static uint32_t doms[VPCTL_DOMS_MAX];
	uint32_t devs[VPX_DEVS_MAX * 4], nk = 0, k;
	struct vprime_devinfo *kl = NULL;
	char **names = NULL;
	unsigned int nn = 0, j;
	struct vpx_store s;
	int nd, i, kr;

	(void)argv;
	if (argc != 1) {
		vpctl_usage_of("list");
		return 1;
	}
	if (vpctl_store_open(&s, true))
		return 1;
	nd = vpx_domids(&s, doms, VPCTL_DOMS_MAX);
	if (nd > (int)VPCTL_DOMS_MAX)
		nd = VPCTL_DOMS_MAX;
	if (!s.ops->list(&s, 0, "/local/domain", &names, &nn)) {
		for (j = 0; j < nn; j++) {
			uint32_t id;

			if (!vp_parse_u32(names[j], (u32)strlen(names[j]), 1,
					  0x7fef, &id))
				nd = vpctl_add_id(doms, nd, id);
		}
		free(names);
	}
	qsort(doms, (size_t)nd, sizeof(*doms), vpctl_cmp);
	kr = vpctl_kernel_list(&kl, &nk);
	printf("%-5s %-20s %-5s %-12s %-17s %-12s %-12s %s\n", "DOMID", "DOMAIN",
	       "DEVID", "NAME", "MAC", "BACKEND", "FRONTEND", "ENGINE");
	for (i = 0; i < nd; i++) {
		char domname[VPX_DOMNAME_LEN];
		int n = vpx_devids(&s, doms[i], devs, VPX_DEVS_MAX * 4), d;

		if (n > (int)(VPX_DEVS_MAX * 4))
			n = VPX_DEVS_MAX * 4;
		if (n <= 0)
			continue;
		if (vpx_domname(&s, doms[i], domname, sizeof(domname)))
			snprintf(domname, sizeof(domname), "%s",
				 s.ops->domain_alive(&s, doms[i]) ? "-" : "(gone)");
		for (d = 0; d < n; d++) {
			struct vpx_devstate ds;
			const char *eng = kr ? "?" : "-";
			char mac[18] = "-";

			if (vpx_dev_state(&s, doms[i], devs[d], &ds))
				continue;
			if (ds.has_mac)
				vp_format_mac(ds.mac, mac);
			for (k = 0; !kr && k < nk; k++)
				if (kl[k].domid == doms[i] && kl[k].devid == devs[d])
					eng = kl[k].flags & VPRIME_DEV_F_ATTACHED ?
						"attached" : "free";
			printf("%-5u %-20s %-5u %-12s %-17s %-12s %-12s %s\n",
			       doms[i], domname, devs[d], ds.has_name ? ds.name : "-",
			       mac, vpx_state_name(ds.be_state),
			       vpx_state_name(ds.fe_state), eng);
		}
	}
	free(kl);
	vpx_store_xs_close(&s);
	return 0;
}
