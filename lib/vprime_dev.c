// SPDX-License-Identifier: MIT
/*
 * vprime_dev.c - the transport over the real /dev/vprime: ioctl, mmap and
 * poll on one file descriptor.  vprime_open() also picks the transport:
 * a "unix:" path goes to vprime_unix.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vprime_transport.h"
#include "vprime_unix.h"

struct vprime_dev {
	int fd;
};

static int vprime_dev_ioctl(void *ctx, unsigned long cmd, void *arg)
{
	struct vprime_dev *d = ctx;
	int r;

	do {
		r = ioctl(d->fd, cmd, arg);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

static void *vprime_dev_map(void *ctx, size_t size, int *err)
{
	struct vprime_dev *d = ctx;
	void *a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);

	if (a == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	*err = 0;
	return a;
}

static void vprime_dev_unmap(void *ctx, void *area, size_t size)
{
	(void)ctx;
	munmap(area, size);
}

static int vprime_dev_fd(void *ctx)
{
	return ((struct vprime_dev *)ctx)->fd;
}

static int vprime_dev_wait(void *ctx, int timeout_ms)
{
	struct pollfd pfd = { .fd = vprime_dev_fd(ctx), .events = POLLIN };
	int r = poll(&pfd, 1, timeout_ms);

	if (r < 0)
		return -errno;
	if (r && (pfd.revents & (POLLERR | POLLNVAL)))
		return -EIO;
	return r > 0;
}

static void vprime_dev_close(void *ctx)
{
	struct vprime_dev *d = ctx;

	if (d->fd >= 0)
		close(d->fd);
	free(d);
}

static const struct vprime_transport vprime_dev_ops = {
	.name = "dev",
	.ioctl = vprime_dev_ioctl,
	.map = vprime_dev_map,
	.unmap = vprime_dev_unmap,
	.fd = vprime_dev_fd,
	.wait = vprime_dev_wait,
	.close = vprime_dev_close,
};

int vprime_open(struct vprime **out, const char *path,
		const struct vprime_opts *opts)
{
	size_t pre = strlen(VPRIME_UNIX_PREFIX);
	struct vprime_dev *d;

	if (!out)
		return -EINVAL;
	*out = NULL;
	/*
	 * No path: $VPRIME_DEVICE if set, so an unchanged engine can be
	 * pointed at a simulated host (ignored in setuid programs).
	 */
	if (!path)
		path = secure_getenv("VPRIME_DEVICE");
	if (!path || !path[0])
		path = "/dev/" VPRIME_DEV_NAME;
	if (!strncmp(path, VPRIME_UNIX_PREFIX, pre))
		return vprime_open_unix(out, path + pre, opts);
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (d->fd < 0) {
		int err = -errno;

		free(d);
		return err;
	}
	return vprime_open_transport(out, &vprime_dev_ops, d, opts);
}
