// SPDX-License-Identifier: MIT
/*
 * test_engine_fwd.c - vprimed's fidelity between simulated guests, on a
 * virtual clock (vp_sim_host_set_clock): the engine is stepped every tick,
 * so every figure below is exact up to the tick and immune to machine load.
 *
 *  - delay reproduced: error = received - sent - configured, never
 *    negative, p50 and p99 printed, both under one tick;
 *  - jitter stays in [delay - j, delay + j] and never reorders;
 *  - bandwidth within 2% (printed);
 *  - random loss within a 5-sigma binomial bound; Gilbert-Elliott loss
 *    rate and mean burst length within bounds widened for correlation;
 *  - drop-tail queue limits in frames and bytes honoured exactly;
 *  - late deliveries counted in the histogram, never silent;
 *  - switches learn and flood; devices that vanish are detached and
 *    re-attached when they return; 200 devices at once;
 *  - pcap capture with nanosecond timestamps; run-time link change.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include "engine_fixture.h"
#include "vp_hist.h"

#define MS 1000000ull
#define US 1000ull

static char json[1 << 16];

/* Two guests h0, h1 joined by one link with parameters @prm (JSON). */
static const char *pair(const char *prm)
{
	snprintf(json, sizeof(json),
		 "{\"seed\": 7, \"nodes\": ["
		 "{\"name\":\"h0\",\"type\":\"guest\",\"mac\":\"02:00:5e:00:00:00\"},"
		 "{\"name\":\"h1\",\"type\":\"guest\",\"mac\":\"02:00:5e:00:00:01\"}],"
		 "\"links\": [{\"name\":\"l\",\"a\":\"h0\",\"b\":\"h1\"%s%s}]}",
		 *prm ? "," : "", prm);
	return json;
}

/* @n guests h<i> on switch s, each by its own link with @prm. */
static const char *star(u32 n, const char *prm)
{
	size_t o;
	u32 i;

	o = (size_t)snprintf(json, sizeof(json), "{\"nodes\": [{\"name\":\"s\","
			     "\"type\":\"switch\"}");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(json + o, sizeof(json) - o,
				      ",{\"name\":\"h%u\",\"type\":\"guest\","
				      "\"domid\":%u}", i, i + 1);
	o += (size_t)snprintf(json + o, sizeof(json) - o, "], \"links\": [");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(json + o, sizeof(json) - o,
				      "%s{\"a\":\"h%u\",\"b\":\"s\"%s%s}",
				      i ? "," : "", i, *prm ? "," : "", prm);
	snprintf(json + o, sizeof(json) - o, "]}");
	return json;
}

static struct ef *ef_new(u32 guests, u32 pages, const char *topo)
{
	struct ef *f = calloc(1, sizeof(*f));
	char err[VPE_ERR_LEN] = "";

	assert_non_null(f);
	if (ef_init(f, guests, pages, topo, err, sizeof(err)))
		fail_msg("engine: %s", err);
	return f;
}

static void ef_free(struct ef *f)
{
	ef_fini(f);
	free(f);
}

static u64 drops(struct ef *f, enum vpe_drop d)
{
	return f->e->st.drops[d];
}

static u64 all_drops(struct ef *f)
{
	u64 s = 0;
	u32 i;

	for (i = 0; i < VPE_DROP_MAX; i++)
		s += f->e->st.drops[i];
	return s;
}

/* ---- delay and jitter ----------------------------------------------------- */

