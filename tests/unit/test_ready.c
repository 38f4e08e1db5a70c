// SPDX-License-Identifier: MIT
/*
 * Hostile and stalled guests against dom0's readiness, due-time and
 * buffer-holding rules (docs/security.md, findings 1, 2 and 6):
 *  - poll() readiness means "a sync would move something": a guest that
 *    never reaps TXC, or never consumes RX while keeping FILL posted, or an
 *    engine whose fill ring is empty, must not keep the engine awake;
 *  - the guest consuming (cons_event) wakes it again; an older frontend
 *    without cons_event is retried on a timer instead;
 *  - an engine due time of 2^63 ns or more, or far ahead, is delivered now
 *    and counted;
 *  - a stalled guest holds at most hold_max descriptors of engine buffers,
 *    and a port stalled for drain_ns is drained until the guest moves.
 */
#include "vp_test.h"

#define NR_BUFS 2048

static struct vp_test_pair *fixture_new(bool cons_event, u32 ring_size)
{
	struct vp_sim_guest_cfg ca = {
		.domid = 1, .mac = { 0, 0x16, 0x3e, 0, 0, 1 },
		.no_cons_event = !cons_event,
	};

	return vp_test_pair_new(&ca, NR_BUFS, ring_size, 1000000);
}

static u32 sync_moved(struct vp_test_pair *fx)
{
	struct vprime_sync s = { 0 };

	assert_int_equal(vp_sim_ioctl(fx->te.file, VPRIME_IOC_SYNC, &s), 0);
	return s.rx_frames + s.tx_frames;
}

/*
 * An engine loop as vprimed runs it: poll, sync, forward a -> b.  Returns
 * how many of @rounds polls said ready while the sync then moved nothing
 * (each one a lap of a spinning engine).
 */
static u32 engine_laps_wasted(struct vp_test_pair *fx, u32 rounds)
{
	u32 wasted = 0, i;

	for (i = 0; i < rounds; i++) {
		u64 next = ~0ull;
		bool reap;
		u32 fwd;

		if (!vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next)) {
			vp_sim_arm(fx->te.file);
			if (!vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next))
				continue;	/* asleep */
		}
		reap = fx->te.e.comp_idx->prod != fx->te.comp_cons;
		fwd = vp_test_engine_forward(&fx->te, fx->pa, fx->pb);
		if (sync_moved(fx) == 0 && fwd == 0 && !reap)
			wasted++;
	}
	return wasted;
}

/* Guest a queues frames through the raw API, never reaping TXC. */
static void queue_no_reap(struct vp_sim_guest *g, const u8 *frame)
{
	while (vp_front_tx_frame(&g->front, frame, 64, 0) == 0)
		;
	vp_front_tx_push(&g->front);
}

static void test_txc_never_reaped(void **state)
{
	struct vp_test_pair *fx = fixture_new(true, 256);
	u8 frame[64], in[64];
	u64 events, next = ~0ull;

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	queue_no_reap(fx->a, frame);
	sync_moved(fx);
	queue_no_reap(fx->a, frame);	/* TX ring full again, TXC full */
	sync_moved(fx);
	assert_true(fx->a->stats[VPRIME_STAT_rx_stall_txc_full] > 0);
	assert_int_equal(fx->a->dom0.from_stall, VP_STALL_TXC);
	/* b keeps receiving, so only a's stall is left. */
	for (int i = 0; i < 4; i++) {
		vp_test_engine_forward(&fx->te, fx->pa, fx->pb);
		sync_moved(fx);
		while (vp_sim_guest_recv(fx->b, in, sizeof(in)) > 0)
			;
	}
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);	/* reap */
	assert_false(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	assert_int_equal(engine_laps_wasted(fx, 1000), 0);
	assert_int_equal(next, ~0ull);	/* cons_event: no timer needed */

	/* The guest reaps: its cons_event wakes the sleeping engine. */
	vp_sim_arm(fx->te.file);
	events = fx->a->events_to_dom0;
	vp_sim_guest_service(fx->a);
	assert_int_equal(fx->a->events_to_dom0, events + 1);
	assert_true(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	assert_true(sync_moved(fx) > 0);
	vp_test_pair_free(fx);
}

static void test_rx_never_consumed_fill_posted(void **state)
{
	struct vp_test_pair *fx = fixture_new(true, 256);
	u8 frame[64], in[64];
	u64 events, next = ~0ull;
	u32 rounds = 0;

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	/* Fill b's RX ring; b re-posts FILL but never consumes RX. */
	while (fx->b->dom0.to_stall != VP_STALL_GUEST_RX && rounds++ < 100) {
		while (vp_sim_guest_send(fx->a, frame, 64) == 0)
			;
		sync_moved(fx);
		vp_test_engine_forward(&fx->te, fx->pa, fx->pb);
		sync_moved(fx);
		vp_front_fill(&fx->b->front);
	}
	assert_int_equal(fx->b->dom0.to_stall, VP_STALL_GUEST_RX);
	assert_true(READ_ONCE(fx->b->ctrl->ring[VPRIME_RING_FILL].prod) !=
		    fx->b->dom0.fill_cons);	/* FILL is posted */
	/* a stops sending; the engine still holds frames for b. */
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);	/* reap */
	assert_int_equal(engine_laps_wasted(fx, 1000), 0);
	assert_false(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));

	vp_sim_arm(fx->te.file);
	events = fx->b->events_to_dom0;
	assert_int_equal(vp_sim_guest_recv(fx->b, in, sizeof(in)), 64);
	assert_true(fx->b->events_to_dom0 > events);
	assert_true(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	assert_true(sync_moved(fx) > 0);
	vp_test_pair_free(fx);
}

