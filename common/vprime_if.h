/* SPDX-License-Identifier: MIT */
/*
 * vprime_if.h - the guest <-> dom0 wire contract of xenbus device class
 * "vprime".  docs/protocol.md is the prose version of this file; the two
 * must agree.
 *
 * Needs only <linux/types.h>, so it compiles in the kernel modules and in
 * host programs alike.
 *
 * Shape (one device):
 *
 *   guest grants                      dom0 maps once at connect
 *   +-------------------+
 *   | control page      |  header, 4 ring index blocks, grant-ref table
 *   +-------------------+
 *   | TX   ring page    |  guest -> dom0: frames in TX pool slots
 *   | TXC  ring page    |  dom0 -> guest: TX slots given back
 *   | FILL ring page    |  guest -> dom0: empty RX pool slots
 *   | RX   ring page    |  dom0 -> guest: frames in RX pool slots
 *   +-------------------+
 *   | TX pool pages     |  read-only grant; 2 slots of 2048 bytes a page
 *   | RX pool pages     |  writable grant;  2 slots of 2048 bytes a page
 *   +-------------------+
 *
 * Every ring has free-running 32-bit indices (they wrap at 2^32, never
 * masked in the index block) and VPRIME_RING_SIZE entries of struct
 * vprime_desc.  The producer owns prod, the consumer owns cons and event.
 *
 * Barrier pairing (referenced in the code as [B1]..[B4]):
 *   [B1] producer: write descriptors, wmb, write prod.
 *   [B2] consumer: read prod, rmb, read descriptors.
 *   [B3] consumer: write cons (after it has copied the descriptors out),
 *        so the producer may reuse those entries; mb before reading prod
 *        again when it re-arms event.
 *   [B4] producer: write prod, mb, read event to decide on a notification;
 *        consumer: write event, mb, re-read prod (no lost wake-up).
 */
#ifndef VPRIME_IF_H
#define VPRIME_IF_H

#include <linux/types.h>

/*
 * Layout checks in every build: C11's _Static_assert in C (kernel and user
 * space), static_assert when a C++ engine (PRIME, ns-3) includes the
 * contract through libvprime.
 */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define VPRIME_STATIC_ASSERT(cond, msg)	static_assert(cond, msg)
#elif defined(__cplusplus)		/* C++98: PRIMEX builds as gnu++98 */
#define VPRIME_SA_NAME(line)		vprime_static_assert_##line
#define VPRIME_SA_LINE(line)		VPRIME_SA_NAME(line)
#define VPRIME_STATIC_ASSERT(cond, msg)	\
	typedef char VPRIME_SA_LINE(__LINE__)[(cond) ? 1 : -1] __attribute__((unused))
#else
#define VPRIME_STATIC_ASSERT(cond, msg)	_Static_assert(cond, msg)
#endif

#define VPRIME_PROTOCOL_VERSION	1	/* highest version this code speaks */
#define VPRIME_CTRL_MAGIC	0x4d525056u	/* "VPRM" little-endian */

#define VPRIME_PAGE_SIZE	4096u
#define VPRIME_RING_SIZE	256u	/* entries per ring, power of two */
#define VPRIME_SLOT_SIZE	2048u	/* bytes per pool slot */
#define VPRIME_SLOTS_PER_PAGE	(VPRIME_PAGE_SIZE / VPRIME_SLOT_SIZE)
#define VPRIME_POOL_PAGES_MAX	256u	/* per direction */
#define VPRIME_POOL_PAGES_MIN	8u
#define VPRIME_POOL_PAGES_DEFAULT 256u
#define VPRIME_MAX_SLOTS	5u	/* slots one frame may span */
#define VPRIME_FRAME_MAX	(VPRIME_MAX_SLOTS * VPRIME_SLOT_SIZE)
#define VPRIME_MTU_MAX		9000u	/* + 14 Ethernet + 4 VLAN < FRAME_MAX */
#define VPRIME_MTU_MIN		68u
#define VPRIME_FRAME_MIN	14u	/* an Ethernet header */

