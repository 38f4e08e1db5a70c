// SPDX-License-Identifier: MIT
/*
 * vprimectl - configure vprime devices of Xen guests, from dom0.
 *
 * One table of subcommands (as wg(8) has): it dispatches and it prints the
 * usage.  Each subcommand lives in its own cmd_<name>.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vp_parse.h"
#include "vpctl.h"

const char *vpctl_prog = "vprimectl";
static const char *vpctl_cur = "";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *what;
} vpctl_cmds[] = {
	{ "add", vpctl_cmd_add, "[--pool N] <domain> mac=MAC[,name=NAME][,devid=N][,mtu=N][,pool=N]... | [--pool N] <domain> --config FILE",
	  "add a vprime device to a running or paused domain" },
	{ "remove", vpctl_cmd_remove, "[--force] [--timeout S] <domain> [devid|all]",
	  "close and remove a device (all of the domain's by default)" },
	{ "list", vpctl_cmd_list, "", "every vprime device, both states, engine" },
	{ "stats", vpctl_cmd_stats, "[<domain>[/devid] | <name>]",
	  "backend counters, and vprimed's if it runs" },
	{ "capture", vpctl_cmd_capture, "<node> start <file> | <node> stop",
	  "pcap capture of a guest node in vprimed" },
	{ "link", vpctl_cmd_link, "<link> set key=value... | <link> show",
	  "change a link of vprimed's topology (delay, rate, loss, ...)" },
	{ "config", vpctl_cmd_config, "[--domain-name] <xl-config-file>",
	  "the vprime devices an xl config describes" },
	{ "watch", vpctl_cmd_watch, "[--config-dir DIR]... [--retry S] [--once]",
	  "dom0 service: give xl-created domains their devices, clean up" },
};
#define VPCTL_NR_CMDS (sizeof(vpctl_cmds) / sizeof(vpctl_cmds[0]))

void vpctl_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s%s%s: ", vpctl_prog, *vpctl_cur ? " " : "", vpctl_cur);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void vpctl_usage_of(const char *cmd)
{
	size_t i;

	for (i = 0; i < VPCTL_NR_CMDS; i++)
		if (!strcmp(vpctl_cmds[i].name, cmd))
			fprintf(stderr, "Usage: %s %s %s\n", vpctl_prog,
				vpctl_cmds[i].name, vpctl_cmds[i].args);
}

static void vpctl_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <cmd> [<args>]\n\nCommands:\n", vpctl_prog);
	for (i = 0; i < VPCTL_NR_CMDS; i++)
		fprintf(f, "  %-8s %s\n           %s\n", vpctl_cmds[i].name,
			vpctl_cmds[i].args, vpctl_cmds[i].what);
	fprintf(f, "\n<domain> is a domain name or id.  vprimed's control socket: "
		"$VPRIMED_SOCKET\nor %s.  See docs/xl.md.\n",
		VPCTL_SOCKET_DEFAULT);
}

int vpctl_store_open(struct vpx_store *s, bool readonly)
{
	int r = vpx_store_xs_open(s, readonly);

	if (r) {
		vpctl_err("cannot reach xenstore (%s): run in dom0 as root, with "
			  "xenstored running", strerror(-r));
		return 1;
	}
	return 0;
}

bool vpctl_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	size_t n = strlen(s);

	return n <= 10 && !vp_parse_u32(s, (u32)n, min, max, out);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		vpctl_usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		vpctl_usage(stdout);
		return 0;
	}
	for (i = 0; i < VPCTL_NR_CMDS; i++) {
		if (strcmp(argv[1], vpctl_cmds[i].name))
			continue;
		vpctl_cur = vpctl_cmds[i].name;
		if (argc > 2 && (!strcmp(argv[2], "--help") ||
				 !strcmp(argv[2], "-h"))) {
			printf("Usage: %s %s %s\n  %s\n", vpctl_prog,
			       vpctl_cmds[i].name, vpctl_cmds[i].args,
			       vpctl_cmds[i].what);
			return 0;
		}
		return vpctl_cmds[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: invalid subcommand '%.40s'\n", vpctl_prog, argv[1]);
	vpctl_usage(stderr);
	return 1;
}
