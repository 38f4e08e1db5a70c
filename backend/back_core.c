// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * back_core.c - the kernel-independent code of common/, compiled as
 * this module's own object.  Linking the objects in common/ directly
 * would have the backend, frontend and selftest modules build the same
 * object files with different flags, racing each other under make -j.
 */
#include "../common/vp_csum.c"
#include "../common/vp_sync.c"
#include "../common/vp_area.c"
#include "../common/vp_parse.c"
#include "../common/vp_xenbus.c"
