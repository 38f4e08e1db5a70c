// SPDX-License-Identifier: MIT
/*
 * router.c - an IPv4 router node.  Each interface sits on one link with an
 * address, a prefix and a MAC.  It answers ARP for its own addresses,
 * learns neighbours from the ARP and IPv4 frames it receives (gleaning),
 * routes by longest prefix over connected subnets and static routes,
 * decrements TTL with an incremental checksum update (RFC 1624), and
 * rewrites the Ethernet header in place: a routed frame is still the
 * buffers dom0 filled, never copied.  A next hop not yet known is asked
 * for with one ARP request and the frame is dropped (counted no_arp), as
 * a host stack would retransmit.  No ICMP, no fragmentation, no IPv6:
 * every such frame is dropped with its reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ARP_LEN		28
#define ARP_PROBES	8u

static u32 rd16(const u8 *p)
{
	return (u32)p[0] << 8 | p[1];
}

static u32 rd32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void wr16(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static void wr32(u8 *p, u32 v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v);
}

static u32 vpe_mask(u32 plen)
{
	return plen ? ~0u << (32 - plen) : 0;
}

/* "a.b.c.d" (@plen NULL) or "a.b.c.d/n" into host byte order. */
int vpe_parse_ipv4(const char *s, u32 *ip, u32 *plen)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = s ? strchr(s, '/') : NULL;
	struct in_addr a;
	size_t n;
	char *end;
	long v;

	if (!s || (plen && !slash) || (!plen && slash))
		return -EINVAL;
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	*ip = ntohl(a.s_addr);
	if (!plen)
		return 0;
	if (slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	v = strtol(slash + 1, &end, 10);
	if (*end || v < 0 || v > 32)
		return -EINVAL;
	*plen = (u32)v;
	return 0;
}

int vpe_router_init(struct vpe_engine *e, struct vpe_node *n)
{
	u32 self = (u32)(n - e->node), i, d;

	n->arp = calloc(VPE_ARP_TABLE, sizeof(*n->arp));
	if (!n->arp)
		return -ENOMEM;
	for (i = 0; i < n->t->nr_rif; i++) {
		n->rif_ldir[i] = VPE_NONE;
		for (d = 0; d < e->nr_ldir; d++)
			if (e->ldir[d].link == n->t->rif[i].link_idx &&
			    e->ldir[d].from == self)
				n->rif_ldir[i] = d;
	}
	return 0;
}

/* ---- neighbours ------------------------------------------------------------- */

static struct vpe_arp_ent *vpe_arp_slot(struct vpe_node *r, u32 ip, bool add)
{
	u32 h = ip * 2654435761u, i;
	struct vpe_arp_ent *free_ent = NULL;

	for (i = 0; i < ARP_PROBES; i++) {
		struct vpe_arp_ent *a = &r->arp[(h + i) & (VPE_ARP_TABLE - 1)];

		if (a->used && a->ip == ip)
			return a;
		if (!a->used && !free_ent)
			free_ent = a;
	}
	if (!add)
		return NULL;
	if (!free_ent)	/* a cache: recycle the first slot */
		free_ent = &r->arp[h & (VPE_ARP_TABLE - 1)];
	free_ent->ip = ip;
	free_ent->used = true;
	return free_ent;
}

static bool vpe_on_link(const struct vpe_topo_rif *rif, u32 ip)
{
	u32 m = vpe_mask(rif->plen);

	return (ip & m) == (rif->ip & m) && ip != rif->ip;
}

/* Learn @ip at @mac if it is a neighbour on interface @i. */
static void vpe_arp_learn(struct vpe_node *r, u32 i, u32 ip, const u8 *mac)
{
	if (ip && !(mac[0] & 1) && vpe_on_link(&r->t->rif[i], ip))
		memcpy(vpe_arp_slot(r, ip, true)->mac, mac, 6);
}

/* Which interface a frame came in on: the one on the link it came over. */
static int vpe_rif_in(const struct vpe_engine *e, const struct vpe_node *r,
		      u32 ldir)
{
	u32 i;

	for (i = 0; i < r->t->nr_rif; i++)
		if (r->t->rif[i].link_idx == e->ldir[ldir].link)
			return (int)i;
	return -1;
}

static void vpe_arp_request(struct vpe_engine *e, struct vpe_node *r, u32 i,
			    u32 ip, u64 t)
{
	const struct vpe_topo_rif *rif = &r->t->rif[i];
	struct vprime_frame f;
	u8 *p;

	if (vprime_tx_reserve(e->vp, 60, &f)) {
		e->st.drops[VPE_DROP_no_buffer]++;
		return;
	}
	p = f.seg[0].data;
	memset(p, 0, 60);
	memset(p, 0xff, 6);
	memcpy(p + 6, rif->mac, 6);
	wr16(p + 12, ETH_P_ARP);
	wr16(p + 14, 1);		/* Ethernet */
	wr16(p + 16, ETH_P_IP);
	p[18] = 6;
	p[19] = 4;
	wr16(p + 20, 1);		/* request */
	memcpy(p + 22, rif->mac, 6);
	wr32(p + 28, rif->ip);
	wr32(p + 38, ip);
	e->st.arp_requests++;
	vpe_send(e, r->rif_ldir[i], &f, t);
}

/* ---- ARP ------------------------------------------------------------------------ */

static void vpe_router_arp(struct vpe_engine *e, struct vpe_node *r, u32 i,
			   struct vpe_ev *ev)
{
	const struct vpe_topo_rif *rif = &r->t->rif[i];
	u8 *p = ev->f.seg[0].data, sha[6];
	u32 spa, tpa;

