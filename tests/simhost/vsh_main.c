// SPDX-License-Identifier: MIT
/*
 * vsh_main.c - vprime-simhost's command line and its one poll loop.
 *
 *   vprime-simhost --socket PATH [--control PATH] [-v]
 *                  --guest name=N,mac=M,tap=T[,mtu=U][,netns=NS][,domid=D][,devid=V]
 *                  [--guest ...]
 *   vprime-simhost ctl CONTROL_PATH COMMAND [ARG]
 *
 * Engines attach with VPRIME_DEVICE=unix:PATH (or vprime_open(...,
 * "unix:PATH", ...)).  SIGUSR1 prints the counters to stderr; SIGINT,
 * SIGTERM and SIGHUP print them and exit 0.  docs/simhost.md.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "vsh.h"

#define VSH_ERR_LEN 256
#define VSH_PFD_MAX (4 + VSH_MAX_CTL + VSH_MAX_CONNS + VSH_MAX_GUESTS)

static void vsh_usage(FILE *out)
{
	fprintf(out,
		"usage: vprime-simhost --socket PATH [--control PATH] [-v]\n"
		"                      --guest name=N,mac=M,tap=T[,mtu=U][,netns=NS]"
		"[,domid=D][,devid=V] ...\n"
		"       vprime-simhost ctl CONTROL_PATH COMMAND [ARG]\n"
		"Engines attach with VPRIME_DEVICE=unix:PATH.  The control socket\n"
		"(default PATH.ctl) takes: help, list, stats, remove NAME, add NAME.\n"
		"SIGUSR1 prints the counters; SIGINT/SIGTERM print them and exit.\n");
}

static const struct option vsh_opts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "control", required_argument, NULL, 'c' },
	{ "guest", required_argument, NULL, 'g' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int vsh_args(struct vsh *s, int argc, char **argv)
{
	char err[VSH_ERR_LEN];
	const char *ctl = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "s:c:g:vh", vsh_opts, NULL)) != -1) {
		switch (c) {
		case 's': s->sock_path = optarg; break;
		case 'c': ctl = optarg; break;
		case 'v': s->verbose = true; break;
		case 'g':
			if (vsh_guest_parse(s, optarg, err, sizeof(err))) {
				fprintf(stderr, "vprime-simhost: --guest %s: %s\n",
					optarg, err);
				return -1;
			}
			break;
		case 'h':
			vsh_usage(stdout);
			exit(0);
		default:
			vsh_usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !s->sock_path || !s->nr_guests) {
		fprintf(stderr, "vprime-simhost: %s\n", optind != argc ?
			"unexpected argument" : !s->sock_path ?
			"--socket PATH is required" : "at least one --guest");
		vsh_usage(stderr);
		return -1;
	}
	if (snprintf(s->ctl_path, sizeof(s->ctl_path), "%s%s",
		     ctl ? ctl : s->sock_path, ctl ? "" : ".ctl") >=
	    (int)sizeof(s->ctl_path)) {
		fprintf(stderr, "vprime-simhost: control socket path too long\n");
		return -1;
	}
	return 0;
}

static u64 vsh_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

static int vsh_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Sockets, taps, devices; every failure is a clear message. */
static int vsh_start(struct vsh *s)
{
	char err[VSH_ERR_LEN];
	unsigned int i;

	s->frame = malloc(VSH_FRAME_BUF);
	s->host = vp_sim_host_new();
	if (!s->frame || !s->host) {
		fprintf(stderr, "vprime-simhost: out of memory\n");
		return -1;
	}
	if (vp_sim_host_set_shared(s->host, true)) {
		fprintf(stderr, "vprime-simhost: memfd_create: %s\n",
			strerror(errno));
		return -1;
	}
	for (i = 0; i < s->nr_guests; i++) {
		if (vsh_guest_open(&s->guest[i], err, sizeof(err))) {
			fprintf(stderr, "vprime-simhost: guest %s: %s\n",
				s->guest[i].name, err);
			return -1;
		}
		if (vsh_guest_plug(s, &s->guest[i])) {
			fprintf(stderr, "vprime-simhost: guest %s: cannot "
				"create the device\n", s->guest[i].name);
			return -1;
		}
	}
	s->sig_fd = vsh_signals();
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->sig_fd < 0 || s->timer_fd < 0) {
		fprintf(stderr, "vprime-simhost: %s\n", strerror(errno));
		return -1;
	}
	s->listen_fd = vsh_listen(s->sock_path, err, sizeof(err));
	if (s->listen_fd >= 0)
		s->ctl_fd = vsh_listen(s->ctl_path, err, sizeof(err));
	if (s->listen_fd < 0 || s->ctl_fd < 0) {
		fprintf(stderr, "vprime-simhost: %s\n", err);
		return -1;
	}
	fprintf(stderr, "vprime-simhost: %u guests, engines on unix:%s, "
		"control on %s\n", s->nr_guests, s->sock_path, s->ctl_path);
	return 0;
}

static void vsh_stop(struct vsh *s)
{
	unsigned int i;

	for (i = 0; i < VSH_MAX_CONNS; i++)
		vsh_conn_close(&s->conn[i]);
	for (i = 0; i < VSH_MAX_CTL; i++)
		if (s->ctl[i].fd >= 0)
			close(s->ctl[i].fd);
	for (i = 0; i < s->nr_guests; i++) {
		vsh_guest_unplug(s, &s->guest[i]);
		vsh_guest_close(&s->guest[i]);
	}
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->sock_path);
	}
	if (s->ctl_fd >= 0) {
		close(s->ctl_fd);
		unlink(s->ctl_path);
	}
	if (s->sig_fd >= 0)
		close(s->sig_fd);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	vp_sim_host_free(s->host);
	free(s->frame);
}

