// SPDX-License-Identifier: MIT
/*
 * xlcfg.c - read an xl guest config for vprime: the domain `name` and the
 * `vprime = [ 'mac=..,name=..,devid=..,mtu=..,pool=..', ... ]` line.
 *
 * xl's syntax (libxlu): statements `key = value` or `key += value` ended by
 * a newline or ';'; a value is a number, a string ('...' or "...") or a list
 * `[ v, v, ]` that may span lines; `#` starts a comment.  The whole file is
 * checked, as xl would refuse a broken one; only two keys are interpreted.
 * The last assignment of a key wins; `+=` appends to a list.  Nothing here
 * allocates; every read is bounded by @len, so any bytes are safe input
 * (fuzzed: tests/fuzz/fuzz_xlcfg.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vp_parse.h"
#include "vpctl.h"

#define VPX_DEPTH_MAX	8	/* nested lists (xl has none; be lenient) */

enum vpx_tok {
	T_EOF, T_NL, T_SEMI, T_IDENT, T_NUM, T_STR, T_EQ, T_ADD, T_LBR, T_RBR,
	T_COMMA, T_BAD,
};

struct vpx_lex {
	const char *s;
	size_t len, pos;
	uint32_t line;
	/* the current token */
	enum vpx_tok tok;
	size_t start, end;	/* its text (a string: between the quotes) */
	uint32_t tline;
	bool escaped;		/* a string holding backslash escapes */
	char *err;
	size_t errlen;
};

/*
 * The one error formatter of this file: "line N: " and the message into
 * @err, or the message alone where @line is 0 (a device spec read on its
 * own, as from the command line).  Returns -EINVAL, for `return vpx_err()`.
 */
