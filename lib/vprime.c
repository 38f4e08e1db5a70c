// SPDX-License-Identifier: MIT
/*
 * vprime.c - libvprime over any transport (vprime_transport.h).
 *
 * The kernel is trusted but fallible: every index and descriptor it writes
 * into the area is read once, checked, and answered with a counter.  Every
 * buffer's owner is tracked in a byte (lib / kernel / user), which is what
 * lets the library refuse a frame handed back twice or a forged buffer id.
 * Barriers follow [B1]..[B4] of vprime_if.h.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vp_compat.h"
#include "vp_hist.h"
#include "vp_ring.h"
#include "vp_sync.h"
#include "vprime_transport.h"

enum vprime_buf_owner {
	VPRIME_OWN_LIB = 0,	/* on the free stack */
	VPRIME_OWN_KERNEL = 1,	/* on the fill ring, a TX ring, or an RX ring
				 * entry not yet peeked */
	VPRIME_OWN_USER = 2,	/* in a frame the caller holds */
};

struct vprime_port {
	bool attached;
	struct vprime_port_info *info;
	struct vprime_ring_idx *rx_idx;		/* kernel produces */
	struct vprime_edesc *rx;
	struct vprime_ring_idx *tx_idx;		/* we produce */
	struct vprime_edesc *tx;
	u32 rx_cons;				/* private */
	u32 tx_prod;				/* private, published at sync */
};

struct vprime {
	const struct vprime_transport *ops;
	void *ctx;
	u8 *area;
	size_t area_size;
	struct vprime_area_hdr hdr;	/* our copy: never re-read */
	struct vprime_opts opts;
	struct vprime_ring_idx *fill_idx;
	u32 *fill;
	struct vprime_ring_idx *comp_idx;
	u32 *comp;
	u8 *bufs;
	u32 fill_prod;			/* private */
	u32 comp_cons;			/* private */
	u32 fill_target;
	u32 *free_stack;
	u32 nr_free;
	u8 *owner;			/* enum vprime_buf_owner per buffer */
	u32 rr;				/* next port rx_peek starts at */
	u64 stats[VPRIME_LIB_STAT_MAX];
	struct vprime_port port[];
};

#define VPRIME_DEF_BUFS		8192u
#define VPRIME_DEF_RING		1024u
#define VPRIME_DEF_PORTS	64u

static int vprime_bad(struct vprime *vp)
{
	if (vp)
		vp->stats[VPRIME_LIB_STAT_bad_arg]++;
	return -EINVAL;
}

/* ---- buffers ----------------------------------------------------------- */

static void vprime_buf_free(struct vprime *vp, u32 buf)
{
	vp->owner[buf] = VPRIME_OWN_LIB;
	vp->free_stack[vp->nr_free++] = buf;
}

static u32 vprime_buf_take(struct vprime *vp, u8 owner)
{
	u32 buf = vp->free_stack[--vp->nr_free];

	vp->owner[buf] = owner;
	return buf;
}

/* Completed TX buffers come back to the free stack. */
static void vprime_comp_reap(struct vprime *vp)
{
	u32 prod = READ_ONCE(vp->comp_idx->prod);
	u32 mask = vp->hdr.pool_ring_size - 1;

	if (!vp_ring_sane(prod, vp->comp_cons, vp->hdr.pool_ring_size)) {
		vp->stats[VPRIME_LIB_STAT_kernel_bad_index]++;
		return;
	}
	vp_rmb();	/* [B2] prod before the entries */
	while (vp->comp_cons != prod) {
		u32 buf = READ_ONCE(vp->comp[vp->comp_cons & mask]);

		vp->comp_cons++;
		if (buf >= vp->hdr.nr_bufs ||
		    vp->owner[buf] != VPRIME_OWN_KERNEL) {
			vp->stats[VPRIME_LIB_STAT_kernel_bad_desc]++;
			continue;
		}
		vprime_buf_free(vp, buf);
	}
	vp_mb();	/* [B3] entries read before cons is given back */
	WRITE_ONCE(vp->comp_idx->cons, vp->comp_cons);
}

