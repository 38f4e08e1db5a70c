// SPDX-License-Identifier: MIT
/*
 * Checksum offload negotiation (docs/security.md, finding 5): a frame with
 * a blank checksum (CSUM_BLANK) reaches a guest that did not ask for them
 * only with the checksum finished by dom0 (vp_csum_finish), or not at all
 * (tx_drop_csum); a guest that asked gets it blank, as before.
 */
#include "vp_test.h"
#include "vp_csum.h"

/* Ones' complement sum of big-endian 16-bit words. */
static u32 sum16(const u8 *p, u32 n, u32 sum)
{
	u32 i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (u32)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (u32)p[n - 1] << 8;
	return sum;
}

static u16 fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)sum;
}

/*
 * Build an Ethernet frame (optional VLAN) with IPv4 or IPv6 and a TCP or
 * UDP header plus @pay payload bytes.  Returns its length; *field is the
 * checksum offset, *good the correct checksum, and the field holds the
 * folded pseudo-header sum, as Linux leaves it for CHECKSUM_PARTIAL.
 */
static u32 build(u8 *f, bool v6, bool tcp, bool vlan, u32 pay, u32 *field,
		 u16 *good)
{
	u32 l3 = 14, l4, l4len = (tcp ? 20 : 8) + pay, i, ps;
	u8 proto = tcp ? 6 : 17;

	memset(f, 0, 14);
	f[0] = 0x02;
	f[6] = 0x02;
	if (vlan) {
		f[12] = 0x81;
		f[13] = 0x00;
		f[15] = 7;
		l3 = 18;
	}
	f[l3 - 2] = v6 ? 0x86 : 0x08;
	f[l3 - 1] = v6 ? 0xdd : 0x00;
	if (v6) {
		memset(f + l3, 0, 40);
		f[l3] = 0x60;
		f[l3 + 4] = (u8)(l4len >> 8);
		f[l3 + 5] = (u8)l4len;
		f[l3 + 6] = proto;
		f[l3 + 7] = 64;
		for (i = 0; i < 32; i++)
			f[l3 + 8 + i] = (u8)(0x20 + i * 3);
		l4 = l3 + 40;
		ps = sum16(f + l3 + 8, 32, 0) + proto + l4len;
	} else {
		memset(f + l3, 0, 20);
		f[l3] = 0x45;
		f[l3 + 2] = (u8)((20 + l4len) >> 8);
		f[l3 + 3] = (u8)(20 + l4len);
		f[l3 + 8] = 64;
		f[l3 + 9] = proto;
		memcpy(f + l3 + 12, "\x0a\x4d\x02\x01\x0a\x4d\x02\x02", 8);
		l4 = l3 + 20;
		ps = sum16(f + l3 + 12, 8, 0) + proto + l4len;
	}
	for (i = 0; i < l4len; i++)
		f[l4 + i] = (u8)(i * 13 + 5);
	*field = l4 + (tcp ? 16 : 6);
	if (!tcp) {
		f[l4 + 4] = (u8)(l4len >> 8);
		f[l4 + 5] = (u8)l4len;
	}
	f[*field] = 0;
	f[*field + 1] = 0;
	*good = (u16)~fold(sum16(f + l4, l4len, ps));
	if (!tcp && *good == 0)
		*good = 0xffff;
	f[*field] = (u8)(fold(ps) >> 8);
	f[*field + 1] = (u8)fold(ps);
	return l4 + l4len;
}

/* Split @f into segments of @cut bytes (the last shorter) and finish. */
static int finish_split(u8 *f, u32 len, u32 cut)
{
	u8 *seg[VPRIME_MAX_SLOTS];
	u16 seg_len[VPRIME_MAX_SLOTS];
	u32 n = 0, off = 0;

	while (off < len) {
		seg[n] = f + off;
		seg_len[n] = (u16)(len - off < cut ? len - off : cut);
		off += seg_len[n++];
	}
	return vp_csum_finish(seg, seg_len, n);
}

static void test_finish_matches_full_checksum(void **state)
{
	static u8 f[VPRIME_FRAME_MAX];
	const u32 pays[] = { 0, 1, 2, 17, 1000, 1459, 3000, 8950 };
	const u32 cuts[] = { 2048, 999, 1501 };

	(void)state;
	for (u32 v6 = 0; v6 < 2; v6++)
		for (u32 tcp = 0; tcp < 2; tcp++)
			for (u32 vl = 0; vl < 2; vl++)
				for (u32 k = 0; k < 8; k++)
					for (u32 c = 0; c < 3; c++) {
						u32 field, len;
						u16 good;

						len = build(f, v6, tcp, vl, pays[k],
							    &field, &good);
						if (len > 5 * cuts[c])
							continue;
						assert_int_equal(finish_split(f, len, cuts[c]), 0);
						assert_int_equal((u32)f[field] << 8 | f[field + 1],
								 good);
					}
}

