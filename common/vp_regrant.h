/* SPDX-License-Identifier: MIT */
/*
 * vp_regrant.h - how much a backend may make its guest hold: the
 * frontend's answer, at each backend InitWait, to "grant a new set of
 * shared pages?".  Kernel-independent, so the host tests drive it.
 *
 * Each connection grants a set (control page, 4 ring pages, both pools:
 * 517 pages at the default pool size).  A backend that restarts while
 * still mapping the previous set would, if answered with a new set every
 * time, drain the guest's grant references and memory (issue 16, finding
 * 4).  The rules:
 *
 *   - no new set while the backend still maps pages of an earlier one:
 *     the frontend waits (stays unconnected), so it never holds more than
 *     one set per device;
 *   - a backend that comes back VP_REGRANT_WAITS_MAX times still mapping
 *     them (distinct InitWaits: see below), or that makes the frontend
 *     connect more than
 *     VP_REGRANT_CONNECTS_MAX times in VP_REGRANT_WINDOW_MS, is given up
 *     on: the device stays unconnected until the toolstack resets it
 *     (removes and re-adds it, which probes a new device).
 *
 * A watch event tells the frontend that the backend's state node was
 * written, not what was written: the frontend reads the node when it
 * handles the event, so a frontend slow to handle the Closed and the
 * InitWait of one restart reads InitWait twice.  Counted twice, it would
 * give up at the second restart, sooner than documented.  So a wait is
 * counted once per InitWait the frontend can tell apart: one it read
 * after reading the backend in another state (vp_regrant_backend_seen()).
 * A re-read of the same InitWait grants nothing while pages are held
 * (VP_REGRANT_WAIT_SAME: not counted, not logged); a backend whose
 * restarts are all too fast to be seen gets no new set either.
 */
#ifndef VP_REGRANT_H
#define VP_REGRANT_H

#include "vp_compat.h"

#define VP_REGRANT_WAITS_MAX	3
#define VP_REGRANT_CONNECTS_MAX	16
#define VP_REGRANT_WINDOW_MS	60000u

enum vp_regrant_verdict {
	VP_REGRANT_GRANT = 0,	/* grant a new set and connect */
	VP_REGRANT_WAIT,	/* grant nothing; ask again at the next InitWait */
	VP_REGRANT_WAIT_SAME,	/* as WAIT, for an InitWait already counted */
	VP_REGRANT_GIVE_UP,	/* just gave up: log, count, go Closed */
	VP_REGRANT_GAVE_UP,	/* gave up earlier: do nothing */
};

struct vp_regrant {
	u64 window_start;	/* ms, start of the current connect window */
	u32 connects;		/* sets granted in the current window */
	u32 waits;		/* InitWaits in a row met with pages still mapped */
	bool waiting;		/* last verdict WAIT; backend seen at InitWait since */
	bool gave_up;
};

/* vp_regrant.c APIs: */
void vp_regrant_init(struct vp_regrant *g);
void vp_regrant_backend_seen(struct vp_regrant *g, bool initwait);
enum vp_regrant_verdict vp_regrant_decide(struct vp_regrant *g, u32 held,
					  u64 now_ms);

#endif /* VP_REGRANT_H */