static void vsh_on_signal(struct vsh *s)
{
	struct signalfd_siginfo si;

	while (read(s->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			vsh_stats_print(s, stderr);
			fflush(stderr);
		} else {
			s->stop = true;
		}
	}
}

/* The timer wakes the loop when the earliest held engine frame is due. */
static void vsh_timer_arm(struct vsh *s, u64 due)
{
	struct itimerspec it = { { 0, 0 }, { 0, 0 } };

	if (due == UINT64_MAX)
		due = 0;
	if (due == s->timer_at)
		return;
	it.it_value.tv_sec = (time_t)(due / 1000000000ull);
	it.it_value.tv_nsec = (long)(due % 1000000000ull);
	timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &it, NULL);
	s->timer_at = due;
}

/* After every turn: guests serviced, engines woken, the timer set. */
static void vsh_settle(struct vsh *s)
{
	u64 next_due = UINT64_MAX, now;
	unsigned int i;

	for (i = 0; i < s->nr_guests; i++)
		vsh_guest_service(s, &s->guest[i]);
	now = vsh_now();
	for (i = 0; i < VSH_MAX_CONNS; i++)
		vsh_conn_signal(s, &s->conn[i], now, &next_due);
	vsh_timer_arm(s, next_due);
}

enum vsh_pfd_kind { VSH_PFD_SIG, VSH_PFD_TIMER, VSH_PFD_LISTEN, VSH_PFD_CTLL,
		    VSH_PFD_CTL, VSH_PFD_CONN, VSH_PFD_TAP };

struct vsh_pfds {
	struct pollfd pfd[VSH_PFD_MAX];
	enum vsh_pfd_kind kind[VSH_PFD_MAX];
	int idx[VSH_PFD_MAX];
	int n;
};

static void vsh_pfd_add(struct vsh_pfds *p, int fd, enum vsh_pfd_kind kind,
			int idx)
{
	p->pfd[p->n] = (struct pollfd){ .fd = fd, .events = POLLIN };
	p->kind[p->n] = kind;
	p->idx[p->n] = idx;
	p->n++;
}

static void vsh_pfds_build(struct vsh *s, struct vsh_pfds *p)
{
	unsigned int i;

	p->n = 0;
	vsh_pfd_add(p, s->sig_fd, VSH_PFD_SIG, 0);
	vsh_pfd_add(p, s->timer_fd, VSH_PFD_TIMER, 0);
	vsh_pfd_add(p, s->listen_fd, VSH_PFD_LISTEN, 0);
	vsh_pfd_add(p, s->ctl_fd, VSH_PFD_CTLL, 0);
	for (i = 0; i < VSH_MAX_CTL; i++)
		if (s->ctl[i].fd >= 0)
			vsh_pfd_add(p, s->ctl[i].fd, VSH_PFD_CTL, (int)i);
	for (i = 0; i < VSH_MAX_CONNS; i++)
		if (s->conn[i].fd >= 0)
			vsh_pfd_add(p, s->conn[i].fd, VSH_PFD_CONN, (int)i);
	for (i = 0; i < s->nr_guests; i++)
		if (vsh_guest_wants_tap(&s->guest[i]))
			vsh_pfd_add(p, s->guest[i].tap_fd, VSH_PFD_TAP, (int)i);
}

static void vsh_pfd_handle(struct vsh *s, struct vsh_pfds *p, int i)
{
	uint64_t ticks;

	switch (p->kind[i]) {
	case VSH_PFD_SIG:
		vsh_on_signal(s);
		break;
	case VSH_PFD_TIMER:
		if (read(s->timer_fd, &ticks, sizeof(ticks)) > 0)
			s->timer_at = 0;
		break;
	case VSH_PFD_LISTEN:
		vsh_conn_accept(s);
		break;
	case VSH_PFD_CTLL:
		vsh_ctl_accept(s);
		break;
	case VSH_PFD_CTL:
		vsh_ctl_serve(s, &s->ctl[p->idx[i]]);
		break;
	case VSH_PFD_CONN:
		vsh_conn_serve(s, &s->conn[p->idx[i]]);
		break;
	case VSH_PFD_TAP:
		vsh_guest_tap_read(s, &s->guest[p->idx[i]]);
		break;
	}
}

static int vsh_loop(struct vsh *s)
{
	struct vsh_pfds p;
	int i, r;

	while (!s->stop) {
		vsh_pfds_build(s, &p);
		r = poll(p.pfd, (nfds_t)p.n, -1);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "vprime-simhost: poll: %s\n",
				strerror(errno));
			return -1;
		}
		for (i = 0; i < p.n && r > 0; i++)
			if (p.pfd[i].revents)
				vsh_pfd_handle(s, &p, i);
		vsh_settle(s);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct vsh s;
	int i, r;

	if (argc > 1 && !strcmp(argv[1], "ctl"))
		return vsh_ctl_client_main(argc, argv);
	s.listen_fd = s.ctl_fd = s.sig_fd = s.timer_fd = -1;
	for (i = 0; i < VSH_MAX_CONNS; i++)
		s.conn[i].fd = s.conn[i].efd = -1;
	for (i = 0; i < VSH_MAX_CTL; i++)
		s.ctl[i].fd = -1;
	if (vsh_args(&s, argc, argv))
		return 2;
	r = vsh_start(&s) ? 1 : vsh_loop(&s) ? 1 : 0;
	if (s.listen_fd >= 0)
		vsh_stats_print(&s, stderr);
	vsh_stop(&s);
	return r;
}
