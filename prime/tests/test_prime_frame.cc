// SPDX-License-Identifier: MIT
/*
 * test_prime_frame.cc - the byte-level half of PRIMEX's vprime device
 * (vprime_frame.cc, vprime_xring.h), built as PRIMEX builds it (gnu++98)
 * under ASan+UBSan: what a guest frame is to PRIME, what is refused and
 * counted, the ARP replies, the MAC syntax of a model's device=, and the
 * ring between the device's two threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
extern "C" {
#include <cmocka.h>
}

#include "os/emu/vprime_frame.h"
#include "os/emu/vprime_xring.h"

using namespace prime::ssfnet;

static const uint8_t guest_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t sim_mac[6] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x07 };

static uint32_t eth(uint8_t* b, uint16_t type)
{
	memset(b, 0xee, 6);
	memcpy(b + 6, guest_mac, 6);
	b[12] = (uint8_t)(type >> 8);
	b[13] = (uint8_t)type;
	return 14;
}

/* An IPv4/UDP frame of @payload bytes, padded to @frame_len if longer. */
static uint32_t ipv4(uint8_t* b, uint32_t payload, uint32_t frame_len)
{
	uint32_t n = eth(b, 0x0800);
	uint32_t total = 20 + 8 + payload;
	uint8_t* ip = b + n;

	memset(ip, 0, total);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(total >> 8);
	ip[3] = (uint8_t)total;
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 10; ip[13] = 0; ip[14] = 0; ip[15] = 2;
	ip[16] = 10; ip[17] = 0; ip[18] = 1; ip[19] = 2;
	n += total;
	if (frame_len > n) {
		memset(b + n, 0, frame_len - n);
		n = frame_len;
	}
	return n;
}

static uint32_t arp(uint8_t* b, uint16_t op, uint32_t sender, uint32_t target)
{
	uint32_t n = eth(b, 0x0806);
	uint8_t* a = b + n;

	memset(a, 0, 28);
	a[1] = 1;
	a[2] = 0x08;
	a[4] = 6;
	a[5] = 4;
	a[7] = (uint8_t)op;
	memcpy(a + 8, guest_mac, 6);
	a[14] = (uint8_t)(sender >> 24); a[15] = (uint8_t)(sender >> 16);
	a[16] = (uint8_t)(sender >> 8); a[17] = (uint8_t)sender;
	a[24] = (uint8_t)(target >> 24); a[25] = (uint8_t)(target >> 16);
	a[26] = (uint8_t)(target >> 8); a[27] = (uint8_t)target;
	return n + 28;
}

static void test_ipv4_taken_padding_cut(void** state)
{
	uint8_t b[128];
	VPrimeFrameInfo info;
	uint32_t n = ipv4(b, 4, 60);	/* 46 bytes of IP in a 60-byte frame */

	(void)state;
	assert_int_equal(vprimeFrameClassify(b, n, guest_mac, &info), VPRIME_FRAME_ipv4);
	assert_int_equal(info.ip_len, 32);
	assert_int_equal(info.src_ip, 0x0a000002);
	assert_int_equal(info.dst_ip, 0x0a000102);
	assert_memory_equal(info.src_mac, guest_mac, 6);
}

static void test_refused_frames(void** state)
{
	uint8_t b[128] = { 0 };
	VPrimeFrameInfo info;
	uint32_t n;
	uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x99 };

	(void)state;
	/* runts: nothing, a partial header */
	assert_int_equal(vprimeFrameClassify(b, 0, guest_mac, &info), VPRIME_FRAME_runt);
	assert_int_equal(vprimeFrameClassify(0, 60, guest_mac, &info), VPRIME_FRAME_runt);
	assert_int_equal(vprimeFrameClassify(b, 13, guest_mac, &info), VPRIME_FRAME_runt);
	/* a source MAC that is not the guest's */
	n = ipv4(b, 10, 0);
	assert_int_equal(vprimeFrameClassify(b, n, other, &info), VPRIME_FRAME_wrong_mac);
	/* IPv6, VLAN, another EtherType */
	n = eth(b, 0x86dd);
	assert_int_equal(vprimeFrameClassify(b, n + 40, guest_mac, &info), VPRIME_FRAME_ipv6);
	n = eth(b, 0x8100);
	assert_int_equal(vprimeFrameClassify(b, n + 4, guest_mac, &info), VPRIME_FRAME_vlan);
	n = eth(b, 0x88cc);
	assert_int_equal(vprimeFrameClassify(b, n + 10, guest_mac, &info), VPRIME_FRAME_other);
	/* broken IPv4: short, version 6 in an IPv4 frame, ihl < 5, total
	 * beyond the frame, total below the header */
	n = ipv4(b, 10, 0);
	assert_int_equal(vprimeFrameClassify(b, 14 + 19, guest_mac, &info), VPRIME_FRAME_bad_ipv4);
	b[14] = 0x65;
	assert_int_equal(vprimeFrameClassify(b, n, guest_mac, &info), VPRIME_FRAME_bad_ipv4);
	b[14] = 0x44;
	assert_int_equal(vprimeFrameClassify(b, n, guest_mac, &info), VPRIME_FRAME_bad_ipv4);
	b[14] = 0x45;
	assert_int_equal(vprimeFrameClassify(b, n - 1, guest_mac, &info), VPRIME_FRAME_bad_ipv4);
	b[16] = 0; b[17] = 19;
	assert_int_equal(vprimeFrameClassify(b, n, guest_mac, &info), VPRIME_FRAME_bad_ipv4);
	/* broken ARP: short, wrong hardware type */
	n = arp(b, 1, 0x0a000002, 0x0a000001);
	assert_int_equal(vprimeFrameClassify(b, n - 1, guest_mac, &info), VPRIME_FRAME_bad_arp);
	b[15] = 6;
	assert_int_equal(vprimeFrameClassify(b, n, guest_mac, &info), VPRIME_FRAME_bad_arp);
	/* an ARP reply is not answered */
	n = arp(b, 2, 0x0a000002, 0x0a000001);
	assert_int_equal(vprimeFrameClassify(b, n, guest_mac, &info), VPRIME_FRAME_arp_other);
}

