// SPDX-License-Identifier: MIT
/* Strict parsers for xenstore values and names. */
#include "vp_test.h"
#include "vp_parse.h"

static void test_u32(void **state)
{
	u32 v = 77;

	(void)state;
	assert_int_equal(vp_parse_u32("256", 3, 1, 256, &v), 0);
	assert_int_equal(v, 256);
	assert_int_equal(vp_parse_u32("0", 1, 0, 9, &v), 0);
	assert_int_equal(v, 0);
	/* A trailing NUL ends the value; bytes past it are ignored. */
	assert_int_equal(vp_parse_u32("12\0zz", 5, 0, 99, &v), 0);
	assert_int_equal(v, 12);
	v = 77;
	assert_int_equal(vp_parse_u32("257", 3, 1, 256, &v), -ERANGE);
	assert_int_equal(vp_parse_u32("", 0, 0, 9, &v), -EINVAL);
	assert_int_equal(vp_parse_u32("-1", 2, 0, 9, &v), -EINVAL);
	assert_int_equal(vp_parse_u32("+1", 2, 0, 9, &v), -EINVAL);
	assert_int_equal(vp_parse_u32(" 1", 2, 0, 9, &v), -EINVAL);
	assert_int_equal(vp_parse_u32("1 ", 2, 0, 9, &v), -EINVAL);
	assert_int_equal(vp_parse_u32("01", 2, 0, 9, &v), -EINVAL);
	assert_int_equal(vp_parse_u32("0x10", 4, 0, 99, &v), -EINVAL);
	assert_int_equal(vp_parse_u32("4294967296", 10, 0, 0xffffffffu, &v),
			 -ERANGE);
	assert_int_equal(vp_parse_u32("99999999999", 11, 0, 0xffffffffu, &v),
			 -EINVAL);
	/* Not NUL terminated within len: only len bytes are read. */
	assert_int_equal(vp_parse_u32("123456", 2, 0, 99, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(v, 12);
}

static void test_bool(void **state)
{
	bool b = false;

	(void)state;
	assert_int_equal(vp_parse_bool("1", 1, &b), 0);
	assert_true(b);
	assert_int_equal(vp_parse_bool("2", 1, &b), -ERANGE);
	assert_int_equal(vp_parse_bool("yes", 3, &b), -EINVAL);
	assert_true(b);
}

static void test_mac(void **state)
{
	u8 mac[6] = { 9, 9, 9, 9, 9, 9 };
	char out[18];

	(void)state;
	assert_int_equal(vp_parse_mac("00:16:3e:0A:bc:01", 17, mac), 0);
	assert_memory_equal(mac, "\x00\x16\x3e\x0a\xbc\x01", 6);
	vp_format_mac(mac, out);
	assert_string_equal(out, "00:16:3e:0a:bc:01");
	assert_int_equal(vp_parse_mac("01:16:3e:0a:bc:01", 17, mac), -EINVAL);
	assert_int_equal(vp_parse_mac("00:00:00:00:00:00", 17, mac), -EINVAL);
	assert_int_equal(vp_parse_mac("00:16:3e:0a:bc:0", 16, mac), -EINVAL);
	assert_int_equal(vp_parse_mac("00-16-3e-0a-bc-01", 17, mac), -EINVAL);
	assert_int_equal(vp_parse_mac("00:16:3e:0a:bc:0g", 17, mac), -EINVAL);
	assert_int_equal(vp_parse_mac("00:16:3e:0a:bc:01:", 18, mac), -EINVAL);
	assert_memory_equal(mac, "\x00\x16\x3e\x0a\xbc\x01", 6);
}

static void test_name(void **state)
{
	char out[VPRIME_NAME_LEN];

	(void)state;
	assert_int_equal(vp_parse_name("h1.eth-0_a", 10, out), 0);
	assert_string_equal(out, "h1.eth-0_a");
	assert_int_equal(vp_parse_name("", 0, out), -EINVAL);
	assert_int_equal(vp_parse_name("-x", 2, out), -EINVAL);
	assert_int_equal(vp_parse_name("a b", 3, out), -EINVAL);
	assert_int_equal(vp_parse_name("a/b", 3, out), -EINVAL);
	assert_int_equal(vp_parse_name("0123456789012345678901234567890", 31,
				       out), 0);
	assert_int_equal(vp_parse_name("01234567890123456789012345678901", 32,
				       out), -EINVAL);
}

static void test_versions(void **state)
{
	u32 best = 0;

	(void)state;
	assert_int_equal(vp_parse_versions("1", 1, 1, &best), 0);
	assert_int_equal(best, 1);
	assert_int_equal(vp_parse_versions("3,1,2", 5, 2, &best), 0);
	assert_int_equal(best, 2);
	assert_int_equal(vp_parse_versions("2,3", 3, 1, &best), -ERANGE);
	assert_int_equal(vp_parse_versions("1,", 2, 1, &best), -EINVAL);
	assert_int_equal(vp_parse_versions(",1", 2, 1, &best), -EINVAL);
	assert_int_equal(vp_parse_versions("1,,2", 4, 2, &best), -EINVAL);
	assert_int_equal(vp_parse_versions("0", 1, 1, &best), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u32),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
