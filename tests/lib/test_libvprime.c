// SPDX-License-Identifier: MIT
/*
 * test_libvprime.c - libvprime's API over simulated guests: open, list,
 * attach/detach (also hot, and after a device vanished), batched receive,
 * zero-copy forwarding, delivery times, statistics, and every bad argument
 * refused with its -errno and nothing else changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vp_harness.h"

struct fx {
	struct vh h;
	struct vprime *vp;
	int free0;		/* free buffers right after open */
};

static int fx_setup_opts(void **state, u32 guests, u32 mtu,
			 const struct vprime_opts *o)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	vh_init(&fx->h, guests, mtu);
	assert_int_equal(vprime_open_sim(&fx->vp, fx->h.host, o), 0);
	fx->free0 = vprime_free_bufs(fx->vp);
	*state = fx;
	return 0;
}

static int fx_setup(void **state)
{
	return fx_setup_opts(state, 3, 0, NULL);
}

static int fx_setup_small(void **state)
{
	struct vprime_opts o = { .nr_bufs = 256, .ring_size = 32,
				 .max_ports = 2, .tx_reserve = 64 };

	return fx_setup_opts(state, 3, 9000, &o);
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;

	vprime_close(fx->vp);
	vh_fini(&fx->h);
	free(fx);
	return 0;
}

static u64 lib_stat(struct vprime *vp, enum vprime_lib_stat_id id)
{
	u64 v[VPRIME_LIB_STAT_MAX];

	assert_int_equal(vprime_lib_stats(vp, v, VPRIME_LIB_STAT_MAX),
			 VPRIME_LIB_STAT_MAX);
	return v[id];
}

static u64 port_stat(struct vprime *vp, u32 port, enum vprime_stat_id id)
{
	u64 v[VPRIME_STAT_MAX];

	assert_int_equal(vprime_port_stats(vp, port, v, VPRIME_STAT_MAX),
			 VPRIME_STAT_MAX);
	return v[id];
}

static void send_n(struct fx *fx, u32 g, u32 dst, u32 n, u32 len)
{
	u8 buf[VPRIME_FRAME_MAX];
	u32 i;

	for (i = 0; i < n; i++) {
		vh_frame(buf, len, g, dst, i, fx->h.clock);
		assert_int_equal(vp_sim_guest_send(fx->h.g[g], buf, len), 0);
	}
}

/* ---- open ---------------------------------------------------------------- */

