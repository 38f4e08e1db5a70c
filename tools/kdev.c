// SPDX-License-Identifier: MIT
/*
 * kdev.c - what vprime-back.ko says about its devices: VPRIME_IOC_LIST on
 * /dev/vprime (needs no area, holds nothing), and the per-device counters
 * of its debugfs file (read-only: no attach, so the guest's carrier does
 * not flap).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vpctl.h"

const char *vpctl_dev_path(void)
{
	const char *e = getenv("VPRIME_DEV");

	return e && *e ? e : "/dev/" VPRIME_DEV_NAME;
}

int vpctl_kernel_list(struct vprime_devinfo **out, uint32_t *n)
{
	struct vprime_list l = { 0 };
	struct vprime_devinfo *v = NULL;
	int fd, r = 0, tries;

	*out = NULL;
	*n = 0;
	fd = open(vpctl_dev_path(), O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (tries = 0; tries < 4; tries++) {
		uint32_t cap = l.count + 8;
		struct vprime_devinfo *nv;

		if (cap > VPRIME_PORTS_MAX * 64) {
			r = -E2BIG;
			break;
		}
		nv = realloc(v, cap * sizeof(*v));
		if (!nv) {
			r = -ENOMEM;
			break;
		}
		v = nv;
		memset(v, 0, cap * sizeof(*v));
		l.capacity = cap;
		l.entries = (uint64_t)(uintptr_t)v;
		if (ioctl(fd, VPRIME_IOC_LIST, &l)) {
			r = -errno;
			break;
		}
		if (l.count <= cap) {
			*out = v;
			*n = l.count;
			close(fd);
			return 0;
		}
	}
	if (!r)
		r = -EAGAIN;
	free(v);
	close(fd);
	return r;
}

/*
 * One indented line of a device: "name=value ..." counters, one a line;
 * or "  histogram le_1us=N ..." (a name first), on one line with only
 * the buckets that counted something.
 */
static void vpctl_debugfs_line(char *line, FILE *out)
{
	char *tok, *save = NULL;
	bool hist = false, any = false;

	for (tok = strtok_r(line, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq) {
			if (!hist)
				fprintf(out, "  %-22s", tok);
			hist = true;
			continue;
		}
		*eq = '\0';
		if (!hist)
			fprintf(out, "  %-22s %s\n", tok, eq + 1);
		else if (strcmp(eq + 1, "0")) {
			fprintf(out, " %s=%s", tok, eq + 1);
			any = true;
		}
	}
	if (hist)
		fprintf(out, "%s\n", any ? "" : " (none)");
}

int vpctl_debugfs_counters(uint32_t domid, uint32_t devid, void *outp)
{
	const char *path = getenv("VPRIME_DEBUGFS");
	char want[48], line[4096];
	bool found = false;
	FILE *f, *out = outp;

	f = fopen(path && *path ? path : "/sys/kernel/debug/vprime/devices", "re");
	if (!f)
		return -errno;
	snprintf(want, sizeof(want), "dom%u dev%u ", domid, devid);
	while (fgets(line, sizeof(line), f)) {
		if (found) {
			if (line[0] != ' ')
				break;
			vpctl_debugfs_line(line, out);
			continue;
		}
		if (!strncmp(line, want, strlen(want))) {
			found = true;
			fprintf(out, "  %s", line + strlen(want));
		}
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}
