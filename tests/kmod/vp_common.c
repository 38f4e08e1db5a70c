// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vp_common.c - common/ compiled as this module's own object, as the
 * backend and frontend do, so no two modules build the same object files.
 */
#include "../../common/vp_csum.c"
#include "../../common/vp_sync.c"
#include "../../common/vp_area.c"
#include "../../common/vp_front.c"
#include "../../common/vp_parse.c"
#include "../../common/vp_xenbus.c"
