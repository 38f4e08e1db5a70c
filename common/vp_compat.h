/* SPDX-License-Identifier: MIT */
/*
 * vp_compat.h - the few kernel facilities the common code uses, mapped to
 * their host C11 equivalents, so that common/ compiles unchanged as part of
 * a kbuild module and in host tests, fuzzers and benchmarks.
 */
#ifndef VP_COMPAT_H
#define VP_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/compiler.h>
#include <asm/barrier.h>
#include <linux/bitops.h>

/* Shared with another domain: the virt_ barriers are the ones ring.h uses. */
#define vp_rmb()	virt_rmb()
#define vp_wmb()	virt_wmb()
#define vp_mb()		virt_mb()

/* Index of the highest set bit, 1-based; 0 for 0 (the kernel's fls64). */
#define vp_fls64(x)	((u32)fls64(x))

#else /* host */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define vp_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define vp_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define vp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

/* Index of the highest set bit, 1-based; 0 for 0 (the kernel's fls64). */
static inline u32 vp_fls64(u64 x)
{
	return x ? 64u - (u32)__builtin_clzll(x) : 0;
}
#endif

/*
 * Copy a structure out of shared memory exactly once.  The volatile read
 * keeps the compiler from re-reading the shared copy later (XSA-155):
 * after this, only the private copy is looked at.
 */
#define VP_COPY_ONCE(dst, src) \
	(*(dst) = *(const volatile __typeof__(*(dst)) *)(src))

#endif /* VP_COMPAT_H */
