// SPDX-License-Identifier: MIT
/*
 * vp_sync.c - dom0's per-frame data path between guest rings and an
 * engine area.  See vp_sync.h; barriers [B1]..[B4] are defined in
 * vprime_if.h.
 *
 * Rules this file keeps:
 *  - every guest or engine index and descriptor is read once (READ_ONCE or
 *    VP_COPY_ONCE) into private memory, then checked;
 *  - a bad descriptor drops its frame and bumps a counter; a bad index or an
 *    over-long chain marks the guest broken (the caller disables it);
 *  - when the other side cannot take more, frames stay where they are
 *    (back-pressure) and a stall counter says so: dom0 queues nothing.
 */
#include "vp_sync.h"
#include "vp_csum.h"
#include "vp_hist.h"
#include "vp_ring.h"

#define RING_MASK (VPRIME_RING_SIZE - 1)
/*
 * A cons_event half the index space ahead of dom0's prod: the guest's
 * cons, never more than a ring behind prod, cannot pass it.
 */
#define VP_CONS_EVENT_OFF	0x80000000u

static inline u64 vp_min64(u64 a, u64 b)
{
	return a < b ? a : b;
}

static inline void vp_count(u64 *stats, enum vprime_stat_id id, u64 n)
{
	stats[id] += n;
}

int vp_ctrl_read(const struct vprime_ctrl *ctrl, u32 xs_tx_pages,
		 u32 xs_rx_pages, u32 max_pool_pages,
		 struct vp_conn_params *out, const char **why)
{
	u32 i;

	if (READ_ONCE(ctrl->magic) != VPRIME_CTRL_MAGIC) {
		*why = "bad control page magic";
		return -EPROTO;
	}
	out->version = READ_ONCE(ctrl->version);
	if (out->version != VPRIME_PROTOCOL_VERSION) {
		*why = "control page version differs from protocol-version";
		return -EPROTO;
	}
	if (READ_ONCE(ctrl->ring_size) != VPRIME_RING_SIZE ||
	    READ_ONCE(ctrl->slot_size) != VPRIME_SLOT_SIZE) {
		*why = "ring or slot size differs from the protocol";
		return -EPROTO;
	}
	out->tx_pool_pages = READ_ONCE(ctrl->tx_pool_pages);
	out->rx_pool_pages = READ_ONCE(ctrl->rx_pool_pages);
	if (out->tx_pool_pages != xs_tx_pages ||
	    out->rx_pool_pages != xs_rx_pages) {
		*why = "pool sizes differ between xenstore and control page";
		return -EPROTO;
	}
	if (out->tx_pool_pages < VPRIME_POOL_PAGES_MIN ||
	    out->tx_pool_pages > max_pool_pages ||
	    out->rx_pool_pages < VPRIME_POOL_PAGES_MIN ||
	    out->rx_pool_pages > max_pool_pages ||
	    max_pool_pages > VPRIME_POOL_PAGES_MAX) {
		*why = "pool size out of range";
		return -ERANGE;
	}
	for (i = 0; i < VPRIME_NR_RINGS; i++)
		out->ring_ref[i] = READ_ONCE(ctrl->ring_ref[i]);
	for (i = 0; i < out->tx_pool_pages; i++)
		out->tx_pool_ref[i] = READ_ONCE(ctrl->tx_pool_ref[i]);
	for (i = 0; i < out->rx_pool_pages; i++)
		out->rx_pool_ref[i] = READ_ONCE(ctrl->rx_pool_ref[i]);
	*why = NULL;
	return 0;
}

void vp_guest_init(struct vp_guest *g, struct vprime_ctrl *ctrl,
		   struct vprime_desc *const ring[VPRIME_NR_RINGS],
		   void **tx_pages, u32 tx_nr_pages,
		   void **rx_pages, u32 rx_nr_pages,
		   u32 max_frame, u64 *stats)
{
	u32 i;

	memset(g, 0, sizeof(*g));
	g->ctrl = ctrl;
	for (i = 0; i < VPRIME_NR_RINGS; i++)
		g->ring[i] = ring[i];
	g->tx_pool.pages = tx_pages;
	g->tx_pool.nr_slots = tx_nr_pages * VPRIME_SLOTS_PER_PAGE;
	g->rx_pool.pages = rx_pages;
	g->rx_pool.nr_slots = rx_nr_pages * VPRIME_SLOTS_PER_PAGE;
	g->max_frame = max_frame < VPRIME_FRAME_MAX ? max_frame :
						      VPRIME_FRAME_MAX;
	g->stats = stats;
	g->retry_ns = VP_RETRY_NS_DEFAULT;
	g->drain_ns = VP_DRAIN_NS_DEFAULT;
	g->hold_max = VP_HOLD_MAX_DEFAULT;
	/* Every index starts at zero on connect; dom0's own ones say so. */
	WRITE_ONCE(ctrl->ring[VPRIME_RING_TX].cons, 0);
	WRITE_ONCE(ctrl->ring[VPRIME_RING_TXC].prod, 0);
	WRITE_ONCE(ctrl->ring[VPRIME_RING_FILL].cons, 0);
	WRITE_ONCE(ctrl->ring[VPRIME_RING_RX].prod, 0);
	WRITE_ONCE(ctrl->ring[VPRIME_RING_TXC].cons_event, VP_CONS_EVENT_OFF);
	WRITE_ONCE(ctrl->ring[VPRIME_RING_RX].cons_event, VP_CONS_EVENT_OFF);
}

