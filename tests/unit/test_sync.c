// SPDX-License-Identifier: MIT
/*
 * dom0's data path (vp_sync) between simulated guests and an engine:
 * delivery, chains, wrap-around, every malformed-input class a guest can
 * produce, back-pressure, engine faults, pacing and notification counts.
 */
#include <pthread.h>

#include "vp_test.h"
#include "vp_hist.h"

#define NR_BUFS 1024

static struct vp_test_pair *fixture_new(u32 mtu, u32 index_base)
{
	struct vp_sim_guest_cfg ca = {
		.domid = 1, .mac = { 0, 0x16, 0x3e, 0, 0, 1 }, .mtu = mtu,
		.index_base = index_base, .name = "a",
	};

	return vp_test_pair_new(&ca, NR_BUFS, 256, 1000);
}

/* One engine round: sync in, forward a->b, sync out. */
static void round_trip(struct vp_test_pair *fx)
{
	vp_test_sync(&fx->te);
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);
	vp_test_sync(&fx->te);
}

/* Send @n frames of @len from a, forward, check b got them intact. */
static void send_and_check(struct vp_test_pair *fx, u32 n, u32 len)
{
	static u8 out[VPRIME_FRAME_MAX], in[VPRIME_FRAME_MAX];
	u32 sent = 0, got = 0, rounds = 0;

	while (got < n && rounds++ < 100000) {
		while (sent < n) {
			vp_test_frame(out, len, fx->b->cfg.mac, fx->a->cfg.mac,
				      sent);
			if (vp_sim_guest_send(fx->a, out, len))
				break;
			sent++;
		}
		round_trip(fx);
		for (;;) {
			int r = vp_sim_guest_recv(fx->b, in, sizeof(in));

			if (r <= 0)
				break;
			assert_int_equal(r, len);
			vp_test_frame(out, len, fx->b->cfg.mac, fx->a->cfg.mac,
				      got);
			assert_memory_equal(in, out, len);
			got++;
		}
	}
	assert_int_equal(got, n);
}

static void test_deliver_sizes(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	const u32 sizes[] = { 14, 60, 64, 512, 1500, 1514, 1518 };

	(void)state;
	for (u32 i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		send_and_check(fx, 300, sizes[i]);
	assert_int_equal(fx->a->stats[VPRIME_STAT_rx_frames], 2100);
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_frames], 2100);
	assert_int_equal(fx->a->stats[VPRIME_STAT_guest_bad_slot], 0);
	vp_test_pair_free(fx);
}

static void test_jumbo_chains(void **state)
{
	struct vp_test_pair *fx = fixture_new(9000, 0);

	(void)state;
	send_and_check(fx, 200, 9018);
	send_and_check(fx, 50, 2049);
	send_and_check(fx, 50, 4096);
	vp_test_pair_free(fx);
}

static void test_wrap_near_u32_max(void **state)
{
	struct vp_test_pair *fx = fixture_new(9000, 0xffffffffu - 300);

	(void)state;
	send_and_check(fx, 2000, 64);
	send_and_check(fx, 300, 9018);
	assert_true(fx->a->front.tx_prod < 100000);	/* it wrapped */
	vp_test_pair_free(fx);
}

static void test_timestamp_and_flags(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	u8 frame[64];
	struct vprime_edesc *rx;
	u8 *port = fx->te.e.base + fx->te.e.hdr.off_ports +
		   fx->pa * fx->te.e.hdr.port_stride;

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	assert_int_equal(vp_front_tx_frame(&fx->a->front, frame, 64,
					   VPRIME_DESC_F_CSUM_BLANK), 0);
	vp_front_tx_push(&fx->a->front);
	fx->now = 123456789;
	vp_test_sync(&fx->te);
	rx = (struct vprime_edesc *)(port + VPRIME_PORT_DESC_OFF);
	assert_int_equal(rx[0].tstamp, 123456789);
	assert_int_equal(rx[0].len, 64);
	assert_int_equal(rx[0].flags, VPRIME_DESC_F_CSUM_BLANK);
	vp_test_pair_free(fx);
}

