// SPDX-License-Identifier: MIT
/*
 * test_engine_loop.c - what vprimed's poll loop (engine/loop.c) costs, on
 * a virtual clock over simulated guests: waits, sync ioctls, engine passes
 * and clock reads per idle second and per frame, the early wake-up's spin
 * per delayed frame, and that the frames still arrive on time.
 *
 * The wait stands in for ppoll() on /dev/vprime: it reports the backend
 * ready when the simulated backend's poll() would; a timed wait that no
 * guest interrupts ends at its deadline plus the slack Linux gives a
 * ppoll() timeout (the 50 us default timer slack, or 0.1 % of the timeout
 * when that is more: 1 ms for the loop's 1 s rescan sleep) plus whatever
 * extra lateness a test sets; a zero-timeout wait costs 1 us.  Guest 0
 * sends a 100-byte frame to guest 1 every period.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine_fixture.h"

#define MS 1000000ull
#define US 1000ull
#define S (1000ull * MS)
#define LT_POLL_NS	(1 * US)	/* a zero-timeout wait */
#define LT_SLACK_NS	(50 * US)	/* Linux's default timer slack */
#define LT_PERIOD	(S / 600)	/* 600 frames/s, the figure of issue 16 */

struct lt {
	struct ef f;
	struct vpe_loop l;
	u64 send_at;		/* guest 0's next frame; VPE_TIME_NEVER: none */
	u32 sent, to_send;
	u64 late_once_ns;	/* extra lateness of the next timed wait
				 * with a frame in flight */
	u64 waits_timed;	/* timed waits that ended by their timeout */
};

static char json[4096];

/* Guests h0, h1 on switch s, each by a link with parameters @prm. */
static const char *lt_topo(const char *prm)
{
	snprintf(json, sizeof(json),
		 "{\"nodes\": [{\"name\":\"s\",\"type\":\"switch\"},"
		 "{\"name\":\"h0\",\"type\":\"guest\",\"domid\":1},"
		 "{\"name\":\"h1\",\"type\":\"guest\",\"domid\":2}],"
		 "\"links\": [{\"a\":\"h0\",\"b\":\"s\"%s%s},"
		 "{\"a\":\"h1\",\"b\":\"s\"%s%s}]}",
		 *prm ? "," : "", prm, *prm ? "," : "", prm);
	return json;
}

static u64 lt_slack(u64 ns)
{
	return ns / 1000 > LT_SLACK_NS ? ns / 1000 : LT_SLACK_NS;
}

static void lt_send(struct lt *t)
{
	assert_int_equal(ef_send(&t->f, 0, 1, t->sent++, 100), 0);
	t->send_at = t->sent < t->to_send ? t->send_at + LT_PERIOD :
					    VPE_TIME_NEVER;
}

static int lt_wait(void *arg, u64 ns)
{
	struct lt *t = arg;
	struct ef *f = &t->f;
	u64 woke, late;

	ef_collect(f);	/* what the last pass delivered arrives now */
	if (vprime_wait(f->vp, 0) > 0) {
		f->h.clock += LT_POLL_NS;
		return VPE_WAIT_DEV;
	}
	assert_true(ns != VPE_TIME_NEVER);	/* the rescan bounds every sleep */
	if (!ns) {
		f->h.clock += LT_POLL_NS;
		if (t->send_at > f->h.clock)
			return 0;
		lt_send(t);
		return VPE_WAIT_DEV;
	}
	late = f->e->sched.n ? t->late_once_ns : 0;
	woke = f->h.clock + ns + lt_slack(ns) + late;
	if (late) {
		/* A busy moment: the guest sends nothing before it ends. */
		if (t->send_at <= woke)
			t->send_at = woke + 1;
		t->late_once_ns = 0;
	} else if (t->send_at <= woke) {	/* the guest's event first */
		if (t->send_at > f->h.clock)
			f->h.clock = t->send_at;
		lt_send(t);
		return VPE_WAIT_DEV;
	}
	t->waits_timed++;
	f->h.clock = woke;
	return 0;
}

static u64 lt_now(void *arg)
{
	return ((struct lt *)arg)->f.h.clock;
}

static struct lt *lt_new(const char *prm)
{
	struct lt *t = calloc(1, sizeof(*t));
	char err[VPE_ERR_LEN] = "";
	struct vpe_loop_ops ops = { .now = lt_now, .wait = lt_wait };

