// SPDX-License-Identifier: MIT
/* The xenbus state walk of both ends, including reconnects. */
#include "vp_test.h"
#include "vp_xenbus.h"

/* Walk the backend from @from to @to; returns the number of steps. */
static int walk(enum vp_xb_state from, enum vp_xb_state to,
		enum vp_xb_state *path)
{
	int n = 0;

	while (from != to && n < 8) {
		from = vp_xb_back_step(from, to);
		path[n++] = from;
	}
	return n;
}

static void test_back_walk(void **state)
{
	enum vp_xb_state p[8];

	(void)state;
	assert_int_equal(walk(VP_XB_INITWAIT, VP_XB_CONNECTED, p), 1);
	assert_int_equal(walk(VP_XB_CONNECTED, VP_XB_CLOSED, p), 2);
	assert_int_equal(p[0], VP_XB_CLOSING);
	assert_int_equal(walk(VP_XB_CONNECTED, VP_XB_INITWAIT, p), 3);
	assert_int_equal(p[2], VP_XB_INITWAIT);
	assert_int_equal(walk(VP_XB_CLOSED, VP_XB_CONNECTED, p), 2);
	assert_int_equal(p[0], VP_XB_INITWAIT);
	assert_int_equal(walk(VP_XB_INITWAIT, VP_XB_CLOSED, p), 2);
	/* Every pair of reachable states is joined by a short path. */
	for (int a = VP_XB_INITWAIT; a <= VP_XB_CLOSED; a++)
		for (int b = VP_XB_INITWAIT; b <= VP_XB_CLOSED; b++)
			if (b != VP_XB_INITIALISED && a != VP_XB_INITIALISED)
				assert_true(walk(a, b, p) <= 4);
}

static void test_back_answers(void **state)
{
	(void)state;
	assert_int_equal(vp_xb_back_on_front(VP_XB_INITWAIT,
					     VP_XB_INITIALISED),
			 VP_XB_ACT_CONNECT);
	assert_int_equal(vp_xb_back_on_front(VP_XB_CONNECTED,
					     VP_XB_CONNECTED), VP_XB_ACT_NONE);
	assert_int_equal(vp_xb_back_on_front(VP_XB_CONNECTED, VP_XB_CLOSING),
			 VP_XB_ACT_DISCONNECT);
	/* Guest rebooted its driver without closing first. */
	assert_int_equal(vp_xb_back_on_front(VP_XB_CONNECTED,
					     VP_XB_INITIALISING),
			 VP_XB_ACT_DISCONNECT);
	assert_int_equal(vp_xb_back_on_front(VP_XB_CONNECTED, VP_XB_UNKNOWN),
			 VP_XB_ACT_REMOVE);
}

static void test_front_reconnects(void **state)
{
	(void)state;
	assert_int_equal(vp_xb_front_on_back(VP_XB_INITIALISING,
					     VP_XB_INITWAIT), VP_XB_ACT_CONNECT);
	assert_int_equal(vp_xb_front_on_back(VP_XB_INITIALISED,
					     VP_XB_CONNECTED),
			 VP_XB_ACT_CONNECTED);
	/* Backend module reloaded: it comes back in InitWait. */
	assert_int_equal(vp_xb_front_on_back(VP_XB_CONNECTED, VP_XB_INITWAIT),
			 VP_XB_ACT_RESET);
	assert_int_equal(vp_xb_front_on_back(VP_XB_CLOSED, VP_XB_INITWAIT),
			 VP_XB_ACT_RESET);
	assert_int_equal(vp_xb_front_on_back(VP_XB_CONNECTED, VP_XB_CLOSING),
			 VP_XB_ACT_DISCONNECT);
	assert_int_equal(vp_xb_front_on_back(VP_XB_CLOSED, VP_XB_CLOSED),
			 VP_XB_ACT_NONE);
	assert_string_equal(vp_xb_state_name(4), "Connected");
	assert_string_equal(vp_xb_state_name(99), "Invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_back_walk),
		cmocka_unit_test(test_back_answers),
		cmocka_unit_test(test_front_reconnects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