/* Write raw TX descriptors as a hostile guest, bypassing vp_front. */
static void hostile_tx(struct vp_sim_guest *g, const struct vprime_desc *d,
		       u32 n)
{
	for (u32 i = 0; i < n; i++)
		g->ring[VPRIME_RING_TX][(g->front.tx_prod + i) &
					(VPRIME_RING_SIZE - 1)] = d[i];
	g->front.tx_prod += n;
	g->front.tx_pub = g->front.tx_prod;
	g->ctrl->ring[VPRIME_RING_TX].prod = g->front.tx_prod;
}

static void test_bad_descriptors_dropped_and_counted(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	const struct vprime_desc bad[] = {
		{ .slot = 512, .len = 64 },			/* slot range */
		{ .slot = 0xffffffffu, .len = 64 },
		{ .slot = 1, .off = 2000, .len = 64 },		/* extent */
		{ .slot = 1, .off = 0, .len = 2049 },
		{ .slot = 1, .off = 0xffff, .len = 0xffff },
		{ .slot = 2, .len = 0 },			/* zero length */
		{ .slot = 3, .len = 10 },			/* runt */
		{ .slot = 4, .len = 2048, .flags = VPRIME_DESC_F_MORE },
		{ .slot = 5, .len = 2048 },			/* oversize */
	};
	u64 *st = fx->a->stats;

	(void)state;
	hostile_tx(fx->a, bad, sizeof(bad) / sizeof(bad[0]));
	round_trip(fx);
	assert_int_equal(st[VPRIME_STAT_guest_bad_slot], 2);
	assert_int_equal(st[VPRIME_STAT_guest_bad_extent], 3);
	assert_int_equal(st[VPRIME_STAT_guest_zero_len], 1);
	assert_int_equal(st[VPRIME_STAT_guest_runt], 1);
	assert_int_equal(st[VPRIME_STAT_guest_oversize], 1);
	assert_int_equal(st[VPRIME_STAT_rx_frames], 0);
	assert_false(fx->a->dom0.broken);
	/* Every slot came back on TXC, and good traffic still flows. */
	assert_int_equal(fx->a->ctrl->ring[VPRIME_RING_TXC].prod, 9);
	fx->a->front.tx_nfree = 0;	/* the hostile writes bypassed it */
	for (u32 s = 0; s < fx->a->front.tx_pool.nr_slots; s++) {
		fx->a->front.tx_owner[s] = VP_SLOT_GUEST;
		fx->a->front.tx_free[fx->a->front.tx_nfree++] = s;
	}
	fx->a->front.txc_cons = fx->a->ctrl->ring[VPRIME_RING_TXC].prod;
	fx->a->ctrl->ring[VPRIME_RING_TXC].cons = fx->a->front.txc_cons;
	send_and_check(fx, 100, 100);
	vp_test_pair_free(fx);
}

static void test_too_many_slots_is_fatal(void **state)
{
	struct vp_test_pair *fx = fixture_new(9000, 0);
	struct vprime_desc chain[VPRIME_MAX_SLOTS + 1];

	(void)state;
	for (u32 i = 0; i < VPRIME_MAX_SLOTS + 1; i++)
		chain[i] = (struct vprime_desc){ .slot = i, .len = 100,
						 .flags = VPRIME_DESC_F_MORE };
	hostile_tx(fx->a, chain, VPRIME_MAX_SLOTS + 1);
	round_trip(fx);
	assert_true(fx->a->dom0.broken);
	assert_int_equal(fx->a->stats[VPRIME_STAT_guest_too_many_slots], 1);
	/* A broken guest is left alone; the others are unaffected. */
	round_trip(fx);
	assert_int_equal(fx->a->stats[VPRIME_STAT_guest_too_many_slots], 1);
	vp_test_engine_forward(&fx->te, fx->pb, fx->pb);
	vp_test_pair_free(fx);
}

