// SPDX-License-Identifier: MIT
/*
 * vprimectl watch [--config-dir DIR]... [--once]
 *
 * The dom0 service that makes a plain `xl create` / `xl destroy` handle
 * vprime devices (docs/xl.md says why a service and how it hooks in):
 *
 *   @introduceDomain  a domain was built: find its xl config (findcfg.c),
 *                     add the devices of its vprime line that are missing.
 *   @releaseDomain    a domain is gone (destroy, shutdown, crash): libxl
 *                     removed what it knows, but not our class; remove
 *                     every backend/vprime/<domid> of a domain xenstored no
 *                     longer knows.
 *
 * Each event triggers a full rescan, so a lost or merged event costs
 * nothing, and a restart of the service catches up.  A domain is looked at
 * once while it lives: a device removed by `vprimectl remove` stays removed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

#include "vp_parse.h"
#include "vpctl.h"

#define VPW_DOMID_MAX	0x7ff0u
#define VPW_DIRS_MAX	16
#define VPW_CACHE	64

struct vpw_cached {
	bool used;
	uint64_t age;
	struct vpx_cfg cfg;
};

struct vpw {
	struct vpx_store s;
	const char *dirs[VPW_DIRS_MAX + 1];
	bool seen[VPW_DOMID_MAX];
	struct vpw_cached cache[VPW_CACHE];
	uint64_t clock;
};

static volatile sig_atomic_t vpw_stop;

static void vpw_sig(int sig)
{
	(void)sig;
	vpw_stop = 1;
}

static void vpw_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void vpw_log(const char *fmt, ...)
{
	va_list ap;

	printf("vprimectl watch: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* The config a domain of this name had last time (a reboot by xl). */
static struct vpx_cfg *vpw_cache_get(struct vpw *w, const char *name)
{
	int i;

	for (i = 0; i < VPW_CACHE; i++)
		if (w->cache[i].used && !strcmp(w->cache[i].cfg.domname, name))
			return &w->cache[i].cfg;
	return NULL;
}

static void vpw_cache_put(struct vpw *w, const struct vpx_cfg *cfg)
{
	int i, slot = 0;

	for (i = 0; i < VPW_CACHE; i++) {
		if (w->cache[i].used && !strcmp(w->cache[i].cfg.domname,
						cfg->domname)) {
			slot = i;
			break;
		}
		if (!w->cache[i].used || w->cache[i].age < w->cache[slot].age)
			slot = i;
		if (!w->cache[slot].used)
			break;
	}
	w->cache[slot].used = true;
	w->cache[slot].age = ++w->clock;
	w->cache[slot].cfg = *cfg;
}

static void vpw_new_domain(struct vpw *w, uint32_t domid)
{
	static struct vpx_cfg cfg;
	char name[VPX_DOMNAME_LEN], where[600], err[VPCTL_ERR_LEN];
	struct vpx_cfg *use = &cfg;
	uint32_t i;
	int r;

	if (vpx_domname(&w->s, domid, name, sizeof(name)) || !name[0])
		return;
	r = vpctl_find_config(name, w->dirs, &cfg, where, sizeof(where), err,
			      sizeof(err));
	if (r == -EINVAL) {
		vpw_log("dom%u (%s): %s: %s; no vprime devices added", domid, name,
			where, err);
		return;
	}
	if (r) {
		use = vpw_cache_get(w, name);
		if (!use)
			return;		/* not ours: no config with its name */
		snprintf(where, sizeof(where), "the config it had before");
	} else {
		vpw_cache_put(w, &cfg);
	}
	for (i = 0; i < use->ndev; i++) {
		struct vpx_dev d = use->dev[i];
		struct vpx_devstate ds;
		char spec[160];

		if (!vpx_dev_state(&w->s, domid, d.devid, &ds))
			continue;	/* there already (vprime-xl, a restart) */
		d.has_devid = true;
		r = vpx_dev_add(&w->s, domid, &d);
		vpx_format_spec(&d, spec, sizeof(spec));
		if (!r)
			vpw_log("dom%u (%s): added vprime device %u (%s) from %s",
				domid, name, d.devid, spec, where);
		else if (r != -EEXIST)
			vpw_log("dom%u (%s): vprime device %u (%s): %s", domid, name,
				d.devid, spec, strerror(-r));
	}
}

