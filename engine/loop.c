// SPDX-License-Identifier: MIT
/*
 * loop.c - vprimed's poll loop, one turn at a time: step the engine, plan
 * the next sleep (wake.c), wait in the caller's wait function, decide
 * whether the engine must step again.  The clock and the wait come from
 * the caller (ppoll() and CLOCK_MONOTONIC in main.c, a virtual clock and
 * simulated guests in the tests), so what one idle second or one frame
 * costs in waits, syncs and clock reads is tested on a fake clock.
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
	l->step = true;
	l->last_rescan = vpe_loop_clock(l);
}

/*
 * How long to block (never past the next rescan, which wants no early
 * wake-up), then block or spin.  Sets whether the engine should step:
 * after a sleep, when something became ready, or when a spin has reached
 * the due time.
 */
static void vpe_loop_wait(struct vpe_loop *l, u64 now, u64 rescan_at)
{
	struct vpe_engine *e = l->e;
	u64 ns = vpe_wake_plan(&e->wake, now, l->next), woke;
	int r;

	if (ns > rescan_at - now)
		ns = rescan_at - now;
	r = l->ops.wait(l->ops.arg, ns);
	e->st.polls++;
	if (r > 0 && (r & VPE_WAIT_DEV))
		e->st.polls_dev++;
	woke = vpe_loop_clock(l);
	if (ns)
		vpe_wake_note(&e->wake, now + ns, woke, r == 0);
	l->step = ns || r != 0 || woke >= l->next;
}

void vpe_loop_turn(struct vpe_loop *l)
{
	struct vpe_engine *e = l->e;
	u64 now;

	if (l->step)
		l->next = vpe_engine_step(e);
	now = vpe_loop_clock(l);
	if (now - l->last_rescan >= VPE_RESCAN_NS) {
		e->rescan_wanted = true;
		l->last_rescan = now;
	}
	vpe_loop_wait(l, now, l->last_rescan + VPE_RESCAN_NS);
}
