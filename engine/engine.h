/* SPDX-License-Identifier: MIT */
/*
 * engine.h - vprimed, the reference engine: every shared structure and
 * prototype, in blocks named after the file that defines them.
 *
 *   topo.c     JSON topology -> struct vpe_topo (jansson), unit parsing
 *   link.c     one direction of a link: loss, queue, serialisation, delay
 *   sched.c    binary min-heap of timed events (frames in flight)
 *   fwd.c      the engine: bind guests to ports, switches, the step loop
 *   router.c   IPv4 routers: ARP, longest-prefix routes, TTL
 *   capture.c  per-device pcap files with nanosecond timestamps
 *   ctl.c      the control protocol (line based) and its unix socket
 *   wake.c     the poll loop's early wake-up: sleep, then spin to the due time
 *   loop.c     the poll loop, one turn at a time, over a clock and a wait
 *   main.c     command line, signals, the poll loop
 *
 * Time is u64 nanoseconds of the clock the frames' RX timestamps use
 * (CLOCK_MONOTONIC with /dev/vprime, the virtual clock in tests).
 */
#ifndef VPE_ENGINE_H
#define VPE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <poll.h>
#include <stdint.h>

#include "vprime.h"

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;

#define VPE_NAME_LEN	32u
#define VPE_NODES_MAX	1024u
#define VPE_LINKS_MAX	4096u
#define VPE_ERR_LEN	256u
#define VPE_NONE	UINT32_MAX
#define VPE_TIME_NEVER	UINT64_MAX

/* ---- topo.c ----------------------------------------------------------- */

enum vpe_node_type { VPE_NODE_GUEST = 0, VPE_NODE_SWITCH = 1,
		     VPE_NODE_ROUTER = 2 };
enum vpe_match_by { VPE_MATCH_ID = 0, VPE_MATCH_NAME = 1, VPE_MATCH_MAC = 2 };

struct vpe_ge {			/* Gilbert-Elliott two-state loss */
	bool on;
	double p;		/* P(good -> bad) per frame */
	double r;		/* P(bad -> good) per frame */
	double loss_good;	/* loss probability in the good state */
	double loss_bad;	/* loss probability in the bad state */
};

struct vpe_link_params {
	u64 bandwidth_bps;	/* 0: unlimited (no serialisation delay) */
	u64 delay_ns;		/* propagation */
	u64 jitter_ns;		/* uniform in [-jitter, +jitter], FIFO kept */
	double loss;		/* independent random loss */
	struct vpe_ge ge;
	u32 queue_packets;	/* drop-tail limit, frames waiting */
	u64 queue_bytes;	/* drop-tail limit, bytes waiting (0: none) */
};

#define VPE_RIF_MAX	16u	/* interfaces per router */
#define VPE_ROUTES_MAX	64u	/* static routes per router */

struct vpe_topo_rif {		/* a router's interface on one link */
	char link[VPE_NAME_LEN];
	u32 link_idx;		/* resolved once links are read */
	u32 ip;			/* host byte order */
	u32 plen;
	u8 mac[6];
};

struct vpe_topo_route {
	u32 prefix, plen;	/* host byte order */
	u32 via;		/* gateway, in a connected subnet */
};

struct vpe_topo_node {
	char name[VPE_NAME_LEN];
	enum vpe_node_type type;
	/* guests: which device */
	enum vpe_match_by by;
	u32 domid, devid;
	u8 mac[6];
	char dev[VPRIME_NAME_LEN];
	/* routers */
	u32 nr_rif, nr_routes;
	struct vpe_topo_rif rif[VPE_RIF_MAX];
	struct vpe_topo_route route[VPE_ROUTES_MAX];
};

struct vpe_topo_link {
	char name[VPE_NAME_LEN];
	u32 a, b;		/* node indices */
	struct vpe_link_params prm;
};

struct vpe_topo {
	u64 seed;
	u64 late_ns;		/* a delivery later than this is "late" */
	u32 nr_nodes, nr_links;
	struct vpe_topo_node *node;
	struct vpe_topo_link *link;
};

int vpe_topo_parse(const char *text, size_t len, struct vpe_topo **out,
		   char *err, size_t errlen);
int vpe_topo_load(const char *path, struct vpe_topo **out, char *err,
		  size_t errlen);
void vpe_topo_free(struct vpe_topo *t);
/* guest nodes of @t (each attaches one device: one port) */
u32 vpe_topo_guests(const struct vpe_topo *t);

