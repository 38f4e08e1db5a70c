// SPDX-License-Identifier: MIT
/*
 * The /dev/vprime semantics as the stand-in implements them (the area
 * layout, setup limits, attach by id/name/MAC, ownership, carrier), so
 * engines tested over the stand-in see what they will see on Xen.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vp_test.h"

static struct vp_sim_guest *named(u32 domid, const char *name)
{
	struct vp_sim_guest_cfg cfg = {
		.domid = domid, .devid = 0,
		.mac = { 0x00, 0x16, 0x3e, 0, 0, (u8)domid }, .name = name,
	};
	struct vp_sim_guest *g = vp_sim_guest_new(&cfg);

	assert_non_null(g);
	return g;
}

static void test_setup_limits(void **state)
{
	struct vp_sim_host *h = vp_sim_host_new();
	struct vp_sim_file *f = vp_sim_open(h);
	struct vprime_setup s = { .abi_version = VPRIME_ABI_VERSION,
				  .nr_bufs = 256, .ring_size = 256,
				  .max_ports = 4 };
	struct vprime_setup bad;
	u32 v = 0;

	(void)state;
	assert_int_equal(vp_sim_ioctl(f, VPRIME_IOC_VERSION, &v), 0);
	assert_int_equal(v, VPRIME_ABI_VERSION);
	bad = s; bad.abi_version = 99;
	assert_int_equal(vp_sim_ioctl(f, VPRIME_IOC_SETUP, &bad), -EPROTO);
	bad = s; bad.ring_size = 100;
	assert_int_equal(vp_sim_ioctl(f, VPRIME_IOC_SETUP, &bad), -EINVAL);
	bad = s; bad.ring_size = 8192;
	assert_int_equal(vp_sim_ioctl(f, VPRIME_IOC_SETUP, &bad), -EINVAL);
	bad = s; bad.nr_bufs = VPRIME_NR_BUFS_MAX + 1;
	assert_int_equal(vp_sim_ioctl(f, VPRIME_IOC_SETUP, &bad), -EINVAL);
	bad = s; bad.max_ports = 0;
	assert_int_equal(vp_sim_ioctl(f, VPRIME_IOC_SETUP, &bad), -EINVAL);
	assert_int_equal(vp_sim_ioctl(f, 0x1234, &v), -ENOTTY);
	assert_int_equal(vp_sim_ioctl(f, VPRIME_IOC_SYNC, &v), -ENXIO);
	assert_int_equal(vp_sim_ioctl(f, VPRIME_IOC_SETUP, &s), 0);
	assert_int_equal(vp_sim_ioctl(f, VPRIME_IOC_SETUP, &s), -EBUSY);
	vp_sim_close(f);
	vp_sim_host_free(h);
}

static void test_area_layout(void **state)
{
	struct vprime_setup s = { .abi_version = VPRIME_ABI_VERSION,
				  .nr_bufs = 1000, .ring_size = 512,
				  .max_ports = 3 };
	struct vprime_area_hdr h;

	(void)state;
	assert_int_equal(vp_area_layout(&s, &h), 0);
	assert_int_equal(h.pool_ring_size, 1024);
	assert_int_equal(h.off_fill, 4096);
	assert_true(h.off_comp >= h.off_fill + 128 + 4 * 1024);
	assert_int_equal(h.off_ports % 4096, 0);
	assert_true(h.port_stride >= VPRIME_PORT_DESC_OFF + 2 * 512 * 16);
	assert_int_equal(h.off_bufs % 4096, 0);
	assert_true(h.off_bufs >= h.off_ports + 3 * h.port_stride);
	assert_true(h.area_size >= h.off_bufs + 1000ull * VPRIME_BUF_SIZE);
	/* The largest area stays within what a 64-bit size holds easily. */
	s.nr_bufs = VPRIME_NR_BUFS_MAX;
	s.ring_size = VPRIME_URING_MAX;
	s.max_ports = VPRIME_PORTS_MAX;
	assert_int_equal(vp_area_layout(&s, &h), 0);
	assert_true(h.area_size < (1ull << 32));
}

