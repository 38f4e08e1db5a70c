// SPDX-License-Identifier: MIT
/*
 * fuzz_xlcfg.c - any bytes as an xl guest config for vprimectl's reader
 * (tools/xlcfg.c): no crash, no read outside the input, and the invariants
 * of a successful parse (devices valid and unique, canonical specs that
 * parse back to the same device).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vp_parse.h"
#include "vpctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vpx_cfg cfg;
	char err[VPCTL_ERR_LEN], spec[160];
	/* an exact-size copy, so ASan sees any read past the end */
	char *text = malloc(size ? size : 1);
	uint32_t i, j;

	if (!text)
		return 0;
	memcpy(text, data, size);
	if (vpx_parse(text, size, &cfg, err, sizeof(err))) {
		if (!err[0] || !memchr(err, '\0', sizeof(err)))
			abort();	/* every failure says why */
		free(text);
		return 0;
	}
	if (cfg.ndev > VPX_DEVS_MAX || (cfg.ndev && !cfg.has_vprime))
		abort();
	if (cfg.has_domname && (!cfg.domname[0] ||
				!memchr(cfg.domname, '\0', VPX_DOMNAME_LEN)))
		abort();
	for (i = 0; i < cfg.ndev; i++) {
		struct vpx_dev back = { 0 };

		if (cfg.dev[i].devid > VPX_DEVID_MAX || (cfg.dev[i].mac[0] & 1))
			abort();
		for (j = 0; j < i; j++)
			if (cfg.dev[i].devid == cfg.dev[j].devid ||
			    !memcmp(cfg.dev[i].mac, cfg.dev[j].mac, 6))
				abort();
		vpx_format_spec(&cfg.dev[i], spec, sizeof(spec));
		if (vpx_parse_spec(spec, strlen(spec), &back, err, sizeof(err)) ||
		    memcmp(back.mac, cfg.dev[i].mac, 6) ||
		    back.devid != cfg.dev[i].devid ||
		    back.has_name != cfg.dev[i].has_name ||
		    strcmp(back.name, cfg.dev[i].name) ||
		    back.has_mtu != cfg.dev[i].has_mtu || back.mtu != cfg.dev[i].mtu)
			abort();
	}
	free(text);
	return 0;
}
