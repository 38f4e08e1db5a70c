// SPDX-License-Identifier: MIT
/*
 * devops.c - the toolstack's part of a vprime device, over a store (struct
 * vpx_store): libxenstore in vprimectl, an in-memory store in the tests.
 *
 * Why this order (docs/protocol.md section 2, shared/reference/testbed.md):
 * dom0's backend bus probes when B/state appears and gives up for good if F
 * does not exist yet; the guest's bus probes F when F/state appears.  So
 * every other node of both ends, with its permissions, is committed first
 * in ONE transaction (nobody sees half a device, and a conflict retries the
 * whole of it), and both `state` nodes come last, in a second transaction.
 * The permissions are set inside the first transaction rather than after
 * it: the order the protocol asks for (nodes, permissions, then state)
 * holds, and there is no window in which F exists with dom0-only rights.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vp_parse.h"
#include "vpctl.h"

#define BE_DOMID 0u	/* the backend runs in dom0 */

void vpx_be_path(char *out, uint32_t domid, uint32_t devid)
{
	snprintf(out, VPX_PATH_MAX, "/local/domain/%u/backend/" VPRIME_XS_CLASS
		 "/%u/%u", BE_DOMID, domid, devid);
}

void vpx_fe_path(char *out, uint32_t domid, uint32_t devid)
{
	snprintf(out, VPX_PATH_MAX, "/local/domain/%u/device/" VPRIME_XS_CLASS
		 "/%u", domid, devid);
}

static void vpx_be_dom_path(char *out, uint32_t domid)
{
	snprintf(out, VPX_PATH_MAX, "/local/domain/%u/backend/" VPRIME_XS_CLASS
		 "/%u", BE_DOMID, domid);
}

/*
 * Where xenbus_dev_fatal() leaves the backend's last error for a device;
 * libxl removes these only for device classes it knows.
 */
static void vpx_be_error_path(char *out, uint32_t domid, uint32_t devid)
{
	snprintf(out, VPX_PATH_MAX, "/local/domain/%u/error/backend/"
		 VPRIME_XS_CLASS "/%u/%u", BE_DOMID, domid, devid);
}

static void vpx_fe_class_path(char *out, uint32_t domid)
{
	snprintf(out, VPX_PATH_MAX, "/local/domain/%u/device/" VPRIME_XS_CLASS,
		 domid);
}

const char *vpx_state_name(int state)
{
	static const char *const n[] = { "Unknown", "Initialising", "InitWait",
		"Initialised", "Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured" };

	if (state < 0)
		return "-";
	if ((size_t)state < sizeof(n) / sizeof(n[0]))
		return n[state];
	return "?";
}

static bool vpx_exists(struct vpx_store *s, uint32_t t, const char *path)
{
	char buf[8];
	int r = s->ops->read(s, t, path, buf, sizeof(buf));

	return r >= 0 || r == -E2BIG;
}

/* A node's value as a u32, strictly; -1 when missing or not a number. */
static int vpx_read_u32(struct vpx_store *s, uint32_t t, const char *path,
			uint32_t max)
{
	char buf[VP_XS_VALUE_MAX + 1];
	uint32_t v;
	int n = s->ops->read(s, t, path, buf, sizeof(buf));

	if (n < 0 || vp_parse_u32(buf, (u32)n, 0, max, &v))
		return -1;
	return (int)v;
}

static int vpx_state_of(struct vpx_store *s, const char *dir)
{
	char p[VPX_PATH_MAX + 8];

	snprintf(p, sizeof(p), "%s/state", dir);
	return vpx_read_u32(s, 0, p, 255);
}

/* ---- domains ---------------------------------------------------------------- */

int vpx_domname(struct vpx_store *s, uint32_t domid, char *out, size_t cap)
{
	char p[VPX_PATH_MAX], buf[VPX_DOMNAME_LEN + 1];
	int n;

	snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
	n = s->ops->read(s, 0, p, buf, sizeof(buf));
	if (n < 0) {
		if (cap)
			out[0] = '\0';
		return n;
	}
	snprintf(out, cap, "%s", buf);
	return 0;
}