static void vp_guest_fatal(struct vp_guest *g, enum vprime_stat_id why)
{
	vp_count(g->stats, why, 1);
	g->broken = true;
}

/* ---- guest TX -> engine RX ------------------------------------------ */

/* A frame read off the guest TX ring into private memory. */
struct vp_txframe {
	struct vprime_desc d[VPRIME_MAX_SLOTS];
	u32 n;
	u32 len;
	int drop;		/* counter id when the frame is bad, else -1 */
};

/*
 * Copy the chain at g->tx_cons out of the ring.  Returns 1 with a frame,
 * -1 on a fatal chain.  A producer publishes whole frames only ([B1]), so a
 * chain still open at prod is a protocol error, not a frame in progress:
 * waiting for it would have the engine poll a ring that never moves.
 */
static int vp_tx_read_frame(struct vp_guest *g, u32 prod,
			    struct vp_txframe *f)
{
	u32 avail = prod - g->tx_cons;

	f->n = 0;
	f->len = 0;
	f->drop = -1;
	for (;;) {
		struct vprime_desc *d = &f->d[f->n];

		if (f->n == avail) {
			vp_guest_fatal(g, VPRIME_STAT_guest_partial_frame);
			return -1;
		}
		VP_COPY_ONCE(d, &g->ring[VPRIME_RING_TX][(g->tx_cons + f->n) &
							 RING_MASK]);
		f->n++;
		if (d->slot >= g->tx_pool.nr_slots)
			f->drop = VPRIME_STAT_guest_bad_slot;
		else if (d->len == 0)
			f->drop = VPRIME_STAT_guest_zero_len;
		else if (!vp_extent_ok(d->off, d->len, VPRIME_SLOT_SIZE))
			f->drop = VPRIME_STAT_guest_bad_extent;
		f->len += d->len;
		if (!(d->flags & VPRIME_DESC_F_MORE))
			break;
		if (f->n == VPRIME_MAX_SLOTS) {
			vp_guest_fatal(g, VPRIME_STAT_guest_too_many_slots);
			return -1;
		}
	}
	if (f->drop < 0 && f->len > g->max_frame)
		f->drop = VPRIME_STAT_guest_oversize;
	if (f->drop < 0 && f->len < VPRIME_FRAME_MIN)
		f->drop = VPRIME_STAT_guest_runt;
	return 1;
}

/* Next engine buffer: a spare from an earlier pass, else the fill ring. */
static long vp_fill_take(struct vp_engine *e, u32 fill_prod, u64 *stats)
{
	if (e->nr_spare)
		return e->spare[--e->nr_spare];
	while (e->fill_cons != fill_prod) {
		u32 buf = READ_ONCE(e->fill[e->fill_cons &
					    (e->hdr.pool_ring_size - 1)]);

		e->fill_cons++;
		if (likely(buf < e->hdr.nr_bufs))
			return buf;
		vp_count(stats, VPRIME_STAT_engine_bad_buf, 1);
	}
	return -1;
}

/*
 * Copy the frame into engine buffers on the port's RX ring.  Returns
 * false, keeping the buffers it took as spares, if the fill ring ran dry.
 */
static bool vp_tx_to_engine(struct vp_guest *g, struct vp_engine *e,
			    struct vp_eport *p, const struct vp_txframe *f,
			    u32 fill_prod, u64 now)
{
	u16 csum = f->d[0].flags & (VPRIME_DESC_F_CSUM_BLANK |
				    VPRIME_DESC_F_DATA_VALID);
	u32 bufs[VPRIME_MAX_SLOTS];
	u32 i;

	for (i = 0; i < f->n; i++) {
		long buf = vp_fill_take(e, fill_prod, g->stats);

		if (buf < 0) {
			while (i > 0)
				e->spare[e->nr_spare++] = bufs[--i];
			return false;
		}
		bufs[i] = (u32)buf;
	}
	for (i = 0; i < f->n; i++) {
		const struct vprime_desc *d = &f->d[i];
		struct vprime_edesc *ed;

		memcpy(e->bufs + (u64)bufs[i] * VPRIME_BUF_SIZE,
		       vp_pool_slot(&g->tx_pool, d->slot) + d->off, d->len);
		ed = &p->rx[p->rx_prod & (e->hdr.ring_size - 1)];
		ed->buf = bufs[i];
		ed->len = d->len;
		ed->flags = csum | (i + 1 < f->n ? VPRIME_DESC_F_MORE : 0);
		ed->tstamp = now;
		p->rx_prod++;
	}
	return true;
}

