/* SPDX-License-Identifier: MIT */
/**
 * \file vprime_xring.h
 * \brief A fixed single-producer single-consumer ring between the vprime
 * device's two threads.
 *
 * libvprime's handle is not thread-safe, and PRIMEX's blocking devices have
 * a reader and a writer thread: the reader thread owns the handle, and the
 * writer thread (which turns exported simulator packets into bytes) talks to
 * it through two of these rings, one of empty frames the owner reserved and
 * one of filled frames to submit.  Slots are preallocated: no allocation and
 * no lock per frame.  gnu++98 (PRIMEX's dialect): gcc's __atomic builtins.
 */

#ifndef __VPRIME_XRING_H__
#define __VPRIME_XRING_H__

#include <stdint.h>

namespace prime {
namespace ssfnet {

template <typename T, uint32_t N>
class VPrimeXRing {
public:
	VPrimeXRing() : head(0), tail(0) {}

	/** Producer: append @v; false if full. */
	bool push(const T& v) {
		uint32_t t = tail;
		uint32_t h = __atomic_load_n(&head, __ATOMIC_ACQUIRE);
		if (t - h >= N)
			return false;
		slot[t % N] = v;
		__atomic_store_n(&tail, t + 1, __ATOMIC_RELEASE);
		return true;
	}

	/** Consumer: take the oldest into @v; false if empty. */
	bool pop(T& v) {
		uint32_t h = head;
		uint32_t t = __atomic_load_n(&tail, __ATOMIC_ACQUIRE);
		if (h == t)
			return false;
		v = slot[h % N];
		__atomic_store_n(&head, h + 1, __ATOMIC_RELEASE);
		return true;
	}

	/** Entries in the ring (exact for either side's own view). */
	uint32_t size() const {
		return __atomic_load_n(&tail, __ATOMIC_ACQUIRE) -
			__atomic_load_n(&head, __ATOMIC_ACQUIRE);
	}

	static uint32_t capacity() { return N; }

private:
	uint32_t head;		/* next to pop; written by the consumer */
	uint32_t tail;		/* next to fill; written by the producer */
	T slot[N];
};

} // namespace ssfnet
} // namespace prime

#endif /*__VPRIME_XRING_H__*/
