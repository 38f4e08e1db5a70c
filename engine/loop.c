// SPDX-License-Identifier: MIT
/*
 * loop.c - vprimed's poll loop, one turn at a time: a pass of the engine
 * when there is something to do, then the next sleep (wake.c) in the
 * caller's wait.  The clock and the wait come from the caller (ppoll()
 * and CLOCK_MONOTONIC in main.c, a virtual clock and simulated guests in
 * the tests), so what an idle second or a frame costs in waits, syncs and
 * clock reads is tested on a fake clock.
 *
 * What each wake-up costs, and why no more:
 *   - the backend or a control client spoke: one pass with a sync in;
 *   - a frame's due time came: one pass over what is due, with no sync in
 *     (the backend said nothing: its guests sent nothing) and one sync
 *     out if it delivered anything;
 *   - a timed sleep ended before the due time (the early wake-up): no
 *     pass at all, only the spin's zero-timeout waits;
 *   - the clock is read after a wait only when the wait timed out or
 *     spun (a wake-up by the backend is followed by the pass's own read),
 *     and after a pass only when a frame is due (nothing to plan else).
 */
#include <string.h>

#include "engine.h"

#define VPE_RESCAN_NS	1000000000ull	/* look for new devices every second */

static u64 vpe_loop_clock(struct vpe_loop *l)
{
	l->e->st.clock_reads++;
	return l->ops.now(l->ops.arg);
}

void vpe_loop_init(struct vpe_loop *l, struct vpe_engine *e,
		   const struct vpe_loop_ops *ops)
{
	memset(l, 0, sizeof(*l));
	l->e = e;
	l->ops = *ops;
	l->next = VPE_TIME_NEVER;
	l->pass = true;
	l->pass_flags = VPE_STEP_SYNC;
	l->now = vpe_loop_clock(l);
	l->last_rescan = l->now;
}

/*
 * Sleep as the wake-up plan says, never past the next rescan (which wants
 * no early wake-up), then decide the next turn's pass.  Only a sleep
 * planned for a frame is a lateness sample: a sleep cut short by the
 * rescan, or one with nothing scheduled, ends when the kernel's slack
 * for a long timeout allows (0.1 % of it: 1 ms for the 1 s rescan sleep),
 * which says nothing of a frame's wake-up and would widen the spin.
 */
static void vpe_loop_wait(struct vpe_loop *l)
{
	struct vpe_engine *e = l->e;
	u64 rescan_at = l->last_rescan + VPE_RESCAN_NS;
	/* A pass that ran past the rescan time leaves no time to sleep. */
	u64 left = rescan_at > l->now ? rescan_at - l->now : 0;
	u64 ns = vpe_wake_plan(&e->wake, l->now, l->next), woke;
	bool for_frame = ns <= left;
	int r;

	if (!for_frame)
		ns = left;
	r = l->ops.wait(l->ops.arg, ns);
	e->st.polls++;
	if (r > 0) {
		if (r & VPE_WAIT_DEV)
			e->st.polls_dev++;
		if (ns)
			vpe_wake_note(&e->wake, l->now + ns, l->now + ns, false);
		l->pass = true;
		l->pass_flags = VPE_STEP_SYNC;
		return;
	}
	woke = vpe_loop_clock(l);
	if (ns)
		vpe_wake_note(&e->wake, l->now + ns, woke, for_frame);
	l->now = woke;
	l->pass = woke >= l->next || woke >= rescan_at;
	l->pass_flags = 0;
}

void vpe_loop_turn(struct vpe_loop *l)
{
	struct vpe_engine *e = l->e;

	if (l->now - l->last_rescan >= VPE_RESCAN_NS) {
		e->rescan_wanted = true;	/* the pass syncs in for it */
		l->last_rescan = l->now;
		l->pass = true;
	}
	if (l->pass) {
		l->next = vpe_engine_pass(e, l->pass_flags, &l->now);
		if (l->next != VPE_TIME_NEVER)
			l->now = vpe_loop_clock(l);
		l->pass = false;
	}
	vpe_loop_wait(l);
}