static void test_delay(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"delay\": \"5ms\""));
	long long err[2000];
	u64 tick = 7 * US;	/* not a divisor of anything configured */
	u32 i;

	(void)state;
	for (i = 0; i < 2000; i++) {
		assert_int_equal(ef_send(f, i % 2, (i + 1) % 2, i, 100), 0);
		ef_run(f, f->h.clock + 97 * US, tick);
	}
	ef_run(f, f->h.clock + 6 * MS, tick);
	assert_int_equal(f->nr_rx, 2000);
	for (i = 0; i < f->nr_rx; i++) {
		err[i] = (long long)(f->rx[i].at - f->rx[i].pl.sent) - 5 * (long long)MS;
		assert_true(err[i] >= 0);	/* never early */
	}
	long long p50 = ef_pct(err, 2000, 50), p99 = ef_pct(err, 2000, 99);

	print_message("delay 5ms, tick 7us: error p50 %lld ns, p99 %lld ns\n",
		      p50, p99);
	assert_true(p99 < (long long)tick);
	assert_int_equal(all_drops(f), 0);
	ef_free(f);
}

/*
 * The same, with the clock driven to exactly the time the engine asks to
 * be woken at (what vprimed's ppoll timeout does in real time): the
 * schedule itself adds no error at all.
 */
static void test_delay_event_driven(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"delay\": \"5ms\", "
					 "\"bandwidth\": \"100Mbit\""));
	u64 next_send = f->h.clock, next_ev, ser = 80 * US;	/* 1000 B */
	u32 sent = 0, i;

	(void)state;
	while (f->nr_rx < 1000) {
		if (f->h.clock >= next_send && sent < 1000) {
			assert_int_equal(ef_send(f, 0, 1, sent++, 1000), 0);
			next_send += 333 * US + sent % 17;
		}
		next_ev = vpe_engine_step(f->e);
		ef_collect(f);
		f->h.clock = next_ev < next_send || sent == 1000 ? next_ev : next_send;
	}
	for (i = 0; i < f->nr_rx; i++)
		assert_int_equal(f->rx[i].at - f->rx[i].pl.sent, 5 * MS + ser);
	print_message("delay 5ms + 80us serialisation, event-driven clock: "
		      "error p50 0 ns, p99 0 ns (all %u frames exact)\n", f->nr_rx);
	ef_free(f);
}

static void test_jitter_fifo(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"delay\": \"5ms\", \"jitter\": \"1ms\""));
	u64 tick = 10 * US, sum = 0, d;
	u32 i, last = 0;
	double mean;

	(void)state;
	/* Dense: frames 200 us apart, so jitter would reorder them. */
	for (i = 0; i < 300; i++) {
		assert_int_equal(ef_send(f, 0, 1, i, 100), 0);
		ef_run(f, f->h.clock + 200 * US, tick);
	}
	ef_run(f, f->h.clock + 7 * MS, tick);
	assert_int_equal(f->nr_rx, 300);
	for (i = 0; i < f->nr_rx; i++) {
		d = f->rx[i].at - f->rx[i].pl.sent;
		assert_true(d >= 4 * MS && d <= 6 * MS + tick);
		assert_true(i == 0 || f->rx[i].pl.seq > last);	/* FIFO */
		last = f->rx[i].pl.seq;
	}
	/* Sparse: 2.1 ms apart, no clamping, so the delay is U[4ms, 6ms]. */
	f->nr_rx = 0;
	for (i = 0; i < 500; i++) {
		assert_int_equal(ef_send(f, 0, 1, i, 100), 0);
		ef_run(f, f->h.clock + 2100 * US, 30 * US);
	}
	ef_run(f, f->h.clock + 7 * MS, 30 * US);
	assert_int_equal(f->nr_rx, 500);
	for (i = 0; i < f->nr_rx; i++)
		sum += f->rx[i].at - f->rx[i].pl.sent;
	mean = (double)sum / 500.0;
	print_message("jitter 1ms on 5ms: mean delay %.1f us (sd of the mean "
		      "26 us, tick 30 us)\n", mean / 1e3);
	/* 5 sigma of the mean of 500 uniform draws, plus one tick. */
	assert_true(fabs(mean - 5e6) < 130e3 + 30e3);
	ef_free(f);
}

/* ---- bandwidth -------------------------------------------------------------- */

