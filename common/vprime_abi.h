/* SPDX-License-Identifier: MIT */
/*
 * vprime_abi.h - the /dev/vprime contract between vprime-back.ko and an
 * engine in dom0 user space (libvprime wraps it).  docs/engine-abi.md is the
 * prose version; the two must agree.
 *
 * An engine opens /dev/vprime, sizes its area with VPRIME_IOC_SETUP, then
 * mmap()s area_size bytes at offset 0:
 *
 *   off 0          struct vprime_area_hdr          (kernel writes once)
 *   off_fill       ring idx + u32 buf[pool_ring]   engine -> kernel: free bufs
 *   off_comp       ring idx + u32 buf[pool_ring]   kernel -> engine: sent bufs
 *   off_ports      max_ports x port_stride:
 *       +0           struct vprime_port_info       (kernel writes)
 *       +128         ring idx of RX                kernel -> engine frames
 *       +256         ring idx of TX                engine -> kernel frames
 *       +384         struct vprime_edesc rx[ring_size]
 *       +384+16*rs   struct vprime_edesc tx[ring_size]
 *   off_bufs       nr_bufs x buf_size frame buffers, page aligned
 *
 * Every buffer belongs to exactly one party at a time: to the engine, or to
 * the kernel from the moment it is on the fill ring or a TX ring until the
 * kernel hands it back on a port's RX ring (with a frame in it) or on the
 * completion ring.  Indices are free-running u32; a ring entry is
 * [idx & (size - 1)].  Barriers: as [B1]/[B2] of vprime_if.h.
 */
#ifndef VPRIME_ABI_H
#define VPRIME_ABI_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include "vprime_if.h"

#define VPRIME_ABI_VERSION	1
#define VPRIME_AREA_MAGIC	0x41505056u	/* "VPPA" little-endian */
#define VPRIME_DEV_NAME		"vprime"	/* /dev/vprime */

#define VPRIME_BUF_SIZE		2048u	/* one engine buffer; frames chain */
#define VPRIME_NR_BUFS_MAX	65536u
#define VPRIME_NR_BUFS_MIN	64u
#define VPRIME_URING_MIN	32u
#define VPRIME_URING_MAX	4096u
#define VPRIME_PORTS_MAX	256u
#define VPRIME_NAME_LEN		32u

/* The ring index block is the wire one: prod, cons, event on two lines. */
#define vprime_uring vprime_ring_idx

/*
 * A frame segment on a port's RX or TX ring.
 *
 *  0      4      6      8                    16
 *  +------+------+------+--------------------+
 *  | buf  | len  |flags |      tstamp        |
 *  +------+------+------+--------------------+
 *
 * RX: tstamp is CLOCK_MONOTONIC ns when dom0 took the frame off the guest's
 * TX ring.  TX: tstamp is the earliest delivery time in CLOCK_MONOTONIC ns
 * (0 = now); a frame not yet due stays at the head of its ring until a sync
 * at or after that time.  flags are VPRIME_DESC_F_* (MORE chains segments).
 * Only the first segment's tstamp counts.
 */
struct vprime_edesc {
	__u32 buf;
	__u16 len;
	__u16 flags;
	__u64 tstamp;
};

struct vprime_area_hdr {
	__u32 magic;		/* VPRIME_AREA_MAGIC */
	__u32 abi_version;	/* VPRIME_ABI_VERSION */
	__u64 area_size;
	__u32 nr_bufs;
	__u32 buf_size;
	__u32 ring_size;	/* entries of each port RX/TX ring */
	__u32 pool_ring_size;	/* entries of fill and completion rings */
	__u32 max_ports;
	__u32 rsvd0;
	__u64 off_fill;
	__u64 off_comp;
	__u64 off_ports;
	__u64 port_stride;
	__u64 off_bufs;
};

