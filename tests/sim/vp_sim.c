// SPDX-License-Identifier: MIT
/*
 * vp_sim.c - simulated guests and the in-process /dev/vprime stand-in.
 * Single-threaded by design: tests drive guests and engine in turn.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vp_parse.h"
#include "vp_sim.h"

#define SIM_MAX_GUESTS 256
#define SIM_SYNC_BUDGET 256

struct vp_sim_host {
	struct vp_sim_guest *guest[SIM_MAX_GUESTS];
	u64 (*now)(void *);
	void *now_arg;
	bool shared;			/* areas in memfds */
};

struct vp_sim_port {
	struct vp_eport ep;
	struct vp_sim_guest *g;		/* NULL once the device is gone */
	u64 *stats;			/* g->stats, or gone_stats */
	u64 gone_stats[VPRIME_STAT_MAX];
	bool used;
};

struct vp_sim_file {
	struct vp_sim_host *h;
	void *area;
	size_t area_size;
	int area_fd;			/* memfd behind area, or -1 */
	bool state_changed;		/* a port went GONE since the last SYNC */
	struct vp_engine e;
	struct vp_sim_port port[VPRIME_PORTS_MAX];
};

static u64 vp_sim_monotonic(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

/* ---- guests ---------------------------------------------------------- */

static void vp_sim_guest_rebase(struct vp_sim_guest *g, u32 base);

struct vp_sim_guest *vp_sim_guest_new(const struct vp_sim_guest_cfg *cfg)
{
	u32 pages = cfg->pool_pages ? cfg->pool_pages : VPRIME_POOL_PAGES_DEFAULT;
	u32 mtu = cfg->mtu ? cfg->mtu : 1500;
	u32 slots = pages * VPRIME_SLOTS_PER_PAGE, i;
	struct vp_conn_params *cp = NULL;
	struct vp_sim_guest *g;
	const char *why;
	u8 *m;

	if (pages < VPRIME_POOL_PAGES_MIN || pages > VPRIME_POOL_PAGES_MAX)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->cfg = *cfg;
	if (cfg->name)
		snprintf(g->name, sizeof(g->name), "%s", cfg->name);
	g->mem = aligned_alloc(VPRIME_PAGE_SIZE,
			       (size_t)(1 + VPRIME_NR_RINGS + 2 * pages) *
				       VPRIME_PAGE_SIZE);
	g->tx_pages = calloc(pages, sizeof(void *));
	g->rx_pages = calloc(pages, sizeof(void *));
	g->fmem.tx_free = calloc(slots, sizeof(u32));
	g->fmem.rx_free = calloc(slots, sizeof(u32));
	g->fmem.tx_owner = calloc(slots, 1);
	g->fmem.rx_owner = calloc(slots, 1);
	cp = malloc(sizeof(*cp));
	if (!g->mem || !g->tx_pages || !g->rx_pages || !g->fmem.tx_free ||
	    !g->fmem.rx_free || !g->fmem.tx_owner || !g->fmem.rx_owner || !cp)
		goto err;
	/* A real frontend zeroes what it shares (XSA-403). */
	memset(g->mem, 0, (size_t)(1 + VPRIME_NR_RINGS + 2 * pages) *
				  VPRIME_PAGE_SIZE);
	m = g->mem;
	g->ctrl = (struct vprime_ctrl *)m;
	for (i = 0; i < VPRIME_NR_RINGS; i++)
		g->ring[i] = (struct vprime_desc *)(m + (1 + i) * VPRIME_PAGE_SIZE);
	for (i = 0; i < pages; i++) {
		g->tx_pages[i] = m + (1 + VPRIME_NR_RINGS + i) * VPRIME_PAGE_SIZE;
		g->rx_pages[i] = m + (1 + VPRIME_NR_RINGS + pages + i) *
					     VPRIME_PAGE_SIZE;
	}
	vp_front_ctrl_init(g->ctrl, pages, pages);
	vp_front_init(&g->front, g->ctrl, g->ring, g->tx_pages, pages,
		      g->rx_pages, pages, mtu + 18, &g->fmem);
	/* What vprime-back does at connect: read the control page once. */
	if (vp_ctrl_read(g->ctrl, pages, pages, VPRIME_POOL_PAGES_MAX, cp,
			 &why))
		goto err;
	vp_guest_init(&g->dom0, g->ctrl, g->ring, g->tx_pages, pages,
		      g->rx_pages, pages, mtu + 18, g->stats);
	g->front.cons_events = !cfg->no_cons_event;
	g->dom0.cons_events = !cfg->no_cons_event;
	g->dom0.csum_blank_ok = !cfg->no_csum_offload;
	if (cfg->index_base)
		vp_sim_guest_rebase(g, cfg->index_base);
	vp_front_fill(&g->front);
	g->connected = true;
	free(cp);
	return g;
err:
	free(cp);
	vp_sim_guest_free(g);
	return NULL;
}

/* Start every index of both sides at @base, as if 2^32 - @base frames ran. */
static void vp_sim_guest_rebase(struct vp_sim_guest *g, u32 base)
{
	struct vp_front *f = &g->front;
	struct vp_guest *d = &g->dom0;
	u32 i;

	f->tx_prod = f->tx_pub = f->txc_cons = f->fill_prod = f->rx_cons = base;
	f->txc_told = f->rx_told = base;
	d->tx_cons = d->txc_prod = d->fill_cons = d->rx_prod = base;
	for (i = 0; i < VPRIME_NR_RINGS; i++) {
		g->ctrl->ring[i].prod = base;
		g->ctrl->ring[i].cons = base;
		g->ctrl->ring[i].event = base;
	}
}

void vp_sim_guest_free(struct vp_sim_guest *g)
{
	if (!g)
		return;
	free(g->mem);
	free(g->tx_pages);
	free(g->rx_pages);
	free(g->fmem.tx_free);
	free(g->fmem.rx_free);
	free(g->fmem.tx_owner);
	free(g->fmem.rx_owner);
	free(g);
}

/* What the guest's NAPI poll does between frames: reap and refill. */
void vp_sim_guest_service(struct vp_sim_guest *g)
{
	vp_front_txc_reap(&g->front);
	if (vp_front_fill(&g->front))
		g->events_to_dom0++;
	if (vp_front_cons_notify(&g->front))
		g->events_to_dom0++;
}

int vp_sim_guest_send(struct vp_sim_guest *g, const void *frame, u32 len)
{
	int err;

	vp_front_txc_reap(&g->front);
	err = vp_front_tx_frame(&g->front, frame, len, 0);
	if (err)
		return err;
	if (vp_front_tx_push(&g->front))
		g->events_to_dom0++;
	return 0;
}

/* Returns the frame length, 0 if none is ready, or -errno. */
int vp_sim_guest_recv(struct vp_sim_guest *g, void *buf, u32 cap)
{
	struct vp_frame fr;
	int r;
	u32 n;

	for (;;) {
		r = vp_front_rx_next(&g->front, &fr);
		if (r <= 0)
			return r;
		n = fr.bad ? 0 : vp_front_rx_copy(&g->front, &fr, buf, cap);
		vp_front_rx_release(&g->front, &fr);
		vp_front_rx_commit(&g->front);
		vp_sim_guest_service(g);
		if (!fr.bad)
			return (int)n;
	}
}

/* ---- the backend stand-in -------------------------------------------- */

struct vp_sim_host *vp_sim_host_new(void)
{
	struct vp_sim_host *h = calloc(1, sizeof(*h));

	if (h)
		h->now = vp_sim_monotonic;
	return h;
}

void vp_sim_host_free(struct vp_sim_host *h)
{
	free(h);
}

u64 vp_sim_now(struct vp_sim_file *f)
{
	return f->h->now(f->h->now_arg);
}

void vp_sim_host_set_clock(struct vp_sim_host *h, u64 (*now)(void *),
			   void *arg)
{
	h->now = now ? now : vp_sim_monotonic;
	h->now_arg = arg;
}

int vp_sim_host_set_shared(struct vp_sim_host *h, bool shared)
{
	int fd;

	if (shared) {
		/* Fail here, not at the engine's SETUP. */
		fd = memfd_create("vprime-probe", MFD_CLOEXEC);
		if (fd < 0)
			return -errno;
		close(fd);
	}
	h->shared = shared;
	return 0;
}

int vp_sim_host_add(struct vp_sim_host *h, struct vp_sim_guest *g)
{
	u32 i;

	for (i = 0; i < SIM_MAX_GUESTS; i++) {
		if (!h->guest[i]) {
			h->guest[i] = g;
			return 0;
		}
	}
	return -ENOSPC;
}

/* The device vanishes (guest destroyed): ports holding it go GONE. */
void vp_sim_host_remove(struct vp_sim_host *h, struct vp_sim_guest *g)
{
	u32 i;

	for (i = 0; i < SIM_MAX_GUESTS; i++)
		if (h->guest[i] == g)
			h->guest[i] = NULL;
	if (g->port_owner) {
		struct vp_sim_file *f = g->port_owner;

		for (i = 0; i < VPRIME_PORTS_MAX; i++) {
			struct vp_sim_port *p = &f->port[i];

			if (p->used && p->g == g) {
				memcpy(p->gone_stats, g->stats,
				       sizeof(p->gone_stats));
				p->g = NULL;
				p->stats = p->gone_stats;
				WRITE_ONCE(p->ep.info->state, VPRIME_PORT_GONE);
				f->state_changed = true;
			}
		}
	}
	g->port_owner = NULL;
}

struct vp_sim_file *vp_sim_open(struct vp_sim_host *h)
{
	struct vp_sim_file *f = calloc(1, sizeof(*f));

	if (f) {
		f->h = h;
		f->area_fd = -1;
	}
	return f;
}

static void vp_sim_carrier(struct vp_sim_guest *g, bool on)
{
	u32 fl = READ_ONCE(g->ctrl->be_flags);

	WRITE_ONCE(g->ctrl->be_flags, on ? fl | VPRIME_BE_F_CARRIER :
					   fl & ~VPRIME_BE_F_CARRIER);
	g->events_to_guest++;
}

static void vp_sim_port_release(struct vp_sim_file *f, u32 i)
{
	struct vp_sim_port *p = &f->port[i];

	struct vp_sync_res res;

	if (!p->used)
		return;
	if (p->g) {
		vp_sim_carrier(p->g, false);
		p->g->port_owner = NULL;
	}
	/*
	 * As vprime-back: the engine's queued TX frames complete as drops,
	 * and the frames it left on its RX ring are counted lost.
	 */
	vp_sync_to_guest(NULL, &f->e, &p->ep, f->e.hdr.ring_size, 0, p->stats,
			 &res);
	vp_engine_lost(&f->e, &p->ep, p->stats);
	memset(p->ep.info, 0, sizeof(*p->ep.info));
	memset(p, 0, sizeof(*p));
}

void vp_sim_close(struct vp_sim_file *f)
{
	u32 i;

	if (!f)
		return;
	if (f->area)
		for (i = 0; i < f->e.hdr.max_ports; i++)
			vp_sim_port_release(f, i);
	if (f->area_fd >= 0) {
		munmap(f->area, f->area_size);
		close(f->area_fd);
	} else {
		free(f->area);
	}
	free(f);
}

void *vp_sim_area(struct vp_sim_file *f, size_t *size)
{
	*size = f->area_size;
	return f->area;
}

int vp_sim_area_fd(struct vp_sim_file *f)
{
	return f->area_fd;
}

/*
 * The area in a memfd, sealed at its size: the process that maps it can
 * trust that it never shrinks under it (no SIGBUS).  Zero-filled.
 */
static void *vp_sim_area_shared(struct vp_sim_file *f, size_t size)
{
	void *a;
	int fd;

	fd = memfd_create("vprime-area", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)size) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) {
		close(fd);
		return NULL;
	}
	a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (a == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	f->area_fd = fd;
	return a;
}

