// SPDX-License-Identifier: MIT
/*
 * topo.c - the topology file: JSON read with jansson, checked strictly
 * (unknown keys, duplicate names, bad units and out-of-range values are
 * errors with the JSON path in the message), into struct vpe_topo.  The
 * unit parsers here also serve the control protocol, so a link changed at
 * run time passes the same checks as one read from the file.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"

#define VPE_DURATION_MAX	(3600ull * 1000000000ull)	/* an hour */
#define VPE_RATE_MAX		(1000ull * 1000000000ull)	/* 1 Tbit/s */
#define VPE_QUEUE_PKTS_MAX	1000000u
#define VPE_QUEUE_PKTS_DEF	1000u
#define VPE_TOPO_BYTES_MAX	(16u << 20)

static int vpe_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int vpe_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---- units ---------------------------------------------------------------- */

/* A finite, non-negative decimal and the unit text after it. */
static int vpe_parse_num(const char *s, double *v, const char **unit)
{
	char *end;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || errno || !isfinite(*v) || *v < 0)
		return -EINVAL;
	/* strtod also takes hex and "inf": only plain decimals here */
	for (const char *c = s; c < end; c++)
		if (!isdigit((unsigned char)*c) && *c != '.' && *c != 'e' &&
		    *c != 'E' && *c != '-' && *c != '+')
			return -EINVAL;
	*unit = end;
	return 0;
}

int vpe_parse_duration(const char *s, u64 *ns)
{
	static const struct { const char *u; double mul; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	const char *unit;
	double v;
	u32 i;

	if (vpe_parse_num(s, &v, &unit))
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(unit, units[i].u))
			continue;
		v *= units[i].mul;
		if (v > (double)VPE_DURATION_MAX)
			return -ERANGE;
		*ns = (u64)llround(v);
		return 0;
	}
	return -EINVAL;
}

int vpe_parse_rate(const char *s, u64 *bps)
{
	static const struct { const char *u; double mul; } units[] = {
		{ "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 },
	};
	const char *unit;
	double v;
	u32 i;

	if (s && !strcmp(s, "unlimited")) {
		*bps = 0;
		return 0;
	}
	if (vpe_parse_num(s, &v, &unit))
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(unit, units[i].u))
			continue;
		v *= units[i].mul;
		if (v > (double)VPE_RATE_MAX || v < 1)
			return -ERANGE;
		*bps = (u64)llround(v);
		return 0;
	}
	return -EINVAL;
}

int vpe_parse_prob(const char *s, double *p)
{
	const char *unit;
	double v;

	if (vpe_parse_num(s, &v, &unit) || *unit)
		return -EINVAL;
	if (v > 1)
		return -ERANGE;
	*p = v;
	return 0;
}

static int vpe_parse_uint(const char *s, u64 max, u64 *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int vpe_parse_mac(const char *s, u8 mac[6])
{
	unsigned m[6];
	int n = 0, i;

	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5], &n) != 6 || n != 17)
		return -EINVAL;
	for (i = 0; i < 17; i++)
		if ((i % 3 == 2) != (s[i] == ':') ||
		    (i % 3 != 2 && !isxdigit((unsigned char)s[i])))
			return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (u8)m[i];
	return 0;
}