/* Keep fill_target buffers posted, leaving tx_reserve for the caller. */
static void vprime_fill_top_up(struct vprime *vp)
{
	u32 cons = READ_ONCE(vp->fill_idx->cons);
	u32 mask = vp->hdr.pool_ring_size - 1;
	u32 posted;

	if (!vp_ring_sane(vp->fill_prod, cons, vp->hdr.pool_ring_size)) {
		vp->stats[VPRIME_LIB_STAT_kernel_bad_index]++;
		return;
	}
	posted = vp_ring_used(vp->fill_prod, cons);
	while (posted < vp->fill_target &&
	       vp->nr_free > vp->opts.tx_reserve) {
		vp->fill[vp->fill_prod & mask] =
			vprime_buf_take(vp, VPRIME_OWN_KERNEL);
		vp->fill_prod++;
		posted++;
	}
	if (posted < vp->fill_target)
		vp->stats[VPRIME_LIB_STAT_fill_short]++;
	vp_wmb();	/* [B1] entries before prod */
	WRITE_ONCE(vp->fill_idx->prod, vp->fill_prod);
}

/* ---- open and close ---------------------------------------------------- */

static int vprime_opts_resolve(const struct vprime_opts *in,
			       struct vprime_opts *o)
{
	static const struct vprime_opts zero;

	*o = in ? *in : zero;
	if (!o->nr_bufs)
		o->nr_bufs = VPRIME_DEF_BUFS;
	if (!o->ring_size)
		o->ring_size = VPRIME_DEF_RING;
	if (!o->max_ports)
		o->max_ports = VPRIME_DEF_PORTS;
	if (!o->tx_reserve)
		o->tx_reserve = o->nr_bufs / 8;
	if (o->nr_bufs < VPRIME_NR_BUFS_MIN || o->nr_bufs > VPRIME_NR_BUFS_MAX ||
	    o->ring_size < VPRIME_URING_MIN || o->ring_size > VPRIME_URING_MAX ||
	    (o->ring_size & (o->ring_size - 1)) || o->max_ports > VPRIME_PORTS_MAX ||
	    o->tx_reserve >= o->nr_bufs)
		return -EINVAL;
	return 0;
}

/* The mapped header must be exactly the layout we asked for. */
static int vprime_area_check(struct vprime *vp)
{
	struct vprime_area_hdr got;

	memcpy(&got, vp->area, sizeof(got));
	if (memcmp(&got, &vp->hdr, sizeof(got)))
		return -EPROTO;
	return 0;
}

static void vprime_area_bind(struct vprime *vp)
{
	const struct vprime_area_hdr *h = &vp->hdr;
	u32 i;

	vp->fill_idx = (struct vprime_ring_idx *)(vp->area + h->off_fill);
	vp->fill = (u32 *)(vp->fill_idx + 1);
	vp->comp_idx = (struct vprime_ring_idx *)(vp->area + h->off_comp);
	vp->comp = (u32 *)(vp->comp_idx + 1);
	vp->bufs = vp->area + h->off_bufs;
	for (i = 0; i < h->max_ports; i++) {
		struct vprime_port *p = &vp->port[i];
		u8 *b = vp->area + h->off_ports + (u64)i * h->port_stride;

		p->info = (struct vprime_port_info *)b;
		p->rx_idx = (struct vprime_ring_idx *)(b + VPRIME_PORT_RX_IDX_OFF);
		p->tx_idx = (struct vprime_ring_idx *)(b + VPRIME_PORT_TX_IDX_OFF);
		p->rx = (struct vprime_edesc *)(b + VPRIME_PORT_DESC_OFF);
		p->tx = p->rx + h->ring_size;
	}
	for (i = vp->hdr.nr_bufs; i > 0; i--)
		vprime_buf_free(vp, i - 1);
	vp->fill_target = vp->hdr.nr_bufs - vp->opts.tx_reserve;
	vprime_fill_top_up(vp);
}

