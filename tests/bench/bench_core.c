// SPDX-License-Identifier: MIT
/*
 * bench_core - the data-path core against the memcpy floor (a benchmark,
 * not a test: it prints figures and checks nothing).
 *
 * Path: guest A transmits a batch (vp_front), dom0 syncs it into the
 * engine (vp_sync_from_guest), an identity engine moves each frame's
 * buffer id from A's RX ring to B's TX ring (no copy), dom0 syncs it into
 * guest B (vp_sync_to_guest), guest B receives the batch (vp_front).  That
 * is four copies per frame: two in dom0 (the design's one per direction),
 * one in each guest.
 *
 * Floor, measured in the same run: the same four memcpy() calls per frame
 * between buffers that stay in cache, with no rings at all.
 * "dom0" columns time only the two sync calls against a two-memcpy floor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "vp_sim.h"

#define NR_BUFS 2048
#define MIN_NS 60000000ull	/* measure each point for at least 60 ms */
#define REPS 7			/* interleaved repetitions; medians reported */

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

struct bench {
	struct vp_sim_host *h;
	struct vp_sim_guest *a, *b;
	struct vp_sim_file *f;
	struct vp_engine e;
	u32 pa, pb;
	u32 comp_cons, fill_prod;
	u32 free[NR_BUFS];	/* engine-side LIFO of idle buffers */
	u32 nfree;
};

/*
 * Keep only FILL_MARK buffers on the fill ring and the rest on a LIFO
 * stack, so the buffers in use stay few and hot in cache: the buffer
 * policy an engine should have (libvprime does the same).
 */
#define FILL_MARK 512

static struct vp_sim_guest *bench_guest(u32 domid)
{
	struct vp_sim_guest_cfg cfg = {
		.domid = domid, .mac = { 0, 0x16, 0x3e, 0, 0, (u8)domid },
		.mtu = 9000,
	};
	struct vp_sim_guest *g = vp_sim_guest_new(&cfg);

	if (!g)
		abort();
	return g;
}

static void bench_engine(struct bench *bn);

static void bench_up(struct bench *bn)
{
	struct vprime_setup s = { .abi_version = VPRIME_ABI_VERSION,
				  .nr_bufs = NR_BUFS, .ring_size = 512,
				  .max_ports = 2 };
	struct vprime_attach at = { .by = VPRIME_ATTACH_BY_ID };
	size_t size;

	memset(bn, 0, sizeof(*bn));
	bn->h = vp_sim_host_new();
	bn->a = bench_guest(1);
	bn->b = bench_guest(2);
	vp_sim_host_add(bn->h, bn->a);
	vp_sim_host_add(bn->h, bn->b);
	bn->f = vp_sim_open(bn->h);
	if (vp_sim_ioctl(bn->f, VPRIME_IOC_SETUP, &s))
		abort();
	vp_engine_init(&bn->e, vp_sim_area(bn->f, &size),
		       vp_sim_area(bn->f, &size));
	at.domid = 1;
	vp_sim_ioctl(bn->f, VPRIME_IOC_ATTACH, &at);
	bn->pa = at.port;
	at.domid = 2;
	vp_sim_ioctl(bn->f, VPRIME_IOC_ATTACH, &at);
	bn->pb = at.port;
	for (u32 i = 0; i < NR_BUFS; i++)
		bn->free[bn->nfree++] = NR_BUFS - 1 - i;
	bench_engine(bn);
}

static void bench_down(struct bench *bn)
{
	vp_sim_close(bn->f);
	vp_sim_guest_free(bn->a);
	vp_sim_guest_free(bn->b);
	vp_sim_host_free(bn->h);
}

