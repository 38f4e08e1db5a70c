// SPDX-License-Identifier: MIT
/*
 * A hostile backend against the guest side (vp_front): the input writes
 * everything a backend controls (RX and TXC descriptors and producer
 * indices, FILL and TX consumer indices, be_flags) between the guest's
 * receive, reap, refill and transmit calls.  The guest must stay within
 * its pools, and its slot accounting must still add up afterwards.
 */
#include "fuzz_world.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static void fuzz_front_check(const struct vp_front *f)
{
	u32 held = 0, i;

	for (i = 0; i < f->rx_pool.nr_slots; i++)
		held += f->rx_owner[i] == VP_SLOT_BACKEND;
	if (held + f->rx_nfree != f->rx_pool.nr_slots)
		abort();
	held = 0;
	for (i = 0; i < f->tx_pool.nr_slots; i++)
		held += f->tx_owner[i] == VP_SLOT_BACKEND;
	if (held + f->tx_nfree != f->tx_pool.nr_slots)
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct vp_sim_guest_cfg cfg = {
		.domid = 1, .mac = { 0, 0x16, 0x3e, 0, 0, 1 },
		.pool_pages = VPRIME_POOL_PAGES_MIN, .mtu = 9000,
	};
	struct fuzz_in in = { data, size };
	struct vp_sim_guest *g = vp_sim_guest_new(&cfg);
	static u8 buf[VPRIME_FRAME_MAX];
	u32 steps = 0;

	if (!g)
		abort();
	while (in.n && steps++ < 2000) {
		u32 op = fuzz_u32(&in, 1) % 7;
		u32 ring = fuzz_u32(&in, 1) & 1 ? VPRIME_RING_RX : VPRIME_RING_TXC;
		u32 other = ring == VPRIME_RING_RX ? VPRIME_RING_FILL :
						     VPRIME_RING_TX;

		switch (op) {
		case 0: {
			struct vprime_desc *d = &g->ring[ring]
				[fuzz_u32(&in, 1) & (VPRIME_RING_SIZE - 1)];

			d->slot = fuzz_u32(&in, 1) & 1 ?
				  g->ring[VPRIME_RING_FILL]
					 [fuzz_u32(&in, 1)].slot :
				  fuzz_u32(&in, 2);
			d->off = (u16)fuzz_u32(&in, 2);
			d->len = (u16)fuzz_u32(&in, 2);
			d->flags = (u16)fuzz_u32(&in, 1);
			break;
		}
		case 1:
			g->ctrl->ring[ring].prod += (u32)(int8_t)fuzz_u32(&in, 1);
			break;
		case 2:
			g->ctrl->ring[other].cons += (u32)(int8_t)fuzz_u32(&in, 1);
			g->ctrl->be_flags = fuzz_u32(&in, 1);
			break;
		case 3:
			vp_sim_guest_recv(g, buf, sizeof(buf));
			break;
		case 4:
			vp_sim_guest_service(g);
			break;
		case 5:
			memset(buf, 0, 14);
			vp_sim_guest_send(g, buf, 14 + fuzz_u32(&in, 2) % 9100);
			break;
		default:
			vp_front_arm(&g->front);
			vp_front_carrier(&g->front);
			break;
		}
	}
	fuzz_front_check(&g->front);
	vp_sim_guest_free(g);
	return 0;
}
