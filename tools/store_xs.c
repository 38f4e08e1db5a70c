// SPDX-License-Identifier: MIT
/*
 * store_xs.c - struct vpx_store over libxenstore (xenstore.h, Debian's
 * libxen-dev).  xs_open(0) talks to xenstored's socket in dom0, or through
 * /dev/xen/xenbus where there is none.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

#include "vpctl.h"

static struct xs_handle *vpx_xs(struct vpx_store *s)
{
	return s->priv;
}

static int vpx_xs_txn_start(struct vpx_store *s, uint32_t *t)
{
	xs_transaction_t x = xs_transaction_start(vpx_xs(s));

	if (x == XBT_NULL)
		return errno ? -errno : -EIO;
	*t = x;
	return 0;
}

static int vpx_xs_txn_end(struct vpx_store *s, uint32_t t, bool abort)
{
	if (xs_transaction_end(vpx_xs(s), t, abort))
		return 0;
	if (abort)
		return 0;
	return errno == EAGAIN ? -EAGAIN : errno ? -errno : -EIO;
}

static int vpx_xs_read(struct vpx_store *s, uint32_t t, const char *path,
		       char *buf, size_t cap)
{
	unsigned int len = 0;
	char *v = xs_read(vpx_xs(s), t, path, &len);

	if (!v)
		return errno ? -errno : -ENOENT;
	if ((size_t)len + 1 > cap || memchr(v, '\0', len)) {
		free(v);
		return -E2BIG;
	}
	memcpy(buf, v, len);
	buf[len] = '\0';
	free(v);
	return (int)len;
}

static int vpx_xs_write(struct vpx_store *s, uint32_t t, const char *path,
			const char *val)
{
	if (xs_write(vpx_xs(s), t, path, val, (unsigned int)strlen(val)))
		return 0;
	return errno ? -errno : -EIO;
}

static int vpx_xs_rm(struct vpx_store *s, uint32_t t, const char *path)
{
	if (xs_rm(vpx_xs(s), t, path))
		return 0;
	return errno ? -errno : -EIO;
}

static int vpx_xs_list(struct vpx_store *s, uint32_t t, const char *path,
		       char ***names, unsigned int *n)
{
	char **d = xs_directory(vpx_xs(s), t, path, n);

	if (!d) {
		*n = 0;
		return errno ? -errno : -ENOENT;
	}
	*names = d;
	return 0;
}

static int vpx_xs_set_perms(struct vpx_store *s, uint32_t t, const char *path,
			    uint32_t owner, uint32_t reader)
{
	struct xs_permissions p[2] = {
		{ .id = owner, .perms = XS_PERM_NONE },
		{ .id = reader, .perms = XS_PERM_READ },
	};

	if (xs_set_permissions(vpx_xs(s), t, path, p, owner == reader ? 1 : 2))
		return 0;
	return errno ? -errno : -EIO;
}

static bool vpx_xs_alive(struct vpx_store *s, uint32_t domid)
{
	return xs_is_domain_introduced(vpx_xs(s), domid);
}

static void vpx_xs_sleep(struct vpx_store *s, uint32_t ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	(void)s;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static const struct vpx_store_ops vpx_xs_ops = {
	.txn_start = vpx_xs_txn_start,
	.txn_end = vpx_xs_txn_end,
	.read = vpx_xs_read,
	.write = vpx_xs_write,
	.rm = vpx_xs_rm,
	.list = vpx_xs_list,
	.set_perms = vpx_xs_set_perms,
	.domain_alive = vpx_xs_alive,
	.sleep_ms = vpx_xs_sleep,
};

int vpx_store_xs_open(struct vpx_store *s, bool readonly)
{
	struct xs_handle *h = xs_open(readonly ? XS_OPEN_READONLY : 0);

	if (!h)
		return errno ? -errno : -ENOENT;
	s->ops = &vpx_xs_ops;
	s->priv = h;
	return 0;
}

void vpx_store_xs_close(struct vpx_store *s)
{
	if (s->priv)
		xs_close(s->priv);
	s->priv = NULL;
}

struct xs_handle *vpx_store_xs_handle(struct vpx_store *s)
{
	return s->priv;
}