static int vprime_setup(struct vprime *vp)
{
	struct vprime_setup s = {
		.abi_version = VPRIME_ABI_VERSION,
		.nr_bufs = vp->opts.nr_bufs,
		.ring_size = vp->opts.ring_size,
		.max_ports = vp->opts.max_ports,
	};
	u32 version = 0;
	int err;

	err = vp->ops->ioctl(vp->ctx, VPRIME_IOC_VERSION, &version);
	if (err)
		return err;
	if (version != VPRIME_ABI_VERSION)
		return -EPROTO;
	err = vp_area_layout(&s, &vp->hdr);
	if (err)
		return err;
	err = vp->ops->ioctl(vp->ctx, VPRIME_IOC_SETUP, &s);
	if (err)
		return err;
	if (s.area_size != vp->hdr.area_size)
		return -EPROTO;
	vp->area = vp->ops->map(vp->ctx, s.area_size, &err);
	if (!vp->area)
		return err ? err : -ENOMEM;
	vp->area_size = s.area_size;
	return vprime_area_check(vp);
}

int vprime_open_transport(struct vprime **out,
			  const struct vprime_transport *ops, void *ctx,
			  const struct vprime_opts *opts)
{
	struct vprime_opts o;
	struct vprime *vp;
	int err;

	if (!out || !ops || !ops->ioctl || !ops->map || !ops->wait ||
	    !ops->fd || !ops->close) {
		err = -EINVAL;
		goto err_ctx;
	}
	*out = NULL;
	err = vprime_opts_resolve(opts, &o);
	if (err)
		goto err_ctx;
	vp = calloc(1, sizeof(*vp) + o.max_ports * sizeof(vp->port[0]));
	if (!vp) {
		err = -ENOMEM;
		goto err_ctx;
	}
	vp->ops = ops;
	vp->ctx = ctx;
	vp->opts = o;
	vp->free_stack = calloc(o.nr_bufs, sizeof(u32));
	vp->owner = calloc(o.nr_bufs, 1);
	err = -ENOMEM;
	if (!vp->free_stack || !vp->owner)
		goto err_vp;
	err = vprime_setup(vp);
	if (err)
		goto err_vp;
	vprime_area_bind(vp);
	*out = vp;
	return 0;
err_vp:
	vprime_close(vp);
	return err;
err_ctx:
	if (ops && ops->close)
		ops->close(ctx);
	return err;
}

void vprime_close(struct vprime *vp)
{
	if (!vp)
		return;
	if (vp->area && vp->ops->unmap)
		vp->ops->unmap(vp->ctx, vp->area, vp->area_size);
	vp->ops->close(vp->ctx);	/* the kernel detaches every port */
	free(vp->free_stack);
	free(vp->owner);
	free(vp);
}

int vprime_fd(const struct vprime *vp)
{
	if (!vp)
		return -EINVAL;
	return vp->ops->fd(vp->ctx);
}

int vprime_wait(struct vprime *vp, int timeout_ms)
{
	if (!vp || timeout_ms < -1)
		return vprime_bad(vp);
	return vp->ops->wait(vp->ctx, timeout_ms);
}

/* ---- devices and ports -------------------------------------------------- */

int vprime_list(struct vprime *vp, struct vprime_devinfo *out, uint32_t cap)
{
	struct vprime_list l = { .capacity = cap, .entries = (uintptr_t)out };
	int err;

	if (!vp || (cap && !out) || cap > 65536)
		return vprime_bad(vp);
	err = vp->ops->ioctl(vp->ctx, VPRIME_IOC_LIST, &l);
	if (err)
		return err;
	return l.count > INT32_MAX ? INT32_MAX : (int)l.count;
}

