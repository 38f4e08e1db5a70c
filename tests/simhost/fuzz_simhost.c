// SPDX-License-Identifier: MIT
/*
 * fuzz_simhost.c - libFuzzer target for what vprime-simhost parses from
 * others: --guest specs (the command line), engine requests (anyone who
 * can reach the socket) and control commands.  The first byte picks the
 * mode; requests and commands go through real socketpairs into the
 * server's own handlers, over a simulated host with two guests, while
 * the guests send frames in between.  Replies are drained and their
 * descriptors closed: a leak shows as LeakSanitizer or fd exhaustion.
 *
 * Request mode framing, per message: a flag byte, a 16-bit little-endian
 * length, then that many bytes.  Flag bits make deep paths reachable: 0x01 stamps the
 * right magic, 0x02 the right payload length, 0x04 takes the command
 * from the first payload byte (one of the seven), 0x08 lets guest 0 send
 * a frame first, 0x10 removes or re-adds guest 1.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vprime_unix.h"
#include "vsh.h"

static const __u32 fz_cmds[] = {
	VPRIME_IOC_VERSION, VPRIME_IOC_SETUP, VPRIME_IOC_LIST,
	VPRIME_IOC_ATTACH, VPRIME_IOC_DETACH, VPRIME_IOC_SYNC,
	VPRIME_IOC_STATS,
};

static void fz_drain(int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl;
	static unsigned char buf[VPRIME_UNIX_REP_MAX + 16];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh;
	struct cmsghdr *c;
	size_t i, k;
	int rfd;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		if (recvmsg(fd, &mh, MSG_DONTWAIT) <= 0)
			return;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_type != SCM_RIGHTS)
				continue;
			k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < k; i++) {
				memcpy(&rfd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				close(rfd);
			}
		}
	}
}

static void fz_host(struct vsh *s)
{
	static const char *specs[] = {
		"name=g1,mac=02:00:00:00:00:01,tap=fz1",
		"name=g2,mac=02:00:00:00:00:02,tap=fz2,mtu=9000",
	};
	char err[128];
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->listen_fd = s->ctl_fd = s->sig_fd = s->timer_fd = -1;
	for (i = 0; i < VSH_MAX_CONNS; i++)
		s->conn[i].fd = s->conn[i].efd = -1;
	for (i = 0; i < VSH_MAX_CTL; i++)
		s->ctl[i].fd = -1;
	s->host = vp_sim_host_new();
	s->frame = malloc(VSH_FRAME_BUF);
	if (!s->host || !s->frame || vp_sim_host_set_shared(s->host, true))
		abort();
	for (i = 0; i < 2; i++) {
		if (vsh_guest_parse(s, specs[i], err, sizeof(err)))
			abort();
		/* Small pools: thousands of hosts a second, same code. */
		s->guest[i].cfg.pool_pages = VPRIME_POOL_PAGES_MIN;
		if (vsh_guest_plug(s, &s->guest[i]))
			abort();
	}
}

static void fz_host_free(struct vsh *s)
{
	unsigned int i;

	for (i = 0; i < VSH_MAX_CONNS; i++)
		vsh_conn_close(&s->conn[i]);
	for (i = 0; i < s->nr_guests; i++)
		vsh_guest_unplug(s, &s->guest[i]);
	vp_sim_host_free(s->host);
	free(s->frame);
}

static void fz_guest_send(struct vsh *s)
{
	u8 f[64] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0 };

	if (s->guest[0].g)
		vp_sim_guest_send(s->guest[0].g, f, sizeof(f));
}

static void fz_requests(const u8 *d, size_t n)
{
	static struct vsh s;
	unsigned char msg[VPRIME_UNIX_REQ_MAX + 64];
	u64 next_due = UINT64_MAX;
	struct vprime_unix_req q;
	struct vsh_conn *c;
	int sv[2];
	size_t len;
	u8 flags;

	fz_host(&s);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		abort();
	c = &s.conn[0];
	c->fd = sv[0];
	c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->f = vp_sim_open(s.host);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	while (n >= 3 && c->fd >= 0) {
		flags = d[0];
		len = (size_t)d[1] | (size_t)d[2] << 8;
		if (len > n - 3)
			len = n - 3;
		if (len > sizeof(msg))
			len = sizeof(msg);
		memcpy(msg, d + 3, len);
		d += 3 + len;
		n -= 3 + len;
		if (len >= sizeof(q)) {
			memcpy(&q, msg, sizeof(q));
			if (flags & 0x01)
				q.magic = VPRIME_UNIX_REQ_MAGIC;
			if (flags & 0x02)
				q.len = (__u32)(len - sizeof(q));
			if ((flags & 0x04) && len > sizeof(q))
				q.cmd = fz_cmds[msg[sizeof(q)] % 7];
			memcpy(msg, &q, sizeof(q));
		}
		if (flags & 0x08)
			fz_guest_send(&s);
		if ((flags & 0x10) && s.guest[1].g)
			vsh_guest_unplug(&s, &s.guest[1]);
		else if (flags & 0x10)
			vsh_guest_plug(&s, &s.guest[1]);
		if (send(sv[1], msg, len, MSG_DONTWAIT) < 0)
			break;
		vsh_conn_serve(&s, c);
		fz_drain(sv[1]);
		vsh_guest_service(&s, &s.guest[0]);
		vsh_guest_service(&s, &s.guest[1]);
		vsh_conn_signal(&s, c, 0, &next_due);
	}
	close(sv[1]);
	fz_host_free(&s);
}

static void fz_control(const u8 *d, size_t n)
{
	static struct vsh s;
	struct vsh_ctl_client *c;
	int sv[2];

	fz_host(&s);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		abort();
	c = &s.ctl[0];
	c->fd = sv[0];
	/* Commands separated by ';' so one input runs a sequence. */
	while (n && c->fd >= 0) {
		const u8 *end = memchr(d, ';', n);
		size_t len = end ? (size_t)(end - d) : n;

		send(sv[1], d, len, MSG_DONTWAIT);
		vsh_ctl_serve(&s, c);
		fz_drain(sv[1]);
		d += len + (end ? 1 : 0);
		n -= len + (end ? 1 : 0);
	}
	if (c->fd >= 0)
		close(c->fd);
	close(sv[1]);
	fz_host_free(&s);
}

static void fz_spec(const u8 *d, size_t n)
{
	static struct vsh s;
	char spec[512], err[256];

	memset(&s, 0, sizeof(s));
	if (n >= sizeof(spec))
		n = sizeof(spec) - 1;
	memcpy(spec, d, n);
	spec[n] = '\0';
	/* Twice: the second meets the first in the uniqueness rules. */
	if (!vsh_guest_parse(&s, spec, err, sizeof(err)))
		vsh_guest_parse(&s, spec, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const u8 *d, size_t n);

int LLVMFuzzerTestOneInput(const u8 *d, size_t n)
{
	if (n < 1)
		return 0;
	switch (d[0] % 3) {
	case 0:
		fz_spec(d + 1, n - 1);
		break;
	case 1:
		fz_requests(d + 1, n - 1);
		break;
	default:
		fz_control(d + 1, n - 1);
		break;
	}
	return 0;
}
