// SPDX-License-Identifier: MIT
/*
 * pmfwd - a packet-mmap forwarder between two interfaces (bench path (b)).
 *
 * The way a user-space simulator attaches to guests today is a packet
 * socket on each guest's netback vif (or a tap); this is that path in the
 * most efficient form it allows, so the benchmark compares vprime with
 * the best of it, not with libpcap's defaults:
 *
 *   - RX: a PACKET_RX_RING per interface (TPACKET_V2 by default, one status
 *     word per frame, so a frame is visible as soon as it lands; -3 selects
 *     TPACKET_V3 blocks, retired when full or after -t ms), with
 *     PACKET_IGNORE_OUTGOING so our own transmissions are not seen again;
 *   - TX: a TPACKET_V2 PACKET_TX_RING per interface with PACKET_QDISC_BYPASS
 *     (straight to the driver's xmit, no qdisc), one sendto() per batch;
 *   - frames flagged TP_STATUS_CSUMNOTREADY (a partial checksum the guest
 *     left to the "device") get their TCP/UDP checksum finished on the copy;
 *   - one user-space copy per frame (RX ring slot to TX ring slot), no
 *     system call per frame: the loop drains every ready frame of both
 *     rings, kicks each TX ring once, and sleeps in poll() only when
 *     both RX rings are empty.
 *
 *   usage: pmfwd [-3] [-t tov_ms] [-n frames] IF_A IF_B
 *
 * Output: "pmfwd: ready ..." once set up; on SIGUSR1 (and at exit, on
 * SIGINT/SIGTERM) one line of counters:
 *   pmfwd: polls= sends= wakeups= rx_frames= tx_frames= drop_txfull=
 *          drop_trunc= csum_fixed= k_packets= k_drops=
 * polls + sends are the system calls of the data path (per batch);
 * k_packets/k_drops are the kernel's PACKET_STATISTICS of both RX sockets
 * (reading them resets them, so they are summed here across dumps).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef PACKET_QDISC_BYPASS
#define PACKET_QDISC_BYPASS 20
#endif
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define FRAME_SIZE	2048u
#define BLOCK_SIZE	(1u << 16)	/* 32 frames a block */
#define TX_DATA_OFF	TPACKET_ALIGN(sizeof(struct tpacket2_hdr))

struct ring {
	uint8_t *map;
	size_t size;
	uint32_t nr;		/* frames (V2) or blocks (V3) */
	uint32_t step;		/* bytes per frame or block */
	uint32_t cur;
};

struct side {
	const char *name;
	int ifindex;
	int rxfd, txfd;
	struct ring rx, tx;
	uint32_t tx_pending;	/* frames queued since the last kick */
};

static struct {
	struct side s[2];
	bool v3;
	uint32_t tov_ms;
	uint32_t nr_frames;
	uint64_t polls, sends, wakeups, rx_frames, tx_frames, drop_txfull,
		drop_trunc, csum_fixed, k_packets, k_drops;
} pm = { .tov_ms = 1, .nr_frames = 1024 };

static volatile sig_atomic_t stop_flag, dump_flag;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_flag = 1;
	else
		stop_flag = 1;
}

static void die(const char *what, const char *ifn)
{
	fprintf(stderr, "pmfwd: %s %s: %s\n", what, ifn, strerror(errno));
	exit(1);
}

