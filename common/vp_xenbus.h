/* SPDX-License-Identifier: MIT */
/*
 * vp_xenbus.h - the xenbus state machine of both ends as pure decision
 * functions: the drivers feed in states and carry out the answer, so the
 * walk is unit-tested on the host.  States are Xen's enum xenbus_state.
 */
#ifndef VP_XENBUS_H
#define VP_XENBUS_H

#include "vp_compat.h"

enum vp_xb_state {
	VP_XB_UNKNOWN = 0,
	VP_XB_INITIALISING = 1,
	VP_XB_INITWAIT = 2,
	VP_XB_INITIALISED = 3,
	VP_XB_CONNECTED = 4,
	VP_XB_CLOSING = 5,
	VP_XB_CLOSED = 6,
	VP_XB_RECONFIGURING = 7,
	VP_XB_RECONFIGURED = 8,
};

/* What a driver does in answer to the other end's new state. */
enum vp_xb_action {
	VP_XB_ACT_NONE = 0,
	VP_XB_ACT_CONNECT,	/* front: set up and publish; back: map */
	VP_XB_ACT_CONNECTED,	/* front: go Connected */
	VP_XB_ACT_DISCONNECT,	/* tear down data path, walk to Closed */
	VP_XB_ACT_RESET,	/* front: reconnect from scratch (back restarted) */
	VP_XB_ACT_REMOVE,	/* the other end is gone for good */
};

/* vp_xenbus.c APIs: */
enum vp_xb_state vp_xb_back_step(enum vp_xb_state cur,
				 enum vp_xb_state target);
enum vp_xb_action vp_xb_back_on_front(enum vp_xb_state back,
				      enum vp_xb_state front);
enum vp_xb_action vp_xb_front_on_back(enum vp_xb_state front,
				      enum vp_xb_state back);
const char *vp_xb_state_name(u32 state);
int vp_xb_pool_offer(const char *s, u32 len, u32 def, u32 *offer);
u32 vp_xb_pool_pick(u32 want, u32 offer);

#endif /* VP_XENBUS_H */