/* Set one link parameter from text: the file and the control socket. */
int vpe_link_param_set(struct vpe_link_params *p, const char *key,
		       const char *val, char *err, size_t errlen)
{
	u64 u;
	int r = -EINVAL;

	if (!key || !val)
		return vpe_err(err, errlen, "missing key or value");
	if (!strcmp(key, "bandwidth"))
		r = vpe_parse_rate(val, &p->bandwidth_bps);
	else if (!strcmp(key, "delay"))
		r = vpe_parse_duration(val, &p->delay_ns);
	else if (!strcmp(key, "jitter"))
		r = vpe_parse_duration(val, &p->jitter_ns);
	else if (!strcmp(key, "loss"))
		r = vpe_parse_prob(val, &p->loss);
	else if (!strcmp(key, "ge_p"))
		r = vpe_parse_prob(val, &p->ge.p);
	else if (!strcmp(key, "ge_r"))
		r = vpe_parse_prob(val, &p->ge.r);
	else if (!strcmp(key, "ge_loss_good"))
		r = vpe_parse_prob(val, &p->ge.loss_good);
	else if (!strcmp(key, "ge_loss_bad"))
		r = vpe_parse_prob(val, &p->ge.loss_bad);
	else if (!strcmp(key, "ge")) {
		r = !strcmp(val, "on") || !strcmp(val, "off") ? 0 : -EINVAL;
		if (!r)
			p->ge.on = !strcmp(val, "on");
	} else if (!strcmp(key, "queue_packets")) {
		r = vpe_parse_uint(val, VPE_QUEUE_PKTS_MAX, &u);
		if (!r && u == 0)
			r = -ERANGE;
		if (!r)
			p->queue_packets = (u32)u;
	} else if (!strcmp(key, "queue_bytes")) {
		r = vpe_parse_uint(val, 1ull << 32, &u);
		if (!r)
			p->queue_bytes = u;
	} else {
		return vpe_err(err, errlen,
			       "unknown link parameter '%.40s' (bandwidth delay "
			       "jitter loss ge ge_p ge_r ge_loss_good ge_loss_bad "
			       "queue_packets queue_bytes)", key);
	}
	if (r == -ERANGE)
		return vpe_err(err, errlen, "%s: '%.40s' out of range", key, val);
	if (r)
		return vpe_err(err, errlen, "%s: bad value '%.40s'%s", key, val,
			       !strcmp(key, "bandwidth") ?
				       " (e.g. 100Mbit, 1Gbit, unlimited)" :
			       !strcmp(key, "delay") || !strcmp(key, "jitter") ?
				       " (e.g. 10ms, 250us, 0ns)" : "");
	return 0;
}

/* ---- JSON --------------------------------------------------------------- */

static bool vpe_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= VPE_NAME_LEN)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/* Every key of @o must be one of @keys (NULL-terminated). */
static int vpe_keys_check(json_t *o, const char *const *keys, const char *where,
			  char *err, size_t errlen)
{
	const char *k;
	json_t *v;
	u32 i;

	json_object_foreach(o, k, v) {
		for (i = 0; keys[i]; i++)
			if (!strcmp(k, keys[i]))
				break;
		if (!keys[i])
			return vpe_err(err, errlen, "%s: unknown key '%.40s'",
				       where, k);
	}
	return 0;
}

static int vpe_node_find(const struct vpe_topo *t, const char *name)
{
	u32 i;

	for (i = 0; i < t->nr_nodes; i++)
		if (!strcmp(t->node[i].name, name))
			return (int)i;
	return -1;
}

static int vpe_json_str(json_t *o, const char *key, const char **out,
			const char *where, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return vpe_err(err, errlen, "%s: '%s' must be a string", where,
			       key);
	*out = json_string_value(v);
	return 0;
}

static int vpe_json_uint(json_t *v, u64 max, u64 *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (u64)json_integer_value(v) > max)
		return -EINVAL;
	*out = (u64)json_integer_value(v);
	return 0;
}

static int vpe_guest_parse(json_t *o, struct vpe_topo_node *n,
			   const char *where, char *err, size_t errlen)
{
	json_t *dom = json_object_get(o, "domid"), *dev = json_object_get(o, "devid");
	const char *mac, *name;
	u64 v = 0;
	int ways;

	if (vpe_json_str(o, "mac", &mac, where, err, errlen) ||
	    vpe_json_str(o, "device", &name, where, err, errlen))
		return -EINVAL;
	ways = !!mac + !!name + !!dom;
	if (ways != 1)
		return vpe_err(err, errlen, "%s: a guest needs exactly one of "
			       "'mac', 'device', or 'domid' (+ 'devid')", where);
	if (dev && !dom)
		return vpe_err(err, errlen, "%s: 'devid' needs 'domid'", where);
	if (mac) {
		n->by = VPE_MATCH_MAC;
		if (vpe_parse_mac(mac, n->mac))
			return vpe_err(err, errlen, "%s: bad mac '%.40s' (want "
				       "aa:bb:cc:dd:ee:ff)", where, mac);
	} else if (name) {
		n->by = VPE_MATCH_NAME;
		if (!*name || strlen(name) >= VPRIME_NAME_LEN)
			return vpe_err(err, errlen, "%s: 'device' must be 1..%u "
				       "characters", where, VPRIME_NAME_LEN - 1);
		snprintf(n->dev, sizeof(n->dev), "%s", name);
	} else {
		n->by = VPE_MATCH_ID;
		if (vpe_json_uint(dom, 0x7fef, &v))
			return vpe_err(err, errlen, "%s: 'domid' must be an "
				       "integer 0..32751", where);
		n->domid = (u32)v;
		v = 0;
		if (dev && vpe_json_uint(dev, UINT32_MAX, &v))
			return vpe_err(err, errlen, "%s: 'devid' must be a "
				       "non-negative integer", where);
		n->devid = (u32)v;
	}
	return 0;
}

