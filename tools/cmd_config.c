// SPDX-License-Identifier: MIT
/*
 * vprimectl config [--domain-name] <xl-config-file>
 *
 * Prints the vprime devices the config's `vprime = [...]` line describes,
 * one canonical spec per line (devids filled in), so a script can feed them
 * to `vprimectl add`.  --domain-name prints the config's `name` instead.
 * Exit 1 with "file: line N: why" on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpctl.h"

int vpctl_cmd_config(int argc, char **argv)
{
	static struct vpx_cfg cfg;
	char err[VPCTL_ERR_LEN], spec[160], *text = NULL;
	const char *file;
	bool domname = false;
	size_t len;
	uint32_t i;
	int r;

	if (argc == 3 && !strcmp(argv[1], "--domain-name")) {
		domname = true;
		file = argv[2];
	} else if (argc == 2 && argv[1][0] != '-') {
		file = argv[1];
	} else {
		vpctl_usage_of("config");
		return 1;
	}
	r = vpctl_read_file(file, &text, &len);
	if (r) {
		vpctl_err("%s: %s", file, vpctl_file_err(r));
		return 1;
	}
	r = vpx_parse(text, len, &cfg, err, sizeof(err));
	free(text);
	if (r) {
		vpctl_err("%s: %s", file, err);
		return 1;
	}
	if (domname) {
		if (!cfg.has_domname) {
			vpctl_err("%s: no name = \"...\"", file);
			return 1;
		}
		printf("%s\n", cfg.domname);
		return 0;
	}
	for (i = 0; i < cfg.ndev; i++) {
		vpx_format_spec(&cfg.dev[i], spec, sizeof(spec));
		printf("%s\n", spec);
	}
	return 0;
}