/* Every length of every prefix of junk: classified, never out of bounds
 * (ASan watches the reads: the buffer is exactly the frame). */
static void test_junk_every_length(void** state)
{
	uint8_t src[200];
	VPrimeFrameInfo info;
	uint32_t seed = 12345;

	(void)state;
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(src); i++) {
			seed = seed * 1103515245u + 12345u;
			src[i] = (uint8_t)(seed >> 16);
		}
		if (round & 1)
			memcpy(src + 6, guest_mac, 6);
		if (round & 2) {
			src[12] = round & 4 ? 0x08 : 0x86;
			src[13] = round & 4 ? (round & 8 ? 0x06 : 0x00) : 0xdd;
		}
		for (uint32_t len = 0; len <= sizeof(src); len++) {
			uint8_t* b = new uint8_t[len ? len : 1];
			memcpy(b, src, len);
			int k = vprimeFrameClassify(b, len, guest_mac, &info);
			assert_true(k >= 0 && k < VPRIME_FRAME_KIND_MAX);
			if (k == VPRIME_FRAME_ipv4)
				assert_true(info.ip_len + 14 <= len);
			delete[] b;
		}
	}
}

static void test_arp_answer_policy(void** state)
{
	(void)state;
	/* the simulated network 10.0.0.0/16; the guest is 10.0.0.2 */
	assert_true(vprimeArpShouldAnswer(0x0a000001, 0x0a000002, 0x0a000000, 16));
	assert_true(vprimeArpShouldAnswer(0x0a00ff01, 0x0a000002, 0x0a000000, 16));
	assert_false(vprimeArpShouldAnswer(0x0a010001, 0x0a000002, 0x0a000000, 16));
	/* its own address (duplicate-address probe), 0.0.0.0 */
	assert_false(vprimeArpShouldAnswer(0x0a000002, 0x0a000002, 0x0a000000, 16));
	assert_false(vprimeArpShouldAnswer(0, 0x0a000002, 0x0a000000, 16));
	assert_true(vprimeArpShouldAnswer(0x0a000003, 0x0a000002, 0x0a000003, 32));
	assert_false(vprimeArpShouldAnswer(0x0a000003, 0x0a000002, 0x0a000000, 33));
}

static void test_arp_reply_bytes(void** state)
{
	uint8_t b[64], small[59];
	VPrimeFrameInfo info;
	uint8_t req[64];
	uint32_t n;

	(void)state;
	assert_int_equal(vprimeArpReplyWrite(small, sizeof(small), sim_mac, 1, guest_mac, 2), 0);
	n = vprimeArpReplyWrite(b, sizeof(b), sim_mac, 0x0a000001, guest_mac, 0x0a000002);
	assert_int_equal(n, 60);
	assert_memory_equal(b, guest_mac, 6);
	assert_memory_equal(b + 6, sim_mac, 6);
	assert_int_equal(b[12], 0x08);
	assert_int_equal(b[13], 0x06);
	assert_int_equal(b[21], 2);			/* reply */
	assert_memory_equal(b + 22, sim_mac, 6);	/* sender MAC */
	assert_int_equal(b[28], 10);
	assert_int_equal(b[31], 1);			/* sender IP */
	assert_memory_equal(b + 32, guest_mac, 6);
	assert_int_equal(b[41], 2);			/* target IP */
	/* and a request for it classifies with the fields the reply needs */
	n = arp(req, 1, 0x0a000002, 0x0a000001);
	assert_int_equal(vprimeFrameClassify(req, n, guest_mac, &info), VPRIME_FRAME_arp_request);
	assert_int_equal(info.src_ip, 0x0a000002);
	assert_int_equal(info.dst_ip, 0x0a000001);
}

