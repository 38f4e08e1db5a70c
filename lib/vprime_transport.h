/* SPDX-License-Identifier: MIT */
/*
 * vprime_transport.h - the seam under libvprime: the few things the
 * library needs from a backend.  vprime_dev.c implements it over the real
 * /dev/vprime, vprime_unix.c over a UNIX socket to a simulated backend in
 * another process (vprime-simhost); tests link lib/vprime_sim.c, which
 * implements it over the in-process simulated backend (tests/sim), so the
 * same library and the same engine run unchanged on all three.  Not part
 * of the public API.
 */
#ifndef VPRIME_TRANSPORT_H
#define VPRIME_TRANSPORT_H

#include <stddef.h>
#include "vprime.h"

struct vprime_transport {
	const char *name;
	/* One VPRIME_IOC_* with its argument; 0 or -errno. */
	int (*ioctl)(void *ctx, unsigned long cmd, void *arg);
	/* Map the area after SETUP; NULL on failure (errno-style in *err). */
	void *(*map)(void *ctx, size_t size, int *err);
	void (*unmap)(void *ctx, void *area, size_t size);
	/* Pollable descriptor, or -EOPNOTSUPP. */
	int (*fd)(void *ctx);
	/* 1: work, 0: timeout, -errno. */
	int (*wait)(void *ctx, int timeout_ms);
	/* Release the backend (detaches every port, frees the area). */
	void (*close)(void *ctx);
	/* The clock of the descriptors' tstamp, ns; NULL: CLOCK_MONOTONIC. */
	uint64_t (*now)(void *ctx);
};

/*
 * Open a handle over any transport.  On success the handle owns @ctx and
 * calls ops->close(ctx) from vprime_close(); on failure ops->close(ctx) has
 * been called too.  Same returns as vprime_open().
 */
int vprime_open_transport(struct vprime **out,
			  const struct vprime_transport *ops, void *ctx,
			  const struct vprime_opts *opts);

/*
 * vprime_open_unix - vprime_open() of a "unix:@path" device: connect to
 * the simulated backend listening at @path (vprime_unix.c).
 */
int vprime_open_unix(struct vprime **out, const char *path,
		     const struct vprime_opts *opts);
/*
 * The same over @sock, a connected SOCK_SEQPACKET socket the handle takes
 * over (closed on failure too): for tests and fuzzers that play the host.
 */
int vprime_open_unix_sock(struct vprime **out, int sock,
			  const struct vprime_opts *opts);

#endif /* VPRIME_TRANSPORT_H */