static int vpe_rif_parse(struct vpe_topo_node *n, json_t *o, u32 i,
			 const char *where, char *err, size_t errlen)
{
	static const char *const keys[] = { "link", "ip", "mac", NULL };
	struct vpe_topo_rif *rif = &n->rif[i];
	const char *link, *ip, *mac;
	char w[96];

	snprintf(w, sizeof(w), "%s.interfaces[%u]", where, i);
	if (!json_is_object(o))
		return vpe_err(err, errlen, "%s: must be an object", w);
	if (vpe_keys_check(o, keys, w, err, errlen) ||
	    vpe_json_str(o, "link", &link, w, err, errlen) ||
	    vpe_json_str(o, "ip", &ip, w, err, errlen) ||
	    vpe_json_str(o, "mac", &mac, w, err, errlen))
		return -EINVAL;
	if (!link || !vpe_name_ok(link))
		return vpe_err(err, errlen, "%s: needs 'link', a link name", w);
	snprintf(rif->link, sizeof(rif->link), "%s", link);
	if (!ip || vpe_parse_ipv4(ip, &rif->ip, &rif->plen) || rif->plen < 1 ||
	    rif->plen > 30)
		return vpe_err(err, errlen, "%s: 'ip' must be an address with a "
			       "prefix length 1..30, e.g. \"10.0.1.1/24\"", w);
	if (mac && (vpe_parse_mac(mac, rif->mac) || (rif->mac[0] & 1)))
		return vpe_err(err, errlen, "%s: bad unicast mac '%.40s'", w, mac);
	return 0;
}

static int vpe_route_parse(struct vpe_topo_node *n, json_t *o, u32 i,
			   const char *where, char *err, size_t errlen)
{
	static const char *const keys[] = { "prefix", "via", NULL };
	struct vpe_topo_route *rt = &n->route[i];
	const char *prefix, *via;
	char w[96];

	snprintf(w, sizeof(w), "%s.routes[%u]", where, i);
	if (!json_is_object(o))
		return vpe_err(err, errlen, "%s: must be an object", w);
	if (vpe_keys_check(o, keys, w, err, errlen) ||
	    vpe_json_str(o, "prefix", &prefix, w, err, errlen) ||
	    vpe_json_str(o, "via", &via, w, err, errlen))
		return -EINVAL;
	if (!prefix || vpe_parse_ipv4(prefix, &rt->prefix, &rt->plen))
		return vpe_err(err, errlen, "%s: 'prefix' must be like "
			       "\"10.0.3.0/24\"", w);
	if (rt->plen < 32 && (rt->prefix & (~0u >> rt->plen)))
		return vpe_err(err, errlen, "%s: prefix has host bits set", w);
	if (!via || vpe_parse_ipv4(via, &rt->via, NULL))
		return vpe_err(err, errlen, "%s: 'via' must be an IPv4 address", w);
	return 0;
}

static int vpe_router_parse(struct vpe_topo *t, json_t *o, u32 idx,
			    const char *where, char *err, size_t errlen)
{
	struct vpe_topo_node *n = &t->node[idx];
	json_t *ifs = json_object_get(o, "interfaces");
	json_t *rts = json_object_get(o, "routes"), *v;
	size_t i;
	u32 k;

	if (!json_is_array(ifs) || json_array_size(ifs) == 0 ||
	    json_array_size(ifs) > VPE_RIF_MAX)
		return vpe_err(err, errlen, "%s: a router needs 'interfaces', an "
			       "array of 1..%u", where, VPE_RIF_MAX);
	if (rts && (!json_is_array(rts) || json_array_size(rts) > VPE_ROUTES_MAX))
		return vpe_err(err, errlen, "%s: 'routes' must be an array of at "
			       "most %u", where, VPE_ROUTES_MAX);
	json_array_foreach(ifs, i, v) {
		if (vpe_rif_parse(n, v, (u32)i, where, err, errlen))
			return -EINVAL;
		if (!json_object_get(v, "mac")) {	/* 02:52:<node>:00:<if> */
			u8 auto_mac[6] = { 0x02, 0x52, (u8)(idx >> 8), (u8)idx,
					   0, (u8)i };

			memcpy(n->rif[i].mac, auto_mac, 6);
		}
		for (k = 0; k < i; k++)
			if (!strcmp(n->rif[k].link, n->rif[i].link))
				return vpe_err(err, errlen, "%s: two interfaces "
					       "on link '%s'", where, n->rif[i].link);
		n->nr_rif++;
	}
	json_array_foreach(rts, i, v) {
		if (vpe_route_parse(n, v, (u32)i, where, err, errlen))
			return -EINVAL;
		n->nr_routes++;
	}
	return 0;
}

