// SPDX-License-Identifier: MIT
/*
 * test_engine_ctl.c - the control protocol: every command's answer ends in
 * "ok" or "error: <why>", bad commands are refused with a clear message
 * and counted, a refused "link set" changes nothing, and the unix socket
 * serves several clients, survives over-long lines and disconnects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine_fixture.h"

static const char topo[] =
	"{\"nodes\": ["
	"{\"name\":\"h0\",\"type\":\"guest\",\"mac\":\"02:00:5e:00:00:00\"},"
	"{\"name\":\"h1\",\"type\":\"guest\",\"device\":\"g1\"},"
	"{\"name\":\"s\",\"type\":\"switch\"}],"
	"\"links\": [{\"name\":\"l0\",\"a\":\"h0\",\"b\":\"s\",\"delay\":\"1ms\"},"
	"{\"name\":\"l1\",\"a\":\"h1\",\"b\":\"s\"}]}";

static int setup(void **state)
{
	struct ef *f = calloc(1, sizeof(*f));
	char err[VPE_ERR_LEN];

	if (!f || ef_init(f, 2, 0, topo, err, sizeof(err)))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	ef_fini(*state);
	free(*state);
	return 0;
}

/* Run @cmd; the answer must end with "ok\n" or contain @errmsg. */
static void ctl(struct ef *f, const char *cmd, const char *errmsg,
		const char *contains)
{
	struct vpe_buf out = { 0 };
	int r = vpe_ctl_exec(f->e, cmd, strlen(cmd), &out);

	assert_non_null(out.s);
	if (errmsg) {
		if (!r || strncmp(out.s, "error: ", 7) || !strstr(out.s, errmsg))
			fail_msg("'%s' -> '%s', want error '%s'", cmd, out.s, errmsg);
	} else {
		if (r || out.len < 3 || strcmp(out.s + out.len - 3, "ok\n"))
			fail_msg("'%s' -> '%s'", cmd, out.s);
	}
	if (contains && !strstr(out.s, contains))
		fail_msg("'%s' -> '%s', want '%s'", cmd, out.s, contains);
	vpe_buf_free(&out);
}

static void test_commands(void **state)
{
	struct ef *f = *state;

	ctl(f, "help\n", NULL, "link NAME set");
	ctl(f, "stats", NULL, "drop queue_full 0");
	ctl(f, "stats", NULL, "lateness 1-10ms 0");
	ctl(f, "stats", NULL, "latency to_engine le_1us ");
	ctl(f, "stats", NULL, "latency residence le_1us 0 le_2us 0");
	ctl(f, "stats", NULL, "wake sleeps 0 timeouts 0 timer_late_ewma_ns 0 "
	    "margin_ns 50000 cap_ns 2000000 spins 0 spin_ns 0 spin_starts 0\n");
	ctl(f, "stats", NULL, "loop steps ");
	ctl(f, "ports", NULL, "node h1 port 1 state attached");
	ctl(f, "link l0 show", NULL, "delay 1000000ns");
	ctl(f, "link l0 set bandwidth 10Mbit queue_packets 5", NULL,
	    "bandwidth 10000000bit");
	ctl(f, "link l0 set ge on ge_p 0.1 ge_r 0.5", NULL, "ge on");
	ctl(f, "rescan", NULL, "attached 0");
	assert_int_equal(f->e->ldir[0].q_cap, 5);
	assert_int_equal(f->e->st.ctl_errors, 0);
}