static void test_bandwidth(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"bandwidth\": \"10Mbit\", "
					 "\"queue\": {\"packets\": 2000}"));
	u64 tick = 10 * US, bytes = 0, span;
	double got, errpct;
	u32 i, sent = 0;

	(void)state;
	/* Offer twice the link rate: 1000-byte frames every 400 us. */
	while (sent < 1000) {
		for (i = 0; i < 4 && sent < 1000; i++)
			assert_int_equal(ef_send(f, 0, 1, sent++, 1000), 0);
		ef_run(f, f->h.clock + 1600 * US, tick);
	}
	ef_run(f, f->h.clock + 900 * MS, tick);
	assert_int_equal(f->nr_rx, 1000);
	for (i = 1; i < f->nr_rx; i++)
		bytes += f->rx[i].len;
	span = f->rx[f->nr_rx - 1].at - f->rx[0].at;
	got = (double)bytes * 8e9 / (double)span;
	errpct = 100.0 * (got - 10e6) / 10e6;
	print_message("bandwidth 10Mbit: measured %.0f bit/s, error %.3f%%\n",
		      got, errpct);
	assert_true(fabs(errpct) < 2.0);
	ef_free(f);
}

/* ---- loss ---------------------------------------------------------------------- */

static void send_many(struct ef *f, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		assert_int_equal(ef_send(f, 0, 1, i, 64), 0);
		if (i % 100 == 99) {
			ef_step(f);
			f->h.clock += 10 * US;
		}
	}
	ef_run(f, f->h.clock + 1 * MS, 10 * US);
}

static void test_loss_random(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"loss\": 0.1"));
	const double n = 20000, p = 0.1;
	double sigma = sqrt(n * p * (1 - p)), lost;

	(void)state;
	send_many(f, 20000);
	lost = n - f->nr_rx;
	print_message("loss 0.1: %.0f of %.0f lost (expected %.0f +- %.0f at "
		      "5 sigma)\n", lost, n, n * p, 5 * sigma);
	assert_true(fabs(lost - n * p) < 5 * sigma);
	/* Every loss is counted, as what it was. */
	assert_int_equal(drops(f, VPE_DROP_loss_random), (u64)lost);
	assert_int_equal(all_drops(f), (u64)lost);
	ef_free(f);
}

static void test_loss_gilbert_elliott(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"gilbert_elliott\": {\"p\": 0.05, "
					 "\"r\": 0.25, \"loss_bad\": 1}"));
	u32 i, bursts = 0, lost = 0, expect = 0;
	double rate, mean_burst;

	(void)state;
	send_many(f, 20000);
	/* Walk the received sequence numbers to find the gaps (bursts). */
	for (i = 0; i < f->nr_rx; i++) {
		if (f->rx[i].pl.seq != expect) {
			bursts++;
			lost += f->rx[i].pl.seq - expect;
		}
		expect = f->rx[i].pl.seq + 1;
	}
	if (expect != 20000) {
		bursts++;
		lost += 20000 - expect;
	}
	rate = lost / 20000.0;
	mean_burst = (double)lost / bursts;
	print_message("Gilbert-Elliott p=0.05 r=0.25: loss %.4f (stationary "
		      "0.1667), mean burst %.2f (1/r = 4)\n", rate, mean_burst);
	/* Correlated draws: bounds are 5 sigma with the variance inflated by
	 * (1 + rho) / (1 - rho), rho = 1 - p - r. */
	assert_true(fabs(rate - 0.05 / 0.30) < 0.03);
	assert_true(fabs(mean_burst - 4.0) < 0.6);
	assert_int_equal(drops(f, VPE_DROP_loss_burst), lost);
	ef_free(f);
}

/* ---- queues -------------------------------------------------------------------- */

