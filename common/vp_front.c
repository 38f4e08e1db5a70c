// SPDX-License-Identifier: MIT
/*
 * vp_front.c - the guest's side of the vprime rings.  See vp_front.h;
 * barriers [B1]..[B4] are defined in vprime_if.h.
 */
#include "vp_front.h"
#include "vp_hist.h"
#include "vp_ring.h"

#define RING_MASK (VPRIME_RING_SIZE - 1)
#define VP_SLOT_NONE 0xffffffffu

static void vp_front_fatal(struct vp_front *f, enum vp_front_stat_id why)
{
	f->stats[why]++;
	f->broken = true;
}

/* Zero the control page (XSA-403: share nothing stale) and fill its header. */
void vp_front_ctrl_init(struct vprime_ctrl *ctrl, u32 tx_pool_pages,
			u32 rx_pool_pages)
{
	memset(ctrl, 0, sizeof(*ctrl));
	ctrl->magic = VPRIME_CTRL_MAGIC;
	ctrl->version = VPRIME_PROTOCOL_VERSION;
	ctrl->ring_size = VPRIME_RING_SIZE;
	ctrl->slot_size = VPRIME_SLOT_SIZE;
	ctrl->tx_pool_pages = (u16)tx_pool_pages;
	ctrl->rx_pool_pages = (u16)rx_pool_pages;
}

void vp_front_init(struct vp_front *f, struct vprime_ctrl *ctrl,
		   struct vprime_desc *const ring[VPRIME_NR_RINGS],
		   void **tx_pages, u32 tx_nr_pages,
		   void **rx_pages, u32 rx_nr_pages,
		   u32 max_frame, const struct vp_front_mem *mem)
{
	u32 i;

	memset(f, 0, sizeof(*f));
	f->ctrl = ctrl;
	for (i = 0; i < VPRIME_NR_RINGS; i++)
		f->ring[i] = ring[i];
	f->tx_pool.pages = tx_pages;
	f->tx_pool.nr_slots = tx_nr_pages * VPRIME_SLOTS_PER_PAGE;
	f->rx_pool.pages = rx_pages;
	f->rx_pool.nr_slots = rx_nr_pages * VPRIME_SLOTS_PER_PAGE;
	f->max_frame = max_frame < VPRIME_FRAME_MAX ? max_frame :
						      VPRIME_FRAME_MAX;
	f->tx_free = mem->tx_free;
	f->tx_owner = mem->tx_owner;
	f->rx_free = mem->rx_free;
	f->rx_owner = mem->rx_owner;
	f->tx_stamp = mem->tx_stamp;
	/* Stacks popped from the top: hand out low slot numbers first. */
	for (i = 0; i < f->tx_pool.nr_slots; i++) {
		f->tx_free[i] = f->tx_pool.nr_slots - 1 - i;
		f->tx_owner[i] = VP_SLOT_GUEST;
		if (f->tx_stamp)
			f->tx_stamp[i] = 0;
	}
	f->tx_nfree = f->tx_pool.nr_slots;
	for (i = 0; i < f->rx_pool.nr_slots; i++) {
		f->rx_free[i] = f->rx_pool.nr_slots - 1 - i;
		f->rx_owner[i] = VP_SLOT_GUEST;
	}
	f->rx_nfree = f->rx_pool.nr_slots;
}

/* ---- transmit ------------------------------------------------------- */

/* Slots a new frame may use now: bounded by ring entries and free slots. */
u32 vp_front_tx_room(struct vp_front *f)
{
	u32 cons = READ_ONCE(f->ctrl->ring[VPRIME_RING_TX].cons);
	u32 ring_room;

	if (f->broken)
		return 0;
	if (!vp_ring_sane(f->tx_prod, cons, VPRIME_RING_SIZE)) {
		vp_front_fatal(f, VP_FRONT_STAT_be_bad_index);
		return 0;
	}
	ring_room = vp_ring_free(f->tx_prod, cons, VPRIME_RING_SIZE);
	return ring_room < f->tx_nfree ? ring_room : f->tx_nfree;
}

long vp_front_tx_slot_get(struct vp_front *f)
{
	if (!f->tx_nfree)
		return -1;
	return f->tx_free[--f->tx_nfree];
}

