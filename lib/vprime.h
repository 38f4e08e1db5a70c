/* SPDX-License-Identifier: MIT */
/*
 * vprime.h - libvprime, the C API an engine in dom0 uses to reach guest
 * vprime devices through /dev/vprime.  This is the library's one contract
 * header; docs/libvprime.md is the prose version.
 *
 * Model (netmap / AF_XDP style):
 *
 *   vprime_open()           one handle = one open /dev/vprime + its area
 *   vprime_attach_*()       bind a guest device to a port of the area
 *   loop:
 *     vprime_wait()         sleep until a guest has work (or a timeout)
 *     vprime_sync()         ONE ioctl: guests -> RX rings, TX rings -> guests
 *     vprime_rx_peek()      frames as segment lists into the shared buffers
 *       vprime_tx_submit()  hand a frame (received or reserved) to a port
 *       vprime_frame_drop() or give its buffers back
 *     vprime_tx_reserve()   take free buffers to build a frame of one's own
 *
 * Buffer ownership.  Every buffer of the area is owned either by the
 * library (free, or posted to the kernel) or by the caller.  A frame
 * returned by vprime_rx_peek() or vprime_tx_reserve() is the caller's until
 * it passes the frame to exactly one of vprime_tx_submit() or
 * vprime_frame_drop(); both then zero the frame's nseg, so handing the same
 * struct back twice is refused with -EINVAL instead of corrupting the pool.
 * The fill and completion rings are never seen by the caller.
 *
 * Costs: nothing here makes a system call per frame, and nothing copies
 * frame bytes; only vprime_sync() (one ioctl), vprime_wait() (one poll),
 * open/close, list, attach/detach and stats enter the kernel.
 *
 * Errors: every function that can fail returns a negative errno value and
 * leaves the handle as it was.  A handle is not thread-safe: use one per
 * thread, or serialise.
 */
#ifndef VPRIME_H
#define VPRIME_H

#include <stddef.h>
#include <stdint.h>
#include "vprime_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VPRIME_LIB_VERSION	1
#define VPRIME_FRAME_SEGS	VPRIME_MAX_SLOTS	/* 5 x 2048 bytes */

struct vprime;

/* One segment of a frame: a view into a shared buffer of the area. */
struct vprime_seg {
	uint8_t *data;		/* first byte; VPRIME_BUF_SIZE bytes usable */
	uint32_t len;		/* bytes of the frame in this buffer */
	uint32_t buf;		/* buffer id (library bookkeeping) */
};

/*
 * A frame.  Received: @port it came in on, @tstamp the CLOCK_MONOTONIC ns at
 * which dom0 took it off the guest's ring (or the simulated clock).  Reserved:
 * @port is VPRIME_PORT_NONE and @tstamp 0.
 */
#define VPRIME_PORT_NONE	UINT32_MAX
struct vprime_frame {
	uint64_t tstamp;
	uint32_t port;
	uint32_t len;		/* sum of seg[].len, set by the library */
	uint16_t flags;		/* VPRIME_DESC_F_CSUM_BLANK / _DATA_VALID */
	uint16_t nseg;		/* 0: the frame owns nothing (consumed) */
	uint32_t rsvd;
	struct vprime_seg seg[VPRIME_FRAME_SEGS];
};

/* Open options; zero fields take the defaults in brackets. */
struct vprime_opts {
	uint32_t nr_bufs;	/* buffers in the area [8192] */
	uint32_t ring_size;	/* entries per port ring, power of two [1024] */
	uint32_t max_ports;	/* ports in the area [64] */
	uint32_t tx_reserve;	/* buffers never posted for receive, so
				 * vprime_tx_reserve() can always find some
				 * [nr_bufs / 8] */
};

/* A port as the kernel describes it (a snapshot). */
struct vprime_portinfo {
	uint32_t port;
	uint32_t state;		/* enum vprime_port_state */
	uint32_t domid;
	uint32_t devid;
	uint32_t mtu;
	uint8_t mac[6];
	char name[VPRIME_NAME_LEN];
};

/* What one vprime_sync() did. */
struct vprime_sync_res {
	uint32_t rx_frames;	/* frames moved to RX rings by the kernel */
	uint32_t tx_frames;	/* frames delivered into guests */
	uint32_t pending;	/* ports with work left: sync again soon */
};

