// SPDX-License-Identifier: MIT
/*
 * main.c - vprimed: command line, signals, and the poll loop.  One thread:
 * the engine step, the control socket and device rescans take turns; the
 * loop sleeps in ppoll() until the next frame is due (nanosecond timeout),
 * a guest has work, or a control client speaks.  Timed wake-ups come late,
 * so the loop wakes a margin early (wake.c) and then polls without
 * blocking until the frame is due.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"

#define VPE_RESCAN_NS	1000000000ull	/* look for new devices every second */
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
		"  -b N      engine buffers, %u..%u [8192]\n"
		"  -p N      ports, 1..%u [64]\n"
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

/*
 * Wait up to @ns in ppoll() (0: just look) for a guest or a control
 * client; serve the clients.  Returns ppoll()'s result: 0 on timeout.
 */
static int vpe_wait(struct vpe_engine *e, struct vpe_ctl *ctl, u64 ns)
{
	struct pollfd pfd[VPE_PFD_MAX];
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };
	int n, r;

	pfd[0] = (struct pollfd){ .fd = vprime_fd(e->vp), .events = POLLIN };
	n = vpe_ctl_fds(ctl, pfd + 1, VPE_PFD_MAX - 1);
	r = ppoll(pfd, (nfds_t)n + 1, &ts, NULL);
	if (r > 0)
		vpe_ctl_service(ctl, pfd + 1, n);
	return r;
}

/*
 * One turn of the loop: how long to block (never past the next rescan,
 * which wants no early wake-up), then block or spin.  Returns whether the
 * engine should step: after a sleep, when something became ready, or
 * when a spin has reached the due time.
 */
static bool vpe_turn(struct vpe_engine *e, struct vpe_ctl *ctl, u64 next,
		     u64 now, u64 rescan_at)
{
	u64 ns = vpe_wake_plan(&e->wake, now, next), woke;
	int r;

	if (ns > rescan_at - now)
		ns = rescan_at - now;
	r = vpe_wait(e, ctl, ns);
	woke = vpe_mono(NULL);
	if (ns)
		vpe_wake_note(&e->wake, now + ns, woke, r == 0);
	return ns || r != 0 || woke >= next;
}

static void vpe_loop(struct vpe_engine *e, struct vpe_ctl *ctl)
{
	u64 next = 0, now, last_rescan = vpe_mono(NULL);
	bool step = true;

	while (!vpe_stop && !e->backend_lost) {
		if (step)
			next = vpe_engine_step(e);
		now = vpe_mono(NULL);
		if (now - last_rescan >= VPE_RESCAN_NS) {
			e->rescan_wanted = true;
			last_rescan = now;
		}
		step = vpe_turn(e, ctl, next, now, last_rescan + VPE_RESCAN_NS);
	}
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
	r = vpe_ctl_listen(&ctl, e, a.sock, err, sizeof(err));
	if (r)
		goto err_msg;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "vprimed: %u nodes, %u links, control on %s\n",
		t->nr_nodes, t->nr_links, a.sock);
	vpe_loop(e, ctl);
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
}