static void vpw_scan(struct vpw *w)
{
	static bool alive[VPW_DOMID_MAX];
	static uint32_t ids[VPW_DOMID_MAX];
	uint32_t devs[VPX_DEVS_MAX * 4], id;
	char **names = NULL;
	unsigned int n = 0, i;
	int nd, j, k, nv;

	memset(alive, 0, sizeof(alive));
	if (!w->s.ops->list(&w->s, 0, "/local/domain", &names, &n)) {
		for (i = 0; i < n; i++)
			if (!vp_parse_u32(names[i], (u32)strlen(names[i]), 1,
					  VPW_DOMID_MAX - 1, &id) &&
			    w->s.ops->domain_alive(&w->s, id))
				alive[id] = true;
		free(names);
	}
	/* new domains */
	for (id = 1; id < VPW_DOMID_MAX; id++) {
		if (alive[id] && !w->seen[id]) {
			w->seen[id] = true;
			vpw_new_domain(w, id);
		} else if (!alive[id] && w->seen[id] &&
			   !w->s.ops->domain_alive(&w->s, id)) {
			w->seen[id] = false;
		}
	}
	/* leftovers of domains that are gone */
	nd = vpx_domids(&w->s, ids, VPW_DOMID_MAX);
	for (j = 0; j < nd && j < (int)VPW_DOMID_MAX; j++) {
		if (w->s.ops->domain_alive(&w->s, ids[j]))
			continue;
		nv = vpx_devids(&w->s, ids[j], devs, VPX_DEVS_MAX * 4);
		for (k = 0; k < nv && k < (int)(VPX_DEVS_MAX * 4); k++) {
			int r = vpx_dev_remove(&w->s, ids[j], devs[k], true, 0, NULL);

			if (!r)
				vpw_log("dom%u is gone: removed vprime device %u",
					ids[j], devs[k]);
			else if (r != -ENOENT)
				vpw_log("dom%u is gone: vprime device %u: %s", ids[j],
					devs[k], strerror(-r));
		}
	}
}

int vpctl_cmd_watch(int argc, char **argv)
{
	static struct vpw w;
	struct xs_handle *h;
	struct sigaction sa;
	bool once = false;
	int i, nd = 0;

	memset(&w, 0, sizeof(w));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = true;
		} else if (!strcmp(argv[i], "--config-dir") && i + 1 < argc) {
			if (nd == VPW_DIRS_MAX) {
				vpctl_err("at most %d --config-dir", VPW_DIRS_MAX);
				return 1;
			}
			w.dirs[nd++] = argv[++i];
		} else {
			vpctl_usage_of("watch");
			return 1;
		}
	}
	if (!nd)
		w.dirs[nd++] = "/etc/xen";
	w.dirs[nd] = NULL;
	if (vpctl_store_open(&w.s, false))
		return 1;
	h = vpx_store_xs_handle(&w.s);
	if (once) {
		vpw_scan(&w);
		vpx_store_xs_close(&w.s);
		return 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vpw_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!xs_watch(h, "@introduceDomain", "intro") ||
	    !xs_watch(h, "@releaseDomain", "release")) {
		vpctl_err("cannot watch @introduceDomain/@releaseDomain: %s",
			  strerror(errno));
		vpx_store_xs_close(&w.s);
		return 1;
	}
	vpw_log("watching domains; configs from running xl create, then %s%s",
		w.dirs[0], nd > 1 ? " and more" : "");
	vpw_scan(&w);
	while (!vpw_stop) {
		struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };
		char **ev;
		bool any = false;

		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
			break;
		while ((ev = xs_check_watch(h))) {
			free(ev);
			any = true;
		}
		if (errno != EAGAIN && !any) {
			vpctl_err("xenstore connection lost: %s", strerror(errno));
			vpx_store_xs_close(&w.s);
			return 1;
		}
		if (any)
			vpw_scan(&w);
	}
	vpw_log("stopping");
	vpx_store_xs_close(&w.s);
	return 0;
}
