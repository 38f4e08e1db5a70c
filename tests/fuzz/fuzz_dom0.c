// SPDX-License-Identifier: MIT
/*
 * A hostile guest against dom0's data path: the input is a program of
 * writes to everything the guest controls (its four rings' descriptors and
 * indices, events) interleaved with dom0 syncs and engine forwarding.
 * dom0 must never read or write outside the memory it owns (ASan), never
 * loop forever, and keep its own accounting consistent.
 */
#include "fuzz_world.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_world w;
	u32 steps = 0;

	fuzz_world_up(&w, fuzz_u32(&in, 1) & 1 ? 9000 : 1500);
	while (in.n && steps++ < 2000) {
		struct vp_sim_guest *g = w.g[fuzz_u32(&in, 1) & 1];
		u32 op = fuzz_u32(&in, 1) % 8;
		u32 ring = fuzz_u32(&in, 1) % VPRIME_NR_RINGS;
		u32 idx = fuzz_u32(&in, 1);
		u8 frame[64] = { 0 };

		switch (op) {
		case 0: {	/* raw descriptor */
			struct vprime_desc *d =
				&g->ring[ring][idx & (VPRIME_RING_SIZE - 1)];

			d->slot = fuzz_u32(&in, 2);
			d->off = (u16)fuzz_u32(&in, 2);
			d->len = (u16)fuzz_u32(&in, 2);
			d->flags = (u16)fuzz_u32(&in, 1);
			break;
		}
		case 1:		/* rewrite a producer index, nudged */
			g->ctrl->ring[ring].prod += (u32)(int8_t)idx;
			break;
		case 2:		/* rewrite a consumer index or event */
			g->ctrl->ring[ring].cons += (u32)(int8_t)idx;
			g->ctrl->ring[ring].event = fuzz_u32(&in, 4);
			break;
		case 3:		/* arbitrary index */
			g->ctrl->ring[ring].prod = fuzz_u32(&in, 4);
			break;
		case 4:		/* a well-behaved frame */
			vp_sim_guest_send(g, frame, 14 + idx % 50);
			break;
		case 5:
			vp_sim_guest_recv(g, frame, sizeof(frame));
			break;
		case 6:
			fuzz_world_forward(&w);
			break;
		default:
			fuzz_world_sync(&w);
			break;
		}
	}
	fuzz_world_sync(&w);
	fuzz_world_forward(&w);
	fuzz_world_sync(&w);
	/* dom0 never holds more than a ring of the engine's buffers. */
	for (u32 i = 0; i < 2; i++)
		if (w.g[i]->dom0.nr_spare > VPRIME_MAX_SLOTS)
			abort();
	if (w.e.nr_spare > VPRIME_MAX_SLOTS)
		abort();
	fuzz_world_down(&w);
	return 0;
}
