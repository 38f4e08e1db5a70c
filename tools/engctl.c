// SPDX-License-Identifier: MIT
/*
 * engctl.c - one request to vprimed's control socket (engine/ctl.c): a line
 * of printable ASCII; the answer is data lines and then exactly one "ok" or
 * "error: <why>".  A bounded wait: a stuck engine gives -ETIMEDOUT.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vpctl.h"

#define VPCTL_ENGINE_TIMEOUT_MS	5000
#define VPCTL_ANSWER_MAX	(4u << 20)

const char *vpctl_engine_socket(void)
{
	const char *e = getenv("VPRIMED_SOCKET");

	return e && *e ? e : VPCTL_SOCKET_DEFAULT;
}

static int vpctl_send_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t w = send(fd, s, len, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

int vpctl_engine_cmd(const char *sock, const char *line, void *out,
		     char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *buf = NULL, *nl;
	const char *q;
	size_t len = 0, cap = 0, done = 0;
	int fd, r;

	if (err && errlen)
		err[0] = '\0';
	if (!sock || strlen(sock) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	for (q = line; *q; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e)
			return -EINVAL;
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		r = -errno;
		goto out;
	}
	r = vpctl_send_all(fd, line, strlen(line));
	if (!r)
		r = vpctl_send_all(fd, "\n", 1);
	if (r)
		goto out;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		r = poll(&pfd, 1, VPCTL_ENGINE_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			r = r ? -errno : -ETIMEDOUT;
			goto out;
		}
		if (cap - len < 4096) {
			char *nb;

			if (cap >= VPCTL_ANSWER_MAX) {
				r = -EMSGSIZE;
				goto out;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n ? -errno : -ECONNRESET;	/* closed before ok */
			goto out;
		}
		len += (size_t)n;
		/* whole lines: data, or the closing ok / error */
		while ((nl = memchr(buf + done, '\n', len - done))) {
			char *l = buf + done;

			*nl = '\0';
			done = (size_t)(nl - buf) + 1;
			if (!strcmp(l, "ok")) {
				r = 0;
				goto out;
			}
			if (!strncmp(l, "error: ", 7) || !strcmp(l, "error:")) {
				if (err && errlen)
					snprintf(err, errlen, "%s", l[6] ? l + 7 : "");
				r = -EREMOTEIO;
				goto out;
			}
			if (out)
				fprintf(out, "%s\n", l);
		}
	}
out:
	free(buf);
	close(fd);
	return r;
}

int vpctl_engine_fail(int r, const char *err)
{
	if (r == -EREMOTEIO)
		vpctl_err("vprimed: %s", err);
	else if (r == -ENOENT || r == -ECONNREFUSED)
		vpctl_err("no vprimed listening on %s (set VPRIMED_SOCKET?)",
			  vpctl_engine_socket());
	else
		vpctl_err("vprimed at %s: %s", vpctl_engine_socket(),
			  strerror(-r));
	return 1;
}

/* a word for the engine's line protocol: printable, no blanks */
bool vpctl_word_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (!n || n > max)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}