static int vpe_node_parse(struct vpe_topo *t, json_t *o, u32 i, char *err,
			  size_t errlen)
{
	static const char *const keys[] = { "name", "type", "mac", "device",
					    "domid", "devid", "interfaces",
					    "routes", NULL };
	struct vpe_topo_node *n = &t->node[i];
	const char *name, *type;
	char where[64];

	snprintf(where, sizeof(where), "nodes[%u]", i);
	if (!json_is_object(o))
		return vpe_err(err, errlen, "%s: must be an object", where);
	if (vpe_keys_check(o, keys, where, err, errlen) ||
	    vpe_json_str(o, "name", &name, where, err, errlen) ||
	    vpe_json_str(o, "type", &type, where, err, errlen))
		return -EINVAL;
	if (!name || !vpe_name_ok(name))
		return vpe_err(err, errlen, "%s: 'name' must be 1..%u of "
			       "[A-Za-z0-9_.-]", where, VPE_NAME_LEN - 1);
	if (vpe_node_find(t, name) >= 0)
		return vpe_err(err, errlen, "%s: duplicate node name '%s'",
			       where, name);
	snprintf(n->name, sizeof(n->name), "%s", name);
	if (!type)
		return vpe_err(err, errlen, "%s (%s): missing 'type'", where, name);
	if (!strcmp(type, "switch")) {
		n->type = VPE_NODE_SWITCH;
		if (json_object_size(o) != 2)
			return vpe_err(err, errlen, "%s (%s): a switch takes only "
				       "'name' and 'type'", where, name);
		return 0;
	}
	if (!strcmp(type, "router")) {
		n->type = VPE_NODE_ROUTER;
		if (json_object_get(o, "mac") || json_object_get(o, "device") ||
		    json_object_get(o, "domid") || json_object_get(o, "devid"))
			return vpe_err(err, errlen, "%s (%s): a router takes "
				       "'interfaces' and 'routes'", where, name);
		snprintf(where, sizeof(where), "nodes[%u] (%s)", i, name);
		return vpe_router_parse(t, o, i, where, err, errlen);
	}
	if (strcmp(type, "guest"))
		return vpe_err(err, errlen, "%s (%s): unknown type '%.40s' "
			       "(guest, switch or router)", where, name, type);
	if (json_object_get(o, "interfaces") || json_object_get(o, "routes"))
		return vpe_err(err, errlen, "%s (%s): only a router has "
			       "'interfaces' and 'routes'", where, name);
	n->type = VPE_NODE_GUEST;
	return vpe_guest_parse(o, n, where, err, errlen);
}

/* A JSON scalar as the text vpe_link_param_set() takes. */
static int vpe_json_text(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v) && json_integer_value(v) >= 0)
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v) && json_real_value(v) >= 0)
		snprintf(buf, len, "%.17g", json_real_value(v));
	else
		return -EINVAL;
	return 0;
}

static int vpe_param_json(struct vpe_link_params *p, const char *key,
			  json_t *v, const char *where, char *err, size_t errlen)
{
	char text[64], msg[VPE_ERR_LEN];

	if (vpe_json_text(v, text, sizeof(text)))
		return vpe_err(err, errlen, "%s: '%s' must be a string or a "
			       "non-negative number", where, key);
	if (vpe_link_param_set(p, key, text, msg, sizeof(msg)))
		return vpe_err(err, errlen, "%s: %s", where, msg);
	return 0;
}