static int vp_sim_setup(struct vp_sim_file *f, struct vprime_setup *s)
{
	struct vprime_area_hdr hdr;
	int err;

	if (f->area)
		return -EBUSY;
	err = vp_area_layout(s, &hdr);
	if (err)
		return err;
	if (f->h->shared) {
		f->area = vp_sim_area_shared(f, hdr.area_size);
	} else {
		f->area = aligned_alloc(4096, hdr.area_size);
		if (f->area)
			memset(f->area, 0, hdr.area_size);
	}
	if (!f->area)
		return -ENOMEM;
	memcpy(f->area, &hdr, sizeof(hdr));
	f->area_size = hdr.area_size;
	vp_engine_init(&f->e, f->area, &hdr);
	s->area_size = hdr.area_size;
	return 0;
}

static void vp_sim_devinfo(const struct vp_sim_guest *g,
			   struct vprime_devinfo *d)
{
	memset(d, 0, sizeof(*d));
	d->domid = g->cfg.domid;
	d->devid = g->cfg.devid;
	d->flags = (g->connected ? VPRIME_DEV_F_CONNECTED : 0) |
		   (g->port_owner ? VPRIME_DEV_F_ATTACHED : 0);
	d->mtu = g->dom0.max_frame - 18;
	memcpy(d->mac, g->cfg.mac, 6);
	memcpy(d->name, g->name, VPRIME_NAME_LEN);
}

