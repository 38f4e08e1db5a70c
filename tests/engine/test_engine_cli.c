// SPDX-License-Identifier: MIT
/*
 * test_engine_cli.c - build/bin/vprimed's command line: every bad option,
 * topology file or device is refused with a message and exit code (2: bad
 * usage or topology, 1: cannot run), --spin-max takes a duration or 0,
 * and -n checks a topology.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#ifndef VPRIMED
#define VPRIMED "build/bin/vprimed"
#endif
#ifndef VPE_TOPDIR
#define VPE_TOPDIR "."
#endif
#define GOOD VPE_TOPDIR "/engine/topologies/two-hosts.json"

static void run(const char *args, int want_rc, const char *want)
{
	char cmd[1024], out[4096];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", VPRIMED, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) != want_rc || !strstr(out, want))
		fail_msg("'%s': rc %d, '%s'; want rc %d and '%s'", args,
			 WEXITSTATUS(st), out, want_rc, want);
}

static void test_cli(void **state)
{
	char bad[] = "/tmp/vprimed-bad-XXXXXX";
	int fd = mkstemp(bad);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"nodes\": 3}", 12), 12);
	close(fd);
	run("", 2, "-t TOPOLOGY is required");
	run("-t /nonexistent.json", 2, "No such file");
	run("-t /nonexistent.json -b 5", 2, "-b: want 64..65536");
	run("-t " GOOD " -p 0", 2, "-p: want 1..256");
	run("-t " GOOD " -p 12x", 2, "-p: want");
	run("-t " GOOD " -b -1", 2, "-b: want");
	run("-t " GOOD " extra", 2, "unexpected argument");
	run("-t " GOOD " -x", 2, "usage:");
	{
		char args[128];

		snprintf(args, sizeof(args), "-t %s", bad);
		run(args, 2, "'nodes' must be an array");
	}
	run("-t " GOOD " -n", 0, "3 nodes, 2 links: ok");
	run("-t " GOOD " --spin-max 500us -n", 0, "ok");
	run("-t " GOOD " --spin-max 0 -n", 0, "ok");
	run("-t " GOOD " --spin-max=0ns -n", 0, "ok");
	run("-t " GOOD " --spin-max 5 -n", 2, "--spin-max: want 0 or a duration");
	run("-t " GOOD " --spin-max 1s -n", 2, "up to 100ms");
	run("-t " GOOD " --spin-max -1ms -n", 2, "--spin-max: want");
	run("-t " GOOD " --spin-max", 2, "usage:");
	run("-t " GOOD " -d /nonexistent/vprime", 1,
	    "open /nonexistent/vprime: No such file");
	run("-t " GOOD " -d /dev/null", 1, "open /dev/null:");
	run("-h", 0, "--spin-max DURATION");
	unlink(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