/* Give the frame's slots back to the guest on TXC. */
static void vp_txc_return(struct vp_guest *g, const struct vp_txframe *f)
{
	u32 i;

	for (i = 0; i < f->n; i++) {
		struct vprime_desc *c =
			&g->ring[VPRIME_RING_TXC][g->txc_prod & RING_MASK];

		c->slot = f->d[i].slot;
		c->off = 0;
		c->len = 0;
		c->flags = 0;
		c->rsvd0 = 0;
		c->rsvd1 = 0;
		g->txc_prod++;
	}
}

/*
 * The retry interval after a stall: the base one, or double the last one
 * if nothing moved since (@same), so a frontend without cons_event that
 * stays blocked costs the engine a few wake-ups a second, not 1000.
 */
static u64 vp_retry_next(const struct vp_guest *g, u64 cur, bool same)
{
	u64 max = g->retry_ns * VP_RETRY_BACKOFF_MAX;

	if (!same || !cur)
		return g->retry_ns;
	return cur * 2 < max ? cur * 2 : max;
}

/* The pass stops with frames left until peer index @idx moves. */
static void vp_from_stall(struct vp_guest *g, u8 why, u32 idx, u64 now,
			  u8 prev)
{
	g->from_retry_ns = vp_retry_next(g, g->from_retry_ns,
					 prev == why && g->from_stall_idx == idx);
	g->from_stall = why;
	g->from_stall_idx = idx;
	g->from_stall_ns = now;
}

void vp_sync_from_guest(struct vp_guest *g, struct vp_engine *e,
			struct vp_eport *p, u32 budget, u64 now,
			struct vp_sync_res *res)
{
	struct vprime_ctrl *ctrl = g->ctrl;
	u32 ering = e->hdr.ring_size;
	u32 prod, txc_cons, erx_cons, fill_prod, old_txc = g->txc_prod;
	struct vp_txframe f;
	u8 prev;

	res->frames = 0;
	res->more = false;
	res->notify_guest = false;
	if (g->broken)
		return;
	vp_count(g->stats, VPRIME_STAT_syncs, 1);
	prod = READ_ONCE(ctrl->ring[VPRIME_RING_TX].prod);
	txc_cons = READ_ONCE(ctrl->ring[VPRIME_RING_TXC].cons);
	if (!vp_ring_sane(prod, g->tx_cons, VPRIME_RING_SIZE) ||
	    !vp_ring_sane(g->txc_prod, txc_cons, VPRIME_RING_SIZE)) {
		vp_guest_fatal(g, VPRIME_STAT_guest_bad_index);
		return;
	}
	erx_cons = READ_ONCE(p->rx_idx->cons);
	fill_prod = READ_ONCE(e->fill_idx->prod);
	if (!vp_ring_sane(p->rx_prod, erx_cons, ering) ||
	    !vp_ring_sane(fill_prod, e->fill_cons, e->hdr.pool_ring_size)) {
		vp_count(g->stats, VPRIME_STAT_engine_bad_index, 1);
		return;
	}
	vp_rmb();	/* [B2] indices before the entries they cover */

	prev = g->from_stall;
	g->from_stall = VP_STALL_NONE;
	while (g->tx_cons != prod) {
		int r;

		if (res->frames == budget) {
			res->more = true;
			break;
		}
		r = vp_tx_read_frame(g, prod, &f);
		if (r < 0)
			break;
		if (vp_ring_free(g->txc_prod, txc_cons, VPRIME_RING_SIZE) <
		    f.n) {
			vp_count(g->stats, VPRIME_STAT_rx_stall_txc_full, 1);
			vp_from_stall(g, VP_STALL_TXC, txc_cons, now, prev);
			break;
		}
		if (f.drop < 0) {
			if (vp_ring_free(p->rx_prod, erx_cons, ering) < f.n) {
				vp_count(g->stats,
					 VPRIME_STAT_rx_stall_ring_full, 1);
				vp_from_stall(g, VP_STALL_ERING, erx_cons,
					      now, prev);
				break;
			}
			if (!vp_tx_to_engine(g, e, p, &f, fill_prod, now)) {
				vp_count(g->stats, VPRIME_STAT_rx_stall_no_buf,
					 1);
				vp_from_stall(g, VP_STALL_EFILL, fill_prod,
					      now, prev);
				break;
			}
			vp_count(g->stats, VPRIME_STAT_rx_frames, 1);
			vp_count(g->stats, VPRIME_STAT_rx_bytes, f.len);
			res->frames++;
		} else {
			vp_count(g->stats, (enum vprime_stat_id)f.drop, 1);
		}
		g->tx_cons += f.n;
		vp_txc_return(g, &f);
	}