/* Ring numbers, also the order of ring_ref[] and ring[] */
enum vprime_ring_id {
	VPRIME_RING_TX = 0,	/* producer guest, consumer dom0 */
	VPRIME_RING_TXC = 1,	/* producer dom0,  consumer guest */
	VPRIME_RING_FILL = 2,	/* producer guest, consumer dom0 */
	VPRIME_RING_RX = 3,	/* producer dom0,  consumer guest */
	VPRIME_NR_RINGS = 4,
};

/*
 * Descriptor flags.  MORE chains the next descriptor of the same ring into
 * the same frame.  CSUM_BLANK: the L4 checksum is not filled in (the sender
 * offloaded it); the receiver treats the frame as CHECKSUM_PARTIAL.
 * DATA_VALID: the checksum was verified or is known good.  Unknown flag
 * bits are ignored by both sides (reserved, sent as zero).
 */
#define VPRIME_DESC_F_MORE		0x0001u
#define VPRIME_DESC_F_CSUM_BLANK	0x0002u
#define VPRIME_DESC_F_DATA_VALID	0x0004u
#define VPRIME_DESC_F_KNOWN		0x0007u

/*
 * One ring entry.  On TX and RX it describes one slot of a frame; on TXC
 * and FILL only @slot is meaningful.
 *
 *  0      4      6      8      10     12     16
 *  +------+------+------+------+------+------+
 *  | slot | off  | len  |flags | rsvd | rsvd |
 *  +------+------+------+------+------+------+
 */
struct vprime_desc {
	__u32 slot;	/* pool slot number of this direction */
	__u16 off;	/* data offset within the slot */
	__u16 len;	/* data bytes in this slot, > 0 */
	__u16 flags;	/* VPRIME_DESC_F_* */
	__u16 rsvd0;
	__u32 rsvd1;
};

/*
 * Index block of one ring: producer line and consumer line are apart, so
 * the two sides never write the same cache line.
 */
struct vprime_ring_idx {
	__u32 prod;		/* written by the producer */
	__u32 cons_event;	/* written by the producer, TXC and RX only,
				 * with cons-event negotiated: notify me when
				 * cons moves past this index */
	__u8 pad0[56];
	__u32 cons;		/* written by the consumer */
	__u32 event;		/* written by the consumer: notify me when
				 * prod moves past this index */
	__u8 pad1[56];
};

/* Backend-written flags in vprime_ctrl.be_flags */
#define VPRIME_BE_F_CARRIER	0x0001u	/* an engine is attached */

/*
 * The control page, granted by the guest.  Header and ref table are
 * written by the frontend before it publishes ctrl-ref in xenstore and
 * read exactly once by the backend at connect; later guest writes to them
 * are never seen.
 */
struct vprime_ctrl {
	/* 0: frontend, before connect */
	__u32 magic;			/* VPRIME_CTRL_MAGIC */
	__u16 version;			/* == protocol-version in xenstore */
	__u16 ring_size;		/* == VPRIME_RING_SIZE */
	__u16 slot_size;		/* == VPRIME_SLOT_SIZE */
	__u16 tx_pool_pages;		/* == tx-pool-pages in xenstore */
	__u16 rx_pool_pages;		/* == rx-pool-pages in xenstore */
	__u16 rsvd0;
	__u8 pad0[48];
	/* 64: backend, any time */
	__u32 be_flags;			/* VPRIME_BE_F_* */
	__u32 be_rsvd;
	__u8 pad1[56];
	/* 128: see struct vprime_ring_idx for who writes what */
	struct vprime_ring_idx ring[VPRIME_NR_RINGS];
	/* 640: frontend, before connect */
	__u32 ring_ref[VPRIME_NR_RINGS];
	__u8 pad2[368];
	/* 1024 and 2048: frontend, before connect */
	__u32 tx_pool_ref[VPRIME_POOL_PAGES_MAX];
	__u32 rx_pool_ref[VPRIME_POOL_PAGES_MAX];
	/* 3072 */
	__u8 pad3[1024];
};

