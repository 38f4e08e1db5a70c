// SPDX-License-Identifier: MIT
/*
 * watch.c - what `vprimectl watch` does on each scan (cmd_watch.c calls
 * vpw_scan() on xenstore's events and on a timer while domains are
 * pending):
 *
 *   a new domain      find its name and its config; add the devices of
 *                     the config's vprime line that it does not have yet.
 *                     Name or config not found yet: the domain stays
 *                     pending and is tried again on every scan, until
 *                     @retry_ms after it was first seen; then it is given
 *                     up with a log line saying why.  A config with no
 *                     vprime line is not an error: nothing is logged.
 *   a gone domain     remove every backend/vprime/<domid> left behind.
 *
 * Where a config comes from, in order: a running xl process whose command
 * line names a config with the domain's name (the `xl create` building it,
 * or the daemonised xl monitor that lives as long as the domain); a config
 * seen earlier for that name (from such a process: every scan that looks
 * at processes remembers every config they name, so a domain whose
 * `xl create` has exited by the time it is looked at is still found, and
 * an xl reboot reuses it); the files of the config directories.
 *
 * Each domain is dealt with once while it lives: a device removed by
 * `vprimectl remove` stays removed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vp_parse.h"
#include "vpctl.h"

/* A config file that does not parse: ours only if it names the domain. */
struct vpw_bad {
	char where[VPW_WHERE_LEN];
	char err[VPCTL_ERR_LEN];
	char *text;
	bool dirs;			/* from a config directory */
};

struct vpw_dircfg {
	struct vpx_cfg cfg;
	char where[VPW_WHERE_LEN];
};

/* What one scan has looked at (processes, directories), built lazily. */
struct vpw_look {
	struct vpw *w;
	bool procs, dirs;
	uint64_t gen;			/* records refreshed by this sweep */
	struct vpw_bad *bad;
	size_t nbad, capbad;
	struct vpw_dircfg *dc;
	size_t ndc, capdc;
	bool in_dirs;			/* the sweep running is the dirs' */
};

