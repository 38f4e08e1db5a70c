// SPDX-License-Identifier: MIT
/*
 * fuzz_lib_api.c - libFuzzer target: libvprime's API driven by arbitrary
 * call sequences and arguments over two simulated guests: sends, syncs,
 * peeks, submits and drops of real, forged, duplicated and stale frames,
 * reserves, attach/detach by every key, devices vanishing and coming back.
 * Whatever the sequence: no crash, no leak, no sanitizer report, and the
 * library never counts more free buffers than the area has.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vp_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HELD 64

struct fz {
	const uint8_t *d;
	size_t n, i;
};

static uint32_t fz_u8(struct fz *z)
{
	return z->i < z->n ? z->d[z->i++] : 0;
}

static uint32_t fz_u32(struct fz *z)
{
	uint32_t v = fz_u8(z);

	v |= fz_u8(z) << 8;
	v |= fz_u8(z) << 16;
	return v | fz_u8(z) << 24;
}

static void fz_frame_keep(struct vprime_frame *held, uint32_t *nh,
			  const struct vprime_frame *f)
{
	if (*nh < HELD)
		held[(*nh)++] = *f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vprime_opts o = { .nr_bufs = 128, .ring_size = 32,
					      .max_ports = 3, .tx_reserve = 16 };
	struct vprime_frame held[HELD], tmp[8], f;
	struct vprime_devinfo dl[4];
	struct vprime_portinfo pi;
	struct fz z = { data, size, 0 };
	bool gone[2] = { false, false };
	uint32_t nh = 0, i, k;
	uint64_t st[VPRIME_STAT_MAX];
	struct vprime *vp;
	u8 buf[VPRIME_FRAME_MAX];
	struct vh h;
	int n;

	vh_init_pages(&h, 2, 9000, 8);
	if (vprime_open_sim(&vp, h.host, &o))
		abort();
	while (z.i < z.n) {
		uint32_t op = fz_u8(&z), a = fz_u8(&z), b = fz_u8(&z);

		switch (op % 14) {
		case 0:
			k = fz_u32(&z) % 9100 + 1;
			vh_frame(buf, k, a % 2, b % 2, a, 0);
			if (!gone[a % 2])
				vp_sim_guest_send(h.g[a % 2], buf, k);
			break;
		case 1:
			vprime_sync(vp, a % 5, NULL);
			break;
		case 2:
			n = vprime_rx_peek(vp, tmp, a % 9);
			for (i = 0; n > 0 && i < (uint32_t)n; i++)
				if (nh < HELD)
					fz_frame_keep(held, &nh, &tmp[i]);
				else
					vprime_frame_drop(vp, &tmp[i]);
			break;
		case 3:
			if (nh)
				vprime_tx_submit(vp, b % 4, &held[a % nh],
						 h.clock + fz_u8(&z) * 1000ull);
			break;
		case 4:
			if (nh)
				vprime_frame_drop(vp, &held[a % nh]);
			break;
		case 5:	/* forge: a copy with garbage in it, then use it */
			if (!nh)
				break;
			f = held[a % nh];
			f.seg[b % VPRIME_FRAME_SEGS].buf = fz_u32(&z) % 200;
			f.seg[fz_u8(&z) % VPRIME_FRAME_SEGS].len = fz_u32(&z) % 3000;
			f.nseg = (uint16_t)(fz_u8(&z) % 7);
			if (fz_u8(&z) & 1)
				vprime_frame_drop(vp, &f);
			else
				vprime_tx_submit(vp, b % 4, &f, 0);
			break;
		case 6:
			if (vprime_tx_reserve(vp, fz_u32(&z) % 11000, &f))
				break;
			if (nh < HELD)
				fz_frame_keep(held, &nh, &f);
			else
				vprime_frame_drop(vp, &f);
			break;
		case 7:
			vprime_attach_id(vp, a % 4, b % 2);
			break;
		case 8: {
			char name[4] = { 'g', (char)('0' + a % 3), 0, 0 };
			u8 mac[6];

			vprime_attach_name(vp, (b & 1) ? name : "");
			vh_mac(a % 3, mac);
			vprime_attach_mac(vp, mac);
			break;
		}
		case 9:
			vprime_detach(vp, a % 5);
			break;
		case 10:
			vprime_port_stats(vp, a % 4, st, b % (VPRIME_STAT_MAX + 2));
			vprime_port_info(vp, a % 4, &pi);
			vprime_list(vp, dl, b % 5);
			break;
		case 11:
			if (gone[a % 2]) {
				vp_sim_host_add(h.host, h.g[a % 2]);
			} else {
				vp_sim_host_remove(h.host, h.g[a % 2]);
			}
			gone[a % 2] = !gone[a % 2];
			break;
		case 12:
			h.clock += (uint64_t)a * 997;
			break;
		case 13:
			for (i = 0; i < 2; i++)
				if (!gone[i])
					while (vp_sim_guest_recv(h.g[i], buf,
								 sizeof(buf)) > 0)
						;
			vprime_rx_release(vp, held, nh);
			nh = 0;
			break;
		}
	}
	vprime_rx_release(vp, held, nh);
	if (vprime_free_bufs(vp) < 0 || vprime_free_bufs(vp) > (int)o.nr_bufs)
		abort();
	vprime_close(vp);
	for (i = 0; i < 2; i++)
		if (gone[i])
			vp_sim_host_add(h.host, h.g[i]);
	vh_fini(&h);
	return 0;
}