/* Port states in vprime_port_info.state */
enum vprime_port_state {
	VPRIME_PORT_FREE = 0,		/* no device behind this port */
	VPRIME_PORT_ATTACHED = 1,	/* device connected, frames flow */
	VPRIME_PORT_DOWN = 2,		/* device attached, guest not connected */
	VPRIME_PORT_GONE = 3,		/* device removed: detach the port */
};

struct vprime_port_info {
	__u32 state;		/* enum vprime_port_state */
	__u32 domid;
	__u32 devid;
	__u32 mtu;
	__u8 mac[6];
	__u8 rsvd0[2];
	__u32 rsvd1;
	char name[VPRIME_NAME_LEN];
	__u8 pad[68];
};

/* VPRIME_IOC_SETUP: size the area; once per open file, before mmap */
struct vprime_setup {
	__u32 abi_version;	/* in: VPRIME_ABI_VERSION */
	__u32 nr_bufs;		/* in: VPRIME_NR_BUFS_MIN..MAX */
	__u32 ring_size;	/* in: power of two, URING_MIN..MAX */
	__u32 max_ports;	/* in: 1..VPRIME_PORTS_MAX */
	__u64 area_size;	/* out: bytes to mmap */
};

/* VPRIME_IOC_LIST: one entry per vprime device the backend knows */
#define VPRIME_DEV_F_CONNECTED	0x1u	/* guest frontend is Connected */
#define VPRIME_DEV_F_ATTACHED	0x2u	/* some engine holds the device */
struct vprime_devinfo {
	__u32 domid;
	__u32 devid;
	__u32 flags;		/* VPRIME_DEV_F_* */
	__u32 mtu;
	__u8 mac[6];
	__u8 rsvd[2];
	char name[VPRIME_NAME_LEN];
};

struct vprime_list {
	__u32 capacity;		/* in: entries at @entries */
	__u32 count;		/* out: devices known (may exceed capacity) */
	__u64 entries;		/* in: user pointer to vprime_devinfo[] */
};

/* VPRIME_IOC_ATTACH: select by id, name or MAC */
enum vprime_attach_by {
	VPRIME_ATTACH_BY_ID = 0,	/* domid + devid */
	VPRIME_ATTACH_BY_NAME = 1,	/* name (xenstore "name") */
	VPRIME_ATTACH_BY_MAC = 2,	/* mac */
};

struct vprime_attach {
	__u32 by;		/* in: enum vprime_attach_by */
	__u32 domid;		/* in */
	__u32 devid;		/* in */
	__u8 mac[6];		/* in */
	__u8 rsvd[2];
	char name[VPRIME_NAME_LEN];	/* in: NUL-terminated */
	__u32 port;		/* out: port index in the area */
	__u32 rsvd1;
};

/* VPRIME_IOC_SYNC */
#define VPRIME_SYNC_RX	0x1u	/* guests -> engine */
#define VPRIME_SYNC_TX	0x2u	/* engine -> guests */
struct vprime_sync {
	__u32 flags;		/* in: VPRIME_SYNC_* (0 means both) */
	__u32 rx_frames;	/* out: frames moved to engine RX rings */
	__u32 tx_frames;	/* out: frames moved into guests */
	__u32 pending;		/* out: ports with work left (budget hit) */
};

/*
 * Latency histograms (docs/benchmarks.md, "Where the time goes").  Bucket
 * k counts samples in [2^(9+k), 2^(10+k)) ns, bucket 0 everything below
 * 2^10 ns and the last everything from 2^30 ns on; the names round the
 * binary bounds (le_1us = 1024 ns, le_1ms = 2^20 ns, le_1s = 2^30 ns).
 * VPRIME_LAT_BUCKETS(Y, X, p, d) calls Y(X, p, d, suffix) once per bucket;
 * with Y = VPRIME_LAT_PASTE it makes one X(p_suffix, d) counter each.
 */