static void test_queue_limit(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"bandwidth\": \"1Mbit\", "
					 "\"queue\": {\"packets\": 10}"));
	u32 i;

	(void)state;
	for (i = 0; i < 50; i++)
		assert_int_equal(ef_send(f, 0, 1, i, 1000), 0);
	ef_run(f, f->h.clock + 200 * MS, 100 * US);
	/* One on the wire and ten waiting; the other 39 dropped at the tail. */
	assert_int_equal(f->nr_rx, 11);
	assert_int_equal(drops(f, VPE_DROP_queue_full), 39);
	assert_int_equal(f->e->ldir[0].drops[VPE_LDROP_queue_full], 39);
	for (i = 0; i < 11; i++)
		assert_int_equal(f->rx[i].pl.seq, i);
	ef_free(f);

	f = ef_new(2, 0, pair("\"bandwidth\": \"1Mbit\", "
			      "\"queue\": {\"packets\": 100, \"bytes\": 5000}"));
	for (i = 0; i < 50; i++)
		assert_int_equal(ef_send(f, 0, 1, i, 1000), 0);
	ef_run(f, f->h.clock + 200 * MS, 100 * US);
	assert_int_equal(f->nr_rx, 6);
	assert_int_equal(drops(f, VPE_DROP_queue_full), 44);
	ef_free(f);
}

/* ---- lateness --------------------------------------------------------------- */

static void test_lateness_counted(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"delay\": \"1ms\""));

	(void)state;
	assert_int_equal(ef_send(f, 0, 1, 0, 100), 0);
	ef_run(f, f->h.clock + 2 * MS, 10 * US);
	assert_int_equal(f->e->st.late, 0);
	assert_int_equal(f->e->st.late_hist[0], 1);
	/* The engine is stalled for 5 ms past the frame's due time. */
	assert_int_equal(ef_send(f, 0, 1, 1, 100), 0);
	ef_step(f);
	f->h.clock += 6 * MS;
	ef_step(f);
	assert_int_equal(f->nr_rx, 2);
	assert_int_equal(f->e->st.late, 1);
	assert_int_equal(f->e->st.late_hist[4], 1);	/* 1-10 ms */
	assert_int_equal(f->e->st.late_max_ns, 5 * MS);
	ef_free(f);
}

/* ---- per-stage histograms ---------------------------------------------------- */

/* lat_to_engine (libvprime) and residence (engine) on the virtual clock. */
static void test_stage_histograms(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"delay\": \"1ms\""));
	u64 lib[VPRIME_LIB_STAT_MAX];
	const u64 *to_engine = &lib[VPRIME_LIB_STAT_lat_to_engine_le_1us];

	(void)state;
	assert_int_equal(ef_send(f, 0, 1, 0, 100), 0);
	ef_run(f, f->h.clock + 2 * MS, 10 * US);
	assert_int_equal(f->nr_rx, 1);
	/* 1 ms of link delay, delivered within a 10 us tick of it. */
	assert_int_equal(f->e->st.residence[vp_hist_bucket(1 * MS)], 1);
	assert_int_equal(vp_hist_total(f->e->st.residence), 1);
	/* Synced and peeked in the same step: no time passed. */
	assert_int_equal(vprime_lib_stats(f->e->vp, lib, VPRIME_LIB_STAT_MAX),
			 VPRIME_LIB_STAT_MAX);
	assert_int_equal(to_engine[0], 1);
	/* Synced 30 us before the step that peeks it. */
	assert_int_equal(ef_send(f, 0, 1, 1, 100), 0);
	assert_int_equal(vprime_sync(f->e->vp, VPRIME_SYNC_RX, NULL), 0);
	f->h.clock += 30 * US;
	ef_run(f, f->h.clock + 2 * MS, 10 * US);
	assert_int_equal(f->nr_rx, 2);
	vprime_lib_stats(f->e->vp, lib, VPRIME_LIB_STAT_MAX);
	assert_int_equal(vp_hist_total(to_engine), 2);
	assert_int_equal(to_engine[vp_hist_bucket(30 * US)], 1);
	/* Residence counts from dom0's sync, as the link delay does. */
	assert_int_equal(f->e->st.residence[vp_hist_bucket(1 * MS)], 2);
	assert_int_equal(vp_hist_total(f->e->st.residence), 2);
	ef_free(f);
}

