/* SPDX-License-Identifier: MIT */
/*
 * fuzz_world.h - a small world for the data-path fuzzers: two simulated
 * guests attached to one engine file, and a byte-code reader that turns
 * fuzzer input into writes into whatever the untrusted party controls.
 * Built once per process (libFuzzer runs many inputs in it) and reset per
 * input.
 */
#ifndef FUZZ_WORLD_H
#define FUZZ_WORLD_H

#include <stdlib.h>
#include "vp_sim.h"

struct fuzz_in {
	const u8 *p;
	size_t n;
};

static inline u32 fuzz_u32(struct fuzz_in *in, u32 bytes)
{
	u32 v = 0;

	while (bytes-- && in->n) {
		v = v << 8 | *in->p++;
		in->n--;
	}
	return v;
}

struct fuzz_world {
	struct vp_sim_host *h;
	struct vp_sim_guest *g[2];
	struct vp_sim_file *f;
	struct vp_engine e;
	u32 port[2];
};

static inline void fuzz_world_up(struct fuzz_world *w, u32 mtu)
{
	struct vprime_setup s = { .abi_version = VPRIME_ABI_VERSION,
				  .nr_bufs = 128, .ring_size = 64,
				  .max_ports = 2 };
	size_t size;

	w->h = vp_sim_host_new();
	for (u32 i = 0; i < 2; i++) {
		struct vp_sim_guest_cfg cfg = {
			.domid = i + 1, .mac = { 0, 0x16, 0x3e, 0, 0, (u8)i },
			.pool_pages = VPRIME_POOL_PAGES_MIN, .mtu = mtu,
		};
		struct vprime_attach a = { .by = VPRIME_ATTACH_BY_ID,
					   .domid = i + 1 };

		w->g[i] = vp_sim_guest_new(&cfg);
		if (!w->g[i])
			abort();
		vp_sim_host_add(w->h, w->g[i]);
		if (i == 0) {
			w->f = vp_sim_open(w->h);
			if (vp_sim_ioctl(w->f, VPRIME_IOC_SETUP, &s))
				abort();
			vp_engine_init(&w->e, vp_sim_area(w->f, &size),
				       vp_sim_area(w->f, &size));
		}
		if (vp_sim_ioctl(w->f, VPRIME_IOC_ATTACH, &a))
			abort();
		w->port[i] = a.port;
	}
	for (u32 b = 0; b < 128; b++)
		w->e.fill[b] = b;
	w->e.fill_idx->prod = 128;
}

static inline void fuzz_world_down(struct fuzz_world *w)
{
	vp_sim_close(w->f);
	vp_sim_guest_free(w->g[0]);
	vp_sim_guest_free(w->g[1]);
	vp_sim_host_free(w->h);
}

static inline void fuzz_world_sync(struct fuzz_world *w)
{
	struct vprime_sync s = { 0 };

	vp_sim_ioctl(w->f, VPRIME_IOC_SYNC, &s);
}

/* Engine side: forward port 0 -> port 1 and recycle completions. */
static inline void fuzz_world_forward(struct fuzz_world *w)
{
	u8 *b = w->e.base + w->e.hdr.off_ports;
	u32 rs = w->e.hdr.ring_size, pr = w->e.hdr.pool_ring_size;
	struct vprime_ring_idx *rx = (void *)(b + VPRIME_PORT_RX_IDX_OFF);
	struct vprime_edesc *rd = (void *)(b + VPRIME_PORT_DESC_OFF);
	u8 *b1 = b + w->e.hdr.port_stride;
	struct vprime_ring_idx *tx = (void *)(b1 + VPRIME_PORT_TX_IDX_OFF);
	struct vprime_edesc *td = (struct vprime_edesc *)(b1 +
				  VPRIME_PORT_DESC_OFF) + rs;

	while (rx->cons != rx->prod && tx->prod - tx->cons < rs) {
		td[tx->prod & (rs - 1)] = rd[rx->cons & (rs - 1)];
		tx->prod++;
		rx->cons++;
	}
	/* A fuzzed engine may have moved its own cons anywhere: bound it. */
	if (w->e.comp_idx->prod - w->e.comp_idx->cons > pr)
		w->e.comp_idx->cons = w->e.comp_idx->prod;
	if (rx->prod - rx->cons > rs)
		rx->cons = rx->prod;
	while (w->e.comp_idx->cons != w->e.comp_idx->prod) {
		w->e.fill[w->e.fill_idx->prod++ & (pr - 1)] =
			w->e.comp[w->e.comp_idx->cons++ & (pr - 1)];
	}
}

#endif /* FUZZ_WORLD_H */
