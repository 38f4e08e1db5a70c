// SPDX-License-Identifier: MIT
/*
 * findcfg.c - the xl configs a domain may have been made from.
 *
 * xl does not keep the text of a config: it parses it, ignores keys it does
 * not know (vprime), and stores only libxl's JSON of what it understood
 * (userdata "libxl-json", /var/lib/xen/userdata-d.<domid>.<uuid>.libxl-json,
 * what `xl list -l` prints; since Xen 4.5 there is no "xl" userdata with the
 * raw text).  So `vprimectl watch` reads the file itself, from:
 *
 *   running xl processes: `xl [opts] create [opts] FILE [key=value...]`.
 *     The `xl create` building the domain runs when it is introduced; once
 *     the domain runs, xl forks a monitor (`xl create` too, same command
 *     line) that lives as long as the domain but has done daemon(0, 1): its
 *     working directory is `/`, so a relative FILE is resolved through the
 *     process' cwd first, then through the PWD of its environment (the
 *     shell's directory, which the fork and daemon() keep).
 *   config directories: every file.
 *
 * Each candidate is handed to a callback as text (file, then the
 * overrides, as xl builds it); the caller parses it and matches the name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vpctl.h"

/*
 * The buffer starts at the file's size (procfs files say 0: a page) and
 * doubles up to the limit: a sweep of a hundred xl processes reads a
 * hundred small files, not a hundred MiB.
 */
static int vpctl_read_fd(int fd, size_t cap, char **text, size_t *len)
{
	char *buf = malloc(cap + 1), *nb;
	size_t n = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t g;

		if (n == cap) {
			if (cap > VPX_TEXT_MAX)
				goto big;
			cap = cap * 2 > VPX_TEXT_MAX + 1 ? VPX_TEXT_MAX + 1 :
							   cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		g = read(fd, buf + n, cap - n);
		if (g < 0 && errno == EINTR)
			continue;
		if (g < 0) {
			int r = -errno;

			free(buf);
			return r;
		}
		if (g == 0)
			break;
		n += (size_t)g;
	}
	if (n > VPX_TEXT_MAX)
		goto big;
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
big:
	free(buf);
	return -EFBIG;
}

int vpctl_read_file(const char *path, char **text, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		close(fd);
		return r;
	}
	if (st.st_size > (off_t)VPX_TEXT_MAX) {
		close(fd);
		return -EFBIG;
	}
	r = vpctl_read_fd(fd, st.st_size > 0 ? (size_t)st.st_size + 1 : 4096,
			  text, len);
	close(fd);
	return r;
}

/* Append @add (and a newline) to a malloc'd text. */
static int vpctl_append(char **text, size_t *len, const char *add)
{
	size_t a = strlen(add);
	char *nt;

	if (*len + a + 2 > VPX_TEXT_MAX)
		return -EFBIG;
	nt = realloc(*text, *len + a + 3);
	if (!nt)
		return -ENOMEM;
	nt[(*len)++] = '\n';
	memcpy(nt + *len, add, a);
	*len += a;
	nt[(*len)++] = '\n';
	nt[*len] = '\0';
	*text = nt;
	return 0;
}

/* One `xl create` command line, taken apart. */
struct vpctl_xlcmd {
	char args[8192];
	const char *file;
	const char *extra[64];
	int nextra;
};

static int vpctl_cmd_read(const char *proc, const char *pid,
			  struct vpctl_xlcmd *c)
{
	char path[PATH_MAX], *a, *end;
	bool create = false;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/cmdline", proc, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	n = read(fd, c->args, sizeof(c->args) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	c->args[n] = '\0';
	end = c->args + n;
	c->file = NULL;
	c->nextra = 0;
	a = strrchr(c->args, '/');
	if (strcmp(a ? a + 1 : c->args, "xl"))
		return -ENOENT;
	for (a = c->args + strlen(c->args) + 1; a < end; a += strlen(a) + 1) {
		if (!create) {
			if (!strcmp(a, "create"))
				create = true;
			else if (a[0] != '-')
				return -ENOENT;	/* another subcommand */
			continue;
		}
		if (!strcmp(a, "-f") && a + strlen(a) + 1 < end) {
			a += strlen(a) + 1;
			c->file = a;
		} else if (!strncmp(a, "--defconfig=", 12)) {
			c->file = a + 12;
		} else if (a[0] == '-') {
			continue;
		} else if (strchr(a, '=')) {
			if (c->nextra < 64)
				c->extra[c->nextra++] = a;
		} else if (!c->file) {
			c->file = a;
		}
	}
	return create && c->file && *c->file ? 0 : -ENOENT;
}