/* ---- switching ------------------------------------------------------------------- */

static u32 count_rx(struct ef *f, u32 guest)
{
	u32 i, n = 0;

	for (i = 0; i < f->nr_rx; i++)
		n += f->rx[i].guest == guest;
	return n;
}

static void test_switch_learn_flood(void **state)
{
	struct ef *f = ef_new(3, 0, star(3, "\"delay\": \"100us\""));

	(void)state;
	assert_int_equal(ef_send(f, 0, ~0u, 0, 60), 0);	/* broadcast */
	ef_run(f, f->h.clock + 1 * MS, 10 * US);
	assert_int_equal(count_rx(f, 1), 1);
	assert_int_equal(count_rx(f, 2), 1);
	assert_int_equal(f->e->st.flood_copies, 1);
	assert_int_equal(ef_send(f, 1, 0, 1, 60), 0);	/* h0 was learned */
	ef_run(f, f->h.clock + 1 * MS, 10 * US);
	assert_int_equal(count_rx(f, 0), 1);
	assert_int_equal(count_rx(f, 2), 1);
	assert_int_equal(ef_send(f, 0, 1, 2, 60), 0);	/* h1 was learned */
	ef_run(f, f->h.clock + 1 * MS, 10 * US);
	assert_int_equal(count_rx(f, 1), 2);
	assert_int_equal(count_rx(f, 2), 1);
	assert_int_equal(ef_send(f, 0, 77, 3, 60), 0);	/* unknown: flood */
	ef_run(f, f->h.clock + 1 * MS, 10 * US);
	assert_int_equal(count_rx(f, 1), 3);
	assert_int_equal(count_rx(f, 2), 2);
	assert_int_equal(all_drops(f), 0);
	ef_free(f);
}

/* ---- routing ------------------------------------------------------------------ */

static const u8 r_mac_a[6] = { 0x02, 0x52, 0, 0, 0, 1 };
static const u8 r_mac_b[6] = { 0x02, 0x52, 0, 0, 0, 2 };

static void put16(u8 *p, u32 v) { p[0] = (u8)(v >> 8); p[1] = (u8)v; }
static void put32(u8 *p, u32 v) { put16(p, v >> 16); put16(p + 2, v); }
static u32 get16(const u8 *p) { return (u32)p[0] << 8 | p[1]; }
static u32 get32(const u8 *p) { return get16(p) << 16 | get16(p + 2); }

