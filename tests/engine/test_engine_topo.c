// SPDX-License-Identifier: MIT
/*
 * test_engine_topo.c - the topology file and the unit parsers: shipped
 * examples load; every bad file is refused with a message that says what
 * and where; durations, rates, probabilities and MACs parse exactly.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine.h"

#ifndef VPE_TOPDIR
#define VPE_TOPDIR "."
#endif

static void test_examples_load(void **state)
{
	static const char *const files[] = { "two-hosts.json", "star-8.json",
					     "dumbbell.json", "routed.json" };
	char path[512], err[VPE_ERR_LEN];
	struct vpe_topo *t;
	u32 i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/engine/topologies/%s", VPE_TOPDIR,
			 files[i]);
		if (vpe_topo_load(path, &t, err, sizeof(err)))
			fail_msg("%s: %s", path, err);
		assert_true(t->nr_nodes > 0);
		vpe_topo_free(t);
	}
	assert_int_equal(vpe_topo_load("/nonexistent.json", &t, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "No such file"));
}

static void test_good_parse(void **state)
{
	static const char js[] =
		"{\"seed\": 3, \"late_threshold\": \"50us\", \"nodes\": ["
		"{\"name\":\"a\",\"type\":\"guest\",\"mac\":\"02:00:5E:00:00:0a\"},"
		"{\"name\":\"b\",\"type\":\"guest\",\"device\":\"web0\"},"
		"{\"name\":\"c\",\"type\":\"guest\",\"domid\":4,\"devid\":1},"
		"{\"name\":\"s\",\"type\":\"switch\"}],"
		"\"links\": [{\"name\":\"x\",\"a\":\"a\",\"b\":\"s\","
		"\"bandwidth\":\"1.5Mbit\",\"delay\":\"2.5ms\",\"jitter\":\"10us\","
		"\"loss\":0.25,\"gilbert_elliott\":{\"p\":0.1,\"r\":0.5},"
		"\"queue\":{\"packets\":7,\"bytes\":9000}},"
		"{\"a\":\"b\",\"b\":\"s\"},{\"a\":\"s\",\"b\":\"c\"}]}";
	char err[VPE_ERR_LEN];
	struct vpe_topo *t;

	(void)state;
	if (vpe_topo_parse(js, strlen(js), &t, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(t->seed, 3);
	assert_int_equal(t->late_ns, 50000);
	assert_int_equal(t->node[0].by, VPE_MATCH_MAC);
	assert_int_equal(t->node[0].mac[5], 0x0a);
	assert_string_equal(t->node[1].dev, "web0");
	assert_int_equal(t->node[2].domid, 4);
	assert_int_equal(t->node[2].devid, 1);
	assert_int_equal(t->link[0].prm.bandwidth_bps, 1500000);
	assert_int_equal(t->link[0].prm.delay_ns, 2500000);
	assert_int_equal(t->link[0].prm.jitter_ns, 10000);
	assert_true(t->link[0].prm.ge.on);
	assert_true(t->link[0].prm.ge.loss_bad == 1.0);
	assert_int_equal(t->link[0].prm.queue_packets, 7);
	assert_int_equal(t->link[0].prm.queue_bytes, 9000);
	assert_string_equal(t->link[1].name, "link1");
	assert_int_equal(t->link[1].prm.queue_packets, 1000);
	vpe_topo_free(t);
}

struct bad { const char *json; const char *msg; };

static void test_bad_files(void **state)
{
#define G(n, m) "{\"name\":\"" n "\",\"type\":\"guest\",\"mac\":\"" m "\"}"
#define N2 "\"nodes\":[" G("a", "02:00:00:00:00:01") "," G("b", "02:00:00:00:00:02") "]"
	static const struct bad bad[] = {
		{ "", "JSON error" },
		{ "{\"nodes\": [", "JSON error" },
		{ "[]", "top level must be an object" },
		{ "{\"nodes\": []}", "'nodes' must be an array of 1.." },
		{ "{\"nodez\": []}", "unknown key 'nodez'" },
		{ "{" N2 ", \"nodes\": []}", "JSON error" },	/* duplicate key */
		{ "{\"nodes\":[{\"name\":\"a\",\"type\":\"hub\"}]}",
		  "unknown type 'hub' (guest, switch or router)" },
		{ "{\"nodes\":[{\"name\":\"a\",\"type\":\"router\"}]}",
		  "a router needs 'interfaces'" },