	vp_wmb();	/* [B1] entries before the indices that publish them */
	WRITE_ONCE(p->rx_idx->prod, p->rx_prod);
	WRITE_ONCE(e->fill_idx->cons, e->fill_cons);
	WRITE_ONCE(ctrl->ring[VPRIME_RING_TX].cons, g->tx_cons);	/* [B3] */
	WRITE_ONCE(ctrl->ring[VPRIME_RING_TXC].prod, g->txc_prod);
	if (g->txc_prod != old_txc) {
		vp_mb();	/* [B4] prod before event */
		res->notify_guest = vp_ring_need_event(
			READ_ONCE(ctrl->ring[VPRIME_RING_TXC].event),
			g->txc_prod, old_txc);
	}
}

/* ---- engine TX -> guest RX ------------------------------------------ */

/* An engine frame read off a port's TX ring into private memory. */
struct vp_rxframe {
	struct vprime_edesc d[VPRIME_MAX_SLOTS];
	u32 n;
	u32 len;
	bool bad;
};

static int vp_etx_read_frame(struct vp_engine *e, struct vp_eport *p,
			     u32 prod, struct vp_rxframe *f, u64 *stats)
{
	u32 avail = prod - p->tx_cons;

	f->n = 0;
	f->len = 0;
	f->bad = false;
	for (;;) {
		struct vprime_edesc *d = &f->d[f->n];

		if (f->n == avail)
			return 0;
		VP_COPY_ONCE(d, &p->tx[(p->tx_cons + f->n) &
				       (e->hdr.ring_size - 1)]);
		f->n++;
		if (d->buf >= e->hdr.nr_bufs) {
			vp_count(stats, VPRIME_STAT_engine_bad_buf, 1);
			f->bad = true;
		} else if (d->len == 0 || d->len > VPRIME_BUF_SIZE) {
			f->bad = true;
		}
		f->len += d->len;
		if (!(d->flags & VPRIME_DESC_F_MORE))
			return 1;
		if (f->n == VPRIME_MAX_SLOTS) {
			f->bad = true;	/* engine chain too long: cut here */
			return 1;
		}
	}
}

/* Return the frame's (valid) buffers on the completion ring. */
static void vp_comp_return(struct vp_engine *e, const struct vp_rxframe *f)
{
	u32 i;

	for (i = 0; i < f->n; i++) {
		if (f->d[i].buf >= e->hdr.nr_bufs)
			continue;
		e->comp[e->comp_prod & (e->hdr.pool_ring_size - 1)] =
			f->d[i].buf;
		e->comp_prod++;
	}
}

/* Next RX slot the guest posted on FILL, or -1. */
static long vp_fill_slot_take(struct vp_guest *g, u32 fill_prod)
{
	if (g->nr_spare)
		return g->spare[--g->nr_spare];
	while (g->fill_cons != fill_prod) {
		u32 slot = READ_ONCE(g->ring[VPRIME_RING_FILL]
					   [g->fill_cons & RING_MASK].slot);

		g->fill_cons++;
		if (likely(slot < g->rx_pool.nr_slots))
			return slot;
		vp_count(g->stats, VPRIME_STAT_guest_bad_slot, 1);
	}
	return -1;
}

/*
 * Copy the frame into guest RX slots.  Returns 1, or 0 with the slots it
 * took kept as spares when the guest's FILL ran dry part-way, or -1 (the
 * slots kept as spares too) when the frame has a blank checksum the guest
 * did not ask for and dom0 cannot finish it.
 */
