/* SPDX-License-Identifier: MIT */
/*
 * vprime_unix.h - the wire format of the "unix:" transport: libvprime
 * (lib/vprime_unix.c) talking to a simulated backend in another process
 * (tests/simhost, vprime-simhost) over a SOCK_SEQPACKET socket.  Not part
 * of the public API; docs/simhost.md is the prose version.
 *
 * One message per request, one per reply, strictly in turn.  A request is
 * struct vprime_unix_req and the argument of the VPRIME_IOC_* it names; a
 * reply is struct vprime_unix_rep and, when ret is 0, the argument as the
 * kernel would have written it back.  Sizes are exact: anything else is a
 * protocol error.  Per command (payload bytes):
 *
 *   VERSION  req 0                        rep u32
 *   SETUP    req struct vprime_setup      rep struct vprime_setup, and two
 *            descriptors (SCM_RIGHTS): the area's memfd (sealed against
 *            shrinking) and an eventfd the backend signals when an attached
 *            port has work (what poll() on /dev/vprime says)
 *   LIST     req struct vprime_list       rep struct vprime_list (count:
 *            every device; capacity: entries that follow) + entries; the
 *            request's entries pointer is not used
 *   ATTACH   req/rep struct vprime_attach
 *   DETACH   req u32 port                 rep 0
 *   SYNC     req/rep struct vprime_sync
 *   STATS    req/rep struct vprime_stats
 *
 * Timestamps in the area are CLOCK_MONOTONIC ns of the shared machine.
 */
#ifndef VPRIME_UNIX_H
#define VPRIME_UNIX_H

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/types.h>
#include "vprime_abi.h"

#define VPRIME_UNIX_PREFIX	"unix:"
#define VPRIME_UNIX_REQ_MAGIC	0x51555056u	/* "VPUQ" */
#define VPRIME_UNIX_REP_MAGIC	0x52555056u	/* "VPUR" */
#define VPRIME_UNIX_LIST_MAX	1024u	/* entries one LIST reply carries */
#define VPRIME_UNIX_NR_FDS	2u	/* SETUP: area memfd, eventfd */

struct vprime_unix_req {
	__u32 magic;		/* VPRIME_UNIX_REQ_MAGIC */
	__u32 seq;		/* echoed in the reply */
	__u32 cmd;		/* VPRIME_IOC_* */
	__u32 len;		/* payload bytes that follow */
};

struct vprime_unix_rep {
	__u32 magic;		/* VPRIME_UNIX_REP_MAGIC */
	__u32 seq;		/* the request's */
	__u32 cmd;		/* the request's */
	__s32 ret;		/* 0 or -errno (-4095..-1) */
	__u32 len;		/* payload bytes that follow (0 when ret < 0) */
	__u32 rsvd;
};

/* The largest payloads either way. */
#define VPRIME_UNIX_REQ_MAX	(sizeof(struct vprime_unix_req) + \
				 sizeof(struct vprime_stats))
#define VPRIME_UNIX_REP_MAX	(sizeof(struct vprime_unix_rep) + \
				 sizeof(struct vprime_list) + \
				 VPRIME_UNIX_LIST_MAX * \
					 sizeof(struct vprime_devinfo))

VPRIME_STATIC_ASSERT(sizeof(struct vprime_unix_req) == 16, "unix req size");
VPRIME_STATIC_ASSERT(sizeof(struct vprime_unix_rep) == 24, "unix rep size");

/*
 * The payload a command carries in its request and in a successful reply,
 * not counting LIST's entries; -1 for a command the protocol lacks.
 */
static inline int vprime_unix_arg_size(__u32 cmd, int *rep)
{
	switch (cmd) {
	case VPRIME_IOC_VERSION:
		*rep = sizeof(__u32);
		return 0;
	case VPRIME_IOC_SETUP:
		*rep = sizeof(struct vprime_setup);
		return *rep;
	case VPRIME_IOC_LIST:
		*rep = sizeof(struct vprime_list);
		return *rep;
	case VPRIME_IOC_ATTACH:
		*rep = sizeof(struct vprime_attach);
		return *rep;
	case VPRIME_IOC_DETACH:
		*rep = 0;
		return sizeof(__u32);
	case VPRIME_IOC_SYNC:
		*rep = sizeof(struct vprime_sync);
		return *rep;
	case VPRIME_IOC_STATS:
		*rep = sizeof(struct vprime_stats);
		return *rep;
	default:
		*rep = -1;
		return -1;
	}
}

/*
 * The most descriptors one message may carry: SETUP's two, and room for a
 * server (or a test playing a hostile one) to send more than the protocol
 * allows, which the library must refuse.
 */
#define VPRIME_UNIX_SEND_FDS_MAX	4

/*
 * Send one message of @niov parts with @nfds descriptors attached
 * (SCM_RIGHTS): the backend side's replies, and the tests' hand-made ones.
 * Returns what sendmsg() returns; -1 with EINVAL for too many descriptors.
 */
static inline long vprime_unix_sendmsg(int sock, struct iovec *iov, int niov,
				       const int *fds, int nfds, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VPRIME_UNIX_SEND_FDS_MAX)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)niov };
	struct cmsghdr *c;

	if (nfds < 0 || nfds > VPRIME_UNIX_SEND_FDS_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (nfds) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	return sendmsg(sock, &mh, flags);
}

#endif /* VPRIME_UNIX_H */