/* Queue one slot of a frame; the caller checked vp_front_tx_room(). */
void vp_front_tx_put(struct vp_front *f, u32 slot, u16 off, u16 len,
		     u16 flags)
{
	struct vprime_desc *d = &f->ring[VPRIME_RING_TX][f->tx_prod & RING_MASK];

	d->slot = slot;
	d->off = off;
	d->len = len;
	d->flags = flags;
	d->rsvd0 = 0;
	d->rsvd1 = 0;
	f->tx_owner[slot] = VP_SLOT_BACKEND;
	f->tx_prod++;
}

/* Copy a whole frame into TX slots and queue it. */
int vp_front_tx_frame(struct vp_front *f, const void *data, u32 len,
		      u16 csum_flags)
{
	u32 nseg = (len + VPRIME_SLOT_SIZE - 1) / VPRIME_SLOT_SIZE;
	const u8 *src = data;
	u32 i;

	if (len < VPRIME_FRAME_MIN || len > f->max_frame)
		return -EMSGSIZE;
	if (vp_front_tx_room(f) < nseg) {
		f->stats[VP_FRONT_STAT_tx_ring_full]++;
		return -EAGAIN;
	}
	for (i = 0; i < nseg; i++) {
		u32 slot = (u32)vp_front_tx_slot_get(f);
		u32 n = len > VPRIME_SLOT_SIZE ? VPRIME_SLOT_SIZE : len;
		u16 flags = csum_flags;

		if (i + 1 < nseg)
			flags |= VPRIME_DESC_F_MORE;
		memcpy(vp_pool_slot(&f->tx_pool, slot), src, n);
		vp_front_tx_put(f, slot, 0, (u16)n, flags);
		src += n;
		len -= n;
	}
	return 0;
}

/* Publish queued TX descriptors; true if the backend wants an event. */
bool vp_front_tx_push(struct vp_front *f)
{
	u32 old = f->tx_pub;
	bool notify;

	if (f->tx_prod == old)
		return false;
	vp_wmb();	/* [B1] */
	WRITE_ONCE(f->ctrl->ring[VPRIME_RING_TX].prod, f->tx_prod);
	f->tx_pub = f->tx_prod;
	vp_mb();	/* [B4] */
	notify = vp_ring_need_event(READ_ONCE(f->ctrl->ring[VPRIME_RING_TX].event),
				    f->tx_prod, old);
	if (notify)
		f->stats[VP_FRONT_STAT_notify_backend]++;
	return notify;
}

/*
 * Remember when the frame whose first slot is @slot was queued (@now, ns,
 * not 0); its completion on TXC counts now - that in the reaper's
 * histogram.  Only first slots are stamped: a frame counts once.
 */
void vp_front_tx_stamp(struct vp_front *f, u32 slot, u64 now)
{
	if (f->tx_stamp && slot < f->tx_pool.nr_slots)
		f->tx_stamp[slot] = now;
}

/* A slot came back: count its frame's round trip into @hist (if any). */
static void vp_front_txc_lat(struct vp_front *f, u32 slot, u64 now,
			     u64 *hist)
{
	u64 t;

	if (!f->tx_stamp)
		return;
	t = f->tx_stamp[slot];
	f->tx_stamp[slot] = 0;
	if (t && hist)
		vp_hist_add_n(hist, now > t ? now - t : 0, 1);
}

/* Take back the TX slots the backend is done with; returns how many. */
u32 vp_front_txc_reap(struct vp_front *f)
{
	return vp_front_txc_reap_lat(f, 0, NULL);
}

/*
 * The same, counting each stamped frame's time from vp_front_tx_stamp()
 * to @now into @hist (VP_HIST_NR buckets; NULL: count nothing).
 */
u32 vp_front_txc_reap_lat(struct vp_front *f, u64 now, u64 *hist)
{
	u32 prod, n = 0;

	if (f->broken)
		return 0;
	prod = READ_ONCE(f->ctrl->ring[VPRIME_RING_TXC].prod);
	if (!vp_ring_sane(prod, f->txc_cons, VPRIME_RING_SIZE)) {
		vp_front_fatal(f, VP_FRONT_STAT_be_bad_index);
		return 0;
	}
	vp_rmb();	/* [B2] */
	while (f->txc_cons != prod) {
		u32 slot = READ_ONCE(f->ring[VPRIME_RING_TXC]
				     [f->txc_cons & RING_MASK].slot);

		f->txc_cons++;
		if (slot >= f->tx_pool.nr_slots ||
		    f->tx_owner[slot] != VP_SLOT_BACKEND) {
			f->stats[VP_FRONT_STAT_be_bad_slot]++;
			continue;
		}
		f->tx_owner[slot] = VP_SLOT_GUEST;
		f->tx_free[f->tx_nfree++] = slot;
		vp_front_txc_lat(f, slot, now, hist);
		n++;
	}
	WRITE_ONCE(f->ctrl->ring[VPRIME_RING_TXC].cons, f->txc_cons); /* [B3] */
	return n;
}

