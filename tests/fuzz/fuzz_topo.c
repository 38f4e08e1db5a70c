// SPDX-License-Identifier: MIT
/*
 * fuzz_topo.c - libFuzzer target: vprimed's topology parser on arbitrary
 * bytes.  Any input is either a topology or an error message; never a
 * crash, a leak or an unterminated message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[VPE_ERR_LEN];
	struct vpe_topo *t = NULL;

	memset(err, 0, sizeof(err));
	if (vpe_topo_parse((const char *)data, size, &t, err, sizeof(err))) {
		if (t || !err[0] || strnlen(err, sizeof(err)) == sizeof(err))
			abort();
		return 0;
	}
	/* A topology that parsed obeys the rules the engine relies on. */
	for (uint32_t i = 0; i < t->nr_links; i++)
		if (t->link[i].a >= t->nr_nodes || t->link[i].b >= t->nr_nodes ||
		    t->link[i].a == t->link[i].b || !t->link[i].prm.queue_packets)
			abort();
	vpe_topo_free(t);
	return 0;
}
