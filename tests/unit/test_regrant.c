// SPDX-License-Identifier: MIT
/*
 * How much a backend can make a guest hold (common/vp_regrant.c, issue 16
 * finding 4).  A simulated frontend drives vp_regrant_decide() the way
 * frontend/xenbus.c does, against a simulated grant table: each connect
 * grants a set of SET pages; each teardown revokes them, and pages the
 * backend maps stay held until it unmaps them.
 */
#include "vp_test.h"
#include "vp_regrant.h"
#include "vp_xenbus.h"

#define SET 517u	/* control + 4 rings + 2 x 256 pool pages */

struct sim_guest {
	struct vp_regrant g;
	u32 live;		/* pages of the current set */
	u32 held;		/* revoked but still mapped by the backend */
	u32 peak;		/* most pages granted at once */
	u32 sets;		/* sets granted */
	u32 waits, gave_up;
};

static void sim_peak(struct sim_guest *s)
{
	if (s->live + s->held > s->peak)
		s->peak = s->live + s->held;
}

/* The backend went away (Closed); @keeps: it still maps every page. */
static void sim_teardown(struct sim_guest *s, bool keeps)
{
	if (keeps)
		s->held += s->live;
	s->live = 0;
}

/* The backend is at InitWait: what the frontend does. */
static enum vp_regrant_verdict sim_initwait(struct sim_guest *s, u64 now)
{
	enum vp_regrant_verdict v;

	sim_teardown(s, true);	/* a live set still mapped is held too */
	v = vp_regrant_decide(&s->g, s->held, now);
	if (v == VP_REGRANT_GRANT) {
		s->live = SET;
		s->sets++;
	} else if (v == VP_REGRANT_WAIT) {
		s->waits++;
	} else if (v == VP_REGRANT_GIVE_UP) {
		s->gave_up++;
	}
	sim_peak(s);
	return v;
}

/*
 * The attack: a backend that maps every page it is given and cycles
 * InitWait -> Closed -> InitWait 1000 times, never unmapping.  The guest
 * must never hold more than one set, and must give up.
 */
static void test_cycling_backend_bounded(void **state)
{
	struct sim_guest s = { 0 };
	u64 now = 1000;
	int i;

	(void)state;
	vp_regrant_init(&s.g);
	for (i = 0; i < 1000; i++, now += 10) {
		vp_regrant_backend_seen(&s.g, false);	/* Closed */
		vp_regrant_backend_seen(&s.g, true);
		sim_initwait(&s, now);
	}
	assert_int_equal(s.sets, 1);
	assert_true(s.peak <= SET);
	assert_int_equal(s.waits, VP_REGRANT_WAITS_MAX - 1);
	assert_int_equal(s.gave_up, 1);
	assert_true(s.g.gave_up);
	/* Gave up: nothing more, even once the backend let go. */
	s.held = 0;
	assert_int_equal(vp_regrant_decide(&s.g, 0, now), VP_REGRANT_GAVE_UP);
}

/* Restarts that unmap first (a module reload): always a new set. */
static void test_clean_restarts_reconnect(void **state)
{
	struct sim_guest s = { 0 };
	u64 now = 5;
	int i;

	(void)state;
	vp_regrant_init(&s.g);
	for (i = 0; i < 200; i++, now += 10000) {
		s.live = 0;	/* the backend unmapped before Closed */
		assert_int_equal(sim_initwait(&s, now), VP_REGRANT_GRANT);
	}
	assert_int_equal(s.sets, 200);
	assert_int_equal(s.peak, SET);
	assert_false(s.g.gave_up);
}

/* A backend slow to unmap once: wait, then connect when it let go. */
static void test_late_unmap_waits_then_connects(void **state)
{
	struct sim_guest s = { 0 };

	(void)state;
	vp_regrant_init(&s.g);
	assert_int_equal(sim_initwait(&s, 0), VP_REGRANT_GRANT);
	assert_int_equal(sim_initwait(&s, 100), VP_REGRANT_WAIT);
	s.held = 0;	/* it unmapped */
	assert_int_equal(sim_initwait(&s, 200), VP_REGRANT_GRANT);
	/* The wait count starts again: two more waits before giving up. */
	assert_int_equal(sim_initwait(&s, 300), VP_REGRANT_WAIT);
	assert_int_equal(s.g.waits, 1);
	assert_int_equal(s.sets, 2);
	assert_true(s.peak <= SET);
}

/* Clean restarts, but too fast: give up after CONNECTS_MAX in the window. */
static void test_restart_storm_given_up(void **state)
{
	struct sim_guest s = { 0 };
	u64 now = 0;
	u32 i;

	(void)state;
	vp_regrant_init(&s.g);
	for (i = 0; i < VP_REGRANT_CONNECTS_MAX; i++, now += 100) {
		s.live = 0;
		assert_int_equal(sim_initwait(&s, now), VP_REGRANT_GRANT);
	}
	s.live = 0;
	assert_int_equal(sim_initwait(&s, now), VP_REGRANT_GIVE_UP);
	assert_int_equal(sim_initwait(&s, now + VP_REGRANT_WINDOW_MS),
			 VP_REGRANT_GAVE_UP);
}

/* The window slides: CONNECTS_MAX per window, spread out, is fine. */
static void test_window_resets(void **state)
{
	struct vp_regrant g;
	u64 now = 0;
	u32 w, i;

	(void)state;
	vp_regrant_init(&g);
	for (w = 0; w < 5; w++) {
		for (i = 0; i < VP_REGRANT_CONNECTS_MAX; i++)
			assert_int_equal(vp_regrant_decide(&g, 0, now + i),
					 VP_REGRANT_GRANT);
		now += VP_REGRANT_WINDOW_MS;
	}
	assert_false(g.gave_up);
}