static u32 ip_sum(const u8 *h, u32 n)
{
	u32 s = 0, i;

	for (i = 0; i < n; i += 2)
		s += get16(h + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

static u32 arp_req(u8 *p, u32 g, u32 spa, u32 tpa)
{
	memset(p, 0, 60);
	memset(p, 0xff, 6);
	vh_mac(g, p + 6);
	put16(p + 12, 0x0806);
	put16(p + 14, 1);
	put16(p + 16, 0x0800);
	p[18] = 6;
	p[19] = 4;
	put16(p + 20, 1);
	vh_mac(g, p + 22);
	put32(p + 28, spa);
	put32(p + 38, tpa);
	return 60;
}

static u32 ipv4(u8 *p, u32 g, const u8 *dmac, u32 src, u32 dst, u8 ttl)
{
	memset(p, 0, 100);
	memcpy(p, dmac, 6);
	vh_mac(g, p + 6);
	put16(p + 12, 0x0800);
	p[14] = 0x45;
	put16(p + 16, 86);
	p[22] = ttl;
	p[23] = 17;
	put32(p + 26, src);
	put32(p + 30, dst);
	put16(p + 24, ip_sum(p + 14, 20));
	return 100;
}

/* Run the engine 1 ms and return what guest @g got (0: nothing). */
static int got(struct ef *f, u32 g, u8 *buf)
{
	u32 i;

	for (i = 0; i < 100; i++) {
		vpe_engine_step(f->e);
		f->h.clock += 10 * US;
	}
	return vp_sim_guest_recv(f->h.g[g], buf, VPRIME_FRAME_MAX);
}

#define IP(a, b, c, d) ((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (d))

static void test_router(void **state)
{
	struct ef *f = ef_new(2, 0,
		"{\"nodes\": ["
		"{\"name\":\"h0\",\"type\":\"guest\",\"mac\":\"02:00:5e:00:00:00\"},"
		"{\"name\":\"h1\",\"type\":\"guest\",\"mac\":\"02:00:5e:00:00:01\"},"
		"{\"name\":\"r\",\"type\":\"router\",\"interfaces\":["
		"{\"link\":\"la\",\"ip\":\"10.0.1.1/24\",\"mac\":\"02:52:00:00:00:01\"},"
		"{\"link\":\"lb\",\"ip\":\"10.0.2.1/24\",\"mac\":\"02:52:00:00:00:02\"}],"
		"\"routes\":[{\"prefix\":\"10.0.3.0/24\",\"via\":\"10.0.2.99\"}]}],"
		"\"links\": [{\"name\":\"la\",\"a\":\"h0\",\"b\":\"r\",\"delay\":\"100us\"},"
		"{\"name\":\"lb\",\"a\":\"r\",\"b\":\"h1\",\"delay\":\"100us\"}]}");
	u8 out[100], in[VPRIME_FRAME_MAX], h1mac[6];
	u32 len;

	(void)state;
	vh_mac(1, h1mac);
	/* h0 asks for its gateway: the reply is the request turned round. */
	len = arp_req(out, 0, IP(10, 0, 1, 2), IP(10, 0, 1, 1));
	assert_int_equal(vp_sim_guest_send(f->h.g[0], out, len), 0);
	assert_int_equal(got(f, 0, in), 60);
	assert_int_equal(get16(in + 20), 2);
	assert_memory_equal(in + 22, r_mac_a, 6);
	assert_int_equal(get32(in + 28), IP(10, 0, 1, 1));
	assert_int_equal(get32(in + 38), IP(10, 0, 1, 2));
	/* First packet: h1 unknown, so dropped, and the router asks for it. */
	len = ipv4(out, 0, r_mac_a, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64);
	assert_int_equal(vp_sim_guest_send(f->h.g[0], out, len), 0);
	assert_int_equal(got(f, 1, in), 60);
	assert_int_equal(get16(in + 12), 0x0806);
	assert_int_equal(get32(in + 38), IP(10, 0, 2, 2));
	assert_memory_equal(in + 6, r_mac_b, 6);
	assert_int_equal(drops(f, VPE_DROP_no_arp), 1);
	/* h1 answers (its own request to the router teaches the router too). */
	len = arp_req(out, 1, IP(10, 0, 2, 2), IP(10, 0, 2, 1));
	assert_int_equal(vp_sim_guest_send(f->h.g[1], out, len), 0);
	assert_int_equal(got(f, 1, in), 60);
	/* Now routed: MACs rewritten, TTL 63, checksum still right. */
	len = ipv4(out, 0, r_mac_a, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64);
	assert_int_equal(vp_sim_guest_send(f->h.g[0], out, len), 0);
	assert_int_equal(got(f, 1, in), 100);
	assert_memory_equal(in, h1mac, 6);
	assert_memory_equal(in + 6, r_mac_b, 6);
	assert_int_equal(in[22], 63);
	assert_int_equal(ip_sum(in + 14, 20), 0);
	assert_memory_equal(in + 26, out + 26, 8);
	assert_int_equal(f->e->st.routed, 1);
	/* A static route: the router asks for its gateway. */
	len = ipv4(out, 0, r_mac_a, IP(10, 0, 1, 2), IP(10, 0, 3, 7), 64);
	assert_int_equal(vp_sim_guest_send(f->h.g[0], out, len), 0);
	assert_int_equal(got(f, 1, in), 60);
	assert_int_equal(get32(in + 38), IP(10, 0, 2, 99));
	/* And what a router refuses, each for its reason. */
	len = ipv4(out, 0, r_mac_a, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 1);
	assert_int_equal(vp_sim_guest_send(f->h.g[0], out, len), 0);
	len = ipv4(out, 0, r_mac_a, IP(10, 0, 1, 2), IP(192, 168, 0, 1), 64);
	assert_int_equal(vp_sim_guest_send(f->h.g[0], out, len), 0);
	len = ipv4(out, 0, r_mac_a, IP(10, 0, 1, 2), IP(10, 0, 2, 1), 64);
	assert_int_equal(vp_sim_guest_send(f->h.g[0], out, len), 0);
	len = ipv4(out, 0, r_mac_a, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64);
	put16(out + 12, 0x86dd);	/* IPv6 */
	assert_int_equal(vp_sim_guest_send(f->h.g[0], out, len), 0);
	len = ipv4(out, 0, r_mac_b, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64);
	assert_int_equal(vp_sim_guest_send(f->h.g[0], out, len), 0);
	out[14] = 0x43;			/* IHL 12 bytes */
	put16(out, 0x0252); put32(out + 2, 1);
	assert_int_equal(vp_sim_guest_send(f->h.g[0], out, len), 0);
	assert_int_equal(got(f, 1, in), 0);
	assert_int_equal(drops(f, VPE_DROP_ttl_expired), 1);
	assert_int_equal(drops(f, VPE_DROP_no_route), 1);
	assert_int_equal(drops(f, VPE_DROP_router_local), 1);
	assert_int_equal(drops(f, VPE_DROP_not_ipv4), 1);
	assert_int_equal(drops(f, VPE_DROP_filtered), 1);
	assert_int_equal(drops(f, VPE_DROP_bad_header), 1);
	ef_free(f);
}

/* ---- devices ---------------------------------------------------------------------- */

static void test_device_gone_and_back(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"delay\": \"1ms\""));
	struct vp_sim_guest *g1 = f->h.g[1];

	(void)state;
	assert_int_equal(f->e->st.attaches, 2);
	assert_int_equal(ef_send(f, 0, 1, 0, 100), 0);
	ef_step(f);
	vp_sim_host_remove(f->h.host, g1);	/* destroyed mid-flight */
	f->h.g[1] = NULL;
	ef_run(f, f->h.clock + 2 * MS, 10 * US);
	assert_int_equal(f->e->st.detaches, 1);
	assert_true(f->e->node[1].port < 0);
	assert_int_equal(drops(f, VPE_DROP_unbound) + drops(f, VPE_DROP_port_down),
			 1);
	/* The device comes back: the next rescan re-attaches it. */
	assert_int_equal(vp_sim_host_add(f->h.host, g1), 0);
	f->h.g[1] = g1;
	assert_int_equal(vpe_engine_rescan(f->e), 1);
	assert_int_equal(ef_send(f, 0, 1, 1, 100), 0);
	ef_run(f, f->h.clock + 2 * MS, 10 * US);
	assert_int_equal(count_rx(f, 1), 1);
	ef_free(f);
}