static int vpe_sub_parse(struct vpe_link_params *p, json_t *o,
			 const char *const *keys, const char *const *as,
			 const char *where, char *err, size_t errlen)
{
	const char *k;
	json_t *v;
	u32 i;

	if (!json_is_object(o))
		return vpe_err(err, errlen, "%s: must be an object", where);
	if (vpe_keys_check(o, keys, where, err, errlen))
		return -EINVAL;
	json_object_foreach(o, k, v) {
		for (i = 0; strcmp(keys[i], k); i++)
			;
		if (vpe_param_json(p, as[i], v, where, err, errlen))
			return -EINVAL;
	}
	return 0;
}

static int vpe_link_params_parse(struct vpe_link_params *p, json_t *o,
				 const char *where, char *err, size_t errlen)
{
	static const char *const ge_keys[] = { "p", "r", "loss_good",
					       "loss_bad", NULL };
	static const char *const ge_as[] = { "ge_p", "ge_r", "ge_loss_good",
					     "ge_loss_bad" };
	static const char *const q_keys[] = { "packets", "bytes", NULL };
	static const char *const q_as[] = { "queue_packets", "queue_bytes" };
	static const char *const flat[] = { "bandwidth", "delay", "jitter",
					    "loss", NULL };
	char sub[96];
	json_t *v;
	u32 i;

	for (i = 0; flat[i]; i++)
		if ((v = json_object_get(o, flat[i])) &&
		    vpe_param_json(p, flat[i], v, where, err, errlen))
			return -EINVAL;
	if ((v = json_object_get(o, "gilbert_elliott"))) {
		snprintf(sub, sizeof(sub), "%s.gilbert_elliott", where);
		p->ge.on = true;
		p->ge.loss_bad = 1;
		if (vpe_sub_parse(p, v, ge_keys, ge_as, sub, err, errlen))
			return -EINVAL;
		if (!json_object_get(v, "p") || !json_object_get(v, "r"))
			return vpe_err(err, errlen, "%s: needs 'p' and 'r'", sub);
	}
	if ((v = json_object_get(o, "queue"))) {
		snprintf(sub, sizeof(sub), "%s.queue", where);
		if (vpe_sub_parse(p, v, q_keys, q_as, sub, err, errlen))
			return -EINVAL;
	}
	return 0;
}

static int vpe_link_parse(struct vpe_topo *t, json_t *o, u32 i, char *err,
			  size_t errlen)
{
	static const char *const keys[] = { "name", "a", "b", "bandwidth",
		"delay", "jitter", "loss", "gilbert_elliott", "queue", NULL };
	struct vpe_topo_link *l = &t->link[i];
	const char *name, *a, *b;
	char where[64];
	int ia, ib;
	u32 j;

	snprintf(where, sizeof(where), "links[%u]", i);
	if (!json_is_object(o))
		return vpe_err(err, errlen, "%s: must be an object", where);
	if (vpe_keys_check(o, keys, where, err, errlen) ||
	    vpe_json_str(o, "name", &name, where, err, errlen) ||
	    vpe_json_str(o, "a", &a, where, err, errlen) ||
	    vpe_json_str(o, "b", &b, where, err, errlen))
		return -EINVAL;
	if (name && !vpe_name_ok(name))
		return vpe_err(err, errlen, "%s: bad 'name'", where);
	if (name)
		snprintf(l->name, sizeof(l->name), "%s", name);
	else
		snprintf(l->name, sizeof(l->name), "link%u", i);
	snprintf(where, sizeof(where), "links[%u] (%s)", i, l->name);
	for (j = 0; j < i; j++)
		if (!strcmp(t->link[j].name, l->name))
			return vpe_err(err, errlen, "%s: duplicate link name",
				       where);
	if (!a || !b)
		return vpe_err(err, errlen, "%s: needs 'a' and 'b'", where);
	ia = vpe_node_find(t, a);
	ib = vpe_node_find(t, b);
	if (ia < 0 || ib < 0)
		return vpe_err(err, errlen, "%s: no node named '%.32s'", where,
			       ia < 0 ? a : b);
	if (ia == ib)
		return vpe_err(err, errlen, "%s: both ends are '%s'", where, a);
	l->a = (u32)ia;
	l->b = (u32)ib;
	l->prm.queue_packets = VPE_QUEUE_PKTS_DEF;
	return vpe_link_params_parse(&l->prm, o, where, err, errlen);
}