static int vp_sim_list(struct vp_sim_file *f, struct vprime_list *l)
{
	struct vprime_devinfo *out = (struct vprime_devinfo *)(uintptr_t)l->entries;
	u32 i, n = 0;

	if (l->capacity && !out)
		return -EFAULT;
	for (i = 0; i < SIM_MAX_GUESTS; i++) {
		if (!f->h->guest[i])
			continue;
		if (n < l->capacity)
			vp_sim_devinfo(f->h->guest[i], &out[n]);
		n++;
	}
	l->count = n;
	return 0;
}

static struct vp_sim_guest *vp_sim_find(struct vp_sim_host *h,
					const struct vprime_attach *a)
{
	u32 i;

	for (i = 0; i < SIM_MAX_GUESTS; i++) {
		struct vp_sim_guest *g = h->guest[i];

		if (!g)
			continue;
		if (a->by == VPRIME_ATTACH_BY_ID && g->cfg.domid == a->domid &&
		    g->cfg.devid == a->devid)
			return g;
		if (a->by == VPRIME_ATTACH_BY_MAC &&
		    !memcmp(g->cfg.mac, a->mac, 6))
			return g;
		if (a->by == VPRIME_ATTACH_BY_NAME && g->name[0] &&
		    !strncmp(g->name, a->name, VPRIME_NAME_LEN))
			return g;
	}
	return NULL;
}

