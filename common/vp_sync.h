/* SPDX-License-Identifier: MIT */
/*
 * vp_sync.h - the per-frame data path of dom0, kernel-independent: moves
 * frames in batches between a guest's rings and pools (vprime_if.h) and an
 * engine's area (vprime_abi.h), reading every guest and engine descriptor
 * once and checking it.  vprime-back.ko runs it in its sync ioctl; host
 * tests, fuzzers and bench-core run the same code on simulated guests.
 */
#ifndef VP_SYNC_H
#define VP_SYNC_H

#include "vp_compat.h"
#include "vp_pool.h"
#include "vprime_abi.h"

/* dom0's private view of one connected guest device. */
struct vp_guest {
	struct vprime_ctrl *ctrl;		/* mapped, guest-writable */
	struct vprime_desc *ring[VPRIME_NR_RINGS];
	struct vp_pool tx_pool;			/* guest -> dom0 frames */
	struct vp_pool rx_pool;			/* dom0 -> guest frames */
	u32 max_frame;				/* longest frame either way */
	/* Private cursors: the only truth, never read back from the guest. */
	u32 tx_cons;
	u32 txc_prod;
	u32 fill_cons;
	u32 rx_prod;
	/* RX slots taken off FILL but not yet used (a chain fell short). */
	u32 spare[VPRIME_MAX_SLOTS];
	u32 nr_spare;
	bool broken;				/* fatal guest error seen */
	u64 *stats;				/* VPRIME_STAT_MAX counters */
	/*
	 * Readiness (vp_port_ready): why the last pass of each direction
	 * stopped with frames left (VP_STALL_*), and the peer index seen
	 * then that must move before another pass can do more.  A port
	 * whose blocker has not moved is not ready: poll() sleeps instead
	 * of spinning on a sync that moves nothing.
	 */
	u8 from_stall;
	u8 to_stall;
	u32 from_stall_idx;			/* TXC cons, engine RX cons or
						 * engine fill prod */
	u32 to_stall_fill;			/* guest FILL prod */
	u32 to_stall_rx;			/* guest RX cons */
	u64 from_stall_ns;			/* when the stall was seen */
	u64 from_retry_ns;			/* current retry interval */
	u64 to_retry_ns;
	u64 to_stall_ns;			/* the last pass that stalled */
	u64 to_stall_since;			/* first pass of this stall */
	bool draining;				/* stalled too long: dropping */
	/* The frontend tells dom0 when it consumes TXC or RX (cons_event). */
	bool cons_events;
	/* It asked for blank checksums (request-csum-offload); if not, dom0
	 * finishes them before delivery. */
	bool csum_blank_ok;
	/* Limits, in ns and descriptors (vp_guest_init sets defaults). */
	u64 retry_ns;				/* re-sync a stalled port of a
						 * frontend without cons_events */
	u64 drain_ns;				/* drain a port stalled this long */
	u32 hold_max;				/* TX descriptors a stalled port
						 * may hold */
};

/* Why a pass stopped with frames left (vp_guest from_stall/to_stall). */
enum vp_stall {
	VP_STALL_NONE = 0,
	VP_STALL_TXC,		/* guest not reaping TXC */
	VP_STALL_ERING,		/* engine RX ring full */
	VP_STALL_EFILL,		/* engine fill ring empty */
	VP_STALL_GUEST_RX,	/* guest RX ring full or no FILL slots */
};

#define VP_RETRY_NS_DEFAULT	1000000ull		/* 1 ms */
/* A retry that found the same stall doubles the interval, up to this. */
#define VP_RETRY_BACKOFF_MAX	64u
#define VP_DRAIN_NS_DEFAULT	2000000000ull		/* 2 s */
#define VP_HOLD_MAX_DEFAULT	VPRIME_RING_SIZE	/* one guest ring */
/* Due times further ahead than this are engine errors (a minute). */
#define VP_DUE_AHEAD_MAX_NS	60000000000ull