static void test_open_bad_args(void **state)
{
	struct vprime_opts o = { .ring_size = 100 };
	struct vp_sim_host *h = vp_sim_host_new();
	struct vprime *vp = (struct vprime *)1;

	(void)state;
	assert_int_equal(vprime_open_sim(NULL, h, NULL), -EINVAL);
	assert_int_equal(vprime_open_sim(&vp, NULL, NULL), -EINVAL);
	assert_int_equal(vprime_open_sim(&vp, h, &o), -EINVAL);
	assert_null(vp);
	o = (struct vprime_opts){ .nr_bufs = 10 };
	assert_int_equal(vprime_open_sim(&vp, h, &o), -EINVAL);
	o = (struct vprime_opts){ .nr_bufs = 128, .tx_reserve = 128 };
	assert_int_equal(vprime_open_sim(&vp, h, &o), -EINVAL);
	o = (struct vprime_opts){ .max_ports = VPRIME_PORTS_MAX + 1 };
	assert_int_equal(vprime_open_sim(&vp, h, &o), -EINVAL);
	assert_int_equal(vprime_open(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(vprime_open(&vp, "/nonexistent/vprime", NULL), -ENOENT);
	assert_int_equal(vprime_fd(NULL), -EINVAL);
	assert_int_equal(vprime_wait(NULL, 0), -EINVAL);
	vprime_close(NULL);
	vp_sim_host_free(h);
}

static void test_open_defaults(void **state)
{
	struct fx *fx = *state;
	struct vprime_opts o;

	assert_int_equal(vprime_get_opts(fx->vp, &o), 0);
	assert_int_equal(o.nr_bufs, 8192);
	assert_int_equal(o.max_ports, 64);
	/* Everything but the TX reserve is posted for receive. */
	assert_int_equal(fx->free0, (int)o.tx_reserve);
	assert_int_equal(vprime_fd(fx->vp), -EOPNOTSUPP);
	assert_int_equal(vprime_wait(fx->vp, 0), 0);
	assert_int_equal(vprime_wait(fx->vp, -2), -EINVAL);
}

/* ---- devices ------------------------------------------------------------- */

static void test_list(void **state)
{
	struct fx *fx = *state;
	struct vprime_devinfo d[2];
	u64 bad0 = lib_stat(fx->vp, VPRIME_LIB_STAT_bad_arg);

	assert_int_equal(vprime_list(fx->vp, NULL, 0), 3);
	assert_int_equal(vprime_list(fx->vp, d, 2), 3);
	assert_int_equal(d[0].domid, 1);
	assert_string_equal(d[1].name, "g1");
	assert_int_equal(d[1].mtu, 1500);
	assert_int_equal(d[0].flags & VPRIME_DEV_F_ATTACHED, 0);
	assert_int_equal(vprime_list(fx->vp, NULL, 1), -EINVAL);
	assert_int_equal(vprime_list(NULL, d, 2), -EINVAL);
	assert_int_equal(lib_stat(fx->vp, VPRIME_LIB_STAT_bad_arg), bad0 + 1);
}

static void test_attach_ways(void **state)
{
	struct fx *fx = *state;
	struct vprime_portinfo pi;
	struct vprime_devinfo d[3];
	u8 mac[6];
	int a, b, c;

	a = vprime_attach_id(fx->vp, 1, 0);
	b = vprime_attach_name(fx->vp, "g1");
	vh_mac(2, mac);
	c = vprime_attach_mac(fx->vp, mac);
	assert_true(a >= 0 && b >= 0 && c >= 0);
	assert_true(a != b && b != c && a != c);
	assert_int_equal(vprime_port_info(fx->vp, (u32)c, &pi), 0);
	assert_int_equal(pi.domid, 3);
	assert_string_equal(pi.name, "g2");
	assert_memory_equal(pi.mac, mac, 6);
	assert_int_equal(pi.state, VPRIME_PORT_ATTACHED);
	assert_int_equal(vprime_port_state(fx->vp, (u32)b), VPRIME_PORT_ATTACHED);
	assert_int_equal(vprime_list(fx->vp, d, 3), 3);
	assert_true(d[0].flags & VPRIME_DEV_F_ATTACHED);
	/* The guest sees carrier once an engine holds its device. */
	assert_true(vp_front_carrier(&fx->h.g[0]->front));
	assert_int_equal(vprime_detach(fx->vp, (u32)a), 0);
	assert_false(vp_front_carrier(&fx->h.g[0]->front));
	assert_int_equal(vprime_port_state(fx->vp, (u32)a), -EINVAL);
}

static void test_attach_bad(void **state)
{
	struct fx *fx = *state;
	char longname[VPRIME_NAME_LEN + 8];
	u8 mac[6] = { 0x02, 9, 9, 9, 9, 9 };
	struct vprime_portinfo pi;
	int p;

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(vprime_attach_id(fx->vp, 77, 0), -ENODEV);
	assert_int_equal(vprime_attach_name(fx->vp, "nosuch"), -ENODEV);
	assert_int_equal(vprime_attach_mac(fx->vp, mac), -ENODEV);
	assert_int_equal(vprime_attach_name(fx->vp, ""), -EINVAL);
	assert_int_equal(vprime_attach_name(fx->vp, longname), -EINVAL);
	assert_int_equal(vprime_attach_name(fx->vp, NULL), -EINVAL);
	assert_int_equal(vprime_attach_mac(fx->vp, NULL), -EINVAL);
	{
		/* A device dom0 gave no MAC (all zero) is not attachable by
		 * MAC, nor is a multicast one. */
		static const u8 zero[6], mcast[6] = { 0x01, 0, 0x5e, 0, 0, 1 };

		assert_int_equal(vprime_attach_mac(fx->vp, zero), -EINVAL);
		assert_int_equal(vprime_attach_mac(fx->vp, mcast), -EINVAL);
	}
	assert_int_equal(vprime_attach_id(NULL, 1, 0), -EINVAL);
	p = vprime_attach_id(fx->vp, 1, 0);
	assert_true(p >= 0);
	assert_int_equal(vprime_attach_name(fx->vp, "g0"), -EBUSY);
	assert_int_equal(vprime_detach(fx->vp, 200), -EINVAL);
	assert_int_equal(vprime_detach(fx->vp, (u32)p + 1), -EINVAL);
	assert_int_equal(vprime_port_info(fx->vp, (u32)p, NULL), -EINVAL);
	assert_int_equal(vprime_port_info(fx->vp, 63, &pi), -EINVAL);
	/* Nothing changed: the port still works. */
	assert_int_equal(vprime_port_state(fx->vp, (u32)p), VPRIME_PORT_ATTACHED);
	assert_int_equal(vprime_free_bufs(fx->vp), fx->free0);
}

static void test_attach_nospc(void **state)
{
	struct fx *fx = *state;	/* max_ports = 2 */

	assert_true(vprime_attach_id(fx->vp, 1, 0) >= 0);
	assert_true(vprime_attach_id(fx->vp, 2, 0) >= 0);
	assert_int_equal(vprime_attach_id(fx->vp, 3, 0), -ENOSPC);
	assert_int_equal(vprime_detach(fx->vp, 0), 0);
	assert_int_equal(vprime_attach_id(fx->vp, 3, 0), 0);
}

/* ---- receive ------------------------------------------------------------- */

static void test_rx_batch(void **state)
{
	struct fx *fx = *state;
	struct vprime_frame fr[64];
	struct vprime_sync_res res;
	struct vh_payload pl;
	u32 seen = 0;
	int p, n, i;

	p = vprime_attach_id(fx->vp, 1, 0);
	assert_true(p >= 0);
	fx->h.clock = 5000;
	send_n(fx, 0, 1, 100, 60);
	assert_int_equal(vprime_wait(fx->vp, 0), 1);
	assert_int_equal(vprime_sync(fx->vp, 0, &res), 0);
	assert_int_equal(res.rx_frames, 100);
	while ((n = vprime_rx_peek(fx->vp, fr, 64)) > 0) {
		assert_true(n <= 64);
		for (i = 0; i < n; i++) {
			assert_int_equal(fr[i].port, p);
			assert_int_equal(fr[i].tstamp, 5000);
			assert_int_equal(fr[i].len, 60);
			assert_int_equal(fr[i].nseg, 1);
			assert_int_equal(vh_payload(fr[i].seg[0].data, 60, &pl), 0);
			assert_int_equal(pl.seq, seen++);
		}
		assert_int_equal(vprime_rx_release(fx->vp, fr, (u32)n), n);
	}
	assert_int_equal(seen, 100);
	/* One ioctl for the batch: the library never syncs per frame. */
	assert_int_equal(lib_stat(fx->vp, VPRIME_LIB_STAT_syncs), 1);
	assert_int_equal(port_stat(fx->vp, (u32)p, VPRIME_STAT_rx_frames), 100);
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	assert_int_equal(vprime_free_bufs(fx->vp), fx->free0);
}

static void test_rx_jumbo_segments(void **state)
{
	struct fx *fx = *state;	/* mtu 9000 */
	u8 buf[VPRIME_FRAME_MAX];
	struct vprime_frame f;
	u32 i, off = 0;

	assert_true(vprime_attach_id(fx->vp, 1, 0) >= 0);
	vh_frame(buf, 5000, 0, 1, 7, 0);
	assert_int_equal(vp_sim_guest_send(fx->h.g[0], buf, 5000), 0);
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	assert_int_equal(vprime_rx_peek(fx->vp, &f, 1), 1);
	assert_int_equal(f.nseg, 3);
	assert_int_equal(f.len, 5000);
	for (i = 0; i < f.nseg; i++) {
		assert_memory_equal(f.seg[i].data, buf + off, f.seg[i].len);
		off += f.seg[i].len;
	}
	assert_int_equal(vprime_frame_drop(fx->vp, &f), 0);
	assert_int_equal(vprime_frame_drop(fx->vp, &f), -EINVAL);
}

/* ---- transmit ------------------------------------------------------------ */

static void test_forward_zero_copy(void **state)
{
	struct fx *fx = *state;
	struct vprime_frame f;
	u8 sent[200], got[2048];
	u8 *data;
	int a, b;

	a = vprime_attach_id(fx->vp, 1, 0);
	b = vprime_attach_id(fx->vp, 2, 0);
	vh_frame(sent, sizeof(sent), 0, 1, 42, 0);
	assert_int_equal(vp_sim_guest_send(fx->h.g[0], sent, sizeof(sent)), 0);
	assert_int_equal(vprime_sync(fx->vp, VPRIME_SYNC_RX, NULL), 0);
	assert_int_equal(vprime_rx_peek_port(fx->vp, (u32)a, &f, 1), 1);
	data = f.seg[0].data;
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 0), 0);
	assert_int_equal(f.nseg, 0);	/* consumed */
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 0), -EINVAL);
	assert_int_equal(vprime_rx_release(fx->vp, &f, 1), 0);
	assert_int_equal(vp_sim_guest_recv(fx->h.g[1], got, sizeof(got)), 0);
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	assert_int_equal(vp_sim_guest_recv(fx->h.g[1], got, sizeof(got)),
			 (int)sizeof(sent));
	assert_memory_equal(got, sent, sizeof(sent));
	/* The engine moved a descriptor: the bytes stayed where dom0 put them. */
	assert_memory_equal(data, sent, sizeof(sent));
	assert_int_equal(port_stat(fx->vp, (u32)b, VPRIME_STAT_tx_frames), 1);
	assert_int_equal(vprime_free_bufs(fx->vp), fx->free0);
}

