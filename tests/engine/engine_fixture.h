/* SPDX-License-Identifier: MIT */
/*
 * engine_fixture.h - vprimed's engine over simulated guests on a virtual
 * clock: build from a JSON string, step, send, and collect what guests
 * receive with the (virtual) time they received it.
 */
#ifndef ENGINE_FIXTURE_H
#define ENGINE_FIXTURE_H

#include "engine.h"
#include "vp_harness.h"

struct ef_rx {
	u32 guest;		/* receiver */
	u32 len;
	struct vh_payload pl;	/* seq, src, sent */
	u64 at;			/* virtual time received */
};

struct ef {
	struct vh h;
	struct vprime *vp;
	struct vpe_topo *t;
	struct vpe_engine *e;
	struct ef_rx *rx;
	u32 nr_rx, cap_rx;
	u8 buf[VPRIME_FRAME_MAX];
};

static inline int ef_init_opts(struct ef *f, u32 guests, u32 pages,
			       const char *json, const struct vprime_opts *o,
			       char *err, size_t errlen)
{
	int r;

	memset(f, 0, sizeof(*f));
	vh_init_pages(&f->h, guests, 0, pages);
	if (vprime_open_sim(&f->vp, f->h.host, o))
		abort();
	r = vpe_topo_parse(json, strlen(json), &f->t, err, errlen);
	if (r)
		return r;
	r = vpe_engine_new(&f->e, f->vp, f->t, vh_now, &f->h, err, errlen);
	if (r)
		return r;
	f->cap_rx = 1024;
	f->rx = calloc(f->cap_rx, sizeof(*f->rx));
	if (!f->rx)
		abort();
	return vpe_engine_rescan(f->e) >= 0 ? 0 : -1;
}

static inline int ef_init(struct ef *f, u32 guests, u32 pages,
			  const char *json, char *err, size_t errlen)
{
	struct vprime_opts o = { .max_ports = 256 };

	return ef_init_opts(f, guests, pages, json, &o, err, errlen);
}

static inline void ef_fini(struct ef *f)
{
	vpe_engine_free(f->e);
	vprime_close(f->vp);
	vpe_topo_free(f->t);
	vh_fini(&f->h);
	free(f->rx);
}

/* Guest @g sends a frame of @len to guest @dst (~0u: broadcast). */
static inline int ef_send(struct ef *f, u32 g, u32 dst, u32 seq, u32 len)
{
	vh_frame(f->buf, len, g, dst, seq, f->h.clock);
	return vp_sim_guest_send(f->h.g[g], f->buf, len);
}

/* Drain every guest's receive side into f->rx. */
static inline void ef_collect(struct ef *f)
{
	u32 i;
	int n;

	for (i = 0; i < f->h.n; i++) {
		if (!f->h.g[i])
			continue;
		while ((n = vp_sim_guest_recv(f->h.g[i], f->buf,
					      sizeof(f->buf))) > 0) {
			struct ef_rx *r;

			if (f->nr_rx == f->cap_rx) {
				f->cap_rx *= 2;
				f->rx = realloc(f->rx, f->cap_rx * sizeof(*f->rx));
				if (!f->rx)
					abort();
			}
			r = &f->rx[f->nr_rx++];
			r->guest = i;
			r->len = (u32)n;
			r->at = f->h.clock;
			memset(&r->pl, 0, sizeof(r->pl));
			vh_payload(f->buf, (u32)n, &r->pl);
		}
		vp_sim_guest_service(f->h.g[i]);
	}
}

/* One engine step at the current virtual time, then collect. */
static inline void ef_step(struct ef *f)
{
	vpe_engine_step(f->e);
	ef_collect(f);
}

/* Step every @tick ns until the clock reaches @until. */
static inline void ef_run(struct ef *f, u64 until, u64 tick)
{
	while (f->h.clock < until) {
		ef_step(f);
		f->h.clock += tick;
	}
	ef_step(f);
}

static int ef_cmp_i64(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The @q-th percentile (0..100) of @n values, sorted in place. */
static inline long long ef_pct(long long *v, u32 n, double q)
{
	u32 i;

	qsort(v, n, sizeof(*v), ef_cmp_i64);
	i = (u32)(q / 100.0 * (n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

#endif /* ENGINE_FIXTURE_H */
