// SPDX-License-Identifier: MIT
/*
 * vsh_conn.c - the engine side: a SOCK_SEQPACKET socket where each
 * connection is one engine's open "file" on the simulated backend
 * (vp_sim_open()), answering the VPRIME_IOC_* requests of libvprime's
 * unix: transport (wire format: lib/vprime_unix.h) with the stand-in's
 * kernel semantics.
 *
 * An engine is trusted but fallible, and anyone who can reach the socket
 * can talk to it: a request of the wrong size or an unknown command is
 * answered with -EINVAL/-ENOTTY and counted; a message that is not a
 * request at all (short, bad magic, descriptors attached) or a client
 * that does not read its replies is disconnected, which detaches its
 * ports as if an engine had died.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vprime_unix.h"
#include "vsh.h"

static int vsh_sockaddr(const char *path, struct sockaddr_un *sa)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sa->sun_path))
		return -1;
	memcpy(sa->sun_path, path, n);
	return 0;
}

/*
 * Listen at @path (mode 0600).  A socket file nobody answers on is a
 * leftover of a dead server and is replaced; a live one is refused.
 */
int vsh_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd;

	if (vsh_sockaddr(path, &sa)) {
		snprintf(err, errlen, "%s: want 1..%zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(err, errlen, "%s: in use by a running server", path);
		close(fd);
		return -1;
	}
	if (errno == ECONNREFUSED)
		unlink(path);
	close(fd);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(path, 0600) || listen(fd, 8))
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

void vsh_conn_accept(struct vsh *s)
{
	struct vsh_conn *c = NULL;
	int fd, i;

	fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < VSH_MAX_CONNS && !c; i++)
		if (s->conn[i].fd < 0)
			c = &s->conn[i];
	if (!c) {
		s->conns_refused++;
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->f = vp_sim_open(s->host);
	if (c->efd < 0 || !c->f) {
		if (c->efd >= 0)
			close(c->efd);
		vp_sim_close(c->f);
		close(fd);
		c->fd = -1;
		return;
	}
	c->fd = fd;
	if (s->verbose)
		fprintf(stderr, "vprime-simhost: engine %d connected\n",
			(int)(c - s->conn));
}

/* The engine is gone: its ports detach, its guests lose carrier. */
void vsh_conn_close(struct vsh_conn *c)
{
	if (c->fd < 0)
		return;
	vp_sim_close(c->f);
	close(c->efd);
	close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->efd = -1;
}

