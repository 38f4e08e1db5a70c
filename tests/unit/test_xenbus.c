// SPDX-License-Identifier: MIT
/*
 * The xenbus state walk of both ends, including reconnects; the per-device
 * pool size from the toolstack's pool-pages to the backend's check of the
 * frontend's control page.
 */
#include <errno.h>

#include "vp_front.h"
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

/* A xenstore value as the backend reads it: its bytes, no NUL needed. */
static int offer(const char *s, u32 def, u32 *out)
{
	return vp_xb_pool_offer(s, s ? (u32)strlen(s) : 0, def, out);
}

/* The toolstack's pool-pages: absent = the module's, else strict 8..256. */
static void test_pool_offer(void **state)
{
	static const char *const bad_form[] = {
		"", "0128", "+64", "-8", " 64", "64 ", "1e2", "0x40", "12a",
		"99999999999",
	};
	static const char *const bad_range[] = { "0", "7", "257", "4096" };
	u32 v = 12345, i;

	(void)state;
	assert_int_equal(offer(NULL, 256, &v), 0);
	assert_int_equal(v, 256);
	assert_int_equal(offer(NULL, 32, &v), 0);	/* max_pool_pages=32 */
	assert_int_equal(v, 32);
	assert_int_equal(offer("8", 256, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(offer("256", 32, &v), 0);	/* above the module's */
	assert_int_equal(v, 256);
	assert_int_equal(offer("13", 256, &v), 0);	/* no power of two */
	assert_int_equal(v, 13);
	/* a value stored with its NUL, as xenstore may hand it over */
	assert_int_equal(vp_xb_pool_offer("64", 3, 256, &v), 0);
	assert_int_equal(v, 64);
	for (i = 0; i < sizeof(bad_form) / sizeof(bad_form[0]); i++) {
		v = 777;
		assert_int_equal(offer(bad_form[i], 256, &v), -EINVAL);
		assert_int_equal(v, 777);	/* untouched */
	}
	for (i = 0; i < sizeof(bad_range) / sizeof(bad_range[0]); i++) {
		v = 777;
		assert_int_equal(offer(bad_range[i], 256, &v), -ERANGE);
		assert_int_equal(v, 777);
	}
	/* only the first @len bytes count */
	assert_int_equal(vp_xb_pool_offer("2561", 3, 256, &v), 0);
	assert_int_equal(v, 256);
}

/* The frontend's choice: its wish within the offer, never below 8. */
static void test_pool_pick(void **state)
{
	(void)state;
	assert_int_equal(vp_xb_pool_pick(256, 256), 256);
	assert_int_equal(vp_xb_pool_pick(256, 32), 32);	/* dom0 smaller */
	assert_int_equal(vp_xb_pool_pick(16, 256), 16);	/* guest smaller */
	assert_int_equal(vp_xb_pool_pick(0, 256), VPRIME_POOL_PAGES_MIN);
	assert_int_equal(vp_xb_pool_pick(8, 8), 8);
	for (u32 o = VPRIME_POOL_PAGES_MIN; o <= VPRIME_POOL_PAGES_MAX; o++)
		for (u32 w = 0; w <= VPRIME_POOL_PAGES_MAX + 4; w += 7) {
			u32 p = vp_xb_pool_pick(w, o);

			assert_true(p >= VPRIME_POOL_PAGES_MIN && p <= o);
		}
}

/*
 * Both ends: the toolstack's value (or none) becomes the offer, the
 * frontend picks with its own wish, publishes the size in xenstore and in
 * its control page, and the backend's one read of the control page
 * (vp_ctrl_read, with the device's offer as the limit) takes it.  Returns
 * what vp_ctrl_read said; *used gets the pool the backend would map.
 */
static int negotiate(const char *xs, u32 def, u32 want, u32 *used)
{
	static struct vprime_ctrl ctrl;
	static struct vp_conn_params par;
	const char *why = NULL;
	u32 max, pick;
	int err;

	err = offer(xs, def, &max);
	if (err)
		return err;
	pick = vp_xb_pool_pick(want, max);
	vp_front_ctrl_init(&ctrl, pick, pick);
	err = vp_ctrl_read(&ctrl, pick, pick, max, &par, &why);
	if (!err)
		*used = par.tx_pool_pages + par.rx_pool_pages;
	return err;
}

static void test_pool_negotiate(void **state)
{
	static struct vprime_ctrl ctrl;
	static struct vp_conn_params par;
	const char *why = NULL;
	u32 used = 0;

	(void)state;
	/* an older toolstack (no key): the module's default, as before */
	assert_int_equal(negotiate(NULL, 256, 256, &used), 0);
	assert_int_equal(used, 512);
	/* pool=16 on the xl line: dom0 maps 2 x 16 pool pages */
	assert_int_equal(negotiate("16", 256, 256, &used), 0);
	assert_int_equal(used, 32);
	/* larger than a host-wide max_pool_pages=32 for this one device */
	assert_int_equal(negotiate("128", 32, 256, &used), 0);
	assert_int_equal(used, 256);
	/* a guest that wants less gets less; an odd size is fine */
	assert_int_equal(negotiate("200", 256, 13, &used), 0);
	assert_int_equal(used, 26);
	/* a bad toolstack value never reaches a guest */
	assert_int_equal(negotiate("300", 256, 256, &used), -ERANGE);
	assert_int_equal(negotiate("x", 256, 256, &used), -EINVAL);

	/* A guest that ignores the offer of 16 and claims 17: refused. */
	vp_front_ctrl_init(&ctrl, 17, 16);
	assert_int_equal(vp_ctrl_read(&ctrl, 17, 16, 16, &par, &why), -ERANGE);
	assert_non_null(why);
	/* ...or states one size in xenstore and another in its page. */
	vp_front_ctrl_init(&ctrl, 16, 16);
	assert_int_equal(vp_ctrl_read(&ctrl, 16, 8, 16, &par, &why), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_back_walk),
		cmocka_unit_test(test_back_answers),
		cmocka_unit_test(test_front_reconnects),
		cmocka_unit_test(test_pool_offer),
		cmocka_unit_test(test_pool_pick),
		cmocka_unit_test(test_pool_negotiate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