/* A router's interfaces name its links; its gateways are on them. */
static int vpe_router_check(struct vpe_topo *t, u32 i, char *err,
			    size_t errlen)
{
	struct vpe_topo_node *n = &t->node[i];
	u32 j, k, deg = 0;

	for (k = 0; k < n->nr_rif; k++) {
		struct vpe_topo_rif *rif = &n->rif[k];

		for (j = 0; j < t->nr_links; j++)
			if (!strcmp(t->link[j].name, rif->link))
				break;
		if (j == t->nr_links || (t->link[j].a != i && t->link[j].b != i))
			return vpe_err(err, errlen, "router '%s': interface on "
				       "'%s', which is not one of its links",
				       n->name, rif->link);
		rif->link_idx = j;
	}
	for (j = 0; j < t->nr_links; j++)
		deg += (t->link[j].a == i) + (t->link[j].b == i);
	if (deg != n->nr_rif)
		return vpe_err(err, errlen, "router '%s' has %u links and %u "
			       "interfaces (one interface per link)", n->name,
			       deg, n->nr_rif);
	for (k = 0; k < n->nr_routes; k++) {
		const struct vpe_topo_route *rt = &n->route[k];

		for (j = 0; j < n->nr_rif; j++) {
			u32 m = ~0u << (32 - n->rif[j].plen);

			if ((rt->via & m) == (n->rif[j].ip & m) &&
			    rt->via != n->rif[j].ip)
				break;
		}
		if (j == n->nr_rif)
			return vpe_err(err, errlen, "router '%s': routes[%u] "
				       "gateway is on none of its subnets",
				       n->name, k);
	}
	return 0;
}

/* Whole-topology rules: one link per guest, one node per device. */
static int vpe_topo_check(struct vpe_topo *t, char *err, size_t errlen)
{
	u32 i, j, deg;

	for (i = 0; i < t->nr_nodes; i++) {
		const struct vpe_topo_node *n = &t->node[i];

		if (n->type == VPE_NODE_ROUTER &&
		    vpe_router_check(t, i, err, errlen))
			return -EINVAL;
		if (n->type != VPE_NODE_GUEST)
			continue;
		for (deg = 0, j = 0; j < t->nr_links; j++)
			deg += (t->link[j].a == i) + (t->link[j].b == i);
		if (deg != 1)
			return vpe_err(err, errlen, "guest '%s' has %u links "
				       "(a guest has exactly one: connect it to "
				       "a switch)", n->name, deg);
		for (j = 0; j < i; j++) {
			const struct vpe_topo_node *m = &t->node[j];

			if (m->type != VPE_NODE_GUEST || m->by != n->by)
				continue;
			if ((n->by == VPE_MATCH_MAC && !memcmp(n->mac, m->mac, 6)) ||
			    (n->by == VPE_MATCH_NAME && !strcmp(n->dev, m->dev)) ||
			    (n->by == VPE_MATCH_ID && n->domid == m->domid &&
			     n->devid == m->devid))
				return vpe_err(err, errlen, "guests '%s' and '%s' "
					       "name the same device", m->name,
					       n->name);
		}
	}
	return 0;
}

static int vpe_topo_top(struct vpe_topo *t, json_t *root, char *err,
			size_t errlen)
{
	static const char *const keys[] = { "seed", "late_threshold", "nodes",
					    "links", "comment", NULL };
	json_t *nodes, *links, *v;
	size_t i;

	if (!json_is_object(root))
		return vpe_err(err, errlen, "the top level must be an object");
	if (vpe_keys_check(root, keys, "top level", err, errlen))
		return -EINVAL;
	if ((v = json_object_get(root, "seed")) && vpe_json_uint(v, INT64_MAX, &t->seed))
		return vpe_err(err, errlen, "'seed' must be a non-negative integer");
	t->late_ns = 100000;	/* 100 us */
	if ((v = json_object_get(root, "late_threshold")) &&
	    (!json_is_string(v) ||
	     vpe_parse_duration(json_string_value(v), &t->late_ns)))
		return vpe_err(err, errlen, "'late_threshold' must be a duration "
			       "such as \"100us\"");
	nodes = json_object_get(root, "nodes");
	links = json_object_get(root, "links");
	if (!json_is_array(nodes) || json_array_size(nodes) == 0 ||
	    json_array_size(nodes) > VPE_NODES_MAX)
		return vpe_err(err, errlen, "'nodes' must be an array of 1..%u "
			       "nodes", VPE_NODES_MAX);
	if (links && (!json_is_array(links) ||
		      json_array_size(links) > VPE_LINKS_MAX))
		return vpe_err(err, errlen, "'links' must be an array of at "
			       "most %u links", VPE_LINKS_MAX);
	t->node = calloc(json_array_size(nodes), sizeof(*t->node));
	t->link = calloc(links ? json_array_size(links) + 1 : 1, sizeof(*t->link));
	if (!t->node || !t->link)
		return vpe_err(err, errlen, "out of memory");
	json_array_foreach(nodes, i, v) {
		if (vpe_node_parse(t, v, (u32)i, err, errlen))
			return -EINVAL;
		t->nr_nodes++;
	}
	json_array_foreach(links, i, v) {
		if (vpe_link_parse(t, v, (u32)i, err, errlen))
			return -EINVAL;
		t->nr_links++;
	}
	return vpe_topo_check(t, err, errlen);
}