int vpx_domid(struct vpx_store *s, const char *arg, uint32_t *domid)
{
	char **ids = NULL, name[VPX_DOMNAME_LEN + 1];
	unsigned int n = 0, i;
	int r, found = -1;

	if (!arg || !*arg || strlen(arg) >= VPX_DOMNAME_LEN)
		return -EINVAL;
	if (!vp_parse_u32(arg, (u32)strlen(arg), 0, 0x7fef, domid))
		return 0;
	r = s->ops->list(s, 0, "/local/domain", &ids, &n);
	if (r)
		return r;
	for (i = 0; i < n; i++) {
		uint32_t id;
		char p[VPX_PATH_MAX];

		if (vp_parse_u32(ids[i], (u32)strlen(ids[i]), 0, 0x7fef, &id))
			continue;
		snprintf(p, sizeof(p), "/local/domain/%u/name", id);
		if (s->ops->read(s, 0, p, name, sizeof(name)) < 0 ||
		    strcmp(name, arg))
			continue;
		if (found >= 0) {
			free(ids);
			return -EBUSY;	/* two domains of that name */
		}
		found = (int)id;
	}
	free(ids);
	if (found < 0)
		return -ENOENT;
	*domid = (uint32_t)found;
	return 0;
}

/* ---- enumeration ------------------------------------------------------------ */

static int vpx_numeric_children(struct vpx_store *s, const char *path,
				uint32_t max, uint32_t *ids, uint32_t cap,
				uint32_t have)
{
	char **names = NULL;
	unsigned int n = 0, i;
	uint32_t j;

	if (s->ops->list(s, 0, path, &names, &n))
		return (int)have;
	for (i = 0; i < n; i++) {
		uint32_t v;

		if (vp_parse_u32(names[i], (u32)strlen(names[i]), 0, max, &v))
			continue;
		for (j = 0; j < have && j < cap; j++)
			if (ids[j] == v)
				break;
		if (j < have)
			continue;
		if (have < cap)
			ids[have] = v;
		have++;
	}
	free(names);
	return (int)have;
}

static int vpx_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int vpx_devids(struct vpx_store *s, uint32_t domid, uint32_t *ids,
	       uint32_t cap)
{
	char p[VPX_PATH_MAX];
	int n;

	vpx_be_dom_path(p, domid);
	n = vpx_numeric_children(s, p, VPX_DEVID_MAX, ids, cap, 0);
	vpx_fe_class_path(p, domid);
	n = vpx_numeric_children(s, p, VPX_DEVID_MAX, ids, cap, (uint32_t)n);
	qsort(ids, (uint32_t)n < cap ? (uint32_t)n : cap, sizeof(*ids),
	      vpx_cmp_u32);
	return n;
}

int vpx_domids(struct vpx_store *s, uint32_t *ids, uint32_t cap)
{
	char p[VPX_PATH_MAX];
	int n;

	snprintf(p, sizeof(p), "/local/domain/%u/backend/" VPRIME_XS_CLASS,
		 BE_DOMID);
	n = vpx_numeric_children(s, p, 0x7fef, ids, cap, 0);
	qsort(ids, (uint32_t)n < cap ? (uint32_t)n : cap, sizeof(*ids),
	      vpx_cmp_u32);
	return n;
}

int vpx_dev_state(struct vpx_store *s, uint32_t domid, uint32_t devid,
		  struct vpx_devstate *out)
{
	char be[VPX_PATH_MAX], fe[VPX_PATH_MAX], p[VPX_PATH_MAX + 16];
	char buf[VP_XS_VALUE_MAX + 1];
	int n;