	assert_non_null(t);
	if (ef_init(&t->f, 2, 0, lt_topo(prm), err, sizeof(err)))
		fail_msg("engine: %s", err);
	t->send_at = VPE_TIME_NEVER;
	ops.arg = t;
	vpe_loop_init(&t->l, t->f.e, &ops);
	return t;
}

static void lt_free(struct lt *t)
{
	ef_fini(&t->f);
	free(t);
}

/* Turn the loop until the virtual clock reaches @until. */
static void lt_run(struct lt *t, u64 until)
{
	while (t->f.h.clock < until)
		vpe_loop_turn(&t->l);
	ef_collect(&t->f);
}

/* Guest 0 sends @n more frames, one every LT_PERIOD from now; 10 ms on. */
static void lt_traffic(struct lt *t, u32 n)
{
	t->send_at = t->f.h.clock;
	t->to_send = t->sent + n;
	while (t->send_at != VPE_TIME_NEVER)
		vpe_loop_turn(&t->l);
	lt_run(t, t->f.h.clock + 10 * MS);
}

/* The loop's costs so far. */
struct lt_cost {
	u64 polls, passes, clock_reads, syncs, spin_ns;
};

static struct lt_cost lt_cost(const struct lt *t)
{
	u64 lib[VPRIME_LIB_STAT_MAX];
	const struct vpe_engine *e = t->f.e;

	assert_int_equal(vprime_lib_stats(e->vp, lib, VPRIME_LIB_STAT_MAX),
			 VPRIME_LIB_STAT_MAX);
	return (struct lt_cost){ .polls = e->st.polls, .passes = e->st.steps,
				 .clock_reads = e->st.clock_reads,
				 .syncs = lib[VPRIME_LIB_STAT_syncs],
				 .spin_ns = e->wake.spin_ns };
}

static struct lt_cost lt_diff(struct lt_cost a, struct lt_cost b)
{
	return (struct lt_cost){ .polls = b.polls - a.polls,
				 .passes = b.passes - a.passes,
				 .clock_reads = b.clock_reads - a.clock_reads,
				 .syncs = b.syncs - a.syncs,
				 .spin_ns = b.spin_ns - a.spin_ns };
}

static void lt_print(const char *what, struct lt_cost c, u64 per)
{
	print_message("%s, per %s: waits %.2f, passes %.2f, syncs %.2f, "
		      "clock reads %.2f, spin %.1f us\n", what,
		      per > 100 ? "frame" : "second",
		      (double)c.polls / per, (double)c.passes / per,
		      (double)c.syncs / per, (double)c.clock_reads / per,
		      (double)c.spin_ns / per / 1000.0);
}

/* Every frame received once, in order, @delay after it was sent, late by
 * at most @late_max. */
static void lt_check_delivery(const struct lt *t, u64 delay, u64 late_max)
{
	u32 i;

	assert_int_equal(t->f.nr_rx, t->sent);
	for (i = 0; i < t->f.nr_rx; i++) {
		const struct ef_rx *r = &t->f.rx[i];

		assert_int_equal(r->guest, 1);
		assert_int_equal(r->pl.seq, i);
		assert_true(r->at >= r->pl.sent + delay);	/* never early */
		if (r->at > r->pl.sent + delay + late_max)
			fail_msg("frame %u late by %llu ns", i, (unsigned long long)
				 (r->at - r->pl.sent - delay));
	}
}

/*
 * Idle: the once-a-second rescan is all the loop does (a wait, a pass, a
 * sync a second), and the rescan's long sleep, which ends by the timeout's
 * slack, teaches the early wake-up nothing: its margin stays at the
 * minimum.  (The loop used to take it as a lateness sample: 1 ms of slack
 * widened the margin to its 2 ms cap, and a 1 ms link then spun for the
 * whole of every crossing.)
 */
static void test_idle(void **state)
{
	struct lt *t = lt_new("");
	struct lt_cost c0, c;

	(void)state;
	lt_run(t, t->f.h.clock + 1 * S);
	c0 = lt_cost(t);
	lt_run(t, t->f.h.clock + 10 * S);
	c = lt_diff(c0, lt_cost(t));
	lt_print("idle", c, 10);
	assert_true(c.polls <= 11);
	assert_true(c.passes <= 11);
	assert_true(c.syncs <= 11);
	assert_true(c.clock_reads <= 22);
	assert_true(t->waits_timed >= 10);	/* it did sleep to the rescans */
	assert_int_equal(t->f.e->wake.timeouts, 0);
	assert_int_equal(t->f.e->wake.margin_ns, VPE_WAKE_MIN_NS);
	lt_free(t);
}

