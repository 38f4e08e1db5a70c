// SPDX-License-Identifier: MIT
/*
 * findcfg.c - which xl config made a domain.
 *
 * xl does not keep the text of a config: it parses it, ignores keys it does
 * not know (vprime), and stores only libxl's JSON of what it understood
 * (userdata "libxl-json"; since Xen 4.5 there is no "xl" userdata with the
 * raw text).  So `vprimectl watch` reads the file itself.  When a domain is
 * introduced (@introduceDomain fires at the end of the domain build, before
 * xl adds the vifs and unpauses), the `xl create` that builds it is still
 * running: its command line names the file (relative to its working
 * directory) and the `key=value` overrides.  Failing that (a reboot by the
 * daemonised xl, which has moved to /), the files of the config directories
 * whose `name` is the domain's are used.
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

int vpctl_read_file(const char *path, char **text, size_t *len)
{
	struct stat st;
	char *buf;
	size_t n = 0;
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
	buf = malloc(VPX_TEXT_MAX + 2);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t g = read(fd, buf + n, VPX_TEXT_MAX + 1 - n);

		if (g < 0 && errno == EINTR)
			continue;
		if (g < 0) {
			r = -errno;
			free(buf);
			close(fd);
			return r;
		}
		if (g == 0)
			break;
		n += (size_t)g;
		if (n > VPX_TEXT_MAX) {
			free(buf);
			close(fd);
			return -EFBIG;
		}
	}
	close(fd);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
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

/*
 * From one process: is it `xl [opts] create [opts] FILE [key=value...]`?
 * Then its config text, as xl builds it (file, then the overrides).
 */
static int vpctl_proc_config(const char *pid, char **text, size_t *len,
			     char *file, size_t fcap)
{
	char path[300], args[8192], *a, *end, *cfgfile = NULL;
	char *extra[64];
	int fd, nextra = 0, i, r;
	ssize_t n;
	bool create = false;

	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	n = read(fd, args, sizeof(args) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	args[n] = '\0';
	end = args + n;
	a = strrchr(args, '/');
	if (strcmp(a ? a + 1 : args, "xl"))
		return -ENOENT;
	for (a = args + strlen(args) + 1; a < end; a += strlen(a) + 1) {
		if (!create) {
			if (!strcmp(a, "create"))
				create = true;
			else if (a[0] != '-')
				return -ENOENT;	/* another subcommand */
			continue;
		}
		if (!strcmp(a, "-f") && a + strlen(a) + 1 < end) {
			a += strlen(a) + 1;
			cfgfile = a;
		} else if (!strncmp(a, "--defconfig=", 12)) {
			cfgfile = a + 12;
		} else if (a[0] == '-') {
			continue;
		} else if (strchr(a, '=')) {
			if (nextra < 64)
				extra[nextra++] = a;
		} else if (!cfgfile) {
			cfgfile = a;
		}
	}
	if (!create || !cfgfile || !*cfgfile)
		return -ENOENT;
	if (cfgfile[0] == '/')
		snprintf(file, fcap, "%s", cfgfile);
	else
		snprintf(file, fcap, "/proc/%s/cwd/%s", pid, cfgfile);
	r = vpctl_read_file(file, text, len);
	for (i = 0; !r && i < nextra; i++)
		r = vpctl_append(text, len, extra[i]);
	if (r) {
		free(*text);
		*text = NULL;
	}
	return r;
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

/* 1: found, 0: not here, <0: a config that names the domain is broken */
static int vpctl_try(const char *text, size_t len, const char *domname,
		     struct vpx_cfg *cfg, char *err, size_t errlen)
{
	char e[VPCTL_ERR_LEN];

	if (vpx_parse(text, len, cfg, e, sizeof(e))) {
		/* a broken file is only our business if it names the domain */
		if (strstr(text, domname)) {
			snprintf(err, errlen, "%s", e);
			return -EINVAL;
		}
		return 0;
	}
	return cfg->has_domname && !strcmp(cfg->domname, domname);
}

int vpctl_find_config(const char *domname, const char *const *dirs,
		      struct vpx_cfg *cfg, char *where, size_t wcap, char *err,
		      size_t errlen)
{
	struct dirent *de;
	char file[PATH_MAX], *text = NULL;
	size_t len;
	int r, bad = 0;
	DIR *d;

	err[0] = '\0';
	/* 1: the xl create building it */
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		if (!vpctl_all_digits(de->d_name))
			continue;
		if (vpctl_proc_config(de->d_name, &text, &len, file, sizeof(file)))
			continue;
		r = vpctl_try(text, len, domname, cfg, err, errlen);
		free(text);
		text = NULL;
		if (r > 0) {
			snprintf(where, wcap, "%s (xl create, pid %s)", file,
				 de->d_name);
			closedir(d);
			return 0;
		}
		if (r < 0) {
			snprintf(where, wcap, "%s", file);
			closedir(d);
			return r;
		}
	}
	if (d)
		closedir(d);
	/* 2: the config directories */
	for (; dirs && *dirs; dirs++) {
		d = opendir(*dirs);
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(file, sizeof(file), "%s/%s", *dirs, de->d_name);
			if (vpctl_read_file(file, &text, &len))
				continue;
			r = vpctl_try(text, len, domname, cfg, err, errlen);
			free(text);
			text = NULL;
			if (r > 0) {
				snprintf(where, wcap, "%s", file);
				closedir(d);
				return 0;
			}
			if (r < 0 && !bad) {
				bad = r;
				snprintf(where, wcap, "%s", file);
			}
		}
		if (d)
			closedir(d);
	}
	return bad ? bad : -ENOENT;
}

const char *vpctl_file_err(int r)
{
	return r == -EINVAL ? "not a regular file" : r == -EFBIG ?
		"larger than 1 MiB: not an xl config" : strerror(-r);
}