static void test_tx_due_time(void **state)
{
	struct fx *fx = *state;
	struct vprime_frame f;
	u8 got[2048];
	int b;

	b = vprime_attach_id(fx->vp, 2, 0);
	fx->h.clock = 1000000;
	assert_int_equal(vprime_tx_reserve(fx->vp, 64, &f), 0);
	vh_frame(f.seg[0].data, 64, 9, 1, 1, 0);
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 1500000), 0);
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	assert_int_equal(vp_sim_guest_recv(fx->h.g[1], got, sizeof(got)), 0);
	assert_true(port_stat(fx->vp, (u32)b, VPRIME_STAT_tx_deferred) >= 1);
	fx->h.clock = 1499999;
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	assert_int_equal(vp_sim_guest_recv(fx->h.g[1], got, sizeof(got)), 0);
	fx->h.clock = 1500000;
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	assert_int_equal(vp_sim_guest_recv(fx->h.g[1], got, sizeof(got)), 64);
}

static void test_tx_reserve_bad(void **state)
{
	struct fx *fx = *state;
	struct vprime_frame f, keep;
	int b = vprime_attach_id(fx->vp, 2, 0);
	u64 bad0 = lib_stat(fx->vp, VPRIME_LIB_STAT_bad_arg);

	assert_int_equal(vprime_tx_reserve(fx->vp, 0, &f), -EINVAL);
	assert_int_equal(vprime_tx_reserve(fx->vp, VPRIME_FRAME_MAX + 1, &f),
			 -EINVAL);
	assert_int_equal(vprime_tx_reserve(fx->vp, 64, NULL), -EINVAL);
	assert_int_equal(vprime_tx_reserve(NULL, 64, &f), -EINVAL);
	assert_int_equal(vprime_free_bufs(fx->vp), fx->free0);
	assert_int_equal(vprime_tx_reserve(fx->vp, 5000, &f), 0);
	assert_int_equal(f.nseg, 3);
	assert_int_equal(f.seg[2].len, 5000 - 4096);
	/* Longer than the port's 1500-byte MTU allows. */
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 0), -EMSGSIZE);
	keep = f;
	/* Forged and duplicated buffers, zero length, bad port. */
	f.seg[1].buf = 100000;
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 0), -EINVAL);
	f = keep;
	f.seg[1].buf = f.seg[0].buf;
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 0), -EINVAL);
	f = keep;
	f.seg[0].len = 0;
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 0), -EINVAL);
	f = keep;
	f.nseg = 6;
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 0), -EINVAL);
	f = keep;
	assert_int_equal(vprime_tx_submit(fx->vp, 63, &f, 0), -EINVAL);
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, NULL, 0), -EINVAL);
	f.seg[0].buf = 3;	/* a buffer the kernel holds on the fill ring */
	f.nseg = 1;
	assert_int_equal(vprime_frame_drop(fx->vp, &f), -EINVAL);
	assert_int_equal(lib_stat(fx->vp, VPRIME_LIB_STAT_bad_arg), bad0 + 10);
	/* Nothing changed: the frame is still ours and still whole. */
	f = keep;
	assert_int_equal(vprime_frame_drop(fx->vp, &f), 0);
	assert_int_equal(vprime_free_bufs(fx->vp), fx->free0);
}