#define VPE_PORTS_DEFAULT	64u	/* ports at least, when -p is not given */
#define VPE_BUFS_DEFAULT	8192u	/* buffers at least, when -b is not */
#define VPE_BUFS_PER_PORT	64u
/*
 * vpe_opts_for_topo - the zero fields of @o (max_ports, nr_bufs) from @t:
 * a port per guest node (at least 64), 64 buffers per port (at least
 * 8192).  -E2BIG when the topology has more guest nodes than an engine
 * can have ports.  A warning (fewer ports than guest nodes) in @err with
 * 0; @err[0] is 0 otherwise.
 */
int vpe_opts_for_topo(struct vprime_opts *o, const struct vpe_topo *t,
		      char *err, size_t errlen);
int vpe_parse_duration(const char *s, u64 *ns);
int vpe_parse_rate(const char *s, u64 *bps);
int vpe_parse_prob(const char *s, double *p);
int vpe_parse_mac(const char *s, u8 mac[6]);
int vpe_link_param_set(struct vpe_link_params *p, const char *key,
		       const char *val, char *err, size_t errlen);

/* ---- link.c ------------------------------------------------------------- */

#define VPE_LINK_DROPS(X)					\
	X(loss_random,	"random loss")				\
	X(loss_burst,	"Gilbert-Elliott (bursty) loss")	\
	X(queue_full,	"drop-tail: queue limit reached")

#define VPE_LINK_DROP_ENUM(n, d) VPE_LDROP_##n,
enum vpe_link_drop { VPE_LINK_DROPS(VPE_LINK_DROP_ENUM) VPE_LDROP_MAX };
#undef VPE_LINK_DROP_ENUM

struct vpe_link_dir {
	u32 from, to;			/* node indices */
	u32 link;			/* topology link index */
	struct vpe_link_params *prm;	/* shared by both directions */
	u64 busy_until;			/* transmitter free from */
	u64 last_arrival;		/* keeps the link FIFO under jitter */
	/* frames waiting for the transmitter: their start times */
	u64 *q_start;
	u32 *q_len;
	u32 q_head, q_count, q_cap;
	u64 q_bytes;
	bool ge_bad;
	u64 rng;
	u64 frames, bytes, drops[VPE_LDROP_MAX];
};

int vpe_link_dir_init(struct vpe_link_dir *d, u32 link, u32 from, u32 to,
		      struct vpe_link_params *prm, u64 seed);
void vpe_link_dir_fini(struct vpe_link_dir *d);
int vpe_link_dir_resize(struct vpe_link_dir *d);
int vpe_link_admit(struct vpe_link_dir *d, u64 t, u32 len, u64 *arrival);
const char *vpe_link_drop_name(u32 id);

/* ---- sched.c ------------------------------------------------------------ */

/* A frame in flight: it reaches @node over @ldir at @time. */
struct vpe_ev {
	u64 time;
	u64 seq;		/* FIFO among equal times */
	u32 node;
	u32 ldir;		/* link direction it came over, VPE_NONE */
	struct vprime_frame f;
};

struct vpe_sched {
	struct vpe_ev *ev;	/* heap storage */
	u32 n, cap;
	u64 seq;
};

int vpe_sched_init(struct vpe_sched *s, u32 cap);
void vpe_sched_fini(struct vpe_sched *s);
int vpe_sched_push(struct vpe_sched *s, const struct vpe_ev *ev);
bool vpe_sched_pop_due(struct vpe_sched *s, u64 now, struct vpe_ev *out);
u64 vpe_sched_next(const struct vpe_sched *s);

/* ---- capture.c ---------------------------------------------------------- */

struct vpe_capture;
int vpe_capture_open(struct vpe_capture **out, const char *path, char *err,
		     size_t errlen);
void vpe_capture_frame(struct vpe_capture *c, const struct vprime_frame *f,
		       u64 ts_ns);
u64 vpe_capture_count(const struct vpe_capture *c);
void vpe_capture_close(struct vpe_capture *c);

/* ---- wake.c ------------------------------------------------------------- */

#define VPE_WAKE_MIN_NS		50000ull	/* margin before any sample */
#define VPE_WAKE_CAP_NS		2000000ull	/* default --spin-max */
#define VPE_WAKE_CAP_MAX_NS	100000000ull	/* largest --spin-max */

/*
 * The early wake-up policy and its counters.  Lateness is woke - asked of
 * the sleeps that ended by their timeout.
 */