static void test_partial_frame_is_fatal(void **state)
{
	struct vp_test_pair *fx = fixture_new(9000, 0);
	const struct vprime_desc half[] = {
		{ .slot = 0, .len = 2048, .flags = VPRIME_DESC_F_MORE },
		{ .slot = 1, .len = 2048, .flags = VPRIME_DESC_F_MORE },
	};

	(void)state;
	/* Published with MORE on its last descriptor: never completes. */
	hostile_tx(fx->a, half, 2);
	round_trip(fx);
	assert_true(fx->a->dom0.broken);
	assert_int_equal(fx->a->stats[VPRIME_STAT_guest_partial_frame], 1);
	/* Nothing pending any more: the engine is not kept polling. */
	assert_false(vp_guest_pending(&fx->a->dom0));
	assert_false(vp_sim_pending(fx->te.file));
	vp_test_pair_free(fx);
}

static void test_bad_indices_are_fatal(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	u8 frame[64];

	(void)state;
	/* prod far ahead of cons */
	fx->a->ctrl->ring[VPRIME_RING_TX].prod = 100000;
	vp_test_sync(&fx->te);
	assert_true(fx->a->dom0.broken);
	assert_int_equal(fx->a->stats[VPRIME_STAT_guest_bad_index], 1);

	/* b: prod moved backwards after traffic */
	send_and_check(fx, 0, 64);
	vp_test_frame(frame, 64, fx->a->cfg.mac, fx->b->cfg.mac, 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(vp_sim_guest_send(fx->b, frame, 64), 0);
	vp_test_sync(&fx->te);
	assert_false(fx->b->dom0.broken);
	fx->b->ctrl->ring[VPRIME_RING_TX].prod = 3;
	vp_test_sync(&fx->te);
	assert_true(fx->b->dom0.broken);
	vp_test_pair_free(fx);
}

static void test_bad_rx_side_indices(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);

	(void)state;
	fx->b->ctrl->ring[VPRIME_RING_FILL].prod = 0x80000000u;
	send_and_check(fx, 0, 64);
	{
		u8 frame[64];

		vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
		assert_int_equal(vp_sim_guest_send(fx->a, frame, 64), 0);
	}
	round_trip(fx);
	assert_true(fx->b->dom0.broken);
	assert_int_equal(fx->b->stats[VPRIME_STAT_guest_bad_index], 1);
	/* Frames for a broken guest are dropped and their buffers recycled. */
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_drop_gone], 1);
	vp_test_pair_free(fx);
}

static void test_bad_fill_slots(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	struct vp_sim_guest *b = fx->b;
	u8 frame[64];

	(void)state;
	/* Corrupt three posted FILL entries. */
	b->ring[VPRIME_RING_FILL][0].slot = 9999;
	b->ring[VPRIME_RING_FILL][1].slot = 0xffffffffu;
	b->ring[VPRIME_RING_FILL][2].slot = 512;
	vp_test_frame(frame, 64, b->cfg.mac, fx->a->cfg.mac, 0);
	assert_int_equal(vp_sim_guest_send(fx->a, frame, 64), 0);
	round_trip(fx);
	assert_int_equal(b->stats[VPRIME_STAT_guest_bad_slot], 3);
	assert_int_equal(b->stats[VPRIME_STAT_tx_frames], 1);
	vp_test_pair_free(fx);
}

static void test_engine_stops_consuming(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	u8 frame[64];
	u32 sent = 0;

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	/* The engine syncs but never drains its RX ring. */
	for (int round = 0; round < 50; round++) {
		while (vp_sim_guest_send(fx->a, frame, 64) == 0)
			sent++;
		vp_test_sync(&fx->te);
	}
	/* dom0 holds at most one engine ring of frames; the rest wait in
	 * the guest's own ring, which pushes back on the guest. */
	assert_int_equal(fx->a->stats[VPRIME_STAT_rx_frames], 256);
	assert_true(fx->a->stats[VPRIME_STAT_rx_stall_ring_full] > 0);
	assert_true(sent <= 256 + VPRIME_RING_SIZE);
	assert_int_equal(vp_sim_guest_send(fx->a, frame, 64), -EAGAIN);
	assert_true(fx->a->front.stats[VP_FRONT_STAT_tx_ring_full] > 0);
	vp_test_pair_free(fx);
}