static void setup_rx(struct side *s)
{
	int ver = pm.v3 ? TPACKET_V3 : TPACKET_V2, one = 1;
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = s->ifindex,
	};
	struct packet_mreq mr = {
		.mr_ifindex = s->ifindex,
		.mr_type = PACKET_MR_PROMISC,
	};
	uint32_t per_block = BLOCK_SIZE / FRAME_SIZE;
	uint32_t blocks = (pm.nr_frames + per_block - 1) / per_block;

	s->rxfd = socket(AF_PACKET, SOCK_RAW, 0);	/* bound below */
	if (s->rxfd < 0)
		die("socket rx", s->name);
	if (setsockopt(s->rxfd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)))
		die("PACKET_VERSION rx", s->name);
	if (pm.v3) {
		struct tpacket_req3 r = {
			.tp_block_size = BLOCK_SIZE,
			.tp_block_nr = blocks,
			.tp_frame_size = FRAME_SIZE,
			.tp_frame_nr = blocks * per_block,
			.tp_retire_blk_tov = pm.tov_ms,
		};
		if (setsockopt(s->rxfd, SOL_PACKET, PACKET_RX_RING, &r, sizeof(r)))
			die("PACKET_RX_RING v3", s->name);
		s->rx.nr = blocks;
		s->rx.step = BLOCK_SIZE;
	} else {
		struct tpacket_req r = {
			.tp_block_size = BLOCK_SIZE,
			.tp_block_nr = blocks,
			.tp_frame_size = FRAME_SIZE,
			.tp_frame_nr = blocks * per_block,
		};
		if (setsockopt(s->rxfd, SOL_PACKET, PACKET_RX_RING, &r, sizeof(r)))
			die("PACKET_RX_RING v2", s->name);
		s->rx.nr = blocks * per_block;
		s->rx.step = FRAME_SIZE;
	}
	s->rx.size = (size_t)blocks * BLOCK_SIZE;
	s->rx.map = mmap(NULL, s->rx.size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_LOCKED, s->rxfd, 0);
	if (s->rx.map == MAP_FAILED)
		die("mmap rx", s->name);
	if (setsockopt(s->rxfd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		       sizeof(one)))
		die("PACKET_IGNORE_OUTGOING", s->name);
	if (bind(s->rxfd, (struct sockaddr *)&ll, sizeof(ll)))
		die("bind rx", s->name);
	if (setsockopt(s->rxfd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
		       sizeof(mr)))
		die("PACKET_MR_PROMISC", s->name);
}

static void setup_tx(struct side *s)
{
	int ver = TPACKET_V2, one = 1;
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = 0,	/* transmit only: receives nothing */
		.sll_ifindex = s->ifindex,
	};
	uint32_t per_block = BLOCK_SIZE / FRAME_SIZE;
	uint32_t blocks = (pm.nr_frames + per_block - 1) / per_block;
	struct tpacket_req r = {
		.tp_block_size = BLOCK_SIZE,
		.tp_block_nr = blocks,
		.tp_frame_size = FRAME_SIZE,
		.tp_frame_nr = blocks * per_block,
	};

	s->txfd = socket(AF_PACKET, SOCK_RAW, 0);
	if (s->txfd < 0)
		die("socket tx", s->name);
	if (setsockopt(s->txfd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)))
		die("PACKET_VERSION tx", s->name);
	if (setsockopt(s->txfd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		       sizeof(one)))
		die("PACKET_QDISC_BYPASS", s->name);
	if (setsockopt(s->txfd, SOL_PACKET, PACKET_TX_RING, &r, sizeof(r)))
		die("PACKET_TX_RING", s->name);
	s->tx.nr = r.tp_frame_nr;
	s->tx.step = FRAME_SIZE;
	s->tx.size = (size_t)blocks * BLOCK_SIZE;
	s->tx.map = mmap(NULL, s->tx.size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_LOCKED, s->txfd, 0);
	if (s->tx.map == MAP_FAILED)
		die("mmap tx", s->name);
	if (bind(s->txfd, (struct sockaddr *)&ll, sizeof(ll)))
		die("bind tx", s->name);
}

