// SPDX-License-Identifier: MIT
/*
 * main.c - vprimed: command line, signals, and the poll loop's clock and
 * wait.  One thread: the engine step, the control socket and device
 * rescans take turns (loop.c); the loop sleeps in ppoll() until the next
 * frame is due (nanosecond timeout), a guest has work, or a control client
 * speaks.  Timed wake-ups come late, so the loop wakes a margin early
 * (wake.c) and then polls without blocking until the frame is due.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "engine.h"

#define VPE_PFD_MAX	16

static volatile sig_atomic_t vpe_stop;

static void vpe_on_signal(int sig)
{
	(void)sig;
	vpe_stop = 1;
}

static u64 vpe_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

static u64 vpe_mono(void *arg)
{
	(void)arg;
	return vpe_clock(CLOCK_MONOTONIC);
}

static void vpe_usage(FILE *f)
{
	fprintf(f,
		"usage: vprimed -t TOPOLOGY.json [-c SOCKET] [-d DEVICE] [-b BUFS]\n"
		"               [-p PORTS] [--spin-max DURATION] [-n]\n"
		"  -t FILE   topology (JSON, see docs/engine.md)\n"
		"  -c PATH   control socket [/run/vprimed.sock]\n"
		"  -d PATH   backend device [$VPRIME_DEVICE, else /dev/vprime;\n"
		"            unix:PATH for vprime-simhost]\n"
		"  -b N      engine buffers, %u..%u [64 per port, at least 8192]\n"
		"  -p N      ports, 1..%u [one per guest node, at least 64]\n"
		"  --spin-max DURATION\n"
		"            longest early wake-up, spent polling, e.g. 500us;\n"
		"            0: never spin [2ms]\n"
		"  -n        check the topology and exit\n",
		VPRIME_NR_BUFS_MIN, VPRIME_NR_BUFS_MAX, VPRIME_PORTS_MAX);
}

static int vpe_num_arg(const char *s, u32 min, u32 max, u32 *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max || *s == '-')
		return -1;
	*out = (u32)v;
	return 0;
}

/* "0" alone is allowed: turning spinning off should not need a unit. */
static int vpe_spin_arg(const char *s, u64 *out)
{
	u64 ns;

	if (!strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	if (vpe_parse_duration(s, &ns) || ns > VPE_WAKE_CAP_MAX_NS)
		return -1;
	*out = ns;
	return 0;
}

struct vpe_args {
	const char *topo, *sock, *dev;
	struct vprime_opts opts;
	u64 spin_max;
	bool check_only;
};

enum { VPE_OPT_SPIN_MAX = 256 };	/* long options only: above any char */

static const struct option vpe_long_opts[] = {
	{ "spin-max", required_argument, NULL, VPE_OPT_SPIN_MAX },
	{ NULL, 0, NULL, 0 },
};

static int vpe_args_parse(int argc, char **argv, struct vpe_args *a)
{
	int c;

	a->sock = "/run/vprimed.sock";
	a->spin_max = VPE_WAKE_CAP_NS;
	while ((c = getopt_long(argc, argv, "t:c:d:b:p:nh", vpe_long_opts,
				NULL)) != -1) {
		switch (c) {
		case 't': a->topo = optarg; break;
		case 'c': a->sock = optarg; break;
		case 'd': a->dev = optarg; break;
		case 'n': a->check_only = true; break;
		case 'b':
			if (vpe_num_arg(optarg, VPRIME_NR_BUFS_MIN,
					VPRIME_NR_BUFS_MAX, &a->opts.nr_bufs)) {
				fprintf(stderr, "vprimed: -b: want %u..%u\n",
					VPRIME_NR_BUFS_MIN, VPRIME_NR_BUFS_MAX);
				return -1;
			}
			break;
		case 'p':
			if (vpe_num_arg(optarg, 1, VPRIME_PORTS_MAX,
					&a->opts.max_ports)) {
				fprintf(stderr, "vprimed: -p: want 1..%u\n",
					VPRIME_PORTS_MAX);
				return -1;
			}
			break;
		case VPE_OPT_SPIN_MAX:
			if (vpe_spin_arg(optarg, &a->spin_max)) {
				fprintf(stderr, "vprimed: --spin-max: want 0 or a "
					"duration up to %llums (e.g. 500us, 2ms)\n",
					VPE_WAKE_CAP_MAX_NS / 1000000ull);
				return -1;
			}
			break;
		case 'h':
			vpe_usage(stdout);
			exit(0);
		default:
			vpe_usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !a->topo) {
		fprintf(stderr, "vprimed: %s\n", a->topo ? "unexpected argument" :
			"-t TOPOLOGY is required");
		vpe_usage(stderr);
		return -1;
	}
	return 0;
}

struct vpe_main {
	struct vpe_engine *e;
	struct vpe_ctl *ctl;
};

/*
 * The loop's wait: up to @ns in ppoll() (0: just look) for the backend or
 * a control client; serve the clients.  VPE_WAIT_* bits, 0 on timeout.
 */
static int vpe_wait(void *arg, u64 ns)
{
	struct vpe_main *m = arg;
	struct pollfd pfd[VPE_PFD_MAX];
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };
	int n, r, what = 0;

	pfd[0] = (struct pollfd){ .fd = vprime_fd(m->e->vp), .events = POLLIN };
	n = vpe_ctl_fds(m->ctl, pfd + 1, VPE_PFD_MAX - 1);
	r = ppoll(pfd, (nfds_t)n + 1, ns == VPE_TIME_NEVER ? NULL : &ts, NULL);
	if (r <= 0)
		return 0;
	if (pfd[0].revents)
		what |= VPE_WAIT_DEV;
	if (r > (pfd[0].revents ? 1 : 0)) {
		vpe_ctl_service(m->ctl, pfd + 1, n);
		what |= VPE_WAIT_CTL;
	}
	return what;
}

static void vpe_run(struct vpe_engine *e, struct vpe_ctl *ctl)
{
	struct vpe_main m = { .e = e, .ctl = ctl };
	const struct vpe_loop_ops ops = { .now = vpe_mono, .wait = vpe_wait,
					  .arg = &m };
	struct vpe_loop l;

	vpe_loop_init(&l, e, &ops);
	while (!vpe_stop && !e->backend_lost)
		vpe_loop_turn(&l);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = vpe_on_signal };
	struct vpe_args a = { 0 };
	char err[VPE_ERR_LEN];
	struct vpe_topo *t = NULL;
	struct vpe_engine *e = NULL;
	struct vpe_ctl *ctl = NULL;
	struct vprime *vp = NULL;
	int r;

	if (vpe_args_parse(argc, argv, &a))
		return 2;
	if (vpe_topo_load(a.topo, &t, err, sizeof(err))) {
		fprintf(stderr, "vprimed: %s: %s\n", a.topo, err);
		return 2;
	}
	if (a.check_only) {
		printf("%s: %u nodes, %u links: ok\n", a.topo, t->nr_nodes,
		       t->nr_links);
		vpe_topo_free(t);
		return 0;
	}
	err[0] = '\0';
	if (vpe_opts_for_topo(&a.opts, t, err, sizeof(err))) {
		fprintf(stderr, "vprimed: %s: %s\n", a.topo, err);
		r = 2;
		goto err_topo_rc;
	}
	if (err[0])
		fprintf(stderr, "vprimed: warning: %s\n", err);
	r = vprime_open(&vp, a.dev, &a.opts);
	if (r) {
		fprintf(stderr, "vprimed: open %s: %s\n", a.dev ? a.dev :
			getenv("VPRIME_DEVICE") ? getenv("VPRIME_DEVICE") :
			"/dev/vprime", strerror(-r));
		goto err_topo;
	}
	r = vpe_engine_new(&e, vp, t, vpe_mono, NULL, err, sizeof(err));
	if (r)
		goto err_msg;
	e->wall_offset = vpe_clock(CLOCK_REALTIME) - vpe_clock(CLOCK_MONOTONIC);
	vpe_wake_init(&e->wake, a.spin_max);
	/*
	 * Timer slack: Linux lets a timed ppoll() end up to 50 us late by
	 * default, to batch wake-ups.  An engine's sleeps are for frames'
	 * due times, and every microsecond of it would be spun away by the
	 * early wake-up: ask for none (0.1 % of a long timeout remains).
	 */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	r = vpe_ctl_listen(&ctl, e, a.sock, err, sizeof(err));
	if (r)
		goto err_msg;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "vprimed: %u nodes, %u links, %u ports, %u buffers, "
		"control on %s\n", t->nr_nodes, t->nr_links, a.opts.max_ports,
		a.opts.nr_bufs, a.sock);
	vpe_run(e, ctl);
	if (e->backend_lost) {
		fprintf(stderr, "vprimed: backend lost: %s\n",
			strerror(-e->backend_lost));
		r = 1;
	}
	vpe_ctl_close(ctl);
	vpe_engine_free(e);
	vprime_close(vp);
	vpe_topo_free(t);
	return r;
err_msg:
	fprintf(stderr, "vprimed: %s\n", err);
	vpe_engine_free(e);
	vprime_close(vp);
err_topo:
	vpe_topo_free(t);
	return 1;
err_topo_rc:
	vpe_topo_free(t);
	return r;
}