/* The identity engine: A's RX ring to B's TX ring, completions to fill. */
static void bench_engine(struct bench *bn)
{
	u8 *ports = bn->e.base + bn->e.hdr.off_ports;
	u32 rs = bn->e.hdr.ring_size, pr = bn->e.hdr.pool_ring_size;
	struct vprime_ring_idx *rx = (void *)(ports + bn->pa * bn->e.hdr.port_stride +
					      VPRIME_PORT_RX_IDX_OFF);
	struct vprime_edesc *rd = (void *)(ports + bn->pa * bn->e.hdr.port_stride +
					   VPRIME_PORT_DESC_OFF);
	struct vprime_ring_idx *tx = (void *)(ports + bn->pb * bn->e.hdr.port_stride +
					      VPRIME_PORT_TX_IDX_OFF);
	struct vprime_edesc *td = (struct vprime_edesc *)(ports +
				  bn->pb * bn->e.hdr.port_stride +
				  VPRIME_PORT_DESC_OFF) + rs;
	u32 cons = rx->cons, prod = READ_ONCE(rx->prod), tprod = tx->prod;
	u32 cprod = READ_ONCE(bn->e.comp_idx->prod);

	while (cons != prod && tprod - READ_ONCE(tx->cons) < rs) {
		td[tprod++ & (rs - 1)] = rd[cons++ & (rs - 1)];
		td[(tprod - 1) & (rs - 1)].tstamp = 0;
	}
	WRITE_ONCE(rx->cons, cons);
	WRITE_ONCE(tx->prod, tprod);
	while (bn->comp_cons != cprod)
		bn->free[bn->nfree++] = bn->e.comp[bn->comp_cons++ & (pr - 1)];
	WRITE_ONCE(bn->e.comp_idx->cons, bn->comp_cons);
	while (bn->nfree &&
	       bn->fill_prod - READ_ONCE(bn->e.fill_idx->cons) < FILL_MARK)
		bn->e.fill[bn->fill_prod++ & (pr - 1)] = bn->free[--bn->nfree];
	WRITE_ONCE(bn->e.fill_idx->prod, bn->fill_prod);
}

struct result {
	double path_ns;		/* per frame, whole loop */
	double dom0_ns;		/* per frame, the two sync calls */
};

static void bench_path(u32 len, u32 batch, struct result *r)
{
	static u8 frame[VPRIME_FRAME_MAX], in[VPRIME_FRAME_MAX];
	struct vprime_sync s = { 0 };
	u64 frames = 0, dom0 = 0, t0, t1, start;
	struct bench bn;

	bench_up(&bn);
	memset(frame, 0x5a, len);
	start = now_ns();
	do {
		/* Guest A: one reap and one publish per batch, as a driver
		 * does with xmit_more. */
		vp_front_txc_reap(&bn.a->front);
		for (u32 i = 0; i < batch; i++)
			if (vp_front_tx_frame(&bn.a->front, frame, len, 0))
				abort();
		vp_front_tx_push(&bn.a->front);
		t0 = now_ns();
		s.flags = VPRIME_SYNC_RX;
		vp_sim_ioctl(bn.f, VPRIME_IOC_SYNC, &s);
		t1 = now_ns();
		dom0 += t1 - t0;
		bench_engine(&bn);
		s.flags = VPRIME_SYNC_TX;
		t0 = now_ns();
		vp_sim_ioctl(bn.f, VPRIME_IOC_SYNC, &s);
		dom0 += now_ns() - t0;
		/* Guest B: a NAPI-style batch, one commit and refill. */
		for (u32 i = 0; i < batch; i++) {
			struct vp_frame fr;

			if (vp_front_rx_next(&bn.b->front, &fr) != 1 || fr.bad ||
			    vp_front_rx_copy(&bn.b->front, &fr, in,
					     sizeof(in)) != len)
				abort();
			vp_front_rx_release(&bn.b->front, &fr);
		}
		vp_front_rx_commit(&bn.b->front);
		vp_front_fill(&bn.b->front);
		frames += batch;
	} while (now_ns() - start < MIN_NS);
	r->path_ns = (double)(now_ns() - start) / (double)frames;
	r->dom0_ns = (double)dom0 / (double)frames;
	bench_down(&bn);
}

/*
 * The floor: the same copies of the same sizes, between buffers that stay
 * hot in cache (64 slots per region, so the floor is the best case, not a
 * cache-miss-bound loop), with no rings or checks at all.  @dom0_only
 * does just dom0's two copies (guest TX slot -> engine buffer -> guest RX
 * slot).  No clock read inside the loop: it costs more than a small copy.
 */