/* The engine's area as the kernel sees it; hdr is the kernel's own copy. */
struct vp_engine {
	u8 *base;
	struct vprime_area_hdr hdr;
	struct vprime_ring_idx *fill_idx;
	u32 *fill;
	struct vprime_ring_idx *comp_idx;
	u32 *comp;
	u8 *bufs;
	u32 fill_cons;				/* private */
	u32 comp_prod;				/* private */
	/* Buffers taken off FILL but not yet used (a chain fell short). */
	u32 spare[VPRIME_MAX_SLOTS];
	u32 nr_spare;
};

/* One port of the area, bound to (at most) one guest. */
struct vp_eport {
	struct vprime_port_info *info;
	struct vprime_ring_idx *rx_idx;		/* kernel produces */
	struct vprime_edesc *rx;
	struct vprime_ring_idx *tx_idx;		/* engine produces */
	struct vprime_edesc *tx;
	u32 rx_prod;				/* private */
	u32 tx_cons;				/* private */
	/*
	 * Frames before tx_wait_prod were on the TX ring, waiting, at the
	 * pass at tx_wait_ns (the first pass that left them there), if
	 * tx_waiting: the start of their lat_to_guest wait.
	 */
	bool tx_waiting;
	u32 tx_wait_prod;
	u64 tx_wait_ns;
};

/* What one sync pass over a port did, for the caller to act on. */
struct vp_sync_res {
	u32 frames;		/* frames moved */
	bool notify_guest;	/* send an event-channel notification */
	bool more;		/* budget ran out with work left */
};

/* vp_area.c APIs: */
int vp_area_layout(const struct vprime_setup *setup,
		   struct vprime_area_hdr *hdr);
void vp_engine_init(struct vp_engine *e, void *base,
		    const struct vprime_area_hdr *hdr);
void vp_eport_init(struct vp_eport *p, struct vp_engine *e, u32 port);

/* What the guest's control page says, copied and checked at connect. */
struct vp_conn_params {
	u32 version;
	u32 tx_pool_pages;
	u32 rx_pool_pages;
	u32 ring_ref[VPRIME_NR_RINGS];
	u32 tx_pool_ref[VPRIME_POOL_PAGES_MAX];
	u32 rx_pool_ref[VPRIME_POOL_PAGES_MAX];
};

/* vp_sync.c APIs: */
int vp_ctrl_read(const struct vprime_ctrl *ctrl, u32 xs_tx_pages,
		 u32 xs_rx_pages, u32 max_pool_pages,
		 struct vp_conn_params *out, const char **why);
void vp_guest_init(struct vp_guest *g, struct vprime_ctrl *ctrl,
		   struct vprime_desc *const ring[VPRIME_NR_RINGS],
		   void **tx_pages, u32 tx_nr_pages,
		   void **rx_pages, u32 rx_nr_pages,
		   u32 max_frame, u64 *stats);
void vp_sync_from_guest(struct vp_guest *g, struct vp_engine *e,
			struct vp_eport *p, u32 budget, u64 now,
			struct vp_sync_res *res);
void vp_sync_to_guest(struct vp_guest *g, struct vp_engine *e,
		      struct vp_eport *p, u32 budget, u64 now,
		      u64 *stats, struct vp_sync_res *res);
u32 vp_engine_lost(const struct vp_engine *e, const struct vp_eport *p,
		   u64 *stats);
bool vp_guest_arm(struct vp_guest *g);
bool vp_guest_pending(const struct vp_guest *g);
u64 vp_due_clamp(u64 due, u64 now);
bool vp_port_ready(const struct vp_guest *g, const struct vp_engine *e,
		   const struct vp_eport *p, u64 now, u64 *next_wake);
bool vp_port_poll(struct vp_guest *g, const struct vp_engine *e,
		  const struct vp_eport *p, u64 now, u64 *next_wake, bool arm);

#endif /* VP_SYNC_H */