static int vpx_err(char *err, size_t errlen, uint32_t line, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));
static int vpx_err(char *err, size_t errlen, uint32_t line, const char *fmt,
		   ...)
{
	va_list ap;
	int n = 0;

	if (!err || !errlen)
		return -EINVAL;
	if (line) {
		n = snprintf(err, errlen, "line %u: ", line);
		if (n < 0 || (size_t)n >= errlen)
			return -EINVAL;
	}
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* An error in the config text, at @line (which starts at 1). */
#define vpx_fail(lx, line, ...) \
	vpx_err((lx)->err, (lx)->errlen, (line), __VA_ARGS__)

static bool vpx_is_ident(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* Next token; T_BAD with the error written. */
static enum vpx_tok vpx_next(struct vpx_lex *lx)
{
	const char *s = lx->s;
	char c;

	for (;;) {
		while (lx->pos < lx->len && (s[lx->pos] == ' ' ||
		       s[lx->pos] == '\t' || s[lx->pos] == '\r'))
			lx->pos++;
		if (lx->pos < lx->len && s[lx->pos] == '#') {
			while (lx->pos < lx->len && s[lx->pos] != '\n')
				lx->pos++;
		}
		/* a backslash-newline continues the line */
		if (lx->pos + 1 < lx->len && s[lx->pos] == '\\' &&
		    s[lx->pos + 1] == '\n') {
			lx->pos += 2;
			lx->line++;
			continue;
		}
		break;
	}
	lx->tline = lx->line;
	lx->start = lx->pos;
	lx->escaped = false;
	if (lx->pos >= lx->len)
		return lx->tok = T_EOF;
	c = s[lx->pos++];
	lx->end = lx->pos;
	switch (c) {
	case '\n':
		lx->line++;
		return lx->tok = T_NL;
	case ';':
		return lx->tok = T_SEMI;
	case '=':
		return lx->tok = T_EQ;
	case '[':
		return lx->tok = T_LBR;
	case ']':
		return lx->tok = T_RBR;
	case ',':
		return lx->tok = T_COMMA;
	case '+':
		if (lx->pos < lx->len && s[lx->pos] == '=') {
			lx->pos++;
			return lx->tok = T_ADD;
		}
		break;
	case '\'':
	case '"':
		lx->start = lx->pos;
		while (lx->pos < lx->len && s[lx->pos] != c) {
			if (s[lx->pos] == '\n' || s[lx->pos] == '\0') {
				vpx_fail(lx, lx->tline, "unterminated string");
				return lx->tok = T_BAD;
			}
			if (s[lx->pos] == '\\' && c == '"') {
				lx->escaped = true;
				if (lx->pos + 1 < lx->len)
					lx->pos++;
			}
			lx->pos++;
		}
		if (lx->pos >= lx->len) {
			vpx_fail(lx, lx->tline, "unterminated string");
			return lx->tok = T_BAD;
		}
		lx->end = lx->pos++;
		return lx->tok = T_STR;
	default:
		if (vpx_is_ident(c, true)) {
			while (lx->pos < lx->len && vpx_is_ident(s[lx->pos], false))
				lx->pos++;
			lx->end = lx->pos;
			return lx->tok = T_IDENT;
		}
		if ((c >= '0' && c <= '9') || c == '-' || c == '.') {
			/* numbers: decimal, hex, floats; xl checks them */
			while (lx->pos < lx->len &&
			       (vpx_is_ident(s[lx->pos], false) ||
				s[lx->pos] == '.'))
				lx->pos++;
			lx->end = lx->pos;
			return lx->tok = T_NUM;
		}
		break;
	}
	if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
		vpx_fail(lx, lx->tline, "unexpected '%c'", c);
	else
		vpx_fail(lx, lx->tline, "unexpected byte 0x%02x",
			 (unsigned char)c);
	return lx->tok = T_BAD;
}

static bool vpx_tok_is(const struct vpx_lex *lx, const char *word)
{
	size_t n = strlen(word);

	return lx->end - lx->start == n && !memcmp(lx->s + lx->start, word, n);
}

/* Skip newlines inside a list. */
static void vpx_skip_nl(struct vpx_lex *lx)
{
	while (lx->tok == T_NL)
		vpx_next(lx);
}

/* ---- device specs ------------------------------------------------------------ */

/* A value for a message: printable, at most 40 bytes. */
static void vpx_show(const char *s, size_t len, char out[48])
{
	size_t i, n = len > 40 ? 40 : len;

	for (i = 0; i < n; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	strcpy(out + n, len > 40 ? "..." : "");
}

int vpx_parse_spec(const char *s, size_t len, struct vpx_dev *d, char *err,
		   size_t errlen)
{
	struct vpx_dev t;
	bool has_mac = false;
	size_t i = 0;
	char show[48];

	memset(&t, 0, sizeof(t));
	if (len > VPX_SPEC_MAX)
		return vpx_err(err, errlen, 0, "device spec longer than %u "
			       "bytes", VPX_SPEC_MAX);
	if (len == 0)
		return vpx_err(err, errlen, 0, "empty device spec (needs at "
			       "least mac=...)");
	while (i <= len) {
		size_t a = i, b, eq;
		const char *k, *v;
		size_t kl, vl;

		while (i < len && s[i] != ',')
			i++;
		b = i++;
		/* blanks around an item are allowed */
		while (a < b && (s[a] == ' ' || s[a] == '\t'))
			a++;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
			b--;
		if (a == b)
			return vpx_err(err, errlen, 0, "empty item in device "
				       "spec (stray ',')");
		for (eq = a; eq < b && s[eq] != '='; eq++)
			;
		vpx_show(s + a, b - a, show);
		if (eq == b)
			return vpx_err(err, errlen, 0, "'%s' is not key=value",
				       show);
		k = s + a;
		kl = eq - a;
		v = s + eq + 1;
		vl = b - eq - 1;
#define KEY(w) (kl == sizeof(w) - 1 && !memcmp(k, w, kl))
		if (KEY("mac")) {
			if (has_mac)
				return vpx_err(err, errlen, 0, "mac given twice");
			if (vp_parse_mac(v, (u32)vl, t.mac) || memchr(v, 0, vl)) {
				vpx_show(v, vl, show);
				return vpx_err(err, errlen, 0, "bad mac '%s' (want "
					"aa:bb:cc:dd:ee:ff, unicast, not all zero)",
					show);
			}
			has_mac = true;
		} else if (KEY("name")) {
			if (t.has_name)
				return vpx_err(err, errlen, 0, "name given twice");
			if (vp_parse_name(v, (u32)vl, t.name) || memchr(v, 0, vl)) {
				vpx_show(v, vl, show);
				return vpx_err(err, errlen, 0, "bad name '%s' (1-%u "
					"of A-Z a-z 0-9 _ . -, not starting with . "
					"or -)", show, VPRIME_NAME_LEN - 1);
			}
			t.has_name = true;
		} else if (KEY("devid")) {
			if (t.has_devid)
				return vpx_err(err, errlen, 0, "devid given twice");
			if (vp_parse_u32(v, (u32)vl, 0, VPX_DEVID_MAX, &t.devid) ||
			    memchr(v, 0, vl)) {
				vpx_show(v, vl, show);
				return vpx_err(err, errlen, 0, "bad devid '%s' "
					"(decimal 0..%u)", show, VPX_DEVID_MAX);
			}
			t.has_devid = true;
		} else if (KEY("mtu")) {
			if (t.has_mtu)
				return vpx_err(err, errlen, 0, "mtu given twice");
			if (vp_parse_u32(v, (u32)vl, VPRIME_MTU_MIN, VPRIME_MTU_MAX,
					 &t.mtu) || memchr(v, 0, vl)) {
				vpx_show(v, vl, show);
				return vpx_err(err, errlen, 0, "bad mtu '%s' "
					"(decimal %u..%u)", show, VPRIME_MTU_MIN,
					VPRIME_MTU_MAX);
			}
			t.has_mtu = true;
		} else if (KEY("pool")) {
			if (t.has_pool)
				return vpx_err(err, errlen, 0, "pool given twice");
			if (vp_parse_u32(v, (u32)vl, VPRIME_POOL_PAGES_MIN,
					 VPRIME_POOL_PAGES_MAX, &t.pool) ||
			    memchr(v, 0, vl)) {
				vpx_show(v, vl, show);
				return vpx_err(err, errlen, 0, "bad pool '%s' "
					"(pages per direction, decimal %u..%u)",
					show, VPRIME_POOL_PAGES_MIN,
					VPRIME_POOL_PAGES_MAX);
			}
			t.has_pool = true;
		} else {
			vpx_show(k, kl, show);
			return vpx_err(err, errlen, 0, "unknown key '%s' (known: "
				       "mac, name, devid, mtu, pool)", show);
		}
#undef KEY
	}
	if (!has_mac)
		return vpx_err(err, errlen, 0, "device spec without mac=");
	t.line = d->line;
	*d = t;
	return 0;
}

void vpx_format_spec(const struct vpx_dev *d, char *out, size_t cap)
{
	char mac[18];
	int n;

	vp_format_mac(d->mac, mac);
	n = snprintf(out, cap, "mac=%s", mac);
	if (n < 0 || (size_t)n >= cap)
		return;
	if (d->has_name)
		n += snprintf(out + n, cap - (size_t)n, ",name=%s", d->name);
	if ((size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, ",devid=%u", d->devid);
	if (d->has_mtu && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, ",mtu=%u", d->mtu);
	if (d->has_pool && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, ",pool=%u", d->pool);
}

/* ---- statements ------------------------------------------------------------- */

struct vpx_state {
	struct vpx_lex lx;
	struct vpx_cfg *cfg;
	/* the vprime list being built (the key may be set several times) */
	uint32_t ndev;
	struct vpx_dev *dev;
};

/*
 * A value.  @key: 1 = name, 2 = vprime, 0 = other.  @depth: list nesting.
 * On return the current token is the one after the value.
 */
static int vpx_value(struct vpx_state *st, int key, int depth)
{
	struct vpx_lex *lx = &st->lx;
	int r;

	switch (lx->tok) {
	case T_STR: {
		size_t n = lx->end - lx->start;
		const char *v = lx->s + lx->start;

		if (key == 1 && depth == 0) {
			if (n == 0 || n >= VPX_DOMNAME_LEN || memchr(v, 0, n))
				return vpx_fail(lx, lx->tline, "name must be 1-%u "
						"bytes", VPX_DOMNAME_LEN - 1);
			memcpy(st->cfg->domname, v, n);
			st->cfg->domname[n] = '\0';
			st->cfg->has_domname = true;
		} else if (key == 1) {
			return vpx_fail(lx, lx->tline, "name is a string, not a "
					"list");
		} else if (key == 2) {
			char e[VPCTL_ERR_LEN];
			struct vpx_dev *d;

			if (depth != 1)
				return vpx_fail(lx, lx->tline, "vprime must be a "
					"list of strings: vprime = [ 'mac=...' ]");
			if (st->ndev >= VPX_DEVS_MAX)
				return vpx_fail(lx, lx->tline, "more than %u vprime "
						"devices", VPX_DEVS_MAX);
			if (lx->escaped)
				return vpx_fail(lx, lx->tline, "backslash in a "
						"vprime device spec");
			d = &st->dev[st->ndev];
			d->line = lx->tline;
			if (vpx_parse_spec(v, n, d, e, sizeof(e)))
				return vpx_fail(lx, lx->tline, "vprime device %u: %s",
						st->ndev, e);
			d->line = lx->tline;
			st->ndev++;
		}
		vpx_next(lx);
		return 0;
	}
	case T_NUM:
		if (key == 1 || key == 2)
			return vpx_fail(lx, lx->tline, "%s wants %s, not a number",
					key == 1 ? "name" : "vprime",
					key == 1 ? "a string" : "a list");
		vpx_next(lx);
		return 0;
	case T_LBR:
		if (key == 1)
			return vpx_fail(lx, lx->tline, "name is a string, not a "
					"list");
		if (key == 2 && depth > 0)
			return vpx_fail(lx, lx->tline, "vprime must be a list of "
					"strings, not of lists");
		if (depth >= VPX_DEPTH_MAX)
			return vpx_fail(lx, lx->tline, "lists nested too deeply");
		vpx_next(lx);
		vpx_skip_nl(lx);
		while (lx->tok != T_RBR) {
			r = vpx_value(st, key, depth + 1);
			if (r)
				return r;
			vpx_skip_nl(lx);
			if (lx->tok == T_COMMA) {
				vpx_next(lx);
				vpx_skip_nl(lx);
				continue;
			}
			if (lx->tok != T_RBR)
				return lx->tok == T_BAD ? -EINVAL :
					vpx_fail(lx, lx->tline, "expected ',' or "
						 "']' in a list");
		}
		vpx_next(lx);
		return 0;
	case T_BAD:
		return -EINVAL;
	default:
		return vpx_fail(lx, lx->tline, "expected a value (string, number "
				"or [ list ])");
	}
}

/* The devids: explicit ones unique, the others the lowest ones free. */
static int vpx_finish(struct vpx_state *st)
{
	struct vpx_cfg *c = st->cfg;
	struct vpx_lex *lx = &st->lx;
	uint32_t i, j, next = 0;

	for (i = 0; i < c->ndev; i++) {
		for (j = 0; j < i; j++) {
			if (!memcmp(c->dev[i].mac, c->dev[j].mac, 6))
				return vpx_fail(lx, c->dev[i].line, "vprime devices "
						"%u and %u have the same mac", j, i);
			if (c->dev[i].has_name && c->dev[j].has_name &&
			    !strcmp(c->dev[i].name, c->dev[j].name))
				return vpx_fail(lx, c->dev[i].line, "vprime devices "
						"%u and %u have the same name '%s'", j,
						i, c->dev[i].name);
			if (c->dev[i].has_devid && c->dev[j].has_devid &&
			    c->dev[i].devid == c->dev[j].devid)
				return vpx_fail(lx, c->dev[i].line, "vprime devices "
						"%u and %u have the same devid %u", j,
						i, c->dev[i].devid);
		}
	}
	for (i = 0; i < c->ndev; i++) {
		if (c->dev[i].has_devid)
			continue;
		for (;;) {
			for (j = 0; j < c->ndev; j++)
				if (c->dev[j].has_devid && c->dev[j].devid == next)
					break;
			if (j == c->ndev)
				break;
			next++;
		}
		c->dev[i].devid = next++;
	}
	return 0;
}

int vpx_parse(const char *text, size_t len, struct vpx_cfg *out, char *err,
	      size_t errlen)
{
	struct vpx_state st;
	struct vpx_lex *lx = &st.lx;
	int r;

	memset(&st, 0, sizeof(st));
	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	lx->s = text;
	lx->len = len;
	lx->line = 1;
	lx->err = err;
	lx->errlen = errlen;
	st.cfg = out;
	st.dev = out->dev;
	if (len > VPX_TEXT_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "config longer than %u bytes",
				 VPX_TEXT_MAX);
		return -E2BIG;
	}
	vpx_next(lx);
	for (;;) {
		int key = 0;
		bool add;
		uint32_t line;

		while (lx->tok == T_NL || lx->tok == T_SEMI)
			vpx_next(lx);
		if (lx->tok == T_EOF)
			break;
		if (lx->tok == T_BAD)
			return -EINVAL;
		if (lx->tok != T_IDENT)
			return vpx_fail(lx, lx->tline, "expected a setting name");
		line = lx->tline;
		if (vpx_tok_is(lx, "name"))
			key = 1;
		else if (vpx_tok_is(lx, "vprime"))
			key = 2;
		vpx_next(lx);
		if (lx->tok != T_EQ && lx->tok != T_ADD)
			return lx->tok == T_BAD ? -EINVAL :
				vpx_fail(lx, lx->tline, "expected '=' after the "
					 "setting name");
		add = lx->tok == T_ADD;
		if (key == 1 && add)
			return vpx_fail(lx, line, "name += is not allowed");
		vpx_next(lx);
		if (key == 2) {
			out->has_vprime = true;
			if (!add)
				st.ndev = 0;	/* the last assignment wins */
			if (lx->tok != T_LBR)
				return lx->tok == T_BAD ? -EINVAL :
					vpx_fail(lx, lx->tline, "vprime must be a "
						 "list: vprime = [ 'mac=...' ]");
		}
		r = vpx_value(&st, key, 0);
		if (r)
			return r;
		if (lx->tok != T_NL && lx->tok != T_SEMI && lx->tok != T_EOF)
			return lx->tok == T_BAD ? -EINVAL :
				vpx_fail(lx, lx->tline, "expected the end of the "
					 "line after the value");
	}
	out->ndev = st.ndev;
	r = vpx_finish(&st);
	if (r) {
		out->ndev = 0;
		return r;
	}
	return 0;
}
