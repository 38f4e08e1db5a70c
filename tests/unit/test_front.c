// SPDX-License-Identifier: MIT
/*
 * The guest side (vp_front) against a hostile backend: slots it never
 * posted, duplicates, bad extents, zero length, over-long chains, insane
 * indices.  The guest counts and drops, and never touches memory outside
 * its pools.
 */
#include "vp_test.h"
#include "vp_hist.h"

static struct vp_sim_guest *guest(u32 mtu)
{
	struct vp_sim_guest_cfg cfg = {
		.domid = 1, .mac = { 0, 0x16, 0x3e, 0, 0, 1 }, .mtu = mtu,
	};
	struct vp_sim_guest *g = vp_sim_guest_new(&cfg);

	assert_non_null(g);
	return g;
}

/* Play a hostile backend: write RX descriptors and publish them. */
static void backend_rx(struct vp_sim_guest *g, const struct vprime_desc *d,
		       u32 n)
{
	u32 prod = g->ctrl->ring[VPRIME_RING_RX].prod;

	for (u32 i = 0; i < n; i++)
		g->ring[VPRIME_RING_RX][(prod + i) & (VPRIME_RING_SIZE - 1)] =
			d[i];
	g->ctrl->ring[VPRIME_RING_RX].prod = prod + n;
}

static void test_rx_good_frame(void **state)
{
	struct vp_sim_guest *g = guest(1500);
	/* FILL holds slots 0..255 in order; the backend uses slot 0 */
	const struct vprime_desc d = { .slot = g->ring[VPRIME_RING_FILL][0].slot,
				       .off = 10, .len = 60 };
	u8 buf[100];

	(void)state;
	memset(vp_pool_slot(&g->front.rx_pool, d.slot) + 10, 0xab, 60);
	backend_rx(g, &d, 1);
	assert_int_equal(vp_sim_guest_recv(g, buf, sizeof(buf)), 60);
	assert_int_equal(buf[0], 0xab);
	assert_int_equal(buf[59], 0xab);
	vp_sim_guest_free(g);
}