static void test_mac_parse(void** state)
{
	uint8_t m[6] = { 9, 9, 9, 9, 9, 9 };
	const uint8_t want[6] = { 0x00, 0x16, 0x3e, 0xAB, 0xcd, 0x01 };

	(void)state;
	assert_true(vprimeMacParse("00:16:3e:AB:cd:01", m));
	assert_memory_equal(m, want, 6);
	const char* bad[] = { "", "00:16:3e:ab:cd", "00:16:3e:ab:cd:01:", "00-16-3e-ab-cd-01",
			      "0:16:3e:ab:cd:01", "vm1-eth0", "00:16:3e:ab:cd:0g", 0 };
	for (int i = 0; bad[i]; i++) {
		uint8_t keep[6] = { 7, 7, 7, 7, 7, 7 };
		assert_false(vprimeMacParse(bad[i], keep));
		assert_int_equal(keep[0], 7);
	}
	assert_false(vprimeMacParse(0, m));
	assert_string_equal(vprimeFrameKindName(VPRIME_FRAME_ipv6), "ipv6");
	assert_null(vprimeFrameKindName(VPRIME_FRAME_KIND_MAX));
	assert_null(vprimeFrameKindName(-1));
}

/* Simulation time to dom0's clock by the pinned linear mapping: in the
 * future and the past of the anchor, at another emulation ratio, before
 * the clock's origin (due now), and the simulator's infinities (held 30 s
 * ahead, where dom0 takes them). */
static void test_sim_to_mono(void** state)
{
	const uint64_t at = 5000000000ull;	/* the anchor: 5 s of uptime */
	const int64_t t0 = 1000000;		/* simulation ticks then */

	(void)state;
	assert_int_equal(vprimeSimToMono(t0, t0, at, 1.0), at);
	assert_int_equal(vprimeSimToMono(t0 + 2500000, t0, at, 1.0), at + 2500000);
	assert_int_equal(vprimeSimToMono(t0 - 700000, t0, at, 1.0), at - 700000);
	/* 1 tick = 1 us (t_per_ns 0.001): 2 ticks ahead is 2000 ns */
	assert_int_equal(vprimeSimToMono(t0 + 2, t0, at, 0.001), at + 2000);
	/* -e 2: simulation runs twice the wall clock, 1 ms of it is 0.5 ms */
	assert_int_equal(vprimeSimToMono(t0 + 1000000, t0, at, 2.0), at + 500000);
	assert_int_equal(vprimeSimToMono(t0 - 6000000000ll, t0, at, 1.0), 0);
	assert_int_equal(vprimeSimToMono(INT64_MAX, t0, at, 1.0),
			 at + (uint64_t)VPRIME_DUE_AHEAD_S * 1000000000ull);
	assert_int_equal(vprimeSimToMono(INT64_MIN, t0, at, 1.0), 0);
	assert_int_equal(vprimeSimToMono(t0 + 5, t0, at, 0.0), at);
}

/* The ring: order, full and empty, and two threads moving 200000 values
 * through 8 slots without losing or reordering one. */
typedef VPrimeXRing<uint64_t, 8> TestRing;
static const uint64_t ring_total = 200000;

static void* ring_producer(void* arg)
{
	TestRing* r = (TestRing*)arg;
	for (uint64_t v = 1; v <= ring_total;) {
		if (r->push(v))
			v++;
	}
	return 0;
}

static void test_xring(void** state)
{
	TestRing* r = new TestRing;
	uint64_t v = 0;
	pthread_t t;

	(void)state;
	assert_false(r->pop(v));
	for (uint64_t i = 0; i < 8; i++)
		assert_true(r->push(i));
	assert_false(r->push(99));
	assert_int_equal(r->size(), 8);
	for (uint64_t i = 0; i < 8; i++) {
		assert_true(r->pop(v));
		assert_int_equal(v, i);
	}
	assert_false(r->pop(v));
	assert_int_equal(pthread_create(&t, 0, ring_producer, r), 0);
	for (uint64_t want = 1; want <= ring_total;) {
		if (r->pop(v)) {
			assert_int_equal(v, want);
			want++;
		}
	}
	pthread_join(t, 0);
	assert_int_equal(r->size(), 0);
	delete r;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_taken_padding_cut),
		cmocka_unit_test(test_refused_frames),
		cmocka_unit_test(test_junk_every_length),
		cmocka_unit_test(test_arp_answer_policy),
		cmocka_unit_test(test_arp_reply_bytes),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_sim_to_mono),
		cmocka_unit_test(test_xring),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
