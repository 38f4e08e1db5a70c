// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vp_common.c - the guest side of common/ compiled as this module's own
 * object (the hostile frontend connects with the real vp_front code).
 */
#include "../../../common/vp_front.c"