static void test_rx_hostile_descriptors(void **state)
{
	struct vp_sim_guest *g = guest(1500);
	u32 s0 = g->ring[VPRIME_RING_FILL][0].slot;
	u32 s1 = g->ring[VPRIME_RING_FILL][1].slot;
	u32 s2 = g->ring[VPRIME_RING_FILL][2].slot;
	const struct vprime_desc bad[] = {
		{ .slot = 100000, .len = 60 },		/* out of range */
		{ .slot = g->front.rx_free[0], .len = 60 },	/* never posted */
		{ .slot = s0, .off = 2040, .len = 60 },	/* extent */
		{ .slot = s0, .len = 60 },		/* s0 again: duplicate */
		{ .slot = s1, .len = 0 },		/* zero length */
		{ .slot = s2, .len = 2048, .flags = VPRIME_DESC_F_MORE },
		{ .slot = g->ring[VPRIME_RING_FILL][3].slot, .len = 2048 },
	};
	u8 buf[64];

	(void)state;
	backend_rx(g, bad, sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(vp_sim_guest_recv(g, buf, sizeof(buf)), 0);
	assert_int_equal(g->front.stats[VP_FRONT_STAT_be_bad_slot], 3);
	assert_int_equal(g->front.stats[VP_FRONT_STAT_be_bad_extent], 1);
	assert_int_equal(g->front.stats[VP_FRONT_STAT_be_zero_len], 1);
	assert_int_equal(g->front.stats[VP_FRONT_STAT_be_oversize], 1);
	assert_false(g->front.broken);
	/* Each slot is owned once: the pool accounting still adds up. */
	{
		u32 held = 0, n = g->front.rx_pool.nr_slots;
		u8 *seen = calloc(n, 1);

		for (u32 i = 0; i < n; i++)
			held += g->front.rx_owner[i] == VP_SLOT_BACKEND;
		for (u32 i = 0; i < g->front.rx_nfree; i++) {
			u32 s = g->front.rx_free[i];

			assert_true(s < n);
			assert_int_equal(seen[s]++, 0);
			assert_int_equal(g->front.rx_owner[s], VP_SLOT_GUEST);
		}
		assert_int_equal(held + g->front.rx_nfree, n);
		free(seen);
	}
	vp_sim_guest_free(g);
}

static void test_rx_chain_too_long_is_fatal(void **state)
{
	struct vp_sim_guest *g = guest(9000);
	struct vprime_desc chain[VPRIME_MAX_SLOTS + 1];
	u8 buf[64];

	(void)state;
	for (u32 i = 0; i <= VPRIME_MAX_SLOTS; i++)
		chain[i] = (struct vprime_desc){
			.slot = g->ring[VPRIME_RING_FILL][i].slot, .len = 100,
			.flags = VPRIME_DESC_F_MORE };
	backend_rx(g, chain, VPRIME_MAX_SLOTS + 1);
	assert_int_equal(vp_sim_guest_recv(g, buf, sizeof(buf)), -EIO);
	assert_true(g->front.broken);
	assert_false(vp_front_carrier(&g->front));
	vp_sim_guest_free(g);
}

static void test_rx_partial_frame_is_fatal(void **state)
{
	struct vp_sim_guest *g = guest(9000);
	const struct vprime_desc half = {
		.slot = g->ring[VPRIME_RING_FILL][0].slot, .len = 100,
		.flags = VPRIME_DESC_F_MORE };
	u8 buf[64];

	(void)state;
	backend_rx(g, &half, 1);
	assert_int_equal(vp_sim_guest_recv(g, buf, sizeof(buf)), -EIO);
	assert_int_equal(g->front.stats[VP_FRONT_STAT_be_partial_frame], 1);
	/* A broken device reports no work: the driver does not spin. */
	assert_false(vp_front_arm(&g->front));
	vp_sim_guest_free(g);
}

static void test_bad_backend_indices(void **state)
{
	struct vp_sim_guest *g = guest(1500);
	u8 buf[64];

	(void)state;
	g->ctrl->ring[VPRIME_RING_RX].prod = 5000;
	assert_int_equal(vp_sim_guest_recv(g, buf, sizeof(buf)), -EIO);
	assert_int_equal(g->front.stats[VP_FRONT_STAT_be_bad_index], 1);
	vp_sim_guest_free(g);

	g = guest(1500);
	g->ctrl->ring[VPRIME_RING_TXC].prod = 0x90000000u;
	assert_int_equal(vp_front_txc_reap(&g->front), 0);
	assert_true(g->front.broken);
	vp_sim_guest_free(g);

	g = guest(1500);
	g->ctrl->ring[VPRIME_RING_TX].cons = 77;	/* consumed unsent */
	assert_int_equal(vp_front_tx_room(&g->front), 0);
	assert_true(g->front.broken);
	vp_sim_guest_free(g);
}

static void test_txc_hostile_slots(void **state)
{
	struct vp_sim_guest *g = guest(1500);
	u8 frame[64] = { 0 };

	(void)state;
	assert_int_equal(vp_sim_guest_send(g, frame, 64), 0);
	/* The backend returns the sent slot twice and one never sent. */
	g->ring[VPRIME_RING_TXC][0].slot = 0;
	g->ring[VPRIME_RING_TXC][1].slot = 0;
	g->ring[VPRIME_RING_TXC][2].slot = 77;
	g->ctrl->ring[VPRIME_RING_TXC].prod = 3;
	assert_int_equal(vp_front_txc_reap(&g->front), 1);
	assert_int_equal(g->front.stats[VP_FRONT_STAT_be_bad_slot], 2);
	assert_int_equal(g->front.tx_nfree, g->front.tx_pool.nr_slots);
	vp_sim_guest_free(g);
}

/* lat_tx: a stamped frame counts once when its slot comes back on TXC. */
static void test_txc_latency(void **state)
{
	struct vp_sim_guest *g = guest(1500);
	u64 *stamp = calloc(g->front.tx_pool.nr_slots, sizeof(u64));
	u64 hist[VP_HIST_NR] = { 0 };
	u8 frame[64] = { 0 };

	(void)state;
	assert_non_null(stamp);
	g->front.tx_stamp = stamp;
	assert_int_equal(vp_front_tx_frame(&g->front, frame, 64, 0), 0);
	vp_front_tx_stamp(&g->front, 0, 1000);
	vp_front_tx_stamp(&g->front, 100000, 1000);	/* out of range: ignored */
	/* Slot 0 back twice (the second is refused), and one unstamped. */
	g->ring[VPRIME_RING_TXC][0].slot = 0;
	g->ring[VPRIME_RING_TXC][1].slot = 0;
	g->ctrl->ring[VPRIME_RING_TXC].prod = 2;
	assert_int_equal(vp_front_txc_reap_lat(&g->front, 6000, hist), 1);
	assert_int_equal(hist[vp_hist_bucket(5000)], 1);
	assert_int_equal(vp_hist_total(hist), 1);
	assert_int_equal(stamp[0], 0);
	/* Sent again but not stamped: its completion counts nothing. */
	assert_int_equal(vp_front_tx_frame(&g->front, frame, 64, 0), 0);
	g->ring[VPRIME_RING_TXC][2].slot = 0;
	g->ctrl->ring[VPRIME_RING_TXC].prod = 3;
	assert_int_equal(vp_front_txc_reap_lat(&g->front, 9000, hist), 1);
	assert_int_equal(vp_hist_total(hist), 1);
	g->front.tx_stamp = NULL;
	free(stamp);
	vp_sim_guest_free(g);
}

static void test_tx_limits(void **state)
{
	struct vp_sim_guest *g = guest(1500);
	static u8 frame[VPRIME_FRAME_MAX];

	(void)state;
	assert_int_equal(vp_front_tx_frame(&g->front, frame, 13, 0), -EMSGSIZE);
	assert_int_equal(vp_front_tx_frame(&g->front, frame, 1519, 0),
			 -EMSGSIZE);
	assert_int_equal(vp_front_tx_frame(&g->front, frame, 1518, 0), 0);
	vp_sim_guest_free(g);
}

static void test_ctrl_page_zeroed(void **state)
{
	struct vp_sim_guest *g = guest(1500);
	const u8 *p = (const u8 *)g->ctrl;

	(void)state;
	/* Only the header and the backend's carrier word may be non-zero
	 * (the sim does not grant refs), nothing stale (XSA-403). */
	for (u32 i = 16; i < VPRIME_PAGE_SIZE; i++)
		if (i < 128 || i >= 640)
			assert_int_equal(p[i], 0);
	vp_sim_guest_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_good_frame),
		cmocka_unit_test(test_rx_hostile_descriptors),
		cmocka_unit_test(test_rx_chain_too_long_is_fatal),
		cmocka_unit_test(test_rx_partial_frame_is_fatal),
		cmocka_unit_test(test_bad_backend_indices),
		cmocka_unit_test(test_txc_hostile_slots),
		cmocka_unit_test(test_txc_latency),
		cmocka_unit_test(test_tx_limits),
		cmocka_unit_test(test_ctrl_page_zeroed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