static void test_engine_gives_no_buffers(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	u8 frame[64];

	(void)state;
	/* Take every buffer back: fill ring consumed, none returned. */
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	for (int i = 0; i < 5000; i++) {
		if (vp_sim_guest_send(fx->a, frame, 64) == 0)
			continue;
		vp_test_sync(&fx->te);
		/* drain the engine RX ring without recycling buffers */
		struct vprime_ring_idx *ri = (struct vprime_ring_idx *)(
			fx->te.e.base + fx->te.e.hdr.off_ports +
			fx->pa * fx->te.e.hdr.port_stride +
			VPRIME_PORT_RX_IDX_OFF);
		ri->cons = ri->prod;
	}
	assert_int_equal(fx->a->stats[VPRIME_STAT_rx_frames], NR_BUFS);
	assert_true(fx->a->stats[VPRIME_STAT_rx_stall_no_buf] > 0);
	vp_test_pair_free(fx);
}

static void test_guest_stops_receiving(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	u8 frame[64];
	u32 delivered;

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	for (int round = 0; round < 40; round++) {
		while (vp_sim_guest_send(fx->a, frame, 64) == 0)
			;
		round_trip(fx);	/* b never calls recv: FILL never refilled */
	}
	delivered = (u32)fx->b->stats[VPRIME_STAT_tx_frames];
	assert_int_equal(delivered, VPRIME_RING_SIZE);
	assert_true(fx->b->stats[VPRIME_STAT_tx_stall_no_fill] > 0);
	/* Nothing dropped: the engine still holds the rest, bounded. */
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_drop_gone], 0);
	vp_test_pair_free(fx);
}

static void test_guest_stops_reaping_txc(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	u8 frame[64];

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	/* Queue frames without ever reaping TXC, through the raw API. */
	for (int round = 0; round < 4; round++) {
		while (vp_front_tx_frame(&fx->a->front, frame, 64, 0) == 0)
			;
		vp_front_tx_push(&fx->a->front);
		round_trip(fx);
	}
	assert_true(fx->a->stats[VPRIME_STAT_rx_stall_txc_full] > 0);
	assert_int_equal(fx->a->ctrl->ring[VPRIME_RING_TXC].prod,
			 VPRIME_RING_SIZE);
	vp_test_pair_free(fx);
}

static void test_engine_faults_counted(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	struct vp_test_engine *te = &fx->te;
	struct vp_eport pb;
	struct vprime_ring_idx *tx_idx;
	struct vprime_edesc *tx;

	(void)state;
	vp_test_port(te, fx->pb, &pb);
	tx_idx = pb.tx_idx;
	tx = pb.tx;
	tx[0] = (struct vprime_edesc){ .buf = NR_BUFS + 5, .len = 64 };
	tx[1] = (struct vprime_edesc){ .buf = 7, .len = 0 };
	tx[2] = (struct vprime_edesc){ .buf = 8, .len = 4000 };
	tx[3] = (struct vprime_edesc){ .buf = 9, .len = 64 };
	tx_idx->prod = 4;
	vp_test_sync(te);
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_drop_bad], 3);
	assert_int_equal(fx->b->stats[VPRIME_STAT_engine_bad_buf], 1);
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_frames], 1);
	/* An insane engine index is refused, not followed. */
	tx_idx->prod = 4 + 100000;
	vp_test_sync(te);
	assert_int_equal(fx->b->stats[VPRIME_STAT_engine_bad_index], 1);
	vp_test_pair_free(fx);
}