	if (ev->f.seg[0].len < ETH_HLEN + ARP_LEN || rd16(p + 14) != 1 ||
	    rd16(p + 16) != ETH_P_IP || p[18] != 6 || p[19] != 4) {
		vpe_drop(e, &ev->f, VPE_DROP_bad_header);
		return;
	}
	memcpy(sha, p + 22, 6);
	spa = rd32(p + 28);
	tpa = rd32(p + 38);
	vpe_arp_learn(r, i, spa, sha);
	if (rd16(p + 20) != 1 || tpa != rif->ip) {
		vpe_drop(e, &ev->f, VPE_DROP_router_local);
		return;
	}
	/* The reply is the request turned round, in the same buffer. */
	memcpy(p, sha, 6);
	memcpy(p + 6, rif->mac, 6);
	wr16(p + 20, 2);
	memcpy(p + 32, sha, 6);
	wr32(p + 38, spa);
	memcpy(p + 22, rif->mac, 6);
	wr32(p + 28, rif->ip);
	e->st.arp_replies++;
	vpe_send(e, r->rif_ldir[i], &ev->f, ev->time);
}

/* ---- IPv4 ------------------------------------------------------------------------ */

/* Longest prefix over connected subnets and static routes. */
static int vpe_route(const struct vpe_topo_node *t, u32 dst, u32 *nh)
{
	int best = -1, out = -1;
	u32 i, j;

	for (i = 0; i < t->nr_rif; i++) {
		u32 m = vpe_mask(t->rif[i].plen);

		if ((dst & m) == (t->rif[i].ip & m) && (int)t->rif[i].plen > best) {
			best = (int)t->rif[i].plen;
			out = (int)i;
			*nh = dst;
		}
	}
	for (i = 0; i < t->nr_routes; i++) {
		const struct vpe_topo_route *rt = &t->route[i];

		if ((dst & vpe_mask(rt->plen)) != rt->prefix ||
		    (int)rt->plen <= best)
			continue;
		for (j = 0; j < t->nr_rif; j++) {
			if (vpe_on_link(&t->rif[j], rt->via)) {
				best = (int)rt->plen;
				out = (int)j;
				*nh = rt->via;
				break;
			}
		}
	}
	return out;
}

static bool vpe_is_mine(const struct vpe_topo_node *t, u32 ip)
{
	u32 i;

	for (i = 0; i < t->nr_rif; i++)
		if (t->rif[i].ip == ip)
			return true;
	return false;
}

/* TTL - 1 and the header checksum patched to match (RFC 1624, eqn. 3). */
static void vpe_ttl_dec(u8 *ip)
{
	u32 old = rd16(ip + 8), new_w, sum;

	ip[8]--;
	new_w = rd16(ip + 8);
	sum = (~rd16(ip + 10) & 0xffff) + (~old & 0xffff) + new_w;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	wr16(ip + 10, ~sum & 0xffff);
}

static void vpe_router_ipv4(struct vpe_engine *e, struct vpe_node *r, u32 i,
			    struct vpe_ev *ev)
{
	u8 *p = ev->f.seg[0].data, *ip = p + ETH_HLEN;
	u32 ihl, src, dst, nh = 0;
	struct vpe_arp_ent *a;
	int out;

	ihl = ev->f.seg[0].len >= ETH_HLEN + 20 ? (ip[0] & 15u) * 4 : 0;
	if (!ihl || ip[0] >> 4 != 4 || ihl < 20 ||
	    ETH_HLEN + ihl > ev->f.seg[0].len) {
		vpe_drop(e, &ev->f, VPE_DROP_bad_header);
		return;
	}
	src = rd32(ip + 12);
	dst = rd32(ip + 16);
	vpe_arp_learn(r, i, src, p + 6);
	if (p[0] & 1 || vpe_is_mine(r->t, dst)) {
		vpe_drop(e, &ev->f, VPE_DROP_router_local);
		return;
	}
	if (ip[8] <= 1) {
		vpe_drop(e, &ev->f, VPE_DROP_ttl_expired);
		return;
	}
	out = vpe_route(r->t, dst, &nh);
	if (out < 0) {
		vpe_drop(e, &ev->f, VPE_DROP_no_route);
		return;
	}
	a = vpe_arp_slot(r, nh, false);
	if (!a) {
		vpe_drop(e, &ev->f, VPE_DROP_no_arp);
		vpe_arp_request(e, r, (u32)out, nh, ev->time);
		return;
	}
	memcpy(p, a->mac, 6);
	memcpy(p + 6, r->t->rif[out].mac, 6);
	vpe_ttl_dec(ip);
	e->st.routed++;
	vpe_send(e, r->rif_ldir[out], &ev->f, ev->time);
}

void vpe_router(struct vpe_engine *e, struct vpe_node *r, struct vpe_ev *ev)
{
	const u8 *p = ev->f.seg[0].data;
	int i = vpe_rif_in(e, r, ev->ldir);

	if (i < 0 || ev->f.seg[0].len < ETH_HLEN) {
		vpe_drop(e, &ev->f, VPE_DROP_bad_header);
		return;
	}
	/* Only frames sent to this interface, or broadcast ARP. */
	if (!(p[0] & 1) && memcmp(p, r->t->rif[i].mac, 6)) {
		vpe_drop(e, &ev->f, VPE_DROP_filtered);
		return;
	}
	switch (rd16(p + 12)) {
	case ETH_P_ARP:
		vpe_router_arp(e, r, (u32)i, ev);
		break;
	case ETH_P_IP:
		vpe_router_ipv4(e, r, (u32)i, ev);
		break;
	default:
		vpe_drop(e, &ev->f, VPE_DROP_not_ipv4);
	}
}
