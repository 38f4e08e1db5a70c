// SPDX-License-Identifier: MIT
/*
 * fwd.c - the engine proper.  A frame from a guest enters the guest's link
 * at its dom0 RX timestamp; each link direction computes when it reaches
 * the far node; the scheduler holds it until then; a switch learns source
 * MACs and forwards or floods; at a guest node the frame is submitted to
 * that guest's port (zero-copy: the same buffers dom0 filled).  Only
 * flooding copies, into reserved buffers, once per extra output.
 *
 * One step: sync (guests -> engine, engine -> guests), take every received
 * frame in, run every event now due, sync again if anything was submitted.
 * Every frame the engine lets go of is either delivered or dropped with a
 * reason counted in struct vpe_stats.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "vp_hist.h"

#define VPE_BATCH		256u
#define VPE_STEP_RX_MAX		8192u	/* frames taken in per step */
#define VPE_LIST_MAX		1024u
#define VPE_MAC_PROBES		8u

void vpe_drop(struct vpe_engine *e, struct vprime_frame *f, enum vpe_drop why)
{
	e->st.drops[why]++;
	if (f->nseg)
		vprime_frame_drop(e->vp, f);
}

/* ---- setup ---------------------------------------------------------------- */

static u64 vpe_seed(u64 seed, u32 i)
{
	return seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull * (i + 1);
}

static int vpe_links_init(struct vpe_engine *e)
{
	struct vpe_topo *t = e->topo;
	u32 i;

	e->nr_ldir = 2 * t->nr_links;
	e->ldir = calloc(e->nr_ldir ? e->nr_ldir : 1, sizeof(*e->ldir));
	if (!e->ldir)
		return -ENOMEM;
	for (i = 0; i < t->nr_links; i++) {
		struct vpe_topo_link *l = &t->link[i];

		if (vpe_link_dir_init(&e->ldir[2 * i], i, l->a, l->b, &l->prm,
				      vpe_seed(t->seed, 2 * i)) ||
		    vpe_link_dir_init(&e->ldir[2 * i + 1], i, l->b, l->a, &l->prm,
				      vpe_seed(t->seed, 2 * i + 1)))
			return -ENOMEM;
	}
	return 0;
}

static int vpe_nodes_init(struct vpe_engine *e)
{
	struct vpe_topo *t = e->topo;
	u32 i, d;

	e->node = calloc(t->nr_nodes, sizeof(*e->node));
	if (!e->node)
		return -ENOMEM;
	for (i = 0; i < t->nr_nodes; i++) {
		struct vpe_node *n = &e->node[i];

		n->t = &t->node[i];
		n->port = -1;
		n->out_ldir = VPE_NONE;
		if (n->t->type == VPE_NODE_SWITCH) {
			n->out = calloc(e->nr_ldir ? e->nr_ldir : 1, sizeof(u32));
			n->mac = calloc(VPE_MAC_TABLE, sizeof(*n->mac));
			if (!n->out || !n->mac)
				return -ENOMEM;
		}
		for (d = 0; d < e->nr_ldir; d++) {
			if (e->ldir[d].from != i)
				continue;
			if (n->t->type == VPE_NODE_GUEST)
				n->out_ldir = d;
			else if (n->t->type == VPE_NODE_SWITCH)
				n->out[n->nr_out++] = d;
		}
		if (n->t->type == VPE_NODE_ROUTER && vpe_router_init(e, n))
			return -ENOMEM;
	}
	return 0;
}