static void test_bad_commands(void **state)
{
	struct ef *f = *state;
	char longline[2000];

	ctl(f, "", "empty command", NULL);
	ctl(f, "   ", "empty command", NULL);
	ctl(f, "frobnicate", "unknown command 'frobnicate'", NULL);
	ctl(f, "stats now", "usage: stats", NULL);
	ctl(f, "link", "usage: link", NULL);
	ctl(f, "link nosuch show", "no link named 'nosuch'", NULL);
	ctl(f, "link l0 set delay", "usage: link", NULL);
	ctl(f, "link l0 frob 1 2", "usage: link", NULL);
	ctl(f, "link l0 set delay 5", "delay: bad value '5'", NULL);
	ctl(f, "link l0 set speed 5Mbit", "unknown link parameter 'speed'", NULL);
	ctl(f, "link l0 set loss 2", "loss: '2' out of range", NULL);
	/* All or nothing: the good first pair is not applied either. */
	ctl(f, "link l0 set delay 9ms loss -1", "loss: bad value", NULL);
	assert_int_equal(f->t->link[0].prm.delay_ns, 1000000);
	ctl(f, "capture start", "usage: capture", NULL);
	ctl(f, "capture start s /tmp/x.pcap", "no guest named 's'", NULL);
	ctl(f, "capture stop h0", "no capture running", NULL);
	ctl(f, "capture start h0 /nonexistent/dir/x.pcap", "capture:", NULL);
	ctl(f, "stats\tnow", "control or non-ASCII byte 0x09", NULL);
	ctl(f, "stats \xc3\xa9", "non-ASCII", NULL);
	ctl(f, "a b c d e f g h i j k l m n o p q r s t u v w x y z",
	    "too many words", NULL);
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	ctl(f, longline, "line longer than", NULL);
	assert_int_equal(f->e->st.ctl_errors, 20);
	assert_int_equal(f->e->st.ctl_overlong, 1);
	{
		struct vpe_buf out = { 0 };
		static const char nul[] = "stats\0x";

		assert_true(vpe_ctl_exec(f->e, nul, sizeof(nul) - 1, &out) < 0);
		assert_non_null(strstr(out.s, "NUL byte"));
		vpe_buf_free(&out);
	}
}

static int client(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void serve(struct vpe_ctl *c)
{
	struct pollfd pfd[16];
	int n, i;

	for (i = 0; i < 4; i++) {
		n = vpe_ctl_fds(c, pfd, 16);
		if (poll(pfd, (nfds_t)n, 50) > 0)
			vpe_ctl_service(c, pfd, n);
	}
}

static void expect_read2(int fd, const char *want, const char *want2)
{
	char buf[8192];
	ssize_t r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(r > 0);
	buf[r] = '\0';
	if (!strstr(buf, want) || (want2 && !strstr(strstr(buf, want), want2)))
		fail_msg("got '%s', want '%s' then '%s'", buf, want,
			 want2 ? want2 : "");
}

static void expect_read(int fd, const char *want)
{
	expect_read2(fd, want, NULL);
}

static void test_socket(void **state)
{
	struct ef *f = *state;
	char path[64], big[3000], err[VPE_ERR_LEN];
	struct vpe_ctl *c, *c2;
	int a, b;

	snprintf(path, sizeof(path), "/tmp/vprimed-ctl-%d.sock", (int)getpid());
	unlink(path);
	assert_int_equal(vpe_ctl_listen(&c, f->e, path, err, sizeof(err)), 0);
	/* A second engine on the same path is refused. */
	assert_int_equal(vpe_ctl_listen(&c2, f->e, path, err, sizeof(err)),
			 -EADDRINUSE);
	assert_non_null(strstr(err, "another vprimed"));
	a = client(path);
	b = client(path);
	serve(c);
	assert_int_equal(send(a, "ports\nlink l1 sh", 16, 0), 16);
	assert_int_equal(send(b, "bogus\n", 6, 0), 6);
	serve(c);
	expect_read(a, "node h0 port 0 state attached");
	expect_read(b, "error: unknown command 'bogus'");
	assert_int_equal(send(a, "ow\n", 3, 0), 3);	/* line split in two */
	serve(c);
	expect_read(a, "link l1 bandwidth");
	memset(big, 'y', sizeof(big));
	assert_int_equal(send(b, big, sizeof(big), 0), (ssize_t)sizeof(big));
	serve(c);
	assert_int_equal(send(b, "\nhelp\n", 6, 0), 6);
	serve(c);
	/* The next line is served again. */
	expect_read2(b, "error: line too long", "ok\n");
	close(a);
	close(b);
	serve(c);
	vpe_ctl_close(c);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(vpe_ctl_listen(&c, f->e, "", err, sizeof(err)), -EINVAL);
	assert_int_equal(vpe_ctl_listen(&c, f->e, "/etc/passwd", err, sizeof(err)),
			 -EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
