// SPDX-License-Identifier: MIT
/*
 * test_engine_wake.c - the poll loop's early wake-up policy (wake.c) on a
 * fake clock: the margin starts at its minimum, grows to 2 x the observed
 * timer lateness up to the cap, decays when the lateness drops, ignores
 * wake-ups a file descriptor caused, never spins for a frame far away,
 * for nothing scheduled, or with the cap at 0, and lowers an estimate that
 * keeps it spinning blind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine.h"

#define US 1000ull
#define MS 1000000ull
#define T0 (5000ull * MS)	/* the fake clock's "now" */

/* Sleep from @now as the plan says; the timer fires @late after that. */
static u64 sleep_late(struct vpe_wake *w, u64 now, u64 due, u64 late)
{
	u64 ns = vpe_wake_plan(w, now, due);

	assert_true(ns > 0 && ns != VPE_TIME_NEVER);
	vpe_wake_note(w, now + ns, now + ns + late, true);
	return ns;
}

static void test_no_history(void **state)
{
	struct vpe_wake w;

	(void)state;
	vpe_wake_init(&w, VPE_WAKE_CAP_NS);
	assert_int_equal(w.margin_ns, VPE_WAKE_MIN_NS);
	assert_int_equal(vpe_wake_plan(&w, T0, T0 + 10 * MS),
			 10 * MS - VPE_WAKE_MIN_NS);
	assert_int_equal(w.spins, 0);
	/* Within the minimum margin: spin. */
	assert_int_equal(vpe_wake_plan(&w, T0, T0 + VPE_WAKE_MIN_NS), 0);
	assert_int_equal(w.spins, 1);
}

static void test_lateness_widens_margin(void **state)
{
	struct vpe_wake w, wide;

	(void)state;
	vpe_wake_init(&w, VPE_WAKE_CAP_NS);
	sleep_late(&w, T0, T0 + 10 * MS, 1500 * US);
	assert_int_equal(w.est_ns, 1500 * US);
	assert_int_equal(w.margin_ns, 2 * MS);		/* 3 ms, capped */
	assert_int_equal(vpe_wake_plan(&w, T0, T0 + 10 * MS), 8 * MS);
	assert_int_equal(vpe_wake_plan(&w, T0, T0 + 2 * MS), 0);
	assert_int_equal(vpe_wake_plan(&w, T0, T0 + 1900 * US), 0);
	assert_int_equal(vpe_wake_plan(&w, T0, T0 + 2 * MS + 1), 1);

	/* Under a higher cap the margin is 2 x the lateness. */
	vpe_wake_init(&wide, 10 * MS);
	sleep_late(&wide, T0, T0 + 10 * MS, 1500 * US);
	assert_int_equal(wide.margin_ns, 3 * MS);
	assert_int_equal(vpe_wake_plan(&wide, T0, T0 + 10 * MS), 7 * MS);
	assert_int_equal(vpe_wake_plan(&wide, T0, T0 + 2900 * US), 0);
	assert_int_equal(wide.sleeps, 1);
	assert_int_equal(wide.timeouts, 1);
}

static void test_cap_zero_never_spins(void **state)
{
	struct vpe_wake w;
	int i;

	(void)state;
	vpe_wake_init(&w, 0);
	assert_int_equal(w.margin_ns, 0);
	for (i = 0; i < 10; i++)
		sleep_late(&w, T0, T0 + 10 * MS, 3 * MS);
	assert_int_equal(w.margin_ns, 0);
	assert_int_equal(vpe_wake_plan(&w, T0, T0 + 10 * MS), 10 * MS);
	assert_int_equal(vpe_wake_plan(&w, T0, T0 + 1), 1);
	assert_int_equal(w.spins, 0);
}

static void test_far_and_never(void **state)
{
	struct vpe_wake w;

	(void)state;
	vpe_wake_init(&w, VPE_WAKE_CAP_NS);
	sleep_late(&w, T0, T0 + 10 * MS, 5 * MS);
	assert_int_equal(vpe_wake_plan(&w, T0, VPE_TIME_NEVER), VPE_TIME_NEVER);
	assert_int_equal(vpe_wake_plan(&w, T0, T0 + 3600000 * MS),
			 3600000 * MS - 2 * MS);
	assert_int_equal(w.spins, 0);
	assert_false(w.spinning);
}

static void test_due_in_past(void **state)
{
	struct vpe_wake w;

	(void)state;
	vpe_wake_init(&w, VPE_WAKE_CAP_NS);
	/* Due already, or a clock behind the engine's: no sleep, no spin. */
	assert_int_equal(vpe_wake_plan(&w, T0, T0), 0);
	assert_int_equal(vpe_wake_plan(&w, T0, T0 - 5 * MS), 0);
	assert_int_equal(vpe_wake_plan(&w, T0, 0), 0);
	assert_int_equal(w.spins, 0);
	/* A timer that fired before it was asked to: lateness 0. */
	vpe_wake_note(&w, T0, T0 - 1 * MS, true);
	assert_int_equal(w.est_ns, 0);
	assert_int_equal(w.margin_ns, VPE_WAKE_MIN_NS);
	/* A clock jump: one sample is clamped, the margin stays capped. */
	vpe_wake_note(&w, T0, UINT64_MAX, true);
	assert_true(w.est_ns <= 1000 * MS);
	assert_int_equal(w.margin_ns, VPE_WAKE_CAP_NS);
	/* Now running backwards while spinning: no spin time underflow. */
	assert_int_equal(vpe_wake_plan(&w, T0, T0 + 1 * MS), 0);
	assert_int_equal(vpe_wake_plan(&w, T0 - 1 * MS, T0 + 1 * MS), 0);
	assert_int_equal(w.spin_ns, 0);
}

