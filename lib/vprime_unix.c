// SPDX-License-Identifier: MIT
/*
 * vprime_unix.c - the transport over a UNIX socket ("unix:/path"): a
 * simulated backend in another process (vprime-simhost) answers the
 * VPRIME_IOC_* calls (wire format: vprime_unix.h), hands over the area as
 * a memfd we map shared, and an eventfd it signals when a port has work.
 *
 * The backend is another process, so it is trusted no more than the
 * kernel is (less, in fact): every reply is checked for its magic,
 * sequence number, command, size, return value and descriptors, and the
 * first bad one breaks the connection for good (every later call fails
 * with the same error) rather than guessing where the stream stands.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "vprime_transport.h"
#include "vprime_unix.h"

/* A backend that does not answer within this long is taken for dead. */
#define VPRIME_UNIX_TIMEOUT_S	10

struct vprime_unix {
	int sock;
	int ep;		/* epoll: the eventfd, and the socket for hang-ups */
	int efd;	/* from SETUP */
	int memfd;	/* from SETUP, until mapped */
	int broken;	/* 0, or the error every call now returns */
	__u32 seq;
	unsigned char *buf;	/* one reply */
};

static void vprime_unix_close_fds(const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int vprime_unix_send(struct vprime_unix *u, __u32 cmd, const void *arg,
			    int len)
{
	unsigned char msg[VPRIME_UNIX_REQ_MAX];
	struct vprime_unix_req req = {
		.magic = VPRIME_UNIX_REQ_MAGIC, .seq = ++u->seq, .cmd = cmd,
		.len = (__u32)len,
	};
	ssize_t n;

	memcpy(msg, &req, sizeof(req));
	if (len)
		memcpy(msg + sizeof(req), arg, (size_t)len);
	if (cmd == VPRIME_IOC_LIST)	/* our pointer means nothing there */
		memset(msg + sizeof(req) + offsetof(struct vprime_list, entries),
		       0, sizeof(__u64));
	do {
		n = send(u->sock, msg, sizeof(req) + (size_t)len, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	return n == (ssize_t)(sizeof(req) + (size_t)len) ? 0 : -EPROTO;
}

/*
 * One reply into u->buf.  Returns its length or -errno; the descriptors
 * that came with it are in fds[0..*nfds) (the caller owns them).
 */
static ssize_t vprime_unix_recv(struct vprime_unix *u, int *fds, int *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VPRIME_UNIX_NR_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = u->buf, .iov_len = VPRIME_UNIX_REP_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	ssize_t n;

	*nfds = 0;
	do {
		n = recvmsg(u->sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	/* The control buffer holds two: the kernel drops any more (CTRUNC). */
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t k, i;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k && *nfds < (int)VPRIME_UNIX_NR_FDS; i++)
			memcpy(&fds[(*nfds)++], CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
	}
	if (n == 0)
		return -ECONNRESET;	/* the backend closed the connection */
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EPROTO;
	return n;
}

/* SETUP's descriptors: keep the memfd for map(), poll the eventfd. */
static int vprime_unix_take_fds(struct vprime_unix *u, const int *fds)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[1] };

	if (u->efd >= 0 || u->memfd >= 0)
		return -EPROTO;
	if (epoll_ctl(u->ep, EPOLL_CTL_ADD, fds[1], &ev))
		return -EPROTO;		/* not pollable: not an eventfd */
	u->memfd = fds[0];
	u->efd = fds[1];
	return 0;
}

/* LIST: entries to the caller's array, the count as the kernel gives it. */
static int vprime_unix_list_out(const unsigned char *p, size_t len,
				struct vprime_list *l, __u32 asked)
{
	struct vprime_list got;
	__u32 want;

	memcpy(&got, p, sizeof(got));
	want = got.count < asked ? got.count : asked;
	if (got.capacity != want ||
	    len != sizeof(got) + (size_t)want * sizeof(struct vprime_devinfo))
		return -EPROTO;
	if (want)
		memcpy((void *)(uintptr_t)l->entries, p + sizeof(got),
		       (size_t)want * sizeof(struct vprime_devinfo));
	l->count = got.count;
	return 0;
}

/* Check one reply against the request; copy its payload out. */
static int vprime_unix_reply(struct vprime_unix *u, __u32 cmd, void *arg,
			     ssize_t n, const int *fds, int nfds, __u32 asked)
{
	struct vprime_unix_rep rep;
	const unsigned char *p = u->buf + sizeof(rep);
	size_t plen;
	int want;

	if (n < (ssize_t)sizeof(rep))
		return -EPROTO;
	memcpy(&rep, u->buf, sizeof(rep));
	plen = (size_t)n - sizeof(rep);
	if (rep.magic != VPRIME_UNIX_REP_MAGIC || rep.seq != u->seq ||
	    rep.cmd != cmd || rep.len != plen || rep.rsvd)
		return -EPROTO;
	if (rep.ret > 0 || rep.ret < -4095)
		return -EPROTO;
	if (rep.ret < 0)
		return plen || nfds ? -EPROTO : rep.ret;
	vprime_unix_arg_size(cmd, &want);
	if (cmd == VPRIME_IOC_SETUP) {
		if (nfds != (int)VPRIME_UNIX_NR_FDS || plen != (size_t)want)
			return -EPROTO;
		/* Only area_size is an output; the rest stays the caller's. */
		memcpy(&((struct vprime_setup *)arg)->area_size,
		       p + offsetof(struct vprime_setup, area_size), sizeof(__u64));
		return vprime_unix_take_fds(u, fds);
	}
	if (nfds)
		return -EPROTO;
	if (cmd == VPRIME_IOC_LIST)
		return plen < sizeof(struct vprime_list) ? -EPROTO :
		       vprime_unix_list_out(p, plen, arg, asked);
	if (plen != (size_t)want)
		return -EPROTO;
	memcpy(arg, p, plen);
	return 0;
}

static int vprime_unix_ioctl(void *ctx, unsigned long cmd, void *arg)
{
	struct vprime_unix *u = ctx;
	struct vprime_list l, *user_list = arg;
	int fds[VPRIME_UNIX_NR_FDS], nfds = 0, len, want, err;
	__u32 asked = 0;
	ssize_t n;

	if (!arg)
		return -EFAULT;
	if (cmd > UINT32_MAX || (len = vprime_unix_arg_size((__u32)cmd, &want)) < 0)
		return -ENOTTY;
	if (u->broken)
		return u->broken;
	if (cmd == VPRIME_IOC_LIST) {
		memcpy(&l, arg, sizeof(l));
		if (l.capacity && !l.entries)
			return -EFAULT;
		asked = l.capacity < VPRIME_UNIX_LIST_MAX ? l.capacity :
							   VPRIME_UNIX_LIST_MAX;
		l.capacity = asked;
		arg = &l;
	}
	err = vprime_unix_send(u, (__u32)cmd, arg, len);
	if (!err) {
		n = vprime_unix_recv(u, fds, &nfds);
		err = n < 0 ? (int)n :
		      vprime_unix_reply(u, (__u32)cmd, arg, n, fds, nfds, asked);
	}
	if (err) {
		/* SETUP keeps its descriptors only when it succeeds. */
		vprime_unix_close_fds(fds, nfds);
		/* A backend's own -errno is an answer; else the link is gone. */
		if (err == -EPROTO || err == -ECONNRESET || err == -EPIPE ||
		    err == -ETIMEDOUT || err == -ENOTCONN)
			u->broken = err;
		return err;
	}
	if (cmd == VPRIME_IOC_LIST)
		user_list->count = l.count;
	return 0;
}

static void *vprime_unix_map(void *ctx, size_t size, int *err)
{
	struct vprime_unix *u = ctx;
	struct stat st;
	void *a;
	int seals;

	*err = -EPROTO;
	if (u->memfd < 0 || fstat(u->memfd, &st) || (size_t)st.st_size != size)
		return NULL;
	seals = fcntl(u->memfd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK))
		return NULL;	/* it could shrink under us: SIGBUS */
	a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, u->memfd, 0);
	if (a == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	close(u->memfd);	/* the mapping keeps the memory */
	u->memfd = -1;
	*err = 0;
	return a;
}

static void vprime_unix_unmap(void *ctx, void *area, size_t size)
{
	(void)ctx;
	munmap(area, size);
}

static int vprime_unix_fd(void *ctx)
{
	return ((struct vprime_unix *)ctx)->ep;
}

static int vprime_unix_wait(void *ctx, int timeout_ms)
{
	struct vprime_unix *u = ctx;
	struct epoll_event ev[2];
	int r, i;

	if (u->broken)
		return u->broken;
	r = epoll_wait(u->ep, ev, 2, timeout_ms);
	if (r < 0)
		return -errno;
	for (i = 0; i < r; i++)
		if (ev[i].data.fd == u->sock)
			return -EIO;	/* the backend hung up */
	return r > 0;
}

static void vprime_unix_close(void *ctx)
{
	struct vprime_unix *u = ctx;
	int fds[] = { u->sock, u->ep, u->efd, u->memfd };

	vprime_unix_close_fds(fds, 4);
	free(u->buf);
	free(u);
}

static const struct vprime_transport vprime_unix_ops = {
	.name = "unix",
	.ioctl = vprime_unix_ioctl,
	.map = vprime_unix_map,
	.unmap = vprime_unix_unmap,
	.fd = vprime_unix_fd,
	.wait = vprime_unix_wait,
	.close = vprime_unix_close,
};

/* Connect to @path, unless u->sock is already connected (NULL @path). */
static int vprime_unix_connect(struct vprime_unix *u, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = VPRIME_UNIX_TIMEOUT_S };
	struct epoll_event ev = { .events = EPOLLRDHUP };
	size_t n = path ? strlen(path) : 0;

	if (path) {
		if (n == 0 || n >= sizeof(sa.sun_path))
			return -EINVAL;
		memcpy(sa.sun_path, path, n);
		u->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (u->sock < 0)
			return -errno;
		if (connect(u->sock, (struct sockaddr *)&sa, sizeof(sa)))
			return -errno;
	}
	if (setsockopt(u->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(u->sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -errno;
	u->ep = epoll_create1(EPOLL_CLOEXEC);
	if (u->ep < 0)
		return -errno;
	ev.data.fd = u->sock;
	if (epoll_ctl(u->ep, EPOLL_CTL_ADD, u->sock, &ev))
		return -errno;
	return 0;
}

/* @path to connect to, or @sock already connected (taken over). */
static int vprime_unix_open(struct vprime **out, const char *path, int sock,
			    const struct vprime_opts *opts)
{
	struct vprime_unix *u;
	int err;

	*out = NULL;
	u = calloc(1, sizeof(*u));
	if (!u) {
		if (sock >= 0)
			close(sock);
		return -ENOMEM;
	}
	u->sock = sock;
	u->ep = u->efd = u->memfd = -1;
	u->buf = malloc(VPRIME_UNIX_REP_MAX);
	err = u->buf ? vprime_unix_connect(u, path) : -ENOMEM;
	if (err) {
		vprime_unix_close(u);
		return err;
	}
	return vprime_open_transport(out, &vprime_unix_ops, u, opts);
}

int vprime_open_unix(struct vprime **out, const char *path,
		     const struct vprime_opts *opts)
{
	return vprime_unix_open(out, path, -1, opts);
}

int vprime_open_unix_sock(struct vprime **out, int sock,
			  const struct vprime_opts *opts)
{
	if (!out || sock < 0)
		return -EINVAL;
	return vprime_unix_open(out, NULL, sock, opts);
}