static int vp_rx_to_guest(struct vp_guest *g, struct vp_engine *e,
			  const struct vp_rxframe *f, u32 fill_prod,
			  u64 *stats)
{
	u32 slots[VPRIME_MAX_SLOTS];
	u8 *seg[VPRIME_MAX_SLOTS];
	u16 seg_len[VPRIME_MAX_SLOTS];
	u16 csum = f->d[0].flags & (VPRIME_DESC_F_CSUM_BLANK |
				    VPRIME_DESC_F_DATA_VALID);
	u32 i;

	for (i = 0; i < f->n; i++) {
		long s = vp_fill_slot_take(g, fill_prod);

		if (s < 0) {
			while (i > 0)
				g->spare[g->nr_spare++] = slots[--i];
			return 0;
		}
		slots[i] = (u32)s;
	}
	for (i = 0; i < f->n; i++) {
		seg[i] = vp_pool_slot(&g->rx_pool, slots[i]);
		seg_len[i] = f->d[i].len;
		memcpy(seg[i], e->bufs + (u64)f->d[i].buf * VPRIME_BUF_SIZE,
		       f->d[i].len);
	}
	if ((csum & VPRIME_DESC_F_CSUM_BLANK) && !g->csum_blank_ok) {
		/* The guest did not negotiate blank checksums: finish it. */
		if (vp_csum_finish(seg, seg_len, f->n)) {
			while (i > 0)
				g->spare[g->nr_spare++] = slots[--i];
			return -1;
		}
		csum &= ~VPRIME_DESC_F_CSUM_BLANK;
		vp_count(stats, VPRIME_STAT_tx_csum_done, 1);
	}
	for (i = 0; i < f->n; i++) {
		struct vprime_desc *d =
			&g->ring[VPRIME_RING_RX][g->rx_prod & RING_MASK];

		d->slot = slots[i];
		d->off = 0;
		d->len = f->d[i].len;
		d->flags = csum | (i + 1 < f->n ? VPRIME_DESC_F_MORE : 0);
		d->rsvd0 = 0;
		d->rsvd1 = 0;
		g->rx_prod++;
	}
	return 1;
}

/*
 * Guest-side indices for the RX direction; false if the guest broke them.
 * @rx_cons is the guest's RX consumer as read, for the stall record.
 */
static bool vp_guest_rx_room(struct vp_guest *g, u32 *fill_prod, u32 *room,
			     u32 *rx_cons)
{
	*fill_prod = READ_ONCE(g->ctrl->ring[VPRIME_RING_FILL].prod);
	*rx_cons = READ_ONCE(g->ctrl->ring[VPRIME_RING_RX].cons);
	if (!vp_ring_sane(*fill_prod, g->fill_cons, VPRIME_RING_SIZE) ||
	    !vp_ring_sane(g->rx_prod, *rx_cons, VPRIME_RING_SIZE)) {
		vp_guest_fatal(g, VPRIME_STAT_guest_bad_index);
		return false;
	}
	*room = vp_ring_free(g->rx_prod, *rx_cons, VPRIME_RING_SIZE);
	return true;
}

/*
 * An engine due time as dom0 uses it: one of 2^63 ns or more (a negative
 * ktime) or further than VP_DUE_AHEAD_MAX_NS ahead (a port blocked for
 * good) is an engine error, taken as due now.
 */
u64 vp_due_clamp(u64 due, u64 now)
{
	if (due >= (1ull << 63) || (due > now && due - now > VP_DUE_AHEAD_MAX_NS))
		return now;
	return due;
}

/*
 * Before a pass: has the guest moved since the last stall (leave drain
 * mode), or stalled for drain_ns with nothing delivered (enter it, so the
 * engine's buffers come back)?
 */
static void vp_to_guest_drain_check(struct vp_guest *g, u32 fill_prod,
				    u32 rx_cons, u64 now)
{
	if (g->to_stall != VP_STALL_GUEST_RX)
		return;
	if (fill_prod != g->to_stall_fill || rx_cons != g->to_stall_rx) {
		g->draining = false;
		return;
	}
	if (!g->draining && now - g->to_stall_since >= g->drain_ns) {
		g->draining = true;
		vp_count(g->stats, VPRIME_STAT_tx_stall_drains, 1);
	}
}

/* After a pass: remember whether (and since when) the guest blocks it. */
static void vp_to_guest_stall(struct vp_guest *g, bool stalled, bool moved,
			      u32 fill_prod, u32 rx_cons, u64 now)
{
	if (!stalled) {
		/* Draining keeps its record: only the guest moving ends it. */
		if (!g->draining)
			g->to_stall = VP_STALL_NONE;
		return;
	}
	if (g->to_stall != VP_STALL_GUEST_RX || moved)
		g->to_stall_since = now;
	g->to_retry_ns = vp_retry_next(g, g->to_retry_ns,
				       g->to_stall == VP_STALL_GUEST_RX &&
				       !moved && fill_prod == g->to_stall_fill &&
				       rx_cons == g->to_stall_rx);
	g->to_stall = VP_STALL_GUEST_RX;
	g->to_stall_fill = fill_prod;
	g->to_stall_rx = rx_cons;
	g->to_stall_ns = now;
}

/*
 * Count the wait of the frame at p->tx_cons, written into the guest at
 * @now: from its due time if the engine gave one, else from the first
 * pass that left it waiting on the ring (this pass if none did).
 */