static void test_unfinishable_refused(void **state)
{
	u8 f[256];
	u32 field, len;
	u16 good;

	(void)state;
	len = build(f, false, false, false, 40, &field, &good);
	f[14 + 6] = 0x20;	/* IPv4 more-fragments */
	assert_int_equal(finish_split(f, len, 2048), -1);
	len = build(f, false, false, false, 40, &field, &good);
	f[14 + 9] = 1;		/* ICMP */
	assert_int_equal(finish_split(f, len, 2048), -1);
	len = build(f, false, true, false, 40, &field, &good);
	assert_int_equal(finish_split(f, len, 30), -1);	/* headers split */
	len = build(f, false, true, false, 40, &field, &good);
	f[14 + 2] = 0x10;	/* IPv4 total length beyond the frame */
	assert_int_equal(finish_split(f, len, 2048), -1);
	len = build(f, true, false, false, 40, &field, &good);
	f[14 + 6] = 0;		/* IPv6 hop-by-hop extension header */
	assert_int_equal(finish_split(f, len, 2048), -1);
	f[12] = 0x08;
	f[13] = 0x06;		/* ARP */
	assert_int_equal(finish_split(f, len, 2048), -1);
}

/* Through dom0's data path: negotiation decides what the guest gets. */
static void deliver_blank(struct vp_sim_guest *g, struct vp_test_engine *te,
			  u32 port, const u8 *frame, u32 len)
{
	struct vp_eport p;
	u32 prod;

	vp_test_port(te, port, &p);
	prod = p.tx_idx->prod;
	memcpy(te->e.bufs + 7 * VPRIME_BUF_SIZE, frame, len);
	p.tx[prod & (te->e.hdr.ring_size - 1)] = (struct vprime_edesc){
		.buf = 7, .len = (u16)len, .flags = VPRIME_DESC_F_CSUM_BLANK,
	};
	__atomic_store_n(&p.tx_idx->prod, prod + 1, __ATOMIC_RELEASE);
	vp_test_sync(te);
	(void)g;
}

static void test_negotiation_enforced(void **state)
{
	struct vp_sim_guest_cfg cfg = {
		.domid = 1, .mac = { 0, 0x16, 0x3e, 0, 0, 1 },
	};
	struct vp_sim_host *h = vp_sim_host_new();
	struct vp_sim_guest *yes, *no;
	struct vp_test_engine te;
	struct vp_frame fr;
	u8 f[256], blank[256], in[256];
	u32 field, len, py, pn;
	u16 good;

	(void)state;
	yes = vp_sim_guest_new(&cfg);
	cfg.domid = 2;
	cfg.no_csum_offload = true;
	no = vp_sim_guest_new(&cfg);
	assert_non_null(yes);
	assert_non_null(no);
	assert_int_equal(vp_sim_host_add(h, yes), 0);
	assert_int_equal(vp_sim_host_add(h, no), 0);
	vp_test_engine_open(&te, h, 256, 256);
	py = vp_test_attach(&te, 1);
	pn = vp_test_attach(&te, 2);
	len = build(blank, false, false, false, 100, &field, &good);

	/* Asked for blank checksums: delivered blank, flag kept. */
	deliver_blank(yes, &te, py, blank, len);
	assert_int_equal(vp_front_rx_next(&yes->front, &fr), 1);
	assert_true(fr.flags & VPRIME_DESC_F_CSUM_BLANK);
	assert_int_equal(vp_front_rx_copy(&yes->front, &fr, in, sizeof(in)), len);
	assert_memory_equal(in, blank, len);
	assert_int_equal(yes->stats[VPRIME_STAT_tx_csum_done], 0);

	/* Did not ask: dom0 finished the checksum, no CSUM_BLANK. */
	deliver_blank(no, &te, pn, blank, len);
	assert_int_equal(vp_front_rx_next(&no->front, &fr), 1);
	assert_false(fr.flags & VPRIME_DESC_F_CSUM_BLANK);
	assert_int_equal(vp_front_rx_copy(&no->front, &fr, in, sizeof(in)), len);
	assert_int_equal((u32)in[field] << 8 | in[field + 1], good);
	assert_int_equal(no->stats[VPRIME_STAT_tx_csum_done], 1);
	vp_front_rx_release(&no->front, &fr);
	vp_front_rx_commit(&no->front);

	/* One dom0 cannot finish is dropped, counted, its slot kept. */
	memcpy(f, blank, len);
	f[14 + 9] = 1;
	deliver_blank(no, &te, pn, f, len);
	assert_int_equal(no->stats[VPRIME_STAT_tx_drop_csum], 1);
	assert_int_equal(vp_front_rx_next(&no->front, &fr), 0);
	assert_int_equal(no->stats[VPRIME_STAT_tx_frames], 1);
	deliver_blank(no, &te, pn, blank, len);
	assert_int_equal(no->stats[VPRIME_STAT_tx_frames], 2);

	vp_sim_close(te.file);
	vp_sim_guest_free(yes);
	vp_sim_guest_free(no);
	vp_sim_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finish_matches_full_checksum),
		cmocka_unit_test(test_unfinishable_refused),
		cmocka_unit_test(test_negotiation_enforced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