static void test_attach_by_each_key(void **state)
{
	struct vp_sim_host *h = vp_sim_host_new();
	struct vp_sim_guest *a = named(1, "h1"), *b = named(2, "h2");
	struct vp_test_engine te, other;
	struct vprime_attach at;
	struct vprime_devinfo info[4];
	struct vprime_list l = { .capacity = 4,
				 .entries = (u64)(uintptr_t)info };
	u32 port;

	(void)state;
	assert_int_equal(vp_sim_host_add(h, a), 0);
	assert_int_equal(vp_sim_host_add(h, b), 0);
	vp_test_engine_open(&te, h, 256, 64);
	vp_test_engine_open(&other, h, 256, 64);
	assert_int_equal(vp_sim_ioctl(te.file, VPRIME_IOC_LIST, &l), 0);
	assert_int_equal(l.count, 2);
	assert_string_equal(info[1].name, "h2");
	assert_int_equal(info[0].flags, VPRIME_DEV_F_CONNECTED);

	memset(&at, 0, sizeof(at));
	at.by = VPRIME_ATTACH_BY_NAME;
	strcpy(at.name, "h2");
	assert_int_equal(vp_sim_ioctl(te.file, VPRIME_IOC_ATTACH, &at), 0);
	assert_true(b->ctrl->be_flags & VPRIME_BE_F_CARRIER);
	assert_false(a->ctrl->be_flags & VPRIME_BE_F_CARRIER);
	/* One device, one engine. */
	assert_int_equal(vp_sim_ioctl(other.file, VPRIME_IOC_ATTACH, &at),
			 -EBUSY);
	memset(&at, 0, sizeof(at));
	at.by = VPRIME_ATTACH_BY_MAC;
	memcpy(at.mac, a->cfg.mac, 6);
	assert_int_equal(vp_sim_ioctl(other.file, VPRIME_IOC_ATTACH, &at), 0);
	port = at.port;
	/* Unknown device, bad selector, unterminated name. */
	at.mac[5] = 99;
	assert_int_equal(vp_sim_ioctl(te.file, VPRIME_IOC_ATTACH, &at),
			 -ENODEV);
	at.by = 7;
	assert_int_equal(vp_sim_ioctl(te.file, VPRIME_IOC_ATTACH, &at),
			 -EINVAL);
	at.by = VPRIME_ATTACH_BY_NAME;
	memset(at.name, 'x', sizeof(at.name));
	assert_int_equal(vp_sim_ioctl(te.file, VPRIME_IOC_ATTACH, &at),
			 -EINVAL);
	/* Detach drops the carrier; a bad port is refused. */
	assert_int_equal(vp_sim_ioctl(other.file, VPRIME_IOC_DETACH, &port), 0);
	assert_false(a->ctrl->be_flags & VPRIME_BE_F_CARRIER);
	assert_int_equal(vp_sim_ioctl(other.file, VPRIME_IOC_DETACH, &port),
			 -EINVAL);
	port = 1000;
	assert_int_equal(vp_sim_ioctl(other.file, VPRIME_IOC_DETACH, &port),
			 -EINVAL);
	/* Closing the file (engine died) drops the carrier of what it held. */
	vp_sim_close(te.file);
	assert_false(b->ctrl->be_flags & VPRIME_BE_F_CARRIER);
	at.by = VPRIME_ATTACH_BY_ID;
	at.domid = 2;
	at.devid = 0;
	assert_int_equal(vp_sim_ioctl(other.file, VPRIME_IOC_ATTACH, &at), 0);
	vp_sim_close(other.file);
	vp_sim_guest_free(a);
	vp_sim_guest_free(b);
	vp_sim_host_free(h);
}

static void test_list_capacity(void **state)
{
	struct vp_sim_host *h = vp_sim_host_new();
	struct vp_sim_guest *g[5];
	struct vp_test_engine te;
	struct vprime_devinfo info[2];
	struct vprime_list l = { .capacity = 2,
				 .entries = (u64)(uintptr_t)info };

	(void)state;
	for (u32 i = 0; i < 5; i++) {
		g[i] = named(i + 1, NULL);
		assert_int_equal(vp_sim_host_add(h, g[i]), 0);
	}
	vp_test_engine_open(&te, h, 64, 32);
	assert_int_equal(vp_sim_ioctl(te.file, VPRIME_IOC_LIST, &l), 0);
	assert_int_equal(l.count, 5);
	l.entries = 0;
	assert_int_equal(vp_sim_ioctl(te.file, VPRIME_IOC_LIST, &l), -EFAULT);
	vp_sim_close(te.file);
	for (u32 i = 0; i < 5; i++)
		vp_sim_guest_free(g[i]);
	vp_sim_host_free(h);
}