#define VPRIME_LAT_NR		22
#define VPRIME_LAT_BUCKETS(Y, X, p, d)					\
	Y(X, p, d, le_1us) Y(X, p, d, le_2us) Y(X, p, d, le_4us)	\
	Y(X, p, d, le_8us) Y(X, p, d, le_16us) Y(X, p, d, le_32us)	\
	Y(X, p, d, le_64us) Y(X, p, d, le_128us) Y(X, p, d, le_256us)	\
	Y(X, p, d, le_512us) Y(X, p, d, le_1ms) Y(X, p, d, le_2ms)	\
	Y(X, p, d, le_4ms) Y(X, p, d, le_8ms) Y(X, p, d, le_16ms)	\
	Y(X, p, d, le_32ms) Y(X, p, d, le_64ms) Y(X, p, d, le_128ms)	\
	Y(X, p, d, le_256ms) Y(X, p, d, le_512ms) Y(X, p, d, le_1s)	\
	Y(X, p, d, over_1s)
#define VPRIME_LAT_PASTE(X, p, d, s) X(p##_##s, d)

/*
 * Per-port counters.  X(name, description).  The order is ABI: append only.
 * The lat_to_guest_* counters are a histogram (VPRIME_LAT_BUCKETS) of how
 * long an engine frame waited from when it was deliverable (its due time,
 * or the first sync pass that saw it) until dom0 wrote it into the guest.
 */
#define VPRIME_PORT_STATS(X)						\
	X(rx_frames,		"frames from the guest to the engine")	\
	X(rx_bytes,		"bytes from the guest to the engine")	\
	X(tx_frames,		"frames from the engine into the guest") \
	X(tx_bytes,		"bytes from the engine into the guest")	\
	X(guest_bad_slot,	"guest descriptor: slot out of range")	\
	X(guest_bad_extent,	"guest descriptor: offset+length outside slot") \
	X(guest_zero_len,	"guest descriptor: zero length")	\
	X(guest_oversize,	"guest frame longer than allowed")	\
	X(guest_runt,		"guest frame shorter than an Ethernet header") \
	X(guest_too_many_slots,	"guest frame spans too many slots (fatal)") \
	X(guest_bad_index,	"guest ring index out of range (fatal)") \
	X(rx_stall_no_buf,	"guest frames waiting: engine gave no buffers") \
	X(rx_stall_ring_full,	"guest frames waiting: engine RX ring full") \
	X(rx_stall_txc_full,	"guest frames waiting: guest not reaping TXC") \
	X(tx_stall_no_fill,	"engine frames waiting: guest RX ring full or no RX slots") \
	X(tx_deferred,		"engine frames held for their delivery time") \
	X(tx_drop_gone,		"engine frames dropped: device gone or down") \
	X(tx_drop_bad,		"engine frames dropped: bad buffer or length") \
	X(tx_drop_oversize,	"engine frames dropped: too long for the guest") \
	X(engine_bad_index,	"engine ring index out of range")	\
	X(engine_bad_buf,	"engine buffer id out of range")	\
	X(notify_guest,		"event-channel notifications sent to the guest") \
	X(guest_events,		"event-channel notifications from the guest") \
	X(guest_events_limited,	"guest notifications over the rate limit") \
	X(syncs,		"sync passes over this port")			\
	X(guest_partial_frame,	"guest published part of a frame (fatal)") \
	X(engine_lost,		"frames given to the engine but not taken "	\
				"when it detached or exited")		\
	VPRIME_LAT_BUCKETS(VPRIME_LAT_PASTE, X, lat_to_guest,		\
			   "engine frames by wait until written into the guest") \
	X(engine_bad_tstamp,	"engine due time 2^63 ns or more, or too far " \
				"ahead: delivered as due now")		\
	X(tx_drop_stalled,	"engine frames dropped: guest made no "	\
				"progress (held too many or too long)")	\
	X(tx_stall_drains,	"times a stalled guest's port was drained") \
	X(tx_csum_done,		"blank checksums finished in dom0 for a " \
				"guest that did not ask for them")	\
	X(tx_drop_csum,		"engine frames dropped: blank checksum dom0 " \
				"could not finish")

