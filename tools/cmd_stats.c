// SPDX-License-Identifier: MIT
/*
 * vprimectl stats [<domain>[/devid] | <name>]
 *
 * Per device, the backend's counters (enum vprime_stat_id).  They come
 * from vprime-back's debugfs file, which reads them without attaching:
 * attaching through libvprime to read VPRIME_IOC_STATS would raise the
 * guest's carrier for a moment, and is refused (-EBUSY) for a device an
 * engine holds.  Then, if vprimed answers on its control socket, its own
 * `stats` and `ports` (which include the per-port counters it reads with
 * VPRIME_IOC_STATS).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vp_parse.h"
#include "vpctl.h"

int vpctl_cmd_stats(int argc, char **argv)
{
	struct vprime_devinfo *kl = NULL;
	const char *sel = argc > 1 ? argv[1] : NULL;
	char err[VPCTL_ERR_LEN], mac[18];
	uint32_t nk = 0, k, sel_dom = 0, sel_dev = 0, shown = 0;
	bool by_id = false, by_dev = false;
	int r;

	if (argc > 2) {
		vpctl_usage_of("stats");
		return 1;
	}
	if (sel) {
		const char *slash = strchr(sel, '/');
		char dom[VPX_DOMNAME_LEN];

		if (slash && (size_t)(slash - sel) < sizeof(dom)) {
			memcpy(dom, sel, (size_t)(slash - sel));
			dom[slash - sel] = '\0';
			if (!vpctl_u32(slash + 1, 0, VPX_DEVID_MAX, &sel_dev)) {
				vpctl_err("bad devid in '%.60s'", sel);
				return 1;
			}
			by_dev = true;
		} else {
			snprintf(dom, sizeof(dom), "%.*s", (int)sizeof(dom) - 1, sel);
		}
		if (vpctl_u32(dom, 0, 0x7fef, &sel_dom)) {
			by_id = true;
		} else {
			struct vpx_store s;

			/* a domain name, else a device name */
			if (!vpx_store_xs_open(&s, true)) {
				by_id = !vpx_domid(&s, dom, &sel_dom);
				vpx_store_xs_close(&s);
			}
			if (!by_id && by_dev) {
				vpctl_err("no domain '%.64s'", dom);
				return 1;
			}
			if (!by_id && vp_parse_name(sel, (u32)strlen(sel),
						    (char[VPRIME_NAME_LEN]){0})) {
				vpctl_err("'%.60s' is neither a domain nor a device "
					  "name", sel);
				return 1;
			}
		}
	}
	r = vpctl_kernel_list(&kl, &nk);
	if (r) {
		vpctl_err("%s: %s%s", vpctl_dev_path(), strerror(-r),
			  r == -ENOENT ? " (is vprime-back loaded?)" : "");
	}
	for (k = 0; !r && k < nk; k++) {
		struct vprime_devinfo *d = &kl[k];

		if (sel && by_id && (d->domid != sel_dom ||
				     (by_dev && d->devid != sel_dev)))
			continue;
		if (sel && !by_id && strncmp(d->name, sel, VPRIME_NAME_LEN))
			continue;
		vp_format_mac(d->mac, mac);
		printf("device dom%u/%u name %.*s mac %s mtu %u %s %s\n",
		       d->domid, d->devid, (int)VPRIME_NAME_LEN,
		       d->name[0] ? d->name : "-", mac, d->mtu,
		       d->flags & VPRIME_DEV_F_CONNECTED ? "connected" :
		       "not-connected", d->flags & VPRIME_DEV_F_ATTACHED ?
		       "attached" : "free");
		if (vpctl_debugfs_counters(d->domid, d->devid, stdout))
			printf("  (counters: mount debugfs on /sys/kernel/debug, "
			       "or ask the engine that holds it)\n");
		shown++;
	}
	free(kl);
	if (!r && sel && !shown) {
		vpctl_err("no vprime device matches '%.60s'", sel);
		r = -ENOENT;
	}
	/* the engine's view, when one runs */
	{
		int e = vpctl_engine_cmd(vpctl_engine_socket(), "stats", stdout,
					 err, sizeof(err));

		if (!e)
			e = vpctl_engine_cmd(vpctl_engine_socket(), "ports",
					     stdout, err, sizeof(err));
		if (e == -EREMOTEIO)
			vpctl_err("vprimed: %s", err);
		else if (e && e != -ENOENT && e != -ECONNREFUSED)
			vpctl_err("vprimed at %s: %s", vpctl_engine_socket(),
				  strerror(-e));
		if (e == -EREMOTEIO || (e && e != -ENOENT && e != -ECONNREFUSED))
			return 1;
	}
	return r ? 1 : 0;
}
