// SPDX-License-Identifier: MIT
/*
 * fuzz_unix_reply.c - libFuzzer target for libvprime's unix: transport
 * (lib/vprime_unix.c): whatever a simulated host answers.  The harness
 * plays the host on a socketpair: a correct VERSION and SETUP (a sealed
 * memfd area and an eventfd), then one fuzzed reply before each API call
 * the input picks.  Per step: an op byte, a flag byte, a 16-bit
 * little-endian length and the reply's bytes; flag 0x01 stamps the
 * expected magic, sequence and command, 0x02 the payload length, 0x04 a
 * zero return value, 0x08 attaches a descriptor.  The library must never
 * crash, leak or block.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#include "vp_sync.h"
#include "vprime.h"
#include "vprime_transport.h"
#include "vprime_unix.h"

static const struct vprime_opts fz_opts = { .nr_bufs = 64, .ring_size = 32,
					    .max_ports = 4 };

static int fz_memfd(size_t size)
{
	int fd = memfd_create("fz", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, (off_t)size) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW))
		abort();
	return fd;
}

static void fz_send(int fd, const void *msg, size_t len, const int *fds,
		    int nfds)
{
	struct iovec iov = { (void *)msg, len };

	vprime_unix_sendmsg(fd, &iov, 1, fds, nfds, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void fz_reply(int fd, __u32 seq, __u32 cmd, const void *p, size_t len,
		     const int *fds, int nfds)
{
	unsigned char m[sizeof(struct vprime_unix_rep) + 64];
	struct vprime_unix_rep r = { .magic = VPRIME_UNIX_REP_MAGIC, .seq = seq,
				     .cmd = cmd, .len = (__u32)len };

	memcpy(m, &r, sizeof(r));
	memcpy(m + sizeof(r), p, len);
	fz_send(fd, m, sizeof(r) + len, fds, nfds);
}

/* Read the library's requests off the host's end; how many there were. */
static __u32 fz_drain(int fd)
{
	unsigned char buf[VPRIME_UNIX_REQ_MAX];
	__u32 n = 0;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	return n;
}

/* A host that answers VERSION and SETUP correctly. */
static struct vprime *fz_open(int sv[2])
{
	struct vprime_setup s = { .abi_version = VPRIME_ABI_VERSION,
				  .nr_bufs = fz_opts.nr_bufs,
				  .ring_size = fz_opts.ring_size,
				  .max_ports = fz_opts.max_ports };
	struct vprime_area_hdr hdr;
	struct vprime *vp = NULL;
	__u32 v = VPRIME_ABI_VERSION;
	int fds[2];
	void *a;

	if (vp_area_layout(&s, &hdr))
		abort();
	s.area_size = hdr.area_size;
	fds[0] = fz_memfd(hdr.area_size);
	fds[1] = eventfd(0, EFD_CLOEXEC);
	a = mmap(NULL, hdr.area_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fds[0], 0);
	if (a == MAP_FAILED)
		abort();
	memcpy(a, &hdr, sizeof(hdr));	/* the header the library checks */
	munmap(a, hdr.area_size);
	fz_reply(sv[1], 1, VPRIME_IOC_VERSION, &v, sizeof(v), NULL, 0);
	fz_reply(sv[1], 2, VPRIME_IOC_SETUP, &s, sizeof(s), fds, 2);
	close(fds[0]);
	close(fds[1]);
	if (vprime_open_unix_sock(&vp, sv[0], &fz_opts))
		abort();
	fz_drain(sv[1]);
	return vp;
}

static const __u32 fz_op_cmd[] = {
	VPRIME_IOC_LIST, VPRIME_IOC_ATTACH, VPRIME_IOC_SYNC,
	VPRIME_IOC_STATS, VPRIME_IOC_DETACH, VPRIME_IOC_VERSION,
};

static void fz_op(struct vprime *vp, unsigned int op, int *port)
{
	struct vprime_devinfo dev[4];
	struct vprime_sync_res res;
	uint64_t st[VPRIME_STAT_MAX];
	int r;

	switch (op) {
	case 0:
		vprime_list(vp, dev, 4);
		break;
	case 1:
		r = vprime_attach_name(vp, "g1");
		if (r >= 0)
			*port = r;
		break;
	case 2:
		vprime_sync(vp, 0, &res);
		break;
	case 3:
		vprime_port_stats(vp, *port >= 0 ? (uint32_t)*port : 0, st,
				  VPRIME_STAT_MAX);
		break;
	case 4:
		if (*port >= 0 && !vprime_detach(vp, (uint32_t)*port))
			*port = -1;
		break;
	default:
		vprime_wait(vp, 0);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	unsigned char m[VPRIME_UNIX_REP_MAX + 16];
	struct vprime_unix_rep r;
	struct vprime *vp;
	__u32 seq = 2;
	int sv[2], port = -1, extra;
	unsigned int op;
	size_t len;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		abort();
	vp = fz_open(sv);
	while (n >= 4) {
		op = d[0] % 6;
		len = (size_t)d[2] | (size_t)d[3] << 8;
		if (len > n - 4)
			len = n - 4;
		if (len > sizeof(m))
			len = sizeof(m);
		memcpy(m, d + 4, len);
		if (len >= sizeof(r)) {
			memcpy(&r, m, sizeof(r));
			if (d[1] & 0x01) {
				r.magic = VPRIME_UNIX_REP_MAGIC;
				r.seq = seq + 1;
				r.cmd = fz_op_cmd[op];
			}
			if (d[1] & 0x02)
				r.len = (__u32)(len - sizeof(r));
			if (d[1] & 0x04)
				r.ret = 0;
			memcpy(m, &r, sizeof(r));
		}
		extra = (d[1] & 0x08) ? fz_memfd(4096) : -1;
		fz_send(sv[1], m, len, &extra, extra >= 0);
		if (extra >= 0)
			close(extra);
		d += 4 + len;
		n -= 4 + len;
		fz_op(vp, op, &port);
		seq += fz_drain(sv[1]);
	}
	vprime_close(vp);
	close(sv[1]);
	return 0;
}