static int vsh_conn_send(struct vsh_conn *c, const struct vprime_unix_req *q,
			 int ret, const void *p, size_t len, const int *fds,
			 int nfds)
{
	struct vprime_unix_rep rep = {
		.magic = VPRIME_UNIX_REP_MAGIC, .seq = q->seq, .cmd = q->cmd,
		.ret = ret, .len = (__u32)len,
	};
	struct iovec iov[2] = { { &rep, sizeof(rep) }, { (void *)p, len } };

	return vprime_unix_sendmsg(c->fd, iov, len ? 2 : 1, fds, nfds,
				   MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1 : 0;
}

/* LIST: the entries go in the reply, after the struct. */
static int vsh_conn_list(struct vsh_conn *c, const struct vprime_unix_req *q,
			 const void *arg)
{
	static struct vprime_devinfo ent[VPRIME_UNIX_LIST_MAX];
	static unsigned char out[sizeof(struct vprime_list) + sizeof(ent)];
	struct vprime_list l;
	u32 n;
	int r;

	memcpy(&l, arg, sizeof(l));
	if (l.capacity > VPRIME_UNIX_LIST_MAX)
		l.capacity = VPRIME_UNIX_LIST_MAX;
	l.entries = (uintptr_t)ent;
	r = vp_sim_ioctl(c->f, VPRIME_IOC_LIST, &l);
	if (r)
		return vsh_conn_send(c, q, r, NULL, 0, NULL, 0);
	n = l.count < l.capacity ? l.count : l.capacity;
	l.capacity = n;
	l.entries = 0;
	memcpy(out, &l, sizeof(l));
	memcpy(out + sizeof(l), ent, n * sizeof(ent[0]));
	return vsh_conn_send(c, q, 0, out, sizeof(l) + n * sizeof(ent[0]),
			     NULL, 0);
}

/* One well-formed request: the stand-in answers it as the kernel would. */
static int vsh_conn_dispatch(struct vsh *s, struct vsh_conn *c,
			     const struct vprime_unix_req *q, const void *p)
{
	union {
		__u32 u32;
		struct vprime_setup setup;
		struct vprime_attach attach;
		struct vprime_sync sync;
		struct vprime_stats stats;
	} arg;
	int want, len = vprime_unix_arg_size(q->cmd, &want), r;
	int fds[VPRIME_UNIX_NR_FDS];

	if (len < 0 || (u32)len != q->len) {
		s->bad_requests++;
		return vsh_conn_send(c, q, len < 0 ? -ENOTTY : -EINVAL, NULL, 0,
				     NULL, 0);
	}
	if (q->cmd == VPRIME_IOC_LIST)
		return vsh_conn_list(c, q, p);
	memset(&arg, 0, sizeof(arg));
	memcpy(&arg, p, (size_t)len);
	r = vp_sim_ioctl(c->f, q->cmd, &arg);
	if (r)
		return vsh_conn_send(c, q, r, NULL, 0, NULL, 0);
	if (q->cmd == VPRIME_IOC_SETUP) {
		fds[0] = vp_sim_area_fd(c->f);
		fds[1] = c->efd;
		return vsh_conn_send(c, q, 0, &arg, (size_t)want, fds, 2);
	}
	return vsh_conn_send(c, q, 0, &arg, (size_t)want, NULL, 0);
}

/*
 * One message off the connection.  Returns 1 if one was served, 0 if
 * none was waiting, -1 if the connection must go.
 */
static int vsh_conn_one(struct vsh *s, struct vsh_conn *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl;
	union {
		unsigned char b[VPRIME_UNIX_REQ_MAX];
		struct vprime_unix_req q;
	} m;
	struct iovec iov = { .iov_base = m.b, .iov_len = sizeof(m.b) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;
	bool fds = false;
	ssize_t n;

	n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int), i;
		int fd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; i < k; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			close(fd);
		}
		fds = true;
	}
	if (fds || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    n < (ssize_t)sizeof(m.q) || m.q.magic != VPRIME_UNIX_REQ_MAGIC ||
	    m.q.len != (size_t)n - sizeof(m.q)) {
		s->bad_requests++;
		return -1;
	}
	c->requests++;
	/* Level-triggered, as poll() on the device: looked at again below. */
	if (c->signaled) {
		eventfd_t v;

		eventfd_read(c->efd, &v);
		c->signaled = false;
	}
	return vsh_conn_dispatch(s, c, &m.q, m.b + sizeof(m.q)) ? -1 : 1;
}

void vsh_conn_serve(struct vsh *s, struct vsh_conn *c)
{
	int i, r = 0;

	for (i = 0; i < 16; i++) {
		r = vsh_conn_one(s, c);
		if (r <= 0)
			break;
	}
	if (r < 0) {
		if (s->verbose)
			fprintf(stderr, "vprime-simhost: engine %d gone\n",
				(int)(c - s->conn));
		vsh_conn_close(c);
	}
}

/* Wake the engine if the device's poll() would: its eventfd goes up. */
void vsh_conn_signal(struct vsh *s, struct vsh_conn *c, u64 now,
		     u64 *next_due)
{
	(void)s;
	if (c->fd < 0 || c->signaled)
		return;
	if (vp_sim_ready(c->f, now, next_due)) {
		eventfd_write(c->efd, 1);
		c->signaled = true;
	}
}
