// SPDX-License-Identifier: MIT
/*
 * fuzz_topo_frames.c - libFuzzer target: guest-written frames of any
 * content through a topology with a router and a switch, so every header
 * the engine parses (Ethernet, ARP, IPv4) is hostile input.  Input:
 * records of [guest (1 byte)][length (2 bytes, LE)][frame bytes].
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char topo[] =
	"{\"nodes\": ["
	"{\"name\":\"h0\",\"type\":\"guest\",\"mac\":\"02:00:5e:00:00:00\"},"
	"{\"name\":\"h1\",\"type\":\"guest\",\"mac\":\"02:00:5e:00:00:01\"},"
	"{\"name\":\"h2\",\"type\":\"guest\",\"mac\":\"02:00:5e:00:00:02\"},"
	"{\"name\":\"s\",\"type\":\"switch\"},"
	"{\"name\":\"r\",\"type\":\"router\",\"interfaces\":["
	"{\"link\":\"la\",\"ip\":\"10.0.1.1/24\",\"mac\":\"02:52:00:00:00:01\"},"
	"{\"link\":\"lb\",\"ip\":\"10.0.2.1/24\",\"mac\":\"02:52:00:00:00:02\"}],"
	"\"routes\":[{\"prefix\":\"0.0.0.0/0\",\"via\":\"10.0.2.3\"}]}],"
	"\"links\": [{\"name\":\"la\",\"a\":\"h0\",\"b\":\"r\"},"
	"{\"name\":\"lb\",\"a\":\"r\",\"b\":\"s\",\"delay\":\"10us\"},"
	"{\"a\":\"h1\",\"b\":\"s\"},{\"a\":\"h2\",\"b\":\"s\",\"loss\":0.1}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vprime_opts o = { .nr_bufs = 256, .ring_size = 64,
					      .max_ports = 4 };
	static struct ef f;
	char err[VPE_ERR_LEN];
	size_t off = 0;
	u32 g, len, i;

	if (ef_init_opts(&f, 3, 8, topo, &o, err, sizeof(err)))
		abort();
	while (off + 3 <= size) {
		g = data[off] % 3;
		len = (u32)(data[off + 1] | data[off + 2] << 8) % 1600;
		off += 3;
		if (len > size - off)
			len = (u32)(size - off);
		if (len)
			vp_sim_guest_send(f.h.g[g], data + off, len);
		off += len;
		f.h.clock += 5000;
		ef_step(&f);
	}
	for (i = 0; i < 4; i++) {
		f.h.clock += 1000000;
		ef_step(&f);
	}
	ef_fini(&f);
	return 0;
}
