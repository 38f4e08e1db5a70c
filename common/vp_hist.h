/* SPDX-License-Identifier: MIT */
/*
 * vp_hist.h - a fixed log2 latency histogram, kernel-independent: 22 u64
 * buckets in nanoseconds, bucket k counting samples in [2^(9+k), 2^(10+k))
 * (bucket 0: below 1024 ns, the last: 2^30 ns and over).  Adding a sample
 * is one fls and one increment, no branch on the value; the caller
 * serialises (the histograms live beside counters that are already under
 * a lock or owned by one thread).  Bucket names are VPRIME_LAT_BUCKETS of
 * vprime_abi.h: le_1us .. le_1s, over_1s.
 */
#ifndef VP_HIST_H
#define VP_HIST_H

#include "vp_compat.h"
#include "vprime_abi.h"

#define VP_HIST_NR	VPRIME_LAT_NR
#define VP_HIST_SHIFT	10	/* bucket 0 ends at 2^10 ns */

struct vp_hist {
	u64 b[VP_HIST_NR];
};

/* The bucket of a sample of @ns nanoseconds. */
static inline u32 vp_hist_bucket(u64 ns)
{
	u32 k = vp_fls64(ns | ((1ull << VP_HIST_SHIFT) - 1)) - VP_HIST_SHIFT;

	return k < VP_HIST_NR - 1 ? k : VP_HIST_NR - 1;
}

/* Count @n samples of @ns each into the buckets at @b (VP_HIST_NR u64). */
static inline void vp_hist_add_n(u64 *b, u64 ns, u64 n)
{
	b[vp_hist_bucket(ns)] += n;
}

static inline void vp_hist_add(struct vp_hist *h, u64 ns)
{
	h->b[vp_hist_bucket(ns)]++;
}

/* Samples in the histogram. */
static inline u64 vp_hist_total(const u64 *b)
{
	u64 t = 0;
	u32 k;

	for (k = 0; k < VP_HIST_NR; k++)
		t += b[k];
	return t;
}

/* Bucket @k's name ("le_1us" .. "over_1s"), NULL out of range. */
static inline const char *vp_hist_label(u32 k)
{
#define VP_HIST_LABEL(X, p, d, s) #s,
	static const char *const labels[VP_HIST_NR] = {
		VPRIME_LAT_BUCKETS(VP_HIST_LABEL, _, _, _)
	};
#undef VP_HIST_LABEL
	return k < VP_HIST_NR ? labels[k] : NULL;
}

/* Upper bound of bucket @k in ns (exclusive); 0 for the last (none). */
static inline u64 vp_hist_bound(u32 k)
{
	return k < VP_HIST_NR - 1 ? 1ull << (VP_HIST_SHIFT + k) : 0;
}

#endif /* VP_HIST_H */
