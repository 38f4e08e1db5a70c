// SPDX-License-Identifier: MIT
/*
 * vp_parse.c - strict parsers for untrusted text.  Rules: decimal only, no
 * sign, no leading zeros but "0", no spaces, no trailing junk; a trailing
 * NUL (xenstore values may carry one) ends the value.
 */
#include "vp_parse.h"

/* Length up to the first NUL, capped at @len. */
static u32 vp_strnlen(const char *s, u32 len)
{
	u32 i = 0;

	while (i < len && s[i])
		i++;
	return i;
}

int vp_parse_u32(const char *s, u32 len, u32 min, u32 max, u32 *out)
{
	u64 v = 0;
	u32 i;

	len = vp_strnlen(s, len);
	if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (u64)(s[i] - '0');
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = (u32)v;
	return 0;
}

int vp_parse_bool(const char *s, u32 len, bool *out)
{
	u32 v;
	int err = vp_parse_u32(s, len, 0, 1, &v);

	if (err)
		return err;
	*out = v;
	return 0;
}

static int vp_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "aa:bb:cc:dd:ee:ff", unicast only (a device address, not a group). */
int vp_parse_mac(const char *s, u32 len, u8 mac[6])
{
	u8 tmp[6];
	u32 i;

	len = vp_strnlen(s, len);
	if (len != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = vp_hex(s[i * 3]), lo = vp_hex(s[i * 3 + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return -EINVAL;
		tmp[i] = (u8)(hi << 4 | lo);
	}
	if (tmp[0] & 1)
		return -EINVAL;
	if (!(tmp[0] | tmp[1] | tmp[2] | tmp[3] | tmp[4] | tmp[5]))
		return -EINVAL;
	memcpy(mac, tmp, 6);
	return 0;
}

/* A device name: 1..31 of [A-Za-z0-9_.-], not starting with '-' or '.'. */
int vp_parse_name(const char *s, u32 len, char out[VPRIME_NAME_LEN])
{
	u32 i;

	len = vp_strnlen(s, len);
	if (len == 0 || len >= VPRIME_NAME_LEN || s[0] == '-' || s[0] == '.')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return -EINVAL;
	}
	memcpy(out, s, len);
	memset(out + len, 0, VPRIME_NAME_LEN - len);
	return 0;
}

/*
 * "1" or "1,2,...": the versions a peer speaks.  *best gets the highest
 * one that is <= @want; -ERANGE if there is none in common.
 */
int vp_parse_versions(const char *s, u32 len, u32 want, u32 *best)
{
	u32 i = 0, start = 0, found = 0;

	len = vp_strnlen(s, len);
	if (len == 0 || len > VP_XS_VALUE_MAX)
		return -EINVAL;
	for (i = 0; i <= len; i++) {
		u32 v;

		if (i < len && s[i] != ',')
			continue;
		if (vp_parse_u32(s + start, i - start, 1, 0xffff, &v))
			return -EINVAL;
		if (v <= want && v > found)
			found = v;
		start = i + 1;
	}
	if (!found)
		return -ERANGE;
	*best = found;
	return 0;
}

void vp_format_mac(const u8 mac[6], char out[18])
{
	static const char hex[] = "0123456789abcdef";
	u32 i;

	for (i = 0; i < 6; i++) {
		out[i * 3] = hex[mac[i] >> 4];
		out[i * 3 + 1] = hex[mac[i] & 15];
		out[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
}