/*
 * The library's own counters.  X(name, description); append only.  The
 * lat_to_engine_* counters are a histogram (VPRIME_LAT_BUCKETS of
 * vprime_abi.h) of the time from dom0's sync taking a frame off the
 * guest's ring (its tstamp) to vprime_rx_peek() handing it out: one clock
 * read per call that returns frames.
 */
#define VPRIME_LIB_STATS(X)						\
	X(bad_arg,		"calls refused for a bad argument")	\
	X(syncs,		"sync ioctls")				\
	X(rx_frames,		"frames handed out by rx_peek")		\
	X(tx_frames,		"frames queued by tx_submit")		\
	X(tx_ring_full,		"submits refused: port TX ring full")	\
	X(tx_port_down,		"submits refused: port down or gone")	\
	X(no_buf,		"reserves refused: no free buffer")	\
	X(fill_short,		"syncs that left the fill ring below target") \
	X(kernel_bad_index,	"kernel ring index out of range")	\
	X(kernel_bad_desc,	"kernel descriptor with a bad buffer or length") \
	X(detach_reclaimed,	"buffers recovered from detached ports") \
	VPRIME_LAT_BUCKETS(VPRIME_LAT_PASTE, X, lat_to_engine,		\
			   "frames by time from dom0's sync to rx_peek")

#define VPRIME_LIB_STAT_ENUM(n, d) VPRIME_LIB_STAT_##n,
enum vprime_lib_stat_id {
	VPRIME_LIB_STATS(VPRIME_LIB_STAT_ENUM)
	VPRIME_LIB_STAT_MAX
};
#undef VPRIME_LIB_STAT_ENUM

/* ---- open and close ---------------------------------------------------- */

/*
 * vprime_open - open the backend's device and map its area.
 * @out:  the new handle
 * @path: device node, NULL for "/dev/vprime"
 * @opts: sizes, NULL for the defaults
 * Checks the kernel's ABI version (VPRIME_IOC_VERSION) and the mapped
 * area's header against the layout it asked for.
 * Returns 0, -EINVAL (bad argument), -EPROTO (ABI or area mismatch),
 * -ENOMEM, or the -errno of open/ioctl/mmap (-ENOENT: no backend loaded).
 */
int vprime_open(struct vprime **out, const char *path,
		const struct vprime_opts *opts);

/* vprime_close - detach every port, unmap, close.  NULL is a no-op. */
void vprime_close(struct vprime *vp);

/*
 * vprime_fd - the descriptor to poll (POLLIN: a guest has work).
 * Returns the fd, -EINVAL, or -EOPNOTSUPP for a backend without one (the
 * simulated backend: use vprime_wait(), which never blocks there).
 */
int vprime_fd(const struct vprime *vp);

/*
 * vprime_wait - sleep until some attached device has work or @timeout_ms
 * passes (-1: no limit, 0: just check).
 * Returns 1 (work), 0 (timeout), -EINVAL, -EINTR or another -errno.
 */
int vprime_wait(struct vprime *vp, int timeout_ms);

/* ---- devices and ports -------------------------------------------------- */

/*
 * vprime_list - the devices the backend knows, attached or not.
 * @out: up to @cap entries are written (may be NULL when @cap is 0)
 * Returns the number of devices (which may exceed @cap), or -errno.
 */
int vprime_list(struct vprime *vp, struct vprime_devinfo *out, uint32_t cap);

/*
 * vprime_attach_id / _name / _mac - take a device (hot: the guest may be
 * running and sending) and bind it to a free port.
 * Returns the port number (>= 0), -EINVAL (bad argument; name empty or
 * longer than VPRIME_NAME_LEN - 1), -ENODEV (no such device), -EBUSY
 * (another engine holds it), -ENOSPC (all max_ports in use), or -errno.
 */
int vprime_attach_id(struct vprime *vp, uint32_t domid, uint32_t devid);
int vprime_attach_name(struct vprime *vp, const char *name);
int vprime_attach_mac(struct vprime *vp, const uint8_t mac[6]);

/*
 * vprime_detach - give the device back.  Buffers still on the port's rings
 * return to the library; frames the caller holds from this port stay the
 * caller's.  Returns 0, -EINVAL (not an attached port) or -errno.
 */
int vprime_detach(struct vprime *vp, uint32_t port);

/*
 * vprime_port_info - a snapshot of an attached port (state changes under
 * you: VPRIME_PORT_GONE means the device vanished; detach it).
 * Returns 0 or -EINVAL.
 */
