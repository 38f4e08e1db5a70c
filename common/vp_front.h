/* SPDX-License-Identifier: MIT */
/*
 * vp_front.h - the guest's side of the vprime rings, kernel-independent:
 * slot bookkeeping, posting TX frames and FILL slots, reaping TXC and
 * reading RX frames, with every backend-written value checked (the guest
 * trusts its backend no more than the backend trusts it).
 * vprime-front.ko drives its netdev with it; the host harness's simulated
 * guests run the same code.
 *
 * Not thread-safe: one struct vp_front is shared by transmit and receive
 * (counters, the broken flag), so the caller serialises every call.
 */
#ifndef VP_FRONT_H
#define VP_FRONT_H

#include "vp_compat.h"
#include "vp_pool.h"
#include "vprime_if.h"

/* Guest-side counters.  X(name, description); ethtool -S prints them. */
#define VP_FRONT_STATS(X)						\
	X(be_bad_index,		"backend ring index out of range (fatal)") \
	X(be_bad_slot,		"backend named a slot it does not hold") \
	X(be_bad_extent,	"backend descriptor outside its slot")	\
	X(be_zero_len,		"backend descriptor of zero length")	\
	X(be_too_many_slots,	"backend frame spans too many slots")	\
	X(be_partial_frame,	"backend published part of a frame (fatal)") \
	X(be_oversize,		"backend frame longer than the MTU allows") \
	X(tx_ring_full,		"transmit stopped: ring or slots full")	\
	X(notify_backend,	"event-channel notifications sent")

#define VP_FRONT_STAT_ENUM(n, d) VP_FRONT_STAT_##n,
enum vp_front_stat_id {
	VP_FRONT_STATS(VP_FRONT_STAT_ENUM)
	VP_FRONT_STAT_MAX
};
#undef VP_FRONT_STAT_ENUM

/* Who holds a slot: the guest, or the backend (posted on TX/FILL). */
enum vp_slot_owner {
	VP_SLOT_GUEST = 0,
	VP_SLOT_BACKEND = 1,
};

struct vp_front {
	struct vprime_ctrl *ctrl;
	struct vprime_desc *ring[VPRIME_NR_RINGS];
	struct vp_pool tx_pool;
	struct vp_pool rx_pool;
	u32 max_frame;
	/* private cursors */
	u32 tx_prod;		/* written, maybe not yet published */
	u32 tx_pub;		/* last published TX prod */
	u32 txc_cons;
	u32 fill_prod;
	u32 rx_cons;
	/* free-slot stacks and owner maps, caller-allocated */
	u32 *tx_free;
	u32 tx_nfree;
	u8 *tx_owner;
	u32 *rx_free;
	u32 rx_nfree;
	u8 *rx_owner;
	u64 *tx_stamp;		/* per TX slot, or NULL: see vp_front_tx_stamp() */
	bool broken;
	/* cons-event negotiated: tell dom0 when TXC or RX cons passes its mark */
	bool cons_events;
	u32 txc_told;		/* txc_cons at the last check */
	u32 rx_told;		/* rx_cons at the last check */
	u64 stats[VP_FRONT_STAT_MAX];
};

/* A frame read off the RX ring: segments in RX pool slots. */
struct vp_frame {
	u32 slot[VPRIME_MAX_SLOTS];
	u16 off[VPRIME_MAX_SLOTS];
	u16 seg_len[VPRIME_MAX_SLOTS];
	u32 nseg;
	u32 len;
	u16 flags;		/* csum flags of the first descriptor */
	bool bad;		/* drop it (counted); slots still to release */
};

/* Memory the caller provides for one device: see vp_front_mem_size(). */
struct vp_front_mem {
	u32 *tx_free;		/* tx_slots entries */
	u8 *tx_owner;		/* tx_slots entries */
	u32 *rx_free;		/* rx_slots entries */
	u8 *rx_owner;		/* rx_slots entries */
	u64 *tx_stamp;		/* tx_slots entries, or NULL: no TX timing */
};

/* vp_front.c APIs: */
void vp_front_ctrl_init(struct vprime_ctrl *ctrl, u32 tx_pool_pages,
			u32 rx_pool_pages);
void vp_front_init(struct vp_front *f, struct vprime_ctrl *ctrl,
		   struct vprime_desc *const ring[VPRIME_NR_RINGS],
		   void **tx_pages, u32 tx_nr_pages,
		   void **rx_pages, u32 rx_nr_pages,
		   u32 max_frame, const struct vp_front_mem *mem);
u32 vp_front_tx_room(struct vp_front *f);
int vp_front_tx_frame(struct vp_front *f, const void *data, u32 len,
		      u16 csum_flags);
long vp_front_tx_slot_get(struct vp_front *f);
void vp_front_tx_put(struct vp_front *f, u32 slot, u16 off, u16 len,
		     u16 flags);
bool vp_front_tx_push(struct vp_front *f);
u32 vp_front_txc_reap(struct vp_front *f);
void vp_front_tx_stamp(struct vp_front *f, u32 slot, u64 now);
u32 vp_front_txc_reap_lat(struct vp_front *f, u64 now, u64 *hist);
bool vp_front_fill(struct vp_front *f);
int vp_front_rx_next(struct vp_front *f, struct vp_frame *fr);
u32 vp_front_rx_copy(const struct vp_front *f, const struct vp_frame *fr,
		     void *dst, u32 cap);
void vp_front_rx_release(struct vp_front *f, const struct vp_frame *fr);
void vp_front_rx_commit(struct vp_front *f);
bool vp_front_arm(struct vp_front *f);
bool vp_front_cons_notify(struct vp_front *f);
bool vp_front_carrier(const struct vp_front *f);

#endif /* VP_FRONT_H */