struct vpe_wake {
	u64 cap_ns;		/* largest margin (--spin-max); 0: never spin */
	u64 est_ns;		/* EWMA of the timer's lateness */
	u64 margin_ns;		/* min(max(2 x est, VPE_WAKE_MIN_NS), cap) */
	bool spinning;		/* the last plan said spin */
	u64 spin_from;		/* ... made at this time */
	u64 spin_due;		/* ... for a frame due then */
	u64 sleep_due;		/* the due time the last sleep was for */
	u64 sleeps;		/* blocking waits */
	u64 timeouts;		/* ... that ended by timeout: the samples */
	u64 spins;		/* non-blocking polls with a frame within margin */
	u64 spin_starts;	/* ... for a due time not spun for before */
	u64 spin_ns;		/* time spent spinning */
};

void vpe_wake_init(struct vpe_wake *w, u64 cap_ns);
u64 vpe_wake_plan(struct vpe_wake *w, u64 now, u64 due);
void vpe_wake_note(struct vpe_wake *w, u64 asked, u64 woke, bool timed_out);

/* ---- fwd.c -------------------------------------------------------------- */

#define VPE_DROPS(X)							\
	X(loss_random,	"random loss on a link")			\
	X(loss_burst,	"bursty (Gilbert-Elliott) loss on a link")	\
	X(queue_full,	"drop-tail: a link's queue was full")		\
	X(no_link,	"the sending guest has no link")		\
	X(unbound,	"destination guest not attached")		\
	X(port_down,	"destination port down or gone")		\
	X(tx_ring_full,	"destination TX ring full")			\
	X(too_big,	"frame too long for the destination")		\
	X(no_buffer,	"no buffer to copy a flooded frame")		\
	X(no_event,	"event pool exhausted")				\
	X(filtered,	"switch: destination is behind the ingress")	\
	X(unknown_port,	"frame from a port no guest is bound to")	\
	X(ttl_expired,	"router: IPv4 TTL reached zero")		\
	X(no_route,	"router: no route to the destination")		\
	X(no_arp,	"router: next hop not resolved yet (ARP sent)")	\
	X(not_ipv4,	"router: neither IPv4 nor ARP")			\
	X(router_local,	"router: addressed to the router itself")	\
	X(bad_header,	"router: truncated or malformed header")

#define VPE_DROP_ENUM(n, d) VPE_DROP_##n,
enum vpe_drop { VPE_DROPS(VPE_DROP_ENUM) VPE_DROP_MAX };
#undef VPE_DROP_ENUM

/* Lateness buckets: [0,1us) [1,10us) [10,100us) [100us,1ms) [1,10ms) 10ms+ */
#define VPE_LATE_BUCKETS 6

struct vpe_stats {
	u64 rx_frames, rx_bytes;	/* from guests */
	u64 tx_frames, tx_bytes;	/* into guests */
	u64 flood_copies;
	u64 drops[VPE_DROP_MAX];
	u64 late;			/* deliveries later than late_ns */
	u64 late_hist[VPE_LATE_BUCKETS];
	u64 late_max_ns;
	u64 attaches, detaches, attach_errors;
	u64 ctl_cmds, ctl_errors, ctl_overlong;
	u64 steps;
	u64 polls;			/* the loop's waits, blocking or not */
	u64 polls_dev;			/* ... that found the backend ready */
	u64 clock_reads;		/* the engine's own (step and loop) */
	u64 sync_errors;
	u64 arp_replies, arp_requests, routed;			/* sync ioctls that failed */
	/*
	 * Residence: a frame's time in the engine, from dom0 taking it off
	 * the sending guest's ring (its tstamp) to the step that hands it to
	 * vprime_tx_submit(); link delays and queueing included.  Buckets of
	 * VPRIME_LAT_BUCKETS.
	 */
	u64 residence[VPRIME_LAT_NR];
};

#define VPE_MAC_TABLE 256u		/* per switch, power of two */

struct vpe_mac_ent {
	u8 mac[6];
	bool used;
	u32 ldir_out;			/* link direction towards the MAC */
	u64 seen;
};

#define VPE_ARP_TABLE 256u		/* per router, power of two */

struct vpe_arp_ent {
	u32 ip;
	u8 mac[6];
	bool used;
};

struct vpe_node {
	struct vpe_topo_node *t;
	/* router: rif_ldir[i] leaves through interface i */
	u32 rif_ldir[VPE_RIF_MAX];
	struct vpe_arp_ent *arp;
	/* guest */
	int port;			/* -1: not attached */
	u32 out_ldir;			/* its link, direction away from it */
	struct vpe_capture *cap;
	/* switch */
	u32 *out;			/* link directions leaving the switch */
	u32 nr_out;
	struct vpe_mac_ent *mac;
};