static void test_fd_wakeups_ignored(void **state)
{
	struct vpe_wake w;

	(void)state;
	vpe_wake_init(&w, VPE_WAKE_CAP_NS);
	sleep_late(&w, T0, T0 + 10 * MS, 200 * US);
	assert_int_equal(w.est_ns, 200 * US);
	/* Woken by a guest 5 ms after the asked time: not a timer sample. */
	vpe_wake_note(&w, T0, T0 + 5 * MS, false);
	assert_int_equal(w.est_ns, 200 * US);
	assert_int_equal(w.margin_ns, 400 * US);
	assert_int_equal(w.sleeps, 2);
	assert_int_equal(w.timeouts, 1);
}

static void test_estimate_decays(void **state)
{
	struct vpe_wake w;
	u64 prev;
	int i;

	(void)state;
	vpe_wake_init(&w, VPE_WAKE_CAP_NS);
	sleep_late(&w, T0, T0 + 10 * MS, 1500 * US);
	prev = w.est_ns;
	for (i = 0; i < 100; i++) {
		sleep_late(&w, T0, T0 + 10 * MS, 100 * US);
		assert_true(w.est_ns <= prev);
		assert_true(w.est_ns >= 100 * US);
		prev = w.est_ns;
	}
	assert_true(w.est_ns < 110 * US);
	assert_int_equal(w.margin_ns, 2 * w.est_ns);
	/* And rises again, faster than it fell. */
	for (i = 0; i < 8; i++)
		sleep_late(&w, T0, T0 + 10 * MS, 1500 * US);
	assert_true(w.est_ns > 1300 * US);
}

static void test_spin_time(void **state)
{
	struct vpe_wake w;

	(void)state;
	vpe_wake_init(&w, VPE_WAKE_CAP_NS);
	/* Spin from T0 to the due time T0 + 40 us, three polls. */
	assert_int_equal(vpe_wake_plan(&w, T0, T0 + 40 * US), 0);
	assert_int_equal(vpe_wake_plan(&w, T0 + 15 * US, T0 + 40 * US), 0);
	assert_int_equal(vpe_wake_plan(&w, T0 + 30 * US, T0 + 40 * US), 0);
	/* The frame went out; the next one is far. */
	assert_true(vpe_wake_plan(&w, T0 + 41 * US, T0 + 100 * MS) > 0);
	assert_int_equal(w.spins, 3);
	assert_int_equal(w.spin_ns, 41 * US);
	assert_false(w.spinning);
}

/*
 * A margin wider than the gaps between due times: the loop never sleeps,
 * so no sample could ever lower it.  Blind spins (no sleep before them)
 * lower the estimate until the loop sleeps again; spins after a sleep,
 * and further polls of one spin, leave it to the samples.
 */
static void test_blind_spin_decays(void **state)
{
	struct vpe_wake w;
	u64 now = T0, est;
	int i;

	(void)state;
	vpe_wake_init(&w, VPE_WAKE_CAP_NS);
	sleep_late(&w, T0, T0 + 10 * MS, 5 * MS);
	assert_int_equal(w.margin_ns, VPE_WAKE_CAP_NS);
	/* A frame due every 1 ms: blind spins until the margin is < 1 ms. */
	for (i = 0; i < 200 && vpe_wake_plan(&w, now, now + 1 * MS) == 0; i++) {
		est = w.est_ns;
		/* The same spin's next poll: no further decay. */
		assert_int_equal(vpe_wake_plan(&w, now + 500 * US, now + 1 * MS), 0);
		assert_int_equal(w.est_ns, est);
		now += 1 * MS;
	}
	assert_true(i > 0 && i < 100);
	assert_true(w.margin_ns < 1 * MS);
	assert_int_equal(w.spin_starts, (u64)i);
	/* A spin that follows a sleep for its due time: no decay. */
	vpe_wake_init(&w, VPE_WAKE_CAP_NS);
	sleep_late(&w, T0, T0 + 10 * MS, 500 * US);
	est = w.est_ns;
	assert_true(vpe_wake_plan(&w, T0, T0 + 5 * MS) > 0);
	assert_int_equal(vpe_wake_plan(&w, T0 + 4500 * US, T0 + 5 * MS), 0);
	assert_int_equal(w.est_ns, est);
	assert_int_equal(w.spin_starts, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_history),
		cmocka_unit_test(test_lateness_widens_margin),
		cmocka_unit_test(test_cap_zero_never_spins),
		cmocka_unit_test(test_far_and_never),
		cmocka_unit_test(test_due_in_past),
		cmocka_unit_test(test_fd_wakeups_ignored),
		cmocka_unit_test(test_estimate_decays),
		cmocka_unit_test(test_spin_time),
		cmocka_unit_test(test_blind_spin_decays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
