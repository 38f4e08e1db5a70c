// SPDX-License-Identifier: MIT
/* Ring index math: wrap-around, full and empty, event index rule. */
#include "vp_test.h"
#include "vp_ring.h"

static void test_used_across_wrap(void **state)
{
	(void)state;
	assert_int_equal(vp_ring_used(5, 0xfffffffbu), 10);
	assert_true(vp_ring_sane(5, 0xfffffffbu, 16));
	assert_false(vp_ring_sane(5, 0xfffffffbu, 8));
	assert_int_equal(vp_ring_free(5, 0xfffffffbu, 16), 6);
}

static void test_full_and_empty(void **state)
{
	(void)state;
	assert_int_equal(vp_ring_used(0xffffffffu, 0xffffffffu), 0);
	assert_int_equal(vp_ring_free(0xffffffffu, 0xffffffffu, 256), 256);
	assert_int_equal(vp_ring_free(255, 0xffffffffu, 256), 0);
	assert_true(vp_ring_sane(255, 0xffffffffu, 256));
	assert_false(vp_ring_sane(256, 0xffffffffu, 256));
}

static void test_backwards_index_is_insane(void **state)
{
	(void)state;
	/* A producer index that moved back behind cons looks huge. */
	assert_false(vp_ring_sane(99, 100, 256));
	assert_false(vp_ring_sane(0, 1, VPRIME_RING_SIZE));
}

static void test_need_event(void **state)
{
	(void)state;
	/* Consumer asked for an event when prod passes 10. */
	assert_true(vp_ring_need_event(10, 11, 10));
	assert_true(vp_ring_need_event(10, 40, 5));
	assert_false(vp_ring_need_event(10, 10, 5));
	assert_false(vp_ring_need_event(50, 40, 5));
	/* Across the wrap. */
	assert_true(vp_ring_need_event(0xfffffffeu, 3, 0xfffffff0u));
	assert_false(vp_ring_need_event(5, 3, 0xfffffff0u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_used_across_wrap),
		cmocka_unit_test(test_full_and_empty),
		cmocka_unit_test(test_backwards_index_is_insane),
		cmocka_unit_test(test_need_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
