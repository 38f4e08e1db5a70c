/* SPDX-License-Identifier: MIT */
/*
 * vp_csum.h - finishing an offloaded (CSUM_BLANK) L4 checksum in dom0, for
 * a guest that did not negotiate checksum offload (protocol.md section 4).
 */
#ifndef VP_CSUM_H
#define VP_CSUM_H

#include "vp_compat.h"

/* vp_csum.c APIs: */
int vp_csum_finish(u8 *const seg[], const u16 seg_len[], u32 nseg);

#endif /* VP_CSUM_H */