/* An older frontend cannot say it consumed: dom0 retries on a timer. */
static void test_old_frontend_retried(void **state)
{
	struct vp_test_pair *fx = fixture_new(false, 256);
	u8 frame[64];
	u64 next = ~0ull;

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	queue_no_reap(fx->a, frame);
	sync_moved(fx);
	queue_no_reap(fx->a, frame);
	sync_moved(fx);
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);
	sync_moved(fx);
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);	/* reap */
	assert_false(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	assert_int_equal(next, fx->a->dom0.from_stall_ns +
				       fx->a->dom0.from_retry_ns);
	assert_true(fx->a->dom0.from_retry_ns >= VP_RETRY_NS_DEFAULT);
	/* The guest reaps without telling anyone; the timer finds it. */
	vp_front_txc_reap(&fx->a->front);
	assert_false(vp_front_cons_notify(&fx->a->front));
	fx->now = next;
	assert_true(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	assert_true(sync_moved(fx) > 0);
	vp_test_pair_free(fx);
}

/*
 * An older (or hostile) frontend that stays blocked: each fruitless retry
 * doubles the interval, up to 64 ms, so it costs the engine a few syncs a
 * second.
 */
static void test_old_frontend_backoff(void **state)
{
	struct vp_test_pair *fx = fixture_new(false, 256);
	u8 frame[64];
	u64 start, next, syncs = 0;

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	queue_no_reap(fx->a, frame);
	sync_moved(fx);
	queue_no_reap(fx->a, frame);
	sync_moved(fx);
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);
	sync_moved(fx);
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);
	/* One simulated second of an engine that sleeps until its timer. */
	start = fx->now;
	while (fx->now < start + 1000000000ull) {
		next = ~0ull;
		if (vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next)) {
			assert_int_equal(sync_moved(fx), 0);
			syncs++;
			continue;
		}
		assert_true(next != ~0ull);
		fx->now = next;
	}
	print_message("blocked old frontend: %llu syncs in 1 s\n",
		      (unsigned long long)syncs);
	assert_true(syncs <= 30);
	assert_int_equal(fx->a->dom0.from_retry_ns,
			 VP_RETRY_NS_DEFAULT * VP_RETRY_BACKOFF_MAX);
	vp_test_pair_free(fx);
}