static void vp_to_guest_lat(const struct vp_eport *p,
			    const struct vp_rxframe *f, u64 now, u64 *stats)
{
	u64 from = f->d[0].tstamp;

	if (!from)
		from = p->tx_waiting &&
		       (s32)(p->tx_cons - p->tx_wait_prod) < 0 ?
		       p->tx_wait_ns : now;
	vp_hist_add_n(&stats[VPRIME_STAT_lat_to_guest_le_1us],
		      now > from ? now - from : 0, 1);
}

/* After a pass: remember when frames were first left waiting. */
static void vp_to_guest_wait(struct vp_eport *p, u32 prod, u64 now)
{
	if (p->tx_cons == prod) {
		p->tx_waiting = false;
	} else if (!p->tx_waiting ||
		   (s32)(p->tx_cons - p->tx_wait_prod) >= 0) {
		p->tx_waiting = true;
		p->tx_wait_prod = prod;
		p->tx_wait_ns = now;
	}
}

/*
 * The guest cannot take the frame at the head: keep it (back-pressure),
 * unless the port already holds more than hold_max descriptors, when the
 * oldest frame goes instead, so a stalled guest pins a bounded share of
 * the engine's buffers.  Returns true if the frame was dropped.
 */
static bool vp_to_guest_over_hold(const struct vp_guest *g,
				  const struct vp_eport *p, u32 prod)
{
	return prod - p->tx_cons > g->hold_max;
}

void vp_sync_to_guest(struct vp_guest *g, struct vp_engine *e,
		      struct vp_eport *p, u32 budget, u64 now,
		      u64 *stats, struct vp_sync_res *res)
{
	u32 prod, comp_cons, fill_prod = 0, room = 0, old_rx = 0, rx_cons = 0;
	bool live = g && !g->broken, stalled = false;
	struct vp_rxframe f;

	res->frames = 0;
	res->more = false;
	res->notify_guest = false;
	prod = READ_ONCE(p->tx_idx->prod);
	comp_cons = READ_ONCE(e->comp_idx->cons);
	if (!vp_ring_sane(prod, p->tx_cons, e->hdr.ring_size) ||
	    !vp_ring_sane(e->comp_prod, comp_cons, e->hdr.pool_ring_size)) {
		vp_count(stats, VPRIME_STAT_engine_bad_index, 1);
		return;
	}
	if (live) {
		old_rx = g->rx_prod;
		live = vp_guest_rx_room(g, &fill_prod, &room, &rx_cons);
	}
	if (live)
		vp_to_guest_drain_check(g, fill_prod, rx_cons, now);
	vp_rmb();	/* [B2] */

	while (p->tx_cons != prod) {
		bool bad_time;
		u64 due;
		int r;

		if (res->frames == budget) {
			res->more = true;
			break;
		}
		if (vp_etx_read_frame(e, p, prod, &f, stats) == 0)
			break;
		if (vp_ring_free(e->comp_prod, comp_cons,
				 e->hdr.pool_ring_size) < f.n)
			break;	/* engine must reap completions first */
		due = vp_due_clamp(f.d[0].tstamp, now);
		bad_time = due != f.d[0].tstamp;
		f.d[0].tstamp = due;
		if (f.bad) {
			vp_count(stats, VPRIME_STAT_tx_drop_bad, 1);
		} else if (!live) {
			vp_count(stats, VPRIME_STAT_tx_drop_gone, 1);
		} else if (f.len > g->max_frame) {
			vp_count(stats, VPRIME_STAT_tx_drop_oversize, 1);
		} else if (g->draining) {
			vp_count(stats, VPRIME_STAT_tx_drop_stalled, 1);
		} else if (due > now) {
			vp_count(stats, VPRIME_STAT_tx_deferred, 1);
			break;
		} else if (room < f.n ||
			   (r = vp_rx_to_guest(g, e, &f, fill_prod,
					       stats)) == 0) {
			vp_count(stats, VPRIME_STAT_tx_stall_no_fill, 1);
			stalled = true;
			if (!vp_to_guest_over_hold(g, p, prod))
				break;
			vp_count(stats, VPRIME_STAT_tx_drop_stalled, 1);
		} else if (r < 0) {
			vp_count(stats, VPRIME_STAT_tx_drop_csum, 1);
		} else {
			room -= f.n;
			vp_count(stats, VPRIME_STAT_tx_frames, 1);
			vp_count(stats, VPRIME_STAT_tx_bytes, f.len);
			vp_to_guest_lat(p, &f, now, stats);
			res->frames++;
		}
		if (bad_time)
			vp_count(stats, VPRIME_STAT_engine_bad_tstamp, 1);
		p->tx_cons += f.n;
		vp_comp_return(e, &f);
	}
	vp_to_guest_wait(p, prod, now);
	if (live)
		vp_to_guest_stall(g, stalled && p->tx_cons != prod,
				  res->frames != 0, fill_prod, rx_cons, now);

	vp_wmb();	/* [B1] */
	WRITE_ONCE(p->tx_idx->cons, p->tx_cons);
	WRITE_ONCE(e->comp_idx->prod, e->comp_prod);
	if (!live || g->rx_prod == old_rx) {
		if (live)
			WRITE_ONCE(g->ctrl->ring[VPRIME_RING_FILL].cons,
				   g->fill_cons);
		return;
	}
	WRITE_ONCE(g->ctrl->ring[VPRIME_RING_FILL].cons, g->fill_cons);
	WRITE_ONCE(g->ctrl->ring[VPRIME_RING_RX].prod, g->rx_prod);
	vp_mb();	/* [B4] */
	res->notify_guest = vp_ring_need_event(
		READ_ONCE(g->ctrl->ring[VPRIME_RING_RX].event),
		g->rx_prod, old_rx);
}

