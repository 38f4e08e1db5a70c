// SPDX-License-Identifier: MIT
/*
 * vp_xenbus.c - state walk of both ends (docs/protocol.md, "State walk").
 *
 * Backend path graph (the only edges the backend takes):
 *
 *   InitWait ---> Connected ---> Closing ---> Closed
 *      ^  \___________________________^          |
 *      |_________________________________________|
 *
 * vp_xb_back_step() returns the next state on the shortest path from cur
 * to target, so a driver loops "while (cur != target) switch(step)".
 */
#include "vp_parse.h"
#include "vp_xenbus.h"
#include "vprime_if.h"

enum vp_xb_state vp_xb_back_step(enum vp_xb_state cur,
				 enum vp_xb_state target)
{
	if (cur == target)
		return cur;
	switch (cur) {
	case VP_XB_INITIALISING:
		return VP_XB_INITWAIT;
	case VP_XB_INITWAIT:
		return target == VP_XB_CONNECTED ? VP_XB_CONNECTED :
						   VP_XB_CLOSING;
	case VP_XB_CONNECTED:
		return VP_XB_CLOSING;
	case VP_XB_CLOSING:
		return VP_XB_CLOSED;
	case VP_XB_CLOSED:
		return VP_XB_INITWAIT;
	default:
		/* Unknown or reconfiguring: restart the walk from the top. */
		return VP_XB_INITWAIT;
	}
}

/* The backend's answer to a frontend state change. */
enum vp_xb_action vp_xb_back_on_front(enum vp_xb_state back,
				      enum vp_xb_state front)
{
	switch (front) {
	case VP_XB_INITIALISING:
		/* A frontend that restarted: be ready to connect again. */
		return back == VP_XB_CLOSED || back == VP_XB_CONNECTED ?
			       VP_XB_ACT_DISCONNECT : VP_XB_ACT_NONE;
	case VP_XB_INITIALISED:
	case VP_XB_CONNECTED:
		return back == VP_XB_INITWAIT ? VP_XB_ACT_CONNECT :
						VP_XB_ACT_NONE;
	case VP_XB_CLOSING:
		return back == VP_XB_CLOSED ? VP_XB_ACT_NONE :
					      VP_XB_ACT_DISCONNECT;
	case VP_XB_CLOSED:
		return back == VP_XB_CLOSED ? VP_XB_ACT_NONE :
					      VP_XB_ACT_DISCONNECT;
	case VP_XB_UNKNOWN:
		return VP_XB_ACT_REMOVE;
	default:
		return VP_XB_ACT_NONE;
	}
}

/*
 * The frontend's answer to a backend state change.  Unlike netfront, a
 * frontend that sees its backend come back (InitWait after Closed or
 * Closing, or after a Connected it never left) resets and reconnects.
 */
enum vp_xb_action vp_xb_front_on_back(enum vp_xb_state front,
				      enum vp_xb_state back)
{
	switch (back) {
	case VP_XB_INITWAIT:
		if (front == VP_XB_INITIALISING)
			return VP_XB_ACT_CONNECT;
		if (front == VP_XB_INITIALISED)
			return VP_XB_ACT_NONE;
		return VP_XB_ACT_RESET;
	case VP_XB_CONNECTED:
		return front == VP_XB_INITIALISED ? VP_XB_ACT_CONNECTED :
						    VP_XB_ACT_NONE;
	case VP_XB_CLOSING:
	case VP_XB_CLOSED:
		return front == VP_XB_CLOSED ? VP_XB_ACT_NONE :
					       VP_XB_ACT_DISCONNECT;
	case VP_XB_UNKNOWN:
		return front == VP_XB_CLOSED ? VP_XB_ACT_NONE :
					       VP_XB_ACT_DISCONNECT;
	default:
		return VP_XB_ACT_NONE;
	}
}

const char *vp_xb_state_name(u32 state)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] :
							  "Invalid";
}

/*
 * The pool the backend offers a device as its max-pool-pages: the
 * toolstack's pool-pages when it wrote one (@s holds @len bytes; NULL:
 * the key is absent), else the module's default @def.  A value that is
 * not a strict decimal in VPRIME_POOL_PAGES_MIN..MAX is refused
 * (-EINVAL, -ERANGE): the backend then rejects the device rather than
 * run it with a size nobody asked for.  Any value in range works: slot
 * s lives in page s / 2 and rings are masked by their own size, so the
 * pool needs no power of two.  Only dom0 writes the backend directory,
 * so a guest never chooses what dom0 maps for it.
 */
int vp_xb_pool_offer(const char *s, u32 len, u32 def, u32 *offer)
{
	if (!s) {
		*offer = def;
		return 0;
	}
	return vp_parse_u32(s, len, VPRIME_POOL_PAGES_MIN,
			    VPRIME_POOL_PAGES_MAX, offer);
}

/*
 * The pool a frontend uses, pages per direction: what it wants (its
 * module parameter), within the backend's offer.  @offer was read with
 * VPRIME_POOL_PAGES_MIN..MAX; the backend refuses anything above it.
 */
u32 vp_xb_pool_pick(u32 want, u32 offer)
{
	if (want > offer)
		want = offer;
	return want < VPRIME_POOL_PAGES_MIN ? VPRIME_POOL_PAGES_MIN : want;
}
