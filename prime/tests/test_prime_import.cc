// SPDX-License-Identifier: MIT
/*
 * test_prime_import.cc - when a guest frame enters PRIMEX's simulation:
 * ssf_import_anchor() (prime/overlay/netsim/src/ssf/api/import_anchor.h),
 * which the SSF kernel (prime/patches/0005) runs on every event of the
 * vprime device's batches as it takes them in, built as PRIMEX builds it
 * (gnu++98) under ASan+UBSan.
 *
 * The frame's own time is dom0's timestamp on the wall clock's mapping +
 * import_delay.  A simulator that lags the wall clock must take a frame in
 * at its offset from the simulator's present, not from the wall clock (it
 * would wait behind the whole backlog, and every reply with it); a frame
 * the simulator has passed enters at the present, never in a timeline's
 * past; an idle simulator (a stale clock, nothing due) is no lag.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

#include "api/import_anchor.h"

using prime::ssf::ssf_import_anchor;

typedef long long ltime;	/* PRIMEX's ltime_t: ns at -e 1 */

static const ltime MS = 1000000LL;
static const ltime SEC = 1000 * MS;
static const ltime R = 100 * SEC;	/* the wall clock's now */
static const ltime DELAY = MS / 2;	/* import_delay */

struct anchored {
	ltime at, lag;
	int late, lagged;
};

static anchored anchor(ltime when, ltime simclock, ltime next_due)
{
	anchored a;
	a.at = ssf_import_anchor<ltime>(when, R, simclock, next_due, MS,
					&a.late, &a.lagged, &a.lag);
	return a;
}

/* Keeping up: a fresh frame enters at its own time, whatever the idle
 * timeline's clock says (it slept: its clock is seconds old). */
static void test_keeping_up(void** state)
{
	(void)state;
	ltime when = R - MS / 10 + DELAY;	/* taken off the ring 0.1 ms ago */
	anchored a = anchor(when, R - 5 * SEC, R + 10 * SEC);
	assert_true(a.at == when);
	assert_false(a.late);
	assert_false(a.lagged);
	assert_true(a.lag == 0);

	/* busy but on time: its next event due now */
	a = anchor(when, R - MS / 5, R);
	assert_true(a.at == when);
	assert_false(a.late);
	assert_false(a.lagged);
}

/* The simulator 2 s behind the wall clock (events due 2 s ago still to
 * process): a fresh frame enters within its import_delay of the
 * simulator's present, not 2 s ahead of it at the wall clock's time, and
 * the lag is counted. */
static void test_lagging_fresh_frame_prompt(void** state)
{
	(void)state;
	ltime present = R - 2 * SEC + MS / 100;
	ltime when = R - MS / 10 + DELAY;
	anchored a = anchor(when, R - 2 * SEC, present);
	assert_true(a.at >= present);
	assert_true(a.at <= present + DELAY);
	assert_true(a.at == when - (R - present));	/* its offset kept */
	assert_false(a.late);
	assert_true(a.lagged);
	assert_true(a.lag == R - present);

	/* the timeline mid-batch: its clock is the present */
	a = anchor(when, R - 2 * SEC, R - 2 * SEC);
	assert_true(a.at <= R - 2 * SEC + DELAY);
	assert_true(a.lagged);
}

/* A frame whose dom0 time is older than the simulator's now (dom0 held it
 * 3 s; the simulator lags 2 s): it enters at the simulator's present,
 * not in its past and not at the wall clock's now; late and lag counted. */
static void test_old_frame_enters_at_present(void** state)
{
	(void)state;
	ltime present = R - 2 * SEC;
	anchored a = anchor(R - 3 * SEC + DELAY, present, present);
	assert_true(a.at == present);
	assert_true(a.late);
	assert_true(a.lagged);
	assert_true(a.lag == 2 * SEC);

	/* its clock behind its next event: nothing to do in between, so the
	 * present is that event's time */
	a = anchor(R - 3 * SEC + DELAY, present, present + MS);
	assert_true(a.at == present + MS);
	assert_true(a.late);
	assert_true(a.lag == 2 * SEC - MS);

	/* and when the simulator keeps up: at the present, i.e. now */
	a = anchor(R - 50 * MS, R - MS / 5, R + MS);
	assert_true(a.at == R);
	assert_true(a.late);
	assert_false(a.lagged);
}

/* An event due just now behind a clock that slept is not a lag worth
 * counting, and moves the frame by no more than that. */
static void test_small_lag_not_counted(void** state)
{
	(void)state;
	ltime when = R + DELAY;
	anchored a = anchor(when, R - 100 * MS, R - MS / 20);
	assert_false(a.lagged);
	assert_false(a.late);
	assert_true(a.at == when - MS / 20);
}

/* Whatever the inputs: never before the timeline's clock (a causality
 * error in SSF), never after the frame's own time if that is ahead of
 * the present, the lag never negative. */
static void test_never_in_the_past(void** state)
{
	(void)state;
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 200000; i++) {
		ltime v[3];
		for (int k = 0; k < 3; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v[k] = R - 5 * SEC + (ltime)(x % (uint64_t)(10 * SEC));
		}
		ltime simclock = v[1] < R ? v[1] : R;	/* never ahead of the wall */
		anchored a = anchor(v[0], simclock, v[2]);
		ltime present = simclock > v[2] ? simclock : v[2];
		if (present > R)
			present = R;
		assert_true(a.at >= simclock);
		assert_true(a.at >= present);
		assert_true(a.lag >= 0 && a.lag == R - present);
		assert_true(a.at <= (v[0] > present ? v[0] : present));
		assert_true(a.late == (v[0] - a.lag < present));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeping_up),
		cmocka_unit_test(test_lagging_fresh_frame_prompt),
		cmocka_unit_test(test_old_frame_enters_at_present),
		cmocka_unit_test(test_small_lag_not_counted),
		cmocka_unit_test(test_never_in_the_past),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