VPRIME_STATIC_ASSERT(sizeof(struct vprime_desc) == 16, "vprime_desc size");
VPRIME_STATIC_ASSERT(VPRIME_RING_SIZE * sizeof(struct vprime_desc) ==
	       VPRIME_PAGE_SIZE, "a ring fills one page");
VPRIME_STATIC_ASSERT((VPRIME_RING_SIZE & (VPRIME_RING_SIZE - 1)) == 0,
	       "ring size is a power of two");
VPRIME_STATIC_ASSERT(sizeof(struct vprime_ring_idx) == 128, "vprime_ring_idx size");
VPRIME_STATIC_ASSERT(__builtin_offsetof(struct vprime_ring_idx, cons_event) == 4,
	       "cons_event on the producer's line");
VPRIME_STATIC_ASSERT(__builtin_offsetof(struct vprime_ring_idx, cons) == 64,
	       "cons on its own cache line");
VPRIME_STATIC_ASSERT(sizeof(struct vprime_ctrl) == VPRIME_PAGE_SIZE,
	       "vprime_ctrl is one page");
VPRIME_STATIC_ASSERT(__builtin_offsetof(struct vprime_ctrl, be_flags) == 64,
	       "be_flags offset");
VPRIME_STATIC_ASSERT(__builtin_offsetof(struct vprime_ctrl, ring) == 128,
	       "ring offset");
VPRIME_STATIC_ASSERT(__builtin_offsetof(struct vprime_ctrl, ring_ref) == 640,
	       "ring_ref offset");
VPRIME_STATIC_ASSERT(__builtin_offsetof(struct vprime_ctrl, tx_pool_ref) == 1024,
	       "tx_pool_ref offset");
VPRIME_STATIC_ASSERT(__builtin_offsetof(struct vprime_ctrl, rx_pool_ref) == 2048,
	       "rx_pool_ref offset");
VPRIME_STATIC_ASSERT(VPRIME_MTU_MAX + 18 <= VPRIME_FRAME_MAX, "jumbo fits");

/*
 * xenstore keys.  Frontend directory: device/vprime/<devid>/.
 * Backend directory: backend/vprime/<domid>/<devid>/.
 * docs/protocol.md gives each key's writer and its rule when absent.
 */
#define VPRIME_XS_CLASS			"vprime"
/* toolstack-written, both directories */
#define VPRIME_XS_MAC			"mac"
#define VPRIME_XS_NAME			"name"		/* backend only */
#define VPRIME_XS_POOL_PAGES		"pool-pages"	/* backend only */
/* backend-written */
#define VPRIME_XS_PROTO_VERSIONS	"protocol-versions"  /* "1" */
#define VPRIME_XS_MAX_POOL_PAGES	"max-pool-pages"
#define VPRIME_XS_FEATURE_CSUM		"feature-csum-offload"
#define VPRIME_XS_FEATURE_JUMBO		"feature-jumbo"
#define VPRIME_XS_FEATURE_CONS_EVENT	"feature-cons-event"
/* frontend-written */
#define VPRIME_XS_PROTO_VERSION		"protocol-version"
#define VPRIME_XS_CTRL_REF		"ctrl-ref"
#define VPRIME_XS_EVTCHN		"event-channel"
#define VPRIME_XS_TX_POOL_PAGES		"tx-pool-pages"
#define VPRIME_XS_RX_POOL_PAGES		"rx-pool-pages"
#define VPRIME_XS_REQ_CSUM		"request-csum-offload"
#define VPRIME_XS_REQ_CONS_EVENT	"request-cons-event"
#define VPRIME_XS_MTU			"mtu"

#endif /* VPRIME_IF_H */
