// SPDX-License-Identifier: MIT
/*
 * wake.c - when the poll loop should sleep, and for how long.  A timed
 * sleep ends late (the kernel's timer slack, the scheduler, and under
 * QEMU software emulation milliseconds of it), and every frame due after
 * a sleep inherits that lateness.  So the loop sleeps until the due time
 * minus a margin, then polls without blocking (spins) until the frame is
 * due.  The margin follows the lateness this process has actually seen:
 * K times an estimate of it, at least VPE_WAKE_MIN_NS, at most the cap
 * (--spin-max), which also bounds the CPU time one wake-up can burn.
 *
 * A spin teaches nothing about the timer, and a margin as wide as the
 * gaps between due times means the loop never sleeps again: one late
 * sample (a busy moment, a first sample that happened to be slow) would
 * keep it spinning from then on.  So a spin for a due time the loop did
 * not sleep for first (a blind one) lowers the estimate a little; once
 * the margin is below the gaps again the loop sleeps, and the timer's
 * real lateness sets it from there.  Spins that follow a sleep leave the
 * estimate to the sleep's sample.
 *
 * Pure arithmetic on times the caller passes in: no clock, no syscalls,
 * so the policy is tested with a fake clock.
 */
#include <string.h>

#include "engine.h"

#define VPE_WAKE_K		2u	/* margin = K x estimated lateness */
#define VPE_WAKE_SAMPLE_MAX	1000000000ull	/* a suspend says nothing */
#define VPE_WAKE_SPIN_DECAY	32u	/* estimate -= estimate / this, a blind spin */

static void vpe_wake_margin(struct vpe_wake *w)
{
	u64 m = VPE_WAKE_K * w->est_ns;

	if (m < VPE_WAKE_MIN_NS)
		m = VPE_WAKE_MIN_NS;
	w->margin_ns = m < w->cap_ns ? m : w->cap_ns;
}

void vpe_wake_init(struct vpe_wake *w, u64 cap_ns)
{
	memset(w, 0, sizeof(*w));
	w->cap_ns = cap_ns;
	vpe_wake_margin(w);
}

/*
 * Time spent spinning is charged when the next plan is made: the spin
 * lasted from the plan that started it to this one.
 */
static void vpe_wake_spin_account(struct vpe_wake *w, u64 now)
{
	if (w->spinning && now > w->spin_from)
		w->spin_ns += now - w->spin_from;
	w->spinning = false;
}

/* A spin for a due time not spun for yet; a blind one decays the estimate. */
static void vpe_wake_spin_begin(struct vpe_wake *w, u64 due)
{
	w->spin_due = due;
	w->spin_starts++;
	if (due == w->sleep_due)
		return;
	w->est_ns -= w->est_ns / VPE_WAKE_SPIN_DECAY;
	vpe_wake_margin(w);
}

u64 vpe_wake_plan(struct vpe_wake *w, u64 now, u64 due)
{
	bool was_spinning = w->spinning;

	vpe_wake_spin_account(w, now);
	if (due == VPE_TIME_NEVER)
		return VPE_TIME_NEVER;
	/* Due already (or a clock that disagrees): step again at once. */
	if (due <= now)
		return 0;
	if (due - now > w->margin_ns) {
		w->sleep_due = due;
		return due - w->margin_ns - now;
	}
	if (!was_spinning || due != w->spin_due)
		vpe_wake_spin_begin(w, due);
	w->spinning = true;
	w->spin_from = now;
	w->spins++;
	return 0;
}

/*
 * An asymmetric EWMA: a quarter of the way up when a wake-up was later
 * than the estimate, a sixteenth of the way down when it was earlier.
 * Rising fast keeps frames on time as soon as the host gets busier;
 * falling slowly keeps one quiet stretch from undoing that, while still
 * giving the CPU back once the lateness has really gone.
 */
static void vpe_wake_ewma(struct vpe_wake *w, u64 late)
{
	if (w->timeouts == 1)
		w->est_ns = late;	/* first sample: no history to blend */
	else if (late > w->est_ns)
		w->est_ns += (late - w->est_ns + 3) / 4;
	else
		w->est_ns -= (w->est_ns - late) / 16;
}

void vpe_wake_note(struct vpe_wake *w, u64 asked, u64 woke, bool timed_out)
{
	u64 late;

	w->sleeps++;
	/* Woken by a guest or a client: the timer did not fire, no sample. */
	if (!timed_out)
		return;
	w->timeouts++;
	late = woke > asked ? woke - asked : 0;
	if (late > VPE_WAKE_SAMPLE_MAX)
		late = VPE_WAKE_SAMPLE_MAX;
	vpe_wake_ewma(w, late);
	vpe_wake_margin(w);
}