#define VPRIME_STAT_ENUM(n, d) VPRIME_STAT_##n,
enum vprime_stat_id {
	VPRIME_PORT_STATS(VPRIME_STAT_ENUM)
	VPRIME_STAT_MAX
};
#undef VPRIME_STAT_ENUM

#define VPRIME_STATS_CAP	64u
/* VPRIME_IOC_STATS */
struct vprime_stats {
	__u32 port;			/* in */
	__u32 count;			/* out: VPRIME_STAT_MAX */
	__u64 val[VPRIME_STATS_CAP];	/* out: by enum vprime_stat_id */
};

#define VPRIME_IOC_MAGIC	0xb7
#define VPRIME_IOC_VERSION	_IOR(VPRIME_IOC_MAGIC, 0, __u32)
#define VPRIME_IOC_SETUP	_IOWR(VPRIME_IOC_MAGIC, 1, struct vprime_setup)
#define VPRIME_IOC_LIST		_IOWR(VPRIME_IOC_MAGIC, 2, struct vprime_list)
#define VPRIME_IOC_ATTACH	_IOWR(VPRIME_IOC_MAGIC, 3, struct vprime_attach)
/*
 * DETACH: frames still on the port's TX ring complete on the completion
 * ring (counted tx_drop_gone); frames on its RX ring stay where they are,
 * their buffers the engine's to take back, and those it had not consumed
 * are counted engine_lost (libvprime frees them unread); the port becomes
 * FREE.  Closing the file detaches every port the same way.
 */
#define VPRIME_IOC_DETACH	_IOW(VPRIME_IOC_MAGIC, 4, __u32)
#define VPRIME_IOC_SYNC		_IOWR(VPRIME_IOC_MAGIC, 5, struct vprime_sync)
#define VPRIME_IOC_STATS	_IOWR(VPRIME_IOC_MAGIC, 6, struct vprime_stats)

#define VPRIME_PORT_RX_IDX_OFF	128u
#define VPRIME_PORT_TX_IDX_OFF	256u
#define VPRIME_PORT_DESC_OFF	384u

VPRIME_STATIC_ASSERT(sizeof(struct vprime_edesc) == 16, "vprime_edesc size");
VPRIME_STATIC_ASSERT(__builtin_offsetof(struct vprime_edesc, tstamp) == 8,
	       "tstamp offset");
VPRIME_STATIC_ASSERT(sizeof(struct vprime_area_hdr) == 80, "area hdr size");
VPRIME_STATIC_ASSERT(sizeof(struct vprime_port_info) == 128, "port info size");
VPRIME_STATIC_ASSERT(sizeof(struct vprime_setup) == 24, "setup size");
VPRIME_STATIC_ASSERT(sizeof(struct vprime_devinfo) == 56, "devinfo size");
VPRIME_STATIC_ASSERT(sizeof(struct vprime_list) == 16, "list size");
VPRIME_STATIC_ASSERT(sizeof(struct vprime_attach) == 60, "attach size");
VPRIME_STATIC_ASSERT(sizeof(struct vprime_sync) == 16, "sync size");
VPRIME_STATIC_ASSERT(sizeof(struct vprime_stats) == 8 + 8 * VPRIME_STATS_CAP,
	       "stats size");
VPRIME_STATIC_ASSERT(VPRIME_STAT_MAX <= VPRIME_STATS_CAP, "stats fit");
#define VPRIME_LAT_ONE(X, p, d, s) + 1
VPRIME_STATIC_ASSERT(0 VPRIME_LAT_BUCKETS(VPRIME_LAT_ONE, _, _, _) == VPRIME_LAT_NR,
	       "one latency bucket name per bucket");
#undef VPRIME_LAT_ONE
VPRIME_STATIC_ASSERT(VPRIME_BUF_SIZE == VPRIME_SLOT_SIZE,
	       "engine buffers and guest slots map one to one");

#endif /* VPRIME_ABI_H */