int vpe_engine_new(struct vpe_engine **out, struct vprime *vp,
		   struct vpe_topo *topo, u64 (*now)(void *), void *arg,
		   char *err, size_t errlen)
{
	struct vprime_opts o;
	struct vpe_engine *e;
	u32 i;

	*out = NULL;
	if (!vp || !topo || !now || vprime_get_opts(vp, &o)) {
		snprintf(err, errlen, "engine: bad arguments");
		return -EINVAL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		goto err_oom;
	e->vp = vp;
	e->topo = topo;
	e->now = now;
	e->now_arg = arg;
	e->rescan_wanted = true;
	vpe_wake_init(&e->wake, VPE_WAKE_CAP_NS);
	for (i = 0; i < VPRIME_PORTS_MAX; i++)
		e->port_node[i] = -1;
	/* Every frame in flight holds a buffer: one event per buffer. */
	e->list = calloc(VPE_LIST_MAX, sizeof(*e->list));
	if (!e->list || vpe_links_init(e) || vpe_nodes_init(e) ||
	    vpe_sched_init(&e->sched, o.nr_bufs))
		goto err_oom;
	*out = e;
	return 0;
err_oom:
	vpe_engine_free(e);
	snprintf(err, errlen, "engine: out of memory");
	return -ENOMEM;
}

void vpe_engine_free(struct vpe_engine *e)
{
	struct vpe_ev ev;
	u32 i;

	if (!e)
		return;
	while (e->sched.ev && vpe_sched_pop_due(&e->sched, VPE_TIME_NEVER, &ev))
		vprime_frame_drop(e->vp, &ev.f);
	vpe_sched_fini(&e->sched);
	for (i = 0; e->node && i < e->topo->nr_nodes; i++) {
		vpe_capture_close(e->node[i].cap);
		free(e->node[i].out);
		free(e->node[i].mac);
		free(e->node[i].arp);
	}
	for (i = 0; e->ldir && i < e->nr_ldir; i++)
		vpe_link_dir_fini(&e->ldir[i]);
	free(e->ldir);
	free(e->node);
	free(e->list);
	free(e);
}

int vpe_engine_node(const struct vpe_engine *e, const char *name)
{
	u32 i;

	for (i = 0; i < e->topo->nr_nodes; i++)
		if (!strcmp(e->topo->node[i].name, name))
			return (int)i;
	return -1;
}

int vpe_engine_link(const struct vpe_engine *e, const char *name)
{
	u32 i;

	for (i = 0; i < e->topo->nr_links; i++)
		if (!strcmp(e->topo->link[i].name, name))
			return (int)i;
	return -1;
}

/* ---- devices -------------------------------------------------------------- */

static bool vpe_dev_match(const struct vpe_topo_node *t,
			  const struct vprime_devinfo *d)
{
	switch (t->by) {
	case VPE_MATCH_ID:
		return d->domid == t->domid && d->devid == t->devid;
	case VPE_MATCH_NAME:
		return !strncmp(d->name, t->dev, VPRIME_NAME_LEN);
	case VPE_MATCH_MAC:
		return !memcmp(d->mac, t->mac, 6);
	}
	return false;
}

static int vpe_attach(struct vpe_engine *e, struct vpe_node *n)
{
	switch (n->t->by) {
	case VPE_MATCH_ID:
		return vprime_attach_id(e->vp, n->t->domid, n->t->devid);
	case VPE_MATCH_NAME:
		return vprime_attach_name(e->vp, n->t->dev);
	case VPE_MATCH_MAC:
		return vprime_attach_mac(e->vp, n->t->mac);
	}
	return -EINVAL;
}

static void vpe_unbind(struct vpe_engine *e, struct vpe_node *n)
{
	vprime_detach(e->vp, (u32)n->port);
	e->port_node[n->port] = -1;
	n->port = -1;
	e->st.detaches++;
}

/* Detach devices that vanished; attach listed devices not yet bound. */
int vpe_engine_rescan(struct vpe_engine *e)
{
	struct vprime_devinfo *list = e->list;
	int nr, port, st;
	u32 i, j, bound = 0;

	e->rescan_wanted = false;
	for (i = 0; i < e->topo->nr_nodes; i++) {
		struct vpe_node *n = &e->node[i];

		if (n->port < 0)
			continue;
		st = vprime_port_state(e->vp, (u32)n->port);
		if (st == VPRIME_PORT_GONE || st < 0)
			vpe_unbind(e, n);
	}
	nr = vprime_list(e->vp, list, VPE_LIST_MAX);
	if (nr < 0)
		return nr;
	if (nr > (int)VPE_LIST_MAX)
		nr = VPE_LIST_MAX;
	for (i = 0; i < e->topo->nr_nodes; i++) {
		struct vpe_node *n = &e->node[i];

		if (n->t->type != VPE_NODE_GUEST || n->port >= 0)
			continue;
		for (j = 0; j < (u32)nr; j++)
			if (vpe_dev_match(n->t, &list[j]))
				break;
		if (j == (u32)nr || (list[j].flags & VPRIME_DEV_F_ATTACHED))
			continue;
		port = vpe_attach(e, n);
		if (port < 0 || port >= (int)VPRIME_PORTS_MAX) {
			e->st.attach_errors++;
			continue;
		}
		n->port = port;
		e->port_node[port] = (int)i;
		e->st.attaches++;
		bound++;
	}
	return (int)bound;
}

/* Any bound port gone?  Then a rescan detaches it at the next step. */
static void vpe_ports_check(struct vpe_engine *e)
{
	u32 i;

	for (i = 0; i < e->topo->nr_nodes; i++)
		if (e->node[i].port >= 0 &&
		    vprime_port_state(e->vp, (u32)e->node[i].port) ==
			    VPRIME_PORT_GONE)
			e->rescan_wanted = true;
}

/* ---- forwarding ------------------------------------------------------------ */

void vpe_send(struct vpe_engine *e, u32 ld, struct vprime_frame *f, u64 t)
{
	static const enum vpe_drop map[VPE_LDROP_MAX] = {
		[VPE_LDROP_loss_random] = VPE_DROP_loss_random,
		[VPE_LDROP_loss_burst] = VPE_DROP_loss_burst,
		[VPE_LDROP_queue_full] = VPE_DROP_queue_full,
	};
	struct vpe_link_dir *d = &e->ldir[ld];
	struct vpe_ev ev;
	int r;

	r = vpe_link_admit(d, t, f->len, &ev.time);
	if (r) {
		vpe_drop(e, f, map[r - 1]);
		return;
	}
	ev.node = d->to;
	ev.ldir = ld;
	ev.f = *f;
	if (vpe_sched_push(&e->sched, &ev)) {
		vpe_drop(e, f, VPE_DROP_no_event);
		return;
	}
	f->nseg = 0;	/* the event owns the buffers now */
}

static void vpe_ingress(struct vpe_engine *e, struct vprime_frame *f)
{
	int ni = e->port_node[f->port];
	struct vpe_node *n;

	if (ni < 0) {
		vpe_drop(e, f, VPE_DROP_unknown_port);
		return;
	}
	n = &e->node[ni];
	e->st.rx_frames++;
	e->st.rx_bytes += f->len;
	if (n->cap)
		vpe_capture_frame(n->cap, f, f->tstamp + e->wall_offset);
	if (n->out_ldir == VPE_NONE) {
		vpe_drop(e, f, VPE_DROP_no_link);
		return;
	}
	vpe_send(e, n->out_ldir, f, f->tstamp);
}

static void vpe_lateness(struct vpe_engine *e, u64 due, u64 now)
{
	u64 late = now > due ? now - due : 0, lim = 1000;
	u32 b = 0;

	while (b < VPE_LATE_BUCKETS - 1 && late >= lim) {
		b++;
		lim *= 10;
	}
	e->st.late_hist[b]++;
	if (late > e->topo->late_ns)
		e->st.late++;
	if (late > e->st.late_max_ns)
		e->st.late_max_ns = late;
}

static void vpe_deliver(struct vpe_engine *e, struct vpe_node *n,
			struct vpe_ev *ev, u64 now)
{
	int r;

	if (n->port < 0) {
		vpe_drop(e, &ev->f, VPE_DROP_unbound);
		return;
	}
	vpe_lateness(e, ev->time, now);
	if (n->cap)
		vpe_capture_frame(n->cap, &ev->f, ev->time + e->wall_offset);
	r = vprime_tx_submit(e->vp, (u32)n->port, &ev->f, ev->time);
	if (r == -EAGAIN) {	/* ring full: push what is there, once */
		vprime_sync(e->vp, VPRIME_SYNC_TX, NULL);
		r = vprime_tx_submit(e->vp, (u32)n->port, &ev->f, ev->time);
	}
	if (r) {
		vpe_drop(e, &ev->f, r == -EAGAIN ? VPE_DROP_tx_ring_full :
				    r == -EMSGSIZE ? VPE_DROP_too_big :
						     VPE_DROP_port_down);
		return;
	}
	e->st.tx_frames++;
	e->st.tx_bytes += ev->f.len;
	if (ev->f.tstamp)	/* 0: a frame the engine made (ARP) */
		vp_hist_add_n(e->st.residence, now > ev->f.tstamp ?
			      now - ev->f.tstamp : 0, 1);
	e->tx_pending = true;
}

static u32 vpe_mac_hash(const u8 *mac)
{
	u32 h = 2166136261u, i;

	for (i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h;
}

static struct vpe_mac_ent *vpe_mac_find(struct vpe_node *sw, const u8 *mac,
					bool add)
{
	u32 h = vpe_mac_hash(mac), i;
	struct vpe_mac_ent *free_ent = NULL;

	for (i = 0; i < VPE_MAC_PROBES; i++) {
		struct vpe_mac_ent *m = &sw->mac[(h + i) & (VPE_MAC_TABLE - 1)];

		if (m->used && !memcmp(m->mac, mac, 6))
			return m;
		if (!m->used && !free_ent)
			free_ent = m;
	}
	if (!add)
		return NULL;
	/* Full neighbourhood: the first slot is recycled (a cache, not a DB). */
	if (!free_ent)
		free_ent = &sw->mac[h & (VPE_MAC_TABLE - 1)];
	memcpy(free_ent->mac, mac, 6);
	free_ent->used = true;
	return free_ent;
}

/* A copy of @f in fresh buffers, for one more output of a flood. */
static int vpe_frame_copy(struct vpe_engine *e, const struct vprime_frame *f,
			  struct vprime_frame *c)
{
	u32 i, off = 0;
	int r = vprime_tx_reserve(e->vp, f->len, c);

	if (r)
		return r;
	for (i = 0; i < f->nseg; i++) {
		u32 s = off / VPRIME_BUF_SIZE, o = off % VPRIME_BUF_SIZE;
		u32 left = f->seg[i].len, done = 0;

		while (left) {
			u32 n = VPRIME_BUF_SIZE - o < left ? VPRIME_BUF_SIZE - o : left;

			memcpy(c->seg[s].data + o, f->seg[i].data + done, n);
			left -= n;
			done += n;
			off += n;
			s++;
			o = 0;
		}
	}
	c->flags = f->flags;
	c->tstamp = f->tstamp;
	c->port = f->port;
	return 0;
}

static void vpe_switch(struct vpe_engine *e, struct vpe_node *sw,
		       struct vpe_ev *ev)
{
	const u8 *eth = ev->f.seg[0].data;
	u32 back = ev->ldir ^ 1, i, last = VPE_NONE;
	struct vpe_mac_ent *m;
	struct vprime_frame c;

	if (ev->f.seg[0].len >= 12 && !(eth[6] & 1)) {
		m = vpe_mac_find(sw, eth + 6, true);
		m->ldir_out = back;
		m->seen = ev->time;
	}
	if (ev->f.seg[0].len >= 6 && !(eth[0] & 1) &&
	    (m = vpe_mac_find(sw, eth, false))) {
		if (m->ldir_out == back) {
			vpe_drop(e, &ev->f, VPE_DROP_filtered);
			return;
		}
		vpe_send(e, m->ldir_out, &ev->f, ev->time);
		return;
	}
	for (i = 0; i < sw->nr_out; i++) {
		if (sw->out[i] == back)
			continue;
		if (last != VPE_NONE) {
			if (vpe_frame_copy(e, &ev->f, &c)) {
				e->st.drops[VPE_DROP_no_buffer]++;
			} else {
				e->st.flood_copies++;
				vpe_send(e, last, &c, ev->time);
			}
		}
		last = sw->out[i];
	}
	if (last == VPE_NONE)
		vpe_drop(e, &ev->f, VPE_DROP_filtered);
	else
		vpe_send(e, last, &ev->f, ev->time);
}

static void vpe_event(struct vpe_engine *e, struct vpe_ev *ev, u64 now)
{
	struct vpe_node *n = &e->node[ev->node];

	if (n->t->type == VPE_NODE_GUEST)
		vpe_deliver(e, n, ev, now);
	else if (n->t->type == VPE_NODE_SWITCH)
		vpe_switch(e, n, ev);
	else
		vpe_router(e, n, ev);
}

/* One sync; errors counted, and those that mean "no backend" kept. */
static void vpe_sync(struct vpe_engine *e, u32 flags)
{
	int r = vprime_sync(e->vp, flags, NULL);

	if (!r)
		return;
	e->st.sync_errors++;
	if (r == -ECONNRESET || r == -EPIPE || r == -ENOTCONN ||
	    r == -ETIMEDOUT || r == -EPROTO)
		e->backend_lost = r;
}

/*
 * Take what the guests sent, a batch at a time.  A batch that comes back
 * short emptied every port's ring (vprime_rx_peek() goes on to the next
 * port until the batch is full), so no pass over the ports finds nothing.
 */
static void vpe_take(struct vpe_engine *e)
{
	struct vprime_frame fr[VPE_BATCH];
	u32 taken = 0;
	int n, i;

	do {
		n = vprime_rx_peek(e->vp, fr, VPE_BATCH);
		for (i = 0; i < n; i++)
			vpe_ingress(e, &fr[i]);
		taken += n > 0 ? (u32)n : 0;
	} while (n == (int)VPE_BATCH && taken < VPE_STEP_RX_MAX);
	e->rx_left = n == (int)VPE_BATCH;
}

u64 vpe_engine_pass(struct vpe_engine *e, u32 flags, u64 *now)
{
	bool in = (flags & VPE_STEP_SYNC) || e->rescan_wanted;
	struct vpe_ev ev;

	e->st.steps++;
	if (e->rescan_wanted)
		vpe_engine_rescan(e);
	if (in) {
		vpe_sync(e, 0);
		*now = e->now(e->now_arg);
		e->st.clock_reads++;
	}
	/* Without a sync in, nothing new reached the engine's RX rings. */
	if (in || e->rx_left)
		vpe_take(e);
	while (vpe_sched_pop_due(&e->sched, *now, &ev))
		vpe_event(e, &ev, *now);
	if (e->tx_pending) {
		vpe_sync(e, VPRIME_SYNC_TX);
		e->tx_pending = false;
	}
	/* A port that turns GONE makes the backend ready: a sync in follows. */
	if (in)
		vpe_ports_check(e);
	return vpe_sched_next(&e->sched);
}

/* One full pass: sync in, take, run what is due now. */
u64 vpe_engine_step(struct vpe_engine *e)
{
	u64 now = 0;

	return vpe_engine_pass(e, VPE_STEP_SYNC, &now);
}

#define VPE_DROP_NAME(n, d) #n,
static const char *const vpe_drop_names[] = { VPE_DROPS(VPE_DROP_NAME) };

const char *vpe_drop_name(u32 id)
{
	return id < VPE_DROP_MAX ? vpe_drop_names[id] : NULL;
}
