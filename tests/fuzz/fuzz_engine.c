// SPDX-License-Identifier: MIT
/*
 * A fallible engine against dom0's data path: the input writes the
 * engine-owned parts of the area (fill ring, completion cons, TX rings and
 * their descriptors, RX cons) between syncs.  The kernel side must stay
 * within the area and the guests' pools whatever the engine writes.
 */
#include "fuzz_world.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_world w;
	u32 steps = 0;

	fuzz_world_up(&w, 1500);
	while (in.n && steps++ < 2000) {
		u32 op = fuzz_u32(&in, 1) % 7;
		u32 port = fuzz_u32(&in, 1) & 1;
		u8 *pb = w.e.base + w.e.hdr.off_ports +
			 port * w.e.hdr.port_stride;
		struct vprime_ring_idx *rx = (void *)(pb + VPRIME_PORT_RX_IDX_OFF);
		struct vprime_ring_idx *tx = (void *)(pb + VPRIME_PORT_TX_IDX_OFF);
		struct vprime_edesc *td = (struct vprime_edesc *)(pb +
					  VPRIME_PORT_DESC_OFF) +
					  w.e.hdr.ring_size;
		u8 frame[80] = { 0 };

		switch (op) {
		case 0: {
			struct vprime_edesc *d =
				&td[fuzz_u32(&in, 1) & (w.e.hdr.ring_size - 1)];

			d->buf = fuzz_u32(&in, 2);
			d->len = (u16)fuzz_u32(&in, 2);
			d->flags = (u16)fuzz_u32(&in, 1);
			d->tstamp = fuzz_u32(&in, 1) & 1 ? ~0ull : 0;
			break;
		}
		case 1:
			tx->prod += (u32)(int8_t)fuzz_u32(&in, 1);
			rx->cons += (u32)(int8_t)fuzz_u32(&in, 1);
			break;
		case 2:
			w.e.fill[fuzz_u32(&in, 1) & (w.e.hdr.pool_ring_size - 1)] =
				fuzz_u32(&in, 2);
			w.e.fill_idx->prod += (u32)(int8_t)fuzz_u32(&in, 1);
			break;
		case 3:
			w.e.comp_idx->cons += (u32)(int8_t)fuzz_u32(&in, 1);
			break;
		case 4:
			vp_sim_guest_send(w.g[port], frame, 14 + op * 9);
			vp_sim_guest_recv(w.g[!port], frame, sizeof(frame));
			break;
		case 5:
			fuzz_world_forward(&w);
			break;
		default:
			fuzz_world_sync(&w);
			break;
		}
	}
	fuzz_world_down(&w);
	return 0;
}
