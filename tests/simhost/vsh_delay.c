// SPDX-License-Identifier: MIT
/*
 * vsh_delay - the smallest engine that needs the host's timer: it
 * forwards every frame between two devices with a delivery time DELAY_MS
 * after it arrived and then only sleeps in vprime_wait() until the
 * descriptor fires: it keeps no timer of its own.  A frame therefore
 * reaches the other guest only if the host holds it until it is due and
 * then wakes the engine (as /dev/vprime's poll does with its hrtimer).
 *
 *   VPRIME_DEVICE=unix:PATH vsh_delay NAME1 NAME2 DELAY_MS
 *
 * Runs until SIGTERM/SIGINT; exit 0, or 1 with a message.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vprime.h"

#define VD_BATCH 64

static volatile sig_atomic_t vd_stop;

static void vd_on_signal(int sig)
{
	(void)sig;
	vd_stop = 1;
}

static int vd_attach(struct vprime *vp, const char *name)
{
	int port = vprime_attach_name(vp, name);

	if (port < 0)
		fprintf(stderr, "vsh_delay: attach %s: %s\n", name,
			strerror(-port));
	return port;
}

/*
 * Forward one batch: port a's frames to b and back, due @delay later.
 * Returns how many were peeked.
 */
static int vd_forward(struct vprime *vp, const int port[2], uint64_t delay)
{
	struct vprime_frame fr[VD_BATCH];
	int n, i, to;

	n = vprime_rx_peek(vp, fr, VD_BATCH);
	for (i = 0; i < n; i++) {
		to = (int)fr[i].port == port[0] ? port[1] : port[0];
		if (vprime_tx_submit(vp, (uint32_t)to, &fr[i],
				     fr[i].tstamp + delay))
			vprime_frame_drop(vp, &fr[i]);
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = vd_on_signal };
	struct vprime *vp;
	uint64_t delay;
	int port[2], r;

	if (argc != 4 || atoi(argv[3]) < 1 || atoi(argv[3]) > 10000) {
		fprintf(stderr, "usage: vsh_delay NAME1 NAME2 DELAY_MS (1..10000)\n");
		return 2;
	}
	delay = (uint64_t)atoi(argv[3]) * 1000000ull;
	r = vprime_open(&vp, NULL, NULL);
	if (r) {
		fprintf(stderr, "vsh_delay: open: %s\n", strerror(-r));
		return 1;
	}
	port[0] = vd_attach(vp, argv[1]);
	port[1] = vd_attach(vp, argv[2]);
	if (port[0] < 0 || port[1] < 0) {
		vprime_close(vp);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!vd_stop) {
		r = vprime_wait(vp, -1);
		if (r == -EINTR)
			continue;
		if (r < 0 || (r = vprime_sync(vp, 0, NULL)) < 0) {
			fprintf(stderr, "vsh_delay: %s\n", strerror(-r));
			break;
		}
		/* Publish what was submitted; the host holds it until due. */
		if (vd_forward(vp, port, delay) > 0)
			vprime_sync(vp, VPRIME_SYNC_TX, NULL);
	}
	vprime_close(vp);
	return vd_stop ? 0 : 1;
}
