// SPDX-License-Identifier: MIT
/*
 * test_xlcfg.c - the xl-config reader of vprimectl (tools/xlcfg.c): what it
 * takes from valid configs, and a clear "line N: why" for each bad one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vpctl.h"

static struct vpx_cfg cfg;
static char err[VPCTL_ERR_LEN];

static int parse(const char *s)
{
	return vpx_parse(s, strlen(s), &cfg, err, sizeof(err));
}

static void expect_error(const char *text, const char *msg)
{
	int r = parse(text);

	if (r != -EINVAL || !strstr(err, msg))
		fail_msg("config <<%s>>: r=%d err='%s', wanted '%s'", text, r, err,
			 msg);
	assert_int_equal(cfg.ndev, 0);
}

static void test_basic(void **state)
{
	(void)state;
	assert_int_equal(parse(
		"# guest\nname = \"h1\"\ntype='pv'\nmemory = 256\n"
		"vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]\n"
		"vprime = [ 'mac=00:16:3e:76:01:01,name=h1-eth1', "
		"\"mac=00:16:3E:76:01:02,devid=4,mtu=9000\" ]\n"), 0);
	assert_true(cfg.has_domname);
	assert_string_equal(cfg.domname, "h1");
	assert_true(cfg.has_vprime);
	assert_int_equal(cfg.ndev, 2);
	assert_memory_equal(cfg.dev[0].mac, "\x00\x16\x3e\x76\x01\x01", 6);
	assert_true(cfg.dev[0].has_name);
	assert_string_equal(cfg.dev[0].name, "h1-eth1");
	assert_int_equal(cfg.dev[0].devid, 0);
	assert_false(cfg.dev[0].has_mtu);
	assert_int_equal(cfg.dev[1].devid, 4);
	assert_int_equal(cfg.dev[1].mtu, 9000);
	assert_int_equal(cfg.dev[1].line, 6);
}

static void test_layout(void **state)
{
	(void)state;
	/* multi-line list, comments, trailing comma, ';', blanks in a spec */
	assert_int_equal(parse(
		"name='g'; memory=128\n"
		"vprime = [\n"
		"   'mac=00:16:3e:00:00:01' , # first\n"
		"\n"
		"   ' mac=00:16:3e:00:00:02 , name=b ',\n"
		"]   # end\n"), 0);
	assert_int_equal(cfg.ndev, 2);
	assert_string_equal(cfg.dev[1].name, "b");
	assert_int_equal(cfg.dev[1].devid, 1);
	/* no vprime key at all */
	assert_int_equal(parse("name = \"x\"\n"), 0);
	assert_false(cfg.has_vprime);
	assert_int_equal(cfg.ndev, 0);
	/* an empty list */
	assert_int_equal(parse("vprime=[]"), 0);
	assert_true(cfg.has_vprime);
	assert_false(cfg.has_domname);
	/* empty file, only comments */
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse("# nothing\n\n  \n"), 0);
}

static void test_assign(void **state)
{
	(void)state;
	/* the last assignment wins; += appends */
	assert_int_equal(parse(
		"vprime = [ 'mac=00:16:3e:00:00:01' ]\n"
		"vprime = [ 'mac=00:16:3e:00:00:02' ]\n"
		"vprime += [ 'mac=00:16:3e:00:00:03' ]\n"
		"name = 'a'\nname = 'b'\n"), 0);
	assert_int_equal(cfg.ndev, 2);
	assert_int_equal(cfg.dev[0].mac[5], 2);
	assert_int_equal(cfg.dev[1].mac[5], 3);
	assert_string_equal(cfg.domname, "b");
}

static void test_devids(void **state)
{
	(void)state;
	/* explicit ids are kept; the others take the lowest free ones */
	assert_int_equal(parse(
		"vprime = [ 'mac=00:16:3e:00:00:01', 'mac=00:16:3e:00:00:02,devid=0',"
		" 'mac=00:16:3e:00:00:03,devid=2', 'mac=00:16:3e:00:00:04' ]"), 0);
	assert_int_equal(cfg.dev[0].devid, 1);
	assert_int_equal(cfg.dev[1].devid, 0);
	assert_int_equal(cfg.dev[2].devid, 2);
	assert_int_equal(cfg.dev[3].devid, 3);
}

