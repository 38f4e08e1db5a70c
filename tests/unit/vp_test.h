/* SPDX-License-Identifier: MIT */
/* vp_test.h - what every host unit test includes: cmocka and helpers. */
#ifndef VP_TEST_H
#define VP_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vp_sim.h"

/* An engine's view of a sim file: area + engine struct for ring access. */
struct vp_test_engine {
	struct vp_sim_file *file;
	struct vp_engine e;		/* reused only for its pointers */
	u32 fill_prod;
	u32 comp_cons;
};

/* Fill a frame with a recognisable pattern: dst, src, then seq bytes. */
static inline void vp_test_frame(u8 *buf, u32 len, const u8 dst[6],
				 const u8 src[6], u32 seq)
{
	u32 i;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x88;
	buf[13] = 0xb5;		/* local experimental ethertype */
	for (i = 14; i < len; i++)
		buf[i] = (u8)(seq * 7 + i);
}

static inline struct vp_sim_guest *vp_test_guest(u32 domid, u32 pages,
						 u32 mtu)
{
	struct vp_sim_guest_cfg cfg = {
		.domid = domid, .devid = 0,
		.mac = { 0x00, 0x16, 0x3e, 0, 0, (u8)domid },
		.pool_pages = pages, .mtu = mtu,
	};

	return vp_sim_guest_new(&cfg);
}

/* Open a sim file, set it up and map its area for engine-side access. */
static inline void vp_test_engine_open(struct vp_test_engine *te,
				       struct vp_sim_host *h, u32 nr_bufs,
				       u32 ring_size)
{
	struct vprime_setup s = {
		.abi_version = VPRIME_ABI_VERSION, .nr_bufs = nr_bufs,
		.ring_size = ring_size, .max_ports = 8,
	};
	size_t size;
	void *area;

	memset(te, 0, sizeof(*te));
	te->file = vp_sim_open(h);
	assert_non_null(te->file);
	assert_int_equal(vp_sim_ioctl(te->file, VPRIME_IOC_SETUP, &s), 0);
	area = vp_sim_area(te->file, &size);
	assert_int_equal(size, s.area_size);
	vp_engine_init(&te->e, area, (struct vprime_area_hdr *)area);
}

/* Engine side: give the kernel every buffer id in [first, first+n). */
static inline void vp_test_engine_fill(struct vp_test_engine *te, u32 first,
				       u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		te->e.fill[(te->fill_prod++) & (te->e.hdr.pool_ring_size - 1)] =
			first + i;
	__atomic_store_n(&te->e.fill_idx->prod, te->fill_prod,
			 __ATOMIC_RELEASE);
}

/* Engine side: the rings of port @port, without resetting anything. */
static inline void vp_test_port(struct vp_test_engine *te, u32 port,
				struct vp_eport *p)
{
	u8 *b = te->e.base + te->e.hdr.off_ports + port * te->e.hdr.port_stride;

	memset(p, 0, sizeof(*p));
	p->info = (struct vprime_port_info *)b;
	p->rx_idx = (struct vprime_ring_idx *)(b + VPRIME_PORT_RX_IDX_OFF);
	p->tx_idx = (struct vprime_ring_idx *)(b + VPRIME_PORT_TX_IDX_OFF);
	p->rx = (struct vprime_edesc *)(b + VPRIME_PORT_DESC_OFF);
	p->tx = p->rx + te->e.hdr.ring_size;
}

static inline u32 vp_test_attach(struct vp_test_engine *te, u32 domid)
{
	struct vprime_attach a = { .by = VPRIME_ATTACH_BY_ID, .domid = domid };

	assert_int_equal(vp_sim_ioctl(te->file, VPRIME_IOC_ATTACH, &a), 0);
	return a.port;
}

static inline void vp_test_sync(struct vp_test_engine *te)
{
	struct vprime_sync s = { 0 };

	assert_int_equal(vp_sim_ioctl(te->file, VPRIME_IOC_SYNC, &s), 0);
}

/*
 * Engine side: move every frame on port @from's RX ring to port @to's TX
 * ring by buffer id (zero copy), and recycle completed buffers to fill.
 * Returns frames moved.
 */
