// SPDX-License-Identifier: GPL-2.0
/*
 * vprime-selftest.ko - runs common/'s data path inside the kernel at load:
 * two guests in kernel memory, an engine area, frames both ways, a hostile
 * descriptor and a fatal chain, and the value parsers.  It proves the same
 * objects that vprime-back and vprime-front link behave in kernel context.
 * Prints "vprime-selftest: N passed, M failed"; loads either way.
 */
#define pr_fmt(fmt) "vprime-selftest: " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vp_front.h"
#include "vp_sync.h"
#include "vp_parse.h"
#include "vp_xenbus.h"

#define ST_POOL_PAGES VPRIME_POOL_PAGES_MIN
#define ST_SLOTS (ST_POOL_PAGES * VPRIME_SLOTS_PER_PAGE)

static unsigned int vp_st_passed, vp_st_failed;

#define VP_ST_CHECK(cond)						\
	do {								\
		if (cond) {						\
			vp_st_passed++;					\
		} else {						\
			vp_st_failed++;					\
			pr_err("check failed: %s (line %d)\n", #cond,	\
			       __LINE__);				\
		}							\
	} while (0)

struct vp_st_guest {
	void *mem;
	void *tx_pages[ST_POOL_PAGES];
	void *rx_pages[ST_POOL_PAGES];
	struct vprime_desc *ring[VPRIME_NR_RINGS];
	struct vp_front front;
	struct vp_front_mem fmem;
	struct vp_guest dom0;
	u64 stats[VPRIME_STAT_MAX];
	u32 tx_free[ST_SLOTS], rx_free[ST_SLOTS];
	u8 tx_owner[ST_SLOTS], rx_owner[ST_SLOTS];
};

static int vp_st_guest_init(struct vp_st_guest *g)
{
	u32 pages = 1 + VPRIME_NR_RINGS + 2 * ST_POOL_PAGES, i;
	struct vp_conn_params *cp;
	const char *why;
	u8 *m;
	int err;

	g->mem = vzalloc(pages * PAGE_SIZE);
	cp = kzalloc(sizeof(*cp), GFP_KERNEL);
	if (!g->mem || !cp) {
		kfree(cp);
		return -ENOMEM;
	}
	m = g->mem;
	for (i = 0; i < VPRIME_NR_RINGS; i++)
		g->ring[i] = (struct vprime_desc *)(m + (1 + i) * PAGE_SIZE);
	for (i = 0; i < ST_POOL_PAGES; i++) {
		g->tx_pages[i] = m + (1 + VPRIME_NR_RINGS + i) * PAGE_SIZE;
		g->rx_pages[i] = m + (1 + VPRIME_NR_RINGS + ST_POOL_PAGES + i) *
					     PAGE_SIZE;
	}
	g->fmem = (struct vp_front_mem){ g->tx_free, g->tx_owner, g->rx_free,
					 g->rx_owner };
	vp_front_ctrl_init(g->mem, ST_POOL_PAGES, ST_POOL_PAGES);
	vp_front_init(&g->front, g->mem, g->ring, g->tx_pages, ST_POOL_PAGES,
		      g->rx_pages, ST_POOL_PAGES, 9018, &g->fmem);
	err = vp_ctrl_read(g->mem, ST_POOL_PAGES, ST_POOL_PAGES,
			   VPRIME_POOL_PAGES_MAX, cp, &why);
	kfree(cp);
	if (err)
		return err;
	vp_guest_init(&g->dom0, g->mem, g->ring, g->tx_pages, ST_POOL_PAGES,
		      g->rx_pages, ST_POOL_PAGES, 9018, g->stats);
	vp_front_fill(&g->front);
	return 0;
}

/* Engine: move port 0's RX frames to port 1's TX, recycle completions. */
static void vp_st_engine(struct vp_engine *e, struct vp_eport *in,
			 struct vp_eport *out, u32 *fill_prod, u32 *comp_cons)
{
	u32 rs = e->hdr.ring_size, pr = e->hdr.pool_ring_size;

	while (in->rx_idx->cons != READ_ONCE(in->rx_idx->prod)) {
		out->tx[out->tx_idx->prod++ & (rs - 1)] =
			in->rx[in->rx_idx->cons++ & (rs - 1)];
	}
	while (*comp_cons != READ_ONCE(e->comp_idx->prod))
		e->fill[(*fill_prod)++ & (pr - 1)] =
			e->comp[(*comp_cons)++ & (pr - 1)];
	e->comp_idx->cons = *comp_cons;
	e->fill_idx->prod = *fill_prod;
}

