// SPDX-License-Identifier: MIT
/*
 * vpfwd - a minimal /dev/vprime engine on the raw ABI (vprime_abi.h), no
 * library: attach every vprime device, forward frames between them by
 * destination MAC (broadcast and multicast to every other port), zero-copy
 * for unicast (the buffer id moves from one port's RX ring to another's TX
 * ring).  Sleeps in poll() when idle; SIGUSR1 prints the counters,
 * SIGINT/SIGTERM print them and exit.
 *
 *   usage: vpfwd [-d /dev/vprime] [-b nr_bufs] [-r ring_size] [-p ports]
 *                [-i relist_ms] [-q]
 *
 * Output: "vpfwd: attached port P dom D dev V mac M name N" per attach,
 * and on a dump one "vpfwd: key=value ..." line plus one line per port.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vprime_abi.h"

#define RESERVE_BUFS	64u	/* kept off the fill ring for flood copies */

struct port {
	bool used;
	struct vprime_port_info *info;
	struct vprime_ring_idx *rx_idx;	/* kernel produces */
	struct vprime_ring_idx *tx_idx;	/* we produce */
	struct vprime_edesc *rx;
	struct vprime_edesc *tx;
	uint32_t rx_cons;
	uint32_t tx_prod;
	/*
	 * Most engine TX descriptors left queued on the port after a sync:
	 * what a guest that takes nothing makes the engine hold (bounded by
	 * vprime-back's hold_max when the ring is larger than that).
	 */
	uint32_t tx_queued_peak;
};

struct counters {
	uint64_t syncs, polls, rx_frames, fwd_unicast, fwd_flood, drop_nodest,
		drop_full, drop_nobuf, drop_bad, completions, attaches,
		detaches;
};

static struct {
	int fd;
	uint8_t *area;
	size_t area_size;
	struct vprime_area_hdr hdr;
	struct vprime_ring_idx *fill_idx, *comp_idx;
	uint32_t *fill, *comp;
	uint32_t fill_prod, comp_cons;
	uint32_t *free_bufs;
	uint32_t nr_free;
	struct port *ports;
	struct counters c;
	bool quiet;
} vf;

static volatile sig_atomic_t stop_flag, dump_flag;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_flag = 1;
	else
		stop_flag = 1;
}

