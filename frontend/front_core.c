// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * front_core.c - the guest-side code of common/ compiled as this module's
 * own object.  Listing ../common/vp_front.o etc. in Kbuild (as
 * tests/kmod does) makes every module that does so build the same object
 * file under its own name and flags: rebuilt on every make, and a race
 * under make -j.
 */
#include "../common/vp_front.c"
#include "../common/vp_parse.c"
#include "../common/vp_xenbus.c"
#include "../common/vp_regrant.c"