/* The engine's fill ring is empty: no spin until it posts buffers. */
static void test_engine_fill_empty(void **state)
{
	struct vp_test_pair *fx = fixture_new(true, 256);
	u8 frame[64];
	u64 next = ~0ull;
	struct vp_eport pa;
	u32 i;

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	vp_test_port(&fx->te, fx->pa, &pa);
	for (i = 0; i < 40 && fx->a->dom0.from_stall != VP_STALL_EFILL; i++) {
		while (vp_sim_guest_send(fx->a, frame, 64) == 0)
			;
		sync_moved(fx);
		/* The engine takes frames but never gives buffers back. */
		pa.rx_idx->cons = pa.rx_idx->prod;
	}
	assert_int_equal(fx->a->dom0.from_stall, VP_STALL_EFILL);
	assert_false(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	vp_test_engine_fill(&fx->te, 0, 8);
	assert_true(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	vp_test_pair_free(fx);
}

/* Engine side: queue one 64-byte frame for port @port, due at @due. */
static void engine_send(struct vp_test_pair *fx, u32 port, u32 buf, u64 due)
{
	struct vp_eport p;
	u32 rs = fx->te.e.hdr.ring_size;
	u32 prod;

	vp_test_port(&fx->te, port, &p);
	prod = p.tx_idx->prod;
	vp_test_frame(fx->te.e.bufs + (u64)buf * VPRIME_BUF_SIZE, 64,
		      fx->b->cfg.mac, fx->a->cfg.mac, buf);
	p.tx[prod & (rs - 1)] = (struct vprime_edesc){
		.buf = buf, .len = 64, .flags = 0, .tstamp = due,
	};
	__atomic_store_n(&p.tx_idx->prod, prod + 1, __ATOMIC_RELEASE);
}

static void test_due_time_clamped(void **state)
{
	struct vp_test_pair *fx = fixture_new(true, 256);
	u64 next = ~0ull;
	u8 in[64];

	(void)state;
	/* No guest sends, so the kernel takes nothing off the fill ring:
	 * the engine may use any buffer id here. */
	engine_send(fx, fx->pb, 2047, 1ull << 63);
	engine_send(fx, fx->pb, 2046, ~0ull);
	engine_send(fx, fx->pb, 2045, fx->now + 3600ull * 1000000000ull);
	assert_true(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	assert_int_equal(sync_moved(fx), 3);
	assert_int_equal(fx->b->stats[VPRIME_STAT_engine_bad_tstamp], 3);
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_deferred], 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vp_sim_guest_recv(fx->b, in, sizeof(in)), 64);

	/* A plausible due time (10 ms) is kept, and wakes the engine then. */
	engine_send(fx, fx->pb, 2044, fx->now + 10000000);
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);	/* reap */
	next = ~0ull;
	assert_false(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	assert_int_equal(next, fx->now + 10000000);
	assert_int_equal(sync_moved(fx), 0);
	fx->now += 10000000;
	assert_true(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	assert_int_equal(sync_moved(fx), 1);
	assert_int_equal(fx->b->stats[VPRIME_STAT_engine_bad_tstamp], 3);
	vp_test_pair_free(fx);
}

/* Buffers the engine has on port @port's TX ring (held by the kernel). */
static u32 port_held(struct vp_test_pair *fx, u32 port)
{
	struct vp_eport p;

	vp_test_port(&fx->te, port, &p);
	return p.tx_idx->prod - p.tx_idx->cons;
}

static void test_stalled_guest_bounded_and_drained(void **state)
{
	struct vp_test_pair *fx = fixture_new(true, 2048);
	u32 buf = 0, i, held;
	u64 next = ~0ull;
	u8 in[64];

	(void)state;
	/* The engine floods b, which never consumes RX. */
	for (i = 0; i < 1500; i++)
		engine_send(fx, fx->pb, buf++, 0);
	sync_moved(fx);		/* 256 delivered: the sync budget */
	sync_moved(fx);		/* b's RX ring full: stalled */
	held = port_held(fx, fx->pb);
	print_message("stalled port holds %u buffers (hold_max %u), "
		      "dropped %llu\n", held, VP_HOLD_MAX_DEFAULT,
		      (unsigned long long)fx->b->stats[VPRIME_STAT_tx_drop_stalled]);
	assert_true(held <= VP_HOLD_MAX_DEFAULT);
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_frames], VPRIME_RING_SIZE);
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_drop_stalled],
			 1500 - VPRIME_RING_SIZE - held);
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_stall_drains], 0);

	/* No progress for the drain time: readiness wakes the engine then,
	 * and the port gives every buffer back. */
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);	/* reap */
	assert_false(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	assert_int_equal(next, fx->b->dom0.to_stall_since + VP_DRAIN_NS_DEFAULT);
	fx->now = next;
	assert_true(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	sync_moved(fx);
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);	/* reap */
	assert_int_equal(port_held(fx, fx->pb), 0);
	assert_int_equal(fx->b->stats[VPRIME_STAT_tx_stall_drains], 1);
	/* Still draining: new frames go at once. */
	engine_send(fx, fx->pb, 1600, 0);
	assert_true(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	sync_moved(fx);
	assert_int_equal(port_held(fx, fx->pb), 0);

	/* The guest comes back: delivery resumes. */
	while (vp_sim_guest_recv(fx->b, in, sizeof(in)) > 0)
		;
	engine_send(fx, fx->pb, 1601, 0);
	assert_true(vp_sim_ready(fx->te.file, vp_sim_now(fx->te.file), &next));
	assert_int_equal(sync_moved(fx), 1);
	assert_false(fx->b->dom0.draining);
	vp_test_pair_free(fx);
}

/* The event requests a guest reads: TX and FILL events, TXC and RX cons_events. */
static void guest_event_words(const struct vp_guest *g, u32 w[4])
{
	w[0] = g->ctrl->ring[VPRIME_RING_TX].event;
	w[1] = g->ctrl->ring[VPRIME_RING_FILL].event;
	w[2] = g->ctrl->ring[VPRIME_RING_TXC].cons_event;
	w[3] = g->ctrl->ring[VPRIME_RING_RX].cons_event;
}

/* a -> b, one frame through the engine, and b reads it. */
static void one_frame_through(struct vp_test_pair *fx, const u8 *frame)
{
	u8 in[64];

	assert_int_equal(vp_sim_guest_send(fx->a, frame, 64), 0);
	assert_true(sync_moved(fx) > 0);
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);
	assert_true(sync_moved(fx) > 0);
	assert_int_equal(vp_sim_guest_recv(fx->b, in, sizeof(in)), 64);
	vp_sim_guest_service(fx->a);
	vp_test_engine_forward(&fx->te, fx->pa, fx->pb);	/* reap */
}

