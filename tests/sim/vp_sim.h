/* SPDX-License-Identifier: MIT */
/*
 * vp_sim.h - simulated guests and an in-process stand-in for vprime-back's
 * /dev/vprime, for host tests, fuzzers and benchmarks.  Guests are the real
 * guest-side code (vp_front) over ordinary memory; the stand-in runs the
 * real dom0 data path (vp_sync) and answers the ioctls of vprime_abi.h
 * with the kernel's semantics, so libvprime and engines run unchanged.
 */
#ifndef VP_SIM_H
#define VP_SIM_H

#include <stddef.h>
#include "vp_front.h"
#include "vp_sync.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vp_sim_guest_cfg {
	u32 domid;
	u32 devid;
	u8 mac[6];
	const char *name;	/* NULL: none */
	u32 pool_pages;		/* per direction; 0: default */
	u32 mtu;		/* 0: 1500 */
	u32 index_base;		/* start every ring index here (wrap tests) */
	bool no_cons_event;	/* an older frontend: cons-event not negotiated */
	bool no_csum_offload;	/* request-csum-offload not written */
};

struct vp_sim_guest {
	struct vp_sim_guest_cfg cfg;
	char name[VPRIME_NAME_LEN];
	void *mem;			/* ctrl + rings + pools, page aligned */
	struct vprime_ctrl *ctrl;
	struct vprime_desc *ring[VPRIME_NR_RINGS];
	void **tx_pages;
	void **rx_pages;
	struct vp_front front;		/* the guest's side */
	struct vp_front_mem fmem;
	struct vp_guest dom0;		/* dom0's side of the same memory */
	u64 stats[VPRIME_STAT_MAX];	/* dom0 per-device counters */
	bool connected;
	void *port_owner;		/* engine file holding it, or NULL */
	u64 events_to_dom0;		/* notifications the guest sent */
	u64 events_to_guest;		/* notifications dom0 sent */
};

struct vp_sim_host;
struct vp_sim_file;

/* Guests */
struct vp_sim_guest *vp_sim_guest_new(const struct vp_sim_guest_cfg *cfg);
void vp_sim_guest_free(struct vp_sim_guest *g);
int vp_sim_guest_send(struct vp_sim_guest *g, const void *frame, u32 len);
int vp_sim_guest_recv(struct vp_sim_guest *g, void *buf, u32 cap);
void vp_sim_guest_service(struct vp_sim_guest *g);

/* The dom0 backend stand-in */
struct vp_sim_host *vp_sim_host_new(void);
void vp_sim_host_free(struct vp_sim_host *h);
int vp_sim_host_add(struct vp_sim_host *h, struct vp_sim_guest *g);
void vp_sim_host_remove(struct vp_sim_host *h, struct vp_sim_guest *g);
void vp_sim_host_set_clock(struct vp_sim_host *h, u64 (*now)(void *),
			   void *arg);
/*
 * Areas made after this call live in a sealed memfd (vp_sim_area_fd())
 * instead of the heap, so another process can map them (vprime-simhost).
 * Returns 0 or -errno if memfds are not available.
 */
int vp_sim_host_set_shared(struct vp_sim_host *h, bool shared);

/* An engine's open file on the stand-in: same ioctls as /dev/vprime. */
struct vp_sim_file *vp_sim_open(struct vp_sim_host *h);
int vp_sim_ioctl(struct vp_sim_file *f, unsigned long cmd, void *arg);
void *vp_sim_area(struct vp_sim_file *f, size_t *size);
bool vp_sim_pending(struct vp_sim_file *f);
/*
 * vp_sim_ready - what /dev/vprime's poll() would say at @now: a port's
 * state changed since the last SYNC, completions to reap, or a port where
 * a sync would move something (vp_port_ready of vp_sync.h).  A frame not
 * yet due lowers *next_wake instead (left alone if none).
 */
bool vp_sim_ready(struct vp_sim_file *f, u64 now, u64 *next_wake);
/* The engine is about to sleep: arm every guest's events, as poll() does. */
void vp_sim_arm(struct vp_sim_file *f);
/*
 * vp_sim_poll - poll() as vprime-back runs it: look; if nothing is ready
 * and the caller @will_sleep, arm the guests' events and look again.  A
 * caller that will not sleep (a zero-timeout poll) arms nothing.
 */
bool vp_sim_poll(struct vp_sim_file *f, u64 now, u64 *next_wake,
		 bool will_sleep);
/* The area's memfd (vp_sim_host_set_shared()), or -1. */
int vp_sim_area_fd(struct vp_sim_file *f);
u64 vp_sim_now(struct vp_sim_file *f);	/* the host's clock */
void vp_sim_close(struct vp_sim_file *f);

#ifdef __cplusplus
}
#endif

#endif /* VP_SIM_H */
