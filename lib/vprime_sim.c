// SPDX-License-Identifier: MIT
/*
 * vprime_sim.c - TEST ONLY transport: libvprime over tests/sim's stand-in
 * for /dev/vprime.  Linked into tests, fuzzers and benchmarks, never into
 * the production library.
 */
#include <errno.h>
#include <stdlib.h>

#include "vp_sim.h"
#include "vprime_sim.h"
#include "vprime_transport.h"

static int vprime_sim_ioctl(void *ctx, unsigned long cmd, void *arg)
{
	return vp_sim_ioctl(ctx, cmd, arg);
}

static void *vprime_sim_map(void *ctx, size_t size, int *err)
{
	size_t have = 0;
	void *a = vp_sim_area(ctx, &have);

	*err = 0;
	if (!a || have != size) {
		*err = -EINVAL;
		return NULL;
	}
	return a;
}

static int vprime_sim_fd(void *ctx)
{
	(void)ctx;
	return -EOPNOTSUPP;
}

static int vprime_sim_wait(void *ctx, int timeout_ms)
{
	(void)timeout_ms;
	return vp_sim_pending(ctx) ? 1 : 0;
}

static void vprime_sim_close(void *ctx)
{
	vp_sim_close(ctx);
}

static uint64_t vprime_sim_now(void *ctx)
{
	return vp_sim_now(ctx);
}

static const struct vprime_transport vprime_sim_ops = {
	.name = "sim",
	.ioctl = vprime_sim_ioctl,
	.map = vprime_sim_map,
	.unmap = NULL,		/* the area belongs to the sim file */
	.fd = vprime_sim_fd,
	.wait = vprime_sim_wait,
	.close = vprime_sim_close,
	.now = vprime_sim_now,
};

int vprime_open_sim(struct vprime **out, struct vp_sim_host *h,
		    const struct vprime_opts *opts)
{
	struct vp_sim_file *f;

	if (!out || !h)
		return -EINVAL;
	*out = NULL;
	f = vp_sim_open(h);
	if (!f)
		return -ENOMEM;
	return vprime_open_transport(out, &vprime_sim_ops, f, opts);
}