/* vprime-simhost's areas: a sealed memfd another process maps. */
static void test_shared_area(void **state)
{
	struct vp_sim_host *h = vp_sim_host_new();
	struct vp_test_engine te;
	size_t size;
	u8 *area, *other;
	int fd;

	(void)state;
	vp_test_engine_open(&te, h, 64, 32);
	assert_int_equal(vp_sim_area_fd(te.file), -1);	/* heap by default */
	vp_sim_close(te.file);
	assert_int_equal(vp_sim_host_set_shared(h, true), 0);
	vp_test_engine_open(&te, h, 64, 32);
	fd = vp_sim_area_fd(te.file);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GET_SEALS) & (F_SEAL_SHRINK | F_SEAL_GROW),
			 F_SEAL_SHRINK | F_SEAL_GROW);
	area = vp_sim_area(te.file, &size);
	assert_int_equal(lseek(fd, 0, SEEK_END), (off_t)size);
	other = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(other != MAP_FAILED);
	assert_memory_equal(other, area, sizeof(struct vprime_area_hdr));
	other[size - 1] = 0x5a;			/* the last buffer byte */
	assert_int_equal(area[size - 1], 0x5a);
	assert_int_equal(ftruncate(fd, 4096), -1);	/* sealed */
	munmap(other, size);
	vp_sim_close(te.file);
	vp_sim_host_free(h);
}

/* vp_sim_ready() answers as poll() on /dev/vprime does. */
static void test_ready_as_poll(void **state)
{
	struct vp_sim_host *h = vp_sim_host_new();
	struct vp_sim_guest *a = vp_test_guest(1, 0, 0), *b = vp_test_guest(2, 0, 0);
	struct vp_test_engine te;
	struct vp_eport pb;
	u64 due = UINT64_MAX;
	u32 pa, port_b, tx;
	u8 f[60];

	(void)state;
	assert_int_equal(vp_sim_host_add(h, a), 0);
	assert_int_equal(vp_sim_host_add(h, b), 0);
	vp_test_engine_open(&te, h, 64, 32);
	vp_test_engine_fill(&te, 0, 32);
	pa = vp_test_attach(&te, 1);
	port_b = vp_test_attach(&te, 2);
	assert_false(vp_sim_ready(te.file, 0, &due));
	assert_true(due == UINT64_MAX);
	/* A guest frame waiting. */
	vp_test_frame(f, sizeof(f), b->cfg.mac, a->cfg.mac, 1);
	assert_int_equal(vp_sim_guest_send(a, f, sizeof(f)), 0);
	assert_true(vp_sim_ready(te.file, 0, &due));
	/* On the engine's RX ring, not consumed yet. */
	vp_test_sync(&te);
	assert_true(vp_sim_ready(te.file, 0, &due));
	/* Forwarded, due at 5000: not ready before, ready at its time. */
	assert_int_equal(vp_test_engine_forward(&te, pa, port_b), 1);
	vp_test_port(&te, port_b, &pb);
	tx = pb.tx_idx->prod;
	pb.tx[(tx - 1) & (te.e.hdr.ring_size - 1)].tstamp = 5000;
	assert_false(vp_sim_ready(te.file, 1000, &due));
	assert_true(due == 5000);
	assert_true(vp_sim_ready(te.file, 5000, &due));
	vp_test_sync(&te);	/* the host's clock is long past 5000 */
	assert_int_equal(vp_sim_guest_recv(b, f, sizeof(f)), (int)sizeof(f));
	/* Completions alone do not wake: libvprime reaps them in the call. */
	assert_false(vp_sim_ready(te.file, 0, &due));
	/* A device gone is news until the next SYNC. */
	vp_sim_host_remove(h, b);
	assert_true(vp_sim_ready(te.file, 0, &due));
	vp_test_sync(&te);
	assert_false(vp_sim_ready(te.file, 0, &due));
	vp_sim_close(te.file);
	vp_sim_guest_free(a);
	vp_sim_guest_free(b);
	vp_sim_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_limits),
		cmocka_unit_test(test_area_layout),
		cmocka_unit_test(test_attach_by_each_key),
		cmocka_unit_test(test_list_capacity),
		cmocka_unit_test(test_shared_area),
		cmocka_unit_test(test_ready_as_poll),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