/*
 * poll() arms the guests' events only when its caller may sleep
 * (vprime-back's vpb_poll() through vp_port_poll()): a zero-timeout look
 * writes nothing the guests read, yet sees work that arrives; a poll the
 * caller sleeps in arms, and the guest's next frame wakes it.
 */
static void test_poll_arms_only_to_sleep(void **state)
{
	struct vp_test_pair *fx = fixture_new(true, 256);
	struct vp_sim_file *f = fx->te.file;
	u32 before[4], after[4];
	u64 next = ~0ull, events;
	u8 frame[64];
	int i;

	(void)state;
	vp_test_frame(frame, 64, fx->b->cfg.mac, fx->a->cfg.mac, 0);
	assert_false(vp_sim_poll(f, vp_sim_now(f), &next, true));
	for (i = 0; i < 4; i++)
		one_frame_through(fx, frame);
	/* Looks between syncs: nothing ready, nothing armed. */
	guest_event_words(&fx->a->dom0, before);
	assert_int_not_equal(before[0], fx->a->dom0.tx_cons);
	for (i = 0; i < 100; i++)
		assert_false(vp_sim_poll(f, vp_sim_now(f), &next, false));
	guest_event_words(&fx->a->dom0, after);
	assert_memory_equal(before, after, sizeof(before));
	/* Readiness does not need the arming: a new frame is seen. */
	assert_int_equal(vp_sim_guest_send(fx->a, frame, 64), 0);
	assert_true(vp_sim_poll(f, vp_sim_now(f), &next, false));
	one_frame_through(fx, frame);	/* and the one sent above */
	/* About to sleep: armed, and the guest's next frame is an event. */
	assert_false(vp_sim_poll(f, vp_sim_now(f), &next, true));
	assert_int_equal(fx->a->dom0.ctrl->ring[VPRIME_RING_TX].event,
			 fx->a->dom0.tx_cons);
	events = fx->a->events_to_dom0;
	assert_int_equal(vp_sim_guest_send(fx->a, frame, 64), 0);
	assert_int_equal(fx->a->events_to_dom0, events + 1);
	assert_true(vp_sim_poll(f, vp_sim_now(f), &next, false));
	vp_test_pair_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txc_never_reaped),
		cmocka_unit_test(test_rx_never_consumed_fill_posted),
		cmocka_unit_test(test_old_frontend_retried),
		cmocka_unit_test(test_old_frontend_backoff),
		cmocka_unit_test(test_engine_fill_empty),
		cmocka_unit_test(test_due_time_clamped),
		cmocka_unit_test(test_stalled_guest_bounded_and_drained),
		cmocka_unit_test(test_poll_arms_only_to_sleep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
