/* SPDX-License-Identifier: MIT */
/*
 * vp_pool.h - a buffer pool of one direction as an array of page
 * pointers: the backend maps guest pages one by one, so a pool need not be
 * virtually contiguous.  Slot s lives in page s / 2 at (s % 2) * 2048.
 */
#ifndef VP_POOL_H
#define VP_POOL_H

#include "vp_compat.h"
#include "vprime_if.h"

struct vp_pool {
	void **pages;		/* nr_slots / VPRIME_SLOTS_PER_PAGE pointers */
	u32 nr_slots;
};

/* Caller has checked slot < nr_slots. */
static inline u8 *vp_pool_slot(const struct vp_pool *pool, u32 slot)
{
	return (u8 *)pool->pages[slot / VPRIME_SLOTS_PER_PAGE] +
	       (slot % VPRIME_SLOTS_PER_PAGE) * VPRIME_SLOT_SIZE;
}

/* The one bounds check every descriptor's extent passes. */
static inline bool vp_extent_ok(u32 off, u32 len, u32 size)
{
	return len <= size && off <= size - len;
}

#endif /* VP_POOL_H */