/* ---- engine leaving ------------------------------------------------- */

/*
 * The engine lets port @p go (DETACH, close, exit, kill): the frames dom0
 * put on the port's RX ring that it had not consumed go with the port.
 * Count them as engine_lost, by frames, not descriptors: as dom0 wrote
 * them, a frame is a run of MORE entries and one without, and the last
 * entry dom0 published always ends one.  The engine's cons is read once;
 * out of range (ahead of prod, or more than a ring behind) it counts
 * engine_bad_index and the whole ring is taken as lost, so at most
 * ring_size frames.  Each entry's flags are read once; an engine that
 * rewrote them miscounts only its own port.  Nothing is written.  Returns
 * the frames counted.
 */
u32 vp_engine_lost(const struct vp_engine *e, const struct vp_eport *p,
		   u64 *stats)
{
	u32 size = e->hdr.ring_size;
	u32 prod = p->rx_prod;
	u32 cons = READ_ONCE(p->rx_idx->cons);
	u32 i, frames = 0;

	if (!vp_ring_sane(prod, cons, size)) {
		vp_count(stats, VPRIME_STAT_engine_bad_index, 1);
		cons = prod - size;
	}
	for (i = cons; i != prod; i++) {
		u16 flags = READ_ONCE(p->rx[i & (size - 1)].flags);

		if (!(flags & VPRIME_DESC_F_MORE) || i + 1 == prod)
			frames++;
	}
	vp_count(stats, VPRIME_STAT_engine_lost, frames);
	return frames;
}

/* ---- readiness and notification arming ------------------------------ */

/* Has the guest (or, for the retry, the clock) unblocked a TXC stall? */
static bool vp_txc_unblocked(const struct vp_guest *g, u64 now,
			     u64 *next_wake)
{
	u64 retry;

	if (READ_ONCE(g->ctrl->ring[VPRIME_RING_TXC].cons) != g->from_stall_idx)
		return true;
	if (g->cons_events)
		return false;	/* the guest's event will wake the engine */
	retry = g->from_stall_ns + g->from_retry_ns;
	if (now >= retry)
		return true;
	*next_wake = vp_min64(*next_wake, retry);
	return false;
}

/*
 * Guest TX frames a pass could move: some are there, and whatever stopped
 * the last pass (guest TXC, engine RX ring or fill ring) has moved since.
 */
static bool vp_from_ready(const struct vp_guest *g, const struct vp_engine *e,
			  const struct vp_eport *p, u64 now, u64 *next_wake)
{
	if (READ_ONCE(g->ctrl->ring[VPRIME_RING_TX].prod) == g->tx_cons)
		return false;
	switch (g->from_stall) {
	case VP_STALL_TXC:
		return vp_txc_unblocked(g, now, next_wake);
	case VP_STALL_ERING:
		return READ_ONCE(p->rx_idx->cons) != g->from_stall_idx;
	case VP_STALL_EFILL:
		return READ_ONCE(e->fill_idx->prod) != g->from_stall_idx;
	default:
		return true;
	}
}

/*
 * The guest blocked the last to-guest pass: ready again once it posted
 * FILL or consumed RX, when the drain deadline passes, or (a frontend
 * without cons_events cannot tell dom0 it consumed) at the retry time.
 */
static bool vp_to_unblocked(const struct vp_guest *g, u64 now, u64 *next_wake)
{
	u64 t;

	if (READ_ONCE(g->ctrl->ring[VPRIME_RING_FILL].prod) != g->to_stall_fill ||
	    READ_ONCE(g->ctrl->ring[VPRIME_RING_RX].cons) != g->to_stall_rx)
		return true;
	t = g->to_stall_since + g->drain_ns;
	if (!g->cons_events)
		t = vp_min64(t, g->to_stall_ns + g->to_retry_ns);
	if (now >= t)
		return true;
	*next_wake = vp_min64(*next_wake, t);
	return false;
}