/* ---- receive -------------------------------------------------------- */

/* Post every free RX slot on FILL; true if the backend wants an event. */
bool vp_front_fill(struct vp_front *f)
{
	u32 cons = READ_ONCE(f->ctrl->ring[VPRIME_RING_FILL].cons);
	u32 old = f->fill_prod;
	bool notify;

	if (f->broken)
		return false;
	if (!vp_ring_sane(f->fill_prod, cons, VPRIME_RING_SIZE)) {
		vp_front_fatal(f, VP_FRONT_STAT_be_bad_index);
		return false;
	}
	while (f->rx_nfree &&
	       vp_ring_free(f->fill_prod, cons, VPRIME_RING_SIZE)) {
		u32 slot = f->rx_free[--f->rx_nfree];
		struct vprime_desc *d =
			&f->ring[VPRIME_RING_FILL][f->fill_prod & RING_MASK];

		memset(d, 0, sizeof(*d));
		d->slot = slot;
		f->rx_owner[slot] = VP_SLOT_BACKEND;
		f->fill_prod++;
	}
	if (f->fill_prod == old)
		return false;
	vp_wmb();	/* [B1] */
	WRITE_ONCE(f->ctrl->ring[VPRIME_RING_FILL].prod, f->fill_prod);
	vp_mb();	/* [B4] */
	notify = vp_ring_need_event(
		READ_ONCE(f->ctrl->ring[VPRIME_RING_FILL].event),
		f->fill_prod, old);
	if (notify)
		f->stats[VP_FRONT_STAT_notify_backend]++;
	return notify;
}

/* Check one private RX descriptor; claims its slot if the backend held it. */
static void vp_front_rx_seg(struct vp_front *f, const struct vprime_desc *d,
			    struct vp_frame *fr)
{
	u32 i = fr->nseg++;

	fr->slot[i] = VP_SLOT_NONE;
	fr->off[i] = d->off;
	fr->seg_len[i] = d->len;
	if (d->slot >= f->rx_pool.nr_slots ||
	    f->rx_owner[d->slot] != VP_SLOT_BACKEND) {
		f->stats[VP_FRONT_STAT_be_bad_slot]++;
		fr->bad = true;
		return;
	}
	f->rx_owner[d->slot] = VP_SLOT_GUEST;
	fr->slot[i] = d->slot;
	if (d->len == 0) {
		f->stats[VP_FRONT_STAT_be_zero_len]++;
		fr->bad = true;
	} else if (!vp_extent_ok(d->off, d->len, VPRIME_SLOT_SIZE)) {
		f->stats[VP_FRONT_STAT_be_bad_extent]++;
		fr->bad = true;
	}
	fr->len += d->len;
}

/*
 * Read the next RX frame.  Returns 1 with @fr filled (check fr->bad; call
 * vp_front_rx_release() either way), 0 if there is none, -EIO if the
 * backend broke the ring (a bad index, too many slots, or a frame it
 * published only part of).
 */