static void test_paced_delivery(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	struct vp_test_engine *te = &fx->te;
	struct vp_eport pb;
	struct vprime_ring_idx *tx_idx;
	struct vprime_edesc *tx;
	u8 buf[64];

	(void)state;
	vp_test_port(te, fx->pb, &pb);
	tx_idx = pb.tx_idx;
	tx = pb.tx;
	vp_test_frame(te->e.bufs + 3 * VPRIME_BUF_SIZE, 64, fx->b->cfg.mac,
		      fx->a->cfg.mac, 1);
	tx[0] = (struct vprime_edesc){ .buf = 3, .len = 64, .tstamp = 5000 };
	tx_idx->prod = 1;
	fx->now = 4999;
	vp_test_sync(te);
	assert_int_equal(vp_sim_guest_recv(fx->b, buf, sizeof(buf)), 0);
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_deferred], 1);
	fx->now = 5000;
	vp_test_sync(te);
	assert_int_equal(vp_sim_guest_recv(fx->b, buf, sizeof(buf)), 64);
	vp_test_pair_free(fx);
}

/*
 * lat_to_guest: a timed frame counts from its due time, an untimed one
 * from the first pass that left it waiting (here behind a timed one).
 */
static void test_lat_to_guest(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	struct vp_test_engine *te = &fx->te;
	const u64 *h = &fx->b->stats[VPRIME_STAT_lat_to_guest_le_1us];
	struct vp_eport pb;
	u8 buf[64];
	u32 i;

	(void)state;
	vp_test_port(te, fx->pb, &pb);
	for (i = 3; i < 6; i++)
		vp_test_frame(te->e.bufs + i * VPRIME_BUF_SIZE, 64,
			      fx->b->cfg.mac, fx->a->cfg.mac, i);
	pb.tx[0] = (struct vprime_edesc){ .buf = 3, .len = 64, .tstamp = 5000 };
	pb.tx_idx->prod = 1;
	fx->now = 5000;
	vp_test_sync(te);
	assert_int_equal(h[0], 1);		/* on time: 0 ns */

	pb.tx[1] = (struct vprime_edesc){ .buf = 4, .len = 64,
					  .tstamp = 20000 };
	pb.tx[2] = (struct vprime_edesc){ .buf = 5, .len = 64 };
	pb.tx_idx->prod = 3;
	fx->now = 6000;
	vp_test_sync(te);			/* both wait */
	fx->now = 9000;
	vp_test_sync(te);			/* still: first seen at 6000 */
	fx->now = 23000;
	vp_test_sync(te);
	for (i = 0; i < 3; i++)
		assert_int_equal(vp_sim_guest_recv(fx->b, buf, sizeof(buf)),
				 64);
	assert_int_equal(h[vp_hist_bucket(3000)], 1);	/* 3 us late */
	assert_int_equal(h[vp_hist_bucket(17000)], 1);	/* waited 17 us */
	assert_int_equal(vp_hist_total(h), 3);
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_frames], 3);
	vp_test_pair_free(fx);
}

static void test_port_gone(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	struct vprime_port_info *info = (struct vprime_port_info *)(
		fx->te.e.base + fx->te.e.hdr.off_ports +
		fx->pb * fx->te.e.hdr.port_stride);
	u8 frame[64];

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(vp_sim_guest_send(fx->a, frame, 64), 0);
	vp_test_sync(&fx->te);
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);
	vp_sim_host_remove(fx->h, fx->b);
	assert_int_equal(info->state, VPRIME_PORT_GONE);
	vp_test_sync(&fx->te);
	/* Frames to a vanished guest complete as drops; buffers come back. */
	{
		struct vprime_stats st = { .port = fx->pb };

		assert_int_equal(vp_sim_ioctl(fx->te.file, VPRIME_IOC_STATS,
					      &st), 0);
		assert_int_equal(st.val[VPRIME_STAT_tx_drop_gone], 20);
	}
	assert_int_equal(fx->te.e.comp_idx->prod, 20);
	vp_test_pair_free(fx);
}

