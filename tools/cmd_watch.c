// SPDX-License-Identifier: MIT
/*
 * vprimectl watch [--config-dir DIR]... [--retry S] [--once]
 *
 * The dom0 service that makes a plain `xl create` / `xl destroy` handle
 * vprime devices (docs/xl.md says why a service and how it hooks in):
 *
 *   @introduceDomain  a domain was built: find its xl config (findcfg.c),
 *                     add the devices of its vprime line that are missing.
 *   @releaseDomain    a domain is gone (destroy, shutdown, crash): libxl
 *                     removed what it knows, but not our class; remove
 *                     every backend/vprime/<domid> of a domain xenstored no
 *                     longer knows.
 *
 * Each event triggers a full rescan (watch.c), so a lost or merged event
 * costs nothing, and a restart of the service catches up.  While a domain
 * is pending (its name or config not found yet), a scan also runs every
 * VPW_TICK_MS, until it is found or given up (--retry S, default 60).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

#include "vpctl.h"

#define VPW_TICK_MS	250

static volatile sig_atomic_t vpw_stop;

static void vpw_sig(int sig)
{
	(void)sig;
	vpw_stop = 1;
}

static void vpw_print(void *ctx, const char *line)
{
	(void)ctx;
	printf("vprimectl watch: %s\n", line);
	fflush(stdout);
}

static uint64_t vpw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int vpw_args(struct vpw *w, int argc, char **argv, bool *once)
{
	uint32_t secs;
	int i, nd = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			*once = true;
		} else if (!strcmp(argv[i], "--config-dir") && i + 1 < argc) {
			if (nd == VPW_DIRS_MAX) {
				vpctl_err("at most %d --config-dir", VPW_DIRS_MAX);
				return -EINVAL;
			}
			w->dirs[nd++] = argv[++i];
		} else if (!strcmp(argv[i], "--retry") && i + 1 < argc) {
			if (!vpctl_u32(argv[++i], 1, 3600, &secs)) {
				vpctl_err("--retry: seconds, 1..3600, not '%s'",
					  argv[i]);
				return -EINVAL;
			}
			w->retry_ms = secs * 1000u;
		} else {
			vpctl_usage_of("watch");
			return -EINVAL;
		}
	}
	if (!nd)
		w->dirs[nd++] = "/etc/xen";
	w->dirs[nd] = NULL;
	return 0;
}

static int vpw_loop(struct vpw *w, struct xs_handle *h)
{
	while (!vpw_stop) {
		struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };
		char **ev;
		bool any = false;

		if (poll(&pfd, 1, w->npending ? VPW_TICK_MS : 1000) < 0 &&
		    errno != EINTR)
			break;
		while ((ev = xs_check_watch(h))) {
			free(ev);
			any = true;
		}
		if (errno != EAGAIN && !any) {
			vpctl_err("xenstore connection lost: %s", strerror(errno));
			return 1;
		}
		if (any || w->npending)
			vpw_scan(w, vpw_now_ms());
	}
	vpw_print(NULL, "stopping");
	return 0;
}

int vpctl_cmd_watch(int argc, char **argv)
{
	static struct vpw w;
	static struct vpx_store s;
	struct xs_handle *h;
	struct sigaction sa;
	bool once = false;
	int r;

	vpw_init(&w, &s);
	w.log = vpw_print;
	if (vpw_args(&w, argc, argv, &once))
		return 1;
	if (vpctl_store_open(&s, false))
		return 1;
	h = vpx_store_xs_handle(&s);
	if (once) {
		vpw_scan(&w, vpw_now_ms());
		vpx_store_xs_close(&s);
		return 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vpw_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!xs_watch(h, "@introduceDomain", "intro") ||
	    !xs_watch(h, "@releaseDomain", "release")) {
		vpctl_err("cannot watch @introduceDomain/@releaseDomain: %s",
			  strerror(errno));
		vpx_store_xs_close(&s);
		return 1;
	}
	vpw_print(NULL, "watching domains; configs from running xl create and "
		  "xl monitors, configs seen before, config dirs");
	vpw_scan(&w, vpw_now_ms());
	r = vpw_loop(&w, h);
	vpx_store_xs_close(&s);
	return r;
}