static void test_bad_specs(void **state)
{
	(void)state;
	expect_error("vprime = [ 'name=x' ]", "line 1: vprime device 0: device "
		     "spec without mac=");
	expect_error("vprime = [ 'mac=01:16:3e:00:00:01' ]", "bad mac");
	expect_error("vprime = [ 'mac=00:00:00:00:00:00' ]", "bad mac");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:1' ]", "bad mac");
	expect_error("vprime = [ 'mac=00-16-3e-00-00-01' ]", "bad mac");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,mac=00:16:3e:00:00:02' ]",
		     "mac given twice");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]",
		     "unknown key 'bridge'");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,,name=a' ]", "empty item");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,' ]", "empty item");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,name' ]", "not key=value");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,name=-a' ]", "bad name");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,name="
		     "abcdefghijabcdefghijabcdefghijab' ]", "bad name");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,name=a b' ]", "bad name");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,devid=01' ]", "bad devid");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,devid=65536' ]",
		     "bad devid");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,devid=-1' ]", "bad devid");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,mtu=67' ]", "bad mtu");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,mtu=9001' ]", "bad mtu");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,pool=7' ]", "bad pool '7' "
		     "(pages per direction, decimal 8..256)");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,pool=257' ]", "bad pool");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,pool=0' ]", "bad pool");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,pool=064' ]", "bad pool");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,pool=' ]", "bad pool");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,pool=1M' ]", "bad pool");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,pool=16,pool=16' ]",
		     "pool given twice");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,pools=16' ]",
		     "unknown key 'pools' (known: mac, name, devid, mtu, pool)");
	expect_error("vprime = [ '' ]", "empty device spec");
	expect_error("vprime = [ \"mac=00:16:3e:00:00:01\\,name=a\" ]",
		     "backslash");
}

static void test_bad_sets(void **state)
{
	(void)state;
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01', 'mac=00:16:3E:00:00:01' ]",
		     "devices 0 and 1 have the same mac");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,name=a', "
		     "'mac=00:16:3e:00:00:02,name=a' ]", "same name 'a'");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01,devid=3', "
		     "'mac=00:16:3e:00:00:02,devid=3' ]", "same devid 3");
}

static void test_bad_syntax(void **state)
{
	(void)state;
	expect_error("vprime = 'mac=00:16:3e:00:00:01'", "vprime must be a list");
	expect_error("vprime = 3", "vprime must be a list");
	expect_error("vprime = [ [ 'mac=00:16:3e:00:00:01' ] ]", "not of lists");
	expect_error("vprime = [ 3 ]", "not a number");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01' ", "expected ',' or ']'");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01' 'x' ]", "expected ','");
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01 ]", "unterminated string");
	expect_error("name = [ 'a' ]", "name is a string");
	expect_error("name = ''", "name must be");
	expect_error("name += 'a'", "name += is not allowed");
	expect_error("memory 128", "expected '='");
	expect_error("= 3", "expected a setting name");
	expect_error("memory = 128 256", "expected the end of the line");
	expect_error("a = ", "expected a value");
	expect_error("a = $", "unexpected '$'");
	expect_error("\nname = \"x\"\nmemory = 1\n  vprime = [ 'mac=x' ]\n",
		     "line 4:");
	/* an error elsewhere in the file still fails: xl would refuse it */
	expect_error("vprime = [ 'mac=00:16:3e:00:00:01' ]\nfoo = [ 1, \n",
		     "line 3: expected a value");
	{
		const char nul[] = "name = 'a\0b'\n";

		assert_int_equal(vpx_parse(nul, sizeof(nul) - 1, &cfg, err,
					   sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "unterminated"));
	}
}