/*
 * A frontend driven by watch events, as frontend/xenbus.c is: each event
 * reads the backend's state as it is now (@read), which a slow frontend
 * may read after the backend moved on.  Returns the verdict, or -1 when
 * the state walk asked for none.
 */
struct sim_front {
	struct sim_guest s;
	enum vp_xb_state state;
	u32 rereads;
	int gave_up_cycle;
};

static int sim_event(struct sim_front *f, enum vp_xb_state read, int cycle)
{
	enum vp_regrant_verdict v;
	enum vp_xb_action act;

	vp_regrant_backend_seen(&f->s.g, read == VP_XB_INITWAIT);
	if (f->s.g.gave_up)
		return -1;
	act = vp_xb_front_on_back(f->state, read);
	if (act == VP_XB_ACT_DISCONNECT) {
		sim_teardown(&f->s, true);
		f->state = VP_XB_CLOSED;
		return -1;
	}
	if (act != VP_XB_ACT_CONNECT && act != VP_XB_ACT_RESET)
		return -1;
	v = sim_initwait(&f->s, 1000 * (u64)cycle);
	switch (v) {
	case VP_REGRANT_GRANT:
		f->state = VP_XB_INITIALISED;
		break;
	case VP_REGRANT_WAIT_SAME:
		f->rereads++;
		f->state = VP_XB_INITIALISING;
		break;
	case VP_REGRANT_WAIT:
		f->state = VP_XB_INITIALISING;
		break;
	default:
		f->gave_up_cycle = cycle;
		f->state = VP_XB_CLOSED;
		break;
	}
	return (int)v;
}

/*
 * The watch fires twice for each InitWait (a spurious event: the
 * frontend reads InitWait both times).  One restart is one wait: the
 * frontend gives up at the backend's (WAITS_MAX + 1)th InitWait, the
 * first being the one it granted at, as with one event each.
 */
static void test_initwait_read_twice_counted_once(void **state)
{
	struct sim_front f = { .state = VP_XB_INITIALISING };
	int c;

	(void)state;
	vp_regrant_init(&f.s.g);
	assert_int_equal(sim_event(&f, VP_XB_INITWAIT, 1), VP_REGRANT_GRANT);
	assert_int_equal(sim_event(&f, VP_XB_INITWAIT, 1), -1);
	for (c = 2; c <= 10; c++) {
		sim_event(&f, VP_XB_CLOSED, c);
		sim_event(&f, VP_XB_INITWAIT, c);
		sim_event(&f, VP_XB_INITWAIT, c);
	}
	assert_int_equal(f.gave_up_cycle, VP_REGRANT_WAITS_MAX + 1);
	assert_int_equal(f.s.waits, VP_REGRANT_WAITS_MAX - 1);
	assert_int_equal(f.rereads, VP_REGRANT_WAITS_MAX - 1);
	assert_int_equal(f.s.sets, 1);
	assert_true(f.s.peak <= SET);
}

/*
 * A slow frontend handles a restart's Closed event only once the backend
 * is at InitWait again: it reads InitWait for both events of that restart
 * and cannot tell it from the InitWait it already waited at.  It counts
 * it at most once (here: not at all), so it gives up no sooner than at
 * the third InitWait with pages held that it could tell apart.
 */
static void test_slow_frontend_never_gives_up_early(void **state)
{
	struct sim_front f = { .state = VP_XB_INITIALISING };
	int c;

	(void)state;
	vp_regrant_init(&f.s.g);
	assert_int_equal(sim_event(&f, VP_XB_INITWAIT, 1), VP_REGRANT_GRANT);
	for (c = 2; c <= 10; c++) {
		sim_event(&f, c == 3 ? VP_XB_INITWAIT : VP_XB_CLOSED, c);
		sim_event(&f, VP_XB_INITWAIT, c);
	}
	/* Restarts 2, 4 and 5 told apart; 3 hidden. */
	assert_int_equal(f.gave_up_cycle, VP_REGRANT_WAITS_MAX + 2);
	assert_int_equal(f.rereads, 2);
	assert_int_equal(f.s.sets, 1);
	assert_true(f.s.peak <= SET);
}

/* Waiting, the same InitWait read again once the backend let go: grant. */
static void test_reread_after_unmap_grants(void **state)
{
	struct sim_front f = { .state = VP_XB_INITIALISING };

	(void)state;
	vp_regrant_init(&f.s.g);
	assert_int_equal(sim_event(&f, VP_XB_INITWAIT, 1), VP_REGRANT_GRANT);
	sim_event(&f, VP_XB_CLOSED, 2);
	assert_int_equal(sim_event(&f, VP_XB_INITWAIT, 2), VP_REGRANT_WAIT);
	assert_int_equal(sim_event(&f, VP_XB_INITWAIT, 2),
			 VP_REGRANT_WAIT_SAME);
	f.s.held = 0;	/* it unmapped */
	assert_int_equal(sim_event(&f, VP_XB_INITWAIT, 2), VP_REGRANT_GRANT);
	assert_int_equal(f.s.sets, 2);
	assert_false(f.s.g.waiting);
	assert_int_equal(f.s.g.waits, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cycling_backend_bounded),
		cmocka_unit_test(test_clean_restarts_reconnect),
		cmocka_unit_test(test_late_unmap_waits_then_connects),
		cmocka_unit_test(test_restart_storm_given_up),
		cmocka_unit_test(test_window_resets),
		cmocka_unit_test(test_initwait_read_twice_counted_once),
		cmocka_unit_test(test_slow_frontend_never_gives_up_early),
		cmocka_unit_test(test_reread_after_unmap_grants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