/*
 * 600 frames/s across unshaped links: one wake-up, one pass, two syncs
 * (in, out) and one clock read a frame, no spin, each frame delivered at
 * the time it was sent.  (The loop used to read the clock three times a
 * frame: after the wake-up, in the pass, after it.)
 */
static void test_unshaped(void **state)
{
	struct lt *t = lt_new("");
	struct lt_cost c0, c;
	u64 n;

	(void)state;
	lt_run(t, t->f.h.clock + 1 * S);
	c0 = lt_cost(t);
	lt_traffic(t, 3000);
	c = lt_diff(c0, lt_cost(t));
	n = t->sent;
	assert_int_equal(n, 3000);
	lt_print("unshaped, 600 frames/s", c, n);
	lt_check_delivery(t, 0, LT_POLL_NS);
	assert_true(c.polls <= n + 6);
	assert_true(c.passes <= n + 6);
	assert_true(c.syncs <= 2 * n + 6);
	assert_true(c.clock_reads <= n + 12);
	assert_int_equal(c.spin_ns, 0);
	lt_free(t);
}

/*
 * 600 frames/s across two 1 ms links, after an idle start: a pass at the
 * frame's arrival and one at each link's due time, two syncs a frame (in at
 * the arrival, out at the delivery: a pass the timer woke has nothing to
 * sync in), and a spin per crossing no longer than twice the timer's
 * lateness; every frame on time to the microsecond.  (Before: four syncs a
 * frame, and the idle start's rescan sleeps had widened the margin to 2 ms,
 * so the loop spun through both crossings: about 2 ms of CPU a frame.)
 */
static void test_delayed(void **state)
{
	struct lt *t = lt_new("\"delay\": \"1ms\"");
	struct lt_cost c0, c;
	u64 n;

	(void)state;
	lt_run(t, t->f.h.clock + 3 * S);
	c0 = lt_cost(t);
	lt_traffic(t, 3000);
	c = lt_diff(c0, lt_cost(t));
	n = t->sent;
	assert_int_equal(n, 3000);
	lt_print("two 1 ms links, 600 frames/s", c, n);
	lt_check_delivery(t, 2 * MS, 2 * LT_POLL_NS);
	assert_true(c.passes <= 3 * n + 6);
	assert_true(c.syncs <= 2 * n + 6);
	/* Two crossings, each spinning at most the margin: 2 x 51 us. */
	assert_true(c.spin_ns <= n * 2 * 2 * (LT_SLACK_NS + 2 * US));
	assert_true(t->f.e->wake.margin_ns <= 2 * (LT_SLACK_NS + 2 * US));
	lt_free(t);
}

/*
 * One very late timer (a busy moment: 5 ms) right at the start of a
 * stream across 1 ms links sets the margin to its 2 ms cap, wider than a
 * crossing: from then on the loop would spin through every crossing and
 * never take another sample.  Each spin for a new due time lowers the
 * estimate a step, so it comes back under the crossing, sleeps again, and
 * the spin over the run stays a small part of what spinning through would
 * cost (2 ms a frame).
 */
static void test_late_timer_recovers(void **state)
{
	struct lt *t = lt_new("\"delay\": \"1ms\"");
	struct lt_cost c0, c;
	u64 n;

	(void)state;
	lt_run(t, t->f.h.clock + 1 * S);
	c0 = lt_cost(t);
	t->late_once_ns = 5 * MS;
	lt_traffic(t, 3000);
	c = lt_diff(c0, lt_cost(t));
	n = t->sent;
	assert_int_equal(n, 3000);
	lt_print("two 1 ms links, one 5 ms late timer", c, n);
	assert_int_equal(t->f.nr_rx, n);
	assert_true(c.spin_ns <= n * 200 * US);
	assert_true(t->f.e->wake.margin_ns <= 2 * (LT_SLACK_NS + 2 * US));
	lt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_unshaped),
		cmocka_unit_test(test_delayed),
		cmocka_unit_test(test_late_timer_recovers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
