// SPDX-License-Identifier: MIT
/*
 * vp_regrant.c - whether a frontend grants a new set of pages at a backend
 * InitWait (see vp_regrant.h).
 */
#include "vp_regrant.h"

void vp_regrant_init(struct vp_regrant *g)
{
	memset(g, 0, sizeof(*g));
}

/*
 * The frontend read the backend's state (at every watch event, before any
 * verdict): only an InitWait read after some other state is a new one.
 */
void vp_regrant_backend_seen(struct vp_regrant *g, bool initwait)
{
	if (!initwait)
		g->waiting = false;
}

static enum vp_regrant_verdict vp_regrant_give_up(struct vp_regrant *g)
{
	g->gave_up = true;
	return VP_REGRANT_GIVE_UP;
}

/*
 * The backend is at InitWait and the frontend has torn down its last set;
 * @held pages of earlier sets are still mapped by the backend (the caller
 * retried revoking them just now).  @now_ms: a monotonic clock.
 */
enum vp_regrant_verdict vp_regrant_decide(struct vp_regrant *g, u32 held,
					  u64 now_ms)
{
	if (g->gave_up)
		return VP_REGRANT_GAVE_UP;
	if (held) {
		/* The InitWait the last wait was for, read again. */
		if (g->waiting)
			return VP_REGRANT_WAIT_SAME;
		/* A restarted backend maps nothing of ours: this one lies. */
		if (++g->waits >= VP_REGRANT_WAITS_MAX)
			return vp_regrant_give_up(g);
		g->waiting = true;
		return VP_REGRANT_WAIT;
	}
	g->waits = 0;
	g->waiting = false;
	if (!g->connects || now_ms - g->window_start >= VP_REGRANT_WINDOW_MS) {
		g->window_start = now_ms;
		g->connects = 0;
	}
	/* Each set costs the guest a few MB to allocate, zero and grant. */
	if (++g->connects > VP_REGRANT_CONNECTS_MAX)
		return vp_regrant_give_up(g);
	return VP_REGRANT_GRANT;
}