#define R(ifs, rts) "{\"nodes\":[" G("a", "02:00:00:00:00:01") ",{\"name\":\"r\"," \
	"\"type\":\"router\",\"interfaces\":[" ifs "]" rts "}],\"links\":[{\"name\":" \
	"\"l\",\"a\":\"a\",\"b\":\"r\"}]}"
		{ R("{\"link\":\"l\",\"ip\":\"10.0.0.1\"}", ""), "'ip' must be" },
		{ R("{\"link\":\"l\",\"ip\":\"10.0.0.300/24\"}", ""), "'ip' must be" },
		{ R("{\"link\":\"l\",\"ip\":\"10.0.0.1/31\"}", ""), "'ip' must be" },
		{ R("{\"link\":\"m\",\"ip\":\"10.0.0.1/24\"}", ""),
		  "interface on 'm', which is not one of its links" },
		{ R("{\"link\":\"l\",\"ip\":\"10.0.0.1/24\"},"
		    "{\"link\":\"l\",\"ip\":\"10.0.1.1/24\"}", ""),
		  "two interfaces on link 'l'" },
		{ R("{\"link\":\"l\",\"ip\":\"10.0.0.1/24\",\"mac\":\"01:00:00:00:00:01\"}",
		    ""), "bad unicast mac" },
		{ R("{\"link\":\"l\",\"ip\":\"10.0.0.1/24\"}",
		    ",\"routes\":[{\"prefix\":\"10.1.0.1/16\",\"via\":\"10.0.0.9\"}]"),
		  "host bits set" },
		{ R("{\"link\":\"l\",\"ip\":\"10.0.0.1/24\"}",
		    ",\"routes\":[{\"prefix\":\"10.1.0.0/16\",\"via\":\"10.9.0.9\"}]"),
		  "gateway is on none of its subnets" },
		{ R("{\"link\":\"l\",\"ip\":\"10.0.0.1/24\"}",
		    ",\"routes\":[{\"prefix\":\"10.1.0.0/16\"}]"), "'via' must be" },
		{ "{\"nodes\":[{\"name\":\"a\",\"type\":\"guest\",\"domid\":1,"
		  "\"routes\":[]}]}", "only a router has" },
		{ "{\"nodes\":[{\"name\":\"a b\",\"type\":\"switch\"}]}",
		  "'name' must be" },
		{ "{\"nodes\":[{\"type\":\"switch\"}]}", "'name' must be" },
		{ "{\"nodes\":[{\"name\":\"s\",\"type\":\"switch\"},"
		  "{\"name\":\"s\",\"type\":\"switch\"}]}", "duplicate node name" },
		{ "{\"nodes\":[{\"name\":\"a\",\"type\":\"guest\"}]}",
		  "exactly one of" },
		{ "{\"nodes\":[{\"name\":\"a\",\"type\":\"guest\",\"mac\":\"zz\"}]}",
		  "bad mac" },
		{ "{\"nodes\":[{\"name\":\"a\",\"type\":\"guest\",\"domid\":-1}]}",
		  "'domid' must be" },
		{ "{\"nodes\":[{\"name\":\"a\",\"type\":\"guest\",\"device\":\"x\","
		  "\"mac\":\"02:00:00:00:00:01\"}]}", "exactly one of" },
		{ "{" N2 "}", "guest 'a' has 0 links" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"c\"}]}",
		  "no node named 'c'" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"a\"}]}", "both ends" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"delay\":\"10\"}]}",
		  "delay: bad value '10'" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"delay\":5}]}",
		  "delay: bad value '5'" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"delay\":\"-1ms\"}]}",
		  "delay: bad value" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"delay\":\"2h\"}]}",
		  "delay: bad value" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"delay\":\"7200s\"}]}",
		  "out of range" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"bandwidth\":\"10MB\"}]}",
		  "bandwidth: bad value" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"loss\":1.5}]}",
		  "loss: '1.5' out of range" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"loss\":\"nan\"}]}",
		  "loss: bad value" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"queue\":{\"packets\":0}}]}",
		  "queue_packets: '0' out of range" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"queue\":{\"pkts\":1}}]}",
		  "unknown key 'pkts'" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\","
		  "\"gilbert_elliott\":{\"p\":0.1}}]}", "needs 'p' and 'r'" },
		{ "{" N2 ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"color\":1}]}",
		  "unknown key 'color'" },
		{ "{\"nodes\":[{\"name\":\"s\",\"type\":\"switch\"},{\"name\":\"t\","
		  "\"type\":\"switch\"}],\"links\":[{\"name\":\"x\",\"a\":\"s\",\"b\":\"t\"},"
		  "{\"name\":\"x\",\"a\":\"s\",\"b\":\"t\"}]}", "(x): duplicate link name" },
		{ "{\"nodes\":[" G("a", "02:00:00:00:00:01") "," G("b", "02:00:00:00:00:01")
		  "],\"links\":[{\"a\":\"a\",\"b\":\"b\"}]}", "name the same device" },
		{ "{\"seed\": \"x\"," N2 "}", "'seed' must be" },
		{ "{\"late_threshold\": 5," N2 "}", "'late_threshold' must be" },
	};
	char err[VPE_ERR_LEN];
	struct vpe_topo *t;
	u32 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		t = (struct vpe_topo *)1;
		if (vpe_topo_parse(bad[i].json, strlen(bad[i].json), &t, err,
				   sizeof(err)) != -EINVAL)
			fail_msg("case %u accepted: %s", i, bad[i].json);
		assert_null(t);
		if (!strstr(err, bad[i].msg))
			fail_msg("case %u: '%s' does not say '%s'", i, err,
				 bad[i].msg);
	}
}

