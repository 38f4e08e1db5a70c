/* SPDX-License-Identifier: MIT */
/*
 * vprime_sim.h - TEST ONLY: open a libvprime handle over the in-process
 * simulated backend of tests/sim.  Lives in its own translation unit
 * (lib/vprime_sim.c), which is never part of libvprime.a/.so.
 */
#ifndef VPRIME_SIM_H
#define VPRIME_SIM_H

#include "vprime.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vp_sim_host;

/*
 * vprime_open_sim - like vprime_open(), over simulated host @h (one
 * vp_sim_open() file).  vprime_fd() answers -EOPNOTSUPP and vprime_wait()
 * never blocks (it reports whether work is pending), so a test drives
 * guests and engine in turn on one thread, on the host's clock.
 */
int vprime_open_sim(struct vprime **out, struct vp_sim_host *h,
		    const struct vprime_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* VPRIME_SIM_H */