static void test_limits(void **state)
{
	char *big;
	size_t n = 0;
	uint32_t i;

	(void)state;
	big = malloc(VPX_TEXT_MAX + 64);
	assert_non_null(big);
	n += (size_t)sprintf(big, "vprime = [");
	for (i = 0; i <= VPX_DEVS_MAX; i++)
		n += (size_t)sprintf(big + n, "'mac=00:16:3e:00:%02x:%02x',",
				     i >> 8, i & 255);
	strcpy(big + n, "]\n");
	assert_int_equal(vpx_parse(big, strlen(big), &cfg, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "more than 64 vprime devices"));
	/* deep nesting elsewhere is refused, not recursed into */
	memset(big, '[', 100);
	memcpy(big, "x = ", 4);
	assert_int_equal(vpx_parse(big, 100, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "nested too deeply"));
	memset(big, ' ', VPX_TEXT_MAX + 1);
	assert_int_equal(vpx_parse(big, VPX_TEXT_MAX + 1, &cfg, err, sizeof(err)),
			 -E2BIG);
	free(big);
	/* a NULL or tiny error buffer is fine */
	assert_int_equal(vpx_parse("x = $", 5, &cfg, NULL, 0), -EINVAL);
	assert_int_equal(vpx_parse("x = $", 5, &cfg, err, 4), -EINVAL);
}

/* pool=: per device, optional, kept apart from the other devices' */
static void test_pool(void **state)
{
	(void)state;
	assert_int_equal(parse(
		"name = 'h1'\n"
		"vprime = [ 'mac=00:16:3e:00:00:01,name=a,pool=128',\n"
		"           'mac=00:16:3e:00:00:02,name=b',\n"
		"           ' pool=8 , mac=00:16:3e:00:00:03',\n"
		"           'mac=00:16:3e:00:00:04,pool=256,devid=9',\n"
		"           'mac=00:16:3e:00:00:05,pool=13' ]\n"), 0);
	assert_int_equal(cfg.ndev, 5);
	assert_true(cfg.dev[0].has_pool);
	assert_int_equal(cfg.dev[0].pool, 128);
	assert_false(cfg.dev[1].has_pool);	/* the backend's default */
	assert_int_equal(cfg.dev[1].pool, 0);
	assert_int_equal(cfg.dev[2].pool, 8);
	assert_int_equal(cfg.dev[3].pool, 256);
	assert_int_equal(cfg.dev[3].devid, 9);
	assert_int_equal(cfg.dev[4].pool, 13);	/* no power of two needed */
	/* the error names the device and the line */
	expect_error("name='x'\nvprime = [ 'mac=00:16:3e:00:00:01',\n"
		     "  'mac=00:16:3e:00:00:02,pool=4' ]",
		     "line 3: vprime device 1: bad pool '4'");
}

static void test_format(void **state)
{
	char s[160];
	struct vpx_dev d = { 0 };
	const char *spec = "name=a,mtu=1400,mac=00:16:3e:00:00:0A,devid=7";

	assert_int_equal(vpx_parse_spec(spec, strlen(spec), &d, err,
					sizeof(err)), 0);
	(void)state;
	vpx_format_spec(&d, s, sizeof(s));
	assert_string_equal(s, "mac=00:16:3e:00:00:0a,name=a,devid=7,mtu=1400");
	spec = "pool=64,mac=00:16:3e:00:00:0b";
	assert_int_equal(vpx_parse_spec(spec, strlen(spec), &d, err,
					sizeof(err)), 0);
	vpx_format_spec(&d, s, sizeof(s));
	assert_string_equal(s, "mac=00:16:3e:00:00:0b,devid=0,pool=64");
	d.has_mtu = true;
	d.mtu = 9000;
	vpx_format_spec(&d, s, sizeof(s));
	assert_string_equal(s, "mac=00:16:3e:00:00:0b,devid=0,mtu=9000,pool=64");
	vpx_format_spec(&d, s, 10);
	assert_int_equal(strlen(s), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_assign),
		cmocka_unit_test(test_devids),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_bad_sets),
		cmocka_unit_test(test_bad_syntax),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