static double bench_floor(u32 len, bool dom0_only)
{
	u32 nslots = 64;
	u8 *txp = aligned_alloc(4096, (size_t)nslots * VPRIME_SLOT_SIZE);
	u8 *rxp = aligned_alloc(4096, (size_t)nslots * VPRIME_SLOT_SIZE);
	u8 *ebuf = aligned_alloc(4096, (size_t)NR_BUFS * VPRIME_BUF_SIZE);
	static u8 frame[VPRIME_FRAME_MAX], out[VPRIME_FRAME_MAX];
	u32 segs = (len + VPRIME_SLOT_SIZE - 1) / VPRIME_SLOT_SIZE;
	u64 frames = 0, start;
	u32 i = 0, j = 0;
	double ns;

	if (!txp || !rxp || !ebuf)
		abort();
	memset(txp, 1, (size_t)nslots * VPRIME_SLOT_SIZE);
	memset(rxp, 1, (size_t)nslots * VPRIME_SLOT_SIZE);
	memset(ebuf, 1, (size_t)NR_BUFS * VPRIME_BUF_SIZE);
	memset(frame, 0x5a, len);
	start = now_ns();
	do {
		for (u32 k = 0; k < 256; k++) {
			u32 left = len;

			for (u32 s = 0; s < segs; s++) {
				u32 n = left > VPRIME_SLOT_SIZE ? VPRIME_SLOT_SIZE : left;
				u8 *a = txp + (size_t)(i % nslots) * VPRIME_SLOT_SIZE;
				u8 *e = ebuf + (size_t)(j % nslots) * VPRIME_BUF_SIZE;
				u8 *b = rxp + (size_t)(i % nslots) * VPRIME_SLOT_SIZE;

				if (!dom0_only)
					memcpy(a, frame + s * VPRIME_SLOT_SIZE, n);
				memcpy(e, a, n);
				memcpy(b, e, n);
				if (!dom0_only)
					memcpy(out + s * VPRIME_SLOT_SIZE, b, n);
				/* keep the compiler from merging copies */
				__asm__ volatile("" : : "r"(a), "r"(b), "r"(e)
						 : "memory");
				left -= n;
				i++;
				j++;
			}
		}
		frames += 256;
	} while (now_ns() - start < MIN_NS);
	ns = (double)(now_ns() - start) / (double)frames;
	free(txp);
	free(rxp);
	free(ebuf);
	return ns;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, REPS, sizeof(*v), cmp_double);
	return v[REPS / 2];
}

/* What one clock read costs here (it is subtracted from dom0 times). */
static double clock_cost_ns(void)
{
	u64 start = now_ns(), n = 0;

	while (now_ns() - start < 50000000ull)
		n++;
	return 50000000.0 / (double)n;
}

int main(void)
{
	const u32 sizes[] = { 64, 512, 1500, 9000 };
	const u32 batches[] = { 1, 8, 32, 256 };
	double clk = clock_cost_ns();
	struct utsname u;
	char host[128] = "?";
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10)) {
			snprintf(host, sizeof(host), "%s", strchr(line, ':') + 2);
			host[strcspn(host, "\n")] = 0;
			break;
		}
	if (f)
		fclose(f);
	uname(&u);
	printf("bench-core: guest -> dom0 sync -> identity engine -> dom0 sync -> guest\n");
	printf("machine: %s, %ld cpus, %s %s; one thread; clock read %.1f ns\n",
	       host, sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release, clk);
	printf("%6s %6s | %10s %9s %9s %6s | %9s %9s %6s\n", "bytes", "batch",
	       "Mframes/s", "ns/frame", "floor4", "ratio", "dom0 ns", "floor2",
	       "ratio");
	for (u32 si = 0; si < 4; si++) {
		u32 segs = (sizes[si] + VPRIME_SLOT_SIZE - 1) / VPRIME_SLOT_SIZE;
		double f4[REPS], f2[REPS], p[4][REPS], d[4][REPS];
		u32 batch[4];

		/* A ring holds 256 slots; a 9000-byte frame takes 5. */
		for (u32 bi = 0; bi < 4; bi++)
			batch[bi] = batches[bi] * segs > VPRIME_RING_SIZE ?
				    VPRIME_RING_SIZE / segs : batches[bi];
		/* Interleave floor and path so machine noise hits both. */
		for (u32 rep = 0; rep < REPS; rep++) {
			f4[rep] = bench_floor(sizes[si], false);
			f2[rep] = bench_floor(sizes[si], true);
			for (u32 bi = 0; bi < 4; bi++) {
				struct result r;

				bench_path(sizes[si], batch[bi], &r);
				p[bi][rep] = r.path_ns;
				d[bi][rep] = r.dom0_ns - 2 * clk / batch[bi];
			}
		}
		for (u32 bi = 0; bi < 4; bi++) {
			double pm = median(p[bi]), dm = median(d[bi]);
			double f4m = median(f4), f2m = median(f2);

			printf("%6u %6u | %10.2f %9.1f %9.1f %6.2f | %9.1f %9.1f %6.2f\n",
			       sizes[si], batch[bi], 1000.0 / pm, pm, f4m,
			       pm / f4m, dm, f2m, dm / f2m);
		}
	}
	printf("medians of %d interleaved runs; ratio = path / floor measured in "
	       "this run (floor4: the four copies of the loop; floor2: dom0's two)\n", REPS);
	return 0;
}