static void test_tx_reserve_exhaust(void **state)
{
	struct fx *fx = *state;	/* 256 bufs, 64 reserve */
	struct vprime_frame f[300];
	int i, n = 0;

	for (i = 0; i < 300; i++) {
		int r = vprime_tx_reserve(fx->vp, 100, &f[i]);

		if (r == -ENOBUFS)
			break;
		assert_int_equal(r, 0);
		n++;
	}
	assert_int_equal(n, fx->free0);
	assert_int_equal(lib_stat(fx->vp, VPRIME_LIB_STAT_no_buf), 1);
	assert_int_equal(vprime_rx_release(fx->vp, f, (u32)n), n);
	assert_int_equal(vprime_free_bufs(fx->vp), fx->free0);
}

static void test_tx_ring_full(void **state)
{
	struct fx *fx = *state;	/* ring_size 32 */
	struct vprime_frame f;
	int b = vprime_attach_id(fx->vp, 2, 0), i;
	u8 got[2048];

	for (i = 0; i < 32; i++) {
		assert_int_equal(vprime_tx_reserve(fx->vp, 60, &f), 0);
		vh_frame(f.seg[0].data, 60, 9, 1, (u32)i, 0);
		assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 0), 0);
	}
	assert_int_equal(vprime_tx_reserve(fx->vp, 60, &f), 0);
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 0), -EAGAIN);
	assert_int_equal(lib_stat(fx->vp, VPRIME_LIB_STAT_tx_ring_full), 1);
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 0), 0);
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	for (i = 0; i < 33; i++)
		assert_int_equal(vp_sim_guest_recv(fx->h.g[1], got, sizeof(got)), 60);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void test_hot_attach_detach(void **state)
{
	struct fx *fx = *state;
	struct vprime_frame fr[32], f;
	int a, b, n;

	/* The guest is already sending when the engine arrives. */
	send_n(fx, 0, 1, 10, 64);
	a = vprime_attach_name(fx->vp, "g0");
	b = vprime_attach_name(fx->vp, "g1");
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	n = vprime_rx_peek(fx->vp, fr, 32);
	assert_int_equal(n, 10);
	/* Leave work on both rings of port b, then detach it. */
	send_n(fx, 1, 0, 5, 64);
	assert_int_equal(vprime_tx_reserve(fx->vp, 64, &f), 0);
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, fx->h.clock + 1000000),
			 0);
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	assert_int_equal(vprime_detach(fx->vp, (u32)b), 0);
	/* The 5 RX frames come back at detach; the deferred TX frame comes
	 * back on the completion ring, as vprime-back does it. */
	assert_int_equal(lib_stat(fx->vp, VPRIME_LIB_STAT_detach_reclaimed), 5);
	/* Frames the caller holds stay valid; forward them to port a. */
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &fr[0], 0), -EINVAL);
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)a, &fr[0], 0), 0);
	assert_int_equal(vprime_rx_release(fx->vp, fr, 10), 9);
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	assert_int_equal(vprime_free_bufs(fx->vp), fx->free0);
	/* Re-attach: fresh rings, frames flow again. */
	b = vprime_attach_name(fx->vp, "g1");
	assert_true(b >= 0);
	send_n(fx, 1, 0, 3, 64);
	assert_int_equal(vprime_sync(fx->vp, 0, NULL), 0);
	assert_int_equal(vprime_rx_peek_port(fx->vp, (u32)b, fr, 32), 3);
	assert_int_equal(vprime_rx_release(fx->vp, fr, 3), 3);
}