static inline u32 vp_test_engine_forward(struct vp_test_engine *te, u32 from,
					 u32 to)
{
	struct vp_eport in, out;
	u32 rs = te->e.hdr.ring_size, moved = 0;
	u32 rx_prod, rx_cons, tx_prod, comp_prod;

	vp_test_port(te, from, &in);
	vp_test_port(te, to, &out);
	rx_prod = __atomic_load_n(&in.rx_idx->prod, __ATOMIC_ACQUIRE);
	rx_cons = in.rx_idx->cons;
	tx_prod = out.tx_idx->prod;
	while (rx_cons != rx_prod &&
	       tx_prod - __atomic_load_n(&out.tx_idx->cons, __ATOMIC_ACQUIRE) < rs) {
		struct vprime_edesc d = in.rx[rx_cons++ & (rs - 1)];

		d.tstamp = 0;
		out.tx[tx_prod++ & (rs - 1)] = d;
		if (!(d.flags & VPRIME_DESC_F_MORE))
			moved++;
	}
	__atomic_store_n(&in.rx_idx->cons, rx_cons, __ATOMIC_RELEASE);
	__atomic_store_n(&out.tx_idx->prod, tx_prod, __ATOMIC_RELEASE);
	/* Completed buffers go straight back to the fill ring. */
	comp_prod = __atomic_load_n(&te->e.comp_idx->prod, __ATOMIC_ACQUIRE);
	while (te->comp_cons != comp_prod) {
		u32 buf = te->e.comp[te->comp_cons++ &
				     (te->e.hdr.pool_ring_size - 1)];

		te->e.fill[(te->fill_prod++) & (te->e.hdr.pool_ring_size - 1)] =
			buf;
	}
	__atomic_store_n(&te->e.comp_idx->cons, te->comp_cons, __ATOMIC_RELEASE);
	__atomic_store_n(&te->e.fill_idx->prod, te->fill_prod, __ATOMIC_RELEASE);
	return moved;
}

/*
 * Two simulated guests (domains 1 and 2) attached to one engine, on a
 * clock the test moves by hand (@now): the fixture of the data-path and
 * readiness tests.  Guest b is @ca with domid 2, the last MAC byte 2 and,
 * when a is named "a", the name "b".
 */
struct vp_test_pair {
	struct vp_sim_host *h;
	struct vp_sim_guest *a, *b;
	struct vp_test_engine te;
	u32 pa, pb;
	u64 now;
};

static inline u64 vp_test_pair_clock(void *arg)
{
	return ((struct vp_test_pair *)arg)->now;
}

static inline struct vp_test_pair *
vp_test_pair_new(const struct vp_sim_guest_cfg *ca, u32 nr_bufs,
		 u32 ring_size, u64 now)
{
	struct vp_test_pair *fx = calloc(1, sizeof(*fx));
	struct vp_sim_guest_cfg cb = *ca;

	assert_non_null(fx);
	cb.domid = 2;
	cb.mac[5] = 2;
	if (ca->name && !strcmp(ca->name, "a"))
		cb.name = "b";
	fx->h = vp_sim_host_new();
	fx->a = vp_sim_guest_new(ca);
	fx->b = vp_sim_guest_new(&cb);
	assert_non_null(fx->a);
	assert_non_null(fx->b);
	fx->now = now;
	vp_sim_host_set_clock(fx->h, vp_test_pair_clock, fx);
	assert_int_equal(vp_sim_host_add(fx->h, fx->a), 0);
	assert_int_equal(vp_sim_host_add(fx->h, fx->b), 0);
	vp_test_engine_open(&fx->te, fx->h, nr_bufs, ring_size);
	fx->pa = vp_test_attach(&fx->te, 1);
	fx->pb = vp_test_attach(&fx->te, 2);
	vp_test_engine_fill(&fx->te, 0, nr_bufs);
	return fx;
}

static inline void vp_test_pair_free(struct vp_test_pair *fx)
{
	vp_sim_close(fx->te.file);
	vp_sim_guest_free(fx->a);
	vp_sim_guest_free(fx->b);
	vp_sim_host_free(fx->h);
	free(fx);
}

#endif /* VP_TEST_H */
