// SPDX-License-Identifier: MIT
/*
 * test_cxx.cc - libvprime's headers as a C++ engine (PRIME builds as
 * gnu++98, ns-3 as C++17) includes them: they compile unchanged, the
 * layout checks hold, and a frame goes guest -> library -> guest through
 * the simulated backend with the API called from C++.  Built once per
 * language standard by lib.mk.
 */
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "vprime.h"
#include "vprime_sim.h"
#include "vp_sim.h"

#define CHECK(c)							\
	do {								\
		if (!(c)) {						\
			std::fprintf(stderr, "%s:%d: %s\n", __FILE__,	\
				     __LINE__, #c);			\
			return 1;					\
		}							\
	} while (0)

static struct vp_sim_guest *guest_new(u32 domid, u8 last)
{
	struct vp_sim_guest_cfg c;

	std::memset(&c, 0, sizeof(c));
	c.domid = domid;
	c.mac[0] = 0x02;
	c.mac[5] = last;
	return vp_sim_guest_new(&c);
}

int main()
{
	struct vp_sim_host *h = vp_sim_host_new();
	struct vp_sim_guest *a = guest_new(1, 1), *b = guest_new(2, 2);
	struct vprime *vp = 0;
	struct vprime_frame f;
	unsigned char frame[60], got[VPRIME_FRAME_MAX];
	int pa, pb, n;

	CHECK(h && a && b);
	CHECK(vp_sim_host_add(h, a) == 0 && vp_sim_host_add(h, b) == 0);
	CHECK(vprime_open_sim(&vp, h, 0) == 0);
	pa = vprime_attach_mac(vp, a->cfg.mac);
	pb = vprime_attach_mac(vp, b->cfg.mac);
	CHECK(pa >= 0 && pb >= 0 && pa != pb);
	CHECK(vprime_attach_name(vp, "") == -EINVAL);

	std::memset(frame, 0xab, sizeof(frame));
	std::memcpy(frame, b->cfg.mac, 6);
	std::memcpy(frame + 6, a->cfg.mac, 6);
	CHECK(vp_sim_guest_send(a, frame, sizeof(frame)) == 0);
	CHECK(vprime_sync(vp, 0, 0) == 0);
	n = vprime_rx_peek(vp, &f, 1);
	CHECK(n == 1 && f.len == sizeof(frame) && f.port == (uint32_t)pa);
	CHECK(vprime_tx_submit(vp, (uint32_t)pb, &f, 0) == 0 && f.nseg == 0);
	CHECK(vprime_sync(vp, 0, 0) == 0);
	vp_sim_guest_service(b);
	CHECK(vp_sim_guest_recv(b, got, sizeof(got)) == (int)sizeof(frame));
	CHECK(std::memcmp(got, frame, sizeof(frame)) == 0);

	vprime_close(vp);
	vp_sim_host_remove(h, a);
	vp_sim_host_remove(h, b);
	vp_sim_guest_free(a);
	vp_sim_guest_free(b);
	vp_sim_host_free(h);
	std::printf("test_cxx (C++ %ld): ok\n", (long)__cplusplus);
	return 0;
}