static void test_notifications_suppressed(void **state)
{
	struct vp_test_pair *fx = fixture_new(1500, 0);
	u8 frame[64], in[64];
	u32 frames = 0;

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	/* Saturation: the engine never sleeps, so nobody re-arms events. */
	for (int round = 0; round < 200; round++) {
		while (vp_sim_guest_send(fx->a, frame, 64) == 0)
			frames++;
		round_trip(fx);
		while (vp_sim_guest_recv(fx->b, in, sizeof(in)) > 0)
			;
	}
	print_message("frames %u, guest->dom0 events %llu, dom0->guest "
		      "events %llu\n", frames,
		      (unsigned long long)fx->a->events_to_dom0,
		      (unsigned long long)(fx->b->events_to_guest +
					   fx->a->events_to_guest));
	assert_true(fx->a->events_to_dom0 * 32 <= frames);
	assert_true((fx->b->events_to_guest + fx->a->events_to_guest) * 32 <=
		    frames);
	/* dom0 going to sleep arms the event: the next frame notifies. */
	assert_false(vp_guest_arm(&fx->a->dom0));
	{
		u64 before = fx->a->events_to_dom0;

		assert_int_equal(vp_sim_guest_send(fx->a, frame, 64), 0);
		assert_int_equal(fx->a->events_to_dom0, before + 1);
		assert_true(vp_guest_pending(&fx->a->dom0));
	}
	vp_test_pair_free(fx);
}

/* A guest that rewrites its TX ring while dom0 reads it (XSA-155). */
struct scribbler {
	struct vp_sim_guest *g;
	volatile int stop;
	u32 seed;
};

static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	struct vprime_desc *ring = s->g->ring[VPRIME_RING_TX];
	u32 x = s->seed;

	while (!s->stop) {
		x = x * 1103515245u + 12345u;
		u32 i = (x >> 8) & (VPRIME_RING_SIZE - 1);
		struct vprime_desc d = {
			.slot = (x >> 3) % 600, .off = (u16)(x >> 11) % 2100,
			.len = (u16)((x >> 17) % 2100),
			.flags = (u16)((x >> 28) & 3),
		};

		__atomic_store_n(&ring[i].slot, d.slot, __ATOMIC_RELAXED);
		__atomic_store_n(&ring[i].off, d.off, __ATOMIC_RELAXED);
		__atomic_store_n(&ring[i].len, d.len, __ATOMIC_RELAXED);
		__atomic_store_n(&ring[i].flags, d.flags, __ATOMIC_RELAXED);
		if ((x & 0xff) == 7)
			__atomic_store_n(&s->g->ctrl->ring[VPRIME_RING_TX].prod,
					 s->g->dom0.tx_cons + (x >> 24) % 300,
					 __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_rewritten_between_reads(void **state)
{
	struct vp_test_pair *fx = fixture_new(9000, 0);
	struct scribbler s = { .g = fx->a, .seed = 42 };
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, scribble, &s), 0);
	for (int i = 0; i < 20000 && !fx->a->dom0.broken; i++) {
		round_trip(fx);
		fx->a->dom0.broken = false;	/* keep it reading */
		/* the engine recycles whatever it got */
		vp_test_engine_forward(&fx->te, fx->pa, fx->pb);
	}
	s.stop = 1;
	pthread_join(t, NULL);
	/* No crash, no out-of-bounds access (ASan), and every frame that
	 * reached the engine fits the limits. */
	assert_true(fx->a->stats[VPRIME_STAT_rx_bytes] <=
		    fx->a->stats[VPRIME_STAT_rx_frames] * VPRIME_FRAME_MAX);
	vp_test_pair_free(fx);
}

/* ---- frames left on an engine's RX ring (engine_lost) ---------------- */

#define LOST_RING 32u

/* One port of an engine area of its own, as the backend lays it out. */
struct lost_port {
	void *mem;
	struct vp_engine e;
	struct vp_eport p;
	u64 stats[VPRIME_STAT_MAX];
};

static void lost_port_new(struct lost_port *lp)
{
	struct vprime_setup s = {
		.abi_version = VPRIME_ABI_VERSION, .nr_bufs = 64,
		.ring_size = LOST_RING, .max_ports = 1,
	};
	struct vprime_area_hdr hdr;

	memset(lp, 0, sizeof(*lp));
	assert_int_equal(vp_area_layout(&s, &hdr), 0);
	lp->mem = calloc(1, hdr.area_size);
	assert_non_null(lp->mem);
	vp_engine_init(&lp->e, lp->mem, &hdr);
	vp_eport_init(&lp->p, &lp->e, 0);
}