static int vprime_attach(struct vprime *vp, struct vprime_attach *a)
{
	struct vprime_port *p;
	int err;

	err = vp->ops->ioctl(vp->ctx, VPRIME_IOC_ATTACH, a);
	if (err)
		return err;
	if (a->port >= vp->hdr.max_ports || vp->port[a->port].attached) {
		/* The kernel handed out a port it should not have. */
		vp->stats[VPRIME_LIB_STAT_kernel_bad_index]++;
		return -EPROTO;
	}
	p = &vp->port[a->port];
	/* The kernel starts both rings empty at index 0 on attach. */
	p->rx_cons = 0;
	p->tx_prod = 0;
	p->attached = true;
	return (int)a->port;
}

int vprime_attach_id(struct vprime *vp, uint32_t domid, uint32_t devid)
{
	struct vprime_attach a = { .by = VPRIME_ATTACH_BY_ID, .domid = domid,
				   .devid = devid };

	if (!vp)
		return -EINVAL;
	return vprime_attach(vp, &a);
}

int vprime_attach_name(struct vprime *vp, const char *name)
{
	struct vprime_attach a = { .by = VPRIME_ATTACH_BY_NAME };
	size_t n;

	if (!vp || !name)
		return vprime_bad(vp);
	n = strnlen(name, VPRIME_NAME_LEN);
	if (n == 0 || n >= VPRIME_NAME_LEN)
		return vprime_bad(vp);
	memcpy(a.name, name, n);
	return vprime_attach(vp, &a);
}

int vprime_attach_mac(struct vprime *vp, const uint8_t mac[6])
{
	struct vprime_attach a = { .by = VPRIME_ATTACH_BY_MAC };

	if (!vp || !mac)
		return vprime_bad(vp);
	memcpy(a.mac, mac, 6);
	return vprime_attach(vp, &a);
}

static struct vprime_port *vprime_port_get(const struct vprime *vp,
					   uint32_t port)
{
	if (!vp || port >= vp->hdr.max_ports || !vp->port[port].attached)
		return NULL;
	return (struct vprime_port *)&vp->port[port];
}

/*
 * After DETACH the kernel no longer looks at the port's rings: frames it
 * left on RX and frames it never took from TX are ours again.
 */
static void vprime_port_reclaim(struct vprime *vp, struct vprime_port *p)
{
	u32 mask = vp->hdr.ring_size - 1;
	u32 rx_prod = READ_ONCE(p->rx_idx->prod);
	u32 tx_cons = READ_ONCE(p->tx_idx->cons);
	u32 i, buf;

	if (!vp_ring_sane(rx_prod, p->rx_cons, vp->hdr.ring_size))
		rx_prod = p->rx_cons;
	if (!vp_ring_sane(p->tx_prod, tx_cons, vp->hdr.ring_size))
		tx_cons = p->tx_prod;
	for (i = p->rx_cons; i != rx_prod; i++) {
		buf = READ_ONCE(p->rx[i & mask].buf);
		if (buf < vp->hdr.nr_bufs && vp->owner[buf] == VPRIME_OWN_KERNEL) {
			vprime_buf_free(vp, buf);
			vp->stats[VPRIME_LIB_STAT_detach_reclaimed]++;
		}
	}
	for (i = tx_cons; i != p->tx_prod; i++) {
		buf = p->tx[i & mask].buf;
		if (buf < vp->hdr.nr_bufs && vp->owner[buf] == VPRIME_OWN_KERNEL) {
			vprime_buf_free(vp, buf);
			vp->stats[VPRIME_LIB_STAT_detach_reclaimed]++;
		}
	}
}

int vprime_detach(struct vprime *vp, uint32_t port)
{
	struct vprime_port *p = vprime_port_get(vp, port);
	u32 arg = port;
	int err;

	if (!p)
		return vprime_bad(vp);
	err = vp->ops->ioctl(vp->ctx, VPRIME_IOC_DETACH, &arg);
	if (err)
		return err;
	vprime_comp_reap(vp);	/* what it completed before letting go */
	vprime_port_reclaim(vp, p);
	p->attached = false;
	return 0;
}