/* [B2]: the other side's index before the entries it covers. */
static uint32_t load_acq(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* [B1]: our entries before the index that publishes them. */
static void store_rel(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static uint8_t *buf_ptr(uint32_t buf)
{
	return vf.area + vf.hdr.off_bufs + (uint64_t)buf * vf.hdr.buf_size;
}

static void buf_free(uint32_t buf)
{
	if (buf < vf.hdr.nr_bufs && vf.nr_free < vf.hdr.nr_bufs)
		vf.free_bufs[vf.nr_free++] = buf;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- buffers ---------------------------------------------------------- */

static void fill_top_up(void)
{
	uint32_t cons = load_acq(&vf.fill_idx->cons);
	uint32_t room = vf.hdr.pool_ring_size - (vf.fill_prod - cons);
	uint32_t mask = vf.hdr.pool_ring_size - 1;
	uint32_t n = 0;

	while (n < room && vf.nr_free > RESERVE_BUFS) {
		vf.fill[vf.fill_prod & mask] = vf.free_bufs[--vf.nr_free];
		vf.fill_prod++;
		n++;
	}
	if (n)
		store_rel(&vf.fill_idx->prod, vf.fill_prod);
}

static void comp_reap(void)
{
	uint32_t prod = load_acq(&vf.comp_idx->prod);
	uint32_t mask = vf.hdr.pool_ring_size - 1;

	while (vf.comp_cons != prod) {
		buf_free(vf.comp[vf.comp_cons & mask]);
		vf.comp_cons++;
		vf.c.completions++;
	}
	store_rel(&vf.comp_idx->cons, vf.comp_cons);
}

/* ---- ports ------------------------------------------------------------ */

static void port_bind(uint32_t i)
{
	uint8_t *b = vf.area + vf.hdr.off_ports + (uint64_t)i * vf.hdr.port_stride;
	struct port *p = &vf.ports[i];

	p->used = true;
	p->info = (struct vprime_port_info *)b;
	p->rx_idx = (struct vprime_ring_idx *)(b + VPRIME_PORT_RX_IDX_OFF);
	p->tx_idx = (struct vprime_ring_idx *)(b + VPRIME_PORT_TX_IDX_OFF);
	p->rx = (struct vprime_edesc *)(b + VPRIME_PORT_DESC_OFF);
	p->tx = p->rx + vf.hdr.ring_size;
	p->rx_cons = 0;	/* attach started both rings at zero */
	p->tx_queued_peak = 0;
	p->tx_prod = 0;
}

static void fmt_mac(const uint8_t *m, char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

static void attach_new(void)
{
	struct vprime_devinfo di[VPRIME_PORTS_MAX];
	struct vprime_list l = {
		.capacity = VPRIME_PORTS_MAX,
		.entries = (uint64_t)(uintptr_t)di,
	};
	uint32_t i, n;

	memset(di, 0, sizeof(di));
	if (ioctl(vf.fd, VPRIME_IOC_LIST, &l) < 0) {
		perror("vpfwd: LIST");
		return;
	}
	n = l.count < l.capacity ? l.count : l.capacity;
	for (i = 0; i < n; i++) {
		struct vprime_attach a = {
			.by = VPRIME_ATTACH_BY_ID,
			.domid = di[i].domid,
			.devid = di[i].devid,
		};
		char mac[18];

		if (di[i].flags & VPRIME_DEV_F_ATTACHED)
			continue;
		if (ioctl(vf.fd, VPRIME_IOC_ATTACH, &a) < 0) {
			if (errno != EBUSY && errno != ENODEV)
				fprintf(stderr, "vpfwd: ATTACH dom%u dev%u: %s\n",
					a.domid, a.devid, strerror(errno));
			continue;
		}
		if (a.port >= vf.hdr.max_ports)
			continue;
		port_bind(a.port);
		vf.c.attaches++;
		fmt_mac(vf.ports[a.port].info->mac, mac);
		if (vf.quiet)
			continue;
		printf("vpfwd: attached port %u dom %u dev %u mac %s name %s state %u\n",
		       a.port, a.domid, a.devid, mac,
		       vf.ports[a.port].info->name[0] ?
			       vf.ports[a.port].info->name : "-",
		       vf.ports[a.port].info->state);
		fflush(stdout);
	}
}

/* Take back the frames still on the port's RX ring, then detach. */
static void port_detach(uint32_t i)
{
	struct port *p = &vf.ports[i];
	uint32_t prod = load_acq(&p->rx_idx->prod), mask = vf.hdr.ring_size - 1;

	while (prod - p->rx_cons <= vf.hdr.ring_size && p->rx_cons != prod) {
		buf_free(p->rx[p->rx_cons & mask].buf);
		p->rx_cons++;
	}
	if (ioctl(vf.fd, VPRIME_IOC_DETACH, &i) < 0)
		perror("vpfwd: DETACH");
	p->used = false;
	vf.c.detaches++;
	printf("vpfwd: detached port %u\n", i);
	fflush(stdout);
}

static void check_ports(void)
{
	uint32_t i;

	for (i = 0; i < vf.hdr.max_ports; i++)
		if (vf.ports[i].used &&
		    __atomic_load_n(&vf.ports[i].info->state,
				    __ATOMIC_ACQUIRE) == VPRIME_PORT_GONE)
			port_detach(i);
}

/* ---- forwarding --------------------------------------------------------- */

static uint32_t tx_room(const struct port *p)
{
	return vf.hdr.ring_size -
	       (p->tx_prod - load_acq(&p->tx_idx->cons));
}

/* Queue the chain @d[0..n) on @p's TX ring; caller checked the room. */
static void tx_put(struct port *p, const struct vprime_edesc *d, uint32_t n)
{
	uint32_t mask = vf.hdr.ring_size - 1, i;

	for (i = 0; i < n; i++) {
		struct vprime_edesc *t = &p->tx[p->tx_prod & mask];

		t->buf = d[i].buf;
		t->len = d[i].len;
		t->flags = d[i].flags;
		t->tstamp = 0;	/* deliver now */
		p->tx_prod++;
	}
}

/* A copy of the chain in fresh buffers, or false if there are none. */
static bool chain_copy(const struct vprime_edesc *d, uint32_t n,
		       struct vprime_edesc *out)
{
	uint32_t i;

	if (vf.nr_free < n)
		return false;
	for (i = 0; i < n; i++) {
		out[i] = d[i];
		out[i].buf = vf.free_bufs[--vf.nr_free];
		memcpy(buf_ptr(out[i].buf), buf_ptr(d[i].buf), d[i].len);
	}
	return true;
}

static void chain_free(const struct vprime_edesc *d, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		buf_free(d[i].buf);
}

static bool port_up(uint32_t i)
{
	return vf.ports[i].used &&
	       __atomic_load_n(&vf.ports[i].info->state, __ATOMIC_ACQUIRE) ==
		       VPRIME_PORT_ATTACHED;
}

static void forward(uint32_t src, const struct vprime_edesc *d, uint32_t n)
{
	const uint8_t *dst = buf_ptr(d[0].buf);
	struct vprime_edesc copy[VPRIME_MAX_SLOTS];
	bool used_orig = false;
	uint32_t i;

	if (d[0].len < 6) {
		vf.c.drop_bad++;
		chain_free(d, n);
		return;
	}
	if (!(dst[0] & 1)) {
		for (i = 0; i < vf.hdr.max_ports; i++) {
			if (i == src || !port_up(i) ||
			    memcmp(vf.ports[i].info->mac, dst, 6))
				continue;
			if (tx_room(&vf.ports[i]) < n) {
				vf.c.drop_full++;
				break;
			}
			tx_put(&vf.ports[i], d, n);
			vf.c.fwd_unicast++;
			return;
		}
		if (i == vf.hdr.max_ports)
			vf.c.drop_nodest++;
		chain_free(d, n);
		return;
	}
	/* Flood: the original buffers to the first port, copies to others. */
	for (i = 0; i < vf.hdr.max_ports; i++) {
		if (i == src || !port_up(i))
			continue;
		if (tx_room(&vf.ports[i]) < n) {
			vf.c.drop_full++;
			continue;
		}
		if (!used_orig) {
			tx_put(&vf.ports[i], d, n);
			used_orig = true;
		} else if (chain_copy(d, n, copy)) {
			tx_put(&vf.ports[i], copy, n);
		} else {
			vf.c.drop_nobuf++;
			continue;
		}
		vf.c.fwd_flood++;
	}
	if (!used_orig)
		chain_free(d, n);
}

/* Forward every complete frame on every RX ring; returns frames seen. */
static uint32_t forward_all(void)
{
	uint32_t mask = vf.hdr.ring_size - 1, i, frames = 0;

	for (i = 0; i < vf.hdr.max_ports; i++) {
		struct port *p = &vf.ports[i];
		uint32_t prod;

		if (!p->used)
			continue;
		prod = load_acq(&p->rx_idx->prod);
		if (prod - p->rx_cons > vf.hdr.ring_size)
			continue;	/* cannot happen with a sane kernel */
		while (p->rx_cons != prod) {
			struct vprime_edesc d[VPRIME_MAX_SLOTS];
			uint32_t n = 0;
			bool complete = false;

			while (p->rx_cons + n != prod && n < VPRIME_MAX_SLOTS) {
				d[n] = p->rx[(p->rx_cons + n) & mask];
				if (!(d[n++].flags & VPRIME_DESC_F_MORE)) {
					complete = true;
					break;
				}
			}
			if (!complete && n < VPRIME_MAX_SLOTS)
				break;	/* rest of the chain not there yet */
			p->rx_cons += n;
			vf.c.rx_frames++;
			frames++;
			forward(i, d, n);
		}
		store_rel(&p->rx_idx->cons, p->rx_cons);
	}
	for (i = 0; i < vf.hdr.max_ports; i++)
		if (vf.ports[i].used)
			store_rel(&vf.ports[i].tx_idx->prod, vf.ports[i].tx_prod);
	return frames;
}

/* After a sync: record what each port still holds of ours. */
static void queued_sample(void)
{
	uint32_t i;

	for (i = 0; i < vf.hdr.max_ports; i++) {
		struct port *p = &vf.ports[i];
		uint32_t q;

		if (!p->used)
			continue;
		q = p->tx_prod - load_acq(&p->tx_idx->cons);
		if (q <= vf.hdr.ring_size && q > p->tx_queued_peak)
			p->tx_queued_peak = q;
	}
}

/* ---- output --------------------------------------------------------------- */

static void dump(void)
{
	uint32_t i;

	printf("vpfwd: syncs=%" PRIu64 " polls=%" PRIu64 " rx_frames=%" PRIu64
	       " fwd_unicast=%" PRIu64 " fwd_flood=%" PRIu64
	       " drop_nodest=%" PRIu64 " drop_full=%" PRIu64
	       " drop_nobuf=%" PRIu64 " drop_bad=%" PRIu64
	       " completions=%" PRIu64 " attaches=%" PRIu64
	       " detaches=%" PRIu64 " free_bufs=%u\n",
	       vf.c.syncs, vf.c.polls, vf.c.rx_frames, vf.c.fwd_unicast,
	       vf.c.fwd_flood, vf.c.drop_nodest, vf.c.drop_full,
	       vf.c.drop_nobuf, vf.c.drop_bad, vf.c.completions, vf.c.attaches,
	       vf.c.detaches, vf.nr_free);
	for (i = 0; i < vf.hdr.max_ports; i++) {
		struct vprime_stats st = { .port = i };
		char mac[18];

		if (!vf.ports[i].used)
			continue;
		fmt_mac(vf.ports[i].info->mac, mac);
		if (ioctl(vf.fd, VPRIME_IOC_STATS, &st) < 0) {
			perror("vpfwd: STATS");
			continue;
		}
		printf("vpfwd: port=%u dom=%u dev=%u mac=%s state=%u"
		       " tx_queued=%u tx_queued_peak=%u",
		       i, vf.ports[i].info->domid, vf.ports[i].info->devid, mac,
		       vf.ports[i].info->state,
		       vf.ports[i].tx_prod - load_acq(&vf.ports[i].tx_idx->cons),
		       vf.ports[i].tx_queued_peak);
#define X(name, desc) printf(" " #name "=%llu", \
			      (unsigned long long)st.val[VPRIME_STAT_##name]);
		VPRIME_PORT_STATS(X)
#undef X
		printf("\n");
	}
	fflush(stdout);
}

/* ---- main ----------------------------------------------------------------- */

static int setup(const char *path, uint32_t nr_bufs, uint32_t ring_size,
		 uint32_t max_ports)
{
	struct vprime_setup s = {
		.abi_version = VPRIME_ABI_VERSION,
		.nr_bufs = nr_bufs,
		.ring_size = ring_size,
		.max_ports = max_ports,
	};
	uint32_t version = 0, i;

	vf.fd = open(path, O_RDWR | O_CLOEXEC);
	if (vf.fd < 0) {
		fprintf(stderr, "vpfwd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (ioctl(vf.fd, VPRIME_IOC_VERSION, &version) < 0 ||
	    version != VPRIME_ABI_VERSION) {
		fprintf(stderr, "vpfwd: ABI version %u, want %u\n", version,
			VPRIME_ABI_VERSION);
		return -1;
	}
	if (ioctl(vf.fd, VPRIME_IOC_SETUP, &s) < 0) {
		perror("vpfwd: SETUP");
		return -1;
	}
	vf.area_size = s.area_size;
	vf.area = mmap(NULL, vf.area_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vf.fd, 0);
	if (vf.area == MAP_FAILED) {
		perror("vpfwd: mmap");
		return -1;
	}
	memcpy(&vf.hdr, vf.area, sizeof(vf.hdr));
	if (vf.hdr.magic != VPRIME_AREA_MAGIC ||
	    vf.hdr.area_size != vf.area_size || vf.hdr.nr_bufs != nr_bufs ||
	    vf.hdr.max_ports != max_ports) {
		fprintf(stderr, "vpfwd: area header does not match setup\n");
		return -1;
	}
	vf.fill_idx = (struct vprime_ring_idx *)(vf.area + vf.hdr.off_fill);
	vf.fill = (uint32_t *)(vf.fill_idx + 1);
	vf.comp_idx = (struct vprime_ring_idx *)(vf.area + vf.hdr.off_comp);
	vf.comp = (uint32_t *)(vf.comp_idx + 1);
	vf.free_bufs = calloc(vf.hdr.nr_bufs, sizeof(*vf.free_bufs));
	vf.ports = calloc(vf.hdr.max_ports, sizeof(*vf.ports));
	if (!vf.free_bufs || !vf.ports)
		return -1;
	for (i = 0; i < vf.hdr.nr_bufs; i++)
		vf.free_bufs[vf.nr_free++] = vf.hdr.nr_bufs - 1 - i;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: vpfwd [-d /dev/vprime] [-b nr_bufs] [-r ring_size] [-p max_ports] [-i relist_ms] [-q]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *path = "/dev/" VPRIME_DEV_NAME;
	uint32_t nr_bufs = 4096, ring_size = 256, max_ports = 64;
	uint64_t relist_ms = 1000, last_list = 0;
	struct sigaction sa;
	int opt;

	while ((opt = getopt(argc, argv, "d:b:r:p:i:qh")) != -1) {
		switch (opt) {
		case 'd': path = optarg; break;
		case 'b': nr_bufs = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'r': ring_size = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p': max_ports = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'i': relist_ms = strtoull(optarg, NULL, 0); break;
		case 'q': vf.quiet = true; break;
		default: usage();
		}
	}
	if (max_ports > VPRIME_PORTS_MAX || nr_bufs <= RESERVE_BUFS)
		usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	if (setup(path, nr_bufs, ring_size, max_ports))
		return 1;
	printf("vpfwd: ready, %u buffers, ring %u, %u ports\n", vf.hdr.nr_bufs,
	       vf.hdr.ring_size, vf.hdr.max_ports);
	fflush(stdout);

	while (!stop_flag) {
		struct vprime_sync s = { .flags = 0 };
		uint32_t fwd;

		if (now_ms() - last_list >= relist_ms) {
			attach_new();
			last_list = now_ms();
		}
		check_ports();
		comp_reap();
		fill_top_up();
		if (ioctl(vf.fd, VPRIME_IOC_SYNC, &s) < 0) {
			if (errno == EINTR)
				continue;
			perror("vpfwd: SYNC");
			break;
		}
		vf.c.syncs++;
		queued_sample();
		fwd = forward_all();
		comp_reap();
		if (dump_flag) {
			dump_flag = 0;
			dump();
		}
		/*
		 * Sync again only with frames to push (forwarded now) or more
		 * to pull (this pass took frames, or ran out of budget).  A
		 * pass that only pushed has nothing left behind: its buffers'
		 * completions were reaped above, and poll() sees any frame
		 * still waiting for guest slots (without a system call more).
		 */
		if (fwd || s.rx_frames || s.pending)
			continue;
		{
			struct pollfd pfd = { .fd = vf.fd, .events = POLLIN | POLLPRI };
			uint64_t since = now_ms() - last_list;
			int timeout = since >= relist_ms ? 0 :
						(int)(relist_ms - since);

			vf.c.polls++;
			if (poll(&pfd, 1, timeout) < 0 && errno != EINTR) {
				perror("vpfwd: poll");
				break;
			}
		}
	}
	dump();
	munmap(vf.area, vf.area_size);
	close(vf.fd);	/* detaches every port: guests lose carrier */
	free(vf.free_bufs);
	free(vf.ports);
	return 0;
}
