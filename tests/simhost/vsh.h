/* SPDX-License-Identifier: MIT */
/*
 * vsh.h - vprime-simhost: a simulated dom0 backend that engine processes
 * attach to through libvprime's "unix:" transport, with each simulated
 * guest's device bridged to a TAP, so a guest is a real Linux network
 * stack (usually a network namespace).  docs/simhost.md.
 *
 * One thread, one poll loop: the engine socket and its connections, the
 * control socket and its clients, the taps, a signalfd and a timerfd for
 * engine frames whose due time lies ahead.
 */
#ifndef VSH_H
#define VSH_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vp_sim.h"

#define VSH_MAX_GUESTS	64
#define VSH_MAX_CONNS	16	/* engines attached at once */
#define VSH_MAX_CTL	4	/* control clients at once */
#define VSH_FRAME_BUF	65536	/* a tap frame never exceeds this */
#define VSH_TAP_BATCH	64	/* frames read off one tap per turn */

/* Per-guest counters of the tap side; X(name, description). */
#define VSH_GUEST_STATS(X)						\
	X(tap_to_guest,		"frames from the tap into the guest's TX ring") \
	X(guest_to_tap,		"frames from the guest's RX ring out of the tap") \
	X(drop_no_carrier,	"tap frames dropped: no engine attached") \
	X(drop_removed,		"tap frames dropped: device removed")	\
	X(drop_bad_len,		"tap frames dropped: shorter than a header or over the MTU") \
	X(drop_ring_full,	"tap frames dropped: guest TX ring full") \
	X(drop_tap_write,	"guest frames dropped: the tap refused the write") \
	X(carrier_changes,	"tap carrier switched on or off")

#define VSH_STAT_ENUM(n, d) VSH_STAT_##n,
enum vsh_stat_id {
	VSH_GUEST_STATS(VSH_STAT_ENUM)
	VSH_STAT_MAX
};
#undef VSH_STAT_ENUM

struct vsh_guest {
	struct vp_sim_guest_cfg cfg;	/* cfg.name points at name */
	char name[VPRIME_NAME_LEN];
	char tap[IFNAMSIZ];
	char netns[64];			/* "" = ours */
	int tap_fd;
	struct vp_sim_guest *g;		/* NULL while removed */
	bool carrier;			/* what the tap shows */
	u64 stats[VSH_STAT_MAX];
};

struct vsh_conn {
	int fd;
	int efd;			/* eventfd handed over at SETUP */
	bool signaled;			/* efd holds a count */
	struct vp_sim_file *f;
	u64 requests;
};

struct vsh_ctl_client {
	int fd;
};

struct vsh {
	struct vp_sim_host *host;
	struct vsh_guest guest[VSH_MAX_GUESTS];
	unsigned int nr_guests;
	struct vsh_conn conn[VSH_MAX_CONNS];
	struct vsh_ctl_client ctl[VSH_MAX_CTL];
	const char *sock_path;
	char ctl_path[108];
	int listen_fd;
	int ctl_fd;
	int sig_fd;
	int timer_fd;
	u64 timer_at;			/* armed for, or 0 */
	bool stop;
	bool verbose;
	u8 *frame;			/* VSH_FRAME_BUF scratch */
	/* Server-wide counters. */
	u64 bad_requests;		/* refused engine requests */
	u64 conns_refused;		/* over VSH_MAX_CONNS */
};

/* vsh_guest.c APIs: */
int vsh_guest_parse(struct vsh *s, const char *spec, char *err, size_t errlen);
int vsh_guest_open(struct vsh_guest *vg, char *err, size_t errlen);
int vsh_guest_plug(struct vsh *s, struct vsh_guest *vg);
void vsh_guest_unplug(struct vsh *s, struct vsh_guest *vg);
void vsh_guest_close(struct vsh_guest *vg);
bool vsh_guest_wants_tap(const struct vsh_guest *vg);
void vsh_guest_tap_read(struct vsh *s, struct vsh_guest *vg);
void vsh_guest_service(struct vsh *s, struct vsh_guest *vg);
struct vsh_guest *vsh_guest_find(struct vsh *s, const char *name);
void vsh_guest_print(const struct vsh_guest *vg, FILE *out);

/* vsh_conn.c APIs: */
int vsh_listen(const char *path, char *err, size_t errlen);
void vsh_conn_accept(struct vsh *s);
void vsh_conn_serve(struct vsh *s, struct vsh_conn *c);
void vsh_conn_close(struct vsh_conn *c);
void vsh_conn_signal(struct vsh *s, struct vsh_conn *c, u64 now,
		     u64 *next_due);

/* vsh_ctl.c APIs: */
void vsh_ctl_accept(struct vsh *s);
void vsh_ctl_serve(struct vsh *s, struct vsh_ctl_client *c);
int vsh_ctl_client_main(int argc, char **argv);
void vsh_stats_print(struct vsh *s, FILE *out);

#endif /* VSH_H */