int vprime_port_info(const struct vprime *vp, uint32_t port,
		     struct vprime_portinfo *out);

/* vprime_port_state - enum vprime_port_state of an attached port, or -EINVAL */
int vprime_port_state(const struct vprime *vp, uint32_t port);

/* ---- the batch ---------------------------------------------------------- */

/*
 * vprime_sync - reap completions, top up the fill ring, publish submitted
 * frames, and make the one VPRIME_IOC_SYNC.  @flags: VPRIME_SYNC_RX/_TX,
 * 0 for both.  @res may be NULL.
 * Returns 0, -EINVAL or the ioctl's -errno.
 */
int vprime_sync(struct vprime *vp, uint32_t flags, struct vprime_sync_res *res);

/*
 * vprime_rx_peek - up to @max received frames, taken round-robin over the
 * attached ports; vprime_rx_peek_port() from one port only.  Each frame
 * becomes the caller's (see "Buffer ownership").
 * Returns the number of frames (0: none), or -EINVAL.
 */
int vprime_rx_peek(struct vprime *vp, struct vprime_frame *frames,
		   uint32_t max);
int vprime_rx_peek_port(struct vprime *vp, uint32_t port,
			struct vprime_frame *frames, uint32_t max);

/*
 * vprime_rx_release - drop every frame of @frames[0..n) that still owns
 * buffers (nseg != 0): the ones the caller neither submitted nor dropped.
 * Returns the number dropped, or -EINVAL (nothing changed).
 */
int vprime_rx_release(struct vprime *vp, struct vprime_frame *frames,
		      uint32_t n);

/* vprime_frame_drop - give a frame's buffers back.  0 or -EINVAL. */
int vprime_frame_drop(struct vprime *vp, struct vprime_frame *f);

/*
 * vprime_tx_reserve - buffers for a new frame of @len bytes (1 ..
 * VPRIME_FRAME_MAX), as ceil(len / VPRIME_BUF_SIZE) segments.  Write the
 * bytes into seg[].data; lengths may be shortened (never to 0) before
 * submitting.  Returns 0, -EINVAL or -ENOBUFS (none free: sync to reap
 * completions, or drop frames you hold).
 */
int vprime_tx_reserve(struct vprime *vp, uint32_t len, struct vprime_frame *f);

/*
 * vprime_tx_submit - queue frame @f (received, possibly on another port,
 * or reserved) on @port's TX ring: zero-copy forwarding is just this.
 * @due: earliest delivery, CLOCK_MONOTONIC ns (0: as soon as possible); a
 * frame not yet due holds back the frames behind it on the same port, so
 * submit each port's frames in due order.  Goes out at the next sync.
 * Returns 0 (the frame is consumed: nseg = 0), -EINVAL (bad port, or a
 * frame not owned by the caller), -EMSGSIZE (longer than the port's MTU
 * allows), -ENETDOWN (port down or gone), -EAGAIN (TX ring full: sync and
 * retry, or drop).  On error the frame is still the caller's.
 */
int vprime_tx_submit(struct vprime *vp, uint32_t port, struct vprime_frame *f,
		     uint64_t due);

/* ---- statistics --------------------------------------------------------- */

/*
 * vprime_port_stats - the kernel's per-port counters, indexed by enum
 * vprime_stat_id (VPRIME_PORT_STATS X-macro).  Writes min(@cap,
 * VPRIME_STAT_MAX) values.  Returns the number of counters the kernel has,
 * or -EINVAL / -errno.
 */
int vprime_port_stats(struct vprime *vp, uint32_t port, uint64_t *val,
		      uint32_t cap);

/*
 * vprime_lib_stats - the library's counters (enum vprime_lib_stat_id),
 * the lat_to_engine_* histogram included.
 */
int vprime_lib_stats(const struct vprime *vp, uint64_t *val, uint32_t cap);

/* Counter names and descriptions, NULL for an id out of range. */
const char *vprime_stat_name(uint32_t id);
const char *vprime_stat_desc(uint32_t id);
const char *vprime_lib_stat_name(uint32_t id);

/* Buffers the library holds free right now (for tests and monitoring). */
int vprime_free_bufs(const struct vprime *vp);

/* The handle's sizes after open (opts with the defaults filled in). */
int vprime_get_opts(const struct vprime *vp, struct vprime_opts *out);

#ifdef __cplusplus
}
#endif

#endif /* VPRIME_H */
