// SPDX-License-Identifier: MIT
/* The log2 latency histogram: bucket edges, zero, huge values, names. */
#include "vp_test.h"
#include "vp_hist.h"

static void test_zero_and_small(void **state)
{
	(void)state;
	assert_int_equal(vp_hist_bucket(0), 0);
	assert_int_equal(vp_hist_bucket(1), 0);
	assert_int_equal(vp_hist_bucket(1023), 0);
}

static void test_edges(void **state)
{
	u32 k;

	(void)state;
	/* Bucket k (1..20) is [2^(9+k), 2^(10+k)). */
	for (k = 1; k < VP_HIST_NR - 1; k++) {
		u64 lo = 1ull << (9 + k), hi = 1ull << (10 + k);

		assert_int_equal(vp_hist_bucket(lo - 1), k - 1);
		assert_int_equal(vp_hist_bucket(lo), k);
		assert_int_equal(vp_hist_bucket(hi - 1), k);
		assert_int_equal(vp_hist_bound(k - 1), lo);
	}
	assert_int_equal(vp_hist_bucket(1024), 1);
	assert_int_equal(vp_hist_bucket((1ull << 30) - 1), VP_HIST_NR - 2);
	assert_int_equal(vp_hist_bucket(1ull << 30), VP_HIST_NR - 1);
	assert_int_equal(vp_hist_bound(VP_HIST_NR - 1), 0);
}

static void test_huge(void **state)
{
	(void)state;
	assert_int_equal(vp_hist_bucket(1ull << 31), VP_HIST_NR - 1);
	assert_int_equal(vp_hist_bucket(UINT64_MAX), VP_HIST_NR - 1);
	assert_int_equal(vp_hist_bucket(1ull << 63), VP_HIST_NR - 1);
}

static void test_add(void **state)
{
	struct vp_hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	vp_hist_add(&h, 0);
	vp_hist_add(&h, 1500);
	vp_hist_add(&h, UINT64_MAX);
	vp_hist_add_n(h.b, 3000, 4);
	vp_hist_add_n(h.b, 5, 0);
	assert_int_equal(h.b[0], 1);
	assert_int_equal(h.b[1], 1);
	assert_int_equal(h.b[2], 4);
	assert_int_equal(h.b[VP_HIST_NR - 1], 1);
	assert_int_equal(vp_hist_total(h.b), 7);
}

static void test_labels(void **state)
{
	(void)state;
	assert_string_equal(vp_hist_label(0), "le_1us");
	assert_string_equal(vp_hist_label(1), "le_2us");
	assert_string_equal(vp_hist_label(9), "le_512us");
	assert_string_equal(vp_hist_label(10), "le_1ms");
	assert_string_equal(vp_hist_label(20), "le_1s");
	assert_string_equal(vp_hist_label(VP_HIST_NR - 1), "over_1s");
	assert_null(vp_hist_label(VP_HIST_NR));
}

/* The per-port counters carry the histogram in bucket order. */
static void test_port_stats_layout(void **state)
{
	(void)state;
	assert_int_equal(VPRIME_STAT_lat_to_guest_over_1s -
			 VPRIME_STAT_lat_to_guest_le_1us, VP_HIST_NR - 1);
	assert_int_equal(VPRIME_STAT_lat_to_guest_le_1us,
			 VPRIME_STAT_engine_lost + 1);
	assert_true(VPRIME_STAT_MAX <= VPRIME_STATS_CAP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_and_small),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_port_stats_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
