// SPDX-License-Identifier: MIT
/*
 * bench_engine.c - `make bench-engine`: figures for docs/engine.md, not a
 * test.  Everything runs on this host over the simulated backend, on one
 * thread, with the real CLOCK_MONOTONIC.
 *
 *  capacity   N guests on one switch, 64-byte frames, each guest sends to
 *             the next; frames/s end to end (simulated guests included)
 *             and frames/s of the engine step alone (its syncs included:
 *             on real hardware that part is kernel time).
 *  fidelity   two guests, one link, real time: delay error p50/p99 for a
 *             1 ms link, and the bandwidth error of a 10 Mbit/s link
 *             offered twice its rate.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "vp_harness.h"

static u64 mono(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

struct bench {
	struct vh h;
	struct vprime *vp;
	struct vpe_topo *t;
	struct vpe_engine *e;
};

static void bench_init(struct bench *b, u32 n, u32 pages, const char *json)
{
	struct vprime_opts o = { .max_ports = 256, .nr_bufs = 16384 };
	char err[VPE_ERR_LEN];

	vh_init_pages(&b->h, n, 0, pages);
	vp_sim_host_set_clock(b->h.host, NULL, NULL);	/* real time */
	if (vprime_open_sim(&b->vp, b->h.host, &o) ||
	    vpe_topo_parse(json, strlen(json), &b->t, err, sizeof(err)) ||
	    vpe_engine_new(&b->e, b->vp, b->t, mono, NULL, err, sizeof(err)) ||
	    vpe_engine_rescan(b->e) != (int)n) {
		fprintf(stderr, "bench: setup failed: %s\n", err);
		exit(1);
	}
}

static void bench_fini(struct bench *b)
{
	vpe_engine_free(b->e);
	vprime_close(b->vp);
	vpe_topo_free(b->t);
	vh_fini(&b->h);
}

static char json[1 << 17];

static const char *star(u32 n, const char *prm)
{
	size_t o = (size_t)snprintf(json, sizeof(json), "{\"nodes\": "
				    "[{\"name\":\"s\",\"type\":\"switch\"}");
	u32 i;

	for (i = 0; i < n; i++)
		o += (size_t)snprintf(json + o, sizeof(json) - o, ",{\"name\":"
				      "\"h%u\",\"type\":\"guest\",\"domid\":%u}",
				      i, i + 1);
	o += (size_t)snprintf(json + o, sizeof(json) - o, "], \"links\": [");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(json + o, sizeof(json) - o,
				      "%s{\"a\":\"h%u\",\"b\":\"s\"%s}", i ? "," : "",
				      i, prm);
	snprintf(json + o, sizeof(json) - o, "]}");
	return json;
}

static u32 drain(struct vh *h, u8 *buf, u64 *at, struct vh_payload *pl)
{
	u32 i, n = 0;
	int r;

	for (i = 0; i < h->n; i++) {
		while (n < 4096 &&
		       (r = vp_sim_guest_recv(h->g[i], buf, VPRIME_FRAME_MAX)) > 0) {
			if (at)
				at[n] = mono(NULL);
			if (pl)
				vh_payload(buf, (u32)r, &pl[n]);
			n++;
		}
		vp_sim_guest_service(h->g[i]);
	}
	return n;
}

