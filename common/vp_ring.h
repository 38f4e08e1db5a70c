/* SPDX-License-Identifier: MIT */
/*
 * vp_ring.h - index arithmetic shared by every ring of both contracts.
 * Indices are free-running u32: they are never masked when stored, so
 * "prod - cons" is the fill level even across the 2^32 wrap.
 */
#ifndef VP_RING_H
#define VP_RING_H

#include "vp_compat.h"

/* Entries in use; only meaningful once vp_ring_sane() holds. */
static inline u32 vp_ring_used(u32 prod, u32 cons)
{
	return prod - cons;
}

/* A peer-written index is sane if it keeps the fill level within size. */
static inline bool vp_ring_sane(u32 prod, u32 cons, u32 size)
{
	return prod - cons <= size;
}

static inline u32 vp_ring_free(u32 prod, u32 cons, u32 size)
{
	return size - (prod - cons);
}

/*
 * Did moving prod from @old to @new pass the consumer's @event index?
 * (The virtio/Xen event-index rule.)  Notify only then.
 */
static inline bool vp_ring_need_event(u32 event, u32 new_idx, u32 old)
{
	return (u32)(new_idx - event - 1) < (u32)(new_idx - old);
}

#endif /* VP_RING_H */
