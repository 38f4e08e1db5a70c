// SPDX-License-Identifier: MIT
/*
 * test_unix.c - libvprime's "unix:" transport against a backend in a
 * thread that answers with the simulated stand-in (tests/sim, memfd areas)
 * and, per test, corrupts one reply: every bad reply (magic, sequence,
 * command, size, return value, descriptors, area) is refused with -EPROTO,
 * breaks the connection for good, and leaks no descriptor; the backend's
 * own -errno answers pass through; a backend that hangs up is reported.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "vp_sim.h"
#include "vprime.h"
#include "vprime_unix.h"

enum bad {
	BAD_NONE,
	BAD_MAGIC,
	BAD_SEQ,
	BAD_CMD,
	BAD_SHORT,	/* payload one byte short */
	BAD_LONG,	/* over the largest reply: truncated */
	BAD_RET_POS,
	BAD_RET_BIG,
	BAD_ERR_DATA,	/* an error with a payload */
	BAD_NO_FDS,
	BAD_EXTRA_FD,	/* a descriptor where none belongs */
	BAD_THREE_FDS,
	BAD_UNSEALED,	/* SETUP: a memfd that could shrink */
	BAD_SMALL_AREA,	/* SETUP: memfd smaller than the area */
	BAD_AREA_SIZE,	/* SETUP: area_size not the layout's */
	BAD_LIST_CAP,	/* LIST: more entries than asked for */
	BAD_PORT,	/* ATTACH: a port outside the area */
	BAD_HANGUP,	/* close instead of answering */
};