struct vpe_engine {
	struct vprime *vp;
	struct vpe_topo *topo;
	u64 (*now)(void *);
	void *now_arg;
	struct vpe_node *node;
	struct vpe_link_dir *ldir;	/* 2 per link: [2i] a->b, [2i+1] b->a */
	u32 nr_ldir;
	struct vpe_sched sched;
	int port_node[VPRIME_PORTS_MAX];
	u32 batch;
	bool rescan_wanted;
	bool tx_pending;
	bool rx_left;			/* the last take stopped at its cap */
	/*
	 * Set when a sync says the backend itself is gone (a simulated
	 * host over unix: that exited or broke the protocol): the loop
	 * stops instead of waking on the dead descriptor forever.
	 */
	int backend_lost;
	u64 wall_offset;		/* added to capture timestamps */
	struct vprime_devinfo *list;	/* rescan scratch */
	struct vpe_stats st;
	struct vpe_wake wake;		/* the poll loop's; here for stats */
};

int vpe_engine_new(struct vpe_engine **out, struct vprime *vp,
		   struct vpe_topo *topo, u64 (*now)(void *), void *arg,
		   char *err, size_t errlen);
void vpe_engine_free(struct vpe_engine *e);
/*
 * vpe_engine_pass - one pass of the engine; returns when the next frame is
 * due.  With VPE_STEP_SYNC (or a rescan due) it syncs the backend in
 * first, takes what the guests sent and sets *@now to the clock after
 * the sync; without, it runs the frames due at *@now, which costs no
 * system call unless it submits some (then one sync out).
 */
#define VPE_STEP_SYNC	0x1u
u64 vpe_engine_pass(struct vpe_engine *e, u32 flags, u64 *now);
/* A pass with VPE_STEP_SYNC at the engine's clock. */
u64 vpe_engine_step(struct vpe_engine *e);
int vpe_engine_rescan(struct vpe_engine *e);
int vpe_engine_node(const struct vpe_engine *e, const char *name);
int vpe_engine_link(const struct vpe_engine *e, const char *name);
const char *vpe_drop_name(u32 id);
void vpe_send(struct vpe_engine *e, u32 ld, struct vprime_frame *f, u64 t);
void vpe_drop(struct vpe_engine *e, struct vprime_frame *f, enum vpe_drop why);

/* ---- loop.c ------------------------------------------------------------- */

#define VPE_WAIT_DEV	0x1	/* the backend's descriptor is ready */
#define VPE_WAIT_CTL	0x2	/* a control client was served */

struct vpe_loop_ops {
	u64 (*now)(void *arg);		/* the engine's clock */
	/*
	 * Block up to @ns (0: just look; VPE_TIME_NEVER: no timeout); serve
	 * control clients.  Returns VPE_WAIT_* bits, 0 on timeout.
	 */
	int (*wait)(void *arg, u64 ns);
	void *arg;
};

struct vpe_loop {
	struct vpe_engine *e;
	struct vpe_loop_ops ops;
	u64 next;			/* the engine's next due time */
	u64 now;			/* the clock, as last read */
	u64 last_rescan;
	bool pass;			/* a pass at the next turn ... */
	u32 pass_flags;			/* ... with these VPE_STEP_* */
};

void vpe_loop_init(struct vpe_loop *l, struct vpe_engine *e,
		   const struct vpe_loop_ops *ops);
void vpe_loop_turn(struct vpe_loop *l);

/* ---- router.c ----------------------------------------------------------- */

int vpe_router_init(struct vpe_engine *e, struct vpe_node *n);
void vpe_router(struct vpe_engine *e, struct vpe_node *r, struct vpe_ev *ev);
int vpe_parse_ipv4(const char *s, u32 *ip, u32 *plen);

/* ---- ctl.c -------------------------------------------------------------- */

#define VPE_CTL_LINE_MAX 1024u

struct vpe_buf {			/* growing output text */
	char *s;
	size_t len, cap;
	bool oom;
};

void vpe_buf_printf(struct vpe_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vpe_buf_free(struct vpe_buf *b);
int vpe_ctl_exec(struct vpe_engine *e, const char *line, size_t len,
		 struct vpe_buf *out);

struct vpe_ctl;
int vpe_ctl_listen(struct vpe_ctl **out, struct vpe_engine *e,
		   const char *path, char *err, size_t errlen);
int vpe_ctl_fds(const struct vpe_ctl *c, struct pollfd *pfd, int max);
void vpe_ctl_service(struct vpe_ctl *c, const struct pollfd *pfd, int n);
void vpe_ctl_close(struct vpe_ctl *c);

#endif /* VPE_ENGINE_H */