static void bench_capacity(u32 n)
{
	static u8 buf[VPRIME_FRAME_MAX];
	struct bench b;
	u64 t0, t1, in_step = 0, sent = 0, got = 0, s0;
	u32 i, k, burst = n <= 16 ? 64 : 16;

	bench_init(&b, n, n > 64 ? 16 : 64, star(n, ""));
	for (i = 0; i < n; i++) {	/* let the switch learn everyone */
		vh_frame(buf, 64, i, ~0u, 0, 0);
		vp_sim_guest_send(b.h.g[i], buf, 64);
		vpe_engine_step(b.e);
		drain(&b.h, buf, NULL, NULL);
	}
	t0 = mono(NULL);
	do {
		for (i = 0; i < n; i++)
			for (k = 0; k < burst; k++) {
				vh_frame(buf, 64, i, (i + 1) % n, k, 0);
				if (vp_sim_guest_send(b.h.g[i], buf, 64) == 0)
					sent++;
			}
		s0 = mono(NULL);
		vpe_engine_step(b.e);
		in_step += mono(NULL) - s0;
		got += drain(&b.h, buf, NULL, NULL);
		t1 = mono(NULL);
	} while (t1 - t0 < 1000000000ull);
	for (i = 0; i < 10; i++) {
		vpe_engine_step(b.e);
		got += drain(&b.h, buf, NULL, NULL);
	}
	printf("capacity %3u devices: %9.0f frames/s end to end, %9.0f frames/s "
	       "in the engine step; %llu sent, %llu delivered, %llu dropped\n",
	       n, got * 1e9 / (double)(t1 - t0), got * 1e9 / (double)in_step,
	       (unsigned long long)sent, (unsigned long long)got,
	       (unsigned long long)(b.e->st.drops[VPE_DROP_tx_ring_full] +
				    b.e->st.drops[VPE_DROP_queue_full]));
	bench_fini(&b);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static void bench_delay(void)
{
	static const char topo[] =
		"{\"nodes\":[{\"name\":\"a\",\"type\":\"guest\",\"domid\":1},"
		"{\"name\":\"b\",\"type\":\"guest\",\"domid\":2}],\"links\":"
		"[{\"a\":\"a\",\"b\":\"b\",\"delay\":\"1ms\"}]}";
	static u8 buf[VPRIME_FRAME_MAX];
	static u64 at[4096];
	static struct vh_payload pl[4096];
	static long long err[20000];
	struct bench b;
	u64 t0, next, now;
	u32 n = 0, i, k, seq = 0;

	bench_init(&b, 2, 0, topo);
	t0 = next = mono(NULL);
	while ((now = mono(NULL)) - t0 < 2000000000ull && n < 20000) {
		if (now >= next) {
			vh_frame(buf, 100, 0, 1, seq++, now);
			vp_sim_guest_send(b.h.g[0], buf, 100);
			next += 100000;	/* one frame every 100 us */
		}
		vpe_engine_step(b.e);
		k = drain(&b.h, buf, at, pl);
		for (i = 0; i < k && n < 20000; i++)
			err[n++] = (long long)(at[i] - pl[i].sent) - 1000000;
	}
	qsort(err, n, sizeof(err[0]), cmp_ll);
	printf("fidelity delay 1ms, real time, %u frames: error p50 %lld us, "
	       "p99 %lld us, max %lld us; late deliveries %llu (> %llu us)\n",
	       n, err[n / 2] / 1000, err[(u32)(n * 0.99)] / 1000,
	       err[n - 1] / 1000, (unsigned long long)b.e->st.late,
	       (unsigned long long)b.t->late_ns / 1000);
	bench_fini(&b);
}

/*
 * Rate between the 10th and 90th percentile deliveries: a few frames
 * delivered late by a descheduled process (this host is shared) move the
 * ends of the run, not the middle.
 */
static double bench_bandwidth_once(void)
{
	static const char topo[] =
		"{\"nodes\":[{\"name\":\"a\",\"type\":\"guest\",\"domid\":1},"
		"{\"name\":\"b\",\"type\":\"guest\",\"domid\":2}],\"links\":"
		"[{\"a\":\"a\",\"b\":\"b\",\"bandwidth\":\"10Mbit\","
		"\"queue\":{\"packets\":100}}]}";
	static u8 buf[VPRIME_FRAME_MAX];
	static u64 arr[8192];
	u64 t0, next, now;
	u32 n = 0, k, seq = 0, lo, hi;
	struct bench b;

	bench_init(&b, 2, 0, topo);
	t0 = next = mono(NULL);
	while ((now = mono(NULL)) - t0 < 1700000000ull) {
		if (now >= next && now - t0 < 1500000000ull) {
			vh_frame(buf, 1000, 0, 1, seq++, now);
			vp_sim_guest_send(b.h.g[0], buf, 1000);
			next += 400000;	/* 20 Mbit/s offered */
		}
		vpe_engine_step(b.e);
		k = drain(&b.h, buf, NULL, NULL);
		now = mono(NULL);
		while (k-- && n < 8192)
			arr[n++] = now;
	}
	bench_fini(&b);
	lo = n / 10;
	hi = n * 9 / 10;
	return (hi - lo) * 1000 * 8e9 / (double)(arr[hi] - arr[lo]);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bench_bandwidth(void)
{
	double r[3];
	u32 i;

	for (i = 0; i < 3; i++)
		r[i] = bench_bandwidth_once();
	qsort(r, 3, sizeof(r[0]), cmp_d);
	printf("fidelity bandwidth 10Mbit offered 20Mbit, real time, 3 runs: "
	       "median %.0f bit/s, error %.2f%% (runs %.2f%% .. %.2f%%)\n", r[1],
	       100 * (r[1] - 1e7) / 1e7, 100 * (r[0] - 1e7) / 1e7,
	       100 * (r[2] - 1e7) / 1e7);
}

static void bench_load(void)
{
	double l[3];

	if (getloadavg(l, 3) == 3)
		printf("host: %ld CPUs online, load average %.2f (shared machine: "
		       "real-time tails reflect it)\n", sysconf(_SC_NPROCESSORS_ONLN),
		       l[0]);
}

int main(void)
{
	static const u32 sizes[] = { 2, 16, 64, 200 };
	u32 i;

	printf("bench-engine: vprimed over the simulated backend, one thread\n");
	bench_load();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		bench_capacity(sizes[i]);
	bench_delay();
	bench_bandwidth();
	return 0;
}
