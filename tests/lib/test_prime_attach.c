// SPDX-License-Identifier: MIT
/*
 * test_prime_attach.c - examples/prime_attach.c's I/O manager, run over
 * simulated guests on a virtual clock: interfaces map to simulator ids,
 * imports carry dom0 timestamps, exports leave at the simulator's delivery
 * time, and a missed deadline is counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vp_harness.h"
#define PRIME_ATTACH_NO_MAIN
#include "prime_attach.c"

static void test_prime_io(void **state)
{
	static struct prime_io io;
	struct prime_event ev[8];
	struct vh h;
	u8 buf[128];
	struct vh_payload pl;

	(void)state;
	vh_init(&h, 2, 0);
	assert_int_equal(prime_parse_map(&io.ifc[0], "02:00:5e:00:00:00=100"), 0);
	assert_int_equal(prime_parse_map(&io.ifc[1], "02:00:5e:00:00:01=101"), 0);
	assert_int_equal(prime_parse_map(&io.ifc[2], "02:00:5e:00:00=1"), -EINVAL);
	assert_int_equal(prime_parse_map(&io.ifc[2], "02:00:5e:00:00:100=1"),
			 -EINVAL);
	io.nr_ifc = 2;
	assert_int_equal(vprime_open_sim(&io.vp, h.host, NULL), 0);
	assert_int_equal(prime_io_attach(&io), 0);

	/* Import: the id of the interface and the time dom0 took it. */
	h.clock = 7000000;
	vh_frame(buf, 100, 0, 1, 1, h.clock);
	assert_int_equal(vp_sim_guest_send(h.g[0], buf, 100), 0);
	assert_int_equal(prime_io_import(&io, ev, 8), 1);
	assert_int_equal(ev[0].src_id, 100);
	assert_int_equal(ev[0].send_time, 7000000);
	/* Export 1 ms later; nothing arrives before then. */
	assert_int_equal(prime_io_export(&io, &ev[0], &io.ifc[1], 8000000,
					 h.clock), 0);
	assert_int_equal(vprime_sync(io.vp, 0, NULL), 0);
	assert_int_equal(vp_sim_guest_recv(h.g[1], buf, sizeof(buf)), 0);
	h.clock = 8000000;
	assert_int_equal(vprime_sync(io.vp, 0, NULL), 0);
	assert_int_equal(vp_sim_guest_recv(h.g[1], buf, sizeof(buf)), 100);
	assert_int_equal(vh_payload(buf, 100, &pl), 0);
	assert_int_equal(pl.seq, 1);

	/* The whole loop, with the simulator answering too late. */
	vh_frame(buf, 100, 1, 0, 2, h.clock);
	assert_int_equal(vp_sim_guest_send(h.g[1], buf, 100), 0);
	assert_int_equal(vprime_sync(io.vp, VPRIME_SYNC_RX, NULL), 0);
	h.clock = 10000000;	/* the engine got to it 2 ms late */
	assert_int_equal(prime_io_round(&io, h.clock), 0);
	assert_int_equal(vp_sim_guest_recv(h.g[0], buf, sizeof(buf)), 100);
	assert_int_equal(io.missed_deadline, 1);
	assert_int_equal(io.exported, 2);
	vprime_close(io.vp);
	vh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prime_io),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
