// SPDX-License-Identifier: MIT
/*
 * Every xenstore value a guest can write goes through these parsers; the
 * input is one value.  Parsers must read only @len bytes, and whatever
 * they accept must print back to the same value.
 */
#include <stdio.h>
#include <stdlib.h>

#include "vp_parse.h"
#include "vp_xenbus.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const char *s = (const char *)data;
	u32 len = size > 4096 ? 4096 : (u32)size;
	char name[VPRIME_NAME_LEN], back[24];
	u8 mac[6];
	u32 v;
	bool b;

	if (vp_parse_u32(s, len, 0, 0xffffffffu, &v) == 0) {
		snprintf(back, sizeof(back), "%u", v);
		if (strncmp(back, s, strlen(back)))
			abort();
	}
	vp_parse_bool(s, len, &b);
	if (vp_parse_mac(s, len, mac) == 0) {
		vp_format_mac(mac, back);
		if (strncasecmp(back, s, 17))
			abort();
	}
	if (vp_parse_name(s, len, name) == 0 && strncmp(name, s, len) &&
	    memchr(s, 0, len) == NULL)
		abort();
	vp_parse_versions(s, len, VPRIME_PROTOCOL_VERSION, &v);
	/* pool-pages (the toolstack's): what it accepts is a pool size */
	if (vp_xb_pool_offer(s, len, 256, &v) == 0 &&
	    (v < VPRIME_POOL_PAGES_MIN || v > VPRIME_POOL_PAGES_MAX))
		abort();
	return 0;
}