static void kick(struct side *s)
{
	if (!s->tx_pending)
		return;
	pm.sends++;
	/* Non-blocking: the kernel sends every SEND_REQUEST frame now. */
	if (sendto(s->txfd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
	    errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
		perror("pmfwd: sendto");
	s->tx_pending = 0;
}

/*
 * A frame the sender left with a partial checksum (CHECKSUM_PARTIAL: the
 * L4 checksum field holds only the pseudo-header sum, the "device" is to
 * finish it).  The packet socket flags it TP_STATUS_CSUMNOTREADY; a wire
 * frame must carry the real sum, so finish it as a NIC would: the one's
 * complement sum from the L4 header to the end, into the field.  Needed
 * because netfront cannot turn IPv4 TX checksum offload off (it is not in
 * its hw_features), so ethtool -K tx off leaves it on.
 */
static void csum_finish(uint8_t *f, uint32_t len)
{
	uint32_t l3 = 14, l4, off, sum = 0, i;
	uint16_t type;
	uint8_t proto;

	if (len < l3 + 20)
		return;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == 0x8100 && len >= 18 + 20) {	/* one VLAN tag */
		type = (uint16_t)(f[16] << 8 | f[17]);
		l3 = 18;
	}
	if (type == 0x0800) {
		l4 = l3 + (uint32_t)(f[l3] & 0x0f) * 4;
		proto = f[l3 + 9];
	} else if (type == 0x86dd && len >= l3 + 40) {
		l4 = l3 + 40;	/* no extension headers */
		proto = f[l3 + 6];
	} else {
		return;
	}
	if (proto == 6)
		off = l4 + 16;
	else if (proto == 17)
		off = l4 + 6;
	else
		return;
	if (off + 2 > len)
		return;
	for (i = l4; i + 1 < len; i += 2)
		sum += (uint32_t)(f[i] << 8 | f[i + 1]);
	if (i < len)
		sum += (uint32_t)f[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	if (proto == 17 && sum == 0)
		sum = 0xffff;
	f[off] = (uint8_t)(sum >> 8);
	f[off + 1] = (uint8_t)sum;
	pm.csum_fixed++;
}

/* Queue one frame on @to's TX ring; false when the ring is full. */
static bool tx_frame(struct side *to, const uint8_t *data, uint32_t len,
		     bool csum)
{
	struct tpacket2_hdr *h;

	h = (struct tpacket2_hdr *)(to->tx.map + (size_t)to->tx.cur * to->tx.step);
	if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) !=
	    TP_STATUS_AVAILABLE) {
		kick(to);	/* completions come back as the driver frees */
		if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) !=
		    TP_STATUS_AVAILABLE)
			return false;
	}
	memcpy((uint8_t *)h + TX_DATA_OFF, data, len);
	if (csum)
		csum_finish((uint8_t *)h + TX_DATA_OFF, len);
	h->tp_len = len;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST,
			 __ATOMIC_RELEASE);
	to->tx.cur = (to->tx.cur + 1) % to->tx.nr;
	to->tx_pending++;
	pm.tx_frames++;
	return true;
}

static void one_frame(struct side *to, const uint8_t *data, uint32_t snap,
		      uint32_t len, uint32_t status)
{
	pm.rx_frames++;
	if (snap < len || len > FRAME_SIZE - TX_DATA_OFF) {
		pm.drop_trunc++;	/* a GSO frame: offloads must be off */
		return;
	}
	if (!tx_frame(to, data, len, status & TP_STATUS_CSUMNOTREADY))
		pm.drop_txfull++;
}

/* Forward every ready frame of @from's RX ring to @to; frames seen. */
static uint32_t drain_v2(struct side *from, struct side *to)
{
	uint32_t n = 0;

	for (;;) {
		struct tpacket2_hdr *h = (struct tpacket2_hdr *)
			(from->rx.map + (size_t)from->rx.cur * from->rx.step);

		if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER))
			break;
		one_frame(to, (uint8_t *)h + h->tp_mac, h->tp_snaplen, h->tp_len,
			  h->tp_status);
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
		from->rx.cur = (from->rx.cur + 1) % from->rx.nr;
		n++;
	}
	return n;
}