static void test_many_devices(void **state)
{
	const u32 n = 200;
	struct ef *f = ef_new(n, 8, star(n, "\"delay\": \"10us\""));
	u32 i;

	(void)state;
	assert_int_equal(f->e->st.attaches, n);
	/* Everyone broadcasts once (switch learns all), then a ring of
	 * unicasts: every frame arrives exactly where it should. */
	for (i = 0; i < n; i++) {
		assert_int_equal(ef_send(f, i, ~0u, i, 60), 0);
		ef_run(f, f->h.clock + 50 * US, 10 * US);
	}
	assert_int_equal(f->nr_rx, n * (n - 1));
	assert_int_equal(f->e->st.flood_copies, n * (n - 2));
	f->nr_rx = 0;
	for (i = 0; i < n; i++)
		assert_int_equal(ef_send(f, i, (i + 1) % n, i, 60), 0);
	ef_run(f, f->h.clock + 1 * MS, 10 * US);
	assert_int_equal(f->nr_rx, n);
	for (i = 0; i < f->nr_rx; i++)
		assert_int_equal(f->rx[i].guest, (f->rx[i].pl.src + 1) % n);
	assert_int_equal(all_drops(f), 0);
	ef_free(f);
}

/* ---- capture and control ----------------------------------------------------------- */

