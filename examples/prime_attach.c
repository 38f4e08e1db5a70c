// SPDX-License-Identifier: MIT
/*
 * prime_attach.c - how a real-time network simulator such as PRIME plugs
 * into libvprime: the body of a "PollingEmulationDevice".
 *
 *   guest iface (MAC)  --map-->  simulated interface id (64-bit)
 *   import: one sync, a batch of frames, each with dom0's timestamp
 *   export: submit with the delivery time the simulator computed; a time
 *           already past is a missed deadline, counted, never silent
 *
 * The simulator itself is a stand-in here (every frame is due 1 ms after
 * it left its guest, at the interface owning its destination MAC).  Build:
 * make build/bin/prime_attach; run: prime_attach MAC=ID [MAC=ID...].
 * tests/lib/test_prime_attach.c runs the same code over simulated guests.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vprime.h"

#define PRIME_IFACES_MAX 64
#define PRIME_BATCH 64

/* One guest interface as the simulator knows it. */
struct prime_iface {
	uint8_t mac[6];
	uint64_t sim_id;	/* PRIME: MAC in the top 48 bits of the id */
	int port;		/* libvprime port, -1 until attached */
};

/* What the simulator's I/O manager gets per imported packet. */
struct prime_event {
	uint64_t src_id;	/* simulated interface the packet enters on */
	uint64_t send_time;	/* dom0 timestamp, CLOCK_MONOTONIC ns */
	struct vprime_frame f;	/* the bytes, in place (no copy) */
};

struct prime_io {
	struct vprime *vp;
	struct prime_iface ifc[PRIME_IFACES_MAX];
	uint32_t nr_ifc;
	int port_to_ifc[VPRIME_PORTS_MAX];
	uint64_t imported, exported, missed_deadline, export_drops;
};

/* Attach every mapped interface by MAC; hot: guests may be running. */
static int prime_io_attach(struct prime_io *io)
{
	uint32_t i;
	int port;

	for (i = 0; i < VPRIME_PORTS_MAX; i++)
		io->port_to_ifc[i] = -1;
	for (i = 0; i < io->nr_ifc; i++) {
		port = vprime_attach_mac(io->vp, io->ifc[i].mac);
		if (port < 0)
			return port;
		io->ifc[i].port = port;
		io->port_to_ifc[port] = (int)i;
	}
	return 0;
}

/* Import a batch: one ioctl, then frames with their interface ids. */
static int prime_io_import(struct prime_io *io, struct prime_event *ev,
			   uint32_t max)
{
	struct vprime_frame fr[PRIME_BATCH];
	int n, i, got = 0, err;

	err = vprime_sync(io->vp, VPRIME_SYNC_RX, NULL);
	if (err)
		return err;
	n = vprime_rx_peek(io->vp, fr, max < PRIME_BATCH ? max : PRIME_BATCH);
	for (i = 0; i < n; i++) {
		int k = io->port_to_ifc[fr[i].port];

		if (k < 0) {	/* not one of ours */
			vprime_frame_drop(io->vp, &fr[i]);
			continue;
		}
		ev[got].src_id = io->ifc[k].sim_id;
		ev[got].send_time = fr[i].tstamp;
		ev[got].f = fr[i];
		got++;
	}
	io->imported += (uint64_t)got;
	return got;
}

/* Export: the frame leaves on @dst at @deliver_at (simulator's answer). */
static int prime_io_export(struct prime_io *io, struct prime_event *ev,
			   const struct prime_iface *dst, uint64_t deliver_at,
			   uint64_t now)
{
	int err;

	if (deliver_at < now)
		io->missed_deadline++;
	err = vprime_tx_submit(io->vp, (uint32_t)dst->port, &ev->f, deliver_at);
	if (err) {
		io->export_drops++;
		vprime_frame_drop(io->vp, &ev->f);
		return err;
	}
	io->exported++;
	return 0;
}

/* The stand-in simulator: route by destination MAC, 1 ms path delay. */
static const struct prime_iface *prime_sim_route(const struct prime_io *io,
						 const struct vprime_frame *f)
{
	uint32_t i;

	for (i = 0; i < io->nr_ifc; i++)
		if (!memcmp(f->seg[0].data, io->ifc[i].mac, 6))
			return &io->ifc[i];
	return NULL;
}

/* One round of the device's polling loop. */
static int prime_io_round(struct prime_io *io, uint64_t now)
{
	struct prime_event ev[PRIME_BATCH];
	int n, i;

	n = prime_io_import(io, ev, PRIME_BATCH);
	for (i = 0; i < n; i++) {
		const struct prime_iface *dst = prime_sim_route(io, &ev[i].f);

		if (!dst) {
			io->export_drops++;
			vprime_frame_drop(io->vp, &ev[i].f);
			continue;
		}
		prime_io_export(io, &ev[i], dst, ev[i].send_time + 1000000, now);
	}
	/* Push exports out; frames not yet due wait in the kernel. */
	return n < 0 ? n : vprime_sync(io->vp, VPRIME_SYNC_TX, NULL);
}

static int prime_parse_map(struct prime_iface *ifc, const char *arg)
{
	unsigned m[6];
	char tail;

	if (sscanf(arg, "%x:%x:%x:%x:%x:%x=%" SCNu64 "%c", &m[0], &m[1], &m[2],
		   &m[3], &m[4], &m[5], &ifc->sim_id, &tail) != 7)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (m[i] > 0xff)
			return -EINVAL;
		ifc->mac[i] = (uint8_t)m[i];
	}
	ifc->port = -1;
	return 0;
}

#ifndef PRIME_ATTACH_NO_MAIN
static uint64_t prime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static struct prime_io io;
	int i, err;

	if (argc < 2 || argc - 1 > PRIME_IFACES_MAX) {
		fprintf(stderr, "usage: %s MAC=SIM_ID [MAC=SIM_ID...]\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (prime_parse_map(&io.ifc[io.nr_ifc++], argv[i])) {
			fprintf(stderr, "bad mapping '%s' (want aa:bb:cc:dd:ee:ff=ID)\n",
				argv[i]);
			return 2;
		}
	}
	err = vprime_open(&io.vp, NULL, NULL);
	if (err) {
		fprintf(stderr, "vprime_open: %s\n", strerror(-err));
		return 1;
	}
	err = prime_io_attach(&io);
	while (!err) {
		if (vprime_wait(io.vp, 1) < 0)
			break;
		err = prime_io_round(&io, prime_now());
	}
	fprintf(stderr, "stopped: %s; imported %" PRIu64 " exported %" PRIu64
		" missed %" PRIu64 "\n", strerror(-err), io.imported, io.exported,
		io.missed_deadline);
	vprime_close(io.vp);
	return 1;
}
#endif