struct fake {
	char path[108];
	int lfd;
	pthread_t th;
	enum bad bad;
	u32 on_cmd;
	struct vp_sim_host *h;
	struct vp_sim_guest *g;
};

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int memfd_of(size_t size, bool seal)
{
	int fd = memfd_create("bad", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (seal)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
	return fd;
}

static void fake_send(int fd, const void *msg, size_t len, const int *fds,
		      int nfds)
{
	struct iovec iov = { (void *)msg, len };

	/* the library may have hung up already: what it saw is the test */
	(void)vprime_unix_sendmsg(fd, &iov, 1, fds, nfds, MSG_NOSIGNAL);
}

/* The stand-in's real answer to one request, into @out; returns its size. */
static size_t fake_answer(struct vp_sim_file *f, const struct vprime_unix_req *q,
			  const unsigned char *p, unsigned char *out, int *fds,
			  int *nfds)
{
	static struct vprime_devinfo ent[8];
	struct vprime_unix_rep rep = { .magic = VPRIME_UNIX_REP_MAGIC,
				       .seq = q->seq, .cmd = q->cmd };
	unsigned char arg[sizeof(struct vprime_stats)] = { 0 };
	size_t len;
	int want;

	vprime_unix_arg_size(q->cmd, &want);
	memcpy(arg, p, q->len);
	len = (size_t)want;
	if (q->cmd == VPRIME_IOC_LIST) {
		struct vprime_list *l = (struct vprime_list *)arg;

		l->capacity = l->capacity < 8 ? l->capacity : 8;
		l->entries = (uintptr_t)ent;
		rep.ret = vp_sim_ioctl(f, q->cmd, l);
		l->capacity = l->count < l->capacity ? l->count : l->capacity;
		memcpy(arg + sizeof(*l), ent, l->capacity * sizeof(ent[0]));
		len += l->capacity * sizeof(ent[0]);
		l->entries = 0;
	} else {
		rep.ret = vp_sim_ioctl(f, q->cmd, arg);
	}
	if (rep.ret)
		len = 0;
	rep.len = (u32)len;
	memcpy(out, &rep, sizeof(rep));
	memcpy(out + sizeof(rep), arg, len);
	*nfds = 0;
	if (q->cmd == VPRIME_IOC_SETUP && !rep.ret) {
		fds[0] = vp_sim_area_fd(f);
		fds[1] = eventfd(0, EFD_CLOEXEC);
		*nfds = 2;
	}
	return sizeof(rep) + len;
}

/* Apply the test's corruption; returns the new length. */
static size_t fake_corrupt(struct fake *fk, unsigned char *out, size_t len,
			   int *fds, int *nfds, int *own)
{
	struct vprime_unix_rep *r = (struct vprime_unix_rep *)out;
	struct vprime_setup *s = (struct vprime_setup *)(r + 1);
	struct vprime_list *l = (struct vprime_list *)(r + 1);

	switch (fk->bad) {
	case BAD_MAGIC: r->magic ^= 1; break;
	case BAD_SEQ: r->seq++; break;
	case BAD_CMD: r->cmd ^= 0x100; break;
	case BAD_SHORT: r->len--; len--; break;
	case BAD_LONG: len = VPRIME_UNIX_REP_MAX + 8; r->len = (u32)(len - sizeof(*r)); break;
	case BAD_RET_POS: r->ret = 5; break;
	case BAD_RET_BIG: r->ret = -5000; r->len = 0; len = sizeof(*r); break;
	case BAD_ERR_DATA: r->ret = -EIO; break;
	case BAD_NO_FDS: *nfds = 0; break;
	case BAD_EXTRA_FD: fds[0] = own[0] = memfd_of(8, true); *nfds = 1; break;
	case BAD_THREE_FDS: fds[2] = own[2] = memfd_of(8, true); *nfds = 3; break;
	case BAD_UNSEALED: fds[0] = own[0] = memfd_of(s->area_size, false); break;
	case BAD_SMALL_AREA: fds[0] = own[0] = memfd_of(s->area_size - 4096, true); break;
	case BAD_AREA_SIZE: s->area_size += 4096; break;
	case BAD_LIST_CAP: l->capacity++; r->len += sizeof(struct vprime_devinfo);
		len += sizeof(struct vprime_devinfo); break;
	case BAD_PORT: ((struct vprime_attach *)(r + 1))->port = 1000; break;
	default: break;
	}
	return len;
}

static void *fake_main(void *arg)
{
	static unsigned char out[VPRIME_UNIX_REP_MAX + 64];
	struct fake *fk = arg;
	struct vp_sim_file *f = vp_sim_open(fk->h);
	unsigned char in[VPRIME_UNIX_REQ_MAX];
	int fd = accept(fk->lfd, NULL, NULL), fds[3], nfds, i;
	ssize_t n;

	while (fd >= 0 && (n = recv(fd, in, sizeof(in), 0)) >= 16) {
		struct vprime_unix_req q;
		int own[3] = { -1, -1, -1 };
		size_t len;

		memcpy(&q, in, sizeof(q));
		len = fake_answer(f, &q, in + sizeof(q), out, fds, &nfds);
		own[1] = nfds == 2 ? fds[1] : -1;
		if (q.cmd == fk->on_cmd && fk->bad == BAD_HANGUP)
			break;
		if (q.cmd == fk->on_cmd)
			len = fake_corrupt(fk, out, len, fds, &nfds, own);
		fake_send(fd, out, len, fds, nfds);
		for (i = 0; i < 3; i++)
			if (own[i] >= 0)
				close(own[i]);
	}
	if (fd >= 0)
		close(fd);
	vp_sim_close(f);
	return NULL;
}

static struct fake *fake_start(enum bad bad, unsigned long on_cmd)
{
	struct fake *fk = calloc(1, sizeof(*fk));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vp_sim_guest_cfg cfg = { .domid = 1, .mac = { 2, 0, 0, 0, 0, 1 },
					.name = "g1" };

	assert_non_null(fk);
	fk->bad = bad;
	fk->on_cmd = (u32)on_cmd;
	snprintf(fk->path, sizeof(fk->path), "/tmp/vprime-test-unix.%d",
		 (int)getpid());
	unlink(fk->path);
	memcpy(sa.sun_path, fk->path, strlen(fk->path));
	fk->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(fk->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fk->lfd, 1), 0);
	fk->h = vp_sim_host_new();
	assert_int_equal(vp_sim_host_set_shared(fk->h, true), 0);
	fk->g = vp_sim_guest_new(&cfg);
	assert_int_equal(vp_sim_host_add(fk->h, fk->g), 0);
	assert_int_equal(pthread_create(&fk->th, NULL, fake_main, fk), 0);
	return fk;
}