int vprime_port_state(const struct vprime *vp, uint32_t port)
{
	struct vprime_port *p = vprime_port_get(vp, port);
	u32 st;

	if (!p)
		return -EINVAL;
	st = READ_ONCE(p->info->state);
	return st <= VPRIME_PORT_GONE ? (int)st : VPRIME_PORT_GONE;
}

int vprime_port_info(const struct vprime *vp, uint32_t port,
		     struct vprime_portinfo *out)
{
	struct vprime_port *p = vprime_port_get(vp, port);
	struct vprime_port_info info;

	if (!p || !out)
		return -EINVAL;
	VP_COPY_ONCE(&info, p->info);
	memset(out, 0, sizeof(*out));
	out->port = port;
	out->state = info.state <= VPRIME_PORT_GONE ? info.state :
						       VPRIME_PORT_GONE;
	out->domid = info.domid;
	out->devid = info.devid;
	out->mtu = info.mtu;
	memcpy(out->mac, info.mac, 6);
	memcpy(out->name, info.name, VPRIME_NAME_LEN);
	out->name[VPRIME_NAME_LEN - 1] = '\0';
	return 0;
}

/* ---- the batch ---------------------------------------------------------- */

int vprime_sync(struct vprime *vp, uint32_t flags, struct vprime_sync_res *res)
{
	struct vprime_sync s = { .flags = flags };
	u32 i;
	int err;

	if (!vp || (flags & ~(VPRIME_SYNC_RX | VPRIME_SYNC_TX)))
		return vprime_bad(vp);
	vprime_comp_reap(vp);
	vprime_fill_top_up(vp);
	vp_wmb();	/* [B1] TX entries before the prods that publish them */
	for (i = 0; i < vp->hdr.max_ports; i++)
		if (vp->port[i].attached)
			WRITE_ONCE(vp->port[i].tx_idx->prod, vp->port[i].tx_prod);
	vp->stats[VPRIME_LIB_STAT_syncs]++;
	err = vp->ops->ioctl(vp->ctx, VPRIME_IOC_SYNC, &s);
	if (err)
		return err;
	/* Reap and top up again, so an idle engine holds exactly its reserve. */
	vprime_comp_reap(vp);
	vprime_fill_top_up(vp);
	if (res) {
		res->rx_frames = s.rx_frames;
		res->tx_frames = s.tx_frames;
		res->pending = s.pending;
	}
	return 0;
}

/* Return the buffers of a chain the kernel got wrong. */
static void vprime_rx_bad_chain(struct vprime *vp, const struct vprime_edesc *d,
				u32 n)
{
	u32 i;

	vp->stats[VPRIME_LIB_STAT_kernel_bad_desc]++;
	for (i = 0; i < n; i++)
		if (d[i].buf < vp->hdr.nr_bufs &&
		    vp->owner[d[i].buf] == VPRIME_OWN_KERNEL)
			vprime_buf_free(vp, d[i].buf);
}

/*
 * Read the chain at p->rx_cons.  Returns its segment count, 0 if the chain
 * is not complete before @prod; *ok says whether it is well formed.
 */
static u32 vprime_rx_read_chain(struct vprime *vp, struct vprime_port *p,
				u32 prod, struct vprime_edesc *d, bool *ok)
{
	u32 mask = vp->hdr.ring_size - 1, n = 0;

	*ok = true;
	for (;;) {
		if (p->rx_cons + n == prod)
			return 0;
		VP_COPY_ONCE(&d[n], &p->rx[(p->rx_cons + n) & mask]);
		if (d[n].buf >= vp->hdr.nr_bufs ||
		    vp->owner[d[n].buf] != VPRIME_OWN_KERNEL ||
		    d[n].len == 0 || d[n].len > VPRIME_BUF_SIZE)
			*ok = false;
		n++;
		if (!(d[n - 1].flags & VPRIME_DESC_F_MORE))
			return n;
		if (n == VPRIME_FRAME_SEGS) {
			*ok = false;
			return n;
		}
	}
}

