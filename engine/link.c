// SPDX-License-Identifier: MIT
/*
 * link.c - one direction of an emulated link.  A frame entering at time t
 * is, in order: lost at random, lost by the Gilbert-Elliott chain, dropped
 * at the tail if the queue in front of the transmitter is full, else sent
 * when the transmitter is free (serialisation: len * 8 / bandwidth) and
 * arrives after the propagation delay plus jitter.  Jitter never reorders:
 * a frame never arrives before the one sent ahead of it (a link is FIFO,
 * and the engine's TX rings must see each port's frames in due order).
 *
 * Times are computed when the frame enters, from its own timestamp, not
 * from when the engine got round to it: a late engine delivers late (and
 * counts it), it does not stretch the path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static u64 vpe_rng_next(u64 *s)
{
	/* splitmix64: small, fast, good enough for loss and jitter draws */
	u64 z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double vpe_rng_unit(u64 *s)
{
	return (double)(vpe_rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

int vpe_link_dir_init(struct vpe_link_dir *d, u32 link, u32 from, u32 to,
		      struct vpe_link_params *prm, u64 seed)
{
	memset(d, 0, sizeof(*d));
	d->link = link;
	d->from = from;
	d->to = to;
	d->prm = prm;
	d->rng = seed;
	return vpe_link_dir_resize(d);
}

void vpe_link_dir_fini(struct vpe_link_dir *d)
{
	free(d->q_start);
	free(d->q_len);
	d->q_start = NULL;
	d->q_len = NULL;
}

/* Size the waiting-frame ring to the queue limit, keeping its contents. */
int vpe_link_dir_resize(struct vpe_link_dir *d)
{
	u32 cap = d->prm->queue_packets, keep, i;
	u64 *st;
	u32 *ln;

	if (cap == d->q_cap)
		return 0;
	st = malloc(cap * sizeof(*st));
	ln = malloc(cap * sizeof(*ln));
	if (!st || !ln) {
		free(st);
		free(ln);
		return -ENOMEM;
	}
	/* A smaller limit keeps the oldest frames: they are already sent. */
	keep = d->q_count < cap ? d->q_count : cap;
	d->q_bytes = 0;
	for (i = 0; i < keep; i++) {
		st[i] = d->q_start[(d->q_head + i) % d->q_cap];
		ln[i] = d->q_len[(d->q_head + i) % d->q_cap];
		d->q_bytes += ln[i];
	}
	vpe_link_dir_fini(d);
	d->q_start = st;
	d->q_len = ln;
	d->q_cap = cap;
	d->q_head = 0;
	d->q_count = keep;
	return 0;
}

/* Forget frames whose transmission started by @t: they left the queue. */
static void vpe_link_queue_age(struct vpe_link_dir *d, u64 t)
{
	while (d->q_count && d->q_start[d->q_head] <= t) {
		d->q_bytes -= d->q_len[d->q_head];
		d->q_head = (d->q_head + 1) % d->q_cap;
		d->q_count--;
	}
}

static bool vpe_link_lost(struct vpe_link_dir *d, int *why)
{
	const struct vpe_ge *ge = &d->prm->ge;

	if (d->prm->loss > 0 && vpe_rng_unit(&d->rng) < d->prm->loss) {
		*why = VPE_LDROP_loss_random;
		return true;
	}
	if (!ge->on)
		return false;
	/* Step the chain once per frame, then draw in the new state. */
	if (d->ge_bad ? vpe_rng_unit(&d->rng) < ge->r :
			vpe_rng_unit(&d->rng) < ge->p)
		d->ge_bad = !d->ge_bad;
	if (vpe_rng_unit(&d->rng) < (d->ge_bad ? ge->loss_bad : ge->loss_good)) {
		*why = VPE_LDROP_loss_burst;
		return true;
	}
	return false;
}

static u64 vpe_link_jitter(struct vpe_link_dir *d)
{
	u64 j = d->prm->jitter_ns, off;

	if (!j)
		return d->prm->delay_ns;
	/* delay + U[-j, +j], never below zero */
	off = vpe_rng_next(&d->rng) % (2 * j + 1);
	if (d->prm->delay_ns + off < j)
		return 0;
	return d->prm->delay_ns + off - j;
}

/*
 * Admit a frame of @len bytes entering at @t.  Returns 0 with its arrival
 * time at the far end, or a positive VPE_LDROP_* + 1 when it is dropped.
 */
int vpe_link_admit(struct vpe_link_dir *d, u64 t, u32 len, u64 *arrival)
{
	const struct vpe_link_params *p = d->prm;
	u64 start, ser = 0, arr;
	int why;

	if (vpe_link_lost(d, &why)) {
		d->drops[why]++;
		return why + 1;
	}
	vpe_link_queue_age(d, t);
	start = d->busy_until > t ? d->busy_until : t;
	if (start > t && (d->q_count >= d->q_cap ||
			  (p->queue_bytes && d->q_bytes + len > p->queue_bytes))) {
		d->drops[VPE_LDROP_queue_full]++;
		return VPE_LDROP_queue_full + 1;
	}
	if (p->bandwidth_bps)
		ser = ((u64)len * 8ull * 1000000000ull + p->bandwidth_bps - 1) /
		      p->bandwidth_bps;
	if (start > t) {	/* it waits behind others */
		u32 tail = (d->q_head + d->q_count) % d->q_cap;

		d->q_start[tail] = start;
		d->q_len[tail] = len;
		d->q_count++;
		d->q_bytes += len;
	}
	d->busy_until = start + ser;
	arr = d->busy_until + vpe_link_jitter(d);
	if (arr < d->last_arrival)
		arr = d->last_arrival;
	d->last_arrival = arr;
	d->frames++;
	d->bytes += len;
	*arrival = arr;
	return 0;
}

#define VPE_LD_NAME(n, d) #n,
static const char *const vpe_link_drop_names[] = {
	VPE_LINK_DROPS(VPE_LD_NAME)
};

const char *vpe_link_drop_name(u32 id)
{
	return id < VPE_LDROP_MAX ? vpe_link_drop_names[id] : NULL;
}