	memset(out, 0, sizeof(*out));
	out->domid = domid;
	out->devid = devid;
	vpx_be_path(be, domid, devid);
	vpx_fe_path(fe, domid, devid);
	out->fe_dir = vpx_exists(s, 0, fe);
	if (!vpx_exists(s, 0, be) && !out->fe_dir)
		return -ENOENT;
	snprintf(p, sizeof(p), "%s/" VPRIME_XS_MAC, be);
	n = s->ops->read(s, 0, p, buf, sizeof(buf));
	if (n < 0) {	/* the frontend's copy */
		snprintf(p, sizeof(p), "%s/" VPRIME_XS_MAC, fe);
		n = s->ops->read(s, 0, p, buf, sizeof(buf));
	}
	out->has_mac = n >= 0 && !vp_parse_mac(buf, (u32)n, out->mac);
	snprintf(p, sizeof(p), "%s/" VPRIME_XS_NAME, be);
	n = s->ops->read(s, 0, p, buf, sizeof(buf));
	out->has_name = n >= 0 && !vp_parse_name(buf, (u32)n, out->name);
	snprintf(p, sizeof(p), "%s/" VPRIME_XS_POOL_PAGES, be);
	n = s->ops->read(s, 0, p, buf, sizeof(buf));
	out->has_pool = n >= 0 && !vp_parse_u32(buf, (u32)n, VPRIME_POOL_PAGES_MIN,
						VPRIME_POOL_PAGES_MAX, &out->pool);
	out->be_state = vpx_state_of(s, be);
	out->fe_state = vpx_state_of(s, fe);
	return 0;
}

/* ---- add --------------------------------------------------------------------- */

struct vpx_kv {
	const char *key;
	char val[VPX_PATH_MAX];
};

static int vpx_write_dir(struct vpx_store *s, uint32_t t, const char *dir,
			 const struct vpx_kv *kv, uint32_t n, uint32_t owner,
			 uint32_t reader)
{
	char p[VPX_PATH_MAX + 32];
	uint32_t i;
	int r;

	r = s->ops->write(s, t, dir, "");
	if (!r)
		r = s->ops->set_perms(s, t, dir, owner, reader);
	for (i = 0; !r && i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, kv[i].key);
		r = s->ops->write(s, t, p, kv[i].val);
		if (!r)
			r = s->ops->set_perms(s, t, p, owner, reader);
	}
	return r;
}

/* Is @mac or @name already used by a device of @domid (other devids)? */
static int vpx_clash(struct vpx_store *s, uint32_t domid,
		     const struct vpx_dev *d)
{
	uint32_t ids[VPX_DEVS_MAX * 4];
	int n = vpx_devids(s, domid, ids, VPX_DEVS_MAX * 4), i;

	for (i = 0; i < n && i < (int)(VPX_DEVS_MAX * 4); i++) {
		struct vpx_devstate ds;

		if (vpx_dev_state(s, domid, ids[i], &ds))
			continue;
		if (ds.has_mac && !memcmp(ds.mac, d->mac, 6))
			return -EBUSY;
		if (d->has_name && ds.has_name && !strcmp(ds.name, d->name))
			return -EBUSY;
	}
	return 0;
}

static int vpx_pick_devid(struct vpx_store *s, uint32_t t, uint32_t domid,
			  uint32_t *devid)
{
	char be[VPX_PATH_MAX], fe[VPX_PATH_MAX];
	uint32_t id;

	for (id = 0; id <= VPX_DEVID_MAX; id++) {
		vpx_be_path(be, domid, id);
		vpx_fe_path(fe, domid, id);
		if (!vpx_exists(s, t, be) && !vpx_exists(s, t, fe)) {
			*devid = id;
			return 0;
		}
	}
	return -ENOSPC;
}