static void ctl_ok(struct ef *f, const char *cmd)
{
	struct vpe_buf out = { 0 };

	if (vpe_ctl_exec(f->e, cmd, strlen(cmd), &out))
		fail_msg("'%s': %s", cmd, out.s);
	vpe_buf_free(&out);
}

static void test_capture_pcap_ns(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"delay\": \"1ms\""));
	char path[] = "/tmp/vprimed-test-XXXXXX", cmd[128], perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int fd = mkstemp(path), n = 0;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "capture start h1 %s", path);
	ctl_ok(f, cmd);
	f->h.clock = 3 * 1000000000ull + 123456789;
	assert_int_equal(ef_send(f, 1, 0, 0, 100), 0);	/* from h1 */
	assert_int_equal(ef_send(f, 0, 1, 1, 200), 0);	/* to h1, 1 ms later */
	ef_run(f, f->h.clock + 2 * MS, 1 * US);
	ctl_ok(f, "capture stop h1");
	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
						    perr);
	assert_non_null(p);
	while (pcap_next_ex(p, &h, &data) == 1) {
		u64 ts = (u64)h->ts.tv_sec * 1000000000ull + (u64)h->ts.tv_usec;

		if (n == 0) {
			assert_int_equal(h->len, 100);
			assert_int_equal(ts, 3123456789ull);
		} else {
			assert_int_equal(h->len, 200);
			assert_int_equal(ts, 3123456789ull + 1 * MS);
		}
		n++;
	}
	assert_int_equal(n, 2);
	pcap_close(p);
	unlink(path);
	ef_free(f);
}

static void test_link_change_runtime(void **state)
{
	struct ef *f = ef_new(2, 0, pair("\"delay\": \"1ms\""));

	(void)state;
	assert_int_equal(ef_send(f, 0, 1, 0, 100), 0);
	ef_run(f, f->h.clock + 3 * MS, 10 * US);
	ctl_ok(f, "link l set delay 2ms loss 0");
	assert_int_equal(ef_send(f, 0, 1, 1, 100), 0);
	ef_run(f, f->h.clock + 3 * MS, 10 * US);
	assert_int_equal(f->nr_rx, 2);
	assert_int_equal(f->rx[0].at - f->rx[0].pl.sent, 1 * MS);
	assert_int_equal(f->rx[1].at - f->rx[1].pl.sent, 2 * MS);
	ef_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_delay_event_driven),
		cmocka_unit_test(test_jitter_fifo),
		cmocka_unit_test(test_bandwidth),
		cmocka_unit_test(test_loss_random),
		cmocka_unit_test(test_loss_gilbert_elliott),
		cmocka_unit_test(test_queue_limit),
		cmocka_unit_test(test_lateness_counted),
		cmocka_unit_test(test_stage_histograms),
		cmocka_unit_test(test_switch_learn_flood),
		cmocka_unit_test(test_router),
		cmocka_unit_test(test_device_gone_and_back),
		cmocka_unit_test(test_many_devices),
		cmocka_unit_test(test_capture_pcap_ns),
		cmocka_unit_test(test_link_change_runtime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