static int vp_sim_attach(struct vp_sim_file *f, struct vprime_attach *a)
{
	struct vp_sim_guest *g;
	struct vp_sim_port *p;
	u32 i;

	if (!f->area)
		return -ENXIO;
	if (a->by > VPRIME_ATTACH_BY_MAC)
		return -EINVAL;
	if (a->by == VPRIME_ATTACH_BY_NAME &&
	    memchr(a->name, 0, VPRIME_NAME_LEN) == NULL)
		return -EINVAL;
	/* As vprime-back: a MAC to attach by is unicast and not zero. */
	if (a->by == VPRIME_ATTACH_BY_MAC &&
	    ((a->mac[0] & 1) || !(a->mac[0] | a->mac[1] | a->mac[2] |
				  a->mac[3] | a->mac[4] | a->mac[5])))
		return -EINVAL;
	g = vp_sim_find(f->h, a);
	if (!g)
		return -ENODEV;
	if (g->port_owner)
		return -EBUSY;
	for (i = 0; i < f->e.hdr.max_ports; i++)
		if (!f->port[i].used)
			break;
	if (i == f->e.hdr.max_ports)
		return -ENOSPC;
	p = &f->port[i];
	p->used = true;
	p->g = g;
	p->stats = g->stats;
	vp_eport_init(&p->ep, &f->e, i);
	p->ep.info->domid = g->cfg.domid;
	p->ep.info->devid = g->cfg.devid;
	p->ep.info->mtu = g->dom0.max_frame - 18;
	memcpy(p->ep.info->mac, g->cfg.mac, 6);
	memcpy(p->ep.info->name, g->name, VPRIME_NAME_LEN);
	WRITE_ONCE(p->ep.info->state, g->connected ? VPRIME_PORT_ATTACHED :
						      VPRIME_PORT_DOWN);
	g->port_owner = f;
	vp_sim_carrier(g, true);
	a->port = i;
	return 0;
}

static int vp_sim_detach(struct vp_sim_file *f, const u32 *port)
{
	if (!f->area || *port >= f->e.hdr.max_ports || !f->port[*port].used)
		return -EINVAL;
	vp_sim_port_release(f, *port);
	return 0;
}

static int vp_sim_sync(struct vp_sim_file *f, struct vprime_sync *s)
{
	u32 flags = s->flags ? s->flags : VPRIME_SYNC_RX | VPRIME_SYNC_TX;
	u64 now = f->h->now(f->h->now_arg);
	struct vp_sync_res res;
	u32 i;

	if (!f->area)
		return -ENXIO;
	if (flags & ~(VPRIME_SYNC_RX | VPRIME_SYNC_TX))
		return -EINVAL;
	f->state_changed = false;
	s->rx_frames = s->tx_frames = s->pending = 0;
	for (i = 0; i < f->e.hdr.max_ports; i++) {
		struct vp_sim_port *p = &f->port[i];
		bool more = false;

		if (!p->used)
			continue;
		if ((flags & VPRIME_SYNC_RX) && p->g) {
			vp_sync_from_guest(&p->g->dom0, &f->e, &p->ep,
					   SIM_SYNC_BUDGET, now, &res);
			s->rx_frames += res.frames;
			more |= res.more;
			if (res.notify_guest)
				p->g->events_to_guest++;
		}
		if (flags & VPRIME_SYNC_TX) {
			vp_sync_to_guest(p->g ? &p->g->dom0 : NULL, &f->e,
					 &p->ep, SIM_SYNC_BUDGET, now, p->stats,
					 &res);
			s->tx_frames += res.frames;
			more |= res.more;
			if (res.notify_guest)
				p->g->events_to_guest++;
		}
		s->pending += more;
	}
	return 0;
}