int vpx_dev_add(struct vpx_store *s, uint32_t domid, struct vpx_dev *d)
{
	char be[VPX_PATH_MAX], fe[VPX_PATH_MAX], mac[18];
	char pb[VPX_PATH_MAX + 8], pf[VPX_PATH_MAX + 8];
	struct vpx_kv bkv[6], fkv[3];
	uint32_t nb = 0, t, devid = d->devid;
	int r = -EAGAIN, tries;

	/* vprime-back refuses the device for a pool out of its range */
	if (d->has_pool && (d->pool < VPRIME_POOL_PAGES_MIN ||
			    d->pool > VPRIME_POOL_PAGES_MAX))
		return -ERANGE;
	if (domid == BE_DOMID || !s->ops->domain_alive(s, domid))
		return -ESRCH;
	r = vpx_clash(s, domid, d);
	if (r)
		return r;
	vp_format_mac(d->mac, mac);

	/* 1: every node but state, with permissions, in one transaction */
	for (tries = 0; tries < VPX_TXN_TRIES; tries++) {
		r = s->ops->txn_start(s, &t);
		if (r)
			return r;
		if (!d->has_devid) {
			r = vpx_pick_devid(s, t, domid, &devid);
			if (r)
				goto abort;
		}
		vpx_be_path(be, domid, devid);
		vpx_fe_path(fe, domid, devid);
		if (vpx_exists(s, t, be) || vpx_exists(s, t, fe)) {
			r = -EEXIST;
			goto abort;
		}
		nb = 0;
		bkv[nb].key = "frontend";
		snprintf(bkv[nb++].val, VPX_PATH_MAX, "%s", fe);
		bkv[nb].key = "frontend-id";
		snprintf(bkv[nb++].val, VPX_PATH_MAX, "%u", domid);
		bkv[nb].key = "online";
		snprintf(bkv[nb++].val, VPX_PATH_MAX, "1");
		bkv[nb].key = VPRIME_XS_MAC;
		snprintf(bkv[nb++].val, VPX_PATH_MAX, "%s", mac);
		if (d->has_name) {
			bkv[nb].key = VPRIME_XS_NAME;
			snprintf(bkv[nb++].val, VPX_PATH_MAX, "%s", d->name);
		}
		/* dom0's cost of the device: only dom0 writes it (n0) */
		if (d->has_pool) {
			bkv[nb].key = VPRIME_XS_POOL_PAGES;
			snprintf(bkv[nb++].val, VPX_PATH_MAX, "%u", d->pool);
		}
		fkv[0].key = "backend";
		snprintf(fkv[0].val, VPX_PATH_MAX, "%s", be);
		fkv[1].key = "backend-id";
		snprintf(fkv[1].val, VPX_PATH_MAX, "%u", BE_DOMID);
		fkv[2].key = VPRIME_XS_MAC;
		snprintf(fkv[2].val, VPX_PATH_MAX, "%s", mac);
		/* backend n0 r<domid>; frontend n<domid> r0 */
		r = vpx_write_dir(s, t, be, bkv, nb, BE_DOMID, domid);
		if (!r)
			r = vpx_write_dir(s, t, fe, fkv, 3, domid, BE_DOMID);
		if (r)
			goto abort;
		r = s->ops->txn_end(s, t, false);
		if (r != -EAGAIN)
			break;
		continue;
abort:
		s->ops->txn_end(s, t, true);
		return r;
	}
	if (r)
		return r;

	/* 2: both ends Initialising; the buses probe now */
	snprintf(pb, sizeof(pb), "%s/state", be);
	snprintf(pf, sizeof(pf), "%s/state", fe);
	for (tries = 0; tries < VPX_TXN_TRIES; tries++) {
		r = s->ops->txn_start(s, &t);
		if (r)
			break;
		r = s->ops->write(s, t, pb, "1");
		if (!r)
			r = s->ops->set_perms(s, t, pb, BE_DOMID, domid);
		if (!r)
			r = s->ops->write(s, t, pf, "1");
		if (!r)
			r = s->ops->set_perms(s, t, pf, domid, BE_DOMID);
		if (r) {
			s->ops->txn_end(s, t, true);
			break;
		}
		r = s->ops->txn_end(s, t, false);
		if (r != -EAGAIN)
			break;
	}
	if (r) {
		/* leave nothing half-made behind */
		s->ops->rm(s, 0, fe);
		s->ops->rm(s, 0, be);
		return r;
	}
	d->devid = devid;
	return 0;
}