/* An engine frame a pass could deliver or drop now. */
static bool vp_to_ready(const struct vp_guest *g, const struct vp_engine *e,
			const struct vp_eport *p, u64 now, u64 *next_wake)
{
	u32 prod = READ_ONCE(p->tx_idx->prod);
	u32 queued = prod - p->tx_cons;
	u64 due;

	if (!queued || queued > e->hdr.ring_size)
		return false;
	if (!g || g->broken || g->draining)
		return true;	/* frames to drop */
	vp_rmb();	/* [B2] prod before the entry it covers */
	due = vp_due_clamp(READ_ONCE(p->tx[p->tx_cons &
					  (e->hdr.ring_size - 1)].tstamp), now);
	if (due > now) {
		*next_wake = vp_min64(*next_wake, due);
		return false;
	}
	if (g->to_stall == VP_STALL_GUEST_RX)
		return vp_to_unblocked(g, now, next_wake);
	return g->nr_spare ||
	       READ_ONCE(g->ctrl->ring[VPRIME_RING_FILL].prod) != g->fill_cons;
}

/*
 * Would a sync over this port move anything (poll()'s readiness)?  Frames
 * on its RX ring the engine has not taken, guest frames a pass could move,
 * or an engine frame due with somewhere to go.  @g is NULL when no guest
 * is connected.  A stall whose blocker has not moved is not readiness:
 * the engine sleeps until the blocker moves (an event) or until
 * *@next_wake (lowered here: a due time, the drain deadline, the retry of
 * a frontend without cons_events).
 */
bool vp_port_ready(const struct vp_guest *g, const struct vp_engine *e,
		   const struct vp_eport *p, u64 now, u64 *next_wake)
{
	if (READ_ONCE(p->rx_idx->cons) != p->rx_prod)
		return true;
	if (g && !g->broken && vp_from_ready(g, e, p, now, next_wake))
		return true;
	return vp_to_ready(g, e, p, now, next_wake);
}

/*
 * One port's part of poll(): its readiness, after arming the guest's
 * events (vp_guest_arm()) if @arm.  Arm only when the caller may sleep:
 * an engine that is only looking (a zero-timeout poll) is woken by
 * nothing, and arming is four stores and a full barrier per port on
 * memory the guest writes.  Readiness does not depend on arming: a
 * guest that moved is seen either way.
 */
bool vp_port_poll(struct vp_guest *g, const struct vp_engine *e,
		  const struct vp_eport *p, u64 now, u64 *next_wake, bool arm)
{
	if (arm && g)
		vp_guest_arm(g);
	return vp_port_ready(g, e, p, now, next_wake);
}

/* Guest TX frames, and (if the last pass stalled on TXC) TXC reaped. */
bool vp_guest_pending(const struct vp_guest *g)
{
	if (g->broken)
		return false;
	if (READ_ONCE(g->ctrl->ring[VPRIME_RING_TX].prod) == g->tx_cons)
		return false;
	return g->from_stall != VP_STALL_TXC ||
	       READ_ONCE(g->ctrl->ring[VPRIME_RING_TXC].cons) !=
		       g->from_stall_idx;
}

/*
 * dom0 is about to sleep: ask the guest for an event on its next TX frame
 * or FILL post, and, where the guest is what blocks a pass, on it
 * consuming TXC or RX (cons_event).  Returns true if work arrived
 * meanwhile (do not sleep).
 */
bool vp_guest_arm(struct vp_guest *g)
{
	if (g->broken)
		return false;
	WRITE_ONCE(g->ctrl->ring[VPRIME_RING_TX].event, g->tx_cons);
	WRITE_ONCE(g->ctrl->ring[VPRIME_RING_FILL].event, g->fill_cons);
	WRITE_ONCE(g->ctrl->ring[VPRIME_RING_TXC].cons_event,
		   g->from_stall == VP_STALL_TXC ? g->from_stall_idx :
						   g->txc_prod + VP_CONS_EVENT_OFF);
	WRITE_ONCE(g->ctrl->ring[VPRIME_RING_RX].cons_event,
		   g->to_stall == VP_STALL_GUEST_RX ?
			   g->to_stall_rx : g->rx_prod + VP_CONS_EVENT_OFF);
	vp_mb();	/* [B4] event before re-reading prod */
	return vp_guest_pending(g) ||
	       (g->to_stall == VP_STALL_GUEST_RX &&
		READ_ONCE(g->ctrl->ring[VPRIME_RING_RX].cons) != g->to_stall_rx);
}