/* dom0 side: publish one frame of @segs descriptors on the RX ring. */
static void lost_put(struct lost_port *lp, u32 segs)
{
	for (u32 i = 0; i < segs; i++) {
		struct vprime_edesc *d =
			&lp->p.rx[lp->p.rx_prod & (LOST_RING - 1)];

		d->buf = lp->p.rx_prod % 64;
		d->len = i + 1 < segs ? VPRIME_BUF_SIZE : 60;
		d->flags = i + 1 < segs ? VPRIME_DESC_F_MORE : 0;
		lp->p.rx_prod++;
	}
	lp->p.rx_idx->prod = lp->p.rx_prod;
}

static u32 lost_count(struct lost_port *lp, u32 engine_cons)
{
	lp->p.rx_idx->cons = engine_cons;
	return vp_engine_lost(&lp->e, &lp->p, lp->stats);
}

static void test_engine_lost_counts_frames(void **state)
{
	struct lost_port lp;

	(void)state;
	lost_port_new(&lp);
	/* Nothing pending. */
	assert_int_equal(lost_count(&lp, 0), 0);
	for (u32 i = 0; i < 5; i++)
		lost_put(&lp, 1);
	assert_int_equal(lost_count(&lp, 5), 0);
	assert_int_equal(lp.stats[VPRIME_STAT_engine_lost], 0);
	/* N whole frames pending: N; the ones the engine took do not count. */
	assert_int_equal(lost_count(&lp, 0), 5);
	assert_int_equal(lost_count(&lp, 2), 3);
	assert_int_equal(lp.stats[VPRIME_STAT_engine_lost], 8);
	/* A chained frame counts once; the tail of one the engine had begun
	 * to read counts as a frame too. */
	lost_put(&lp, 3);
	lost_put(&lp, 1);
	lost_put(&lp, 5);		/* 14 descriptors, 8 frames */
	assert_int_equal(lost_count(&lp, 5), 3);
	assert_int_equal(lost_count(&lp, 6), 3);
	assert_int_equal(lost_count(&lp, 8), 2);
	assert_int_equal(lost_count(&lp, 13), 1);
	assert_int_equal(lost_count(&lp, 0), 8);
	/* A full ring is in range. */
	while (lp.p.rx_prod != LOST_RING)
		lost_put(&lp, 1);
	assert_int_equal(lost_count(&lp, 0), 8 + LOST_RING - 14);
	assert_int_equal(lp.stats[VPRIME_STAT_engine_bad_index], 0);
	free(lp.mem);
}

static void test_engine_lost_wraps(void **state)
{
	struct lost_port lp;
	u32 base = 0xfffffff0u;

	(void)state;
	lost_port_new(&lp);
	lp.p.rx_prod = base;
	for (u32 i = 0; i < 10; i++)
		lost_put(&lp, 3);		/* 30 descriptors across 2^32 */
	assert_true(lp.p.rx_prod < base);
	assert_int_equal(lost_count(&lp, base), 10);
	assert_int_equal(lost_count(&lp, base + 3), 9);
	assert_int_equal(lp.stats[VPRIME_STAT_engine_bad_index], 0);
	free(lp.mem);
}

static void test_engine_lost_bogus_cons(void **state)
{
	const u32 bogus[] = { 4, 5, 100, 0x80000000u, 0xffffffffu - 40 };
	struct lost_port lp;
	u32 i, n, total = 0;

	(void)state;
	lost_port_new(&lp);
	lost_put(&lp, 1);
	lost_put(&lp, 2);			/* prod 3 */
	/* Ahead of prod, or more than a ring behind: clamped to one ring,
	 * counted as a bad engine index. */
	for (i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
		n = lost_count(&lp, bogus[i]);
		assert_true(n >= 2 && n <= LOST_RING);
		total += n;
		assert_int_equal(lp.stats[VPRIME_STAT_engine_bad_index], i + 1);
	}
	assert_int_equal(lp.stats[VPRIME_STAT_engine_lost], total);
	/* An engine that rewrote every entry as MORE still loses a frame:
	 * the last entry dom0 published ends one. */
	for (i = 0; i < LOST_RING; i++)
		lp.p.rx[i].flags = VPRIME_DESC_F_MORE;
	assert_int_equal(lost_count(&lp, 0), 1);
	assert_int_equal(lost_count(&lp, 3), 0);
	free(lp.mem);
}