/* ---- remove ------------------------------------------------------------------ */

static bool vpx_fe_closed(int st)
{
	/* gone, never probed (Unknown/Initialising), or Closed */
	return st < 0 || st == 0 || st == 1 || st == 6;
}

/* Remove a directory if it has no children left. */
static void vpx_rm_if_empty(struct vpx_store *s, uint32_t t, const char *path)
{
	char **names = NULL;
	unsigned int n = 0;

	if (s->ops->list(s, t, path, &names, &n))
		return;
	free(names);
	if (n == 0)
		s->ops->rm(s, t, path);
}

int vpx_dev_remove(struct vpx_store *s, uint32_t domid, uint32_t devid,
		   bool force, uint32_t timeout_ms, int *fe_state)
{
	char be[VPX_PATH_MAX], fe[VPX_PATH_MAX], p[VPX_PATH_MAX + 16];
	bool has_be, has_fe;
	uint32_t t, waited = 0;
	int r = 0, tries, st;

	vpx_be_path(be, domid, devid);
	vpx_fe_path(fe, domid, devid);
	has_be = vpx_exists(s, 0, be);
	has_fe = vpx_exists(s, 0, fe);
	if (fe_state)
		*fe_state = -1;
	if (!has_be && !has_fe)
		return -ENOENT;
	if (!force && !s->ops->domain_alive(s, domid))
		return -ESRCH;

	if (has_be) {
		/* as libxl does: offline, then Closing; the backend driver
		 * tells the frontend, which tears down and closes */
		for (tries = 0; tries < VPX_TXN_TRIES; tries++) {
			r = s->ops->txn_start(s, &t);
			if (r)
				return r;
			if (!vpx_exists(s, t, be)) {
				s->ops->txn_end(s, t, true);
				r = 0;
				break;
			}
			snprintf(p, sizeof(p), "%s/online", be);
			r = s->ops->write(s, t, p, "0");
			snprintf(p, sizeof(p), "%s/state", be);
			if (!r)
				r = s->ops->write(s, t, p, "5");
			if (r) {
				s->ops->txn_end(s, t, true);
				break;
			}
			r = s->ops->txn_end(s, t, false);
			if (r != -EAGAIN)
				break;
		}
		if (r && !force)
			return r;
	}
	while (!force) {
		st = vpx_state_of(s, fe);
		if (fe_state)
			*fe_state = st;
		if (vpx_fe_closed(st))
			break;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		s->ops->sleep_ms(s, 50);
		waited += 50;
	}
	/* both directories, and their parents when they are empty */
	for (tries = 0; tries < VPX_TXN_TRIES; tries++) {
		r = s->ops->txn_start(s, &t);
		if (r)
			return r;
		r = s->ops->rm(s, t, fe);
		if (!r || r == -ENOENT)
			r = s->ops->rm(s, t, be);
		if (r == -ENOENT)
			r = 0;
		if (r) {
			s->ops->txn_end(s, t, true);
			return r;
		}
		vpx_be_dom_path(p, domid);
		vpx_rm_if_empty(s, t, p);
		vpx_fe_class_path(p, domid);
		vpx_rm_if_empty(s, t, p);
		vpx_be_error_path(p, domid, devid);
		s->ops->rm(s, t, p);	/* absent unless the backend failed */
		*strrchr(p, '/') = '\0';
		vpx_rm_if_empty(s, t, p);
		r = s->ops->txn_end(s, t, false);
		if (r != -EAGAIN)
			break;
	}
	return r;
}