static uint32_t drain_v3(struct side *from, struct side *to)
{
	uint32_t n = 0;

	for (;;) {
		struct tpacket_block_desc *b = (struct tpacket_block_desc *)
			(from->rx.map + (size_t)from->rx.cur * from->rx.step);
		struct tpacket3_hdr *h;
		uint32_t i, cnt;

		if (!(__atomic_load_n(&b->hdr.bh1.block_status,
				      __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		cnt = b->hdr.bh1.num_pkts;
		h = (struct tpacket3_hdr *)((uint8_t *)b +
					    b->hdr.bh1.offset_to_first_pkt);
		for (i = 0; i < cnt; i++) {
			one_frame(to, (uint8_t *)h + h->tp_mac, h->tp_snaplen,
				  h->tp_len, h->tp_status);
			h = (struct tpacket3_hdr *)((uint8_t *)h + h->tp_next_offset);
		}
		__atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
		from->rx.cur = (from->rx.cur + 1) % from->rx.nr;
		n += cnt;
	}
	return n;
}

static void dump(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (pm.v3) {
			struct tpacket_stats_v3 st;
			socklen_t l = sizeof(st);

			if (!getsockopt(pm.s[i].rxfd, SOL_PACKET,
					PACKET_STATISTICS, &st, &l)) {
				pm.k_packets += st.tp_packets;
				pm.k_drops += st.tp_drops;
			}
		} else {
			struct tpacket_stats st;
			socklen_t l = sizeof(st);

			if (!getsockopt(pm.s[i].rxfd, SOL_PACKET,
					PACKET_STATISTICS, &st, &l)) {
				pm.k_packets += st.tp_packets;
				pm.k_drops += st.tp_drops;
			}
		}
	}
	printf("pmfwd: polls=%" PRIu64 " sends=%" PRIu64 " wakeups=%" PRIu64
	       " rx_frames=%" PRIu64 " tx_frames=%" PRIu64
	       " drop_txfull=%" PRIu64 " drop_trunc=%" PRIu64
	       " csum_fixed=%" PRIu64 " k_packets=%" PRIu64
	       " k_drops=%" PRIu64 "\n",
	       pm.polls, pm.sends, pm.wakeups, pm.rx_frames, pm.tx_frames,
	       pm.drop_txfull, pm.drop_trunc, pm.csum_fixed, pm.k_packets,
	       pm.k_drops);
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr, "usage: pmfwd [-3] [-t tov_ms] [-n frames] IF_A IF_B\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	int opt, i;

	while ((opt = getopt(argc, argv, "3t:n:h")) != -1) {
		switch (opt) {
		case '3': pm.v3 = true; break;
		case 't': pm.tov_ms = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'n': pm.nr_frames = (uint32_t)strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || !pm.nr_frames)
		usage();
	for (i = 0; i < 2; i++) {
		pm.s[i].name = argv[optind + i];
		pm.s[i].ifindex = (int)if_nametoindex(pm.s[i].name);
		if (!pm.s[i].ifindex)
			die("no interface", pm.s[i].name);
		setup_rx(&pm.s[i]);
		setup_tx(&pm.s[i]);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	printf("pmfwd: ready %s <-> %s, rx TPACKET_V%d%s, tx TPACKET_V2 + QDISC_BYPASS, %u frames a ring\n",
	       pm.s[0].name, pm.s[1].name, pm.v3 ? 3 : 2,
	       pm.v3 ? " (block tov ms below)" : "", pm.s[0].rx.nr *
	       (pm.v3 ? BLOCK_SIZE / FRAME_SIZE : 1));
	if (pm.v3)
		printf("pmfwd: tov_ms=%u\n", pm.tov_ms);
	fflush(stdout);

	while (!stop_flag) {
		struct pollfd pfd[2] = {
			{ .fd = pm.s[0].rxfd, .events = POLLIN },
			{ .fd = pm.s[1].rxfd, .events = POLLIN },
		};
		uint32_t n;

		if (pm.v3)
			n = drain_v3(&pm.s[0], &pm.s[1]) +
			    drain_v3(&pm.s[1], &pm.s[0]);
		else
			n = drain_v2(&pm.s[0], &pm.s[1]) +
			    drain_v2(&pm.s[1], &pm.s[0]);
		kick(&pm.s[0]);
		kick(&pm.s[1]);
		if (dump_flag) {
			dump_flag = 0;
			dump();
		}
		if (n)
			continue;
		pm.polls++;
		if (poll(pfd, 2, 1000) > 0)
			pm.wakeups++;
	}
	dump();
	return 0;
}