static void test_units(void **state)
{
	u64 v;
	double p;
	u8 mac[6];

	(void)state;
	assert_int_equal(vpe_parse_duration("0ns", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vpe_parse_duration("1.5us", &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(vpe_parse_duration("3s", &v), 0);
	assert_int_equal(v, 3000000000ull);
	assert_int_equal(vpe_parse_duration("3", &v), -EINVAL);
	assert_int_equal(vpe_parse_duration("ms", &v), -EINVAL);
	assert_int_equal(vpe_parse_duration("0x10ms", &v), -EINVAL);
	assert_int_equal(vpe_parse_duration("inf ms", &v), -EINVAL);
	assert_int_equal(vpe_parse_duration(" 1ms", &v), -EINVAL);
	assert_int_equal(vpe_parse_duration(NULL, &v), -EINVAL);
	assert_int_equal(vpe_parse_rate("1Gbit", &v), 0);
	assert_int_equal(v, 1000000000ull);
	assert_int_equal(vpe_parse_rate("64kbit", &v), 0);
	assert_int_equal(v, 64000);
	assert_int_equal(vpe_parse_rate("unlimited", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vpe_parse_rate("0.1bit", &v), -ERANGE);
	assert_int_equal(vpe_parse_rate("2000Gbit", &v), -ERANGE);
	assert_int_equal(vpe_parse_prob("0", &p), 0);
	assert_int_equal(vpe_parse_prob("1e-3", &p), 0);
	assert_true(p == 1e-3);
	assert_int_equal(vpe_parse_prob("0.5%", &p), -EINVAL);
	assert_int_equal(vpe_parse_mac("aa:bb:cc:dd:ee:ff", mac), 0);
	assert_int_equal(mac[0], 0xaa);
	assert_int_equal(vpe_parse_mac("aa:bb:cc:dd:ee:f", mac), -EINVAL);
	assert_int_equal(vpe_parse_mac("aa:bb:cc:dd:ee:fff", mac), -EINVAL);
	assert_int_equal(vpe_parse_mac("aa-bb-cc-dd-ee-ff", mac), -EINVAL);
	assert_int_equal(vpe_parse_mac("+a:bb:cc:dd:ee:ff", mac), -EINVAL);
}

/* A star of @n guests (g0..) on one switch. */
static struct vpe_topo *star(u32 n)
{
	size_t cap = 200 + (size_t)n * 120, len = 0;
	char *js = malloc(cap), err[256];
	struct vpe_topo *t = NULL;
	u32 i;

	assert_non_null(js);
	len += (size_t)snprintf(js + len, cap - len, "{\"nodes\": [");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(js + len, cap - len,
			"{\"name\": \"g%u\", \"type\": \"guest\", \"device\": \"g%u\"},",
			i, i);
	len += (size_t)snprintf(js + len, cap - len,
		"{\"name\": \"s\", \"type\": \"switch\"}], \"links\": [");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(js + len, cap - len,
			"%s{\"name\": \"l%u\", \"a\": \"g%u\", \"b\": \"s\"}",
			i ? "," : "", i, i);
	len += (size_t)snprintf(js + len, cap - len, "]}");
	assert_true(len < cap);
	if (vpe_topo_parse(js, len, &t, err, sizeof(err)))
		fail_msg("star(%u): %s", n, err);
	free(js);
	return t;
}

/* vprimed's defaults follow the topology, not a fixed 64 ports. */
static void test_opts_for_topo(void **state)
{
	static const struct {
		u32 guests, p, b;	/* -p, -b given (0: not) */
		int r;
		u32 ports, bufs;
		bool warn;
	} c[] = {
		{ 3, 0, 0, 0, 64, 8192, false },
		{ 100, 0, 0, 0, 100, 8192, false },
		{ 200, 0, 0, 0, 200, 12800, false },
		{ 256, 0, 0, 0, 256, 16384, false },
		{ 257, 0, 0, -E2BIG, 0, 0, false },
		{ 100, 40, 0, 0, 40, 8192, true },
		{ 200, 0, 1024, 0, 200, 1024, false },
		{ 300, 256, 0, 0, 256, 16384, true },
	};
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vprime_opts o = { .max_ports = c[i].p, .nr_bufs = c[i].b };
		struct vpe_topo *t = star(c[i].guests);
		int r;

		err[0] = '\0';
		r = vpe_opts_for_topo(&o, t, err, sizeof(err));
		assert_int_equal(r, c[i].r);
		if (!r) {
			assert_int_equal(o.max_ports, c[i].ports);
			assert_int_equal(o.nr_bufs, c[i].bufs);
			assert_int_equal(err[0] != '\0', c[i].warn);
		} else {
			assert_non_null(strstr(err, "at most 256"));
		}
		vpe_topo_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_load),
		cmocka_unit_test(test_good_parse),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_opts_for_topo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
