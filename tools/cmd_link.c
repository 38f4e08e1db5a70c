// SPDX-License-Identifier: MIT
/*
 * vprimectl link <link> set key=value... | <link> show
 *
 * Forwarded to vprimed as "link NAME set KEY VALUE ..." (all or nothing:
 * vprimed checks every pair before it changes anything).  rate= is the
 * engine's bandwidth=; values keep vprimed's units (10ms, 100Mbit, 0.01).
 */
#include <stdio.h>
#include <string.h>

#include "vp_parse.h"
#include "vpctl.h"

static const char *const vpctl_link_keys[] = {
	"delay", "bandwidth", "jitter", "loss", "ge", "ge_p", "ge_r",
	"ge_loss_good", "ge_loss_bad", "queue_packets", "queue_bytes",
};

int vpctl_cmd_link(int argc, char **argv)
{
	char line[1024], err[VPCTL_ERR_LEN], name[VPRIME_NAME_LEN];
	size_t n;
	int i, r;

	if (argc < 3 || (!strcmp(argv[2], "show") && argc != 3) ||
	    (strcmp(argv[2], "show") && (strcmp(argv[2], "set") || argc < 4))) {
		vpctl_usage_of("link");
		return 1;
	}
	if (vp_parse_name(argv[1], (u32)strlen(argv[1]), name)) {
		vpctl_err("bad link name '%.40s'", argv[1]);
		return 1;
	}
	n = (size_t)snprintf(line, sizeof(line), "link %s %s", name, argv[2]);
	for (i = 3; i < argc; i++) {
		const char *eq = strchr(argv[i], '='), *key = argv[i];
		char k[32];
		size_t kl, j;

		if (!eq || eq == argv[i] || !eq[1]) {
			vpctl_err("'%.40s' is not key=value", argv[i]);
			return 1;
		}
		kl = (size_t)(eq - key);
		if (kl >= sizeof(k)) {
			vpctl_err("unknown key in '%.40s'", argv[i]);
			return 1;
		}
		memcpy(k, key, kl);
		k[kl] = '\0';
		if (!strcmp(k, "rate"))
			snprintf(k, sizeof(k), "bandwidth");
		for (j = 0; j < sizeof(vpctl_link_keys) / sizeof(*vpctl_link_keys); j++)
			if (!strcmp(k, vpctl_link_keys[j]))
				break;
		if (j == sizeof(vpctl_link_keys) / sizeof(*vpctl_link_keys)) {
			vpctl_err("unknown key '%s' (delay, rate, loss, jitter, ge, "
				  "ge_p, ge_r, ge_loss_good, ge_loss_bad, "
				  "queue_packets, queue_bytes)", k);
			return 1;
		}
		if (!vpctl_word_ok(eq + 1, 64)) {
			vpctl_err("bad value for %s: '%.40s'", k, eq + 1);
			return 1;
		}
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s %s", k, eq + 1);
		if (n >= sizeof(line)) {
			vpctl_err("too many settings at once");
			return 1;
		}
	}
	r = vpctl_engine_cmd(vpctl_engine_socket(), line, stdout, err,
			     sizeof(err));
	if (r)
		return vpctl_engine_fail(r, err);
	return 0;
}