/* Through the stand-in: DETACH and close count what the engine left. */
static void test_engine_lost_on_detach_and_close(void **state)
{
	struct vp_test_pair *fx = fixture_new(9000, 0);
	u8 frame[4000];

	(void)state;
	vp_test_frame(frame, sizeof(frame), fx->b->cfg.mac, fx->a->cfg.mac, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vp_sim_guest_send(fx->a, frame, 64), 0);
	for (int i = 0; i < 2; i++)		/* two buffers each */
		assert_int_equal(vp_sim_guest_send(fx->a, frame, 4000), 0);
	vp_test_sync(&fx->te);
	assert_int_equal(fx->a->stats[VPRIME_STAT_rx_frames], 5);
	assert_int_equal(vp_sim_ioctl(fx->te.file, VPRIME_IOC_DETACH,
				      &fx->pa), 0);
	assert_int_equal(fx->a->stats[VPRIME_STAT_engine_lost], 5);
	assert_int_equal(fx->a->stats[VPRIME_STAT_engine_bad_index], 0);
	/* Again: the engine forwards what came, then exits with 3 unread. */
	fx->pa = vp_test_attach(&fx->te, 1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(vp_sim_guest_send(fx->a, frame, 64), 0);
	vp_test_sync(&fx->te);
	assert_int_equal(vp_test_engine_forward(&fx->te, fx->pa, fx->pb), 4);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vp_sim_guest_send(fx->a, frame, 64), 0);
	vp_test_sync(&fx->te);
	vp_sim_close(fx->te.file);
	fx->te.file = NULL;
	assert_int_equal(fx->a->stats[VPRIME_STAT_rx_frames], 12);
	assert_int_equal(fx->a->stats[VPRIME_STAT_engine_lost], 5 + 3);
	/* b's frames: delivered, or dropped when the engine left. */
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_frames] +
			 fx->b->stats[VPRIME_STAT_tx_drop_gone], 4);
	assert_int_equal(fx->b->stats[VPRIME_STAT_engine_lost], 0);
	vp_test_pair_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deliver_sizes),
		cmocka_unit_test(test_jumbo_chains),
		cmocka_unit_test(test_wrap_near_u32_max),
		cmocka_unit_test(test_timestamp_and_flags),
		cmocka_unit_test(test_bad_descriptors_dropped_and_counted),
		cmocka_unit_test(test_too_many_slots_is_fatal),
		cmocka_unit_test(test_partial_frame_is_fatal),
		cmocka_unit_test(test_bad_indices_are_fatal),
		cmocka_unit_test(test_bad_rx_side_indices),
		cmocka_unit_test(test_bad_fill_slots),
		cmocka_unit_test(test_engine_stops_consuming),
		cmocka_unit_test(test_engine_gives_no_buffers),
		cmocka_unit_test(test_guest_stops_receiving),
		cmocka_unit_test(test_guest_stops_reaping_txc),
		cmocka_unit_test(test_engine_faults_counted),
		cmocka_unit_test(test_paced_delivery),
		cmocka_unit_test(test_lat_to_guest),
		cmocka_unit_test(test_port_gone),
		cmocka_unit_test(test_notifications_suppressed),
		cmocka_unit_test(test_rewritten_between_reads),
		cmocka_unit_test(test_engine_lost_counts_frames),
		cmocka_unit_test(test_engine_lost_wraps),
		cmocka_unit_test(test_engine_lost_bogus_cons),
		cmocka_unit_test(test_engine_lost_on_detach_and_close),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