static void vpw_log(struct vpw *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vpw_log(struct vpw *w, const char *fmt, ...)
{
	char line[2 * VPW_WHERE_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (w->log)
		w->log(w->log_ctx, line);
}

void vpw_init(struct vpw *w, struct vpx_store *s)
{
	memset(w, 0, sizeof(*w));
	w->s = s;
	w->proc = "/proc";
	w->retry_ms = VPW_RETRY_MS_DEFAULT;
}

static struct vpw_rec *vpw_rec_get(struct vpw *w, const char *name)
{
	int i;

	for (i = 0; i < VPW_REC_MAX; i++)
		if (w->rec[i].used && !strcmp(w->rec[i].cfg.domname, name))
			return &w->rec[i];
	return NULL;
}

/* Remember @cfg for its name; the least recently seen name makes room. */
static void vpw_rec_put(struct vpw *w, const struct vpx_cfg *cfg,
			const char *where)
{
	struct vpw_rec *r = vpw_rec_get(w, cfg->domname);
	int i;

	if (!r) {
		r = &w->rec[0];
		for (i = 0; i < VPW_REC_MAX && r->used; i++)
			if (!w->rec[i].used || w->rec[i].age < r->age)
				r = &w->rec[i];
	}
	r->used = true;
	r->age = ++w->clock;
	r->cfg = *cfg;
	snprintf(r->where, sizeof(r->where), "%s", where);
}

/* room for one more of @n items in *@v (doubling) */
static bool vpw_grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t nc = *cap ? 2 * *cap : 16;
	void *nv;

	if (n < *cap)
		return true;
	nv = realloc(*v, nc * size);
	if (!nv)
		return false;
	*v = nv;
	*cap = nc;
	return true;
}

static void vpw_bad_add(struct vpw_look *lk, const char *where,
			const char *text, size_t len, const char *err)
{
	struct vpw_bad *nb;

	if (!vpw_grow((void **)&lk->bad, &lk->capbad, lk->nbad, sizeof(*nb)))
		return;
	nb = &lk->bad[lk->nbad];
	nb->text = malloc(len + 1);
	if (!nb->text)
		return;
	memcpy(nb->text, text, len);
	nb->text[len] = '\0';
	snprintf(nb->where, sizeof(nb->where), "%s", where);
	snprintf(nb->err, sizeof(nb->err), "%s", err);
	nb->dirs = lk->in_dirs;
	lk->nbad++;
}

static void vpw_dir_add(struct vpw_look *lk, const struct vpx_cfg *cfg,
			const char *where)
{
	struct vpw_dircfg *nd;

	if (!vpw_grow((void **)&lk->dc, &lk->capdc, lk->ndc, sizeof(*nd)))
		return;
	nd = lk->dc;
	nd[lk->ndc].cfg = *cfg;
	snprintf(nd[lk->ndc].where, sizeof(nd[0].where), "%s", where);
	lk->ndc++;
}

/* One candidate config (vpctl_cfg_fn): remember it or its error. */
static void vpw_offer(void *ctx, const char *where, const char *text,
		      size_t len)
{
	static struct vpx_cfg cfg;
	struct vpw_look *lk = ctx;
	char err[VPCTL_ERR_LEN];

	if (vpx_parse(text, len, &cfg, err, sizeof(err))) {
		vpw_bad_add(lk, where, text, len, err);
		return;
	}
	if (!cfg.has_domname)
		return;
	if (lk->in_dirs) {
		vpw_dir_add(lk, &cfg, where);
	} else {
		vpw_rec_put(lk->w, &cfg, where);
	}
}

static void vpw_look_procs(struct vpw_look *lk)
{
	if (lk->procs)
		return;
	lk->procs = true;
	lk->w->st.sweeps++;
	/* records refreshed now carry an age above this mark */
	lk->gen = lk->w->clock + 1;
	vpctl_sweep_procs(lk->w->proc, vpw_offer, lk);
}

static void vpw_look_dirs(struct vpw_look *lk)
{
	if (lk->dirs)
		return;
	lk->dirs = true;
	lk->in_dirs = true;
	vpctl_sweep_dirs(lk->w->dirs, vpw_offer, lk);
	lk->in_dirs = false;
}

static void vpw_look_free(struct vpw_look *lk)
{
	size_t i;

	for (i = 0; i < lk->nbad; i++)
		free(lk->bad[i].text);
	free(lk->bad);
	free(lk->dc);
}

static const struct vpw_bad *vpw_bad_find(const struct vpw_look *lk,
					  const char *name, bool dirs)
{
	size_t i;

	for (i = 0; i < lk->nbad; i++)
		if (lk->bad[i].dirs == dirs && strstr(lk->bad[i].text, name))
			return &lk->bad[i];
	return NULL;
}

/*
 * The config of the domain named @name: 0 with *cfg and *where, -ENOENT,
 * or -EINVAL (a config naming it does not parse: logged here).
 */
static int vpw_find(struct vpw_look *lk, uint32_t domid, const char *name,
		    const struct vpx_cfg **cfg, const char **where)
{
	const struct vpw_bad *b;
	struct vpw_rec *r;
	size_t i;

	vpw_look_procs(lk);
	r = vpw_rec_get(lk->w, name);
	if (r && r->age >= lk->gen)
		goto rec;
	b = vpw_bad_find(lk, name, false);
	if (b)
		goto bad;
	if (r)
		goto rec;
	vpw_look_dirs(lk);
	for (i = 0; i < lk->ndc; i++) {
		if (!strcmp(lk->dc[i].cfg.domname, name)) {
			*cfg = &lk->dc[i].cfg;
			*where = lk->dc[i].where;
			return 0;
		}
	}
	b = vpw_bad_find(lk, name, true);
	if (b)
		goto bad;
	return -ENOENT;
rec:
	*cfg = &r->cfg;
	*where = r->where;
	return 0;
bad:
	lk->w->st.bad_config++;
	vpw_log(lk->w, "dom%u (%s): %s: %s; no vprime devices added", domid,
		name, b->where, b->err);
	return -EINVAL;
}

static void vpw_add_all(struct vpw *w, uint32_t domid, const char *name,
			const struct vpx_cfg *cfg, const char *where)
{
	uint32_t i;

	for (i = 0; i < cfg->ndev; i++) {
		struct vpx_dev d = cfg->dev[i];
		struct vpx_devstate ds;
		char spec[160];
		int r;

		if (!vpx_dev_state(w->s, domid, d.devid, &ds))
			continue;	/* there already (vprime-xl, a restart) */
		d.has_devid = true;
		r = vpx_dev_add(w->s, domid, &d);
		vpx_format_spec(&d, spec, sizeof(spec));
		if (!r) {
			w->st.added++;
			vpw_log(w, "dom%u (%s): added vprime device %u (%s) from %s",
				domid, name, d.devid, spec, where);
		} else if (r != -EEXIST) {
			w->st.add_errors++;
			vpw_log(w, "dom%u (%s): vprime device %u (%s): %s", domid,
				name, d.devid, spec, strerror(-r));
		}
	}
}

static void vpw_dirs_text(const struct vpw *w, char *out, size_t cap)
{
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (i = 0; w->dirs[i] && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ", " : "",
				      w->dirs[i]);
	if (!i)
		snprintf(out, cap, "none");
}

/* Give up on @domid when its bound has passed; say why. */
static bool vpw_give_up(struct vpw *w, uint32_t domid, const char *name,
			uint64_t now_ms)
{
	char dirs[512];

	if (now_ms - w->since[domid] < w->retry_ms)
		return false;
	w->st.gave_up++;
	if (!name[0]) {
		vpw_log(w, "dom%u: no name in xenstore after %u ms; no vprime "
			"devices added", domid, w->retry_ms);
		return true;
	}
	vpw_dirs_text(w, dirs, sizeof(dirs));
	vpw_log(w, "dom%u (%s): no config with this name found in %u ms "
		"(running xl create and xl monitors, configs seen before, "
		"config dirs: %s); no vprime devices added", domid, name,
		w->retry_ms, dirs);
	return true;
}

/* One try at a new or pending domain: its next state. */
static uint8_t vpw_domain_try(struct vpw *w, struct vpw_look *lk,
			      uint32_t domid, uint64_t now_ms)
{
	char name[VPX_DOMNAME_LEN];
	const struct vpx_cfg *cfg;
	const char *where;
	int r;

	if (vpx_domname(w->s, domid, name, sizeof(name)))
		name[0] = '\0';
	if (!name[0])
		return vpw_give_up(w, domid, name, now_ms) ? VPW_DOM_DONE :
			VPW_DOM_PENDING;
	r = vpw_find(lk, domid, name, &cfg, &where);
	if (r == -EINVAL)
		return VPW_DOM_DONE;
	if (r)
		return vpw_give_up(w, domid, name, now_ms) ? VPW_DOM_DONE :
			VPW_DOM_PENDING;
	vpw_add_all(w, domid, name, cfg, where);
	return VPW_DOM_DONE;
}

static void vpw_domains(struct vpw *w, const bool *alive, uint64_t now_ms)
{
	struct vpw_look lk = { .w = w };
	uint32_t id;

	w->npending = 0;
	for (id = 1; id < VPW_DOMID_MAX; id++) {
		if (alive[id] && w->state[id] == VPW_DOM_NONE) {
			w->since[id] = now_ms;
			w->state[id] = VPW_DOM_PENDING;
		} else if (!alive[id] && w->state[id] != VPW_DOM_NONE &&
			   !w->s->ops->domain_alive(w->s, id)) {
			w->state[id] = VPW_DOM_NONE;	/* gone: its id is free */
			continue;
		}
		if (alive[id] && w->state[id] == VPW_DOM_PENDING) {
			if (w->since[id] != now_ms)
				w->st.retried++;
			w->state[id] = vpw_domain_try(w, &lk, id, now_ms);
			w->npending += w->state[id] == VPW_DOM_PENDING;
		}
	}
	vpw_look_free(&lk);
}

static void vpw_leftovers(struct vpw *w)
{
	static uint32_t ids[VPW_DOMID_MAX];
	uint32_t devs[VPX_DEVS_MAX * 4];
	int nd, j, k, nv;

	nd = vpx_domids(w->s, ids, VPW_DOMID_MAX);
	for (j = 0; j < nd && j < (int)VPW_DOMID_MAX; j++) {
		if (w->s->ops->domain_alive(w->s, ids[j]))
			continue;
		nv = vpx_devids(w->s, ids[j], devs, VPX_DEVS_MAX * 4);
		for (k = 0; k < nv && k < (int)(VPX_DEVS_MAX * 4); k++) {
			int r = vpx_dev_remove(w->s, ids[j], devs[k], true, 0,
					       NULL);

			if (!r) {
				w->st.removed++;
				vpw_log(w, "dom%u is gone: removed vprime device %u",
					ids[j], devs[k]);
			} else if (r != -ENOENT) {
				vpw_log(w, "dom%u is gone: vprime device %u: %s",
					ids[j], devs[k], strerror(-r));
			}
		}
	}
}

void vpw_scan(struct vpw *w, uint64_t now_ms)
{
	static bool alive[VPW_DOMID_MAX];
	char **names = NULL;
	unsigned int n = 0, i;
	uint32_t id;

	w->st.scans++;
	memset(alive, 0, sizeof(alive));
	if (!w->s->ops->list(w->s, 0, "/local/domain", &names, &n)) {
		for (i = 0; i < n; i++)
			if (!vp_parse_u32(names[i], (u32)strlen(names[i]), 1,
					  VPW_DOMID_MAX - 1, &id) &&
			    w->s->ops->domain_alive(w->s, id))
				alive[id] = true;
		free(names);
	}
	vpw_domains(w, alive, now_ms);
	vpw_leftovers(w);
}