int vp_front_rx_next(struct vp_front *f, struct vp_frame *fr)
{
	struct vprime_desc d[VPRIME_MAX_SLOTS];
	u32 prod, n = 0, i;

	if (f->broken)
		return -EIO;
	prod = READ_ONCE(f->ctrl->ring[VPRIME_RING_RX].prod);
	if (!vp_ring_sane(prod, f->rx_cons, VPRIME_RING_SIZE)) {
		vp_front_fatal(f, VP_FRONT_STAT_be_bad_index);
		return -EIO;
	}
	vp_rmb();	/* [B2] */
	for (;;) {
		if (f->rx_cons + n == prod) {
			if (n == 0)
				return 0;
			/* Producers publish whole frames: an open chain at
			 * prod is an error, not a frame still coming. */
			vp_front_fatal(f, VP_FRONT_STAT_be_partial_frame);
			return -EIO;
		}
		VP_COPY_ONCE(&d[n], &f->ring[VPRIME_RING_RX]
					    [(f->rx_cons + n) & RING_MASK]);
		n++;
		if (!(d[n - 1].flags & VPRIME_DESC_F_MORE))
			break;
		if (n == VPRIME_MAX_SLOTS) {
			vp_front_fatal(f, VP_FRONT_STAT_be_too_many_slots);
			return -EIO;
		}
	}
	fr->nseg = 0;
	fr->len = 0;
	fr->bad = false;
	fr->flags = d[0].flags & (VPRIME_DESC_F_CSUM_BLANK |
				  VPRIME_DESC_F_DATA_VALID);
	for (i = 0; i < n; i++)
		vp_front_rx_seg(f, &d[i], fr);
	if (!fr->bad && (fr->len > f->max_frame ||
			 fr->len < VPRIME_FRAME_MIN)) {
		f->stats[VP_FRONT_STAT_be_oversize]++;
		fr->bad = true;
	}
	f->rx_cons += n;
	return 1;
}

/* Copy a good frame's bytes to @dst; returns bytes copied. */
u32 vp_front_rx_copy(const struct vp_front *f, const struct vp_frame *fr,
		     void *dst, u32 cap)
{
	u8 *out = dst;
	u32 i, done = 0;

	for (i = 0; i < fr->nseg && !fr->bad; i++) {
		u32 n = fr->seg_len[i];

		if (n > cap - done)
			n = cap - done;
		memcpy(out + done,
		       vp_pool_slot(&f->rx_pool, fr->slot[i]) + fr->off[i], n);
		done += n;
	}
	return done;
}

/* Give the frame's slots back to the free list (they are re-posted later). */
void vp_front_rx_release(struct vp_front *f, const struct vp_frame *fr)
{
	u32 i;

	for (i = 0; i < fr->nseg; i++)
		if (fr->slot[i] != VP_SLOT_NONE)
			f->rx_free[f->rx_nfree++] = fr->slot[i];
}

void vp_front_rx_commit(struct vp_front *f)
{
	WRITE_ONCE(f->ctrl->ring[VPRIME_RING_RX].cons, f->rx_cons);	/* [B3] */
}

/*
 * About to sleep: ask for an event on the next RX frame or TXC entry.
 * Returns true if one arrived meanwhile (poll again instead).
 */
bool vp_front_arm(struct vp_front *f)
{
	if (f->broken)
		return false;
	WRITE_ONCE(f->ctrl->ring[VPRIME_RING_RX].event, f->rx_cons);
	WRITE_ONCE(f->ctrl->ring[VPRIME_RING_TXC].event, f->txc_cons);
	vp_mb();	/* [B4] */
	return READ_ONCE(f->ctrl->ring[VPRIME_RING_RX].prod) != f->rx_cons ||
	       READ_ONCE(f->ctrl->ring[VPRIME_RING_TXC].prod) != f->txc_cons;
}

/*
 * After reaping TXC or committing RX: with cons-event negotiated, does dom0
 * want an event because cons passed the mark it set (it is waiting for
 * room)?  The [B4] pairing with the producer's mark: write cons, full
 * barrier, read cons_event; dom0 writes cons_event, full barrier, re-reads
 * cons.
 */
bool vp_front_cons_notify(struct vp_front *f)
{
	bool notify;

	if (!f->cons_events || f->broken ||
	    (f->txc_cons == f->txc_told && f->rx_cons == f->rx_told))
		return false;
	vp_mb();	/* [B4] */
	notify = vp_ring_need_event(
			 READ_ONCE(f->ctrl->ring[VPRIME_RING_TXC].cons_event),
			 f->txc_cons, f->txc_told) ||
		 vp_ring_need_event(
			 READ_ONCE(f->ctrl->ring[VPRIME_RING_RX].cons_event),
			 f->rx_cons, f->rx_told);
	f->txc_told = f->txc_cons;
	f->rx_told = f->rx_cons;
	if (notify)
		f->stats[VP_FRONT_STAT_notify_backend]++;
	return notify;
}

bool vp_front_carrier(const struct vp_front *f)
{
	return !f->broken &&
	       (READ_ONCE(f->ctrl->be_flags) & VPRIME_BE_F_CARRIER);
}
