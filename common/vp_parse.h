/* SPDX-License-Identifier: MIT */
/*
 * vp_parse.h - strict parsers for values another party wrote: xenstore
 * nodes (a guest writes its own directory) and the device specs of an xl
 * config's vprime = [...] line.  Each returns 0 or -EINVAL/-ERANGE and
 * never reads past @len bytes; no NUL termination is assumed.
 */
#ifndef VP_PARSE_H
#define VP_PARSE_H

#include "vp_compat.h"
#include "vprime_abi.h"

#define VP_XS_VALUE_MAX 64	/* longer xenstore values are rejected */

/* vp_parse.c APIs: */
int vp_parse_u32(const char *s, u32 len, u32 min, u32 max, u32 *out);
int vp_parse_bool(const char *s, u32 len, bool *out);
int vp_parse_mac(const char *s, u32 len, u8 mac[6]);
int vp_parse_name(const char *s, u32 len, char out[VPRIME_NAME_LEN]);
int vp_parse_versions(const char *s, u32 len, u32 want, u32 *best);
void vp_format_mac(const u8 mac[6], char out[18]);

#endif /* VP_PARSE_H */
