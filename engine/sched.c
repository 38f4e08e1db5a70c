// SPDX-License-Identifier: MIT
/*
 * sched.c - frames in flight, ordered by the time they reach their next
 * node: a binary min-heap on (time, seq), so frames due at the same time
 * keep the order they were scheduled in.  The heap is sized once for the
 * most frames the engine can hold (one per buffer), so push never
 * allocates on the data path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

int vpe_sched_init(struct vpe_sched *s, u32 cap)
{
	memset(s, 0, sizeof(*s));
	s->ev = calloc(cap, sizeof(*s->ev));
	if (!s->ev)
		return -ENOMEM;
	s->cap = cap;
	return 0;
}

void vpe_sched_fini(struct vpe_sched *s)
{
	free(s->ev);
	s->ev = NULL;
	s->n = s->cap = 0;
}

static bool vpe_ev_before(const struct vpe_ev *a, const struct vpe_ev *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void vpe_ev_swap(struct vpe_ev *a, struct vpe_ev *b)
{
	struct vpe_ev t = *a;

	*a = *b;
	*b = t;
}

int vpe_sched_push(struct vpe_sched *s, const struct vpe_ev *ev)
{
	u32 i, parent;

	if (s->n == s->cap)
		return -ENOSPC;
	i = s->n++;
	s->ev[i] = *ev;
	s->ev[i].seq = s->seq++;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (!vpe_ev_before(&s->ev[i], &s->ev[parent]))
			break;
		vpe_ev_swap(&s->ev[i], &s->ev[parent]);
		i = parent;
	}
	return 0;
}

static void vpe_sched_sift_down(struct vpe_sched *s)
{
	u32 i = 0, l, r, m;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < s->n && vpe_ev_before(&s->ev[l], &s->ev[m]))
			m = l;
		if (r < s->n && vpe_ev_before(&s->ev[r], &s->ev[m]))
			m = r;
		if (m == i)
			return;
		vpe_ev_swap(&s->ev[i], &s->ev[m]);
		i = m;
	}
}

/* Pop the earliest event if it is due at @now. */
bool vpe_sched_pop_due(struct vpe_sched *s, u64 now, struct vpe_ev *out)
{
	if (!s->n || s->ev[0].time > now)
		return false;
	*out = s->ev[0];
	s->ev[0] = s->ev[--s->n];
	vpe_sched_sift_down(s);
	return true;
}

u64 vpe_sched_next(const struct vpe_sched *s)
{
	return s->n ? s->ev[0].time : VPE_TIME_NEVER;
}