static int vp_sim_stats(struct vp_sim_file *f, struct vprime_stats *st)
{
	if (!f->area || st->port >= f->e.hdr.max_ports ||
	    !f->port[st->port].used)
		return -EINVAL;
	memset(st->val, 0, sizeof(st->val));
	memcpy(st->val, f->port[st->port].stats, sizeof(u64) * VPRIME_STAT_MAX);
	st->count = VPRIME_STAT_MAX;
	return 0;
}

int vp_sim_ioctl(struct vp_sim_file *f, unsigned long cmd, void *arg)
{
	if (!arg)
		return -EFAULT;
	switch (cmd) {
	case VPRIME_IOC_VERSION:
		*(u32 *)arg = VPRIME_ABI_VERSION;
		return 0;
	case VPRIME_IOC_SETUP:
		return vp_sim_setup(f, arg);
	case VPRIME_IOC_LIST:
		return vp_sim_list(f, arg);
	case VPRIME_IOC_ATTACH:
		return vp_sim_attach(f, arg);
	case VPRIME_IOC_DETACH:
		return vp_sim_detach(f, arg);
	case VPRIME_IOC_SYNC:
		return vp_sim_sync(f, arg);
	case VPRIME_IOC_STATS:
		return vp_sim_stats(f, arg);
	default:
		return -ENOTTY;
	}
}

/*
 * poll()'s readiness at @now, as vprime-back computes it: a port's state
 * changed since the last SYNC, completions to reap, or a port where a sync
 * would move something (vp_port_ready).  *@next_wake
 * is lowered to the time a sleeping engine would be woken by its timer.
 */
bool vp_sim_ready(struct vp_sim_file *f, u64 now, u64 *next_wake)
{
	u32 i;

	if (!f->area)
		return false;
	if (f->state_changed)
		return true;
	if (READ_ONCE(f->e.comp_idx->prod) != READ_ONCE(f->e.comp_idx->cons))
		return true;
	for (i = 0; i < f->e.hdr.max_ports; i++) {
		struct vp_sim_port *p = &f->port[i];

		if (p->used && vp_port_ready(p->g ? &p->g->dom0 : NULL, &f->e,
					     &p->ep, now, next_wake))
			return true;
	}
	return false;
}

/* The engine is about to sleep: arm every guest's events, as poll() does. */
void vp_sim_arm(struct vp_sim_file *f)
{
	u32 i;

	for (i = 0; f->area && i < f->e.hdr.max_ports; i++)
		if (f->port[i].used && f->port[i].g)
			vp_guest_arm(&f->port[i].g->dom0);
}

/* The ports' part of poll(), arming each guest first if @arm. */
static bool vp_sim_poll_ports(struct vp_sim_file *f, u64 now, u64 *next_wake,
			      bool arm)
{
	u32 i;

	for (i = 0; i < f->e.hdr.max_ports; i++) {
		struct vp_sim_port *p = &f->port[i];

		if (p->used && vp_port_poll(p->g ? &p->g->dom0 : NULL, &f->e,
					    &p->ep, now, next_wake, arm))
			return true;
	}
	return false;
}

bool vp_sim_poll(struct vp_sim_file *f, u64 now, u64 *next_wake,
		 bool will_sleep)
{
	if (!f->area)
		return false;
	if (f->state_changed ||
	    READ_ONCE(f->e.comp_idx->prod) != READ_ONCE(f->e.comp_idx->cons))
		return true;
	if (vp_sim_poll_ports(f, now, next_wake, false))
		return true;
	return will_sleep && vp_sim_poll_ports(f, now, next_wake, true);
}

/* Work for the engine (libvprime's wait over the sim). */
bool vp_sim_pending(struct vp_sim_file *f)
{
	u64 next_wake = ~0ull;

	return vp_sim_ready(f, f->h->now(f->h->now_arg), &next_wake);
}
