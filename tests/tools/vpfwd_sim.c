// SPDX-License-Identifier: MIT
/*
 * vpfwd_sim - vpfwd run unchanged against the in-process /dev/vprime
 * stand-in (tests/sim): three simulated guests, unicast both ways, a
 * broadcast to all, a frame to an unknown MAC; checks every frame arrives
 * once where it should and the engine's and dom0's counters agree.
 *
 * The system calls vpfwd makes on its device are redirected to the
 * stand-in; poll() is where the "guests" run, one step per call.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vp_sim.h"

static struct vp_sim_host *host;
static struct vp_sim_file *simf;
static struct vp_sim_guest *guest[3];
static int step, failures;

#define SIM_FD 1000

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK(%s) failed\n", \
	__FILE__, __LINE__, #c); failures++; } } while (0)

static int sim_open(const char *path, int flags)
{
	(void)path;
	(void)flags;
	simf = vp_sim_open(host);
	return simf ? SIM_FD : -1;
}

static int sim_ioctl(int fd, unsigned long cmd, void *arg)
{
	int r;

	if (fd != SIM_FD)
		return -1;
	r = vp_sim_ioctl(simf, cmd, arg);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

static void *sim_mmap(void *a, size_t len, int prot, int fl, int fd, off_t o)
{
	size_t size;
	void *area = vp_sim_area(simf, &size);

	(void)a; (void)prot; (void)fl; (void)fd; (void)o;
	return area && len <= size ? area : MAP_FAILED;
}

static int sim_munmap(void *a, size_t len)
{
	(void)a;
	(void)len;
	return 0;
}

static int sim_close(int fd)
{
	if (fd == SIM_FD) {
		vp_sim_close(simf);
		simf = NULL;
	}
	return 0;
}

static int sim_poll(struct pollfd *p, nfds_t n, int timeout);

#define open(p, f) sim_open(p, f)
#define ioctl(fd, c, a) sim_ioctl(fd, c, a)
#define mmap(a, l, p, f, fd, o) sim_mmap(a, l, p, f, fd, o)
#define munmap(a, l) sim_munmap(a, l)
#define close(fd) sim_close(fd)
#define poll(p, n, t) sim_poll(p, n, t)
#define main vpfwd_main
int vpfwd_main(int argc, char **argv);
#include "vpfwd.c"
#undef main
#undef poll

static void frame(u8 *f, const u8 *dst, const u8 *src, u8 tag, u32 len)
{
	memset(f, tag, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5;	/* local experimental ethertype */
}

/* Everything guest @i has received: count frames carrying @tag. */
static int drain(int i, u8 tag, int *other)
{
	u8 buf[VPRIME_FRAME_MAX];
	int n, got = 0;

	while ((n = vp_sim_guest_recv(guest[i], buf, sizeof(buf))) > 0) {
		if (n >= 15 && buf[14] == tag)
			got++;
		else
			(*other)++;
	}
	vp_sim_guest_service(guest[i]);
	return got;
}

static int sim_poll(struct pollfd *p, nfds_t n, int timeout)
{
	static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const u8 nobody[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	u8 f[1500];
	int other = 0, i, k;

	(void)n;
	(void)timeout;
	p->revents = 0;
	for (i = 0; i < 3; i++)
		vp_sim_guest_service(guest[i]);
	switch (step++) {
	case 0:	/* vpfwd attached everything by now */
		CHECK(vf.c.attaches == 3);
		for (k = 0; k < 10; k++) {
			frame(f, guest[1]->cfg.mac, guest[0]->cfg.mac, 1, 100);
			CHECK(vp_sim_guest_send(guest[0], f, 100) == 0);
			frame(f, guest[0]->cfg.mac, guest[1]->cfg.mac, 2, 1500);
			CHECK(vp_sim_guest_send(guest[1], f, 1500) == 0);
		}
		break;
	case 4:
		CHECK(drain(1, 1, &other) == 10);
		CHECK(drain(0, 2, &other) == 10);
		CHECK(drain(2, 1, &other) == 0);
		CHECK(other == 0);
		frame(f, bcast, guest[2]->cfg.mac, 3, 60);
		CHECK(vp_sim_guest_send(guest[2], f, 60) == 0);
		frame(f, nobody, guest[2]->cfg.mac, 4, 60);
		CHECK(vp_sim_guest_send(guest[2], f, 60) == 0);
		break;
	case 8:
		CHECK(drain(0, 3, &other) == 1);
		CHECK(drain(1, 3, &other) == 1);
		CHECK(drain(2, 3, &other) == 0);
		CHECK(other == 0);
		CHECK(vf.c.fwd_unicast == 20);
		CHECK(vf.c.fwd_flood == 2);
		CHECK(vf.c.drop_nodest == 1);
		CHECK(vf.c.rx_frames == 22);
		CHECK(guest[0]->stats[VPRIME_STAT_rx_frames] == 10);
		CHECK(guest[1]->stats[VPRIME_STAT_tx_frames] == 11);
		CHECK(guest[0]->stats[VPRIME_STAT_tx_frames] == 11);
		/* every buffer is the engine's or on the fill ring */
		CHECK(vf.nr_free + (vf.fill_prod - vf.fill_idx->cons) == 256);
		stop_flag = 1;
		break;
	default:
		break;
	}
	if (step > 50) {
		CHECK(!"ran away");
		stop_flag = 1;
	}
	return 0;
}

int main(void)
{
	char *argv[] = { "vpfwd", "-b", "256", "-p", "4", "-i", "0", NULL };
	int i, r;

	host = vp_sim_host_new();
	for (i = 0; i < 3; i++) {
		struct vp_sim_guest_cfg cfg = {
			.domid = (u32)i + 1,
			.devid = 0,
			.mac = { 0x00, 0x16, 0x3e, 0, 0, (u8)(i + 1) },
			.pool_pages = 16,
		};

		guest[i] = vp_sim_guest_new(&cfg);
		if (!host || !guest[i] || vp_sim_host_add(host, guest[i]))
			return 1;
	}
	r = vpfwd_main(7, argv);
	CHECK(r == 0);
	CHECK(step == 9);
	for (i = 0; i < 3; i++) {
		vp_sim_host_remove(host, guest[i]);
		vp_sim_guest_free(guest[i]);
	}
	vp_sim_host_free(host);
	printf("vpfwd_sim: %s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
