/* SPDX-License-Identifier: MIT */
/*
 * vp_harness.h - shared by the libvprime and vprimed host tests: a
 * simulated host with guests on a virtual clock, and a frame builder.
 * Header-only so every test program stays one translation unit.
 */
#ifndef VP_HARNESS_H
#define VP_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vp_sim.h"
#include "vprime.h"
#include "vprime_sim.h"

#define VH_MAX_GUESTS 256

struct vh {
	struct vp_sim_host *host;
	struct vp_sim_guest *g[VH_MAX_GUESTS];
	u32 n;
	u64 clock;			/* virtual CLOCK_MONOTONIC ns */
};

static u64 vh_now(void *arg)
{
	return ((struct vh *)arg)->clock;
}

static inline void vh_mac(u32 i, u8 mac[6])
{
	mac[0] = 0x02;	/* locally administered */
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = (u8)(i >> 16);
	mac[4] = (u8)(i >> 8);
	mac[5] = (u8)i;
}

/*
 * A host with @n guests: domid 1+i, devid 0, name "g<i>", MAC vh_mac(i),
 * @pages pool pages per direction (0: the default).
 */
static inline void vh_init_pages(struct vh *h, u32 n, u32 mtu, u32 pages)
{
	u32 i;

	memset(h, 0, sizeof(*h));
	h->clock = 1000000000ull;
	h->host = vp_sim_host_new();
	if (!h->host)
		abort();
	vp_sim_host_set_clock(h->host, vh_now, h);
	for (i = 0; i < n; i++) {
		char name[16];
		struct vp_sim_guest_cfg c = { .domid = 1 + i, .devid = 0,
					      .name = name, .mtu = mtu,
					      .pool_pages = pages };

		snprintf(name, sizeof(name), "g%u", i);
		vh_mac(i, c.mac);
		h->g[i] = vp_sim_guest_new(&c);
		if (!h->g[i] || vp_sim_host_add(h->host, h->g[i]))
			abort();
	}
	h->n = n;
}

static inline void vh_init(struct vh *h, u32 n, u32 mtu)
{
	vh_init_pages(h, n, mtu, 0);
}

static inline void vh_fini(struct vh *h)
{
	u32 i;

	for (i = 0; i < h->n; i++) {
		if (h->g[i]) {
			vp_sim_host_remove(h->host, h->g[i]);
			vp_sim_guest_free(h->g[i]);
		}
	}
	vp_sim_host_free(h->host);
}

/*
 * An Ethernet frame of @len bytes from guest @src to guest @dst (dst ~0u:
 * broadcast) whose payload carries @seq and the send time, so receivers
 * can check identity and delay.
 */
struct vh_payload {
	u32 seq;
	u32 src;
	u64 sent;
};

static inline u32 vh_frame(u8 *buf, u32 len, u32 src, u32 dst, u32 seq,
			   u64 sent)
{
	struct vh_payload pl = { .seq = seq, .src = src, .sent = sent };
	u32 i;

	if (dst == ~0u)
		memset(buf, 0xff, 6);
	else
		vh_mac(dst, buf);
	vh_mac(src, buf + 6);
	buf[12] = 0x88;		/* local experimental ethertype */
	buf[13] = 0xb5;
	for (i = 14; i < len; i++)
		buf[i] = (u8)(i * 7 + seq);
	if (len >= 14 + sizeof(pl))
		memcpy(buf + 14, &pl, sizeof(pl));
	return len;
}

static inline int vh_payload(const u8 *buf, u32 len, struct vh_payload *pl)
{
	if (len < 14 + sizeof(*pl))
		return -1;
	memcpy(pl, buf + 14, sizeof(*pl));
	return 0;
}

#endif /* VP_HARNESS_H */