/* The PWD of @pid's environment ("" when none or not absolute). */
static void vpctl_proc_pwd(const char *proc, const char *pid, char *out,
			   size_t cap)
{
	char path[PATH_MAX], *env, *e;
	size_t len;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s/environ", proc, pid);
	if (vpctl_read_file(path, &env, &len))
		return;
	for (e = env; e < env + len; e += strlen(e) + 1) {
		if (!strncmp(e, "PWD=/", 5)) {
			snprintf(out, cap, "%s", e + 4);
			break;
		}
	}
	free(env);
}

/* @file's text with the command line's key=value overrides after it. */
static int vpctl_cmd_text(const struct vpctl_xlcmd *c, const char *file,
			  char **text, size_t *len)
{
	int i, r;

	*text = NULL;
	r = vpctl_read_file(file, text, len);

	for (i = 0; !r && i < c->nextra; i++)
		r = vpctl_append(text, len, c->extra[i]);
	if (r && *text) {
		free(*text);
		*text = NULL;
	}
	return r;
}

static void vpctl_cmd_offer(const struct vpctl_xlcmd *c, const char *file,
			    const char *pid, const char *kind,
			    vpctl_cfg_fn fn, void *ctx)
{
	char where[PATH_MAX + 64], *text = NULL;
	size_t len;

	if (vpctl_cmd_text(c, file, &text, &len))
		return;
	snprintf(where, sizeof(where), "%s (%s, pid %s)", file, kind, pid);
	fn(ctx, where, text, len);
	free(text);
}

static bool vpctl_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

void vpctl_sweep_procs(const char *proc, vpctl_cfg_fn fn, void *ctx)
{
	static struct vpctl_xlcmd c;
	char file[PATH_MAX], pwd[PATH_MAX], cwd[PATH_MAX], lnk[PATH_MAX];
	struct dirent *de;
	ssize_t n;
	DIR *d = opendir(proc);

	while (d && (de = readdir(d))) {
		if (!vpctl_all_digits(de->d_name) ||
		    vpctl_cmd_read(proc, de->d_name, &c))
			continue;
		if (c.file[0] == '/') {
			vpctl_cmd_offer(&c, c.file, de->d_name, "xl create", fn,
					ctx);
			continue;
		}
		snprintf(lnk, sizeof(lnk), "%s/%s/cwd", proc, de->d_name);
		n = readlink(lnk, cwd, sizeof(cwd) - 1);
		cwd[n > 0 ? n : 0] = '\0';
		/* the building xl: its cwd is the user's */
		if (strcmp(cwd, "/")) {
			if (snprintf(file, sizeof(file), "%s/%s", lnk,
				     c.file) >= (int)sizeof(file))
				continue;
			vpctl_cmd_offer(&c, file, de->d_name, "xl create", fn,
					ctx);
			continue;
		}
		/* daemonised (the monitor): the shell's directory */
		vpctl_proc_pwd(proc, de->d_name, pwd, sizeof(pwd));
		if (pwd[0] && strcmp(pwd, "/")) {
			if (snprintf(file, sizeof(file), "%s/%s", pwd,
				     c.file) >= (int)sizeof(file))
				continue;
			vpctl_cmd_offer(&c, file, de->d_name, "xl monitor", fn,
					ctx);
		} else {
			if (snprintf(file, sizeof(file), "/%s", c.file) >=
			    (int)sizeof(file))
				continue;
			vpctl_cmd_offer(&c, file, de->d_name, "xl create", fn,
					ctx);
		}
	}
	if (d)
		closedir(d);
}

void vpctl_sweep_dirs(const char *const *dirs, vpctl_cfg_fn fn, void *ctx)
{
	char file[PATH_MAX], *text;
	struct dirent *de;
	size_t len;
	DIR *d;

	for (; dirs && *dirs; dirs++) {
		d = opendir(*dirs);
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (snprintf(file, sizeof(file), "%s/%s", *dirs,
				     de->d_name) >= (int)sizeof(file) ||
			    vpctl_read_file(file, &text, &len))
				continue;
			fn(ctx, file, text, len);
			free(text);
		}
		if (d)
			closedir(d);
	}
}

const char *vpctl_file_err(int r)
{
	return r == -EINVAL ? "not a regular file" : r == -EFBIG ?
		"larger than 1 MiB: not an xl config" : strerror(-r);
}