int vpe_topo_parse(const char *text, size_t len, struct vpe_topo **out,
		   char *err, size_t errlen)
{
	struct vpe_topo *t;
	json_error_t je;
	json_t *root;
	int r;

	if (!out || (!text && len))
		return vpe_err(err, errlen, "no topology");
	*out = NULL;
	if (len > VPE_TOPO_BYTES_MAX)
		return vpe_err(err, errlen, "topology larger than %u bytes",
			       VPE_TOPO_BYTES_MAX);
	root = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return vpe_err(err, errlen, "JSON error at line %d column %d: %s",
			       je.line, je.column, je.text);
	t = calloc(1, sizeof(*t));
	if (!t) {
		json_decref(root);
		return vpe_err(err, errlen, "out of memory");
	}
	r = vpe_topo_top(t, root, err, errlen);
	json_decref(root);
	if (r) {
		vpe_topo_free(t);
		return r;
	}
	*out = t;
	return 0;
}

int vpe_topo_load(const char *path, struct vpe_topo **out, char *err,
		  size_t errlen)
{
	char *buf;
	size_t n;
	FILE *f;
	int r;

	if (!path || !out)
		return vpe_err(err, errlen, "no topology file given");
	f = fopen(path, "r");
	if (!f)
		return vpe_err(err, errlen, "%.200s: %s", path, strerror(errno));
	buf = malloc(VPE_TOPO_BYTES_MAX + 1);
	if (!buf) {
		fclose(f);
		return vpe_err(err, errlen, "out of memory");
	}
	n = fread(buf, 1, VPE_TOPO_BYTES_MAX + 1, f);
	r = ferror(f);
	fclose(f);
	if (r)
		r = vpe_err(err, errlen, "%.200s: read error", path);
	else
		r = vpe_topo_parse(buf, n, out, err, errlen);
	free(buf);
	return r;
}

u32 vpe_topo_guests(const struct vpe_topo *t)
{
	u32 i, n = 0;

	for (i = 0; i < t->nr_nodes; i++)
		n += t->node[i].type == VPE_NODE_GUEST;
	return n;
}

/*
 * Ports: one per guest node (each attaches one device), never fewer than
 * the old fixed 64, at most the ABI's limit.  Buffers: 64 per port on top
 * of the old fixed 8192 is where the default grows (a hundred ports keep
 * 8192: 16 MiB of dom0 memory for the pool).
 */
int vpe_opts_for_topo(struct vprime_opts *o, const struct vpe_topo *t,
		      char *err, size_t errlen)
{
	u32 guests = vpe_topo_guests(t);

	if (!o->max_ports) {
		if (guests > VPRIME_PORTS_MAX) {
			snprintf(err, errlen, "%u guest nodes: at most %u devices "
				 "attach to one engine (-p)", guests,
				 VPRIME_PORTS_MAX);
			return -E2BIG;
		}
		o->max_ports = guests > VPE_PORTS_DEFAULT ? guests :
			VPE_PORTS_DEFAULT;
	}
	if (!o->nr_bufs) {
		u64 b = (u64)o->max_ports * VPE_BUFS_PER_PORT;

		o->nr_bufs = b > VPE_BUFS_DEFAULT ? (u32)b : VPE_BUFS_DEFAULT;
	}
	if (o->max_ports < guests)
		snprintf(err, errlen, "-p %u: only %u of the topology's %u guest "
			 "devices can be attached at once", o->max_ports,
			 o->max_ports, guests);
	return 0;
}

void vpe_topo_free(struct vpe_topo *t)
{
	if (!t)
		return;
	free(t->node);
	free(t->link);
	free(t);
}
