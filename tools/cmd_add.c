// SPDX-License-Identifier: MIT
/*
 * vprimectl add [--pool N] <domain> SPEC... | [--pool N] <domain> --config FILE
 *
 * Writes the toolstack's nodes of each device (devops.c: one transaction
 * for every node but state, then both state nodes) and prints one line per
 * device added.  Works on a paused domain too: that is how vprime-xl adds
 * devices before the guest runs.  --pool N is the pool size of every
 * device that does not give its own pool=.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vp_parse.h"
#include "vpctl.h"

/* Is device @d->devid of @domid already exactly @d (same mac and name)? */
static bool vpctl_same(struct vpx_store *s, uint32_t domid,
		       const struct vpx_dev *d)
{
	struct vpx_devstate ds;

	return !vpx_dev_state(s, domid, d->devid, &ds) && ds.has_mac &&
	       !memcmp(ds.mac, d->mac, 6) && ds.has_name == d->has_name &&
	       (!d->has_name || !strcmp(ds.name, d->name)) &&
	       ds.has_pool == d->has_pool && (!d->has_pool || ds.pool == d->pool);
}

/*
 * @from_config: the devids are the config's, and a device that is already
 * there as the config describes it is fine (vprimectl watch may have added
 * it first: vprime-xl and the service together).
 */
static int vpctl_add_one(struct vpx_store *s, uint32_t domid,
			 struct vpx_dev *d, bool from_config)
{
	char spec[160];
	int r;

	if (from_config)
		d->has_devid = true;
	r = vpx_dev_add(s, domid, d);

	vpx_format_spec(d, spec, sizeof(spec));
	switch (r) {
	case 0:
		printf("dom%u: vprime device %u added (%s)\n", domid, d->devid,
		       spec);
		if (d->has_mtu)
			vpctl_err("note: mtu=%u is not carried to the guest by "
				  "protocol 1; set it there with ip link", d->mtu);
		return 0;
	case -EEXIST:
	case -EBUSY:
		if (from_config && vpctl_same(s, domid, d)) {
			printf("dom%u: vprime device %u already present (%s)\n",
			       domid, d->devid, spec);
			return 0;
		}
		if (r == -EBUSY)
			break;
		vpctl_err("dom%u already has a vprime device %u", domid, d->devid);
		return 1;
	case -ESRCH:
		vpctl_err("domain %u does not exist (or is dom0)", domid);
		return 1;
	case -ERANGE:
		vpctl_err("dom%u device %u: pool %u out of %u..%u", domid,
			  d->devid, d->pool, VPRIME_POOL_PAGES_MIN,
			  VPRIME_POOL_PAGES_MAX);
		return 1;
	default:
		vpctl_err("dom%u device %u: %s", domid, d->devid, strerror(-r));
		return 1;
	}
	vpctl_err("dom%u already has a vprime device with this mac or name (%s)",
		  domid, spec);
	return 1;
}

/*
 * Take every "--pool N" out of @argv (anywhere after the command);
 * returns the new argc, or -1 after an error message.
 */
static int vpctl_add_opts(int argc, char **argv, bool *has_pool,
			  uint32_t *pool)
{
	int i, n = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pool")) {
			argv[n++] = argv[i];
			continue;
		}
		if (i + 1 >= argc || !vpctl_u32(argv[i + 1],
						 VPRIME_POOL_PAGES_MIN,
						 VPRIME_POOL_PAGES_MAX, pool)) {
			vpctl_err("--pool wants pages per direction, decimal "
				  "%u..%u", VPRIME_POOL_PAGES_MIN,
				  VPRIME_POOL_PAGES_MAX);
			return -1;
		}
		*has_pool = true;
		i++;
	}
	argv[n] = NULL;
	return n;
}

int vpctl_cmd_add(int argc, char **argv)
{
	static struct vpx_cfg cfg;
	char err[VPCTL_ERR_LEN], *text = NULL;
	struct vpx_store s;
	uint32_t domid, i, pool = 0;
	size_t len;
	bool from_config = false, has_pool = false;
	int r, rc = 0;

	argc = vpctl_add_opts(argc, argv, &has_pool, &pool);
	if (argc < 0)
		return 1;
	if (argc < 3) {
		vpctl_usage_of("add");
		return 1;
	}
	memset(&cfg, 0, sizeof(cfg));
	if (!strcmp(argv[2], "--config")) {
		if (argc != 4) {
			vpctl_usage_of("add");
			return 1;
		}
		from_config = true;
		r = vpctl_read_file(argv[3], &text, &len);
		if (r) {
			vpctl_err("%s: %s", argv[3], vpctl_file_err(r));
			return 1;
		}
		r = vpx_parse(text, len, &cfg, err, sizeof(err));
		free(text);
		if (r) {
			vpctl_err("%s: %s", argv[3], err);
			return 1;
		}
	} else {
		for (i = 2; i < (uint32_t)argc; i++) {
			struct vpx_dev *d = &cfg.dev[cfg.ndev];

			if (cfg.ndev == VPX_DEVS_MAX) {
				vpctl_err("at most %u devices at once", VPX_DEVS_MAX);
				return 1;
			}
			if (vpx_parse_spec(argv[i], strlen(argv[i]), d, err,
					   sizeof(err))) {
				vpctl_err("'%.60s': %s", argv[i], err);
				return 1;
			}
			cfg.ndev++;
		}
	}
	if (vpctl_store_open(&s, false))
		return 1;
	r = vpx_domid(&s, argv[1], &domid);
	if (r) {
		vpctl_err("no domain '%.64s'%s", argv[1], r == -EBUSY ?
			  " (the name is not unique: use its id)" : r == -EINVAL ?
			  " (a name or an id)" : "");
		vpx_store_xs_close(&s);
		return 1;
	}
	for (i = 0; i < cfg.ndev; i++) {
		if (has_pool && !cfg.dev[i].has_pool) {
			cfg.dev[i].has_pool = true;
			cfg.dev[i].pool = pool;
		}
		rc |= vpctl_add_one(&s, domid, &cfg.dev[i], from_config);
	}
	vpx_store_xs_close(&s);
	return rc;
}
