// SPDX-License-Identifier: MIT
/*
 * vprimectl capture <node> start <file> | <node> stop
 *
 * Forwarded to vprimed ("capture start NODE PATH" / "capture stop NODE").
 * <node> is the guest node of vprimed's topology.  The file is written by
 * vprimed, so a relative path is made absolute here.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vp_parse.h"
#include "vpctl.h"

int vpctl_cmd_capture(int argc, char **argv)
{
	char line[PATH_MAX + 128], path[PATH_MAX], err[VPCTL_ERR_LEN];
	char node[VPRIME_NAME_LEN];
	int r;

	if (argc < 3 || (strcmp(argv[2], "start") && strcmp(argv[2], "stop")) ||
	    (!strcmp(argv[2], "start") && argc != 4) ||
	    (!strcmp(argv[2], "stop") && argc != 3)) {
		vpctl_usage_of("capture");
		return 1;
	}
	if (vp_parse_name(argv[1], (u32)strlen(argv[1]), node)) {
		vpctl_err("bad node name '%.40s'", argv[1]);
		return 1;
	}
	if (!strcmp(argv[2], "stop")) {
		snprintf(line, sizeof(line), "capture stop %s", node);
	} else {
		const char *f = argv[3];

		if (f[0] != '/') {
			char cwd[PATH_MAX];

			if (!getcwd(cwd, sizeof(cwd)) ||
			    (size_t)snprintf(path, sizeof(path), "%s/%s", cwd, f) >=
			    sizeof(path)) {
				vpctl_err("cannot make '%.60s' absolute", f);
				return 1;
			}
			f = path;
		}
		if (!vpctl_word_ok(f, 1000)) {
			vpctl_err("capture file names may not hold blanks or "
				  "control characters");
			return 1;
		}
		snprintf(line, sizeof(line), "capture start %s %s", node, f);
	}
	r = vpctl_engine_cmd(vpctl_engine_socket(), line, stdout, err,
			     sizeof(err));
	if (r)
		return vpctl_engine_fail(r, err);
	return 0;
}