static void vp_st_datapath(void)
{
	struct vprime_setup s = { .abi_version = VPRIME_ABI_VERSION,
				  .nr_bufs = 256, .ring_size = 64,
				  .max_ports = 2 };
	struct vp_st_guest *a, *b;
	struct vprime_area_hdr hdr;
	struct vp_engine *e;
	struct vp_eport pa, pb;
	struct vp_sync_res res;
	u32 fill_prod = 0, comp_cons = 0, got = 0, i, round;
	static u8 frame[9018];
	struct vp_frame fr;
	void *area = NULL;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	VP_ST_CHECK(a && b && e);
	if (!a || !b || !e)
		goto out;
	VP_ST_CHECK(vp_st_guest_init(a) == 0);
	VP_ST_CHECK(vp_st_guest_init(b) == 0);
	VP_ST_CHECK(vp_area_layout(&s, &hdr) == 0);
	area = vzalloc(hdr.area_size);
	if (!area || !a->mem || !b->mem)
		goto out;
	memcpy(area, &hdr, sizeof(hdr));
	vp_engine_init(e, area, &hdr);
	vp_eport_init(&pa, e, 0);
	vp_eport_init(&pb, e, 1);
	for (i = 0; i < s.nr_bufs; i++)
		e->fill[fill_prod++] = i;
	e->fill_idx->prod = fill_prod;

	/* 100 rounds of 3 frames (64, 1500 and 9018 bytes) a -> b */
	for (round = 0; round < 100; round++) {
		for (i = 0; i < 3; i++) {
			u32 len = i == 0 ? 64 : i == 1 ? 1500 : 9018;

			memset(frame, round + i, len);
			vp_front_txc_reap(&a->front);
			VP_ST_CHECK(vp_front_tx_frame(&a->front, frame, len,
						      0) == 0);
		}
		vp_front_tx_push(&a->front);
		vp_sync_from_guest(&a->dom0, e, &pa, 64, round, &res);
		vp_st_engine(e, &pa, &pb, &fill_prod, &comp_cons);
		vp_sync_to_guest(&b->dom0, e, &pb, 64, round, b->stats, &res);
		while (vp_front_rx_next(&b->front, &fr) == 1) {
			u32 n = vp_front_rx_copy(&b->front, &fr, frame,
						 sizeof(frame));

			if (!fr.bad && (n == 64 || n == 1500 || n == 9018) &&
			    frame[n - 1] == (u8)(round + got % 3))
				got++;
			vp_front_rx_release(&b->front, &fr);
		}
		vp_front_rx_commit(&b->front);
		vp_front_fill(&b->front);
	}
	VP_ST_CHECK(got == 300);
	VP_ST_CHECK(a->stats[VPRIME_STAT_rx_frames] == 300);
	VP_ST_CHECK(b->stats[VPRIME_STAT_tx_frames] == 300);

	/* A hostile slot number is dropped and counted, not followed. */
	a->ring[VPRIME_RING_TX][a->front.tx_prod & (VPRIME_RING_SIZE - 1)] =
		(struct vprime_desc){ .slot = 0x7fffffff, .len = 64 };
	a->front.tx_prod++;
	a->front.tx_pub = a->front.tx_prod;
	WRITE_ONCE(a->dom0.ctrl->ring[VPRIME_RING_TX].prod, a->front.tx_prod);
	vp_sync_from_guest(&a->dom0, e, &pa, 64, 0, &res);
	VP_ST_CHECK(a->stats[VPRIME_STAT_guest_bad_slot] == 1);
	VP_ST_CHECK(!a->dom0.broken);
	/* An index far ahead marks the guest broken. */
	WRITE_ONCE(a->dom0.ctrl->ring[VPRIME_RING_TX].prod,
		   a->front.tx_prod + 4096);
	vp_sync_from_guest(&a->dom0, e, &pa, 64, 0, &res);
	VP_ST_CHECK(a->dom0.broken);
out:
	vfree(area);
	if (a)
		vfree(a->mem);
	if (b)
		vfree(b->mem);
	kfree(a);
	kfree(b);
	kfree(e);
}

static void vp_st_parsers(void)
{
	u8 mac[6];
	u32 v;

	VP_ST_CHECK(vp_parse_u32("256", 3, 1, 256, &v) == 0 && v == 256);
	VP_ST_CHECK(vp_parse_u32("257", 3, 1, 256, &v) == -ERANGE);
	VP_ST_CHECK(vp_parse_mac("00:16:3e:00:00:01", 17, mac) == 0);
	VP_ST_CHECK(vp_parse_mac("ff:16:3e:00:00:01", 17, mac) == -EINVAL);
	VP_ST_CHECK(vp_xb_front_on_back(VP_XB_CONNECTED, VP_XB_INITWAIT) ==
		    VP_XB_ACT_RESET);
}

static int __init vp_selftest_init(void)
{
	vp_st_datapath();
	vp_st_parsers();
	pr_info("%u passed, %u failed\n", vp_st_passed, vp_st_failed);
	return 0;
}

static void __exit vp_selftest_exit(void)
{
}

module_init(vp_selftest_init);
module_exit(vp_selftest_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vprime common/ data path self-test");