static void vprime_frame_fill(struct vprime *vp, u32 port,
			      const struct vprime_edesc *d, u32 n,
			      struct vprime_frame *f)
{
	u32 i;

	f->tstamp = d[0].tstamp;
	f->port = port;
	f->flags = d[0].flags & (VPRIME_DESC_F_CSUM_BLANK |
				 VPRIME_DESC_F_DATA_VALID);
	f->nseg = (u16)n;
	f->rsvd = 0;
	f->len = 0;
	for (i = 0; i < n; i++) {
		vp->owner[d[i].buf] = VPRIME_OWN_USER;
		f->seg[i].buf = d[i].buf;
		f->seg[i].len = d[i].len;
		f->seg[i].data = vp->bufs + (u64)d[i].buf * VPRIME_BUF_SIZE;
		f->len += d[i].len;
	}
}

/* The clock of the descriptors' tstamp (the transport's, else monotonic). */
static u64 vprime_now(const struct vprime *vp)
{
	struct timespec ts;

	if (vp->ops->now)
		return vp->ops->now(vp->ctx);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

/*
 * Count frames[0..n) into lat_to_engine: from dom0's sync (tstamp) to now,
 * one clock read per rx_peek call that returns frames.
 */
static void vprime_rx_lat(struct vprime *vp, const struct vprime_frame *fr,
			  u32 n)
{
	u64 *h = &vp->stats[VPRIME_LIB_STAT_lat_to_engine_le_1us];
	u64 now;
	u32 i;

	if (!n)
		return;
	now = vprime_now(vp);
	for (i = 0; i < n; i++)
		vp_hist_add_n(h, now > fr[i].tstamp ? now - fr[i].tstamp : 0, 1);
}

static u32 vprime_rx_port(struct vprime *vp, u32 port,
			  struct vprime_frame *frames, u32 max)
{
	struct vprime_port *p = &vp->port[port];
	struct vprime_edesc d[VPRIME_FRAME_SEGS];
	u32 prod = READ_ONCE(p->rx_idx->prod), got = 0, n;
	bool ok;

	if (!vp_ring_sane(prod, p->rx_cons, vp->hdr.ring_size)) {
		vp->stats[VPRIME_LIB_STAT_kernel_bad_index]++;
		return 0;
	}
	vp_rmb();	/* [B2] prod before the descriptors */
	while (got < max) {
		n = vprime_rx_read_chain(vp, p, prod, d, &ok);
		if (!n)
			break;
		p->rx_cons += n;
		if (!ok) {
			vprime_rx_bad_chain(vp, d, n);
			continue;
		}
		vprime_frame_fill(vp, port, d, n, &frames[got++]);
	}
	vp_mb();	/* [B3] descriptors copied before cons frees them */
	WRITE_ONCE(p->rx_idx->cons, p->rx_cons);
	vp->stats[VPRIME_LIB_STAT_rx_frames] += got;
	return got;
}

int vprime_rx_peek_port(struct vprime *vp, uint32_t port,
			struct vprime_frame *frames, uint32_t max)
{
	u32 got;

	if (!vprime_port_get(vp, port) || !frames)
		return vprime_bad(vp);
	got = vprime_rx_port(vp, port, frames, max > INT32_MAX ?
			     INT32_MAX : max);
	vprime_rx_lat(vp, frames, got);
	return (int)got;
}

int vprime_rx_peek(struct vprime *vp, struct vprime_frame *frames,
		   uint32_t max)
{
	u32 got = 0, i, port;

	if (!vp || !frames)
		return vprime_bad(vp);
	if (max > INT32_MAX)
		max = INT32_MAX;
	for (i = 0; i < vp->hdr.max_ports && got < max; i++) {
		port = (vp->rr + i) % vp->hdr.max_ports;
		if (vp->port[port].attached)
			got += vprime_rx_port(vp, port, frames + got, max - got);
	}
	vprime_rx_lat(vp, frames, got);
	vp->rr = (vp->rr + 1) % vp->hdr.max_ports;
	return (int)got;
}

/* A frame the caller may hand back: owned, sane, no buffer twice. */
static bool vprime_frame_valid(const struct vprime *vp,
			       const struct vprime_frame *f)
{
	u32 i, j;

	if (!f || f->nseg == 0 || f->nseg > VPRIME_FRAME_SEGS)
		return false;
	for (i = 0; i < f->nseg; i++) {
		u32 buf = f->seg[i].buf;

		if (buf >= vp->hdr.nr_bufs || vp->owner[buf] != VPRIME_OWN_USER ||
		    f->seg[i].len == 0 || f->seg[i].len > VPRIME_BUF_SIZE)
			return false;
		for (j = 0; j < i; j++)
			if (f->seg[j].buf == buf)
				return false;
	}
	return true;
}

static void vprime_frame_put(struct vprime *vp, struct vprime_frame *f)
{
	u32 i;

	for (i = 0; i < f->nseg; i++)
		vprime_buf_free(vp, f->seg[i].buf);
	f->nseg = 0;
}

int vprime_frame_drop(struct vprime *vp, struct vprime_frame *f)
{
	if (!vp || !vprime_frame_valid(vp, f))
		return vprime_bad(vp);
	vprime_frame_put(vp, f);
	return 0;
}

int vprime_rx_release(struct vprime *vp, struct vprime_frame *frames,
		      uint32_t n)
{
	u32 i, dropped = 0;

	if (!vp || (n && !frames) || n > INT32_MAX)
		return vprime_bad(vp);
	for (i = 0; i < n; i++)
		if (frames[i].nseg && !vprime_frame_valid(vp, &frames[i]))
			return vprime_bad(vp);
	for (i = 0; i < n; i++) {
		if (!frames[i].nseg)
			continue;
		vprime_frame_put(vp, &frames[i]);
		dropped++;
	}
	return (int)dropped;
}

int vprime_tx_reserve(struct vprime *vp, uint32_t len, struct vprime_frame *f)
{
	u32 nseg, i, left = len;

	if (!vp || !f || len == 0 || len > VPRIME_FRAME_MAX)
		return vprime_bad(vp);
	nseg = (len + VPRIME_BUF_SIZE - 1) / VPRIME_BUF_SIZE;
	if (vp->nr_free < nseg) {
		vp->stats[VPRIME_LIB_STAT_no_buf]++;
		return -ENOBUFS;
	}
	memset(f, 0, sizeof(*f));
	f->port = VPRIME_PORT_NONE;
	f->nseg = (u16)nseg;
	f->len = len;
	for (i = 0; i < nseg; i++) {
		u32 buf = vprime_buf_take(vp, VPRIME_OWN_USER);

		f->seg[i].buf = buf;
		f->seg[i].data = vp->bufs + (u64)buf * VPRIME_BUF_SIZE;
		f->seg[i].len = left < VPRIME_BUF_SIZE ? left : VPRIME_BUF_SIZE;
		left -= f->seg[i].len;
	}
	return 0;
}

static u32 vprime_port_frame_max(const struct vprime_port *p)
{
	u32 mtu = READ_ONCE(p->info->mtu);

	if (mtu > VPRIME_MTU_MAX)
		mtu = VPRIME_MTU_MAX;
	return mtu + 18;	/* Ethernet header + one VLAN tag + FCS room */
}

int vprime_tx_submit(struct vprime *vp, uint32_t port, struct vprime_frame *f,
		     uint64_t due)
{
	struct vprime_port *p = vprime_port_get(vp, port);
	u32 mask, i, len = 0, st, tx_cons;

	if (!p || !vprime_frame_valid(vp, f))
		return vprime_bad(vp);
	for (i = 0; i < f->nseg; i++)
		len += f->seg[i].len;
	if (len > vprime_port_frame_max(p))
		return -EMSGSIZE;
	st = READ_ONCE(p->info->state);
	if (st != VPRIME_PORT_ATTACHED) {
		vp->stats[VPRIME_LIB_STAT_tx_port_down]++;
		return -ENETDOWN;
	}
	tx_cons = READ_ONCE(p->tx_idx->cons);
	if (!vp_ring_sane(p->tx_prod, tx_cons, vp->hdr.ring_size)) {
		vp->stats[VPRIME_LIB_STAT_kernel_bad_index]++;
		return -EPROTO;
	}
	if (vp_ring_free(p->tx_prod, tx_cons, vp->hdr.ring_size) < f->nseg) {
		vp->stats[VPRIME_LIB_STAT_tx_ring_full]++;
		return -EAGAIN;
	}
	mask = vp->hdr.ring_size - 1;
	for (i = 0; i < f->nseg; i++) {
		struct vprime_edesc *d = &p->tx[(p->tx_prod + i) & mask];

		d->buf = f->seg[i].buf;
		d->len = (u16)f->seg[i].len;
		d->flags = (i == 0 ? f->flags & (VPRIME_DESC_F_CSUM_BLANK |
						 VPRIME_DESC_F_DATA_VALID) : 0) |
			   (i + 1 < f->nseg ? VPRIME_DESC_F_MORE : 0);
		d->tstamp = due;
		vp->owner[f->seg[i].buf] = VPRIME_OWN_KERNEL;
	}
	p->tx_prod += f->nseg;	/* published by the next sync, [B1] */
	f->nseg = 0;
	vp->stats[VPRIME_LIB_STAT_tx_frames]++;
	return 0;
}

/* ---- statistics --------------------------------------------------------- */

int vprime_port_stats(struct vprime *vp, uint32_t port, uint64_t *val,
		      uint32_t cap)
{
	struct vprime_stats st;
	u32 n;
	int err;

	if (!vprime_port_get(vp, port) || (cap && !val))
		return vprime_bad(vp);
	memset(&st, 0, sizeof(st));
	st.port = port;
	err = vp->ops->ioctl(vp->ctx, VPRIME_IOC_STATS, &st);
	if (err)
		return err;
	if (st.count > VPRIME_STATS_CAP)
		st.count = VPRIME_STATS_CAP;
	n = st.count < cap ? st.count : cap;
	memcpy(val, st.val, n * sizeof(u64));
	return (int)st.count;
}

int vprime_lib_stats(const struct vprime *vp, uint64_t *val, uint32_t cap)
{
	u32 n;

	if (!vp || (cap && !val))
		return -EINVAL;
	n = cap < VPRIME_LIB_STAT_MAX ? cap : VPRIME_LIB_STAT_MAX;
	memcpy(val, vp->stats, n * sizeof(u64));
	return VPRIME_LIB_STAT_MAX;
}

#define VPRIME_NAME_STR(n, d) #n,
#define VPRIME_DESC_STR(n, d) d,
static const char *const vprime_stat_names[] = {
	VPRIME_PORT_STATS(VPRIME_NAME_STR)
};
static const char *const vprime_stat_descs[] = {
	VPRIME_PORT_STATS(VPRIME_DESC_STR)
};
static const char *const vprime_lib_stat_names[] = {
	VPRIME_LIB_STATS(VPRIME_NAME_STR)
};

const char *vprime_stat_name(uint32_t id)
{
	return id < VPRIME_STAT_MAX ? vprime_stat_names[id] : NULL;
}

const char *vprime_stat_desc(uint32_t id)
{
	return id < VPRIME_STAT_MAX ? vprime_stat_descs[id] : NULL;
}

const char *vprime_lib_stat_name(uint32_t id)
{
	return id < VPRIME_LIB_STAT_MAX ? vprime_lib_stat_names[id] : NULL;
}

int vprime_free_bufs(const struct vprime *vp)
{
	return vp ? (int)vp->nr_free : -EINVAL;
}

int vprime_get_opts(const struct vprime *vp, struct vprime_opts *out)
{
	if (!vp || !out)
		return -EINVAL;
	*out = vp->opts;
	return 0;
}
