// SPDX-License-Identifier: MIT
/*
 * vp_area.c - layout of the engine's mmap'd area (vprime_abi.h), computed
 * the same way by the backend, libvprime and the host harness.
 */
#include "vp_sync.h"

#define VP_PAGE 4096ull

static u64 vp_align(u64 v, u64 a)
{
	return (v + a - 1) & ~(a - 1);
}

static bool vp_pow2(u32 v)
{
	return v && !(v & (v - 1));
}

static u32 vp_pow2_ceil(u32 v)
{
	u32 p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* Validate an engine's setup request and lay its area out. */
int vp_area_layout(const struct vprime_setup *setup,
		   struct vprime_area_hdr *hdr)
{
	u64 off, ring_bytes;

	if (setup->abi_version != VPRIME_ABI_VERSION)
		return -EPROTO;
	if (setup->nr_bufs < VPRIME_NR_BUFS_MIN ||
	    setup->nr_bufs > VPRIME_NR_BUFS_MAX ||
	    !vp_pow2(setup->ring_size) ||
	    setup->ring_size < VPRIME_URING_MIN ||
	    setup->ring_size > VPRIME_URING_MAX ||
	    setup->max_ports < 1 || setup->max_ports > VPRIME_PORTS_MAX)
		return -EINVAL;

	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = VPRIME_AREA_MAGIC;
	hdr->abi_version = VPRIME_ABI_VERSION;
	hdr->nr_bufs = setup->nr_bufs;
	hdr->buf_size = VPRIME_BUF_SIZE;
	hdr->ring_size = setup->ring_size;
	/* Fill and completion rings hold every buffer: they never overflow. */
	hdr->pool_ring_size = vp_pow2_ceil(setup->nr_bufs);
	hdr->max_ports = setup->max_ports;

	ring_bytes = sizeof(struct vprime_ring_idx) +
		     (u64)hdr->pool_ring_size * sizeof(u32);
	off = VP_PAGE;
	hdr->off_fill = off;
	off = vp_align(off + ring_bytes, 64);
	hdr->off_comp = off;
	off = vp_align(off + ring_bytes, VP_PAGE);
	hdr->off_ports = off;
	hdr->port_stride = vp_align(VPRIME_PORT_DESC_OFF +
				    2ull * hdr->ring_size *
				    sizeof(struct vprime_edesc), 64);
	off = vp_align(off + hdr->port_stride * hdr->max_ports, VP_PAGE);
	hdr->off_bufs = off;
	off += (u64)hdr->nr_bufs * VPRIME_BUF_SIZE;
	hdr->area_size = vp_align(off, VP_PAGE);
	return 0;
}

/* Point @e into the area at @base, laid out by @hdr (trusted copy). */
void vp_engine_init(struct vp_engine *e, void *base,
		    const struct vprime_area_hdr *hdr)
{
	u8 *b = base;

	memset(e, 0, sizeof(*e));
	e->base = b;
	e->hdr = *hdr;
	e->fill_idx = (struct vprime_ring_idx *)(b + hdr->off_fill);
	e->fill = (u32 *)(e->fill_idx + 1);
	e->comp_idx = (struct vprime_ring_idx *)(b + hdr->off_comp);
	e->comp = (u32 *)(e->comp_idx + 1);
	e->bufs = b + hdr->off_bufs;
}

/*
 * Bind @p to port @port of the area and start both of its rings empty at
 * index 0 (the engine resets its cached indices when its attach returns).
 */
void vp_eport_init(struct vp_eport *p, struct vp_engine *e, u32 port)
{
	u8 *b = e->base + e->hdr.off_ports + (u64)port * e->hdr.port_stride;

	p->info = (struct vprime_port_info *)b;
	p->rx_idx = (struct vprime_ring_idx *)(b + VPRIME_PORT_RX_IDX_OFF);
	p->tx_idx = (struct vprime_ring_idx *)(b + VPRIME_PORT_TX_IDX_OFF);
	p->rx = (struct vprime_edesc *)(b + VPRIME_PORT_DESC_OFF);
	p->tx = p->rx + e->hdr.ring_size;
	p->rx_prod = 0;
	p->tx_cons = 0;
	p->tx_waiting = false;
	p->tx_wait_prod = 0;
	p->tx_wait_ns = 0;
	WRITE_ONCE(p->rx_idx->prod, 0);
	WRITE_ONCE(p->rx_idx->cons, 0);
	WRITE_ONCE(p->tx_idx->prod, 0);
	WRITE_ONCE(p->tx_idx->cons, 0);
}