static void fake_stop(struct fake *fk)
{
	pthread_join(fk->th, NULL);
	close(fk->lfd);
	unlink(fk->path);
	vp_sim_host_remove(fk->h, fk->g);
	vp_sim_guest_free(fk->g);
	vp_sim_host_free(fk->h);
	free(fk);
}

static const struct vprime_opts small = { .nr_bufs = 256, .ring_size = 64,
					  .max_ports = 4 };

static int fake_open(struct fake *fk, struct vprime **vp)
{
	char dev[128];

	snprintf(dev, sizeof(dev), "unix:%s", fk->path);
	return vprime_open(vp, dev, &small);
}

/* Open against a backend that corrupts @cmd's reply: -EPROTO, no leak. */
static void open_refused(enum bad bad, unsigned long cmd)
{
	int fds0 = fd_count();
	struct fake *fk = fake_start(bad, cmd);
	struct vprime *vp = (struct vprime *)1;

	assert_int_equal(fake_open(fk, &vp), -EPROTO);
	assert_null(vp);
	fake_stop(fk);
	assert_int_equal(fd_count(), fds0);
}

static void test_good(void **state)
{
	int fds0 = fd_count();
	struct fake *fk = fake_start(BAD_NONE, 0);
	u8 frame[60] = { 2, 0, 0, 0, 0, 9, 2, 0, 0, 0, 0, 1, 8, 0 };
	struct vprime_devinfo d[4];
	struct vprime_frame fr[4];
	struct vprime *vp;
	struct pollfd pfd;
	int port;

	(void)state;
	assert_int_equal(fake_open(fk, &vp), 0);
	assert_int_equal(vprime_list(vp, d, 4), 1);
	assert_string_equal(d[0].name, "g1");
	port = vprime_attach_name(vp, "g1");
	assert_int_equal(port, 0);
	assert_int_equal(vprime_port_state(vp, 0), VPRIME_PORT_ATTACHED);
	/* Between requests the backend thread sleeps in recv(). */
	assert_int_equal(vp_sim_guest_send(fk->g, frame, sizeof(frame)), 0);
	assert_int_equal(vprime_sync(vp, 0, NULL), 0);
	assert_int_equal(vprime_rx_peek(vp, fr, 4), 1);
	assert_int_equal(fr[0].len, sizeof(frame));
	assert_memory_equal(fr[0].seg[0].data, frame, sizeof(frame));
	assert_int_equal(vprime_tx_submit(vp, 0, &fr[0], 0), 0);
	assert_int_equal(vprime_sync(vp, 0, NULL), 0);
	assert_int_equal(vp_sim_guest_recv(fk->g, frame, sizeof(frame)), 60);
	/* The backend's own answers are not protocol errors. */
	assert_int_equal(vprime_attach_name(vp, "nosuch"), -ENODEV);
	assert_int_equal(vprime_attach_name(vp, "g1"), -EBUSY);
	assert_int_equal(vprime_sync(vp, 0, NULL), 0);
	/* Nothing signalled: the descriptor is not readable. */
	pfd = (struct pollfd){ .fd = vprime_fd(vp), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(vprime_wait(vp, 0), 0);
	vprime_close(vp);
	fake_stop(fk);
	assert_int_equal(fd_count(), fds0);
}

static void test_bad_header(void **state)
{
	(void)state;
	open_refused(BAD_MAGIC, VPRIME_IOC_VERSION);
	open_refused(BAD_SEQ, VPRIME_IOC_VERSION);
	open_refused(BAD_CMD, VPRIME_IOC_VERSION);
	open_refused(BAD_SHORT, VPRIME_IOC_VERSION);
	open_refused(BAD_LONG, VPRIME_IOC_VERSION);
	open_refused(BAD_RET_POS, VPRIME_IOC_VERSION);
	open_refused(BAD_RET_BIG, VPRIME_IOC_VERSION);
	open_refused(BAD_ERR_DATA, VPRIME_IOC_VERSION);
	open_refused(BAD_EXTRA_FD, VPRIME_IOC_VERSION);
}

static void test_bad_setup(void **state)
{
	(void)state;
	open_refused(BAD_NO_FDS, VPRIME_IOC_SETUP);
	open_refused(BAD_THREE_FDS, VPRIME_IOC_SETUP);
	open_refused(BAD_UNSEALED, VPRIME_IOC_SETUP);
	open_refused(BAD_SMALL_AREA, VPRIME_IOC_SETUP);
	open_refused(BAD_AREA_SIZE, VPRIME_IOC_SETUP);
	open_refused(BAD_SHORT, VPRIME_IOC_SETUP);
}

/*
 * A bad reply later on: refused; a malformed message breaks the
 * connection for good, a well-formed one with a wrong value (a port
 * outside the area, caught by the library as over /dev/vprime) does not.
 */
static void after_open_refused(enum bad bad, unsigned long cmd, bool breaks)
{
	int fds0 = fd_count();
	struct fake *fk = fake_start(bad, cmd);
	struct vprime_devinfo d[4];
	struct vprime *vp;

	assert_int_equal(fake_open(fk, &vp), 0);
	if (cmd == VPRIME_IOC_LIST)
		assert_int_equal(vprime_list(vp, d, 1), -EPROTO);
	else
		assert_int_equal(vprime_attach_name(vp, "g1"), -EPROTO);
	assert_int_equal(vprime_sync(vp, 0, NULL), breaks ? -EPROTO : 0);
	assert_int_equal(vprime_wait(vp, 0), breaks ? -EPROTO : 0);
	vprime_close(vp);
	fake_stop(fk);
	assert_int_equal(fd_count(), fds0);
}

static void test_bad_later(void **state)
{
	(void)state;
	after_open_refused(BAD_LIST_CAP, VPRIME_IOC_LIST, true);
	after_open_refused(BAD_PORT, VPRIME_IOC_ATTACH, false);
	after_open_refused(BAD_EXTRA_FD, VPRIME_IOC_ATTACH, true);
	after_open_refused(BAD_SHORT, VPRIME_IOC_ATTACH, true);
	after_open_refused(BAD_SEQ, VPRIME_IOC_ATTACH, true);
}

static void test_hangup(void **state)
{
	int fds0 = fd_count();
	struct fake *fk = fake_start(BAD_HANGUP, VPRIME_IOC_ATTACH);
	struct vprime *vp;
	struct pollfd pfd;

	(void)state;
	assert_int_equal(fake_open(fk, &vp), 0);
	assert_int_equal(vprime_attach_name(vp, "g1"), -ECONNRESET);
	/* The descriptor says so too: an engine asleep in poll() wakes. */
	pfd = (struct pollfd){ .fd = vprime_fd(vp), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_int_equal(vprime_sync(vp, 0, NULL), -ECONNRESET);
	vprime_close(vp);
	fake_stop(fk);
	assert_int_equal(fd_count(), fds0);
}

static void test_paths(void **state)
{
	char longp[200];
	struct vprime *vp;
	struct fake *fk;

	(void)state;
	assert_int_equal(vprime_open(&vp, "unix:", NULL), -EINVAL);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	memcpy(longp, "unix:/", 6);
	assert_int_equal(vprime_open(&vp, longp, NULL), -EINVAL);
	assert_int_equal(vprime_open(&vp, "unix:/nonexistent/vprime.sock", NULL),
			 -ENOENT);
	/* No path: $VPRIME_DEVICE names the backend. */
	fk = fake_start(BAD_NONE, 0);
	snprintf(longp, sizeof(longp), "unix:%s", fk->path);
	assert_int_equal(setenv("VPRIME_DEVICE", longp, 1), 0);
	assert_int_equal(vprime_open(&vp, NULL, &small), 0);
	assert_int_equal(vprime_attach_name(vp, "g1"), 0);
	vprime_close(vp);
	fake_stop(fk);
	assert_int_equal(setenv("VPRIME_DEVICE", "/nonexistent/vprime", 1), 0);
	assert_int_equal(vprime_open(&vp, NULL, NULL), -ENOENT);
	unsetenv("VPRIME_DEVICE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bad_setup),
		cmocka_unit_test(test_bad_later),
		cmocka_unit_test(test_hangup),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