static void test_device_gone(void **state)
{
	struct fx *fx = *state;
	struct vprime_frame f;
	int b;

	b = vprime_attach_id(fx->vp, 2, 0);
	assert_int_equal(vprime_tx_reserve(fx->vp, 64, &f), 0);
	vp_sim_host_remove(fx->h.host, fx->h.g[1]);
	assert_int_equal(vprime_port_state(fx->vp, (u32)b), VPRIME_PORT_GONE);
	assert_int_equal(vprime_tx_submit(fx->vp, (u32)b, &f, 0), -ENETDOWN);
	assert_int_equal(lib_stat(fx->vp, VPRIME_LIB_STAT_tx_port_down), 1);
	assert_int_equal(vprime_frame_drop(fx->vp, &f), 0);
	assert_int_equal(vprime_detach(fx->vp, (u32)b), 0);
	assert_int_equal(vprime_attach_id(fx->vp, 2, 0), -ENODEV);
	/* The device comes back: attach again. */
	assert_int_equal(vp_sim_host_add(fx->h.host, fx->h.g[1]), 0);
	assert_true(vprime_attach_id(fx->vp, 2, 0) >= 0);
}

/* ---- statistics ---------------------------------------------------------- */

static void test_stats_names(void **state)
{
	struct fx *fx = *state;
	u64 v[4];
	int p = vprime_attach_id(fx->vp, 1, 0);

	assert_string_equal(vprime_stat_name(VPRIME_STAT_rx_frames), "rx_frames");
	assert_string_equal(vprime_stat_name(VPRIME_STAT_syncs), "syncs");
	assert_non_null(vprime_stat_desc(VPRIME_STAT_tx_deferred));
	assert_null(vprime_stat_name(VPRIME_STAT_MAX));
	assert_null(vprime_stat_desc(VPRIME_STAT_MAX));
	assert_string_equal(vprime_lib_stat_name(VPRIME_LIB_STAT_bad_arg),
			    "bad_arg");
	assert_null(vprime_lib_stat_name(VPRIME_LIB_STAT_MAX));
	assert_int_equal(vprime_port_stats(fx->vp, (u32)p, v, 4), VPRIME_STAT_MAX);
	assert_int_equal(vprime_port_stats(fx->vp, (u32)p, NULL, 4), -EINVAL);
	assert_int_equal(vprime_port_stats(fx->vp, 40, v, 4), -EINVAL);
	assert_int_equal(vprime_lib_stats(NULL, v, 4), -EINVAL);
	assert_int_equal(vprime_sync(fx->vp, 0x80, NULL), -EINVAL);
	assert_int_equal(vprime_rx_peek(fx->vp, NULL, 4), -EINVAL);
	assert_int_equal(vprime_rx_peek_port(fx->vp, 40, (struct vprime_frame *)v,
					     1), -EINVAL);
	assert_int_equal(vprime_rx_release(fx->vp, NULL, 3), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_bad_args),
		cmocka_unit_test_setup_teardown(test_open_defaults, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_list, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_attach_ways, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_attach_bad, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_attach_nospc, fx_setup_small,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_rx_batch, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_rx_jumbo_segments,
						fx_setup_small, fx_teardown),
		cmocka_unit_test_setup_teardown(test_forward_zero_copy, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_due_time, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_reserve_bad, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_reserve_exhaust,
						fx_setup_small, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_ring_full, fx_setup_small,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_hot_attach_detach, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_device_gone, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_stats_names, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
